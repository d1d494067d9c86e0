"""Precision and recall of one detector, shared by the measuring scripts of bench/ (quality.py,
ears.py, duplicates.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Score:
    """What a detector found against what a reader labelled: `true` found and labelled,
    `false_alarms` found only, `misses` labelled only. `name` says what was measured."""

    name: str
    true: int
    false_alarms: int
    misses: int

    @property
    def precision(self) -> float | None:
        found = self.true + self.false_alarms
        return self.true / found if found else None

    @property
    def recall(self) -> float | None:
        labelled = self.true + self.misses
        return self.true / labelled if labelled else None


def figure(value: float | None) -> str:
    """A precision or recall for a table: two decimals, "-" when nothing was found or labelled."""
    return "-" if value is None else f"{value:.2f}"
