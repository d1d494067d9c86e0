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
    raw_csv_option,
    select,
)
from reqforge.i18n import Text
from reqforge.priorities import method_choices


# implements: REQ-210
@click.command("prioritize")
@click.option(
    "--method",
    type=click.Choice(["combined", *method_choices()], case_sensitive=False),
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
@raw_csv_option()
@click.pass_obj
def prioritize(
    state: Any,
    method: str,
    expression: str | None,
    include_all: bool,
    disagreements: bool,
    fmt: str,
    raw_csv: bool,
) -> None:
    """The ranked backlog: every priority method's score with its inputs.

    \b
    A requirement without a method's inputs ranks after all that have them. "Notes" shows
    inherited urgency (the P0s that depend on an item) and disagreements between methods.
    """
    from reqforge.backlog import rank_backlog
    from reqforge.render.prioritize import (
        BACKLOG_CSV_HEADERS,
        backlog_columns,
        backlog_csv_rows,
        backlog_json,
        backlog_table_rows,
        backlog_title,
    )

    catalog = load_catalog(state)
    backlog = rank_backlog(
        catalog,
        select(catalog, expression),
        method,
        include_all=include_all,
        only_disagreements=disagreements,
    )
    if fmt == "json":
        emit(backlog_json(backlog))
        return
    if fmt == "csv":
        rows = backlog_csv_rows(backlog)
        emit(csv_or_table("csv", BACKLOG_CSV_HEADERS, rows, None, raw_csv=raw_csv))
        return
    language = catalog.config.language
    table = csv_or_table(
        "table",
        [],
        backlog_table_rows(backlog, language),
        backlog_columns(backlog),
        title=backlog_title(backlog, language),
        language=language,
    )
    emit(table, color=output_color())
    if include_all:
        state.note(Text("{count} requirements ranked", count=len(backlog.items)))
    else:
        state.note(
            Text(
                "{count} requirements ranked (terminal statuses left out; --all to include)",
                count=len(backlog.items),
            )
        )
