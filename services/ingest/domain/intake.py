"""Which documents are taken in, and what a received document is."""
import hashlib
from dataclasses import dataclass
from datetime import datetime

PDF_MAGIC = b"%PDF-"
# What is taken in, recognised by its first bytes: a PDF, a photo or scan, an e-invoice's XML (Factur-X, CII, UBL).
MAGIC = ((b"%PDF-", "application/pdf"), (b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"))
HEIF_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1")
TAKEN = "a PDF, a JPEG, PNG or HEIC image, or an e-invoice XML (Factur-X/CII/UBL)"


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
    customer_email: str = ""  # a sales invoice's customer, to send it to by e-mail


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
    customer_email: str = ""


def media_type_of(upload: Upload) -> str:
    """The media type read from the bytes, never trusted from the client."""
    content = upload.content
    if not content:
        raise DocumentRefused(f"{upload.filename!r} is empty")
    head = content.lstrip()[:1024]
    for magic, media_type in MAGIC:
        if head.startswith(magic):
            return media_type
    if content[4:8] == b"ftyp" and content[8:12] in HEIF_BRANDS:
        return "image/heic"
    if head.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<"):
        return "application/xml"
    raise DocumentRefused(f"{upload.filename!r} is not {TAKEN}")


def check(upload: Upload, max_bytes: int) -> str:
    if upload.direction not in ("purchase", "sale"):
        raise DocumentRefused(f"direction must be 'purchase' or 'sale', not {upload.direction!r}")
    if upload.customer_email and upload.direction != "sale":
        raise DocumentRefused("a customer e-mail goes only with a sales invoice (direction 'sale'): "
                              "a purchase invoice is not sent to a customer")
    if len(upload.content) > max_bytes:
        raise DocumentRefused(f"{upload.filename!r} is {len(upload.content)} bytes, over the limit of {max_bytes}")
    return media_type_of(upload)


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
