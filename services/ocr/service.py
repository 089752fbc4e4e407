"""ocr's nameko entrypoints; reading runs in a real thread, off the eventlet hub, one document at a time."""
from eventlet import tpool
from eventlet.semaphore import Semaphore
from nameko.events import event_handler
from nameko.extensions import DependencyProvider

from jefacture.service_kit import ObservableService, Platform

from . import handlers
from .adapters.extractions import MongoExtractions
from .adapters.pdf_text import read_pdf_text


class Reader(DependencyProvider):
    """PDFium is not thread-safe (concurrent documents crash the process): one read at a time per process;
    more throughput comes from more ocr processes, which compete for the same queue."""

    def setup(self):
        self.one_at_a_time = Semaphore(1)

    def read(self, content: bytes):
        with self.one_at_a_time:
            return tpool.execute(read_pdf_text, content)

    def get_dependency(self, worker_ctx):
        return self.read


class OcrService(ObservableService):
    name = "ocr"
    platform = Platform(outbox_collections=("extractions",))
    read = Reader()

    @event_handler("ingest", "InvoiceReceived", requeue_on_error=True)
    def on_invoice_received(self, wire):
        self.platform.consume(wire, lambda envelope: handlers.extract_invoice(
            envelope, extractions=MongoExtractions(), blobs=self.platform.blobs, read=self.read))
