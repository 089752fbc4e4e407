"""Where words sit on the page: lines, runs, labels, blocks, and values found next to their labels.

Words are grouped into lines (same baseline) and runs (words separated by ordinary spaces, in one font size). Runs
that sit under each other, close and overlapping, form blocks: an address, a column of totals, a sidebar (beside the
items table too). A field's value is the nearest value of the right type to the right of its label on the same line,
else just below it in the label's column; never a cell of the items table for a label outside it.
"""
import re
import statistics
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

from . import normalize as nz
from .reading import Box, Found, Word
from .vocabulary import IDENTIFIER_KINDS, LABEL_VOCABULARY, PARTY_KINDS, TOTAL_KINDS

RUN_GAP = 2.4  # a gap wider than this many average character widths separates runs (columns, label ... value)
FONT_STEP = 1.3  # words whose heights differ by more than this factor belong to different runs
BLOCK_GAP = 1.5  # runs at most this many line heights apart (and overlapping) belong to one block
BELOW_LINES = 3.6  # how far below a label (in its line's heights) a value may sit
NEAR_RIGHT = 0.45  # how far right of a label (in page widths) a free-text value may start
RIGHT, NEXT_RUN, BELOW, UNLABELLED = 0.96, 0.93, 0.88, 0.6
CHECK_FAILED = 0.4  # confidence factor for a value whose checksum or cross-check fails
SEPARATORS = " \t:;-–—.,>|=*"
LABEL_JOINER = re.compile(r"\s*(?:(?:de|du|des|d'|of)\s*(?:la\s+|l')?)+")  # folded words joining two labels
LABEL_COMPLEMENT = re.compile(r"\s+(?:de|du|des|d'|et|ou)\b[^\d:]*")  # what completes a label to its cell's end
# words that leave a label cut before its end ('Lieu d'exécution de la')
DANGLING = re.compile(r"(?:\s+(?:de|du|des|d'|la|le|les|l'|et|ou|a|au|aux|en|pour|of|and|or))+\s*")
WRAPPED = re.compile(r"(?<![a-z])(?:de|du|des|d'|la|l'|et|ou)$")  # a label ending so goes on on the next line
NUMBER_WORD = re.compile(r"n°|no|nr|numero|number|#|ref|reference")
DOCUMENT_NAME = re.compile(r"facture|avoir|invoice|credit note")


# ---------------------------------------------------------------- lines, runs, labels

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
    table_x0: float = 0.0  # where the items table starts on a table line: what is left of it is not the table's
    glued: set[int] = field(default_factory=set)  # starts of runs cut off at a label that words ran into

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

    def phrase_end(self, end: int) -> int:
        """The end of the run ending at `end` with the runs cut off it at labels: words printed as one phrase
        ('60 jours date de facture')."""
        for start, run_end in self.runs:
            if start == end + 1 and start in self.glued:
                return self.phrase_end(run_end)
        return end

    def phrase_start(self, start: int) -> int:
        """The start of the phrase a run cut off at a label belongs to (see phrase_end)."""
        for run_start, end in self.runs:
            if start in self.glued and end == start - 1:
                return self.phrase_start(run_start)
        return start

    def hits_in(self, start: int, end: int) -> list["Hit"]:
        return [hit for hit in self.hits if hit.start < end and hit.end > start]

    def outside_table(self, start: int, end: int) -> bool:
        return not self.in_table or self.box(start, end).x1 < self.table_x0


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

    @property
    def starts_run(self) -> bool:
        run_start, _ = self.line.run_at(self.start)
        return trim(self.line, run_start, self.start)[0] >= self.start

    @property
    def starts_clause(self) -> bool:
        """The first words of a clause inside a sentence: after '(', ',', ';' or a sentence's end ('Payable le :
        12/03/2026 (conditions : 30 jours net)'; not 'En cas de retard de paiement :')."""
        run_start, _ = self.line.run_at(self.start)
        return re.search(r"(?:^|[(,;]|\w\.)$", self.line.text[run_start:self.start].rstrip()) is not None

    @property
    def in_sentence(self) -> bool:
        """A word that may be a label, after words of a sentence in its run ('Comptant à réception de facture'; not
        'NO FACTURE', 'Total à régler TTC', or 'N* facture' as OCR may read 'N° facture')."""
        run_start, run_end = self.line.run_at(self.start)
        first = trim(self.line, run_start, run_end)[0]
        if self.weight >= 1 or first >= self.start or self.line.hits_in(first, first + 1):
            return False
        return any(letters(word) >= 3 for word in self.line.text[first:self.start].split())

    @property
    def announces(self) -> bool:
        """Followed by ':', or a label that is never part of a sentence (a total, an identifier)."""
        return bool(re.match(r"\s*:", self.line.text[self.end:])) or (
            self.kind in TOTAL_KINDS + IDENTIFIER_KINDS and self.weight >= 0.8)


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


def _height(word: Word) -> float:
    return word.box.y1 - word.box.y0


def _cluster_lines(words: list[Word]) -> list[list[Word]]:
    """Words whose vertical middles are within half a height of a line's middle belong to that line; the smaller
    height counts, so that a large title does not swallow the two lines of small text beside it."""
    lines: list[list[Word]] = []
    middles: list[float] = []
    heights: list[float] = []
    for word in sorted(words, key=lambda w: (w.box.y0 + w.box.y1) / 2):
        middle, height = (word.box.y0 + word.box.y1) / 2, _height(word)
        if lines and abs(middle - middles[-1]) <= 0.5 * min(height, heights[-1]):
            lines[-1].append(word)
            middles[-1] += (middle - middles[-1]) / len(lines[-1])
            heights[-1] = min(heights[-1], height)
        else:
            lines.append([word])
            middles.append(middle)
            heights.append(height)
    return [sorted(line, key=lambda w: w.box.x0) for line in lines]


def _separates_runs(left: Word, right: Word, char_width: float) -> bool:
    gap = right.box.x0 - left.box.x1
    low, high = sorted((_height(left), _height(right)))
    return gap > RUN_GAP * char_width or (low > 0 and high / low > FONT_STEP)


def _make_line(words: list[Word], page: int, number: int) -> Line:
    chars = sum(len(word.text) for word in words)
    char_width = sum(word.box.x1 - word.box.x0 for word in words) / max(chars, 1)
    parts, owners, runs, run_start = [], [], [], 0
    for index, word in enumerate(words):
        if index:
            separator = "\t" if _separates_runs(words[index - 1], word, char_width) else " "
            if separator == "\t":
                runs.append((run_start, len(owners)))
                run_start = len(owners) + 1
            parts.append(separator)
            owners.append(-1)
        parts.append(word.text)
        owners.extend([index] * len(word.text))
    runs.append((run_start, len(owners)))
    text = "".join(parts)
    line = Line(page, number, words, text, _elided_l(nz.fold(text)), owners, runs, min(w.box.y0 for w in words),
                max(w.box.y1 for w in words), char_width)
    hits = [Hit(kind, weight, line, match.start(), match.end())
            for match, kind, weight in LABEL_VOCABULARY.find(line.folded)]
    line.hits = _extend_label_tails(line, _join_label_phrases(line, _drop_values(line, hits)))
    _split_at_labels(line)
    return line


def _join_label_phrases(line: Line, hits: list[Hit]) -> list[Hit]:
    """A sure label completed by a weaker one after 'de', 'du', 'des' is one label, the sure one's ('Échéance de
    paiement'); so is a sure label with the number sign after it ('Votre commande n°'), and a party's label after
    the document's name ('Facture adressée à'), which announces that party."""
    joined: list[Hit] = []
    for hit in hits:
        previous = joined[-1] if joined else None
        kind = _phrase_kind(line, previous, hit) if previous else None
        if kind is None:
            joined.append(hit)
        else:
            joined[-1] = Hit(kind, max(previous.weight, hit.weight), line, previous.start, hit.end)
    return joined


def _phrase_kind(line: Line, first: Hit, second: Hit) -> str | None:
    """What two labels of one run announce together, or None when they are two labels."""
    if line.run_at(first.start) != line.run_at(second.start):
        return None
    between = line.folded[first.end:second.start]
    if between.strip():
        return first.kind if LABEL_JOINER.fullmatch(between) and first.weight >= 1 > second.weight else None
    if second.kind in PARTY_KINDS and DOCUMENT_NAME.fullmatch(line.folded[first.start:first.end]):
        return second.kind
    if NUMBER_WORD.fullmatch(line.folded[second.start:second.end]) and first.weight >= 1:
        return first.kind
    return None


def _extend_label_tails(line: Line, hits: list[Hit]) -> list[Hit]:
    """A label goes on over a few words up to its ':' ('Livraison effectuée au : 12 rue...'), or to the end of its
    cell over a complement when a value follows in the next cell ('Adresse de livraison des biens ⇥ 12 rue...') or
    over words that leave it cut before its end ('Lieu d'exécution de la', wrapped in its cell)."""
    extended: list[Hit] = []
    for index, hit in enumerate(hits):
        following = hits[index + 1].start if index + 1 < len(hits) else len(line.text)
        run_start, run_end = line.run_at(hit.start)
        tail = line.text[hit.end:min(run_end, following)]
        end = hit.end
        colon = re.match(r"((?:\s+[^\W\d_]+(?:'[^\W\d_]+)?){1,4})\s*:", tail)
        if colon and (hit.text.isupper() or not any(word[:1].isupper() for word in colon[1].split())):
            end = hit.end + len(colon[1])
        elif run_end <= following and tail.strip() and len(tail.split()) <= 5 and (
                line.runs_after(run_end + 1) and LABEL_COMPLEMENT.fullmatch(nz.fold(tail))
                or DANGLING.fullmatch(nz.fold(tail))):
            end = run_end
        extended.append(hit if end == hit.end else Hit(hit.kind, hit.weight, line, hit.start, end))
    return extended


def _elided_l(folded: str) -> str:
    """An elided 'l'' that OCR read as '1'' or 'I'' ('À 1'attention de', glued: 'À1'attention') is an 'l'' (same
    length)."""
    return re.sub(r"(?<![\w'])i(?='[a-z])|(?<![\d'])[1|](?='[a-z])", "l", folded)


def _split_at_labels(line: Line) -> None:
    """A sure label glued after text that no label announces starts a run of its own ('Dupont SAS Numéro de
    facture 2026-01' when an OCR engine read a name and the label beside it as one phrase)."""
    for hit in line.hits:
        run_start, run_end = line.run_at(hit.start)
        if (hit.weight < 1 or hit.kind == "other" or hit.start == run_start or line.text[hit.start - 1] != " "
                or line.hits_in(run_start, hit.start) or letters(line.text[run_start:hit.start]) < 3):
            continue
        line.runs[line.runs.index((run_start, run_end))] = (run_start, hit.start - 1)
        line.runs.append((hit.start, run_end))
        line.runs.sort()
        line.glued.add(hit.start)
        line.text = line.text[:hit.start - 1] + "\t" + line.text[hit.start:]
        line.folded = line.folded[:hit.start - 1] + "\t" + line.folded[hit.start:]


def _drop_values(line: Line, hits: list[Hit]) -> list[Hit]:
    """A label word right after 'Label :' is the value, not a label ('Modalités : Paiement à réception'), unless
    it has its own ':' ('Date : Échéance :' run together)."""
    kept: list[Hit] = []
    for hit in hits:
        previous = kept[-1] if kept else None
        if (previous and previous.kind != "other" and line.run_at(previous.start) == line.run_at(hit.start)
                and re.fullmatch(r"\s*:\s*", line.text[previous.end:hit.start])
                and not re.match(r"\s*:", line.text[hit.end:])):
            continue
        if previous and _opens_the_value_cell(line, previous, hit):
            continue
        kept.append(hit)
    return kept


def _opens_the_value_cell(line: Line, label: Hit, hit: Hit) -> bool:
    """A label's word at the start of the cell right after that label's own cell begins its value ('Paiement ⇥
    Paiement à réception'), unless it is the whole cell or has its own ':' (a row of labels)."""
    run = line.run_at(hit.start)
    runs = line.runs
    index = runs.index(run) if run in runs else 0
    cell = trim(line, *run)
    return (hit.kind == label.kind and index > 0 and cell[0] == hit.start and cell[1] > hit.end
            and trim(line, *runs[index - 1]) == trim(line, label.start, label.end)
            and not re.match(r"\s*:", line.text[hit.end:]))


def build_lines(pages: list[list[Word]]) -> list[Line]:
    lines: list[Line] = []
    for page_number, page_words in enumerate(pages, start=1):
        words = [part for word in page_words for part in _split_word(word)]
        for group in _cluster_lines(words):
            lines.append(_make_line(group, group[0].page or page_number, len(lines)))
    return lines


def trim(line: Line, start: int, end: int) -> tuple[int, int]:
    """Drop separators (': - – .') and spaces at both ends of a span."""
    while start < end and line.text[start] in SEPARATORS:
        start += 1
    while end > start and line.text[end - 1] in SEPARATORS.replace(".", ""):
        end -= 1
    return start, end


def letters(text: str) -> int:
    return sum(char.isalpha() for char in text)


# ---------------------------------------------------------------- blocks

@dataclass(eq=False)
class Cell:
    """One run of a line, trimmed, as a piece of a block."""
    line: Line
    start: int
    end: int
    block: "Block | None" = None

    @property
    def text(self) -> str:
        return self.line.text[self.start:self.end]

    @property
    def folded(self) -> str:
        return self.line.folded[self.start:self.end]

    @cached_property
    def box(self) -> Box:
        return self.line.box(self.start, self.end)

    @property
    def height(self) -> float:
        return self.box.y1 - self.box.y0


@dataclass(eq=False)
class Block:
    """Runs under each other, each overlapping the one above and close to it: an address, a column."""
    cells: list[Cell]

    @property
    def top(self) -> float:
        return self.cells[0].line.top

    def after(self, cell: Cell) -> list[Cell]:
        return self.cells[self.cells.index(cell) + 1:]

    def above(self, cell: Cell) -> Cell | None:
        index = self.cells.index(cell)
        return self.cells[index - 1] if index else None


def _overlap(a: Box, b: Box) -> float:
    return min(a.x1, b.x1) - max(a.x0, b.x0)


def find_blocks(lines: list[Line]) -> list[Block]:
    """The blocks of one page's lines (top to bottom), the items table left out (not a sidebar beside it). A run
    joins the block whose last run is just above it and overlaps it most; a block takes one run per line."""
    blocks: list[Block] = []
    open_blocks: list[Block] = []  # those whose last run is close enough above to be followed
    for line in lines:
        claims: list[tuple[float, Cell, Block]] = []
        cells = [Cell(line, *trim(line, start, end)) for start, end in line.runs if line.outside_table(start, end)]
        cells = [cell for cell in cells if cell.end > cell.start]
        open_blocks = [block for block in open_blocks
                       if line.top - block.cells[-1].box.y1 <= BLOCK_GAP * 2 * block.cells[-1].height]
        for cell in cells:
            box = cell.box
            for block in open_blocks:
                last = block.cells[-1]
                gap = box.y0 - last.box.y1
                if last.line is line or gap > BLOCK_GAP * max(last.height, cell.height) or gap < -0.5 * last.height:
                    continue
                overlap = _overlap(box, last.box)
                if overlap > 0:
                    claims.append((overlap, cell, block))
        for _, cell, block in sorted(claims, key=lambda claim: -claim[0]):
            if cell.block is None and block.cells[-1].line is not line:
                block.cells.append(cell)
                cell.block = block
        for cell in cells:
            if cell.block is None:
                cell.block = Block([cell])
                blocks.append(cell.block)
                open_blocks.append(cell.block)
    return blocks


# ---------------------------------------------------------------- the document being read

Finder = Callable[[str], list[nz.Span]]


class Document:
    def __init__(self, lines: list[Line]):
        self.lines = lines
        self.by_page: dict[int, list[Line]] = {}
        for line in lines:
            self.by_page.setdefault(line.page, []).append(line)
        self._cells: dict[tuple[int, int], Cell] = {}
        self._blocks: dict[int, list[Block]] = {}
        self.party_cells: dict[str, set[int]] = {"customer": set(), "supplier": set()}  # ids of the parties' cells

    def hits(self, *kinds: str) -> Iterator[Hit]:
        for line in self.lines:
            yield from (hit for hit in line.hits if hit.kind in kinds and line.outside_table(hit.start, hit.end))

    def typical_height(self, page: int = 1) -> float:
        lines = self.by_page.get(page) or self.lines
        return statistics.median(line.height for line in lines)

    # -- blocks
    def blocks(self, page: int) -> list[Block]:
        if page not in self._blocks:
            self._blocks[page] = find_blocks(self.by_page.get(page, []))
            for block in self._blocks[page]:
                for cell in block.cells:
                    self._cells[(cell.line.number, cell.line.run_at(cell.start)[0])] = cell
        return self._blocks[page]

    def cell_at(self, line: Line, position: int) -> Cell | None:
        self.blocks(line.page)
        return self._cells.get((line.number, line.run_at(position)[0]))

    def is_continued_text(self, line: Line, position: int) -> bool:
        """Whether the run at `position` goes on a block of text from the line above (an address), rather than
        starting one or being the value of a label on its left (a key / value column)."""
        cell = self.cell_at(line, position)
        above = cell.block.above(cell) if cell else None
        if above is None:
            return False
        if any(hit.box.x1 <= above.box.x0 + 0.005 for hit in above.line.hits if hit.kind != "other"):
            return False
        return not _keys_aligned(line, above)

    def party_at(self, line: Line, position: int) -> str | None:
        cell = self.cell_at(line, position)
        for party, cells in self.party_cells.items():
            if cell is not None and id(cell) in cells:
                return party
        return None

    # -- neighbours of a label
    def right_window(self, hit: Hit, free_text: bool = False) -> tuple[int, int]:
        """From the label's end to the next label on its line (or the line's end). For free text, only a label
        that announces a value of its own ends it ('60 jours date de facture' is one value), and a label of the
        same kind must have its ':' ('Cond. de règlement ⇥ Paiement à réception')."""
        line = hit.line
        following = [other.start for other in line.hits if other.start >= hit.end
                     and (not free_text or other.announces or other.starts_run and other.start not in line.glued
                          and other.kind != hit.kind)]
        if line.in_table and line.outside_table(hit.start, hit.end):  # a sidebar's label: the table is not its value
            following += [start for start, end in line.runs_after(hit.end) if not line.outside_table(start, end)]
        return hit.end, min(following, default=len(line.text))

    def lines_below(self, line: Line, box: Box) -> Iterator[Line]:
        """The lines under a label (its box on `line`), near enough for a value. Distances are in the label's own
        height: its line may be taller, a title or a table's row beside it (callers check the runs they take)."""
        height = box.y1 - box.y0
        page_lines = self.by_page[line.page]
        for other in page_lines[page_lines.index(line) + 1:]:
            if other.top - box.y1 > BELOW_LINES * height:
                return
            if other.bottom >= box.y1 + 0.5 * height:
                yield other

    def value_between(self, hit: Hit) -> tuple[Line, int, int] | None:
        """A label wrapped over two lines of its cell ('Lieu d'exécution de la / prestation') has its value beside
        it on a line of its own, between the label's two lines: the first run right of the label on the next line,
        when that line starts before the label's line ends and the label goes on under it."""
        line = hit.line
        if not WRAPPED.search(nz.fold(hit.text)):
            return None
        page_lines = self.by_page[line.page]
        index = page_lines.index(line)
        if index + 2 >= len(page_lines) or page_lines[index + 1].top >= line.bottom:
            return None
        between, rest = page_lines[index + 1], page_lines[index + 2]
        label_x0 = hit.box.x0
        if rest.top >= between.bottom or not any(abs(rest.box(start, end).x0 - label_x0) <= 2 * line.char_width
                                                 for start, end in rest.runs):
            return None
        for start, end in between.runs:
            x0 = between.box(start, end).x0
            if hit.box.x1 < x0 <= hit.box.x1 + NEAR_RIGHT and between.outside_table(start, end):
                return (between, *trim(between, start, end))
        return None

    def runs_in_band(self, line: Line, x0: float, x1: float) -> list[tuple[int, int]]:
        """The runs of `line` that overlap the column from x0 to x1, most overlapping first (none of the items
        table's)."""
        overlaps = []
        for start, end in line.runs:
            if not line.outside_table(start, end):
                continue
            r0, r1 = line.x_range(start, end)
            overlap = min(r1, x1) - max(r0, x0)
            if overlap > 0:
                overlaps.append((-overlap, start, end))
        return [(start, end) for _, start, end in sorted(overlaps)]

    def below(self, hit: Hit, free_text: bool = False) -> Iterator[tuple[int, Line, int, int]]:
        """(distance in lines, line, run start, run end) for the run under the label, until a label is met. For free
        text, a label of the same kind or one inside a sentence is part of the value ('Conditions de paiement' over
        'Paiement à 30 jours', 'Comptant à réception de facture')."""
        box = hit.box
        slack = 1.5 * hit.line.char_width
        for distance, line in enumerate(self.lines_below(hit.line, box)):
            runs = self.runs_in_band(line, box.x0 - slack, box.x1 + slack)
            if not runs:
                continue
            start, end = runs[0]
            if free_text:
                start, end = line.phrase_start(start), line.phrase_end(end)
            if line.box(start, end).y0 < box.y0 + 0.5 * (box.y1 - box.y0):
                continue
            labels = line.hits_in(start, end)
            if free_text and any(_opens_with_its_colon(other, trim(line, start, end)[0]) for other in labels):
                return
            if free_text:
                labels = [other for other in labels if other.kind != hit.kind
                          and (other.announces or trim(line, start, end)[0] >= other.start)]
            if any(other.kind != "other" or other.start == start for other in labels):
                return
            yield distance, line, start, end


def _opens_with_its_colon(hit: Hit, run_start: int) -> bool:
    """A run that opens with a label and its ':' gives that label's value, not the one of a heading above it
    ('Paiement' over 'Conditions : 30 jours net')."""
    return hit.start == run_start and re.match(r"\s*:", hit.line.text[hit.end:]) is not None


def _keys_aligned(line: Line, above: Cell) -> bool:
    """Whether the line above holds, left of `above`, text that starts where text of `line` starts: rows of a key /
    value column whose key was not read as a label (an OCR slip: 'Opératin...')."""
    starts = [line.box(start, end).x0 for start, end in line.runs]
    for start, end in above.line.runs:
        box = above.line.box(start, end)
        if box.x1 <= above.box.x0 and letters(above.line.text[start:end]) >= 3 and any(
                abs(box.x0 - x0) <= 2 * line.char_width for x0 in starts):
            return True
    return False


# ---------------------------------------------------------------- candidates: values next to labels

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


def best(candidates: list[Candidate]) -> Candidate | None:
    return max(candidates, key=lambda c: (c.score, -c.line.number), default=None)


def unique_by_value(candidates: list[Candidate]) -> list[Candidate]:
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


def typed_near(doc: Document, hit: Hit, finder: Finder, convert: Callable = str,
               first_only: bool = False) -> list[Candidate]:
    """Values of one type next to a label: to its right on its line (nearest first), else just below it. A word that
    may be a label, inside a sentence, announces only what follows it in its run."""
    line = hit.line
    start, end = doc.right_window(hit)
    in_sentence = hit.in_sentence
    if in_sentence:
        end = min(end, line.run_at(hit.start)[1])
    spans = finder(line.text[start:end])
    if first_only:
        spans = spans[:1]
    if spans:
        return [_candidate(hit, line, start + span.start, start + span.end, span.value, convert,
                           RIGHT * 0.92 ** order) for order, span in enumerate(spans)]
    for distance, under, run_start, run_end in [] if in_sentence else doc.below(hit):
        spans = finder(under.text[run_start:run_end])
        if spans:
            span = _most_under(hit, under, run_start, spans)
            return [_candidate(hit, under, run_start + span.start, run_start + span.end, span.value, convert,
                               BELOW - 0.05 * distance)]
    return []


def _most_under(hit: Hit, under: Line, offset: int, spans: list[nz.Span]) -> nz.Span:
    """Of several values in the run under a label (cells run together: '1 826,01 EUR 281,06 EUR'), the one
    that stands most under the label; the first when none does."""
    x0, x1 = hit.box.x0, hit.box.x1

    def overlap(span: nz.Span) -> float:
        box = under.box(offset + span.start, offset + span.end)
        return min(box.x1, x1) - max(box.x0, x0)

    best_span = max(spans, key=overlap)
    return best_span if overlap(best_span) > 0 and overlap(spans[0]) <= 0 else spans[0]


def _candidate(hit: Hit, line: Line, start: int, end: int, raw, convert: Callable, geometry: float) -> Candidate:
    score = hit.weight * geometry * line.confidence(start, end)
    return Candidate(convert(raw), score, line, start, end, raw, hit)


def text_near(doc: Document, hit: Hit, min_letters: int = 2) -> Candidate | None:
    """Free text announced by a label: the rest of the label's run, else the next run on its line (unless that run
    goes on a block of text begun above), else below."""
    line = hit.line
    window_start, window_end = doc.right_window(hit, free_text=True)
    run_start, run_end = line.run_at(hit.start)
    run_end = line.phrase_end(run_end)
    if not hit.starts_run:
        run_end = clause_end(line, hit.end, run_end)
    start, end = trim(line, hit.end, min(run_end, window_end))
    if letters(line.text[start:end]) >= min_letters:
        return text_candidate(hit, line, start, end, RIGHT)
    label_end = hit.box.x1
    for next_start, next_end in line.runs_after(run_end):
        if next_start >= window_end or line.x_range(next_start, next_end)[0] - label_end > NEAR_RIGHT:
            break
        start, end = trim(line, next_start, min(line.phrase_end(next_end), window_end))
        if (letters(line.text[start:end]) >= min_letters and not doc.is_continued_text(line, next_start)
                and not is_label_only(line, next_start, next_end)):
            return text_candidate(hit, line, start, end, NEXT_RUN)
        break
    between = doc.value_between(hit)
    if between:
        under, start, end = between
        if letters(under.text[start:end]) >= min_letters:
            return text_candidate(hit, under, start, end, NEXT_RUN)
    for distance, under, under_start, under_end in doc.below(hit, free_text=True):
        start, end = trim(under, under_start, under_end)
        if letters(under.text[start:end]) >= min_letters:
            return text_candidate(hit, under, start, end, BELOW - 0.05 * distance)
        return None
    return None


def clause_end(line: Line, start: int, end: int) -> int:
    """Where the clause that goes on from `start` ends: at a closing bracket, a ';' or the end of a sentence."""
    match = re.search(r"\)|;|\.(?=\s+[A-ZÀ-Ý])", line.text[start:end])
    return start + match.start() if match else end


def is_label_only(line: Line, start: int, end: int) -> bool:
    """Whether a run is a label waiting for its own value: a label and nothing else, or text ending with ':'."""
    if line.text[start:end].rstrip().endswith(":"):
        return True
    start, end = trim(line, start, end)
    return any(trim(line, hit.start, hit.end) == (start, end) for hit in line.hits_in(start, end))


def text_candidate(hit: Hit, line: Line, start: int, end: int, geometry: float) -> Candidate:
    score = hit.weight * geometry * line.confidence(start, end)
    return Candidate(" ".join(line.text[start:end].split()), score, line, start, end, hit=hit)
