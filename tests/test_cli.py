"""The command line as a user meets it: version, help, finding the repository, global options,
exit codes, the text format on a terminal and off it, machine formats, and failure modes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from tests.conftest import requirement_text as req

import reqforge
import reqforge.checks.run
from reqforge.checks.registry import RULES
from reqforge.cli.main import cli
from reqforge.errors import ReqforgeError

Repo = Callable[..., Path]

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def invoke(*args: str, env: dict[str, str | None] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env)


def run_check(root: Path, *args: str, env: dict[str, str | None] | None = None) -> Result:
    return invoke("--repo", str(root), "check", *args, env=env)


def subprocess_run(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("REQFORGE_TODAY", "NO_COLOR")}
    proc = subprocess.run(
        [sys.executable, "-m", "reqforge", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        cwd=cwd,
        env={**base, **(env or {})},
    )
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    return proc


def doc_of(result: Result) -> dict:
    return json.loads(result.stdout)


def codes_of(result: Result) -> set[str]:
    return {f["code"] for f in doc_of(result)["findings"]}


# --- version and help ---------------------------------------------------------------------


def test_version_in_process() -> None:
    # verifies: REQ-700
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.output.strip() == f"reqforge, version {reqforge.__version__}"


def test_version_as_module(tmp_path: Path) -> None:
    # verifies: REQ-700
    proc = subprocess_run("--version", cwd=tmp_path)
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"reqforge, version {reqforge.__version__}"


def test_help_lists_global_options() -> None:
    # verifies: REQ-700
    result = invoke("--help")
    assert result.exit_code == 0
    for option in ("--repo", "--config", "--quiet", "--debug", "--version", "check"):
        assert option in result.output, option


def test_check_help_lists_options_and_every_code() -> None:
    result = invoke("check", "--help")
    assert result.exit_code == 0
    for option in ("--strict", "--select", "--ignore", "--explain", "--format", "--no-cache"):
        assert option in result.output, option
    for fmt in ("text", "json", "github", "sarif", "junit"):
        assert fmt in result.output
    for code, rule in RULES.items():
        assert re.search(rf"^\s+{code}\s+{rule.severity}\s+\S", result.output, re.M), code


@pytest.mark.parametrize(("command", "collecting"), [("list", False), ("build", True)])
def test_collector_paused_for_a_command_and_back_after(
    make_repo: Repo, monkeypatch: pytest.MonkeyPatch, command: str, collecting: bool
) -> None:
    # verifies: REQ-601
    # A command builds one acyclic model: the cyclic collector is paused while it runs (its
    # passes grew with the corpus), and running again once it is done; `build` and `serve`
    # keep it (a build freezes its model out of it; a server runs for hours).
    import gc

    import reqforge.corpus

    root = make_repo({"reqs/billing/REQ-1.md": req("REQ-1")})
    seen = []
    real = reqforge.corpus.discover

    def discover(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(reqforge.corpus, "discover", discover)
    assert gc.isenabled()
    result = CliRunner().invoke(cli, ["--repo", str(root), command])
    assert result.exit_code == 0, result.output
    assert seen and set(seen) == {collecting}
    assert gc.isenabled()
    broken = CliRunner().invoke(cli, ["--repo", str(root / "nowhere"), command])
    assert broken.exit_code == 2 and gc.isenabled()


# --- finding the repository ---------------------------------------------------------------


def test_without_repo_walks_up_from_a_subfolder(make_repo: Repo) -> None:
    # verifies: REQ-700
    root = make_repo(
        {"reqs/billing/REQ-1.md": req("REQ-1"), "reqs/billing/REQ-2.md": req("REQ-2")},
        config="[project]\nid_pattern = '^REQ-[0-9]+$'\n",
    )
    proc = subprocess_run("check", "--format", "json", cwd=root / "reqs" / "billing")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert json.loads(proc.stdout)["counts"]["requirements"] == 2
    (root / "reqs" / "billing" / "REQ-3.md").write_text(req("REQ-3", prority="x"))
    proc = subprocess_run("check", "--format", "json", cwd=root / "reqs" / "billing")
    paths = {f["path"] for f in json.loads(proc.stdout)["findings"]}
    assert paths == {"reqs/billing/REQ-3.md"}


def test_without_repo_walks_up_to_reqs_folder(make_repo: Repo) -> None:
    # verifies: REQ-700
    root = make_repo({"reqs/a/b/CRM-1.md": req("CRM-1", title="A fast export")})
    proc = subprocess_run("check", "--format", "json", cwd=root / "reqs" / "a" / "b")
    assert proc.returncode == 0
    (finding,) = json.loads(proc.stdout)["findings"]
    assert finding["path"] == "reqs/a/b/CRM-1.md" and finding["code"] == "RF411"


def test_empty_folder_is_exit_2_with_a_clear_message(tmp_path: Path) -> None:
    # verifies: REQ-700
    # verifies: REQ-701
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = subprocess_run("check", cwd=empty)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "no reqforge.toml or reqs/ folder" in proc.stderr
    assert "--repo" in proc.stderr


def test_repo_that_does_not_exist_is_exit_2(tmp_path: Path) -> None:
    # verifies: REQ-701
    result = invoke("--repo", str(tmp_path / "nope"), "check")
    assert result.exit_code == 2
    assert "nope: no such folder" in result.stderr


def test_repo_without_reqs_folder_is_exit_2(make_repo: Repo) -> None:
    # verifies: REQ-701
    root = make_repo(config="[project]\nreqs_dir = 'requirements'\n")
    result = run_check(root)
    assert result.exit_code == 2
    assert "requirements/" in result.stderr


# --- --config and --quiet -----------------------------------------------------------------


def test_config_option_is_used(make_repo: Repo) -> None:
    # verifies: REQ-003
    # verifies: REQ-700
    root = make_repo({"reqs/CRM-1.md": req("CRM-1")})
    other = root / "other.toml"
    other.write_text("[project]\nid_pattern = '^REQ-[0-9]+$'\n", encoding="utf-8")
    assert run_check(root).exit_code == 0
    result = invoke("--repo", str(root), "--config", str(other), "check", "--format", "json")
    assert result.exit_code == 1
    assert codes_of(result) == {"RF104"}


def test_missing_config_file_is_exit_2(make_repo: Repo) -> None:
    # verifies: REQ-003
    # verifies: REQ-701
    root = make_repo({"reqs/CRM-1.md": req("CRM-1")})
    result = invoke("--repo", str(root), "--config", str(root / "missing.toml"), "check")
    assert result.exit_code == 2
    assert "missing.toml" in result.stderr
    assert "Traceback" not in result.output


def test_quiet_drops_the_summary_line(make_repo: Repo) -> None:
    # verifies: REQ-700
    root = make_repo({"reqs/CRM-1.md": req("CRM-1", title="A fast export")})
    loud = run_check(root)
    quiet = invoke("--repo", str(root), "--quiet", "check")
    assert loud.exit_code == quiet.exit_code == 0
    assert loud.stdout.splitlines()[-1] == "1 requirement in 1 file: 0 errors, 1 warning"
    assert quiet.stdout.rstrip("\n") == "\n".join(loud.stdout.splitlines()[:-1]).rstrip("\n")
    assert "requirement in" not in quiet.stdout
    clean = make_repo({"reqs/CRM-1.md": req("CRM-1")})
    assert invoke("--repo", str(clean), "-q", "check").stdout == ""


# --- exit codes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("files", "args", "expected"),
    [
        ({"reqs/CRM-1.md": req("CRM-1")}, (), 0),
        ({"reqs/CRM-1.md": req("CRM-2")}, (), 1),
        ({"reqs/CRM-1.md": req("CRM-1", title="A fast export")}, (), 0),
        ({"reqs/CRM-1.md": req("CRM-1", title="A fast export")}, ("--strict",), 1),
        ({"reqs/CRM-1.md": req("CRM-1", title="A fast export")}, ("--ignore", "RF4"), 0),
        ({"reqs/CRM-1.md": req("CRM-2")}, ("--select", "RF4"), 0),
        ({"reqs/CRM-1.md": req("CRM-1")}, ("--format", "yaml"), 2),
        ({"reqs/CRM-1.md": req("CRM-1")}, ("--select", "RF999"), 2),
        ({"reqs/CRM-1.md": req("CRM-1")}, ("--ignore", "XX1"), 2),
        ({"reqs/CRM-1.md": req("CRM-1")}, ("--today", "tomorrow"), 2),
        ({"reqs/CRM-1.md": req("CRM-1")}, ("--explain", "RF999"), 2),
        ({"reqs/CRM-1.md": req("CRM-1")}, ("--no-such-option",), 2),
    ],
    ids=[
        "clean",
        "error",
        "warning",
        "warning-strict",
        "ignored",
        "selected-away",
        "bad-format",
        "bad-select",
        "bad-ignore",
        "bad-today",
        "bad-explain",
        "bad-option",
    ],
)
def test_exit_codes(make_repo: Repo, files: dict, args: tuple[str, ...], expected: int) -> None:
    # verifies: REQ-701
    # verifies: REQ-100
    # verifies: REQ-109
    root = make_repo(files)
    result = run_check(root, *args)
    assert result.exit_code == expected, result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "config",
    [
        "[project]\nid_pattern = '[A-Z'\n",
        "[project\n",
        "[workflow]\nstatuses = 5\n",
        "[nonsense]\nx = 1\n",
    ],
)
def test_bad_config_is_exit_2(make_repo: Repo, config: str) -> None:
    # verifies: REQ-003
    # verifies: REQ-701
    root = make_repo({"reqs/CRM-1.md": req("CRM-1")}, config=config)
    result = run_check(root)
    assert result.exit_code == 2, result.output
    assert "reqforge.toml" in result.stderr and "Traceback" not in result.output
    assert result.stdout == ""


# --- the text format ----------------------------------------------------------------------


def test_text_output_exactly(make_repo: Repo) -> None:
    # verifies: REQ-100
    # verifies: REQ-103
    # verifies: REQ-105
    root = make_repo({"reqs/billing/CRM-0042.md": req("CRM-42")})
    result = run_check(root)
    assert result.exit_code == 1
    assert result.stdout == (
        "reqs/billing/CRM-0042.md:2:5: error[RF105] id 'CRM-42' does not match the file name "
        "'CRM-0042.md' (CRM-42)\n"
        " 2 | id: CRM-42\n"
        "   |     ^\n"
        "\n"
        "1 requirement in 1 file: 1 error, 0 warnings\n"
    )


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def test_caret_under_a_chinese_word(make_repo: Repo) -> None:
    # verifies: REQ-106
    root = make_repo({"reqs/CRM-1.md": req("CRM-1", title="导出客户账本要快速")})
    result = run_check(root)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        "reqs/CRM-1.md:3:15: warning[RF411] title: vague wording '快速' (INCOSE R7: vague "
        "term): say what, how much or by when (CRM-1)",
        " 3 | title: 导出客户账本要快速",
        "   | " + " " * 21 + "^",
    ]
    source, caret = lines[1][len(" 3 | ") :], lines[2][len("   | ") :]
    assert caret.index("^") == display_width(source[: source.index("快速")])


def test_text_has_no_ansi_codes_off_a_terminal(make_repo: Repo) -> None:
    root = make_repo(
        {"reqs/CRM-1.md": req("CRM-2"), "reqs/CRM-3.md": req("CRM-3", title="A fast export")}
    )
    assert not ANSI.search(run_check(root).output)
    proc = subprocess_run("--repo", str(root), "check", cwd=root)
    assert proc.returncode == 1
    assert "error[RF105]" in proc.stdout and "\x1b" not in proc.stdout


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
@pytest.mark.parametrize("no_color", [False, True])
def test_text_colours_only_on_a_terminal(make_repo: Repo, no_color: bool) -> None:
    import pty

    root = make_repo({"reqs/CRM-1.md": req("CRM-2")})
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    if no_color:
        env["NO_COLOR"] = "1"
    leader, follower = pty.openpty()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "reqforge", "--repo", str(root), "check"],
            stdout=follower,
            stderr=subprocess.PIPE,
            timeout=60,
            env=env,
        )
        os.close(follower)
        follower = -1
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the terminal has no writer left
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        if follower >= 0:
            os.close(follower)
        os.close(leader)
    out = b"".join(chunks).decode()
    assert proc.returncode == 1
    assert "error" in out and "RF105" in out
    assert bool(ANSI.search(out)) is not no_color


# --- machine formats ----------------------------------------------------------------------


@pytest.fixture
def two_files(make_repo: Repo) -> Path:
    return make_repo(
        {
            "reqs/a/CRM-1.md": req("CRM-2"),  # RF105
            "reqs/a/CRM-3.md": req("CRM-3", title="A fast export"),  # RF411
            "reqs/b/CRM-4.md": req("CRM-4", title="Print invoices"),  # clean
        }
    )


def test_github_format(two_files: Path) -> None:
    # verifies: REQ-105
    result = run_check(two_files, "--format", "github")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "::error file=reqs/a/CRM-1.md,line=2,col=5,title=RF105::id 'CRM-2' does not match the "
        "file name 'CRM-1.md'",
        "::warning file=reqs/a/CRM-3.md,line=3,col=10,title=RF411::title: vague wording 'fast' "
        "(INCOSE R7: vague term): say what, how much or by when",
    ]


def test_junit_format_has_one_testcase_per_file(two_files: Path) -> None:
    # verifies: REQ-105
    result = run_check(two_files, "--format", "junit")
    assert result.exit_code == 1
    suites = ET.fromstring(result.stdout.encode())
    cases = suites.findall("./testsuite/testcase")
    assert [c.get("name") for c in cases] == [
        "reqs/a/CRM-1.md",
        "reqs/a/CRM-3.md",
        "reqs/b/CRM-4.md",
    ]
    assert [c.find("failure") is not None for c in cases] == [True, False, False]
    assert suites.get("tests") == "3" and suites.get("failures") == "1"


def test_sarif_format(two_files: Path) -> None:
    # verifies: REQ-105
    result = run_check(two_files, "--format", "sarif")
    assert result.exit_code == 1
    sarif = json.loads(result.stdout)
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    assert sorted(r["ruleId"] for r in results) == ["RF105", "RF411"]
    assert {r["level"] for r in results} == {"error", "warning"}


def test_json_goes_to_stdout_and_only_a_note_to_stderr(two_files: Path) -> None:
    # verifies: REQ-701
    # verifies: REQ-105
    proc = subprocess_run("--repo", str(two_files), "check", "--format", "json", cwd=two_files)
    assert proc.returncode == 1
    assert (
        proc.stderr
        == "note: not a git repository: history is absent; suspect links (RF406) are not checked\n"
    )  # outside git
    doc = json.loads(proc.stdout)
    assert doc["counts"] == {"requirements": 3, "files": 3, "error": 1, "warning": 1}


# --- PATHS --------------------------------------------------------------------------------


def test_path_outside_the_repository_is_exit_2(two_files: Path, tmp_path: Path) -> None:
    # verifies: REQ-701
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_check(two_files, str(elsewhere))
    assert result.exit_code == 2
    assert "outside the repository" in result.stderr


def test_folder_limits_the_report(two_files: Path) -> None:
    # verifies: REQ-100
    result = run_check(two_files, "--format", "json", str(two_files / "reqs" / "a"))
    assert {f["path"] for f in doc_of(result)["findings"]} == {
        "reqs/a/CRM-1.md",
        "reqs/a/CRM-3.md",
    }
    result = run_check(two_files, "--format", "json", str(two_files / "reqs" / "b"))
    assert result.exit_code == 0 and doc_of(result)["findings"] == []
    result = run_check(two_files, "--format", "json", str(two_files / "reqs" / "a" / "CRM-3.md"))
    assert result.exit_code == 0 and codes_of(result) == {"RF411"}


def test_relative_path_from_the_working_folder(two_files: Path) -> None:
    # verifies: REQ-100
    # verifies: REQ-700
    proc = subprocess_run("check", "--format", "json", "a", cwd=two_files / "reqs")
    assert proc.returncode == 1
    paths = {f["path"] for f in json.loads(proc.stdout)["findings"]}
    assert paths == {"reqs/a/CRM-1.md", "reqs/a/CRM-3.md"}


def test_the_repository_root_as_path_checks_everything(
    two_files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # verifies: REQ-100
    everything = doc_of(run_check(two_files, "--format", "json"))
    monkeypatch.chdir(two_files)
    for path in (".", str(two_files), "reqs/.."):
        result = run_check(two_files, "--format", "json", path)
        assert result.exit_code == 1, (path, result.stdout)
        assert doc_of(result) == everything


def test_a_path_that_does_not_exist_is_exit_2(two_files: Path) -> None:
    # verifies: REQ-701
    result = run_check(two_files, str(two_files / "reqs" / "typo"))
    assert result.exit_code == 2, result.output
    assert "typo" in result.stderr


# --- dates --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "env", "overdue"),
    [
        (("--today", "2026-05-31"), {}, False),
        (("--today", "2026-06-02"), {}, True),
        ((), {"REQFORGE_TODAY": "2026-06-02"}, True),
        ((), {"REQFORGE_TODAY": "2026-05-31"}, False),
        (("--today", "2026-05-31"), {"REQFORGE_TODAY": "2026-06-02"}, False),
    ],
    ids=["option-before", "option-after", "env-after", "env-before", "option-beats-env"],
)
def test_today_controls_overdue(
    make_repo: Repo, args: tuple[str, ...], env: dict[str, str], overdue: bool
) -> None:
    # verifies: REQ-106
    root = make_repo({"reqs/CRM-1.md": req("CRM-1", due="2026-06-01")})
    result = run_check(root, "--format", "json", *args, env={"REQFORGE_TODAY": None, **env})
    assert result.exit_code == 0, result.output
    assert ("RF405" in codes_of(result)) is overdue


# --- failures -----------------------------------------------------------------------------


def boom(*_: object, **__: object) -> None:
    raise RuntimeError("boom")


def test_internal_error_is_exit_2_without_traceback(
    make_repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    # verifies: REQ-701
    root = make_repo({"reqs/CRM-1.md": req("CRM-1")})
    run_check(root)  # leaves caches behind
    assert any((root / ".reqforge" / "cache").glob("*.bin"))
    monkeypatch.setattr(reqforge.checks.run, "run_check", boom)
    result = run_check(root)
    assert result.exit_code == 2  # SPEC 5: a crash must not look like findings (exit 1)
    # Whatever the bug met may sit in a cache: every cache is dropped, the next run is cold.
    assert not any((root / ".reqforge" / "cache").glob("*.bin"))
    assert "internal error" in result.stderr and "RuntimeError: boom" in result.stderr
    assert "--debug" in result.stderr
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_debug_lets_the_exception_through(make_repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    # verifies: REQ-700
    # verifies: REQ-701
    root = make_repo({"reqs/CRM-1.md": req("CRM-1")})
    monkeypatch.setattr(reqforge.checks.run, "run_check", boom)
    result = invoke("--repo", str(root), "--debug", "check")
    assert result.exit_code == 1  # CliRunner's code for an escaped exception; main() exits 2
    assert isinstance(result.exception, RuntimeError)
    assert str(result.exception) == "boom"


def test_reqforge_error_is_exit_2(make_repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    # verifies: REQ-701
    def refuse(*_: object, **__: object) -> None:
        raise ReqforgeError("cannot do that")

    root = make_repo({"reqs/CRM-1.md": req("CRM-1")})
    monkeypatch.setattr(reqforge.checks.run, "run_check", refuse)
    result = run_check(root)
    assert result.exit_code == 2
    assert result.stderr == "reqforge: error: cannot do that\n"


def test_interrupt_is_exit_130(make_repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    # verifies: REQ-701
    def interrupt(*_: object, **__: object) -> None:
        raise KeyboardInterrupt

    root = make_repo({"reqs/CRM-1.md": req("CRM-1")})
    monkeypatch.setattr(reqforge.checks.run, "run_check", interrupt)
    result = run_check(root)
    assert result.exit_code == 130
    assert "interrupted" in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_broken_pipe_ends_quietly(make_repo: Repo, fmt: str) -> None:
    # verifies: REQ-701
    files = {f"reqs/m{n % 7}/CRM-{n}.md": f"---\nid: crm {n}\n---\n" for n in range(600)}
    root = make_repo(files)
    proc = subprocess.Popen(
        [sys.executable, "-m", "reqforge", "--repo", str(root), "check", "--format", fmt],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=root,
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()
    try:
        stderr = proc.stderr.read().decode()
        proc.wait(timeout=60)
    finally:
        proc.kill()
    assert first.strip()
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr, stderr
    assert "Exception ignored" not in stderr, stderr


def test_reports_survive_a_non_utf8_stdout(make_repo: Repo) -> None:
    # verifies: REQ-010
    # verifies: REQ-701
    root = make_repo({"reqs/CRM-1.md": req("CRM-1", title="导出客户账本要快速")})
    env = {**os.environ, "PYTHONIOENCODING": "cp1252"}
    env.pop("PYTHONUTF8", None)
    for fmt in ("json", "text"):
        proc = subprocess.run(
            [sys.executable, "-m", "reqforge", "--repo", str(root), "check", "--format", fmt],
            capture_output=True,
            timeout=60,
            env=env,
        )
        assert proc.returncode == 0, proc.stderr.decode(errors="replace")
        assert b"internal error" not in proc.stderr
        if fmt == "json":  # machine formats are UTF-8 whatever the locale
            assert "快速" in json.loads(proc.stdout.decode("utf-8"))["findings"][0]["message"]


def test_a_process_ends_at_once_with_all_its_output_and_its_exit_code(make_repo: Repo) -> None:
    # verifies: REQ-700
    # The entry point ends with os._exit once stdout and stderr are flushed (no teardown):
    # a long output through a pipe arrives whole, and each exit code is kept.
    files = {
        f"reqs/crm/CRM-{n}.md": req(f"CRM-{n}", title=f"Export batch {n}") for n in range(1, 301)
    }
    root = make_repo(files)
    proc = subprocess_run("list", "--format", "json", cwd=root)
    assert proc.returncode == 0 and len(json.loads(proc.stdout)["items"]) == 300
    (root / "reqs/crm/CRM-1.md").write_text("---\nid: [broken\n---\n", encoding="utf-8")
    proc = subprocess_run("check", cwd=root)
    assert proc.returncode == 1 and "CRM-1.md" in proc.stdout + proc.stderr
    assert subprocess_run("no-such-command", cwd=root).returncode == 2


def test_the_entry_point_skips_the_interpreter_teardown(make_repo: Repo) -> None:
    # verifies: REQ-700
    # An exit handler registered before `main` never runs: the process ends with os._exit
    # (the output flushed first), not through the interpreter's teardown.
    root = make_repo({"reqs/crm/CRM-1.md": req("CRM-1")})
    script = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('TEARDOWN', file=sys.stderr))\n"
        "from reqforge.cli.main import main\n"
        "sys.argv = ['reqforge', 'list', '--format', 'json']\n"
        "main()\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=root, timeout=60
    )
    assert proc.returncode == 0 and json.loads(proc.stdout)["count"] == 1
    assert "TEARDOWN" not in proc.stderr
