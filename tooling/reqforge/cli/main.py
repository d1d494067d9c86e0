"""The `reqforge` command group: global options and the one place errors become exit codes.

Exit codes: 0 success, 1 the command ran and found errors (or could not complete its job),
2 usage or configuration error, and also an internal error (a bug), so that CI can tell a crash
from findings (as ruff and ESLint do). Tracebacks only with --debug.
"""

from __future__ import annotations

import copy
import gc
import importlib
import inspect
import os
import re
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
from reqforge.i18n import N_, Text, catalog_name, environment_language, localize, translator
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
                raise ReqforgeError(Text("--repo {folder}: no such folder", folder=self.repo))
            self._config = load_config(root, self.config_file)
        return self._config

    def language(self) -> str:
        """The language of messages: the configuration's (`project.language`); where no
        configuration can be read (no repository, a broken reqforge.toml), the one
        REQFORGE_LANG names, else English."""
        if self._config is None:
            try:
                self.config()
            except ReqforgeError:
                return environment_language()
        assert self._config is not None
        return self._config.language

    def note(self, message: str) -> None:
        """A one-line message for the person at the terminal (stderr), unless --quiet; data in
        it (paths, IDs, messages from files) shown escaped, as in every output; a `Text` is
        translated into the configured language."""
        if not self.quiet:
            self.end_progress()
            click.echo(terminal_block(localize(message, self.language())), err=True)

    def progress(self) -> Progress:
        """Where long work reports its progress: drawn on stderr only for a person at a
        terminal (see render/progress.py), a no-op everywhere else."""
        if self._progress is None:
            from reqforge.render.progress import progress_for

            self._progress = progress_for(sys.stderr, self.quiet, self.language())
        return self._progress

    def end_progress(self) -> None:
        if self._progress is not None:
            self._progress.finish()


# Commands load on first use: `reqforge check` should not pay for importing `prioritize`.
COMMANDS = {
    "build": "reqforge.cli.build:build_command",
    "check": "reqforge.cli.check:check",
    "diff": "reqforge.cli.diff:diff_command",
    "export": "reqforge.cli.export:export_command",
    "fmt": "reqforge.cli.fmt:fmt_command",
    "import": "reqforge.cli.import_cmd:import_command",
    "init": "reqforge.cli.init:init_command",
    "list": "reqforge.cli.listing:list_command",
    "log": "reqforge.cli.log:log_command",
    "new": "reqforge.cli.new:new_command",
    "prioritize": "reqforge.cli.prioritize:prioritize",
    "schema": "reqforge.cli.schema:schema_command",
    "serve": "reqforge.cli.serve:serve_command",
    "set": "reqforge.cli.set:set_command",
    "show": "reqforge.cli.listing:show_command",
    "stats": "reqforge.cli.stats:stats",
    "trace": "reqforge.cli.trace:trace_command",
}
# Commands whose help is built in the language it is shown in, not translated as one text.
LOCALIZED_HELP = {"check": "reqforge.cli.check:check_help"}


def _attribute(target: str) -> Any:
    module, attribute = target.split(":")
    return getattr(importlib.import_module(module), attribute)


def _help_message(command: click.Command) -> str | None:
    """A command's help as the catalogs hold it (cleaned of indentation, up to a form feed)."""
    if not command.help:
        return None
    return inspect.cleandoc(command.help).partition("\f")[0]


# implements: REQ-508
def in_language(command: click.Command, language: str) -> click.Command:
    """A copy of `command` whose help texts (its own and its options') are in `language`; the
    command itself keeps its English texts."""
    _ = translator(language)
    translated = copy.copy(command)
    builder = LOCALIZED_HELP.get(command.name or "")
    text = _help_message(command)
    if builder is not None:
        translated.help = _attribute(builder)(language)
    elif text:
        translated.help = _(text)
    if translated.help and translated.help != text and not command.short_help:
        # The first clause, as click shortens an English help in the list of commands.
        first = re.split(r"[。：；]|\. ", translated.help.split("\n\n", 1)[0], maxsplit=1)[0]
        translated.short_help = first.rstrip("。.")
    params: list[click.Parameter] = []
    for param in command.params:
        if isinstance(param, click.Option) and param.help:
            option = copy.copy(param)
            option.help = _(param.help)
            param = option
        params.append(param)
    translated.params = params
    return translated


def help_messages() -> list[str]:
    """Every help text of the command line, as catalog messages (the catalogs' extraction adds
    them to the messages written in the code: click reads help from docstrings)."""
    commands: list[click.Command] = [cli, *(_attribute(target) for target in COMMANDS.values())]
    out: list[str] = []
    for command in commands:
        text = _help_message(command)
        if text and command.name not in LOCALIZED_HELP:
            out.append(text)
        out += [p.help or "" for p in command.params if isinstance(p, click.Option) and p.help]
    return list(dict.fromkeys(out))


# implements: REQ-701
class ReqforgeGroup(click.Group):
    """Loads commands lazily and gives their help in the configured language; maps
    ReqforgeError and unexpected errors (bugs) to exit 2, the latter as one line (a traceback
    only with --debug)."""

    language: str | None = None  # set on a translated copy (see get_help)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.commands:
            return self._in_language(ctx, self.commands[name])
        target = COMMANDS.get(name)
        if target is None:
            return None
        command = _attribute(target)
        _accept_global_flags(command)
        self.commands[name] = command
        return self._in_language(ctx, command)

    def _in_language(self, ctx: click.Context, command: click.Command) -> click.Command:
        language = self.language or _language(ctx)
        return command if catalog_name(language) == "en" else in_language(command, language)

    def get_help(self, ctx: click.Context) -> str:
        language = self.language or _language(ctx)
        if self.language is not None or catalog_name(language) == "en":
            return super().get_help(ctx)
        translated = in_language(self, language)
        assert isinstance(translated, ReqforgeGroup)
        translated.language = language
        return translated.get_help(ctx)

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
            click.echo(error_message(exc, _language(ctx)), err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort, BrokenPipeError):
            raise  # a closed pipe ends quietly in main(), as Unix tools do
        except KeyboardInterrupt:
            _ = translator(_language(ctx))
            click.echo(_("reqforge: interrupted"), err=True)
            ctx.exit(130)
        except Exception as exc:
            _drop_caches(ctx)
            if _debug(ctx):
                raise  # main() prints the traceback and exits 2; a caller in Python sees it
            click.echo(error_message(exc, _language(ctx)), err=True)
            ctx.exit(2)


# Commands that keep the cyclic garbage collector running: the server runs for hours, and a
# build freezes its model out of the collector's passes itself (site/build.py). Every other
# command is a short process that builds one model, acyclic, and prints it: the collector's
# passes over it only grew with the corpus (prioritize on 50,000 requirements: 5.5 s of CPU, 2.8
# without them; on 10,000: 0.87 and 0.55 s).
_COLLECTING = frozenset({"serve", "build"})


def error_message(exc: Exception, language: str) -> str:
    """The one line that reports an error that stopped a command: a ReqforgeError as it
    says, anything else as an internal error (a bug), in `language`."""
    _ = translator(language)
    if isinstance(exc, ReqforgeError):
        return _("reqforge: error: {message}").format(
            message=terminal_block(exc.localize(language))
        )
    message = _(
        "reqforge: internal error: {error}: {detail} "
        "(run again with --debug for the traceback, and please report it)"
    )
    detail = terminal_text(" ".join(str(exc).split()))
    return message.format(error=type(exc).__name__, detail=detail)


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
    (("-q", "--quiet"), "quiet", N_("Same as `reqforge --quiet`.")),
    (("--debug",), "debug", N_("Same as `reqforge --debug`.")),
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


def _language(ctx: click.Context) -> str:
    """The language of messages; before the group's callback has run (help, resolving a
    command), from the global options parsed so far."""
    state = ctx.find_object(AppState)
    if state is None:
        root = ctx.find_root()
        if root.obj is not None:
            return environment_language()
        root.obj = state = AppState(
            repo=root.params.get("repo"),
            config_file=root.params.get("config_file"),
            quiet=bool(root.params.get("quiet")),
            debug=bool(root.params.get("debug")),
        )
    return state.language()


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
    if not isinstance(ctx.obj, AppState):  # resolving a command may have made it already
        ctx.obj = AppState(repo=repo, config_file=config_file, quiet=quiet, debug=debug)
    if ctx.invoked_subcommand not in _COLLECTING and gc.isenabled():
        gc.disable()
        ctx.call_on_close(gc.enable)


def main() -> None:
    """Console-script entry point."""
    # Broken pipes (e.g. `reqforge check | head`) end quietly, as Unix tools do.
    try:
        cli(prog_name="reqforge")
    except SystemExit as done:
        if done.code is None or isinstance(done.code, int):
            _hard_exit(done.code or 0)
        raise
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)
    except Exception:  # only with --debug: the traceback, and exit 2 like any internal error
        traceback.print_exc()
        sys.exit(2)


def _hard_exit(code: int) -> None:
    """End the process once its output is out, without freeing every object one by one: after
    a build of 10,000 requirements the interpreter's own teardown took a fifth of a second
    (mypy ends the same way). Nothing of reqforge's runs at exit."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader left: end quietly, as a broken pipe does above
        code = code or 1
    os._exit(code)
