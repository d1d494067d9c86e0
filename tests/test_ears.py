"""The EARS kinds of acceptance criteria (reqforge.checks.ears): each kind in English and Chinese,
the tricky look-alikes, the missing "then" of RF407, speed on pathological input, the accuracy
on tests/data/quality/ears.yaml (bench/ears.py), and the kinds in `show` and `stats`."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.backlog_fixtures import json_of, ok
from tests.bench_modules import bench_module
from tests.conftest import requirement_text

from reqforge.checks.ears import (
    KINDS,
    ears_counts,
    ears_hint,
    ears_kind,
    ears_problem,
    ears_shape,
)

bench = bench_module("ears")

BAR_ACCURACY = 0.9

Repo = Callable[..., Path]


# --- the kinds ----------------------------------------------------------------------------------

ENGLISH = [
    ("The system shall export the ledger as CSV.", "ubiquitous"),
    ("The export job shall not delete files.", "ubiquitous"),
    ("The system shall notify the owner when the export finishes.", "ubiquitous"),
    ("The gateway shall reject a request if its signature is invalid.", "ubiquitous"),
    ("When the user selects export, the system shall write a CSV file.", "event"),
    ("When the user selects CSV, XLSX or JSON, the system shall export in that format.", "event"),
    ("When a, when b, the system shall x.", "event"),  # one kind, twice
    ("While the client is offline, the app shall queue changes.", "state"),
    ("If the file is missing, then the system shall report an error.", "unwanted"),
    ("If the file is missing then the system shall report an error.", "unwanted"),
    ("If the payment fails, the system shall retry once.", "unwanted"),
    ("Where the audit module is installed, the system shall log every export.", "optional"),
    ("While in export mode, when the user cancels, the system shall discard it.", "complex"),
    ("Where SSO is configured, if the IdP is down, then the app shall say so.", "complex"),
    ("WHEN THE USER LOGS IN, THE SYSTEM SHALL SHOW THE DASHBOARD.", "event"),
    ("The system must export the ledger.", None),
    ("When the user clicks export the system shall respond.", None),
    ("After login, the system shall show the dashboard.", None),
    ("The system, when idle, shall lock the screen.", None),
]

CHINESE = [
    ("系统应支持将客户数据导出为CSV文件。", "ubiquitous"),
    ("响应时间应小于1秒。", "ubiquitous"),  # 响应 is not 应
    ("应用服务器应每天备份一次数据库。", "ubiquitous"),  # nor 应用
    ("当前页面应显示订单总数。", "ubiquitous"),  # 当前 is not 当
    ("在线时长应不少于1小时。", "ubiquitous"),  # 在线 is not 在……时
    ("若干报表应支持导出为PDF。", "ubiquitous"),  # 若干 is not 若
    ("当用户点击导出时，系统应在10秒内生成CSV文件。", "event"),
    ("每当订单创建后，系统应发送通知。", "event"),
    ("用户提交工单后，系统应分配处理人。", "event"),
    ("当用户登录时系统应显示上次登录时间。", "event"),  # no comma
    ("在用户点击保存时，系统应保存草稿。", "event"),
    ("在离线状态下，客户端应缓存修改。", "state"),
    ("在导出期间，界面应显示进度。", "state"),
    ("当系统处于离线状态时，客户端应缓存修改。", "state"),
    ("如果导出失败，则系统应显示错误信息。", "unwanted"),
    ("若网络中断，那么客户端应当重试三次。", "unwanted"),
    ("一旦检测到异常登录，系统应冻结账户。", "unwanted"),
    ("在支持打印的情况下，系统应提供打印预览。", "optional"),
    ("在启用双因素认证时，系统应要求输入验证码。", "optional"),
    ("对于支持NFC的手机，应用应提供碰一碰支付。", "optional"),
    ("在维护模式下，当管理员登录时，系统应显示维护面板。", "complex"),
    ("在离线状态下，如果用户提交表单，则应用应保存表单。", "complex"),
    ("系统必须支持导出。", None),
    ("用户点击导出，系统应完成。", None),
    ("最后，系统应发送确认邮件。", None),  # 最后 (finally) is no trigger
    ("系统应用户要求导出报表。", None),  # 应用户要求: no "shall"
    ("对于所有订单，系统应保存30天。", None),  # a scope, not a feature
]


@pytest.mark.parametrize(("text", "kind"), ENGLISH)
def test_english_kinds(text: str, kind: str | None) -> None:
    # verifies: REQ-110
    assert ears_kind(text) == kind
    assert ears_shape(text) == (kind is not None)


@pytest.mark.parametrize(("text", "kind"), CHINESE)
def test_chinese_kinds(text: str, kind: str | None) -> None:
    # verifies: REQ-110
    assert ears_kind(text) == kind
    assert ears_shape(text) == (kind is not None)


def test_every_kind_is_covered_in_both_languages() -> None:
    for cases in (ENGLISH, CHINESE):
        assert {kind for _, kind in cases} == {*KINDS, None}


ENGLISH_WORDS = ["When ", "while ", "If ", "where ", "then ", "the system ", "shall ", "x ", ", "]
CHINESE_WORDS = [
    "当",
    "时",
    "后",
    "在",
    "期间",
    "如果",
    "则",
    "对于",
    "支持",
    "，",
    "系统",
    "应",
    "响应",
]
ALPHABET = st.sampled_from([*ENGLISH_WORDS, ",", ".", *CHINESE_WORDS])


@given(st.lists(ALPHABET, max_size=14).map("".join))
def test_shape_is_having_a_kind(text: str) -> None:
    # verifies: REQ-110
    kind = ears_kind(text)
    assert ears_shape(text) == (kind is not None)
    assert kind is None or kind in KINDS
    assert (ears_problem(text) is None) <= (kind is not None)


@pytest.mark.parametrize(
    "text",
    [
        "When a, " * 1300,
        "If a then " * 1000,
        "While a " * 1300,
        "When " + "a" * 10_000 + ", the system shall x.",
        "The system " + "x " * 5000,
        "当a时，" * 2500,
        "如果" * 5000,
        "在" + "状" * 10_000 + "期间，系统应x。",
        "应" * 10_000,
        ", " * 5000,
    ],
)
def test_pathological_criteria_take_no_time(text: str) -> None:
    # Backtracking regexes take exponential time on such texts; these finish in microseconds.
    assert len(text) >= 10_000
    started = time.perf_counter()
    ears_kind(text)
    ears_problem(text)
    ears_hint(text)
    assert time.perf_counter() - started < 0.5


def test_the_kind_shows_in_the_opening_of_a_long_criterion() -> None:
    assert ears_kind("While offline, the app shall queue " + "changes " * 2000) == "state"


# --- RF407's messages ---------------------------------------------------------------------------


def test_a_criterion_in_no_shape_gets_the_hint() -> None:
    # verifies: REQ-110
    assert ears_problem("The system must export the ledger.") == ears_hint(
        "The system must export the ledger."
    )
    assert ears_problem("系统必须支持导出。") == ears_hint("系统必须支持导出。")
    assert ears_problem("When the user logs in, the system shall show it.") is None


@pytest.mark.parametrize(
    "text",
    [
        "If the payment fails, the system shall retry once.",
        "if the payment fails, the system shall retry once, then stop.",  # not that "then"
        "While charging, if the battery is hot, the charger shall stop.",
    ],
)
def test_if_without_then_gets_its_own_hint(text: str) -> None:
    # verifies: REQ-110
    assert ears_kind(text) is not None
    assert ears_problem(text) == (
        "add 'then' after the 'If' condition: 'If <trigger>, then the <system> shall <response>'"
    )


@pytest.mark.parametrize("text", ["如果支付超时，系统应取消订单。", "如果余额不足系统应拒绝扣款。"])
def test_ru_guo_without_ze_gets_its_own_hint_in_chinese(text: str) -> None:
    # verifies: REQ-110
    problem = ears_problem(text)
    assert problem is not None and "如果<条件>，则<系统>应<响应>" in problem


@pytest.mark.parametrize(
    "text",
    [
        "If the payment fails, then the system shall retry once.",
        "If the payment fails then the system shall retry once.",
        "The system shall retry if the payment fails.",
        "如果导出失败，则系统应显示错误信息。",
        "若网络中断，那么客户端应当重试三次。",
        "如果导出失败则系统应通知管理员。",
    ],
)
def test_if_with_then_is_fine(text: str) -> None:
    assert ears_problem(text) is None


def test_counts_follow_the_kinds_order_then_none() -> None:
    texts = ["如果a，则系统应b。", "The system shall x.", "Exports.", "When a, the b shall c."]
    counts = ears_counts(texts)
    assert counts == {"ubiquitous": 1, "event": 1, "unwanted": 1, "(none)": 1}
    assert list(counts) == ["ubiquitous", "event", "unwanted", "(none)"]
    assert ears_counts([]) == {}


# --- measured on the labelled criteria ----------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "zh"])
def test_kind_accuracy_on_the_labelled_criteria(language: str) -> None:
    # verifies: REQ-110
    result = bench.evaluate(language)
    assert result.count >= 60
    assert result.accuracy >= BAR_ACCURACY, result.mistakes
    then = result.scores[bench.THEN]
    assert then.true >= 3 and then.false_alarms == 0 and then.misses == 0, result.mistakes


def test_labelled_criteria_cover_every_kind() -> None:
    for language in ("en", "zh"):
        kinds = {item["kind"] for item in bench.criteria(language)}
        assert kinds == {*KINDS, None}
    assert re.search(r"\| complex \|", bench.table())


# --- show and stats -----------------------------------------------------------------------------

CRITERIA = [
    "When the user exports 100 rows, the system shall write a CSV file.",
    "If the export fails, then the system shall say why.",
    "Exports are fast.",
    "在离线状态下，客户端应缓存修改。",
]


def requirement(rid: str, criteria: list[str]) -> str:
    text = requirement_text(rid)
    listed = "".join(f"  - {json.dumps(c, ensure_ascii=False)}\n" for c in criteria)
    head, tail = text.split("acceptance:\n", 1)
    return head + "acceptance:\n" + listed + tail.split("\n", 1)[1]


@pytest.fixture
def ears_repo(make_repo: Repo) -> Path:
    return make_repo(
        {
            "reqs/CRM-1.md": requirement("CRM-1", CRITERIA),
            "reqs/CRM-2.md": requirement("CRM-2", ["The system shall keep 90 days of logs."]),
        }
    )


def test_show_lists_each_criterion_with_its_kind(ears_repo: Path) -> None:
    # verifies: REQ-706
    lines = ok(ears_repo, "show", "CRM-1").stdout.splitlines()
    start = lines.index("  acceptance:")
    assert lines[start + 1 : start + 5] == [
        f"    - {CRITERIA[0]}  [event]",
        f"    - {CRITERIA[1]}  [unwanted]",
        f"    - {CRITERIA[2]}",  # no shape, no label
        f"    - {CRITERIA[3]}  [state]",
    ]


def test_show_json_has_the_kind_of_each_criterion(ears_repo: Path) -> None:
    # verifies: REQ-706
    document = json_of(ears_repo, "show", "CRM-1")
    assert document["fields"]["acceptance"] == CRITERIA
    assert document["acceptance_ears"] == ["event", "unwanted", None, "state"]


def test_stats_counts_criteria_by_kind(ears_repo: Path) -> None:
    # verifies: REQ-310
    document = json_of(ears_repo, "stats")
    assert document["acceptance_by_ears_kind"] == {
        "ubiquitous": 1,
        "event": 1,
        "state": 1,
        "unwanted": 1,
        "(none)": 1,
    }
    text = ok(ears_repo, "stats").stdout
    assert "Acceptance criteria by EARS kind" in text
    table = text[text.index("Acceptance criteria by EARS kind") :]
    for kind in ("ubiquitous", "event", "state", "unwanted", r"\(none\)"):
        assert re.search(kind + r"[^\w\n]+1\b", table), kind


def test_stats_without_criteria_has_no_kinds_table(make_repo: Repo) -> None:
    root = make_repo({"reqs/CRM-1.md": requirement("CRM-1", [])})
    assert json_of(root, "stats")["acceptance_by_ears_kind"] == {}
    assert "EARS kind" not in ok(root, "stats").stdout


def test_check_reports_if_without_then_as_rf407(make_repo: Repo) -> None:
    # verifies: REQ-110
    root = make_repo(
        {"reqs/CRM-1.md": requirement("CRM-1", ["If the export fails, the system shall say why."])},
        config="[lint]\nears = true\n",
    )
    document = json.loads(ok_check(root))
    found = [f for f in document["findings"] if f["code"] == "RF407"]
    assert len(found) == 1
    assert found[0]["message"].startswith("acceptance[0]: add 'then' after the 'If' condition")


def ok_check(root: Path) -> str:
    from click.testing import CliRunner

    from reqforge.cli.main import cli

    result = CliRunner().invoke(cli, ["--repo", str(root), "check", "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    return result.stdout
