"""`log`: the change history of one requirement, or of all, as text or a JSON document."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from reqforge.render.tables import json_document

if TYPE_CHECKING:
    from reqforge.history import Event


# implements: REQ-300
def log_document(events: Sequence[Event], requirement_id: str | None) -> dict[str, Any]:
    """The JSON document of `log` (newest first, as the events come): with an ID, its `id`,
    `path` and one entry per event; without, one entry per commit listing its requirements."""
    if requirement_id is None:
        return {"entries": _by_commit(events)}
    return {
        "id": events[0].id if events else requirement_id,
        "path": events[0].path if events else None,
        "entries": [_entry(e) for e in events],
    }


def log_json(document: dict[str, Any]) -> str:
    """The `--format json` text of a log document."""
    # One entry per line through the C encoder: a whole history is 10^5 changes.
    head = {k: v for k, v in document.items() if k != "entries"}
    return json_document(head, "entries", document["entries"])


def _entry(event: Event) -> dict[str, Any]:
    return {
        **event.commit.to_json(),
        "kind": event.kind,
        "path": event.path,
        "old_path": event.old_path,
        "changes": [c.to_json() for c in event.changes],
    }


def _by_commit(events: Sequence[Event]) -> list[dict[str, Any]]:
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
                "changes": [c.to_json() for c in event.changes],
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
