"""routing's nameko entrypoints: take in the events to route; plan and deliver at once, then every second."""
from datetime import datetime, timedelta, timezone

from eventlet import GreenPool
from eventlet.semaphore import Semaphore
from nameko.events import event_handler
from nameko.extensions import DependencyProvider
from nameko.timer import timer

from jefacture.dossier_profiles import DossierProfiles
from jefacture.service_kit import ObservableService, Platform
from jefacture.settings import load

from . import handlers
from .adapters.secret_box import SecretBox
from .adapters.senders import chorus_client, public_buyers, senders_for
from .adapters.store import MongoStore
from .domain.retry import RetryPolicy
from .settings import RoutingSettings

# Deliveries sent at once by one process (each waits on its destination).
CONCURRENT_SENDS = 8


def now() -> datetime:
    return datetime.now(timezone.utc)


class Station(DependencyProvider):
    """The senders and lookups, opened once per container; a pass of planning and delivering at a time."""

    def setup(self):
        settings = load(RoutingSettings)
        self.store = MongoStore(SecretBox(settings.webhook_secrets_keys))
        self.profiles = DossierProfiles(settings.identity_grpc)
        chorus = chorus_client(settings)
        self.senders = senders_for(settings, self.store, chorus, now)
        self.public_buyer = public_buyers(chorus)
        self.policy = RetryPolicy(base=timedelta(seconds=settings.delivery_backoff_base_seconds),
                                  cap=timedelta(seconds=settings.delivery_backoff_cap_seconds),
                                  give_up_after=timedelta(hours=settings.delivery_retry_for_hours))
        self.lease = timedelta(seconds=settings.delivery_lease_seconds)
        self.pool = GreenPool(CONCURRENT_SENDS)
        self.one_pass = Semaphore(1)

    def get_dependency(self, worker_ctx):
        return self

    def context(self) -> handlers.Context:
        return handlers.Context(store=self.store, profiles=self.profiles, senders=self.senders,
                                public_buyer=self.public_buyer, policy=self.policy, lease=self.lease, clock=now,
                                run=self.pool.imap)


class RoutingService(ObservableService):
    name = "routing"
    platform = Platform(outbox_collections=("attempts",), settings_class=RoutingSettings)
    station = Station()

    def _take(self, wire):
        self.platform.consume(wire, lambda envelope: handlers.record_event(envelope, ctx=self.station.context()))
        self.route()

    @event_handler("validation", "InvoiceValidated", requeue_on_error=True)
    def on_invoice_validated(self, wire):
        self._take(wire)

    @event_handler("validation", "InvoiceRejected", requeue_on_error=True)
    def on_invoice_rejected(self, wire):
        self._take(wire)

    @event_handler("payments", "InvoicePaid", requeue_on_error=True)
    def on_invoice_paid(self, wire):
        self._take(wire)

    @timer(interval=1)
    def route(self):
        """One pass at a time per process (a pass under way already takes what is due)."""
        if not self.station.one_pass.acquire(blocking=False):
            return
        try:
            ctx = self.station.context()
            handlers.plan_due(ctx=ctx)
            handlers.deliver_due(ctx=ctx)
        finally:
            self.station.one_pass.release()
        self.platform.flush_outbox()
