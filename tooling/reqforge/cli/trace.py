"""`reqforge trace`: is each requirement implemented, tested and passing; what is orphaned."""

from __future__ import annotations

import json
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
from reqforge.render.tables import Column, json_document

COLUMNS = [
    Column("ID", keep=9),
    Column("Title", wrap=True, min_width=16, keep=9),
    Column("Status", keep=4),
    Column("Code", wrap=True, keep=6),
    Column("Tests", wrap=True, keep=7),
    Column("Missing", keep=8),
    Column("Suspect", keep=5),
]
RESULT_ORDER = ("failed", "passed", "skipped", "unknown")
CSV_HEADERS = ["id", "title", "status", "implemented", "verified", "missing", "suspect"]


# implements: REQ-401
# implements: REQ-402
# implements: REQ-404
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
        state.note(f"warning: {problem.path}: {problem.message} (its results are left out)")
    links = suspect_links(catalog.repository.requirements, config.root, config.reqs_dir)
    suspects = {rid: [(t, since) for _, _, t, since in found] for rid, found in links.items()}
    return build_trace(catalog, markers, results, suspects)


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
    report = trace_report(state, catalog)
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
        rows = []
        for item in report.items:
            req = catalog.by_id[item.id].req
            implemented = [f"{m.path}:{m.line}" for m in item.implemented]
            verified = [f"{m.test or m.path}:{m.line} ({result})" for m, result in item.verified]
            suspect = [target for target, _ in item.suspect]
            rows.append(
                [item.id, req.title, req.status, implemented, verified, list(item.missing), suspect]
            )
        emit(csv_or_table("csv", CSV_HEADERS, rows, None))
        return
    rows = []
    for item in report.items:
        req = catalog.by_id[item.id].req
        suspect = [target for target, _ in item.suspect]
        rows.append(
            [
                item.id,
                req.title,
                req.status,
                code_cell(item),
                tests_cell(item),
                list(item.missing),
                suspect,
            ]
        )
    summary = report.summary()
    coverage = percent(summary["coverage"])
    title = f"Traceability: {summary['covered']}/{summary['requirements']} covered ({coverage})"
    emit(csv_or_table("table", [], rows, COLUMNS, title=title), color=output_color())
    if summary["orphans"]:
        state.note(f"orphans: {', '.join(summary['orphans'])}")


def code_cell(item: Any, most: int = 3) -> str:
    """The files that implement a requirement, each once by its name (with its folder when two
    share a name), the first `most` of them; the paths and lines are in --format json and csv."""
    paths = list(dict.fromkeys(m.path for m in item.implemented))
    names = [p.rpartition("/")[2] for p in paths]
    shown = [
        "/".join(p.split("/")[-2:]) if names.count(n) > 1 else n
        for p, n in zip(paths, names, strict=True)
    ]
    return ", ".join(shown[:most]) + (f" +{len(shown) - most} more" if len(shown) > most else "")


def by_result(results: Any) -> str:
    """Results counted ("3 passed, 1 failed"), in a fixed order."""
    counts: dict[str, int] = {}
    for result in results:
        counts[result] = counts.get(result, 0) + 1
    return ", ".join(f"{counts[r]} {r}" for r in RESULT_ORDER if r in counts)


def percent(fraction: float | None) -> str:
    return "-" if fraction is None else f"{fraction * 100:.1f}%"


def tests_cell(item: Any) -> str:
    """Verifying tests counted by result, the failing ones named: the full lists are in
    --format json and csv."""
    tests = item.tests()
    failing = [test.rsplit("::", 1)[-1] for test, result in tests.items() if result == "failed"]
    return by_result(tests.values()) + (f" ({', '.join(failing)})" if failing else "")


def summary_text(report: Any) -> str:
    """The report's figures as a few lines of text."""
    figures = report.summary()
    coverage = percent(figures["coverage"])
    tests = by_result(report.tests().values()) or "none"
    lines = [
        f"coverage: {figures['covered']}/{figures['requirements']} requirements covered "
        f"({coverage})",
        f"verifying tests: {tests}",
        f"failing: {', '.join(figures['failing']) or 'none'}",
        f"orphans: {', '.join(figures['orphans']) or 'none'}",
        f"suspect links: {figures['suspect']}",
    ]
    return "\n".join(lines) + "\n"
