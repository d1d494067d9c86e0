"""Progress on long work, for a person at a terminal: one line on stderr, redrawn in place.

Nothing is drawn unless stderr is a terminal, `--quiet` is off and no CI system is detected
(`CI` set), so pipes, files and CI logs never see it; and nothing is drawn before `delay` seconds
have passed, so a short (cached) run shows nothing at all. The core reports progress through a
plain callback (`Progress.update`), so it never knows whether anyone is watching.
"""

# implements: REQ-701

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TextIO

from reqforge.i18n import localize

BAR_WIDTH = 24


class Progress:
    """Reports nothing: what the core gets when nobody is watching."""

    def stage(self, label: str, total: int) -> None:
        """A new piece of work of `total` items (0: unknown) begins."""

    def update(self, done: int) -> None:
        """`done` items of the current stage are finished."""

    def finish(self) -> None:
        """All work is done: clear whatever was drawn."""


class TerminalProgress(Progress):
    """`label  [#####.....]  4,000/10,000` on one line of a terminal, after `delay` seconds."""

    def __init__(
        self,
        stream: TextIO,
        *,
        delay: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
        min_interval: float = 0.1,
        language: str = "en",
    ) -> None:
        self.stream = stream
        self.language = language  # stage labels are `Text`s, said in this language
        self.clock = clock
        self.show_after = clock() + delay
        self.min_interval = min_interval
        self.label = ""
        self.total = 0
        self.drawn_at = 0.0
        self.width = 0  # characters on the line now

    def stage(self, label: str, total: int) -> None:
        self.label, self.total = str(localize(label, self.language)), max(0, total)
        self.update(0)

    def update(self, done: int) -> None:
        now = self.clock()
        if now < self.show_after or (self.width and now - self.drawn_at < self.min_interval):
            return
        self.drawn_at = now
        if self.total:
            done = min(done, self.total)
            filled = BAR_WIDTH * done // self.total
            bar = "#" * filled + "." * (BAR_WIDTH - filled)
            text = f"{self.label}  [{bar}]  {done:,}/{self.total:,}"
        else:
            text = f"{self.label} ..."
        self._draw(text)

    def finish(self) -> None:
        if self.width:
            self._draw("")
            self.stream.write("\r")
            self.stream.flush()
            self.width = 0

    def _draw(self, text: str) -> None:
        from reqforge.render.tables import width_of  # terminal cells: CJK takes two

        cells = width_of(text)
        pad = " " * max(0, self.width - cells)
        self.stream.write(f"\r{text}{pad}")
        self.stream.flush()
        self.width = cells


def progress_for(stream: TextIO, quiet: bool, language: str = "en") -> Progress:
    """A TerminalProgress when a person watches `stream` (a terminal, not --quiet, not CI),
    speaking `language`, else a Progress that reports nothing."""
    try:
        interactive = stream.isatty()
    except (AttributeError, ValueError):
        interactive = False
    if quiet or not interactive or os.environ.get("CI"):
        return Progress()
    return TerminalProgress(stream, language=language)
