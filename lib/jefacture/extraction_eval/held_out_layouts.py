"""Four invoice layouts designed without looking at the reader; held out until session 3 studied them to fix the
reader (see layouts.py's docstring), so no longer counted as unseen.

- delivery_note: an invoice that is also the delivery note; a narrow left column with the buyer, the references and
  how to pay, the title and a tight table with wrapped descriptions on the right, the seller and the customer's
  receipt box at the foot of page one;
- caps_boxes: every label in small capitals above its value in a rounded box, identifiers included; the parties as
  two cards of such boxes; the totals a strip pinned to the bottom of the last page;
- accountant: accounting-software style; the issue date only in "Lyon, le ...", references written as sentences,
  a VAT code per line with the code table (rate, base, tax, TTC), "Net à payer" and the amount in words;
- artisan: colourful waves, a logo drawn from shapes, a script title, labels no other layout uses ("N° de pièce",
  "Établie le", "Montant hors taxes", "Numéro TVA"...), the bank details as a French RIB, a rubber stamp.

None of them counts its lines per page: `Flowing` measures the table and the totals and breaks the page where they
stop fitting, so a page never overflows whatever the invoice. `HELD_OUT_LAYOUTS` maps their names to their classes.
"""
import io
import itertools
import zlib
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import reportlab
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Table, TableStyle

from .drawing import PAGE_WIDTH_MM, Sheet
from .layouts import GREY, PENALTIES, Layout, halves, initials
from .model import GOODS, SERVICES, Invoice, Line

RGB = tuple[float, float, float]
WHITE: RGB = (1, 1, 1)
INK_BLUE: RGB = (0.12, 0.22, 0.62)
BRIGHT: tuple[RGB, ...] = ((0.0, 0.55, 0.55), (0.85, 0.33, 0.25), (0.2, 0.45, 0.75), (0.55, 0.3, 0.65),
                           (0.35, 0.6, 0.2), (0.9, 0.55, 0.1))
SCRIPT_FONT = "Callig15"  # a calligraphic Type 1 face shipped in reportlab's fonts folder (it has no space glyph)
NO_DISCOUNT = "Pas d'escompte pour paiement anticipé."
OWNERSHIP_CLAUSE = ("Clause de réserve de propriété : les marchandises vendues restent la propriété du vendeur "
                    "jusqu'au paiement intégral de leur prix (loi n° 80-335 du 12 mai 1980).")
VAT_CODES = {"20": "1", "10": "2", "5.5": "3", "2.1": "4"}  # the accounting package's codes for the French rates
CURRENCY_WORDS = {"EUR": ("euro", "euros", "centime", "centimes"), "USD": ("dollar", "dollars", "cent", "cents"),
                  "CHF": ("franc suisse", "francs suisses", "centime", "centimes"),
                  "GBP": ("livre sterling", "livres sterling", "penny", "pence")}


# -- small helpers -------------------------------------------------------------------------------------------------
def tint(color: RGB, amount: float) -> RGB:
    """`color` mixed with white: amount 0 gives the colour, 1 gives white."""
    red, green, blue = color
    return red + (1 - red) * amount, green + (1 - green) * amount, blue + (1 - blue) * amount


def shade(color: RGB, amount: float) -> RGB:
    """`color` darkened: amount 0 gives the colour, 1 gives black."""
    red, green, blue = color
    return red * (1 - amount), green * (1 - amount), blue * (1 - amount)


def service_date(invoice: Invoice) -> date:
    """The date of the delivery or of the service (a mandatory mention), a few days before the invoice."""
    return invoice.issue_date - timedelta(days=invoice.index % 9)


def article_code(description: str, prefix: str) -> str:
    """A stable catalogue reference for a product."""
    return f"{prefix}{zlib.crc32(description.encode()) % 10000:04d}"


def vat_code(rate: Decimal) -> str:
    return VAT_CODES.get(f"{rate.normalize():f}", f"{rate.normalize():f}")


def rib_parts(iban: str) -> list[str]:
    """A French IBAN's RIB: bank code, branch code, account number, RIB key."""
    return [iban[4:9], iban[9:14], iban[14:25], iban[25:27]]


def register_script_font() -> None:
    if SCRIPT_FONT not in pdfmetrics.getRegisteredFontNames():
        folder = Path(reportlab.__file__).parent / "fonts"
        face = pdfmetrics.EmbeddedType1Face(str(folder / "callig15.afm"), str(folder / "callig15.pfb"))
        pdfmetrics.registerTypeFace(face)
        pdfmetrics.registerFont(pdfmetrics.Font(SCRIPT_FONT, face.name, "WinAnsiEncoding"))


# -- amounts in French words ("Arrêtée la présente facture à la somme de ...") --------------------------------------
UNITS_FR = ("zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze", "douze",
            "treize", "quatorze", "quinze", "seize")
TENS_FR = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante", 8: "quatre-vingt"}


def _below_100(n: int) -> str:
    if n <= 16:
        return UNITS_FR[n]
    if n < 20:
        return f"dix-{UNITS_FR[n - 10]}"
    tens, unit = divmod(n, 10)
    if tens in (7, 9):  # soixante-dix, quatre-vingt-dix: counted on from the ten below
        tens, unit = tens - 1, unit + 10
    word = TENS_FR[tens]
    if unit == 0:
        return word + ("s" if tens == 8 else "")
    if unit in (1, 11) and tens != 8:
        return f"{word} et {_below_100(unit)}"
    return f"{word}-{_below_100(unit)}"


def _below_1000(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    if not hundreds:
        return _below_100(rest)
    head = "cent" if hundreds == 1 else f"{UNITS_FR[hundreds]} cent{'' if rest else 's'}"
    return f"{head} {_below_100(rest)}" if rest else head


def number_in_words(n: int) -> str:
    """A whole number below a billion in French words (traditional spelling)."""
    if n == 0:
        return UNITS_FR[0]
    millions, rest = divmod(n, 1_000_000)
    thousands, units = divmod(rest, 1000)
    words = []
    if millions:
        words.append("un million" if millions == 1 else f"{_below_1000(millions)} millions")
    if thousands:  # "mille" never takes an s, and "cents"/"vingts" lose theirs before it
        words.append("mille" if thousands == 1 else f"{_below_1000(thousands).removesuffix('s')} mille")
    if units:
        words.append(_below_1000(units))
    return " ".join(words)


def amount_in_words(value: Decimal, currency: str) -> str:
    one, many, cent, cents = CURRENCY_WORDS.get(currency, (currency, currency, "centième", "centièmes"))
    whole, fraction = divmod(int(value * 100), 100)
    text = f"{number_in_words(whole)} {one if whole < 2 else many}"
    return f"{text} et {number_in_words(fraction)} {cent if fraction < 2 else cents}" if fraction else text


# -- drawing helpers ---------------------------------------------------------------------------------------------------
def caps_runs(s: Sheet, text: str, size: float, bold: bool) -> list[tuple[str, float, float]]:
    """`text` cut into runs set in small capitals: (run in capitals, its size, its width in mm); the lower-case
    letters become capitals 78 % as high."""
    runs = []
    for lower, chars in itertools.groupby(text, key=str.islower):
        run, run_size = "".join(chars).upper(), size * 0.78 if lower else size
        runs.append((run, run_size, s.width(run, run_size, bold)))
    return runs


def small_caps(s: Sheet, x: float, top: float, text: str, size: float, color: RGB = GREY, bold: bool = False,
               align: str = "left") -> None:
    runs = caps_runs(s, text, size, bold)
    width = sum(run_width for *_, run_width in runs)
    x -= {"left": 0, "right": width, "center": width / 2}[align]
    for run, run_size, run_width in runs:
        s.text(x, top, run, run_size, bold=bold, color=color)
        x += run_width


def caps_width(s: Sheet, text: str, size: float, bold: bool = False) -> float:
    return sum(width for *_, width in caps_runs(s, text, size, bold))


def fitting_size(width_at: Callable[[float], float], room: float, sizes: tuple[float, ...]) -> float:
    """The first of `sizes` at which the text is at most `room` mm wide (else the last one)."""
    return next((size for size in sizes if width_at(size) <= room), sizes[-1])


def script(s: Sheet, x: float, top: float, text: str, size: float, color: RGB, align: str = "left") -> None:
    """Hand-lettered words in the calligraphic face, spaced by hand (the face has no space glyph)."""
    register_script_font()
    words = text.split()
    gap = size * 0.3 * 25.4 / 72  # three tenths of an em, in mm
    widths = [pdfmetrics.stringWidth(word, SCRIPT_FONT, size) / mm for word in words]
    x -= {"left": 0, "right": sum(widths) + gap * (len(words) - 1)}[align]
    canvas = s.canvas
    canvas.setFont(SCRIPT_FONT, size)
    canvas.setFillColor(Color(*color))
    for word, width in zip(words, widths, strict=True):
        canvas.drawString(x * mm, s.y(top), word)
        x += width + gap
    canvas.setFillColor(Color(0, 0, 0))


def place(s: Sheet, table: Table, x: float, top: float) -> float:
    """Draws `table` with its top-left corner at (x, top); returns its bottom."""
    _, height = table.wrapOn(s.canvas, PAGE_WIDTH_MM * mm, A4[1])
    table.drawOn(s.canvas, x * mm, s.y(top) - height)
    return top + height / mm


def table_of(rows: list[list[str]], widths: list[float], commands: list[tuple]) -> Table:
    table = Table(rows, colWidths=[width * mm for width in widths])
    table.setStyle(TableStyle(commands))
    return table


def base_commands(s: Sheet, size: float, right_columns: tuple[int, ...] = ()) -> list[tuple]:
    return [("FONT", (0, 0), (-1, 0), s.bold, size), ("FONT", (0, 1), (-1, -1), s.regular, size),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2.2), ("LEFTPADDING", (0, 0), (-1, -1), 4),
            ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            *[("ALIGN", (column, 0), (column, -1), "RIGHT") for column in right_columns]]


class Flowing(Layout):
    """A layout whose pages break where the item table stops fitting (measured on a scratch canvas), with the
    totals always on the page of the last line."""
    table_x = 15.0
    column_widths: tuple[float, ...] = ()
    right_columns: tuple[int, ...] = ()
    wrapped_column = 1  # the description's column, wrapped to its width
    page_bottom = 264.0

    # -- what each layout says -------------------------------------------------------------------------------------
    def bottom(self, page: int, last: bool) -> float:
        """How low on `page` the item table (and on the last page the totals after it) may reach."""
        return self.page_bottom

    def columns(self) -> list[str]:
        return list(self.labels["columns"])

    def cells(self, line: Line) -> list[str]:
        w = self.w
        return [line.description, w.quantity(line.quantity), line.unit, w.number(line.unit_price),
                w.rate(line.vat_rate), w.number(line.amount)]

    def table_commands(self, row_count: int) -> list[tuple]:
        return base_commands(self.s, self.size - 0.5, self.right_columns)

    def closing(self, top: float) -> float:
        """Draws the totals and payment details from `top`; returns the bottom of what it drew."""
        raise NotImplementedError

    # -- the page loop ---------------------------------------------------------------------------------------------
    def draw(self) -> None:
        pages = self.paginate()
        for number, lines in enumerate(pages, start=1):
            top = self.header() if number == 1 else self.continuation_header(number)
            bottom = self.items(top, lines, number, len(pages))
            if number == len(pages):
                self.closing(bottom)
            self.footer(number, len(pages))
            self.s.canvas.showPage()

    def paginate(self) -> list[list[Line]]:
        rest, pages = list(self.invoice.lines), []
        after = self.closing_height()
        while True:
            page = len(pages) + 1
            top = self.table_top(page)
            if top + self.table_height(rest) + after <= self.bottom(page, last=True):
                return [*pages, rest]
            room = self.bottom(page, last=False) - top
            fit = max((count for count in range(1, len(rest)) if self.table_height(rest[:count]) <= room), default=1)
            pages.append(rest[:fit])
            rest = rest[fit:]

    def rehearse(self, step: Callable[["Flowing"], float]) -> float:
        """What `step` returns when run on a scratch canvas: where a part of a page ends, before it is drawn."""
        return step(type(self)(self.invoice, Canvas(io.BytesIO(), pagesize=A4)))

    def table_top(self, page: int) -> float:
        return self.rehearse(lambda layout: layout.header() if page == 1 else layout.continuation_header(page))

    def closing_height(self) -> float:
        return self.rehearse(lambda layout: layout.closing(0.0))

    # -- the item table --------------------------------------------------------------------------------------------
    def item_table(self, lines: list[Line]) -> Table:
        rows = [self.columns()] + [self.wrapped(self.cells(line)) for line in lines]
        return table_of(rows, list(self.column_widths), self.table_commands(len(rows)))

    def wrapped(self, cells: list[str]) -> list[str]:
        room = self.column_widths[self.wrapped_column] - 3.2
        cells[self.wrapped_column] = "\n".join(self.s.wrap(cells[self.wrapped_column], room, self.size - 0.5))
        return cells

    def table_height(self, lines: list[Line]) -> float:
        _, height = self.item_table(lines).wrap(sum(self.column_widths) * mm, A4[1])
        return height / mm

    def items(self, top: float, lines: list[Line], page: int, page_count: int) -> float:
        return place(self.s, self.item_table(lines), self.table_x, top)


# -- (a) invoice and delivery note in one ------------------------------------------------------------------------------
class DeliveryNote(Flowing):
    """Invoice and delivery note in one: the buyer top left in a narrow column that also holds the references and how
    to pay; the title and a tight six-column table with wrapped descriptions on the right; the seller's block beside
    the customer's receipt box at the foot of page one. Held out."""
    name = "delivery_note"
    font = "Helvetica"
    size = 8.5
    column_left, column_right = 12.0, 70.0
    table_x = 76.0
    column_widths = (54, 10, 12, 16, 11, 19)
    right_columns = (1, 3, 4, 5)
    wrapped_column = 0
    seller_top = 224.0

    def label_overrides(self) -> dict:
        return {"number": "N° de document", "credit_number": "N° d'avoir", "date": "Établi le" if self.credit else
                "Facturé le", "due": "À payer le", "po": "Cde client", "client_code": "Code tiers",
                "original": "Avoir sur facture", "currency": "Monnaie", "terms": "Modalités de paiement",
                "nature": "Type d'opération", "delivery": "Livraison à", "iban": "IBAN", "bic": "BIC",
                "total_ht": "Total net HT", "total_ttc": "Total avoir TTC" if self.credit else "Net à payer",
                "page": "Feuillet {n}/{m}", "columns": ("Désignation", "Qté", "U.", "PU HT", "TVA", "Total HT")}

    def bottom(self, page: int, last: bool) -> float:
        return self.seller_top - 6 if page == 1 else self.page_bottom

    def wrapped(self, cells: list[str]) -> list[str]:
        """The description wrapped, and the article's reference on a line of its own under it."""
        code = article_code(cells[0], "R")
        return [f"{super().wrapped(cells)[0]}\nRéf. {code}", *cells[1:]]

    def table_commands(self, row_count: int) -> list[tuple]:
        grey, light = Color(0.55, 0.55, 0.55), Color(*tint(self.accent, 0.8))
        return [*base_commands(self.s, 7.8, self.right_columns), ("BACKGROUND", (0, 0), (-1, 0), light),
                ("BOX", (0, 0), (-1, -1), 0.8, Color(0, 0, 0)), ("INNERGRID", (0, 0), (-1, -1), 0.25, grey),
                ("LEFTPADDING", (0, 0), (-1, -1), 2.2), ("RIGHTPADDING", (0, 0), (-1, -1), 2.2),
                ("VALIGN", (0, 0), (-1, -1), "TOP")]

    # -- page one ----------------------------------------------------------------------------------------------------
    def header(self) -> float:
        top = self.buyer(16)
        top = self.references(top + 5)
        self.payment(top + 5)
        self.title_block()
        self.seller(self.seller_top)
        return self.shipping(40) + 5

    def title_block(self) -> None:
        s, inv = self.s, self.invoice
        s.text(198, 20, self.title(), 20, bold=True, color=self.accent, align="right")
        if not self.credit:
            note = "valant bon d'intervention" if inv.operation_nature == SERVICES else "valant bon de livraison"
            s.text(198, 26, note, 9, italic=True, align="right")
        s.text(198, 34, f"n° {inv.number}", 12, bold=True, align="right")

    def shipping(self, top: float) -> float:
        """How the goods travel (or where the work was done), as a row of labelled cells."""
        inv, index = self.invoice, self.invoice.index
        if inv.operation_nature == SERVICES:
            cells = [("Intervention", "Sur site"), ("Intervenant", f"Technicien {index % 7 + 1:02d}")]
        else:
            cells = [("Expédition", ("Nos soins", "Transporteur", "Enlèvement client")[index % 3]),
                     ("Colis", str(1 + len(inv.lines) // 3 + index % 3)), ("Poids brut", f"{12 + index * 37 % 480} kg")]
        s, width = self.s, sum(self.column_widths) / len(cells)
        commands = [*base_commands(s, 7.5), ("FONT", (0, 1), (-1, 1), s.bold, 8.5),
                    ("TEXTCOLOR", (0, 0), (-1, 0), Color(*GREY)), ("BOX", (0, 0), (-1, -1), 0.5, Color(0, 0, 0)),
                    ("LINEAFTER", (0, 0), (-2, -1), 0.25, Color(0.55, 0.55, 0.55)),
                    ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5)]
        rows = [[label for label, _ in cells], [value for _, value in cells]]
        return place(s, table_of(rows, [width] * len(cells), commands), self.table_x, top)

    def caption(self, top: float, text: str) -> float:
        s = self.s
        s.rect(self.column_left, top - 3.6, self.column_right - self.column_left, 5, fill=self.accent, stroke=None)
        s.text(self.column_left + 1.5, top, text.upper(), 7.5, bold=True, color=WHITE)
        return top + 6

    def buyer(self, top: float) -> float:
        s, inv = self.s, self.invoice
        top = self.caption(top, "Client facturé" if inv.delivery else "Client livré et facturé")
        name, *rest = self.customer_lines()
        room = self.column_right - self.column_left - 1
        s.text(self.column_left + 1, top, name, fitting_size(lambda size: s.width(name, size, bold=True), room,
                                                             (8.5, 8, 7.5, 7)), bold=True)
        top = s.lines(self.column_left + 1, top + 4.1, rest, 8.5, leading=4.1)
        if inv.delivery:
            top = self.caption(top + 3, self.labels["delivery"])
            top = s.lines(self.column_left + 1, top, self.delivery_lines(), 8.5, leading=4.1)
        return top

    def references(self, top: float) -> float:
        inv, w = self.invoice, self.w
        pairs = self.meta()
        pairs[2:2] = [("N° de BL", f"BL{inv.issue_date:%y}-{inv.index * 7919 % 100000:05d}"),
                      ("Livré le", w.date(service_date(inv)))]
        top = self.caption(top, "Références")
        for label, value in pairs:
            top = self.ruled_pair(top, label, value)
        return top

    def ruled_pair(self, top: float, label: str, value: str) -> float:
        """The label left, the value right-aligned on the same line (or under it when too long), a hairline below."""
        s, left, right = self.s, self.column_left + 1, self.column_right - 1
        s.text(left, top, label, 7.5, color=GREY)
        if s.width(label, 7.5) + s.width(value, 8.5, bold=True) + 3 > right - left:
            top += 3.8
        s.text(right, top, value, 8.5, bold=True, align="right")
        s.hline(self.column_left, self.column_right, top + 1.4, 0.2, (0.7, 0.7, 0.7))
        return top + 4.8

    def payment(self, top: float) -> float:
        inv, w, lab = self.invoice, self.w, self.labels
        top = self.caption(top, "Règlement")
        if inv.payment_terms:
            top = self.ruled_pair(top, lab["terms"], inv.payment_terms)
        if inv.iban:
            top = self.ruled_pair(top, lab["iban"], w.iban(inv.iban))
            top = self.ruled_pair(top, lab["bic"], inv.bic)
        if inv.show_nature:
            top = self.ruled_pair(top, lab["nature"], w.nature())
        return top

    def seller(self, top: float) -> None:
        s, party, w = self.s, self.invoice.supplier, self.w
        s.rect(12, top, 108, 38, stroke=(0.3, 0.3, 0.3))
        s.text(14, top + 4.5, "FOURNISSEUR - EXPÉDITEUR", 7, bold=True, color=self.accent)
        s.text(14, top + 10, w.party_name(party.name), 10.5, bold=True)
        s.lines(14, top + 14.5, [f"{party.address.street}, {party.address.postcode} {party.address.city}",
                                 f"Tél. {party.phone} - {party.email}",
                                 f"SIREN {w.siren(party.siren)} - SIRET {w.siret(party.siret)}",
                                 f"N° TVA {w.vat(party.vat)}", f"RCS {party.rcs_city} - APE {party.ape}"],
                8, leading=4.2)
        s.rect(124, top, 74, 38, stroke=(0.3, 0.3, 0.3))
        s.text(126, top + 4.5, "RÉCEPTION", 7, bold=True, color=self.accent)
        done = "Prestation réalisée conforme" if self.invoice.operation_nature == SERVICES else \
            "Marchandise reçue conforme"
        s.text(126, top + 10, done, 8.5, italic=True)
        s.text(126, top + 18, "Date :", 8)
        s.hline(136, 195, top + 18.6, 0.3, dash=(1, 1.5))
        s.text(126, top + 26, "Nom et signature :", 8)
        s.hline(153, 195, top + 26.6, 0.3, dash=(1, 1.5))

    # -- the rest --------------------------------------------------------------------------------------------------
    def continuation_header(self, page: int) -> float:
        s, inv = self.s, self.invoice
        top = self.caption(16, "Suite")
        s.lines(self.column_left + 1, top, [self.w.party_name(inv.customer.name), f"{self.title()} n° {inv.number}"],
                8.5, leading=4.1)
        s.text(198, 20, f"{self.title()} n° {inv.number}", 11, bold=True, align="right")
        return 28.0

    def closing(self, top: float) -> float:
        s, inv, w = self.s, self.invoice, self.w
        rows = [["Taux", "Base HT", "TVA"]] + [[w.rate(vat.rate), w.number(vat.base), w.number(vat.tax)]
                                              for vat in inv.vat_totals]
        commands = [*base_commands(s, 7.8, (0, 1, 2)), ("LINEBELOW", (0, 0), (-1, 0), 0.5, Color(0, 0, 0)),
                    ("BOX", (0, 0), (-1, -1), 0.5, Color(0.5, 0.5, 0.5))]
        place(s, table_of(rows, [14, 22, 18], commands), self.table_x, top + 4)
        rows = self.totals()
        for number, (label, value) in enumerate(rows):
            last = number == len(rows) - 1
            baseline = top + 8 + 5 * number + (2 if last else 0)
            if last:
                s.rect(134, baseline - 4.2, 64, 6.2, fill=tint(self.accent, 0.8), stroke=None)
            s.text(136, baseline, label, 9 if last else 8.5, bold=last)
            s.text(196, baseline, value, 9 if last else 8.5, bold=last, align="right")
        return self.remarks(max(top + 8 + 4.2 * len(inv.vat_totals) + 8, top + 12 + 5 * len(rows)))

    def remarks(self, top: float) -> float:
        """The box where the customer writes down what was missing or damaged on delivery."""
        s = self.s
        s.rect(self.table_x, top, sum(self.column_widths), 15, stroke=(0.5, 0.5, 0.5), line_width=0.4)
        s.text(self.table_x + 2, top + 4, "Observations / réserves à la réception :", 7.5, italic=True, color=GREY)
        return top + 15

    def footer(self, page: int, page_count: int) -> None:
        s = self.s
        s.lines(105, 271, self.legal_lines(), 6.2, leading=3.2, align="center", color=(0.3, 0.3, 0.3))
        s.text(198, 289, self.labels["page"].format(n=page, m=page_count), 7, align="right")


# -- (b) labels above values in small-capital boxes --------------------------------------------------------------------
class CapsBoxes(Flowing):
    """Every fact in a rounded box with its label in small capitals above it (identifiers too); the parties as two
    cards of such boxes; dotted rules between the lines; the totals a strip of boxes pinned to the foot of the last
    page, with the base under each VAT rate. Held out."""
    name = "caps_boxes"
    font = "Times"
    size = 9.5
    column_widths = (76, 20, 14, 26, 16, 28)
    right_columns = (1, 3, 4, 5)
    left, right = 15.0, 195.0
    box_gap = 2.0
    pinned_top = 204.0

    def label_overrides(self) -> dict:
        return {"number": "Numéro", "credit_number": "Numéro d'avoir", "date": "Émission", "due": "Échéance",
                "po": "Bon de commande", "client_code": "Référence client", "original": "Facture rectifiée",
                "currency": "Devise", "terms": "Conditions de paiement", "nature": "Nature de l'opération",
                "delivery": "Adresse de livraison", "total_ht": "Total HT", "vat_rate": "TVA {rate}",
                "total_vat": "Total TVA", "total_ttc": "Total avoir TTC" if self.credit else "Net à payer TTC",
                "columns": ("Désignation", "Quantité", "Unité", "Prix unitaire HT", "TVA", "Montant HT")}

    def bottom(self, page: int, last: bool) -> float:
        return self.pinned_top - 5 if last else self.page_bottom

    def closing_height(self) -> float:
        return 0.0  # the totals are pinned to the foot of the page, below `bottom`

    def table_commands(self, row_count: int) -> list[tuple]:
        s, accent = self.s, Color(*self.accent)
        return [*base_commands(s, self.size - 0.8, self.right_columns), ("FONT", (0, 0), (-1, 0), s.bold, 7.2),
                ("TEXTCOLOR", (0, 0), (-1, 0), accent), ("LINEABOVE", (0, 0), (-1, 0), 1.2, accent),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, accent), ("LINEBELOW", (0, -1), (-1, -1), 1.2, accent),
                *[("LINEBELOW", (0, row), (-1, row), 0.4, Color(0.5, 0.5, 0.5), None, (1, 2))
                  for row in range(1, row_count - 1)]]

    def columns(self) -> list[str]:
        return [label.upper() for label in self.labels["columns"]]

    # -- boxes -------------------------------------------------------------------------------------------------------
    def box(self, x: float, top: float, width: float, label: str, values: list[str], fill: RGB | None = None,
            value_size: float | None = None, bold: bool = False, color: RGB = (0, 0, 0), room: int = 1) -> float:
        """A rounded box, its label in small capitals above its value lines (room for at least `room` of them);
        returns its bottom."""
        s, size = self.s, value_size or self.size
        height = 5.5 + (size * 0.3528 + 1.1) * max(room, len(values)) + 1
        s.canvas.setLineWidth(0.5)
        s.canvas.setStrokeColor(Color(0.6, 0.6, 0.6))
        s.canvas.setFillColor(Color(*(fill or WHITE)))
        s.canvas.roundRect(x * mm, s.y(top + height), width * mm, height * mm, 1.6 * mm, stroke=1, fill=1)
        s.canvas.setFillColor(Color(0, 0, 0))
        small_caps(s, x + 2, top + 3.6, label, 6.8, color=WHITE if fill == self.accent else GREY)
        s.lines(x + 2, top + 5.2 + size * 0.3528 + 0.4, values, size, leading=size * 0.3528 + 1.1,
                bold_first=bold, color=color)
        return top + height

    def box_width(self, label: str, values: list[str], value_size: float | None = None, bold: bool = False) -> float:
        s = self.s
        label_width = s.width(label.upper(), 6.8)
        return max([label_width] + [s.width(value, value_size or self.size, bold) for value in values]) + 5

    def box_row(self, top: float, boxes: list[tuple[str, list[str]]], left: float, right: float,
                stretch: bool = True) -> float:
        """Boxes side by side from `left`, wrapping before `right`; with `stretch`, each row fills the width."""
        rows, row, used = [], [], 0.0
        for label, values in boxes:
            width = self.box_width(label, values)
            if row and used + width > right - left:
                rows.append(row)
                row, used = [], 0.0
            row.append((label, values, width))
            used += width + self.box_gap
        rows.append(row)
        for row in (row for row in rows if row):
            spare = (right - left - sum(width for *_, width in row) - self.box_gap * (len(row) - 1)) / len(row)
            x, bottom = left, top
            for label, values, width in row:
                width += spare if stretch else 0
                bottom = max(bottom, self.box(x, top, width, label, values))
                x += width + self.box_gap
            top = bottom + self.box_gap
        return top

    # -- page one ----------------------------------------------------------------------------------------------------
    def header(self) -> float:
        s, inv, w = self.s, self.invoice, self.w
        party, title = inv.supplier, self.title().capitalize()
        name = w.party_name(party.name)
        room = self.right - self.left - caps_width(s, title, 22, bold=True) - 8
        size = fitting_size(lambda size: caps_width(s, name, size, bold=True), room, (17, 15, 13, 11))
        small_caps(s, self.left, 20, name, size, color=(0, 0, 0), bold=True)
        s.text(self.left, 26, f"{party.address.street} \u00b7 {party.address.postcode} {party.address.city} \u00b7 "
                              f"Tél. {party.phone} \u00b7 {party.email}", 8.5, color=GREY)
        small_caps(s, self.right, 20, title, 22, color=self.accent, bold=True, align="right")
        s.hline(self.left, self.right, 30, 0.8, self.accent)
        s.hline(self.left, self.right, 31, 0.3, self.accent)
        middle = (self.left + self.right) / 2
        bottom = max(self.card(self.left, 36, middle - 2, "Émetteur", self.supplier_boxes()),
                     self.card(middle + 2, 36, self.right, "Destinataire", self.customer_boxes()))
        return self.box_row(bottom + 4, [(label, [value]) for label, value in self.meta()], self.left,
                            self.right) + 3

    def card(self, left: float, top: float, right: float, caption: str, rows: list[list[tuple[str, list[str]]]]
             ) -> float:
        small_caps(self.s, left, top + 3, caption, 9, color=self.accent, bold=True)
        top += 5
        for boxes in rows:
            top = self.box_row(top, boxes, left, right)
        return top

    def supplier_boxes(self) -> list[list[tuple[str, list[str]]]]:
        party, w = self.invoice.supplier, self.w
        return [[("Raison sociale", [w.party_name(party.name)])],
                [("Adresse", [party.address.street, f"{party.address.postcode} {party.address.city}"])],
                [("SIREN", [w.siren(party.siren)]), ("SIRET", [w.siret(party.siret)])],
                [("N° TVA intracommunautaire", [w.vat(party.vat)]), ("Forme juridique", [party.legal_form])]]

    def customer_boxes(self) -> list[list[tuple[str, list[str]]]]:
        inv, w = self.invoice, self.w
        party = inv.customer
        rows = [[("Raison sociale", [w.party_name(party.name)])],
                [("Adresse", [party.address.street, f"{party.address.postcode} {party.address.city}"])]]
        ids = [(label, [value]) for label, value in (("SIREN", w.siren(party.siren)),
                                                     ("N° TVA intracommunautaire", w.vat(party.vat))) if value]
        if ids:
            rows.append(ids)
        if inv.delivery:
            rows.append([(self.labels["delivery"], [inv.delivery.one_line()])])
        return rows

    def continuation_header(self, page: int) -> float:
        s = self.s
        small_caps(s, self.left, 18, self.w.party_name(self.invoice.supplier.name), 11, color=(0, 0, 0), bold=True)
        small_caps(s, self.right, 18, f"{self.title().capitalize()} n° {self.invoice.number} (suite)", 11,
                   color=self.accent, bold=True, align="right")
        s.hline(self.left, self.right, 21, 0.5, self.accent)
        return 26.0

    # -- the foot of the last page -----------------------------------------------------------------------------------
    def closing(self, top: float) -> float:
        inv, w, lab = self.invoice, self.w, self.labels
        boxes = []
        if inv.payment_terms:
            boxes.append((lab["terms"], [inv.payment_terms]))
        if inv.iban:
            boxes += [("Mode de règlement", ["Virement bancaire"]), ("IBAN", [w.iban(inv.iban)]), ("BIC", [inv.bic])]
        if inv.show_nature:
            boxes.append((lab["nature"], [w.nature()]))
        top = self.box_row(self.pinned_top, boxes, self.left, self.right, stretch=False) if boxes else \
            self.pinned_top
        return self.totals_strip(max(top + 2, 232.0))

    def totals_strip(self, top: float) -> float:
        inv, w, lab = self.invoice, self.w, self.labels
        note = w.currency_note()
        cells = [(lab["total_ht"] + note, [w.money(inv.total_excl_tax)])]
        cells += [(lab["vat_rate"].format(rate=w.rate(vat.rate)), [w.money(vat.tax), f"sur {w.number(vat.base)}"])
                  for vat in inv.vat_totals]
        cells += [(lab["total_vat"], [w.money(inv.total_tax)]), (lab["total_ttc"] + note,
                                                                [w.money(inv.total_incl_tax)])]
        room = self.right - self.left - self.box_gap * (len(cells) - 1)
        size = next((size for size in (10.5, 9.5, 8.5) if sum(self.box_width(label, values, size, bold=True)
                                                              for label, values in cells) <= room), 7.5)
        widths = [self.box_width(label, values, size, bold=True) for label, values in cells]
        spare = (room - sum(widths)) / len(cells)
        x, bottom, value_lines = self.left, top, max(len(values) for _, values in cells)
        for number, ((label, values), width) in enumerate(zip(cells, widths, strict=True)):
            last = number == len(cells) - 1
            bottom = max(bottom, self.box(x, top, width + spare, label, values, fill=self.accent if last else None,
                                          value_size=size, bold=True, color=WHITE if last else (0, 0, 0),
                                          room=value_lines))
            x += width + spare + self.box_gap
        return bottom

    def footer(self, page: int, page_count: int) -> None:
        s = self.s
        s.hline(self.left, self.right, 266, 0.3, GREY)
        s.lines(105, 270, self.legal_lines(), 6.3, leading=3.2, align="center", color=GREY)
        small_caps(s, 105, 290, f"Page {page} sur {page_count}", 7.5, align="center")


# -- (c) accounting-software style -------------------------------------------------------------------------------------
class Accountant(Flowing):
    """An accounting package's invoice: the seller framed top left, "City, le date" top right as the only issue date,
    the references as sentences, a VAT code on each line and the table of codes (rate, base, tax, TTC), "Net à
    payer", the amount in words, no discount, VAT on debits for services. Held out."""
    name = "accountant"
    size = 8.5
    column_widths = (18, 74, 18, 24, 28, 18)
    right_columns = (2, 3, 4)

    def label_overrides(self) -> dict:
        return {"total_ht": "Total HT", "total_vat": "Total TVA", "total_ttc": "Total TTC",
                "page": "Folio {n}/{m}", "columns": ("Code", "Désignation", "Quantité", "P.U. HT", "Montant HT",
                                                     "Code TVA")}

    def cells(self, line: Line) -> list[str]:
        w = self.w
        return [article_code(line.description, "ART"), line.description, f"{w.quantity(line.quantity)} {line.unit}",
                w.number(line.unit_price), w.number(line.amount), vat_code(line.vat_rate)]

    def table_commands(self, row_count: int) -> list[tuple]:
        black, grey = Color(0, 0, 0), Color(0.6, 0.6, 0.6)
        return [*base_commands(self.s, self.size - 0.5, self.right_columns), ("ALIGN", (5, 0), (5, -1), "CENTER"),
                ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3.2),
                ("BOX", (0, 0), (-1, -1), 0.6, black), ("LINEAFTER", (0, 0), (-2, -1), 0.3, grey),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, black, None, None, None, 2, 1.2)]

    # -- page one ----------------------------------------------------------------------------------------------------
    def dated_at(self) -> str:
        return f"{self.invoice.supplier.address.city}, le {self.w.date(self.invoice.issue_date)}"

    def header(self) -> float:
        s, inv = self.s, self.invoice
        self.letterhead(15, 12)
        s.text(195, 18, self.dated_at(), 9.5, align="right")
        bottom = s.lines(115, 44, self.customer_lines(), 9.5, leading=4.5, bold_first=True)
        if inv.delivery:
            bottom = s.lines(115, bottom + 2, ["Expédié à :", *self.delivery_lines()], 8.5, leading=4)
        top = max(bottom + 8, 82)
        heading = f"{'AVOIR' if self.credit else 'FACTURE'} N° {inv.number}"
        s.text(15, top, heading, 13, bold=True)
        s.hline(15, 15 + s.width(heading, 13, bold=True), top + 1.2, 0.6)
        return s.lines(15, top + 8, self.reference_sentences(), 8.5, leading=4.3) + 3

    def letterhead(self, x: float, top: float) -> None:
        s, party, w = self.s, self.invoice.supplier, self.w
        s.rect(x, top, 86, 40, stroke=(0.2, 0.2, 0.2), line_width=0.4)
        name = w.party_name(party.name)
        s.text(x + 3, top + 6, name, fitting_size(lambda size: s.width(name, size, bold=True), 80, (11, 10, 9, 8)),
               bold=True)
        s.lines(x + 3, top + 11, [party.address.street, f"{party.address.postcode} {party.address.city}",
                                  f"Tél. {party.phone}", f"Courriel : {party.email}",
                                  f"RCS {party.rcs_city} B {w.siren(party.siren)}", f"Siret : {w.siret(party.siret)}",
                                  f"Identifiant TVA : {w.vat(party.vat)}"], 8, leading=3.9)

    def customer_lines(self) -> list[str]:
        party, w = self.invoice.customer, self.w
        lines = [w.party_name(party.name), party.address.street, f"{party.address.postcode} {party.address.city}"]
        if party.siren:
            lines.append(f"Votre SIREN : {w.siren(party.siren)}")
        if party.vat:
            lines.append(f"Votre n° TVA : {w.vat(party.vat)}")
        return lines

    def reference_sentences(self) -> list[str]:
        inv, w = self.invoice, self.w
        lines = [f"Date de la livraison ou de la prestation : {w.date(service_date(inv))}"]
        if inv.due_date:
            lines.append(f"Date d'exigibilité du paiement : {w.date(inv.due_date)}")
        if inv.original_invoice:
            lines.append(f"Facture rectifiée : {inv.original_invoice}")
        if inv.purchase_order:
            lines.append(f"Référence de votre commande : {inv.purchase_order}")
        lines.append(f"Votre code client : {inv.customer_code}")
        if inv.currency != "EUR":
            lines.append(f"Devise de facturation : {inv.currency}")
        return lines

    def continuation_header(self, page: int) -> float:
        s, inv = self.s, self.invoice
        s.text(15, 18, self.w.party_name(inv.supplier.name), 10, bold=True)
        s.text(195, 18, self.dated_at(), 9, align="right")
        s.text(15, 25, f"{'AVOIR' if self.credit else 'FACTURE'} N° {inv.number} (suite)", 11, bold=True)
        return 31.0

    # -- the last page -----------------------------------------------------------------------------------------------
    def closing(self, top: float) -> float:
        s, inv = self.s, self.invoice
        below_codes = self.vat_codes(top + 5)
        below_totals = self.total_lines(top + 5)
        top = max(below_codes, below_totals) + 5
        sentence = (f"Arrêté{'' if self.credit else 'e'} {'le présent avoir' if self.credit else 'la présente facture'}"
                    f" à la somme de {amount_in_words(inv.total_incl_tax, inv.currency)} toutes taxes comprises.")
        top = s.lines(15, top, s.wrap(sentence, 180, 8.5), 8.5, leading=4.2) + 2
        return s.lines(15, top, self.payment_sentences(), 8.5, leading=4.3)

    def vat_codes(self, top: float) -> float:
        s, inv, w = self.s, self.invoice, self.w
        rows = [["Code", "Taux", "Base HT", "Montant TVA", "Total TTC"]]
        rows += [[vat_code(vat.rate), w.rate(vat.rate), w.number(vat.base), w.number(vat.tax),
                  w.number(vat.base + vat.tax)] for vat in inv.vat_totals]
        rows.append(["", "Total", w.number(inv.total_excl_tax), w.number(inv.total_tax), w.number(inv.total_incl_tax)])
        black = Color(0, 0, 0)
        commands = [*base_commands(s, 7.8, (1, 2, 3, 4)), ("ALIGN", (0, 0), (0, -1), "CENTER"),
                    ("FONT", (0, -1), (-1, -1), s.bold, 7.8),
                    ("LINEABOVE", (0, 0), (-1, 0), 0.5, black, None, None, None, 2, 1.2),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.5, black), ("LINEABOVE", (0, -1), (-1, -1), 0.5, black),
                    ("LINEBELOW", (0, -1), (-1, -1), 0.5, black, None, None, None, 2, 1.2)]
        return place(s, table_of(rows, [12, 16, 26, 24, 26], commands), 15, top)

    def total_lines(self, top: float) -> float:
        s, inv, w, lab = self.s, self.invoice, self.w, self.labels
        note = w.currency_note()
        rows = [(lab["total_ht"] + note, w.money(inv.total_excl_tax)), (lab["total_vat"], w.money(inv.total_tax)),
                (lab["total_ttc"] + note, w.money(inv.total_incl_tax))]
        baseline = top + 4
        for label, value in rows:
            s.text(130, baseline, label)
            s.text(195, baseline, value, align="right")
            baseline += 4.8
        net = "Net à déduire" if self.credit else "Net à payer"
        s.hline(130, 195, baseline - 3.2, 0.4)
        s.text(130, baseline + 1.5, net + note, 10, bold=True)
        s.text(195, baseline + 1.5, w.money(inv.total_incl_tax), 10, bold=True, align="right")
        s.hline(165, 195, baseline + 3, 0.4)
        s.hline(165, 195, baseline + 3.8, 0.4)
        s.text(195, baseline + 8, NO_DISCOUNT, 7, italic=True, align="right")
        return baseline + 8

    def payment_sentences(self) -> list[str]:
        inv, w = self.invoice, self.w
        lines = []
        if inv.payment_terms:
            lines.append(f"Délai de règlement : {inv.payment_terms}")
        if inv.iban:
            lines.append(f"Règlement par virement sur le compte IBAN {w.iban(inv.iban)} - BIC {inv.bic}")
        if inv.show_nature:
            lines.append(f"Nature des opérations : {w.nature()}")
        if inv.operation_nature == SERVICES:
            lines.append("Option pour le paiement de la TVA d'après les débits.")
        else:
            lines += self.s.wrap(OWNERSHIP_CLAUSE, 180, 8.5)
        return lines

    def footer(self, page: int, page_count: int) -> None:
        s = self.s
        s.hline(15, 195, 271, 0.4)
        s.lines(15, 275, self.legal_lines(), 6.3, leading=3.2, color=(0.25, 0.25, 0.25))
        s.text(195, 290, self.labels["page"].format(n=page, m=page_count), 7.5, align="right")


# -- (d) a colourful artisan's invoice ---------------------------------------------------------------------------------
class Artisan(Flowing):
    """A colourful tradesman's invoice: waves across the top and foot, a house drawn from shapes, a script title, label
    wordings no other layout uses, a pastel table, the bank details as a RIB, totals in a rounded panel and a
    rotated rubber stamp by the signature. Held out."""
    name = "artisan"
    font = "Times"
    size = 10
    column_widths = (74, 14, 16, 28, 16, 32)
    right_columns = (1, 3, 4, 5)
    page_bottom = 262.0

    def __init__(self, invoice: Invoice, canvas: Canvas):
        super().__init__(invoice, canvas)
        self.accent = BRIGHT[invoice.index % len(BRIGHT)]  # an artisan picks a cheerful colour, not a corporate one

    def label_overrides(self) -> dict:
        return {"number": "N° de pièce", "credit_number": "N° de pièce", "date": "Établie le",
                "due": "Date limite de règlement", "po": "Commande client n°", "client_code": "Votre n° client",
                "original": "Facture concernée", "currency": "Devise de règlement", "total_ht": "Montant hors taxes",
                "total_vat": "Total des taxes", "total_ttc": "Total de l'avoir TTC" if self.credit else
                "Total à régler TTC", "terms": "Modalités de règlement :", "nature": "Type d'opération :",
                "columns": ("Ouvrage / article", "Qté", "Unité", "Prix U. HT", "Taux", "Total HT"),
                "page": "Page {n}/{m}"}

    @property
    def pastel(self) -> RGB:
        return tint(self.accent, 0.85)

    def table_commands(self, row_count: int) -> list[tuple]:
        accent = Color(*self.accent)
        commands = [*base_commands(self.s, self.size - 0.8, self.right_columns),
                    ("BACKGROUND", (0, 0), (-1, 0), accent), ("TEXTCOLOR", (0, 0), (-1, 0), Color(1, 1, 1)),
                    ("LINEBELOW", (0, -1), (-1, -1), 1.5, accent)]
        return commands + [("BACKGROUND", (0, row), (-1, row), Color(*self.pastel)) for row in range(2, row_count, 2)]

    # -- page one ----------------------------------------------------------------------------------------------------
    def header(self) -> float:
        s, inv, w = self.s, self.invoice, self.w
        party = inv.supplier
        self.wave_top(30)
        self.logo(16, 6)
        name = w.party_name(party.name)
        s.text(42, 15, name, fitting_size(lambda size: s.width(name, size, bold=True), 150, (17, 15, 13)), bold=True,
               color=WHITE)
        script(s, 42, 24.5, "Devis gratuit sur simple demande", 18, WHITE)
        s.lines(42, 37, [f"{party.address.street} - {party.address.postcode} {party.address.city}",
                         f"Tél. {party.phone} - {party.email}", f"Siret n° {w.siret(party.siret)}",
                         f"Numéro TVA : {w.vat(party.vat)}"], 8.5, leading=3.9, color=(0.2, 0.2, 0.2))
        script(s, 195, 47, "Avoir" if self.credit else "Facture", 40, shade(self.accent, 0.1), align="right")
        bottom = max(self.customer_card(15, 60), self.reference_card(118, 54))
        return bottom + 6

    def wave_top(self, depth: float) -> None:
        light = tint(self.accent, 0.55)
        self.wave(0, depth + 4, depth - 6, light)
        self.wave(0, depth, depth - 9, self.accent)

    def wave(self, edge: float, left_depth: float, right_depth: float, color: RGB, from_bottom: bool = False
             ) -> None:
        """A band along the top (or the bottom) edge whose inner edge is a wave."""
        canvas, s = self.s.canvas, self.s
        width = PAGE_WIDTH_MM * mm
        outer = s.y(297.0 if from_bottom else edge)
        sign = -1 if from_bottom else 1
        start, end = s.y(297 - left_depth if from_bottom else left_depth), \
            s.y(297 - right_depth if from_bottom else right_depth)
        path = canvas.beginPath()
        path.moveTo(0, outer)
        path.lineTo(0, start)
        path.curveTo(width * 0.3, start - sign * 14 * mm, width * 0.6, end + sign * 10 * mm, width, end)
        path.lineTo(width, outer)
        path.close()
        canvas.setFillColor(Color(*color))
        canvas.drawPath(path, stroke=0, fill=1)
        canvas.setFillColor(Color(0, 0, 0))

    def logo(self, x: float, top: float) -> None:
        """A little house under a sun, in white on the wave, the company's initials on its wall."""
        s = self.s
        s.circle(x + 19, top + 4, 3.2, (1, 0.8, 0.2))
        s.polygon([(x, top + 11), (x + 11, top + 2), (x + 22, top + 11)], WHITE)
        s.rect(x + 3, top + 11, 16, 11, fill=WHITE, stroke=None)
        s.rect(x + 9, top + 3.5, 2.5, 4, fill=WHITE, stroke=None)  # the chimney
        s.text(x + 11, top + 19.5, initials(self.invoice.supplier.name), 11, bold=True, align="center",
               color=shade(self.accent, 0.2))

    def customer_card(self, x: float, top: float) -> float:
        s, inv = self.s, self.invoice
        lines = self.customer_lines()
        delivery = []
        if inv.delivery:
            label = "Marchandise livrée au" if inv.operation_nature == GOODS else "Adresse d'intervention"
            delivery = [label, inv.delivery.one_line()]
        height = 9 + 4.5 * len(lines) + (9 if delivery else 0)
        s.round_rect(x, top, 95, height, 3, self.pastel)
        s.text(x + 4, top + 5.5, "À l'attention de", 8.5, italic=True, color=shade(self.accent, 0.3))
        bottom = s.lines(x + 4, top + 10.5, lines, 10, leading=4.5, bold_first=True)
        if delivery:
            s.text(x + 4, bottom + 1, delivery[0], 8.5, italic=True, color=shade(self.accent, 0.3))
            s.text(x + 4, bottom + 5.5, delivery[1], 9)
        return top + height

    def customer_lines(self) -> list[str]:
        party, w = self.invoice.customer, self.w
        lines = [w.party_name(party.name), party.address.street, f"{party.address.postcode} {party.address.city}"]
        if party.siren:
            lines.append(f"Siren n° {w.siren(party.siren)}")
        if party.vat:
            lines.append(f"Numéro TVA : {w.vat(party.vat)}")
        return lines

    def reference_card(self, x: float, top: float) -> float:
        s = self.s
        pairs = self.meta()
        if self.credit:
            pairs.insert(0, ("Type de pièce", "Avoir"))
        height = 5 + 5.2 * len(pairs)
        s.round_rect(x, top, 77, height, 3, tint(self.accent, 0.92))
        for number, (label, value) in enumerate(pairs):
            baseline = top + 6 + 5.2 * number
            s.text(x + 3.5, baseline, label, 9, italic=True, color=shade(self.accent, 0.3))
            s.text(x + 74, baseline, value, 10, bold=True, align="right")
        return top + height

    def continuation_header(self, page: int) -> float:
        s, inv = self.s, self.invoice
        self.wave_top(16)
        s.text(15, 10, self.w.party_name(inv.supplier.name), 12, bold=True, color=WHITE)
        s.text(195, 24, f"{self.labels['number']} {inv.number} (suite)", 10, bold=True, align="right")
        return 30.0

    # -- the last page -----------------------------------------------------------------------------------------------
    def closing(self, top: float) -> float:
        below_totals = self.totals_panel(120, top + 6)
        below_bank = self.bank_card(15, top + 6)
        bottom = max(below_totals, below_bank) + 4
        return self.sign_off(bottom)

    def totals_panel(self, x: float, top: float) -> float:
        s, inv, w, lab = self.s, self.invoice, self.w, self.labels
        note = w.currency_note()
        rows = [(lab["total_ht"] + note, w.money(inv.total_excl_tax))]
        rows += [(f"TVA {w.rate(vat.rate)} sur {w.number(vat.base)}", w.money(vat.tax)) for vat in inv.vat_totals]
        rows.append((lab["total_vat"], w.money(inv.total_tax)))
        height = 4 + 5.2 * len(rows)
        s.round_rect(x, top, 75, height + 11, 3, tint(self.accent, 0.9))
        for number, (label, value) in enumerate(rows):
            s.text(x + 3, top + 5.5 + 5.2 * number, label, 9, italic=True)
            s.text(x + 72, top + 5.5 + 5.2 * number, value, 9.5, align="right")
        s.round_rect(x, top + height, 75, 11, 3, self.accent)
        s.text(x + 3, top + height + 7, lab["total_ttc"] + note, 10.5, bold=True, color=WHITE)
        s.text(x + 72, top + height + 7, w.money(inv.total_incl_tax), 11, bold=True, color=WHITE, align="right")
        return top + height + 11

    def bank_card(self, x: float, top: float) -> float:
        s, inv, w, lab = self.s, self.invoice, self.w, self.labels
        lines = []
        if inv.payment_terms:
            lines.append(f"{lab['terms']} {inv.payment_terms}")
        if inv.show_nature:
            lines.append(f"{lab['nature']} {w.nature()}")
        bottom = s.lines(x, top + 4, lines, 9, leading=4.6)
        if not inv.iban:
            return bottom
        s.text(x, bottom + 2, "Nos coordonnées bancaires (RIB)", 9.5, bold=True, color=shade(self.accent, 0.2))
        rows = [["Banque", "Guichet", "N° de compte", "Clé"], rib_parts(inv.iban)]
        commands = [*base_commands(s, 8), ("GRID", (0, 0), (-1, -1), 0.4, Color(*self.accent)),
                    ("BACKGROUND", (0, 0), (-1, 0), Color(*self.pastel))]
        bottom = place(s, table_of(rows, [17, 17, 38, 11], commands), x, bottom + 4)
        return s.lines(x, bottom + 4.5, [f"IBAN : {w.iban(inv.iban)}", f"BIC : {inv.bic}"], 9, leading=4.4)

    def sign_off(self, top: float) -> float:
        s, party, w = self.s, self.invoice.supplier, self.w
        script(s, 15, top + 10, "Merci pour votre confiance", 22, shade(self.accent, 0.15))
        s.text(150, top + 5, "Cachet et signature", 8.5, italic=True, color=GREY)
        self.stamp(157, top + 19, 9, [w.party_name(party.name), party.address.street,
                                      f"{party.address.postcode} {party.address.city}",
                                      f"Siret {w.siret(party.siret)}"])
        return top + 32

    def stamp(self, x: float, top: float, angle: float, lines: list[str]) -> None:
        """A rubber stamp in blue ink, centred on (x, top) and turned `angle` degrees."""
        canvas = self.s.canvas
        size = 7.2
        width = max(pdfmetrics.stringWidth(line, "Helvetica-Bold", size) for line in lines) + 5 * mm
        height = (len(lines) * size * 1.25) + 4 * mm
        ink = Color(*INK_BLUE, alpha=0.85)
        canvas.saveState()
        canvas.translate(x * mm, self.s.y(top))
        canvas.rotate(angle)
        canvas.setStrokeColor(ink)
        canvas.setFillColor(ink)
        canvas.setLineWidth(1.3)
        canvas.roundRect(-width / 2, -height / 2, width, height, 2.5 * mm, stroke=1, fill=0)
        canvas.setLineWidth(0.4)
        canvas.roundRect(-width / 2 + 1.2 * mm, -height / 2 + 1.2 * mm, width - 2.4 * mm, height - 2.4 * mm,
                         1.8 * mm, stroke=1, fill=0)
        for number, line in enumerate(lines):
            canvas.setFont("Helvetica-Bold" if number == 0 else "Helvetica", size)
            canvas.drawCentredString(0, height / 2 - 2 * mm - size * (1.25 * number + 0.95), line)
        canvas.restoreState()

    def legal_lines(self) -> list[str]:
        party, w = self.invoice.supplier, self.w
        return [f"{party.name} - {party.legal_form} au capital de {w.number(Decimal(party.capital), 0)} € - "
                f"Immatriculée au Répertoire des Métiers sous le n° {w.siren(party.siren)} RM "
                f"{party.address.postcode[:2]} - Code APE {party.ape}", *halves(PENALTIES)]

    def footer(self, page: int, page_count: int) -> None:
        s = self.s
        s.lines(105, 268, self.legal_lines(), 6.3, leading=3.2, align="center", color=(0.3, 0.3, 0.3))
        self.wave(0, 14, 8, tint(self.accent, 0.55), from_bottom=True)
        s.text(195, 292, self.labels["page"].format(n=page, m=page_count), 8, bold=True,
               color=shade(self.accent, 0.4), align="right")


HELD_OUT_LAYOUTS: dict[str, type[Layout]] = {layout.name: layout for layout in (
    DeliveryNote, CapsBoxes, Accountant, Artisan)}
