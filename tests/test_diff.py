"""`reqforge diff`: the pure comparison (changeset), the impact walk (graph) and the command on
real temporary git repositories."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from tests.gitrepo import GitRepo as SharedGitRepo

from reqforge.changeset import FILE_FIELD, compare
from reqforge.cli.main import cli
from reqforge.graph import Impact, impacted
from reqforge.render.diff import MARKER, render_markdown
from reqforge.render.escaping import markdown_text as escape_markdown


def req(
    rid: str,
    title: str | None = None,
    status: str = "proposed",
    body: str = "One.\nTwo.\n",
    links: str = "",
    **extra: str,
) -> str:
    """A requirement file; `links` is the flow mapping of `links:`, `extra` lines go verbatim."""
    lines = "".join(f"{key}: {value}\n" for key, value in extra.items())
    if links:
        lines += f"links: {links}\n"
    return (
        f"---\nid: {rid}\ntitle: {title or 'Export ' + rid}\ntype: functional\n"
        f"status: {status}\ntags: [export]\n{lines}---\n{body}"
    )


def tree(**files: str) -> dict[str, bytes]:
    """tree(a__X_1=text) -> {"reqs/a/X-1.md": bytes}: `__` separates folders, `_` is `-`."""
    return {
        f"reqs/{name.replace('__', '/').replace('_', '-')}.md": text.encode()
        for name, text in files.items()
    }


# --------------------------------------------------------------------------------------------
# graph.impacted


def test_impacted_direct_and_transitive() -> None:
    # verifies: REQ-304
    links = {
        "A-1": {},
        "A-2": {"parent": ["A-1"]},  # child of a changed parent
        "A-3": {"depends-on": ["A-1"]},  # dependant
        "A-4": {"parent": ["A-2"]},  # grandchild: 2 steps
        "A-5": {"depends-on": ["A-4"]},  # 3 steps
        "A-6": {"conflicts-with": ["A-9"]},  # unrelated
    }
    assert impacted(links, ["A-1"], 1) == [
        Impact("A-2", "A-1", "parent", "A-1", 1),
        Impact("A-3", "A-1", "depends-on", "A-1", 1),
    ]
    assert [(i.id, i.via, i.relation, i.distance) for i in impacted(links, ["A-1"], 3)] == [
        ("A-2", "A-1", "parent", 1),
        ("A-3", "A-1", "depends-on", 1),
        ("A-4", "A-1", "parent", 2),
        ("A-5", "A-1", "depends-on", 3),
    ]
    assert impacted(links, ["A-1"], 0) == []
    assert impacted(links, [], 5) == []


def test_impacted_never_lists_a_changed_requirement_and_cycles_terminate() -> None:
    # verifies: REQ-304
    links = {"A-1": {"parent": ["A-2"]}, "A-2": {"parent": ["A-3"]}, "A-3": {"parent": ["A-1"]}}
    found = impacted(links, ["A-1"], 100)
    assert [(i.id, i.through, i.distance) for i in found] == [("A-3", "A-1", 1), ("A-2", "A-3", 2)]
    assert impacted(links, ["A-1", "A-2", "A-3"], 100) == []
    # A self link and a link to an unknown ID are harmless.
    assert impacted({"A-1": {"parent": ["A-1", "NOPE-1"]}}, ["NOPE-1"], 2) == [
        Impact("A-1", "NOPE-1", "parent", "NOPE-1", 1)
    ]


def test_impacted_is_deterministic_when_two_changes_reach_one_requirement() -> None:
    # verifies: REQ-304
    links = {"A-3": {"depends-on": ["A-2"], "parent": ["A-1"]}}
    assert impacted(links, ["A-2", "A-1"], 1) == [Impact("A-3", "A-1", "parent", "A-1", 1)]
    assert impacted(dict(reversed(list(links.items()))), ("A-1", "A-2"), 1) == impacted(
        links, ["A-2", "A-1"], 1
    )


def test_impacted_is_linear_on_a_long_chain() -> None:
    # verifies: REQ-304
    n = 20000
    links = {f"A-{i}": {"parent": [f"A-{i - 1}"]} for i in range(1, n)}
    found = impacted(links, ["A-0"], n)
    assert len(found) == n - 1
    assert found[-1] == Impact(f"A-{n - 1}", "A-0", "parent", f"A-{n - 2}", n - 1)


# --------------------------------------------------------------------------------------------
# changeset.compare


def test_compare_added_removed_modified_with_exact_changes() -> None:
    # verifies: REQ-304
    # verifies: REQ-301
    base = tree(a__X_1=req("X-1"), a__X_2=req("X-2"), a__X_3=req("X-3"))
    head = tree(
        a__X_1=req("X-1", status="accepted", body="One.\nTwo.\nThree.\n", owner="li.na"),
        a__X_2=req("X-2"),
        a__X_4=req("X-4"),
    )
    changes = compare(base, head)
    assert [s.id for s in changes.added] == ["X-4"]
    assert [s.id for s in changes.removed] == ["X-3"]
    assert [m.id for m in changes.modified] == ["X-1"]
    assert [c.to_json() for c in changes.modified[0].changes] == [
        {"field": "owner", "old": None, "new": "li.na"},
        {"field": "status", "old": "proposed", "new": "accepted"},
        {"field": "body", "added": 1, "removed": 0},
    ]
    assert changes.changed == ("X-1", "X-3", "X-4")
    assert changes.impacted == ()


def test_compare_move_between_folders_is_a_path_change() -> None:
    # verifies: REQ-304
    # verifies: REQ-002
    base = {"reqs/billing/X-1.md": req("X-1").encode()}
    head = {"reqs/sales/X-1.md": req("X-1", status="accepted").encode()}
    changes = compare(base, head)
    assert not changes.added and not changes.removed
    assert [c.to_json() for c in changes.modified[0].changes] == [
        {"field": "path", "old": "reqs/billing/X-1.md", "new": "reqs/sales/X-1.md"},
        {"field": "status", "old": "proposed", "new": "accepted"},
    ]
    # A pure move is still a modification (its only change is the path).
    moved = compare(base, {"reqs/sales/X-1.md": req("X-1").encode()})
    assert [c.field for c in moved.modified[0].changes] == ["path"]


def test_compare_ids_come_from_front_matter_then_stem() -> None:
    # verifies: REQ-304
    # verifies: REQ-002
    base = {"reqs/old-name.md": req("X-1").encode(), "reqs/X-9.md": b"---\ntitle: t\n---\n"}
    head = {"reqs/X-1.md": req("X-1").encode(), "reqs/X-9.md": b"---\ntitle: u\n---\n"}
    changes = compare(base, head)
    assert [m.id for m in changes.modified] == ["X-1", "X-9"]
    assert changes.modified[1].changes[0].to_json() == {"field": "title", "old": "t", "new": "u"}


def test_compare_unparseable_file_is_a_file_change() -> None:
    # verifies: REQ-304
    base = {"reqs/Y.md": req("X-1").encode()}
    head = {"reqs/Y.md": b"---\nid: X-1\ntitle: [unclosed\n---\n"}
    changes = compare(base, head)
    (modification,) = changes.modified
    assert modification.id == "X-1"  # the ID the same path had on the other side
    (change,) = modification.changes
    assert change.field == FILE_FIELD
    assert change.old == "ok"
    assert change.new.startswith("unparseable: RF003")
    back = compare(head, base)
    assert back.modified[0].changes[0].new == "ok"
    assert back.modified[0].changes[0].old.startswith("unparseable")


def test_compare_reformatting_only_is_not_a_modification() -> None:
    # verifies: REQ-304
    text = req("X-1")
    changes = compare(
        {"reqs/X-1.md": text.encode()}, {"reqs/X-1.md": text.replace("\n", "\r\n").encode()}
    )
    assert not changes
    assert changes.reformatted == ("X-1",)
    assert not compare({"reqs/X-1.md": text.encode()}, {"reqs/X-1.md": text.encode()}).reformatted


def test_compare_impact_uses_head_links_and_depth() -> None:
    # verifies: REQ-304
    base = tree(
        P=req("P-1"),
        C=req("C-1", links="{parent: [P-1]}"),
        D=req("D-1", links="{depends-on: [C-1]}"),
        G=req("G-1", links="{depends-on: [GONE-1]}"),
        GONE=req("GONE-1"),
    )
    head = dict(base)
    head["reqs/P.md"] = req("P-1", status="accepted").encode()
    del head["reqs/GONE.md"]
    one = compare(base, head)
    assert [(i.id, i.via, i.relation) for i in one.impacted] == [
        ("C-1", "P-1", "parent"),
        ("G-1", "GONE-1", "depends-on"),
    ]
    two = compare(base, head, depth=2)
    assert [(i.id, i.via, i.relation, i.distance) for i in two.impacted] == [
        ("C-1", "P-1", "parent", 1),
        ("G-1", "GONE-1", "depends-on", 1),
        ("D-1", "P-1", "depends-on", 2),
    ]
    assert two.titles["D-1"] == "Export D-1"
    assert compare(base, head, depth=0).impacted == ()


# --------------------------------------------------------------------------------------------
# Markdown


def test_escape_markdown_neutralises_tables_html_and_code() -> None:
    # verifies: REQ-304
    hostile = "| <script>alert(1)</script> `x` *b* [l](http://e) @team\nnext"
    escaped = escape_markdown(hostile)
    for bad in ("|", "<", ">", "`", "\n", "[l]", "*b*", "@team"):
        assert bad not in escaped
    assert "&lt;script&gt;" in escaped
    assert escape_markdown("a" * 200, 10) == "a" * 9 + "…"


def test_markdown_of_no_changes() -> None:
    # verifies: REQ-304
    text = render_markdown(compare({}, {}), "a" * 40, "working tree")
    assert text == f"{MARKER}\nNo requirement changes between `aaaaaaa` and working tree.\n"


# --------------------------------------------------------------------------------------------
# The command on real git repositories


class GitRepo(SharedGitRepo):
    """The shared test repository, with a requirements folder and the diff command."""

    def __init__(self, root: Path, home: Path) -> None:
        super().__init__(root, home)
        (root / "reqs").mkdir(parents=True, exist_ok=True)

    def diff(self, *args: str) -> Result:
        return CliRunner().invoke(cli, ["--repo", str(self.root), "diff", *args])

    def diff_json(self, *args: str) -> dict[str, Any]:
        result = self.diff(*args, "--format", "json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    home = tmp_path / "home"
    home.mkdir()
    return GitRepo(tmp_path / "repo", home)


@pytest.fixture
def history(repo: GitRepo) -> GitRepo:
    """v1.0: P-1 <- C-1 (parent) <- D-1 (depends-on), X-1, OLD-1 in billing.
    v2.0: P-1 accepted, C-1 moved to sales, OLD-1 removed, NEW-1 added."""
    repo.write("reqs/billing/P-1.md", req("P-1", title="Parent"))
    repo.write("reqs/billing/C-1.md", req("C-1", title="Child", links="{parent: [P-1]}"))
    repo.write("reqs/billing/D-1.md", req("D-1", title="Dependant", links="{depends-on: [C-1]}"))
    repo.write("reqs/billing/X-1.md", req("X-1", title="Unrelated"))
    repo.write("reqs/billing/OLD-1.md", req("OLD-1", title="Old one"))
    repo.commit("first")
    repo.git("tag", "v1.0")
    repo.write("reqs/billing/P-1.md", req("P-1", title="Parent", status="accepted"))
    (repo.root / "reqs/billing/OLD-1.md").unlink()
    repo.write("reqs/billing/NEW-1.md", req("NEW-1", title="New one"))
    (repo.root / "reqs/sales").mkdir()
    repo.git("mv", "reqs/billing/C-1.md", "reqs/sales/C-1.md")
    repo.commit("second (#7)")
    repo.git("tag", "v2.0")
    return repo


def test_tags_as_baselines_json_shape(history: GitRepo) -> None:
    # verifies: REQ-304
    # verifies: REQ-309
    document = history.diff_json("v1.0..v2.0")
    assert list(document)[:6] == ["base", "head", "added", "removed", "modified", "impacted"]
    assert document["base"] == history.git("rev-parse", "v1.0")
    assert document["head"] == history.git("rev-parse", "v2.0")
    assert document["added"] == ["NEW-1"]
    assert document["removed"] == ["OLD-1"]
    assert [(m["id"], m["changes"]) for m in document["modified"]] == [
        (
            "C-1",
            [{"field": "path", "old": "reqs/billing/C-1.md", "new": "reqs/sales/C-1.md"}],
        ),
        ("P-1", [{"field": "status", "old": "proposed", "new": "accepted"}]),
    ]
    # D-1 depends on C-1 (moved); C-1 itself changed, so it is not listed as impacted.
    assert [(i["id"], i["via"], i["relation"]) for i in document["impacted"]] == [
        ("D-1", "C-1", "depends-on")
    ]


def test_depth_two_chain(repo: GitRepo) -> None:
    # verifies: REQ-304
    repo.write("reqs/P-1.md", req("P-1"))
    repo.write("reqs/C-1.md", req("C-1", links="{parent: [P-1]}"))
    repo.write("reqs/D-1.md", req("D-1", links="{depends-on: [C-1]}"))
    base = repo.commit()
    repo.write("reqs/P-1.md", req("P-1", title="Parent renamed"))
    head = repo.commit()
    one = history_impacts(repo.diff_json(f"{base}..{head}"))
    assert one == [("C-1", "P-1", "parent")]
    two = repo.diff_json(f"{base}..{head}", "--depth", "2")
    assert [(i["id"], i["via"], i["relation"], i["distance"]) for i in two["impacted"]] == [
        ("C-1", "P-1", "parent", 1),
        ("D-1", "P-1", "depends-on", 2),
    ]
    assert two["impacted"][1]["through"] == "C-1"


def history_impacts(document: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(i["id"], i["via"], i["relation"]) for i in document["impacted"]]


def test_uncommitted_work_with_modified_and_untracked_files(history: GitRepo) -> None:
    # verifies: REQ-304
    history.write("reqs/billing/X-1.md", req("X-1", title="Unrelated", body="Changed.\n"))
    history.write("reqs/billing/UNTRACKED-1.md", req("UNTRACKED-1", links="{parent: [X-1]}"))
    document = history.diff_json("HEAD")
    assert document["head"] == "working tree"
    assert document["base"] == history.git("rev-parse", "HEAD")
    assert document["added"] == ["UNTRACKED-1"]
    assert document["modified"] == [
        {
            "id": "X-1",
            "title": "Unrelated",
            "path": "reqs/billing/X-1.md",
            "old_path": None,
            "changes": [{"field": "body", "added": 1, "removed": 2}],
        }
    ]
    # UNTRACKED-1 is itself changed (added): never impacted.
    assert document["impacted"] == []


def test_default_range_without_origin_is_head_against_working_tree(history: GitRepo) -> None:
    # verifies: REQ-304
    assert history.diff_json() == history.diff_json("HEAD")
    assert history.diff_json()["added"] == []
    history.write("reqs/billing/Z-1.md", req("Z-1"))
    assert history.diff_json()["added"] == ["Z-1"]


def test_default_range_with_origin_main(history: GitRepo) -> None:
    # verifies: REQ-304
    history.git("update-ref", "refs/remotes/origin/main", history.git("rev-parse", "v1.0"))
    history.write("reqs/billing/Z-1.md", req("Z-1"))  # uncommitted: not in origin/main..HEAD
    document = history.diff_json()
    assert document["base"] == history.git("rev-parse", "v1.0")
    assert document["head"] == history.git("rev-parse", "HEAD")
    assert document["added"] == ["NEW-1"]


def test_three_dots_compare_with_the_merge_base(history: GitRepo) -> None:
    # verifies: REQ-304
    history.git("checkout", "-q", "-b", "feature", "v1.0")
    history.write("reqs/billing/F-1.md", req("F-1"))
    history.commit("feature work")
    document = history.diff_json("main...feature")
    assert document["base"] == history.git("rev-parse", "v1.0")
    assert document["added"] == ["F-1"]
    assert document["removed"] == []


@pytest.mark.parametrize("spec", ["nope..HEAD", "v1.0..nope", "nope", "-x"])
def test_unknown_revision_is_exit_2(history: GitRepo, spec: str) -> None:
    # verifies: REQ-701
    result = history.diff("--", spec) if spec.startswith("-") else history.diff(spec)
    assert result.exit_code == 2, result.output
    assert "reqforge: error:" in result.stderr
    assert "Traceback" not in result.output


def test_no_commits_is_exit_2_with_a_clear_message(repo: GitRepo) -> None:
    # verifies: REQ-701
    result = repo.diff()
    assert result.exit_code == 2
    assert "unknown revision: HEAD (the repository has no commits yet)" in result.stderr


def test_markdown_comment(history: GitRepo) -> None:
    # verifies: REQ-304
    # verifies: REQ-309
    result = history.diff("v1.0..v2.0")
    assert result.exit_code == 0, result.output
    text = result.stdout
    base, head = (
        history.git("rev-parse", "--short=7", "v1.0"),
        history.git("rev-parse", "--short=7", "v2.0"),
    )
    assert text.startswith(MARKER + "\n")
    assert f"**1 added, 1 removed, 2 modified, 1 impacted** between `{base}` and `{head}`" in text
    assert "| NEW-1 | New one | added |" in text
    assert "| OLD-1 | Old one | removed |" in text
    assert "| P-1 | Parent | status: proposed → accepted |" in text
    assert "| C-1 | Child | moved |" in text
    assert "<details><summary><b>P-1</b> Parent</summary>" in text
    assert "- **status**: proposed → accepted" in text
    assert "- **moved**: reqs/billing/C-1.md → reqs/sales/C-1.md" in text
    assert "#### Impact" in text
    assert "| D-1 | Dependant | its depends-on C-1 changed |" in text
    # The table rows are in ID order.
    rows = [
        line.split(" | ")[0] for line in text.splitlines() if line.startswith("| ") and "-1" in line
    ]
    assert rows[:4] == ["| C-1", "| NEW-1", "| OLD-1", "| P-1"]


def test_markdown_body_counts_and_no_changes(history: GitRepo) -> None:
    # verifies: REQ-304
    assert "No requirement changes between" in history.diff("v2.0..v2.0").stdout
    history.write("reqs/billing/X-1.md", req("X-1", title="Unrelated", body="A.\nB.\nC.\n"))
    text = history.diff("HEAD").stdout
    assert "- **body**: +3 −2 lines" in text
    assert "and working tree" in text


def test_markdown_escapes_a_hostile_title(repo: GitRepo) -> None:
    # verifies: REQ-304
    repo.write("reqs/X-1.md", req("X-1"))
    repo.commit()
    repo.write("reqs/X-1.md", req("X-1", title="'| <script>alert(1)</script>'"))
    text = repo.diff("HEAD").stdout
    assert "<script>" not in text
    assert "&#124; &lt;script&gt;alert(1)&lt;/script&gt;" in text
    table = [line for line in text.splitlines() if line.startswith("| X-1 ")]
    assert len(table) == 1
    assert table[0].count("|") == 4  # the title cannot add a column
    assert "- **title**: Export X-1 → &#124; &lt;script&gt;" in text


def test_markdown_links_into_the_published_site(history: GitRepo) -> None:
    # verifies: REQ-304
    (history.root / "reqforge.toml").write_text(
        '[site]\nbase_url = "https://reqs.example.com/"\n', encoding="utf-8"
    )
    text = history.diff("v1.0..v2.0").stdout
    assert "| [P-1](https://reqs.example.com/requirements/P-1.html) | Parent |" in text
    assert "| [D-1](https://reqs.example.com/requirements/D-1.html) | Dependant |" in text
    (history.root / "reqforge.toml").write_text('[site]\nbase_url = "/"\n', encoding="utf-8")
    assert "| P-1 | Parent |" in history.diff("v1.0..v2.0").stdout


def test_unparseable_file_in_the_working_tree(history: GitRepo) -> None:
    # verifies: REQ-304
    history.write("reqs/billing/X-1.md", "---\nid: X-1\ntitle: [broken\n---\n")
    document = history.diff_json("HEAD")
    (modified,) = document["modified"]
    assert modified["id"] == "X-1"
    assert modified["changes"][0]["field"] == "(file)"
    assert modified["changes"][0]["new"].startswith("unparseable")
    assert "file unparseable" in history.diff("HEAD").stdout


def test_markdown_stays_under_githubs_comment_limit() -> None:
    # verifies: REQ-304
    base = {f"reqs/A-{i}.md": req(f"A-{i}", title="x" * 100).encode() for i in range(3000)}
    head = {
        path: req(path[5:-3], title="y" * 100, status="accepted", links="{parent: [A-0]}").encode()
        for path in base
    }
    changes = compare(base, head)
    text = render_markdown(changes, "a" * 40, "b" * 40, "https://reqs.example.com/")
    assert len(text) < 65_536
    assert "**0 added, 0 removed, 3000 modified, 0 impacted**" in text
    assert "more changed requirements: run `reqforge diff --format json`" in text
    assert "more modified requirements" in text


def test_markdown_mentions_reformatted_files() -> None:
    # verifies: REQ-304
    text = req("X-1")
    commented = text.replace("tags:", "# a comment\ntags:")
    changes = compare({"reqs/X-1.md": text.encode()}, {"reqs/X-1.md": commented.encode()})
    assert "Reformatted only (no field or body change): X-1." in render_markdown(
        changes, "a" * 40, "working tree"
    )


def test_diff_as_a_real_subprocess(history: GitRepo) -> None:
    # verifies: REQ-304
    # verifies: REQ-309
    # verifies: REQ-701
    proc = subprocess.run(
        [sys.executable, "-m", "reqforge", "--repo", str(history.root), "diff", "v1.0..v2.0"],
        capture_output=True,
        text=True,
        env=history.env(),
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "**1 added, 1 removed, 2 modified, 1 impacted**" in proc.stdout
    assert "note: comparing v1.0" in proc.stderr
    bad = subprocess.run(
        [sys.executable, "-m", "reqforge", "--repo", str(history.root), "diff", "v9..v2.0"],
        capture_output=True,
        text=True,
        env=history.env(),
        check=False,
    )
    assert bad.returncode == 2
    assert bad.stderr.strip() == "reqforge: error: unknown revision: v9"


def test_a_file_that_cannot_be_read_is_named_not_removed(history: GitRepo) -> None:
    # verifies: REQ-304
    (history.root / "reqs/billing/X-1.md").unlink()
    (history.root / "reqs/billing/X-1.md").symlink_to("gone.md")  # broken: cannot be read
    (history.root / "reqs/billing/D-1.md").unlink()
    os.mkfifo(history.root / "reqs/billing/D-1.md")  # not a regular file
    result = history.diff("HEAD", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["removed"] == []
    assert [item["path"] for item in document["not_compared"]] == [
        "reqs/billing/D-1.md",
        "reqs/billing/X-1.md",
    ]
    assert "reqs/billing/X-1.md: broken symbolic link" in result.stderr
    assert "not compared" in result.stderr
    markdown = history.diff("HEAD").stdout
    assert "Not compared: reqs/billing/X-1.md (broken symbolic link" in markdown


def test_a_clean_checkout_with_autocrlf_is_not_reformatted(history: GitRepo) -> None:
    # verifies: REQ-304
    history.git("config", "core.autocrlf", "true")
    for path in (history.root / "reqs").rglob("*.md"):
        path.unlink()
    history.git("checkout", "--", "reqs")  # written again with CRLF line endings
    assert b"\r\n" in (history.root / "reqs/billing/P-1.md").read_bytes()
    document = history.diff_json("HEAD")
    assert document["reformatted"] == [] and document["modified"] == []
    history.write("reqs/billing/X-1.md", req("X-1", title="Renamed").replace("\n", "\r\n"))
    (modified,) = history.diff_json("HEAD")["modified"]
    assert modified["id"] == "X-1" and modified["changes"][0]["field"] == "title"


def test_requirements_inside_a_submodule_are_not_added(history: GitRepo, tmp_path: Path) -> None:
    # verifies: REQ-304
    vendor = SharedGitRepo(tmp_path / "vendor", history.home)
    vendor.write("reqs/V-1.md", req("V-1"))
    vendor.commit("vendor requirements")
    history.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(vendor.root),
                "reqs/vendor")  # fmt: skip
    history.commit("add a submodule")
    assert (history.root / "reqs/vendor/reqs/V-1.md").is_file()
    result = history.diff("HEAD", "--format", "json")
    document = json.loads(result.stdout)
    assert document["added"] == []
    assert document["not_compared"] == [
        {"path": "reqs/vendor", "why": "a separate git repository (a submodule): not compared"}
    ]


def test_a_repository_of_another_user_is_named_not_said_to_have_no_commits(
    history: GitRepo,
) -> None:
    # verifies: REQ-701
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("needs root to give the repository to another user")
    for target in (history.root / ".git", history.root):
        os.chown(target, 4242, 4242)  # first only git's folder, then the work tree too
        result = history.diff()
        assert result.exit_code == 2, result.output
        assert "dubious ownership" in result.stderr and "safe.directory" in result.stderr
        assert "no commits" not in result.stderr
