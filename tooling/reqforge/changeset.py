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
* impacted: requirements on the head side whose links lead to a changed (added, modified or
  removed) requirement within `depth` steps (see `graph.impacted`), never a changed one.

`changeset_json` and `render_markdown` turn a ChangeSet into SPEC section 5's JSON shape and a
pull-request comment. Nothing here reads files or runs git.
"""

# implements: REQ-304

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from reqforge.graph import Impact, impacted
from reqforge.history import Change, field_changes
from reqforge.loader import ParsedFile, Problem, parse_file
from reqforge.model import Requirement

WORKING_TREE = "working tree"
FILE_FIELD = "(file)"
MARKER = "<!-- reqforge-diff -->"  # lets a CI job find and update its own comment
# Character budgets of the comment's sections (GitHub caps a comment at 65,536 characters).
TABLE_BUDGET = 24_000
DETAILS_BUDGET = 20_000
IMPACT_BUDGET = 12_000
MAX_VALUE = 80  # characters of a value shown in Markdown


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

    @property
    def changed(self) -> tuple[str, ...]:
        """Every added, removed and modified ID, sorted."""
        ids = [s.id for s in self.added] + [s.id for s in self.removed]
        return tuple(sorted(ids + [m.id for m in self.modified]))

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.modified)


# --------------------------------------------------------------------------------------------
# Comparison


Parsed = dict[str, ParsedFile | Problem]  # path -> what parse_file made of it


def _parse_side(files: Mapping[str, bytes], memo: dict[bytes, ParsedFile | Problem]) -> Parsed:
    """Parse every file once; `memo` shares the work between sides (most files are equal)."""
    parsed: Parsed = {}
    for path, raw in files.items():
        result = memo.get(raw)
        if result is None:
            result = memo[raw] = parse_file(raw)
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
def compare(base: Mapping[str, bytes], head: Mapping[str, bytes], depth: int = 1) -> ChangeSet:
    """Compare two trees of requirement files (path -> bytes) by requirement ID.

    `depth` bounds the impact set: 1 lists the requirements linking directly to a changed one,
    2 also those linking to those, and so on (0: none). Everything is sorted by ID.
    """
    memo: dict[bytes, ParsedFile | Problem] = {}
    base_parsed, head_parsed = _parse_side(base, memo), _parse_side(head, memo)
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
    )


# --------------------------------------------------------------------------------------------
# JSON (SPEC section 5)


# implements: REQ-304
def changeset_json(changeset: ChangeSet, base: str, head: str) -> dict[str, Any]:
    """`{"base", "head", "added", "removed", "modified", "impacted"}` (SPEC 5) plus extra keys:
    the modified ones' title and paths, the impacted ones' title, `through` and `distance`,
    `reformatted`, `depth`, and `requirements`: every listed ID -> title and path (the head's
    path; the base's for a removed one)."""
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
        "depth": changeset.depth,
        "requirements": {
            rid: {"title": title, "path": changeset.paths.get(rid)}
            for rid, title in changeset.titles.items()
        },
    }


# --------------------------------------------------------------------------------------------
# Markdown (a pull-request comment)

_NEWLINES = re.compile(r"\s*[\r\n\u2028\u2029]+\s*")
# Characters with a meaning in Markdown inline syntax, escaped with a backslash.
_MARKDOWN = re.compile(r"([\\*_\[\]~])")
_ENTITIES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "|": "&#124;",  # an entity, not `\|`: it can never split a table cell
    "`": "&#96;",
    "@": "&#64;",  # no @-mentions of people from a requirement's title
}
_ENTITY = re.compile("[" + re.escape("".join(_ENTITIES)) + "]")


def escape_markdown(text: str, limit: int | None = None) -> str:
    """User text made inert in Markdown and HTML: one line, no tags, no table breaks, no
    emphasis, links or code spans; shortened to `limit` characters (before escaping)."""
    text = _NEWLINES.sub(" ", text).strip()
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    text = _MARKDOWN.sub(r"\\\1", text)
    return _ENTITY.sub(lambda match: _ENTITIES[match.group()], text)


def _value(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return escape_markdown(text, MAX_VALUE) or '""'


def _label(rev: str) -> str:
    """A revision for the summary line: a short sha in a code span, other text escaped."""
    if re.fullmatch(r"[0-9a-f]{40}", rev):
        return f"`{rev[:7]}`"
    return escape_markdown(rev)


def site_link(rid: str, base_url: str | None) -> str:
    """The ID, linked to its page on the published site when `base_url` is absolute."""
    text = escape_markdown(rid)
    if not base_url or not re.match(r"https?://[^\s<>()]+$", base_url):
        return text
    url = base_url.rstrip("/") + "/requirements/" + quote(rid, safe="") + ".html"
    return f"[{text}]({url})"


def _summary_of(change: Change) -> str:
    """A change in a table cell: the field name, with a status transition spelled out."""
    if change.field == "status":
        return f"status: {_value(change.old)} → {_value(change.new)}"
    if change.field == "path":
        return "moved"
    if change.field == FILE_FIELD:
        return "file " + ("unparseable" if change.new != "ok" else "repaired")
    return escape_markdown(change.field)


def _detail_of(change: Change) -> str:
    """A change as one list item: old → new, the body as line counts."""
    if change.added is not None or change.removed is not None:
        return f"- **body**: +{change.added or 0} −{change.removed or 0} lines"
    name = "moved" if change.field == "path" else escape_markdown(change.field)
    if change.old is None:
        return f"- **{name}**: set to {_value(change.new)}"
    if change.new is None:
        return f"- **{name}**: removed (was {_value(change.old)})"
    return f"- **{name}**: {_value(change.old)} → {_value(change.new)}"


def _reformatted(changeset: ChangeSet) -> str:
    ids = ", ".join(escape_markdown(rid) for rid in changeset.reformatted[:200])
    more = len(changeset.reformatted) - 200
    tail = f" and {more} more" if more > 0 else ""
    return f"Reformatted only (no field or body change): {ids}{tail}."


def _within(blocks: list[list[str]], budget: int, what: str) -> list[str]:
    """The blocks (lists of lines) that fit in `budget` characters, then a note on the rest."""
    out: list[str] = []
    used = 0
    for number, block in enumerate(blocks):
        size = sum(len(line) + 1 for line in block)
        if used + size > budget:
            rest = len(blocks) - number
            note = f"…and {rest} more {what}: run `reqforge diff --format json` for all of them."
            return [*out, "", note]
        out += block
        used += size
    return out


# implements: REQ-304
def render_markdown(changeset: ChangeSet, base: str, head: str, base_url: str | None = None) -> str:
    """A pull-request comment: summary line, a table of changed requirements, collapsible
    field changes per modified requirement, and the impact set with the reason for each.

    `base` and `head` are shas (shown short) or labels such as "working tree"; `base_url` is
    the published site's address (IDs link to `<base_url>requirements/<ID>.html` when it is an
    absolute http(s) URL). All user text is escaped. Each section has a character budget so
    the comment stays under GitHub's 65,536-character limit; the summary counts everything.
    """
    between = f"between {_label(base)} and {_label(head)}"
    if not changeset:
        lines = [MARKER, f"No requirement changes {between}."]
        if changeset.reformatted:
            lines.append(f"\n{_reformatted(changeset)}")
        return "\n".join(lines) + "\n"

    counts = (
        f"{len(changeset.added)} added, {len(changeset.removed)} removed, "
        f"{len(changeset.modified)} modified, {len(changeset.impacted)} impacted"
    )
    titles = changeset.titles
    lines = [MARKER, "### Requirement changes", "", f"**{counts}** {between}", ""]
    lines += ["| ID | Title | Change |", "|---|---|---|"]

    def row(rid: str, what: str) -> str:
        title = escape_markdown(titles.get(rid, ""), 120)
        return f"| {site_link(rid, base_url)} | {title} | {what} |"

    rows = [(s.id, row(s.id, "added")) for s in changeset.added]
    rows += [(s.id, row(s.id, "removed")) for s in changeset.removed]
    rows += [
        (m.id, row(m.id, ", ".join(_summary_of(change) for change in m.changes)))
        for m in changeset.modified
    ]
    lines += _within([[text] for _, text in sorted(rows)], TABLE_BUDGET, "changed requirements")

    if changeset.modified:
        lines += ["", "#### Field changes", ""]
        details = []
        for modification in changeset.modified:
            rid = escape_markdown(modification.id)
            title = escape_markdown(titles.get(modification.id, ""), 120)
            details.append(
                [
                    f"<details><summary><b>{rid}</b> {title}</summary>",
                    "",
                    *(_detail_of(change) for change in modification.changes),
                    "",
                    "</details>",
                    "",
                ]
            )
        lines += _within(details, DETAILS_BUDGET, "modified requirements")
        while lines[-1] == "":
            lines.pop()

    if changeset.impacted:
        plural = "step" if changeset.depth == 1 else "steps"
        lines += [
            "",
            "#### Impact",
            "",
            f"Requirements linking to a changed one (up to {changeset.depth} {plural} away):",
            "",
            "| ID | Title | Why |",
            "|---|---|---|",
        ]
        impact_rows = []
        for item in changeset.impacted:
            title = escape_markdown(titles.get(item.id, ""), 120)
            why = f"its {escape_markdown(item.relation)} {escape_markdown(item.through)}"
            if item.distance == 1:
                why += " changed"
            else:
                why += f" is impacted by {escape_markdown(item.via)} ({item.distance} steps)"
            impact_rows.append([f"| {site_link(item.id, base_url)} | {title} | {why} |"])
        lines += _within(impact_rows, IMPACT_BUDGET, "impacted requirements")

    if changeset.reformatted:
        lines += ["", _reformatted(changeset)]
    return "\n".join(lines) + "\n"
