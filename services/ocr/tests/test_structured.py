"""Structured e-invoices: Factur-X PDFs, CII and UBL XML read into fields, validated by XSD and EN 16931 schematron."""
import functools
import io
import time

import facturx
import pytest
from lxml import etree
from pypdf import PdfReader, PdfWriter
from reportlab.pdfgen import canvas

from jefacture_ocr.adapters.structured import SCHEMATRONS, _svrl_findings, read_structured, stylesheet_text, validate
from jefacture_ocr.domain.reading import UnreadableDocument

INVOICE = {
    "guideline": "urn:cen.eu:en16931:2017", "business_process": "S1", "type_code": "380",
    "supplier_name": "Cabinet Martin SARL", "supplier_siren": "732829320", "supplier_siret": "73282932000074",
    "supplier_vat": "FR44732829320", "grand_total": "1200.00",
}
EXPECTED_FIELDS = {
    "supplier_name": "Cabinet Martin SARL", "supplier_siren": "732829320", "supplier_siret": "73282932000074",
    "supplier_vat": "FR44732829320", "customer_name": "Boulangerie Durand", "customer_siren": "552100554",
    "customer_vat": "FR96552100554", "invoice_number": "FA-2026-0042", "issue_date": "2026-03-31",
    "due_date": "2026-04-30", "currency": "EUR", "total_excl_tax": "1000.00", "total_tax": "200.00",
    "total_incl_tax": "1200.00", "iban": "FR7630006000011234567890189", "bic": "BNPAFRPPXXX",
    "payment_terms": "30 jours fin de mois", "purchase_order": "BC-778",
    "delivery_address": "8 quai Saint-Antoine, 69002 Lyon", "operation_nature": "services",
}
EXPECTED_VAT = [{"rate": "20.00", "base": "1000.00", "tax": "200.00"}]
EXPECTED_LINES = [
    {"description": "Tenue de comptabilité", "quantity": "2", "unit_price": "300.00", "amount": "600.00",
     "vat_rate": "20.00"},
    {"description": "Bilan annuel", "quantity": "1", "unit_price": "400.00", "amount": "400.00", "vat_rate": "20.00"},
]

CII_TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
{doctype}<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
 xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
 xmlns:qdt="urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
 xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
 <rsm:ExchangedDocumentContext>
  <ram:BusinessProcessSpecifiedDocumentContextParameter><ram:ID>{business_process}</ram:ID>
  </ram:BusinessProcessSpecifiedDocumentContextParameter>
  <ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>{guideline}</ram:ID>
  </ram:GuidelineSpecifiedDocumentContextParameter>
 </rsm:ExchangedDocumentContext>
 <rsm:ExchangedDocument>
  <ram:ID>FA-2026-0042</ram:ID>
  <ram:TypeCode>{type_code}</ram:TypeCode>
  <ram:IssueDateTime><udt:DateTimeString format="102">20260331</udt:DateTimeString></ram:IssueDateTime>
 </rsm:ExchangedDocument>
 <rsm:SupplyChainTradeTransaction>
  {lines}
  <ram:ApplicableHeaderTradeAgreement>
   <ram:SellerTradeParty>
    <ram:GlobalID schemeID="0009">{supplier_siret}</ram:GlobalID>
    <ram:Name>{supplier_name}</ram:Name>
    <ram:SpecifiedLegalOrganization><ram:ID schemeID="0002">{supplier_siren}</ram:ID></ram:SpecifiedLegalOrganization>
    <ram:PostalTradeAddress><ram:PostcodeCode>75002</ram:PostcodeCode><ram:LineOne>12 rue de la Paix</ram:LineOne>
     <ram:CityName>Paris</ram:CityName><ram:CountryID>FR</ram:CountryID></ram:PostalTradeAddress>
    <ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">{supplier_vat}</ram:ID></ram:SpecifiedTaxRegistration>
   </ram:SellerTradeParty>
   <ram:BuyerTradeParty>
    <ram:Name>Boulangerie Durand</ram:Name>
    <ram:SpecifiedLegalOrganization><ram:ID schemeID="0002">552 100 554</ram:ID></ram:SpecifiedLegalOrganization>
    <ram:PostalTradeAddress><ram:PostcodeCode>69001</ram:PostcodeCode><ram:LineOne>3 place Bellecour</ram:LineOne>
     <ram:CityName>Lyon</ram:CityName><ram:CountryID>FR</ram:CountryID></ram:PostalTradeAddress>
    <ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">FR96552100554</ram:ID></ram:SpecifiedTaxRegistration>
   </ram:BuyerTradeParty>
   <ram:BuyerOrderReferencedDocument><ram:IssuerAssignedID>BC-778</ram:IssuerAssignedID>
   </ram:BuyerOrderReferencedDocument>
  </ram:ApplicableHeaderTradeAgreement>
  <ram:ApplicableHeaderTradeDelivery>
   <ram:ShipToTradeParty><ram:PostalTradeAddress><ram:PostcodeCode>69002</ram:PostcodeCode>
    <ram:LineOne>8 quai Saint-Antoine</ram:LineOne><ram:CityName>Lyon</ram:CityName><ram:CountryID>FR</ram:CountryID>
   </ram:PostalTradeAddress></ram:ShipToTradeParty>
  </ram:ApplicableHeaderTradeDelivery>
  <ram:ApplicableHeaderTradeSettlement>
   <ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
   <ram:SpecifiedTradeSettlementPaymentMeans>
    <ram:TypeCode>58</ram:TypeCode>
    <ram:PayeePartyCreditorFinancialAccount><ram:IBANID>FR76 3000 6000 0112 3456 7890 189</ram:IBANID>
    </ram:PayeePartyCreditorFinancialAccount>
    <ram:PayeeSpecifiedCreditorFinancialInstitution><ram:BICID>BNPAFRPPXXX</ram:BICID>
    </ram:PayeeSpecifiedCreditorFinancialInstitution>
   </ram:SpecifiedTradeSettlementPaymentMeans>
   <ram:ApplicableTradeTax><ram:CalculatedAmount>200.00</ram:CalculatedAmount><ram:TypeCode>VAT</ram:TypeCode>
    <ram:BasisAmount>1000.00</ram:BasisAmount><ram:CategoryCode>S</ram:CategoryCode>
    <ram:RateApplicablePercent>20</ram:RateApplicablePercent></ram:ApplicableTradeTax>
   <ram:SpecifiedTradePaymentTerms><ram:Description>30 jours fin de mois</ram:Description>
    <ram:DueDateDateTime><udt:DateTimeString format="102">20260430</udt:DateTimeString></ram:DueDateDateTime>
   </ram:SpecifiedTradePaymentTerms>
   <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    <ram:LineTotalAmount>1000.00</ram:LineTotalAmount>
    <ram:TaxBasisTotalAmount>1000.00</ram:TaxBasisTotalAmount>
    <ram:TaxTotalAmount currencyID="EUR">200.00</ram:TaxTotalAmount>
    <ram:GrandTotalAmount>{grand_total}</ram:GrandTotalAmount>
    <ram:DuePayableAmount>{grand_total}</ram:DuePayableAmount>
   </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
  </ram:ApplicableHeaderTradeSettlement>
 </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>
"""

CII_LINE = """<ram:IncludedSupplyChainTradeLineItem>
   <ram:AssociatedDocumentLineDocument><ram:LineID>{number}</ram:LineID></ram:AssociatedDocumentLineDocument>
   <ram:SpecifiedTradeProduct><ram:Name>{description}</ram:Name></ram:SpecifiedTradeProduct>
   <ram:SpecifiedLineTradeAgreement><ram:NetPriceProductTradePrice><ram:ChargeAmount>{unit_price}</ram:ChargeAmount>
   </ram:NetPriceProductTradePrice></ram:SpecifiedLineTradeAgreement>
   <ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode="C62">{quantity}</ram:BilledQuantity>
   </ram:SpecifiedLineTradeDelivery>
   <ram:SpecifiedLineTradeSettlement>
    <ram:ApplicableTradeTax><ram:TypeCode>VAT</ram:TypeCode><ram:CategoryCode>S</ram:CategoryCode>
     <ram:RateApplicablePercent>{vat_rate}</ram:RateApplicablePercent></ram:ApplicableTradeTax>
    <ram:SpecifiedTradeSettlementLineMonetarySummation><ram:LineTotalAmount>{amount}</ram:LineTotalAmount>
    </ram:SpecifiedTradeSettlementLineMonetarySummation>
   </ram:SpecifiedLineTradeSettlement>
  </ram:IncludedSupplyChainTradeLineItem>"""

UBL_TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<{root} xmlns="urn:oasis:names:specification:ubl:schema:xsd:{root}-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
 <cbc:CustomizationID>{guideline}</cbc:CustomizationID>
 <cbc:ProfileID>{business_process}</cbc:ProfileID>
 <cbc:ID>FA-2026-0042</cbc:ID>
 <cbc:IssueDate>2026-03-31</cbc:IssueDate>
 {invoice_due_date}
 <cbc:{root}TypeCode>{type_code}</cbc:{root}TypeCode>
 <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
 <cac:OrderReference><cbc:ID>BC-778</cbc:ID></cac:OrderReference>
 <cac:AccountingSupplierParty><cac:Party>
  <cac:PartyIdentification><cbc:ID schemeID="0009">{supplier_siret}</cbc:ID></cac:PartyIdentification>
  <cac:PartyName><cbc:Name>Cabinet Martin</cbc:Name></cac:PartyName>
  <cac:PostalAddress><cbc:StreetName>12 rue de la Paix</cbc:StreetName><cbc:CityName>Paris</cbc:CityName>
   <cbc:PostalZone>75002</cbc:PostalZone><cac:Country><cbc:IdentificationCode>FR</cbc:IdentificationCode></cac:Country>
  </cac:PostalAddress>
  <cac:PartyTaxScheme><cbc:CompanyID>{supplier_vat}</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme>
  </cac:PartyTaxScheme>
  <cac:PartyLegalEntity><cbc:RegistrationName>{supplier_name}</cbc:RegistrationName>
   <cbc:CompanyID schemeID="0002">{supplier_siren}</cbc:CompanyID></cac:PartyLegalEntity>
 </cac:Party></cac:AccountingSupplierParty>
 <cac:AccountingCustomerParty><cac:Party>
  <cac:PostalAddress><cbc:StreetName>3 place Bellecour</cbc:StreetName><cbc:CityName>Lyon</cbc:CityName>
   <cbc:PostalZone>69001</cbc:PostalZone><cac:Country><cbc:IdentificationCode>FR</cbc:IdentificationCode></cac:Country>
  </cac:PostalAddress>
  <cac:PartyTaxScheme><cbc:CompanyID>FR96552100554</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme>
  </cac:PartyTaxScheme>
  <cac:PartyLegalEntity><cbc:RegistrationName>Boulangerie Durand</cbc:RegistrationName>
   <cbc:CompanyID schemeID="0002">552100554</cbc:CompanyID></cac:PartyLegalEntity>
 </cac:Party></cac:AccountingCustomerParty>
 <cac:Delivery><cac:DeliveryLocation><cac:Address><cbc:StreetName>8 quai Saint-Antoine</cbc:StreetName>
  <cbc:CityName>Lyon</cbc:CityName><cbc:PostalZone>69002</cbc:PostalZone>
  <cac:Country><cbc:IdentificationCode>FR</cbc:IdentificationCode></cac:Country></cac:Address></cac:DeliveryLocation>
 </cac:Delivery>
 <cac:PaymentMeans><cbc:PaymentMeansCode>58</cbc:PaymentMeansCode>{payment_due_date}
  <cac:PayeeFinancialAccount><cbc:ID>FR7630006000011234567890189</cbc:ID>
   <cac:FinancialInstitutionBranch><cbc:ID>BNPAFRPPXXX</cbc:ID></cac:FinancialInstitutionBranch>
  </cac:PayeeFinancialAccount></cac:PaymentMeans>
 <cac:PaymentTerms><cbc:Note>30 jours fin de mois</cbc:Note></cac:PaymentTerms>
 <cac:TaxTotal><cbc:TaxAmount currencyID="EUR">200.00</cbc:TaxAmount>
  <cac:TaxSubtotal><cbc:TaxableAmount currencyID="EUR">1000.00</cbc:TaxableAmount>
   <cbc:TaxAmount currencyID="EUR">200.00</cbc:TaxAmount>
   <cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>20</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme>
   </cac:TaxCategory></cac:TaxSubtotal>
 </cac:TaxTotal>
 <cac:LegalMonetaryTotal><cbc:LineExtensionAmount currencyID="EUR">1000.00</cbc:LineExtensionAmount>
  <cbc:TaxExclusiveAmount currencyID="EUR">1000.00</cbc:TaxExclusiveAmount>
  <cbc:TaxInclusiveAmount currencyID="EUR">{grand_total}</cbc:TaxInclusiveAmount>
  <cbc:PayableAmount currencyID="EUR">{grand_total}</cbc:PayableAmount></cac:LegalMonetaryTotal>
 {lines}
</{root}>
"""

UBL_LINE = """<cac:{root}Line><cbc:ID>{number}</cbc:ID>
  <cbc:{quantity_tag} unitCode="C62">{quantity}</cbc:{quantity_tag}>
  <cbc:LineExtensionAmount currencyID="EUR">{amount}</cbc:LineExtensionAmount>
  <cac:Item><cbc:Name>{description}</cbc:Name><cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>{vat_rate}</cbc:Percent>
   <cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory></cac:Item>
  <cac:Price><cbc:PriceAmount currencyID="EUR">{unit_price}</cbc:PriceAmount></cac:Price>
 </cac:{root}Line>"""


def cii(doctype: str = "", **changes) -> bytes:
    lines = "\n".join(CII_LINE.format(number=number, **line) for number, line in enumerate(EXPECTED_LINES, 1))
    return CII_TEMPLATE.format(doctype=doctype, lines=lines, **{**INVOICE, **changes}).encode()


def ubl(root: str = "Invoice", **changes) -> bytes:
    quantity_tag = "CreditedQuantity" if root == "CreditNote" else "InvoicedQuantity"
    lines = "\n".join(UBL_LINE.format(root=root, number=number, quantity_tag=quantity_tag, **line)
                      for number, line in enumerate(EXPECTED_LINES, 1))
    due_date = "<cbc:DueDate>2026-04-30</cbc:DueDate>"
    dates = ({"invoice_due_date": "", "payment_due_date": due_date.replace("DueDate", "PaymentDueDate")}
             if root == "CreditNote" else {"invoice_due_date": due_date, "payment_due_date": ""})
    values = {**INVOICE, "business_process": "B1", "type_code": "381" if root == "CreditNote" else "380", **changes}
    return UBL_TEMPLATE.format(root=root, lines=lines, **dates, **values).encode()


def plain_pdf() -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, "Facture FA-2026-0042 - Cabinet Martin SARL - Total TTC 1 200,00 EUR")
    page.showPage()
    page.save()
    return buffer.getvalue()


def pdf_with_attachment(name: str, xml: bytes) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(plain_pdf())))
    writer.add_attachment(name, xml)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def values(reading) -> dict[str, str]:
    return {name: found.value for name, found in reading.fields.items()}


def assert_full_reading(reading, kind: str, operation_nature: str = "services") -> None:
    assert reading.kind == kind
    assert values(reading) == {**EXPECTED_FIELDS, "operation_nature": operation_nature}
    assert {found.confidence for found in reading.fields.values()} == {1.0}
    assert all(found.page is None and found.box is None for found in reading.fields.values())
    as_json = reading.as_json()
    assert as_json["vat_breakdown"] == EXPECTED_VAT
    assert as_json["lines"] == EXPECTED_LINES
    assert reading.findings == []


def test_standalone_cii_maps_every_field_and_passes_xsd_and_schematron():
    reading = read_structured(cii())

    assert_full_reading(reading, "cii")
    assert reading.document_type == "invoice"
    assert reading.page_count == 0


def test_ubl_invoice_maps_every_field_and_passes_xsd_and_schematron():
    reading = read_structured(ubl())

    assert_full_reading(reading, "ubl", operation_nature="goods")
    assert reading.document_type == "invoice"


def test_facturx_pdf_made_by_the_factur_x_library_is_read_from_its_embedded_xml():
    pdf = facturx.generate_from_binary(plain_pdf(), cii())

    reading = read_structured(pdf)

    assert_full_reading(reading, "facturx")
    assert reading.page_count == 1


def test_zugferd_attachment_name_is_recognised_whatever_its_case():
    reading = read_structured(pdf_with_attachment("ZUGFeRD-invoice.xml", cii()))

    assert reading.kind == "facturx"
    assert reading.value("invoice_number") == "FA-2026-0042"


def test_ubl_credit_note_is_a_credit_note_with_its_lines_and_due_date():
    reading = read_structured(ubl("CreditNote"))

    assert_full_reading(reading, "ubl", operation_nature="goods")
    assert reading.document_type == "credit_note"


@pytest.mark.parametrize(("type_code", "document_type"),
                         [("380", "invoice"), ("384", "invoice"), ("381", "credit_note"), ("261", "credit_note")])
def test_cii_type_code_gives_the_document_type(type_code, document_type):
    reading = read_structured(cii(type_code=type_code), validate=False)

    assert reading.document_type == document_type


def test_element_the_schema_does_not_allow_is_an_xsd_finding():
    type_code = b"<ram:TypeCode>380</ram:TypeCode>"
    xml = cii().replace(type_code, type_code + b"<ram:Colour>red</ram:Colour>")

    reading = read_structured(xml, validate=False)

    assert len(reading.findings) == 1
    assert reading.findings[0].startswith("XSD: line ")
    assert "Colour" in reading.findings[0]
    assert reading.value("invoice_number") == "FA-2026-0042"


def test_inconsistent_totals_are_en16931_schematron_findings_in_cii():
    reading = read_structured(cii(grand_total="1300.00"))

    assert "BR-CO-15: Invoice total amount with VAT (BT-112) = Invoice total amount without VAT (BT-109) + " \
           "Invoice total VAT amount (BT-110)." in reading.findings
    assert reading.value("total_incl_tax") == "1300.00"


def test_inconsistent_totals_are_en16931_schematron_findings_in_ubl():
    findings = validate(ubl(grand_total="1300.00"), "ubl")

    assert any(finding.startswith("BR-CO-15: ") for finding in findings)


@functools.cache
def vendored_stylesheet(syntax: str):
    """The stylesheet exactly as published (its code list read by document() for every document)."""
    from saxonche import PySaxonProcessor

    processor = PySaxonProcessor(license=False)
    return processor, processor.new_xslt30_processor().compile_stylesheet(stylesheet_file=str(SCHEMATRONS[syntax]))


def vendored_stylesheet_findings(xml: bytes, syntax: str) -> list[str]:
    processor, executable = vendored_stylesheet(syntax)
    document = processor.parse_xml(xml_text=etree.tostring(etree.fromstring(xml), encoding="unicode"))
    return _svrl_findings(executable.transform_to_string(xdm_node=document).encode())


CII_SLIPS = {"currency": (b">EUR<", b">EUX<"), "country": (b">FR<", b">XX<"), "total": (b"1200.00", b"1300.00"),
             "type code": (b"<ram:TypeCode>380", b"<ram:TypeCode>999")}


@pytest.mark.parametrize("slip", CII_SLIPS)
def test_the_schematron_as_run_finds_what_the_published_stylesheet_finds_in_cii(slip):
    wrong, right = CII_SLIPS[slip]
    xml = cii().replace(wrong, right)

    findings = validate(xml, "cii")

    assert findings and not any(finding.startswith("XSD") for finding in findings)
    assert findings == vendored_stylesheet_findings(xml, "cii")


@pytest.mark.parametrize("xml", [ubl(grand_total="1300.00"), ubl().replace(b">FR<", b">XX<"),
                                 ubl("CreditNote").replace(b'currencyID="EUR"', b'currencyID="EUX"')])
def test_the_schematron_as_run_finds_what_the_published_stylesheet_finds_in_ubl(xml):
    findings = validate(xml, "ubl")

    assert findings == vendored_stylesheet_findings(xml, "ubl") != []


def test_a_stylesheet_that_no_longer_reads_its_code_list_as_expected_is_refused(tmp_path):
    stylesheet = tmp_path / "rules.xslt"
    stylesheet.write_text('<xsl:stylesheet xmlns:xsl="http://www.w3.org/1999/XSL/Transform" version="2.0"/>')

    with pytest.raises(ValueError, match="no longer reads codes.xml"):
        stylesheet_text(stylesheet, "codes.xml")


def test_the_reading_tells_how_much_of_its_time_went_to_validation():
    reading = read_structured(cii())
    as_json = reading.as_json()

    assert 0 < as_json["validation_seconds"] <= as_json["seconds"]


def test_schematron_is_skipped_when_validate_is_false():
    reading = read_structured(cii(grand_total="1300.00"), validate=False)

    assert reading.findings == []


def test_validate_returns_nothing_for_valid_documents():
    assert validate(cii(), "cii") == []
    assert validate(ubl("CreditNote"), "ubl") == []


def test_validate_refuses_a_document_of_the_other_syntax():
    with pytest.raises(UnreadableDocument, match="expected a UBL document, got CII"):
        validate(cii(), "ubl")
    with pytest.raises(ValueError, match="syntax must be one of"):
        validate(cii(), "xrechnung")


def test_factur_x_profile_other_than_en16931_is_xsd_checked_but_says_schematron_was_not_run():
    extended = "urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended"

    reading = read_structured(cii(guideline=extended))

    assert len(reading.findings) == 1
    assert reading.findings[0].startswith("SCHEMATRON: Factur-X profile 'extended' is not checked")


def test_failed_checksum_keeps_the_value_with_lower_confidence_and_a_finding():
    reading = read_structured(cii(supplier_siren="732829321"), validate=False)

    assert reading.fields["supplier_siren"].value == "732829321"
    assert reading.fields["supplier_siren"].confidence < 1.0
    assert "supplier_siren: 732829321 fails the SIREN (9 digits, Luhn) check" in reading.findings


def test_external_entity_is_never_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-HOSTNAME")
    doctype = f'<!DOCTYPE rsm:CrossIndustryInvoice [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>\n'
    xml = cii(doctype=doctype, supplier_name="Cabinet &xxe; SARL")

    permissive = etree.XMLParser(resolve_entities=True, load_dtd=True, no_network=True)
    assert b"TOP-SECRET" in etree.tostring(etree.fromstring(xml, permissive))  # a real XXE for a careless parser
    with pytest.raises(UnreadableDocument, match=r"declares entities \(xxe\)") as refused:
        read_structured(xml)
    assert "TOP-SECRET" not in str(refused.value)
    with pytest.raises(UnreadableDocument):
        read_structured(pdf_with_attachment("factur-x.xml", xml))


def test_billion_laughs_is_refused_at_once():
    entities = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
    doctype = f'<!DOCTYPE rsm:CrossIndustryInvoice [<!ENTITY lol0 "lol">{entities}]>\n'
    xml = cii(doctype=doctype, supplier_name="&lol9;")
    started = time.perf_counter()

    with pytest.raises(UnreadableDocument, match="entity amplification|declares entities"):
        read_structured(xml)
    assert time.perf_counter() - started < 1.0


def test_doctype_without_entities_is_read():
    reading = read_structured(cii(doctype="<!DOCTYPE rsm:CrossIndustryInvoice>\n"), validate=False)

    assert reading.value("supplier_name") == "Cabinet Martin SARL"


def test_malformed_xml_is_unreadable_with_a_one_line_reason():
    truncated = cii()[:1500]

    with pytest.raises(UnreadableDocument, match="^malformed XML: ") as refused:
        read_structured(truncated)
    assert "\n" not in str(refused.value)


def test_xml_that_is_not_an_invoice_is_unreadable():
    with pytest.raises(UnreadableDocument, match="root <catalogue> is not an invoice"):
        read_structured(b"<?xml version='1.0'?><catalogue><item/></catalogue>")


def test_pdf_whose_embedded_xml_is_not_en16931_is_left_to_the_text_reader():
    zugferd_1 = b'<rsm:CrossIndustryDocument xmlns:rsm="urn:ferd:CrossIndustryDocument:invoice:1p0"/>'

    assert read_structured(pdf_with_attachment("ZUGFeRD-invoice.xml", zugferd_1)) is None


def test_pdf_whose_embedded_xml_is_malformed_is_unreadable():
    with pytest.raises(UnreadableDocument, match="^malformed XML: "):
        read_structured(pdf_with_attachment("factur-x.xml", cii()[:900]))


@pytest.mark.parametrize("content", [plain_pdf(), b"", b"\xff\xd8\xff\xe0 not xml, a JPEG header", b"%PDF-1.7 broken"])
def test_input_that_is_not_a_structured_invoice_gives_none(content):
    assert read_structured(content) is None
