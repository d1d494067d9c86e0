"""Tests of the structure rules (R19 several "shall", R24 pronouns, R2 Chinese passive, R6 units),
of the phrase marks `word~` and `...`, of quoting and of overlaps (reqforge.checks.wording)."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from reqforge.checks.wording import (
    CODES,
    DEFAULT_WORDS,
    RULES,
    WordMatcher,
    build_matcher,
    inflections,
)
from reqforge.cli.main import cli
from reqforge.config import LINT_CATEGORIES


@pytest.fixture(scope="module")
def matcher() -> WordMatcher:
    return build_matcher(DEFAULT_WORDS)


def found(matcher: WordMatcher, text: str) -> list[tuple[str, str]]:
    return [(hit.text, hit.category) for hit in matcher.find(text)]


def categories(matcher: WordMatcher, text: str) -> set[str]:
    return {hit.category for hit in matcher.find(text)}


def test_configurable_categories_are_the_built_in_ones() -> None:
    # verifies: REQ-722
    assert set(LINT_CATEGORIES) == set(RULES) == set(CODES) == set(DEFAULT_WORDS)


# --- phrase marks ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "forms"),
    [
        ("minimize", {"minimize", "minimizes", "minimized", "minimizing"}),
        ("simplify", {"simplify", "simplifies", "simplified", "simplifying"}),
        ("delay", {"delay", "delays", "delayed", "delaying"}),
        ("box", {"box", "boxes", "boxed", "boxing"}),
        ("export", {"export", "exports", "exported", "exporting"}),
    ],
)
def test_inflections_follow_the_spelling_rules(word: str, forms: set[str]) -> None:
    # verifies: REQ-722
    assert set(inflections(word)) == forms
    assert inflections(word)[0] == word


def test_an_inflected_entry_matches_every_form_and_only_whole_words() -> None:
    # verifies: REQ-722
    m = build_matcher({"vague": ["minimize~ the impact~"]})
    for text in ("minimize the impact", "It minimizes the impacts.", "minimizing the impacted"):
        assert [h.category for h in m.find(text)] == ["vague"], text
    assert m.find("minimizer the impact") == []


@pytest.mark.parametrize(
    ("text", "hit"),
    [
        ("to the extent possible", "to the extent possible"),
        ("To the maximum extent possible.", "To the maximum extent possible"),
        ("to the very fullest extent possible", "to the very fullest extent possible"),
        ("视具体情况而定", "视具体情况而定"),
        ("根据业务需要而定", "根据业务需要而定"),
    ],
)
def test_a_gap_stands_for_words_in_between(text: str, hit: str) -> None:
    # verifies: REQ-722
    m = build_matcher({"escape": ["to the ... extent possible", "视…而定", "根据...而定"]})
    assert [h.text for h in m.find(text)] == [hit]


@pytest.mark.parametrize(
    "text",
    [
        "to the one two three four extent possible",  # four words: past the gap
        "into the extent possible",  # the first word is whole
        "to the extent possibles",  # and the last
        "视情况，由销售而定",  # the gap stays inside its clause
    ],
)
def test_a_gap_is_bounded(text: str) -> None:
    # verifies: REQ-722
    m = build_matcher({"escape": ["to the ... extent possible", "视…而定"]})
    assert m.find(text) == []


def test_gapped_entries_of_one_start_share_their_pattern() -> None:
    m = build_matcher({"escape": ["to the ... extent possible", "to the ... extent practical"]})
    assert len(m._patterns) == 1  # "to the" is tried once for both
    assert [h.text for h in m.find("to the extent practical")] == ["to the extent practical"]
    assert [h.text for h in m.find("to the fullest extent possible")] == [
        "to the fullest extent possible"
    ]


# --- overlaps and quotes -----------------------------------------------------------------------


def test_constructions_overlap_words_but_words_do_not_overlap(matcher: WordMatcher) -> None:
    # verifies: REQ-722
    both = categories(matcher, "Log timestamps should be always preferred.")
    assert {"passive", "absolute"} <= both
    # "where appropriate" is an escape clause, not also a vague "appropriate"
    assert found(matcher, "Notify the owner where appropriate.") == [
        ("where appropriate", "escape")
    ]


def test_nothing_starts_ends_or_passes_inside_quotes(matcher: WordMatcher) -> None:
    # verifies: REQ-722
    text = "Each criterion shall follow the `The <system> shall` shape and name its system."
    assert "combinator" not in categories(matcher, text)
    assert found(matcher, "The “快速下单” button shall open the cart.") == []
    # what is outside the quotes is still read
    assert ("fast", "vague") in found(matcher, 'The "Export" menu shall be fast.')


# --- R19: several requirements in one sentence -------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "OTP generators SHOULD discourage and SHALL NOT facilitate cloning.",
        "The RP SHALL specify the age, and the CSP SHALL reauthenticate the subscriber.",
        "A consumer must treat absence as unknown and must not require the attribute.",
        "系统应生成账单，并应将账单发送给客户。",
        "系统应记录日志，同时应通知管理员。",
    ],
)
def test_two_requirements_joined_in_one_sentence(matcher: WordMatcher, text: str) -> None:
    # verifies: REQ-722
    assert "combinator" in categories(matcher, text)


@pytest.mark.parametrize(
    "text",
    [
        "The system shall export the report. The user shall sign it.",  # two sentences
        "The system shall export invoices and credit notes.",  # one action, two objects
        "系统应响应查询，并显示结果。",  # 响应 is no second 应
    ],
)
def test_one_requirement_is_not_a_combination(matcher: WordMatcher, text: str) -> None:
    # verifies: REQ-722
    assert "combinator" not in categories(matcher, text)


def test_the_combination_pattern_is_linear_on_a_pathological_criterion(
    matcher: WordMatcher,
) -> None:
    text = "the tool shall " + "shall " * 20000
    started = time.perf_counter()
    matcher.find(text)
    assert time.perf_counter() - started < 2.0


# --- R24: pronouns -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "hit"),
    [
        ("The logger shall create a file. It will try ten times.", "It"),
        ("Basically, it should ignore the header.", "it"),
        ("However this should be minimal.", "this"),
        ("The handler is left to the runtime, but it should be cached.", "it"),
    ],
)
def test_a_pronoun_opening_a_requirement_is_reported(
    matcher: WordMatcher, text: str, hit: str
) -> None:
    # verifies: REQ-722
    assert (hit, "pronoun") in found(matcher, text)


@pytest.mark.parametrize(
    "text",
    [
        "When a protocol is specified, it must be one of TCP, UDP or SCTP.",  # named before
        "If and when an authenticator expires, it SHALL NOT be usable.",
        "It should be easy to visualize core usage.",  # an expletive "it" points nowhere
        "The export shall include it.",  # an object, not the subject
    ],
)
def test_a_pronoun_with_its_noun_at_hand_is_not_reported(matcher: WordMatcher, text: str) -> None:
    # verifies: REQ-722
    assert "pronoun" not in categories(matcher, text)


# --- R2: the Chinese notional passive ----------------------------------------------------------


def test_chinese_passive_markers_without_agent(matcher: WordMatcher) -> None:
    # verifies: REQ-722
    assert ("予以", "passive") in found(matcher, "过期的草稿应予以删除。")
    assert ("加以", "passive") in found(matcher, "异常订单须加以标记。")
    assert "passive" not in categories(matcher, "过期的草稿应由清理任务予以删除。")


# --- R6: units ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "hit"),
    [
        ("The system shall respond within 10.", "10"),
        ("The upload limit shall be 50 per file.", "50"),
        ("The maximum attachment size shall be 25.", "25"),
        ("The session timeout shall be 1.5.", "1.5"),
        ("系统应在10内响应查询请求。", "10"),
        ("超时时间应设置为30。", "30"),
        ("单个附件大小不得超过20。", "20"),
    ],
)
def test_a_quantity_without_its_unit(matcher: WordMatcher, text: str, hit: str) -> None:
    # verifies: REQ-722
    assert (hit, "units") in found(matcher, text)
    assert any(h.rule == "R6" for h in matcher.find(text))


@pytest.mark.parametrize(
    "text",
    [
        "The system shall respond within 10 seconds.",
        "The search shall respond within 0.5 s.",  # not "0" of "0.5"
        "The server shall open 10 channels.",  # a count: its noun follows
        "When the size is 0, the tool shall output null.",  # zero needs no unit
        "Memory shall grow by a factor of 2.3 or less.",
        "The API shall return 404.",
        "Availability shall be 99.9% per calendar month.",
        "系统应在10秒内响应查询请求。",
        "超时时间应设置为30秒。",
        "单个附件大小不得超过20MB。",
        "每页显示20条记录。",
    ],
)
def test_a_quantity_with_its_unit_or_a_count(matcher: WordMatcher, text: str) -> None:
    # verifies: REQ-722
    assert "units" not in categories(matcher, text)


# --- the rule as users see it ------------------------------------------------------------------


def test_units_rule_is_explained_and_reported_with_its_code(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # verifies: REQ-722
    result = CliRunner().invoke(cli, ["check", "--explain", "RF420"])
    assert result.exit_code == 0
    assert "R6" in result.output and "within 10 seconds" in result.output
    (tmp_path / "reqs").mkdir()
    (tmp_path / "reqforge.toml").write_text('[project]\nname = "t"\n', encoding="utf-8")
    (tmp_path / "reqs" / "REQ-001.md").write_text(
        "---\nid: REQ-001\ntitle: Search results\ntype: functional\nstatus: proposed\n"
        "acceptance:\n  - The search shall respond within 10.\n---\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check"])
    assert "RF420" in result.output and "'10'" in result.output
    assert "acceptance[0]" in result.output
    result = CliRunner().invoke(cli, ["check", "--ignore", "RF420"])
    assert "RF420" not in result.output


# --- triggers: a regex entry runs only on a text that holds one of its literals -----------------


@pytest.mark.parametrize(
    ("source", "strings", "at_word_start"),
    [
        (r"(?a:\b)(?:shall|must|should)[ \t]+x", {"shall", "must", "should"}, True),
        (r"s(?<![a-z0-9_]s)hall(?![a-z0-9_])", {"shall"}, True),
        (r"about(?<![a-z0-9_]about)(?=[ \t]*[0-9])", {"about"}, True),
        (r"100[ \t]*(?:%|percent)", {"100"}, False),
        (r"[,(][ \t]*(?:\.\.\.|…)", {"...", "…"}, False),
        (r"(?P<hit>[0-9]+)(?=[ \t]*(?:内|以内|之内))", {"内", "以内", "之内"}, False),
        (r"(?:sh)(?:all|ould) not", {"shall", "should"}, False),
    ],
)
def test_a_regex_entry_names_the_text_it_needs(
    source: str, strings: set[str], at_word_start: bool
) -> None:
    from reqforge.checks.patterns import trigger_of

    trigger = trigger_of(re.compile(source))
    assert trigger is not None
    found, anchored = trigger
    assert found == strings
    assert anchored is at_word_start


def test_an_entry_without_literal_text_always_runs() -> None:
    from reqforge.checks.patterns import trigger_of

    assert trigger_of(re.compile(r"[0-9]+[a-z]")) is None
    m = build_matcher({"units": [r"re:[0-9]+(?=z)"]})
    assert [h.text for h in m.find("take 10z")] == ["10"]


def _sentences() -> list[str]:
    import yaml

    data = Path(__file__).parent / "data" / "quality"
    texts = []
    for name in ("en.yaml", "zh.yaml"):
        with (data / name).open(encoding="utf-8") as handle:
            texts += [item["text"] for item in yaml.safe_load(handle)["sentences"]]
    return texts


def test_triggers_change_no_finding_on_the_labelled_sentences(matcher: WordMatcher) -> None:
    # verifies: REQ-722
    every = build_matcher(DEFAULT_WORDS, triggers=False)
    for text in _sentences():
        assert matcher.find(text) == every.find(text), text


_PIECES = [
    "shall", "must", "should", "and", "or", "it", "this", "however,", "but", "within", "10",
    "0.5", "s", "size", "be", "generated", "by", "as", "soon", "possible", "to the", "extent",
    "maximum", "etc.", "...", "100%", "of", "应", "并应", "在", "10内", "超时时间", "设置为",
    "30", "。", ".", ",", "，", "`", '"', "“", "”", "and other", "formats", "about", "5",
    "periodically", "every", "better", "than", "尽可能", "快", "等", "格式", "、", "予以", "被",
]  # fmt: skip


@given(st.lists(st.sampled_from(_PIECES), max_size=14), st.sampled_from(["", " "]))
def test_triggers_change_no_finding_on_any_text(pieces: list[str], glue: str) -> None:
    # verifies: REQ-722
    text = glue.join(pieces)
    assert _TRIGGERED.find(text) == _EVERY.find(text)


_TRIGGERED = build_matcher(DEFAULT_WORDS)
_EVERY = build_matcher(DEFAULT_WORDS, triggers=False)
