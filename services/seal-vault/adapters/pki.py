"""The development PKI: a private root CA and the seal certificate it issues, written as PEM files once."""
import datetime
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

ORGANIZATION = "jefacture dev"
CA_VALIDITY = datetime.timedelta(days=10 * 365)
SEAL_VALIDITY = datetime.timedelta(days=3 * 365)
CLOCK_SKEW = datetime.timedelta(minutes=5)


@dataclass(frozen=True)
class SealKeyFiles:
    key_file: Path
    cert_file: Path
    ca_file: Path

    def missing(self) -> list[Path]:
        return [path for path in (self.key_file, self.cert_file, self.ca_file) if not path.exists()]


def dev_key_files(directory: Path) -> SealKeyFiles:
    directory = Path(directory)
    return SealKeyFiles(directory / "seal.key.pem", directory / "seal.cert.pem", directory / "ca.cert.pem")


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANIZATION),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _key_usage(*, digital_signature=False, content_commitment=False, key_cert_sign=False, crl_sign=False):
    return x509.KeyUsage(digital_signature=digital_signature, content_commitment=content_commitment,
                         key_encipherment=False, data_encipherment=False, key_agreement=False,
                         key_cert_sign=key_cert_sign, crl_sign=crl_sign, encipher_only=False, decipher_only=False)


def _certificate(subject: x509.Name, public_key, issuer: x509.Name, issuer_key, validity: datetime.timedelta,
                 is_ca: bool, key_usage: x509.KeyUsage) -> x509.Certificate:
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder()
               .subject_name(subject).issuer_name(issuer).public_key(public_key)
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - CLOCK_SKEW).not_valid_after(now + validity)
               .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
               .add_extension(key_usage, critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                              critical=False))
    return builder.sign(issuer_key, hashes.SHA256())


def _write(path: Path, content: bytes, mode: int) -> None:
    """Atomically, so that a process starting at the same moment never reads half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)
    os.chmod(temporary, mode)
    os.replace(temporary, path)


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _load_ca(cert_file: Path, key_file: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    return (x509.load_pem_x509_certificate(cert_file.read_bytes()),
            serialization.load_pem_private_key(key_file.read_bytes(), password=None))


def _create_ca(cert_file: Path, key_file: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name("jefacture development root CA")
    cert = _certificate(name, key.public_key(), name, key, CA_VALIDITY, is_ca=True,
                        key_usage=_key_usage(key_cert_sign=True, crl_sign=True))
    _write(key_file, _pem_key(key), 0o600)
    _write(cert_file, cert.public_bytes(serialization.Encoding.PEM), 0o644)
    return cert, key


def ensure_dev_pki(directory: Path) -> SealKeyFiles:
    """Create the development root CA and seal certificate under `directory`, keeping whatever already exists.

    The CA key is kept next to its certificate (ca.key.pem) so that more development certificates can be issued.
    """
    files = dev_key_files(directory)
    ca_key_file = files.ca_file.with_name("ca.key.pem")
    ca_created = not (files.ca_file.exists() and ca_key_file.exists())
    ca_cert, ca_key = (_create_ca if ca_created else _load_ca)(files.ca_file, ca_key_file)
    if ca_created or not (files.key_file.exists() and files.cert_file.exists()):
        key = ec.generate_private_key(ec.SECP256R1())
        cert = _certificate(_name("jefacture seal (development)"), key.public_key(), ca_cert.subject, ca_key,
                            SEAL_VALIDITY, is_ca=False,
                            key_usage=_key_usage(digital_signature=True, content_commitment=True))
        _write(files.key_file, _pem_key(key), 0o600)
        _write(files.cert_file, cert.public_bytes(serialization.Encoding.PEM), 0o644)
    return files
