"""Invitations sent by e-mail: a single-use, expiring link, for one purpose."""
from dataclasses import dataclass, field
from datetime import datetime, timedelta

ACTIVATE_DOSSIER = "activate_dossier"  # the legal representative completes their profile and opens the dossier
JOIN_DOSSIER = "join_dossier"  # another user of the company, with the rights chosen by the first user
RESET_PASSWORD = "reset_password"

LIFETIMES = {ACTIVATE_DOSSIER: timedelta(days=7), JOIN_DOSSIER: timedelta(days=7),
             RESET_PASSWORD: timedelta(hours=1)}
LINK_PATHS = {ACTIVATE_DOSSIER: "/invitations", JOIN_DOSSIER: "/invitations", RESET_PASSWORD: "/password-reset"}


class InvitationInvalid(Exception):
    """The link is unknown, already used or expired; the message says which, never whose it was."""


@dataclass(frozen=True)
class Invitation:
    invitation_id: str
    purpose: str
    email: str
    dossier_id: str | None
    created_at: datetime
    expires_at: datetime
    invited_by: str | None = None
    rights: tuple[str, ...] = field(default=())


def new_invitation(invitation_id: str, purpose: str, email: str, dossier_id: str | None, now: datetime,
                   invited_by: str | None = None, rights: tuple[str, ...] = ()) -> Invitation:
    return Invitation(invitation_id, purpose, email, dossier_id, now, now + LIFETIMES[purpose], invited_by, rights)


def check_usable(invitation: Invitation | None, used: bool, now: datetime, purpose: str | None = None) -> Invitation:
    if invitation is None or (purpose and invitation.purpose != purpose):
        raise InvitationInvalid("this link is not valid: ask for a new one")
    if used:
        raise InvitationInvalid("this link was already used: log in, or ask for a new one")
    if now >= invitation.expires_at:
        raise InvitationInvalid(f"this link expired on {invitation.expires_at:%Y-%m-%d %H:%M} UTC: ask for a new one")
    return invitation
