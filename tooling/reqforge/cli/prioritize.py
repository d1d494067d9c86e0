"""`reqforge prioritize`: the ranked backlog with every score, and where the methods disagree."""

from __future__ import annotations

from typing import Any

import click

from reqforge.cli.selection import (
    FILTER_HELP,
    csv_or_table,
    emit,
    format_option,
    load_catalog,
    output_color,
    select,
)
from reqforge.config import RANK_METHODS
from reqforge.render.tables import Column, json_document

COLUMNS = [
    Column("#", justify="right", keep=9),
    Column("ID", keep=9),
    Column("Title", wrap=True, min_width=16, keep=9),
    Column("Status", keep=4),
    Column("P", keep=8),
    Column("MoSCoW", keep=7),
    Column("Kano", keep=3),
    Column("ICE (I×C×E)", justify="right", keep=6),
    Column("RICE", justify="right", keep=4),
    Column("Value/cost", keep=5),
    Column("RPN", justify="right", keep=2),
    Column("WSJF", justify="right", keep=2),
    Column("Demand", justify="right", keep=3),
    Column("Notes", wrap=True, min_width=12, keep=7),
]
CSV_HEADERS = [
    "rank", "id", "title", "status", "p_level", "moscow", "kano", "ice", "ice_level", "rice",
    "quadrant", "rpn", "wsjf", "demand", "votes", "blocking", "disagreements",
]  # fmt: skip


# implements: REQ-210
@click.command("prioritize")
@click.option(
    "--method",
    type=click.Choice(["combined", *RANK_METHODS, "fmea"]),
    default="combined",
    show_default=True,
    help="Rank by one method, or by [priority] rank then ID (combined).",
)
@click.option("--filter", "expression", metavar="EXPR", help=FILTER_HELP)
@click.option(
    "--all",
    "include_all",
    is_flag=True,
    help="Include requirements in terminal statuses (done, rejected, ...).",
)
@click.option(
    "--disagreements",
    is_flag=True,
    help="Only requirements on which the priority methods disagree, with the reasons.",
)
@format_option("table", "json", "csv")
@click.pass_obj
def prioritize(
    state: Any,
    method: str,
    expression: str | None,
    include_all: bool,
    disagreements: bool,
    fmt: str,
) -> None:
    """The ranked backlog: every priority method's score with its inputs.

    \b
    A requirement without a method's inputs ranks after all that have them. "Notes" shows
    inherited urgency (the P0s that depend on an item) and disagreements between methods.
    """
    from reqforge.priorities import rank

    catalog = load_catalog(state)
    terminal = catalog.config.workflow.terminal
    entries = [
        e for e in select(catalog, expression) if include_all or e.req.status not in terminal
    ]
    if disagreements:
        entries = [e for e in entries if e.disagreements]
    # implements: REQ-207
    if method == "fmea":
        method = "rpn"  # FMEA's risk priority number
    methods = list(catalog.config.priority.rank) if method == "combined" else [method]
    by_path = {e.req.path: e for e in entries}
    ranked = rank([(e.req, e.scores) for e in entries], methods)
    items = []
    for position, req, scores in ranked:
        entry = by_path[req.path]
        item = {"rank": position, "id": req.id, "title": req.title, "status": req.status}
        item.update(scores.to_json())
        # implements: REQ-212
        item["blocking"] = list(entry.blocking)
        # implements: REQ-211
        item["disagreements"] = entry.disagreements
        items.append((item, entry))
    if fmt == "json":
        emit(json_document({"method": method}, "items", [i for i, _ in items]))
        return
    if fmt == "csv":
        rows = [[_csv_value(item, h) for h in CSV_HEADERS] for item, _ in items]
        emit(csv_or_table("csv", CSV_HEADERS, rows, None))
        return
    rows = [_table_row(item, entry) for item, entry in items]
    title = f"Backlog by {method if method != 'combined' else ' > '.join(methods) + ' > ID'}"
    emit(csv_or_table("table", [], rows, COLUMNS, title=title), color=output_color())
    state.note(
        f"{len(items)} requirements ranked"
        + ("" if include_all else " (terminal statuses left out; --all to include)")
    )


def _csv_value(item: dict[str, Any], header: str) -> Any:
    ice = item.get("ice") or {}
    if header == "ice":
        return ice.get("score")
    if header == "ice_level":
        return ice.get("level")
    return item.get(header)


def _table_row(item: dict[str, Any], entry: Any) -> list[Any]:
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
        notes.append(f"blocks {', '.join(entry.blocking)}")
    notes += entry.disagreements
    return [
        item["rank"], item["id"], item["title"], item["status"], item.get("p_level"),
        item.get("moscow"), item.get("kano"), ice_text, item.get("rice"), quadrant,
        item.get("rpn"), item.get("wsjf"), item.get("demand"), "; ".join(notes) or None,
    ]  # fmt: skip
