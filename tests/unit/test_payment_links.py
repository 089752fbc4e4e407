"""Payment link tokens: what they carry comes back intact, until they expire; anything altered is refused."""
import base64
import json
from datetime import UTC, datetime, timedelta

import pytest

from jefacture.payment_links import (
    DEV_SECRET,
    PaymentClaims,
    PaymentLinkExpired,
    PaymentLinkInvalid,
    french_amount,
    french_date,
    payment_token,
    read_payment_token,
)

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
CLAIMS = PaymentClaims(document_id="doc-1", dossier_id="dossier-1", invoice_number="FA-2026-0042",
                       supplier_name="Boulangerie Martin", amount="1234.50", currency="EUR", due_date="2026-12-22",
                       iban="FR7630006000011234567890189", bic="AGRIFRPPXXX",
                       after_payment_url="https://boulangerie-martin.example/merci")


def test_the_claims_come_back_intact_with_the_expiry():
    token = payment_token(CLAIMS, DEV_SECRET, timedelta(days=30), now=NOW)

    read = read_payment_token(token, DEV_SECRET, NOW + timedelta(days=29, hours=23))

    assert read == PaymentClaims(**{**CLAIMS.__dict__, "expires_at": NOW + timedelta(days=30)})


def test_a_link_past_its_validity_is_expired_and_says_since_when():
    token = payment_token(CLAIMS, DEV_SECRET, timedelta(days=30), now=NOW)

    with pytest.raises(PaymentLinkExpired, match="expired on 22/12/2026") as expired:
        read_payment_token(token, DEV_SECRET, NOW + timedelta(days=30, seconds=1))
    assert expired.value.expired_at == NOW + timedelta(days=30)


def _forged(token: str, **changes) -> str:
    """The token with its claims changed and the original signature kept."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    forged = base64.urlsafe_b64encode(json.dumps({**claims, **changes}).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


@pytest.mark.parametrize("alter", [
    lambda token: _forged(token, amount="1.00"),
    lambda token: _forged(token, exp=int((NOW + timedelta(days=3650)).timestamp())),
    lambda token: token[:-4],
    lambda token: "not-a-token",
    lambda token: "",
    lambda token: payment_token(CLAIMS, "another-secret-of-at-least-32-characters", timedelta(days=30), now=NOW),
])
def test_an_altered_or_foreign_token_is_invalid(alter):
    token = payment_token(CLAIMS, DEV_SECRET, timedelta(days=30), now=NOW)

    with pytest.raises(PaymentLinkInvalid, match="this payment link is not valid"):
        read_payment_token(alter(token), DEV_SECRET, NOW)


def test_an_altered_expired_token_is_invalid_not_expired():
    token = payment_token(CLAIMS, DEV_SECRET, timedelta(days=1), now=NOW)

    with pytest.raises(PaymentLinkInvalid):
        read_payment_token(_forged(token, amount="1.00"), DEV_SECRET, NOW + timedelta(days=5))


def test_a_short_secret_is_refused():
    with pytest.raises(ValueError, match="needs 32"):
        payment_token(CLAIMS, "short", timedelta(days=1), now=NOW)


def test_amounts_and_dates_are_written_the_french_way():
    assert french_amount("1234.5", "EUR") == "1\u202f234,50\u00a0€"
    assert french_amount("99", "usd") == "99,00\u00a0USD"
    assert french_amount("", "EUR") == ""
    assert (french_date("2026-12-22"), french_date(""), french_date("fin du mois")) == ("22/12/2026", "",
                                                                                          "fin du mois")
