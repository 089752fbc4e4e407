import pytest

from jefacture.envelope import from_wire, payload_of
from jefacture.samples import invoice_pdf, sample_invoices
from jefacture_ingest.domain.intake import AlreadyReceived, DocumentRefused, Upload
from jefacture_ingest.handlers import receive_document


class FakeDocuments:
    def __init__(self):
        self.stored = {}

    def find_by_hash(self, dossier_id, sha256):
        return next((doc for doc, _ in self.stored.values()
                     if doc.dossier_id == dossier_id and doc.sha256 == sha256), None)

    def add(self, document, events):
        if self.find_by_hash(document.dossier_id, document.sha256):
            raise AlreadyReceived(self.find_by_hash(document.dossier_id, document.sha256).document_id)
        self.stored[document.document_id] = (document, events)


class FakeBlobs:
    def __init__(self):
        self.blobs = []

    def put(self, content):
        self.blobs.append(content)


PDF = invoice_pdf(sample_invoices(1)[0])


def upload(content=PDF, dossier="d1", direction="purchase", filename="f.pdf", customer_email=""):
    return Upload(dossier_id=dossier, direction=direction, source="upload", filename=filename, content=content,
                  customer_email=customer_email)


def test_a_new_pdf_is_stored_with_its_invoice_received_event():
    documents, blobs = FakeDocuments(), FakeBlobs()
    receipt = receive_document(upload(), documents=documents, blobs=blobs, max_bytes=10_000)
    assert not receipt.duplicate
    document, events = documents.stored[receipt.document_id]
    assert blobs.blobs == [PDF]
    envelope = from_wire(events[0])
    assert envelope.type == "InvoiceReceived" and envelope.correlation_id == receipt.document_id
    received = payload_of(envelope)
    assert received.sha256 == receipt.sha256 == document.sha256
    assert received.invoice.dossier_id == "d1" and received.size_bytes == len(PDF)


def test_the_same_bytes_for_the_same_dossier_are_a_duplicate():
    documents, blobs = FakeDocuments(), FakeBlobs()
    first = receive_document(upload(), documents=documents, blobs=blobs, max_bytes=10_000)
    second = receive_document(upload(filename="again.pdf"), documents=documents, blobs=blobs, max_bytes=10_000)
    assert second.duplicate and second.document_id == first.document_id
    assert len(documents.stored) == 1


def test_the_same_bytes_for_another_dossier_are_a_new_document():
    documents, blobs = FakeDocuments(), FakeBlobs()
    first = receive_document(upload(dossier="d1"), documents=documents, blobs=blobs, max_bytes=10_000)
    other = receive_document(upload(dossier="d2"), documents=documents, blobs=blobs, max_bytes=10_000)
    assert not other.duplicate and other.document_id != first.document_id


@pytest.mark.parametrize("content, direction, max_bytes, reason", [
    (b"", "purchase", 10_000, "is empty"),
    (b"GIF89a not a pdf", "purchase", 10_000, "is not a PDF, a JPEG"),
    (PDF, "purchase", 100, "over the limit"),
    (PDF, "sideways", 10_000, "direction must be"),
])
def test_refused_documents_say_why_and_store_nothing(content, direction, max_bytes, reason):
    documents, blobs = FakeDocuments(), FakeBlobs()
    with pytest.raises(DocumentRefused, match=reason):
        receive_document(upload(content=content, direction=direction), documents=documents, blobs=blobs,
                         max_bytes=max_bytes)
    assert documents.stored == {} and blobs.blobs == []


def test_a_sales_invoice_carries_its_customer_e_mail_into_invoice_received():
    documents, blobs = FakeDocuments(), FakeBlobs()
    receipt = receive_document(upload(direction="sale", customer_email="compta@client.example"),
                               documents=documents, blobs=blobs, max_bytes=10_000)
    document, events = documents.stored[receipt.document_id]
    assert document.customer_email == "compta@client.example"
    assert payload_of(from_wire(events[0])).customer_email == "compta@client.example"


def test_a_customer_e_mail_with_a_purchase_invoice_is_refused():
    documents, blobs = FakeDocuments(), FakeBlobs()
    with pytest.raises(DocumentRefused, match="a customer e-mail goes only with a sales invoice"):
        receive_document(upload(customer_email="compta@client.example"), documents=documents, blobs=blobs,
                         max_bytes=10_000)
    assert documents.stored == {} and blobs.blobs == []


@pytest.mark.parametrize("content, media_type", [
    (b"%PDF-1.7 ...", "application/pdf"),
    (b"\xff\xd8\xff\xe0 photo", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n scan", "image/png"),
    (b"\x00\x00\x00\x18ftypheic\x00\x00", "image/heic"),
    (b"\xef\xbb\xbf<?xml version='1.0'?><rsm:CrossIndustryInvoice/>", "application/xml"),
    (b"  <Invoice xmlns='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'/>", "application/xml"),
])
def test_pdfs_photos_and_e_invoice_xml_are_taken_in_by_their_bytes(content, media_type):
    documents, blobs = FakeDocuments(), FakeBlobs()
    receipt = receive_document(upload(content=content, filename="whatever.bin"), documents=documents, blobs=blobs,
                               max_bytes=10_000)
    assert documents.stored[receipt.document_id][0].media_type == media_type
