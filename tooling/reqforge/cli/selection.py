"""Choosing requirements from the command line: load the catalogue, apply --filter, --sort.

Shared by every command that lists requirements, so they all accept the same filter language
(see reqforge.query) and report a bad expression the same way: exit 2 with a caret.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from reqforge.errors import ReqforgeError
from reqforge.i18n import Text, localize

if TYPE_CHECKING:  # `check` imports this module for its options: keep it light
    from reqforge.catalog import Catalog, Entry

FILTER_HELP = (
    'Only requirements matching EXPR, e.g. "status in (accepted, in-progress) and '
    'priority.moscow = must and not owner" (see README: Filter expressions).'
)


def today_option(judged: str) -> Any:
    """The `--today YYYY-MM-DD` option (or REQFORGE_TODAY): what `judged` is judged against."""
    return click.option(
        "--today",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        envvar="REQFORGE_TODAY",
        help=f"Judge {judged} as of this date instead of today [env: REQFORGE_TODAY].",
    )


def format_option(*choices: str) -> Any:
    """The `--format` option every command shares: these choices, the first the default."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default=choices[0],
        show_default=True,
        help="Output format.",
    )


def raw_csv_option() -> Any:
    """The `--raw-csv` flag of commands with CSV output: cells as they are, without the `'`
    that keeps a spreadsheet from running `=`, `+`, `-`, `@` as a formula."""
    return click.option(
        "--raw-csv",
        is_flag=True,
        help="With --format csv: do not prefix text cells starting with = + - @ with ' "
        "(the guard against spreadsheet formula injection).",
    )


def load_catalog(state: Any) -> Catalog:
    """The catalogue of the repository, read through the parse cache."""
    from reqforge.catalog import Catalog
    from reqforge.corpus import cached_scores, load_corpus

    config = state.config()
    if not config.reqs_path.is_dir():
        raise no_requirements_folder(config.reqs_dir, config.root)
    corpus = load_corpus(config, progress=state.progress())
    broken = len(corpus.repository.load_findings)
    if broken:
        state.note(
            Text(
                "note: {count} file(s) could not be read; run `reqforge check` for details",
                count=broken,
            )
        )
    return Catalog(corpus.repository, config, cached_scores(corpus))


def no_requirements_folder(reqs_dir: str, root: Any) -> ReqforgeError:
    """The error of a command run where the requirements folder is missing."""
    return ReqforgeError(
        Text("no requirements folder {folder}/ in {root}", folder=reqs_dir, root=root)
    )


# implements: REQ-706
def select(catalog: Catalog, expression: str | None) -> list[Entry]:
    """The entries matching a filter expression (all when None); exit 2 on a bad one."""
    from reqforge.catalog import filter_entries
    from reqforge.query import FilterError

    try:
        return filter_entries(catalog, expression)
    except FilterError as exc:
        # str(exc) is "error: <message>", the expression and a caret line.
        raise ReqforgeError(Text("--filter: {problem}", problem=exc.text())) from None


def sorted_entries(catalog: Catalog, entries: list[Entry], keys: str | None) -> list[Entry]:
    """The entries in `--sort KEYS` order (see catalog.sort_entries); exit 2 on an unknown
    field."""
    from reqforge.catalog import UnknownField, parse_sort_keys, sort_entries

    try:
        return sort_entries(catalog, entries, parse_sort_keys(keys or ""))
    except UnknownField as exc:
        message = str(localize(exc.args[0], catalog.config.language))
        raise click.BadParameter(message, param_hint="--sort") from None


# implements: REQ-717
def output_color() -> bool:
    """Whether output is coloured: never with NO_COLOR set (no-color.org), always with
    FORCE_COLOR set (and not 0), as CI logs that render colour ask; else on a terminal only."""
    if os.environ.get("NO_COLOR"):
        return False
    force = os.environ.get("FORCE_COLOR")
    if force is not None and force not in ("", "0", "false"):
        return True
    return sys.stdout.isatty()


def terminal_width() -> int:
    """The terminal's width ($COLUMNS first), or a wide page for files and pipes."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    return 200


def today_date(value: dt.datetime | None) -> dt.date:
    """The date a `--today` value means (today when not given)."""
    return value.date() if value else dt.date.today()


def emit(text: str, color: bool = False) -> None:
    """Print command output (UTF-8 even when the locale is not)."""
    from reqforge.cli.output import emit as emit_report

    emit_report(text, binary=not sys.stdout.isatty(), color=color)


def csv_or_table(
    fmt: str,
    headers: Sequence[str],
    rows: list[list[Any]],
    columns: Any,
    title: str | None = None,
    *,
    raw_csv: bool = False,
    language: str = "en",
) -> str:
    """CSV (English headers: a machine format) or a table with headers in `language`."""
    from reqforge.render.tables import render_csv, render_table, translated_columns

    if fmt == "csv":
        return render_csv(headers, rows, raw=raw_csv)
    columns = translated_columns(columns, language)
    return render_table(columns, rows, title=title, width=terminal_width(), color=output_color())
