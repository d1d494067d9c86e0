"""Issue 4 end to end: `prioritize`, `list`, `show` and `stats` on small hand-built repositories.

Every expected number is worked out by hand in the comments next to it (SPEC section 4), never
recomputed with reqforge's own functions.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from tests.conftest import requirement_text as req

from reqforge.cli.main import cli
from reqforge.render.tables import width_of

Repo = Callable[..., Path]

CUSTOMERS = """\
acme:
  name: Acme Corp
  industry: retail
  tier: A
  contact: {email: buyer@acme.example}
globex:
  name: Globex Ltd
  industry: energy
  tier: B
initech:
  name: Initech
  tier: C
"""

LONG_CHINESE = "批量导出客户数据到电子表格以便财务部门每月对账使用"

# The backlog every prioritize/list/show test reads. Hand-computed scores:
#
# id     status       P-level            ICE             RICE                     quadrant
# CRM-1  in-progress  high+urgent  P0    4×4×3=48 med    1200×2×0.8/3 = 640.0     6/5 quick-win
# CRM-2  accepted     low+normal   P3    5×4×3=60 high   500×1×0.5/2  = 125.0     5/5 fill-in
# CRM-3  proposed     -                  -               -                        -
# CRM-4  proposed     high+urgent  P0    2×2×3=12 low    100×3×0.25/0.5 = 150.0   6/6 strategic
# CRM-5  deferred     high+normal  P1    3×3×3=27 low    10×1×1/4     = 2.5       3/8 avoid
# CRM-6  done         high+urgent  P0    5×5×5=125 high  -                        -
# CRM-7  rejected     high+deferred P1   -               -                        -
# CRM-8  in-progress  -                  5×5×3=75 high   -                        -
#
# id     RPN              WSJF                      demand (A=3, B=2, C=1)    votes
# CRM-1  7×4×5 = 140      (8+5+3)/4 = 4.0           acme+globex = 3+2 = 5     (3×9+1×5)/4 = 8.0
# CRM-2  2×3×4 = 24       (4+2+1)/3 = 2.333 (alias) initech = 1               (2×4+1×10)/3 = 6.0
# CRM-4  -                -                         acme = 3                  bob 10 -> 10.0
# CRM-5  10×10×10 = 1000  -                         globex twice + nobody = 2 MoSCoW words only
# CRM-8  -                -                         acme = 3                  -
#
# Links: CRM-1 depends-on CRM-2 depends-on CRM-3 (so both block the P0 CRM-1);
# CRM-4 has parent CRM-2 (so CRM-2's children are [CRM-4]).
BACKLOG: dict[str, dict[str, Any]] = {
    "CRM-1": {
        "title": "Bulk export of customer data",
        "type": "functional",
        "status": "in-progress",
        "owner": "zhang.wei",
        "team": "product",
        "source": {"channel": "interview", "customers": ["acme", "globex"]},
        "priority": {
            "moscow": "must",
            "kano": "basic",
            "importance": "high",
            "urgency": "urgent",
            "value": 6,
            "cost": 5,
            "ice": {"impact": 4, "confidence": 4, "ease": 3},
            "rice": {"reach": 1200, "impact": 2, "confidence": 0.8, "effort": 3},
            "fmea": {"severity": 7, "occurrence": 4, "detection": 5},
            "wsjf": {"value": 8, "time-criticality": 5, "risk": 3, "size": 4},
            "votes": {"acme": 9, "bob": 5},
        },
        "links": {"depends-on": ["CRM-2"]},
        "acceptance": ["Exports 100,000 rows to CSV in under 10 seconds."],
        "tags": ["export", "data"],
    },
    "CRM-2": {
        "title": "Ledger API for the finance system",
        "type": "interface",
        "status": "accepted",
        "owner": "li.na",
        "team": "platform",
        "source": {"channel": "survey", "customers": ["initech"]},
        "priority": {
            "moscow": "should",
            "kano": "performance",
            "importance": "low",
            "urgency": "normal",
            "value": 5,
            "cost": 5,
            "ice": {"impact": 5, "confidence": 4, "ease": 3},
            "rice": {"reach": 500, "impact": 1, "confidence": 0.5, "effort": 2},
            "fmea": {"severity": 2, "occurrence": 3, "detection": 4},
            "wsjf": {"value": 4, "urgency": 2, "risk": 1, "size": 3},
            "votes": {"globex": 4, "initech": 10},
        },
        "links": {"depends-on": ["CRM-3"]},
        "acceptance": ["The API returns a ledger of 1,000 lines in under 1 second."],
        "tags": ["api"],
        "verification": {"method": "test"},
    },
    "CRM-3": {
        "title": "审计日志导出",
        "type": "functional",
        "status": "proposed",
        "tags": ["export"],
    },
    "CRM-4": {
        "title": "Print invoices for branch offices",
        "type": "functional",
        "status": "proposed",
        "source": {"customers": ["acme"]},
        "priority": {
            "moscow": "must",
            "importance": "high",
            "urgency": "urgent",
            "value": 6,
            "cost": 6,
            "ice": {"impact": 2, "confidence": 2, "ease": 3},
            "rice": {"reach": 100, "impact": 3, "confidence": 0.25, "effort": 0.5},
            "votes": {"bob": 10},
        },
        "links": {"parent": ["CRM-2"]},
        "tags": ["export"],
    },
    "CRM-5": {
        "title": "Dark mode",
        "type": "experience",
        "status": "deferred",
        "reason": "After the redesign.",
        "source": {"customers": ["globex", "globex", "nobody"]},
        "priority": {
            "moscow": "could",
            "kano": "excitement",
            "importance": "high",
            "urgency": "normal",
            "value": 3,
            "cost": 8,
            "ice": {"impact": 3, "confidence": 3, "ease": 3},
            "rice": {"reach": 10, "impact": 1, "confidence": 1, "effort": 4},
            "fmea": {"severity": 10, "occurrence": 10, "detection": 10},
            "votes": {"alice": "must", "carol": "must"},
        },
    },
    "CRM-6": {
        "title": "Single sign-on",
        "type": "functional",
        "status": "done",
        "priority": {
            "importance": "high",
            "urgency": "urgent",
            "ice": {"impact": 5, "confidence": 5, "ease": 5},
        },
    },
    "CRM-7": {
        "title": "Fax integration",
        "type": "functional",
        "status": "rejected",
        "reason": "Nobody sends faxes any more.",
        "priority": {"importance": "high", "urgency": "deferred"},
    },
    "CRM-8": {
        "title": LONG_CHINESE,
        "type": "functional",
        "status": "in-progress",
        "source": {"customers": ["acme"]},
        "priority": {"moscow": "must", "ice": {"impact": 5, "confidence": 5, "ease": 3}},
        "tags": ["export"],
    },
}

DEFAULT_BODY = "## Scenario\n\nTBD.\n"
BODIES = {
    "CRM-2": "## Scenario\n\nFinance pulls the ledger every night.\n",
}

# Where each file lives (areas are folders).
AREAS = {"CRM-1": "billing", "CRM-2": "billing", "CRM-3": "audit", "CRM-8": "billing/zh"}


# --- helpers ----------------------------------------------------------------------------------


def front_matter(rid: str, fields: dict[str, Any], body: str | None = None) -> str:
    """A requirement file: `id` plus `fields` as YAML front matter, then a Markdown body."""
    data = {"id": rid, **fields}
    dumped = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000)
    return f"---\n{dumped}---\n{DEFAULT_BODY if body is None else body}"


def repo_files(
    requirements: dict[str, dict[str, Any]],
    areas: dict[str, str] | None = None,
    bodies: dict[str, str] | None = None,
    customers: str | None = CUSTOMERS,
) -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {}
    for rid, fields in requirements.items():
        area = (areas or {}).get(rid, "")
        rel = f"reqs/{area}/{rid}.md" if area else f"reqs/{rid}.md"
        files[rel] = front_matter(rid, fields, (bodies or {}).get(rid))
    if customers is not None:
        files["reqs/customers.yaml"] = customers
    return files


@pytest.fixture
def backlog(make_repo: Repo) -> Path:
    return make_repo(repo_files(BACKLOG, AREAS, BODIES))


def invoke(root: Path, *args: str, env: dict[str, str | None] | None = None) -> Result:
    base: dict[str, str | None] = {"REQFORGE_TODAY": None, "NO_COLOR": None, "COLUMNS": None}
    return CliRunner().invoke(cli, ["--repo", str(root), *args], env={**base, **(env or {})})


def ok(root: Path, *args: str, env: dict[str, str | None] | None = None) -> Result:
    result = invoke(root, *args, env=env)
    assert result.exit_code == 0, (result.output, result.exception)
    assert "Traceback" not in result.output
    return result


def json_of(root: Path, *args: str, env: dict[str, str | None] | None = None) -> dict[str, Any]:
    return json.loads(ok(root, *args, "--format", "json", env=env).stdout)


def ids(document: dict[str, Any]) -> list[str]:
    return [item["id"] for item in document["items"]]


def prioritized(root: Path, *args: str) -> dict[str, Any]:
    return json_of(root, "prioritize", *args)


def listed(root: Path, *args: str) -> list[str]:
    return ids(json_of(root, "list", *args))


def usage_error(root: Path, *args: str) -> str:
    """Run a command that must fail with exit 2 and no traceback; its stderr."""
    result = invoke(root, *args)
    assert result.exit_code == 2, (result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert result.stdout == ""
    return result.stderr


def subprocess_run(root: Path, *args: str, env: dict[str, str] | None = None) -> Any:
    base = {k: v for k, v in os.environ.items() if k not in ("REQFORGE_TODAY", "NO_COLOR")}
    proc = subprocess.run(
        [sys.executable, "-m", "reqforge", "--repo", str(root), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        env={**base, **(env or {})},
    )
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    return proc


# The stats repository. 6 requirements: 2 done, 1 rejected, 3 open.
# fulfilment = done / (all - rejected - duplicate) = 2 / (6 - 1) = 0.4
# satisfaction = mean(5, 3) = 4.0 over 2 responses
# overdue at 2026-11-25: S-4 (due 11-24, open); S-5 is due that very day (not yet overdue),
# S-1 is past due but done. At 2026-12-02 also S-5 and S-6 (due 12-01).
STATS: dict[str, dict[str, Any]] = {
    "S-1": {
        "title": "Export invoices as PDF",
        "type": "functional",
        "status": "done",
        "owner": "ann",
        "team": "product",
        "due": "2026-11-01",
        "source": {"channel": "interview", "customers": ["acme"]},
        "priority": {"importance": "high", "urgency": "urgent"},
        "feedback": {"satisfaction": 5, "comment": "Saves us two days a month."},
    },
    "S-2": {
        "title": "Quarterly revenue report",
        "type": "business",
        "status": "done",
        "owner": "bob",
        "team": "sales",
        "source": {"channel": "survey", "customers": ["acme", "globex"]},
        "priority": {"importance": "high", "urgency": "normal"},
        "feedback": {"satisfaction": 3},
    },
    "S-3": {
        "title": "Telex gateway",
        "type": "functional",
        "status": "rejected",
        "reason": "Obsolete.",
        "owner": "ann",
        "source": {"channel": "interview", "customers": ["globex"]},
    },
    "S-4": {
        "title": "Bulk price update",
        "type": "functional",
        "status": "in-progress",
        "owner": "ann",
        "team": "product",
        "due": "2026-11-24",
        "source": {"channel": "sales", "customers": ["acme"]},
    },
    "S-5": {
        "title": "Keyboard shortcuts",
        "type": "functional",
        "status": "proposed",
        "due": "2026-11-25",
    },
    "S-6": {
        "title": "Hooli single sign-on",
        "type": "functional",
        "status": "accepted",
        "due": "2026-12-01",
        "source": {"customers": ["hooli"]},  # not in customers.yaml
    },
}


@pytest.fixture
def stats_repo(make_repo: Repo) -> Path:
    return make_repo(repo_files(STATS))


# --- expected scores, by hand (see the table above BACKLOG) -----------------------------------

SPEC_ITEM_KEYS = {
    "rank", "id", "title", "status", "moscow", "kano", "ice", "rice", "quadrant", "p_level",
    "rpn", "wsjf", "demand",
}  # fmt: skip
NO_SCORES: dict[str, Any] = {
    "moscow": None, "kano": None, "ice": None, "rice": None, "quadrant": None, "p_level": None,
    "rpn": None, "wsjf": None, "demand": None, "votes": None, "vote_counts": None,
}  # fmt: skip
SCORES: dict[str, dict[str, Any]] = {
    "CRM-1": {
        **NO_SCORES,
        "moscow": "must",
        "kano": "basic",
        "ice": {"score": 48, "level": "medium"},  # 4×4×3 = 48: 30 <= 48 < 60
        "rice": 640.0,  # 1200×2×0.8/3
        "quadrant": "quick-win",  # value 6 >= 6, cost 5 <= 5: both on the boundary
        "p_level": "P0",  # high + urgent
        "rpn": 140,  # 7×4×5
        "wsjf": 4.0,  # (8 + 5 + 3) / 4, with `time-criticality`
        "demand": 5,  # acme (A = 3) + globex (B = 2)
        "votes": 8.0,  # (3×9 + 1×5) / (3 + 1): acme is tier A, bob is nobody
    },
    "CRM-2": {
        **NO_SCORES,
        "moscow": "should",
        "kano": "performance",
        "ice": {"score": 60, "level": "high"},  # 5×4×3 = 60: exactly the high threshold
        "rice": 125.0,  # 500×1×0.5/2
        "quadrant": "fill-in",  # value 5 < 6, cost 5 <= 5
        "p_level": "P3",  # low + normal
        "rpn": 24,  # 2×3×4
        "wsjf": 2.333,  # (4 + 2 + 1) / 3 = 2.3333.., with the `urgency` alias
        "demand": 1,  # initech (C = 1)
        "votes": 6.0,  # (2×4 + 1×10) / (2 + 1): globex B, initech C
    },
    "CRM-3": dict(NO_SCORES),
    "CRM-4": {
        **NO_SCORES,
        "moscow": "must",
        "ice": {"score": 12, "level": "low"},  # 2×2×3
        "rice": 150.0,  # 100×3×0.25/0.5
        "quadrant": "strategic",  # value 6 >= 6, cost 6 > 5
        "p_level": "P0",
        "demand": 3,  # acme
        "votes": 10.0,  # bob alone, weight 1
    },
    "CRM-5": {
        **NO_SCORES,
        "moscow": "could",
        "kano": "excitement",
        "ice": {"score": 27, "level": "low"},  # 3×3×3 = 27 < 30
        "rice": 2.5,  # 10×1×1/4
        "quadrant": "avoid",  # value 3 < 6, cost 8 > 5
        "p_level": "P1",  # high + normal
        "rpn": 1000,  # 10×10×10
        "demand": 2,  # globex listed twice counts once; `nobody` is unregistered: 0
        "vote_counts": {"must": 2, "should": 0, "could": 0, "wont": 0},
    },
    "CRM-6": {**NO_SCORES, "ice": {"score": 125, "level": "high"}, "p_level": "P0"},
    "CRM-7": {**NO_SCORES, "p_level": "P1"},  # high + deferred
    "CRM-8": {
        **NO_SCORES,
        "moscow": "must",
        "ice": {"score": 75, "level": "high"},  # 5×5×3
        "demand": 3,
    },
}
DISAGREEMENTS = {
    "CRM-4": [
        "MoSCoW must but ICE level low (score 12)",
        "P-level P0 but ICE level low (score 12)",
    ],
    "CRM-5": ["stakeholder votes favour must but MoSCoW is could"],
}
# Inherited urgency: CRM-1 (P0) depends on CRM-2, which depends on CRM-3.
BLOCKING = {"CRM-2": ["CRM-1"], "CRM-3": ["CRM-1"]}

# Combined rank = p-level, then ICE, then RICE, then ID:
#   P0: CRM-1 (ICE 48) before CRM-4 (ICE 12); P1: CRM-5; P3: CRM-2;
#   no P-level: CRM-8 (ICE 75) before CRM-3 (no ICE).
COMBINED = ["CRM-1", "CRM-4", "CRM-5", "CRM-2", "CRM-8", "CRM-3"]
# With --all: CRM-6 (P0, ICE 125) first; CRM-7 (P1, no ICE) after CRM-5 (P1, ICE 27).
COMBINED_ALL = ["CRM-6", "CRM-1", "CRM-4", "CRM-5", "CRM-7", "CRM-2", "CRM-8", "CRM-3"]


# --- prioritize: JSON ---------------------------------------------------------------------------


def test_prioritize_json_has_spec_keys_and_hand_computed_scores(backlog: Path) -> None:
    # verifies: REQ-210
    # verifies: REQ-201
    # verifies: REQ-202
    # verifies: REQ-203
    # verifies: REQ-204
    # verifies: REQ-205
    # verifies: REQ-206
    # verifies: REQ-207
    # verifies: REQ-208
    # verifies: REQ-209
    # verifies: REQ-211
    # verifies: REQ-212
    # verifies: REQ-213
    document = prioritized(backlog)
    assert document["method"] == "combined"
    assert ids(document) == COMBINED
    for rank, item in enumerate(document["items"], 1):
        assert set(item) >= SPEC_ITEM_KEYS, SPEC_ITEM_KEYS - set(item)
        rid = item["id"]
        assert item["rank"] == rank
        assert item["title"] == BACKLOG[rid]["title"]
        assert item["status"] == BACKLOG[rid]["status"]
        assert {k: item[k] for k in SCORES[rid]} == SCORES[rid], rid
        assert item["blocking"] == BLOCKING.get(rid, [])
        assert item["disagreements"] == DISAGREEMENTS.get(rid, [])


def test_prioritize_json_numbers_keep_their_types(backlog: Path) -> None:
    # verifies: REQ-210
    text = ok(backlog, "prioritize", "--format", "json").stdout
    first = json.loads(text)["items"][0]
    assert first["id"] == "CRM-1"
    assert type(first["demand"]) is int  # a whole demand is printed as 5, not 5.0
    assert type(first["rpn"]) is int
    assert type(first["rice"]) is float
    assert '"demand": 5,' in text


def test_prioritize_leaves_terminal_statuses_out_unless_all(backlog: Path) -> None:
    # verifies: REQ-210
    assert "CRM-6" not in ids(prioritized(backlog))  # done
    assert "CRM-7" not in ids(prioritized(backlog))  # rejected
    everything = prioritized(backlog, "--all")
    assert ids(everything) == COMBINED_ALL
    assert [item["rank"] for item in everything["items"]] == list(range(1, 9))
    for item in everything["items"]:
        assert {k: item[k] for k in SCORES[item["id"]]} == SCORES[item["id"]]


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        # highest ICE first; CRM-3 has no ICE inputs: last
        ("ice", ["CRM-8", "CRM-2", "CRM-1", "CRM-5", "CRM-4", "CRM-3"]),
        # 640 > 150 > 125 > 2.5; then the two without RICE by ID
        ("rice", ["CRM-1", "CRM-4", "CRM-2", "CRM-5", "CRM-3", "CRM-8"]),
        # quick-win, strategic, fill-in, avoid, then none
        ("value-cost", ["CRM-1", "CRM-4", "CRM-2", "CRM-5", "CRM-3", "CRM-8"]),
        # RPN 1000 > 140 > 24, then none by ID
        ("fmea", ["CRM-5", "CRM-1", "CRM-2", "CRM-3", "CRM-4", "CRM-8"]),
        ("rpn", ["CRM-5", "CRM-1", "CRM-2", "CRM-3", "CRM-4", "CRM-8"]),
        # 10.0 > 8.0 > 6.0; CRM-5's votes are MoSCoW words only: no score
        ("votes", ["CRM-4", "CRM-1", "CRM-2", "CRM-3", "CRM-5", "CRM-8"]),
        # must (by ID), should, could, none
        ("moscow", ["CRM-1", "CRM-4", "CRM-8", "CRM-2", "CRM-5", "CRM-3"]),
        # basic, performance, excitement, none by ID
        ("kano", ["CRM-1", "CRM-2", "CRM-5", "CRM-3", "CRM-4", "CRM-8"]),
        # 4.0 > 2.333, none by ID
        ("wsjf", ["CRM-1", "CRM-2", "CRM-3", "CRM-4", "CRM-5", "CRM-8"]),
        # 5 > 3 = 3 (ID) > 2 > 1, none
        ("demand", ["CRM-1", "CRM-4", "CRM-8", "CRM-5", "CRM-2", "CRM-3"]),
        # P0 (ID), P1, P3, none (ID): no ICE tie-break with one method
        ("p-level", ["CRM-1", "CRM-4", "CRM-5", "CRM-2", "CRM-3", "CRM-8"]),
        ("combined", COMBINED),
    ],
)
def test_prioritize_method_orders(backlog: Path, method: str, expected: list[str]) -> None:
    # verifies: REQ-201
    # verifies: REQ-202
    # verifies: REQ-207
    # verifies: REQ-210
    document = prioritized(backlog, "--method", method)
    assert ids(document) == expected
    assert [item["rank"] for item in document["items"]] == list(range(1, len(expected) + 1))
    if method == "fmea":
        assert document["method"] in ("fmea", "rpn")
    else:
        assert document["method"] == method


def test_prioritize_filter_narrows(backlog: Path) -> None:
    # verifies: REQ-210
    assert ids(prioritized(backlog, "--filter", "customer = acme")) == ["CRM-1", "CRM-4", "CRM-8"]
    assert ids(prioritized(backlog, "--filter", "p_level = P0 or ice.score >= 60")) == [
        "CRM-1",  # P0
        "CRM-4",  # P0
        "CRM-2",  # ICE 60
        "CRM-8",  # ICE 75
    ]
    # --all and --filter together: the done P0 comes back.
    assert ids(prioritized(backlog, "--all", "--filter", "p_level = P0")) == [
        "CRM-6",
        "CRM-1",
        "CRM-4",
    ]
    assert prioritized(backlog, "--filter", "id = NOPE-1") == {"method": "combined", "items": []}


def test_prioritize_disagreements_keeps_only_items_with_a_reason(backlog: Path) -> None:
    # verifies: REQ-211
    document = prioritized(backlog, "--disagreements")
    assert ids(document) == ["CRM-4", "CRM-5"]
    assert [item["rank"] for item in document["items"]] == [1, 2]
    for item in document["items"]:
        assert item["disagreements"] == DISAGREEMENTS[item["id"]]


def test_prioritize_bad_filter_is_exit_2(backlog: Path) -> None:
    # verifies: REQ-701
    stderr = usage_error(backlog, "prioritize", "--filter", "bogus = 1")
    assert "unknown field 'bogus'" in stderr


def test_inherited_urgency_in_json_and_table(backlog: Path) -> None:
    # verifies: REQ-212
    items = {i["id"]: i for i in prioritized(backlog, "--all")["items"]}
    assert {rid: item["blocking"] for rid, item in items.items() if item["blocking"]} == BLOCKING
    table = ok(backlog, "prioritize", env={"COLUMNS": "160"}).stdout
    rows = table_rows(table)
    assert notes_of(rows, "CRM-2") == "blocks CRM-1"
    assert notes_of(rows, "CRM-3") == "blocks CRM-1"
    assert notes_of(rows, "CRM-1") == ""


def test_votes_are_accepted_by_check(make_repo: Repo) -> None:
    # verifies: REQ-213
    text = req("CRM-1").replace(
        "  urgency: normal", "  urgency: normal\n  votes: {acme: 9, bob: 5}"
    )
    root = make_repo({"reqs/CRM-1.md": text, "reqs/customers.yaml": CUSTOMERS})
    result = invoke(root, "check", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["findings"] == []  # no RF103 for priority.votes
    item = prioritized(root)["items"][0]
    assert item["votes"] == 8.0  # (3×9 + 1×5) / 4


def test_a_vote_of_11_is_rf102(make_repo: Repo) -> None:
    # verifies: REQ-200
    # verifies: REQ-213
    # verifies: REQ-102
    text = req("CRM-1").replace("  urgency: normal", "  urgency: normal\n  votes: {acme: 11}")
    root = make_repo({"reqs/CRM-1.md": text})
    result = invoke(root, "check", "--format", "json")
    assert result.exit_code == 1, result.output
    findings = json.loads(result.stdout)["findings"]
    assert [(f["code"], f["line"]) for f in findings] == [("RF102", 11)]
    assert "priority.votes.acme" in findings[0]["message"]
    assert "11" in findings[0]["message"]
    assert prioritized(root)["items"][0]["votes"] is None  # never a guess


# --- prioritize: table and CSV ------------------------------------------------------------------


def table_lines(output: str) -> list[str]:
    """The lines of the boxed table (not the centred title above it)."""
    return [line for line in output.splitlines() if line[:1] in ("┏", "┃", "┡", "│", "└")]


def header_cells(output: str) -> list[str]:
    header = next(line for line in output.splitlines() if line.startswith("┃"))
    return [cell.strip() for cell in header[1:-1].split("┃")]


def table_rows(output: str) -> list[dict[str, list[str]]]:
    """Each table row as header -> its lines of text (a wrapped cell has several)."""
    headers = header_cells(output)
    rows: list[dict[str, list[str]]] = []
    for line in output.splitlines():
        if not line.startswith("│"):
            continue
        cells = [cell.strip() for cell in line[1:-1].split("│")]
        if cells[0] or not rows:  # the first column is never empty on a row's first line
            rows.append({h: [] for h in headers})
        for header, text in zip(headers, cells, strict=True):
            if text:
                rows[-1][header].append(text)
    return rows


def row_of(rows: list[dict[str, list[str]]], rid: str) -> dict[str, list[str]]:
    return next(row for row in rows if row["ID"] == [rid])


def notes_of(rows: list[dict[str, list[str]]], rid: str) -> str:
    return " ".join(row_of(rows, rid)["Notes"])


@pytest.mark.parametrize("width", [80, 160])
def test_prioritize_table_fits_the_terminal(backlog: Path, width: int) -> None:
    # verifies: REQ-210
    output = ok(backlog, "prioritize", "--all", env={"COLUMNS": str(width)}).stdout
    assert output.strip()
    for line in output.splitlines():
        assert width_of(line) <= width, line
    lines = table_lines(output)
    assert len({width_of(line) for line in lines}) == 1, "box borders out of line"
    headers = header_cells(output)
    assert headers[:3] == ["#", "ID", "Title"]
    rows = table_rows(output)
    assert [row["ID"][0] for row in rows] == COMBINED_ALL
    assert [row["#"][0] for row in rows] == [str(n) for n in range(1, 9)]
    # The long Chinese title wraps onto several lines and loses no character.
    title = row_of(rows, "CRM-8")["Title"]
    assert len(title) > 1
    assert "".join(title) == LONG_CHINESE
    assert row_of(rows, "CRM-3")["Title"] == ["审计日志导出"]


def test_prioritize_table_at_160_shows_every_key_column(backlog: Path) -> None:
    # verifies: REQ-210
    output = ok(backlog, "prioritize", env={"COLUMNS": "160"}).stdout
    headers = header_cells(output)
    for column in (
        "#", "ID", "Title", "Status", "P", "MoSCoW", "Kano", "ICE (I×C×E)", "RICE",
        "Value/cost", "RPN", "WSJF", "Demand", "Notes",
    ):  # fmt: skip
        assert column in headers, headers
    crm1 = row_of(table_rows(output), "CRM-1")
    assert crm1["ICE (I×C×E)"] == ["4×4×3=48 medium"]  # each score shows its inputs
    assert crm1["Value/cost"] == ["quick-win (6/5)"]
    assert crm1["P"] == ["P0"]
    assert crm1["RPN"] == ["140"]
    assert crm1["Demand"] == ["5"]
    crm4 = row_of(table_rows(output), "CRM-4")
    assert "MoSCoW must but ICE level low (score 12)" in " ".join(crm4["Notes"])


def test_prioritize_csv_parses_back(backlog: Path) -> None:
    # verifies: REQ-210
    output = ok(backlog, "prioritize", "--format", "csv").stdout
    rows = list(csv.reader(io.StringIO(output)))
    assert rows[0] == [
        "rank", "id", "title", "status", "p_level", "moscow", "kano", "ice", "ice_level", "rice",
        "quadrant", "rpn", "wsjf", "demand", "votes", "blocking", "disagreements",
    ]  # fmt: skip
    records = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert [r["id"] for r in records] == COMBINED
    crm1 = records[0]
    assert crm1 | {"title": ""} == {
        "rank": "1", "id": "CRM-1", "title": "", "status": "in-progress", "p_level": "P0",
        "moscow": "must", "kano": "basic", "ice": "48", "ice_level": "medium", "rice": "640",
        "quadrant": "quick-win", "rpn": "140", "wsjf": "4", "demand": "5", "votes": "8",
        "blocking": "", "disagreements": "",
    }  # fmt: skip
    by_id = {r["id"]: r for r in records}
    assert by_id["CRM-2"]["blocking"] == "CRM-1"
    assert by_id["CRM-2"]["wsjf"] == "2.333"
    assert by_id["CRM-4"]["disagreements"] == "; ".join(DISAGREEMENTS["CRM-4"])
    assert by_id["CRM-8"]["title"] == LONG_CHINESE


# --- list -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        (
            "status in (accepted, in-progress) and priority.moscow = must "
            "and tags contains export and not owner",
            ["CRM-8"],  # CRM-1 has an owner, CRM-4 is proposed, CRM-2 is should
        ),
        ("status=in-progress and priority.moscow=must", ["CRM-1", "CRM-8"]),
        ("p_level = P0", ["CRM-1", "CRM-4", "CRM-6"]),
        ("ice.level = high", ["CRM-2", "CRM-6", "CRM-8"]),  # 60, 125, 75
        ("ice >= 60", ["CRM-2", "CRM-6", "CRM-8"]),
        ("customer = acme", ["CRM-1", "CRM-4", "CRM-8"]),
        ("title ~ 导出", ["CRM-3", "CRM-8"]),
        ('title ~ "客户 数据" or title ~ /^bulk/', ["CRM-1"]),
        ("not (status = done or status = rejected)", sorted(COMBINED)),
        ("blocking = CRM-1", ["CRM-2", "CRM-3"]),
        ("children contains CRM-4", ["CRM-2"]),
        ("quadrant in (quick-win, strategic)", ["CRM-1", "CRM-4"]),
        ("rice > 100 and demand >= 3", ["CRM-1", "CRM-4"]),
        ("owner != zhang.wei and type = interface", ["CRM-2"]),
    ],
)
def test_list_filter_examples(backlog: Path, expression: str, expected: list[str]) -> None:
    # verifies: REQ-706
    assert listed(backlog, "--filter", expression) == expected


def test_list_sort_with_missing_values_last(backlog: Path) -> None:
    # p_level ascending; within a level ICE descending; no ICE or no P-level goes last.
    # verifies: REQ-706
    assert listed(backlog, "--sort", "p_level,-ice.score") == [
        "CRM-6",  # P0, ICE 125
        "CRM-1",  # P0, 48
        "CRM-4",  # P0, 12
        "CRM-5",  # P1, 27
        "CRM-7",  # P1, no ICE
        "CRM-2",  # P3
        "CRM-8",  # no P-level, ICE 75
        "CRM-3",  # no P-level, no ICE
    ]
    assert listed(backlog, "--sort", "-rice") == [
        "CRM-1", "CRM-4", "CRM-2", "CRM-5", "CRM-3", "CRM-6", "CRM-7", "CRM-8",
    ]  # fmt: skip
    assert listed(backlog) == sorted(BACKLOG)  # default: by ID


def test_list_json_shape(backlog: Path) -> None:
    # verifies: REQ-706
    # verifies: REQ-400
    document = json_of(backlog, "list")
    assert document["count"] == 8
    items = {item["id"]: item for item in document["items"]}
    assert list(items) == sorted(BACKLOG)
    for rid, item in items.items():
        for key in ("id", "path", "fields", "priority", "links", "children", "depended_on_by"):
            assert key in item, (rid, key)
        assert item["fields"] == {"id": rid, **BACKLOG[rid]}  # the whole front matter
        assert item["priority"] == SCORES[rid]
        assert item["blocking"] == BLOCKING.get(rid, [])
    assert items["CRM-1"]["path"] == "reqs/billing/CRM-1.md"
    assert items["CRM-8"]["path"] == "reqs/billing/zh/CRM-8.md"
    assert items["CRM-4"]["path"] == "reqs/CRM-4.md"
    assert items["CRM-2"]["links"] == {"depends-on": ["CRM-3"]}
    assert items["CRM-2"]["children"] == ["CRM-4"]  # from CRM-4's parent link
    assert items["CRM-2"]["depended_on_by"] == ["CRM-1"]
    assert items["CRM-3"]["depended_on_by"] == ["CRM-2"]
    assert items["CRM-1"]["children"] == []
    filtered = json_of(backlog, "list", "--filter", "title ~ 导出")
    assert filtered["count"] == 2
    assert [i["title"] for i in filtered["items"]] == ["审计日志导出", LONG_CHINESE]


def test_list_csv(backlog: Path) -> None:
    # verifies: REQ-706
    # verifies: REQ-001
    output = ok(backlog, "list", "--format", "csv", "--filter", "area ~ billing").stdout
    rows = list(csv.reader(io.StringIO(output)))
    assert rows == [
        ["id", "title", "status", "type", "owner", "p_level", "due", "area"],
        ["CRM-1", "Bulk export of customer data", "in-progress", "functional", "zhang.wei",
         "P0", "", "billing"],
        ["CRM-2", "Ledger API for the finance system", "accepted", "interface", "li.na", "P3",
         "", "billing"],
        ["CRM-8", LONG_CHINESE, "in-progress", "functional", "", "", "", "billing/zh"],
    ]  # fmt: skip


@pytest.mark.parametrize("width", [80, 160])
def test_list_table_fits_the_terminal(backlog: Path, width: int) -> None:
    # verifies: REQ-706
    output = ok(backlog, "list", env={"COLUMNS": str(width)}).stdout
    for line in output.splitlines():
        assert width_of(line) <= width, line
    assert len({width_of(line) for line in table_lines(output)}) == 1
    rows = table_rows(output)
    assert [row["ID"][0] for row in rows] == sorted(BACKLOG)
    assert "".join(row_of(rows, "CRM-8")["Title"]) == LONG_CHINESE


@pytest.mark.parametrize(
    ("expression", "message", "caret"),
    [
        ("status = ", "expected a value after '='", 9),
        ("prioirty.moscow = must", "unknown field 'prioirty.moscow'", 0),
        ("(status = done", "expected ')'", 14),
        ("status = done)", "unmatched ')'", 13),
    ],
)
def test_list_bad_filter_is_exit_2_with_a_caret(
    backlog: Path, expression: str, message: str, caret: int
) -> None:
    # verifies: REQ-706
    # verifies: REQ-701
    stderr = usage_error(backlog, "list", "--filter", expression)
    lines = stderr.splitlines()
    assert message in lines[0], stderr
    assert "--filter" in lines[0]
    assert expression in lines
    caret_line = lines[lines.index(expression) + 1]
    assert caret_line.strip() == "^"
    assert caret_line.index("^") == caret


def test_list_filter_suggests_the_field(backlog: Path) -> None:
    # verifies: REQ-706
    stderr = usage_error(backlog, "list", "--filter", "prioirty.moscow = must")
    assert "did you mean 'priority.moscow'?" in stderr


def test_list_unknown_sort_field_is_exit_2(backlog: Path) -> None:
    # verifies: REQ-706
    # verifies: REQ-701
    stderr = usage_error(backlog, "list", "--sort", "p_level,-bogus")
    assert "--sort" in stderr
    assert "bogus" in stderr


# --- show -------------------------------------------------------------------------------------


def flatten(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        out: list[tuple[str, Any]] = []
        for key, item in value.items():
            out += flatten(item, f"{prefix}.{key}" if prefix else key)
        return out
    return [(prefix, value)]


def test_show_text_has_fields_priorities_links_and_body(backlog: Path) -> None:
    # verifies: REQ-706
    output = ok(backlog, "show", "CRM-2").stdout
    lines = output.splitlines()
    assert lines[0].split() == ["CRM-2", "Ledger", "API", "for", "the", "finance", "system"]
    assert "reqs/billing/CRM-2.md" in lines
    for key, value in flatten(BACKLOG["CRM-2"]):
        if key in ("title", "links.depends-on"):
            continue
        if isinstance(value, list):  # acceptance (one per line) and tags
            assert all(str(v) in output for v in value), key
            assert any(
                line.strip().rstrip(":") == key or line.split()[:1] == [key] for line in lines
            )
        else:
            assert any(line.split() == [key, str(value)] for line in lines), (key, value)
    for name, value in [
        ("P-level", "P3"), ("MoSCoW", "should"), ("Kano", "performance"), ("ICE", "60 (high)"),
        ("RICE", "125"), ("value-cost", "fill-in"), ("FMEA RPN", "24"), ("WSJF", "2.333"),
        ("demand", "1"), ("votes", "6"),
    ]:  # fmt: skip
        assert any(line.split() == [*name.split(), *value.split()] for line in lines), name
    assert any("blocking" in line and "CRM-1" in line for line in lines)
    # links both ways: its own depends-on, children from CRM-4's parent, CRM-1's depends-on
    assert ["depends-on", "CRM-3"] in [line.split() for line in lines]
    assert ["children", "CRM-4"] in [line.split() for line in lines]
    assert ["depended-on-by", "CRM-1"] in [line.split() for line in lines]
    assert output.rstrip().endswith("## Scenario\n\nFinance pulls the ledger every night.")


def test_show_is_case_insensitive_and_json_has_body_and_fields(backlog: Path) -> None:
    # verifies: REQ-706
    document = json_of(backlog, "show", "crm-2")  # the ID is upper-cased
    assert document["id"] == "CRM-2"
    assert document["fields"] == {"id": "CRM-2", **BACKLOG["CRM-2"]}
    assert document["body"] == BODIES["CRM-2"]
    assert document["priority"] == SCORES["CRM-2"]
    assert document["children"] == ["CRM-4"]
    assert document["depended_on_by"] == ["CRM-1"]
    assert document["blocking"] == ["CRM-1"]
    chinese = json_of(backlog, "show", "CRM-8")
    assert chinese["title"] == LONG_CHINESE
    assert chinese["body"] == DEFAULT_BODY


def test_show_text_with_a_chinese_title(backlog: Path) -> None:
    # verifies: REQ-706
    output = ok(backlog, "show", "CRM-3").stdout
    assert output.splitlines()[0].split() == ["CRM-3", "审计日志导出"]
    assert ["parent", "CRM-3"] not in [line.split() for line in output.splitlines()]
    assert ["depended-on-by", "CRM-2"] in [line.split() for line in output.splitlines()]


def test_show_unknown_id_is_exit_2(backlog: Path) -> None:
    # verifies: REQ-706
    # verifies: REQ-701
    stderr = usage_error(backlog, "show", "CRM-99")
    assert "no requirement 'CRM-99'" in stderr
    assert "did you mean" not in stderr  # nothing close


def test_show_suggests_ids_containing_the_input(backlog: Path) -> None:
    # verifies: REQ-706
    stderr = usage_error(backlog, "show", "RM-2")
    assert "did you mean CRM-2?" in stderr


def test_show_suggests_a_close_id_for_a_typo(backlog: Path) -> None:
    # verifies: REQ-706
    stderr = usage_error(backlog, "show", "CRM2")
    assert "did you mean" in stderr
    assert "CRM-2" in stderr


# --- stats ------------------------------------------------------------------------------------

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


def test_prioritize_json_as_a_process(backlog: Path) -> None:
    # verifies: REQ-210
    # verifies: REQ-701
    proc = subprocess_run(backlog, "prioritize", "--format", "json", "--all")
    assert proc.returncode == 0, proc.stderr
    document = json.loads(proc.stdout)
    assert ids(document) == COMBINED_ALL
    first = document["items"][1]
    assert first["id"] == "CRM-1"
    assert {k: first[k] for k in SCORES["CRM-1"]} == SCORES["CRM-1"]
    assert document["items"][6]["title"] == LONG_CHINESE


def test_bad_filter_as_a_process(backlog: Path) -> None:
    # verifies: REQ-706
    # verifies: REQ-701
    proc = subprocess_run(backlog, "list", "--filter", "(status = done")
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert "expected ')'" in lines[0]
    assert lines[1:3] == ["(status = done", " " * 14 + "^"]


def test_stats_today_from_the_environment_as_a_process(stats_repo: Path) -> None:
    # verifies: REQ-310
    # verifies: REQ-701
    proc = subprocess_run(
        stats_repo, "stats", "--format", "json", env={"REQFORGE_TODAY": "2026-12-02"}
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["overdue"] == ["S-4", "S-5", "S-6"]
