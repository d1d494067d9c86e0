"""The `reqforge` command group: global options and the one place errors become exit codes.

Exit codes: 0 success, 1 the command ran and found errors (or could not complete its job),
2 usage or configuration error, and also an internal error (a bug), so that CI can tell a crash
from findings (as ruff and ESLint do). Tracebacks only with --debug.
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from reqforge import __version__
from reqforge.config import Config, find_root, load_config
from reqforge.errors import ReqforgeError
from reqforge.render.escaping import terminal_block, terminal_text

if TYPE_CHECKING:
    from reqforge.render.progress import Progress


# implements: REQ-700
@dataclass
class AppState:
    """What the global options decided, shared by every command."""

    repo: Path | None
    config_file: Path | None
    quiet: bool
    debug: bool
    _config: Config | None = field(default=None, repr=False)
    _progress: Progress | None = field(default=None, repr=False)

    def config(self) -> Config:
        if self._config is None:
            root = self.repo.resolve() if self.repo else find_root(Path.cwd())
            if self.repo and not root.is_dir():
                raise ReqforgeError(f"--repo {self.repo}: no such folder")
            self._config = load_config(root, self.config_file)
        return self._config

    def note(self, message: str) -> None:
        """A one-line message for the person at the terminal (stderr), unless --quiet; data in
        it (paths, IDs, messages from files) shown escaped, as in every output."""
        if not self.quiet:
            self.end_progress()
            click.echo(terminal_block(message), err=True)

    def progress(self) -> Progress:
        """Where long work reports its progress: drawn on stderr only for a person at a
        terminal (see render/progress.py), a no-op everywhere else."""
        if self._progress is None:
            from reqforge.render.progress import progress_for

            self._progress = progress_for(sys.stderr, self.quiet)
        return self._progress

    def end_progress(self) -> None:
        if self._progress is not None:
            self._progress.finish()


# Commands load on first use: `reqforge check` should not pay for importing `prioritize`.
COMMANDS = {
    "check": "reqforge.cli.check:check",
    "diff": "reqforge.cli.diff:diff_command",
    "list": "reqforge.cli.listing:list_command",
    "log": "reqforge.cli.log:log_command",
    "prioritize": "reqforge.cli.prioritize:prioritize",
    "show": "reqforge.cli.listing:show_command",
    "stats": "reqforge.cli.stats:stats",
    "trace": "reqforge.cli.trace:trace_command",
}


# implements: REQ-701
class ReqforgeGroup(click.Group):
    """Loads commands lazily; maps ReqforgeError and unexpected errors (bugs) to exit 2, the
    latter as one line (a traceback only with --debug)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.commands:
            return self.commands[name]
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attribute = target.split(":")
        command = getattr(importlib.import_module(module), attribute)
        _accept_global_flags(command)
        self.commands[name] = command
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return self._invoke(ctx)
        finally:
            state = ctx.find_object(AppState)
            if state is not None:
                state.end_progress()

    def _invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ReqforgeError as exc:
            if _debug(ctx):
                raise
            click.echo(f"reqforge: error: {terminal_block(str(exc))}", err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort, BrokenPipeError):
            raise  # a closed pipe ends quietly in main(), as Unix tools do
        except KeyboardInterrupt:
            click.echo("reqforge: interrupted", err=True)
            ctx.exit(130)
        except Exception as exc:
            _drop_caches(ctx)
            if _debug(ctx):
                raise  # main() prints the traceback and exits 2; a caller in Python sees it
            click.echo(
                f"reqforge: internal error: {type(exc).__name__}: "
                f"{terminal_text(' '.join(str(exc).split()))} "
                "(run again with --debug for the traceback, and please report it)",
                err=True,
            )
            ctx.exit(2)


# implements: REQ-717
def _accept_global_flags(command: click.Command) -> None:
    """Let the global flags -q/--quiet and --debug also follow the subcommand
    (`reqforge check --quiet`), as people type them; the values land in the shared AppState."""
    taken = {opt for param in command.params for opt in param.opts}
    for opts, attribute, help_text in _LATE_FLAGS:
        if not taken.intersection(opts):
            command.params.append(
                click.Option(
                    list(opts),
                    is_flag=True,
                    expose_value=False,
                    callback=partial(_set_flag, attribute),
                    help=help_text,
                )
            )


_LATE_FLAGS = (
    (("-q", "--quiet"), "quiet", "Same as `reqforge --quiet`."),
    (("--debug",), "debug", "Same as `reqforge --debug`."),
)


def _set_flag(attribute: str, ctx: click.Context, param: click.Parameter, value: bool) -> None:
    state = ctx.find_object(AppState)
    if value and state is not None:
        setattr(state, attribute, True)


def _drop_caches(ctx: click.Context) -> None:
    """After a bug, forget every cache: whatever the bug met may sit in one, and a poisoned
    cache must not crash every later run. The next run is a cold one."""
    state = ctx.find_object(AppState)
    if state is not None and state._config is not None:
        from reqforge.cache import CacheStore

        CacheStore(state._config.root).clear()


def _debug(ctx: click.Context) -> bool:
    state = ctx.find_object(AppState)
    return bool(state and state.debug) or "--debug" in sys.argv


# implements: REQ-700
# implements: REQ-003
@click.group(cls=ReqforgeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--repo",
    type=click.Path(file_okay=False, path_type=Path),
    help="Repository folder (default: walk up from here to the folder holding "
    "reqforge.toml or reqs/).",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Configuration file (default: reqforge.toml in the repository).",
)
@click.option(
    "-q", "--quiet", is_flag=True, help="Print only results, no notes or summaries on stderr."
)
@click.option("--debug", is_flag=True, help="Show tracebacks for internal errors.")
@click.version_option(__version__, "--version", prog_name="reqforge")
@click.pass_context
def cli(
    ctx: click.Context, repo: Path | None, config_file: Path | None, quiet: bool, debug: bool
) -> None:
    """reqforge: customer and product requirements as Markdown + YAML in git,
    checked, prioritised, traced and published.

    \b
    Exit codes: 0 success, 1 errors found (or the job could not be done),
    2 usage or configuration error, or an internal error (a bug: please report it).
    """
    ctx.obj = AppState(repo=repo, config_file=config_file, quiet=quiet, debug=debug)


def main() -> None:
    """Console-script entry point."""
    # Broken pipes (e.g. `reqforge check | head`) end quietly, as Unix tools do.
    try:
        cli(prog_name="reqforge")
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)
    except Exception:  # only with --debug: the traceback, and exit 2 like any internal error
        traceback.print_exc()
        sys.exit(2)
