"""Payment links: a signed, expiring token (an HS256 JWT) carrying everything the payment page shows, so that the
page needs no lookup. Routing puts the link in a sales invoice's e-mail to the customer; the gateway's
`GET /pay/{token}` page reads it back. The token is signed, not encrypted: it holds nothing the customer's copy of
the invoice does not already show (amount, due date, the supplier's IBAN/BIC).

Both sides read the secret from the setting PAYMENT_LINK_SECRET (at least 32 characters; DEV_SECRET by default)."""
from dataclasses import asdict, dataclass, fields
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from joserfc import jwt
from joserfc.errors import ExpiredTokenError, JoseError
from joserfc.jwk import OctKey

ALGORITHM = "HS256"
AUDIENCE = "jefacture-payment-page"
PAY_PATH = "/pay"
THANKS_PATH = "/pay/thanks"
DEV_SECRET = "dev-payment-link-secret-not-for-production"
MIN_SECRET_LENGTH = 32
CURRENCY_SIGNS = {"EUR": "€"}


class PaymentLinkInvalid(ValueError):
    """Not a payment link signed with the platform's secret (altered, truncated, or made up)."""


class PaymentLinkExpired(ValueError):
    """A genuine payment link past its validity."""

    def __init__(self, expired_at: datetime):
        super().__init__(f"this payment link expired on {expired_at:%d/%m/%Y}")
        self.expired_at = expired_at


@dataclass(frozen=True)
class PaymentClaims:
    """What the payment page shows; amounts are decimal strings and dates ISO 8601, empty when unknown."""
    document_id: str
    dossier_id: str
    invoice_number: str
    supplier_name: str
    amount: str  # total including tax
    currency: str
    due_date: str = ""
    iban: str = ""
    bic: str = ""
    after_payment_url: str = ""  # empty: the platform's thank-you page
    expires_at: datetime | None = None  # set by read_payment_token


CLAIM_NAMES = tuple(f.name for f in fields(PaymentClaims) if f.name != "expires_at")


def _key(secret: str) -> OctKey:
    if len(secret) < MIN_SECRET_LENGTH:
        raise ValueError(f"the payment link secret has {len(secret)} characters; it needs {MIN_SECRET_LENGTH}")
    return OctKey.import_key(secret.encode())


def payment_token(claims: PaymentClaims, secret: str, valid_for: timedelta, now: datetime | None = None) -> str:
    """The token of a link that works for `valid_for` from `now` (the current time by default)."""
    issued = now or datetime.now(UTC)
    payload = {name: value for name, value in asdict(claims).items() if name in CLAIM_NAMES}
    payload.update(aud=AUDIENCE, iat=int(issued.timestamp()), exp=int((issued + valid_for).timestamp()))
    return jwt.encode({"alg": ALGORITHM}, payload, _key(secret), algorithms=[ALGORITHM])


def read_payment_token(token: str, secret: str, now: datetime) -> PaymentClaims:
    """The claims of a genuine, unexpired token; PaymentLinkInvalid or PaymentLinkExpired otherwise. The signature
    is checked first: an altered token is invalid whatever its expiry says."""
    try:
        payload = jwt.decode(token, _key(secret), algorithms=[ALGORITHM]).claims
    except (JoseError, ValueError) as error:
        raise PaymentLinkInvalid(f"this payment link is not valid ({type(error).__name__})") from None
    registry = jwt.JWTClaimsRegistry(now=int(now.timestamp()), exp={"essential": True},
                                     aud={"essential": True, "value": AUDIENCE})
    try:
        registry.validate(payload)
    except ExpiredTokenError:
        raise PaymentLinkExpired(_moment(payload["exp"])) from None
    except JoseError as error:
        raise PaymentLinkInvalid(f"this payment link is not valid ({error.description})") from None
    if not all(isinstance(payload.get(name), str) for name in CLAIM_NAMES):
        raise PaymentLinkInvalid("this payment link is not valid (claims missing)")
    return PaymentClaims(**{name: payload[name] for name in CLAIM_NAMES}, expires_at=_moment(payload["exp"]))


def _moment(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def french_amount(amount: str, currency: str) -> str:
    """'1234.5', 'EUR' → '1 234,50 €' (narrow no-break space between thousands); other currencies by their code;
    "" when the amount is unknown."""
    if not amount.strip():
        return ""
    sign = CURRENCY_SIGNS.get(currency.upper(), currency.upper())
    try:
        number = Decimal(amount)
    except InvalidOperation:
        return f"{amount} {sign}".strip()
    digits = f"{number:,.2f}".replace(",", "\u202f").replace(".", ",")
    return f"{digits}\u00a0{sign}" if sign else digits


def french_date(iso: str) -> str:
    """'2026-12-15' → '15/12/2026'; anything else as given."""
    try:
        return f"{date.fromisoformat(iso):%d/%m/%Y}"
    except ValueError:
        return iso
