"""`check --format text`: findings for people, in the style of ruff and rustc.

```
reqs/billing/CRM-0042.md:2:5: error[RF105] id 'CRM-42' does not match file name (CRM-0042)
 2 | id: CRM-42
   |     ^

120 requirements in 121 files: 1 error, 0 warnings
```

The quoted source line is read from the repository, once per file and only for files with a
finding on a line; a file that cannot be read as UTF-8 simply gets no excerpt. The caret is
padded by display width: East Asian wide characters take two terminal cells and tabs are copied,
so the caret lands under the right character whatever the terminal's tab stops are.
"""

from __future__ import annotations

import pathlib
import unicodedata
from collections.abc import Callable

import click

from reqforge.i18n import plural_translator, translator
from reqforge.model import ERROR, CheckResult, Finding
from reqforge.render.escaping import escape_hidden, terminal_block, terminal_text
from reqforge.safe_read import read_inside

# Source files bigger than this are not quoted (they are refused by the loader anyway, RF004).
_MAX_EXCERPT_FILE_BYTES = 8 * 1024 * 1024

_Style = Callable[..., str]


def _plain(text: str, **_: object) -> str:
    return text


def cell_width(char: str) -> int:
    """Terminal cells one character takes: 2 for East Asian Wide/Fullwidth, 0 for combining."""
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def caret_padding(line: str, column: int) -> str:
    """The whitespace that puts a caret under 1-based `column` of `line`.

    Each character before the column becomes as many spaces as cells it takes, and a tab stays
    a tab. Columns past the end of the line are padded with one space per missing character.
    """
    before = line[: max(column - 1, 0)]
    padding = ["\t" if ch == "\t" else " " * cell_width(ch) for ch in before]
    padding.append(" " * max(column - 1 - len(line), 0))
    return "".join(padding)


class _SourceLines:
    """Lines of repository files, read lazily, once per file; None for unreadable files."""

    def __init__(self, root: pathlib.Path) -> None:
        self._root = pathlib.Path(root)
        self._cache: dict[str, list[str] | None] = {}

    def line(self, path: str, number: int) -> str | None:
        if path not in self._cache:
            self._cache[path] = self._read(path)
        lines = self._cache[path]
        if lines is None or not 1 <= number <= len(lines):
            return None
        return lines[number - 1]

    def _read(self, path: str) -> list[str] | None:
        if not path:
            return None
        try:
            # Never quote a file outside the repository, a FIFO or a huge file.
            data = read_inside(self._root / path, self._root, _MAX_EXCERPT_FILE_BYTES)
            text = data.decode("utf-8")
        except (OSError, UnicodeDecodeError, ValueError):
            return None
        text = text.removeprefix("\ufeff")
        return [line.removesuffix("\r") for line in text.split("\n")]


def summary(result: CheckResult, language: str = "en") -> str:
    """The closing line: `120 requirements in 121 files: 2 errors, 1 warning`."""
    _, ngettext = translator(language), plural_translator(language)
    counts = {
        "requirements": ngettext(
            "{count} requirement", "{count} requirements", result.requirements
        ).format(count=result.requirements),
        "files": ngettext("{count} file", "{count} files", result.files).format(count=result.files),
    }
    if not result.findings:
        return _("{requirements} in {files}: no problems found").format(**counts)
    errors = ngettext("{count} error", "{count} errors", result.errors)
    warnings = ngettext("{count} warning", "{count} warnings", result.warnings)
    return _("{requirements} in {files}: {errors}, {warnings}").format(
        errors=errors.format(count=result.errors),
        warnings=warnings.format(count=result.warnings),
        **counts,
    )


def _finding_block(finding: Finding, sources: _SourceLines, style: _Style) -> list[str]:
    severity_color = "red" if finding.severity == ERROR else "yellow"
    location = terminal_text(finding.path)
    if finding.line > 0:
        location += f":{finding.line}"
        if finding.column > 0:
            location += f":{finding.column}"
    message = finding.message.replace("\r\n", "\n").replace("\r", "\n")
    message = terminal_block(message).replace("\n", "\n    ")
    if finding.id:
        message += f" ({terminal_text(finding.id)})"
    header = (
        f"{location}: {style(finding.severity, fg=severity_color, bold=True)}"
        f"{style(f'[{finding.code}]', bold=True)} {message}"
    )
    lines = [header]
    source = sources.line(finding.path, finding.line) if finding.line > 0 else None
    if source is not None:
        # Hidden characters (an ESC sequence, a bidi override) are shown escaped; the caret
        # is placed by the escaped text before the column, so it still points at its character.
        column = len(escape_hidden(source[: max(finding.column - 1, 0)], keep="\t")) + 1
        source = escape_hidden(source, keep="\t")
        number = str(finding.line)
        lines.append(style(f" {number} |", dim=True) + (f" {source}" if source else ""))
        if finding.column > 0:
            gutter = style(f" {' ' * len(number)} |", dim=True)
            caret = style("^", fg=severity_color, bold=True)
            lines.append(f"{gutter} {caret_padding(source, column)}{caret}")
    return lines


# implements: REQ-100
def render(
    result: CheckResult, *, root: pathlib.Path, color: bool = False, language: str = "en"
) -> str:
    """Render `result` for a terminal: one block per finding, then a summary line.

    Source lines are read from `root / finding.path`. With `color` the severity, code, gutter
    and caret are styled with ANSI codes; without it the output contains none. The summary
    line is in `language`.
    """
    style: _Style = click.style if color else _plain
    sources = _SourceLines(root)
    out: list[str] = []
    for finding in sorted(result.findings, key=Finding.sort_key):
        out.extend(_finding_block(finding, sources, style))
        out.append("")
    line = summary(result, language)
    if result.errors:
        line = style(line, fg="red", bold=True)
    elif result.warnings:
        line = style(line, fg="yellow", bold=True)
    else:
        line = style(line, fg="green", bold=True)
    out.append(line)
    return "\n".join(out) + "\n"
