"""validation on real RabbitMQ and FerretDB."""
import pytest

from jefacture.envelope import new_envelope, to_wire
from jefacture.events.v1 import invoice_pb2 as ev
from jefacture.messaging import Publisher

pytestmark = pytest.mark.service


def reference(document_id):
    return ev.InvoiceRef(document_id=document_id, dossier_id="d1", direction=ev.PURCHASE)


def extracted(document_id, failure=""):
    return to_wire(new_envelope(ev.InvoiceExtracted(invoice=reference(document_id), failure_reason=failure),
                                correlation_id=document_id, producer="ocr"))


def sealed(document_id):
    return to_wire(new_envelope(ev.InvoiceSealed(invoice=reference(document_id)), correlation_id=document_id,
                                producer="seal-vault"))


def test_each_invoice_is_decided_once_when_both_branches_reported(platform, platform_env, capture):
    decided = capture(("validation", "InvoiceValidated"), ("validation", "InvoiceRejected"))
    platform.start(["validation"])
    publisher = Publisher(platform_env["AMQP_URI"])
    for document_id in ("ok-1", "ok-2"):
        publisher.publish_event(sealed(document_id))
        publisher.publish_event(extracted(document_id))
    publisher.publish_event(extracted("bad-1", failure="the PDF could not be opened"))
    publisher.publish_event(sealed("bad-1"))
    publisher.publish_event(sealed("ok-1"))  # a repeated report, new event id

    events = decided.wait_for(lambda e: True, count=3)
    outcomes = {e["correlation_id"]: e["type"] for e in events}
    assert outcomes == {"ok-1": "InvoiceValidated", "ok-2": "InvoiceValidated", "bad-1": "InvoiceRejected"}
    rejected = next(e for e in events if e["type"] == "InvoiceRejected")
    assert rejected["invoice_rejected"]["reasons"] == ["unreadable: the PDF could not be opened"]
    assert len(decided.drain()) == 3
