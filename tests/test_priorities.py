"""priorities.py: every method of SPEC section 4, ranking, disagreements and inherited urgency."""

from __future__ import annotations

import dataclasses
import math
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reqforge.config import PriorityConfig
from reqforge.model import Customer, Requirement
from reqforge.priorities import (
    DISAGREEMENT_RULES,
    KANO_ORDER,
    MOSCOW_ORDER,
    QUADRANTS,
    Scores,
    blocking,
    demand,
    disagreements,
    ice_level,
    ice_score,
    kano_rank,
    method_names,
    moscow_rank,
    p_level,
    quadrant,
    rank,
    rice_score,
    rpn,
    scores_of,
    sort_key,
    vote_counts,
    votes_score,
    wsjf,
)

ICE = st.integers(1, 5)
TEN = st.integers(1, 10)
WSJF_PART = st.floats(1, 20, allow_nan=False)
SIZE = st.floats(0.001, 100, allow_nan=False)
REACH = st.floats(0, 1e9, allow_nan=False)
RICE_IMPACT = st.floats(0, 10, allow_nan=False)
CONFIDENCE = st.floats(0, 1, allow_nan=False)
EFFORT = st.floats(0.001, 1e6, allow_nan=False)
INVALID = [None, True, False, float("nan"), float("inf"), -float("inf"), "3", [3], {"a": 3}]

CUSTOMERS = {
    key: Customer(key=key, name=key.title(), industry=None, tier=tier, data={})
    for key, tier in [("acme", "A"), ("globex", "B"), ("initech", "C"), ("umbrella", None)]
}
TIERS = MappingProxyType({"A": 3.0, "B": 2.0, "C": 1.0})
CONFIG = PriorityConfig()


def make_req(rid: str, priority: dict[str, Any] | None = None, **extra: Any) -> Requirement:
    data: dict[str, Any] = {"id": rid, "title": f"Title {rid}", "type": "functional"}
    data["status"] = "proposed"
    if priority is not None:
        data["priority"] = priority
    data.update(extra)
    return Requirement.from_data(f"reqs/{rid}.md", data, 10)


def blank(**fields: Any) -> Scores:
    """Scores with every method null except `fields`."""
    values: dict[str, Any] = {f.name: None for f in dataclasses.fields(Scores)}
    values.update(fields)
    return Scores(**values)


# --- MoSCoW and Kano ---------------------------------------------------------------------------


def test_moscow_rank_orders_must_first() -> None:
    # verifies: REQ-201
    assert [moscow_rank(v) for v in MOSCOW_ORDER] == [0, 1, 2, 3]


def test_kano_rank_orders_basic_first() -> None:
    # verifies: REQ-202
    assert [kano_rank(v) for v in KANO_ORDER] == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("value", [None, "MUST", "", "maybe", 0, True, ["must"]])
def test_moscow_and_kano_reject_other_values(value: Any) -> None:
    # verifies: REQ-201
    # verifies: REQ-202
    assert moscow_rank(value) is None
    assert kano_rank(value) is None


# --- ICE ---------------------------------------------------------------------------------------


def test_ice_example_from_req_203() -> None:
    # verifies: REQ-203
    assert ice_score(4, 4, 3) == 48
    assert ice_level(48) == "medium"


@given(ICE, ICE, ICE)
def test_ice_score_is_product_within_bounds(i: int, c: int, e: int) -> None:
    # verifies: REQ-203
    score = ice_score(i, c, e)
    assert score == i * c * e
    assert isinstance(score, int)
    assert 1 <= score <= 125
    assert ice_level(score) in ("high", "medium", "low")


@given(ICE, ICE, ICE, ICE)
def test_raising_impact_never_lowers_ice(a: int, b: int, c: int, e: int) -> None:
    low, high = sorted((a, b))
    assert ice_score(low, c, e) <= ice_score(high, c, e)  # type: ignore[operator]


@pytest.mark.parametrize(
    ("score", "level"), [(125, "high"), (60, "high"), (59, "medium"), (30, "medium"), (29, "low")]
)
def test_ice_level_thresholds_default(score: int, level: str) -> None:
    # verifies: REQ-203
    assert ice_level(score) == level


def test_ice_level_custom_thresholds() -> None:
    # verifies: REQ-203
    assert ice_level(64, high=80) == "medium"
    assert ice_level(80, high=80) == "high"
    assert ice_level(79, high=80, medium=50) == "medium"
    assert ice_level(49, high=80, medium=50) == "low"
    assert ice_level(50, high=80, medium=50) == "medium"


@pytest.mark.parametrize("bad", [*INVALID, 0, 6, -1, 4.0])
def test_ice_rejects_invalid_inputs(bad: Any) -> None:
    # verifies: REQ-203
    # verifies: REQ-200
    assert ice_score(bad, 4, 3) is None
    assert ice_score(4, bad, 3) is None
    assert ice_score(4, 4, bad) is None


@pytest.mark.parametrize("bad", [None, True, float("nan"), "60"])
def test_ice_level_of_invalid_score_is_none(bad: Any) -> None:
    assert ice_level(bad) is None


# --- RICE --------------------------------------------------------------------------------------


def test_rice_example_from_req_204() -> None:
    # verifies: REQ-204
    assert rice_score(1200, 2, 0.8, 3) == pytest.approx(640.0)


def test_rice_fractional_confidence() -> None:
    # verifies: REQ-204
    assert rice_score(100, 1, 0.5, 2) == pytest.approx(25.0)
    assert rice_score(150, 1, 0.25, 1) == pytest.approx(37.5)
    assert rice_score(10, 3, 0, 1) == 0.0


@pytest.mark.parametrize("effort", [0, 0.0, -1, -0.5])
def test_rice_zero_or_negative_effort_is_none(effort: float) -> None:
    # verifies: REQ-204
    assert rice_score(1200, 2, 0.8, effort) is None


@pytest.mark.parametrize("bad", INVALID)
def test_rice_rejects_invalid_inputs(bad: Any) -> None:
    # verifies: REQ-204
    # verifies: REQ-200
    assert rice_score(bad, 2, 0.8, 3) is None
    assert rice_score(1200, bad, 0.8, 3) is None
    assert rice_score(1200, 2, bad, 3) is None
    assert rice_score(1200, 2, 0.8, bad) is None


def test_rice_rejects_out_of_range() -> None:
    # verifies: REQ-204
    # verifies: REQ-200
    assert rice_score(-1, 2, 0.8, 3) is None
    assert rice_score(1200, 11, 0.8, 3) is None
    assert rice_score(1200, 2, 1.5, 3) is None
    assert rice_score(10**400, 2, 0.8, 3) is None  # beyond the float range: no OverflowError
    assert rice_score(1e308, 10, 1, 1e-300) is None  # an infinite result


@given(REACH, REACH, RICE_IMPACT, CONFIDENCE, EFFORT)
def test_raising_reach_never_lowers_rice(
    a: float, b: float, impact: float, confidence: float, effort: float
) -> None:
    low, high = sorted((a, b))
    small = rice_score(low, impact, confidence, effort)
    large = rice_score(high, impact, confidence, effort)
    assert small is not None and large is not None
    assert 0 <= small <= large


# --- value-cost quadrant -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "cost", "expected"),
    [
        (8, 3, "quick-win"),
        (8, 7, "strategic"),
        (4, 3, "fill-in"),
        (4, 7, "avoid"),
        (6, 5, "quick-win"),
        (5, 5, "fill-in"),
        (6, 6, "strategic"),
        (5, 6, "avoid"),
        (10, 1, "quick-win"),
        (1, 10, "avoid"),
    ],
)
def test_quadrant_boundaries(value: int, cost: int, expected: str) -> None:
    # verifies: REQ-205
    assert quadrant(value, cost) == expected


@given(TEN, TEN)
def test_quadrant_always_one_of_four(value: int, cost: int) -> None:
    # verifies: REQ-205
    result = quadrant(value, cost)
    assert result in QUADRANTS
    assert (result in ("quick-win", "strategic")) == (value >= 6)
    assert (result in ("quick-win", "fill-in")) == (cost <= 5)


@pytest.mark.parametrize("bad", [*INVALID, 0, 11, 6.0])
def test_quadrant_rejects_invalid_inputs(bad: Any) -> None:
    # verifies: REQ-205
    # verifies: REQ-200
    assert quadrant(bad, 3) is None
    assert quadrant(8, bad) is None


# --- P-level -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("importance", "urgency", "level"),
    [
        ("high", "urgent", "P0"),
        ("high", "normal", "P1"),
        ("high", "deferred", "P1"),
        ("low", "urgent", "P2"),
        ("low", "normal", "P3"),
        ("low", "deferred", "P3"),
    ],
)
def test_p_levels(importance: str, urgency: str, level: str) -> None:
    # verifies: REQ-206
    assert p_level(importance, urgency) == level


@pytest.mark.parametrize("bad", [None, True, "HIGH", "medium", 1])
def test_p_level_missing_or_invalid(bad: Any) -> None:
    # verifies: REQ-206
    assert p_level(bad, "urgent") is None
    assert p_level("high", bad) is None


# --- FMEA --------------------------------------------------------------------------------------


def test_rpn_example_from_req_207() -> None:
    # verifies: REQ-207
    assert rpn(7, 4, 5) == 140


@given(TEN, TEN, TEN)
def test_rpn_is_product_within_bounds(s: int, o: int, d: int) -> None:
    # verifies: REQ-207
    result = rpn(s, o, d)
    assert result == s * o * d
    assert 1 <= result <= 1000


@pytest.mark.parametrize("bad", [*INVALID, 0, 11, 7.0])
def test_rpn_rejects_invalid_inputs(bad: Any) -> None:
    # verifies: REQ-207
    # verifies: REQ-200
    assert rpn(bad, 4, 5) is None
    assert rpn(7, bad, 5) is None
    assert rpn(7, 4, bad) is None


# --- WSJF --------------------------------------------------------------------------------------


def test_wsjf_example_from_req_208() -> None:
    # verifies: REQ-208
    assert wsjf(8, 5, 3, 4) == 4.0


@pytest.mark.parametrize("size", [0, 0.0, -2, 101])
def test_wsjf_invalid_size_is_none(size: float) -> None:
    # verifies: REQ-208
    assert wsjf(8, 5, 3, size) is None


@pytest.mark.parametrize("bad", [*INVALID, 0, 21])
def test_wsjf_rejects_invalid_inputs(bad: Any) -> None:
    # verifies: REQ-208
    # verifies: REQ-200
    assert wsjf(bad, 5, 3, 4) is None
    assert wsjf(8, bad, 3, 4) is None
    assert wsjf(8, 5, bad, 4) is None
    if bad != 21:  # a size of 21 is valid (above 0, at most 100)
        assert wsjf(8, 5, 3, bad) is None


@given(WSJF_PART, WSJF_PART, WSJF_PART, SIZE, SIZE)
def test_raising_size_never_raises_wsjf(
    value: float, criticality: float, risk: float, a: float, b: float
) -> None:
    small, large = sorted((a, b))
    assert wsjf(value, criticality, risk, large) <= wsjf(value, criticality, risk, small)  # type: ignore[operator]


# --- demand and votes --------------------------------------------------------------------------


def test_demand_example() -> None:
    # verifies: REQ-209
    assert demand(["acme", "globex"], CUSTOMERS, TIERS) == 5
    assert isinstance(demand(["acme", "globex"], CUSTOMERS, TIERS), int)
    assert demand(["acme", "initech"], CUSTOMERS, TIERS) == 4


def test_demand_counts_duplicates_once() -> None:
    # verifies: REQ-209
    assert demand(["acme", "acme", "globex"], CUSTOMERS, TIERS) == 5


def test_demand_unknown_or_untiered_customers_add_nothing() -> None:
    # verifies: REQ-209
    assert demand(["acme", "nobody", "umbrella"], CUSTOMERS, TIERS) == 3
    assert demand(["nobody"], CUSTOMERS, TIERS) == 0


def test_demand_custom_tiers() -> None:
    # verifies: REQ-209
    tiers = {"A": 10.0, "B": 0.5}
    assert demand(["acme", "globex", "initech"], CUSTOMERS, tiers) == 10.5


@pytest.mark.parametrize("keys", [None, [], "acme", ["acme", 3], [True], {"acme": 1}])
def test_demand_without_a_customer_list_is_none(keys: Any) -> None:
    # verifies: REQ-209
    assert demand(keys, CUSTOMERS, TIERS) is None


def test_votes_weighted_by_tier() -> None:
    # acme is tier A (weight 3); bob is no customer (weight 1): (3*10 + 1*2) / 4 = 8.
    # verifies: REQ-213
    assert votes_score({"acme": 10, "bob": 2}, CUSTOMERS, TIERS) == 8.0
    # a plain mean when nobody is a customer
    assert votes_score({"alice": 4, "bob": 7}, CUSTOMERS, TIERS) == 5.5
    # a registered customer without a tier weighs 1
    assert votes_score({"umbrella": 0, "bob": 10}, CUSTOMERS, TIERS) == 5.0


def test_votes_skip_invalid_votes() -> None:
    # verifies: REQ-213
    votes = {"alice": 6, "bob": True, "carol": float("nan"), "dan": 11, "eve": -1, 7: 3}
    assert votes_score(votes, CUSTOMERS, TIERS) == 6.0


@pytest.mark.parametrize("votes", [None, {}, {"alice": True}, {"alice": "must"}, [5], "5"])
def test_votes_without_valid_votes_is_none(votes: Any) -> None:
    # verifies: REQ-213
    assert votes_score(votes, CUSTOMERS, TIERS) is None


def test_votes_with_zero_total_weight_is_none() -> None:
    assert votes_score({"acme": 9}, CUSTOMERS, {"A": 0.0}) is None


def test_vote_counts_of_moscow_votes() -> None:
    # verifies: REQ-213
    counts = vote_counts({"alice": "must", "bob": "wont", "carol": 7, "dan": "nope"})
    assert counts == {"must": 1, "should": 0, "could": 0, "wont": 1}
    assert vote_counts({"alice": 7}) is None


@given(st.dictionaries(st.text(max_size=5), st.floats(0, 10, allow_nan=False), min_size=1))
def test_votes_mean_within_vote_range(votes: dict[str, float]) -> None:
    score = votes_score(votes, CUSTOMERS, TIERS)
    assert score is not None
    assert min(votes.values()) - 1e-9 <= score <= max(votes.values()) + 1e-9


# --- scores_of and to_json ---------------------------------------------------------------------

FULL = {
    "moscow": "must",
    "kano": "basic",
    "importance": "high",
    "urgency": "urgent",
    "value": 8,
    "cost": 3,
    "ice": {"impact": 4, "confidence": 4, "ease": 3},
    "rice": {"reach": 1200, "impact": 2, "confidence": 0.8, "effort": 3},
    "fmea": {"severity": 7, "occurrence": 4, "detection": 5},
    "wsjf": {"value": 8, "time-criticality": 5, "risk": 3, "size": 4},
    "votes": {"acme": 9, "bob": 5},
}


def test_scores_of_reads_every_method() -> None:
    # verifies: REQ-200
    # verifies: REQ-203
    # verifies: REQ-204
    # verifies: REQ-205
    # verifies: REQ-206
    # verifies: REQ-207
    # verifies: REQ-208
    # verifies: REQ-209
    # verifies: REQ-213
    req = make_req("CRM-1", FULL, source={"customers": ["acme", "globex", "acme"]})
    scores = scores_of(req, CUSTOMERS, CONFIG)
    assert scores.to_json() == {
        "moscow": "must",
        "kano": "basic",
        "ice": {"score": 48, "level": "medium"},
        "rice": 640.0,
        "quadrant": "quick-win",
        "p_level": "P0",
        "rpn": 140,
        "wsjf": 4.0,
        "demand": 5,
        "votes": 8.0,
        "vote_counts": None,
    }
    assert disagreements(scores) == []


def test_scores_of_without_inputs_is_all_null() -> None:
    # verifies: REQ-200
    scores = scores_of(make_req("CRM-2"), CUSTOMERS, CONFIG)
    assert scores == blank()
    assert all(value is None for value in scores.to_json().values())


@pytest.mark.parametrize(
    ("priority", "key"),
    [
        ({"ice": {"impact": 4, "confidence": 4}}, "ice"),
        ({"rice": {"reach": 1200, "impact": 2, "confidence": 0.8}}, "rice"),
        ({"rice": {"reach": 1200, "impact": 2, "confidence": 0.8, "effort": 0}}, "rice"),
        ({"value": 8}, "quadrant"),
        ({"importance": "high"}, "p_level"),
        ({"fmea": {"severity": 7, "occurrence": 4}}, "rpn"),
        ({"wsjf": {"value": 8, "time-criticality": 5, "risk": 3}}, "wsjf"),
        ({"wsjf": {"value": 8, "urgency": 5, "risk": 3, "size": 0}}, "wsjf"),
        ({"moscow": "essential"}, "moscow"),
        ({"kano": True}, "kano"),
        ({"ice": "high"}, "ice"),
        ({"votes": {"bob": "x"}}, "votes"),
    ],
)
def test_scores_of_missing_or_invalid_inputs_give_null(priority: dict, key: str) -> None:
    # verifies: REQ-200
    # verifies: REQ-203
    # verifies: REQ-204
    # verifies: REQ-206
    # verifies: REQ-207
    # verifies: REQ-208
    assert scores_of(make_req("CRM-3", priority), CUSTOMERS, CONFIG).to_json()[key] is None


def test_scores_of_wsjf_urgency_alias_and_canonical_key() -> None:
    # verifies: REQ-208
    alias = make_req("CRM-4", {"wsjf": {"value": 8, "urgency": 5, "risk": 3, "size": 4}})
    assert scores_of(alias, CUSTOMERS, CONFIG).wsjf == 4.0
    both = make_req(
        "CRM-5", {"wsjf": {"value": 8, "time-criticality": 9, "urgency": 5, "risk": 3, "size": 4}}
    )
    assert scores_of(both, CUSTOMERS, CONFIG).wsjf == 5.0


def test_scores_of_uses_configured_ice_levels_and_tiers() -> None:
    # verifies: REQ-203
    # verifies: REQ-209
    config = PriorityConfig(ice_high=80, ice_medium=50, tiers=MappingProxyType({"A": 1.0}))
    req = make_req(
        "CRM-6", {"ice": {"impact": 4, "confidence": 4, "ease": 4}}, source={"customers": ["acme"]}
    )
    scores = scores_of(req, CUSTOMERS, config)
    assert (scores.ice_score, scores.ice_level, scores.demand) == (64, "medium", 1)


def test_scores_of_demand_null_without_customers() -> None:
    # verifies: REQ-209
    assert scores_of(make_req("CRM-7", source={"customers": []}), CUSTOMERS, CONFIG).demand is None


def test_scores_of_reads_moscow_votes_and_top_level_votes() -> None:
    # verifies: REQ-213
    # verifies: REQ-211
    req = make_req("CRM-8", {"moscow": "could"}, votes={"alice": "must", "bob": "must"})
    scores = scores_of(req, CUSTOMERS, CONFIG)
    assert scores.to_json()["vote_counts"] == {"must": 2, "should": 0, "could": 0, "wont": 0}
    assert scores.vote_majority == "must"
    assert disagreements(scores) == ["stakeholder votes favour must but MoSCoW is could"]


def test_to_json_rounds_floats_and_keeps_ints() -> None:
    scores = blank(rice=1 / 3, wsjf=2 / 3, votes=20 / 3, demand=4.0, rpn=140, ice_score=7)
    doc = scores.to_json()
    assert (doc["rice"], doc["wsjf"], doc["votes"]) == (0.333, 0.667, 6.667)
    assert doc["demand"] == 4 and isinstance(doc["demand"], int)
    assert doc["rpn"] == 140 and doc["ice"] == {"score": 7, "level": None}


# --- ranking -----------------------------------------------------------------------------------


def test_methods_are_the_ten_of_the_spec_in_table_order() -> None:
    # verifies: REQ-210
    assert method_names() == (
        "p-level", "moscow", "kano", "ice", "rice", "value-cost", "rpn", "wsjf", "demand", "votes",
    )  # fmt: skip


def ranked_ids(items: list[tuple[Requirement, Scores]], methods: list[str]) -> list[str]:
    return [req.id for _, req, _ in rank(items, methods)]


def items_of(*pairs: tuple[str, Scores]) -> list[tuple[Requirement, Scores]]:
    return [(make_req(rid), scores) for rid, scores in pairs]


@pytest.mark.parametrize(
    ("method", "better", "worse"),
    [
        ("p-level", {"p_level": "P0"}, {"p_level": "P1"}),
        ("moscow", {"moscow": "must"}, {"moscow": "wont"}),
        ("kano", {"kano": "basic"}, {"kano": "reverse"}),
        ("ice", {"ice_score": 48}, {"ice_score": 12}),
        ("rice", {"rice": 640.0}, {"rice": 0.5}),
        ("value-cost", {"quadrant": "strategic"}, {"quadrant": "fill-in"}),
        ("rpn", {"rpn": 140}, {"rpn": 8}),
        ("fmea", {"rpn": 140}, {"rpn": 8}),
        ("wsjf", {"wsjf": 4.0}, {"wsjf": 1.5}),
        ("demand", {"demand": 5}, {"demand": 0}),
        ("votes", {"votes": 8.0}, {"votes": 2.5}),
    ],
)
def test_rank_each_method_better_first_missing_last(
    method: str, better: dict[str, Any], worse: dict[str, Any]
) -> None:
    # verifies: REQ-201
    # verifies: REQ-202
    # verifies: REQ-207
    items = items_of(("X-1", blank()), ("X-2", blank(**worse)), ("X-3", blank(**better)))
    assert ranked_ids(items, [method]) == ["X-3", "X-2", "X-1"]
    assert sort_key(blank(**better), method) < sort_key(blank(**worse), method)
    assert sort_key(blank(**worse), method) < sort_key(blank(), method)


def test_rank_orders_every_category() -> None:
    # verifies: REQ-201
    # verifies: REQ-205
    items = items_of(*((f"Q-{i}", blank(quadrant=q)) for i, q in enumerate(reversed(QUADRANTS))))
    assert [s.quadrant for _, _, s in rank(items, ["value-cost"])] == list(QUADRANTS)
    items = items_of(*((f"M-{i}", blank(moscow=m)) for i, m in enumerate(reversed(MOSCOW_ORDER))))
    assert [s.moscow for _, _, s in rank(items, ["moscow"])] == list(MOSCOW_ORDER)


def test_rank_breaks_ties_by_id_and_numbers_1_to_n() -> None:
    # verifies: REQ-210
    items = items_of(("B-2", blank(ice_score=48)), ("A-9", blank(ice_score=48)), ("C-1", blank()))
    ranked = rank(items, ["ice"])
    assert [(n, req.id) for n, req, _ in ranked] == [(1, "A-9"), (2, "B-2"), (3, "C-1")]
    assert ranked_ids(items, []) == ["A-9", "B-2", "C-1"]


def test_rank_scores_that_print_the_same_tie() -> None:
    items = items_of(("B-1", blank(rice=640.0000000001)), ("A-1", blank(rice=640.0)))
    assert ranked_ids(items, ["rice"]) == ["A-1", "B-1"]


def test_combined_rank_follows_config_order() -> None:
    # verifies: REQ-210
    items = items_of(
        ("R-1", blank(p_level="P1", ice_score=100, rice=5.0)),
        ("R-2", blank(p_level="P0", ice_score=10, rice=1.0)),
        ("R-3", blank(p_level="P0", ice_score=50, rice=1.0)),
        ("R-4", blank(p_level="P0", ice_score=50, rice=9.0)),
        ("R-5", blank(ice_score=125, rice=900.0)),
    )
    assert ranked_ids(items, list(CONFIG.rank)) == ["R-4", "R-3", "R-2", "R-1", "R-5"]
    assert ranked_ids(items, ["rice", "p-level"]) == ["R-5", "R-4", "R-1", "R-2", "R-3"]


def test_rank_is_deterministic_whatever_the_input_order() -> None:
    # verifies: REQ-210
    items = items_of(*((f"D-{i}", blank(ice_score=i % 3 + 1)) for i in range(20)))
    assert rank(items, ["ice"]) == rank(list(reversed(items)), ["ice"])


def test_rank_unknown_method_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown priority method 'cost'"):
        rank([], ["cost"])


# --- disagreements ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"moscow": "must", "ice_level": "low", "ice_score": 12}, "MoSCoW must but ICE level low"),
        ({"moscow": "must", "quadrant": "avoid"}, "MoSCoW must but value-cost quadrant avoid"),
        ({"moscow": "must", "p_level": "P3"}, "MoSCoW must but P-level P3"),
        ({"moscow": "wont", "p_level": "P0"}, "MoSCoW wont but P-level P0"),
        ({"moscow": "wont", "ice_level": "high", "ice_score": 80}, "MoSCoW wont but ICE level"),
        ({"moscow": "wont", "quadrant": "quick-win"}, "MoSCoW wont but value-cost quadrant"),
        ({"p_level": "P0", "ice_level": "low", "ice_score": 8}, "P-level P0 but ICE level low"),
        ({"kano": "basic", "moscow": "could"}, "Kano basic but MoSCoW could"),
        ({"kano": "reverse", "moscow": "should"}, "Kano reverse"),
        (
            {"moscow": "should", "vote_counts": (("must", 1), ("wont", 2))},
            "stakeholder votes favour wont but MoSCoW is should",
        ),
    ],
)
def test_disagreement_examples(fields: dict[str, Any], message: str) -> None:
    # verifies: REQ-211
    # verifies: REQ-213
    found = disagreements(blank(**fields))
    assert len(found) == 1
    assert found[0].startswith(message)


def test_disagreement_names_both_values() -> None:
    # verifies: REQ-211
    found = disagreements(blank(moscow="must", ice_level="low", ice_score=12))
    assert found == ["MoSCoW must but ICE level low (score 12)"]


def test_several_disagreements_in_table_order() -> None:
    # verifies: REQ-211
    scores = blank(moscow="wont", kano="basic", p_level="P0", quadrant="quick-win")
    assert disagreements(scores) == [
        "MoSCoW wont but P-level P0 (important and urgent)",
        "MoSCoW wont but value-cost quadrant quick-win",
        "Kano basic but MoSCoW wont",
    ]


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"moscow": "must"},
        {"moscow": "must", "ice_level": "high", "p_level": "P0", "quadrant": "quick-win"},
        {"moscow": "wont", "ice_level": "low", "p_level": "P3", "quadrant": "avoid"},
        {"moscow": "could", "vote_counts": (("must", 1), ("could", 1))},  # a tie: no majority
        {"vote_counts": (("wont", 3),)},  # no MoSCoW to compare with
    ],
)
def test_no_disagreement_when_methods_agree_or_inputs_missing(fields: dict[str, Any]) -> None:
    # verifies: REQ-211
    assert disagreements(blank(**fields)) == []


def test_rule_names_are_unique() -> None:
    names = [rule.name for rule in DISAGREEMENT_RULES]
    assert len(names) == len(set(names))


# --- inherited urgency ------------------------------------------------------------------------


def graph(
    levels: dict[str, str | None], deps: dict[str, list[str]]
) -> tuple[list[Requirement], dict[str, Scores]]:
    reqs = [make_req(rid, links={"depends-on": deps[rid]} if rid in deps else {}) for rid in levels]
    return reqs, {rid: blank(p_level=level) for rid, level in levels.items()}


def test_blocking_follows_a_chain() -> None:
    # verifies: REQ-212
    reqs, scores = graph({"P-1": "P0", "A-1": "P3", "B-1": None}, {"P-1": ["A-1"], "A-1": ["B-1"]})
    assert blocking(reqs, scores) == {"A-1": ["P-1"], "B-1": ["P-1"]}


def test_blocking_two_p0s_and_a_p0_depending_on_a_p0() -> None:
    # verifies: REQ-212
    reqs, scores = graph(
        {"P-1": "P0", "P-2": "P0", "A-1": "P2", "B-1": "P1", "C-1": "P3"},
        {"P-2": ["A-1", "P-1"], "P-1": ["A-1", "B-1"], "C-1": ["B-1"]},
    )
    assert blocking(reqs, scores) == {
        "A-1": ["P-1", "P-2"],
        "B-1": ["P-1", "P-2"],
        "P-1": ["P-2"],
    }


def test_blocking_cycle_terminates_and_never_blocks_itself() -> None:
    # verifies: REQ-212
    reqs, scores = graph(
        {"P-1": "P0", "A-1": "P3", "B-1": "P3"},
        {"P-1": ["A-1"], "A-1": ["B-1"], "B-1": ["A-1", "P-1"]},
    )
    assert blocking(reqs, scores) == {"A-1": ["P-1"], "B-1": ["P-1"]}


def test_blocking_skips_unknown_ids_and_non_p0_roots() -> None:
    # verifies: REQ-212
    reqs, scores = graph({"P-1": "P0", "N-1": "P2", "A-1": None}, {"P-1": ["X-9"], "N-1": ["A-1"]})
    assert blocking(reqs, scores) == {}
    assert blocking(reqs, scores, levels=("P0", "P2")) == {"A-1": ["N-1"]}


def test_blocking_long_chain_without_recursion() -> None:
    # verifies: REQ-212
    n = 5000
    ids = [f"L-{i}" for i in range(n)]
    reqs, scores = graph(
        dict.fromkeys(ids, "P3") | {"L-0": "P0"}, {ids[i]: [ids[i + 1]] for i in range(n - 1)}
    )
    result = blocking(reqs, scores)
    assert len(result) == n - 1
    assert all(blockers == ["L-0"] for blockers in result.values())


def test_blocking_reads_links_of_requirements() -> None:
    # verifies: REQ-212
    p0 = make_req(
        "P-1", {"importance": "high", "urgency": "urgent"}, links={"depends-on": "A-1"}
    )  # one ID instead of a list is still read
    other = make_req("A-1")
    scores = {r.id: scores_of(r, CUSTOMERS, CONFIG) for r in (p0, other)}
    assert blocking([p0, other], scores) == {"A-1": ["P-1"]}


def test_no_nan_leaks_into_scores() -> None:
    # verifies: REQ-200
    req = make_req(
        "N-1",
        {
            "rice": {"reach": math.nan, "impact": 2, "confidence": 0.8, "effort": 3},
            "wsjf": {"value": math.inf, "urgency": 5, "risk": 3, "size": 4},
            "votes": {"bob": math.nan},
        },
    )
    scores = scores_of(req, CUSTOMERS, CONFIG)
    assert (scores.rice, scores.wsjf, scores.votes) == (None, None, None)


def test_scores_of_stores_the_rounded_numbers_it_prints() -> None:
    req = make_req(
        "R-9",
        {
            "rice": {"reach": 1, "impact": 1, "confidence": 1, "effort": 3},
            "wsjf": {"value": 1, "urgency": 1, "risk": 1, "size": 9},
            "votes": {"alice": 1, "bob": 1, "carol": 0},
        },
    )
    scores = scores_of(req, CUSTOMERS, CONFIG)
    assert (scores.rice, scores.wsjf, scores.votes) == (0.333, 0.333, 0.667)


_ODD_NUMBERS = st.one_of(
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 1, 1e-7, 1e-300, 5e-324, 1e300, 1.8e308, True, "5", None]),
)


@given(_ODD_NUMBERS, _ODD_NUMBERS, _ODD_NUMBERS, _ODD_NUMBERS, _ODD_NUMBERS, _ODD_NUMBERS)
def test_the_overflow_shortcut_changes_no_finding(
    reach: object, impact: object, effort: object, value: object, risk: object, size: object
) -> None:
    # verifies: REQ-102
    # RF102 for a quotient that overflows: skipping the input checks when the numbers are far
    # from the float range must report exactly what checking them reports.
    from reqforge import priorities

    data = {
        "priority": {
            "rice": {"reach": reach, "impact": impact, "confidence": 1, "effort": effort},
            "wsjf": {"value": value, "time-criticality": 20, "risk": risk, "size": size},
        }
    }
    found = priorities.score_overflows(data)
    real = priorities._may_overflow
    try:
        priorities._may_overflow = lambda priority: True  # type: ignore[assignment]
        assert priorities.score_overflows(data) == found
    finally:
        priorities._may_overflow = real


def test_the_overflow_shortcut_still_lets_an_overflow_through() -> None:
    # verifies: REQ-102
    from reqforge.priorities import score_overflows

    rice = {"reach": 1e300, "impact": 10, "confidence": 1, "effort": 1e-10}
    wsjf = {"value": 20, "time-criticality": 20, "risk": 20, "size": 1e-307}
    found = score_overflows({"priority": {"rice": rice, "wsjf": wsjf}})
    assert [path for path, _ in found] == [("priority", "rice"), ("priority", "wsjf", "size")]
    rice["effort"], wsjf["size"] = 1e-7, 1e-300
    assert score_overflows({"priority": {"rice": rice, "wsjf": wsjf}}) == []
