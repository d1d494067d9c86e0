"""Precision and recall of RF403's pair detection on the labelled pairs in tests/data/duplicates/.

    python bench/duplicates.py                # a Markdown table, for the README
    python bench/duplicates.py --scores       # ... and every pair with both stages' scores
    python bench/duplicates.py --threshold 0.65

Each labelled pair is run as a corpus of its own two requirements, through the same functions
`check` uses, in two ways:

* **stage 1 only**: the MinHash index proposes the pair (`candidate_pairs`, first set) and the
  MinHash estimate of the sketches (`estimated_similarity`) reaches the threshold: how RF403
  decided before the second stage.
* **both stages**: `similar_pairs`, which is what `check` reports: candidates from the MinHash
  and the concept index, scored exactly on content terms and concepts.

A pair per corpus rather than the whole set as one corpus: the set reuses a requirement in
several pairs (its paraphrase, its translation, its hard negative), so in one corpus the pairs
would meet each other's texts and every such meeting would need a label of its own. Candidate
generation at scale is the business of tests/test_similarity.py (10,000 requirements).

Per kind (en-en, zh-zh, en-zh) and overall: precision = pairs reported and labelled duplicate
/ pairs reported, recall = pairs reported and labelled duplicate / pairs labelled duplicate.
tests/test_duplicates_eval.py holds the figures to their floors.
"""

# implements: REQ-107

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scores import Score, figure  # bench/scores.py, beside this script

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "duplicates" / "pairs.yaml"
KINDS = ("en-en", "zh-zh", "en-zh")


def pairs() -> list[dict[str, Any]]:
    import yaml

    with DATA.open(encoding="utf-8") as handle:
        return list(yaml.safe_load(handle)["pairs"])


def scores(pair: dict[str, Any], threshold: float) -> tuple[float | None, float | None]:
    """(stage 1's score, or None when its index does not propose the pair; the reported score
    of both stages, or None when the pair is not reported)."""
    from reqforge.checks.similarity import (
        candidate_pairs,
        estimated_similarity,
        signature,
        similar_pairs,
    )

    signatures = [signature(pair[side]["title"], pair[side]["body"]) for side in ("a", "b")]
    first = None
    if candidate_pairs(signatures)[0]:
        first = estimated_similarity(*signatures)
    reported = similar_pairs(signatures, threshold)
    return first, reported[0][2] if reported else None


def evaluate(threshold: float) -> tuple[dict[tuple[str, str], Score], list[str]]:
    """{(stage, kind): Score} for stage "stage 1" and "both", kind one of KINDS or "all", and
    a line per pair (label, kind, both scores, titles)."""
    counts: dict[tuple[str, str], Counter[str]] = {}
    lines = []
    for pair in pairs():
        first, both = scores(pair, threshold)
        found = {"stage 1": first is not None and first >= threshold, "both": both is not None}
        for stage, reported in found.items():
            outcome = (
                ("true" if pair["duplicate"] else "false_alarms")
                if reported
                else ("misses" if pair["duplicate"] else "")
            )
            for kind in (pair["kind"], "all"):
                counts.setdefault((stage, kind), Counter())[outcome] += 1
        label = "dup" if pair["duplicate"] else "not"
        shown = [f"{value:.2f}" if value is not None else "  - " for value in (first, both)]
        lines.append(
            f"{label} {pair['kind']} stage1 {shown[0]} both {shown[1]}  "
            f"{pair['a']['title']} | {pair['b']['title']}"
        )
    result = {
        key: Score(" ".join(key), c["true"], c["false_alarms"], c["misses"])
        for key, c in counts.items()
    }
    return result, lines


def table(threshold: float) -> str:
    results = evaluate(threshold)[0]
    rows = [
        "| pairs | stage 1 precision | stage 1 recall | both precision | both recall |",
        "|---|---:|---:|---:|---:|",
    ]
    for kind in (*KINDS, "all"):
        first, both = results[("stage 1", kind)], results[("both", kind)]
        rows.append(
            f"| {kind} | {figure(first.precision)} | {figure(first.recall)} "
            f"| {figure(both.precision)} | {figure(both.recall)} |"
        )
    total = Counter(pair["duplicate"] for pair in pairs())
    return (
        "\n".join(rows)
        + f"\n\n{total[True]} duplicate and {total[False]} hard-negative pairs, threshold "
        + f"{threshold}."
    )


def main(argv: list[str]) -> int:
    from reqforge.checks.similarity import DEFAULT_THRESHOLD

    threshold = DEFAULT_THRESHOLD
    if "--threshold" in argv:
        threshold = float(argv[argv.index("--threshold") + 1])
    print(table(threshold))
    if "--scores" in argv:
        print()
        print("\n".join(evaluate(threshold)[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
