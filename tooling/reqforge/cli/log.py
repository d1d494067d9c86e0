"""`reqforge log [ID]`: the change history of one requirement, or of all, from git."""

from __future__ import annotations

from typing import Any

import click

from reqforge.cli.selection import emit, format_option, output_color
from reqforge.i18n import Text


# implements: REQ-300
# implements: REQ-302
@click.command("log")
@click.argument("requirement_id", metavar="[ID]", required=False)
@click.option("--since", metavar="REV", help="Only commits after REV (a tag, branch or commit).")
@format_option("text", "json")
@click.pass_obj
def log_command(state: Any, requirement_id: str | None, since: str | None, fmt: str) -> None:
    """Field-level change history from git, newest first.

    With ID, the history of one requirement (following renames and moves); without, every
    commit that touched a requirement. PR numbers come from merge and squash subjects.
    """
    from reqforge.history.walk import log_events
    from reqforge.render.log import log_document, log_json, render_log

    config = state.config()
    history, events = log_events(
        config.root, config.reqs_dir, requirement_id, since, progress=state.progress()
    )
    if history.note:
        state.note(Text("note: {note}", note=history.note))
    document = log_document(events, requirement_id)
    if fmt == "json":
        emit(log_json(document))
        return
    text = render_log(document, color=output_color(), language=config.language)
    emit(text, color=output_color())
