"""ingest's use cases: one function per command, dependencies passed in."""
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

from jefacture.envelope import new_envelope, to_wire
from jefacture.events.v1 import invoice_pb2 as ev

from .domain.intake import AlreadyReceived, ReceivedDocument, Upload, check, sha256_of

PRODUCER = "ingest"


@dataclass(frozen=True)
class Receipt:
    document_id: str
    sha256: str
    duplicate: bool


def invoice_received(document: ReceivedDocument) -> dict:
    payload = ev.InvoiceReceived(
        invoice=ev.InvoiceRef(document_id=document.document_id, dossier_id=document.dossier_id,
                              direction=ev.Direction.Value(document.direction.upper())),
        source=ev.Source.Value(document.source.upper()), sha256=document.sha256, filename=document.filename,
        media_type=document.media_type, size_bytes=document.size_bytes, customer_email=document.customer_email)
    payload.received_at.FromDatetime(document.received_at)
    return to_wire(new_envelope(payload, correlation_id=document.document_id, producer=PRODUCER))


def receive_document(upload: Upload, *, documents, blobs, max_bytes: int) -> Receipt:
    """Keep the original and announce it once; the same bytes for the same dossier are a duplicate."""
    media_type = check(upload, max_bytes)
    sha256 = sha256_of(upload.content)
    existing = documents.find_by_hash(upload.dossier_id, sha256)
    if existing:
        return Receipt(existing.document_id, sha256, duplicate=True)
    blobs.put(upload.content)
    document = ReceivedDocument(
        document_id=str(uuid.uuid4()), dossier_id=upload.dossier_id, direction=upload.direction,
        source=upload.source, filename=upload.filename, media_type=media_type, sha256=sha256,
        size_bytes=len(upload.content), received_at=datetime.now(timezone.utc), customer_email=upload.customer_email)
    try:
        documents.add(document, [invoice_received(document)])
    except AlreadyReceived as twin:
        return Receipt(twin.document_id, sha256, duplicate=True)
    return Receipt(document.document_id, sha256, duplicate=False)
