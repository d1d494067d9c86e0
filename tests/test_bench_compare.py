"""bench/peers/ and bench/compare.py: the same requirements for Doorstop, StrictDoc and
sphinx-needs, and the comparison's bookkeeping (ratios, bars, the README block).

Pure and fast: nothing is installed and no peer tool runs; the generators run on a corpus of
40 requirements, and the figures are fake.
"""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml
from tests.bench_modules import bench_module
from tests.realworld import realworld

COUNT = 40
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def compare() -> Any:
    return bench_module("compare")


@pytest.fixture(scope="module")
def trees(compare: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A 40-requirement corpus and the three peers' trees written from it."""
    root = tmp_path_factory.mktemp("compare")
    corpus = root / "reqforge"
    compare.load_generate().generate(COUNT, corpus, 1)
    out = {"reqforge": corpus}
    for name, module in (
        ("doorstop", "doorstop_tree"),
        ("strictdoc", "strictdoc_docs"),
        ("sphinx", "sphinx_needs_project"),
    ):
        compare.load_peer(module).write(corpus, root / name)
        out[name] = root / name
    return out


@pytest.fixture(scope="module")
def reqs(compare: Any, trees: dict[str, Path]) -> list[Any]:
    found = _peers(compare).read_corpus(trees["reqforge"])
    assert len(found) == COUNT
    return found


def _paragraph_lines(body: str) -> list[str]:
    """The body's prose lines (not headings or table rows): text every tool must show."""
    return [
        line.strip()
        for line in body.splitlines()
        if line.strip() and not line.startswith(("#", "|"))
    ]


# --------------------------------------------------------------------------- the corpus


def test_corpus_has_what_the_peers_must_show(reqs: list[Any]) -> None:
    assert any(CJK.search(r.title) for r in reqs)
    assert any(CJK.search(r.body) for r in reqs)
    kinds = {kind for r in reqs for kind in r.links}
    assert kinds == {"parent", "depends-on"}
    assert all(r.status for r in reqs)
    areas = {r.area for r in reqs}
    cross = [t for r in reqs for t in r.links.get("depends-on", []) if not t.startswith(r.prefix)]
    assert len(areas) == 8 and cross, "links must cross areas for the test to mean anything"


def _peers(compare: Any) -> Any:
    """The package bench/peers/ (its __init__), as compare.load_peer loads it."""
    return sys.modules[compare.load_peer("doorstop_tree").__package__]


def test_area_order_puts_link_targets_first(compare: Any, reqs: list[Any]) -> None:
    peers = _peers(compare)
    order = peers.area_order(reqs)
    rank = {area: n for n, area in enumerate(order)}
    area_of = {r.id: r.area for r in reqs}
    for r in reqs:
        for target in r.targets:
            assert rank[area_of[target]] <= rank[r.area], (r.id, target)


def test_area_order_refuses_a_cycle(compare: Any) -> None:
    peers = _peers(compare)
    a = peers.Requirement("A-1", "a", "t", "proposed", "", {"depends-on": ["B-1"]})
    b = peers.Requirement("B-1", "b", "t", "proposed", "", {"depends-on": ["A-1"]})
    with pytest.raises(ValueError, match="cycle"):
        peers.area_order([a, b])


# --------------------------------------------------------------------------- Doorstop


def test_doorstop_documents_form_a_chain(trees: dict[str, Path], reqs: list[Any]) -> None:
    settings = {}
    for path in sorted((trees["doorstop"] / "reqs").glob("*/.doorstop.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        s = data["settings"]
        assert s["sep"] == "-" and s["digits"] == 5
        assert data["attributes"]["publish"] == ["status"]
        settings[s["prefix"]] = s.get("parent")
    assert set(settings) == {r.prefix for r in reqs}
    roots = [p for p, parent in settings.items() if parent is None]
    assert len(roots) == 1
    # Every document's parent exists, and walking up from any document reaches the root.
    for prefix in settings:
        seen = set()
        while settings[prefix] is not None:
            assert prefix not in seen
            seen.add(prefix)
            prefix = settings[prefix]
        assert prefix == roots[0]


def _ancestors(settings: dict[str, str | None], prefix: str) -> set[str]:
    out = {prefix}
    while settings[prefix] is not None:
        prefix = settings[prefix]  # type: ignore[assignment]
        out.add(prefix)
    return out


def test_doorstop_items_carry_every_requirement(
    compare: Any, trees: dict[str, Path], reqs: list[Any]
) -> None:
    # verifies: REQ-612
    peer = compare.load_peer("doorstop_tree")
    docs = trees["doorstop"] / "reqs"
    settings = {}
    for path in docs.glob("*/.doorstop.yml"):
        s = yaml.safe_load(path.read_text(encoding="utf-8"))["settings"]
        settings[s["prefix"]] = s.get("parent")
    items = {p.stem: p for p in docs.glob("*/*.yml") if p.name != ".doorstop.yml"}
    assert sorted(items) == sorted(r.id for r in reqs)
    stamps = {r.id: peer.stamp(r.id, peer.doorstop_text(r.body)) for r in reqs}
    levels: dict[str, list[int]] = {}
    for r in reqs:
        data = yaml.safe_load(items[r.id].read_text(encoding="utf-8"))
        assert items[r.id].parent.name == r.area
        assert data["header"].strip() == r.title
        assert data["text"].rstrip("\n") == peer.doorstop_text(r.body)
        for line in _paragraph_lines(r.body):
            assert line in data["text"]
        assert data["status"] == r.status
        assert data["active"] is True and data["normative"] is True
        assert data["derived"] is (not r.targets)
        assert data["ref"] == ""
        links = {uid: fp for link in data["links"] for uid, fp in link.items()}
        assert set(links) == set(r.targets)
        for uid, fingerprint in links.items():
            assert fingerprint == stamps[uid]  # no suspect link
            assert uid.split("-")[0] in _ancestors(settings, r.prefix)  # upwards only
        assert data["reviewed"] == peer.stamp(r.id, peer.doorstop_text(r.body), "", r.targets)
        levels.setdefault(r.area, []).append(data["level"])
    for area, found in levels.items():
        assert found == list(range(1, len(found) + 1)), area
    assert any(CJK.search(p.read_text(encoding="utf-8")) for p in items.values())


def test_doorstop_fingerprints_are_doorstops(compare: Any) -> None:
    """The same fingerprints as Doorstop's own reviewed tree (its `reviewed` and link stamps)."""
    where = realworld()
    if where is None:
        pytest.skip("no ../shared/realworld here")
    peer = compare.load_peer("doorstop_tree")
    tree = where / "doorstop-reqs"
    items = {}
    for path in sorted(tree.rglob("*.yml")):
        if path.name != ".doorstop.yml":
            items[path.stem] = yaml.safe_load(path.read_text(encoding="utf-8"))
    checked = 0
    for uid, data in items.items():
        if data.get("references") or uid == "TUT017":  # TUT017 has unreviewed changes
            continue
        links = [next(iter(link)) for link in data.get("links") or []]
        text = peer.doorstop_text(data.get("text") or "")
        assert peer.stamp(uid, text, data.get("ref") or "", links) == data["reviewed"], uid
        for link in data.get("links") or []:
            ((target, fingerprint),) = link.items()
            t = items[target]
            if not t.get("references"):
                expected = peer.stamp(target, peer.doorstop_text(t["text"]), t.get("ref") or "")
                assert fingerprint == expected, (uid, target)
        checked += 1
    assert checked > 30


# --------------------------------------------------------------------------- StrictDoc


def _sdoc_blocks(text: str) -> list[str]:
    return text.split("\n[REQUIREMENT]\n")[1:]


def test_strictdoc_documents_carry_every_requirement(
    trees: dict[str, Path], reqs: list[Any]
) -> None:
    # verifies: REQ-612
    by_id = {r.id: r for r in reqs}
    seen = []
    for path in sorted((trees["strictdoc"] / "docs").glob("*.sdoc")):
        text = path.read_text(encoding="utf-8")
        assert text.startswith(f"[DOCUMENT]\nTITLE: {path.stem}\n\n[GRAMMAR]\n")
        assert "  - TYPE: Parent\n    ROLE: DependsOn\n" in text
        blocks = _sdoc_blocks(text)
        assert text.count("[REQUIREMENT]") == len(blocks)
        for block in blocks:
            uid = re.search(r"^UID: (\S+)$", block, re.M).group(1)
            r = by_id[uid]
            seen.append(uid)
            assert r.area == path.stem
            assert f"\nTITLE: {r.title}\n" in block
            assert f"\nSTATUS: {r.status}\n" in block
            statement = block.split("STATEMENT: >>>\n", 1)[1].split("\n<<<\n", 1)[0]
            for line in _paragraph_lines(r.body):
                assert line in statement
            relations = re.findall(
                r"^- TYPE: Parent\n  VALUE: (\S+)\n(?:  ROLE: (\S+)\n)?", block, re.M
            )
            expected = [(t, "") for t in r.links.get("parent", [])]
            expected += [(t, "DependsOn") for t in r.links.get("depends-on", [])]
            assert sorted(relations) == sorted(expected)
            assert ("RELATIONS:\n" in block) == bool(expected)
    assert sorted(seen) == sorted(by_id)


def test_strictdoc_statement_cannot_close_its_field(compare: Any) -> None:
    peer = compare.load_peer("strictdoc_docs")
    text = peer.statement("First\n\n<<<\n\n[LINK: X]\n")
    assert not re.search(r"^(<<<|\[LINK: )", text, re.M)


# --------------------------------------------------------------------------- sphinx-needs


def _needs(text: str) -> dict[str, str]:
    """ID -> the directive's text, for every `.. req::` in a page."""
    out = {}
    for chunk in re.split(r"\n(?=\.\. req:: )", text):
        if chunk.startswith(".. req:: "):
            out[re.search(r"^   :id: (\S+)$", chunk, re.M).group(1)] = chunk
    return out


def test_sphinx_project_carries_every_requirement(trees: dict[str, Path], reqs: list[Any]) -> None:
    # verifies: REQ-612
    root = trees["sphinx"]
    conf: dict[str, Any] = {}
    exec(compile((root / "conf.py").read_text(encoding="utf-8"), "conf.py", "exec"), conf)
    assert conf["extensions"] == ["sphinx_needs"]
    assert [t["directive"] for t in conf["needs_types"]] == ["req"]
    assert set(conf["needs_links"]) == {"parent", "depends_on"}
    assert all(re.match(conf["needs_id_regex"], r.id) for r in reqs)
    areas = sorted({r.area for r in reqs})
    index = (root / "index.rst").read_text(encoding="utf-8")
    assert ".. toctree::" in index
    assert sorted(re.findall(r"^   (\w+)$", index, re.M)) == areas
    seen = {}
    for area in areas:
        seen.update(_needs((root / f"{area}.rst").read_text(encoding="utf-8")))
    assert sorted(seen) == sorted(r.id for r in reqs)
    for r in reqs:
        need = seen[r.id]
        assert need.startswith(f".. req:: {r.title}\n")
        assert f"\n   :status: {r.status}\n" in need
        for kind, option in (("parent", "parent"), ("depends-on", "depends_on")):
            if r.links.get(kind):
                assert f"\n   :{option}: {', '.join(r.links[kind])}\n" in need
            else:
                assert f":{option}:" not in need
        for line in _paragraph_lines(r.body):
            assert f"   {line}" in need


@pytest.fixture
def docutils_req() -> Any:
    """docutils, with a stand-in for sphinx-needs' `req` directive (removed afterwards)."""
    docutils = pytest.importorskip(
        "docutils", reason="docutils is not installed in this environment"
    )
    from docutils import nodes
    from docutils.parsers.rst import Directive, directives

    class Req(Directive):
        has_content = True
        required_arguments = 1
        final_argument_whitespace = True
        option_spec: ClassVar[dict[str, Any]] = {
            "id": directives.unchanged_required,
            "status": directives.unchanged,
            "parent": directives.unchanged,
            "depends_on": directives.unchanged,
        }

        def run(self) -> list[Any]:
            node = nodes.container()
            self.state.nested_parse(self.content, self.content_offset, node)
            return [node]

    directives.register_directive("req", Req)
    yield docutils
    directives._directives.pop("req", None)


def _rst_problems(text: str) -> str:
    from docutils.core import publish_doctree

    stream = io.StringIO()
    publish_doctree(
        text,
        settings_overrides={"warning_stream": stream, "report_level": 2, "halt_level": 5},
    )
    return stream.getvalue()


def test_rst_parses_without_warnings(
    docutils_req: Any, trees: dict[str, Path], reqs: list[Any]
) -> None:
    for path in sorted(trees["sphinx"].glob("*.rst")):
        if path.name == "index.rst":  # a toctree: Sphinx's, not docutils'
            continue
        assert _rst_problems(path.read_text(encoding="utf-8")) == "", path.name
    for path in sorted((trees["strictdoc"] / "docs").glob("*.sdoc")):
        for block in _sdoc_blocks(path.read_text(encoding="utf-8")):
            statement = block.split("STATEMENT: >>>\n", 1)[1].split("\n<<<\n", 1)[0]
            assert _rst_problems(statement) == "", block[:40]


def test_the_sphinx_edit_lands_in_the_edited_need(
    compare: Any, trees: dict[str, Path], tmp_path: Path
) -> None:
    import shutil

    corpus = compare.Corpus(tmp_path, COUNT)
    shutil.copytree(trees["reqforge"], corpus.reqforge)
    shutil.copytree(trees["sphinx"], corpus.sphinx)
    edits = compare.Edits(corpus, {"count": COUNT})
    before_md = edits.md_path.read_bytes()
    before_rst = edits.rst_path.read_bytes()
    edits.edit_markdown()
    edits.edit_rst()
    assert json.loads((tmp_path / compare.MARKER).read_text())["dirty"] is True
    assert edits.md_path.read_text(encoding="utf-8").endswith(f"\n{compare.EDIT_TEXT}\n")
    need = _needs(edits.rst_path.read_text(encoding="utf-8"))[edits.req_id]
    assert f"\n   {compare.EDIT_TEXT}\n" in need
    edits.restore()
    assert edits.md_path.read_bytes() == before_md
    assert edits.rst_path.read_bytes() == before_rst
    assert json.loads((tmp_path / compare.MARKER).read_text())["dirty"] is False


# --------------------------------------------------------------------------- the checks


def test_html_uids_are_counted_per_tool(compare: Any, tmp_path: Path) -> None:
    # verifies: REQ-612
    page = tmp_path / "p.html"
    page.write_text(
        '<h2 id="CRM-00001">x</h2><a href="#CRM-00002">CRM-00002</a>'
        '<div data-uid="CRM-00002"></div><div data-uid="None-crm"></div>'
        '<table class="need needs_type_req" id="CRM-00003"></table>',
        encoding="utf-8",
    )
    assert compare.uids_in([page], "doorstop") == {"CRM-00001": 1}
    assert compare.uids_in([page], "strictdoc") == {"CRM-00002": 1}
    assert compare.uids_in([page], "sphinx-needs") == {"CRM-00003": 1}
    compare.expect_every_id({"A-1": 1, "A-2": 1}, ["A-1", "A-2"], "x")
    with pytest.raises(compare.CompareError, match="1 missing"):
        compare.expect_every_id({"A-1": 1}, ["A-1", "A-2"], "x")
    with pytest.raises(compare.CompareError, match="more than once"):
        compare.expect_every_id({"A-1": 2, "A-2": 1}, ["A-1", "A-2"], "x")


def test_strictdoc_pages_leave_out_the_views(compare: Any, tmp_path: Path) -> None:
    html = tmp_path / "html"
    names = ["index.html", "t/docs/crm.html", "t/docs/crm-TABLE.html", "t/docs/crm-TRACE.html"]
    names += ["t/docs/crm-DEEP-TRACE.html", "_static/x.html", "t/docs/crm-chunk-1.js"]
    for name in names:
        (html / name).parent.mkdir(parents=True, exist_ok=True)
        (html / name).write_text("", encoding="utf-8")
    assert compare.strictdoc_pages(html) == [
        html / "t/docs/crm-chunk-1.js",
        html / "t/docs/crm.html",
    ]
    # A long document's later nodes come in a chunk script, their quotes escaped.
    chunk = html / "t/docs/crm-chunk-1.js"
    chunk.write_text('x["crm-chunk-1"] = "<div data-uid=\\"CRM-00101\\">";', encoding="utf-8")
    assert compare.uids_in([chunk], "strictdoc") == {"CRM-00101": 1}


def test_dir_size_leaves_out_caches(compare: Any, tmp_path: Path) -> None:
    (tmp_path / ".doctrees").mkdir()
    (tmp_path / ".doctrees" / "env.pickle").write_bytes(b"x" * 100)
    (tmp_path / "a.html").write_bytes(b"x" * 10)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.html").write_bytes(b"x" * 5)
    assert compare.dir_size(tmp_path, (".doctrees",)) == (15, 2)
    assert compare.dir_size(tmp_path) == (115, 3)


# --------------------------------------------------------------------------- ratios and bars


FAKE_MEDIANS = {
    "reqforge/check-cold": 0.8,
    "reqforge/build-cold": 8.0,
    "reqforge/build-nochange": 0.5,
    "doorstop/validate": 261.0,  # 326x: met
    "doorstop/publish": 524.0,  # 65.5x: met
    "strictdoc/export-cold": 200.0,  # 25x: missed
    "strictdoc/export-cached": 7.0,  # 14x: met
    "sphinx-needs/build-cold": 150.0,  # 18.75x: met
    # sphinx-needs/build-nochange not measured
}


def test_ratios_are_peer_over_reqforge_and_judged_at_10000(compare: Any) -> None:
    # verifies: REQ-612
    found = {r.label: r for r in compare.ratios(FAKE_MEDIANS, 10_000)}
    assert found["check cold vs Doorstop validation"].value == pytest.approx(326.25)
    assert found["check cold vs Doorstop validation"].met is True
    assert found["build cold vs StrictDoc export cold"].value == pytest.approx(25.0)
    assert found["build cold vs StrictDoc export cold"].met is False
    assert found["build cold vs sphinx-needs cold"].met is True
    unmeasured = found["no-change build vs sphinx-needs no change"]
    assert unmeasured.value is None and unmeasured.met is None
    assert [r.label for r in compare.missed(list(found.values()))] == [
        "build cold vs StrictDoc export cold"
    ]
    bars = {label: bar for label, _, _, bar in compare.BARS}
    assert bars == {
        "check cold vs Doorstop validation": 250,
        "build cold vs Doorstop publish": 30,
        "build cold vs StrictDoc export cold": 30,
        "build cold vs sphinx-needs cold": 18,
        "no-change build vs StrictDoc export cached": 7,
        "no-change build vs sphinx-needs no change": 16,
    }


def test_ratios_at_another_count_are_not_judged(compare: Any) -> None:
    found = compare.ratios(FAKE_MEDIANS, 1000)
    assert all(r.met is None for r in found)
    assert compare.missed(found) == []
    assert compare._status(found[2]).startswith("not judged (below")


def _fake_report(compare: Any, count: int) -> dict[str, Any]:
    measurements = {
        name: {
            "label": f"`{name}`",
            "median_s": value,
            "min_s": value,
            "max_s": value,
            "peak_rss_mib": 50.0,
            "note": "3 warnings" if name == "doorstop/validate" else None,
        }
        for name, value in FAKE_MEDIANS.items()
    }
    measurements["reqforge/build-cold"]["site_bytes"] = 3 * 2**20
    found = compare.ratios(FAKE_MEDIANS, count)
    return {
        "date": "2026-01-02",
        "config": {"count": count, "seed": 1, "runs": {"reqforge": 3, "doorstop": 1}},
        "machine": {"nproc": 2, "cpu_model": "CPU", "os": "Linux", "python": "CPython 3.11"},
        "versions": {"reqforge": {"reqforge": "0.1"}, "doorstop": {"doorstop": "3.2"}},
        "measurements": measurements,
        "ratios": [{**r.__dict__, "met": r.met, "status": compare._status(r)} for r in found],
    }


def test_markdown_block(compare: Any) -> None:
    text = compare.markdown(_fake_report(compare, 10_000))
    assert "Machine: 2 CPUs (nproc), CPU; Linux; CPython 3.11." in text
    assert "reqforge: reqforge 0.1; doorstop: doorstop 3.2" in text
    assert "| reqforge | `reqforge/build-cold` | 8.000 | 8.000 | 8.000 | 50 | 3.0 |" in text
    assert "| check cold vs Doorstop validation | 326.2× | ≥ 250× | met |" in text
    assert "| build cold vs StrictDoc export cold | 25.0× | ≥ 30× | MISSED |" in text
    assert "| no-change build vs sphinx-needs no change | — | ≥ 16× | not measured |" in text
    assert "- `doorstop/validate`: 3 warnings" in text
    assert "not judged" not in text
    small = compare.markdown(_fake_report(compare, 1000))
    assert "not judged (below the bar at this count)" in small
    assert "at 1,000 they are shown, not judged" in small


def test_readme_block_is_replaced_between_the_markers_only(compare: Any, tmp_path: Path) -> None:
    # verifies: REQ-612
    readme = tmp_path / "README.md"
    before = f"# Title\n\ntext\n{compare.START}\nold figures\n{compare.END}\n\n## Next\nmore\n"
    readme.write_text(before, encoding="utf-8")
    compare.write_readme(readme, "new block\n")
    assert readme.read_text(encoding="utf-8") == (
        f"# Title\n\ntext\n{compare.START}\nnew block\n{compare.END}\n\n## Next\nmore\n"
    )
    compare.write_readme(readme, "newer\n")  # again: still one block
    assert readme.read_text(encoding="utf-8").count(compare.START) == 1
    assert "newer\n" in readme.read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir()] == ["README.md"]  # no temporary file left
    readme.write_text("no markers\n", encoding="utf-8")
    with pytest.raises(compare.CompareError, match="bench-compare"):
        compare.write_readme(readme, "x")
    assert readme.read_text(encoding="utf-8") == "no markers\n"


def test_the_project_readme_has_the_block(compare: Any) -> None:
    text = compare.README.read_text(encoding="utf-8")
    assert text.index(compare.START) < text.index(compare.END)


def test_options(compare: Any) -> None:
    args = compare.parse_args(["--full", "--only", "reqforge,sphinx", "--no-readme"])
    assert args.count == 10_000 and args.only == ["reqforge", "sphinx-needs"]
    assert compare.parse_args([]).only == compare.TOOLS
    assert compare.parse_args([]).count == 1000 and compare.parse_args([]).runs == 3
    with pytest.raises(SystemExit):
        compare.parse_args(["--only", "jama"])


def test_each_peer_is_installed_into_a_venv_of_its_own(
    compare: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # verifies: REQ-612
    ran: list[list[str]] = []

    class Done:
        returncode = 0
        stderr = ""

    def run(step: list[str], **kwargs: Any) -> Done:
        ran.append([str(part) for part in step])
        if "venv" in step:  # `python -m venv DIR` makes the folder the pins are noted in
            Path(step[-1]).mkdir(parents=True)
        return Done()

    monkeypatch.setattr(compare.subprocess, "run", run)
    for tool in ("doorstop", "strictdoc", "sphinx-needs"):
        venv = compare.ensure_venv(tmp_path, tool)
        assert venv == tmp_path / "venvs" / tool
    installs = [step for step in ran if "install" in step]
    assert len(installs) == 3
    for step in installs:
        assert step[0].startswith(str(tmp_path / "venvs"))  # the venv's own Python and pip
        assert not step[0].startswith(sys.prefix)
    assert {pin.split("==")[0] for step in installs for pin in step if "==" in pin} == {
        "doorstop",
        "strictdoc",
        "sphinx",
        "sphinx-needs",
    }


def test_every_peer_gets_the_fields_and_acceptance_criteria(
    trees: dict[str, Path], reqs: list[Any]
) -> None:
    # verifies: REQ-612
    # Besides title, status, body and links, the peers show what reqforge's page shows: the
    # fields (owner, priority inputs, verification, tags) and the acceptance criteria.
    texts = {
        name: "\n".join(
            p.read_text(encoding="utf-8")
            for p in sorted(trees[name].rglob("*"))
            if p.suffix in (".yml", ".sdoc", ".rst")
        )
        for name in ("doorstop", "strictdoc", "sphinx")
    }
    # reStructuredText escapes some characters with a backslash (`li\.na`): as read.
    texts = {name: text.replace("\\", "") for name, text in texts.items()}
    sample = [r for r in reqs if "## Acceptance criteria" in r.body and "| owner |" in r.body]
    assert sample
    for req in sample[:5]:
        owner = req.body.split("| owner | ", 1)[1].split(" |", 1)[0]
        criterion = req.body.split("## Acceptance criteria\n\n- ", 1)[1].split("\n", 1)[0]
        words = " ".join(criterion.split()[:4])
        for name, text in texts.items():
            assert owner in text, (name, req.id, owner)
            assert words in " ".join(text.split()), (name, req.id, words)
