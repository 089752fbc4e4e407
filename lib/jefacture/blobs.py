"""Content-addressed, write-once file storage for original documents (claim check: events carry the sha256)."""
import hashlib
import os
import tempfile
from pathlib import Path


class BlobNotFound(KeyError):
    pass


class FileBlobStore:
    def __init__(self, root: Path):
        self.root = Path(root)

    def _path(self, sha256: str) -> Path:
        if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a sha256 digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, content: bytes) -> str:
        sha256 = hashlib.sha256(content).hexdigest()
        path = self._path(sha256)
        if path.exists():
            return sha256
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as tmp:
            tmp.write(content)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.chmod(tmp.name, 0o444)
        os.replace(tmp.name, path)
        return sha256

    def get(self, sha256: str) -> bytes:
        try:
            return self._path(sha256).read_bytes()
        except FileNotFoundError:
            raise BlobNotFound(sha256) from None

    def exists(self, sha256: str) -> bool:
        return self._path(sha256).exists()

    def digest_of_stored(self, sha256: str) -> str | None:
        """The sha256 recomputed from the stored bytes (differs if the file was altered); None if absent."""
        try:
            with self._path(sha256).open("rb") as file:
                return hashlib.file_digest(file, "sha256").hexdigest()
        except FileNotFoundError:
            return None

    def remove(self, sha256: str) -> None:
        """Only for documents whose retention ended: the vault decides, and records it in its ledger."""
        self._path(sha256).unlink(missing_ok=True)
