"""`reqforge init` and the integrations reqforge ships (action.yml, .pre-commit-hooks.yaml): a
repository made by `init` passes `check` and `fmt --check`, its configuration is the default one
written out, and every workflow, pipeline, action and pre-commit file validates against its
schema (check-jsonschema's GitHub and GitLab schemas, pre-commit's own validators)."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from reqforge.cli.main import cli
from reqforge.config import Config, load_config
from reqforge.scaffold import ACTION

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def init(folder: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["init", str(folder), *args])
    return result.exit_code, result.stdout, result.stderr


def run(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--repo", str(root), *args])
    return result.exit_code, result.stdout


def tool(name: str, *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / name), *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def test_init_makes_a_repository_that_passes_check(tmp_path: Path) -> None:
    # verifies: REQ-702
    folder = tmp_path / "acme-reqs"
    code, out, err = init(folder)
    assert code == 0, err
    assert out.split() == [
        "reqforge.toml",
        "reqs/customers.yaml",
        "reqs/crm/CRM-001.md",
        "reqs/crm/CRM-002.md",
        ".pre-commit-config.yaml",
        ".gitignore",
        ".github/workflows/reqforge.yml",
        "reqforge.schema.json",
    ]
    assert run(folder, "check", "--strict") == (0, "2 requirements in 2 files: no problems found\n")
    assert run(folder, "fmt", "--check")[0] == 0
    assert "按客户批量导出订单明细" in (folder / "reqs/crm/CRM-002.md").read_text("utf-8")
    assert (folder / ".gitignore").read_text() == (
        "# reqforge: the built site and the caches\nsite/\n.reqforge/\n"
    )
    assert f"uses: {ACTION}" in (folder / ".github/workflows/reqforge.yml").read_text()


def test_the_written_configuration_is_the_default_one(tmp_path: Path) -> None:
    # verifies: REQ-702
    assert init(tmp_path / "r")[0] == 0
    written = load_config(tmp_path / "r")
    default = Config(root=written.root)
    skip = {"root", "path", "name", "raw"}
    for field in dataclasses.fields(Config):
        if field.name not in skip:
            assert getattr(written, field.name) == getattr(default, field.name), field.name
    assert written.name == "r"


def test_init_in_chinese_with_gitlab(tmp_path: Path) -> None:
    # verifies: REQ-702
    folder = tmp_path / "r"
    code, out, _ = init(folder, "--language", "zh-CN", "--ci", "gitlab")
    assert code == 0 and ".gitlab-ci.yml" in out.split() and ".github" not in out
    assert load_config(folder).language == "zh-CN"
    assert "将月度总账导出为 CSV 文件" in (folder / "reqs/crm/CRM-001.md").read_text("utf-8")
    result = CliRunner().invoke(cli, ["--repo", str(folder), "check", "--strict"])
    assert result.exit_code == 0 and "未发现问题" in result.stdout


def test_init_without_ci(tmp_path: Path) -> None:
    # verifies: REQ-702
    code, out, _ = init(tmp_path / "r", "--ci", "none")
    assert code == 0 and not any("github" in p or "gitlab" in p for p in out.split())


def test_init_never_replaces_a_file_unless_forced(tmp_path: Path) -> None:
    # verifies: REQ-702
    folder = tmp_path / "r"
    folder.mkdir()
    (folder / "reqforge.toml").write_text("# ours\n")
    code, out, err = init(folder)
    assert code == 1 and out == "" and "reqforge.toml: exist already" in err
    assert sorted(p.name for p in folder.iterdir()) == ["reqforge.toml"]
    assert (folder / "reqforge.toml").read_text() == "# ours\n"
    assert init(folder, "--force")[0] == 0
    assert (folder / "reqforge.toml").read_text().startswith("# reqforge configuration.")


def test_init_never_writes_through_a_link(tmp_path: Path) -> None:
    # verifies: REQ-702
    folder = tmp_path / "r"
    folder.mkdir()
    outside = tmp_path / "outside.txt"
    outside.write_text("theirs\n")
    (folder / ".gitignore").symlink_to(outside)
    code, _, err = init(folder, "--force")
    assert code == 2 and "a symbolic link" in err
    assert outside.read_text() == "theirs\n"
    assert sorted(p.name for p in folder.iterdir()) == [".gitignore"]  # nothing else written


@pytest.mark.parametrize(
    ("args", "schema", "path"),
    [
        ((), "vendor.github-workflows", ".github/workflows/reqforge.yml"),
        (("--ci", "gitlab"), "vendor.gitlab-ci", ".gitlab-ci.yml"),
    ],
)
def test_the_ci_files_validate_against_their_schemas(
    tmp_path: Path, args: tuple[str, ...], schema: str, path: str
) -> None:
    # verifies: REQ-702
    folder = tmp_path / "r"
    assert init(folder, *args)[0] == 0
    proc = tool("check-jsonschema", "--builtin-schema", schema, str(folder / path))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_pre_commit_files_validate(tmp_path: Path) -> None:
    # verifies: REQ-702
    folder = tmp_path / "r"
    assert init(folder)[0] == 0
    proc = tool("pre-commit", "validate-config", ".pre-commit-config.yaml", cwd=folder)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = tool("pre-commit", "validate-manifest", str(ROOT / ".pre-commit-hooks.yaml"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    hooks = (ROOT / ".pre-commit-hooks.yaml").read_text()
    assert "id: reqforge-check" in hooks and "id: reqforge-fmt" in hooks


def test_our_action_validates_and_takes_what_the_workflow_gives(tmp_path: Path) -> None:
    # verifies: REQ-702
    import yaml

    proc = tool("check-jsonschema", "--builtin-schema", "vendor.github-actions", "action.yml")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    commands = " ".join(step.get("run", "") for step in action["runs"]["steps"])
    for step in ("check --format github", "check --format sarif", "diff", "build -o site"):
        assert f"reqforge {step}" in commands
    assert init(tmp_path / "r")[0] == 0
    workflow = yaml.safe_load((tmp_path / "r/.github/workflows/reqforge.yml").read_text())
    given = [
        step.get("with", {})
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if step.get("uses") == ACTION
    ]
    assert len(given) == 2
    for inputs in given:
        assert set(inputs) <= set(action["inputs"])


def test_the_schema_init_writes_validates_its_examples(tmp_path: Path) -> None:
    """reqforge.schema.json, as `reqforge schema` prints it there, accepts both examples."""
    # verifies: REQ-702
    # verifies: REQ-708
    from jsonschema import Draft202012Validator

    from reqforge.loader import parse_front_matter, split_front_matter

    for language in ("en", "zh-CN"):
        folder = tmp_path / language
        assert init(folder, "--language", language)[0] == 0
        written = json.loads((folder / "reqforge.schema.json").read_text("utf-8"))
        assert written == json.loads(run(folder, "schema")[1])
        validator = Draft202012Validator(written)
        for path in sorted((folder / "reqs").rglob("CRM-*.md")):
            split = split_front_matter(path.read_text("utf-8"))
            assert isinstance(split, tuple)
            assert list(validator.iter_errors(parse_front_matter(split[0]))) == [], path
