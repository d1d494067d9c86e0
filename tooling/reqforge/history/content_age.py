"""What suspect links (RF406) compare: when each requirement last changed what it *says*.

Workflow and planning fields (status, owner, priority, ...) are bookkeeping: changing them does
not change a requirement's meaning, so it never makes the links to it suspect.
"""

# implements: REQ-404

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from reqforge.cache import CacheStore, dict_of, fixed
from reqforge.git import GitError, open_repository
from reqforge.loader import Problem, decode, parse_file, parse_front_matter, split_front_matter
from reqforge.parallel import Background, can_fork, cpu_count

if TYPE_CHECKING:  # the walk is imported only when the cache cannot answer
    from reqforge.git import GitRepository
    from reqforge.history.walk import RawEntry

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
_SHAPE = dict_of(str, fixed(int, str))


def says_something(field: str) -> bool:
    """True when a change of `field` (a dotted path or `body`) changes what is required."""
    return field.split(".", 1)[0] not in BOOKKEEPING_FIELDS


# implements: REQ-404
def last_changes(
    root: Path, reqs_dir: str = "reqs", *, use_cache: bool = True
) -> dict[str, tuple[int, str]]:
    """ID -> (age, sha) of the commit that last changed the requirement's content, where age 0
    is the newest commit in the history that touched a requirement file (larger is older).
    Empty outside git, and may be empty when one commit alone touched requirement files (all
    ages would be equal: no link can be suspect). Only requirements at HEAD are answered for.

    Each file at HEAD is followed back through the commits that touched it, newest first, only
    until the first one that changed more than bookkeeping (see `_changes_content`): one names-
    and-blobs log, then rounds of batched blob reads, parsing only front matter whose other
    lines differ. Walking the whole history with field diffs for this took 5.4 s of a cold
    `check` on 10,000 requirements with 5,000 commits. Cached per HEAD, which is read
    in-process: `check` starts no git process when nothing was committed since the last run.
    """
    try:
        repo = open_repository(root)
    except GitError:
        return {}
    head = repo.head()
    if head is None:
        return {}
    store = CacheStore(Path(root), enabled=use_cache)
    key = f"last-changes|{reqs_dir}|{head}"
    stored = store.read("last-changes", key, _SHAPE)
    if stored is not None:
        return stored
    from reqforge.history.walk import remembering

    if repo.shallow:
        return _from_history(root, reqs_dir, store)  # the walk knows what a shallow clone hides
    if remembering():
        # A build walks the whole history for its pages (in the background, from the start):
        # the answer is in it, and a walk of its own cost 0.7 s of the build's own process.
        return _from_history(root, reqs_dir, store)
    walking = _PENDING.pop((str(Path(root).resolve()), reqs_dir, head), None)
    result = walking.result() if walking is not None else None
    if not isinstance(result, dict):
        result = _walk_back(repo, reqs_dir, head)
    store.write("last-changes", key, result)
    return result


# Walks `start` began in the background, by (root, reqs folder, HEAD).
_PENDING: dict[tuple[str, str, str], Background] = {}


@contextmanager
def walking_back(root: Path, reqs_dir: str = "reqs", wanted: bool = True) -> Iterator[None]:
    """`start` the walk (when `wanted`) for the block; at its end a walk nobody took the answer
    of (the command failed first) is waited for and dropped, never left running."""
    if wanted:
        start(root, reqs_dir)
    try:
        yield
    finally:
        while _PENDING:
            _PENDING.popitem()[1].wait()


# implements: REQ-603
def start(root: Path, reqs_dir: str = "reqs") -> bool:
    """Begin `last_changes`'s walk in a forked process when its cache holds no answer for HEAD,
    so that the git log and the blob reads (seconds on a long history) overlap a cold
    `check`'s parsing; `last_changes` then takes the answer from it. Nothing starts (False) on
    one core, without fork, outside git, without commits or in a shallow clone."""
    if cpu_count() < 2 or not can_fork():
        return False
    try:
        repo = open_repository(root)
    except GitError:
        return False
    head = repo.head()
    if head is None or repo.shallow:
        return False
    key = (str(Path(root).resolve()), reqs_dir, head)
    if key in _PENDING:
        return True
    store = CacheStore(Path(root))
    if store.read("last-changes", f"last-changes|{reqs_dir}|{head}", _SHAPE) is not None:
        return False
    _PENDING[key] = Background(partial(_walk_back, repo, reqs_dir, head), answer=True)
    return True


def _from_history(root: Path, reqs_dir: str, store: CacheStore) -> dict[str, tuple[int, str]]:
    """`last_changes` from the full history walk (its events' field changes)."""
    from reqforge.history.walk import load_history

    history = load_history(root, reqs_dir, store=store)
    ages: dict[str, int] = {}
    for event in history.events:
        ages.setdefault(event.commit.sha, len(ages))
    result: dict[str, tuple[int, str]] = {}
    for rid in {event.id for event in history.events}:
        for event in history.for_id(rid):
            if event.kind == "deleted":
                break
            if any(says_something(change.field) for change in event.changes):
                result[rid] = (ages[event.commit.sha], event.commit.sha)
                break
    return result


def _walk_back(repo: GitRepository, reqs_dir: str, head: str) -> dict[str, tuple[int, str]]:
    from reqforge.history.commit_graph import order
    from reqforge.history.walk import walk_log

    commits, entries = walk_log(repo, reqs_dir, [head])
    sequence = [sha for sha in order(commits, head) if entries.get(sha)]
    if len(sequence) < 2:
        # One commit (a first import) touched the requirements: every age would be the same,
        # and a link is suspect only when its target's is newer. Nothing to read (reading
        # every file's version for its ID was a second of a first `check` of 10,000).
        return {}
    # path -> [(position in `sequence`, entry)], newest first
    by_path: dict[str, list[tuple[int, RawEntry]]] = {}
    for position, sha in enumerate(sequence):
        for entry in entries[sha]:
            if entry[4] is not None:
                by_path.setdefault(entry[4], []).append((position, entry))
    heads = repo.tree_files(head, reqs_dir)
    texts = repo.read_blobs(heads.values())  # also the newer side of most first steps
    ids = {
        path: _id_in(texts.get(blob, b"")) or PurePosixPath(path).stem
        for path, blob in heads.items()
    }
    # Each file at HEAD -> (the name it had, the next of that name's entries to read).
    walking = {path: (path, 0) for path in heads if path in by_path}
    result: dict[str, tuple[int, str]] = {}
    while walking:
        steps = []
        for start, (path, index) in walking.items():
            found = by_path.get(path, [])
            if index < len(found):
                steps.append((start, path, index, *found[index]))
        # newer version first along each file (see `GitRepository.read_blobs`)
        wanted = [blob for *_, entry in steps for blob in (entry[2], entry[1]) if blob]
        texts.update(repo.read_blobs(blob for blob in wanted if blob not in texts))
        walking = {}
        for start, path, index, position, entry in steps:
            kind, old_blob, new_blob, old_name, _ = entry
            if _changes_content(kind, old_blob, new_blob, texts):
                result[ids[start]] = (position, sequence[position])
            elif kind == "R" and old_name is not None:
                # Renamed without a change of content: go on with the old name's older entries.
                older = [at for at, _ in by_path.get(old_name, [])]
                walking[start] = (old_name, bisect_right(older, position))
            else:
                walking[start] = (path, index + 1)
    return result


def _id_in(raw: bytes) -> str | None:
    """The `id` of a file's front matter: its `id:` line when a plain one is there, else
    what the parse says (None when it has none or does not parse)."""
    fence = raw.find(b"\n---", 3)  # the closing fence: an `id:` line in the body is not it
    match = None
    if raw.startswith(b"---") and fence >= 0:
        match = _ID_LINE.search(raw, 0, min(_ID_WINDOW, fence))
    if match is not None:
        return match.group(1).decode("utf-8", "replace")
    parsed = parse_file(raw)
    if isinstance(parsed, Problem):
        return None
    rid = parsed.data.get("id")
    return rid if isinstance(rid, str) else None


def _changes_content(
    kind: str, old_blob: str | None, new_blob: str | None, texts: dict[str, bytes]
) -> bool:
    """Whether a raw change of one file changed what the requirement says: an addition does
    (when the file parses, as the walk sees it); a rename to the same blob does not; otherwise
    a changed body does, and front matter that differs in more than bookkeeping lines does when
    its data, bookkeeping aside, differs (a file that does not parse changes nothing the walk
    can see)."""
    if new_blob is None:
        return False
    new = texts.get(new_blob)
    if new is None:
        return False
    if kind == "A" or old_blob is None:
        # Added: says everything when it has front matter (the walk's parse of it, less the
        # YAML: an addition whose YAML is broken is rare enough to date from here anyway).
        return _split(new) is not None
    if old_blob == new_blob:
        return False
    old = texts.get(old_blob)
    if old is None:
        return False
    old_split, new_split = _split(old), _split(new)
    if old_split is None or new_split is None:
        return False
    if old_split[1] != new_split[1]:
        return True  # the body is content
    old_front, new_front = old_split[0], new_split[0]
    if _BOOKKEEPING_BLOCK.sub("", old_front) == _BOOKKEEPING_BLOCK.sub("", new_front):
        return False  # only bookkeeping lines differ
    return _content_of(old_front) != _content_of(new_front)


def _split(raw: bytes) -> tuple[str, str] | None:
    text = decode(raw)
    if isinstance(text, Problem):
        return None
    split = split_front_matter(text)
    return None if isinstance(split, Problem) else (split[0], split[2])


def _content_of(front: str) -> str | None:
    """The front matter's data without its bookkeeping fields, in a canonical form."""
    data = parse_front_matter(front)
    if isinstance(data, Problem):
        return None
    kept = {key: value for key, value in data.items() if says_something(str(key))}
    return json.dumps(kept, sort_keys=True, default=repr, ensure_ascii=False)


_ID_LINE = re.compile(rb"^id:[ \t]*([A-Za-z0-9][A-Za-z0-9._-]*)[ \t]*(?:#.*)?$", re.MULTILINE)
_ID_WINDOW = 4096
# A top-level bookkeeping key and the lines indented below it.
_BOOKKEEPING_BLOCK = re.compile(
    "^(?:" + "|".join(sorted(BOOKKEEPING_FIELDS)) + r")[ \t]*:.*\n?(?:[ \t]+.*\n?|\n)*",
    re.MULTILINE,
)
