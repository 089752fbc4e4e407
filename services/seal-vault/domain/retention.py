"""How long an archived document must be kept, and when it may be deleted or must not be touched."""
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from .archive import ArchiveRecord

DEFAULT_YEARS = 10


class VaultRefusal(Exception):
    """An operation the archive's rules forbid; the message says why, in words a user understands."""


class AlreadyArchived(VaultRefusal):
    def __init__(self, document_id: str):
        super().__init__(f"document {document_id} is already archived: an archived document cannot be overwritten")
        self.document_id = document_id


class RetentionActive(VaultRefusal):
    def __init__(self, record: ArchiveRecord):
        super().__init__(f"document {record.document_id} must be kept until {record.retention_end:%d/%m/%Y}: "
                         "it cannot be deleted before")
        self.document_id = record.document_id


class LegalHoldActive(VaultRefusal):
    def __init__(self, record: ArchiveRecord):
        super().__init__(f"document {record.document_id} is under legal hold ({record.legal_hold_reason}): "
                         "it cannot be deleted until the hold is released")
        self.document_id = record.document_id


class DocumentDeleted(VaultRefusal):
    def __init__(self, record: ArchiveRecord):
        super().__init__(f"document {record.document_id} was deleted on {record.deleted_at:%d/%m/%Y}")
        self.document_id = record.document_id


def add_years(moment: datetime, years: int) -> datetime:
    """The same calendar day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return moment.replace(year=moment.year + years, day=28)


@dataclass(frozen=True)
class RetentionPolicy:
    default_years: int = DEFAULT_YEARS
    by_document_type: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self):
        for document_type, years in {"default": self.default_years, **self.by_document_type}.items():
            if years < 1:
                raise ValueError(f"retention of {document_type} documents must be at least one year, not {years}")

    def years_for(self, document_type: str) -> int:
        return self.by_document_type.get(document_type, self.default_years)

    def retention_end(self, archived_at: datetime, document_type: str) -> datetime:
        return add_years(archived_at, self.years_for(document_type))


def check_deletion(record: ArchiveRecord, now: datetime) -> None:
    """Deletion is allowed once the retention period has ended, and never while a legal hold stands."""
    if now < record.retention_end:
        raise RetentionActive(record)
    if record.legal_hold:
        raise LegalHoldActive(record)


def check_hold(record: ArchiveRecord) -> None:
    if record.deleted:
        raise DocumentDeleted(record)
