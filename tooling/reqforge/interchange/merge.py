"""`import --from csv|xlsx --merge`: a spreadsheet edited outside git, merged back three ways.

The export stamped the commit it was made from (the CSV's first line, the workbook's hidden
sheet; `--base REV` names it otherwise). For every requirement in the sheet and every column
it has, three values are compared: the base (the requirement at that commit), theirs (the
cell) and ours (the requirement as it is now):

* theirs equals the base: the spreadsheet did not change it; nothing to do;
* ours equals the base: only the spreadsheet changed it; the file is changed;
* ours equals theirs: both made the same change; nothing to do;
* otherwise both changed it differently: a conflict (base, theirs, ours), and the file keeps
  ours. Nothing is ever overwritten that git changed.

A row whose ID the base does not have is a new requirement (imported as `import` does); a
requirement deleted in git but edited in the sheet is a conflict. Columns the sheet does not
have, computed columns and the file's comments are left alone: each change is spliced into
the file (yaml_splice.py), so a merge is ordinary edits that `check` validates and a pull
request shows field by field. Values compare as the export writes them (cells.py), so a
spreadsheet that turns `3` into `3.0` changes nothing.
"""

# implements: REQ-707

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from reqforge.config import Config
from reqforge.errors import ReqforgeError
from reqforge.fields import Spec, field_schema, required_fields, spec_of, validate_fields
from reqforge.i18n import Text
from reqforge.interchange.cells import LIST_KINDS, as_json, cell_value, read_cell
from reqforge.interchange.importing import Plan, Planned, refused
from reqforge.interchange.records import Source
from reqforge.interchange.table import COMPUTED, PATH
from reqforge.scalars import dotted_leaves

BODY = "body"


@dataclass(frozen=True)
class Conflict:
    """One field both sides changed, differently: the values as the sheet shows them."""

    rid: str
    field: str
    base: Any
    theirs: Any
    ours: Any


@dataclass
class Merge:
    """What a merge does: the files it changes (as an import plan), the fields it takes from
    the sheet (ID -> field names), the conflicts, and the new requirements (a Source of the
    rows the base did not have)."""

    plan: Plan = field(default_factory=Plan)
    applied: dict[str, list[str]] = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)
    new: Source = field(default_factory=lambda: Source("merge"))


@dataclass(frozen=True)
class Side:
    """A requirement on one side: its path, front matter and body (None: not there)."""

    rel: str
    data: dict[str, Any]
    body: str
    text: str


def _normal(value: Any, spec: Spec | None) -> Any:
    """`value` as an export writes it and an import reads it back."""
    if value is None:
        return None
    if isinstance(value, (list, dict)) and (spec is None or spec.kind not in LIST_KINDS):
        value = as_json(value)
    return read_cell(cell_value(value), spec)


def _leaves(data: Mapping[str, Any]) -> dict[str, Any]:
    return dict(dotted_leaves(dict(data)))


def parse_side(rel: str, raw: bytes) -> Side | None:
    """A requirement file's parts (None for one that cannot be read: it stays as it is)."""
    from reqforge.loader import decode, parse_front_matter, split_front_matter

    text = decode(raw)
    if not isinstance(text, str):
        return None
    split = split_front_matter(text)
    if not isinstance(split, tuple):
        return None
    data = parse_front_matter(split[0])
    if not isinstance(data, dict):
        return None
    return Side(rel, data, split[2], text)


def _value(leaves: Mapping[str, Any], name: str, side: Side) -> Any:
    if name == BODY:
        return side.body
    return leaves.get(name)


def plan_merge(
    config: Config,
    sheet: Source,
    columns: list[str],
    base: Mapping[str, Side],
    ours: Mapping[str, Side],
) -> Merge:
    """The merge of the sheet's records (read by tabular.py without a map) into `ours`
    (ID -> the requirement now), against `base` (ID -> the requirement at the stamped
    commit). Raises ImportRefused when a merged file would not pass the field rules."""
    from reqforge.formatting import canonical_orders
    from reqforge.yaml_splice import SpliceError

    schema = field_schema(config)
    required = required_fields(config)
    orders = canonical_orders(config)
    merge = Merge()
    names = [
        name
        for name in columns
        if name and name != PATH and name != "id" and not name.startswith(COMPUTED)
    ]
    problems: list[str] = []
    for record in sheet.records:
        rid = record.key
        if rid not in base:
            merge.new.records.append(record)
            continue
        theirs = _leaves(record.fields)
        base_side = base[rid]
        base_leaves = _leaves(base_side.data)
        our_side = ours.get(rid)
        our_leaves = _leaves(our_side.data) if our_side is not None else {}
        changes: dict[str, Any] = {}
        for name in names:
            spec = None if name == BODY else spec_of(schema, name)
            mine: Any
            if name.startswith("links.") and name.count(".") == 1:
                mine = record.links.get(name.removeprefix("links."))
            elif name == BODY:
                mine = record.body
            else:
                mine = theirs.get(name)
            was = _normal(_value(base_leaves, name, base_side), spec)
            if name != BODY:
                mine = _normal(mine, spec)
            if mine == was or (name == BODY and (mine or "") == (was or "")):
                continue
            if our_side is None:
                merge.conflicts.append(Conflict(rid, name, was, mine, None))
                continue
            now = _normal(_value(our_leaves, name, our_side), spec)
            if now == mine:
                continue
            if now != was:
                merge.conflicts.append(Conflict(rid, name, was, mine, now))
                continue
            changes[name] = mine
        if not changes or our_side is None:
            continue
        try:
            text = _spliced(our_side.text, changes, orders)
        except SpliceError as exc:
            problems.append(f"{our_side.rel}: {exc}")
            continue
        side = parse_side(our_side.rel, text.encode("utf-8"))
        if side is None:
            problems.append(f"{our_side.rel}: " + Text("the merged file cannot be read"))
            continue
        for code, where, message in validate_fields(side.data, schema, required):
            if code != "RF103":
                name = ".".join(str(part) for part in where)
                problems.append(f"{record.place}: {name}: {message}")
        merge.applied[rid] = sorted(changes)
        merge.plan.files.append(Planned(rid, our_side.rel, text, rid, record.place, True))
    if problems:
        raise refused(problems, merging=True)
    return merge


def _spliced(
    text: str,
    changes: Mapping[str, Any],
    orders: Mapping[tuple[str, ...], tuple[str, ...]],
) -> str:
    """`text` with each changed field (and the body) replaced, the rest of it as it was (a
    field the file did not have goes where `fmt` puts it)."""
    from reqforge.formatting import format_text
    from reqforge.yaml_splice import Plain, change_list, set_value, split_file, unset_value

    parts = split_file(text)
    for name, value in changes.items():
        if name == BODY:
            fence_end = parts.tail.find("\n") + 1
            parts.tail = parts.tail[:fence_end] + (value or "")
            continue
        path = tuple(name.split("."))
        if value is None:
            unset_value(parts, path)
        elif isinstance(value, list):
            current = _current_list(parts.text, path)
            change_list(
                parts,
                path,
                [str(v) for v in value if v not in current],
                [str(v) for v in current if v not in value],
            )
        elif isinstance(value, dict):
            unset_value(parts, path)
            set_value(parts, path, Plain(as_json(value)))
        elif hasattr(value, "isoformat"):
            set_value(parts, path, Plain(value.isoformat()))
        else:
            set_value(parts, path, value)
    return format_text(parts.text, orders).text


def _current_list(text: str, path: tuple[str, ...]) -> list[Any]:
    side = parse_side("", text.encode("utf-8"))
    node: Any = side.data if side is not None else {}
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    if node is None:
        return []
    return list(node) if isinstance(node, list) else [node]


def read_sides(files: Mapping[str, bytes]) -> dict[str, Side]:
    """Requirement sides by ID (the file name) from path -> bytes."""
    sides: dict[str, Side] = {}
    for rel, raw in files.items():
        side = parse_side(rel, raw)
        if side is not None:
            sides[rel.rsplit("/", 1)[-1].removesuffix(".md")] = side
    return sides


def base_files(config: Config, commit: str) -> dict[str, bytes]:
    """The requirement files at `commit`: path (relative to the repository) -> bytes."""
    from reqforge.git import GitError, open_repository

    try:
        repo = open_repository(config.root)
        folder = (config.root / config.reqs_dir).resolve().relative_to(repo.top).as_posix()
        listing = repo.tree_files(repo.resolve(commit), folder)
        blobs = repo.read_blobs(listing.values())
    except (GitError, ValueError, OSError) as exc:
        raise ReqforgeError(
            Text(
                "--merge: the export's commit {commit} cannot be read: {reason}",
                commit=commit[:12],
                reason=exc,
            )
        ) from None
    prefix = config.root.resolve().relative_to(repo.top).as_posix()
    out: dict[str, bytes] = {}
    for path, sha in listing.items():
        rel = path if prefix in ("", ".") else path.removeprefix(prefix + "/")
        if sha in blobs:
            out[rel] = blobs[sha]
    return out
