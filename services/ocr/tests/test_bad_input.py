"""Bad input through the running ocr service (real RabbitMQ, FerretDB, OCR worker processes): every document gets an
InvoiceExtracted with a clear failure reason, the worker survives, and the original stays stored."""
import io

import numpy as np
import pytest
from PIL import Image
from reportlab.lib.pdfencrypt import StandardEncryption

from jefacture.blobs import FileBlobStore
from jefacture.envelope import new_envelope, to_wire
from jefacture.events.v1 import invoice_pb2 as ev
from jefacture.messaging import Publisher
from jefacture.samples import invoice_pdf, sample_invoices
from jefacture_ocr.tests.test_images import encoded, pdf_with_pages, png_announcing

pytestmark = pytest.mark.service
PDF = invoice_pdf(sample_invoices(1)[0])


def not_an_invoice() -> bytes:
    """A holiday photo: sky, sea and sand, no text."""
    rng = np.random.default_rng(7)
    picture = np.zeros((1200, 1600, 3), np.uint8)
    picture[:500] = (110, 170, 230)
    picture[500:800] = (20, 90, 150)
    picture[800:] = (220, 200, 150)
    noisy = np.clip(picture + rng.normal(0, 12, picture.shape), 0, 255).astype(np.uint8)
    return encoded(Image.fromarray(noisy), "JPEG", quality=80)


def encrypted(user_password: str) -> bytes:
    buffer = io.BytesIO()
    from reportlab.pdfgen import canvas

    document = canvas.Canvas(buffer, encrypt=StandardEncryption(user_password, ownerPassword="owner", canPrint=0))
    for line, text in enumerate(["FACTURE N° F-2026-0042", "Date : 12/03/2026", "SIREN 552 100 554",
                                 "Total HT 100,00 €", "TVA 20 % 20,00 €", "Total TTC 120,00 €"]):
        document.drawString(72, 760 - 18 * line, text)
    document.save()
    return buffer.getvalue()


XXE = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/hostname">]>'
       b'<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100">'
       b'&x;</rsm:CrossIndustryInvoice>')
BAD = {
    "locked.pdf": (encrypted("secret"), "protected by a password"),
    "truncated.pdf": (PDF[: len(PDF) // 2], "PDF"),
    "empty.pdf": (b"", "empty"),
    "long.pdf": (pdf_with_pages(500), "500 pages"),
    "holiday.jpg": (not_an_invoice(), "does not look like an invoice"),
    "huge.png": (png_announcing(20000, 20000), "too large"),
    "bomb.png": (encoded(Image.new("1", (20000, 20000)), "PNG"), "too large"),
    "broken.xml": (b"<?xml version='1.0'?><rsm:CrossIndustryInvoice><unclosed>", "malformed XML"),
    "xxe.xml": (XXE, "entit"),
}


def received(document_id: str, sha256: str, filename: str) -> dict:
    payload = ev.InvoiceReceived(invoice=ev.InvoiceRef(document_id=document_id, dossier_id="d1",
                                                       direction=ev.PURCHASE), sha256=sha256, filename=filename)
    return to_wire(new_envelope(payload, correlation_id=document_id, producer="ingest"))


def test_bad_documents_are_announced_with_a_reason_and_kept(platform, platform_env, capture):
    extracted = capture(("ocr", "InvoiceExtracted"))
    blobs = FileBlobStore(platform.var_dir / "blobs")
    stored = {name: blobs.put(content) for name, (content, _) in BAD.items()}
    stored["owner-only.pdf"] = blobs.put(encrypted(""))
    platform.start(["ocr"])
    pid = platform.pid("ocr")
    publisher = Publisher(platform_env["AMQP_URI"])
    for name, sha256 in stored.items():
        publisher.publish_event(received(name, sha256, name))

    events = {e["correlation_id"]: e["invoice_extracted"]
              for e in extracted.wait_for(lambda e: True, count=len(stored), timeout=240)}
    for name, (_, reason) in BAD.items():
        assert events[name]["kind"] == "unreadable", (name, events[name])
        assert reason in events[name]["failure_reason"], (name, events[name]["failure_reason"])
        assert "\n" not in events[name]["failure_reason"]
        assert blobs.get(stored[name]) == BAD[name][0]
    assert "etc/hostname" not in str(events["xxe.xml"])
    readable = {field["name"]: field["value"] for field in events["owner-only.pdf"]["fields"]}
    assert readable["invoice_number"] == "F-2026-0042" and readable["total_incl_tax"] == "120.00"
    assert platform.pid("ocr") == pid
