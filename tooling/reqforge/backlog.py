"""The ranked backlog of `reqforge prioritize`: which requirements, in which order, by which
priority methods (priorities.rank), each with its scores, the P0s it blocks and where the
methods disagree."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reqforge.catalog import Catalog, Entry


@dataclass(frozen=True)
class RankedItem:
    """One ranked requirement: its JSON item (rank, identity, scores, blocking, disagreements)
    and its catalogue entry."""

    item: dict[str, Any]
    entry: Entry


@dataclass(frozen=True)
class Backlog:
    """The ranking: `method` as asked for (`fmea` named by its score, `rpn`), the `methods`
    applied in turn before the ID, and the items in rank order."""

    method: str
    methods: tuple[str, ...]
    items: tuple[RankedItem, ...]


# implements: REQ-210
def rank_backlog(
    catalog: Catalog,
    entries: Iterable[Entry],
    method: str = "combined",
    *,
    include_all: bool = False,
    only_disagreements: bool = False,
) -> Backlog:
    """Rank `entries` (from `catalog`) by one priority method, or by `[priority] rank` then ID
    (`combined`). Terminal statuses are left out unless `include_all`; with
    `only_disagreements`, only requirements on which the methods disagree are kept."""
    from reqforge.priorities import rank, resolve_method

    terminal = catalog.config.workflow.terminal
    kept = [e for e in entries if include_all or e.req.status not in terminal]
    if only_disagreements:
        kept = [e for e in kept if e.disagreements]
    # implements: REQ-207
    if method != "combined":
        method = resolve_method(method)  # `fmea` ranks by FMEA's risk priority number (rpn)
    methods = tuple(catalog.config.priority.rank) if method == "combined" else (method,)
    by_path = {e.req.path: e for e in kept}
    items = []
    for position, req, scores in rank([(e.req, e.scores) for e in kept], methods):
        entry = by_path[req.path]
        item = {"rank": position, "id": req.id, "title": req.title, "status": req.status}
        item.update(scores.to_json())
        # implements: REQ-212
        item["blocking"] = list(entry.blocking)
        # implements: REQ-211
        item["disagreements"] = entry.disagreements
        items.append(RankedItem(item, entry))
    return Backlog(method, methods, tuple(items))
