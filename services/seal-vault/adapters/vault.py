"""The vault in MongoDB and the blob store: write-once archive records, an insert-only ledger, signed checkpoints.

FerretDB v1 may lose concurrent updates of one document but enforces unique keys on inserts, so the ledger and the
checkpoints are only ever inserted: an append reads the last entry and inserts the next one under _id = seq,
retrying on a duplicate key. An operation writes its ledger entry first and then the record, so that repeating an
interrupted operation finds the entry and completes the record to match it.
"""
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

import mongoengine as me
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from pymongo.errors import DuplicateKeyError, OperationFailure

from jefacture.blobs import BlobNotFound, FileBlobStore

from ..domain import ledger
from ..domain.archive import INVOICE, ArchiveRecord, NotArchived, utc_ms
from ..domain.ledger import Checkpoint, Finding, LedgerEntry, Op
from ..domain.retention import AlreadyArchived, RetentionPolicy, check_deletion, check_hold
from .cades import verify_detached

MAX_APPEND_ATTEMPTS = 200
DUPLICATE = (me.NotUniqueError, DuplicateKeyError)


class LedgerBroken(RuntimeError):
    """The ledger no longer verifies, so the vault refuses to build on it; the findings say where."""

    def __init__(self, message: str, findings: list[Finding]):
        super().__init__(f"{message}: " + "; ".join(map(str, findings[:5])))
        self.findings = findings


class ArchiveDocument(me.Document):
    meta = {"collection": "archive",
            "indexes": ["dossier_id", "original_sha256", "sealed_sha256", "timestamp_token_sha256"]}
    document_id = me.StringField(primary_key=True)
    dossier_id = me.StringField(required=True)
    direction = me.StringField(required=True)
    document_type = me.StringField(required=True)
    media_type = me.StringField(required=True)
    original_sha256 = me.StringField(required=True)
    sealed_sha256 = me.StringField()
    timestamp_token_sha256 = me.StringField()
    seal_format = me.StringField()
    received_at = me.DateTimeField(required=True)
    sealed_at = me.DateTimeField()
    timestamp_time = me.DateTimeField()
    archived_at = me.DateTimeField(required=True)
    retention_end = me.DateTimeField(required=True)
    legal_hold = me.BooleanField(default=False)
    legal_hold_reason = me.StringField()
    deleted_at = me.DateTimeField()
    outbox = me.ListField(me.DictField())


class LedgerDocument(me.Document):
    # unique_key makes "archive" and "delete" happen once per document even when two workers race to record them.
    meta = {"collection": "ledger", "indexes": ["document_id", {"fields": ["unique_key"], "unique": True}]}
    seq = me.IntField(primary_key=True)
    op = me.StringField(required=True)
    document_id = me.StringField(required=True)
    at = me.DateTimeField(required=True)
    record_digest = me.StringField(required=True)
    blob_digests = me.ListField(me.StringField())
    prev_hash = me.StringField(required=True)
    entry_hash = me.StringField(required=True)
    unique_key = me.StringField(required=True)


class CheckpointDocument(me.Document):
    meta = {"collection": "checkpoints"}
    seq = me.IntField(primary_key=True)
    root = me.StringField(required=True)
    at = me.DateTimeField(required=True)
    signature = me.BinaryField(required=True)


@dataclass(frozen=True)
class CheckpointSigner:
    sign: Callable[[bytes], bytes]
    verify: Callable[[bytes, bytes], bool]


def ecdsa_signer_from_pem(key_file: Path, cert_file: Path) -> CheckpointSigner:
    """Checkpoints signed with the seal key (ECDSA, or RSA PKCS#1 v1.5) and checked with its certificate."""
    key = serialization.load_pem_private_key(Path(key_file).read_bytes(), password=None)
    public_key = x509.load_pem_x509_certificate(Path(cert_file).read_bytes()).public_key()
    if isinstance(key, ec.EllipticCurvePrivateKey):
        scheme = (ec.ECDSA(hashes.SHA256()),)
    elif isinstance(key, rsa.RSAPrivateKey):
        scheme = (padding.PKCS1v15(), hashes.SHA256())
    else:
        raise ValueError(f"the key in {key_file} is neither EC nor RSA: it cannot sign checkpoints")

    def verify(message: bytes, signature: bytes) -> bool:
        try:
            public_key.verify(signature, message, *scheme)
        except InvalidSignature:
            return False
        return True

    return CheckpointSigner(sign=lambda message: key.sign(message, *scheme), verify=verify)


@dataclass(frozen=True)
class InclusionProof:
    """That the document's "archive" entry is in the tree of `tree_size` entries whose root is `root`.

    `checkpoint` is the latest signed checkpoint covering the entry; None if none covers it yet, in which case
    `root` is the unsigned root of the whole ledger at the time of the call.
    """
    entry: LedgerEntry
    tree_size: int
    root: str
    proof: list[tuple[str, str]]
    checkpoint: Checkpoint | None


def _utc(moment: datetime | None) -> datetime | None:
    return utc_ms(moment) if moment else None


def _record(document: ArchiveDocument) -> ArchiveRecord:
    return ArchiveRecord(
        document_id=document.document_id, dossier_id=document.dossier_id, direction=document.direction,
        document_type=document.document_type, media_type=document.media_type,
        original_sha256=document.original_sha256, sealed_sha256=document.sealed_sha256,
        timestamp_token_sha256=document.timestamp_token_sha256, seal_format=document.seal_format,
        received_at=_utc(document.received_at), sealed_at=_utc(document.sealed_at),
        timestamp_time=_utc(document.timestamp_time), archived_at=_utc(document.archived_at),
        retention_end=_utc(document.retention_end), legal_hold=bool(document.legal_hold),
        legal_hold_reason=document.legal_hold_reason, deleted_at=_utc(document.deleted_at))


def _entry(document: LedgerDocument) -> LedgerEntry:
    return LedgerEntry(seq=document.seq, op=document.op, document_id=document.document_id, at=_utc(document.at),
                       record_digest=document.record_digest, blob_digests=tuple(document.blob_digests or ()),
                       prev_hash=document.prev_hash, entry_hash=document.entry_hash)


def _checkpoint(document: CheckpointDocument) -> Checkpoint:
    return Checkpoint(seq=document.seq, root=document.root, at=_utc(document.at), signature=bytes(document.signature))


def _digest(record: ArchiveRecord) -> str:
    return ledger.record_digest(record.metadata())


def _ensure_indexes(attempts: int = 5) -> None:
    """Create the indexes up front: mongoengine would create them lazily, racing the first concurrent writes."""
    for document_class in (ArchiveDocument, LedgerDocument, CheckpointDocument):
        if getattr(document_class, "_collection", None) is not None:
            continue  # done since this process connected to this database
        for attempt in range(1, attempts + 1):
            try:
                document_class.ensure_indexes()
                break
            except OperationFailure:
                # FerretDB fails a creation that races another process's; once that one is done, this succeeds.
                if attempt == attempts:
                    raise
                time.sleep(0.1 * attempt)


class Vault:
    """Create it once connected to the service's database: it creates the collections' indexes."""

    def __init__(self, blobs: FileBlobStore, signer: CheckpointSigner, policy: RetentionPolicy | None = None,
                 clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)):
        _ensure_indexes()
        self.blobs = blobs
        self.signer = signer
        self.policy = policy or RetentionPolicy()
        self.clock = clock

    # Archiving and reading

    def archive(self, *, document_id: str, dossier_id: str, direction: str, original_sha256: str,
                received_at: datetime, sealed_sha256: str | None = None, seal_format: str | None = None,
                sealed_at: datetime | None = None, timestamp_token_sha256: str | None = None,
                timestamp_time: datetime | None = None, media_type: str = "application/pdf",
                document_type: str = INVOICE, events: Iterable[dict] = (),
                now: datetime | None = None) -> ArchiveRecord:
        """Archive a document whose files are already in the blob store, with the events to emit (outbox).

        Raises AlreadyArchived for a document archived before (after completing its ledger entry if a crash had
        left it unrecorded), BlobNotFound if a file is not stored, ValueError if a stored file is corrupt.
        """
        archived_at = utc_ms(now or self.clock())
        record = ArchiveRecord(
            document_id=document_id, dossier_id=dossier_id, direction=direction, document_type=document_type,
            media_type=media_type, original_sha256=original_sha256, sealed_sha256=sealed_sha256,
            timestamp_token_sha256=timestamp_token_sha256, seal_format=seal_format,
            received_at=utc_ms(received_at), sealed_at=_utc(sealed_at), timestamp_time=_utc(timestamp_time),
            archived_at=archived_at, retention_end=self.policy.retention_end(archived_at, document_type))
        for digest in record.blob_digests:
            self._check_file(digest)
        try:
            ArchiveDocument(**record.metadata(), outbox=list(events)).save(force_insert=True)
        except DUPLICATE:
            self.finish_archive(document_id)
            raise AlreadyArchived(document_id) from None
        self._record_archive(record)
        return record

    def finish_archive(self, document_id: str) -> None:
        """Write the "archive" entry of a document whose archiving stopped between its record and its entry;
        nothing if the entry exists. For a redelivered event that finds its document already archived."""
        recorded = LedgerDocument.objects(unique_key=f"archive:{document_id}").first()
        if not recorded and (record := self.get(document_id)):
            self._record_archive(record)

    def get(self, document_id: str) -> ArchiveRecord | None:
        document = ArchiveDocument.objects(document_id=document_id).first()
        return _record(document) if document else None

    def files_of_dossier(self, dossier_id: str, include_deleted: bool = False) -> list[ArchiveRecord]:
        records = [_record(document) for document in ArchiveDocument.objects(dossier_id=dossier_id)]
        return sorted((record for record in records if include_deleted or not record.deleted),
                      key=lambda record: (record.archived_at, record.document_id))

    def history(self, document_id: str) -> list[LedgerEntry]:
        return [_entry(document) for document in LedgerDocument.objects(document_id=document_id).order_by("seq")]

    # Legal hold and deletion

    def set_legal_hold(self, document_id: str, reason: str, now: datetime | None = None) -> ArchiveRecord:
        if not reason.strip():
            raise ValueError("a legal hold needs a reason")
        return self._change(document_id, "legal_hold", now, check=lambda record, _: check_hold(record),
                            change=lambda record, _: replace(record, legal_hold=True, legal_hold_reason=reason))

    def release_legal_hold(self, document_id: str, now: datetime | None = None) -> ArchiveRecord:
        return self._change(document_id, "release_hold", now, check=lambda record, _: check_hold(record),
                            change=lambda record, _: replace(record, legal_hold=False, legal_hold_reason=None))

    def delete(self, document_id: str, now: datetime | None = None) -> ArchiveRecord:
        """Delete the files of a document whose retention has ended and that no legal hold keeps.

        The record stays, marked deleted, and the ledger gets a "delete" tombstone; deleting again does nothing.
        """
        record = self._change(document_id, "delete", now, unique_key=f"delete:{document_id}",
                              check=lambda record, at: None if record.deleted else check_deletion(record, at),
                              change=lambda record, at: record if record.deleted else replace(record, deleted_at=at))
        self._remove_files(record)
        return record

    # Checkpoints and proofs

    def checkpoint(self, now: datetime | None = None) -> Checkpoint | None:
        """Sign the Merkle root of all entries so far (None for an empty ledger); refuses a broken ledger."""
        entries = self._entries()
        if not entries:
            return None
        seq = entries[-1].seq
        if existing := CheckpointDocument.objects(seq=seq).first():
            return _checkpoint(existing)
        if findings := ledger.verify_chain(entries, self._checkpoints(), self.signer.verify, every_signature=False):
            raise LedgerBroken("the ledger does not verify, so no checkpoint is signed", findings)
        root, at = ledger.merkle_root([entry.entry_hash for entry in entries]), utc_ms(now or self.clock())
        checkpoint = Checkpoint(seq, root, at, self.signer.sign(ledger.checkpoint_message(seq, root, at)))
        try:
            CheckpointDocument(seq=seq, root=root, at=at, signature=checkpoint.signature).save(force_insert=True)
        except DUPLICATE:
            return _checkpoint(CheckpointDocument.objects(seq=seq).first())
        return checkpoint

    def latest_checkpoint(self) -> Checkpoint | None:
        document = CheckpointDocument.objects.order_by("-seq").first()
        return _checkpoint(document) if document else None

    def inclusion_proof(self, document_id: str) -> InclusionProof | None:
        """The proof for the document's "archive" entry; None if the document was never archived."""
        archived = LedgerDocument.objects(unique_key=f"archive:{document_id}").first()
        if archived is None:
            return None
        entry = _entry(archived)
        covering = CheckpointDocument.objects(seq__gte=entry.seq).order_by("-seq").first()
        checkpoint = _checkpoint(covering) if covering else None
        query = LedgerDocument.objects(seq__lte=checkpoint.seq) if checkpoint else LedgerDocument.objects
        entry_hashes = [document.entry_hash for document in query.order_by("seq").only("entry_hash")]
        root = checkpoint.root if checkpoint else ledger.merkle_root(entry_hashes)
        return InclusionProof(entry, len(entry_hashes), root, ledger.inclusion_proof(entry_hashes, entry.seq - 1),
                              checkpoint)

    # Verification

    def verify(self, every_signature: bool = True) -> list[Finding]:
        """Recompute the ledger, every record's digest and every stored file's digest, and check the checkpoints
        (all their roots; all their signatures, or only the latest one's)."""
        records = {document.document_id: _record(document).metadata() for document in ArchiveDocument.objects}
        return ledger.verify(self._entries(), records, self._file_digest, self._checkpoints(), self.signer.verify,
                             every_signature)

    def ledger_size(self) -> int:
        return LedgerDocument.objects.count()

    # Internals

    def _entries(self) -> list[LedgerEntry]:
        return [_entry(document) for document in LedgerDocument.objects.order_by("seq")]

    def _checkpoints(self) -> list[Checkpoint]:
        return [_checkpoint(document) for document in CheckpointDocument.objects.order_by("seq")]

    def _require(self, document_id: str) -> ArchiveRecord:
        if (record := self.get(document_id)) is None:
            raise NotArchived(f"document {document_id} is not archived")
        return record

    def _append(self, op: Op, record: ArchiveRecord, at: datetime, unique_key: str | None = None) -> bool:
        """Append the entry; False if an entry with `unique_key` exists already (another worker wrote it)."""
        for _ in range(MAX_APPEND_ATTEMPTS):
            last = LedgerDocument.objects.order_by("-seq").first()
            entry = ledger.append(_entry(last) if last else None, op, record.document_id, at, _digest(record),
                                  record.blob_digests)
            try:
                LedgerDocument(seq=entry.seq, op=entry.op, document_id=entry.document_id, at=entry.at,
                               record_digest=entry.record_digest, blob_digests=list(entry.blob_digests),
                               prev_hash=entry.prev_hash, entry_hash=entry.entry_hash,
                               unique_key=unique_key or f"seq:{entry.seq}").save(force_insert=True)
                return True
            except DUPLICATE:
                if unique_key and LedgerDocument.objects(unique_key=unique_key).first():
                    return False
        raise RuntimeError(f"could not append to the ledger in {MAX_APPEND_ATTEMPTS} attempts")

    def _record_archive(self, record: ArchiveRecord) -> None:
        self._append("archive", record, record.archived_at, unique_key=f"archive:{record.document_id}")

    def _change(self, document_id: str, op: Op, now: datetime | None, *,
                check: Callable[[ArchiveRecord, datetime], None],
                change: Callable[[ArchiveRecord, datetime], ArchiveRecord],
                unique_key: str | None = None) -> ArchiveRecord:
        at = utc_ms(now or self.clock())
        record = self._require(document_id)
        last = LedgerDocument.objects(document_id=document_id).order_by("-seq").first()
        if last is None:
            self._record_archive(record)
        elif _digest(record) != last.record_digest:
            # An interrupted change: its entry is written, the record not yet; finish it as the entry says.
            pending = change(record, _utc(last.at))
            if last.op != op or _digest(pending) != last.record_digest:
                raise LedgerBroken(f"document {document_id} does not match its ledger",
                                   [Finding(last.seq, document_id, ledger.MODIFIED_METADATA,
                                            "the archive record differs from the one the ledger recorded")])
            self._save(pending)
            return pending
        check(record, at)
        changed = change(record, at)
        if changed == record:
            return record
        if self._append(op, changed, at, unique_key):
            self._save(changed)
            return changed
        return self._require(document_id)

    def _save(self, record: ArchiveRecord) -> None:
        ArchiveDocument._get_collection().update_one(
            {"_id": record.document_id},
            {"$set": {"legal_hold": record.legal_hold, "legal_hold_reason": record.legal_hold_reason,
                      "deleted_at": record.deleted_at}})

    def _file_digest(self, sha256: str) -> str | None:
        """The sha256 of the stored file named `sha256`, recomputed from its bytes; None if there is no such file."""
        try:
            return self.blobs.digest_of_stored(sha256)
        except ValueError:  # not even a sha256: no such file
            return None

    def _check_file(self, sha256: str) -> None:
        actual = self._file_digest(sha256)
        if actual is None:
            raise BlobNotFound(sha256)
        if actual != sha256:
            raise ValueError(f"the stored file {sha256} is corrupt: its content hashes to {actual}")

    def _remove_files(self, record: ArchiveRecord) -> None:
        """Remove the deleted document's files, except those another live record also references."""
        for digest in record.blob_digests:
            shared = ArchiveDocument.objects(
                me.Q(original_sha256=digest) | me.Q(sealed_sha256=digest) | me.Q(timestamp_token_sha256=digest),
                document_id__ne=record.document_id, deleted_at=None).first()
            if shared is None:
                self.blobs.remove(digest)


def checkpoint_signer(sign_detached: Callable[[bytes], bytes], trust_anchor_files: list[Path]) -> CheckpointSigner:
    """Checkpoints signed as detached CAdES-T with the seal key (files or PKCS#11), so they carry a trusted time."""
    def verify(message: bytes, signature: bytes) -> bool:
        try:
            return verify_detached(message, signature, *trust_anchor_files).bottom_line
        except ValueError:
            return False

    return CheckpointSigner(sign=sign_detached, verify=verify)
