"""The customer's e-mail of a sales invoice: its French wording, the payment link the dossier's settings call for,
and the message as it arrives through the SMTP sink (attachment intact, link readable)."""
import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from jefacture.api.v1 import identity_pb2
from jefacture.events.v1 import invoice_pb2
from jefacture.mail import Mailer, SmtpConfig
from jefacture.payment_links import DEV_SECRET, PaymentClaims, read_payment_token
from jefacture.samples import invoice_pdf, sample_invoices
from jefacture.simulators.smtp_sink import parse, running
from jefacture_routing.adapters.customer_mail import customer_message, payment_url_for

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
PUBLIC_URL = "https://app.jefacture.example/"
SUMMARY = invoice_pb2.InvoiceSummary(
    document_type="invoice", invoice_number="FA-2026-0042", issue_date="2026-11-20", due_date="2026-12-20",
    currency="EUR", total_excl_tax="1000.00", total_tax="200.00", total_incl_tax="1200.00",
    supplier_name="Boulangerie Martin", customer_name="Café <Dupont> & Fils", iban="FR7630006000011234567890189",
    bic="AGRIFRPPXXX", customer_email="compta@cafe-dupont.example")
SETTINGS = identity_pb2.DossierSettings(dossier_id="dossier-1", auto_accept=True, payment_button=True,
                                        payment_link_days=45, after_payment_url="https://martin.example/merci")
LINK = re.compile(r'href="([^"]+)"')


def url_for(summary=SUMMARY, settings=SETTINGS, now=NOW) -> str | None:
    return payment_url_for(summary, "doc-1", "dossier-1", settings, PUBLIC_URL, DEV_SECRET, now)


def token_of(url: str) -> str:
    return url.removeprefix("https://app.jefacture.example/pay/")


def test_the_payment_link_carries_what_the_page_shows_for_the_dossiers_validity():
    url = url_for()

    assert url.startswith("https://app.jefacture.example/pay/ey")
    assert read_payment_token(token_of(url), DEV_SECRET, NOW) == PaymentClaims(
        document_id="doc-1", dossier_id="dossier-1", invoice_number="FA-2026-0042",
        supplier_name="Boulangerie Martin", amount="1200.00", currency="EUR", due_date="2026-12-20",
        iban="FR7630006000011234567890189", bic="AGRIFRPPXXX", after_payment_url="https://martin.example/merci",
        expires_at=NOW + timedelta(days=45))


def test_no_payment_link_when_the_dossier_leaves_the_button_out_or_for_a_credit_note():
    without_button = identity_pb2.DossierSettings()
    without_button.CopyFrom(SETTINGS)
    without_button.payment_button = False
    credit_note = invoice_pb2.InvoiceSummary()
    credit_note.CopyFrom(SUMMARY)
    credit_note.document_type = "credit_note"

    assert url_for(settings=without_button) is None
    assert url_for(summary=credit_note) is None


def test_the_message_gives_the_number_amounts_due_date_and_the_button_in_french():
    url = url_for()

    message = customer_message(SUMMARY, "Boulangerie Martin", b"%PDF-sealed", "FA-2026-0042.pdf", url)

    assert message.subject == "Facture FA-2026-0042 de Boulangerie Martin"
    for part in ("Bonjour Café <Dupont> & Fils,", "Veuillez trouver ci-joint notre facture FA-2026-0042.",
                 "Montant HT : 1\u202f000,00\u00a0€", "TVA : 200,00\u00a0€", "Montant TTC : 1\u202f200,00\u00a0€",
                 "Échéance : 20/12/2026", f"Pour la régler : {url}", "IBAN : FR7630006000011234567890189",
                 "Cordialement,\nBoulangerie Martin"):
        assert part in message.text
    assert LINK.findall(message.html) == [url]
    assert ">Payer la facture</a>" in message.html and "background:#1f6feb" in message.html
    assert "Café &lt;Dupont&gt; &amp; Fils" in message.html and "<Dupont>" not in message.html
    assert message.attachments == [("FA-2026-0042.pdf", b"%PDF-sealed", "application/pdf")]


def test_without_a_payment_link_the_message_has_no_button_but_the_transfer_details():
    message = customer_message(SUMMARY, "Boulangerie Martin", b"%PDF-sealed", "f.pdf", None)

    assert "href=" not in message.html and "Pour la régler" not in message.text
    assert "FR7630006000011234567890189" in message.html and "BIC : AGRIFRPPXXX" in message.text


def test_a_sparse_summary_leaves_out_what_it_does_not_know():
    sparse = invoice_pb2.InvoiceSummary(total_incl_tax="99.9", currency="EUR")

    message = customer_message(sparse, "Boulangerie Martin", b"%PDF", "f.pdf", None)

    assert message.subject == "Facture de Boulangerie Martin"
    assert message.text.startswith("Bonjour,\n\nVeuillez trouver ci-joint notre facture.\n\nMontant TTC : 99,90")
    assert "Échéance" not in message.text and "virement" not in message.text


@pytest.fixture
def sink(tmp_path):
    with running(tmp_path / "mail") as addresses:
        yield addresses


def test_the_message_arrives_with_the_sealed_pdf_intact_and_a_link_that_reads_back(sink):
    pdf = invoice_pdf(sample_invoices(1)[0])
    message = customer_message(SUMMARY, "Boulangerie Martin", pdf, "FA-2026-0042.pdf", url_for(now=datetime.now(UTC)))

    Mailer(SmtpConfig.from_url(sink.smtp)).send([SUMMARY.customer_email], message.subject, message.text,
                                                html=message.html, attachments=message.attachments)

    [listed] = httpx.get(f"{sink.http}/messages", params={"to": SUMMARY.customer_email}).json()
    received = parse(httpx.get(f"{sink.http}/messages/{listed['id']}/raw").content)
    assert received["Subject"] == "Facture FA-2026-0042 de Boulangerie Martin"
    [attachment] = [part for part in received.walk() if part.get_filename()]
    assert (attachment.get_filename(), attachment.get_payload(decode=True)) == ("FA-2026-0042.pdf", pdf)
    [href] = LINK.findall(received.get_body(preferencelist=("html",)).get_content())
    claims = read_payment_token(token_of(href), DEV_SECRET, datetime.now(UTC))
    assert (claims.invoice_number, claims.amount) == ("FA-2026-0042", "1200.00")
