"""The extraction chain: structured e-invoice, then the PDF's text layer, then OCR — the first step that reads the
document finishes the chain. One entry point for the service, the CLI and the evaluation."""
import time
from collections.abc import Callable

from .adapters.images import is_pdf
from .adapters.ocr_workers import OcrPage, read_document_here, words_by_page
from .adapters.pdf_text import read_pdf_invoice
from .adapters.structured import read_structured
from .domain.invoice_reader import read_invoice
from .domain.reading import Reading, UnreadableDocument

# Below this many characters per page, a PDF's text layer is a scan's stray text, not the invoice: OCR it.
MIN_TEXT_CHARS_PER_PAGE = 40
# A document none of these was found on is not taken for an invoice.
INVOICE_SIGNS = ("invoice_number", "total_incl_tax", "total_excl_tax", "supplier_siren", "supplier_vat", "issue_date")

OcrReader = Callable[[bytes, str], list[OcrPage]]


def extract(content: bytes, filename: str = "document", ocr: OcrReader = read_document_here) -> Reading:
    """Reads one document; UnreadableDocument (one line) when nothing can be read or it is not an invoice."""
    started = time.perf_counter()
    reading = read_without_ocr(content) or read_by_ocr(content, filename, ocr)
    return finished(reading, started)


def read_without_ocr(content: bytes) -> Reading | None:
    """The structured and text-layer steps (PDFium: one call at a time per process); None when OCR is needed."""
    if not content:
        raise UnreadableDocument("the file is empty (0 bytes)")
    return _structured(content) or _text_layer(content)


def read_by_ocr(content: bytes, filename: str, ocr: OcrReader) -> Reading:
    pages = ocr(content, filename)
    read = [page for page in pages if page.failure is None]
    if not read:
        reasons = "; ".join(f"page {page.number}: {page.failure}" for page in pages)
        raise UnreadableDocument(f"no page could be read by OCR ({reasons})")
    reading = read_invoice(words_by_page(pages), len(pages), kind="ocr")
    reading.findings.extend(f"page {page.number} not read: {page.failure}" for page in pages if page.failure)
    return reading


def finished(reading: Reading, started: float) -> Reading:
    if reading.kind in ("pdf_text", "ocr") and not any(name in reading.fields for name in INVOICE_SIGNS):
        raise UnreadableDocument("no invoice number, total, date, SIREN or VAT number was found: "
                                 "the document does not look like an invoice")
    reading.seconds = time.perf_counter() - started
    return reading


def _structured(content: bytes) -> Reading | None:
    try:
        return read_structured(content)
    except UnreadableDocument as error:
        if not is_pdf(content):
            raise
        # A PDF whose embedded invoice XML is broken is still a PDF: read it as one and say what was wrong.
        reading = _text_layer(content, force=True)
        reading.findings.insert(0, f"the embedded e-invoice XML is unusable: {error}")
        return reading


def _text_layer(content: bytes, force: bool = False) -> Reading | None:
    if not is_pdf(content):
        return None
    reading = read_pdf_invoice(content)
    if force or reading.text_chars >= MIN_TEXT_CHARS_PER_PAGE * max(reading.page_count, 1):
        return reading
    return None
