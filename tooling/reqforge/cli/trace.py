"""`reqforge trace`: is each requirement implemented, tested and passing; what is orphaned."""

from __future__ import annotations

import sys
from typing import Any

import click

from reqforge.cli.selection import (
    FILTER_HELP,
    emit,
    format_option,
    load_catalog,
    output_color,
    raw_csv_option,
    select,
    terminal_width,
)
from reqforge.i18n import environment_language, translator
from reqforge.render import strict_json
from reqforge.render.tables import json_document
from reqforge.render.trace import (
    fail_on_note,
    id_list,
    refused_results_note,
    summary_text,
    trace_csv,
    trace_table,
)
from reqforge.trace.coverage import FAIL_CONDITIONS
from reqforge.trace.report import trace_report


def _conditions(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[str, ...]:
    """`failing,missing` -> ("failing", "missing"); a name not in FAIL_CONDITIONS is exit 2."""
    names = tuple(name.strip() for name in (value or "").split(",") if name.strip())
    unknown = [name for name in names if name not in FAIL_CONDITIONS]
    if unknown:
        # Options are parsed before any configuration is read: REQFORGE_LANG decides.
        _ = translator(environment_language())
        message = _("{names}: expected a comma-separated list of {conditions}")
        raise click.BadParameter(
            message.format(names=", ".join(unknown), conditions=", ".join(FAIL_CONDITIONS))
        )
    return names


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
@click.option(
    "--fail-on",
    metavar="failing,missing,orphans",
    callback=_conditions,
    help="Exit 1 when any named condition holds: failing (a verifying test failed), missing "
    "(a kind [trace.require] asks for is absent), orphans. Default: exit 0 whatever the report.",
)
@format_option("table", "json", "csv")
@raw_csv_option()
@click.pass_obj
def trace_command(
    state: Any,
    expression: str | None,
    summary_only: bool,
    fail_on: tuple[str, ...],
    fmt: str,
    raw_csv: bool,
) -> None:
    """Traceability: each requirement's parents, children, code (implemented) and tests
    (verified, with their JUnit result), what [trace.require] says is missing, suspect links,
    and orphans (no parent, no children, no code or test).

    Markers are comments such as `# implements: CRM-0042` in code and `// verifies: CRM-0042`
    inside a test, found under [trace] scan; results come from the JUnit XML files of [trace]
    results. A requirement is covered when it has every kind of marker [trace.require] lists
    for its type (when it lists nothing for any of them, the title says that nothing is
    required); the table's title gives the coverage, --summary the figures alone (for CI
    logs). --fail-on makes CI fail on failing tests, missing coverage or orphans."""
    catalog = load_catalog(state)
    language = catalog.config.language
    _ = translator(language)
    report, problems = trace_report(catalog)
    for problem in problems:
        state.note(refused_results_note(problem, language))
    if expression:
        report = report.only({entry.req.id for entry in select(catalog, expression)})
    width = terminal_width()
    if summary_only and fmt == "json":
        emit(strict_json.dumps({"summary": report.summary()}) + "\n")
    elif summary_only:
        emit(summary_text(report, width, language))
    elif fmt == "json":
        document = report.to_json()
        emit(json_document({"summary": document["summary"]}, "items", document["items"]))
    elif fmt == "csv":
        emit(trace_csv(report, catalog, raw=raw_csv))
    else:
        table = trace_table(report, catalog, width=width, color=output_color(), language=language)
        emit(table, color=output_color())
        if report.orphans:
            state.note(id_list(_("orphans"), report.orphans, width, language=language))
    holding = report.conditions_holding(fail_on)
    if holding:
        state.note(fail_on_note(holding, width, language))
        sys.exit(1)
