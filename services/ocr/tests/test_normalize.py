"""French notation to normalised values, and identifiers checked with python-stdnum and schwifty."""
from datetime import date
from decimal import Decimal

import pytest

from jefacture_ocr.domain import normalize as nz


@pytest.mark.parametrize("text, amount", [
    ("1 234,56 €", "1234.56"), ("1\u202f234,56\u00a0€", "1234.56"), ("1.234,56", "1234.56"), ("1234.56", "1234.56"),
    ("1,234.56", "1234.56"), ("1234,5", "1234.5"), ("12", "12"), ("1 234 567,89 EUR", "1234567.89"),
    ("-1 234,56 €", "-1234.56"), ("\u22121 234,56", "-1234.56"), ("(250,00)", "-250.00"), ("250,00-", "-250.00"),
    ("€1,234.50", "1234.50"), ("1.234", "1234"), ("0.125", "0.125"), ("EUR 99,90", "99.90"), ("1'234.56", "1234.56"),
    ("1.234.567", "1234567"), ("101.697.35", "101697.35"), ("1,234,56", "1234.56"),  # OCR: a comma read as a dot
])
def test_french_and_english_amounts(text, amount):
    assert nz.parse_amount(text) == Decimal(amount)


@pytest.mark.parametrize("text", ["20 %", "31/03/2026", "FR40303265045", "abc", "", "12 €uros 13"])
def test_what_is_not_one_amount(text):
    assert nz.parse_amount(text) is None


def test_amounts_in_a_line_skip_rates_dates_and_identifiers():
    text = "TVA 20 % du 31/03/2026 sur 1 000,00 € : 200,00 € (FR40303265045)"
    assert [(text[s.start:s.end], s.value) for s in nz.find_amounts(text)] == [
        ("1 000,00 €", Decimal("1000.00")), ("200,00 €", Decimal("200.00"))]


def test_amounts_are_formatted_with_two_decimals_unless_more_were_printed():
    assert nz.format_amount(Decimal("1234.5")) == "1234.50"
    assert nz.format_amount(Decimal("-90")) == "-90.00"
    assert nz.format_amount(Decimal("0.125")) == "0.125"
    assert nz.format_quantity(Decimal("2.50")) == "2.5" and nz.format_quantity(Decimal("10")) == "10"


def test_rates():
    assert [s.value for s in nz.find_rates("TVA 5,5 % et 20% et 2.10 %")] == [Decimal("5.5"), 20, Decimal("2.10")]
    assert nz.format_rate(Decimal("5.5")) == "5.50"
    assert [s.value for s in nz.find_rates("VAT20% TVA5,5%")] == [20, Decimal("5.5")]  # OCR glues label and rate
    assert nz.find_rates("1.234,5 % 120 %") == []


@pytest.mark.parametrize("text, expected", [
    ("31/03/2026", date(2026, 3, 31)), ("31.03.2026", date(2026, 3, 31)), ("31-03-2026", date(2026, 3, 31)),
    ("31/03/26", date(2026, 3, 31)), ("31 mars 2026", date(2026, 3, 31)), ("1er avril 2026", date(2026, 4, 1)),
    ("15 DÉCEMBRE 2026", date(2026, 12, 15)), ("3 févr. 2026", date(2026, 2, 3)), ("2026-03-31", date(2026, 3, 31)),
    ("March 31, 2026", date(2026, 3, 31)), ("31 August 2026", date(2026, 8, 31)), ("5 août 2026", date(2026, 8, 5)),
    ("03/31/2026", date(2026, 3, 31)),  # only a month-first reading makes a date
])
def test_dates(text, expected):
    assert nz.parse_date(text) == expected


@pytest.mark.parametrize("text", ["31/02/2026", "2026", "12/2026", "31 foo 2026", "1 234,56"])
def test_what_is_not_a_date(text):
    assert nz.parse_date(text) is None


def test_dates_in_a_line():
    text = "Facture du 31/03/2026, échéance le 30 avril 2026"
    assert [s.value for s in nz.find_dates(text)] == [date(2026, 3, 31), date(2026, 4, 30)]


def test_siren_and_siret_are_checked_with_luhn():
    assert nz.check_siren("552 100 554") == nz.Checked("552100554", True)
    assert nz.check_siren("552100555") == nz.Checked("552100555", False, "SIREN 552100555 fails the Luhn check")
    assert nz.check_siret("552 100 554 00013").valid
    assert nz.check_siret("55210055400014").problem == "SIRET 55210055400014 fails the Luhn check"
    assert nz.check_siren("55210055").problem == "SIREN 55210055 has the wrong length"


def test_french_vat_numbers_are_checked_against_their_siren():
    assert nz.check_vat("FR 40 303 265 045") == nz.Checked("FR40303265045", True)
    assert nz.check_vat("fr41303265045").problem == "VAT number FR41303265045 has a key that does not match its SIREN"
    assert nz.check_vat("FR40303265046").problem == (
        "VAT number FR40303265046 has a SIREN part that fails the Luhn check")
    assert nz.check_vat("BE 0403.170.701").valid and not nz.check_vat("DE136695977").valid
    assert nz.vat_siren("FR40303265045") == "303265045" and nz.vat_siren("BE0403170701") is None


def test_iban_and_bic_are_checked_with_schwifty():
    assert nz.check_iban("FR76 3000 6000 0112 3456 7890 189") == nz.Checked("FR7630006000011234567890189", True)
    bad = nz.check_iban("FR7630006000011234567890188")
    assert not bad.valid and bad.problem.startswith("IBAN FR7630006000011234567890188 is not valid")
    assert nz.check_bic("BNPAFRPPXXX").valid and not nz.check_bic("BNPAXXPP").valid


def test_identifiers_are_found_in_running_text():
    text = "SIRET 552 100 554 00013 – TVA FR 96 552 100 554 – SIREN 552100554"
    assert [s.value.value for s in nz.find_sirets(text)] == ["55210055400013"]
    assert [s.value.value for s in nz.find_vats(text)] == ["FR96552100554"]
    assert [s.value.value for s in nz.find_sirens(text)] == ["552100554"]
    assert [s.value.value for s in nz.find_vats("VAT BE0403170701", any_country=True)] == ["BE0403170701"]


def test_an_iban_in_groups_stops_where_it_is_valid():
    text = "IBAN : FR76 3000 6000 0112 3456 7890 189 BIC BNPAFRPP"
    (span,) = nz.find_ibans(text)
    assert span.value.value == "FR7630006000011234567890189" and text[span.start:span.end].endswith("189")
    (wrong,) = nz.find_ibans("IBAN FR76 3000 6000 0112 3456 7890 188 BIC")
    assert wrong.value.value == "FR7630006000011234567890188" and not wrong.value.valid
    assert [s.value.value for s in nz.find_bics("BIC : BNPAFRPP")] == ["BNPAFRPP"]


def test_currencies_and_nature_of_operation():
    assert [s.value for s in nz.find_currencies("12 € ou 12 EUR ou 12 euros ou $5 ou 3 CHF")] == [
        "EUR", "EUR", "EUR", "USD", "CHF"]
    assert nz.operation_nature("Livraison de biens") == "goods"
    assert nz.operation_nature("Prestations de services") == "services"
    assert nz.operation_nature("Opération mixte") == "mixed"
    assert nz.operation_nature("biens et services") == "mixed"
    assert nz.operation_nature("autre chose") is None
    assert nz.operation_nature("Supply ofservices") == "services"  # words glued by OCR


def test_folding_keeps_positions():
    text = "Échéance N° Œuvre"
    assert nz.fold(text) == "echeance n° œuvre" and len(nz.fold(text)) == len(text)
