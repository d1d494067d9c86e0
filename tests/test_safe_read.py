"""reqforge reads only inside the repository, only regular files, only of bounded size (SPEC 6a):
the one safe reader, and every file that goes through it (requirements folder, customers.yaml,
reqforge.toml, JUnit results)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from tests.conftest import requirement_text as req

from reqforge.cli.main import cli
from reqforge.config import load_config
from reqforge.corpus import read_working_tree
from reqforge.errors import ConfigError, ReqforgeError
from reqforge.safe_read import Refused, inside_reader, read_inside, read_regular
from reqforge.trace.junit import read_results

Repo = Callable[..., Path]
SECRET = "Zebulon Secret Holdings"

needs_symlinks = pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks here")
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
needs_dev_zero = pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")


def invoke(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--repo", str(root), *args])


def run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """A real process with a timeout: a reader that blocks on a FIFO fails the test, not the
    suite."""
    return subprocess.run(
        [sys.executable, "-m", "reqforge", "--repo", str(root), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder next to the repository, holding what must never be read."""
    folder = tmp_path / "outside"
    (folder / "reqs").mkdir(parents=True)
    (folder / "reqs" / "CRM-9.md").write_text(req("CRM-9", title=SECRET), encoding="utf-8")
    (folder / "customers.yaml").write_text(f"acme:\n  name: {SECRET}\n", encoding="utf-8")
    return folder


# --- the reader ------------------------------------------------------------------------------


# verifies: REQ-008
def test_a_regular_file_inside_is_read(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"hello")
    assert read_inside(tmp_path / "a.txt", tmp_path, 5) == b"hello"
    data, info = read_regular(tmp_path / "a.txt", 5)
    assert data == b"hello" and info.st_size == 5


# verifies: REQ-008
def test_a_file_over_the_limit_is_refused_as_too_large(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"x" * 11)
    with pytest.raises(Refused) as info:
        read_inside(tmp_path / "a.txt", tmp_path, 10)
    assert info.value.too_large and "10-byte limit" in str(info.value)


# verifies: REQ-008
@needs_fifo
def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(Refused, match="not a regular file \\(a FIFO\\)"):
        read_inside(tmp_path / "pipe", tmp_path, 100)


# verifies: REQ-008
@needs_symlinks
def test_links_are_followed_only_inside(tmp_path: Path, outside: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "real.md").write_text("inside", encoding="utf-8")
    (root / "alias.md").symlink_to(root / "real.md")
    (root / "leak.md").symlink_to(outside / "customers.yaml")
    (root / "folder").symlink_to(outside, target_is_directory=True)
    assert read_inside(root / "alias.md", root, 100) == b"inside"
    for path in (root / "leak.md", root / "folder" / "customers.yaml"):
        with pytest.raises(Refused, match="outside the repository"):
            read_inside(path, root, 100)
    with pytest.raises(Refused, match="symbolic link"):  # no root given: links are not followed
        read_regular(root / "alias.md", 100)


# verifies: REQ-008
@needs_symlinks
def test_the_many_file_reader_refuses_what_read_inside_refuses(
    tmp_path: Path, outside: Path
) -> None:
    """`inside_reader` resolves each folder once (the site reads 10,000 bodies with it) and
    refuses the same files as `read_inside`: a final link or a linked folder leading out,
    also when `..` follows a linked folder."""
    root = tmp_path / "repo"
    (root / "reqs").mkdir(parents=True)
    (root / "reqs" / "real.md").write_text("inside", encoding="utf-8")
    (root / "reqs" / "alias.md").symlink_to(root / "reqs" / "real.md")
    (root / "reqs" / "leak.md").symlink_to(outside / "customers.yaml")
    (root / "reqs" / "folder").symlink_to(outside / "reqs", target_is_directory=True)
    read = inside_reader(root, 100)
    for _ in range(2):  # the second round answers from the folders already resolved
        assert read(root / "reqs" / "real.md") == b"inside"
        assert read(root / "reqs" / "alias.md") == b"inside"
        for path in (
            root / "reqs" / "leak.md",
            root / "reqs" / "folder" / "CRM-9.md",
            root / "reqs" / "folder" / ".." / "customers.yaml",  # `..` of the linked folder
        ):
            with pytest.raises(Refused, match="outside the repository"):
                read(path)
    with pytest.raises(Refused, match="10-byte limit"):
        (root / "reqs" / "big.md").write_bytes(b"x" * 11)
        inside_reader(root, 10)(root / "reqs" / "big.md")


# --- the requirements folder ---------------------------------------------------------------


# verifies: REQ-008
@needs_symlinks
def test_a_default_reqs_folder_linked_outside_is_not_read(tmp_path: Path, outside: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "reqs").symlink_to(outside / "reqs", target_is_directory=True)
    checked = invoke(root, "check", "--format", "json")
    assert checked.exit_code == 1, checked.output
    findings = json.loads(checked.stdout)["findings"]
    assert [(f["code"], f["path"]) for f in findings] == [("RF001", "reqs")]
    assert "outside the repository" in findings[0]["message"]
    for args in (("list", "--format", "json"), ("show", "CRM-9")):
        result = invoke(root, *args)
        assert SECRET not in result.stdout and "CRM-9" not in result.stdout
    with pytest.raises(ReqforgeError, match="outside the repository"):
        read_working_tree(load_config(root))  # what `diff` compares against


# --- customers.yaml --------------------------------------------------------------------------


# verifies: REQ-007
# verifies: REQ-008
@needs_symlinks
def test_customers_linked_outside_leak_nothing(make_repo: Repo, outside: Path) -> None:
    root = make_repo({"reqs/CRM-1.md": req("CRM-1")})
    (root / "reqs" / "customers.yaml").symlink_to(outside / "customers.yaml")
    stats = invoke(root, "stats", "--format", "json")
    assert SECRET not in stats.stdout
    checked = invoke(root, "check", "--format", "json")
    findings = json.loads(checked.stdout)["findings"]
    assert [(f["code"], f["path"]) for f in findings] == [("RF001", "reqs/customers.yaml")]
    assert "outside the repository" in findings[0]["message"]


# verifies: REQ-007
# verifies: REQ-008
@needs_symlinks
@needs_dev_zero
def test_customers_linked_to_dev_zero_is_refused_at_once(make_repo: Repo) -> None:
    root = make_repo({"reqs/CRM-1.md": req("CRM-1")})
    (root / "reqs" / "customers.yaml").symlink_to("/dev/zero")
    proc = run(root, "check", "--format", "json")
    assert proc.returncode == 1, proc.stderr
    findings = json.loads(proc.stdout)["findings"]
    assert [(f["code"], f["path"]) for f in findings] == [("RF001", "reqs/customers.yaml")]


# verifies: REQ-007
# verifies: REQ-008
@needs_fifo
def test_customers_as_a_fifo_does_not_hang(make_repo: Repo) -> None:
    root = make_repo({"reqs/CRM-1.md": req("CRM-1")})
    os.mkfifo(root / "reqs" / "customers.yaml")
    proc = run(root, "check", "--format", "json")
    assert proc.returncode == 1, proc.stderr
    [finding] = json.loads(proc.stdout)["findings"]
    assert finding["code"] == "RF001" and "FIFO" in finding["message"]


# verifies: REQ-007
def test_customers_over_the_size_limit_is_rf004(make_repo: Repo) -> None:
    root = make_repo(
        {"reqs/CRM-1.md": req("CRM-1"), "reqs/customers.yaml": "a:\n  name: A\n" * 200},
        config="[project]\nmax_file_size = 1024\n",
    )
    findings = json.loads(invoke(root, "check", "--format", "json").stdout)["findings"]
    assert [(f["code"], f["path"]) for f in findings] == [("RF004", "reqs/customers.yaml")]


# --- reqforge.toml ---------------------------------------------------------------------------


# verifies: REQ-003
@needs_fifo
def test_a_config_fifo_is_a_config_error(make_repo: Repo) -> None:
    root = make_repo({"reqs/CRM-1.md": req("CRM-1")})
    os.mkfifo(root / "reqforge.toml")
    proc = run(root, "check")
    assert proc.returncode == 2
    assert "reqforge.toml" in proc.stderr and "FIFO" in proc.stderr


# verifies: REQ-003
@needs_symlinks
def test_a_config_linked_outside_is_a_config_error(make_repo: Repo, tmp_path: Path) -> None:
    root = make_repo({"reqs/CRM-1.md": req("CRM-1")})
    (tmp_path / "elsewhere.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    (root / "reqforge.toml").symlink_to(tmp_path / "elsewhere.toml")
    with pytest.raises(ConfigError) as info:
        load_config(root)
    assert info.value.path == "reqforge.toml"
    assert "outside the repository" in info.value.expected


# verifies: REQ-003
@needs_dev_zero
def test_an_explicit_config_must_be_a_bounded_regular_file(make_repo: Repo) -> None:
    root = make_repo({"reqs/CRM-1.md": req("CRM-1")})
    with pytest.raises(ConfigError, match="not a regular file"):
        load_config(root, Path("/dev/zero"))


# --- JUnit results ---------------------------------------------------------------------------


# verifies: REQ-402
@needs_fifo
def test_a_results_fifo_is_refused(tmp_path: Path) -> None:
    (tmp_path / "reports").mkdir()
    os.mkfifo(tmp_path / "reports" / "junit.xml")
    results, problems = read_results(tmp_path, ["reports/*.xml"])
    assert results == []
    assert [(p.path, "FIFO" in p.message) for p in problems] == [("reports/junit.xml", True)]
