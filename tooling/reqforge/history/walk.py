"""Requirement history from git: one `git log` pass, batched blob reads, field diffs, a cache.

`load_history` walks the whole history with ONE `git log --raw -z` through `reqforge.git` (all
commits, their metadata, and for each the raw diff of `reqs_dir` with old and new blob names
and rename detection), reads every blob it needs with ONE `git cat-file --batch`, parses each
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
* Cache (`history` in `reqforge.cache`): a per-commit memo of the parsed commits and
  their events plus the head they cover. A later run lists only the commits not reachable from
  the cached head (`git log NEW --not OLD`) and reuses the rest; when the old head is no longer
  known it rebuilds. No cache is read or written in a shallow clone (its depth can change under
  the same HEAD) or with `use_cache=False`. The events are kept as records
  (history/records.py), made into `Event`s only when a command asks for them.
* Background (`prefetch`): a command that will need the history and finds no cache can have
  it walked by a forked process (`parallel.Background`) while it does other work; the next
  `load_history` inside the same `remembered()` block waits for it and reads the cache.
"""

# implements: REQ-300

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any

from reqforge.cache import CacheStore, dict_of, fixed, gc_paused, maybe, tuple_of
from reqforge.errors import ReqforgeError
from reqforge.git import (
    NOTE_NO_COMMITS,
    NOTE_SHALLOW,
    GitCommandFailed,
    GitError,
    GitRepository,
    check_revision,
    commits_since,
    open_repository,
)
from reqforge.history.commit_graph import CommitRecord, pr_number, reachable
from reqforge.history.field_diff import change_records
from reqforge.history.model import Event, History
from reqforge.history.records import EVENT_SHAPE, EventRecord, Records, record_tail
from reqforge.i18n import Text
from reqforge.loader import ParsedFile, is_requirement_name, parse_file
from reqforge.parallel import Background, can_fork, cpu_count
from reqforge.render.progress import Progress

HISTORY_FORMAT = 4  # bump whenever the cached layout or the event computation changes

_ZERO = re.compile(r"^0+$")
_HEX = frozenset("0123456789abcdef")
# The commit header: a marker, then fixed fields (one NUL-separated token each). %b may hold
# newlines but never a NUL (git refuses NULs in messages), so the token count is fixed.
_FORMAT = "--format=%x01%H%x00%P%x00%ct%x00%an%x00%ae%x00%aI%x00%s%x00%b%x00"
_HEADER_FIELDS = 8

# A raw entry: (kind letter, old sha | None, new sha | None, old path | None, new path | None)
RawEntry = tuple[str, "str | None", "str | None", "str | None", "str | None"]

_COMMIT_SHAPE = fixed(tuple_of(str), int, str, str, str, str, maybe(int))
_CACHE_SHAPE = fixed(str, dict_of(str, _COMMIT_SHAPE), dict_of(str, tuple_of(EVENT_SHAPE)))


# implements: REQ-300
def walk_log(
    repo: GitRepository, reqs_dir: str, revs: list[str]
) -> tuple[dict[str, CommitRecord], dict[str, list[RawEntry]]]:
    """ONE `git log` over `revs`: every commit's record and its raw entries for `*.md` files
    (the names-and-blobs log alone; `content_age.last_changes` needs no more)."""
    out = repo.raw_log(revs, reqs_dir, _FORMAT)
    prefix = "" if reqs_dir.strip("/") in ("", ".") else reqs_dir.strip("/") + "/"
    commits: dict[str, CommitRecord] = {}
    entries: dict[str, list[RawEntry]] = {}
    tokens = out.split(b"\x00")
    count = len(tokens)
    current: list[RawEntry] | None = None
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
            names = [prefix + _text(name) for name in tokens[i + 1 : i + 1 + paths]]
            i += 1 + paths
            if current is None or len(meta) < 5 or len(names) < paths:
                continue
            entry = _raw_entry(status, meta, names)
            if entry is not None:
                current.append(entry)
        else:
            i += 1  # not expected in this format: skip a token rather than fail
    return commits, entries


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def _is_sha(text: str) -> bool:
    return len(text) in (40, 64) and set(text) <= _HEX


def _blob_side(mode: bytes, sha: bytes, path: str | None) -> tuple[str | None, str | None]:
    """(sha, path) of one side of a raw entry, or (None, None) when that side holds no
    requirement file (absent, a submodule, a symlink, not `*.md`, or a README, index or `_*.md`
    page that `check` does not read as a requirement either)."""
    if path is None or not path.endswith(".md") or mode in (b"000000", b"160000", b"120000"):
        return None, None
    if not is_requirement_name(path.rsplit("/", 1)[-1]):
        return None, None
    text = sha.decode("ascii", "replace")
    if _ZERO.match(text):
        return None, None
    return text, path


# implements: REQ-302
def _raw_entry(status: str, meta: list[bytes], names: list[str]) -> RawEntry | None:
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
    repo: GitRepository, entries: dict[str, list[RawEntry]], progress: Progress
) -> dict[str, tuple[EventRecord, ...]]:
    """Raw entries -> event records, reading and parsing each distinct blob once."""
    # In log order, newest first, each entry's new version before its old one: the order in
    # which git's delta base cache serves them best (see `GitRepository.read_blobs`).
    shas: dict[str, None] = {}
    for commit_entries in entries.values():
        for _, old_blob, new_blob, _, _ in commit_entries:
            if new_blob:
                shas[new_blob] = None
            if old_blob:
                shas[old_blob] = None
    blobs = repo.read_blobs(shas)
    progress.stage(Text("reading requirement versions"), len(blobs))
    parsed = {}
    for count, (sha, raw) in enumerate(blobs.items(), 1):
        parsed[sha] = _parsed(raw)
        if count % 500 == 0:
            progress.update(count)
    progress.finish()
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
            elif old is not None and new is not None and old.front_matter == new.front_matter:
                changes = tuple(change_records(None, None, old.body, new.body))  # body only
            else:
                changes = tuple(
                    change_records(
                        old.data if old else None,
                        new.data if new else None,
                        old.body if old else "",
                        new.body if new else "",
                    )
                )
            records.append(
                (
                    rid,
                    _KINDS[kind],
                    path,
                    old_path if kind == "R" else None,
                    *record_tail(changes),
                )
            )
        events[sha] = tuple(records)
    return events


def _id_of(parsed: ParsedFile | None) -> str | None:
    if parsed is None:
        return None
    rid = parsed.data.get("id")
    return (rid.strip() or None) if isinstance(rid, str) else None


# --------------------------------------------------------------------------------------------
# Assembly, cache and the entry points


def _assemble(
    commits: Mapping[str, CommitRecord],
    events: Mapping[str, tuple[EventRecord, ...]],
    head: str,
    shallow: bool,
    note: str | None,
) -> History:
    return History.lazy(Records(commits, events, head), True, shallow, head, note)


def _cache_key(reqs_dir: str) -> str:
    return f"history|format{HISTORY_FORMAT}|reqs_dir={reqs_dir}"


# implements: REQ-300
# implements: REQ-307
def load_history(
    root: Path,
    reqs_dir: str = "reqs",
    *,
    use_cache: bool = True,
    rev: str = "HEAD",
    store: CacheStore | None = None,
    progress: Progress | None = None,
) -> History:
    """Every requirement event reachable from `rev` (newest first), from one git log pass.

    Never raises for a missing or unusable repository and never prints: outside git, without
    commits, without git or in a repository git distrusts, `available` is False and `note` says
    why; a shallow clone sets `shallow` and a note naming the fix. An unknown `rev` other than
    HEAD raises UnknownRevision (a ReqforgeError). `store` defaults to the root's caches;
    `progress` hears about long work (walking the log, parsing every version).
    """
    check_revision(rev)
    if store is None:
        store = CacheStore(Path(root), enabled=use_cache)
    with gc_paused():
        return _load_history(Path(root), reqs_dir, store, rev, progress or Progress())


# implements: REQ-307
# implements: REQ-308
def _load_history(
    root: Path, reqs_dir: str, store: CacheStore, rev: str, progress: Progress
) -> History:
    walking = _PENDING.pop(_pending_key(root, reqs_dir), None)
    if walking is not None:
        walking.wait()  # it leaves the history in the cache, read below
    try:
        repo = open_repository(root)
    except GitError as exc:
        return History((), False, False, None, exc.note)
    shallow = repo.shallow
    head = repo.head() if rev == "HEAD" else repo.resolve(rev)
    if head is None:
        return History((), False, shallow, None, NOTE_NO_COMMITS)
    # A shallow clone keeps no cache: its depth can change under the same HEAD.
    use_cache = store.enabled and not shallow
    # A build asks twice (check's suspect links, then the site): inside `remembered()`, the
    # second time the history of the same head comes from memory, not from the cache.
    recent = (str(root.resolve()), reqs_dir, head)
    if use_cache and _MEMO is not None and recent in _MEMO:
        return _MEMO[recent]
    history = _history_at(repo, reqs_dir, store if use_cache else None, head, shallow, progress)
    if use_cache and history.available and _MEMO is not None:
        _MEMO[recent] = history
    return history


# Inside `remembered()`: the histories loaded with the cache on, by (root, reqs folder,
# head); None outside.
_MEMO: dict[tuple[str, str, str], History] | None = None
# Inside `remembered()`: the histories `prefetch` is walking in the background, by (root,
# reqs folder).
_PENDING: dict[tuple[str, str], Background] = {}


@contextmanager
def remembered() -> Iterator[None]:
    """Within the block, a history loaded again for the same repository, folder and head is
    the one loaded before (the cache is not read again). For one command's run: outside it,
    every call reads the cache, so a cache changed in between is seen."""
    global _MEMO, _PENDING
    outer, outer_pending = _MEMO, _PENDING
    _MEMO, _PENDING = {}, {}
    try:
        yield
    finally:
        for walking in _PENDING.values():
            walking.wait()  # never left writing the cache after the command moved on
        _MEMO, _PENDING = outer, outer_pending


def remembering() -> bool:
    """Whether this runs inside `remembered()`: a command that loads the whole history anyway
    (a build), whose other readers of history take it from there."""
    return _MEMO is not None


def _pending_key(root: Path, reqs_dir: str) -> tuple[str, str]:
    return str(root.resolve()), reqs_dir


# implements: REQ-603
def prefetch(root: Path, reqs_dir: str = "reqs") -> bool:
    """Inside `remembered()`, start walking HEAD's history in a background process that leaves
    it in the cache, when the cache holds none yet: a first run's walk takes seconds of one
    core (git log, every version parsed and compared), which the command's other work on the
    requirements need not wait for. The next `load_history` of `root` and `reqs_dir` in the
    block waits for it and reads the cache. Nothing starts (False) on one core, without fork,
    outside git, in a shallow clone (which keeps no cache) or when a cache is there already
    (bringing it up to date is quicker than a process)."""
    if _MEMO is None or cpu_count() < 2 or not can_fork():
        return False
    key = _pending_key(Path(root), reqs_dir)
    if key in _PENDING:
        return True
    store = CacheStore(Path(root))
    if os.path.lexists(store.path("history")):
        return False
    try:
        if open_repository(Path(root)).shallow:
            return False
    except GitError:
        return False
    if not store.ready():  # the folders and the clone key made here, before the fork
        return False
    _PENDING[key] = Background(partial(load_history, Path(root), reqs_dir, store=store))
    return True


def _history_at(
    repo: GitRepository,
    reqs_dir: str,
    store: CacheStore | None,
    head: str,
    shallow: bool,
    progress: Progress,
) -> History:
    """The history reachable from `head`: from the cache in `store` (None: no cache), the
    commits it lacks walked and added to it."""
    note = NOTE_SHALLOW if shallow else None
    key = _cache_key(reqs_dir)
    cached = store.read("history", key, _CACHE_SHAPE) if store is not None else None
    if cached is not None and cached[0] not in cached[1]:
        cached = None  # a head the memo does not hold: not ours
    if cached is not None:
        old_head, commits, events = cached
        if head == old_head or head in commits:
            # Same head, or an ancestor of it (e.g. a tag): everything is in the memo.
            return _assemble(commits, events, head, shallow, note)
        try:
            progress.stage(Text("reading new commits"), 0)
            new_commits, entries = walk_log(repo, reqs_dir, [head, "--not", old_head])
        except GitCommandFailed:
            cached = None  # the old head is gone (rewritten and collected): rebuild
        else:
            commits = {**commits, **new_commits}
            events = {**events, **_events_for(repo, entries, progress)}
            # Keep only what the new head reaches, so the memo cannot grow without bound.
            keep = reachable(commits, head)
            commits = {sha: record for sha, record in commits.items() if sha in keep}
            events = {sha: records for sha, records in events.items() if sha in keep}
    if cached is None:
        try:
            progress.stage(Text("reading git history"), 0)
            commits, entries = walk_log(repo, reqs_dir, [head])
            events = _events_for(repo, entries, progress)
        except GitError as exc:
            return History((), False, shallow, head, exc.note)
    if store is not None:
        store.write("history", key, (head, commits, events))
    return _assemble(commits, events, head, shallow, note)


# implements: REQ-302
def log_events(
    root: Path,
    reqs_dir: str,
    rid: str | None = None,
    since: str | None = None,
    progress: Progress | None = None,
) -> tuple[History, tuple[Event, ...]]:
    """What `reqforge log [ID] [--since REV]` shows: the history, and its events newest first,
    only those of commits after `since` (a revision) and of requirement `rid` (any case),
    following its renames and ID changes as `History.for_id` does.
    UnknownRevision for an unknown `since`; ReqforgeError when no commit ever touched `rid`."""
    history = load_history(root, reqs_dir, progress=progress)
    events = history.events
    if rid is not None:
        events = history.for_id(_known_id(history, rid))
        if not events and history.available:
            raise ReqforgeError(Text("no history for {id!r}: no commit touched it", id=rid))
    if since:
        keep = commits_since(root, since)
        events = tuple(event for event in events if event.commit.sha in keep)
    return history, events


def _known_id(history: History, rid: str) -> str:
    """`rid` as the history spells it: the exact ID when known, else the newest event's ID
    equal to it ignoring case (IDs are typed in any case on the command line)."""
    if history.for_id(rid):
        return rid
    wanted = rid.upper()
    for event in history.events:
        if event.id.upper() == wanted:
            return event.id
    return rid
