"""Command output is written in full or the command fails (SPEC 6a): a short write under a
file-size limit or onto a full disk is exit 1 with a message, a closed pipe stays quiet."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import requirement_text as req

Repo = Callable[..., Path]

needs_ulimit = pytest.mark.skipif(sys.platform == "win32", reason="ulimit is a POSIX shell feature")
needs_dev_full = pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")


@pytest.fixture
def big_repo(make_repo: Repo) -> Path:
    """Enough requirements for every machine format to pass 64 KiB."""
    return make_repo({f"reqs/R-{n}.md": req(f"R-{n}", title="x" * 200) for n in range(1, 301)})


def reqforge(root: Path, *args: str) -> str:
    return shlex.join([sys.executable, "-m", "reqforge", "--repo", str(root), *args])


def shell(script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=120)


# verifies: REQ-701
@needs_ulimit
@pytest.mark.parametrize(
    "args",
    [("list", "--format", "csv"), ("list", "--format", "json"), ("check", "--format", "json")],
)
def test_a_file_size_limit_is_an_error_not_a_truncated_success(
    big_repo: Path, tmp_path: Path, args: tuple[str, ...]
) -> None:
    out = tmp_path / "out"
    full = shell(f"{reqforge(big_repo, *args)} > {shlex.quote(str(tmp_path / 'whole'))}")
    assert full.returncode in (0, 1) and (tmp_path / "whole").stat().st_size > 16 * 1024
    run = shell(f"ulimit -f 16; {reqforge(big_repo, *args)} > {shlex.quote(str(out))}")
    assert run.returncode == 1, run.stderr
    assert "could not be written in full" in run.stderr
    assert "File too large" in run.stderr
    assert "internal error" not in run.stderr and "Traceback" not in run.stderr


# verifies: REQ-701
@needs_dev_full
@pytest.mark.parametrize(
    "args",
    [
        ("list", "--format", "csv"),
        ("check", "--format", "sarif"),
        ("prioritize", "--format", "json"),
        ("check", "--explain", "RF001"),
    ],
)
def test_a_full_disk_is_an_error_with_exit_1(big_repo: Path, args: tuple[str, ...]) -> None:
    run = shell(f"{reqforge(big_repo, *args)} > /dev/full")
    assert run.returncode == 1, run.stderr
    assert "No space left on device" in run.stderr
    assert "internal error" not in run.stderr and "Traceback" not in run.stderr


# verifies: REQ-701
@needs_ulimit
def test_a_closed_pipe_stays_quiet(big_repo: Path) -> None:
    run = shell(
        f"{reqforge(big_repo, 'list', '--format', 'json')} | head -c 1; exit ${{PIPESTATUS[0]}}"
    )
    assert run.returncode in (0, 1)
    assert run.stdout == "{"
    assert run.stderr == ""


# verifies: REQ-701
def test_output_that_fits_is_written_whole(big_repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    run = shell(f"{reqforge(big_repo, 'list', '--format', 'json')} > {shlex.quote(str(out))}")
    assert run.returncode == 0, run.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["count"] == 300
