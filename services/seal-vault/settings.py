"""seal-vault's configuration: the seal key (files or a PKCS#11 token), the timestamp authority, the trust anchors.
Production points at an HSM, a qualified certificate and a qualified TSA by these settings only."""
from pathlib import Path

from pydantic import Field, SecretStr

from jefacture.settings import ConfigurationError, PlatformSettings

from .adapters.keys import Pkcs11Key
from .adapters.pki import SealKeyFiles, dev_key_files, ensure_dev_pki
from .domain.retention import RetentionPolicy

MIB = 1024 * 1024


class SealVaultSettings(PlatformSettings):
    seal_key_file: Path | None = None
    seal_cert_file: Path | None = None
    seal_ca_file: Path | None = None
    seal_pkcs11_module: Path | None = None
    seal_pkcs11_token_label: str | None = None
    seal_pkcs11_key_label: str | None = None
    seal_pkcs11_pin: SecretStr | None = None
    tsa_url: str = Field("http://127.0.0.1:8098/", pattern=r"^https?://")
    # The TSA's trust anchor when it is not the seal's CA (a qualified TSA).
    tsa_ca_file: Path | None = None
    # Larger PDFs get a detached CAdES-T seal: pyHanko would hold the whole file in memory to add a PAdES one.
    seal_pades_max_mib: int = Field(64, ge=1)
    seal_vault_metrics_address: str = "127.0.0.1:9154"
    retention_years: int = Field(10, ge=1)
    # JSON, e.g. RETENTION_YEARS_BY_TYPE='{"contract": 5}'; a type not listed keeps RETENTION_YEARS.
    retention_years_by_type: dict[str, int] = Field(default_factory=dict)

    def retention_policy(self) -> RetentionPolicy:
        return RetentionPolicy(self.retention_years, self.retention_years_by_type)

    @property
    def dev_pki_dir(self) -> Path:
        return self.var_dir / "pki"

    @property
    def dev_crl_url(self) -> str:
        """Where the local TSA simulator at TSA_URL serves the development CA's CRL."""
        return self.tsa_url.rstrip("/") + "/crl/ca.crl"

    @property
    def uses_dev_pki(self) -> bool:
        return self.seal_key_file is None and self.seal_pkcs11_module is None

    def ensure_dev_pki(self) -> SealKeyFiles:
        return ensure_dev_pki(self.dev_pki_dir, crl_url=self.dev_crl_url)

    def seal_key_files(self) -> SealKeyFiles:
        """The configured files; without SEAL_KEY_FILE, the development PKI, created on first use."""
        dev = dev_key_files(self.dev_pki_dir)
        files = SealKeyFiles(self.seal_key_file or dev.key_file, self.seal_cert_file or dev.cert_file,
                             self.seal_ca_file or dev.ca_file)
        if self.seal_key_file is None and files.missing():
            self.ensure_dev_pki()
        if missing := files.missing():
            raise ConfigurationError(f"seal key material not found: {', '.join(map(str, missing))} "
                                     "(check SEAL_KEY_FILE, SEAL_CERT_FILE and SEAL_CA_FILE)")
        return files

    def pkcs11_key(self) -> Pkcs11Key:
        required = {"SEAL_PKCS11_TOKEN_LABEL": self.seal_pkcs11_token_label,
                    "SEAL_PKCS11_KEY_LABEL": self.seal_pkcs11_key_label, "SEAL_CA_FILE": self.seal_ca_file}
        if unset := [name for name, value in required.items() if not value]:
            raise ConfigurationError(f"SEAL_PKCS11_MODULE is set, so {', '.join(unset)} must be set too")
        files = [self.seal_pkcs11_module, self.seal_ca_file] + ([self.seal_cert_file] if self.seal_cert_file else [])
        if missing := [path for path in files if not path.exists()]:
            raise ConfigurationError(f"seal key material not found: {', '.join(map(str, missing))} "
                                     "(check SEAL_PKCS11_MODULE, SEAL_CA_FILE and SEAL_CERT_FILE)")
        return Pkcs11Key(self.seal_pkcs11_module, self.seal_pkcs11_token_label, self.seal_pkcs11_key_label,
                         self.seal_pkcs11_pin.get_secret_value() if self.seal_pkcs11_pin else None,
                         cert_file=self.seal_cert_file, ca_file=self.seal_ca_file)

    def seal_key(self) -> SealKeyFiles | Pkcs11Key:
        return self.pkcs11_key() if self.seal_pkcs11_module else self.seal_key_files()

    def trust_anchor_files(self) -> list[Path]:
        """What the seal and its timestamps are validated against (archive copies embed their revocation data)."""
        seal_ca = self.seal_ca_file or dev_key_files(self.dev_pki_dir).ca_file
        return [seal_ca] + ([self.tsa_ca_file] if self.tsa_ca_file else [])

    @property
    def seal_pades_max_bytes(self) -> int:
        return self.seal_pades_max_mib * MIB
