"""Demo data: a client dossier with a few sample invoices, loaded through the gateway like a user would."""
import httpx

from jefacture.samples import invoice_pdf, sample_invoices

DEMO_DOSSIER = {"name": "Boulangerie Martin SARL", "siren": "732829320"}


def ensure_dossier(client: httpx.Client, dossier: dict) -> str:
    reply = client.post("/dossiers", json=dossier)
    if reply.status_code == 409 and reply.json().get("dossier_id"):
        return reply.json()["dossier_id"]
    reply.raise_for_status()
    return reply.json()["dossier_id"]


def load_demo(gateway: str, invoices: int) -> None:
    with httpx.Client(base_url=gateway, timeout=30) as client:
        dossier_id = ensure_dossier(client, DEMO_DOSSIER)
        documents = []
        for invoice in sample_invoices(invoices):
            reply = client.post(f"/dossiers/{dossier_id}/invoices", data={"direction": "purchase"},
                                files={"file": (f"{invoice.number}.pdf", invoice_pdf(invoice), "application/pdf")})
            reply.raise_for_status()
            documents.append(reply.json()["document_id"])
    print(f"""
jefacture is running.
  API and its documentation : {gateway}/docs   (OpenAPI: {gateway}/openapi.json)
  demo dossier              : {gateway}/dossiers/{dossier_id}  ({DEMO_DOSSIER['name']})
  its invoices' states      : {gateway}/dossiers/{dossier_id}/stats
  one invoice and history   : {gateway}/invoices/{documents[0] if documents else '<id>'}
  metrics                   : {gateway}/metrics (each service: see README)
  webhooks the firm received: var/log/firm-webhook.log (signed, checked)
  e-mails sent (SMTP sink)  : http://127.0.0.1:8026/messages
  logs                      : var/log/
Stop everything with: make stop
""")
