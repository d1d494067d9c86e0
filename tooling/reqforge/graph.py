"""The link graph between requirements: edges by relation, cycle detection and impact sets.

Linear in the number of links; every command that follows links uses this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

# Relations whose cycles are errors (a requirement cannot be its own ancestor or prerequisite).
ACYCLIC_RELATIONS = ("parent", "depends-on")


# implements: REQ-104
def find_cycles(graph: Mapping[str, list[str]]) -> list[list[str]]:
    """Every cycle of length >= 2, one per strongly connected component, as an ID path that
    starts at the component's smallest ID and returns to it (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, int]] = [(start, 0)]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, position = work[-1]
            targets = graph.get(node, [])
            if position < len(targets):
                work[-1] = (node, position + 1)
                target = targets[position]
                if target not in index:
                    index[target] = low[target] = counter
                    counter += 1
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(component)
    return sorted((_cycle_path(graph, set(c)) for c in components), key=lambda p: p[0])


def _cycle_path(graph: Mapping[str, list[str]], members: set[str]) -> list[str]:
    """A concrete cycle through the smallest member, walking edges inside the component."""
    start = min(members)
    # Breadth-first search back to start keeps the listed cycle short.
    parents: dict[str, str] = {}
    frontier = [start]
    seen = {start}
    while frontier:
        next_frontier = []
        for node in frontier:
            for target in graph.get(node, []):
                if target == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(parents[path[-1]])
                    return [*reversed(path), start]
                if target in members and target not in seen:
                    seen.add(target)
                    parents[target] = node
                    next_frontier.append(target)
        frontier = next_frontier
    return [start, start]  # unreachable for a real component


class Impact(NamedTuple):
    """A requirement affected by a change: `id` reaches the changed requirement `via` by
    following links; its own link of kind `relation` points at `through` (== `via` when
    `distance` is 1, else an impacted requirement one step closer to `via`)."""

    id: str
    via: str
    relation: str
    through: str
    distance: int


def inverse_edges(
    links_by_id: Mapping[str, Mapping[str, Sequence[str]]],
) -> dict[str, list[tuple[str, str]]]:
    """Target ID -> [(source ID, relation)] for every link, in (source, relation) order."""
    inverse: dict[str, list[tuple[str, str]]] = {}
    for source in sorted(links_by_id):
        links = links_by_id[source]
        for relation in sorted(links):
            for target in links[relation]:
                inverse.setdefault(target, []).append((source, relation))
    return inverse


# implements: REQ-304
def impacted(
    links_by_id: Mapping[str, Mapping[str, Sequence[str]]],
    changed: Iterable[str],
    depth: int = 1,
    *,
    inverse: Mapping[str, Sequence[tuple[str, str]]] | None = None,
) -> list[Impact]:
    """The requirements whose links lead to a changed one in at most `depth` steps.

    `links_by_id` maps each requirement to its links (relation -> target IDs). A requirement
    is impacted when any of its links (any relation: a child's `parent`, a dependant's
    `depends-on`, ...) points at a changed or an already impacted requirement. Breadth first
    over the inverse edges, so each requirement is listed once, at its shortest distance, and
    the whole walk is linear in the number of links (plus sorting for a stable order). A
    changed requirement is never listed; cycles terminate. When several paths of the same
    length reach a requirement, the one from the smallest ID (then relation) wins. Ordered by
    distance, then ID. `inverse` is `inverse_edges(links_by_id)` when the caller asks for the
    impact of many requirements one at a time (the site's pages): built once, not per call.
    """
    if inverse is None:
        inverse = inverse_edges(links_by_id)
    frontier = sorted(set(changed))
    origin: dict[str, str] = {rid: rid for rid in frontier}  # reached node -> changed root
    found: list[Impact] = []
    for distance in range(1, depth + 1):
        reached: list[str] = []
        for node in frontier:
            for source, relation in inverse.get(node, ()):
                if source in origin:
                    continue
                origin[source] = origin[node]
                reached.append(source)
                found.append(Impact(source, origin[node], relation, node, distance))
        if not reached:
            break
        frontier = sorted(reached)
    found.sort(key=lambda impact: (impact.distance, impact.id))
    return found


# The inverse name of each built-in relation; other relations read "<relation> (inverse)".
INVERSE = {"parent": "children", "depends-on": "depended-on-by", "duplicates": "duplicated-by"}
SYMMETRIC = ("conflicts-with", "relates-to")


# implements: REQ-400
def inverse_links(
    links_by_id: Mapping[str, Mapping[str, Sequence[str]]],
) -> dict[str, dict[str, list[str]]]:
    """ID -> inverse relation -> sorted source IDs: `children` for `parent`, `depended-on-by` for
    `depends-on`, `duplicated-by` for `duplicates`, the same name for symmetric relations, and
    "<relation> (inverse)" for any other. Linear in the number of links."""
    inverse: dict[str, dict[str, set[str]]] = {}
    for source, relations in links_by_id.items():
        for relation, targets in relations.items():
            name = (
                relation
                if relation in SYMMETRIC
                else INVERSE.get(relation, f"{relation} (inverse)")
            )
            for target in targets:
                if target != source:
                    inverse.setdefault(target, {}).setdefault(name, set()).add(source)
    return {rid: {name: sorted(ids) for name, ids in rels.items()} for rid, rels in inverse.items()}
