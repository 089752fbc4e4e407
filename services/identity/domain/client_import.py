"""Importing client dossiers from an accounting firm's Excel file.

Three steps: read_spreadsheet turns the file's bytes into a Sheet (header and rows of the first sheet);
suggest_mapping guesses which column holds which field from the usual French headers; apply_mapping checks each
row as a client form, with the mapping the accountant confirmed.
"""
import bisect
import io
import re
import warnings
import zipfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import openpyxl
import xlrd
from openpyxl.utils import get_column_letter, range_boundaries

from jefacture_identity.domain.client_form import (
    FIELDS,
    ClientForm,
    FieldProblem,
    InvalidClientForm,
    clean_client_form,
    clean_email,
    is_blank,
    plain_key,
    siren_of,
    text_of,
)

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024
MAX_ZIP_RATIO = 100  # uncompressed / compressed; real workbooks stay well under it
ZIP_RATIO_CHECKED_FROM_BYTES = 5 * 1024 * 1024  # tiny workbooks may compress very well, harmlessly
MAX_MERGED_CELLS = 100_000  # openpyxl makes an object per merged cell: A1:XFD1048576 would never finish
MAX_DATA_ROWS = 5_000
MAX_COLUMNS = 100
HEADER_SEARCH_ROWS = 20

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
MERGE_REFERENCE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([^"]*)"')
ENCRYPTED_OOXML_STREAM = "EncryptedPackage".encode("utf-16-le")  # a password-protected .xlsx is an OLE2 file

# recipients: the firm's collaborators to notify, as e-mails separated by commas or semicolons
IMPORT_FIELDS: tuple[str, ...] = FIELDS + ("recipients",)


class UnreadableSpreadsheet(ValueError):
    """The file cannot be read as a client list; the message says why in one line."""


class InvalidMapping(ValueError):
    """The column-to-field mapping does not fit the sheet; the message names the column or field at fault."""


@dataclass(frozen=True)
class Sheet:
    header: list[str]
    header_row: int  # 1-based, as the spreadsheet numbers it
    rows: list[tuple[int, list[object]]]  # (1-based row number, cell values aligned with header)


@dataclass(frozen=True)
class RowResult:
    row: int
    form: ClientForm | None  # None exactly when the row has problems: the row is importable when form is set
    recipients: tuple[str, ...]
    problems: tuple[FieldProblem, ...]


Cells = dict[int, dict[int, object]]  # row number (1-based) -> column index (0-based) -> non-blank value
Merge = tuple[int, int, int, int]  # first row, last row (1-based), first column, last column (0-based), inclusive


def read_spreadsheet(content: bytes, filename: str) -> Sheet:
    """The first sheet of an .xlsx or .xls file, whatever its name says: the format is told by the content.

    Only the first sheet is read. The header row is the first of the first 20 non-empty rows in which
    suggest_mapping recognises two headers or more (else the first with two filled cells); rows above it (titles)
    are ignored. A merged range's value is copied into each of its cells. Rows with no value of their own are
    skipped (a row filled only by a merged range reaching into it counts as empty). Numbers, dates and booleans
    come back as Python values (int for whole numbers, datetime for dates).
    """
    if not content:
        raise UnreadableSpreadsheet(f"{filename} is empty")
    if len(content) > MAX_FILE_BYTES:
        raise UnreadableSpreadsheet(
            f"{filename} is {len(content) / 1024 / 1024:.1f} MB, over the limit of {MAX_FILE_BYTES // 1024 // 1024} MB"
        )
    if content.startswith(ZIP_MAGIC):
        cells, merges = _read_xlsx(content, filename)
    elif content.startswith(OLE2_MAGIC):
        cells, merges = _read_xls(content, filename)
    else:
        raise UnreadableSpreadsheet(f"{filename} is not an Excel file: {_what_it_looks_like(content)}")
    return _sheet_of(cells, merges, filename)


def _what_it_looks_like(content: bytes) -> str:
    head = content[:2048]
    if head.startswith(b"%PDF"):
        return "it is a PDF document; give the client list as .xlsx or .xls"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return "it is a web page or an XML file; open it in Excel and save it as .xlsx"
    if b"\x00" not in head:
        return "it is a text file (CSV?); open it in Excel and save it as .xlsx"
    return "its content is neither an .xlsx nor an .xls workbook"


def _refuse_zip_bomb(archive: zipfile.ZipFile, compressed_bytes: int, filename: str) -> None:
    """Refuses archives that would unzip too big. zipfile stops reading a member at its declared size, so the
    declared sizes bound what openpyxl can inflate."""
    unzipped = sum(member.file_size for member in archive.infolist())
    too_big = unzipped > MAX_UNZIPPED_BYTES
    absurd_ratio = unzipped > ZIP_RATIO_CHECKED_FROM_BYTES and unzipped > MAX_ZIP_RATIO * compressed_bytes
    if too_big or absurd_ratio:
        raise UnreadableSpreadsheet(
            f"{filename} would unzip to {unzipped / 1024 / 1024:.0f} MB from {compressed_bytes / 1024 / 1024:.1f} MB: "
            f"refused (the limit is {MAX_UNZIPPED_BYTES // 1024 // 1024} MB and {MAX_ZIP_RATIO} times the file size)"
        )


def _refuse_other_zip_documents(archive: zipfile.ZipFile, filename: str) -> None:
    names = set(archive.namelist())
    if "mimetype" in names and b"opendocument" in archive.read("mimetype")[:200]:
        raise UnreadableSpreadsheet(
            f"{filename} is an OpenDocument file (LibreOffice); save it as .xlsx and upload it again"
        )
    if "word/document.xml" in names or "ppt/presentation.xml" in names:
        raise UnreadableSpreadsheet(f"{filename} is a Word or PowerPoint document, not an Excel workbook")


def _merged_cell_count(reference: bytes) -> int:
    try:
        first_column, first_row, last_column, last_row = range_boundaries(reference.decode("ascii"))
    except (ValueError, TypeError, UnicodeDecodeError):
        return 0  # not a range openpyxl could expand either
    return (last_column - first_column + 1) * (last_row - first_row + 1)


def _refuse_huge_merges(archive: zipfile.ZipFile, filename: str) -> None:
    """Refuses workbooks whose merged ranges cover too many cells, before openpyxl expands them. Every XML member
    is scanned, whatever its name: outside markup a '<' is escaped, so only real mergeCell elements match."""
    merged = 0
    for member in archive.infolist():
        if member.filename.lower().endswith(".xml"):
            merged += sum(map(_merged_cell_count, MERGE_REFERENCE.findall(archive.read(member))))
    if merged > MAX_MERGED_CELLS:
        raise UnreadableSpreadsheet(
            f"{filename} has merged cells covering {merged:,} cells, over the limit of {MAX_MERGED_CELLS:,}; "
            "unmerge them and upload it again"
        )


def _read_xlsx(content: bytes, filename: str) -> tuple[Cells, list[Merge]]:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            _refuse_zip_bomb(archive, len(content), filename)
            _refuse_other_zip_documents(archive, filename)
            _refuse_huge_merges(archive, filename)
    except zipfile.BadZipFile:
        raise UnreadableSpreadsheet(f"{filename} is a damaged zip file, not a readable Excel workbook") from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about extensions it drops: nothing the user can act on
            workbook = openpyxl.load_workbook(io.BytesIO(content), data_only=True)
    except Exception as error:  # openpyxl raises many kinds of errors on a damaged or foreign archive
        raise UnreadableSpreadsheet(f"{filename} is not a readable Excel workbook: {error}") from None
    if not workbook.worksheets:
        raise UnreadableSpreadsheet(f"{filename} has no worksheet")
    sheet = workbook.worksheets[0]
    cells: Cells = defaultdict(dict)
    # The cell store, not iter_rows: iter_rows creates every cell of the used rectangle, and one stray cell at
    # row 1,048,576 would make a million rows.
    for (row, column), cell in sheet._cells.items():
        if not is_blank(cell.value):
            cells[row][column - 1] = cell.value
    merges = [(area.min_row, area.max_row, area.min_col - 1, area.max_col - 1) for area in sheet.merged_cells.ranges]
    return cells, merges


def _read_xls(content: bytes, filename: str) -> tuple[Cells, list[Merge]]:
    password_protected = UnreadableSpreadsheet(
        f"{filename} is protected by a password; remove the password in Excel and upload it again"
    )
    if ENCRYPTED_OOXML_STREAM in content:
        raise password_protected
    try:
        book = _open_xls(content)
    except xlrd.XLRDError as error:
        if "encrypted" in str(error).lower():
            raise password_protected from None
        raise UnreadableSpreadsheet(f"{filename} is not a readable Excel workbook: {error}") from None
    except Exception as error:  # xlrd raises assorted errors (CompDocError, struct.error, ...) on damaged files
        raise UnreadableSpreadsheet(f"{filename} is a damaged Excel file: {error}") from None
    if book.nsheets == 0:
        raise UnreadableSpreadsheet(f"{filename} has no worksheet")
    sheet = book.sheet_by_index(0)
    cells: Cells = defaultdict(dict)
    for row in range(sheet.nrows):
        for column in range(sheet.row_len(row)):
            value = _xls_value(sheet.cell(row, column), book.datemode)
            if not is_blank(value):
                cells[row + 1][column] = value
    merges = [(first_row + 1, end_row, first_col, end_col - 1) for first_row, end_row, first_col, end_col in
              sheet.merged_cells]
    return cells, merges


def _open_xls(content: bytes) -> xlrd.book.Book:
    """The workbook with its merged cells (formatting_info); without them for the old files where xlrd cannot
    read formatting."""
    try:
        return xlrd.open_workbook(file_contents=content, formatting_info=True, ragged_rows=True)
    except NotImplementedError:
        return xlrd.open_workbook(file_contents=content, ragged_rows=True)


def _xls_value(cell: xlrd.sheet.Cell, datemode: int) -> object:
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate.xldate_as_datetime(cell.value, datemode)
        except (xlrd.xldate.XLDateError, ValueError, OverflowError):
            return cell.value
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#ERROR")
    if cell.ctype == xlrd.XL_CELL_NUMBER and float(cell.value).is_integer():
        return int(cell.value)  # .xls stores every number as a float; whole numbers read as int, like .xlsx
    return cell.value


def _sheet_of(cells: Cells, merges: list[Merge], filename: str) -> Sheet:
    own_rows = sorted(cells)  # rows with a value of their own, before merged values are copied
    if not own_rows:
        raise UnreadableSpreadsheet(f"{filename}: the first sheet is empty")
    width = 1 + max(column for row in own_rows for column in cells[row])
    if width > MAX_COLUMNS:
        raise UnreadableSpreadsheet(
            f"{filename}: the first sheet uses {width} columns (up to {get_column_letter(width)}), "
            f"over the limit of {MAX_COLUMNS}"
        )
    _copy_merged_values(cells, merges, own_rows, width)
    header_row = _header_row(cells, own_rows, width, filename)
    data_rows = [row for row in own_rows if row > header_row]
    if len(data_rows) > MAX_DATA_ROWS:
        raise UnreadableSpreadsheet(
            f"{filename}: the first sheet has {len(data_rows):,} client rows, over the limit of {MAX_DATA_ROWS:,}; "
            "split it into several files"
        )
    header = [text_of(value) for value in _values(cells, header_row, width, blank="")]
    return Sheet(header=header, header_row=header_row,
                 rows=[(row, _values(cells, row, width)) for row in data_rows])


def _values(cells: Cells, row: int, width: int, blank: object = None) -> list[object]:
    return [cells[row].get(column, blank) for column in range(width)]


def _copy_merged_values(cells: Cells, merges: list[Merge], own_rows: list[int], width: int) -> None:
    """Copies each merged range's top-left value into its other cells, only in rows that have values of their own
    and columns within width (a merged range may span a whole sheet)."""
    for first_row, last_row, first_column, last_column in merges:
        value = cells.get(first_row, {}).get(first_column)
        if value is None:
            continue
        start, end = bisect.bisect_left(own_rows, first_row), bisect.bisect_right(own_rows, last_row)
        for row in own_rows[start:end]:
            for column in range(first_column, min(last_column, width - 1) + 1):
                cells[row].setdefault(column, value)


def _header_row(cells: Cells, own_rows: list[int], width: int, filename: str) -> int:
    candidates = own_rows[:HEADER_SEARCH_ROWS]
    for row in candidates:
        texts = [value if isinstance(value, str) else "" for value in _values(cells, row, width)]
        if len(suggest_mapping(texts)) >= 2:
            return row
    for row in candidates:
        if len(cells[row]) >= 2:
            return row
    raise UnreadableSpreadsheet(
        f"{filename}: no header row; none of the first {HEADER_SEARCH_ROWS} rows has two or more filled cells"
    )


# Header words carrying no meaning ("N° de TVA" is "TVA"), and words of headers that must not be mapped at all
_FILLER_WORDS = frozenset({"n", "no", "nr", "num", "numero", "de", "du", "des", "d", "la", "le", "l", "les", "the",
                           "of", "a"})
_UNMAPPED_WORDS = frozenset({"telephone", "tel", "phone", "portable", "mobile", "fax", "taux", "regime", "rate"})

_SYNONYMS: dict[str, tuple[str, ...]] = {
    "siren": ("siren",),
    "name": ("raison sociale", "nom", "denomination", "denomination sociale", "societe", "entreprise", "client",
             "company", "company name", "name"),
    "address": ("adresse", "adresse rue", "rue", "address", "street"),
    "postal_code": ("code postal", "cp", "postal code", "postcode", "zip", "zip code"),
    "city": ("ville", "commune", "localite", "city", "town"),
    "country": ("pays", "country"),
    "vat_number": ("tva", "tva intracommunautaire", "tva intra", "identifiant tva", "vat", "vat number"),
    "bic": ("bic", "code bic", "swift"),
    "iban": ("iban",),
    "language": ("langue", "language", "langue client"),
    "representative_name": ("interlocuteur", "contact", "representant", "representant legal", "dirigeant",
                            "gerant", "nom contact", "nom representant", "nom dirigeant", "nom gerant",
                            "nom interlocuteur", "representative", "legal representative"),
    "representative_language": ("langue contact", "langue representant", "langue interlocuteur",
                                "langue dirigeant", "langue gerant", "contact language", "representative language"),
    "representative_email": ("email", "mail", "courriel", "email contact", "mail contact", "adresse email",
                             "adresse mail", "adresse courriel"),
    "closing_month": ("cloture", "mois cloture", "date cloture", "cloture exercice", "fin exercice", "closing",
                      "closing month", "year end"),
    "recipients": ("destinataire", "collaborateur", "recipient"),
}
_FALLBACK_SYNONYMS = {"siren": ("siret",)}  # a SIRET column stands for the SIREN only when there is no SIREN column
FALLBACK_SCORE = 0.5
EXACT_BONUS = 0.25
# When a header matches two fields equally ("Email représentant"), the field listed first wins
_PRIORITY = ("recipients", "representative_email", "representative_language", "representative_name", "siren",
             "vat_number", "iban", "bic", "closing_month", "postal_code", "language", "country", "city", "address",
             "name")


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def _header_words(text: str) -> frozenset[str]:
    key = re.sub(r"\be mail\b", "email", plain_key(text))
    return frozenset(_singular(word) for word in key.split() if word not in _FILLER_WORDS)


_SYNONYM_WORDS = {field: [_header_words(synonym) for synonym in synonyms] for field, synonyms in _SYNONYMS.items()}
_FALLBACK_WORDS = {field: [_header_words(synonym) for synonym in synonyms]
                   for field, synonyms in _FALLBACK_SYNONYMS.items()}


def _score(words: frozenset[str], synonym: frozenset[str], base: float) -> float:
    if not synonym <= words:
        return 0.0
    return base + (EXACT_BONUS if synonym == words else 0.0)


def _best_field(header: str) -> tuple[str, float] | None:
    """The field a header most likely names, with its score: the more synonym words it holds, the better."""
    words = _header_words(header)
    if not words or words & _UNMAPPED_WORDS:
        return None
    scores = {}
    for field in _PRIORITY:
        candidates = [_score(words, synonym, len(synonym)) for synonym in _SYNONYM_WORDS[field]]
        candidates += [_score(words, synonym, FALLBACK_SCORE) for synonym in _FALLBACK_WORDS.get(field, [])]
        scores[field] = max(candidates)
    field = max(_PRIORITY, key=lambda name: (scores[name], -_PRIORITY.index(name)))
    return (field, scores[field]) if scores[field] > 0 else None


def suggest_mapping(header: list[str]) -> dict[int, str]:
    """Column index -> field, guessed from the headers' words (case, accents, punctuation and plural ignored).

    Each field goes to at most one column: the one whose header matches it best, the first one on a tie.
    A SIRET column maps to siren only when no column is a SIREN one; cleaning keeps the SIRET's first 9 digits.
    Headers about phones, rates or tax regimes ("Téléphone contact", "Taux de TVA") map to nothing.
    """
    best_column: dict[str, tuple[float, int]] = {}
    for column, text in enumerate(header):
        match = _best_field(text or "")
        if match is None:
            continue
        field, score = match
        if field not in best_column or score > best_column[field][0]:
            best_column[field] = (score, column)
    return dict(sorted((column, field) for field, (_, column) in best_column.items()))


def _column_name(sheet: Sheet, column: int) -> str:
    return f"column {get_column_letter(column + 1)} ({sheet.header[column]!r})"


def _check_mapping(sheet: Sheet, mapping: dict[int, str]) -> None:
    column_of_field: dict[str, int] = {}
    for column, field in mapping.items():
        if field not in IMPORT_FIELDS:
            raise InvalidMapping(f"{field!r} is not a field to import; the fields are {', '.join(IMPORT_FIELDS)}")
        if isinstance(column, bool) or not isinstance(column, int) or not 0 <= column < len(sheet.header):
            raise InvalidMapping(
                f"column index {column!r} (for {field}) is out of range: the sheet has {len(sheet.header)} columns, "
                f"numbered 0 to {len(sheet.header) - 1}"
            )
        if field in column_of_field:
            raise InvalidMapping(
                f"{field} is mapped twice: to {_column_name(sheet, column_of_field[field])} "
                f"and to {_column_name(sheet, column)}"
            )
        column_of_field[field] = column


def _recipients(value: object) -> tuple[tuple[str, ...], list[FieldProblem]]:
    """The collaborators' e-mails of a cell, separated by commas, semicolons or spaces; bad ones as problems."""
    if is_blank(value):
        return (), []
    emails: list[str] = []
    problems = []
    for part in re.split(r"[,;\s]+", text_of(value)):
        if not part:
            continue
        try:
            email = clean_email(part, "recipient")
        except ValueError as error:
            problems.append(FieldProblem("recipients", str(error)))
            continue
        if email not in emails:
            emails.append(email)
    return tuple(emails), problems


def apply_mapping(sheet: Sheet, mapping: dict[int, str], *,
                  complete: Callable[[dict], dict] | None = None) -> list[RowResult]:
    """Each row checked as a client form, its values taken from the mapped columns.

    complete(raw), when given, gets every FIELDS key (None when blank or unmapped) and returns the values to
    check, e.g. with blanks filled from the company register. A row whose SIREN appeared in an earlier row is
    refused as a duplicate. A row is importable when its form is set: it then has no problems.
    """
    _check_mapping(sheet, mapping)
    column_of = {field: column for column, field in mapping.items()}
    first_row_of_siren: dict[str, int] = {}
    results = []
    for row, values in sheet.rows:
        raw = {field: values[column_of[field]] if field in column_of else None for field in FIELDS}
        if complete is not None:
            raw = complete(raw)
        problems = _duplicate_problems(row, siren_of(raw.get("siren")), first_row_of_siren)
        try:
            form = clean_client_form(raw)
        except InvalidClientForm as invalid:
            form = None
            problems += invalid.problems
        recipients, recipient_problems = _recipients(values[column_of["recipients"]] if "recipients" in column_of
                                                      else None)
        problems += recipient_problems
        results.append(RowResult(row=row, form=None if problems else form, recipients=recipients,
                                 problems=tuple(problems)))
    return results


def _duplicate_problems(row: int, siren: str | None, first_row_of_siren: dict[str, int]) -> list[FieldProblem]:
    if siren is None:
        return []
    if siren in first_row_of_siren:
        return [FieldProblem("siren", f"SIREN {siren} is a duplicate of row {first_row_of_siren[siren]}")]
    first_row_of_siren[siren] = row
    return []
