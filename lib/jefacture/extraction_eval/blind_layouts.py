"""Four held-out invoice layouts drawn blind: from what French invoices look like, without looking at the reader.

- utility_bill: an energy or telecom bill; "Votre facture du ..." top right, the customer in the envelope window,
  "Vos références" in a box, the amount to pay in a large shaded box on page one, the detail table below, the totals
  after it, a tear-off payment slip at the foot of the last page; the seller's identity runs up the left margin;
- bilingual: an exporter's "Facture / Invoice" in French and English; the references as a grid of bilingual cells
  under the title, seller and buyer as the two columns of one table whose rows are the facts (company name, address,
  SIREN, SIRET, VAT number), two-line bilingual column heads, a VAT summary table beside the totals;
- online_billing: an online billing service's invoice; the title and a stack of grey labels top left, a logo top
  right, seller, "Facturer à" and "Livrer à" in three columns, the amount due and its date as one large sentence, a
  borderless table, hairline totals ("Sous-total", "Montant dû"), the amount due repeated in every page's footer;
- erp_form: an accounting package's printed form in the invoice's own font; the title over a grid of cells top right
  (number, date, customer code, page), the customer in a rounded box, a row of reference cells, a framed table whose
  column rules run down to a fixed bottom ("Report" / "À reporter" between pages), the VAT grid, due date box and
  totals grid pinned at the foot of the last page.

They are `Flowing` layouts: pages break where the line items stop fitting. `HELD_OUT_LAYOUTS` maps names to classes.
"""
import zlib
from decimal import Decimal
from xml.sax.saxutils import escape

from reportlab.lib.colors import Color
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from .drawing import Sheet
from .fresh_layouts import flow, words
from .held_out_layouts import (
    NO_DISCOUNT,
    RGB,
    WHITE,
    Flowing,
    article_code,
    base_commands,
    fitting_size,
    place,
    service_date,
    table_of,
    tint,
)
from .layouts import GREY, PENALTIES, PENALTIES_EN, Layout, initials
from .model import SERVICES, Invoice, Line

HAIRLINE: RGB = (0.8, 0.8, 0.8)
ENGLISH_FACE = "Helvetica"  # the bilingual layout sets its English in a small grey sans under the French
DARK_GREY: RGB = (0.3, 0.3, 0.3)


def turned_text(s: Sheet, x: float, start: float, text: str, size: float, color: RGB) -> None:
    """`text` turned a quarter to read upwards, its baseline at `x` mm, its start `start` mm from the top."""
    canvas = s.canvas
    canvas.saveState()
    canvas.translate(x * mm, s.y(start))
    canvas.rotate(90)
    canvas.setFont(s.regular, size)
    canvas.setFillColor(Color(*color))
    canvas.drawString(0, 0, text)
    canvas.restoreState()


def web_domain(email: str) -> str:
    return email.partition("@")[2]


# -- (a) an energy or telecom bill -------------------------------------------------------------------------------------
class UtilityBill(Flowing):
    """An energy or telecom operator's bill: "Votre facture du ..." top right, the customer in the envelope window,
    "Vos références" boxed on the left, the amount to pay in a large shaded box, "Détail de votre facture" below it,
    the totals after the detail, a tear-off payment slip at the foot of the last page, and the seller's legal
    identity in a line running up the left margin of every page. Held out."""
    unseen = True
    name = "utility_bill"
    font = "Helvetica"
    size = 9
    left, right = 20.0, 195.0
    table_x = 20.0
    column_widths = (77, 22, 28, 20, 28)
    right_columns = (1, 2, 3, 4)
    wrapped_column = 0
    page_bottom = 276.0
    slip_top = 234.0

    def label_overrides(self) -> dict:
        return {"columns": ("Libellé", "Quantité", "Prix unitaire HT", "Taux TVA", "Montant HT"),
                "page": "Page {n}/{m}"}

    @property
    def has_slip(self) -> bool:
        return not self.credit

    def bottom(self, page: int, last: bool) -> float:
        return self.slip_top - 5 if last and self.has_slip else self.page_bottom

    def cells(self, line: Line) -> list[str]:
        w = self.w
        return [line.description, f"{w.quantity(line.quantity)} {line.unit}", w.number(line.unit_price),
                w.rate(line.vat_rate), w.number(line.amount)]

    def table_commands(self, row_count: int) -> list[tuple]:
        return [*base_commands(self.s, self.size - 0.5, self.right_columns),
                ("BACKGROUND", (0, 0), (-1, 0), Color(*tint(self.accent, 0.85))),
                *[("LINEBELOW", (0, row), (-1, row), 0.25, Color(*HAIRLINE)) for row in range(1, row_count - 1)],
                ("LINEBELOW", (0, -1), (-1, -1), 0.8, Color(*self.accent))]

    # -- page one ----------------------------------------------------------------------------------------------------
    def header(self) -> float:
        s, inv, w = self.s, self.invoice, self.w
        self.brand(12)
        s.text(self.right, 20, "Votre avoir" if self.credit else "Votre facture", 20, bold=True, color=self.accent,
               align="right")
        s.text(self.right, 27, f"du {w.date(inv.issue_date)}", 11, align="right")
        s.text(self.right, 32.5, f"N° {inv.number}", 9, align="right", color=GREY)
        below_references = self.reference_box(38)
        below_window = self.window(112, 46)
        below_amount = self.amount_box(112, max(below_window + 4, 78))
        return self.section_bar(max(below_references, below_amount) + 7, self.detail_title())

    def brand(self, top: float) -> None:
        s, party = self.s, self.invoice.supplier
        s.round_rect(self.left, top, 14, 14, 2.5, self.accent)
        s.text(self.left + 7, top + 9.3, initials(party.name), 8.5, bold=True, color=WHITE, align="center")
        name = self.w.party_name(party.name)
        s.text(self.left + 17, top + 6.5, name, fitting_size(lambda size: s.width(name, size, bold=True), 95,
                                                             (14, 12, 10.5)), bold=True, color=self.accent)
        s.text(self.left + 17, top + 12, f"Espace client : www.{web_domain(party.email)}", 8, color=GREY)

    def references(self) -> list[tuple[str, str]]:
        inv, w = self.invoice, self.w
        party = inv.customer
        pairs = [("N° client", inv.customer_code), ("N° d'avoir" if self.credit else "N° de facture", inv.number),
                 ("Date de l'avoir" if self.credit else "Date de facture", w.date(inv.issue_date)),
                 ("Date de livraison / prestation", w.date(service_date(inv)))]
        if inv.due_date:
            pairs.append(("Date d'échéance" if self.credit else "Date limite de paiement", w.date(inv.due_date)))
        if inv.original_invoice:
            pairs.append(("Facture d'origine", inv.original_invoice))
        if inv.purchase_order:
            pairs.append(("Votre référence de commande", inv.purchase_order))
        if party.siren:
            pairs.append(("Votre SIREN", w.siren(party.siren)))
        if party.vat:
            pairs.append(("Votre n° TVA intracom.", w.vat(party.vat)))
        if inv.currency != "EUR":
            pairs.append(("Devise de facturation", inv.currency))
        return pairs

    def reference_box(self, top: float) -> float:
        s, party = self.s, self.invoice.supplier
        x, width = self.left, 84.0
        pairs = self.references()
        height = 8 + 4.6 * len(pairs)
        s.rect(x, top, width, height, stroke=tint(self.accent, 0.4), line_width=0.5)
        s.text(x + 3, top + 5, "Vos références", 9, bold=True, color=self.accent)
        for number, (label, value) in enumerate(pairs):
            baseline = top + 10 + 4.6 * number
            s.text(x + 3, baseline, label, 8, color=GREY)
            s.text(x + width - 3, baseline, value, 8.5, bold=True, align="right")
        return s.lines(x, top + height + 5, ["Service clients", f"{party.phone} - {party.email}"], 8, leading=3.9,
                       bold_first=True)

    def window(self, x: float, top: float) -> float:
        s, inv, w = self.s, self.invoice, self.w
        party = inv.customer
        bottom = s.lines(x, top, [w.party_name(party.name), party.address.street,
                                  f"{party.address.postcode} {party.address.city}"], 10, leading=4.8,
                         bold_first=True)
        if inv.delivery:
            place_name = "Lieu de la prestation" if inv.operation_nature == SERVICES else "Adresse de livraison"
            s.text(x, bottom + 1.5, place_name, 8, color=GREY)
            bottom = s.lines(x, bottom + 5.5, self.delivery_lines(), 8.5, leading=4)
        return bottom

    def amount_box(self, x: float, top: float) -> float:
        s, inv, w = self.s, self.invoice, self.w
        width, height = self.right - x, 30.0
        s.rect(x, top, width, height, fill=tint(self.accent, 0.88), stroke=None)
        s.rect(x, top, 2, height, fill=self.accent, stroke=None)
        label = "Montant de l'avoir TTC" if self.credit else "Montant total à payer TTC"
        s.text(x + 6, top + 7, label + w.currency_note(), 9.5, bold=True)
        amount = w.money(inv.total_incl_tax)
        s.text(x + 6, top + 17.5, amount, fitting_size(lambda size: s.width(amount, size, bold=True), width - 10,
                                                       (20, 17, 14)), bold=True, color=self.accent)
        if self.credit:
            note = "Remboursé ou déduit de votre prochaine facture"
        elif inv.due_date:
            note = f"À régler avant le {w.date(inv.due_date)}"
        else:
            note = "À régler à réception"
        s.text(x + 6, top + 25, note, 9)
        if inv.iban and not self.credit:
            s.text(x, top + height + 5, "Paiement par virement : voir le talon de paiement", 8, color=GREY)
        return top + height + 5

    def section_bar(self, top: float, text: str) -> float:
        s = self.s
        s.rect(self.left, top, self.right - self.left, 6.5, fill=self.accent, stroke=None)
        s.text(self.left + 3, top + 4.6, text.upper(), 8.5, bold=True, color=WHITE)
        return top + 8.5

    def continuation_header(self, page: int) -> float:
        s, inv, w = self.s, self.invoice, self.w
        self.brand(12)
        kind = "Votre avoir" if self.credit else "Votre facture"
        s.text(self.right, 20, f"{kind} n° {inv.number} du {w.date(inv.issue_date)}", 9.5, bold=True, align="right")
        return self.section_bar(32, f"{self.detail_title()} (suite)")

    def detail_title(self) -> str:
        return f"Détail de votre {'avoir' if self.credit else 'facture'}"

    # -- after the detail --------------------------------------------------------------------------------------------
    def closing(self, top: float) -> float:
        return max(self.total_rows(112, top + 5), self.conditions(self.left, top + 5))

    def total_rows(self, x: float, top: float) -> float:
        s, inv, w = self.s, self.invoice, self.w
        note = w.currency_note()
        rows = [("Total hors TVA" + note, w.money(inv.total_excl_tax))]
        rows += [(f"TVA {w.rate(vat.rate)} sur {w.number(vat.base)}", w.money(vat.tax)) for vat in inv.vat_totals]
        rows.append(("Total TVA", w.money(inv.total_tax)))
        for number, (label, value) in enumerate(rows):
            s.text(x + 2, top + 4 + 4.8 * number, label, 8.5)
            s.text(self.right - 2, top + 4 + 4.8 * number, value, 8.5, align="right")
        strip = top + 1 + 4.8 * len(rows)
        s.rect(x, strip, self.right - x, 7.5, fill=tint(self.accent, 0.85), stroke=None)
        last = ("Total de l'avoir TTC" if self.credit else "Total TTC") + note
        s.text(x + 2, strip + 5.2, last, 9.5, bold=True)
        s.text(self.right - 2, strip + 5.2, w.money(inv.total_incl_tax), 9.5, bold=True, align="right")
        return strip + 7.5

    def conditions(self, x: float, top: float) -> float:
        s, inv, w = self.s, self.invoice, self.w
        lines = []
        if inv.show_nature:
            lines.append(f"Nature de l'opération : {w.nature()}")
        if inv.payment_terms:
            lines.append(f"Conditions de paiement : {inv.payment_terms}")
        if inv.iban and not self.has_slip:
            lines += [f"IBAN {w.iban(inv.iban)}", f"BIC {inv.bic}"]
        bottom = s.lines(x, top + 4, lines, 8.5, leading=4.4)
        small = flow(s, words(NO_DISCOUNT, PENALTIES), 86, 7)
        return s.lines(x, bottom + 1, small, 7, leading=3.3, color=DARK_GREY)

    # -- every page --------------------------------------------------------------------------------------------------
    def footer(self, page: int, page_count: int) -> None:
        s = self.s
        self.margin_identity()
        s.text(self.right, 290, self.labels["page"].format(n=page, m=page_count), 7.5, align="right", color=GREY)
        if page == page_count and self.has_slip:
            self.slip(self.slip_top)

    def margin_identity(self) -> None:
        s, party, w = self.s, self.invoice.supplier, self.w
        text = (f"{w.party_name(party.name)} - {party.legal_form} au capital de {w.number(Decimal(party.capital), 0)} €"
                f" - Siège social : {party.address.one_line()} - RCS {party.rcs_city} {w.siren(party.siren)} - "
                f"SIRET {w.siret(party.siret)} - N° TVA intracommunautaire {w.vat(party.vat)} - Code APE {party.ape}")
        size = fitting_size(lambda size: s.width(text, size), 262, (6.5, 6, 5.5, 5))
        turned_text(s, 12.5, 284, text, size, DARK_GREY)

    def slip(self, top: float) -> None:
        """The tear-off payment slip (talon de paiement) the customer sends back with a cheque or keeps for a
        transfer."""
        s, inv, w = self.s, self.invoice, self.w
        s.hline(self.left, self.right, top, 0.5, GREY, dash=(3, 2))
        s.text(self.left, top + 7, "TALON DE PAIEMENT", 9, bold=True, color=self.accent)
        s.text(self.left + 38, top + 7, "à détacher et à joindre à votre règlement", 8, italic=True, color=GREY)
        lines = [f"Client : {w.party_name(inv.customer.name)}", f"N° client : {inv.customer_code}",
                 f"Facture n° {inv.number} du {w.date(inv.issue_date)}"]
        if inv.due_date:
            lines.append(f"Date limite de paiement : {w.date(inv.due_date)}")
        s.lines(self.left, top + 13, lines, 8.5, leading=4.3)
        box = 136.0
        s.rect(box, top + 10, self.right - box, 17, stroke=self.accent, line_width=0.8)
        s.text(box + 3, top + 15, "Montant à régler" + w.currency_note(), 8.5, color=GREY)
        s.text(self.right - 3, top + 23.5, w.money(inv.total_incl_tax), 13, bold=True, align="right")
        if inv.iban:
            pay = [f"Par virement au bénéficiaire {w.party_name(inv.supplier.name)}",
                   f"IBAN {w.iban(inv.iban)} - BIC {inv.bic}"]
        else:
            pay = [f"Par chèque à l'ordre de {w.party_name(inv.supplier.name)}"]
        s.lines(self.left, top + 34, pay, 8.5, leading=4.3)
        cents = int(inv.total_incl_tax * 100)
        key = zlib.crc32(f"{inv.customer_code}{inv.number}{cents}".encode()) % 97
        code = f"{inv.customer_code} {''.join(ch for ch in inv.number if ch.isalnum())} {cents:012d} {key:02d}"
        s.canvas.setFont("Courier", 9)
        s.canvas.drawRightString(self.right * mm, s.y(top + 46), code)


# -- (b) a French / English invoice ------------------------------------------------------------------------------------
class Bilingual(Flowing):
    """An exporter's bilingual invoice: every label in French with its English under or after it, the references in a
    grid of cells under "FACTURE / INVOICE", seller and buyer as the two value columns of one table whose rows name the
    facts, two-line column heads, a VAT summary table beside the totals, the payment and the penalties in both
    languages. Held out."""
    unseen = True
    name = "bilingual"
    font = "Times"
    size = 9.5
    left, right = 15.0, 195.0
    column_widths = (70, 16, 16, 28, 20, 30)
    right_columns = (1, 3, 4, 5)
    wrapped_column = 0
    page_bottom = 268.0
    headings = (("Désignation", "Description"), ("Qté", "Qty"), ("Unité", "Unit"), ("Prix unitaire HT", "Unit price"),
                ("TVA", "VAT"), ("Montant HT", "Amount"))

    def label_overrides(self) -> dict:
        return {"page": "Page {n}/{m}"}

    def style(self, size: float, right: bool = False) -> ParagraphStyle:
        return ParagraphStyle("cell", fontName=self.s.regular, fontSize=size, leading=size * 1.18,
                              alignment=TA_RIGHT if right else 0)

    def both(self, french: str, english: str, size: float, right: bool = False, bold: bool = True) -> Paragraph:
        """The French words over their English translation, smaller, grey and in a sans-serif face."""
        french = f"<b>{escape(french)}</b>" if bold else escape(french)
        english = f'<font face="{ENGLISH_FACE}" size="{size - 0.8}" color="#666666">{escape(english)}</font>'
        return Paragraph(f"{french}<br/>{english}", self.style(size, right))

    def in_english(self, x: float, top: float, text: str, size: float) -> None:
        """English words as they sit under the French ones."""
        canvas = self.s.canvas
        canvas.setFont(ENGLISH_FACE, size)
        canvas.setFillColor(Color(*GREY))
        canvas.drawString(x * mm, self.s.y(top), text)
        canvas.setFillColor(Color(0, 0, 0))

    def columns(self) -> list:
        return [self.both(french, english, 8, right=number in self.right_columns)
                for number, (french, english) in enumerate(self.headings)]

    def table_commands(self, row_count: int) -> list[tuple]:
        black = Color(0, 0, 0)
        return [*base_commands(self.s, self.size - 0.8, self.right_columns),
                ("BACKGROUND", (0, 0), (-1, 0), Color(*tint(self.accent, 0.85))), ("BOX", (0, 0), (-1, -1), 0.6, black),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, black), ("LINEAFTER", (0, 0), (-2, -1), 0.3, Color(*GREY)),
                ("VALIGN", (0, 1), (-1, -1), "TOP"), ("TOPPADDING", (0, 1), (-1, -1), 1.2),
                ("BOTTOMPADDING", (0, 1), (-1, -1), 1.6)]

    # -- page one ----------------------------------------------------------------------------------------------------
    def header(self) -> float:
        s, party, w = self.s, self.invoice.supplier, self.w
        name = w.party_name(party.name)
        s.text(self.left, 19, name, fitting_size(lambda size: s.width(name, size, bold=True), 100, (15, 13, 11.5)),
               bold=True, color=self.accent)
        s.lines(self.left, 25, [party.address.street, f"{party.address.postcode} {party.address.city} - France",
                                f"Tél. / Phone : {party.phone}", party.email], 9, leading=4.2)
        s.text(self.right, 19, "AVOIR" if self.credit else "FACTURE", 20, bold=True, color=self.accent, align="right")
        s.text(self.right, 25.5, "CREDIT NOTE" if self.credit else "INVOICE", 12, italic=True, color=GREY,
               align="right")
        below_references = self.reference_rows(92, 36)
        return self.parties(max(below_references, 42) + 6) + 6

    def reference_rows(self, x: float, top: float) -> float:
        s, inv, w = self.s, self.invoice, self.w
        pairs = [(("N° d'avoir", "Credit note no.") if self.credit else ("N° de facture", "Invoice no."), inv.number),
                 (("Date", "Date of issue"), w.date(inv.issue_date)),
                 (("Date de livraison", "Date of supply"), w.date(service_date(inv)))]
        if inv.due_date:
            pairs.append((("Date d'échéance", "Due date"), w.date(inv.due_date)))
        if inv.original_invoice:
            pairs.append((("Facture d'origine", "Original invoice"), inv.original_invoice))
        if inv.purchase_order:
            pairs.append((("Votre commande", "Your order"), inv.purchase_order))
        pairs.append((("Code client", "Customer code"), inv.customer_code))
        if inv.currency != "EUR":
            pairs.append((("Devise", "Currency"), inv.currency))
        width = (self.right - x) / 3
        for number, ((french, english), value) in enumerate(pairs):
            left, baseline = x + width * (number % 3), top + 11.5 * (number // 3)
            if number % 3 == 0:
                s.hline(x, self.right, baseline - 3.6, 0.3, HAIRLINE)
            s.text(left, baseline, french, 8)
            self.in_english(left, baseline + 3, english, 6.5)
            size = fitting_size(lambda size, value=value: s.width(value, size, bold=True), width - 2, (10, 9, 8))
            s.text(left, baseline + 7.4, value, size, bold=True)
        return top + 11.5 * ((len(pairs) + 2) // 3) - 3.6

    def parties(self, top: float) -> float:
        inv, w, s = self.invoice, self.w, self.s
        seller, buyer = inv.supplier, inv.customer
        missing = "—"
        rows = [
            (("Raison sociale", "Company name"), f"<b>{escape(w.party_name(seller.name))}</b>",
             f"<b>{escape(w.party_name(buyer.name))}</b>"),
            (("Adresse", "Address"), self.address(seller.address), self.address(buyer.address)),
            (("SIREN", "Company registration no."), w.siren(seller.siren), w.siren(buyer.siren) or missing),
            (("SIRET", "Establishment no."), w.siret(seller.siret), missing),
            (("N° TVA intracommunautaire", "VAT identification no."), w.vat(seller.vat), w.vat(buyer.vat) or missing)]
        if inv.delivery:
            rows.append((("Adresse de livraison", "Delivery address"), missing, self.address(inv.delivery)))
        value_style = self.style(9.5)
        table = [["", self.both("Émetteur", "Seller", 8.5), self.both("Destinataire", "Buyer", 8.5)]]
        table += [[self.both(french, english, 7.8, bold=False), Paragraph(seller_value, value_style),
                   Paragraph(buyer_value, value_style)] for (french, english), seller_value, buyer_value in rows]
        commands = [*base_commands(s, 8.5), ("GRID", (0, 0), (-1, -1), 0.4, Color(*GREY)),
                    ("BACKGROUND", (1, 0), (-1, 0), Color(*tint(self.accent, 0.75))),
                    ("BACKGROUND", (0, 1), (0, -1), Color(*tint(self.accent, 0.93))),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("TOPPADDING", (0, 0), (-1, -1), 1.6),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2.2)]
        return place(s, table_of(table, [48, 66, 66], commands), self.left, top)

    @staticmethod
    def address(address) -> str:
        return f"{escape(address.street)}<br/>{escape(address.postcode)} {escape(address.city)}"

    def continuation_header(self, page: int) -> float:
        s, inv = self.s, self.invoice
        kind = "Avoir / Credit note" if self.credit else "Facture / Invoice"
        s.text(self.left, 19, f"{kind} {inv.number} (suite / continued)", 11, bold=True)
        s.text(self.right, 19, self.w.party_name(inv.supplier.name), 9, align="right", color=GREY)
        return 25.0

    # -- the last page -----------------------------------------------------------------------------------------------
    def closing(self, top: float) -> float:
        below_summary = self.vat_summary(top + 5)
        below_totals = self.total_rows(top + 5)
        return self.payment(max(below_summary, below_totals) + 5)

    def vat_summary(self, top: float) -> float:
        s, inv, w = self.s, self.invoice, self.w
        rows = [[self.both("Taux TVA", "VAT rate", 7.8, right=True), self.both("Base HT", "Taxable amount", 7.8,
                                                                                right=True),
                 self.both("Montant TVA", "VAT amount", 7.8, right=True)]]
        rows += [[w.rate(vat.rate), w.number(vat.base), w.number(vat.tax)] for vat in inv.vat_totals]
        commands = [*base_commands(s, 9, (0, 1, 2)), ("GRID", (0, 0), (-1, -1), 0.4, Color(*GREY)),
                    ("BACKGROUND", (0, 0), (-1, 0), Color(*tint(self.accent, 0.9)))]
        return place(s, table_of(rows, [22, 30, 28], commands), self.left, top)

    def total_rows(self, top: float) -> float:
        s, inv, w = self.s, self.invoice, self.w
        note = w.currency_note()
        rows = [(f"Total HT / Total excl. VAT{note}", w.money(inv.total_excl_tax)),
                ("Total TVA / Total VAT", w.money(inv.total_tax))]
        x = 108.0
        for number, (label, value) in enumerate(rows):
            s.text(x, top + 4 + 5.2 * number, label, 9.5)
            s.text(self.right, top + 4 + 5.2 * number, value, 9.5, align="right")
        box = top + 1.5 + 5.2 * len(rows)
        s.rect(x - 2, box, self.right - x + 4, 8, stroke=self.accent, line_width=1)
        last = ("Total de l'avoir TTC / Credit total" if self.credit else "Total TTC / Total due") + note
        s.text(x, box + 5.5, last, 10.5, bold=True)
        s.text(self.right, box + 5.5, w.money(inv.total_incl_tax), 10.5, bold=True, align="right")
        return box + 8

    def payment(self, top: float) -> float:
        s, inv, w = self.s, self.invoice, self.w
        lines = []
        if inv.payment_terms:
            lines.append(("Conditions de paiement / Payment terms :", inv.payment_terms))
        if inv.iban:
            lines.append(("Virement bancaire / Bank transfer :", f"IBAN {w.iban(inv.iban)} - BIC {inv.bic}"))
        if inv.show_nature:
            lines.append(("Nature de l'opération / Type of supply :", w.nature()))
        for label, value in lines:
            s.text(self.left, top, label, 8.5, bold=True)
            s.text(self.left + s.width(label + " ", 8.5, bold=True), top, value, 9)
            top += 4.6
        french = flow(s, words(NO_DISCOUNT, PENALTIES), self.right - self.left, 7.5)
        english = [" ".join(words("No discount for early payment.", PENALTIES_EN))]
        top = s.lines(self.left, top + 1.5, french, 7.5, leading=3.3, color=DARK_GREY)
        for line in english:
            self.in_english(self.left, top, line, 6.8)
            top += 3.3
        return top

    def footer(self, page: int, page_count: int) -> None:
        s, party, w = self.s, self.invoice.supplier, self.w
        s.hline(self.left, self.right, 276, 0.5, self.accent)
        s.text(105, 280.5, f"{w.party_name(party.name)} - {party.legal_form} au capital de "
                           f"{w.number(Decimal(party.capital), 0)} € - RCS {party.rcs_city} {w.siren(party.siren)} - "
                           f"Code APE {party.ape}", 7, align="center", color=DARK_GREY)
        english = f"{party.legal_form} with a share capital of {w.number(Decimal(party.capital), 0)} EUR, " \
                  f"registered in {party.rcs_city}"
        self.in_english(105 - pdfmetrics.stringWidth(english, ENGLISH_FACE, 6.5) / mm / 2, 284, english, 6.5)
        s.text(self.right, 290, self.labels["page"].format(n=page, m=page_count), 7.5, align="right")


# -- (c) an online billing service's invoice ---------------------------------------------------------------------------
class OnlineBilling(Flowing):
    """An invoice sent by an online billing service: the title and a stack of grey labels top left, a logo top right,
    the seller, "Facturer à" and "Livrer à" in three columns, the amount due and its date as one large sentence, a
    borderless table, hairline totals from "Sous-total" to "Montant dû", the payment beside them, the legal small print
    last and the amount due repeated in every page's footer. Held out."""
    unseen = True
    name = "online_billing"
    font = "Vera"
    size = 8.5
    left, right = 16.0, 194.0
    table_x = 16.0
    column_widths = (80, 20, 30, 16, 32)
    right_columns = (1, 2, 3, 4)
    wrapped_column = 0
    page_bottom = 272.0
    column_gap = 60.0

    def label_overrides(self) -> dict:
        return {"columns": ("Description", "Qté", "Prix unitaire", "TVA", "Montant"), "page": "Page {n} sur {m}"}

    def cells(self, line: Line) -> list[str]:
        w = self.w
        return [line.description, f"{w.quantity(line.quantity)} {line.unit}", w.money(line.unit_price),
                w.rate(line.vat_rate), w.money(line.amount)]

    def table_commands(self, row_count: int) -> list[tuple]:
        s = self.s
        return [*base_commands(s, self.size - 0.5, self.right_columns), ("FONT", (0, 0), (-1, 0), s.regular, 7.5),
                ("TEXTCOLOR", (0, 0), (-1, 0), Color(*GREY)), ("LINEBELOW", (0, 0), (-1, 0), 0.5, Color(*GREY)),
                ("LEFTPADDING", (0, 0), (0, -1), 0), ("RIGHTPADDING", (-1, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 1), (-1, -1), 3), ("BOTTOMPADDING", (0, 1), (-1, -1), 3)]

    # -- page one ----------------------------------------------------------------------------------------------------
    def header(self) -> float:
        s = self.s
        s.text(self.left, 22, "Avoir" if self.credit else "Facture", 18, bold=True)
        self.logo(self.right - 18, 12, 18)
        top = self.meta_stack(31)
        top = self.party_columns(top + 7)
        return self.amount_due(top + 9) + 8

    def logo(self, x: float, top: float, side: float) -> None:
        s = self.s
        s.round_rect(x, top, side, side, side / 5, self.accent)
        s.text(x + side / 2, top + side * 0.64, initials(self.invoice.supplier.name), side * 0.5, bold=True,
               color=WHITE, align="center")

    def meta_stack(self, top: float) -> float:
        s, inv, w = self.s, self.invoice, self.w
        pairs = [("Numéro d'avoir" if self.credit else "Numéro de facture", inv.number),
                 ("Date d'émission", w.date(inv.issue_date))]
        if inv.due_date:
            pairs.append(("Date d'échéance", w.date(inv.due_date)))
        if inv.original_invoice:
            pairs.append(("Facture d'origine", inv.original_invoice))
        if inv.purchase_order:
            pairs.append(("Bon de commande", inv.purchase_order))
        pairs.append(("Référence client", inv.customer_code))
        if inv.currency != "EUR":
            pairs.append(("Devise", inv.currency))
        for number, (label, value) in enumerate(pairs):
            s.text(self.left, top + 4.4 * number, label, 8, color=GREY)
            s.text(self.left + 36, top + 4.4 * number, value, 8.5, bold=number == 0)
        return top + 4.4 * len(pairs)

    def party_columns(self, top: float) -> float:
        inv, w = self.invoice, self.w
        seller, buyer = inv.supplier, inv.customer
        columns = [(None, [w.party_name(seller.name), seller.address.street,
                           f"{seller.address.postcode} {seller.address.city}", seller.phone, seller.email,
                           f"SIRET {w.siret(seller.siret)}", f"Numéro de TVA {w.vat(seller.vat)}"])]
        billed = [w.party_name(buyer.name), buyer.address.street, f"{buyer.address.postcode} {buyer.address.city}"]
        if buyer.siren:
            billed.append(f"SIREN {w.siren(buyer.siren)}")
        if buyer.vat:
            billed.append(f"Numéro de TVA {w.vat(buyer.vat)}")
        columns.append(("Facturer à", billed))
        if inv.delivery:
            columns.append(("Livrer à", [w.party_name(buyer.name), *self.delivery_lines()]))
        return max(self.party_column(self.left + self.column_gap * number, top, caption, lines)
                   for number, (caption, lines) in enumerate(columns))

    def party_column(self, x: float, top: float, caption: str | None, lines: list[str]) -> float:
        s, room = self.s, self.column_gap - 4
        if caption:
            s.text(x, top, caption, 8, color=GREY)
        top += 4.6
        name, *rest = lines
        for part in s.wrap(name, room, self.size, bold=True):
            s.text(x, top, part, bold=True)
            top += 4
        for line in rest:
            for part in s.wrap(line, room, self.size):
                s.text(x, top, part)
                top += 4
        return top

    def amount_due(self, top: float) -> float:
        s, inv, w = self.s, self.invoice, self.w
        amount = w.money(inv.total_incl_tax) + w.currency_note()
        if self.credit:
            sentence = f"{amount} crédités sur votre compte"
        elif inv.due_date:
            sentence = f"{amount} dus le {w.date(inv.due_date)}"
        else:
            sentence = f"{amount} à régler dès réception"
        s.text(self.left, top, sentence, 14, bold=True)
        if self.credit or not inv.iban:
            return top + 2
        link = f"https://factures.{web_domain(inv.supplier.email)}/payer/{inv.customer_code.lower()}"
        s.text(self.left, top + 6, f"Payer en ligne : {link}", 8.5, color=self.accent)
        return top + 8

    def continuation_header(self, page: int) -> float:
        s, inv = self.s, self.invoice
        s.text(self.left, 20, f"{'Avoir' if self.credit else 'Facture'} {inv.number} (suite)", 11, bold=True)
        self.logo(self.right - 11, 12, 11)
        return 30.0

    # -- the last page -----------------------------------------------------------------------------------------------
    def closing(self, top: float) -> float:
        bottom = max(self.total_rows(104, top + 6), self.payment(self.left, top + 6))
        return self.small_print(bottom + 8)

    def total_rows(self, x: float, top: float) -> float:
        s, inv, w = self.s, self.invoice, self.w
        note = w.currency_note()
        rows = [("Sous-total", w.money(inv.total_excl_tax)), ("Total hors TVA" + note, w.money(inv.total_excl_tax))]
        rows += [(f"TVA - France ({w.rate(vat.rate)} sur {w.number(vat.base)})", w.money(vat.tax))
                 for vat in inv.vat_totals]
        if len(inv.vat_totals) > 1:
            rows.append(("Total TVA", w.money(inv.total_tax)))
        rows += [("Total" + note, w.money(inv.total_incl_tax)),
                 (("Montant crédité" if self.credit else "Montant dû") + note, w.money(inv.total_incl_tax))]
        for number, (label, value) in enumerate(rows):
            last = number == len(rows) - 1
            baseline = top + 4 + 6 * number
            s.text(x, baseline, label, bold=last)
            s.text(self.right, baseline, value, bold=last, align="right")
            if not last:
                s.hline(x, self.right, baseline + 2.2, 0.3, HAIRLINE)
        return top + 4 + 6 * (len(rows) - 1)

    def payment(self, x: float, top: float) -> float:
        s, inv, w = self.s, self.invoice, self.w
        lines = []
        if inv.iban:
            lines += ["Virement bancaire", f"IBAN {w.iban(inv.iban)}", f"BIC {inv.bic}"]
        if inv.payment_terms:
            lines.append(f"Conditions : {inv.payment_terms}")
        if inv.show_nature:
            lines.append(f"Nature des opérations : {w.nature()}")
        return s.lines(x, top + 4, lines, 8, leading=4.4, bold_first=bool(inv.iban))

    def small_print(self, top: float) -> float:
        s, party, w = self.s, self.invoice.supplier, self.w
        identity = words(w.party_name(party.name), "-", f"{party.legal_form} au capital de",
                         f"{w.number(Decimal(party.capital), 0)} € -", f"{party.address.one_line()} -",
                         f"RCS {party.rcs_city} {w.siren(party.siren)} -", f"Code APE {party.ape}.", NO_DISCOUNT,
                         PENALTIES)
        return s.lines(self.left, top, flow(s, identity, self.right - self.left, 7), 7, leading=3.3, color=GREY)

    def footer(self, page: int, page_count: int) -> None:
        s, inv, w = self.s, self.invoice, self.w
        amount = w.money(inv.total_incl_tax) + w.currency_note()
        if self.credit:
            summary = f"Avoir de {amount}"
        elif inv.due_date:
            summary = f"{amount} dus le {w.date(inv.due_date)}"
        else:
            summary = f"{amount} à régler dès réception"
        s.text(self.left, 286, f"{inv.number} · {summary} · {self.labels['page'].format(n=page, m=page_count)}", 7.5,
               color=GREY)


# -- (d) an accounting package's printed form --------------------------------------------------------------------------
class ErpForm(Flowing):
    """An accounting package's printed form in the invoice's own font: the seller top left, the title over a grid of
    cells (number, date, customer code, page) top right, the customer in a rounded box, a row of reference cells, a
    framed table whose column rules run down to a fixed bottom with "Report" and "À reporter" between pages, and on
    the last page the VAT grid, the due date box and the totals grid pinned at its foot. Held out."""
    unseen = True
    name = "erp_form"
    size = 8.5
    left, right = 12.0, 198.0
    table_x = 12.0
    column_widths = (20, 72, 20, 24, 28, 22)
    right_columns = (2, 3, 4, 5)
    wrapped_column = 1
    block_top = 222.0
    page_bottom = 262.0

    def __init__(self, invoice: Invoice, canvas: Canvas):
        super().__init__(invoice, canvas)
        self.pages: list[list[Line]] = []  # known once the page loop has paginated

    def label_overrides(self) -> dict:
        return {"columns": ("Référence", "Désignation", "Quantité", "P.U. HT", "Montant HT", "Taux TVA")}

    def paginate(self) -> list[list[Line]]:
        self.pages = super().paginate()
        return self.pages

    def bottom(self, page: int, last: bool) -> float:
        return self.block_top - 6 if last else self.page_bottom

    def closing_height(self) -> float:
        return 0.0  # the totals are pinned to the foot of the last page, below `bottom`

    def cells(self, line: Line) -> list[str]:
        w = self.w
        return [article_code(line.description, "P"), line.description, f"{w.quantity(line.quantity)} {line.unit}",
                w.number(line.unit_price), w.number(line.amount), w.rate(line.vat_rate)]

    def table_commands(self, row_count: int) -> list[tuple]:
        return [*base_commands(self.s, self.size - 0.5, self.right_columns),
                ("BACKGROUND", (0, 0), (-1, 0), Color(*tint(self.accent, 0.8))),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, Color(0, 0, 0)), ("VALIGN", (0, 1), (-1, -1), "TOP")]

    def page_count(self) -> int:
        return len(self.pages) or 1

    def carried(self, page: int) -> Decimal:
        """The sum excluding tax of the lines on pages 1..page."""
        return sum((line.amount for lines in self.pages[:page] for line in lines), Decimal("0.00"))

    # -- the top of every page ---------------------------------------------------------------------------------------
    def header(self) -> float:
        inv = self.invoice
        self.letterhead(16)
        below = self.customer_box(118, self.title_block(12, 1) + 5)
        if inv.delivery:
            below = max(below, self.delivery_box(self.left, 52))
        return self.reference_cells(below + 7) + 4

    def letterhead(self, top: float) -> None:
        s, party, w = self.s, self.invoice.supplier, self.w
        name = w.party_name(party.name)
        s.text(self.left, top, name, fitting_size(lambda size: s.width(name, size, bold=True), 100, (13, 11.5, 10)),
               bold=True)
        s.lines(self.left, top + 5.5, [party.address.street, f"{party.address.postcode} {party.address.city}",
                                       f"Tél. : {party.phone}", f"Email : {party.email}",
                                       f"SIRET : {w.siret(party.siret)}", f"N° TVA : {w.vat(party.vat)}"], 8,
                leading=3.9)

    def title_block(self, top: float, page: int) -> float:
        s, inv, w = self.s, self.invoice, self.w
        x, width = 118.0, self.right - 118.0
        s.rect(x, top, width, 8, fill=self.accent, stroke=None)
        s.text(x + width / 2, top + 5.8, "AVOIR" if self.credit else "FACTURE", 12, bold=True, color=WHITE,
               align="center")
        rows = [["Numéro", "Date"], [inv.number, w.date(inv.issue_date)], ["Code client", "Page"],
                [inv.customer_code, f"{page}/{self.page_count()}"]]
        commands = [*base_commands(s, 8.5), ("FONT", (0, 2), (-1, 2), s.regular, 7),
                    ("FONT", (0, 0), (-1, 0), s.regular, 7), ("TEXTCOLOR", (0, 0), (-1, 0), Color(*GREY)),
                    ("TEXTCOLOR", (0, 2), (-1, 2), Color(*GREY)), ("FONT", (0, 1), (-1, 1), s.bold, 8.5),
                    ("BOX", (0, 0), (-1, -1), 0.6, Color(0, 0, 0)), ("INNERGRID", (0, 0), (-1, -1), 0.3, Color(*GREY)),
                    ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.4),
                    ("ALIGN", (0, 0), (-1, -1), "CENTER")]
        return place(s, table_of(rows, [width / 2, width / 2], commands), x, top + 8)

    def customer_box(self, x: float, top: float) -> float:
        s, inv, w = self.s, self.invoice, self.w
        party = inv.customer
        lines = [w.party_name(party.name), party.address.street, f"{party.address.postcode} {party.address.city}"]
        width = self.right - x
        lines = [part for line in lines for part in s.wrap(line, width - 6, 9.5)]
        height = 9 + 4.6 * len(lines)
        s.canvas.setLineWidth(0.6)
        s.canvas.roundRect(x * mm, s.y(top + height), width * mm, height * mm, 3 * mm, stroke=1, fill=0)
        s.text(x + 3, top + 4.2, "Adresse de facturation", 7, color=GREY)
        s.lines(x + 3, top + 9.2, lines, 9.5, leading=4.6, bold_first=True)
        return top + height

    def delivery_box(self, x: float, top: float) -> float:
        s = self.s
        s.canvas.setLineWidth(0.4)
        s.canvas.roundRect(x * mm, s.y(top + 18), 90 * mm, 18 * mm, 3 * mm, stroke=1, fill=0)
        s.text(x + 3, top + 4.2, "Adresse de livraison", 7, color=GREY)
        s.lines(x + 3, top + 9, self.delivery_lines(), 8.5, leading=4.2)
        return top + 18

    def reference_pairs(self) -> list[tuple[str, str]]:
        inv, w = self.invoice, self.w
        party = inv.customer
        pairs = [("Votre commande", inv.purchase_order or ""), ("Date d'échéance", w.date(inv.due_date)),
                 ("Mode de règlement", "Virement" if inv.iban else "Chèque"),
                 ("SIREN client", w.siren(party.siren)), ("N° TVA intracom. client", w.vat(party.vat)),
                 ("Facture d'origine", inv.original_invoice)]
        if inv.currency != "EUR":
            pairs.append(("Devise", inv.currency))
        return [(label, value) for label, value in pairs if value]

    def reference_cells(self, top: float) -> float:
        """The references as a row of cells across the page, on two rows when one is too narrow."""
        s, pairs = self.s, self.reference_pairs()
        room = self.right - self.left
        widths = [max(s.width(label, 7), s.width(value, 8.5, bold=True)) + 5 for label, value in pairs]
        rows, row, used = [], [], 0.0
        for pair, width in zip(pairs, widths, strict=True):
            if row and used + width > room:
                rows.append(row)
                row, used = [], 0.0
            row.append((pair, width))
            used += width
        rows.append(row)
        for row in rows:
            spare = (room - sum(width for _, width in row)) / len(row)
            table = [[label for (label, _), _ in row], [value for (_, value), _ in row]]
            commands = [*base_commands(s, 8.5), ("FONT", (0, 0), (-1, 0), s.regular, 7),
                        ("TEXTCOLOR", (0, 0), (-1, 0), Color(*GREY)), ("FONT", (0, 1), (-1, 1), s.bold, 8.5),
                        ("BOX", (0, 0), (-1, -1), 0.6, Color(0, 0, 0)),
                        ("LINEAFTER", (0, 0), (-2, -1), 0.3, Color(*GREY)), ("TOPPADDING", (0, 0), (-1, -1), 1),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.4), ("LEFTPADDING", (0, 0), (-1, -1), 2.5)]
            top = place(s, table_of(table, [width + spare for _, width in row], commands), self.left, top)
        return top

    def continuation_header(self, page: int) -> float:
        s = self.s
        s.text(self.left, 18, self.w.party_name(self.invoice.supplier.name), 11, bold=True)
        below = self.title_block(12, page)
        if self.pages:
            s.text(self.right, below + 5, f"Report : {self.w.money(self.carried(page - 1))}", 9, bold=True,
                   align="right")
        return below + 9

    # -- the framed table --------------------------------------------------------------------------------------------
    def items(self, top: float, lines: list[Line], page: int, page_count: int) -> float:
        s = self.s
        below = super().items(top, lines, page, page_count)
        frame_bottom = self.bottom(page, page == page_count)
        s.rect(self.table_x, top, sum(self.column_widths), frame_bottom - top, line_width=0.7)
        x = self.table_x
        for width in self.column_widths[:-1]:
            x += width
            s.vline(x, top, frame_bottom, 0.3, GREY)
        if page < page_count and self.pages:
            s.text(self.right, frame_bottom + 5, f"À reporter : {self.w.money(self.carried(page))}", 9, bold=True,
                   align="right")
        return below

    # -- the foot of the last page -----------------------------------------------------------------------------------
    def closing(self, top: float) -> float:
        top = self.block_top
        bottom = max(self.vat_grid(self.left, top), self.due_box(84, top), self.total_grid(129, top))
        return self.s.lines(self.left, bottom + 5, self.payment_lines(), 8, leading=4)

    def vat_grid(self, x: float, top: float) -> float:
        s, inv, w = self.s, self.invoice, self.w
        rows = [["Taux TVA", "Base HT", "Montant TVA"]]
        rows += [[w.rate(vat.rate), w.number(vat.base), w.number(vat.tax)] for vat in inv.vat_totals]
        commands = [*base_commands(s, 8, (0, 1, 2)), ("FONT", (0, 0), (-1, 0), s.regular, 7),
                    ("BACKGROUND", (0, 0), (-1, 0), Color(*tint(self.accent, 0.8))),
                    ("GRID", (0, 0), (-1, -1), 0.4, Color(0, 0, 0)), ("TOPPADDING", (0, 0), (-1, -1), 1.2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1.6), ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 2.5)]
        return place(s, table_of(rows, [18, 26, 24], commands), x, top)

    def due_box(self, x: float, top: float) -> float:
        s, inv, w = self.s, self.invoice, self.w
        width = 42.0
        lines = []
        if inv.due_date:
            lines.append(w.date(inv.due_date))
        if inv.payment_terms:
            lines += s.wrap(inv.payment_terms, width - 5, 7.5)
        height = 9 + 3.8 * max(len(lines), 1)
        s.rect(x, top, width, height, line_width=0.4)
        s.text(x + 2.5, top + 4, "Échéance" if inv.due_date else "Règlement", 7, color=GREY)
        for number, line in enumerate(lines):
            s.text(x + 2.5, top + 8.5 + 3.8 * number, line, 8 if number == 0 and inv.due_date else 7.5,
                   bold=number == 0 and bool(inv.due_date))
        return top + height

    def total_grid(self, x: float, top: float) -> float:
        s, inv, w = self.s, self.invoice, self.w
        note = w.currency_note()
        rows = [["Total HT" + note, w.money(inv.total_excl_tax)], ["Total TVA", w.money(inv.total_tax)],
                ["Total TTC" + note, w.money(inv.total_incl_tax)],
                [("Net à déduire" if self.credit else "NET À PAYER") + note, w.money(inv.total_incl_tax)]]
        size = fitting_size(lambda size: max(s.width(label, size, bold=True) + s.width(value, size, bold=True)
                                             for label, value in rows), self.right - x - 12, (8.5, 8, 7.5, 7))
        commands = [*base_commands(s, size, (1,)), ("FONT", (0, 0), (-1, -2), s.regular, size),
                    ("FONT", (0, -1), (-1, -1), s.bold, size), ("GRID", (0, 0), (-1, -1), 0.4, Color(0, 0, 0)),
                    ("BACKGROUND", (0, -1), (-1, -1), Color(*tint(self.accent, 0.75))),
                    ("TOPPADDING", (0, 0), (-1, -1), 1.4), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.8),
                    ("LEFTPADDING", (0, 0), (-1, -1), 2.5), ("RIGHTPADDING", (0, 0), (-1, -1), 2.5)]
        label_width = max(s.width(label, size, bold=True) for label, _ in rows) + 6
        return place(s, table_of(rows, [label_width, self.right - x - label_width], commands), x, top)

    def payment_lines(self) -> list[str]:
        inv, w = self.invoice, self.w
        lines = []
        if inv.iban:
            lines.append(f"Règlement par virement - IBAN : {w.iban(inv.iban)} - BIC : {inv.bic}")
        if inv.show_nature:
            lines.append(f"Nature de l'opération : {w.nature()}")
        return lines

    def footer(self, page: int, page_count: int) -> None:
        s = self.s
        lines = [line for text in self.legal_lines()[:1] for line in s.wrap(text, self.right - self.left, 6.5)]
        lines += flow(s, words(PENALTIES, NO_DISCOUNT), self.right - self.left, 6.5)
        s.lines(105, 276, lines, 6.5, leading=3.1, align="center", color=DARK_GREY)


HELD_OUT_LAYOUTS: dict[str, type[Layout]] = {layout.name: layout for layout in (
    UtilityBill, Bilingual, OnlineBilling, ErpForm)}
