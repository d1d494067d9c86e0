"""The loader: front-matter split, safe YAML with limits, and key positions."""

from __future__ import annotations

import pytest

from reqforge.loader import (
    MAX_DEPTH,
    ParsedFile,
    Problem,
    decode,
    key_positions,
    locate,
    parse_file,
    parse_front_matter,
    split_front_matter,
)


def parse(text: str | bytes) -> ParsedFile | Problem:
    return parse_file(text.encode("utf-8") if isinstance(text, str) else text)


def test_parses_front_matter_and_body() -> None:
    # verifies: REQ-001
    parsed = parse("---\nid: CRM-1\ntitle: Export\n---\n# Body\ntext\n")
    assert isinstance(parsed, ParsedFile)
    assert parsed.data == {"id": "CRM-1", "title": "Export"}
    assert parsed.body == "# Body\ntext\n"
    assert parsed.body_line == 5


def test_dates_and_yaml_1_2_scalars_stay_plain() -> None:
    parsed = parse("---\ndue: 2026-12-15\nflag: yes\nn: 08\n---\n")
    assert isinstance(parsed, ParsedFile)
    # YAML 1.2: 'yes' is text (no Norway problem); dates are checked by the field rules.
    assert parsed.data["due"] == "2026-12-15"
    assert parsed.data["flag"] == "yes"


def test_bom_and_crlf_are_fine() -> None:
    # verifies: REQ-001
    parsed = parse(b"\xef\xbb\xbf---\r\nid: CRM-1\r\ntitle: T\r\n---\r\nbody\r\n")
    assert isinstance(parsed, ParsedFile)
    assert parsed.data["id"] == "CRM-1"
    assert parsed.body == "body\n"


def test_document_end_marker_closes_front_matter() -> None:
    # verifies: REQ-001
    parsed = parse("---\nid: CRM-1\n...\nbody\n")
    assert isinstance(parsed, ParsedFile) and parsed.body == "body\n"


@pytest.mark.parametrize(
    ("text", "code", "line", "fragment"),
    [
        ("# no front matter\n", "RF002", 1, "must start with a '---' line"),
        ("---\nid: CRM-1\ntitle: x\n", "RF002", 1, "not closed"),
        ("---\nid: CRM-1\ntitle: [unclosed\n---\n", "RF003", 3, "YAML syntax error"),
        ("---\nid: CRM-1\nid: CRM-2\n---\n", "RF003", 3, "duplicate key"),
        ("---\n- a\n- b\n---\n", "RF003", 2, "must be a mapping"),
        (
            "---\nx: !!python/object/apply:os.system ['echo pwned']\n---\n",
            "RF003",
            2,
            "not allowed",
        ),
        ("---\nx: !custom thing\n---\n", "RF003", 2, "not allowed"),
    ],
)
def test_problems_have_code_line_and_message(
    text: str, code: str, line: int, fragment: str
) -> None:
    # verifies: REQ-101
    # verifies: REQ-008
    problem = parse(text)
    assert isinstance(problem, Problem), problem
    assert problem.code == code
    assert problem.line == line
    assert fragment in problem.message


def test_standard_tags_are_allowed() -> None:
    parsed = parse("---\nid: !!str CRM-1\ncount: !!int 3\n---\n")
    assert isinstance(parsed, ParsedFile) and parsed.data["count"] == 3


def test_exclamation_marks_in_text_are_not_tags() -> None:
    parsed = parse("---\ntitle: 'Wow! Export!'\nnote: Hi! there\n---\n")
    assert isinstance(parsed, ParsedFile) and parsed.data["title"] == "Wow! Export!"


def test_alias_bomb_is_refused_quickly() -> None:
    # verifies: REQ-008
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    problem = parse("---\n" + "\n".join(lines) + "\n---\n")
    assert isinstance(problem, Problem) and problem.code == "RF004"
    assert "alias" in problem.message


def test_small_aliases_are_fine() -> None:
    parsed = parse("---\nbase: &b {impact: 3}\nother: *b\n---\n")
    assert isinstance(parsed, ParsedFile) and parsed.data["other"] == {"impact": 3}


@pytest.mark.parametrize("style", ["flow", "block"])
def test_deep_nesting_is_refused(style: str) -> None:
    # verifies: REQ-008
    depth = MAX_DEPTH + 5
    if style == "flow":
        front = "a: " + "[" * depth + "]" * depth
    else:
        front = "".join("  " * i + f"k{i}:\n" for i in range(depth)) + "  " * depth + "v\n"
    problem = parse(f"---\n{front}\n---\n")
    assert isinstance(problem, Problem) and problem.code in ("RF004", "RF003")


def test_extreme_flow_nesting_never_crashes() -> None:
    # verifies: REQ-008
    problem = parse("---\na: " + "[" * 200_000 + "\n---\n")
    assert isinstance(problem, Problem) and problem.code in ("RF003", "RF004")


def test_binary_and_latin1_are_rf001_with_position() -> None:
    # verifies: REQ-010
    binary = parse(b"---\nid: X\x00\n---\n")
    assert isinstance(binary, Problem) and binary.code == "RF001" and "binary" in binary.message
    latin = parse("---\nid: CRM-1\ntitle: Café\n---\n".encode("latin-1"))
    assert isinstance(latin, Problem) and latin.code == "RF001"
    assert (latin.line, latin.column) == (3, 11)
    assert "UTF-8" in latin.message


def test_decode_reports_first_bad_byte() -> None:
    # verifies: REQ-010
    problem = decode(b"ok\n\xff\n")
    assert isinstance(problem, Problem) and (problem.line, problem.column) == (2, 1)


def test_split_front_matter_needs_opening_fence() -> None:
    # verifies: REQ-101
    assert isinstance(split_front_matter("id: x\n---\n"), Problem)


def test_key_positions_cover_nested_keys_flow_mappings_and_list_items() -> None:
    # verifies: REQ-100
    front = "id: CRM-1\npriority:\n  ice: {impact: 9, ease: 2}\nlinks:\n  parent: [A-1, B-2]\n"
    positions = key_positions(front)
    assert positions[("id",)][:2] == (2, 1)
    assert positions[("priority", "ice", "impact")][:2] == (4, 9)
    assert positions[("priority", "ice", "impact")][2:] == (4, 17)
    assert positions[("links", "parent", 1)][:2] == (6, 17)
    assert locate(front, ("priority", "ice", "impact"), on_value=True) == (4, 17)
    # A missing key points at its nearest ancestor; a missing top-level key at the fence.
    assert locate(front, ("priority", "kano")) == (3, 1)
    assert locate(front, ("status",)) == (1, 1)


def test_chinese_keys_and_values() -> None:
    # verifies: REQ-010
    parsed = parse("---\nid: CRM-1\ntitle: 支持导出客户台账\n备注: 来自访谈\n---\n正文\n")
    assert isinstance(parsed, ParsedFile) and parsed.data["备注"] == "来自访谈"
    assert key_positions(parsed.front_matter)[("备注",)][:2] == (4, 1)


# Every way YAML spells a mapping or list as a key: the cheap text test that decides whether
# to look for one must let each of them through.
@pytest.mark.parametrize(
    "front",
    [
        "[a]: b\n",
        "{a: 1}: b\n",
        "x: {[a]: b}\n",
        "x: {[a]:b}\n",
        "x: [a,\n  b]  :  c\n",
        "? [a]\n: b\n",
        "? {a: 1}\n: b\n",
        "? - a\n  - b\n: c\n",
        "a: &x [1]\n*x : v\n",
        "x: [{[a]: b}]\n",
    ],
)
def test_a_mapping_or_list_as_a_key_is_refused_in_every_spelling(front: str) -> None:
    # verifies: REQ-101
    problem = parse_front_matter(front)
    assert isinstance(problem, Problem) and problem.code == "RF003", problem


def test_flow_collections_as_values_are_not_keys() -> None:
    # verifies: REQ-101
    front = "x: [1, 2]\ny: {a: b, c: [d]}\nz: '[a]: b'\n"
    assert parse_front_matter(front) == {"x": [1, 2], "y": {"a": "b", "c": ["d"]}, "z": "[a]: b"}
