"""gateway's configuration; the backends' gRPC addresses come from PlatformSettings."""
from pydantic import Field

from jefacture import payment_links
from jefacture.settings import PlatformSettings


class GatewaySettings(PlatformSettings):
    max_upload_bytes: int = Field(50 * 1024 * 1024, gt=0)
    backend_timeout_seconds: float = Field(10, gt=0)
    upload_timeout_seconds: float = Field(120, gt=0)
    # Verifies the payment links of customer e-mails; the same value as routing's PAYMENT_LINK_SECRET.
    payment_link_secret: str = Field(payment_links.DEV_SECRET, min_length=payment_links.MIN_SECRET_LENGTH)
