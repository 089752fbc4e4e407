"""A firm's webhooks and deliveries through the public API (FastAPI's TestClient), against real identity and routing
processes: each firm manages its own, and sees nothing of another's."""
import pytest
from fastapi.testclient import TestClient

from jefacture import onboarding
from jefacture.onboarding import bearer
from jefacture_gateway.app import create_app

pytestmark = pytest.mark.service
OTHER_FIRM_ADMIN = ("julien.fontaine@audit-fontaine.example", "Rennes#Liasse-7749")
OTHER_CABINET_SIREN = "798765434"
URL = "https://erp.rousseau-expertise.example/hooks/jefacture"


@pytest.fixture
def client(platform, platform_env, monkeypatch):
    platform.start(["smtp-sink", "oidc", "sirene", "identity-grpc", "routing-grpc"])
    for key, value in platform_env.items():
        monkeypatch.setenv(key, value)
    with TestClient(create_app()) as client:
        yield client


def test_a_firm_manages_its_webhooks_and_sees_nothing_of_another_firms(client):
    firm = onboarding.open_firm(client, *onboarding.DEMO_FIRM_ADMIN, onboarding.DEMO_CABINET_SIREN)
    other = onboarding.open_firm(client, *OTHER_FIRM_ADMIN, OTHER_CABINET_SIREN)
    mine, theirs = bearer(firm.admin), bearer(other.admin)
    webhooks = f"/firms/{firm.firm_id}/webhooks"

    created = client.post(webhooks, json={"url": URL, "events": ["invoice.accepted"]}, headers=mine)
    assert created.status_code == 201, created.text
    subscription = created.json()
    assert subscription["secret"].startswith("whsec_")
    assert (subscription["url"], subscription["events"], subscription["enabled"]) == (URL, ["invoice.accepted"], True)
    listed = client.get(webhooks, headers=mine).json()
    assert [w["subscription_id"] for w in listed] == [subscription["subscription_id"]] and "secret" not in listed[0]
    one = f"{webhooks}/{subscription['subscription_id']}"

    changed = client.patch(one, json={"enabled": False, "events": []}, headers=mine).json()
    assert changed["enabled"] is False and changed["events"] == ["invoice.accepted", "invoice.rejected",
                                                                 "invoice.paid"]
    rotated = client.post(f"{one}/rotate-secret", json={"overlap_hours": 2}, headers=mine).json()
    assert rotated["secret"] not in (subscription["secret"], "") and rotated["previous_secret_expires_at"]
    assert client.get(f"/firms/{firm.firm_id}/deliveries", params={"status": "dead"}, headers=mine).json() == []

    refused = client.post(webhooks, json={"url": "http://erp.example/hooks"}, headers=mine)
    assert refused.status_code == 422 and "must use https" in refused.json()["error"]
    missing = client.post(f"/firms/{firm.firm_id}/deliveries/dlv_unknown/replay", headers=mine)
    assert missing.status_code == 404 and "dlv_unknown" in missing.json()["error"]

    for method, path in (("GET", webhooks), ("POST", webhooks), ("PATCH", one), ("DELETE", one),
                         ("GET", f"/firms/{firm.firm_id}/deliveries")):
        assert client.request(method, path, json={"url": URL}, headers=theirs).status_code == 404, (method, path)
    other_path = f"/firms/{other.firm_id}/webhooks/{subscription['subscription_id']}"
    assert client.patch(other_path, json={"enabled": True}, headers=theirs).status_code == 404
    assert client.get(webhooks).status_code == 401

    assert client.delete(one, headers=mine).status_code == 204
    assert client.get(webhooks, headers=mine).json() == []
