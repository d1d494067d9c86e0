"""Unit tests of catalog.py: stored and computed fields by name, inverse links, blocking,
duplicated IDs, the field names a filter may use and the JSON of one entry."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.backlog_fixtures import BACKLOG
from tests.catalogs import catalog_of, customer, requirement

from reqforge.catalog import ALIASES, COMPUTED, Catalog, Entry, entry_json
from reqforge.config import Config, FieldDef
from reqforge.priorities import Scores

# CRM-1 of the hand-built backlog, due at the end of the year. Its scores, by hand (SPEC
# section 4; the table in tests/backlog_fixtures.py): ICE 4×4×3 = 48 (medium: 30 <= 48 < 60);
# RICE 1200×2×0.8/3 = 640.0; value 6, cost 5 -> quick-win; high + urgent -> P0;
# RPN 7×4×5 = 140; WSJF (8+5+3)/4 = 4.0; demand acme (A = 3) + globex (B = 2) = 5;
# votes (3×9 + 1×5) / (3 + 1) = 8.0.
FULL: dict[str, Any] = {**BACKLOG["CRM-1"], "due": "2026-12-31"}
CUSTOMERS = (customer("acme", "A"), customer("globex", "B"))


@pytest.fixture
def full() -> Entry:
    """One entry with every priority input, in area `billing/eu`."""
    catalog = catalog_of([requirement("CRM-1", area="billing/eu", **FULL)], CUSTOMERS)
    return catalog.by_id["CRM-1"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("id", "CRM-1"),
        ("title", "Bulk export of customer data"),
        ("status", "in-progress"),
        ("owner", "zhang.wei"),
        ("due", "2026-12-31"),  # the stored value, as written
        ("tags", ["export", "data"]),
        ("priority.moscow", "must"),
        ("priority.ice.impact", 4),
        ("priority.rice", {"reach": 1200, "impact": 2, "confidence": 0.8, "effort": 3}),
        ("source.channel", "interview"),
        # short names
        ("moscow", "must"),
        ("kano", "basic"),
        ("channel", "interview"),
        ("customer", ["acme", "globex"]),
        ("customers", ["acme", "globex"]),
        # absent fields are None, never an error
        ("reason", None),
        ("priority.ice.nope", None),
        ("title.deeper", None),
    ],
)
def test_stored_fields_by_dotted_name_and_alias(full: Entry, name: str, value: Any) -> None:
    # verifies: REQ-706
    assert full.value(name) == value


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("path", "reqs/billing/eu/CRM-1.md"),
        ("area", "billing/eu"),
        ("p_level", "P0"),
        ("quadrant", "quick-win"),
        ("rice", 640.0),
        ("rpn", 140),
        ("wsjf", 4.0),
        ("demand", 5),
        ("votes", 8.0),
        ("ice", 48),
        ("ice.score", 48),
        ("ice.level", "medium"),
        # nothing links to it (its own link names CRM-2, absent here), it blocks nothing,
        # and the methods agree
        ("children", None),
        ("depended-on-by", None),
        ("blocking", None),
        ("disagreements", None),
    ],
)
def test_computed_fields_by_name(full: Entry, name: str, value: Any) -> None:
    # verifies: REQ-706
    # verifies: REQ-200
    assert full.value(name) == value


def test_computed_fields_are_none_without_their_inputs() -> None:
    # verifies: REQ-706
    # verifies: REQ-200
    (entry,) = catalog_of([requirement("CRM-1")])
    for name in COMPUTED:
        if name not in ("path", "area"):
            assert entry.value(name) is None, name
    assert entry.value("area") == ""  # at the top of the requirements folder


def test_inverse_links_children_and_depended_on_by_sorted() -> None:
    # verifies: REQ-400
    # verifies: REQ-706
    catalog = catalog_of(
        [
            requirement("A-1"),
            requirement("A-3", links={"parent": ["A-1"], "depends-on": ["A-2"]}),
            requirement("A-2", links={"parent": "A-1"}),  # one ID, not a list
            requirement("A-4", links={"depends-on": ["A-2", "A-4", "NOPE-9"]}),
        ]
    )
    by_id = catalog.by_id
    assert by_id["A-1"].children == ("A-2", "A-3")
    assert by_id["A-1"].value("children") == ["A-2", "A-3"]
    assert by_id["A-2"].depended_on_by == ("A-3", "A-4")
    # A self link is no inverse link; a link to an unknown ID makes no entry.
    assert by_id["A-4"].depended_on_by == ()
    assert "NOPE-9" not in by_id
    assert by_id["A-3"].children == ()
    assert by_id["A-3"].value("links.depends-on") == ["A-2"]


def test_blocking_is_the_p0_requirements_that_depend_on_it_transitively() -> None:
    # verifies: REQ-212
    urgent = {"importance": "high", "urgency": "urgent"}
    catalog = catalog_of(
        [
            requirement("B-1", priority=urgent, links={"depends-on": ["B-2"]}),
            requirement("B-2", links={"depends-on": ["B-3"]}),
            requirement("B-3"),
            requirement("B-4", priority={"importance": "low", "urgency": "normal"}),
        ]
    )
    assert {e.req.id: e.value("blocking") for e in catalog} == {
        "B-1": None,
        "B-2": ["B-1"],
        "B-3": ["B-1"],
        "B-4": None,
    }


def test_disagreements_between_methods_are_listed() -> None:
    # verifies: REQ-211
    # MoSCoW must with ICE 2×2×3 = 12 (low), P0 with ICE low.
    priority: dict[str, Any] = {"moscow": "must", "importance": "high", "urgency": "urgent"}
    priority["ice"] = {"impact": 2, "confidence": 2, "ease": 3}
    (entry,) = catalog_of([requirement("C-1", priority=priority)])
    assert entry.value("disagreements") == [
        "MoSCoW must but ICE level low (score 12)",
        "P-level P0 but ICE level low (score 12)",
    ]


def test_entries_in_path_order_by_id_first_path_and_requirements_without_id_left_out() -> None:
    # verifies: REQ-706
    # verifies: REQ-002
    twin_a = requirement("D-1", area="a", owner="first")
    twin_b = requirement("D-1", area="b", owner="second")
    nameless = requirement("", area="a")
    catalog = catalog_of([requirement("D-2"), twin_b, nameless, twin_a])
    assert [e.req.path for e in catalog] == ["reqs/D-2.md", "reqs/a/D-1.md", "reqs/b/D-1.md"]
    assert len(catalog) == 3
    assert catalog.by_id["D-1"].value("owner") == "first"
    assert set(catalog.by_id) == {"D-1", "D-2"}


def test_links_to_a_duplicated_id_count_once_for_that_id() -> None:
    # verifies: REQ-400
    catalog = catalog_of(
        [
            requirement("E-1", area="a"),
            requirement("E-1", area="b"),
            requirement("E-2", links={"parent": ["E-1"]}),
        ]
    )
    assert [e.children for e in catalog if e.req.id == "E-1"] == [("E-2",), ("E-2",)]


def test_scores_given_by_path_are_used_as_they_are() -> None:
    # The cache hands scores in; the catalogue must not recompute them.
    # verifies: REQ-706
    req = requirement("F-1")
    nothing: dict[str, Any] = {f.name: None for f in dataclasses.fields(Scores)}
    given_scores = Scores(**{**nothing, "p_level": "P2", "rice": 1.5})
    catalog = catalog_of([req])
    cached = Catalog(catalog.repository, catalog.config, {req.path: given_scores})
    (entry,) = cached
    assert entry.scores is given_scores
    assert (entry.value("p_level"), entry.value("rice")) == ("P2", 1.5)


def test_field_names_are_every_stored_computed_and_short_name_sorted() -> None:
    # verifies: REQ-706
    # verifies: REQ-004
    config = Config(
        root=Path("."), fields=MappingProxyType({"risk": FieldDef("risk", "enum", ("low",))})
    )
    names = catalog_of([], config=config).field_names()
    assert names == sorted(set(names))
    assert set(ALIASES) | set(COMPUTED) | {"id"} <= set(names)
    for name in ("priority.ice.impact", "source.channel", "links", "lint-ignore", "risk"):
        assert name in names
    assert "priority.votes" in names  # a map: its keys are the user's, not listed


@pytest.mark.parametrize(
    ("name", "known"),
    [
        ("id", True),
        ("p_level", True),
        ("ice.level", True),
        ("customer", True),
        ("priority.ice.impact", True),
        ("priority.ice", True),
        ("links.depends-on", True),  # any relation name
        ("links.anything", True),
        ("priority.votes.acme", True),  # any stakeholder
        ("risk", True),  # the custom field below
        ("priority.ice.nope", False),
        ("prioirty.moscow", False),
        ("title.length", False),  # a string has no fields
        ("links.parent.x", False),
        ("bogus", False),
    ],
)
def test_is_field(name: str, known: bool) -> None:
    # verifies: REQ-706
    config = Config(root=Path("."), fields=MappingProxyType({"risk": FieldDef("risk", "string")}))
    assert catalog_of([], config=config).is_field(name) is known


def test_entry_json_has_identity_front_matter_and_computed_fields(full: Entry) -> None:
    # verifies: REQ-706
    document = entry_json(full)
    assert document["id"] == "CRM-1"
    assert document["path"] == "reqs/billing/eu/CRM-1.md"
    assert document["area"] == "billing/eu"
    assert document["due"] == "2026-12-31"
    assert document["customers"] == ["acme", "globex"]
    assert document["priority"]["ice"] == {"score": 48, "level": "medium"}
    assert document["priority"]["p_level"] == "P0"
    assert document["fields"] == full.req.data
    for key in ("children", "depended_on_by", "blocking", "disagreements"):
        assert document[key] == [], key


IDS = [f"G-{n}" for n in range(6)]


@given(
    st.dictionaries(
        st.sampled_from(IDS),
        st.fixed_dictionaries(
            {"parent": st.lists(st.sampled_from(IDS), max_size=3)},
            optional={"depends-on": st.lists(st.sampled_from([*IDS, "NOPE-1"]), max_size=3)},
        ),
    )
)
def test_inverse_links_mirror_the_stored_links(links: dict[str, dict[str, list[str]]]) -> None:
    # X lists Y among its children exactly when Y names X as parent (X an existing ID, X != Y).
    # verifies: REQ-400
    catalog = catalog_of([requirement(rid, links=links.get(rid, {})) for rid in IDS])
    for target in IDS:
        entry = catalog.by_id[target]
        assert entry.children == tuple(
            sorted(s for s in IDS if s != target and target in links.get(s, {}).get("parent", []))
        )
        assert entry.depended_on_by == tuple(
            sorted(
                s for s in IDS if s != target and target in links.get(s, {}).get("depends-on", [])
            )
        )
