"""Chorus Pro takes an invoice as Factur-X: a PDF with its CII XML embedded. A PDF that already is one goes as it is;
a plain PDF gets the XML of the EN 16931 profile made from the invoice's values (the InvoiceSummary), with the
factur-x library, checked against the Factur-X XSD. Images and XML-only invoices have no PDF to carry it: refused.

Chorus Pro routes on the buyer's SIRET in BT-47 (BuyerTradeParty/SpecifiedLegalOrganization/ID, schemeID 0009): pass
the structure's SIRET (`Structure.identifier`), since the summary only knows the customer's SIREN. The engagement
number goes in BT-13 (the summary's purchase order), the service code in BT-10 (BuyerReference). The summary has no
invoice lines: each VAT rate becomes one line of that rate's taxable amount.
"""
from datetime import date
from decimal import Decimal, InvalidOperation

import facturx
from lxml import etree, objectify
from pypdf.errors import PyPdfError

from jefacture.events.v1.invoice_pb2 import InvoiceSummary

PDF = "application/pdf"
XML_TYPES = ("application/xml", "text/xml")
LEVEL = "en16931"
CREDIT_NOTE_TYPE, INVOICE_TYPE = "381", "380"
CREDIT_TRANSFER, UNDEFINED_MEANS = "30", "1"  # UNTDID 4461 payment means
CENT = Decimal("0.01")
REQUIRED = ("invoice_number", "issue_date", "supplier_name", "customer_name", "total_excl_tax", "total_incl_tax")
EXEMPTION_REASON = "Exonération de TVA"


class NotConvertible(ValueError):
    """The document cannot be deposited as Factur-X; the message says why."""


def as_facturx(content: bytes, media_type: str, summary: InvoiceSummary, buyer_siret: str = "",
               service_code: str = "") -> bytes:
    """The document as a Factur-X PDF: unchanged when it already is one, else the PDF with the summary's CII XML."""
    name = summary.filename or summary.invoice_number or "the document"
    _require_pdf(content, media_type, name)
    embedded = _embedded_flavor(content, name)
    if embedded == "factur-x":
        return content
    if embedded:
        raise NotConvertible(f"{name} embeds a {embedded} XML, not Factur-X: replace it before depositing it in "
                             f"Chorus Pro")
    xml = cii_xml(summary, buyer_siret=buyer_siret, service_code=service_code)
    return facturx.generate_from_binary(content, xml, flavor="factur-x", level=LEVEL, check_xsd=False, lang="fr-FR")


def cii_xml(summary: InvoiceSummary, buyer_siret: str = "", service_code: str = "") -> bytes:
    """The CII XML (Factur-X, profile EN 16931) of the summary's invoice, valid against the Factur-X XSD."""
    missing = [name for name in REQUIRED if not getattr(summary, name)]
    if not (summary.supplier_siret or summary.supplier_siren or summary.supplier_vat):
        missing.append("supplier_siret (or supplier_siren, supplier_vat)")
    if missing:
        raise NotConvertible(f"invoice {summary.invoice_number or '(no number)'} cannot become Factur-X: its summary "
                             f"lacks {', '.join(missing)}")
    root = etree.fromstring(facturx.generate_cii_xml(_data(summary, buyer_siret, service_code), level=LEVEL,
                                                     check_xsd=False, check_schematron=False))
    # factur-x 7.8 writes an empty ApplicableHeaderTradeDelivery as xsi:nil, which its own XSD refuses.
    objectify.deannotate(root, pytype=False, xsi=False, xsi_nil=True, cleanup_namespaces=True)
    facturx.xml_check_xsd(root, flavor="factur-x", level=LEVEL)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _require_pdf(content: bytes, media_type: str, name: str) -> None:
    kind = media_type.split(";")[0].strip().lower()
    if kind.startswith("image/"):
        raise NotConvertible(f"{name} is an image ({kind}): Chorus Pro takes a Factur-X PDF, and a scan has no PDF "
                             f"to carry the invoice's XML; the invoice must be issued as a PDF")
    if kind in XML_TYPES or kind.endswith("+xml") or content.lstrip()[:1] == b"<":
        raise NotConvertible(f"{name} is an XML-only invoice ({kind}): a Factur-X for Chorus Pro needs the "
                             f"invoice's PDF to embed the XML in")
    if kind != PDF or not content.startswith(b"%PDF-"):
        raise NotConvertible(f"{name} is not a PDF ({kind or 'no media type'}): Chorus Pro takes a Factur-X PDF")


def _embedded_flavor(content: bytes, name: str) -> str:
    """The flavor of the invoice XML the PDF embeds (factur-x, zugferd, order-x), or "" when it embeds none."""
    try:
        _, xml = facturx.get_xml_from_pdf(content, check_xsd=False)
    except (PyPdfError, ValueError, TypeError, KeyError) as error:
        raise NotConvertible(f"{name} is not a readable PDF ({type(error).__name__}: {error})") from error
    return facturx.get_flavor(etree.fromstring(xml)) if xml else ""


def _data(summary: InvoiceSummary, buyer_siret: str, service_code: str) -> dict:
    """The factur-x library's data_dict (keys are EN 16931 business terms)."""
    excl, incl = _amount(summary, "total_excl_tax"), _amount(summary, "total_incl_tax")
    tax = _amount(summary, "total_tax") if summary.total_tax else incl - excl
    vat_lines = _vat_lines(summary, excl, tax)
    data = {
        "BT-1": summary.invoice_number,
        "BT-2": _date(summary, "issue_date"),
        "BT-3": CREDIT_NOTE_TYPE if summary.document_type == "credit_note" else INVOICE_TYPE,
        "BT-5": (summary.currency or "EUR").upper(),
        "BG-4": _party(summary.supplier_name, summary.supplier_siret or summary.supplier_siren, summary.supplier_vat),
        "BG-7": _party(summary.customer_name, buyer_siret or summary.customer_siren, summary.customer_vat),
        "BG-23": [_breakdown(rate, base, amount) for rate, base, amount in vat_lines],
        "BG-25": [_line(index, rate, base) for index, (rate, base, _) in enumerate(vat_lines, start=1)],
        "BT-106": _money(sum((base for _, base, _ in vat_lines), Decimal(0))),
        "BT-109": _money(excl), "BT-110": _money(tax), "BT-112": _money(incl), "BT-115": _money(incl),
        "BT-81": CREDIT_TRANSFER if summary.iban else UNDEFINED_MEANS,
    }
    optional = {"BT-9": _date(summary, "due_date") if summary.due_date else None, "BT-10": service_code,
                "BT-13": summary.purchase_order, "BT-84": summary.iban.replace(" ", ""),
                "BT-86": summary.bic if summary.iban else ""}
    return data | {key: value for key, value in optional.items() if value}


def _party(name: str, identifier: str, vat: str) -> dict:
    """A party identified by its SIRET (scheme 0009) or SIREN (scheme 0002) as legal identifier, in France."""
    party = {"name": name, "country_code": "FR"}
    digits = "".join(identifier.split())
    if digits:
        party |= {"legal_identifier": digits, "legal_identifier_schemeid": "0009" if len(digits) == 14 else "0002"}
    if vat:
        party["vat_identifier"] = vat.replace(" ", "")
    return party


def _vat_lines(summary: InvoiceSummary, excl: Decimal, tax: Decimal) -> list[tuple[Decimal, Decimal, Decimal]]:
    """(rate, taxable base, tax) per VAT rate; without a breakdown, one line at the rate the totals imply."""
    if summary.vat_breakdown:
        return [(_decimal(line.rate or "0", "vat_breakdown rate"), _decimal(line.base, "vat_breakdown base"),
                 _decimal(line.tax, "vat_breakdown tax")) for line in summary.vat_breakdown]
    rate = (tax * 100 / excl).quantize(CENT) if excl else Decimal(0)
    return [(rate, excl, tax)]


def _breakdown(rate: Decimal, base: Decimal, tax: Decimal) -> dict:
    breakdown = {"BT-116": _money(base), "BT-117": _money(tax), "BT-118": _category(rate), "BT-119": _money(rate)}
    return breakdown | ({"BT-120": EXEMPTION_REASON} if not rate else {})


def _line(index: int, rate: Decimal, base: Decimal) -> dict:
    return {"BT-126": str(index), "BT-153": f"Opérations soumises à la TVA au taux de {_money(rate)} %",
            "BT-129": "1", "BT-130": "C62", "BT-146": _money(base), "BT-131": _money(base),
            "BT-151": _category(rate), "BT-152": _money(rate)}


def _category(rate: Decimal) -> str:
    return "S" if rate else "E"  # standard rate, or exempt


def _amount(summary: InvoiceSummary, name: str) -> Decimal:
    return _decimal(getattr(summary, name), name)


def _decimal(raw: str, name: str) -> Decimal:
    try:
        return Decimal(raw.replace(" ", "").replace(",", "."))
    except InvalidOperation:
        raise NotConvertible(f"{name} {raw!r} is not an amount (expected e.g. '1234.56')") from None


def _money(value: Decimal) -> str:
    return str(value.quantize(CENT))


def _date(summary: InvoiceSummary, name: str) -> str:
    raw = getattr(summary, name)
    try:
        return date.fromisoformat(raw).isoformat()
    except ValueError:
        raise NotConvertible(f"{name} {raw!r} is not an ISO date (expected e.g. '2026-03-02')") from None
