"""validation's nameko entrypoints."""
from nameko.events import event_handler

from jefacture.service_kit import ObservableService, Platform

from . import handlers
from .adapters.invoices import MongoInvoices


class ValidationService(ObservableService):
    name = "validation"
    platform = Platform(outbox_collections=("decisions",))

    @event_handler("ocr", "InvoiceExtracted", requeue_on_error=True)
    def on_invoice_extracted(self, wire):
        self.platform.consume(wire, lambda envelope: handlers.on_invoice_extracted(
            envelope, invoices=MongoInvoices()))

    @event_handler("seal-vault", "InvoiceSealed", requeue_on_error=True)
    def on_invoice_sealed(self, wire):
        self.platform.consume(wire, lambda envelope: handlers.on_invoice_sealed(envelope, invoices=MongoInvoices()))
