"""The mailer against the real SMTP sink, over sockets."""
import socket
from dataclasses import replace

import httpx
import pytest

from jefacture.mail import Mailer, MailUnavailable, MailUndeliverable, SmtpConfig, message_id_for
from jefacture.samples import invoice_pdf, sample_invoices
from jefacture.simulators.smtp_sink import parse, running

SUBJECT = "Votre facture n° F2026-0001 — échéance le 15 décembre"
TEXT = "Bonjour Éloïse,\n\nVeuillez trouver ci-joint votre facture (1 234,50 €).\nÀ bientôt,\nLe cabinet Bérénice\n"
HTML = "<p>Bonjour Éloïse,</p><p>Veuillez trouver ci-joint votre facture (1&#8239;234,50 €).</p>"


@pytest.fixture
def sink(tmp_path):
    with running(tmp_path / "mail") as addresses:
        yield addresses


def mailer(smtp_url: str, **changes) -> Mailer:
    return Mailer(replace(SmtpConfig.from_url(smtp_url), **changes))


def messages(http_url: str) -> list[dict]:
    return httpx.get(f"{http_url}/messages").json()


def test_a_french_message_with_html_and_a_pdf_arrives_intact(sink):
    pdf = invoice_pdf(sample_invoices(1)[0])
    message_id = mailer(sink.smtp).send(["Éloïse Dupré <eloise@example.fr>", "compta@example.fr"], SUBJECT, TEXT,
                                        html=HTML, attachments=[("facture-F2026-0001.pdf", pdf, "application/pdf")])

    [listed] = messages(sink.http)
    assert listed["subject"] == SUBJECT and listed["to"] == ["eloise@example.fr", "compta@example.fr"]
    assert listed["attachments"] == ["facture-F2026-0001.pdf"]
    shown = httpx.get(f"{sink.http}/messages/{listed['id']}").json()
    assert shown["text"] == TEXT and shown["html"].strip() == HTML
    assert shown["attachments"] == [{"filename": "facture-F2026-0001.pdf", "content_type": "application/pdf",
                                     "size": len(pdf)}]
    raw = httpx.get(f"{sink.http}/messages/{listed['id']}/raw").content
    assert raw.isascii(), "the message must be 7-bit clean for any relay"
    received = parse(raw)
    assert received["Message-ID"] == message_id and received["Subject"] == SUBJECT
    assert received["To"].addresses[0].display_name == "Éloïse Dupré"
    assert received.get_body(("plain",)).get_content().replace("\r\n", "\n") == TEXT
    [attachment] = received.iter_attachments()
    assert attachment.get_content() == pdf


def test_the_message_id_comes_from_the_idempotency_key(sink):
    sender = mailer(sink.smtp)
    first = sender.send(["client@example.fr"], "Relance", "Bonjour", idempotency_key="reminder:F2026-0001:1")
    retried = sender.send(["client@example.fr"], "Relance", "Bonjour", idempotency_key="reminder:F2026-0001:1")
    other = sender.send(["client@example.fr"], "Relance", "Bonjour", idempotency_key="reminder:F2026-0002:1")

    assert first == retried == message_id_for("reminder:F2026-0001:1") != other
    received = [parse(httpx.get(f"{sink.http}/messages/{listed['id']}/raw").content)["Message-ID"]
                for listed in messages(sink.http)]
    assert received == [first, first, other]


def test_a_wrong_password_is_undeliverable_with_the_servers_reply(tmp_path):
    with running(tmp_path / "mail", require_auth="jefacture:s3cret") as sink:
        with pytest.raises(MailUndeliverable, match="535") as refused:
            mailer(sink.smtp, username="jefacture", password="wrong").send(["a@example.fr"], "Test", "Bonjour")
        assert refused.value.code == 535 and "Authentication credentials invalid" in refused.value.reply

        mailer(sink.smtp, username="jefacture", password="s3cret").send(["a@example.fr"], "Test", "Bonjour")
        assert [listed["to"] for listed in messages(sink.http)] == [["a@example.fr"]]


def test_a_sender_who_does_not_log_in_is_refused_with_530(tmp_path):
    with running(tmp_path / "mail", require_auth="jefacture:s3cret") as sink:
        with pytest.raises(MailUndeliverable, match="Authentication required") as refused:
            mailer(sink.smtp).send(["a@example.fr"], "Test", "Bonjour")
        assert refused.value.code == 530 and messages(sink.http) == []


def test_one_refused_recipient_stops_the_message_for_everyone(sink):
    with pytest.raises(MailUndeliverable, match="nobody@rejected.invalid") as refused:
        mailer(sink.smtp).send(["client@example.fr", "nobody@rejected.invalid"], "Facture", "Bonjour")
    assert refused.value.code == 550 and messages(sink.http) == []


def test_a_temporarily_refused_recipient_is_unavailable(sink):
    with pytest.raises(MailUnavailable, match="451"):
        mailer(sink.smtp).send(["client@deferred.invalid"], "Facture", "Bonjour")


def test_a_sink_that_is_down_is_unavailable(tmp_path):
    with running(tmp_path / "mail") as sink:
        pass
    with pytest.raises(MailUnavailable, match="unavailable"):
        mailer(sink.smtp).send(["client@example.fr"], "Facture", "Bonjour")


def test_a_server_that_never_answers_is_unavailable_after_the_timeout():
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        with pytest.raises(MailUnavailable, match="timed out"):
            mailer(f"smtp://127.0.0.1:{silent.getsockname()[1]}?timeout=0.3").send(["a@example.fr"], "Test", "Bonjour")


def test_messages_survive_a_sink_restart(tmp_path):
    with running(tmp_path / "mail") as sink:
        mailer(sink.smtp).send(["client@example.fr"], "Première", "Bonjour")
    with running(tmp_path / "mail") as sink:
        mailer(sink.smtp).send(["client@example.fr"], "Deuxième", "Bonjour")
        assert [listed["subject"] for listed in messages(sink.http)] == ["Première", "Deuxième"]


def test_delete_clears_the_mail_directory(sink, tmp_path):
    for number in range(3):
        mailer(sink.smtp).send(["client@example.fr"], f"Facture {number}", "Bonjour")

    assert httpx.delete(f"{sink.http}/messages").json() == {"deleted": 3}
    assert messages(sink.http) == [] and list((tmp_path / "mail").iterdir()) == []


def test_messages_can_be_listed_for_one_recipient(sink):
    sender = mailer(sink.smtp)
    sender.send(["alice@example.fr"], "Pour Alice", "Bonjour")
    sender.send(["bob@example.fr", "alice@example.fr"], "Pour les deux", "Bonjour")
    sender.send(["bob@example.fr"], "Pour Bob", "Bonjour")

    listed = httpx.get(f"{sink.http}/messages", params={"to": "Alice@example.fr"}).json()
    assert [item["subject"] for item in listed] == ["Pour Alice", "Pour les deux"]


def test_an_unknown_message_is_not_found(sink):
    assert httpx.get(f"{sink.http}/messages/20260101T000000000000Z-000000-abcdef").status_code == 404
    assert httpx.get(f"{sink.http}/messages/..%2F..%2Fetc%2Fpasswd/raw").status_code == 404


def test_an_smtp_url_gives_credentials_tls_and_sender():
    config = SmtpConfig.from_url("smtp://no-reply%40cabinet.fr:p%40ss%3Aword@smtp.cabinet.fr:587"
                                 "?starttls=true&sender=Cabinet%20B%C3%A9r%C3%A9nice%20%3Cfactures%40cabinet.fr%3E")
    assert (config.host, config.port, config.username, config.password, config.starttls) == (
        "smtp.cabinet.fr", 587, "no-reply@cabinet.fr", "p@ss:word", True)
    assert config.sender == "Cabinet Bérénice <factures@cabinet.fr>" and "p@ss" not in repr(config)


def test_a_bad_smtp_url_is_named_without_its_password():
    with pytest.raises(ValueError, match="not an SMTP URL") as error:
        SmtpConfig.from_url("http://user:hunter2@smtp.example.fr")
    assert "hunter2" not in str(error.value) and "smtp.example.fr" in str(error.value)
