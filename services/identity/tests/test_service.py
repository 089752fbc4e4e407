"""identity's gRPC process on real FerretDB, with the local OpenID provider: the gateway's Authorize question
answered and refused with the right status, and users, firms and dossiers kept across a restart."""
from contextlib import contextmanager
from urllib.parse import parse_qs, urlsplit

import grpc
import pytest

from jefacture import onboarding, provider_login
from jefacture.api.v1 import identity_pb2 as pb
from jefacture.api.v1 import identity_pb2_grpc

pytestmark = pytest.mark.service


@contextmanager
def connected(address: str):
    with grpc.insecure_channel(address) as channel:
        yield identity_pb2_grpc.IdentityStub(channel)


@pytest.fixture
def identity(platform, platform_env):
    platform.start(["smtp-sink", "oidc", "sirene", "identity-grpc"])
    with connected(platform_env["IDENTITY_GRPC"]) as stub:
        yield stub


def signed_in(session: pb.Session) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {session.access_token}"),)


def firm_login(identity, username: str, password: str) -> pb.Session:
    """The browser's round trip, with identity asked directly instead of through the gateway."""
    redirect = identity.BeginFirmLogin(pb.Empty(), timeout=10)
    query = parse_qs(urlsplit(provider_login.sign_in(redirect.authorization_url, username, password)).query)
    return identity.CompleteFirmLogin(pb.CompleteFirmLoginRequest(state=query["state"][0], code=query["code"][0]),
                                      timeout=10)


def authorize(identity, access_token: str, dossier_id: str, permission: str = "dossier.read") -> pb.AuthorizeReply:
    return identity.Authorize(pb.AuthorizeRequest(access_token=access_token, dossier_id=dossier_id,
                                                  permission=permission), timeout=10)


def refusal(call) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as refused:
        call()
    return refused.value


def test_a_token_identity_did_not_sign_is_unauthenticated(identity):
    refused = refusal(lambda: authorize(identity, "eyJhbGciOiJub25lIn0.e30.", "some-dossier"))

    assert refused.code() == grpc.StatusCode.UNAUTHENTICATED
    assert refusal(lambda: authorize(identity, "", "some-dossier")).code() == grpc.StatusCode.UNAUTHENTICATED


def test_an_unknown_permission_is_an_invalid_argument_naming_it(identity):
    refused = refusal(lambda: authorize(identity, "any-token", "some-dossier", permission="invoices.burn"))

    assert refused.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "'invoices.burn' is not a permission" in refused.details()


def test_a_restart_keeps_the_users_firms_and_dossiers(identity, platform, platform_env):
    session = firm_login(identity, *onboarding.DEMO_FIRM_ADMIN)
    firm = identity.AcceptTerms(pb.AcceptTermsRequest(siren=onboarding.DEMO_CABINET_SIREN,
                                                      version=onboarding.TERMS_VERSION),
                                metadata=signed_in(session), timeout=10)
    before = authorize(identity, session.access_token, firm.own_dossier_id)
    assert (before.user_id, before.firm_id) == (session.user.user_id, firm.firm_id)
    not_active = refusal(lambda: authorize(identity, session.access_token, firm.own_dossier_id, "invoices.upload"))
    assert not_active.code() == grpc.StatusCode.PERMISSION_DENIED and "not active" in not_active.details()

    platform.stop(["identity-grpc"])
    platform.start(["identity-grpc"])

    with connected(platform_env["IDENTITY_GRPC"]) as restarted:
        assert authorize(restarted, session.access_token, firm.own_dossier_id) == before
        again = firm_login(restarted, *onboarding.DEMO_FIRM_ADMIN)
        assert again.user.user_id == session.user.user_id
        cabinets = restarted.ListCabinets(pb.Empty(), metadata=signed_in(again), timeout=10)
        rousseau = next(c for c in cabinets.cabinets if c.siren == onboarding.DEMO_CABINET_SIREN)
        assert (rousseau.firm_id, rousseau.terms_accepted) == (firm.firm_id, True)
        own = restarted.GetDossier(pb.DossierRef(dossier_id=firm.own_dossier_id), metadata=signed_in(again),
                                   timeout=10)
        assert (own.firm_id, own.own, own.status) == (firm.firm_id, True, "invited")
        refreshed = restarted.Refresh(pb.RefreshRequest(refresh_token=session.refresh_token), timeout=10)
        assert refreshed.user.user_id == session.user.user_id
