"""`reqforge import`: Doorstop trees, spreadsheets (ours and Jira/PingCode exports with a map),
our json; IDs kept or renumbered with links rewritten; validate everything, then write all or
nothing; round trips export -> import -> export that lose nothing (reqforge/interchange/)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.realworld import realworld

from reqforge.cli.main import cli
from reqforge.fields import Spec
from reqforge.interchange.cells import as_json, cell_text, cell_value, guard, read_cell, unguard

REALWORLD = realworld() or Path("/nonexistent/shared/realworld")
DOORSTOP = REALWORLD / "doorstop-reqs"

CONFIG = """\
[project]
name = "全字段"
[fields.risk]
type = "enum"
values = ["low", "medium", "high"]
[fields.components]
type = "list"
[links]
relations = ["refines"]
"""

FULL = """\
---
id: CRM-1
title: 批量导出客户数据 (bulk export)
type: functional
status: in-progress
owner: zhang.wei
team: product
due: 2026-12-15
source:
  channel: interview
  customers: [acme, 华为]
  evidence: "We re-key the monthly ledger by hand; twice."
  explicit: true
  proposer: li.na
priority:
  moscow: must
  kano: performance
  importance: high
  urgency: urgent
  value: 8
  cost: 3
  ice: {impact: 4, confidence: 4, ease: 3}
  rice: {reach: 1200, impact: 2, confidence: 0.8, effort: 1.5}
  fmea: {severity: 7, occurrence: 4, detection: 5}
  wsjf: {value: 8, time-criticality: 5, urgency: 3, risk: 2, size: 13}
  votes: {sales: must, support: 7}
links:
  parent: [CRM-2]
  depends-on: [CRM-3]
  conflicts-with: [CRM-3]
  duplicates: [CRM-2]
  relates-to: [CRM-3]
  refines: [CRM-2]
verification:
  method: test
  notes: "Run the export job; compare totals."
acceptance:
  - Exports 100,000 rows to CSV in under 10 seconds.
  - "导出文件包含表头; 字段与界面一致"
analysis:
  five-whys: [Monthly re-keying, No export]
  root-cause: No export
reason: null
feedback:
  satisfaction: 4
  comment: "Saves us two days a month."
tags: [export, 数据]
lint-ignore: [RF401]
risk: high
components: [api, "=cmd"]
---
## 场景

| 列 | 说明 |
|---|---|
| 客户 | 名称 |

A second paragraph with **bold** and a [link](https://example.com).
"""


def other(rid: str, title: str, links: str = "") -> str:
    return (
        f"---\nid: {rid}\ntitle: {title}\ntype: business\nstatus: proposed\n{links}---\n"
        f"Body of {rid}, line one.\n\nLine two: ={rid}\n"
    )


def invoke(root: Path, *args: str) -> Any:
    return CliRunner().invoke(cli, ["--repo", str(root), *args])


@pytest.fixture
def full(make_repo: Callable[..., Path]) -> Path:
    return make_repo(
        {
            "reqs/crm/CRM-1.md": FULL,
            "reqs/crm/CRM-2.md": other("CRM-2", "\"'Quoted' title; with: colon\""),
            "reqs/crm/sub/CRM-3.md": other("CRM-3", "=SUM(A1)", "links: {parent: [CRM-2]}\n"),
        },
        config=CONFIG,
    )


def fresh(tmp_path: Path, name: str) -> Path:
    root = tmp_path / name
    (root / "reqs").mkdir(parents=True)
    (root / "reqforge.toml").write_text(CONFIG, "utf-8")
    return root


def files_of(root: Path) -> dict[str, tuple[Any, str]]:
    """Requirement files by path: (front matter, body)."""
    out = {}
    for path in sorted((root / "reqs").rglob("*.md")):
        text = path.read_text("utf-8")
        _, front, body = text.split("---\n", 2)
        out[path.relative_to(root).as_posix()] = (yaml.safe_load(front), body)
    return out


def no_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: no_nulls(v) for k, v in value.items() if v is not None}
    return value


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_export_import_export_loses_nothing(full: Path, tmp_path: Path, fmt: str) -> None:
    # verifies: REQ-707
    first = tmp_path / f"first.{fmt}"
    assert invoke(full, "export", "--to", fmt, "-o", str(first)).exit_code == 0
    target = fresh(tmp_path, "target")
    result = invoke(target, "import", "--from", fmt, str(first))
    assert result.exit_code == 0, result.output
    assert "3 requirement(s) imported, 0 with a new ID" in result.output
    original, imported = files_of(full), files_of(target)
    assert list(imported) == list(original)  # the same areas and names
    for rel, (front, body) in original.items():
        got_front, got_body = imported[rel]
        expected = no_nulls(front)
        if fmt == "json":  # the json export is the site's model: no private fields
            expected.get("source", {}).pop("evidence", None)
        assert no_nulls(got_front) == expected, rel
        assert got_body.strip("\n") == body.strip("\n"), rel
    second = tmp_path / f"second.{fmt}"
    assert invoke(target, "export", "--to", fmt, "-o", str(second)).exit_code == 0
    if fmt == "csv":
        assert first.read_bytes() == second.read_bytes()
    elif fmt == "json":
        one, two = json.loads(first.read_text("utf-8")), json.loads(second.read_text("utf-8"))
        for document in (one, two):
            document.pop("project")
            document.pop("customers")
            for item in document["requirements"]:
                item["body"] = item["body"].strip("\n")
        assert one == two
    else:
        from openpyxl import load_workbook

        def cells(path: Path) -> list[list[Any]]:
            sheet = load_workbook(path)["requirements"]
            return [[c.value for c in row] for row in sheet.iter_rows()]

        assert cells(first) == cells(second)
    assert invoke(target, "check").exit_code == 0
    assert invoke(target, "fmt", "--check").exit_code == 0


def test_doorstops_own_tree_imports_one_file_per_active_item(
    make_repo: Callable[..., Path],
) -> None:
    # verifies: REQ-707
    if not DOORSTOP.is_dir():
        pytest.skip("no ../shared/realworld here")
    root = make_repo({})
    result = invoke(root, "import", "--from", "doorstop", str(DOORSTOP))
    assert result.exit_code == 0, result.output
    items = sorted(DOORSTOP.rglob("*.yml"))
    active = [p for p in items if p.name != ".doorstop.yml"]
    active = [p for p in active if yaml.safe_load(p.read_text("utf-8")).get("active", True)]
    written = files_of(root)
    assert len(written) == len(active) == 43
    assert "reqs/tutorial/TUT-001.md" in written and "reqs/ext/EXT-001.md" in written
    front, body = written["reqs/tutorial/TUT-001.md"]
    assert front["links"] == {"parent": ["REQ-003", "REQ-004"]}  # links intact, rewritten
    assert front["origin"]["id"] == "TUT001" and front["origin"]["document"] == "TUT"
    assert front["origin"]["fingerprints"]["REQ003"].startswith("9TcFUzs")
    assert front["title"] == "Creating a New Document and Adding Items"
    assert "$ doorstop create REQ ./reqs" in body
    assert written["reqs/REQ-001.md"][0]["title"] == "Assets"  # header -> title
    assert written["reqs/REQ-001.md"][0]["origin"]["level"] == "2.3"
    ext = written["reqs/ext/EXT-001.md"][0]["origin"]
    assert ext["references"][0]["path"] == "reqs/ext/test.file"
    check = invoke(root, "check")
    assert check.exit_code == 0, check.output
    assert invoke(root, "fmt", "--check").exit_code == 0


def test_inactive_doorstop_items_are_skipped_and_reported(tmp_path: Path) -> None:
    # verifies: REQ-707
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / ".doorstop.yml").write_text("settings:\n  prefix: SYS\n  sep: '-'\n  digits: 2\n")
    (tree / "SYS-01.yml").write_text("active: true\nheader: ''\ntext: The pump shall stop.\n")
    (tree / "SYS-02.yml").write_text("active: false\nheader: Old\ntext: gone\n")
    root = fresh(tmp_path, "repo")
    result = invoke(root, "import", "--from", "doorstop", str(tree))
    assert result.exit_code == 0, result.output
    assert "SYS-02.yml: inactive item (active: false)" in result.output
    assert list(files_of(root)) == ["reqs/SYS-01.md"]  # the ID fits: kept, no origin.id
    front, _ = files_of(root)["reqs/SYS-01.md"]
    assert front["title"] == "The pump shall stop." and "id" not in front["origin"]


JIRA = (
    "Summary,Issue key,Issue id,Issue Type,Status,Priority,Labels,Labels,Parent id,Description\n"
    'Export ledgers,PROJ-12,10012,Story,In Progress,High,finance,导出,,"Line one\n\nLine two"\n'
    "Ledger columns,PROJ-13,10013,Sub-task,To Do,Low,finance,,10012,Columns as in the UI\n"
    "Odd one,proj 14,10014,Epic,Done,Medium,,,,\n"
)


def test_a_jira_csv_imports_with_the_ready_map(tmp_path: Path) -> None:
    # verifies: REQ-707
    source = tmp_path / "jira.csv"
    source.write_text(JIRA, "utf-8")
    root = fresh(tmp_path, "repo")
    result = invoke(root, "import", "--from", "csv", "--map", "jira", str(source))
    assert result.exit_code == 0, result.output
    written = files_of(root)
    twelve, body = written["reqs/PROJ-12.md"]
    assert twelve["status"] == "in-progress" and twelve["priority"] == {"moscow": "must"}
    assert twelve["tags"] == ["finance", "导出"]  # "Labels" twice: both values
    assert body.strip() == "Line one\n\nLine two"
    thirteen, _ = written["reqs/PROJ-13.md"]
    assert thirteen["links"] == {"parent": ["PROJ-12"]}  # by Jira's Issue id
    assert thirteen["status"] == "proposed" and thirteen["priority"]["moscow"] == "could"
    odd = next(front for rel, (front, _) in written.items() if front["title"] == "Odd one")
    assert odd["id"] == "PROJ-14" and odd["origin"]["id"] == "proj 14"
    assert odd["type"] == "business" and odd["status"] == "done"
    assert invoke(root, "check").exit_code == 0


def test_a_pingcode_workbook_imports_with_the_ready_map(tmp_path: Path) -> None:
    # verifies: REQ-707
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(
        ["编号", "标题", "工作项类型", "状态", "优先级", "负责人", "描述", "截止时间", "自定义"]
    )
    sheet.append(
        [
            "PC-7",
            "支持导出报表",
            "用户故事",
            "进行中",
            "高",
            "王芳",
            "客户需要",
            dt.datetime(2027, 1, 5),
            "x",
        ]
    )
    book.save(tmp_path / "pc.xlsx")
    root = fresh(tmp_path, "repo")
    result = invoke(
        root, "import", "--from", "xlsx", "--map", "pingcode", str(tmp_path / "pc.xlsx")
    )
    assert result.exit_code == 0, result.output
    front, body = files_of(root)["reqs/PC-7.md"]
    assert front["status"] == "in-progress" and front["owner"] == "王芳"
    assert front["due"] == dt.date(2027, 1, 5) and front["priority"] == {"moscow": "must"}
    assert front["origin"] == {"attributes": {"自定义": "x"}, "tool": "xlsx"}
    assert body.strip() == "客户需要"


def test_ids_that_do_not_fit_are_renumbered_and_links_rewritten(tmp_path: Path) -> None:
    # verifies: REQ-707
    source = tmp_path / "in.csv"
    source.write_text(
        "id,title,type,status,links.depends-on,links.parent\n"
        "legacy/1,First,functional,proposed,legacy/2,\n"
        "legacy/2,Second,functional,proposed,,CRM-9\n"
        "CRM-5,Third,functional,proposed,legacy/1; nowhere,\n",
        "utf-8",
    )
    root = fresh(tmp_path, "repo")
    (root / "reqs/CRM-9.md").write_text(other("CRM-9", "Existing"), "utf-8")
    result = invoke(root, "import", "--from", "csv", "--area", "in", str(source))
    assert result.exit_code == 0, result.output
    assert "link depends-on -> nowhere dropped" in result.output
    written = files_of(root)
    first = next(f for f, _ in written.values() if f["title"] == "First")
    second = next(f for f, _ in written.values() if f["title"] == "Second")
    third = written["reqs/in/CRM-5.md"][0]
    assert first["origin"]["id"] == "legacy/1" and first["id"].startswith("CRM-")
    assert first["links"] == {"depends-on": [second["id"]]}
    assert second["links"] == {"parent": ["CRM-9"]}  # an ID of the repository: kept
    assert third["links"] == {"depends-on": [first["id"]]}
    assert third["origin"]["unresolved-links"] == ["depends-on: nowhere"]
    assert invoke(root, "check").exit_code == 0


def test_existing_files_are_kept_unless_force(full: Path, tmp_path: Path) -> None:
    # verifies: REQ-707
    exported = tmp_path / "out.csv"
    assert invoke(full, "export", "--to", "csv", "-o", str(exported)).exit_code == 0
    before = {p: p.read_bytes() for p in (full / "reqs").rglob("*.md")}
    (full / "reqs/crm/CRM-2.md").write_text(other("CRM-2", "Changed here"), "utf-8")
    changed = (full / "reqs/crm/CRM-2.md").read_bytes()
    result = invoke(full, "import", "--from", "csv", str(exported))
    assert result.exit_code == 1
    assert "CRM-1 exists already (reqs/crm/CRM-1.md): give --force" in result.output
    assert (full / "reqs/crm/CRM-2.md").read_bytes() == changed  # nothing written
    dry = invoke(full, "import", "--from", "csv", "--force", "--dry-run", str(exported))
    assert dry.exit_code == 0 and "would write reqs/crm/CRM-2.md (replaced)" in dry.output
    assert (full / "reqs/crm/CRM-2.md").read_bytes() == changed
    forced = invoke(full, "import", "--from", "csv", "--force", str(exported))
    assert forced.exit_code == 0, forced.output
    assert files_of(full)["reqs/crm/CRM-2.md"][0]["title"] == "'Quoted' title; with: colon"
    assert sorted(before) == sorted((full / "reqs").rglob("*.md"))


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    # verifies: REQ-707
    if not DOORSTOP.is_dir():
        pytest.skip("no ../shared/realworld here")
    root = fresh(tmp_path, "repo")
    result = invoke(root, "import", "--from", "doorstop", "--dry-run", str(DOORSTOP))
    assert result.exit_code == 0 and "would write reqs/REQ-001.md (was REQ001)" in result.output
    assert "43 requirement(s) to import" in result.output
    assert not list((root / "reqs").rglob("*.md"))


LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">]>
<REQ-IF xmlns="http://www.omg.org/spec/ReqIF/20110401/reqif.xsd">&lol2;</REQ-IF>
"""
MISSING = b"""<?xml version="1.0" encoding="UTF-8"?>
<REQ-IF xmlns="http://www.omg.org/spec/ReqIF/20110401/reqif.xsd">
  <CORE-CONTENT><REQ-IF-CONTENT>
    <SPEC-OBJECTS>
      <SPEC-OBJECT IDENTIFIER="o-1" LONG-NAME="The pump stops" LAST-CHANGE="2026-01-01T00:00:00">
        <TYPE><SPEC-OBJECT-TYPE-REF>t</SPEC-OBJECT-TYPE-REF></TYPE>
      </SPEC-OBJECT>
    </SPEC-OBJECTS>
    <SPEC-RELATIONS>
      <SPEC-RELATION IDENTIFIER="r-1" LAST-CHANGE="2026-01-01T00:00:00">
        <SOURCE><SPEC-OBJECT-REF>o-1</SPEC-OBJECT-REF></SOURCE>
        <TARGET><SPEC-OBJECT-REF>nowhere</SPEC-OBJECT-REF></TARGET>
      </SPEC-RELATION>
    </SPEC-RELATIONS>
  </REQ-IF-CONTENT></CORE-CONTENT>
</REQ-IF>
"""

BAD_INPUTS = [
    ("csv", "empty.csv", b"", "empty.csv: the file is empty"),
    ("csv", "broken.csv", b'id,title\nA-1,"unclosed\n', "broken.csv:"),
    ("csv", "wide.csv", b"id,title,type,status\nA-1,x,functional,proposed,extra\n", "wide.csv:2: a row of 5 cells"),  # noqa: E501
    ("csv", "cols.csv", b"name,text\nx,y\n", "cols.csv: no 'id' column"),
    ("xlsx", "junk.xlsx", b"PK\x03\x04 not really a zip", "junk.xlsx: not an Excel workbook"),
    ("json", "bad.json", b'{"format": "reqforge.requirements",\n "requirements": [}', "bad.json:2:"),  # noqa: E501
    ("json", "other.json", b'{"a": 1}', "other.json: not a reqforge export"),
    ("reqif", "random.reqif", b"<a><b/></a>", "random.reqif:1: not a ReqIF document"),
    ("reqif", "cut.reqif", b"<REQ-IF><THE-HEADER>", "cut.reqif:1: not well-formed XML"),
    ("reqif", "laughs.reqif", LAUGHS, "laughs.reqif"),
    ("reqif", "missing.reqif", MISSING, "missing.reqif:10: SPEC-RELATION 'r-1' points at a missing SPEC-OBJECT 'nowhere'"),  # noqa: E501
    ("needs-json", "needs.json", b"[1, 2]", "needs.json: not a sphinx-needs needs.json"),
]  # fmt: skip


@pytest.mark.parametrize(("fmt", "name", "content", "message"), BAD_INPUTS)
def test_invalid_sources_exit_1_or_2_naming_file_and_place_and_write_nothing(
    tmp_path: Path, fmt: str, name: str, content: bytes, message: str
) -> None:
    # verifies: REQ-707
    source = tmp_path / name
    source.write_bytes(content)
    root = fresh(tmp_path, "repo")
    result = invoke(root, "import", "--from", fmt, str(source))
    assert result.exit_code in (1, 2), result.output
    assert message in result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert not list((root / "reqs").rglob("*"))


def test_a_doorstop_folder_that_is_not_one_and_bad_items(tmp_path: Path) -> None:
    # verifies: REQ-707
    root = fresh(tmp_path, "repo")
    empty = tmp_path / "empty"
    empty.mkdir()
    result = invoke(root, "import", "--from", "doorstop", str(empty))
    assert result.exit_code == 2 and "no Doorstop document here" in result.output
    (empty / ".doorstop.yml").write_text("settings:\n  prefix: SYS\n")
    (empty / "SYS001.yml").write_text("text: [unclosed\n")
    result = invoke(root, "import", "--from", "doorstop", str(empty))
    assert result.exit_code == 2 and "SYS001.yml:2: not valid YAML" in result.output
    assert not list((root / "reqs").rglob("*"))


def test_an_invalid_record_stops_the_whole_import(tmp_path: Path) -> None:
    # verifies: REQ-707
    source = tmp_path / "in.csv"
    source.write_text(
        "id,title,type,status,priority.ice.impact\n"
        "A-1,Good,functional,proposed,3\n"
        "A-2,Bad,functional,no-such-status,9\n",
        "utf-8",
    )
    root = fresh(tmp_path, "repo")
    result = invoke(root, "import", "--from", "csv", str(source))
    assert result.exit_code == 1
    assert (
        "in.csv:3: status:" in result.output and "in.csv:3: priority.ice.impact:" in result.output
    )
    assert not list((root / "reqs").rglob("*.md"))


def test_a_failed_write_undoes_the_files_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # verifies: REQ-707
    import reqforge.editing as editing

    if not DOORSTOP.is_dir():
        pytest.skip("no ../shared/realworld here")
    root = fresh(tmp_path, "repo")
    (root / "reqs/KEEP-1.md").write_text(other("KEEP-1", "Kept"), "utf-8")
    real = editing.write_new_file
    calls = []

    def failing(path: Path, content: bytes) -> None:
        calls.append(path)
        if len(calls) == 20:
            raise OSError(28, "No space left on device", str(path))
        real(path, content)

    monkeypatch.setattr(editing, "write_new_file", failing)
    result = invoke(root, "import", "--from", "doorstop", str(DOORSTOP))
    assert result.exit_code == 2 and "No space left on device; nothing imported" in result.output
    assert [p.name for p in (root / "reqs").rglob("*")] == ["KEEP-1.md"]


def test_import_runs_as_a_process(full: Path, tmp_path: Path) -> None:
    # verifies: REQ-707
    exported = tmp_path / "out.xlsx"
    assert invoke(full, "export", "--to", "xlsx", "-o", str(exported)).exit_code == 0
    target = fresh(tmp_path, "target")
    proc = subprocess.run(
        [sys.executable, "-m", "reqforge", "import", "--from", "xlsx", str(exported)],
        cwd=target, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "3 requirement(s) imported, 0 with a new ID, 0 skipped"


def test_the_map_file_is_checked(tmp_path: Path) -> None:
    # verifies: REQ-707
    root = fresh(tmp_path, "repo")
    source = tmp_path / "in.csv"
    source.write_text("Name,Text\nx,y\n", "utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text("[columns]\nName = 3\n", "utf-8")
    result = invoke(root, "import", "--from", "csv", "--map", str(bad), str(source))
    assert (
        result.exit_code == 2 and "bad.toml: columns.Name: expected a field name" in result.output
    )
    good = tmp_path / "good.toml"
    good.write_text('[columns]\nName = "title"\nText = "body"\n[defaults]\ntype = "business"\n')
    result = invoke(root, "import", "--from", "csv", "--map", str(good), str(source))
    assert result.exit_code == 0, result.output
    ((front, body),) = files_of(root).values()
    assert front["title"] == "x" and front["type"] == "business" and body.strip() == "y"
    assert front["id"] == "REQ-001"
    assert "origin" not in front  # nothing to keep: no ID, no other column


# The cell encoding (cells.py) reads back every value it writes, for the field's kind.
_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
_VALUES = {
    "string": (Spec("string"), _TEXT.filter(bool)),
    "int": (Spec("int"), st.integers(-(10**12), 10**12)),
    "number": (Spec("number"), st.floats(allow_nan=False, allow_infinity=False) | st.integers()),
    "bool": (Spec("bool"), st.booleans()),
    "date": (Spec("date"), st.dates()),
    "strings": (Spec("strings"), st.lists(_TEXT, max_size=4)),
    "unknown": (None, st.lists(_TEXT | st.integers(), min_size=1, max_size=3)),
}


@pytest.mark.parametrize("kind", sorted(_VALUES))
def test_cells_read_back_what_they_wrote(kind: str) -> None:
    # verifies: REQ-707
    spec, values = _VALUES[kind]

    @settings(max_examples=150, deadline=None)
    @given(values)
    def check(value: Any) -> None:
        if value == [] and kind == "strings":
            assert read_cell(cell_text(value), spec) == []
            return
        if spec is None:  # the export writes lists of unknown fields as JSON (table.py)
            assert read_cell(as_json(value), spec) == value
            return
        assert read_cell(unguard(guard(cell_text(value))), spec) == value
        held = cell_value(value)
        assert read_cell(held, spec) == value

    check()


def merge_repo(tmp_path: Path) -> Any:
    from tests.gitrepo import GitRepo

    repo = GitRepo(tmp_path / "merge", tmp_path / "home")
    repo.write("reqforge.toml", CONFIG)
    repo.write("reqs/crm/CRM-1.md", FULL)
    repo.write("reqs/crm/CRM-2.md", other("CRM-2", "Second"))
    repo.write("reqs/crm/CRM-3.md", other("CRM-3", "Third", "# kept comment\n"))
    repo.commit("requirements")
    return repo


def test_a_spreadsheet_merges_back_keeping_both_sides_changes(tmp_path: Path) -> None:
    # verifies: REQ-707
    from openpyxl import load_workbook

    repo = merge_repo(tmp_path)
    root = repo.root
    sheet_path = tmp_path / "out.xlsx"
    assert invoke(root, "export", "--to", "xlsx", "-o", str(sheet_path)).exit_code == 0
    # git, meanwhile: CRM-2's status, CRM-3's title
    repo.write(
        "reqs/crm/CRM-2.md",
        other("CRM-2", "Second").replace("proposed", "rejected\nreason: no budget"),
    )
    repo.write("reqs/crm/CRM-3.md", other("CRM-3", "Third in git", "# kept comment\n"))
    repo.commit("edits in git")
    # the spreadsheet: CRM-2's title, CRM-3's title (a conflict), a new row, tags of CRM-1
    book = load_workbook(sheet_path)
    sheet = book["requirements"]
    header = [c.value for c in sheet[1]]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    rows["CRM-2"][header.index("title")].value = "Second, renamed in Excel"
    rows["CRM-3"][header.index("title")].value = "Third in Excel"
    rows["CRM-1"][header.index("tags")].value = "export; 数据; new-tag"
    rows["CRM-1"][header.index("priority.value")].value = 8.0  # Excel's number: unchanged
    new = [None] * len(header)
    new[header.index("id")], new[header.index("title")] = "CRM-4", "Added in Excel"
    new[header.index("type")], new[header.index("status")] = "business", "proposed"
    new[header.index("links.depends-on")] = "NOPE-9"  # nowhere: the link is dropped, reported
    sheet.append(new)
    book.save(sheet_path)
    result = invoke(root, "import", "--from", "xlsx", "--merge", str(sheet_path))
    assert result.exit_code == 1, result.output  # a conflict: reported, exit 1
    assert (
        'conflict CRM-3 title: base "Third", spreadsheet "Third in Excel", git "Third in git"'
        in result.output
    )
    assert "merged CRM-2: title" in result.output and "merged CRM-1: tags" in result.output
    assert "added reqs/CRM-4.md" in result.output
    assert "link depends-on -> NOPE-9 dropped" in result.output
    two, _ = files_of(root)["reqs/crm/CRM-2.md"]
    assert two["title"] == "Second, renamed in Excel" and two["status"] == "rejected"  # both
    three = (root / "reqs/crm/CRM-3.md").read_text("utf-8")
    assert "title: Third in git" in three and "# kept comment" in three  # ours kept
    one = (root / "reqs/crm/CRM-1.md").read_text("utf-8")
    assert one == FULL.replace("tags: [export, 数据]", "tags: [export, 数据, new-tag]")
    assert files_of(root)["reqs/CRM-4.md"][0]["title"] == "Added in Excel"
    assert invoke(root, "check").exit_code == 0


def test_a_csv_merges_by_its_stamp_and_dry_run_changes_nothing(tmp_path: Path) -> None:
    # verifies: REQ-707
    import csv as csv_module
    import io

    repo = merge_repo(tmp_path)
    root = repo.root
    out = tmp_path / "out.csv"
    assert invoke(root, "export", "--to", "csv", "-o", str(out)).exit_code == 0
    text = out.read_text("utf-8-sig")
    stamp, rest = text.split("\n", 1)
    assert stamp == f"#reqforge-export commit={repo.git('rev-parse', 'HEAD')}"
    table = list(csv_module.reader(io.StringIO(rest)))
    header = table[0]
    for row in table[1:]:
        if row[0] == "CRM-2":
            row[header.index("body")] = "A new body\n\nfrom the spreadsheet.\n"
            row[header.index("owner")] = "wang.fang"
    buffer = io.StringIO()
    csv_module.writer(buffer, lineterminator="\n").writerows(table)
    out.write_text("\ufeff" + stamp + "\n" + buffer.getvalue(), "utf-8")
    before = (root / "reqs/crm/CRM-2.md").read_bytes()
    dry = invoke(root, "import", "--from", "csv", "--merge", "--dry-run", str(out))
    assert dry.exit_code == 0 and "would merge CRM-2: body, owner" in dry.output
    assert (root / "reqs/crm/CRM-2.md").read_bytes() == before
    done = invoke(root, "import", "--from", "csv", "--merge", str(out))
    assert done.exit_code == 0, done.output
    front, body = files_of(root)["reqs/crm/CRM-2.md"]
    assert front["owner"] == "wang.fang" and body == "A new body\n\nfrom the spreadsheet.\n"
    assert "1 requirement(s) changed, 0 added, 0 conflict(s)" in done.output
    again = invoke(root, "import", "--from", "csv", "--merge", str(out))
    assert "0 requirement(s) changed" in again.output  # merged already: nothing to do
    nostamp = tmp_path / "nostamp.csv"
    nostamp.write_text(rest, "utf-8")
    refused = invoke(root, "import", "--from", "csv", "--merge", str(nostamp))
    assert refused.exit_code == 2 and "no commit stamp" in refused.output
    with_base = invoke(root, "import", "--from", "csv", "--merge", "--base", "HEAD", str(nostamp))
    assert with_base.exit_code == 0, with_base.output


REQIF_FILES = sorted((REALWORLD / "reqif").glob("*.reqif")) if REALWORLD.is_dir() else []


@pytest.mark.parametrize("path", REQIF_FILES, ids=lambda p: p.stem)
def test_every_real_reqif_file_imports_and_checks_clean(tmp_path: Path, path: Path) -> None:
    # verifies: REQ-707
    root = fresh(tmp_path, "repo")
    broken = path.stem == "enterprise-architect"  # a SPEC-RELATION to a missing SPEC-OBJECT
    if broken:
        refused = invoke(root, "import", "--from", "reqif", str(path))
        assert refused.exit_code == 1
        assert "enterprise-architect.reqif:195: SPEC-RELATION" in refused.output
        assert "points at a missing SPEC-OBJECT 'FUNC-REQ-1'" in refused.output
        assert not list((root / "reqs").rglob("*.md"))
    args = ["--skip-broken"] if broken else []
    result = invoke(root, "import", "--from", "reqif", *args, str(path))
    assert result.exit_code == 0, result.output
    written = files_of(root)
    expected = {"polarion": 101, "reqif-studio": 137, "eclipse-rmf-relations": 2}
    assert len(written) == expected.get(path.stem, len(written)) and written
    assert all(
        front["title"] and front["origin"]["tool"] == "reqif" for front, _ in written.values()
    )
    check = invoke(root, "check")
    assert check.exit_code == 0, check.output
    assert " 0 errors" in check.output or "no problems found" in check.output
    if path.stem == "eclipse-rmf-relations":
        links = [front.get("links") for front, _ in written.values()]
        assert any(link and "relates-to" in link for link in links)
    if path.stem == "polarion":
        parents = [f for f, _ in written.values() if f.get("links", {}).get("parent")]
        assert len(parents) == 90  # the hierarchy, as parent links


def test_reqif_round_trip_through_the_cli(full: Path, tmp_path: Path) -> None:
    # verifies: REQ-707
    first = tmp_path / "first.reqif"
    assert invoke(full, "export", "--to", "reqif", "-o", str(first)).exit_code == 0
    target = fresh(tmp_path, "target")
    result = invoke(target, "import", "--from", "reqif", str(first))
    assert result.exit_code == 0, result.output
    assert "3 requirement(s) imported, 0 with a new ID, 0 skipped" in result.output
    original, imported = files_of(full), files_of(target)
    assert list(imported) == list(original)
    for rel, (front, body) in original.items():
        assert no_nulls(imported[rel][0]) == no_nulls(front), rel
        assert imported[rel][1] == body, rel
    second = tmp_path / "second.reqif"
    assert invoke(target, "export", "--to", "reqif", "-o", str(second)).exit_code == 0
    assert first.read_bytes() == second.read_bytes()


def test_needs_json_round_trip_through_the_cli(full: Path, tmp_path: Path) -> None:
    # verifies: REQ-707
    first = tmp_path / "first.json"
    assert invoke(full, "export", "--to", "needs-json", "-o", str(first)).exit_code == 0
    target = fresh(tmp_path, "target")
    result = invoke(target, "import", "--from", "needs-json", str(first))
    assert result.exit_code == 0, result.output
    original, imported = files_of(full), files_of(target)
    assert list(imported) == list(original)
    for rel, (front, body) in original.items():
        assert no_nulls(imported[rel][0]) == no_nulls(front), rel
        assert imported[rel][1] == body, rel


_SCALARS = (
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
    | st.integers(-(10**15), 10**15)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.booleans()
    | st.dates()
    | st.sampled_from(
        ["yes", "no", "null", "~", "1e3", "0x10", "- a", "a: b", "#x", "'", "\n\n", " a\n"]
    )
)
_KEYS = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=8)
_BODIES = st.text(  # a file holds no NUL; a CR is read as a line break
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"), max_size=40
)
_FRONT_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(st.sampled_from(["title", "owner", "extra", "tags", "origin"]), _FRONT_VALUES),
    _BODIES,
)
def test_imported_files_read_back_as_the_data_they_were_made_from(
    data: dict[str, Any], body: str
) -> None:
    # verifies: REQ-707
    from reqforge.interchange.importing import requirement_text
    from reqforge.loader import parse_file

    front = {"id": "CRM-1", "type": "functional", "status": "proposed", **data}
    text = requirement_text(front, body, {(): ("id", "title", "type", "status")}, exact=True)
    parsed = parse_file(text.encode("utf-8"))
    assert not hasattr(parsed, "message"), (text, parsed)

    def plain(value: Any) -> Any:  # our loader reads YAML 1.2: dates stay text
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value

    assert parsed.data == plain(front)
    assert text.split("\n---\n", 1)[1] == body


def test_a_body_no_file_can_hold_is_refused_with_its_row(tmp_path: Path) -> None:
    # verifies: REQ-707
    source = tmp_path / "in.json"
    item = {"id": "A-1", "fields": {"title": "x", "type": "functional", "status": "proposed"}}
    document = {"format": "reqforge.requirements", "requirements": [{**item, "body": "a\x00b"}]}
    source.write_text(json.dumps(document), "utf-8")
    root = fresh(tmp_path, "repo")
    result = invoke(root, "import", "--from", "json", str(source))
    assert result.exit_code == 1, result.output
    assert "in.json: requirements[0]: binary file (contains NUL bytes)" in result.output
    assert not list((root / "reqs").rglob("*.md"))


def test_a_strictdoc_reqif_export_imports_with_its_uids_and_text(tmp_path: Path) -> None:
    # verifies: REQ-707
    source = Path(__file__).parent / "data/reqif/strictdoc.reqif"
    root = fresh(tmp_path, "repo")
    result = invoke(root, "import", "--from", "reqif", str(source))
    assert result.exit_code == 0, result.output
    written = files_of(root)
    assert {"reqs/PUMP-1.md", "reqs/PUMP-2.md", "reqs/PUMP-3.md"} <= set(written)  # UIDs kept
    two, body = written["reqs/PUMP-2.md"]
    assert two["title"] == "报警持续时间" and body.strip() == "报警应持续至少 30 秒。"
    assert "PUMP-1" in two["links"]["parent"]  # StrictDoc's Parent relation
    one_body = written["reqs/PUMP-1.md"][1]
    assert "8 bar.\n\n- log the event\n- raise the alarm" in one_body
    assert invoke(root, "check").exit_code == 0


def test_a_workbook_that_unpacks_to_too_much_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # verifies: REQ-707
    import zipfile

    import reqforge.interchange.tabular as tabular

    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", "<a/>" + " " * 2_000_000)
    monkeypatch.setattr(tabular, "UNPACKED_LIMIT", 1_000_000)
    root = fresh(tmp_path, "repo")
    result = invoke(root, "import", "--from", "xlsx", str(bomb))
    assert result.exit_code == 2 and "bomb.xlsx: unpacks to 2,000,004 bytes" in result.output
    assert bomb.stat().st_size < 100_000 and not list((root / "reqs").rglob("*.md"))


def test_merge_never_reads_or_writes_through_a_link_leading_outside(tmp_path: Path) -> None:
    # verifies: REQ-707
    repo = merge_repo(tmp_path)
    root = repo.root
    out = tmp_path / "out.csv"
    assert invoke(root, "export", "--to", "csv", "-o", str(out)).exit_code == 0
    out.write_text(out.read_text("utf-8").replace(",Second,", ",Second in the sheet,"), "utf-8")
    outside = tmp_path / "secret.md"
    outside.write_text(other("CRM-2", "Secret"), "utf-8")
    (root / "reqs/crm/CRM-2.md").unlink()
    (root / "reqs/crm/CRM-2.md").symlink_to(outside)
    result = invoke(root, "import", "--from", "csv", "--merge", str(out))
    # the link is no requirement here: the sheet's edit of CRM-2 is a conflict, not a write
    assert result.exit_code == 1 and "conflict CRM-2 title" in result.output, result.output
    assert outside.read_text("utf-8") == other("CRM-2", "Secret")
