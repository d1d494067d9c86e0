"""The requirement files of a revision, read from git (for `diff` and `check --base`)."""

# implements: REQ-304

from __future__ import annotations

from pathlib import Path

from reqforge.cache import CacheStore, dict_of, fixed
from reqforge.git import open_repository
from reqforge.loader import ParsedFile, parse_file


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


_HEADS = "tree-heads"  # cache name and key: blob id -> (id or "", status or "")
_HEADS_SHAPE = dict_of(str, fixed(str, str))


# implements: REQ-305
def tree_heads(
    root: Path, rev: str, reqs_dir: str = "reqs", use_cache: bool = True
) -> dict[str, tuple[str, str, str | None]]:
    """Every requirement at `rev`: ID -> (path, blob id, status), the ID being the front
    matter's `id` (else the file name's stem), the first path in path order for an ID two
    files claim.

    What `check --base` compares. Each blob is read and parsed once per clone: the
    `tree-heads` cache keeps its ID and status by blob id, so a base the clone has met before
    costs one `git ls-tree` (a pull request's base moves a few files at a time). The cache
    keeps the blobs of the last run's tree, so it never grows past one tree. Raises a GitError
    (exit 2) like `read_tree`.
    """
    repo = open_repository(Path(root))
    files = repo.tree_files(rev, reqs_dir)
    store = CacheStore(Path(root), enabled=use_cache)
    known = store.read(_HEADS, _HEADS, _HEADS_SHAPE) or {}  # (a disabled store reads none)
    unread = [sha for sha in dict.fromkeys(files.values()) if sha not in known]
    used = {sha: known[sha] for sha in files.values() if sha in known}
    for sha, raw in repo.read_blobs(unread).items():
        parsed = parse_file(raw)
        data = parsed.data if isinstance(parsed, ParsedFile) else {}
        named, status = data.get("id"), data.get("status")
        used[sha] = (
            named if isinstance(named, str) else "",
            status if isinstance(status, str) else "",
        )
    if used != known:
        store.write(_HEADS, _HEADS, used)
    found: dict[str, tuple[str, str, str | None]] = {}
    for path, sha in files.items():
        if sha not in used:
            continue  # not in the object store (a partial clone): as `read_tree` leaves it out
        named, status = used[sha]
        rid = named or path.rsplit("/", 1)[-1][:-3]
        found.setdefault(rid, (path, sha, status or None))
    return found
