import io
import os
import signal
import subprocess
import sys
import threading

import numpy as np
import pytest
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from jefacture_ocr.adapters.ocr_workers import OcrPool, words_by_page
from jefacture_ocr.bench_ocr import invoice_pdf, page_text, render_page, scanned
from jefacture_ocr.domain.reading import UnreadableDocument
from jefacture_ocr.tests.test_images import pdf_with_pages


def jpeg(page: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(page).save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def scanned_pdf(numbers: list[str]) -> bytes:
    buffer = io.BytesIO()
    document = canvas.Canvas(buffer, pagesize=A4)
    for seed, number in enumerate(numbers):
        page = io.BytesIO(jpeg(scanned(render_page(invoice_pdf(number)), seed=seed)))
        document.drawImage(ImageReader(page), 0, 0, width=A4[0], height=A4[1])
        document.showPage()
    document.save()
    return buffer.getvalue()


def wait_until_dead(pid: int) -> None:
    for _ in range(500):
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().split(") ")[1].startswith("Z"):
                    return
        except FileNotFoundError:
            return
        threading.Event().wait(0.01)
    raise AssertionError(f"process {pid} did not die")


@pytest.fixture(scope="module")
def scans() -> list[np.ndarray]:
    return [scanned(render_page(invoice_pdf(f"FA-2026-{number:05d}")), seed=number) for number in (11, 12)]


@pytest.fixture(scope="module")
def pool():
    with OcrPool(workers=2, page_seconds=60) as pool:
        yield pool


def test_two_workers_read_the_pages_side_by_side(pool, scans):
    assert pool.threads == max(1, (os.cpu_count() or 1) // 2)
    pages = pool.read_pages(scans)
    assert [page.number for page in pages] == [1, 2]
    assert [page.failure for page in pages] == [None, None]
    assert "FA-2026-00011" in page_text(pages[0].words) and "FA-2026-00012" in page_text(pages[1].words)
    assert {word.page for word in pages[1].words} == {2}


def test_an_image_only_pdf_is_read_page_by_page(pool):
    pages = pool.read_document(scanned_pdf(["FA-2026-00021", "FA-2026-00022"]), "scan.pdf")
    texts = [page_text(words) for words in words_by_page(pages)]
    assert "FA-2026-00021" in texts[0] and "FA-2026-00022" in texts[1]
    assert all(page.frame is None for page in pages)  # flat scans: no page frame


def test_a_phone_photo_comes_back_with_its_page_frame(pool):
    from jefacture_ocr.tests.test_page_frame import CORNERS, PHOTO_SIZE, phone_photo

    photo = phone_photo(render_page(invoice_pdf("FA-2026-00031")), CORNERS)
    page, = pool.read_document(jpeg(photo), "IMG_0031.jpg")
    assert "FA-2026-00031" in page_text(page.words)
    assert page.frame["found"] and page.frame["image_width"] == PHOTO_SIZE[0]


@pytest.mark.parametrize("content, reason", [
    (b"", "facture.pdf is empty (0 bytes)"),
    (b"%PDF-1.4\n1 0 obj", "facture.pdf is not a readable PDF"),
    (b"GIF89a not an invoice", "facture.pdf is neither a PDF nor an image"),
    (pdf_with_pages(500), "facture.pdf has 500 pages, more than the 50 pages OCR reads")],
    ids=["empty", "corrupt", "not an invoice format", "500 pages"])
def test_unreadable_documents_fail_with_their_reason(pool, content, reason):
    with pytest.raises(UnreadableDocument, match=reason.replace("(", r"\(").replace(")", r"\)")):
        pool.read_document(content, "facture.pdf")


def test_a_page_over_the_time_limit_fails_and_its_worker_is_replaced(scans):
    with OcrPool(workers=1, page_seconds=0.2) as pool:
        worker_before = pool.worker_pids()
        slow, = pool.read_pages(scans[:1])
        assert slow.failure == "page 1: OCR took longer than the 0.2 s limit" and slow.words == []
        assert pool.worker_pids() != worker_before
        pool.page_seconds = 60
        again, = pool.read_pages(scans[:1])
        assert again.failure is None and "FA-2026-00011" in page_text(again.words)


def test_a_document_whose_only_page_times_out_is_unreadable(scans):
    with OcrPool(workers=1, page_seconds=0.2) as pool:
        with pytest.raises(UnreadableDocument, match="^page 1: OCR took longer than the 0.2 s limit$"):
            pool.read_document(jpeg(scans[0]), "scan.jpg")


def test_a_worker_that_dies_fails_its_page_and_the_pool_recovers(scans):
    with OcrPool(workers=1, page_seconds=60) as pool:
        victim, = pool.worker_pids()
        killer = threading.Timer(0.5, os.kill, (victim, signal.SIGKILL))
        killer.start()
        crashed, = pool.read_pages(scans[:1])
        killer.join()
        assert crashed.failure == "page 1: the OCR worker stopped (exit code -9) while reading it"
        assert pool.worker_pids() != [victim]
        recovered, = pool.read_pages(scans[1:])
        assert recovered.failure is None and "FA-2026-00012" in page_text(recovered.words)
        idle, = pool.worker_pids()
        os.kill(idle, signal.SIGKILL)  # dies between two pages: the next page goes to its replacement
        wait_until_dead(idle)
        after_idle_death, = pool.read_pages(scans[:1])
        assert after_idle_death.failure is None and "FA-2026-00011" in page_text(after_idle_death.words)


def test_the_pool_does_not_block_an_eventlet_hub():
    """Under nameko's monkey patching, other green threads keep running while a page is read (the script runs
    with -c, so the worker processes are not monkey patched: their end of the pipe must still work)."""
    script = """
import eventlet
eventlet.monkey_patch()
import io, time
from PIL import Image
from jefacture_ocr.adapters.ocr_workers import OcrPool
from jefacture_ocr.bench_ocr import invoice_pdf, render_page
ticks, reading = [], [True]
def ticker():
    while reading:
        ticks.append(time.monotonic())
        eventlet.sleep(0.05)
page = io.BytesIO()
Image.fromarray(render_page(invoice_pdf())).save(page, format="PNG")
with OcrPool(workers=1, page_seconds=60) as pool:
    eventlet.spawn(ticker)
    eventlet.sleep(0)
    started = time.monotonic()
    try:
        pages = pool.read_document(page.getvalue(), "scan.png")
    finally:
        reading.clear()
    seconds = time.monotonic() - started
gaps = [b - a for a, b in zip(ticks, ticks[1:])]
print(len(pages[0].words), round(seconds, 2), round(max(gaps), 2))
"""
    finished = subprocess.run([sys.executable, "-W", "ignore", "-c", script], capture_output=True, text=True,
                              timeout=120)
    assert finished.returncode == 0, finished.stderr
    words, seconds, longest_gap = finished.stdout.split()
    assert int(words) > 50
    assert float(longest_gap) < 0.5 < float(seconds)
