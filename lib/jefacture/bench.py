"""`make bench-pipeline`: born-digital PDFs pushed through the running platform; throughput and latency."""
import random
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import httpx

from jefacture.demo import mail_http_address, open_demo_dossier
from jefacture.onboarding import Mailbox, bearer
from jefacture.samples import invoice_pdf, sample_invoices

# The benchmark's own dossier in the demo cabinet, opened once and reused by every run.
BENCH_SIREN = "552100554"  # FOURNITURES DUPONT, known to the SIRENE simulator
BENCH_REPRESENTATIVE = "banc-essai@fournitures-dupont.example"


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def bench_pipeline(gateway: str, count: int, concurrency: int, timeout: float = 600,
                   mail_address: str | None = None) -> dict:
    mailbox = Mailbox(mail_address or mail_http_address())
    with httpx.Client(base_url=gateway, timeout=60) as client:
        dossier, session = open_demo_dossier(client, mailbox, BENCH_SIREN, BENCH_REPRESENTATIVE)
        dossier_id, auth = dossier["dossier_id"], bearer(session)
        run = f"B{random.randrange(10**6):06d}"
        pdfs = [invoice_pdf(invoice.__class__(**{**invoice.__dict__, "number": f"{run}-{i}"}))
                for i, invoice in enumerate(sample_invoices(count))]

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
