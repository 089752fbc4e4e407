"""Passwords: argon2id hashes, and a strength check that explains what is wrong."""
import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 128
MIN_SCORE = 3  # zxcvbn: 0 (guessed at once) .. 4 (very hard)

_hasher = PasswordHasher()  # argon2id, RFC 9106 low-memory profile


class WeakPassword(ValueError):
    """The password is refused; the message says why and how to do better."""


def check_strength(password: str, personal: list[str]) -> None:
    """Refuse passwords that are short, or easy to guess given the person's own name and e-mail."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"the password has {len(password)} characters; use at least {MIN_LENGTH}")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"the password has {len(password)} characters; use at most {MAX_LENGTH}")
    words = {word for text in personal for word in re.split(r"[^\w]+", text.lower()) if len(word) >= 4}
    found = sorted(word for word in words if word in password.lower())
    if found:
        raise WeakPassword(f"the password contains {found[0]!r}, part of your name or e-mail: choose another")
    verdict = zxcvbn(password, user_inputs=sorted(words))
    if verdict["score"] < MIN_SCORE:
        advice = " ".join(filter(None, [verdict["feedback"].get("warning"), *verdict["feedback"]["suggestions"]]))
        raise WeakPassword(f"the password is too easy to guess. {advice}".strip())


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when `password` matches; a user without a password never matches (the time spent is the same)."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


_DUMMY_HASH = _hasher.hash("no user has this password")
