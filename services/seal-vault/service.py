"""seal-vault's nameko service: seals and archives each received invoice; checkpoints and audits the ledger."""
import time

from eventlet import tpool
from eventlet.semaphore import Semaphore
from nameko.events import event_handler
from nameko.extensions import DependencyProvider
from nameko.timer import timer
from prometheus_client import Histogram

from jefacture.log import get_logger
from jefacture.service_kit import ObservableService, Platform
from jefacture.settings import load

from . import handlers
from .adapters.sealing import Sealing
from .adapters.vault import Vault, checkpoint_signer
from .audit import audit
from .domain.seal import SealOutcome
from .settings import SealVaultSettings

SEAL_SECONDS = Histogram("jefacture_seal_seconds", "Time spent sealing one original, timestamp included",
                         ["format"])


class Sealer(DependencyProvider):
    """The seal key loaded (or the PKCS#11 session opened) and the TSA client created once at start-up; each
    signature runs in a real thread, one at a time (pyHanko's key objects are not thread-safe)."""

    def setup(self):
        self.sealing = Sealing.from_settings(load(SealVaultSettings))
        self.one_at_a_time = Semaphore(1)

    def _run(self, function, *args):
        with self.one_at_a_time:
            return tpool.execute(function, *args)

    def seal(self, original: bytes, media_type: str) -> SealOutcome:
        started = time.perf_counter()
        outcome = self._run(self.sealing.seal, original, media_type)
        SEAL_SECONDS.labels(outcome.seal_format).observe(time.perf_counter() - started)
        return outcome

    def archive_copy(self, sealed_pdf: bytes) -> bytes:
        return self._run(self.sealing.archive_copy, sealed_pdf)

    def sign_detached(self, message: bytes) -> bytes:
        return self._run(self.sealing.cades.seal_detached, message)

    def stop(self):
        self.sealing.close()

    def get_dependency(self, worker_ctx):
        return self


class SealVaultService(ObservableService):
    name = "seal-vault"
    platform = Platform(outbox_collections=("archive",), settings_class=SealVaultSettings)
    sealer = Sealer()

    def _vault(self) -> Vault:
        settings = self.platform.settings
        return Vault(self.platform.blobs, checkpoint_signer(self.sealer.sign_detached, settings.trust_anchor_files()),
                     settings.retention_policy())

    @event_handler("ingest", "InvoiceReceived", requeue_on_error=True)
    def on_invoice_received(self, wire):
        self.platform.consume(wire, lambda envelope: handlers.seal_received_invoice(
            envelope, vault=self._vault(), blobs=self.platform.blobs, seal=self.sealer.seal,
            archive_copy=self.sealer.archive_copy))

    # An evidence export signs a checkpoint on demand; this one bounds how long an entry waits for one.
    @timer(interval=600)
    def checkpoint_ledger(self):
        self._vault().checkpoint()

    @timer(interval=300)
    def audit_vault(self):
        result = audit(self._vault())
        log = get_logger().bind(entries=result.entries, findings=len(result.findings))
        if result.clean:
            log.info("vault_audit_clean")
        else:
            log.error("vault_audit_findings", details=[str(finding) for finding in result.findings[:50]])
