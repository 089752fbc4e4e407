"""validation's nameko entrypoints: every event about an invoice moves it along its lifecycle."""
from datetime import datetime, timezone

from nameko.events import event_handler
from nameko.extensions import DependencyProvider

from jefacture.dossier_profiles import DossierProfiles
from jefacture.service_kit import ObservableService, Platform
from jefacture.settings import load

from . import handlers
from .adapters.invoices import MongoInvoices
from .adapters.registries import SupplierRegistry
from .settings import ValidationSettings

OUTBOX = ("transitions", "tasks")


class Checking(DependencyProvider):
    """The dossier profiles and supplier registries, opened once per container; a fresh context per event."""

    def setup(self):
        settings = load(ValidationSettings)
        self.profiles = DossierProfiles(settings.identity_grpc)
        self.registry = SupplierRegistry.from_settings(settings)

    def get_dependency(self, worker_ctx):
        return self

    def context(self) -> handlers.Context:
        return handlers.Context(invoices=MongoInvoices(), profiles=self.profiles, registry=self.registry,
                                now=datetime.now(timezone.utc))


class ValidationService(ObservableService):
    name = "validation"
    platform = Platform(outbox_collections=OUTBOX, settings_class=ValidationSettings)
    checking = Checking()

    def _handle(self, wire, handler):
        self.platform.consume(wire, lambda envelope: handler(envelope, ctx=self.checking.context()))

    @event_handler("ingest", "InvoiceReceived", requeue_on_error=True)
    def on_invoice_received(self, wire):
        self._handle(wire, handlers.on_invoice_received)

    @event_handler("ocr", "InvoiceExtracted", requeue_on_error=True)
    def on_invoice_extracted(self, wire):
        self._handle(wire, handlers.on_invoice_extracted)

    @event_handler("seal-vault", "InvoiceSealed", requeue_on_error=True)
    def on_invoice_sealed(self, wire):
        self._handle(wire, handlers.on_invoice_sealed)

    @event_handler("routing", "InvoiceRouted", requeue_on_error=True)
    def on_invoice_routed(self, wire):
        self._handle(wire, handlers.on_invoice_routed)

    @event_handler("routing", "DeliveryFailed", requeue_on_error=True)
    def on_delivery_failed(self, wire):
        self._handle(wire, handlers.on_delivery_failed)

    @event_handler("payments", "InvoicePaid", requeue_on_error=True)
    def on_invoice_paid(self, wire):
        self._handle(wire, handlers.on_invoice_paid)
