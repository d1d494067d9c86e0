"""What `reqforge serve` watches, and the stream of changes that call for a rebuild.

A build reads the requirements folder (with `customers.yaml`), `reqforge.toml`, the repository's
`templates/`, the trace sources and results when `[trace]` is configured, and git's HEAD and refs
(a commit or a tag changes the history pages). `watch_plan` turns a configuration into the
folders to watch; `is_relevant` (pure) says whether a changed path is one of those inputs, so the
site's own output folder, `.reqforge/` caches, editors' swap files and git's lock files never
start a rebuild.

Single files (`reqforge.toml`, git's `HEAD` and `packed-refs`) are watched through their folder,
without its sub-folders: editors and git replace a file by renaming a new one over it, and a
watch on the file itself would see only the first such change.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from reqforge.errors import ReqforgeError
from reqforge.i18n import Text
from reqforge.trace.files import SKIP_DIRS

if TYPE_CHECKING:
    from reqforge.config import Config

CONFIG_NAME = "reqforge.toml"
GIT_FILES = ("HEAD", "packed-refs")
# Characters that make a `trace.results` entry a glob: its folder is watched up to the first.
GLOB_CHARACTERS = frozenset("*?[")


@dataclass(frozen=True)
class WatchPlan:
    """The folders whose changes call for a rebuild.

    `trees` are watched with everything below them (hidden files, build folders and editors'
    temporary files excepted); `refs` likewise but as git writes them (lock files excepted);
    `folders` without their sub-folders, and only the names in `files` count there. Nothing
    under an `ignored` folder ever counts."""

    trees: tuple[Path, ...] = ()
    refs: tuple[Path, ...] = ()
    folders: tuple[Path, ...] = ()
    files: frozenset[Path] = frozenset()
    ignored: tuple[Path, ...] = ()

    @property
    def recursive(self) -> tuple[Path, ...]:
        return tuple(dict.fromkeys((*self.trees, *self.refs)))


def _absolute(path: Path) -> Path:
    return Path(os.path.abspath(path))


def _glob_base(pattern: str) -> str:
    """The folder part of a relative glob before its first wildcard (`reports/*.xml` ->
    `reports`); the pattern itself when it has none."""
    parts = pattern.replace(os.sep, "/").split("/")
    fixed: list[str] = []
    for part in parts:
        if GLOB_CHARACTERS.intersection(part):
            break
        fixed.append(part)
    return "/".join(fixed) or "."


def _git_folders(root: Path) -> tuple[Path, Path] | None:
    from reqforge.git import GitError, open_repository

    try:
        return open_repository(root).ref_folders
    except GitError:
        return None


# implements: REQ-525
def watch_plan(config: Config, output: Path) -> WatchPlan:
    """The folders a build of `config`'s repository into `output` reads. Each input is also
    watched as a name in its folder, so that one made, removed or replaced later (a new
    `templates/`) counts too; the plan is made again after every change, and watches what
    exists then."""
    root = _absolute(config.root)
    trees: list[Path] = []
    folders: list[Path] = []
    files: set[Path] = set()
    config_file = _absolute(config.path) if config.path is not None else root / CONFIG_NAME
    sources = [config_file, *(root / rel for rel in (config.reqs_dir, "templates"))]
    sources += [root / rel for rel in config.trace.scan]
    sources += [root / _glob_base(pattern) for pattern in config.trace.results]
    for path in map(_absolute, sources):
        if path.parent.is_dir():
            folders.append(path.parent)
            files.add(path)
        if path.is_dir():
            trees.append(path)
    refs: list[Path] = []
    git = _git_folders(config.root)
    if git is not None:
        git_dir, common_dir = (_absolute(p) for p in git)
        folders += [git_dir, common_dir]
        files.update(folder / name for folder in (git_dir, common_dir) for name in GIT_FILES)
        if (common_dir / "refs").is_dir():
            refs.append(common_dir / "refs")
    return WatchPlan(
        trees=tuple(dict.fromkeys(trees)),
        refs=tuple(refs),
        folders=tuple(dict.fromkeys(folders)),
        files=frozenset(files),
        ignored=(_absolute(output), root / ".reqforge"),
    )


def _temporary(name: str) -> bool:
    """An editor's or a tool's scratch file: hidden (`.REQ-1.md.swp`), a backup (`x~`), an
    Emacs lock (`#x#`), a compiled module."""
    return name.startswith((".", "#")) or name.endswith(("~", ".pyc")) or name == "4913"


# implements: REQ-525
def is_relevant(plan: WatchPlan, path: Path) -> bool:
    """Whether a change to `path` (absolute) can change what a build writes."""
    if any(path == folder or path.is_relative_to(folder) for folder in plan.ignored):
        return False
    for tree in plan.refs:
        if path.is_relative_to(tree):
            return not path.name.endswith(".lock")
    for tree in plan.trees:
        if path.is_relative_to(tree):
            below = path.relative_to(tree).parts
            return not any(_temporary(part) or part in SKIP_DIRS for part in below)
    return path in plan.files


class WatchError(ReqforgeError):
    """The file system watch stopped (a watched folder vanished, the system's limit of watches
    was reached): the server cannot know any more when to rebuild."""


@dataclass
class _Watchers:
    """The threads watching one plan; each puts the paths it saw into `changes`."""

    plan: WatchPlan
    changes: queue.Queue[set[Path] | BaseException]
    stop: threading.Event = field(default_factory=threading.Event)
    threads: list[tuple[threading.Thread, threading.Event]] = field(default_factory=list)

    def start(self) -> None:
        """Start watching; returns once every watch is in place (or after a few seconds), so
        that a change made from then on is seen."""
        for paths, recursive in ((self.plan.recursive, True), (self.plan.folders, False)):
            if paths:
                ready = threading.Event()
                thread = threading.Thread(
                    target=self._pump,
                    args=(paths, recursive, ready),
                    daemon=True,
                    name="reqforge-watch",
                )
                thread.start()
                self.threads.append((thread, ready))
        for _thread, ready in self.threads:
            ready.wait(timeout=5)

    def _pump(self, paths: tuple[Path, ...], recursive: bool, ready: threading.Event) -> None:
        import watchfiles

        def relevant(_change: watchfiles.Change, path: str) -> bool:
            return is_relevant(self.plan, Path(path))

        try:
            # With `yield_on_timeout` the first (empty) batch comes once the watches are in
            # place: that is when the watch is ready.
            for batch in watchfiles.watch(
                *paths,
                watch_filter=relevant,
                recursive=recursive,
                stop_event=self.stop,
                debounce=200,
                step=20,
                rust_timeout=100,
                yield_on_timeout=True,
                raise_interrupt=False,
            ):
                ready.set()
                if batch:
                    self.changes.put({Path(path) for _change, path in batch})
        except Exception as exc:  # reported by the consumer, in the main thread
            if not self.stop.is_set():
                self.changes.put(exc)
        finally:
            ready.set()

    def close(self) -> None:
        self.stop.set()
        for thread, _ready in self.threads:
            thread.join(timeout=2)


# implements: REQ-525
class ChangeFeed:
    """The changed inputs of a build, one batch per rebuild: a batch is complete once no
    further change has come for `debounce` seconds (or after ten times that, under a steady
    stream). The watches are in place when the feed is made; `refresh` after a rebuild
    watches a changed configuration's or a new `templates/` from then on. Iteration ends when
    `stop` is set; it raises WatchError when watching fails."""

    def __init__(
        self, plan_for: Callable[[], WatchPlan], *, debounce: float, stop: threading.Event
    ) -> None:
        self.plan_for = plan_for
        self.debounce = debounce
        self.stop = stop
        self.changes: queue.Queue[set[Path] | BaseException] = queue.Queue()
        self.plan = plan_for()
        self.watchers = _Watchers(self.plan, self.changes)
        self.watchers.start()

    def __iter__(self) -> Iterator[frozenset[Path]]:
        while not self.stop.is_set():
            batch = self._next_batch()
            if batch is not None:
                yield frozenset(batch)

    def refresh(self) -> None:
        """Make the plan again (after a rebuild, which may have read a new configuration or
        a new folder) and, if it changed, watch by the new one from now on."""
        plan = self.plan_for()
        if plan != self.plan:
            self.watchers.close()
            self.plan = plan
            self.watchers = _Watchers(plan, self.changes)
            self.watchers.start()

    def close(self) -> None:
        """Stop watching."""
        self.watchers.close()

    def _take(self, timeout: float) -> set[Path] | None:
        try:
            item = self.changes.get(timeout=timeout)
        except queue.Empty:
            return None
        if isinstance(item, BaseException):
            reason = Text("watching the repository stopped: {reason}", reason=item)
            raise WatchError(reason) from item
        return item

    def _next_batch(self) -> set[Path] | None:
        """The changes from the first one until a quiet spell of `debounce` seconds; None when
        nothing came within a fifth of a second (so that `stop` is looked at)."""
        batch = self._take(0.2)
        if batch is None:
            return None
        started = quiet_from = time.monotonic()
        limit = started + max(1.0, 10 * self.debounce)
        while not self.stop.is_set():
            wait = min(quiet_from + self.debounce, limit) - time.monotonic()
            if wait <= 0:
                break
            more = self._take(wait)
            if more is not None:
                batch |= more
                quiet_from = time.monotonic()
        return batch
