"""payments' nameko entrypoints."""
from nameko.events import event_handler

from jefacture.service_kit import ObservableService

from . import handlers
from .adapters.open_items import MongoOpenItems


class PaymentsService(ObservableService):
    name = "payments"

    @event_handler("validation", "InvoiceValidated", requeue_on_error=True)
    def on_invoice_validated(self, wire):
        self.platform.consume(wire, lambda envelope: handlers.open_item_for(envelope, open_items=MongoOpenItems()))
