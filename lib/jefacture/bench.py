"""`make bench-pipeline`: born-digital PDFs pushed through the running platform; throughput and latency."""
import random
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timezone

import httpx

from jefacture.demo import DEMO_FIRM_ENDPOINT, mail_http_address, open_demo_dossier, subscribe_demo_endpoint
from jefacture.onboarding import Mailbox, bearer
from jefacture.samples import SUPPLIERS, invoice_pdf, sample_invoices

# The benchmark's own dossier in the demo cabinet, opened once and reused by every run.
BENCH_SIREN = "614302875"  # PAPETERIE DU CANAL, known to the SIRENE simulator
BENCH_NAME = "Papeterie du Canal"
BENCH_REPRESENTATIVE = "banc-essai@papeterie-du-canal.example"


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def _invoices(count: int, run: str) -> list[bytes]:
    return [invoice_pdf(replace(invoice, number=f"{run}-{i}"))
            for i, invoice in enumerate(sample_invoices(count, customer=BENCH_NAME, customer_siren=BENCH_SIREN))]


def _know_the_suppliers(client: httpx.Client, dossier_id: str, auth: dict, timeout: float) -> None:
    """The first invoice of a supplier waits for a person (unknown supplier): before timing anything, one invoice
    of each sample supplier is brought in and its task accepted, as the company would (once per dossier)."""
    warm_up = _invoices(len(SUPPLIERS), "W")
    for pdf in warm_up:
        client.post(f"/dossiers/{dossier_id}/invoices", files={"file": ("warm-up.pdf", pdf)},
                    headers=auth).raise_for_status()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        tasks = client.get(f"/dossiers/{dossier_id}/tasks", headers=auth).json()
        for task in tasks:
            client.post(f"/dossiers/{dossier_id}/tasks/{task['task_id']}", json={"action": "accept"}, headers=auth)
        stats = client.get(f"/dossiers/{dossier_id}/stats", headers=auth).json()["invoices_by_state"]
        if not tasks and sum(stats.values()) >= len(warm_up) and not set(stats) - {"routed", "validated"}:
            return
        time.sleep(0.5)
    raise RuntimeError(f"the warm-up invoices were not accepted within {timeout} s")


def bench_pipeline(gateway: str, count: int, concurrency: int, timeout: float = 600,
                   mail_address: str | None = None) -> dict:
    mailbox = Mailbox(mail_address or mail_http_address())
    with httpx.Client(base_url=gateway, timeout=60) as client:
        firm, dossier, session = open_demo_dossier(client, mailbox, BENCH_SIREN, BENCH_REPRESENTATIVE)
        subscribe_demo_endpoint(client, firm, DEMO_FIRM_ENDPOINT)
        dossier_id, auth = dossier["dossier_id"], bearer(session)
        _know_the_suppliers(client, dossier_id, auth, timeout)
        pdfs = _invoices(count, f"B{random.randrange(10**6):06d}")

        def upload(pdf: bytes) -> tuple[str, datetime]:
            sent_at = datetime.now(timezone.utc)
            reply = client.post(f"/dossiers/{dossier_id}/invoices", files={"file": ("bench.pdf", pdf)}, headers=auth)
            reply.raise_for_status()
            return reply.json()["document_id"], sent_at

        with ThreadPoolExecutor(concurrency) as pool:
            uploads = list(pool.map(upload, pdfs))
        latencies, routed_times = [], []
        deadline = time.monotonic() + timeout
        for document_id, sent_at in uploads:
            while True:
                view = client.get(f"/invoices/{document_id}", headers=auth).json()
                routed = [e for e in view.get("history", []) if e["event_type"] == "InvoiceRouted"]
                if routed:
                    routed_at = datetime.fromisoformat(routed[0]["occurred_at"].replace("Z", "+00:00"))
                    latencies.append((routed_at - sent_at).total_seconds())
                    routed_times.append(routed_at)
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"invoice {document_id} not routed after {timeout} s")
                time.sleep(0.05)
    elapsed = (max(routed_times) - min(sent_at for _, sent_at in uploads)).total_seconds()
    return {"invoices": count, "concurrency": concurrency, "seconds": round(elapsed, 2),
            "invoices_per_second": round(count / elapsed, 2),
            "latency_p50_seconds": round(statistics.median(latencies), 3),
            "latency_p95_seconds": round(_percentile(latencies, 0.95), 3)}
