"""What a seal is, and which documents get which kind of seal."""
from dataclasses import dataclass
from datetime import datetime

SEAL_FORMAT = "PAdES-B-B"
PADES_B_T = "PAdES-B-T"
CADES_T_DETACHED = "CAdES-T-detached"
PDF = "application/pdf"
DETACHED = "sealed as a detached CAdES-T signature, bytes unchanged"
ENCRYPTED_PDF = f"encrypted PDF: {DETACHED}"
JAVASCRIPT = "the PDF contains JavaScript: sealed as received"
EMBEDDED_FILES = "the PDF contains embedded files: sealed as received"


class SealRefused(ValueError):
    """The document cannot be sealed; the message says why, in words a user understands."""


class PdfEncrypted(SealRefused):
    """The PDF is encrypted: an incremental update cannot be signed without its password."""


class SealUnavailable(RuntimeError):
    """The timestamp authority or the seal key cannot be used right now: seal again later."""


@dataclass(frozen=True)
class SealOutcome:
    """A sealed original: for PAdES the sealed PDF (the original bytes followed by the seal), for CAdES the detached
    CMS SignedData (DER) over the unchanged original. The timestamp token is the DER RFC 3161 token of the seal."""
    sealed: bytes
    seal_format: str
    timestamped_at: datetime
    timestamp_token: bytes
    findings: tuple[str, ...] = ()

    @property
    def detached(self) -> bool:
        return self.seal_format == CADES_T_DETACHED


def is_pdf(media_type: str, content: bytes) -> bool:
    """A PDF by its declared type; without one, by the PDF header near the start, as PDF readers accept it."""
    media_type = media_type.split(";")[0].strip().lower()
    return media_type == PDF if media_type else b"%PDF-" in content[:1024]


def detached_finding(reason: str) -> str:
    return f"{reason}: {DETACHED}"
