"""The four fresh held-out layouts (fresh_layouts.py): each prints every fact a reader is scored on, breaks pages
where its lines run out of room without drawing text over text or off the page, and places the facts unlike every
other layout."""
import ctypes
import io
import re
from dataclasses import replace

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from jefacture.extraction_eval.corpus import DEFAULT_SEED, build_invoice
from jefacture.extraction_eval.drawing import Writer
from jefacture.extraction_eval.fresh_layouts import HELD_OUT_LAYOUTS
from jefacture.extraction_eval.generator import make_invoice
from jefacture.extraction_eval.layouts import LAYOUTS, UNSEEN_LAYOUTS, Layout, render_pdf
from jefacture.extraction_eval.model import Invoice

NEW = tuple(HELD_OUT_LAYOUTS)
# Invoices of the default seed with something to show: a short one, credit notes, foreign currencies, delivery
# addresses, purchase orders, three VAT rates, spaced identifiers, upper-case names, amounts without a currency sign,
# fifteen lines.
SAMPLES = (1, 7, 15, 17, 19, 25, 27, 39, 40, 54)
MM = 72 / 25.4
IDENTIFIERS = ("supplier_siren", "supplier_siret", "supplier_vat", "customer_siren", "customer_vat", "iban")


def render(invoice: Invoice) -> bytes:
    """What render_pdf does once the layout is in LAYOUTS."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True, pageCompression=1)
    canvas.setTitle(invoice.number)
    HELD_OUT_LAYOUTS[invoice.layout](invoice, canvas).draw()
    canvas.save()
    return buffer.getvalue()


def drawn(layout: str, index: int, copies: int = 1) -> tuple[Invoice, bytes]:
    invoice = replace(build_invoice(DEFAULT_SEED, index), layout=layout)
    invoice = replace(invoice, lines=invoice.lines * copies)
    return invoice, render(invoice)


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
              invoice.purchase_order, invoice.bic, invoice.original_invoice]
    if invoice.delivery:
        values += [invoice.delivery.street, f"{invoice.delivery.postcode} {invoice.delivery.city}"]
    if invoice.show_nature:
        values.append(w.nature())
    values += [text for vat in invoice.vat_totals for text in (w.rate(vat.rate), w.number(vat.tax), w.number(vat.base))]
    values += [text for line in invoice.lines for text in (line.description, w.number(line.amount),
                                                           w.number(line.unit_price), w.rate(line.vat_rate))]
    return [squashed(value) for value in values if value]


def test_the_four_layouts_are_fresh_held_out_layouts():
    assert NEW == ("fact_sheet", "web_shop", "mirrored", "running_text")
    for name, layout in HELD_OUT_LAYOUTS.items():
        assert issubclass(layout, Layout) and layout.unseen and layout.name == name
        if name in LAYOUTS:  # once wired in, they count as held out
            assert LAYOUTS[name] is layout and name in UNSEEN_LAYOUTS


@pytest.mark.parametrize("layout", NEW)
def test_every_fact_a_reader_is_scored_on_is_printed(layout):
    for index in SAMPLES:
        invoice, pdf = drawn(layout, index)
        text = " ".join(page_texts(pdf))
        compact = "".join(text.split())
        for value in printed_values(invoice):
            assert value in text, f"{layout} (invoice {index}) does not print {value!r}"
        truth = invoice.truth()
        for name in IDENTIFIERS:
            assert truth[name] is None or truth[name] in compact, f"{layout} (invoice {index}) misses its {name}"
        if not truth["customer_siren"]:  # a SIREN the truth lacks is not printed either (but in the VAT number)
            assert invoice.customer.siret[:9] not in compact.replace(truth["customer_vat"] or "", "")
        if invoice.look.amount_format == "plain":  # amounts without a currency: the totals' labels say it
            assert f"({invoice.currency})" in text, f"{layout} (invoice {index}) does not say its currency"
        if invoice.currency != "EUR":
            assert invoice.currency in text
        assert ("AVOIR" in text.upper()) == (invoice.document_type == "credit_note"), f"{layout} (invoice {index})"


@pytest.mark.parametrize("layout", NEW)
def test_every_mandatory_mention_is_printed(layout):
    for index in (1, 17, 40):
        invoice, pdf = drawn(layout, index)
        text = " ".join(page_texts(pdf))
        party, w = invoice.supplier, Writer(invoice)
        for mention in (party.address.street, party.address.city, party.legal_form, f"RCS {party.rcs_city}",
                        "40 €", "escompte", "intérêt légal"):
            assert squashed(mention) in text, f"{layout} (invoice {index}) does not mention {mention!r}"
        assert squashed(w.number(party.capital, 0)) in text


@pytest.mark.parametrize("layout", NEW)
def test_long_invoices_flow_onto_more_pages(layout):
    invoice, pdf = drawn(layout, 54, copies=5)  # 75 lines: a first, a middle and a last page at least
    w = Writer(invoice)
    pages = page_texts(pdf)
    assert len(pages) >= 3
    assert w.party_name(invoice.customer.name) in pages[0]
    total = squashed(w.money(invoice.total_incl_tax))
    totals_page = 0 if layout == "mirrored" else -1  # the mirrored layout puts its totals above the table
    assert total in pages[totals_page] and sum(total in page for page in pages) == 1
    amounts = [squashed(w.number(line.amount)) for line in invoice.lines]
    assert sum(page.count(amount) for page in pages for amount in set(amounts)) >= len(amounts)
    for number, page in enumerate(pages, start=1):
        assert re.search(rf"\b{number} ?(/|SUR) ?{len(pages)}\b", page.upper()), f"page {number} has no number"


def test_the_running_text_numbers_its_lines_on_across_pages():
    invoice, pdf = drawn("running_text", 54, copies=5)
    text = " ".join(page_texts(pdf))
    assert [int(number) for number in re.findall(r"(?:^| )(\d+)\. \D", text)] == list(range(1, 76))


@pytest.mark.parametrize("layout", NEW)
def test_an_invoice_that_fills_page_one_goes_on_to_page_two(layout):
    assert len(page_texts(drawn(layout, 1)[1])) == 1
    assert len(page_texts(drawn(layout, 54, copies=2)[1])) >= 2


@pytest.mark.parametrize("layout", NEW)
def test_no_text_runs_over_other_text_or_off_the_page(layout):
    for index in SAMPLES:
        for copies in (1, 2):
            assert text_clashes(drawn(layout, index, copies)[1]) == [], f"{layout} (invoice {index}, x{copies})"


def text_clashes(pdf: bytes) -> list[tuple]:
    """Characters that overlap another one by a quarter of their box, or lie outside the printable page."""
    document = pdfium.PdfDocument(pdf)
    clashes = []
    for number in range(len(document)):
        page = document[number]
        text_page = page.get_textpage()
        width, height = page.get_width(), page.get_height()
        boxes = np.array([text_page.get_charbox(i) for i in range(text_page.count_chars()) if visible(text_page, i)]
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


def visible(text_page, index: int) -> bool:
    if chr(pdfium_c.FPDFText_GetUnicode(text_page, index)).isspace():
        return False
    left, bottom, right, top = text_page.get_charbox(index)
    return right > left and top > bottom


# -- where the facts sit ---------------------------------------------------------------------------------------------
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


def test_the_fresh_layouts_place_the_facts_unlike_every_other_layout():
    base = make_invoice(DEFAULT_SEED, 3, "classic", "Helvetica")
    anchors = [base.number, base.customer.name, base.customer.address.street, base.supplier.address.street,
               base.lines[0].description]
    signatures = {name: anchor_positions(render_pdf(replace(base, layout=name)), anchors)
                  for name in LAYOUTS if name not in NEW}
    signatures |= {name: anchor_positions(render(replace(base, layout=name)), anchors) for name in NEW}
    assert len(signatures) >= 24
    for new in NEW:
        for other in signatures:
            if other != new:
                moved = [abs(a[0] - b[0]) + abs(a[1] - b[1]) > 8
                         for a, b in zip(signatures[new], signatures[other], strict=True)]
                assert sum(moved) >= 2, f"{new} and {other} place the facts alike: {signatures[new]}"


def test_the_fact_sheet_gives_every_fact_a_row_with_its_value_in_the_right_hand_cell():
    invoice, pdf = drawn("fact_sheet", 40)
    w = Writer(invoice)
    values = [invoice.number, w.date(invoice.issue_date), invoice.purchase_order, w.party_name(invoice.supplier.name),
              w.siret(invoice.supplier.siret), w.party_name(invoice.customer.name), invoice.customer.address.street]
    positions = anchor_positions(pdf, values)
    assert all(79 < x < 82 for x, _ in positions)  # in the value column, right of the label column
    assert [top for _, top in positions] == sorted(top for _, top in positions)


def test_the_web_shop_names_and_identifies_its_seller_only_in_the_small_print():
    invoice, pdf = drawn("web_shop", 40)
    party, w = invoice.supplier, Writer(invoice)
    document = pdfium.PdfDocument(pdf)
    text_page = document[0].get_textpage()
    height = document[0].get_height()
    for value in (w.party_name(party.name), w.siren(party.siren), w.siret(party.siret), w.vat(party.vat)):
        searcher = text_page.search(value)
        found = []
        while hit := searcher.get_next():
            found.append(hit)
        assert found, f"{value!r} is not on the page"
        for start, count in found:
            boxes = [text_page.get_charbox(i) for i in range(start, start + count)]
            assert all((height - top) / MM > 265 and top - bottom < 6.5 for _, bottom, _, top in boxes if top > bottom)
    document.close()


def test_the_mirrored_layout_puts_the_seller_right_of_the_customer_and_the_totals_above_the_table():
    invoice, pdf = drawn("mirrored", 40)
    w = Writer(invoice)
    seller, customer, total, first_line = anchor_positions(pdf, [
        invoice.supplier.address.street, invoice.customer.address.street, w.money(invoice.total_incl_tax),
        invoice.lines[0].description])
    assert seller[0] > customer[0] + 100 and total[0] > 150
    assert total[1] < first_line[1] - 20


def test_the_running_text_has_no_table_rule_or_box_and_one_monospaced_face():
    _, pdf = drawn("running_text", 27)
    document = pdfium.PdfDocument(pdf)
    page = document[0]
    kinds = {item.type for item in page.get_objects()}
    assert kinds == {pdfium_c.FPDF_PAGEOBJ_TEXT}
    text_page = page.get_textpage()
    name = ctypes.create_string_buffer(128)
    faces = set()
    for index in range(text_page.count_chars()):
        pdfium_c.FPDFText_GetFontInfo(text_page, index, name, 128, ctypes.byref(ctypes.c_int()))
        faces.add(name.value.decode())
    document.close()
    assert faces and all(face.startswith("Courier") for face in faces)


@pytest.mark.parametrize("layout", NEW)
def test_the_same_invoice_gives_the_same_bytes(layout):
    invoice, pdf = drawn(layout, 27)
    assert render(invoice) == pdf
