"""payments' use cases."""
from jefacture.envelope import payload_of
from jefacture.events.v1 import invoice_pb2 as ev
from jefacture.events.v1.envelope_pb2 import Envelope

from .domain.open_items import side_of


def open_item_for(envelope: Envelope, *, open_items) -> None:
    reference = payload_of(envelope).invoice
    open_items.open(reference.document_id, reference.dossier_id,
                    side_of(ev.Direction.Name(reference.direction).lower()))
