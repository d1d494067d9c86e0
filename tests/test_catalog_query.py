"""Unit tests of choosing requirements from the catalogue: the sort rules of `--sort`
(catalog.parse_sort_keys, catalog.sort_entries), filters (catalog.filter_entries) and the
lookup of one ID (catalog.find_entry, catalog.view_requirement), on tiny literal repositories."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.catalog_files import catalog_of, requirement

from reqforge.catalog import (
    Catalog,
    SortKey,
    UnknownField,
    filter_entries,
    find_entry,
    parse_sort_keys,
    sort_entries,
    view_requirement,
)
from reqforge.errors import ReqforgeError
from reqforge.query import FilterError


@pytest.fixture
def catalog(make_repo: Callable[..., Path]) -> Catalog:
    # owner: text with a tie (amy twice) and a gap; priority.value: numbers where
    # 10 > 3 although "10" < "3" as text, a tie (3 twice) and a gap.
    return catalog_of(
        make_repo,
        requirement("A-4", owner="amy", tags=["b"]),
        requirement("A-1", owner="bob", priority={"value": 3}, tags=["a", "c"]),
        requirement("A-3", priority={"value": 3}),
        requirement("A-2", owner="amy", priority={"value": 10}, status="accepted"),
    )


def ids(entries: list[Any]) -> list[str]:
    return [entry.req.id for entry in entries]


def sort(catalog: Catalog, keys: str) -> list[str]:
    return ids(sort_entries(catalog, list(catalog), parse_sort_keys(keys)))


def test_parse_sort_keys() -> None:
    # verifies: REQ-706
    assert parse_sort_keys("p_level, -ice.score,,+owner ") == (
        SortKey("p_level"),
        SortKey("ice.score", descending=True),
        SortKey("owner"),
    )
    assert parse_sort_keys("") == ()
    assert parse_sort_keys(" , ") == ()


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ("", ["A-1", "A-2", "A-3", "A-4"]),  # by ID without keys
        ("owner", ["A-2", "A-4", "A-1", "A-3"]),  # a tie keeps ID order; no owner goes last
        ("-owner", ["A-1", "A-2", "A-4", "A-3"]),  # descending: still stable, still last
        ("priority.value", ["A-1", "A-3", "A-2", "A-4"]),  # as numbers, not as text
        ("-priority.value", ["A-2", "A-1", "A-3", "A-4"]),
        ("-priority.value,owner", ["A-2", "A-1", "A-3", "A-4"]),  # the first key decides
        ("owner,-priority.value", ["A-2", "A-4", "A-1", "A-3"]),
        ("tags", ["A-1", "A-4", "A-2", "A-3"]),  # lists as their joined text: "a, c" < "b"
        ("status", ["A-1", "A-3", "A-4", "A-2"]),  # workflow order: proposed, accepted
        ("+id", ["A-1", "A-2", "A-3", "A-4"]),
        ("-id", ["A-4", "A-3", "A-2", "A-1"]),
    ],
)
def test_sort_rules(catalog: Catalog, keys: str, expected: list[str]) -> None:
    # verifies: REQ-706
    assert sort(catalog, keys) == expected


def test_sort_by_an_unknown_field_names_it(catalog: Catalog) -> None:
    # verifies: REQ-706
    with pytest.raises(UnknownField) as caught:
        sort(catalog, "nope,owner,-also")
    # The keys are applied from the last one: that is the first unknown one met.
    assert caught.value.name == "also"
    assert str(caught.value) == "unknown field 'also'"


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(st.sampled_from(["owner", "priority.value", "tags", "id"]), st.booleans()),
        max_size=3,
    ),
    st.randoms(use_true_random=False),
)
def test_sorting_is_a_permutation_with_gaps_last(
    catalog: Catalog, keys: list[tuple[str, bool]], random: Any
) -> None:
    # verifies: REQ-706
    entries = list(catalog)
    random.shuffle(entries)
    sort_keys = tuple(SortKey(name, descending) for name, descending in keys)
    result = sort_entries(catalog, entries, sort_keys)
    # The input order never matters: ties fall back to the ID.
    assert ids(result) == ids(sort_entries(catalog, list(catalog), sort_keys))
    assert sorted(ids(result)) == ["A-1", "A-2", "A-3", "A-4"]
    if sort_keys:
        first = sort_keys[0].name
        has = [entry.value(first) is not None for entry in result]
        assert has == sorted(has, reverse=True)


def test_filter_entries(catalog: Catalog) -> None:
    # verifies: REQ-706
    assert ids(filter_entries(catalog, None)) == ids(list(catalog))
    assert ids(filter_entries(catalog, "owner = amy")) == ["A-2", "A-4"]  # in path order
    assert ids(filter_entries(catalog, "not owner")) == ["A-3"]
    with pytest.raises(FilterError):
        filter_entries(catalog, "ownr = amy")


def test_find_entry_is_case_insensitive_and_suggests_close_ids(catalog: Catalog) -> None:
    # verifies: REQ-706
    assert find_entry(catalog, "a-2").req.id == "A-2"
    with pytest.raises(ReqforgeError) as caught:
        find_entry(catalog, "A")
    assert str(caught.value) == "no requirement 'A'; did you mean A-1, A-2, A-3, A-4?"
    with pytest.raises(ReqforgeError) as caught:
        find_entry(catalog, "Z-9")
    assert str(caught.value) == "no requirement 'Z-9'"


def test_view_requirement_reads_the_body_and_the_impact(make_repo: Callable[..., Path]) -> None:
    # verifies: REQ-706
    catalog = catalog_of(
        make_repo,
        requirement("B-1", body="## Why\n\nBecause.\n"),
        requirement("B-2", links={"depends-on": ["B-1"]}),
        requirement("B-3", links={"parent": "B-2"}),
    )
    view = view_requirement(catalog, "b-1")
    assert view.entry.req.id == "B-1"
    assert view.body == "## Why\n\nBecause.\n"
    assert [(i.id, i.through, i.distance) for i in view.impact] == [
        ("B-2", "B-1", 1),
        ("B-3", "B-2", 2),
    ]
