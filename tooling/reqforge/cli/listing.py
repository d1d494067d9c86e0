"""`reqforge list` and `reqforge show`: ask the repository a question from the terminal."""

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
    sorted_entries,
)
from reqforge.i18n import Text
from reqforge.render import strict_json


# implements: REQ-706
@click.command("list")
@click.option("--filter", "expression", metavar="EXPR", help=FILTER_HELP)
@click.option(
    "--sort",
    "sort_keys",
    metavar="KEYS",
    help="Sort by fields, e.g. 'p_level,-ice.score' ('-' for descending). Default: ID.",
)
@format_option("table", "json", "csv")
@raw_csv_option()
@click.pass_obj
def list_command(
    state: Any, expression: str | None, sort_keys: str | None, fmt: str, raw_csv: bool
) -> None:
    """List requirements, optionally filtered and sorted."""
    from reqforge.render.listing import LIST_HEADERS, LIST_TABLE, list_json, list_rows

    catalog = load_catalog(state)
    language = catalog.config.language
    entries = sorted_entries(catalog, select(catalog, expression), sort_keys)
    if fmt == "json":
        emit(list_json(entries))
        return
    emit(
        csv_or_table(
            fmt, LIST_HEADERS, list_rows(entries), LIST_TABLE, raw_csv=raw_csv, language=language
        ),
        color=fmt == "table" and output_color(),
    )
    state.note(Text("{count} of {total} requirements", count=len(entries), total=len(catalog)))


# implements: REQ-706
@click.command("show")
@click.argument("requirement_id", metavar="ID")
@format_option("text", "json")
@click.pass_obj
def show_command(state: Any, requirement_id: str, fmt: str) -> None:
    """Show one requirement: every field (each acceptance criterion with its EARS kind),
    computed priorities, links both ways, what a change to it reaches (the requirements whose
    links lead to it, transitively), its trace when [trace] is configured (code, tests and
    results, missing kinds, suspect links), the body."""
    from reqforge.catalog import view_requirement
    from reqforge.render.show import render_show, show_json

    catalog = load_catalog(state)
    view = view_requirement(catalog, requirement_id)
    entry = view.entry
    trace = None
    if catalog.config.trace.scan or catalog.config.trace.results:
        from reqforge.render.trace import refused_results_note
        from reqforge.trace.report import trace_report

        report, problems = trace_report(catalog)
        for problem in problems:
            state.note(refused_results_note(problem, catalog.config.language))
        report = report.only({entry.req.id})
        trace = report.items[0] if report.items else None
    if fmt == "json":
        emit(strict_json.dumps(show_json(view, trace), indent=2))
        return
    text = render_show(view, trace, color=output_color(), language=catalog.config.language)
    emit(text, color=output_color())
