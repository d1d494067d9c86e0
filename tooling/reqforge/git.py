"""The one door to git, on GitPython: discovery, revisions, the one-pass log, batched blob reads.

Nothing else in reqforge imports GitPython or starts a git process. Every failure comes out as one
`GitError` family (exit code 2 in the CLI), and each member knows the note a command prints when
history is merely absent (`GitError.note`), so "outside git", "git missing", "dubious ownership"
and "shallow clone" read the same in every command.

* Discovery is `git.Repo` on the folder found by walking up from the requirements root, as git
  does: a `.git` folder or file (linked worktrees, submodules), never above a
  `GIT_CEILING_DIRECTORIES` entry. A repository owned by another user is refused unless git's
  `safe.directory` trusts it, as git itself refuses it ("dubious ownership").
* HEAD and refs are read by GitPython in-process (no git process on a cached run); `rev-parse`,
  `log`, `ls-tree`, `ls-files`, `merge-base` and `cat-file --batch` run through GitPython's
  command runner with one environment: C locale, no prompts, no optional locks, no pager.
* Blobs are read by ONE `git cat-file --batch --buffer` per call, not one request per object
  (GitPython's object database asks per object: ~30% slower on a 5,000-commit history).
* GitPython is imported on first use, with `GIT_PYTHON_REFRESH=quiet`, so a machine without git
  gets `GitMissing` (the "history is absent" note) instead of an ImportError. Importing it costs
  ~0.06 s, so commands that need no git never do.
"""

# implements: REQ-300
# implements: REQ-307

from __future__ import annotations

import hashlib
import os
import posixpath
import re
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from reqforge.errors import ReqforgeError
from reqforge.i18n import Text

# Notes are `Text`s: the command that prints one says it in the configured language.
NOTE_NOT_GIT = Text("not a git repository: history is absent")
NOTE_NO_COMMITS = Text("no commits yet: history is absent")
NOTE_NO_GIT = Text("git was not found on PATH: history is absent")
NOTE_SHALLOW = Text(
    "shallow clone: history is partial; fetch with fetch-depth: 0 "
    "(actions/checkout) or run git fetch --unshallow"
)

# Settings for every git process: output we can parse whatever the user's configuration says.
_CONFIG = (
    "-c", "log.showSignature=false",  # signature lines would break the log format
    "-c", "log.showRoot=true",  # the root commit's files are "added"
    "-c", "core.quotePath=false",
    "-c", "diff.relative=false",  # --relative is passed where it is meant
)  # fmt: skip
_ENV = {
    "LC_ALL": "C",
    "LANGUAGE": "C",
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_OPTIONAL_LOCKS": "0",  # reading must never take (or wait for) the index lock
    "GIT_PAGER": "cat",
}


# --------------------------------------------------------------------------------------------
# The error family


class GitError(ReqforgeError):
    """git could not answer; `note` is what a command says when history is absent for this
    reason (it continues without history), `str(error)` what it says when it cannot go on."""

    note: str = Text("git cannot read this repository: history is absent")


class NotARepository(GitError):
    note = NOTE_NOT_GIT


class GitMissing(GitError):
    note = NOTE_NO_GIT

    def __init__(self) -> None:
        super().__init__(Text("git was not found on PATH"))


class DubiousOwnership(GitError):
    """The repository belongs to another user and git's `safe.directory` does not trust it."""

    def __init__(self, top: str) -> None:
        problem = Text(
            "detected dubious ownership in repository at '{top}': it belongs to another user; "
            "to trust it run: git config --global --add safe.directory '{top}'",
            top=top,
        )
        super().__init__(problem)
        self.top = top
        self.note = Text(
            "git cannot read this repository: history is absent ({problem})", problem=problem
        )


class UnknownRevision(GitError):
    def __init__(self, rev: str, detail: str = "") -> None:
        super().__init__(Text("unknown revision: {rev}{detail}", rev=rev, detail=detail))
        self.rev = rev


class ShallowClone(UnknownRevision):
    """A revision that a shallow clone does not hold (it may exist upstream)."""

    note = NOTE_SHALLOW

    def __init__(self, rev: str) -> None:
        super().__init__(rev, Text(" (this is a shallow clone: {note})", note=NOTE_SHALLOW))


class GitCommandFailed(GitError):
    def __init__(self, command: str, stderr: str, status: int | None) -> None:
        first = (
            stderr.strip().splitlines()[0]
            if stderr.strip()
            else Text("exit code {status}", status=status)
        )
        failed = Text("git {command} failed: {problem}", command=command, problem=first)
        super().__init__(failed)
        self.note = failed
        self.stderr = stderr


def check_revision(rev: str) -> None:
    """Refuse what git would read as an option or that cannot be a revision (exit 2)."""
    if not rev or rev.startswith("-") or "\x00" in rev or "\n" in rev:
        raise ReqforgeError(Text("not a valid revision: {rev!r}", rev=rev))


# --------------------------------------------------------------------------------------------
# Opening a repository


def _gitpython() -> ModuleType:
    """GitPython, imported on first use. Its import runs `git version` and, without git, would
    raise ImportError unless told to stay quiet."""
    os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")
    import git

    return git


def _ceilings() -> set[str]:
    raw = os.environ.get("GIT_CEILING_DIRECTORIES", "")
    return {os.path.realpath(entry) for entry in raw.split(os.pathsep) if os.path.isabs(entry)}


def discover_top(root: Path) -> str | None:
    """The nearest folder at or above `root` holding `.git` (a folder, or a file as in linked
    worktrees and submodules), without climbing into a `GIT_CEILING_DIRECTORIES` entry."""
    path = os.path.realpath(root)
    ceilings = _ceilings()
    while True:
        if os.path.lexists(os.path.join(path, ".git")):
            return path
        parent = os.path.dirname(path)
        if parent == path or parent in ceilings:
            return None
        path = parent


def _trusted(top: str, gitpython: ModuleType) -> bool:
    """git's ownership rule: the work tree belongs to us (or to the user who ran sudo), or a
    `safe.directory` entry of the global or system configuration names it (or is `*`)."""
    geteuid = getattr(os, "geteuid", None)
    if geteuid is None:  # Windows: git checks ACLs there; leave it to git's own commands
        return True
    try:
        owner = os.stat(top).st_uid
    except OSError:
        return True
    uid = geteuid()
    if owner == uid:
        return True
    sudo_uid = os.environ.get("SUDO_UID", "")
    if uid == 0 and sudo_uid.isdigit() and int(sudo_uid) == owner:
        return True
    trusted: list[str] = []
    for config_file in _user_config_files(gitpython):
        try:
            reader = gitpython.GitConfigParser(config_file, read_only=True)
            trusted.extend(str(value) for value in reader.get_values("safe", "directory"))
        except Exception:
            continue
    real = os.path.realpath(top)
    for entry in trusted:
        if entry == "*":
            return True
        if entry.endswith("/*") and (real + "/").startswith(os.path.realpath(entry[:-2]) + "/"):
            return True
        if os.path.realpath(entry) == real:
            return True
    return False


def _user_config_files(gitpython: ModuleType) -> list[str]:
    """The system and global configuration files git reads (where `safe.directory` may be)."""
    get_path = gitpython.config.get_config_path
    files: list[str] = []
    if not os.environ.get("GIT_CONFIG_NOSYSTEM"):
        files.append(os.environ.get("GIT_CONFIG_SYSTEM") or get_path("system"))
    if os.environ.get("GIT_CONFIG_GLOBAL"):
        files.append(os.environ["GIT_CONFIG_GLOBAL"])
    else:
        files += [get_path("user"), get_path("global")]
    return [path for path in files if path and os.path.isfile(path)]


# implements: REQ-300
def open_repository(root: Path) -> GitRepository:
    """The git repository holding `root`. Raises GitMissing, NotARepository or
    DubiousOwnership."""
    gitpython = _gitpython()
    executable = gitpython.Git.GIT_PYTHON_GIT_EXECUTABLE or "git"
    if shutil.which(executable) is None:
        raise GitMissing()
    if not os.path.isdir(root):
        raise NotARepository(Text("{root}: not a git repository (no such folder)", root=root))
    top = discover_top(root)
    if top is None:
        raise NotARepository(Text("{root}: not a git repository", root=root))
    try:
        repo = gitpython.Repo(top)
    except (gitpython.InvalidGitRepositoryError, gitpython.NoSuchPathError, OSError):
        raise NotARepository(Text("{root}: not a git repository", root=root)) from None
    if not _trusted(top, gitpython):
        raise DubiousOwnership(top)
    return GitRepository(Path(root), repo, gitpython, executable)


def blob_id(raw: bytes, like: str) -> str:
    """The id git gives a blob of these bytes, in the object format of the id `like` (SHA-1,
    or SHA-256 for a 64-digit id): equal ids mean equal bytes, without reading the blob."""
    digest = hashlib.sha256() if len(like) == 64 else hashlib.sha1(usedforsecurity=False)
    digest.update(b"blob %d\x00" % len(raw))
    digest.update(raw)
    return digest.hexdigest()


class GitRepository:
    """One opened repository. Commands run in `root` (the requirements root, which may be a
    folder below the work tree's top: pathspecs and `--relative` are taken from there)."""

    def __init__(self, root: Path, repo: Any, gitpython: ModuleType, executable: str) -> None:
        self.root = root
        self._repo = repo
        self._gitpython = gitpython
        self._executable = executable

    # --- state read in-process ---------------------------------------------------------------

    @property
    def top(self) -> Path:
        """The work tree's top folder."""
        return Path(self._repo.working_tree_dir or self.root)

    @property
    def shallow(self) -> bool:
        """True in a shallow clone (git keeps the cut-off commits in `<common dir>/shallow`)."""
        return os.path.isfile(os.path.join(self._repo.common_dir, "shallow"))

    @property
    def ref_folders(self) -> tuple[Path, Path]:
        """Where git keeps HEAD (the git dir, one per linked worktree) and the refs and
        `packed-refs` (the common dir, shared by linked worktrees); one folder in a plain
        clone. A commit or a tag changes a file in one of them."""
        return Path(self._repo.git_dir), Path(self._repo.common_dir)

    def head(self) -> str | None:
        """The commit HEAD names, or None before the first commit. Read from the ref files
        in-process; a ref store GitPython cannot read (reftable) falls back to `rev-parse`."""
        symbolic = self._gitpython.SymbolicReference
        try:
            sha = symbolic.dereference_recursive(self._repo, "HEAD")
        except (ValueError, OSError):
            sha = None
        if isinstance(sha, str) and len(sha) in (40, 64):
            return sha
        try:
            return self.resolve("HEAD")
        except UnknownRevision:
            return None

    def tags(self) -> list[tuple[str, str]]:
        """(tag name, commit sha) for every tag that names a commit, sorted by name."""
        out = self.run(["for-each-ref", "--format=%(refname:strip=2)%00%(*objectname)%00"
                        "%(objectname)%00%(objecttype)%00%(*objecttype)", "refs/tags"])  # fmt: skip
        tags: list[tuple[str, str]] = []
        for line in _text(out).splitlines():
            name, peeled, sha, kind, peeled_kind = (line.split("\x00") + [""] * 5)[:5]
            if kind == "commit":
                tags.append((name, sha))
            elif kind == "tag" and peeled_kind == "commit":
                tags.append((name, peeled))
        return sorted(tags)

    def remote_url(self, name: str = "origin") -> str | None:
        """The URL of a remote from the repository's configuration, or None."""
        try:
            return str(self._repo.config_reader().get_value(f'remote "{name}"', "url"))
        except Exception:
            return None

    # --- commands ----------------------------------------------------------------------------

    def run(self, args: Sequence[str], stdin: bytes | None = None) -> bytes:
        """One git command in `root`: its stdout. Raises the GitError that its failure means."""
        command = [self._executable, "--literal-pathspecs", "-C", str(self.root), *_CONFIG, *args]
        runner = self._repo.git
        errors = self._gitpython.exc
        try:
            if stdin is None:
                status, out, err = runner.execute(
                    command,
                    with_extended_output=True,
                    with_exceptions=False,
                    stdout_as_string=False,
                    strip_newline_in_stdout=False,
                    env=_ENV,
                )
            else:
                # `communicate` writes the request while reading the answer: no deadlock on
                # full pipes, however large the batch.
                handle = runner.execute(command, istream=subprocess.PIPE, as_process=True, env=_ENV)
                out, err = handle.proc.communicate(stdin)
                status = handle.proc.returncode
        except errors.GitCommandNotFound:
            raise GitMissing() from None
        except OSError as exc:
            raise GitCommandFailed(args[0], exc.strerror or str(exc), None) from None
        if status != 0:
            raise _failure(args[0], err if isinstance(err, bytes) else str(err).encode(), status)
        return bytes(out)

    def resolve(self, rev: str) -> str:
        """The full sha of the commit `rev` names. UnknownRevision (ShallowClone when this clone
        is shallow, so the commit may be missing only here)."""
        check_revision(rev)
        try:
            out = self.run(["rev-parse", "--verify", "-q", "--end-of-options", f"{rev}^{{commit}}"])
        except GitCommandFailed:
            if self.shallow and rev != "HEAD":
                raise ShallowClone(rev) from None
            hint = Text(" (the repository has no commits yet)") if rev == "HEAD" else ""
            raise UnknownRevision(rev, hint) from None
        return _text(out).strip()

    def merge_base(self, a: str, b: str = "HEAD") -> str | None:
        """The best common ancestor of two revisions, or None when they share none."""
        check_revision(a)
        check_revision(b)
        try:
            return _text(self.run(["merge-base", a, b])).strip() or None
        except GitCommandFailed:
            return None

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        """True when `ancestor` is `descendant` or one of its ancestors (False when unknown)."""
        check_revision(ancestor)
        check_revision(descendant)
        try:
            self.run(["merge-base", "--is-ancestor", ancestor, descendant])
        except GitCommandFailed:
            return False
        return True

    def commits_between(self, rev: str, head: str = "HEAD") -> frozenset[str]:
        """The commits reachable from `head` but not from `rev` (`git rev-list rev..head`)."""
        check_revision(rev)
        check_revision(head)
        try:
            out = self.run(["rev-list", f"{rev}..{head}", "--"])
        except GitCommandFailed as exc:
            if self.shallow:
                raise ShallowClone(rev) from None
            raise UnknownRevision(rev, f" ({_first_line(exc.stderr)})") from None
        return frozenset(_text(out).split())

    def reachable(self, rev: str) -> frozenset[str]:
        """Every commit reachable from `rev`, itself included (`git rev-list rev`)."""
        check_revision(rev)
        try:
            out = self.run(["rev-list", rev, "--"])
        except GitCommandFailed as exc:
            raise UnknownRevision(rev, f" ({_first_line(exc.stderr)})") from None
        return frozenset(_text(out).split())

    def tree_files(self, rev: str, folder: str, suffix: str = ".md") -> dict[str, str]:
        """Regular files (no symlinks, no submodules) under `folder` at `rev` whose names end
        with `suffix`: repository-relative path -> blob sha, sorted by path."""
        check_revision(rev)
        try:
            listing = self.run(["ls-tree", "-r", "-z", f"{rev}^{{tree}}", "--", folder])
        except GitCommandFailed as exc:
            if self.shallow:
                raise ShallowClone(rev) from None
            raise UnknownRevision(rev, f" ({_first_line(exc.stderr)})") from None
        files: dict[str, str] = {}
        for item in listing.split(b"\x00"):
            meta, tab, name = item.partition(b"\t")
            if not tab:
                continue
            mode, kind, sha = meta.split(b" ")
            path = _text(name)
            if kind == b"blob" and mode != b"120000" and path.endswith(suffix):
                files[path] = sha.decode("ascii")
        return dict(sorted(files.items()))

    def read_blobs(self, shas: Iterable[str]) -> dict[str, bytes]:
        """Blob contents by sha from ONE `git cat-file --batch --buffer` (missing ones left out).

        Asked for in the order given: a file's versions newest first let git's delta base cache
        hold the base of the next one. In sha order, 13,662 versions of 44 KB documents took
        git 42 s (every version rebuilt along its delta chain); in log order 2.9 s."""
        wanted = list(dict.fromkeys(shas))
        if not wanted:
            return {}
        request = "".join(f"{sha}\n" for sha in wanted).encode("ascii")
        out = self.run(["cat-file", "--batch", "--buffer"], stdin=request)
        blobs: dict[str, bytes] = {}
        position = 0
        size_out = len(out)
        while position < size_out:
            eol = out.find(b"\n", position)
            if eol == -1:
                break
            header = out[position:eol].split(b" ")
            position = eol + 1
            if len(header) != 3:  # "<sha> missing" (or ambiguous): nothing follows
                continue
            size = int(header[2])
            if header[1] == b"blob":
                blobs[header[0].decode("ascii")] = out[position : position + size]
            position += size + 1  # the content is followed by a newline
        return blobs

    def stored_shas(self, paths: Iterable[str]) -> dict[str, str]:
        """The blob sha git would store for each working-tree file of `paths` (relative to
        `root`), as `git add` would: after `core.autocrlf`, `eol` and clean filters. ONE `git
        hash-object --stdin-paths`; nothing is written. A name holding a newline (which the
        request cannot carry) is left out."""
        wanted = sorted(path for path in set(paths) if "\n" not in path and "\r" not in path)
        if not wanted:
            return {}
        request = b"".join(os.fsencode(path) + b"\n" for path in wanted)
        out = self.run(["hash-object", "--stdin-paths"], stdin=request)
        shas = _text(out).split()
        return dict(zip(wanted, shas, strict=True)) if len(shas) == len(wanted) else {}

    def raw_log(self, revs: Sequence[str], folder: str, log_format: str) -> bytes:
        """ONE `git log --raw -z` over `revs`, limited to `folder` (relative to `root`): every
        reachable commit in `log_format`, each followed by its raw diff entries with full blob
        names and rename detection, their paths relative to `folder`. `--full-history
        --sparse` lists every commit, also those that touch nothing under `folder`, so the
        commit graph is complete.

        The folder is given as `--relative=<folder>`, not as a pathspec: git then compares
        unchanged entries by name alone, where a pathspec is matched against every entry of
        every tree it compares (a quarter of git's time on folders of 1,250 files)."""
        return self.run(
            [
                "log",
                "--full-history",
                "--sparse",
                "--raw",
                "-z",
                "-M",
                "--no-abbrev",
                "--no-color",
                "--no-ext-diff",
                "--no-textconv",
                self._relative(folder),
                log_format,
                *revs,
            ]
        )

    def _relative(self, folder: str) -> str:
        """`--relative=<path>` for `folder` (relative to `root`): git takes that path from the
        work tree's top."""
        here = os.path.relpath(os.path.realpath(self.root), os.path.realpath(self.top))
        inside = posixpath.normpath(posixpath.join(here.replace(os.sep, "/"), folder))
        if inside == ".":
            return "--relative"  # `root` is the top: every path, as they are
        return f"--relative={inside}/"

    def list_files(self, folders: Sequence[str]) -> list[str]:
        """Tracked and untracked-but-not-ignored files under `folders` (relative to `root`)."""
        out = self.run(["ls-files", "-co", "--exclude-standard", "-z", "--", *folders])
        return [os.fsdecode(path) for path in out.split(b"\x00") if path]


def _failure(command: str, stderr: bytes, status: int | None) -> GitError:
    text = stderr.decode("utf-8", "replace")
    lowered = text.lower()
    if "dubious ownership" in lowered:
        match = re.search(r"repository at '([^']*)'", text)
        return DubiousOwnership(match.group(1) if match else "?")
    if "not a git repository" in lowered:
        return NotARepository(_first_line(text))
    return GitCommandFailed(command, text, status)


def _first_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0] if lines else ""


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


# --------------------------------------------------------------------------------------------
# Root-based shortcuts for commands that ask one question


# implements: REQ-307
def history_note(root: Path) -> str | None:
    """Why history is partial (a shallow clone) or absent (outside git, no commits, no git,
    dubious ownership), or None when it is whole. Reads files only: no git process."""
    try:
        repo = open_repository(root)
    except GitError as exc:
        return exc.note
    if repo.shallow:
        return NOTE_SHALLOW
    if repo.head() is None:
        return NOTE_NO_COMMITS
    return None


def head_sha(root: Path, rev: str = "HEAD") -> str | None:
    """The commit `rev` names, or None outside git (or without git, commits, or such a commit).
    HEAD is read in-process; another revision asks `git rev-parse`."""
    try:
        repo = open_repository(root)
        return repo.head() if rev == "HEAD" else repo.resolve(rev)
    except GitError:
        return None


def resolve_revision(root: Path, rev: str) -> str:
    """The full sha of the commit `rev` names; a GitError (exit 2) naming why it names none."""
    return open_repository(root).resolve(rev)


def merge_base(root: Path, a: str, b: str = "HEAD") -> str | None:
    """The best common ancestor of two revisions, or None (none shared, or no repository)."""
    check_revision(a)
    check_revision(b)
    try:
        return open_repository(root).merge_base(a, b)
    except GitError:
        return None


def is_ancestor(root: Path, ancestor: str, descendant: str) -> bool:
    """True when `ancestor` is `descendant` or one of its ancestors (False when either is
    unknown, or outside git)."""
    check_revision(ancestor)
    check_revision(descendant)
    try:
        return open_repository(root).is_ancestor(ancestor, descendant)
    except GitError:
        return False


def commits_since(root: Path, rev: str, head: str = "HEAD") -> frozenset[str]:
    """The commits reachable from `head` but not from `rev` (what `log --since REV` shows).
    UnknownRevision for an unknown `rev`; outside git (or without git) the set is empty."""
    check_revision(rev)
    try:
        repo = open_repository(root)
    except GitError:
        return frozenset()
    return repo.commits_between(rev, head)
