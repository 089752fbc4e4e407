"""Verdicts on seals, in sentences: for the evidence bundle's report and for `jefacture verify`."""
import tempfile
from pathlib import Path

from pyhanko.sign.validation.errors import SignatureValidationError

from .cades import verify_detached
from .pades import DAMAGED_PDF_ERRORS, validate_seal

Check = tuple[bool, str]


def _when(status) -> str:
    timestamp = status.timestamp_validity
    return timestamp.timestamp.strftime("%d/%m/%Y %H:%M:%S UTC") if timestamp else "no timestamp"


def pades_checks(sealed_pdf: bytes, trust_anchor_files: list[Path]) -> list[Check]:
    try:
        status = validate_seal(sealed_pdf, *trust_anchor_files)
    except (StopIteration, SignatureValidationError, *DAMAGED_PDF_ERRORS) as error:
        return [(False, f"the sealed PDF has no readable seal: {type(error).__name__} {error}".strip())]
    timestamp = status.timestamp_validity
    return [
        (status.intact and status.valid, "the seal's signature is intact and valid"
         if status.intact and status.valid else "the seal's signature does not match the document"),
        (status.trusted, "the seal certificate chains to the trusted CA" if status.trusted
         else "the seal certificate does not chain to the trusted CA"),
        (bool(timestamp and timestamp.intact and timestamp.valid and timestamp.trusted),
         f"the RFC 3161 timestamp is valid: taken in charge on {_when(status)}" if timestamp and timestamp.valid
         else "the seal carries no valid trusted timestamp"),
        (status.docmdp_ok is not False and status.modification_level is not None
         and status.modification_level.name in ("NONE", "LTA_UPDATES"),
         f"no change after sealing (modification level {status.modification_level.name})"
         if status.modification_level is not None and status.modification_level.name in ("NONE", "LTA_UPDATES")
         else f"the PDF was changed after sealing (modification level "
              f"{status.modification_level.name if status.modification_level else 'unknown'})"),
    ]


def cades_checks(original: bytes, signature: bytes, trust_anchor_files: list[Path]) -> list[Check]:
    try:
        status = verify_detached(original, signature, *trust_anchor_files)
    except (ValueError, SignatureValidationError) as error:
        return [(False, f"the detached seal cannot be read: {error}")]
    return [
        (status.intact and status.valid, "the detached seal matches the original's bytes"
         if status.intact and status.valid else "the original's bytes differ from what was sealed"),
        (status.trusted, "the seal certificate chains to the trusted CA" if status.trusted
         else "the seal certificate does not chain to the trusted CA"),
        (bool(status.timestamp_validity and status.timestamp_validity.valid),
         f"the RFC 3161 timestamp is valid: taken in charge on {_when(status)}"
         if status.timestamp_validity and status.timestamp_validity.valid else "no valid trusted timestamp"),
    ]


class _Anchor:
    """The bundle's CA as a file, for the validators that read trust anchors from files."""

    def __init__(self, ca_pem: bytes):
        self.directory = tempfile.TemporaryDirectory()
        self.path = Path(self.directory.name) / "ca.pem"
        self.path.write_bytes(ca_pem)

    def __enter__(self) -> Path:
        return self.path

    def __exit__(self, *_):
        self.directory.cleanup()


def bundle_checkpoint_signed(message: bytes, signature: bytes, ca_pem: bytes) -> bool:
    with _Anchor(ca_pem) as anchor:
        try:
            return verify_detached(message, signature, anchor).bottom_line
        except (ValueError, SignatureValidationError):
            return False


def bundle_seal_checks(files: dict[str, bytes], ca_pem: bytes) -> list[Check]:
    """The seal of an evidence bundle, trusting only the CA the bundle carries (check its fingerprint yourself)."""
    with _Anchor(ca_pem) as anchor:
        if "sealed.pdf" in files:
            return pades_checks(files["sealed.pdf"], [anchor])
        original = next((data for name, data in files.items() if name.startswith("original")), None)
        if original is None or "seal.p7s" not in files:
            return [(False, "the bundle holds neither a sealed PDF nor an original with its detached seal")]
        return cades_checks(original, files["seal.p7s"], [anchor])


def report(checks: list[Check], title: str) -> str:
    verdict = "VALID" if checks and all(ok for ok, _ in checks) else "NOT VALID"
    return "\n".join([f"{verdict}: {title}"] + [f"  {'ok  ' if ok else 'FAIL'} {line}" for ok, line in checks]) + "\n"
