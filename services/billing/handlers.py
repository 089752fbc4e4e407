"""billing's use cases."""
from jefacture.envelope import payload_of
from jefacture.events.v1.envelope_pb2 import Envelope

from .domain.usage import billing_month


def meter_received_document(envelope: Envelope, *, usage) -> None:
    received = payload_of(envelope)
    month = billing_month(received.received_at.ToDatetime())
    usage.record(received.invoice.document_id, received.invoice.dossier_id, month)
