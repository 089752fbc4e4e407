"""A firm's client list imported from Excel, through the REST API (preview, mapping, per-row report, re-import
updates) and through `jefacture import-clients` on an .xls file."""
import io
import json
import os
import subprocess
import sys

import openpyxl
import pytest
import xlwt

from jefacture.onboarding import bearer, expect

from .conftest import THOMAS

pytestmark = pytest.mark.integration
HEADER = ["Raison sociale ", "Adresses rue", "CODE POSTAL", "Ville", "Pays", "N° SIREN", "Num TVA", "Langue",
          "Interlocuteur", "Langue du contact", "Email contact", "Clôture", "Destinataires"]


def row(name, siren, email, recipients="", vat=""):
    return [name, "", "", "", "France", siren, vat, "Français", "Jeanne Roux", "fr", email, "décembre", recipients]


def xlsx(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Export du logiciel de production — clients au 30/09"])
    sheet.merge_cells("A1:F1")
    sheet.append(HEADER)
    for values in rows:
        sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(api, session, path, content, filename="clients.xlsx", **fields):
    return api.post(path, headers=bearer(session), files={"file": (filename, content, "application/octet-stream")},
                    data=fields)


@pytest.fixture(scope="module")
def collaborator(api, rousseau):
    expect(api.post(f"/firms/{rousseau.firm_id}/collaborators", headers=bearer(rousseau.admin),
                    json={"email": THOMAS[0], "name": "Thomas Nguyen"}), 201)
    return THOMAS[0]


def test_preview_shows_the_header_and_a_suggested_mapping(api, rousseau):
    preview = expect(upload(api, rousseau.admin, f"/firms/{rousseau.firm_id}/imports/preview",
                            xlsx([row("Imprimerie Roux", "518762091", "a@roux.example")])), 200)
    assert preview["header"] == [title.strip() for title in HEADER]
    assert (preview["header_row"], preview["rows"]) == (2, 1)
    suggested = {int(column): field for column, field in preview["suggested_mapping"].items()}
    assert suggested == {0: "name", 1: "address", 2: "postal_code", 3: "city", 4: "country", 5: "siren",
                         6: "vat_number", 7: "language", 8: "representative_name", 9: "representative_language",
                         10: "representative_email", 11: "closing_month", 12: "recipients"}


def test_valid_rows_are_imported_others_reported_and_a_reimport_updates(api, rousseau, collaborator):
    rows = [row("Imprimerie Roux", "518762091", "a@roux.example", recipients=collaborator),
            [None] * len(HEADER),
            row("Plomberie Garnier", "482956174", "b@garnier.example", vat="FR00482956174"),
            row("Société inconnue", "123456789", "c@x.example"),
            row("Imprimerie Roux bis", "518762091", "d@roux.example"),
            row("Cabinet Fontaine", "798765434", "e@fontaine.example"),
            row("Boucherie Lefevre", "891452369", "f@lefevre.example", recipients="nobody@elsewhere.example")]
    report = expect(upload(api, rousseau.admin, f"/firms/{rousseau.firm_id}/imports", xlsx(rows)), 200)
    outcomes = {r["row"]: r["outcome"] for r in report["rows"]}
    assert outcomes == {3: "created", 5: "failed", 6: "failed", 7: "failed", 8: "failed", 9: "failed"}
    problems = {(p["row"], p["field"]) for p in report["problems"]}
    assert {(5, "vat_number"), (6, "siren"), (7, "siren"), (8, "siren"), (9, "recipients")} <= problems
    assert any("duplicate of row 3" in p["reason"] for p in report["problems"] if p["row"] == 7)
    assert any("69.20Z" in p["reason"] for p in report["problems"] if p["row"] == 8)
    assert (report["created"], report["failed"]) == (1, 5)

    created = next(r for r in report["rows"] if r["outcome"] == "created")
    dossier = expect(api.get(f"/dossiers/{created['dossier_id']}", headers=bearer(rousseau.admin)), 200)
    assert dossier["name"] == "Imprimerie Roux" and dossier["details"]["city"]  # address completed from SIRENE
    assert dossier["details"]["closing_month"] == "12"

    rows[0][8] = "Jeanne Roux-Martin"
    again = expect(upload(api, rousseau.admin, f"/firms/{rousseau.firm_id}/imports", xlsx(rows)), 200)
    assert (again["created"], again["updated"]) == (0, 1)
    assert next(r for r in again["rows"] if r["row"] == 3)["dossier_id"] == created["dossier_id"]
    updated = expect(api.get(f"/dossiers/{created['dossier_id']}", headers=bearer(rousseau.admin)), 200)
    assert updated["details"]["representative_name"] == "Jeanne Roux-Martin"


def test_recipients_become_assignments(api, rousseau, collaborator):
    from jefacture import onboarding

    thomas = onboarding.firm_login(api, *THOMAS)
    listed = expect(api.get(f"/firms/{rousseau.firm_id}/dossiers", headers=bearer(thomas)), 200)
    assert [entry["name"] for entry in listed] == ["Imprimerie Roux"]


def test_an_explicit_mapping_and_unreadable_files(api, rousseau):
    mapping = json.dumps({"5": "siren", "0": "name", "4": "country", "7": "language", "8": "representative_name",
                          "9": "representative_language", "10": "representative_email", "11": "closing_month"})
    report = expect(upload(api, rousseau.admin, f"/firms/{rousseau.firm_id}/imports",
                           xlsx([row("Transports Leroy", "404833048", "g@leroy.example")]), mapping=mapping), 200)
    assert report["created"] == 1
    twice = json.dumps({"0": "name", "1": "name"})
    assert upload(api, rousseau.admin, f"/firms/{rousseau.firm_id}/imports", xlsx([]), mapping=twice
                  ).status_code == 422
    refused = upload(api, rousseau.admin, f"/firms/{rousseau.firm_id}/imports/preview", b"%PDF-1.7 not a sheet",
                     filename="clients.xlsx")
    assert refused.status_code == 422 and refused.json()["error"]


def test_the_command_line_imports_an_xls_with_a_progress_bar(stack, rousseau, tmp_path, api):
    book = xlwt.Workbook()
    sheet = book.add_sheet("Clients")
    for column, title in enumerate(HEADER):
        sheet.write(0, column, title)
    for line, values in enumerate([row("Menuiserie Girard", "443178207", "h@girard.example"),
                                   row("Faure", "830541728", "i@faure.example"),
                                   row("Mauvais", "830541729", "j@x.example")], start=1):
        for column, value in enumerate(values):
            sheet.write(line, column, value)
    path = tmp_path / "clients.xls"
    book.save(str(path))

    env = {**os.environ, **stack.env, "VAR_DIR": str(stack.var_dir)}
    done = subprocess.run([sys.executable, "-m", "jefacture.cli", "import-clients", str(path), "--firm", "812345676",
                           "--as", "claire.rousseau@rousseau-expertise.example"], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2, done.stderr  # one row failed
    assert "2 created, 0 updated, 1 failed" in done.stdout
    assert "row 4: siren:" in done.stdout
    assert "3/3" in done.stderr  # the progress bar reached the end
    names = {entry["name"] for entry in expect(api.get(f"/firms/{rousseau.firm_id}/dossiers",
                                                       headers=bearer(rousseau.admin)), 200)}
    assert {"Menuiserie Girard", "Faure"} <= names

    unknown = subprocess.run([sys.executable, "-m", "jefacture.cli", "import-clients", str(path), "--firm",
                              "999999999", "--as", "claire.rousseau@rousseau-expertise.example"], env=env,
                             capture_output=True, text=True, timeout=120)
    assert unknown.returncode == 1 and "no firm has the SIREN or id '999999999'" in unknown.stderr
