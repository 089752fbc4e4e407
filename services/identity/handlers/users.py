"""Company users: completing an invitation (which activates a dossier), inviting colleagues with rights,
switching between dossiers, and who am I."""
import uuid
from dataclasses import dataclass, replace

from jefacture.events.v1 import identity_pb2 as events

from ..domain import emails, passwords
from ..domain.dossier import ACTIVE, Dossier
from ..domain.invitations import (
    ACTIVATE_DOSSIER,
    JOIN_DOSSIER,
    Invitation,
    InvitationInvalid,
    check_usable,
    new_invitation,
)
from ..domain.permissions import (
    ASSIGNED,
    COMPANY_USER,
    FIRM_ADMIN,
    FIRST_USER,
    Grant,
    Permission,
    clean_rights,
    dossier_permissions,
)
from ..domain.tokens import digest, new_secret
from ..domain.user import COMPANY, Firm, User, normal_email
from .context import Caller, Context, Principal, authenticate
from .dossiers import announce_activation, visible_dossier
from .sessions import Session, open_session

MAX_PHOTO_BYTES = 2 * 1024 * 1024
PHOTO_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


class InvalidProfile(ValueError):
    """What the person typed cannot complete the invitation; the message says what to change."""


@dataclass(frozen=True)
class Profile:
    password: str
    name: str
    mobile: str
    language: str
    accept_terms: bool
    accept_privacy_notice: bool
    photo: bytes = b""


@dataclass(frozen=True)
class InvitationView:
    purpose: str
    email: str
    dossier_name: str | None
    registered: bool


def _usable_invitation(ctx: Context, secret: str) -> Invitation:
    invitation = ctx.store.invitation_by_digest(digest(secret)) if secret else None
    used = invitation is not None and ctx.store.happened(f"invitation-used:{invitation.invitation_id}")
    invitation = check_usable(invitation, used, ctx.now())
    if invitation.purpose not in (ACTIVATE_DOSSIER, JOIN_DOSSIER):
        raise InvitationInvalid("this link is not valid: ask for a new one")
    return invitation


def show_invitation(ctx: Context, secret: str) -> InvitationView:
    invitation = _usable_invitation(ctx, secret)
    dossier = ctx.store.dossier(invitation.dossier_id)
    user = ctx.store.user_by_email(invitation.email)
    return InvitationView(invitation.purpose, invitation.email, dossier.name if dossier else None,
                          bool(user and user.registered))


def _check_profile(profile: Profile, email: str) -> str | None:
    if not profile.accept_terms or not profile.accept_privacy_notice:
        raise InvalidProfile("accept the terms of use and the privacy notice (RGPD) to continue")
    if not profile.name.strip():
        raise InvalidProfile("name is required")
    digits = "".join(ch for ch in profile.mobile if ch.isdigit())
    if not 9 <= len(digits) <= 15:
        raise InvalidProfile(f"mobile {profile.mobile!r} is not a phone number (9 to 15 digits)")
    if profile.language not in ("fr", "en"):
        raise InvalidProfile(f"language must be 'fr' or 'en', not {profile.language!r}")
    passwords.check_strength(profile.password, [email, *profile.name.split()])
    if not profile.photo:
        return None
    if len(profile.photo) > MAX_PHOTO_BYTES:
        raise InvalidProfile(f"the photo is {len(profile.photo)} bytes; the limit is {MAX_PHOTO_BYTES}")
    kind = next((media for magic, media in PHOTO_TYPES.items() if profile.photo.startswith(magic)), None)
    if kind is None:
        raise InvalidProfile("the photo must be a PNG or JPEG image")
    return kind


def complete_invitation(ctx: Context, secret: str, profile: Profile, caller: Caller) -> Session:
    """The invited person sets their password and profile; an activation invitation opens the dossier."""
    invitation = _usable_invitation(ctx, secret)
    photo_type = _check_profile(profile, invitation.email)
    if not ctx.store.happen_once(f"invitation-used:{invitation.invitation_id}", ctx.now()):
        raise InvitationInvalid("this link was already used: log in, or ask for a new one")
    user = ctx.store.user_by_email(invitation.email) or ctx.store.add_user(
        User(str(uuid.uuid4()), invitation.email, COMPANY, ctx.now(), name=profile.name.strip()))
    ctx.store.update_user(user.user_id, name=profile.name.strip(), mobile=profile.mobile.strip(),
                          language=profile.language, password_hash=passwords.hash_password(profile.password),
                          photo=profile.photo or None, photo_type=photo_type, terms_accepted_at=ctx.now(),
                          privacy_notice_accepted_at=ctx.now(), last_dossier_id=invitation.dossier_id)
    if invitation.purpose == ACTIVATE_DOSSIER:
        ctx.store.put_grant(Grant(user.user_id, "dossier", invitation.dossier_id, FIRST_USER), invitation.invited_by,
                            ctx.now())
        dossier = replace(ctx.store.dossier(invitation.dossier_id), status=ACTIVE, activated_at=ctx.now())
        ctx.store.save_dossier(dossier)
        announce_activation(ctx, dossier)
        ctx.audit("dossier_activated", caller, user, dossier_id=dossier.dossier_id)
    else:
        ctx.store.put_grant(Grant(user.user_id, "dossier", invitation.dossier_id, COMPANY_USER, invitation.rights),
                            invitation.invited_by, ctx.now())
    ctx.audit("invitation_completed", caller, user, dossier_id=invitation.dossier_id, purpose=invitation.purpose)
    return open_session(ctx, ctx.store.user(user.user_id))


def invite_user(ctx: Context, access_token: str, dossier_id: str, email: str, rights: list[str],
                caller: Caller) -> str:
    """The first user (or anyone with the users right) invites a colleague with chosen rights. Someone already
    registered is added at once and gets a "new dossier" e-mail; the answer is "invited" either way, so that it
    never tells whether an e-mail has an account."""
    principal = authenticate(ctx, access_token)
    dossier = visible_dossier(ctx, principal, dossier_id, Permission.USERS_MANAGE)
    try:
        rights = clean_rights(rights)
    except ValueError as error:
        raise InvalidProfile(str(error)) from None
    email = normal_email(email)
    if "@" not in email:
        raise InvalidProfile(f"{email!r} is not an e-mail address")
    firm = ctx.store.firm(dossier.firm_id)
    known = ctx.store.user_by_email(email)
    if known is not None and known.registered:
        ctx.store.put_grant(Grant(known.user_id, "dossier", dossier_id, COMPANY_USER, rights), principal.user.user_id,
                            ctx.now())
        subject, text = emails.new_dossier_opened(known.name, dossier.name, firm.name, ctx.public_url)
        ctx.mailer.send([email], subject, text, idempotency_key=f"user-added:{dossier_id}:{known.user_id}")
        ctx.audit("user_added", caller, principal.user, dossier_id=dossier_id, invitee=email, rights=list(rights))
        ctx.emit(events.UserInvited(dossier_id=dossier_id, invited_by=principal.user.user_id, rights=rights,
                                    already_registered=True), dossier_id)
        return "invited"
    secret = new_secret()
    invitation = new_invitation(str(uuid.uuid4()), JOIN_DOSSIER, email, dossier_id, ctx.now(), principal.user.user_id,
                                rights)
    ctx.store.add_invitation(invitation, digest(secret))
    subject, text = emails.user_invitation(dossier.name, principal.user.name or principal.user.email, list(rights),
                                           ctx.link("/invitations", secret), f"{invitation.expires_at:%d/%m/%Y}")
    ctx.mailer.send([email], subject, text, idempotency_key=invitation.invitation_id)
    ctx.audit("user_invited", caller, principal.user, dossier_id=dossier_id, invitee=email, rights=list(rights))
    ctx.emit(events.UserInvited(dossier_id=dossier_id, invited_by=principal.user.user_id, rights=rights),
             dossier_id)
    return "invited"


def dossier_users(ctx: Context, access_token: str, dossier_id: str) -> list[tuple[User, Grant]]:
    principal = authenticate(ctx, access_token)
    visible_dossier(ctx, principal, dossier_id, Permission.USERS_MANAGE)
    grants = [g for g in ctx.store.grants_on(dossier_id) if g.role in (FIRST_USER, COMPANY_USER)]
    return [(ctx.store.user(g.user_id), g) for g in grants]


@dataclass(frozen=True)
class Me:
    user: User
    firms: list[tuple[Firm, str]]
    dossiers: list[Dossier]  # every dossier the person can open, the last used first
    permissions: dict[str, list[str]]


def me(ctx: Context, access_token: str) -> Me:
    principal = authenticate(ctx, access_token)
    return _me(ctx, principal)


def _me(ctx: Context, principal: Principal) -> Me:
    firms = [(ctx.store.firm(g.scope_id), g.role) for g in principal.grants if g.scope == "firm"]
    reachable: dict[str, Dossier] = {}
    for grant in principal.grants:
        if grant.scope == "dossier" and grant.role in (ASSIGNED, FIRST_USER, COMPANY_USER):
            dossier = ctx.store.dossier(grant.scope_id)
            if dossier:
                reachable[dossier.dossier_id] = dossier
    for firm, role in firms:
        if role == FIRM_ADMIN:
            reachable.update({d.dossier_id: d for d in ctx.store.dossiers_of_firm(firm.firm_id)})
    last = principal.user.last_dossier_id
    ordered = sorted(reachable.values(), key=lambda d: (d.dossier_id != last, d.name))
    permissions = {d.dossier_id: sorted(p.value for p in dossier_permissions(principal.grants, d.dossier_id,
                                                                             d.firm_id)) for d in ordered}
    return Me(principal.user, [(firm, role) for firm, role in firms if firm], ordered, permissions)


def switch_dossier(ctx: Context, access_token: str, dossier_id: str) -> Me:
    """Opens another of the person's dossiers, without logging out; it opens first next time."""
    principal = authenticate(ctx, access_token)
    visible_dossier(ctx, principal, dossier_id, Permission.DOSSIER_READ)
    ctx.store.update_user(principal.user.user_id, last_dossier_id=dossier_id)
    return _me(ctx, replace(principal, user=ctx.store.user(principal.user.user_id)))
