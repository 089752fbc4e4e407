from jefacture.envelope import from_wire, new_envelope, payload_of, to_wire
from jefacture.events.v1 import invoice_pb2 as ev
from jefacture.samples import invoice_pdf, sample_invoices
from jefacture_ocr.extract import extract
from jefacture_ocr.handlers import extract_invoice


class FakeExtractions:
    def __init__(self):
        self.stored = {}

    def exists(self, document_id):
        return document_id in self.stored

    def add(self, document_id, dossier_id, reading, failure_reason, events):
        self.stored[document_id] = (reading, events)


class FakeBlobs(dict):
    def get(self, sha256):
        return self[sha256]


def received(content_key="sha", document_id="doc-1"):
    payload = ev.InvoiceReceived(invoice=ev.InvoiceRef(document_id=document_id, dossier_id="d1",
                                                       direction=ev.PURCHASE), sha256=content_key)
    return from_wire(to_wire(new_envelope(payload, correlation_id=document_id, producer="ingest")))


def test_a_born_digital_pdf_is_read_from_its_text_layer():
    extractions, blobs = FakeExtractions(), FakeBlobs(sha=invoice_pdf(sample_invoices(1)[0]))
    extract_invoice(received(), extractions=extractions, blobs=blobs, read=extract)
    reading, events = extractions.stored["doc-1"]
    assert reading.kind == "pdf_text" and reading.page_count == 1 and reading.text_chars > 100
    extracted = payload_of(from_wire(events[0]))
    assert extracted.invoice.document_id == "doc-1" and extracted.failure_reason == ""
    fields = {field.name: field for field in extracted.fields}
    assert fields["total_incl_tax"].value == reading.value("total_incl_tax")
    assert fields["total_incl_tax"].page == 1 and len(fields["total_incl_tax"].box) == 4


def test_a_corrupt_pdf_is_announced_with_its_reason():
    extractions, blobs = FakeExtractions(), FakeBlobs(sha=b"%PDF-1.7\n garbage without xref")
    extract_invoice(received(), extractions=extractions, blobs=blobs, read=extract)
    extracted = payload_of(from_wire(extractions.stored["doc-1"][1][0]))
    assert extracted.kind == "unreadable" and "not a readable PDF" in extracted.failure_reason


def test_a_document_already_read_is_not_read_again():
    extractions, blobs = FakeExtractions(), FakeBlobs(sha=invoice_pdf(sample_invoices(1)[0]))
    extract_invoice(received(), extractions=extractions, blobs=blobs, read=extract)
    first = extractions.stored["doc-1"]
    extract_invoice(received(), extractions=extractions, blobs=blobs, read=extract)
    assert extractions.stored["doc-1"] is first
