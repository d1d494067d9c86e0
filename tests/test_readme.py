"""Every shell example of the README runs, in order, in a temporary folder, and prints what the
README shows (issue 11 part 11: the README must be honest).

The README marks its examples with HTML comments (invisible on GitHub) right before a fence:

* a ```sh block runs as one bash script in the examples' folder (the tour's `demo/` once it
  exists); `<!-- readme-test: exit N -->` says its last command exits N (default 0);
* `<!-- readme-test: output -->` before a ```text block: exactly what the ```sh block above it
  printed on stdout;
* `<!-- readme-test: each line -->` before a ```text block: every line is a command that must run
  (exit 0) in the demo repository;
* `<!-- readme-test: transcript -->` before a ```text block: `$ command` lines, each followed by
  what it prints (stdout and stderr);
* `<!-- readme-test: skip: why -->` before a ```sh block that must not run here (the install
  commands: CI runs exactly those).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.gitrepo import git_env

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DIRECTIVE = re.compile(r"<!--\s*readme-test:\s*(?P<what>[^>]*?)\s*-->")
FENCE = re.compile(r"^```(?P<lang>\w*)\s*$")
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the examples are POSIX shell")


@dataclass
class Block:
    lang: str
    text: str
    line: int
    directive: str | None


def blocks(text: str) -> list[Block]:
    """Every fenced block of the README with the directive right before it (if any)."""
    found: list[Block] = []
    lines = text.splitlines()
    index = 0
    directive: str | None = None
    while index < len(lines):
        line = lines[index]
        match = DIRECTIVE.fullmatch(line.strip())
        if match:
            directive = match.group("what")
            index += 1
            continue
        fence = FENCE.match(line)
        if fence:
            end = index + 1
            while end < len(lines) and not lines[end].startswith("```"):
                end += 1
            body = "\n".join(lines[index + 1 : end]) + "\n"
            found.append(Block(fence.group("lang"), body, index + 1, directive))
            directive = None
            index = end + 1
            continue
        if line.strip():
            directive = None  # a directive applies to the fence right after it only
        index += 1
    return found


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("readme")


def environment(workdir: Path) -> dict[str, str]:
    home = workdir / "home"
    home.mkdir(exist_ok=True)
    env = git_env(home, "2026-11-20T10:00:00+08:00")
    env.update(
        PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
        REQFORGE_TODAY="2026-12-01",
        COLUMNS="100",
        NO_COLOR="1",
    )
    env.pop("CI", None)
    return {key: str(value) for key, value in env.items()}


def run(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def test_every_shell_example_runs_and_prints_what_the_readme_shows(workdir: Path) -> None:
    # verifies: REQ-700
    env = environment(workdir)
    examples = blocks(README.read_text(encoding="utf-8"))
    ran = 0
    last_stdout: str | None = None
    for block in examples:
        where = f"README.md:{block.line}"
        cwd = workdir / "demo" if (workdir / "demo").is_dir() else workdir
        directive = block.directive or ""
        if block.lang == "sh":
            if directive.startswith("skip"):
                continue
            expected_exit = int(directive.split()[1]) if directive.startswith("exit") else 0
            proc = run(block.text, cwd, env)
            assert proc.returncode == expected_exit, (where, proc.stdout, proc.stderr)
            assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, where
            last_stdout = proc.stdout
            ran += 1
        elif block.lang == "text" and directive == "output":
            assert last_stdout is not None, f"{where}: output of no example"
            assert _clean(last_stdout) == _clean(block.text), where
        elif block.lang == "text" and directive == "each line":
            for command in filter(None, (line.strip() for line in block.text.splitlines())):
                proc = run(command, cwd, env)
                assert proc.returncode == 0, (where, command, proc.stderr)
                ran += 1
        elif block.lang == "text" and directive == "transcript":
            for command, shown in _transcript(block.text):
                proc = run(command, cwd, env)
                assert _clean(proc.stdout + proc.stderr) == _clean(shown), (where, command)
                ran += 1
    assert ran >= 10, "the README's examples were not found: check the readme-test directives"


def _clean(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def _transcript(text: str) -> list[tuple[str, str]]:
    steps: list[tuple[str, str]] = []
    for line in text.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], ""))
        elif steps:
            command, shown = steps[-1]
            steps[-1] = (command, shown + line + "\n")
    return steps


def test_the_directives_are_parsed() -> None:
    # verifies: REQ-700
    text = (
        "<!-- readme-test: exit 1 -->\n```sh\nfalse\n```\n\nprose\n\n"
        "<!-- readme-test: output -->\n```text\nout\n```\n```text\nplain\n```\n"
    )
    found = blocks(text)
    assert [(b.lang, b.directive) for b in found] == [
        ("sh", "exit 1"),
        ("text", "output"),
        ("text", None),
    ]
    assert _transcript("$ a\none\n$ b\n") == [("a", "one\n"), ("b", "")]
    assert shlex.split("reqforge list --filter 'a = b'")[-1] == "a = b"
