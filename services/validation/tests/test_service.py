"""validation on real RabbitMQ and FerretDB: its events in, its decisions out through the outbox. (The checks that
need identity and the registries run end to end in tests/integration/test_validation_routing.py.)"""
import pytest

from jefacture.envelope import new_envelope, to_wire
from jefacture.events.v1 import invoice_pb2 as ev
from jefacture.messaging import Publisher

pytestmark = pytest.mark.service


def wire(payload, producer):
    return to_wire(new_envelope(payload, correlation_id=payload.invoice.document_id, producer=producer))


def reference(document_id):
    return ev.InvoiceRef(document_id=document_id, dossier_id="d1", direction=ev.PURCHASE)


def test_a_document_that_could_not_be_read_is_rejected_once_whatever_the_order_and_repeats(
        platform, platform_env, capture):
    decided = capture(("validation", "InvoiceRejected"), ("validation", "InvoiceStatusChanged"))
    platform.start(["validation"])
    publisher = Publisher(platform_env["AMQP_URI"])
    for document_id in ("bad-1", "bad-2"):
        publisher.publish_event(wire(ev.InvoiceSealed(invoice=reference(document_id)), "seal-vault"))
        publisher.publish_event(wire(ev.InvoiceExtracted(invoice=reference(document_id),
                                                         failure_reason="the PDF could not be opened"), "ocr"))
        publisher.publish_event(wire(ev.InvoiceReceived(invoice=reference(document_id), filename="x.pdf"), "ingest"))
    publisher.publish_event(wire(ev.InvoiceSealed(invoice=reference("bad-1")), "seal-vault"))  # a repeated report

    events = decided.wait_for(lambda e: e["type"] == "InvoiceRejected", count=2)
    assert sorted(e["correlation_id"] for e in events) == ["bad-1", "bad-2"]
    assert events[0]["invoice_rejected"]["reasons"] == ["unreadable: the PDF could not be opened"]
    assert events[0]["invoice_rejected"]["cdar_code"] == 213
    statuses = [e for e in decided.drain() if e["type"] == "InvoiceStatusChanged"]
    assert sorted((e["correlation_id"], e["invoice_status_changed"]["state"]) for e in statuses) == [
        ("bad-1", "received"), ("bad-1", "rejected"), ("bad-2", "received"), ("bad-2", "rejected")]
    assert len([e for e in decided.drain() if e["type"] == "InvoiceRejected"]) == 2
