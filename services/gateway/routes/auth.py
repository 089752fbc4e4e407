"""Logging in: firm staff through the profession's OpenID provider, company users by e-mail and password;
refresh, logout, password reset, invitations, and who am I."""
import base64
import binascii

from fastapi import APIRouter
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from ..access import BackendsDep, CallerDep, SignedIn
from ..adapters.identity import as_dict
from ..domain.errors import InvalidInput
from ..schemas import (
    Credentials,
    EmailBody,
    Error,
    InvitationCompletion,
    MeView,
    NewPassword,
    RefreshBody,
    SessionView,
    SwitchBody,
)

router = APIRouter(tags=["authentication"])
REFUSED = {401: {"model": Error}, 422: {"model": Error}}


@router.get("/auth/firm/login", status_code=302, response_class=RedirectResponse)
def firm_login(backends: BackendsDep, caller: CallerDep) -> RedirectResponse:
    """Sends the browser to the profession's OpenID provider; it comes back to /auth/firm/callback."""
    reply = backends.identity.call("BeginFirmLogin", caller)
    return RedirectResponse(reply.authorization_url, status_code=302)


@router.get("/auth/firm/callback", response_model=SessionView, responses=REFUSED)
def firm_callback(backends: BackendsDep, caller: CallerDep, state: str = "", code: str = "",
                  error: str = "") -> dict:
    if error or not code:
        raise InvalidInput(f"the OpenID provider did not log you in ({error or 'no code'}): start again")
    return as_dict(backends.identity.call("CompleteFirmLogin", caller, state=state, code=code))


@router.post("/auth/login", response_model=SessionView, responses={**REFUSED, 429: {"model": Error}})
async def login(body: Credentials, backends: BackendsDep, caller: CallerDep) -> dict:
    reply = await run_in_threadpool(backends.identity.call, "Login", caller, email=body.email, password=body.password)
    return as_dict(reply)


@router.post("/auth/refresh", response_model=SessionView, responses=REFUSED)
def refresh(body: RefreshBody, backends: BackendsDep, caller: CallerDep) -> dict:
    """A new access token and a new refresh token; the refresh token given is spent."""
    return as_dict(backends.identity.call("Refresh", caller, refresh_token=body.refresh_token))


@router.post("/auth/logout", status_code=204, responses=REFUSED)
def logout(backends: BackendsDep, caller: SignedIn) -> None:
    backends.identity.call("Logout", caller)


@router.post("/auth/password-reset", status_code=202)
def request_password_reset(body: EmailBody, backends: BackendsDep, caller: CallerDep) -> dict:
    """Always accepted: an e-mail goes out only when an account has the address, and the answer does not say."""
    backends.identity.call("RequestPasswordReset", caller, email=body.email)
    return {"status": "if an account has this e-mail, a reset link was sent to it"}


@router.post("/password-reset/{token}", status_code=204, responses={410: {"model": Error}, 422: {"model": Error}})
def reset_password(token: str, body: NewPassword, backends: BackendsDep, caller: CallerDep) -> None:
    backends.identity.call("ResetPassword", caller, token=token, new_password=body.new_password)


@router.get("/invitations/{token}", responses={410: {"model": Error}})
def show_invitation(token: str, backends: BackendsDep, caller: CallerDep) -> dict:
    """What the e-mailed link is for: the page shown before the person completes their access."""
    return as_dict(backends.identity.call("ShowInvitation", caller, token=token))


@router.post("/invitations/{token}", response_model=SessionView, responses={410: {"model": Error},
                                                                            422: {"model": Error}})
def complete_invitation(token: str, body: InvitationCompletion, backends: BackendsDep, caller: CallerDep) -> dict:
    try:
        photo = base64.b64decode(body.photo_base64, validate=True) if body.photo_base64 else b""
    except binascii.Error:
        raise InvalidInput("photo_base64 is not valid base64") from None
    return as_dict(backends.identity.call(
        "CompleteInvitation", caller, token=token, password=body.password, name=body.name, mobile=body.mobile,
        language=body.language, accept_terms=body.accept_terms, accept_privacy_notice=body.accept_privacy_notice,
        photo=photo))


@router.get("/me", response_model=MeView, responses=REFUSED)
def me(backends: BackendsDep, caller: SignedIn) -> dict:
    return as_dict(backends.identity.call("WhoAmI", caller))


@router.put("/me/dossier", response_model=MeView, responses={**REFUSED, 404: {"model": Error}})
def switch_dossier(body: SwitchBody, backends: BackendsDep, caller: SignedIn) -> dict:
    """Opens another of the person's dossiers without logging out; it opens first next time."""
    return as_dict(backends.identity.call("SwitchDossier", caller, dossier_id=body.dossier_id))


@router.get("/me/security-events", responses=REFUSED)
def security_events(backends: BackendsDep, caller: SignedIn) -> dict:
    """The person's own audit log: logins, failures, password changes, with time and origin."""
    return as_dict(backends.identity.call("SecurityEvents", caller))
