"""French invoice notation turned into normalised values: amounts, rates, dates, identifiers, currencies.

`find_*` functions scan a piece of text and return every match with its character span, so that a caller can map
a value back to the words (and boxes) it came from. Identifiers are checked with python-stdnum and schwifty; a value
that fails its check is still returned (it is what the document says) with `valid=False` and the reason.
"""
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, NamedTuple

from schwifty import BIC, IBAN, registry
from schwifty.exceptions import SchwiftyException
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError
from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret
from stdnum.fr import tva as fr_tva

CENT = Decimal("0.01")


class Span(NamedTuple):
    start: int
    end: int
    value: Any


# ---------------------------------------------------------------- folding (accent- and case-insensitive matching)

class _FoldTable(dict):
    """str.translate table mapping every character to exactly one lower-case, accent-free character."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        folded = unicodedata.normalize("NFKD", char.lower())[:1] or char
        if char in "°º":
            folded = "°"
        elif char in "’‘`´":
            folded = "'"
        elif unicodedata.category(char) == "Zs":
            folded = " "
        elif len(char.lower()) != 1 or not folded:
            folded = char
        self[code] = folded
        return folded


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """Lower-case and strip accents, keeping the length, so indexes in the folded text hold in the original."""
    return text.translate(_FOLD)


# ---------------------------------------------------------------- amounts and rates

_SPACES = " \u00a0\u202f\u2009"
_MINUS = "-\u2212\u2013"
_AMOUNT = re.compile(
    r"(?<![\w.,/%-])"
    r"(?P<open>\()?"
    r"(?P<sign>[-\u2212\u2013]\s?)?"
    r"(?:(?P<pre>€|eur|\$|£)\s?)?"
    r"(?P<number>\d{1,3}(?:[ \u00a0\u202f\u2009.,']\d{3})+(?:[.,]\d{1,4})?|\d+(?:[.,]\d{1,4})?)"
    r"(?!\d)(?![.,]\d)(?!\s?%)(?![/\-]\d)"
    r"(?:\s?(?P<cur>€|eur(?:os?)?\b|\$|£|usd\b|gbp\b|chf\b))?"
    r"(?P<close>\))?"
    r"(?P<trail>-(?!\w))?", re.IGNORECASE)


def _number_from(digits: str) -> Decimal | None:
    """'1 234,56' '1.234,56' '1,234.56' '1234.56' '1.234' '12,5' → Decimal. With both marks the last is the decimal
    one; a repeated mark groups thousands, unless fewer than three digits follow its last ('101.697.35', an OCR
    slip); a lone '.' before exactly three digits groups thousands; a lone ',' is the French decimal comma."""
    compact = "".join(char for char in digits if char not in _SPACES + "'")
    marks = [char for char in compact if char in ".,"]
    if marks:
        last = max(compact.rfind("."), compact.rfind(","))
        decimals = len(compact) - last - 1
        grouping_only = len(set(marks)) == 1 and decimals == 3 and (len(marks) > 1 or marks[0] == "."
                                                                    and not compact.startswith("0"))
        whole = compact if grouping_only else compact[:last]
        compact = whole.replace(".", "").replace(",", "") + ("" if grouping_only else "." + compact[last + 1:])
    try:
        return Decimal(compact)
    except InvalidOperation:
        return None


def find_amounts(text: str) -> list[Span]:
    """Every amount in the text: '1 234,56 €', '-1.234,56', '(12,00)', '1234.56 EUR', '1 234,56-' → Decimal.
    Percentages, dates and digits glued to letters (identifiers) are not amounts."""
    found = []
    for match in _AMOUNT.finditer(text):
        value = _number_from(match["number"])
        if value is None:
            continue
        bracketed = bool(match["open"] and match["close"])
        start = match.start() if bracketed else match.start("number")
        if match["pre"] and not bracketed:
            start = match.start("pre")
        if match["sign"] and not bracketed:
            start = match.start("sign")
        end = match.end() if bracketed or match["trail"] else match.end("cur") if match["cur"] else \
            match.end("number")
        negative = bool(match["sign"] or match["trail"]) or bracketed
        found.append(Span(start, end, -value if negative else value))
    return found


def parse_amount(text: str) -> Decimal | None:
    """The amount that the whole text is, or None ('1 234,56 €' → Decimal('1234.56'))."""
    text = text.strip()
    amounts = find_amounts(text)
    if len(amounts) == 1 and amounts[0].start == 0 and amounts[0].end == len(text):
        return amounts[0].value
    return None


def format_amount(value: Decimal) -> str:
    """'1234.56': at least two decimals, more only when the document printed them (unit prices), no grouping."""
    if value == value.quantize(CENT):
        return f"{value.quantize(CENT):f}"
    return f"{value.normalize():f}"


def format_quantity(value: Decimal) -> str:
    """'2', '2.5', '0.125': no trailing zeros, no exponent."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


_RATE = re.compile(r"(?<![\d.,])(\d{1,2}(?:[.,]\d{1,3})?)\s?%")  # glued to a word too ('TVA20%')


def find_rates(text: str) -> list[Span]:
    """Every percentage: '20 %', '5,5%', '20.00 %' → Decimal('20'), Decimal('5.5'), ..."""
    return [Span(match.start(), match.end(), Decimal(match[1].replace(",", "."))) for match in _RATE.finditer(text)]


def format_rate(value: Decimal) -> str:
    return f"{value.quantize(CENT):f}"


# ---------------------------------------------------------------- dates

_MONTHS = {
    "janvier": 1, "janv": 1, "jan": 1, "january": 1,
    "fevrier": 2, "fevr": 2, "fev": 2, "february": 2, "feb": 2,
    "mars": 3, "mar": 3, "march": 3,
    "avril": 4, "avr": 4, "april": 4, "apr": 4,
    "mai": 5, "may": 5,
    "juin": 6, "june": 6, "jun": 6,
    "juillet": 7, "juil": 7, "july": 7, "jul": 7,
    "aout": 8, "august": 8, "aug": 8,
    "septembre": 9, "sept": 9, "sep": 9, "september": 9,
    "octobre": 10, "oct": 10, "october": 10,
    "novembre": 11, "nov": 11, "november": 11,
    "decembre": 12, "dec": 12, "december": 12,
}
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_NUMERIC_DATE = re.compile(r"(?<![\d/.\-])(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})(?![\d/.\-]\d)")
_ISO_DATE = re.compile(r"(?<![\d/.\-])(\d{4})([\-/.])(\d{1,2})\2(\d{1,2})(?![\d/.\-]\d)")
_DAY_MONTH_YEAR = re.compile(rf"(?<![\w])(\d{{1,2}})(?:er|st|nd|rd|th)?\.?\s+({_MONTH_NAMES})\.?,?\s+(\d{{4}})(?!\d)")
_MONTH_DAY_YEAR = re.compile(rf"(?<![\w])({_MONTH_NAMES})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})(?!\d)")


def _date(year: int, month: int, day: int) -> date | None:
    if year < 100:
        year += 2000
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _numeric_date(first: int, second: int, year: int) -> date | None:
    """Day first, as in France; month first only when the day-first reading cannot be a date."""
    return _date(year, second, first) or _date(year, first, second)


def find_dates(text: str) -> list[Span]:
    """Every date: '31/03/2026', '31.03.26', '31 mars 2026', '1er avril 2026', '2026-03-31', 'March 31, 2026'."""
    folded = fold(text)
    found = []
    for match in _NUMERIC_DATE.finditer(folded):
        found.append((match, _numeric_date(int(match[1]), int(match[3]), int(match[4]))))
    for match in _ISO_DATE.finditer(folded):
        found.append((match, _date(int(match[1]), int(match[3]), int(match[4]))))
    for match in _DAY_MONTH_YEAR.finditer(folded):
        found.append((match, _date(int(match[3]), _MONTHS[match[2]], int(match[1]))))
    for match in _MONTH_DAY_YEAR.finditer(folded):
        found.append((match, _date(int(match[3]), _MONTHS[match[1]], int(match[2]))))
    return sorted(Span(match.start(), match.end(), value) for match, value in found if value)


def parse_date(text: str) -> date | None:
    dates = find_dates(text.strip())
    return dates[0].value if len(dates) == 1 else None


# ---------------------------------------------------------------- identifiers

@dataclass(frozen=True)
class Checked:
    """An identifier as printed (compacted) and whether its check digits hold; `problem` says why not."""
    value: str
    valid: bool
    problem: str = ""


_PROBLEMS = {"InvalidChecksum": "fails its check digits", "InvalidLength": "has the wrong length",
             "InvalidFormat": "is not well formed", "InvalidComponent": "has an invalid part"}


def _stdnum_check(module, value: str, name: str, checksum_problem: str = "") -> Checked:
    try:
        module.validate(value)
        return Checked(value, True)
    except ValidationError as error:
        kind = type(error).__name__
        problem = checksum_problem if kind == "InvalidChecksum" and checksum_problem else _PROBLEMS.get(
            kind, error.message.rstrip(".").lower())
        return Checked(value, False, f"{name} {value} {problem}")


@lru_cache(maxsize=4096)
def check_siren(text: str) -> Checked:
    return _stdnum_check(fr_siren, fr_siren.compact(text), "SIREN", "fails the Luhn check")


@lru_cache(maxsize=4096)
def check_siret(text: str) -> Checked:
    return _stdnum_check(fr_siret, fr_siret.compact(text), "SIRET", "fails the Luhn check")


@lru_cache(maxsize=4096)
def check_vat(text: str) -> Checked:
    """An EU VAT number, 'FR40303265045' (French key checked against its SIREN) or another member state's."""
    compact = eu_vat.compact(text).upper()
    if compact.startswith("FR"):
        embedded = compact[4:]
        wrong_siren = len(embedded) == 9 and embedded.isdigit() and not check_siren(embedded).valid
        problem = ("has a SIREN part that fails the Luhn check" if wrong_siren
                   else "has a key that does not match its SIREN")
        checked = _stdnum_check(fr_tva, compact[2:], "VAT number", problem)
        return Checked(compact, checked.valid, checked.problem.replace(checked.value, compact, 1))
    try:
        return Checked(eu_vat.validate(compact), True)
    except ValidationError as error:
        problem = _PROBLEMS.get(type(error).__name__, error.message.rstrip(".").lower())
        return Checked(compact, False, f"VAT number {compact} {problem}")


def vat_siren(vat: str) -> str | None:
    """The SIREN a French VAT number is built on ('FR40303265045' → '303265045'), None for other countries."""
    return vat[4:] if vat.startswith("FR") and len(vat) == 13 and vat[4:].isdigit() else None


@lru_cache(maxsize=4096)
def check_iban(text: str) -> Checked:
    compact = re.sub(r"[\s.\-]", "", text).upper()
    try:
        return Checked(IBAN(compact).compact, True)
    except SchwiftyException as error:
        return Checked(compact, False, f"IBAN {compact} is not valid: {str(error).rstrip('.').lower()}")


@lru_cache(maxsize=4096)
def check_bic(text: str) -> Checked:
    compact = re.sub(r"\s", "", text).upper()
    try:
        return Checked(BIC(compact).compact, True)
    except SchwiftyException as error:
        return Checked(compact, False, f"BIC {compact} is not valid: {str(error).rstrip('.').lower()}")


_DIGIT_GROUPS = re.compile(r"(?<![\w.])\d(?:[ \u00a0\u202f.]?\d)+(?![\w])")
_FR_VAT = re.compile(r"(?<![A-Za-z0-9])FR[ \u00a0]?[0-9A-HJ-NP-Z]{2}(?:[ \u00a0.]?\d){9}(?!\d)", re.IGNORECASE)
_EU_VAT = re.compile(r"(?<![A-Za-z0-9])(?:AT|BE|BG|CY|CZ|DE|DK|EE|EL|ES|FI|FR|HR|HU|IE|IT|LT|LU|LV|MT|NL|PL|PT|RO|SE|SI"
                     r"|SK|XI)[ \u00a0]?[0-9A-Z](?:[ \u00a0.]?[0-9A-Z]){7,11}(?![0-9A-Za-z])")
_IBAN_START = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?=[ \u00a0]?[A-Z0-9])")
_IBAN_GROUP = re.compile(r"[ \u00a0]?([A-Z0-9]{1,4})")
_BIC = re.compile(r"(?<![A-Za-z0-9])[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?(?![A-Za-z0-9])")


def _digits_of_length(text: str, length: int) -> list[Span]:
    spans = []
    for match in _DIGIT_GROUPS.finditer(text):
        digits = re.sub(r"\D", "", match[0])
        if len(digits) == length:
            spans.append(Span(match.start(), match.end(), digits))
    return spans


def find_sirens(text: str) -> list[Span]:
    """9-digit groups ('552 100 554', '552100554'), checked: Span.value is a Checked."""
    return [Span(start, end, check_siren(digits)) for start, end, digits in _digits_of_length(text, 9)]


def find_sirets(text: str) -> list[Span]:
    """14-digit groups ('552 100 554 00013'), checked."""
    return [Span(start, end, check_siret(digits)) for start, end, digits in _digits_of_length(text, 14)]


def find_vats(text: str, any_country: bool = False) -> list[Span]:
    """French VAT numbers ('FR 40 303 265 045'); with any_country, other EU member states' too."""
    pattern = _EU_VAT if any_country else _FR_VAT
    return [Span(match.start(), match.end(), check_vat(match[0])) for match in pattern.finditer(text)]


def find_ibans(text: str) -> list[Span]:
    """IBANs printed compact or in groups of four; where groups run on into other text, the cut that makes a valid
    IBAN (or has the country's length) wins."""
    found = []
    for start in _IBAN_START.finditer(text):
        cuts, position, compact = [], start.end(), start[0]
        while len(compact) < 34:
            group = _IBAN_GROUP.match(text, position)
            if not group:
                break
            compact += group[1]
            position = group.end()
            cuts.append((position, compact))
            if len(group[1]) < 4:
                break
        choice = _best_iban_cut(cuts)
        if choice:
            found.append(Span(start.start(), choice[0], choice[1]))
    return found


def _best_iban_cut(cuts: list[tuple[int, str]]) -> tuple[int, Checked] | None:
    checked = [(end, check_iban(compact)) for end, compact in cuts if len(compact) >= 15]
    valid = [cut for cut in checked if cut[1].valid]
    if valid:
        return valid[-1]
    expected = _iban_length(checked[0][1].value[:2]) if checked else None
    same_length = [cut for cut in checked if len(cut[1].value) == expected]
    return same_length[0] if same_length else None


def _iban_length(country: str) -> int | None:
    try:
        return registry.get_iban_spec(country).iban_length
    except (KeyError, SchwiftyException):
        return None


def find_bics(text: str) -> list[Span]:
    """BICs as printed, in capitals ('BNPAFRPP', 'BNPAFRPPXXX'), checked."""
    return [Span(match.start(), match.end(), check_bic(match[0])) for match in _BIC.finditer(text)]


# ---------------------------------------------------------------- currencies and words

_CURRENCIES = (("€", "EUR"), ("eur", "EUR"), ("euro", "EUR"), ("$", "USD"), ("usd", "USD"), ("£", "GBP"),
               ("gbp", "GBP"), ("chf", "CHF"), ("cad", "CAD"))
_CURRENCY = re.compile(r"€|\$|£|(?<![a-z])(?:euros?|eur|usd|gbp|chf|cad)(?![a-z])")


def find_currencies(text: str) -> list[Span]:
    """ISO 4217 codes for currency symbols and codes: '€' 'EUR' 'euros' → 'EUR'."""
    lookup = dict(_CURRENCIES)
    return [Span(match.start(), match.end(), lookup[match[0].rstrip("s")]) for match in _CURRENCY.finditer(fold(text))]


def operation_nature(text: str) -> str | None:
    """'Livraison de biens' → goods, 'Prestation de services' → services, both or 'mixte' → mixed."""
    folded = fold(text)
    # words may be glued to the one before ('Supply ofservices' as OCR reads it)
    goods = bool(re.search(r"biens?\b|marchandises?\b|goods\b", folded))
    services = bool(re.search(r"services?\b|prestations?\b", folded))
    if "mixte" in folded or "mixed" in folded or (goods and services):
        return "mixed"
    return "goods" if goods else "services" if services else None
