"""Precision and recall of the EARS kinds (RF407) on the labelled criteria of
tests/data/quality/ears.yaml.

    python bench/ears.py            # a Markdown table, for the README
    python bench/ears.py --misses   # ... and every criterion read wrong

Each criterion carries the EARS kind a reader found in it, or null for none, and
`then_missing` where an "If" condition lacks "then" (see the file's header for the rules). Per
kind: precision = criteria read as that kind and labelled so / criteria read as that kind,
recall = the same / criteria labelled so; "(none)" is the kind null. The accuracy is the share
of criteria whose kind is read right. tests/test_ears.py holds the accuracy to its floor.
"""

# implements: REQ-110

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scores import Score, figure  # bench/scores.py, beside this script

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "quality" / "ears.yaml"
LANGUAGES = {"en": "English", "zh": "Chinese"}
NONE = "(none)"
THEN = "then missing"


@dataclass(frozen=True)
class Result:
    """One language: the score of each kind, the accuracy, and the mistakes as (expected,
    read, criterion)."""

    scores: dict[str, Score]
    accuracy: float
    count: int
    mistakes: list[tuple[str, str, str]]


def criteria(language: str) -> list[dict[str, Any]]:
    import yaml

    with DATA.open(encoding="utf-8") as handle:
        return list(yaml.safe_load(handle)["criteria"][language])


def evaluate(language: str) -> Result:
    """Read every criterion of `language` with `ears_kind` and `ears_problem` and score it."""
    from reqforge.checks.ears import KINDS, ears_kind, ears_problem

    labels = (*KINDS, NONE, THEN)
    counts = {label: Counter[str]() for label in labels}
    mistakes: list[tuple[str, str, str]] = []
    right = 0
    items = criteria(language)
    for item in items:
        expected = item["kind"] or NONE
        read = ears_kind(item["text"]) or NONE
        then_expected = bool(item.get("then_missing"))
        then_read = read != NONE and ears_problem(item["text"]) is not None
        if read == expected:
            right += 1
        else:
            mistakes.append((expected, read, item["text"]))
        for label, labelled, predicted in [
            *((kind, expected == kind, read == kind) for kind in (*KINDS, NONE)),
            (THEN, then_expected, then_read),
        ]:
            if labelled and predicted:
                counts[label]["true"] += 1
            elif predicted:
                counts[label]["false_alarms"] += 1
            elif labelled:
                counts[label]["misses"] += 1
        if then_expected != then_read:
            mistakes.append((f"then missing: {then_expected}", f"{then_read}", item["text"]))
    scores = {
        label: Score(label, c["true"], c["false_alarms"], c["misses"])
        for label, c in counts.items()
    }
    return Result(scores, right / len(items), len(items), mistakes)


def table() -> str:
    """The Markdown table: per kind and language, precision, recall and the labelled count."""
    results = {language: evaluate(language) for language in LANGUAGES}
    rows = [
        "| EARS kind | English precision | English recall | English n "
        "| Chinese precision | Chinese recall | Chinese n |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label in results["en"].scores:
        cells = []
        for language in LANGUAGES:
            score = results[language].scores[label]
            cells += [
                figure(score.precision),
                figure(score.recall),
                str(score.true + score.misses),
            ]
        rows.append(f"| {label} | " + " | ".join(cells) + " |")
    en, zh = results["en"], results["zh"]
    return "\n".join(rows) + (
        f"\n\nAccuracy of the kind: English {en.accuracy:.2f} ({en.count} criteria), "
        f"Chinese {zh.accuracy:.2f} ({zh.count} criteria)."
    )


def main(argv: list[str]) -> int:
    print(table())
    if "--misses" in argv:
        for language in LANGUAGES:
            for expected, read, text in evaluate(language).mistakes:
                print(f"{language} expected {expected}, read {read}: {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
