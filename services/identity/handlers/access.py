"""The gateway's question before anything it serves: may this token's holder do this on this dossier, or firm?"""
from ..domain.dossier import Dossier
from ..domain.permissions import Permission, check_firm
from ..domain.user import User
from .context import Context, authenticate
from .dossiers import visible_dossier


class UnknownPermission(ValueError):
    pass


class AmbiguousQuestion(ValueError):
    """The question names both a dossier and a firm."""


def permission_named(name: str) -> Permission:
    try:
        return Permission(name)
    except ValueError:
        raise UnknownPermission(f"{name!r} is not a permission: see the permission table") from None


def authorize(ctx: Context, access_token: str, dossier_id: str, permission: str) -> tuple[User, Dossier]:
    wanted = permission_named(permission)
    principal = authenticate(ctx, access_token)
    return principal.user, visible_dossier(ctx, principal, dossier_id, wanted)


def authorize_firm(ctx: Context, access_token: str, firm_id: str, permission: str) -> User:
    """The user when they hold `permission` in the firm; NotVisible exactly as if the firm did not exist."""
    wanted = permission_named(permission)
    principal = authenticate(ctx, access_token)
    check_firm(principal.grants, firm_id, wanted)
    return principal.user
