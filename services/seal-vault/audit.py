"""The vault's periodic integrity audit: verify everything, export the outcome as Prometheus metrics."""
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from prometheus_client import Gauge

from .domain.ledger import Finding

AUDIT_FINDINGS = Gauge("jefacture_vault_audit_findings", "Discrepancies the last vault integrity audit found")
LEDGER_ENTRIES = Gauge("jefacture_vault_entries", "Entries in the vault's ledger at the last audit")
LAST_AUDIT = Gauge("jefacture_vault_last_audit_timestamp", "When the last vault integrity audit ended (Unix time)")


@dataclass(frozen=True)
class AuditResult:
    findings: list[Finding]
    entries: int
    checked_at: datetime

    @property
    def clean(self) -> bool:
        return not self.findings


def audit(vault, every_signature: bool = False, settle_seconds: float = 1.0,
          clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> AuditResult:
    """Run `vault.verify()` and publish its outcome; the findings are returned for the caller to log.

    An operation in flight between its two writes (record and ledger entry) looks like a discrepancy for a moment,
    so findings are confirmed by a second pass `settle_seconds` later and only those seen twice are reported.
    By default only the latest checkpoint's signature is checked: every root is still compared, and checking
    thousands of CAdES signatures at each audit would take minutes.
    """
    findings = vault.verify(every_signature=every_signature)
    if findings:
        time.sleep(settle_seconds)
        seen = set(findings)
        findings = [finding for finding in vault.verify(every_signature=every_signature) if finding in seen]
    result = AuditResult(findings, vault.ledger_size(), clock())
    AUDIT_FINDINGS.set(len(findings))
    LEDGER_ENTRIES.set(result.entries)
    LAST_AUDIT.set(result.checked_at.timestamp())
    return result
