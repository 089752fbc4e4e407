"""The seal key on a PKCS#11 token: SoftHSM2 from Debian, provisioned with its own tools and OpenSC's pkcs11-tool."""
import subprocess
from pathlib import Path

import pkcs11
import pytest
from pyhanko.keys import load_cert_from_pemder

from jefacture.samples import invoice_pdf, sample_invoices
from jefacture_seal_vault.adapters.cades import verify_detached
from jefacture_seal_vault.adapters.pades import validate_seal
from jefacture_seal_vault.adapters.sealing import Sealing
from jefacture_seal_vault.domain.seal import CADES_T_DETACHED, PADES_B_T
from jefacture_seal_vault.settings import SealVaultSettings

SOFTHSM_MODULES = [Path("/usr/lib/softhsm/libsofthsm2.so"), Path("/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so")]
SOFTHSM = next((module for module in SOFTHSM_MODULES if module.exists()), None)
TOKEN, KEY, PIN = "jefacture-seal", "seal", "4321"

pytestmark = pytest.mark.skipif(SOFTHSM is None, reason="SoftHSM2 is not installed (apt-get install softhsm2)")


@pytest.fixture(scope="module")
def token(tmp_path_factory, seal_settings):
    """A fresh token holding the development seal key (imported, then sensitive) and its certificate."""
    directory = tmp_path_factory.mktemp("softhsm")
    (directory / "tokens").mkdir()
    config = directory / "softhsm2.conf"
    config.write_text(f"directories.tokendir = {directory / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOFTHSM2_CONF", str(config))
        pki = seal_settings.dev_pki_dir
        (directory / "seal.cert.der").write_bytes(
            subprocess.run(["openssl", "x509", "-in", str(pki / "seal.cert.pem"), "-outform", "DER"],
                           check=True, capture_output=True).stdout)
        for command in (
            ["softhsm2-util", "--init-token", "--free", "--label", TOKEN, "--pin", PIN, "--so-pin", "87654321"],
            ["softhsm2-util", "--import", str(pki / "seal.key.pem"), "--token", TOKEN, "--label", KEY,
             "--id", "01", "--pin", PIN],
            ["pkcs11-tool", "--module", str(SOFTHSM), "--token-label", TOKEN, "--login", "--pin", PIN,
             "--write-object", str(directory / "seal.cert.der"), "--type", "cert", "--id", "01", "--label", KEY],
        ):
            subprocess.run(command, check=True, capture_output=True)
        yield


def token_settings(tmp_path: Path, seal_settings: SealVaultSettings, pin: str = PIN) -> SealVaultSettings:
    """No key file anywhere: an empty VAR_DIR, only the CA certificate to chain and validate with."""
    return SealVaultSettings(var_dir=tmp_path / "empty-var", tsa_url=seal_settings.tsa_url,
                             seal_pkcs11_module=SOFTHSM, seal_pkcs11_token_label=TOKEN, seal_pkcs11_key_label=KEY,
                             seal_pkcs11_pin=pin, seal_ca_file=seal_settings.dev_pki_dir / "ca.cert.pem")


def test_the_seal_is_made_with_the_key_on_the_token_and_validates(token, tmp_path, seal_settings, ca_file):
    sealing = Sealing.from_settings(token_settings(tmp_path, seal_settings))
    pdf = invoice_pdf(sample_invoices(1)[0])
    try:
        pades = sealing.seal(pdf, "application/pdf")
        cades = sealing.seal(b"<Invoice/>", "application/xml")
    finally:
        sealing.close()

    assert pades.seal_format == PADES_B_T and cades.seal_format == CADES_T_DETACHED
    seal_cert = load_cert_from_pemder(str(seal_settings.dev_pki_dir / "seal.cert.pem"))
    pades_status = validate_seal(pades.sealed, ca_file)
    assert pades_status.bottom_line and pades_status.timestamp_validity.valid
    assert pades_status.signing_cert.dump() == seal_cert.dump()
    cades_status = verify_detached(b"<Invoice/>", cades.sealed, ca_file)
    assert cades_status.bottom_line and cades_status.signing_cert.dump() == seal_cert.dump()
    assert not (tmp_path / "empty-var" / "pki").exists()


def test_a_wrong_pin_fails_at_start_up(token, tmp_path, seal_settings):
    with pytest.raises(pkcs11.exceptions.PinIncorrect):
        Sealing.from_settings(token_settings(tmp_path, seal_settings, pin="0000"))
