"""Tests of near-duplicate detection (reqforge.checks.similarity), RF403."""

from __future__ import annotations

import json
import marshal
import os
import random
import string
import subprocess
import sys
from array import array
from itertools import accumulate

import pytest

from reqforge.checks.similarity import (
    BODY_CHARS,
    BODY_K,
    CJK,
    DEFAULT_THRESHOLD,
    LATIN,
    TITLE_K,
    signature,
    similar_pairs,
    similarity,
)

# Every body shares the template: headings and a closing sentence.
EN_TAIL = "\n\n## Notes\n\nThis requirement came from a customer interview in 2025.\n"
ZH_TAIL = "\n\n## 说明\n\n本需求来自2025年的客户访谈。\n"

EXPORT_CSV = (
    "Export customer data to CSV",
    "## Scenario\n\nAccount managers copy customer records into spreadsheets by hand before "
    "every quarterly review. They need to export the customer data, including contacts and "
    "open orders, to a CSV file that opens in Excel." + EN_TAIL,
)
EXPORT_CSV_REWORDED = (
    "Export the customer data to a CSV file",
    "## Scenario\n\nBefore every quarterly review, account managers copy customer records into "
    "spreadsheets by hand. They want to export customer data, including contacts and open "
    "orders, to a CSV file that Excel can open." + EN_TAIL,
)
IMPORT_INVOICES = (
    "Import supplier invoices from PDF",
    "## Scenario\n\nThe accounts payable clerk types supplier invoices into the ledger by hand. "
    "They need to import invoices received as PDF attachments so that amounts, dates and tax "
    "lines are read automatically." + EN_TAIL,
)
OVERDUE_TASKS = (
    "Show overdue tasks on the dashboard",
    "## Scenario\n\nTeam leads miss overdue tasks because the dashboard only lists tasks due "
    "today. They need a panel with every overdue task, its owner and how many days it is late."
    + EN_TAIL,
)
EXPORT_PDF = (
    "Export customer data to PDF",
    "## Scenario\n\nSales staff print a customer summary for meetings. They need a one-page PDF "
    "with the customer's name, contacts, open orders and the last five interactions." + EN_TAIL,
)
ZH_EXPORT_CSV = (
    "支持导出客户数据为CSV文件",
    "## 场景\n\n客户经理在每次季度回顾前都要手工把客户记录复制到表格中。他们需要把客户数据"
    "（包括联系人和未完成订单）导出为可以用Excel打开的CSV文件。" + ZH_TAIL,
)
ZH_EXPORT_CSV_REWORDED = (
    "支持将客户数据导出为CSV文件",
    "## 场景\n\n每次季度回顾前，客户经理都要手工将客户记录复制到表格里。他们需要将客户数据"
    "（包括联系人和未完成的订单）导出为能用Excel打开的CSV文件。" + ZH_TAIL,
)
ZH_IMPORT_INVOICES = (
    "支持从PDF导入供应商发票",
    "## 场景\n\n应付账款专员目前手工把供应商发票录入台账。他们需要导入以PDF附件形式收到的发票，"
    "自动读取金额、日期和税额行。" + ZH_TAIL,
)
ZH_OVERDUE_TASKS = (
    "在仪表盘上显示逾期任务",
    "## 场景\n\n团队负责人经常错过逾期任务，因为仪表盘只列出今天到期的任务。他们需要一个面板，"
    "列出所有逾期任务、负责人和逾期天数。" + ZH_TAIL,
)
ZH_EXPORT_PDF = (
    "支持导出客户数据为PDF文件",
    "## 场景\n\n销售人员开会前要打印客户概要。他们需要一页PDF，包含客户名称、联系人、"
    "未完成订单和最近五次互动。" + ZH_TAIL,
)
DUPLICATES = [(EXPORT_CSV, EXPORT_CSV_REWORDED), (ZH_EXPORT_CSV, ZH_EXPORT_CSV_REWORDED)]
# Four different requirements in English and the same four in Chinese: DIFFERENT[i] and
# DIFFERENT[i + 4] are translations of each other, so they pair (the second stage).
DIFFERENT = [
    EXPORT_CSV, IMPORT_INVOICES, OVERDUE_TASKS, EXPORT_PDF,
    ZH_EXPORT_CSV, ZH_IMPORT_INVOICES, ZH_OVERDUE_TASKS, ZH_EXPORT_PDF,
]  # fmt: skip
TRANSLATIONS = [(i, i + 4) for i in range(4)]


def score(a: tuple[str, str], b: tuple[str, str]) -> float:
    return similarity(signature(*a), signature(*b))


# --- quality -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("a", "b"), DUPLICATES, ids=["english", "chinese"])
def test_reworded_duplicates_reach_the_default_threshold(
    a: tuple[str, str], b: tuple[str, str]
) -> None:
    # verifies: REQ-107
    assert score(a, b) >= DEFAULT_THRESHOLD
    assert similar_pairs([signature(*a), signature(*b)]) == [(0, 1, score(a, b))]


def test_different_requirements_with_the_same_boilerplate_do_not_pair() -> None:
    # verifies: REQ-107
    signatures = [signature(*doc) for doc in DIFFERENT]
    assert [(i, j) for i, j, _ in similar_pairs(signatures)] == TRANSLATIONS
    for i, a in enumerate(DIFFERENT):
        for j in range(i + 1, len(DIFFERENT)):
            if (i, j) not in TRANSLATIONS:
                # "… to CSV" and "… to PDF" share most of the title, so they score highest.
                assert score(a, DIFFERENT[j]) < DEFAULT_THRESHOLD - 0.05, (a[0], DIFFERENT[j][0])


def test_duplicates_are_found_among_different_requirements() -> None:
    # verifies: REQ-107
    docs = [*DIFFERENT, EXPORT_CSV_REWORDED, ZH_EXPORT_CSV_REWORDED]
    pairs = similar_pairs([signature(*doc) for doc in docs])
    # The CSV export four times (two languages, two wordings) is six pairs; the other
    # translations three more.
    export_csv = [(0, 4), (0, 8), (0, 9), (4, 8), (4, 9), (8, 9)]
    assert [(i, j) for i, j, _ in pairs] == sorted([*export_csv, (1, 5), (2, 6), (3, 7)])


def test_identical_requirements_score_one() -> None:
    assert score(EXPORT_CSV, EXPORT_CSV) == 1.0
    assert score(ZH_EXPORT_CSV, ZH_EXPORT_CSV) == 1.0


def test_title_weighs_more_than_the_body() -> None:
    body = EXPORT_CSV[1]
    same_body = score(("Export customer data to CSV", body), ("Archive old tickets", body))
    same_title = score(EXPORT_CSV, (EXPORT_CSV[0], OVERDUE_TASKS[1]))
    assert same_body < same_title < DEFAULT_THRESHOLD


def test_requirements_without_body_compare_by_title() -> None:
    # verifies: REQ-107
    assert score((EXPORT_CSV[0], ""), (EXPORT_CSV_REWORDED[0], "")) >= DEFAULT_THRESHOLD
    assert score((EXPORT_CSV[0], ""), EXPORT_CSV_REWORDED) >= DEFAULT_THRESHOLD
    assert score((EXPORT_CSV[0], ""), (IMPORT_INVOICES[0], "")) < 0.2


def test_case_punctuation_markup_and_headings_do_not_matter() -> None:
    # verifies: REQ-107
    assert signature("Export the DATA!", "## Scenario\n\n**Bulk** export, daily.") == signature(
        "export the data", "# Background\nBulk export daily"
    )
    assert signature("导出客户数据", "## 场景\n\n每月导出。") == signature(
        "导出客户数据", "每月导出"
    )


def test_only_the_start_of_a_long_body_counts() -> None:
    start = "lorem ipsum dolor " * (BODY_CHARS // 18 + 1)
    assert signature("t", start + "alpha beta") == signature("t", start + "gamma delta")


# --- the signature -----------------------------------------------------------------------------


@pytest.mark.parametrize(("title", "body"), [*DIFFERENT, ("", ""), ("x", ""), ("", "y")])
def test_signature_shape(title: str, body: str) -> None:
    sig = signature(title, body)
    header, rest = sig[:7], list(sig[7:])
    parts = []
    for count in header[2:6]:
        parts.append(rest[:count])
        rest = rest[count:]
    title_terms, body_terms, title_cross, body_cross = parts
    # The sketches are the first values of the sorted terms: stored once.
    assert header[0] == min(len(title_terms), TITLE_K)
    assert header[1] == min(len(body_terms), BODY_K)
    assert header[6] == (CJK if not title.isascii() else LATIN)
    assert title_terms == sorted(set(title_terms))
    assert body_terms == sorted(set(body_terms))
    # Every cross term is a term; the concepts (the rest) are title cross terms.
    assert set(title_cross) <= set(title_terms) and set(body_cross) <= set(body_terms)
    assert set(rest) <= set(title_cross)
    assert all(type(value) is int and -(2**31) <= value < 2**31 for value in sig)
    assert marshal.loads(marshal.dumps(sig)) == sig
    assert tuple(array("i", sig)) == sig


def test_empty_requirement() -> None:
    empty = (0, 0, 0, 0, 0, 0, LATIN)
    assert signature("", "") == empty
    assert similarity(empty, empty) == 0.0
    assert similar_pairs([empty, empty, signature(*EXPORT_CSV)]) == []


def test_signatures_are_equal_across_processes() -> None:
    texts = [EXPORT_CSV, ZH_EXPORT_CSV, ("Mixed 中文 and English", "正文 body, 第3项。")]
    here = [list(signature(*text)) for text in texts]
    program = (
        "import json, sys\n"
        "from reqforge.checks.similarity import signature\n"
        "texts = json.loads(sys.stdin.read())\n"
        "print(json.dumps([list(signature(t, b)) for t, b in texts]))\n"
    )
    for seed in ("0", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", program],
            input=json.dumps(texts),
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        assert json.loads(done.stdout) == here


# --- similar_pairs -----------------------------------------------------------------------------


def test_similar_pairs_accepts_arrays_and_is_deterministic() -> None:
    signatures = [signature(*doc) for doc in [*DIFFERENT, *DUPLICATES[0], *DUPLICATES[1]]]
    pairs = similar_pairs(signatures)
    assert pairs == similar_pairs(signatures)
    assert pairs == similar_pairs([array("i", sig) for sig in signatures])
    assert pairs == sorted(pairs)
    for i, j, value in pairs:
        assert i < j and value == similarity(signatures[i], signatures[j])


def test_lower_threshold_finds_more() -> None:
    signatures = [signature(*doc) for doc in (EXPORT_CSV, EXPORT_PDF)]
    assert similar_pairs(signatures) == []
    assert [(i, j) for i, j, _ in similar_pairs(signatures, 0.3)] == [(0, 1)]


@pytest.mark.parametrize("threshold", [0.0, -1.0, 1.5])
def test_threshold_must_be_a_fraction(threshold: float) -> None:
    with pytest.raises(ValueError, match="threshold"):
        similar_pairs([], threshold)


@pytest.mark.parametrize(
    "bad",
    [(), (3, 1), (-1, 5), (0, 0, 0, 0, 0, 0, 2), (0, -1, 0, 0, 0, 0, 0), (9, 0, 0, 0, 0, 0, 0)],
)
def test_malformed_signature(bad: tuple[int, ...]) -> None:
    with pytest.raises(ValueError, match="signature"):
        similar_pairs([signature(*EXPORT_CSV), bad])


def corpus(count: int, seed: int = 7) -> list[tuple[str, str]]:
    """`count` unrelated requirements, a third in Chinese, all on one template.

    Words follow a Zipf-like distribution, so common words are shared by thousands of
    requirements, as in a real backlog.
    """
    rng = random.Random(seed)
    english = [
        "".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 9))) for _ in range(4000)
    ]
    chinese = [
        "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(rng.choice((1, 2, 2, 3))))
        for _ in range(4000)
    ]
    weights = list(accumulate(1.0 / (rank + 10) for rank in range(4000)))
    docs = []
    for i in range(count):
        if i % 3 == 0:
            title = "".join(rng.choices(chinese, cum_weights=weights, k=rng.randint(4, 7)))
            sentences = [
                "".join(rng.choices(chinese, cum_weights=weights, k=rng.randint(6, 12)))
                for _ in range(rng.randint(4, 8))
            ]
            body = "## 场景\n\n" + "，".join(sentences) + "。" + ZH_TAIL
        else:
            title = " ".join(rng.choices(english, cum_weights=weights, k=rng.randint(4, 8)))
            sentences = [
                " ".join(rng.choices(english, cum_weights=weights, k=rng.randint(6, 14)))
                for _ in range(rng.randint(4, 8))
            ]
            body = "## Scenario\n\n" + ". ".join(sentences) + "." + EN_TAIL
        docs.append((title.capitalize(), body))
    return docs


def reworded(doc: tuple[str, str]) -> tuple[str, str]:
    """A rewording that keeps the meaning: the title loses its last word and gains another, two
    sentences swap places and one clause is added (similarity about 0.75-0.85)."""
    title, body = doc
    heading, _, text = body.partition("\n\n")
    english = title.isascii()
    sentences = text.split(". " if english else "，")
    sentences[0], sentences[1] = sentences[1], sentences[0]
    if english:
        sentences.insert(-2, "we also want this")
        title = "The " + title.rsplit(" ", 1)[0].lower() + " now"
        return title, heading + "\n\n" + ". ".join(sentences)
    sentences.insert(-2, "同时希望支持")
    return "新增" + title[:-1], heading + "\n\n" + "，".join(sentences)


def test_scale_10000_requirements_finds_exactly_the_duplicates() -> None:
    # verifies: REQ-107
    docs = corpus(10_000)
    expected = []
    for source, copy in [(11, 9_001), (12, 9_002), (300, 9_300), (4_001, 9_400), (14, 9_500)]:
        docs[copy] = reworded(docs[source])
        assert DEFAULT_THRESHOLD + 0.05 < score(docs[source], docs[copy]) < 0.9
        expected.append((source, copy))
    for (a, b), (i, j) in zip(DUPLICATES, [(100, 7_000), (200, 8_000)], strict=True):
        docs[i], docs[j] = a, b
        expected.append((i, j))
    # The English CSV export and its Chinese translation: every English one pairs with every
    # Chinese one (found by the concept index: they share no word).
    expected += [(100, 200), (100, 8_000), (200, 7_000), (7_000, 8_000)]
    signatures = [signature(title, body) for title, body in docs]
    pairs = similar_pairs(signatures)
    assert [(i, j) for i, j, _ in pairs] == sorted(expected)
