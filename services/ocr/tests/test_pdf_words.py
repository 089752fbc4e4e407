"""Words and their boxes from real PDFs made with reportlab, checked against where PDFium draws them."""
import io

import pypdfium2
import pytest
from PIL import ImageOps
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from jefacture_ocr.adapters.pdf_text import pdf_words
from jefacture_ocr.domain.reading import UnreadableDocument

WIDTH, HEIGHT = A4


def make_pdf(*pages: list[tuple[float, float, str]], rotation: int = 0, size: float = 12, **options) -> bytes:
    """Each page: (x, y from the top, text) in points."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True, **options)
    for items in pages:
        canvas.setPageRotation(rotation)
        canvas.setFont("Helvetica", size)
        for x, y, text in items:
            canvas.drawString(x, HEIGHT - y, text)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def ink_box(content: bytes, page_index: int = 0) -> tuple[float, float, float, float]:
    """Where PDFium actually paints dark pixels, as fractions of the displayed page."""
    pdf = pypdfium2.PdfDocument(content)
    try:
        image = pdf[page_index].render(scale=2, grayscale=True).to_pil()
    finally:
        pdf.close()
    left, top, right, bottom = ImageOps.invert(image).point(lambda value: 255 if value > 127 else 0).getbbox()
    return left / image.width, top / image.height, right / image.width, bottom / image.height


def test_each_word_has_its_text_page_and_box_in_page_fractions_from_the_top_left():
    pages, page_count = pdf_words(make_pdf([(100, 100, "Total HT   1 234,56 €"), (100, 400, "Électricité Bernard")]))
    assert page_count == 1 and len(pages) == 1
    assert [word.text for word in pages[0]] == ["Total", "HT", "1", "234,56", "€", "Électricité", "Bernard"]
    total = pages[0][0]
    assert total.page == 1 and total.confidence == 1.0
    assert total.box.x0 == pytest.approx(100 / WIDTH, abs=0.002)
    assert total.box.y0 < 100 / HEIGHT < total.box.y1  # the baseline is inside the box
    assert total.box.y1 - total.box.y0 == pytest.approx(12 * 1.17 / HEIGHT, rel=0.2)
    assert pages[0][5].box.y0 > total.box.y1


def test_word_boxes_match_the_rendered_ink():
    content = make_pdf([(200, 300, "FACTURE")], size=30)
    (word,), = pdf_words(content)[0]
    x0, y0, x1, y1 = ink_box(content)
    assert word.box.x0 <= x0 + 0.005 and x1 <= word.box.x1 + 0.005
    assert word.box.y0 <= y0 and y1 <= word.box.y1


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_boxes_follow_the_page_rotation(rotation):
    # reportlab lays a rotated A4 page out landscape (842 x 595 points): write where both layouts have room
    content = make_pdf([(60, HEIGHT - 500, "ROTATION")], rotation=rotation, size=30)
    (word,), = pdf_words(content)[0]
    x0, y0, x1, y1 = ink_box(content)
    assert word.box.x0 <= x0 + 0.01 and x1 <= word.box.x1 + 0.01
    assert word.box.y0 <= y0 + 0.01 and y1 <= word.box.y1 + 0.01


def test_pages_are_numbered_and_can_be_limited():
    content = make_pdf([(50, 50, "un")], [], [(50, 50, "trois")])
    pages, page_count = pdf_words(content)
    assert page_count == 3
    assert [[(word.text, word.page) for word in page] for page in pages] == [[("un", 1)], [], [("trois", 3)]]
    limited, page_count = pdf_words(content, max_pages=1)
    assert page_count == 3 and len(limited) == 1


@pytest.mark.parametrize("content, reason", [
    (b"", r"the PDF is empty \(0 bytes\)"),
    (b"%PDF-1.7\nnot really a pdf", r"the PDF is not a readable PDF \(damaged or truncated\)"),
    (make_pdf([(50, 50, "secret")])[:300], r"the PDF is not a readable PDF \(damaged or truncated\)"),
    (make_pdf([(50, 50, "secret")], encrypt="password"), "the PDF is a PDF protected by a password"),
])
def test_unreadable_pdfs_say_why(content, reason):
    with pytest.raises(UnreadableDocument, match=reason):
        pdf_words(content)
