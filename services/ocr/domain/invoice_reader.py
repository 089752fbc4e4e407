"""An invoice's fields read from the words on its pages, by where they sit, not by the order they were written.

Words are grouped into lines (same baseline) and runs (words separated by ordinary spaces). A vocabulary of French and
English labels, matched without regard to case or accents, marks where fields are announced; a field's value is the
nearest value of the right type to the right of its label on the same line, else just below it in the label's
column. Amounts are cross-checked (HT + TVA = TTC picks among candidates), identifiers are checked (Luhn, VAT key,
IBAN), and a failed check lowers the confidence and adds a finding. A field that is not on the page is absent.
"""
import re
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from . import normalize as nz
from .reading import CREDIT_NOTE, INVOICE, Box, Found, InvoiceLine, Reading, VatLine, Word

# ---------------------------------------------------------------- vocabulary
# kind → phrases; a phrase may carry a weight (how surely it announces the field). Matching ignores case, accents
# and punctuation between words ("N° TVA intracom." = "n tva intracom"). The longest phrase wins where phrases
# overlap. "other" labels announce something we do not read; they stop a neighbour's value from being taken.
LABELS: dict[str, tuple] = {
    "invoice_number": (
        "facture n°", "facture no", "n° de facture", "n° facture", "numéro de facture", "numero facture",
        "facture numéro", "réf. facture", "référence facture", "référence de la facture", "invoice number",
        "invoice no", "invoice n°", "invoice #", "invoice nr", "avoir n°", "n° d'avoir", "n° avoir", "numéro d'avoir",
        "credit note number", "credit note no", "note de crédit n°", ("facture", 0.6), ("invoice", 0.6),
        ("avoir", 0.5), ("n°", 0.55), ("no", 0.5), ("numéro", 0.55), ("number", 0.5), ("référence", 0.45),
        ("réf", 0.45)),
    "issue_date": (
        "date de facture", "date de facturation", "date d'émission", "date de l'émission", "date facture",
        "émise le", "émis le", "facturé le", "date d'édition", "invoice date", "date of issue", "issue date",
        "issued on", "date de l'avoir", "date d'avoir", ("date", 0.75), ("fait le", 0.6), ("établie le", 0.7)),
    "due_date": (
        "date d'échéance", "date échéance", "échéance", "date limite de paiement", "date limite de règlement",
        "date limite", "à payer avant le", "à régler avant le", "payable avant le", "payable le", "à payer le",
        "à régler le", "payer avant le", "règlement avant le", "paiement avant le", "date d'exigibilité",
        "due date", "payment due", "due on", "pay by", ("date de paiement", 0.6), ("date de règlement", 0.6)),
    "currency": ("devise", "currency", "monnaie"),
    "total_excl_tax": (
        "total ht", "total h.t.", "total hors taxes", "total hors taxe", "montant ht", "montant hors taxes",
        "montant hors taxe", "montant total ht", "total net ht", "net ht", "montant net ht", "total ht net",
        "total excl. vat", "total excluding tax", "total excluding vat", "total before tax", "total net",
        "net amount", "total excl tax", ("sous-total ht", 0.75), ("sous total", 0.55), ("subtotal", 0.6),
        ("base ht", 0.5), ("total ht après remise", 1.0)),
    "total_tax": (
        "total tva", "montant tva", "montant de la tva", "montant de tva", "total t.v.a.", "total taxes",
        "total vat", "vat amount", "tax amount", "total tax", ("tva", 0.85), ("t.v.a.", 0.85), ("vat", 0.8),
        ("taxes", 0.6), ("tax", 0.6)),
    "total_incl_tax": (
        "total ttc", "total t.t.c.", "montant ttc", "montant total ttc", "total toutes taxes comprises",
        "total ttc à payer", "net à payer ttc", "total général ttc", "total incl. vat", "total including tax",
        "total including vat", "total incl tax", ("net à payer", 0.85), ("montant à payer", 0.85),
        ("total à payer", 0.9), ("somme à payer", 0.85), ("montant dû", 0.8), ("total dû", 0.8), ("solde dû", 0.7),
        ("total due", 0.85), ("amount due", 0.85), ("balance due", 0.7), ("grand total", 0.85),
        ("total général", 0.85), ("reste à payer", 0.6), ("ttc", 0.6)),
    "total_any": (("total", 0.5), ("montant total", 0.55), ("total facture", 0.6), ("total de la facture", 0.6),
                  ("total avoir", 0.6), ("montant", 0.3)),
    "payment_terms": (
        "conditions de paiement", "conditions de règlement", "modalités de paiement", "modalités de règlement",
        "mode de paiement", "mode de règlement", "moyen de paiement", "délai de paiement", "délai de règlement",
        "termes de paiement", "payment terms", "terms of payment", "payment method", ("règlement", 0.7),
        ("paiement", 0.6), ("conditions", 0.5), ("terms", 0.5)),
    "purchase_order": (
        "bon de commande", "n° bon de commande", "n° de commande", "n° commande", "numéro de commande",
        "commande n°", "réf. commande", "référence commande", "référence de commande", "votre commande",
        "votre bon de commande", "purchase order", "purchase order number", "po number", "po no", "order number",
        "order no", "n° d'engagement", "numéro d'engagement", "engagement juridique", "n° engagement",
        ("bdc", 0.8), ("commande", 0.6), ("po", 0.6), ("votre référence", 0.6), ("vos références", 0.6)),
    "delivery_address": (
        "adresse de livraison", "lieu de livraison", "livré à", "livrer à", "à livrer à", "livraison à",
        "ship to", "shipping address", "delivery address", "deliver to", ("adresse livraison", 1.0)),
    "operation_nature": (
        "nature de l'opération", "nature des opérations", "nature de l'operation", "catégorie de l'opération",
        "type d'opération", "operation category", "nature of operation", ("opération", 0.6), ("nature", 0.6)),
    "customer": (
        "client", "facturé à", "facturer à", "facture à", "destinataire", "adresse de facturation",
        "adresse facturation", "bill to", "billed to", "invoice to", "sold to", "customer", "acheteur", "buyer",
        "à l'attention de", "adressé à", "preneur", "donneur d'ordre", ("débiteur", 0.8)),
    "supplier": (
        "émetteur", "émis par", "fournisseur", "vendeur", "prestataire", "seller", "supplier", "vendor",
        "expéditeur", "issued by", "from"),
    "customer_siren": ("siren client", "siren du client", "n° siren client", "siren acheteur", "customer siren"),
    "customer_vat": (
        "tva client", "n° tva client", "tva intracommunautaire client", "n° tva intracommunautaire client",
        "tva intracom client", "n° tva du client", "tva acheteur", "customer vat", "buyer vat", "vat client"),
    "siren": ("siren", "n° siren", "numéro siren", "rcs", "r.c.s.", "registre du commerce", "immatriculation",
              "n° d'immatriculation", "company number"),
    "siret": ("siret", "n° siret", "numéro siret", "siret n°"),
    "vat_number": (
        "n° tva", "numéro de tva", "numéro tva", "tva intracommunautaire", "n° tva intracommunautaire",
        "n° de tva intracommunautaire", "numéro de tva intracommunautaire", "tva intracom", "n° tva intracom",
        "tva intra", "identifiant tva", "id tva", "n° identification tva", "n° d'identification tva",
        "vat number", "vat no", "vat id", "vat reg", "vat registration", "tva ue", "code tva"),
    "iban": ("iban", "code iban", "n° iban"),
    "bic": ("bic", "swift", "bic/swift", "code bic", "code swift", "bic swift", "swift/bic"),
    "other": (
        "date de livraison", "date de commande", "date d'exécution", "date de prestation", "date de la prestation",
        "date de la commande", "date de la livraison", "date d'expédition", "période", "période de facturation",
        "n° client", "code client", "réf client", "réf. client", "référence client", "numéro client",
        "compte client", "customer number", "customer id", "client n°", "tél", "téléphone", "tel", "fax", "mobile",
        "portable", "email", "e-mail", "courriel", "site web", "site internet", "page", "au capital de",
        "capital social", "tva non applicable", "escompte", "pénalités", "pénalité", "indemnité forfaitaire",
        "acompte", "acompte versé", "déjà réglé", "déjà payé", "remise", "rabais", "frais de port",
        "taux", "base", "code ape", "ape", "naf", "code naf", "domiciliation", "titulaire",
        "titulaire du compte", "rib", "qté", "quantité", "prix unitaire", "p.u.", "désignation", "description",
        "unité", "votre contact", "interlocuteur", "tva sur les débits", "exonération", "taux tva", "taux de tva",
        "facture d'origine", "facture initiale", "facture de référence", "facture concernée", "facture rectifiée",
        "annule et remplace", "sur facture", "en référence à la facture"),
}
PARTY_KINDS = ("customer", "supplier")
IDENTIFIER_KINDS = ("siren", "siret", "vat_number", "customer_siren", "customer_vat", "iban", "bic")
TOTAL_KINDS = ("total_excl_tax", "total_tax", "total_incl_tax", "total_any")
COLUMNS: dict[str, tuple] = {
    "description": ("désignation", "description", "libellé", "article", "articles", "produit", "produits",
                    "prestation", "prestations", "détail", "objet", "item", "items", "intitulé", "désignation des"
                    " prestations", "description des prestations", "produit / service", "service", "services"),
    "quantity": ("qté", "quantité", "qty", "quantity", "nombre", "nb", "qte", "quant", "nbre", "heures", "jours"),
    "unit_price": ("prix unitaire", "prix unitaire ht", "p.u.", "p.u. ht", "pu", "pu ht", "prix u.", "prix u. ht",
                   "prix unit.", "prix unit. ht", "unit price", "prix", "prix ht", "tarif", "tarif ht",
                   "taux horaire", "price", "rate"),
    "amount": ("montant", "montant ht", "total ht", "total", "amount", "prix total", "prix total ht", "total ligne",
               "montant total ht", "net ht", "total h.t.", "montant h.t.", "line total"),
    "vat_rate": ("tva", "taux tva", "tva %", "% tva", "taux de tva", "taux", "vat", "vat %", "tax rate", "t.v.a."),
    "amount_incl": ("montant ttc", "total ttc", "prix ttc"),
    "reference": ("réf", "référence", "code", "ref", "réf.", "code article"),
    "unit": ("unité", "unit", "u."),
    "discount": ("remise", "rem.", "discount", "remise %"),
}

RUN_GAP = 2.4  # a gap wider than this many average character widths separates runs (columns, label ... value)
BELOW_LINES = 3.6  # how far below a label (in its line's heights) a value may sit
NEAR_RIGHT = 0.45  # how far right of a label (in page widths) a free-text value may start
RIGHT, NEXT_RUN, BELOW, UNLABELLED = 0.96, 0.93, 0.88, 0.6
HEADER = 0.25  # the top of the first page, where the issuer presents itself
CHECK_FAILED = 0.4  # confidence factor for a value whose checksum or cross-check fails
COMPANY_FORM = re.compile(r"(?<![\w])(sas|sarl|sa|eurl|sasu|snc|scop|sci|selarl|selas|scp|eirl|ei|gie|sca|scs|"
                          r"gmbh|ltd|limited|inc|llc|bv|nv|spa|srl|association|scea|gaec|earl)(?![\w])")
ADDRESS_LIKE = re.compile(r"\b\d{5}\b|\b(rue|avenue|av|bd|boulevard|place|chemin|allee|impasse|route|quai|cours|"
                          r"cedex|bp|cs|zi|za|zac|lieu-dit|street|road)\b")
CONTACT_LIKE = re.compile(r"@|www\.|https?:|\b(tel|tél|fax|mobile|portable|phone)\b|(\d{2}[ .]){4}\d{2}")


def _compile(vocabulary: dict[str, tuple]) -> tuple[re.Pattern, dict[str, tuple[str, float]]]:
    by_key: dict[str, tuple[str, float]] = {}
    phrases = []
    for kind, entries in vocabulary.items():
        for entry in entries:
            phrase, weight = entry if isinstance(entry, tuple) else (entry, 1.0)
            tokens = re.findall(r"[a-z0-9#%°]+", nz.fold(phrase))
            key = "".join(tokens)
            if by_key.get(key, (kind,))[0] != kind:
                raise ValueError(f"label {phrase!r} is both {by_key[key][0]} and {kind}")
            if key not in by_key or by_key[key][1] < weight:
                by_key[key] = (kind, weight)
            phrases.append((len(key), r"[ '.:/\-]{0,3}".join(re.escape(token) for token in tokens)))
    # alternatives are tried in order: the longest phrase first, so that "TVA intracom." is not read as "TVA"
    phrases = [pattern for _, pattern in sorted(set(phrases), reverse=True)]
    # a phrase ending in "°" may be glued to its value ("N°F2026-001"); a word glued to digits is part of a
    # reference, not a label ("PO-5510", "FA2026")
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(phrases) + r")(?:(?<=°)|(?![a-z0-9])(?![\-/_.]?\d))"), by_key


LABEL_PATTERN, LABEL_KINDS = _compile(LABELS)
COLUMN_PATTERN, COLUMN_KINDS = _compile(COLUMNS)


def _label_key(matched: str) -> str:
    return "".join(re.findall(r"[a-z0-9#%°]+", matched))


# ---------------------------------------------------------------- layout: lines, runs, labels

@dataclass(eq=False)
class Line:
    """Words on one baseline of one page, left to right, as text where runs are separated by a tab."""
    page: int
    number: int
    words: list[Word]
    text: str
    folded: str
    owners: list[int]  # index of the word each character comes from, -1 between words
    runs: list[tuple[int, int]]
    top: float
    bottom: float
    char_width: float
    hits: list["Hit"] = field(default_factory=list)
    in_table: bool = False

    @property
    def height(self) -> float:
        return self.bottom - self.top

    def word_indexes(self, start: int, end: int) -> list[int]:
        return sorted({owner for owner in self.owners[start:end] if owner >= 0})

    def box(self, start: int, end: int) -> Box:
        words = [self.words[index] for index in self.word_indexes(start, end)] or self.words
        return Box(min(w.box.x0 for w in words), min(w.box.y0 for w in words),
                   max(w.box.x1 for w in words), max(w.box.y1 for w in words))

    def confidence(self, start: int, end: int) -> float:
        return min((self.words[index].confidence for index in self.word_indexes(start, end)), default=1.0)

    def x_range(self, start: int, end: int) -> tuple[float, float]:
        box = self.box(start, end)
        return box.x0, box.x1

    def run_at(self, position: int) -> tuple[int, int]:
        for start, end in self.runs:
            if start <= position < end:
                return start, end
        return position, position

    def runs_after(self, position: int) -> list[tuple[int, int]]:
        return [run for run in self.runs if run[0] >= position]

    def hits_in(self, start: int, end: int) -> list["Hit"]:
        return [hit for hit in self.hits if hit.start < end and hit.end > start]


@dataclass(frozen=True, eq=False)
class Hit:
    """A label found on a line: which field it announces and how surely."""
    kind: str
    weight: float
    line: Line
    start: int
    end: int

    @property
    def box(self) -> Box:
        return self.line.box(self.start, self.end)

    @property
    def text(self) -> str:
        return self.line.text[self.start:self.end]


@dataclass(eq=False)
class Candidate:
    """A possible value for a field, where it was read and how sure we are."""
    value: str
    score: float
    line: Line
    start: int
    end: int
    raw: object = None
    hit: Hit | None = None
    per_rate: bool = False

    def found(self) -> Found:
        """Never surer than the words the value was read from."""
        confidence = min(self.score, self.line.confidence(self.start, self.end))
        return Found(self.value, round(min(1.0, max(0.0, confidence)), 3), self.line.page,
                     self.line.box(self.start, self.end))

    @property
    def place(self) -> tuple[int, int, int]:
        return self.line.number, self.start, self.end


@dataclass(frozen=True)
class Region:
    page: int
    x0: float
    y0: float
    x1: float
    y1: float

    def holds(self, line: Line, start: int, end: int) -> bool:
        box = line.box(start, end)
        x, y = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2
        return line.page == self.page and self.x0 <= x <= self.x1 and self.y0 <= y <= self.y1


def _split_word(word: Word) -> list[Word]:
    """OCR engines may give phrases ('Total HT 12,00'): split them into words, sharing the box in proportion to
    the characters."""
    parts = word.text.split()
    if len(parts) <= 1:
        return [word] if word.text.strip() else []
    unit = (word.box.x1 - word.box.x0) / len(" ".join(parts))
    x, words = word.box.x0, []
    for part in parts:
        words.append(Word(part, word.page, Box(x, word.box.y0, x + unit * len(part), word.box.y1), word.confidence))
        x += unit * (len(part) + 1)
    return words


def _cluster_lines(words: list[Word]) -> list[list[Word]]:
    """Words whose vertical middles are within half a word height of a line's middle belong to that line."""
    lines: list[list[Word]] = []
    middles: list[float] = []
    heights: list[float] = []
    for word in sorted(words, key=lambda w: (w.box.y0 + w.box.y1) / 2):
        middle, height = (word.box.y0 + word.box.y1) / 2, word.box.y1 - word.box.y0
        if lines and abs(middle - middles[-1]) <= 0.5 * max(height, heights[-1]):
            lines[-1].append(word)
            count = len(lines[-1])
            middles[-1] += (middle - middles[-1]) / count
            heights[-1] = max(heights[-1], height)
        else:
            lines.append([word])
            middles.append(middle)
            heights.append(height)
    return [sorted(line, key=lambda w: w.box.x0) for line in lines]


def _make_line(words: list[Word], page: int, number: int) -> Line:
    chars = sum(len(word.text) for word in words)
    char_width = sum(word.box.x1 - word.box.x0 for word in words) / max(chars, 1)
    parts, owners, runs, run_start = [], [], [], 0
    for index, word in enumerate(words):
        if index:
            gap = word.box.x0 - words[index - 1].box.x1
            separator = "\t" if gap > RUN_GAP * char_width else " "
            if separator == "\t":
                runs.append((run_start, len(owners)))
                run_start = len(owners) + 1
            parts.append(separator)
            owners.append(-1)
        parts.append(word.text)
        owners.extend([index] * len(word.text))
    runs.append((run_start, len(owners)))
    text = "".join(parts)
    line = Line(page, number, words, text, nz.fold(text), owners, runs, min(w.box.y0 for w in words),
                max(w.box.y1 for w in words), char_width)
    line.hits = [Hit(*LABEL_KINDS[_label_key(match[0])], line, match.start(), match.end())
                 for match in LABEL_PATTERN.finditer(line.folded)]
    return line


def build_lines(pages: list[list[Word]]) -> list[Line]:
    lines: list[Line] = []
    for page_number, page_words in enumerate(pages, start=1):
        words = [part for word in page_words for part in _split_word(word)]
        for group in _cluster_lines(words):
            lines.append(_make_line(group, group[0].page or page_number, len(lines)))
    return lines


# ---------------------------------------------------------------- the document being read

Finder = Callable[[str], list[nz.Span]]


class Document:
    def __init__(self, lines: list[Line]):
        self.lines = lines
        self.by_page: dict[int, list[Line]] = {}
        for line in lines:
            self.by_page.setdefault(line.page, []).append(line)
        self.customer_region: Region | None = None
        self.supplier_region: Region | None = None

    def hits(self, *kinds: str) -> Iterator[Hit]:
        for line in self.lines:
            if not line.in_table:
                yield from (hit for hit in line.hits if hit.kind in kinds)

    def right_window(self, hit: Hit) -> tuple[int, int]:
        """From the label's end to the next label on its line (or the line's end)."""
        line = hit.line
        following = [other.start for other in line.hits if other.start >= hit.end]
        return hit.end, min(following, default=len(line.text))

    def lines_below(self, line: Line) -> Iterator[Line]:
        page_lines = self.by_page[line.page]
        for other in page_lines[page_lines.index(line) + 1:]:
            if other.top - line.bottom > BELOW_LINES * line.height:
                return
            if other.top >= line.top + 0.5 * line.height and not other.in_table:
                yield other

    def runs_in_band(self, line: Line, x0: float, x1: float) -> list[tuple[int, int]]:
        """The runs of `line` that overlap the column from x0 to x1, most overlapping first."""
        overlaps = []
        for start, end in line.runs:
            r0, r1 = line.x_range(start, end)
            overlap = min(r1, x1) - max(r0, x0)
            if overlap > 0:
                overlaps.append((-overlap, start, end))
        return [(start, end) for _, start, end in sorted(overlaps)]

    def below(self, hit: Hit, same_kind_too: bool = False) -> Iterator[tuple[int, Line, int, int]]:
        """(distance in lines, line, run start, run end) for the run under the label, until a label is met (a label
        of the same kind is taken as part of the value with same_kind_too: 'Conditions de paiement' over
        'Paiement à 30 jours')."""
        box = hit.box
        slack = 1.5 * hit.line.char_width
        for distance, line in enumerate(self.lines_below(hit.line)):
            runs = self.runs_in_band(line, box.x0 - slack, box.x1 + slack)
            if not runs:
                continue
            start, end = runs[0]
            labels = line.hits_in(start, end)
            if same_kind_too and labels and all(other.kind == hit.kind for other in labels):
                labels = []
            if any(other.kind != "other" or other.start == start for other in labels):
                return
            yield distance, line, start, end


def _trim(line: Line, start: int, end: int) -> tuple[int, int]:
    """Drop separators (': - – .') and spaces at both ends of a span."""
    while start < end and line.text[start] in " \t:;-–—.,>|=*":
        start += 1
    while end > start and line.text[end - 1] in " \t:;-–—,>|=*":
        end -= 1
    return start, end


def typed_near(doc: Document, hit: Hit, finder: Finder, convert: Callable = str,
               first_only: bool = False) -> list[Candidate]:
    """Values of one type next to a label: to its right on its line (nearest first), else just below it."""
    line = hit.line
    start, end = doc.right_window(hit)
    spans = finder(line.text[start:end])
    if first_only:
        spans = spans[:1]
    if spans:
        return [_candidate(hit, line, start + span.start, start + span.end, span.value, convert,
                           RIGHT * 0.92 ** order) for order, span in enumerate(spans)]
    for distance, under, run_start, run_end in doc.below(hit):
        spans = finder(under.text[run_start:run_end])
        if spans:
            span = spans[0]
            return [_candidate(hit, under, run_start + span.start, run_start + span.end, span.value, convert,
                               BELOW - 0.05 * distance)]
    return []


def _candidate(hit: Hit, line: Line, start: int, end: int, raw, convert: Callable, geometry: float) -> Candidate:
    score = hit.weight * geometry * line.confidence(start, end)
    return Candidate(convert(raw), score, line, start, end, raw, hit)


def text_near(doc: Document, hit: Hit, min_letters: int = 2) -> Candidate | None:
    """Free text announced by a label: the rest of the label's run, else the next run on its line, else below."""
    line = hit.line
    window_start, window_end = doc.right_window(hit)
    run_start, run_end = line.run_at(hit.start)
    start, end = _trim(line, hit.end, min(run_end, window_end))
    if _letters(line.text[start:end]) >= min_letters:
        return _text_candidate(hit, line, start, end, RIGHT)
    label_end = hit.box.x1
    for next_start, next_end in line.runs_after(run_end):
        if next_start >= window_end or line.x_range(next_start, next_end)[0] - label_end > NEAR_RIGHT:
            break
        start, end = _trim(line, next_start, min(next_end, window_end))
        if _letters(line.text[start:end]) >= min_letters:
            return _text_candidate(hit, line, start, end, NEXT_RUN)
        break
    for distance, under, under_start, under_end in doc.below(hit, same_kind_too=True):
        start, end = _trim(under, under_start, under_end)
        if _letters(under.text[start:end]) >= min_letters:
            return _text_candidate(hit, under, start, end, BELOW - 0.05 * distance)
        return None
    return None


def _text_candidate(hit: Hit, line: Line, start: int, end: int, geometry: float) -> Candidate:
    return Candidate(line.text[start:end], hit.weight * geometry * line.confidence(start, end), line, start, end,
                     hit=hit)


def _letters(text: str) -> int:
    return sum(char.isalpha() for char in text)


def block_lines(doc: Document, first: Candidate, hit: Hit, limit: int = 7) -> list[tuple[Line, int, int]]:
    """The lines of an address block starting at `first`: the same column, lines close to each other."""
    first_box = first.line.box(first.start, first.end)
    slack = 2 * first.line.char_width
    x0 = min(first_box.x0, hit.box.x0) - slack
    x1 = max(first_box.x1, hit.box.x1 if hit.line is not first.line else first_box.x1) + slack
    block, previous = [], first.line
    for line in doc.lines_below(first.line):
        if len(block) >= limit or line.top - previous.bottom > 1.2 * previous.height:
            break
        runs = doc.runs_in_band(line, x0, x1)
        if not runs:
            if line.top - previous.bottom > 0.6 * previous.height:
                break
            continue
        start, end = runs[0]
        stops = [other for other in line.hits_in(start, end) if other.kind not in IDENTIFIER_KINDS + ("other",)]
        if stops:
            break
        block.append((line, *_trim(line, start, end)))
        previous = line
    return block


def region_of(hit: Hit, first: Candidate | None, block: list[tuple[Line, int, int]]) -> Region:
    boxes = [hit.box] + ([first.line.box(first.start, first.end)] if first else [])
    boxes += [line.box(start, end) for line, start, end in block]
    slack = hit.line.height
    return Region(hit.line.page, min(b.x0 for b in boxes) - 0.01, min(b.y0 for b in boxes) - slack / 2,
                  max(b.x1 for b in boxes) + 0.01, max(b.y1 for b in boxes) + slack / 2)


# ---------------------------------------------------------------- value finders

_NUMBER_TOKEN = re.compile(r"(?<![\w/#-])#?([A-Za-z0-9][A-Za-z0-9/_.\-]*\d[A-Za-z0-9/_.\-]*|\d[A-Za-z0-9/_.\-]*)")


def find_reference(text: str) -> list[nz.Span]:
    """Document numbers: the first token holding a digit that is not a date ('F2026-0001', '2026/042', 'A-17')."""
    dates = nz.find_dates(text)
    for match in _NUMBER_TOKEN.finditer(text):
        start, token = match.start(1), match[1].rstrip("./-_")
        if not any(d.start <= start < d.end for d in dates) and len(token) <= 40:
            return [nz.Span(start, start + len(token), token)]
    return []


def find_amount_values(text: str) -> list[nz.Span]:
    """Amounts, except digits that belong to an identifier (a VAT number, an IBAN, a SIRET or a SIREN)."""
    identifiers = nz.find_vats(text, any_country=True) + nz.find_ibans(text) + nz.find_sirets(text) + [
        span for span in nz.find_sirens(text) if span.value.valid]
    return [amount for amount in nz.find_amounts(text)
            if not any(ident.start <= amount.start < ident.end for ident in identifiers)]


def find_currency_codes(text: str) -> list[nz.Span]:
    """After 'Devise :': an ISO 4217 code or a currency sign."""
    codes = [nz.Span(m.start(), m.end(), m[0]) for m in re.finditer(r"(?<![A-Z])[A-Z]{3}(?![A-Z])", text)
             if m[0] in ("USD", "GBP", "CHF", "CAD", "JPY", "SEK", "DKK", "NOK", "PLN", "CZK")]
    return sorted(codes + nz.find_currencies(text))[:1]


# ---------------------------------------------------------------- lines table

@dataclass
class Column:
    kind: str
    x0: float
    x1: float


def _header_columns(line: Line) -> list[Column] | None:
    """The columns of a line-items table, when the line is its header."""
    if any(char.isdigit() for char in line.text):
        return None
    columns = []
    for match in COLUMN_PATTERN.finditer(line.folded):
        kind = COLUMN_KINDS[_label_key(match[0])][0]
        x0, x1 = line.x_range(match.start(), match.end())
        columns.append(Column(kind, x0, x1))
    kinds = {column.kind for column in columns}
    core = kinds & {"description", "quantity", "unit_price", "amount"}
    if len(core) >= 2 and kinds & {"description", "quantity"} and "amount" in kinds | {"unit_price"}:
        return _merge_columns(columns)
    return None


def _merge_columns(columns: list[Column]) -> list[Column]:
    """One column per kind: the leftmost, except for amounts, where the rightmost is the line's total."""
    merged: dict[str, Column] = {}
    for column in sorted(columns, key=lambda c: c.x0):
        if column.kind not in merged or column.kind == "amount":
            merged[column.kind] = column
    return sorted(merged.values(), key=lambda c: c.x0)


def _is_stop_line(line: Line) -> bool:
    """A totals or payment line ends the items table."""
    for start, _ in line.runs:
        for hit in line.hits:
            if hit.start == start and hit.kind in TOTAL_KINDS + ("payment_terms", "due_date", "iban", "bic"):
                return True
    return False


def _column_of(columns: list[Column], x0: float, x1: float) -> Column:
    def reach(index: int) -> tuple[float, float]:
        column = columns[index]
        if column.kind == "description":
            following = columns[index + 1].x0 if index + 1 < len(columns) else 1.0
            return column.x0 - 0.02, following - 0.005
        return column.x0 - 0.02, column.x1 + 0.02

    best, best_overlap = None, 0.0
    for index, column in enumerate(columns):
        r0, r1 = reach(index)
        overlap = min(x1, r1) - max(x0, r0)
        if overlap > best_overlap:
            best, best_overlap = column, overlap
    if best:
        return best
    middle = (x0 + x1) / 2
    return min(columns, key=lambda c: abs((c.x0 + c.x1) / 2 - middle))


def _row_cells(line: Line, columns: list[Column]) -> dict[str, str]:
    cells: dict[str, list[str]] = {}
    for start, end in line.runs:
        x0, x1 = line.x_range(start, end)
        cells.setdefault(_column_of(columns, x0, x1).kind, []).append(line.text[start:end])
    return {kind: " ".join(parts) for kind, parts in cells.items()}


def _first_number(text: str | None) -> Decimal | None:
    amounts = nz.find_amounts(text or "")
    return amounts[0].value if amounts else None


def _rate_of(text: str | None) -> Decimal | None:
    rates = nz.find_rates(text or "")
    if rates:
        return rates[0].value
    number = _first_number(text)
    return number if number is not None and 0 <= number <= 30 else None


def _line_item(cells: dict[str, str]) -> InvoiceLine | None:
    amount = _first_number(cells.get("amount"))
    unit_price = _first_number(cells.get("unit_price"))
    quantity = _first_number(cells.get("quantity"))
    if amount is None and unit_price is None:
        return None
    rate = _rate_of(cells.get("vat_rate"))
    return InvoiceLine(description=cells.get("description", "").strip(),
                       quantity=nz.format_quantity(quantity) if quantity is not None else None,
                       unit_price=nz.format_amount(unit_price) if unit_price is not None else None,
                       amount=nz.format_amount(amount) if amount is not None else None,
                       vat_rate=nz.format_rate(rate) if rate is not None else None)


def read_line_items(doc: Document) -> tuple[list[InvoiceLine], bool]:
    """The line-items table: rows under a header with columns like Désignation / Qté / PU / Montant, until a totals
    line; a row without numbers continues the previous row's description. A table cut by the page's end goes on
    with the same columns on the next page, header repeated or not. Returns (lines, whether there is a discount
    column)."""
    items: list[InvoiceLine] = []
    has_discount = False
    columns: list[Column] | None = None
    previous: Line | None = None  # the table's last line; None while looking for the table's next row
    left_page = 0  # the page where the table was left, below its last row
    for line in doc.lines:
        header = _header_columns(line)
        if header:
            columns, previous, line.in_table = header, line, True
            has_discount |= any(column.kind == "discount" for column in header)
            continue
        if columns is None:
            continue
        if _is_stop_line(line):
            columns = None
            continue
        if previous and (line.page != previous.page or line.top - previous.bottom > 3 * previous.height):
            left_page, previous = previous.page, None  # below the table: it may go on on the next page
        if previous is None and line.page == left_page:
            continue
        item = _line_item(_row_cells(line, columns))
        if item:
            items.append(item)
        elif previous and items and line.top - previous.bottom < 1.5 * line.height:
            text = line.text.replace("\t", " ").strip()
            items[-1] = InvoiceLine(f"{items[-1].description} {text}".strip(), items[-1].quantity,
                                    items[-1].unit_price, items[-1].amount, items[-1].vat_rate)
        else:
            continue
        line.in_table, previous = True, line
    return items, has_discount


# ---------------------------------------------------------------- fields

def best(candidates: list[Candidate]) -> Candidate | None:
    return max(candidates, key=lambda c: (c.score, -c.line.number), default=None)


def _unique_by_value(candidates: list[Candidate]) -> list[Candidate]:
    """One candidate per value, the surest, slightly surer when the value is printed more than once."""
    chosen: dict[str, Candidate] = {}
    counts: dict[str, int] = {}
    for candidate in candidates:
        counts[candidate.value] = counts.get(candidate.value, 0) + 1
        if candidate.value not in chosen or candidate.score > chosen[candidate.value].score:
            chosen[candidate.value] = candidate
    for value, candidate in chosen.items():
        candidate.score = min(1.0, candidate.score + 0.02 * (counts[value] - 1))
    return list(chosen.values())


def read_document_type(doc: Document) -> str:
    title = re.compile(r"(?<![a-z])(facture d'avoir|avoir|note de credit|credit note|credit memo)(?![a-z])")
    for line in doc.lines:
        if line.page != 1 or line.top > 0.5:
            continue
        for match in title.finditer(line.folded):
            original = line.text[match.start():match.end()]
            if match[0] != "avoir" or original.isupper() or re.match(r"\s*(n|no|num|numero)\b",
                                                                     line.folded[match.end():]):
                return CREDIT_NOTE
    return INVOICE


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


def read_references(doc: Document, fields: dict[str, Candidate]) -> None:
    for name in ("invoice_number", "purchase_order"):
        candidates = [c for hit in doc.hits(name) for c in typed_near(doc, hit, find_reference, first_only=True)]
        candidates = [c for c in candidates if not _is_identifier_like(c.value)]
        chosen = best(candidates)
        if chosen:
            fields[name] = chosen


def _is_identifier_like(value: str) -> bool:
    digits = re.sub(r"\D", "", value)
    return value.isdigit() and len(digits) in (9, 14) and nz.check_siren(digits[:9]).valid


def read_free_texts(doc: Document, fields: dict[str, Candidate]) -> None:
    terms = best([c for hit in doc.hits("payment_terms") if (c := text_near(doc, hit)) and _is_terms(c.value)])
    if terms:
        fields["payment_terms"] = terms
    nature = best([c for hit in doc.hits("operation_nature") if (c := text_near(doc, hit))
                   and nz.operation_nature(c.value)])
    if nature:
        nature.value = nz.operation_nature(nature.value)
        fields["operation_nature"] = nature
    else:
        unlabelled = _stated_operation_nature(doc)
        if unlabelled:
            fields["operation_nature"] = unlabelled
    address = _delivery_address(doc)
    if address:
        fields["delivery_address"] = address
    currency = _currency(doc, fields)
    if currency:
        fields["currency"] = currency


def _is_terms(text: str) -> bool:
    folded = nz.fold(text)
    return bool(re.search(r"jour|reception|comptant|virement|cheque|prelevement|carte|especes|fin de mois|net|"
                          r"days|transfer|upon|immediat|echeance|\d", folded))


def _stated_operation_nature(doc: Document) -> Candidate | None:
    pattern = re.compile(r"livraisons? de biens|prestations? de services|operations? mixtes?|"
                         r"biens et services|delivery of goods|supply of services")
    for line in doc.lines:
        match = None if line.in_table else pattern.search(line.folded)
        if match:
            nature = nz.operation_nature(line.text[match.start():match.end()])
            return Candidate(nature, 0.7 * line.confidence(match.start(), match.end()), line, match.start(),
                             match.end())
    return None


def _delivery_address(doc: Document) -> Candidate | None:
    for hit in doc.hits("delivery_address"):
        first = text_near(doc, hit)
        if not first:
            continue
        parts = [first.value]
        for line, start, stop in block_lines(doc, first, hit, limit=4):
            if CONTACT_LIKE.search(line.folded[start:stop]) or line.hits_in(start, stop):
                break
            parts.append(line.text[start:stop])
        first.value = ", ".join(" ".join(part.split()) for part in parts)
        return first
    return None


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


# ---------------------------------------------------------------- parties

def read_parties(doc: Document, fields: dict[str, Candidate]) -> None:
    customer = _party_block(doc, "customer")
    if customer:
        fields["customer_name"], doc.customer_region = customer
    else:
        window = _window_block(doc)
        if window:
            fields["customer_name"], doc.customer_region = window
    supplier = _party_block(doc, "supplier")
    if supplier:
        fields["supplier_name"], doc.supplier_region = supplier
    else:
        customer = fields.get("customer_name")
        name = _header_name(doc, customer) or _legal_mention_name(doc) or _first_text(doc, customer)
        if name:
            fields["supplier_name"] = name


def _party_block(doc: Document, kind: str) -> tuple[Candidate, Region] | None:
    """The block under (or right of) 'Client', 'Facturé à', 'Émetteur'...: a label that starts a run, not a word in
    a sentence."""
    hits = [hit for hit in doc.hits(kind) if _trim(hit.line, hit.line.run_at(hit.start)[0], hit.start)[0] >= hit.start]
    for hit in sorted(hits, key=lambda h: (h.line.page, -h.weight, h.line.top)):
        name = text_near(doc, hit, min_letters=3)
        if name and not CONTACT_LIKE.search(name.value) and not _is_label_text(name):
            name.value = _clean_name(name.value)
            return name, region_of(hit, name, block_lines(doc, name, hit))
    return None


def _is_label_text(candidate: Candidate) -> bool:
    return any(hit.kind != "other" for hit in candidate.line.hits_in(candidate.start, candidate.end))


def _clean_name(text: str) -> str:
    return " ".join(text.replace("\t", " ").split()).strip(" ,;:-")


def _window_block(doc: Document) -> tuple[Candidate, Region] | None:
    """No 'Client' label: the address block in the envelope window (upper right of page 1) is the customer's."""
    upper_right = [line for line in doc.by_page.get(1, []) if line.top < 0.45 and not line.in_table]
    for index, line in enumerate(upper_right):
        run = next(((s, e) for s, e in line.runs if line.x_range(s, e)[0] > 0.45), None)
        if not run or line.hits_in(*run) or _letters(line.text[run[0]:run[1]]) < 3:
            continue
        block = [(line, *run)]
        for other in upper_right[index + 1:index + 6]:
            other_run = next(((s, e) for s, e in other.runs if abs(other.x_range(s, e)[0] - line.x_range(*run)[0])
                              < 0.03), None)
            if not other_run or other.top - block[-1][0].bottom > 1.2 * other.height:
                break
            block.append((other, *other_run))
        if _looks_like_a_recipient(block, typical=statistics.median(other.height for other in doc.by_page[1])):
            name = Candidate(_clean_name(line.text[run[0]:run[1]]), UNLABELLED * line.confidence(*run), line, *run)
            boxes = [b[0].box(b[1], b[2]) for b in block]
            region = Region(1, min(b.x0 for b in boxes) - 0.01, min(b.y0 for b in boxes) - 0.005,
                            max(b.x1 for b in boxes) + 0.01, max(b.y1 for b in boxes) + 0.005)
            return name, region
    return None


def _looks_like_a_recipient(block: list[tuple[Line, int, int]], typical: float) -> bool:
    """An address (a postal code below the name), without the issuer's marks: no phone or e-mail, no identifiers,
    no name set larger than the text."""
    texts = [line.folded[start:end] for line, start, end in block]
    first, start, end = block[0]
    box = first.box(start, end)
    return (len(block) >= 2 and any(re.search(r"\b\d{5}\b", text) for text in texts[1:])
            and not any(CONTACT_LIKE.search(text) for text in texts)
            and not any(hit.kind in IDENTIFIER_KINDS for line, s, e in block for hit in line.hits_in(s, e))
            and box.y1 - box.y0 < 1.15 * typical)


def _header_name(doc: Document, customer: Candidate | None) -> Candidate | None:
    """The issuer's name at the top of page 1: text that stands out (larger than the body, or with a company form
    like SAS), that is not a label, an address or a contact, and not inside the customer's block."""
    page = doc.by_page.get(1, [])
    if not page:
        return None
    typical = statistics.median(line.height for line in page)
    best_candidate, best_score = None, 0.0
    for line in page:
        if line.top > HEADER or line.in_table:
            continue
        for start, end in line.runs:
            start, end = _trim(line, start, end)
            if not _could_be_name(doc, line, start, end, customer):
                continue
            box = line.box(start, end)
            size = (box.y1 - box.y0) / typical
            form = COMPANY_FORM.search(line.folded[start:end]) is not None
            if size < 1.15 and not form:
                continue
            score = size + 0.4 * form + (HEADER - line.top)
            if score > best_score:
                best_candidate, best_score = (line, start, end), score
    if not best_candidate:
        return None
    line, start, end = best_candidate
    confidence = min(0.92, 0.5 + 0.25 * best_score) * line.confidence(start, end)
    return Candidate(_clean_name(line.text[start:end]), confidence, line, start, end)


def _first_text(doc: Document, customer: Candidate | None) -> Candidate | None:
    """Nothing stands out: the first text at the very top of page 1 that could be a name, with little confidence."""
    for line in doc.by_page.get(1, []):
        if line.top > 0.15:
            return None
        for start, end in line.runs:
            start, end = _trim(line, start, end)
            if _could_be_name(doc, line, start, end, customer):
                return Candidate(_clean_name(line.text[start:end]), 0.5 * line.confidence(start, end), line, start,
                                 end)
    return None


def _could_be_name(doc: Document, line: Line, start: int, end: int, customer: Candidate | None) -> bool:
    text, folded = line.text[start:end], line.folded[start:end]
    if _letters(text) < 3 or line.hits_in(start, end) or ADDRESS_LIKE.search(folded) or CONTACT_LIKE.search(folded):
        return False
    if nz.find_dates(text) or nz.find_amounts(text) and _letters(text) < len(text) / 2:
        return False
    if doc.customer_region and doc.customer_region.holds(line, start, end):
        return False
    if re.fullmatch(r"(facture|avoir|invoice|devis|credit note|note de credit|facture d'avoir)s?", folded.strip()):
        return False
    return not (customer and nz.fold(customer.value) == " ".join(folded.split()))


def _legal_mention_name(doc: Document) -> Candidate | None:
    """'Fournitures Dupont SAS au capital de 10 000 € – RCS Lyon ...': the name before the company form."""
    for line in reversed(doc.lines):
        match = COMPANY_FORM.search(line.folded)
        if not match or line.in_table or (doc.customer_region and doc.customer_region.holds(line, *match.span())):
            continue
        run_start, _ = line.run_at(match.start())
        start, end = _trim(line, run_start, match.end())
        prefix = re.sub(r"^.*[-–|•·]\s", "", line.text[start:end])
        start = end - len(prefix)
        if _letters(line.text[start:match.start()]) >= 3:
            return Candidate(_clean_name(line.text[start:end]), 0.7 * line.confidence(start, end), line, start, end)
    return None


# ---------------------------------------------------------------- identifiers

@dataclass
class Identified:
    candidate: Candidate  # its raw value is the nz.Checked identifier
    party: str  # "supplier" | "customer"


def _party_at(doc: Document, line: Line, start: int, end: int) -> str:
    if doc.customer_region and doc.customer_region.holds(line, start, end):
        return "customer"
    if doc.supplier_region and doc.supplier_region.holds(line, start, end):
        return "supplier"
    before = [hit for hit in line.hits if hit.end <= start and hit.kind in
              ("customer", "customer_siren", "customer_vat", "supplier", "siren", "siret", "vat_number")]
    marked = [hit for hit in before if hit.kind in ("customer", "customer_siren", "customer_vat", "supplier")]
    if marked and marked[-1].kind != "supplier":
        return "customer"
    return "supplier"


def _find_any_vat(text: str) -> list[nz.Span]:
    return nz.find_vats(text, any_country=True)


LABELLED_IDENTIFIERS = (
    ("siren", ("siren", "customer_siren"), nz.find_sirens), ("siret", ("siret",), nz.find_sirets),
    ("vat", ("vat_number", "customer_vat", "total_tax"), _find_any_vat), ("iban", ("iban",), nz.find_ibans),
    ("bic", ("bic",), nz.find_bics))


def find_identifiers(doc: Document) -> dict[str, list[Identified]]:
    """Identifiers after their labels (right or below), and VAT numbers, SIRETs and IBANs wherever their pattern
    and check digits make them certain; each one is the supplier's unless it sits in the customer's block or
    after a customer label."""
    found: dict[str, list[Identified]] = {"siren": [], "siret": [], "vat": [], "iban": [], "bic": []}
    seen: set[tuple[str, int, int]] = set()

    def add(kind: str, candidate: Candidate) -> None:
        key = (kind, candidate.line.number, candidate.start)
        if key in seen:
            return
        seen.add(key)
        checked: nz.Checked = candidate.raw
        candidate.value = checked.value
        if not checked.valid:
            candidate.score *= CHECK_FAILED
        hit = candidate.hit
        party = "customer" if hit and hit.kind.startswith("customer") else _party_at(
            doc, candidate.line, candidate.start, candidate.end)
        found[kind].append(Identified(candidate, party))

    for kind, hit_kinds, finder in LABELLED_IDENTIFIERS:
        for hit in doc.hits(*hit_kinds):
            for candidate in typed_near(doc, hit, finder, first_only=True):
                add(kind, candidate)
    for line in doc.lines:
        if line.in_table:
            continue
        for kind, finder, only_valid in (("vat", nz.find_vats, False), ("siret", nz.find_sirets, True),
                                         ("iban", nz.find_ibans, True)):
            for span in finder(line.text):
                if span.value.valid or not only_valid:
                    confidence = 0.85 * line.confidence(span.start, span.end)
                    add(kind, Candidate(span.value.value, confidence, line, span.start, span.end, span.value))
    return found


def read_identifiers(doc: Document, fields: dict[str, Candidate], findings: list[str]) -> None:
    found = find_identifiers(doc)
    targets = {("siren", "supplier"): "supplier_siren", ("siret", "supplier"): "supplier_siret",
               ("vat", "supplier"): "supplier_vat", ("siren", "customer"): "customer_siren",
               ("vat", "customer"): "customer_vat", ("siret", "customer"): "customer_siret",
               ("iban", "supplier"): "iban", ("bic", "supplier"): "bic", ("iban", "customer"): "iban",
               ("bic", "customer"): "bic"}
    for (kind, party), name in targets.items():
        if name in fields:
            continue
        chosen = best(_unique_by_value([i.candidate for i in found[kind] if i.party == party]))
        if chosen:
            fields[name] = chosen
            if not chosen.raw.valid:
                findings.append(f"{name}: {chosen.raw.problem}")
    _derive_siren(fields, "supplier")
    _derive_siren(fields, "customer")
    _check_identifiers_agree(fields, findings)
    fields.pop("customer_siret", None)  # not a field of the reading: only a source for the customer's SIREN


def _derive_siren(fields: dict[str, Candidate], party: str) -> None:
    """A SIREN printed only inside the SIRET or the French VAT number is still printed: read it from there."""
    name = f"{party}_siren"
    if name in fields:
        return
    siret, vat = fields.get(f"{party}_siret"), fields.get(f"{party}_vat")
    if siret and siret.raw.valid:
        source, digits = siret, siret.value[:9]
    elif vat and vat.raw.valid and nz.vat_siren(vat.value):
        source, digits = vat, nz.vat_siren(vat.value)
    else:
        return
    checked = nz.check_siren(digits)
    fields[name] = Candidate(digits, source.score * 0.95, source.line, source.start, source.end, checked)


def _check_identifiers_agree(fields: dict[str, Candidate], findings: list[str]) -> None:
    for party in ("supplier", "customer"):
        siren, siret, vat = (fields.get(f"{party}_{kind}") for kind in ("siren", "siret", "vat"))
        if siren and siret and siret.value[:9] != siren.value:
            findings.append(f"{party}_siret {siret.value} does not start with {party}_siren {siren.value}")
            siret.score *= CHECK_FAILED
        if siren and vat and nz.vat_siren(vat.value) and nz.vat_siren(vat.value) != siren.value:
            findings.append(f"{party}_vat {vat.value} does not belong to {party}_siren {siren.value}")
            vat.score *= CHECK_FAILED


# ---------------------------------------------------------------- totals and VAT

def _amount_candidates(doc: Document, kind: str) -> list[Candidate]:
    candidates = []
    for hit in doc.hits(kind):
        for candidate in typed_near(doc, hit, find_amount_values, nz.format_amount):
            if kind == "total_tax" and candidate.line is hit.line:
                candidate.per_rate = bool(nz.find_rates(hit.line.text[hit.end:candidate.start]))
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
    return sorted(by_value.values(), key=lambda c: (-c.score, -c.line.page, -c.line.top))[:count]


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
        if re.search(r"\b(taux|rate)\b", line.folded) and re.search(r"\b(base|tva|vat|montant)\b", line.folded) \
                and not nz.find_amounts(line.text.replace("%", "")):
            vat_table_until = line.number + 6
            continue
        rate_line = _rate_line(line, line.number <= vat_table_until)
        if rate_line and all((r.rate, r.base, r.tax) != (rate_line.rate, rate_line.base, rate_line.tax)
                             for r in found):
            found.append(rate_line)
    return found


def _rate_line(line: Line, in_vat_table: bool) -> RateLine | None:
    rates = nz.find_rates(line.text)
    if rates:
        rate = rates[0]
        amounts = [a.value for a in nz.find_amounts(line.text) if not (rate.start <= a.start < rate.end)]
        pair = _pairs(rate.value, amounts)
        if pair:
            return RateLine(rate.value, *pair)
        vat_words = re.search(r"\b(tva|t\.v\.a|vat|tax)\b", line.folded)
        if vat_words and len(amounts) == 1 and amounts[0] != 0 or vat_words and amounts == [Decimal(0)]:
            return RateLine(rate.value, None, amounts[0])
        return None
    if in_vat_table:
        numbers = [a.value for a in nz.find_amounts(line.text)]
        for rate in numbers:
            if 0 < rate <= 30:
                pair = _pairs(rate, [n for n in numbers if n is not rate])
                if pair:
                    return RateLine(rate, *pair)
    return None


def _rate_by_the_tax_label(tax: Candidate | None) -> list[RateLine]:
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


def read_vat_breakdown(rate_lines: list[RateLine], items: list[InvoiceLine], fields: dict[str, Candidate],
                       findings: list[str]) -> list[VatLine]:
    """One VatLine per rate. A base that is not printed next to its rate is taken from the total excluding tax
    (one rate only) or from the line items of that rate, and only when base × rate gives the printed tax."""
    ht, tva = fields.get("total_excl_tax"), fields.get("total_tax")
    item_bases = _item_bases(items)
    breakdown = []
    for line in rate_lines:
        base = line.base
        from_items = item_bases.get(line.rate)
        if base is None and from_items is not None and abs(from_items * line.rate / 100 - line.tax) <= Decimal(
                "0.02"):
            base = from_items
        if base is None and len(rate_lines) == 1 and ht:
            if abs(ht.raw * line.rate / 100 - line.tax) <= Decimal("0.02"):
                base = ht.raw
            else:
                findings.append(f"VAT at {nz.format_rate(line.rate)} %: {line.tax:.2f} is printed, but "
                                f"total_excl_tax {ht.value} × {nz.format_rate(line.rate)} % = "
                                f"{nz.format_amount((ht.raw * line.rate / 100).quantize(nz.CENT))}")
        if base is not None:
            breakdown.append(VatLine(nz.format_rate(line.rate), nz.format_amount(base), nz.format_amount(line.tax)))
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
    read_references(doc, fields)
    read_dates(doc, fields)
    read_identifiers(doc, fields, findings)
    rate_lines = find_rate_lines(doc)
    read_totals(doc, fields, findings, len({line.rate for line in rate_lines}))
    rate_lines = rate_lines or _rate_by_the_tax_label(fields.get("total_tax"))
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
