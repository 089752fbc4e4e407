"""The public payment page of a customer e-mail's button: what a genuine link shows, where "Payer" leads, and the
pages of an expired or altered link. The page needs no backend: the signed link carries everything it shows."""
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from jefacture.payment_links import PaymentClaims, payment_token
from jefacture_gateway.app import create_app
from jefacture_gateway.settings import GatewaySettings

SECRET = "a-payment-link-secret-for-the-tests-0123456789"
CLAIMS = PaymentClaims(document_id="doc-1", dossier_id="dossier-1", invoice_number="FA-2026-0042",
                       supplier_name="Boulangerie <Martin> & Fils", amount="1234.5", currency="EUR",
                       due_date="2026-12-22", iban="FR7630006000011234567890189", bic="AGRIFRPPXXX")


class Page(HTMLParser):
    """The visible text of a page, and its forms' methods."""

    def __init__(self, html: str):
        super().__init__()
        self.text, self.forms, self._skip = [], [], False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self._skip = tag in ("style", "title")
        if tag == "form":
            self.forms.append(dict(attrs))

    def handle_endtag(self, tag):
        self._skip = False

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.text.append(data.strip())

    def has(self, *parts: str) -> bool:
        return all(part in " ".join(self.text) for part in parts)


@pytest.fixture
def client():
    return TestClient(create_app(GatewaySettings(payment_link_secret=SECRET)))


def link(claims: PaymentClaims = CLAIMS, issued: datetime | None = None, days: int = 30) -> str:
    return "/pay/" + payment_token(claims, SECRET, timedelta(days=days), now=issued or datetime.now(UTC))


def test_a_genuine_link_shows_the_invoice_the_transfer_details_and_the_button(client):
    response = client.get(link())

    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = Page(response.text)
    assert page.has("Payer la facture FA-2026-0042", "1\u202f234,50\u00a0€", "Boulangerie <Martin> & Fils",
                    "22/12/2026", "FR7630006000011234567890189", "AGRIFRPPXXX", "Payer")
    assert "<Martin>" not in response.text  # escaped, not markup
    assert page.forms == [{"method": "post"}]
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "default-src 'none'" in response.headers["content-security-policy"]


def test_paying_leads_to_the_thank_you_page_or_the_dossiers_own_page(client):
    thanks = client.post(link(), follow_redirects=False)
    assert (thanks.status_code, thanks.headers["location"]) == (303, "/pay/thanks")
    assert Page(client.get("/pay/thanks").text).has("Merci", "virement")

    own = client.post(link(PaymentClaims(**{**CLAIMS.__dict__, "after_payment_url": "https://martin.example/merci"})),
                      follow_redirects=False)
    assert (own.status_code, own.headers["location"]) == (303, "https://martin.example/merci")


def test_an_expired_link_is_a_410_page_saying_until_when_it_worked(client):
    issued = datetime.now(UTC) - timedelta(days=31)
    expired = link(issued=issued)

    for response in (client.get(expired), client.post(expired, follow_redirects=False)):
        assert response.status_code == 410
        page = Page(response.text)
        assert page.has("Ce lien de paiement a expiré", f"{issued + timedelta(days=30):%d/%m/%Y}")
        assert not page.has("FR7630006000011234567890189")


def test_an_altered_link_is_a_404_page(client):
    genuine = link()
    header, payload, signature = genuine.removeprefix("/pay/").split(".")
    altered = f"/pay/{header}.{payload[:-2]}AA.{signature}"

    for path in (altered, "/pay/anything", link().replace("/pay/", "/pay/x")):
        for response in (client.get(path), client.post(path, follow_redirects=False)):
            assert response.status_code == 404
            assert Page(response.text).has("Ce lien de paiement n'est pas valide")


def test_a_link_signed_with_another_secret_is_a_404_page():
    other = TestClient(create_app(GatewaySettings(payment_link_secret="another-secret-0123456789-0123456789")))

    assert other.get(link()).status_code == 404


def test_a_short_payment_link_secret_is_refused_at_start_up():
    with pytest.raises(ValueError, match="payment_link_secret"):
        GatewaySettings(payment_link_secret="short")
