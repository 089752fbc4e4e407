"""Invoices become Factur-X for Chorus Pro: the XML made from the summary is read back by the platform's own reader
(XSD and EN 16931 schematron), a Factur-X goes unchanged, and what has no PDF is refused with the reason."""
import facturx
import pytest

from jefacture import samples
from jefacture.events.v1.invoice_pb2 import InvoiceSummary, VatLine
from jefacture_ocr.adapters.structured import read_structured
from jefacture_routing.adapters.facturx import NotConvertible, as_facturx, cii_xml

PDF = "application/pdf"
BUYER_SIRET = "21440102800011"  # the commune of the Chorus Pro simulator's structures


def summary(**changes) -> InvoiceSummary:
    values = dict(invoice_number="F-2026-0042", document_type="invoice", issue_date="2026-03-02",
                  due_date="2026-04-01", currency="EUR", total_excl_tax="1100.00", total_tax="210.00",
                  total_incl_tax="1310.00", supplier_name="Fournitures Dupont SAS", supplier_siren="552100554",
                  supplier_siret="55210055400021", supplier_vat="FR96552100554",
                  customer_name="Commune de Saint-Aubin-sur-Erdre", customer_siren="214401028",
                  customer_vat="FR73214401028", iban="FR76 3000 6000 0112 3456 7890 189", bic="AGRIFRPP",
                  purchase_order="EJ-2026-17", filename="F-2026-0042.pdf", media_type=PDF,
                  vat_breakdown=[VatLine(rate="20.00", base="1000.00", tax="200.00"),
                                 VatLine(rate="10.00", base="100.00", tax="10.00")])
    return InvoiceSummary(**(values | changes))


def plain_pdf() -> bytes:
    return samples.invoice_pdf(samples.sample_invoices(1)[0])


def errors_of(reading) -> list[str]:
    """The reader's findings that are errors: the schematron's warnings (e.g. the empty delivery block) aside."""
    return [finding for finding in reading.findings if "(warning)" not in finding]


def test_a_plain_pdf_gets_the_summarys_values_as_a_valid_en16931_xml():
    pdf = plain_pdf()
    result = as_facturx(pdf, PDF, summary(), buyer_siret=BUYER_SIRET)
    reading = read_structured(result)
    assert reading.kind == "facturx" and errors_of(reading) == []
    assert {name: found.value for name, found in reading.fields.items()} == {
        "invoice_number": "F-2026-0042", "issue_date": "2026-03-02", "due_date": "2026-04-01", "currency": "EUR",
        "total_excl_tax": "1100.00", "total_tax": "210.00", "total_incl_tax": "1310.00",
        "supplier_name": "Fournitures Dupont SAS", "supplier_siren": "552100554", "supplier_siret": "55210055400021",
        "supplier_vat": "FR96552100554", "customer_name": "Commune de Saint-Aubin-sur-Erdre",
        "customer_siren": "214401028", "customer_vat": "FR73214401028", "iban": "FR7630006000011234567890189",
        "bic": "AGRIFRPP", "purchase_order": "EJ-2026-17"}
    assert [(line.rate, line.base, line.tax) for line in reading.vat_breakdown] == [
        ("20.00", "1000.00", "200.00"), ("10.00", "100.00", "10.00")]
    assert len(result) > len(pdf) and reading.page_count == 1


def test_the_buyer_is_routed_on_its_siret_with_the_engagement_number_and_service_code():
    xml = facturx.parse_ubl_cii_xml(cii_xml(summary(), buyer_siret=BUYER_SIRET, service_code="SERVICES-TECHNIQUES"))
    assert (xml["BG-7"]["legal_identifier"], xml["BG-7"]["legal_identifier_schemeid"]) == (BUYER_SIRET, "0009")
    assert (xml["BG-4"]["legal_identifier"], xml["BG-4"]["legal_identifier_schemeid"]) == ("55210055400021", "0009")
    assert (xml["BT-13"], xml["BT-10"]) == ("EJ-2026-17", "SERVICES-TECHNIQUES")
    assert xml["BT-24"] == "urn:cen.eu:en16931:2017"


def test_without_a_siret_the_buyer_is_its_siren():
    xml = facturx.parse_ubl_cii_xml(cii_xml(summary()))
    assert (xml["BG-7"]["legal_identifier"], xml["BG-7"]["legal_identifier_schemeid"]) == ("214401028", "0002")
    assert "BT-10" not in xml


def test_a_factur_x_pdf_goes_unchanged():
    facturx_pdf = as_facturx(plain_pdf(), PDF, summary(), buyer_siret=BUYER_SIRET)
    assert as_facturx(facturx_pdf, PDF, summary(invoice_number="ANOTHER")) == facturx_pdf


def test_a_credit_note_is_type_381():
    reading = read_structured(as_facturx(plain_pdf(), PDF, summary(document_type="credit_note")))
    assert reading.document_type == "credit_note" and errors_of(reading) == []


def test_without_a_vat_breakdown_one_line_carries_the_rate_the_totals_imply():
    reading = read_structured(as_facturx(plain_pdf(), PDF, summary(vat_breakdown=[], total_excl_tax="1000.00",
                                                                    total_tax="55.00", total_incl_tax="1055.00")))
    assert errors_of(reading) == []
    assert [(line.rate, line.base, line.tax) for line in reading.vat_breakdown] == [("5.50", "1000.00", "55.00")]


def test_an_invoice_without_vat_is_exempt_and_still_valid():
    result = as_facturx(plain_pdf(), PDF, summary(vat_breakdown=[], total_excl_tax="800.00", total_tax="",
                                                  total_incl_tax="800.00", iban="", bic=""))
    reading = read_structured(result)
    assert errors_of(reading) == []
    assert [(line.rate, line.base, line.tax) for line in reading.vat_breakdown] == [("0.00", "800.00", "0.00")]
    xml = facturx.parse_ubl_cii_xml(facturx.get_xml_from_pdf(result, check_xsd=False)[1])
    assert [(line["BT-118"], line["BT-120"]) for line in xml["BG-23"]] == [("E", "Exonération de TVA")]


@pytest.mark.parametrize("content, media_type, reason", [
    (b"\x89PNG\r\n\x1a\n", "image/png", r"is an image \(image/png\): Chorus Pro takes a Factur-X PDF"),
    (b"\xff\xd8\xff\xe0", "image/jpeg; q=1", r"is an image \(image/jpeg\)"),
    (b"<?xml version='1.0'?><rsm:CrossIndustryInvoice/>", "application/xml",
     r"is an XML-only invoice \(application/xml\): a Factur-X for Chorus Pro needs the invoice's PDF"),
    (b"<Invoice/>", PDF, "is an XML-only invoice"),
    (b"PK\x03\x04", "application/zip", r"is not a PDF \(application/zip\)"),
    (b"%PDF-1.7 truncated", PDF, "is not a readable PDF"),
], ids=["png", "jpeg", "cii-xml", "xml-said-pdf", "zip", "broken-pdf"])
def test_what_has_no_pdf_cannot_go_to_chorus_pro(content, media_type, reason):
    with pytest.raises(NotConvertible, match=f"F-2026-0042.pdf {reason}"):
        as_facturx(content, media_type, summary())


def test_a_summary_without_the_mandatory_values_is_refused_naming_them():
    incomplete = summary(invoice_number="F-9", issue_date="", customer_name="", supplier_siret="", supplier_siren="",
                         supplier_vat="")
    with pytest.raises(NotConvertible, match=r"F-9 .* lacks issue_date, customer_name, supplier_siret \(or "):
        as_facturx(plain_pdf(), PDF, incomplete)


@pytest.mark.parametrize("changes, reason", [
    ({"total_incl_tax": "mille"}, "total_incl_tax 'mille' is not an amount"),
    ({"issue_date": "02/03/2026"}, "issue_date '02/03/2026' is not an ISO date"),
    ({"vat_breakdown": [VatLine(rate="20", base="abc", tax="1")]}, "vat_breakdown base 'abc' is not an amount"),
])
def test_a_value_that_is_not_what_it_should_be_is_refused_naming_it(changes, reason):
    with pytest.raises(NotConvertible, match=reason):
        as_facturx(plain_pdf(), PDF, summary(**changes))
