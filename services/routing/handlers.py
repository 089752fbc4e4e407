"""routing's use cases: plan the deliveries of a validated invoice, then deliver what is due."""
import json
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from jefacture.envelope import new_envelope, payload_of, to_wire
from jefacture.events.v1 import invoice_pb2 as ev
from jefacture.events.v1.envelope_pb2 import Envelope
from jefacture.webhook_signature import DELIVERY_HEADER, SIGNATURE_HEADER, sign

from .domain.deliveries import RetryPolicy, delivery_id, destinations

PRODUCER = "routing"
LEASE = timedelta(seconds=60)


def invoice_routed(reference: ev.InvoiceRef, targets: list[str]) -> dict:
    payload = ev.InvoiceRouted(invoice=reference, destinations=targets)
    return to_wire(new_envelope(payload, correlation_id=reference.document_id, producer=PRODUCER))


def webhook_body(envelope: Envelope, reference: ev.InvoiceRef, key: str) -> str:
    return json.dumps({
        "id": key, "type": "invoice.validated", "document_id": reference.document_id,
        "dossier_id": reference.dossier_id, "direction": ev.Direction.Name(reference.direction).lower(),
        "occurred_at": envelope.occurred_at.ToJsonString(),
    }, separators=(",", ":"))


def route_invoice(envelope: Envelope, *, routes, firm_webhook_url: str | None, now: datetime) -> None:
    reference = payload_of(envelope).invoice
    targets = destinations(firm_webhook_url)
    deliveries = []
    for target in targets:
        key = delivery_id(reference.document_id, target)
        deliveries.append({"id": key, "document_id": reference.document_id, "dossier_id": reference.dossier_id,
                           "direction": reference.direction, "destination": target, "url": firm_webhook_url,
                           "body": webhook_body(envelope, reference, key)})
    routes.plan(deliveries, now)
    if not targets:
        routes.complete(reference.document_id, [], invoice_routed(reference, []))


def deliver_due(*, routes, post: Callable[[str, bytes, dict], int], secret: str, policy: RetryPolicy,
                now: datetime) -> int:
    """Send every due delivery once; returns how many succeeded."""
    delivered = 0
    for delivery in routes.claim_due(now, now + LEASE):
        body = delivery.body.encode()
        headers = {"Content-Type": "application/json", DELIVERY_HEADER: delivery.id,
                   SIGNATURE_HEADER: sign(secret, int(time.time()), body)}
        try:
            status, error = post(delivery.url, body, headers), ""
        except Exception as failure:
            status, error = 0, f"{type(failure).__name__}: {failure}"
        first_attempt_at = delivery.first_attempt_at or now
        entry = {"at": now, "status_code": status, "error": error}
        if 200 <= status < 300:
            routes.record_attempt(delivery.id, entry, first_attempt_at, "delivered", now)
            if routes.all_delivered(delivery.document_id):
                reference = ev.InvoiceRef(document_id=delivery.document_id, dossier_id=delivery.dossier_id,
                                          direction=delivery.direction)
                targets = destinations(delivery.url)
                routes.complete(delivery.document_id, targets, invoice_routed(reference, targets))
            delivered += 1
            continue
        next_attempt_at = policy.next_attempt(delivery.attempts + 1, first_attempt_at, now)
        routes.record_attempt(delivery.id, entry, first_attempt_at,
                              "pending" if next_attempt_at else "dead", next_attempt_at or now)
    return delivered
