"""`prioritize`: the ranked backlog as a table (each score with its inputs), CSV or JSON lines."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from reqforge.i18n import N_, translator
from reqforge.priorities import METHODS
from reqforge.render.tables import Column, json_document

if TYPE_CHECKING:
    from reqforge.backlog import Backlog
    from reqforge.catalog import Entry

# Table headers are translated when drawn (translated_columns); CSV headers stay English.
BACKLOG_TABLE = [
    Column("#", justify="right", keep=9),
    Column(N_("ID"), keep=9),
    Column(N_("Title"), wrap=True, min_width=16, keep=9),
    Column(N_("Status"), keep=4),
    # One column per priority method with a heading; categories left, numbers right.
    *(
        Column(m.heading, justify="left" if m.ranking else "right", keep=m.keep)
        for m in METHODS
        if m.heading
    ),
    Column(N_("Notes"), wrap=True, min_width=12, keep=7),
]
BACKLOG_CSV_HEADERS = [
    "rank", "id", "title", "status", *(c for m in METHODS for c in m.columns),
    "blocking", "disagreements",
]  # fmt: skip


# implements: REQ-210
def backlog_columns(backlog: Backlog) -> list[Column]:
    """BACKLOG_TABLE for this backlog: the column of each method it ranks by never goes in a
    narrow terminal, since a ranking whose score is hidden cannot be read."""
    ranked_by = {backlog.method, *backlog.methods}
    headings = {m.heading for m in METHODS if m.heading and m.name in ranked_by}
    return [dataclasses.replace(c, keep=9) if c.header in headings else c for c in BACKLOG_TABLE]


# implements: REQ-210
def backlog_json(backlog: Backlog) -> str:
    """The `--format json` text: the method, then one ranked item per line."""
    return json_document({"method": backlog.method}, "items", [r.item for r in backlog.items])


def backlog_csv_rows(backlog: Backlog) -> list[list[Any]]:
    """One row of BACKLOG_CSV_HEADERS' values per ranked requirement."""
    return [[_csv_value(r.item, h) for h in BACKLOG_CSV_HEADERS] for r in backlog.items]


def backlog_table_rows(backlog: Backlog, language: str = "en") -> list[list[Any]]:
    """One row of BACKLOG_TABLE per ranked requirement (notes in `language`)."""
    return [_table_row(r.item, r.entry, language) for r in backlog.items]


def backlog_title(backlog: Backlog, language: str = "en") -> str:
    """The table's title: the methods in the order they decide."""
    _ = translator(language)
    if backlog.method != "combined":
        return _("Backlog by {method}").format(method=backlog.method)
    return _("Backlog by {method}").format(method=" > ".join((*backlog.methods, "ID")))


def _csv_value(item: dict[str, Any], header: str) -> Any:
    """One CSV cell: the ICE score and level are columns of their own."""
    ice = item.get("ice") or {}
    if header == "ice":
        return ice.get("score")
    if header == "ice_level":
        return ice.get("level")
    return item.get(header)


def _table_row(item: dict[str, Any], entry: Entry, language: str) -> list[Any]:
    """One table row; each score shows the inputs it came from."""
    scores = entry.scores
    ice_text = None
    if scores.ice_score is not None and scores.ice_inputs:
        inputs = "×".join(map(str, scores.ice_inputs))
        ice_text = f"{inputs}={scores.ice_score} {scores.ice_level}"
    quadrant = None
    if scores.quadrant and scores.value_cost:
        quadrant = f"{scores.quadrant} ({scores.value_cost[0]}/{scores.value_cost[1]})"
    notes = []
    if entry.blocking:
        _ = translator(language)
        notes.append(_("blocks {ids}").format(ids=", ".join(entry.blocking)))
    notes += entry.disagreements
    shown = {"ice": ice_text, "value-cost": quadrant}  # these show their inputs too
    return [
        item["rank"], item["id"], item["title"], item["status"],
        *(shown.get(m.name, item.get(m.column)) for m in METHODS if m.heading),
        "; ".join(notes) or None,
    ]  # fmt: skip
