"""`reqforge trace`: is each requirement implemented, tested and passing; what is orphaned."""

from __future__ import annotations

import json
from typing import Any

import click

from reqforge.cli.selection import (
    FILTER_HELP,
    emit,
    format_option,
    load_catalog,
    output_color,
    select,
    terminal_width,
)
from reqforge.render.tables import json_document
from reqforge.render.trace import refused_results_note, summary_text, trace_csv, trace_table
from reqforge.trace.report import trace_report


# implements: REQ-400
# implements: REQ-403
@click.command("trace")
@click.option("--filter", "expression", metavar="EXPR", help=FILTER_HELP)
@click.option(
    "--summary",
    "summary_only",
    is_flag=True,
    help="Only the figures: coverage, verifying tests by result, failing, orphans, suspect "
    "links (with --format json: the summary object alone).",
)
@format_option("table", "json", "csv")
@click.pass_obj
def trace_command(state: Any, expression: str | None, summary_only: bool, fmt: str) -> None:
    """Traceability: each requirement's parents, children, code (implemented) and tests
    (verified, with their JUnit result), what [trace.require] says is missing, suspect links,
    and orphans (no parent, no children, no code or test).

    Markers are comments such as `# implements: CRM-0042` in code and `// verifies: CRM-0042`
    inside a test, found under [trace] scan; results come from the JUnit XML files of [trace]
    results. A requirement is covered when it has every kind of marker [trace.require] lists
    for its type; the table's title gives the coverage, --summary the figures alone (for CI
    logs)."""
    catalog = load_catalog(state)
    report, problems = trace_report(catalog)
    for problem in problems:
        state.note(refused_results_note(problem))
    if expression:
        report = report.only({entry.req.id for entry in select(catalog, expression)})
    if summary_only:
        if fmt == "json":
            emit(json.dumps({"summary": report.summary()}, ensure_ascii=False) + "\n")
        else:
            emit(summary_text(report))
        return
    if fmt == "json":
        document = report.to_json()
        emit(json_document({"summary": document["summary"]}, "items", document["items"]))
        return
    if fmt == "csv":
        emit(trace_csv(report, catalog))
        return
    table = trace_table(report, catalog, width=terminal_width(), color=output_color())
    emit(table, color=output_color())
    if report.orphans:
        state.note(f"orphans: {', '.join(report.orphans)}")
