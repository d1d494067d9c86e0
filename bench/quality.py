"""Precision and recall of the wording rules on the labelled sentences in tests/data/quality/.

    python bench/quality.py            # a Markdown table per language, for the README
    python bench/quality.py --misses   # ... and every false alarm and every miss

Each sentence carries the INCOSE rules a reader found broken in it (`labels`; see
tests/data/quality/README.md for the sources, their licences and the label definitions). A rule
is predicted for a sentence when reqforge's word lists find a phrase of that rule in it (the
same matcher `check` runs on titles and acceptance criteria). Per rule: precision = sentences
flagged and labelled / sentences flagged, recall = sentences flagged and labelled / sentences
labelled. tests/test_quality_eval.py holds the figures to their floors.
"""

# implements: REQ-722

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scores import Score, figure  # bench/scores.py, beside this script

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "quality"
LANGUAGES = {"en": "English", "zh": "Chinese"}
RULES = ("R7", "R8", "R9", "R26", "R35", "R19", "R24", "R16", "R2", "R6")
CODES = {
    "R7": "RF411", "R8": "RF412", "R9": "RF413", "R26": "RF414", "R35": "RF415",
    "R19": "RF417", "R24": "RF416", "R16": "RF418", "R2": "RF419", "R6": "RF420",
}  # fmt: skip


def sentences(language: str) -> list[dict[str, Any]]:
    import yaml

    with (DATA / f"{language}.yaml").open(encoding="utf-8") as handle:
        return list(yaml.safe_load(handle)["sentences"])


def evaluate(language: str) -> tuple[dict[str, Score], list[tuple[str, str, str]]]:
    """The score of every rule on `language`'s sentences, and the mistakes: (kind, rule,
    sentence) with kind "false alarm" or "miss"."""
    from reqforge.checks.wording import DEFAULT_WORDS, build_matcher

    matcher = build_matcher(DEFAULT_WORDS)
    counts = {rule: Counter[str]() for rule in RULES}
    mistakes: list[tuple[str, str, str]] = []
    for item in sentences(language):
        labels = set(item.get("labels") or ())
        predicted = {hit.rule for hit in matcher.find(item["text"])}
        for rule in RULES:
            if rule in predicted and rule in labels:
                counts[rule]["true"] += 1
            elif rule in predicted:
                counts[rule]["false_alarms"] += 1
                mistakes.append(("false alarm", rule, item["text"]))
            elif rule in labels:
                counts[rule]["misses"] += 1
                mistakes.append(("miss", rule, item["text"]))
    scores = {
        rule: Score(rule, c["true"], c["false_alarms"], c["misses"]) for rule, c in counts.items()
    }
    return scores, mistakes


def table() -> str:
    rows = [
        "| rule | code | English precision | English recall | Chinese precision | Chinese recall |",
        "|---|---|---:|---:|---:|---:|",
    ]
    results = {language: evaluate(language)[0] for language in LANGUAGES}
    for rule in RULES:
        en, zh = results["en"][rule], results["zh"][rule]
        rows.append(
            f"| {rule} | {CODES[rule]} | {figure(en.precision)} | {figure(en.recall)} "
            f"| {figure(zh.precision)} | {figure(zh.recall)} |"
        )
    counts = {language: len(sentences(language)) for language in LANGUAGES}
    return "\n".join(rows) + f"\n\n{counts['en']} English and {counts['zh']} Chinese sentences."


def main(argv: list[str]) -> int:
    print(table())
    if "--misses" in argv:
        for language in LANGUAGES:
            for kind, rule, text in evaluate(language)[1]:
                print(f"{language} {rule} {kind}: {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
