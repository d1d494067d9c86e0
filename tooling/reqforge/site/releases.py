"""The releases of a repository: its tags in the order they were made, the tag each commit first
shipped in, and the baselines (what changed between consecutive tags, and from the latest tag
to HEAD), read from git for the site's change log and baseline pages.

Each baseline is one `changeset.compare` of two commits' requirement files, kept as plain rows
(ID, title, path, field changes): a build computes them in a background process
(`start_releases`, `take_releases`), and keeps them in its cache by the two commits compared,
so a rebuild compares again only what a commit moved (the latest tag against the new HEAD).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard

from reqforge.cache import CacheStore, dict_of, fixed, list_of, maybe
from reqforge.history.model import Change, make_change

if TYPE_CHECKING:
    from reqforge.changeset import Snapshot
    from reqforge.git import GitRepository
    from reqforge.parallel import Background
    from reqforge.parsed_blobs import ParsedBlobs

HEAD = "HEAD"


# A requirement in a baseline: (ID, title, path) as the compared side has them.
Row = tuple[str, str, str]


@dataclass(frozen=True)
class Baseline:
    """What changed between two tags (or the latest tag and HEAD): the requirements added,
    removed, and modified with their field-level changes (plain data: a build computes them in
    a background process)."""

    old: str
    new: str
    added: tuple[Row, ...] = ()
    removed: tuple[Row, ...] = ()
    modified: tuple[tuple[Row, tuple[Change, ...]], ...] = ()

    @property
    def page(self) -> str:
        """The page's path relative to the site's top."""
        return f"baselines/{file_safe(self.old)}..{file_safe(self.new)}.html"


@dataclass(frozen=True)
class Releases:
    """The tags oldest first as (name, sha), the tag that first contains each tagged commit
    (commits after the latest tag are in none), and the baselines, oldest first."""

    tags: tuple[tuple[str, str], ...]
    tag_of: Mapping[str, str]
    baselines: tuple[Baseline, ...]


def file_safe(name: str) -> str:
    """A tag name as a file name: characters other than letters, digits, `.`, `_` and `-`
    become `_`, and a changed name gets a short digest of the original, so `v1/x` and `v1_x`
    never share a page."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", name).lstrip(".") or "_"
    if safe == name:
        return safe
    return f"{safe}-{hashlib.blake2b(name.encode('utf-8'), digest_size=4).hexdigest()}"


# implements: REQ-505
def load_releases(root: Path, reqs_dir: str, store: CacheStore) -> Releases | None:
    """The tags, which tag each commit first shipped in, and the baseline comparisons; None
    outside git or in a repository without commits. Raises nothing for a repository without
    tags: its Releases has none. The versions compared are parsed once per clone (kept in
    `store` by their content: the `release-blobs` cache)."""
    found = _releases(root, reqs_dir, store)
    return None if found is None else _from_plain(found)


def start_releases(root: Path, reqs_dir: str, store: CacheStore) -> Background | None:
    """`load_releases` in a background process (a second of one core for six releases of
    10,000 requirements), for `take_releases`; None where nothing can be forked."""
    from reqforge.git import GitError, open_repository
    from reqforge.parallel import Background, can_fork, cpu_count

    if cpu_count() < 2 or not can_fork() or not store.ready():
        return None
    try:
        if not open_repository(root).tags():
            return None  # no baselines: nothing worth a process
    except GitError:
        return None
    return Background(partial(_releases, root, reqs_dir, store), answer=True)


def take_releases(
    job: Background | None, root: Path, reqs_dir: str, store: CacheStore
) -> Releases | None:
    """What `start_releases`'s job found, or `load_releases` here when it found nothing."""
    found = job.result() if job is not None else None
    if not _plain_shape(found):
        return load_releases(root, reqs_dir, store)
    return _from_plain(found)


# (tags, tag_of, baselines): marshal-able, as a background process answers.
_Plain = tuple[
    list[tuple[str, str]],
    dict[str, str],
    list[tuple[str, str, list[Row], list[Row], list[tuple[Row, list[tuple[Any, ...]]]]]],
]


_ROW = fixed(str, str, str)
_BASELINE = fixed(
    str,
    str,
    list_of(_ROW),
    list_of(_ROW),
    list_of(fixed(_ROW, list_of(fixed(str, object, object, maybe(int), maybe(int))))),
)
_TAGS = fixed(list_of(fixed(str, str)), dict_of(str, str))


def _releases(root: Path, reqs_dir: str, store: CacheStore) -> _Plain | None:
    """`load_releases`'s answer as plain data. Kept in `store`: the tags' order and the tag of
    each commit under the tags (a new commit is under none), and each baseline under the two
    commits it compares, so a rebuild compares again only what moved (the latest tag against
    a new HEAD); the cache keeps what this run used."""
    from reqforge.git import GitError, open_repository

    try:
        repo = open_repository(root)
        head = repo.head()
        if head is None:
            return None
        named = sorted(repo.tags())
        key = f"{reqs_dir}|{named!r}"
        known_tags = store.read("release-tags", key, _TAGS)
        if known_tags is None:
            reachable = {sha: repo.reachable(sha) for _, sha in named}
            # An older tag reaches fewer commits than one made after it: the count orders them.
            tags = sorted(named, key=lambda tag: (len(reachable[tag[1]]), tag[0]))
            tag_of: dict[str, str] = {}
            for name, sha in tags:
                for commit in reachable[sha]:
                    tag_of.setdefault(commit, name)
            store.write("release-tags", key, (tags, tag_of))
        else:
            tags, tag_of = known_tags
        known = store.read("release-baselines", reqs_dir, dict_of(str, _BASELINE)) or {}
        used: dict[str, Any] = {}
        sides = [*tags, (HEAD, head)] if tags else []
        baselines = []
        compare, parsed = _comparer(repo, reqs_dir, store)
        for (old, old_sha), (new, new_sha) in pairwise(sides):
            pair = f"{old_sha}..{new_sha}|{old}|{new}"
            found = known.get(pair)
            if found is None:
                found = (old, new, *compare(old_sha, new_sha))
            used[pair] = found
            baselines.append(found)
        parsed.save()
        if used != known:
            store.write("release-baselines", reqs_dir, used)
    except GitError:
        return None
    return tags, tag_of, baselines


def _comparer(
    repo: GitRepository, reqs_dir: str, store: CacheStore
) -> tuple[
    Callable[[str, str], tuple[list[Row], list[Row], list[tuple[Row, list[tuple[Any, ...]]]]]],
    ParsedBlobs,
]:
    """Compare two commits' requirements: (added, removed, modified with their changes) as
    rows; each tree listed once, each version compared parsed once per clone (the
    `release-blobs` cache, which the caller saves)."""
    from reqforge.changeset import compare
    from reqforge.parsed_blobs import ParsedBlobs

    listings: dict[str, dict[str, str]] = {}
    parsed = ParsedBlobs(store, "release-blobs")

    def listing(sha: str) -> dict[str, str]:
        if sha not in listings:
            listings[sha] = repo.tree_files(sha, reqs_dir)
        return listings[sha]

    def row(snapshot: Snapshot) -> Row:
        return snapshot.id, snapshot.title, snapshot.path

    def comparison(
        old: str, new: str
    ) -> tuple[list[Row], list[Row], list[tuple[Row, list[tuple[Any, ...]]]]]:
        # A file at the same path with the same blob on both sides is unchanged: only the
        # others are read and parsed, so a release touching 50 of 10,000 files costs 50.
        before, after = listing(old), listing(new)
        same = {path for path, blob in before.items() if after.get(path) == blob}
        # Each file's newer version, then its older one: the order git's delta base cache
        # serves best (in sha order it rebuilds each version along its delta chain).
        changed = sorted((before.keys() | after.keys()) - same)
        wanted = [b for p in changed for b in (after.get(p), before.get(p)) if b is not None]
        blobs = repo.read_blobs(wanted)
        changes = compare(
            {p: blobs[b] for p, b in before.items() if p not in same and b in blobs},
            {p: blobs[b] for p, b in after.items() if p not in same and b in blobs},
            parse=parsed.parse,
        )
        return (
            [row(s) for s in changes.added],
            [row(s) for s in changes.removed],
            [(row(m.new), _records(m.changes)) for m in changes.modified],
        )

    return comparison, parsed


def _records(changes: Iterable[Change]) -> list[tuple[Any, ...]]:
    """Field-level changes as marshal-able tuples (`make_change` makes them back)."""
    return [(c.field, c.old, c.new, c.added, c.removed) for c in changes]


def _plain_shape(found: Any) -> TypeGuard[_Plain]:
    return isinstance(found, tuple) and len(found) == 3 and isinstance(found[2], list)


def _from_plain(found: _Plain) -> Releases:
    tags, tag_of, baselines = found
    return Releases(
        tuple((name, sha) for name, sha in tags),
        tag_of,
        tuple(
            Baseline(
                old,
                new,
                tuple(tuple(r) for r in added),  # type: ignore[misc]
                tuple(tuple(r) for r in removed),  # type: ignore[misc]
                tuple(
                    (tuple(r), tuple(make_change(*c) for c in changes))  # type: ignore[misc]
                    for r, changes in modified
                ),
            )
            for old, new, added, removed, modified in baselines
        ),
    )
