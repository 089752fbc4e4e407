"""seal-vault's use cases: one function per event, dependencies passed in."""
from collections.abc import Callable
from datetime import datetime, timezone

from jefacture.envelope import new_envelope, payload_of, to_wire
from jefacture.events.v1 import invoice_pb2 as ev
from jefacture.events.v1.envelope_pb2 import Envelope
from jefacture.log import get_logger

from .domain.seal import SEAL_FORMAT, AlreadySealed, SealRecord, SealRefused, check_sealable

PRODUCER = "seal-vault"


def invoice_sealed(record: SealRecord, invoice: ev.InvoiceRef) -> dict:
    payload = ev.InvoiceSealed(invoice=invoice, sealed_sha256=record.sealed_sha256 or "",
                               seal_format=record.seal_format or "", findings=record.findings,
                               failure_reason=record.failure_reason or "")
    if record.sealed_at:
        payload.sealed_at.FromDatetime(record.sealed_at)
    return to_wire(new_envelope(payload, correlation_id=record.document_id, producer=PRODUCER))


def seal_received_invoice(envelope: Envelope, *, seals, blobs, seal: Callable[[bytes], bytes],
                          now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
    """Seal the original once and announce the outcome; a document that cannot be sealed is announced too."""
    received: ev.InvoiceReceived = payload_of(envelope)
    document_id = received.invoice.document_id
    if seals.get(document_id):
        return
    try:
        check_sealable(received.media_type)
        sealed = seal(blobs.get(received.sha256))
    except SealRefused as refusal:
        get_logger().warning("seal_refused", document_id=document_id, reason=str(refusal))
        record = SealRecord(document_id=document_id, dossier_id=received.invoice.dossier_id,
                            original_sha256=received.sha256, sealed_sha256=None, seal_format=None,
                            sealed_at=None, failure_reason=str(refusal))
    else:
        record = SealRecord(document_id=document_id, dossier_id=received.invoice.dossier_id,
                            original_sha256=received.sha256, sealed_sha256=blobs.put(sealed),
                            seal_format=SEAL_FORMAT, sealed_at=now())
    try:
        seals.add(record, [invoice_sealed(record, received.invoice)])
    except AlreadySealed:
        pass  # a concurrent delivery of the same document stored its seal first; its event stands
