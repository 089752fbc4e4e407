import io
import struct
import subprocess
import sys
import time
import zlib

import numpy as np
import pytest
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from jefacture_ocr.adapters.images import PageLimits, page_count_of, page_image, pages_of
from jefacture_ocr.bench_ocr import invoice_pdf, render_page, scanned
from jefacture_ocr.domain.reading import UnreadableDocument


def encoded(image: Image.Image, format_name: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=format_name, **options)
    return buffer.getvalue()


def image_only_pdf(pages: int = 1) -> bytes:
    """A scanner's PDF: each page is one picture of a page, no text layer."""
    scan = io.BytesIO(encoded(Image.fromarray(scanned(render_page(invoice_pdf()), seed=3)), "JPEG"))
    buffer = io.BytesIO()
    document = canvas.Canvas(buffer, pagesize=A4)
    for _ in range(pages):
        document.drawImage(ImageReader(scan), 0, 0, width=A4[0], height=A4[1])
        document.showPage()
    document.save()
    return buffer.getvalue()


def pdf_with_pages(count: int, pagesize=A4, **options) -> bytes:
    buffer = io.BytesIO()
    document = canvas.Canvas(buffer, pagesize=pagesize, **options)
    for number in range(count):
        document.drawString(72, 72, f"page {number + 1}")
        document.showPage()
    document.save()
    return buffer.getvalue()


def png_announcing(width: int, height: int) -> bytes:
    """A tiny PNG whose header announces width × height pixels (what a decompression bomb looks like)."""
    small = encoded(Image.new("1", (8, 8)), "PNG")
    header = struct.pack(">II", width, height) + small[24:29]
    chunk = b"IHDR" + header
    return small[:8] + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk)) + small[33:]


def jpeg_announcing(width: int, height: int) -> bytes:
    small = bytearray(encoded(Image.new("RGB", (16, 16), "white"), "JPEG"))
    start_of_frame = small.index(b"\xff\xc0")
    small[start_of_frame + 5:start_of_frame + 9] = struct.pack(">HH", height, width)
    return bytes(small)


def test_jpeg_and_png_come_out_as_rgb_arrays():
    picture = Image.new("RGB", (300, 200), (200, 30, 40))
    for format_name in ("JPEG", "PNG"):
        pages = pages_of(encoded(picture, format_name), f"photo.{format_name.lower()}")
        assert len(pages) == 1
        assert pages[0].shape == (200, 300, 3) and pages[0].dtype == np.uint8
        red, green, blue = pages[0][100, 150]
        assert red > 180 and green < 60 and blue < 60


def test_heic_photos_are_read():
    picture = Image.new("RGB", (320, 240), (20, 40, 220))
    page, = pages_of(encoded(picture, "HEIF"), "IMG_0042.HEIC")
    assert page.shape == (240, 320, 3)
    assert page[120, 160, 2] > 180 and page[120, 160, 0] < 60


def test_a_phone_photo_stored_sideways_is_turned_upright():
    picture = Image.new("RGB", (400, 300), "white")
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to display
    page, = pages_of(encoded(picture, "JPEG", exif=exif), "photo.jpg")
    assert page.shape == (400, 300, 3)


def test_transparent_png_is_put_on_white():
    picture = Image.new("RGBA", (50, 50), (0, 0, 0, 0))
    page, = pages_of(encoded(picture, "PNG"), "logo.png")
    assert page.min() == 255


def test_an_image_only_pdf_is_rendered_at_200_dpi():
    pages = pages_of(image_only_pdf(pages=2), "scan.pdf")
    assert [page.shape for page in pages] == [(2339, 1654, 3)] * 2
    assert pages[0].mean() > 200 and pages[0].min() < 50  # a white page with ink on it


def test_a_multi_page_tiff_gives_one_page_per_frame():
    frames = [Image.new("L", (100, 140), shade) for shade in (250, 120, 10)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="TIFF", save_all=True, append_images=frames[1:])
    pages = pages_of(buffer.getvalue(), "scan.tif")
    assert [int(page[0, 0, 0]) for page in pages] == [250, 120, 10]


def test_an_empty_file_is_refused():
    with pytest.raises(UnreadableDocument, match=r"^facture\.pdf is empty \(0 bytes\)$"):
        pages_of(b"", "facture.pdf")


def test_a_truncated_image_is_refused():
    photo = encoded(Image.fromarray(scanned(render_page(invoice_pdf()))), "JPEG")
    with pytest.raises(UnreadableDocument, match="photo.jpg is a damaged or truncated image"):
        pages_of(photo[: len(photo) // 2], "photo.jpg")
    png = encoded(Image.new("RGB", (500, 500), "white"), "PNG")
    with pytest.raises(UnreadableDocument, match="scan.png is a damaged or truncated image"):
        pages_of(png[: len(png) - 40], "scan.png")


def test_a_truncated_or_corrupt_pdf_is_refused():
    pdf = invoice_pdf()
    with pytest.raises(UnreadableDocument, match="half.pdf is not a readable PDF"):
        pages_of(pdf[: len(pdf) // 2], "half.pdf")
    with pytest.raises(UnreadableDocument, match="junk.pdf is not a readable PDF"):
        pages_of(b"%PDF-1.7\n" + bytes(range(256)) * 40, "junk.pdf")


def test_a_file_that_is_neither_pdf_nor_image_is_refused():
    with pytest.raises(UnreadableDocument, match=r"notes.txt is neither a PDF nor an image .*JPEG, PNG"):
        pages_of(b"Facture 2026-001, montant 120,00 EUR", "notes.txt")


def test_a_pdf_protected_by_a_user_password_is_refused():
    from reportlab.lib.pdfencrypt import StandardEncryption

    locked = pdf_with_pages(1, encrypt=StandardEncryption("secret", ownerPassword="owner"))
    with pytest.raises(UnreadableDocument, match="locked.pdf is a PDF protected by a password"):
        page_count_of(locked, "locked.pdf")


def test_a_pdf_encrypted_without_user_password_opens_and_renders():
    from reportlab.lib.pdfencrypt import StandardEncryption

    restricted = pdf_with_pages(1, encrypt=StandardEncryption("", ownerPassword="owner", canPrint=0))
    page, = pages_of(restricted, "restricted.pdf")
    assert page.shape == (2339, 1654, 3)


def test_a_500_page_pdf_is_refused_at_once():
    long_pdf = pdf_with_pages(500)
    started = time.perf_counter()
    with pytest.raises(UnreadableDocument, match="long.pdf has 500 pages, more than the 50 pages OCR reads"):
        pages_of(long_pdf, "long.pdf")
    assert time.perf_counter() - started < 1.0
    assert page_count_of(long_pdf, "long.pdf", PageLimits(max_pages=500)) == 500


def test_20000_by_20000_images_are_refused_before_decoding():
    for content, filename in ((png_announcing(20000, 20000), "bomb.png"), (jpeg_announcing(20000, 20000), "big.jpg")):
        started = time.perf_counter()
        with pytest.raises(UnreadableDocument, match=f"{filename} announces a far too large image"):
            pages_of(content, filename)
        assert time.perf_counter() - started < 0.5


def test_a_real_decompression_bomb_is_refused_within_a_small_memory_budget():
    """A 48 KB PNG that would decode to 20000×20000 pixels (1.2 GB in RGB), read by a process limited to 1 GiB."""
    bomb = encoded(Image.new("1", (20000, 20000)), "PNG")
    assert len(bomb) < 100_000
    script = ("import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\n"
              "from jefacture_ocr.adapters.images import pages_of\n"
              "from jefacture_ocr.domain.reading import UnreadableDocument\n"
              "try:\n    pages_of(sys.stdin.buffer.read(), 'bomb.png')\n"
              "except UnreadableDocument as error:\n    print(error)\n")
    finished = subprocess.run([sys.executable, "-c", script], input=bomb, capture_output=True, timeout=60)
    assert finished.returncode == 0, finished.stderr.decode()
    assert finished.stdout.decode().strip() == "bomb.png announces a far too large image (decompression bomb guard)"


def test_large_jpeg_photos_are_decoded_reduced_and_large_pngs_refused():
    """63 MP is over the 60 MP limit: a JPEG is decoded at half size (then scaled to 4000 px), a PNG is refused."""
    huge = Image.new("L", (9000, 7000), 255)
    page, = pages_of(encoded(huge, "JPEG", quality=50), "photo.jpg")
    assert page.shape == (3111, 4000, 3)
    with pytest.raises(UnreadableDocument, match=r"scan.png is 9000×7000 pixels, more than the 60 MP"):
        pages_of(encoded(huge.convert("1"), "PNG"), "scan.png")


def test_a_huge_pdf_page_is_rendered_below_the_pixel_limit():
    giant = pdf_with_pages(1, pagesize=(14400, 14400))  # 5 m × 5 m: 400 MP at 200 dpi
    page = page_image(giant, "poster.pdf", 0, PageLimits(max_pixels=4_000_000))
    assert page.shape[0] * page.shape[1] <= 4_000_000
    assert page.shape[:2] == (2000, 2000)


def test_a_page_past_the_end_is_an_error():
    with pytest.raises(IndexError):
        page_image(encoded(Image.new("RGB", (10, 10)), "PNG"), "one.png", 1)
