"""Headless Chromium for the site's tests: Playwright driving Debian's `chromium` from PATH.

`opened(path)` opens a built page and watches what a person would not see but would suffer
from: console errors, uncaught page errors, failed requests and dialogs (an `alert` means
injected script ran). `serious_violations(page)` is the axe-core audit (axe-playwright-python)
reduced to what the bar forbids: serious and critical violations. Screenshots go to
`reports/screenshots/`, next to the JUnit results CI keeps.

Without chromium or Playwright the browser tests skip, except under CI (`CI` set), where
`tooling/browser-deps` has installed chromium: there a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "reports" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_or_skip() -> str:
    """The chromium executable, or a skip (a failure under CI) when it or Playwright is absent."""
    executable = shutil.which("chromium")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        executable = None
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("chromium or Playwright is missing: run tooling/browser-deps")
        pytest.skip("chromium or Playwright is not installed (tooling/browser-deps)")
    return executable


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium browser (Playwright's Browser), closed afterwards."""
    executable = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Watched:
    """A page and everything that went wrong while it was open."""

    page: Any
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        return [
            *(f"console: {text}" for text in self.console_errors),
            *(f"script error: {text}" for text in self.page_errors),
            *(f"failed request: {url}" for url in self.failed_requests),
            *(f"dialog: {text}" for text in self.dialogs),
        ]


def watch(page: Any) -> Watched:
    """Start recording a page's console errors, script errors, failed requests and dialogs."""
    watched = Watched(page)
    page.on(
        "console", lambda m: watched.console_errors.append(m.text) if m.type == "error" else None
    )
    page.on("pageerror", lambda error: watched.page_errors.append(str(error)))
    page.on("requestfailed", lambda request: watched.failed_requests.append(request.url))

    def dialog(d: Any) -> None:
        watched.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", dialog)
    return watched


def open_file(browser: Any, path: Path, *, color_scheme: str = "light") -> Watched:
    """Open a built page from the file system (as a reader of a downloaded site would)."""
    page = browser.new_page(color_scheme=color_scheme)
    watched = watch(page)
    page.goto(path.resolve().as_uri())
    page.wait_for_load_state("load")
    return watched


def serious_violations(page: Any) -> list[str]:
    """axe-core's serious and critical violations on the page, as `rule: target` lines."""
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page)
    found = []
    for violation in result.response.get("violations", []):
        if violation.get("impact") in ("serious", "critical"):
            targets = [", ".join(node.get("target", [])) for node in violation.get("nodes", [])]
            found.append(f"{violation['id']} ({violation['impact']}): {'; '.join(targets)}")
    return found


def screenshot(page: Any, name: str) -> Path:
    """A full-page screenshot in reports/screenshots/ (the test run's artefacts)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
