"""Finding reports for `reqforge check`: text, JSON, GitHub annotations, SARIF, JUnit XML and
GitLab Code Quality.

Every format is a pure function of a `CheckResult` (plus the repository root, which only the
text format reads to quote source lines) and returns the whole report as one string. Outputs are
deterministic: findings are sorted, keys keep a fixed order, and nothing depends on the clock or
on where the repository lives on disk.
"""

from __future__ import annotations

import pathlib
from collections.abc import Sequence

from reqforge.model import CheckResult

FORMATS = ("text", "json", "github", "sarif", "junit", "gitlab")


# implements: REQ-105
def render(
    fmt: str,
    result: CheckResult,
    *,
    root: pathlib.Path,
    color: bool = False,
    paths: Sequence[str] = (),
    language: str = "en",
) -> str:
    """Render `result` in format `fmt` (one of `FORMATS`) and return the report text.

    `root` is the repository root that finding paths are relative to; `color` asks for ANSI
    colours (text only); `paths` lists every checked file (JUnit only, so clean files appear as
    passing test cases); `language` is the one of the text's own words (findings carry their
    messages already translated). Raises `ValueError` for an unknown format.
    """
    # Formats are imported on demand: `check` renders one of them, and json/xml cost import time.
    if fmt == "text":
        from reqforge.render.findings import text

        return text.render(result, root=root, color=color, language=language)
    if fmt == "json":
        from reqforge.render.findings import json_format

        return json_format.render(result, root=root, color=color)
    if fmt == "github":
        from reqforge.render.findings import github

        return github.render(result, root=root, color=color)
    if fmt == "sarif":
        from reqforge.render.findings import sarif

        return sarif.render(result, root=root, color=color, language=language)
    if fmt == "junit":
        from reqforge.render.findings import junit

        return junit.render(result, root=root, color=color, paths=paths, language=language)
    if fmt == "gitlab":
        from reqforge.render.findings import gitlab

        return gitlab.render(result, root=root, color=color)
    raise ValueError(f"unknown report format {fmt!r}; expected one of: {', '.join(FORMATS)}")
