"""The line-items table: a header with columns like Désignation / Qté / PU / Montant, rows under it, until a totals
line; a table cut by the page's end goes on on the next page, header repeated or not."""
from dataclasses import dataclass
from decimal import Decimal

from . import normalize as nz
from .layout import Document, Line
from .reading import InvoiceLine
from .vocabulary import AFTER_ITEMS_KINDS, COLUMN_VOCABULARY, TOTAL_KINDS

TABLE_SLACK = 0.02  # how far left of its first column header a table's cells may start
TABLE_ENDS = TOTAL_KINDS + ("payment_terms", "due_date", "iban", "bic")  # starting a run, these end the table


@dataclass
class Column:
    kind: str
    x0: float
    x1: float


def _header_columns(line: Line) -> list[Column] | None:
    """The columns of a line-items table, when the line is its header: column words, no figures from the first
    column on (what is left of it, like a sidebar's 'BIC ...', is not the table's)."""
    matches = list(COLUMN_VOCABULARY.find(line.folded))
    if not matches or any(char.isdigit() for char in line.text[line.run_at(matches[0][0].start())[0]:]):
        return None
    columns = []
    for match, kind, _ in matches:
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


def _starts_a_run(line: Line, kinds: tuple[str, ...]) -> bool:
    return any(hit.kind in kinds and hit.starts_run for hit in line.hits)


def _ends_the_table(line: Line, columns: list[Column]) -> bool:
    """A totals or payment line, or a label with its ':' ('Nature de l'opération :') where the table was (not in a
    sidebar left of it). A label that may be an ordinary word ('TVA') after a row's text is part of the row
    ('2 u x 29,54   TVA 5,5 %')."""
    table_x0 = columns[0].x0 - TABLE_SLACK
    return any(hit.starts_run and (hit.kind in TABLE_ENDS or hit.kind in AFTER_ITEMS_KINDS and hit.announces)
               and hit.box.x1 >= table_x0 and (hit.weight >= 1 or not _text_before(line, hit.start, table_x0))
               for hit in line.hits)


def _text_before(line: Line, position: int, table_x0: float) -> bool:
    """Whether the table's part of the line has words before `position` that no label announces."""
    return any(line.x_range(start, end)[1] >= table_x0 and not line.hits_in(start, end)
               for start, end in line.runs if end <= position)


def _reach(columns: list[Column], index: int) -> tuple[float, float]:
    column = columns[index]
    if column.kind == "description":
        following = columns[index + 1].x0 if index + 1 < len(columns) else 1.0
        return column.x0 - TABLE_SLACK, following - 0.005
    return column.x0 - TABLE_SLACK, column.x1 + TABLE_SLACK


def _column_of(columns: list[Column], x0: float, x1: float) -> Column:
    best, best_overlap = None, 0.0
    for index, column in enumerate(columns):
        r0, r1 = _reach(columns, index)
        overlap = min(x1, r1) - max(x0, r0)
        if overlap > best_overlap:
            best, best_overlap = column, overlap
    if best:
        return best
    middle = (x0 + x1) / 2
    return min(columns, key=lambda c: abs((c.x0 + c.x1) / 2 - middle))


def _columns_under(columns: list[Column], x0: float, x1: float) -> list[Column]:
    return [column for index, column in enumerate(columns)
            if min(x1, _reach(columns, index)[1]) - max(x0, _reach(columns, index)[0]) > 0]


def _numbers(line: Line, start: int, end: int) -> list[tuple[int, int]]:
    """The amounts and rates of a run, in order ('39,76 5,5 %' → '39,76', '5,5 %')."""
    text = line.text[start:end]
    spans = sorted((span.start, span.end) for span in _amounts(text) + nz.find_rates(text))
    return [(start + s, start + e) for s, e in spans]


def _row_cells(line: Line, columns: list[Column]) -> dict[str, str]:
    """Each run goes to the column it overlaps most; a run holding one number per column it spans ('39,76 5,5 %'
    set too close) is shared out among them in order."""
    cells: dict[str, list[str]] = {}
    for start, end in line.runs:
        x0, x1 = line.x_range(start, end)
        if x1 < columns[0].x0 - TABLE_SLACK:
            continue  # beside the table (a sidebar), not in it
        under, numbers = _columns_under(columns, x0, x1), _numbers(line, start, end)
        if len(under) > 1 and len(numbers) == len(under) and "description" not in {c.kind for c in under}:
            for column, (number_start, number_end) in zip(under, numbers, strict=True):
                cells.setdefault(column.kind, []).append(line.text[number_start:number_end])
            continue
        cells.setdefault(_column_of(columns, x0, x1).kind, []).append(line.text[start:end])
    return {kind: " ".join(parts) for kind, parts in cells.items()}


def _amounts(text: str) -> list[nz.Span]:
    """The amounts of a cell, except the day and year of a date ('13 octobre 2025')."""
    dates = nz.find_dates(text)
    return [span for span in nz.find_amounts(text) if not any(d.start <= span.start < d.end for d in dates)]


def _first_number(text: str | None) -> Decimal | None:
    amounts = _amounts(text or "")
    return amounts[0].value if amounts else None


def _rate_of(text: str | None) -> Decimal | None:
    rates = nz.find_rates(text or "")
    if rates:
        return rates[0].value
    number = _first_number(text)
    return number if number is not None and 0 <= number <= 30 else None


def _stated_rate(cells: dict[str, str]) -> Decimal | None:
    """Without a VAT column, the one rate the row states elsewhere ('6 u x 13,40   TVA 5,5 %')."""
    rates = {span.value for kind, text in cells.items() if kind != "discount" for span in nz.find_rates(text)}
    return rates.pop() if len(rates) == 1 else None


def _line_item(cells: dict[str, str], columns: list[Column]) -> InvoiceLine | None:
    amount = _first_number(cells.get("amount"))
    unit_price = _first_number(cells.get("unit_price"))
    quantity = _first_number(cells.get("quantity"))
    if amount is None and unit_price is None:
        return None
    has_rate_column = any(column.kind == "vat_rate" for column in columns)
    rate = _rate_of(cells.get("vat_rate")) if has_rate_column else _stated_rate(cells)
    return InvoiceLine(description=cells.get("description", "").strip(),
                       quantity=nz.format_quantity(quantity) if quantity is not None else None,
                       unit_price=nz.format_amount(unit_price) if unit_price is not None else None,
                       amount=nz.format_amount(amount) if amount is not None else None,
                       vat_rate=nz.format_rate(rate) if rate is not None else None)


def _mark(line: Line, columns: list[Column]) -> None:
    line.in_table, line.table_x0 = True, columns[0].x0 - TABLE_SLACK


def _header_below(doc: Document, line: Line, headers: dict[int, list[Column]]) -> bool:
    return any(number > line.number and doc.lines[number].page == line.page for number in headers)


def read_line_items(doc: Document) -> tuple[list[InvoiceLine], bool]:
    """The rows of the items table; a row without numbers continues the previous row's description; a running
    total carried over pages is not a row; on a page where the header is repeated, what is above it is not the
    table's. Returns (lines, whether there is a discount column)."""
    items: list[InvoiceLine] = []
    has_discount = False
    columns: list[Column] | None = None
    previous: Line | None = None  # the table's last line; None while looking for the table's next row
    left_page = 0  # the page where the table was left, below its last row
    headers = {line.number: columns for line in doc.lines if (columns := _header_columns(line))}
    for line in doc.lines:
        header = headers.get(line.number)
        if header:
            columns, previous = header, line
            _mark(line, header)
            has_discount |= any(column.kind == "discount" for column in header)
            continue
        if columns is None:
            continue
        if _ends_the_table(line, columns):
            columns = None
            continue
        if _starts_a_run(line, ("carried",)):
            continue
        if previous and (line.page != previous.page or line.top - previous.bottom > 3 * previous.height):
            left_page, previous = previous.page, None  # below the table: it may go on on the next page
        if previous is None and (line.page == left_page or _header_below(doc, line, headers)):
            continue
        item = _line_item(_row_cells(line, columns), columns)
        if item:
            items.append(item)
        elif previous and items and line.top - previous.bottom < 1.5 * line.height:
            text = " ".join(line.text[start:end] for start, end in line.runs
                            if line.x_range(start, end)[1] >= columns[0].x0 - TABLE_SLACK)  # not a sidebar's
            items[-1] = InvoiceLine(f"{items[-1].description} {text}".strip(), items[-1].quantity,
                                    items[-1].unit_price, items[-1].amount, items[-1].vat_rate)
        else:
            continue
        _mark(line, columns)
        previous = line
    return items, has_discount
