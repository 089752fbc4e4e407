from dataclasses import replace
from datetime import datetime, timezone

import pytest

from jefacture_seal_vault.domain.archive import ArchiveRecord
from jefacture_seal_vault.domain.retention import (
    DocumentDeleted,
    LegalHoldActive,
    RetentionActive,
    RetentionPolicy,
    check_deletion,
    check_hold,
)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


ARCHIVED = utc(2025, 3, 14, 10, 30)
TEN_YEARS_LATER = utc(2035, 3, 14, 10, 30)


def record(retention_end=TEN_YEARS_LATER, **changes) -> ArchiveRecord:
    return replace(ArchiveRecord(
        document_id="doc-1", dossier_id="dossier-1", direction="purchase", document_type="invoice",
        media_type="application/pdf", original_sha256="a" * 64, sealed_sha256="b" * 64, timestamp_token_sha256=None,
        seal_format="PAdES-B-B", received_at=ARCHIVED, sealed_at=ARCHIVED, timestamp_time=None, archived_at=ARCHIVED,
        retention_end=retention_end), **changes)


def test_documents_are_kept_ten_calendar_years_from_archiving_by_default():
    assert RetentionPolicy().retention_end(ARCHIVED, "invoice") == utc(2035, 3, 14, 10, 30)


def test_a_document_type_can_have_its_own_retention_period():
    policy = RetentionPolicy(by_document_type={"contract": 30, "delivery-note": 6})
    assert policy.retention_end(ARCHIVED, "contract") == utc(2055, 3, 14, 10, 30)
    assert policy.retention_end(ARCHIVED, "delivery-note") == utc(2031, 3, 14, 10, 30)
    assert policy.retention_end(ARCHIVED, "invoice") == utc(2035, 3, 14, 10, 30)


def test_a_document_archived_on_29_february_is_kept_until_28_february_of_a_common_year():
    leap_day = utc(2024, 2, 29, 8)
    assert RetentionPolicy().retention_end(leap_day, "invoice") == utc(2034, 2, 28, 8)
    assert RetentionPolicy(default_years=4).retention_end(leap_day, "invoice") == utc(2028, 2, 29, 8)


def test_a_retention_period_shorter_than_a_year_is_refused():
    with pytest.raises(ValueError, match="payslip documents must be at least one year, not 0"):
        RetentionPolicy(by_document_type={"payslip": 0})


def test_deleting_before_the_retention_end_is_refused_with_the_end_date():
    with pytest.raises(RetentionActive) as refused:
        check_deletion(record(), utc(2035, 3, 14, 10, 29))
    assert str(refused.value) == "document doc-1 must be kept until 14/03/2035: it cannot be deleted before"


def test_deleting_from_the_retention_end_on_is_allowed():
    check_deletion(record(), utc(2035, 3, 14, 10, 30))
    check_deletion(record(), utc(2040, 1, 1))


def test_a_legal_hold_blocks_deletion_after_the_retention_end_and_says_why():
    held = record(legal_hold=True, legal_hold_reason="litige fournisseur 2034-17")
    with pytest.raises(LegalHoldActive, match=r"under legal hold \(litige fournisseur 2034-17\)"):
        check_deletion(held, utc(2040, 1, 1))


def test_a_deleted_document_cannot_be_put_under_legal_hold():
    with pytest.raises(DocumentDeleted, match="doc-1 was deleted on 02/01/2036"):
        check_hold(record(deleted_at=utc(2036, 1, 2)))
