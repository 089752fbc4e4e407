import hashlib
import io

import pytest
from pyhanko.sign.validation.status import SignatureCoverageLevel
from reportlab.pdfgen import canvas

from jefacture.blobs import BlobNotFound
from jefacture.envelope import from_wire, new_envelope, payload_of, to_wire
from jefacture.events.v1 import invoice_pb2 as ev
from jefacture.samples import invoice_pdf, sample_invoices
from jefacture_seal_vault.adapters.pades import PadesSealer, validate_seal
from jefacture_seal_vault.adapters.pki import ensure_dev_pki
from jefacture_seal_vault.domain.seal import AlreadySealed
from jefacture_seal_vault.handlers import seal_received_invoice


class FakeSeals:
    def __init__(self):
        self.stored = {}

    def get(self, document_id):
        record, _ = self.stored.get(document_id, (None, None))
        return record

    def add(self, record, events):
        if record.document_id in self.stored:
            raise AlreadySealed(record.document_id)
        self.stored[record.document_id] = (record, events)


class FakeBlobs:
    def __init__(self, *contents):
        self.blobs = {}
        for content in contents:
            self.put(content)

    def put(self, content):
        sha256 = hashlib.sha256(content).hexdigest()
        self.blobs[sha256] = content
        return sha256

    def get(self, sha256):
        try:
            return self.blobs[sha256]
        except KeyError:
            raise BlobNotFound(sha256) from None


PDF = invoice_pdf(sample_invoices(1)[0])


def encrypted_pdf() -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, encrypt="secret")
    page.drawString(100, 700, "Facture")
    page.showPage()
    page.save()
    return buffer.getvalue()


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return ensure_dev_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def sealer(pki):
    return PadesSealer.from_files(pki)


def invoice_received(content: bytes, document_id="doc-1", media_type="application/pdf"):
    payload = ev.InvoiceReceived(
        invoice=ev.InvoiceRef(document_id=document_id, dossier_id="dossier-1", direction=ev.PURCHASE),
        source=ev.UPLOAD, sha256=hashlib.sha256(content).hexdigest(), filename="facture.pdf",
        media_type=media_type, size_bytes=len(content))
    return from_wire(to_wire(new_envelope(payload, correlation_id=document_id, producer="ingest")))


def sealed_event(seals, document_id="doc-1"):
    _, events = seals.stored[document_id]
    assert len(events) == 1
    envelope = from_wire(events[0])
    assert envelope.type == "InvoiceSealed" and envelope.producer == "seal-vault"
    assert envelope.correlation_id == document_id
    return payload_of(envelope)


def test_a_received_pdf_is_sealed_as_pades_and_the_seal_covers_the_whole_file(sealer, pki):
    seals, blobs = FakeSeals(), FakeBlobs(PDF)
    seal_received_invoice(invoice_received(PDF), seals=seals, blobs=blobs, seal=sealer.seal)

    sealed = sealed_event(seals)
    assert sealed.seal_format == "PAdES-B-B" and not sealed.failure_reason
    assert sealed.invoice.dossier_id == "dossier-1" and sealed.invoice.direction == ev.PURCHASE
    record, _ = seals.stored["doc-1"]
    assert record.sealed_sha256 == sealed.sealed_sha256 and record.sealed_at is not None
    sealed_copy = blobs.get(sealed.sealed_sha256)
    assert sealed_copy.startswith(PDF) and len(sealed_copy) > len(PDF)
    status = validate_seal(sealed_copy, pki.ca_file)
    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE


def test_the_original_is_left_as_it_was(sealer):
    seals, blobs = FakeSeals(), FakeBlobs(PDF)
    envelope = invoice_received(PDF)
    seal_received_invoice(envelope, seals=seals, blobs=blobs, seal=sealer.seal)
    assert blobs.get(payload_of(envelope).sha256) == PDF and len(blobs.blobs) == 2


def test_one_byte_changed_inside_the_sealed_range_breaks_the_seal(sealer, pki):
    sealed_copy = sealer.seal(PDF)
    tampered = sealed_copy.replace(b"(anonymous)", b"(anonymoux)", 1)
    assert len(tampered) == len(sealed_copy) and tampered != sealed_copy

    status = validate_seal(tampered, pki.ca_file)

    assert not status.intact and not status.bottom_line


@pytest.mark.parametrize("content, reason", [
    (PDF[:800], "the PDF could not be read: "),
    (b"%PDF-1.4\nthis is not a PDF body", "the PDF could not be read: "),
    (PDF.replace(b"/Pages 7 0 R", b"/Pagez 7 0 R"), "the PDF could not be sealed: "),
    (encrypted_pdf(), "the PDF is encrypted"),
])
def test_a_pdf_that_cannot_be_sealed_is_announced_with_the_reason_and_nothing_sealed(sealer, content, reason):
    seals, blobs = FakeSeals(), FakeBlobs(content)
    seal_received_invoice(invoice_received(content), seals=seals, blobs=blobs, seal=sealer.seal)

    sealed = sealed_event(seals)
    assert sealed.failure_reason.startswith(reason)
    assert not sealed.sealed_sha256 and not sealed.seal_format
    assert list(blobs.blobs.values()) == [content]


def test_a_document_that_is_not_a_pdf_is_announced_as_not_sealable(sealer):
    seals, blobs = FakeSeals(), FakeBlobs(b"\xff\xd8\xff photo")
    seal_received_invoice(invoice_received(b"\xff\xd8\xff photo", media_type="image/jpeg"),
                          seals=seals, blobs=blobs, seal=sealer.seal)
    assert sealed_event(seals).failure_reason == "only PDF documents can be sealed, not image/jpeg"


def test_a_second_invoice_received_for_the_same_document_emits_nothing_new(sealer):
    seals, blobs, calls = FakeSeals(), FakeBlobs(PDF), []

    def counting_seal(pdf):
        calls.append(pdf)
        return sealer.seal(pdf)

    seal_received_invoice(invoice_received(PDF), seals=seals, blobs=blobs, seal=counting_seal)
    first = seals.stored["doc-1"]
    seal_received_invoice(invoice_received(PDF), seals=seals, blobs=blobs, seal=counting_seal)

    assert seals.stored == {"doc-1": first} and len(calls) == 1 and len(blobs.blobs) == 2


def test_a_missing_original_is_an_error_to_retry_not_a_seal_failure(sealer):
    seals = FakeSeals()
    with pytest.raises(BlobNotFound):
        seal_received_invoice(invoice_received(PDF), seals=seals, blobs=FakeBlobs(), seal=sealer.seal)
    assert seals.stored == {}
