"""The same invoice as structured e-invoices: UN/CEFACT CII (Factur-X EN 16931 profile), OASIS UBL 2.1, Factur-X PDF.

Where each ground-truth field goes (EN 16931 business terms):
  supplier SIREN → BT-30 legal registration (scheme 0002), SIRET → BT-29 seller identifier (scheme 0009),
  VAT → BT-31; customer SIREN → BT-47, VAT → BT-48; purchase order → BT-13; payment terms → BT-20; due date → BT-9;
  delivery address → BT-75/77/78 (street, city, postcode); nature of operation → BT-23 business process, with the
  French e-invoicing "cadre de facturation" codes B1 (goods), S1 (services), M1 (mixed); credit note → type 381.
"""
from decimal import Decimal

import facturx
from lxml import etree

from .model import CREDIT_NOTE, GOODS, MIXED, SERVICES, Address, Invoice, Party

CII_NS = {"rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
          "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
          "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
          "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"}
UBL_INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
UBL_NS = {"cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
          "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}
EN16931 = "urn:cen.eu:en16931:2017"
BUSINESS_PROCESS = {GOODS: "B1", SERVICES: "S1", MIXED: "M1"}
UNIT_CODES = {"h": "HUR", "j": "DAY", "kg": "KGM", "m": "MTR", "m²": "MTK", "km": "KMT", "mois": "MON"}
SIREN_SCHEME, SIRET_SCHEME = "0002", "0009"


class _Builder:
    """Appends namespaced elements: add(parent, "ram:Name", "text", schemeID="...")."""

    def __init__(self, namespaces: dict[str, str]):
        self.namespaces = namespaces

    def tag(self, name: str) -> str:
        prefix, local = name.split(":") if ":" in name else (None, name)
        return f"{{{self.namespaces[prefix]}}}{local}"

    def add(self, parent: etree._Element, name: str, text: str | None = None, **attributes: str) -> etree._Element:
        element = etree.SubElement(parent, self.tag(name), attributes)
        if text is not None:
            element.text = text
        return element


def money(value: Decimal) -> str:
    return f"{value:.2f}"


def _unit_code(unit: str) -> str:
    return UNIT_CODES.get(unit, "C62")


# -- CII ---------------------------------------------------------------------------------------------------------------
def cii_xml(invoice: Invoice) -> bytes:
    """The invoice as a CrossIndustryInvoice (D16B) that the Factur-X EN 16931 schema accepts."""
    b = _Builder(CII_NS)
    root = etree.Element(b.tag("rsm:CrossIndustryInvoice"), nsmap=CII_NS)
    context = b.add(root, "rsm:ExchangedDocumentContext")
    if invoice.show_nature:
        b.add(b.add(context, "ram:BusinessProcessSpecifiedDocumentContextParameter"), "ram:ID",
              BUSINESS_PROCESS[invoice.operation_nature])
    b.add(b.add(context, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID", EN16931)
    document = b.add(root, "rsm:ExchangedDocument")
    b.add(document, "ram:ID", invoice.number)
    b.add(document, "ram:TypeCode", "381" if invoice.document_type == CREDIT_NOTE else "380")
    _cii_date(b, b.add(document, "ram:IssueDateTime"), invoice.issue_date)
    transaction = b.add(root, "rsm:SupplyChainTradeTransaction")
    for number, line in enumerate(invoice.lines, start=1):
        _cii_line(b, transaction, number, line)
    _cii_agreement(b, transaction, invoice)
    delivery = b.add(transaction, "ram:ApplicableHeaderTradeDelivery")
    if invoice.delivery:
        ship_to = b.add(delivery, "ram:ShipToTradeParty")
        b.add(ship_to, "ram:Name", invoice.customer.name)
        _cii_address(b, ship_to, invoice.delivery)
    _cii_settlement(b, transaction, invoice)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _cii_date(b: _Builder, parent: etree._Element, value) -> None:
    b.add(parent, "udt:DateTimeString", value.strftime("%Y%m%d"), format="102")


def _cii_line(b: _Builder, transaction: etree._Element, number: int, line) -> None:
    item = b.add(transaction, "ram:IncludedSupplyChainTradeLineItem")
    b.add(b.add(item, "ram:AssociatedDocumentLineDocument"), "ram:LineID", str(number))
    b.add(b.add(item, "ram:SpecifiedTradeProduct"), "ram:Name", line.description)
    price = b.add(b.add(item, "ram:SpecifiedLineTradeAgreement"), "ram:NetPriceProductTradePrice")
    b.add(price, "ram:ChargeAmount", money(line.unit_price))
    b.add(b.add(item, "ram:SpecifiedLineTradeDelivery"), "ram:BilledQuantity", f"{line.quantity:.2f}",
          unitCode=_unit_code(line.unit))
    settlement = b.add(item, "ram:SpecifiedLineTradeSettlement")
    tax = b.add(settlement, "ram:ApplicableTradeTax")
    b.add(tax, "ram:TypeCode", "VAT")
    b.add(tax, "ram:CategoryCode", "S")
    b.add(tax, "ram:RateApplicablePercent", f"{line.vat_rate:.2f}")
    summation = b.add(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
    b.add(summation, "ram:LineTotalAmount", money(line.amount))


def _cii_agreement(b: _Builder, transaction: etree._Element, invoice: Invoice) -> None:
    agreement = b.add(transaction, "ram:ApplicableHeaderTradeAgreement")
    _cii_party(b, b.add(agreement, "ram:SellerTradeParty"), invoice.supplier, with_siret=True)
    _cii_party(b, b.add(agreement, "ram:BuyerTradeParty"), invoice.customer, with_siret=False)
    if invoice.purchase_order:
        b.add(b.add(agreement, "ram:BuyerOrderReferencedDocument"), "ram:IssuerAssignedID", invoice.purchase_order)


def _cii_party(b: _Builder, element: etree._Element, party: Party, with_siret: bool) -> None:
    if with_siret and party.siret:
        b.add(element, "ram:GlobalID", party.siret, schemeID=SIRET_SCHEME)
    b.add(element, "ram:Name", party.name)
    if party.siren:
        b.add(b.add(element, "ram:SpecifiedLegalOrganization"), "ram:ID", party.siren, schemeID=SIREN_SCHEME)
    _cii_address(b, element, party.address)
    if party.vat:
        b.add(b.add(element, "ram:SpecifiedTaxRegistration"), "ram:ID", party.vat, schemeID="VA")


def _cii_address(b: _Builder, parent: etree._Element, address: Address) -> None:
    element = b.add(parent, "ram:PostalTradeAddress")
    b.add(element, "ram:PostcodeCode", address.postcode)
    b.add(element, "ram:LineOne", address.street)
    b.add(element, "ram:CityName", address.city)
    b.add(element, "ram:CountryID", "FR")


def _cii_settlement(b: _Builder, transaction: etree._Element, invoice: Invoice) -> None:
    settlement = b.add(transaction, "ram:ApplicableHeaderTradeSettlement")
    b.add(settlement, "ram:InvoiceCurrencyCode", invoice.currency)
    means = b.add(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
    b.add(means, "ram:TypeCode", "58" if invoice.iban else "30")
    if invoice.iban:
        b.add(b.add(means, "ram:PayeePartyCreditorFinancialAccount"), "ram:IBANID", invoice.iban)
        b.add(b.add(means, "ram:PayeeSpecifiedCreditorFinancialInstitution"), "ram:BICID", invoice.bic)
    for vat in invoice.vat_totals:
        tax = b.add(settlement, "ram:ApplicableTradeTax")
        b.add(tax, "ram:CalculatedAmount", money(vat.tax))
        b.add(tax, "ram:TypeCode", "VAT")
        b.add(tax, "ram:BasisAmount", money(vat.base))
        b.add(tax, "ram:CategoryCode", "S")
        b.add(tax, "ram:RateApplicablePercent", f"{vat.rate:.2f}")
    if invoice.payment_terms or invoice.due_date:
        terms = b.add(settlement, "ram:SpecifiedTradePaymentTerms")
        if invoice.payment_terms:
            b.add(terms, "ram:Description", invoice.payment_terms)
        if invoice.due_date:
            _cii_date(b, b.add(terms, "ram:DueDateDateTime"), invoice.due_date)
    totals = b.add(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    b.add(totals, "ram:LineTotalAmount", money(invoice.total_excl_tax))
    b.add(totals, "ram:TaxBasisTotalAmount", money(invoice.total_excl_tax))
    b.add(totals, "ram:TaxTotalAmount", money(invoice.total_tax), currencyID=invoice.currency)
    b.add(totals, "ram:GrandTotalAmount", money(invoice.total_incl_tax))
    b.add(totals, "ram:DuePayableAmount", money(invoice.total_incl_tax))
    if invoice.original_invoice:
        b.add(b.add(settlement, "ram:InvoiceReferencedDocument"), "ram:IssuerAssignedID", invoice.original_invoice)


# -- UBL ---------------------------------------------------------------------------------------------------------------
def ubl_xml(invoice: Invoice) -> bytes:
    """The invoice as a UBL 2.1 Invoice (or CreditNote) following EN 16931."""
    credit = invoice.document_type == CREDIT_NOTE
    root_ns = UBL_CREDIT_NOTE_NS if credit else UBL_INVOICE_NS
    b = _Builder({None: root_ns, **UBL_NS})
    root = etree.Element(b.tag("CreditNote" if credit else "Invoice"), nsmap={None: root_ns, **UBL_NS})
    b.add(root, "cbc:CustomizationID", EN16931)
    if invoice.show_nature:
        b.add(root, "cbc:ProfileID", BUSINESS_PROCESS[invoice.operation_nature])
    b.add(root, "cbc:ID", invoice.number)
    b.add(root, "cbc:IssueDate", invoice.issue_date.isoformat())
    if invoice.due_date and not credit:
        b.add(root, "cbc:DueDate", invoice.due_date.isoformat())
    b.add(root, "cbc:CreditNoteTypeCode" if credit else "cbc:InvoiceTypeCode", "381" if credit else "380")
    b.add(root, "cbc:DocumentCurrencyCode", invoice.currency)
    if invoice.purchase_order:
        b.add(b.add(root, "cac:OrderReference"), "cbc:ID", invoice.purchase_order)
    if invoice.original_invoice:
        reference = b.add(b.add(root, "cac:BillingReference"), "cac:InvoiceDocumentReference")
        b.add(reference, "cbc:ID", invoice.original_invoice)
    _ubl_party(b, b.add(root, "cac:AccountingSupplierParty"), invoice.supplier, with_siret=True)
    _ubl_party(b, b.add(root, "cac:AccountingCustomerParty"), invoice.customer, with_siret=False)
    if invoice.delivery:
        delivery = b.add(root, "cac:Delivery")
        _ubl_address(b, b.add(b.add(delivery, "cac:DeliveryLocation"), "cac:Address"), invoice.delivery)
        b.add(b.add(b.add(delivery, "cac:DeliveryParty"), "cac:PartyName"), "cbc:Name", invoice.customer.name)
    _ubl_payment(b, root, invoice, credit)
    _ubl_tax_total(b, root, invoice)
    _ubl_totals(b, root, invoice)
    for number, line in enumerate(invoice.lines, start=1):
        _ubl_line(b, root, number, line, invoice.currency, credit)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _ubl_party(b: _Builder, parent: etree._Element, party: Party, with_siret: bool) -> None:
    element = b.add(parent, "cac:Party")
    if with_siret and party.siret:
        b.add(b.add(element, "cac:PartyIdentification"), "cbc:ID", party.siret, schemeID=SIRET_SCHEME)
    _ubl_address(b, b.add(element, "cac:PostalAddress"), party.address)
    if party.vat:
        scheme = b.add(element, "cac:PartyTaxScheme")
        b.add(scheme, "cbc:CompanyID", party.vat)
        b.add(b.add(scheme, "cac:TaxScheme"), "cbc:ID", "VAT")
    legal = b.add(element, "cac:PartyLegalEntity")
    b.add(legal, "cbc:RegistrationName", party.name)
    if party.siren:
        b.add(legal, "cbc:CompanyID", party.siren, schemeID=SIREN_SCHEME)


def _ubl_address(b: _Builder, element: etree._Element, address: Address) -> None:
    b.add(element, "cbc:StreetName", address.street)
    b.add(element, "cbc:CityName", address.city)
    b.add(element, "cbc:PostalZone", address.postcode)
    b.add(b.add(element, "cac:Country"), "cbc:IdentificationCode", "FR")


def _ubl_payment(b: _Builder, root: etree._Element, invoice: Invoice, credit: bool) -> None:
    if invoice.iban or (credit and invoice.due_date):
        means = b.add(root, "cac:PaymentMeans")
        b.add(means, "cbc:PaymentMeansCode", "58" if invoice.iban else "30")
        if credit and invoice.due_date:
            b.add(means, "cbc:PaymentDueDate", invoice.due_date.isoformat())
        if invoice.iban:
            account = b.add(means, "cac:PayeeFinancialAccount")
            b.add(account, "cbc:ID", invoice.iban)
            b.add(b.add(account, "cac:FinancialInstitutionBranch"), "cbc:ID", invoice.bic)
    if invoice.payment_terms:
        b.add(b.add(root, "cac:PaymentTerms"), "cbc:Note", invoice.payment_terms)


def _ubl_tax_total(b: _Builder, root: etree._Element, invoice: Invoice) -> None:
    total = b.add(root, "cac:TaxTotal")
    b.add(total, "cbc:TaxAmount", money(invoice.total_tax), currencyID=invoice.currency)
    for vat in invoice.vat_totals:
        subtotal = b.add(total, "cac:TaxSubtotal")
        b.add(subtotal, "cbc:TaxableAmount", money(vat.base), currencyID=invoice.currency)
        b.add(subtotal, "cbc:TaxAmount", money(vat.tax), currencyID=invoice.currency)
        _ubl_tax_category(b, subtotal, "cac:TaxCategory", vat.rate)


def _ubl_tax_category(b: _Builder, parent: etree._Element, name: str, rate: Decimal) -> None:
    category = b.add(parent, name)
    b.add(category, "cbc:ID", "S")
    b.add(category, "cbc:Percent", f"{rate:.2f}")
    b.add(b.add(category, "cac:TaxScheme"), "cbc:ID", "VAT")


def _ubl_totals(b: _Builder, root: etree._Element, invoice: Invoice) -> None:
    totals = b.add(root, "cac:LegalMonetaryTotal")
    for name, value in (("cbc:LineExtensionAmount", invoice.total_excl_tax),
                        ("cbc:TaxExclusiveAmount", invoice.total_excl_tax),
                        ("cbc:TaxInclusiveAmount", invoice.total_incl_tax),
                        ("cbc:PayableAmount", invoice.total_incl_tax)):
        b.add(totals, name, money(value), currencyID=invoice.currency)


def _ubl_line(b: _Builder, root: etree._Element, number: int, line, currency: str, credit: bool) -> None:
    element = b.add(root, "cac:CreditNoteLine" if credit else "cac:InvoiceLine")
    b.add(element, "cbc:ID", str(number))
    b.add(element, "cbc:CreditedQuantity" if credit else "cbc:InvoicedQuantity", f"{line.quantity:.2f}",
          unitCode=_unit_code(line.unit))
    b.add(element, "cbc:LineExtensionAmount", money(line.amount), currencyID=currency)
    item = b.add(element, "cac:Item")
    b.add(item, "cbc:Name", line.description)
    _ubl_tax_category(b, item, "cac:ClassifiedTaxCategory", line.vat_rate)
    b.add(b.add(element, "cac:Price"), "cbc:PriceAmount", money(line.unit_price), currencyID=currency)


# -- Factur-X ----------------------------------------------------------------------------------------------------------
def facturx_pdf(pdf: bytes, cii: bytes) -> bytes:
    """The born-digital PDF with the CII embedded as factur-x.xml (profile EN 16931, checked against its XSD)."""
    return facturx.generate_from_binary(pdf, cii, flavor="factur-x", level="en16931", check_xsd=True,
                                        lang="fr-FR")
