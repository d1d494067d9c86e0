"""`log`: the change history of one requirement, or of all, as text or a JSON document."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from reqforge.i18n import N_, plural_translator, translator
from reqforge.render.escaping import terminal_text
from reqforge.render.tables import json_document
from reqforge.scalars import flow_text

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


def _describe(change: dict[str, Any], language: str = "en") -> str:
    _ = translator(language)
    field = terminal_text(change["field"])
    if change["field"] == "body":
        return _("body +{added} -{removed}").format(
            added=change.get("added", 0), removed=change.get("removed", 0)
        )
    old, new = change.get("old"), change.get("new")
    if old is None:
        return f"{field} = {_short(new)}"
    if new is None:
        return _("{field} removed (was {old})").format(field=field, old=_short(old))
    before, after = changed_parts(_text(old), _text(new))
    return f"{field} {terminal_text(before)} -> {terminal_text(after)}"


# Longest value shown whole; a longer one is cut, around what changed when it changed.
_WIDTH = 60
# Unchanged characters kept on each side of a change, so the reader sees where it is.
_CONTEXT = 15


def _text(value: Any) -> str:
    return value if isinstance(value, str) else flow_text(value)


def _short(value: Any) -> str:
    text = _text(value)
    # Cut before escaping, so an escape is never cut in half.
    return terminal_text(text if len(text) <= _WIDTH else text[: _WIDTH - 3] + "...")


# implements: REQ-301
def changed_parts(old: str, new: str) -> tuple[str, str]:
    """`old` and `new` as `log` shows them: whole when both are short, else each cut to the
    part that differs with a little context around it, so a change to the end of a long title
    is never shown as two identical prefixes (`Export ... -> Export ...`)."""
    if len(old) <= _WIDTH and len(new) <= _WIDTH:
        return old, new
    prefix = 0
    limit = min(len(old), len(new))
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    start = max(0, prefix - _CONTEXT)
    return _window(old, start, len(old) - suffix), _window(new, start, len(new) - suffix)


def _window(text: str, start: int, end: int) -> str:
    """text[start:end] plus some context after it, with '...' where something is left out."""
    end = min(len(text), end + _CONTEXT, start + _WIDTH)
    return ("..." if start else "") + text[start:end] + ("..." if end < len(text) else "")


def _describe_added(changes: list[dict[str, Any]], language: str = "en") -> list[str]:
    """An added requirement in two lines, not one per field (a first commit of 30 requirements
    would otherwise print hundreds): its title and status, then how much else it holds."""
    _, ngettext = translator(language), plural_translator(language)
    values = {c["field"]: c.get("new") for c in changes if c["field"] != "body"}
    shown = [f"{name} = {_short(values[name])}" for name in ("title", "status") if name in values]
    body = next((c for c in changes if c["field"] == "body"), None)
    rest = []
    if len(values) > len(shown):
        more = len(values) - len(shown)
        rest.append(ngettext("{count} more field", "{count} more fields", more).format(count=more))
    if body is not None:
        added = body.get("added", 0)
        lines = ngettext("a body of {count} line", "a body of {count} lines", added)
        rest.append(lines.format(count=added))
    if len(rest) == 2:
        return [*shown, _("{fields}, {body}").format(fields=rest[0], body=rest[1])]
    return [*shown, *rest]


# The kinds of event as `log` prints them (JSON keeps the English keys).
KIND_WORDS = {
    "added": N_("added"),
    "modified": N_("modified"),
    "renamed": N_("renamed"),
    "deleted": N_("deleted"),
}


def render_log(document: dict[str, Any], color: bool = False, language: str = "en") -> str:
    """The text of `log`: one block per commit, each requirement's changes indented, its words
    in `language`; every piece of data (subjects, authors, paths, values) escaped for the
    terminal."""
    _ = translator(language)

    def bold(text: str) -> str:
        return click.style(text, fg="yellow") if color else text

    lines: list[str] = []
    if "id" in document:
        head = f"{document['id']}  {document.get('path') or ''}".rstrip()
        lines.append(terminal_text(head))
        blocks = [
            {**entry, "requirements": [{**entry, "id": document["id"]}]}
            for entry in document["entries"]
        ]
    else:
        blocks = document["entries"]
    if not blocks:
        lines.append(_("(no changes)"))
    for block in blocks:
        pr = f"  #{block['pr']}" if block.get("pr") else ""
        commit = terminal_text(block["commit"][:10])
        author = terminal_text(f"{block['date']}  {block['author']}{pr}")
        lines += ["", f"{bold(commit)}  {author}"]
        lines.append(f"    {terminal_text(block['subject'])}")
        for req in block["requirements"]:
            where = req["path"]
            if req.get("old_path") and req["old_path"] != req["path"]:
                where = f"{req['old_path']} -> {req['path']}"
            kind = _(KIND_WORDS[req["kind"]]) if req["kind"] in KIND_WORDS else req["kind"]
            lines.append(f"    {terminal_text(req['id'])} {kind} ({terminal_text(where)})")
            if req["kind"] == "added":
                described = _describe_added(req["changes"], language)
            else:
                described = [_describe(change, language) for change in req["changes"]]
            lines += [f"      {text}" for text in described]
    return "\n".join(lines).lstrip("\n")
