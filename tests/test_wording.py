"""Tests of the RF401 word lists and matcher and the RF407 EARS shape (reqforge.checks.wording)."""

from __future__ import annotations

import re
import subprocess
import sys
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reqforge.checks.ears import ears_hint, ears_shape
from reqforge.checks.patterns import regex_entry_problem
from reqforge.checks.wording import (
    DEFAULT_WORDS,
    RULES,
    WordHit,
    WordMatcher,
    build_matcher,
    message,
)

CJK = re.compile("[\u3400-\u9fff]")


@pytest.fixture(scope="module")
def matcher() -> WordMatcher:
    return build_matcher(DEFAULT_WORDS)


def found(matcher: WordMatcher, text: str) -> list[tuple[str, str]]:
    return [(hit.text, hit.category) for hit in matcher.find(text)]


# --- the default word lists --------------------------------------------------------------------


def test_every_category_has_english_and_chinese_entries_and_a_rule() -> None:
    # verifies: REQ-106
    assert set(DEFAULT_WORDS) == set(RULES)
    for category, entries in DEFAULT_WORDS.items():
        assert any(not CJK.search(entry) for entry in entries), category
        assert any(CJK.search(entry) for entry in entries), category


@pytest.mark.parametrize(
    ("text", "hit", "category"),
    [
        # R7 vague
        ("The export shall be user-friendly.", "user-friendly", "vague"),
        ("Show some of the invoices.", "some", "vague"),
        ("The page shall load fast.", "fast", "vague"),
        ("Responds in about 10 seconds.", "about", "vague"),
        ("Many rows may be selected.", "Many", "vague"),
        ("系统应优化导出性能。", "优化", "vague"),
        ("界面应友好。", "友好", "vague"),
        ("响应时间在10秒左右。", "左右", "vague"),
        ("处理约 500 条记录。", "约", "vague"),
        ("支持若干种格式。", "若干", "vague"),
        # R8 escape clauses
        ("The system shall retry where possible.", "where possible", "escape"),
        ("Send a reminder as appropriate.", "as appropriate", "escape"),
        ("Compress the file if necessary.", "if necessary", "escape"),
        ("系统应尽量在夜间运行。", "尽量", "escape"),
        ("必要时通知管理员。", "必要时", "escape"),
        ("视情况发送提醒。", "视情况", "escape"),
        # R9 open-ended clauses
        ("Export to CSV, XLSX, etc.", "etc.", "open_ended"),
        ("Filter by date, owner and so on.", "and so on", "open_ended"),
        ("Notify the owner and/or the team.", "and/or", "combinator"),
        ("It shall then send the report.", "It", "pronoun"),
        ("它应在每日08:00发送日报。", "它", "pronoun"),
        ("The system shall not send e-mail.", "shall not", "negative"),
        ("系统不应向未登录用户显示价格。", "不应", "negative"),
        ("The monthly report shall be generated.", "be generated", "passive"),
        ("日志应被保存。", "应被", "passive"),
        ("支持CSV、Excel等格式。", "等", "open_ended"),
        ("支持导出和打印等操作。", "等", "open_ended"),
        ("支持CSV等。", "等", "open_ended"),
        ("支持PDF、Word等等。", "等等", "open_ended"),
        ("包括但不限于以下字段。", "包括但不限于", "open_ended"),
        # R10 superfluous infinitives
        ("The system shall be able to export.", "be able to", "infinitive"),
        ("It shall be capable of printing.", "be capable of", "infinitive"),
        ("系统应能够导出数据。", "应能够", "infinitive"),
        ("系统应具备导出数据的能力。", "具备", "infinitive"),
        # R26 absolutes
        ("The service shall always be available.", "always", "absolute"),
        ("Never lose a record.", "Never", "absolute"),
        ("Provide 100% availability.", "100%", "absolute"),
        ("系统应始终可用。", "始终", "absolute"),
        ("系统永远不丢失数据。", "永远", "absolute"),
        ("保证100%可用。", "100%", "absolute"),
        # R35 temporal
        ("Alert the owner immediately.", "immediately", "temporal"),
        ("Respond as soon as possible.", "as soon as possible", "temporal"),
        ("Process the request in a timely manner.", "in a timely manner", "temporal"),
        ("系统应及时通知用户。", "及时", "temporal"),
        ("请尽快处理。", "尽快", "temporal"),
        ("收到后立即回复。", "立即", "temporal"),
    ],
)
def test_default_words_hit(matcher: WordMatcher, text: str, hit: str, category: str) -> None:
    # verifies: REQ-106
    assert (hit, category) in found(matcher, text)


@pytest.mark.parametrize(
    "text",
    [
        "An awesome breakfast for someone handsome.",  # some, fast inside words
        "Export the invoice to CSV in under 10 seconds.",
        "Show how many rows failed.",  # "how many" asks for a number
        "Tell the user about the export.",  # "about" without a number
        "Reply as soon as the file arrives.",  # an event, not a vague time
        "The etcd cluster stores the state.",  # etc inside a word
        "Use the fast_path flag and xsome.",  # ASCII word characters on either side
        "用户等待10秒后重试。",  # 等待: wait
        "按会员等级显示价格。",  # 等级: level
        "所有用户平等对待。",  # 平等: equal
        "合计等于各行之和。",  # 等于: equals
        "两个金额相等时合并。",  # 相等: equal
        "同等条件下优先处理。",  # 同等: same
        "用户和管理员等待审批。",  # a list, then 等待
        "向左右两侧滑动切换。",  # 左右 without a number
        "遵守合同约束。",  # 约束: constraint
        "显示对应能力的说明。",  # 对应 + 能力, not 应能
        "用户能够导出客户数据。",  # a bare 能够 states a capability
        "导出结果应与源数据完全一致。",  # 完全 is often exact
    ],
)
def test_default_words_do_not_hit(matcher: WordMatcher, text: str) -> None:
    # verifies: REQ-106
    assert matcher.find(text) == []


# --- matching rules ----------------------------------------------------------------------------


def test_hit_carries_position_original_text_category_and_rule(matcher: WordMatcher) -> None:
    # verifies: REQ-106
    text = "The Export shall be FAST and User-Friendly."
    assert matcher.find(text) == [
        WordHit(20, 24, "FAST", "vague", "R7"),
        WordHit(29, 42, "User-Friendly", "vague", "R7"),
    ]
    for hit in matcher.find(text):
        assert text[hit.start : hit.end] == hit.text


def test_word_boundaries_are_ascii_and_cjk_matches_anywhere() -> None:
    words = build_matcher({"vague": ["some", "etc.", "100%", "优化"]})
    assert found(words, "awesome some_x x1some") == []
    assert found(words, "数据some，etc.结束") == [("some", "vague"), ("etc.", "vague")]
    assert found(words, "1100% and 100%") == [("100%", "vague")]
    assert found(words, "进行性能优化处理") == [("优化", "vague")]


def test_longest_phrase_wins_at_a_position_and_leftmost_wins_an_overlap() -> None:
    words = build_matcher(
        {
            "vague": ["appropriate", "easy", "easy to use", "foo bar"],
            "escape": ["as appropriate", "bar baz"],
        }
    )
    assert found(words, "easy to use, as appropriate") == [
        ("easy to use", "vague"),
        ("as appropriate", "escape"),
    ]
    # "foo bar" and "bar baz" overlap: the leftmost is kept, never both.
    assert found(words, "foo bar baz") == [("foo bar", "vague")]


def test_a_phrase_listed_twice_belongs_to_the_first_category() -> None:
    words = build_matcher({"temporal": ["尽快"], "vague": ["尽快", "快"]})
    assert found(words, "请尽快处理") == [("尽快", "temporal")]


def test_default_overlaps(matcher: WordMatcher) -> None:
    assert found(matcher, "Respond as soon as possible, or soon.") == [
        ("as soon as possible", "temporal"),
        ("soon", "temporal"),
    ]
    assert found(matcher, "Show a warning as appropriate.") == [("as appropriate", "escape")]
    assert found(matcher, "大约10秒") == [("大约", "vague")]


def test_offsets_survive_characters_that_lower_case_to_two() -> None:
    words = build_matcher({"vague": ["some"]})
    text = "İİ some"  # "İ".lower() is two characters
    [hit] = words.find(text)
    assert (hit.start, hit.end, hit.text) == (3, 7, "some")


# --- regex entries -----------------------------------------------------------------------------


def test_regex_entries_match_case_insensitively_and_mix_with_phrases() -> None:
    words = build_matcher(
        {
            "jargon": ["fast", r"re:\bTBD\b", r"re:within [0-9]+ (?:ms|s)\b"],
            "temporal": ["re:(?i)later"],  # a global flag: kept out of the alternation
        }
    )
    assert found(words, "Fast, tbd, within 10 ms, LATER") == [
        ("Fast", "jargon"),
        ("tbd", "jargon"),
        ("within 10 ms", "jargon"),
        ("LATER", "temporal"),
    ]


def test_regex_entry_with_a_hit_group_reports_only_that_group() -> None:
    words = build_matcher({"open_ended": ["re:(?:、[^、，。]+)+(?P<hit>之类)"]})
    text = "支持CSV、Excel之类的格式"
    [hit] = words.find(text)
    assert (hit.text, hit.start) == ("之类", text.index("之类"))


def test_regex_entry_with_groups_reports_the_whole_match() -> None:
    words = build_matcher({"vague": [r"re:(\d+)\s*ish"]})
    assert found(words, "in 10ish seconds") == [("10ish", "vague")]


def test_longest_match_wins_between_regex_and_phrase() -> None:
    words = build_matcher({"vague": ["about", r"re:about \d+ seconds?"]})
    assert found(words, "about 10 seconds") == [("about 10 seconds", "vague")]


@pytest.mark.parametrize(
    ("words", "fragment"),
    [
        ({"vague": ["re:(unclosed"]}, "'vague'"),
        ({"vague": ["re:(unclosed"]}, "re:(unclosed"),
        ({"escape": ["fine", "re:[z-a]"]}, "'escape'"),
        ({"vague": ["re:x*"]}, "matches the empty string"),
        ({"vague": [""]}, "'vague'"),
        ({"vague": ["re:"]}, "'vague'"),
        ({"vague": [42]}, "42"),
        ({"vague": "some"}, "expected a list"),
    ],
)
def test_bad_entries_raise_value_error_naming_category_and_entry(
    words: dict[str, object], fragment: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(fragment)):
        build_matcher(words)  # type: ignore[arg-type]


def test_empty_word_list_matches_nothing() -> None:
    assert build_matcher({}).find("some fast etc.") == []
    assert build_matcher({"vague": []}).find("some fast etc.") == []


_ENGLISH = ["some", "awesome", " ", "fast", "breakfast", "as soon as possible", "soon", ","]
_FRAGMENTS = [*_ENGLISH, "etc.", "about 5", "İ", "easy to use", "等", "等待", "、", "和", "尽快"]


@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=20))
def test_hits_are_sorted_disjoint_and_point_into_the_text(parts: list[str]) -> None:
    text = "".join(parts)
    hits = build_matcher(DEFAULT_WORDS).find(text)
    reached = 0
    for hit in hits:
        assert hit.start >= reached
        assert hit.end > hit.start
        assert text[hit.start : hit.end] == hit.text
        assert hit.rule == RULES[hit.category]
        reached = hit.end


# --- messages ----------------------------------------------------------------------------------


def test_message_names_the_word_the_rule_and_a_fix(matcher: WordMatcher) -> None:
    # verifies: REQ-106
    # verifies: REQ-508
    [hit] = matcher.find("The export shall be user-friendly.")
    assert message(hit) == (
        "vague wording 'user-friendly' (INCOSE R7: vague term): say what, how much or by when"
    )
    assert (
        message(hit, "zh-CN")
        == "含糊用语“user-friendly”（INCOSE R7：含糊术语）：写明做什么、做到多少、何时完成"
    )


def test_every_category_has_a_message(matcher: WordMatcher) -> None:
    for category, rule in RULES.items():
        text = message(WordHit(0, 1, "x", category, rule))
        assert f"INCOSE {rule}:" in text and "'x'" in text
        assert f"INCOSE {rule}：" in message(WordHit(0, 1, "x", category, rule), "zh-CN")


def test_message_for_a_custom_category() -> None:
    [hit] = build_matcher({"house-style": ["TBD"]}).find("Owner: TBD")
    assert hit.rule == ""
    assert message(hit) == "unverifiable wording 'TBD' (house-style): say what, how much or by when"


# --- EARS (RF407) ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "The system shall export the ledger as CSV.",
        "The export job shall not delete files.",
        "reqforge shall report RF401 for vague titles.",
        "When the user selects export, the system shall process 1000 records in under 10 seconds.",
        "While the client is offline, the app shall queue changes.",
        "If the file is missing, then the system shall report an error.",
        "If the file is missing then the system shall report an error.",
        "Where the audit module is installed, the system shall log every export.",
        "While in export mode, when the user cancels, the system shall discard the partial file.",
        "When the user selects CSV, XLSX or JSON, the system shall export in that format.",
        "WHEN the user logs in, THE SYSTEM SHALL show the dashboard.",
        "  When the user\n  logs in,   the system shall show the dashboard.",
        "当用户点击导出时，系统应在 10 秒内完成 1000 条记录的处理。",
        "系统应支持将客户数据导出为CSV文件。",
        "在离线状态下，客户端应缓存修改。",
        "在导出期间，界面应显示进度。",
        "如果导出失败，则系统应显示错误信息。",
        "若网络中断，那么客户端应当重试三次。",
        "当用户登录后，系统应该显示仪表盘。",
    ],
)
def test_ears_shapes(text: str) -> None:
    # verifies: REQ-110
    assert ears_shape(text)


@pytest.mark.parametrize(
    "text",
    [
        "Export works for big files.",
        "Exports 100,000 rows to CSV in under 10 seconds.",
        "The system must export the ledger.",  # EARS says shall
        "The system should export the ledger.",
        "Users can export data.",
        "When the user exports, the system exports the file.",
        "When the user clicks export the system shall respond.",  # no comma after the trigger
        "The user clicks export, the system shall finish.",  # condition without a keyword
        "After login, the system shall show the dashboard.",
        "Shall export the data.",  # no system
        "",
        "支持导出客户数据。",
        "系统必须支持导出。",  # 必须, not 应
        "响应时间小于1秒。",  # 响应 is not 应
        "客户应收账款导出。",  # 应收 is not 应
        "用户点击导出，系统应在10秒内完成。",  # condition without 当……时
    ],
)
def test_not_ears_shapes(text: str) -> None:
    # verifies: REQ-110
    assert not ears_shape(text)


def test_ears_hint_suggests_the_fix_in_the_criterion_language() -> None:
    # verifies: REQ-110
    assert ears_hint("The system must export the ledger.").startswith(
        "use 'shall' rather than 'must'; expected 'The <system> shall <response>'"
    )
    assert ears_hint("When the user clicks export the system shall respond.").startswith(
        "end the condition with a comma;"
    )
    assert ears_hint("After login, the system shall show it.").startswith(
        "start the condition with 'When', 'While', 'If' or 'Where';"
    )
    assert "'If <trigger>, then the <system> shall <response>'" in ears_hint("Export works.")
    assert ears_hint("系统必须支持导出。").startswith("用“应”表述要求；EARS 句式：")
    assert ears_hint("用户点击导出，系统应完成。").startswith("条件以“当……时”")
    assert "当<触发>时，<系统>应<响应>" in ears_hint("支持导出。")


@pytest.mark.parametrize(
    "text",
    ["When a, " * 300 + "x", "If a then " * 300 + "x", "当a时，" * 300 + "x", "When a " * 300],
)
def test_ears_rejects_pathological_criteria_quickly(text: str) -> None:
    started = time.perf_counter()
    assert not ears_shape(text)
    ears_hint(text)
    assert time.perf_counter() - started < 1.0


def test_hyphenated_compounds_are_not_their_first_word() -> None:
    matcher = build_matcher(DEFAULT_WORDS)
    assert matcher.find("Rank quick-win items first") == []
    assert [hit.text for hit in matcher.find("A quick, user-friendly export")] == [
        "quick",
        "user-friendly",
    ]


@pytest.mark.parametrize("source", [r"\b", r"(?=\w)", "x*", "a|", r"\B", "(?<=a)"])
def test_zero_width_regex_entries_are_refused(source: str) -> None:
    # verifies: REQ-106
    assert regex_entry_problem(source) is not None
    with pytest.raises(ValueError, match="matches the empty string"):
        build_matcher({"vague": [f"re:{source}"]})


def test_the_regex_scan_stops_at_the_end_of_the_text() -> None:
    # verifies: REQ-106
    # A search from one past the end starts at the end again, so a hit there was found forever
    # (`re:\b` hung every command). Run in a subprocess: a regression hangs, it must not stall
    # the suite.
    script = (
        "import re\n"
        "from reqforge.checks.wording import WordMatcher\n"
        "m = WordMatcher(None, None, {}, [(re.compile(r'\\b'), 'x', False)], [None], {'x': 0})\n"
        "print(m.find('shall export'))\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"
