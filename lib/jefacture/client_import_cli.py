"""`jefacture import-clients`: the web import of client dossiers, run by an operator for a firm admin, with a
progress bar and the per-row report. It works on identity's store directly, as the named admin (audited)."""
import json
import sys
from pathlib import Path

from tqdm import tqdm

from jefacture import mongo
from jefacture.settings import load


def import_clients(file: Path, firm_key: str, admin_email: str, mapping_json: str | None) -> int:
    from jefacture_identity.domain.client_import import read_spreadsheet, suggest_mapping
    from jefacture_identity.domain.permissions import Denied
    from jefacture_identity.grpc_server import build_context
    from jefacture_identity.handlers.context import Caller, Principal
    from jefacture_identity.handlers.imports import import_clients as run_import
    from jefacture_identity.settings import IdentitySettings

    settings = load(IdentitySettings)
    mongo.connect(settings, "identity")
    ctx = build_context(settings)
    firm = ctx.store.firm_by_siren(firm_key) or ctx.store.firm(firm_key)
    if firm is None:
        raise RuntimeError(f"no firm has the SIREN or id {firm_key!r}")
    admin = ctx.store.user_by_email(admin_email.strip().lower())
    if admin is None:
        raise RuntimeError(f"no user has the e-mail {admin_email!r}")
    content = file.read_bytes()
    try:
        sheet = read_spreadsheet(content, file.name)
    except ValueError as error:
        raise RuntimeError(f"{file.name}: {error}") from None
    mapping = _mapping(mapping_json) if mapping_json else suggest_mapping(sheet.header)
    print(f"{file.name}: header on row {sheet.header_row}, {len(sheet.rows)} rows; columns → fields:")
    for column, field in sorted(mapping.items()):
        print(f"  {column}: {sheet.header[column]!r} → {field}")
    principal = Principal(admin, "cli", ctx.store.grants_of(admin.user_id))
    try:
        with tqdm(total=len(sheet.rows), unit="row", file=sys.stderr) as bar:
            outcome = run_import(ctx, principal, firm.firm_id, content, file.name, mapping,
                                 Caller("cli", "jefacture import-clients"),
                                 progress=lambda done, total: bar.update(done - bar.n))
    except (ValueError, Denied) as error:
        raise RuntimeError(str(error)) from None
    for row, problem in outcome.problems:
        print(f"row {row}: {problem.field}: {problem.reason}")
    print(f"{outcome.count('created')} created, {outcome.count('updated')} updated, {outcome.count('failed')} failed")
    return 0 if outcome.count("failed") == 0 else 2


def _mapping(text: str) -> dict[int, str]:
    try:
        return {int(column): str(field) for column, field in json.loads(text).items()}
    except (ValueError, AttributeError):
        raise RuntimeError('--mapping must be JSON like {"0": "name", "3": "siren"}') from None
