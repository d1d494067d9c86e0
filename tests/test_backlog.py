"""Unit tests of the ranked backlog (backlog.rank_backlog) on tiny literal repositories."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tests.catalog_files import catalog_of, requirement

from reqforge.backlog import rank_backlog
from reqforge.catalog import Catalog


@pytest.fixture
def catalog(make_repo: Callable[..., Path]) -> Catalog:
    # ICE: C-1 4×4×4 = 64, C-2 2×2×2 = 8, C-4 5×5×5 = 125 (but done); C-3 has none.
    # RPN (FMEA): C-2 5×5×5 = 125, C-1 2×2×2 = 8.
    # P-level: C-1 high+urgent = P0, C-2 low+normal = P3.
    return catalog_of(
        make_repo,
        requirement(
            "C-1",
            priority={
                "importance": "high",
                "urgency": "urgent",
                "ice": {"impact": 4, "confidence": 4, "ease": 4},
                "fmea": {"severity": 2, "occurrence": 2, "detection": 2},
            },
        ),
        requirement(
            "C-2",
            priority={
                "importance": "low",
                "urgency": "normal",
                "ice": {"impact": 2, "confidence": 2, "ease": 2},
                "fmea": {"severity": 5, "occurrence": 5, "detection": 5},
            },
        ),
        requirement("C-3"),
        requirement(
            "C-4",
            status="done",
            priority={"ice": {"impact": 5, "confidence": 5, "ease": 5}},
        ),
    )


def ranked(catalog: Catalog, method: str, **options: bool) -> list[tuple[int, str]]:
    backlog = rank_backlog(catalog, list(catalog), method, **options)
    return [(r.item["rank"], r.item["id"]) for r in backlog.items]


def test_one_method_ranks_those_without_its_inputs_last(catalog: Catalog) -> None:
    # verifies: REQ-210
    assert ranked(catalog, "ice") == [(1, "C-1"), (2, "C-2"), (3, "C-3")]


def test_terminal_statuses_are_left_out_unless_all(catalog: Catalog) -> None:
    # verifies: REQ-210
    assert ranked(catalog, "ice", include_all=True) == [
        (1, "C-4"),
        (2, "C-1"),
        (3, "C-2"),
        (4, "C-3"),
    ]


def test_fmea_ranks_by_the_risk_priority_number(catalog: Catalog) -> None:
    # verifies: REQ-207
    backlog = rank_backlog(catalog, list(catalog), "fmea")
    assert backlog.method == "rpn"
    assert backlog.methods == ("rpn",)
    assert [r.item["id"] for r in backlog.items] == ["C-2", "C-1", "C-3"]
    assert [r.item["rpn"] for r in backlog.items] == [125, 8, None]


def test_combined_applies_the_configured_methods_in_turn(catalog: Catalog) -> None:
    # verifies: REQ-210
    backlog = rank_backlog(catalog, list(catalog))
    assert backlog.method == "combined"
    assert backlog.methods == tuple(catalog.config.priority.rank)
    assert [r.item["id"] for r in backlog.items] == ["C-1", "C-2", "C-3"]


def test_items_carry_scores_blocking_and_disagreements(catalog: Catalog) -> None:
    # verifies: REQ-211
    # verifies: REQ-212
    backlog = rank_backlog(catalog, list(catalog), "ice", only_disagreements=False)
    first = backlog.items[0]
    assert first.entry.req.id == "C-1"
    assert first.item["title"] == "Requirement C-1"
    assert first.item["status"] == "proposed"
    assert first.item["ice"]["score"] == 64
    assert first.item["blocking"] == []
    assert first.item["disagreements"] == first.entry.disagreements


def test_only_disagreements_keeps_the_contradicted_ones(catalog: Catalog) -> None:
    # verifies: REQ-211
    every = rank_backlog(catalog, list(catalog), "ice", include_all=True)
    contradicted = rank_backlog(
        catalog, list(catalog), "ice", include_all=True, only_disagreements=True
    )
    expected = [r.item["id"] for r in every.items if r.entry.disagreements]
    assert [r.item["id"] for r in contradicted.items] == expected
    # renumbered from 1 over what is kept
    assert [r.item["rank"] for r in contradicted.items] == list(range(1, len(expected) + 1))
