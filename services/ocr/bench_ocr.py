"""`make bench-ocr`: OCR pages per second with 1 and 2 worker processes, and seconds per page.

The pages are generated here: a French invoice drawn with reportlab, rendered at 200 dpi like a scanner would,
slightly rotated, blurred and noisy. The same generator gives the OCR tests their pages.

    python -m jefacture_ocr.bench_ocr [--pages 8] [--workers 1 2]
"""
import argparse
import io
import json
import statistics
import time

import cv2
import numpy as np
import pypdfium2
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

ITEMS = [("Tenue de comptabilité mensuelle", 3, "450,00"), ("Déclarations de TVA", 3, "120,00"),
         ("Bulletins de paie", 12, "35,00"), ("Bilan et liasse fiscale", 1, "1 850,00"),
         ("Conseil juridique", 2, "180,00"), ("Frais de dossier", 1, "60,00")]


def invoice_pdf(number: str = "FA-2026-00417", pages: int = 1) -> bytes:
    """A one-page (or longer) French invoice: header, parties, a lines table, totals, bank details, footer."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4, invariant=True)
    for _ in range(pages):
        _draw_invoice(page, number)
        page.showPage()
    page.save()
    return buffer.getvalue()


def _draw_invoice(page: canvas.Canvas, number: str) -> None:
    width, height = A4
    page.setFont("Helvetica-Bold", 18)
    page.drawString(50, height - 60, "Cabinet Moreau Expertise SARL")
    page.setFont("Helvetica", 10)
    for offset, text in enumerate(("12 rue de la Paix, 75002 Paris", "SIRET 542 065 479 00011",
                                   "TVA intracommunautaire FR40542065479", "contact@moreau-expertise.fr")):
        page.drawString(50, height - 80 - 14 * offset, text)
    page.setFont("Helvetica-Bold", 14)
    page.drawString(350, height - 150, "FACTURE")
    page.setFont("Helvetica", 10)
    for offset, text in enumerate((f"N° {number}", "Date : 31/03/2026", "Échéance : 30/04/2026",
                                   "Bon de commande : BC-7781")):
        page.drawString(350, height - 168 - 14 * offset, text)
    for offset, text in enumerate(("Client", "Boulangerie Martin SARL", "4 place du Marché, 69001 Lyon",
                                   "SIREN 732 829 320")):
        page.drawString(50, height - 168 - 14 * offset, text)
    top = height - 260
    page.line(50, top + 14, 545, top + 14)
    for x, label in ((50, "Désignation"), (330, "Qté"), (390, "Prix unitaire"), (480, "Montant HT")):
        page.drawString(x, top, label)
    page.line(50, top - 6, 545, top - 6)
    for row, (label, quantity, unit) in enumerate(ITEMS, start=1):
        y = top - 8 - 18 * row
        page.drawString(50, y, label)
        page.drawRightString(350, y, str(quantity))
        page.drawRightString(460, y, f"{unit} €")
        page.drawRightString(545, y, f"{_amount(quantity, unit)} €")
    totals = top - 8 - 18 * (len(ITEMS) + 2)
    for offset, (label, amount) in enumerate((("Total HT", "5 620,00 €"), ("TVA 20 %", "1 124,00 €"),
                                              ("Total TTC", "6 744,00 €"))):
        page.drawString(360, totals - 16 * offset, label)
        page.drawRightString(545, totals - 16 * offset, amount)
    page.drawString(50, 150, "Conditions de paiement : virement à 30 jours. Pénalités de retard : 3 fois le taux")
    page.drawString(50, 136, "d'intérêt légal ; indemnité forfaitaire pour frais de recouvrement : 40 €.")
    page.drawString(50, 110, "IBAN FR76 3000 6000 0112 3456 7890 189   BIC AGRIFRPP")
    page.setFont("Helvetica", 8)
    page.drawCentredString(width / 2, 40, "Cabinet Moreau Expertise SARL au capital de 10 000 € - "
                                          "RCS Paris 542 065 479")


def _amount(quantity: int, unit: str) -> str:
    cents = quantity * int(unit.replace(" ", "").replace(",", ""))
    whole = f"{cents // 100:,}".replace(",", " ")
    return f"{whole},{cents % 100:02d}"


def render_page(pdf: bytes, index: int = 0, dpi: int = 200) -> np.ndarray:
    document = pypdfium2.PdfDocument(pdf)
    try:
        bitmap = document[index].render(scale=dpi / 72, rev_byteorder=True)
        return bitmap.to_numpy()[:, :, :3].copy()
    finally:
        document.close()


def scanned(page: np.ndarray, seed: int = 0, degrees: float = 0.6) -> np.ndarray:
    """What a 200-dpi office scanner gives: a slight rotation, a soft blur, sensor noise."""
    rng = np.random.default_rng(seed)
    height, width = page.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), float(rng.uniform(-degrees, degrees)), 1.0)
    page = cv2.warpAffine(page, matrix, (width, height), borderValue=(255, 255, 255))
    page = cv2.GaussianBlur(page, (3, 3), 0.6)
    noise = rng.normal(0, 8, page.shape)
    return np.clip(page.astype(np.float32) + noise, 0, 255).astype(np.uint8)


def sample_scans(count: int) -> list[tuple[str, np.ndarray]]:
    """(invoice number, scanned page) pairs, each invoice with its own number."""
    numbers = [f"FA-2026-{417 + index:05d}" for index in range(count)]
    return [(number, scanned(render_page(invoice_pdf(number)), seed=index)) for index, number in enumerate(numbers)]


def page_text(words) -> str:
    return " ".join(word.text for word in words)


def bench_ocr(pages: int, worker_counts: list[int]) -> dict:
    from jefacture_ocr.adapters.ocr_workers import OcrPool

    scans = sample_scans(pages)
    results = {"pages": pages, "runs": []}
    for workers in worker_counts:
        with OcrPool(workers=workers) as pool:  # started (models loaded) before the clock starts
            started = time.perf_counter()
            read = pool.read_pages([scan for _, scan in scans])
            seconds = time.perf_counter() - started
        found = sum(number in page_text(page.words) for (number, _), page in zip(scans, read, strict=True))
        results["runs"].append({
            "workers": workers, "threads_per_worker": pool.threads, "pages_per_second": round(pages / seconds, 2),
            "seconds_per_page": round(seconds / pages, 2),
            "median_page_seconds": round(statistics.median(page.seconds for page in read), 2),
            "failed_pages": sum(page.failure is not None for page in read), "invoice_numbers_read": found})
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=8)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args(argv)
    results = bench_ocr(args.pages, args.workers)
    print(f"{'workers':>7} {'pages/s':>8} {'s/page':>7} {'median page s':>14} {'failed':>6} {'numbers read':>12}")
    for run in results["runs"]:
        print(f"{run['workers']:>7} {run['pages_per_second']:>8} {run['seconds_per_page']:>7} "
              f"{run['median_page_seconds']:>14} {run['failed_pages']:>6} "
              f"{run['invoice_numbers_read']:>7}/{results['pages']}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
