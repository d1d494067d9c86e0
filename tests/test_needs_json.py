"""sphinx-needs' needs.json (reqforge/interchange/needs_json.py): the export imports into a real
Sphinx build with `needimport` (hyphenated IDs, Chinese, a Markdown table, every relation as a
link), reads back exactly, and needs.json files that sphinx-needs writes itself read as records.

The Sphinx builds run `python -m sphinx` on two or three tiny pages: about a second each."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from collections.abc import Callable
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import pytest
import yaml

from reqforge.catalog import Catalog, Entry
from reqforge.config import load_config
from reqforge.corpus import load_corpus
from reqforge.interchange import needs_json
from reqforge.interchange.needs_json import (
    export_needs_json,
    needs_conf_snippet,
    read_needs_json,
)
from reqforge.interchange.records import SourceError
from reqforge.interchange.rst import markdown_to_rst
from reqforge.loader import Bodies

Repo = Callable[..., Path]
needs_sphinx = pytest.mark.skipif(
    find_spec("sphinx_needs") is None, reason="sphinx-needs is a test dependency"
)

CONFIG = """\
[project]
name = "Acme CRM"

[fields.risk]
type = "enum"
values = ["low", "medium", "high"]

[links]
relations = ["refines"]
"""
# A body with what reStructuredText would take for markup: a GFM table, `|subst|`, `name_`,
# `.. directive::`, a trailing `::`, `*`, Chinese beside bold and code, nested lists, a quote.
TRICKY_BODY = """\
## 场景

客户每月手工重录**总账**，见`ledger.csv`和 [文档](https://example.com/a_b)。
.. note:: not a directive
|sub| and name_ and [1]_ and `role`:x: and a list follows::

| 字段 | 说明 |
|---|:-:|
| 客户 | 名称 *必填* |
| id | `CRM-0042` |

- one
  - nested `x`
- two

1. first
2. second

> quoted **text**

```python
print("code")
```

---
"""


def requirement(rid: str, body: str, **fields: Any) -> str:
    front = {"id": rid, **fields}
    return f"---\n{yaml.safe_dump(front, sort_keys=False, allow_unicode=True)}---\n{body}"


FILES = {
    "reqs/billing/CRM-0001.md": requirement(
        "CRM-0001",
        TRICKY_BODY,
        title="批量导出客户数据",
        type="functional",
        status="proposed",
        owner="zhang.wei",
        due="2026-12-15",
        source={
            "channel": "interview",
            "customers": ["acme"],
            "evidence": "We re-key the ledger by hand. [[copy('id')]]",
            "explicit": True,
        },
        priority={
            "moscow": "must",
            "importance": "high",
            "urgency": "urgent",
            "ice": {"impact": 4, "confidence": 4, "ease": 3},
        },
        links={
            "parent": ["CRM-0002"],
            "depends-on": ["CRM-0003"],
            "conflicts-with": ["CRM-0004"],
            "duplicates": ["CRM-0004"],
            "relates-to": ["CRM-0002", "CRM-0003"],
            "refines": ["CRM-0002"],
        },
        acceptance=["Exports 100,000 rows in under 10 seconds.", "中文不乱码。"],
        tags=["export", "数据"],
        risk="high",
        **{"x-note": {"kept": [1, 2]}},  # unknown: only in the exact copy
    ),
    "reqs/CRM-0002.md": requirement(
        "CRM-0002",
        "Plain body with a_b and *stars*.\n",
        title="Customer data platform",
        type="business",
        status="accepted",
        owner="li",
        acceptance=["It works."],
    ),
    "reqs/CRM-0003.md": requirement(
        "CRM-0003", "", title="总账同步", type="functional", status="proposed"
    ),
    "reqs/CRM-0004.md": requirement(
        "CRM-0004",
        "Old.\n",
        title="Legacy export",
        type="functional",
        status="rejected",
        reason="Superseded.",
        links={"relates-to": ["CRM-0001"]},
    ),
}


def load(root: Path) -> tuple[list[Entry], Bodies, Any]:
    """The entries (by ID), bodies and configuration, as `reqforge export` loads them."""
    config = load_config(root)
    catalog = Catalog(load_corpus(config, use_cache=False).repository, config)
    entries = sorted(catalog.entries, key=lambda e: (e.req.id, e.req.path))
    return entries, Bodies(config, [e.req.path for e in entries]), config


def exported(make_repo: Repo, commit: str | None = "0123456789abcdef" * 2 + "01234567") -> str:
    entries, bodies, config = load(make_repo(FILES, config=CONFIG))
    return export_needs_json(entries, bodies, config, commit)


def sphinx(source: Path, out: Path, builder: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "sphinx", "-b", builder, "-W", "--keep-going", "-q", "-E"]
    return subprocess.run(
        [*command, str(source), str(out)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_export_has_the_needs_json_shape(make_repo: Repo) -> None:
    # verifies: REQ-707
    text = exported(make_repo)
    assert text == exported(make_repo)  # no clock: the same input, the same bytes
    document = json.loads(text)
    assert "created" not in document  # needs_reproducible_json's shape
    assert document["project"] == "Acme CRM"
    assert document["current_version"] == "0123456789ab"
    version = document["versions"]["0123456789ab"]
    assert version["creator"]["program"] == "reqforge" and version["needs_amount"] == 4
    needs = version["needs"]
    assert list(needs) == ["CRM-0001", "CRM-0002", "CRM-0003", "CRM-0004"]
    one = needs["CRM-0001"]
    assert one["id"] == "CRM-0001" and one["title"] == "批量导出客户数据"
    assert (one["type"], one["req_type"], one["status"]) == ("req", "functional", "proposed")
    assert one["tags"] == ["export", "数据"] and one["doctype"] == ".rst"
    assert one["priority_moscow"] == "must" and one["priority_ice_impact"] == "4"
    assert one["source_channel"] == "interview" and one["source_explicit"] == "true"
    assert one["acceptance"] == "Exports 100,000 rows in under 10 seconds.; 中文不乱码。"
    assert one["risk"] == "high" and one["due"] == "2026-12-15"
    assert one["parent"] == ["CRM-0002"] and one["depends_on"] == ["CRM-0003"]
    assert one["conflicts_with"] == ["CRM-0004"] and one["duplicates"] == ["CRM-0004"]
    assert one["links"] == ["CRM-0002", "CRM-0003"] and one["refines"] == ["CRM-0002"]
    assert all(isinstance(v, str) for k, v in one.items() if k not in ("tags", *RELATION_KEYS))
    assert not any("x_note" in key or "x-note" in key for key in one)
    assert ".. list-table::" in one["content"] and ".. rubric:: 场景" in one["content"]
    assert "\\|sub\\|" in one["content"] and "\\.\\. note" in one["content"]
    three = needs["CRM-0003"]
    assert three["content"] == "" and "parent" not in three and "owner" not in three
    assert json.loads(exported(make_repo, None))["current_version"] == "working-tree"


RELATION_KEYS = ("parent", "depends_on", "conflicts_with", "duplicates", "links", "refines")


def test_markdown_becomes_restructured_text_that_keeps_its_meaning() -> None:
    # verifies: REQ-707
    assert markdown_to_rst("") == ""
    assert markdown_to_rst("# Title\n\ntext") == ".. rubric:: Title\n\ntext\n"
    assert markdown_to_rst("a **b** c") == "a \\ **b**\\  c\n"
    assert markdown_to_rst("中文`代码`中文") == "中文\\ ``代码``\\ 中文\n"
    assert markdown_to_rst("[x](https://e.org/p)") == "\\ `x <https://e.org/p>`__\n"
    assert markdown_to_rst("[x](../CRM-2.md)") == "x (../CRM-2.md)\n"
    assert markdown_to_rst("[x](javascript:alert)") == "\\[x](javascript:alert)\n"  # text
    assert markdown_to_rst("1986\\. A year") == "1986\\. A year\n"
    assert markdown_to_rst("```\n.. raw:: html\n```") == (
        ".. code-block:: text\n\n   .. raw:: html\n"
    )
    assert markdown_to_rst("<script>x</script>").startswith(".. code-block:: text")
    table = markdown_to_rst("| a | b |\n|---|---|\n| 1 |\n")
    assert table == (
        ".. list-table::\n   :header-rows: 1\n\n   * - a\n     - b\n   * - 1\n     -\n"
    )


EDGE_BODIES = [
    TRICKY_BODY,
    "**粗体**开头，`代码`结尾`x`",
    "`code` first\n**b** second line *i*",
    "| `c` | **b** |\n|--|--|\n| - | 1. |\n| | `` |",
    "- **bold item**\n- `code item`\n-\n- [link](http://x.org)",
    "* a\n\n  para in item\n\n  ```\n  code\n  ```\n* b",
    "- list\n\n> quote after list",
    "1. a\n   1. nested\n2. b\n\n7) seven",
    "Term\n: definition\n\n  indented para start\n\n***",
    "a * b * c, 2*3*4, _under_, __dunder__, trailing \\\\, ending::",
    "<details>\n<summary>x</summary>\n\nbody\n</details>",
    "[`code link`](https://x.org/a b) [**b**](https://x.org/) ![alt](p.png) x<sup>2</sup>",
    "- [ ] task\n- [x] done\n\nSetext\n---\n\n##\n\n```\n```",
    "(a) b\nA. c\n#. d\n>>> e\n+ f\n• g\n|h|\n:i: j\n-k\n.. _l:\n[1]_ m__ `n`_",
]


@pytest.mark.parametrize("body", EDGE_BODIES)
def test_converted_bodies_parse_without_a_docutils_message(body: str) -> None:
    """Whatever the Markdown, the reStructuredText parses cleanly (a warning would fail a
    Sphinx build run with -W) and keeps every word of the text."""
    # verifies: REQ-707
    core = pytest.importorskip("docutils.core")
    nodes = pytest.importorskip("docutils.nodes")

    rst = markdown_to_rst(body)
    tree = core.publish_doctree(
        rst, settings_overrides={"report_level": 5, "halt_level": 5, "file_insertion_enabled": 0}
    )
    problems = [m.astext() for m in tree.findall(nodes.system_message) if m["level"] >= 2]
    assert problems == []
    text = re.sub(r"\]\(https?://[^ )]*\)|```\w+", "]", body)  # link targets, code languages
    shown = tree.astext()
    assert [w for w in re.findall(r"[A-Za-z]{3,}|[\u4e00-\u9fff]+", text) if w not in shown] == []


def test_conf_snippet_declares_every_field_and_link_type(make_repo: Repo) -> None:
    # verifies: REQ-707
    config = load_config(make_repo(FILES, config=CONFIG))
    settings: dict[str, Any] = {}
    exec(needs_conf_snippet(config), settings)
    fields, links = settings["needs_fields"], settings["needs_links"]
    assert {"req_type", "priority_moscow", "analysis_five_whys", "lint_ignore", "risk"} <= set(
        fields
    )
    assert fields["priority_moscow"]["parse_dynamic_functions"] is False
    assert set(links) == {"parent", "depends_on", "conflicts_with", "duplicates", "refines"}
    assert links["depends_on"]["outgoing"] == "depends-on"
    need_keys = {k for need in json.loads(exported(make_repo))["versions"].values() for k in
                 (key for n in need["needs"].values() for key in n)}  # fmt: skip
    core = {"id", "title", "type", "status", "tags", "content", "doctype", "links"}
    assert need_keys <= core | set(fields) | set(links)


@needs_sphinx
def test_sphinx_imports_the_export_and_shows_ids_titles_tables_and_links(
    make_repo: Repo, tmp_path: Path
) -> None:
    """The conf.py is what a user writes: the extension and the snippet; `-W` passes."""
    # verifies: REQ-707
    entries, bodies, config = load(make_repo(FILES, config=CONFIG))
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "needs.json").write_text(export_needs_json(entries, bodies, config, None), "utf-8")
    (docs / "conf.py").write_text(
        'project = "Docs"\nextensions = ["sphinx_needs"]\nneeds_build_json = True\n'
        + needs_conf_snippet(config),
        "utf-8",
    )
    (docs / "index.rst").write_text("Requirements\n============\n\n.. needimport:: needs.json\n")
    proc = sphinx(docs, tmp_path / "html", "html")
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "WARNING" not in output and "ERROR" not in output, output
    page = (tmp_path / "html/index.html").read_text("utf-8")
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    for entry in entries:
        assert f'id="{entry.req.id}"' in page
        assert entry.req.data["title"] in text
    # the Markdown table is a table, Chinese and inline markup intact
    assert re.search(r"<table[^>]*>.*字段.*说明.*客户.*名称.*<em>必填</em>", page, re.S)
    assert "<strong>总账</strong>" in page and "ledger.csv</span></code>" in page
    assert "|sub| and name_ and [1]_" in text and ".. note:: not a directive" in text
    assert "[[copy('id')]]" in text  # a field value is never run as a dynamic function
    # a link between two needs, by relation
    assert re.search(
        r'class="depends_on"><span><a class="reference internal" href="#CRM-0003"', page
    )
    assert re.search(r'class="parent"><span><a class="reference internal" href="#CRM-0002"', page)
    # the needs.json Sphinx writes of the imported needs reads back, by the generic mapping
    source = read_needs_json(tmp_path / "html/needs.json", "needs.json")
    one = next(r for r in source.records if r.key == "CRM-0001")
    assert one.fields["title"] == "批量导出客户数据" and one.fields["tags"] == ["export", "数据"]
    assert one.links == {
        "parent": ["CRM-0002"],
        "depends-on": ["CRM-0003"],
        "conflicts-with": ["CRM-0004"],
        "duplicates": ["CRM-0004"],
        "relates-to": ["CRM-0002", "CRM-0003"],
        "refines": ["CRM-0002"],
    }
    assert one.raw["type"] == "req" and one.raw["req_type"] == "functional"
    assert one.raw["priority_moscow"] == "must"


def test_export_reads_back_exactly(make_repo: Repo, tmp_path: Path) -> None:
    # verifies: REQ-707
    root = make_repo(FILES, config=CONFIG)
    entries, bodies, config = load(root)
    target = tmp_path / "needs.json"
    target.write_text(export_needs_json(entries, bodies, config, "abc"), "utf-8")
    source = read_needs_json(target, "needs.json")
    assert source.tool == "needs-json" and source.skipped == []
    assert [r.key for r in source.records] == [e.req.id for e in entries]
    for record, entry in zip(source.records, entries, strict=True):
        front = dict(entry.req.data)
        links = front.pop("links", {})
        assert record.fields == front
        assert record.links == links
        assert record.body == bodies[entry.req.path]
        assert record.area == entry.req.area and record.raw == {}
        assert record.place == f"needs.json: {entry.req.id}"
    assert source.records[0].fields["x-note"] == {"kept": [1, 2]}
    assert source.records[0].body == TRICKY_BODY


@needs_sphinx
def test_reads_the_needs_json_sphinx_needs_writes(tmp_path: Path) -> None:
    # verifies: REQ-707
    project = tmp_path / "project"
    project.mkdir()
    (project / "conf.py").write_text(
        'project = "Other"\nversion = "2.0"\nextensions = ["sphinx_needs"]\n'
        'needs_fields = {"component": {"nullable": True}}\n'
        'needs_links = {"blocks": {"outgoing": "blocks", "incoming": "blocked by"}}\n',
        "utf-8",
    )
    (project / "index.rst").write_text(
        "Needs\n=====\n\n"
        ".. req:: Login with SSO\n   :id: REQ_001\n   :status: open\n   :tags: auth, sso\n"
        "   :component: web\n\n   Users sign in with **SSO**.\n\n"
        ".. spec:: 单点登录规格\n   :id: SPEC_002\n   :links: REQ_001\n   :blocks: REQ_001\n\n"
        "   规格内容。\n",
        "utf-8",
    )
    proc = sphinx(project, tmp_path / "out", "needs")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    source = read_needs_json(tmp_path / "out/needs.json", "other.json")
    assert source.tool == "needs-json" and source.skipped == []
    login, spec = source.records
    assert (login.key, login.fields) == (
        "REQ_001",
        {"title": "Login with SSO", "status": "open", "tags": ["auth", "sso"]},
    )
    assert login.body == "Users sign in with **SSO**." and login.links == {}
    assert login.raw == {"type": "req", "component": "web"}
    assert (spec.key, spec.fields, spec.body) == (
        "SPEC_002",
        {"title": "单点登录规格"},
        "规格内容。",
    )
    assert spec.links == {"relates-to": ["REQ_001"], "blocks": ["REQ_001"]}
    assert spec.raw == {"type": "spec"}


def envelope(needs: dict[str, Any], **more: Any) -> str:
    return json.dumps({"current_version": "1.0", "versions": {"1.0": {"needs": needs}}, **more})


def test_foreign_needs_links_skips_and_versions(tmp_path: Path) -> None:
    # verifies: REQ-707
    target = tmp_path / "needs.json"
    needs = {
        "A_1": {"id": "A_1", "title": "A", "type": "req", "tags": "x; y", "owner": "",
                "links": ["B_2[released]", "B_2.part"], "satisfies": ["B_2"],
                "satisfies_back": [], "links_back": ["B_2"], "description": "Old text"},
        "B_2": {"id": "B_2", "title": "  ", "type": "req"},
        "": {"title": "no id"},
        "C_3": "not a need",
    }  # fmt: skip
    target.write_text(envelope(needs), "utf-8")
    source = read_needs_json(target, "n.json")
    [record] = source.records
    assert record.fields == {"title": "A", "tags": ["x", "y"]} and record.body == "Old text"
    assert record.links == {"relates-to": ["B_2"], "satisfies": ["B_2"]}
    assert record.raw == {"type": "req"}
    reasons = {s.place: str(s.reason) for s in source.skipped}
    assert reasons == {
        "n.json: B_2": "a need without a title",
        "n.json": "a need without an id",
        "n.json: C_3": "not a need (a JSON object)",
    }
    # no current version in the file: the newest is read
    versions = {v: {"needs": {f"N_{v}": {"title": v}}} for v in ("1.9", "1.10", "1.2")}
    target.write_text(json.dumps({"current_version": "3.0", "versions": versions}), "utf-8")
    assert [r.key for r in read_needs_json(target, "n.json").records] == ["N_1.10"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"  \n\t", "the file is empty"),
        (b'{\n  "versions": {\n    "1": oops\n', "not valid JSON at line 3, column 10"),
        (b"\xff\xfe{}", "not UTF-8 text (byte 0)"),
        (b"[1, 2]", "not a sphinx-needs needs.json"),
        (b'{"project": "x"}', "not a sphinx-needs needs.json"),
        (b'{"versions": {"1": {"title": "x"}}}', "not a sphinx-needs needs.json"),
        (b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),
        (b'{"a": ' + b"1" * 5000 + b"}", "not valid JSON"),
    ],
)
def test_refuses_what_is_not_a_needs_json(tmp_path: Path, content: bytes, message: str) -> None:
    # verifies: REQ-707
    target = tmp_path / "needs.json"
    target.write_bytes(content)
    with pytest.raises(SourceError) as caught:
        read_needs_json(target, "in/needs.json")
    assert str(caught.value).startswith("in/needs.json: ")
    assert message in str(caught.value)


def test_refuses_files_too_large_missing_or_not_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # verifies: REQ-707
    target = tmp_path / "needs.json"
    target.write_text(envelope({"A_1": {"title": "A"}}), "utf-8")
    assert needs_json.MAX_BYTES == 64 * 1024 * 1024
    monkeypatch.setattr(needs_json, "MAX_BYTES", 20)
    with pytest.raises(SourceError, match=r"^big\.json: larger than the 20-byte limit"):
        read_needs_json(target, "big.json")
    monkeypatch.undo()
    with pytest.raises(SourceError, match=r"^gone\.json: cannot be read"):
        read_needs_json(tmp_path / "gone.json", "gone.json")
    with pytest.raises(SourceError, match=r"^dir: not a regular file"):
        read_needs_json(tmp_path, "dir")
