"""seal-vault on real RabbitMQ and FerretDB: InvoiceReceived in, a sealed copy and InvoiceSealed out."""
import hashlib

import httpx
import pymongo
import pytest

from jefacture.blobs import FileBlobStore
from jefacture.envelope import new_envelope, to_wire
from jefacture.events.v1 import invoice_pb2 as ev
from jefacture.messaging import Publisher
from jefacture.samples import invoice_pdf, sample_invoices
from jefacture.testing import wait_for
from jefacture_seal_vault.adapters.pades import validate_seal

pytestmark = pytest.mark.service


def invoice_received(content: bytes, document_id: str) -> dict:
    payload = ev.InvoiceReceived(
        invoice=ev.InvoiceRef(document_id=document_id, dossier_id="dossier-1", direction=ev.SALE),
        source=ev.UPLOAD, sha256=hashlib.sha256(content).hexdigest(), filename="facture.pdf",
        media_type="application/pdf", size_bytes=len(content))
    return to_wire(new_envelope(payload, correlation_id=document_id, producer="ingest"))


@pytest.fixture
def publish(platform_env):
    publisher = Publisher(platform_env["AMQP_URI"])
    yield publisher.publish_event
    publisher.close()


def deliveries_done(platform_env) -> float:
    """Deliveries of InvoiceReceived that seal-vault handled or skipped as already handled."""
    metrics = httpx.get(f"http://{platform_env['SEAL_VAULT_HTTP_ADDRESS']}/metrics").text
    counters = ("jefacture_events_consumed_total", "jefacture_events_duplicate_total")
    labels = '{service="seal-vault",type="InvoiceReceived"}'
    return sum(float(row.split()[-1]) for row in metrics.splitlines()
               if any(row.startswith(counter + labels) for counter in counters))


def test_a_received_invoice_is_sealed_once_and_announced_once(platform, platform_env, capture, publish):
    sealed_events = capture(("seal-vault", "InvoiceSealed"))
    blobs = FileBlobStore(platform.var_dir / "blobs")
    pdf = invoice_pdf(sample_invoices(1)[0])
    blobs.put(pdf)
    platform.start(["seal-vault"])
    wire = invoice_received(pdf, "doc-1")

    publish(wire)
    publish(wire)

    event = sealed_events.wait_for(lambda e: e["correlation_id"] == "doc-1")[0]["invoice_sealed"]
    assert event["seal_format"] == "PAdES-B-B" and "failure_reason" not in event
    sealed_copy = blobs.get(event["sealed_sha256"])
    assert sealed_copy.startswith(pdf) and blobs.get(hashlib.sha256(pdf).hexdigest()) == pdf
    status = validate_seal(sealed_copy, platform.var_dir / "pki" / "ca.cert.pem")
    assert status.intact and status.trusted and status.bottom_line
    wait_for(lambda: deliveries_done(platform_env) == 2, what="both deliveries to be handled")
    database = pymongo.MongoClient(platform_env["MONGO_URI"])[platform_env["MONGO_DB_PREFIX"] + "seal_vault"]
    wait_for(lambda: database["seals"].count_documents({"outbox.0": {"$exists": True}}) == 0,
             what="the outbox to be emptied")
    assert len(sealed_events.drain()) == 1
    assert [seal["sealed_sha256"] for seal in database["seals"].find()] == [event["sealed_sha256"]]


def test_invoices_received_together_are_all_sealed(platform, platform_env, capture, publish):
    sealed_events = capture(("seal-vault", "InvoiceSealed"))
    blobs = FileBlobStore(platform.var_dir / "blobs")
    pdfs = {f"doc-{i}": invoice_pdf(invoice) for i, invoice in enumerate(sample_invoices(8))}
    for pdf in pdfs.values():
        blobs.put(pdf)
    platform.start(["seal-vault"])

    for document_id, pdf in pdfs.items():
        publish(invoice_received(pdf, document_id))

    events = sealed_events.wait_for(lambda e: True, count=len(pdfs))
    assert {e["correlation_id"] for e in events} == set(pdfs)
    for event in events:
        sealed_copy = blobs.get(event["invoice_sealed"]["sealed_sha256"])
        assert sealed_copy.startswith(pdfs[event["correlation_id"]])
        assert validate_seal(sealed_copy, platform.var_dir / "pki" / "ca.cert.pem").bottom_line


def test_a_corrupt_pdf_is_announced_with_its_failure_reason(platform, capture, publish):
    sealed_events = capture(("seal-vault", "InvoiceSealed"))
    corrupt = invoice_pdf(sample_invoices(1)[0])[:900]
    FileBlobStore(platform.var_dir / "blobs").put(corrupt)
    platform.start(["seal-vault"])

    publish(invoice_received(corrupt, "doc-corrupt"))

    event = sealed_events.wait_for(lambda e: e["correlation_id"] == "doc-corrupt")[0]["invoice_sealed"]
    assert event["failure_reason"].startswith("the PDF could not be read: ")
    assert "sealed_sha256" not in event
