"""`reqforge log [ID]`: the change history of one requirement, or of all, from git."""

from __future__ import annotations

import json
from typing import Any

import click

from reqforge.cli.selection import emit, format_option, output_color
from reqforge.errors import ReqforgeError
from reqforge.render.tables import json_document


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
    from reqforge.git import commits_since
    from reqforge.history import load_history

    config = state.config()
    history = load_history(config.root, config.reqs_dir)
    if history.note:
        state.note(f"note: {history.note}")
    events = history.events
    if since:
        keep = commits_since(config.root, since)
        events = tuple(e for e in events if e.commit.sha in keep)
    if requirement_id is not None:
        wanted = requirement_id.upper()
        events = tuple(e for e in events if e.id.upper() == wanted)
        if not events and not history.for_id(requirement_id) and history.available:
            raise ReqforgeError(f"no history for {requirement_id!r}: no commit touched it")
        document: dict[str, Any] = {
            "id": events[0].id if events else requirement_id,
            "path": events[0].path if events else None,
            "entries": [_entry(e) for e in events],
        }
    else:
        document = {"entries": _by_commit(events)}
    if fmt == "json":
        # One entry per line through the C encoder: a whole history is 10^5 changes.
        head = {k: v for k, v in document.items() if k != "entries"}
        emit(json_document(head, "entries", document["entries"]))
        return
    emit(render_log(document, color=output_color()), color=output_color())


def _change(change: Any) -> dict[str, Any]:
    return change.to_json()


def _entry(event: Any) -> dict[str, Any]:
    return {
        **event.commit.to_json(),
        "kind": event.kind,
        "path": event.path,
        "old_path": event.old_path,
        "changes": [_change(c) for c in event.changes],
    }


def _by_commit(events: Any) -> list[dict[str, Any]]:
    """Events grouped by commit, keeping git's newest-first order."""
    entries: list[dict[str, Any]] = []
    index: dict[str, dict[str, Any]] = {}
    for event in events:
        commit = event.commit
        entry = index.get(commit.sha)
        if entry is None:
            entry = {**commit.to_json(), "requirements": []}
            index[commit.sha] = entry
            entries.append(entry)
        entry["requirements"].append(
            {
                "id": event.id,
                "kind": event.kind,
                "path": event.path,
                "old_path": event.old_path,
                "changes": [_change(c) for c in event.changes],
            }
        )
    return entries


def _describe(change: dict[str, Any]) -> str:
    if change["field"] == "body":
        return f"body +{change.get('added', 0)} -{change.get('removed', 0)}"
    old, new = change.get("old"), change.get("new")
    if old is None:
        return f"{change['field']} = {_short(new)}"
    if new is None:
        return f"{change['field']} removed (was {_short(old)})"
    return f"{change['field']} {_short(old)} -> {_short(new)}"


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    return text if len(text) <= 60 else text[:57] + "..."


def render_log(document: dict[str, Any], color: bool = False) -> str:
    """The text of `log`: one block per commit, each requirement's changes indented."""

    def bold(text: str) -> str:
        return click.style(text, fg="yellow") if color else text

    lines: list[str] = []
    if "id" in document:
        lines.append(f"{document['id']}  {document.get('path') or ''}".rstrip())
        blocks = [
            {**entry, "requirements": [{**entry, "id": document["id"]}]}
            for entry in document["entries"]
        ]
    else:
        blocks = document["entries"]
    if not blocks:
        lines.append("(no changes)")
    for block in blocks:
        pr = f"  #{block['pr']}" if block.get("pr") else ""
        lines += ["", f"{bold(block['commit'][:10])}  {block['date']}  {block['author']}{pr}"]
        lines.append(f"    {block['subject']}")
        for req in block["requirements"]:
            where = req["path"]
            if req.get("old_path") and req["old_path"] != req["path"]:
                where = f"{req['old_path']} -> {req['path']}"
            lines.append(f"    {req['id']} {req['kind']} ({where})")
            lines += [f"      {_describe(change)}" for change in req["changes"]]
    return "\n".join(lines).lstrip("\n")
