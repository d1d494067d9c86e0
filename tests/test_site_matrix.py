"""The traceability matrix pages and the backlog's filter data, built from small repositories:
rows and coverage colours from the trace report and JUnit results, paging, the note without
`[trace]`, determinism."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import requirement_text as req
from tests.test_site_build import broken_links, invoke, site_files, small_repo

from reqforge.config import load_config
from reqforge.site import matrix
from reqforge.site.build import load_site_model
from reqforge.site.matrix import matrix_pages
from reqforge.site.matrix_data import matrix_data_script
from reqforge.site.pages import SiteModel
from reqforge.site.plan import Pages

CONFIG = """
[trace]
scan = ["src", "tests"]
results = ["reports/*.xml"]
[trace.require]
functional = ["implemented", "verified"]
"""

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" tests="2">
<testcase classname="tests.test_export" name="test_bulk_export" file="tests/test_export.py"/>
<testcase classname="tests.test_export" name="test_ledger" file="tests/test_export.py">
<failure message="boom">AssertionError</failure></testcase>
</testsuite></testsuites>
"""


def traced_repo(make_repo: Callable[..., Path]) -> Path:
    """CRM-1 implemented and verified by a passing test; CRM-2 (a child of CRM-1) implemented,
    its test failing; CRM-3 with nothing; CRM-4 implemented, not verified; NFR-1 of a type
    nothing is required of."""
    return make_repo(
        {
            "reqs/billing/CRM-1.md": req("CRM-1"),
            "reqs/billing/CRM-2.md": req(
                "CRM-2", title="Print invoices", links="{parent: [CRM-1]}"
            ),
            "reqs/ops/CRM-3.md": req("CRM-3", title="Archive contracts"),
            "reqs/ops/CRM-4.md": req("CRM-4", title="Merge duplicates"),
            "reqs/ops/NFR-1.md": req("NFR-1", title="Fast pages").replace(
                "type: functional", "type: performance"
            ),
            "src/export.py": (
                "def export():\n    # implements: CRM-1\n    return 1\n\n\n"
                "def merge():\n    # implements: CRM-4\n    return 2\n"
            ),
            "src/print.c": "/* implements: CRM-2 */\nint print(void) { return 0; }\n",
            "tests/test_export.py": (
                "def test_bulk_export():\n    # verifies: CRM-1\n    assert True\n\n\n"
                "def test_ledger():\n    # verifies: CRM-2\n    assert False\n"
            ),
            "reports/junit.xml": JUNIT,
        },
        config=CONFIG,
    )


def rows(html: str) -> dict[str, str]:
    """Each body row of a matrix page by the requirement ID in its header cell."""
    found = re.findall(
        r'<tr data-area.*?<th scope="row"><a [^>]*>([^<]+)</a>(.*?)</tr>', html, re.S
    )
    return dict(found)


def test_matrix_rows_and_coverage_colours_from_the_trace(
    make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    # verifies: REQ-504
    root = traced_repo(make_repo)
    out = tmp_path / "out"
    result = invoke(root, "build", "-o", str(out))
    assert result.exit_code == 0, result.output
    html = (out / "matrix.html").read_text(encoding="utf-8")
    found = rows(html)
    assert list(found) == ["CRM-1", "CRM-2", "CRM-3", "CRM-4", "NFR-1"]  # by area, then ID
    one, two, three, four, nfr = (found[rid] for rid in sorted(found))
    # CRM-1: its child linked, code and a passing test, both covered
    assert 'href="requirements/CRM-2.html">CRM-2</a>' in one
    assert '<td class="cell-covered"><code>src/export.py:2</code></td>' in one
    assert re.search(r'<td class="cell-covered"><code>[^<]*test_bulk_export</code> \(passed\)', one)
    # CRM-2: its parent linked, its test failing
    assert 'href="requirements/CRM-1.html">CRM-1</a>' in two
    assert '<td class="cell-covered"><code>src/print.c:1</code></td>' in two
    assert re.search(r'<td class="cell-failing"><code>[^<]*test_ledger</code> \(failed\)', two)
    # CRM-3: both required, neither there; NFR-1: nothing required of its type
    assert three.count('<td class="cell-missing">missing</td>') == 3  # code, tests, the row
    assert nfr.count('<td class="cell-not-required">not required</td>') == 3
    # the row's coverage: green, amber (part of the required kinds), red
    for row, state in ((one, "covered"), (two, "covered"), (four, "partial"), (three, "missing")):
        assert row.rstrip().endswith(f'<td class="cell-{state}">{state}</td>'), row
    # the figures are those of `reqforge trace`
    summary = json.loads(invoke(root, "trace", "--format", "json").stdout)["summary"]
    assert (summary["required"], summary["covered"], summary["failing"]) == (4, 3, ["CRM-2"])
    figures = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", html))
    assert figures["Required"] == "4" and figures["Covered"] == "3"
    assert figures["Coverage"] == f"{summary['coverage'] * 100:.1f} %"
    assert figures["Failing"] == "1" and figures["Orphans"] == str(len(summary["orphans"]))
    assert "are not traced" not in html
    assert 'href="matrix.html" aria-current="page"' in html  # the nav entry, current
    assert 'href="matrix.html"' in (out / "index.html").read_text(encoding="utf-8")
    # the filter choices of the whole matrix
    assert "<option>billing</option>" in html and "<option>performance</option>" in html
    assert not broken_links(out)


def test_matrix_without_trace_says_what_to_configure_and_keeps_the_link_columns(
    make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    # verifies: REQ-504
    root = small_repo(make_repo)
    out = tmp_path / "out"
    assert invoke(root, "build", "-o", str(out)).exit_code == 0
    html = (out / "matrix.html").read_text(encoding="utf-8")
    assert "set [trace] scan" in html and "reqforge.toml" in html
    found = rows(html)
    assert sorted(found) == ["CRM-1", "CRM-2", "CRM-3"]
    assert 'href="requirements/CRM-2.html">CRM-2</a>' in found["CRM-1"]  # children
    assert 'href="requirements/CRM-1.html">CRM-1</a>' in found["CRM-2"]  # parents
    assert found["CRM-1"].count('<td class="cell-untraced">—</td>') == 3
    assert "<dt>Coverage</dt>" not in html


def test_matrix_pages_at_a_small_page_size(
    make_repo: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # verifies: REQ-504
    files = {f"reqs/{area}/CRM-{n}.md": req(f"CRM-{n}") for n, area in enumerate("aabbb", 1)}
    root = make_repo(files)
    model = load_site_model(load_config(root), dt.date(2026, 11, 1))
    pages = matrix_pages(model, printed_rows(model), page_size=2)
    assert [name for name, _ in pages] == ["matrix.html", "matrix-2.html", "matrix-3.html"]
    assert [row_ids(c["rows"]) for _, c in pages] == [
        ["CRM-1", "CRM-2"],
        ["CRM-3", "CRM-4"],
        ["CRM-5"],
    ]
    # each area points at the page where its first row is
    assert pages[0][1]["areas"] == [("a", "matrix.html"), ("b", "matrix-2.html")]
    # the whole build at that size: numbered links on every page, the current one marked
    monkeypatch.setattr(matrix, "PAGE_SIZE", 2)
    out = tmp_path / "out"
    assert invoke(root, "build", "-o", str(out)).exit_code == 0
    second = (out / "matrix-2.html").read_text(encoding="utf-8")
    assert 'href="matrix-3.html">3</a>' in second
    assert 'href="matrix-2.html" aria-current="page">2</a>' in second
    assert "Requirements 3–4 of 5" in second
    assert not broken_links(out)


def test_matrix_pages_stay_small_at_many_requirements(
    make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    # verifies: REQ-504
    root = make_repo({f"reqs/a/CRM-{n}.md": req(f"CRM-{n}") for n in range(1, 1202)})
    model = load_site_model(load_config(root), dt.date(2026, 11, 1))
    pages = matrix_pages(model, printed_rows(model))
    assert [len(row_ids(c["rows"])) for _, c in pages] == [500, 500, 201]


def test_matrix_and_backlog_are_deterministic(
    make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    # verifies: REQ-509
    root = traced_repo(make_repo)
    one, two = tmp_path / "one", tmp_path / "two"
    assert invoke(root, "build", "-o", str(one)).exit_code == 0
    assert invoke(root, "build", "-o", str(two)).exit_code == 0
    first, second = site_files(one), site_files(two)
    assert first["matrix.html"] == second["matrix.html"]
    assert first["backlog.html"] == second["backlog.html"]


def test_backlog_rows_carry_what_the_filters_choose_from(
    make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    # verifies: REQ-502
    root = small_repo(make_repo)
    out = tmp_path / "out"
    assert invoke(root, "build", "-o", str(out)).exit_code == 0
    html = (out / "backlog.html").read_text(encoding="utf-8")
    assert '<form class="table-filters" data-table="backlog-table" hidden>' in html
    assert '<table class="backlog" id="backlog-table" data-sortable>' in html
    assert 'data-status="proposed" data-type="functional" data-area="billing"' in html
    assert 'data-owner="zhang.wei"' in html and "<option>zhang.wei</option>" in html
    assert re.search(r'<select name="p_level">.*?<option>P\d</option>', html, re.S)
    assert 'name="q"' in html and "table-view." in html


def printed_rows(model: SiteModel) -> list[matrix.MatrixRow]:
    """The matrix rows of `model` as a build prints them (no rows kept)."""
    pages = Pages(model, model.catalog.config, "static/search-index.js")
    return matrix.matrix_rows(model, pages.row_printer("matrix_row"))


def row_ids(rows: list[str]) -> list[str]:
    """The requirement IDs of printed matrix rows, in order."""
    return re.findall(r'<th scope="row"><a href="[^"]*">([^<]*)</a></th>', "".join(rows))


def matrix_data_of(out: Path) -> dict[str, Any]:
    """The matrix data script the build wrote, as the browser reads it."""
    (script,) = sorted((out / "static").glob("matrix-data.*.js"))
    text = script.read_text(encoding="utf-8")
    assert text.startswith("window.REQFORGE_MATRIX = ") and text.endswith(";\n")
    data: dict[str, Any] = json.loads(text[len("window.REQFORGE_MATRIX = ") : -2])
    return data


def test_the_matrix_data_holds_every_row_of_every_page(
    make_repo: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # verifies: REQ-504
    root = traced_repo(make_repo)
    monkeypatch.setattr(matrix, "PAGE_SIZE", 2)
    out = tmp_path / "out"
    assert invoke(root, "build", "-o", str(out)).exit_code == 0
    data = matrix_data_of(out)
    assert data["version"] == 1
    values = data["values"]
    by_id = {row[0]: row for row in data["rows"]}
    assert list(by_id) == ["CRM-1", "CRM-2", "CRM-3", "CRM-4", "NFR-1"]  # the pages' order
    two = by_id["CRM-2"]
    assert two[1] == "Print invoices"
    assert [values[i] for i in two[2:5]] == ["billing", "functional", "proposed"]
    assert two[5] == ["CRM-1"] and two[6] == [] and two[7] == ["src/print.c:1"]
    assert [result for _, result in two[8]] == ["failed"]
    assert [values[i] for i in two[9:12]] == ["covered", "failing", "covered"]
    assert [values[by_id["CRM-3"][i]] for i in (9, 10, 11)] == ["missing"] * 3
    # every page points at the one data file and loads the filter script, not the table one
    for name in ("matrix.html", "matrix-2.html", "matrix-3.html"):
        html = (out / name).read_text(encoding="utf-8")
        (source,) = re.findall(r'data-matrix-source="([^"]+)"', html)
        assert (out / source).is_file() and source.startswith("static/matrix-data.")
        assert 'data-page-size="2"' in html and "matrix-view." in html
        assert "table-view." not in html
        labels = json.loads(re.search(r"data-labels='([^']+)'", html).group(1))  # type: ignore[union-attr]
        assert labels["not-required"] == "not required" and "{matched}" in labels["caption"]
    assert not broken_links(out)


def test_the_matrix_data_cannot_end_its_script_and_shows_hidden_characters(
    make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    # verifies: REQ-504
    # verifies: REQ-510
    title = "'</script><script>alert(1)</script>\u202eevil'"
    root = make_repo({"reqs/a\u202eb/CRM-1.md": req("CRM-1", title=title)})
    out = tmp_path / "out"
    assert invoke(root, "build", "-o", str(out)).exit_code == 0
    (script,) = (out / "static").glob("matrix-data.*.js")
    text = script.read_text(encoding="utf-8")
    assert "<" not in text and "\u202e" not in text
    data = matrix_data_of(out)
    assert data["rows"][0][1] == "</script><script>alert(1)</script>\\u202eevil"
    # the area as the filter's option shows it, so that picking it matches the rows
    html = (out / "matrix.html").read_text(encoding="utf-8")
    assert (
        "<option>a\\u202eb</option>" in html and data["values"][data["rows"][0][2]] == "a\\u202eb"
    )


def test_the_matrix_data_stays_small_at_many_requirements(
    make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    # verifies: REQ-504
    root = make_repo({f"reqs/a/CRM-{n}.md": req(f"CRM-{n}") for n in range(1, 1202)})
    model = load_site_model(load_config(root), dt.date(2026, 11, 1))
    rows = printed_rows(model)
    script = matrix_data_script(row.data for row in rows)
    pages = sum(len(row_ids(c["rows"])) for _, c in matrix_pages(model, rows))
    assert pages == 1201
    # ID, title and a handful of shared values: under 80 bytes a row, where a page's row is
    # about ten times that
    assert len(script) / 1201 < 80
