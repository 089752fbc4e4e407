"""identity's gRPC process on real FerretDB, with the local OpenID provider: the gateway's Authorize question
answered and refused with the right status, users, firms and dossiers kept across a restart, a dossier's settings
and the internal profile the platform's services ask for."""
import json
from contextlib import contextmanager
from urllib.parse import parse_qs, urlsplit

import grpc
import pytest

from jefacture import grpc_kit, onboarding, provider_login
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


COMPANY_SIREN = "732829320"
FIRST_USER_EMAIL, CLERK_EMAIL, VIEWER_EMAIL = ("gerant@boulangerie-martin.example", "compta@boulangerie-martin.example",
                                              "vendeur@boulangerie-martin.example")
THOMAS = "thomas.nguyen@rousseau-expertise.example"


def complete(identity, mailbox, email: str, subject_part: str) -> pb.Session:
    _, token = onboarding.link_in(mailbox.wait_for(email, subject_part))
    profile = onboarding.profile("Marie Lambert")
    return identity.CompleteInvitation(pb.CompleteInvitationRequest(token=token, **profile), timeout=10)


@pytest.fixture
def dossier(identity, platform_env):
    """(firm admin's session, firm, dossier, first user's session): an active dossier with three company users,
    a collaborator in the firm (not assigned yet)."""
    mailbox = onboarding.Mailbox(platform_env["MAIL_HTTP_ADDRESS"])
    admin = firm_login(identity, *onboarding.DEMO_FIRM_ADMIN)
    firm = identity.AcceptTerms(pb.AcceptTermsRequest(siren=onboarding.DEMO_CABINET_SIREN,
                                                      version=onboarding.TERMS_VERSION),
                                metadata=signed_in(admin), timeout=10)
    created = identity.CreateDossier(pb.CreateDossierRequest(firm_id=firm.firm_id, fields=onboarding.dossier_form(
        COMPANY_SIREN, FIRST_USER_EMAIL)), metadata=signed_in(admin), timeout=10)
    identity.ActivateDossier(pb.DossierRef(dossier_id=created.dossier_id), metadata=signed_in(admin), timeout=10)
    first = complete(identity, mailbox, FIRST_USER_EMAIL, "Activez le dossier")
    for email, rights in ((CLERK_EMAIL, ["upload", "accept"]), (VIEWER_EMAIL, ["see_purchases"])):
        identity.InviteUser(pb.InviteUserRequest(dossier_id=created.dossier_id, email=email, rights=rights),
                            metadata=signed_in(first), timeout=10)
        complete(identity, mailbox, email, "vous invite sur le dossier")
    identity.AddCollaborator(pb.AddCollaboratorRequest(firm_id=firm.firm_id, email=THOMAS, name="Thomas Nguyen"),
                             metadata=signed_in(admin), timeout=10)
    return admin, firm, created, first


def settings_of(identity, session, dossier_id) -> pb.DossierSettings:
    return identity.GetDossierSettings(pb.DossierRef(dossier_id=dossier_id), metadata=signed_in(session), timeout=10)


def test_a_dossier_has_default_settings_that_only_its_managers_change(identity, dossier):
    admin, _, created, first = dossier
    defaults = pb.DossierSettings(dossier_id=created.dossier_id, auto_accept=True, payment_button=True,
                                  payment_link_days=30, after_payment_url="")
    assert settings_of(identity, first, created.dossier_id) == defaults
    chosen = pb.DossierSettings(dossier_id=created.dossier_id, auto_accept=False, payment_button=False,
                                payment_link_days=90, after_payment_url="https://boulangerie-martin.example/merci")

    refused = refusal(lambda: identity.UpdateDossierSettings(chosen, metadata=signed_in(first), timeout=10))
    assert refused.code() == grpc.StatusCode.PERMISSION_DENIED and "dossier.manage" in refused.details()
    assert identity.UpdateDossierSettings(chosen, metadata=signed_in(admin), timeout=10) == chosen

    assert settings_of(identity, first, created.dossier_id) == chosen
    assert identity.GetDossier(pb.DossierRef(dossier_id=created.dossier_id), metadata=signed_in(first),
                               timeout=10).auto_accept is False
    unknown = refusal(lambda: settings_of(identity, admin, "no-such-dossier"))
    assert unknown.code() == grpc.StatusCode.NOT_FOUND


def test_wrong_settings_are_refused_field_by_field_and_nothing_is_saved(identity, dossier):
    admin, _, created, first = dossier
    wrong = pb.DossierSettings(dossier_id=created.dossier_id, auto_accept=False, payment_button=True,
                               payment_link_days=400, after_payment_url="javascript:alert(1)")

    refused = refusal(lambda: identity.UpdateDossierSettings(wrong, metadata=signed_in(admin), timeout=10))

    assert refused.code() == grpc.StatusCode.INVALID_ARGUMENT
    problems = json.loads(dict(refused.trailing_metadata())[grpc_kit.PROBLEMS_KEY])
    assert problems == [
        {"field": "payment_link_days", "reason": "payment_link_days must be between 1 and 366 days, not 400"},
        {"field": "after_payment_url", "reason": "after_payment_url 'javascript:alert(1)' is not an http(s) address: "
                                                 "URL scheme should be 'http' or 'https'"}]
    assert settings_of(identity, first, created.dossier_id).auto_accept is True


def test_the_profile_names_who_accepts_and_which_collaborators_hear_of_anomalies(identity, dossier):
    admin, firm, created, first = dossier
    ids = {u.user.email: u.user.user_id for u in identity.ListDossierUsers(
        pb.DossierRef(dossier_id=created.dossier_id), metadata=signed_in(first), timeout=10).users}
    ref = pb.DossierRef(dossier_id=created.dossier_id)

    profile = identity.GetDossierProfile(ref, timeout=10)  # internal: no token

    assert (profile.dossier_id, profile.firm_id, profile.siren, profile.name, profile.status, profile.email) == (
        created.dossier_id, firm.firm_id, COMPANY_SIREN, "BOULANGERIE MARTIN", "active", FIRST_USER_EMAIL)
    assert sorted(profile.accepters) == sorted([ids[FIRST_USER_EMAIL], ids[CLERK_EMAIL]])
    assert list(profile.collaborators) == [admin.user.user_id]  # none assigned: the firm's admin
    assert profile.settings == settings_of(identity, first, created.dossier_id)

    identity.SetAssignments(pb.SetAssignmentsRequest(dossier_id=created.dossier_id, emails=[THOMAS]),
                            metadata=signed_in(admin), timeout=10)
    thomas = next(c.user.user_id for c in identity.ListCollaborators(
        pb.FirmRef(firm_id=firm.firm_id), metadata=signed_in(admin), timeout=10).collaborators
        if c.user.email == THOMAS)
    assert list(identity.GetDossierProfile(ref, timeout=10).collaborators) == [thomas]
    unknown = refusal(lambda: identity.GetDossierProfile(pb.DossierRef(dossier_id="no-such-dossier"), timeout=10))
    assert unknown.code() == grpc.StatusCode.NOT_FOUND and "no-such-dossier" in unknown.details()


def test_a_permission_asked_on_a_firm_is_checked_against_the_firm_roles(identity, dossier):
    admin, firm, created, first = dossier

    def on_firm(session, permission="firm.manage", **target):
        return identity.Authorize(pb.AuthorizeRequest(access_token=session.access_token, permission=permission,
                                                      **(target or {"firm_id": firm.firm_id})), timeout=10)

    assert on_firm(admin) == pb.AuthorizeReply(user_id=admin.user.user_id, firm_id=firm.firm_id)
    assert refusal(lambda: on_firm(admin, "dossier.read")).code() == grpc.StatusCode.PERMISSION_DENIED
    assert refusal(lambda: on_firm(first, "firm.read")).code() == grpc.StatusCode.NOT_FOUND
    assert refusal(lambda: on_firm(admin, firm_id="no-such-firm")).code() == grpc.StatusCode.NOT_FOUND
    both = refusal(lambda: on_firm(admin, firm_id=firm.firm_id, dossier_id=created.dossier_id))
    assert both.code() == grpc.StatusCode.INVALID_ARGUMENT and "not both" in both.details()
