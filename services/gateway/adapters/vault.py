"""Client of the seal-vault: archived files streamed back, evidence bundles, a dossier's archive."""
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timezone

import grpc

from jefacture.api.v1 import vault_pb2, vault_pb2_grpc

from ..schemas import ArchivedFile, DossierFiles
from .grpc_errors import translate


@dataclass
class FileStream:
    filename: str
    media_type: str
    chunks: Iterator[bytes]


def _when(stamp) -> str | None:
    return stamp.ToDatetime(tzinfo=timezone.utc) if stamp.seconds else None


class VaultClient:
    def __init__(self, channel: grpc.Channel, timeout: float):
        self.stub = vault_pb2_grpc.VaultStub(channel)
        self.timeout = timeout

    def _stream(self, call) -> FileStream:
        """Waits for the first chunk, so that a missing document is an error before any byte is sent."""
        try:
            first = next(call)
        except grpc.RpcError as error:
            raise translate("seal-vault", error) from None

        def rest() -> Iterator[bytes]:
            yield first.content
            for chunk in call:
                yield chunk.content

        return FileStream(first.filename, first.media_type or "application/octet-stream", rest())

    def get_file(self, document_id: str, sealed: bool) -> FileStream:
        kind = vault_pb2.SEALED if sealed else vault_pb2.ORIGINAL
        return self._stream(self.stub.GetFile(vault_pb2.GetFileRequest(document_id=document_id, kind=kind),
                                              timeout=self.timeout))

    def export_evidence(self, document_id: str) -> FileStream:
        return self._stream(self.stub.ExportEvidence(vault_pb2.ExportEvidenceRequest(document_id=document_id),
                                                     timeout=self.timeout))

    def files_of_dossier(self, dossier_id: str) -> DossierFiles:
        try:
            reply = self.stub.ListDossierFiles(vault_pb2.ListDossierFilesRequest(dossier_id=dossier_id),
                                               timeout=self.timeout)
        except grpc.RpcError as error:
            raise translate("seal-vault", error) from None
        return DossierFiles(dossier_id=reply.dossier_id, files=[ArchivedFile(
            document_id=f.document_id, direction=f.direction, media_type=f.media_type, seal_format=f.seal_format,
            original_sha256=f.original_sha256, sealed_sha256=f.sealed_sha256 or None,
            archived_at=_when(f.archived_at), timestamp_time=_when(f.timestamp_time),
            retention_end=_when(f.retention_end), legal_hold=f.legal_hold, deleted=f.deleted) for f in reply.files])
