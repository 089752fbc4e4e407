"""Totals (HT, TVA, TTC) chosen among the labelled amounts so that they add up, and the VAT breakdown per rate."""
import itertools
import re
from dataclasses import dataclass
from decimal import Decimal

from . import normalize as nz
from .layout import CHECK_FAILED, UNLABELLED, Candidate, Document, Hit, Line, typed_near
from .reading import InvoiceLine, VatLine

# On a line giving VAT per rate, the value of any other label is not part of it ('IBAN : FR76 3000 ...').
VAT_LINE_KINDS = ("total_tax", "total_excl_tax", "other")
MAX_CHOICES = 512  # combinations of per-rate taxes tried against the total VAT
# a rate printed with its VAT label: 'TVA 20 %', 'TVA à 5,5 %'
_LABEL_RATE = re.compile(r"[\s:]*(?:a\s|de\s)?\s*(\d{1,2}(?:[.,]\d{1,3})?)\s?%")
# after a bare VAT label: a rate whose '%' is lost or read as a lone '8' or '9'
_UNMARKED_RATE = re.compile(r"[ (]*(\d{1,2}(?:[.,]\d{1,2})?)(?![\d.,%])(?!\s?%)(?:\s[89](?![\d.,]))?")


_LIST_NUMBER = re.compile(r"\s*\d{1,3}[.)]\s")  # '3. Boissons : 6 u à 2,51...': an item's number, no amount


def find_amount_values(text: str) -> list[nz.Span]:
    """Amounts, except digits that belong to an identifier (a VAT number, an IBAN, a SIRET or a SIREN)."""
    identifiers = nz.find_vats(text, any_country=True) + nz.find_ibans(text) + nz.find_sirets(text) + [
        span for span in nz.find_sirens(text) if span.value.valid]
    return [amount for amount in nz.find_amounts(text)
            if not any(ident.start <= amount.start < ident.end for ident in identifiers)]


def _amount_candidates(doc: Document, kind: str) -> list[Candidate]:
    candidates = []
    for hit in doc.hits(kind):
        for candidate in typed_near(doc, hit, find_amount_values, nz.format_amount):
            if kind == "total_tax" and candidate.line is hit.line:
                candidate.per_rate = bool(nz.find_rates(hit.line.text[hit.end:candidate.start]))
            elif kind == "total_tax":
                candidate.per_rate = _rate_of_label(hit) is not None
            candidates.append(candidate)
    return candidates


def _total_candidates(doc: Document, rates: int) -> dict[str, list[Candidate]]:
    anything = _amount_candidates(doc, "total_any")
    pools = {name: _amount_candidates(doc, name) for name in ("total_excl_tax", "total_tax", "total_incl_tax")}
    if rates > 1:
        pools["total_tax"] = [c for c in pools["total_tax"] if not c.per_rate]
    pools["total_incl_tax"] += anything
    pools["total_excl_tax"] += [Candidate(c.value, c.score * 0.7, c.line, c.start, c.end, c.raw, c.hit)
                                for c in anything]
    for name, pool in pools.items():
        pools[name] = _top(pool, 5)
    largest = max((abs(c.raw) for pool in pools.values() for c in pool), default=None)
    for candidate in pools["total_incl_tax"]:
        if abs(candidate.raw) == largest:
            candidate.score += 0.1
    return pools


def _top(pool: list[Candidate], count: int) -> list[Candidate]:
    by_value: dict[tuple, Candidate] = {}
    for candidate in pool:
        key = (candidate.value, candidate.line.page)
        if key not in by_value or candidate.score > by_value[key].score:
            by_value[key] = candidate
    return sorted(by_value.values(), key=_rank)[:count]


def _rank(candidate: Candidate) -> tuple[float, int, float]:
    """The surest labels and places first, then the lowest on the page (totals follow the items); how sure OCR was
    of the words does not rank them (a few hundredths between photos' words mean nothing)."""
    sureness = candidate.score / max(candidate.line.confidence(candidate.start, candidate.end), 0.5)
    return -round(sureness, 3), -candidate.line.page, -candidate.line.top


def _adds_up(ht: Decimal, tva: Decimal, ttc: Decimal) -> bool:
    return abs(ht + tva - ttc) <= Decimal("0.01")


def _combination_score(ht: Candidate | None, tva: Candidate | None, ttc: Candidate | None) -> float:
    present = [c for c in (ht, tva, ttc) if c]
    if len({c.place for c in present}) < len(present):
        return float("-inf")
    score = sum(c.score for c in present)
    if ht and tva and ttc:
        score += 1.5 if _adds_up(ht.raw, tva.raw, ttc.raw) else -0.3
    elif ht and ttc and ht.raw == ttc.raw:
        score += 0.3
    if ht and ttc and abs(ht.raw) > abs(ttc.raw):
        score -= 1.0
    if tva and ttc and abs(tva.raw) >= abs(ttc.raw) or tva and ht and abs(tva.raw) > abs(ht.raw):
        score -= 1.0
    return score


def read_totals(doc: Document, fields: dict[str, Candidate], findings: list[str], rates: int) -> None:
    pools = _total_candidates(doc, rates)
    choice, choice_score = (None, None, None), 0.0
    for ht in pools["total_excl_tax"] + [None]:
        for tva in pools["total_tax"] + [None]:
            for ttc in pools["total_incl_tax"] + [None]:
                score = _combination_score(ht, tva, ttc)
                if score > choice_score:
                    choice, choice_score = (ht, tva, ttc), score
    ht, tva, ttc = _complete_from_printed(doc, *choice)
    if ht and ttc and not tva and rates > 1:
        tva = _sum_of_rates(doc, ht, ttc)
    for name, chosen in zip(("total_excl_tax", "total_tax", "total_incl_tax"), (ht, tva, ttc), strict=True):
        if chosen:
            fields[name] = chosen
    if ht and tva and ttc:
        if _adds_up(ht.raw, tva.raw, ttc.raw):
            for chosen in (ht, tva, ttc):
                chosen.score = min(1.0, chosen.score + 0.05)
        else:
            findings.append(f"totals do not add up: total_excl_tax {ht.value} + total_tax {tva.value} = "
                            f"{nz.format_amount(ht.raw + tva.raw)}, but total_incl_tax is {ttc.value}")
            for chosen in (ht, tva, ttc):
                chosen.score *= CHECK_FAILED


def _complete_from_printed(doc: Document, ht: Candidate | None, tva: Candidate | None,
                           ttc: Candidate | None) -> tuple[Candidate | None, ...]:
    """A missing total that the other two determine is taken only where that exact amount is printed."""
    if ht and tva and not ttc:
        ttc = _printed_amount(doc, ht.raw + tva.raw, (ht, tva))
    elif ht and ttc and not tva and ht.raw != ttc.raw:
        tva = _printed_amount(doc, ttc.raw - ht.raw, (ht, ttc))
    elif tva and ttc and not ht:
        ht = _printed_amount(doc, ttc.raw - tva.raw, (tva, ttc))
    return ht, tva, ttc


def _sum_of_rates(doc: Document, ht: Candidate, ttc: Candidate) -> Candidate | None:
    """Several rates and no total VAT printed: the taxes per rate make it, when HT plus their sum is the TTC."""
    per_line: dict[int, Candidate] = {}
    for candidate in _amount_candidates(doc, "total_tax"):
        if candidate.per_rate and candidate.line.number not in per_line:
            per_line[candidate.line.number] = candidate
    if len(per_line) < 2:
        return None
    total = sum(candidate.raw for candidate in per_line.values())
    if not _adds_up(ht.raw, total, ttc.raw):
        return None
    last = max(per_line.values(), key=lambda candidate: candidate.line.number)
    score = 0.8 * min(candidate.score for candidate in per_line.values())
    return Candidate(nz.format_amount(total), score, last.line, last.start, last.end, total)


def _printed_amount(doc: Document, value: Decimal, taken: tuple[Candidate, ...]) -> Candidate | None:
    places = {c.place for c in taken}
    for line in reversed(doc.lines):
        if line.in_table:
            continue
        for span in nz.find_amounts(line.text):
            if span.value == value and (line.number, span.start, span.end) not in places:
                return Candidate(nz.format_amount(value), UNLABELLED * line.confidence(span.start, span.end), line,
                                 span.start, span.end, value)
    return None


@dataclass
class RateLine:
    rate: Decimal
    base: Decimal | None
    tax: Decimal


def _pairs(rate: Decimal, amounts: list[Decimal]) -> tuple[Decimal, Decimal] | None:
    for base in amounts:
        for tax in amounts:
            if base is not tax and abs(base * rate / 100 - tax) <= Decimal("0.02") and abs(base) > abs(tax):
                return base, tax
    return None


def find_rate_lines(doc: Document) -> list[RateLine]:
    """Per-rate VAT: lines carrying a rate ('TVA 20 %', '20,00 %') and its tax, with the base when printed; in a
    VAT table whose header says 'Taux', the rate may be printed without '%'."""
    found: list[RateLine] = []
    vat_table_until = -1
    for line in doc.lines:
        if line.in_table:
            continue
        if _is_vat_table_header(line):
            vat_table_until = line.number + 6
            continue
        for rate_line in _rate_lines(line, line.number <= vat_table_until) or _rates_over_amounts(doc, line):
            _add_rate_line(found, rate_line)
    return found


def _add_rate_line(found: list[RateLine], rate_line: RateLine) -> None:
    """A rate and its tax printed twice (a VAT table, then 'TVA 20 %' among the totals) are one line of the
    breakdown, with the base where one of them gives it."""
    for index, known in enumerate(found):
        if (known.rate, known.tax) == (rate_line.rate, rate_line.tax) and None in (known.base, rate_line.base):
            if known.base is None:
                found[index] = rate_line
            return
        if (known.rate, known.base, known.tax) == (rate_line.rate, rate_line.base, rate_line.tax):
            return
    found.append(rate_line)


def _rate_of_label(hit: Hit) -> Decimal | None:
    """The rate a VAT label carries in its own run ('TVA 20 %', 'TVA à 5,5 %'), if any."""
    match = _LABEL_RATE.match(hit.line.folded, hit.end) if hit.kind == "total_tax" else None
    if match is None or match.end() > hit.line.run_at(hit.start)[1]:
        return None
    return Decimal(match[1].replace(",", "."))


def _rates_over_amounts(doc: Document, line: Line) -> list[RateLine]:
    """A row of totals whose amounts sit under their labels: each 'TVA 20 %' over the tax at that rate."""
    found = []
    for hit in line.hits:
        rate = _rate_of_label(hit)
        below = [c for c in typed_near(doc, hit, find_amount_values) if c.line is not line] if rate else []
        if below:
            found.append(RateLine(rate, None, below[0].raw))
    return found


def _is_vat_table_header(line: Line) -> bool:
    """'Taux | Base HT | Montant TVA': the words of a VAT table's header, in runs without figures."""
    words = " ".join(line.folded[start:end] for start, end in line.runs
                     if not any(char.isdigit() for char in line.text[start:end]))
    return bool(re.search(r"\b(taux|rate)\b", words) and re.search(r"\b(base|tva|vat|montant)\b", words))


def _foreign(line: Line) -> list[tuple[int, int]]:
    """The spans of the line that are other labels' values: from such a label to the next label or its run's end."""
    spans = []
    for index, hit in enumerate(line.hits):
        if hit.kind in VAT_LINE_KINDS:
            continue
        following = [other.start for other in line.hits[index + 1:] if other.start >= hit.end]
        spans.append((hit.start, min(following + [line.run_at(hit.start)[1]])))
    return spans


def _unmarked_rates(line: Line) -> list[nz.Span]:
    """'TVA 20 ⇥ 260,39': a rate whose '%' was lost (OCR drops it), right after a bare VAT label and followed by
    an amount. Only a base that gives the tax at this rate makes it a line of the breakdown."""
    found = []
    for hit in line.hits:
        match = _UNMARKED_RATE.match(line.text, hit.end) if hit.kind == "total_tax" and hit.weight < 1 else None
        rate = Decimal(match[1].replace(",", ".")) if match else None
        if rate and rate <= 30 and find_amount_values(line.text[match.end():]):
            found.append(nz.Span(match.start(1), match.end(), rate))
    return found


def _rate_lines(line: Line, in_vat_table: bool) -> list[RateLine]:
    foreign = _foreign(line)
    rates = [rate for rate in nz.find_rates(line.text) or _unmarked_rates(line)
             if not any(s <= rate.start < e for s, e in foreign)]
    numbering = _LIST_NUMBER.match(line.text)
    amounts = [a for a in find_amount_values(line.text) if not any(s <= a.start < e for s, e in foreign)
               and not any(r.start <= a.start < r.end for r in rates) and not (numbering and a.start == 0)]
    if not rates:
        return _table_rate_line(amounts) if in_vat_table else []
    starts = [0] + [_segment_start(line, rate.start) for rate in rates[1:]] + [len(line.text)]
    found = []
    for index, rate in enumerate(rates):
        segment = (starts[index], starts[index + 1])
        rate_line = _segment_rate_line(line, rate.value, amounts, segment)
        if rate_line is None and index == 0:  # the line's amounts before its 'TVA' label may be other totals'
            rate_line = _segment_rate_line(line, rate.value, amounts, (_segment_start(line, rate.start), segment[1]))
        if rate_line:
            found.append(rate_line)
    return found


def _segment_rate_line(line: Line, rate: Decimal, amounts: list[nz.Span],
                       segment: tuple[int, int]) -> RateLine | None:
    in_segment = [a.value for a in amounts if segment[0] <= a.start < segment[1]]
    return _rate_line(rate, in_segment, line.folded[segment[0]:segment[1]])


def _segment_start(line: Line, rate_start: int) -> int:
    """Where the part of a line about one rate begins: at its 'TVA' label when it has one ('TVA à 20 %')."""
    labels = [hit.start for hit in line.hits if hit.kind == "total_tax" and hit.end <= rate_start
              and re.fullmatch(r"[\s:]*(?:(?:a|de)\s)?[\s:]*", line.folded[hit.end:rate_start])]
    return labels[-1] if labels else rate_start


def _rate_line(rate: Decimal, amounts: list[Decimal], folded: str) -> RateLine | None:
    pair = _pairs(rate, amounts)
    if pair:
        return RateLine(rate, *pair)
    if re.search(r"(?<![a-z])(tva|t\.v\.a|vat|tax)(?![a-z])", folded) and len(amounts) == 1:
        return RateLine(rate, None, amounts[0])
    return None


def _table_rate_line(amounts: list[nz.Span]) -> list[RateLine]:
    numbers = [a.value for a in amounts]
    for rate in numbers:
        if 0 < rate <= 30:
            pair = _pairs(rate, [n for n in numbers if n is not rate])
            if pair:
                return [RateLine(rate, *pair)]
    return []


def rate_by_the_tax_label(tax: Candidate | None) -> list[RateLine]:
    """'TVA 20 %' with its amount below: the rate sits with the label."""
    if tax is None or tax.hit is None:
        return []
    rates = nz.find_rates(tax.hit.line.text[tax.hit.end:])
    return [RateLine(rates[0].value, None, tax.raw)] if rates else []


def _item_bases(items: list[InvoiceLine]) -> dict[Decimal, Decimal]:
    """The printed line amounts added up per VAT rate, when every line has both."""
    if not items or not all(item.amount and item.vat_rate for item in items):
        return {}
    bases: dict[Decimal, Decimal] = {}
    for item in items:
        bases[Decimal(item.vat_rate)] = bases.get(Decimal(item.vat_rate), Decimal(0)) + Decimal(item.amount)
    return bases


def _checked_base(line: RateLine, base: Decimal | None) -> Decimal | None:
    """`base` when base × rate gives the printed tax (to the cent, give or take a rounding)."""
    return base if base is not None and abs(base * line.rate / 100 - line.tax) <= Decimal("0.02") else None


def _one_per_rate(rate_lines: list[RateLine], total_tax: Decimal | None) -> list[RateLine]:
    """Several taxes found for one rate (items told in sentences carry their rate too): the one per rate whose
    taxes add up to the total VAT, when there is such a choice."""
    by_rate: dict[Decimal, list[RateLine]] = {}
    for rate_line in rate_lines:
        by_rate.setdefault(rate_line.rate, []).append(rate_line)
    if total_tax is None or all(len(lines) == 1 for lines in by_rate.values()):
        return rate_lines
    choices = itertools.islice(itertools.product(*by_rate.values()), MAX_CHOICES)
    agreeing = next((choice for choice in choices
                     if abs(sum(line.tax for line in choice) - total_tax) <= Decimal("0.01")), None)
    return list(agreeing) if agreeing else rate_lines


def read_vat_breakdown(rate_lines: list[RateLine], items: list[InvoiceLine], fields: dict[str, Candidate],
                       findings: list[str]) -> list[VatLine]:
    """One VatLine per rate. A base that is not printed next to its rate is taken from the line items of that rate,
    or, for the one rate left without a base, from the total excluding tax less the other bases; each only when
    base × rate gives the printed tax."""
    ht, tva = fields.get("total_excl_tax"), fields.get("total_tax")
    rate_lines = _one_per_rate(rate_lines, tva.raw if tva else None)
    item_bases = _item_bases(items)
    bases = [line.base if line.base is not None else _checked_base(line, item_bases.get(line.rate))
             for line in rate_lines]
    missing = [index for index, base in enumerate(bases) if base is None]
    if len(missing) == 1 and ht:
        line = rate_lines[missing[0]]
        rest = ht.raw - sum(base for base in bases if base is not None)
        bases[missing[0]] = _checked_base(line, rest)
        if bases[missing[0]] is None and len(rate_lines) == 1:
            findings.append(f"VAT at {nz.format_rate(line.rate)} %: {line.tax:.2f} is printed, but "
                            f"total_excl_tax {ht.value} × {nz.format_rate(line.rate)} % = "
                            f"{nz.format_amount((ht.raw * line.rate / 100).quantize(nz.CENT))}")
    breakdown = [VatLine(nz.format_rate(line.rate), nz.format_amount(base), nz.format_amount(line.tax))
                 for line, base in zip(rate_lines, bases, strict=True) if base is not None]
    if breakdown and tva:
        taxes = sum(Decimal(line.tax) for line in breakdown)
        if taxes != tva.raw:
            findings.append(f"VAT breakdown taxes add up to {nz.format_amount(taxes)}, but total_tax is {tva.value}")
    if breakdown and ht and all(line.base for line in breakdown):
        bases = sum(Decimal(line.base) for line in breakdown)
        if bases != ht.raw:
            findings.append(f"VAT breakdown bases add up to {nz.format_amount(bases)}, "
                            f"but total_excl_tax is {ht.value}")
    return breakdown


