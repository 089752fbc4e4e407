"""Signing in at an OpenID Provider's login page as a browser would, for tests and the demo: from the authorization
URL to the redirect back to the client's callback, which is returned unrequested."""
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx

MAX_STEPS = 20
TEXT_INPUT_TYPES = ("text", "email", "")
SKIPPED_INPUT_TYPES = ("submit", "button", "image", "reset", "file")
NON_MESSAGE_TAGS = ("label", "button", "script", "style", "option", "select", "textarea")


class ProviderLoginFailed(Exception):
    """The provider did not send the browser back to the client: wrong credentials, or an unexpected page."""


@dataclass
class Form:
    action: str
    method: str
    inputs: list[dict[str, str]] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)  # text of the form outside its labels and buttons

    @property
    def has_password(self) -> bool:
        return any(attrs.get("type", "").lower() == "password" for attrs in self.inputs)


class FormParser(HTMLParser):
    """The forms of a page with their inputs and the messages shown in them (an error after a failed login)."""

    def __init__(self):
        super().__init__()
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._skipping: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._form = Form(values.get("action", ""), values.get("method", "get").lower())
            self.forms.append(self._form)
        elif self._form is not None and tag == "input":
            self._form.inputs.append(values)
        elif self._form is not None and tag in NON_MESSAGE_TAGS:
            self._skipping.append(tag)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
            self._skipping.clear()
        elif self._skipping and self._skipping[-1] == tag:
            self._skipping.pop()

    def handle_data(self, data):
        if self._form is not None and not self._skipping and data.strip():
            self._form.messages.append(" ".join(data.split()))


def sign_in(authorize_url: str, username: str, password: str, *, client: httpx.Client | None = None) -> str:
    """The callback URL (with `code` and `state`, or an OAuth `error`) that the provider redirects to once
    `username` signed in with `password`; requests nothing outside the provider's origin."""
    if client is not None:
        return _sign_in(client, authorize_url, username, password)
    with httpx.Client(timeout=10) as own_client:
        return _sign_in(own_client, authorize_url, username, password)


def _sign_in(client: httpx.Client, authorize_url: str, username: str, password: str) -> str:
    provider = _origin(authorize_url)
    response = client.get(authorize_url, follow_redirects=False)
    submitted = False
    for _ in range(MAX_STEPS):
        if response.is_redirect:
            target = urljoin(str(response.url), response.headers["location"])
            if _origin(target) != provider:
                return target
            response = client.get(target, follow_redirects=False)
            continue
        form = _login_form(response)
        if submitted:
            shown = "; ".join(form.messages) or "no message"
            raise ProviderLoginFailed(f"the provider at {provider} refused the sign-in of {username!r}: {shown}")
        response = _submit(client, response, form, username, password)
        submitted = True
    raise ProviderLoginFailed(f"the provider at {provider} did not redirect to the client after {MAX_STEPS} steps "
                              f"(last page {response.url})")


def _login_form(response: httpx.Response) -> Form:
    if response.status_code != 200:
        raise ProviderLoginFailed(f"the provider answered HTTP {response.status_code} at {response.url}: "
                                  f"{response.text[:300]}")
    parser = FormParser()
    parser.feed(response.text)
    parser.close()
    for form in parser.forms:
        if form.has_password:
            return form
    raise ProviderLoginFailed(f"the provider's page at {response.url} has no login form (no password field): "
                              f"{response.text[:300]}")


def _submit(client: httpx.Client, page: httpx.Response, form: Form, username: str, password: str) -> httpx.Response:
    fields = {}
    username_field = _username_field(form)
    for attrs in form.inputs:
        name, kind = attrs.get("name"), attrs.get("type", "").lower()
        if not name or kind in SKIPPED_INPUT_TYPES or (kind in ("checkbox", "radio") and "checked" not in attrs):
            continue
        if kind == "password":
            fields[name] = password
        elif name == username_field:
            fields[name] = username
        else:
            fields[name] = attrs.get("value", "")
    action = urljoin(str(page.url), form.action or str(page.url))
    if form.method == "post":
        return client.post(action, data=fields, follow_redirects=False)
    return client.get(action, params=fields, follow_redirects=False)


def _username_field(form: Form) -> str:
    """The input marked autocomplete=username, else the first text or e-mail input."""
    named = [attrs for attrs in form.inputs if attrs.get("name")]
    for attrs in named:
        if attrs.get("autocomplete", "").lower() in ("username", "email"):
            return attrs["name"]
    for attrs in named:
        if attrs.get("type", "").lower() in TEXT_INPUT_TYPES:
            return attrs["name"]
    raise ProviderLoginFailed(f"the login form posting to {form.action!r} has no username field")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()
