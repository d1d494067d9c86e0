"""`list`: requirements as a table, CSV or JSON lines."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from reqforge.render.tables import Column, json_document

if TYPE_CHECKING:
    from reqforge.catalog import Entry

LIST_COLUMNS = [
    ("id", Column("ID", keep=9)),
    ("title", Column("Title", wrap=True, min_width=20, keep=9)),
    ("status", Column("Status", keep=8)),
    ("type", Column("Type", keep=4)),
    ("owner", Column("Owner", keep=5)),
    ("p_level", Column("P", keep=7)),
    ("due", Column("Due", keep=6)),
    ("area", Column("Area", keep=3)),
]
LIST_HEADERS = [name for name, _ in LIST_COLUMNS]  # also the CSV header
LIST_TABLE = [column for _, column in LIST_COLUMNS]


# implements: REQ-706
def list_rows(entries: Sequence[Entry]) -> list[list[Any]]:
    """One row of LIST_HEADERS' field values per entry (for the table and CSV)."""
    return [[entry.value(name) for name in LIST_HEADERS] for entry in entries]


# implements: REQ-706
def list_json(entries: Sequence[Entry]) -> str:
    """The `--format json` text of `list`: the count, then one item per line."""
    from reqforge.catalog import entry_json

    return json_document({"count": len(entries)}, "items", [entry_json(e) for e in entries])
