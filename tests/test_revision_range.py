"""Unit tests of the revision-range grammar of `reqforge diff` (changeset.parse_revision_range)
and of its resolution in a real temporary git repository (corpus.resolve_revision_range)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.gitrepo import GitRepo

from reqforge.changeset import RevisionRange, parse_revision_range
from reqforge.corpus import resolve_revision_range
from reqforge.errors import ReqforgeError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("main..feature", RevisionRange("main", "feature")),
        ("v1.0..v2.0", RevisionRange("v1.0", "v2.0")),
        ("..feature", RevisionRange("HEAD", "feature")),
        ("main..", RevisionRange("main", "HEAD")),
        ("..", RevisionRange("HEAD", "HEAD")),
        ("main...feature", RevisionRange("main", "feature", merge_base=True)),
        ("main...", RevisionRange("main", "HEAD", merge_base=True)),
        ("...", RevisionRange("HEAD", "HEAD", merge_base=True)),
        ("HEAD", RevisionRange("HEAD")),
        ("v1.0", RevisionRange("v1.0")),
        ("HEAD~2", RevisionRange("HEAD~2")),
        # `...` is looked for first: four dots are a merge-base range whose head starts with "."
        ("a....b", RevisionRange("a", ".b", merge_base=True)),
    ],
)
def test_parse_revision_range(text: str, expected: RevisionRange) -> None:
    # verifies: REQ-304
    # verifies: REQ-309
    assert parse_revision_range(text) == expected


def test_a_single_revision_compares_with_the_working_tree() -> None:
    # verifies: REQ-304
    parsed = parse_revision_range("origin/main")
    assert parsed.head is None
    assert not parsed.merge_base
    assert str(parsed) == "origin/main"


# Revision names as git spells them: no "..", not starting or ending with "." (git refuses
# those in ref names), so a name never runs into the range separators.
NAMES = st.from_regex(r"[A-Za-z0-9_/~^-]([A-Za-z0-9_/~^.-]*[A-Za-z0-9_/~^-])?", fullmatch=True)
REVISION_NAMES = NAMES.filter(lambda name: ".." not in name)
RANGES = st.one_of(
    st.builds(RevisionRange, REVISION_NAMES),
    st.builds(RevisionRange, REVISION_NAMES, REVISION_NAMES, st.booleans()),
)


@given(RANGES)
def test_a_range_written_out_parses_back_to_itself(revisions: RevisionRange) -> None:
    # verifies: REQ-304
    assert parse_revision_range(str(revisions)) == revisions


@given(st.text(alphabet="ab.~^/", max_size=12))
def test_parsing_is_idempotent_on_any_text(text: str) -> None:
    # verifies: REQ-304
    # Whatever was typed, the parsed range written out means the same range again, and a
    # range never has an empty side (git's "an empty side is HEAD" is applied once, here).
    parsed = parse_revision_range(text)
    assert parse_revision_range(str(parsed)) == parsed
    if parsed.head is not None:
        assert parsed.base and parsed.head


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    home = tmp_path / "home"
    home.mkdir()
    repo = GitRepo(tmp_path / "repo", home)
    repo.write("reqs/A-1.md", "---\nid: A-1\ntitle: One\n---\n")
    repo.commit("first")
    return repo


def test_resolve_without_a_range_compares_head_with_the_working_tree(repo: GitRepo) -> None:
    # verifies: REQ-304
    assert resolve_revision_range(repo.root, None) == ("HEAD", None)


def test_resolve_without_a_range_prefers_origin_main(repo: GitRepo) -> None:
    # verifies: REQ-304
    repo.git("update-ref", "refs/remotes/origin/main", "HEAD")
    assert resolve_revision_range(repo.root, None) == ("origin/main", "HEAD")


def test_resolve_a_merge_base_range_gives_the_merge_base_sha(repo: GitRepo) -> None:
    # verifies: REQ-304
    fork = repo.git("rev-parse", "HEAD").strip()
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("reqs/A-2.md", "---\nid: A-2\ntitle: Two\n---\n")
    repo.commit("second")
    assert resolve_revision_range(repo.root, "main...feature") == (fork, "feature")
    assert resolve_revision_range(repo.root, "main..feature") == ("main", "feature")
    assert resolve_revision_range(repo.root, "main") == ("main", None)


def test_resolve_unrelated_histories_is_an_error(repo: GitRepo) -> None:
    # verifies: REQ-304
    repo.git("checkout", "-q", "--orphan", "other")
    repo.write("reqs/B-1.md", "---\nid: B-1\ntitle: Other\n---\n")
    repo.commit("unrelated")
    with pytest.raises(ReqforgeError, match=r"^main\.\.\.other: main and other have no common"):
        resolve_revision_range(repo.root, "main...other")
