"""How jefacture signs its webhooks, so that receivers (firms, the demo sink) can check them.

Header `Jefacture-Signature: t=<unix time>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>`, with one `v1` per active
secret: during a secret rotation both the new and the previous secret sign, so that a receiver holding either one
accepts the delivery. A receiver checks with `verify(its secrets, header, body)`.
"""
import hashlib
import hmac
import time
from collections.abc import Sequence

SIGNATURE_HEADER = "Jefacture-Signature"
DELIVERY_HEADER = "Jefacture-Delivery"
EVENT_HEADER = "Jefacture-Event"
# How old a signed timestamp may be when it arrives: older ones are refused as possible replays.
DEFAULT_TOLERANCE_SECONDS = 300


def _as_list(secrets: str | Sequence[str]) -> list[str]:
    return [secrets] if isinstance(secrets, str) else list(secrets)


def _digest(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign(secrets: str | Sequence[str], timestamp: int, body: bytes) -> str:
    """The header value: the timestamp, then one v1 signature per secret (the current one first)."""
    signatures = [f"v1={_digest(secret, timestamp, body)}" for secret in _as_list(secrets) if secret]
    if not signatures:
        raise ValueError("signing a webhook needs at least one non-empty secret")
    return ",".join([f"t={timestamp}", *signatures])


def parse(header: str) -> tuple[int | None, list[str]]:
    """The timestamp (None when absent or not a number) and every v1 signature of a header."""
    timestamp, signatures = None, []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1" and value:
            signatures.append(value)
    return timestamp, signatures


def verify(secrets: str | Sequence[str], header: str, body: bytes,
           tolerance: float = DEFAULT_TOLERANCE_SECONDS, now: float | None = None) -> bool:
    """True when one of `secrets` made one of the header's signatures of `body`, signed at most `tolerance`
    seconds from now (either way). Compare the raw body bytes, before any JSON parsing."""
    timestamp, signatures = parse(header)
    if timestamp is None or not signatures:
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = [_digest(secret, timestamp, body) for secret in _as_list(secrets) if secret]
    return any(hmac.compare_digest(mine, theirs) for mine in expected for theirs in signatures)
