"""The form an accounting firm fills to open a client dossier, checked and normalised into a ClientForm.

Values are accepted the way people type them and the way spreadsheets store them:

- numbers may come as int or float (a SIREN read from Excel is 552100554 or 552100554.0);
- a numeric SIREN shorter than 9 digits, or SIRET shorter than 14, lost its leading zeros in the spreadsheet
  and gets them back; a 14-digit SIRET is accepted in place of the SIREN and its first 9 digits are kept;
- a French postal code given as a number with 4 digits (7500 for "07500") lost its leading zero in the
  spreadsheet and gets it back; a 4-digit postal code typed as text is refused, since nothing says which digit
  is missing;
- a closing month may be 12, "12", "décembre", "Decembre", "DEC", "31/12", "31/12/2025" or a date;
- a country may be "France", "FR", "fra" (names in French or English, accents and case ignored);
- a language may be "Français", "FR", "fr", "fr-FR", "anglais", "English";
- empty strings count as missing; strings are stripped and their inner whitespace collapsed.

Keys of the raw mapping that are not in FIELDS are ignored.
"""
import datetime
import functools
import gettext
import re
import unicodedata
import warnings
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass

import pycountry
from email_validator import EmailNotValidError, validate_email
from schwifty import BIC, IBAN
from schwifty.exceptions import (
    InvalidBBANChecksum,
    InvalidChecksumDigits,
    InvalidCountryCode,
    InvalidLength,
    InvalidStructure,
    NationalChecksumNotVerified,
    SchwiftyException,
)
from stdnum import exceptions as stdnum_errors
from stdnum.eu import vat as eu_vat
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import tva as fr_tva

from jefacture_identity.domain.dossier import InvalidDossier, clean_siren

FIELDS: tuple[str, ...] = (
    "siren", "name", "country", "language", "closing_month", "vat_number", "iban", "bic",
    "address", "postal_code", "city", "representative_name", "representative_language", "representative_email",
)
OPTIONAL = frozenset({"vat_number", "iban", "bic"})
MAX_TEXT_CHARS = 200
REQUIRED: frozenset[str] = frozenset(FIELDS) - OPTIONAL

LABELS = {
    "siren": "SIREN",
    "name": "company name",
    "country": "country",
    "language": "language",
    "closing_month": "closing month",
    "vat_number": "VAT number",
    "iban": "IBAN",
    "bic": "BIC",
    "address": "address",
    "postal_code": "postal code",
    "city": "city",
    "representative_name": "legal representative's name",
    "representative_language": "legal representative's language",
    "representative_email": "legal representative's e-mail",
}

_HINTS = {
    "siren": "give the company's 9-digit SIREN",
    "name": "give the company's name",
    "country": "give the country, e.g. France or FR",
    "language": "give the language to write to the client in, e.g. français or fr",
    "closing_month": "give the month the financial year ends, e.g. 12 or décembre",
    "address": "give the street address",
    "postal_code": "give the postal code",
    "city": "give the city",
    "representative_name": "give the legal representative's full name",
    "representative_language": "give the language to write to the legal representative in, e.g. français or fr",
    "representative_email": "give the legal representative's e-mail address",
}


@dataclass(frozen=True)
class FieldProblem:
    field: str
    reason: str

    def __str__(self) -> str:
        return self.reason


class InvalidClientForm(ValueError):
    """The form cannot open a dossier; problems lists every field that is wrong, each with its reason."""

    def __init__(self, problems: list[FieldProblem]):
        self.problems = list(problems)
        super().__init__("; ".join(problem.reason for problem in self.problems))


@dataclass(frozen=True)
class ClientForm:
    siren: str
    name: str
    country: str
    language: str
    closing_month: int
    vat_number: str | None
    iban: str | None
    bic: str | None
    address: str
    postal_code: str
    city: str
    representative_name: str
    representative_language: str
    representative_email: str

    def as_dict(self) -> dict:
        return asdict(self)


class _Problem(Exception):
    """One field's value is wrong; the message is the reason shown to the accountant."""


def clean_client_form(raw: Mapping[str, object]) -> ClientForm:
    """The form's values checked and normalised; raises InvalidClientForm listing every problem found."""
    cleaned: dict[str, object] = {}
    problems: list[FieldProblem] = []
    for field in FIELDS:
        value = raw.get(field)
        cleaned[field] = None
        if is_blank(value):
            if field in REQUIRED:
                problems.append(FieldProblem(field, f"{LABELS[field]} is required: {_HINTS[field]}"))
            continue
        try:
            cleaned[field] = _CLEANERS[field](value, cleaned)
        except _Problem as problem:
            problems.append(FieldProblem(field, str(problem)))
    if problems:
        raise InvalidClientForm(problems)
    return ClientForm(**cleaned)


def siren_of(value: object) -> str | None:
    """The 9-digit SIREN the value stands for (a SIREN or a SIRET, typed or from a spreadsheet), None if invalid."""
    if is_blank(value):
        return None
    try:
        return _clean_siren(value, {})
    except _Problem:
        return None


def clean_email(value: object, label: str) -> str:
    """The e-mail address normalised and lowercased; raises ValueError naming the label, the value and the fault."""
    text = text_of(value)
    try:
        return validate_email(text, check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise ValueError(f"{label} {text!r} is not a valid e-mail address: {error}") from None


def is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and value != value:  # NaN: an empty cell for some spreadsheet readers
        return True
    return isinstance(value, str) and not value.strip()


def text_of(value: object) -> str:
    """A cell or form value as text: whitespace collapsed, whole floats without '.0', dates as ISO dates."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return " ".join(str(value).split())


def plain_key(text: str) -> str:
    """Lowercase, accents removed, every run of punctuation or spaces made one space: 'N° TVA ' -> 'n tva'."""
    decomposed = unicodedata.normalize("NFKD", text)
    without_accents = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", without_accents.lower()).split())


def _clean_free_text(field: str) -> Callable[[object, dict], str]:
    def clean(value: object, _cleaned: dict) -> str:
        text = text_of(value)
        if len(text) > MAX_TEXT_CHARS:
            raise _Problem(f"{LABELS[field]} is {len(text)} characters long, over the limit of {MAX_TEXT_CHARS}")
        return text

    return clean


def _digits_of_number(value: int | float, label: str) -> str:
    if isinstance(value, float) and not value.is_integer():
        raise _Problem(f"{label} {value!r} is not a whole number")
    if value < 0:
        raise _Problem(f"{label} {value!r} is negative")
    return str(int(value))


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _clean_siren(value: object, _cleaned: dict) -> str:
    if _is_number(value):
        digits = _digits_of_number(value, LABELS["siren"])
        text = digits.zfill(9) if len(digits) <= 9 else digits.zfill(14)
    else:
        text = text_of(value)
    compact = stdnum_siren.compact(text)
    is_siret = len(compact) == 14 and compact.isdigit()
    try:
        return clean_siren(compact[:9] if is_siret else text)
    except InvalidDossier as error:
        raise _Problem(f"{error} (the first 9 digits of the SIRET {compact})" if is_siret else str(error)) from None


@functools.cache
def _country_codes_by_name() -> dict[str, str]:
    french = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"], fallback=True)
    codes = {"uk": "GB", "usa": "US", "angleterre": "GB", "hollande": "NL"}
    for country in pycountry.countries:
        names = [getattr(country, attribute, None) for attribute in ("name", "official_name", "common_name")]
        for name in filter(None, names):
            codes[plain_key(name)] = country.alpha_2
            codes[plain_key(french.gettext(name))] = country.alpha_2
        codes[country.alpha_3.lower()] = country.alpha_2
        codes[country.alpha_2.lower()] = country.alpha_2
    return codes


def _clean_country(value: object, _cleaned: dict) -> str:
    text = text_of(value)
    code = _country_codes_by_name().get(plain_key(text))
    if code is None:
        raise _Problem(f"country {text!r} is not a country we know: give its name (France) or its ISO code (FR)")
    return code


def _without_parentheses(name: str) -> str:
    return re.sub(r"\s*\(.*?\)", "", name)


@functools.cache
def _language_codes_by_name() -> dict[str, str]:
    french = gettext.translation("iso639-3", pycountry.LOCALES_DIR, languages=["fr"], fallback=True)
    codes = {}
    for language in pycountry.languages:
        code = getattr(language, "alpha_2", None)
        if code is None:
            continue
        names = [language.name, french.gettext(language.name)]
        for name in names + [_without_parentheses(name) for name in names]:
            codes[plain_key(name)] = code
        for alias in (language.alpha_3, getattr(language, "bibliographic", None), code):
            if alias:
                codes[alias.lower()] = code
    return codes


def _clean_language(field: str) -> Callable[[object, dict], str]:
    def clean(value: object, _cleaned: dict) -> str:
        text = text_of(value)
        key = plain_key(text)
        codes = _language_codes_by_name()
        locale = re.fullmatch(r"([a-z]{2}) [a-z]{2}", key)  # a locale such as fr-FR or en_GB: its language
        code = codes.get(key) or (codes.get(locale.group(1)) if locale else None)
        if code is None:
            raise _Problem(
                f"{LABELS[field]} {text!r} is not a language we know: give its name (français, English) "
                "or its ISO 639-1 code (fr, en)"
            )
        return code

    return clean


_MONTH_NAMES = {
    1: ("janvier", "january"), 2: ("fevrier", "february"), 3: ("mars", "march"), 4: ("avril", "april"),
    5: ("mai", "may"), 6: ("juin", "june"), 7: ("juillet", "july"), 8: ("aout", "august"),
    9: ("septembre", "september"), 10: ("octobre", "october"), 11: ("novembre", "november"),
    12: ("decembre", "december"),
}


def _month_of_word(word: str) -> int | None:
    """The month a name or an abbreviation of at least 3 letters stands for, in French or English."""
    if len(word) < 3:
        return None
    months = {month for month, names in _MONTH_NAMES.items() if any(name.startswith(word) for name in names)}
    return months.pop() if len(months) == 1 else None


def _month_of_numbers(numbers: list[int]) -> int | None:
    """The month of [month], [day, month], [day, month, year] or [year, month, day]; None when no real date."""
    if len(numbers) == 1:
        return numbers[0]
    if len(numbers) == 2:
        day, month, year = numbers[0], numbers[1], 2000
    elif len(numbers) == 3 and numbers[0] > 31:
        year, month, day = numbers
    elif len(numbers) == 3:
        day, month, year = numbers
    else:
        return None
    try:
        return datetime.date(year, month, day).month
    except ValueError:
        return None


def _month_of_text(text: str) -> int | None:
    if re.fullmatch(r"\d+[.,]0*", text):
        text = re.split(r"[.,]", text)[0]
    tokens = plain_key(text).split()
    named = {_month_of_word(token) for token in tokens if token.isalpha()} - {None}
    if named:
        return named.pop() if len(named) == 1 else None
    if tokens and all(token.isdigit() for token in tokens):
        return _month_of_numbers([int(token) for token in tokens])
    return None


def _clean_closing_month(value: object, _cleaned: dict) -> int:
    if isinstance(value, datetime.date):
        return value.month
    if _is_number(value):
        month = int(value) if float(value).is_integer() else None
    else:
        month = _month_of_text(text_of(value))
    if month is None or not 1 <= month <= 12:
        raise _Problem(
            f"closing month {text_of(value)!r} is not a month: give 1 to 12, a month name (décembre) "
            "or the closing date (31/12)"
        )
    return month


def _vat_reason(error: stdnum_errors.ValidationError, country: str) -> str:
    if isinstance(error, stdnum_errors.InvalidChecksum):
        return "its check digits are wrong (a typing mistake?)"
    if isinstance(error, stdnum_errors.InvalidLength):
        return f"it has the wrong number of characters for a {country} VAT number"
    if isinstance(error, stdnum_errors.InvalidFormat):
        return f"it has characters a {country} VAT number cannot have"
    if isinstance(error, stdnum_errors.InvalidComponent):
        return f"{country} is not the code of an EU country: it must start with one, e.g. FR, DE, BE"
    return error.message


def _clean_french_vat(text: str, compact: str, siren: str | None) -> str:
    try:
        number = "FR" + fr_tva.validate(compact)
    except stdnum_errors.ValidationError as error:
        raise _Problem(f"VAT number {text!r} is not a valid French VAT number: {_vat_reason(error, 'FR')}") from None
    vat_siren = fr_tva.to_siren(number)
    if siren and vat_siren != siren:
        raise _Problem(
            f"VAT number {text!r} belongs to another company: it is the VAT number of SIREN {vat_siren}, "
            f"not of this client's SIREN {siren}"
        )
    return number


def _clean_vat_number(value: object, cleaned: dict) -> str:
    text = text_of(value)
    compact = re.sub(r"[\s.\-/]", "", text).upper()
    if not compact[:2].isalpha():
        if not cleaned.get("country"):
            raise _Problem(f"VAT number {text!r} must start with its country code, e.g. FR")
        compact = cleaned["country"] + compact
    if compact.startswith("FR"):
        return _clean_french_vat(text, compact, cleaned.get("siren"))
    try:
        return eu_vat.validate(compact)
    except stdnum_errors.ValidationError as error:
        raise _Problem(f"VAT number {text!r} is not a valid EU VAT number: {_vat_reason(error, compact[:2])}") from None


def _iban_reason(error: SchwiftyException, compact: str) -> str:
    country = compact[:2]
    if isinstance(error, InvalidCountryCode):
        return f"it must start with a country code such as FR, not {country!r}"
    if isinstance(error, InvalidChecksumDigits):
        return "its check digits (3rd and 4th characters) do not match the rest (a typing mistake?)"
    if isinstance(error, InvalidLength):
        return f"it has {len(compact)} characters, which is not the length of a {country} IBAN"
    if isinstance(error, InvalidStructure):
        return f"its account part does not have the layout of a {country} IBAN"
    if isinstance(error, InvalidBBANChecksum):
        return "its national check digits (the RIB key for a French account) are wrong"
    return str(error)


def _clean_iban(value: object, _cleaned: dict) -> str:
    text = text_of(value)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NationalChecksumNotVerified)  # countries without a national checksum
            return IBAN(text, validate_bban=True).compact
    except SchwiftyException as error:
        compact = re.sub(r"\s", "", text).upper()
        raise _Problem(f"IBAN {text!r} is not a valid IBAN: {_iban_reason(error, compact)}") from None


# IBANs of one country used by banks whose BIC carries another territory's code (French overseas, Crown dependencies)
_IBAN_COUNTRY_ALSO_USED_BY = {
    "FR": {"GF", "GP", "MQ", "RE", "YT", "PM", "BL", "MF", "NC", "PF", "WF"},
    "GB": {"JE", "GG", "IM"},
}


def _bic_reason(error: SchwiftyException) -> str:
    if isinstance(error, InvalidLength):
        return "a BIC has 8 or 11 characters"
    if isinstance(error, InvalidCountryCode):
        return "its 5th and 6th characters must be a country code, e.g. FR"
    if isinstance(error, InvalidStructure):
        return "a BIC is a bank code (4 characters), a country code (2 letters), a place (2) and maybe a branch (3)"
    return str(error)


def _clean_bic(value: object, cleaned: dict) -> str:
    text = text_of(value)
    try:
        bic = BIC(text)
    except SchwiftyException as error:
        raise _Problem(f"BIC {text!r} is not a valid BIC: {_bic_reason(error)}") from None
    iban = cleaned.get("iban")
    if iban and bic.country_code != iban[:2] and bic.country_code not in _IBAN_COUNTRY_ALSO_USED_BY.get(iban[:2], ()):
        raise _Problem(
            f"BIC {text!r} is a bank in country {bic.country_code} but the IBAN {iban} is an account in "
            f"country {iban[:2]}: they must be the same account's"
        )
    return bic.compact


def _clean_postal_code(value: object, cleaned: dict) -> str:
    text = _digits_of_number(value, LABELS["postal_code"]) if _is_number(value) else text_of(value)
    if cleaned.get("country") != "FR":
        return _clean_free_text("postal_code")(text, cleaned)
    digits = text.replace(" ", "")
    if _is_number(value) and len(digits) == 4:  # the spreadsheet dropped the leading zero of 07500
        digits = "0" + digits
    if not re.fullmatch(r"\d{5}", digits):
        raise _Problem(f"postal code {text!r} is not a French postal code: it has 5 digits, e.g. 75008")
    return digits


def _clean_representative_email(value: object, _cleaned: dict) -> str:
    try:
        return clean_email(value, LABELS["representative_email"])
    except ValueError as error:
        raise _Problem(str(error)) from None


_CLEANERS: dict[str, Callable[[object, dict], object]] = {
    "siren": _clean_siren,
    "name": _clean_free_text("name"),
    "country": _clean_country,
    "language": _clean_language("language"),
    "closing_month": _clean_closing_month,
    "vat_number": _clean_vat_number,
    "iban": _clean_iban,
    "bic": _clean_bic,
    "address": _clean_free_text("address"),
    "postal_code": _clean_postal_code,
    "city": _clean_free_text("city"),
    "representative_name": _clean_free_text("representative_name"),
    "representative_language": _clean_language("representative_language"),
    "representative_email": _clean_representative_email,
}
