"""A firm comes on board through the REST API: SSO login, terms once per cabinet, own dossier, client dossiers by
form with SIRENE, activation by e-mail, collaborators and delegation."""
import pytest

from jefacture import onboarding
from jefacture.onboarding import bearer, expect
from jefacture.testing import EventCapture

from .conftest import CLAIRE, FONTAINE, GARONNE, JULIEN, ROUSSEAU, SARAH, THOMAS

pytestmark = pytest.mark.integration


def test_first_login_lists_the_cabinets_and_the_terms_are_recorded_once_per_cabinet(api, mailbox, identity_db):
    session = onboarding.firm_login(api, *CLAIRE)
    assert session["user"]["kind"] == "firm"
    assert {c["siren"] for c in session["cabinets"]} == {ROUSSEAU, GARONNE}

    listed = expect(api.get("/cabinets", headers=bearer(session)), 200)
    assert {c["siren"]: c["terms_accepted"] for c in listed["cabinets"]} == {ROUSSEAU: False, GARONNE: False}

    firm = expect(api.post(f"/cabinets/{GARONNE}/terms", json={"version": listed["terms_version"]},
                           headers=bearer(session)), 200)
    again = expect(api.post(f"/cabinets/{GARONNE}/terms", json={"version": listed["terms_version"]},
                            headers=bearer(session)), 200)
    assert again["firm_id"] == firm["firm_id"] and again["own_dossier_id"] == firm["own_dossier_id"]
    acceptances = list(identity_db.terms_acceptances.find({"firm_id": firm["firm_id"]}))
    assert [(a["version"], a["user_id"]) for a in acceptances] == [(listed["terms_version"],
                                                                    session["user"]["user_id"])]
    assert acceptances[0]["address"] and acceptances[0]["accepted_at"]

    own = expect(api.get(f"/dossiers/{firm['own_dossier_id']}", headers=bearer(session)), 200)
    assert (own["own"], own["free_invoices"], own["siren"], own["status"]) == (True, 500, GARONNE, "invited")
    assert own["name"] == "GARONNE AUDIT ET CONSEIL"
    invitation = mailbox.wait_for(CLAIRE[0], "GARONNE AUDIT ET CONSEIL")
    assert onboarding.link_in(invitation)[0] == "invitations"
    assert {c["siren"]: c["terms_accepted"] for c in
            expect(api.get("/cabinets", headers=bearer(session)), 200)["cabinets"]}[GARONNE] is True


def test_terms_of_an_older_version_or_of_a_cabinet_not_ones_own_are_refused(api):
    session = onboarding.firm_login(api, *CLAIRE)
    assert api.post(f"/cabinets/{ROUSSEAU}/terms", json={"version": "2019-01"},
                    headers=bearer(session)).status_code == 422
    refused = api.post(f"/cabinets/{FONTAINE}/terms", json={"version": onboarding.TERMS_VERSION},
                       headers=bearer(session))
    assert refused.status_code == 404 and "expert-comptable" in refused.json()["error"]


def test_a_dossier_form_is_filled_from_sirene_and_checked(api, rousseau):
    created = expect(api.post(f"/firms/{rousseau.firm_id}/dossiers", headers=bearer(rousseau.admin),
                              json=onboarding.dossier_form("518 762 091", "gerant@imprimerie-roux.example",
                                                           iban="FR76 3000 6000 0112 3456 7890 189")), 201)
    assert created["name"] == "IMPRIMERIE ROUX" and created["siren"] == "518762091"
    assert created["details"]["city"] and created["details"]["postal_code"]
    assert created["legal_form"] and created["status"] == "created"

    duplicate = api.post(f"/firms/{rousseau.firm_id}/dossiers", headers=bearer(rousseau.admin),
                         json=onboarding.dossier_form("518762091", "autre@imprimerie-roux.example"))
    assert duplicate.status_code == 409 and duplicate.json()["dossier_id"] == created["dossier_id"]

    bad = api.post(f"/firms/{rousseau.firm_id}/dossiers", headers=bearer(rousseau.admin),
                   json=onboarding.dossier_form("518762092", "not-an-email", closing_month="13",
                                                iban="FR76 3000 6000 0112 3456 7890 180"))
    assert bad.status_code == 422
    assert {p["field"] for p in bad.json()["problems"]} >= {"siren", "representative_email", "closing_month", "iban"}


def test_a_cabinet_cannot_be_another_cabinets_client(api, rousseau):
    refused = api.post(f"/firms/{rousseau.firm_id}/dossiers", headers=bearer(rousseau.admin),
                       json=onboarding.dossier_form(FONTAINE, "julien@audit-fontaine.example"))
    assert refused.status_code == 422
    assert "69.20Z" in refused.json()["error"] and "AUDIT CONSEIL FONTAINE" in refused.json()["error"]


def test_sirene_lookup_fills_the_form_and_unknown_sirens_are_404(api, rousseau):
    company = expect(api.get("/companies/732829320", headers=bearer(rousseau.admin)), 200)
    assert company["name"] == "BOULANGERIE MARTIN" and company["naf_code"] == "10.71C"
    assert api.get("/companies/732829321", headers=bearer(rousseau.admin)).status_code == 422
    assert api.get("/companies/130025265", headers=bearer(rousseau.admin)).status_code == 404


def test_the_dossier_stays_closed_until_the_representative_completes_the_invitation(api, rousseau, mailbox, stack):
    capture = EventCapture(stack.env["AMQP_URI"], [("identity", "DossierActivated")])
    dossier = expect(api.post(f"/firms/{rousseau.firm_id}/dossiers", headers=bearer(rousseau.admin),
                              json=onboarding.dossier_form("847293016", "gerant@garage-petit.example")), 201)
    dossier_id = dossier["dossier_id"]
    upload = api.post(f"/dossiers/{dossier_id}/invoices", headers=bearer(rousseau.admin),
                      files={"file": ("f.pdf", b"%PDF-1.4", "application/pdf")})
    assert upload.status_code == 403 and "not active" in upload.json()["error"]

    assert expect(api.post(f"/dossiers/{dossier_id}/activate", headers=bearer(rousseau.admin)), 200)["status"] == \
        "invited"
    mail = mailbox.wait_for("gerant@garage-petit.example", "Activez le dossier GARAGE PETIT")
    _, token = onboarding.link_in(mail)
    shown = expect(api.get(f"/invitations/{token}"), 200)
    assert (shown["email"], shown["dossier_name"], shown["purpose"]) == (
        "gerant@garage-petit.example", "GARAGE PETIT AUTOMOBILES", "activate_dossier")

    weak = api.post(f"/invitations/{token}", json=onboarding.profile("Marie Lambert", password="garage2024"))
    assert weak.status_code == 422 and "password" in weak.json()["error"]
    no_terms = api.post(f"/invitations/{token}", json={**onboarding.profile("Marie Lambert"), "accept_terms": False})
    assert no_terms.status_code == 422

    session = expect(api.post(f"/invitations/{token}", json=onboarding.profile("Marie Lambert")), 200)
    assert session["user"]["kind"] == "company"
    assert expect(api.get(f"/dossiers/{dossier_id}", headers=bearer(rousseau.admin)), 200)["status"] == "active"
    assert api.post(f"/invitations/{token}", json=onboarding.profile("Marie Lambert")).status_code == 410
    [event] = capture.wait_for(lambda e: e["dossier_activated"]["dossier_id"] == dossier_id)
    assert (event["correlation_id"], event["dossier_activated"]["firm_id"]) == (dossier_id, rousseau.firm_id)
    capture.close()
    me = expect(api.get("/me", headers=bearer(session)), 200)
    assert [d["dossier_id"] for d in me["dossiers"]] == [dossier_id]
    assert "users.manage" in me["dossiers"][0]["permissions"]


def test_activate_all_invites_every_dossier_not_yet_invited(api, mailbox):
    firm = onboarding.open_firm(api, *JULIEN, FONTAINE)
    ids = [expect(api.post(f"/firms/{firm.firm_id}/dossiers", headers=bearer(firm.admin),
                           json=onboarding.dossier_form(siren, f"rep-{siren}@clients.example")), 201)["dossier_id"]
           for siren in ("482956174", "891452369")]
    activated = expect(api.post(f"/firms/{firm.firm_id}/dossiers/activate-all", headers=bearer(firm.admin)), 200)
    assert {d["dossier_id"] for d in activated["dossiers"]} == set(ids)
    for siren in ("482956174", "891452369"):
        mailbox.wait_for(f"rep-{siren}@clients.example", "Activez le dossier")
    clients = expect(api.get(f"/firms/{firm.firm_id}/dossiers", headers=bearer(firm.admin)), 200)
    by_id = {c["dossier_id"]: c for c in clients}
    assert all(by_id[i]["status"] == "invited" and by_id[i]["closing_month"] == "12" for i in ids)
    assert expect(api.post(f"/firms/{firm.firm_id}/dossiers/activate-all", headers=bearer(firm.admin)),
                  200).get("dossiers", []) == []


def test_collaborators_see_only_assigned_dossiers_and_admins_can_delegate(api, rousseau, mailbox):
    admin = bearer(rousseau.admin)
    expect(api.post(f"/firms/{rousseau.firm_id}/collaborators", headers=admin,
                    json={"email": THOMAS[0], "name": "Thomas Nguyen"}), 201)
    mailbox.wait_for(THOMAS[0], "collaborateur du cabinet")
    dossier = expect(api.post(f"/firms/{rousseau.firm_id}/dossiers", headers=admin,
                              json=onboarding.dossier_form("423615988", "dg@chevalier.example")), 201)

    thomas = onboarding.firm_login(api, *THOMAS)
    assert expect(api.get(f"/firms/{rousseau.firm_id}/dossiers", headers=bearer(thomas)), 200) == []
    assert api.get(f"/dossiers/{dossier['dossier_id']}", headers=bearer(thomas)).status_code == 404
    assert api.post(f"/firms/{rousseau.firm_id}/dossiers", headers=bearer(thomas),
                    json=onboarding.dossier_form("830541728", "x@faure.example")).status_code == 403

    expect(api.put(f"/dossiers/{dossier['dossier_id']}/assignments", headers=admin, json={"emails": [THOMAS[0]]}), 200)
    listed = expect(api.get(f"/firms/{rousseau.firm_id}/dossiers", headers=bearer(thomas)), 200)
    assert [c["dossier_id"] for c in listed] == [dossier["dossier_id"]]
    assert expect(api.get(f"/dossiers/{dossier['dossier_id']}", headers=bearer(thomas)), 200)["name"] == \
        "MAISON CHEVALIER DISTRIBUTION"
    unknown = api.put(f"/dossiers/{dossier['dossier_id']}/assignments", headers=admin,
                      json={"emails": ["stranger@elsewhere.example"]})
    assert unknown.status_code == 422 and "not a collaborator" in unknown.json()["error"]

    expect(api.post(f"/firms/{rousseau.firm_id}/collaborators", headers=admin,
                    json={"email": SARAH[0], "name": "Sarah Benali", "admin": True}), 201)
    sarah = onboarding.firm_login(api, *SARAH)
    expect(api.post(f"/firms/{rousseau.firm_id}/dossiers", headers=bearer(sarah),
                    json=onboarding.dossier_form("830541728", "contact@faure.example")), 201)
    staff = expect(api.get(f"/firms/{rousseau.firm_id}/collaborators", headers=bearer(sarah)), 200)
    assert {c["user"]["email"]: c["role"] for c in staff["collaborators"]} == {
        CLAIRE[0]: "firm_admin", THOMAS[0]: "collaborator", SARAH[0]: "firm_admin"}
