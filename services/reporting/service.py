"""reporting's nameko entrypoints: every invoice event feeds the timeline."""
from nameko.events import event_handler

from jefacture.service_kit import ObservableService

from . import handlers
from .adapters.invoices import MongoInvoiceViews


class ReportingService(ObservableService):
    name = "reporting"

    def _record(self, wire):
        self.platform.consume(wire, lambda envelope: handlers.record_event(envelope, views=MongoInvoiceViews()))

    @event_handler("ingest", "InvoiceReceived", requeue_on_error=True)
    def on_invoice_received(self, wire):
        self._record(wire)

    @event_handler("ocr", "InvoiceExtracted", requeue_on_error=True)
    def on_invoice_extracted(self, wire):
        self._record(wire)

    @event_handler("seal-vault", "InvoiceSealed", requeue_on_error=True)
    def on_invoice_sealed(self, wire):
        self._record(wire)

    @event_handler("validation", "InvoiceValidated", requeue_on_error=True)
    def on_invoice_validated(self, wire):
        self._record(wire)

    @event_handler("validation", "InvoiceRejected", requeue_on_error=True)
    def on_invoice_rejected(self, wire):
        self._record(wire)

    @event_handler("routing", "InvoiceRouted", requeue_on_error=True)
    def on_invoice_routed(self, wire):
        self._record(wire)

    @event_handler("validation", "TaskOpened", requeue_on_error=True)
    def on_task_opened(self, wire):
        self._record(wire)

    @event_handler("payments", "InvoicePaid", requeue_on_error=True)
    def on_invoice_paid(self, wire):
        self._record(wire)
