"""`reqforge set`: change one field of a requirement, keeping the rest of its file byte for
byte (reqforge/editing.py, reqforge/yaml_splice.py)."""

from __future__ import annotations

from typing import Any

import click

from reqforge.cli.selection import emit
from reqforge.errors import ReqforgeError
from reqforge.i18n import Text


# implements: REQ-705
@click.command("set")
@click.argument("rid", metavar="ID")
@click.argument("field")
@click.argument("value", required=False)
@click.option("--add", multiple=True, help="Add this item to the list field (repeatable).")
@click.option("--remove", multiple=True, help="Remove this item from the list field (repeatable).")
@click.option("--unset", is_flag=True, help="Remove the field.")
@click.pass_obj
def set_command(
    state: Any,
    rid: str,
    field: str,
    value: str | None,
    add: tuple[str, ...],
    remove: tuple[str, ...],
    unset: bool,
) -> None:
    """Change one field of the requirement ID: `reqforge set CRM-0042 status accepted`,
    `reqforge set CRM-0042 priority.ice.impact 4`, `reqforge set CRM-0042 tags --add export`,
    `reqforge set CRM-0042 reason --unset`. The new value is checked against the field's
    rules (a type, value or range it does not take: exit 2) and the workflow (a status change
    it does not allow, or a field the new status requires: exit 1); every other byte of the
    file stays as it was, comments, quoting, key order and line endings included. Prints the
    file's path."""
    from reqforge.corpus import discover
    from reqforge.editing import FieldEdit, set_field

    chosen = sum((value is not None, bool(add or remove), unset))
    if chosen != 1:
        raise ReqforgeError(Text("give a VALUE, or --add/--remove, or --unset (one of them)"))
    config = state.config()
    files, _ = discover(config)
    matches = [rel for rel, _ in files if rel.rsplit("/", 1)[-1] == f"{rid}.md"]
    if not matches:
        raise ReqforgeError(Text("{id}: no requirement file of that ID", id=rid))
    if len(matches) > 1:
        raise ReqforgeError(
            Text("{id}: more than one file has that ID: {paths}", id=rid, paths=", ".join(matches))
        )
    edit = FieldEdit(field, value, add, remove, unset)
    changed = set_field(config, matches[0], edit)
    if not changed:
        state.note(Text("{path}: {field} is already so; not changed", path=matches[0], field=field))
    emit(matches[0])
