"""The table `export --to csv|xlsx` writes: one row per requirement, for spreadsheets.

The columns are the front matter's fields by dotted name (`priority.ice.impact`), in the order
`fmt` writes them (the known fields in canonical order, then custom and unknown ones), then the
Markdown `body`, the file's `path` (an import puts each requirement back in its folder),
then the computed priorities, each named `computed.<score>` (`computed.rank`,
`computed.p_level`, `computed.ice.score`...) so that nobody takes them for fields to edit (an
import ignores them). Values are encoded by cells.py: a list of plain items is one cell, its
items joined with "; ". As CSV the file is UTF-8 with a byte-order mark (a spreadsheet then
shows Chinese correctly), inside git its first line a comment naming the commit it was made
from (`#reqforge-export commit=<sha>`: the base `import --merge` compares edits with), and a
cell a spreadsheet would run as a formula starts with `'` (SPEC 6a) unless --raw-csv; as XLSX
see xlsx_format.py.
"""

# implements: REQ-707

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from reqforge.catalog import Entry
from reqforge.fields import Spec, spec_of
from reqforge.scalars import dotted_leaves

COMPUTED = "computed"
PATH = "path"  # the file, so an import puts it back in its folder
STAMP = "#reqforge-export"
_STAMP = re.compile(r"^#reqforge-export commit=([0-9a-f]{7,64})?\s*$")


def _column_key(
    name: str, orders: Mapping[tuple[str, ...], tuple[str, ...]], seen: dict[str, int]
) -> tuple[Any, ...]:
    parts = name.split(".")
    key = []
    for depth, part in enumerate(parts):
        order = orders.get(tuple(parts[:depth]), ())
        if part in order:
            key.append((0, order.index(part)))
        else:
            key.append((1, seen.get(".".join(parts[: depth + 1]), 0)))
    return tuple(key)


def _leaves(names: Iterable[str]) -> list[str]:
    """The names that are no other name's parent (`ice` goes when `ice.score` is there: a
    requirement without an ICE score has both cells of it empty)."""
    names = list(names)
    parents = {
        ".".join(name.split(".")[:depth])
        for name in names
        for depth in range(1, name.count(".") + 1)
    }
    return [name for name in names if name not in parents]


def export_table(
    entries: Iterable[Entry],
    bodies: Mapping[str, str],
    ranks: Mapping[str, int],
    orders: Mapping[tuple[str, ...], tuple[str, ...]],
    schema: Spec | None = None,
) -> tuple[list[str], list[list[Any]]]:
    """The header and rows of `entries` (with their `bodies` by path and backlog `ranks` by
    ID), values as the front matter holds them: what the csv and xlsx exports write. A list
    or mapping in a column that `schema` does not make a list field is written as JSON (a
    one-item list would read back as its item otherwise)."""
    entries = list(entries)
    fields = [dict(dotted_leaves(dict(entry.req.data))) for entry in entries]
    computed = [
        dict(dotted_leaves({"rank": ranks.get(entry.req.id), **entry.scores.to_json()}, COMPUTED))
        for entry in entries
    ]
    seen: dict[str, int] = {}
    for row in fields:
        for name in row:
            parts = name.split(".")
            for depth in range(1, len(parts) + 1):
                seen.setdefault(".".join(parts[:depth]), len(seen))
    present = {n for row in fields for n, value in row.items() if value is not None}
    columns = sorted(_leaves(present), key=lambda n: _column_key(n, orders, seen))
    scores = _leaves(dict.fromkeys(name for row in computed for name in row))
    headers = [*columns, "body", PATH, *scores]
    if schema is not None:
        from reqforge.interchange.cells import LIST_KINDS, as_json

        for name in columns:
            spec = spec_of(schema, name)
            if spec is not None and spec.kind in LIST_KINDS:
                continue
            for row in fields:
                value = row.get(name)
                if isinstance(value, (list, dict)):
                    row[name] = as_json(value)
    rows = [
        [
            *(row.get(name) for name in columns),
            bodies.get(entry.req.path, ""),
            entry.req.path,
            *(c.get(n) for n in scores),
        ]
        for entry, row, c in zip(entries, fields, computed, strict=True)
    ]
    return headers, rows


def csv_document(
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    commit: str | None,
    *,
    raw: bool = False,
    shown: bool = False,
) -> str:
    """The CSV export: BOM, the commit stamp (inside git), the header and one row per
    requirement. `shown`: for a terminal (every cell escaped as `terminal_block` does);
    otherwise cells are exact (cells.py) and only the formula guard is added (unless `raw`)."""
    from reqforge.interchange.cells import cell_text, guard
    from reqforge.render.escaping import terminal_block

    def text(value: Any) -> str:
        out = cell_text(value)
        if shown:
            out = terminal_block(out)
        return out if raw else guard(out)

    buffer = io.StringIO()
    if commit:
        buffer.write(f"{STAMP} commit={commit}\n")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([text(value) for value in row])
    return "\ufeff" + buffer.getvalue()


def csv_stamp(first_line: str) -> tuple[bool, str | None]:
    """Whether `first_line` is the export's commit stamp, and the commit it names."""
    match = _STAMP.match(first_line.lstrip("\ufeff"))
    return (match is not None, match.group(1) if match else None)
