"""The source files `scan` reads, and reading one of them safely.

Listing: one `git ls-files` inside a git work tree, so `.gitignore` is respected; a plain walk
elsewhere (hidden and build folders skipped, links not followed). Scan entries leading outside
the root are dropped.

Reading: the source tree is not trusted to be tidy, so a file is read only when it is a regular
file (never a FIFO or a device: opened non-blocking, checked with fstat), at most `max_bytes`
long, not binary (a NUL byte in the first 8 KiB) and, if it is a symbolic link, one that stays
inside the root.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from reqforge.cache import file_signature
from reqforge.safe_read import is_inside as _inside
from reqforge.safe_read import read_regular

MAX_FILE_BYTES = 2 * 1024 * 1024
BINARY_SNIFF_BYTES = 8192
SKIP_DIRS = frozenset(
    {"node_modules", ".venv", "venv", "__pycache__", "dist", "build", "target"}
)  # plus every hidden folder, when walking outside git

FileStat = tuple[int, int, int, int]  # `cache.file_signature` of what was read


# --- listing the files -----------------------------------------------------------------------


def _scan_dirs(root: Path, scan_dirs: Sequence[str], root_real: str) -> list[str]:
    """The scan entries as clean POSIX paths relative to the root; those outside it dropped."""
    out: list[str] = []
    for entry in scan_dirs:
        full = os.path.normpath(os.path.join(root, entry))
        if not _inside(os.path.realpath(full), root_real):
            continue
        rel = os.path.relpath(full, root).replace(os.sep, "/")
        out.append("." if rel in ("", ".") else rel)
    return list(dict.fromkeys(out))


def _git_files(root: Path, dirs: Sequence[str]) -> list[str] | None:
    """Tracked and untracked-not-ignored files under `dirs`, or None outside a git work tree."""
    from reqforge.git import GitError, open_repository

    try:
        return open_repository(root).list_files(dirs)
    except GitError:
        return None


def _walk_files(root: Path, dirs: Sequence[str]) -> list[str]:
    """Files under `dirs` without git: hidden and build folders skipped, links not followed."""
    out: list[str] = []
    for rel in dirs:
        top = os.path.join(root, rel)
        if os.path.isfile(top):
            out.append(rel)
            continue
        for folder, subdirs, files in os.walk(top):
            subdirs[:] = sorted(d for d in subdirs if not d.startswith(".") and d not in SKIP_DIRS)
            base = os.path.relpath(folder, root).replace(os.sep, "/")
            prefix = "" if base == "." else base + "/"
            out.extend(prefix + name for name in files)
    return out


# implements: REQ-401
def list_files(root: Path, scan_dirs: Sequence[str]) -> list[str]:
    """The files `scan` reads under `scan_dirs`: POSIX paths relative to `root`, sorted, each
    once (``"."`` for the whole tree; entries outside `root` are ignored)."""
    root_real = os.path.realpath(root)
    dirs = _scan_dirs(root, scan_dirs, root_real)
    if not dirs:
        return []
    files = _git_files(root, dirs)
    if files is None:
        files = _walk_files(root, dirs)
    return sorted({os.path.normpath(f).replace(os.sep, "/") for f in files})


# --- reading one file ------------------------------------------------------------------------


def read_source(full: str, root_real: str, max_bytes: int) -> bytes | None:
    """The bytes of the file at `full`, or None: unreadable, not a regular file, over
    `max_bytes`, binary, or a symbolic link leading outside `root_real` (a resolved path)."""
    return read_source_stat(full, root_real, max_bytes)[0]


def read_source_stat(
    full: str, root_real: str, max_bytes: int
) -> tuple[bytes | None, FileStat | None]:
    """`read_source`, with the `cache.file_signature` of what was read, for the scan cache."""
    try:
        data, info = read_regular(full, max_bytes, inside_root=root_real)
    except OSError:  # refused (outside, not regular, too large) or unreadable: not scanned
        return None, None
    if data.find(b"\0", 0, BINARY_SNIFF_BYTES) != -1:
        return None, None
    return data, file_signature(info)
