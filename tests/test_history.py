"""History from git (SPEC section 8) on real temporary repositories built with git."""

from __future__ import annotations

import difflib
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.gitrepo import GitRepo

from reqforge.cache import cache_path
from reqforge.errors import ReqforgeError
from reqforge.git import GitRepository
from reqforge.history import (
    NOTE_NO_COMMITS,
    NOTE_NO_GIT,
    NOTE_NOT_GIT,
    Change,
    History,
    body_change,
    field_changes,
    load_history,
    pr_number,
    read_tree,
    walk,
)
from reqforge.history.walk import remembered

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def req(rid: str, status: str = "proposed", body: str = "One.\nTwo.\n", **extra: str) -> str:
    """A requirement file; `extra` lines go verbatim into the front matter."""
    lines = "".join(f"{key}: {value}\n" for key, value in extra.items())
    return (
        f"---\nid: {rid}\ntitle: Export {rid}\ntype: functional\nstatus: {status}\n"
        f"priority:\n  moscow: must\n  ice: {{impact: 3, confidence: 4, ease: 2}}\n"
        f"tags: [export]\n{lines}---\n{body}"
    )


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    home = tmp_path / "home"
    home.mkdir()
    return GitRepo(tmp_path / "repo", home)


@pytest.fixture
def git_calls(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Every git command line that history runs (the subcommand and its arguments)."""
    calls: list[list[str]] = []
    real_run = GitRepository.run

    def recording_run(self: GitRepository, args: list[str], *rest: Any, **kwargs: Any) -> Any:
        calls.append(list(args))
        return real_run(self, args, *rest, **kwargs)

    monkeypatch.setattr(GitRepository, "run", recording_run)
    return calls


def subcommands(calls: list[list[str]]) -> list[str]:
    known = {"log", "cat-file", "rev-parse", "ls-tree"}
    return [next(arg for arg in call if arg in known) for call in calls]


def json_of(history: History) -> list[dict[str, Any]]:
    """A comparable rendering of every event, commit metadata included."""
    return [
        {
            "sha": event.commit.sha,
            "pr": event.commit.pr,
            "id": event.id,
            "kind": event.kind,
            "path": event.path,
            "old_path": event.old_path,
            "changes": [change.to_json() for change in event.changes],
        }
        for event in history.events
    ]


# --------------------------------------------------------------------------------------------
# pr_number and field_changes (pure)


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Merge pull request #7 from a/b", 7),
        ("Merge pull request #123 from org/feature-x\n\nAdd export", 123),
        ("Fix export of ledgers (#12)", 12),
        ('Revert "Fix (#3)" (#14)', 14),
        ("Merge branch 'x' into 'main' !12", 12),
        ("Merge branch 'feature' into 'main'\n\nAdd it\n\nSee merge request g/p!9", 9),
        ("Merge branch 'feature' into 'main'\n\nSee merge request group/sub/proj!41", 41),
        ("Ordinary commit", None),
        ("Mention #12 without parentheses", None),
        ("Exclamation!12 glued to a word", None),
        ("", None),
    ],
)
def test_pr_number(subject: str, expected: int | None) -> None:
    # verifies: REQ-303
    assert pr_number(subject) == expected


def test_field_changes_nested_lists_and_body() -> None:
    # verifies: REQ-301
    old = {
        "id": "A-1",
        "status": "proposed",
        "priority": {"ice": {"impact": 3, "ease": 2}, "moscow": "must"},
        "tags": ["a", "b"],
        "reason": None,
        "gone": 1,
    }
    new = {
        "id": "A-1",
        "status": "accepted",
        "priority": {"ice": {"impact": 4, "ease": 2}, "moscow": "must", "value": 8},
        "tags": ["a", "b", "c"],
        "owner": "li.na",
    }
    changes = field_changes(old, new, "x\ny\nz\n", "x\nY\nz\nw\n")
    assert changes == [
        Change("gone", 1, None),
        Change("owner", None, "li.na"),
        Change("priority.ice.impact", 3, 4),
        Change("priority.value", None, 8),
        Change("status", "proposed", "accepted"),
        Change("tags", ["a", "b"], ["a", "b", "c"]),
        Change("body", added=2, removed=1),
    ]
    assert changes[-1].to_json() == {"field": "body", "added": 2, "removed": 1}
    assert changes[0].to_json() == {"field": "gone", "old": 1, "new": None}


def test_field_changes_added_and_deleted_requirements() -> None:
    # verifies: REQ-301
    data = {"id": "A-1", "priority": {"ice": {"impact": 3}}, "links": {}, "tags": []}
    assert field_changes(None, data, "", "a\nb\n") == [
        Change("id", None, "A-1"),
        Change("links", None, {}),
        Change("priority.ice.impact", None, 3),
        Change("tags", None, []),
        Change("body", added=2, removed=0),
    ]
    assert field_changes(data, None, "a\n", "") == [
        Change("id", "A-1", None),
        Change("links", {}, None),
        Change("priority.ice.impact", 3, None),
        Change("tags", [], None),
        Change("body", added=0, removed=1),
    ]


def test_field_changes_types_and_shapes() -> None:
    # verifies: REQ-301
    # YAML 1 / 1.0 / true are different values; a mapping replaced by a scalar is one change.
    assert field_changes({"v": 1}, {"v": 1.0}) == [Change("v", 1, 1.0)]
    assert field_changes({"v": 1}, {"v": True}) == [Change("v", 1, True)]
    assert field_changes({"p": {"a": 1}}, {"p": "x"}) == [Change("p", {"a": 1}, "x")]
    assert field_changes({"r": None}, {}) == []  # null and absent are the same
    assert field_changes({"f": float("nan")}, {"f": float("nan")}) == []
    # Only a trailing newline or CRLF differs: no body change.
    assert field_changes({}, {}, "a\nb", "a\r\nb\n") == []


# Keys without a dot: a change is named by its dotted path, which cannot tell a key "a.b" from
# the key "b" inside "a" (nor "" inside "" from "."); such keys are left out here, as a known
# limit of the names, not of the diff.
_keys = st.text(st.characters(blacklist_characters="."), max_size=4)
_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(st.characters(blacklist_characters="."), max_size=3), inner)
    ),
    max_leaves=8,
)
_mappings = st.dictionaries(_keys, _values, max_size=5)


@given(_mappings, st.text(max_size=40))
def test_field_changes_of_identical_inputs_is_empty(data: dict[str, Any], body: str) -> None:
    # verifies: REQ-301
    assert field_changes(data, data, body, body) == []


def _line_counts(old_body: str, new_body: str) -> tuple[int, int] | None:
    """The body's added/removed lines as counted before the shared ends were found by slices:
    both bodies split whole, their shared head and tail lines trimmed one by one."""
    a, b = old_body.splitlines(), new_body.splitlines()
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end_a, end_b = len(a), len(b)
    while end_a > start and end_b > start and a[end_a - 1] == b[end_b - 1]:
        end_a, end_b = end_a - 1, end_b - 1
    a, b = a[start:end_a], b[start:end_b]
    if not a or not b:
        added, removed = len(b), len(a)
    else:
        added = removed = 0
        matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag != "equal":
                removed, added = removed + i2 - i1, added + j2 - j1
    return (added, removed) if added or removed else None


# Bodies of few distinct lines and every line break `str.splitlines` knows, so that shared
# ends, repeated lines and a "\r" | "\n" pair cut in two all come up.
_body_lines = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "", "长文档", "a b"]),
        st.sampled_from(["\n", "\r\n", "\r", "\x0b", "\x85", "\u2028", ""]),
    ).map("".join),
    max_size=12,
).map("".join)


@given(_body_lines, _body_lines, _body_lines, _body_lines, st.sampled_from([0, 1, 900]))
def test_body_counts_find_the_shared_ends_by_slices(
    old: str, new: str, head: str, tail: str, times: int
) -> None:
    # verifies: REQ-301
    # With long shared ends (900 times a short text) the bodies span several 4 KB chunks.
    old, new = head * times + old + tail * times, head * times + new + tail * times
    change = body_change(old, new)
    assert (None if change is None else (change.added, change.removed)) == _line_counts(old, new)


@given(_mappings, _mappings, st.text(max_size=30), st.text(max_size=30))
def test_field_changes_sorted_and_body_last(
    old: dict[str, Any], new: dict[str, Any], old_body: str, new_body: str
) -> None:
    # verifies: REQ-301
    changes = field_changes(old, new, old_body, new_body)
    fields = [change.field for change in changes if change.added is None]
    assert fields == sorted(fields)
    assert all(change.added is None for change in changes[:-1])
    assert len(set(fields)) == len(fields)
    reverse = field_changes(new, old, new_body, old_body)
    assert [(c.field, c.new, c.old, c.removed, c.added) for c in reverse] == [
        (c.field, c.old, c.new, c.added, c.removed) for c in changes
    ]


# --------------------------------------------------------------------------------------------
# Events from real repositories


def test_added_and_modified_with_field_diffs(repo: GitRepo) -> None:
    # verifies: REQ-300
    # verifies: REQ-301
    # verifies: REQ-009
    repo.write("reqs/billing/BIL-1.md", req("BIL-1"))
    repo.write("README.md", "not a requirement\n")
    first = repo.commit("Add BIL-1")
    repo.write("src/code.py", "print()\n")
    repo.commit("Code only")
    repo.write(
        "reqs/billing/BIL-1.md",
        req("BIL-1", status="accepted", body="One.\nTwo, changed.\nThree.\n")
        .replace("impact: 3", "impact: 5")
        .replace("tags: [export]", "tags: [export, csv]"),
    )
    repo.write("reqs/customers.yaml", "acme: {name: Acme}\n")  # not a requirement file
    second = repo.commit("Accept BIL-1")

    history = load_history(repo.root, use_cache=False)
    assert history.available and not history.shallow and history.note is None
    assert history.head == second
    assert [(e.commit.sha, e.kind, e.id, e.path) for e in history.events] == [
        (second, "modified", "BIL-1", "reqs/billing/BIL-1.md"),
        (first, "added", "BIL-1", "reqs/billing/BIL-1.md"),
    ]
    modified, added = history.events
    assert [change.to_json() for change in modified.changes] == [
        {"field": "priority.ice.impact", "old": 3, "new": 5},
        {"field": "status", "old": "proposed", "new": "accepted"},
        {"field": "tags", "old": ["export"], "new": ["export", "csv"]},
        {"field": "body", "added": 2, "removed": 1},
    ]
    assert Change("status", None, "proposed") in added.changes
    assert Change("priority.ice.ease", None, 2) in added.changes
    assert added.changes[-1] == Change("body", added=2, removed=0)
    commit = modified.commit
    assert (commit.author, commit.email) == ("Zhang Wei", "zhang.wei@example.com")
    assert commit.date == "2026-10-01T00:03:00+08:00"
    assert commit.subject == "Accept BIL-1" and commit.pr is None
    assert len(commit.parents) == 1
    assert history.last_change("BIL-1") is modified
    assert history.first_event("BIL-1") is added
    assert history.for_id("NOPE-1") == () and history.last_change("NOPE-1") is None


def test_rename_across_folders_and_pure_rename(repo: GitRepo) -> None:
    # verifies: REQ-302
    # verifies: REQ-002
    # verifies: REQ-009
    repo.write("reqs/billing/BIL-1.md", req("BIL-1"))
    repo.commit("Add")
    repo.mv("reqs/billing/BIL-1.md", "reqs/export/BIL-1.md")
    moved = repo.commit("Move to export")
    repo.mv("reqs/export/BIL-1.md", "reqs/crm/BIL-1.md")
    repo.write("reqs/crm/BIL-1.md", req("BIL-1", status="accepted"))
    edited = repo.commit("Move and accept")

    history = load_history(repo.root, use_cache=False)
    events = history.for_id("BIL-1")
    assert [(e.kind, e.path, e.old_path) for e in events] == [
        ("renamed", "reqs/crm/BIL-1.md", "reqs/export/BIL-1.md"),
        ("renamed", "reqs/export/BIL-1.md", "reqs/billing/BIL-1.md"),
        ("added", "reqs/billing/BIL-1.md", None),
    ]
    assert events[0].commit.sha == edited and events[1].commit.sha == moved
    assert events[0].changes == (Change("status", "proposed", "accepted"),)
    assert events[1].changes == ()
    assert history.last_change("BIL-1") is events[0]


def test_deletion_and_recreation_continue_one_history(repo: GitRepo) -> None:
    # verifies: REQ-302
    # verifies: REQ-300
    # verifies: REQ-009
    repo.write("reqs/a/A-1.md", req("A-1", body="Line.\n"))
    repo.write("reqs/a/A-2.md", req("A-2"))
    added = repo.commit("Add")
    repo.git("rm", "-q", "reqs/a/A-1.md")
    deleted = repo.commit("Drop A-1")
    repo.write("reqs/b/A-1.md", req("A-1", status="accepted", body="New.\nText.\n"))
    recreated = repo.commit("Bring A-1 back")

    history = load_history(repo.root, use_cache=False)
    events = history.for_id("A-1")
    assert [(e.kind, e.commit.sha, e.path) for e in events] == [
        ("added", recreated, "reqs/b/A-1.md"),
        ("deleted", deleted, "reqs/a/A-1.md"),
        ("added", added, "reqs/a/A-1.md"),
    ]
    gone = events[1]
    assert Change("status", "proposed", None) in gone.changes
    assert Change("tags", ["export"], None) in gone.changes
    assert gone.changes[-1] == Change("body", added=0, removed=1)
    assert history.first_event("A-1") is events[2]
    assert history.last_change("A-1") is events[0]
    assert [e.kind for e in history.for_id("A-2")] == ["added"]


def test_id_change_is_followed(repo: GitRepo) -> None:
    # verifies: REQ-302
    repo.write("reqs/A-1.md", req("A-1"))
    repo.commit("Add A-1")
    repo.mv("reqs/A-1.md", "reqs/A-2.md")
    repo.write("reqs/A-2.md", req("A-2"))
    repo.commit("Renumber")
    history = load_history(repo.root, use_cache=False)
    events = history.for_id("A-2")
    assert [(e.id, e.kind) for e in events] == [("A-2", "renamed"), ("A-1", "added")]
    assert events[0].changes[0] == Change("id", "A-1", "A-2")
    assert [e.id for e in history.for_id("A-1")] == ["A-1"]


def test_equal_looking_values_of_different_types_stay_apart(repo: GitRepo) -> None:
    # verifies: REQ-301
    # Events share equal Change objects; YAML 1, 1.0 and true must not be merged by that.
    for value in ("1", "true", "1.0", "1"):
        repo.write("reqs/A-1.md", req("A-1", flag=value))
        repo.commit(f"flag {value}")
    events = load_history(repo.root).for_id("A-1")
    assert [e.changes for e in events[:3]] == [
        (Change("flag", 1.0, 1),),
        (Change("flag", True, 1.0),),
        (Change("flag", 1, True),),
    ]
    assert [type(e.changes[0].new) for e in events[:3]] == [int, float, bool]
    assert Change("flag", None, 1) in events[3].changes


def test_unparseable_blob_keeps_event_without_changes(repo: GitRepo) -> None:
    # verifies: REQ-300
    repo.write("reqs/A-1.md", req("A-1"))
    repo.commit("Add")
    repo.write("reqs/A-1.md", "---\nid: [unclosed\n---\nbody\n")
    broken = repo.commit("Break it")
    repo.write("reqs/A-1.md", b"---\nid: A-1\ntitle: caf\xe9\n---\n")
    repo.commit("Latin-1 file")
    history = load_history(repo.root, use_cache=False)
    events = history.for_id("A-1")
    assert [(e.kind, e.changes) for e in events[:2]] == [("modified", ()), ("modified", ())]
    assert events[1].commit.sha == broken
    assert events[2].kind == "added"


def test_merged_branch_commits_appear_with_the_merge_pr(repo: GitRepo) -> None:
    # verifies: REQ-303
    # verifies: REQ-300
    repo.write("reqs/A-1.md", req("A-1"))
    base = repo.commit("Add A-1")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("reqs/A-1.md", req("A-1", status="accepted"))
    on_branch = repo.commit("Accept A-1 on a branch")
    repo.git("checkout", "-q", "main")
    repo.write("reqs/B-1.md", req("B-1"))
    on_main = repo.commit("Add B-1 on main")
    repo.tick += 1
    repo.git("merge", "-q", "--no-ff", "-m", "Merge pull request #7 from a/b", "feature")
    merge = repo.git("rev-parse", "HEAD")

    history = load_history(repo.root, use_cache=False)
    assert history.head == merge
    by_sha = {event.commit.sha: event for event in history.events}
    assert by_sha[on_branch].id == "A-1" and by_sha[on_branch].kind == "modified"
    assert by_sha[on_branch].changes == (Change("status", "proposed", "accepted"),)
    assert by_sha[on_branch].commit.pr == 7  # brought in by the merge of PR 7
    assert by_sha[on_main].commit.pr is None  # a direct commit on main
    assert by_sha[base].commit.pr is None
    assert merge not in by_sha  # a merge has no changes of its own
    assert [e.commit.sha for e in history.events] == [on_main, on_branch, base]


def test_pr_is_the_one_that_reached_the_default_branch_not_a_fork_merge(repo: GitRepo) -> None:
    # verifies: REQ-303
    # A contributor merges their own "pull request #1" inside their fork, then the fork's
    # branch reaches main through PR #200: every commit it brought is #200's.
    repo.write("reqs/A-1.md", req("A-1"))
    base = repo.commit("Add A-1")
    repo.git("checkout", "-q", "-b", "fork-main")
    repo.git("checkout", "-q", "-b", "topic")
    repo.write("reqs/A-1.md", req("A-1", status="accepted"))
    on_topic = repo.commit("Accept A-1 in the fork")
    repo.git("checkout", "-q", "fork-main")
    repo.write("reqs/B-1.md", req("B-1"))
    on_fork = repo.commit("Add B-1 in the fork")
    repo.tick += 1
    repo.git("merge", "-q", "--no-ff", "-m", "Merge pull request #1 from dev/topic", "topic")
    repo.write("reqs/C-1.md", req("C-1"))
    squashed = repo.commit("Add C-1 (#5)")  # a squash inside the fork: not the PR either
    repo.git("checkout", "-q", "main")
    repo.write("reqs/D-1.md", req("D-1"))
    direct = repo.commit("Add D-1 on main")
    repo.tick += 1
    repo.git("merge", "-q", "--no-ff", "-m", "Merge pull request #200 from dev/main", "fork-main")
    repo.write("reqs/E-1.md", req("E-1"))
    squash_on_main = repo.commit("Add E-1 (#201)")

    history = load_history(repo.root, use_cache=False)
    prs = {event.commit.sha: event.commit.pr for event in history.events}
    assert prs[on_topic] == 200
    assert prs[on_fork] == 200
    assert prs[squashed] == 200
    assert prs[squash_on_main] == 201
    assert prs[direct] is None and prs[base] is None


def test_without_a_pr_on_the_line_the_nearest_merge_inside_the_branch_counts(
    repo: GitRepo,
) -> None:
    # verifies: REQ-303
    repo.write("reqs/A-1.md", req("A-1"))
    repo.commit("Add A-1")
    repo.git("checkout", "-q", "-b", "release")
    repo.git("checkout", "-q", "-b", "topic")
    repo.write("reqs/A-1.md", req("A-1", status="accepted"))
    on_topic = repo.commit("Accept A-1")
    repo.git("checkout", "-q", "release")
    repo.write("reqs/B-1.md", req("B-1"))
    on_release = repo.commit("Add B-1 on release")
    repo.tick += 1
    repo.git("merge", "-q", "--no-ff", "-m", "Merge pull request #9 from dev/topic", "topic")
    repo.git("checkout", "-q", "main")
    repo.tick += 1
    repo.git("merge", "-q", "--no-ff", "-m", "Merge branch 'release'", "release")
    prs = {e.commit.sha: e.commit.pr for e in load_history(repo.root, use_cache=False).events}
    assert prs[on_topic] == 9  # the plain merge names no PR: PR 9 brought it
    assert prs[on_release] is None  # a direct commit on the release branch


def test_squash_and_gitlab_subjects(repo: GitRepo) -> None:
    # verifies: REQ-303
    repo.write("reqs/A-1.md", req("A-1"))
    repo.commit("Add export requirement (#12)")
    repo.write("reqs/A-1.md", req("A-1", status="accepted"))
    repo.commit("Merge branch 'x' into 'main'\n\nAccept it\n\nSee merge request g/p!9")
    history = load_history(repo.root, use_cache=False)
    assert [e.commit.pr for e in history.events] == [9, 12]
    assert history.events[0].commit.subject == "Merge branch 'x' into 'main'"


def test_chinese_content_and_author(repo: GitRepo) -> None:
    # verifies: REQ-300
    # verifies: REQ-301
    repo.write("reqs/导出/CRM-1.md", req("CRM-1", body="客户需要导出数据。\n"))
    repo.commit("新增需求：导出", GIT_AUTHOR_NAME="张伟")
    repo.write("reqs/导出/CRM-1.md", req("CRM-1", body="客户需要导出全部数据。\n第二行。\n"))
    repo.commit("修改需求", GIT_AUTHOR_NAME="李娜")
    history = load_history(repo.root, use_cache=False)
    latest, first = history.for_id("CRM-1")
    assert latest.path == "reqs/导出/CRM-1.md"
    assert (latest.commit.author, latest.commit.subject) == ("李娜", "修改需求")
    assert first.commit.author == "张伟"
    assert latest.changes == (Change("body", added=2, removed=1),)


def test_non_utf8_message_and_author_never_crash(repo: GitRepo) -> None:
    # verifies: REQ-300
    # verifies: REQ-303
    repo.write("reqs/A-1.md", req("A-1"))
    parent = repo.commit("Add")
    repo.write("reqs/A-1.md", req("A-1", status="accepted"))
    repo.git("add", "-A")
    tree = repo.git("write-tree")
    # `git commit` repairs invalid UTF-8 (it assumes Latin-1), so write the raw object.
    raw = (
        f"tree {tree}\nparent {parent}\n".encode()
        + b"author J\xf6rg <j@example.com> 1759291200 +0800\n"
        + b"committer J\xf6rg <j@example.com> 1759291200 +0800\n\n"
        + b"Caf\xe9 cr\xe8me (#5)\n\nlatin-1 body \xff\n"
    )
    (repo.home / "commit.bin").write_bytes(raw)
    sha = repo.git("hash-object", "-t", "commit", "-w", str(repo.home / "commit.bin"))
    repo.git("update-ref", "refs/heads/main", sha)
    repo.write("reqs/A-1.md", req("A-1", status="done"))
    repo.tick += 1
    repo.git(
        "-c", "i18n.commitEncoding=latin-1", "commit", "-q", "-am", "Declared latin-1",
        GIT_AUTHOR_NAME=b"Ren\xe9",
    )  # fmt: skip
    history = load_history(repo.root, use_cache=False)
    assert history.available
    declared, undeclared, _ = history.events
    assert undeclared.commit.sha == sha
    assert undeclared.commit.subject == "Caf\ufffd cr\ufffdme (#5)"
    assert undeclared.commit.author == "J\ufffdrg"
    assert undeclared.commit.pr == 5
    assert undeclared.commit.date == "2025-10-01T12:00:00+08:00"
    assert declared.commit.author == "René"  # git re-encodes from the declared encoding
    assert declared.changes == (Change("status", "accepted", "done"),)


def test_shallow_clone_is_partial_with_a_note(repo: GitRepo, tmp_path: Path) -> None:
    # verifies: REQ-307
    repo.write("reqs/A-1.md", req("A-1"))
    repo.commit("Add")
    repo.write("reqs/A-1.md", req("A-1", status="accepted"))
    head = repo.commit("Accept")
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone)],
        check=True,
        env=repo.env(),
        capture_output=True,
    )
    history = load_history(clone)
    assert history.available and history.shallow and history.head == head
    assert history.note is not None and "fetch-depth: 0" in history.note
    assert "git fetch --unshallow" in history.note
    # Only the one commit there is: the file looks added in it.
    assert [(e.kind, e.commit.sha) for e in history.events] == [("added", head)]
    assert not cache_path(clone, "history").exists()  # the depth may change: never cached


def test_detached_head(repo: GitRepo) -> None:
    # verifies: REQ-300
    repo.write("reqs/A-1.md", req("A-1"))
    first = repo.commit("Add")
    repo.write("reqs/A-1.md", req("A-1", status="accepted"))
    repo.commit("Accept")
    repo.git("checkout", "-q", "--detach", first)
    history = load_history(repo.root)
    assert history.available and history.head == first
    assert [e.commit.sha for e in history.events] == [first]


def test_outside_git_empty_repo_and_no_git(
    tmp_path: Path, repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    # verifies: REQ-307
    plain = tmp_path / "plain"
    (plain / "reqs").mkdir(parents=True)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    assert load_history(plain) == History((), False, False, None, NOTE_NOT_GIT)
    assert load_history(tmp_path / "missing").available is False
    empty = load_history(repo.root)  # `git init` and nothing committed
    assert (empty.available, empty.note, empty.events) == (False, NOTE_NO_COMMITS, ())
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    assert load_history(repo.root) == History((), False, False, None, NOTE_NO_GIT)
    with pytest.raises(ReqforgeError):
        read_tree(repo.root, "HEAD")


def test_unknown_revision(repo: GitRepo) -> None:
    # verifies: REQ-300
    repo.write("reqs/A-1.md", req("A-1"))
    repo.commit("Add")
    with pytest.raises(ReqforgeError):
        load_history(repo.root, rev="no-such-branch")
    with pytest.raises(ReqforgeError):
        load_history(repo.root, rev="--all")


def test_requirements_folder_below_the_git_root(repo: GitRepo) -> None:
    # verifies: REQ-300
    repo.write("product/reqs/A-1.md", req("A-1"))
    repo.write("reqs/B-1.md", req("B-1"))  # outside the product: not ours
    repo.commit("Add")
    history = load_history(repo.root / "product", use_cache=False)
    assert [(e.id, e.path) for e in history.events] == [("A-1", "reqs/A-1.md")]
    assert set(read_tree(repo.root / "product", "HEAD")) == {"reqs/A-1.md"}


def test_other_reqs_dir(repo: GitRepo) -> None:
    # verifies: REQ-300
    repo.write("requirements/A-1.md", req("A-1"))
    repo.write("reqs/B-1.md", req("B-1"))
    repo.commit("Add")
    history = load_history(repo.root, "requirements", use_cache=False)
    assert [e.path for e in history.events] == ["requirements/A-1.md"]


def test_requirements_folder_named_oddly_or_the_root_itself(repo: GitRepo) -> None:
    # verifies: REQ-300
    # The folder reaches git as `--relative=<folder>/`, not as a pathspec: a name with spaces,
    # Chinese or a pathspec's magic characters is a folder like any other, and "." is the root.
    repo.write("product/需求 :(top)*/A-1.md", req("A-1"))
    repo.write("product/B-1.md", req("B-1"))
    repo.write("reqs/C-1.md", req("C-1"))  # outside the product: not ours
    repo.commit("Add")
    repo.git("mv", "product/需求 :(top)*/A-1.md", "product/需求 :(top)*/A-2.md")
    repo.commit("Rename")
    odd = load_history(repo.root / "product", "需求 :(top)*", use_cache=False)
    assert [(e.id, e.kind, e.path) for e in odd.events] == [
        ("A-1", "renamed", "需求 :(top)*/A-2.md"),
        ("A-1", "added", "需求 :(top)*/A-1.md"),
    ]
    whole = load_history(repo.root / "product", ".", use_cache=False)
    assert {(e.id, e.path) for e in whole.events} == {
        ("A-1", "需求 :(top)*/A-1.md"),
        ("A-1", "需求 :(top)*/A-2.md"),
        ("B-1", "B-1.md"),
    }


# --------------------------------------------------------------------------------------------
# The cache


def _three_commits(repo: GitRepo) -> None:
    repo.write("reqs/A-1.md", req("A-1"))
    repo.commit("Add A-1")
    repo.write("reqs/B-1.md", req("B-1"))
    repo.commit("Add B-1")
    repo.write("reqs/A-1.md", req("A-1", status="accepted"))
    repo.commit("Accept A-1")


def test_cache_reuses_old_commits_and_picks_up_new_ones(
    repo: GitRepo, git_calls: list[list[str]]
) -> None:
    # verifies: REQ-308
    # verifies: REQ-300
    _three_commits(repo)
    cold = load_history(repo.root)
    assert cache_path(repo.root, "history").exists()
    assert subcommands(git_calls).count("log") == 1

    git_calls.clear()
    warm = load_history(repo.root)
    assert json_of(warm) == json_of(cold)
    assert "log" not in subcommands(git_calls) and "cat-file" not in subcommands(git_calls)

    old_head = cold.head
    repo.write("reqs/B-1.md", req("B-1", status="rejected", reason="no"))
    new_head = repo.commit("Reject B-1")
    git_calls.clear()
    incremental = load_history(repo.root)
    logs = [call for call in git_calls if "log" in call]
    assert len(logs) == 1 and "--not" in logs[0] and old_head in logs[0]
    assert incremental.head == new_head
    assert incremental.events[0].changes == (
        Change("reason", None, "no"),
        Change("status", "proposed", "rejected"),
    )
    assert json_of(incremental) == json_of(load_history(repo.root, use_cache=False))

    # An older revision (a tag) is served from the memo without walking git.
    git_calls.clear()
    at_old = load_history(repo.root, rev=old_head)
    assert "log" not in subcommands(git_calls)
    assert json_of(at_old) == json_of(cold)


def test_incremental_order_matches_a_cold_run_across_a_merge(repo: GitRepo) -> None:
    # verifies: REQ-308
    repo.write("reqs/A-1.md", req("A-1"))
    repo.commit("Add A-1")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("reqs/F-1.md", req("F-1"))
    repo.commit("Feature commit, older than main's")
    repo.git("checkout", "-q", "main")
    for number in range(2, 5):
        repo.write(f"reqs/A-{number}.md", req(f"A-{number}"))
        repo.commit(f"Main commit {number}")
    load_history(repo.root)  # cache at main's head
    repo.tick += 1
    repo.git("merge", "-q", "--no-ff", "-m", "Merge pull request #3 from x/feature", "feature")
    cached = load_history(repo.root)
    cold = load_history(repo.root, use_cache=False)
    assert json_of(cached) == json_of(cold)
    assert [e.id for e in cold.events] == ["A-4", "A-3", "A-2", "F-1", "A-1"]
    assert cold.for_id("F-1")[0].commit.pr == 3


def test_corrupt_cache_is_rebuilt(repo: GitRepo) -> None:
    # verifies: REQ-308
    _three_commits(repo)
    cold = load_history(repo.root)
    path = cache_path(repo.root, "history")
    blob = bytearray(path.read_bytes())
    blob[-5] ^= 0xFF
    path.write_bytes(bytes(blob))
    assert json_of(load_history(repo.root)) == json_of(cold)
    path.write_bytes(b"garbage")
    assert json_of(load_history(repo.root)) == json_of(cold)
    assert path.read_bytes() != b"garbage"  # rewritten


def test_sealed_changes_that_are_not_changes_are_shown_as_none(repo: GitRepo) -> None:
    """The walk packs each event's changes in a blob, unpacked when the event is shown. A
    sealed cache whose blobs hold something else (no walk writes one) never crashes a command:
    those events show no field-level changes, as a version that does not parse."""
    # verifies: REQ-308
    import marshal

    from reqforge.cache import CacheStore
    from reqforge.history.walk import _CACHE_SHAPE, _cache_key

    _three_commits(repo)
    cold = load_history(repo.root)
    store = CacheStore(repo.root)
    head, commits, events = store.read("history", _cache_key("reqs"), _CACHE_SHAPE)
    junk = {
        sha: tuple(
            (*record[:4], marshal.dumps(["not", "changes"]), *record[5:]) for record in records
        )
        for sha, records in events.items()
    }
    store.write("history", _cache_key("reqs"), (head, commits, junk))
    shown = load_history(repo.root)
    assert [(e.id, e.kind, e.commit.sha) for e in shown.events] == [
        (e.id, e.kind, e.commit.sha) for e in cold.events
    ]
    assert all(e.changes == () for e in shown.events) and any(e.changes for e in cold.events)


def test_one_command_loads_the_history_of_a_head_once(repo: GitRepo) -> None:
    # verifies: REQ-308
    _three_commits(repo)
    with remembered():
        first = load_history(repo.root)
        cache_path(repo.root, "history").write_bytes(b"garbage")
        assert load_history(repo.root) is first  # from memory: the cache is not read again
        assert load_history(repo.root, "elsewhere").events == ()  # another folder: walked
        repo.write("reqs/Z-9.md", req("Z-9"))
        repo.commit("Another")
        later = load_history(repo.root)  # another head: walked again
        assert later is not first and "Z-9" in {e.id for e in later.events}
    assert load_history(repo.root) is not later  # outside the block, the cache is read


def test_foreign_cache_is_not_trusted(repo: GitRepo, tmp_path: Path) -> None:
    # verifies: REQ-308
    _three_commits(repo)
    load_history(repo.root)
    other = GitRepo(tmp_path / "other", repo.home)
    other.write("reqs/Z-1.md", req("Z-1"))
    other.commit("Other")
    (other.root / ".reqforge" / "cache").mkdir(parents=True)
    shutil.copy(cache_path(repo.root, "history"), cache_path(other.root, "history"))
    assert [e.id for e in load_history(other.root).events] == ["Z-1"]
    # The cache is keyed by reqs_dir too.
    assert load_history(repo.root, "elsewhere").events == ()


def test_rewritten_history_rebuilds(repo: GitRepo) -> None:
    # verifies: REQ-308
    _three_commits(repo)
    load_history(repo.root)
    repo.git("reset", "-q", "--hard", "HEAD~1")
    repo.write("reqs/A-1.md", req("A-1", status="rejected", reason="dup"))
    repo.commit("Reject A-1 instead")
    rewritten = load_history(repo.root)
    assert json_of(rewritten) == json_of(load_history(repo.root, use_cache=False))
    assert rewritten.events[0].changes[-1] == Change("status", "proposed", "rejected")
    assert len(rewritten.events) == 3
    # Old head gone for good (expired reflog, gc): still rebuilt correctly.
    repo.git("reflog", "expire", "--expire=now", "--all")
    repo.git("gc", "-q", "--prune=now")
    repo.write("reqs/C-1.md", req("C-1"))
    repo.commit("Add C-1")
    assert json_of(load_history(repo.root)) == json_of(load_history(repo.root, use_cache=False))


def test_use_cache_false_writes_nothing(repo: GitRepo) -> None:
    # verifies: REQ-308
    _three_commits(repo)
    load_history(repo.root, use_cache=False)
    assert not (repo.root / ".reqforge").exists()


# --------------------------------------------------------------------------------------------
# read_tree


def test_read_tree_at_a_tag_and_unknown_revision(repo: GitRepo) -> None:
    # verifies: REQ-309
    repo.write("reqs/a/A-1.md", req("A-1"))
    repo.write("reqs/customers.yaml", "acme: {}\n")
    repo.commit("v1")
    repo.git("tag", "v1.0")
    repo.write("reqs/b/B-1.md", req("B-1"))
    repo.write("reqs/a/A-1.md", req("A-1", status="accepted"))
    repo.commit("v2")
    tree = read_tree(repo.root, "v1.0")
    assert tree == {"reqs/a/A-1.md": req("A-1").encode()}
    assert set(read_tree(repo.root, "HEAD")) == {"reqs/a/A-1.md", "reqs/b/B-1.md"}
    with pytest.raises(ReqforgeError, match="unknown revision"):
        read_tree(repo.root, "v9.9")
    with pytest.raises(ReqforgeError):
        read_tree(repo.root, "--output=x")


def test_read_tree_outside_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    (tmp_path / "plain").mkdir()
    with pytest.raises(ReqforgeError, match="not a git repository"):
        read_tree(tmp_path / "plain", "HEAD")


def test_history_is_printed_nowhere(repo: GitRepo, capfd: pytest.CaptureFixture[str]) -> None:
    _three_commits(repo)
    load_history(repo.root)
    load_history(repo.root / "nowhere")
    captured = capfd.readouterr()
    assert (captured.out, captured.err) == ("", "")


def test_a_first_run_walks_the_history_in_the_background(
    repo: GitRepo, git_calls: list[list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # verifies: REQ-603
    _three_commits(repo)
    monkeypatch.setattr(walk, "cpu_count", lambda: 2)
    expected = load_history(repo.root, use_cache=False)
    git_calls.clear()
    assert not walk.prefetch(repo.root)  # outside `remembered()`: nothing would wait for it
    with remembered():
        assert walk.prefetch(repo.root)
        assert walk.prefetch(repo.root)  # already walking: not a second process
        history = load_history(repo.root)  # waits for the walk, then reads its cache
    assert not any("log" in call for call in git_calls)  # this process never walked
    assert history.events == expected.events and history.head == expected.head
    with remembered():
        assert not walk.prefetch(repo.root)  # a cache is there: bringing it up to date is quicker


def test_no_background_walk_on_one_core_or_outside_git(
    repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # verifies: REQ-603
    _three_commits(repo)
    with remembered():
        monkeypatch.setattr(walk, "cpu_count", lambda: 1)
        assert not walk.prefetch(repo.root)
        monkeypatch.setattr(walk, "cpu_count", lambda: 2)
        plain = tmp_path / "plain"
        plain.mkdir()
        assert not walk.prefetch(plain)
        assert not cache_path(plain, "history").exists()


def test_a_background_walk_that_fails_leaves_the_walk_to_this_process(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    # verifies: REQ-603
    _three_commits(repo)
    monkeypatch.setattr(walk, "cpu_count", lambda: 2)
    real = walk.load_history

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the walk died")

    monkeypatch.setattr(walk, "load_history", broken)  # what the forked child runs
    with remembered():
        assert walk.prefetch(repo.root)
        monkeypatch.setattr(walk, "load_history", real)
        history = load_history(repo.root)
    assert [e.id for e in history.events] == ["A-1", "B-1", "A-1"]


def test_a_body_only_edit_records_only_its_body(repo: GitRepo) -> None:
    # verifies: REQ-301
    # The walk compares only the bodies of two versions whose front matter is the same text.
    repo.write("reqs/A-1.md", req("A-1"))
    repo.commit("Add A-1")
    repo.write("reqs/A-1.md", req("A-1", body="One.\nTwo.\nThree.\n"))
    repo.commit("Say more")
    repo.write("reqs/A-1.md", req("A-1", status="accepted", body="One.\nThree.\n"))
    repo.commit("Accept, say less")
    accepted, more, _added = load_history(repo.root, use_cache=False).events
    assert more.changes == (Change("body", added=1, removed=0),)
    assert [c.field for c in accepted.changes] == ["status", "body"]


def test_a_loaded_history_makes_events_only_when_asked_and_equals_one_made_whole(
    repo: GitRepo,
) -> None:
    """A history loaded from git or its cache makes its events on demand: the outline of a
    requirement's events (a page's key) and the summary (tombstones) make none, `for_id`
    makes that requirement's, and every answer equals the one of a history made whole."""
    # verifies: REQ-300
    # verifies: REQ-302
    repo.write("reqs/a/A-1.md", req("A-1"))
    repo.write("reqs/a/A-2.md", req("A-2"))
    repo.write("reqs/a/A-3.md", req("A-3"))
    repo.commit("Add (#1)")
    repo.mv("reqs/a/A-1.md", "reqs/b/A-9.md")
    repo.write("reqs/b/A-9.md", req("A-9", status="accepted"))  # renumbered and moved
    repo.git("rm", "-q", "reqs/a/A-3.md")
    repo.commit("Renumber A-1, drop A-3")
    repo.write("reqs/a/A-3.md", req("A-3", body="Back.\n"))  # recreated
    repo.write("reqs/a/A-2.md", req("A-2", status="accepted"))
    repo.commit("Merge pull request #7 from x/y")
    for use_cache in (False, True, True):  # from the walk, then written to and read from the cache
        lazy = load_history(repo.root, use_cache=use_cache)
        whole = load_history(repo.root, use_cache=False)
        whole = History(tuple(whole.events), True, whole.shallow, whole.head, whole.note)
        ids = ["A-1", "A-2", "A-3", "A-9", "NOPE"]
        for rid in ids:
            assert lazy.outline(rid) == whole.outline(rid)
            assert lazy.last_change(rid) == whole.last_change(rid)
            assert lazy.status_history(rid) == whole.status_history(rid)
            last = whole.last_change(rid)
            assert lazy.last_change_commit(rid) == (last.commit if last else None)
        assert lazy.summary() == whole.summary()
        for limit in (1, 2, 5):  # the change log's commits: only theirs made
            by_commit: dict[str, list[object]] = {}
            for event in whole.events:
                by_commit.setdefault(event.commit.sha, []).append(event)
            expected = [tuple(events) for events in by_commit.values()][:limit]
            assert lazy.newest_commits(limit) == whole.newest_commits(limit)
            assert lazy.newest_commits(limit) == (expected, 3)
        newest, renamed = lazy.summary()
        assert set(renamed) == {"A-1"} and newest["A-3"][1] == "added"
        assert lazy._events is None, (
            "an outline, a last change, the summary or the newest commits made them all"
        )
        assert lazy.event(renamed["A-1"]).id == "A-9"  # the event that renumbered A-1
        for rid in ids:
            assert lazy.for_id(rid) == whole.for_id(rid)
        assert [e.id for e in lazy.for_id("A-9")] == ["A-9", "A-1"]
        assert [status for _, status in lazy.status_history("A-2")[1]] == ["proposed", "accepted"]
        assert lazy._events is None
        made = lazy.for_id("A-9")[0]
        assert lazy.events == whole.events and lazy == whole
        assert made in lazy.events and any(e is made for e in lazy.events)  # made once
