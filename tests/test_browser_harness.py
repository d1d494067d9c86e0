"""The browser harness itself (tests/browser.py): real headless Chromium catches what the site
tests rely on it to catch."""

from __future__ import annotations

from pathlib import Path

from tests.browser import chromium, open_file, screenshot, serious_violations


def test_the_harness_sees_dialogs_errors_failed_requests_and_accessibility_faults(
    tmp_path: Path,
) -> None:
    # verifies: REQ-516
    bad = tmp_path / "bad.html"
    bad.write_text(
        "<!doctype html><html><head><title>bad</title></head><body>"
        '<img src="missing.png"><script>console.error("boom"); alert("xss")</script>'
        "</body></html>",
        encoding="utf-8",
    )
    good = tmp_path / "good.html"
    good.write_text(
        '<!doctype html><html lang="zh-CN"><head><title>好</title></head><body><main>'
        "<h1>批量导出客户数据</h1><p>Export customer data.</p></main></body></html>",
        encoding="utf-8",
    )
    with chromium() as browser:
        watched = open_file(browser, bad)
        assert watched.dialogs == ["xss"]
        assert any("boom" in text for text in watched.console_errors)
        assert any(url.endswith("missing.png") for url in watched.failed_requests)
        assert any(
            line.startswith("image-alt (critical)") for line in serious_violations(watched.page)
        )
        clean = open_file(browser, good)
        assert clean.problems == [] and serious_violations(clean.page) == []
        assert clean.page.inner_text("h1") == "批量导出客户数据"
        shot = screenshot(clean.page, "harness-chinese")
        assert shot.stat().st_size > 1000
