"""`reqforge serve`: build the site, serve it, rebuild on change and reload the open page."""

from __future__ import annotations

import datetime as dt
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from reqforge.cli.build import report_build
from reqforge.cli.selection import no_requirements_folder, today_option
from reqforge.i18n import Text, localize
from reqforge.render.escaping import terminal_block

if TYPE_CHECKING:
    from reqforge.config import Config
    from reqforge.site.build import BuildResult


class _Terminal:
    """How a serving session reports to the person at the terminal (see `ServeEvents`)."""

    def __init__(self, state: Any) -> None:
        self.state = state

    def built(self, config: Config, result: BuildResult) -> None:
        report_build(self.state, config, result)

    def failed(self, error: Exception) -> None:
        from reqforge.cli.main import error_message

        self.state.end_progress()
        if self.state.debug:
            traceback.print_exception(error)
        click.echo(error_message(error, self.state.language()), err=True)
        self.state.note(Text("still serving the last good build"))

    def listening(self, url: str) -> None:
        # The address is what the command is run for: on stdout, even with --quiet.
        self.state.end_progress()
        message = Text("Serving the site at {url} (Ctrl-C to stop)", url=url)
        click.echo(terminal_block(localize(message, self.state.language())))

    def rebuilding(self, changed: frozenset[Path]) -> None:
        root = self.state.config().root
        shown = sorted(_shown(path, root) for path in changed)
        more = f" (+{len(shown) - 3})" if len(shown) > 3 else ""
        self.state.note(Text("changed: {files}; rebuilding", files=", ".join(shown[:3]) + more))


def _shown(path: Path, root: Path) -> str:
    """A changed file as the user knows it: relative to the repository when inside it."""
    for base in (root.absolute(), root.resolve()):
        if path.is_relative_to(base):
            return path.relative_to(base).as_posix()
    return path.as_posix()


# implements: REQ-709
@click.command("serve")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port to listen on (0: any free port).",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; any other than this machine's serves the site to the network.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (default: site/ in the repository).",
)
@today_option("overdue items")
@click.pass_obj
def serve_command(
    state: Any, port: int, host: str, output: Path | None, today: dt.datetime | None
) -> None:
    """Build the site, serve it over HTTP and rebuild it when a requirement, the
    configuration, a template, a trace source or git's history changes; an open page reloads
    itself. Ctrl-C stops.
    """
    from reqforge.site.build import check_output_folder
    from reqforge.site.serve import SiteServer, is_loopback, serve_site

    config = state.config()
    if not config.reqs_path.is_dir():
        raise no_requirements_folder(config.reqs_dir, config.root)
    folder = output if output is not None else config.root / "site"
    check_output_folder(folder, config.root, clean=False)
    if not is_loopback(host):
        warning = Text(
            "warning: serving to the network on {host}: anyone who can reach this machine "
            "can read the site",
            host=host,
        )
        click.echo(terminal_block(localize(warning, state.language())), err=True)
    server = SiteServer(folder, host, port)
    try:
        serve_site(
            config,
            server,
            _Terminal(state),
            today=today.date() if today else None,
            progress=state.progress(),
        )
    except KeyboardInterrupt:
        state.note(Text("stopped"))
