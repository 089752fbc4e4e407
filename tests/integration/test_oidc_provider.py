"""The local OpenID Provider (infra/oidc, standing in for ComptExpert) with a real client: discovery, the
authorization-code flow with PKCE through its login page, signed ID tokens carrying the cabinets claim."""
import json
import subprocess
import tempfile
import time

import httpx
import pytest
from authlib.common.security import generate_token
from authlib.integrations.base_client import OAuthError
from authlib.integrations.httpx_client import OAuth2Client
from joserfc import jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet, RSAKey

from jefacture.platform import FIRM_CALLBACK_PATH, OIDC_PROVIDER, OIDC_USERS
from jefacture.provider_login import ProviderLoginFailed, sign_in
from jefacture.simulators.kit import free_port

CLIENT_ID = "jefacture-gateway"
CLIENT_SECRET = "test-secret-for-the-provider"
USERS = {user["username"]: user for user in json.loads(OIDC_USERS.read_text(encoding="utf-8"))["users"]}
EXPERT = "claire.rousseau@rousseau-expertise.example"
COLLABORATOR = "thomas.nguyen@rousseau-expertise.example"


@pytest.fixture(scope="module")
def provider():
    """The built provider on a free port: yields (issuer, redirect URI, discovery document)."""
    if not OIDC_PROVIDER.exists():
        pytest.fail(f"{OIDC_PROVIDER} is not built: run scripts/infra.sh up (or make setup) to build infra/oidc")
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    redirect_uri = f"http://127.0.0.1:{free_port()}{FIRM_CALLBACK_PATH}"  # never requested: sign_in stops before
    with tempfile.TemporaryFile() as log:
        child = subprocess.Popen([str(OIDC_PROVIDER), "--listen", f"127.0.0.1:{port}", "--issuer", issuer,
                                  "--users", str(OIDC_USERS), "--client-id", CLIENT_ID,
                                  "--client-secret", CLIENT_SECRET, "--redirect-uri", redirect_uri],
                                 stdout=log, stderr=subprocess.STDOUT)
        try:
            yield issuer, redirect_uri, _discovery(issuer, child, log)
        finally:
            child.terminate()
            child.wait(timeout=10)


def _discovery(issuer: str, child: subprocess.Popen, log) -> dict:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if child.poll() is not None:
            log.seek(0)
            pytest.fail(f"oidc-provider exited with code {child.returncode}: {log.read().decode(errors='replace')}")
        try:
            return httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=1).raise_for_status().json()
        except httpx.HTTPError:
            time.sleep(0.05)
    pytest.fail(f"oidc-provider does not serve its discovery document at {issuer} after 20 s")


@pytest.fixture
def oauth(provider):
    _, redirect_uri, _ = provider
    with OAuth2Client(CLIENT_ID, CLIENT_SECRET, scope="openid profile email", redirect_uri=redirect_uri,
                      token_endpoint_auth_method="client_secret_basic", code_challenge_method="S256") as client:
        yield client


def authorize(oauth: OAuth2Client, discovery: dict) -> tuple[str, str, str, str]:
    """An authorization URL with PKCE and a nonce: (url, state, code_verifier, nonce)."""
    code_verifier, nonce = generate_token(48), generate_token(20)
    url, state = oauth.create_authorization_url(discovery["authorization_endpoint"], code_verifier=code_verifier,
                                                nonce=nonce)
    return url, state, code_verifier, nonce


def sign_in_and_get_tokens(oauth: OAuth2Client, discovery: dict, username: str) -> tuple[dict, str]:
    url, state, code_verifier, nonce = authorize(oauth, discovery)
    callback = sign_in(url, username, USERS[username]["password"])
    token = oauth.fetch_token(discovery["token_endpoint"], authorization_response=callback, state=state,
                              code_verifier=code_verifier)
    return token, nonce


def verified_claims(id_token: str, discovery: dict, nonce: str) -> dict:
    keys = KeySet.import_key_set(httpx.get(discovery["jwks_uri"], timeout=5).raise_for_status().json())
    token = jwt.decode(id_token, keys, algorithms=["RS256"])
    jwt.JWTClaimsRegistry(iss={"essential": True, "value": discovery["issuer"]},
                          aud={"essential": True, "value": CLIENT_ID},
                          nonce={"essential": True, "value": nonce},
                          sub={"essential": True}, exp={"essential": True}).validate(token.claims)
    assert token.header["alg"] == "RS256"
    return token.claims


def test_the_discovery_document_describes_a_code_flow_provider_with_pkce_and_rs256(provider):
    issuer, _, discovery = provider
    assert discovery["issuer"] == issuer
    for endpoint in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri"):
        assert discovery[endpoint].startswith(issuer + "/"), endpoint
    assert "code" in discovery["response_types_supported"]
    assert "authorization_code" in discovery["grant_types_supported"]
    assert "S256" in discovery["code_challenge_methods_supported"]
    assert discovery["id_token_signing_alg_values_supported"] == ["RS256"]
    assert "client_secret_basic" in discovery["token_endpoint_auth_methods_supported"]
    assert {"openid", "profile", "email"} <= set(discovery["scopes_supported"])
    keys = httpx.get(discovery["jwks_uri"], timeout=5).json()["keys"]
    assert [(key["kty"], key["alg"], key["use"]) for key in keys] == [("RSA", "RS256", "sig")]


def test_sign_in_returns_the_callback_with_the_code_and_the_state(provider, oauth):
    _, redirect_uri, discovery = provider
    url, state, _, _ = authorize(oauth, discovery)
    callback = httpx.URL(sign_in(url, EXPERT, USERS[EXPERT]["password"]))
    assert str(callback.copy_with(query=None)) == redirect_uri
    assert callback.params["state"] == state and callback.params["code"]


def test_an_expert_comptable_gets_a_signed_id_token_with_email_and_cabinets(provider, oauth):
    _, _, discovery = provider
    token, nonce = sign_in_and_get_tokens(oauth, discovery, EXPERT)
    claims = verified_claims(token["id_token"], discovery, nonce)
    expert = USERS[EXPERT]
    assert claims["sub"] == expert["id"]
    assert claims["email"] == EXPERT and claims["email_verified"] is True
    assert (claims["given_name"], claims["family_name"]) == ("Claire", "Rousseau")
    assert claims["cabinets"] == [{"siren": "812345676", "name": "ROUSSEAU EXPERTISE COMPTABLE"},
                                  {"siren": "493187264", "name": "GARONNE AUDIT ET CONSEIL"}]


def test_userinfo_carries_the_cabinets_too(provider, oauth):
    _, _, discovery = provider
    sign_in_and_get_tokens(oauth, discovery, EXPERT)
    userinfo = oauth.get(discovery["userinfo_endpoint"]).raise_for_status().json()
    assert userinfo["sub"] == USERS[EXPERT]["id"] and userinfo["email"] == EXPERT
    assert [cabinet["siren"] for cabinet in userinfo["cabinets"]] == ["812345676", "493187264"]


def test_a_collaborator_has_no_cabinet(provider, oauth):
    _, _, discovery = provider
    token, nonce = sign_in_and_get_tokens(oauth, discovery, COLLABORATOR)
    claims = verified_claims(token["id_token"], discovery, nonce)
    assert claims["email"] == COLLABORATOR and claims["cabinets"] == []


def test_an_id_token_signed_by_another_key_is_rejected(provider, oauth):
    _, _, discovery = provider
    token, _ = sign_in_and_get_tokens(oauth, discovery, EXPERT)
    stranger = RSAKey.generate_key(2048)
    with pytest.raises(BadSignatureError):
        jwt.decode(token["id_token"], stranger, algorithms=["RS256"])


def test_a_wrong_password_fails_with_the_providers_message(provider, oauth):
    _, _, discovery = provider
    url, _, _, _ = authorize(oauth, discovery)
    with pytest.raises(ProviderLoginFailed, match=r"refused the sign-in of '.*claire\.rousseau.*'.*password wrong"):
        sign_in(url, EXPERT, USERS[EXPERT]["password"] + "x")


def test_an_unknown_user_fails_too(provider, oauth):
    _, _, discovery = provider
    url, _, _, _ = authorize(oauth, discovery)
    with pytest.raises(ProviderLoginFailed, match="refused the sign-in"):
        sign_in(url, "nobody@cabinet.example", "Whatever-123!")


def test_a_code_cannot_be_exchanged_twice(provider, oauth):
    _, _, discovery = provider
    url, state, code_verifier, _ = authorize(oauth, discovery)
    callback = sign_in(url, EXPERT, USERS[EXPERT]["password"])
    oauth.fetch_token(discovery["token_endpoint"], authorization_response=callback, state=state,
                      code_verifier=code_verifier)
    with pytest.raises(OAuthError) as refused:
        oauth.fetch_token(discovery["token_endpoint"], authorization_response=callback, state=state,
                          code_verifier=code_verifier)
    assert refused.value.error == "invalid_grant"


def test_a_code_needs_its_pkce_verifier(provider, oauth):
    _, _, discovery = provider
    url, state, _, _ = authorize(oauth, discovery)
    callback = sign_in(url, EXPERT, USERS[EXPERT]["password"])
    with pytest.raises(OAuthError) as refused:
        oauth.fetch_token(discovery["token_endpoint"], authorization_response=callback, state=state,
                          code_verifier=generate_token(48))
    assert refused.value.error == "invalid_grant"


def test_a_wrong_client_secret_cannot_exchange_a_code(provider):
    _, redirect_uri, discovery = provider
    with OAuth2Client(CLIENT_ID, "not-the-secret", scope="openid profile email", redirect_uri=redirect_uri,
                      code_challenge_method="S256") as impostor:
        url, state, code_verifier, _ = authorize(impostor, discovery)
        callback = sign_in(url, EXPERT, USERS[EXPERT]["password"])
        with pytest.raises(OAuthError) as refused:
            impostor.fetch_token(discovery["token_endpoint"], authorization_response=callback, state=state,
                                 code_verifier=code_verifier)
    assert refused.value.error in ("invalid_client", "unauthorized_client")
