"""Acceptance criteria of the priorities, duplicate and JUnit requirements, end to end.

Each test runs the command line on a small hand-built repository and checks what a user sees;
every expected score is worked out by hand in the comments next to it.
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
from click.testing import CliRunner, Result
from tests.conftest import requirement_text as req
from tests.test_trace import JUNIT  # the same pytest results: one passed, one failed

from reqforge.cli.main import cli

Repo = Callable[..., Path]

ENV: dict[str, str | None] = {"REQFORGE_TODAY": None, "NO_COLOR": None, "COLUMNS": "160"}


def invoke(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--repo", str(root), *args], env=ENV)


def ok(root: Path, *args: str) -> Result:
    result = invoke(root, *args)
    assert result.exit_code == 0, (result.output, result.exception)
    assert "Traceback" not in result.output
    return result


def json_of(root: Path, *args: str) -> dict[str, Any]:
    return json.loads(ok(root, *args, "--format", "json").stdout)


def requirement(rid: str, title: str, front: str = "", body: str = "## Scenario\n\nTBD.\n") -> str:
    """A requirement file: the four required fields, then `front` (YAML lines), then `body`."""
    head = f"---\nid: {rid}\ntitle: {title}\ntype: functional\nstatus: proposed\n"
    return f"{head}{front}---\n{body}"


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under reqs/, by path, with its bytes."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted((root / "reqs").rglob("*"))
        if path.is_file()
    }


# --- REQ-203: ICE levels from [priority] ice_levels ----------------------------------------------


def ice_front(impact: int, confidence: int, ease: int) -> str:
    return f"priority:\n  ice: {{impact: {impact}, confidence: {confidence}, ease: {ease}}}\n"


# Hand-computed ICE scores (I × C × E).
ICE_REPO = {
    "reqs/CRM-1.md": requirement("CRM-1", "Bulk export of ledgers", ice_front(4, 4, 5)),  # 80
    "reqs/CRM-2.md": requirement("CRM-2", "Invoice printing", ice_front(4, 4, 4)),  # 64
    "reqs/CRM-3.md": requirement("CRM-3", "Archive of tickets", ice_front(2, 4, 5)),  # 40
    "reqs/CRM-4.md": requirement("CRM-4", "Dark mode", ice_front(3, 3, 4)),  # 36
}


def ice_levels(root: Path) -> dict[str, tuple[int, str]]:
    items = json_of(root, "prioritize", "--method", "ice")["items"]
    return {item["id"]: (item["ice"]["score"], item["ice"]["level"]) for item in items}


def test_custom_ice_levels_change_the_levels_prioritize_prints(make_repo: Repo) -> None:
    # verifies: REQ-203
    root = make_repo(ICE_REPO)
    # Default thresholds: high >= 60, medium >= 30.
    assert ice_levels(root) == {
        "CRM-1": (80, "high"),
        "CRM-2": (64, "high"),
        "CRM-3": (40, "medium"),
        "CRM-4": (36, "medium"),
    }
    (root / "reqforge.toml").write_text(
        "[priority]\nice_levels = {high = 80, medium = 40}\n", encoding="utf-8"
    )
    # high >= 80: 80 stays high, 64 becomes medium; medium >= 40: 40 medium, 36 low.
    assert ice_levels(root) == {
        "CRM-1": (80, "high"),
        "CRM-2": (64, "medium"),
        "CRM-3": (40, "medium"),
        "CRM-4": (36, "low"),
    }
    table = ok(root, "prioritize", "--method", "ice").stdout
    rows = {line.split("│")[2].strip(): line for line in table.splitlines() if "│ CRM-" in line}
    assert "4×4×5=80 high" in rows["CRM-1"]
    assert "4×4×4=64 medium" in rows["CRM-2"]
    assert "2×4×5=40 medium" in rows["CRM-3"]
    assert "3×3×4=36 low" in rows["CRM-4"]
    records = list(csv.DictReader(io.StringIO(ok(root, "prioritize", "--format", "csv").stdout)))
    assert {r["id"]: (r["ice"], r["ice_level"]) for r in records} == {
        "CRM-1": ("80", "high"),
        "CRM-2": ("64", "medium"),
        "CRM-3": ("40", "medium"),
        "CRM-4": ("36", "low"),
    }


# --- REQ-204: RICE effort of 0 or below -----------------------------------------------------------


def rice_front(effort: str) -> str:
    return f"priority:\n  rice: {{reach: 1200, impact: 2, confidence: 0.8, effort: {effort}}}\n"


def test_check_reports_rf102_for_an_effort_of_zero_or_below(make_repo: Repo) -> None:
    # verifies: REQ-204
    efforts = {"CRM-1": "0", "CRM-2": "-1", "CRM-3": "-0.5", "CRM-4": "0.0", "CRM-5": "0.5"}
    root = make_repo(
        {
            f"reqs/{rid}.md": requirement(rid, f"Ledger export number {rid}", rice_front(e))
            for rid, e in efforts.items()
        }
    )
    result = invoke(root, "check", "--format", "json", "--no-cache")
    assert result.exit_code == 1, result.output
    findings = [f for f in json.loads(result.stdout)["findings"] if f["code"] == "RF102"]
    # Line 7 is the `rice:` line of each file; CRM-5 (effort 0.5) is valid.
    assert [(f["code"], f["path"], f["line"]) for f in findings] == [
        ("RF102", f"reqs/{rid}.md", 7) for rid in ("CRM-1", "CRM-2", "CRM-3", "CRM-4")
    ]
    for finding in findings:
        assert finding["severity"] == "error"
        assert "priority.rice.effort" in finding["message"]
        assert f"got {efforts[finding['id']]}" in finding["message"]
    text = invoke(root, "check", "--no-cache")
    assert text.exit_code == 1
    assert "reqs/CRM-2.md:7:59: error[RF102] priority.rice.effort" in text.stdout
    assert "reqs/CRM-5.md:7:" not in text.stdout
    # The score is null for each bad effort, never a division error; 1200×2×0.8/0.5 = 3840.0.
    items = json_of(root, "prioritize", "--method", "rice")["items"]
    assert {item["id"]: item["rice"] for item in items} == {
        "CRM-1": None,
        "CRM-2": None,
        "CRM-3": None,
        "CRM-4": None,
        "CRM-5": 3840.0,
    }


# --- REQ-201: MoSCoW ranking on the command line --------------------------------------------------


def test_prioritize_by_moscow_ranks_wont_items_last(make_repo: Repo) -> None:
    # verifies: REQ-201
    moscow = {
        "CRM-1": "wont",
        "CRM-2": "could",
        "CRM-3": "must",
        "CRM-4": "should",
        "CRM-5": "wont",
        "CRM-6": "must",
    }
    files = {
        f"reqs/{rid}.md": requirement(rid, f"Ledger report {rid}", f"priority:\n  moscow: {m}\n")
        for rid, m in moscow.items()
    }
    files["reqs/CRM-7.md"] = requirement("CRM-7", "Ledger report without MoSCoW")
    root = make_repo(files)
    items = json_of(root, "prioritize", "--method", "moscow")["items"]
    # must, should, could, wont (ties by ID), then the requirement without a category.
    assert [(item["id"], item["moscow"]) for item in items] == [
        ("CRM-3", "must"),
        ("CRM-6", "must"),
        ("CRM-4", "should"),
        ("CRM-2", "could"),
        ("CRM-1", "wont"),
        ("CRM-5", "wont"),
        ("CRM-7", None),
    ]
    assert [item["rank"] for item in items] == [1, 2, 3, 4, 5, 6, 7]
    table = ok(root, "prioritize", "--method", "moscow").stdout
    order = [line.split("│")[2].strip() for line in table.splitlines() if "│ CRM-" in line]
    assert order == ["CRM-3", "CRM-6", "CRM-4", "CRM-2", "CRM-1", "CRM-5", "CRM-7"]
    # Without the requirement that has no category, the wont items are the very last.
    (root / "reqs" / "CRM-7.md").unlink()
    items = json_of(root, "prioritize", "--method", "moscow")["items"]
    assert [item["moscow"] for item in items] == ["must", "must", "should", "could", "wont", "wont"]


# --- REQ-210: byte-identical output --------------------------------------------------------------

CUSTOMERS = """\
acme: {name: Acme Corp, tier: A}
globex: {name: Globex Ltd, tier: B}
initech: {name: Initech, tier: C}
"""

# Ties everywhere (equal P-levels, ICE and RICE scores), several blocked P0s, several
# disagreements, MoSCoW votes, customers and Chinese titles: everything whose order could vary.
DETERMINISM = {
    "reqs/customers.yaml": CUSTOMERS,
    "reqs/billing/CRM-1.md": requirement(
        "CRM-1",
        "Bulk export of customer data",
        "source: {customers: [globex, acme, initech]}\n"
        "priority:\n  moscow: must\n  importance: high\n  urgency: urgent\n"
        "  value: 4\n  cost: 7\n  ice: {impact: 2, confidence: 2, ease: 3}\n"
        "  votes: {alice: wont, bob: wont, acme: 9}\n"
        "links: {depends-on: [CRM-3, CRM-2]}\n",
    ),
    "reqs/billing/CRM-2.md": requirement(
        "CRM-2",
        "批量导出客户数据到电子表格",
        "priority:\n  importance: low\n  urgency: deferred\n"
        "  ice: {impact: 2, confidence: 2, ease: 3}\n"
        "  rice: {reach: 100, impact: 1, confidence: 0.5, effort: 3}\n"
        "links: {depends-on: [CRM-4]}\n",
    ),
    "reqs/audit/CRM-3.md": requirement(
        "CRM-3",
        "审计日志导出",
        "priority:\n  importance: low\n  urgency: deferred\n"
        "  ice: {impact: 2, confidence: 2, ease: 3}\n"
        "  rice: {reach: 100, impact: 1, confidence: 0.5, effort: 3}\n"
        "links: {depends-on: [CRM-4]}\n",
    ),
    "reqs/audit/CRM-4.md": requirement("CRM-4", "Audit storage"),
    "reqs/CRM-5.md": requirement(
        "CRM-5",
        "Print invoices for branch offices",
        "source: {customers: [acme, globex]}\n"
        "priority:\n  moscow: wont\n  kano: basic\n  importance: high\n  urgency: urgent\n"
        "  value: 8\n  cost: 2\n  ice: {impact: 5, confidence: 4, ease: 4}\n"
        "  fmea: {severity: 7, occurrence: 4, detection: 5}\n"
        "  wsjf: {value: 8, time-criticality: 5, risk: 3, size: 4}\n"
        "links: {depends-on: [CRM-2]}\n",
    ),
    "reqs/CRM-6.md": requirement("CRM-6", "Dark mode", "priority:\n  moscow: could\n"),
}


def run_process(root: Path, seed: str, *args: str) -> tuple[bytes, bytes]:
    env = {k: v for k, v in os.environ.items() if k not in ("REQFORGE_TODAY", "NO_COLOR")}
    env.update(PYTHONHASHSEED=seed, COLUMNS="160")
    proc = subprocess.run(
        [sys.executable, "-m", "reqforge", "--repo", str(root), *args],
        capture_output=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    return proc.stdout, proc.stderr


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_prioritize_twice_prints_byte_identical_output(make_repo: Repo, fmt: str) -> None:
    # verifies: REQ-210
    root = make_repo(DETERMINISM)
    variants = [("--all",), ("--method", "demand"), ("--disagreements",)]
    # Every variant in one format (the ranking is the same whatever prints it), the plain
    # command in each: process start-up dominates this test's time.
    for options in [(), *variants] if fmt == "json" else [()]:
        args = ("prioritize", *options, "--format", fmt)
        # Separate processes with different hash seeds; the first run also fills the cache.
        first = run_process(root, "1", *args)
        second = run_process(root, "2", *args)
        assert first[0].strip(), args
        assert first == second, args
    # The same, in one process.
    outputs = [invoke(root, "prioritize", "--format", fmt) for _ in range(2)]
    assert outputs[0].exit_code == outputs[1].exit_code == 0
    assert outputs[0].stdout_bytes == outputs[1].stdout_bytes
    assert outputs[0].stderr_bytes == outputs[1].stderr_bytes
    if fmt == "json":
        document = json.loads(first[0])  # the --disagreements run: it printed something real
        # Both P0; CRM-5's ICE 80 ranks before CRM-1's 12.
        assert [item["id"] for item in document["items"]] == ["CRM-5", "CRM-1"]


# --- REQ-212 and REQ-200: nothing is written back -------------------------------------------------


def chain_repo(make_repo: Repo) -> Path:
    """CRM-1 (P0) depends on CRM-2 (low + deferred: P3), which depends on CRM-3 (no P-level)."""
    return make_repo(
        {
            "reqs/billing/CRM-1.md": requirement(
                "CRM-1",
                "Bulk export of customer data",
                "priority:\n  importance: high\n  urgency: urgent\n"
                "  ice: {impact: 4, confidence: 4, ease: 3}\n"
                "links:\n  depends-on: [CRM-2]\n",
            ),
            "reqs/billing/CRM-2.md": requirement(
                "CRM-2",
                "Ledger API for finance",
                "priority:\n  importance: low\n  urgency: deferred\n"
                "links:\n  depends-on: [CRM-3]\n",
            ),
            "reqs/audit/CRM-3.md": requirement("CRM-3", "Audit log storage"),
        }
    )


def test_inherited_urgency_is_reported_and_the_stored_urgency_is_unchanged(
    make_repo: Repo,
) -> None:
    # verifies: REQ-212
    root = chain_repo(make_repo)
    before = snapshot(root)
    items = {item["id"]: item for item in json_of(root, "prioritize")["items"]}
    assert items["CRM-2"]["blocking"] == ["CRM-1"]
    assert items["CRM-3"]["blocking"] == ["CRM-1"]
    assert items["CRM-2"]["p_level"] == "P3"  # still low + deferred
    table = ok(root, "prioritize").stdout
    row = next(line for line in table.splitlines() if "│ CRM-2 " in line)
    assert "blocks CRM-1" in row and "P3" in row
    listed = {item["id"]: item for item in json_of(root, "list")["items"]}
    assert listed["CRM-2"]["blocking"] == ["CRM-1"]
    assert listed["CRM-2"]["fields"]["priority"] == {"importance": "low", "urgency": "deferred"}
    shown = ok(root, "show", "CRM-2").stdout
    assert "blocking    CRM-1" in shown
    assert "priority.urgency     deferred" in shown
    assert invoke(root, "check").exit_code in (0, 1)
    ok(root, "stats")
    assert snapshot(root) == before
    stored = (root / "reqs" / "billing" / "CRM-2.md").read_text(encoding="utf-8")
    assert "  urgency: deferred\n" in stored and "urgent" not in stored


def test_no_computed_score_is_written_into_a_requirement_file(make_repo: Repo) -> None:
    # verifies: REQ-200
    root = make_repo(DETERMINISM)
    before = snapshot(root)
    document = json_of(root, "prioritize", "--all")
    scores = {item["id"]: item for item in document["items"]}
    assert scores["CRM-5"]["ice"] == {"score": 80, "level": "high"}  # 5×4×4
    assert scores["CRM-5"]["rpn"] == 140  # 7×4×5
    assert scores["CRM-5"]["wsjf"] == 4.0  # (8 + 5 + 3) / 4
    assert scores["CRM-5"]["demand"] == 5  # acme (A = 3) + globex (B = 2)
    assert scores["CRM-2"]["rice"] == 16.667  # 100×1×0.5/3
    for args in (
        ("prioritize",),
        ("prioritize", "--format", "csv"),
        ("prioritize", "--disagreements"),
        ("list",),
        ("list", "--format", "json"),
        ("list", "--format", "csv"),
        ("show", "CRM-5"),
        ("show", "CRM-5", "--format", "json"),
        ("stats",),
        ("stats", "--format", "json"),
        ("trace", "--format", "json"),
    ):
        ok(root, *args)
    assert invoke(root, "check").exit_code in (0, 1)
    assert invoke(root, "check", "--no-cache", "--format", "json").exit_code in (0, 1)
    assert snapshot(root) == before
    # The inputs are all the file holds: no score, level, quadrant or rank.
    stored = (root / "reqs" / "CRM-5.md").read_text(encoding="utf-8")
    for computed in ("score", "level", "rank", "rpn", "p_level", "quick-win", "blocking"):
        assert computed not in stored, computed


# --- REQ-107: the Chinese near-duplicate pair -----------------------------------------------------

ZH_BODY = "## 场景\n\n财务部门每月手工整理客户台账。\n"


def duplicate_pair(make_repo: Repo, second_front: str = "", first_front: str = "") -> Path:
    return make_repo(
        {
            "reqs/billing/CRM-1.md": requirement("CRM-1", "批量导出客户数据", first_front, ZH_BODY),
            "reqs/sales/CRM-2.md": requirement(
                "CRM-2", "批量导出客户的数据", second_front, ZH_BODY
            ),
            "reqs/support/CRM-9.md": requirement(
                "CRM-9",
                "Archive closed support tickets after 90 days",
                body="## Scenario\n\nSupport keeps every old ticket in the live database.\n",
            ),
        }
    )


def check_json(root: Path) -> tuple[int, dict[str, Any]]:
    result = invoke(root, "check", "--format", "json", "--no-cache")
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def rf403(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in document["findings"] if f["code"] == "RF403"]


def test_chinese_titles_differing_by_one_particle_are_reported_once(make_repo: Repo) -> None:
    # verifies: REQ-107
    root = duplicate_pair(make_repo)
    exit_code, document = check_json(root)
    assert exit_code == 0  # a warning
    found = rf403(document)
    assert len(found) == 1, found
    # The later file of the pair is reported, naming the other's ID and path.
    assert (found[0]["path"], found[0]["id"], found[0]["severity"]) == (
        "reqs/sales/CRM-2.md",
        "CRM-2",
        "warning",
    )
    assert "CRM-1" in found[0]["message"] and "reqs/billing/CRM-1.md" in found[0]["message"]
    text = invoke(root, "check", "--no-cache").stdout
    assert "reqs/sales/CRM-2.md:3:8: warning[RF403] possible duplicate of CRM-1" in text
    assert "(reqs/billing/CRM-1.md" in text
    assert "0 errors, 1 warning" in text


def test_chinese_titles_without_bodies_are_reported_once(make_repo: Repo) -> None:
    # verifies: REQ-107
    root = make_repo(
        {
            "reqs/billing/CRM-1.md": requirement("CRM-1", "批量导出客户数据", body=""),
            "reqs/sales/CRM-2.md": requirement("CRM-2", "批量导出客户的数据", body=""),
        }
    )
    found = rf403(check_json(root)[1])
    assert [(f["path"], f["id"]) for f in found] == [("reqs/sales/CRM-2.md", "CRM-2")]
    assert "CRM-1" in found[0]["message"] and "reqs/billing/CRM-1.md" in found[0]["message"]


@pytest.mark.parametrize(
    ("first_front", "second_front", "status_duplicate"),
    [
        ("", "links:\n  duplicates: [CRM-1]\n", None),
        ("links:\n  duplicates: [CRM-2]\n", "", None),
        # Status duplicate requires links.duplicates: it points at a third requirement, so
        # the status alone relates the pair.
        ("", "links:\n  duplicates: [CRM-9]\n", "reqs/sales/CRM-2.md"),
        ("links:\n  duplicates: [CRM-9]\n", "", "reqs/billing/CRM-1.md"),
    ],
    ids=[
        "later-links-earlier",
        "earlier-links-later",
        "later-is-duplicate",
        "earlier-is-duplicate",
    ],
)
def test_no_rf403_when_the_pair_is_marked_as_duplicate(
    make_repo: Repo, first_front: str, second_front: str, status_duplicate: str | None
) -> None:
    # verifies: REQ-107
    root = duplicate_pair(make_repo, second_front, first_front)
    if status_duplicate:
        path = root / status_duplicate
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("status: proposed", "status: duplicate"), encoding="utf-8")
    exit_code, document = check_json(root)
    assert exit_code == 0, document
    assert document["findings"] == []
    assert "no problems found" in invoke(root, "check", "--no-cache").stdout


# --- REQ-402: results missing or unreadable -----------------------------------------------------

TRACE_CONFIG = """
[trace]
scan = ["src", "tests"]
results = ["reports/*.xml"]
"""

TESTS = """\
def test_bulk_export():
    # verifies: CRM-1
    assert True


def test_ledger():
    # verifies: CRM-2
    assert False


def test_archive():
    # verifies: CRM-3
    assert True
"""


def trace_repo(make_repo: Repo, extra: dict[str, str] | None = None) -> Path:
    return make_repo(
        {
            "reqs/CRM-1.md": req("CRM-1"),
            "reqs/CRM-2.md": req("CRM-2", title="Print invoices"),
            "reqs/CRM-3.md": req("CRM-3", title="Archive contracts"),
            "tests/test_export.py": TESTS,
            "reports/junit.xml": JUNIT,
            **(extra or {}),
        },
        config=TRACE_CONFIG,
    )


def verified(document: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    return {
        item["id"]: [(v["test"], v["result"]) for v in item["verified"]]
        for item in document["items"]
    }


def test_a_verifying_test_without_a_result_is_unknown(make_repo: Repo) -> None:
    # verifies: REQ-402
    root = trace_repo(make_repo)
    result = ok(root, "trace", "--format", "json")
    # test_archive verifies CRM-3 but junit.xml has no test case for it.
    assert verified(json.loads(result.stdout)) == {
        "CRM-1": [("tests/test_export.py::test_bulk_export", "passed")],
        "CRM-2": [("tests/test_export.py::test_ledger", "failed")],
        "CRM-3": [("tests/test_export.py::test_archive", "unknown")],
    }
    item = next(i for i in json.loads(result.stdout)["items"] if i["id"] == "CRM-3")
    assert item["verified"] == [
        {
            "path": "tests/test_export.py",
            "line": 12,
            "test": "tests/test_export.py::test_archive",
            "result": "unknown",
        }
    ]


@pytest.mark.parametrize(
    ("broken", "reason"),
    [
        (
            '<?xml version="1.0"?>\n<testsuites><testsuite name="x"><testcase name="t"\n',
            "malformed XML",
        ),
        ("this is not XML at all\n", "malformed XML"),
        ("<testsuites><testsuite></testsuites>\n", "malformed XML"),
        ("", "the file is empty"),
    ],
    ids=["unclosed-token", "plain-text", "mismatched-tag", "empty"],
)
def test_a_malformed_junit_file_is_named_and_trace_continues(
    make_repo: Repo, broken: str, reason: str
) -> None:
    # verifies: REQ-402
    root = trace_repo(make_repo, {"reports/broken.xml": broken})
    result = invoke(root, "trace", "--format", "json")
    assert result.exit_code == 0, (result.output, result.exception)
    assert "Traceback" not in result.output
    assert "reports/broken.xml" in result.stderr
    assert reason in result.stderr
    assert "broken.xml" not in result.stdout
    # The well-formed file's results are still attached.
    assert verified(json.loads(result.stdout)) == {
        "CRM-1": [("tests/test_export.py::test_bulk_export", "passed")],
        "CRM-2": [("tests/test_export.py::test_ledger", "failed")],
        "CRM-3": [("tests/test_export.py::test_archive", "unknown")],
    }
    table = invoke(root, "trace")
    assert table.exit_code == 0
    assert "reports/broken.xml" in table.stderr
    row = next(line for line in table.stdout.splitlines() if "CRM-2" in line)
    assert "1 failed (test_ledger)" in row
