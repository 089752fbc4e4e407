"""routing's nameko entrypoints: plan on InvoiceValidated, deliver at once and then on a timer."""
import threading
from datetime import datetime, timedelta, timezone
from functools import partial

from nameko.events import event_handler
from nameko.timer import timer

from jefacture.service_kit import ObservableService, Platform

from . import handlers
from .adapters.routes import MongoRoutes
from .adapters.webhook import post_webhook
from .domain.deliveries import RetryPolicy
from .settings import RoutingSettings

# One delivery pass at a time per process: FerretDB v1 does not make the lease update atomic.
DELIVERY_PASS = threading.Lock()


class RoutingService(ObservableService):
    name = "routing"
    platform = Platform(outbox_collections=("routes",), settings_class=RoutingSettings)

    @event_handler("validation", "InvoiceValidated", requeue_on_error=True)
    def on_invoice_validated(self, wire):
        settings = self.platform.settings
        self.platform.consume(wire, lambda envelope: handlers.route_invoice(
            envelope, routes=MongoRoutes(), firm_webhook_url=settings.firm_webhook_url,
            now=datetime.now(timezone.utc)))
        self.deliver_due()

    @timer(interval=1)
    def deliver_due(self):
        settings = self.platform.settings
        with DELIVERY_PASS:
            handlers.deliver_due(
                routes=MongoRoutes(), secret=settings.firm_webhook_secret,
                post=partial(post_webhook, timeout=settings.webhook_timeout_seconds),
                policy=RetryPolicy(base=timedelta(seconds=settings.webhook_backoff_base_seconds),
                                   give_up_after=timedelta(hours=settings.webhook_retry_for_hours)),
                now=datetime.now(timezone.utc))
        self.platform.flush_outbox()
