"""Safe output (SPEC 6a): data from requirements, git and the source tree never acts on the
reader, in any command or format; JSON stays faithful; RF108 flags such characters."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from tests.conftest import requirement_text as req
from tests.gitrepo import GitRepo

from reqforge.cli.main import cli
from reqforge.render.escaping import csv_text, markdown_text, terminal_block, terminal_text

# What reaches a terminal or a CI log raw and acts there.
RAW = ("\x1b", "\x07", "\u202e", "\u200b", "\x00")
TITLE_1 = "Export \x1b]0;pwned\x07 now \x1b[2J\n::error::x \u202eevil @team #1 acme/crm#2 $x$"
TITLE_2 = "=1+2 \u200bhidden https://evil.example/x www.evil.example"
OWNER_2 = "@SUM(A1)"
BODY = "Plain line.\n::error file=a::from the body\n  ::add-mask::secret\n\x1b[31mred\x1b[0m"
AUTHOR = "Eve \x1b]0;pwned\x07 Smith"
SUBJECT = "::error::x from a subject \x1b[2J \u202e"
CUSTOMER = "Acme \x1b[2J\u202e"


def _yaml(text: str) -> str:
    """`text` as a YAML double-quoted scalar (escapes for everything unprintable)."""
    return json.dumps(text, ensure_ascii=True).replace("\\u001b", "\\e")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository whose titles, fields, body, commit, author, customer, test path and test
    name carry escape sequences, bidi overrides, workflow commands, formulas and Markdown."""
    tmp = tmp_path_factory.mktemp("hostile")
    repo = GitRepo(tmp / "repo", tmp)
    repo.write("reqforge.toml", '[trace]\nscan = ["tests"]\nresults = ["reports/*.xml"]\n')
    repo.write("reqs/CRM-1.md", req("CRM-1", title="Plain"))
    repo.write("reqs/customers.yaml", f"acme:\n  name: {_yaml(CUSTOMER)}\n  tier: A\n")
    repo.commit("start")
    first = req("CRM-1", title=_yaml(TITLE_1), body=BODY)
    first = first.replace("owner: zhang.wei", f"owner: {_yaml(AUTHOR)}")
    first = first.replace("status: proposed", "status: accepted\nsource: {customers: [acme]}")
    repo.write("reqs/CRM-1.md", first)
    second = req("CRM-2", title=_yaml(TITLE_2), links="{depends-on: [CRM-1]}")
    repo.write("reqs/CRM-2.md", second.replace("owner: zhang.wei", f"owner: {_yaml(OWNER_2)}"))
    # Raw in the file (YAML allows it), so `check` quotes it with the source line.
    repo.write("reqs/CRM-3.md", req("CRM-3", title="Close \u202eleads in a user-friendly way"))
    folder = "tests/evil\x1b[2J\u202e"
    repo.write(f"{folder}/test_export.py", "def test_export():\n    # verifies: CRM-1\n    pass\n")
    test_name = "test_export\u202e&#10;::error::x"
    repo.write(
        "reports/junit.xml",
        f'<testsuite><testcase classname="tests.evil" name="{test_name}">'
        '<failure message="boom"/></testcase></testsuite>',
    )
    repo.commit(SUBJECT.encode() + b"\n", GIT_AUTHOR_NAME=AUTHOR)
    return repo.root


def _run(root: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--repo", str(root), *args])
    assert result.exit_code in (0, 1), result.output
    return result.stdout


def _assert_inert(output: str) -> None:
    for raw in RAW:
        assert raw not in output, (raw, output)
    for line in output.splitlines():
        assert not line.lstrip().startswith("::"), line
        assert "##[" not in line, line


def _strings(node: object) -> list[str]:
    """Every string value in a JSON document."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in _strings(value)]
    return []


TEXT_RUNS = [
    ("list",),
    ("list", "--format", "csv"),
    ("show", "CRM-1"),
    ("show", "CRM-2"),
    ("prioritize",),
    ("prioritize", "--format", "csv"),
    ("trace",),
    ("trace", "--format", "csv"),
    ("trace", "--summary"),
    ("log",),
    ("log", "CRM-1"),
    ("stats", "--by", "customer"),
    ("stats", "--by", "owner"),
    ("check",),
    ("diff", "HEAD~1..HEAD"),
]


@pytest.mark.parametrize("args", TEXT_RUNS, ids=" ".join)
def test_no_data_reaches_the_terminal_raw(hostile: Path, args: tuple[str, ...]) -> None:
    # verifies: REQ-720
    _assert_inert(_run(hostile, *args))


def test_the_data_is_shown_escaped_not_dropped(hostile: Path) -> None:
    # verifies: REQ-720
    show = _run(hostile, "show", "CRM-1")
    assert "\\x1b]0;pwned\\x07" in show and "\\x1b[2J" in show and "\\u202eevil" in show
    assert "\\n::error::x" in show  # the title is one line
    assert "\\x3a:error file=a::from the body" in show  # body lines kept, none a command
    assert "  \\x3a:add-mask::secret" in show
    log = _run(hostile, "log", "CRM-1")
    assert "\\x3a:error::x from a subject \\x1b[2J \\u202e" in log
    assert "Eve \\x1b]0;pwned\\x07" in log
    assert "Acme \\x1b[2J\\u202e" in _run(hostile, "stats", "--by", "customer")


def test_check_quotes_hidden_characters_escaped_with_the_caret_in_place(hostile: Path) -> None:
    # verifies: REQ-720
    out = _run(hostile, "check").splitlines()
    rf108 = next(
        i for i, line in enumerate(out) if line.startswith("reqs/CRM-3.md:3:8: warning[RF108]")
    )
    assert "(\\u202e)" in out[rf108]
    rf401 = next(
        i for i, line in enumerate(out) if line.startswith("reqs/CRM-3.md:3:26: warning[RF411]")
    )
    assert out[rf401 + 1 : rf401 + 3] == [
        " 3 | title: Close \\u202eleads in a user-friendly way",
        "   | " + " " * len("title: Close \\u202eleads in a ") + "^",
    ]


@pytest.mark.parametrize("command", ["list", "prioritize", "trace"])
def test_csv_cells_are_never_formulas_unless_raw(hostile: Path, command: str) -> None:
    # verifies: REQ-720
    rows = list(csv.reader(io.StringIO(_run(hostile, command, "--format", "csv"))))
    cells = [value for row in rows[1:] for value in row]
    assert any(value.startswith("'=1+2") for value in cells)
    for value in cells:
        assert not value.startswith(("=", "+", "@", "\t", "\r")), value
        assert not value.startswith("-") or value.lstrip("-").replace(".", "").isdigit(), value
    raw = list(csv.reader(io.StringIO(_run(hostile, command, "--format", "csv", "--raw-csv"))))
    assert any(value.startswith("=1+2") for row in raw for value in row)


def test_negative_numbers_in_csv_stay_numbers() -> None:
    # verifies: REQ-720
    from reqforge.render.tables import render_csv

    assert render_csv(["a", "b"], [[-3, "-3"]]) == "a,b\n-3,'-3\n"


def test_pr_comment_links_mentions_references_and_math_are_inert(hostile: Path) -> None:
    # verifies: REQ-720
    # verifies: REQ-304
    markdown = _run(hostile, "diff", "HEAD~1..HEAD")
    assert "Export" in markdown
    for live in ("@team", "#1", "acme/crm#2", "$x$", "https://evil", "www.evil", "\u200b"):
        assert live not in markdown, live


@pytest.mark.parametrize(
    "args",
    [
        ("list", "--format", "json"),
        ("show", "CRM-1", "--format", "json"),
        ("prioritize", "--format", "json"),
        ("log", "CRM-1", "--format", "json"),
        ("diff", "HEAD~1..HEAD", "--format", "json"),
    ],
    ids=" ".join,
)
def test_json_keeps_the_data_faithful(hostile: Path, args: tuple[str, ...]) -> None:
    # verifies: REQ-720
    output = _run(hostile, *args)
    for control in ("\x1b", "\x07", "\x00"):
        assert control not in output  # the JSON encoder escapes controls, as \u001b
    document = json.loads(output)
    assert TITLE_1 in _strings(document)
    if args[0] == "log":
        assert document["entries"][0]["author"] == AUTHOR
        assert document["entries"][0]["subject"] == SUBJECT


def test_rf108_flags_hidden_characters_in_fields(hostile: Path) -> None:
    # verifies: REQ-720
    document = json.loads(_run(hostile, "check", "--format", "json"))
    rf108 = {(f["id"], f["message"].split(":")[0]) for f in document["findings"]}
    assert {("CRM-1", "title"), ("CRM-1", "owner"), ("CRM-2", "title")} <= rf108
    messages = [f["message"] for f in document["findings"] if f["code"] == "RF108"]
    assert any("\\x1b" in m and "\\u202e" in m for m in messages)


def test_rf108_leaves_text_layout_and_plain_text_alone(make_repo) -> None:  # type: ignore[no-untyped-def]
    # verifies: REQ-720
    text = req("CRM-1", title="导出 ledger", description='"line one\\n\\tline two"')
    root = make_repo({"reqs/CRM-1.md": text})
    document = json.loads(_run(root, "check", "--format", "json"))
    assert [f for f in document["findings"] if f["code"] == "RF108"] == []


# --------------------------------------------------------------------------------------------
# The escapers


def test_terminal_text_escapes_controls_bidi_and_invisible_characters() -> None:
    # verifies: REQ-720
    assert terminal_text("a\x1b[2Jb\x07\x00\x7f\x9b") == "a\\x1b[2Jb\\x07\\x00\\x7f\\x9b"
    assert terminal_text("x\u202ey\u2066z\u200b\ufeff\u2028") == (
        "x\\u202ey\\u2066z\\u200b\\ufeff\\u2028"
    )
    assert terminal_text("a\nb\tc\r") == "a\\nb\\tc\\r"
    assert terminal_text("需求 Export, ok: 1") == "需求 Export, ok: 1"
    assert terminal_text("\udcff") == "\\udcff"  # a file name that was not UTF-8


def test_no_line_from_data_is_a_workflow_command() -> None:
    # verifies: REQ-720
    assert terminal_text("::error::x") == "\\x3a:error::x"
    assert terminal_text("  ::add-mask::y") == "  \\x3a:add-mask::y"
    assert terminal_text("a ::b") == "a ::b"  # mid-line is no command
    assert terminal_text("x ##[error]y") == "x \\x23#[error]y"
    block = terminal_block("one\r\n::error::x\n\tkept\x1b[0m")
    assert block == "one\n\\x3a:error::x\n\tkept\\x1b[0m"


def test_csv_text_guards_formulas() -> None:
    # verifies: REQ-720
    for formula in ("=1+2", "+1", "-1", "@SUM(A1)"):
        assert csv_text(formula) == "'" + formula
        assert csv_text(formula, raw=True) == formula
    assert csv_text("\tx") == "\\tx"  # escaped, so no longer a formula start
    assert csv_text("a=b") == "a=b"


def test_markdown_text_escapes_what_forges_would_link() -> None:
    # verifies: REQ-304
    # verifies: REQ-720
    text = markdown_text("see https://e.x www.e.x #1 o/r#2 GH-3 !4 @team a@b.c $x$ ~l <b>|`")
    assert text == (
        "see https:&#8203;//e.x www&#8203;.e.x #&#8203;1 o/r#&#8203;2 GH&#8203;-3 !&#8203;4 "
        "@&#8203;team a@&#8203;b.c \\$x\\$ \\~l &lt;b&gt;&#124;&#96;"
    )
    assert markdown_text("C# at 50% & done!") == "C# at 50% &amp; done!"


def test_notes_and_errors_on_stderr_are_escaped_too(make_repo) -> None:  # type: ignore[no-untyped-def]
    # verifies: REQ-720
    root = make_repo(
        {"reqs/CRM-1.md": req("CRM-1"), "reports/\x1b[2J\n::error::x.xml": "<testsuite"},
        config='[trace]\nresults = ["reports/*.xml"]\n',
    )
    for args in (("trace",), ("show", "CRM-1"), ("show", "\x1b]0;pwned\x07")):
        result = CliRunner().invoke(cli, ["--repo", str(root), *args])
        _assert_inert(result.stderr)
    result = CliRunner().invoke(cli, ["--repo", str(root), "trace"])
    assert "reports/\\x1b[2J\\n::error::x.xml" in result.stderr


def test_github_annotations_show_hidden_characters_escaped() -> None:
    # verifies: REQ-720
    # verifies: REQ-105
    from reqforge.render.findings.github import escape_data

    assert (
        escape_data("a\u202eb\x1b[2J 100%\n::error::x") == "a\\u202eb\\x1b[2J 100%25%0A::error::x"
    )


def test_the_hidden_character_class_covers_every_hidden_character() -> None:
    # verifies: REQ-720
    from reqforge.invisible import has_hidden, is_hidden

    missed = [
        hex(point)
        for point in range(0x20, 0x110000)
        if is_hidden(chr(point)) and not has_hidden(f"导出 {chr(point)} x")
    ]
    assert missed == []
    assert not has_hidden("plain text, 中文，“引号” and \U0001f600")


def test_json_escapes_bidi_and_zero_width_characters_faithfully() -> None:
    # verifies: REQ-720
    from reqforge.render.strict_json import dumps

    data = {"title": "abc\u202edef\u200b\u2066x\U000e0041", "中文": "导出"}
    text = dumps(data)
    assert not any(c in text for c in "\u202e\u200b\u2066\U000e0041")
    assert "\\u202e" in text and "导出" in text  # readable CJK stays as it is
    assert json.loads(text) == data


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


@given(
    head=st.dictionaries(st.text(), _JSON_VALUES, max_size=4),
    key=st.text(),
    items=st.lists(_JSON_VALUES, max_size=6),
)
def test_a_document_joined_from_utf8_lines_is_the_text_documents_bytes(
    head: dict[str, object], key: str, items: list[object]
) -> None:
    """requirements.json is joined from lines kept in UTF-8: the bytes equal the text
    document's, and the document is the strict JSON of the items."""
    # verifies: REQ-512
    from reqforge.render.tables import (
        json_document_of_lines,
        json_document_of_utf8_lines,
        json_line_encoder,
    )

    dump = json_line_encoder()
    lines = [dump(item) for item in items]
    text = json_document_of_lines(head, key, lines)
    joined = json_document_of_utf8_lines(
        head, key, [line.encode("utf-8", "surrogatepass") for line in lines]
    )
    assert joined == text.encode("utf-8", "surrogatepass")
    if key not in head:  # (a head field of the same name would come twice)
        assert json.loads(text) == {**head, key: items}


# Texts of controls, format characters, line and paragraph separators, Chinese, letters,
# symbols and spaces, the invisible fillers, tabs and line breaks; kept: none, or the layout.
_MIXED_TEXT = st.text(
    st.characters(
        codec="utf-8",
        categories=("Cc", "Cf", "Zl", "Zp", "Lo", "Ll", "So", "Zs"),
        include_characters="\u115f\u1160\u3164\uffa0\u2800\n\t\r",
    )
)
_KEPT = st.sampled_from(["", "\n\t"])


@given(_MIXED_TEXT, _KEPT)
def test_hidden_characters_agrees_with_a_lookup_per_character(text: str, keep: str) -> None:
    # The regex-speed shortcut may only skip texts that hold none: it must find exactly what
    # looking at each character finds (RF108 and the renderers rely on it).
    from reqforge.invisible import hidden_characters, is_hidden

    expected = list(dict.fromkeys(c for c in text if c not in keep and is_hidden(c)))
    assert hidden_characters(text, keep) == expected


@given(_MIXED_TEXT, _KEPT)
def test_escape_hidden_agrees_with_a_lookup_per_character(text: str, keep: str) -> None:
    # verifies: REQ-720
    # Terminal and CSV cells skip texts without a hidden character at regex speed (a body of
    # Chinese text or with line breaks went through a lookup per character).
    from reqforge.invisible import code_point, is_hidden
    from reqforge.render.escaping import escape_hidden

    expected = "".join(code_point(c) if c not in keep and is_hidden(c) else c for c in text)
    assert escape_hidden(text, keep) == expected
