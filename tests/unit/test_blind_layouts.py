"""The fourth round of held-out layouts (blind_layouts.py): what defines each of them. What every drawn layout must do
is in test_drawn_layouts.py."""
from decimal import Decimal

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from jefacture.extraction_eval.blind_layouts import HELD_OUT_LAYOUTS
from jefacture.extraction_eval.drawing import Writer
from jefacture.extraction_eval.layouts import LAYOUTS, UNSEEN_LAYOUTS, Layout
from jefacture.extraction_eval.model import Invoice

from . import layout_checks as checks
from .layout_checks import MM, page_texts, squashed

NEW = tuple(HELD_OUT_LAYOUTS)


def drawn(layout: str, index: int, copies: int = 1) -> tuple[Invoice, bytes]:
    return checks.drawn(HELD_OUT_LAYOUTS, layout, index, copies)


def places(pdf: bytes, text: str, page: int = 0) -> list[tuple[float, float, float]]:
    """Where each occurrence of `text` on `page` starts: (left, top) in mm from the top-left corner, and the angle
    of its first character in degrees."""
    document = pdfium.PdfDocument(pdf)
    text_page = document[page].get_textpage()
    height = document[page].get_height()
    searcher, found = text_page.search(text), []
    while hit := searcher.get_next():
        left, _, _, top = text_page.get_charbox(hit[0])
        angle = pdfium_c.FPDFText_GetCharAngle(text_page, hit[0]) * 180 / 3.14159265
        found.append((left / MM, (height - top) / MM, angle))
    document.close()
    return found


def test_the_four_layouts_are_blind_held_out_layouts():
    assert NEW == ("utility_bill", "bilingual", "online_billing", "erp_form")
    for name, layout in HELD_OUT_LAYOUTS.items():
        assert issubclass(layout, Layout) and layout.unseen and layout.name == name
        assert LAYOUTS[name] is layout and name in UNSEEN_LAYOUTS


@pytest.mark.parametrize("layout", NEW)
def test_fifteen_lines_still_fit_on_page_one(layout):
    invoice, pdf = drawn(layout, 54)
    assert len(invoice.lines) == 15 and len(page_texts(pdf)) == 1


# -- what defines each layout ------------------------------------------------------------------------------------------
def test_the_utility_bill_writes_the_sellers_identity_up_the_left_margin_only():
    invoice, pdf = drawn("utility_bill", 40)
    party, w = invoice.supplier, Writer(invoice)
    for value in (w.siren(party.siren), w.siret(party.siret), w.vat(party.vat), f"RCS {party.rcs_city}"):
        found = places(pdf, value)
        assert found and all(left < 15 and round(angle) % 180 == 90 for left, _, angle in found), value


def test_the_utility_bill_shows_the_amount_to_pay_above_the_detail_and_again_on_the_tear_off_slip():
    invoice, pdf = drawn("utility_bill", 27, copies=3)
    w = Writer(invoice)
    total = squashed(w.money(invoice.total_incl_tax))
    first_line = places(pdf, invoice.lines[0].description)[0]
    assert any(top < first_line[1] - 10 for _, top, _ in places(pdf, total))
    last = len(page_texts(pdf)) - 1
    slip = places(pdf, "TALON DE PAIEMENT", last)
    assert slip and any(top > slip[0][1] for _, top, _ in places(pdf, total, last))
    credit_note, credit_pdf = drawn("utility_bill", 17)
    assert credit_note.document_type == "credit_note" and "TALON" not in " ".join(page_texts(credit_pdf))


def test_the_bilingual_invoice_puts_seller_and_buyer_in_the_two_columns_of_one_table():
    invoice, pdf = drawn("bilingual", 40)
    w = Writer(invoice)
    seller_name, buyer_name, seller_vat, buyer_vat = (
        next(place for place in places(pdf, text) if 50 < place[1] < 150)
        for text in (w.party_name(invoice.supplier.name), w.party_name(invoice.customer.name),
                     w.vat(invoice.supplier.vat), w.vat(invoice.customer.vat)))
    assert abs(seller_name[1] - buyer_name[1]) < 0.5 and abs(seller_vat[1] - buyer_vat[1]) < 0.5
    assert abs(seller_name[0] - seller_vat[0]) < 0.5 and abs(buyer_name[0] - buyer_vat[0]) < 0.5
    assert buyer_name[0] - seller_name[0] > 50 and seller_vat[1] > seller_name[1] + 10
    text = page_texts(pdf)[0]
    for french, english in (("FACTURE", "INVOICE"), ("Émetteur", "Seller"), ("Destinataire", "Buyer"),
                            ("Date d'échéance", "Due date"), ("Raison sociale", "Company name")):
        assert french in text and english in text


def test_the_online_invoice_says_the_amount_due_and_its_date_above_the_lines_and_at_the_foot_of_every_page():
    invoice, pdf = drawn("online_billing", 27, copies=5)
    w = Writer(invoice)
    due = f"{squashed(w.money(invoice.total_incl_tax))} dus le {w.date(invoice.due_date)}"
    pages = page_texts(pdf)
    assert all(due in page for page in pages)
    sentence = places(pdf, due)
    assert sentence[0][1] < places(pdf, invoice.lines[0].description)[0][1]
    assert all(top > 280 for _, top, _ in places(pdf, due, len(pages) - 1))


def test_the_erp_form_carries_the_running_total_from_page_to_page():
    invoice, pdf = drawn("erp_form", 27, copies=5)
    w = Writer(invoice)
    pages = page_texts(pdf)
    descriptions = set(line.description for line in invoice.lines)
    done, carried = 0, []
    for page in pages[:-1]:
        done += sum(page.count(description) for description in descriptions)
        carried.append(squashed(w.money(sum((line.amount for line in invoice.lines[:done]), Decimal("0.00")))))
    assert len(carried) >= 2 and carried == sorted(set(carried), key=carried.index)
    assert all(f"À reporter : {amount}" in page for page, amount in zip(pages[:-1], carried, strict=True))
    assert all(f"Report : {amount}" in page for page, amount in zip(pages[1:], carried, strict=True))


def test_the_erp_form_pins_its_totals_to_the_foot_of_the_last_page():
    tops = []
    for index, copies in ((1, 1), (27, 1), (27, 3)):
        invoice, pdf = drawn("erp_form", index, copies)
        last = len(page_texts(pdf)) - 1
        tops.append(places(pdf, "NET À PAYER", last)[0][1])
    assert max(tops) - min(tops) < 0.5 and tops[0] > 200
