"""seal-vault on real RabbitMQ and FerretDB, with the local TSA: take-in-charge, evidence, restarts."""
import hashlib
import io
import json
import os
import socket
import subprocess
import sys
import time
import zipfile

import grpc
import httpx
import pymongo
import pytest

from jefacture.api.v1 import vault_pb2, vault_pb2_grpc
from jefacture.blobs import FileBlobStore
from jefacture.envelope import new_envelope, to_wire
from jefacture.events.v1 import invoice_pb2 as ev
from jefacture.messaging import Publisher
from jefacture.platform import REPO
from jefacture.samples import invoice_pdf, sample_invoices
from jefacture.testing import wait_for

pytestmark = pytest.mark.service
SEAL_VAULT = ["tsa", "seal-vault", "seal-vault-grpc"]


def invoice_received(content: bytes, document_id: str) -> dict:
    payload = ev.InvoiceReceived(
        invoice=ev.InvoiceRef(document_id=document_id, dossier_id="dossier-1", direction=ev.SALE),
        source=ev.UPLOAD, sha256=hashlib.sha256(content).hexdigest(), filename="facture.pdf",
        media_type="application/pdf", size_bytes=len(content))
    payload.received_at.GetCurrentTime()
    return to_wire(new_envelope(payload, correlation_id=document_id, producer="ingest"))


def deliveries_done(platform_env) -> float:
    """Deliveries of InvoiceReceived that seal-vault handled or skipped as already handled."""
    metrics = httpx.get(f"http://{platform_env['SEAL_VAULT_HTTP_ADDRESS']}/metrics").text
    labels = '{service="seal-vault",type="InvoiceReceived"}'
    return sum(float(row.split()[-1]) for row in metrics.splitlines()
               if any(row.startswith(name + labels)
                      for name in ("jefacture_events_consumed_total", "jefacture_events_duplicate_total")))


def take_in_charge(platform, platform_env, pdf: bytes, document_id: str) -> None:
    FileBlobStore(platform.var_dir / "blobs").put(pdf)
    Publisher(platform_env["AMQP_URI"]).publish_event(invoice_received(pdf, document_id))


def vault_stub(platform_env):
    return vault_pb2_grpc.VaultStub(grpc.insecure_channel(platform_env["SEAL_VAULT_GRPC"]))


def jefacture(platform_env, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jefacture.cli", *args], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, **platform_env}, timeout=120)


def test_a_received_invoice_is_sealed_archived_and_announced_once(platform, platform_env, capture):
    sealed_events = capture(("seal-vault", "InvoiceSealed"))
    pdf = invoice_pdf(sample_invoices(1)[0])
    platform.start(SEAL_VAULT)
    take_in_charge(platform, platform_env, pdf, "doc-1")
    take_in_charge(platform, platform_env, pdf, "doc-1")

    event = sealed_events.wait_for(lambda e: e["correlation_id"] == "doc-1", timeout=60)[0]["invoice_sealed"]
    assert event["seal_format"] == "PAdES-B-LTA"
    wait_for(lambda: deliveries_done(platform_env) == 2, what="both deliveries to be handled")
    assert len(sealed_events.drain()) == 1
    files = vault_stub(platform_env).ListDossierFiles(vault_pb2.ListDossierFilesRequest(dossier_id="dossier-1"))
    assert [f.document_id for f in files.files] == ["doc-1"]
    assert files.files[0].retention_end.ToDatetime().year == files.files[0].archived_at.ToDatetime().year + 10


def test_the_evidence_bundle_verifies_offline_and_any_tampering_is_caught(platform, platform_env, tmp_path):
    platform.start(SEAL_VAULT)
    take_in_charge(platform, platform_env, invoice_pdf(sample_invoices(2)[1]), "doc-2")
    stub = vault_stub(platform_env)

    def export():
        try:
            request = vault_pb2.ExportEvidenceRequest(document_id="doc-2")
            return b"".join(chunk.content for chunk in stub.ExportEvidence(request))
        except grpc.RpcError as error:
            if error.code() == grpc.StatusCode.NOT_FOUND:
                return None
            raise

    bundle = wait_for(export, timeout=60, what="the document to be archived")
    good = tmp_path / "evidence.zip"
    good.write_bytes(bundle)
    verdict = jefacture(platform_env, "verify", str(good))
    assert verdict.returncode == 0, verdict.stdout + verdict.stderr
    assert "VALID" in verdict.stdout and "timestamp is valid" in verdict.stdout
    with zipfile.ZipFile(io.BytesIO(bundle)) as unpacked:
        unpacked.extractall(tmp_path / "bundle")
    third_party = subprocess.run(
        ["openssl", "ts", "-verify", "-token_in", "-in", "timestamp.tst", "-data", "seal-signature-value.bin",
         "-CAfile", "certificates/ca.pem", "-untrusted", "certificates/tsa.pem"],
        cwd=tmp_path / "bundle", capture_output=True, text=True)
    assert "Verification: OK" in third_party.stdout, third_party.stdout + third_party.stderr

    forge(bundle, tmp_path / "forged.zip", rewrite_manifest=False)
    verdict = jefacture(platform_env, "verify", str(tmp_path / "forged.zip"))
    assert verdict.returncode == 1 and "sealed.pdf: modified" in verdict.stdout

    forged = forge(bundle, tmp_path / "forged-manifest.zip", rewrite_manifest=True)
    verdict = jefacture(platform_env, "verify", str(forged))
    assert verdict.returncode == 1 and "not the one the ledger recorded" in verdict.stdout


def forge(bundle: bytes, out, rewrite_manifest: bool):
    """A bundle whose sealed PDF has one bit flipped; with its manifest rewritten to match, if asked."""
    with zipfile.ZipFile(io.BytesIO(bundle)) as original:
        contents = {info.filename: original.read(info) for info in original.infolist()}
    sealed = contents["sealed.pdf"]
    contents["sealed.pdf"] = sealed[:200] + bytes([sealed[200] ^ 1]) + sealed[201:]
    if rewrite_manifest:
        manifest = json.loads(contents["manifest.json"])
        manifest["files"]["sealed.pdf"] = hashlib.sha256(contents["sealed.pdf"]).hexdigest()
        contents["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(out, "w") as forged:
        for name, data in contents.items():
            forged.writestr(name, data)
    return out


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def private_store(tmp_path):
    """A FerretDB of this test's own, so that the test can stop and restart the store."""
    port, data = free_port(), tmp_path / "ferretdb"
    launcher = REPO / "var" / "bin" / "ferretdb-launcher"

    def start():
        process = subprocess.Popen([str(launcher), "-listen", f"127.0.0.1:{port}", "-data", str(data)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = pymongo.MongoClient(f"mongodb://127.0.0.1:{port}/", serverSelectionTimeoutMS=500)
        wait_for(lambda: _pings(client), what="the private FerretDB")
        return process

    store = {"uri": f"mongodb://127.0.0.1:{port}/", "process": start(), "start": start}
    yield store
    store["process"].terminate()
    store["process"].wait()


def _pings(client) -> bool:
    try:
        return client.admin.command("ping")["ok"] == 1
    except pymongo.errors.PyMongoError:
        return False


def test_the_archive_survives_a_restart_of_the_service_and_of_the_store(platform, platform_env, private_store):
    platform.env["MONGO_URI"] = platform_env["MONGO_URI"] = private_store["uri"]
    platform.start(SEAL_VAULT)
    pdf = invoice_pdf(sample_invoices(3)[2])
    take_in_charge(platform, platform_env, pdf, "doc-3")
    wait_for(lambda: vault_stub(platform_env).ListDossierFiles(
        vault_pb2.ListDossierFilesRequest(dossier_id="dossier-1")).files, timeout=60, what="the archive")

    platform.stop()
    private_store["process"].terminate()
    private_store["process"].wait()
    time.sleep(0.5)
    private_store["process"] = private_store["start"]()
    platform.start(SEAL_VAULT)

    original = b"".join(c.content for c in vault_stub(platform_env).GetFile(
        vault_pb2.GetFileRequest(document_id="doc-3", kind=vault_pb2.ORIGINAL)))
    assert original == pdf
    audit = jefacture(platform_env, "vault", "verify")
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert "no discrepancy" in audit.stdout
