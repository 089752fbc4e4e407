"""identity's configuration."""
from pathlib import Path

from pydantic import Field

from jefacture.settings import PlatformSettings


class IdentitySettings(PlatformSettings):
    identity_metrics_address: str = "127.0.0.1:9151"
    # Where people open the links sent by e-mail, and where the OpenID provider sends firm staff back.
    public_url: str = Field("http://127.0.0.1:8000", pattern=r"^https?://")
    oidc_issuer: str = Field("http://127.0.0.1:8093", pattern=r"^https?://")
    oidc_client_id: str = "jefacture-gateway"
    oidc_client_secret: str = ""
    oidc_cabinets_claim: str = "cabinets"
    sirene_url: str = Field("http://127.0.0.1:8091", pattern=r"^https?://")
    sirene_api_key: str = ""
    terms_version: str = "2026-09"
    # The access-token signing key (PEM, P-256); created under VAR_DIR on first start when absent.
    token_key_file: Path | None = None
    access_token_seconds: int = Field(600, ge=30, le=3600)
    refresh_token_days: int = Field(30, ge=1, le=365)

    @property
    def token_key_path(self) -> Path:
        return self.token_key_file or self.var_dir / "identity" / "token-key.pem"
