"""Unit tests of `build_trace` (coverage, orphans, test results, suspect links, unknown markers)
on in-memory catalogues and literal markers and results: no source tree, no JUnit files."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from tests.catalogs import catalog_of, requirement

from reqforge.catalog import Catalog
from reqforge.config import Config, TraceConfig
from reqforge.model import Requirement
from reqforge.trace import build_trace
from reqforge.trace.junit import TestResult
from reqforge.trace.markers import Marker

REQUIRE = MappingProxyType({"functional": ("implemented", "verified"), "interface": ("verified",)})


def config(**trace: Any) -> Config:
    return Config(root=Path("."), trace=TraceConfig(require=REQUIRE, **trace))


def of_type(rid: str, kind: str, status: str = "in-progress", **fields: Any) -> Requirement:
    return requirement(rid, status, type=kind, **fields)


def code(rid: str, line: int = 1) -> Marker:
    return Marker(rid, "src/app.py", line, "implemented")


def check(rid: str, test: str | None, line: int = 1) -> Marker:
    return Marker(rid, "tests/test_app.py", line, "verified", test)


def result(name: str, outcome: str) -> TestResult:
    """The JUnit case pytest writes for tests/test_app.py::<name>."""
    return TestResult(name, "tests.test_app", "tests/test_app.py", outcome)


def test_coverage_by_type_hand_computed() -> None:
    # [trace.require]: functional needs code and a test, interface a test, others nothing.
    # verifies: REQ-401
    # verifies: REQ-400
    catalog = catalog_of(
        [
            of_type("T-1", "functional"),  # code + test: covered
            of_type("T-2", "functional"),  # code only: missing verified
            of_type("T-3", "interface"),  # nothing: missing verified
            of_type("T-4", "constraint"),  # no entry for its type: covered
            of_type("T-5", "functional"),  # nothing at all: missing both
            of_type("T-6", "interface"),  # a test alone is enough
        ],
        config=config(),
    )
    markers = [code("T-1"), check("T-1", None), code("T-2"), check("T-6", None)]
    report = build_trace(catalog, markers, [])
    assert {item.id: item.missing for item in report.items} == {
        "T-1": (),
        "T-2": ("verified",),
        "T-3": ("verified",),
        "T-4": (),
        "T-5": ("implemented", "verified"),
        "T-6": (),
    }
    assert report.covered == 3
    summary = report.summary()
    assert (summary["requirements"], summary["covered"]) == (6, 3)
    assert summary["coverage"] == 0.5  # 3 / 6


def test_answered_but_unbuilt_requirements_need_nothing() -> None:
    # verifies: REQ-401
    statuses = ["rejected", "duplicate", "deferred", "proposed"]
    catalog = catalog_of(
        [of_type(f"U-{n}", "functional", status) for n, status in enumerate(statuses)],
        config=config(),
    )
    report = build_trace(catalog, [], [])
    # proposed is not answered yet: it still counts against coverage.
    assert [(item.id, item.missing) for item in report.items] == [
        ("U-0", ()),
        ("U-1", ()),
        ("U-2", ()),
        ("U-3", ("implemented", "verified")),
    ]


def test_each_verifying_test_gets_its_result() -> None:
    # verifies: REQ-402
    catalog = catalog_of([of_type("R-1", "functional"), of_type("R-2", "functional")])
    markers = [
        check("R-1", "tests/test_app.py::test_pass", 3),
        check("R-1", "tests/test_app.py::test_skip", 8),
        check("R-2", "tests/test_app.py::test_fail", 12),
        check("R-2", "tests/test_app.py::test_absent", 20),  # not in the results
        check("R-2", None, 30),  # a marker outside any test
    ]
    results = [
        result("test_pass", "passed"),
        result("test_skip", "skipped"),
        result("test_fail", "failed"),
    ]
    report = build_trace(catalog, markers, results)
    r1, r2 = report.items
    assert r1.tests() == {
        "tests/test_app.py::test_pass": "passed",
        "tests/test_app.py::test_skip": "skipped",
    }
    assert r2.tests() == {
        "tests/test_app.py::test_fail": "failed",
        "tests/test_app.py::test_absent": "unknown",
        "tests/test_app.py:30": "unknown",  # named by place where no test encloses it
    }
    assert report.summary()["failing"] == ["R-2"]
    assert report.tests() == {**r1.tests(), **r2.tests()}
    # Without any results, every result is unknown and nothing fails.
    bare = build_trace(catalog, markers, [])
    assert set(bare.tests().values()) == {"unknown"}
    assert bare.summary()["failing"] == []


def test_orphans_have_no_parent_no_children_and_no_marker() -> None:
    # verifies: REQ-403
    catalog = catalog_of(
        [
            requirement("O-1"),  # a parent (O-2 names it): not an orphan
            requirement("O-2", links={"parent": ["O-1"]}),  # has a parent
            requirement("O-3"),  # alone, but code names it
            requirement("O-4"),  # alone: orphan
            requirement("O-5", links={"depends-on": ["O-4"]}),  # depends-on is no parent
            requirement("O-6", links={"parent": ["GONE-1"]}),  # a parent link, even if broken
        ]
    )
    report = build_trace(catalog, [code("O-3")], [])
    assert report.orphans == ("O-4", "O-5")
    assert report.summary()["orphans"] == ["O-4", "O-5"]


def test_orphans_exempt_by_id_or_area_pattern() -> None:
    # verifies: REQ-403
    reqs = [
        requirement("X-1", area="vision"),
        requirement("X-2", area="vision/2027"),
        requirement("X-3", area="billing"),
        requirement("KEEP-1", area="billing"),
    ]
    exempt = config(orphans_exempt=("vision", "vision/*", "KEEP-*"))
    assert build_trace(catalog_of(reqs, config=exempt), [], []).orphans == ("X-3",)
    assert build_trace(catalog_of(reqs, config=config()), [], []).orphans == (
        "KEEP-1",
        "X-1",
        "X-2",
        "X-3",
    )


def test_markers_naming_no_requirement_are_kept_apart() -> None:
    # verifies: REQ-400
    catalog = catalog_of([of_type("K-1", "functional")])
    stray = [code("NOPE-1", 4), check("NOPE-2", "tests/test_app.py::test_x", 9)]
    report = build_trace(catalog, [stray[0], code("K-1"), stray[1]], [])
    assert report.unknown_markers == tuple(stray)
    assert [m.id for m in report.items[0].implemented] == ["K-1"]


def test_suspect_links_are_reported_per_requirement() -> None:
    # verifies: REQ-404
    catalog = catalog_of([requirement("S-1"), requirement("S-2", links={"depends-on": ["S-1"]})])
    report = build_trace(catalog, [], [], suspects={"S-2": [("S-1", "abc1234")]})
    assert [item.suspect for item in report.items] == [(), (("S-1", "abc1234"),)]
    assert report.summary()["suspect"] == 1
    assert report.items[1].to_json()["suspect"] == [{"id": "S-1", "since": "abc1234"}]


def test_items_in_id_order_one_per_id_with_links_both_ways() -> None:
    # verifies: REQ-400
    catalog = catalog_of(
        [
            requirement("L-2", area="a", links={"parent": ["L-10"], "relates-to": ["L-1"]}),
            requirement("L-10", area="b"),
            requirement("L-1", area="c"),
            requirement("L-1", area="d"),  # a duplicated ID (RF106): one item
        ]
    )
    report = build_trace(catalog, [], [])
    assert [item.id for item in report.items] == ["L-1", "L-10", "L-2"]
    l2 = report.items[2]
    assert l2.parents == ("L-10",)
    assert report.items[1].children == ("L-2",)
    assert l2.to_json() == {
        "id": "L-2",
        "parents": ["L-10"],
        "children": [],
        "links": {"relates-to": ["L-1"]},  # parent is listed under parents only
        "implemented": [],
        "verified": [],
        "missing": [],
        "suspect": [],
    }


def test_marker_places_and_results_in_json() -> None:
    # verifies: REQ-400
    # verifies: REQ-402
    catalog = catalog_of([of_type("J-1", "functional")], config=config())
    markers = [code("J-1", 7), check("J-1", "tests/test_app.py::test_j", 15)]
    document = build_trace(catalog, markers, [result("test_j", "passed")]).to_json()
    assert document["summary"] == {
        "requirements": 1,
        "required": 1,
        "covered": 1,
        "coverage": 1.0,
        "orphans": [],
        "suspect": 0,
        "failing": [],
    }
    (item,) = document["items"]
    assert item["implemented"] == [{"path": "src/app.py", "line": 7}]
    assert item["verified"] == [
        {"path": "tests/test_app.py", "line": 15, "test": "tests/test_app.py::test_j",
         "result": "passed"},
    ]  # fmt: skip


def test_an_empty_catalogue_has_no_coverage_figure() -> None:
    # verifies: REQ-400
    report = build_trace(catalog_of([]), [code("A-1")], [])
    assert report.items == ()
    assert report.summary() == {
        "requirements": 0,
        "required": 0,
        "covered": 0,
        "coverage": None,
        "orphans": [],
        "suspect": 0,
        "failing": [],
    }
    assert report.unknown_markers == (code("A-1"),)


def test_only_narrows_items_and_orphans_to_a_selection() -> None:
    # verifies: REQ-400
    catalog = catalog_of([requirement("N-1"), requirement("N-2"), requirement("N-3")])
    report = build_trace(catalog, [code("N-2"), code("GONE-1")], [])
    narrowed = report.only({"N-2", "N-3"})
    assert [item.id for item in narrowed.items] == ["N-2", "N-3"]
    assert narrowed.orphans == ("N-3",)
    assert narrowed.unknown_markers == report.unknown_markers


IDS = ["P-1", "P-2", "P-3", "P-4"]
TYPES = ["functional", "interface", "constraint"]


@given(
    st.lists(st.sampled_from(TYPES), min_size=len(IDS), max_size=len(IDS)),
    st.lists(st.tuples(st.sampled_from([*IDS, "GONE-1"]), st.booleans()), max_size=12),
)
def test_missing_is_exactly_what_the_type_needs_and_lacks(
    types: list[str], found: list[tuple[str, bool]]
) -> None:
    # verifies: REQ-401
    catalog: Catalog = catalog_of(
        [of_type(rid, kind) for rid, kind in zip(IDS, types, strict=True)], config=config()
    )
    markers = [code(rid, n) if is_code else check(rid, None, n) for n, (rid, is_code) in
               enumerate(found)]  # fmt: skip
    report = build_trace(catalog, markers, [])
    for item, kind in zip(report.items, types, strict=True):
        have = {("implemented" if is_code else "verified") for rid, is_code in found
                if rid == item.id}  # fmt: skip
        assert item.missing == tuple(k for k in REQUIRE.get(kind, ()) if k not in have)
    coverage = report.summary()["coverage"]
    if any(kind in REQUIRE for kind in types):
        assert coverage == round(report.covered / len(IDS), 3)
        assert 0.0 <= coverage <= 1.0
    else:
        assert coverage is None  # nothing is required: no figure, not a vacuous 100%
    assert len(report.unknown_markers) == sum(1 for rid, _ in found if rid == "GONE-1")


def test_nothing_required_gives_no_coverage_figure_instead_of_100_percent() -> None:
    # verifies: REQ-403
    reqs = [of_type("N-1", "functional"), of_type("N-2", "interface")]
    bare = Config(root=Path("."), trace=TraceConfig())  # no [trace.require]
    summary = build_trace(catalog_of(reqs, config=bare), [code("N-1")], []).summary()
    assert summary["requirements"] == 2 and summary["required"] == 0
    assert summary["coverage"] is None
    required = build_trace(catalog_of(reqs, config=config()), [code("N-1")], []).summary()
    assert required["required"] == 2 and required["coverage"] == 0.0


def test_fail_on_conditions_hold_with_their_requirements() -> None:
    # verifies: REQ-403
    reqs = [of_type("F-1", "functional"), of_type("F-2", "functional"), of_type("F-3", "other")]
    markers = [code("F-1"), check("F-1", "tests/test_app.py::test_f", 2), code("F-2")]
    report = build_trace(catalog_of(reqs, config=config()), markers, [result("test_f", "failed")])
    assert report.conditions_holding(("failing", "missing", "orphans")) == {
        "failing": ("F-1",),
        "missing": ("F-2",),
        "orphans": ("F-3",),
    }
    assert report.conditions_holding(("orphans",)) == {"orphans": ("F-3",)}
    assert report.conditions_holding(()) == {}
    passing = build_trace(catalog_of(reqs[:1], config=config()), markers[:2], [])
    assert passing.conditions_holding(("failing", "missing")) == {}  # unknown is not failed
