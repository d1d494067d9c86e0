"""`reqforge trace`: markers in code and tests, JUnit results, coverage, orphans (SPEC 7)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner, Result
from tests.conftest import requirement_text as req
from tests.gitrepo import GitRepo

from reqforge.cli.main import cli

CONFIG = """
[trace]
scan = ["src", "tests"]
results = ["reports/*.xml"]
[trace.require]
functional = ["implemented", "verified"]
"""

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" tests="2">
<testcase classname="tests.test_export" name="test_bulk_export" file="tests/test_export.py"/>
<testcase classname="tests.test_export" name="test_ledger" file="tests/test_export.py">
<failure message="boom">AssertionError</failure></testcase>
</testsuite></testsuites>
"""


def build(make_repo: Callable[..., Path]) -> Path:
    return make_repo(
        {
            "reqs/CRM-1.md": req("CRM-1"),
            "reqs/CRM-2.md": req("CRM-2", title="Print invoices", links="{parent: [CRM-1]}"),
            "reqs/CRM-3.md": req("CRM-3", title="Archive contracts"),
            "src/export.py": "def export():\n    # implements: CRM-1\n    return 1\n",
            "src/print.c": "/* implements: CRM-2 */\nint print(void) { return 0; }\n",
            "tests/test_export.py": (
                "def test_bulk_export():\n    # verifies: CRM-1\n    assert True\n\n\n"
                "def test_ledger():\n    # verifies: CRM-2\n    assert False\n"
            ),
            "reports/junit.xml": JUNIT,
        },
        config=CONFIG,
    )


def test_trace_json_has_spec_shape_and_hand_computed_coverage(
    make_repo: Callable[..., Path],
) -> None:
    # verifies: REQ-400
    # verifies: REQ-401
    # verifies: REQ-402
    # verifies: REQ-403
    root = build(make_repo)
    result = CliRunner().invoke(cli, ["--repo", str(root), "trace", "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    summary = doc["summary"]
    # CRM-1: implemented + verified (passed): covered. CRM-2: implemented + verified (failed):
    # covered (coverage asks for markers), failing. CRM-3: nothing: missing both, an orphan.
    assert summary["requirements"] == 3 and summary["covered"] == 2
    assert summary["coverage"] == 0.667
    assert summary["orphans"] == ["CRM-3"]
    assert summary["failing"] == ["CRM-2"]
    items = {item["id"]: item for item in doc["items"]}
    assert items["CRM-1"]["implemented"] == [{"path": "src/export.py", "line": 2}]
    assert items["CRM-1"]["verified"] == [
        {
            "path": "tests/test_export.py",
            "line": 2,
            "test": "tests/test_export.py::test_bulk_export",
            "result": "passed",
        }
    ]
    assert items["CRM-2"]["verified"][0]["result"] == "failed"
    assert items["CRM-2"]["parents"] == ["CRM-1"] and items["CRM-1"]["children"] == ["CRM-2"]
    assert items["CRM-3"]["missing"] == ["implemented", "verified"]
    assert items["CRM-1"]["suspect"] == []


def test_trace_table_and_filter(make_repo: Callable[..., Path]) -> None:
    root = build(make_repo)
    result = CliRunner().invoke(
        cli, ["--repo", str(root), "trace", "--filter", "id = CRM-1"], env={"COLUMNS": "120"}
    )
    assert result.exit_code == 0, result.output
    assert "Traceability: 1/1 covered (100.0%)" in result.stdout
    assert "export.py" in result.stdout and "1 passed" in result.stdout
    assert "CRM-3" not in result.stdout and "CRM-2" not in result.stdout


def test_trace_table_names_failing_tests_and_csv_keeps_every_place(
    make_repo: Callable[..., Path],
) -> None:
    # verifies: REQ-402
    # verifies: REQ-403
    root = build(make_repo)
    table = CliRunner().invoke(cli, ["--repo", str(root), "trace"], env={"COLUMNS": "160"})
    assert table.exit_code == 0, table.output
    row = next(line for line in table.stdout.splitlines() if "CRM-2" in line)
    assert "print.c" in row and "1 failed (test_ledger)" in row
    row = next(line for line in table.stdout.splitlines() if "CRM-3" in line)
    assert "implemented, verified" in row
    assert "orphans: CRM-3" in table.stderr
    csv = CliRunner().invoke(cli, ["--repo", str(root), "trace", "--format", "csv"])
    lines = csv.stdout.splitlines()
    assert lines[0] == "id,title,status,implemented,verified,missing,suspect,orphan"
    assert "src/export.py:2" in lines[1]
    assert "tests/test_export.py::test_bulk_export:2 (passed)" in lines[1]


def test_trace_summary_for_ci_logs(make_repo: Callable[..., Path]) -> None:
    # verifies: REQ-403
    root = build(make_repo)
    text = CliRunner().invoke(cli, ["--repo", str(root), "trace", "--summary"])
    assert text.exit_code == 0, text.output
    assert text.stdout.splitlines() == [
        "coverage: 2/3 requirements covered (66.7%)",
        "verifying tests: 1 failed, 1 passed",
        "failing: CRM-2",
        "orphans: CRM-3",
        "suspect links: 0",
    ]
    data = CliRunner().invoke(cli, ["--repo", str(root), "trace", "--summary", "--format", "json"])
    assert json.loads(data.stdout) == {
        "summary": {
            "requirements": 3,
            "required": 3,
            "covered": 2,
            "coverage": 0.667,
            "orphans": ["CRM-3"],
            "suspect": 0,
            "failing": ["CRM-2"],
        }
    }


def test_check_reports_missing_coverage_only_once_accepted(make_repo: Callable[..., Path]) -> None:
    # verifies: REQ-403
    root = build(make_repo)
    (root / "reqs" / "CRM-3.md").write_text(
        req("CRM-3", title="Archive contracts").replace("status: proposed", "status: accepted"),
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        cli, ["--repo", str(root), "check", "--format", "json", "--no-cache"]
    )
    findings = json.loads(result.stdout)["findings"]
    assert [(f["code"], f["path"]) for f in findings if f["code"] == "RF408"] == [
        ("RF408", "reqs/CRM-3.md")
    ]
    assert "implemented or verified" in next(f["message"] for f in findings if f["code"] == "RF408")


def test_require_statuses_narrows_rf408(make_repo: Callable[..., Path]) -> None:
    # verifies: REQ-403
    root = build(make_repo)
    (root / "reqs" / "CRM-3.md").write_text(
        req("CRM-3", title="Archive contracts").replace("status: proposed", "status: accepted"),
        encoding="utf-8",
    )
    config = root / "reqforge.toml"
    narrowed = CONFIG.replace(
        'results = ["reports/*.xml"]\n',
        'results = ["reports/*.xml"]\nrequire_statuses = ["in-progress", "testing", "done"]\n',
    )
    config.write_text(narrowed, encoding="utf-8")
    args = ["--repo", str(root), "check", "--format", "json"]
    findings = json.loads(CliRunner().invoke(cli, args).stdout)["findings"]
    assert not [f for f in findings if f["code"] == "RF408"]  # accepted: agreed, not started
    text = (root / "reqs" / "CRM-3.md").read_text(encoding="utf-8")
    (root / "reqs" / "CRM-3.md").write_text(
        text.replace("status: accepted", "status: in-progress"), encoding="utf-8"
    )
    findings = json.loads(CliRunner().invoke(cli, args).stdout)["findings"]
    assert [f["path"] for f in findings if f["code"] == "RF408"] == ["reqs/CRM-3.md"]
    config.write_text(narrowed.replace('"testing"', '"tested"'), encoding="utf-8")
    bad = CliRunner().invoke(cli, args)
    assert bad.exit_code == 2
    assert "trace.require_statuses" in bad.stderr and "'tested' is not a workflow status" in (
        bad.stderr
    )


def test_trace_json_names_suspect_links_from_git(tmp_path: Path) -> None:
    # verifies: REQ-404
    repo = GitRepo(tmp_path / "repo", tmp_path)
    repo.write("reqforge.toml", CONFIG)
    repo.write("reqs/CRM-1.md", req("CRM-1"))
    repo.write("reqs/CRM-2.md", req("CRM-2", title="Print invoices", links="{parent: [CRM-1]}"))
    repo.commit("two requirements")
    repo.write("reqs/CRM-1.md", req("CRM-1", title="Export every ledger in bulk"))
    changed = repo.commit("the parent changes after its child")
    args = ["--repo", str(repo.root), "trace", "--format", "json"]
    doc = json.loads(CliRunner().invoke(cli, args).stdout)
    items = {item["id"]: item for item in doc["items"]}
    assert items["CRM-2"]["suspect"] == [{"id": "CRM-1", "since": changed}]
    assert items["CRM-1"]["suspect"] == [] and doc["summary"]["suspect"] == 1
    # Recording the review clears it.
    repo.write(
        "reqs/CRM-2.md",
        req("CRM-2", title="Print invoices", links="{parent: [CRM-1]}").replace(
            "status:", f"reviewed: {changed}\nstatus:"
        ),
    )
    repo.commit("reviewed against the new parent")
    doc = json.loads(CliRunner().invoke(cli, args).stdout)
    assert doc["summary"]["suspect"] == 0


def test_show_answers_what_a_change_reaches_and_how_it_is_traced(
    make_repo: Callable[..., Path],
) -> None:
    # verifies: REQ-400
    # verifies: REQ-403
    # verifies: REQ-706
    root = build(make_repo)
    (root / "reqs" / "CRM-4.md").write_text(
        req("CRM-4", title="Reprint invoices", links="{depends-on: [CRM-2]}"), encoding="utf-8"
    )
    text = CliRunner().invoke(cli, ["--repo", str(root), "show", "CRM-1"])
    assert text.exit_code == 0, text.output
    impact = text.stdout.split("Impact of a change", 1)[1].split("\n\n", 1)[0]
    assert "  1 step    CRM-2\n" in impact and "  2 steps   CRM-4" in impact
    trace = text.stdout.split("\nTrace\n", 1)[1]
    assert "  implemented  src/export.py:2\n" in trace
    assert "  verified     tests/test_export.py::test_bulk_export (passed)\n" in trace
    doc = json.loads(
        CliRunner().invoke(cli, ["--repo", str(root), "show", "CRM-2", "--format", "json"]).stdout
    )
    assert doc["impacted"] == [
        {"id": "CRM-4", "relation": "depends-on", "through": "CRM-2", "distance": 1}
    ]
    assert doc["trace"]["verified"][0]["result"] == "failed"
    assert doc["trace"]["missing"] == [] and doc["trace"]["suspect"] == []
    lone = CliRunner().invoke(cli, ["--repo", str(root), "show", "CRM-3"]).stdout
    assert "Impact of a change (requirements whose links lead here)\n  (none)" in lone
    assert "Impact of a change (requirements whose links lead here: 2)" in text.stdout
    assert "  missing      implemented\n               verified" in lone


def test_fail_on_exits_1_when_a_named_condition_holds(make_repo: Callable[..., Path]) -> None:
    # verifies: REQ-403
    root = build(make_repo)

    def trace(*args: str) -> Result:
        return CliRunner().invoke(cli, ["--repo", str(root), "trace", *args])

    assert trace().exit_code == 0  # without --fail-on a failing test does not fail the run
    failing = trace("--fail-on", "failing")
    assert failing.exit_code == 1, failing.output
    assert "--fail-on: failing tests: CRM-2" in failing.stderr
    both = trace("--summary", "--fail-on", "missing, orphans")
    assert both.exit_code == 1
    assert "--fail-on: missing coverage: CRM-3" in both.stderr
    assert "--fail-on: orphans: CRM-3" in both.stderr
    narrowed = trace("--filter", "id = CRM-1", "--format", "json", "--fail-on", "failing,orphans")
    assert narrowed.exit_code == 0, narrowed.output  # only the selection counts
    assert json.loads(narrowed.stdout)["summary"]["failing"] == []
    unknown = trace("--fail-on", "failing,flaky")
    assert unknown.exit_code == 2 and "flaky" in unknown.output


def test_nothing_required_is_said_and_orphans_are_listed_in_a_few_lines(
    make_repo: Callable[..., Path],
) -> None:
    # verifies: REQ-403
    files = {f"reqs/ORPHAN-{n:04d}.md": req(f"ORPHAN-{n:04d}") for n in range(300)}
    root = make_repo(files, config='[trace]\nscan = ["src"]\n')
    table = CliRunner().invoke(cli, ["--repo", str(root), "trace"], env={"COLUMNS": "100"})
    assert table.exit_code == 0, table.output
    assert "nothing is required" in table.stdout and "100.0%" not in table.stdout
    note = table.stderr.splitlines()
    assert note[0].startswith("orphans (300): ORPHAN-0000, ORPHAN-0001")
    assert len(note) <= 6 and all(len(line) <= 100 for line in note)
    assert "more (--format json or csv lists them all)" in note[-1]
    summary = CliRunner().invoke(cli, ["--repo", str(root), "trace", "--summary"])
    assert summary.stdout.splitlines()[0] == (
        "coverage: 300 requirements, nothing is required "
        "([trace.require] asks none of these requirements for code or tests)"
    )
    data = CliRunner().invoke(cli, ["--repo", str(root), "trace", "--format", "json"])
    figures = json.loads(data.stdout)["summary"]
    assert figures["coverage"] is None and figures["required"] == 0
    assert len(figures["orphans"]) == 300
    csv = CliRunner().invoke(cli, ["--repo", str(root), "trace", "--format", "csv"])
    assert sum(line.endswith(",yes") for line in csv.stdout.splitlines()) == 300
