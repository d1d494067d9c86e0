"""The link graph between requirements: edges by relation and cycle detection.

Linear in the number of links; every command that follows links uses this module.
"""

from __future__ import annotations

from collections.abc import Mapping

# Relations whose cycles are errors (a requirement cannot be its own ancestor or prerequisite).
ACYCLIC_RELATIONS = ("parent", "depends-on")


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
