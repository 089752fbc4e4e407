"""The vault on the real store (FerretDB) and real files: retention, legal hold, tamper evidence, concurrency."""
import os
import stat
import threading
from datetime import datetime, timedelta, timezone

import mongoengine
import pymongo
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from prometheus_client import REGISTRY

from jefacture.blobs import BlobNotFound, FileBlobStore
from jefacture.mongo import connect
from jefacture.settings import PlatformSettings
from jefacture.testing import unique_name
from jefacture_seal_vault.adapters.pki import ensure_dev_pki
from jefacture_seal_vault.adapters.vault import LedgerBroken, Vault, ecdsa_signer_from_pem
from jefacture_seal_vault.audit import audit
from jefacture_seal_vault.domain import ledger
from jefacture_seal_vault.domain.archive import NotArchived
from jefacture_seal_vault.domain.ledger import (
    BAD_CHECKPOINT_SIGNATURE,
    CHECKPOINT_MISMATCH,
    MODIFIED_BLOB,
    MODIFIED_METADATA,
    REMOVED_ENTRY,
    REORDERED_ENTRIES,
)
from jefacture_seal_vault.domain.retention import (
    AlreadyArchived,
    DocumentDeleted,
    LegalHoldActive,
    RetentionActive,
    RetentionPolicy,
)

pytestmark = pytest.mark.service

MONGO_URI = os.environ.get("MONGO_URI", "mongodb://127.0.0.1:27017/")
ARCHIVED = datetime(2025, 3, 14, 9, 30, tzinfo=timezone.utc)
AFTER_RETENTION = datetime(2035, 3, 15, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return ensure_dev_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def settings():
    settings = PlatformSettings(mongo_uri=MONGO_URI, mongo_db_prefix=unique_name("t") + "_")
    yield settings
    mongoengine.disconnect()
    pymongo.MongoClient(MONGO_URI).drop_database(settings.database_name("seal-vault"))


@pytest.fixture
def database(settings):
    return connect(settings, "seal-vault")


@pytest.fixture
def new_vault(pki, tmp_path, database):
    def make(policy: RetentionPolicy | None = None) -> Vault:
        return Vault(FileBlobStore(tmp_path / "blobs"), ecdsa_signer_from_pem(pki.key_file, pki.cert_file), policy)
    return make


@pytest.fixture
def vault(new_vault) -> Vault:
    return new_vault()


def archive(vault: Vault, document_id: str, dossier_id: str = "dossier-1", now: datetime = ARCHIVED, **extra):
    original = f"%PDF original of {document_id}".encode()
    sealed = original + b" + PAdES seal"
    token = b"RFC 3161 token of " + document_id.encode()
    return vault.archive(
        document_id=document_id, dossier_id=dossier_id, direction="purchase",
        original_sha256=vault.blobs.put(original), sealed_sha256=vault.blobs.put(sealed), seal_format="PAdES-B-T",
        timestamp_token_sha256=vault.blobs.put(token), received_at=now - timedelta(seconds=5),
        sealed_at=now - timedelta(seconds=1), timestamp_time=now - timedelta(seconds=1), now=now, **extra)


def kinds(findings) -> set[tuple[int | None, str | None, str]]:
    return {(finding.seq, finding.document_id, finding.kind) for finding in findings}


def test_an_archived_document_is_kept_with_its_metadata_and_recorded_in_the_ledger(vault, database):
    event = {"type": "InvoiceSealed", "correlation_id": "doc-1"}
    record = archive(vault, "doc-1", events=[event])

    assert vault.get("doc-1") == record
    assert record.retention_end == datetime(2035, 3, 14, 9, 30, tzinfo=timezone.utc)
    assert record.document_type == "invoice" and record.direction == "purchase" and not record.legal_hold
    assert vault.files_of_dossier("dossier-1") == [record] and vault.files_of_dossier("dossier-2") == []
    [entry] = vault.history("doc-1")
    assert (entry.seq, entry.op, entry.at) == (1, "archive", ARCHIVED)
    assert entry.record_digest == ledger.record_digest(record.metadata())
    assert entry.blob_digests == (record.original_sha256, record.sealed_sha256, record.timestamp_token_sha256)
    assert database["archive"].find_one({"_id": "doc-1"})["outbox"] == [event]
    assert vault.verify() == []


def test_the_stored_files_are_read_only(vault):
    record = archive(vault, "doc-1")
    for digest in record.blob_digests:
        assert stat.S_IMODE(vault.blobs._path(digest).stat().st_mode) == 0o444


def test_archiving_a_document_again_is_refused_and_changes_nothing(vault):
    first = archive(vault, "doc-1")
    with pytest.raises(AlreadyArchived, match="doc-1 is already archived: an archived document cannot be overwritten"):
        archive(vault, "doc-1", dossier_id="dossier-2", now=ARCHIVED + timedelta(days=1))
    assert vault.get("doc-1") == first and len(vault.history("doc-1")) == 1 and vault.ledger_size() == 1


def test_a_document_whose_file_is_not_stored_is_not_archived(vault):
    with pytest.raises(BlobNotFound):
        vault.archive(document_id="doc-1", dossier_id="dossier-1", direction="sale", original_sha256="0" * 64,
                      received_at=ARCHIVED)
    assert vault.get("doc-1") is None and vault.ledger_size() == 0


def test_the_retention_period_follows_the_document_type(new_vault):
    vault = new_vault(RetentionPolicy(by_document_type={"contract": 30}))
    assert archive(vault, "doc-1", document_type="contract").retention_end.year == 2055
    assert archive(vault, "doc-2").retention_end.year == 2035


def test_deleting_before_the_retention_end_is_refused_and_keeps_everything(vault):
    record = archive(vault, "doc-1")
    with pytest.raises(RetentionActive, match="doc-1 must be kept until 14/03/2035"):
        vault.delete("doc-1", datetime(2035, 3, 14, 9, 29, tzinfo=timezone.utc))
    assert vault.get("doc-1") == record and all(vault.blobs.exists(d) for d in record.blob_digests)
    assert [entry.op for entry in vault.history("doc-1")] == ["archive"]


def test_a_legal_hold_blocks_deletion_after_the_retention_end_until_released(vault):
    archive(vault, "doc-1")
    held = vault.set_legal_hold("doc-1", "contrôle fiscal 2034", now=ARCHIVED + timedelta(days=1))
    assert held.legal_hold and held.legal_hold_reason == "contrôle fiscal 2034"

    with pytest.raises(LegalHoldActive, match=r"under legal hold \(contrôle fiscal 2034\)"):
        vault.delete("doc-1", AFTER_RETENTION)
    assert vault.get("doc-1").deleted_at is None

    vault.release_legal_hold("doc-1", now=AFTER_RETENTION)
    assert vault.delete("doc-1", AFTER_RETENTION).deleted
    assert [entry.op for entry in vault.history("doc-1")] == ["archive", "legal_hold", "release_hold", "delete"]
    assert vault.verify() == []


def test_setting_the_same_hold_twice_records_it_once(vault):
    archive(vault, "doc-1")
    vault.set_legal_hold("doc-1", "litige")
    vault.set_legal_hold("doc-1", "litige")
    assert [entry.op for entry in vault.history("doc-1")] == ["archive", "legal_hold"]


def test_a_legal_hold_needs_a_reason_and_an_archived_live_document(vault):
    archive(vault, "doc-1")
    with pytest.raises(ValueError, match="needs a reason"):
        vault.set_legal_hold("doc-1", "  ")
    with pytest.raises(NotArchived, match="doc-9 is not archived"):
        vault.set_legal_hold("doc-9", "litige")
    vault.delete("doc-1", AFTER_RETENTION)
    with pytest.raises(DocumentDeleted):
        vault.set_legal_hold("doc-1", "litige")


def test_deletion_after_the_retention_end_removes_the_files_and_leaves_a_tombstone(vault):
    record = archive(vault, "doc-1")
    kept = archive(vault, "doc-2")

    deleted = vault.delete("doc-1", AFTER_RETENTION)
    again = vault.delete("doc-1", AFTER_RETENTION + timedelta(days=1))

    assert deleted.deleted_at == AFTER_RETENTION and again == deleted == vault.get("doc-1")
    assert not any(vault.blobs.exists(digest) for digest in record.blob_digests)
    assert all(vault.blobs.exists(digest) for digest in kept.blob_digests)
    tombstone = vault.history("doc-1")[-1]
    assert (tombstone.op, tombstone.at, tombstone.record_digest) == (
        "delete", AFTER_RETENTION, ledger.record_digest(deleted.metadata()))
    assert vault.files_of_dossier("dossier-1") == [kept]
    assert vault.verify() == []


def test_a_file_another_live_document_also_holds_is_kept_when_one_is_deleted(vault):
    shared = vault.blobs.put(b"%PDF the same original dropped in two dossiers")
    for document_id, dossier_id in (("doc-1", "dossier-1"), ("doc-2", "dossier-2")):
        vault.archive(document_id=document_id, dossier_id=dossier_id, direction="sale", original_sha256=shared,
                      received_at=ARCHIVED, now=ARCHIVED)
    vault.delete("doc-1", AFTER_RETENTION)
    assert vault.blobs.exists(shared) and vault.verify() == []
    vault.delete("doc-2", AFTER_RETENTION)
    assert not vault.blobs.exists(shared) and vault.verify() == []


# Tampering with the store, the way someone with access to the disk or the database would.

@pytest.fixture
def filled(vault):
    """Entries: 1-4 archive doc-1..doc-4, 5 legal_hold doc-2, checkpoint at 5, 6 archive doc-5."""
    for number in range(1, 5):
        archive(vault, f"doc-{number}")
    vault.set_legal_hold("doc-2", "litige")
    vault.checkpoint(ARCHIVED)
    archive(vault, "doc-5")
    assert vault.verify() == []
    return vault


def test_one_byte_changed_in_a_stored_file_is_detected(filled):
    path = filled.blobs._path(filled.get("doc-3").sealed_sha256)
    path.chmod(0o644)
    content = bytearray(path.read_bytes())
    content[10] ^= 0x01
    path.write_bytes(bytes(content))
    assert kinds(filled.verify()) == {(3, "doc-3", MODIFIED_BLOB)}


def test_metadata_edited_in_the_database_is_detected_and_blocks_further_changes(filled, database):
    database["archive"].update_one({"_id": "doc-2"}, {"$set": {"dossier_id": "dossier-9"}})
    database["archive"].update_one({"_id": "doc-4"}, {"$set": {"retention_end": datetime(2026, 1, 1)}})
    assert kinds(filled.verify()) == {(5, "doc-2", MODIFIED_METADATA), (4, "doc-4", MODIFIED_METADATA)}
    with pytest.raises(LedgerBroken, match="doc-4 does not match its ledger"):
        filled.delete("doc-4", datetime(2027, 1, 1, tzinfo=timezone.utc))


def test_an_edited_ledger_entry_is_detected(filled, database):
    database["ledger"].update_one({"_id": 2}, {"$set": {"at": datetime(2020, 1, 1)}})
    assert kinds(filled.verify()) == {(2, "doc-2", MODIFIED_METADATA)}


def test_a_deleted_ledger_entry_is_detected(filled, database):
    database["ledger"].delete_one({"_id": 3})
    assert kinds(filled.verify()) == {(3, None, REMOVED_ENTRY), (None, "doc-3", REMOVED_ENTRY),
                                      (5, None, CHECKPOINT_MISMATCH)}
    with pytest.raises(LedgerBroken, match="no checkpoint is signed"):
        filled.checkpoint(ARCHIVED + timedelta(hours=1))


def test_the_last_entries_deleted_after_a_checkpoint_are_detected(filled, database):
    database["ledger"].delete_many({"_id": {"$gte": 5}})
    assert kinds(filled.verify()) == {(5, None, REMOVED_ENTRY), (None, "doc-5", REMOVED_ENTRY),
                                      (2, "doc-2", MODIFIED_METADATA)}


def test_two_swapped_ledger_entries_are_detected_as_reordered(filled, database):
    ledger_collection = database["ledger"]
    second, fourth = (ledger_collection.find_one({"_id": seq}) for seq in (2, 4))
    for seq, content in ((2, fourth), (4, second)):
        ledger_collection.replace_one({"_id": seq}, {**content, "_id": seq, "unique_key": f"swapped:{seq}"})
    assert kinds(filled.verify()) == {(2, "doc-4", REORDERED_ENTRIES), (4, "doc-2", REORDERED_ENTRIES),
                                      (5, None, CHECKPOINT_MISMATCH)}


def test_a_forged_checkpoint_is_detected(filled, database, pki):
    forger = ec.generate_private_key(ec.SECP256R1())
    stored = database["checkpoints"].find_one({"_id": 5})
    message = ledger.checkpoint_message(5, stored["root"], stored["at"])
    database["checkpoints"].update_one({"_id": 5}, {"$set": {
        "signature": forger.sign(message, ec.ECDSA(hashes.SHA256()))}})
    assert kinds(filled.verify()) == {(5, None, BAD_CHECKPOINT_SIGNATURE)}


# Proofs, checkpoints, audit

def test_an_archived_document_has_an_inclusion_proof_under_the_signed_checkpoint(filled):
    proof = filled.inclusion_proof("doc-3")
    assert proof.entry.seq == 3 and proof.entry.op == "archive"
    assert proof.checkpoint.seq == proof.tree_size == 5 and proof.root == proof.checkpoint.root
    assert ledger.verify_inclusion(proof.entry.entry_hash, proof.proof, proof.root)
    assert filled.signer.verify(proof.checkpoint.message(), proof.checkpoint.signature)

    later = filled.inclusion_proof("doc-5")
    assert later.checkpoint is None and later.tree_size == 6
    assert ledger.verify_inclusion(later.entry.entry_hash, later.proof, later.root)
    assert filled.inclusion_proof("doc-9") is None


def test_a_checkpoint_is_signed_once_per_ledger_size(filled):
    first = filled.checkpoint(ARCHIVED + timedelta(hours=1))
    again = filled.checkpoint(ARCHIVED + timedelta(hours=2))
    assert first == again == filled.latest_checkpoint() and first.seq == 6
    assert first.root == ledger.merkle_root([entry.entry_hash for entry in filled._entries()])


def test_the_audit_exports_its_outcome_as_metrics(filled, database):
    clean = audit(filled, settle_seconds=0)
    assert clean.clean and clean.entries == 6
    assert REGISTRY.get_sample_value("jefacture_vault_audit_findings") == 0
    assert REGISTRY.get_sample_value("jefacture_vault_entries") == 6
    assert REGISTRY.get_sample_value("jefacture_vault_last_audit_timestamp") == clean.checked_at.timestamp()

    database["archive"].update_one({"_id": "doc-1"}, {"$set": {"direction": "sale"}})
    tampered = audit(filled, settle_seconds=0)
    assert kinds(tampered.findings) == {(1, "doc-1", MODIFIED_METADATA)}
    assert REGISTRY.get_sample_value("jefacture_vault_audit_findings") == 1


# Concurrency, interruptions, restarts

def run_in_threads(count: int, work) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(count)

    def run(number):
        barrier.wait()
        try:
            work(number)
        except BaseException as error:  # noqa: B036 - collected for the assertion
            errors.append(error)

    threads = [threading.Thread(target=run, args=(number,)) for number in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_concurrent_archives_make_one_contiguous_valid_chain(vault):
    def work(number):
        for index in range(5):
            archive(vault, f"doc-{number}-{index}", dossier_id=f"dossier-{number}")
        vault.set_legal_hold(f"doc-{number}-0", "litige")

    assert run_in_threads(8, work) == []
    entries = vault._entries()
    assert [entry.seq for entry in entries] == list(range(1, 49))
    assert all(entry.prev_hash == previous.entry_hash for previous, entry in zip(entries, entries[1:], strict=False))
    assert vault.verify() == [] and vault.checkpoint(ARCHIVED).seq == 48


def test_the_same_document_archived_concurrently_is_archived_once(vault):
    errors = run_in_threads(6, lambda number: archive(vault, "doc-1", now=ARCHIVED + timedelta(seconds=number)))
    assert len(errors) == 5 and all(isinstance(error, AlreadyArchived) for error in errors)
    assert [entry.op for entry in vault.history("doc-1")] == ["archive"] and vault.verify() == []


def test_an_archive_interrupted_before_its_ledger_entry_is_completed_when_the_event_comes_again(vault, database):
    archive(vault, "doc-1")
    database["ledger"].delete_one({"_id": 1})  # as if the process died between the record and its entry
    assert kinds(vault.verify()) == {(None, "doc-1", REMOVED_ENTRY)}

    with pytest.raises(AlreadyArchived):
        archive(vault, "doc-1", now=ARCHIVED + timedelta(minutes=5))
    assert vault.verify() == [] and vault.history("doc-1")[0].at == ARCHIVED


def test_a_redelivery_that_finds_the_document_archived_finishes_its_ledger_entry(vault, database):
    archive(vault, "doc-1")
    archive(vault, "doc-2")
    database["ledger"].delete_one({"_id": 2})  # as if the process died between the record and its entry

    vault.finish_archive("doc-2")
    vault.finish_archive("doc-2")
    vault.finish_archive("doc-1")

    assert [entry.op for entry in vault.history("doc-2")] == ["archive"] and vault.ledger_size() == 2
    assert vault.verify() == []


def test_a_hold_interrupted_after_its_ledger_entry_is_completed_when_asked_again(vault, database):
    archive(vault, "doc-1")
    vault.set_legal_hold("doc-1", "litige")
    # as if the process died between the entry and the record
    database["archive"].update_one({"_id": "doc-1"}, {"$set": {"legal_hold": False, "legal_hold_reason": None}})
    assert kinds(vault.verify()) == {(2, "doc-1", MODIFIED_METADATA)}

    assert vault.set_legal_hold("doc-1", "litige").legal_hold
    assert vault.verify() == [] and [entry.op for entry in vault.history("doc-1")] == ["archive", "legal_hold"]


def test_everything_survives_a_new_connection_and_a_new_vault(new_vault, settings, pki, tmp_path):
    vault = new_vault()
    records = [archive(vault, f"doc-{number}") for number in range(3)]
    vault.set_legal_hold("doc-1", "litige")
    checkpoint = vault.checkpoint(ARCHIVED)
    mongoengine.disconnect()

    connect(settings, "seal-vault")
    reopened = Vault(FileBlobStore(tmp_path / "blobs"), ecdsa_signer_from_pem(pki.key_file, pki.cert_file))

    assert reopened.get("doc-0") == records[0] and reopened.get("doc-1").legal_hold
    assert reopened.verify() == [] and reopened.latest_checkpoint() == checkpoint
    proof = reopened.inclusion_proof("doc-2")
    assert ledger.verify_inclusion(proof.entry.entry_hash, proof.proof, checkpoint.root)
    with pytest.raises(LegalHoldActive):
        reopened.delete("doc-1", AFTER_RETENTION)
    with pytest.raises(AlreadyArchived):
        archive(reopened, "doc-0")
    archive(reopened, "doc-3")
    assert [entry.seq for entry in reopened._entries()] == [1, 2, 3, 4, 5] and reopened.verify() == []


def test_the_checkpoint_signature_is_checked_with_the_seal_certificate(pki, tmp_path):
    signer = ecdsa_signer_from_pem(pki.key_file, pki.cert_file)
    signature = signer.sign(b"checkpoint")
    assert signer.verify(b"checkpoint", signature) and not signer.verify(b"checkpoinT", signature)
    other = ensure_dev_pki(tmp_path / "other")
    assert not ecdsa_signer_from_pem(other.key_file, other.cert_file).verify(b"checkpoint", signature)

