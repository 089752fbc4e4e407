"""The e-mail of a sales invoice to its customer, in French: the sealed PDF attached and, when the dossier's settings
say so, a button to the payment page (a signed, expiring link: see jefacture.payment_links). No payment provider is
connected: the page shows the transfer details, and the invoice is known paid from the bank reconciliation."""
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape

from jefacture.api.v1 import identity_pb2
from jefacture.events.v1 import invoice_pb2
from jefacture.payment_links import PAY_PATH, PaymentClaims, french_amount, french_date, payment_token

DEFAULT_LINK_DAYS = 30
DEFAULT_CURRENCY = "EUR"
BUTTON_STYLE = ("display:inline-block;background:#1f6feb;color:#ffffff;padding:12px 32px;border-radius:6px;"
                "font-weight:600;text-decoration:none")


@dataclass(frozen=True)
class CustomerMessage:
    subject: str
    text: str
    html: str
    attachments: list[tuple[str, bytes, str]]  # (filename, content, MIME type), as jefacture.mail.Mailer takes them


def payment_url_for(summary: invoice_pb2.InvoiceSummary, document_id: str, dossier_id: str,
                    settings: identity_pb2.DossierSettings, public_url: str, secret: str,
                    now: datetime) -> str | None:
    """The payment page's link, valid for the dossier's payment_link_days from `now`; None when the dossier's
    settings leave the button out, or for a credit note (nothing for the customer to pay)."""
    if not settings.payment_button or summary.document_type == "credit_note":
        return None
    claims = PaymentClaims(document_id=document_id, dossier_id=dossier_id, invoice_number=summary.invoice_number,
                           supplier_name=summary.supplier_name, amount=summary.total_incl_tax,
                           currency=summary.currency or DEFAULT_CURRENCY, due_date=summary.due_date,
                           iban=summary.iban, bic=summary.bic, after_payment_url=settings.after_payment_url)
    valid_for = timedelta(days=settings.payment_link_days or DEFAULT_LINK_DAYS)
    return f"{public_url.rstrip('/')}{PAY_PATH}/{payment_token(claims, secret, valid_for, now=now)}"


def _facts(summary: invoice_pb2.InvoiceSummary) -> list[tuple[str, str]]:
    """The invoice's figures worth repeating in the message, those the summary knows."""
    currency = summary.currency or DEFAULT_CURRENCY
    facts = [("Facture n°", summary.invoice_number), ("Date", french_date(summary.issue_date)),
             ("Montant HT", french_amount(summary.total_excl_tax, currency)),
             ("TVA", french_amount(summary.total_tax, currency)),
             ("Montant TTC", french_amount(summary.total_incl_tax, currency)),
             ("Échéance", french_date(summary.due_date))]
    return [(label, value) for label, value in facts if value]


def _transfer(summary: invoice_pb2.InvoiceSummary) -> list[tuple[str, str]]:
    return [(label, value) for label, value in (("IBAN", summary.iban), ("BIC", summary.bic)) if value]


def customer_message(summary: invoice_pb2.InvoiceSummary, dossier_name: str, sealed_pdf: bytes, pdf_filename: str,
                     payment_url: str | None) -> CustomerMessage:
    """The message from the company `dossier_name` to its customer, with the sealed PDF attached."""
    kind = "Avoir" if summary.document_type == "credit_note" else "Facture"
    number = f" {summary.invoice_number}" if summary.invoice_number else ""
    subject = f"{kind}{number} de {dossier_name}"
    greeting = f"Bonjour {summary.customer_name}," if summary.customer_name else "Bonjour,"
    intro = f"Veuillez trouver ci-joint {'notre avoir' if kind == 'Avoir' else 'notre facture'}{number}."
    facts, transfer = _facts(summary), _transfer(summary)
    return CustomerMessage(subject=subject,
                           text=_text(greeting, intro, facts, transfer, payment_url, dossier_name),
                           html=_html(subject, greeting, intro, facts, transfer, payment_url, dossier_name),
                           attachments=[(pdf_filename, sealed_pdf, "application/pdf")])


SEALED_NOTE = "Document scellé électroniquement et transmis par jefacture."


def _text(greeting: str, intro: str, facts: list, transfer: list, payment_url: str | None, sender: str) -> str:
    lines = [greeting, "", intro, "", *(f"{label} : {value}" for label, value in facts)]
    if payment_url:
        lines += ["", f"Pour la régler : {payment_url}"]
    if transfer:
        lines += ["", "Règlement par virement :", *(f"{label} : {value}" for label, value in transfer)]
    return "\n".join([*lines, "", "Cordialement,", sender, "", "--", SEALED_NOTE, ""])


def _rows(pairs: list[tuple[str, str]]) -> str:
    return "".join(f'<tr><td style="color:#5b6472;padding:2px 16px 2px 0">{escape(label)}</td>'
                   f"<td><strong>{escape(value)}</strong></td></tr>" for label, value in pairs)


def _html(subject: str, greeting: str, intro: str, facts: list, transfer: list, payment_url: str | None,
          sender: str) -> str:
    button = (f'<p style="margin:24px 0"><a href="{escape(payment_url)}" style="{BUTTON_STYLE}">Payer la facture</a>'
              "</p>" if payment_url else "")
    transfer_block = (f"<p>Règlement par virement :</p><table>{_rows(transfer)}</table>" if transfer else "")
    return (f'<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>{escape(subject)}</title></head>'
            f'<body style="font-family:Arial,Helvetica,sans-serif;color:#1d2430">'
            f"<p>{escape(greeting)}</p><p>{escape(intro)}</p><table>{_rows(facts)}</table>{button}{transfer_block}"
            f"<p>Cordialement,<br>{escape(sender)}</p>"
            f'<p style="color:#5b6472;font-size:12px">{escape(SEALED_NOTE)}</p></body></html>')
