"""The invoice's summary as its senders read it: the InvoiceSummary message stored with the delivery."""
from google.protobuf.json_format import ParseDict

from jefacture.events.v1.invoice_pb2 import InvoiceSummary

from ..domain.deliveries import Delivery


def summary_of(delivery: Delivery) -> InvoiceSummary:
    return ParseDict(delivery.payload.get("summary", {}), InvoiceSummary(), ignore_unknown_fields=True)
