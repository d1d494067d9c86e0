"""Requirement markers in a source tree: `# req: CRM-1`, `// implements: CRM-1`, ...

The pipeline: `scan` lists the files under `trace.scan` once (`files.list_files`), reads each
file once (`files.read_source`) and runs one compiled regex over its text, whatever the language.
A cheap byte search for the marker's literal keywords comes first (`prefilter`), so most files
are never decoded; large lists are read by both cores (`reqforge.parallel`), and per-file results
are kept in a cache (`reqforge.cache`).

A marker in a test file (its POSIX path relative to the root matches one of `trace.tests`) is
*verified* and tied to its enclosing test where that can be told from the text (`enclosing`);
these are the test ids that `reqforge.trace.junit` matches to JUnit XML results. Anywhere else a
marker is *implemented* with no test. IDs are not checked against the catalogue here: a marker
naming an unknown ID is returned like any other (the caller reports it).
"""

from __future__ import annotations

import fnmatch
import os
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, AnyStr

from reqforge.cache import CacheStore, ParseCache, content_digest, fixed, maybe, tuple_of
from reqforge.parallel import parallel_map
from reqforge.trace.enclosing import enclosing_tests
from reqforge.trace.files import MAX_FILE_BYTES, FileStat, list_files, read_source, read_source_stat
from reqforge.trace.prefilter import required_literals

if TYPE_CHECKING:
    from reqforge.config import Config

IMPLEMENTED = "implemented"
VERIFIED = "verified"


@dataclass(frozen=True)
class Marker:
    """One requirement ID named by a marker at `path` (POSIX, relative to the root), `line`."""

    id: str
    path: str
    line: int
    kind: str  # "implemented" | "verified"
    test: str | None = None  # the enclosing test's id, for a verified marker, where detectable


# --- the marker pattern ----------------------------------------------------------------------


def _strip_anchors(id_pattern: str) -> str:
    """The ID pattern without its leading ``^``/``\\A`` and trailing ``$``/``\\Z``/``\\z``."""
    pattern = id_pattern
    for head in ("^", r"\A"):
        if pattern.startswith(head):
            pattern = pattern[len(head) :]
            break
    for tail in ("$", r"\Z", r"\z"):
        if pattern.endswith(tail):
            body = pattern[: -len(tail)]
            escapes = len(body) - len(body.rstrip("\\"))
            if tail != "$" or escapes % 2 == 0:  # "\$" is a literal dollar
                pattern = body
            break
    return pattern


# implements: REQ-401
def compile_marker(pattern: str, id_pattern: str) -> re.Pattern[str]:
    """`pattern` (``trace.marker``) with each ``{id}`` replaced by a group matching one ID.

    The group is named ``id`` (``id_2``, ``id_3``, ... for further ``{id}``s) and is followed by
    ``(?!\\w)``, so ``req: CRM-1234567`` is not read as ``CRM-123456``. `id_pattern` is
    ``project.id_pattern``; its anchors are dropped. Raises `re.error` for a bad pattern.
    """
    body = _strip_anchors(id_pattern)
    pieces = pattern.split("{id}")
    if len(pieces) < 2:
        raise re.error("the marker pattern has no {id}")
    out = [pieces[0]]
    for number, piece in enumerate(pieces[1:], 1):
        name = "id" if number == 1 else f"id_{number}"
        out.append(f"(?P<{name}>(?:{body}))(?!\\w)")
        out.append(piece)
    return re.compile("".join(out))


def _id_of(match: re.Match[str]) -> str:
    """The ID a marker match names (first non-empty ``id*`` group, else group 1, else all)."""
    groups = match.re.groupindex
    if "id" in groups:
        for name in groups:
            if (name == "id" or name.startswith("id_")) and match.group(name) is not None:
                return match.group(name)
    if match.re.groups:
        for value in match.groups():
            if value is not None:
                return value
    return match.group(0)


# --- test paths ------------------------------------------------------------------------------


def _glob_matcher(globs: Sequence[str]) -> Callable[[str], bool]:
    """A predicate: does a POSIX relative path match one of `globs` (fnmatch, ``*`` spans ``/``)?

    A glob starting with ``**/`` also matches at the top (``**/test_*.*`` matches ``test_a.py``).
    """
    patterns: list[str] = []
    for glob in globs:
        patterns.append(fnmatch.translate(glob))
        if glob.startswith("**/"):
            patterns.append(fnmatch.translate(glob[3:]))
    if not patterns:
        return lambda path: False
    regex = re.compile("|".join(f"(?:{p})" for p in patterns))
    return lambda path: regex.match(path) is not None


# --- scanning --------------------------------------------------------------------------------

_Row = tuple[tuple[str, int, str | None], ...]  # per file: (id, line, test) for each marker
_ROWS_SHAPE = fixed(tuple_of(fixed(str, int, maybe(str))))  # a cached result: (row,)


def _windows(text: AnyStr, literals: Sequence[AnyStr]) -> list[tuple[int, int]]:
    """Sorted, disjoint spans of `text` where a marker can be: from the start of each line that
    holds a required literal to the end of the line after it (a marker may break its line once,
    as in ``verifies:`` + newline + ID). `text` and `literals` are both str or both bytes."""
    newline = "\n" if isinstance(text, str) else b"\n"
    spans: list[tuple[int, int]] = []
    size = len(text)
    for word in literals:
        at = text.find(word)
        while at != -1:
            start = text.rfind(newline, 0, at) + 1
            end = text.find(newline, at)
            if end != -1:
                end = text.find(newline, end + 1)
            end = size if end == -1 else end + 1
            spans.append((start, end))
            at = text.find(word, at + 1)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


@lru_cache(maxsize=8)
def _encoded(literals: tuple[str, ...]) -> tuple[bytes, ...]:
    return tuple(w.encode("utf-8") for w in literals)


def scan_data(
    data: bytes,
    path: str,
    marker: re.Pattern[str],
    test_file: bool,
    literals: Sequence[str] | None = None,
) -> list[tuple[str, int, str | None]]:
    """`scan_text` for a file's bytes. Outside test files, with `literals`, only the windows
    around the literals are decoded: most of a source tree is code without a marker."""
    if literals is None:
        return scan_text(data.decode("utf-8", "replace"), path, marker, test_file)
    spans = _windows(data, _encoded(tuple(literals)))
    if not spans:
        return []
    if test_file:  # the enclosing tests need the whole text
        return scan_text(data.decode("utf-8", "replace"), path, marker, True, literals)
    out: list[tuple[str, int, str | None]] = []
    line, counted = 1, 0
    for start, end in spans:
        line += data.count(b"\n", counted, start)
        counted = start
        # The newline before the window is kept (and skipped with pos=1), so a lookbehind sees
        # what it would see in the whole text; windows start and end at line boundaries, which
        # are UTF-8 character boundaries.
        head = 1 if start else 0
        window = data[start - head : end].decode("utf-8", "replace")
        pos, here = head, line
        for match in marker.finditer(window, head):
            here += window.count("\n", pos, match.start())
            pos = match.start()
            out.append((_id_of(match), here, None))
    return out


def scan_text(
    text: str,
    path: str,
    marker: re.Pattern[str],
    test_file: bool,
    literals: Sequence[str] | None = None,
) -> list[tuple[str, int, str | None]]:
    """(id, line, test) for each marker in `text`, in order; `test` only when `test_file`.

    With `literals` (`prefilter.required_literals(marker)`), the pattern only runs around their
    occurrences, found by plain substring search: 2-3x faster on code that has few markers.
    """
    if literals is None:
        matches: Iterable[re.Match[str]] = marker.finditer(text)
    else:
        matches = (
            match
            for start, end in _windows(text, literals)
            for match in marker.finditer(text, start, end)
        )
    found = [(m.start(), _id_of(m)) for m in matches]
    if not found:
        return []
    offsets = [offset for offset, _ in found]
    tests = enclosing_tests(text, path, offsets) if test_file else [None] * len(found)
    out = []
    line, pos = 1, 0
    for (offset, rid), test in zip(found, tests, strict=True):
        line += text.count("\n", pos, offset)
        pos = offset
        out.append((rid, line, test))
    return out


# implements: REQ-401
def scan(
    root: Path,
    scan_dirs: Sequence[str],
    marker: re.Pattern[str],
    test_globs: Sequence[str],
    *,
    max_bytes: int = MAX_FILE_BYTES,
    use_cache: bool = False,
) -> list[Marker]:
    """Every marker in the files under `scan_dirs` (relative to `root`), sorted by path, line.

    `marker` comes from `compile_marker`; `test_globs` are ``trace.tests`` (fnmatch on the POSIX
    path relative to `root`, ``*`` spanning ``/``). Use ``"."`` in `scan_dirs` for the whole
    tree; entries outside `root` are ignored.
    """
    root = Path(root)
    files = list_files(root, scan_dirs)
    if not files:
        return []
    root_real = os.path.realpath(root)
    base = os.fspath(root)
    literals = required_literals(marker)
    is_test = _glob_matcher(test_globs)

    def work(chunk: Sequence[str]) -> list[tuple[bytes, _Row, FileStat | None]]:
        rows: list[tuple[bytes, _Row, FileStat | None]] = []
        for rel in chunk:
            data, info = read_source_stat(os.path.join(base, rel), root_real, max_bytes)
            if data is None:
                rows.append((b"", (), None))
                continue
            found = scan_data(data, rel, marker, is_test(rel), literals)
            rows.append((content_digest(data), tuple(found), info))
        return rows

    def reader(rel: str) -> Callable[[], bytes]:
        """What the cache reads to verify an entry whose timestamp is too recent to trust."""
        return lambda: read_source(os.path.join(base, rel), root_real, max_bytes) or b""

    # Per-file results are cached like parsed requirements (see cache.py): a file is scanned
    # again only when its size, mtime or inode changed, or its timestamp is too recent to trust.
    # Files the cache does not know are not stat'ed here: the workers report what they read.
    started_ns = time.time_ns()
    cache = None
    kept: list[str] = []
    rows: dict[str, _Row] = {}
    pending = files
    if use_cache:
        fingerprint = f"{marker.pattern}|{marker.flags}|{sorted(test_globs)}|{max_bytes}"
        cache = ParseCache(CacheStore(root), "markers", fingerprint, _ROWS_SHAPE)
        cache.load()
        pending = []
        for rel in files:
            if rel not in cache.entries:
                pending.append(rel)
                continue
            try:
                info = os.stat(os.path.join(base, rel))
            except OSError:
                continue
            hit = cache.lookup(
                rel,
                info,
                read=reader(rel),
            )
            if hit is not None:
                rows[rel] = hit[0]
                kept.append(rel)
            else:
                pending.append(rel)
    computed = dict(zip(pending, parallel_map(work, pending), strict=True)) if pending else {}
    for rel, (_, row, _) in computed.items():
        rows[rel] = row
    if cache is not None and (computed or len(kept) != len(cache.entries)):
        entries = {rel: cache.entries[rel] for rel in kept}
        for rel, (digest, row, info) in computed.items():
            if digest and info:
                entries[rel] = (*info, started_ns, digest, (row,))
        cache.save(entries)

    out: list[Marker] = []
    for rel in files:
        row = rows.get(rel, ())
        if row:
            kind = VERIFIED if is_test(rel) else IMPLEMENTED
            out.extend(Marker(rid, rel, line, kind, test) for rid, line, test in row)
    out.sort(key=lambda m: (m.path, m.line))
    return out


# implements: REQ-401
def configured_markers(config: Config) -> list[Marker]:
    """Every marker in the source tree as `[trace]` configures it (``scan``, ``marker``,
    ``tests``), read through the scan cache; none when ``scan`` is empty."""
    trace = config.trace
    if not trace.scan:
        return []
    pattern = compile_marker(trace.marker, config.id_pattern)
    return scan(config.root, trace.scan, pattern, trace.tests, use_cache=True)
