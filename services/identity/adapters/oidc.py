"""The firms' OpenID Connect provider (ComptExpert in production): authorization code flow with PKCE, the ID
token's signature and claims checked against the provider's published keys."""
import time
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from ..domain.user import Cabinet

DISCOVERY_PATH = "/.well-known/openid-configuration"
SCOPES = "openid profile email"


class ProviderUnavailable(Exception):
    """The OpenID provider cannot be reached or answered something unusable."""


class ProviderRefused(Exception):
    """The provider refused the code, or its ID token does not check out."""


@dataclass(frozen=True)
class ProviderIdentity:
    subject: str  # issuer + "|" + sub: unique across providers
    email: str
    name: str
    cabinets: tuple[Cabinet, ...]


class OidcProvider:
    def __init__(self, issuer: str, client_id: str, client_secret: str, redirect_uri: str,
                 cabinets_claim: str = "cabinets", timeout: float = 10.0):
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uri = redirect_uri
        self.cabinets_claim = cabinets_claim
        self.timeout = timeout
        self._metadata: dict | None = None
        self._keys: KeySet | None = None

    def metadata(self) -> dict:
        if self._metadata is None:
            self._metadata = self._get_json(self.issuer + DISCOVERY_PATH)
        return self._metadata

    def authorization_url(self, state: str, nonce: str, code_verifier: str) -> str:
        query = {"response_type": "code", "client_id": self.client_id, "redirect_uri": self.redirect_uri,
                 "scope": SCOPES, "state": state, "nonce": nonce,
                 "code_challenge": create_s256_code_challenge(code_verifier), "code_challenge_method": "S256"}
        return f"{self.metadata()['authorization_endpoint']}?{urlencode(query)}"

    def identity(self, code: str, nonce: str, code_verifier: str) -> ProviderIdentity:
        token = self._token(code, code_verifier)
        if "id_token" not in token:
            raise ProviderRefused("the OpenID provider returned no ID token")
        claims = self._verified_claims(token["id_token"], nonce)
        email = (claims.get("email") or "").strip().lower()
        if not email or claims.get("email_verified") is False:
            raise ProviderRefused("the OpenID provider gave no verified e-mail for this person")
        name = claims.get("name") or " ".join(filter(None, [claims.get("given_name"), claims.get("family_name")]))
        cabinets = tuple(Cabinet(str(c["siren"]), str(c.get("name", ""))) for c in claims.get(self.cabinets_claim) or ()
                         if isinstance(c, dict) and c.get("siren"))
        return ProviderIdentity(f"{self.issuer}|{claims['sub']}", email, name, cabinets)

    def _verified_claims(self, id_token: str, nonce: str) -> dict:
        try:
            decoded = jwt.decode(id_token, self._key_set())
        except JoseError:
            self._keys = None  # the provider may have rotated its keys: fetch them once more
            try:
                decoded = jwt.decode(id_token, self._key_set())
            except JoseError as error:
                raise ProviderRefused(f"the ID token's signature does not verify: {error}") from None
        try:
            jwt.JWTClaimsRegistry(now=int(time.time()), leeway=30, iss={"essential": True, "value": self.issuer},
                                  aud={"essential": True, "value": self.client_id},
                                  nonce={"essential": True, "value": nonce},
                                  sub={"essential": True}, exp={"essential": True}).validate(decoded.claims)
        except JoseError as error:
            raise ProviderRefused(f"the ID token's claims do not check out: {error}") from None
        return decoded.claims

    def _key_set(self) -> KeySet:
        if self._keys is None:
            self._keys = KeySet.import_key_set(self._get_json(self.metadata()["jwks_uri"]))
        return self._keys

    def _token(self, code: str, code_verifier: str) -> dict:
        """The code exchanged at the token endpoint, the client authenticated with HTTP Basic."""
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": self.redirect_uri,
                "code_verifier": code_verifier}
        try:
            response = httpx.post(self.metadata()["token_endpoint"], data=form, timeout=self.timeout,
                                  auth=(self.client_id, self.client_secret))
        except httpx.HTTPError as error:
            raise ProviderUnavailable(f"the OpenID provider at {self.issuer} cannot be reached: {error}") from None
        if response.status_code >= 500:
            raise ProviderUnavailable(f"the OpenID provider answered {response.status_code}")
        body = _json_or_empty(response)
        if response.status_code != 200:
            raise ProviderRefused(f"the OpenID provider refused the login: {body.get('error', response.status_code)}")
        return body

    def _get_json(self, url: str) -> dict:
        try:
            response = httpx.get(url, timeout=self.timeout)
            response.raise_for_status()
            return response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise ProviderUnavailable(f"the OpenID provider at {self.issuer} cannot be reached: {error}") from None


def _json_or_empty(response: httpx.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
