"""The vault's tamper-evident ledger: a hash chain of archive operations, a Merkle tree over it, signed checkpoints.

Hashing, so that anyone can recompute it:
- canonical JSON: keys sorted, separators (",", ":"), UTF-8, datetimes as ISO 8601 UTC to the millisecond
  ("2025-03-01T09:30:00.123Z", naive datetimes read as UTC);
- record_digest = sha256(canonical JSON of the archive record's metadata) in hex;
- entry_hash = sha256(canonical JSON of {"seq", "op", "document_id", "at", "record_digest", "blob_digests" (a list),
  "prev_hash"}) in hex; the first entry (seq 1) has prev_hash GENESIS;
- Merkle tree as in RFC 6962 over the entries in seq order: leaf = sha256(0x00 || entry hash bytes),
  node = sha256(0x01 || left || right), empty tree = sha256("");
- a checkpoint signs canonical JSON of {"seq", "root", "at"}: the root of the tree of entries 1..seq.
"""
import bisect
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Literal

Op = Literal["archive", "legal_hold", "release_hold", "delete"]
OPS = ("archive", "legal_hold", "release_hold", "delete")
GENESIS = "0" * 64

MODIFIED_BLOB = "modified blob"
MISSING_BLOB = "missing blob"
MODIFIED_METADATA = "modified metadata"
REMOVED_ENTRY = "removed entry"
REORDERED_ENTRIES = "reordered entries"
BAD_CHECKPOINT_SIGNATURE = "bad checkpoint signature"
CHECKPOINT_MISMATCH = "checkpoint mismatch"


def _json_default(value):
    if isinstance(value, datetime):
        moment = value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    raise TypeError(f"cannot put a {type(value).__name__} in canonical JSON")


def canonical_json(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=_json_default).encode("utf-8")


def record_digest(metadata: Mapping) -> str:
    return hashlib.sha256(canonical_json(dict(metadata))).hexdigest()


@dataclass(frozen=True)
class LedgerEntry:
    seq: int
    op: Op
    document_id: str
    at: datetime
    record_digest: str
    blob_digests: tuple[str, ...]
    prev_hash: str
    entry_hash: str

    def computed_hash(self) -> str:
        return entry_hash(self.seq, self.op, self.document_id, self.at, self.record_digest, self.blob_digests,
                          self.prev_hash)


def entry_hash(seq: int, op: str, document_id: str, at: datetime, record_digest: str,
               blob_digests: Sequence[str], prev_hash: str) -> str:
    fields = {"seq": seq, "op": op, "document_id": document_id, "at": at, "record_digest": record_digest,
              "blob_digests": list(blob_digests), "prev_hash": prev_hash}
    return hashlib.sha256(canonical_json(fields)).hexdigest()


def append(prev: LedgerEntry | None, op: Op, document_id: str, at: datetime, record_digest: str,
           blob_digests: Sequence[str]) -> LedgerEntry:
    """The entry that follows `prev` (or starts the ledger), linked to it by hash."""
    if op not in OPS:
        raise ValueError(f"unknown ledger operation {op!r}")
    seq = prev.seq + 1 if prev else 1
    prev_hash = prev.entry_hash if prev else GENESIS
    blob_digests = tuple(blob_digests)
    return LedgerEntry(seq, op, document_id, at, record_digest, blob_digests, prev_hash,
                       entry_hash(seq, op, document_id, at, record_digest, blob_digests, prev_hash))


# Merkle tree (RFC 6962 section 2.1), hashes given and returned in hex.

def _leaf(entry_hash_hex: str) -> bytes:
    return hashlib.sha256(b"\x00" + bytes.fromhex(entry_hash_hex)).digest()


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(size: int) -> int:
    """The largest power of two smaller than `size` (size > 1)."""
    return 1 << ((size - 1).bit_length() - 1)


def _root(leaves: Sequence[bytes]) -> bytes:
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = _split(len(leaves))
    return _node(_root(leaves[:k]), _root(leaves[k:]))


def merkle_roots(entry_hashes: Iterable[str], sizes: Iterable[int]) -> dict[int, str]:
    """The root of the tree of the first `size` entries, for each size, in one pass over the entries."""
    wanted, roots = set(sizes), {}
    if 0 in wanted:
        roots[0] = _root([]).hex()
    subtrees: list[tuple[int, bytes]] = []  # the perfect subtrees (height, hash) the tree so far splits into
    for count, entry_hash_hex in enumerate(entry_hashes, 1):
        height, node = 0, _leaf(entry_hash_hex)
        while subtrees and subtrees[-1][0] == height:
            node, height = _node(subtrees.pop()[1], node), height + 1
        subtrees.append((height, node))
        if count in wanted:
            root = subtrees[-1][1]
            for _, left in reversed(subtrees[:-1]):
                root = _node(left, root)
            roots[count] = root.hex()
    return roots


def merkle_root(entry_hashes: Sequence[str]) -> str:
    return merkle_roots(entry_hashes, [len(entry_hashes)])[len(entry_hashes)]


def inclusion_proof(entry_hashes: Sequence[str], index: int) -> list[tuple[str, str]]:
    """The audit path of leaf `index` (0-based), leaf to root: (side of the sibling, "left" or "right", its hash)."""
    if not 0 <= index < len(entry_hashes):
        raise IndexError(f"no entry at index {index} in a tree of {len(entry_hashes)}")
    leaves = [_leaf(h) for h in entry_hashes]
    path: list[tuple[str, str]] = []
    while len(leaves) > 1:
        k = _split(len(leaves))
        if index < k:
            path.append(("right", _root(leaves[k:]).hex()))
            leaves = leaves[:k]
        else:
            path.append(("left", _root(leaves[:k]).hex()))
            leaves, index = leaves[k:], index - k
    return path[::-1]


def verify_inclusion(entry_hash_hex: str, proof: Iterable[tuple[str, str]], root: str) -> bool:
    node = _leaf(entry_hash_hex)
    for side, sibling in proof:
        node = _node(bytes.fromhex(sibling), node) if side == "left" else _node(node, bytes.fromhex(sibling))
    return node.hex() == root


@dataclass(frozen=True)
class Checkpoint:
    """The signed root of the tree of entries 1..seq."""
    seq: int
    root: str
    at: datetime
    signature: bytes

    def message(self) -> bytes:
        return checkpoint_message(self.seq, self.root, self.at)


def checkpoint_message(seq: int, root: str, at: datetime) -> bytes:
    return canonical_json({"seq": seq, "root": root, "at": at})


@dataclass(frozen=True)
class Finding:
    seq: int | None
    document_id: str | None
    kind: str
    detail: str

    def __str__(self) -> str:
        where = f"entry {self.seq}" if self.seq is not None else "no entry"
        return f"{where} [{self.document_id or '-'}] {self.kind}: {self.detail}"


def verify(entries: Iterable[LedgerEntry], records_by_document: Mapping[str, Mapping],
           blob_exists_and_digest: Callable[[str], str | None], checkpoints: Iterable[Checkpoint],
           verify_signature: Callable[[bytes, bytes], bool], every_signature: bool = True) -> list[Finding]:
    """Recompute the whole ledger against the records, the blobs and the checkpoints; every discrepancy found.

    `entries` are as stored (each at its storage seq); `records_by_document` holds each archive record's current
    metadata; `blob_exists_and_digest(sha256)` gives the sha256 recomputed from the stored file, None if it is gone.
    Every checkpoint's root is compared; without `every_signature`, only the latest checkpoint's signature is
    checked (a rewritten ledger changes the latest root too, and signatures may be slow to check).
    """
    entries = sorted(entries, key=lambda entry: entry.seq)
    findings, true_seq = _chain_findings(entries, checkpoints, verify_signature, every_signature)
    findings += _document_findings(entries, true_seq, records_by_document, blob_exists_and_digest)
    return sorted(findings, key=lambda f: (f.seq is None, f.seq or 0, f.kind))


def verify_chain(entries: Iterable[LedgerEntry], checkpoints: Iterable[Checkpoint],
                 verify_signature: Callable[[bytes, bytes], bool], every_signature: bool = True) -> list[Finding]:
    """The ledger's own consistency (hashes, links, checkpoints), without looking at records or files."""
    findings, _ = _chain_findings(sorted(entries, key=lambda entry: entry.seq), checkpoints, verify_signature,
                                  every_signature)
    return sorted(findings, key=lambda f: (f.seq or 0, f.kind))


def _chain_findings(entries: list[LedgerEntry], checkpoints: Iterable[Checkpoint],
                    verify_signature: Callable[[bytes, bytes], bool],
                    every_signature: bool) -> tuple[list[Finding], dict[int, int]]:
    findings: list[Finding] = []
    true_seq = _place_entries(entries, findings)
    findings += _link_findings(entries, {finding.seq for finding in findings})
    findings += _checkpoint_findings(entries, checkpoints, verify_signature, every_signature)
    return findings, true_seq


def _place_entries(entries: list[LedgerEntry], findings: list[Finding]) -> dict[int, int]:
    """Where each stored entry belongs: its own seq if it hashes right there, else the seq where it does."""
    successor = {entry.prev_hash: entry.seq for entry in entries}
    last = entries[-1].seq if entries else 0
    true_seq = {}
    for entry in entries:
        if entry.computed_hash() == entry.entry_hash:
            true_seq[entry.seq] = entry.seq
            continue
        candidates = [successor[entry.entry_hash] - 1] if entry.entry_hash in successor else []
        home = next((seq for seq in (*candidates, last, last + 1) if seq != entry.seq
                     and replace(entry, seq=seq).computed_hash() == entry.entry_hash), None)
        if home is not None:
            true_seq[entry.seq] = home
            findings.append(Finding(entry.seq, entry.document_id, REORDERED_ENTRIES,
                                    f"the entry stored at {entry.seq} is entry {home} of the chain"))
        else:
            true_seq[entry.seq] = entry.seq
            findings.append(Finding(entry.seq, entry.document_id, MODIFIED_METADATA,
                                    "the ledger entry's fields no longer match its hash"))
    return true_seq


def _link_findings(entries: list[LedgerEntry], flagged: set[int | None]) -> list[Finding]:
    findings = []
    prev_seq, prev_hash = 0, GENESIS
    for entry in entries:
        if entry.seq > prev_seq + 1:
            missing = (f"entry {prev_seq + 1} is missing" if entry.seq == prev_seq + 2
                       else f"entries {prev_seq + 1} to {entry.seq - 1} are missing")
            findings.append(Finding(prev_seq + 1, None, REMOVED_ENTRY, missing))
        elif entry.prev_hash != prev_hash and not {entry.seq, prev_seq} & flagged:
            # Both entries hash right, so the predecessor was replaced by another, well-formed one.
            where = "the chain's start" if prev_seq == 0 else f"another version of entry {prev_seq}"
            findings.append(Finding(prev_seq or entry.seq, entry.document_id if prev_seq == 0 else None,
                                    MODIFIED_METADATA, f"entry {entry.seq} links to {where}"))
        prev_seq, prev_hash = entry.seq, entry.entry_hash
    return findings


def _document_findings(entries: list[LedgerEntry], true_seq: dict[int, int], records: Mapping[str, Mapping],
                       blob_digest: Callable[[str], str | None]) -> list[Finding]:
    by_document: dict[str, list[LedgerEntry]] = {}
    for entry in sorted(entries, key=lambda entry: true_seq[entry.seq]):
        by_document.setdefault(entry.document_id, []).append(entry)
    findings = []
    for document_id, metadata in records.items():
        if document_id not in by_document:
            findings.append(Finding(None, document_id, REMOVED_ENTRY, "the archived document has no ledger entry"))
        elif record_digest(metadata) != (last := by_document[document_id][-1]).record_digest:
            findings.append(Finding(last.seq, document_id, MODIFIED_METADATA,
                                    f"the archive record differs from the one entry {last.seq} recorded"))
    for document_id, document_entries in by_document.items():
        last = document_entries[-1]
        if document_id not in records:
            findings.append(Finding(last.seq, document_id, MODIFIED_METADATA, "the archive record is missing"))
        if last.op == "delete":
            continue  # deleted after its retention: its files are expected to be gone
        recorded_at = next((e.seq for e in document_entries if e.op == "archive"), document_entries[0].seq)
        for digest in last.blob_digests:
            actual = blob_digest(digest)
            if actual is None:
                findings.append(Finding(recorded_at, document_id, MISSING_BLOB, f"file {digest} is missing"))
            elif actual != digest:
                findings.append(Finding(recorded_at, document_id, MODIFIED_BLOB,
                                        f"file {digest} now hashes to {actual}"))
    return findings


def _checkpoint_findings(entries: list[LedgerEntry], checkpoints: Iterable[Checkpoint],
                         verify_signature: Callable[[bytes, bytes], bool], every_signature: bool) -> list[Finding]:
    findings = []
    seqs = [entry.seq for entry in entries]
    last = seqs[-1] if seqs else 0
    checkpoints = sorted(checkpoints, key=lambda checkpoint: checkpoint.seq)
    covered = {checkpoint.seq: bisect.bisect_right(seqs, checkpoint.seq) for checkpoint in checkpoints}
    roots = merkle_roots((entry.entry_hash for entry in entries), covered.values())
    for checkpoint in checkpoints:
        if (every_signature or checkpoint is checkpoints[-1]) and not verify_signature(checkpoint.message(),
                                                                                      checkpoint.signature):
            findings.append(Finding(checkpoint.seq, None, BAD_CHECKPOINT_SIGNATURE,
                                    f"checkpoint {checkpoint.seq} is not signed by the vault's key"))
        if checkpoint.seq > last:
            findings.append(Finding(last + 1, None, REMOVED_ENTRY,
                                    f"checkpoint {checkpoint.seq} covers entries up to {checkpoint.seq} "
                                    f"but the ledger ends at {last}"))
        elif roots[covered[checkpoint.seq]] != checkpoint.root:
            findings.append(Finding(checkpoint.seq, None, CHECKPOINT_MISMATCH,
                                    f"entries 1 to {checkpoint.seq} no longer have the root that checkpoint "
                                    f"{checkpoint.seq} signed"))
    return findings
