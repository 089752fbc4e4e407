"""ocr's nameko entrypoints; reading runs in a thread pool, off the eventlet hub."""
from eventlet import tpool
from nameko.events import event_handler

from jefacture.service_kit import ObservableService, Platform

from . import handlers
from .adapters.extractions import MongoExtractions
from .adapters.pdf_text import read_pdf_text


def read_off_hub(content: bytes):
    return tpool.execute(read_pdf_text, content)


class OcrService(ObservableService):
    name = "ocr"
    platform = Platform(outbox_collections=("extractions",))

    @event_handler("ingest", "InvoiceReceived", requeue_on_error=True)
    def on_invoice_received(self, wire):
        self.platform.consume(wire, lambda envelope: handlers.extract_invoice(
            envelope, extractions=MongoExtractions(), blobs=self.platform.blobs, read=read_off_hub))
