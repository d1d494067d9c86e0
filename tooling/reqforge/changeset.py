"""What a change to the requirements does: the pure comparison of two trees (`reqforge diff`).

`compare(base, head)` takes two snapshots of the requirement files (path -> bytes, e.g. from
`history.read_tree` or the working tree) and returns a `ChangeSet`, keyed by requirement ID:

* The ID of a file is its front matter `id`, falling back to the file stem. A file that does
  not parse keeps the ID of the file at the same path on the other side (so breaking a file's
  YAML shows as a modification of that requirement), else its stem. When two files on one side
  claim one ID (RF106), the first path in sorted order stands for it.
* added / removed: IDs present on one side only.
* modified: IDs on both sides with field-level changes (`history.field_changes`: dotted fields,
  whole lists, the body as added/removed line counts). A move or rename of the file is a
  `path` change (old path -> new path), listed first. When one side does not parse, the change
  is `{"field": "(file)", "old": ..., "new": ...}` whose values are `"ok"` or
  `"unparseable: <why>"`: field-level changes cannot be computed then.
* reformatted: IDs whose bytes changed but no field, body or path did (key order, comments,
  YAML style, line endings): not a modification, listed apart so nothing goes unmentioned.
* not compared: files of the working tree that could not be read or belong to a nested
  repository (`corpus.read_working_tree` names them, with why). A requirement of the base at
  such a path is not reported as removed: nothing is known about it.
* impacted: requirements on the head side whose links lead to a changed (added, modified or
  removed) requirement within `depth` steps (see `graph.impacted`), never a changed one.

`parse_revision_range` reads the argument of `reqforge diff` (`BASE..HEAD`, `BASE...HEAD`,
`REV`) into a `RevisionRange`; `corpus.compare_revisions` resolves it in git and compares.

`changeset_json` turns a ChangeSet into SPEC section 5's JSON shape (`render.diff` makes the
pull-request comment). Nothing here reads files or runs git.
"""

# implements: REQ-304

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from reqforge.graph import Impact, impacted
from reqforge.history import Change, field_changes
from reqforge.loader import ParsedFile, Problem, parse_file
from reqforge.model import Requirement

WORKING_TREE = "working tree"
FILE_FIELD = "(file)"
DEFAULT_BASE = "origin/main"  # what `diff` compares HEAD with when given no range


@dataclass(frozen=True, slots=True)
class RevisionRange:
    """Two revisions to compare, as the user wrote them (not yet resolved in git).

    `head` None is the working tree. With `merge_base`, the base side is the merge base of
    `base` and `head` (what a pull request shows), not `base` itself.
    """

    base: str
    head: str | None = None
    merge_base: bool = False

    def __str__(self) -> str:
        if self.head is None:
            return self.base
        return f"{self.base}{'...' if self.merge_base else '..'}{self.head}"


# implements: REQ-309
def parse_revision_range(text: str) -> RevisionRange:
    """The range a `diff` argument names: `A..B` compares two revisions, `A...B` compares B
    with the merge base of A and B, a single `REV` compares REV with the working tree. An
    empty side means HEAD, as in git; `...` is looked for before `..`."""
    if "..." in text:
        left, _, right = text.partition("...")
        return RevisionRange(left or "HEAD", right or "HEAD", merge_base=True)
    if ".." in text:
        left, _, right = text.partition("..")
        return RevisionRange(left or "HEAD", right or "HEAD")
    return RevisionRange(text)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One requirement file on one side of the comparison."""

    id: str
    path: str
    raw: bytes
    parsed: ParsedFile | None  # None when the file does not parse
    problem: str | None = None  # why it does not parse

    @property
    def title(self) -> str:
        value = self.parsed.data.get("title") if self.parsed else None
        return value if isinstance(value, str) else ""

    @property
    def links(self) -> Mapping[str, tuple[str, ...]]:
        if self.parsed is None:
            return {}
        return Requirement.from_data(self.path, self.parsed.data, self.parsed.body_line).links


@dataclass(frozen=True, slots=True)
class Modification:
    """A requirement present on both sides whose fields, body or path changed."""

    id: str
    old: Snapshot
    new: Snapshot
    changes: tuple[Change, ...]


@dataclass(frozen=True, slots=True)
class ChangeSet:
    """The requirements a change adds, removes, modifies, and those it impacts (by ID)."""

    added: tuple[Snapshot, ...] = ()
    removed: tuple[Snapshot, ...] = ()
    modified: tuple[Modification, ...] = ()
    reformatted: tuple[str, ...] = ()
    impacted: tuple[Impact, ...] = ()
    depth: int = 1
    titles: Mapping[str, str] = field(default_factory=dict)  # every listed ID -> its title
    paths: Mapping[str, str] = field(default_factory=dict)  # every listed ID -> its file
    not_compared: Mapping[str, str] = field(default_factory=dict)  # path -> why, sorted

    @property
    def changed(self) -> tuple[str, ...]:
        """Every added, removed and modified ID, sorted."""
        ids = [s.id for s in self.added] + [s.id for s in self.removed]
        return tuple(sorted(ids + [m.id for m in self.modified]))

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.modified)


@dataclass(frozen=True, slots=True)
class Comparison:
    """What `reqforge diff` compared and found: the revisions as named and as resolved."""

    base: str  # the base revision as named (a sha for a merge base)
    base_sha: str
    head: str | None  # the head revision as named; None for the working tree
    head_sha: str | None
    changeset: ChangeSet

    @property
    def head_label(self) -> str:
        """The head's sha, or "working tree"."""
        return self.head_sha or WORKING_TREE


# --------------------------------------------------------------------------------------------
# Comparison


Parsed = dict[str, ParsedFile | Problem]  # path -> what parse_file made of it


def _parse_side(
    files: Mapping[str, bytes],
    memo: dict[bytes, ParsedFile | Problem],
    parse: Callable[[bytes], ParsedFile | Problem],
) -> Parsed:
    """Parse every file once; `memo` shares the work between sides (most files are equal)."""
    parsed: Parsed = {}
    for path, raw in files.items():
        result = memo.get(raw)
        if result is None:
            result = memo[raw] = parse(raw)
        parsed[path] = result
    return parsed


def _declared_ids(parsed: Parsed) -> dict[str, str]:
    """Path -> ID for the files that parse (what an unparseable file on the other side takes)."""
    ids: dict[str, str] = {}
    for path, result in parsed.items():
        if isinstance(result, ParsedFile):
            rid = result.data.get("id")
            ids[path] = rid.strip() if isinstance(rid, str) and rid.strip() else _stem(path)
    return ids


def _stem(path: str) -> str:
    return PurePosixPath(path).stem


def _index(
    files: Mapping[str, bytes],
    parsed: Parsed,
    own_ids: Mapping[str, str],
    other_ids: Mapping[str, str],
) -> dict[str, Snapshot]:
    """ID -> Snapshot for one side; the first path (sorted) of a duplicated ID stands for it."""
    by_id: dict[str, Snapshot] = {}
    for path in sorted(files):
        result = parsed[path]
        if isinstance(result, ParsedFile):
            rid = own_ids[path]
            snapshot = Snapshot(rid, path, files[path], result)
        else:
            rid = other_ids.get(path) or _stem(path)
            snapshot = Snapshot(rid, path, files[path], None, f"{result.code} {result.message}")
        by_id.setdefault(rid, snapshot)
    return by_id


def _state(snapshot: Snapshot) -> str:
    return "ok" if snapshot.parsed else f"unparseable: {snapshot.problem}"


def _changes(old: Snapshot, new: Snapshot) -> tuple[Change, ...]:
    changes: list[Change] = []
    if old.path != new.path:
        changes.append(Change("path", old.path, new.path))
    if old.raw == new.raw:
        return tuple(changes)
    if old.parsed is None or new.parsed is None:
        changes.append(Change(FILE_FIELD, _state(old), _state(new)))
    else:
        changes += field_changes(old.parsed.data, new.parsed.data, old.parsed.body, new.parsed.body)
    return tuple(changes)


# implements: REQ-304
def compare(
    base: Mapping[str, bytes],
    head: Mapping[str, bytes],
    depth: int = 1,
    not_compared: Mapping[str, str] | None = None,
    parse: Callable[[bytes], ParsedFile | Problem] = parse_file,
) -> ChangeSet:
    """Compare two trees of requirement files (path -> bytes) by requirement ID.

    `depth` bounds the impact set: 1 lists the requirements linking directly to a changed one,
    2 also those linking to those, and so on (0: none). `not_compared` names head-side files
    or folders that could not be read (path -> why): the base's files there are left out, so
    they never show as removed. Everything is sorted by ID. `parse` reads one file
    (`loader.parse_file`, or the same remembered: `parsed_blobs.ParsedBlobs.parse`).
    """
    unknown = dict(sorted((not_compared or {}).items()))
    if unknown:
        base = {path: raw for path, raw in base.items() if not _within_any(path, unknown)}
    memo: dict[bytes, ParsedFile | Problem] = {}
    base_parsed, head_parsed = _parse_side(base, memo, parse), _parse_side(head, memo, parse)
    base_ids, head_ids = _declared_ids(base_parsed), _declared_ids(head_parsed)
    old = _index(base, base_parsed, base_ids, head_ids)
    new = _index(head, head_parsed, head_ids, base_ids)
    added = tuple(new[rid] for rid in sorted(new.keys() - old.keys()))
    removed = tuple(old[rid] for rid in sorted(old.keys() - new.keys()))
    modified: list[Modification] = []
    reformatted: list[str] = []
    for rid in sorted(old.keys() & new.keys()):
        before, after = old[rid], new[rid]
        if before.raw == after.raw and before.path == after.path:
            continue
        changes = _changes(before, after)
        if changes:
            modified.append(Modification(rid, before, after, changes))
        else:
            reformatted.append(rid)
    changed = [s.id for s in added] + [s.id for s in removed] + [m.id for m in modified]
    links = {rid: snapshot.links for rid, snapshot in new.items() if snapshot.parsed}
    impact = tuple(impacted(links, changed, depth)) if depth > 0 else ()
    titles: dict[str, str] = {}
    paths: dict[str, str] = {}
    for snapshot in (*removed, *added, *(new[item.id] for item in impact)):
        titles[snapshot.id] = snapshot.title
        paths[snapshot.id] = snapshot.path
    for modification in modified:
        titles[modification.id] = modification.new.title or modification.old.title
        paths[modification.id] = modification.new.path
    return ChangeSet(
        added,
        removed,
        tuple(modified),
        tuple(reformatted),
        impact,
        depth,
        dict(sorted(titles.items())),
        dict(sorted(paths.items())),
        unknown,
    )


def _within_any(path: str, places: Mapping[str, str]) -> bool:
    """True when `path` is one of `places` or lies in one of them (a folder)."""
    return path in places or any(path.startswith(place.rstrip("/") + "/") for place in places)


# --------------------------------------------------------------------------------------------
# JSON (SPEC section 5)


# implements: REQ-304
def changeset_json(changeset: ChangeSet, base: str, head: str) -> dict[str, Any]:
    """`{"base", "head", "added", "removed", "modified", "impacted"}` (SPEC 5) plus extra keys:
    the modified ones' title and paths, the impacted ones' title, `through` and `distance`,
    `reformatted`, `not_compared` (path and why), `depth`, and `requirements`: every listed
    ID -> title and path (the head's path; the base's for a removed one)."""
    return {
        "base": base,
        "head": head,
        "added": [s.id for s in changeset.added],
        "removed": [s.id for s in changeset.removed],
        "modified": [
            {
                "id": m.id,
                "title": m.new.title,
                "path": m.new.path,
                "old_path": m.old.path if m.old.path != m.new.path else None,
                "changes": [change.to_json() for change in m.changes],
            }
            for m in changeset.modified
        ],
        "impacted": [
            {
                "id": item.id,
                "via": item.via,
                "relation": item.relation,
                "through": item.through,
                "distance": item.distance,
                "title": changeset.titles.get(item.id, ""),
            }
            for item in changeset.impacted
        ],
        "reformatted": list(changeset.reformatted),
        "not_compared": [
            {"path": path, "why": why} for path, why in changeset.not_compared.items()
        ],
        "depth": changeset.depth,
        "requirements": {
            rid: {"title": title, "path": changeset.paths.get(rid)}
            for rid, title in changeset.titles.items()
        },
    }
