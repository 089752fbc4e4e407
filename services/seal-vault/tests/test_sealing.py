"""Sealing received originals with the real TSA simulator: PAdES B-T, B-LTA archive copies, detached CAdES-T."""
import asyncio
import hashlib
import io
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from asn1crypto import cms
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils import embed, generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import PdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.ades.report import AdESIndeterminate, AdESPassed
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.ades import ades_lta_validation
from pyhanko.sign.validation.policy_decl import (
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko.sign.validation.status import ModificationLevel, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.policy_decl import CertRevTrustPolicy, RevocationCheckingPolicy, RevocationCheckingRule
from pyhanko_certvalidator.registry import SimpleTrustManager
from reportlab.pdfgen import canvas

from jefacture.samples import invoice_pdf, sample_invoices
from jefacture.simulators.tsa import free_port
from jefacture_seal_vault.adapters.cades import verify_detached
from jefacture_seal_vault.adapters.keys import file_signer
from jefacture_seal_vault.adapters.pades import seal_signature, validate_seal
from jefacture_seal_vault.adapters.pki import ensure_dev_pki
from jefacture_seal_vault.adapters.sealing import Sealing
from jefacture_seal_vault.domain.seal import (
    CADES_T_DETACHED,
    EMBEDDED_FILES,
    ENCRYPTED_PDF,
    JAVASCRIPT,
    PADES_B_T,
    SealUnavailable,
)
from jefacture_seal_vault.settings import SealVaultSettings

PDF = invoice_pdf(sample_invoices(1)[0])


def encrypted_pdf() -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, encrypt="secret")
    page.drawString(100, 700, "Facture")
    page.showPage()
    page.save()
    return buffer.getvalue()


def updated(pdf: bytes, change) -> bytes:
    """`pdf` followed by one incremental update made by `change(writer)`."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    change(writer)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def javascript_action() -> generic.DictionaryObject:
    return generic.DictionaryObject({"/S": generic.NameObject("/JavaScript"),
                                     "/JS": generic.TextStringObject("app.alert('Payez maintenant')")})


def open_action_javascript(writer):
    writer.root["/OpenAction"] = writer.add_object(javascript_action())
    writer.update_root()


def embedded_invoice_xml(writer):
    data = embed.EmbeddedFileObject.from_file_data(writer, b"<Invoice/>", mime_type="application/xml")
    embed.embed_file(writer, embed.FileSpec(file_spec_string="factur-x.xml", embedded_data=data))


def file_attachment_annotation(writer):
    page_ref = writer.root["/Pages"]["/Kids"].raw_get(0)
    page = page_ref.get_object()
    data = embed.EmbeddedFileObject.from_file_data(writer, b"MZ not a program", mime_type="application/octet-stream")
    spec = embed.FileSpec(file_spec_string="setup.exe", embedded_data=data).as_pdf_object()
    page["/Annots"] = generic.ArrayObject([writer.add_object(generic.DictionaryObject({
        "/Type": generic.NameObject("/Annot"), "/Subtype": generic.NameObject("/FileAttachment"),
        "/Rect": generic.ArrayObject([generic.NumberObject(n) for n in (10, 10, 30, 30)]), "/FS": spec}))])
    writer.mark_update(page_ref)


def javascript_in_an_object_stream() -> bytes:
    """A fresh PDF with cross-reference and object streams, the JavaScript action compressed in one of them."""
    writer = PdfFileWriter(stream_xrefs=True)
    writer.insert_page(generic.DictionaryObject({
        "/Type": generic.NameObject("/Page"),
        "/MediaBox": generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 595, 842)]),
        "/Contents": writer.add_object(generic.StreamObject(stream_data=b"BT /F1 12 Tf 72 720 Td (Facture) Tj ET")),
    }))
    writer.root["/OpenAction"] = writer.add_object(javascript_action(), obj_stream=writer.prepare_object_stream())
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def deface_first_page(writer):
    page_ref = writer.root["/Pages"]["/Kids"].raw_get(0)
    page_ref.get_object()["/Contents"] = writer.add_object(
        generic.StreamObject(stream_data=b"BT /F1 40 Tf 100 400 Td (PAYE) Tj ET"))
    writer.mark_update(page_ref)


def signed_by_a_third_party(pdf: bytes, pki_dir: Path) -> bytes:
    signer = signers.PdfSigner(
        signers.PdfSignatureMetadata(field_name="Signature1", subfilter=fields.SigSeedSubFilter.PADES),
        signer=file_signer(ensure_dev_pki(pki_dir)))
    output = io.BytesIO()
    signer.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), output=output)
    return output.getvalue()


def signature_value(signer_info: cms.SignerInfo) -> bytes:
    return signer_info["signature"].native


def openssl_ts_verify(token: bytes, data: bytes, pki_dir: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    (tmp_path / "token.der").write_bytes(token)
    (tmp_path / "data.bin").write_bytes(data)
    return subprocess.run(["openssl", "ts", "-verify", "-token_in", "-in", str(tmp_path / "token.der"),
                           "-data", str(tmp_path / "data.bin"), "-CAfile", str(pki_dir / "ca.cert.pem"),
                           "-untrusted", str(pki_dir / "tsa.cert.pem")], capture_output=True, text=True)


def offline_lta_validation(pdf: bytes, ca_file: Path):
    """ETSI EN 319 102-1 long-term validation with CRLs required and nothing fetched: only what the PDF carries."""
    rule = RevocationCheckingRule.CRL_REQUIRED
    policy = CertValidationPolicySpec(
        trust_manager=SimpleTrustManager.build(trust_roots=[load_cert_from_pemder(str(ca_file))]),
        revinfo_policy=CertRevTrustPolicy(RevocationCheckingPolicy(ee_certificate_rule=rule,
                                                                   intermediate_ca_cert_rule=rule)))
    spec = PdfSignatureValidationSpec(SignatureValidationSpec(
        cert_validation_policy=policy,
        revinfo_gathering_policy=RevocationInfoGatheringSpec(online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY)))
    return asyncio.run(ades_lta_validation(seal_signature(PdfFileReader(io.BytesIO(pdf))), spec))


@pytest.fixture(scope="module")
def sealed(sealing):
    return sealing.seal(PDF, "application/pdf")


def test_a_pdf_is_sealed_pades_b_t_and_pyhanko_finds_the_seal_intact_trusted_and_timestamped(sealed, ca_file):
    assert sealed.seal_format == PADES_B_T and sealed.findings == () and not sealed.detached
    assert sealed.sealed.startswith(PDF) and len(sealed.sealed) > len(PDF)

    status = validate_seal(sealed.sealed, ca_file)

    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.timestamp_validity.intact and status.timestamp_validity.valid and status.timestamp_validity.trusted
    reader = PdfFileReader(io.BytesIO(sealed.sealed))
    assert seal_signature(reader).sig_object["/SubFilter"] == "/ETSI.CAdES.detached"


def test_the_outcome_carries_the_rfc3161_token_of_the_seal_and_its_time(sealed):
    token = cms.ContentInfo.load(sealed.timestamp_token)
    tst_info = token["content"]["encap_content_info"]["content"].parsed
    signer_info = seal_signature(PdfFileReader(io.BytesIO(sealed.sealed))).signer_info

    assert tst_info["message_imprint"]["hashed_message"].native == hashlib.sha256(
        signature_value(signer_info)).digest()
    assert tst_info["gen_time"].native == sealed.timestamped_at
    assert abs(datetime.now(timezone.utc) - sealed.timestamped_at) < timedelta(minutes=1)


def test_openssl_verifies_the_seal_timestamp_token(sealed, seal_settings, tmp_path):
    signer_info = seal_signature(PdfFileReader(io.BytesIO(sealed.sealed))).signer_info

    verdict = openssl_ts_verify(sealed.timestamp_token, signature_value(signer_info), seal_settings.dev_pki_dir,
                                tmp_path)

    assert verdict.returncode == 0 and "Verification: OK" in verdict.stdout, verdict.stderr


def test_openssl_rejects_the_token_for_other_data(sealed, seal_settings, tmp_path):
    verdict = openssl_ts_verify(sealed.timestamp_token, b"another signature", seal_settings.dev_pki_dir, tmp_path)
    assert verdict.returncode != 0 and "Verification: OK" not in verdict.stdout


def test_endesive_independently_finds_the_seal_and_its_timestamp_valid_over_the_whole_file(
        sealed, ca_file, endesive_pdf_verifier):
    result, unsigned_rest = endesive_pdf_verifier(sealed.sealed, [ca_file.read_bytes()]).verify()

    assert result.hashok and result.signatureok and result.certok
    assert result.tspok and result.tspdata == sealed.timestamped_at
    assert unsigned_rest is None


def test_a_byte_changed_after_sealing_breaks_the_seal_for_pyhanko_and_endesive(sealed, ca_file, endesive_pdf_verifier):
    tampered = sealed.sealed.replace(b"(anonymous)", b"(anonymoux)", 1)
    assert len(tampered) == len(sealed.sealed) and tampered != sealed.sealed

    status = validate_seal(tampered, ca_file)
    result, _ = endesive_pdf_verifier(tampered, [ca_file.read_bytes()]).verify()

    assert not status.intact and not status.bottom_line
    assert not result.hashok


def test_an_incremental_update_appended_after_sealing_is_detected(sealed, ca_file):
    defaced = updated(sealed.sealed, deface_first_page)

    status = validate_seal(defaced, ca_file)

    assert status.intact and status.valid  # the bytes it signed are still there, unchanged
    assert status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
    assert status.modification_level == ModificationLevel.OTHER and not status.bottom_line


def test_a_signature_by_a_third_party_stays_valid_after_our_seal(sealing, ca_file, tmp_path):
    third_party_pki = tmp_path / "third-party"
    signed = signed_by_a_third_party(PDF, third_party_pki)

    outcome = sealing.seal(signed, "application/pdf")

    assert outcome.seal_format == PADES_B_T and outcome.sealed.startswith(signed)
    reader = PdfFileReader(io.BytesIO(outcome.sealed))
    theirs = next(sig for sig in reader.embedded_signatures if sig.field_name == "Signature1")
    status = validate_pdf_signature(theirs, ValidationContext(
        trust_roots=[load_cert_from_pemder(str(third_party_pki / "ca.cert.pem"))]))
    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert status.modification_level <= ModificationLevel.FORM_FILLING
    ours = validate_seal(outcome.sealed, ca_file)
    assert ours.bottom_line and ours.coverage == SignatureCoverageLevel.ENTIRE_FILE


def test_the_archive_copy_is_b_lta_and_validates_offline_with_the_revocation_data_it_embeds(sealing, sealed, ca_file):
    archive = sealing.archive_copy(sealed.sealed)

    assert archive.startswith(sealed.sealed)
    reader = PdfFileReader(io.BytesIO(archive))
    assert len(reader.root["/DSS"]["/CRLs"]) >= 1 and len(reader.root["/DSS"]["/Certs"]) >= 3
    assert [sig.sig_object["/Type"] for sig in reader.embedded_signatures] == ["/Sig", "/DocTimeStamp"]
    verdict = offline_lta_validation(archive, ca_file)
    assert verdict.ades_subindic == AdESPassed.OK and verdict.api_status.bottom_line
    assert verdict.oldest_evidence_record_timestamp is not None


def test_without_the_archive_extension_the_same_offline_validation_cannot_conclude(sealed, ca_file):
    verdict = offline_lta_validation(sealed.sealed, ca_file)
    assert isinstance(verdict.ades_subindic, AdESIndeterminate)


@pytest.mark.parametrize("content, media_type, finding", [
    (PDF[:800], "application/pdf",
     "the PDF could not be read: "),
    (b"%PDF-1.4\nthis is not a PDF body", "application/pdf",
     "the PDF could not be read: "),
    (PDF.replace(b"/Pages 7 0 R", b"/Pagez 7 0 R"), "application/pdf",
     "the PDF could not be sealed: "),
    (encrypted_pdf(), "application/pdf",
     ENCRYPTED_PDF),
    (b"\xff\xd8\xff\xe0 a phone photo", "image/jpeg",
     "not a PDF (image/jpeg): "),
    (b"<?xml version='1.0'?><Invoice/>", "application/xml",
     "not a PDF (application/xml): "),
])
def test_what_cannot_carry_a_pades_seal_gets_a_detached_cades_t_seal_over_its_unchanged_bytes(
        sealing, ca_file, content, media_type, finding):
    outcome = sealing.seal(content, media_type)

    assert outcome.seal_format == CADES_T_DETACHED and outcome.detached
    assert len(outcome.findings) == 1 and outcome.findings[0].startswith(finding)
    assert outcome.findings[0].endswith("sealed as a detached CAdES-T signature, bytes unchanged")
    status = verify_detached(content, outcome.sealed, ca_file)
    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert status.timestamp_validity.valid and status.timestamp_validity.trusted
    assert status.timestamp_validity.timestamp == outcome.timestamped_at


def test_a_detached_seal_does_not_verify_over_changed_bytes(sealing, ca_file):
    photo = b"\xff\xd8\xff\xe0 a phone photo"
    outcome = sealing.seal(photo, "image/jpeg")
    status = verify_detached(photo.replace(b"phone", b"phony"), outcome.sealed, ca_file)
    assert not status.intact and not status.bottom_line


def test_openssl_verifies_the_timestamp_token_of_a_detached_seal(sealing, seal_settings, tmp_path):
    outcome = sealing.seal(b"<Invoice/>", "application/xml")
    signer_info = cms.ContentInfo.load(outcome.sealed)["content"]["signer_infos"][0]

    verdict = openssl_ts_verify(outcome.timestamp_token, signature_value(signer_info), seal_settings.dev_pki_dir,
                                tmp_path)

    assert verdict.returncode == 0 and "Verification: OK" in verdict.stdout, verdict.stderr


def test_a_pdf_above_the_pades_size_limit_gets_a_detached_seal(sealing, ca_file):
    limited = Sealing(sealing.pades, sealing.cades, pades_max_bytes=len(PDF) - 1)

    outcome = limited.seal(PDF, "application/pdf")

    assert outcome.seal_format == CADES_T_DETACHED
    assert outcome.findings[0].startswith("PDF of 0.0 MiB, above the 0 MiB that a PAdES seal is added to")
    assert verify_detached(PDF, outcome.sealed, ca_file).bottom_line


@pytest.mark.parametrize("content, findings", [
    (updated(PDF, open_action_javascript), (JAVASCRIPT,)),
    (javascript_in_an_object_stream(), (JAVASCRIPT,)),
    (updated(PDF, embedded_invoice_xml), (EMBEDDED_FILES,)),
    (updated(PDF, file_attachment_annotation), (EMBEDDED_FILES,)),
    (updated(updated(PDF, open_action_javascript), embedded_invoice_xml), (JAVASCRIPT, EMBEDDED_FILES)),
])
def test_a_pdf_with_javascript_or_embedded_files_is_sealed_as_received_and_flagged(sealing, ca_file, content,
                                                                                   findings):
    outcome = sealing.seal(content, "application/pdf")

    assert outcome.seal_format == PADES_B_T and outcome.findings == findings
    assert outcome.sealed.startswith(content)
    assert validate_seal(outcome.sealed, ca_file).bottom_line


def test_a_pdf_declared_without_media_type_is_recognised_by_its_header(sealing):
    assert sealing.seal(PDF, "").seal_format == PADES_B_T
    assert sealing.seal(b"GIF89a", "").seal_format == CADES_T_DETACHED


def test_without_a_reachable_timestamp_authority_nothing_is_sealed_and_the_error_says_which(seal_var_dir):
    url = f"http://127.0.0.1:{free_port()}/"
    offline = Sealing.from_settings(SealVaultSettings(var_dir=seal_var_dir, tsa_url=url))

    for content, media_type in ((PDF, "application/pdf"), (b"<Invoice/>", "application/xml")):
        with pytest.raises(SealUnavailable, match=f"the timestamp authority {url} could not be used"):
            offline.seal(content, media_type)


def test_an_archive_copy_whose_crl_cannot_be_fetched_is_refused_for_now(seal_settings, tmp_path):
    unreachable_crl = f"http://127.0.0.1:{free_port()}/crl/ca.crl"
    ensure_dev_pki(tmp_path / "pki", crl_url=unreachable_crl)
    sealing = Sealing.from_settings(SealVaultSettings(var_dir=tmp_path, tsa_url=seal_settings.tsa_url,
                                                      tsa_ca_file=seal_settings.dev_pki_dir / "ca.cert.pem"))
    sealed = sealing.seal(PDF, "application/pdf").sealed

    with pytest.raises(SealUnavailable, match="the revocation data of the seal could not be fetched"):
        sealing.archive_copy(sealed)
