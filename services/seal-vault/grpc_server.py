"""seal-vault's gRPC process: archived files streamed back, evidence bundles, a dossier's archive."""
import threading
from pathlib import Path

import grpc

from jefacture import grpc_kit, mongo
from jefacture.api.v1 import vault_pb2, vault_pb2_grpc
from jefacture.blobs import BlobNotFound, FileBlobStore
from jefacture.settings import load

from .adapters.evidence import build_bundle, bundle_files
from .adapters.pki import dev_key_files
from .adapters.sealing import Sealing
from .adapters.vault import Vault, checkpoint_signer
from .adapters.verification import cades_checks, pades_checks, report
from .domain.archive import ArchiveRecord
from .settings import SealVaultSettings

CHUNK = 1024 * 1024


def _chunks(filename: str, media_type: str, data: bytes):
    yield vault_pb2.FileChunk(filename=filename, media_type=media_type, content=data[:CHUNK])
    for start in range(CHUNK, len(data), CHUNK):
        yield vault_pb2.FileChunk(content=data[start:start + CHUNK])


def _archived_file(record: ArchiveRecord) -> vault_pb2.ArchivedFile:
    archived = vault_pb2.ArchivedFile(
        document_id=record.document_id, direction=record.direction, media_type=record.media_type,
        seal_format=record.seal_format or "", original_sha256=record.original_sha256,
        sealed_sha256=record.sealed_sha256 or "", legal_hold=record.legal_hold, deleted=record.deleted)
    for name in ("archived_at", "timestamp_time", "retention_end"):
        if moment := getattr(record, name):
            getattr(archived, name).FromDatetime(moment)
    return archived


def _certificates(settings: SealVaultSettings) -> dict[str, bytes]:
    dev = dev_key_files(settings.dev_pki_dir)
    sources = {"ca": settings.seal_ca_file or dev.ca_file, "seal": settings.seal_cert_file or dev.cert_file,
               "tsa": settings.tsa_ca_file or settings.dev_pki_dir / "tsa.cert.pem"}
    return {name: path.read_bytes() for name, path in sources.items() if path.exists()}


def evidence_bundle(vault: Vault, record: ArchiveRecord, read, settings: SealVaultSettings) -> bytes:
    """The evidence zip of one archived document, with a checkpoint covering it (signed now if none yet)."""
    files = bundle_files(record, read)
    proof = vault.inclusion_proof(record.document_id)
    if proof is None:  # archived a moment ago: its ledger entry follows the record
        vault.finish_archive(record.document_id)
        proof = vault.inclusion_proof(record.document_id)
    if proof.checkpoint is None:
        vault.checkpoint()
        proof = vault.inclusion_proof(record.document_id)
    anchors = settings.trust_anchor_files()
    if "sealed.pdf" in files:
        checks = pades_checks(files["sealed.pdf"], anchors)
    else:
        original = next(data for name, data in files.items() if name.startswith("original"))
        checks = cades_checks(original, files["seal.p7s"], anchors)
    text = report(checks, f"seal of document {record.document_id} ({record.seal_format})")
    return build_bundle(record, files, proof, _certificates(settings), text)


class VaultServicer(vault_pb2_grpc.VaultServicer):
    def __init__(self, settings: SealVaultSettings, sealing: Sealing):
        self.settings = settings
        self.blobs = FileBlobStore(settings.blobs_path)
        self.signing = threading.Lock()  # pyHanko's key objects are not thread-safe
        self.vault = Vault(self.blobs, checkpoint_signer(self._sign, settings.trust_anchor_files()),
                           settings.retention_policy())
        self.sealing = sealing

    def _sign(self, message: bytes) -> bytes:
        with self.signing:
            return self.sealing.cades.seal_detached(message)

    def _record(self, document_id: str, context) -> ArchiveRecord:
        record = self.vault.get(document_id)
        if record is None:
            context.abort(grpc.StatusCode.NOT_FOUND, f"no archived document {document_id!r}")
        if record.deleted:
            context.abort(grpc.StatusCode.NOT_FOUND,
                          f"document {document_id!r} was deleted on {record.deleted_at:%d/%m/%Y} after its retention")
        return record

    def _read(self, sha256: str, context) -> bytes:
        try:
            return self.blobs.get(sha256)
        except BlobNotFound:
            context.abort(grpc.StatusCode.DATA_LOSS, f"the archived file {sha256} is missing from the vault")

    def _file(self, request, context) -> tuple[str, str, bytes]:
        record = self._record(request.document_id, context)
        if request.kind == vault_pb2.SEALED:
            pades = (record.seal_format or "").startswith("PAdES")
            name = f"{record.document_id}-sealed.pdf" if pades else f"{record.document_id}.p7s"
            return (name, "application/pdf" if pades else "application/pkcs7-signature",
                    self._read(record.sealed_sha256, context))
        files = bundle_files(record, lambda sha256: self._read(sha256, context))
        name = next(name for name in files if name.startswith("original"))
        return f"{record.document_id}{Path(name).suffix}", record.media_type, files[name]

    def GetFile(self, request, context):
        return _chunks(*self._file(request, context))

    def ReadFile(self, request, context):
        filename, media_type, content = self._file(request, context)
        return vault_pb2.FileChunk(filename=filename, media_type=media_type, content=content)

    def ExportEvidence(self, request, context):
        record = self._record(request.document_id, context)
        bundle = evidence_bundle(self.vault, record, lambda sha256: self._read(sha256, context), self.settings)
        return _chunks(f"{record.document_id}-evidence.zip", "application/zip", bundle)

    def ListDossierFiles(self, request, context):
        records = self.vault.files_of_dossier(request.dossier_id, include_deleted=True)
        return vault_pb2.DossierFiles(dossier_id=request.dossier_id, files=[_archived_file(r) for r in records])


def main() -> None:
    settings = load(SealVaultSettings)
    mongo.connect(settings, "seal-vault")
    servicer = VaultServicer(settings, Sealing.from_settings(settings))
    grpc_kit.serve("seal-vault-grpc", settings.seal_vault_grpc, settings.seal_vault_metrics_address,
                   lambda server: vault_pb2_grpc.add_VaultServicer_to_server(servicer, server), settings.log_level,
                   settings.grpc_listen_host)


if __name__ == "__main__":
    main()
