import hashlib
import hmac
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from jefacture_seal_vault.domain import ledger
from jefacture_seal_vault.domain.ledger import (
    BAD_CHECKPOINT_SIGNATURE,
    CHECKPOINT_MISMATCH,
    GENESIS,
    MISSING_BLOB,
    MODIFIED_BLOB,
    MODIFIED_METADATA,
    REMOVED_ENTRY,
    REORDERED_ENTRIES,
    Checkpoint,
    append,
    canonical_json,
    inclusion_proof,
    merkle_root,
    merkle_roots,
    record_digest,
    verify_inclusion,
)

KEY = b"checkpoint key of the test"
START = datetime(2025, 3, 14, 9, 0, tzinfo=timezone.utc)

# RFC 6962 reference vectors (certificate-transparency, trillian testonly/constants.go): leaves, roots, paths.
CT_LEAVES = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
CT_ROOTS = ["e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"]
CT_PATHS = {(0, 8): ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                     "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                     "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"],
            (5, 8): ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                     "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                     "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]}


def sign(message: bytes) -> bytes:
    return hmac.new(KEY, message, "sha256").digest()


def signed_by_the_vault(message: bytes, signature: bytes) -> bool:
    return hmac.compare_digest(sign(message), signature)


class Archive:
    """Records, files, ledger and checkpoints in memory, written the way the vault writes them."""

    def __init__(self):
        self.records: dict[str, dict] = {}
        self.files: dict[str, bytes] = {}
        self.entries: list[ledger.LedgerEntry] = []
        self.checkpoints: list[Checkpoint] = []
        self.clock = START

    def _record(self, op: str, document_id: str) -> None:
        self.clock += timedelta(minutes=1)
        record = self.records[document_id]
        blobs = (record["original_sha256"], record["sealed_sha256"])
        self.entries.append(append(self.entries[-1] if self.entries else None, op, document_id, self.clock,
                                   record_digest(record), blobs))

    def archive(self, document_id: str) -> None:
        original = f"original of {document_id}".encode()
        sealed = original + b" + seal"
        for content in (original, sealed):
            self.files[hashlib.sha256(content).hexdigest()] = content
        self.records[document_id] = {
            "document_id": document_id, "dossier_id": "dossier-1", "legal_hold": False, "deleted_at": None,
            "original_sha256": hashlib.sha256(original).hexdigest(),
            "sealed_sha256": hashlib.sha256(sealed).hexdigest(), "archived_at": self.clock}
        self._record("archive", document_id)

    def hold(self, document_id: str) -> None:
        self.records[document_id]["legal_hold"] = True
        self._record("legal_hold", document_id)

    def delete(self, document_id: str) -> None:
        record = self.records[document_id]
        record["deleted_at"] = self.clock
        self._record("delete", document_id)
        for digest in (record["original_sha256"], record["sealed_sha256"]):
            del self.files[digest]

    def checkpoint(self) -> None:
        root, seq = merkle_root([entry.entry_hash for entry in self.entries]), len(self.entries)
        self.checkpoints.append(Checkpoint(seq, root, self.clock, sign(ledger.checkpoint_message(seq, root,
                                                                                                 self.clock))))

    def file_digest(self, sha256: str) -> str | None:
        content = self.files.get(sha256)
        return hashlib.sha256(content).hexdigest() if content is not None else None

    def findings(self) -> set[tuple[int | None, str | None, str]]:
        found = ledger.verify(self.entries, self.records, self.file_digest, self.checkpoints, signed_by_the_vault)
        return {(finding.seq, finding.document_id, finding.kind) for finding in found}


@pytest.fixture
def archive() -> Archive:
    """Entries: 1 archive doc-1, 2 archive doc-2, 3 archive doc-3, 4 legal_hold doc-2, 5 archive doc-4,
    checkpoint at 5, then 6 archive doc-5."""
    archive = Archive()
    for document_id in ("doc-1", "doc-2", "doc-3"):
        archive.archive(document_id)
    archive.hold("doc-2")
    archive.archive("doc-4")
    archive.checkpoint()
    archive.archive("doc-5")
    return archive


def test_canonical_json_sorts_keys_has_no_spaces_and_writes_utc_datetimes_to_the_millisecond():
    paris = timezone(timedelta(hours=1))
    value = {"b": [1, "é"], "a": datetime(2025, 3, 14, 10, 30, 0, 123987, tzinfo=paris),
             "c": datetime(2025, 3, 14, 9, 30)}
    assert canonical_json(value) == '{"a":"2025-03-14T09:30:00.123Z","b":[1,"é"],"c":"2025-03-14T09:30:00.000Z"}' \
        .encode()


def test_the_entry_hash_is_the_sha256_of_the_documented_canonical_serialisation():
    entry = append(None, "archive", "doc-1", START, "d" * 64, ["a" * 64, "b" * 64])
    serialised = ('{"at":"2025-03-14T09:00:00.000Z","blob_digests":["' + "a" * 64 + '","' + "b" * 64 + '"],'
                  '"document_id":"doc-1","op":"archive","prev_hash":"' + GENESIS + '","record_digest":"'
                  + "d" * 64 + '","seq":1}')
    assert entry.entry_hash == hashlib.sha256(serialised.encode()).hexdigest()


def test_each_entry_follows_the_previous_one_and_links_to_its_hash():
    first = append(None, "archive", "doc-1", START, "d" * 64, ["a" * 64])
    second = append(first, "legal_hold", "doc-1", START, "e" * 64, ["a" * 64])
    assert (first.seq, first.prev_hash) == (1, GENESIS)
    assert (second.seq, second.prev_hash) == (2, first.entry_hash)
    assert second.entry_hash == second.computed_hash() != first.entry_hash


def test_an_unknown_operation_is_not_appended():
    with pytest.raises(ValueError, match="unknown ledger operation 'update'"):
        append(None, "update", "doc-1", START, "d" * 64, [])


def test_merkle_roots_match_the_rfc_6962_reference_vectors():
    for size, root in enumerate(CT_ROOTS):
        assert merkle_root(CT_LEAVES[:size]) == root
    assert merkle_roots(CT_LEAVES, range(9)) == dict(enumerate(CT_ROOTS))


def test_inclusion_proofs_match_the_rfc_6962_reference_audit_paths():
    for (index, size), path in CT_PATHS.items():
        proof = inclusion_proof(CT_LEAVES[:size], index)
        assert [sibling for _, sibling in proof] == path
        assert verify_inclusion(CT_LEAVES[index], proof, CT_ROOTS[size])
    assert [side for side, _ in inclusion_proof(CT_LEAVES, 5)] == ["left", "right", "left"]


def test_every_entry_of_trees_of_every_size_has_a_proof_that_verifies_against_the_root():
    hashes = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(33)]
    for size in range(1, 34):
        root = merkle_root(hashes[:size])
        for index in range(size):
            assert verify_inclusion(hashes[index], inclusion_proof(hashes[:size], index), root), (size, index)


def test_a_proof_does_not_verify_another_entry_or_another_root():
    hashes = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(11)]
    proof = inclusion_proof(hashes, 6)
    assert not verify_inclusion(hashes[5], proof, merkle_root(hashes))
    assert not verify_inclusion(hashes[6], proof, merkle_root(hashes[:10]))
    assert not verify_inclusion(hashes[6], proof[:-1], merkle_root(hashes))


def test_an_untouched_archive_verifies_clean_even_with_deleted_files(archive):
    archive.delete("doc-3")
    archive.checkpoint()
    assert archive.findings() == set()


def test_one_byte_changed_in_a_file_is_a_modified_blob_at_the_entry_that_archived_it(archive):
    digest = archive.records["doc-2"]["sealed_sha256"]
    archive.files[digest] = b"X" + archive.files[digest][1:]
    assert archive.findings() == {(2, "doc-2", MODIFIED_BLOB)}


def test_a_file_gone_from_a_live_document_is_a_missing_blob(archive):
    del archive.files[archive.records["doc-4"]["original_sha256"]]
    assert archive.findings() == {(5, "doc-4", MISSING_BLOB)}


def test_an_edited_record_is_modified_metadata_at_its_last_entry(archive):
    archive.records["doc-2"]["dossier_id"] = "dossier-2"
    archive.records["doc-5"]["legal_hold"] = True
    assert archive.findings() == {(4, "doc-2", MODIFIED_METADATA), (6, "doc-5", MODIFIED_METADATA)}


def test_an_edited_ledger_entry_is_modified_metadata_at_that_entry(archive):
    archive.entries[2] = replace(archive.entries[2], at=START - timedelta(days=1))
    assert archive.findings() == {(3, "doc-3", MODIFIED_METADATA)}


def test_an_entry_rewritten_with_a_fresh_hash_breaks_the_link_of_the_next_and_the_checkpoint(archive):
    forged = replace(archive.entries[3], op="release_hold")
    archive.entries[3] = replace(forged, entry_hash=forged.computed_hash())
    assert archive.findings() == {(4, None, MODIFIED_METADATA), (5, None, CHECKPOINT_MISMATCH)}


def test_a_removed_entry_is_reported_at_its_seq(archive):
    del archive.entries[2]
    assert archive.findings() == {(3, None, REMOVED_ENTRY), (None, "doc-3", REMOVED_ENTRY),
                                  (5, None, CHECKPOINT_MISMATCH)}


def test_entries_removed_from_the_end_after_a_checkpoint_are_reported(archive):
    del archive.entries[4:]
    del archive.records["doc-4"], archive.records["doc-5"]
    assert archive.findings() == {(5, None, REMOVED_ENTRY)}


def test_two_swapped_entries_are_reported_as_reordered_at_both_places(archive):
    second, fifth = archive.entries[1], archive.entries[4]
    archive.entries[1], archive.entries[4] = replace(fifth, seq=2), replace(second, seq=5)
    assert archive.findings() == {(2, "doc-4", REORDERED_ENTRIES), (5, "doc-2", REORDERED_ENTRIES),
                                  (5, None, CHECKPOINT_MISMATCH)}


def test_swapping_the_last_entry_is_reported_as_reordered_too(archive):
    third, last = archive.entries[2], archive.entries[5]
    archive.entries[2], archive.entries[5] = replace(last, seq=3), replace(third, seq=6)
    assert archive.findings() == {(3, "doc-5", REORDERED_ENTRIES), (6, "doc-3", REORDERED_ENTRIES),
                                  (5, None, CHECKPOINT_MISMATCH)}


def test_a_checkpoint_not_signed_by_the_vault_key_is_reported(archive):
    forged = archive.checkpoints[0]
    archive.checkpoints[0] = replace(forged, signature=hmac.new(b"another key", forged.message(), "sha256").digest())
    assert archive.findings() == {(5, None, BAD_CHECKPOINT_SIGNATURE)}


def test_a_checkpoint_whose_root_is_not_the_ledgers_is_a_mismatch(archive):
    checkpoint = archive.checkpoints[0]
    root = merkle_root([entry.entry_hash for entry in archive.entries[:4]])
    archive.checkpoints[0] = replace(checkpoint, root=root,
                                     signature=sign(ledger.checkpoint_message(5, root, checkpoint.at)))
    assert archive.findings() == {(5, None, CHECKPOINT_MISMATCH)}


def test_without_every_signature_only_the_latest_checkpoint_signature_is_checked(archive):
    archive.checkpoint()
    older, latest = archive.checkpoints
    forged = [replace(older, signature=b"forged"), latest]
    found = ledger.verify(archive.entries, archive.records, archive.file_digest, forged, signed_by_the_vault,
                          every_signature=False)
    assert found == []
    forged = [older, replace(latest, signature=b"forged")]
    found = ledger.verify(archive.entries, archive.records, archive.file_digest, forged, signed_by_the_vault,
                          every_signature=False)
    assert [(finding.seq, finding.kind) for finding in found] == [(6, BAD_CHECKPOINT_SIGNATURE)]
