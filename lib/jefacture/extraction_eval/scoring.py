"""Is a value read the true one? Exact match after the normalisation every reader promises (reading.py).

- amounts: equal as decimals ("1234.5" is "1234.50"); dates: the same ISO string;
- identifiers (SIREN, SIRET, VAT, IBAN, BIC, invoice and order numbers, currency): spaces ignored, case ignored;
  a BIC's branch "XXX" is the head office, so "BNPAFRPPXXX" is "BNPAFRPP";
- names, payment terms, delivery address: case, runs of spaces and the punctuation , ; : . ignored
  (an address is "street, postcode city", however the page broke its lines).
The VAT breakdown: the same (rate, tax) pairs; bases checked only when the reader gives them.
A field the truth has and the reading misses is wrong; a value read where the truth has none is "spurious".
"""
import re
import unicodedata
from decimal import Decimal, InvalidOperation

AMOUNT_FIELDS = ("total_excl_tax", "total_tax", "total_incl_tax")
DATE_FIELDS = ("issue_date", "due_date")
IDENTIFIER_FIELDS = ("supplier_siren", "supplier_siret", "supplier_vat", "customer_siren", "customer_vat", "iban",
                     "bic", "invoice_number", "purchase_order", "currency")
TEXT_FIELDS = ("supplier_name", "customer_name", "payment_terms", "delivery_address")
CODE_FIELDS = ("document_type", "operation_nature")


def same_value(field: str, truth: str, found: str | None) -> bool:
    """Whether `found` (as read) is `truth` (the ground truth) for `field`."""
    if found is None:
        return False
    found = str(found)
    if field in AMOUNT_FIELDS:
        return same_amount(truth, found)
    if field == "bic":
        return _bic(truth) == _bic(found)
    if field in IDENTIFIER_FIELDS:
        return _compact(truth) == _compact(found)
    if field in TEXT_FIELDS:
        return _text(truth) == _text(found)
    return truth.strip().lower() == found.strip().lower()


def same_amount(truth: str, found: str | None) -> bool:
    try:
        return found is not None and Decimal(str(found)) == Decimal(truth)
    except InvalidOperation:
        return False


def same_vat_breakdown(truth: list[dict], found: list) -> bool:
    """The same rates with the same tax amounts, in any order. Most pages print only "TVA 20 % : 182,25", so a
    missing base is accepted; a base given must be the right one."""
    try:
        read = [_as_dict(line) for line in found]
        if {_rate_tax(line) for line in read} != {_rate_tax(line) for line in truth} or len(read) != len(truth):
            return False
        bases = {Decimal(str(line["rate"])): Decimal(line["base"]) for line in truth}
        return all(bases[Decimal(str(line["rate"]))] == Decimal(str(line["base"]))
                   for line in read if line.get("base") not in (None, ""))
    except (InvalidOperation, KeyError, TypeError):
        return False


def same_line_amounts(truth: list[dict], found: list) -> bool:
    """The same line amounts excluding tax, in the same order."""
    try:
        read = [Decimal(str(_as_dict(line).get("amount"))) for line in found]
        return read == [Decimal(line["amount"]) for line in truth]
    except (InvalidOperation, TypeError):
        return False


def _rate_tax(line: dict) -> tuple[Decimal, Decimal]:
    return Decimal(str(line["rate"])), Decimal(str(line["tax"]))


def _as_dict(line) -> dict:
    return line if isinstance(line, dict) else vars(line)


def _compact(value: str) -> str:
    return re.sub(r"\s+", "", value).upper()


def _bic(value: str) -> str:
    compact = _compact(value)
    return compact[:8] if compact.endswith("XXX") and len(compact) == 11 else compact


def _text(value: str) -> str:
    folded = unicodedata.normalize("NFKC", value).casefold()
    return " ".join(re.sub(r"[,;:.]", " ", folded).split())
