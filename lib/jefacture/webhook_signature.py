"""How jefacture signs its webhooks, so that firms (and the demo sink) can check them.

Header `Jefacture-Signature: t=<unix time>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>`.
"""
import hashlib
import hmac

SIGNATURE_HEADER = "Jefacture-Signature"
DELIVERY_HEADER = "Jefacture-Delivery"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def signature_matches(secret: str, header: str, body: bytes) -> bool:
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    if "t" not in parts or "v1" not in parts or not parts["t"].isdigit():
        return False
    return hmac.compare_digest(sign(secret, int(parts["t"]), body), header)
