"""The whole platform, every service its own process, on real RabbitMQ and FerretDB: upload to routed, into a
dossier opened through the onboarding flow, by its legal representative with their bearer token."""
import json

import httpx
import pymongo
import pytest

from jefacture import onboarding
from jefacture.samples import invoice_pdf, sample_invoices
from jefacture.testing import WebhookReceiver, wait_for
from jefacture_seal_vault.adapters.evidence import verify_bundle
from jefacture_seal_vault.adapters.verification import bundle_checkpoint_signed, bundle_seal_checks

pytestmark = pytest.mark.integration
SECRET = "integration-secret-0123456789abcdef"


@pytest.fixture
def receiver():
    instance = WebhookReceiver()
    yield instance
    instance.close()


@pytest.fixture
def gateway(platform, platform_env, receiver):
    platform.env.update(FIRM_WEBHOOK_URL=receiver.url, FIRM_WEBHOOK_SECRET=SECRET, MAX_UPLOAD_BYTES=str(200_000))
    platform.start()
    with httpx.Client(base_url=f"http://{platform_env['GATEWAY_ADDRESS']}", timeout=30) as client:
        yield client


def new_dossier(gateway, platform_env) -> str:
    """A dossier the firm opened and activated; from then on `gateway` sends its representative's token."""
    firm = onboarding.open_firm(gateway, *onboarding.DEMO_FIRM_ADMIN, onboarding.DEMO_CABINET_SIREN)
    mailbox = onboarding.Mailbox(platform_env["MAIL_HTTP_ADDRESS"])
    dossier, session = onboarding.open_active_dossier(gateway, firm, mailbox, "984127530", "gerante@studio.example")
    gateway.headers.update(onboarding.bearer(session))
    return dossier["dossier_id"]


def upload(gateway, dossier_id, content, filename="facture.pdf", direction="purchase"):
    return gateway.post(f"/dossiers/{dossier_id}/invoices", data={"direction": direction},
                        files={"file": (filename, content, "application/pdf")})


def test_every_distinct_invoice_is_routed_exactly_once(gateway, platform_env, receiver):
    dossier_id = new_dossier(gateway, platform_env)
    pdfs = [invoice_pdf(invoice) for invoice in sample_invoices(20)]
    replies = [upload(gateway, dossier_id, pdf, direction="sale" if i % 2 else "purchase")
               for i, pdf in enumerate(pdfs)]
    again = [upload(gateway, dossier_id, pdf, filename="encore.pdf") for pdf in pdfs[:3]]

    assert [r.status_code for r in replies] == [201] * 20
    assert [r.status_code for r in again] == [200] * 3
    assert all(r.json()["duplicate"] for r in again)
    assert [r.json()["document_id"] for r in again] == [r.json()["document_id"] for r in replies[:3]]
    document_ids = {r.json()["document_id"] for r in replies}

    def all_routed():
        return all(gateway.get(f"/invoices/{d}").json().get("state") == "routed" for d in document_ids)

    wait_for(all_routed, timeout=120, interval=0.5, what="20 invoices routed")
    wait_for(lambda: len(receiver.received) >= 20, timeout=10, what="20 webhooks")
    delivered = [json.loads(body)["document_id"] for _, body in receiver.received]
    assert sorted(delivered) == sorted(document_ids)

    view = gateway.get(f"/invoices/{replies[0].json()['document_id']}").json()
    assert [e["event_type"] for e in view["history"]][0] == "InvoiceReceived"
    assert {e["event_type"] for e in view["history"]} == {
        "InvoiceReceived", "InvoiceExtracted", "InvoiceSealed", "InvoiceValidated", "InvoiceRouted"}
    assert gateway.get(f"/dossiers/{dossier_id}/stats").json()["invoices_by_state"] == {"routed": 20}

    first = replies[0].json()["document_id"]
    assert gateway.get(f"/invoices/{first}/original").content == pdfs[0]
    sealed = gateway.get(f"/invoices/{first}/sealed")
    assert sealed.headers["content-type"] == "application/pdf" and sealed.content.startswith(pdfs[0])
    files = gateway.get(f"/dossiers/{dossier_id}/files").json()["files"]
    assert {f["document_id"] for f in files} == document_ids
    assert {f["seal_format"] for f in files} == {"PAdES-B-LTA"}
    evidence = verify_bundle(gateway.get(f"/invoices/{first}/evidence").content, bundle_seal_checks,
                             bundle_checkpoint_signed)
    assert evidence.ok, evidence.text()


def test_bad_input_gets_a_clear_4xx_and_nothing_is_stored(gateway, platform_env):
    dossier_id = new_dossier(gateway, platform_env)
    cases = [
        (upload(gateway, dossier_id, b"just some text", "notes.txt"), 415, "is not a PDF, a JPEG, PNG or HEIC"),
        (upload(gateway, dossier_id, b"", "vide.pdf"), 400, "empty"),
        (upload(gateway, dossier_id, b"%PDF-1.7\n" + b"0" * 300_000, "huge.pdf"), 413, "limit"),
        (upload(gateway, "no-such-dossier", invoice_pdf(sample_invoices(1)[0])), 404, "no-such-dossier"),
    ]
    for reply, status, words in cases:
        assert reply.status_code == status, reply.text
        assert words in reply.json()["error"]
    ingest = pymongo.MongoClient(platform_env["MONGO_URI"])[platform_env["MONGO_DB_PREFIX"] + "ingest"]
    assert ingest["received_documents"].count_documents({}) == 0


def test_a_document_that_cannot_be_read_is_rejected_not_lost(gateway, platform_env):
    dossier_id = new_dossier(gateway, platform_env)
    reply = upload(gateway, dossier_id, b"%PDF-1.7\nthis is not really a PDF body\n%%EOF", "abime.pdf")
    assert reply.status_code == 201
    document_id = reply.json()["document_id"]
    view = wait_for(lambda: (v := gateway.get(f"/invoices/{document_id}").json()).get("state") == "rejected" and v,
                    timeout=60, what="the corrupt PDF to be rejected")
    rejected = next(e for e in view["history"] if e["event_type"] == "InvoiceRejected")
    assert "unreadable" in rejected["detail"]
