"""The traceability report as people read it: the `trace` table and CSV, the summary lines, notes.

The JSON forms are the report's own (`TraceReport.to_json`); everything here is text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from reqforge.i18n import N_, localize, translator
from reqforge.render.escaping import terminal_text
from reqforge.render.tables import Column, render_csv, render_table, translated_columns

if TYPE_CHECKING:
    from reqforge.catalog import Catalog
    from reqforge.trace.coverage import TraceItem, TraceReport
    from reqforge.trace.junit import ResultProblem

# Headers are translated when the table is drawn (N_ only marks them for the catalogs).
COLUMNS = [
    Column(N_("ID"), keep=9),
    Column(N_("Title"), wrap=True, min_width=16, keep=9),
    Column(N_("Status"), keep=4),
    Column(N_("Code"), wrap=True, keep=6),
    Column(N_("Tests"), wrap=True, keep=7),
    Column(N_("Missing"), keep=8),
    Column(N_("Suspect"), keep=5),
]
RESULT_ORDER = ("failed", "passed", "skipped", "unknown")
RESULT_WORDS = {
    "failed": N_("{count} failed"),
    "passed": N_("{count} passed"),
    "skipped": N_("{count} skipped"),
    "unknown": N_("{count} unknown"),
}
CSV_HEADERS = ["id", "title", "status", "implemented", "verified", "missing", "suspect", "orphan"]
NOTHING_REQUIRED = N_(
    "nothing is required ([trace.require] asks none of these requirements for code or tests)"
)
ID_LIST_LINES = 4  # a longer list of IDs ends with how many more there are


# implements: REQ-403
def trace_table(
    report: TraceReport,
    catalog: Catalog,
    *,
    width: int | None = None,
    color: bool = False,
    language: str = "en",
) -> str:
    """The report as a table no wider than `width`, one row per requirement, titled with the
    coverage; code and tests are summarised (the full lists are in JSON and CSV)."""
    _ = translator(language)
    rows: list[list[Any]] = []
    for item in report.items:
        req = catalog.by_id[item.id].req
        suspect = [target for target, _ in item.suspect]
        rows.append(
            [
                item.id,
                req.title,
                req.status,
                code_cell(item, language=language),
                tests_cell(item, language),
                list(item.missing),
                suspect,
            ]
        )
    title = _("Traceability: {coverage}").format(coverage=coverage_text(report, language=language))
    columns = translated_columns(COLUMNS, language)
    return render_table(columns, rows, title=title, width=width, color=color)


# implements: REQ-403
def coverage_text(report: TraceReport, of_requirements: bool = False, language: str = "en") -> str:
    """`2/3 covered (66.7%)` (`2/3 requirements covered (66.7%)` with `of_requirements`), or
    that nothing is required when [trace.require] asks nothing of any requirement (a coverage of
    100% would mislead); in `language`."""
    _ = translator(language)
    summary = report.summary()
    if report.items and not report.required:
        return _("{count} requirements, {nothing}").format(
            count=summary["requirements"], nothing=_(NOTHING_REQUIRED)
        )
    figures = {
        "covered": summary["covered"],
        "total": summary["requirements"],
        "coverage": percent(summary["coverage"]),
    }
    if of_requirements:
        return _("{covered}/{total} requirements covered ({coverage})").format(**figures)
    return _("{covered}/{total} covered ({coverage})").format(**figures)


# implements: REQ-403
def id_list(
    label: str,
    ids: Sequence[str],
    width: int = 80,
    most: int = ID_LIST_LINES,
    language: str = "en",
) -> str:
    """`label: A, B` on one line when it fits `width`; else the count, the IDs wrapped to
    `width` on at most `most` lines, and how many more there are (JSON and CSV list them all).
    IDs are shown escaped for the terminal; the words are in `language`."""
    _ = translator(language)
    ids = [terminal_text(rid) for rid in ids]
    one_line = _("{label}: {ids}").format(label=label, ids=", ".join(ids) or _("none"))
    if len(one_line) <= width:
        return one_line
    # Packed by hand, not by textwrap: an ID is never split (IDs hold hyphens), and the count
    # of IDs shown is known exactly.
    prefix = _("{label} ({count:,}): ").format(label=label, count=len(ids))
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
        text += "\n  " + _("... and {count:,} more (--format json or csv lists them all)").format(
            count=more
        )
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


def code_cell(item: TraceItem, most: int = 3, language: str = "en") -> str:
    """The files that implement a requirement, each once by its name (with its folder when two
    share a name), the first `most` of them; the paths and lines are in --format json and csv."""
    paths = list(dict.fromkeys(m.path for m in item.implemented))
    names = [p.rpartition("/")[2] for p in paths]
    shown = [
        "/".join(p.split("/")[-2:]) if names.count(n) > 1 else n
        for p, n in zip(paths, names, strict=True)
    ]
    listed = ", ".join(shown[:most])
    if len(shown) > most:
        _ = translator(language)
        listed += " " + _("+{count} more").format(count=len(shown) - most)
    return listed


def by_result(results: Iterable[str], language: str = "en") -> str:
    """Results counted ("3 passed, 1 failed"), in a fixed order."""
    _ = translator(language)
    counts: dict[str, int] = {}
    for result in results:
        counts[result] = counts.get(result, 0) + 1
    return ", ".join(
        _(RESULT_WORDS[r]).format(count=counts[r]) for r in RESULT_ORDER if r in counts
    )


def percent(fraction: float | None) -> str:
    """A coverage fraction as a percentage with one decimal, or "-" when there is none."""
    return "-" if fraction is None else f"{fraction * 100:.1f}%"


def tests_cell(item: TraceItem, language: str = "en") -> str:
    """Verifying tests counted by result, the failing ones named: the full lists are in
    --format json and csv."""
    tests = item.tests()
    failing = [test.rsplit("::", 1)[-1] for test, result in tests.items() if result == "failed"]
    return by_result(tests.values(), language) + (f" ({', '.join(failing)})" if failing else "")


# implements: REQ-403
def summary_text(report: TraceReport, width: int = 80, language: str = "en") -> str:
    """The report's figures as a few lines of text in `language` (long lists of IDs cut to a
    few lines of `width`: --format json lists them all)."""
    _ = translator(language)
    tests = by_result(report.tests().values(), language) or _("none")
    lines = [
        _("coverage: {coverage}").format(coverage=coverage_text(report, True, language)),
        _("verifying tests: {tests}").format(tests=tests),
        id_list(_("failing"), report.failing, width, language=language),
        id_list(_("orphans"), report.orphans, width, language=language),
        _("suspect links: {count}").format(count=report.summary()["suspect"]),
    ]
    return "\n".join(lines) + "\n"


# What each `--fail-on` condition is called when it holds.
FAIL_ON_LABELS = {
    "failing": N_("failing tests"),
    "missing": N_("missing coverage"),
    "orphans": N_("orphans"),
}


def fail_on_note(
    conditions: dict[str, tuple[str, ...]], width: int = 80, language: str = "en"
) -> str:
    """Why `trace --fail-on` exits 1: each condition that holds, with its requirements."""
    _ = translator(language)
    lines = [
        id_list(f"--fail-on: {_(FAIL_ON_LABELS[name])}", ids, width, language=language)
        for name, ids in conditions.items()
    ]
    return "\n".join(lines)


def refused_results_note(problem: ResultProblem, language: str = "en") -> str:
    """The warning for a JUnit XML file whose results were left out."""
    _ = translator(language)
    where = terminal_text(problem.path)
    why = terminal_text(localize(problem.message, language))
    return _("warning: {path}: {problem} (its results are left out)").format(
        path=where, problem=why
    )
