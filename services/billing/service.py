"""billing's nameko entrypoints."""
from nameko.events import event_handler

from jefacture.service_kit import ObservableService

from . import handlers
from .adapters.usage import MongoUsage


class BillingService(ObservableService):
    name = "billing"

    @event_handler("ingest", "InvoiceReceived", requeue_on_error=True)
    def on_invoice_received(self, wire):
        self.platform.consume(wire, lambda envelope: handlers.meter_received_document(envelope, usage=MongoUsage()))
