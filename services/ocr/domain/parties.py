"""The supplier and the customer: their names, and which SIREN, SIRET and VAT numbers are whose.

A party is a block of text (name, address, identifiers) announced by a label ('Facturé à', 'DOIT :', 'Émetteur')
set before it, above it or as its heading; its name may have a label of its own ('Raison sociale', or a caption in
capitals that OCR misspelt). Two party headings side by side split the page under them into the parties'
columns, however many boxes each is set in. Without labels, the address blocks at the top of the first page are told
apart by what marks the issuer: its name in the legal mentions, its phone or e-mail, its place at the top; the other
address block is the customer's. Identifiers inside a party's block are that party's; the others are the supplier's
unless a customer label announces them.
"""
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from . import normalize as nz
from .layout import (
    BELOW,
    BELOW_LINES,
    CHECK_FAILED,
    NEAR_RIGHT,
    NEXT_RUN,
    RIGHT,
    UNLABELLED,
    Block,
    Candidate,
    Cell,
    Document,
    Hit,
    Line,
    best,
    letters,
    text_near,
    trim,
    typed_near,
    unique_by_value,
)
from .vocabulary import ADDRESS_LIKE, COMPANY_FORM, CONTACT_LIKE, LABELS, LEGAL_MENTION, POSTCODE, is_party_heading

HEADER = 0.25  # the top of the first page, where the issuer presents itself
PARTIES_ZONE = 0.6  # parties' blocks start above this fraction of the first page
LARGER = 1.15  # text this much taller than the body's stands out
NEARLY = 0.8  # how alike (difflib's ratio) a misread label is to the label
NAME_LABELS = [nz.fold(label) for label in LABELS["party_name"]]
HEADING_NEARLY = 0.85  # how alike a misread party heading is to the heading
ACCOUNT_LABEL = 0.6  # how surely the label of a customer's account number ('Client n°') heads the customer's block
CUSTOMER_ACCOUNT = re.compile(r"\b(client|customer)\b")
HEADING_PHRASE = 0.8  # how surely a heading ending on a party's word ('Coordonnées client') announces that party
PARTY_LABEL_WORDS = {kind: [nz.fold(label) for label in LABELS[kind] if isinstance(label, str) and " " not in label
                            and len(label) >= 5] for kind in ("customer", "supplier")}
NAME_JOINERS = re.compile(r"de|du|des|et|la|le|les|d'.*|l'.*|en|sur|aux|au|a|and|of|the|&")
CONNECTOR = re.compile(r"(&|\bet|\bde|\bdu|\bdes|-|\band)$")
RCS = re.compile(r"r\.?\s?c\.?\s?s\.?")
# 'Vente réalisée par ', 'Sold by ', 'Société ', 'La société ': words before the name that opens the small print
ISSUED_BY = re.compile(r"(?:[^\W\d_]+\s+){0,3}(?:par|by)\s+(?=[A-Z0-9À-Ý])|(?:la\s+|l')?(?:soci[ée]t[ée]|entreprise)\s+"
                       r"(?=[A-Z0-9À-Ý])", re.IGNORECASE)
TITLE = re.compile(r"(facture|avoir|invoice|devis|credit note|note de credit|facture d'avoir)s?")


@dataclass
class Party:
    name: Candidate
    cells: list[Cell] = field(default_factory=list)  # the name's cell and those under it in its block


# ---------------------------------------------------------------- names

def read_parties(doc: Document, fields: dict[str, Candidate]) -> None:
    customer = _labelled_party(doc, "customer")
    supplier = _labelled_party(doc, "supplier", taken=customer)
    if not customer or not supplier:
        customer, supplier = _unlabelled_parties(doc, customer, supplier)
    for kind, party in (("customer", customer), ("supplier", supplier)):
        if party:
            fields[f"{kind}_name"] = party.name
            doc.party_cells[kind] = {id(cell) for cell in party.cells}
    for kind, cells in _party_columns(doc).items():
        doc.party_cells[kind] |= {id(cell) for cell in cells}
    if not supplier:
        name = _header_name(doc, customer) or _legal_mention_name(doc) or _first_text(doc, customer)
        if name:
            fields["supplier_name"] = name


def _labelled_party(doc: Document, kind: str, taken: Party | None = None) -> Party | None:
    """The block announced by the surest label that starts a run ('Client :', 'Facturé à', 'DOIT :'), or by a
    heading of its own ('Pour')."""
    labels = [(hit.line, hit.start, hit.end, hit.weight) for hit in doc.hits(kind) if hit.starts_run]
    labels += [(hit.line, start, hit.end, HEADING_PHRASE) for hit in doc.hits(kind)
               if (start := _heading_start(hit)) is not None]
    for page in sorted(doc.by_page):
        labels += [(cell.line, cell.start, cell.end, 0.8) for block in doc.blocks(page) for cell in block.cells
                   if is_party_heading(cell.folded) == kind]
    labels += [(cell.line, cell.start, cell.end, 0.7) for block in doc.blocks(1) for cell in block.cells
               if _misread_party_heading(cell) == kind]
    if kind == "customer":  # 'Client n° C0042' over an address: the block of the customer's account
        labels += [(hit.line, hit.start, hit.end, ACCOUNT_LABEL) for hit in doc.hits("other")
                   if hit.starts_run and CUSTOMER_ACCOUNT.search(nz.fold(hit.text))]
    taken_cells = {id(cell) for cell in taken.cells} if taken else set()
    for line, start, end, weight in sorted(labels, key=lambda label: (label[0].page, -label[3], label[0].top)):
        party = _party_after(doc, line, start, end, weight)
        if party and id(party.cells[0]) not in taken_cells:
            return party
    return None


def _heading_start(hit: Hit) -> int | None:
    """Where a heading of a few words that ends on a party's word starts ('Coordonnées client', 'Informations du
    client'); None when the label ends no such heading."""
    line = hit.line
    run_start, run_end = line.run_at(hit.start)
    if trim(line, hit.start, run_end)[1] != hit.end:
        return None
    start = trim(line, line.phrase_start(run_start), run_end)[0]
    before = line.text[start:hit.start]
    if start < hit.start and len(before.split()) <= 2 and re.fullmatch(r"[^\W\d_]+(?:['’\s]+[^\W\d_]+)*\s+",
                                                                        before):
        return start
    return None


def _misread_party_heading(cell: Cell) -> str | None:
    """A party's heading in capitals that OCR misspelt ('ACHETBUR' for 'ACHETEUR'): one word alone in its cell,
    no label, spelt nearly like a party label, where the parties stand."""
    text = cell.text
    if (not (text.isupper() and text.isalpha() and 5 <= len(text) <= 14) or cell.line.top > PARTIES_ZONE
            or cell.line.hits_in(cell.start, cell.end)):
        return None
    folded = cell.folded
    for kind, headings in PARTY_LABEL_WORDS.items():
        for heading in headings:
            matcher = SequenceMatcher(None, folded, heading)
            if abs(len(heading) - len(folded)) <= 2 and matcher.real_quick_ratio() >= HEADING_NEARLY \
                    and matcher.ratio() >= HEADING_NEARLY:
                return kind
    return None


def _party_after(doc: Document, line: Line, start: int, end: int, weight: float) -> Party | None:
    """The party a label announces: the rest of its run ('Client : Garage Central'), else the next run on its line
    ('DOIT : ⇥ David Immobilier'), else the text under it; first the text under it when the label heads a block
    ('FOURNISSEUR ⇥ RÉCEPTION' over two boxes)."""
    cell = doc.cell_at(line, start)
    if cell is None:
        return None
    rest_start, rest_end = trim(line, end, cell.end)
    if letters(line.text[rest_start:rest_end]) >= 3 and not _only_labels(line, rest_start, rest_end):
        rest_end = _name_in_a_sentence(line, rest_start, rest_end)
        if not _could_be_party_name(line, rest_start, rest_end):
            return None
        return _party(doc, line, rest_start, rest_end, weight * RIGHT, cell)
    if cell.block.after(cell):
        party = _party_under(doc, cell, weight)
        if party:
            return party
    label_x1 = line.box(start, end).x1
    for next_start, next_end in line.runs_after(cell.end):
        if line.x_range(next_start, next_end)[0] - label_x1 > NEAR_RIGHT:
            break
        right = doc.cell_at(line, next_start)
        if right and _could_be_party_name(line, right.start, right.end) and not doc.is_continued_text(
                line, next_start):
            return _party(doc, line, right.start, right.end, weight * NEXT_RUN, right)
        break
    return _party_under(doc, cell, weight)


def _name_in_a_sentence(line: Line, start: int, end: int) -> int:
    """Where the name ends when a sentence gives the party's name and then its address ('À l'attention de : Dupont
    SAS, 12 rue de la Paix, 75002 Paris.'): at the first comma, when what follows it is an address or an
    identifier."""
    clause = re.search(r",\s|\s[-–]\s|;\s|\s\(", line.text[start:end])
    rest = line.folded[start + clause.end():end] if clause else ""
    if clause and (POSTCODE.search(rest) or ADDRESS_LIKE.search(rest) or LEGAL_MENTION.search(rest)
                   or re.match(r"(tva|vat|n°)\b", rest)):
        return start + clause.start()
    return end


def _party_under(doc: Document, cell: Cell, weight: float) -> Party | None:
    """The party whose name is under its label, past a caption or a label of the name."""
    under = _cell_under(doc, cell)
    following = under.block.after(under) if under else []
    if under and following and _is_caption(under, following[0]):
        under = following[0]
    if under and _could_be_party_name(under.line, under.start, under.end):
        return _party(doc, under.line, under.start, under.end, weight * BELOW, under)
    return _named_party(doc, under, weight * BELOW) if under else None


def _is_caption(cell: Cell, below: Cell) -> bool:
    """A name's label misread by OCR, in capitals over the name and starting where it starts ('RASOIN SOCIALE' over
    'Dupont SAS')."""
    return (cell.text.isupper() and abs(cell.box.x0 - below.box.x0) <= 2 * cell.line.char_width
            and _could_be_party_name(below.line, below.start, below.end) and not ADDRESS_LIKE.search(below.folded)
            and _spelt_like_a_name_label(cell.folded))


def _spelt_like_a_name_label(folded: str) -> bool:
    return any(SequenceMatcher(None, folded, label).ratio() >= NEARLY for label in NAME_LABELS)


def _named_party(doc: Document, cell: Cell, weight: float) -> Party | None:
    """The party whose name a label gives ('Raison sociale' over 'Dupont SAS'), when `cell` is that label."""
    label = next((hit for hit in cell.line.hits_in(cell.start, cell.end) if hit.kind == "party_name"), None)
    value = text_near(doc, label) if label else None
    value_cell = doc.cell_at(value.line, value.start) if value else None
    if value_cell is None or not _could_be_party_name(value.line, value.start, value.end):
        return None
    return _party(doc, value.line, value.start, value.end, weight * value.score, value_cell)


def _party_columns(doc: Document) -> dict[str, list[Cell]]:
    """Two party headings side by side ('Émetteur ⇥ Destinataire') split the page under them in two columns: what
    stands in a column, down to a line that crosses the split or a wide gap, is that party's (its name, address and
    identifiers, however many boxes they are set in)."""
    columns: dict[str, list[Cell]] = {"customer": [], "supplier": []}
    for line in doc.lines:
        headings = sorted((hit for hit in line.hits if hit.kind in ("customer", "supplier") and _is_heading(hit)),
                          key=lambda hit: hit.start)
        if len(headings) != 2 or headings[0].kind == headings[1].kind:
            continue
        left, right = headings
        split = right.box.x0 - 2 * line.char_width
        page_lines = doc.by_page[line.page]
        bottom = line.bottom
        for below in page_lines[page_lines.index(line) + 1:]:
            boxes = [below.box(start, end) for start, end in below.runs]
            if below.top - bottom > BELOW_LINES * line.height or any(b.x0 < split < b.x1 for b in boxes):
                break
            bottom = max(bottom, below.bottom)
            for (start, _), box in zip(below.runs, boxes, strict=True):
                cell = doc.cell_at(below, start)
                if cell:
                    columns[(left if box.x1 <= split else right).kind].append(cell)
    return columns


def _is_heading(hit: Hit) -> bool:
    """A label that is its run's only text."""
    run_start, run_end = hit.line.run_at(hit.start)
    return trim(hit.line, run_start, run_end) == trim(hit.line, hit.start, hit.end)


def _only_labels(line: Line, start: int, end: int) -> bool:
    """Whether a span holds labels and nothing else: a heading ('FOURNISSEUR - EXPÉDITEUR')."""
    text = list(line.text[start:end])
    for hit in line.hits_in(start, end):
        text[max(hit.start - start, 0):hit.end - start] = " " * (min(hit.end, end) - max(hit.start, start))
    return not letters("".join(text))


def _cell_under(doc: Document, cell: Cell) -> Cell | None:
    """The next cell of the label's block, else the first cell of a block that starts just under the label."""
    following = cell.block.after(cell)
    if following:
        return following[0]
    box, height = cell.box, cell.line.height
    starting = [block.cells[0] for block in doc.blocks(cell.line.page)
                if 0 <= block.cells[0].box.y0 - box.y1 <= BELOW_LINES * height
                and min(block.cells[0].box.x1, box.x1) - max(block.cells[0].box.x0, box.x0) > 0]
    return min(starting, key=lambda c: c.box.y0, default=None)


def _party(doc: Document, line: Line, start: int, end: int, score: float, cell: Cell) -> Party:
    cells = [cell] + cell.block.after(cell)
    name = Candidate(_clean_name(line.text[start:end]), score * line.confidence(start, end), line, start, end)
    _continue_name(doc, name, cells)
    return Party(name, cells)


def _continue_name(doc: Document, name: Candidate, cells: list[Cell]) -> None:
    """A name set large and wrapped over two lines ('Librairie Garnier / et Fils SASU'), or cut after '&'."""
    if len(cells) < 2:
        return
    first, following = cells[0], cells[1]
    text = following.text
    if any(char.isdigit() for char in text) or CONTACT_LIKE.search(following.folded) or following.line.hits_in(
            following.start, following.end) or letters(text) < 2 or _is_sentence(text):
        return
    typical = doc.typical_height(first.line.page)
    same_size = abs(following.height - first.height) <= 0.1 * first.height
    wrapped = same_size and first.height >= LARGER * typical
    form_only = not letters(COMPANY_FORM.sub("", following.folded))
    if wrapped or form_only or CONNECTOR.search(nz.fold(name.value)):
        name.value = _clean_name(f"{name.value} {text}")


def _is_sentence(text: str) -> bool:
    """Words in lower case other than those joining a name's words ('Devis gratuit sur simple demande' under a
    name is a slogan; 'et Fils SASU' goes on the name)."""
    lower = [word for word in text.split() if word[:1].islower() and not NAME_JOINERS.fullmatch(nz.fold(word))]
    return len(lower) >= 2


def _could_be_party_name(line: Line, start: int, end: int) -> bool:
    text, folded = line.text[start:end], line.folded[start:end]
    if letters(text) < 3 or CONTACT_LIKE.search(folded) or POSTCODE.search(folded) or text[:1].isdigit():
        return False
    if text[:1].islower():  # a sentence going on ('... restent la propriété du vendeur jusqu'au paiement')
        return False
    if nz.find_dates(text) or any(hit.kind != "other" or _covers(hit, start, end) for hit in line.hits_in(start, end)):
        return False
    return not TITLE.fullmatch(folded.strip())


def _covers(hit: Hit, start: int, end: int) -> bool:
    """A label that is the whole text ('Compte client') is no name."""
    return trim(hit.line, start, end) == (hit.start, hit.end)


def _clean_name(text: str) -> str:
    return " ".join(text.replace("\t", " ").split()).strip(" ,;:-")


# ---------------------------------------------------------------- parties without labels

def _unlabelled_parties(doc: Document, customer: Party | None,
                        supplier: Party | None) -> tuple[Party | None, Party | None]:
    """Address blocks without labels: the issuer's is the one with its marks, wherever it is (a letterhead, a band
    at the page's foot); the customer's is another near the top."""
    taken = {id(cell) for party in (customer, supplier) if party for cell in party.cells}
    blocks = [block for block in doc.blocks(1) if _is_address_block(block)
              and not any(id(cell) in taken for cell in block.cells)]
    if not blocks:
        return customer, supplier
    legal = _legal_mention_name(doc)
    scores = {id(block): _issuer_marks(doc, block, legal, blocks) for block in blocks}
    if not supplier:
        issuer = max(blocks, key=lambda block: scores[id(block)])
        if scores[id(issuer)] >= 1 or customer and scores[id(issuer)] > 0:
            supplier = _block_party(doc, issuer, 0.9)
            blocks.remove(issuer)
    blocks = [block for block in blocks if _name_cell(block).line.top <= PARTIES_ZONE]
    if not customer and blocks:
        recipients = [block for block in blocks if scores[id(block)] < 1 and _has_no_contact(block)]
        if recipients and (supplier or len(blocks) == 1 and _in_the_window(doc, recipients[0])):
            customer = _block_party(doc, recipients[0], UNLABELLED)
    return customer, supplier


def _name_cell(block: Block) -> Cell | None:
    """The first cell of an address block that can be a name: a logo's initials above it are not."""
    for cell in block.cells[:2]:
        if _could_be_party_name(cell.line, cell.start, cell.end) and not is_party_heading(cell.folded):
            return cell
        if letters(cell.text) >= 3:
            return None
    return None


def _is_address_block(block: Block) -> bool:
    first = _name_cell(block)
    if first is None or first.line.page != 1 or first.line.in_table:
        return False
    following = block.after(first)[:4]
    return any(POSTCODE.search(cell.folded) or ADDRESS_LIKE.search(cell.folded) for cell in following)


def _issuer_marks(doc: Document, block: Block, legal: Candidate | None, blocks: list[Block]) -> float:
    """How surely an address block is the issuer's: its name in the legal mentions, a phone or an e-mail, the
    highest place, a name set larger than the text."""
    first = _name_cell(block)
    score = 0.0
    if legal and _same_company(legal.value, first.text):
        score += 2
    if any(CONTACT_LIKE.search(cell.folded) for cell in block.cells):
        score += 1
    if block is min(blocks, key=lambda b: b.top):
        score += 0.4
    if first.height >= LARGER * doc.typical_height(1):
        score += 0.3
    return score


def _has_no_contact(block: Block) -> bool:
    return not any(CONTACT_LIKE.search(cell.folded) for cell in block.cells)


def _in_the_window(doc: Document, block: Block) -> bool:
    """With the issuer unknown, a lone address is the customer's only where an envelope's window shows it: on the
    right, its name set like the text (an issuer's name stands out)."""
    first = _name_cell(block)
    return first.box.x0 > 0.45 and first.height < LARGER * doc.typical_height(1)


def _block_party(doc: Document, block: Block, score: float) -> Party:
    first = _name_cell(block)
    return _party(doc, first.line, first.start, first.end, score, first)


def _same_company(a: str, b: str) -> bool:
    def core(text: str) -> str:
        return re.sub(r"[^a-z0-9]", "", COMPANY_FORM.sub("", nz.fold(text)))
    return bool(core(a)) and core(a) == core(b)


# ---------------------------------------------------------------- the issuer's name elsewhere

def _header_name(doc: Document, customer: Party | None = None) -> Candidate | None:
    """The issuer's name at the top of page 1: text that stands out (larger than the body, or with a company form
    like SAS), that is not a label, an address or a contact, and not the customer's (nor its name printed again
    over a delivery address)."""
    page = doc.by_page.get(1, [])
    if not page:
        return None
    typical = doc.typical_height(1)
    best_candidate, best_score = None, 0.0
    for line in page:
        if line.top > HEADER or line.in_table:
            continue
        for start, end in line.runs:
            start, end = trim(line, start, end)
            if not _could_be_name(doc, line, start, end) or letters(COMPANY_FORM.sub("", line.folded[start:end])) < 3:
                continue
            if customer and _same_company(customer.name.value, line.text[start:end]):
                continue
            box = line.box(start, end)
            size = (box.y1 - box.y0) / typical
            form = COMPANY_FORM.search(line.folded[start:end]) is not None
            if size < LARGER and not form:
                continue
            score = size + 0.4 * form + (HEADER - line.top)
            if score > best_score:
                best_candidate, best_score = (line, start, end), score
    if not best_candidate:
        return None
    line, start, end = best_candidate
    confidence = min(0.92, 0.5 + 0.25 * best_score) * line.confidence(start, end)
    cell = doc.cell_at(line, start)
    if cell is None:
        return Candidate(_clean_name(line.text[start:end]), confidence, line, start, end)
    cell = _first_line_of_name(doc, cell)
    name = Candidate(_clean_name(cell.text), confidence, cell.line, cell.start, cell.end)
    _continue_name(doc, name, [cell] + cell.block.after(cell))
    return name


def _first_line_of_name(doc: Document, cell: Cell) -> Cell:
    """A large name wrapped over two lines: its first line, set the same, right above."""
    above = cell.block.above(cell)
    if (above and abs(above.height - cell.height) <= 0.1 * cell.height
            and _could_be_name(doc, above.line, above.start, above.end)):
        return above
    return cell


def _first_text(doc: Document, customer: Party | None = None) -> Candidate | None:
    """Nothing stands out: the first text at the very top of page 1 that could be a name, and is not the
    customer's, with little confidence."""
    for line in doc.by_page.get(1, []):
        if line.top > 0.15:
            return None
        for start, end in line.runs:
            start, end = trim(line, start, end)
            if _could_be_name(doc, line, start, end) and not (
                    customer and _same_company(customer.name.value, line.text[start:end])):
                return Candidate(_clean_name(line.text[start:end]), 0.5 * line.confidence(start, end), line, start,
                                 end)
    return None


def _could_be_name(doc: Document, line: Line, start: int, end: int) -> bool:
    text, folded = line.text[start:end], line.folded[start:end]
    if letters(text) < 3 or line.hits_in(start, end) or ADDRESS_LIKE.search(folded) or CONTACT_LIKE.search(folded):
        return False
    if nz.find_dates(text) or nz.find_amounts(text) and letters(text) < len(text) / 2:
        return False
    return doc.party_at(line, start) != "customer" and not TITLE.fullmatch(folded.strip())


def _legal_mention_name(doc: Document) -> Candidate | None:
    """'Fournitures Dupont SAS au capital de 10 000 € – RCS Lyon ...', 'Dupont - SARL au capital ...', 'Vente
    réalisée par Dupont SAS (SAS au capital ...)': the name that opens the legal mentions."""
    for line in reversed(doc.lines):
        if line.in_table or not LEGAL_MENTION.search(line.folded):
            continue
        run_start, run_end = line.runs[0]
        segment = re.split(r"\s[-–|•·]\s|,\s|\s\(", line.text[run_start:run_end])[0]
        segment = re.split(r"\s(?:au capital|with a share capital|capital social)\b", segment)[0]
        lead_in = ISSUED_BY.match(segment)
        start, end = trim(line, run_start + (lead_in.end() if lead_in else 0), run_start + len(segment))
        text = line.folded[start:end]
        if (doc.party_at(line, start) == "customer" or LEGAL_MENTION.search(text) or ADDRESS_LIKE.search(text)
                or CONTACT_LIKE.search(text) or any(hit.kind != "other" for hit in line.hits_in(start, end))):
            continue
        if letters(COMPANY_FORM.sub("", text)) >= 3:
            return Candidate(_clean_name(line.text[start:end]), 0.7 * line.confidence(start, end), line, start, end)
    return None


# ---------------------------------------------------------------- identifiers

@dataclass
class Identified:
    candidate: Candidate  # its raw value is the nz.Checked identifier
    party: str  # "supplier" | "customer"


def _party_at(doc: Document, line: Line, start: int) -> str:
    inside = doc.party_at(line, start)
    if inside:
        return inside
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
        party = "customer" if hit and hit.kind.startswith("customer") else _party_at(doc, candidate.line,
                                                                                      candidate.start)
        found[kind].append(Identified(candidate, party))

    for kind, hit_kinds, finder in LABELLED_IDENTIFIERS:
        for hit in doc.hits(*hit_kinds):
            for candidate in typed_near(doc, hit, finder, first_only=True):
                add(kind, candidate)
    for candidate in _sirens_before_rcs(doc):
        add("siren", candidate)
    for line in doc.lines:
        for kind, finder, only_valid in (("vat", nz.find_vats, False), ("siret", nz.find_sirets, True),
                                         ("iban", nz.find_ibans, True)):
            for span in finder(line.text):
                if (span.value.valid or not only_valid) and line.outside_table(span.start, span.end):
                    confidence = 0.85 * line.confidence(span.start, span.end)
                    add(kind, Candidate(span.value.value, confidence, line, span.start, span.end, span.value))
    return found


def _sirens_before_rcs(doc: Document) -> list[Candidate]:
    """'552 100 554 RCS Lyon': the registry's number printed before its label, when its check digit holds."""
    found = []
    for hit in doc.hits("siren"):
        if not RCS.fullmatch(nz.fold(hit.text)):
            continue
        line = hit.line
        sirens = [span for span in nz.find_sirens(line.text[:hit.start]) if span.value.valid
                  and not line.text[span.end:hit.start].strip(" ,-")]
        for span in sirens[-1:]:
            found.append(Candidate(span.value.value, 0.9 * hit.weight * line.confidence(span.start, span.end), line,
                                   span.start, span.end, span.value, hit))
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
        chosen = best(unique_by_value([i.candidate for i in found[kind] if i.party == party]))
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

