"""`reqforge stats` end to end on the hand-built stats repository (tests/backlog_fixtures.py):
counts, fulfilment, satisfaction, overdue items, per-customer and per-group figures, tables.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.backlog_fixtures import (
    json_of,
    ok,
    subprocess_run,
    usage_error,
)

from reqforge.render.tables import width_of

STATS_SPEC_KEYS = {
    "requirements", "by_status", "by_type", "by_p_level", "fulfilment_rate", "lead_time_days",
    "sla_breaches", "overdue", "satisfaction", "by_channel",
}  # fmt: skip


def stats_of(root: Path, *args: str, env: dict[str, str | None] | None = None) -> dict[str, Any]:
    return json_of(root, "stats", *args, env=env)


def test_stats_json_hand_computed(stats_repo: Path) -> None:
    # verifies: REQ-310
    document = stats_of(stats_repo, "--today", "2026-11-25")
    assert set(document) >= STATS_SPEC_KEYS
    assert document["requirements"] == 6
    assert document["by_status"] == {
        "accepted": 1, "done": 2, "in-progress": 1, "proposed": 1, "rejected": 1,
    }  # fmt: skip
    assert document["by_type"] == {"business": 1, "functional": 5}
    assert document["by_p_level"] == {"P0": 1, "P1": 1, "(none)": 4}
    assert document["by_channel"] == {"interview": 2, "survey": 1, "sales": 1, "(none)": 2}
    assert document["fulfilment_rate"] == 0.4  # 2 done / (6 - 1 rejected)
    assert document["overdue"] == ["S-4"]
    assert document["satisfaction"] == {"mean": 4.0, "responses": 2}  # (5 + 3) / 2
    # From git history, not available yet: present and null.
    assert document["lead_time_days"] is None
    assert document["sla_breaches"] is None


def test_stats_per_customer(stats_repo: Path) -> None:
    # verifies: REQ-310
    # verifies: REQ-007
    customers = stats_of(stats_repo, "--today", "2026-11-25")["customers"]
    assert set(customers) == {"acme", "globex", "hooli", "(none)"}
    acme = customers["acme"]
    assert (acme["name"], acme["tier"]) == ("Acme Corp", "A")
    assert acme["requested"] == 3  # S-1, S-2, S-4
    assert acme["done"] == 2
    assert acme["open"] == 1
    assert acme["fulfilment_rate"] == 0.667  # 2 / 3
    assert acme["satisfaction"] == {"mean": 4.0, "responses": 2}
    assert acme["overdue"] == ["S-4"]
    assert [(r["id"], r["status"]) for r in acme["requirements"]] == [
        ("S-1", "done"),
        ("S-2", "done"),
        ("S-4", "in-progress"),
    ]
    globex = customers["globex"]
    assert (globex["name"], globex["tier"]) == ("Globex Ltd", "B")
    assert (globex["requested"], globex["done"], globex["open"]) == (2, 1, 0)
    assert globex["fulfilment_rate"] == 1.0  # 1 done / (2 - 1 rejected)
    assert [(r["id"], r["status"]) for r in globex["requirements"]] == [
        ("S-2", "done"),
        ("S-3", "rejected"),
    ]
    hooli = customers["hooli"]  # listed in source.customers but not registered
    assert "name" not in hooli or hooli["name"] in (None, "hooli")
    assert (hooli["requested"], hooli["done"], hooli["fulfilment_rate"]) == (1, 0, 0.0)
    assert [r["id"] for r in customers["(none)"]["requirements"]] == ["S-5"]


def test_stats_overdue_by_today_option_and_env(stats_repo: Path) -> None:
    # Due 2026-11-25 is not overdue on 2026-11-25; a done item is never overdue.
    # verifies: REQ-310
    assert stats_of(stats_repo, "--today", "2026-11-25")["overdue"] == ["S-4"]
    late = {"REQFORGE_TODAY": "2026-12-02"}
    assert stats_of(stats_repo, env=late)["overdue"] == ["S-4", "S-5", "S-6"]
    # The option wins over the environment.
    assert stats_of(stats_repo, "--today", "2026-11-25", env=late)["overdue"] == ["S-4"]
    assert stats_of(stats_repo, "--today", "2026-10-01")["overdue"] == []


def test_stats_bad_today_is_exit_2(stats_repo: Path) -> None:
    # verifies: REQ-701
    stderr = usage_error(stats_repo, "stats", "--today", "25/11/2026")
    assert "--today" in stderr


def summary(groups: dict[str, Any]) -> dict[str, tuple[int, int, float | None, list[str]]]:
    return {
        key: (
            group["requested"],
            group["done"],
            group["fulfilment_rate"],
            [r["id"] for r in group["requirements"]],
        )
        for key, group in groups.items()
    }


@pytest.mark.parametrize(
    ("by", "expected"),
    [
        (
            "owner",
            {
                "ann": (3, 1, 0.5, ["S-1", "S-3", "S-4"]),  # 1 done / (3 - 1 rejected)
                "bob": (1, 1, 1.0, ["S-2"]),
                "(none)": (2, 0, 0.0, ["S-5", "S-6"]),
            },
        ),
        (
            "channel",
            {
                "interview": (2, 1, 1.0, ["S-1", "S-3"]),  # 1 / (2 - 1)
                "survey": (1, 1, 1.0, ["S-2"]),
                "sales": (1, 0, 0.0, ["S-4"]),
                "(none)": (2, 0, 0.0, ["S-5", "S-6"]),
            },
        ),
        (
            "team",
            {
                "product": (2, 1, 0.5, ["S-1", "S-4"]),
                "sales": (1, 1, 1.0, ["S-2"]),
                "(none)": (3, 0, 0.0, ["S-3", "S-5", "S-6"]),  # 0 / (3 - 1)
            },
        ),
        (
            "customer",
            {
                "acme": (3, 2, 0.667, ["S-1", "S-2", "S-4"]),
                "globex": (2, 1, 1.0, ["S-2", "S-3"]),
                "hooli": (1, 0, 0.0, ["S-6"]),
                "(none)": (1, 0, 0.0, ["S-5"]),
            },
        ),
    ],
)
def test_stats_by_groups(stats_repo: Path, by: str, expected: dict[str, Any]) -> None:
    # verifies: REQ-310
    document = stats_of(stats_repo, "--by", by, "--today", "2026-11-25")
    assert document["by"] == by
    assert summary(document["groups"]) == expected
    assert document["fulfilment_rate"] == 0.4  # the totals do not change


def test_stats_table_names_each_customer(stats_repo: Path) -> None:
    # verifies: REQ-310
    output = ok(stats_repo, "stats", "--today", "2026-11-25").stdout
    for text in ("Acme Corp", "Globex Ltd", "hooli", "40.0%", "S-4 in-progress", "S-6 accepted"):
        assert text in output, text
    by_owner = ok(stats_repo, "stats", "--by", "owner", "--today", "2026-11-25").stdout
    for text in ("ann", "bob", "50.0%"):
        assert text in by_owner


@pytest.mark.parametrize("width", [80, 100])
def test_stats_table_fits_the_terminal(stats_repo: Path, width: int) -> None:
    output = ok(stats_repo, "stats", "--today", "2026-11-25", env={"COLUMNS": str(width)}).stdout
    for line in output.splitlines():
        assert width_of(line) <= width, line
    assert "Acme Corp" in output


@pytest.mark.parametrize("by", ["customer", "owner"])
def test_stats_table_keeps_what_each_customer_asked_for_at_80_columns(
    stats_repo: Path, by: str
) -> None:
    output = ok(
        stats_repo, "stats", "--by", by, "--today", "2026-11-25", env={"COLUMNS": "80"}
    ).stdout
    assert "S-6 accepted" in output


# --- the real process -------------------------------------------------------------------------


def test_stats_today_from_the_environment_as_a_process(stats_repo: Path) -> None:
    # verifies: REQ-310
    # verifies: REQ-701
    proc = subprocess_run(
        stats_repo, "stats", "--format", "json", env={"REQFORGE_TODAY": "2026-12-02"}
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["overdue"] == ["S-4", "S-5", "S-6"]
