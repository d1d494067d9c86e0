"""Checks that need git: RF301 and RF303 against --base, RF406 suspect links."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from tests.conftest import requirement_text as req
from tests.gitrepo import git_env

from reqforge.cli.main import cli

TICKS = itertools.count()


def git(root: Path, *args: str) -> str:
    # Each git call a minute later, so commit order and dates agree.
    date = (
        dt.datetime(2026, 10, 1, 12, tzinfo=dt.timezone.utc) + dt.timedelta(minutes=next(TICKS))
    ).isoformat()
    env = git_env(root.parent, date, name="Li Na", email="li.na@example.com")
    done = subprocess.run(
        ["git", "-C", str(root), *args], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def check(root: Path, *args: str) -> list[dict]:
    result = CliRunner().invoke(
        cli, ["--repo", str(root), "check", "--format", "json", "--no-cache", *args]
    )
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)["findings"]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    write(root, "reqs/CRM-1.md", req("CRM-1"))
    write(root, "reqs/CRM-2.md", req("CRM-2", title="Print invoices", links="{parent: [CRM-1]}"))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Start")
    return root


def test_illegal_status_transition_is_rf301(repo: Path) -> None:
    # verifies: REQ-305
    git(repo, "checkout", "-q", "-b", "feature")
    write(
        repo,
        "reqs/CRM-2.md",
        req("CRM-2", title="Print invoices", links="{parent: [CRM-1]}").replace(
            "status: proposed", "status: done"
        ),
    )
    found = [f for f in check(repo, "--base", "main") if f["code"] == "RF301"]
    assert len(found) == 1
    assert found[0]["path"] == "reqs/CRM-2.md"
    assert "'proposed' -> 'done' is not allowed" in found[0]["message"]
    assert "accepted, rejected, deferred, duplicate" in found[0]["message"]


def test_allowed_transition_passes(repo: Path) -> None:
    # verifies: REQ-305
    write(
        repo,
        "reqs/CRM-2.md",
        req("CRM-2", title="Print invoices", links="{parent: [CRM-1]}").replace(
            "status: proposed", "status: accepted"
        ),
    )
    assert not [f for f in check(repo, "--base", "HEAD") if f["code"] == "RF301"]


def test_parallel_branches_taking_the_same_id_is_rf303(repo: Path) -> None:
    # verifies: REQ-305
    git(repo, "checkout", "-q", "-b", "feature")
    write(repo, "reqs/billing/CRM-3.md", req("CRM-3", title="Archive contracts"))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Add CRM-3 on the branch")
    git(repo, "checkout", "-q", "main")
    write(repo, "reqs/sales/CRM-3.md", req("CRM-3", title="Send reminders"))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Add CRM-3 on main")
    git(repo, "checkout", "-q", "feature")
    found = [f for f in check(repo, "--base", "main") if f["code"] == "RF303"]
    assert [f["path"] for f in found] == ["reqs/billing/CRM-3.md"]
    assert "reqs/sales/CRM-3.md" in found[0]["message"]
    assert not [f for f in check(repo) if f["code"] == "RF303"]  # only with --base


def test_the_base_is_read_once_per_clone(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # verifies: REQ-305
    # A base's blobs are read and parsed once: the next `check --base` (the same base, or one
    # a commit further) reads only the blobs it has not met, and finds the same.
    from reqforge.git import GitRepository

    read: list[list[str]] = []
    real = GitRepository.read_blobs

    def counting(self: GitRepository, shas: Any) -> dict[str, bytes]:
        shas = list(shas)
        read.append(shas)
        return real(self, shas)

    monkeypatch.setattr(GitRepository, "read_blobs", counting)
    git(repo, "checkout", "-q", "-b", "feature")
    done = req("CRM-2", title="Print invoices", links="{parent: [CRM-1]}")
    write(repo, "reqs/CRM-2.md", done.replace("status: proposed", "status: done"))
    git(repo, "commit", "-q", "-am", "Done")

    def rf301(*args: str) -> list[str]:
        result = CliRunner().invoke(
            cli, ["--repo", str(repo), "check", "--format", "json", "--base", "main", *args]
        )
        return [f["path"] for f in json.loads(result.stdout)["findings"] if f["code"] == "RF301"]

    base_blobs = set(git(repo, "ls-tree", "-r", "--format=%(objectname)", "main").split())
    assert rf301() == ["reqs/CRM-2.md"]
    assert base_blobs <= {sha for batch in read for sha in batch}
    read.clear()
    assert rf301() == ["reqs/CRM-2.md"]
    assert not base_blobs & {sha for batch in read for sha in batch}
    # One more file on the base: only its blob is read.
    git(repo, "checkout", "-q", "main")
    write(repo, "reqs/CRM-4.md", req("CRM-4", title="Archive contracts"))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Add CRM-4")
    git(repo, "checkout", "-q", "feature")
    read.clear()
    assert rf301() == ["reqs/CRM-2.md"]
    new_blob = git(repo, "rev-parse", "main:reqs/CRM-4.md")
    assert [sha for batch in read for sha in batch if sha in base_blobs | {new_blob}] == [new_blob]
    assert rf301("--no-cache") == ["reqs/CRM-2.md"]


@pytest.mark.parametrize(
    "raw", [b"", b"---\nid: CRM-1\n---\n", "中文\r\n".encode(), bytes(range(256)) * 3]
)
def test_blob_ids_are_gits(tmp_path: Path, raw: bytes) -> None:
    # verifies: REQ-305
    from reqforge.git import blob_id

    (tmp_path / "f").write_bytes(raw)
    ours = subprocess.run(
        ["git", "hash-object", str(tmp_path / "f")], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert blob_id(raw, ours) == ours
    assert len(blob_id(raw, "0" * 64)) == 64


def test_unknown_base_is_exit_2(repo: Path) -> None:
    # verifies: REQ-305
    result = CliRunner().invoke(cli, ["--repo", str(repo), "check", "--base", "nope"])
    assert result.exit_code == 2
    assert "nope" in result.output and "Traceback" not in result.output


def test_suspect_link_and_its_review(repo: Path) -> None:
    # verifies: REQ-404
    assert not [f for f in check(repo) if f["code"] == "RF406"]
    write(repo, "reqs/CRM-1.md", req("CRM-1", title="Export ledger CRM-1 as CSV and XLSX"))
    git(repo, "commit", "-q", "-am", "Widen CRM-1")
    found = [f for f in check(repo) if f["code"] == "RF406"]
    assert [(f["path"], f["line"]) for f in found] == [("reqs/CRM-2.md", 13)]
    changed = git(repo, "rev-parse", "HEAD")
    assert changed[:10] in found[0]["message"]
    # Recording the review clears it.
    write(
        repo,
        "reqs/CRM-2.md",
        req("CRM-2", title="Print invoices", links="{parent: [CRM-1]}", reviewed=changed[:10]),
    )
    git(repo, "commit", "-q", "-am", "Review CRM-2")
    assert not [f for f in check(repo) if f["code"] == "RF406"]


def test_a_status_change_does_not_make_links_suspect(repo: Path) -> None:
    # verifies: REQ-404
    write(repo, "reqs/CRM-1.md", req("CRM-1").replace("status: proposed", "status: accepted"))
    git(repo, "commit", "-q", "-am", "Accept CRM-1")
    assert not [f for f in check(repo) if f["code"] == "RF406"]


def test_editing_the_linking_requirement_clears_suspicion(repo: Path) -> None:
    # verifies: REQ-404
    write(repo, "reqs/CRM-1.md", req("CRM-1", title="Export ledger CRM-1 as CSV and XLSX"))
    git(repo, "commit", "-q", "-am", "Widen CRM-1")
    write(
        repo,
        "reqs/CRM-2.md",
        req("CRM-2", title="Print invoices and credit notes", links="{parent: [CRM-1]}"),
    )
    git(repo, "commit", "-q", "-am", "Follow CRM-1 in CRM-2")
    assert not [f for f in check(repo) if f["code"] == "RF406"]


def test_shallow_clone_gets_a_note_naming_the_fix(repo: Path, tmp_path: Path) -> None:
    # verifies: REQ-307
    write(repo, "reqs/CRM-1.md", req("CRM-1", title="Export ledger CRM-1 as CSV and XLSX"))
    git(repo, "commit", "-q", "-am", "Widen CRM-1")
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(clone)], check=True)
    result = CliRunner().invoke(cli, ["--repo", str(clone), "check", "--no-cache"])
    assert result.exit_code == 0, result.output
    assert "shallow clone" in result.stderr and "fetch-depth: 0" in result.stderr


def test_reviewed_must_name_a_real_commit(repo: Path) -> None:
    # verifies: REQ-404
    write(
        repo,
        "reqs/CRM-2.md",
        req("CRM-2", title="Print invoices", links="{parent: [CRM-1]}", reviewed="deadbeef00"),
    )
    git(repo, "commit", "-q", "-am", "Record a review")
    found = [f for f in check(repo) if f["code"] == "RF102"]
    assert len(found) == 1 and "'deadbeef00' is not a commit" in found[0]["message"]
