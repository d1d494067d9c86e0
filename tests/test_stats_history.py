"""`stats` figures from git history: lead time, response time against the SLA, breaches,
ageing and throughput, on a real repository with hand-computed expectations."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from click.testing import CliRunner
from tests.conftest import requirement_text as req
from tests.gitrepo import git_env

from reqforge.cli.main import cli


def commit(root: Path, message: str, date: str) -> None:
    env = git_env(root.parent, date, name="A", email="a@example.com")
    for args in (["add", "-A"], ["commit", "-q", "-m", message]):
        subprocess.run(["git", "-C", str(root), *args], env=env, check=True, capture_output=True)


def write(root: Path, rid: str, status: str, urgency: str) -> None:
    text = req(rid).replace("status: proposed", f"status: {status}")
    text = text.replace("urgency: normal", f"urgency: {urgency}")
    (root / "reqs" / f"{rid}.md").write_text(text, encoding="utf-8")


def test_history_figures(tmp_path: Path) -> None:
    # verifies: REQ-310
    # verifies: REQ-306
    # verifies: REQ-009
    root = tmp_path / "repo"
    (root / "reqs").mkdir(parents=True)
    subprocess.run(["git", "-C", str(root), "init", "-q", "-b", "main"], check=True)
    write(root, "CRM-1", "proposed", "urgent")  # answered after 48 h: breaches 24 h
    write(root, "CRM-2", "proposed", "normal")  # never answered: breaches 72 h by 10-10
    write(root, "CRM-3", "proposed", "normal")  # answered after 10 h
    commit(root, "Add three", "2026-10-01T00:00:00+00:00")
    write(root, "CRM-3", "accepted", "normal")
    commit(root, "Accept CRM-3", "2026-10-01T10:00:00+00:00")
    write(root, "CRM-1", "accepted", "urgent")
    commit(root, "Accept CRM-1", "2026-10-03T00:00:00+00:00")
    for status in ("in-progress", "testing", "awaiting-acceptance", "done"):
        write(root, "CRM-1", status, "urgent")
    commit(root, "Ship CRM-1", "2026-10-10T00:00:00+00:00")
    result = CliRunner().invoke(
        cli, ["--repo", str(root), "stats", "--format", "json", "--today", "2026-10-10"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["lead_time_days"] == {"median": 9.0, "p90": 9.0}
    assert doc["response_time_hours"] == {"median": 29.0, "p90": 48.0}  # 48 h and 10 h
    assert doc["sla_breaches"] == ["CRM-1", "CRM-2"]
    assert doc["throughput_per_week"] == {"2026-W41": 1}
    assert doc["ageing_days"]["open"] == 2
    assert doc["ageing_days"]["buckets"] == {"7-30 days": 2}


def test_outside_git_history_figures_are_null(make_repo) -> None:  # type: ignore[no-untyped-def]
    # verifies: REQ-307
    root = make_repo({"reqs/CRM-1.md": req("CRM-1")})
    result = CliRunner().invoke(cli, ["--repo", str(root), "stats", "--format", "json"])
    doc = json.loads(result.stdout)
    assert doc["lead_time_days"] is None and doc["sla_breaches"] is None
    assert "history" in result.stderr
