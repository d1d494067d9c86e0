"""Tombstones: the pages that keep the permalinks of requirements that are gone.

A requirement deleted in git keeps its page `requirements/<ID>.html`, which says in which
commit (and PR) it was retired and shows its last content and its whole history. An ID renamed
in git (`id: A-1` -> `id: A-2`, found by the history walk) leaves a page at the old ID that says
where it went and links there. A file moved to another folder keeps its ID, so its page simply
stays. Pure apart from `last_body`, which reads the deleted file's last blob through the git door.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reqforge.site.markdown import render_markdown
from reqforge.site.pages import history_rows, is_private, page_name, shown

if TYPE_CHECKING:
    from reqforge.history.model import Event
    from reqforge.site.pages import SiteModel

DELETED = "deleted"
RENAMED = "renamed"


@dataclass(frozen=True)
class Tombstone:
    """A requirement ID that has a page no more: `kind` is DELETED or RENAMED; `event` is the
    commit that retired it (the deletion, or the change of ID); `successor` the ID it lives on
    as (renamed only); `events` its own history, newest first."""

    id: str
    kind: str
    event: Event
    successor: str | None
    events: tuple[Event, ...]


# implements: REQ-527
def find_tombstones(model: SiteModel) -> list[Tombstone]:
    """Every ID the history knows that no current requirement has, and whose end the history
    records: deleted (its newest event is a deletion) or renamed (a later commit changed the ID
    to another, followed through later renames to an ID that has a page: a current requirement,
    or a tombstone itself when it was deleted since). Sorted by ID. An ID whose file is only missing
    from the working tree (not committed) has no tombstone."""
    history = model.history
    if history is None or not history.available:
        return []
    live = model.catalog.by_id
    # From the history in outline: only the events of the IDs that end are made.
    newest, changed_from = history.summary()  # ID -> (position, kind); old ID -> position
    renames = {rid: history.event(at) for rid, at in changed_from.items()}
    deleted = {rid for rid, (_, kind) in newest.items() if rid not in live and kind == DELETED}
    stones = []
    for rid in sorted(set(newest) | set(renames)):
        if rid in live:
            continue
        renamed = renames.get(rid)
        own = tuple(e for e in history.for_id(rid) if e.id == rid)
        # Positions count from the newest event: the smaller, the newer.
        if renamed is not None and (rid not in newest or changed_from[rid] <= newest[rid][0]):
            successor = _successor(rid, renames, live)
            # The new ID has a page: its own, or a tombstone when it was deleted later.
            if successor in live or successor in deleted:
                stones.append(Tombstone(rid, RENAMED, renamed, successor, (renamed, *own)))
                continue
        if rid in deleted:
            stones.append(Tombstone(rid, DELETED, history.event(newest[rid][0]), None, own))
    return stones


def _successor(rid: str, renames: dict[str, Event], live: Any) -> str:
    """The ID an ID was renamed to, through a chain of renames: the first that exists, else
    the last of the chain."""
    seen = {rid}
    current = rid
    while current in renames and current not in live:
        current = renames[current].id
        if current in seen:
            break
        seen.add(current)
    return current


def last_body(root: Path, stone: Tombstone) -> str:
    """The body of a deleted requirement's file as it was just before its deletion ("" when
    git cannot give it: a shallow clone, a deletion in the root commit)."""
    from reqforge.git import GitError, open_repository
    from reqforge.loader import decode, split_front_matter

    parents = stone.event.commit.parents
    if stone.kind != DELETED or not parents:
        return ""
    try:
        repo = open_repository(root)
        files = repo.tree_files(parents[0], stone.event.path, suffix="")
        blob = repo.read_blobs(files.values()).get(files.get(stone.event.path, ""), b"")
    except GitError:
        return ""
    text = decode(blob)
    split = split_front_matter(text) if isinstance(text, str) else None
    return split[2] if isinstance(split, tuple) else ""


# implements: REQ-527
def tombstone_context(model: SiteModel, stone: Tombstone, body: str) -> dict[str, Any]:
    """A tombstone page: what retired the ID (commit, PR), where it went, its last fields
    (private ones never) and body, its history with field-level changes."""
    private = model.catalog.config.site.private_fields
    fields = [
        (change.field, shown(change.old))
        for change in stone.event.changes
        if stone.kind == DELETED
        and change.field != "body"
        and not is_private(change.field, private)
    ]
    title = next((value for name, value in fields if name == "title"), "")
    return {
        "id": stone.id,
        "title": title,
        "kind": stone.kind,
        "retired": model.commit(stone.event.commit),
        "successor": stone.successor,
        "successor_page": page_name(stone.successor) if stone.successor else None,
        "fields": fields,
        "body": render_markdown(body) if body and not is_private("body", private) else "",
        "history": history_rows(model, stone.events, private),
    }


def retired_rows(stones: list[Tombstone]) -> list[dict[str, Any]]:
    """The tombstones as the change log lists them: ID, page, how and when it went."""
    return [
        {
            "id": stone.id,
            "page": page_name(stone.id),
            "kind": stone.kind,
            "successor": stone.successor,
            "successor_page": page_name(stone.successor) if stone.successor else None,
            "date": stone.event.commit.date[:10],
            "sha": stone.event.commit.sha[:10],
        }
        for stone in stones
    ]
