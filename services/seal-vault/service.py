"""seal-vault's nameko service: seals each received invoice, off the eventlet hub."""
import time

from eventlet import tpool
from eventlet.semaphore import Semaphore
from nameko.events import event_handler
from nameko.extensions import DependencyProvider
from prometheus_client import Histogram

from jefacture.service_kit import ObservableService, Platform
from jefacture.settings import load

from . import handlers
from .adapters.pades import PadesSealer
from .adapters.seals import MongoSeals
from .settings import SealVaultSettings

SEAL_SECONDS = Histogram("jefacture_seal_seconds", "Time spent sealing one PDF")


class Sealer(DependencyProvider):
    """The PAdES sealer, its key loaded once at start-up; each seal runs in a real thread, one at a time."""

    def setup(self):
        self.sealer = PadesSealer.from_files(load(SealVaultSettings).seal_key_files())
        # pyHanko's key objects are not safe to share between threads; the GIL makes parallel seals no faster.
        self.one_at_a_time = Semaphore(1)

    def seal(self, pdf: bytes) -> bytes:
        with self.one_at_a_time:
            started = time.perf_counter()
            sealed = tpool.execute(self.sealer.seal, pdf)
            SEAL_SECONDS.observe(time.perf_counter() - started)
            return sealed

    def get_dependency(self, worker_ctx):
        return self.seal


class SealVaultService(ObservableService):
    name = "seal-vault"
    platform = Platform(outbox_collections=("seals",), settings_class=SealVaultSettings)
    seal = Sealer()

    @event_handler("ingest", "InvoiceReceived", requeue_on_error=True)
    def on_invoice_received(self, wire):
        self.platform.consume(wire, lambda envelope: handlers.seal_received_invoice(
            envelope, seals=MongoSeals(), blobs=self.platform.blobs, seal=self.seal))
