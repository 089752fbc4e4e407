"""`jefacture verify FILE.pdf`: a clear verdict on any sealed PDF, and a non-zero exit when it does not hold."""
import subprocess
import sys

from jefacture.platform import REPO
from jefacture.samples import invoice_pdf, sample_invoices


def verify(path, ca_file) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jefacture.cli", "verify", str(path), "--ca", str(ca_file)],
                          cwd=REPO, capture_output=True, text=True, timeout=60)


def test_a_sealed_pdf_is_declared_valid_with_its_time_of_taking_in_charge(sealing, ca_file, tmp_path):
    sealed = sealing.archive_copy(sealing.seal(invoice_pdf(sample_invoices(1)[0]), "application/pdf").sealed)
    (tmp_path / "sealed.pdf").write_bytes(sealed)
    verdict = verify(tmp_path / "sealed.pdf", ca_file)
    assert verdict.returncode == 0, verdict.stdout + verdict.stderr
    assert verdict.stdout.startswith("VALID") and "taken in charge on" in verdict.stdout


def test_a_sealed_pdf_changed_afterwards_is_declared_not_valid(sealing, ca_file, tmp_path):
    sealed = bytearray(sealing.seal(invoice_pdf(sample_invoices(2)[1]), "application/pdf").sealed)
    sealed[300] ^= 1
    (tmp_path / "changed.pdf").write_bytes(bytes(sealed))
    verdict = verify(tmp_path / "changed.pdf", ca_file)
    assert verdict.returncode == 1 and verdict.stdout.startswith("NOT VALID")


def test_a_pdf_without_a_seal_is_declared_not_valid(ca_file, tmp_path):
    (tmp_path / "plain.pdf").write_bytes(invoice_pdf(sample_invoices(1)[0]))
    verdict = verify(tmp_path / "plain.pdf", ca_file)
    assert verdict.returncode == 1 and "no readable seal" in verdict.stdout
