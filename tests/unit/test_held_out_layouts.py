"""The four new held-out layouts: each prints every fact a reader is scored on, breaks pages where its lines run out of
room without drawing text over text or off the page, and places the facts unlike every other layout."""
import ctypes
import io
import re
from dataclasses import replace
from decimal import Decimal

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from jefacture.extraction_eval.corpus import DEFAULT_SEED, build_invoice
from jefacture.extraction_eval.drawing import Writer
from jefacture.extraction_eval.generator import make_invoice
from jefacture.extraction_eval.held_out_layouts import HELD_OUT_LAYOUTS, amount_in_words, number_in_words
from jefacture.extraction_eval.layouts import LAYOUTS, UNSEEN_LAYOUTS, Layout, render_pdf
from jefacture.extraction_eval.model import Invoice

NEW = tuple(HELD_OUT_LAYOUTS)
# Invoices of the default seed with something to show: a short one, credit notes, foreign currencies, delivery
# addresses, purchase orders, three VAT rates, spaced identifiers, upper-case names, fifteen lines.
SAMPLES = (1, 7, 15, 17, 19, 25, 27, 39, 40, 54)
MM = 72 / 25.4


def render(invoice: Invoice) -> bytes:
    """What render_pdf does once the layout is in LAYOUTS."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True, pageCompression=1)
    canvas.setTitle(invoice.number)
    HELD_OUT_LAYOUTS[invoice.layout](invoice, canvas).draw()
    canvas.save()
    return buffer.getvalue()


def page_texts(pdf: bytes) -> list[str]:
    document = pdfium.PdfDocument(pdf)
    try:
        return [" ".join(document[i].get_textpage().get_text_range().replace("\xa0", " ").split())
                for i in range(len(document))]
    finally:
        document.close()


def squashed(text: str | None) -> str:
    return " ".join((text or "").replace("\xa0", " ").split())


def printed_values(invoice: Invoice) -> list[str]:
    """Every ground-truth value as the layouts write it (identifiers are checked without their spaces)."""
    w = Writer(invoice)
    values = [invoice.number, w.party_name(invoice.supplier.name), w.party_name(invoice.customer.name),
              w.date(invoice.issue_date), w.date(invoice.due_date), w.money(invoice.total_excl_tax),
              w.money(invoice.total_tax), w.money(invoice.total_incl_tax), invoice.payment_terms,
              invoice.purchase_order, invoice.bic]
    if invoice.delivery:
        values += [invoice.delivery.street, f"{invoice.delivery.postcode} {invoice.delivery.city}"]
    if invoice.show_nature:
        values.append(w.nature())
    values += [text for vat in invoice.vat_totals for text in (w.rate(vat.rate), w.number(vat.tax), w.number(vat.base))]
    values += [text for line in invoice.lines for text in (line.description, w.number(line.amount))]
    return [squashed(value) for value in values if value]


def test_the_four_layouts_are_in_the_corpus_and_no_longer_held_out():
    assert NEW == ("delivery_note", "caps_boxes", "accountant", "artisan")
    assert set(NEW) <= set(LAYOUTS) and not set(NEW) & set(UNSEEN_LAYOUTS)  # studied in session 3
    for name, layout in HELD_OUT_LAYOUTS.items():
        assert issubclass(layout, Layout) and not layout.unseen and layout.name == name


@pytest.mark.parametrize("layout", NEW)
def test_every_fact_a_reader_is_scored_on_is_printed(layout):
    for index in SAMPLES:
        invoice = replace(build_invoice(DEFAULT_SEED, index), layout=layout)
        text = " ".join(page_texts(render(invoice)))
        compact = "".join(text.split())
        for value in printed_values(invoice):
            assert value in text, f"{layout} (invoice {index}) does not print {value!r}"
        for name, value in invoice.truth().items():
            if name in ("supplier_siren", "supplier_siret", "supplier_vat", "customer_siren", "customer_vat", "iban"):
                assert value is None or value in compact, f"{layout} (invoice {index}) misses its {name}"
        if invoice.look.amount_format == "plain":  # amounts without a currency: the totals' labels say it
            assert f"({invoice.currency})" in text, f"{layout} (invoice {index}) does not say its currency"
        assert ("AVOIR" in text.upper()) == (invoice.document_type == "credit_note"), f"{layout} (invoice {index})"


@pytest.mark.parametrize("layout", NEW)
def test_long_invoices_flow_onto_more_pages_with_the_totals_after_the_last_line(layout):
    invoice = replace(build_invoice(DEFAULT_SEED, 54), layout=layout)
    invoice = replace(invoice, lines=invoice.lines * 5)  # 75 lines: a first, a middle and a last page at least
    w = Writer(invoice)
    pages = page_texts(render(invoice))
    assert len(pages) >= 3
    assert w.party_name(invoice.customer.name) in pages[0]
    total = squashed(w.money(invoice.total_incl_tax))
    assert total in pages[-1] and not any(total in page for page in pages[:-1])
    amounts = [squashed(w.number(line.amount)) for line in invoice.lines]
    assert sum(page.count(amount) for page in pages for amount in set(amounts)) >= len(amounts)
    for number, page in enumerate(pages, start=1):
        assert re.search(rf"\b{number} ?(/|SUR) ?{len(pages)}\b", page.upper()), f"page {number} has no number"


@pytest.mark.parametrize("layout", NEW)
def test_an_invoice_that_fills_page_one_goes_on_to_page_two(layout):
    fifteen_lines = replace(build_invoice(DEFAULT_SEED, 54), layout=layout)
    one_line = replace(build_invoice(DEFAULT_SEED, 1), layout=layout)
    assert len(fifteen_lines.lines) == 15 and len(one_line.lines) == 1
    assert len(page_texts(render(one_line))) == 1
    assert len(page_texts(render(replace(fifteen_lines, lines=fifteen_lines.lines * 2)))) >= 2


@pytest.mark.parametrize("layout", NEW)
def test_no_text_runs_over_other_text_or_off_the_page(layout):
    for index in SAMPLES:
        invoice = replace(build_invoice(DEFAULT_SEED, index), layout=layout)
        for variant in (invoice, replace(invoice, lines=invoice.lines * 2)):
            assert text_clashes(render(variant)) == [], f"{layout} (invoice {index}, {len(variant.lines)} lines)"


def text_clashes(pdf: bytes) -> list[tuple]:
    """Characters that overlap another one by a quarter of their box, or lie outside the printable page; the stamp's
    turned letters and the script face's joined letters are left out."""
    document = pdfium.PdfDocument(pdf)
    clashes = []
    for number in range(len(document)):
        page = document[number]
        text_page = page.get_textpage()
        width, height = page.get_width(), page.get_height()
        boxes = np.array([text_page.get_charbox(i) for i in range(text_page.count_chars()) if upright(text_page, i)]
                         or np.zeros((0, 4)))
        outside = (boxes[:, 0] < 4 * MM) | (boxes[:, 2] > width - 4 * MM) | (boxes[:, 1] < 3 * MM) | \
            (boxes[:, 3] > height - 3 * MM)
        clashes += [(number + 1, "off the page", tuple(box / MM)) for box in boxes[outside]]
        first, second = np.nonzero(np.triu(overlap_shares(boxes) > 0.25, k=1))
        clashes += [(number + 1, "overlap", tuple(boxes[a] / MM), tuple(boxes[b] / MM))
                    for a, b in zip(first, second, strict=True)]
    document.close()
    return clashes


def overlap_shares(boxes: np.ndarray) -> np.ndarray:
    """For boxes (left, bottom, right, top): how much of the smaller of each two their intersection covers."""
    def shared(low: int, high: int) -> np.ndarray:
        return np.clip(np.minimum(boxes[:, None, high], boxes[None, :, high]) -
                       np.maximum(boxes[:, None, low], boxes[None, :, low]), 0, None)
    area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    return shared(0, 2) * shared(1, 3) / np.maximum(np.minimum(area[:, None], area[None, :]), 1e-6)


def upright(text_page, index: int) -> bool:
    """A visible, unturned character outside the script face."""
    if chr(pdfium_c.FPDFText_GetUnicode(text_page, index)).isspace():
        return False
    left, bottom, right, top = text_page.get_charbox(index)
    name = ctypes.create_string_buffer(128)
    pdfium_c.FPDFText_GetFontInfo(text_page, index, name, 128, ctypes.byref(ctypes.c_int()))
    return right > left and top > bottom and abs(pdfium_c.FPDFText_GetCharAngle(text_page, index)) < 0.01 and \
        b"CALLIG" not in name.value.upper()


def anchor_positions(pdf: bytes, texts: list[str]) -> list[tuple[float, float]]:
    """Where each text first appears on page 1, in mm from the top-left corner."""
    document = pdfium.PdfDocument(pdf)
    page = document[0]
    text_page = page.get_textpage()
    positions = []
    for text in texts:
        found = text_page.search(text).get_next()
        assert found, f"{text!r} is not on the page"
        left, _, _, top = text_page.get_charbox(found[0])
        positions.append((left / MM, (page.get_height() - top) / MM))
    document.close()
    return positions


def test_the_new_layouts_place_the_facts_unlike_every_other_layout():
    base = make_invoice(DEFAULT_SEED, 3, "classic", "Helvetica")
    anchors = [base.number, base.customer.name, base.customer.address.street, base.supplier.address.street,
               base.lines[0].description]
    signatures = {name: anchor_positions(render_pdf(replace(base, layout=name)), anchors) for name in LAYOUTS}
    signatures |= {name: anchor_positions(render(replace(base, layout=name)), anchors) for name in NEW}
    for new in NEW:
        for other in signatures:
            if other != new:
                moved = [abs(a[0] - b[0]) + abs(a[1] - b[1]) > 8
                         for a, b in zip(signatures[new], signatures[other], strict=True)]
                assert sum(moved) >= 2, f"{new} and {other} place the facts alike: {signatures[new]}"


@pytest.mark.parametrize("layout", NEW)
def test_the_same_invoice_gives_the_same_bytes(layout):
    invoice = replace(build_invoice(DEFAULT_SEED, 27), layout=layout)
    assert render(invoice) == render(invoice)


def test_amounts_are_written_out_in_french_words():
    assert [number_in_words(n) for n in (0, 1, 16, 17, 21, 71, 80, 81, 91, 100, 200, 201)] == [
        "zéro", "un", "seize", "dix-sept", "vingt et un", "soixante et onze", "quatre-vingts", "quatre-vingt-un",
        "quatre-vingt-onze", "cent", "deux cents", "deux cent un"]
    assert number_in_words(280_000) == "deux cent quatre-vingt mille"
    assert number_in_words(2_001_999) == "deux millions mille neuf cent quatre-vingt-dix-neuf"
    assert amount_in_words(Decimal("9135.12"), "CHF") == "neuf mille cent trente-cinq francs suisses et douze centimes"
    assert amount_in_words(Decimal("1.01"), "EUR") == "un euro et un centime"
