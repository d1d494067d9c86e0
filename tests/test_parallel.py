"""parallel.py: work shared out to forked workers, and one job in the background."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from reqforge import parallel
from reqforge.parallel import Background, parallel_map, worker_count

pytestmark = pytest.mark.skipif(not parallel.can_fork(), reason="needs fork")


def _square_all(chunk: list[int]) -> list[int]:
    return [n * n for n in chunk]


def test_parallel_map_keeps_the_input_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "cpu_count", lambda: 2)
    items = list(range(2_000))
    assert worker_count(len(items)) == 2
    assert parallel_map(_square_all, items) == [n * n for n in items]


def test_a_background_job_runs_in_another_process_and_holds_a_core(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "cpu_count", lambda: 2)
    go, done = tmp_path / "go", tmp_path / "done"

    def job() -> None:
        while not go.exists():
            time.sleep(0.01)
        done.write_text(str(os.getpid()))

    background = Background(job)
    assert background.running()
    assert worker_count(10_000) == 1  # the job holds one of the two cores
    go.touch()
    assert background.wait()
    assert int(done.read_text()) not in (os.getpid(), 0)
    assert not background.running()
    assert worker_count(10_000) == 2  # and gives it back when it ends


def test_a_failing_background_job_reports_it_and_raises_nothing(tmp_path: Path) -> None:
    def job() -> None:
        (tmp_path / "started").touch()
        raise RuntimeError("boom")

    background = Background(job)
    assert background.wait() is False
    assert (tmp_path / "started").exists()
    assert background.wait() is False  # asked again: the same answer, no second wait


def test_while_a_background_job_runs_the_work_goes_in_slices(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "cpu_count", lambda: 2)
    monkeypatch.setattr(parallel, "SLICE", 500)
    go = tmp_path / "go"
    seen: list[int] = []

    def job() -> None:
        while not go.exists():
            time.sleep(0.01)

    background = Background(job)
    try:
        items = list(range(2_000))
        assert parallel_map(_square_all, items, seen.append) == [n * n for n in items]
        assert seen == sorted(seen) and seen[-1] == 2_000  # progress counts across the slices
    finally:
        go.touch()
        background.wait()


def test_an_answer_nobody_reads_does_not_hang_the_wait() -> None:
    # verifies: REQ-603
    # A command that fails before it takes a background answer (check --base with an unknown
    # revision, while RF406's walk of 10,000 requirements runs) waits for the job at its end:
    # an answer larger than the pipe holds is dropped, not waited on forever.
    import signal

    def stuck(*_: object) -> None:
        raise TimeoutError("wait() hung on an unread answer")

    previous = signal.signal(signal.SIGALRM, stuck)
    signal.alarm(20)
    try:
        job = Background(lambda: b"x" * 1_000_000, answer=True)
        assert job.wait() is False  # the child could not deliver what nobody reads
        assert job.result() is None
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_a_background_job_can_answer_with_a_value() -> None:
    big = [("page.html", b"x" * 200_000)] * 5  # more than a pipe holds: the child must not hang
    assert Background(lambda: big, answer=True).result() == big

    def broken() -> None:
        raise RuntimeError("boom")

    assert Background(broken, answer=True).result() is None


def test_a_few_heavy_items_are_shared_out_by_weight(monkeypatch: pytest.MonkeyPatch) -> None:
    """Four items, far too few to fork for, two of which weigh as much as hundreds: each
    heavy one gets a process of its own, and the results come back in input order."""
    # verifies: REQ-603
    monkeypatch.setattr(parallel, "cpu_count", lambda: 2)
    items = ["light", "heavy", "light", "heavy"]

    def where(chunk: list[str]) -> list[tuple[str, int]]:
        return [(item, os.getpid()) for item in chunk]

    assert {pid for _, pid in parallel_map(where, items)} == {os.getpid()}  # not worth a fork
    found = parallel_map(where, items, weights=[1, 500, 1, 500])
    assert [item for item, _ in found] == items
    assert found[1][1] != found[3][1]  # the heavy ones apart
    assert parallel._balanced([1, 500, 1, 500, 300], 2) == [[1, 4], [0, 2, 3]]
