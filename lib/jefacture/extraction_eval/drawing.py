"""Writing values the way French (or English) invoices print them, and a small canvas helper in mm from the top."""
from datetime import date
from decimal import Decimal

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Table, TableStyle

from .model import GOODS, MIXED, SERVICES, Invoice, Look

MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
             "novembre", "décembre")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December")
FONT_FACES = {"Helvetica": ("Helvetica", "Helvetica-Bold", "Helvetica-Oblique"),
              "Times": ("Times-Roman", "Times-Bold", "Times-Italic"),
              "Courier": ("Courier", "Courier-Bold", "Courier-Oblique"),
              "Vera": ("Vera", "Vera-Bold", "Vera-Italic")}  # Bitstream Vera Sans, shipped inside reportlab
NATURE_FR = {GOODS: "Livraison de biens", SERVICES: "Prestation de services", MIXED: "Mixte (biens et services)"}
NATURE_EN = {GOODS: "Supply of goods", SERVICES: "Supply of services", MIXED: "Mixed (goods and services)"}
PAGE_WIDTH_MM, PAGE_HEIGHT_MM = A4[0] / mm, A4[1] / mm
TRUETYPE_FILES = {"Vera": "Vera.ttf", "Vera-Bold": "VeraBd.ttf", "Vera-Italic": "VeraIt.ttf"}


def register_fonts() -> None:
    """Registers the embedded TrueType faces (found on reportlab's own font path) once per process."""
    for face, file_name in TRUETYPE_FILES.items():
        if face not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(face, file_name))


class Writer:
    """Turns an invoice's values into the strings printed on the page, following its Look and language."""

    def __init__(self, invoice: Invoice, english: bool = False):
        self.invoice = invoice
        self.look: Look = invoice.look
        self.english = english

    def date(self, value: date | None) -> str:
        if value is None:
            return ""
        style = self.look.date_format
        if style == "long":
            months = MONTHS_EN if self.english else MONTHS_FR
            return f"{value.day} {months[value.month - 1]} {value.year}"
        if style == "iso":
            return value.isoformat()
        separator = {"slash": "/", "dot": ".", "dash": "-"}[style]
        return value.strftime(f"%d{separator}%m{separator}%Y")

    def number(self, value: Decimal, places: int = 2) -> str:
        """1 234,56 (French) or 1,234.56 (English), without currency."""
        text = f"{value:,.{places}f}"
        if self.english:
            return text
        thousands = "." if self.look.amount_format == "dot_euro" else "\u00a0"
        return text.replace(",", "\x00").replace(".", ",").replace("\x00", thousands)

    def quantity(self, value: Decimal) -> str:
        text = f"{value.normalize():f}"
        return text if self.english else text.replace(".", ",")

    def money(self, value: Decimal) -> str:
        """An amount with its currency, as the invoice's Look says."""
        amount, currency = self.number(value), self.invoice.currency
        symbol = "€" if currency == "EUR" else currency
        style = self.look.amount_format
        if style == "plain":
            return amount
        if style == "euro_first":
            return f"{symbol} {amount}"
        if style == "space_code":
            return f"{amount} {currency}"
        return f"{amount} {symbol}"

    def currency_note(self) -> str:
        """A label suffix when the amounts carry no currency sign, so the page always says the currency."""
        return f" ({self.invoice.currency})" if self.look.amount_format == "plain" else ""

    def rate(self, value: Decimal) -> str:
        text = f"{value.normalize():f}"
        return f"{text}%" if self.english else f"{text.replace('.', ',')} %"

    def siren(self, value: str | None) -> str:
        if not value:
            return ""
        return f"{value[:3]} {value[3:6]} {value[6:]}" if self.look.spaced_ids else value

    def siret(self, value: str | None) -> str:
        if not value:
            return ""
        return f"{self.siren(value[:9])} {value[9:]}" if self.look.spaced_ids else value

    def vat(self, value: str | None) -> str:
        if not value:
            return ""
        return f"{value[:2]} {value[2:4]} {value[4:]}" if self.look.spaced_ids else value

    def iban(self, value: str | None) -> str:
        if not value:
            return ""
        if self.look.spaced_ids or self.invoice.index % 3:
            return " ".join(value[i:i + 4] for i in range(0, len(value), 4))
        return value

    def party_name(self, name: str) -> str:
        return name.upper() if self.look.uppercase_names else name

    def nature(self) -> str:
        return (NATURE_EN if self.english else NATURE_FR)[self.invoice.operation_nature]


class Sheet:
    """A reportlab canvas addressed in mm from the page's top-left corner, with the invoice's fonts."""

    def __init__(self, canvas: Canvas, font: str, size: float = 9.5):
        register_fonts()
        self.canvas = canvas
        self.regular, self.bold, self.italic = FONT_FACES[font]
        self.size = size

    def y(self, top_mm: float) -> float:
        return A4[1] - top_mm * mm

    def text(self, x: float, top: float, value: str, size: float | None = None, bold: bool = False,
             align: str = "left", color: tuple[float, float, float] = (0, 0, 0), italic: bool = False) -> None:
        self.canvas.setFont(self.face(bold, italic), size or self.size)
        self.canvas.setFillColor(Color(*color))
        draw = {"left": self.canvas.drawString, "right": self.canvas.drawRightString,
                "center": self.canvas.drawCentredString}[align]
        draw(x * mm, self.y(top), value)
        self.canvas.setFillColor(Color(0, 0, 0))

    def face(self, bold: bool = False, italic: bool = False) -> str:
        return self.bold if bold else self.italic if italic else self.regular

    def width(self, value: str, size: float | None = None, bold: bool = False) -> float:
        """How wide `value` is printed, in mm."""
        return pdfmetrics.stringWidth(value, self.face(bold), size or self.size) / mm

    def wrap(self, value: str, width: float, size: float | None = None, bold: bool = False) -> list[str]:
        """`value` cut into lines no wider than `width` mm."""
        return simpleSplit(value, self.face(bold), size or self.size, width * mm)

    def dotted(self, x0: float, x1: float, top: float, label: str, value: str, size: float | None = None,
               bold: bool = False) -> None:
        """The label at x0, the value ending at x1, and dot leaders between them ("Total HT ...... 12,00 €")."""
        size = size or self.size
        space = self.width(" ", size, bold)
        room = x1 - x0 - self.width(label, size, bold) - self.width(value, size, bold) - 2 * space
        self.text(x0, top, label, size, bold=bold)
        self.text(x0 + self.width(label, size, bold) + space, top, "." * max(0, int(room / self.width(".", size))),
                  size)
        self.text(x1, top, value, size, bold=bold, align="right")

    def fits_dotted(self, x0: float, x1: float, label: str, value: str, size: float | None = None,
                    bold: bool = False) -> bool:
        """Whether label, at least three dots and value fit on one line between x0 and x1."""
        used = self.width(f"{label}  ...  {value}", size, bold)
        return used <= x1 - x0

    def lines(self, x: float, top: float, values: list[str], size: float | None = None, leading: float = 4.4,
              bold_first: bool = False, align: str = "left", color: tuple[float, float, float] = (0, 0, 0)) -> float:
        """Writes one value per line; returns the top of the next line."""
        for number, value in enumerate(v for v in values if v):
            self.text(x, top, value, size, bold=bold_first and number == 0, align=align, color=color)
            top += leading
        return top

    def label_value(self, x: float, top: float, label: str, value: str, how: str = "inline", tab: float = 32,
                    size: float | None = None, label_color: tuple[float, float, float] = (0, 0, 0),
                    bold_value: bool = False) -> None:
        """inline: "Label : value"; tab: label then value at x + tab; above: small label, value below."""
        if how == "inline":
            self.text(x, top, f"{label} {value}", size, bold=bold_value)
        elif how == "tab":
            self.text(x, top, label, size, color=label_color)
            self.text(x + tab, top, value, size, bold=bold_value)
        else:
            self.text(x, top, label, (size or self.size) - 1.8, color=label_color)
            self.text(x, top + 4.2, value, size, bold=bold_value)

    def rect(self, x: float, top: float, width: float, height: float, fill: tuple[float, float, float] | None = None,
             stroke: tuple[float, float, float] | None = (0, 0, 0), line_width: float = 0.6) -> None:
        self.canvas.setLineWidth(line_width)
        if fill:
            self.canvas.setFillColor(Color(*fill))
        if stroke:
            self.canvas.setStrokeColor(Color(*stroke))
        self.canvas.rect(x * mm, self.y(top + height), width * mm, height * mm, stroke=1 if stroke else 0,
                         fill=1 if fill else 0)
        self.canvas.setFillColor(Color(0, 0, 0))
        self.canvas.setStrokeColor(Color(0, 0, 0))

    def round_rect(self, x: float, top: float, width: float, height: float, radius: float,
                   fill: tuple[float, float, float]) -> None:
        self.canvas.setFillColor(Color(*fill))
        self.canvas.roundRect(x * mm, self.y(top + height), width * mm, height * mm, radius * mm, stroke=0, fill=1)
        self.canvas.setFillColor(Color(0, 0, 0))

    def hline(self, x0: float, x1: float, top: float, line_width: float = 0.6,
              color: tuple[float, float, float] = (0, 0, 0), dash: tuple[float, float] | None = None) -> None:
        """A horizontal rule; `dash` (on, off) in points makes it dashed."""
        self.canvas.setLineWidth(line_width)
        self.canvas.setStrokeColor(Color(*color))
        if dash:
            self.canvas.setDash(*dash)
        self.canvas.line(x0 * mm, self.y(top), x1 * mm, self.y(top))
        self.canvas.setDash()
        self.canvas.setStrokeColor(Color(0, 0, 0))

    def vline(self, x: float, top: float, bottom: float, line_width: float = 0.6,
              color: tuple[float, float, float] = (0, 0, 0)) -> None:
        self.canvas.setLineWidth(line_width)
        self.canvas.setStrokeColor(Color(*color))
        self.canvas.line(x * mm, self.y(top), x * mm, self.y(bottom))
        self.canvas.setStrokeColor(Color(0, 0, 0))

    def qr(self, x: float, top: float, side: float, data: str) -> None:
        """A QR code of `data`, `side` mm square, its top-left corner at (x, top)."""
        widget = QrCodeWidget(data, barLevel="M")
        left, bottom, right, upper = widget.getBounds()
        drawing = Drawing(side * mm, side * mm, transform=[side * mm / (right - left), 0, 0,
                                                           side * mm / (upper - bottom), 0, 0])
        drawing.add(widget)
        renderPDF.draw(drawing, self.canvas, x * mm, self.y(top + side))

    def circle(self, x: float, top: float, radius: float, fill: tuple[float, float, float]) -> None:
        self.canvas.setFillColor(Color(*fill))
        self.canvas.circle(x * mm, self.y(top), radius * mm, stroke=0, fill=1)
        self.canvas.setFillColor(Color(0, 0, 0))

    def polygon(self, points: list[tuple[float, float]], fill: tuple[float, float, float]) -> None:
        path = self.canvas.beginPath()
        path.moveTo(points[0][0] * mm, self.y(points[0][1]))
        for x, top in points[1:]:
            path.lineTo(x * mm, self.y(top))
        path.close()
        self.canvas.setFillColor(Color(*fill))
        self.canvas.drawPath(path, stroke=0, fill=1)
        self.canvas.setFillColor(Color(0, 0, 0))

    def table(self, x: float, top: float, rows: list[list[str]], widths: list[float], style: str,
              accent: tuple[float, float, float] = (0.2, 0.2, 0.2), size: float | None = None,
              right_columns: tuple[int, ...] = ()) -> float:
        """Draws a table (style grid | zebra | plain | vertical | header_band | boxed_dark | double); returns the top
        of what follows."""
        table = Table(rows, colWidths=[w * mm for w in widths])
        table.setStyle(TableStyle(_table_commands(style, len(rows), accent, self, size or self.size - 0.5,
                                                  right_columns)))
        _, height = table.wrapOn(self.canvas, sum(widths) * mm, A4[1])
        table.drawOn(self.canvas, x * mm, self.y(top) - height)
        return top + height / mm


def _table_commands(style: str, row_count: int, accent: tuple[float, float, float], sheet: Sheet, size: float,
                    right_columns: tuple[int, ...]) -> list[tuple]:
    commands = [("FONT", (0, 0), (-1, 0), sheet.bold, size), ("FONT", (0, 1), (-1, -1), sheet.regular, size),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5)]
    commands += [("ALIGN", (column, 0), (column, -1), "RIGHT") for column in right_columns]
    light = Color(*[0.75 + 0.25 * c for c in accent])
    if style == "grid":
        commands += [("GRID", (0, 0), (-1, -1), 0.5, Color(0, 0, 0)), ("BACKGROUND", (0, 0), (-1, 0), light)]
    elif style == "zebra":
        commands += [("BACKGROUND", (0, 0), (-1, 0), Color(*accent)), ("TEXTCOLOR", (0, 0), (-1, 0), Color(1, 1, 1))]
        commands += [("BACKGROUND", (0, row), (-1, row), Color(0.92, 0.92, 0.92)) for row in range(2, row_count, 2)]
    elif style == "vertical":
        black = Color(0, 0, 0)
        commands += [("BOX", (0, 0), (-1, -1), 0.8, black), ("INNERGRID", (0, 0), (-1, 0), 0.5, black),
                     ("LINEAFTER", (0, 0), (-2, -1), 0.5, black)]
    elif style == "header_band":
        commands += [("LINEBELOW", (0, 0), (-1, 0), 1.2, Color(*accent)),
                     ("LINEBELOW", (0, -1), (-1, -1), 0.6, Color(0.5, 0.5, 0.5))]
        commands += [("LINEBELOW", (0, row), (-1, row), 0.25, Color(0.8, 0.8, 0.8)) for row in range(1, row_count - 1)]
    elif style == "boxed_dark":
        dark = Color(*[0.6 * c for c in accent])
        commands += [("BACKGROUND", (0, 0), (-1, 0), dark), ("TEXTCOLOR", (0, 0), (-1, 0), Color(1, 1, 1)),
                     ("BOX", (0, 0), (-1, -1), 0.7, dark)]
        commands += [("LINEBELOW", (0, row), (-1, row), 0.3, Color(0.7, 0.7, 0.7)) for row in range(1, row_count - 1)]
    elif style == "double":  # accounting style: double rules above the header and under the last row
        black = Color(0, 0, 0)
        commands += [("LINEABOVE", (0, 0), (-1, 0), 0.5, black, None, None, None, 2, 1.2),
                     ("LINEBELOW", (0, 0), (-1, 0), 0.5, black),
                     ("LINEBELOW", (0, -1), (-1, -1), 0.5, black, None, None, None, 2, 1.2)]
    return commands


def split_pages(items: list, first: int, others: int) -> list[list]:
    """Cuts the lines into pages: `first` on page one, `others` on each following page (at least one page)."""
    pages, rest = [items[:first]], items[first:]
    while rest:
        pages.append(rest[:others])
        rest = rest[others:]
    return pages
