"""Sending e-mail over SMTP for every service: one message, all recipients or none, with errors that say whether a
retry can succeed (MailUnavailable) or not (MailUndeliverable)."""
import email.policy
import hashlib
import smtplib
import ssl
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

DEFAULT_SENDER = "jefacture <no-reply@jefacture.localhost>"
TRUE_WORDS = {"1", "true", "yes", "on"}


class MailError(Exception):
    """A message that was not sent; `code` and `reply` are the SMTP server's answer when it gave one."""

    def __init__(self, message: str, code: int | None = None, reply: str = ""):
        super().__init__(message)
        self.code = code
        self.reply = reply


class MailUndeliverable(MailError):
    """Permanent: the same message to the same server fails again (5xx, refused recipient, bad credentials)."""


class MailUnavailable(MailError):
    """Temporary: retry later (4xx, server unreachable, timeout)."""


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = False
    sender: str = DEFAULT_SENDER
    timeout: float = 10

    @classmethod
    def from_url(cls, url: str) -> "SmtpConfig":
        """smtp://[user:password@]host[:port][?starttls=true&sender=...&timeout=10]; user and password %-encoded."""
        parts = urlsplit(url)
        shown = parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()  # never echo the password
        if parts.scheme != "smtp" or not parts.hostname:
            raise ValueError(f"{shown!r} is not an SMTP URL: expected smtp://[user:password@]host[:port]")
        try:
            port = parts.port or 25
        except ValueError:
            raise ValueError(f"{shown!r} has an invalid port") from None
        query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
        unknown = set(query) - {"starttls", "sender", "timeout"}
        if unknown:
            raise ValueError(f"{shown!r} has unknown parameters: {', '.join(sorted(unknown))}")
        try:
            timeout = float(query.get("timeout", 10))
        except ValueError:
            raise ValueError(f"{shown!r}: timeout must be a number of seconds") from None
        return cls(host=parts.hostname, port=port,
                   username=unquote(parts.username) if parts.username else None,
                   password=unquote(parts.password) if parts.password is not None else None,
                   starttls=query.get("starttls", "false").lower() in TRUE_WORDS,
                   sender=query.get("sender", DEFAULT_SENDER), timeout=timeout)


def message_id_for(idempotency_key: str, sender: str = DEFAULT_SENDER) -> str:
    """The Message-ID of every attempt to send one message: a receiver (or a test) sees retries as one message."""
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]
    return f"<{digest}@{_domain(sender)}>"


class Mailer:
    def __init__(self, config: SmtpConfig):
        self.config = config

    def send(self, to: list[str], subject: str, text: str, html: str | None = None,
             attachments: Iterable[tuple[str, bytes, str]] = (), headers: dict[str, str] | None = None,
             idempotency_key: str | None = None) -> str:
        """Sends one message to all of `to` or to none of them, and returns its Message-ID."""
        message = self.compose(to, subject, text, html, attachments, headers, idempotency_key)
        recipients = [address for _, address in getaddresses(to)]
        if not all("@" in address for address in recipients):
            raise ValueError(f"to holds something that is not an e-mail address: {to!r}")
        self._deliver(message, recipients)
        return message["Message-ID"]

    def compose(self, to: list[str], subject: str, text: str, html: str | None = None,
                attachments: Iterable[tuple[str, bytes, str]] = (), headers: dict[str, str] | None = None,
                idempotency_key: str | None = None) -> EmailMessage:
        if isinstance(to, str) or not to:
            raise ValueError(f"to must be a non-empty list of addresses, not {to!r}")
        message = EmailMessage()
        message["From"] = self.config.sender
        message["To"] = ", ".join(to)
        message["Subject"] = subject
        message["Date"] = format_datetime(datetime.now(timezone.utc))
        message["Message-ID"] = (message_id_for(idempotency_key, self.config.sender) if idempotency_key
                                 else make_msgid(domain=_domain(self.config.sender)))
        for name, value in (headers or {}).items():
            del message[name]
            message[name] = value
        # Quoted-printable keeps French text readable and the message 7-bit clean for any relay.
        message.set_content(text, cte="quoted-printable")
        if html is not None:
            message.add_alternative(html, subtype="html", cte="quoted-printable")
        for filename, content, mime_type in attachments:
            maintype, _, subtype = mime_type.partition("/")
            if not subtype:
                raise ValueError(f"attachment {filename!r}: {mime_type!r} is not a MIME type like application/pdf")
            message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
        return message

    def _deliver(self, message: EmailMessage, recipients: list[str]) -> None:
        where = f"{self.config.host}:{self.config.port}"
        try:
            with smtplib.SMTP(self.config.host, self.config.port, timeout=self.config.timeout) as smtp:
                if self.config.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.config.username:
                    smtp.login(self.config.username, self.config.password or "")
                self._transaction(smtp, message, recipients, where)
        except smtplib.SMTPNotSupportedError as error:
            raise MailUndeliverable(f"the SMTP server at {where} cannot do what is configured: {error}") from error
        except smtplib.SMTPAuthenticationError as error:
            raise _failure(f"the SMTP server at {where} refused the login of {self.config.username}",
                           error.smtp_code, error.smtp_error) from error
        except smtplib.SMTPResponseException as error:
            raise _failure(f"the SMTP server at {where} refused the message", error.smtp_code,
                           error.smtp_error) from error
        except OSError as error:  # refused, reset, timed out, TLS failure, unexpected close (SMTPException too)
            raise MailUnavailable(f"the SMTP server at {where} is unavailable: {error!r}") from error

    @staticmethod
    def _transaction(smtp: smtplib.SMTP, message: EmailMessage, recipients: list[str], where: str) -> None:
        """MAIL, every RCPT, then DATA only if all recipients were accepted: no one gets a message a retry resends."""
        payload = message.as_bytes(policy=email.policy.SMTP)
        smtp.ehlo_or_helo_if_needed()
        options = [f"SIZE={len(payload)}"] if smtp.has_extn("size") else []
        code, reply = smtp.mail(_address(message["From"]), options)
        if code != 250:
            smtp.rset()
            raise _failure(f"the SMTP server at {where} refused the sender {message['From']}", code, reply)
        for recipient in recipients:
            code, reply = smtp.rcpt(recipient)
            if code not in (250, 251):
                smtp.rset()
                raise _failure(f"the SMTP server at {where} refused the recipient {recipient}", code, reply)
        smtp.data(payload)  # raises SMTPDataError unless the server answers 250


def _failure(what: str, code: int, reply: bytes | str) -> MailError:
    reply = reply.decode(errors="replace") if isinstance(reply, bytes) else reply
    kind = MailUnavailable if 400 <= code < 500 or code == -1 else MailUndeliverable
    return kind(f"{what}: {code} {reply}", code=code, reply=reply)


def _address(header: str) -> str:
    return getaddresses([header])[0][1]


def _domain(sender: str) -> str:
    return _address(sender).rpartition("@")[2] or "jefacture.localhost"
