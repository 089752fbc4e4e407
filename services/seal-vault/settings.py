"""seal-vault's configuration: where the seal key and certificates are (production points at real files)."""
from pathlib import Path

from jefacture.settings import ConfigurationError, PlatformSettings

from .adapters.pki import SealKeyFiles, dev_key_files, ensure_dev_pki


class SealVaultSettings(PlatformSettings):
    seal_key_file: Path | None = None
    seal_cert_file: Path | None = None
    seal_ca_file: Path | None = None

    @property
    def dev_pki_dir(self) -> Path:
        return self.var_dir / "pki"

    def seal_key_files(self) -> SealKeyFiles:
        """The configured files; without SEAL_KEY_FILE, the development PKI, created on first use."""
        dev = dev_key_files(self.dev_pki_dir)
        files = SealKeyFiles(self.seal_key_file or dev.key_file, self.seal_cert_file or dev.cert_file,
                             self.seal_ca_file or dev.ca_file)
        if self.seal_key_file is None and files.missing():
            ensure_dev_pki(self.dev_pki_dir)
        if missing := files.missing():
            raise ConfigurationError(f"seal key material not found: {', '.join(map(str, missing))} "
                                     "(check SEAL_KEY_FILE, SEAL_CERT_FILE and SEAL_CA_FILE)")
        return files
