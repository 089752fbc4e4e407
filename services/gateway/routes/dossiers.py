"""One dossier: its record, activation, collaborators assigned, the company's users, and its settings."""
from fastapi import APIRouter

from ..access import BackendsDep, SignedIn
from ..adapters.identity import as_dict
from ..schemas import AssignmentsBody, ClientDossier, DossierSettingsBody, DossierSettingsView, Error, NewUser

router = APIRouter(tags=["dossiers"])
ERRORS = {401: {"model": Error}, 403: {"model": Error}, 404: {"model": Error}, 422: {"model": Error}}


@router.get("/dossiers/{dossier_id}", response_model=ClientDossier, responses=ERRORS)
def get_dossier(dossier_id: str, backends: BackendsDep, caller: SignedIn) -> dict:
    return as_dict(backends.identity.call("GetDossier", caller, dossier_id=dossier_id))


@router.post("/dossiers/{dossier_id}/activate", response_model=ClientDossier, responses=ERRORS)
def activate(dossier_id: str, backends: BackendsDep, caller: SignedIn) -> dict:
    """E-mails the legal representative a single-use, expiring link; the dossier opens when they complete it."""
    return as_dict(backends.identity.call("ActivateDossier", caller, dossier_id=dossier_id))


@router.put("/dossiers/{dossier_id}/assignments", responses=ERRORS)
def set_assignments(dossier_id: str, body: AssignmentsBody, backends: BackendsDep, caller: SignedIn) -> dict:
    """The firm's collaborators assigned to the dossier become exactly these."""
    return as_dict(backends.identity.call("SetAssignments", caller, dossier_id=dossier_id, emails=body.emails))


@router.get("/dossiers/{dossier_id}/users", responses=ERRORS)
def users(dossier_id: str, backends: BackendsDep, caller: SignedIn) -> dict:
    return as_dict(backends.identity.call("ListDossierUsers", caller, dossier_id=dossier_id))


@router.post("/dossiers/{dossier_id}/users", status_code=201, responses=ERRORS)
def invite_user(dossier_id: str, body: NewUser, backends: BackendsDep, caller: SignedIn) -> dict:
    """Invites a colleague by e-mail with chosen rights; someone already registered is added at once (the answer
    is the same, so that it does not tell whether the e-mail has an account)."""
    return as_dict(backends.identity.call("InviteUser", caller, dossier_id=dossier_id, email=body.email,
                                          rights=body.rights))


@router.get("/dossiers/{dossier_id}/settings", response_model=DossierSettingsView, responses=ERRORS)
def get_settings(dossier_id: str, backends: BackendsDep, caller: SignedIn) -> dict:
    return as_dict(backends.identity.call("GetDossierSettings", caller, dossier_id=dossier_id))


@router.put("/dossiers/{dossier_id}/settings", response_model=DossierSettingsView, responses=ERRORS)
def update_settings(dossier_id: str, body: DossierSettingsBody, backends: BackendsDep, caller: SignedIn) -> dict:
    """Replaces every setting (needs dossier.manage: the firm). A refused body lists its `problems` field by
    field and changes nothing."""
    return as_dict(backends.identity.call("UpdateDossierSettings", caller, dossier_id=dossier_id,
                                          **body.model_dump()))
