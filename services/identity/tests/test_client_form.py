import dataclasses
import datetime

import pytest

from jefacture_identity.domain.client_form import (
    FIELDS,
    REQUIRED,
    ClientForm,
    FieldProblem,
    InvalidClientForm,
    clean_client_form,
    siren_of,
)

PEUGEOT_SIREN = "552100554"
PEUGEOT_VAT = "FR96552100554"
OTHER_COMPANY_VAT = "FR40303265045"  # SIREN 303265045
IBAN_FR = "FR7630006000011234567890189"
IBAN_FR_BAD_RIB_KEY = "FR0630006000011234567890188"  # IBAN check digits right, French RIB key wrong


def valid_raw(**changes) -> dict:
    raw = {
        "siren": PEUGEOT_SIREN,
        "name": "Peugeot SA",
        "country": "FR",
        "language": "fr",
        "closing_month": 12,
        "vat_number": PEUGEOT_VAT,
        "iban": IBAN_FR,
        "bic": "AGRIFRPP",
        "address": "75 avenue de la Grande Armée",
        "postal_code": "75016",
        "city": "Paris",
        "representative_name": "Jeanne Martin",
        "representative_language": "fr",
        "representative_email": "jeanne.martin@example.fr",
    }
    raw.update(changes)
    return raw


def problems_of(raw: dict) -> dict[str, str]:
    with pytest.raises(InvalidClientForm) as caught:
        clean_client_form(raw)
    return {problem.field: problem.reason for problem in caught.value.problems}


def test_the_form_has_one_attribute_per_field_in_order_and_the_starred_fields_are_required():
    assert tuple(field.name for field in dataclasses.fields(ClientForm)) == FIELDS
    assert REQUIRED == set(FIELDS) - {"vat_number", "iban", "bic"}


def test_a_form_typed_the_way_people_type_is_normalised():
    form = clean_client_form(valid_raw(
        siren="552 100 554", name="  Peugeot \t  SA  ", country="france", language="Français",
        closing_month="Decembre", vat_number="fr 96 552 100 554", iban="fr76 3000 6000 0112 3456 7890 189",
        bic="agrifrpp", address=" 75  avenue de la\nGrande Armée ", postal_code=" 75016 ", city=" Paris ",
        representative_name=" Jeanne   Martin ", representative_language="anglais",
        representative_email="  Jeanne.Martin@Example.FR ",
    ))
    assert form == ClientForm(
        siren=PEUGEOT_SIREN, name="Peugeot SA", country="FR", language="fr", closing_month=12,
        vat_number=PEUGEOT_VAT, iban=IBAN_FR, bic="AGRIFRPP", address="75 avenue de la Grande Armée",
        postal_code="75016", city="Paris", representative_name="Jeanne Martin", representative_language="en",
        representative_email="jeanne.martin@example.fr",
    )


def test_as_dict_gives_every_field():
    form = clean_client_form(valid_raw())
    assert form.as_dict() == {field: getattr(form, field) for field in FIELDS}
    assert form.as_dict()["closing_month"] == 12


def test_the_optional_fields_may_be_left_blank_and_come_back_as_none():
    form = clean_client_form(valid_raw(vat_number="", iban="   ", bic=None))
    assert (form.vat_number, form.iban, form.bic) == (None, None, None)


def test_every_missing_required_field_is_reported_at_once_and_empty_strings_count_as_missing():
    raw = {field: "" for field in FIELDS}
    raw["name"] = "   "
    with pytest.raises(InvalidClientForm) as caught:
        clean_client_form(raw)
    problems = caught.value.problems
    assert [problem.field for problem in problems] == [field for field in FIELDS if field in REQUIRED]
    assert all(isinstance(problem, FieldProblem) and "is required" in problem.reason for problem in problems)
    assert str(caught.value) == "; ".join(problem.reason for problem in problems)
    assert "9-digit SIREN" in str(caught.value)


def test_a_missing_key_counts_as_missing_and_unknown_keys_are_ignored():
    raw = valid_raw(unknown_column="whatever")
    del raw["city"]
    assert problems_of(raw) == {"city": "city is required: give the city"}


def test_problems_of_different_fields_are_all_collected():
    problems = problems_of(valid_raw(siren="552100555", country="Atlantis", closing_month="13",
                                     representative_email="jeanne@"))
    assert set(problems) == {"siren", "country", "closing_month", "representative_email"}
    assert "check digit" in problems["siren"] and "'552100555'" in problems["siren"]
    assert "'Atlantis'" in problems["country"]
    assert "'13'" in problems["closing_month"]
    assert "'jeanne@'" in problems["representative_email"] and "not a valid e-mail" in problems["representative_email"]


@pytest.mark.parametrize("siren", [552100554, 552100554.0, "552100554", " 552 100 554 ", "552.100.554"])
def test_a_siren_is_accepted_as_int_float_or_text(siren):
    assert clean_client_form(valid_raw(siren=siren)).siren == PEUGEOT_SIREN


def test_a_siret_in_place_of_the_siren_gives_its_first_nine_digits():
    assert clean_client_form(valid_raw(siren="552 100 554 00013")).siren == PEUGEOT_SIREN
    assert clean_client_form(valid_raw(siren=55210055400013)).siren == PEUGEOT_SIREN


def test_a_siret_whose_siren_part_is_wrong_says_so():
    reason = problems_of(valid_raw(siren="55210055500013"))["siren"]
    assert "check digit" in reason and "SIRET 55210055500013" in reason


def test_a_numeric_siren_that_lost_its_leading_zeros_gets_them_back():
    assert siren_of(5520135) == "005520135"
    assert siren_of("005520135") == "005520135"


@pytest.mark.parametrize("siren, expected", [
    ("552100555", "check digit is wrong"),
    ("55210055", "9 digits"),
    ("55210O554", "only digits"),
    (552100554.5, "not a whole number"),
])
def test_a_wrong_siren_is_refused_with_the_reason(siren, expected):
    reason = problems_of(valid_raw(siren=siren, vat_number=None))["siren"]
    assert expected in reason


def test_siren_of_gives_none_for_blank_or_invalid_values():
    assert siren_of(None) is None and siren_of("") is None and siren_of("552100555") is None


@pytest.mark.parametrize("month, expected", [
    (12, 12), ("12", 12), (" 3 ", 3), (6.0, 6), ("6.0", 6), ("décembre", 12), ("Decembre", 12), ("DEC", 12),
    ("déc.", 12), ("December", 12), ("mars", 3), ("Mar", 3), ("mai", 5), ("juin", 6), ("juil", 7), ("août", 8),
    ("Aout", 8), ("sept", 9), ("févr.", 2), ("31/12", 12), ("30/06", 6), ("31/12/2025", 12), ("2025-03-31", 3),
    ("31 décembre 2025", 12), ("fin décembre", 12), (datetime.date(2025, 12, 31), 12),
    (datetime.datetime(2025, 9, 30, 0, 0), 9),
])
def test_the_closing_month_is_read_from_what_people_type(month, expected):
    assert clean_client_form(valid_raw(closing_month=month)).closing_month == expected


@pytest.mark.parametrize("month", [0, 13, "13", "ju", "jui", "31/02", "quarante", 12.5, True, "12/31"])
def test_a_closing_month_that_is_not_a_month_is_refused(month):
    reason = problems_of(valid_raw(closing_month=month))["closing_month"]
    assert reason.startswith("closing month ") and "is not a month" in reason


@pytest.mark.parametrize("country, expected", [
    ("France", "FR"), ("FR", "FR"), ("fr", "FR"), ("fra", "FR"), (" FRANCE ", "FR"), ("Belgique", "BE"),
    ("Allemagne", "DE"), ("Germany", "DE"), ("États-Unis", "US"), ("Etats Unis", "US"), ("Royaume-Uni", "GB"),
    ("UK", "GB"), ("Suisse", "CH"), ("cote d'ivoire", "CI"),
])
def test_the_country_is_read_from_its_name_in_french_or_english_or_its_iso_code(country, expected):
    form = clean_client_form(valid_raw(country=country, vat_number=None, postal_code="10115"))
    assert form.country == expected


def test_an_unknown_country_is_refused():
    reason = problems_of(valid_raw(country="Francia"))["country"]
    assert reason == "country 'Francia' is not a country we know: give its name (France) or its ISO code (FR)"


@pytest.mark.parametrize("language, expected", [
    ("Français", "fr"), ("francais", "fr"), ("FR", "fr"), ("fr", "fr"), ("fra", "fr"), ("fre", "fr"),
    ("fr-FR", "fr"), ("en_GB", "en"), ("anglais", "en"), ("English", "en"), ("Allemand", "de"),
    ("Néerlandais", "nl"), ("espagnol", "es"), ("grec moderne", "el"),
])
def test_the_language_is_read_from_its_name_in_french_or_english_or_its_iso_code(language, expected):
    form = clean_client_form(valid_raw(language=language, representative_language=language))
    assert (form.language, form.representative_language) == (expected, expected)


def test_an_unknown_language_is_refused_naming_which_language_field():
    problems = problems_of(valid_raw(language="klingon", representative_language="xx"))
    assert problems["language"].startswith("language 'klingon' is not a language we know")
    assert problems["representative_language"].startswith("legal representative's language 'xx' is not")


def test_a_french_vat_number_with_spaces_and_dots_is_compacted():
    assert clean_client_form(valid_raw(vat_number=" fr 96.552.100.554 ")).vat_number == PEUGEOT_VAT


def test_a_french_vat_number_without_the_fr_prefix_takes_the_country():
    assert clean_client_form(valid_raw(vat_number="96 552 100 554")).vat_number == PEUGEOT_VAT


def test_the_vat_number_of_another_company_is_refused_naming_both_sirens():
    reason = problems_of(valid_raw(vat_number=OTHER_COMPANY_VAT))["vat_number"]
    assert reason == (f"VAT number {OTHER_COMPANY_VAT!r} belongs to another company: it is the VAT number of "
                      f"SIREN 303265045, not of this client's SIREN {PEUGEOT_SIREN}")


def test_a_french_vat_number_with_a_wrong_key_is_refused():
    reason = problems_of(valid_raw(vat_number="FR97552100554"))["vat_number"]
    assert "not a valid French VAT number" in reason and "check digits" in reason


def test_when_the_siren_is_wrong_the_vat_number_is_not_compared_with_it():
    problems = problems_of(valid_raw(siren="552100555"))
    assert set(problems) == {"siren"}


def test_a_non_french_eu_vat_number_is_checked_with_the_eu_rules():
    form = clean_client_form(valid_raw(vat_number="DE 136 695 976"))
    assert form.vat_number == "DE136695976"
    reason = problems_of(valid_raw(vat_number="DE136695977"))["vat_number"]
    assert "not a valid EU VAT number" in reason and "'DE136695977'" in reason


def test_a_vat_number_from_outside_the_eu_is_refused():
    reason = problems_of(valid_raw(vat_number="US123456789"))["vat_number"]
    assert "US is not the code of an EU country" in reason


def test_iban_and_bic_are_compacted_and_upper_cased():
    form = clean_client_form(valid_raw(iban=" fr76 3000 6000 0112 3456 7890 189 ", bic=" agrifrppxxx "))
    assert (form.iban, form.bic) == (IBAN_FR, "AGRIFRPPXXX")


@pytest.mark.parametrize("iban, expected", [
    ("FR7630006000011234567890188", "check digits (3rd and 4th characters)"),
    (IBAN_FR_BAD_RIB_KEY, "RIB key"),
    ("FR76300060000112345678901", "is not the length of a FR IBAN"),
    ("XX7630006000011234567890189", "country code"),
])
def test_a_wrong_iban_is_refused_with_the_reason(iban, expected):
    reason = problems_of(valid_raw(iban=iban, bic=None))["iban"]
    assert reason.startswith(f"IBAN {iban!r} is not a valid IBAN") and expected in reason


@pytest.mark.parametrize("bic, expected", [("AGRIFR", "8 or 11 characters"), ("AGRIXXPP", "country code"),
                                           ("AGRIFR@P", "bank code")])
def test_a_wrong_bic_is_refused_with_the_reason(bic, expected):
    reason = problems_of(valid_raw(bic=bic))["bic"]
    assert reason.startswith(f"BIC {bic!r} is not a valid BIC") and expected in reason


def test_a_bic_from_another_country_than_the_iban_is_refused():
    reason = problems_of(valid_raw(bic="DEUTDEFF"))["bic"]
    assert "country DE" in reason and f"IBAN {IBAN_FR}" in reason and "country FR" in reason


def test_a_french_iban_goes_with_a_bic_of_a_french_overseas_bank():
    assert clean_client_form(valid_raw(bic="BDAFGPGP")).bic == "BDAFGPGP"


def test_a_bic_alone_or_with_an_invalid_iban_is_only_checked_for_its_format():
    assert clean_client_form(valid_raw(iban=None, bic="DEUTDEFF")).bic == "DEUTDEFF"
    assert set(problems_of(valid_raw(iban="FR7630006000011234567890188", bic="DEUTDEFF"))) == {"iban"}


def test_a_french_postal_code_that_lost_its_leading_zero_in_a_spreadsheet_gets_it_back():
    assert clean_client_form(valid_raw(postal_code=7500)).postal_code == "07500"
    assert clean_client_form(valid_raw(postal_code=1000.0)).postal_code == "01000"
    assert clean_client_form(valid_raw(postal_code=75016)).postal_code == "75016"


@pytest.mark.parametrize("postal_code", ["7500", "750160", "75O16", 123])
def test_a_french_postal_code_must_have_five_digits(postal_code):
    reason = problems_of(valid_raw(postal_code=postal_code))["postal_code"]
    assert "is not a French postal code: it has 5 digits" in reason


def test_a_postal_code_with_a_space_is_compacted_in_france():
    assert clean_client_form(valid_raw(postal_code="75 016")).postal_code == "75016"


def test_a_foreign_postal_code_is_kept_as_typed():
    form = clean_client_form(valid_raw(country="Royaume-Uni", vat_number=None, iban=None, bic=None,
                                       postal_code=" SW1A  1AA "))
    assert (form.country, form.postal_code) == ("GB", "SW1A 1AA")
    assert clean_client_form(valid_raw(country="BE", vat_number=None, postal_code=1000)).postal_code == "1000"


def test_the_representative_email_is_normalised_and_lowercased():
    form = clean_client_form(valid_raw(representative_email="Jeanne.MARTIN@Exemple.Fr"))
    assert form.representative_email == "jeanne.martin@exemple.fr"


@pytest.mark.parametrize("email", ["jeanne", "jeanne@@exemple.fr", "jeanne martin@exemple.fr", "jeanne@exemple"])
def test_a_wrong_email_is_refused(email):
    reason = problems_of(valid_raw(representative_email=email))["representative_email"]
    assert reason.startswith(f"legal representative's e-mail {email!r} is not a valid e-mail address")


def test_numbers_in_text_fields_read_without_a_decimal_point():
    form = clean_client_form(valid_raw(address=12, city=1000.0, country="BE", vat_number=None, postal_code=1000))
    assert (form.address, form.city) == ("12", "1000")


def test_a_text_over_200_characters_is_refused():
    reason = problems_of(valid_raw(name="x" * 201))["name"]
    assert reason == "company name is 201 characters long, over the limit of 200"
