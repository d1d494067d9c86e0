"""`import --map`: which source column or attribute is which field, and which source value is
which of ours.

A map is a TOML file (or the name of a ready one in maps/: `jira`, `pingcode`):

    [columns]                   # source column or attribute -> field (dotted), "body" or "id"
    "Summary" = "title"
    "Blocked by" = "links.depends-on"
    [values.status]             # for one field: source value -> our value
    "To Do" = "proposed"
    [defaults]                  # a field's value where the source has none
    type = "functional"

A column mapped to `alias` is another name of the row that the source's links may use (Jira's
numeric "Issue id", which its "Parent id" column names). A column mapped to `id` gives the
requirement's ID where it fits the ID pattern (otherwise the importer numbers it and keeps the
old ID in `origin.id`); a `links.<relation>` column holds IDs of the same source. A
column named more than once (Jira writes "Labels" once per label) gives every non-empty value.
Unmapped columns are kept in `origin.attributes`.
"""

# implements: REQ-707

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from reqforge.errors import ReqforgeError
from reqforge.fields import Spec, spec_of
from reqforge.i18n import Text
from reqforge.interchange.records import Record, set_dotted

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

PRESETS = ("jira", "pingcode")


@dataclass(frozen=True)
class ImportMap:
    """A parsed map (see the module docstring). `name` names it in messages."""

    name: str
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)

    def apply(self, record: Record, schema: Spec) -> None:
        """Move `record.raw`'s mapped columns into its fields, body, ID or links, each value
        read as its field's kind (`schema`; cells.py): "3" for an integer field is 3, a
        date cell for `due` a date, "a; b" for a list field a list."""
        from reqforge.interchange.cells import LIST_KINDS, read_cell

        for column, target in self.columns.items():
            if column not in record.raw:
                continue
            value = record.raw.pop(column)
            if value is None or value == "" or value == []:
                continue
            if target == "body":
                record.body = _text(value)
            elif target == "alias":  # another ID the source's links may use (Jira's Issue id)
                record.aliases.extend(str(v) for v in _as_list(value))
            elif target.startswith("links."):
                relation = target.removeprefix("links.")
                links = record.links.setdefault(relation, [])
                for item in _items(value):
                    if item not in links:
                        links.append(item)
            else:
                _put(record.fields, target, value)
        for name, table in self.values.items():
            current = _get(record.fields, name)
            if isinstance(current, list):
                _put(record.fields, name, [table.get(str(v), v) for v in current], replace=True)
            elif current is not None and str(current) in table:
                _put(record.fields, name, table[str(current)], replace=True)
        for name, value in self.defaults.items():
            if _get(record.fields, name) is None:
                _put(record.fields, name, value)
        for target in dict.fromkeys(self.columns.values()):
            if target in ("body", "alias", "id") or target.startswith("links."):
                continue
            value = _get(record.fields, target)
            spec = spec_of(schema, target)
            if value is not None and spec is not None:
                if isinstance(value, list) and spec.kind not in LIST_KINDS:
                    continue  # several values for a field of one: validation says so
                read = read_cell(value, spec) if not isinstance(value, list) else value
                _put(record.fields, target, read, replace=True)


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "\n\n".join(str(item) for item in value)
    return str(value)


def _items(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in values:
        for part in str(item).replace(",", ";").split(";"):
            if part.strip():
                out.append(part.strip())
    return out


def _get(data: dict[str, Any], dotted: str) -> Any:
    node: Any = data
    for part in dotted.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def _put(data: dict[str, Any], dotted: str, value: Any, *, replace: bool = False) -> None:
    """Set a dotted field; a second value for a field that has one makes a list (a column
    named twice), unless `replace`."""
    old = set_dotted(data, dotted, value)
    if old is not None and not replace:
        set_dotted(data, dotted, [*_as_list(old), *_as_list(value)])


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _expected_table(where: str, key: str) -> ReqforgeError:
    return ReqforgeError(Text("{where}: [{key}]: expected a table", where=where, key=key))


def parse_map(text: str, where: str) -> ImportMap:
    """A map from its TOML text; `where` names it in messages. Raises ReqforgeError."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ReqforgeError(
            Text("{where}: not valid TOML: {reason}", where=where, reason=exc)
        ) from None
    except RecursionError:
        raise ReqforgeError(Text("{where}: nested too deeply", where=where)) from None
    unknown = sorted(set(raw) - {"columns", "values", "defaults"})
    if unknown:
        raise ReqforgeError(
            Text(
                "{where}: unknown table [{key}]: expected columns, values or defaults",
                where=where,
                key=unknown[0],
            )
        )
    columns = raw.get("columns", {})
    values = raw.get("values", {})
    defaults = raw.get("defaults", {})
    for key, table in (("columns", columns), ("values", values), ("defaults", defaults)):
        if not isinstance(table, dict):
            raise _expected_table(where, key)
    for column, target in columns.items():
        if not isinstance(target, str) or not target or target.startswith(".") or ".." in target:
            raise ReqforgeError(
                Text(
                    "{where}: columns.{column}: expected a field name such as 'title' or "
                    "'priority.moscow'",
                    where=where,
                    column=column,
                )
            )
    for name, table in values.items():
        if not isinstance(table, dict):
            raise _expected_table(where, f"values.{name}")
    flat: dict[str, Any] = {}

    def walk(node: dict[str, Any], prefix: str) -> None:
        for key, value in node.items():
            if isinstance(value, dict):
                walk(value, f"{prefix}{key}.")
            else:
                flat[prefix + key] = value

    walk(defaults, "")
    return ImportMap(where, dict(columns), {k: dict(v) for k, v in values.items()}, flat)


def load_map(name_or_path: str) -> ImportMap:
    """`--map`: a ready map by name (jira, pingcode) or a TOML file (a path as given on the
    command line)."""
    if name_or_path in PRESETS:
        ready = resources.files("reqforge.interchange.maps").joinpath(f"{name_or_path}.toml")
        return parse_map(ready.read_text("utf-8"), name_or_path)
    path = Path(name_or_path)
    if not path.is_file():
        raise ReqforgeError(
            Text(
                "--map {name}: expected a ready map ({presets}) or a TOML file",
                name=name_or_path,
                presets=", ".join(PRESETS),
            )
        )
    from reqforge.interchange.records import read_source

    data = read_source(path, str(path), limit=1024 * 1024)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ReqforgeError(Text("{where}: not UTF-8 text", where=path)) from None
    return parse_map(text, str(path))
