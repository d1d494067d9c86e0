"""Data made inert for each medium it is shown in (SPEC 6a): terminal text, CSV, Markdown.

Every renderer passes text that comes from the data (titles, fields, commit subjects, author
names, paths, test names) through one of these functions, and only these: a requirement can
then never move the cursor, retitle the terminal, reverse the order of what a reviewer reads,
start a GitHub workflow command, run a formula in a spreadsheet or ping people from a PR comment.
JSON needs none of this: its encoder escapes controls itself and the data stays faithful.
"""

# implements: REQ-720

from __future__ import annotations

import re

from reqforge.invisible import all_visible, code_point, is_hidden

# A line that starts (after blanks, which the Actions runner trims) with `::` is a workflow
# command; `##[` anywhere in a line is the older form of one.
_WORKFLOW_COMMAND = re.compile(r"^(\s*):(?=:)|#(?=#\[)", re.MULTILINE)


def escape_hidden(text: str, keep: str = "") -> str:
    """`text` with every hidden character (see reqforge.invisible) not in `keep` escaped, and
    nothing else changed: for text whose lines cannot start a workflow command (a quoted source
    line after its gutter)."""
    if all_visible(text, keep):  # the common case, at regex speed
        return text
    return "".join(
        code_point(char) if char not in keep and is_hidden(char) else char for char in text
    )


def _no_workflow_command(text: str) -> str:
    return _WORKFLOW_COMMAND.sub(lambda m: (m.group(1) or "") + code_point(m.group(0)[-1]), text)


def terminal_text(text: str) -> str:
    """One line of data as a terminal may show it: every control, format (bidi, zero-width)
    and invisible character escaped (`\\x1b`, `\\n`, `\\u202e`), and no workflow command (a
    leading `::` becomes `\\x3a:`). Printable text, Chinese included, is unchanged."""
    text = escape_hidden(text, keep="")
    return _no_workflow_command(text) if ":" in text or "#" in text else text


def terminal_block(text: str) -> str:
    """Multi-line data (a requirement's body) for a terminal: lines and tabs kept (CRLF read as
    a line break), everything else as in `terminal_text`, no line a workflow command."""
    text = escape_hidden(text.replace("\r\n", "\n"), keep="\n\t")
    return _no_workflow_command(text) if ":" in text or "#" in text else text


# Cell starts a spreadsheet reads as a formula (OWASP CSV injection): = + - @, tab and CR.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_text(text: str, *, raw: bool = False) -> str:
    """A CSV cell of data: escaped as `terminal_text` (CSV is printed on terminals too), and
    unless `raw` prefixed with `'` when a spreadsheet would run it as a formula."""
    text = terminal_text(text)
    return "'" + text if not raw and text.startswith(_FORMULA_START) else text


# Markdown inline syntax escaped with a backslash: emphasis, links and images, strikethrough,
# labels (GitLab `~bug`) and math (`$x$`, `$$`).
_MARKDOWN = re.compile(r"([\\*_\[\]~$])")
_ENTITIES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "|": "&#124;",  # an entity, not `\|`: it can never split a table cell
    "`": "&#96;",
}
_ENTITY = re.compile("[" + re.escape("".join(_ENTITIES)) + "]")
# GitHub and GitLab link these after Markdown is rendered, in the text itself, so an escape
# or entity does not stop them; a zero-width space (written as an entity) breaks the pattern:
# mentions (@user, and e-mail addresses), references (#1, owner/repo#2, GH-3, !4, %5),
# bare URLs (scheme://, www.).
_ZWSP = "\u200b"  # data's own are escaped first, so every one left is ours
_AUTOLINKS = re.compile(r"([@#!%])(?=[\w\"])|(?<=:)(?=//)|(?<=\bwww)(?=\.)|(?<=\bGH)(?=-\d)", re.I)
_NEWLINES = re.compile(r"\s*[\r\n\u2028\u2029]+\s*")


def markdown_text(text: str, limit: int | None = None) -> str:
    """Data made inert in Markdown and HTML for a PR comment: one line, no tags, no table
    breaks, no emphasis, links, images, code spans, math, mentions, references or autolinks;
    shortened to `limit` characters (before escaping)."""
    text = _NEWLINES.sub(" ", text).strip()
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    text = escape_hidden(text, keep="")
    text = _MARKDOWN.sub(r"\\\1", text)
    # Before the entities: an entity's own `&#` must not be broken.
    text = _AUTOLINKS.sub(lambda m: (m.group(1) or "") + _ZWSP, text)
    text = _ENTITY.sub(lambda match: _ENTITIES[match.group()], text)
    return text.replace(_ZWSP, "&#8203;")
