"""The hand-built backlog and stats repositories that the `prioritize`, `list`, `show` and
`stats` CLI tests read, the scores expected of them, and the helpers that run the CLI.

Every expected number is worked out by hand in the comments next to it (SPEC section 4), never
recomputed with reqforge's own functions. The `backlog` and `stats_repo` fixtures that write
these repositories live in conftest.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner, Result

from reqforge.cli.main import cli

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


# --- expected scores, by hand (see the table above BACKLOG) -----------------------------------

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


# --- tables -------------------------------------------------------------------------------------


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
