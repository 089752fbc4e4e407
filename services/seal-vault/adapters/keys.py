"""The seal's signing key, loaded once: PEM files (the development PKI) or a PKCS#11 token (SoftHSM2, an HSM)."""
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import x509
from pyhanko.keys import load_cert_from_pemder, load_certs_from_pemder
from pyhanko.sign import signers

from .pki import SealKeyFiles


@dataclass(frozen=True)
class Pkcs11Key:
    module: Path
    token_label: str
    key_label: str
    pin: str | None
    cert_file: Path | None = None  # when the certificate is not stored on the token under the key's label
    ca_file: Path | None = None


def load_certificates(files: Iterable[Path | None]) -> list[x509.Certificate]:
    return [cert for path in files if path for cert in load_certs_from_pemder([str(path)])]


def file_signer(files: SealKeyFiles) -> signers.Signer:
    signer = signers.SimpleSigner.load(str(files.key_file), str(files.cert_file), ca_chain_files=[str(files.ca_file)])
    if signer is None:
        raise ValueError(f"cannot load the seal key {files.key_file} with its certificate {files.cert_file}")
    return signer


def pkcs11_signer(key: Pkcs11Key) -> signers.Signer:
    """A signer on a session opened now and kept for the life of the process, logged in with the PIN."""
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

    session = open_pkcs11_session(str(key.module), token_criteria=TokenCriteria(label=key.token_label),
                                  user_pin=key.pin)
    # The digest is computed here and only signed on the token (raw ECDSA or RSA PKCS#1 v1.5): SoftHSM2, like many
    # HSMs, offers ECDSA but not ECDSA-with-SHA256.
    return PKCS11Signer(session, key_label=key.key_label, cert_label=key.key_label,
                        signing_cert=load_cert_from_pemder(str(key.cert_file)) if key.cert_file else None,
                        ca_chain=load_certificates([key.ca_file]), use_raw_mechanism=True)
