"""Run a function over chunks of work in forked worker processes (both cores), or one job in
the background while this process goes on.

Results travel back through a pipe as `marshal` data, the fastest serialisation for plain
Python values. Where `fork` is unavailable (Windows) or the work is small, everything runs in
this process. A worker that fails is redone here, so a crash can cost time, never results.
A `Background` job keeps one core for itself while it runs: `parallel_map` shares its work
out to the others.
"""

from __future__ import annotations

import heapq
import marshal
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

MIN_ITEMS_PER_WORKER = 400  # below this, forking costs more than it saves
PROGRESS_BATCH = 250  # items between two progress reports from this process
SLICE = 1_000  # items shared out at once while a background job holds a core


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    return hasattr(os, "fork") and sys.platform != "win32"


def worker_count(items: int) -> int:
    """How many processes `parallel_map` shares `items` items out to (1: it runs in this one):
    one per core, less the cores `Background` jobs hold."""
    if not can_fork():
        return 1
    cores = cpu_count() - sum(1 for job in list(_RUNNING) if job.running())
    return max(1, min(cores, 8, items // MIN_ITEMS_PER_WORKER))


class Background:
    """`func()` in a forked child process while this one goes on. Its result is what it
    leaves behind (a cache file; `wait()` says whether it finished) or, with `answer=True`,
    its marshal-able return value (`result()`). The child prints nothing, runs no exit
    handlers and never raises into this process; it holds one core until it ends, so
    `parallel_map` forks fewer workers meanwhile."""

    def __init__(self, func: Callable[[], Any], answer: bool = False) -> None:
        self.status: int | None = None
        self.owner = os.getpid()  # only this process can wait for the child
        read_fd, write_fd = os.pipe() if answer else (-1, -1)
        self.pid = os.fork()
        if self.pid == 0:  # pragma: no cover - runs in the child; covered by its effects
            status = 1
            try:
                value = func()
                if answer:
                    os.close(read_fd)
                    with os.fdopen(write_fd, "wb") as pipe:
                        pipe.write(marshal.dumps(value))
                status = 0
            finally:
                os._exit(status)
        if answer:
            os.close(write_fd)
        self._answer = read_fd
        _RUNNING.append(self)

    def result(self) -> Any:
        """The value `func` returned (`answer=True`), or None when it failed: read once, after
        which the child has ended."""
        data = b""
        if self._answer >= 0:
            with os.fdopen(self._answer, "rb") as pipe:
                data = pipe.read()
            self._answer = -1
        if not self.wait() or not data:
            return None
        try:
            return marshal.loads(data)
        except (EOFError, ValueError, TypeError):
            return None

    def running(self) -> bool:
        return self._reap(os.WNOHANG)

    def wait(self) -> bool:
        """Wait for the child to end: True when `func` returned (False in a process that did
        not start it, such as a worker forked meanwhile). An answer nobody read is dropped
        first: a child writing more than the pipe holds would otherwise wait for a reader
        forever, and so would this process for the child."""
        if self._answer >= 0 and os.getpid() == self.owner:
            os.close(self._answer)
            self._answer = -1
        self._reap(0)
        return self.status == 0

    def _reap(self, flags: int) -> bool:
        """`waitpid` the child once it has ended, recording its exit status; True while it
        runs. Only the process that started it asks (a worker forked meanwhile cannot)."""
        if self.status is None and os.getpid() == self.owner:
            try:
                pid, status = os.waitpid(self.pid, flags)
            except ChildProcessError:  # reaped elsewhere: taken as failed
                pid, status = self.pid, 1 << 8
            if pid == 0:
                return True
            self.status = os.waitstatus_to_exitcode(status)
            if self in _RUNNING:
                _RUNNING.remove(self)
        return False


_RUNNING: list[Background] = []  # the background jobs of this process not known to be done


# implements: REQ-601
def parallel_map(
    func: Callable[[Sequence[T]], list[Any]],
    items: Sequence[T],
    progress: Callable[[int], None] | None = None,
    weights: Sequence[int] | None = None,
) -> list[Any]:
    """`func(items)` computed over interleaved chunks in parallel; results in input order.

    `func` maps a chunk to a list of marshal-able values, one per item (item by item: a chunk's
    result is the concatenation of its parts' results). `progress(done)` is called now and then
    with an estimate of the items done: this process works through its own chunk in batches and
    counts for every worker, since the interleaved chunks cost about the same. `weights`: what
    each item costs, in items of the usual kind, when some cost far more than others (a few
    heavy items are worth a worker each; the chunks are then balanced by weight).
    """
    if any(job.running() for job in list(_RUNNING)) and len(items) >= 2 * SLICE:
        return _in_slices(func, items, progress, weights)
    workers = worker_count(len(items) if weights is None else sum(weights))
    workers = min(workers, len(items))
    if workers < 2:
        return _in_batches(func, items, progress, 1, len(items))
    if weights is None:
        # Every worker takes every n-th item: sorted paths put like files together (a folder
        # of tests, a folder of vendored code), so contiguous chunks can differ in cost
        # severalfold.
        places: list[Sequence[int]] = [
            range(start, len(items), workers) for start in range(workers)
        ]
    else:
        places = _balanced(weights, workers)
    chunks = [[items[at] for at in place] for place in places]
    children: list[tuple[int, int]] = []
    for chunk in chunks[1:]:
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child; covered by the result checks
            os.close(read_fd)
            status = 0
            try:
                data = marshal.dumps(func(chunk))
                with os.fdopen(write_fd, "wb") as pipe:
                    pipe.write(data)
            except BaseException:
                status = 1
            os._exit(status)
        os.close(write_fd)
        children.append((pid, read_fd))
    parts = [_in_batches(func, chunks[0], progress, workers, len(items))]
    for (pid, read_fd), chunk in zip(children, chunks[1:], strict=True):
        with os.fdopen(read_fd, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(pid, 0)
        try:
            part = marshal.loads(data) if status == 0 else None
        except (EOFError, ValueError, TypeError):
            part = None
        if not isinstance(part, list) or len(part) != len(chunk):
            part = func(chunk)
        parts.append(part)
    results: list[Any] = [None] * len(items)
    for place, part in zip(places, parts, strict=True):
        for at, result in zip(place, part, strict=True):
            results[at] = result
    return results


def _balanced(weights: Sequence[int], workers: int) -> list[Sequence[int]]:
    """The items' positions in `workers` chunks of about equal weight: the heaviest first,
    each to the lightest chunk so far; each chunk in input order."""
    loads = [(0, worker) for worker in range(workers)]
    places: list[list[int]] = [[] for _ in range(workers)]
    for at in sorted(range(len(weights)), key=lambda i: -weights[i]):
        load, worker = heapq.heappop(loads)
        places[worker].append(at)
        heapq.heappush(loads, (load + weights[at], worker))
    return [sorted(place) for place in places]


def _in_slices(
    func: Callable[[Sequence[T]], list[Any]],
    items: Sequence[T],
    progress: Callable[[int], None] | None,
    weights: Sequence[int] | None,
) -> list[Any]:
    """`parallel_map` slice by slice, while a background job holds a core (maybe not for
    long): each slice is shared out to the cores free when it starts."""
    results: list[Any] = []
    for start in range(0, len(items), SLICE):
        done = len(results)
        report = None if progress is None else (lambda n: progress(done + n))  # noqa: B023
        part = slice(start, start + SLICE)
        results += parallel_map(
            func, items[part], report, None if weights is None else weights[part]
        )
    return results


def _in_batches(
    func: Callable[[Sequence[T]], list[Any]],
    chunk: Sequence[T],
    progress: Callable[[int], None] | None,
    scale: int,
    total: int,
) -> list[Any]:
    """`func(chunk)`, in batches when someone wants progress (`scale` workers share the work)."""
    if progress is None:
        return func(chunk)
    results: list[Any] = []
    for start in range(0, len(chunk), PROGRESS_BATCH):
        results += func(chunk[start : start + PROGRESS_BATCH])
        progress(min(total, len(results) * scale))
    return results
