"""The payment page of a customer e-mail's button: public (the signed, expiring link is the only credential), in
French, showing what the link carries. No payment provider is connected: "Payer" records nothing and leads to the
page chosen in the dossier's settings; the invoice is known paid from the bank reconciliation."""
from datetime import UTC, datetime
from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from jefacture.payment_links import (
    THANKS_PATH,
    PaymentClaims,
    PaymentLinkExpired,
    PaymentLinkInvalid,
    french_amount,
    french_date,
    read_payment_token,
)

router = APIRouter(tags=["payments"])
# The page has no script and loads nothing; the link's token must not leak to other sites through the Referer.
HEADERS = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'",
           "Referrer-Policy": "no-referrer", "Cache-Control": "no-store", "X-Frame-Options": "DENY"}
STYLE = """body{font-family:system-ui,sans-serif;background:#f4f5f7;color:#1d2430;margin:0}
main{max-width:34rem;margin:3rem auto;background:#fff;border-radius:12px;padding:2rem;box-shadow:0 1px 4px #0002}
h1{font-size:1.4rem;margin-top:0}.amount{font-size:2rem;font-weight:700;margin:.5rem 0 1.5rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.4rem 1rem}dt{color:#5b6472}dd{margin:0}
.iban{font-family:ui-monospace,monospace}button{background:#1f6feb;color:#fff;border:0;border-radius:8px;
padding:.8rem 2.5rem;font-size:1.1rem;cursor:pointer}.note{color:#5b6472;font-size:.9rem}"""


def page(title: str, body: str, status: int = 200) -> HTMLResponse:
    html = (f'<!doctype html><html lang="fr"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width,initial-scale=1">'
            f"<title>{escape(title)}</title><style>{STYLE}</style></head><body><main>{body}</main></body></html>")
    return HTMLResponse(html, status_code=status, headers=HEADERS)


def refusal(error: PaymentLinkExpired | PaymentLinkInvalid) -> HTMLResponse:
    if isinstance(error, PaymentLinkExpired):
        return page("Lien de paiement expiré",
                    f"<h1>Ce lien de paiement a expiré</h1><p>Il était valable jusqu'au {error.expired_at:%d/%m/%Y}. "
                    "Demandez un nouveau lien à votre fournisseur, ou payez par virement avec les coordonnées "
                    "de la facture.</p>", status=410)
    return page("Lien de paiement invalide",
                "<h1>Ce lien de paiement n'est pas valide</h1><p>Vérifiez qu'il a été copié en entier depuis "
                "l'e-mail reçu avec la facture.</p>", status=404)


def claims_of(request: Request, token: str) -> PaymentClaims:
    return read_payment_token(token, request.app.state.settings.payment_link_secret, datetime.now(UTC))


def _row(label: str, value: str, css: str = "") -> str:
    css_class = f' class="{css}"' if css else ""
    return f"<dt>{escape(label)}</dt><dd{css_class}>{escape(value)}</dd>" if value else ""


def invoice_page(claims: PaymentClaims) -> HTMLResponse:
    number = claims.invoice_number or "sans numéro"
    details = _row("Fournisseur", claims.supplier_name) + _row("Échéance", french_date(claims.due_date))
    transfer = (f"<h2>Par virement</h2><dl>{_row('IBAN', claims.iban, 'iban')}{_row('BIC', claims.bic, 'iban')}"
                f"{_row('Référence', claims.invoice_number)}</dl>" if claims.iban else
                "<p class=\"note\">Le fournisseur n'a pas indiqué de coordonnées bancaires sur la facture.</p>")
    valid_until = f"{claims.expires_at:%d/%m/%Y}" if claims.expires_at else ""
    amount = french_amount(claims.amount, claims.currency) or "Montant indiqué sur la facture"
    return page(f"Payer la facture {number}",
                f"<h1>Payer la facture {escape(number)}</h1>"
                f'<p class="amount">{escape(amount)}</p>'
                f"<dl>{details}</dl>{transfer}"
                '<form method="post"><button type="submit">Payer</button></form>'
                f'<p class="note">Lien valable jusqu\'au {escape(valid_until)}.</p>')


@router.get(THANKS_PATH, response_class=HTMLResponse)
def thanks() -> HTMLResponse:
    return page("Merci", "<h1>Merci</h1><p>La facture sera marquée payée dès que votre virement sera reçu.</p>")


@router.get("/pay/{token}", response_class=HTMLResponse,
            responses={404: {"description": "Not a genuine payment link"}, 410: {"description": "The link expired"}})
def show(token: str, request: Request) -> HTMLResponse:
    """The invoice to pay: amount, due date, supplier, the IBAN/BIC for a transfer, and the "Payer" button."""
    try:
        return invoice_page(claims_of(request, token))
    except (PaymentLinkExpired, PaymentLinkInvalid) as error:
        return refusal(error)


@router.post("/pay/{token}", status_code=303, response_class=RedirectResponse,
             responses={404: {"description": "Not a genuine payment link"}, 410: {"description": "The link expired"}})
def pay(token: str, request: Request):
    """Records nothing (no payment provider): sends the customer to the page the dossier chose after payment."""
    try:
        claims = claims_of(request, token)
    except (PaymentLinkExpired, PaymentLinkInvalid) as error:
        return refusal(error)
    return RedirectResponse(claims.after_payment_url or THANKS_PATH, status_code=303, headers=HEADERS)
