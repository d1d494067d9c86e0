"""The requirement files of a revision, read from git (for `diff` and `check --base`)."""

# implements: REQ-304

from __future__ import annotations

from pathlib import Path

from reqforge.git import open_repository


# implements: REQ-304
# implements: REQ-305
# implements: REQ-309
def read_tree(root: Path, rev: str, reqs_dir: str = "reqs") -> dict[str, bytes]:
    """Every `*.md` file under `reqs_dir` at `rev`: repository-relative path -> bytes.

    One `git ls-tree` and one `git cat-file --batch`. Raises a GitError (exit 2) when `rev` is
    unknown, the folder is not a git repository, or git is missing.
    """
    repo = open_repository(Path(root))
    wanted = repo.tree_files(rev, reqs_dir)
    blobs = repo.read_blobs(wanted.values())
    return {path: blobs[sha] for path, sha in wanted.items() if sha in blobs}


# implements: REQ-305
def tree_paths(root: Path, rev: str, reqs_dir: str = "reqs") -> frozenset[str]:
    """The `*.md` paths under `reqs_dir` at `rev` (names only: no blob is read)."""
    return frozenset(open_repository(Path(root)).tree_files(rev, reqs_dir))
