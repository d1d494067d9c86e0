"""THE cache: one helper behind every cache under `.reqforge/cache/` (SPEC 6a).

A cache file holds one marshal-able value. It is trusted only when all of this holds:

* its key matches: the caller's key (what the value was computed from: file contents, the
  settings it depends on, HEAD...), reqforge's own code (a digest of every source file of the
  installed package, so a new or changed check is never hidden by an old cache), the
  interpreter (marshal's format), and this cache format;
* its seal verifies: a BLAKE2 MAC keyed with this clone's secret. The secret is a random key in
  `.reqforge/cache/clone.key` bound to that file's device, inode and change time, so a cache
  copied from another clone, or committed to git and checked out elsewhere, is never trusted,
  and nobody can recompute a seal without this clone's key file;
* its value has the shape the caller declares (`Shape`): a sealed value with wrong inner types
  is ignored and rebuilt, never crashes a run;
* every file read or written is a regular file reached without symlinks: `.reqforge/`, its
  `cache/`, `.gitignore` and the cache files themselves. A symlink, FIFO or device there means
  no cache at all (never a read of `/dev/zero`, a hang on a FIFO, or a write outside the
  repository); a `.reqforge/.gitignore` that is not ours means nothing is written.

Anything else (missing, truncated, foreign, forged, malformed) reads as "no cache": the command
computes the cold-run answer and rewrites the file atomically.

`ParseCache` adds per-file entries on top (the parse and marker caches): an entry is reused only
when the file's size, mtime, inode and ctime are unchanged and its mtime is older than the moment
the entry was computed by a safe margin ("racy git"); a recent file is verified by content hash.
"""

# implements: REQ-108

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import hmac
import marshal
import os
import stat
import sys
import types
import typing
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from reqforge.i18n import locale_dir
from reqforge.safe_read import read_regular

CACHE_DIR = ".reqforge/cache"
CACHE_FORMAT = 5  # bump whenever the file layout changes
KEY_FILE = "clone.key"
_MAGIC = b"reqforge-cache\n"
_KEY_DIGEST = 32
_SEAL = 16
_DIGEST_SIZE = 16
MAX_CACHE_BYTES = 1 << 30  # a cache file larger than this is not ours
RACY_NS = 2_000_000_000  # FAT stores mtimes in 2 s steps; every other filesystem is finer

_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # writes never go through a symlink


@contextlib.contextmanager
def gc_paused() -> typing.Iterator[None]:
    """Pause the cyclic garbage collector while many objects that hold no cycles are built (a
    large cache value loaded, a history or a site model assembled): its repeated passes over
    them cost more than building them (half of a warm history load, a tenth of a model's)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def content_digest(raw: bytes) -> bytes:
    """A 16-byte BLAKE2 digest of some bytes (file contents in cache keys and entries)."""
    return hashlib.blake2b(raw, digest_size=_DIGEST_SIZE).digest()


# --------------------------------------------------------------------------------------------
# Shapes: what a cached value must look like before anyone uses it


class Shape:
    """A declared shape of a cached value, compiled once into one Python predicate.

    Build shapes from the constructors below (`fixed`, `tuple_of`, `list_of`, `dict_of`,
    `maybe`, `either`; a plain type means exactly that type, `object` anything).
    `shape.check(value)` is True when the value has exactly that shape: types are compared
    exactly (`True` is not an int, a list is not a tuple), so nothing downstream meets a type
    it does not expect.
    """

    def __init__(self, source: str) -> None:
        self.source = source  # a Python expression over the placeholder {v}
        self.check: Callable[[Any], bool] = eval(
            f"lambda v: {source.replace('{v}', 'v')}", {"__builtins__": _SHAPE_BUILTINS}
        )

    def __repr__(self) -> str:
        return f"Shape({self.source!r})"


_SHAPE_BUILTINS: dict[str, Any] = {
    kind.__name__: kind
    for kind in (type, len, all, tuple, list, dict, str, int, float, bool, bytes)
}
_counter = [0]


def _fresh() -> str:
    _counter[0] += 1
    return f"_x{_counter[0]}"


def _inner(shape: Shape | type, var: str) -> str:
    if isinstance(shape, Shape):
        return shape.source.replace("{v}", var)
    if shape is object:
        return "True"
    if shape is type(None):
        return f"{var} is None"
    if shape.__name__ not in _SHAPE_BUILTINS:
        raise TypeError(f"no shape for {shape!r}")
    return f"type({var}) is {shape.__name__}"


def _all(*tests: str) -> str:
    kept = [test for test in tests if test != "True"]
    return "(" + " and ".join(kept) + ")" if kept else "True"


def typed(kind: type) -> Shape:
    """Exactly this type (`object`: anything)."""
    return Shape(_inner(kind, "{v}"))


def maybe(inner: Shape | type) -> Shape:
    """None, or `inner`."""
    return Shape(f"({{v}} is None or {_inner(inner, '{v}')})")


def either(*options: Shape | type) -> Shape:
    """Any one of the options."""
    return Shape("(" + " or ".join(_inner(option, "{v}") for option in options) + ")")


def fixed(*items: Shape | type) -> Shape:
    """A tuple of exactly these items."""
    head = f"type({{v}}) is tuple and len({{v}}) == {len(items)}"
    return Shape(_all(head, *(_inner(item, f"{{v}}[{i}]") for i, item in enumerate(items))))


def tuple_of(item: Shape | type) -> Shape:
    """A tuple of any length whose every element is `item`."""
    return _collection("tuple", item)


def list_of(item: Shape | type) -> Shape:
    """A list whose every element is `item`."""
    return _collection("list", item)


def _collection(kind: str, item: Shape | type) -> Shape:
    x = _fresh()
    test = _inner(item, x)
    if test == "True":
        return Shape(f"type({{v}}) is {kind}")
    return Shape(f"(type({{v}}) is {kind} and all({test} for {x} in {{v}}))")


def dict_of(key: Shape | type, value: Shape | type) -> Shape:
    """A dict whose keys and values have these shapes."""
    k, v = _fresh(), _fresh()
    test = _all(_inner(key, k), _inner(value, v))
    if test == "True":
        return Shape("type({v}) is dict")
    return Shape(f"(type({{v}}) is dict and all({test} for {k}, {v} in {{v}}.items()))")


def shape_of(hint: Any) -> Shape:
    """The shape of a type hint, so a cached record is declared once, by its dataclass:
    `int`, `str`, `bytes`, `bool`, `None`, `Any` (anything), `float` (int or float, as
    PEP 484 reads it), `X | Y`, `tuple[X, ...]`, `tuple[X, Y]`, `list[X]`, `dict[K, V]`."""
    shape = _hint_shape(hint)
    return shape if isinstance(shape, Shape) else typed(shape)


def _hint_shape(hint: Any) -> Shape | type:
    if hint is Any or hint is object:
        return object
    if hint is None or hint is type(None):
        return type(None)
    if hint is float:
        return either(int, float)
    if isinstance(hint, type) and hint.__name__ in _SHAPE_BUILTINS:
        return hint
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return either(*(_hint_shape(arg) for arg in args))
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple_of(_hint_shape(args[0]))
        return fixed(*(_hint_shape(arg) for arg in args))
    if origin is list and len(args) == 1:
        return list_of(_hint_shape(args[0]))
    if origin is dict and len(args) == 2:
        return dict_of(_hint_shape(args[0]), _hint_shape(args[1]))
    raise TypeError(f"no cache shape for the type {hint!r}")


def record_shape(cls: type) -> Shape:
    """The shape of a dataclass stored as the tuple of its field values, in field order."""
    hints = typing.get_type_hints(cls)
    return fixed(*(_hint_shape(hints[field.name]) for field in dataclasses.fields(cls)))


# --------------------------------------------------------------------------------------------
# The key: reqforge's own code and the interpreter


@lru_cache(maxsize=1)
def code_digest() -> str:
    """A digest of every source file of the installed reqforge package (and the interpreter),
    computed once per process: editing reqforge's code invalidates every cache."""
    package = Path(__file__).resolve().parent
    digest = hashlib.blake2b(digest_size=16)
    digest.update(
        f"{sys.version_info[:3]}|{sys.implementation.name}|{sys.maxsize}|{CACHE_FORMAT}".encode()
    )
    # The compiled catalogs too: cached findings hold messages already in the user's language.
    catalogs = locale_dir()
    sources = [(p.relative_to(package).as_posix(), p) for p in sorted(package.rglob("*.py"))]
    sources += [("locale/" + p.relative_to(catalogs).as_posix(), p)
                for p in sorted(catalogs.rglob("*.mo"))]  # fmt: skip
    for name, source in sources:
        digest.update(name.encode() + b"\0")
        try:
            digest.update(source.read_bytes())
        except OSError:
            digest.update(b"unreadable")
        digest.update(b"\0")
    return digest.hexdigest()


# --------------------------------------------------------------------------------------------
# Safe files


def _is_real_dir(path: Path) -> bool | None:
    """True for a real folder, None when absent, False for anything else (symlinks too)."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode)


def _read_regular(path: Path, limit: int) -> tuple[bytes, os.stat_result] | None:
    """The bytes and stat of a regular file opened without following a symlink, or None."""
    try:
        return read_regular(path, limit)
    except OSError:
        return None


def _write_new(path: Path, data: bytes) -> None:
    """Write a new file atomically (temporary file + rename, never through a symlink)."""
    import tempfile  # only needed when something changed; it costs import time

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".bin")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class CacheStore:
    """The caches of one repository root (`.reqforge/cache/` inside it)."""

    def __init__(self, root: Path, *, enabled: bool = True) -> None:
        self.root = Path(root)
        self.enabled = enabled
        self.folder = self.root / CACHE_DIR
        self._secret: bytes | None = None

    # --- where files may be read and written ---------------------------------------------

    def _folders_safe(self, create: bool) -> bool:
        """`.reqforge/` and `.reqforge/cache/` are real folders (created when `create`), and
        `.reqforge/.gitignore` is a regular file (ours, created first when missing): a cache
        that git could pick up, or a link leading out of the repository, means no cache."""
        reqforge = self.folder.parent
        if not self._real_folder(reqforge, create):
            return False
        if create and not self._own_gitignore(reqforge / ".gitignore"):
            return False
        return self._real_folder(self.folder, create)

    @staticmethod
    def _real_folder(folder: Path, create: bool) -> bool:
        state = _is_real_dir(folder)
        if state is None and create:
            try:
                os.mkdir(folder)  # never follows a symlink in the last component
            except OSError:
                return False
            return True
        return bool(state)

    @staticmethod
    def _own_gitignore(gitignore: Path) -> bool:
        try:
            info = os.lstat(gitignore)
        except FileNotFoundError:
            try:
                fd = os.open(gitignore, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW, 0o644)
            except OSError:
                return False
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write("*\n")
            return True
        except OSError:
            return False
        return stat.S_ISREG(info.st_mode)

    # --- the clone secret ----------------------------------------------------------------

    def _clone_secret(self, create: bool) -> bytes | None:
        """This clone's sealing key: the random key file's bytes bound to where the file lives
        (device, inode, change time), so a copied or checked-out key file seals nothing."""
        if self._secret is not None:
            return self._secret
        path = self.folder / KEY_FILE
        found = _read_regular(path, 64)
        if found is None or len(found[0]) != 32:
            if not create:
                return None
            try:
                _write_new(path, os.urandom(32))
            except OSError:
                return None
            found = _read_regular(path, 64)
            if found is None or len(found[0]) != 32:
                return None
        data, info = found
        binding = f"{info.st_dev}:{info.st_ino}:{info.st_ctime_ns}".encode()
        self._secret = hashlib.blake2b(data + binding, digest_size=32).digest()
        return self._secret

    def ready(self) -> bool:
        """Make the cache folders and this clone's key now, when they can be (True): before a
        fork, so that parent and child seal with the same key instead of racing to make it."""
        return (
            self.enabled
            and self._folders_safe(create=True)
            and self._clone_secret(create=True) is not None
        )

    # --- values ---------------------------------------------------------------------------

    def path(self, name: str) -> Path:
        return self.folder / f"{name}.bin"

    @staticmethod
    def _key_digest(name: str, key: str) -> bytes:
        text = f"{name}\0{key}\0{code_digest()}"
        return hashlib.blake2b(
            text.encode("utf-8", "surrogatepass"), digest_size=_KEY_DIGEST
        ).digest()

    def read(self, name: str, key: str, shape: Shape) -> Any:
        """The value stored under `name` for `key`, or None when there is none to trust."""
        if not self.enabled or not self._folders_safe(create=False):
            return None
        found = _read_regular(self.path(name), MAX_CACHE_BYTES)
        secret = self._clone_secret(create=False)
        if found is None or secret is None:
            return None
        blob = found[0]
        start = len(_MAGIC) + _KEY_DIGEST + _SEAL
        if len(blob) < start or not blob.startswith(_MAGIC):
            return None
        if blob[len(_MAGIC) : len(_MAGIC) + _KEY_DIGEST] != self._key_digest(name, key):
            return None
        payload = memoryview(blob)[start:]
        seal = hashlib.blake2b(payload, digest_size=_SEAL, key=secret).digest()
        if not hmac.compare_digest(seal, blob[start - _SEAL : start]):
            return None
        try:
            value = marshal.loads(payload)
        except (EOFError, ValueError, TypeError):
            return None
        try:
            return value if shape.check(value) else None
        except RecursionError:
            return None

    def write(self, name: str, key: str, value: Any) -> None:
        """Store a marshal-able value atomically; an unwritable or unsafe folder keeps none."""
        if not self.enabled:
            return
        try:
            if not self._folders_safe(create=True):
                return
            secret = self._clone_secret(create=True)
            if secret is None:
                return
            payload = marshal.dumps(value)
            seal = hashlib.blake2b(payload, digest_size=_SEAL, key=secret).digest()
            _write_new(self.path(name), _MAGIC + self._key_digest(name, key) + seal + payload)
        except (OSError, ValueError):  # ValueError: a value marshal cannot store
            return

    def clear(self) -> None:
        """Remove every cache file (the clone key stays); nothing outside the cache folder."""
        if not self._folders_safe(create=False):
            return
        try:
            names = os.listdir(self.folder)
        except OSError:
            return
        for name in names:
            if name.endswith(".bin"):
                with contextlib.suppress(OSError):
                    os.unlink(self.folder / name)  # unlink never follows a symlink

    def memo(self, name: str, key: str, shape: Shape, compute: Callable[[], Any]) -> Any:
        """The cached value for `key`, or `compute()` stored for next time."""
        value = self.read(name, key, shape)
        if value is None:
            value = compute()
            self.write(name, key, value)
        return value


def cache_path(root: Path, name: str) -> Path:
    """Where the cache `name` of the repository at `root` lives."""
    return CacheStore(root).path(name)


# --------------------------------------------------------------------------------------------
# Per-file entries

# (size, mtime_ns, inode, ctime_ns, computed_at_ns, content digest, result)
Entry = tuple[int, int, int, int, int, bytes, Any]


def file_signature(info: os.stat_result) -> tuple[int, int, int, int]:
    """What a per-file entry compares: size, mtime, inode and ctime (`cp -p` keeps the first
    three of a replaced file; the ctime gives it away)."""
    return (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns)


def entries_shape(result: Shape) -> Shape:
    """The shape of a per-file cache whose results have the shape `result`."""
    return dict_of(str, fixed(int, int, int, int, int, bytes, result))


# implements: REQ-108
# implements: REQ-602
class ParseCache:
    """Per-file entries keyed by repository-relative path, stored through a `CacheStore`."""

    def __init__(self, store: CacheStore, name: str, key: str, result: Shape) -> None:
        self.store = store
        self.name = name
        self.key = key
        self.shape = entries_shape(result)
        self.entries: dict[str, Entry] = {}
        self.loaded = False

    def load(self) -> None:
        """Read the cache; anything unexpected leaves it empty."""
        entries = self.store.read(self.name, self.key, self.shape)
        if entries is not None:
            self.entries = entries
            self.loaded = True

    def lookup(
        self, rel: str, info: os.stat_result, read: Callable[[], bytes] | None = None
    ) -> Any:
        """The cached result for a file, or None when it cannot be trusted.

        `read` is a zero-argument callable returning the file's bytes, used to verify an entry
        whose timestamp is too recent to trust.
        """
        entry = self.entries.get(rel)
        if entry is None:
            return None
        size, mtime_ns, inode, ctime_ns, computed_ns, digest, result = entry
        if (
            size != info.st_size
            or mtime_ns != info.st_mtime_ns
            or inode != info.st_ino
            or ctime_ns != info.st_ctime_ns
        ):
            return None
        # A write within the timestamp tick of the entry leaves the mtime unchanged: verify
        # recent files by content. The ctime needs no window of its own: every write moves the
        # mtime too, and resetting the mtime (`cp -p`, `touch -d`) moves the ctime to "now".
        if info.st_mtime_ns >= computed_ns - RACY_NS:
            if read is None:
                return None
            try:
                raw = read()
            except OSError:
                return None
            if content_digest(raw) != digest:
                return None
        return result

    def save(self, entries: Mapping[str, Entry]) -> None:
        self.store.write(self.name, self.key, dict(entries))
