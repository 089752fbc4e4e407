"""Four invoice layouts designed without looking at the reader; held out until session 4 studied them to fix the
reader (see layouts.py's docstring), so no longer counted as unseen.

- fact_sheet: a "fiche"; every fact is a row of one bordered grid across the page (label cell left, value cell
  right) under section rows (document, seller, buyer), the line items after it, then the amounts and the payment as
  more rows of the same grid;
- web_shop: an online shop's invoice; a monogram and the shop's web address, the references in a grey band across
  the page, "Adresse de facturation" and "Adresse de livraison" side by side, a tax detail table, and the seller
  named and identified only in the small print at the foot of the page;
- mirrored: right to left; the seller in a column on the right, the customer on the left, the totals top right
  under the title with the references and the payment details left of them, the line items last;
- running_text: a plain monospaced letter; the facts told in sentences with "label : value" inside them, each
  line item a numbered sentence, no table, no rule, no box.

Like the other held-out layouts they are `Flowing`: pages break where the line items stop fitting.
`HELD_OUT_LAYOUTS` maps their names to their classes.
"""
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from reportlab.lib.colors import Color
from reportlab.pdfgen.canvas import Canvas

from .drawing import PAGE_WIDTH_MM, Sheet
from .held_out_layouts import (
    NO_DISCOUNT,
    RGB,
    WHITE,
    Flowing,
    article_code,
    base_commands,
    place,
    service_date,
    table_of,
    tint,
)
from .layouts import GREY, PENALTIES, Layout, initials
from .model import GOODS, SERVICES, Invoice, Line

LIGHT_GREY: RGB = (0.91, 0.91, 0.91)


# -- text that flows in sentences -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Whole:
    """A value a line break must not cut (an identifier, an amount, an address), with what follows it."""
    text: str


def words(*parts: str | Whole) -> list[str]:
    """The pieces a line may break between: plain text at its spaces, a `Whole` kept in one piece."""
    return [piece for part in parts
            for piece in ([part.text] if isinstance(part, Whole) else [word for word in part.split(" ") if word])]


def said(label: str, value: str) -> Whole:
    """A label and its value, which a line break must not part."""
    return Whole(f"{label} {value}")


def flow(s: Sheet, pieces: list[str], width: float, size: float, bold: bool = False,
         indent: float = 0.0) -> list[str]:
    """The pieces joined by spaces into lines no wider than `width` mm (the lines after the first `indent` mm
    narrower); a piece wider than a line gets a line of its own."""
    lines: list[str] = []
    line = ""
    for piece in pieces:
        candidate = f"{line} {piece}" if line else piece
        room = width - (indent if lines else 0.0)
        if line and s.width(candidate, size, bold) > room:
            lines.append(line)
            line = piece
        else:
            line = candidate
    return [*lines, line] if line else lines


# -- (a) a fact sheet: every fact a row of one grid -------------------------------------------------------------------
class FactSheet(Flowing):
    """A "fiche": one bordered two-column grid across the page holds every fact as a row, a label cell on the left
    and its value on the right, grouped under shaded section rows; the line items follow in a grid of the same width,
    then the amounts and the payment as more rows of the fact grid. Held out."""
    name = "fact_sheet"
    size = 8.5
    left, right = 15.0, 195.0
    label_width = 64.0
    column_widths = (66, 14, 16, 32, 22, 30)
    right_columns = (1, 3, 4, 5)
    wrapped_column = 0
    page_bottom = 270.0

    def label_overrides(self) -> dict:
        return {"columns": ("Libellé de l'article", "Qté", "Unité", "Prix unitaire HT", "Taux TVA", "Montant HT"),
                "continued": "{title} - référence {number} (suite)"}

    def table_commands(self, row_count: int) -> list[tuple]:
        black = Color(0, 0, 0)
        return [*base_commands(self.s, self.size - 0.5, self.right_columns),
                ("GRID", (0, 0), (-1, -1), 0.5, black), ("BACKGROUND", (0, 0), (-1, 0), Color(*LIGHT_GREY)),
                ("TOPPADDING", (0, 0), (-1, -1), 1.4), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.8)]

    # -- the grid of facts -------------------------------------------------------------------------------------------
    def grid(self, top: float, entries: list[tuple[str, str] | str], amounts: bool = False) -> float:
        """Draws `entries` as grid rows, a plain string being a section row; returns the grid's bottom."""
        s, size = self.s, self.size
        value_width = self.right - self.left - self.label_width
        rows: list[list[str]] = []
        black, accent = Color(0, 0, 0), Color(*self.accent)
        commands = [*base_commands(s, size), ("FONT", (0, 0), (-1, -1), s.regular, size),
                    ("TOPPADDING", (0, 0), (-1, -1), 1.3), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.7),
                    ("GRID", (0, 0), (-1, -1), 0.5, black),
                    ("BACKGROUND", (0, 0), (0, -1), Color(*tint(self.accent, 0.9)))]
        if amounts:
            commands.append(("ALIGN", (1, 0), (1, -1), "RIGHT"))
        for number, entry in enumerate(entries):
            if isinstance(entry, str):
                rows.append([entry.upper(), ""])
                commands += [("SPAN", (0, number), (1, number)), ("BACKGROUND", (0, number), (1, number), accent),
                             ("TEXTCOLOR", (0, number), (1, number), Color(*WHITE)),
                             ("FONT", (0, number), (1, number), s.bold, size - 0.5)]
            else:
                label, value = entry
                rows.append(["\n".join(s.wrap(label, self.label_width - 8.5, size)),
                             "\n".join(s.wrap(value, value_width - 8.5, size))])
        last = len(entries) - 1
        if amounts:  # the amount to pay stands out
            commands += [("FONT", (0, last), (1, last), s.bold, size + 1),
                         ("BACKGROUND", (0, last), (1, last), Color(*tint(self.accent, 0.7)))]
        return place(s, table_of(rows, [self.label_width, value_width], commands), self.left, top)

    def document_rows(self) -> list[tuple[str, str] | str]:
        inv, w = self.invoice, self.w
        kind = "avoir" if self.credit else "facture"
        rows: list[tuple[str, str] | str] = [
            "Document", ("Type de document", "Avoir" if self.credit else "Facture"),
            (f"Référence {kind}", inv.number), ("Date d'établissement", w.date(inv.issue_date)),
            ("Date de la vente ou de la prestation", w.date(service_date(inv)))]
        if inv.original_invoice:
            rows.append(("Avoir relatif à la facture", inv.original_invoice))
        if inv.due_date:
            rows.append(("Échéance de paiement", w.date(inv.due_date)))
        if inv.purchase_order:
            rows.append(("N° de bon de commande", inv.purchase_order))
        rows.append(("Numéro de compte client", inv.customer_code))
        if inv.currency != "EUR":
            rows.append(("Monnaie de facturation", inv.currency))
        return rows

    def seller_rows(self) -> list[tuple[str, str] | str]:
        party, w = self.invoice.supplier, self.w
        return ["Vendeur", ("Dénomination", w.party_name(party.name)), ("Siège social", party.address.one_line()),
                ("Forme juridique et capital",
                 f"{party.legal_form} au capital de {w.number(Decimal(party.capital), 0)} €"),
                ("Numéro SIREN", w.siren(party.siren)), ("Numéro SIRET", w.siret(party.siret)),
                ("Immatriculation", f"RCS {party.rcs_city} - Code APE {party.ape}"),
                ("Identifiant TVA", w.vat(party.vat)), ("Contact", f"{party.phone} - {party.email}")]

    def buyer_rows(self) -> list[tuple[str, str] | str]:
        inv, w = self.invoice, self.w
        party = inv.customer
        rows: list[tuple[str, str] | str] = ["Acheteur", ("Dénomination", w.party_name(party.name)),
                                             ("Adresse de facturation", party.address.one_line())]
        if party.siren:
            rows.append(("Numéro SIREN", w.siren(party.siren)))
        if party.vat:
            rows.append(("Identifiant TVA", w.vat(party.vat)))
        if inv.delivery:
            label = {GOODS: "Adresse de livraison des biens", SERVICES: "Lieu d'exécution de la prestation"}.get(
                inv.operation_nature, "Lieu de livraison et d'exécution")
            rows.append((label, inv.delivery.one_line()))
        return rows

    def amount_rows(self) -> list[tuple[str, str] | str]:
        inv, w = self.invoice, self.w
        note = w.currency_note()
        rows: list[tuple[str, str] | str] = ["Montants", ("Montant net HT" + note, w.money(inv.total_excl_tax))]
        for vat in inv.vat_totals:
            rate = w.rate(vat.rate)
            rows += [(f"Base HT soumise à la TVA à {rate}", w.money(vat.base)),
                     (f"Montant de la TVA à {rate}", w.money(vat.tax))]
        rows.append(("Montant de la TVA", w.money(inv.total_tax)))
        rows.append((("Montant de l'avoir TTC" if self.credit else "Net à payer TTC") + note,
                     w.money(inv.total_incl_tax)))
        return rows

    def payment_rows(self) -> list[tuple[str, str] | str]:
        inv, w = self.invoice, self.w
        rows: list[tuple[str, str] | str] = ["Règlement"]
        if inv.payment_terms:
            rows.append(("Délai de paiement", inv.payment_terms))
        if inv.iban:
            rows += [("Mode de paiement", "Virement bancaire"), ("Compte bancaire (IBAN)", w.iban(inv.iban)),
                     ("Code BIC", inv.bic)]
        if inv.show_nature:
            rows.append(("Catégorie d'opération", w.nature()))
        rows += [("Escompte", "Aucun escompte pour paiement anticipé"),
                 ("Pénalités de retard", "Trois fois le taux d'intérêt légal"),
                 ("Indemnité forfaitaire de recouvrement", "40 €")]
        return rows

    # -- the pages ---------------------------------------------------------------------------------------------------
    def header(self) -> float:
        s = self.s
        s.text(self.left, 20, self.title().capitalize(), 18, bold=True, color=self.accent)
        s.text(self.right, 20, "Original", 9, italic=True, color=GREY, align="right")
        return self.grid(26, [*self.document_rows(), *self.seller_rows(), *self.buyer_rows()]) + 6

    def continuation_header(self, page: int) -> float:
        s, inv = self.s, self.invoice
        s.text(self.left, 18, self.labels["continued"].format(title=self.title().capitalize(), number=inv.number), 11,
               bold=True)
        s.text(self.right, 18, self.w.party_name(inv.supplier.name), 9, align="right", color=GREY)
        return 24.0

    def closing(self, top: float) -> float:
        return self.grid(self.grid(top + 5, self.amount_rows(), amounts=True) + 3, self.payment_rows())

    def footer(self, page: int, page_count: int) -> None:
        s = self.s
        s.text(self.left, 285, f"{self.title().capitalize()} {self.invoice.number}", 7.5, color=GREY)
        s.text(self.right, 285, f"{page}/{page_count}", 7.5, align="right", color=GREY)


# -- (b) an online shop's invoice -------------------------------------------------------------------------------------
class WebShop(Flowing):
    """An online shop's invoice: a monogram and the shop's web address, the title top right, the references as cells
    in a grey band across the page, the billing and the delivery addresses side by side, the products, a tax detail
    table beside the totals and the payment; the seller's name and identifiers only in the small print at the foot.
    Held out."""
    name = "web_shop"
    font = "Helvetica"
    size = 8.5
    left, right = 15.0, 195.0
    column_widths = (70, 22, 28, 16, 16, 28)
    right_columns = (2, 3, 4, 5)
    wrapped_column = 0
    page_bottom = 262.0
    small_print_top = 271.0

    def label_overrides(self) -> dict:
        return {"columns": ("Produit", "Référence", "Prix unitaire HT", "Qté", "TVA", "Total HT"),
                "page": "Page {n}/{m}"}

    def cells(self, line: Line) -> list[str]:
        w = self.w
        return [line.description, article_code(line.description, "SKU-"), w.number(line.unit_price),
                f"{w.quantity(line.quantity)} {line.unit}", w.rate(line.vat_rate), w.number(line.amount)]

    def table_commands(self, row_count: int) -> list[tuple]:
        grey = Color(0.75, 0.75, 0.75)
        return [*base_commands(self.s, self.size - 0.5, self.right_columns),
                ("BACKGROUND", (0, 0), (-1, 0), Color(*LIGHT_GREY)), ("LINEBELOW", (0, 0), (-1, -1), 0.3, grey),
                ("TEXTCOLOR", (0, 0), (-1, 0), Color(0.25, 0.25, 0.25))]

    @property
    def web_address(self) -> str:
        return "www." + self.invoice.supplier.email.partition("@")[2]

    # -- page one ----------------------------------------------------------------------------------------------------
    def header(self) -> float:
        s = self.s
        self.monogram(self.left, 11, 17)
        s.text(self.left + 21, 18, self.web_address, 12, bold=True, color=self.accent)
        s.text(self.left + 21, 23.5, f"Service client : {self.invoice.supplier.phone}", 8, color=GREY)
        s.text(self.right, 21, self.title(), 20, bold=True, color=(0.3, 0.3, 0.3), align="right")
        bottom = self.reference_band(33)
        return self.addresses(bottom + 8) + 7

    def monogram(self, x: float, top: float, side: float) -> None:
        s = self.s
        s.circle(x + side / 2, top + side / 2, side / 2, self.accent)
        s.text(x + side / 2, top + side * 0.64, initials(self.invoice.supplier.name), side * 0.55, bold=True,
               color=WHITE, align="center")

    def references(self) -> list[tuple[str, str]]:
        inv, w = self.invoice, self.w
        kind = "l'avoir" if self.credit else "la facture"
        pairs = [(f"Numéro de {kind}", inv.number), (f"Date de {kind}", w.date(inv.issue_date))]
        if inv.original_invoice:
            pairs.append(("Remboursement de la facture", inv.original_invoice))
        if inv.purchase_order:
            pairs += [("Numéro de commande", inv.purchase_order),
                      ("Date de commande", w.date(inv.issue_date - timedelta(days=1 + inv.index % 5)))]
        shipped = {GOODS: "Date d'expédition", SERVICES: "Date de la prestation"}.get(inv.operation_nature,
                                                                                      "Date de livraison")
        pairs.append((shipped, w.date(service_date(inv))))
        if inv.due_date:
            pairs.append(("À régler au plus tard le", w.date(inv.due_date)))
        pairs.append(("Identifiant client", inv.customer_code))
        if inv.currency != "EUR":
            pairs.append(("Devise", inv.currency))
        return pairs

    def reference_band(self, top: float) -> float:
        """The references as cells in a grey band across the page, on as many rows of cells as they need."""
        s, pairs = self.s, self.references()
        widths = [max(s.width(label, 7), s.width(value, 9.5, bold=True)) + 6 for label, value in pairs]
        rows, row, used = [], [], 0.0
        for pair, width in zip(pairs, widths, strict=True):
            if row and used + width > self.right - self.left:
                rows.append(row)
                row, used = [], 0.0
            row.append((pair, width))
            used += width
        rows.append(row)
        height = 4 + 12 * len(rows)
        s.rect(0, top, PAGE_WIDTH_MM, height, fill=LIGHT_GREY, stroke=None)
        for number, row in enumerate(rows):
            spare = (self.right - self.left - sum(width for _, width in row)) / len(row)
            x, baseline = self.left, top + 6 + 12 * number
            for (label, value), width in row:
                s.text(x, baseline, label, 7, color=GREY)
                s.text(x, baseline + 5.5, value, 9.5, bold=True)
                x += width + spare
        return top + height

    def addresses(self, top: float) -> float:
        inv = self.invoice
        party, w = inv.customer, self.w
        billing = [w.party_name(party.name), party.address.street, f"{party.address.postcode} {party.address.city}"]
        if party.siren:
            billing.append(f"SIREN {w.siren(party.siren)}")
        if party.vat:
            billing.append(f"N° de TVA {w.vat(party.vat)}")
        bottom = self.address_block(self.left, top, "Adresse de facturation", billing)
        if inv.delivery:
            delivery = [w.party_name(party.name), *self.delivery_lines()]
            bottom = max(bottom, self.address_block(110, top, "Adresse de livraison", delivery))
        return bottom

    def address_block(self, x: float, top: float, caption: str, lines: list[str]) -> float:
        s = self.s
        s.text(x, top, caption, 9, bold=True, color=self.accent)
        s.hline(x, x + 80, top + 1.8, 0.4, GREY)
        return s.lines(x, top + 6.5, lines, 9, leading=4.4, bold_first=True)

    def continuation_header(self, page: int) -> float:
        s, inv = self.s, self.invoice
        self.monogram(self.left, 10, 11)
        s.text(self.left + 15, 17.5, self.web_address, 9, bold=True, color=self.accent)
        s.text(self.right, 17.5, f"{self.title().capitalize()} {inv.number} (suite)", 10, bold=True, align="right")
        return 25.0

    # -- the last page -----------------------------------------------------------------------------------------------
    def closing(self, top: float) -> float:
        below_taxes = self.tax_detail(top + 6)
        below_totals = self.total_rows(top + 6)
        return self.payment(max(below_taxes, below_totals) + 6)

    def tax_detail(self, top: float) -> float:
        s, inv, w = self.s, self.invoice, self.w
        s.text(self.left, top + 3, "Détail des taxes", 8.5, bold=True)
        rows = [["Taux de TVA", "Base HT", "Montant de taxe"]]
        rows += [[w.rate(vat.rate), w.number(vat.base), w.number(vat.tax)] for vat in inv.vat_totals]
        commands = [*base_commands(s, 8, (0, 1, 2)), ("BACKGROUND", (0, 0), (-1, 0), Color(*LIGHT_GREY)),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.3, Color(0.75, 0.75, 0.75))]
        return place(s, table_of(rows, [24, 30, 30], commands), self.left, top + 5)

    def total_rows(self, top: float) -> float:
        s, inv, w = self.s, self.invoice, self.w
        note = w.currency_note()
        last = ("Total remboursé (TTC)" if self.credit else "Total (TTC)") + note
        rows = [["Total produits (HT)" + note, w.money(inv.total_excl_tax)], ["Total taxes", w.money(inv.total_tax)],
                [last, w.money(inv.total_incl_tax)]]
        commands = [*base_commands(s, 9, (1,)), ("FONT", (0, 0), (-1, 1), s.regular, 9),
                    ("FONT", (0, -1), (-1, -1), s.bold, 10.5), ("BACKGROUND", (0, -1), (-1, -1), Color(*self.accent)),
                    ("TEXTCOLOR", (0, -1), (-1, -1), Color(*WHITE)),
                    ("LINEBELOW", (0, 0), (-1, -2), 0.3, Color(0.75, 0.75, 0.75))]
        return place(s, table_of(rows, [48, 34], commands), self.right - 82, top + 5)

    def payment(self, top: float) -> float:
        s, inv, w = self.s, self.invoice, self.w
        lines = []
        if inv.iban:
            lines += ["Mode de paiement : virement bancaire", f"IBAN {w.iban(inv.iban)} - BIC {inv.bic}"]
        if inv.payment_terms:
            lines.append(f"Conditions : {inv.payment_terms}")
        if inv.show_nature:
            lines.append(f"Catégorie d'opération : {w.nature()}")
        lines.append("Merci de votre commande !")
        s.text(self.left, top, "Paiement", 8.5, bold=True)
        return s.lines(self.left, top + 5, lines, 8.5, leading=4.3)

    def footer(self, page: int, page_count: int) -> None:
        s, party, w = self.s, self.invoice.supplier, self.w
        seller = words(Whole(f"Vente réalisée par {w.party_name(party.name)}"),
                       Whole(f"({party.legal_form} au capital de {w.number(Decimal(party.capital), 0)} €)"),
                       Whole(f"- Siège social : {party.address.one_line()}"),
                       Whole(f"- RCS {party.rcs_city} {w.siren(party.siren)}"),
                       Whole(f"- SIRET {w.siret(party.siret)}"),
                       Whole(f"- N° TVA intracommunautaire {w.vat(party.vat)}"), Whole(f"- Code APE {party.ape}"),
                       Whole(f"- {party.email}"))
        lines = [*flow(s, seller, 180, 6), *flow(s, words(PENALTIES, NO_DISCOUNT), 180, 6)]
        s.hline(self.left, self.right, self.small_print_top - 3.5, 0.3, GREY)
        s.lines(105, self.small_print_top, lines, 6, leading=2.9, align="center", color=(0.35, 0.35, 0.35))
        s.text(self.right, 291, self.labels["page"].format(n=page, m=page_count), 7, align="right", color=GREY)


# -- (c) right to left -------------------------------------------------------------------------------------------------
class Mirrored(Flowing):
    """A mirror of the usual page: the seller in a column on the right behind a coloured rule, the customer top left,
    the title and under it the totals on the right, the references and the payment details on the left, the line
    items last; the page number at the top. Held out."""
    name = "mirrored"
    font = "Times"
    size = 10
    left, right = 15.0, 195.0
    seller_x = 132.0
    column_widths = (80, 20, 30, 24, 26)
    right_columns = (1, 2, 3, 4)
    wrapped_column = 0
    page_bottom = 268.0

    def label_overrides(self) -> dict:
        return {"columns": ("Description", "Qté", "Prix unitaire HT", "Taux de TVA", "Total HT"),
                "page": "Page {n}/{m}"}

    def cells(self, line: Line) -> list[str]:
        w = self.w
        return [line.description, f"{w.quantity(line.quantity)} {line.unit}", w.number(line.unit_price),
                w.rate(line.vat_rate), w.number(line.amount)]

    def table_commands(self, row_count: int) -> list[tuple]:
        accent = Color(*self.accent)
        return [*base_commands(self.s, self.size - 0.8, self.right_columns),
                ("LINEABOVE", (0, 0), (-1, 0), 1.5, accent), ("LINEBELOW", (0, 0), (-1, 0), 0.5, accent),
                ("TEXTCOLOR", (0, 0), (-1, 0), accent), ("LINEBELOW", (0, -1), (-1, -1), 1.5, accent),
                *[("BACKGROUND", (0, row), (-1, row), Color(*tint(self.accent, 0.94)))
                  for row in range(2, row_count, 2)]]

    # -- page one ----------------------------------------------------------------------------------------------------
    def header(self) -> float:
        seller_bottom = self.seller(14)
        customer_bottom = self.customer(30)
        top = max(seller_bottom, customer_bottom) + 10
        s = self.s
        s.text(self.right, top + 6, self.title(), 24, bold=True, color=self.accent, align="right")
        totals_bottom = self.totals_box(top + 11)
        references_bottom = self.reference_rows(top)
        payment_bottom = self.payment_rows(references_bottom + 4)
        return max(totals_bottom, payment_bottom) + 9

    def seller(self, top: float) -> float:
        s, party, w = self.s, self.invoice.supplier, self.w
        x = self.seller_x
        name = s.wrap(w.party_name(party.name), self.right - x, 12, bold=True)
        for number, line in enumerate(name):
            s.text(x, top + 4 + 5 * number, line, 12, bold=True)
        address = [party.address.street, f"{party.address.postcode} {party.address.city}", f"Tél. {party.phone}",
                   party.email]
        bottom = s.lines(x, top + 4 + 5 * len(name) + 0.5, address, 9, leading=4.2)
        bottom = s.lines(x, bottom + 1.5, [f"Siren : {w.siren(party.siren)}", f"Siret : {w.siret(party.siret)}",
                                           f"N° de TVA : {w.vat(party.vat)}"], 9, leading=4.2)
        s.vline(x - 4, top, bottom - 2.5, 2.0, self.accent)
        return bottom

    def customer(self, top: float) -> float:
        s, inv = self.s, self.invoice
        s.text(self.left, top, "Avoir adressé à" if self.credit else "Facture adressée à", 8.5, color=GREY)
        party, w = inv.customer, self.w
        lines = [w.party_name(party.name), party.address.street, f"{party.address.postcode} {party.address.city}"]
        if party.siren:
            lines.append(f"Siren : {w.siren(party.siren)}")
        if party.vat:
            lines.append(f"N° de TVA : {w.vat(party.vat)}")
        bottom = s.lines(self.left, top + 6, lines, 10.5, leading=4.9, bold_first=True)
        if inv.delivery:
            s.text(self.left, bottom + 1.5, "Livraison effectuée au", 8.5, color=GREY)
            bottom = s.lines(self.left, bottom + 6, self.delivery_lines(), 10, leading=4.6)
        return bottom

    def totals_box(self, top: float) -> float:
        s, inv, w = self.s, self.invoice, self.w
        note = w.currency_note()
        rows = [("Total hors TVA" + note, w.money(inv.total_excl_tax))]
        rows += [(f"TVA {w.rate(vat.rate)} sur {w.number(vat.base)}", w.money(vat.tax)) for vat in inv.vat_totals]
        rows.append(("Montant de la TVA", w.money(inv.total_tax)))
        rows.append((("Montant de l'avoir TTC" if self.credit else "Montant à payer TTC") + note,
                     w.money(inv.total_incl_tax)))
        x, width = 118.0, self.right - 118.0
        s.rect(x, top, width, 3 + 5.3 * (len(rows) - 1), fill=tint(self.accent, 0.92), stroke=None)
        for number, (label, value) in enumerate(rows[:-1]):
            s.text(x + 3, top + 5 + 5.3 * number, label, 9.5)
            s.text(self.right - 3, top + 5 + 5.3 * number, value, 9.5, align="right")
        strip = top + 3 + 5.3 * (len(rows) - 1)
        s.rect(x, strip, width, 9, fill=self.accent, stroke=None)
        s.text(x + 3, strip + 6.2, rows[-1][0], 10.5, bold=True, color=WHITE)
        s.text(self.right - 3, strip + 6.2, rows[-1][1], 11, bold=True, color=WHITE, align="right")
        return strip + 9

    def reference_rows(self, top: float) -> float:
        s, inv, w = self.s, self.invoice, self.w
        pairs = [("Avoir no" if self.credit else "Facture no", inv.number), ("En date du", w.date(inv.issue_date)),
                 ("Livraison / prestation du", w.date(service_date(inv)))]
        if inv.original_invoice:
            pairs.append(("Rectifie la facture no", inv.original_invoice))
        if inv.due_date:
            pairs.append(("À payer pour le", w.date(inv.due_date)))
        if inv.purchase_order:
            pairs.append(("Votre bon de commande", inv.purchase_order))
        pairs.append(("Votre code client", inv.customer_code))
        if inv.currency != "EUR":
            pairs.append(("Devise de paiement", inv.currency))
        for number, (label, value) in enumerate(pairs):
            baseline = top + 5.2 * number
            s.text(self.left, baseline, label, 9, color=GREY)
            s.text(self.left + 44, baseline, value, 10, bold=number == 0)
        return top + 5.2 * len(pairs)

    def payment_rows(self, top: float) -> float:
        s, inv, w = self.s, self.invoice, self.w
        lines = []
        if inv.payment_terms:
            lines.append(("Paiement", inv.payment_terms))
        if inv.iban:
            lines += [("Domiciliation IBAN", w.iban(inv.iban)), ("Code BIC", inv.bic)]
        if inv.show_nature:
            lines.append(("Nature des opérations", w.nature()))
        for number, (label, value) in enumerate(lines):
            baseline = top + 5 * number
            s.text(self.left, baseline, label, 9, color=GREY)
            value_size = 10 if s.width(value, 10) < 118 - self.left - 46 else 8.5
            s.text(self.left + 44, baseline, value, value_size)
        return top + 5 * len(lines)

    def continuation_header(self, page: int) -> float:
        s, inv = self.s, self.invoice
        s.text(self.right, 18, self.w.party_name(inv.supplier.name), 11, bold=True, align="right")
        s.vline(self.right + 2.5, 13, 20, 2.0, self.accent)
        s.text(self.left, 24, f"{self.title().capitalize()} no {inv.number} (suite)", 10, bold=True)
        return 29.0

    # -- after the last line -----------------------------------------------------------------------------------------
    def closing(self, top: float) -> float:
        s = self.s
        text = words("Conditions :", NO_DISCOUNT, PENALTIES)
        lines = flow(s, text, self.right - self.left, 8)
        return s.lines(self.left, top + 7, lines, 8, leading=3.8, color=(0.3, 0.3, 0.3))

    def footer(self, page: int, page_count: int) -> None:
        s, party, w = self.s, self.invoice.supplier, self.w
        s.text(self.left, 9, self.labels["page"].format(n=page, m=page_count), 8, color=GREY)
        s.hline(self.left, self.right, 276, 0.4, self.accent)
        s.text(self.right, 281, f"{w.party_name(party.name)} - {party.legal_form} au capital de "
                                f"{w.number(Decimal(party.capital), 0)} € - RCS {party.rcs_city} "
                                f"{w.siren(party.siren)} - APE {party.ape}", 7, align="right", color=GREY)


# -- (d) a monospaced letter in sentences ------------------------------------------------------------------------------
class RunningText(Flowing):
    """A minimalist monospaced letter: the seller's name over one line of particulars, then every fact told in
    sentences where labels and values meet at colons, each line item a numbered sentence, the totals and how to pay
    as sentences too; no table, rule or box. Held out."""
    name = "running_text"
    font = "Courier"
    size = 9
    left, width = 20.0, 170.0
    leading = 4.3
    indent = 5.5
    page_bottom = 274.0

    def __init__(self, invoice: Invoice, canvas: Canvas):
        super().__init__(invoice, canvas)
        self.next_number = 1  # the number of the next line item written

    def label_overrides(self) -> dict:
        return {"page": "page {n}/{m}"}

    def paragraph(self, top: float, pieces: list[str], bold: bool = False, size: float | None = None,
                  indent: float = 0.0) -> float:
        """Writes the pieces as lines of running text; returns the top of the line after them."""
        s, size = self.s, size or self.size
        for number, line in enumerate(flow(s, pieces, self.width, size, bold, indent)):
            s.text(self.left + (indent if number else 0), top, line, size, bold=bold)
            top += self.leading
        return top

    def height(self, pieces: list[str], indent: float = 0.0) -> float:
        return self.leading * len(flow(self.s, pieces, self.width, self.size, indent=indent))

    # -- what the letter says ----------------------------------------------------------------------------------------
    def particulars(self) -> list[str]:
        party, w = self.invoice.supplier, self.w
        return words(Whole(f"{party.legal_form} au capital de {w.number(Decimal(party.capital), 0)} €,"),
                     Whole(f"{party.address.one_line()},"), said("tél. :", f"{party.phone},"),
                     said("courriel :", f"{party.email}."), said("SIREN :", f"{w.siren(party.siren)},"),
                     said("SIRET :", f"{w.siret(party.siret)},"),
                     said("TVA intracommunautaire :", f"{w.vat(party.vat)}."))

    def addressee(self) -> list[str]:
        party, w = self.invoice.customer, self.w
        pieces = words(said("À l'attention de :", f"{w.party_name(party.name)},"),
                       Whole(f"{party.address.one_line()}."))
        if party.siren:
            pieces += words(said("SIREN :", f"{w.siren(party.siren)}."))
        if party.vat:
            pieces += words(said("TVA :", f"{w.vat(party.vat)}."))
        return pieces

    def delivered_to(self) -> list[str]:
        inv = self.invoice
        if not inv.delivery:
            return []
        where = "Prestation réalisée au :" if inv.operation_nature == SERVICES else "Livraison effectuée au :"
        return words(said(where, f"{inv.delivery.one_line()}."))

    def reference_sentence(self) -> list[str]:
        inv, w = self.invoice, self.w
        kind, done = ("Avoir", "établi") if self.credit else ("Facture", "établie")
        pieces = words(said(f"{kind} n° :", f"{inv.number},"), said(f"{done} le :", f"{w.date(inv.issue_date)},"),
                       "pour une livraison ou une prestation", said("du :", f"{w.date(service_date(inv))}."))
        if inv.original_invoice:
            pieces += words("Il porte sur la", said("facture n° :", f"{inv.original_invoice}."))
        if inv.purchase_order:
            pieces += words(said("Votre commande n° :", f"{inv.purchase_order}."))
        pieces += words(said("Code client :", f"{inv.customer_code}."))
        if inv.currency != "EUR":
            pieces += words(said("Devise :", f"{inv.currency}."))
        return pieces

    def line_sentence(self, number: int, line: Line) -> list[str]:
        w = self.w
        return words(f"{number}.", f"{line.description} :", Whole(f"{w.quantity(line.quantity)} {line.unit}"),
                     Whole(f"à {w.number(line.unit_price)} HT"), "l'unité,", Whole(f"TVA à {w.rate(line.vat_rate)},"),
                     "soit un", Whole(f"montant HT de {w.number(line.amount)}."))

    def amount_sentence(self) -> list[str]:
        inv, w = self.invoice, self.w
        note = w.currency_note()
        last = "Montant de l'avoir TTC" if self.credit else "Net à payer TTC"
        pieces = words(said(f"Montant net HT{note} :", f"{w.money(inv.total_excl_tax)}."),
                       said("Montant de la TVA :", w.money(inv.total_tax)))
        for number, vat in enumerate(inv.vat_totals):
            pieces += words("(dont" if number == 0 else "et", said(f"TVA à {w.rate(vat.rate)} :", w.money(vat.tax)),
                            "sur une", said("base de", w.number(vat.base)))
        pieces[-1] += ")."
        return pieces + words(said(f"{last}{note} :", f"{w.money(inv.total_incl_tax)}."))

    def payment_sentence(self) -> list[str]:
        inv, w = self.invoice, self.w
        pieces = words(said("Payable le :", w.date(inv.due_date)) if inv.due_date else "Payable")
        if inv.payment_terms:
            pieces += words(said("(conditions :", f"{inv.payment_terms})"))
        if inv.iban:
            pieces += words("par virement sur le compte", said("IBAN :", f"{w.iban(inv.iban)},"),
                            said("BIC :", f"{inv.bic}."))
        else:
            pieces += words("par chèque ou par virement.")
        if inv.show_nature:
            pieces += words(said("Type d'opération :", f"{w.nature()}."))
        return pieces

    # -- the pages ---------------------------------------------------------------------------------------------------
    def header(self) -> float:
        s, party = self.s, self.invoice.supplier
        s.text(self.left, 18, self.w.party_name(party.name), 11, bold=True)
        top = self.paragraph(23, self.particulars())
        top = self.paragraph(top + 7, self.addressee())
        if self.invoice.delivery:
            top = self.paragraph(top, self.delivered_to())
        return self.paragraph(top + 7, self.reference_sentence(), bold=True) + 4

    def continuation_header(self, page: int) -> float:
        inv = self.invoice
        kind = "Avoir" if self.credit else "Facture"
        return self.paragraph(18, words(f"{self.w.party_name(inv.supplier.name)} -", f"{kind} n° :",
                                        Whole(f"{inv.number}"), "(suite)")) + 4

    def table_height(self, lines: list[Line]) -> float:
        widest = len(self.invoice.lines)  # the widest number a line item can get
        return self.leading + sum(self.height(self.line_sentence(widest, line), self.indent) + 1 for line in lines)

    def items(self, top: float, lines: list[Line], page: int, page_count: int) -> float:
        self.s.text(self.left, top, "Détail :" if page == 1 else "Détail (suite) :", self.size)
        top += self.leading
        for line in lines:
            top = self.paragraph(top, self.line_sentence(self.next_number, line), indent=self.indent) + 1
            self.next_number += 1
        return top

    def closing(self, top: float) -> float:
        top = self.paragraph(top + 4, self.amount_sentence(), bold=True)
        top = self.paragraph(top + 3, self.payment_sentence())
        top = self.paragraph(top + 3, words(NO_DISCOUNT, PENALTIES), size=8)
        return top

    def footer(self, page: int, page_count: int) -> None:
        s, party, w = self.s, self.invoice.supplier, self.w
        s.text(self.left, 287, f"RCS {party.rcs_city} {w.siren(party.siren)} - APE {party.ape}", 7.5)
        s.text(self.left + self.width, 287, self.labels["page"].format(n=page, m=page_count), 7.5, align="right")


HELD_OUT_LAYOUTS: dict[str, type[Layout]] = {layout.name: layout for layout in (
    FactSheet, WebShop, Mirrored, RunningText)}
