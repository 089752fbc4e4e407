"""The text layer of a born-digital PDF, read with pypdfium2."""
import pypdfium2

from ..domain.extraction import Extraction, UnreadableDocument


def read_pdf_text(content: bytes) -> Extraction:
    try:
        pdf = pypdfium2.PdfDocument(content)
    except pypdfium2.PdfiumError as error:
        raise UnreadableDocument(f"the PDF could not be opened: {error}") from None
    try:
        text_chars = 0
        for page in pdf:
            text_page = page.get_textpage()
            text_chars += len(text_page.get_text_range().strip())
            text_page.close()
            page.close()
        findings = () if text_chars else ("no text layer: the document needs OCR",)
        return Extraction(kind="pdf_text", page_count=len(pdf), text_chars=text_chars, findings=findings)
    finally:
        pdf.close()
