"""Progress on long work: drawn on a terminal after a delay, never in pipes, CI logs or --quiet,
and without changing any result."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import requirement_text as req

from reqforge.config import load_config
from reqforge.corpus import load_corpus
from reqforge.parallel import parallel_map
from reqforge.render.progress import Progress, TerminalProgress, progress_for

Repo = Callable[..., Path]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_nothing_is_drawn_before_the_delay_then_one_line_is_redrawn_and_cleared() -> None:
    # verifies: REQ-701
    screen, clock = Terminal(), Clock()
    progress = TerminalProgress(screen, delay=0.5, clock=clock, min_interval=0.1)
    progress.stage("reading requirements", 10_000)
    progress.update(2_000)
    assert screen.getvalue() == ""  # a short run never sees a progress line
    clock.now += 0.6
    progress.update(4_000)
    first = "reading requirements  [#########...............]  4,000/10,000"
    assert screen.getvalue() == "\r" + first
    progress.update(5_000)  # too soon after the last drawing: skipped
    assert "5,000" not in screen.getvalue()
    clock.now += 0.2
    progress.stage("reading git history", 0)
    second = "reading git history ..."
    assert screen.getvalue().endswith("\r" + second + " " * (len(first) - len(second)))
    progress.finish()
    last = screen.getvalue().rsplit("\r", 2)
    assert last[-2].strip() == "" and last[-1] == ""  # the line is wiped, the cursor at its start
    progress.finish()  # finishing twice draws nothing more
    assert screen.getvalue().count("\r") == 4


def test_progress_only_for_a_person_at_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    # verifies: REQ-701
    monkeypatch.delenv("CI", raising=False)
    assert isinstance(progress_for(Terminal(), quiet=False), TerminalProgress)
    assert type(progress_for(io.StringIO(), quiet=False)) is Progress  # a pipe or a file
    assert type(progress_for(Terminal(), quiet=True)) is Progress
    monkeypatch.setenv("CI", "true")
    assert type(progress_for(Terminal(), quiet=False)) is Progress


@pytest.mark.parametrize("count", [10, 3_000])
def test_parallel_map_reports_progress_without_changing_results(count: int) -> None:
    # verifies: REQ-601
    items = list(range(count))
    seen: list[int] = []

    def square(chunk: list[int]) -> list[int]:
        return [item * item for item in chunk]

    assert parallel_map(square, items, seen.append) == parallel_map(square, items)
    assert seen and seen == sorted(seen) and seen[-1] <= count
    assert seen[-1] >= count // 2  # this process's share, counted for every worker


def test_a_cold_check_reports_reading_requirements(make_repo: Repo) -> None:
    # verifies: REQ-701
    root = make_repo({f"reqs/CRM-{n}.md": req(f"CRM-{n}") for n in range(1, 901)})
    screen = Terminal()
    progress = TerminalProgress(screen, delay=0, min_interval=0)
    corpus = load_corpus(load_config(root), use_cache=False, progress=progress)
    assert len(corpus.repository.requirements) == 900
    drawn = screen.getvalue()
    assert "reading requirements  [" in drawn and "/900" in drawn
    assert drawn.endswith("\r")  # cleared before anything else is printed
    quiet = load_corpus(load_config(root), use_cache=False)
    assert quiet.repository.requirements == corpus.repository.requirements
