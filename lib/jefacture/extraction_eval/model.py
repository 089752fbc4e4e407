"""One generated invoice: its facts (parties, lines, dates), how it looks, and the ground truth a reader should find.

Amounts are Decimals with 2 places. On a credit note the amounts are positive, as printed and as in CII/UBL
(type code 381): the document type carries the direction.
"""
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from jefacture_ocr.domain.reading import FIELD_NAMES

CENT = Decimal("0.01")
INVOICE, CREDIT_NOTE = "invoice", "credit_note"
GOODS, SERVICES, MIXED = "goods", "services", "mixed"
# The fields a reader fills, plus the document type.
TRUTH_FIELDS = (*FIELD_NAMES, "document_type")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Address:
    street: str
    postcode: str
    city: str

    def one_line(self) -> str:
        return f"{self.street}, {self.postcode} {self.city}"


@dataclass(frozen=True)
class Party:
    name: str
    address: Address
    siren: str | None
    siret: str | None
    vat: str | None
    legal_form: str = ""
    capital: int = 0
    rcs_city: str = ""
    ape: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class Line:
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    vat_rate: Decimal  # percent: 20, 10, 5.5, 2.1
    nature: str  # goods | services

    @property
    def amount(self) -> Decimal:
        return cents(self.quantity * self.unit_price)


@dataclass(frozen=True)
class VatTotal:
    rate: Decimal
    base: Decimal
    tax: Decimal


@dataclass(frozen=True)
class Look:
    """How the values are written on the page; chosen per invoice so that one layout still varies."""
    date_format: str  # "slash", "dot", "dash", "long", "iso"
    amount_format: str  # "space_euro", "dot_euro", "plain", "euro_first", "space_code"
    spaced_ids: bool  # "123 456 789" rather than "123456789"
    font: str  # "Helvetica", "Times", "Courier"
    accent: tuple[float, float, float]  # RGB 0..1
    uppercase_names: bool = False


@dataclass(frozen=True)
class Invoice:
    id: str
    index: int
    layout: str
    document_type: str
    number: str
    issue_date: date
    due_date: date | None
    currency: str
    supplier: Party
    customer: Party
    lines: tuple[Line, ...]
    look: Look
    payment_terms: str | None = None
    purchase_order: str | None = None
    delivery: Address | None = None
    iban: str | None = None  # compact
    bic: str | None = None
    show_nature: bool = True
    customer_code: str = ""
    original_invoice: str = ""  # on a credit note: the invoice it corrects
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def vat_totals(self) -> list[VatTotal]:
        bases: dict[Decimal, Decimal] = {}
        for line in self.lines:
            bases[line.vat_rate] = bases.get(line.vat_rate, Decimal("0")) + line.amount
        return [VatTotal(rate, base, cents(base * rate / 100)) for rate, base in sorted(bases.items(), reverse=True)]

    @property
    def total_excl_tax(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    @property
    def total_tax(self) -> Decimal:
        return sum((vat.tax for vat in self.vat_totals), Decimal("0.00"))

    @property
    def total_incl_tax(self) -> Decimal:
        return self.total_excl_tax + self.total_tax

    @property
    def operation_nature(self) -> str:
        natures = {line.nature for line in self.lines}
        return natures.pop() if len(natures) == 1 else MIXED

    def truth(self) -> dict[str, str | None]:
        """The normalised values a perfect reader returns (reading.py's rules: ISO dates, "1234.56", compact ids)."""
        return {
            "supplier_name": self.supplier.name, "supplier_siren": self.supplier.siren,
            "supplier_siret": self.supplier.siret, "supplier_vat": self.supplier.vat,
            "customer_name": self.customer.name, "customer_siren": self.customer.siren,
            "customer_vat": self.customer.vat,
            "invoice_number": self.number, "issue_date": self.issue_date.isoformat(),
            "due_date": self.due_date.isoformat() if self.due_date else None, "currency": self.currency,
            "total_excl_tax": f"{self.total_excl_tax:.2f}", "total_tax": f"{self.total_tax:.2f}",
            "total_incl_tax": f"{self.total_incl_tax:.2f}",
            "iban": self.iban, "bic": self.bic, "payment_terms": self.payment_terms,
            "purchase_order": self.purchase_order,
            "delivery_address": self.delivery.one_line() if self.delivery else None,
            "operation_nature": self.operation_nature if self.show_nature else None,
            "document_type": self.document_type,
        }

    def truth_vat_breakdown(self) -> list[dict[str, str]]:
        return [{"rate": f"{vat.rate:.2f}", "base": f"{vat.base:.2f}", "tax": f"{vat.tax:.2f}"}
                for vat in self.vat_totals]

    def truth_lines(self) -> list[dict[str, str]]:
        return [{"description": line.description, "quantity": str(line.quantity),
                 "unit_price": f"{line.unit_price:.2f}", "amount": f"{line.amount:.2f}",
                 "vat_rate": f"{line.vat_rate:.2f}"} for line in self.lines]
