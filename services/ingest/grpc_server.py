"""ingest's gRPC process: takes uploads in, stores them with their InvoiceReceived, publishes at once."""
import grpc

from jefacture import grpc_kit, mongo
from jefacture.api.v1 import ingest_pb2, ingest_pb2_grpc
from jefacture.blobs import FileBlobStore
from jefacture.events.v1 import invoice_pb2 as ev
from jefacture.log import get_logger
from jefacture.messaging import Publisher, flush_outbox
from jefacture.settings import load

from . import handlers
from .adapters.documents import DocumentRecord, MongoDocuments
from .domain.intake import DocumentRefused, Upload
from .settings import IngestSettings


class IngestServicer(ingest_pb2_grpc.IngestServicer):
    def __init__(self, settings: IngestSettings, publisher: Publisher):
        self.settings = settings
        self.publisher = publisher
        self.documents = MongoDocuments()
        self.blobs = FileBlobStore(settings.blobs_path)

    def Upload(self, request_iterator, context):
        first = next(request_iterator, None)
        if first is None or first.WhichOneof("part") != "metadata":
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "the first message of an upload must carry its metadata")
        metadata = first.metadata
        content = bytearray()
        for chunk in request_iterator:
            content += chunk.content
            if len(content) > self.settings.max_upload_bytes:
                context.abort(grpc.StatusCode.INVALID_ARGUMENT,
                              f"{metadata.filename!r} is over the limit of {self.settings.max_upload_bytes} bytes")
        upload = Upload(
            dossier_id=metadata.dossier_id, direction=ev.Direction.Name(metadata.direction).lower(),
            source=ev.Source.Name(metadata.source).lower(), filename=metadata.filename or "document",
            content=bytes(content), customer_email=metadata.customer_email.strip())
        try:
            receipt = handlers.receive_document(upload, documents=self.documents, blobs=self.blobs,
                                                max_bytes=self.settings.max_upload_bytes)
        except DocumentRefused as refused:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(refused))
        get_logger().info("document_received", document_id=receipt.document_id, duplicate=receipt.duplicate,
                          correlation_id=receipt.document_id, dossier_id=upload.dossier_id)
        self._publish_now(receipt.document_id)
        return ingest_pb2.UploadReply(document_id=receipt.document_id, duplicate=receipt.duplicate,
                                      sha256=receipt.sha256)

    def _publish_now(self, document_id: str) -> None:
        """Publishing may fail here; the event stays in the outbox and the service's relay sends it."""
        try:
            flush_outbox(DocumentRecord._get_collection(), self.publisher, document_id=document_id)
        except Exception as error:
            get_logger().warning("outbox_publish_deferred", reason=str(error))


def main() -> None:
    settings = load(IngestSettings)
    mongo.connect(settings, "ingest")
    DocumentRecord.ensure_indexes()  # before the first concurrent writes: FerretDB races lazy index creation
    publisher = Publisher(settings.amqp_uri)
    servicer = IngestServicer(settings, publisher)
    grpc_kit.serve("ingest-grpc", settings.ingest_grpc, settings.ingest_metrics_address,
                   lambda server: ingest_pb2_grpc.add_IngestServicer_to_server(servicer, server),
                   settings.log_level,
                   settings.grpc_listen_host)


if __name__ == "__main__":
    main()
