"""Requirement history from git: one `git log` pass, batched blob reads, field diffs, a cache.

`load_history` walks the whole history with ONE `git log --raw -z` process (all commits, their
metadata, and for each the raw diff of `reqs_dir` with old and new blob names and rename
detection), reads every blob it needs with ONE `git cat-file --batch` process, parses each
distinct blob once with `loader.parse_file`, and turns every change of a `*.md` file into an
`Event` with field-level `Change`s. Nothing here prints: degraded states (outside git, no
commits, shallow clone, git missing) come back as `History.available` / `shallow` / `note`.

Decisions worth knowing:

* `--full-history --sparse`: every commit reachable from the revision is listed (so the commit
  graph is complete: ordering and PR attribution need it), and every commit that changed a
  requirement file shows its diff against its first parent, also on merged side branches (git's
  default simplification could hide those). Merge commits show no diff of their own: a merge's
  changes are the changes of the commits it brings in; a squash merge is an ordinary commit.
* Order: newest first, children always before parents, otherwise by committer date (then sha).
  This order is computed from the commit graph, so a cached or incremental run yields exactly
  the same events in the same order as a cold run.
* Kinds: `A` added, `M`/`T` modified, `D` deleted, `R` renamed (moves between folders
  included), `C` (copy) is treated as added. A rename to or from a non-`.md` name is a deletion
  or an addition. `added` events carry every field (old None) and the body's line count;
  `deleted` events carry every field (new None) and the removed line count, so a deletion
  shows what was lost and `last_change` of a deleted requirement is its deletion.
* A blob that does not parse (bad YAML, no front matter, not UTF-8) gives no field changes; the
  event is still recorded with the kind git reports.
* The requirement ID of an event is the new blob's `id` (the old blob's for deletions, or when
  the new one does not parse), falling back to the file name stem. A re-created ID continues the
  same ID's history; `for_id` also follows an ID change (`id: A-1` -> `id: A-2`) backwards.
* PR numbers: a commit's own message (`Merge pull request #12`, `(#12)`, `!12`, `See merge
  request g/p!12`) or, for a commit brought in by a merge on the first-parent line, the merge's.
* Cache (`.reqforge/cache/history.bin`, sealed): a per-commit memo of the parsed commits and
  their events plus the head they cover. A later run lists only the commits not reachable from
  the cached head (`git log NEW --not OLD`) and reuses the rest; when the old head is no longer
  known it rebuilds. No cache is read or written in a shallow clone (its depth can change under
  the same HEAD) or with `use_cache=False`.
"""

# implements: REQ-300

from __future__ import annotations

import difflib
import gc
import heapq
import os
import re
import subprocess
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from reqforge.cache import cache_path, read_sealed, write_sealed
from reqforge.errors import ReqforgeError
from reqforge.loader import ParsedFile, parse_file

HISTORY_FORMAT = 1  # bump whenever the cached layout or the event computation changes

NOTE_NOT_GIT = "not a git repository: history is absent"
NOTE_NO_COMMITS = "no commits yet: history is absent"
NOTE_NO_GIT = "git was not found on PATH: history is absent"
NOTE_SHALLOW = (
    "shallow clone: history is partial; fetch with fetch-depth: 0 "
    "(actions/checkout) or run git fetch --unshallow"
)

_ZERO = re.compile(r"^0+$")
_HEX = frozenset("0123456789abcdef")
# The commit header: a marker, then fixed fields (one NUL-separated token each). %b may hold
# newlines but never a NUL (git refuses NULs in messages), so the token count is fixed.
_FORMAT = "--format=%x01%H%x00%P%x00%ct%x00%an%x00%ae%x00%aI%x00%s%x00%b%x00"
_HEADER_FIELDS = 8
_GIT_CONFIG = (
    "-c", "log.showSignature=false",  # signature lines would break the format
    "-c", "log.showRoot=true",  # the root commit's files are "added"
    "-c", "core.quotePath=false",
    "-c", "diff.relative=false",  # we pass --relative ourselves
)  # fmt: skip

_PR_MERGE = re.compile(r"^Merge pull request #(\d+)\b")
_PR_GITLAB = re.compile(r"\bSee merge request \S*?!(\d+)\b")
_PR_SQUASH = re.compile(r"\(#(\d+)\)")
_PR_BANG = re.compile(r"(?:^|[\s(\[])!(\d+)\b")


# --------------------------------------------------------------------------------------------
# The public model


# implements: REQ-301
@dataclass(frozen=True, slots=True)
class Change:
    """One field-level change: `field` is a dotted path (`priority.ice.impact`) or `body`.

    Fields carry `old` and `new` (None when absent; a list field gives the whole lists); the body
    carries `added` and `removed` line counts. Values are plain YAML data shared with other
    events: treat them as read-only.
    """

    field: str
    old: Any = None
    new: Any = None
    added: int | None = None
    removed: int | None = None

    def to_json(self) -> dict[str, Any]:
        """`{"field", "old", "new"}`, or `{"field": "body", "added", "removed"}` (SPEC 5)."""
        if self.added is not None or self.removed is not None:
            return {"field": self.field, "added": self.added or 0, "removed": self.removed or 0}
        return {"field": self.field, "old": self.old, "new": self.new}


@dataclass(frozen=True, slots=True)
class Commit:
    """A commit's metadata; `date` is the author date in ISO 8601 with the author's zone."""

    sha: str
    author: str
    email: str
    date: str
    subject: str
    pr: int | None
    parents: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """The commit as `log --format json` shows it (parents left out)."""
        return {
            "commit": self.sha,
            "author": self.author,
            "email": self.email,
            "date": self.date,
            "subject": self.subject,
            "pr": self.pr,
        }


@dataclass(frozen=True, slots=True)
class Event:
    """One commit touching one requirement file."""

    commit: Commit
    id: str
    kind: str  # "added" | "modified" | "renamed" | "deleted"
    path: str
    old_path: str | None
    changes: tuple[Change, ...]


# implements: REQ-300
@dataclass(frozen=True, slots=True)
class History:
    """Every requirement event, newest first, and the state of the history it came from."""

    events: tuple[Event, ...]
    available: bool
    shallow: bool
    head: str | None
    note: str | None
    # id -> positions in `events`; built once, lazily (not part of equality or repr).
    _by_id: dict[str, list[int]] | None = field(default=None, init=False, repr=False, compare=False)

    def _index(self) -> dict[str, list[int]]:
        index = self._by_id
        if index is None:
            index = {}
            for position, event in enumerate(self.events):
                index.setdefault(event.id, []).append(position)
            object.__setattr__(self, "_by_id", index)
        return index

    # implements: REQ-302
    def for_id(self, rid: str) -> tuple[Event, ...]:
        """The events of one requirement, newest first, following renames: the file may move
        between folders, and an ID change (`id: A-1` -> `id: A-2`) continues with the older
        events of the previous ID."""
        index = self._index()
        positions: set[int] = set()
        # (id, only events older than this position): an ID change adds the previous ID's
        # events from before the change.
        pending: list[tuple[str, int]] = [(rid, -1)]
        seen: set[tuple[str, int]] = set()
        while pending:
            current, after = pending.pop()
            if (current, after) in seen:
                continue
            seen.add((current, after))
            for position in index.get(current, ()):
                if position <= after or position in positions:
                    continue
                positions.add(position)
                for change in self.events[position].changes:
                    if (
                        change.field == "id"
                        and isinstance(change.old, str)
                        and change.new is not None
                        and change.old != current
                    ):
                        pending.append((change.old, position))
        return tuple(self.events[position] for position in sorted(positions))

    # implements: REQ-009
    def last_change(self, rid: str) -> Event | None:
        """The newest event of `rid` that changed content (any field or the body)."""
        for event in self.for_id(rid):
            if event.changes:
                return event
        return None

    # implements: REQ-009
    def first_event(self, rid: str) -> Event | None:
        """The oldest event of `rid` (normally its creation)."""
        events = self.for_id(rid)
        return events[-1] if events else None


# Fast constructors: a frozen dataclass's __init__ goes through object.__setattr__ for every
# field, which dominates a warm run that rebuilds ~10^5 changes from the cache. Setting the
# slots through their descriptors builds the very same objects about twice as fast.
_new_object = object.__new__
_CHANGE_SLOTS = tuple(Change.__dict__[name].__set__ for name in Change.__slots__)
_EVENT_SLOTS = tuple(Event.__dict__[name].__set__ for name in Event.__slots__)
assert Change.__slots__ == ("field", "old", "new", "added", "removed")
assert Event.__slots__ == ("commit", "id", "kind", "path", "old_path", "changes")


def _change(name: str, old: Any, new: Any, added: int | None, removed: int | None) -> Change:
    change = _new_object(Change)
    set_field, set_old, set_new, set_added, set_removed = _CHANGE_SLOTS
    set_field(change, name)
    set_old(change, old)
    set_new(change, new)
    set_added(change, added)
    set_removed(change, removed)
    return change


def _event(
    commit: Commit,
    rid: str,
    kind: str,
    path: str,
    old_path: str | None,
    changes: tuple[Change, ...],
) -> Event:
    event = _new_object(Event)
    set_commit, set_id, set_kind, set_path, set_old_path, set_changes = _EVENT_SLOTS
    set_commit(event, commit)
    set_id(event, rid)
    set_kind(event, kind)
    set_path(event, path)
    set_old_path(event, old_path)
    set_changes(event, changes)
    return event


# --------------------------------------------------------------------------------------------
# Pure helpers


# implements: REQ-303
def pr_number(subject: str) -> int | None:
    """The pull/merge request number named by a commit subject (or whole message), or None.

    Recognises `Merge pull request #12 from a/b` (GitHub merge), `Fix export (#12)` (GitHub
    squash), `See merge request group/proj!12` (GitLab, usually in the body) and a bare `!12`
    in the first line (GitLab subjects).
    """
    first = subject.split("\n", 1)[0]
    match = _PR_MERGE.match(first) or _PR_GITLAB.search(subject)
    if match is None:
        squash = _PR_SQUASH.findall(first)
        if squash:
            return int(squash[-1])  # GitHub appends the squash PR last
        match = _PR_BANG.search(first)
    return int(match.group(1)) if match else None


# implements: REQ-301
def field_changes(
    old: Mapping[Any, Any] | None,
    new: Mapping[Any, Any] | None,
    old_body: str = "",
    new_body: str = "",
) -> list[Change]:
    """Field-level changes between two front matters and bodies.

    Nested mappings are walked into dotted paths (`priority.ice.impact`); lists and other values
    are compared whole (with their types: `1` differs from `1.0` and `true`). A field absent on
    one side has None there (absent and null are the same). Sorted by field; the body, as
    added/removed line counts, comes last and only when it changed.
    """
    return [_change(*record) for record in _change_records(old, new, old_body, new_body)]


# A change as a plain tuple (field, old, new, added, removed): what the walk computes and the
# cache stores; `Change` objects are made once, when a History is assembled.
ChangeRecord = tuple[str, Any, Any, "int | None", "int | None"]


def _change_records(
    old: Mapping[Any, Any] | None,
    new: Mapping[Any, Any] | None,
    old_body: str,
    new_body: str,
) -> list[ChangeRecord]:
    records: list[ChangeRecord] = []
    if not old:
        _flatten(records, "", new or {}, True)
    elif not new:
        _flatten(records, "", old, False)
    else:
        _diff_mappings(records, "", old, new)
    records.sort(key=_first)
    counts = _body_counts(old_body, new_body)
    if counts is not None:
        records.append(("body", None, None, counts[0], counts[1]))
    return records


def _first(record: ChangeRecord) -> str:
    return record[0]


_PLAIN = frozenset({str, int, float, bool, list, type(None)})
_SCALARS = frozenset({str, int, float, bool, type(None)})


def _is_mapping(value: Any) -> bool:
    # yaml_rs gives plain dicts; the abc check is only for other callers' mappings.
    kind = type(value)
    return kind is dict or (kind not in _PLAIN and isinstance(value, Mapping))


def _flatten(out: list[ChangeRecord], prefix: str, data: Mapping[Any, Any], added: bool) -> None:
    """Every leaf of one side as a change from or to None (an added or deleted file)."""
    for key, value in data.items():
        if value is None:
            continue  # null and absent are the same
        path = f"{prefix}{key}"
        if _is_mapping(value) and value:
            _flatten(out, path + ".", value, added)
        elif added:
            out.append((path, None, value, None, None))
        else:
            out.append((path, value, None, None, None))


def _diff_mappings(
    out: list[ChangeRecord], prefix: str, old: Mapping[Any, Any], new: Mapping[Any, Any]
) -> None:
    for key, before in old.items():
        after = new.get(key)
        if before is after:
            continue
        _diff_value(out, f"{prefix}{key}", before, after)
    for key, after in new.items():
        if after is not None and key not in old:
            _diff_value(out, f"{prefix}{key}", None, after)


def _diff_value(out: list[ChangeRecord], path: str, before: Any, after: Any) -> None:
    old_map = _is_mapping(before)
    new_map = _is_mapping(after)
    if old_map and new_map:
        _diff_mappings(out, path + ".", before, after)
    elif old_map and after is None and before:
        _flatten(out, path + ".", before, False)
    elif new_map and before is None and after:
        _flatten(out, path + ".", after, True)
    elif not _same(before, after):
        out.append((path, before, after, None, None))


def _same(a: Any, b: Any) -> bool:
    """Deep equality that also compares types (YAML `1`, `1.0` and `true` are different)."""
    if type(a) is not type(b):
        return False
    if type(a) is list:
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if type(a) is dict:
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if type(a) is float and a != a:  # NaN equals itself here: it did not change
        return b != b
    return bool(a == b)


def body_change(old_body: str, new_body: str) -> Change | None:
    """The body's added/removed line counts (like `diff`), or None when it is unchanged."""
    counts = _body_counts(old_body, new_body)
    return None if counts is None else Change("body", added=counts[0], removed=counts[1])


def _body_counts(old_body: str, new_body: str) -> tuple[int, int] | None:
    if old_body == new_body:
        return None
    old_lines = old_body.splitlines()
    new_lines = new_body.splitlines()
    # Trim the common head and tail first: edits are usually local, and it keeps the
    # (worst-case quadratic) matcher on the small changed middle.
    start = 0
    limit = min(len(old_lines), len(new_lines))
    while start < limit and old_lines[start] == new_lines[start]:
        start += 1
    end_old, end_new = len(old_lines), len(new_lines)
    while end_old > start and end_new > start and old_lines[end_old - 1] == new_lines[end_new - 1]:
        end_old -= 1
        end_new -= 1
    a, b = old_lines[start:end_old], new_lines[start:end_new]
    if not a or not b:
        added, removed = len(b), len(a)
    else:
        added = removed = 0
        matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag != "equal":
                removed += i2 - i1
                added += j2 - j1
    if not added and not removed:
        return None  # only line endings or a trailing newline changed
    return added, removed


# --------------------------------------------------------------------------------------------
# git plumbing


class _GitError(Exception):
    """A git command failed (internal: turned into a note or a ReqforgeError)."""

    def __init__(self, returncode: int, stderr: str) -> None:
        super().__init__(stderr)
        self.returncode = returncode
        self.stderr = stderr


def _git_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        LC_ALL="C",
        LANGUAGE="C",
        GIT_TERMINAL_PROMPT="0",
        GIT_OPTIONAL_LOCKS="0",  # reading must never take (or wait for) the index lock
        GIT_PAGER="cat",
    )
    return env


def _git(root: Path, args: list[str], stdin: bytes | None = None) -> bytes:
    """Run one git command in `root`; its stdout, or _GitError. FileNotFoundError: no git."""
    proc = subprocess.run(
        ["git", "--literal-pathspecs", "-C", str(root), *_GIT_CONFIG, *args],
        input=stdin,
        capture_output=True,
        env=_git_env(),
        check=False,
    )
    if proc.returncode != 0:
        raise _GitError(proc.returncode, proc.stderr.decode("utf-8", "replace").strip())
    return proc.stdout


def _check_rev(rev: str) -> None:
    if not rev or rev.startswith("-") or "\x00" in rev or "\n" in rev:
        raise ReqforgeError(f"not a valid revision: {rev!r}")


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def _read_blobs(root: Path, shas: Iterable[str]) -> dict[str, bytes]:
    """Blob contents by sha, from ONE `git cat-file --batch` process.

    `communicate` writes the request while reading the answer, so a large batch cannot
    deadlock on full pipes.
    """
    wanted = sorted(set(shas))
    if not wanted:
        return {}
    request = "".join(f"{sha}\n" for sha in wanted).encode("ascii")
    out = _git(root, ["cat-file", "--batch", "--buffer"], stdin=request)
    blobs: dict[str, bytes] = {}
    position = 0
    size_out = len(out)
    while position < size_out:
        eol = out.find(b"\n", position)
        if eol == -1:
            break
        header = out[position:eol].split(b" ")
        position = eol + 1
        if len(header) != 3:  # "<sha> missing" (or ambiguous): nothing follows
            continue
        size = int(header[2])
        if header[1] == b"blob":
            blobs[header[0].decode("ascii")] = out[position : position + size]
        position += size + 1  # the content is followed by a newline
    return blobs


# --------------------------------------------------------------------------------------------
# The walk

# Cached plain-tuple layouts (marshal-able):
#   commit record: (parents, committer_ts, author, email, date, subject, own_pr)
#   event record:  (id, kind, path, old_path, changes)   changes: ((field, old, new, added,
#                  removed), ...)
CommitRecord = tuple[tuple[str, ...], int, str, str, str, str, "int | None"]
EventRecord = tuple[str, str, str, "str | None", tuple[tuple[Any, ...], ...]]
# A raw entry: (kind letter, old sha | None, new sha | None, old path | None, new path | None)
_RawEntry = tuple[str, "str | None", "str | None", "str | None", "str | None"]


# implements: REQ-300
def _walk(
    root: Path, reqs_dir: str, revs: list[str]
) -> tuple[dict[str, CommitRecord], dict[str, list[_RawEntry]]]:
    """ONE `git log` over `revs`: every commit's record and its raw entries for `*.md` files."""
    out = _git(
        root,
        [
            "log",
            "--full-history",
            "--sparse",  # list commits that touch nothing under reqs_dir too: a complete graph
            "--raw",
            "-z",
            "-M",
            "--no-abbrev",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            "--relative",
            _FORMAT,
            *revs,
            "--",
            reqs_dir,
        ],
    )
    commits: dict[str, CommitRecord] = {}
    entries: dict[str, list[_RawEntry]] = {}
    tokens = out.split(b"\x00")
    count = len(tokens)
    current: list[_RawEntry] | None = None
    i = 0
    while i < count:
        token = tokens[i].lstrip(b"\n")
        if not token:
            i += 1
            continue
        if token[:1] == b"\x01":
            fields = [token[1:], *tokens[i + 1 : i + _HEADER_FIELDS]]
            i += _HEADER_FIELDS
            sha = fields[0].decode("ascii", "replace")
            if len(fields) < _HEADER_FIELDS or not _is_sha(sha):
                current = None
                continue
            parents = tuple(fields[1].decode("ascii", "replace").split())
            try:
                committed = int(fields[2])
            except ValueError:
                committed = 0
            subject = _text(fields[6])
            body = _text(fields[7])
            commits[sha] = (
                parents,
                committed,
                _text(fields[3]),
                _text(fields[4]),
                _text(fields[5]),
                subject,
                pr_number(f"{subject}\n{body}" if body else subject),
            )
            current = entries.setdefault(sha, [])
        elif token[:1] == b":":
            meta = token[1:].split(b" ")
            status = meta[4][:1].decode("ascii", "replace") if len(meta) >= 5 else "?"
            paths = 2 if status in ("R", "C") else 1
            names = [_text(name) for name in tokens[i + 1 : i + 1 + paths]]
            i += 1 + paths
            if current is None or len(meta) < 5 or len(names) < paths:
                continue
            entry = _raw_entry(status, meta, names)
            if entry is not None:
                current.append(entry)
        else:
            i += 1  # not expected in this format: skip a token rather than fail
    return commits, entries


def _is_sha(text: str) -> bool:
    return len(text) in (40, 64) and set(text) <= _HEX


def _blob_side(mode: bytes, sha: bytes, path: str | None) -> tuple[str | None, str | None]:
    """(sha, path) of one side of a raw entry, or (None, None) when that side holds no
    requirement file (absent, a submodule, a symlink, or not `*.md`)."""
    if path is None or not path.endswith(".md") or mode in (b"000000", b"160000", b"120000"):
        return None, None
    text = sha.decode("ascii", "replace")
    if _ZERO.match(text):
        return None, None
    return text, path


# implements: REQ-302
def _raw_entry(status: str, meta: list[bytes], names: list[str]) -> _RawEntry | None:
    old_mode, new_mode, old_sha, new_sha = meta[0], meta[1], meta[2], meta[3]
    if status in ("R", "C"):
        old_path, new_path = names[0], names[1]
    else:
        old_path = new_path = names[0]
    old_blob, old_name = _blob_side(old_mode, old_sha, old_path)
    new_blob, new_name = _blob_side(new_mode, new_sha, new_path)
    if status == "C":  # a copy leaves its source alone: the new file is an addition
        old_blob = old_name = None
    if status in ("A", "C"):
        old_blob = old_name = None
    elif status == "D":
        new_blob = new_name = None
    if old_name is None and new_name is None:
        return None
    if old_name is None:
        kind = "A"
    elif new_name is None:
        kind = "D"
    elif status == "R" and old_name != new_name:
        kind = "R"
    else:
        kind = "M"
    return kind, old_blob, new_blob, old_name, new_name


_KINDS = {"A": "added", "D": "deleted", "R": "renamed", "M": "modified"}


def _parsed(raw: bytes | None) -> ParsedFile | None:
    if raw is None:
        return None
    result = parse_file(raw)
    return result if isinstance(result, ParsedFile) else None


def _events_for(
    root: Path, entries: dict[str, list[_RawEntry]]
) -> dict[str, tuple[EventRecord, ...]]:
    """Raw entries -> event records, reading and parsing each distinct blob once."""
    shas: set[str] = set()
    for commit_entries in entries.values():
        for _, old_blob, new_blob, _, _ in commit_entries:
            if old_blob:
                shas.add(old_blob)
            if new_blob:
                shas.add(new_blob)
    blobs = _read_blobs(root, shas)
    parsed = {sha: _parsed(raw) for sha, raw in blobs.items()}
    events: dict[str, tuple[EventRecord, ...]] = {}
    for sha, commit_entries in entries.items():
        if not commit_entries:
            continue
        records = []
        for kind, old_blob, new_blob, old_path, new_path in commit_entries:
            old = parsed.get(old_blob) if old_blob else None
            new = parsed.get(new_blob) if new_blob else None
            path = new_path if new_path is not None else old_path
            assert path is not None  # _raw_entry keeps only entries with a side
            rid = _id_of(new) or _id_of(old) or PurePosixPath(path).stem
            if old_blob is not None and old_blob == new_blob:
                changes: tuple[tuple[Any, ...], ...] = ()  # a pure rename or mode change
            elif (old_blob is not None and old is None) or (new_blob is not None and new is None):
                changes = ()  # one side does not parse: no field-level diff to offer
            else:
                changes = tuple(
                    _change_records(
                        old.data if old else None,
                        new.data if new else None,
                        old.body if old else "",
                        new.body if new else "",
                    )
                )
            records.append((rid, _KINDS[kind], path, old_path if kind == "R" else None, changes))
        events[sha] = tuple(records)
    return events


def _id_of(parsed: ParsedFile | None) -> str | None:
    if parsed is None:
        return None
    rid = parsed.data.get("id")
    return (rid.strip() or None) if isinstance(rid, str) else None


# --------------------------------------------------------------------------------------------
# Order and PR attribution over the commit graph


def _reachable(commits: Mapping[str, CommitRecord], head: str) -> set[str]:
    seen: set[str] = set()
    stack = [head]
    while stack:
        sha = stack.pop()
        if sha in seen or sha not in commits:
            continue
        seen.add(sha)
        stack.extend(commits[sha][0])
    return seen


def _order(commits: Mapping[str, CommitRecord], head: str) -> list[str]:
    """Commits reachable from `head`, newest first: children before parents, otherwise by
    committer date, then sha (a pure function of the graph: cold and cached runs agree)."""
    reachable = _reachable(commits, head)
    children: dict[str, int] = dict.fromkeys(reachable, 0)
    for sha in reachable:
        for parent in commits[sha][0]:
            if parent in children:
                children[parent] += 1
    ready = [(-commits[sha][1], sha) for sha, count in children.items() if count == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        _, sha = heapq.heappop(ready)
        order.append(sha)
        for parent in commits[sha][0]:
            if parent in children:
                children[parent] -= 1
                if children[parent] == 0:
                    heapq.heappush(ready, (-commits[parent][1], parent))
    return order


# implements: REQ-303
def _attribute_prs(commits: Mapping[str, CommitRecord], head: str) -> dict[str, int | None]:
    """Each commit's PR: its own message's, else that of the merge that brought it in.

    The first-parent line is processed oldest first, so everything reachable from an older
    line commit is already claimed when a merge's side parents are explored: each merge claims
    exactly the commits it introduced. Linear in the number of commits.
    """
    line: list[str] = []
    on_line: set[str] = set()
    sha: str | None = head
    while sha is not None and sha in commits and sha not in on_line:
        line.append(sha)
        on_line.add(sha)
        parents = commits[sha][0]
        sha = parents[0] if parents else None
    prs: dict[str, int | None] = {}
    for tip in reversed(line):
        prs[tip] = commits[tip][6]
        stack = [(parent, commits[tip][6]) for parent in reversed(commits[tip][0][1:])]
        while stack:
            sha, label = stack.pop()
            if sha in prs or sha not in commits:
                continue
            own = commits[sha][6]
            prs[sha] = own if own is not None else label
            parents = commits[sha][0]
            # A merge inside a side branch labels its own side parents; the branch continues
            # through its first parent with the outer label.
            stack.extend((parent, own if own is not None else label) for parent in parents[1:])
            if parents:
                stack.append((parents[0], label))
    return prs


# --------------------------------------------------------------------------------------------
# Assembly, cache and the entry points


def _assemble(
    commits: Mapping[str, CommitRecord],
    events: Mapping[str, tuple[EventRecord, ...]],
    head: str,
    shallow: bool,
    note: str | None,
) -> History:
    prs = _attribute_prs(commits, head)
    built: list[Event] = []
    # Equal changes are shared (a new requirement's `status: proposed`, `type: functional`...):
    # Change is immutable, and many records of a large history repeat. The key carries the
    # value types, since YAML's 1, 1.0 and true are equal in Python but are different values.
    shared: dict[tuple[Any, ...], Change] = {}

    def intern(record: ChangeRecord) -> Change:
        old_type, new_type = type(record[1]), type(record[2])
        if old_type in _SCALARS and new_type in _SCALARS:
            key = (*record, old_type, new_type)
            change = shared.get(key)
            if change is None:
                change = shared[key] = _change(*record)
            return change
        return _change(*record)

    for sha in _order(commits, head):
        records = events.get(sha)
        if not records:
            continue
        parents, _, author, email, date, subject, _ = commits[sha]
        commit = Commit(sha, author, email, date, subject, prs.get(sha), parents)
        for rid, kind, path, old_path, changes in records:
            built.append(_event(commit, rid, kind, path, old_path, tuple(map(intern, changes))))
    return History(tuple(built), True, shallow, head, note)


def _cache_key(reqs_dir: str) -> str:
    return f"history|format{HISTORY_FORMAT}|reqs_dir={reqs_dir}"


# implements: REQ-308
def _read_cache(
    path: Path, key: str
) -> tuple[str, dict[str, CommitRecord], dict[str, tuple[EventRecord, ...]]] | None:
    """The cached (head, commits, events), or None when absent, corrupt or malformed."""
    value = read_sealed(path, key)
    try:
        if not isinstance(value, dict) or value.get("format") != HISTORY_FORMAT:
            return None
        head, commits, events = value["head"], value["commits"], value["events"]
        if not (isinstance(head, str) and isinstance(commits, dict) and isinstance(events, dict)):
            return None
        if head not in commits:
            return None
        for record in commits.values():
            if not (isinstance(record, tuple) and len(record) == 7):
                return None
        for records in events.values():
            if not isinstance(records, tuple):
                return None
            for record in records:
                if not (isinstance(record, tuple) and len(record) == 5):
                    return None
    except (KeyError, TypeError):
        return None
    return head, commits, events


# implements: REQ-300
# implements: REQ-307
def load_history(
    root: Path, reqs_dir: str = "reqs", *, use_cache: bool = True, rev: str = "HEAD"
) -> History:
    """Every requirement event reachable from `rev` (newest first), from one git log pass.

    Never raises for a missing or unusable repository and never prints: outside git, without
    commits or without git, `available` is False and `note` says why; a shallow clone sets
    `shallow` and a note naming the fix. An unknown `rev` other than HEAD raises ReqforgeError.
    """
    _check_rev(rev)
    with _gc_paused():
        return _load_history(Path(root), reqs_dir, use_cache, rev)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while ~10^5 containers are built: those objects hold
    no cycles, and the collector's repeated passes over them would otherwise cost about half of
    a warm run."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# implements: REQ-307
# implements: REQ-308
def _load_history(root: Path, reqs_dir: str, use_cache: bool, rev: str) -> History:
    try:
        probe = _git(root, ["rev-parse", "--is-shallow-repository"])
    except FileNotFoundError:
        return History((), False, False, None, NOTE_NO_GIT)
    except _GitError as exc:
        return History((), False, False, None, _not_git_note(exc))
    except OSError as exc:  # e.g. root is not a directory
        return History((), False, False, None, f"{NOTE_NOT_GIT} ({exc.strerror})")
    shallow = probe.strip() == b"true"
    try:
        head = _text(_git(root, ["rev-parse", "--verify", "-q", f"{rev}^{{commit}}"])).strip()
    except _GitError:
        if rev == "HEAD":
            return History((), False, shallow, None, NOTE_NO_COMMITS)
        raise ReqforgeError(f"unknown revision: {rev}") from None
    note = NOTE_SHALLOW if shallow else None
    use_cache = use_cache and not shallow
    store = cache_path(root, "history")
    key = _cache_key(reqs_dir)

    cached = _read_cache(store, key) if use_cache else None
    if cached is not None:
        old_head, commits, events = cached
        if head == old_head or head in commits:
            # Same head, or an ancestor of it (e.g. a tag): everything is in the memo.
            return _assemble(commits, events, head, shallow, note)
        try:
            new_commits, entries = _walk(root, reqs_dir, [head, "--not", old_head])
        except _GitError:
            cached = None  # the old head is gone (rewritten and collected): rebuild
        else:
            commits = {**commits, **new_commits}
            events = {**events, **_events_for(root, entries)}
            # Keep only what the new head reaches, so the memo cannot grow without bound.
            keep = _reachable(commits, head)
            commits = {sha: record for sha, record in commits.items() if sha in keep}
            events = {sha: records for sha, records in events.items() if sha in keep}
    if cached is None:
        try:
            commits, entries = _walk(root, reqs_dir, [head])
            events = _events_for(root, entries)
        except _GitError as exc:
            return History((), False, shallow, head, f"git log failed: {_first_line(exc)}")
    if use_cache:
        write_sealed(
            store,
            key,
            {"format": HISTORY_FORMAT, "head": head, "commits": commits, "events": events},
        )
    return _assemble(commits, events, head, shallow, note)


def _first_line(exc: _GitError) -> str:
    return exc.stderr.splitlines()[0] if exc.stderr else f"exit code {exc.returncode}"


def _not_git_note(exc: _GitError) -> str:
    if "not a git repository" in exc.stderr.lower() or not exc.stderr:
        return NOTE_NOT_GIT
    # e.g. "detected dubious ownership": say what git said
    return f"git cannot read this repository: history is absent ({_first_line(exc)})"


# implements: REQ-304
# implements: REQ-305
# implements: REQ-309
def read_tree(root: Path, rev: str, reqs_dir: str = "reqs") -> dict[str, bytes]:
    """Every `*.md` file under `reqs_dir` at `rev`: repository-relative path -> bytes.

    One `git ls-tree` and one `git cat-file --batch`. Raises ReqforgeError when `rev` is
    unknown, the folder is not a git repository, or git is missing.
    """
    _check_rev(rev)
    try:
        listing = _git(Path(root), ["ls-tree", "-r", "-z", f"{rev}^{{tree}}", "--", reqs_dir])
    except FileNotFoundError:
        raise ReqforgeError("git was not found on PATH") from None
    except _GitError as exc:
        if "not a git repository" in exc.stderr.lower():
            raise ReqforgeError(f"{root}: not a git repository") from None
        raise ReqforgeError(f"unknown revision: {rev} ({_first_line(exc)})") from None
    wanted: dict[str, str] = {}
    for item in listing.split(b"\x00"):
        meta, tab, name = item.partition(b"\t")
        if not tab:
            continue
        mode, kind, sha = meta.split(b" ")
        path = _text(name)
        if kind == b"blob" and mode not in (b"120000",) and path.endswith(".md"):
            wanted[path] = sha.decode("ascii")
    try:
        blobs = _read_blobs(Path(root), wanted.values())
    except _GitError as exc:
        raise ReqforgeError(f"git cat-file failed: {_first_line(exc)}") from None
    return {path: blobs[sha] for path, sha in sorted(wanted.items()) if sha in blobs}


def commits_since(root: Path, rev: str, head: str = "HEAD") -> frozenset[str]:
    """The SHAs of the commits reachable from `head` but not from `rev` (`git rev-list
    rev..head`): what `log --since REV` shows. Raises ReqforgeError for an unknown revision;
    outside git (or without git) the set is empty."""
    _check_rev(rev)
    try:
        out = _git(Path(root), ["rev-list", f"{rev}..{head}", "--"])
    except FileNotFoundError:
        return frozenset()
    except _GitError as exc:
        if "not a git repository" in exc.stderr.lower():
            return frozenset()
        raise ReqforgeError(f"unknown revision: {rev} ({_first_line(exc)})") from None
    return frozenset(_text(out).split())


# implements: REQ-304
def resolve_revision(root: Path, rev: str) -> str:
    """The full sha of the commit `rev` names; ReqforgeError (naming why) when it names none."""
    _check_rev(rev)
    try:
        out = _git(
            Path(root), ["rev-parse", "--verify", "-q", "--end-of-options", f"{rev}^{{commit}}"]
        )
    except FileNotFoundError:
        raise ReqforgeError("git was not found on PATH") from None
    except _GitError as exc:
        if "not a git repository" in exc.stderr.lower():
            raise ReqforgeError(f"{root}: not a git repository") from None
        hint = " (the repository has no commits yet)" if rev == "HEAD" else ""
        raise ReqforgeError(f"unknown revision: {rev}{hint}") from None
    return _text(out).strip()


def head_sha(root: Path, rev: str = "HEAD") -> str | None:
    """The commit `rev` names, or None outside git (or without git, or without commits)."""
    try:
        return resolve_revision(root, rev) or None
    except ReqforgeError:
        return None


def merge_base(root: Path, a: str, b: str = "HEAD") -> str | None:
    """The best common ancestor of two revisions, or None when they share none."""
    _check_rev(a)
    _check_rev(b)
    try:
        return _text(_git(Path(root), ["merge-base", a, b])).strip() or None
    except (FileNotFoundError, _GitError):
        return None


# implements: REQ-305
def tree_paths(root: Path, rev: str, reqs_dir: str = "reqs") -> frozenset[str]:
    """The `*.md` paths under `reqs_dir` at `rev` (names only: no blob is read)."""
    _check_rev(rev)
    try:
        out = _git(
            Path(root), ["ls-tree", "-r", "-z", "--name-only", f"{rev}^{{tree}}", "--", reqs_dir]
        )
    except FileNotFoundError:
        raise ReqforgeError("git was not found on PATH") from None
    except _GitError as exc:
        raise ReqforgeError(f"unknown revision: {rev} ({_first_line(exc)})") from None
    return frozenset(p for p in _text(out).split("\x00") if p.endswith(".md"))


# Workflow and planning fields: changing them does not change what a requirement says, so they
# never make the links to it suspect.
BOOKKEEPING_FIELDS = frozenset(
    {
        "status",
        "owner",
        "team",
        "due",
        "reason",
        "feedback",
        "priority",
        "tags",
        "lint-ignore",
        "reviewed",
        "source",
    }
)


def _says_something(field: str) -> bool:
    return field.split(".", 1)[0] not in BOOKKEEPING_FIELDS


# implements: REQ-404
def last_changes(
    root: Path, reqs_dir: str = "reqs", *, use_cache: bool = True
) -> dict[str, tuple[int, str]]:
    """ID -> (age, sha) of the commit that last changed the requirement's content, where age 0
    is the newest commit in the history (larger is older). Empty outside git.

    This is what suspect links (RF406) compare; it is cached per HEAD, so `check` pays one
    `git rev-parse` when nothing was committed since the last run.
    """
    head = head_sha(root)
    if head is None:
        return {}
    key = f"last-changes-2|{reqs_dir}|{head}"
    path = cache_path(Path(root), "last-changes")
    if use_cache:
        stored = read_sealed(path, key)
        if isinstance(stored, dict):
            return stored
    history = load_history(root, reqs_dir, use_cache=use_cache)
    ages: dict[str, int] = {}
    for event in history.events:
        ages.setdefault(event.commit.sha, len(ages))
    result: dict[str, tuple[int, str]] = {}
    for rid in {event.id for event in history.events}:
        for event in history.for_id(rid):
            if event.kind == "deleted":
                break
            if any(_says_something(change.field) for change in event.changes):
                result[rid] = (ages[event.commit.sha], event.commit.sha)
                break
    if use_cache and not history.shallow:
        write_sealed(path, key, result)
    return result


def is_ancestor(root: Path, ancestor: str, descendant: str) -> bool:
    """True when `ancestor` is `descendant` or one of its ancestors (False when either is
    unknown)."""
    _check_rev(ancestor)
    _check_rev(descendant)
    try:
        _git(Path(root), ["merge-base", "--is-ancestor", ancestor, descendant])
    except (FileNotFoundError, _GitError):
        return False
    return True


# implements: REQ-307
def history_note(root: Path) -> str | None:
    """Why history is partial (a shallow clone) or absent (outside git, no commits, no git),
    or None when it is whole: for commands whose git-based findings would silently shrink.
    One or two quick git calls."""
    try:
        out = _git(Path(root), ["rev-parse", "--is-shallow-repository"])
    except FileNotFoundError:
        return NOTE_NO_GIT
    except _GitError as exc:
        return _not_git_note(exc)
    except OSError as exc:  # e.g. root is not a directory
        return f"{NOTE_NOT_GIT} ({exc.strerror})"
    if _text(out).strip() == "true":
        return NOTE_SHALLOW
    try:
        _git(Path(root), ["rev-parse", "--verify", "-q", "HEAD^{commit}"])
    except _GitError:
        return NOTE_NO_COMMITS
    return None
