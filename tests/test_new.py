"""`reqforge new` and the atomic writes behind it (reqforge/editing.py): the next free ID of a
prefix (other areas and the default branch count), a file that passes `check` in English and
Chinese, refusals with exit 2 and nothing written, titles of any text, and a write killed at
any moment that leaves the whole file or none."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from tests.conftest import requirement_text as req
from tests.gitrepo import GitRepo
from tests.killing import kill_mid_write

from reqforge.cli.main import cli
from reqforge.config import load_config
from reqforge.editing import create_requirement, write_new_file
from reqforge.loader import parse_front_matter, split_front_matter

Repo = Callable[..., Path]


def new(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--repo", str(root), "new", *args])
    return result.exit_code, result.stdout, result.stderr


def check(root: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--repo", str(root), "check", "--strict"])
    return result.exit_code, result.stdout


def test_new_takes_the_next_number_of_the_areas_prefix(make_repo: Repo) -> None:
    # verifies: REQ-703
    root = make_repo(
        {
            "reqs/billing/CRM-0041.md": req("CRM-0041"),
            "reqs/billing/CRM-0007.md": req("CRM-0007"),
            "reqs/sales/CRM-0050.md": req("CRM-0050"),  # the same prefix in another area counts
            "reqs/ops/OPS-9.md": req("OPS-9"),
        }
    )
    code, out, err = new(root, "--title", "Export customer data", "--area", "billing")
    assert (code, out, err) == (0, "reqs/billing/CRM-0051.md\n", "")
    text = (root / "reqs/billing/CRM-0051.md").read_text("utf-8")
    assert text.startswith('---\nid: CRM-0051\ntitle: "Export customer data"\ntype: functional\n')
    assert "team: product" in text  # [workflow.assign] by type
    assert "## Scenario" in text and "## Pain point" in text and "## Expected outcome" in text
    assert new(root, "--title", "Runbook", "--area", "ops", "--type", "constraint")[1] == (
        "reqs/ops/OPS-10.md\n"
    )
    assert new(root, "--title", "Audit", "--area", "audit/eu", "--prefix", "AUD-")[1] == (
        "reqs/audit/eu/AUD-001.md\n"
    )
    assert check(root) == (0, "7 requirements in 7 files: no problems found\n")


def test_new_in_a_chinese_project_writes_chinese_sections(make_repo: Repo) -> None:
    # verifies: REQ-703
    root = make_repo({"reqs/crm/CRM-1.md": req("CRM-1")}, config='[project]\nlanguage = "zh-CN"\n')
    code, out, _ = new(root, "--title", "批量导出客户数据：按月", "--area", "crm")
    assert (code, out) == (0, "reqs/crm/CRM-2.md\n")
    text = (root / "reqs/crm/CRM-2.md").read_text("utf-8")
    assert 'title: "批量导出客户数据：按月"' in text
    assert "## 场景" in text and "## 痛点" in text and "## 期望结果" in text
    assert check(root)[0] == 0


def test_an_id_taken_on_the_default_branch_is_never_given_again(
    make_repo: Repo, tmp_path: Path
) -> None:
    # verifies: REQ-703
    root = make_repo({"reqs/a/CRM-1.md": req("CRM-1"), "reqs/a/CRM-7.md": req("CRM-7")})
    git = GitRepo(root, tmp_path / "home")
    git.commit("first")  # on main
    git.git("checkout", "-q", "-b", "feature")
    git.git("rm", "-q", "reqs/a/CRM-7.md")
    git.commit("drop CRM-7 on the branch")
    assert new(root, "--title", "Next", "--area", "a")[1] == "reqs/a/CRM-8.md\n"
    code, _, err = new(root, "--title", "Again", "--area", "a", "--id", "CRM-7")
    assert code == 2 and "CRM-7: that ID is taken already" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--title", "T", "--area", "b", "--id", "CRM-1"], "that ID is taken already"),
        (["--title", "T", "--area", "b", "--id", "crm-9"], "does not match the ID pattern"),
        (["--title", "T", "--area", "b", "--type", "epic"], "--type 'epic': expected one of"),
        (["--title", "T", "--area", "../outside"], "expected a folder name"),
        (["--title", "T", "--area", ".git"], "expected a folder name"),
        (["--title", "  ", "--area", "b"], "expected a non-empty title"),
        (["--title", "T", "--area", "empty"], "give --prefix"),
        (["--title", "T", "--area", "b", "--prefix", "x-"], "does not match the ID pattern"),
        (["--title", "T", "--area", "away", "--prefix", "CRM-"], "leads outside the repository"),
        (
            ["--title", "T", "--area", "away/deeper", "--id", "CRM-5"],
            "leads outside the repository",
        ),
    ],
)
def test_new_refuses_with_exit_2_and_writes_nothing(
    make_repo: Repo, tmp_path: Path, args: list[str], message: str
) -> None:
    # verifies: REQ-703
    root = make_repo({"reqs/b/CRM-1.md": req("CRM-1")})
    (root / "reqs/empty").mkdir()
    outside = tmp_path / "outside-folder"
    outside.mkdir()
    (root / "reqs/away").symlink_to(outside)
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    code, out, err = new(root, *args)
    assert code == 2 and out == "" and message in err, err
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before
    assert list(outside.iterdir()) == []


def test_new_as_a_subprocess_prints_the_path(make_repo: Repo) -> None:
    # verifies: REQ-703
    root = make_repo({"reqs/b/CRM-1.md": req("CRM-1")})
    proc = subprocess.run(
        [sys.executable, "-m", "reqforge", "new", "--title", "Print invoices", "--area", "b"],
        cwd=root, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "reqs/b/CRM-2.md\n", "")


@given(title=st.text(min_size=1, max_size=60).filter(str.strip))
def test_any_title_reads_back_as_written(
    tmp_path_factory: pytest.TempPathFactory, title: str
) -> None:
    """Quotes, colons, backslashes, control and bidi characters, Chinese: the file's front
    matter parses and its title is the title given."""
    # verifies: REQ-703
    root = tmp_path_factory.mktemp("repo")
    (root / "reqs/a").mkdir(parents=True)
    (root / "reqs/a/CRM-1.md").write_text(req("CRM-1"), encoding="utf-8")
    config = load_config(root)
    if any("\ud800" <= c <= "\udfff" for c in title):
        return  # refused: not text (covered by the refusal test's kind of message)
    made = create_requirement(config, title, area="a", rels=["reqs/a/CRM-1.md"])
    split = split_front_matter(made.path.read_text("utf-8"))
    assert isinstance(split, tuple)
    data = parse_front_matter(split[0])
    assert isinstance(data, dict) and data["title"] == title and data["id"] == "CRM-2"


def test_write_new_file_never_replaces_a_file(tmp_path: Path) -> None:
    # verifies: REQ-703
    path = tmp_path / "CRM-1.md"
    path.write_bytes(b"theirs")
    with pytest.raises(FileExistsError):
        write_new_file(path, b"ours")
    assert path.read_bytes() == b"theirs" and sorted(tmp_path.iterdir()) == [path]


@pytest.mark.parametrize("delay", [0.0, 0.002, 0.005, 0.01, 0.02, 0.05])
def test_a_write_killed_at_any_moment_leaves_the_whole_file_or_none(
    tmp_path: Path, delay: float
) -> None:
    """A kill at any moment of the write: under its name, the whole file or none."""
    # verifies: REQ-703
    path = tmp_path / "CRM-1.md"
    size = 64 << 20
    kill_mid_write("write_new_file", path, size, delay)
    assert not path.exists() or path.read_bytes() == b"n" * size


def test_two_news_at_once_take_different_ids(
    make_repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another `new` that takes the chosen number between the choice and the write: this one
    takes the next number; neither file is touched by the other."""
    # verifies: REQ-703
    from reqforge import editing

    root = make_repo({"reqs/b/CRM-1.md": req("CRM-1")})
    real = editing.write_new_file
    raced: list[Path] = []

    def racing(path: Path, content: bytes) -> None:
        if not raced:  # the other process wins the first name
            raced.append(path)
            real(path, b"the other one\n")
        real(path, content)

    monkeypatch.setattr(editing, "write_new_file", racing)
    made = create_requirement(load_config(root), "Mine", area="b", rels=["reqs/b/CRM-1.md"])
    assert made.id == "CRM-3" and raced == [root / "reqs/b/CRM-2.md"]
    assert (root / "reqs/b/CRM-2.md").read_bytes() == b"the other one\n"
    assert 'title: "Mine"' in made.path.read_text("utf-8")


def test_many_news_at_once_in_processes_take_different_ids(make_repo: Repo) -> None:
    # verifies: REQ-703
    root = make_repo({"reqs/b/CRM-1.md": req("CRM-1")})
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "reqforge", "new", "--title", f"Parallel {n}", "--area", "b"],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(6)
    ]
    outputs = [proc.communicate() for proc in procs]
    assert [proc.returncode for proc in procs] == [0] * 6, outputs
    paths = sorted(out.strip() for out, _ in outputs)
    assert paths == [f"reqs/b/CRM-{n}.md" for n in range(2, 8)]
    titles = sorted(
        line for p in paths for line in (root / p).read_text("utf-8").split("\n")
        if line.startswith("title:")
    )  # fmt: skip
    assert titles == [f'title: "Parallel {n}"' for n in range(6)]


def test_new_edit_opens_the_file_in_the_editor(make_repo: Repo, tmp_path: Path) -> None:
    # verifies: REQ-703
    root = make_repo({"reqs/b/CRM-1.md": req("CRM-1")})
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys\n"
        "with open(sys.argv[1], 'a', encoding='utf-8') as f:\n"
        "    f.write('Edited.\\n')\n",
        encoding="utf-8",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "reqforge", "new", "--title", "T", "--area", "b", "--edit"],
        cwd=root, capture_output=True, text=True, check=False,
        env={**os.environ, "VISUAL": f"{sys.executable} {editor}", "EDITOR": "false"},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert (root / "reqs/b/CRM-2.md").read_text("utf-8").endswith("Edited.\n")
