"""The benchmark corpus (bench/generate.py, bench/history.py): deterministic, realistic, valid.

The README's figures are only comparable from run to run if the corpus is the same every time
and looks like a real backlog; these tests hold the generator to that on small sizes.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from reqforge.cli.main import cli

BENCH = Path(__file__).resolve().parent.parent / "bench"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"reqforge_bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def _generate(out: Path, count: int, seed: int) -> None:
    command = [
        sys.executable,
        str(BENCH / "generate.py"),
        str(count),
        str(out),
        "--seed",
        str(seed),
    ]
    subprocess.run(command, check=True, capture_output=True)


def test_generator_is_byte_identical_for_a_seed(tmp_path):
    # verifies: REQ-609
    _generate(tmp_path / "a", 120, 1)
    _generate(tmp_path / "b", 120, 1)
    _generate(tmp_path / "c", 120, 2)
    first, second, other = (_tree(tmp_path / d) for d in "abc")
    assert first == second
    assert "reqs/customers.yaml" in first and "reqforge.toml" in first
    assert sum(1 for p in first if p.endswith(".md")) == 120
    assert first != other


def test_generated_corpus_is_a_realistic_valid_backlog(tmp_path):
    # verifies: REQ-609
    _generate(tmp_path / "corpus", 200, 1)
    runner = CliRunner()
    checked = runner.invoke(cli, ["--repo", str(tmp_path / "corpus"), "check", "--format", "json"])
    assert checked.exit_code in (0, 1), checked.output
    codes = {f["code"] for f in json.loads(checked.stdout)["findings"]}
    # Structural errors would make the benchmark measure a broken repository.
    assert not codes & {"RF001", "RF002", "RF003", "RF004", "RF101", "RF102", "RF201", "RF202"}
    listed = runner.invoke(cli, ["--repo", str(tmp_path / "corpus"), "list", "--format", "json"])
    items = json.loads(listed.stdout)["items"]
    assert len(items) == 200
    titles = [item["title"] for item in items]
    assert any(CJK.search(t) for t in titles) and any(not CJK.search(t) for t in titles)
    assert any(item["links"].get("parent") for item in items)
    assert any(item["links"].get("depends-on") for item in items)
    assert len({item["area"] for item in items}) == 8
    ranked = runner.invoke(
        cli, ["--repo", str(tmp_path / "corpus"), "prioritize", "--all", "--format", "json"]
    )
    rows = json.loads(ranked.stdout)["items"]
    for method in ("moscow", "kano", "ice", "rice", "quadrant", "p_level", "wsjf", "rpn", "demand"):
        assert any(row.get(method) is not None for row in rows), method


def test_history_builder_adds_modifies_renames_and_deletes(tmp_path):
    # verifies: REQ-609
    history = _load("history")
    stats = history.build_history(60, 80, tmp_path / "repo", seed=1)
    repo = tmp_path / "repo"

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=repo, check=True, capture_output=True, text=True
        ).stdout

    assert int(git("rev-list", "--count", "HEAD")) == 80 == stats.commits
    assert stats.merges > 0 and stats.renames > 0 and stats.deletions > 0
    status = git("log", "-M", "--format=", "--name-status")
    kinds = {line.split("\t")[0][0] for line in status.splitlines() if line}
    assert {"A", "M", "R", "D"} <= kinds
    # The final tree is exactly what generate.py writes for the same count and seed.
    _generate(tmp_path / "plain", 60, 1)
    assert _tree(repo) == _tree(tmp_path / "plain")
    # Same arguments, same history: the benchmark's commits are reproducible too.
    again = history.build_history(60, 80, tmp_path / "again", seed=1)
    assert again.head == stats.head


@pytest.mark.parametrize("count", [0, -3])
def test_history_builder_refuses_an_empty_corpus(tmp_path, count):
    # verifies: REQ-609
    history = _load("history")
    with pytest.raises(ValueError):
        history.build_history(count, 10, tmp_path / "repo")


def test_runner_names_missed_bars() -> None:
    # verifies: REQ-600
    run = _load("run")
    figures = {
        "check-cold": {"kind": "reqforge", "median_s": 1.758, "peak_rss_mib": 89.0},
        "check-cached": {"kind": "reqforge", "median_s": 0.403, "peak_rss_mib": 80.0},
        "list": {"kind": "reqforge", "median_s": 1.4, "peak_rss_mib": 1500.0},
        "floor-read": {"kind": "floor", "median_s": 0.3, "peak_rss_mib": 2000.0},
        "stats": {"kind": "reqforge", "skipped": "no such command"},
    }
    assert run.missed_bars(figures, 10_000) == [
        "check-cold: median 1.758 s > 1 s",
        "list: peak RSS 1500.0 MiB > 1024.0 MiB",
    ]
    assert run.missed_bars(figures, 2_000) == []  # the bars are set for 10,000 requirements


def test_the_status_edit_of_the_benchmark_changes_one_status_and_puts_it_back(
    tmp_path: Path,
) -> None:
    # verifies: REQ-605
    run = _load("run")
    path = tmp_path / "CRM-1.md"
    original = b"---\nid: CRM-1\ntitle: T\nstatus: accepted\n---\nBody.\n"
    path.write_bytes(original)
    ctx = run.Context(tmp_path, path, original, tmp_path)
    run.edit_one_status(ctx)
    assert path.read_bytes() == original.replace(b"accepted", b"in-progress")
    run.edit_one_status(ctx)
    assert path.read_bytes() == original
    for title, revised in ((b"T", b"T revised"), (b'"T: x"', b'"T: x revised"')):
        original = b"---\nid: CRM-1\ntitle: " + title + b"\nstatus: accepted\n---\nBody.\n"
        path.write_bytes(original)
        ctx = run.Context(tmp_path, path, original, tmp_path)
        run.edit_one_title(ctx)
        assert path.read_bytes() == original.replace(title, revised)
        run.edit_one_title(ctx)
        assert path.read_bytes() == original


def test_the_long_document_history_is_deterministic_packed_and_checked(tmp_path):
    # verifies: REQ-610
    longdocs = _load("longdocs")
    for name in ("a", "b"):
        longdocs.build(tmp_path / name, count=6, commits=40, kb=6, seed=3)
    a, b = tmp_path / "a", tmp_path / "b"
    assert _tree(a) == _tree(b)
    head = subprocess.run(
        ["git", "-C", str(a), "rev-parse", "HEAD"], capture_output=True, text=True
    )
    again = subprocess.run(
        ["git", "-C", str(b), "rev-parse", "HEAD"], capture_output=True, text=True
    )
    assert head.stdout == again.stdout  # the same commits, dates and all
    count = subprocess.run(
        ["git", "-C", str(a), "rev-list", "--count", "HEAD"], capture_output=True, text=True
    )
    assert count.stdout.strip() == "40"
    assert len(list((a / ".git" / "objects" / "pack").glob("*.pack"))) == 1  # repacked
    docs = sorted((a / "reqs" / "design").glob("*.md"))
    assert len(docs) == 6
    assert all(len(doc.read_bytes()) > 3000 for doc in docs)
    result = CliRunner().invoke(cli, ["--repo", str(a), "check", "--format", "json"])
    assert result.exit_code in (0, 1), result.output  # a backlog may have findings
    codes = {finding["code"] for finding in json.loads(result.output)["findings"]}
    assert not {code for code in codes if code.startswith("RF00")}, codes  # every file reads
    log = CliRunner().invoke(cli, ["--repo", str(a), "log", "--format", "json"])
    assert log.exit_code == 0 and json.loads(log.output)
