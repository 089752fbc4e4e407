"""ocr's use cases."""
from collections.abc import Callable

from jefacture.envelope import new_envelope, payload_of, to_wire
from jefacture.events.v1 import invoice_pb2 as ev
from jefacture.events.v1.envelope_pb2 import Envelope

from .domain.extraction import Extraction, UnreadableDocument

PRODUCER = "ocr"


def invoice_extracted(reference: ev.InvoiceRef, extraction: Extraction) -> dict:
    payload = ev.InvoiceExtracted(
        invoice=reference, kind=extraction.kind, page_count=extraction.page_count,
        text_chars=extraction.text_chars, findings=list(extraction.findings),
        failure_reason=extraction.failure_reason,
        fields=[ev.ExtractedField(name=name, value=value) for name, value in sorted(extraction.fields.items())])
    return to_wire(new_envelope(payload, correlation_id=reference.document_id, producer=PRODUCER))


def extract_invoice(envelope: Envelope, *, extractions, blobs, read: Callable[[bytes], Extraction]) -> None:
    """Read the original once; an unreadable document is announced with its reason, never dropped."""
    received: ev.InvoiceReceived = payload_of(envelope)
    document_id = received.invoice.document_id
    if extractions.exists(document_id):
        return
    try:
        extraction = read(blobs.get(received.sha256))
    except UnreadableDocument as error:
        extraction = Extraction(kind="unreadable", failure_reason=str(error))
    extractions.add(document_id, received.invoice.dossier_id, extraction,
                    [invoice_extracted(received.invoice, extraction)])
