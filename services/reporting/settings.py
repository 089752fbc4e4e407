"""reporting's configuration."""
from jefacture.settings import PlatformSettings


class ReportingSettings(PlatformSettings):
    reporting_metrics_address: str = "127.0.0.1:9153"
