"""Structured e-invoices: Factur-X / ZUGFeRD PDFs with embedded XML, standalone CII and UBL XML.

Every value comes from the XML itself (confidence 1.0, no boxes), normalised like the other readers.
Validation: the XML Schemas that the factur-x package ships (checked with lxml) and the EN 16931 schematron
(compiled XSLT vendored in ../resources/en16931, run locally with saxonche). Findings are "RULE-ID: message".
XML is parsed without DTD loading, entity resolution or network; a document that declares entities is refused.
"""
import importlib.resources
import re
import threading
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from io import BytesIO
from pathlib import Path
from time import perf_counter

import facturx
from lxml import etree
from pypdf import PdfReader
from schwifty import BIC, IBAN
from stdnum.eu import vat
from stdnum.fr import siren, siret

from jefacture_ocr.domain.reading import CREDIT_NOTE, INVOICE, Found, InvoiceLine, Reading, UnreadableDocument, VatLine

FACTURX, CII, UBL = "facturx", "cii", "ubl"
SYNTAXES = (CII, UBL)
EMBEDDED_XML_NAMES = ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml")
RESOURCES = Path(__file__).resolve().parent.parent / "resources" / "en16931"
SCHEMATRONS = {CII: RESOURCES / "FACTUR-X_EN16931.xslt", UBL: RESOURCES / "EN16931-UBL-validation.xslt"}
# Code lists a stylesheet reads with document(): parsed once per process and handed to it as a parameter.
CODE_LISTS = {CII: "FACTUR-X_EN16931_codedb.xml"}
CODE_LIST_PARAMETER = "jefacture-code-list"
CHECK_FAILED_CONFIDENCE = 0.5
MAX_XSD_FINDINGS = 20
# UNTDID 1001 document type codes that EN 16931 treats as credit notes; any other code is an invoice.
CREDIT_NOTE_TYPE_CODES = {"81", "83", "261", "262", "296", "308", "381", "396", "420", "458", "532"}
# French e-invoicing "cadre de facturation" (BT-23): B = goods, S = services, M = mixed.
OPERATION_NATURES = {"B": "goods", "S": "services", "M": "mixed"}

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    "inv": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cn": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "svrl": "http://purl.oclc.org/dsdl/svrl",
}
CII_ROOT = f"{{{NS['rsm']}}}CrossIndustryInvoice"
UBL_ROOTS = {f"{{{NS['inv']}}}Invoice": "ubl-2.1-invoice", f"{{{NS['cn']}}}CreditNote": "ubl-2.1-creditnote"}


def read_structured(content: bytes, validate: bool = True) -> Reading | None:
    """Read a Factur-X/ZUGFeRD PDF, a CII or a UBL invoice; None when the bytes are none of these.

    validate=False skips the schematron (the slow part, a few ms); the XSD check always runs. validation_seconds
    tells how much of the reading went to the XSD and schematron checks.
    Raises UnreadableDocument for XML (standalone or embedded in the PDF) that is malformed or declares entities,
    and for standalone XML that is not a CII or UBL invoice.
    """
    started = perf_counter()
    if _looks_like_xml(content):
        kind, xml, page_count = None, content, 0
    elif _looks_like_pdf(content):
        embedded = _embedded_invoice_xml(content)
        if embedded is None:
            return None
        kind, (xml, page_count) = FACTURX, embedded
    else:
        return None
    root = _parse(xml)
    if kind == FACTURX and root.tag != CII_ROOT and root.tag not in UBL_ROOTS:
        return None  # e.g. ZUGFeRD 1.0: the PDF's text layer is read instead
    syntax = _syntax(root)
    reading = _read_cii(root) if syntax == CII else _read_ubl(root)
    reading.kind = kind or syntax
    reading.page_count = page_count
    validating = perf_counter()
    reading.findings += _xsd_findings(root, syntax)
    if validate:
        reading.findings += _schematron_findings(root, syntax)
    reading.validation_seconds = perf_counter() - validating
    reading.seconds = perf_counter() - started
    return reading


def validate(xml_bytes: bytes, syntax: str) -> list[str]:
    """XSD and EN 16931 schematron findings ("RULE-ID: message") for a CII or UBL document; [] when valid."""
    if syntax not in SYNTAXES:
        raise ValueError(f"syntax must be one of {SYNTAXES}, got {syntax!r}")
    root = _parse(xml_bytes)
    found = _syntax(root)
    if found != syntax:
        raise UnreadableDocument(f"expected a {syntax.upper()} document, got {found.upper()} (root <{root.tag}>)")
    return _xsd_findings(root, syntax) + _schematron_findings(root, syntax)


# --- recognising and parsing ------------------------------------------------------------------------------------

def _looks_like_xml(content: bytes) -> bool:
    head = content[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<") or head.startswith((b"\xff\xfe", b"\xfe\xff"))


def _looks_like_pdf(content: bytes) -> bool:
    return b"%PDF-" in content[:1024]


def _embedded_invoice_xml(content: bytes) -> tuple[bytes, int] | None:
    """The invoice XML a Factur-X/ZUGFeRD PDF carries, and the PDF's page count; None for any other PDF."""
    try:
        reader = PdfReader(BytesIO(content))
        if reader.is_encrypted:
            return None
        attachments = {name.lower(): data for name, data in reader.attachments.items()}
        page_count = len(reader.pages)
    except Exception:  # a PDF pypdf cannot read is not ours to judge: the text and OCR steps report it
        return None
    for name in EMBEDDED_XML_NAMES:
        if attachments.get(name):
            return attachments[name][0], page_count
    return None


def _safe_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                           remove_comments=True, remove_pis=True)


def _parse(xml: bytes) -> etree._Element:
    try:
        tree = etree.parse(BytesIO(xml), _safe_parser())
    except etree.XMLSyntaxError as error:
        raise UnreadableDocument(f"malformed XML: {' '.join(str(error).split())}") from None
    dtd = tree.docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        names = ", ".join(sorted(entity.name for entity in dtd.iterentities()))
        raise UnreadableDocument(f"XML declares entities ({names}) in its DOCTYPE: refused, they are never resolved")
    return tree.getroot()


def _syntax(root: etree._Element) -> str:
    if root.tag == CII_ROOT:
        return CII
    if root.tag in UBL_ROOTS:
        return UBL
    raise UnreadableDocument(f"XML root <{root.tag}> is not an invoice: expected CII CrossIndustryInvoice "
                             "or UBL Invoice/CreditNote")


# --- normalising values -----------------------------------------------------------------------------------------

def _decimal(raw: str) -> Decimal:
    try:
        number = Decimal(raw.strip())
    except InvalidOperation:
        raise ValueError(f"{raw!r} is not a decimal number") from None
    if not number.is_finite():
        raise ValueError(f"{raw!r} is not a finite number")
    return number


def normalize_amount(raw: str) -> str:
    """"1234.5" → "1234.50" (2 decimals, half-up)."""
    return f"{_decimal(raw).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):f}"


def _price(raw: str) -> str:
    """A unit price keeps its extra decimals ("0.1234") but has at least two ("500.00")."""
    number = _decimal(raw)
    return f"{number:f}" if number.as_tuple().exponent < -2 else normalize_amount(raw)


def _quantity(raw: str) -> str:
    number = _decimal(raw).normalize()
    return f"{number:f}"


def _iso_date(raw: str) -> str:
    try:
        return date.fromisoformat(raw.strip()).isoformat()
    except ValueError:
        raise ValueError(f"{raw!r} is not an ISO date (YYYY-MM-DD)") from None


def _cii_date(node: etree._Element | None) -> str | None:
    """udt:DateTimeString with format 102 (YYYYMMDD) → ISO."""
    if node is None or not (node.text or "").strip():
        return None
    if node.get("format", "102") != "102":
        raise ValueError(f"date {node.text!r} has format {node.get('format')!r}; EN 16931 requires 102 (YYYYMMDD)")
    try:
        return datetime.strptime(node.text.strip(), "%Y%m%d").date().isoformat()
    except ValueError:
        raise ValueError(f"{node.text!r} is not a date in format 102 (YYYYMMDD)") from None


def _compact(raw: str) -> str:
    return re.sub(r"[\s.\-]", "", raw).upper()


def _checked(value: str, is_valid, label: str) -> tuple[str, str | None]:
    return value, None if is_valid(value) else f"{value} fails the {label} check"


def _siren(raw: str) -> tuple[str, str | None]:
    return _checked(_compact(raw), siren.is_valid, "SIREN (9 digits, Luhn)")


def _siret(raw: str) -> tuple[str, str | None]:
    return _checked(_compact(raw), siret.is_valid, "SIRET (14 digits, Luhn)")


def _vat(raw: str) -> tuple[str, str | None]:
    return _checked(_compact(raw), vat.is_valid, "VAT number (format and key)")


def _iban(raw: str) -> tuple[str, str | None]:
    try:
        return IBAN(raw).compact, None
    except ValueError as error:
        return _compact(raw), f"{_compact(raw)} is not a valid IBAN ({error})"


def _bic(raw: str) -> tuple[str, str | None]:
    try:
        return str(BIC(raw)), None
    except ValueError as error:
        return _compact(raw), f"{_compact(raw)} is not a valid BIC ({error})"


def _address(lines: list[str | None], postcode: str | None, city: str | None, country: str | None) -> str | None:
    """"8 quai Saint-Antoine, 69002 Lyon" (the country is added only when it is not FR)."""
    parts = [line.strip() for line in lines if line and line.strip()]
    town = " ".join(part.strip() for part in (postcode, city) if part and part.strip())
    if town:
        parts.append(town)
    if country and country.strip().upper() != "FR":
        parts.append(country.strip().upper())
    return ", ".join(parts) or None


def _text(node: etree._Element | None, path: str) -> str | None:
    if node is None:
        return None
    found = node.findtext(path, namespaces=NS)
    return found.strip() if found and found.strip() else None


# --- collecting fields ------------------------------------------------------------------------------------------

@dataclass
class _Collected:
    """Fields and findings gathered while walking one document."""
    fields: dict[str, Found] = field(default_factory=dict)
    findings: list[str] = field(default_factory=list)

    def put(self, name: str, raw: str | None, normalise=None) -> None:
        """Store a field; a value that cannot be normalised becomes a finding, never a guess."""
        if raw is None or name in self.fields:
            return
        try:
            value = normalise(raw) if normalise else raw.strip()
        except ValueError as error:
            self.findings.append(f"{name}: {error}")
            return
        if value:
            self.fields[name] = Found(value, 1.0)

    def put_checked(self, name: str, raw: str | None, check) -> None:
        """Store an identifier; a failed checksum keeps the value with a lower confidence and adds a finding."""
        if raw is None or name in self.fields:
            return
        value, problem = check(raw)
        if problem:
            self.findings.append(f"{name}: {problem}")
        self.fields[name] = Found(value, CHECK_FAILED_CONFIDENCE if problem else 1.0)

    def convert(self, raw: str | None, normalise, what: str) -> str | None:
        """A normalised value for a line or VAT breakdown, or None (with a finding when it was unreadable)."""
        if raw is None:
            return None
        try:
            return normalise(raw)
        except ValueError as error:
            self.findings.append(f"{what}: {error}")
            return None


def _put_legal_ids(collected: _Collected, prefix: str, ids: list[tuple[str | None, str]]) -> None:
    """SIREN (scheme 0002, or 9 digits) and SIRET (scheme 0009, or 14 digits) among a party's identifiers."""
    for scheme, raw in ids:
        digits = _compact(raw)
        if scheme == "0002" or (scheme is None and len(digits) == 9 and digits.isdigit()):
            collected.put_checked(f"{prefix}_siren", raw, _siren)
        elif scheme == "0009" or (scheme is None and len(digits) == 14 and digits.isdigit()):
            if prefix == "supplier":
                collected.put_checked("supplier_siret", raw, _siret)
            collected.put_checked(f"{prefix}_siren", digits[:9], _siren)


def _identifiers(party: etree._Element | None, paths: tuple[str, ...]) -> list[tuple[str | None, str]]:
    if party is None:
        return []
    return [(node.get("schemeID"), node.text.strip())
            for path in paths for node in party.iterfind(path, NS) if node.text and node.text.strip()]


def _document_type(code: str | None) -> str:
    return CREDIT_NOTE if code in CREDIT_NOTE_TYPE_CODES else INVOICE


def _put_operation_nature(collected: _Collected, business_process: str | None) -> None:
    if business_process and re.fullmatch(r"[BSM]\d", business_process):
        collected.put("operation_nature", OPERATION_NATURES[business_process[0]])


def _finish(reading: Reading, collected: _Collected) -> Reading:
    reading.fields = collected.fields
    reading.findings = collected.findings
    return reading


# --- CII (Factur-X, ZUGFeRD 2, standalone CII) ------------------------------------------------------------------

def _read_cii(root: etree._Element) -> Reading:
    reading, collected = Reading(kind=CII), _Collected()
    document = root.find("rsm:ExchangedDocument", NS)
    transaction = root.find("rsm:SupplyChainTradeTransaction", NS)
    agreement = transaction.find("ram:ApplicableHeaderTradeAgreement", NS) if transaction is not None else None
    settlement = transaction.find("ram:ApplicableHeaderTradeSettlement", NS) if transaction is not None else None
    _put_operation_nature(collected, _text(root, "rsm:ExchangedDocumentContext/"
                                                 "ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID"))
    collected.put("invoice_number", _text(document, "ram:ID"))
    reading.document_type = _document_type(_text(document, "ram:TypeCode"))
    _put_cii_date(collected, "issue_date", document, "ram:IssueDateTime/udt:DateTimeString")
    _put_cii_party(collected, "supplier", _find(agreement, "ram:SellerTradeParty"))
    _put_cii_party(collected, "customer", _find(agreement, "ram:BuyerTradeParty"))
    collected.put("purchase_order", _text(agreement, "ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID"))
    ship_to = _find(transaction, "ram:ApplicableHeaderTradeDelivery/ram:ShipToTradeParty/ram:PostalTradeAddress")
    collected.put("delivery_address", _cii_address(ship_to))
    _put_cii_settlement(collected, reading, settlement)
    items = _findall(transaction, "ram:IncludedSupplyChainTradeLineItem")
    reading.lines = [_cii_line(item, collected) for item in items]
    return _finish(reading, collected)


def _find(node: etree._Element | None, path: str) -> etree._Element | None:
    return node.find(path, NS) if node is not None else None


def _findall(node: etree._Element | None, path: str) -> list[etree._Element]:
    return node.findall(path, NS) if node is not None else []


def _put_cii_date(collected: _Collected, name: str, node: etree._Element | None, path: str) -> None:
    try:
        collected.put(name, _cii_date(_find(node, path)))
    except ValueError as error:
        collected.findings.append(f"{name}: {error}")


def _put_cii_party(collected: _Collected, prefix: str, party: etree._Element | None) -> None:
    collected.put(f"{prefix}_name", _text(party, "ram:Name"))
    ids = _identifiers(party, ("ram:SpecifiedLegalOrganization/ram:ID", "ram:GlobalID", "ram:ID"))
    _put_legal_ids(collected, prefix, ids)
    collected.put_checked(f"{prefix}_vat", _text(party, "ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']"), _vat)


def _cii_address(address: etree._Element | None) -> str | None:
    if address is None:
        return None
    lines = [_text(address, f"ram:{line}") for line in ("LineOne", "LineTwo", "LineThree")]
    return _address(lines, _text(address, "ram:PostcodeCode"), _text(address, "ram:CityName"),
                    _text(address, "ram:CountryID"))


def _put_cii_settlement(collected: _Collected, reading: Reading, settlement: etree._Element | None) -> None:
    currency = _text(settlement, "ram:InvoiceCurrencyCode")
    collected.put("currency", currency, str.upper)
    for means in _findall(settlement, "ram:SpecifiedTradeSettlementPaymentMeans"):
        collected.put_checked("iban", _text(means, "ram:PayeePartyCreditorFinancialAccount/ram:IBANID"), _iban)
        collected.put_checked("bic", _text(means, "ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID"), _bic)
    for terms in _findall(settlement, "ram:SpecifiedTradePaymentTerms"):
        collected.put("payment_terms", _text(terms, "ram:Description"))
        _put_cii_date(collected, "due_date", terms, "ram:DueDateDateTime/udt:DateTimeString")
    totals = _find(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    collected.put("total_excl_tax", _text(totals, "ram:TaxBasisTotalAmount"), normalize_amount)
    tax_in_currency = _text(totals, f"ram:TaxTotalAmount[@currencyID='{currency}']") if currency else None
    collected.put("total_tax", tax_in_currency or _text(totals, "ram:TaxTotalAmount"), normalize_amount)
    collected.put("total_incl_tax", _text(totals, "ram:GrandTotalAmount"), normalize_amount)
    for tax in _findall(settlement, "ram:ApplicableTradeTax"):
        line = _vat_line(collected, _text(tax, "ram:RateApplicablePercent"), _text(tax, "ram:BasisAmount"),
                         _text(tax, "ram:CalculatedAmount"))
        if line:
            reading.vat_breakdown.append(line)


def _vat_line(collected: _Collected, rate: str | None, base: str | None, tax: str | None) -> VatLine | None:
    rate = collected.convert(rate or "0", normalize_amount, "vat_breakdown rate")
    base = collected.convert(base, normalize_amount, "vat_breakdown base")
    tax = collected.convert(tax, normalize_amount, "vat_breakdown tax")
    return VatLine(rate=rate, base=base, tax=tax) if rate and base and tax else None


def _cii_line(item: etree._Element, collected: _Collected) -> InvoiceLine:
    settlement = item.find("ram:SpecifiedLineTradeSettlement", NS)
    quantity = _text(item, "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity")
    unit_price = _text(item, "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:ChargeAmount")
    amount = _text(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount")
    vat_rate = _text(settlement, "ram:ApplicableTradeTax/ram:RateApplicablePercent")
    return _line(collected, _text(item, "ram:SpecifiedTradeProduct/ram:Name"), quantity, unit_price, amount, vat_rate)


def _line(collected: _Collected, description: str | None, quantity: str | None, unit_price: str | None,
          amount: str | None, vat_rate: str | None) -> InvoiceLine:
    return InvoiceLine(description=description or "",
                       quantity=collected.convert(quantity, _quantity, "line quantity"),
                       unit_price=collected.convert(unit_price, _price, "line unit price"),
                       amount=collected.convert(amount, normalize_amount, "line amount"),
                       vat_rate=collected.convert(vat_rate, normalize_amount, "line VAT rate"))


# --- UBL 2.1 (Invoice, CreditNote) ------------------------------------------------------------------------------

def _read_ubl(root: etree._Element) -> Reading:
    reading, collected = Reading(kind=UBL), _Collected()
    is_credit_note = root.tag == f"{{{NS['cn']}}}CreditNote"
    _put_operation_nature(collected, _text(root, "cbc:ProfileID"))
    collected.put("invoice_number", _text(root, "cbc:ID"))
    type_code = _text(root, "cbc:CreditNoteTypeCode" if is_credit_note else "cbc:InvoiceTypeCode")
    reading.document_type = _document_type(type_code or ("381" if is_credit_note else "380"))
    collected.put("issue_date", _text(root, "cbc:IssueDate"), _iso_date)
    collected.put("due_date", _text(root, "cbc:DueDate") or _text(root, "cac:PaymentMeans/cbc:PaymentDueDate"),
                  _iso_date)
    currency = _text(root, "cbc:DocumentCurrencyCode")
    collected.put("currency", currency, str.upper)
    _put_ubl_party(collected, "supplier", root.find("cac:AccountingSupplierParty/cac:Party", NS))
    _put_ubl_party(collected, "customer", root.find("cac:AccountingCustomerParty/cac:Party", NS))
    collected.put("purchase_order", _text(root, "cac:OrderReference/cbc:ID"))
    collected.put("delivery_address", _ubl_address(root.find("cac:Delivery/cac:DeliveryLocation/cac:Address", NS)))
    for account in root.iterfind("cac:PaymentMeans/cac:PayeeFinancialAccount", NS):
        collected.put_checked("iban", _text(account, "cbc:ID"), _iban)
        collected.put_checked("bic", _text(account, "cac:FinancialInstitutionBranch/cbc:ID"), _bic)
    collected.put("payment_terms", _text(root, "cac:PaymentTerms/cbc:Note"))
    _put_ubl_totals(collected, reading, root, currency)
    line_tag = "cac:CreditNoteLine" if is_credit_note else "cac:InvoiceLine"
    quantity_tag = "cbc:CreditedQuantity" if is_credit_note else "cbc:InvoicedQuantity"
    reading.lines = [_ubl_line(line, quantity_tag, collected) for line in root.iterfind(line_tag, NS)]
    return _finish(reading, collected)


def _put_ubl_party(collected: _Collected, prefix: str, party: etree._Element | None) -> None:
    collected.put(f"{prefix}_name", _text(party, "cac:PartyLegalEntity/cbc:RegistrationName")
                  or _text(party, "cac:PartyName/cbc:Name"))
    ids = _identifiers(party, ("cac:PartyLegalEntity/cbc:CompanyID", "cac:PartyIdentification/cbc:ID"))
    _put_legal_ids(collected, prefix, ids)
    for scheme in _findall(party, "cac:PartyTaxScheme"):
        if _text(scheme, "cac:TaxScheme/cbc:ID") == "VAT":
            collected.put_checked(f"{prefix}_vat", _text(scheme, "cbc:CompanyID"), _vat)


def _ubl_address(address: etree._Element | None) -> str | None:
    if address is None:
        return None
    lines = [_text(address, "cbc:StreetName"), _text(address, "cbc:AdditionalStreetName"),
             _text(address, "cac:AddressLine/cbc:Line")]
    return _address(lines, _text(address, "cbc:PostalZone"), _text(address, "cbc:CityName"),
                    _text(address, "cac:Country/cbc:IdentificationCode"))


def _put_ubl_totals(collected: _Collected, reading: Reading, root: etree._Element, currency: str | None) -> None:
    collected.put("total_excl_tax", _text(root, "cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount"), normalize_amount)
    collected.put("total_incl_tax", _text(root, "cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount"), normalize_amount)
    tax_in_currency = _text(root, f"cac:TaxTotal/cbc:TaxAmount[@currencyID='{currency}']") if currency else None
    collected.put("total_tax", tax_in_currency or _text(root, "cac:TaxTotal/cbc:TaxAmount"), normalize_amount)
    for subtotal in root.iterfind("cac:TaxTotal/cac:TaxSubtotal", NS):
        line = _vat_line(collected, _text(subtotal, "cac:TaxCategory/cbc:Percent"),
                         _text(subtotal, "cbc:TaxableAmount"), _text(subtotal, "cbc:TaxAmount"))
        if line:
            reading.vat_breakdown.append(line)


def _ubl_line(line: etree._Element, quantity_tag: str, collected: _Collected) -> InvoiceLine:
    description = _text(line, "cac:Item/cbc:Name") or _text(line, "cac:Item/cbc:Description")
    return _line(collected, description, _text(line, quantity_tag), _text(line, "cac:Price/cbc:PriceAmount"),
                 _text(line, "cbc:LineExtensionAmount"), _text(line, "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent"))


# --- validation -------------------------------------------------------------------------------------------------

def _cii_level(root: etree._Element) -> tuple[str, list[str]]:
    """The Factur-X profile the guideline ID (BT-24) names; EN 16931 with a finding when it names none we know."""
    try:
        level = facturx.get_level(root, "factur-x")
    except ValueError as error:
        return "en16931", [f"XSD: {error}; checked against the EN 16931 profile schema"]
    return level, []


def _xsd_findings(root: etree._Element, syntax: str) -> list[str]:
    if syntax == CII:
        level, findings = _cii_level(root)
        schema = _schema(facturx.facturx.FACTURX_LEVEL2xsd[level])
    else:
        findings, schema = [], _schema(facturx.facturx.UBL_21_xsd[UBL_ROOTS[root.tag]])
    if schema.validate(root):
        return findings
    errors = list(schema.error_log)
    findings += [f"XSD: line {error.line}: {error.message}" for error in errors[:MAX_XSD_FINDINGS]]
    if len(errors) > MAX_XSD_FINDINGS:
        findings.append(f"XSD: … and {len(errors) - MAX_XSD_FINDINGS} more schema errors")
    return findings


@cache
def _schema(relative_path: str) -> etree.XMLSchema:
    path = importlib.resources.files("facturx") / "xsd_and_schematron" / relative_path
    return etree.XMLSchema(etree.parse(str(path), _safe_parser()))


def _schematron_findings(root: etree._Element, syntax: str) -> list[str]:
    if syntax == CII:
        level, _ = _cii_level(root)
        if level != "en16931":
            return [f"SCHEMATRON: Factur-X profile {level!r} is not checked; the EN 16931 schematron applies to the "
                    "EN 16931 profile (guideline urn:cen.eu:en16931:2017)"]
    svrl = _Schematron.run(syntax, etree.tostring(root, encoding="unicode"))
    return _svrl_findings(svrl)


class _Schematron:
    """One saxonche processor per process, each stylesheet compiled once (≈0.5 s) on first use and reused."""
    _lock = threading.Lock()
    _processor = None
    _executables: dict = {}

    @classmethod
    def run(cls, syntax: str, xml_text: str) -> bytes:
        with cls._lock:
            executable = cls._executable(syntax)
            document = cls._processor.parse_xml(xml_text=xml_text)
            return executable.transform_to_string(xdm_node=document).encode()

    @classmethod
    def _executable(cls, syntax: str):
        if syntax not in cls._executables:
            from saxonche import PySaxonProcessor  # loads a native image: only when validation is asked for
            if cls._processor is None:
                cls._processor = PySaxonProcessor(license=False)
            compiler = cls._processor.new_xslt30_processor()
            compiler.set_cwd(str(RESOURCES))
            code_list = CODE_LISTS.get(syntax)
            executable = compiler.compile_stylesheet(stylesheet_text=stylesheet_text(SCHEMATRONS[syntax], code_list))
            if code_list:
                executable.set_parameter(CODE_LIST_PARAMETER,
                                         cls._processor.parse_xml(xml_file_name=str(RESOURCES / code_list)))
            cls._executables[syntax] = executable
        return cls._executables[syntax]


XSL = "http://www.w3.org/1999/XSL/Transform"


def stylesheet_text(path: Path, code_list: str | None) -> str:
    """The vendored stylesheet with work that changes no finding taken out (the file itself stays as published):

    - its code list comes from a global parameter parsed once, not from document('…'), which saxon parses again for
      every document;
    - a pattern's walk over the tree skips attributes when no rule of that pattern has an attribute for context;
    - the `svrl:fired-rule` and `svrl:active-pattern` trace (and the empty default-mode walk inside the latter) is not
      written: findings are only `svrl:failed-assert` and `svrl:successful-report`.
    """
    tree = etree.parse(str(path), _safe_parser())
    if code_list:
        _code_list_from_parameter(tree, path, code_list)
    _skip_attributes_no_rule_reads(tree)
    for trace in tree.iter(f"{{{NS['svrl']}}}fired-rule", f"{{{NS['svrl']}}}active-pattern"):
        trace.getparent().remove(trace)
    return etree.tostring(tree, encoding="unicode")


def _code_list_from_parameter(tree: etree._ElementTree, path: Path, code_list: str) -> None:
    call = f"document('{code_list}')"
    reads = [(node, name) for node in tree.iter(f"{{{XSL}}}*") for name in ("test", "select")
             if call in node.get(name, "")]
    if not reads:
        raise ValueError(f"{path.name} no longer reads {code_list} with {call}: update CODE_LISTS")
    for node, name in reads:
        node.set(name, node.get(name).replace(call, f"${CODE_LIST_PARAMETER}"))
    parameter = etree.Element(f"{{{XSL}}}param", name=CODE_LIST_PARAMETER, required="yes")
    parameter.set("as", "document-node()")
    tree.getroot().insert(0, parameter)


def _skip_attributes_no_rule_reads(tree: etree._ElementTree) -> None:
    reads_attributes = {template.get("mode") for template in tree.iter(f"{{{XSL}}}template")
                        if template.get("match") != "@*|node()" and "@" in _outside_predicates(template.get("match"))}
    for apply in tree.iter(f"{{{XSL}}}apply-templates"):
        if apply.get("select") == "@*|*" and apply.get("mode") not in reads_attributes:
            apply.set("select", "*")


def _outside_predicates(pattern: str | None) -> str:
    """'a[@b]/@c' → 'a/@c': the steps of a match pattern without their conditions."""
    depth, kept = 0, []
    for char in pattern or "":
        depth += (char == "[") - (char == "]")
        if depth == 0 and char != "]":
            kept.append(char)
    return "".join(kept)


def _svrl_findings(svrl: bytes) -> list[str]:
    report = etree.fromstring(svrl, _safe_parser())
    results = report.xpath("svrl:failed-assert | svrl:successful-report", namespaces=NS)
    return [_svrl_finding(result) for result in results]


def _svrl_finding(result: etree._Element) -> str:
    message = " ".join(result.findtext("svrl:text", "", NS).split())
    rule = result.get("id")
    if rule:
        message = re.sub(rf"^\[{re.escape(rule)}\]\s*-?\s*", "", message)
    else:
        rule = "FX"
        message = f"{message} (at {_readable_location(result.get('location', ''))})"
    flag = result.get("flag")
    return f"{rule} ({flag}): {message}" if flag == "warning" else f"{rule}: {message}"


def _readable_location(location: str) -> str:
    """'/*:CrossIndustryInvoice[namespace-uri()='…'][1]/*:ExchangedDocument[…][1]' → '/CrossIndustryInvoice/…'."""
    return re.sub(r"\[[^\]]*\]|\*:", "", location) or "/"
