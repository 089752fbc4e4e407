"""A local RFC 3161 timestamp authority over HTTP: Debian's `openssl ts -reply` signing with the development PKI's
TSA certificate, one query at a time.

POST / (application/timestamp-query) answers application/timestamp-reply; GET /crl/ca.crl serves the development
CA's CRL; GET / answers 200 once the server listens.
"""
import argparse
import http.server
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from jefacture.simulators.kit import child_server, free_port
from jefacture_seal_vault.adapters.pki import dev_tsa_files, ensure_crl, ensure_dev_pki

TIMESTAMP_QUERY = "application/timestamp-query"
TIMESTAMP_REPLY = "application/timestamp-reply"
CRL_PATH = "/crl/ca.crl"
# The example TSA policy of OpenSSL's documentation: a development TSA follows no published policy.
POLICY_OID = "1.2.3.4.1"


def crl_url(port: int) -> str:
    return f"http://127.0.0.1:{port}{CRL_PATH}"


def openssl_config(pki_dir: Path) -> str:
    files = dev_tsa_files(pki_dir)
    return f"""[ tsa ]
default_tsa = jefacture_dev
[ jefacture_dev ]
serial = {pki_dir.resolve() / "tsa.serial"}
crypto_device = builtin
signer_cert = {files.cert_file.resolve()}
certs = {files.ca_file.resolve()}
signer_key = {files.key_file.resolve()}
signer_digest = sha256
default_policy = {POLICY_OID}
other_policies = {POLICY_OID}
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


class Authority:
    """`openssl ts -reply` on each query; one at a time, since openssl increments the serial number in a file."""

    def __init__(self, pki_dir: Path, config_file: Path):
        self._openssl = shutil.which("openssl")
        if self._openssl is None:
            raise SystemExit("openssl not found: install Debian's openssl package")
        self._config_file = config_file
        self._lock = threading.Lock()
        serial = pki_dir / "tsa.serial"
        if not serial.exists():
            serial.write_text("01\n")

    def reply(self, query: bytes) -> bytes:
        """A TimeStampResp: granted with a token, or openssl's own rejection of a malformed query."""
        with self._lock:
            done = subprocess.run([self._openssl, "ts", "-reply", "-config", str(self._config_file),
                                   "-queryfile", "/dev/stdin", "-out", "/dev/stdout"],
                                  input=query, capture_output=True, timeout=30)
        if not done.stdout:
            raise RuntimeError(f"openssl ts -reply failed: {done.stderr.decode(errors='replace').strip()}")
        return done.stdout


def serve(port: int, pki_dir: Path) -> None:
    ensure_dev_pki(pki_dir, crl_url=crl_url(port))
    with tempfile.TemporaryDirectory(prefix="jefacture-tsa-") as config_dir:
        config_file = Path(config_dir) / "tsa.cnf"
        config_file.write_text(openssl_config(pki_dir))
        authority = Authority(pki_dir, config_file)

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive: a sealing service sends one query after another
            disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms wait between them

            def _answer(self, status: int, content_type: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                query = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.headers.get("Content-Type", "").split(";")[0].strip() != TIMESTAMP_QUERY:
                    self._answer(415, "text/plain", f"expected Content-Type: {TIMESTAMP_QUERY}\n".encode())
                    return
                try:
                    self._answer(200, TIMESTAMP_REPLY, authority.reply(query))
                except RuntimeError as error:
                    self._answer(500, "text/plain", f"{error}\n".encode())

            def do_GET(self):
                if self.path == CRL_PATH:
                    self._answer(200, "application/pkix-crl", ensure_crl(pki_dir))
                elif self.path == "/":
                    self._answer(200, "text/plain", b"RFC 3161 timestamp authority (development)\n")
                else:
                    self._answer(404, "text/plain", b"not found\n")

            def log_message(self, *_):
                pass

        http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


@contextmanager
def running(pki_dir: Path, timeout: float = 30) -> Iterator[str]:
    """This TSA in a child process on a free port, for tests and benchmarks: yields its URL once it answers."""
    with child_server("jefacture.simulators.tsa", ["--pki", str(pki_dir)], free_port(), timeout) as url:
        yield url + "/"



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pki", type=Path, required=True, help="development PKI folder, created when missing")
    args = parser.parse_args()
    serve(args.port, args.pki)


if __name__ == "__main__":
    sys.exit(main())
