"""Webhook signing secrets at rest: encrypted with the first of the configured Fernet keys and read with any of them
(keys rotate by putting a new one first); in clear when no key is configured (development)."""
from cryptography.fernet import Fernet, InvalidToken, MultiFernet

SEALED_PREFIX = "fernet:"


class SecretBoxError(ValueError):
    pass


class SecretBox:
    def __init__(self, keys: str = ""):
        names = [key.strip() for key in keys.split(",") if key.strip()]
        try:
            self.fernet = MultiFernet([Fernet(key) for key in names]) if names else None
        except ValueError as error:
            raise SecretBoxError(f"WEBHOOK_SECRETS_KEYS: a key is not a Fernet key ({error}); make one with "
                                 f"python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key())'")\
                from None

    @property
    def encrypts(self) -> bool:
        return self.fernet is not None

    def seal(self, secret: str) -> str:
        if not secret or self.fernet is None:
            return secret
        return SEALED_PREFIX + self.fernet.encrypt(secret.encode()).decode()

    def open(self, stored: str) -> str:
        """The secret; one stored in clear (before keys were configured) is read as it is."""
        if not stored.startswith(SEALED_PREFIX):
            return stored
        if self.fernet is None:
            raise SecretBoxError("webhook secrets are stored encrypted but WEBHOOK_SECRETS_KEYS is not set")
        try:
            return self.fernet.decrypt(stored.removeprefix(SEALED_PREFIX).encode()).decode()
        except InvalidToken:
            raise SecretBoxError("no key of WEBHOOK_SECRETS_KEYS opens a stored webhook secret: "
                                 "keep the former key after the new one while rotating") from None
