"""The traceability report as people read it: the `trace` table and CSV, the summary lines, notes.

The JSON forms are the report's own (`TraceReport.to_json`); everything here is text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from reqforge.render.escaping import terminal_text
from reqforge.render.tables import Column, render_csv, render_table

if TYPE_CHECKING:
    from reqforge.catalog import Catalog
    from reqforge.trace.coverage import TraceItem, TraceReport
    from reqforge.trace.junit import ResultProblem

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
CSV_HEADERS = ["id", "title", "status", "implemented", "verified", "missing", "suspect", "orphan"]
NOTHING_REQUIRED = (
    "nothing is required ([trace.require] asks none of these requirements for code or tests)"
)
ID_LIST_LINES = 4  # a longer list of IDs ends with how many more there are


# implements: REQ-403
def trace_table(
    report: TraceReport, catalog: Catalog, *, width: int | None = None, color: bool = False
) -> str:
    """The report as a table no wider than `width`, one row per requirement, titled with the
    coverage; code and tests are summarised (the full lists are in JSON and CSV)."""
    rows: list[list[Any]] = []
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
    return render_table(
        COLUMNS, rows, title=f"Traceability: {coverage_text(report)}", width=width, color=color
    )


# implements: REQ-403
def coverage_text(report: TraceReport, noun: str = "") -> str:
    """`2/3 {noun}covered (66.7%)`, or that nothing is required when [trace.require] asks
    nothing of any requirement (a coverage of 100% would mislead)."""
    summary = report.summary()
    if report.items and not report.required:
        return f"{summary['requirements']} requirements, {NOTHING_REQUIRED}"
    coverage = percent(summary["coverage"])
    return f"{summary['covered']}/{summary['requirements']} {noun}covered ({coverage})"


# implements: REQ-403
def id_list(label: str, ids: Sequence[str], width: int = 80, most: int = ID_LIST_LINES) -> str:
    """`label: A, B` on one line when it fits `width`; else the count, the IDs wrapped to
    `width` on at most `most` lines, and how many more there are (JSON and CSV list them all).
    IDs are shown escaped for the terminal."""
    ids = [terminal_text(rid) for rid in ids]
    one_line = f"{label}: {', '.join(ids) or 'none'}"
    if len(one_line) <= width:
        return one_line
    # Packed by hand, not by textwrap: an ID is never split (IDs hold hyphens), and the count
    # of IDs shown is known exactly.
    prefix = f"{label} ({len(ids):,}): "
    rows: list[list[str]] = [[]]
    used = len(prefix)
    for rid in ids:
        if rows[-1] and used + len(rid) + 2 > width:
            if len(rows) == most:
                break
            rows.append([])
            used = 2
        rows[-1].append(rid)
        used += len(rid) + 2
    text = ",\n  ".join(", ".join(row) for row in rows)
    more = len(ids) - sum(map(len, rows))
    if more:
        text += f"\n  ... and {more:,} more (--format json or csv lists them all)"
    return prefix + text


# implements: REQ-403
def trace_csv(report: TraceReport, catalog: Catalog, *, raw: bool = False) -> str:
    """The report as CSV, one row per requirement, with every code place and verifying test,
    and whether it is an orphan (formula-like text guarded unless `raw`, see `render_csv`)."""
    orphans = set(report.orphans)
    rows: list[list[Any]] = []
    for item in report.items:
        req = catalog.by_id[item.id].req
        implemented = [f"{m.path}:{m.line}" for m in item.implemented]
        verified = [f"{m.test or m.path}:{m.line} ({result})" for m, result in item.verified]
        suspect = [target for target, _ in item.suspect]
        orphan = "yes" if item.id in orphans else ""
        rows.append(
            [
                item.id,
                req.title,
                req.status,
                implemented,
                verified,
                list(item.missing),
                suspect,
                orphan,
            ]
        )
    return render_csv(CSV_HEADERS, rows, raw=raw)


def code_cell(item: TraceItem, most: int = 3) -> str:
    """The files that implement a requirement, each once by its name (with its folder when two
    share a name), the first `most` of them; the paths and lines are in --format json and csv."""
    paths = list(dict.fromkeys(m.path for m in item.implemented))
    names = [p.rpartition("/")[2] for p in paths]
    shown = [
        "/".join(p.split("/")[-2:]) if names.count(n) > 1 else n
        for p, n in zip(paths, names, strict=True)
    ]
    return ", ".join(shown[:most]) + (f" +{len(shown) - most} more" if len(shown) > most else "")


def by_result(results: Iterable[str]) -> str:
    """Results counted ("3 passed, 1 failed"), in a fixed order."""
    counts: dict[str, int] = {}
    for result in results:
        counts[result] = counts.get(result, 0) + 1
    return ", ".join(f"{counts[r]} {r}" for r in RESULT_ORDER if r in counts)


def percent(fraction: float | None) -> str:
    """A coverage fraction as a percentage with one decimal, or "-" when there is none."""
    return "-" if fraction is None else f"{fraction * 100:.1f}%"


def tests_cell(item: TraceItem) -> str:
    """Verifying tests counted by result, the failing ones named: the full lists are in
    --format json and csv."""
    tests = item.tests()
    failing = [test.rsplit("::", 1)[-1] for test, result in tests.items() if result == "failed"]
    return by_result(tests.values()) + (f" ({', '.join(failing)})" if failing else "")


# implements: REQ-403
def summary_text(report: TraceReport, width: int = 80) -> str:
    """The report's figures as a few lines of text (long lists of IDs cut to a few lines of
    `width`: --format json lists them all)."""
    tests = by_result(report.tests().values()) or "none"
    lines = [
        f"coverage: {coverage_text(report, 'requirements ')}",
        f"verifying tests: {tests}",
        id_list("failing", report.failing, width),
        id_list("orphans", report.orphans, width),
        f"suspect links: {report.summary()['suspect']}",
    ]
    return "\n".join(lines) + "\n"


def fail_on_note(conditions: dict[str, tuple[str, ...]], width: int = 80) -> str:
    """Why `trace --fail-on` exits 1: each condition that holds, with its requirements."""
    labels = {"failing": "failing tests", "missing": "missing coverage", "orphans": "orphans"}
    lines = [id_list(f"--fail-on: {labels[name]}", ids, width) for name, ids in conditions.items()]
    return "\n".join(lines)


def refused_results_note(problem: ResultProblem) -> str:
    """The warning for a JUnit XML file whose results were left out."""
    where, why = terminal_text(problem.path), terminal_text(problem.message)
    return f"warning: {where}: {why} (its results are left out)"
