"""`reqforge export`: requirements out to other tools (reqforge/interchange/)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from reqforge.cli.selection import FILTER_HELP, emit, load_catalog, raw_csv_option, select
from reqforge.errors import ReqforgeError
from reqforge.i18n import Text


# implements: REQ-707
@click.command("export")
@click.option(
    "--to",
    "fmt",
    type=click.Choice(["csv", "xlsx", "json"]),
    required=True,
    help="The format to write.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (atomically) instead of standard output.",
)
@click.option("--filter", "expression", metavar="EXPR", help=FILTER_HELP)
@raw_csv_option()
@click.pass_obj
def export_command(
    state: Any, fmt: str, output: Path | None, expression: str | None, raw_csv: bool
) -> None:
    """Export the requirements: `csv`, one row per requirement (dotted field columns, the
    body, computed priorities as `computed.*` columns; UTF-8 with a BOM, formula-safe cells);
    `xlsx`, the same table as a workbook (header row, frozen panes, filters, column widths,
    the commit it was made from on a hidden sheet; needs -o); or `json`, the model the site
    publishes as requirements.json."""
    if fmt == "json" and expression is not None:
        raise ReqforgeError(Text("--filter: the json export holds every requirement"))
    if fmt == "xlsx" and output is None:
        raise ReqforgeError(Text("--to xlsx: give the workbook's file with -o"))
    if fmt == "xlsx":
        data = _xlsx(state, expression)
    else:
        text = _json(state) if fmt == "json" else _csv(state, expression, raw_csv)
        if output is None:
            emit(text.removesuffix("\n"))
            return
        data = text.encode("utf-8")
    assert output is not None
    from reqforge.editing import write_file

    try:
        write_file(output, data)
    except OSError as exc:
        reason = exc.strerror or exc
        raise ReqforgeError(
            Text("{path}: cannot be written: {reason}", path=output, reason=reason)
        ) from None
    emit(str(output))


def _table(state: Any, expression: str | None) -> tuple[list[str], list[list[Any]]]:
    from reqforge.backlog import rank_backlog
    from reqforge.formatting import canonical_orders
    from reqforge.interchange.table import export_table
    from reqforge.loader import Bodies

    catalog = load_catalog(state)
    config = catalog.config
    entries = sorted(select(catalog, expression), key=lambda e: (e.req.id, e.req.path))
    backlog = rank_backlog(catalog, catalog, include_all=True)
    ranks = {item.item["id"]: item.item["rank"] for item in backlog.items}
    bodies = Bodies(config, [e.req.path for e in entries])
    return export_table(entries, bodies, ranks, canonical_orders(config))


def _csv(state: Any, expression: str | None, raw: bool) -> str:
    from reqforge.render.tables import render_csv

    headers, rows = _table(state, expression)
    return "\ufeff" + render_csv(headers, rows, raw=raw)


def _xlsx(state: Any, expression: str | None) -> bytes:
    from reqforge.git import GitError, open_repository
    from reqforge.interchange.xlsx_format import export_xlsx

    headers, rows = _table(state, expression)
    try:
        commit = open_repository(state.config().root).head()
    except GitError:
        commit = None
    return export_xlsx(headers, rows, commit)


def _json(state: Any) -> str:
    import datetime as dt

    from reqforge.site.build import load_site_model
    from reqforge.site.requirements_json import DOCUMENT, requirements_files

    config = state.config()
    model = load_site_model(config, dt.date.today(), state.progress())
    return requirements_files(model, config)[DOCUMENT].decode("utf-8")
