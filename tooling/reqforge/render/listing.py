"""`list`: requirements as a table, CSV or JSON lines."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from reqforge.i18n import N_
from reqforge.render.tables import Column, json_document

if TYPE_CHECKING:
    from reqforge.catalog import Entry

# Table headers are translated when drawn (translated_columns); the CSV header stays English.
LIST_COLUMNS = [
    ("id", Column(N_("ID"), keep=9)),
    ("title", Column(N_("Title"), wrap=True, min_width=20, keep=9)),
    ("status", Column(N_("Status"), keep=8)),
    ("type", Column(N_("Type"), keep=4)),
    ("owner", Column(N_("Owner"), keep=5)),
    ("p_level", Column("P", keep=7)),
    ("due", Column(N_("Due"), keep=6)),
    ("area", Column(N_("Area"), keep=3)),
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
