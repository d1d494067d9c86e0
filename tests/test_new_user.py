"""What a new user trips over (issue 11, part 8): each mistake is one finding where it is, and
the command line behaves as people expect (flags after the subcommand, colour variables,
case-insensitive methods, workflow order, narrow terminals, a log that shows the change)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from tests.conftest import requirement_text as req

from reqforge.cli.main import cli
from reqforge.render.log import changed_parts, render_log

Repo = Callable[..., Path]
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def invoke(root: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, ["--repo", str(root), *args], env=env)


def findings(root: Path, *args: str) -> list[dict]:
    result = invoke(root, "check", "--format", "json", "--today", "2026-11-25", *args)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)["findings"]


# --- typos in the requirements -----------------------------------------------------------


def test_unknown_relation_names_the_nearest_one(make_repo: Repo) -> None:
    # verifies: REQ-117
    root = make_repo(
        {
            "reqs/CRM-1.md": req("CRM-1", links="{depends_on: [CRM-2], parnet: CRM-2}"),
            "reqs/CRM-2.md": req("CRM-2", title="Archive signed contracts for auditors"),
        }
    )
    found = [f for f in findings(root) if f["code"] == "RF107"]
    assert [f["severity"] for f in found] == ["warning", "warning"]
    messages = " ".join(f["message"] for f in found)
    assert "'depends_on' (did you mean 'depends-on'?)" in messages
    assert "'parnet' (did you mean 'parent'?)" in messages
    strict = [f for f in findings(root, "--strict") if f["code"] == "RF107"]
    assert {f["severity"] for f in strict} == {"error"}


def test_custom_relations_are_declared_in_the_configuration(make_repo: Repo) -> None:
    # verifies: REQ-117
    files = {
        "reqs/CRM-1.md": req("CRM-1", links="{refines: [CRM-2]}"),
        "reqs/CRM-2.md": req("CRM-2", title="Archive signed contracts for auditors"),
    }
    assert "RF107" in {f["code"] for f in findings(make_repo(files))}
    root = make_repo(files, config="[links]\nrelations = ['refines']\n")
    assert "RF107" not in {f["code"] for f in findings(root)}
    bad = make_repo(files, config="[links]\nrelations = ['Refines It']\n")
    result = invoke(bad, "check")
    assert result.exit_code == 2 and "links.relations" in result.output


def test_misspelt_required_field_is_one_finding_at_the_typo(make_repo: Repo) -> None:
    # verifies: REQ-117
    # verifies: REQ-102
    text = req("CRM-1").replace("title:", "titel:")
    root = make_repo({"reqs/CRM-1.md": text})
    (finding,) = findings(root)
    assert finding["code"] == "RF101" and finding["line"] == 3
    assert "'titel' is probably 'title'" in finding["message"]


def test_misspelt_enum_value_gets_a_did_you_mean(make_repo: Repo) -> None:
    # verifies: REQ-102
    root = make_repo({"reqs/CRM-1.md": req("CRM-1").replace("urgency: normal", "urgency: Urgnt")})
    (finding,) = findings(root)
    assert "(did you mean 'urgent'?)" in finding["message"]


def test_a_broken_customers_file_is_one_finding(make_repo: Repo) -> None:
    # verifies: REQ-117
    # verifies: REQ-007
    files: dict[str, str | bytes] = {
        f"reqs/CRM-{n}.md": req(f"CRM-{n}", source="{channel: sales, customers: [acme]}")
        for n in range(1, 6)
    }
    files["reqs/customers.yaml"] = "acme:\n  name: Acme\n  bad: [\nbeta:\n  name: B\n"
    found = findings(make_repo(files))
    assert [(f["path"], f["code"]) for f in found] == [("reqs/customers.yaml", "RF003")]


def test_a_broken_requirement_is_reported_once_where_it_is_broken(make_repo: Repo) -> None:
    # verifies: REQ-117
    root = make_repo(
        {
            "reqs/CRM-1.md": "---\nid: CRM-1\ntitle: [broken\n---\n",
            "reqs/CRM-2.md": req("CRM-2", links="{depends-on: [CRM-1]}"),
            "reqs/CRM-3.md": req("CRM-3", title="Archive contracts", links="{parent: [CRM-9]}"),
        }
    )
    found = [(f["path"], f["code"]) for f in findings(root)]
    assert found == [("reqs/CRM-1.md", "RF003"), ("reqs/CRM-3.md", "RF201")]
    shown = invoke(root, "show", "CRM-1")
    assert shown.exit_code == 2
    assert "reqs/CRM-1.md, which could not be read (RF003 at line 3" in shown.output


@pytest.mark.parametrize("name", ["README.md", "readme.md", "index.md", "_draft.md"])
def test_a_readme_in_the_requirements_folder_is_not_a_requirement(
    make_repo: Repo, name: str
) -> None:
    # verifies: REQ-117
    # verifies: REQ-001
    root = make_repo({"reqs/CRM-1.md": req("CRM-1"), f"reqs/billing/{name}": "# Billing\n"})
    result = invoke(root, "check", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["counts"]["files"] == 1


# --- the command line --------------------------------------------------------------------


def test_global_flags_are_accepted_after_the_subcommand(make_repo: Repo) -> None:
    # verifies: REQ-717
    root = make_repo({"reqs/CRM-1.md": req("CRM-1")})
    for flag in ("--quiet", "-q"):
        result = invoke(root, "check", flag)
        assert result.exit_code == 0, result.output
        assert result.stderr == ""  # quiet: no note that git history is absent
    assert invoke(root, "list", "--debug").exit_code == 0


def test_explain_without_a_code_lists_every_code(make_repo: Repo) -> None:
    # verifies: REQ-717
    # verifies: REQ-109
    root = make_repo({"reqs/CRM-1.md": req("CRM-1")})
    result = invoke(root, "check", "--explain")
    assert result.exit_code == 0, result.output
    assert "RF107  warning  unknown link relation" in result.output
    assert "RF201  error    link to an unknown ID" in result.output


def test_colour_follows_no_color_and_force_color(make_repo: Repo) -> None:
    # verifies: REQ-717
    root = make_repo({"reqs/CRM-1.md": req("CRM-1").replace("type: functional", "type: x")})
    plain = invoke(root, "check", env={"NO_COLOR": "", "FORCE_COLOR": ""})
    forced = invoke(root, "check", env={"FORCE_COLOR": "1"})
    both = invoke(root, "check", env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert not ANSI.search(plain.stdout)
    assert ANSI.search(forced.stdout) and ANSI.sub("", forced.stdout) == plain.stdout
    assert not ANSI.search(both.stdout)
    listed = invoke(root, "list", env={"FORCE_COLOR": "1"})
    assert ANSI.search(listed.stdout)


@pytest.fixture
def backlog(make_repo: Repo) -> Path:
    files: dict[str, str | bytes] = {}
    for n, status in ((1, "proposed"), (2, "accepted"), (3, "in-progress"), (4, "done")):
        text = req(f"CRM-{n}", title=f"Export ledger number {n} as CSV for the finance team")
        text = text.replace("status: proposed", f"status: {status}")
        text = text.replace(
            "  urgency: normal",
            f"  urgency: normal\n  votes: {{acme: {n + 2}}}\n"
            f"  ice: {{impact: {n}, confidence: 4, ease: 3}}",
        )
        files[f"reqs/CRM-{n}.md"] = text
    return make_repo(files)


def test_prioritize_shows_the_score_it_ranks_by_at_80_columns(backlog: Path) -> None:
    # verifies: REQ-717
    # verifies: REQ-210
    votes = invoke(backlog, "prioritize", "--method", "votes", env={"COLUMNS": "80"})
    assert votes.exit_code == 0, votes.output
    assert "Votes" in votes.stdout.splitlines()[2]
    ice = invoke(backlog, "prioritize", "--method", "ICE", env={"COLUMNS": "60"})
    assert ice.exit_code == 0, ice.output
    assert "ICE (I×C×E)" in ice.stdout and "3×4×3=36" in ice.stdout
    assert max(len(line) for line in ice.stdout.splitlines()) <= 60


def test_piped_tables_honour_columns(backlog: Path) -> None:
    # verifies: REQ-717
    for width in (60, 120):
        result = invoke(backlog, "list", env={"COLUMNS": str(width)})
        assert max(len(line) for line in result.stdout.splitlines()) <= width


def test_statuses_sort_in_workflow_order(backlog: Path) -> None:
    # verifies: REQ-717
    # verifies: REQ-706
    listed = invoke(backlog, "list", "--sort", "status", "--format", "json")
    statuses = [item["status"] for item in json.loads(listed.stdout)["items"]]
    assert statuses == ["proposed", "accepted", "in-progress", "done"]
    stats = invoke(backlog, "stats", "--format", "json")
    assert list(json.loads(stats.stdout)["by_status"]) == statuses


@pytest.mark.parametrize("width", [20, 40, 53])
def test_stats_fits_a_narrow_terminal(backlog: Path, width: int) -> None:
    # verifies: REQ-717
    # verifies: REQ-310
    result = invoke(backlog, "stats", env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.output
    assert "By status" in result.stdout and "proposed" in result.stdout
    if width >= 40:  # narrower, a column is never cut below its heading's width
        assert max(len(line) for line in result.stdout.splitlines()) <= width


# --- log ---------------------------------------------------------------------------------


def test_log_shows_the_part_of_a_long_value_that_changed() -> None:
    # verifies: REQ-717
    # verifies: REQ-301
    title = "Export the monthly customer ledger to CSV so that finance can reconcile it"
    old, new = changed_parts(title, title + "s")
    assert old != new and old.endswith("reconcile it") and new.endswith("reconcile its")
    middle_old, middle_new = changed_parts(title, title.replace("monthly", "weekly"))
    assert "monthly" in middle_old and "weekly" in middle_new
    assert middle_old.startswith("Export the ") and middle_old.endswith("...")
    assert changed_parts("short", "shorter") == ("short", "shorter")


def _entry(kind: str, changes: list[dict]) -> dict:
    commit = {"commit": "a" * 40, "date": "2026-10-01", "author": "Amy", "subject": "Add"}
    return {**commit, "kind": kind, "path": "reqs/CRM-1.md", "old_path": None, "changes": changes}


def test_log_summarises_an_added_requirement() -> None:
    # verifies: REQ-717
    # verifies: REQ-300
    changes = [
        {"field": name, "old": None, "new": value}
        for name, value in [
            ("id", "CRM-1"), ("title", "Export ledger"), ("status", "proposed"),
            ("type", "functional"), ("owner", "amy"), ("priority.moscow", "must"),
        ]
    ]  # fmt: skip
    changes.append({"field": "body", "added": 12, "removed": 0})
    text = render_log(
        {"id": "CRM-1", "path": "reqs/CRM-1.md", "entries": [_entry("added", changes)]}
    )
    added = text.split("CRM-1 added (reqs/CRM-1.md)\n", 1)[1].splitlines()
    assert added == [
        "      title = Export ledger",
        "      status = proposed",
        "      4 more fields, a body of 12 lines",
    ]
    modified = render_log(
        {
            "id": "CRM-1",
            "path": "reqs/CRM-1.md",
            "entries": [_entry("modified", [{"field": "owner", "old": "amy", "new": "bo"}])],
        }
    )
    assert modified.endswith("      owner amy -> bo")
