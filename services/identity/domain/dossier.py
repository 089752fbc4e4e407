"""A dossier: one client company of an accounting firm, known by its SIREN, opened by its legal representative."""
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import HttpUrl, TypeAdapter, ValidationError
from stdnum import exceptions as stdnum_errors
from stdnum.fr import siren as stdnum_siren

if TYPE_CHECKING:
    from .client_form import ClientForm

CREATED = "created"  # filled in by the firm, not activated yet
INVITED = "invited"  # the legal representative got the invitation e-mail
ACTIVE = "active"  # the legal representative completed it: the dossier is open
ACCOUNTING_ACTIVITY = "69.20Z"
OWN_DOSSIER_FREE_INVOICES = 500
MAX_PAYMENT_LINK_DAYS = 366
MAX_URL_LENGTH = 2000
_HTTP_URL = TypeAdapter(HttpUrl)


class InvalidDossier(ValueError):
    """The input cannot make a dossier; the message names the input and what is wrong with it."""


class DossierNotFound(LookupError):
    def __init__(self, dossier_id: str):
        super().__init__(f"no dossier has the id {dossier_id!r}")
        self.dossier_id = dossier_id


class DossierAlreadyExists(Exception):
    def __init__(self, siren: str, dossier_id: str):
        super().__init__(f"the firm already has a dossier for SIREN {siren}: {dossier_id}")
        self.siren = siren
        self.dossier_id = dossier_id


class InvalidSettings(InvalidDossier):
    """The settings cannot be saved; `problems` maps every wrong field to its reason."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__("; ".join(problems.values()))


class CabinetNotAllowed(InvalidDossier):
    def __init__(self, siren: str, name: str):
        super().__init__(f"{name or siren} (SIREN {siren}) is an accounting firm (NAF {ACCOUNTING_ACTIVITY}): "
                         "a cabinet cannot be another cabinet's client dossier")


@dataclass(frozen=True)
class DossierSettings:
    """How validation and routing treat the dossier's invoices."""
    auto_accept: bool = True  # clean invoices are accepted without a person
    payment_button: bool = True  # customer e-mails carry the payment button
    payment_link_days: int = 30  # how long the payment link works
    after_payment_url: str = ""  # the page shown after payment; empty: the platform's thank-you page


@dataclass(frozen=True)
class Dossier:
    dossier_id: str
    firm_id: str
    details: "ClientForm"
    legal_form: str | None
    status: str
    created_at: datetime
    own: bool = False
    free_invoices: int = 0
    settings: DossierSettings = DossierSettings()
    activated_at: datetime | None = None

    @property
    def siren(self) -> str:
        return self.details.siren

    @property
    def name(self) -> str:
        return self.details.name

    @property
    def active(self) -> bool:
        return self.status == ACTIVE


_SIREN_PROBLEMS = {
    stdnum_errors.InvalidChecksum: "its check digit is wrong (Luhn)",
    stdnum_errors.InvalidLength: "a SIREN has 9 digits",
    stdnum_errors.InvalidFormat: "a SIREN has only digits",
}


def clean_siren(siren: str) -> str:
    """The SIREN's 9 digits, spaces and dots removed."""
    if not siren.strip():
        raise InvalidDossier("siren is required: give the company's 9-digit SIREN")
    try:
        return stdnum_siren.validate(siren)
    except stdnum_errors.ValidationError as error:
        problem = next((text for kind, text in _SIREN_PROBLEMS.items() if isinstance(error, kind)), error.message)
        raise InvalidDossier(f"siren {siren!r} is not a valid SIREN: {problem}") from None


def clean_settings(auto_accept: bool, payment_button: bool, payment_link_days: int,
                   after_payment_url: str) -> DossierSettings:
    """The settings as given, or InvalidSettings naming every wrong field."""
    problems = {}
    if not 1 <= payment_link_days <= MAX_PAYMENT_LINK_DAYS:
        problems["payment_link_days"] = (f"payment_link_days must be between 1 and {MAX_PAYMENT_LINK_DAYS} days, "
                                         f"not {payment_link_days}")
    url = after_payment_url.strip()
    if url and (problem := _url_problem(url)):
        problems["after_payment_url"] = f"after_payment_url {url[:100]!r} {problem}"
    if problems:
        raise InvalidSettings(problems)
    return DossierSettings(auto_accept, payment_button, payment_link_days, url)


def _url_problem(url: str) -> str | None:
    if len(url) > MAX_URL_LENGTH:
        return f"is longer than {MAX_URL_LENGTH} characters"
    try:
        _HTTP_URL.validate_python(url)
    except ValidationError as error:
        return f"is not an http(s) address: {error.errors()[0]['msg']}"
    return None
