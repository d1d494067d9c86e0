"""graph.py: cycles, inverse relations, impact."""

from __future__ import annotations

from reqforge.graph import find_cycles, inverse_links


def test_inverse_links_name_each_relation() -> None:
    # verifies: REQ-400
    links = {
        "A-1": {"parent": ["P-1"], "depends-on": ["B-1"], "conflicts-with": ["C-1"]},
        "A-2": {"parent": ["P-1"], "duplicates": ["A-1"], "verifies-with": ["T-1"]},
    }
    inverse = inverse_links(links)
    assert inverse["P-1"] == {"children": ["A-1", "A-2"]}
    assert inverse["B-1"] == {"depended-on-by": ["A-1"]}
    assert inverse["C-1"] == {"conflicts-with": ["A-1"]}
    assert inverse["A-1"] == {"duplicated-by": ["A-2"]}
    assert inverse["T-1"] == {"verifies-with (inverse)": ["A-2"]}


def test_self_links_are_not_inverted() -> None:
    # verifies: REQ-400
    assert inverse_links({"A-1": {"parent": ["A-1"]}}) == {}


def test_cycles_are_listed_once_from_the_smallest_id() -> None:
    # verifies: REQ-104
    graph = {"B": ["C"], "C": ["A"], "A": ["B"], "D": ["D2"], "D2": []}
    assert find_cycles(graph) == [["A", "B", "C", "A"]]


def test_long_chains_do_not_recurse() -> None:
    # verifies: REQ-104
    graph = {f"N-{i}": [f"N-{i + 1}"] for i in range(50_000)}
    graph["N-50000"] = ["N-0"]
    (cycle,) = find_cycles(graph)
    assert len(cycle) == 50_002
