"""Repository-wide identity and link checks: RF106 (duplicate IDs), RF201 (unknown target),
RF202 (cycles in parent / depends-on), RF203 (link to itself), RF204 (link to a rejected or
duplicate requirement)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from reqforge.checks.context import Issue
from reqforge.graph import ACYCLIC_RELATIONS, edges, find_cycles
from reqforge.model import Requirement

# Statuses whose requirements should no longer be linked to (RF204).
_DEAD = ("rejected", "duplicate")


def _link_paths(req: Requirement) -> Iterator[tuple[str, int | None, str]]:
    """(relation, index or None for a single-string value, target) for every link."""
    links = req.head.get("links")
    if not isinstance(links, dict):
        return
    for relation, value in links.items():
        if isinstance(value, str):
            yield str(relation), None, value
        elif isinstance(value, list):
            for index, target in enumerate(value):
                if isinstance(target, str):
                    yield str(relation), index, target


def _path(relation: str, index: int | None) -> tuple[str | int, ...]:
    return ("links", relation) if index is None else ("links", relation, index)


def link_issues(requirements: Sequence[Requirement]) -> Iterator[tuple[Requirement, Issue]]:
    """Every RF106 and RF201-RF204 issue, each with the requirement it belongs to."""
    by_id: dict[str, list[Requirement]] = {}
    for req in requirements:
        if req.id:
            by_id.setdefault(req.id, []).append(req)
    for rid, reqs in by_id.items():
        if len(reqs) > 1:
            for req in reqs:
                others = ", ".join(o.path for o in reqs if o is not req)
                yield req, Issue("RF106", ("id",), f"duplicate id {rid!r}: also in {others}", True)
    for req in requirements:
        for relation, index, target in _link_paths(req):
            path = _path(relation, index)
            if target == req.id:
                yield (
                    req,
                    Issue("RF203", path, f"links.{relation}: links to itself ({target})", True),
                )
                continue
            found = by_id.get(target)
            if not found:
                yield (
                    req,
                    Issue("RF201", path, f"links.{relation}: unknown requirement {target!r}", True),
                )
                continue
            status = found[0].status
            if status in _DEAD and req.status not in _DEAD and relation != "duplicates":
                yield (
                    req,
                    Issue(
                        "RF204",
                        path,
                        f"links.{relation}: {target} is {status}; link to what replaced it",
                        True,
                    ),
                )
    pairs = [(r.id, r.links) for r in requirements if r.id]
    first = {rid: reqs[0] for rid, reqs in by_id.items()}
    for relation in ACYCLIC_RELATIONS:
        graph = edges(pairs, relation)
        for cycle in find_cycles(
            {k: [t for t in v if t in first and t != k] for k, v in graph.items()}
        ):
            owner = first[cycle[0]]
            index = _index_of(owner, relation, cycle[1])
            yield (
                owner,
                Issue(
                    "RF202",
                    _path(relation, index),
                    f"cycle in {relation}: {' -> '.join(cycle)}",
                    True,
                ),
            )


def _index_of(req: Requirement, relation: str, target: str) -> int | None:
    for rel, index, value in _link_paths(req):
        if rel == relation and value == target:
            return index
    return None
