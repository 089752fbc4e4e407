"""seal-vault's use cases: seal each received original, archive it in the vault, announce it once."""
from collections.abc import Callable
from datetime import datetime, timezone

from jefacture.envelope import new_envelope, payload_of, to_wire
from jefacture.events.v1 import invoice_pb2 as ev
from jefacture.events.v1.envelope_pb2 import Envelope

from .domain.retention import AlreadyArchived
from .domain.seal import PADES_B_T, SealOutcome

PRODUCER = "seal-vault"
PADES_B_LTA = "PAdES-B-LTA"


def invoice_sealed(reference: ev.InvoiceRef, sealed_sha256: str, seal_format: str, timestamped_at: datetime,
                   findings: tuple[str, ...]) -> dict:
    payload = ev.InvoiceSealed(invoice=reference, sealed_sha256=sealed_sha256, seal_format=seal_format,
                               findings=list(findings))
    payload.sealed_at.FromDatetime(timestamped_at)
    return to_wire(new_envelope(payload, correlation_id=reference.document_id, producer=PRODUCER))


def seal_received_invoice(envelope: Envelope, *, vault, blobs, seal: Callable[[bytes, str], SealOutcome],
                          archive_copy: Callable[[bytes], bytes],
                          now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
    """Seal the original at take-in-charge, keep every file in the vault, announce it once.

    A PDF gets a PAdES B-T seal, kept as its B-LTA archive copy; anything else (or a PDF that cannot carry a
    seal) keeps its bytes and gets a detached CAdES-T signature, with a finding. A missing original or an
    unreachable TSA raises, and the event is tried again.
    """
    received: ev.InvoiceReceived = payload_of(envelope)
    reference = received.invoice
    if vault.get(reference.document_id):
        vault.finish_archive(reference.document_id)  # in case a crash came between the record and its ledger entry
        return
    original = blobs.get(received.sha256)
    outcome = seal(original, received.media_type)
    kept = archive_copy(outcome.sealed) if outcome.seal_format == PADES_B_T else outcome.sealed
    sealed_sha256 = blobs.put(kept)
    seal_format = PADES_B_LTA if outcome.seal_format == PADES_B_T else outcome.seal_format
    event = invoice_sealed(reference, sealed_sha256, seal_format, outcome.timestamped_at, outcome.findings)
    try:
        vault.archive(
            document_id=reference.document_id, dossier_id=reference.dossier_id,
            direction=ev.Direction.Name(reference.direction).lower(), original_sha256=received.sha256,
            received_at=received.received_at.ToDatetime(tzinfo=timezone.utc), sealed_sha256=sealed_sha256,
            seal_format=seal_format, sealed_at=now(), timestamp_token_sha256=blobs.put(outcome.timestamp_token),
            timestamp_time=outcome.timestamped_at, media_type=received.media_type or "application/octet-stream",
            events=[event])
    except AlreadyArchived:
        pass  # a concurrent delivery archived it first; its event stands
