"""`reqforge log` on real git repositories: field-level history, renames, PR numbers, --since."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.conftest import requirement_text as req
from tests.gitrepo import git_env

from reqforge.cli.main import cli


def git(root: Path, *args: str, date: str = "2026-10-01T12:00:00+08:00") -> str:
    env = git_env(root.parent, date, name="张伟")
    result = subprocess.run(
        ["git", "-C", str(root), *args], env=env, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "reqs" / "billing").mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    (root / "reqs" / "billing" / "CRM-1.md").write_text(req("CRM-1"), encoding="utf-8")
    (root / "reqs" / "billing" / "CRM-2.md").write_text(
        req("CRM-2", title="Print invoices"), encoding="utf-8"
    )
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Add the first requirements")
    git(root, "tag", "v1.0")
    text = req("CRM-1").replace("status: proposed", "status: accepted") + "One more line.\n"
    (root / "reqs" / "billing" / "CRM-1.md").write_text(text, encoding="utf-8")
    git(root, "commit", "-q", "-am", "Accept CRM-1 (#12)", date="2026-10-02T09:30:00+00:00")
    (root / "reqs" / "sales").mkdir()
    git(root, "mv", "reqs/billing/CRM-2.md", "reqs/sales/CRM-2.md")
    git(root, "commit", "-q", "-m", "Move CRM-2 to sales", date="2026-10-03T10:00:00-05:00")
    return root


def run(root: Path, *args: str) -> dict:
    result = CliRunner().invoke(cli, ["--repo", str(root), "log", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_log_of_one_requirement_has_field_changes_newest_first(repo: Path) -> None:
    # verifies: REQ-300
    # verifies: REQ-301
    # verifies: REQ-303
    doc = run(repo, "CRM-1")
    assert doc["id"] == "CRM-1" and doc["path"] == "reqs/billing/CRM-1.md"
    first, second = doc["entries"]
    assert first["subject"] == "Accept CRM-1 (#12)" and first["pr"] == 12
    assert first["kind"] == "modified"
    assert first["date"] == "2026-10-02T09:30:00+00:00"
    assert first["author"] == "张伟" and first["email"] == "zhang.wei@example.com"
    assert {"field": "status", "old": "proposed", "new": "accepted"} in first["changes"]
    assert {"field": "body", "added": 1, "removed": 0} in first["changes"]
    assert second["kind"] == "added" and second["pr"] is None
    assert second["date"] == "2026-10-01T12:00:00+08:00"


def test_log_follows_a_move_between_folders(repo: Path) -> None:
    # verifies: REQ-302
    doc = run(repo, "CRM-2")
    newest = doc["entries"][0]
    assert newest["kind"] == "renamed"
    assert newest["old_path"] == "reqs/billing/CRM-2.md" and newest["path"] == "reqs/sales/CRM-2.md"
    assert len(doc["entries"]) == 2


def test_log_of_everything_groups_by_commit(repo: Path) -> None:
    # verifies: REQ-300
    doc = run(repo)
    subjects = [entry["subject"] for entry in doc["entries"]]
    assert subjects == ["Move CRM-2 to sales", "Accept CRM-1 (#12)", "Add the first requirements"]
    assert sorted(r["id"] for r in doc["entries"][2]["requirements"]) == ["CRM-1", "CRM-2"]


def test_since_limits_to_later_commits(repo: Path) -> None:
    # verifies: REQ-300
    doc = run(repo, "--since", "v1.0")
    assert [entry["subject"] for entry in doc["entries"]] == [
        "Move CRM-2 to sales",
        "Accept CRM-1 (#12)",
    ]


def test_unknown_revision_is_exit_2(repo: Path) -> None:
    # verifies: REQ-701
    result = CliRunner().invoke(cli, ["--repo", str(repo), "log", "--since", "nope"])
    assert result.exit_code == 2
    assert "nope" in result.output and "Traceback" not in result.output


def test_text_format_reads_like_git_log(repo: Path) -> None:
    # verifies: REQ-300
    # verifies: REQ-301
    result = CliRunner().invoke(cli, ["--repo", str(repo), "log", "CRM-1"])
    assert result.exit_code == 0
    assert "Accept CRM-1 (#12)" in result.output
    assert "status proposed -> accepted" in result.output
    assert "body +1 -0" in result.output


def test_outside_git_history_is_absent_with_a_note(tmp_path: Path) -> None:
    # verifies: REQ-307
    (tmp_path / "reqs").mkdir()
    (tmp_path / "reqs" / "CRM-1.md").write_text(req("CRM-1"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["--repo", str(tmp_path), "log", "--format", "json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"entries": []}
    assert "history" in result.stderr


def test_log_of_a_renumbered_requirement_keeps_its_events_from_before(repo: Path) -> None:
    # verifies: REQ-302
    old = repo / "reqs" / "billing" / "CRM-1.md"
    text = old.read_text(encoding="utf-8").replace("id: CRM-1", "id: CRM-9")
    git(repo, "mv", "reqs/billing/CRM-1.md", "reqs/billing/CRM-9.md")
    (repo / "reqs" / "billing" / "CRM-9.md").write_text(text, encoding="utf-8")
    git(repo, "commit", "-q", "-am", "Renumber CRM-1 as CRM-9", date="2026-10-04T10:00:00+00:00")
    doc = run(repo, "CRM-9")
    subjects = [entry["subject"] for entry in doc["entries"]]
    assert subjects == [
        "Renumber CRM-1 as CRM-9",
        "Accept CRM-1 (#12)",
        "Add the first requirements",
    ]
    assert [entry["subject"] for entry in run(repo, "crm-9")["entries"]] == subjects
    since = run(repo, "CRM-9", "--since", "v1.0")["entries"]
    assert [entry["subject"] for entry in since] == subjects[:2]
