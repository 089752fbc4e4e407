"""What reading one invoice produced, whatever step read it: fields with a confidence and where they were found.

Positions are fractions of the page (0..1, origin top-left), so that PDF points and image pixels compare.
"""
from dataclasses import dataclass, field

KINDS = ("facturx", "cii", "ubl", "pdf_text", "ocr")
# The fields every step tries to fill, in the order the CLI prints them.
FIELD_NAMES = (
    "supplier_name", "supplier_siren", "supplier_siret", "supplier_vat",
    "customer_name", "customer_siren", "customer_vat",
    "invoice_number", "issue_date", "due_date", "currency",
    "total_excl_tax", "total_tax", "total_incl_tax",
    "iban", "bic", "payment_terms", "purchase_order", "delivery_address", "operation_nature",
)
INVOICE, CREDIT_NOTE = "invoice", "credit_note"


class UnreadableDocument(ValueError):
    """The document could not be read at all; the message says why, in one line."""


@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def as_list(self) -> list[float]:
        return [round(self.x0, 4), round(self.y0, 4), round(self.x1, 4), round(self.y1, 4)]


@dataclass(frozen=True)
class Word:
    """One word on a page, as the text layer or the OCR engine gave it."""
    text: str
    page: int  # 1-based
    box: Box
    confidence: float = 1.0


@dataclass(frozen=True)
class Found:
    """A field's value (normalised: ISO dates, "1234.56" amounts, compact identifiers) and how sure we are."""
    value: str
    confidence: float
    page: int | None = None
    box: Box | None = None

    def as_json(self) -> dict:
        found = {"value": self.value, "confidence": round(self.confidence, 3)}
        if self.page is not None:
            found["page"] = self.page
        if self.box is not None:
            found["box"] = self.box.as_list()
        return found


@dataclass(frozen=True)
class VatLine:
    rate: str  # "20.00"
    base: str  # taxable amount, "1000.00"
    tax: str  # "200.00"


@dataclass(frozen=True)
class InvoiceLine:
    description: str
    quantity: str | None = None
    unit_price: str | None = None
    amount: str | None = None  # excluding tax
    vat_rate: str | None = None


@dataclass
class Reading:
    kind: str
    document_type: str = INVOICE
    fields: dict[str, Found] = field(default_factory=dict)
    vat_breakdown: list[VatLine] = field(default_factory=list)
    lines: list[InvoiceLine] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    page_count: int = 0
    text_chars: int = 0
    seconds: float = 0.0  # the whole reading, validation included
    validation_seconds: float = 0.0  # of which checking a structured invoice against its XSD and schematron

    def value(self, name: str) -> str | None:
        found = self.fields.get(name)
        return found.value if found else None

    def as_json(self) -> dict:
        """The shape `jefacture extract --json` prints (other tools rely on it)."""
        return {"kind": self.kind, "document_type": self.document_type,
                "fields": {name: self.fields[name].as_json() for name in FIELD_NAMES if name in self.fields},
                "vat_breakdown": [vars(line) for line in self.vat_breakdown],
                "lines": [vars(line) for line in self.lines],
                "findings": list(self.findings), "page_count": self.page_count, "seconds": round(self.seconds, 4),
                "validation_seconds": round(self.validation_seconds, 4)}
