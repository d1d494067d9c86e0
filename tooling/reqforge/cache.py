"""The parse cache under `.reqforge/cache/`: per-file results of the file stage.

An entry is reused only when the file's size, mtime and inode are unchanged *and* its mtime is
older than the moment the entry was computed by a safe margin (the "racy git" rule: a file
rewritten within the same timestamp tick would otherwise look unchanged). A recent file is
verified by its content hash instead. The whole cache is keyed by reqforge's version, the
Python version and a fingerprint of the configuration, and sealed with a BLAKE2 digest, so a
truncated, corrupt or foreign cache is discarded, never trusted: a cached run prints exactly
what a cold run prints.
"""

# implements: REQ-108

from __future__ import annotations

import hashlib
import marshal
import os
import sys
from pathlib import Path
from typing import Any

from reqforge import __version__
from reqforge.checks.similarity import SIGNATURE_VERSION

CACHE_DIR = ".reqforge/cache"
_MAGIC = b"reqforge-cache\n"
CACHE_FORMAT = 4  # bump whenever the layout of a cached value changes
_DIGEST_SIZE = 16
RACY_NS = 2_000_000_000  # FAT stores mtimes in 2 s steps; every other filesystem is finer

# (size, mtime_ns, inode, computed_at_ns, content digest, result)
Entry = tuple[int, int, int, int, bytes, Any]


def _header(fingerprint: str) -> bytes:
    # marshal's format and the similarity hashes depend on the interpreter; the signature
    # version changes whenever the near-duplicate sketch does.
    key = (
        f"format{CACHE_FORMAT}|{__version__}|{sys.version_info[:3]}|{sys.implementation.name}|{sys.maxsize}"
        f"|sig{SIGNATURE_VERSION}|{fingerprint}"
    )
    return _MAGIC + key.encode() + b"\n"


def content_digest(raw: bytes) -> bytes:
    return hashlib.blake2b(raw, digest_size=_DIGEST_SIZE).digest()


# implements: REQ-108
def read_sealed(path: Path, key: str) -> Any:
    """The value stored by `write_sealed(path, key, value)`, or None when the file is missing,
    was written for another key (version, interpreter, configuration) or is corrupt."""
    header = _header(key)
    if not cache_folder_is_safe(path):
        return None
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    if not blob.startswith(header) or len(blob) < len(header) + _DIGEST_SIZE:
        return None
    digest = blob[len(header) : len(header) + _DIGEST_SIZE]
    payload = blob[len(header) + _DIGEST_SIZE :]
    if hashlib.blake2b(payload, digest_size=_DIGEST_SIZE).digest() != digest:
        return None
    try:
        return marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None


def write_sealed(path: Path, key: str, value: Any) -> None:
    """Store a marshal-able value atomically; a read-only repository simply keeps no cache."""
    import tempfile  # only needed when something changed; it costs import time

    if not cache_folder_is_safe(path):
        return
    payload = marshal.dumps(value)
    digest = hashlib.blake2b(payload, digest_size=_DIGEST_SIZE).digest()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        gitignore = path.parent.parent / ".gitignore"
        if not gitignore.exists():
            gitignore.write_text("*\n", encoding="utf-8")
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".bin")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(_header(key) + digest + payload)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        return


def cache_folder_is_safe(path: Path) -> bool:
    """False when `.reqforge/` or its `cache/` is a symlink or leads out of the repository: the
    cache must never write (or read) outside the repository it belongs to."""
    cache_dir = path.parent
    reqforge_dir = cache_dir.parent
    root = reqforge_dir.parent
    if reqforge_dir.is_symlink() or cache_dir.is_symlink():
        return False
    real_root = os.path.realpath(root)
    real = os.path.realpath(cache_dir)
    return real == real_root or real.startswith(real_root + os.sep)


def cache_path(root: Path, name: str) -> Path:
    return root / CACHE_DIR / f"{name}.bin"


# implements: REQ-108
# implements: REQ-602
class ParseCache:
    """Per-file entries keyed by repository-relative path."""

    def __init__(
        self, root: Path, fingerprint: str, name: str = "parse", result_length: int = 5
    ) -> None:
        self.result_length = result_length
        self.path = cache_path(root, name)
        self.fingerprint = fingerprint
        self.entries: dict[str, Entry] = {}
        self.loaded = False

    def load(self) -> None:
        """Read the cache; anything unexpected leaves it empty."""
        entries = read_sealed(self.path, self.fingerprint)
        if isinstance(entries, dict):
            self.entries = entries
            self.loaded = True

    def lookup(self, rel: str, stat: os.stat_result, read: Any = None) -> Any:
        """The cached result for a file, or None when it cannot be trusted.

        `read` is a zero-argument callable returning the file's bytes, used to verify an entry
        whose timestamp is too recent to trust.
        """
        entry = self.entries.get(rel)
        if not isinstance(entry, tuple) or len(entry) != 6:
            return None
        size, mtime_ns, inode, computed_ns, digest, result = entry
        if not (isinstance(result, tuple) and len(result) == self.result_length):
            return None
        if size != stat.st_size or mtime_ns != stat.st_mtime_ns or inode != stat.st_ino:
            return None
        if stat.st_mtime_ns >= computed_ns - RACY_NS:
            if read is None:
                return None
            try:
                raw = read()
            except OSError:
                return None
            if content_digest(raw) != digest:
                return None
        return result

    def save(self, entries: dict[str, Entry]) -> None:
        write_sealed(self.path, self.fingerprint, entries)
