"""ocr on real RabbitMQ and FerretDB."""
import re

import httpx
import kombu
import pytest

from jefacture.blobs import FileBlobStore
from jefacture.envelope import new_envelope, to_wire
from jefacture.events.v1 import invoice_pb2 as ev
from jefacture.messaging import DEAD_LETTER_QUEUE, Publisher
from jefacture.samples import invoice_pdf, sample_invoices
from jefacture.testing import wait_for

pytestmark = pytest.mark.service


def invoice_received(document_id: str, sha256: str) -> dict:
    payload = ev.InvoiceReceived(invoice=ev.InvoiceRef(document_id=document_id, dossier_id="d1",
                                                       direction=ev.PURCHASE), sha256=sha256)
    return to_wire(new_envelope(payload, correlation_id=document_id, producer="ingest"))


def test_a_received_pdf_is_extracted_once_even_if_announced_twice(platform, platform_env, capture):
    extracted = capture(("ocr", "InvoiceExtracted"))
    sha256 = FileBlobStore(platform.var_dir / "blobs").put(invoice_pdf(sample_invoices(1)[0]))
    platform.start(["ocr"])
    publisher = Publisher(platform_env["AMQP_URI"])
    wire = invoice_received("doc-1", sha256)
    publisher.publish_event(wire)
    publisher.publish_event(wire)
    publisher.publish_event(invoice_received("doc-1", sha256))  # same document, new event id

    events = extracted.wait_for(lambda e: e["correlation_id"] == "doc-1")
    assert events[0]["invoice_extracted"]["kind"] == "pdf_text"
    assert events[0]["invoice_extracted"]["page_count"] == 1
    publisher.publish_event(invoice_received("doc-2", sha256))
    extracted.wait_for(lambda e: e["correlation_id"] == "doc-2")
    assert [e["correlation_id"] for e in extracted.drain()] == ["doc-1", "doc-2"]
    metrics = httpx.get(f"http://{platform_env['OCR_HTTP_ADDRESS']}/metrics").text
    pages = re.search(r'^jefacture_pages_read_total\{kind="pdf_text"\} ([0-9.]+)$', metrics, re.M)
    assert pages and float(pages.group(1)) >= 2  # copies delivered at the same instant may both be read


def test_an_event_whose_document_is_missing_goes_to_the_dead_letter_queue(platform, platform_env, amqp_uri):
    platform.start(["ocr"])
    Publisher(platform_env["AMQP_URI"]).publish_event(invoice_received("doc-lost", "f" * 64))
    with kombu.Connection(amqp_uri) as connection:
        queue = DEAD_LETTER_QUEUE.bind(connection.channel())
        queue.declare()

        def dead_letter():
            message = queue.get(no_ack=True)
            letter = message and message.decode()
            return letter if letter and letter["event"]["correlation_id"] == "doc-lost" else None

        letter = wait_for(dead_letter, timeout=30, what="a dead letter")
    assert letter["service"] == "ocr" and letter["attempts"] == 3
    assert "BlobNotFound" in letter["reason"] and letter["event"]["correlation_id"] == "doc-lost"


def test_many_documents_at_once_are_all_read_and_the_worker_survives(platform, platform_env, capture):
    extracted = capture(("ocr", "InvoiceExtracted"))
    blobs = FileBlobStore(platform.var_dir / "blobs")
    hashes = [blobs.put(invoice_pdf(invoice)) for invoice in sample_invoices(12)]
    platform.start(["ocr"])
    publisher = Publisher(platform_env["AMQP_URI"])
    for i, sha256 in enumerate(hashes):
        publisher.publish_event(invoice_received(f"doc-{i}", sha256))

    events = extracted.wait_for(lambda e: True, count=12, timeout=60)
    assert sorted(e["correlation_id"] for e in events) == sorted(f"doc-{i}" for i in range(12))
    assert platform.pid("ocr") is not None
