"""`make bench-seal`: seals per second (PAdES B-B, B-T, detached CAdES-T) with the local TSA, and validation time."""
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from jefacture.samples import invoice_pdf, sample_invoices
from jefacture.simulators import tsa


def _timed(function: Callable, inputs: list) -> tuple[list, list[float]]:
    results, seconds = [], []
    for item in inputs:
        started = time.perf_counter()
        results.append(function(item))
        seconds.append(time.perf_counter() - started)
    return results, seconds


def _rate(seconds: list[float]) -> float:
    return round(len(seconds) / sum(seconds), 1)


def _ms(seconds: list[float]) -> float:
    return round(1000 * statistics.median(seconds), 1)


def bench_seal(count: int) -> dict:
    """One seal at a time, as the service does, with the development PKI and a TSA simulator of its own;
    the key is loaded and the TSA client created before timing starts."""
    from jefacture_seal_vault.adapters.cades import verify_detached
    from jefacture_seal_vault.adapters.pades import PadesSealer, validate_seal
    from jefacture_seal_vault.adapters.sealing import Sealing
    from jefacture_seal_vault.settings import SealVaultSettings

    pdfs = [invoice_pdf(invoice) for invoice in sample_invoices(count)]
    with tempfile.TemporaryDirectory(prefix="jefacture-bench-seal-") as var_dir:
        pki = Path(var_dir) / "pki"
        with tsa.running(pki) as tsa_url:
            settings = SealVaultSettings(var_dir=Path(var_dir), tsa_url=tsa_url)
            sealing = Sealing.from_settings(settings)
            b_b = PadesSealer.from_files(settings.seal_key_files())
            try:
                b_b.seal(pdfs[0]), sealing.seal(pdfs[0], "application/pdf")  # warm-up: TSA certificates, sizes
                _, b_b_seconds = _timed(b_b.seal, pdfs)
                b_t, b_t_seconds = _timed(lambda pdf: sealing.seal(pdf, "application/pdf"), pdfs)
                cades, cades_seconds = _timed(lambda pdf: sealing.seal(pdf, "image/jpeg"), pdfs)
                _, lta_seconds = _timed(sealing.archive_copy, [outcome.sealed for outcome in b_t[:10]])
            finally:
                sealing.close()
        ca_file = pki / "ca.cert.pem"
        _, validation_seconds = _timed(lambda outcome: validate_seal(outcome.sealed, ca_file), b_t)
        _, detached_validation_seconds = _timed(
            lambda pair: verify_detached(pair[0], pair[1].sealed, ca_file), list(zip(pdfs, cades, strict=True)))
    return {"documents": count,
            "pades_b_b_per_second": _rate(b_b_seconds), "pades_b_b_ms": _ms(b_b_seconds),
            "pades_b_t_per_second": _rate(b_t_seconds), "pades_b_t_ms": _ms(b_t_seconds),
            "cades_t_per_second": _rate(cades_seconds), "cades_t_ms": _ms(cades_seconds),
            "b_lta_archive_copy_ms": _ms(lta_seconds),
            "pades_validation_ms": _ms(validation_seconds),
            "cades_validation_ms": _ms(detached_validation_seconds)}


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(bench_seal(int(sys.argv[1]) if len(sys.argv) > 1 else 100), indent=2))
