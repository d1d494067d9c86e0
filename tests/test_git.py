"""The one door to git (reqforge/git.py) on real temporary repositories: discovery, the error
family and its notes, in-process HEAD, batched reads, and that nothing else reaches git."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tests.gitrepo import GitRepo, git_env

import reqforge
from reqforge import git as door
from reqforge.errors import ReqforgeError
from reqforge.history import load_history

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
PACKAGE = Path(reqforge.__file__).resolve().parent


def req(rid: str, status: str = "proposed") -> str:
    return f"---\nid: {rid}\ntitle: Export {rid}\ntype: functional\nstatus: {status}\n---\nBody.\n"


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    home = tmp_path / "home"
    home.mkdir()
    made = GitRepo(tmp_path / "repo", home)
    made.write("reqs/A-1.md", req("A-1"))
    made.commit("Add A-1")
    return made


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No search above tmp_path, and none of the machine's git configuration."""
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


# --- nothing else reaches git ---------------------------------------------------------------


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_only_the_door_imports_gitpython_or_starts_processes() -> None:
    # verifies: REQ-300
    offenders = {}
    for source in sorted(PACKAGE.rglob("*.py")):
        rel = source.relative_to(PACKAGE).as_posix()
        imported = _imports(source) & {"git", "subprocess"}
        if rel == "git.py":
            continue
        if imported:
            offenders[rel] = sorted(imported)
    assert offenders == {}, "only reqforge/git.py may import GitPython or subprocess"
    assert "git" in _imports(PACKAGE / "git.py")


def test_commands_that_need_no_git_never_import_gitpython(repo: GitRepo) -> None:
    # verifies: REQ-300
    probe = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from reqforge.cli.main import cli\n"
        f"result = CliRunner().invoke(cli, ['--repo', {str(repo.root)!r}, 'list'])\n"
        "assert result.exit_code == 0, result.output\n"
        "print('git' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"


# --- discovery ------------------------------------------------------------------------------


def test_discovery_from_a_subfolder_and_in_a_linked_worktree(repo: GitRepo, tmp_path: Path) -> None:
    # verifies: REQ-300
    opened = door.open_repository(repo.root / "reqs")
    assert opened.top == repo.root.resolve()
    assert opened.head() == repo.git("rev-parse", "HEAD")
    linked = tmp_path / "linked"
    repo.git("worktree", "add", "-q", "-b", "side", str(linked))
    assert (linked / ".git").is_file()  # a .git *file* pointing into the main repository
    in_worktree = door.open_repository(linked)
    assert in_worktree.top == linked.resolve()
    assert in_worktree.head() == repo.git("rev-parse", "HEAD")
    assert load_history(linked).available


def test_ceiling_directories_stop_the_search(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    # verifies: REQ-307
    inner = repo.root / "sub" / "deeper"
    inner.mkdir(parents=True)
    assert door.open_repository(inner).top == repo.root.resolve()
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(repo.root / "sub"))
    with pytest.raises(door.NotARepository):
        door.open_repository(inner)
    assert door.history_note(inner) == door.NOTE_NOT_GIT


def test_the_notes_of_each_state(
    repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # verifies: REQ-307
    assert door.history_note(repo.root) is None
    plain = tmp_path / "plain"
    plain.mkdir()
    assert door.history_note(plain) == door.NOTE_NOT_GIT
    empty = GitRepo(tmp_path / "empty", repo.home)
    assert door.history_note(empty.root) == door.NOTE_NO_COMMITS
    assert door.head_sha(empty.root) is None
    shallow = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo.root}", str(shallow)],
        check=True,
        env=git_env(repo.home, "2026-10-01T00:00:00+08:00"),
    )
    assert door.open_repository(shallow).shallow
    assert door.history_note(shallow) == door.NOTE_SHALLOW
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    assert door.history_note(repo.root) == door.NOTE_NO_GIT
    with pytest.raises(door.GitMissing):
        door.open_repository(repo.root)


def test_an_unknown_revision_names_itself_and_a_shallow_clone_says_why(
    repo: GitRepo, tmp_path: Path
) -> None:
    # verifies: REQ-304
    opened = door.open_repository(repo.root)
    with pytest.raises(door.UnknownRevision, match="unknown revision: nope"):
        opened.resolve("nope")
    first = repo.git("rev-parse", "HEAD")
    repo.write("reqs/A-2.md", req("A-2"))
    repo.commit("Add A-2")
    shallow = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo.root}", str(shallow)],
        check=True,
        env=git_env(repo.home, "2026-10-01T00:00:00+08:00"),
    )
    with pytest.raises(door.ShallowClone, match="fetch-depth: 0"):
        door.open_repository(shallow).resolve(first)
    for bad in ("--all", "", "a\nb"):
        with pytest.raises(ReqforgeError, match="not a valid revision"):
            opened.resolve(bad)


def test_dubious_ownership_is_refused_like_git_refuses_it(repo: GitRepo) -> None:
    # verifies: REQ-307
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("needs root to give the repository to another user")
    head = repo.git("rev-parse", "HEAD")
    os.chown(repo.root, 4242, 4242)
    git = subprocess.run(
        ["git", "-C", str(repo.root), "rev-parse", "HEAD"], capture_output=True, text=True
    )
    assert git.returncode != 0 and "dubious ownership" in git.stderr  # what git itself says
    with pytest.raises(door.DubiousOwnership, match=r"safe\.directory"):
        door.open_repository(repo.root)
    note = load_history(repo.root).note or ""
    assert "dubious ownership" in note and "history is absent" in note
    # Trusted as git trusts it: safe.directory in the global configuration.
    config = repo.home / "trust.gitconfig"
    config.write_text(f"[safe]\n\tdirectory = {repo.root}\n", encoding="utf-8")
    os.environ["GIT_CONFIG_GLOBAL"] = str(config)
    try:
        assert door.open_repository(repo.root).head() == head
        assert load_history(repo.root).available  # git's own commands agree: trusted
    finally:
        os.environ["GIT_CONFIG_GLOBAL"] = os.devnull


# --- reads ----------------------------------------------------------------------------------


def test_head_is_read_without_a_git_process(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    # verifies: REQ-602
    opened = door.open_repository(repo.root)
    calls: list[object] = []
    monkeypatch.setattr(door.GitRepository, "run", lambda *a, **k: calls.append(a))
    repo.git("pack-refs", "--all")  # packed refs are read too
    assert opened.head() == repo.git("rev-parse", "HEAD")
    assert calls == []


def test_batched_blob_reads_and_tree_listing(repo: GitRepo) -> None:
    # verifies: REQ-304
    repo.write("reqs/sub/B-1.md", req("B-1"))
    repo.write("reqs/notes.txt", "not a requirement")
    os.symlink("A-1.md", repo.root / "reqs" / "L-1.md")
    repo.commit("More")
    opened = door.open_repository(repo.root)
    files = opened.tree_files("HEAD", "reqs")
    assert list(files) == ["reqs/A-1.md", "reqs/sub/B-1.md"]  # no symlink, no .txt
    blobs = opened.read_blobs([*files.values(), "0" * 40])
    assert blobs[files["reqs/A-1.md"]] == req("A-1").encode()
    assert len(blobs) == 2  # a missing object is left out, not an error


def test_tags_and_remote_url(repo: GitRepo) -> None:
    # verifies: REQ-304
    first = repo.git("rev-parse", "HEAD")
    repo.git("tag", "v1.0")
    repo.write("reqs/A-2.md", req("A-2"))
    second = repo.commit("Add A-2")
    repo.git("tag", "-a", "v2.0", "-m", "Second baseline")
    repo.git("remote", "add", "origin", "https://example.com/acme/reqs.git")
    opened = door.open_repository(repo.root)
    assert opened.tags() == [("v1.0", first), ("v2.0", second)]
    assert opened.remote_url() == "https://example.com/acme/reqs.git"
    assert opened.remote_url("upstream") is None


def test_a_failing_command_is_one_git_error_with_a_note(repo: GitRepo) -> None:
    # verifies: REQ-307
    opened = door.open_repository(repo.root)
    with pytest.raises(door.GitCommandFailed) as caught:
        opened.run(["log", "--no-such-option"])
    assert isinstance(caught.value, ReqforgeError) and caught.value.exit_code == 2
    assert caught.value.note.startswith("git log failed: ")


def test_every_history_name_resolves_and_a_cached_check_needs_no_walk() -> None:
    # verifies: REQ-300
    import reqforge.history as history

    for name in history.__all__:
        value = getattr(history, name)
        assert not isinstance(value, type(history)), name  # never a module shadowing a name
    probe = (
        "import sys\n"
        "from reqforge.history import last_changes\n"
        "print(callable(last_changes), 'reqforge.history.walk' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["True", "False"]
