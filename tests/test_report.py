"""Tests of the finding report formats (reqforge.render.findings)."""

from __future__ import annotations

import json
import pathlib
import xml.etree.ElementTree as ET

import click
import jsonschema
import pytest

from reqforge import __version__
from reqforge.checks.registry import RULES
from reqforge.model import ERROR, WARNING, CheckResult, Finding
from reqforge.render.findings import (
    FORMATS,
    github,
    gitlab,
    json_format,
    junit,
    render,
    sarif,
    text,
)

SARIF_SCHEMA_FILE = pathlib.Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"

BILLING = "reqs/billing/CRM-0042.md"
GBK = "reqs/legacy/CRM-0007.md"
MISSING_TYPE = "reqs/ops/OPS-0001.md"
CLEAN = "reqs/billing/CRM-0001.md"

BILLING_TEXT = (
    "---\n"
    "id: CRM-42\n"
    "title: 导出客户数据 fast\n"  # line 3: wide characters before the vague word
    "owner:\t张伟\tetc\n"  # line 4: tabs and wide characters
    "---\n"
    "Body\n"
)

# Every awkward character a message can carry: escapes of each format and of the terminal.
NASTY = "ratio 100%, a:b <tag> & \"quoted\" 'single'\nsecond line\r\nthird 第三行"


@pytest.fixture
def root(tmp_path: pathlib.Path) -> pathlib.Path:
    """A repository with a UTF-8 file (Chinese, tabs), a GBK file and a clean file."""
    (tmp_path / "reqs" / "billing").mkdir(parents=True)
    (tmp_path / "reqs" / "legacy").mkdir()
    (tmp_path / BILLING).write_text(BILLING_TEXT, encoding="utf-8")
    (tmp_path / GBK).write_bytes("---\nid: CRM-0007\ntitle: 导出\n---\n".encode("gbk"))
    (tmp_path / CLEAN).write_text("---\nid: CRM-0001\n---\n", encoding="utf-8")
    return tmp_path


def finding(
    code: str,
    path: str,
    line: int,
    column: int,
    message: str,
    req_id: str | None = None,
    severity: str | None = None,
) -> Finding:
    return Finding(
        code=code,
        severity=severity or RULES[code].severity,
        path=path,
        line=line,
        column=column,
        message=message,
        id=req_id,
    )


F_ID = finding("RF105", BILLING, 2, 5, "id 'CRM-42' does not match file name", "CRM-0042")
F_VAGUE = finding("RF401", BILLING, 3, 14, "vague word 'fast' in title", "CRM-0042")
F_TAB = finding("RF401", BILLING, 4, 11, "vague word 'etc' (等等)", "CRM-0042")
F_NASTY = finding("RF102", BILLING, 4, 1, NASTY, "CRM-0042")
F_GBK = finding("RF001", GBK, 1, 1, "file is not UTF-8")
F_WHOLE = finding("RF101", MISSING_TYPE, 0, 0, "required field 'type' missing", "OPS-0001")
F_WARN_ONLY = finding("RF103", CLEAN, 2, 1, "unknown field 'prority'", "CRM-0001")

ALL = (F_ID, F_VAGUE, F_TAB, F_NASTY, F_GBK, F_WHOLE)


def result_of(*findings: Finding, requirements: int = 120, files: int = 121) -> CheckResult:
    return CheckResult(
        findings=tuple(sorted(findings, key=Finding.sort_key)),
        requirements=requirements,
        files=files,
    )


# --------------------------------------------------------------------------- dispatch


def test_formats_are_the_five_of_the_spec_and_gitlabs() -> None:
    # verifies: REQ-105
    assert FORMATS == ("text", "json", "github", "sarif", "junit", "gitlab")


@pytest.mark.parametrize("fmt", FORMATS)
def test_render_dispatches_to_the_format_module(fmt: str, root: pathlib.Path) -> None:
    result = result_of(*ALL)
    modules = {
        "text": text,
        "json": json_format,
        "github": github,
        "sarif": sarif,
        "junit": junit,
        "gitlab": gitlab,
    }
    assert render(fmt, result, root=root) == modules[fmt].render(result, root=root, color=False)


def test_render_forwards_paths_to_junit(root: pathlib.Path) -> None:
    # verifies: REQ-105
    out = render("junit", result_of(F_ID), root=root, paths=[CLEAN])
    names = [case.get("name") for case in ET.fromstring(out).iter("testcase")]
    assert names == [CLEAN, BILLING]


def test_render_rejects_an_unknown_format(root: pathlib.Path) -> None:
    with pytest.raises(ValueError, match="unknown report format 'xml'"):
        render("xml", result_of(), root=root)


@pytest.mark.parametrize("fmt", FORMATS)
def test_output_is_deterministic_and_independent_of_finding_order(
    fmt: str, root: pathlib.Path
) -> None:
    # verifies: REQ-100
    ordered = result_of(*ALL)
    shuffled = CheckResult(findings=tuple(reversed(ordered.findings)), requirements=120, files=121)
    first = render(fmt, ordered, root=root, paths=[CLEAN])
    assert render(fmt, ordered, root=root, paths=[CLEAN]) == first
    assert render(fmt, shuffled, root=root, paths=[CLEAN]) == first
    assert str(root) not in first  # no absolute paths
    assert first.endswith("\n")


# --------------------------------------------------------------------------- text


def test_text_full_output(root: pathlib.Path) -> None:
    # verifies: REQ-100
    # verifies: REQ-105
    out = text.render(result_of(F_ID, F_VAGUE, F_WHOLE), root=root)
    assert out == (
        "reqs/billing/CRM-0042.md:2:5: error[RF105] id 'CRM-42' does not match file name"
        " (CRM-0042)\n"
        " 2 | id: CRM-42\n"
        "   |     ^\n"
        "\n"
        "reqs/billing/CRM-0042.md:3:14: warning[RF401] vague word 'fast' in title (CRM-0042)\n"
        " 3 | title: 导出客户数据 fast\n"
        "   |                    ^\n"
        "\n"
        "reqs/ops/OPS-0001.md: error[RF101] required field 'type' missing (OPS-0001)\n"
        "\n"
        "120 requirements in 121 files: 2 errors, 1 warning\n"
    )


def _excerpt(out: str, number: int) -> tuple[str, str]:
    """The source line and the caret line quoted for line `number`."""
    lines = out.splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith(f" {number} |"))
    return lines[index], lines[index + 1]


def test_text_caret_is_padded_by_display_width_of_wide_characters(root: pathlib.Path) -> None:
    source, caret = _excerpt(text.render(result_of(F_VAGUE), root=root), 3)
    assert source == " 3 | title: 导出客户数据 fast"
    # "title: " is 7 cells, the six Chinese characters 12 cells: the caret is at cell 20.
    assert caret == "   | " + " " * 19 + "^"
    assert caret.index("^") - 5 == text.caret_padding("title: 导出客户数据 fast", 14).count(" ")


def test_text_caret_copies_tabs(root: pathlib.Path) -> None:
    source, caret = _excerpt(text.render(result_of(F_TAB), root=root), 4)
    assert source == " 4 | owner:\t张伟\tetc"
    # "owner:" 6 cells, tab copied, "张伟" 4 cells, tab copied, then the caret under "etc".
    assert caret == "   | " + " " * 6 + "\t" + " " * 4 + "\t" + "^"


@pytest.mark.parametrize(
    ("line", "column", "padding"),
    [
        ("abc", 1, ""),
        ("abc", 3, "  "),
        ("中文x", 3, "    "),
        ("ａｂ", 2, "  "),  # fullwidth Latin letters take two cells as well
        ("\t中\tx", 4, "\t  \t"),
        ("ab", 5, "    "),  # past the end of the line (e.g. a missing closing quote)
        ("e\u0301x", 3, " "),  # a combining accent takes no cell
    ],
)
def test_caret_padding(line: str, column: int, padding: str) -> None:
    assert text.caret_padding(line, column) == padding


def test_text_whole_file_finding_has_no_excerpt(root: pathlib.Path) -> None:
    out = text.render(result_of(F_WHOLE), root=root)
    assert out == (
        "reqs/ops/OPS-0001.md: error[RF101] required field 'type' missing (OPS-0001)\n"
        "\n"
        "120 requirements in 121 files: 1 error, 0 warnings\n"
    )


def test_text_line_without_column_quotes_the_line_without_caret(root: pathlib.Path) -> None:
    out = text.render(
        result_of(finding("RF103", BILLING, 4, 0, "unknown field 'owner'")), root=root
    )
    assert out.splitlines()[:3] == [
        "reqs/billing/CRM-0042.md:4: warning[RF103] unknown field 'owner'",
        " 4 | owner:\t张伟\tetc",
        "",
    ]


def test_text_tolerates_unreadable_files(root: pathlib.Path) -> None:
    missing = finding("RF102", "reqs/gone/CRM-0009.md", 3, 1, "file vanished")
    past_end = finding("RF003", BILLING, 99, 1, "YAML syntax error")
    out = text.render(result_of(F_GBK, missing, past_end), root=root)
    assert " | " not in out  # no excerpt for a GBK file, a missing file or a line past the end
    assert "reqs/legacy/CRM-0007.md:1:1: error[RF001] file is not UTF-8\n" in out
    assert "reqs/gone/CRM-0009.md:3:1: error[RF102] file vanished\n" in out


def test_text_does_not_quote_files_outside_the_repository(
    root: pathlib.Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # verifies: REQ-008
    outside = tmp_path_factory.mktemp("outside") / "secret.md"
    outside.write_text("password: hunter2\n", encoding="utf-8")
    (root / "reqs" / "link.md").symlink_to(outside)
    out = text.render(result_of(finding("RF001", "reqs/link.md", 1, 1, "symlink")), root=root)
    assert "hunter2" not in out


def test_text_reads_each_file_once(root: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Every repository file goes through the one safe reader: count its calls.
    import reqforge.render.findings.text as text_format

    reads: list[str] = []
    original = text_format.read_inside

    def counting_read(path: pathlib.Path, top: pathlib.Path, limit: int) -> bytes:
        reads.append(pathlib.Path(path).name)
        return original(path, top, limit)

    monkeypatch.setattr(text_format, "read_inside", counting_read)
    text.render(result_of(F_ID, F_VAGUE, F_TAB, F_WHOLE), root=root)
    assert reads == ["CRM-0042.md"]  # once for three findings; never for a line-0 finding


def test_text_handles_crlf_and_bom(root: pathlib.Path) -> None:
    (root / "reqs" / "win.md").write_bytes("\ufeffid: 中X\r\ntitle: a\r\n".encode())
    out = text.render(result_of(finding("RF104", "reqs/win.md", 1, 6, "bad id")), root=root)
    source, caret = _excerpt(out, 1)
    assert source == " 1 | id: 中X"
    assert caret == "   |       ^"


def test_text_multiline_message_is_indented_and_control_characters_are_neutralised(
    root: pathlib.Path,
) -> None:
    evil = finding("RF102", BILLING, 2, 1, "bad\x1b[2J value\nsee CRM-0001\x07")
    out = text.render(result_of(evil), root=root)
    assert "\x1b" not in out
    assert "\x07" not in out
    assert out.splitlines()[:2] == [
        "reqs/billing/CRM-0042.md:2:1: error[RF102] bad\\x1b[2J value",
        "    see CRM-0001\\x07",
    ]


def test_text_message_line_breaks_of_any_kind_become_indented_lines(root: pathlib.Path) -> None:
    out = text.render(result_of(F_NASTY), root=root)
    assert out.splitlines()[:3] == [
        "reqs/billing/CRM-0042.md:4:1: error[RF102] ratio 100%, a:b <tag> & \"quoted\" 'single'",
        "    second line",
        "    third 第三行 (CRM-0042)",
    ]


def test_text_without_color_has_no_escape_codes(root: pathlib.Path) -> None:
    out = text.render(result_of(*ALL), root=root, color=False)
    assert "\x1b" not in out


def test_text_with_color_styles_severity_code_gutter_and_caret(root: pathlib.Path) -> None:
    plain = text.render(result_of(*ALL), root=root, color=False)
    colored = text.render(result_of(*ALL), root=root, color=True)
    assert "\x1b[" in colored
    assert click.unstyle(colored) == plain
    assert click.style("error", fg="red", bold=True) in colored
    assert click.style("warning", fg="yellow", bold=True) in colored
    assert click.style("[RF105]", bold=True) in colored
    assert click.style(" 2 |", dim=True) in colored


@pytest.mark.parametrize(
    ("findings", "requirements", "files", "expected"),
    [
        ((), 120, 121, "120 requirements in 121 files: no problems found"),
        ((), 1, 1, "1 requirement in 1 file: no problems found"),
        ((), 0, 0, "0 requirements in 0 files: no problems found"),
        ((F_ID,), 1, 1, "1 requirement in 1 file: 1 error, 0 warnings"),
        ((F_VAGUE,), 2, 2, "2 requirements in 2 files: 0 errors, 1 warning"),
        ((F_ID, F_WHOLE, F_VAGUE, F_TAB), 3, 4, "3 requirements in 4 files: 2 errors, 2 warnings"),
    ],
)
def test_text_summary(
    findings: tuple[Finding, ...], requirements: int, files: int, expected: str
) -> None:
    result = result_of(*findings, requirements=requirements, files=files)
    assert text.summary(result) == expected


def test_text_clean_result(root: pathlib.Path) -> None:
    assert text.render(result_of(), root=root) == (
        "120 requirements in 121 files: no problems found\n"
    )


# --------------------------------------------------------------------------- json


def test_json_shape_is_exactly_the_spec(root: pathlib.Path) -> None:
    # verifies: REQ-105
    out = json_format.render(result_of(F_ID, F_VAGUE, F_WHOLE), root=root)
    assert out.endswith("}\n")
    document = json.loads(out)
    assert document == {
        "ok": False,
        "counts": {"requirements": 120, "files": 121, "error": 2, "warning": 1},
        "findings": [
            {
                "code": "RF105",
                "severity": "error",
                "path": BILLING,
                "line": 2,
                "column": 5,
                "id": "CRM-0042",
                "message": "id 'CRM-42' does not match file name",
            },
            {
                "code": "RF401",
                "severity": "warning",
                "path": BILLING,
                "line": 3,
                "column": 14,
                "id": "CRM-0042",
                "message": "vague word 'fast' in title",
            },
            {
                "code": "RF101",
                "severity": "error",
                "path": MISSING_TYPE,
                "line": 0,
                "column": 0,
                "id": "OPS-0001",
                "message": "required field 'type' missing",
            },
        ],
    }
    assert list(document) == ["ok", "counts", "findings"]
    assert list(document["counts"]) == ["requirements", "files", "error", "warning"]
    assert list(document["findings"][0]) == [
        "code",
        "severity",
        "path",
        "line",
        "column",
        "id",
        "message",
    ]


def test_json_keeps_chinese_and_escapes_only_what_json_needs(root: pathlib.Path) -> None:
    # verifies: REQ-105
    # verifies: REQ-010
    out = json_format.render(result_of(F_TAB), root=root)
    assert "(等等)" in out  # ensure_ascii=False
    assert out.startswith('{\n  "ok": true,\n')  # indent 2; warnings alone do not fail
    nasty = json_format.render(result_of(F_NASTY), root=root)
    assert json.loads(nasty)["findings"][0]["message"] == NASTY
    assert "第三行" in nasty
    assert "\\n" in nasty and '\\"quoted\\"' in nasty


def test_json_null_id_and_clean_result(root: pathlib.Path) -> None:
    # verifies: REQ-105
    document = json.loads(json_format.render(result_of(F_GBK, requirements=0, files=1), root=root))
    assert document["findings"][0]["id"] is None
    clean = json.loads(json_format.render(result_of(), root=root))
    assert clean == {
        "ok": True,
        "counts": {"requirements": 120, "files": 121, "error": 0, "warning": 0},
        "findings": [],
    }


# --------------------------------------------------------------------------- github


def test_github_escaping() -> None:
    # verifies: REQ-105
    assert github.escape_data("100% a:b, c\r\nd") == "100%25 a:b, c%0D%0Ad"
    assert github.escape_property("100% a:b, c\r\nd") == "100%25 a%3Ab%2C c%0D%0Ad"
    assert github.escape_data("%0A") == "%250A"  # `%` first, so escapes are not re-escaped


def test_github_commands(root: pathlib.Path) -> None:
    # verifies: REQ-105
    odd_path = finding("RF105", "reqs/a,b/x:y 需求.md", 3, 2, "id mismatch", "X-1")
    out = github.render(result_of(F_ID, F_VAGUE, F_NASTY, F_WHOLE, odd_path), root=root)
    assert out.splitlines() == [
        "::error file=reqs/a%2Cb/x%3Ay 需求.md,line=3,col=2,title=RF105::id mismatch",
        "::error file=reqs/billing/CRM-0042.md,line=2,col=5,title=RF105::"
        "id 'CRM-42' does not match file name",
        "::warning file=reqs/billing/CRM-0042.md,line=3,col=14,title=RF401::"
        "vague word 'fast' in title",
        "::error file=reqs/billing/CRM-0042.md,line=4,col=1,title=RF102::"
        "ratio 100%25, a:b <tag> & \"quoted\" 'single'%0Asecond line%0D%0Athird 第三行",
        "::error file=reqs/ops/OPS-0001.md,title=RF101::required field 'type' missing",
    ]
    assert out.endswith("\n")


def test_github_omits_column_zero_and_cannot_be_injected(root: pathlib.Path) -> None:
    # verifies: REQ-105
    injected = finding("RF102", BILLING, 7, 0, "x\n::set-env name=A::1", severity=WARNING)
    out = github.render(result_of(injected), root=root)
    assert out == (
        "::warning file=reqs/billing/CRM-0042.md,line=7,title=RF102::x%0A::set-env name=A::1\n"
    )


def test_github_no_findings_is_empty(root: pathlib.Path) -> None:
    assert github.render(result_of(), root=root) == ""


# --------------------------------------------------------------------------- sarif


@pytest.fixture(scope="module")
def sarif_validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SARIF_SCHEMA_FILE.read_text(encoding="utf-8"))
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    assert {"run", "result", "region", "reportingDescriptor"} <= set(schema["definitions"])
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)


def _sarif(result: CheckResult, root: pathlib.Path) -> dict:
    return json.loads(sarif.render(result, root=root))


def test_sarif_is_valid_against_the_official_schema(
    root: pathlib.Path, sarif_validator: jsonschema.protocols.Validator
) -> None:
    # verifies: REQ-105
    odd_path = finding("RF105", "reqs/区域 a/X-1.md", 1, 1, "id mismatch", "X-1")
    for result in (result_of(*ALL, odd_path), result_of()):
        errors = sorted(sarif_validator.iter_errors(_sarif(result, root)), key=str)
        assert errors == []


def test_sarif_validation_catches_a_broken_log(
    sarif_validator: jsonschema.protocols.Validator,
) -> None:
    # Guards the guard: the vendored schema really constrains regions and levels.
    log = _sarif(result_of(F_ID), pathlib.Path("."))
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    log["runs"][0]["results"][0]["level"] = "fatal"
    assert len(list(sarif_validator.iter_errors(log))) == 2


def test_sarif_header_and_driver(root: pathlib.Path) -> None:
    # verifies: REQ-105
    log = _sarif(result_of(*ALL), root)
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "reqforge"
    assert driver["version"] == __version__
    assert driver["informationUri"].startswith("https://")
    assert [rule["id"] for rule in driver["rules"]] == list(RULES)  # all, not only used ones
    assert run["originalUriBaseIds"]["%SRCROOT%"]["description"]["text"]
    assert run["columnKind"] == "unicodeCodePoints"


def test_sarif_rules_come_from_the_registry(root: pathlib.Path) -> None:
    # verifies: REQ-105
    rules = _sarif(result_of(), root)["runs"][0]["tool"]["driver"]["rules"]
    by_id = {rule["id"]: rule for rule in rules}
    rf105 = by_id["RF105"]
    assert rf105["name"] == "IdDoesNotMatchTheFileName"
    assert rf105["shortDescription"] == {"text": RULES["RF105"].summary}
    assert rf105["fullDescription"] == {"text": RULES["RF105"].why}
    assert rf105["defaultConfiguration"] == {"level": "error"}
    assert by_id["RF401"]["defaultConfiguration"] == {"level": "warning"}
    help_text = by_id["RF201"]["help"]["text"]
    assert help_text.startswith(RULES["RF201"].why)
    # The registry's literal "\n" in examples become real line breaks.
    assert "Bad:\n    links:\n      parent: [CRM-9999]\n" in help_text
    assert help_text.endswith("Good:\n    links:\n      parent: [CRM-0001]")
    assert by_id["RF404"]["name"] == "P0P1WithoutFiveWhysAnalysis"
    assert len({rule["name"] for rule in rules}) == len(rules)


def test_sarif_results(root: pathlib.Path) -> None:
    # verifies: REQ-105
    run = _sarif(result_of(F_ID, F_VAGUE, F_NASTY, F_WHOLE), root)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert [r["ruleId"] for r in results] == ["RF105", "RF401", "RF102", "RF101"]
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
    assert results[0] == {
        "ruleId": "RF105",
        "ruleIndex": list(RULES).index("RF105"),
        "level": "error",
        "message": {"text": "id 'CRM-42' does not match file name"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": BILLING, "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": 2, "startColumn": 5},
                }
            }
        ],
        "properties": {"requirement": "CRM-0042"},
    }
    assert results[1]["level"] == "warning"
    assert results[2]["message"]["text"] == NASTY
    whole_file = results[3]["locations"][0]["physicalLocation"]
    assert "region" not in whole_file  # line 0: no region rather than an invalid one
    assert whole_file["artifactLocation"]["uri"] == MISSING_TYPE


def test_sarif_level_follows_the_finding_not_the_rule(root: pathlib.Path) -> None:
    # verifies: REQ-105
    strict = finding("RF103", BILLING, 5, 1, "unknown field 'prority'", severity=ERROR)
    assert _sarif(result_of(strict), root)["runs"][0]["results"][0]["level"] == "error"


def test_sarif_uri_is_percent_encoded(root: pathlib.Path) -> None:
    odd_path = finding("RF105", "reqs/区域 a/X-1.md", 1, 1, "id mismatch", "X-1")
    location = _sarif(result_of(odd_path), root)["runs"][0]["results"][0]["locations"][0]
    uri = location["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "reqs/%E5%8C%BA%E5%9F%9F%20a/X-1.md"


@pytest.mark.parametrize(
    ("summary", "name"),
    [
        ("file unreadable or not UTF-8", "FileUnreadableOrNotUtf8"),
        ("no front matter, or it is not closed", "NoFrontMatterOrItIsNotClosed"),
        ("cycle in parent or depends-on", "CycleInParentOrDependsOn"),
    ],
)
def test_sarif_rule_name(summary: str, name: str) -> None:
    assert sarif.rule_name(summary) == name


# --------------------------------------------------------------------------- junit


def _junit(result: CheckResult, root: pathlib.Path, paths: tuple[str, ...] = ()) -> ET.Element:
    out = junit.render(result, root=root, paths=paths)
    assert out.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return ET.fromstring(out.encode("utf-8"))


def test_junit_structure_and_counts(root: pathlib.Path) -> None:
    # verifies: REQ-105
    paths = (CLEAN, BILLING, "reqs/zz/CRM-0100.md", CLEAN)
    suites = _junit(result_of(*ALL, F_WARN_ONLY), root, paths)
    assert suites.tag == "testsuites"
    (suite,) = suites
    assert suite.tag == "testsuite"
    assert suite.get("name") == "reqforge check"
    expected_counts = {"tests": "5", "failures": "3", "errors": "0", "skipped": "0"}
    for element in (suites, suite):
        assert {key: element.get(key) for key in expected_counts} == expected_counts
    cases = suite.findall("testcase")
    # One test case per file: listed paths (deduplicated) plus files that only have findings.
    assert [case.get("name") for case in cases] == [
        CLEAN,
        BILLING,
        GBK,
        MISSING_TYPE,
        "reqs/zz/CRM-0100.md",
    ]
    assert {case.get("classname") for case in cases} == {"reqforge.check"}


def test_junit_failure_lists_all_findings_of_the_file(root: pathlib.Path) -> None:
    # verifies: REQ-105
    suites = _junit(result_of(*ALL), root)
    case = next(c for c in suites.iter("testcase") if c.get("name") == BILLING)
    (failure,) = case.findall("failure")
    assert failure.get("type") == "RF105"
    assert failure.get("message") == (
        "RF105 id 'CRM-42' does not match file name (and 1 more error)"
    )
    assert failure.text == (
        "2:5 RF105 error id 'CRM-42' does not match file name\n"
        "3:14 RF401 warning vague word 'fast' in title\n"
        "4:1 RF102 error ratio 100%, a:b <tag> & \"quoted\" 'single'\n"
        "    second line\n"
        "    third 第三行\n"
        "4:11 RF401 warning vague word 'etc' (等等)\n"
    )
    assert case.find("system-out") is None


def test_junit_whole_file_finding(root: pathlib.Path) -> None:
    # verifies: REQ-105
    case = next(_junit(result_of(F_WHOLE), root).iter("testcase"))
    (failure,) = case
    assert failure.attrib == {
        "type": "RF101",
        "message": "RF101 required field 'type' missing",
    }
    assert failure.text == "0:0 RF101 error required field 'type' missing\n"


def test_junit_warnings_only_file_passes_with_system_out(root: pathlib.Path) -> None:
    # verifies: REQ-105
    suites = _junit(result_of(F_WARN_ONLY), root, (CLEAN, BILLING))
    cases = {case.get("name"): case for case in suites.iter("testcase")}
    assert suites.get("failures") == "0"
    warned = cases[CLEAN]
    assert warned.find("failure") is None
    assert warned.findtext("system-out") == "2:1 RF103 warning unknown field 'prority'\n"
    assert list(cases[BILLING]) == []  # clean file: a passing, empty test case


def test_junit_escapes_markup_quotes_and_control_characters(root: pathlib.Path) -> None:
    evil = finding("RF102", 'reqs/a&b/"<x>".md', 1, 1, 'a <b> & "c" ]]> \x1b[31m\x00 中', "X-1")
    out = junit.render(result_of(evil), root=root)
    assert "\x1b" not in out
    assert "\x00" not in out
    case = next(ET.fromstring(out.encode("utf-8")).iter("testcase"))
    assert case.get("name") == 'reqs/a&b/"<x>".md'
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("message") == 'RF102 a <b> & "c" ]]> \ufffd[31m\ufffd 中'
    assert failure.text == '1:1 RF102 error a <b> & "c" ]]> \ufffd[31m\ufffd 中\n'


def test_junit_clean_run(root: pathlib.Path) -> None:
    # verifies: REQ-105
    suites = _junit(result_of(), root, (CLEAN,))
    assert suites.get("tests") == "1"
    assert suites.get("failures") == "0"
    assert [case.attrib for case in suites.iter("testcase")] == [
        {"classname": "reqforge.check", "name": CLEAN}
    ]
    empty = _junit(result_of(), root)
    assert empty.get("tests") == "0"
    assert len(list(empty.iter("testcase"))) == 0
