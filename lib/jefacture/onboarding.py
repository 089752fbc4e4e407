"""The onboarding flows driven through the public REST API, as a person would: a firm's expert-comptable logs in at
the OpenID provider, accepts the terms, opens a client dossier, and its legal representative completes the
invitation read from the mail sink. Used by the end-to-end tests, the demo and the benchmark."""
import re
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from jefacture import provider_login

TERMS_VERSION = "2026-09"
DEMO_PASSWORD = "Facture-Vallee-2026!"
# Demo staff of the local OpenID provider (simulators/data/oidc_users.json): an expert-comptable and her cabinet.
DEMO_FIRM_ADMIN = ("claire.rousseau@rousseau-expertise.example", "Bilan-Garonne-2031!")
DEMO_CABINET_SIREN = "812345676"
LINK = re.compile(r"https?://\S+/(invitations|password-reset)/([A-Za-z0-9_-]+)")


class FlowFailed(AssertionError):
    """A step answered something other than what the flow expects; the message shows the answer."""


def expect(response: httpx.Response, status: int) -> dict:
    if response.status_code != status:
        raise FlowFailed(f"{response.request.method} {response.request.url.path} answered {response.status_code}, "
                         f"not {status}: {response.text[:500]}")
    return response.json() if response.content else {}


def bearer(session: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {session['access_token']}"}


def firm_login(api: httpx.Client, username: str, password: str) -> dict:
    """The browser's round trip: gateway → provider's login form → gateway callback; returns the session."""
    redirect = api.get("/auth/firm/login", follow_redirects=False)
    if redirect.status_code != 302:
        raise FlowFailed(f"/auth/firm/login answered {redirect.status_code}: {redirect.text[:300]}")
    callback = provider_login.sign_in(redirect.headers["location"], username, password)
    parts = urlsplit(callback)
    return expect(api.get(f"{parts.path}?{parts.query}"), 200)


class Mailbox:
    """The SMTP sink's HTTP view of received mail."""

    def __init__(self, mail_http_address: str):
        self.base = f"http://{mail_http_address}"

    def messages(self, to: str) -> list[dict]:
        listed = httpx.get(f"{self.base}/messages", params={"to": to}, timeout=5).json()
        return [httpx.get(f"{self.base}/messages/{item['id']}", timeout=5).json() for item in listed]

    def wait_for(self, to: str, subject_part: str, count: int = 1, timeout: float = 20) -> dict:
        """The `count`-th message to `to` whose subject holds `subject_part`."""
        deadline = time.monotonic() + timeout
        while True:
            found = [m for m in self.messages(to) if subject_part in m["subject"]]
            if len(found) >= count:
                return found[count - 1]
            if time.monotonic() > deadline:
                raise FlowFailed(f"no mail {subject_part!r} #{count} reached {to} within {timeout} s")
            time.sleep(0.2)


def login(api: httpx.Client, email: str, password: str) -> dict:
    """A company user's session, by e-mail and password."""
    return expect(api.post("/auth/login", json={"email": email, "password": password}), 200)


def link_in(message: dict) -> tuple[str, str]:
    """(kind, token) of the link in a mail's text: kind is "invitations" or "password-reset"."""
    match = LINK.search(message["text"] or "")
    if match is None:
        raise FlowFailed(f"the mail {message['subject']!r} holds no link: {message['text']!r}")
    return match.group(1), match.group(2)


def profile(name: str, password: str = DEMO_PASSWORD) -> dict:
    return {"password": password, "name": name, "mobile": "+33 6 12 34 56 78", "language": "fr",
            "accept_terms": True, "accept_privacy_notice": True}


@dataclass
class Firm:
    admin: dict  # the expert-comptable's session
    firm_id: str
    own_dossier_id: str


def open_firm(api: httpx.Client, username: str, password: str, siren: str) -> Firm:
    session = firm_login(api, username, password)
    firm = expect(api.post(f"/cabinets/{siren}/terms", json={"version": TERMS_VERSION}, headers=bearer(session)),
                  200)
    return Firm(session, firm["firm_id"], firm["own_dossier_id"])


def dossier_form(siren: str, representative_email: str, **overrides) -> dict:
    return {"siren": siren, "country": "FR", "language": "fr", "closing_month": "12",
            "representative_name": "Marie Lambert", "representative_language": "fr",
            "representative_email": representative_email, **overrides}


def open_active_dossier(api: httpx.Client, firm: Firm, mailbox: Mailbox, siren: str, representative_email: str,
                        password: str = DEMO_PASSWORD) -> tuple[dict, dict]:
    """Creates the dossier, activates it, completes the representative's invitation: (dossier, their session)."""
    dossier = expect(api.post(f"/firms/{firm.firm_id}/dossiers", json=dossier_form(siren, representative_email),
                              headers=bearer(firm.admin)), 201)
    expect(api.post(f"/dossiers/{dossier['dossier_id']}/activate", headers=bearer(firm.admin)), 200)
    mail = mailbox.wait_for(representative_email, "Activez le dossier")
    _, token = link_in(mail)
    session = expect(api.post(f"/invitations/{token}", json=profile("Marie Lambert", password)), 200)
    return dossier, session


def ensure_active_dossier(api: httpx.Client, firm: Firm, mailbox: Mailbox, siren: str, representative_email: str,
                          password: str = DEMO_PASSWORD) -> tuple[dict, dict]:
    """open_active_dossier for runs that repeat (the demo, the benchmark): the firm's dossier for `siren` is reused
    when it exists, activated when it is not active yet, and a representative who already has an account logs in
    with `password`. Returns (the dossier as the representative sees it, their session)."""
    dossier = _created_or_existing(api, firm, siren, representative_email)
    session = _activate(api, firm, mailbox, dossier, password) if dossier["status"] != "active" else None
    session = session or login(api, dossier["details"]["representative_email"], password)
    return expect(api.get(f"/dossiers/{dossier['dossier_id']}", headers=bearer(session)), 200), session


def _created_or_existing(api: httpx.Client, firm: Firm, siren: str, representative_email: str) -> dict:
    created = api.post(f"/firms/{firm.firm_id}/dossiers", json=dossier_form(siren, representative_email),
                       headers=bearer(firm.admin))
    if created.status_code == 409 and created.json().get("dossier_id"):
        return expect(api.get(f"/dossiers/{created.json()['dossier_id']}", headers=bearer(firm.admin)), 200)
    return expect(created, 201)


def _activate(api: httpx.Client, firm: Firm, mailbox: Mailbox, dossier: dict, password: str) -> dict | None:
    """Sends the activation (again) and completes the newest invitation: the representative's new session. None when
    the representative already has an account: the dossier then opens at once, without an invitation."""
    email = dossier["details"]["representative_email"]
    subject = f"Activez le dossier {dossier['name']}"
    sent_before = sum(subject in message["subject"] for message in mailbox.messages(email))
    if expect(api.post(f"/dossiers/{dossier['dossier_id']}/activate", headers=bearer(firm.admin)),
              200)["status"] == "active":
        return None
    _, token = link_in(mailbox.wait_for(email, subject, count=sent_before + 1))
    name = dossier["details"].get("representative_name") or "Marie Lambert"
    return expect(api.post(f"/invitations/{token}", json=profile(name, password)), 200)
