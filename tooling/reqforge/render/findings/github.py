"""`check --format github`: GitHub Actions workflow commands that annotate the pull request.

One `::error` or `::warning` command per finding. Message data and property values are escaped
as the Actions runner expects, so a message can never end the command early or inject another
one (a newline followed by `::set-env` stays inside the message).
"""

# implements: REQ-105

from __future__ import annotations

import pathlib

from reqforge.model import ERROR, CheckResult, Finding
from reqforge.render.escaping import escape_hidden


def escape_data(value: str) -> str:
    """Escape a workflow command's message: `%`, CR and LF as the runner expects; other
    control, bidi and invisible characters shown escaped (`\\x1b`), as in every output, so
    none reaches a log viewer as an escape sequence (window titles, clipboard writes)."""
    value = escape_hidden(value, keep="\r\n")
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """Escape a workflow command's property value: as data, plus `:` and `,`."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding) -> str:
    """The workflow command for one finding, without a line break.

    `line` and `col` are left out when 0 (a finding about the whole file); `col` is left out
    when there is no line, since GitHub ignores a column without a line.
    """
    command = "error" if finding.severity == ERROR else "warning"
    props: list[tuple[str, str]] = []
    if finding.path:
        props.append(("file", finding.path))
    if finding.line > 0:
        props.append(("line", str(finding.line)))
        if finding.column > 0:
            props.append(("col", str(finding.column)))
    props.append(("title", finding.code))
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in props)
    return f"::{command} {joined}::{escape_data(finding.message)}"


def render(result: CheckResult, *, root: pathlib.Path | None = None, color: bool = False) -> str:
    """One workflow command per finding, each ending with a newline ('' when there are none).

    Paths are relative to the repository root; GitHub resolves them against the workspace, so
    run `check` from a repository at the workspace root. `root` and `color` are unused.
    """
    return "".join(annotation(f) + "\n" for f in sorted(result.findings, key=Finding.sort_key))
