"""Fixtures for the seal tests: a development PKI and the local TSA simulator in a child process, once per run."""
import importlib.util
import sys
from pathlib import Path

import pytest

from jefacture.simulators import tsa
from jefacture_seal_vault.adapters.sealing import Sealing
from jefacture_seal_vault.settings import SealVaultSettings


@pytest.fixture(scope="session")
def seal_var_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("seal-var")


@pytest.fixture(scope="session")
def tsa_url(seal_var_dir) -> str:
    """The TSA creates the PKI under var/pki on start, its certificates pointing at the CRL it serves."""
    with tsa.running(seal_var_dir / "pki") as url:
        yield url


@pytest.fixture(scope="session")
def seal_settings(seal_var_dir, tsa_url) -> SealVaultSettings:
    return SealVaultSettings(var_dir=seal_var_dir, tsa_url=tsa_url)


@pytest.fixture(scope="session")
def ca_file(seal_settings) -> Path:
    return seal_settings.dev_pki_dir / "ca.cert.pem"


@pytest.fixture(scope="session")
def sealing(seal_settings) -> Sealing:
    return Sealing.from_settings(seal_settings)


def _load_oscrypto_that_reads_openssl_3_0_10_and_later() -> None:
    """endesive's verifier goes through certvalidator to oscrypto 1.3.0, whose version check reads "OpenSSL 3.0.19"
    as no version at all (one digit per part). Load oscrypto's libcrypto binding with the fix of its unreleased
    master branch: several digits in the last part."""
    import oscrypto

    name = f"oscrypto._openssl._libcrypto_{'cffi' if oscrypto.ffi() == 'cffi' else 'ctypes'}"
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    source = spec.loader.get_source(name).replace(r"\\d\\.\\d\\.\\d[a-z]*", r"\\d\\.\\d\\.\\d+[a-z]*")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    exec(compile(source, spec.origin, "exec"), module.__dict__)


@pytest.fixture(scope="session")
def endesive_pdf_verifier():
    _load_oscrypto_that_reads_openssl_3_0_10_and_later()
    from endesive.pdf.verify import PDFVerifier

    return PDFVerifier
