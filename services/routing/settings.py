"""routing's configuration: the firm's webhook, and how long a failing delivery is retried."""
from pydantic import Field, model_validator

from jefacture.settings import PlatformSettings


class RoutingSettings(PlatformSettings):
    firm_webhook_url: str | None = Field(None, pattern=r"^https?://")
    firm_webhook_secret: str = ""
    webhook_timeout_seconds: float = Field(10, gt=0)
    webhook_backoff_base_seconds: float = Field(5, gt=0)
    webhook_retry_for_hours: float = Field(24, gt=0)

    @model_validator(mode="after")
    def secret_goes_with_url(self):
        if self.firm_webhook_url and len(self.firm_webhook_secret) < 16:
            raise ValueError("FIRM_WEBHOOK_SECRET of at least 16 characters is required with FIRM_WEBHOOK_URL")
        return self
