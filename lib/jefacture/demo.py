"""Demo data, loaded through the gateway as people would: Claire opens her cabinet, creates a client dossier and
activates it; its legal representative completes the invitation e-mailed to them and uploads sample invoices.
Runs again without failing: the cabinet, the dossier and the representative's account already there are reused."""
import json
import os
from dataclasses import replace
from decimal import Decimal

import httpx

from jefacture import onboarding
from jefacture.onboarding import bearer, expect
from jefacture.platform import addresses
from jefacture.samples import SampleInvoice, invoice_pdf, sample_invoices

DEMO_SIREN = "732829320"  # BOULANGERIE MARTIN, known to the SIRENE simulator
DEMO_REPRESENTATIVE = "marie.lambert@boulangerie-martin.example"
DEMO_CUSTOMER_EMAIL = "compta@fournitures-dupont.example"
DEMO_FIRM_ENDPOINT = "http://127.0.0.1:8099"  # the demo webhook receiver (jefacture.webhook_sink) started by make run


def mail_http_address() -> str:
    """Where the SMTP sink shows the mail it received: MAIL_HTTP_ADDRESS, or the local platform's default."""
    return os.environ.get("MAIL_HTTP_ADDRESS") or addresses()["MAIL_HTTP_ADDRESS"]


def open_demo_dossier(client: httpx.Client, mailbox: onboarding.Mailbox, siren: str,
                      representative_email: str) -> tuple[dict, dict, dict]:
    """(firm, dossier, representative's session): the demo cabinet's active dossier for `siren`, created when
    absent."""
    try:
        firm = onboarding.open_firm(client, *onboarding.DEMO_FIRM_ADMIN, onboarding.DEMO_CABINET_SIREN)
        return (firm, *onboarding.ensure_active_dossier(client, firm, mailbox, siren, representative_email))
    except (onboarding.FlowFailed, httpx.HTTPError) as error:
        raise RuntimeError(f"could not open the demo dossier through {client.base_url} (is the platform running? "
                           f"`jefacture platform status`): {error}") from None


def subscribe_demo_endpoint(client: httpx.Client, firm: dict, endpoint: str) -> None:
    """The firm's webhook subscription to the demo endpoint, its secret handed to the endpoint to check signatures.
    A subscription already there gets a new secret (a secret is shown only once)."""
    url = f"{endpoint}/hooks"
    base, headers = f"/firms/{firm.firm_id}/webhooks", bearer(firm.admin)
    existing = next((hook for hook in expect(client.get(base, headers=headers), 200) if hook["url"] == url), None)
    if existing:
        created = expect(client.post(f"{base}/{existing['subscription_id']}/rotate-secret",
                                     json={"overlap_hours": 0}, headers=headers), 200)
    else:
        created = expect(client.post(base, json={"url": url, "events": []}, headers=headers), 201)
    expect(httpx.post(f"{endpoint}/_sink/secrets", json={"secret": created["secret"]}, timeout=10), 200)


def upload(client: httpx.Client, dossier_id: str, session: dict, filename: str, content: bytes,
           direction: str = "purchase", customer_email: str = "") -> str:
    """The document id; the same bytes uploaded again (a second demo run) give the same one."""
    form = {"direction": direction, **({"customer_email": customer_email} if customer_email else {})}
    reply = client.post(f"/dossiers/{dossier_id}/invoices", data=form, headers=bearer(session),
                        files={"file": (filename, content, "application/pdf")})
    if reply.status_code not in (200, 201):
        raise RuntimeError(f"uploading {filename} answered {reply.status_code}: {reply.text[:300]}")
    return reply.json()["document_id"]


def load_demo(gateway: str, invoices: int, mail_address: str | None = None) -> None:
    mail_address = mail_address or mail_http_address()
    with httpx.Client(base_url=gateway, timeout=30) as client:
        firm, dossier, session = open_demo_dossier(client, onboarding.Mailbox(mail_address), DEMO_SIREN,
                                                   DEMO_REPRESENTATIVE)
        subscribe_demo_endpoint(client, firm, DEMO_FIRM_ENDPOINT)
        documents = [upload(client, dossier["dossier_id"], session, f"{invoice.number}.pdf", invoice_pdf(invoice))
                     for invoice in sample_invoices(invoices)]
        for invoice, customer_email in demo_sales():
            upload(client, dossier["dossier_id"], session, f"{invoice.number}.pdf", invoice_pdf(invoice), "sale",
                   customer_email)
    print(summary(gateway, mail_address, firm, dossier, documents))


def demo_sales() -> list[tuple[SampleInvoice, str]]:
    """Two sales invoices of the bakery: to a commune (deposited in Chorus Pro) and to a company (e-mailed to it
    with the payment button)."""
    bakery = replace(sample_invoices(1)[0], supplier="Boulangerie Martin SARL", supplier_siren=DEMO_SIREN,
                     supplier_address="3 place du Marché, 69002 Lyon", total_excl_tax=Decimal("412.50"))
    commune = replace(bakery, number="V2026-0001", customer="Commune de Nantes", customer_siren="214401028",
                      customer_address="2 rue de l'Hôtel de Ville, 44000 Nantes")
    company = replace(bakery, number="V2026-0002", customer="Fournitures Dupont SAS", customer_siren="552100554",
                      customer_address="12 rue des Lilas, 69003 Lyon")
    return [(commune, ""), (company, DEMO_CUSTOMER_EMAIL)]


def summary(gateway: str, mail_address: str, firm, dossier: dict, documents: list[str]) -> str:
    firm_user, firm_password = onboarding.DEMO_FIRM_ADMIN
    credentials = json.dumps({"email": DEMO_REPRESENTATIVE, "password": onboarding.DEMO_PASSWORD})
    dossier_id = dossier["dossier_id"]
    return f"""
jefacture is running.
  API and its documentation : {gateway}/docs   (OpenAPI: {gateway}/openapi.json)
  firm staff log in         : {gateway}/auth/firm/login in a browser, as {firm_user} / {firm_password}
  company user log in       : POST {gateway}/auth/login with {credentials}
      curl -s {gateway}/auth/login -H 'Content-Type: application/json' -d '{credentials}'
    then send 'Authorization: Bearer <access_token>' with every request below
  demo dossier              : {gateway}/dossiers/{dossier_id}  ({dossier['name']}, SIREN {dossier['siren']})
  its invoices' states      : {gateway}/dossiers/{dossier_id}/stats
  one invoice and history   : {gateway}/invoices/{documents[0] if documents else '<id>'}
  its lifecycle (CDAR codes): {gateway}/invoices/{documents[0] if documents else '<id>'}/lifecycle
  tasks ("Mes tâches")      : {gateway}/dossiers/{dossier_id}/tasks   (the first invoice of each supplier waits:
                              POST {gateway}/dossiers/{dossier_id}/tasks/<task_id> {{"action": "accept"}})
  firm's deliveries (as the firm admin): {gateway}/firms/{firm.firm_id}/deliveries
                              (webhooks, Chorus Pro, customer e-mails; its webhooks: /firms/{firm.firm_id}/webhooks)
  Chorus Pro (simulator)    : the sale to the Commune de Nantes, a "chorus-pro" delivery with its flow number
  the customer's e-mail     : http://{mail_address}/messages?to={DEMO_CUSTOMER_EMAIL} (sealed PDF, payment link)
  metrics                   : {gateway}/metrics (each service: see README)
  webhooks the firm received: var/log/firm-webhook.log (signed, checked)
  e-mails sent (SMTP sink)  : http://{mail_address}/messages
  logs                      : var/log/
Stop everything with: make stop
"""
