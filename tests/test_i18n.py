"""Messages in the configured language: the gettext catalogs under locale/ are complete and up to
date with the sources, and `language = "zh-CN"` gives Chinese output from end to end."""

from __future__ import annotations

import ast
import gettext
import importlib.util
import io
import json
import pickle
import string
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner
from tests.gitrepo import GitRepo

from reqforge.cli.main import cli
from reqforge.i18n import Text, catalog_name, locale_dir, localize, translator

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "tooling" / "reqforge"
KEYWORDS = {"_", "N_", "Text", "gettext", "ngettext"}

babel = pytest.importorskip("babel", reason="Babel (the test extra) extracts the catalogs")
from babel.messages.pofile import read_po  # noqa: E402


def _catalog_tool() -> ModuleType:
    """tooling/update_catalogs.py: the one extraction the catalogs were made with."""
    spec = importlib.util.spec_from_file_location(
        "update_catalogs", ROOT / "tooling" / "update_catalogs.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def tool() -> ModuleType:
    return _catalog_tool()


@pytest.fixture(scope="module")
def template(tool: ModuleType):  # type: ignore[no-untyped-def]
    return tool.extract_template()


def _ids(catalog) -> set[object]:  # type: ignore[no-untyped-def]
    return {message.id for message in catalog if message.id}


def _fields(text: str) -> list[tuple[str, str, str]]:
    """The replacement fields of a format string: (name, conversion, spec), sorted."""
    return sorted(
        (name, conversion or "", spec or "")
        for _, name, spec, conversion in string.Formatter().parse(text)
        if name is not None
    )


# --- the catalogs -------------------------------------------------------------------------------


def test_template_holds_exactly_the_messages_of_the_sources(template, tool) -> None:  # type: ignore[no-untyped-def]
    # verifies: REQ-508
    with (tool.LOCALE / "reqforge.pot").open("rb") as source:
        committed = read_po(source)
    extracted = _ids(template)
    assert extracted, "no message extracted"
    missing = sorted(map(str, extracted - _ids(committed)))
    stale = sorted(map(str, _ids(committed) - extracted))
    assert not missing and not stale, (
        f"locale/reqforge.pot is out of date: run tooling/update_catalogs.py\n"
        f"new: {missing}\ngone: {stale}"
    )


def test_every_message_written_in_the_code_is_extracted(template) -> None:  # type: ignore[no-untyped-def]
    """Babel skips messages inside f-strings and some nested calls: such a message would
    stay English in every language. Every literal given to a message keyword must be in the
    extraction, and no code may call a translator without binding it to `_` first."""
    extracted = {m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id}
    lost: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            if isinstance(node.func, ast.Call) and getattr(node.func.func, "id", "") in (
                "translator",
                "plural_translator",
            ):
                lost.append(f"{where}: bind the translator to `_` (or `ngettext`) first")
            if isinstance(node.func, ast.Name) and node.func.id in KEYWORDS and node.args:
                first = node.args[0]
                if isinstance(first, ast.JoinedStr):
                    lost.append(f"{where}: an f-string cannot be a message")
                elif isinstance(first, ast.Constant) and first.value not in extracted:
                    lost.append(f"{where}: {first.value!r} is not extracted")
    assert not lost, "\n".join(lost)


def test_every_message_has_a_chinese_translation_with_the_same_placeholders(  # type: ignore[no-untyped-def]
    template, tool
) -> None:
    # verifies: REQ-508
    with (tool.LOCALE / "zh_CN" / "LC_MESSAGES" / "reqforge.po").open("rb") as source:
        chinese = read_po(source)
    problems: list[str] = []
    for message in template:
        if not message.id:
            continue
        entry = chinese.get(message.id)
        if entry is None:
            problems.append(f"not in zh_CN: {message.id!r}")
            continue
        if entry.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        if not all(s and s.strip() for s in strings):
            problems.append(f"untranslated: {message.id!r}")
            continue
        for translated in strings:
            if _fields(translated) != _fields(ids[-1]) or _fields(ids[0]) != _fields(ids[-1]):
                problems.append(f"placeholders differ: {message.id!r} -> {translated!r}")
    assert not problems, "\n".join(problems)


def test_compiled_catalogs_match_their_po_files(tool) -> None:  # type: ignore[no-untyped-def]
    # verifies: REQ-508
    for po in tool.catalog_paths():
        with po.open("rb") as source:
            catalog = read_po(source)
        mo = po.with_suffix(".mo")
        assert mo.read_bytes() == tool.compiled(catalog), f"{mo} is stale: run the update"


def test_the_catalogs_ship_inside_the_wheel() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"locale" = "reqforge/locale"' in pyproject
    assert (locale_dir() / "zh_CN" / "LC_MESSAGES" / "reqforge.mo").is_file()


# --- the runtime --------------------------------------------------------------------------------


def test_languages_map_to_catalogs() -> None:
    assert catalog_name("zh-CN") == "zh_CN"
    assert catalog_name("zh_cn") == "zh_CN"
    assert catalog_name("en") == "en"
    assert catalog_name("fr") == "en"  # a language without a catalog reads as English


def test_a_text_reads_as_english_and_translates_with_its_values() -> None:
    # verifies: REQ-508
    inner = Text("the number {value}", value=7)
    text = Text("{field}: expected {expected}, got {got}", field="x", expected="y", got=inner)
    assert text == "x: expected y, got the number 7"
    assert localize(text, "zh-CN") == "x：应为y，实际为数字 7"
    assert localize("plain data", "zh-CN") == "plain data"
    copy = pickle.loads(pickle.dumps(text))  # across worker processes
    assert localize(copy, "zh-CN") == localize(text, "zh-CN")


def test_runtime_reads_the_catalogs_with_the_standard_library_only() -> None:
    assert isinstance(
        gettext.translation("reqforge", str(locale_dir()), ["zh_CN"]), gettext.GNUTranslations
    )
    assert translator("zh-CN")("Fields") == "字段"
    assert translator("en")("Fields") == "Fields"
    code = "import reqforge.cli.main, reqforge.i18n, sys; print('babel' in sys.modules)"
    import subprocess

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- end to end ---------------------------------------------------------------------------------

CONFIG = """\
[project]
language = "{language}"

[trace]
scan = ["src"]

[trace.require]
functional = ["implemented", "verified"]
"""
REQUIREMENT = """\
---
id: {id}
title: {title}
type: functional
status: {status}
owner: zhang.wei
due: 2026-01-01
source:
  channel: interview
  customers: [acme, nobody]
priority:
  moscow: must
  importance: high
  urgency: urgent
  ice: {{impact: 5, confidence: 1, ease: 1}}
links:
  depends-on: [{target}]
acceptance:
  - 当用户导出数据时，系统应在 2 秒内生成文件。
---
正文：{title}。
"""
# English sentences of every command's output: none may appear in Chinese output.
ENGLISH = (
    "requirements in", "no problems found", "error,", "warnings", "is not a customer",
    "does not match", "unknown requirement", "overdue by", "requirement without", "marker for",
    "Fields", "Priorities", "Links", "Impact of a change", "Trace", "Body", "(none)",
    "Backlog", "Figure", "fulfilment", "By status", "By customer", "Requested", "responses",
    "Traceability", "covered", "Title", "Status", "Missing", "orphans", "note:",
    "added", "modified", "(no changes)", "removed (was", "body +", "did you mean",
)  # fmt: skip


@pytest.fixture
def chinese_repo(tmp_path: Path) -> Path:
    """Two requirements with findings of many kinds, code markers and two commits."""
    repo = GitRepo(tmp_path / "repo", tmp_path / "home")
    repo.write("reqforge.toml", CONFIG.format(language="zh-CN"))
    repo.write("reqs/customers.yaml", "acme:\n  name: Acme 公司\n  tier: A\n")
    first = {"id": "CRM-1", "title": "批量导出客户数据", "status": "proposed", "target": "CRM-2"}
    repo.write("reqs/CRM-1.md", REQUIREMENT.format(**first))
    second = {"id": "CRM-2", "title": "导出界面友好", "status": "accepted", "target": "CRM-9"}
    repo.write("reqs/CRM-2.md", REQUIREMENT.format(**second))
    repo.write("src/export.py", "# implements: CRM-1\n# implements: CRM-7\n")
    repo.commit("首次提交")
    text = REQUIREMENT.format(**{**first, "status": "accepted"})
    repo.write("reqs/CRM-1.md", text.replace("owner: zhang.wei", "owner: li.na\ntitel: 错字"))
    repo.commit("接受 CRM-1")
    return repo.root


def _run(root: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli,
        ["--repo", str(root), *args],
        env={"REQFORGE_TODAY": "2026-12-01", "COLUMNS": "200", **(env or {})},
    )
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (("check",), [
            "2 个文件中的 2 条需求：4 个错误，8 个警告", "不是 reqs/customers.yaml 中的客户",
            "已逾期 334 天", "未知字段 'titel'（是否想写 'title'？）", "含糊用语“友好”",
            "没有 implemented 或 verified 标记", "links.depends-on：未知需求 'CRM-9'",
        ]),
        (("show", "CRM-1"), [
            "字段", "优先级", "评估分歧：", "链接", "变更影响", "可追溯性", "正文",
        ]),
        (("stats",), [
            "待办概览", "完成率", "按状态", "按客户", "Acme 公司（acme，A 级）", "暂无反馈",
        ]),
        (("trace",), ["可追溯性：已覆盖 0/2（0.0%）", "编号", "缺失", "孤立需求：CRM-2"]),
        (("trace", "--summary"), ["覆盖率：0/2 条需求已覆盖", "验证测试：无", "可疑链接：0"]),
        (("log",), ["接受 CRM-1", "CRM-1 修改", "CRM-2 新增", "另有 14 个字段，正文 1 行"]),
        (("log", "CRM-1"), ["CRM-1 修改 (reqs/CRM-1.md)", "status proposed -> accepted"]),
        (("list",), ["编号", "标题", "负责人", "共 2 条需求，显示 2 条"]),
        (("prioritize",), ["待办列表", "阻塞 CRM-1", "已排序 2 条需求"]),
    ],
)  # fmt: skip
def test_chinese_configuration_gives_chinese_output(
    chinese_repo: Path, command: tuple[str, ...], expected: list[str]
) -> None:
    # verifies: REQ-508
    _, output = _run(chinese_repo, *command)
    assert "Traceback" not in output and "internal error" not in output, output
    for phrase in expected:
        assert phrase in output, f"{phrase!r} not in:\n{output}"
    english = [phrase for phrase in ENGLISH if phrase in output]
    assert not english, f"English in Chinese output: {english}\n{output}"


def test_json_keys_and_codes_stay_english_while_messages_follow_the_language(
    chinese_repo: Path,
) -> None:
    # verifies: REQ-508
    _, output = _run(chinese_repo, "check", "--format", "json")
    document = json.loads(output)
    finding = next(f for f in document["findings"] if f["code"] == "RF105" or f["code"] == "RF201")
    assert set(finding) >= {"code", "severity", "path", "line", "column", "message"}
    assert finding["message"] == "links.depends-on：未知需求 'CRM-9'"
    _, sarif = _run(chinese_repo, "check", "--format", "sarif")
    rules = json.loads(sarif)["runs"][0]["tool"]["driver"]["rules"]
    assert all(rule["id"].startswith("RF") for rule in rules)
    unknown_link = next(rule for rule in rules if rule["id"] == "RF201")
    assert unknown_link["name"] == "LinkToAnUnknownId"  # a name, like the id: English
    assert unknown_link["shortDescription"]["text"] == "链接到未知编号"


def test_cached_findings_follow_a_change_of_language(chinese_repo: Path) -> None:
    """The parse and cross-file caches hold messages already translated: they are keyed by the
    configuration, which holds `project.language`."""
    # verifies: REQ-508
    # verifies: REQ-108
    _, chinese = _run(chinese_repo, "check")
    assert "不是 reqs/customers.yaml 中的客户" in chinese
    (chinese_repo / "reqforge.toml").write_text(CONFIG.format(language="en"), encoding="utf-8")
    _, english = _run(chinese_repo, "check")
    assert "'nobody' is not a customer in reqs/customers.yaml" in english
    assert "links.depends-on: unknown requirement 'CRM-9'" in english
    assert "客户" not in english.replace("Acme 公司", "")
    (chinese_repo / "reqforge.toml").write_text(CONFIG.format(language="zh-CN"), encoding="utf-8")
    assert _run(chinese_repo, "check") == (1, chinese)


def test_reqforge_lang_speaks_where_no_configuration_is_read(tmp_path: Path) -> None:
    # verifies: REQ-508
    empty = tmp_path / "nothing"
    empty.mkdir()
    _, output = _run(empty, "check", "--explain", "RF101", env={"REQFORGE_LANG": "zh-CN"})
    assert "RF101 (error): 缺少必填字段" in output
    assert "如需对某条需求忽略此项" in output
    broken = tmp_path / "broken"
    (broken / "reqs").mkdir(parents=True)
    (broken / "reqforge.toml").write_text("[project]\nlanguage = 5\n", encoding="utf-8")
    code, output = _run(broken, "check", env={"REQFORGE_LANG": "zh-CN"})
    assert code == 2
    assert output.startswith("reqforge：错误：reqforge.toml:2: project.language: 应为字符串"), (
        output
    )
    code, output = _run(broken, "check", env={"REQFORGE_LANG": ""})
    assert output.startswith(
        "reqforge: error: reqforge.toml:2: project.language: expected a string"
    )


def test_explain_follows_the_configured_language(chinese_repo: Path) -> None:
    # verifies: REQ-508
    # verifies: REQ-109
    code, output = _run(chinese_repo, "check", "--explain", "RF201")
    assert code == 0
    assert output.splitlines()[0] == "RF201 (error): 链接到未知编号"
    assert "错误示例：" in output and "正确示例：" in output


def test_english_stays_the_source_language(tmp_path: Path) -> None:
    """Every English message is its own msgid: the English catalog translates nothing, so
    English output is what the code says, byte for byte."""
    with (locale_dir() / "en" / "LC_MESSAGES" / "reqforge.po").open("rb") as source:
        english = read_po(source)
    strings = [m.string if isinstance(m.string, tuple) else (m.string,) for m in english if m.id]
    assert not [s for s in strings if any(s)]
    assert io.StringIO(translator("en")("{requirements} in {files}: no problems found")).read() == (
        "{requirements} in {files}: no problems found"
    )


def test_the_configured_language_reaches_a_fresh_repository(tmp_path: Path) -> None:
    root = tmp_path / "fresh"
    (root / "reqs").mkdir(parents=True)
    (root / "reqforge.toml").write_text(textwrap.dedent(CONFIG.format(language="zh-CN")))
    code, output = _run(root, "check")
    assert code == 0
    assert output.splitlines() == [
        "提示：不是 git 仓库：没有历史记录；未检查可疑链接（RF406）",
        "0 个文件中的 0 条需求：未发现问题",
    ]


def test_help_is_in_the_configured_language(
    chinese_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # verifies: REQ-508
    # verifies: REQ-700
    monkeypatch.chdir(chinese_repo)  # --help is answered before --repo is read
    top = CliRunner().invoke(cli, ["--help"]).output
    assert "  log         来自 git 的字段级变更历史，最新的在前\n" in top
    assert "只输出结果，不在 stderr 上输出提示或汇总。" in top
    _, check = _run(chinese_repo, "check", "--help")
    assert "校验每条需求并报告发现的全部问题，按路径和行号排序。" in check
    assert "RF201  error    链接到未知编号" in check
    assert "不报告这些代码或前缀。" in check
    (chinese_repo / "reqforge.toml").write_text(CONFIG.format(language="en"), encoding="utf-8")
    _, english = _run(chinese_repo, "check", "--help")
    assert "Validate every requirement and report all findings" in english
    assert "RF201  error    link to an unknown ID" in english


def test_a_new_translation_invalidates_the_caches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cached findings hold translated messages: the cache key covers the compiled catalogs."""
    # verifies: REQ-108
    import reqforge.cache as cache

    catalogs = tmp_path / "locale" / "zh_CN" / "LC_MESSAGES"
    catalogs.mkdir(parents=True)
    monkeypatch.setattr(cache, "locale_dir", lambda: tmp_path / "locale")
    (catalogs / "reqforge.mo").write_bytes(b"one translation")
    first = cache.code_digest.__wrapped__()
    (catalogs / "reqforge.mo").write_bytes(b"another translation")
    assert cache.code_digest.__wrapped__() != first
