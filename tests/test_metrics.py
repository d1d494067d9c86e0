"""Unit tests of metrics.py on in-memory catalogues: counts, fulfilment rate, satisfaction,
overdue items, per-customer, channel, owner and team groups, the edge cases (an empty
repository, everything rejected), and the figures from a literal git history (lead time,
response time against the SLA, breaches, ageing, throughput). Every expected number is worked
out by hand next to it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.catalogs import catalog_of, customer, requirement

from reqforge.catalog import Catalog, Entry
from reqforge.config import Config, Workflow
from reqforge.history import Change, Commit, Event, History
from reqforge.metrics import (
    backlog_stats,
    fulfilment_rate,
    grouped,
    history_stats,
    overdue,
    satisfaction,
)
from reqforge.model import Repository, Requirement

TODAY = dt.date(2026, 11, 25)
CUSTOMERS = (customer("acme", "A", "Acme Corp"), customer("globex", "B", "Globex Ltd"))


def entries(*statuses: str) -> list[Entry]:
    """Catalogue entries with these statuses (IDs M-0, M-1, ...)."""
    return list(catalog_of([requirement(f"M-{n}", s) for n, s in enumerate(statuses)]))


def feedback(*scores: Any) -> list[Entry]:
    """Entries whose `feedback.satisfaction` are `scores` (None: no feedback block)."""
    reqs = []
    for n, score in enumerate(scores):
        fields: dict[str, Any] = {} if score is None else {"feedback": {"satisfaction": score}}
        reqs.append(requirement(f"F-{n}", **fields))
    return list(catalog_of(reqs))


# Six requirements: 2 done, 1 rejected, 1 duplicate, 2 open.
#   fulfilment = done / (all - rejected - duplicate) = 2 / (6 - 2) = 0.5
#   satisfaction = (5 + 2) / 2 = 3.5 over 2 responses
#   overdue on 2026-11-25: S-4 (due 11-24, open); S-5 is due that day; S-1 is late but done.
STATS = [
    requirement(
        "S-1",
        "done",
        owner="ann",
        team="product",
        due="2026-11-01",
        source={"channel": "interview", "customers": ["acme", "acme"]},  # acme counts once
        priority={"importance": "high", "urgency": "urgent", "kano": "basic"},
        feedback={"satisfaction": 5},
    ),
    requirement(
        "S-2",
        "done",
        owner="bob",
        source={"channel": "survey", "customers": ["acme", "globex"]},
        priority={"value": 7, "cost": 2},
        feedback={"satisfaction": 2},
    ),
    requirement("S-3", "rejected", owner="ann", source={"customers": ["globex"]}),
    requirement("S-4", "in-progress", owner="ann", team="product", due="2026-11-24",
                source={"channel": "sales", "customers": ["hooli"]}),
    requirement("S-5", "proposed", due="2026-11-25"),
    requirement("S-6", "duplicate", due="2026-01-01", source={"channel": "interview"}),
]  # fmt: skip


@pytest.fixture
def stats() -> Catalog:
    return catalog_of(STATS, CUSTOMERS)


@pytest.mark.parametrize(
    ("statuses", "rate"),
    [
        (("done", "done", "proposed", "accepted", "rejected"), 0.5),  # 2 / (5 - 1)
        (("done", "proposed", "in-progress"), 0.333),  # 1 / 3, rounded to 3 places
        (("done", "duplicate"), 1.0),  # 1 / (2 - 1)
        (("proposed", "deferred"), 0.0),  # deferred is not fulfilled, and it counts
        (("rejected", "duplicate", "rejected"), None),  # nothing counts
        ((), None),
    ],
)
def test_fulfilment_rate_is_done_over_all_not_rejected_or_duplicate(
    statuses: tuple[str, ...], rate: float | None
) -> None:
    # The rule of metrics.py: a rejected or duplicated request was answered, not fulfilled.
    # verifies: REQ-310
    assert fulfilment_rate(entries(*statuses)) == rate


def test_fulfilment_rate_with_another_done_status() -> None:
    # verifies: REQ-310
    # verifies: REQ-006
    assert fulfilment_rate(entries("closed", "open", "done"), done="closed") == 0.333


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ((5, 2, None), {"mean": 3.5, "responses": 2}),
        ((4, 4, 5), {"mean": 4.33, "responses": 3}),  # 13 / 3, rounded to 2 places
        ((1,), {"mean": 1.0, "responses": 1}),
        # out of 1-5, not a whole number, or a boolean: not a response
        ((0, 6, 4.5, "5", True, 3), {"mean": 3.0, "responses": 1}),
        ((None, None), {"mean": None, "responses": 0}),
        ((), {"mean": None, "responses": 0}),
    ],
)
def test_satisfaction_is_the_mean_of_valid_responses(
    scores: tuple[Any, ...], expected: dict[str, Any]
) -> None:
    # verifies: REQ-310
    assert satisfaction(feedback(*scores)) == expected


def test_overdue_is_past_due_and_not_terminal_sorted(stats: Catalog) -> None:
    # verifies: REQ-310
    # verifies: REQ-106
    assert overdue(stats, TODAY) == ["S-4"]
    # A day later S-5 is late too; S-1 (done) and S-6 (duplicate) never are.
    assert overdue(stats, TODAY + dt.timedelta(days=1)) == ["S-4", "S-5"]
    assert overdue(stats, dt.date(2026, 1, 1)) == []


def test_overdue_follows_the_configured_terminal_statuses() -> None:
    # verifies: REQ-006
    config = Config(
        root=Path("."),
        workflow=Workflow(statuses=("open", "shipped", "dropped"), terminal=("shipped",)),
    )
    catalog = catalog_of(
        [
            requirement("T-1", "open", due="2026-01-01"),
            requirement("T-2", "shipped", due="2026-01-01"),
            requirement("T-3", "dropped", due="2026-01-01"),
            requirement("T-4", "open", due="not a date"),  # RF102 in check; never overdue
        ],
        config=config,
    )
    assert overdue(catalog, TODAY) == ["T-1", "T-3"]


def test_backlog_stats_counts(stats: Catalog) -> None:
    # verifies: REQ-310
    document = backlog_stats(stats, TODAY)
    assert document["requirements"] == 6
    assert document["by_status"] == {
        "done": 2, "duplicate": 1, "in-progress": 1, "proposed": 1, "rejected": 1,
    }  # fmt: skip
    assert document["by_type"] == {"functional": 6}
    assert document["by_p_level"] == {"(none)": 5, "P0": 1}
    assert document["by_quadrant"] == {"(none)": 5, "quick-win": 1}  # value 7, cost 2
    assert document["by_kano"] == {"(none)": 5, "basic": 1}
    assert document["by_channel"] == {"(none)": 2, "interview": 2, "sales": 1, "survey": 1}
    assert document["by_customer"] == {"acme": 2, "globex": 2, "hooli": 1}
    assert document["fulfilment_rate"] == 0.5  # 2 / (6 - 1 rejected - 1 duplicate)
    assert document["satisfaction"] == {"mean": 3.5, "responses": 2}
    assert document["overdue"] == ["S-4"]
    # Without history, the git-based figures are present and null.
    for key in ("lead_time_days", "sla_breaches", "response_time_hours", "ageing_days",
                "throughput_per_week", "lead_time_per_month"):  # fmt: skip
        assert document[key] is None, key
    assert "by" not in document
    assert "groups" not in document


def test_per_customer_figures(stats: Catalog) -> None:
    # verifies: REQ-310
    # verifies: REQ-007
    customers = backlog_stats(stats, TODAY)["customers"]
    assert list(customers) == ["(none)", "acme", "globex", "hooli"]
    acme = customers["acme"]
    assert (acme["name"], acme["tier"], acme["industry"]) == ("Acme Corp", "A", None)
    assert (acme["requested"], acme["done"], acme["open"]) == (2, 2, 0)  # S-1 once, S-2
    assert acme["fulfilment_rate"] == 1.0
    assert acme["satisfaction"] == {"mean": 3.5, "responses": 2}
    assert acme["overdue"] == []
    assert acme["by_status"] == {"done": 2}
    assert acme["requirements"] == [
        {"id": "S-1", "title": "Title of S-1", "status": "done"},
        {"id": "S-2", "title": "Title of S-2", "status": "done"},
    ]
    globex = customers["globex"]
    assert (globex["requested"], globex["done"], globex["fulfilment_rate"]) == (2, 1, 1.0)
    hooli = customers["hooli"]  # named by S-4, not registered: no name or tier
    assert "name" not in hooli
    assert (hooli["requested"], hooli["open"], hooli["overdue"]) == (1, 1, ["S-4"])
    assert hooli["fulfilment_rate"] == 0.0
    nobody = customers["(none)"]
    assert [r["id"] for r in nobody["requirements"]] == ["S-5", "S-6"]
    assert nobody["fulfilment_rate"] == 0.0  # 0 done / (2 - 1 duplicate)


@pytest.mark.parametrize(
    ("by", "expected"),
    [
        # group: (requested, done, open, fulfilment, IDs)
        (
            "owner",
            {
                "(none)": (2, 0, 1, 0.0, ["S-5", "S-6"]),
                "ann": (3, 1, 1, 0.5, ["S-1", "S-3", "S-4"]),  # 1 / (3 - 1 rejected)
                "bob": (1, 1, 0, 1.0, ["S-2"]),
            },
        ),
        (
            "team",
            {
                "(none)": (4, 1, 1, 0.5, ["S-2", "S-3", "S-5", "S-6"]),  # 1 / (4 - 2)
                "product": (2, 1, 1, 0.5, ["S-1", "S-4"]),
            },
        ),
        (
            "channel",
            {
                "(none)": (2, 0, 1, 0.0, ["S-3", "S-5"]),
                "interview": (2, 1, 0, 1.0, ["S-1", "S-6"]),
                "sales": (1, 0, 1, 0.0, ["S-4"]),
                "survey": (1, 1, 0, 1.0, ["S-2"]),
            },
        ),
        (
            "customer",
            {
                "(none)": (2, 0, 1, 0.0, ["S-5", "S-6"]),
                "acme": (2, 2, 0, 1.0, ["S-1", "S-2"]),
                "globex": (2, 1, 0, 1.0, ["S-2", "S-3"]),
                "hooli": (1, 0, 1, 0.0, ["S-4"]),
            },
        ),
    ],
)
def test_grouped_by_owner_team_channel_and_customer(
    stats: Catalog, by: str, expected: dict[str, Any]
) -> None:
    # verifies: REQ-310
    groups = grouped(stats, by, TODAY)
    summary = {
        key: (
            g["requested"],
            g["done"],
            g["open"],
            g["fulfilment_rate"],
            [r["id"] for r in g["requirements"]],
        )
        for key, g in groups.items()
    }
    assert summary == expected
    assert list(groups) == sorted(groups)
    document = backlog_stats(stats, TODAY, by=by)
    assert (document["by"], document["groups"]) == (by, groups)
    assert document["fulfilment_rate"] == 0.5  # the totals do not change


def test_an_empty_repository() -> None:
    # verifies: REQ-310
    catalog = catalog_of([], CUSTOMERS)
    document = backlog_stats(catalog, TODAY, by="owner")
    assert document["requirements"] == 0
    for key in ("by_status", "by_type", "by_p_level", "by_quadrant", "by_kano", "by_channel",
                "by_customer", "customers", "groups"):  # fmt: skip
        assert document[key] == {}, key
    assert document["fulfilment_rate"] is None  # not 0: nothing was asked for
    assert document["satisfaction"] == {"mean": None, "responses": 0}
    assert document["overdue"] == []


def test_everything_rejected_has_no_fulfilment_rate() -> None:
    # verifies: REQ-310
    catalog = catalog_of(
        [requirement("R-1", "rejected", source={"customers": ["acme"]}),
         requirement("R-2", "duplicate", owner="ann")],
        CUSTOMERS,
    )  # fmt: skip
    document = backlog_stats(catalog, TODAY)
    assert document["fulfilment_rate"] is None
    assert document["customers"]["acme"]["fulfilment_rate"] is None
    assert document["customers"]["acme"]["open"] == 0  # rejected is terminal
    assert grouped(catalog, "owner", TODAY)["ann"]["fulfilment_rate"] is None


STATUSES = ("proposed", "accepted", "in-progress", "done", "rejected", "duplicate", "deferred")


@given(st.lists(st.sampled_from(STATUSES), max_size=30))
def test_fulfilment_rate_is_a_fraction_or_none(statuses: list[str]) -> None:
    # verifies: REQ-310
    rate = fulfilment_rate(entries(*statuses))
    counted = [s for s in statuses if s not in ("rejected", "duplicate")]
    if not counted:
        assert rate is None
    else:
        assert rate is not None and 0.0 <= rate <= 1.0
        assert rate == round(counted.count("done") / len(counted), 3)


def _random_requirement(n: int, draw: Any) -> Requirement:
    return requirement(
        f"H-{n}",
        draw(st.sampled_from(STATUSES)),
        owner=draw(st.sampled_from(["ann", "bob", None])),
        due=draw(st.sampled_from(["2026-11-01", "2026-12-31", None])),
        source={
            "channel": draw(st.sampled_from(["interview", "survey"])),
            "customers": draw(st.lists(st.sampled_from(["acme", "globex", "hooli"]), max_size=3)),
        },
        priority={"importance": draw(st.sampled_from(["high", "low"])), "urgency": "urgent"},
        feedback={"satisfaction": draw(st.integers(0, 6))},
    )


@given(st.data())
def test_stats_do_not_depend_on_the_order_of_requirements(data: st.DataObject) -> None:
    # verifies: REQ-310
    count = data.draw(st.integers(0, 8))
    reqs = [_random_requirement(n, data.draw) for n in range(count)]
    shuffled = data.draw(st.permutations(reqs))
    registry = {c.key: c for c in CUSTOMERS}

    def document(order: list[Requirement]) -> dict[str, Any]:
        catalog = Catalog(Repository("/repo", tuple(order), registry), Config(root=Path(".")))
        return backlog_stats(catalog, TODAY, by="owner")

    first = document(reqs)
    assert document(list(shuffled)) == first
    assert sum(first["by_status"].values()) == first["requirements"] == count
    assert satisfaction(list(catalog_of(shuffled))) == first["satisfaction"]


# --- figures from git history -------------------------------------------------------------------


def status_events(rid: str, *steps: tuple[str, str]) -> list[Event]:
    """The events of `rid`: (date, status) steps, oldest first; the first one adds the file."""
    events = []
    previous: str | None = None
    for n, (date, status) in enumerate(steps):
        commit = Commit(f"{rid}-{n}", "A", "a@example.com", date, "change", None, ())
        kind = "added" if n == 0 else "modified"
        change = Change("status", previous, status)
        events.append(Event(commit, rid, kind, f"reqs/{rid}.md", None, (change,)))
        previous = status
    return events


def history_of(*events: list[Event]) -> History:
    """A history of these events, newest first as the walk gives them."""
    ordered = sorted((e for group in events for e in group), key=lambda e: e.commit.date)
    return History(tuple(reversed(ordered)), available=True, shallow=False, head="h", note=None)


def urgency(level: str) -> dict[str, Any]:
    return {"priority": {"importance": "low", "urgency": level}}


# Today 2026-10-10, so "now" is 2026-10-10 23:59:59 UTC. SLA: urgent 24 h, normal 72 h.
#   H-1 urgent, answered after 24 h exactly: no breach (only more than the SLA is one)
#   H-2 urgent, answered after 25 h: breach
#   H-3 normal, proposed on 10-07 and never answered: 95.99 h > 72 h by now: breach
#   H-4 normal, proposed on 10-09: 47.99 h so far: no breach
#   H-5 deferred urgency (no SLA), proposed on 09-01: never a breach
#   H-6 normal, answered after 12 h, done on 10-08: lead time 7 days, throughput 2026-W41
#   H-7 accepted from the start (no response time), done 06-10, reopened: no lead time
#   H-8 not in the history: left out of every figure
# Response times 12, 24, 25 h: median 24, p90 the 3rd of 3 (round(0.9 × 3) = 3) = 25.
# Ages of the open ones (all but H-6 and H-8), in days: H-4 1.99, H-3 3.99, H-1 and H-2 9.99,
# H-5 39.99, H-7 131.99: median (9.99 + 9.99) / 2 = 10.0, p90 the 5th of 6 = 40.0.
HISTORY_REQS = [
    requirement("H-1", "accepted", **urgency("urgent")),
    requirement("H-2", "accepted", **urgency("urgent")),
    requirement("H-3", "proposed", **urgency("normal")),
    requirement("H-4", "proposed", **urgency("normal")),
    requirement("H-5", "proposed", **urgency("deferred")),
    requirement("H-6", "done", **urgency("normal")),
    requirement("H-7", "in-progress", **urgency("urgent")),
    requirement("H-8", "proposed", **urgency("urgent")),
]
HISTORY = history_of(
    status_events("H-1", ("2026-10-01T00:00:00+00:00", "proposed"),
                  ("2026-10-02T00:00:00+00:00", "accepted")),
    status_events("H-2", ("2026-10-01T00:00:00+00:00", "proposed"),
                  ("2026-10-02T01:00:00+00:00", "accepted")),
    status_events("H-3", ("2026-10-07T00:00:00+00:00", "proposed")),
    status_events("H-4", ("2026-10-09T00:00:00+00:00", "proposed")),
    status_events("H-5", ("2026-09-01T00:00:00+00:00", "proposed")),
    status_events("H-6", ("2026-10-01T00:00:00+00:00", "proposed"),
                  ("2026-10-01T12:00:00+00:00", "accepted"),
                  ("2026-10-02T00:00:00+00:00", "in-progress"),
                  ("2026-10-08T00:00:00+00:00", "done")),
    status_events("H-7", ("2026-06-01T00:00:00+00:00", "accepted"),
                  ("2026-06-10T00:00:00+00:00", "done"),
                  ("2026-06-20T00:00:00+00:00", "in-progress")),
)  # fmt: skip


def test_history_figures_hand_computed() -> None:
    # verifies: REQ-310
    # verifies: REQ-306
    # verifies: REQ-009
    catalog = catalog_of(HISTORY_REQS)
    figures = history_stats(catalog, HISTORY, dt.date(2026, 10, 10))
    assert figures == {
        "lead_time_days": {"median": 7.0, "p90": 7.0},
        "response_time_hours": {"median": 24.0, "p90": 25.0},
        "sla_breaches": ["H-2", "H-3"],
        "ageing_days": {
            "median": 10.0,
            "p90": 40.0,
            "open": 6,
            "buckets": {"0-7 days": 2, "30-90 days": 1, "7-30 days": 2, "90+ days": 1},
        },
        "throughput_per_week": {"2026-W41": 1},
        "lead_time_per_month": {"2026-10": {"median": 7.0, "p90": 7.0, "done": 1}},
    }
    # backlog_stats takes these figures when history is available, and only then.
    document = backlog_stats(catalog, dt.date(2026, 10, 10), history=HISTORY)
    assert {k: document[k] for k in figures} == figures
    absent = History(HISTORY.events, False, HISTORY.shallow, HISTORY.head, HISTORY.note)
    assert backlog_stats(catalog, dt.date(2026, 10, 10), history=absent)["sla_breaches"] is None


def test_sla_follows_the_configured_hours() -> None:
    # verifies: REQ-306
    # H-2 waited 25 h and H-3 95.99 h: with urgent 26 h and normal 96 h neither breaches.
    config = Config(
        root=Path("."),
        workflow=Workflow(sla_hours=MappingProxyType({"urgent": 26.0, "normal": 96.0})),
    )
    catalog = catalog_of(HISTORY_REQS, config=config)
    assert history_stats(catalog, HISTORY, dt.date(2026, 10, 10))["sla_breaches"] == []


def test_history_figures_of_an_empty_history() -> None:
    # verifies: REQ-310
    figures = history_stats(catalog_of(HISTORY_REQS), history_of(), dt.date(2026, 10, 10))
    empty = {"median": None, "p90": None}
    assert figures == {
        "lead_time_days": empty,
        "response_time_hours": empty,
        "sla_breaches": [],
        "ageing_days": {**empty, "open": 0, "buckets": {}},
        "throughput_per_week": {},
        "lead_time_per_month": {},
    }


def test_lead_time_per_month_takes_the_requirements_done_that_month() -> None:
    # verifies: REQ-501
    # verifies: REQ-310
    # M-1 took 2 days and M-2 10 days, both done in March; M-3 took 40 days, done in May; M-4
    # was done in March and reopened, so it is not done: no lead time at all.
    reqs = [
        requirement(rid, status)
        for rid, status in (
            ("M-1", "done"),
            ("M-2", "done"),
            ("M-3", "done"),
            ("M-4", "in-progress"),
        )
    ]
    history = history_of(
        status_events("M-1", ("2026-03-01T00:00:00+00:00", "proposed"),
                      ("2026-03-03T00:00:00+00:00", "done")),
        status_events("M-2", ("2026-02-25T00:00:00+00:00", "proposed"),
                      ("2026-03-07T00:00:00+00:00", "done")),
        status_events("M-3", ("2026-04-01T00:00:00+00:00", "proposed"),
                      ("2026-05-11T00:00:00+00:00", "done")),
        status_events("M-4", ("2026-03-01T00:00:00+00:00", "proposed"),
                      ("2026-03-02T00:00:00+00:00", "done"),
                      ("2026-03-05T00:00:00+00:00", "in-progress")),
    )  # fmt: skip
    figures = history_stats(catalog_of(reqs), history, dt.date(2026, 6, 1))
    assert figures["lead_time_per_month"] == {
        "2026-03": {"median": 6.0, "p90": 10.0, "done": 2},
        "2026-05": {"median": 40.0, "p90": 40.0, "done": 1},
    }
    # the overall figures are over the same three requirements
    assert figures["lead_time_days"] == {"median": 10.0, "p90": 40.0}
