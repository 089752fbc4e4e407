"""Configuration read from the environment (12-factor), validated once at start-up."""
from functools import cached_property
from pathlib import Path

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConfigurationError(RuntimeError):
    """Raised at start-up when the environment does not describe a usable configuration."""


class PlatformSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    amqp_uri: str = Field("pyamqp://guest:guest@127.0.0.1:5672//", pattern=r"^(pyamqp|amqp|amqps)://")
    mongo_uri: str = Field("mongodb://127.0.0.1:27017/", pattern=r"^mongodb(\+srv)?://")
    mongo_db_prefix: str = Field("jefacture_", pattern=r"^[A-Za-z0-9_]*$")
    var_dir: Path = Path("var")
    blob_dir: Path | None = None
    log_level: str = Field("INFO", pattern=r"^(DEBUG|INFO|WARNING|ERROR)$")
    max_delivery_attempts: int = Field(5, ge=1, le=100)

    identity_grpc: str = "127.0.0.1:50051"
    ingest_grpc: str = "127.0.0.1:50052"
    reporting_grpc: str = "127.0.0.1:50053"
    seal_vault_grpc: str = "127.0.0.1:50054"
    validation_grpc: str = "127.0.0.1:50055"
    routing_grpc: str = "127.0.0.1:50056"
    # The local sink in development (mail readable at MAIL_HTTP_ADDRESS); any SMTP relay in production.
    smtp_url: str = Field("smtp://127.0.0.1:8025", pattern=r"^smtp://")
    # The gRPC servers bind this host (0.0.0.0 in a pod) instead of the host clients dial.
    grpc_listen_host: str | None = None

    def database_name(self, service: str) -> str:
        return f"{self.mongo_db_prefix}{service.replace('-', '_')}"

    @cached_property
    def blobs_path(self) -> Path:
        return self.blob_dir or self.var_dir / "blobs"


def load(settings_class: type[BaseSettings] = PlatformSettings) -> BaseSettings:
    """Read the environment into `settings_class`, or fail with one message naming every bad variable."""
    try:
        return settings_class()
    except ValidationError as error:
        problems = "; ".join(
            f"{'_'.join(str(part) for part in issue['loc']).upper()}: {issue['msg']}" for issue in error.errors()
        )
        raise ConfigurationError(f"invalid configuration: {problems}") from None
