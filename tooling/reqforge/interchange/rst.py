"""Markdown -> reStructuredText: the `content` of a need in needs.json (`needs_json.py`).

`markdown_to_rst` reads a body as the site does (CommonMark and GFM tables, with markdown-it)
and writes reStructuredText that parses without a warning and shows the same text, since
`needimport` parses content as the page's markup: headings become rubrics, lists, tables
(`list-table`), code, quotes, links, bold, italics and inline code keep their meaning, and
everything else is escaped text, so no body can break the build or run a directive.
"""

# implements: REQ-707

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from markdown_it.tree import SyntaxTreeNode

_SPECIAL = re.compile(r"([\\*`_|])")
_LINK_SPECIAL = re.compile(r"([\\*`_|<>])")
_LEAD = re.compile(r"^([^\w\s\\]+|\w+(?=[.)]))")
_SCHEMES = ("http://", "https://", "mailto:", "ftp://")
_NOT_LINK_TEXT = re.compile(r"[\s<>`]")


def _escape(text: str, special: re.Pattern[str] = _SPECIAL) -> str:
    return special.sub(r"\\\1", text)


def _line_start(line: str) -> str:
    """A paragraph line that cannot start an RST construct: its leading punctuation escaped
    (`- `, `#.`, `..`, `::`, `>>>`, `====`), and the mark of an enumeration (`1.`, `A)`)."""
    match = _LEAD.match(line)  # a line starting with a backslash starts with an escape
    if match:
        lead = match.group(1)
        if lead[0].isalnum() or lead[0] == "_":
            line = lead + "\\" + line[len(lead) :]
        else:
            line = "".join("\\" + c for c in lead) + line[len(lead) :]
    if line.endswith("::"):
        line = line[:-1] + "\\:"
    return line


def _tidy(line: str) -> str:
    r"""A line without surrounding space and the `\ ` guard at its end (one backslash left
    over: a backslash of the text is doubled)."""
    line = line.strip()
    trailing = len(line) - len(line.rstrip("\\"))
    return line[:-1] if trailing % 2 else line


def _plain(node: SyntaxTreeNode) -> str:
    """The text of inline nodes without markup (inside bold, a link's text)."""
    if node.type in ("text", "code_inline", "html_inline"):
        return node.content
    if node.type in ("softbreak", "hardbreak"):
        return " "
    return "".join(_plain(child) for child in node.children)


def _guarded(markup: str) -> str:
    r"""Inline markup that holds wherever it stands: `\ ` on both sides lets it touch
    text (Chinese has no spaces) and is removed by the parser."""
    return f"\\ {markup}\\ "


def _inline(node: SyntaxTreeNode) -> str:
    parts: list[str] = []
    for child in node.children:
        kind = child.type
        if kind == "text":
            parts.append(_escape(child.content))
        elif kind in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif kind == "code_inline":
            code = child.content
            if code and code == code.strip() and "``" not in code and "\n" not in code:
                parts.append(_guarded(f"``{code}``"))
            else:
                parts.append(_escape(code))
        elif kind in ("strong", "em"):
            inner = " ".join(_plain(child).split())
            mark = "**" if kind == "strong" else "*"
            parts.append(_guarded(f"{mark}{_escape(inner)}{mark}") if inner else "")
        elif kind == "link":
            href = str(child.attrs.get("href", ""))
            inner = " ".join(_plain(child).split()) or href
            if href.startswith(_SCHEMES) and not _NOT_LINK_TEXT.search(href):
                parts.append(_guarded(f"`{_escape(inner, _LINK_SPECIAL)} <{href}>`__"))
            elif href and href != inner:
                parts.append(_escape(f"{inner} ({href})"))
            else:
                parts.append(_escape(inner))
        elif kind == "image":
            alt = " ".join(_plain(child).split())
            src = str(child.attrs.get("src", ""))
            parts.append(_escape(f"[{alt}]({src})" if alt else f"({src})"))
        else:  # html_inline, strikethrough (`s`) and anything newer: the text as written
            parts.append(
                _escape(_plain(child)) if kind != "html_inline" else _escape(child.content)
            )
    return "".join(parts)


def _paragraph(node: SyntaxTreeNode) -> list[str]:
    inline = node.children[0] if node.children else None
    text = _inline(inline) if inline is not None else ""
    return [_line_start(_tidy(line)) for line in text.split("\n") if line.strip()]


def _literal(text: str) -> list[str]:
    lines = text.rstrip("\n").split("\n")
    if not any(line.strip() for line in lines):
        return []
    return [".. code-block:: text", "", *(f"   {line}" if line.strip() else "" for line in lines)]


def _indent(lines: list[str], first: str, rest: str) -> list[str]:
    out = []
    for index, line in enumerate(lines):
        prefix = first if index == 0 else rest
        out.append(prefix + line if line else "")
    return out or [first.rstrip()]


def _cell(cell: SyntaxTreeNode) -> str:
    text = _inline(cell.children[0]) if cell.children else ""
    return _line_start(_tidy(" ".join(text.split())))


def _table(node: SyntaxTreeNode) -> list[str]:
    rows: list[list[str]] = []
    header = 0
    for section in node.children:
        for row in section.children:
            rows.append([_cell(cell) for cell in row.children])
            header += section.type == "thead"
    width = max((len(r) for r in rows), default=0)
    if not width:
        return []
    out = [".. list-table::"]
    if header:
        out.append(f"   :header-rows: {header}")
    out.append("")
    for cells in rows:
        for index, cell in enumerate(cells + [""] * (width - len(cells))):
            mark = "   * - " if index == 0 else "     - "
            out.append((mark + cell) if cell else mark.rstrip())
    return out


def _blocks(nodes: Sequence[SyntaxTreeNode]) -> list[str]:
    out: list[str] = []
    for node in nodes:
        lines = _block(node)
        if lines:
            if out:
                out.append("")
            out += lines
    return out


def _block(node: SyntaxTreeNode) -> list[str]:
    kind = node.type
    if kind == "paragraph":
        return _paragraph(node)
    if kind == "heading":
        text = _tidy(" ".join(_inline(node.children[0]).split())) if node.children else ""
        return [f".. rubric:: {text}"] if text else []
    if kind in ("bullet_list", "ordered_list"):
        start = int(str(node.attrs.get("start", 1))) if kind == "ordered_list" else 1
        out: list[str] = []
        for index, item in enumerate(node.children):
            mark = "- " if kind == "bullet_list" else f"{start + index}. "
            if out:
                out.append("")
            out += _indent(_blocks(item.children), mark, " " * len(mark))
        return out
    if kind == "blockquote":
        inner = _blocks(node.children)
        # the empty comment ends a list before it, so that the quote is not taken into it
        return ["..", "", *_indent(inner, "   ", "   ")] if inner else []
    if kind in ("fence", "code_block", "html_block"):
        return _literal(node.content)
    if kind == "table":
        return _table(node)
    if kind == "hr":
        return ["\\-\\-\\-\\-"]
    return _literal(node.content) if node.content else _blocks(node.children)


@functools.lru_cache(maxsize=1)
def _parser() -> Any:
    """The Markdown parser, made once (making one costs more than parsing a short body)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")


# implements: REQ-707
def markdown_to_rst(body: str) -> str:
    """A Markdown body (CommonMark and GFM tables, as the site reads it) as reStructuredText
    that parses without a warning and shows the same text; "" for an empty body."""
    from markdown_it.tree import SyntaxTreeNode

    lines = _blocks(SyntaxTreeNode(_parser().parse(body)).children)
    return "\n".join(lines) + "\n" if lines else ""
