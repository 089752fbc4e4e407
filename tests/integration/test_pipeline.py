"""The whole platform, every service its own process, on real RabbitMQ and FerretDB: upload to routed, into a
dossier opened through the onboarding flow, by its legal representative with their bearer token."""
from dataclasses import replace

import httpx
import pymongo
import pytest

from jefacture import onboarding
from jefacture.samples import invoice_pdf, sample_invoices
from jefacture.testing import wait_for
from jefacture.webhook_sink import WebhookSink
from jefacture_seal_vault.adapters.evidence import verify_bundle
from jefacture_seal_vault.adapters.verification import bundle_checkpoint_signed, bundle_seal_checks

pytestmark = pytest.mark.integration
STUDIO = ("Studio Lambert Numérique", "984127530")


@pytest.fixture
def receiver():
    instance = WebhookSink()
    yield instance
    instance.close()


@pytest.fixture
def gateway(platform, platform_env):
    platform.env.update(MAX_UPLOAD_BYTES=str(200_000))
    platform.start()
    with httpx.Client(base_url=f"http://{platform_env['GATEWAY_ADDRESS']}", timeout=30) as client:
        yield client


def new_dossier(gateway, platform_env, receiver=None) -> str:
    """A dossier the firm opened and activated (and subscribed `receiver` to its webhooks); from then on `gateway`
    sends its representative's token."""
    firm = onboarding.open_firm(gateway, *onboarding.DEMO_FIRM_ADMIN, onboarding.DEMO_CABINET_SIREN)
    if receiver:
        created = onboarding.expect(gateway.post(f"/firms/{firm.firm_id}/webhooks", json={"url": receiver.url},
                                                 headers=onboarding.bearer(firm.admin)), 201)
        receiver.add_secret(created["secret"])
    mailbox = onboarding.Mailbox(platform_env["MAIL_HTTP_ADDRESS"])
    dossier, session = onboarding.open_active_dossier(gateway, firm, mailbox, STUDIO[1], "gerante@studio.example")
    gateway.headers.update(onboarding.bearer(session))
    return dossier["dossier_id"]


def studio_invoices(count: int) -> list:
    """Purchases addressed to the studio, and (every other one) sales it issued to the same companies."""
    purchases = sample_invoices(count, customer=STUDIO[0], customer_siren=STUDIO[1])
    return [replace(invoice, supplier=STUDIO[0], supplier_siren=STUDIO[1], customer=invoice.supplier,
                    customer_siren=invoice.supplier_siren) if i % 2 else invoice
            for i, invoice in enumerate(purchases)]


def accept_open_tasks(gateway, dossier_id) -> int:
    """The representative accepts what the checks asked a person to look at (first invoices of new suppliers)."""
    tasks = gateway.get(f"/dossiers/{dossier_id}/tasks").json()
    for task in tasks:
        gateway.post(f"/dossiers/{dossier_id}/tasks/{task['task_id']}", json={"action": "accept"})
    return len(tasks)


def upload(gateway, dossier_id, content, filename="facture.pdf", direction="purchase"):
    return gateway.post(f"/dossiers/{dossier_id}/invoices", data={"direction": direction},
                        files={"file": (filename, content, "application/pdf")})


def test_every_distinct_invoice_is_routed_exactly_once(gateway, platform_env, receiver):
    dossier_id = new_dossier(gateway, platform_env, receiver)
    pdfs = [invoice_pdf(invoice) for invoice in studio_invoices(20)]
    replies = [upload(gateway, dossier_id, pdf, direction="sale" if i % 2 else "purchase")
               for i, pdf in enumerate(pdfs)]
    again = [upload(gateway, dossier_id, pdf, filename="encore.pdf") for pdf in pdfs[:3]]

    assert [r.status_code for r in replies] == [201] * 20
    assert [r.status_code for r in again] == [200] * 3
    assert all(r.json()["duplicate"] for r in again)
    assert [r.json()["document_id"] for r in again] == [r.json()["document_id"] for r in replies[:3]]
    document_ids = {r.json()["document_id"] for r in replies}

    def all_routed():
        accept_open_tasks(gateway, dossier_id)
        return all(gateway.get(f"/invoices/{d}").json().get("state") == "routed" for d in document_ids)

    wait_for(all_routed, timeout=180, interval=1, what="20 invoices routed")
    wait_for(lambda: len(receiver.counts()["received"]) >= 20, timeout=10, what="20 webhooks")
    delivered = [event["document_id"] for event in receiver.counts()["events"]]
    assert sorted(delivered) == sorted(document_ids) and receiver.counts()["bad_signatures"] == 0

    view = gateway.get(f"/invoices/{replies[0].json()['document_id']}").json()
    assert [e["event_type"] for e in view["history"]][0] == "InvoiceReceived"
    assert {e["event_type"] for e in view["history"]} >= {
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
