"""Reading archived files back from the seal-vault over its gRPC API (ReadFile: the whole file in one answer)."""
import grpc

from jefacture import grpc_kit
from jefacture.api.v1 import vault_pb2, vault_pb2_grpc

SEALED_PDF = "application/pdf"


class VaultError(Exception):
    """The file could not be read from the seal-vault; the message says which and why."""


class NotArchived(VaultError):
    """The seal-vault has no such document: not archived yet (sealing follows the upload), or deleted."""


class NoSealedPdf(VaultError):
    """The document is archived but sealed as a detached CAdES signature: its original is not a PDF."""


class VaultUnavailable(VaultError):
    """The seal-vault did not answer; a retry later may succeed."""


class VaultReader:
    def __init__(self, address: str, timeout: float):
        self._channel = grpc_kit.channel(address)
        self._stub = vault_pb2_grpc.VaultStub(self._channel)
        self._timeout = timeout

    def sealed_pdf(self, document_id: str) -> bytes:
        """The sealed PDF (PAdES) of an archived PDF invoice."""
        content, filename, media_type = self._file(document_id, vault_pb2.SEALED)
        if media_type != SEALED_PDF:
            raise NoSealedPdf(f"document {document_id!r} has no sealed PDF: its original is not a PDF, so it is "
                              f"sealed as a detached signature ({filename}, {media_type})")
        return content

    def original(self, document_id: str) -> tuple[bytes, str]:
        """The bytes received, unchanged, and their file name in the vault."""
        content, filename, _ = self._file(document_id, vault_pb2.ORIGINAL)
        return content, filename

    def close(self) -> None:
        self._channel.close()

    def _file(self, document_id: str, kind: int) -> tuple[bytes, str, str]:
        what = f"the {vault_pb2.FileKind.Name(kind).lower()} file of document {document_id!r}"
        request = vault_pb2.GetFileRequest(document_id=document_id, kind=kind)
        try:
            file = self._stub.ReadFile(request, timeout=self._timeout)  # unary: routing runs on eventlet
        except grpc.RpcError as error:
            raise _failure(what, error) from None
        return file.content, file.filename, file.media_type


def _failure(what: str, error: grpc.RpcError) -> VaultError:
    code, details = error.code(), error.details() or ""
    if code == grpc.StatusCode.NOT_FOUND:
        return NotArchived(f"{what} is not in the seal-vault (not archived yet, or deleted): {details}")
    if code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
        return VaultUnavailable(f"the seal-vault did not answer for {what} ({code.name}): {details}")
    return VaultError(f"the seal-vault could not give {what} ({code.name}): {details}")
