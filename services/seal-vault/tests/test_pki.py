import stat

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from jefacture.settings import ConfigurationError
from jefacture_seal_vault.adapters.pki import ensure_dev_pki
from jefacture_seal_vault.settings import SealVaultSettings


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
    contents = {path: path.read_bytes() for path in (first.key_file, first.cert_file, first.ca_file)}
    again = ensure_dev_pki(tmp_path)
    assert again == first and all(path.read_bytes() == content for path, content in contents.items())


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
