"""The take-in-charge use case with a real seal and TSA, and the vault and blob store as in-memory fakes."""
import hashlib

import pytest

from jefacture.blobs import BlobNotFound
from jefacture.envelope import from_wire, new_envelope, payload_of, to_wire
from jefacture.events.v1 import invoice_pb2 as ev
from jefacture.samples import invoice_pdf, sample_invoices
from jefacture_seal_vault.adapters.cades import verify_detached
from jefacture_seal_vault.adapters.sealing import Sealing
from jefacture_seal_vault.adapters.verification import pades_checks
from jefacture_seal_vault.domain.retention import AlreadyArchived
from jefacture_seal_vault.domain.seal import SealUnavailable
from jefacture_seal_vault.handlers import seal_received_invoice
from jefacture_seal_vault.settings import SealVaultSettings


class FakeVault:
    def __init__(self):
        self.archived = {}

    def get(self, document_id):
        return self.archived.get(document_id)

    def finish_archive(self, document_id):
        pass

    def archive(self, *, document_id, events, **fields):
        if document_id in self.archived:
            raise AlreadyArchived(document_id)
        self.archived[document_id] = {"events": events, **fields}


class FakeBlobs(dict):
    def put(self, content):
        digest = hashlib.sha256(content).hexdigest()
        self[digest] = content
        return digest

    def get(self, sha256):
        if sha256 not in self:
            raise BlobNotFound(sha256)
        return self[sha256]


def received(content, document_id="doc-1", media_type="application/pdf"):
    payload = ev.InvoiceReceived(invoice=ev.InvoiceRef(document_id=document_id, dossier_id="d1", direction=ev.SALE),
                                 sha256=hashlib.sha256(content).hexdigest(), media_type=media_type)
    payload.received_at.GetCurrentTime()
    return from_wire(to_wire(new_envelope(payload, correlation_id=document_id, producer="ingest")))


def take_in_charge(sealing, content, media_type="application/pdf", vault=None, blobs=None):
    vault, blobs = vault or FakeVault(), blobs if blobs is not None else FakeBlobs()
    blobs.put(content)
    seal_received_invoice(received(content, media_type=media_type), vault=vault, blobs=blobs, seal=sealing.seal,
                          archive_copy=sealing.archive_copy)
    return vault, blobs


def test_a_pdf_is_sealed_b_t_and_kept_as_its_b_lta_archive_copy(sealing, ca_file):
    pdf = invoice_pdf(sample_invoices(1)[0])
    vault, blobs = take_in_charge(sealing, pdf)
    archived = vault.archived["doc-1"]
    sealed = blobs[archived["sealed_sha256"]]
    assert archived["seal_format"] == "PAdES-B-LTA" and sealed.startswith(pdf)
    assert all(ok for ok, _ in pades_checks(sealed, [ca_file])), pades_checks(sealed, [ca_file])
    assert archived["timestamp_token_sha256"] in blobs and blobs[archived["original_sha256"]] == pdf
    event = payload_of(from_wire(archived["events"][0]))
    assert event.seal_format == "PAdES-B-LTA" and event.sealed_sha256 == archived["sealed_sha256"]
    assert event.sealed_at.ToDatetime() == archived["timestamp_time"].replace(tzinfo=None)


def test_an_xml_invoice_keeps_its_bytes_and_gets_a_detached_timestamped_seal(sealing, ca_file):
    xml = b"<?xml version='1.0'?><Invoice>1</Invoice>"
    vault, blobs = take_in_charge(sealing, xml, media_type="application/xml")
    archived = vault.archived["doc-1"]
    assert archived["seal_format"] == "CAdES-T-detached" and blobs[archived["original_sha256"]] == xml
    status = verify_detached(xml, blobs[archived["sealed_sha256"]], ca_file)
    assert status.bottom_line and status.timestamp_validity.valid
    assert "not a PDF" in payload_of(from_wire(archived["events"][0])).findings[0]


def test_a_document_already_archived_is_not_sealed_again(sealing):
    pdf = invoice_pdf(sample_invoices(2)[1])
    vault, blobs = take_in_charge(sealing, pdf)
    first = vault.archived["doc-1"]
    take_in_charge(sealing, pdf, vault=vault, blobs=blobs)
    assert vault.archived["doc-1"] is first


def test_a_missing_original_is_an_error_to_retry(sealing):
    with pytest.raises(BlobNotFound):
        seal_received_invoice(received(b"%PDF-1.7 lost"), vault=FakeVault(), blobs=FakeBlobs(), seal=sealing.seal,
                              archive_copy=sealing.archive_copy)


def test_an_unreachable_tsa_is_an_error_to_retry_and_nothing_is_archived(seal_var_dir):
    sealing = Sealing.from_settings(SealVaultSettings(var_dir=seal_var_dir, tsa_url="http://127.0.0.1:9/"))
    vault = FakeVault()
    with pytest.raises(SealUnavailable):
        take_in_charge(sealing, invoice_pdf(sample_invoices(1)[0]), vault=vault)
    assert vault.archived == {}
