"""A local SMTP server for development and tests (aiosmtpd): accepts every message, keeps each as an .eml file in a
mail directory, and shows them over HTTP.

HTTP: GET / answers 200 once both servers listen; GET /messages[?to=address] lists them in arrival order;
GET /messages/{id} shows one (headers, bodies, attachments); GET /messages/{id}/raw serves the .eml;
DELETE /messages empties the directory. Recipients at rejected.invalid are refused with 550 and those at
deferred.invalid with 451, so that bounces can be tested against a real server.
"""
import argparse
import email.policy
import http.server
import itertools
import json
import logging
import re
import sys
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import NamedTuple
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from jefacture.simulators.kit import child_server, free_port

REJECTED_DOMAIN = "rejected.invalid"
DEFERRED_DOMAIN = "deferred.invalid"
ENVELOPE_FROM = "X-Envelope-From"
ENVELOPE_TO = "X-Envelope-To"
MESSAGE_ID = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_-]*$")


class SinkAddresses(NamedTuple):
    smtp: str  # smtp://127.0.0.1:port, ready for jefacture.mail.SmtpConfig.from_url
    http: str  # http://127.0.0.1:port


class Maildir:
    """One .eml file per message, named so that sorting the names gives the arrival order."""

    def __init__(self, path: Path):
        self.path = path
        self.path.mkdir(parents=True, exist_ok=True)
        self._sequence = itertools.count()

    def store(self, mail_from: str, rcpt_tos: list[str], content: bytes) -> str:
        newline = b"\r\n" if b"\r\n" in content else b"\n"
        trace = f"{ENVELOPE_FROM}: <{mail_from}>".encode() + newline
        trace += f"{ENVELOPE_TO}: {', '.join(rcpt_tos)}".encode() + newline
        message_id = self._new_id()
        partial = self.path / f".{message_id}.tmp"
        partial.write_bytes(trace + content)
        partial.rename(self.path / f"{message_id}.eml")  # readers never see half a message
        return message_id

    def _new_id(self) -> str:
        # The sequence orders messages received within one microsecond; the random part keeps two sinks sharing a
        # folder from overwriting each other.
        return f"{datetime.now(timezone.utc):%Y%m%dT%H%M%S%fZ}-{next(self._sequence):06d}-{uuid.uuid4().hex[:6]}"

    def ids(self) -> list[str]:
        return sorted(path.stem for path in self.path.glob("*.eml"))

    def raw(self, message_id: str) -> bytes | None:
        if not MESSAGE_ID.match(message_id):
            return None
        try:
            return (self.path / f"{message_id}.eml").read_bytes()
        except FileNotFoundError:
            return None

    def clear(self) -> int:
        deleted = 0
        for path in self.path.glob("*.eml"):
            path.unlink(missing_ok=True)
            deleted += 1
        return deleted


def summary(message_id: str, raw: bytes) -> dict:
    message = parse(raw)
    return {"id": message_id, "from": str(message.get("From", "")), "to": envelope_recipients(message),
            "subject": str(message.get("Subject", "")), "date": header_date(message), "size": len(raw),
            "attachments": [attachment["filename"] for attachment in attachments(message)]}


def details(message_id: str, raw: bytes) -> dict:
    message = parse(raw)
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    return {**summary(message_id, raw),
            "envelope_from": str(message.get(ENVELOPE_FROM, "")).strip("<>"),
            "headers": [[name, str(value)] for name, value in message.items()
                        if name not in (ENVELOPE_FROM, ENVELOPE_TO)],
            "text": _lines(text.get_content()) if text is not None else None,
            "html": _lines(html.get_content()) if html is not None else None,
            "attachments": attachments(message)}


def _lines(body: str) -> str:
    """The .eml keeps SMTP's CRLF line ends; readers of the JSON expect plain newlines."""
    return body.replace("\r\n", "\n")


def parse(raw: bytes) -> EmailMessage:
    return BytesParser(policy=email.policy.default).parsebytes(raw)


def envelope_recipients(message: EmailMessage) -> list[str]:
    return [address.strip() for address in str(message.get(ENVELOPE_TO, "")).split(",") if address.strip()]


def header_date(message: EmailMessage) -> str | None:
    moment = getattr(message.get("Date"), "datetime", None)
    return moment.isoformat() if moment is not None else None


def attachments(message: EmailMessage) -> list[dict]:
    found = []
    for part in message.walk():
        if part.is_multipart() or not (part.is_attachment() or part.get_filename()):
            continue
        found.append({"filename": part.get_filename() or "", "content_type": part.get_content_type(),
                      "size": len(part.get_payload(decode=True) or b"")})
    return found


class SinkHandler:
    """aiosmtpd hooks: refuse the reserved test domains, store everything else."""

    def __init__(self, maildir: Maildir):
        self.maildir = maildir

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          rcpt_options: list[str]) -> str:
        domain = address.rpartition("@")[2].lower()
        if domain == REJECTED_DOMAIN:
            return f"550 5.1.1 <{address}>: recipient address rejected: no such mailbox"
        if domain == DEFERRED_DOMAIN:
            return f"451 4.3.0 <{address}>: mailbox temporarily unavailable, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        message_id = self.maildir.store(envelope.mail_from, envelope.rcpt_tos, envelope.original_content)
        return f"250 2.0.0 Ok: queued as {message_id}"


def authenticator(require_auth: str | None):
    """Checks user:password when required; otherwise accepts any login, as clients configured with one expect."""
    user, _, password = (require_auth or "").partition(":")

    def authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
        if require_auth is None:
            return AuthResult(success=True)
        valid = (isinstance(auth_data, LoginPassword)
                 and auth_data.login == user.encode() and auth_data.password == password.encode())
        return AuthResult(success=valid, handled=False)

    return authenticate


def serve(port: int, http_port: int, maildir: Path, require_auth: str | None = None) -> None:
    mailbox = Maildir(maildir)
    # A development server on the loopback interface: AUTH without TLS is what the tests exercise, and aiosmtpd
    # would otherwise warn about it (and about its own use of a deprecated attribute) on every connection.
    warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
    warnings.filterwarnings("ignore", message="Session.login_data is deprecated")
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    controller = Controller(SinkHandler(mailbox), hostname="127.0.0.1", port=port,
                            server_hostname="smtp-sink.jefacture.localhost", authenticator=authenticator(require_auth),
                            auth_required=require_auth is not None, auth_require_tls=False)
    controller.start()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, document) -> None:
            self._answer(status, "application/json; charset=utf-8",
                         json.dumps(document, ensure_ascii=False, indent=1).encode())

        def _not_found(self) -> None:
            self._json(404, {"error": f"no message at {self.path}"})

        def do_GET(self):
            url = urlsplit(self.path)
            parts = [part for part in url.path.split("/") if part]
            if not parts:
                self._answer(200, "text/plain", f"SMTP sink on 127.0.0.1:{port} (development)\n".encode())
            elif parts == ["messages"]:
                recipient = parse_qs(url.query).get("to", [None])[0]
                listed = [summary(message_id, raw) for message_id in mailbox.ids()
                          if (raw := mailbox.raw(message_id)) is not None]
                if recipient:
                    listed = [item for item in listed
                              if recipient.lower() in (address.lower() for address in item["to"])]
                self._json(200, listed)
            elif len(parts) in (2, 3) and parts[0] == "messages" and parts[2:] in ([], ["raw"]):
                raw = mailbox.raw(parts[1])
                if raw is None:
                    self._not_found()
                elif parts[2:] == ["raw"]:
                    self._answer(200, "message/rfc822", raw)
                else:
                    self._json(200, details(parts[1], raw))
            else:
                self._not_found()

        def do_DELETE(self):
            if urlsplit(self.path).path.rstrip("/") == "/messages":
                self._json(200, {"deleted": mailbox.clear()})
            else:
                self._not_found()

        def log_message(self, *_):
            pass

    try:
        http.server.ThreadingHTTPServer(("127.0.0.1", http_port), Handler).serve_forever()
    finally:
        controller.stop()


@contextmanager
def running(maildir: Path, port: int | None = None, http_port: int | None = None, require_auth: str | None = None,
            timeout: float = 30) -> Iterator[SinkAddresses]:
    """This sink in a child process, for tests: yields its SMTP and HTTP addresses once both listen."""
    port = port or free_port()
    http_port = http_port or free_port()
    args = ["--http-port", str(http_port), "--maildir", str(maildir)]
    if require_auth is not None:
        args += ["--require-auth", require_auth]
    with child_server("jefacture.simulators.smtp_sink", args, port, timeout, health_port=http_port) as http:
        yield SinkAddresses(smtp=f"smtp://127.0.0.1:{port}", http=http)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True, help="SMTP port")
    parser.add_argument("--http-port", type=int, required=True, help="port of the HTTP read API")
    parser.add_argument("--maildir", type=Path, required=True, help="folder of the .eml files, created when missing")
    parser.add_argument("--require-auth", metavar="USER:PASSWORD",
                        help="refuse MAIL FROM (530) until the client logs in with these credentials")
    args = parser.parse_args()
    if args.require_auth is not None and ":" not in args.require_auth:
        parser.error("--require-auth expects USER:PASSWORD")
    serve(args.port, args.http_port, args.maildir, args.require_auth)


if __name__ == "__main__":
    sys.exit(main())
