"""`reqforge stats`: counts, fulfilment, overdue items, satisfaction, and per customer what it
asked for and where each request stands."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import click

from reqforge.cli.selection import (
    emit,
    format_option,
    load_catalog,
    output_color,
    terminal_width,
    today_date,
    today_option,
)
from reqforge.metrics import GROUPINGS, backlog_stats
from reqforge.render.tables import Column, render_table


# implements: REQ-310
@click.command("stats")
@click.option(
    "--by",
    type=click.Choice(GROUPINGS),
    help="Also break the figures down by customer, channel, owner or team.",
)
@format_option("table", "json")
@today_option("overdue items and ages")
@click.pass_obj
def stats(state: Any, by: str | None, fmt: str, today: dt.datetime | None) -> None:
    """Counts by status, type, P-level, quadrant, Kano and channel; fulfilment rate (done / all
    not rejected or duplicate); overdue items; customer satisfaction; and per customer what it
    asked for. Lead times and SLA breaches come from git history (null until available)."""
    from reqforge.history import load_history

    catalog = load_catalog(state)
    history = load_history(catalog.config.root, catalog.config.reqs_dir)
    if history.note:
        state.note(f"note: {history.note}")
    document = backlog_stats(catalog, today_date(today), by, history)
    if fmt == "json":
        emit(json.dumps(document, ensure_ascii=False, indent=2))
        return
    emit(render_stats(document), color=output_color())


def _pair(figures: dict[str, Any] | None) -> str:
    if not figures or figures.get("median") is None:
        return "-"
    return f"{figures['median']} / {figures['p90']}"


def _percent(rate: float | None) -> str:
    return "-" if rate is None else f"{rate * 100:.1f}%"


def render_stats(document: dict[str, Any]) -> str:
    """The table view of the stats document."""
    width = terminal_width()
    color = output_color()
    satisfaction = document["satisfaction"]
    summary = [
        ["requirements", document["requirements"]],
        [
            "fulfilment rate (done / not rejected or duplicate)",
            _percent(document["fulfilment_rate"]),
        ],
        ["overdue", len(document["overdue"])],
        ["lead time, days (median / p90)", _pair(document["lead_time_days"])],
        ["response time, hours (median / p90)", _pair(document.get("response_time_hours"))],
        [
            "SLA breaches",
            "-" if document["sla_breaches"] is None else len(document["sla_breaches"]),
        ],
        ["age of open items, days (median / p90)", _pair(document.get("ageing_days"))],
        [
            "customer satisfaction (1-5)",
            f"{satisfaction['mean']} from {satisfaction['responses']} responses"
            if satisfaction["mean"] is not None
            else "no responses",
        ],
    ]
    parts = [
        render_table(
            [Column("Figure"), Column("Value", justify="right")],
            summary,
            title="Backlog",
            width=width,
            color=color,
        )
    ]
    for key, title in (
        ("by_status", "By status"), ("by_type", "By type"), ("by_p_level", "By P-level"),
        ("by_quadrant", "By value-cost quadrant"), ("by_kano", "By Kano category"),
        ("by_channel", "By source channel"),
    ):  # fmt: skip
        rows = [[name, count] for name, count in document[key].items()]
        parts.append(
            render_table(
                [Column(title.split(" ", 1)[1].capitalize()), Column("Count", justify="right")],
                rows,
                title=title,
                width=width,
                color=color,
            )
        )
    if document["overdue"]:
        parts.append("Overdue: " + ", ".join(document["overdue"]) + "\n")
    groups = document.get("groups") or document["customers"]
    label = document.get("by", "customer")
    # What each customer asked for is the point of this table: its list goes last of all.
    columns = [
        Column(label.capitalize(), keep=9),
        Column("Requested", justify="right", keep=6),
        Column("Done", justify="right", keep=5),
        Column("Open", justify="right", keep=3),
        Column("Fulfilment", justify="right", keep=7),
        Column("Satisfaction", justify="right", keep=2),
        Column("Requirements (status)", wrap=True, min_width=16, keep=8),
    ]  # fmt: skip
    rows = []
    for key, group in groups.items():
        name = f"{group['name']} ({key}, tier {group['tier']})" if group.get("name") else key
        mean = group["satisfaction"]["mean"]
        listed = ", ".join(f"{r['id']} {r['status']}" for r in group["requirements"])
        rows.append(
            [
                name,
                group["requested"],
                group["done"],
                group["open"],
                _percent(group["fulfilment_rate"]),
                "-" if mean is None else mean,
                listed,
            ]
        )
    parts.append(render_table(columns, rows, title=f"By {label}", width=width, color=color))
    return "\n".join(part.rstrip("\n") for part in parts)
