"""RF403's second stage (reqforge.checks.similarity, reqforge.checks.glossary): content terms,
concepts across English and Chinese, the concept index, and the exact score."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reqforge.checks import similarity as sim
from reqforge.checks.glossary import glossary_entries
from reqforge.checks.similarity import (
    DEFAULT_THRESHOLD,
    MIN_SHARED_CONCEPTS,
    candidate_pairs,
    estimated_similarity,
    signature,
    similar_pairs,
    similarity,
    stem,
)

Doc = tuple[str, str]

# Rewordings that swap synonyms and move words around: the surface features (stage 1) share
# too little, the terms and concepts (stage 2) enough.
PARAPHRASES: list[tuple[Doc, Doc]] = [
    (
        (
            "Delete inactive user accounts",
            "Accounts of users who have not logged in for two years shall be deleted "
            "automatically.",
        ),
        (
            "Remove user accounts that are inactive",
            "The system should automatically remove the account of any user who has not "
            "signed in for 2 years.",
        ),
    ),
    (
        (
            "Filter the order list by status",
            "Store managers need to filter orders by status, for example to see only unpaid "
            "or cancelled orders.",
        ),
        (
            "Order list filter on status",
            "The order list should have a filter on order status so a store manager can show "
            "only cancelled or unpaid orders.",
        ),
    ),
    (
        ("按发票号查询订单", "客户来电报出发票号时，客服需要能快速查到对应的订单。"),
        ("通过发票号搜索订单", "客服专员应能根据客户提供的发票号检索到相应订单。"),
    ),
    (
        ("工单关闭90天后自动归档", "已关闭的工单占满了队列，应在关闭90天后自动归档。"),
        ("自动归档已关闭工单", "关闭超过90天的客服工单应自动移入归档。"),
    ),
]

TRANSLATIONS: list[tuple[Doc, Doc]] = [
    (
        (
            "Export customer data to CSV",
            "Account managers need to export the customer data, including contacts and open "
            "orders, to a CSV file that opens in Excel.",
        ),
        (
            "支持导出客户数据为CSV文件",
            "客户经理需要把客户数据（包括联系人和未完成订单）导出为可以用Excel打开的CSV文件。",
        ),
    ),
    (
        (
            "Approve refunds above 500 EUR",
            "Refunds above 500 EUR need the approval of a finance manager before the payment "
            "is made.",
        ),
        ("超过500 EUR的退款需要审批", "金额超过500 EUR的退款，在付款前必须由财务经理审批。"),
    ),
    (
        (
            "Reset password via email link",
            "A user who forgot the password requests a reset link by email and sets a new "
            "password.",
        ),
        ("通过邮箱重置密码", "用户忘记密码时，可以通过邮件收到重置链接并设置新密码。"),
    ),
]

HARD_NEGATIVES: list[tuple[Doc, Doc]] = [
    (
        TRANSLATIONS[0][0],
        (
            "Export customer data to PDF",
            "Sales staff print a customer summary for meetings. They need a one-page PDF with "
            "the customer's name, contacts and open orders.",
        ),
    ),
    (
        TRANSLATIONS[0][1],
        (
            "支持导出客户数据为PDF文件",
            "销售人员开会前要打印客户概要。他们需要一页PDF，包含客户名称、联系人和未完成订单。",
        ),
    ),
    (
        TRANSLATIONS[0][0],
        (
            "支持导出客户数据为PDF文件",
            "销售人员开会前要打印客户概要。他们需要一页PDF，包含客户名称、联系人和未完成订单。",
        ),
    ),
    (
        TRANSLATIONS[1][0],
        (
            "Approve purchase orders above 5000 EUR",
            "Purchase orders above 5000 EUR need the approval of the procurement director "
            "before they are sent to the supplier.",
        ),
    ),
    (
        TRANSLATIONS[2][1],
        ("登录失败后锁定用户账号", "连续五次登录失败后，用户账号锁定15分钟。"),
    ),
]


def sigs(*docs: Doc) -> list[tuple[int, ...]]:
    return [signature(*doc) for doc in docs]


# --- the two stages ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"), PARAPHRASES, ids=["en-delete", "en-filter", "zh-search", "zh-archive"]
)
def test_paraphrases_below_stage_1_are_reported_by_stage_2(a: Doc, b: Doc) -> None:
    # verifies: REQ-107
    first, second = sigs(a, b)
    assert estimated_similarity(first, second) < DEFAULT_THRESHOLD
    score = similarity(first, second)
    assert score >= DEFAULT_THRESHOLD
    assert similar_pairs([first, second]) == [(0, 1, score)]


@pytest.mark.parametrize(("a", "b"), TRANSLATIONS, ids=["csv", "refund", "password"])
def test_translations_are_reported_with_their_score(a: Doc, b: Doc) -> None:
    # verifies: REQ-107
    english, chinese = sigs(a, b)
    assert english[6] == sim.LATIN and chinese[6] == sim.CJK
    # Stage 1 alone never pairs them: they share no surface feature worth a key.
    assert candidate_pairs([english, chinese])[0] == set()
    score = similarity(english, chinese)
    assert DEFAULT_THRESHOLD <= score <= 1.0
    assert similar_pairs([english, chinese]) == [(0, 1, score)]
    assert similar_pairs([chinese, english]) == [(0, 1, score)]


@pytest.mark.parametrize(
    ("a", "b"),
    HARD_NEGATIVES,
    ids=["csv-pdf", "zh-csv-pdf", "en-zh-csv-pdf", "refund-purchase", "zh-delete-lock"],
)
def test_hard_negatives_are_not_reported(a: Doc, b: Doc) -> None:
    # verifies: REQ-107
    first, second = sigs(a, b)
    assert similarity(first, second) < DEFAULT_THRESHOLD - 0.05
    assert similar_pairs([first, second]) == []


def test_translations_are_found_among_many_requirements() -> None:
    # The concept index finds a translation in a corpus whose other requirements share its
    # common concepts ("customer", "export") but not its rarer ones.
    others = [
        (f"Export customer notes for region {n}", f"Export the notes of customers in region {n}.")
        for n in range(150)
    ]
    english, chinese = TRANSLATIONS[1]
    docs = [*others[:70], english, *others[70:], chinese]
    pairs = similar_pairs(sigs(*docs))
    assert (70, len(docs) - 1) in [(i, j) for i, j, _ in pairs]


def test_short_texts_need_enough_shared_concepts() -> None:
    # Two concepts in common ("customer", "export") do not pair texts in two languages.
    english, chinese = sigs(("Export customers", ""), ("导出客户", ""))
    assert MIN_SHARED_CONCEPTS == 3
    assert similarity(english, chinese) == 0.0
    english, chinese = sigs(("Export customer invoices", ""), ("导出客户发票", ""))
    assert similarity(english, chinese) == 1.0


def test_concept_index_drops_common_concepts() -> None:
    # verifies: REQ-107
    # Hundreds of requirements about exporting customer invoices: those concepts are in more
    # than _COMMON requirements, so they make no keys, and the candidates stay few.
    docs = [
        (f"Export customer invoices {n}", f"Export invoice {n} of the customer.")
        for n in range(300)
    ]
    docs += [(f"导出客户发票{n}", f"导出客户的第{n}张发票。") for n in range(300)]
    concept_pairs = candidate_pairs(sigs(*docs))[1]
    assert len(concept_pairs) == 0


# --- terms ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "stemmed"),
    [
        (["export", "exports", "exported", "exporting"], "export"),
        (["create", "created", "creating", "creation"], "creat"),
        (["ship", "shipped", "shipping", "shipment", "shipments"], "ship"),
        (["category", "categories"], "category"),
        (["batch", "batches"], "batch"),
        (["bill", "billing", "bills"], "bill"),
        (["invoice", "invoices", "invoicing"], "invoic"),
        (["status"], "status"),
        (["analysis"], "analysis"),
        (["customer", "customers"], "customer"),
        (["user", "users"], "user"),
        (["v2"], "v2"),
    ],
)
def test_light_stemming(words: list[str], stemmed: str) -> None:
    assert {stem(word) for word in words} == {stemmed}


def test_stemming_keeps_different_words_apart() -> None:
    assert (
        len({stem(word) for word in ("custom", "customer", "use", "user", "order", "ordinal")}) == 6
    )


def test_glossary_follows_its_rules() -> None:
    entries = glossary_entries()
    assert len(entries) >= 200
    assert len({concept for concept, _, _ in entries}) == len(entries)
    english, chinese, concepts = sim._glossary()  # raises on a broken line
    assert len(concepts) == len(entries)
    assert len(english) >= 300 and len(chinese) >= 250


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (("Remove a client", ""), ("Delete a customer", "")),
        (("Users can log in with SSO", ""), ("Users can login with SSO", "")),
        (("删除顾客订单", ""), ("删除客户订单", "")),
    ],
)
def test_synonyms_are_one_concept(a: Doc, b: Doc) -> None:
    assert similarity(*sigs(a, b)) == 1.0


# --- properties ----------------------------------------------------------------------------------

WORDS = [
    "export", "exports", "customer", "client", "invoice", "delete", "remove", "order", "report",
    "ledger", "weekly", "the", "to", "CSV", "PDF", "2025", "42", "导出", "客户", "发票", "删除",
    "订单", "报表", "每周", "数据", "的", "将", "zebra", "quartz",
]  # fmt: skip
texts = st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join)
docs = st.tuples(texts, texts)


@settings(max_examples=150, deadline=None)
@given(docs, docs)
def test_scores_are_symmetric_fractions(a: Doc, b: Doc) -> None:
    first, second = sigs(a, b)
    score = similarity(first, second)
    assert 0.0 <= score <= 1.0
    assert score == similarity(second, first)
    reported = similar_pairs([first, second], 0.01)
    assert reported in ([], [(0, 1, score)])
    if reported == []:
        assert score < 0.01 or not any(candidate_pairs([first, second]))


@settings(max_examples=100, deadline=None)
@given(docs)
def test_identical_texts_score_one(doc: Doc) -> None:
    sig = signature(*doc)
    title_terms = sig[2]
    assert similarity(sig, sig) == (1.0 if title_terms else similarity(sig, sig))
    if title_terms:
        assert similar_pairs([sig, signature(*doc)]) == [(0, 1, 1.0)]


def test_scores_are_equal_across_processes() -> None:
    pairs = [*PARAPHRASES, *TRANSLATIONS, *HARD_NEGATIVES]
    here = [similarity(*sigs(a, b)) for a, b in pairs]
    program = (
        "import json, sys\n"
        "from reqforge.checks.similarity import signature, similarity\n"
        "pairs = json.loads(sys.stdin.read())\n"
        "print(json.dumps([similarity(signature(*a), signature(*b)) for a, b in pairs]))\n"
    )
    for seed in ("0", "4242"):
        done = subprocess.run(
            [sys.executable, "-c", program],
            input=json.dumps(pairs),
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            check=True,
        )
        assert json.loads(done.stdout) == here
