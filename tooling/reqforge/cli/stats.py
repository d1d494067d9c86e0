"""`reqforge stats`: counts, fulfilment, overdue items, satisfaction, and per customer what it
asked for and where each request stands."""

from __future__ import annotations

import datetime as dt
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
from reqforge.i18n import Text
from reqforge.metrics import GROUPINGS, backlog_stats
from reqforge.render import strict_json


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
    asked for; acceptance criteria by EARS kind. Lead times and SLA breaches come from git
    history (null until available)."""
    from reqforge.history import load_history

    catalog = load_catalog(state)
    history = load_history(catalog.config.root, catalog.config.reqs_dir, progress=state.progress())
    if history.note:
        state.note(Text("note: {note}", note=history.note))
    document = backlog_stats(catalog, today_date(today), by, history)
    if fmt == "json":
        emit(strict_json.dumps(document, indent=2))
        return
    from reqforge.render.stats import render_stats

    color = output_color()
    language = catalog.config.language
    emit(
        render_stats(document, width=terminal_width(), color=color, language=language), color=color
    )
