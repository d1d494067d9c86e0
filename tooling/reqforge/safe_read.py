"""Reading one file safely: the reader behind every file reqforge reads (SPEC 6a).

Requirement files, `customers.yaml`, `reqforge.toml`, JUnit results, source files for markers and
cache files all come from a repository that a pull request can change, so a path there may be a
symbolic link to anything (`/etc/passwd`, `/dev/zero`), a FIFO that blocks the first `read`, or a
file of many gigabytes. A file is therefore read only when all of this holds:

* it is opened non-blocking and checked with `fstat` on the opened descriptor (never a hang on a
  FIFO, and no race between checking and reading): it must be a regular file;
* it is at most `limit` bytes, before reading and while reading (a file that grows is refused);
* its path does not lead outside the repository: a final symbolic link is followed only when it
  resolves inside the root given (`read_regular`); `read_inside` resolves the whole path, so a
  linked parent folder is caught too.

Anything else raises `Refused`, an `OSError` whose message says why in words a user can act on;
callers turn it into a finding (`check`) or a configuration error (exit 2).
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable
from pathlib import Path

from reqforge.i18n import N_, Text

_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # opening a FIFO for reading would block otherwise
_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0) | _O_NONBLOCK
_CHUNK = 65536
_KINDS = (
    (stat.S_ISDIR, N_("a folder")),
    (stat.S_ISFIFO, N_("a FIFO")),
    (stat.S_ISCHR, N_("a character device")),
    (stat.S_ISBLK, N_("a block device")),
    (stat.S_ISSOCK, N_("a socket")),
)


class Refused(OSError):
    """A file reqforge will not read; `str()` is the reason (`reason`, a `Text`, to say it in
    another language). `too_large` marks a size refusal (RF004 for a requirement file) apart
    from the others (RF001)."""

    def __init__(self, reason: str, *, too_large: bool = False) -> None:
        super().__init__(errno.EPERM, reason)
        self.reason = reason
        self.too_large = too_large

    def __str__(self) -> str:
        return str(self.strerror)


def is_inside(path: str, root_real: str) -> bool:
    """Whether the resolved `path` is `root_real` (a resolved folder) or lies under it."""
    return path == root_real or path.startswith(root_real.rstrip(os.sep) + os.sep)


def read_inside(path: Path | str, root: Path | str, limit: int) -> bytes:
    """The bytes of the regular file at `path`, which must resolve (every folder and link on
    the way) to a place inside the folder `root`, of at most `limit` bytes.

    Raises `Refused` (why), or `OSError` from the system (a missing file is FileNotFoundError).
    """
    root_real = os.path.realpath(root)
    if not is_inside(os.path.realpath(path), root_real):
        if os.path.lexists(path):
            raise Refused(
                Text("it leads through a symbolic link to outside the repository; not read")
            )
        raise Refused(Text("it lies outside the repository; not read"))
    return read_regular(path, limit, inside_root=root_real)[0]


def inside_reader(root: Path | str, limit: int) -> Callable[[Path | str], bytes]:
    """`read_inside` for many files in a few folders (every requirement body of a site): each
    folder is resolved once, then each file is read by `read_regular`, which follows a final
    symbolic link only when it resolves inside `root`. The same files are refused as by
    `read_inside`; a folder replaced by a link between two reads is not noticed, as it is not
    between `read_inside`'s check and its read."""
    root_real = os.path.realpath(root)
    folders: dict[str, bool] = {}

    def read(path: Path | str) -> bytes:
        # Not normalised: `link/..` must resolve through the link, as the open below does.
        folder = os.path.dirname(path) or "."
        inside = folders.get(folder)
        if inside is None:
            inside = folders[folder] = is_inside(os.path.realpath(folder), root_real)
        if not inside:
            return read_inside(path, root_real, limit)  # refuses, saying why
        return read_regular(path, limit, inside_root=root_real)[0]

    return read


def read_regular(
    path: Path | str, limit: int, *, inside_root: str | None = None
) -> tuple[bytes, os.stat_result]:
    """The bytes and `stat` of the regular file at `path`, of at most `limit` bytes.

    A symbolic link as the last part of `path` is followed only when `inside_root` (a resolved
    folder) is given and the link resolves inside it; without it, links are refused. The folders
    above the file are the caller's to trust (discovery walks them; `read_inside` checks them).
    Raises `Refused` or the system's `OSError`.
    """
    try:
        fd = os.open(path, _FLAGS | _O_NOFOLLOW)
    except OSError:
        # O_NOFOLLOW refuses a symbolic link (ELOOP): follow it only when it stays inside.
        if not os.path.islink(path):
            raise
        if inside_root is None:
            raise Refused(Text("it is a symbolic link; not followed")) from None
        if not is_inside(os.path.realpath(path), inside_root):
            raise Refused(
                Text("it is a symbolic link leading outside the repository; not read")
            ) from None
        fd = os.open(path, _FLAGS)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = next((name for test, name in _KINDS if test(info.st_mode)), N_("special"))
            raise Refused(Text("not a regular file ({kind}); not read", kind=Text(kind)))
        if info.st_size > limit:
            raise Refused(_too_large(limit), too_large=True)
        if (  # pragma: no cover - Windows, where O_NOFOLLOW does not exist
            not _O_NOFOLLOW
            and os.path.islink(path)
            and (inside_root is None or not is_inside(os.path.realpath(path), inside_root))
        ):
            raise Refused(Text("it is a symbolic link leading outside the repository; not read"))
        data = _read_to_end(fd, info.st_size, limit)
    finally:
        os.close(fd)
    if len(data) > limit:
        grew = Text(
            "larger than the {limit:,}-byte limit; not read (it grew while being read)",
            limit=limit,
        )
        raise Refused(grew, too_large=True)
    return data, info


def _read_to_end(fd: int, size: int, limit: int) -> bytes:
    """At most `limit` + 1 bytes: by the file's size first (a short read of a regular file is
    its end, which spares a second call for 10,000 small files), then on in chunks in case it
    grew."""
    want = min(size, limit) + 1
    first = os.read(fd, want)
    if len(first) < want:
        return first
    chunks = [first]
    total = len(first)
    while total <= limit:
        chunk = os.read(fd, min(_CHUNK, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> Text:
    return Text("larger than the {limit:,}-byte limit; not read", limit=limit)
