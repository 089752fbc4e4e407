import datetime
import stat

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from jefacture.settings import ConfigurationError
from jefacture_seal_vault.adapters.pki import crl_file, dev_tsa_files, ensure_crl, ensure_dev_pki
from jefacture_seal_vault.settings import SealVaultSettings

NOW = datetime.datetime.now(datetime.timezone.utc)


def load_cert(path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def ca_of(directory):
    return load_cert(directory / "ca.cert.pem"), serialization.load_pem_private_key(
        (directory / "ca.key.pem").read_bytes(), password=None)


def crl_distribution_points(cert: x509.Certificate) -> list[str]:
    points = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    return [uri.value for point in points for uri in point.full_name]


def test_the_dev_pki_issues_a_seal_certificate_from_its_own_root_ca(tmp_path):
    files = ensure_dev_pki(tmp_path / "pki")

    ca = x509.load_pem_x509_certificate(files.ca_file.read_bytes())
    seal = x509.load_pem_x509_certificate(files.cert_file.read_bytes())
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert ca.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign
    seal.verify_directly_issued_by(ca)
    usage = seal.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    assert seal.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "jefacture seal (development)"
    assert seal.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "jefacture dev"
    assert stat.S_IMODE(files.key_file.stat().st_mode) == 0o600


def test_the_dev_pki_is_created_once_and_then_kept(tmp_path):
    first = ensure_dev_pki(tmp_path)
    tsa = dev_tsa_files(tmp_path)
    kept = (first.key_file, first.cert_file, first.ca_file, tsa.key_file, tsa.cert_file, crl_file(tmp_path))
    contents = {path: path.read_bytes() for path in kept}
    again = ensure_dev_pki(tmp_path)
    assert again == first and all(path.read_bytes() == content for path, content in contents.items())


def test_the_dev_ca_issues_a_timestamping_certificate_for_the_tsa(tmp_path):
    ensure_dev_pki(tmp_path, crl_url="http://127.0.0.1:18098/crl/ca.crl")
    tsa = load_cert(dev_tsa_files(tmp_path).cert_file)

    tsa.verify_directly_issued_by(load_cert(tmp_path / "ca.cert.pem"))
    usage = tsa.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert usage.critical and list(usage.value) == [ExtendedKeyUsageOID.TIME_STAMPING]
    key_usage = tsa.extensions.get_extension_for_class(x509.KeyUsage).value
    assert key_usage.digital_signature and not key_usage.key_cert_sign
    assert crl_distribution_points(tsa) == ["http://127.0.0.1:18098/crl/ca.crl"]
    assert crl_distribution_points(load_cert(tmp_path / "seal.cert.pem")) == ["http://127.0.0.1:18098/crl/ca.crl"]
    assert stat.S_IMODE(dev_tsa_files(tmp_path).key_file.stat().st_mode) == 0o600


def test_the_dev_ca_publishes_an_empty_crl_that_it_signed(tmp_path):
    ensure_dev_pki(tmp_path)
    crl = x509.load_der_x509_crl(crl_file(tmp_path).read_bytes())
    ca, _ = ca_of(tmp_path)

    assert crl.is_signature_valid(ca.public_key()) and crl.issuer == ca.subject and len(crl) == 0
    now = datetime.datetime.now(datetime.timezone.utc)  # not NOW: the module may be imported minutes earlier
    assert crl.last_update_utc <= now < crl.next_update_utc


def test_an_expired_crl_is_issued_again_with_the_next_number(tmp_path):
    ensure_dev_pki(tmp_path)
    ca, ca_key = ca_of(tmp_path)
    expired = (x509.CertificateRevocationListBuilder().issuer_name(ca.subject)
               .last_update(NOW - datetime.timedelta(days=8)).next_update(NOW - datetime.timedelta(days=1))
               .add_extension(x509.CRLNumber(41), critical=False).sign(ca_key, hashes.SHA256()))
    crl_file(tmp_path).write_bytes(expired.public_bytes(serialization.Encoding.DER))

    fresh = x509.load_der_x509_crl(ensure_crl(tmp_path))

    assert fresh.next_update_utc > NOW and fresh.is_signature_valid(ca.public_key())
    assert fresh.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number == 42
    assert crl_file(tmp_path).read_bytes() == ensure_crl(tmp_path)


def test_a_seal_certificate_issued_before_the_crl_existed_is_issued_again_once(tmp_path):
    files = ensure_dev_pki(tmp_path)
    ca, ca_key = ca_of(tmp_path)
    old_key = serialization.load_pem_private_key(files.key_file.read_bytes(), password=None)
    old = (x509.CertificateBuilder().subject_name(load_cert(files.cert_file).subject).issuer_name(ca.subject)
           .public_key(old_key.public_key()).serial_number(x509.random_serial_number())
           .not_valid_before(NOW).not_valid_after(NOW + datetime.timedelta(days=30)).sign(ca_key, hashes.SHA256()))
    files.cert_file.write_bytes(old.public_bytes(serialization.Encoding.PEM))

    ensure_dev_pki(tmp_path)
    reissued = files.cert_file.read_bytes()
    ensure_dev_pki(tmp_path)

    cert = load_cert(files.cert_file)
    cert.verify_directly_issued_by(ca)
    assert crl_distribution_points(cert) and files.cert_file.read_bytes() == reissued


def test_a_missing_seal_certificate_is_reissued_by_the_existing_ca(tmp_path):
    files = ensure_dev_pki(tmp_path)
    ca = files.ca_file.read_bytes()
    files.cert_file.unlink()
    ensure_dev_pki(tmp_path)
    assert files.ca_file.read_bytes() == ca
    x509.load_pem_x509_certificate(files.cert_file.read_bytes()).verify_directly_issued_by(
        x509.load_pem_x509_certificate(ca))


def test_without_configured_key_files_the_service_uses_the_dev_pki_under_var(tmp_path):
    files = SealVaultSettings(var_dir=tmp_path).seal_key_files()
    assert files.key_file == tmp_path / "pki" / "seal.key.pem" and not files.missing()


def test_a_configured_key_file_that_does_not_exist_fails_start_up_and_creates_nothing(tmp_path):
    settings = SealVaultSettings(var_dir=tmp_path, seal_key_file=tmp_path / "hsm-export.pem")
    with pytest.raises(ConfigurationError, match="hsm-export.pem"):
        settings.seal_key_files()
    assert not (tmp_path / "pki").exists()


def test_the_dev_crl_is_published_where_tsa_url_serves_it(tmp_path):
    settings = SealVaultSettings(var_dir=tmp_path, tsa_url="http://127.0.0.1:18098/")
    settings.seal_key_files()
    assert crl_distribution_points(load_cert(tmp_path / "pki" / "seal.cert.pem")) == [
        "http://127.0.0.1:18098/crl/ca.crl"]


def test_a_pkcs11_module_without_token_and_key_labels_fails_start_up_naming_what_is_missing(tmp_path):
    module = tmp_path / "libhsm.so"
    module.write_bytes(b"")
    settings = SealVaultSettings(var_dir=tmp_path, seal_pkcs11_module=module)
    with pytest.raises(ConfigurationError, match="SEAL_PKCS11_TOKEN_LABEL, SEAL_PKCS11_KEY_LABEL, SEAL_CA_FILE"):
        settings.seal_key()


def test_a_pkcs11_module_that_does_not_exist_fails_start_up(tmp_path):
    (tmp_path / "ca.pem").write_bytes(b"")
    settings = SealVaultSettings(var_dir=tmp_path, seal_pkcs11_module=tmp_path / "missing.so",
                                 seal_pkcs11_token_label="seal", seal_pkcs11_key_label="seal",
                                 seal_ca_file=tmp_path / "ca.pem")
    with pytest.raises(ConfigurationError, match="missing.so"):
        settings.seal_key()
    assert not (tmp_path / "pki").exists()


def test_a_qualified_tsa_is_trusted_through_its_own_ca_file(tmp_path):
    settings = SealVaultSettings(var_dir=tmp_path, seal_ca_file=tmp_path / "qualified-ca.pem",
                                 tsa_ca_file=tmp_path / "tsa-ca.pem")
    assert settings.trust_anchor_files() == [tmp_path / "qualified-ca.pem", tmp_path / "tsa-ca.pem"]
