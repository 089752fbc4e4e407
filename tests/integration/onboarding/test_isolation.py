"""Tenant isolation: for every REST endpoint that names a dossier, an invoice or a firm, a collaborator not assigned
to the dossier, a user of another dossier and another firm's admin get 403 or 404, learn nothing of the dossier,
and change nothing. The owners get 2xx on the same requests, so each refusal is the rule's doing."""
import pytest

from jefacture import onboarding
from jefacture.onboarding import bearer, expect
from jefacture.samples import invoice_pdf, sample_invoices
from jefacture.testing import wait_for

from .conftest import FONTAINE, JULIEN, THOMAS

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def world(stack, api, rousseau, mailbox):
    stack.start()  # every process: the invoice must reach reporting and the vault
    target, owner = onboarding.open_active_dossier(api, rousseau, mailbox, "984127530", "ceo@studio-lambert.example")
    _, neighbour = onboarding.open_active_dossier(api, rousseau, mailbox, "539204180", "gerant@sci-tilleuls.example")
    expect(api.post(f"/firms/{rousseau.firm_id}/collaborators", headers=bearer(rousseau.admin),
                    json={"email": THOMAS[0], "name": "Thomas Nguyen"}), 201)
    thomas = onboarding.firm_login(api, *THOMAS)
    other_firm = onboarding.open_firm(api, *JULIEN, FONTAINE)
    pdf = invoice_pdf(sample_invoices(1)[0])
    receipt = expect(api.post(f"/dossiers/{target['dossier_id']}/invoices", headers=bearer(owner),
                              files={"file": ("secret-invoice.pdf", pdf, "application/pdf")}), 201)
    invoice_id = receipt["document_id"]
    wait_for(lambda: api.get(f"/invoices/{invoice_id}/sealed", headers=bearer(owner)).status_code == 200, timeout=60)
    return {"target": target, "owner": owner, "firm": rousseau, "invoice_id": invoice_id,
            "outsiders": {"unassigned collaborator": thomas, "user of another dossier": neighbour,
                          "another firm's admin": other_firm.admin}}


def requests(world) -> list[tuple[str, str, dict, str]]:
    """(method, path, request kwargs, who may do it) for every endpoint that names the target's ids."""
    dossier, invoice, firm = world["target"]["dossier_id"], world["invoice_id"], world["firm"].firm_id
    pdf = {"files": {"file": ("x.pdf", b"%PDF-1.4 nothing", "application/pdf")}}
    xlsx = {"files": {"file": ("c.xlsx", b"PK\x03\x04 not really", "application/octet-stream")}}
    return [
        ("GET", f"/dossiers/{dossier}", {}, "owner"),
        ("GET", f"/dossiers/{dossier}/stats", {}, "owner"),
        ("GET", f"/dossiers/{dossier}/files", {}, "owner"),
        ("GET", f"/dossiers/{dossier}/users", {}, "owner"),
        ("POST", f"/dossiers/{dossier}/users", {"json": {"email": "spy@evil.example", "rights": ["see_sales"]}},
         None),
        ("POST", f"/dossiers/{dossier}/invoices", pdf, None),
        ("POST", f"/dossiers/{dossier}/activate", {}, None),
        ("PUT", f"/dossiers/{dossier}/assignments", {"json": {"emails": [THOMAS[0]]}}, None),
        ("PUT", "/me/dossier", {"json": {"dossier_id": dossier}}, "owner"),
        ("GET", f"/invoices/{invoice}", {}, "owner"),
        ("GET", f"/invoices/{invoice}/original", {}, "owner"),
        ("GET", f"/invoices/{invoice}/sealed", {}, "owner"),
        ("GET", f"/invoices/{invoice}/evidence", {}, "owner"),
        ("GET", f"/invoices/{invoice}/lifecycle", {}, "owner"),
        ("GET", f"/dossiers/{dossier}/settings", {}, "owner"),
        ("PUT", f"/dossiers/{dossier}/settings", {"json": {"auto_accept": False, "payment_button": False,
                                                           "payment_link_days": 1, "after_payment_url": ""}}, None),
        ("GET", f"/dossiers/{dossier}/tasks", {}, "owner"),
        ("POST", f"/dossiers/{dossier}/tasks/{invoice}:0:wrong_dossier", {"json": {"action": "accept"}}, None),
        ("GET", f"/firms/{firm}/webhooks", {}, "admin"),
        ("POST", f"/firms/{firm}/webhooks", {"json": {"url": "https://evil.example/hooks"}}, None),
        ("GET", f"/firms/{firm}/deliveries", {}, "admin"),
        ("POST", f"/firms/{firm}/deliveries/dlv_0/replay", {}, None),
        ("GET", f"/firms/{firm}/collaborators", {}, "admin"),
        ("POST", f"/firms/{firm}/collaborators", {"json": {"email": "spy@evil.example", "admin": True}}, None),
        ("POST", f"/firms/{firm}/dossiers", {"json": onboarding.dossier_form("891452369", "spy@evil.example")}, None),
        ("POST", f"/firms/{firm}/dossiers/activate-all", {}, None),
        ("POST", f"/firms/{firm}/imports/preview", xlsx, None),
        ("POST", f"/firms/{firm}/imports", xlsx, None),
    ]


SECRETS = ("STUDIO LAMBERT", "984127530", "ceo@studio-lambert.example", "secret-invoice")


def test_owners_reach_every_endpoint_they_have_a_right_to(api, world):
    for method, path, kwargs, who in requests(world):
        if who:
            session = world["owner"] if who == "owner" else world["firm"].admin
            answer = api.request(method, path, headers=bearer(session), **kwargs)
            assert 200 <= answer.status_code < 300, (method, path, answer.text[:200])


@pytest.mark.parametrize("outsider", ["unassigned collaborator", "user of another dossier", "another firm's admin"])
def test_outsiders_get_403_or_404_and_learn_nothing(api, world, outsider):
    session = world["outsiders"][outsider]
    for method, path, kwargs, _ in requests(world):
        if outsider == "unassigned collaborator" and path.startswith("/firms/") and method == "GET":
            continue  # a collaborator of the firm may list its staff: that names no client dossier
        answer = api.request(method, path, headers=bearer(session), **kwargs)
        assert answer.status_code in (403, 404), (outsider, method, path, answer.status_code, answer.text[:200])
        assert not any(secret.lower() in answer.text.lower() for secret in SECRETS), (outsider, method, path)


def test_the_firm_list_of_an_unassigned_collaborator_does_not_show_the_dossier(api, world):
    thomas = world["outsiders"]["unassigned collaborator"]
    listed = expect(api.get(f"/firms/{world['firm'].firm_id}/dossiers", headers=bearer(thomas)), 200)
    assert world["target"]["dossier_id"] not in {entry["dossier_id"] for entry in listed}
    me = expect(api.get("/me", headers=bearer(thomas)), 200)
    assert world["target"]["dossier_id"] not in {d["dossier_id"] for d in me["dossiers"]}


def test_the_outsiders_attempts_changed_nothing(api, world):
    owner, dossier_id = world["owner"], world["target"]["dossier_id"]
    users = expect(api.get(f"/dossiers/{dossier_id}/users", headers=bearer(owner)), 200)["users"]
    assert [u["user"]["email"] for u in users] == ["ceo@studio-lambert.example"]
    stats = expect(api.get(f"/dossiers/{dossier_id}/stats", headers=bearer(owner)), 200)
    assert sum(stats["invoices_by_state"].values()) == 1
    files = expect(api.get(f"/dossiers/{dossier_id}/files", headers=bearer(owner)), 200)["files"]
    assert [f["document_id"] for f in files] == [world["invoice_id"]]
    staff = expect(api.get(f"/firms/{world['firm'].firm_id}/collaborators", headers=bearer(world["firm"].admin)),
                   200)["collaborators"]
    assert "spy@evil.example" not in {c["user"]["email"] for c in staff}
    settings = expect(api.get(f"/dossiers/{dossier_id}/settings", headers=bearer(owner)), 200)
    assert settings["auto_accept"] and settings["payment_button"] and settings["payment_link_days"] == 30
    hooks = expect(api.get(f"/firms/{world['firm'].firm_id}/webhooks", headers=bearer(world["firm"].admin)), 200)
    assert "https://evil.example/hooks" not in {hook["url"] for hook in hooks}


def test_requests_without_a_token_get_401(api, world):
    for method, path, kwargs, _ in requests(world):
        answer = api.request(method, path, **kwargs)
        assert answer.status_code == 401, (method, path, answer.status_code)
        assert answer.headers["www-authenticate"] == "Bearer"
