"""The search page in headless Chromium, as a reader uses it: results with ID, title, status
and a snippet with the hits marked, the keyboard (the field is an ARIA combobox over a listbox
of results), the announced "no results" line in the site's language, full-width and mixed
queries, and hostile text that stays text."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.browser import Watched, chromium, open_file, serious_violations
from tests.conftest import requirement_text

from reqforge.cli.main import cli

LONG_BODY = (
    "Finance closes the books every month. " * 10
    + "At the end the auditors reconcile the ledger with the bank statements."
)
HOSTILE = '<img src=x onerror=alert("title")> <script>alert("s")</script>\u202e'


def built_site(base: Path, language: str) -> Path:
    files = {
        "reqs/billing/CRM-1.md": requirement_text(
            "CRM-1", title="Export customer data", body="Exports **all** rows as CSV."
        ),
        "reqs/billing/CRM-2.md": requirement_text(
            "CRM-2", title="批量导出客户数据", body="财务每月手工录入总账，需要导出。"
        ),
        "reqs/billing/CRM-3.md": requirement_text("CRM-3", title="Monthly close", body=LONG_BODY),
        "reqs/ops/CRM-4.md": requirement_text(
            "CRM-4", title="Exporting invoices", body="Invoices are exported nightly."
        ),
        "reqs/ops/CRM-5.md": requirement_text("CRM-5", title=repr(HOSTILE), body=HOSTILE),
    }
    repo = base / "repo"
    for rel, text in files.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text, encoding="utf-8")
    (repo / "reqforge.toml").write_text(f'[project]\nlanguage = "{language}"\n', encoding="utf-8")
    out = base / "site"
    result = CliRunner().invoke(cli, ["--repo", str(repo), "build", "-o", str(out)])
    assert (out / "search.html").is_file(), result.output
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_site(tmp_path_factory.mktemp("search-en"), "en")


def search_for(browser: object, site: Path, query: str) -> Watched:
    """search.html with `query` typed into its field."""
    watched = open_file(browser, site / "search.html")
    watched.page.fill("#search-query", query)
    return watched


def options(watched: Watched) -> list[str]:
    return [
        span.inner_text() for span in watched.page.query_selector_all("[role=option] .rf-search-id")
    ]


def marks(watched: Watched, selector: str) -> list[str]:
    return [mark.inner_text() for mark in watched.page.query_selector_all(f"{selector} mark")]


def test_results_show_id_title_status_and_a_snippet_with_the_hits_marked(site: Path) -> None:
    # verifies: REQ-507
    with chromium() as browser:
        watched = search_for(browser, site, "exported")
        page = watched.page
        assert options(watched) == ["CRM-1", "CRM-4"]
        first = "#search-results [role=option]:first-child"
        assert page.inner_text(f"{first} .rf-search-title") == "Export customer data"
        assert page.inner_text(f"{first} .rf-status") == "proposed"
        assert marks(watched, f"{first} .rf-search-title") == ["Export"]
        # the snippet is the body as plain text (no ** of the Markdown), the hit marked
        assert page.inner_text(f"{first} .rf-search-snippet") == "Scenario Exports all rows as CSV."
        assert marks(watched, f"{first} .rf-search-snippet") == ["Exports"]
        assert page.inner_text("#search-status") == "2 requirements found."
        # half-way through typing "exporting": the same results, the same words marked
        page.fill("#search-query", "exportin")
        assert options(watched) == ["CRM-1", "CRM-4"]
        assert marks(watched, f"{first} .rf-search-title") == ["Export"]
        # a hit far into a long body: the snippet starts shortly before it
        page.fill("#search-query", "reconcile")
        assert options(watched) == ["CRM-3"]
        snippet = page.inner_text("#search-results .rf-search-snippet")
        assert snippet.startswith("…") and "reconcile the ledger" in snippet
        assert marks(watched, "#search-results .rf-search-snippet") == ["reconcile"]
        assert page.inner_text("#search-status") == "1 requirement found."
        # Chinese: the bigrams of the query make one mark in the title
        page.fill("#search-query", "批量导出")
        assert options(watched) == ["CRM-2"]
        assert marks(watched, "#search-results .rf-search-title") == ["批量导出"]
        assert watched.problems == []


def test_full_width_mixed_and_id_fragment_queries(site: Path) -> None:
    # verifies: REQ-507
    with chromium() as browser:
        watched = search_for(browser, site, "ＥＸＰＯＲＴ")  # typed with a Chinese IME
        assert options(watched) == ["CRM-1", "CRM-4"]
        assert marks(watched, "#search-results .rf-search-title")[0] == "Export"
        watched.page.fill("#search-query", "ＣＲＭ－４")
        assert options(watched)[0] == "CRM-4"
        # English, Chinese and an ID in one query: the ID first, then the most terms matched
        watched.page.fill("#search-query", "invoice 导出 crm-3")
        assert options(watched)[:3] == ["CRM-3", "CRM-2", "CRM-4"]
        assert watched.problems == []


def active_option(watched: Watched) -> str | None:
    """The ID of the result the field points at (aria-activedescendant), None without one."""
    page = watched.page
    active = page.get_attribute("#search-query", "aria-activedescendant")
    if active is None:
        assert page.query_selector_all("[role=option][aria-selected=true]") == []
        return None
    assert page.get_attribute(f"#{active}", "aria-selected") == "true"
    return page.inner_text(f"#{active} .rf-search-id")


def test_arrow_keys_move_through_the_results_enter_follows_escape_closes(site: Path) -> None:
    # verifies: REQ-507
    with chromium() as browser:
        watched = search_for(browser, site, "crm")
        page = watched.page
        field = "#search-query"
        assert page.get_attribute(field, "role") == "combobox"
        assert page.get_attribute(field, "aria-controls") == "search-results"
        assert page.get_attribute("#search-results", "role") == "listbox"
        assert page.get_attribute(field, "aria-expanded") == "true"
        assert options(watched) == ["CRM-1", "CRM-2", "CRM-3", "CRM-4", "CRM-5"]
        assert active_option(watched) is None
        page.press(field, "ArrowDown")
        assert active_option(watched) == "CRM-1"
        for _ in range(5):
            page.press(field, "ArrowDown")
        assert active_option(watched) == "CRM-5"  # stays on the last
        page.press(field, "ArrowUp")
        assert active_option(watched) == "CRM-4"
        assert page.evaluate("document.activeElement.id") == "search-query"  # focus stays
        page.press(field, "Escape")
        assert page.is_hidden("#search-results")
        assert page.get_attribute(field, "aria-expanded") == "false"
        assert active_option(watched) is None
        assert page.input_value(field) == "crm"  # the first Escape only closes the list
        page.press(field, "ArrowUp")  # reopens on the last result
        assert page.is_visible("#search-results") and active_option(watched) == "CRM-5"
        for _ in range(3):
            page.press(field, "ArrowUp")
        assert active_option(watched) == "CRM-2"
        page.press(field, "Escape")
        page.press(field, "Escape")  # the second one clears the field, and the results
        assert page.input_value(field) == "" and page.inner_text("#search-status") == ""
        page.fill(field, "crm")
        page.press(field, "ArrowDown")
        page.press(field, "ArrowDown")
        page.press(field, "Enter")
        page.wait_for_url("**/requirements/CRM-2.html")
        assert "批量导出客户数据" in page.inner_text("h1")
        assert watched.problems == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_open_list_passes_the_accessibility_audit(site: Path, scheme: str) -> None:
    # verifies: REQ-507
    # verifies: REQ-516
    with chromium() as browser:
        watched = open_file(browser, site / "search.html", color_scheme=scheme)
        watched.page.fill("#search-query", "export")
        watched.page.press("#search-query", "ArrowDown")
        assert active_option(watched) == "CRM-1"
        assert watched.problems == []
        # (axe's own requests for the stylesheets fail from file://: checked before it runs)
        assert serious_violations(watched.page) == []


def test_no_results_is_said_visibly_and_announced(site: Path) -> None:
    # verifies: REQ-507
    with chromium() as browser:
        watched = search_for(browser, site, "zebra")
        page = watched.page
        assert page.is_visible("#search-status")
        assert page.inner_text("#search-status") == "No requirement matches this search."
        assert page.get_attribute("#search-status", "aria-live") == "polite"
        assert page.get_attribute("#search-status", "role") == "status"
        assert page.is_hidden("#search-results")
        assert page.get_attribute("#search-query", "aria-expanded") == "false"
        page.press("#search-query", "ArrowDown")  # nothing to move to, nothing breaks
        assert active_option(watched) is None
        page.fill("#search-query", "")
        assert page.inner_text("#search-status") == ""
        assert watched.problems == []
        assert serious_violations(page) == []


def test_the_status_line_speaks_the_sites_language(tmp_path: Path) -> None:
    # verifies: REQ-507
    # verifies: REQ-511
    chinese = built_site(tmp_path, "zh-CN")
    with chromium() as browser:
        watched = search_for(browser, chinese, "斑马")
        assert watched.page.inner_text("#search-status") == "没有与此搜索匹配的需求。"
        watched.page.fill("#search-query", "导出")
        assert watched.page.inner_text("#search-status") == "找到 1 条需求。"
        assert watched.problems == []


def test_hostile_text_in_results_stays_text(site: Path) -> None:
    # verifies: REQ-510
    with chromium() as browser:
        watched = search_for(browser, site, "script onerror alert")
        page = watched.page
        assert options(watched) == ["CRM-5"]
        title = page.inner_text("#search-results .rf-search-title")
        assert '<script>alert("s")</script>' in title
        assert page.query_selector_all("#search-results img, #search-results script") == []
        assert marks(watched, "#search-results .rf-search-title")[:2] == ["onerror", "alert"]
        assert watched.dialogs == [] and watched.problems == []
