"""`reqforge build`: write the static site."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from reqforge.cli.selection import emit, no_requirements_folder, output_color, today_option
from reqforge.i18n import Text

if TYPE_CHECKING:
    from reqforge.config import Config
    from reqforge.site.build import BuildResult


# implements: REQ-500
@click.command("build")
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (default: site/ in the repository).",
)
@click.option(
    "--clean",
    is_flag=True,
    help="Remove the files of the previous build from the output folder first.",
)
@today_option("overdue items")
@click.pass_obj
def build_command(state: Any, output: Path | None, clean: bool, today: dt.datetime | None) -> None:
    """Build the static site: dashboard, backlog and one page per requirement.

    A requirement with check errors is still built and marked; the errors are printed and
    the exit code is 1.
    """
    from reqforge.site.build import build_site

    config = state.config()
    if not config.reqs_path.is_dir():
        raise no_requirements_folder(config.reqs_dir, config.root)
    folder = output if output is not None else config.root / "site"
    result = build_site(
        config,
        folder,
        clean=clean,
        today=today.date() if today else None,
        progress=state.progress(),
    )
    report_build(state, config, result)
    if result.errors:
        sys.exit(1)


def report_build(state: Any, config: Config, result: BuildResult) -> None:
    """Say what a build wrote, left and removed (a note) and print its check errors, as
    `check` prints them."""
    from reqforge.model import CheckResult
    from reqforge.render.findings import render

    # implements: REQ-526
    state.note(
        Text(
            "{count} files written to {folder} ({kept} left as they were, {removed} removed)",
            count=len(result.written),
            folder=result.output,
            kept=len(result.kept),
            removed=len(result.removed),
        )
    )
    if result.errors:
        checked = CheckResult(result.errors, result.requirements, result.files)
        color = output_color()
        text = render("text", checked, root=config.root, color=color, language=config.language)
        emit(text, color=color)
