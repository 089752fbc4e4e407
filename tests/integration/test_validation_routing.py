"""Validation and routing end to end, every service its own process on real RabbitMQ and FerretDB, with the SIRENE,
BODACC and Chorus Pro simulators, the SMTP sink and a webhook receiver on real sockets; everything through the REST
API as the firm and the company would do it."""
import re
import time
from dataclasses import replace
from decimal import Decimal

import httpx
import pytest

from jefacture import onboarding, testing
from jefacture.onboarding import bearer, expect
from jefacture.samples import invoice_pdf, sample_invoices
from jefacture.webhook_sink import WebhookSink

pytestmark = pytest.mark.integration
CLAIRE = onboarding.DEMO_FIRM_ADMIN
MARTIN, REPRESENTATIVE = "732829320", "marie.lambert@boulangerie-martin.example"
COMMUNE_SIREN = "214401028"  # a commune in the Chorus Pro simulator: public-sector buyer
HOSPITAL_SIREN = "264400474"  # a hospital that requires an engagement number
PRIVATE_CUSTOMER = ("Fournitures Dupont SAS", "552100554")
SETTLE = {"needs_review", "accepted", "rejected", "routed"}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with testing.private_platform(tmp_path_factory.mktemp("routing") / "var", DELIVERY_LEASE_SECONDS="3",
                                  DELIVERY_BACKOFF_BASE_SECONDS="0.5", CHORUS_INTEGRATION_SECONDS="1") as platform:
        yield platform


@pytest.fixture(scope="module")
def firm(api):
    return onboarding.open_firm(api, *CLAIRE, onboarding.DEMO_CABINET_SIREN)


@pytest.fixture(scope="module")
def company(api, firm, mailbox):
    """(dossier, the legal representative's session) of Boulangerie Martin, opened by the firm."""
    return onboarding.open_active_dossier(api, firm, mailbox, MARTIN, REPRESENTATIVE)


@pytest.fixture(scope="module")
def sink(api, firm):
    """The firm's webhook receiver, subscribed to every event type; it checks each signature."""
    receiver = WebhookSink()
    created = expect(api.post(f"/firms/{firm.firm_id}/webhooks", json={"url": receiver.url + "/hooks"},
                              headers=bearer(firm.admin)), 201)
    receiver.add_secret(created["secret"])
    yield receiver
    receiver.close()


def purchase(number: str, supplier: tuple[str, str], **changes):
    invoice = replace(sample_invoices(1)[0], number=number, supplier=supplier[0], supplier_siren=supplier[1])
    return replace(invoice, **changes)


def sale(number: str, customer: tuple[str, str], **changes):
    invoice = replace(sample_invoices(1)[0], number=number, supplier="Boulangerie Martin SARL", supplier_siren=MARTIN,
                      customer=customer[0], customer_siren=customer[1])
    return replace(invoice, **changes)


def upload(api, company, invoice, direction="purchase", customer_email=None) -> str:
    dossier, session = company
    form = {"direction": direction, **({"customer_email": customer_email} if customer_email else {})}
    reply = api.post(f"/dossiers/{dossier['dossier_id']}/invoices", data=form, headers=bearer(session),
                     files={"file": (f"{invoice.number}.pdf", invoice_pdf(invoice), "application/pdf")})
    return expect(reply, 201)["document_id"]


def lifecycle(api, session, document_id, states=SETTLE, timeout=90) -> dict:
    """The invoice's lifecycle once its state is one of `states`."""
    def reached():
        reply = api.get(f"/invoices/{document_id}/lifecycle", headers=bearer(session))
        return reply.status_code == 200 and reply.json()["state"] in states and reply.json()
    return testing.wait_for(reached, timeout=timeout, interval=0.3, what=f"{document_id} in {sorted(states)}")


def open_tasks(api, company, document_id) -> dict[str, dict]:
    dossier, session = company
    tasks = expect(api.get(f"/dossiers/{dossier['dossier_id']}/tasks", params={"mine": "false"},
                           headers=bearer(session)), 200)
    return {task["check"]: task for task in tasks if task["document_id"] == document_id}


def act(api, company, session, task, action, **body) -> dict:
    dossier, _ = company
    return expect(api.post(f"/dossiers/{dossier['dossier_id']}/tasks/{task['task_id']}",
                           json={"action": action, **body}, headers=bearer(session)), 200)


def webhook_events(sink, document_id) -> list[str]:
    return [event["type"] for event in sink.counts()["events"] if event["document_id"] == document_id]


def wait_webhook(sink, document_id, event_type):
    return testing.wait_for(lambda: event_type in webhook_events(sink, document_id), timeout=60,
                            what=f"{event_type} webhook for {document_id}")


def test_a_clean_purchase_invoice_is_accepted_and_reaches_the_firm_signed(api, firm, company, sink):
    _, session = company
    papeterie = ("Papeterie du Canal", "614302875")
    first = upload(api, company, purchase("PC-1001", papeterie))
    assert lifecycle(api, session, first)["state"] == "needs_review"
    task = open_tasks(api, company, first)["unknown_supplier"]
    assert task["audience"] == "company" and "614302875" in task["reason"]
    assert webhook_events(sink, first) == []

    act(api, company, session, task, "accept")
    wait_webhook(sink, first, "invoice.accepted")
    second = upload(api, company, purchase("PC-1002", papeterie))
    wait_webhook(sink, second, "invoice.accepted")
    view = lifecycle(api, session, second, {"routed"})
    assert [(t["state"], t["cdar_code"], t["actor"]) for t in view["transitions"]] == [
        ("received", 202, "system"), ("ready", 203, "system"), ("accepted", 205, "system"), ("routed", None, "system")]
    assert view["fields"]["invoice_number"] == "PC-1002"
    counts = sink.counts()
    assert counts["bad_signatures"] == 0 and len(counts["received"]) == len(set(counts["received"]))


ANOMALIES = [
    ("wrong_dossier", "company", purchase("AN-01", ("Papeterie du Canal", "614302875"), customer_siren="539204180")),
    ("supplier_not_in_sirene", "firm", purchase("AN-02", ("Conseil Fantôme", "321970485"))),
    ("supplier_ceased", "firm", purchase("AN-03", ("Traiteur des Halles", "389155623"))),
    ("supplier_in_proceedings", "firm", purchase("AN-04", ("Charpentes du Val de Loire", "451209738"))),
    ("supplier_recent", "firm", purchase("AN-05", ("Horizon Négoce", "874052194"))),
    ("incomplete", "company", purchase("AN-06", ("Papeterie du Canal", "614302875"), vat_numbers=False)),
    ("totals_mismatch", "company", purchase("AN-07", ("Papeterie du Canal", "614302875"),
                                            printed_total_incl_tax=Decimal("999.99"))),
    ("due_before_issue", "company", purchase("AN-08", ("Papeterie du Canal", "614302875"), due_in_days=-5)),
    ("duplicate", "company", purchase("PC-1001", ("Papeterie du Canal", "614302875"), total_excl_tax=Decimal("7"))),
]


def test_each_anomaly_opens_the_right_task_and_the_invoice_waits(api, firm, company, sink):
    _, session = company
    documents = {check: upload(api, company, invoice) for check, _, invoice in ANOMALIES}
    for check, audience, _ in ANOMALIES:
        view = lifecycle(api, session, documents[check])
        tasks = open_tasks(api, company, documents[check])
        assert view["state"] == "needs_review", (check, view["transitions"])
        assert check in tasks, (check, sorted(tasks))
        assert tasks[check]["audience"] == audience
        assert tasks[check]["reason"] and tasks[check]["assignees"]
        assert webhook_events(sink, documents[check]) == []

    corrected = act(api, company, session, open_tasks(api, company, documents["wrong_dossier"])["wrong_dossier"],
                    "correct", field="customer_siren", value=MARTIN)
    assert corrected["status"] == "corrected"
    wait_webhook(sink, documents["wrong_dossier"], "invoice.accepted")

    ceased = documents["supplier_ceased"]
    for task in open_tasks(api, company, ceased).values():  # the firm's alert and the company's unknown supplier
        act(api, company, firm.admin if task["audience"] == "firm" else session, task, "accept")
    wait_webhook(sink, ceased, "invoice.accepted")

    in_proceedings = documents["supplier_in_proceedings"]
    alert = open_tasks(api, company, in_proceedings)["supplier_in_proceedings"]
    act(api, company, firm.admin, alert, "reject", reason="fournisseur en liquidation : facture à vérifier")
    wait_webhook(sink, in_proceedings, "invoice.rejected")
    refused = lifecycle(api, session, in_proceedings)
    assert (refused["state"], refused["transitions"][-1]["cdar_code"]) == ("rejected", 210)
    assert open_tasks(api, company, in_proceedings) == {}


def test_a_company_user_cannot_act_on_another_dossiers_task(api, firm, company, mailbox):
    _, session = company
    other = onboarding.open_active_dossier(api, firm, mailbox, "539204180", "gerant@sci-tilleuls.example")
    document = upload(api, other, purchase("SCI-1", ("Papeterie du Canal", "614302875"), customer_siren="539204180"))
    lifecycle(api, other[1], document)
    task = open_tasks(api, other, document)["unknown_supplier"]
    reply = api.post(f"/dossiers/{other[0]['dossier_id']}/tasks/{task['task_id']}", json={"action": "accept"},
                     headers=bearer(session))
    assert reply.status_code == 404 and "TILLEULS" not in reply.text.upper()  # exactly like an unknown dossier
    reply = api.post(f"/dossiers/{company[0]['dossier_id']}/tasks/{task['task_id']}", json={"action": "accept"},
                     headers=bearer(session))
    assert reply.status_code == 404
    assert open_tasks(api, other, document)["unknown_supplier"]["status"] == "open"


def deliveries(api, firm, document_id) -> dict[str, dict]:
    listed = expect(api.get(f"/firms/{firm.firm_id}/deliveries", params={"document_id": document_id},
                            headers=bearer(firm.admin)), 200)
    return {delivery["destination"]: delivery for delivery in listed}


def test_a_public_sector_sales_invoice_is_deposited_in_chorus_pro_and_followed_to_integrated(api, firm, company):
    _, session = company
    document = upload(api, company, sale("CP-2001", ("Commune de Nantes", COMMUNE_SIREN)), direction="sale")
    chorus = testing.wait_for(lambda: (found := deliveries(api, firm, document).get("chorus-pro"))
                              and found["status"] == "delivered" and found, timeout=90, what="integrated in Chorus")
    assert chorus["detail"]
    assert lifecycle(api, session, document, {"routed"})["transitions"][-1]["cdar_code"] == 203

    refused = upload(api, company, sale("CP-2002", ("Centre hospitalier", HOSPITAL_SIREN)), direction="sale")
    task = testing.wait_for(lambda: open_tasks(api, company, refused).get("delivery_failed"), timeout=90,
                            what="a task for the rejected flow")
    assert "Chorus Pro" in task["reason"] and task["audience"] == "company"
    assert deliveries(api, firm, refused)["chorus-pro"]["status"] == "failed"


def test_a_customer_gets_the_invoice_by_email_with_a_working_payment_link(api, company, mailbox):
    address = "compta@dupont-fournitures.example"
    document = upload(api, company, sale("CL-3001", PRIVATE_CUSTOMER), direction="sale", customer_email=address)
    message = mailbox.wait_for(address, "CL-3001", timeout=90)
    assert [a["content_type"] for a in message["attachments"]] == ["application/pdf"]
    link = re.search(r"https?://\S+/pay/\S+", message["text"]).group(0)
    page = httpx.get(link, timeout=10)
    assert page.status_code == 200 and "CL-3001" in page.text and "120,60" in page.text
    paid = httpx.post(link, timeout=10, follow_redirects=False)
    assert paid.status_code == 303
    assert httpx.get(link[:-4] + "xxxx", timeout=10).status_code == 404
    assert lifecycle(api, company[1], document, {"routed"})["state"] == "routed"


def test_killing_routing_mid_delivery_neither_loses_nor_duplicates_a_delivery(api, firm, company, mailbox, sink,
                                                                               stack):
    address = "factures@client-kill.example"
    invoices = [sale(f"KR-{i:03d}", PRIVATE_CUSTOMER, total_excl_tax=Decimal(200 + i)) for i in range(12)]
    documents = [upload(api, company, invoice, direction="sale", customer_email=address) for invoice in invoices]
    testing.wait_for(lambda: any(webhook_events(sink, d) for d in documents), timeout=90, interval=0.05,
                     what="the first deliveries")
    stack.kill("routing")
    time.sleep(1)
    stack.start(["routing"])

    for document in documents:
        wait_webhook(sink, document, "invoice.accepted")
    testing.wait_for(lambda: len(mailbox.messages(address)) >= len(invoices), timeout=120, what="every e-mail")
    counts = sink.counts()
    processed = [e["document_id"] for e in counts["events"] if e["document_id"] in documents]
    assert sorted(processed) == sorted(documents)  # none lost, each processed once
    mail_ids = [dict(m["headers"])["Message-ID"] for m in mailbox.messages(address)]
    numbers = sorted(re.search(r"KR-\d+", m["subject"]).group(0) for m in mailbox.messages(address))
    assert sorted(set(numbers)) == [invoice.number for invoice in invoices]  # none lost
    assert len(set(mail_ids)) == len(invoices)  # one message (one Message-ID) per invoice
    resent = len(mail_ids) - len(set(mail_ids)) + len([d for d in counts["duplicates"]])
    print(f"kill-and-restart: {len(documents) * 2} deliveries, {resent} re-sent with the same idempotency key")
