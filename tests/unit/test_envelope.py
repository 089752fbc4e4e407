import json

import pytest

from jefacture.envelope import SCHEMA_VERSION, MalformedEvent, from_wire, new_envelope, payload_of, to_wire
from jefacture.events.v1 import invoice_pb2 as ev


def received():
    payload = ev.InvoiceReceived(invoice=ev.InvoiceRef(document_id="doc-1", dossier_id="d1", direction=ev.SALE),
                                 source=ev.UPLOAD, sha256="a" * 64, filename="facture.pdf", size_bytes=42)
    return new_envelope(payload, correlation_id="doc-1", producer="ingest")


def test_an_envelope_survives_the_wire_unchanged():
    envelope = received()
    wire = json.loads(json.dumps(to_wire(envelope)))
    assert from_wire(wire) == envelope
    assert wire["type"] == "InvoiceReceived" and wire["invoice_received"]["invoice"]["direction"] == "SALE"
    assert wire["schema_version"] == SCHEMA_VERSION and wire["producer"] == "ingest"


def test_the_payload_is_the_one_named_by_the_type():
    assert payload_of(received()).filename == "facture.pdf"


def test_unknown_fields_from_a_newer_producer_are_ignored():
    wire = to_wire(received())
    wire["invoice_received"]["some_future_field"] = "x"
    assert payload_of(from_wire(wire)).sha256 == "a" * 64


@pytest.mark.parametrize("wire, reason", [
    ("not a dict", "must be a JSON object"),
    ({"type": "InvoiceReceived"}, "needs an event_id"),
    ({"event_id": "e", "type": "InvoiceReceived", "invoice_routed": {}}, "carries payload 'invoice_routed'"),
    ({"event_id": "e", "type": "InvoiceReceived", "occurred_at": "yesterday"}, "not an envelope"),
])
def test_a_malformed_event_is_refused_with_the_reason(wire, reason):
    with pytest.raises(MalformedEvent, match=reason):
        from_wire(wire)
