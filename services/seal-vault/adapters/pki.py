"""The development PKI: a private root CA, the seal and TSA certificates it issues and its CRL, as files under var/."""
import datetime
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ORGANIZATION = "jefacture dev"
CA_VALIDITY = datetime.timedelta(days=10 * 365)
SEAL_VALIDITY = datetime.timedelta(days=3 * 365)
CRL_VALIDITY = datetime.timedelta(days=7)
CRL_REFRESH_BEFORE = datetime.timedelta(days=1)
CLOCK_SKEW = datetime.timedelta(minutes=5)
# Where the local TSA simulator serves the CRL when it runs on its default port (TSA_URL).
DEFAULT_CRL_URL = "http://127.0.0.1:8098/crl/ca.crl"


@dataclass(frozen=True)
class SealKeyFiles:
    key_file: Path
    cert_file: Path
    ca_file: Path

    def missing(self) -> list[Path]:
        return [path for path in (self.key_file, self.cert_file, self.ca_file) if not path.exists()]


@dataclass(frozen=True)
class TsaKeyFiles:
    key_file: Path
    cert_file: Path
    ca_file: Path


def dev_key_files(directory: Path) -> SealKeyFiles:
    directory = Path(directory)
    return SealKeyFiles(directory / "seal.key.pem", directory / "seal.cert.pem", directory / "ca.cert.pem")


def dev_tsa_files(directory: Path) -> TsaKeyFiles:
    directory = Path(directory)
    return TsaKeyFiles(directory / "tsa.key.pem", directory / "tsa.cert.pem", directory / "ca.cert.pem")


def _ca_key_file(directory: Path) -> Path:
    return Path(directory) / "ca.key.pem"


def crl_file(directory: Path) -> Path:
    return Path(directory) / "ca.crl"


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANIZATION),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _key_usage(*, digital_signature=False, content_commitment=False, key_cert_sign=False, crl_sign=False):
    return x509.KeyUsage(digital_signature=digital_signature, content_commitment=content_commitment,
                         key_encipherment=False, data_encipherment=False, key_agreement=False,
                         key_cert_sign=key_cert_sign, crl_sign=crl_sign, encipher_only=False, decipher_only=False)


def _crl_distribution_point(url: str) -> x509.CRLDistributionPoints:
    return x509.CRLDistributionPoints([x509.DistributionPoint(
        full_name=[x509.UniformResourceIdentifier(url)], relative_name=None, reasons=None, crl_issuer=None)])


def _certificate(subject: x509.Name, public_key, issuer: x509.Name, issuer_key, validity: datetime.timedelta,
                 is_ca: bool, key_usage: x509.KeyUsage,
                 extra: tuple[tuple[x509.ExtensionType, bool], ...] = ()) -> x509.Certificate:
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
    for extension, critical in extra:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(issuer_key, hashes.SHA256())


def _write(path: Path, content: bytes, mode: int) -> None:
    """Atomically, so that a process starting at the same moment never reads half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)
    os.chmod(temporary, mode)
    os.replace(temporary, path)


def _pem_key(key) -> bytes:
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


def _has_crl_distribution_point(cert_file: Path) -> bool:
    try:
        x509.load_pem_x509_certificate(cert_file.read_bytes()).extensions.get_extension_for_class(
            x509.CRLDistributionPoints)
    except x509.ExtensionNotFound:
        return False
    return True


def _needs_issuing(key_file: Path, cert_file: Path, ca_created: bool) -> bool:
    """A certificate issued before the CA published a CRL is issued again, once, so its revocation can be checked."""
    return ca_created or not (key_file.exists() and cert_file.exists()) or not _has_crl_distribution_point(cert_file)


def _issue(key, common_name: str, key_file: Path, cert_file: Path, ca_cert, ca_key, key_usage: x509.KeyUsage,
           extra: tuple[tuple[x509.ExtensionType, bool], ...]) -> None:
    cert = _certificate(_name(common_name), key.public_key(), ca_cert.subject, ca_key, SEAL_VALIDITY, is_ca=False,
                        key_usage=key_usage, extra=extra)
    _write(key_file, _pem_key(key), 0o600)
    _write(cert_file, cert.public_bytes(serialization.Encoding.PEM), 0o644)


def ensure_dev_pki(directory: Path, crl_url: str = DEFAULT_CRL_URL) -> SealKeyFiles:
    """Create the development root CA, the seal and TSA certificates and the CRL under `directory`, keeping
    whatever already exists. `crl_url` is where the certificates say the CA's CRL is published (the TSA simulator).

    The CA key is kept next to its certificate (ca.key.pem) so that the CRL can be refreshed and more development
    certificates issued.
    """
    files, tsa = dev_key_files(directory), dev_tsa_files(directory)
    ca_key_file = _ca_key_file(directory)
    ca_created = not (files.ca_file.exists() and ca_key_file.exists())
    ca_cert, ca_key = (_create_ca if ca_created else _load_ca)(files.ca_file, ca_key_file)
    published = (_crl_distribution_point(crl_url), False)
    if _needs_issuing(files.key_file, files.cert_file, ca_created):
        _issue(ec.generate_private_key(ec.SECP256R1()), "jefacture seal (development)", files.key_file,
               files.cert_file, ca_cert, ca_key, _key_usage(digital_signature=True, content_commitment=True),
               extra=(published,))
    if _needs_issuing(tsa.key_file, tsa.cert_file, ca_created):
        _issue(ec.generate_private_key(ec.SECP256R1()), "jefacture TSA (development)",
               tsa.key_file, tsa.cert_file, ca_cert, ca_key, _key_usage(digital_signature=True),
               extra=((x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), True), published))
    ensure_crl(directory, force=ca_created)
    return files


def _crl_needs_issuing(path: Path, now: datetime.datetime) -> tuple[bool, int]:
    if not path.exists():
        return True, 1
    crl = x509.load_der_x509_crl(path.read_bytes())
    number = crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    return crl.next_update_utc - CRL_REFRESH_BEFORE <= now, number + 1


def ensure_crl(directory: Path, force: bool = False) -> bytes:
    """The CA's CRL (DER, nothing revoked), issued again when it is about to expire."""
    path = crl_file(directory)
    now = datetime.datetime.now(datetime.timezone.utc)
    stale, number = _crl_needs_issuing(path, now)
    if not (stale or force):
        return path.read_bytes()
    ca_cert, ca_key = _load_ca(dev_key_files(directory).ca_file, _ca_key_file(directory))
    crl = (x509.CertificateRevocationListBuilder()
           .issuer_name(ca_cert.subject)
           .last_update(now - CLOCK_SKEW).next_update(now + CRL_VALIDITY)
           .add_extension(x509.CRLNumber(number), critical=False)
           .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
           .sign(ca_key, hashes.SHA256()))
    content = crl.public_bytes(serialization.Encoding.DER)
    _write(path, content, 0o644)
    return content
