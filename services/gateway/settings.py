"""gateway's configuration; the backends' gRPC addresses come from PlatformSettings."""
from pydantic import Field

from jefacture.settings import PlatformSettings


class GatewaySettings(PlatformSettings):
    max_upload_bytes: int = Field(50 * 1024 * 1024, gt=0)
    backend_timeout_seconds: float = Field(10, gt=0)
    upload_timeout_seconds: float = Field(120, gt=0)
