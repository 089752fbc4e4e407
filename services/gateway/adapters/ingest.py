"""Client of the ingest service: documents streamed in 1 MiB chunks."""
from collections.abc import Iterator

import grpc

from jefacture.api.v1 import ingest_pb2, ingest_pb2_grpc
from jefacture.events.v1 import invoice_pb2 as ev

from ..domain.errors import DocumentRefused, TooLarge, UnsupportedMediaType
from ..schemas import UploadReceipt
from .grpc_errors import translate

CHUNK_BYTES = 1024 * 1024


class IngestClient:
    def __init__(self, channel: grpc.Channel, timeout: float):
        self.stub = ingest_pb2_grpc.IngestStub(channel)
        self.timeout = timeout

    def upload(self, dossier_id: str, direction: str, filename: str, media_type: str,
               content: bytes | bytearray, customer_email: str = "") -> UploadReceipt:
        metadata = ingest_pb2.UploadMetadata(dossier_id=dossier_id, direction=ev.Direction.Value(direction.upper()),
                                             source=ev.UPLOAD, filename=filename, media_type=media_type,
                                             customer_email=customer_email)

        def chunks() -> Iterator[ingest_pb2.UploadChunk]:
            yield ingest_pb2.UploadChunk(metadata=metadata)
            view = memoryview(content)
            for start in range(0, len(view), CHUNK_BYTES):
                yield ingest_pb2.UploadChunk(content=bytes(view[start:start + CHUNK_BYTES]))

        try:
            reply = self.stub.Upload(chunks(), timeout=self.timeout)
        except grpc.RpcError as error:
            if error.code() == grpc.StatusCode.INVALID_ARGUMENT:
                raise _refusal(error.details() or "") from None
            raise translate("ingest", error) from None
        return UploadReceipt(document_id=reply.document_id, sha256=reply.sha256, duplicate=reply.duplicate)


def _refusal(details: str) -> Exception:
    if "is not a PDF" in details:
        return UnsupportedMediaType(details)
    if "over the limit" in details:
        return TooLarge(details)
    return DocumentRefused(details)
