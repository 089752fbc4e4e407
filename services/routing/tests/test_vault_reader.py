"""routing's reader of the seal-vault, against the real seal-vault (with the local TSA) over gRPC: the sealed PDF and
the original of an archived invoice, and clear errors before it is archived, for a non-PDF, and with the vault down."""
import hashlib

import pytest

from jefacture.blobs import FileBlobStore
from jefacture.envelope import new_envelope, to_wire
from jefacture.events.v1 import invoice_pb2 as ev
from jefacture.messaging import Publisher
from jefacture.samples import invoice_pdf, sample_invoices
from jefacture.simulators.kit import free_port
from jefacture.testing import wait_for
from jefacture_routing.adapters.vault import NoSealedPdf, NotArchived, VaultReader, VaultUnavailable

pytestmark = pytest.mark.service
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64  # a scan's first bytes: sealed with a detached signature


def archive(platform, platform_env, content: bytes, document_id: str, media_type: str) -> None:
    """What ingest does for an upload: the blob stored, then InvoiceReceived; the seal-vault takes it from there."""
    FileBlobStore(platform.var_dir / "blobs").put(content)
    payload = ev.InvoiceReceived(
        invoice=ev.InvoiceRef(document_id=document_id, dossier_id="dossier-1", direction=ev.SALE),
        source=ev.UPLOAD, sha256=hashlib.sha256(content).hexdigest(), filename="facture",
        media_type=media_type, size_bytes=len(content))
    payload.received_at.GetCurrentTime()
    Publisher(platform_env["AMQP_URI"]).publish_event(
        to_wire(new_envelope(payload, correlation_id=document_id, producer="ingest")))


def once_archived(read):
    def attempt():
        try:
            return read()
        except NotArchived:
            return None
    return wait_for(attempt, timeout=60, what="the document to be archived")


@pytest.fixture
def vault(platform, platform_env):
    platform.start(["tsa", "seal-vault", "seal-vault-grpc"])
    reader = VaultReader(platform_env["SEAL_VAULT_GRPC"], timeout=10)
    yield reader
    reader.close()


def test_the_sealed_pdf_and_the_original_of_an_archived_invoice(vault, platform, platform_env):
    pdf = invoice_pdf(sample_invoices(1)[0])
    with pytest.raises(NotArchived, match="the sealed file of document 'doc-1' is not in the seal-vault"):
        vault.sealed_pdf("doc-1")

    archive(platform, platform_env, pdf, "doc-1", "application/pdf")
    sealed = once_archived(lambda: vault.sealed_pdf("doc-1"))

    assert sealed.startswith(b"%PDF-") and sealed[:len(pdf)] == pdf  # an incremental update: the original, then seal
    assert b"/ByteRange" in sealed[len(pdf):]
    assert vault.original("doc-1") == (pdf, "doc-1.pdf")


def test_a_document_sealed_with_a_detached_signature_has_no_sealed_pdf(vault, platform, platform_env):
    archive(platform, platform_env, PNG, "scan-1", "image/png")
    content, filename = once_archived(lambda: vault.original("scan-1"))
    assert content == PNG

    with pytest.raises(NoSealedPdf, match="document 'scan-1' has no sealed PDF: its original is not a PDF"):
        vault.sealed_pdf("scan-1")


def test_a_vault_that_does_not_answer_is_unavailable():
    reader = VaultReader(f"127.0.0.1:{free_port()}", timeout=2)

    with pytest.raises(VaultUnavailable, match="the seal-vault did not answer for the sealed file of document 'x'"):
        reader.sealed_pdf("x")
    reader.close()
