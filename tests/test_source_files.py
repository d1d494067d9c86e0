"""Which files the scan reads and how (reqforge.trace.files): git or a walk, the root's bounds,
binaries, size limits, symbolic links, FIFOs."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from tests.sourcetree import MARKER, TESTS, write

from reqforge.trace.files import list_files
from reqforge.trace.markers import scan


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_gitignore_is_respected(tmp_path: Path) -> None:
    # verifies: REQ-401
    git(tmp_path, "init", "-q")
    write(tmp_path, ".gitignore", "ignored/\n*.log\n")
    write(tmp_path, "src/tracked.py", "# req: CRM-1\n")
    write(tmp_path, "src/untracked.py", "# req: CRM-2\n")
    write(tmp_path, "src/ignored/x.py", "# req: CRM-3\n")
    write(tmp_path, "src/run.log", "req: CRM-4\n")
    write(tmp_path, "src/node_modules/m.js", "// req: CRM-5\n")  # not ignored: scanned
    write(tmp_path, "other/o.py", "# req: CRM-6\n")  # not under trace.scan
    git(tmp_path, "add", "src/tracked.py", ".gitignore")
    git(tmp_path, "commit", "-qm", "init")
    assert sorted(m.id for m in scan(tmp_path, ["src"], MARKER, TESTS)) == [
        "CRM-1",
        "CRM-2",
        "CRM-5",
    ]
    # A tracked file removed from the work tree is skipped, not an error.
    (tmp_path / "src/tracked.py").unlink()
    assert sorted(m.id for m in scan(tmp_path, ["src"], MARKER, TESTS)) == ["CRM-2", "CRM-5"]


def test_walk_outside_git_skips_hidden_and_build_folders(tmp_path: Path) -> None:
    write(tmp_path, "src/a.py", "# req: CRM-1\n")
    write(tmp_path, "src/.hidden/b.py", "# req: CRM-2\n")
    for name in ("node_modules", ".venv", "__pycache__", "dist", "build", "target"):
        write(tmp_path, f"src/{name}/c.py", "# req: CRM-3\n")
    write(tmp_path, "src/.dotfile.py", "# req: CRM-4\n")
    if subprocess.run(["git", "rev-parse"], cwd=tmp_path, capture_output=True).returncode == 0:
        pytest.skip("tmp_path is inside a git work tree")
    assert sorted(m.id for m in scan(tmp_path, ["src"], MARKER, TESTS)) == ["CRM-1", "CRM-4"]


def test_scan_dirs_outside_the_root_or_missing_are_ignored(tmp_path: Path) -> None:
    # verifies: REQ-401
    write(tmp_path, "repo/src/a.py", "# req: CRM-1\n")
    write(tmp_path, "outside/b.py", "# req: CRM-2\n")
    root = tmp_path / "repo"
    assert list_files(root, ["src", "../outside", "missing", "src/"]) == ["src/a.py"]
    assert scan(root, [], MARKER, TESTS) == []


def test_binaries_huge_and_non_utf8_files(tmp_path: Path) -> None:
    write(tmp_path, "src/bin.dat", b"req: CRM-1\n\0\1\2")
    write(tmp_path, "src/late_nul.txt", b"req: CRM-2\n" + b"x" * 9000 + b"\0")
    write(tmp_path, "src/huge.txt", b"req: CRM-3\n" + b"x" * (2 * 1024 * 1024))
    write(tmp_path, "src/latin1.txt", "caf\xe9 req: CRM-4\n".encode("latin-1"))
    ids = [m.id for m in scan(tmp_path, ["src"], MARKER, TESTS)]
    assert ids == ["CRM-4", "CRM-2"] or sorted(ids) == ["CRM-2", "CRM-4"]
    small = scan(tmp_path, ["src"], MARKER, TESTS, max_bytes=100)
    assert [m.id for m in small] == ["CRM-4"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links")
def test_symlinks_out_of_the_root_are_not_followed(tmp_path: Path) -> None:
    write(tmp_path, "outside/secret.py", "# req: CRM-1\n")
    write(tmp_path, "repo/src/real.py", "# req: CRM-2\n")
    root = tmp_path / "repo"
    try:
        (root / "src/out.py").symlink_to(tmp_path / "outside/secret.py")
        (root / "src/outdir").symlink_to(tmp_path / "outside", target_is_directory=True)
        (root / "src/in.py").symlink_to(root / "src/real.py")
    except OSError:
        pytest.skip("cannot create symbolic links here")
    markers = scan(root, ["src"], MARKER, TESTS)
    assert sorted((m.path, m.id) for m in markers) == [
        ("src/in.py", "CRM-2"),
        ("src/real.py", "CRM-2"),
    ]
    (root / "linked").symlink_to(tmp_path / "outside", target_is_directory=True)
    assert scan(root, ["linked"], MARKER, TESTS) == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs")
def test_a_fifo_does_not_hang_the_scan(tmp_path: Path) -> None:
    write(tmp_path, "src/a.py", "# req: CRM-1\n")
    os.mkfifo(tmp_path / "src/pipe")
    assert [m.id for m in scan(tmp_path, ["src"], MARKER, TESTS)] == ["CRM-1"]
