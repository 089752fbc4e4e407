"""What the vault keeps about one archived document, and how its metadata is fingerprinted for the ledger."""
import dataclasses
from dataclasses import dataclass
from datetime import datetime, timezone

INVOICE = "invoice"


class NotArchived(LookupError):
    """No archive record exists for this document."""


def utc_ms(moment: datetime) -> datetime:
    """`moment` in UTC, cut to the millisecond a MongoDB date keeps; a naive datetime is read as UTC."""
    moment = moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


@dataclass(frozen=True)
class ArchiveRecord:
    document_id: str
    dossier_id: str
    direction: str
    document_type: str
    media_type: str
    original_sha256: str
    sealed_sha256: str | None
    timestamp_token_sha256: str | None
    seal_format: str | None
    received_at: datetime
    sealed_at: datetime | None
    timestamp_time: datetime | None
    archived_at: datetime
    retention_end: datetime
    legal_hold: bool = False
    legal_hold_reason: str | None = None
    deleted_at: datetime | None = None

    @property
    def blob_digests(self) -> tuple[str, ...]:
        """The stored files: original, sealed copy, timestamp token, those that exist."""
        return tuple(digest for digest in (self.original_sha256, self.sealed_sha256, self.timestamp_token_sha256)
                     if digest)

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None

    def metadata(self) -> dict:
        """Every field; the ledger fingerprints this dict (the record's outbox is transport, not metadata)."""
        return dataclasses.asdict(self)
