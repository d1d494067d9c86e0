"""The last change of each requirement's content (RF406's input), found by following each file
back only to its last change of content: the same answer as the full history walk's field
diffs, on a real repository with every kind of change."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.gitrepo import GitRepo

from reqforge.cache import CacheStore
from reqforge.git import open_repository
from reqforge.history.content_age import _from_history, _walk_back, last_changes


def _file(
    rid: str, title: str, status: str = "proposed", body: str = "Why.\n", **extra: str
) -> str:
    lines = [f"id: {rid}", f"title: {title}", "type: functional", f"status: {status}"]
    lines += [f"{key}: {value}" for key, value in extra.items()]
    return "---\n" + "\n".join(lines) + "\n---\n" + body


@pytest.fixture
def history(tmp_path: Path) -> tuple[GitRepo, dict[str, str]]:
    repo = GitRepo(tmp_path / "r", tmp_path / "home")
    shas: dict[str, str] = {}
    repo.write("reqs/A-1.md", _file("A-1", "Export CSV"))
    repo.write("reqs/A-2.md", _file("A-2", "Import CSV"))
    repo.write("reqs/A-3.md", _file("A-3", "Print"))
    repo.write("reqs/A-4.md", _file("A-4", "Archive"))
    repo.write("reqs/A-5.md", _file("A-5", "Search"))
    shas["added"] = repo.commit("add")
    repo.write("reqs/A-1.md", _file("A-1", "Export CSV", body="Why, in detail.\n"))
    shas["a1 body"] = repo.commit("A-1 body")
    repo.write(
        "reqs/A-1.md", _file("A-1", "Export CSV", status="accepted", body="Why, in detail.\n")
    )
    repo.write("reqs/A-2.md", _file("A-2", "Import CSV", status="accepted", owner="ann"))
    shas["bookkeeping"] = repo.commit("statuses and owners")
    # the same data, keys reordered (what `fmt` does): no change of content
    repo.write(
        "reqs/A-2.md",
        "---\ntitle: Import CSV\nid: A-2\nstatus: accepted\ntype: functional\nowner: ann\n"
        "---\nWhy.\n",
    )
    shas["reorder"] = repo.commit("fmt")
    repo.mv("reqs/A-3.md", "reqs/print/A-3.md")
    shas["rename"] = repo.commit("move A-3")
    repo.mv("reqs/A-4.md", "reqs/archive/A-4.md")
    repo.write("reqs/archive/A-4.md", _file("A-4", "Archive old orders"))
    shas["rename edit"] = repo.commit("move and retitle A-4")
    repo.git("checkout", "-q", "-b", "side")
    repo.write("reqs/A-5.md", _file("A-5", "Search by customer"))
    shas["side"] = repo.commit("side: A-5")
    repo.git("checkout", "-q", "main")
    repo.write("reqs/A-6.md", _file("A-6", "Delete"))
    shas["a6"] = repo.commit("add A-6")
    repo.git("merge", "-q", "--no-ff", "-m", "merge side", "side")
    repo.git("rm", "-q", "reqs/A-6.md")
    shas["delete"] = repo.commit("drop A-6")
    repo.write("reqs/A-6.md", _file("A-6", "Delete again"))
    shas["readd"] = repo.commit("A-6 back")
    repo.write(
        "reqs/A-1.md",
        _file("A-1", "Export CSV", status="done", body="Why, in detail.\n", tags="[csv]"),
    )
    shas["latest"] = repo.commit("A-1 done")
    return repo, shas


def test_each_requirement_dates_from_its_last_change_of_content(
    history: tuple[GitRepo, dict[str, str]],
) -> None:
    # verifies: REQ-404
    repo, shas = history
    ages = last_changes(repo.root, "reqs", use_cache=False)
    found = {rid: sha for rid, (_, sha) in ages.items()}
    assert found == {
        "A-1": shas["a1 body"],  # status, tags: bookkeeping
        "A-2": shas["added"],  # status, owner, key order: nothing it says
        "A-3": shas["added"],  # moved as it was
        "A-4": shas["rename edit"],
        "A-5": shas["side"],  # brought in by a merge
        "A-6": shas["readd"],
    }
    # ages order the commits newest first
    assert ages["A-6"][0] < ages["A-4"][0] < ages["A-1"][0] < ages["A-2"][0]


def test_the_short_walk_agrees_with_the_full_history_walk(
    history: tuple[GitRepo, dict[str, str]],
) -> None:
    # verifies: REQ-404
    # verifies: REQ-610
    repo, _ = history
    git = open_repository(repo.root)
    full = _from_history(repo.root, "reqs", CacheStore(repo.root, enabled=False))
    assert _walk_back(git, "reqs", git.head() or "") == full


def test_a_broken_file_changes_nothing_the_walk_can_see(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "r", tmp_path / "home")
    repo.write("reqs/A-1.md", _file("A-1", "Export"))
    first = repo.commit("add")
    repo.write("reqs/A-1.md", "no front matter at all\n")
    repo.commit("break it")
    repo.write("reqs/A-1.md", _file("A-1", "Export"))
    repo.commit("mend it")
    git = open_repository(repo.root)
    full = _from_history(repo.root, "reqs", CacheStore(repo.root, enabled=False))
    assert _walk_back(git, "reqs", git.head() or "") == full
    # the break and the mend are no content change the walk can dates from its start
    assert full["A-1"][1] == first


def test_a_walk_begun_in_the_background_gives_the_same_answer(
    history: tuple[GitRepo, dict[str, str]],
) -> None:
    # verifies: REQ-404
    from reqforge.history import content_age
    from reqforge.parallel import can_fork, cpu_count

    if cpu_count() < 2 or not can_fork():
        pytest.skip("the walk starts in the background only with two cores and fork")
    repo, _ = history
    expected = last_changes(repo.root, "reqs", use_cache=False)
    with content_age.walking_back(repo.root, "reqs"):  # nothing cached yet: it starts
        assert len(content_age._PENDING) == 1
        assert last_changes(repo.root, "reqs") == expected
        assert not content_age._PENDING  # taken, and the answer cached for this HEAD
        assert not content_age.start(repo.root, "reqs")


def test_a_walk_nobody_took_is_not_left_running(history: tuple[GitRepo, dict[str, str]]) -> None:
    from reqforge.history import content_age

    repo, _ = history
    with pytest.raises(RuntimeError), content_age.walking_back(repo.root, "reqs"):
        raise RuntimeError("the command failed before RF406")
    assert not content_age._PENDING


def test_the_id_is_read_from_the_front_matter_only() -> None:
    from reqforge.history.content_age import _id_in

    assert _id_in(b"---\nid: A-1\ntitle: T\n---\nBody\n") == "A-1"
    assert _id_in(b"---\ntitle: T\nid: 'A-2'\n---\n") == "A-2"  # quoted: the parse reads it
    assert _id_in(b"---\ntitle: No id\n---\nid: B-9\n") is None  # a body line is no field
    assert _id_in(b"no front matter\nid: C-1\n") is None


def test_a_first_import_reads_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # verifies: REQ-404
    # One commit touched the requirements: every age is the same and no link can be suspect,
    # so the walk reads no file's version; a second commit walks as usual.
    from reqforge.git import GitRepository

    repo = GitRepo(tmp_path / "r", tmp_path / "home")
    repo.write("reqs/A-1.md", _file("A-1", "Export"))
    repo.write("reqs/A-2.md", _file("A-2", "Import", links="{depends-on: [A-1]}"))
    first = repo.commit("import")
    read: list[str] = []
    real = GitRepository.read_blobs

    def reading(self: GitRepository, shas: object) -> dict[str, bytes]:
        wanted = list(shas)  # type: ignore[call-overload]
        read.extend(wanted)
        return real(self, wanted)

    monkeypatch.setattr(GitRepository, "read_blobs", reading)
    assert last_changes(repo.root, use_cache=False) == {}
    assert read == []
    repo.write("reqs/A-1.md", _file("A-1", "Export CSV"))
    second = repo.commit("retitle A-1")
    assert last_changes(repo.root, use_cache=False) == {"A-1": (0, second), "A-2": (1, first)}


def test_a_build_takes_the_ages_from_the_history_it_walks(
    history: tuple[GitRepo, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # verifies: REQ-404
    # Inside `remembered()` (a build, which walks the whole history for its pages anyway) the
    # ages come from that history: the short walk does not run a second time.
    from reqforge.history import content_age
    from reqforge.history.walk import remembered

    repo, _ = history
    expected = _from_history(repo.root, "reqs", CacheStore(repo.root, enabled=False))

    def no_second_walk(*args: object) -> None:
        raise AssertionError("the short walk ran inside a build")

    monkeypatch.setattr(content_age, "_walk_back", no_second_walk)
    with remembered():
        assert last_changes(repo.root, use_cache=False) == expected
