"""ocr's use cases."""
from collections.abc import Callable

from jefacture.envelope import new_envelope, payload_of, to_wire
from jefacture.events.v1 import invoice_pb2 as ev
from jefacture.events.v1.envelope_pb2 import Envelope

from .domain.reading import Reading, UnreadableDocument

PRODUCER = "ocr"
UNREADABLE = "unreadable"


def invoice_extracted(reference: ev.InvoiceRef, reading: Reading | None, failure_reason: str = "") -> dict:
    if reading is None:
        payload = ev.InvoiceExtracted(invoice=reference, kind=UNREADABLE, failure_reason=failure_reason)
    else:
        payload = ev.InvoiceExtracted(
            invoice=reference, kind=reading.kind, page_count=reading.page_count, text_chars=reading.text_chars,
            findings=list(reading.findings), document_type=reading.document_type,
            fields=[ev.ExtractedField(name=name, value=found.value, confidence=found.confidence,
                                      page=found.page or 0, box=found.box.as_list() if found.box else [])
                    for name, found in sorted(reading.fields.items())],
            vat_breakdown=[ev.VatLine(rate=line.rate, base=line.base, tax=line.tax)
                           for line in reading.vat_breakdown])
    return to_wire(new_envelope(payload, correlation_id=reference.document_id, producer=PRODUCER))


def extract_invoice(envelope: Envelope, *, extractions, blobs, read: Callable[[bytes, str], Reading]) -> None:
    """Read the original once; an unreadable document is announced with its reason, never dropped."""
    received: ev.InvoiceReceived = payload_of(envelope)
    document_id = received.invoice.document_id
    if extractions.exists(document_id):
        return
    try:
        reading, failure = read(blobs.get(received.sha256), received.filename or "document"), ""
    except UnreadableDocument as error:
        reading, failure = None, str(error)
    extractions.add(document_id, received.invoice.dossier_id, reading, failure,
                    [invoice_extracted(received.invoice, reading, failure)])
