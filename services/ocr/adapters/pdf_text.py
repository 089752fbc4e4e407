"""The text layer of a born-digital PDF, read with pypdfium2: the words of every page with their boxes.

PDFium is not thread-safe: call these functions from one thread per process.
"""
import time

import pypdfium2
import pypdfium2.raw as pdfium_c

from ..domain.invoice_reader import read_invoice
from ..domain.reading import Box, Reading, Word
from .images import open_pdf


def pdf_words(content: bytes, max_pages: int | None = None) -> tuple[list[list[Word]], int]:
    """The words of each page (at most max_pages pages), boxes in page fractions with the origin top-left as the
    page is displayed (rotation applied), and the document's page count."""
    pdf = open_pdf(content, "the PDF")
    try:
        page_count = len(pdf)
        read = page_count if max_pages is None else min(page_count, max_pages)
        return [_page_words(pdf, index) for index in range(read)], page_count
    finally:
        pdf.close()


def read_pdf_invoice(content: bytes, max_pages: int | None = None) -> Reading:
    """The born-digital step of the chain: the text layer read into fields."""
    started = time.perf_counter()
    pages, page_count = pdf_words(content, max_pages)
    reading = read_invoice(pages, page_count, kind="pdf_text")
    reading.seconds = time.perf_counter() - started
    return reading


def bench(pdf_bytes: bytes, repeat: int = 20) -> dict:
    """Time pdf_words + read_invoice end to end; the best of `repeat` runs, in milliseconds."""
    runs = []
    pages = 0
    for _ in range(max(1, repeat)):
        started = time.perf_counter()
        reading = read_pdf_invoice(pdf_bytes)
        runs.append(time.perf_counter() - started)
        pages = reading.page_count
    best, median = min(runs), sorted(runs)[len(runs) // 2]
    return {"pages": pages, "repeat": len(runs), "ms_per_document": round(best * 1000, 3),
            "ms_per_page": round(best * 1000 / max(pages, 1), 3),
            "median_ms_per_page": round(median * 1000 / max(pages, 1), 3)}


# typographic ligatures spelled out, soft hyphens and PDFium's hyphenation marks dropped, so that words match
_PLAIN = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
                        "\ufb05": "st", "\ufb06": "st", "\u00ad": None, "\x02": None})


def _page_words(pdf: pypdfium2.PdfDocument, index: int) -> list[Word]:
    page = pdf[index]
    text_page = page.get_textpage()
    try:
        to_fraction = _fraction_converter(page)
        words = ((text.translate(_PLAIN), first, last) for text, first, last in _tokens(text_page))
        return [Word(text, index + 1, to_fraction(*_span_box(text_page, first, last)))
                for text, first, last in words if text]
    finally:
        text_page.close()
        page.close()


def _page_text(text_page: pypdfium2.PdfTextPage) -> str:
    """The page's characters, one per char index (PDFium's text API may drop or insert some; then ask per char)."""
    count = text_page.count_chars()
    text = text_page.get_text_range() if count > 0 else ""
    if len(text) != count:
        text = "".join(chr(pdfium_c.FPDFText_GetUnicode(text_page, index) or 32) for index in range(count))
    return text


def _tokens(text_page: pypdfium2.PdfTextPage):
    """(text, first char index, last char index) for each run of non-space characters; PDFium already inserts
    spaces and line breaks where glyphs are apart, so whitespace delimits words."""
    text = _page_text(text_page)
    start = None
    for index, char in enumerate(text + " "):
        if char.isspace() or char == "\x00":
            if start is not None:
                yield text[start:index], start, index - 1
                start = None
        elif start is None:
            start = index
    return


def _char_box(text_page: pypdfium2.PdfTextPage, index: int, rect: pdfium_c.FS_RECTF) -> tuple[float, ...]:
    """(left, bottom, right, top) in PDF units: the loose box covers the font's ascent to descent, so that words
    set in one font size share one height, whatever their letters."""
    pdfium_c.FPDFText_GetLooseCharBox(text_page, index, rect)
    return rect.left, rect.bottom, rect.right, rect.top


def _span_box(text_page: pypdfium2.PdfTextPage, first: int, last: int) -> tuple[float, float, float, float]:
    rect = pdfium_c.FS_RECTF()
    left, bottom, right, top = _char_box(text_page, first, rect)
    if last != first:
        left2, bottom2, right2, top2 = _char_box(text_page, last, rect)
        left, bottom, right, top = min(left, left2), min(bottom, bottom2), max(right, right2), max(top, top2)
    return left, bottom, right, top


def _fraction_converter(page: pypdfium2.PdfPage):
    """PDF user space (origin bottom-left, unrotated) → fractions of the displayed page (origin top-left)."""
    x_min, y_min, x_max, y_max = page.get_bbox()
    width, height = (x_max - x_min) or 1.0, (y_max - y_min) or 1.0
    rotation = page.get_rotation() % 360

    def point(x: float, y: float) -> tuple[float, float]:
        across, up = (x - x_min) / width, (y - y_min) / height
        if rotation == 90:
            return up, across
        if rotation == 180:
            return 1 - across, up
        if rotation == 270:
            return 1 - up, 1 - across
        return across, 1 - up

    def to_fraction(left: float, bottom: float, right: float, top: float) -> Box:
        (ax, ay), (bx, by) = point(left, bottom), point(right, top)
        return Box(_clamp(min(ax, bx)), _clamp(min(ay, by)), _clamp(max(ax, bx)), _clamp(max(ay, by)))

    return to_fraction


def _clamp(value: float) -> float:
    return min(1.0, max(0.0, value))
