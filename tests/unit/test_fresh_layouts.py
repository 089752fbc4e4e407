"""The third round of held-out layouts (fresh_layouts.py): what defines each of them. What every drawn layout must do
is in test_drawn_layouts.py."""
import ctypes
import re

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from jefacture.extraction_eval.drawing import Writer
from jefacture.extraction_eval.fresh_layouts import HELD_OUT_LAYOUTS
from jefacture.extraction_eval.layouts import LAYOUTS, UNSEEN_LAYOUTS, Layout
from jefacture.extraction_eval.model import Invoice

from . import layout_checks as checks
from .layout_checks import MM, anchor_positions, page_texts

NEW = tuple(HELD_OUT_LAYOUTS)


def drawn(layout: str, index: int, copies: int = 1) -> tuple[Invoice, bytes]:
    return checks.drawn(HELD_OUT_LAYOUTS, layout, index, copies)


def test_the_four_layouts_are_in_the_corpus_and_no_longer_held_out():
    assert NEW == ("fact_sheet", "web_shop", "mirrored", "running_text")
    assert set(NEW) <= set(LAYOUTS) and not set(NEW) & set(UNSEEN_LAYOUTS)  # studied in session 4
    for name, layout in HELD_OUT_LAYOUTS.items():
        assert issubclass(layout, Layout) and not layout.unseen and LAYOUTS[name] is layout


def test_the_running_text_numbers_its_lines_on_across_pages():
    invoice, pdf = drawn("running_text", 54, copies=5)
    text = " ".join(page_texts(pdf))
    assert [int(number) for number in re.findall(r"(?:^| )(\d+)\. \D", text)] == list(range(1, 76))


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


