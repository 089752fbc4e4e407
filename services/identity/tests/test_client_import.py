import datetime
import io
import time
import zipfile

import openpyxl
import pytest
import xlwt

from jefacture_identity.domain.client_form import FIELDS
from jefacture_identity.domain.client_import import (
    IMPORT_FIELDS,
    MAX_DATA_ROWS,
    InvalidMapping,
    Sheet,
    UnreadableSpreadsheet,
    apply_mapping,
    read_spreadsheet,
    suggest_mapping,
)

PEUGEOT = "552100554"
RENAULT = "441639465"
OTHER_COMPANY_VAT = "FR40303265045"  # SIREN 303265045

HEADER = ["  raison  sociale ", "N° SIREN", "Adresses rue", "code postal", "VILLE", "Pays", "N° TVA intra",
          "Langue", "Interlocuteur", "Langue du contact", "Email contact", "Date de clôture", "Destinataires"]
EXPECTED_MAPPING = {0: "name", 1: "siren", 2: "address", 3: "postal_code", 4: "city", 5: "country", 6: "vat_number",
                    7: "language", 8: "representative_name", 9: "representative_language",
                    10: "representative_email", 11: "closing_month", 12: "recipients"}
HEADER_TEXTS = [" ".join(text.split()) for text in HEADER]


def client_row(name="Peugeot SA", siren=PEUGEOT, address="75 avenue de la Grande Armée", postal_code=75016,
               city="Paris", country="France", vat=None, language="Français", contact="Jeanne Martin",
               contact_language="fr", email="jeanne.martin@example.fr", closing=datetime.datetime(2025, 12, 31),
               recipients="paul@cabinet.fr; anne@cabinet.fr") -> list:
    return [name, siren, address, postal_code, city, country, vat, language, contact, contact_language, email,
            closing, recipients]


def xlsx_bytes(rows: list[list], merges: tuple[str, ...] = (), more_sheets: dict[str, list[list]] | None = None,
               cells: dict[str, object] | None = None) -> bytes:
    """A workbook whose first sheet has the rows from row 1; None leaves a cell empty."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Clients"
    for row_number, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=1):
            if value is not None:
                sheet.cell(row=row_number, column=column, value=value)
    for area in merges:
        sheet.merge_cells(area)
    for coordinate, value in (cells or {}).items():
        sheet[coordinate] = value
    for title, other_rows in (more_sheets or {}).items():
        other = workbook.create_sheet(title)
        for row in other_rows:
            other.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xls_bytes(rows: list[list], merges: tuple[tuple[int, int, int, int, object], ...] = ()) -> bytes:
    """An .xls workbook (BIFF8) with the rows from row 1; merges are (first row, last row, first col, last col,
    value), 0-based; dates get a date format, as Excel does."""
    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("Clients")
    date_style = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    merged_cells = {(row, column) for first_row, last_row, first_col, last_col, _ in merges
                    for row in range(first_row, last_row + 1) for column in range(first_col, last_col + 1)}
    for row_number, row in enumerate(rows):
        for column, value in enumerate(row):
            if value is None or (row_number, column) in merged_cells:
                continue
            if isinstance(value, datetime.date):
                sheet.write(row_number, column, value, date_style)
            else:
                sheet.write(row_number, column, value)
    for first_row, last_row, first_col, last_col, value in merges:
        sheet.write_merge(first_row, last_row, first_col, last_col, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def messy_client_list() -> bytes:
    """A title merged over the width, a blank row, odd headers, an empty row between clients, a city merged over
    two rows."""
    rows = [
        ["Liste des clients du cabinet — export du 02/01/2026"],
        [],
        HEADER,
        client_row(siren=int(PEUGEOT)),
        [],
        client_row(name="Renault", siren=RENAULT, postal_code=7500, city="Lyon", language="anglais",
                   contact="John Smith", contact_language="English", email="John.Smith@Example.COM",
                   closing="30/06", recipients="anne@cabinet.fr"),
        client_row(name="Sans Ville", siren="732 829 320", city=None, closing="mars", recipients=None),
    ]
    return xlsx_bytes(rows, merges=("A1:M1", "E6:E7"))


def test_a_messy_xlsx_gives_the_header_below_the_title_and_the_client_rows_with_their_numbers():
    sheet = read_spreadsheet(messy_client_list(), "clients.xlsx")
    assert sheet.header_row == 3
    assert sheet.header == HEADER_TEXTS
    assert [row for row, _ in sheet.rows] == [4, 6, 7]
    assert all(len(values) == len(HEADER) for _, values in sheet.rows)


def test_values_come_back_as_python_values_and_merged_cells_repeat_their_value():
    rows = dict(read_spreadsheet(messy_client_list(), "clients.xlsx").rows)
    assert rows[4][1] == int(PEUGEOT) and rows[4][3] == 75016
    assert rows[4][11] == datetime.datetime(2025, 12, 31)
    assert rows[6][4] == "Lyon" and rows[7][4] == "Lyon"  # E6:E7 merged
    assert rows[4][6] is None


def test_the_usual_french_headers_are_recognised():
    assert suggest_mapping(HEADER) == suggest_mapping(HEADER_TEXTS) == EXPECTED_MAPPING


def test_the_messy_list_imports_cleanly():
    sheet = read_spreadsheet(messy_client_list(), "clients.xlsx")
    results = apply_mapping(sheet, suggest_mapping(sheet.header))
    assert [result.problems for result in results] == [(), (), ()]
    peugeot, renault, sans_ville = (result.form for result in results)
    assert (peugeot.siren, peugeot.postal_code, peugeot.closing_month, peugeot.country) == (PEUGEOT, "75016", 12, "FR")
    assert (renault.postal_code, renault.city, renault.language, renault.representative_language) == \
        ("07500", "Lyon", "en", "en")
    assert renault.representative_email == "john.smith@example.com" and renault.closing_month == 6
    assert (sans_ville.siren, sans_ville.city, sans_ville.closing_month) == ("732829320", "Lyon", 3)
    assert [result.recipients for result in results] == [("paul@cabinet.fr", "anne@cabinet.fr"),
                                                          ("anne@cabinet.fr",), ()]


def test_rows_with_problems_report_them_by_row_and_field_and_have_no_form():
    rows = [
        HEADER,
        client_row(siren="552100555"),
        client_row(name="Renault", siren=RENAULT, vat=OTHER_COMPANY_VAT),
        client_row(name="Peugeot bis", siren="552 100 554 00013", email="not-an-email"),
        client_row(name="Citroën", siren="542065479", recipients="paul@cabinet.fr, anne@, paul@cabinet.fr"),
    ]
    sheet = read_spreadsheet(xlsx_bytes(rows), "clients.xlsx")
    results = apply_mapping(sheet, EXPECTED_MAPPING)
    assert [result.row for result in results] == [2, 3, 4, 5]
    assert all(result.form is None for result in results)
    problems = [{problem.field: problem.reason for problem in result.problems} for result in results]
    assert "check digit" in problems[0]["siren"]
    assert "belongs to another company" in problems[1]["vat_number"] and RENAULT in problems[1]["vat_number"]
    assert set(problems[2]) == {"representative_email"}
    assert problems[3] == {"recipients": "recipient 'anne@' is not a valid e-mail address: "
                                         "There must be something after the @-sign."}
    assert results[3].recipients == ("paul@cabinet.fr",)


def test_a_siren_already_seen_in_an_earlier_row_is_a_duplicate_of_that_row():
    rows = [HEADER, client_row(), client_row(name="Renault", siren=RENAULT), client_row(siren=float(PEUGEOT)),
            client_row(siren="55210055400013", name="Peugeot établissement")]
    results = apply_mapping(read_spreadsheet(xlsx_bytes(rows), "clients.xlsx"), EXPECTED_MAPPING)
    assert [result.form is not None for result in results] == [True, True, False, False]
    assert [problem.reason for problem in results[2].problems] == [f"SIREN {PEUGEOT} is a duplicate of row 2"]
    assert [(problem.field, problem.reason) for problem in results[3].problems] == \
        [("siren", f"SIREN {PEUGEOT} is a duplicate of row 2")]


def test_an_invalid_first_row_still_makes_a_later_row_with_its_siren_a_duplicate():
    rows = [HEADER, client_row(email=None), client_row()]
    results = apply_mapping(read_spreadsheet(xlsx_bytes(rows), "clients.xlsx"), EXPECTED_MAPPING)
    assert [problem.field for problem in results[0].problems] == ["representative_email"]
    assert "duplicate of row 2" in results[1].problems[0].reason


def test_complete_fills_the_blanks_before_the_row_is_checked():
    register = {PEUGEOT: {"name": "PEUGEOT SA (register)", "address": "2-10 boulevard de l'Europe",
                          "postal_code": "78300", "city": "Poissy"}}
    seen = []

    def complete(raw: dict) -> dict:
        seen.append(dict(raw))
        known = register.get(str(raw["siren"]), {})
        return {**raw, **{field: value for field, value in known.items() if raw[field] is None}}

    rows = [HEADER, client_row(name=None, address=None, postal_code=None, city=None)]
    results = apply_mapping(read_spreadsheet(xlsx_bytes(rows), "clients.xlsx"), EXPECTED_MAPPING, complete=complete)
    assert results[0].problems == ()
    assert (results[0].form.name, results[0].form.city, results[0].form.postal_code) == \
        ("PEUGEOT SA (register)", "Poissy", "78300")
    assert set(seen[0]) == set(FIELDS) and seen[0]["iban"] is None and seen[0]["siren"] == PEUGEOT


def test_unmapped_required_fields_are_reported_as_missing_and_extra_columns_ignored():
    sheet = read_spreadsheet(xlsx_bytes([HEADER, client_row()]), "clients.xlsx")
    results = apply_mapping(sheet, {1: "siren", 0: "name"})
    missing = {problem.field for problem in results[0].problems}
    assert missing == {"country", "language", "closing_month", "address", "postal_code", "city",
                       "representative_name", "representative_language", "representative_email"}


@pytest.mark.parametrize("mapping, expected", [
    ({0: "name", 1: "sirene"}, "'sirene' is not a field to import"),
    ({0: "name", 1: "name"}, "name is mapped twice: to column A ('raison sociale') and to column B ('N° SIREN')"),
    ({0: "name", 13: "siren"}, "column index 13 (for siren) is out of range: the sheet has 13 columns"),
    ({-1: "siren"}, "column index -1 (for siren) is out of range"),
    ({True: "siren"}, "column index True"),
    ({"1": "siren"}, "column index '1'"),
])
def test_a_mapping_that_does_not_fit_the_sheet_is_refused(mapping, expected):
    sheet = read_spreadsheet(xlsx_bytes([HEADER, client_row()]), "clients.xlsx")
    with pytest.raises(InvalidMapping) as caught:
        apply_mapping(sheet, mapping)
    assert expected in str(caught.value)


def test_every_import_field_can_be_mapped():
    assert IMPORT_FIELDS == FIELDS + ("recipients",)
    header = ["SIREN", "Nom", "Pays", "Langue", "Mois de clôture", "N° de TVA", "IBAN", "BIC", "Adresse", "CP",
              "Commune", "Représentant légal", "Langue du représentant", "Courriel", "Collaborateurs"]
    assert suggest_mapping(header) == dict(enumerate(IMPORT_FIELDS))


@pytest.mark.parametrize("header, field", [
    ("RAISON SOCIALE", "name"), ("Nom", "name"), ("Dénomination", "name"), ("ADRESSES RUE", "address"),
    ("Adresse", "address"), ("Code Postal", "postal_code"), ("CP", "postal_code"), ("Ville", "city"),
    ("COMMUNE", "city"), ("PAYS", "country"), ("SIREN", "siren"), ("N° SIREN", "siren"), ("n°siren", "siren"),
    ("NUM TVA", "vat_number"), ("N° TVA INTRACOMMUNAUTAIRE", "vat_number"), ("TVA intra", "vat_number"),
    ("BIC", "bic"), ("IBAN", "iban"), ("LANGUE", "language"), ("INTERLOCUTEUR", "representative_name"),
    ("Contact", "representative_name"), ("Représentant légal", "representative_name"),
    ("LANGUE DU CONTACT", "representative_language"), ("EMAIL CONTACT", "representative_email"),
    ("Mail", "representative_email"), ("Courriel", "representative_email"), ("E-mail", "representative_email"),
    ("Adresse e-mail", "representative_email"), ("CLOTURE", "closing_month"), ("Mois de clôture", "closing_month"),
    ("DATE DE CLÔTURE", "closing_month"), ("DESTINATAIRES", "recipients"), ("collaborateurs", "recipients"),
    ("Recipients", "recipients"), ("  nom   du  CONTACT ", "representative_name"),
])
def test_each_usual_header_alone_maps_to_its_field(header, field):
    assert suggest_mapping([header]) == {0: field}


@pytest.mark.parametrize("header", ["Téléphone contact", "Taux de TVA", "Observations", "", "Date de création"])
def test_headers_naming_no_field_are_left_out(header):
    assert suggest_mapping([header]) == {}


def test_langue_and_langue_du_contact_and_email_contact_and_interlocuteur_do_not_collide():
    header = ["Langue du contact", "Interlocuteur", "Email contact", "Langue"]
    assert suggest_mapping(header) == {0: "representative_language", 1: "representative_name",
                                       2: "representative_email", 3: "language"}


def test_a_siret_column_stands_for_the_siren_only_when_there_is_no_siren_column():
    assert suggest_mapping(["SIRET", "Nom"]) == {0: "siren", 1: "name"}
    assert suggest_mapping(["SIRET", "Nom", "SIREN"]) == {1: "name", 2: "siren"}


def test_each_field_is_mapped_once_to_the_best_then_first_matching_column():
    assert suggest_mapping(["Adresse", "Adresse", "Ville"]) == {0: "address", 2: "city"}
    assert suggest_mapping(["Contact", "Représentant légal"]) == {1: "representative_name"}


def test_a_siret_column_is_imported_as_its_siren():
    sheet = read_spreadsheet(xlsx_bytes([["SIRET"] + HEADER[:1] + HEADER[2:],
                                         [55210055400013] + client_row()[:1] + client_row()[2:]]), "clients.xlsx")
    mapping = suggest_mapping(sheet.header)
    assert mapping[0] == "siren"
    [result] = apply_mapping(sheet, mapping)
    assert result.problems == () and result.form.siren == PEUGEOT


def test_an_xls_file_is_read_with_its_merges_dates_and_numbers():
    rows = [["Clients 2026"], HEADER, client_row(siren=float(PEUGEOT), postal_code=7500.0),
            [None] * 13,
            client_row(name="Renault", siren=RENAULT, closing=datetime.date(2025, 6, 30), recipients=None)]
    content = xls_bytes(rows, merges=((2, 4, 5, 5, "France"),))
    sheet = read_spreadsheet(content, "clients.xls")
    assert sheet.header_row == 2
    assert [row for row, _ in sheet.rows] == [3, 5]
    values = dict(sheet.rows)
    assert values[3][1] == int(PEUGEOT) and isinstance(values[3][1], int)
    assert values[5][11] == datetime.datetime(2025, 6, 30)
    assert values[3][5] == "France" and values[5][5] == "France"
    results = apply_mapping(sheet, suggest_mapping(sheet.header))
    assert [result.problems for result in results] == [(), ()]
    assert (results[0].form.postal_code, results[1].form.closing_month) == ("07500", 6)


def test_the_format_is_told_by_the_content_not_the_name():
    from_xlsx = read_spreadsheet(xlsx_bytes([HEADER, client_row()]), "clients.xls")
    from_xls = read_spreadsheet(xls_bytes([HEADER, client_row()]), "clients.xlsx")
    assert from_xlsx.header == from_xls.header == HEADER_TEXTS
    assert from_xlsx.rows == from_xls.rows


def test_only_the_first_sheet_is_read():
    content = xlsx_bytes([HEADER, client_row()], more_sheets={"Archives": [HEADER, client_row(name="Old")] * 3})
    sheet = read_spreadsheet(content, "clients.xlsx")
    assert len(sheet.rows) == 1 and sheet.rows[0][1][0] == "Peugeot SA"


def test_headers_nobody_recognises_fall_back_to_the_first_row_with_two_cells():
    sheet = read_spreadsheet(xlsx_bytes([["Titre"], ["Colonne 1", "Colonne 2"], ["a", "b"]]), "clients.xlsx")
    assert (sheet.header_row, sheet.header, sheet.rows) == (2, ["Colonne 1", "Colonne 2"], [(3, ["a", "b"])])


def test_a_row_only_reached_by_a_merged_range_counts_as_empty():
    content = xlsx_bytes([HEADER, client_row()], merges=("E2:E5",))
    assert [row for row, _ in read_spreadsheet(content, "clients.xlsx").rows] == [2]


def test_a_stray_cell_at_the_bottom_of_the_sheet_does_not_make_a_million_rows():
    content = xlsx_bytes([HEADER, client_row()], cells={"A1048576": "fin"})
    started = time.monotonic()
    sheet = read_spreadsheet(content, "clients.xlsx")
    assert time.monotonic() - started < 5
    assert [row for row, _ in sheet.rows] == [2, 1048576]
    assert len(sheet.header) == 13 and sheet.rows[1][1][0] == "fin"


def test_a_merged_range_reaching_far_right_is_cut_at_the_last_used_column():
    sheet = read_spreadsheet(xlsx_bytes([HEADER, client_row()], merges=("M2:CV2",)), "clients.xlsx")
    assert len(sheet.header) == 13 and sheet.rows[0][1][12] == "paul@cabinet.fr; anne@cabinet.fr"


def with_merges_in_sheet_xml(content: bytes, references: list[str]) -> bytes:
    """The workbook with mergeCell elements written straight into its first sheet's XML: openpyxl would take
    minutes to write a merge of the whole sheet itself."""
    merges = f'<mergeCells count="{len(references)}">' + "".join(
        f'<mergeCell ref="{reference}"/>' for reference in references) + "</mergeCells>"
    members = {}
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            members[name] = archive.read(name)
    sheet_xml = members["xl/worksheets/sheet1.xml"].decode()
    members["xl/worksheets/sheet1.xml"] = sheet_xml.replace("</sheetData>", "</sheetData>" + merges, 1).encode()
    return zip_of(members)


def test_a_merge_of_the_whole_sheet_is_refused_before_openpyxl_expands_it():
    content = with_merges_in_sheet_xml(xlsx_bytes([HEADER, client_row()]), ["A1:XFD1048576"])
    started = time.monotonic()
    with pytest.raises(UnreadableSpreadsheet, match="merged cells covering 17,179,869,184 cells, over the limit"):
        read_spreadsheet(content, "clients.xlsx")
    assert time.monotonic() - started < 5


def test_merges_written_straight_in_the_xml_are_read_like_excel_ones():
    content = with_merges_in_sheet_xml(xlsx_bytes([HEADER, client_row(), client_row(siren=RENAULT, city=None)]),
                                       ["E2:E3"])
    assert [values[4] for _, values in read_spreadsheet(content, "clients.xlsx").rows] == ["Paris", "Paris"]


@pytest.mark.parametrize("content, expected", [
    (b"", "clients.xlsx is empty"),
    ("Raison sociale;SIREN\nPeugeot;552100554\n".encode("cp1252"), "is a text file (CSV?)"),
    (b"\xef\xbb\xbfRaison sociale,SIREN\r\n", "is a text file (CSV?)"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "is a PDF document"),
    (b"<html><body><table><tr><td>SIREN</td></tr></table></body></html>", "web page or an XML file"),
    (bytes(range(256)) * 4, "neither an .xlsx nor an .xls workbook"),
    (b"PK\x03\x04" + b"\x00" * 200, "damaged zip file"),
    (bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 600, "clients.xlsx is a damaged Excel file"),
])
def test_files_that_are_not_excel_workbooks_are_refused_with_a_reason(content, expected):
    with pytest.raises(UnreadableSpreadsheet) as caught:
        read_spreadsheet(content, "clients.xlsx")
    assert expected in str(caught.value) and "\n" not in str(caught.value)


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_zip_that_is_not_a_workbook_is_refused():
    with pytest.raises(UnreadableSpreadsheet, match="not a readable Excel workbook"):
        read_spreadsheet(zip_of({"hello.txt": b"hello"}), "clients.xlsx")
    ods = zip_of({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"})
    with pytest.raises(UnreadableSpreadsheet, match="OpenDocument file"):
        read_spreadsheet(ods, "clients.xlsx")
    docx = zip_of({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"})
    with pytest.raises(UnreadableSpreadsheet, match="Word or PowerPoint document"):
        read_spreadsheet(docx, "clients.xlsx")


def zip_bomb(megabytes: int) -> bytes:
    """An xlsx-looking zip whose sheet inflates to megabytes of spaces, written by streaming (cheap in memory)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            chunk = b" " * (1024 * 1024)
            for _ in range(megabytes):
                member.write(chunk)
    return buffer.getvalue()


def test_a_zip_bomb_over_100_mb_is_refused_before_it_is_inflated():
    content = zip_bomb(101)
    assert len(content) < 1024 * 1024
    with pytest.raises(UnreadableSpreadsheet, match=r"would unzip to 101 MB .* refused"):
        read_spreadsheet(content, "bomb.xlsx")


def test_a_small_file_inflating_far_more_than_100_times_its_size_is_refused():
    with pytest.raises(UnreadableSpreadsheet, match="would unzip to 6 MB"):
        read_spreadsheet(zip_bomb(6), "bomb.xlsx")


def test_a_file_over_10_mb_is_refused_unread():
    with pytest.raises(UnreadableSpreadsheet, match=r"clients.xlsx is 10.0 MB, over the limit of 10 MB"):
        read_spreadsheet(b"PK\x03\x04" + b"\x00" * (10 * 1024 * 1024), "clients.xlsx")


def test_a_password_protected_workbook_is_refused_with_what_to_do():
    # An encrypted .xlsx is an OLE2 compound file holding an "EncryptedPackage" stream: its directory names it.
    content = bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 504 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 64
    with pytest.raises(UnreadableSpreadsheet, match="protected by a password; remove the password"):
        read_spreadsheet(content, "clients.xlsx")


def test_as_many_rows_as_the_limit_are_read_and_one_more_is_refused():
    rows = [["SIREN", "Nom"]] + [[PEUGEOT, f"Client {number}"] for number in range(MAX_DATA_ROWS)]
    assert len(read_spreadsheet(xlsx_bytes(rows), "clients.xlsx").rows) == MAX_DATA_ROWS
    with pytest.raises(UnreadableSpreadsheet, match="has 5,001 client rows, over the limit of 5,000"):
        read_spreadsheet(xlsx_bytes(rows + [[PEUGEOT, "one too many"]]), "clients.xlsx")


def test_more_than_100_columns_are_refused():
    header = [f"Colonne {number}" for number in range(101)]
    with pytest.raises(UnreadableSpreadsheet, match=r"uses 101 columns \(up to CW\), over the limit of 100"):
        read_spreadsheet(xlsx_bytes([header, ["x"] * 101]), "clients.xlsx")


def test_a_sheet_without_a_header_row_or_without_anything_is_refused():
    with pytest.raises(UnreadableSpreadsheet, match="no header row"):
        read_spreadsheet(xlsx_bytes([["one cell"], [None, "another"]]), "clients.xlsx")
    with pytest.raises(UnreadableSpreadsheet, match="the first sheet is empty"):
        read_spreadsheet(xlsx_bytes([]), "clients.xlsx")


def test_a_sheet_with_only_a_header_has_no_rows_to_import():
    sheet = read_spreadsheet(xlsx_bytes([HEADER]), "clients.xlsx")
    assert sheet == Sheet(header=HEADER_TEXTS, header_row=1, rows=[])
    assert apply_mapping(sheet, EXPECTED_MAPPING) == []
