"""Checks shared by the tests of the held-out invoice layouts: render an invoice in a layout not yet in LAYOUTS, read
its pages back, and find the facts it misses, the text it draws over other text or off the page, and where it puts
the facts."""
import ctypes
import io
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from jefacture.extraction_eval.corpus import DEFAULT_SEED, build_invoice
from jefacture.extraction_eval.drawing import Writer
from jefacture.extraction_eval.layouts import Layout
from jefacture.extraction_eval.model import Invoice

# Invoices of the default seed with something to show: a short one, credit notes, foreign currencies, delivery
# addresses, purchase orders, three VAT rates, spaced identifiers, upper-case names, amounts without a currency sign,
# fifteen lines.
SAMPLES = (1, 7, 15, 17, 19, 25, 27, 39, 40, 54)
MM = 72 / 25.4
IDENTIFIERS = ("supplier_siren", "supplier_siret", "supplier_vat", "customer_siren", "customer_vat", "iban")
Layouts = dict[str, type[Layout]]


# -- drawing ---------------------------------------------------------------------------------------------------------
def render(invoice: Invoice, layouts: Layouts) -> bytes:
    """What render_pdf does once the layout is in LAYOUTS."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True, pageCompression=1)
    canvas.setTitle(invoice.number)
    layouts[invoice.layout](invoice, canvas).draw()
    canvas.save()
    return buffer.getvalue()


def sample(layout: str, index: int, copies: int = 1) -> Invoice:
    """Invoice `index` of the default seed drawn in `layout`, its lines repeated `copies` times."""
    invoice = replace(build_invoice(DEFAULT_SEED, index), layout=layout)
    return replace(invoice, lines=invoice.lines * copies)


def drawn(layouts: Layouts, layout: str, index: int, copies: int = 1) -> tuple[Invoice, bytes]:
    invoice = sample(layout, index, copies)
    return invoice, render(invoice, layouts)


# -- reading back ----------------------------------------------------------------------------------------------------
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


def missing_facts(invoice: Invoice, pdf: bytes) -> list[str]:
    """What the pages fail to say among the facts a reader is scored on, or say although the truth lacks it."""
    text = " ".join(page_texts(pdf))
    compact = "".join(text.split())
    truth = invoice.truth()
    missing = [f"value {value!r}" for value in printed_values(invoice) if value not in text]
    missing += [name for name in IDENTIFIERS if truth[name] and truth[name] not in compact]
    if not truth["customer_siren"] and invoice.customer.siret[:9] in compact.replace(truth["customer_vat"] or "", ""):
        missing.append("a customer SIREN the truth lacks is printed")
    if invoice.look.amount_format == "plain" and f"({invoice.currency})" not in text:
        missing.append("the currency of amounts written without one")  # the totals' labels must say it
    if invoice.currency not in text and invoice.currency != "EUR":
        missing.append(f"currency {invoice.currency}")
    if ("AVOIR" in text.upper()) != (invoice.document_type == "credit_note"):
        missing.append("whether it is a credit note")
    return missing


def missing_mentions(invoice: Invoice, pdf: bytes) -> list[str]:
    """The mandatory mentions of a French invoice the pages leave out."""
    text = " ".join(page_texts(pdf))
    party, w = invoice.supplier, Writer(invoice)
    mentions = (party.address.street, party.address.city, party.legal_form, f"RCS {party.rcs_city}", "40 €",
                "escompte", "intérêt légal", w.number(party.capital, 0))
    return [mention for mention in mentions if squashed(mention) not in text]


# -- text over text or off the page ------------------------------------------------------------------------------------
def visible(text_page, index: int) -> bool:
    if chr(pdfium_c.FPDFText_GetUnicode(text_page, index)).isspace():
        return False
    left, bottom, right, top = text_page.get_charbox(index)
    return right > left and top > bottom


def upright(text_page, index: int) -> bool:
    """A visible, unturned character outside the script face."""
    name = ctypes.create_string_buffer(128)
    pdfium_c.FPDFText_GetFontInfo(text_page, index, name, 128, ctypes.byref(ctypes.c_int()))
    return visible(text_page, index) and abs(pdfium_c.FPDFText_GetCharAngle(text_page, index)) < 0.01 and \
        b"CALLIG" not in name.value.upper()


def text_clashes(pdf: bytes, counted: Callable[[object, int], bool] = visible) -> list[tuple]:
    """Characters (those `counted`) that overlap another one by a quarter of their box, or lie outside the printable
    page."""
    document = pdfium.PdfDocument(pdf)
    clashes = []
    for number in range(len(document)):
        page = document[number]
        text_page = page.get_textpage()
        width, height = page.get_width(), page.get_height()
        boxes = np.array([text_page.get_charbox(i) for i in range(text_page.count_chars()) if counted(text_page, i)]
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


# -- where the facts sit -----------------------------------------------------------------------------------------------
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
