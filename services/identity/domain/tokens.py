"""Access tokens (short-lived signed JWTs) and refresh tokens (random, single use, rotated on every refresh)."""
import hashlib
import secrets
import time
from dataclasses import dataclass

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey

ISSUER = "jefacture-identity"
AUDIENCE = "jefacture"
ALGORITHM = "ES256"


class InvalidToken(Exception):
    """The token is missing, malformed, forged or expired: the caller must log in again."""


@dataclass(frozen=True)
class AccessClaims:
    user_id: str
    session_id: str  # the refresh-token family: logging out or a reused refresh token ends it
    expires_at: int


class AccessTokens:
    def __init__(self, key: ECKey, lifetime_seconds: int):
        self.key = key
        self.lifetime_seconds = lifetime_seconds

    def issue(self, user_id: str, session_id: str, now: float | None = None) -> tuple[str, int]:
        issued = int(now if now is not None else time.time())
        expires = issued + self.lifetime_seconds
        claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": user_id, "sid": session_id, "iat": issued, "exp": expires,
                  "jti": secrets.token_hex(8)}
        return jwt.encode({"alg": ALGORITHM}, claims, self.key, algorithms=[ALGORITHM]), expires

    def verify(self, token: str, now: float | None = None) -> AccessClaims:
        if not token:
            raise InvalidToken("no access token was given: log in first")
        try:
            decoded = jwt.decode(token, self.key, algorithms=[ALGORITHM])
            jwt.JWTClaimsRegistry(now=int(now if now is not None else time.time()), leeway=5,
                                  iss={"essential": True, "value": ISSUER}, aud={"essential": True, "value": AUDIENCE},
                                  sub={"essential": True}, sid={"essential": True},
                                  exp={"essential": True}).validate(decoded.claims)
        except (JoseError, ValueError) as error:
            raise InvalidToken(f"the access token is not valid ({error.__class__.__name__}): log in again") from None
        return AccessClaims(decoded.claims["sub"], decoded.claims["sid"], decoded.claims["exp"])


def load_or_create_key(path) -> ECKey:
    """The P-256 signing key in PEM at `path`, created (mode 0600) on first use."""
    if path.exists():
        return ECKey.import_key(path.read_bytes())
    key = ECKey.generate_key("P-256", private=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_bytes(key.as_pem(private=True))
    return key


def new_secret() -> str:
    """A random, URL-safe secret for refresh tokens and invitation links."""
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """What is stored instead of a secret: a stolen database holds no usable token."""
    return hashlib.sha256(secret.encode()).hexdigest()
