"""`reqforge trace`: is each requirement implemented, tested and passing; what is orphaned."""

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
from reqforge.tabular import Column, json_document

COLUMNS = [
    Column("ID", keep=9),
    Column("Title", wrap=True, min_width=16, keep=9),
    Column("Status", keep=4),
    Column("Implemented", wrap=True, keep=6),
    Column("Verified (result)", wrap=True, keep=7),
    Column("Missing", keep=8),
    Column("Suspect", keep=5),
]
CSV_HEADERS = ["id", "title", "status", "implemented", "verified", "missing", "suspect"]


def trace_report(state: Any, catalog: Any) -> Any:
    """Scan markers, read results and suspect links, and build the report (see trace.py)."""
    from reqforge.checks.suspect import suspect_links
    from reqforge.junit import read_results
    from reqforge.markers import compile_marker, scan
    from reqforge.trace import build_trace

    config = catalog.config
    markers = []
    if config.trace.scan:
        pattern = compile_marker(config.trace.marker, config.id_pattern)
        markers = scan(config.root, config.trace.scan, pattern, config.trace.tests, use_cache=True)
    results, problems = read_results(config.root, config.trace.results)
    for problem in problems:
        state.note(f"note: {problem.path}: {problem.message}")
    links = suspect_links(catalog.repository.requirements, config.root, config.reqs_dir)
    suspects = {rid: [(t, since) for _, _, t, since in found] for rid, found in links.items()}
    return build_trace(catalog, markers, results, suspects)


@click.command("trace")
@click.option("--filter", "expression", metavar="EXPR", help=FILTER_HELP)
@format_option("table", "json", "csv")
@click.pass_obj
def trace_command(state: Any, expression: str | None, fmt: str) -> None:
    """Traceability: each requirement's parents, children, code (implemented) and tests
    (verified, with their JUnit result), what [trace.require] says is missing, suspect links,
    and orphans (no parent, no children, no code or test)."""
    from reqforge.trace import TraceReport

    catalog = load_catalog(state)
    report = trace_report(state, catalog)
    if expression:
        wanted = {entry.req.id for entry in select(catalog, expression)}
        items = tuple(item for item in report.items if item.id in wanted)
        report = TraceReport(items, tuple(o for o in report.orphans if o in wanted))
    if fmt == "json":
        document = report.to_json()
        emit(json_document({"summary": document["summary"]}, "items", document["items"]))
        return
    rows = []
    for item in report.items:
        title = catalog.by_id[item.id].req.title
        status = catalog.by_id[item.id].req.status
        implemented = [f"{m.path}:{m.line}" for m in item.implemented]
        verified = [f"{m.test or m.path}:{m.line} ({result})" for m, result in item.verified]
        suspect = [target for target, _ in item.suspect]
        rows.append([item.id, title, status, implemented, verified, list(item.missing), suspect])
    if fmt == "csv":
        emit(csv_or_table("csv", CSV_HEADERS, rows, None))
        return
    summary = report.summary()
    coverage = "-" if summary["coverage"] is None else f"{summary['coverage'] * 100:.1f}%"
    title = f"Traceability: {summary['covered']}/{summary['requirements']} covered ({coverage})"
    emit(csv_or_table("table", [], rows, COLUMNS, title=title), color=output_color())
    if summary["orphans"]:
        state.note(f"orphans: {', '.join(summary['orphans'])}")
