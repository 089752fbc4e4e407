"""Accounting firms: cabinets and terms of use, collaborators, the client list, SIRENE lookup, Excel import."""
import json

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from ..access import BackendsDep, SignedIn
from ..adapters.backends import Backends
from ..adapters.identity import Caller, as_dict
from ..domain.errors import InvalidInput
from ..schemas import ClientDossier, ClientListEntry, Error, FirmView, NewCollaborator, TermsBody
from ..uploads import read_upload

router = APIRouter(tags=["firms"])
ERRORS = {401: {"model": Error}, 403: {"model": Error}, 404: {"model": Error}, 422: {"model": Error}}
MAX_SPREADSHEET_BYTES = 10 * 1024 * 1024
# The reporting states counted in each column of the client list.
TO_SEND = ("validated",)
AWAITING_INTEGRATION = ("received", "extracted", "sealed")
ACTION_REQUIRED = ("rejected", "needs_review")


@router.get("/cabinets", responses=ERRORS)
def cabinets(backends: BackendsDep, caller: SignedIn) -> dict:
    """The cabinets the profession's register links to the person, and whether the terms were accepted."""
    return as_dict(backends.identity.call("ListCabinets", caller))


@router.post("/cabinets/{siren}/terms", response_model=FirmView, responses=ERRORS)
def accept_terms(siren: str, body: TermsBody, backends: BackendsDep, caller: SignedIn) -> dict:
    """Accepting the terms of use opens the cabinet, its own dossier (500 invoices free) and invites the signer."""
    return as_dict(backends.identity.call("AcceptTerms", caller, siren=siren, version=body.version))


@router.get("/firms/{firm_id}/collaborators", responses=ERRORS)
def collaborators(firm_id: str, backends: BackendsDep, caller: SignedIn) -> dict:
    return as_dict(backends.identity.call("ListCollaborators", caller, firm_id=firm_id))


@router.post("/firms/{firm_id}/collaborators", status_code=201, responses=ERRORS)
def add_collaborator(firm_id: str, body: NewCollaborator, backends: BackendsDep, caller: SignedIn) -> dict:
    return as_dict(backends.identity.call("AddCollaborator", caller, firm_id=firm_id, email=body.email,
                                          name=body.name, admin=body.admin))


@router.get("/companies/{siren}", responses=ERRORS)
def lookup_company(siren: str, backends: BackendsDep, caller: SignedIn) -> dict:
    """What SIRENE says of a SIREN: name, address, legal form, activity — to fill the dossier form."""
    return as_dict(backends.identity.call("LookupCompany", caller, siren=siren))


@router.post("/firms/{firm_id}/dossiers", status_code=201, response_model=ClientDossier,
             responses={**ERRORS, 409: {"model": Error}})
def create_dossier(firm_id: str, fields: dict[str, str | int | None], backends: BackendsDep,
                   caller: SignedIn) -> dict:
    """The client dossier form: siren, name, country, language, closing_month, vat_number, iban, bic, address,
    postal_code, city, representative_name, representative_language, representative_email. Blanks are filled
    from SIRENE; a refused form lists its `problems` field by field."""
    given = {name: str(value) for name, value in fields.items() if value is not None}
    return as_dict(backends.identity.call("CreateDossier", caller, firm_id=firm_id, fields=given))


@router.get("/firms/{firm_id}/dossiers", response_model=list[ClientListEntry], responses=ERRORS)
def client_list(firm_id: str, backends: BackendsDep, caller: SignedIn) -> list[ClientListEntry]:
    """The firm's clients: a collaborator sees only the dossiers assigned to them."""
    reply = backends.identity.call("ListDossiers", caller, firm_id=firm_id)
    return [_entry(backends, dossier) for dossier in reply.dossiers]


def _entry(backends: Backends, dossier) -> ClientListEntry:
    counts = backends.reporting.get_dossier_stats(dossier.dossier_id).invoices_by_state if dossier.status == "active" \
        else {}
    return ClientListEntry(
        dossier_id=dossier.dossier_id, name=dossier.name, closing_month=dossier.details.get("closing_month", ""),
        siren_or_vat=dossier.siren or dossier.details.get("vat_number", ""), status=dossier.status,
        to_send=sum(counts.get(state, 0) for state in TO_SEND),
        awaiting_integration=sum(counts.get(state, 0) for state in AWAITING_INTEGRATION),
        action_required=sum(counts.get(state, 0) for state in ACTION_REQUIRED))


@router.post("/firms/{firm_id}/dossiers/activate-all", responses=ERRORS)
def activate_all(firm_id: str, backends: BackendsDep, caller: SignedIn) -> dict:
    """Invites the legal representative of every dossier not yet invited."""
    return as_dict(backends.identity.call("ActivateAll", caller, firm_id=firm_id))


async def _spreadsheet(request: Request) -> tuple[str, bytes, dict]:
    form = await read_upload(request.headers.get("content-type", ""), request.stream(), MAX_SPREADSHEET_BYTES)
    if not form.content:
        raise InvalidInput(f"{form.filename!r} is empty")
    return form.filename, bytes(form.content), form.fields


@router.post("/firms/{firm_id}/imports/preview", responses=ERRORS)
async def preview_import(firm_id: str, request: Request, backends: BackendsDep, caller: SignedIn) -> dict:
    """The file's header row and the suggested column → field mapping, to show before importing."""
    filename, content, _ = await _spreadsheet(request)
    reply = await run_in_threadpool(backends.identity.call, "PreviewImport", caller, firm_id=firm_id,
                                    filename=filename, content=content)
    return as_dict(reply)


@router.post("/firms/{firm_id}/imports", responses=ERRORS)
async def import_clients(firm_id: str, request: Request, backends: BackendsDep, caller: SignedIn) -> dict:
    """Imports every valid row (re-importing updates); form field `mapping` = JSON {column index: field},
    the suggested mapping when absent. The report lists each row's outcome and problems."""
    filename, content, fields = await _spreadsheet(request)
    mapping = _mapping(fields.get("mapping", ""))
    reply = await run_in_threadpool(_import, backends, caller, firm_id, filename, content, mapping)
    return as_dict(reply)


def _import(backends: Backends, caller: Caller, firm_id: str, filename: str, content: bytes, mapping: dict):
    return backends.identity.call("ImportClients", caller, firm_id=firm_id, filename=filename, content=content,
                                  mapping=mapping)


def _mapping(text: str) -> dict[int, str]:
    if not text.strip():
        return {}
    try:
        return {int(column): str(field) for column, field in json.loads(text).items()}
    except (ValueError, AttributeError):
        raise InvalidInput('form field "mapping" must be JSON like {"0": "name", "3": "siren"}') from None
