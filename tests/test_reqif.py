"""`export --to reqif` and the ReqIF reader (reqforge/interchange/reqif_export.py,
reqif_import.py, reqif_values.py, xhtml.py): the export is valid ReqIF 1.2 and reads back
exactly; real DOORS, Polarion, Capella, ReqIF Studio, Enterprise Architect and Eclipse RMF
files read into records; hostile or broken files raise SourceError naming the file and the
line."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.realworld import realworld

from reqforge.catalog import Catalog, Entry
from reqforge.cli.main import cli
from reqforge.config import Config, load_config
from reqforge.corpus import load_corpus
from reqforge.interchange import reqif_import, reqif_values
from reqforge.interchange.records import Record, SourceError
from reqforge.interchange.reqif_export import export_reqif
from reqforge.interchange.reqif_import import read_reqif, relation_name
from reqforge.interchange.xhtml import xhtml_markdown
from reqforge.loader import Bodies

REALWORLD = (realworld() or Path("/nonexistent/shared/realworld")) / "reqif"

CONFIG = """\
[project]
name = "Ledger <&> 账本"

[links]
relations = ["refines"]

[fields.risk]
type = "float"

[fields.approved]
type = "bool"
"""

TABLE = (
    "## 场景\n\n| 列 | b |\n|:---|--:|\n| 1 | **2** |\n\n- one\n  - nested `x`\n\n![logo](a.png)\n"
)


def _xsd() -> Path:
    import reqif  # type: ignore[import-untyped]

    return Path(reqif.__file__).parent / "reqif_schema" / "reqif.xsd"


def requirement(rid: str, body: str = "", **fields: Any) -> str:
    front = {"id": rid, "title": f"Requirement {rid}", "type": "functional", **fields}
    front.setdefault("status", "proposed")
    text = yaml.safe_dump(front, sort_keys=False, allow_unicode=True)
    return f"---\n{text}---\n{body}"


def catalogue(
    root: Path, files: dict[str, str], config: str = CONFIG
) -> tuple[Config, list[Entry]]:
    (root / "reqs").mkdir(parents=True, exist_ok=True)
    (root / "reqforge.toml").write_text(textwrap.dedent(config), encoding="utf-8")
    for rid, text in files.items():
        (root / "reqs" / f"{rid}.md").write_text(text, encoding="utf-8")
    loaded = load_config(root)
    catalog = Catalog(load_corpus(loaded, use_cache=False).repository, loaded)
    return loaded, sorted(catalog, key=lambda e: (e.req.id, e.req.path))


def export(config: Config, entries: list[Entry], commit: str | None = "abc123") -> bytes:
    return export_reqif(entries, Bodies(config, [e.req.path for e in entries]), config, commit)


def by_id(records: list[Record]) -> dict[str, Record]:
    return {record.fields["id"]: record for record in records}


EVERY_FIELD: dict[str, Any] = {
    "owner": "zhang.wei",
    "team": None,
    "due": "2026-12-15",
    "source": {
        "channel": "interview",
        "customers": ["acme", "北京"],
        "evidence": 'line one\nline two\t"quoted" <b>&amp;</b>',
        "explicit": True,
    },
    "priority": {
        "moscow": "must",
        "value": 8,
        "ice": {"impact": 4, "confidence": 4, "ease": 3},
        "rice": {"reach": 1200, "impact": 2, "confidence": 0.8, "effort": 3},
    },
    "verification": {"method": "test"},
    "acceptance": ["Exports 100,000 rows in under 10 seconds.", "导出中文"],
    "analysis": {"five-whys": [], "root-cause": None},
    "reason": None,
    "tags": ["export", "data"],
    "risk": 0.1,
    "approved": False,
    "unknown-map": {"a.b": 1, "$x": [1, 2.5, None, {"deep": True}]},
    "empty": {},
    "big": 10**30,
    "huge-float": 1e300,
}


@pytest.fixture
def exported(tmp_path: Path) -> tuple[bytes, list[Entry]]:
    files = {
        "CRM-1": requirement(
            "CRM-1",
            TABLE,
            title="批量导出 <customer> & data",
            status="accepted",
            links={
                "parent": ["CRM-2"],
                "depends-on": "CRM-3",
                "conflicts-with": [],
                "duplicates": ["CRM-3"],
                "relates-to": ["CRM-3", "OUT-9"],
                "refines": ["CRM-2"],
            },
            **EVERY_FIELD,
        ),
        "CRM-2": requirement("CRM-2", "Plain *text*.\r\nSecond line\n", links={"parent": "CRM-3"}),
        "CRM-3": requirement("CRM-3", links={"parent": ["CRM-2"]}),  # a cycle with CRM-2
        "CRM-4": requirement("CRM-4", "x", type="not-a-type", status=7, priority={"value": "8"}),
    }
    config, entries = catalogue(tmp_path / "repo", files)
    return export(config, entries), entries


def test_export_is_valid_reqif_12(exported: tuple[bytes, list[Entry]]) -> None:
    # verifies: REQ-707
    import xmlschema

    data, _ = exported
    schema = xmlschema.XMLSchema(str(_xsd()))
    errors = [str(error)[:300] for error in schema.iter_errors(data.decode("utf-8"))]
    assert errors == []


def test_export_names_the_commit_and_is_deterministic(
    exported: tuple[bytes, list[Entry]], tmp_path: Path
) -> None:
    # verifies: REQ-707
    data, _ = exported
    text = data.decode("utf-8")
    assert "<COMMENT>Exported by reqforge from commit abc123</COMMENT>" in text
    assert "<CREATION-TIME>1970-01-01T00:00:00Z</CREATION-TIME>" in text
    assert 'IDENTIFIER="CRM-1"' in text  # our IDs are the SPEC-OBJECT identifiers
    assert 'LONG-NAME="ReqIF.ForeignID"' in text and 'LONG-NAME="ReqIF.Text"' in text
    assert 'LONG-NAME="priority.ice.impact"' in text and 'LONG-NAME="tags (json)"' in text
    assert "<xhtml:table>" in text and "<xhtml:strong>2</xhtml:strong>" in text
    files = {e.req.id: (Path(e.req.path)) for e in exported[1]}
    assert files  # the same input gives the same bytes
    config, entries = catalogue(tmp_path / "again", {
        rid: (tmp_path / "repo" / path).read_text("utf-8") for rid, path in files.items()
    })  # fmt: skip
    assert export(config, entries) == data


def test_export_reads_back_exactly(exported: tuple[bytes, list[Entry]], tmp_path: Path) -> None:
    """Every field (nested, any YAML type), the body verbatim and every link come back."""
    # verifies: REQ-707
    data, entries = exported
    path = tmp_path / "out.reqif"
    path.write_bytes(data)
    source = read_reqif(path, "out.reqif")
    assert source.tool == "reqif" and source.skipped == []
    records = by_id(source.records)
    assert sorted(records) == ["CRM-1", "CRM-2", "CRM-3", "CRM-4"]
    config = load_config(tmp_path / "repo")
    bodies = Bodies(config, [e.req.path for e in entries])
    for entry in entries:
        record = records[entry.req.id]
        expected = {k: v for k, v in entry.req.data.items() if k != "links"}
        assert record.fields == expected
        assert record.key == entry.req.id
        assert record.body == bodies[entry.req.path]
        links = {
            k: [v] if isinstance(v, str) else v for k, v in entry.req.data.get("links", {}).items()
        }
        assert record.links == links
        assert record.place.startswith("out.reqif:")
    assert records["CRM-1"].body == TABLE
    assert records["CRM-1"].fields["source"]["evidence"] == EVERY_FIELD["source"]["evidence"]


def test_hierarchy_and_relations_of_the_export(exported: tuple[bytes, list[Entry]]) -> None:
    """A requirement sits under its first parent; the members of a parent cycle at the top;
    every link, `parent` too, is a SPEC-RELATION of its relation's type."""
    # verifies: REQ-707
    from lxml import etree  # type: ignore[import-untyped]

    root = etree.fromstring(exported[0])

    def local(element: Any) -> str:
        return str(etree.QName(element).localname)

    top = [
        node
        for node in root.iter()
        if local(node) == "SPEC-HIERARCHY"
        and local(node.getparent().getparent()) == "SPECIFICATION"
    ]
    shown = {
        "".join(n.find(".//{*}SPEC-OBJECT-REF").text.split()): [
            "".join(c.find("{*}OBJECT/{*}SPEC-OBJECT-REF").text.split())
            for c in n.findall("{*}CHILDREN/{*}SPEC-HIERARCHY")
        ]
        for n in top
    }
    assert shown == {"CRM-2": ["CRM-1"], "CRM-3": [], "CRM-4": []}
    types = {t.get("IDENTIFIER"): t.get("LONG-NAME") for t in root.iter("{*}SPEC-RELATION-TYPE")}
    assert set(types.values()) >= {"parent", "depends-on", "duplicates", "relates-to", "refines"}
    relations = sorted(
        (
            r.find("{*}SOURCE/{*}SPEC-OBJECT-REF").text,
            types[r.find("{*}TYPE/{*}SPEC-RELATION-TYPE-REF").text],
            r.find("{*}TARGET/{*}SPEC-OBJECT-REF").text,
        )
        for r in root.iter("{*}SPEC-RELATION")
    )
    assert relations == [
        ("CRM-1", "depends-on", "CRM-3"),
        ("CRM-1", "duplicates", "CRM-3"),
        ("CRM-1", "parent", "CRM-2"),
        ("CRM-1", "refines", "CRM-2"),
        ("CRM-1", "relates-to", "CRM-3"),  # OUT-9 is not exported: only in `links (json)`
        ("CRM-2", "parent", "CRM-3"),
        ("CRM-3", "parent", "CRM-2"),
    ]


def test_an_empty_export_is_valid(tmp_path: Path) -> None:
    # verifies: REQ-707
    import xmlschema

    config, entries = catalogue(tmp_path / "repo", {})
    data = export(config, entries, None)
    assert xmlschema.XMLSchema(str(_xsd())).is_valid(data.decode("utf-8"))
    path = tmp_path / "empty.reqif"
    path.write_bytes(data)
    assert read_reqif(path, "empty.reqif").records == []


_KEYS = st.text(st.characters(codec="utf-8"), min_size=1, max_size=8)
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(st.characters(codec="utf-8"), max_size=20)
    | st.dates()
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=3),
    max_leaves=8,
)


class _Stub:
    """An Entry's shape as export_reqif reads it (entry.req.id, .path, .data)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.req = self
        self.id = "X-1"
        self.path = "reqs/X-1.md"
        self.data = data


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=_VALUES, body=st.text(st.characters(codec="utf-8"), max_size=30))
def test_any_value_reads_back_exactly(value: Any, body: str, tmp_path_factory: Any) -> None:
    """Whatever YAML gives (and more: dates, NaN, control characters, odd keys), a field's
    value and the body come back equal."""
    # verifies: REQ-707
    data = {"id": "X-1", "title": "t", "type": "functional", "status": "proposed", "v": value}
    config = Config(root=Path("."))
    out = export_reqif([_Stub(data)], {"reqs/X-1.md": body}, config, None)  # type: ignore[list-item]
    path = tmp_path_factory.mktemp("h") / "x.reqif"
    path.write_bytes(out)
    (record,) = read_reqif(path, "x.reqif").records
    assert _same(record.fields, data)
    assert record.body == body


def _same(left: Any, right: Any) -> bool:
    """Equality that counts NaN equal to NaN."""
    if isinstance(left, float) and isinstance(right, float) and left != left:
        return right != right
    if isinstance(left, dict) and isinstance(right, dict):
        return list(left) == list(right) and all(_same(left[k], right[k]) for k in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(_same, left, right))
    return type(left) is type(right) and left == right


# ---- real-world files ---------------------------------------------------------------------


def realworld(name: str) -> Any:
    path = REALWORLD / name
    if not path.is_file():
        pytest.skip(f"{path} is not here")
    return read_reqif(path, name)


def test_capella_and_doors() -> None:
    # verifies: REQ-707
    (capella,) = realworld("capella.reqif").records
    assert capella.fields == {"title": "Requirement-1"}
    assert capella.body == "Requirement-1"
    assert capella.raw == {"IE PUID": "PUID-1", "IE Object Type": "Requirement"}  # enum label
    assert capella.place == "capella.reqif:68"
    (doors,) = realworld("doors-1.reqif").records  # no definitions at all: the first XHTML
    assert doors.body == "\\<FOOOOO\\> BAR"  # XHTML text as Markdown, `<` escaped
    assert doors.fields["title"] == "<FOOOOO> BAR"
    doors_2 = realworld("doors-2.reqif")
    assert [r.body for r in doors_2.records] == ["\\<A Header\\> Subtitle"]
    assert [s.place for s in doors_2.skipped] == ["doors-2.reqif:69", "doors-2.reqif:74"]
    assert "points at a missing SPEC-OBJECT" in str(doors_2.skipped[0].reason)


def test_eclipse_rmf_relations_become_links() -> None:
    # verifies: REQ-707
    source = realworld("eclipse-rmf-relations.reqif")
    first, second = source.records
    assert first.links == {"relates-to": [second.key]}  # "SpecRelationType1": generic
    assert second.links == {"parent": [first.key]}  # from the hierarchy
    assert first.fields["title"] == "Requirements document structure"  # the hierarchy's name
    assert first.raw == {"Author": "Max Mustermann", "Age": 2}
    assert second.fields["title"] == "Hugo" and second.raw["Age"] == 10


def test_enterprise_architect() -> None:
    # verifies: REQ-707
    source = realworld("enterprise-architect.reqif")
    assert [r.key for r in source.records] == ["R001", "R002", "R003"]
    assert source.records[1].fields == {"title": "Spotting fire"}
    assert source.records[1].body.startswith("The system shall alert the control center")
    assert source.records[0].raw == {"FUNC-REQ-STATUS": "Proposed"}
    # its relation and hierarchy name FUNC-REQ-1 and -2, which the file lacks
    assert len(source.skipped) == 3 and all("FUNC-REQ-" in str(s.reason) for s in source.skipped)


def test_polarion_and_reqif_studio() -> None:
    # verifies: REQ-707
    polarion = realworld("polarion.reqif")
    assert len(polarion.records) == 101 and polarion.skipped == []
    assert all(r.fields["title"] for r in polarion.records)
    assert sum("parent" in r.links for r in polarion.records) == 90
    assert sum(bool(r.body) for r in polarion.records) == 58
    studio = realworld("reqif-studio.reqif")
    assert len(studio.records) == 137
    assert all(r.fields["title"] and r.fields["id"] for r in studio.records)
    assert sum(len(r.links.get("relates-to", [])) for r in studio.records) == 14
    assert sum("parent" in r.links for r in studio.records) > 100
    assert [s.place for s in studio.skipped] == ["reqif-studio.reqif:3912"]


# ---- XHTML -> Markdown --------------------------------------------------------------------


def markdown(xhtml: str) -> str:
    from lxml import etree

    holder = etree.fromstring(
        f'<THE-VALUE xmlns:xhtml="http://www.w3.org/1999/xhtml">{xhtml}</THE-VALUE>'
    )
    return xhtml_markdown(holder)


def test_xhtml_becomes_markdown() -> None:
    # verifies: REQ-707
    text = markdown(
        "<xhtml:div><xhtml:h2>Scope</xhtml:h2><xhtml:p>A <xhtml:b>bold</xhtml:b> and "
        "<xhtml:i>soft</xhtml:i> <xhtml:code>x*y</xhtml:code> word,<xhtml:br/>next "
        '<xhtml:a href="http://x.org/a b">link</xhtml:a> 5 * 3.</xhtml:p>'
        "<xhtml:ul><xhtml:li>one<xhtml:ol><xhtml:li>deep</xhtml:li></xhtml:ol></xhtml:li>"
        "<xhtml:li>two</xhtml:li></xhtml:ul>"
        "<xhtml:table><xhtml:tr><xhtml:th>a</xhtml:th><xhtml:th>b|c</xhtml:th></xhtml:tr>"
        "<xhtml:tr><xhtml:td>1</xhtml:td></xhtml:tr></xhtml:table>"
        '<xhtml:object data="ole.bin" type="application/ole"><xhtml:object data="p.png" '
        'type="image/png">picture</xhtml:object></xhtml:object>'
        "<xhtml:pre>  code\n  block</xhtml:pre><xhtml:unknown>kept</xhtml:unknown></xhtml:div>"
    )
    assert text == (
        "## Scope\n\n"
        "A **bold** and *soft* `x*y` word,\\\nnext [link](<http://x.org/a b>) 5 \\* 3.\n\n"
        "- one\n  1. deep\n- two\n\n"
        "| a | b\\|c |\n| --- | --- |\n| 1 |  |\n\n"
        "[picture](p.png)\n\n"
        "```\n  code\n  block\n```\n\n"
        "kept"
    )


def test_relation_names() -> None:
    # verifies: REQ-707
    assert relation_name("Depends On") == ("depends-on", False)
    assert relation_name("SpecRelationType1") == ("relates-to", False)
    assert relation_name("Relation") == ("relates-to", False)
    assert relation_name("Parent Of") == ("parent", True)
    assert relation_name("Refine Relationship") == ("refine", False)
    assert relation_name("Satisfies") == ("satisfies", False)


# ---- what is refused ----------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
]>
<REQ-IF>&lol2;</REQ-IF>
"""

MISSING = b"""<?xml version="1.0" encoding="UTF-8"?>
<REQ-IF xmlns="http://www.omg.org/spec/ReqIF/20110401/reqif.xsd">
  <CORE-CONTENT><REQ-IF-CONTENT>
    <SPEC-OBJECTS>
      <SPEC-OBJECT IDENTIFIER="a" LONG-NAME="A"/>
    </SPEC-OBJECTS>
    <SPEC-RELATIONS>
      <SPEC-RELATION IDENTIFIER="r-1">
        <SOURCE><SPEC-OBJECT-REF>a</SPEC-OBJECT-REF></SOURCE>
        <TARGET><SPEC-OBJECT-REF>x</SPEC-OBJECT-REF></TARGET>
      </SPEC-RELATION>
    </SPEC-RELATIONS>
  </REQ-IF-CONTENT></CORE-CONTENT>
</REQ-IF>
"""


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "doc.reqif: the file is empty"),
        (b"  \n", "doc.reqif: the file is empty"),
        (b"<a/>", "doc.reqif:1: not a ReqIF document: its root element is <a>, not <REQ-IF>"),
        (BILLION_LAUGHS, "doc.reqif:2: a DOCTYPE or entity declaration is not allowed"),
        (b"<REQ-IF>\n<SPEC-OBJECTS>\n</REQ-IF>", "doc.reqif:3: not well-formed XML"),
        (b"\xff\xfe<", "doc.reqif:1: not well-formed XML"),
    ],
)
def test_unreadable_files_raise(tmp_path: Path, content: bytes, message: str) -> None:
    # verifies: REQ-707
    path = tmp_path / "doc.reqif"
    path.write_bytes(content)
    with pytest.raises(SourceError) as raised:
        read_reqif(path, "doc.reqif")
    assert str(raised.value).startswith(message)


def test_too_large_and_unreadable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # verifies: REQ-707
    path = tmp_path / "doc.reqif"
    path.write_bytes(MISSING)
    monkeypatch.setattr(reqif_import, "MAX_BYTES", 100)
    with pytest.raises(SourceError, match=r"^doc\.reqif: larger than 0 MiB"):
        read_reqif(path, "doc.reqif")
    with pytest.raises(SourceError, match=r"^gone\.reqif: cannot be read"):
        read_reqif(tmp_path / "gone.reqif", "gone.reqif")


def test_a_relation_to_a_missing_object_is_skipped_with_its_line(tmp_path: Path) -> None:
    # verifies: REQ-707
    path = tmp_path / "doors.reqif"
    path.write_bytes(MISSING)
    source = read_reqif(path, "doors.reqif")
    assert [r.key for r in source.records] == ["a"] and source.records[0].links == {}
    (skipped,) = source.skipped
    assert skipped.place == "doors.reqif:8"
    assert skipped.reason == "SPEC-RELATION 'r-1' points at a missing SPEC-OBJECT 'x'"


def test_objects_without_title_or_text_are_skipped(tmp_path: Path) -> None:
    # verifies: REQ-707
    path = tmp_path / "d.reqif"
    path.write_bytes(
        MISSING.replace(b' LONG-NAME="A"', b"")
        .replace(b"<TARGET>", b"<X>")
        .replace(b"</TARGET>", b"</X>")
    )
    source = read_reqif(path, "d.reqif")
    assert source.records == []
    assert [(s.place, str(s.reason)) for s in source.skipped] == [
        ("d.reqif:5", "SPEC-OBJECT 'a' has neither a title nor a text"),
        ("d.reqif:8", "SPEC-RELATION 'r-1' lacks its source or target"),
    ]


def test_dates_survive_as_dates() -> None:
    # verifies: REQ-707
    assert reqif_values._decode("date", "2026-12-15T00:00:00") == dt.date(2026, 12, 15)


def test_a_key_holding_a_stand_in_character_reads_back(tmp_path: Path) -> None:
    # verifies: REQ-707
    # The export writes line breaks in values through private-use stand-ins; a key (or value)
    # that holds one already takes the slower, exact path.
    from reqforge.interchange.reqif_import import read_reqif

    root = tmp_path / "repo"
    (root / "reqs").mkdir(parents=True)
    (root / "reqs/X-1.md").write_text(
        '---\nid: X-1\ntitle: t\ntype: functional\nstatus: proposed\n"v\ue000": "a\\nb"\n---\n',
        "utf-8",
    )
    out = tmp_path / "x.reqif"
    result = CliRunner().invoke(
        cli, ["--repo", str(root), "export", "--to", "reqif", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    (record,) = read_reqif(out, "x.reqif").records
    assert record.fields["v\ue000"] == "a\nb"
