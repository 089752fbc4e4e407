"""Evidence bundles: everything needed to check one archived document offline, in one zip.

Layout (format "jefacture-evidence/1"):
  manifest.json              format, document id, creation time, sha256 of every other file
  original.<ext>             the bytes received, unchanged
  sealed.pdf | seal.p7s      the PAdES-sealed copy, or the detached CAdES signature over the original
  timestamp.tst              the RFC 3161 timestamp token of the seal (DER), when one was stored
  seal-signature-value.bin   the seal's signature value: the data the timestamp token covers
  certificates/*.pem         the seal certificate, its CA, the TSA certificate
  ledger/entry.json          the ledger entry that archived the document (hash-chained)
  ledger/proof.json          its Merkle inclusion proof and the tree root it leads to
  ledger/checkpoint.json     the signed checkpoint of that root (when one covers the entry)
  report.txt                 the validation report, for people
"""
import base64
import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone

from asn1crypto import cms
from pyhanko.pdf_utils.reader import PdfFileReader

from ..domain import ledger
from ..domain.archive import ArchiveRecord
from .pades import seal_signature
from .vault import InclusionProof

FORMAT = "jefacture-evidence/1"
PDF = "application/pdf"
EXTENSIONS = {PDF: ".pdf", "application/xml": ".xml", "text/xml": ".xml", "image/jpeg": ".jpg", "image/png": ".png"}


@dataclass
class Verdict:
    document_id: str = ""
    passed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed and bool(self.passed)

    def check(self, condition: bool, success: str, failure: str) -> bool:
        (self.passed if condition else self.failed).append(success if condition else failure)
        return condition

    def text(self) -> str:
        lines = [f"{'VALID' if self.ok else 'NOT VALID'}: evidence for document {self.document_id}"]
        lines += [f"  ok   {line}" for line in self.passed] + [f"  FAIL {line}" for line in self.failed]
        return "\n".join(lines)


def _entry_json(entry: ledger.LedgerEntry) -> dict:
    return {"seq": entry.seq, "op": entry.op, "document_id": entry.document_id,
            "at": json.loads(ledger.canonical_json(entry.at)), "record_digest": entry.record_digest,
            "blob_digests": list(entry.blob_digests), "prev_hash": entry.prev_hash, "entry_hash": entry.entry_hash}


def build_bundle(record: ArchiveRecord, files: dict[str, bytes], proof: InclusionProof,
                 certificates: dict[str, bytes], report: str) -> bytes:
    """`files` holds the original, the sealed copy and the timestamp token by the names of the layout."""
    contents = dict(files)
    contents.update({f"certificates/{name}.pem": pem for name, pem in certificates.items()})
    contents["ledger/entry.json"] = json.dumps(_entry_json(proof.entry), indent=2).encode()
    contents["ledger/proof.json"] = json.dumps({"tree_size": proof.tree_size, "root": proof.root,
                                                "proof": [list(step) for step in proof.proof]}, indent=2).encode()
    if proof.checkpoint:
        checkpoint = proof.checkpoint
        contents["ledger/checkpoint.json"] = json.dumps({
            "seq": checkpoint.seq, "root": checkpoint.root, "at": json.loads(ledger.canonical_json(checkpoint.at)),
            "signature": base64.b64encode(checkpoint.signature).decode(),
            "signed_message": "canonical JSON of {seq, root, at}; signature: detached CAdES-T (DER, base64)"},
            indent=2).encode()
    contents["report.txt"] = report.encode()
    manifest = {"format": FORMAT, "document_id": record.document_id,
                "created_at": datetime.now(timezone.utc).isoformat(),
                "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(contents.items())}}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("manifest.json", json.dumps(manifest, indent=2))
        for name, data in sorted(contents.items()):
            bundle.writestr(name, data)
    return buffer.getvalue()


def bundle_files(record: ArchiveRecord, read: Callable[[str], bytes]) -> dict[str, bytes]:
    files = {f"original{EXTENSIONS.get(record.media_type, '.bin')}": read(record.original_sha256)}
    if record.sealed_sha256:
        files["sealed.pdf" if (record.seal_format or "").startswith("PAdES") else "seal.p7s"] = \
            read(record.sealed_sha256)
    if record.timestamp_token_sha256:
        files["timestamp.tst"] = read(record.timestamp_token_sha256)
        files["seal-signature-value.bin"] = _signature_value(files)
    return files


def _signature_value(files: dict[str, bytes]) -> bytes:
    """So that `openssl ts -verify -data seal-signature-value.bin` checks the token with no PDF or CMS tooling."""
    if "sealed.pdf" in files:
        signer_info = seal_signature(PdfFileReader(io.BytesIO(files["sealed.pdf"]))).signer_info
    else:
        signer_info = cms.ContentInfo.load(files["seal.p7s"])["content"]["signer_infos"][0]
    return signer_info["signature"].native


MAX_BUNDLE_ENTRY_BYTES = 200 * 1024 * 1024


def _read_bundle(data: bytes, verdict: Verdict) -> dict[str, bytes] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as bundle:
            if any(info.file_size > MAX_BUNDLE_ENTRY_BYTES for info in bundle.infolist()):
                verdict.failed.append("a file in the bundle is larger than any document jefacture keeps")
                return None
            return {info.filename: bundle.read(info) for info in bundle.infolist() if not info.is_dir()}
    except zipfile.BadZipFile as error:
        verdict.failed.append(f"not a zip file: {error}")
        return None


def verify_bundle(data: bytes, check_seal: Callable[[dict[str, bytes], bytes], list[tuple[bool, str]]],
                  checkpoint_signed: Callable[[bytes, bytes, bytes], bool]) -> Verdict:
    """Check a bundle with nothing but its content: digests, ledger entry, inclusion proof, checkpoint, seal.

    `check_seal(files, ca_pem)` validates the seal and its timestamp; `checkpoint_signed(message, signature, ca_pem)`
    checks the checkpoint's detached CAdES signature. Both trust only the CA in the bundle.
    """
    verdict = Verdict()
    contents = _read_bundle(data, verdict)
    if contents is None:
        return verdict
    try:
        manifest = json.loads(contents.pop("manifest.json"))
    except (KeyError, ValueError):
        verdict.failed.append("manifest.json is missing or unreadable")
        return verdict
    verdict.document_id = manifest.get("document_id", "?")
    listed = manifest.get("files", {})
    for name, digest in sorted(listed.items()):
        actual = hashlib.sha256(contents[name]).hexdigest() if name in contents else None
        verdict.check(actual == digest, f"{name}: digest matches the manifest",
                      f"{name}: {'missing' if actual is None else 'modified (digest differs from the manifest)'}")
    extra = sorted(set(contents) - set(listed))
    verdict.check(not extra, "no file outside the manifest", f"files not in the manifest: {', '.join(extra)}")
    _verify_ledger(contents, verdict, checkpoint_signed)
    for passed, line in check_seal(contents, contents.get("certificates/ca.pem", b"")):
        (verdict.passed if passed else verdict.failed).append(line)
    return verdict


def _verify_ledger(contents: dict[str, bytes], verdict: Verdict, checkpoint_signed) -> None:
    try:
        entry = json.loads(contents["ledger/entry.json"])
        proof = json.loads(contents["ledger/proof.json"])
    except (KeyError, ValueError):
        verdict.failed.append("the ledger entry or its proof is missing or unreadable")
        return
    at = datetime.fromisoformat(entry["at"].replace("Z", "+00:00"))
    recomputed = ledger.entry_hash(entry["seq"], entry["op"], entry["document_id"], at, entry["record_digest"],
                                   entry["blob_digests"], entry["prev_hash"])
    verdict.check(recomputed == entry["entry_hash"], f"ledger entry {entry['seq']} hash recomputes",
                  f"ledger entry {entry['seq']} was altered (its hash does not recompute)")
    kept = {hashlib.sha256(data).hexdigest() for name, data in contents.items()
            if name.startswith(("original", "sealed", "seal.p7s", "timestamp"))}
    verdict.check(kept <= set(entry["blob_digests"]), "the ledger entry names exactly these files",
                  "a file of the bundle is not the one the ledger recorded")
    included = ledger.verify_inclusion(entry["entry_hash"], [tuple(step) for step in proof["proof"]], proof["root"])
    verdict.check(included, f"the entry is included in the ledger of {proof['tree_size']} entries",
                  "the inclusion proof does not lead to the stated root")
    if "ledger/checkpoint.json" not in contents:
        verdict.failed.append("no signed checkpoint covers this entry yet: export again after the next checkpoint")
        return
    checkpoint = json.loads(contents["ledger/checkpoint.json"])
    message = ledger.checkpoint_message(checkpoint["seq"], checkpoint["root"],
                                        datetime.fromisoformat(checkpoint["at"].replace("Z", "+00:00")))
    verdict.check(checkpoint["root"] == proof["root"], "the proof's root is the checkpoint's root",
                  "the proof's root differs from the checkpoint's root")
    signed = checkpoint_signed(message, base64.b64decode(checkpoint["signature"]),
                               contents.get("certificates/ca.pem", b""))
    verdict.check(signed, f"checkpoint {checkpoint['seq']} is signed with the seal key (CAdES-T)",
                  f"checkpoint {checkpoint['seq']} signature does not verify")
