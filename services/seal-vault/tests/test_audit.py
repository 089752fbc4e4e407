from datetime import datetime, timezone

from prometheus_client import REGISTRY

from jefacture_seal_vault.audit import audit
from jefacture_seal_vault.domain.ledger import MODIFIED_BLOB, MODIFIED_METADATA, Finding

IN_FLIGHT = Finding(7, "doc-7", MODIFIED_METADATA, "the archive record differs from the one entry 7 recorded")
TAMPERED = Finding(3, "doc-3", MODIFIED_BLOB, "file … now hashes to …")


class PassesOfAVault:
    """A vault whose successive verifications find what it is given, pass after pass."""

    def __init__(self, *passes: list[Finding]):
        self.passes = list(passes)
        self.signature_checks = []

    def verify(self, every_signature: bool = True) -> list[Finding]:
        self.signature_checks.append(every_signature)
        return self.passes.pop(0)

    def ledger_size(self) -> int:
        return 12


def test_a_finding_gone_at_the_second_pass_was_an_operation_in_flight_and_is_not_reported():
    vault = PassesOfAVault([IN_FLIGHT, TAMPERED], [TAMPERED])
    checked_at = datetime(2025, 3, 14, 9, tzinfo=timezone.utc)

    result = audit(vault, settle_seconds=0, clock=lambda: checked_at)

    assert result.findings == [TAMPERED] and result.entries == 12 and not result.clean
    assert REGISTRY.get_sample_value("jefacture_vault_audit_findings") == 1
    assert REGISTRY.get_sample_value("jefacture_vault_entries") == 12
    assert REGISTRY.get_sample_value("jefacture_vault_last_audit_timestamp") == checked_at.timestamp()


def test_a_clean_vault_is_verified_once_checking_the_latest_signature_only():
    vault = PassesOfAVault([])
    assert audit(vault, settle_seconds=0).clean and vault.signature_checks == [False]
    assert REGISTRY.get_sample_value("jefacture_vault_audit_findings") == 0
