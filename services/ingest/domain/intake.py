"""Which documents are taken in, and what a received document is."""
import hashlib
from dataclasses import dataclass
from datetime import datetime

PDF_MAGIC = b"%PDF-"


class DocumentRefused(ValueError):
    """The document cannot be taken in; the message says why, in words a user understands."""


class AlreadyReceived(Exception):
    """The same content was stored for the same dossier by a concurrent upload."""

    def __init__(self, document_id: str):
        super().__init__(document_id)
        self.document_id = document_id


@dataclass(frozen=True)
class Upload:
    dossier_id: str
    direction: str
    source: str
    filename: str
    content: bytes


@dataclass(frozen=True)
class ReceivedDocument:
    document_id: str
    dossier_id: str
    direction: str
    source: str
    filename: str
    media_type: str
    sha256: str
    size_bytes: int
    received_at: datetime


def media_type_of(upload: Upload) -> str:
    """Only PDF for now: the media type is read from the bytes, never trusted from the client."""
    if not upload.content:
        raise DocumentRefused(f"{upload.filename!r} is empty")
    if not upload.content.lstrip()[:1024].startswith(PDF_MAGIC):
        raise DocumentRefused(f"{upload.filename!r} is not a PDF (it does not start with %PDF-)")
    return "application/pdf"


def check(upload: Upload, max_bytes: int) -> str:
    if upload.direction not in ("purchase", "sale"):
        raise DocumentRefused(f"direction must be 'purchase' or 'sale', not {upload.direction!r}")
    if len(upload.content) > max_bytes:
        raise DocumentRefused(f"{upload.filename!r} is {len(upload.content)} bytes, over the limit of {max_bytes}")
    return media_type_of(upload)


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
