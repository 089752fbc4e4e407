"""routing's configuration: retries and leases of deliveries, webhooks, Chorus Pro and the customers' e-mail."""
from pydantic import Field

from jefacture.payment_links import DEV_SECRET, MIN_SECRET_LENGTH
from jefacture.settings import PlatformSettings

CHORUS_SETTINGS = ("chorus_api_url", "chorus_token_url", "chorus_client_id", "chorus_client_secret", "chorus_login",
                   "chorus_password")


class RoutingSettings(PlatformSettings):
    routing_metrics_address: str = "127.0.0.1:9156"
    # Retries: exponential backoff from the base, at most the cap apart, for this long; then the delivery is dead.
    delivery_backoff_base_seconds: float = Field(5, gt=0)
    delivery_backoff_cap_seconds: float = Field(3600, gt=0)
    delivery_retry_for_hours: float = Field(24, gt=0)
    # How long an attempt may take before another process treats it as interrupted (longer than any send).
    delivery_lease_seconds: float = Field(120, gt=0)
    webhook_timeout_seconds: float = Field(10, gt=0)
    # Fernet keys (comma-separated; the first encrypts, any decrypts) for the webhook secrets at rest; unset: in clear.
    webhook_secrets_keys: str = ""
    # Development only: webhooks may go to receivers on this machine (localhost); never in production.
    webhooks_to_this_machine: bool = False
    rotation_overlap_hours: int = Field(24, ge=0, le=720)
    # Chorus Pro (PISTE): without all of these, no invoice is planned for Chorus Pro.
    chorus_api_url: str | None = Field(None, pattern=r"^https?://")
    chorus_token_url: str | None = Field(None, pattern=r"^https?://")
    chorus_client_id: str | None = None
    chorus_client_secret: str | None = None
    chorus_login: str | None = None
    chorus_password: str | None = None
    # The customers' e-mail: links to the payment page.
    public_url: str = Field("http://127.0.0.1:8000", pattern=r"^https?://")
    payment_link_secret: str = Field(DEV_SECRET, min_length=MIN_SECRET_LENGTH)

    @property
    def chorus_configured(self) -> bool:
        return all(getattr(self, name) for name in CHORUS_SETTINGS)
