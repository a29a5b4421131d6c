"""Content-addressed file storage: a file's path is its SHA-256.

Writing the same bytes twice stores them once. A blob written by a request that then rolls
back is an orphan, never a loss; nothing here deletes blobs that rows still name.
"""

import errno
import hashlib
import os
import shutil
import tempfile
from pathlib import Path

# The store cannot take the file: full, over quota, mounted read-only, or not ours to write.
UNAVAILABLE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES,
                                errno.EPERM})
DEFAULT_MIN_FREE = 512 * 1024 * 1024


class StoreUnavailable(Exception):
    """The file store refused a write (full or read-only); the request must answer 503."""


class BlobStore:
    def __init__(self, root: str | os.PathLike, min_free: int = DEFAULT_MIN_FREE):
        self.root = Path(root)
        self.min_free = min_free  # health reports trouble below this many free bytes

    def path(self, sha256: str) -> Path:
        if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if target.exists():
            return digest
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            # Write then rename: readers never see a half-written blob.
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            if exc.errno in UNAVAILABLE_ERRNOS:
                raise StoreUnavailable(errno.errorcode.get(exc.errno, "OSError")) from exc
            raise
        return digest

    def get(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

    def check(self) -> bool:
        self.root.mkdir(parents=True, exist_ok=True)
        return os.access(self.root, os.W_OK)

    def free_bytes(self) -> int:
        return shutil.disk_usage(self.root).free
