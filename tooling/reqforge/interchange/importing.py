"""`import`: records from any reader (records.py) to requirement files, all or nothing.

1. The map (`--map`, mapping.py) moves source columns into fields and translates values; what
   it leaves is kept in `origin.attributes`. Missing `type` and `status` take the map's
   defaults, else the project's first type and first status.
2. IDs: a record's ID (its `id` field, else its source key) is kept when it fits the ID pattern
   and is free; a key such as Doorstop's `REQ001` becomes `REQ-001` when that fits and is
   free; anything else gets the next free number of the area's prefix (else `REQ-`). A
   record that was given a new ID keeps the old one in `origin.id`, and every link to it, in
   any record, is rewritten to the new ID. A link to an ID neither in the source nor in the
   repository is dropped and reported (kept in `origin.unresolved-links`).
3. Every record is validated (the same field rules as `check`) and every target file is
   checked (no existing file is replaced without `--force`, no path outside the repository)
   before anything is written; one problem stops the import with every problem listed and
   nothing written.
4. Files are written atomically (editing.py); should writing fail half-way, the files written
   are removed and the ones replaced restored, so the repository is as it was.
"""

# implements: REQ-707

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from reqforge.config import Config
from reqforge.errors import ReqforgeError
from reqforge.fields import Spec, field_schema, required_fields, validate_fields
from reqforge.i18n import Text
from reqforge.interchange.mapping import ImportMap
from reqforge.interchange.records import Record, Skipped, Source
from reqforge.loader import ParsedFile, parse_file

DEFAULT_PREFIX = "REQ-"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_KEY_PARTS = re.compile(r"^([A-Za-z][A-Za-z0-9]*?)[-_. ]?(\d+)$")


class ImportRefused(ReqforgeError):
    """The import found problems: nothing was written (exit 1, like `check`'s findings)."""

    exit_code = 1


def refused(problems: list[str], *, merging: bool = False) -> ImportRefused:
    """The error listing every problem an import (or a merge) found before writing."""
    values = {"count": len(problems), "problems": "\n".join(problems)}
    if merging:
        return ImportRefused(Text("nothing merged: {count} problem(s):\n{problems}", **values))
    return ImportRefused(Text("nothing imported: {count} problem(s):\n{problems}", **values))


@dataclass(frozen=True)
class Planned:
    """One file the import writes: its ID, path, text, the source key and place it came from,
    and whether it replaces an existing file (--force)."""

    rid: str
    rel: str
    text: str
    key: str
    place: str
    replaces: bool


@dataclass
class Plan:
    """What an import would do: files to write, what it skipped and why, IDs it changed
    (source key -> new ID) and warnings (fields reqforge does not know)."""

    files: list[Planned] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


class _Literal(str):
    """A multi-line string, written as a YAML block (`|`)."""


class _Dumper(yaml.SafeDumper):
    pass


def _literal(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style="|")


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    """Text plain where it reads back as the same text in YAML 1.2 too (our loader's: `0E0`
    or `0o7` are numbers there, not in the YAML 1.1 PyYAML writes), else double-quoted."""
    from reqforge.yaml_splice import yaml_scalar

    style = '"' if yaml_scalar(value).startswith('"') else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(_Literal, _literal)
_Dumper.add_representer(str, _text)


def _blocks(value: Any) -> Any:
    """Multi-line text as YAML blocks where a block holds it exactly."""
    if isinstance(value, dict):
        return {key: _blocks(child) for key, child in value.items()}
    if isinstance(value, list):
        return [_blocks(child) for child in value]
    if (
        isinstance(value, str)
        and "\n" in value.rstrip("\n")
        and value.endswith("\n")
        and not value.endswith("\n\n")
        and not any(line != line.rstrip(" \t") for line in value.split("\n"))
        and not value.startswith((" ", "\t", "\n"))
        and all(ch == "\n" or ch.isprintable() for ch in value)
    ):
        return _Literal(value)
    return value


def _ordered(
    data: Any, orders: Mapping[tuple[str, ...], tuple[str, ...]], path: tuple[str, ...]
) -> Any:
    if not isinstance(data, dict):
        return data
    order = orders.get(path, ())
    keys = sorted(
        data, key=lambda k: (0, order.index(k)) if k in order else (1, list(data).index(k))
    )
    return {key: _ordered(data[key], orders, (*path, str(key))) for key in keys}


def requirement_text(
    data: Mapping[str, Any],
    body: str,
    orders: Mapping[tuple[str, ...], tuple[str, ...]],
    exact: bool = False,
) -> str:
    """A requirement file: the front matter in `fmt`'s order and style, then the body (after
    a blank line unless `exact`: then as it is)."""
    from reqforge.formatting import format_text

    front = yaml.dump(
        _blocks(_ordered(dict(data), orders, ())),
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=1_000_000,
    )
    text = f"---\n{front}---\n"
    if exact:
        text += body
    elif body:
        text += body if body.startswith("\n") else "\n" + body
        if not text.endswith("\n"):
            text += "\n"
    formatted = format_text(text, orders)
    return formatted.text


def _area(area: str) -> str:
    area = area.strip("/")
    if any(part in ("", ".", "..") or part.startswith(".") for part in area.split("/") if area):
        raise ReqforgeError(
            Text("--area {area!r}: expected a folder name such as billing/eu", area=area)
        )
    return area


def _new_id(record: Record, pattern: re.Pattern[str], taken: set[str], prefix: str) -> str:
    """A new ID for a record whose own cannot be kept: its key in our shape (`REQ001` ->
    `REQ-001`) when that fits and is free, else the next number of `prefix`."""
    from reqforge.editing import next_id

    match = _KEY_PARTS.match(record.key or "")
    if match:
        candidate = f"{match.group(1).upper()}-{match.group(2)}"
        if pattern.fullmatch(candidate) and candidate not in taken:
            return candidate
    return next_id(prefix, taken, pattern)


def _common_prefix(existing: Iterable[str]) -> str:
    """The prefix most of the repository's IDs have (`REQ-` in an empty one)."""
    from collections import Counter

    from reqforge.editing import split_id

    counts = Counter(parts[0] for rid in existing if (parts := split_id(rid)) is not None)
    return min(counts, key=lambda p: (-counts[p], p)) if counts else DEFAULT_PREFIX


def _dates(data: dict[str, Any], spec: Spec) -> None:
    """ISO dates given as text in date fields become dates (YAML writes them unquoted, as a
    person does: sources such as JSON have no dates)."""
    import datetime as dt

    for key, value in list(data.items()):
        child = spec.children.get(key) if spec.kind == "mapping" else None
        if child is None:
            continue
        if isinstance(value, dict):
            _dates(value, child)
        elif child.kind == "date" and isinstance(value, str) and _ISO_DATE.fullmatch(value):
            with contextlib.suppress(ValueError):
                data[key] = dt.date.fromisoformat(value)


def plan_import(
    config: Config,
    source: Source,
    import_map: ImportMap | None,
    *,
    area: str = "",
    force: bool = False,
    skip_broken: bool = False,
    existing: Mapping[str, str],
    elsewhere: Iterable[str] = (),
) -> Plan:
    """The plan for `source`. `existing`: ID -> path of every requirement file in the
    repository; `elsewhere`: IDs taken where the folder does not show them (the default
    branch). Raises ImportRefused listing every problem (a reference to something the source
    does not hold is one, unless `skip_broken`), or ReqforgeError for bad options."""
    from reqforge.editing import area_prefix
    from reqforge.formatting import canonical_orders

    area = _area(area)
    plan = Plan(skipped=list(source.skipped))
    pattern = re.compile(config.id_pattern)
    schema = field_schema(config)
    required = required_fields(config)
    orders = canonical_orders(config)
    records = list(source.records)
    for record in records:
        if import_map is not None:
            import_map.apply(record, schema)
        if not record.key and record.fields.get("id") is not None:
            record.key = str(record.fields["id"])
        record.fields.setdefault("type", config.types[0])
        record.fields.setdefault("status", config.workflow.statuses[0])
    taken = set(existing) | set(elsewhere)
    prefix = area_prefix(list(existing.values()), area, config.reqs_dir) or _common_prefix(existing)
    problems: list[str] = []
    if not skip_broken:
        problems = [
            f"{skipped.place}: {skipped.reason} "
            + Text("(--skip-broken imports the rest without it)")
            for skipped in source.skipped
            if skipped.broken
        ]

    # IDs: first those kept as they are, then new numbers (a new number never takes an ID
    # that a later record keeps).
    ids: dict[int, str] = {}
    keeping: dict[str, int] = {}
    for index, record in enumerate(records):
        wanted = record.fields.get("id")
        wanted = str(wanted) if wanted is not None else None
        for candidate in (wanted, record.key):
            if candidate in taken and candidate not in existing:
                continue  # taken on the default branch: numbered anew
            if candidate and pattern.fullmatch(candidate) and candidate not in keeping:
                if candidate in existing and not force:
                    problems.append(
                        f"{record.place}: "
                        + Text(
                            "{id} exists already ({path}): give --force to replace it, or "
                            "leave the ID out to import it under a new one",
                            id=candidate,
                            path=existing[candidate],
                        )
                    )
                keeping[candidate] = index
                ids[index] = candidate
                break
    taken |= set(keeping)
    for index, record in enumerate(records):
        if index not in ids:
            ids[index] = _new_id(record, pattern, taken, prefix)
            taken.add(ids[index])

    by_key: dict[str, str] = {}
    for index, record in enumerate(records):
        for name in (record.key, *record.aliases):
            if name:
                by_key.setdefault(name, ids[index])
    for index, record in enumerate(records):
        rid = ids[index]
        data = {key: value for key, value in record.fields.items() if key != "links"}
        data["id"] = rid
        origin = dict(data.get("origin") or {})
        if record.key and record.key != rid:
            origin.setdefault("id", record.key)
            plan.renamed[record.key] = rid
        if record.raw:
            attributes = dict(origin.get("attributes") or {})
            attributes.update(record.raw)
            origin["attributes"] = attributes
        links: dict[str, list[str]] = {}
        unresolved: list[str] = []
        for relation, targets in record.links.items():
            for target in targets:
                new = by_key.get(target)
                if new is None and target in existing:
                    new = target
                if new is None:
                    unresolved.append(f"{relation}: {target}")
                    plan.skipped.append(
                        Skipped(
                            record.place,
                            Text(
                                "link {relation} -> {target} dropped: no such requirement in "
                                "the source or the repository",
                                relation=relation,
                                target=target,
                            ),
                        )
                    )
                    continue
                listed = links.setdefault(relation, [])
                if new not in listed and new != rid:
                    listed.append(new)
        if links:
            data["links"] = links
        if unresolved:
            origin["unresolved-links"] = unresolved
        if origin:
            origin.setdefault("tool", source.tool)
            data["origin"] = origin
        _dates(data, schema)
        for code, path, message in validate_fields(data, schema, required):
            name = ".".join(str(part) for part in path)
            line = f"{record.place}: {name}: {message}" if name else f"{record.place}: {message}"
            if code == "RF103":
                plan.warnings.append(line)
            else:
                problems.append(line)
        folder = "/".join(part for part in (area, _area(record.area)) if part)
        if rid in existing and force:
            rel, replaces = existing[rid], True
        else:
            rel = "/".join(part for part in (config.reqs_dir, folder, f"{rid}.md") if part)
            replaces = False
        try:
            text = requirement_text(data, record.body, orders, record.exact)
        except yaml.YAMLError as exc:  # a value YAML cannot hold
            problems.append(f"{record.place}: {exc}")
            continue
        unreadable = parse_file(text.encode("utf-8", "surrogatepass"))
        if not isinstance(unreadable, ParsedFile):  # the file `check` would read: refused
            problems.append(f"{record.place}: {unreadable.message}")
            continue
        plan.files.append(Planned(rid, rel, text, record.key, record.place, replaces))
    rels = [planned.rel for planned in plan.files]
    clashes = {rel for rel in rels if rels.count(rel) > 1}
    problems.extend(
        Text("{path}: more than one record would be written here", path=rel)
        for rel in sorted(clashes)
    )
    if problems:
        raise refused(problems)
    return plan


def write_plan(config: Config, plan: Plan) -> None:
    """Write every planned file, atomically each; on failure undo the ones written (restore
    the replaced ones) and raise ReqforgeError: the repository is as it was."""
    from reqforge.editing import _refuse_outside, write_new_file, write_replacing

    root = config.root
    for planned in plan.files:
        path = root / planned.rel
        _refuse_outside(root, path.parent, planned.rel)
        if path.is_symlink():
            raise ReqforgeError(Text("{path}: a symbolic link; nothing written", path=planned.rel))
        if not planned.replaces and path.exists():
            raise ReqforgeError(
                Text("{path}: the file exists already; nothing written", path=planned.rel)
            )
    written: list[Path] = []
    replaced: list[tuple[Path, bytes]] = []
    made: list[Path] = []
    try:
        for planned in plan.files:
            path = root / planned.rel
            for parent in reversed(path.relative_to(root).parents):
                folder = root / parent
                if not folder.exists():
                    folder.mkdir()
                    made.append(folder)
            content = planned.text.encode("utf-8")
            if planned.replaces:
                replaced.append((path, path.read_bytes()))
                write_replacing(path, content)
            else:
                write_new_file(path, content)
                written.append(path)
    except OSError as exc:
        for path in written:
            path.unlink(missing_ok=True)
        for path, old in replaced:
            write_replacing(path, old)
        for folder in reversed(made):
            with contextlib.suppress(OSError):
                os.rmdir(folder)
        where = getattr(exc, "filename", None) or ""
        raise ReqforgeError(
            Text(
                "{path}: cannot be written: {reason}; nothing imported",
                path=where,
                reason=exc.strerror or exc,
            )
        ) from None
