"""ingest's configuration."""
from pydantic import Field

from jefacture.settings import PlatformSettings


class IngestSettings(PlatformSettings):
    max_upload_bytes: int = Field(50 * 1024 * 1024, gt=0)
    ingest_metrics_address: str = "127.0.0.1:9152"
