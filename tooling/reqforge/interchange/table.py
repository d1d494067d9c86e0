"""The table `export --to csv|xlsx` writes: one row per requirement, for spreadsheets.

The columns are the front matter's fields by dotted name (`priority.ice.impact`), in the order
`fmt` writes them (the known fields in canonical order, then custom and unknown ones), then the
Markdown `body`, then the computed priorities, each named `computed.<score>` (`computed.rank`,
`computed.p_level`, `computed.ice.score`...) so that nobody takes them for fields to edit. A
list is one cell, its items joined with "; ". As CSV (cli/export.py) the file is UTF-8 with a
byte-order mark (a spreadsheet then shows Chinese correctly), and a cell a spreadsheet would run
as a formula starts with `'` (SPEC 6a) unless --raw-csv; as XLSX see xlsx_format.py.
"""

# implements: REQ-707

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from reqforge.catalog import Entry
from reqforge.scalars import dotted_leaves

COMPUTED = "computed"


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
) -> tuple[list[str], list[list[Any]]]:
    """The header and rows of `entries` (with their `bodies` by path and backlog `ranks` by
    ID), values as the front matter holds them: what the csv and xlsx exports write."""
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
    present = {n for row in fields for n in row}
    columns = sorted(_leaves(present), key=lambda n: _column_key(n, orders, seen))
    scores = _leaves(dict.fromkeys(name for row in computed for name in row))
    headers = [*columns, "body", *scores]
    rows = [
        [
            *(row.get(name) for name in columns),
            bodies.get(entry.req.path, ""),
            *(c.get(n) for n in scores),
        ]
        for entry, row, c in zip(entries, fields, computed, strict=True)
    ]
    return headers, rows
