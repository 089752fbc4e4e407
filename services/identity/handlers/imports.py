"""Importing a firm's client list from Excel: preview the header with a suggested mapping, then import every valid
row (creating or updating the firm's dossier for its SIREN) and report the others row by row."""
from dataclasses import dataclass, field, replace
from typing import Callable

from ..domain.client_import import (
    FieldProblem,
    RowResult,
    Sheet,
    apply_mapping,
    read_spreadsheet,
    suggest_mapping,
)
from ..domain.dossier import ACCOUNTING_ACTIVITY, DossierAlreadyExists, InvalidDossier
from ..domain.permissions import ASSIGNED, Grant, Permission, check_firm
from ..domain.user import normal_email
from .context import Caller, Context, Principal
from .dossiers import CompanyFacts, company_facts, fill_from_sirene, new_dossier


@dataclass(frozen=True)
class Preview:
    sheet: Sheet
    suggested: dict[int, str]


@dataclass
class ImportOutcome:
    rows: list[tuple[int, str, str, str]] = field(default_factory=list)  # row, created|updated|failed, dossier, siren
    problems: list[tuple[int, FieldProblem]] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row[1] == outcome)


def preview(ctx: Context, principal: Principal, firm_id: str, content: bytes, filename: str) -> Preview:
    check_firm(principal.grants, firm_id, Permission.FIRM_MANAGE)
    sheet = read_spreadsheet(content, filename)
    return Preview(sheet, suggest_mapping(sheet.header))


def import_clients(ctx: Context, principal: Principal, firm_id: str, content: bytes, filename: str,
                   mapping: dict[int, str] | None, caller: Caller,
                   progress: Callable[[int, int], None] = lambda done, total: None) -> ImportOutcome:
    """Asked by a firm admin (the gRPC API authenticates them; the CLI names them)."""
    check_firm(principal.grants, firm_id, Permission.FIRM_MANAGE)
    sheet = read_spreadsheet(content, filename)
    facts_by_siren: dict[str, CompanyFacts | None] = {}

    def complete(raw: dict) -> dict:
        siren = "".join(ch for ch in str(raw.get("siren") or "") if ch.isdigit())[:9]
        if siren not in facts_by_siren:
            try:
                facts_by_siren[siren] = company_facts(ctx, siren) if len(siren) == 9 else None
            except InvalidDossier:
                facts_by_siren[siren] = None
        return fill_from_sirene(raw, facts_by_siren[siren])

    results = apply_mapping(sheet, mapping or suggest_mapping(sheet.header), complete=complete)
    firm = ctx.store.firm(firm_id)
    staff = {normal_email(ctx.store.user(g.user_id).email): g.user_id
             for g in ctx.store.grants_on(firm_id) if g.scope == "firm"}
    outcome = ImportOutcome()
    for done, result in enumerate(results, start=1):
        problems = list(result.problems) + _row_problems(result, facts_by_siren, staff)
        if problems or result.form is None:
            outcome.rows.append((result.row, "failed", "", result.form.siren if result.form else ""))
            outcome.problems += [(result.row, problem) for problem in problems]
        else:
            dossier_id, verb = _save(ctx, firm, result, facts_by_siren.get(result.form.siren))
            for email in result.recipients:
                ctx.store.put_grant(Grant(staff[normal_email(email)], "dossier", dossier_id, ASSIGNED),
                                    principal.user.user_id, ctx.now())
            outcome.rows.append((result.row, verb, dossier_id, result.form.siren))
        progress(done, len(results))
    ctx.audit("clients_imported", caller, principal.user, firm_id=firm_id, filename=filename,
              created=outcome.count("created"), updated=outcome.count("updated"), failed=outcome.count("failed"))
    return outcome


def _row_problems(result: RowResult, facts_by_siren: dict, staff: dict[str, str]) -> list[FieldProblem]:
    problems = []
    if result.form is not None:
        facts = facts_by_siren.get(result.form.siren)
        if facts and facts.naf_code == ACCOUNTING_ACTIVITY:
            problems.append(FieldProblem("siren", f"{facts.name or result.form.siren} is an accounting firm "
                                                  f"(NAF {ACCOUNTING_ACTIVITY}): it cannot be a client dossier"))
    for email in result.recipients:
        if normal_email(email) not in staff:
            problems.append(FieldProblem("recipients", f"{email} is not a collaborator of this firm"))
    return problems


def _save(ctx: Context, firm, result: RowResult, facts: CompanyFacts | None) -> tuple[str, str]:
    """Creates the dossier, or updates the firm's dossier that already has the SIREN (re-imports never duplicate)."""
    existing = ctx.store.dossier_by_siren(firm.firm_id, result.form.siren)
    if existing is None:
        dossier = new_dossier(ctx, firm, result.form, facts)
        try:
            ctx.store.add_dossier(dossier)
            return dossier.dossier_id, "created"
        except DossierAlreadyExists as error:
            existing = ctx.store.dossier(error.dossier_id)
    ctx.store.save_dossier(replace(existing, details=result.form,
                                   legal_form=(facts.legal_form_code if facts else None) or existing.legal_form))
    return existing.dossier_id, "updated"
