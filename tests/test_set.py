"""`reqforge set`: one field changed, every other byte kept (comments, quoting, key order, CRLF
endings, a BOM, Chinese text), the field's rules and the workflow enforced, refusals that leave
the file as it was, and atomic replacement (reqforge/editing.py, reqforge/yaml_splice.py)."""

from __future__ import annotations

import difflib
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import requirement_text as req
from tests.killing import kill_mid_write

from reqforge.cli.main import cli
from reqforge.loader import decode, parse_front_matter, split_front_matter
from reqforge.yaml_splice import set_value, split_file, yaml_scalar

Repo = Callable[..., Path]

TRICKY = (
    "\ufeff---\r\n"
    "id: CRM-1   # the id\r\n"
    "title: 'Export: the ledger, monthly'\r\n"
    "type: functional\r\n"
    "status: proposed\r\n"
    "owner: zhang.wei\r\n"
    "reason: waiting for the budget\r\n"
    "# who asked\r\n"
    "source: {channel: interview, customers: [acme]}\r\n"
    "priority:\r\n"
    "  moscow: must   # agreed with sales\r\n"
    '  importance: "high"\r\n'
    "  ice: {impact: 2, confidence: 3}\r\n"
    "tags:\r\n"
    "  - export\r\n"
    "  - 数据\r\n"
    "x-custom: kept as it is\r\n"
    "---\r\n"
    "## 场景\r\n"
    "\r\n"
    "Body text stays.\r\n"
)


def repo_with(make_repo: Repo, text: str) -> Path:
    root = make_repo({"reqs/a/CRM-9.md": req("CRM-9")})
    (root / "reqs/a/CRM-1.md").write_bytes(text.encode("utf-8"))
    return root


def run(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--repo", str(root), "set", *args])
    return result.exit_code, result.stdout, result.stderr


def data_of(raw: bytes) -> dict[str, Any]:
    text = decode(raw)
    assert isinstance(text, str)
    split = split_front_matter(text)
    assert isinstance(split, tuple)
    data = parse_front_matter(split[0])
    assert isinstance(data, dict)
    return data


def changed_lines(before: bytes, after: bytes) -> tuple[list[str], list[str]]:
    """The lines only in `before` and only in `after` (CRLF kept on each)."""
    old, new = before.decode().splitlines(True), after.decode().splitlines(True)
    return [line for line in old if line not in new], [line for line in new if line not in old]


ICE = "  ice: {impact: 2, confidence: 3}\r\n"
SOURCE = "source: {channel: interview, customers: [acme]}\r\n"
MOSCOW = "  moscow: {}   # agreed with sales\r\n"


@pytest.mark.parametrize(
    ("args", "gone", "came", "field", "value"),
    [
        (["status", "deferred"], ["status: proposed\r\n"], ["status: deferred\r\n"],
         "status", "deferred"),
        (["priority.moscow", "should"], [MOSCOW.format("must")], [MOSCOW.format("should")],
         "priority.moscow", "should"),
        (["priority.ice.ease", "4"], [ICE], [ICE.replace("3}", "3, ease: 4}")],
         "priority.ice", {"impact": 2, "confidence": 3, "ease": 4}),
        (["priority.value", "7"], [], ["  value: 7\r\n"], "priority.value", 7),
        (["title", "导出：总账"], ["title: 'Export: the ledger, monthly'\r\n"],
         ["title: 导出：总账\r\n"], "title", "导出：总账"),
        (["tags", "--add", "月度", "--remove", "export"], ["  - export\r\n"], ["  - 月度\r\n"],
         "tags", ["数据", "月度"]),
        (["source.customers", "--add", "globex"], [SOURCE],
         [SOURCE.replace("acme", "acme, globex")], "source.customers", ["acme", "globex"]),
        (["owner", "--unset"], ["owner: zhang.wei\r\n"], [], "owner", None),
        (["priority.ice.confidence", "--unset"], [ICE], ["  ice: {impact: 2}\r\n"],
         "priority.ice", {"impact": 2}),
        (["tags", "--remove", "数据"], ["  - 数据\r\n"], [], "tags", ["export"]),
        (["due", "2026-12-31"], [], ["due: 2026-12-31\r\n"], "due", "2026-12-31"),
        (["links.parent", "--add", "CRM-9"], [], ["links:\r\n", "  parent: [CRM-9]\r\n"],
         "links.parent", ["CRM-9"]),
    ],
)  # fmt: skip
def test_set_changes_exactly_the_lines_of_that_field(
    make_repo: Repo,
    args: list[str],
    gone: list[str],
    came: list[str],
    field: str,
    value: Any,
) -> None:
    # verifies: REQ-705
    # verifies: REQ-005
    root = repo_with(make_repo, TRICKY)
    path = root / "reqs/a/CRM-1.md"
    before = path.read_bytes()
    mode = 0o640
    path.chmod(mode)
    code, out, err = run(root, "CRM-1", *args)
    assert (code, out) == (0, "reqs/a/CRM-1.md\n"), err
    after = path.read_bytes()
    assert after.startswith("\ufeff---\r\n".encode()) and after.endswith(b"Body text stays.\r\n")
    assert changed_lines(before, after) == (gone, came)
    node: Any = data_of(after)
    for key in field.split("."):
        node = node.get(key) if isinstance(node, dict) else None
    assert node == value
    expected = data_of(before)
    got = data_of(after)
    top = field.split(".")[0]
    assert {k: v for k, v in got.items() if k != top} == {
        k: v for k, v in expected.items() if k != top
    }
    assert path.stat().st_mode & 0o777 == mode
    assert sorted(p.name for p in path.parent.iterdir()) == ["CRM-1.md", "CRM-9.md"]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["status", "done"], 1, "status 'proposed' -> 'done' is not allowed"),
        (["status", "duplicate"], 1, "status 'duplicate' requires 'links.duplicates'"),
        (["priority.ice.impact", "9"], 2, "expected a whole number from 1 to 5, got 9"),
        (["type", "epic"], 2, "expected one of functional"),
        (["title", "--unset"], 2, "title is required"),
        (["priority", "high"], 2, "holds a mapping or a list"),
        (["status"], 2, "give a VALUE"),
        (["status", "accepted", "--unset"], 2, "give a VALUE"),
        (["anchored", "x"], 2, "anchor, alias or tag"),
        (["folded", "x"], 2, "several lines"),
    ],
)
def test_set_refuses_and_leaves_the_file_as_it_was(
    make_repo: Repo, args: list[str], code: int, message: str
) -> None:
    # verifies: REQ-705
    text = TRICKY.replace(
        "x-custom: kept as it is\r\n",
        "x-custom: kept as it is\r\nanchored: &a one\r\nfolded: >\r\n  two\r\n  lines\r\n",
    )
    root = repo_with(make_repo, text)
    path = root / "reqs/a/CRM-1.md"
    before = path.read_bytes()
    result = run(root, "CRM-1", *args)
    assert result[0] == code and message in result[2], result
    assert path.read_bytes() == before


def test_set_an_unknown_id_is_a_usage_error(make_repo: Repo) -> None:
    # verifies: REQ-705
    root = repo_with(make_repo, TRICKY)
    assert run(root, "CRM-404", "status", "accepted")[0] == 2


def test_set_follows_the_workflow_step_by_step(make_repo: Repo) -> None:
    # verifies: REQ-705
    root = repo_with(make_repo, TRICKY)
    assert run(root, "CRM-1", "status", "accepted")[0] == 1  # acceptance is required first
    assert run(root, "CRM-1", "acceptance", "--add", "Exports 100 rows in 2 seconds.")[0] == 0
    assert run(root, "CRM-1", "status", "accepted")[0] == 0
    assert run(root, "CRM-1", "status", "in-progress")[0] == 0
    result = CliRunner().invoke(cli, ["--repo", str(root), "check"])
    assert result.exit_code == 0, result.stdout


def test_set_as_a_subprocess(make_repo: Repo) -> None:
    # verifies: REQ-705
    root = repo_with(make_repo, TRICKY)
    proc = subprocess.run(
        [sys.executable, "-m", "reqforge", "set", "CRM-1", "status", "deferred"],
        cwd=root, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert (proc.returncode, proc.stdout) == (0, "reqs/a/CRM-1.md\n"), proc.stderr
    proc = subprocess.run(
        [sys.executable, "-m", "reqforge", "set", "CRM-1", "status", "done"],
        cwd=root, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 1 and "Traceback" not in proc.stderr


_STYLES = [
    "---\nid: CRM-1\ntitle: T\ntype: functional\nstatus: proposed\n---\nBody\n",
    '---\r\nid: CRM-1 # c\r\ntitle: "T"\r\ntype: functional\r\nstatus: proposed\r\n'
    "priority: {moscow: must}\r\n---\r\n",
    "\ufeff---\nid: CRM-1\ntitle: 'T'\ntype: functional\nstatus: proposed\npriority:\n"
    "  # comment\n  ice:\n    impact: 1\nfeedback:\n---\n",
]
_FIELDS = [
    ("title",),
    ("owner",),
    ("priority", "value"),
    ("priority", "ice", "impact"),
    ("priority", "moscow"),
    ("feedback", "comment"),
    ("x-note",),
]
_TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=20
).filter(str.strip)


@settings(max_examples=150)
@given(
    style=st.sampled_from(_STYLES),
    edits=st.lists(
        st.tuples(st.sampled_from(_FIELDS), st.one_of(_TEXT, st.integers(-5, 99))), max_size=5
    ),
)
def test_scalar_edits_read_back_and_keep_every_other_field(
    style: str, edits: list[tuple[tuple[str, ...], Any]]
) -> None:
    """Any sequence of scalar edits: the front matter parses after each, the edited field
    reads back as set, every other field as before; the body and the line endings stay."""
    # verifies: REQ-705
    text = style
    parts = split_file(text)
    expected = data_of(text.encode("utf-8"))
    for path, value in edits:
        lines_before = parts.front.splitlines(True)
        set_value(parts, path, value)
        # Exactly the lines of that field: each line that changed or came names a key of its
        # path (a parent added above it, the field itself), and no other line went.
        changes = difflib.SequenceMatcher(None, lines_before, parts.front.splitlines(True))
        for tag, i1, i2, j1, j2 in changes.get_opcodes():
            if tag == "equal":
                continue
            assert i2 - i1 <= 1, (path, lines_before[i1:i2])
            for line in changes.b[j1:j2]:
                assert any(f"{key}:" in line for key in path), (path, line)
        node = expected
        for key in path[:-1]:
            if not isinstance(node.get(key), dict):
                node[key] = {}
            node = node[key]
        node[path[-1]] = value
        got = data_of(parts.text.encode("utf-8"))
        assert got == expected, (path, value, parts.front)
    assert parts.text.endswith(style.split("---", 2)[2])
    assert ("\r\n" in parts.text) == ("\r\n" in style)


@given(value=st.one_of(_TEXT, st.integers(), st.booleans(), st.none()))
def test_a_scalar_reads_back_as_the_value(value: Any) -> None:
    # verifies: REQ-705
    parsed = parse_front_matter(f"v: {yaml_scalar(value)}\n")
    assert isinstance(parsed, dict) and parsed["v"] == value


@pytest.mark.parametrize("delay", [0.0, 0.003, 0.01, 0.03])
def test_a_replacement_killed_at_any_moment_leaves_the_old_file_or_the_new(
    tmp_path: Path, delay: float
) -> None:
    # verifies: REQ-705
    path = tmp_path / "CRM-1.md"
    old = b"o" * 1000
    path.write_bytes(old)
    size = 64 << 20
    kill_mid_write("write_replacing", path, size, delay)
    content = path.read_bytes()
    assert content == old or content == b"n" * size


def test_set_and_check_base_agree_that_a_final_status_is_final(make_repo: Repo) -> None:
    """A status without transitions (done) is final for `set` as for RF301."""
    # verifies: REQ-705
    root = repo_with(make_repo, TRICKY.replace("status: proposed", "status: done"))
    path = root / "reqs/a/CRM-1.md"
    before = path.read_bytes()
    code, _, err = run(root, "CRM-1", "status", "proposed")
    assert code == 1 and "from 'done' the workflow allows: nothing ('done' is final)" in err
    assert path.read_bytes() == before


@pytest.mark.parametrize("text", ["_0", "-_1", "__1", "0b_1", "0o_7", "_1e3", "._5", "1_2.3_4"])
def test_strings_the_parser_reads_as_numbers_are_quoted(text: str) -> None:
    # yaml_rs reads underscores anywhere in a number (hypothesis found `_0` written plain)
    from reqforge.loader import parse_front_matter
    from reqforge.yaml_splice import yaml_scalar

    written = yaml_scalar(text)
    assert written.startswith('"')
    assert parse_front_matter(f"v: {written}\n") == {"v": text}
