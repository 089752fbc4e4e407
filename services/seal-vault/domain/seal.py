"""What a seal record is, and which documents can be sealed."""
from dataclasses import dataclass, field
from datetime import datetime

SEAL_FORMAT = "PAdES-B-B"
PDF = "application/pdf"


class SealRefused(ValueError):
    """The document cannot be sealed; the message says why, in words a user understands."""


class AlreadySealed(Exception):
    """A seal record for this document was written by a concurrent delivery."""


@dataclass(frozen=True)
class SealRecord:
    document_id: str
    dossier_id: str
    original_sha256: str
    sealed_sha256: str | None
    seal_format: str | None
    sealed_at: datetime | None
    findings: tuple[str, ...] = field(default_factory=tuple)
    failure_reason: str | None = None

    @property
    def sealed(self) -> bool:
        return self.sealed_sha256 is not None


def check_sealable(media_type: str) -> None:
    """Only PDFs carry a PAdES seal; an empty media type is read as PDF, the only kind ingest accepts."""
    if media_type and media_type != PDF:
        raise SealRefused(f"only PDF documents can be sealed, not {media_type}")
