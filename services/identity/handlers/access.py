"""The gateway's question before anything it serves: may this token's holder do this on this dossier?"""
from ..domain.dossier import Dossier
from ..domain.permissions import Permission
from ..domain.user import User
from .context import Context, authenticate
from .dossiers import visible_dossier


class UnknownPermission(ValueError):
    pass


def authorize(ctx: Context, access_token: str, dossier_id: str, permission: str) -> tuple[User, Dossier]:
    try:
        wanted = Permission(permission)
    except ValueError:
        raise UnknownPermission(f"{permission!r} is not a permission: see the permission table") from None
    principal = authenticate(ctx, access_token)
    return principal.user, visible_dossier(ctx, principal, dossier_id, wanted)
