"""The built site in real headless Chromium: every page type loads with no console error, no
failed request and no dialog, passes the axe-core audit with no serious or critical violation,
shows what a reader came for, and keeps hostile requirement text inert."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from tests.browser import Watched, chromium, open_file, screenshot, serious_violations, watch
from tests.gitrepo import GitRepo

from reqforge.cli.main import cli
from reqforge.site import matrix
from reqforge.site.matrix_data import data_row, matrix_data_script

HOSTILE = '<script>alert("title")</script><img src=x onerror=alert("img")>\u202e'


def requirement(rid: str, title: str, body: str, **extra: str) -> str:
    lines = "".join(f"{key}: {value}\n" for key, value in extra.items())
    return (
        f"---\nid: {rid}\ntitle: {title!r}\ntype: functional\nstatus: accepted\n"
        f"owner: zhang.wei\n{lines}---\n{body}\n"
    )


def write_crm_2(repo: GitRepo, moscow: str) -> None:
    """The Chinese requirement, whose MoSCoW changes between the tag and HEAD."""
    repo.write(
        "reqs/billing/CRM-2.md",
        requirement(
            "CRM-2",
            "批量导出客户数据",
            "财务每月手工录入总账。",
            links="{parent: [CRM-1]}",
            priority=f"{{moscow: {moscow}}}",
        ),
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("site")
    home = base / "home"
    home.mkdir()
    repo = GitRepo(base / "repo", home)
    repo.write(
        "reqs/billing/CRM-1.md",
        requirement(
            "CRM-1",
            "Export customer data to CSV",
            "## Scenario\n\nFinance re-keys the ledger.\n\n| a | b |\n|---|---|\n| 1 | 2 |",
            acceptance="['When finance exports 100 rows, the system shall write a CSV file.']",
            priority="{moscow: must, importance: high, urgency: urgent}",
            source="{customers: [acme]}",
        ),
    )
    repo.write(
        "reqs/customers.yaml",
        "acme: {name: Acme Logistics, industry: logistics, tier: A,"
        " contact: {email: buyer@acme.example}}\n",
    )
    write_crm_2(repo, "should")
    repo.write(
        "reqs/evil/CRM-3.md",
        requirement(
            "CRM-3",
            HOSTILE,
            '<script>alert("body")</script>\n\n[click](javascript:alert("link"))\n\n'
            '<a href="#" onclick="alert(\'a\')">x</a>',
            team='"</script><script>alert(\\"team\\")</script>"',
        ),
    )
    repo.write(
        "reqs/ops/CRM-4.md",
        requirement("CRM-4", "Archive old invoices", "Keep ten years.").replace(
            "status: accepted", "status: proposed"
        ),
    )
    repo.commit("Add requirements (#3)")
    # A tag and a later commit: the change log has a tag group and baselines have pages.
    repo.git("tag", "v1.0")
    write_crm_2(repo, "must")
    repo.commit("Raise CRM-2 (#4)")
    out = base / "out"
    result = CliRunner().invoke(cli, ["--repo", str(repo.root), "build", "-o", str(out)])
    assert (out / "index.html").is_file(), result.output
    return out


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_every_page_loads_cleanly_and_passes_the_accessibility_audit(site: Path) -> None:
    # verifies: REQ-516
    names = {path.relative_to(site).as_posix() for path in pages(site)}
    assert {"changelog.html", "customers.html", "baselines/v1.0..HEAD.html"} <= names
    with chromium() as browser:
        for path in pages(site):
            watched = open_file(browser, path)
            assert watched.problems == [], (path.name, watched.problems)
            assert serious_violations(watched.page) == [], path.name
            watched.page.close()


def test_the_dashboard_and_a_chinese_requirement_page_as_a_reader_sees_them(site: Path) -> None:
    # verifies: REQ-516
    with chromium() as browser:
        dashboard = open_file(browser, site / "index.html")
        screenshot(dashboard.page, "site-dashboard")
        chinese = open_file(browser, site / "requirements" / "CRM-2.html")
        assert "批量导出客户数据" in chinese.page.inner_text("h1")
        assert "财务每月手工录入总账" in chinese.page.inner_text("main")
        # its parent, linked both ways
        chinese.page.click("a[href$='CRM-1.html']")
        chinese.page.wait_for_load_state("load")
        assert "Export customer data to CSV" in chinese.page.inner_text("h1")
        assert "CRM-2" in chinese.page.inner_text("main")
        screenshot(open_file(browser, site / "requirements" / "CRM-2.html").page, "site-chinese")
        dark = open_file(browser, site / "backlog.html", color_scheme="dark")
        assert dark.problems == [] and serious_violations(dark.page) == []


def test_hostile_requirement_text_stays_inert_in_the_browser(site: Path) -> None:
    # verifies: REQ-510
    with chromium() as browser:
        for path in pages(site):
            watched = open_file(browser, path)
            for link in watched.page.query_selector_all("a"):
                href = link.get_attribute("href") or ""
                assert not href.strip().lower().startswith("javascript:"), (path.name, href)
                link_text = link.inner_text()
                assert "alert(" not in (link.get_attribute("onclick") or ""), link_text
            assert watched.dialogs == [], (path.name, watched.dialogs)
        evil = open_file(browser, site / "requirements" / "CRM-3.html")
        assert '<script>alert("title")</script>' in evil.page.inner_text("h1")  # shown as text
        assert evil.dialogs == []


def search_from_the_box(browser: Any, start: Path, query: str) -> Watched:
    """Type `query` into the search box of the page at `start` and send it: the form opens
    search.html?q=..., where search.js shows the results."""
    watched = open_file(browser, start)
    watched.page.fill("#site-search-box", query)
    watched.page.press("#site-search-box", "Enter")
    watched.page.wait_for_url("**/search.html?q=*")
    watched.page.wait_for_selector("#search-results [role=option]")
    return watched


def result_ids(watched: Watched) -> list[str]:
    return [span.inner_text() for span in watched.page.query_selector_all(".rf-search-id")]


def test_search_an_id_a_word_and_a_chinese_word_and_follow_a_result(site: Path) -> None:
    # verifies: REQ-507
    with chromium() as browser:
        by_id = search_from_the_box(browser, site / "index.html", "CRM-2")
        assert result_ids(by_id)[0] == "CRM-2"
        assert by_id.page.input_value("#search-query") == "CRM-2"
        by_id.page.click("#search-results a")
        by_id.page.wait_for_url("**/requirements/CRM-2.html")
        assert "批量导出客户数据" in by_id.page.inner_text("h1")
        # from a requirement page one folder down, the box still reaches search.html
        word = search_from_the_box(browser, site / "requirements" / "CRM-2.html", "exporting")
        assert result_ids(word) == ["CRM-1"]
        assert "Export" in word.page.inner_text("#search-results mark")
        # on the search page, results follow the typing; a query that finds nothing stays on
        # the page (Enter opens the first result when there is one) and in its address
        word.page.fill("#search-query", "nothing here")
        assert result_ids(word) == []
        word.page.press("#search-query", "Enter")
        word.page.wait_for_function("location.search === '?q=nothing%20here'")
        chinese = search_from_the_box(browser, site / "backlog.html", "导出")
        assert result_ids(chinese) == ["CRM-2"]
        assert chinese.page.inner_text("#search-results mark") == "导出"
        # by keyboard: down from the search field to the first result, Enter follows it
        chinese.page.press("#search-query", "ArrowDown")
        chinese.page.keyboard.press("Enter")
        chinese.page.wait_for_url("**/requirements/CRM-2.html")
        assert "批量导出客户数据" in chinese.page.inner_text("h1")
        for watched in (by_id, word, chinese):
            assert watched.problems == [], watched.problems


def test_dashboard_charts_are_drawn_with_titles(site: Path) -> None:
    # verifies: REQ-501
    with chromium() as browser:
        dashboard = open_file(browser, site / "index.html")
        charts = dashboard.page.query_selector_all("main svg.rf-chart")
        # status, type, P-level, Kano, value-cost, done over time, lead time by month
        assert len(charts) == 7
        for chart in charts:
            assert chart.bounding_box()["width"] > 100
            assert chart.query_selector("title").text_content()
        assert dashboard.problems == []


def visible_ids(watched: Watched, table: str) -> list[str]:
    """The IDs of the rows a reader sees in `table`, top to bottom."""
    return [
        cell.inner_text()
        for cell in watched.page.query_selector_all(f"#{table} tbody tr:not([hidden]) th")
    ]


def test_sort_and_filter_the_backlog_and_reload_the_shared_view(site: Path) -> None:
    # verifies: REQ-502
    with chromium() as browser:
        backlog = open_file(browser, site / "backlog.html")
        page = backlog.page
        assert sorted(visible_ids(backlog, "backlog-table")) == ["CRM-1", "CRM-2", "CRM-3", "CRM-4"]
        header = page.locator("#backlog-table thead th").nth(1)  # ID
        header.locator("button").click()
        assert header.get_attribute("aria-sort") == "ascending"
        assert visible_ids(backlog, "backlog-table") == ["CRM-1", "CRM-2", "CRM-3", "CRM-4"]
        header.locator("button").focus()
        page.keyboard.press("Enter")  # by keyboard too: the second press reverses the order
        assert header.get_attribute("aria-sort") == "descending"
        assert visible_ids(backlog, "backlog-table") == ["CRM-4", "CRM-3", "CRM-2", "CRM-1"]
        page.select_option("select[name=status]", "proposed")
        assert visible_ids(backlog, "backlog-table") == ["CRM-4"]
        page.select_option("select[name=status]", "accepted")
        page.fill(".table-filters input[name=q]", "csv")
        assert visible_ids(backlog, "backlog-table") == ["CRM-1"]
        shared = page.url
        assert "status=accepted" in shared and "q=csv" in shared and "order=descending" in shared
        # the shared address, opened afresh, shows the same view
        again = browser.new_page()
        again.goto(shared)
        again.wait_for_load_state("load")
        reopened = Watched(again)
        assert visible_ids(reopened, "backlog-table") == ["CRM-1"]
        assert again.input_value("select[name=status]") == "accepted"
        assert again.input_value(".table-filters input[name=q]") == "csv"
        assert again.locator("#backlog-table thead th").nth(1).get_attribute("aria-sort") == (
            "descending"
        )
        page.fill(".table-filters input[name=q]", "")
        assert visible_ids(backlog, "backlog-table") == ["CRM-3", "CRM-2", "CRM-1"]
        assert backlog.problems == []


def test_the_matrix_filters_by_area_type_and_status(site: Path) -> None:
    # verifies: REQ-504
    with chromium() as browser:
        matrix = open_file(browser, site / "matrix.html")
        page = matrix.page
        assert "set [trace] scan" in page.inner_text("main")  # no [trace] in this repository
        assert visible_ids(matrix, "matrix-table") == ["CRM-1", "CRM-2", "CRM-3", "CRM-4"]
        page.select_option("select[name=area]", "billing")
        assert visible_ids(matrix, "matrix-table") == ["CRM-1", "CRM-2"]
        page.select_option("select[name=area]", "")
        page.select_option("select[name=status]", "proposed")
        assert visible_ids(matrix, "matrix-table") == ["CRM-4"]
        page.reload()
        page.wait_for_load_state("load")
        assert visible_ids(matrix, "matrix-table") == ["CRM-4"]
        page.click("a[href$='CRM-4.html']")
        page.wait_for_url("**/requirements/CRM-4.html")
        assert "Archive old invoices" in page.inner_text("h1")
        assert matrix.problems == []


def test_dates_are_iso_on_the_page_and_in_the_readers_locale_on_hover(site: Path) -> None:
    # verifies: REQ-508
    with chromium() as browser:
        page = browser.new_page(locale="de-DE", timezone_id="Europe/Berlin")
        watched = watch(page)
        page.goto((site / "changelog.html").resolve().as_uri())
        page.wait_for_load_state("load")
        assert watched.problems == []
        stamp = page.locator("time[datetime*='T']").first
        iso = stamp.get_attribute("datetime")
        assert iso and stamp.inner_text() == iso[:10]  # the page shows the ISO date
        hover = stamp.get_attribute("title") or ""
        # German weekday and month names, and the ISO value kept for reference
        assert any(
            day in hover
            for day in (
                "Montag",
                "Dienstag",
                "Mittwoch",
                "Donnerstag",
                "Freitag",
                "Samstag",
                "Sonntag",
            )
        ), hover
        assert hover.endswith(f"({iso})")
        day = page.locator("time[datetime]:not([datetime*='T'])").first
        assert "(" in (day.get_attribute("title") or "")  # a calendar day gets one too


def test_a_requirement_page_has_a_permalink_and_copies_its_id(site: Path) -> None:
    # verifies: REQ-503
    page_file = site / "requirements" / "CRM-1.html"
    with chromium() as browser:
        context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
        page = context.new_page()
        watched = watch(page)
        page.goto(page_file.resolve().as_uri())
        page.wait_for_load_state("load")
        # The permalink leads back to this very page (no base_url: a relative link).
        link = page.get_by_role("link", name="Permalink")
        assert link.get_attribute("href") == "CRM-1.html"
        button = page.get_by_role("button", name="Copy ID")
        button.click()
        status = page.locator("#copy-id-status")
        status.wait_for(state="attached")
        page.wait_for_function("document.getElementById('copy-id-status').textContent !== ''")
        assert status.inner_text() == "Copied CRM-1"
        assert page.evaluate("navigator.clipboard.readText()") == "CRM-1"
        link.click()
        page.wait_for_load_state("load")
        assert page.url == page_file.resolve().as_uri()
        assert watched.problems == []
        context.close()
        # With JavaScript off, no button that would do nothing.
        still = browser.new_context(java_script_enabled=False).new_page()
        still.goto(page_file.resolve().as_uri())
        assert still.get_by_role("button", name="Copy ID").count() == 0
        assert still.get_by_role("link", name="Permalink").count() == 1


def test_every_page_fits_a_phone_screen(site: Path) -> None:
    # verifies: REQ-516
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 360, "height": 740})
        too_wide = []
        for path in pages(site):
            page.goto(path.resolve().as_uri())
            page.wait_for_load_state("load")
            # Wide tables scroll inside their own box; the page itself never scrolls sideways.
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 360:
                too_wide.append(f"{path.relative_to(site)}: {width}px")
        assert too_wide == []
        page.goto((site / "requirements" / "CRM-1.html").resolve().as_uri())
        navigation = page.get_by_role("navigation", name="Site").get_by_role("link")
        assert navigation.count() == 8
        for index in range(navigation.count()):  # every entry on screen, none cut off
            box = navigation.nth(index).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360


def test_an_area_document_reads_as_a_document_and_prints_without_navigation(site: Path) -> None:
    # verifies: REQ-520
    # verifies: REQ-516
    with chromium() as browser:
        index = open_file(browser, site / "areas" / "index.html")
        page = index.page
        page.click("main a[href$='billing.html']")
        page.wait_for_url("**/areas/billing.html")
        assert "billing" in page.inner_text("h1")
        toc = [a.inner_text() for a in page.query_selector_all(".toc a")]
        assert toc[:2] == ["1 CRM-1 Export customer data to CSV", "1.1 CRM-2 批量导出客户数据"]
        page.click(".toc a[href='#req-1-1']")
        assert page.evaluate("location.hash") == "#req-1-1"
        assert "财务每月手工录入总账" in page.inner_text("section[aria-labelledby='req-1-1']")
        assert page.is_visible(".site-header nav") and page.is_visible("#site-search-box")
        page.emulate_media(media="print")
        assert not page.is_visible(".site-header nav") and not page.is_visible("#site-search-box")
        colour = page.evaluate("getComputedStyle(document.body).color")
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert (colour, background) == ("rgb(0, 0, 0)", "rgb(255, 255, 255)")
        screenshot(page, "site-area-print")
        # from a requirement page, the breadcrumb leads back to its area
        crm = open_file(browser, site / "requirements" / "CRM-4.html")
        crm.page.click(".breadcrumbs a[href$='ops.html']")
        crm.page.wait_for_url("**/areas/ops.html")
        assert "Archive old invoices" in crm.page.inner_text("main")
        for watched in (index, crm):
            assert watched.problems == [], watched.problems
        # axe reads the stylesheets itself (a request file:// refuses): audit after the checks
        audited = open_file(browser, site / "areas" / "billing.html")
        audited.page.emulate_media(media="print")
        assert serious_violations(audited.page) == []


@pytest.fixture(scope="module")
def paged_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A matrix of seven requirements at two rows a page: `billing` on pages 1-2, `ops` on
    pages 2-4, so a filter has to reach pages the reader has not opened."""
    base = tmp_path_factory.mktemp("paged")
    home = base / "home"
    home.mkdir()
    repo = GitRepo(base / "repo", home)
    for n in range(1, 4):
        repo.write(f"reqs/billing/B-{n}.md", requirement(f"B-{n}", f"Billing {n}", "Body."))
    for n in range(1, 5):
        status = "status: proposed" if n % 2 else "status: accepted"
        text = requirement(f"O-{n}", f"Ops {n}", "Body.").replace("status: accepted", status)
        repo.write(f"reqs/ops/O-{n}.md", text)
    repo.commit("Add requirements")
    out = base / "out"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(matrix, "PAGE_SIZE", 2)
        result = CliRunner().invoke(cli, ["--repo", str(repo.root), "build", "-o", str(out)])
    assert (out / "matrix-4.html").is_file(), result.output
    return out


def test_the_matrix_filter_reaches_every_page_and_survives_a_reload(paged_site: Path) -> None:
    # verifies: REQ-504
    # verifies: REQ-516
    with chromium() as browser:
        matrix_page = open_file(browser, paged_site / "matrix.html")
        page = matrix_page.page
        assert visible_ids(matrix_page, "matrix-table") == ["B-1", "B-2"]  # page 1 as built
        page.select_option("select[name=area]", "ops")
        page.wait_for_selector("#matrix-filter-note:not([hidden])")
        # the first two of the four ops rows, which are on pages 2 to 4 of the static matrix
        assert visible_ids(matrix_page, "matrix-table") == ["O-1", "O-2"]
        assert "4" in page.inner_text("#matrix-filter-note")
        assert not page.is_visible("nav.pages[data-matrix-static]")
        page.click("#matrix-filter-pages a:text-is('2')")
        assert visible_ids(matrix_page, "matrix-table") == ["O-3", "O-4"]
        assert "area=ops" in page.url and "page=2" in page.url
        page.select_option("select[name=status]", "proposed")
        assert visible_ids(matrix_page, "matrix-table") == ["O-1", "O-3"]  # back to page 1
        shared = page.url
        assert "page=" not in shared
        again = open_file(browser, paged_site / "matrix-3.html")
        again.page.goto(shared.replace("matrix.html", "matrix-3.html"))
        again.page.wait_for_selector("#matrix-filter-note:not([hidden])")
        assert visible_ids(again, "matrix-table") == ["O-1", "O-3"]
        assert again.page.input_value("select[name=status]") == "proposed"
        # a row's links work from the filtered view, and clearing the filter restores the page
        page.select_option("select[name=area]", "")
        page.select_option("select[name=status]", "")
        assert visible_ids(matrix_page, "matrix-table") == ["B-1", "B-2"]
        assert page.is_visible("nav.pages[data-matrix-static]")
        again.page.click("#matrix-table a[href$='O-3.html']")
        again.page.wait_for_url("**/requirements/O-3.html")
        for watched in (matrix_page, again):
            assert watched.problems == [], watched.problems
        audited = open_file(browser, paged_site / "matrix-2.html")
        audited.page.select_option("select[name=area]", "ops")
        audited.page.wait_for_selector("#matrix-filter-note:not([hidden])")
        assert serious_violations(audited.page) == []  # the filtered view, as drawn by script


def test_the_matrix_filter_is_fast_at_ten_thousand_rows(paged_site: Path, tmp_path: Path) -> None:
    # verifies: REQ-504
    # The built data file replaced by one of 10,000 rows in 8 areas (the bench corpus's shape):
    # loading it, filtering and drawing the first 500 matching rows is what a reader waits for.
    site = tmp_path / "site"
    shutil.copytree(paged_site, site)
    (data,) = (site / "static").glob("matrix-data.*.js")
    rows = [
        {
            "id": f"AREA{n % 8}-{n:05d}", "title": f"Export the ledger per store {n}",
            "area": f"area-{n % 8}", "type": "functional", "status": ("proposed", "done")[n % 2],
            "parents": [{"id": f"AREA{n % 8}-{max(n - 8, 0):05d}"}], "children": [],
            "code": [], "tests": [], "code_state": "untraced", "tests_state": "untraced",
            "state": "untraced",
        }
        for n in range(10_000)
    ]  # fmt: skip
    data.write_bytes(matrix_data_script(map(data_row, rows)))
    size = data.stat().st_size
    assert size < 1_200_000, size
    with chromium() as browser:
        watched = open_file(browser, site / "matrix.html")
        page = watched.page
        page.evaluate(
            "() => { const s = document.querySelector('select[name=area]');"
            " const o = document.createElement('option'); o.textContent = 'area-3';"
            " s.appendChild(o); }"
        )
        elapsed = page.evaluate(
            """() => new Promise((done) => {
                const start = performance.now();
                const select = document.querySelector("select[name=area]");
                select.value = "area-3";
                select.dispatchEvent(new Event("change"));
                const note = document.getElementById("matrix-filter-note");
                (function wait() {
                    if (!note.hidden) requestAnimationFrame(() => done(performance.now() - start));
                    else setTimeout(wait, 1);
                })();
            })"""
        )
        assert len(visible_ids(watched, "matrix-table")) == 2  # the fixture's page size
        assert "1250" in page.inner_text("#matrix-filter-note")
        print(f"filtered 10,000 rows in {elapsed:.0f} ms, data {size} bytes")
        assert elapsed < 500, elapsed
        assert watched.problems == []


def test_tombstone_pages_load_cleanly_and_pass_the_accessibility_audit(
    tmp_path: Path,
) -> None:
    # verifies: REQ-516
    # verifies: REQ-527
    home = tmp_path / "home"
    home.mkdir()
    repo = GitRepo(tmp_path / "repo", home)

    def proposed(rid: str, title: str, body: str) -> str:
        return requirement(rid, title, body).replace("status: accepted", "status: proposed")

    repo.write("reqs/ops/CRM-5.md", proposed("CRM-5", "Fax invoices", "Nobody *faxes*."))
    repo.write("reqs/ops/CRM-6.md", proposed("CRM-6", "Print labels", "Per parcel."))
    repo.commit("Add requirements (#3)")
    (repo.root / "reqs/ops/CRM-5.md").unlink()
    repo.mv("reqs/ops/CRM-6.md", "reqs/ops/CRM-60.md")
    repo.write("reqs/ops/CRM-60.md", proposed("CRM-60", "Print labels", "Per parcel."))
    repo.commit("Retire CRM-5, renumber CRM-6 (#5)")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["--repo", str(repo.root), "build", "-o", str(out)])
    assert result.exit_code == 0, result.output
    with chromium() as browser:
        for name in ("requirements/CRM-5.html", "requirements/CRM-6.html", "changelog.html"):
            watched = open_file(browser, out / name)
            assert watched.problems == [], (name, watched.problems)
            assert serious_violations(watched.page) == [], name
            main = watched.page.inner_text("main")
            if name.endswith("CRM-5.html"):
                assert "This requirement was retired" in main and "Nobody faxes." in main
            if name.endswith("CRM-6.html"):
                watched.page.click("main a[href$='CRM-60.html']")
                assert watched.page.url.endswith("requirements/CRM-60.html")
            watched.page.close()
