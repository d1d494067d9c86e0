"""The wording rules measured on the labelled sentences of tests/data/quality/ (bench/quality.py):
issue 15's bars, precision >= 0.9 and recall >= 0.8 per rule and language, held here."""

from __future__ import annotations

import pytest
from tests.bench_modules import BENCH, bench_module

from reqforge.checks.wording import DEFAULT_WORDS, build_matcher

quality = bench_module("quality")

BAR_PRECISION, BAR_RECALL = 0.9, 0.8
# Where a bar is not met yet, the floor that holds today (so it can only get better).
FLOORS: dict[tuple[str, str, str], float] = {}


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("rule", ["R7", "R8", "R9", "R26", "R35"])
def test_each_rule_meets_its_precision_and_recall(language: str, rule: str) -> None:
    # verifies: REQ-722
    score = quality.evaluate(language)[0][rule]
    assert score.true >= 25  # enough labelled sentences to mean something
    precision = FLOORS.get((language, rule, "precision"), BAR_PRECISION)
    recall = FLOORS.get((language, rule, "recall"), BAR_RECALL)
    assert score.precision is not None and score.precision >= precision, score
    assert score.recall is not None and score.recall >= recall, score


@pytest.mark.parametrize(
    "text",
    [
        "The system shall export 100,000 rows in under 10 seconds.",
        "The service shall have 99.9% availability per calendar month.",
        "100% of the rows selected by the filter shall be written to the export file.",
        "When the user presses Stop, the pump shall stop as soon as the valve closes.",
        "The agent shall poll the queue periodically, every 30 seconds.",
        "The CSV file shall use the settings in /etc/reqforge/export.conf.",
        "The “Fast export” button shall be the first item of the menu.",
        "The acceptable delta shall be less than 20%.",
        "To ensure seamless upgrades, the agent shall keep the previous binary.",
        "当用户点击导出时，系统应在10秒内生成CSV文件。",
        "系统应每月定期于1日00:00生成对账单。",
        "系统应立即（不超过1秒）在屏幕上显示扫码结果。",
        "仓库应按照先进先出原则出库。",
        "“快速下单”入口应显示在首页顶部导航栏的第一个位置。",
        "系统应支持左右滑动切换页面。",
        "用户等待时间应不超过3秒。",
    ],
)
def test_a_measurable_requirement_is_not_flagged(text: str) -> None:
    # verifies: REQ-722
    # (the issue's measurability rules; "shall be written" is still R2's passive voice)
    rules = {"R7", "R8", "R9", "R26", "R35"}
    assert [hit for hit in build_matcher(DEFAULT_WORDS).find(text) if hit.rule in rules] == []


def test_the_table_names_every_rule_and_both_languages() -> None:
    # verifies: REQ-722
    table = quality.table()
    assert table.count("\n| R") == len(quality.RULES)
    assert "English and" in table and "Chinese sentences" in table


def test_the_readme_shows_the_measured_figures() -> None:
    # The table in the README is what bench/quality.py prints today: a change to a word list
    # that moves a figure must move the README with it.
    readme = (BENCH.parent / "README.md").read_text(encoding="utf-8")
    table = "\n".join(("  " + line) if line else "" for line in quality.table().split("\n"))
    assert table in readme
