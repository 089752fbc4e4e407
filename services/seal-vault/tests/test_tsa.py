"""The local RFC 3161 TSA simulator, checked with Debian's openssl as an independent client and verifier."""
import subprocess
from datetime import datetime, timezone

import httpx
from cryptography import x509

from jefacture.simulators.tsa import TIMESTAMP_QUERY, TIMESTAMP_REPLY


def query(data_file, tmp_path) -> bytes:
    subprocess.run(["openssl", "ts", "-query", "-data", str(data_file), "-sha256", "-cert",
                    "-out", str(tmp_path / "query.tsq")], check=True, capture_output=True)
    return (tmp_path / "query.tsq").read_bytes()


def test_a_token_from_the_tsa_verifies_with_openssl_ts_verify(tsa_url, seal_settings, tmp_path):
    data = tmp_path / "facture.pdf"
    data.write_bytes(b"%PDF-1.7 une facture")
    reply = httpx.post(tsa_url, content=query(data, tmp_path), headers={"Content-Type": TIMESTAMP_QUERY})
    assert reply.status_code == 200 and reply.headers["Content-Type"] == TIMESTAMP_REPLY
    (tmp_path / "reply.tsr").write_bytes(reply.content)
    pki = seal_settings.dev_pki_dir

    verdict = subprocess.run(["openssl", "ts", "-verify", "-data", str(data), "-in", str(tmp_path / "reply.tsr"),
                              "-CAfile", str(pki / "ca.cert.pem"), "-untrusted", str(pki / "tsa.cert.pem")],
                             capture_output=True, text=True)

    assert verdict.returncode == 0 and "Verification: OK" in verdict.stdout, verdict.stderr
    data.write_bytes(b"%PDF-1.7 une autre facture")
    assert subprocess.run(["openssl", "ts", "-verify", "-data", str(data), "-in", str(tmp_path / "reply.tsr"),
                           "-CAfile", str(pki / "ca.cert.pem")], capture_output=True).returncode != 0


def test_a_malformed_query_gets_a_rejection_in_a_timestamp_reply(tsa_url, tmp_path):
    reply = httpx.post(tsa_url, content=b"not DER", headers={"Content-Type": TIMESTAMP_QUERY})
    assert reply.status_code == 200 and reply.headers["Content-Type"] == TIMESTAMP_REPLY
    (tmp_path / "reply.tsr").write_bytes(reply.content)

    text = subprocess.run(["openssl", "ts", "-reply", "-in", str(tmp_path / "reply.tsr"), "-text"],
                          capture_output=True, text=True).stdout

    assert "Status: Rejected." in text and "wrong format" in text


def test_a_query_sent_as_another_content_type_is_refused(tsa_url):
    reply = httpx.post(tsa_url, content=b"anything", headers={"Content-Type": "application/octet-stream"})
    assert reply.status_code == 415 and TIMESTAMP_QUERY in reply.text


def test_the_tsa_answers_its_health_check_and_serves_the_dev_ca_crl(tsa_url, ca_file):
    assert httpx.get(tsa_url).status_code == 200

    reply = httpx.get(tsa_url + "crl/ca.crl")

    assert reply.status_code == 200 and reply.headers["Content-Type"] == "application/pkix-crl"
    crl = x509.load_der_x509_crl(reply.content)
    assert crl.is_signature_valid(x509.load_pem_x509_certificate(ca_file.read_bytes()).public_key())
    assert crl.next_update_utc > datetime.now(timezone.utc) and len(crl) == 0


def test_the_tsa_and_seal_certificates_point_at_the_crl_the_tsa_serves(tsa_url, seal_settings):
    for name in ("seal.cert.pem", "tsa.cert.pem"):
        cert = x509.load_pem_x509_certificate((seal_settings.dev_pki_dir / name).read_bytes())
        points = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
        assert [uri.value for point in points for uri in point.full_name] == [tsa_url + "crl/ca.crl"]
