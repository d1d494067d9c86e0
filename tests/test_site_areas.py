"""Area documents: file names from folder names, numbering by the parent tree, the pages and
their index as built, the requirement page's breadcrumb through its area."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.conftest import requirement_text as req
from tests.test_site_build import broken_links, invoke, site_files

from reqforge.config import load_config
from reqforge.site.areas import area_files, numbered
from reqforge.site.build import load_site_model


# verifies: REQ-520
def test_file_names_keep_the_folder_name_where_they_can() -> None:
    names = area_files(["billing", "财务", "billing/eu", "", "ops"])
    assert names == {
        "": "areas/top-level.html",
        "billing": "areas/billing.html",
        "billing/eu": "areas/billing-eu.html",
        "ops": "areas/ops.html",
        "财务": "areas/财务.html",
    }


# verifies: REQ-520
def test_names_that_meet_get_distinct_names_whatever_the_order() -> None:
    areas = ["billing", "Billing", "billing-eu", "billing/eu", "index", "top-level", ""]
    names = area_files(areas)
    assert area_files(reversed(areas)) == names
    # the folder named as the file keeps it, a lower-case one first; the others get a digest
    assert names["billing"] == "areas/billing.html"
    assert names["billing-eu"] == "areas/billing-eu.html"
    assert names["top-level"] == "areas/top-level.html"
    assert re.fullmatch(r"areas/Billing-[0-9a-f]{6}\.html", names["Billing"])
    assert re.fullmatch(r"areas/billing-eu-[0-9a-f]{6}\.html", names["billing/eu"])
    assert re.fullmatch(r"areas/top-level-[0-9a-f]{6}\.html", names[""])
    # areas/index.html is the list of areas: a folder named `index` never takes it
    assert re.fullmatch(r"areas/index-[0-9a-f]{6}\.html", names["index"])
    folded = [name.casefold() for name in names.values()]
    assert len(set(folded)) == len(folded)


# verifies: REQ-520
# verifies: REQ-510
def test_hostile_and_long_folder_names_make_safe_file_names() -> None:
    hostile = ["../../etc", "<script>alert(1)</script>", "a\u202eb", "x" * 300, "..", " "]
    names = area_files(hostile)
    for name in names.values():
        stem = name.removeprefix("areas/").removesuffix(".html")
        assert re.fullmatch(r"[\w.-]+", stem) and not stem.startswith("."), name
        assert len(stem.encode("utf-8")) <= 100
    assert names["<script>alert(1)</script>"] == "areas/script-alert-1-script.html"
    assert len(set(names.values())) == len(hostile)


# verifies: REQ-520
@given(st.lists(st.text(max_size=20), max_size=12))
def test_any_set_of_areas_gets_distinct_safe_names(areas: list[str]) -> None:
    names = area_files(areas)
    assert set(names) == set(areas)
    folded = [name.casefold() for name in names.values()]
    assert len(set(folded)) == len(folded)
    assert all(re.fullmatch(r"areas/[\w.-]+\.html", n) for n in names.values())
    assert "areas/index.html" not in names.values()


def tree_repo(make_repo: Callable[..., Path]) -> Path:
    """Area `billing`: A-1 with children A-3 and A-2 (A-2 with child A-4), A-5 whose parent
    is in `ops`, A-6 and A-7 parents of each other, A-8 child of both A-1 and A-2."""

    def parent(*ids: str) -> str:
        return "{parent: [" + ", ".join(ids) + "]}"

    return make_repo(
        {
            "reqs/billing/A-1.md": req("A-1"),
            "reqs/billing/A-2.md": req("A-2", links=parent("A-1")),
            "reqs/billing/A-3.md": req("A-3", links=parent("A-1")),
            "reqs/billing/A-4.md": req("A-4", links=parent("A-2")),
            "reqs/billing/A-5.md": req("A-5", links=parent("O-1")),
            "reqs/billing/A-6.md": req("A-6", links=parent("A-7")),
            "reqs/billing/A-7.md": req("A-7", links=parent("A-6")),
            "reqs/billing/A-8.md": req("A-8", links=parent("A-2", "A-1")),
            "reqs/ops/O-1.md": req("O-1"),
        }
    )


# verifies: REQ-520
def test_requirements_are_numbered_by_the_parent_tree_inside_the_area(
    make_repo: Callable[..., Path],
) -> None:
    model = load_site_model(load_config(tree_repo(make_repo)), dt.date(2026, 11, 1))
    billing = [e for e in model.catalog if e.req.area == "billing"]
    rows = [(number, depth, entry.req.id) for number, depth, entry in numbered(billing)]
    assert rows == [
        ("1", 0, "A-1"),
        ("1.1", 1, "A-2"),
        ("1.1.1", 2, "A-4"),
        ("1.2", 1, "A-3"),
        ("1.3", 1, "A-8"),  # two parents in the area: under the first by ID
        ("2", 0, "A-5"),  # its parent is in another area
        ("3", 0, "A-6"),  # a cycle is broken at its lowest ID, each listed once
        ("3.1", 1, "A-7"),
    ]
    assert numbered(reversed(billing)) == numbered(billing)


@pytest.fixture
def built(make_repo: Callable[..., Path], tmp_path: Path) -> Path:
    files = {
        "reqs/billing/CRM-1.md": req(
            "CRM-1",
            title="Export customer data",
            body="Export **all** rows, see [the guide](https://example.com/guide).",
            source="{channel: support-ticket, evidence: SECRET-EVIDENCE-TEXT}",
        ),
        "reqs/billing/CRM-2.md": req("CRM-2", links="{parent: [CRM-1], depends-on: [CRM-3]}"),
        "reqs/财务/CRM-3.md": req("CRM-3", title="批量导出客户数据"),
        "reqs/CRM-4.md": req("CRM-4", title="At the top"),
        "reqs/evil/CRM-5.md": req("CRM-5", title='<script>alert("t")</script>'),
    }
    root = make_repo(files)
    out = tmp_path / "out"
    result = invoke(root, "build", "-o", str(out))
    assert result.exit_code == 0, result.output
    return out


# verifies: REQ-520
def test_the_area_index_lists_every_area_with_counts(built: Path) -> None:
    html = (built / "areas" / "index.html").read_text(encoding="utf-8")
    links = dict(re.findall(r'<th scope="row"><a href="([^"]+)">([^<]+)</a></th>', html))
    assert links == {
        "../areas/top-level.html": "Top level",
        "../areas/billing.html": "billing",
        "../areas/evil.html": "evil",
        "../areas/%E8%B4%A2%E5%8A%A1.html": "财务",  # percent-encoded UTF-8, the file keeps it
    }
    assert (built / "areas" / "财务.html").is_file()
    counts = re.findall(r'">([^<]+)</a></th><td class="number">(\d+)</td>', html)
    assert ("billing", "2") in counts and ("财务", "1") in counts
    assert 'href="../areas/index.html" aria-current="page"' in html  # the nav entry, current
    assert 'href="areas/index.html"' in (built / "index.html").read_text(encoding="utf-8")
    assert not broken_links(built)


# verifies: REQ-520
# verifies: REQ-513
def test_the_area_document_has_contents_numbers_fields_body_acceptance_and_links(
    built: Path,
) -> None:
    html = (built / "areas" / "billing.html").read_text(encoding="utf-8")
    toc = re.findall(
        r'<a href="#(req-[\d-]+)"><span class="number">([\d.]+)</span> ([^<]+)</a>', html
    )
    assert toc == [
        ("req-1", "1", "CRM-1 Export customer data"),
        ("req-1-1", "1.1", "CRM-2 Export ledger CRM-2 as CSV"),
    ]
    assert (
        '<h2 id="req-1"><span class="number">1</span> '
        '<a href="../requirements/CRM-1.html">CRM-1</a>' in html
    )
    assert '<h3 id="req-1-1"><span class="number">1.1</span>' in html
    assert "<strong>all</strong>" in html  # the body, rendered
    assert 'href="https://example.com/guide"' in html
    assert "the system shall write a CSV file" in html  # acceptance criteria
    assert '<tr><th scope="row">source.channel</th><td>support-ticket</td></tr>' in html
    assert "SECRET-EVIDENCE-TEXT" not in html  # a private field
    assert "Status: <strong>proposed</strong>" in html
    # links both ways, to the requirement pages, across areas too
    assert (
        '<dt>depends-on</dt>\n<dd><a href="../requirements/CRM-3.html">CRM-3</a> '
        "批量导出客户数据</dd>" in html
    )
    assert '<dt>children</dt>\n<dd><a href="../requirements/CRM-2.html">CRM-2</a>' in html


# verifies: REQ-520
# verifies: REQ-510
def test_hostile_titles_are_escaped_on_area_pages(built: Path) -> None:
    html = (built / "areas" / "evil.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt;" in html
    assert '<script>alert("t")</script>' not in html


# verifies: REQ-520
def test_the_requirement_breadcrumb_goes_through_its_area(built: Path) -> None:
    def crumbs(rid: str) -> str:
        html = (built / "requirements" / f"{rid}.html").read_text(encoding="utf-8")
        found = re.search(r'<nav class="breadcrumbs".*?</nav>', html)
        assert found is not None
        return found.group()

    assert '<a href="../areas/billing.html">billing</a> › CRM-1' in crumbs("CRM-1")
    assert '<a href="../areas/%E8%B4%A2%E5%8A%A1.html">财务</a> › CRM-3' in crumbs("CRM-3")
    assert '<a href="../areas/top-level.html">Top level</a> › CRM-4' in crumbs("CRM-4")


# verifies: REQ-520
def test_the_print_stylesheet_hides_navigation_and_prints_link_targets(built: Path) -> None:
    css = next(v for k, v in site_files(built).items() if re.fullmatch(r"static/site\.\w+\.css", k))
    printed = css.decode("utf-8").split("@media print", 1)[1]
    assert ".site-header" in printed and "display: none" in printed
    assert 'a[href^="https://"]::after' in printed and "attr(href)" in printed
    assert "break-inside: avoid" in printed


# verifies: REQ-520
def test_a_private_area_field_leaves_the_breadcrumb_without_the_area(
    make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    root = make_repo(
        {"reqs/secret-team/CRM-1.md": req("CRM-1")}, config='[site]\nprivate_fields = ["area"]\n'
    )
    out = tmp_path / "out"
    assert invoke(root, "build", "-o", str(out)).exit_code == 0
    html = (out / "requirements" / "CRM-1.html").read_text(encoding="utf-8")
    assert '<a href="../backlog.html">Backlog</a> › CRM-1' in html


@dataclass(frozen=True)
class _Req:
    id: str
    path: str
    links: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class _Entry:
    req: _Req


def entry(rid: str, *parents: str, path: str = "") -> _Entry:
    return _Entry(_Req(rid, path or f"reqs/a/{rid}.md", {"parent": parents} if parents else {}))


# verifies: REQ-520
def test_a_chain_of_thousands_of_parents_and_duplicate_ids_are_each_listed_once() -> None:
    chain = [entry("C-00000")] + [entry(f"C-{n:05d}", f"C-{n - 1:05d}") for n in range(1, 3000)]
    rows = numbered(chain)  # type: ignore[arg-type]
    assert len(rows) == 3000 and rows[-1][1] == 2999
    assert rows[2][0] == "1.1.1" and rows[-1][0].count(".") == 2999
    twice = [entry("D-1"), entry("D-2", "D-1"), entry("D-2", path="reqs/a/copy.md")]
    found = [(n, e.req.path) for n, _, e in numbered(twice)]  # type: ignore[arg-type]
    assert found == [("1", "reqs/a/D-1.md"), ("1.1", "reqs/a/D-2.md"), ("2", "reqs/a/copy.md")]
