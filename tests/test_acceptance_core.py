"""Acceptance criteria of core and CLI requirements, checked the way a user meets them: a
hand-written `created` field (REQ-009), the global options and finding the repository root
(REQ-700), exit codes and output streams (REQ-701), and Chinese text in JSON output (REQ-010)."""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from tests.conftest import requirement_text as req
from tests.gitrepo import GitRepo

from reqforge.cli.main import cli

Repo = Callable[..., Path]

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

TITLE_ZH = "导出客户账本要快速"
BODY_ZH = "财务每月手工录入总账。"
AUTHOR_ZH = "张伟"


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env={"REQFORGE_TODAY": None, "NO_COLOR": None})


def user_env(**extra: str) -> dict[str, str]:
    """The caller's environment without the variables that change reqforge's output."""
    drop = ("REQFORGE_TODAY", "NO_COLOR", "PYTHONIOENCODING", "COLUMNS")
    env = {key: value for key, value in os.environ.items() if key not in drop}
    env.update(extra)
    return env


def run(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """`python -m reqforge ARGS` in a separate process, stdout and stderr as raw bytes."""
    return subprocess.run(
        [sys.executable, "-m", "reqforge", *args],
        capture_output=True,
        cwd=cwd,
        env=env or user_env(),
        timeout=120,
    )


def line_of(text: str, prefix: str) -> int:
    """The 1-based line number of the first line of `text` starting with `prefix`."""
    return next(n for n, line in enumerate(text.splitlines(), 1) if line.startswith(prefix))


@pytest.fixture
def git_repo(tmp_path: Path) -> GitRepo:
    home = tmp_path / "home"
    home.mkdir()
    return GitRepo(tmp_path / "repo", home)


# --- REQ-009: dates come from git, not from hand-kept fields ------------------------------


@needs_git
def test_hand_written_created_field_is_rf103_and_the_date_from_git_is_used(
    git_repo: GitRepo,
) -> None:
    # verifies: REQ-009
    text = req("CRM-1", created="2020-01-01")
    git_repo.write("reqs/CRM-1.md", text)
    git_repo.commit("Add CRM-1")
    commit_date = git_repo.git("log", "-1", "--format=%cI")
    assert commit_date == "2026-10-01T00:01:00+08:00"

    proc = run("check", "--format", "json", cwd=git_repo.root)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["findings"] == [
        {
            "code": "RF103",
            "severity": "warning",
            "path": "reqs/CRM-1.md",
            "line": line_of(text, "created:"),
            "column": 1,
            "id": "CRM-1",
            "message": "unknown field 'created'",
        }
    ]

    # The creation date is the commit that added the file, not the hand-written 2020-01-01.
    proc = run("log", "CRM-1", "--format", "json", cwd=git_repo.root)
    assert proc.returncode == 0, proc.stderr
    (added,) = json.loads(proc.stdout)["entries"]
    assert added["kind"] == "added" and added["date"] == commit_date

    # Age of the open item: from 2026-09-30T16:01Z (git) to the end of 2026-10-11, about 11.3
    # days; the hand-written date would make it more than six years.
    proc = run("stats", "--format", "json", "--today", "2026-10-11", cwd=git_repo.root)
    assert proc.returncode == 0, proc.stderr
    ageing = json.loads(proc.stdout)["ageing_days"]
    assert ageing["open"] == 1
    assert ageing["buckets"] == {"7-30 days": 1}
    assert 11 < ageing["median"] < 12


# --- REQ-700: global options and the repository root --------------------------------------


def test_version_prints_the_installed_version(tmp_path: Path) -> None:
    # verifies: REQ-700
    proc = run("--version", cwd=tmp_path)  # no repository needed
    assert proc.returncode == 0
    assert proc.stdout.decode() == f"reqforge, version {importlib.metadata.version('reqforge')}\n"
    assert proc.stderr == b""


def test_repo_option_checks_that_folder_whatever_the_working_folder(make_repo: Repo) -> None:
    # verifies: REQ-700
    target = make_repo({"reqs/billing/CRM-1.md": req("CRM-2")})  # RF105
    here = target.parent / "here"  # another repository, clean, is the working folder
    (here / "reqs").mkdir(parents=True)
    (here / "reqs" / "CRM-7.md").write_text(req("CRM-7"), encoding="utf-8")
    assert run("check", cwd=here).returncode == 0

    for repo_arg in (str(target), "../repo"):
        assert checked(here, "--repo", repo_arg) == (1, [("reqs/billing/CRM-1.md", "RF105")])


def test_config_option_replaces_the_repository_configuration(make_repo: Repo) -> None:
    # verifies: REQ-700
    root = make_repo(
        {"reqs/CRM-1.md": req("CRM-1", risk="low")},
        config="""
        [fields.risk]
        type = "enum"
        values = ["low", "high"]
        """,
    )
    other = root.parent / "elsewhere" / "strict.toml"
    other.parent.mkdir()
    other.write_text("[project]\nid_pattern = '^REQ-[0-9]+$'\n", encoding="utf-8")
    proc = run("check", "--format", "json", cwd=root)
    assert proc.returncode == 0 and json.loads(proc.stdout)["findings"] == []

    for config_arg, cwd in ((str(other), root), ("strict.toml", other.parent)):
        proc = run(
            "--repo", str(root), "--config", config_arg, "check", "--format", "json", cwd=cwd
        )
        assert proc.returncode == 1, proc.stderr
        findings = json.loads(proc.stdout)["findings"]
        # strict.toml's ID pattern applies, and reqforge.toml's custom field is not declared.
        assert [(f["code"], f["message"]) for f in findings] == [
            ("RF104", "id 'CRM-1' does not match the ID pattern ^REQ-[0-9]+$"),
            ("RF103", "unknown field 'risk'"),
        ]


@pytest.mark.parametrize(
    ("args", "note"),
    [
        (("list",), "1 of 1 requirements"),
        (("prioritize",), "1 requirements ranked"),
        (("stats",), "history is absent"),
        (("log",), "history is absent"),
        (("trace",), "orphans: CRM-1"),
    ],
    ids=["list", "prioritize", "stats", "log", "trace"],
)
def test_quiet_prints_no_message_on_stderr(
    make_repo: Repo, args: tuple[str, ...], note: str
) -> None:
    # verifies: REQ-700
    root = make_repo({"reqs/CRM-1.md": req("CRM-1")})  # not a git repository
    loud = run("--repo", str(root), *args, cwd=root)
    assert loud.returncode == 0, loud.stderr
    assert note in loud.stderr.decode()
    for flag in ("--quiet", "-q"):
        quiet = run("--repo", str(root), flag, *args, cwd=root)
        assert quiet.returncode == 0
        assert quiet.stderr == b""
        assert quiet.stdout == loud.stdout


OUTSIDE_GIT = (
    b"note: not a git repository: history is absent; suspect links (RF406) are not checked\n"
)


LAUNCHER = """\
import sys

import reqforge.checks.run


def boom(*args, **kwargs):
    raise RuntimeError("boom: simulated internal error")


reqforge.checks.run.run_check = boom
from reqforge.cli.main import main

sys.argv[0] = "reqforge"
main()
"""


def checked(cwd: Path, *args: str) -> tuple[int, list[tuple[str, str]]]:
    """`check --format json` run in `cwd` (exit code 1 expected): the number of requirements it
    read and its findings as (path, code)."""
    proc = run(*args, "check", "--format", "json", cwd=cwd)
    assert proc.returncode == 1, (cwd, proc.stderr)
    doc = json.loads(proc.stdout)
    return doc["counts"]["requirements"], [(f["path"], f["code"]) for f in doc["findings"]]


def launch_broken(root: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """reqforge's real entry point, with `run_check` made to crash (LAUNCHER)."""
    launcher = tmp_path / "launch_reqforge.py"
    launcher.write_text(LAUNCHER, encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(launcher), "--repo", str(root), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=root,
        env=user_env(),
        timeout=120,
    )


def test_debug_prints_the_traceback_of_an_internal_error(make_repo: Repo, tmp_path: Path) -> None:
    # verifies: REQ-700
    root = make_repo({"reqs/CRM-1.md": req("CRM-1")})
    proc = launch_broken(root, tmp_path, "--debug", "check")
    assert proc.returncode == 2  # a crash is never mistaken for findings (exit 1)
    assert proc.stdout == ""
    assert proc.stderr.startswith("Traceback (most recent call last):\n"), proc.stderr
    assert "reqforge/cli/check.py" in proc.stderr.replace(os.sep, "/")
    assert proc.stderr.rstrip("\n").splitlines()[-1] == (
        "RuntimeError: boom: simulated internal error"
    )


def test_an_internal_error_without_debug_is_one_line(make_repo: Repo, tmp_path: Path) -> None:
    # verifies: REQ-701
    root = make_repo({"reqs/CRM-1.md": req("CRM-1")})
    proc = launch_broken(root, tmp_path, "check")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.splitlines() == [
        "reqforge: internal error: RuntimeError: boom: simulated internal error (run again with "
        "--debug for the traceback, and please report it)"
    ]


def test_an_id_list_field_naming_an_unknown_id_is_rf201(make_repo: Repo) -> None:
    # verifies: REQ-004
    # verifies: REQ-104
    root = make_repo(
        {
            "reqs/CRM-1.md": req("CRM-1").replace("status:", "hazards: [CRM-2, CRM-9]\nstatus:"),
            "reqs/CRM-2.md": req("CRM-2", title="Print invoices"),
            "reqs/CRM-3.md": req("CRM-3", title="Archive ledgers").replace(
                "status:", "hazards: CRM-8\nstatus:"
            ),
        },
        config='[fields.hazards]\ntype = "id-list"\n',
    )
    result = CliRunner().invoke(cli, ["--repo", str(root), "check", "--format", "json"])
    assert result.exit_code == 1, result.output
    found = [
        (f["path"], f["message"])
        for f in json.loads(result.stdout)["findings"]
        if f["code"] == "RF201"
    ]
    assert found == [
        ("reqs/CRM-1.md", "hazards: unknown requirement 'CRM-9'"),
        ("reqs/CRM-3.md", "hazards: unknown requirement 'CRM-8'"),
    ]


def make_tree(root: Path, files: dict[str, str]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")


def test_without_repo_walks_up_to_the_folder_holding_reqforge_toml(tmp_path: Path) -> None:
    # verifies: REQ-700
    root = tmp_path / "product"
    make_tree(
        root,
        {
            "reqforge.toml": "[project]\nreqs_dir = 'requirements'\n",
            "requirements/billing/CRM-1.md": req("CRM-1"),
            "requirements/billing/CRM-2.md": req("CRM-9"),  # RF105
            "docs/guides/README.md": "notes\n",
        },
    )
    assert checked(root / "docs" / "guides") == (2, [("requirements/billing/CRM-2.md", "RF105")])


def test_without_repo_walks_up_to_the_folder_holding_reqs(tmp_path: Path) -> None:
    # verifies: REQ-700
    root = tmp_path / "product"
    make_tree(
        root,
        {
            "reqs/a/CRM-1.md": req("CRM-1"),
            "reqs/b/CRM-2.md": req("CRM-2", links="{parent: [CRM-404]}"),  # RF201
            "src/app/main.py": "print('hello')\n",
        },
    )
    for cwd in (root / "src" / "app", root / "reqs" / "a", root):
        assert checked(cwd) == (2, [("reqs/b/CRM-2.md", "RF201")])


def test_without_repo_the_nearest_enclosing_root_wins(tmp_path: Path) -> None:
    # verifies: REQ-700
    outer = tmp_path / "monorepo"
    inner = outer / "services" / "billing"
    make_tree(
        outer,
        {
            "reqforge.toml": "[project]\nname = 'outer'\n",
            "reqs/CRM-9.md": req("CRM-8"),  # RF105, only in the outer repository
            "docs/index.md": "docs\n",
        },
    )
    make_tree(inner, {"reqs/CRM-1.md": req("CRM-1"), "src/ledger.py": "x = 1\n"})

    proc = run("check", "--format", "json", cwd=inner / "src")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert json.loads(proc.stdout)["counts"]["requirements"] == 1

    proc = run("check", "--format", "json", cwd=outer / "docs")
    assert proc.returncode == 1
    paths = {f["path"] for f in json.loads(proc.stdout)["findings"]}
    assert paths == {"reqs/CRM-9.md"}


# --- REQ-701: exit codes, stdout and stderr -----------------------------------------------

BAD_TOML = "[project\n"


@pytest.mark.parametrize(
    ("files", "config", "args", "expected"),
    [
        ({"reqs/CRM-1.md": req("CRM-1")}, None, ("check",), 0),
        ({"reqs/CRM-1.md": req("CRM-1", title="A fast export")}, None, ("check",), 0),
        ({"reqs/CRM-1.md": req("CRM-1")}, None, ("list",), 0),
        ({"reqs/CRM-1.md": req("CRM-1")}, None, ("show", "CRM-1"), 0),
        ({"reqs/CRM-1.md": req("CRM-1")}, None, ("prioritize",), 0),
        ({"reqs/CRM-1.md": req("CRM-1")}, None, ("stats",), 0),
        ({"reqs/CRM-1.md": req("CRM-1")}, None, ("trace",), 0),
        ({"reqs/CRM-1.md": req("CRM-1")}, None, ("check", "--explain", "RF401"), 0),
        ({"reqs/CRM-1.md": req("CRM-2")}, None, ("check",), 1),
        ({"reqs/CRM-1.md": req("CRM-1", title="A fast export")}, None, ("check", "--strict"), 1),
        ({"reqs/CRM-1.md": req("CRM-1")}, None, ("check", "--no-such-option"), 2),
        ({"reqs/CRM-1.md": req("CRM-1")}, None, ("no-such-command",), 2),
        ({"reqs/CRM-1.md": req("CRM-1")}, None, ("list", "--format", "xml"), 2),
        ({"reqs/CRM-1.md": req("CRM-1")}, None, ("list", "--filter", "status ="), 2),
        ({"reqs/CRM-1.md": req("CRM-1")}, None, ("list", "--sort", "nosuchfield"), 2),
        ({"reqs/CRM-1.md": req("CRM-1")}, None, ("show",), 2),
        ({"reqs/CRM-1.md": req("CRM-1")}, None, ("prioritize", "--method", "guess"), 2),
        ({"reqs/CRM-1.md": req("CRM-1")}, BAD_TOML, ("check",), 2),
        ({"reqs/CRM-1.md": req("CRM-1")}, BAD_TOML, ("list",), 2),
        ({"reqs/CRM-1.md": req("CRM-1")}, BAD_TOML, ("prioritize",), 2),
        ({"reqs/CRM-1.md": req("CRM-1")}, BAD_TOML, ("stats",), 2),
        ({"reqs/CRM-1.md": req("CRM-1")}, "[nonsense]\nx = 1\n", ("trace",), 2),
    ],
    ids=[
        "check-clean",
        "check-warning-only",
        "list",
        "show",
        "prioritize",
        "stats",
        "trace",
        "explain",
        "check-error",
        "check-strict-warning",
        "unknown-option",
        "unknown-command",
        "bad-format-choice",
        "bad-filter",
        "bad-sort-field",
        "missing-argument",
        "bad-method",
        "bad-config-check",
        "bad-config-list",
        "bad-config-prioritize",
        "bad-config-stats",
        "unknown-config-table-trace",
    ],
)
def test_exit_codes_across_commands(
    make_repo: Repo,
    files: dict[str, str],
    config: str | None,
    args: tuple[str, ...],
    expected: int,
) -> None:
    # verifies: REQ-701
    root = make_repo(files, config=config)
    result = invoke("--repo", str(root), *args)
    assert result.exit_code == expected, result.output
    assert "Traceback" not in result.output
    if expected == 2:
        assert result.stdout == ""
        assert result.stderr.strip()
        if config is not None:
            assert "reqforge.toml" in result.stderr


def test_output_goes_to_stdout_and_messages_to_stderr(make_repo: Repo) -> None:
    # verifies: REQ-701
    root = make_repo({"reqs/CRM-1.md": req("CRM-1"), "reqs/CRM-2.md": req("CRM-3")})  # RF105

    proc = run("list", cwd=root)  # a table on stdout, the count as a note on stderr
    assert proc.returncode == 0
    assert b"CRM-1" in proc.stdout and b"CRM-3" in proc.stdout
    assert proc.stderr.decode() == "2 of 2 requirements\n"

    proc = run("list", "--format", "json", cwd=root)
    assert proc.returncode == 0 and proc.stderr == b""
    assert [i["id"] for i in json.loads(proc.stdout)["items"]] == ["CRM-1", "CRM-3"]

    proc = run("stats", "--format", "json", cwd=root)  # outside git: a note, and clean JSON
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["requirements"] == 2
    assert "history is absent" in proc.stderr.decode()
    assert b"history" not in proc.stdout

    proc = run("check", cwd=root)  # findings are the output; outside git, one note
    assert proc.returncode == 1 and proc.stderr == OUTSIDE_GIT
    assert proc.stdout.decode().startswith("reqs/CRM-2.md:2:5: error[RF105]")

    proc = run("list", "--filter", "status =", cwd=root)  # an error is a message
    assert proc.returncode == 2 and proc.stdout == b""
    assert proc.stderr.decode().startswith("reqforge: error: --filter: expected a value")


def test_no_progress_output_when_stderr_is_not_a_terminal(make_repo: Repo) -> None:
    # verifies: REQ-701
    files = {f"reqs/m{n % 9}/CRM-{n}.md": req(f"CRM-{n}") for n in range(1, 401)}
    files["reqs/m0/CRM-999.md"] = req("CRM-998")  # one error, so check has findings to print
    root = make_repo(files)
    for args, code, stderr in (
        (("check", "--no-cache"), 1, OUTSIDE_GIT),
        (("check", "--no-cache", "--format", "json"), 1, OUTSIDE_GIT),
        (("prioritize", "--format", "json"), 0, b""),
        (("list", "--format", "csv"), 0, b"401 of 401 requirements\n"),  # a note, no bar
    ):
        proc = run(*args, cwd=root)  # stderr and stdout are pipes
        assert proc.returncode == code, (args, proc.stderr)
        assert proc.stderr == stderr, args
        assert b"\r" not in proc.stdout and b"\x1b" not in proc.stdout, args
        if "json" in args:
            json.loads(proc.stdout)


# --- REQ-010: Chinese text in JSON output is UTF-8, never \\uXXXX -------------------------


@pytest.fixture(scope="module")
def chinese_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    base = tmp_path_factory.mktemp("zh")
    home = base / "home"
    home.mkdir()
    repo = GitRepo(base / "repo", home)
    repo.write("reqs/销售/CRM-1.md", req("CRM-1", title=TITLE_ZH, body=BODY_ZH, owner_zh="王芳"))
    repo.write("reqforge.toml", '[fields.owner_zh]\ntype = "string"\n')
    repo.commit("新增需求 CRM-1", GIT_AUTHOR_NAME=AUTHOR_ZH)
    text = (repo.root / "reqs" / "销售" / "CRM-1.md").read_text(encoding="utf-8")
    repo.write("reqs/销售/CRM-1.md", text.replace("status: proposed", "status: accepted"))
    repo.commit("接受需求 CRM-1", GIT_AUTHOR_NAME=AUTHOR_ZH)
    return repo.root


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("check", "--format", "json"), ["快速", "reqs/销售/CRM-1.md"]),
        (("check", "--format", "sarif"), ["快速"]),  # its URIs are percent-encoded
        (("list", "--format", "json"), [TITLE_ZH, "王芳"]),
        (("show", "CRM-1", "--format", "json"), [TITLE_ZH, BODY_ZH, "王芳"]),
        (("prioritize", "--format", "json"), [TITLE_ZH]),
        (("stats", "--format", "json"), [TITLE_ZH]),
        (("log", "CRM-1", "--format", "json"), [TITLE_ZH, AUTHOR_ZH, "接受需求"]),
        (("log", "--format", "json"), [TITLE_ZH, AUTHOR_ZH, "新增需求"]),
        (("diff", "HEAD~1..HEAD", "--format", "json"), [TITLE_ZH, "reqs/销售/CRM-1.md"]),
    ],
    ids=["check", "sarif", "list", "show", "prioritize", "stats", "log-id", "log", "diff"],
)
@pytest.mark.parametrize("encoding", [None, "cp1252", "ascii"])
def test_json_output_holds_chinese_characters_not_escapes(
    chinese_repo: Path, args: tuple[str, ...], expected: list[str], encoding: str | None
) -> None:
    # verifies: REQ-010
    env = user_env(**({"PYTHONIOENCODING": encoding} if encoding else {}))
    proc = run(*args, cwd=chinese_repo, env=env)
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    raw = proc.stdout
    for text in expected:
        assert text.encode("utf-8") in raw, text
    assert b"\\u" not in raw and b"\\U" not in raw
    json.loads(raw.decode("utf-8"))  # strict UTF-8, and valid JSON


def test_check_says_when_history_is_absent(make_repo: Repo) -> None:
    # verifies: REQ-307
    root = make_repo({"reqs/CRM-1.md": req("CRM-1")})
    outside = run("check", cwd=root)
    assert outside.returncode == 0 and outside.stderr == OUTSIDE_GIT
    assert run("--quiet", "check", cwd=root).stderr == b""
    repo = GitRepo(root, root.parent)
    assert run("check", cwd=root).stderr == b""  # no commits yet: nothing can be suspect
    repo.commit("first")
    inside = run("check", cwd=root)
    assert inside.returncode == 0 and inside.stderr == b""
