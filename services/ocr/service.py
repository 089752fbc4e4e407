"""ocr's nameko entrypoints. The structured and text-layer steps run in a real thread, off the eventlet hub, one
document at a time (PDFium is not thread-safe); OCR runs in worker processes of its own (OCR_WORKERS, with a
per-page time limit OCR_PAGE_SECONDS), which several documents share."""
import time

from eventlet import tpool
from eventlet.semaphore import Semaphore
from nameko.events import event_handler
from nameko.extensions import DependencyProvider

from jefacture import metrics
from jefacture.service_kit import ObservableService, Platform

from . import handlers
from .adapters.extractions import MongoExtractions
from .adapters.ocr_workers import OcrPool
from .domain.reading import UnreadableDocument
from .extract import finished, read_by_ocr, read_without_ocr


class Reader(DependencyProvider):
    def setup(self):
        self.one_at_a_time = Semaphore(1)
        self.pool = OcrPool().start()

    def stop(self):
        self.pool.close()

    def kill(self):
        self.pool.close()

    def read(self, content: bytes, filename: str):
        started = time.perf_counter()
        try:
            with self.one_at_a_time:
                reading = tpool.execute(read_without_ocr, content)
            if reading is None:
                reading = read_by_ocr(content, filename, self.pool.read_document)
            reading = finished(reading, started)
        except UnreadableDocument:
            metrics.DOCUMENTS_READ.labels("unreadable").inc()
            raise
        metrics.DOCUMENTS_READ.labels(reading.kind).inc()
        metrics.PAGES_READ.labels(reading.kind).inc(max(reading.page_count, 1))
        metrics.READ_SECONDS.labels(reading.kind).observe(reading.seconds)
        return reading

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
