"""Sample invoices as born-digital PDFs with every mandatory mention of the 2026 reform, for the demo data, the
tests and the benchmarks. The companies are known to the SIRENE simulator."""
import io
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from stdnum.fr import tva

SUPPLIERS = [("Fournitures Dupont SAS", "552100554", "12 rue des Lilas, 69003 Lyon"),
             ("Transports Leroy", "404833048", "4 avenue du Port, 33000 Bordeaux"),
             ("Cabinet Conseil Moreau", "542065479", "27 boulevard Haussmann, 75009 Paris"),
             ("Électricité Bernard", "775665011", "8 chemin des Prés, 31000 Toulouse")]
NATURES = {"goods": "Livraison de biens", "services": "Prestation de services", "mixed": "Mixte (biens et services)"}


def vat_number(siren: str) -> str:
    """The French intra-community VAT number of a SIREN: FR, the two-digit key, the SIREN (checked by stdnum)."""
    return "FR" + tva.validate(f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}")


@dataclass(frozen=True)
class SampleInvoice:
    number: str
    supplier: str
    supplier_siren: str
    customer: str
    customer_siren: str
    issue_date: str  # dd/mm/yyyy, as printed
    total_excl_tax: Decimal
    vat_rate: Decimal = Decimal("0.20")
    supplier_address: str = "12 rue des Lilas, 69003 Lyon"
    customer_address: str = "3 place du Marché, 69002 Lyon"
    nature: str = "goods"
    iban: str = "FR7630006000011234567890189"
    bic: str = "AGRIFRPP"
    purchase_order: str = ""
    due_in_days: int = 30
    vat_numbers: bool = True  # False: the VAT numbers are left out (an incomplete invoice)
    printed_total_incl_tax: Decimal | None = None  # a total TTC other than HT + TVA (an invoice that does not add up)

    @property
    def total_tax(self) -> Decimal:
        return (self.total_excl_tax * self.vat_rate).quantize(Decimal("0.01"))

    @property
    def total_incl_tax(self) -> Decimal:
        return self.total_excl_tax + self.total_tax

    @property
    def due_date(self) -> str:
        day, month, year = (int(part) for part in self.issue_date.split("/"))
        return (date(year, month, day) + timedelta(days=self.due_in_days)).strftime("%d/%m/%Y")


def french_amount(value: Decimal) -> str:
    whole, cents = f"{value:.2f}".split(".")
    groups = f"{int(whole):,}".replace(",", "\u00a0")  # a no-break space the standard PDF fonts can draw
    return f"{groups},{cents} €"


def _party(page: canvas.Canvas, x: int, y: int, title: str, name: str, address: str, siren: str,
           with_vat: bool) -> None:
    page.setFont("Helvetica-Bold", 11)
    page.drawString(x, y, f"{title}{name}")
    page.setFont("Helvetica", 9)
    lines = [address, f"SIREN : {siren}"] + ([f"N° TVA : {vat_number(siren)}"] if with_vat else [])
    for offset, line in enumerate(lines, start=1):
        page.drawString(x, y - 14 * offset, line)


def invoice_pdf(invoice: SampleInvoice) -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4, invariant=True)
    _party(page, 50, 790, "", invoice.supplier, invoice.supplier_address, invoice.supplier_siren, invoice.vat_numbers)
    _party(page, 330, 720, "Client : ", invoice.customer, invoice.customer_address, invoice.customer_siren,
           invoice.vat_numbers)
    page.setFont("Helvetica-Bold", 13)
    page.drawString(50, 640, f"FACTURE N° {invoice.number}")
    page.setFont("Helvetica", 10)
    page.drawString(50, 622, f"Date d'émission : {invoice.issue_date}")
    page.drawString(50, 608, f"Date d'échéance : {invoice.due_date}")
    page.drawString(50, 594, f"Nature de l'opération : {NATURES[invoice.nature]}")
    if invoice.purchase_order:
        page.drawString(50, 580, f"Bon de commande : {invoice.purchase_order}")
    rate = f"{invoice.vat_rate * 100:.0f} %"
    for y, label, amount in ((530, "Total HT", invoice.total_excl_tax), (514, f"TVA {rate}", invoice.total_tax),
                             (498, "Total TTC", invoice.printed_total_incl_tax or invoice.total_incl_tax)):
        page.drawString(350, y, label)
        page.drawRightString(540, y, french_amount(amount))
    page.setFont("Helvetica", 9)
    page.drawString(50, 440, "Conditions de paiement : 30 jours, par virement")
    page.drawString(50, 426, f"IBAN : {invoice.iban}")
    page.drawString(50, 412, f"BIC : {invoice.bic}")
    page.showPage()
    page.save()
    return buffer.getvalue()


def sample_invoices(count: int, customer: str = "Boulangerie Martin SARL",
                    customer_siren: str = "732829320") -> list[SampleInvoice]:
    return [SampleInvoice(number=f"F2026-{i + 1:04d}", supplier=SUPPLIERS[i % len(SUPPLIERS)][0],
                          supplier_siren=SUPPLIERS[i % len(SUPPLIERS)][1],
                          supplier_address=SUPPLIERS[i % len(SUPPLIERS)][2], customer=customer,
                          customer_siren=customer_siren, issue_date=f"{1 + i % 28:02d}/10/2026",
                          total_excl_tax=Decimal(100 + 37 * i) + Decimal("0.50"))
            for i in range(count)]
