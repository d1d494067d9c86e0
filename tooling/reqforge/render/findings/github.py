"""`check --format github`: GitHub Actions workflow commands that annotate the pull request.

One `::error` or `::warning` command per finding. Message data and property values are escaped
as the Actions runner expects, so a message can never end the command early or inject another
one (a newline followed by `::set-env` stays inside the message).
"""

# implements: REQ-105

from __future__ import annotations

import pathlib
import re

from reqforge.model import ERROR, CheckResult, Finding

# C0 and C1 control characters other than CR and LF, and DEL: a requirement's text must not
# reach a terminal or log viewer as escape sequences (window titles, clipboard writes).
_CONTROLS = re.compile(r"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def escape_data(value: str) -> str:
    """Escape a workflow command's message: `%`, CR and LF; other control characters become
    U+FFFD, as in the text format."""
    value = _CONTROLS.sub("\ufffd", value)
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
