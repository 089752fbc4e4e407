"""Sample invoices as born-digital PDFs, for the demo data, the tests and the benchmarks."""
import io
from dataclasses import dataclass
from decimal import Decimal

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas


@dataclass(frozen=True)
class SampleInvoice:
    number: str
    supplier: str
    supplier_siren: str
    customer: str
    customer_siren: str
    issue_date: str
    total_excl_tax: Decimal
    vat_rate: Decimal = Decimal("0.20")

    @property
    def total_tax(self) -> Decimal:
        return (self.total_excl_tax * self.vat_rate).quantize(Decimal("0.01"))

    @property
    def total_incl_tax(self) -> Decimal:
        return self.total_excl_tax + self.total_tax


def french_amount(value: Decimal) -> str:
    whole, cents = f"{value:.2f}".split(".")
    groups = f"{int(whole):,}".replace(",", "\u202f")
    return f"{groups},{cents} €"


def invoice_pdf(invoice: SampleInvoice) -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4, invariant=True)
    page.setFont("Helvetica-Bold", 16)
    page.drawString(50, 790, invoice.supplier)
    page.setFont("Helvetica", 10)
    page.drawString(50, 774, f"SIREN {invoice.supplier_siren}")
    page.drawString(350, 740, f"Client : {invoice.customer}")
    page.drawString(350, 726, f"SIREN {invoice.customer_siren}")
    page.setFont("Helvetica-Bold", 13)
    page.drawString(50, 680, f"FACTURE N° {invoice.number}")
    page.setFont("Helvetica", 10)
    page.drawString(50, 664, f"Date d'émission : {invoice.issue_date}")
    for y, label, amount in ((600, "Total HT", invoice.total_excl_tax), (584, "TVA 20 %", invoice.total_tax),
                             (568, "Total TTC", invoice.total_incl_tax)):
        page.drawString(350, y, label)
        page.drawRightString(540, y, french_amount(amount))
    page.showPage()
    page.save()
    return buffer.getvalue()


def sample_invoices(count: int, customer: str = "Boulangerie Martin SARL",
                    customer_siren: str = "732829320") -> list[SampleInvoice]:
    suppliers = [("Fournitures Dupont SAS", "552100554"), ("Transports Leroy", "404833048"),
                 ("Cabinet Conseil Moreau", "542065479"), ("Électricité Bernard", "775665011")]
    return [SampleInvoice(number=f"F2026-{i + 1:04d}", supplier=suppliers[i % len(suppliers)][0],
                          supplier_siren=suppliers[i % len(suppliers)][1], customer=customer,
                          customer_siren=customer_siren, issue_date=f"{1 + i % 28:02d}/10/2026",
                          total_excl_tax=Decimal(100 + 37 * i) + Decimal("0.50"))
            for i in range(count)]
