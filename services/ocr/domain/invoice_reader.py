"""An invoice's fields read from the words on its pages, by where they sit, not by the order they were written.

The words are laid out into lines, runs and blocks (layout.py); labels from a French and English vocabulary
(vocabulary.py) announce fields, and a field's value is the nearest value of the right type to the right of its label
on the same line, else just below it. The parties are blocks of text told apart by their labels or by the issuer's
marks (parties.py); totals are cross-checked (HT + TVA = TTC picks among candidates) and broken down per VAT rate
(totals.py); the items table is read by its columns (items.py). Identifiers are checked (Luhn, VAT key, IBAN); a
failed check lowers the confidence and adds a finding. A field that is not on the page is absent.
"""
import re
import time
from datetime import date
from decimal import Decimal

from . import normalize as nz
from .items import read_line_items
from .layout import (
    CHECK_FAILED,
    UNLABELLED,
    Candidate,
    Document,
    Hit,
    Line,
    best,
    build_lines,
    text_near,
    trim,
    typed_near,
)
from .parties import read_identifiers, read_parties
from .reading import CREDIT_NOTE, INVOICE, InvoiceLine, Reading, Word
from .totals import find_rate_lines, rate_by_the_tax_label, read_totals, read_vat_breakdown
from .vocabulary import CONTACT_LIKE, POSTCODE

ADDRESS_LINES = 3  # lines of a delivery address after its first
INVOICE_ON_CREDIT_NOTE = 0.4  # how much less a label naming an invoice announces a credit note's own number
TITLE_SIZE = 1.5  # a title is set at least this much taller than the text
# 'régler cette somme avant le', 'payer au plus tard le', 'pay this amount by': words that ask to pay by a date
PAY_BY = re.compile(r"(?:regl|pay|paie|acquitt|vers)\w*\b[^.;:]{0,60}\b(?:avant|au plus tard|d'ici|jusqu'au|before|by)"
                    r"(?:\s+le)?\s*$")
DUE_DATE_AS_TERMS = 0.8  # how much less a due date's label announces payment terms than their own label
MEANS_ONLY = re.compile(r"(?:par |by )?(?:virement(?: bancaire| sepa)?|cheque|carte(?: bancaire)?|especes|"
                        r"prelevement(?: sepa| automatique)?|lcr|traite|bank transfer|wire transfer|transfer|"
                        r"credit card|card|cash|direct debit)\.?")

# ---------------------------------------------------------------- value finders

_NUMBER_TOKEN = re.compile(r"(?<![\w/#-])#?([A-Za-z0-9][A-Za-z0-9/_.\-]*\d[A-Za-z0-9/_.\-]*|\d[A-Za-z0-9/_.\-]*)")


def find_reference(text: str) -> list[nz.Span]:
    """Document numbers: the first token holding a digit and no date ('F2026-0001', '2026/042', 'A-17'; not
    'le2025-09-17', a label glued to its date as OCR may read it)."""
    dates = nz.find_dates(text)
    for match in _NUMBER_TOKEN.finditer(text):
        start, token = match.start(1), match[1].rstrip("./-_")
        if not any(d.start < start + len(token) and start < d.end for d in dates) and len(token) <= 40:
            return [nz.Span(start, start + len(token), token)]
    return []


def find_currency_codes(text: str) -> list[nz.Span]:
    """After 'Devise :': an ISO 4217 code or a currency sign."""
    codes = [nz.Span(m.start(), m.end(), m[0]) for m in re.finditer(r"(?<![A-Z])[A-Z]{3}(?![A-Z])", text)
             if m[0] in ("USD", "GBP", "CHF", "CAD", "JPY", "SEK", "DKK", "NOK", "PLN", "CZK")]
    return sorted(codes + nz.find_currencies(text))[:1]


# ---------------------------------------------------------------- fields

def read_document_type(doc: Document) -> str:
    """A credit note says so in its title, or numbers itself as one ('N° d'avoir', 'Credit note number'), in the
    upper half of its first page."""
    if any(re.search(r"avoir|credit", nz.fold(hit.text)) and hit.weight >= 1 and hit.line.page == 1
           and hit.line.top < 0.5 for hit in doc.hits("invoice_number")):
        return CREDIT_NOTE
    title = re.compile(r"(?<![a-z])(facture d'avoir|avoir|note de credit|credit note|credit memo)(?![a-z])")
    for line in doc.lines:
        if line.page != 1 or line.top > 0.5:
            continue
        for match in title.finditer(line.folded):
            original = line.text[match.start():match.end()]
            if match[0] != "avoir" or original.isupper() or re.match(r"\s*(n|no|num|numero)\b",
                                                                     line.folded[match.end():]):
                return CREDIT_NOTE
            if _set_as_a_title(doc, line, match.start(), match.end()):
                return CREDIT_NOTE
    return INVOICE


def _set_as_a_title(doc: Document, line: Line, start: int, end: int) -> bool:
    """A word alone in its run and set larger than the text ('Avoir' as a page's title, not 'avoir' in a
    sentence)."""
    box = line.box(start, end)
    return (trim(line, *line.run_at(start)) == (start, end)
            and box.y1 - box.y0 >= TITLE_SIZE * doc.typical_height(line.page))


def read_dates(doc: Document, fields: dict[str, Candidate]) -> None:
    for name in ("issue_date", "due_date"):
        candidates = [c for hit in doc.hits(name)
                      for c in typed_near(doc, hit, nz.find_dates, date.isoformat, first_only=True)]
        chosen = best(candidates)
        if chosen:
            fields[name] = chosen
    if "issue_date" not in fields:
        unlabelled = _first_unclaimed_date(doc, fields)
        if unlabelled:
            fields["issue_date"] = unlabelled
    if "due_date" not in fields:
        stated = _stated_due_date(doc)
        if stated:
            fields["due_date"] = stated


def _stated_due_date(doc: Document) -> Candidate | None:
    """A date a sentence asks to pay by ('… régler cette somme avant le 11 avril 2026', '… pay by 11/04/2026')."""
    for line in doc.lines:
        for span in nz.find_dates(line.text):
            run_start, _ = line.run_at(span.start)
            if PAY_BY.search(line.folded[max(run_start, span.start - 80):span.start]):
                return Candidate(span.value.isoformat(), UNLABELLED * line.confidence(span.start, span.end), line,
                                 span.start, span.end, span.value)
    return None


def _first_unclaimed_date(doc: Document, fields: dict[str, Candidate]) -> Candidate | None:
    """A date on the first page's upper half that no other label claims ('Facture F-1 du 31/03/2026')."""
    claimed = {c.place for c in fields.values()}
    for line in doc.by_page.get(1, []):
        if line.in_table or line.top > 0.5:
            continue
        for span in nz.find_dates(line.text):
            before = [hit for hit in line.hits if hit.end <= span.start]
            if before and before[-1].kind not in ("invoice_number", "issue_date"):
                continue
            candidate = Candidate(span.value.isoformat(), UNLABELLED * line.confidence(span.start, span.end), line,
                                  span.start, span.end, span.value)
            if candidate.place not in claimed:
                return candidate
    return None


def read_references(doc: Document, fields: dict[str, Candidate], document_type: str = INVOICE) -> None:
    for name in ("invoice_number", "purchase_order"):
        candidates = [c for hit in doc.hits(name) for c in typed_near(doc, hit, find_reference, first_only=True)]
        candidates = [c for c in candidates if not _is_identifier_like(c.value)]
        if name == "invoice_number" and document_type == CREDIT_NOTE:
            for candidate in candidates:
                if _names_an_invoice(candidate.hit):
                    candidate.score *= INVOICE_ON_CREDIT_NOTE
        chosen = best(candidates)
        if chosen:
            fields[name] = chosen


def _names_an_invoice(hit: Hit) -> bool:
    """'Réf. facture', 'Fact. origine': on a credit note, such a label gives the invoice it corrects."""
    folded = nz.fold(hit.text)
    return bool(re.search(r"fact|invoice", folded)) and not re.search(r"avoir|credit", folded)


def _is_identifier_like(value: str) -> bool:
    digits = re.sub(r"\D", "", value)
    return value.isdigit() and len(digits) in (9, 14) and nz.check_siren(digits[:9]).valid


def read_free_texts(doc: Document, fields: dict[str, Candidate]) -> None:
    terms = _payment_terms([c for hit in _heading_hits(doc, "payment_terms") if (c := text_near(doc, hit))
                            and _is_terms(c.value)] + _terms_as_due_date(doc))
    if terms:
        fields["payment_terms"] = terms
    nature = best([c for hit in _heading_hits(doc, "operation_nature") if (c := text_near(doc, hit))
                   and nz.operation_nature(c.value)])
    if nature:
        nature.value = nz.operation_nature(nature.value)
        fields["operation_nature"] = nature
    else:
        unlabelled = _stated_operation_nature(doc)
        if unlabelled:
            fields["operation_nature"] = unlabelled
    address = _delivery_address(doc, fields)
    if address:
        fields["delivery_address"] = address
    currency = _currency(doc, fields)
    if currency:
        fields["currency"] = currency


def _heading_hits(doc: Document, kind: str, sure: float = 0.0) -> list[Hit]:
    """Labels of free text start their run: in a sentence ('En cas de retard de paiement : pénalités...') the
    same words announce nothing, unless the label opens a clause with its ':' ('Payable le : 12/03/2026 (conditions :
    30 jours net)'). A label less sure than `sure` needs its ':' ('Livraison : 12 rue...', not 'Livraison de biens')."""
    return [hit for hit in doc.hits(kind) if hit.starts_run and (hit.weight >= sure or hit.announces)
            or hit.starts_clause and re.match(r"\s*:", hit.line.text[hit.end:]) is not None]


def _terms_as_due_date(doc: Document) -> list[Candidate]:
    """A due date given as terms ('Échéance : à réception de facture', 'Date d'échéance : 30 jours fin de mois'):
    words that say when to pay, and no date."""
    found = []
    for hit in _heading_hits(doc, "due_date"):
        candidate = text_near(doc, hit)
        if candidate and _is_terms(candidate.value) and not nz.find_dates(candidate.value) and re.search(
                r"jour|day|reception|receipt|comptant|fin de mois|immediat", nz.fold(candidate.value)):
            candidate.score *= DUE_DATE_AS_TERMS
            found.append(candidate)
    return found


def _payment_terms(candidates: list[Candidate]) -> Candidate | None:
    """Terms that say when to pay ('30 jours fin de mois') win over a means of payment alone ('Virement
    bancaire'), whatever their labels."""
    saying_when = [candidate for candidate in candidates if not MEANS_ONLY.fullmatch(nz.fold(candidate.value))]
    return best(saying_when or candidates)


def _is_terms(text: str) -> bool:
    folded = nz.fold(text)
    return bool(re.search(r"jour|reception|comptant|virement|cheque|prelevement|carte|especes|fin de mois|net|"
                          r"days|transfer|upon|immediat|echeance|\d", folded))


def _stated_operation_nature(doc: Document) -> Candidate | None:
    pattern = re.compile(r"livraisons? de biens|prestations? de services|operations? mixtes?|"
                         r"biens et services|delivery of goods|supply of services")
    for line in doc.lines:
        match = pattern.search(line.folded)
        if match and line.outside_table(match.start(), match.end()):
            nature = nz.operation_nature(line.text[match.start():match.end()])
            return Candidate(nature, 0.7 * line.confidence(match.start(), match.end()), line, match.start(),
                             match.end())
    return None


def _delivery_address(doc: Document, fields: dict[str, Candidate]) -> Candidate | None:
    """The address after its label, with the lines that go on under it in its block down to its postcode and city:
    'street, postcode city'."""
    for hit in _heading_hits(doc, "delivery_address", sure=0.8):
        first = text_near(doc, hit)
        if not first:
            continue
        parts = [first.value]
        cell = doc.cell_at(first.line, first.start)
        for following in cell.block.after(cell)[:ADDRESS_LINES] if cell else []:
            if (POSTCODE.search(nz.fold(parts[-1])) or CONTACT_LIKE.search(following.folded)
                    or following.line.hits_in(following.start, following.end)):
                break
            parts.append(following.text)
        first.value = ", ".join(" ".join(part.split()) for part in _without_party_name(parts, fields))
        return first
    return None


def _without_party_name(parts: list[str], fields: dict[str, Candidate]) -> list[str]:
    """The address where goods go, not whom they go to: the customer's name printed again over it is left out
    (a place's name, 'Entrepôt Nord', stays)."""
    names = {_compact_name(fields[name].value) for name in ("customer_name", "supplier_name") if name in fields}
    if len(parts) > 1 and _compact_name(parts[0]) in names:
        return parts[1:]
    return parts


def _compact_name(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", nz.fold(text))


def _currency(doc: Document, fields: dict[str, Candidate]) -> Candidate | None:
    labelled = [c for hit in doc.hits("currency") for c in typed_near(doc, hit, find_currency_codes)]
    if labelled:
        return best(labelled)
    for name in ("total_incl_tax", "total_excl_tax", "total_tax"):
        chosen = fields.get(name)
        if chosen:
            line = chosen.line
            near = nz.find_currencies(line.text[chosen.start:chosen.end + 6])
            if near:
                return Candidate(near[0].value, 0.9, line, chosen.start + near[0].start, chosen.start + near[0].end)
    seen: dict[str, Candidate] = {}
    counts: dict[str, int] = {}
    for line in doc.lines:
        for span in nz.find_currencies(line.text):
            counts[span.value] = counts.get(span.value, 0) + 1
            seen.setdefault(span.value, Candidate(span.value, 0.8, line, span.start, span.end))
    if counts:
        return seen[max(counts, key=counts.get)]
    return None


# ---------------------------------------------------------------- checks across fields

def check_dates(fields: dict[str, Candidate], findings: list[str]) -> None:
    issue, due = fields.get("issue_date"), fields.get("due_date")
    if issue and due and due.value < issue.value:
        findings.append(f"due_date {due.value} is before issue_date {issue.value}")
        due.score *= CHECK_FAILED


def check_line_items(items: list[InvoiceLine], has_discount: bool, fields: dict[str, Candidate],
                     findings: list[str]) -> None:
    for number, item in enumerate(items, start=1):
        if item.quantity and item.unit_price and item.amount and not has_discount:
            product = (Decimal(item.quantity) * Decimal(item.unit_price)).quantize(nz.CENT)
            if abs(product - Decimal(item.amount)) > Decimal("0.01"):
                findings.append(f"line {number}: {item.quantity} × {item.unit_price} = {nz.format_amount(product)}, "
                                f"but its amount is {item.amount}")
    ht = fields.get("total_excl_tax")
    if items and ht and all(item.amount for item in items):
        total = sum(Decimal(item.amount) for item in items)
        if total != ht.raw:
            findings.append(f"line amounts add up to {nz.format_amount(total)}, but total_excl_tax is {ht.value}")


# ---------------------------------------------------------------- the whole reading

def read_invoice(pages: list[list[Word]], page_count: int | None = None, kind: str = "pdf_text") -> Reading:
    """Read an invoice from the words of its pages (pages[0] is page 1). Each field is a Found with its value
    normalised, a confidence and where it was read; what is not on the pages is left out."""
    started = time.perf_counter()
    text_chars = sum(len(word.text) for page in pages for word in page)
    reading = Reading(kind=kind, page_count=page_count if page_count is not None else len(pages),
                      text_chars=text_chars)
    if not text_chars:
        reading.findings.append("no text on the pages: the document needs OCR")
        reading.seconds = time.perf_counter() - started
        return reading
    doc = Document(build_lines(pages))
    items, has_discount = read_line_items(doc)
    fields: dict[str, Candidate] = {}
    findings: list[str] = []
    reading.document_type = read_document_type(doc)
    read_parties(doc, fields)
    read_references(doc, fields, reading.document_type)
    read_dates(doc, fields)
    read_identifiers(doc, fields, findings)
    rate_lines = find_rate_lines(doc)
    read_totals(doc, fields, findings, len({line.rate for line in rate_lines}))
    rate_lines = rate_lines or rate_by_the_tax_label(fields.get("total_tax"))
    reading.vat_breakdown = read_vat_breakdown(rate_lines, items, fields, findings)
    read_free_texts(doc, fields)
    check_dates(fields, findings)
    check_line_items(items, has_discount, fields, findings)
    if reading.document_type == INVOICE and "total_incl_tax" in fields and fields["total_incl_tax"].raw < 0:
        reading.document_type = CREDIT_NOTE
    reading.fields = {name: candidate.found() for name, candidate in fields.items()}
    reading.lines = items
    reading.findings = findings
    reading.seconds = time.perf_counter() - started
    return reading
