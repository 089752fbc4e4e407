"""PAdES baseline B-B seals with pyHanko: an incremental update that signs the whole original file."""
import io
from pathlib import Path

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError, load_cert_from_pemder
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext

from ..domain.seal import SealRefused
from .pki import SealKeyFiles

SEAL_FIELD = "Seal"
# pyHanko reads lazily, so a damaged PDF can fail with any of these, while opening or while signing.
DAMAGED_PDF_ERRORS = (PdfError, ValueError, KeyError, TypeError, IndexError, ArithmeticError)


def _explain(error: Exception) -> str:
    return str(error) if isinstance(error, PdfError) else f"{type(error).__name__} {error}".strip()


class PadesSealer:
    """Seals PDFs with a key loaded once. Not safe to share between threads: callers seal one PDF at a time."""

    def __init__(self, key_file: Path, cert_file: Path, ca_file: Path | None = None):
        signer = signers.SimpleSigner.load(str(key_file), str(cert_file),
                                           ca_chain_files=[str(ca_file)] if ca_file else None)
        if signer is None:
            raise ValueError(f"cannot load the seal key {key_file} with its certificate {cert_file}")
        self._pdf_signer = signers.PdfSigner(
            signers.PdfSignatureMetadata(field_name=SEAL_FIELD, subfilter=fields.SigSeedSubFilter.PADES),
            signer=signer)

    @classmethod
    def from_files(cls, files: SealKeyFiles) -> "PadesSealer":
        return cls(files.key_file, files.cert_file, files.ca_file)

    def seal(self, pdf: bytes) -> bytes:
        """The sealed copy: the original bytes unchanged, followed by the seal's incremental update."""
        try:
            writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        except DAMAGED_PDF_ERRORS as error:
            raise SealRefused(f"the PDF could not be read: {_explain(error)}") from None
        if writer.prev.encrypted:
            raise SealRefused("the PDF is encrypted: a seal cannot be added without its password")
        output = io.BytesIO()
        try:
            self._pdf_signer.sign_pdf(writer, output=output)
        except (*DAMAGED_PDF_ERRORS, SigningError) as error:
            raise SealRefused(f"the PDF could not be sealed: {_explain(error)}") from None
        return output.getvalue()


def validate_seal(sealed: bytes, trusted_ca_file: Path) -> PdfSignatureStatus:
    """pyHanko's verdict on the seal of a sealed copy, trusting only the given CA."""
    reader = PdfFileReader(io.BytesIO(sealed))
    seal = next(sig for sig in reader.embedded_signatures if sig.field_name == SEAL_FIELD)
    context = ValidationContext(trust_roots=[load_cert_from_pemder(str(trusted_ca_file))])
    return validate_pdf_signature(seal, context)
