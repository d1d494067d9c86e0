"""`reqforge check`: validate every requirement and report all findings."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from reqforge.checks.registry import RULES, code_list
from reqforge.checks.registry import explain as explain_code  # `explain` is an option
from reqforge.cli.output import emit
from reqforge.cli.selection import format_option, no_requirements_folder, output_color, today_option
from reqforge.i18n import Text, translator
from reqforge.render.findings import FORMATS

if TYPE_CHECKING:
    from reqforge.cli.main import AppState


def _codes(values: tuple[str, ...], option: str, language: str) -> frozenset[str]:
    from reqforge.checks.run import known_code

    _ = translator(language)
    codes = {c.strip().upper() for v in values for c in v.split(",") if c.strip()}
    if not codes:
        raise click.BadParameter(
            _("expected finding codes such as RF401 or RF4"), param_hint=option
        )
    for code in sorted(codes):
        if not known_code(code):
            message = _("unknown finding code {code!r} (see `reqforge check --explain`)")
            raise click.BadParameter(message.format(code=code), param_hint=option)
    return frozenset(codes)


def _repo_paths(paths: tuple[str, ...], root: Path, language: str) -> tuple[str, ...]:
    """PATHS as repository-relative POSIX paths; () (no filter) when one is the root itself."""
    out = []
    for raw in paths:
        full = (Path.cwd() / raw).resolve()
        try:
            rel = full.relative_to(root.resolve()).as_posix()
        except ValueError:
            _ = translator(language)
            message = _("{path} is outside the repository {root}")
            raise click.BadParameter(
                message.format(path=raw, root=root), param_hint="PATHS"
            ) from None
        if rel == ".":
            return ()
        out.append(rel)
    return tuple(out)


# implements: REQ-100
# implements: REQ-105
# implements: REQ-109
@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option(
    "--base",
    metavar="REV",
    help="Also check status transitions (RF301) and new IDs (RF303) against REV, "
    "e.g. origin/main in a pull request.",
)
@click.option(
    "--new-only",
    is_flag=True,
    help="With --base: report quality findings (wording RF401/RF41x, EARS RF407, possible "
    "duplicates RF403) only for requirements this branch adds or changes, so the rules can be "
    "adopted without fixing the whole backlog first.",
)
@click.option(
    "--strict", is_flag=True, help="Treat every warning as an error (exit 1 on warnings)."
)
@click.option(
    "--select",
    multiple=True,
    metavar="CODES",
    help="Report only these codes or prefixes (RF1,RF401).",
)
@click.option(
    "--ignore", multiple=True, metavar="CODES", help="Do not report these codes or prefixes."
)
@click.option(
    "--explain",
    metavar="CODE",
    is_flag=False,
    flag_value="",
    help="Explain a finding code (why, a bad and a good example) and exit; "
    "without a code, list every code.",
)
@format_option(*FORMATS)
@click.option(
    "--no-cache", is_flag=True, help="Ignore and do not write the parse cache (.reqforge/cache/)."
)
@today_option("due dates (RF405)")
@click.pass_obj
def check(
    state: AppState,
    paths: tuple[str, ...],
    strict: bool,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    explain: str | None,
    fmt: str,
    no_cache: bool,
    today: dt.datetime | None,
    base: str | None,
    new_only: bool,
) -> None:
    """Validate every requirement and report all findings (see --help)."""
    if explain == "":
        emit(code_list(state.language()), binary=False, color=False)
        return
    if explain is not None:
        language = state.language()  # REQFORGE_LANG where no configuration can be read
        code = explain.strip().upper()
        if code not in RULES:
            _ = translator(language)
            message = _("unknown finding code {code!r}; known: {codes}")
            raise click.BadParameter(
                message.format(code=explain, codes=", ".join(RULES)), param_hint="--explain"
            )
        emit(explain_code(code, language), binary=False, color=False)
        return
    from reqforge.checks.run import CheckOptions, run_check
    from reqforge.corpus import load_corpus
    from reqforge.render.findings import render

    config = state.config()
    language = config.language
    options = CheckOptions(
        paths=_repo_paths(paths, config.root, language),
        select=_codes(select, "--select", language) if select else None,
        ignore=_codes(ignore, "--ignore", language) if ignore else frozenset(),
        strict=strict,
        today=today.date() if today else None,
        use_cache=not no_cache,
        base=base,
        new_only=new_only,
    )
    if new_only and base is None:
        raise click.UsageError(Text("--new-only needs --base REV (what the branch started from)"))
    if not config.reqs_path.is_dir():
        raise no_requirements_folder(config.reqs_dir, config.root)
    from reqforge.history.content_age import walking_back

    # RF406's walk overlaps the parsing (on 2+ cores, when nothing is cached for HEAD)
    with walking_back(config.root, config.reqs_dir, wanted=options.history):
        corpus = load_corpus(config, use_cache=not no_cache, progress=state.progress())
        result = run_check(corpus, options)
    # implements: REQ-307
    from reqforge.git import NOTE_NO_COMMITS, NOTE_SHALLOW, history_note

    note = history_note(config.root) if options.history else None
    if note == NOTE_NO_COMMITS:
        pass  # nothing committed, nothing can be suspect yet: no history is missing
    elif note == NOTE_SHALLOW:
        state.note(
            Text(
                "note: {note}; suspect links (RF406) and --base checks may be incomplete",
                note=note,
            )
        )
    elif note:
        state.note(Text("note: {note}; suspect links (RF406) are not checked", note=note))
    color = fmt == "text" and output_color()
    output = render(
        fmt, result, root=config.root, color=color, paths=corpus.paths, language=language
    )
    if fmt == "text" and state.quiet:
        output = "\n".join(output.splitlines()[:-1])  # the summary line is chatter
    emit(output, binary=fmt != "text", color=color)
    sys.exit(0 if result.ok else 1)


def check_help(language: str = "en") -> str:
    """The help of `check` in `language`: what it does, then every finding code's summary."""
    _ = translator(language)
    codes = "\n".join(f"  {r.code}  {r.severity:<7}  {_(r.summary)}" for r in RULES.values())
    intro = _("Validate every requirement and report all findings, sorted by path and line.")
    paths = _(
        "PATHS limits the report to those files or folders; the whole repository is still "
        "read, so links and duplicates are checked against everything. Exit code 0: no "
        "errors; 1: errors found; 2: usage or configuration error."
    )
    codes_title = _("Finding codes (reqforge check --explain CODE for why and examples):")
    return f"{intro}\n\n{paths}\n\n\b\n{codes_title}\n{codes}"


check.help = check_help()
