"""What every use case needs: the store, the outside systems, the clock, and who is asking."""
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Callable

from google.protobuf.message import Message

from jefacture.envelope import new_envelope, to_wire
from jefacture.mail import Mailer
from jefacture.sirene import SireneClient

from ..adapters.oidc import OidcProvider
from ..adapters.store import Store
from ..domain.permissions import Grant
from ..domain.tokens import AccessTokens, InvalidToken
from ..domain.user import User


@dataclass(frozen=True)
class Caller:
    """Where a request comes from, for the audit log and the login throttle."""
    address: str = ""
    user_agent: str = ""


@dataclass
class Context:
    store: Store
    tokens: AccessTokens
    mailer: Mailer
    sirene: SireneClient
    oidc: OidcProvider
    public_url: str
    terms_version: str
    refresh_token_days: int
    now: Callable[[], datetime] = lambda: datetime.now(UTC)

    def audit(self, kind: str, caller: Caller, user: User | None = None, email: str | None = None, **detail) -> None:
        self.store.audit(kind, self.now(), user_id=user.user_id if user else None,
                         email=email or (user.email if user else None), address=caller.address,
                         user_agent=caller.user_agent, **detail)

    def emit(self, payload: Message, correlation_id: str) -> None:
        """Stores the event in the outbox; the relay publishes it."""
        self.store.add_event(to_wire(new_envelope(payload, correlation_id=correlation_id, producer="identity")),
                             self.now())

    def link(self, path: str, secret: str) -> str:
        return f"{self.public_url.rstrip('/')}{path}/{secret}"


@dataclass(frozen=True)
class Principal:
    """The authenticated person behind an access token, with their grants."""
    user: User
    session_id: str
    grants: list[Grant]


def authenticate(ctx: Context, access_token: str) -> Principal:
    claims = ctx.tokens.verify(access_token)
    if ctx.store.happened(f"session-ended:{claims.session_id}"):
        raise InvalidToken("this session has ended: log in again")
    user = ctx.store.user(claims.user_id)
    if user is None:
        raise InvalidToken("the access token names no known user: log in again")
    return Principal(user, claims.session_id, ctx.store.grants_of(user.user_id))
