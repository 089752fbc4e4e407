"""ingest's nameko service: relays the InvoiceReceived events that the upload path could not publish."""
from jefacture.service_kit import ObservableService, Platform


class IngestService(ObservableService):
    name = "ingest"
    platform = Platform(outbox_collections=("received_documents",))
