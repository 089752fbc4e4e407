"""identity's configuration."""
from jefacture.settings import PlatformSettings


class IdentitySettings(PlatformSettings):
    identity_metrics_address: str = "127.0.0.1:9151"
