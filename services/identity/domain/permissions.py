"""Who may do what: the one permission table of the platform, and the decision the gateway asks for.

Roles are held on a firm (firm_admin, collaborator) or on a dossier (assigned collaborator, first_user,
company_user). A company user's rights are the ones their first user chose among COMPANY_RIGHTS.
"""
from dataclasses import dataclass
from enum import Enum


class Permission(str, Enum):
    DOSSIER_READ = "dossier.read"
    DOSSIER_MANAGE = "dossier.manage"
    INVOICES_UPLOAD = "invoices.upload"
    INVOICES_ACCEPT = "invoices.accept"
    INVOICES_PAY = "invoices.pay"
    PURCHASES_READ = "purchases.read"
    SALES_READ = "sales.read"
    USERS_MANAGE = "users.manage"
    FIRM_READ = "firm.read"
    FIRM_MANAGE = "firm.manage"


P = Permission
COMPANY_RIGHTS: dict[str, Permission] = {
    "upload": P.INVOICES_UPLOAD, "accept": P.INVOICES_ACCEPT, "pay": P.INVOICES_PAY,
    "see_purchases": P.PURCHASES_READ, "see_sales": P.SALES_READ, "manage_users": P.USERS_MANAGE}

FIRM_ADMIN = "firm_admin"
COLLABORATOR = "collaborator"
ASSIGNED = "assigned"
FIRST_USER = "first_user"
COMPANY_USER = "company_user"

# What each role may do on a dossier it reaches. A firm admin reaches every dossier of the firm; a collaborator
# only the dossiers assigned to them; company users only their own dossier.
DOSSIER_PERMISSIONS: dict[str, frozenset[Permission]] = {
    FIRM_ADMIN: frozenset({P.DOSSIER_READ, P.DOSSIER_MANAGE, P.INVOICES_UPLOAD, P.INVOICES_ACCEPT,
                           P.PURCHASES_READ, P.SALES_READ}),
    ASSIGNED: frozenset({P.DOSSIER_READ, P.INVOICES_UPLOAD, P.INVOICES_ACCEPT, P.PURCHASES_READ, P.SALES_READ}),
    FIRST_USER: frozenset({P.DOSSIER_READ, *COMPANY_RIGHTS.values()}),
    COMPANY_USER: frozenset({P.DOSSIER_READ}),  # plus the rights chosen for them
}
FIRM_PERMISSIONS: dict[str, frozenset[Permission]] = {
    FIRM_ADMIN: frozenset({P.FIRM_READ, P.FIRM_MANAGE}),
    COLLABORATOR: frozenset({P.FIRM_READ}),
}
# Until the legal representative completes the invitation, the firm sees the dossier's record and nothing else.
BEFORE_ACTIVATION = frozenset({P.DOSSIER_READ, P.DOSSIER_MANAGE})


@dataclass(frozen=True)
class Grant:
    """One role of one user on one firm or dossier."""
    user_id: str
    scope: str  # "firm" or "dossier"
    scope_id: str
    role: str
    rights: tuple[str, ...] = ()


class Denied(Exception):
    """Base of the refusals; the message is safe to show to the user asking."""


class NotVisible(Denied):
    """The user cannot see the dossier or firm at all: answered exactly like a dossier that does not exist."""


class Forbidden(Denied):
    """The user sees the dossier but lacks the permission asked."""


def dossier_permissions(grants: list[Grant], dossier_id: str, firm_id: str) -> frozenset[Permission]:
    """Everything the user's grants allow on one dossier of `firm_id`, before the activation rule."""
    allowed: set[Permission] = set()
    for grant in grants:
        if grant.scope == "firm" and grant.scope_id == firm_id and grant.role == FIRM_ADMIN:
            allowed |= DOSSIER_PERMISSIONS[FIRM_ADMIN]
        elif grant.scope == "dossier" and grant.scope_id == dossier_id:
            allowed |= DOSSIER_PERMISSIONS.get(grant.role, frozenset())
            if grant.role == COMPANY_USER:
                allowed |= {COMPANY_RIGHTS[right] for right in grant.rights if right in COMPANY_RIGHTS}
    return frozenset(allowed)


def check_dossier(grants: list[Grant], dossier_id: str, firm_id: str, active: bool,
                  permission: Permission) -> None:
    """Raises NotVisible or Forbidden unless the grants allow `permission` on the dossier."""
    allowed = dossier_permissions(grants, dossier_id, firm_id)
    if not allowed:
        raise NotVisible(f"no dossier has the id {dossier_id!r}")
    if permission not in allowed:
        raise Forbidden(f"you do not have the right {permission.value!r} on this dossier")
    if not active and permission not in BEFORE_ACTIVATION:
        raise Forbidden("this dossier is not active yet: its legal representative has not completed the invitation")


def check_firm(grants: list[Grant], firm_id: str, permission: Permission) -> str:
    """The user's role in the firm, or NotVisible / Forbidden."""
    role = next((g.role for g in grants if g.scope == "firm" and g.scope_id == firm_id), None)
    if role is None:
        raise NotVisible(f"no firm has the id {firm_id!r}")
    if permission not in FIRM_PERMISSIONS.get(role, frozenset()):
        raise Forbidden(f"you do not have the right {permission.value!r} in this firm")
    return role


def clean_rights(rights: list[str]) -> tuple[str, ...]:
    unknown = sorted(set(rights) - set(COMPANY_RIGHTS))
    if unknown:
        raise ValueError(f"unknown rights {unknown}: choose among {sorted(COMPANY_RIGHTS)}")
    return tuple(sorted(set(rights)))


def company_users_with(grants: list[Grant], dossier_id: str, permission: Permission) -> list[str]:
    """The ids of the dossier's company users (its first user included) whose role and rights allow `permission`."""
    return sorted({grant.user_id for grant in grants
                   if grant.scope == "dossier" and grant.scope_id == dossier_id
                   and grant.role in (FIRST_USER, COMPANY_USER)
                   and permission in dossier_permissions([grant], dossier_id, firm_id="")})


def dossier_collaborators(dossier_grants: list[Grant], firm_grants: list[Grant]) -> list[str]:
    """The ids of the collaborators assigned to the dossier, or of the firm's admins when none is."""
    assigned = {grant.user_id for grant in dossier_grants if grant.role == ASSIGNED}
    admins = {grant.user_id for grant in firm_grants if grant.scope == "firm" and grant.role == FIRM_ADMIN}
    return sorted(assigned or admins)
