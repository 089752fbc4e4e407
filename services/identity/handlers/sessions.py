"""Logging in and out: firm staff through the OpenID provider, company users by e-mail and password; refresh
tokens rotated on every use; password reset by e-mail. Errors never tell whether an e-mail is registered."""
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from ..domain import emails, passwords
from ..domain.invitations import RESET_PASSWORD, InvitationInvalid, check_usable, new_invitation
from ..domain.permissions import FIRM_ADMIN, Grant
from ..domain.throttle import LoginLocked, ThrottlePolicy, check_not_locked
from ..domain.tokens import InvalidToken, digest, new_secret
from ..domain.user import FIRM_STAFF, Cabinet, User, normal_email
from .context import Caller, Context, authenticate

LOGIN_STATE_LIFETIME = timedelta(minutes=10)
WRONG_CREDENTIALS = "the e-mail or the password is wrong"
THROTTLE = ThrottlePolicy()


class LoginFailed(Exception):
    """Wrong credentials, or a login that cannot go on; the message reveals nothing about accounts."""


@dataclass(frozen=True)
class Session:
    user: User
    access_token: str
    access_expires_at: int
    refresh_token: str
    cabinets: tuple[Cabinet, ...] = ()


def open_session(ctx: Context, user: User, session_id: str | None = None) -> Session:
    session_id = session_id or str(uuid.uuid4())
    access, expires = ctx.tokens.issue(user.user_id, session_id)
    refresh = new_secret()
    ctx.store.add_refresh_token(digest(refresh), session_id, user.user_id,
                                ctx.now() + timedelta(days=ctx.refresh_token_days))
    return Session(user, access, expires, refresh, user.cabinets)


def begin_firm_login(ctx: Context) -> str:
    """The provider's authorization URL to send the browser to."""
    state, nonce, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(48)
    ctx.store.add_login_state(state, nonce, verifier, ctx.now())
    return ctx.oidc.authorization_url(state, nonce, verifier)


def complete_firm_login(ctx: Context, state: str, code: str, caller: Caller) -> Session:
    """The provider sent the browser back with a code: check it, find or create the person, open a session."""
    started = ctx.store.login_state(state) if state else None
    if started is None or ctx.now() - started.created_at > LOGIN_STATE_LIFETIME:
        raise LoginFailed("this login link is unknown or too old: start the login again")
    if not ctx.store.happen_once(f"login-state:{state}", ctx.now()):
        raise LoginFailed("this login was already completed: start the login again")
    identity = ctx.oidc.identity(code, started.nonce, started.code_verifier)
    user = ctx.store.user_by_subject(identity.subject) or ctx.store.user_by_email(identity.email)
    if user is None:
        user = ctx.store.add_user(User(str(uuid.uuid4()), identity.email, FIRM_STAFF, ctx.now(), name=identity.name,
                                       oidc_subject=identity.subject))
    ctx.store.update_user(user.user_id, oidc_subject=identity.subject, name=identity.name or user.name,
                          cabinets=[{"siren": c.siren, "name": c.name} for c in identity.cabinets])
    user = ctx.store.user(user.user_id)
    _grant_admin_of_known_cabinets(ctx, user)
    ctx.audit("firm_login_succeeded", caller, user, cabinets=[c.siren for c in identity.cabinets])
    return open_session(ctx, user)


def _grant_admin_of_known_cabinets(ctx: Context, user: User) -> None:
    """An expert-comptable of a cabinet already on the platform administers it from their first login."""
    held = {(g.scope_id, g.role) for g in ctx.store.grants_of(user.user_id)}
    for cabinet in user.cabinets:
        firm = ctx.store.firm_by_siren(cabinet.siren)
        if firm and (firm.firm_id, FIRM_ADMIN) not in held:
            ctx.store.put_grant(Grant(user.user_id, "firm", firm.firm_id, FIRM_ADMIN), None, ctx.now())


def login(ctx: Context, email: str, password: str, caller: Caller) -> Session:
    email = normal_email(email)
    now = ctx.now()
    by_email, by_address = ctx.store.login_failures_since(email, caller.address, now - THROTTLE.window)
    try:
        check_not_locked(by_email, by_address, now, THROTTLE)
    except LoginLocked:
        ctx.audit("login_refused_locked", caller, email=email)
        raise
    user = ctx.store.user_by_email(email)
    if not passwords.verify_password(user.password_hash if user else None, password):
        ctx.store.add_login_failure(email, caller.address, now)
        ctx.audit("login_failed", caller, user, email=email)
        raise LoginFailed(WRONG_CREDENTIALS)
    if passwords.needs_rehash(user.password_hash):
        ctx.store.update_user(user.user_id, password_hash=passwords.hash_password(password))
    ctx.store.forget_login_failures(email)
    ctx.audit("login_succeeded", caller, user)
    return open_session(ctx, user)


def refresh(ctx: Context, refresh_token: str, caller: Caller) -> Session:
    """A new access token and a new refresh token; the one given can never be used again. Reusing an old refresh
    token (a sign it was stolen) ends the whole session."""
    stored = ctx.store.refresh_token(digest(refresh_token)) if refresh_token else None
    if stored is None or stored.expires_at <= ctx.now():
        raise InvalidToken("the refresh token is unknown or expired: log in again")
    if ctx.store.happened(f"session-ended:{stored.session_id}"):
        raise InvalidToken("this session has ended: log in again")
    if not ctx.store.happen_once(f"refresh-used:{stored.token_digest}", ctx.now()):
        ctx.store.happen_once(f"session-ended:{stored.session_id}", ctx.now())
        ctx.audit("refresh_token_reused", caller, ctx.store.user(stored.user_id), session_id=stored.session_id)
        raise InvalidToken("this refresh token was already used: the session is ended for safety, log in again")
    user = ctx.store.user(stored.user_id)
    if user is None:
        raise InvalidToken("the refresh token names no known user: log in again")
    return open_session(ctx, user, stored.session_id)


def logout(ctx: Context, access_token: str, caller: Caller) -> None:
    principal = authenticate(ctx, access_token)
    ctx.store.happen_once(f"session-ended:{principal.session_id}", ctx.now())
    ctx.audit("logout", caller, principal.user)


def request_password_reset(ctx: Context, email: str, caller: Caller) -> None:
    """Sends the link when a company login has this e-mail; answers the same either way."""
    email = normal_email(email)
    user = ctx.store.user_by_email(email)
    ctx.audit("password_reset_requested", caller, user, email=email)
    if user is None or not user.registered:
        return
    secret = new_secret()
    invitation = new_invitation(str(uuid.uuid4()), RESET_PASSWORD, email, None, ctx.now())
    ctx.store.add_invitation(invitation, digest(secret))
    expires = f"{invitation.expires_at:%d/%m/%Y %H:%M}"
    subject, text = emails.password_reset(ctx.link("/password-reset", secret), expires)
    ctx.mailer.send([email], subject, text, idempotency_key=invitation.invitation_id)


def reset_password(ctx: Context, secret: str, new_password: str, caller: Caller) -> None:
    invitation = ctx.store.invitation_by_digest(digest(secret)) if secret else None
    used = invitation is not None and ctx.store.happened(f"invitation-used:{invitation.invitation_id}")
    check_usable(invitation, used, ctx.now(), RESET_PASSWORD)
    user = ctx.store.user_by_email(invitation.email)
    passwords.check_strength(new_password, [user.email, user.name])
    if not ctx.store.happen_once(f"invitation-used:{invitation.invitation_id}", ctx.now()):
        raise InvitationInvalid("this link was already used: ask for a new one")
    ctx.store.update_user(user.user_id, password_hash=passwords.hash_password(new_password))
    ctx.store.forget_login_failures(user.email)
    ctx.audit("password_changed", caller, user, by="reset_link")
