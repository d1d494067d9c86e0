"""`reqforge new`: a requirement file with the next free ID of its prefix (reqforge/editing.py)."""

from __future__ import annotations

from typing import Any

import click

from reqforge.cli.selection import emit


# implements: REQ-703
@click.command("new")
@click.option("--title", required=True, help="The requirement's title.")
@click.option("--type", "kind", help="Its type (the first configured type by default).")
@click.option("--area", default="", help="The folder below the requirements folder, e.g. billing.")
@click.option("--id", "rid", help="Take this ID instead of the next free one.")
@click.option("--prefix", help="The ID prefix, e.g. CRM- (by default the one the area's IDs use).")
@click.option("--edit", is_flag=True, help="Open the new file in $VISUAL or $EDITOR.")
@click.pass_obj
def new_command(
    state: Any,
    title: str,
    kind: str | None,
    area: str,
    rid: str | None,
    prefix: str | None,
    edit: bool,
) -> None:
    """Create a requirement with the next free ID of its prefix: above every ID of that prefix
    in the requirements folder and, inside git, on the default branch. The file has the fields
    `check` requires, the team [workflow.assign] gives its type and the sections of a good
    requirement to fill in; it is written atomically and never replaces a file. Prints its
    path."""
    from reqforge.corpus import discover
    from reqforge.editing import create_requirement, default_branch_ids

    config = state.config()
    files, _ = discover(config)
    made = create_requirement(
        config,
        title,
        kind=kind,
        area=area,
        rid=rid,
        prefix=prefix,
        rels=[rel for rel, _ in files],
        elsewhere=default_branch_ids(config),
    )
    emit(made.rel)
    if edit:
        click.edit(filename=str(made.path))
