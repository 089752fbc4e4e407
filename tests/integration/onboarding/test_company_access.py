"""Company users through the REST API: password login and its throttling, rotating refresh tokens, logout,
password reset by e-mail, colleagues invited with rights, several dossiers, the audit log."""
import base64
import io

import pytest
from PIL import Image

from jefacture import onboarding
from jefacture.onboarding import bearer, expect
from jefacture.testing import EventCapture

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def boulangerie(api, rousseau, mailbox):
    """An active dossier and its first user's session."""
    return onboarding.open_active_dossier(api, rousseau, mailbox, "732829320", "marie@boulangerie-martin.example")


def login(api, email, password):
    return api.post("/auth/login", json={"email": email, "password": password})


def test_the_first_user_logs_in_with_the_password_chosen_in_the_invitation(api, boulangerie):
    dossier, _ = boulangerie
    session = expect(login(api, "Marie@Boulangerie-Martin.example", onboarding.DEMO_PASSWORD), 200)
    me = expect(api.get("/me", headers=bearer(session)), 200)
    assert me["user"]["email"] == "marie@boulangerie-martin.example"
    assert [d["dossier_id"] for d in me["dossiers"]] == [dossier["dossier_id"]]


def test_wrong_password_and_unknown_email_get_the_same_answer_and_both_lock_out(api, boulangerie):
    wrong = login(api, "marie@boulangerie-martin.example", "not the password at all")
    unknown = login(api, "nobody@nowhere.example", "not the password at all")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()

    for email in ("locked@boulangerie-martin.example", "nobody-else@nowhere.example"):
        answers = [login(api, email, f"attempt {i}").status_code for i in range(6)]
        assert answers == [401] * 5 + [429]
    assert login(api, "locked@boulangerie-martin.example", "attempt 7").json()["error"].startswith(
        "too many failed logins")


def test_refresh_tokens_rotate_and_a_reused_one_ends_the_session(api, boulangerie):
    first = expect(login(api, "marie@boulangerie-martin.example", onboarding.DEMO_PASSWORD), 200)
    second = expect(api.post("/auth/refresh", json={"refresh_token": first["refresh_token"]}), 200)
    assert second["refresh_token"] != first["refresh_token"]
    expect(api.get("/me", headers=bearer(second)), 200)

    replay = api.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert replay.status_code == 401 and "already used" in replay.json()["error"]
    assert api.post("/auth/refresh", json={"refresh_token": second["refresh_token"]}).status_code == 401
    assert api.get("/me", headers=bearer(second)).status_code == 401


def test_logout_ends_the_session(api, boulangerie):
    session = expect(login(api, "marie@boulangerie-martin.example", onboarding.DEMO_PASSWORD), 200)
    assert api.post("/auth/logout", headers=bearer(session)).status_code == 204
    assert api.get("/me", headers=bearer(session)).status_code == 401
    assert api.post("/auth/refresh", json={"refresh_token": session["refresh_token"]}).status_code == 401
    assert api.get("/me", headers={"Authorization": "Bearer forged.token.value"}).status_code == 401


def test_password_reset_by_e_mail_without_revealing_accounts(api, mailbox, rousseau):
    _, session = onboarding.open_active_dossier(api, rousseau, mailbox, "552100554", "compta@dupont.example")
    for email in ("compta@dupont.example", "unknown@dupont.example"):
        assert api.post("/auth/password-reset", json={"email": email}).status_code == 202
    mail = mailbox.wait_for("compta@dupont.example", "Réinitialisation")
    kind, token = onboarding.link_in(mail)
    assert kind == "password-reset"
    assert mailbox.messages("unknown@dupont.example") == []

    assert api.post(f"/password-reset/{token}", json={"new_password": "dupont"}).status_code == 422
    assert api.post(f"/password-reset/{token}", json={"new_password": "Nouveau-Mot-De-Passe-2027"}).status_code == 204
    assert api.post(f"/password-reset/{token}", json={"new_password": "Encore-Un-Autre-2028!"}).status_code == 410
    assert login(api, "compta@dupont.example", onboarding.DEMO_PASSWORD).status_code == 401
    expect(login(api, "compta@dupont.example", "Nouveau-Mot-De-Passe-2027"), 200)
    assert api.post("/password-reset/not-a-real-token", json={"new_password": "Whatever-2027-xyz"}).status_code == 410


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "navy").save(out, format="PNG")
    return out.getvalue()


def test_the_first_user_invites_a_colleague_with_chosen_rights(api, mailbox, boulangerie, stack, identity_db):
    dossier, first_user = boulangerie
    capture = EventCapture(stack.env["AMQP_URI"], [("identity", "UserInvited")])
    dossier_id = dossier["dossier_id"]
    bad = api.post(f"/dossiers/{dossier_id}/users", headers=bearer(first_user),
                   json={"email": "paul@boulangerie-martin.example", "rights": ["upload", "fly"]})
    assert bad.status_code == 422 and "fly" in bad.json()["error"]
    invited = expect(api.post(f"/dossiers/{dossier_id}/users", headers=bearer(first_user),
                              json={"email": "paul@boulangerie-martin.example", "rights": ["upload",
                                                                                          "see_purchases"]}), 201)
    assert invited["outcome"] == "invited"
    [event] = capture.wait_for(lambda e: e["user_invited"]["dossier_id"] == dossier_id)
    assert event["user_invited"]["rights"] == ["see_purchases", "upload"]
    capture.close()
    _, token = onboarding.link_in(mailbox.wait_for("paul@boulangerie-martin.example", "vous invite"))
    not_a_photo = {**onboarding.profile("Paul Martin"), "photo_base64": base64.b64encode(b"GIF89a....").decode()}
    refused = api.post(f"/invitations/{token}", json=not_a_photo)
    assert refused.status_code == 422 and "PNG or JPEG" in refused.json()["error"]
    with_photo = {**onboarding.profile("Paul Martin"), "photo_base64": base64.b64encode(png()).decode()}
    paul = expect(api.post(f"/invitations/{token}", json=with_photo), 200)
    stored = identity_db.users.find_one({"email": "paul@boulangerie-martin.example"})
    assert (stored["photo_type"], bytes(stored["photo"])) == ("image/png", png())

    me = expect(api.get("/me", headers=bearer(paul)), 200)
    assert me["dossiers"][0]["permissions"] == ["dossier.read", "invoices.upload", "purchases.read"]
    assert api.get(f"/dossiers/{dossier_id}/users", headers=bearer(paul)).status_code == 403
    assert api.post(f"/dossiers/{dossier_id}/users", headers=bearer(paul),
                    json={"email": "x@y.example", "rights": []}).status_code == 403
    users = expect(api.get(f"/dossiers/{dossier_id}/users", headers=bearer(first_user)), 200)["users"]
    assert {(u["user"]["email"], u["role"]) for u in users} == {
        ("marie@boulangerie-martin.example", "first_user"), ("paul@boulangerie-martin.example", "company_user")}


def test_a_registered_person_gets_a_second_dossier_at_once_and_switches_between_them(api, mailbox, rousseau,
                                                                                  boulangerie):
    first, _ = boulangerie
    second = expect(api.post(f"/firms/{rousseau.firm_id}/dossiers", headers=bearer(rousseau.admin),
                             json=onboarding.dossier_form("775665011", "marie@boulangerie-martin.example")), 201)
    activated = expect(api.post(f"/dossiers/{second['dossier_id']}/activate", headers=bearer(rousseau.admin)), 200)
    assert activated["status"] == "active"
    mailbox.wait_for("marie@boulangerie-martin.example", "Nouveau dossier ouvert : ELECTRICITE BERNARD")

    session = expect(login(api, "marie@boulangerie-martin.example", onboarding.DEMO_PASSWORD), 200)
    me = expect(api.get("/me", headers=bearer(session)), 200)
    assert {d["dossier_id"] for d in me["dossiers"]} == {first["dossier_id"], second["dossier_id"]}
    switched = expect(api.put("/me/dossier", headers=bearer(session), json={"dossier_id": second["dossier_id"]}), 200)
    assert switched["dossiers"][0]["dossier_id"] == second["dossier_id"]
    again = expect(login(api, "marie@boulangerie-martin.example", onboarding.DEMO_PASSWORD), 200)
    assert expect(api.get("/me", headers=bearer(again)), 200)["dossiers"][0]["dossier_id"] == second["dossier_id"]


def test_security_events_record_who_what_when_and_from_where(api, boulangerie):
    login(api, "marie@boulangerie-martin.example", "a wrong password here")
    session = expect(login(api, "marie@boulangerie-martin.example", onboarding.DEMO_PASSWORD), 200)
    events = expect(api.get("/me/security-events", headers=bearer(session)), 200)["events"]
    kinds = [e["kind"] for e in events]
    assert "login_failed" in kinds and "login_succeeded" in kinds and "invitation_completed" in kinds
    failed = next(e for e in events if e["kind"] == "login_failed")
    assert failed["address"] == "127.0.0.1" and failed["user_agent"].startswith("python-httpx") and failed["at"]
