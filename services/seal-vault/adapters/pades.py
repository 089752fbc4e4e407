"""PAdES seals with pyHanko: B-T as an incremental update that signs the whole original file, extended to B-LTA
for the archive copy; and a look for active content (JavaScript, embedded files) that the seal keeps as received."""
import asyncio
import io
from pathlib import Path

from asn1crypto import x509
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.timestamps import TimeStamper, TimestampRequestError
from pyhanko.sign.validation import EmbeddedPdfSignature, async_add_validation_info, validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import InsufficientRevinfoError

from ..domain.seal import (
    EMBEDDED_FILES,
    JAVASCRIPT,
    PADES_B_T,
    SEAL_FORMAT,
    PdfEncrypted,
    SealRefused,
    SealUnavailable,
)
from .keys import file_signer, load_certificates
from .pki import SealKeyFiles
from .timestamps import signature_timestamp, unavailable

SEAL_FIELD = "Seal"
ARCHIVE_TIMESTAMP_FIELD = "ArchiveTimestamp"
DIGEST = "sha256"
# pyHanko reads lazily, so a damaged PDF can fail with any of these, while opening or while signing.
DAMAGED_PDF_ERRORS = (PdfError, ValueError, KeyError, TypeError, IndexError, ArithmeticError, RecursionError)


def _explain(error: Exception) -> str:
    return str(error) if isinstance(error, PdfError) else f"{type(error).__name__} {error}".strip()


def open_pdf(pdf: bytes) -> IncrementalPdfFileWriter:
    """The PDF ready for an incremental update; SealRefused says why it cannot be, PdfEncrypted when encrypted."""
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    except DAMAGED_PDF_ERRORS as error:
        raise SealRefused(f"the PDF could not be read: {_explain(error)}") from None
    if writer.prev.encrypted:
        raise PdfEncrypted("the PDF is encrypted: a seal cannot be added without its password")
    return writer


def _direct_parts(obj: generic.PdfObject):
    """The object and the dictionaries and arrays written inside it; indirect references are visited on their own."""
    pending = [obj]
    while pending:
        current = pending.pop()
        if isinstance(current, generic.DictionaryObject):
            yield current
            pending.extend(dict.values(current))
        elif isinstance(current, generic.ArrayObject):
            pending.extend(list.__iter__(current))


def active_content(reader: PdfFileReader) -> tuple[str, ...]:
    """Findings for JavaScript (/JS, /JavaScript actions or name trees) and embedded files (/EmbeddedFiles,
    /FileAttachment annotations, /EF file specifications), looked for in every object of every revision."""
    javascript = embedded = False
    refs = set()
    for revision in range(reader.xrefs.total_revisions):
        refs |= reader.xrefs.explicit_refs_in_revision(revision)
    for ref in refs:
        for part in _direct_parts(reader.get_object(ref)):
            javascript = javascript or "/JS" in part or "/JavaScript" in part or dict.get(part, "/S") == "/JavaScript"
            embedded = (embedded or "/EmbeddedFiles" in part or "/EF" in part
                        or dict.get(part, "/Subtype") == "/FileAttachment")
    return tuple(finding for finding, present in ((JAVASCRIPT, javascript), (EMBEDDED_FILES, embedded)) if present)


def seal_signature(reader: PdfFileReader) -> EmbeddedPdfSignature:
    """Our seal: the last signature in the Seal field (a third party's earlier signature may be there too)."""
    seals = [sig for sig in reader.embedded_regular_signatures if sig.field_name == SEAL_FIELD]
    if not seals:
        raise ValueError("the PDF carries no seal")
    return seals[-1]


class PadesSealer:
    """Seals PDFs with a key loaded once, B-T when given a timestamper (B-B without).
    Not safe to share between threads: callers seal one PDF at a time."""

    def __init__(self, signer: signers.Signer, timestamper: TimeStamper | None = None, tsa_url: str = "",
                 trust_roots: list[x509.Certificate] | None = None):
        self._signer, self._timestamper, self._tsa_url = signer, timestamper, tsa_url
        self._trust_roots = trust_roots or []
        self._bytes_reserved: int | None = None
        # A field name of our own: a third party's signature field in the original is left alone.
        self._pdf_signer = signers.PdfSigner(
            signers.PdfSignatureMetadata(field_name=SEAL_FIELD, subfilter=fields.SigSeedSubFilter.PADES,
                                         md_algorithm=DIGEST),
            signer=signer, timestamper=timestamper)

    @classmethod
    def from_files(cls, files: SealKeyFiles, timestamper: TimeStamper | None = None,
                   tsa_url: str = "") -> "PadesSealer":
        return cls(file_signer(files), timestamper, tsa_url, load_certificates([files.ca_file]))

    @property
    def seal_format(self) -> str:
        return PADES_B_T if self._timestamper else SEAL_FORMAT

    def seal(self, pdf: bytes) -> bytes:
        """The sealed copy: the original bytes unchanged, followed by the seal's incremental update."""
        return self.seal_opened(open_pdf(pdf))

    def seal_opened(self, writer: IncrementalPdfFileWriter) -> bytes:
        output = io.BytesIO()
        try:
            self._pdf_signer.sign_pdf(writer, output=output, bytes_reserved=self._reservation())
        except TimestampRequestError as error:
            raise unavailable(self._tsa_url, error) from error
        except (*DAMAGED_PDF_ERRORS, SigningError) as error:
            raise SealRefused(f"the PDF could not be sealed: {_explain(error)}") from None
        return output.getvalue()

    def _reservation(self) -> int:
        """Room for the seal's CMS in the PDF, estimated once: pyHanko would otherwise build a dry-run signature for
        every PDF, which takes longer than the seal itself. Same margin as pyHanko's: hex doubles the size, and the
        TSA's tokens may grow by half."""
        if self._bytes_reserved is None:
            try:
                dry_run = asyncio.run(self._signer.async_sign(bytes(32), DIGEST, use_pades=True, dry_run=True,
                                                              timestamper=self._timestamper))
            except TimestampRequestError as error:
                raise unavailable(self._tsa_url, error) from error
            size = len(dry_run.dump())
            self._bytes_reserved = 2 * (size + size // 2)
        return self._bytes_reserved

    def archive_copy(self, sealed: bytes) -> bytes:
        """The sealed PDF extended to PAdES B-LTA: the certificates and CRLs that validate the seal and its timestamp
        in a DSS, then a document timestamp over everything, each as one more incremental update."""
        if self._timestamper is None:
            raise ValueError("an archive copy needs a timestamp authority")
        context = ValidationContext(trust_roots=self._trust_roots, allow_fetching=True, revocation_mode="hard-fail")
        try:
            return asyncio.run(self._archive_copy(sealed, context))
        except TimestampRequestError as error:
            raise unavailable(self._tsa_url, error) from error
        except InsufficientRevinfoError as error:
            raise SealUnavailable(f"the revocation data of the seal could not be fetched: {error}") from error

    async def _archive_copy(self, sealed: bytes, context: ValidationContext) -> bytes:
        try:
            reader = PdfFileReader(io.BytesIO(sealed))
            with_validation_info = await async_add_validation_info(seal_signature(reader), context)
            output = io.BytesIO()
            await signers.PdfTimeStamper(self._timestamper, field_name=ARCHIVE_TIMESTAMP_FIELD).async_timestamp_pdf(
                IncrementalPdfFileWriter(with_validation_info), DIGEST, validation_context=context, output=output)
            return output.getvalue()
        finally:
            await context.aclose()


def timestamp_of_seal(sealed: bytes):
    """The time and DER token of the seal's signature timestamp."""
    return signature_timestamp(seal_signature(PdfFileReader(io.BytesIO(sealed))).signer_info)


def validate_seal(sealed: bytes, *trusted_ca_files: Path) -> PdfSignatureStatus:
    """pyHanko's verdict on the seal of a sealed copy, trusting only the given CAs, with no network access."""
    context = ValidationContext(trust_roots=load_certificates(trusted_ca_files))
    return validate_pdf_signature(seal_signature(PdfFileReader(io.BytesIO(sealed))), context)
