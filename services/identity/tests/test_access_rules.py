"""The permission table, the login throttle, access tokens and invitation links, without any server."""
from datetime import UTC, datetime, timedelta

import pytest

from jefacture_identity.domain import passwords
from jefacture_identity.domain.dossier import DossierSettings, InvalidSettings, clean_settings
from jefacture_identity.domain.invitations import (
    ACTIVATE_DOSSIER,
    RESET_PASSWORD,
    InvitationInvalid,
    check_usable,
    new_invitation,
)
from jefacture_identity.domain.permissions import (
    ASSIGNED,
    COLLABORATOR,
    COMPANY_USER,
    FIRM_ADMIN,
    FIRST_USER,
    Forbidden,
    Grant,
    NotVisible,
    Permission,
    check_dossier,
    check_firm,
    clean_rights,
    company_users_with,
    dossier_collaborators,
)
from jefacture_identity.domain.throttle import LoginLocked, ThrottlePolicy, check_not_locked
from jefacture_identity.domain.tokens import AccessTokens, InvalidToken, load_or_create_key

P = Permission
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def allowed(grants, permission, dossier="d1", firm="f1", active=True) -> str:
    try:
        check_dossier(grants, dossier, firm, active, permission)
    except NotVisible:
        return "not visible"
    except Forbidden:
        return "forbidden"
    return "allowed"


def test_a_firm_admin_reaches_every_dossier_of_the_firm_and_no_other():
    grants = [Grant("u", "firm", "f1", FIRM_ADMIN)]
    assert allowed(grants, P.INVOICES_UPLOAD) == "allowed"
    assert allowed(grants, P.INVOICES_UPLOAD, firm="f2") == "not visible"
    assert allowed(grants, P.INVOICES_PAY) == "forbidden"  # paying is the company's own decision


def test_a_collaborator_reaches_only_assigned_dossiers():
    member = [Grant("u", "firm", "f1", COLLABORATOR)]
    assert allowed(member, P.DOSSIER_READ) == "not visible"
    assigned = member + [Grant("u", "dossier", "d1", ASSIGNED)]
    assert allowed(assigned, P.PURCHASES_READ) == "allowed"
    assert allowed(assigned, P.DOSSIER_MANAGE) == "forbidden"
    assert allowed(assigned, P.DOSSIER_READ, dossier="d2") == "not visible"


def test_company_users_hold_exactly_the_rights_chosen_for_them():
    first = [Grant("u", "dossier", "d1", FIRST_USER)]
    assert all(allowed(first, p) == "allowed" for p in (P.INVOICES_PAY, P.USERS_MANAGE, P.SALES_READ))
    assert allowed(first, P.DOSSIER_MANAGE) == "forbidden"
    clerk = [Grant("u", "dossier", "d1", COMPANY_USER, ("upload", "see_purchases"))]
    assert [allowed(clerk, p) for p in (P.INVOICES_UPLOAD, P.PURCHASES_READ, P.SALES_READ, P.USERS_MANAGE)] == [
        "allowed", "allowed", "forbidden", "forbidden"]


def test_before_activation_the_firm_sees_the_record_and_nothing_else():
    grants = [Grant("u", "firm", "f1", FIRM_ADMIN)]
    assert allowed(grants, P.DOSSIER_MANAGE, active=False) == "allowed"
    assert allowed(grants, P.PURCHASES_READ, active=False) == "forbidden"


def test_firm_permissions_and_rights_names():
    assert check_firm([Grant("u", "firm", "f1", COLLABORATOR)], "f1", P.FIRM_READ) == COLLABORATOR
    with pytest.raises(Forbidden):
        check_firm([Grant("u", "firm", "f1", COLLABORATOR)], "f1", P.FIRM_MANAGE)
    with pytest.raises(NotVisible):
        check_firm([Grant("u", "firm", "f1", FIRM_ADMIN)], "f2", P.FIRM_READ)
    assert clean_rights(["upload", "pay", "upload"]) == ("pay", "upload")
    with pytest.raises(ValueError, match="fly"):
        clean_rights(["fly"])


def test_the_throttle_locks_after_five_failures_and_unlocks_after_the_lockout():
    policy = ThrottlePolicy()
    failures = [NOW - timedelta(minutes=m) for m in (1, 2, 3, 4)]
    check_not_locked(failures, [], NOW, policy)
    with pytest.raises(LoginLocked) as locked:
        check_not_locked(failures + [NOW], [], NOW, policy)
    assert locked.value.until == NOW + policy.lockout
    check_not_locked(failures + [NOW], [], NOW + policy.lockout, policy)
    with pytest.raises(LoginLocked):
        check_not_locked([], [NOW] * policy.max_failures_per_address, NOW, policy)


def test_access_tokens_expire_and_do_not_verify_with_another_key(tmp_path):
    tokens = AccessTokens(load_or_create_key(tmp_path / "key.pem"), lifetime_seconds=600)
    token, expires = tokens.issue("user-1", "session-1", now=NOW.timestamp())
    assert tokens.verify(token, now=NOW.timestamp() + 599).user_id == "user-1"
    assert expires == int(NOW.timestamp()) + 600
    with pytest.raises(InvalidToken):
        tokens.verify(token, now=NOW.timestamp() + 700)
    other = AccessTokens(load_or_create_key(tmp_path / "other.pem"), lifetime_seconds=600)
    with pytest.raises(InvalidToken):
        other.verify(token, now=NOW.timestamp())
    assert (tmp_path / "key.pem").stat().st_mode & 0o077 == 0
    assert load_or_create_key(tmp_path / "key.pem").as_dict() == tokens.key.as_dict()


def test_invitation_links_are_single_use_expiring_and_for_one_purpose():
    invitation = new_invitation("i1", ACTIVATE_DOSSIER, "a@b.example", "d1", NOW)
    assert check_usable(invitation, False, NOW + timedelta(days=6)) is invitation
    for used, when, purpose, reason in ((True, NOW, None, "already used"),
                                        (False, NOW + timedelta(days=7), None, "expired"),
                                        (False, NOW, RESET_PASSWORD, "not valid")):
        with pytest.raises(InvitationInvalid, match=reason):
            check_usable(invitation, used, when, purpose)
    with pytest.raises(InvitationInvalid, match="not valid"):
        check_usable(None, False, NOW)


def test_passwords_are_argon2id_and_weak_ones_are_refused_with_a_reason():
    stored = passwords.hash_password("Correct-Horse-Battery-9")
    assert stored.startswith("$argon2id$")
    assert passwords.verify_password(stored, "Correct-Horse-Battery-9")
    assert not passwords.verify_password(stored, "correct-horse-battery-9")
    assert not passwords.verify_password(None, "anything")
    with pytest.raises(passwords.WeakPassword, match="at least 12"):
        passwords.check_strength("Short-1!", [])
    with pytest.raises(passwords.WeakPassword, match="contains 'lambert', part of your name"):
        passwords.check_strength("marie.lambert2026", ["marie.lambert@x.example", "Marie", "Lambert"])
    with pytest.raises(passwords.WeakPassword, match="too easy"):
        passwords.check_strength("password123456", [])
    passwords.check_strength("Facture-Vallee-2026!", ["marie@x.example"])


def test_the_accepters_are_the_company_users_whose_rights_allow_accepting():
    grants = [Grant("first", "dossier", "d1", FIRST_USER),
              Grant("clerk", "dossier", "d1", COMPANY_USER, ("upload", "accept")),
              Grant("viewer", "dossier", "d1", COMPANY_USER, ("see_purchases",)),
              Grant("thomas", "dossier", "d1", ASSIGNED),  # firm staff: not a company user
              Grant("other", "dossier", "d2", FIRST_USER)]

    assert company_users_with(grants, "d1", P.INVOICES_ACCEPT) == ["clerk", "first"]
    assert company_users_with(grants, "d1", P.INVOICES_PAY) == ["first"]


def test_the_collaborators_are_the_assigned_ones_or_else_the_firm_admins():
    firm = [Grant("claire", "firm", "f1", FIRM_ADMIN), Grant("thomas", "firm", "f1", COLLABORATOR),
            Grant("paul", "firm", "f1", FIRM_ADMIN)]
    assigned = [Grant("thomas", "dossier", "d1", ASSIGNED), Grant("first", "dossier", "d1", FIRST_USER)]

    assert dossier_collaborators(assigned, firm) == ["thomas"]
    assert dossier_collaborators([Grant("first", "dossier", "d1", FIRST_USER)], firm) == ["claire", "paul"]


def test_settings_are_kept_as_given_and_each_wrong_field_is_named():
    assert clean_settings(False, True, 366, " https://boulangerie.example/merci ") == DossierSettings(
        auto_accept=False, payment_button=True, payment_link_days=366,
        after_payment_url="https://boulangerie.example/merci")
    assert clean_settings(True, False, 1, "").after_payment_url == ""

    with pytest.raises(InvalidSettings) as refused:
        clean_settings(True, True, 0, "ftp://boulangerie.example/merci")
    assert refused.value.problems == {
        "payment_link_days": "payment_link_days must be between 1 and 366 days, not 0",
        "after_payment_url": "after_payment_url 'ftp://boulangerie.example/merci' is not an http(s) address: "
                             "URL scheme should be 'http' or 'https'"}
    with pytest.raises(InvalidSettings, match="'merci' is not an http"):
        clean_settings(True, True, 30, "merci")
    with pytest.raises(InvalidSettings, match="not 367"):
        clean_settings(True, True, 367, "")
