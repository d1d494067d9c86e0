"""`reqforge diff [BASE..HEAD | REV]`: what a branch changes and what it impacts (a PR comment)."""

from __future__ import annotations

from typing import Any

import click

from reqforge.cli.selection import emit, format_option
from reqforge.i18n import Text
from reqforge.render import strict_json


# implements: REQ-304
@click.command("diff")
@click.argument("revisions", metavar="[BASE..HEAD | REV]", required=False)
@click.option(
    "--depth",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="How many links away from a changed requirement impact is followed (0: none).",
)
@format_option("markdown", "json")
@click.pass_obj
def diff_command(state: Any, revisions: str | None, depth: int, fmt: str) -> None:
    """Requirements added, removed and modified between two revisions, and the ones that
    link to them (impacted): ready to post as a pull-request comment.

    \b
    BASE..HEAD   two revisions: branches, tags (v1.0..v2.0), shas
    BASE...HEAD  HEAD against its merge base with BASE
    REV          REV against the working tree (diff HEAD: uncommitted work)
    (none)       origin/main..HEAD when origin/main exists, else HEAD
    """
    from reqforge.changeset import WORKING_TREE, changeset_json
    from reqforge.corpus import compare_revisions
    from reqforge.render.diff import not_compared_notes, render_markdown

    config = state.config()
    found = compare_revisions(config, revisions, depth)
    state.note(
        Text(
            "note: comparing {base} ({sha}) with {head}",
            base=found.base,
            sha=found.base_sha[:10],
            head=found.head or WORKING_TREE,
        )
    )
    for note in not_compared_notes(found.changeset):
        state.note(note)
    if fmt == "json":
        document = changeset_json(found.changeset, found.base_sha, found.head_label)
        emit(strict_json.dumps(document, indent=2))
        return
    markdown = render_markdown(
        found.changeset,
        found.base_sha,
        found.head_label,
        config.site.base_url,
        language=config.language,
    )
    emit(markdown.rstrip("\n"))
