"""validation's configuration: the registries it asks about suppliers."""
from pydantic import Field

from jefacture.settings import PlatformSettings


class ValidationSettings(PlatformSettings):
    validation_metrics_address: str = "127.0.0.1:9155"
    sirene_url: str = Field("http://127.0.0.1:8091", pattern=r"^https?://")
    sirene_api_key: str = ""
    bodacc_url: str = Field("http://127.0.0.1:8092", pattern=r"^https?://")
