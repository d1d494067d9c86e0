"""The README stays true: its code table is the registry's, its tour is what check prints,
and our own requirements pass our own check (we eat our own cooking)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from click.testing import CliRunner

from reqforge.checks.registry import markdown_table
from reqforge.cli.main import cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_code_table_is_generated_from_the_registry() -> None:
    block = README.split("<!-- codes:start -->\n", 1)[1].split("\n<!-- codes:end -->", 1)[0]
    assert block == markdown_table()


def test_readme_opens_with_the_two_commands() -> None:
    commands = re.search(r"```sh\n(.*?)\n```", README, re.DOTALL)
    assert commands is not None
    lines = commands.group(1).splitlines()
    assert len(lines) == 2
    # The main job on our own requirements: install, then build the site (which checks them).
    assert "pip install" in lines[0] and lines[0].endswith("reqforge build")
    assert "[test]" in lines[1] and lines[1].endswith("pytest")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert lines[1] in ci


def test_readme_tour_output_is_what_check_prints(tmp_path: Path) -> None:
    # verifies: REQ-100
    script = README.split("## A five-minute tour", 1)[1]
    text = script.split("cat > reqs/billing/CRM-0042.md <<'EOF'\n", 1)[1].split("\nEOF\n", 1)[0]
    expected = script.split("```text\n", 1)[1].split("```", 1)[0]
    assert "cd demo && git init -q\n" in script  # requirements live in git
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "reqs" / "billing").mkdir(parents=True)
    (tmp_path / "reqs" / "billing" / "CRM-0042.md").write_text(text + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--repo", str(tmp_path), "check", "--no-cache"])
    assert result.exit_code == 1
    assert result.output == expected


def test_our_own_requirements_are_clean() -> None:
    # verifies: REQ-100
    result = CliRunner().invoke(cli, ["--repo", str(ROOT), "check", "--no-cache", "--strict"])
    assert result.exit_code == 0, result.output
    count = int(re.search(r"(\d+) requirements", result.output).group(1))
    assert count >= 20


def test_readme_states_our_own_coverage() -> None:
    # verifies: REQ-403
    block = README.split("<!-- coverage:start -->\n```text\n", 1)[1].split("\n```", 1)[0]
    result = CliRunner().invoke(cli, ["--repo", str(ROOT), "trace", "--summary"])
    assert result.exit_code == 0, result.output
    assert block == result.stdout.splitlines()[0]
