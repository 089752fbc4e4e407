"""People: firm staff (they log in through the firms' OpenID provider) and company users (e-mail and password)."""
from dataclasses import dataclass
from datetime import datetime

FIRM_STAFF = "firm"
COMPANY = "company"


@dataclass(frozen=True)
class Cabinet:
    """An accounting firm the OpenID provider says the person is an expert-comptable of."""
    siren: str
    name: str


@dataclass(frozen=True)
class User:
    user_id: str
    email: str
    kind: str
    created_at: datetime
    name: str = ""
    oidc_subject: str | None = None
    password_hash: str | None = None
    mobile: str | None = None
    language: str | None = None
    last_dossier_id: str | None = None
    cabinets: tuple[Cabinet, ...] = ()

    @property
    def registered(self) -> bool:
        """True once the person completed an invitation (password, profile, terms)."""
        return self.password_hash is not None


@dataclass(frozen=True)
class Firm:
    firm_id: str
    siren: str
    name: str
    created_at: datetime
    own_dossier_id: str | None = None


def normal_email(email: str) -> str:
    return email.strip().lower()
