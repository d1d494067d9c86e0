"""The intake's screening in `check`: quality findings only for what a branch adds or changes
(`check --base REV --new-only`), and RF403 told to the incoming (proposed) requirement."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from tests.conftest import requirement_text as req
from tests.gitrepo import GitRepo

from reqforge.checks.wording import WORDING_CODES
from reqforge.cli.main import cli


def check(root: Path, *args: str) -> tuple[int, list[dict[str, Any]], str]:
    result = CliRunner().invoke(cli, ["--repo", str(root), "check", "--format", "json", *args])
    findings = json.loads(result.stdout)["findings"] if result.stdout.startswith("{") else []
    return result.exit_code, findings, result.output


def where(findings: list[dict[str, Any]], code: str) -> list[str]:
    """The files with findings of `code` (RF401: of any wording code)."""
    wanted = set(WORDING_CODES) if code == "RF401" else {code}
    return sorted({f["path"] for f in findings if f["code"] in wanted})


def test_rf403_is_told_to_the_incoming_requirement(make_repo: Callable[..., Path]) -> None:
    # verifies: REQ-721
    root = make_repo(
        {
            # the proposed one sorts first by path: before, RF403 went to the later file
            "reqs/A-1.md": req("A-1", title="Export customer data to CSV", body="Same body."),
            "reqs/A-2.md": req(
                "A-2", title="Export the customer data to CSV", body="Same body."
            ).replace("status: proposed", "status: accepted"),
        }
    )
    _, findings, _ = check(root)
    (finding,) = [f for f in findings if f["code"] == "RF403"]
    assert finding["path"] == "reqs/A-1.md" and "possible duplicate of A-2" in finding["message"]


def test_new_only_reports_quality_findings_for_what_the_branch_adds_or_changes(
    tmp_path: Path,
) -> None:
    # verifies: REQ-721
    repo = GitRepo(tmp_path / "repo", tmp_path / "home")
    repo.write("reqs/B-1.md", req("B-1", title="The export shall be fast and user-friendly"))
    repo.write("reqs/B-2.md", req("B-2", title="Export ledgers to CSV"))
    repo.write("reqs/B-4.md", req("B-4", title="Print ledgers", due="2020-01-31"))
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("reqs/B-2.md", req("B-2", title="Export ledgers to CSV as fast as possible"))
    repo.write("reqs/B-3.md", req("B-3", title="Show some totals, etc."))
    repo.commit("feature work")
    _, everything, _ = check(repo.root, "--base", "main", "--today", "2026-12-01")
    assert where(everything, "RF401") == ["reqs/B-1.md", "reqs/B-2.md", "reqs/B-3.md"]
    _, new, _ = check(repo.root, "--base", "main", "--new-only", "--today", "2026-12-01")
    assert where(new, "RF401") == ["reqs/B-2.md", "reqs/B-3.md"]  # not the backlog's B-1
    assert where(new, "RF405") == ["reqs/B-4.md"]  # other findings: for every requirement
    # uncommitted edits count as the branch's too
    (repo.root / "reqs/B-4.md").write_text(req("B-4", title="Print ledgers quickly"), "utf-8")
    _, new, _ = check(repo.root, "--base", "main", "--new-only")
    assert where(new, "RF401") == ["reqs/B-2.md", "reqs/B-3.md", "reqs/B-4.md"]


def test_new_only_needs_a_base(make_repo: Callable[..., Path]) -> None:
    # verifies: REQ-721
    root = make_repo({"reqs/A-1.md": req("A-1")})
    result = CliRunner().invoke(cli, ["--repo", str(root), "check", "--new-only"])
    assert result.exit_code == 2 and "--new-only needs --base REV" in result.output
    proc = subprocess.run(
        [sys.executable, "-m", "reqforge", "check", "--new-only"],
        cwd=root, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 2 and "--new-only needs --base" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_out_of_scope_and_rejected_need_a_reason_duplicate_its_original(
    make_repo: Callable[..., Path],
) -> None:
    # verifies: REQ-721
    def with_status(rid: str, status: str, extra: str = "") -> str:
        return req(rid, title=f"Print ledger {rid}").replace(
            "status: proposed", f"status: {status}{extra}"
        )

    root = make_repo(
        {
            "reqs/S-1.md": with_status("S-1", "out-of-scope"),
            "reqs/S-2.md": with_status("S-2", "out-of-scope", "\nreason: Handled by the ERP."),
            "reqs/S-3.md": with_status("S-3", "rejected"),
            "reqs/S-4.md": with_status("S-4", "duplicate"),
            "reqs/S-5.md": with_status("S-5", "duplicate", "\nlinks: {duplicates: [S-2]}"),
        }
    )
    _, findings, _ = check(root)
    missing = sorted((f["path"], f["message"]) for f in findings if f["code"] == "RF302")
    assert [path for path, _ in missing] == ["reqs/S-1.md", "reqs/S-3.md", "reqs/S-4.md"]
    assert "reason" in missing[0][1] and "links.duplicates" in missing[2][1]
