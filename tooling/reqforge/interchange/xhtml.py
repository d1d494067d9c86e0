"""Markdown <-> XHTML, in the subset of XHTML that ReqIF allows: the export writes a body
as ReqIF.Text, the import reads any tool's XHTML value back as Markdown.

`markdown_xhtml`: a Markdown body (CommonMark and GFM tables, raw HTML shown as text) as
well-formed `xhtml:`-prefixed XHTML; elements outside the subset become spans, an image a link.

`xhtml_markdown`: the content of an XHTML value as Markdown: paragraphs, line breaks, bold,
italics, code, links, headings, nested lists, tables (as GFM tables) and images or objects as
links; any other element keeps its text, which is escaped so that Markdown shows it as it is.
"""

# implements: REQ-707

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Any

from reqforge.interchange.reqif_values import _escape, _shown, _text

if TYPE_CHECKING:
    from lxml import etree  # type: ignore[import-untyped]

XHTML_NS = "http://www.w3.org/1999/xhtml"


# --------------------------------------------------------------------------------------------
# Markdown -> XHTML


@functools.lru_cache(maxsize=1)
def _tools() -> tuple[Any, Any]:
    """The Markdown renderer and the XML parser, made once (building a renderer is a third of
    the time of rendering one short body)."""
    from lxml import etree
    from markdown_it import MarkdownIt

    renderer = MarkdownIt("commonmark", {"html": False, "xhtmlOut": True}).enable("table")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return renderer, parser


def markdown_xhtml(body: str) -> str:
    """The Markdown `body` (CommonMark and GFM tables, raw HTML shown as text) as well-formed
    XHTML inside `<xhtml:div>`, in the ReqIF subset of XHTML (an image becomes a link)."""
    from lxml import etree

    renderer, parser = _tools()
    html = renderer.render(_shown(body))
    try:
        tree = etree.fromstring(f'<div xmlns="{XHTML_NS}">{html}</div>'.encode(), parser)
    except etree.XMLSyntaxError:  # not expected from markdown-it; show the text instead
        return f"<xhtml:div><xhtml:pre>{_text(body)}</xhtml:pre></xhtml:div>"
    return _xhtml_element(tree)


_XHTML_KEEP = frozenset(
    [
        "a",
        "abbr",
        "acronym",
        "address",
        "b",
        "big",
        "blockquote",
        "br",
        "caption",
        "cite",
        "code",
        "col",
        "colgroup",
        "dd",
        "del",
        "dfn",
        "div",
        "dl",
        "dt",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "ins",
        "kbd",
        "li",
        "ol",
        "p",
        "pre",
        "q",
        "samp",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "tt",
        "ul",
        "var",
    ]
)
_XHTML_ATTRIBUTES = frozenset({"href", "start", "title", "colspan", "rowspan"})


def _xhtml_element(element: etree._Element) -> str:
    """One element and its content as `xhtml:`-prefixed XHTML of the ReqIF subset."""
    name = str(element.tag).rpartition("}")[2]
    attributes = dict(element.attrib)
    if name == "img":  # no image module in ReqIF's XHTML: a link to the image
        name = "a"
        attributes = {"href": element.get("src", "")}
        inner = _text(element.get("alt") or element.get("src") or "")
    else:
        inner = _text(element.text or "")
        for child in element:
            inner += _xhtml_element(child) + _text(child.tail or "")
    if name not in _XHTML_KEEP:
        name = "span"
    if name == "th" or name == "td":
        style = attributes.get("style", "")
        attributes = {"style": style} if style.startswith("text-align:") else {}
    else:
        attributes = {k: v for k, v in attributes.items() if k in _XHTML_ATTRIBUTES}
    shown = "".join(f' {key}="{_escape(value)}"' for key, value in sorted(attributes.items()))
    if not inner and name in ("br", "hr"):
        return f"<xhtml:{name}{shown}/>"
    return f"<xhtml:{name}{shown}>{inner}</xhtml:{name}>"


# --------------------------------------------------------------------------------------------
# XHTML -> Markdown


def _name(element: etree._Element) -> str:
    """An element's local name ("" for a comment or processing instruction)."""
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in element if _name(child) == name]


_BLOCKS = frozenset(
    [
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "li",
        "table",
        "pre",
        "blockquote",
        "hr",
        "address",
        "center",
        "dl",
        "dt",
        "dd",
        "section",
        "article",
        "header",
        "footer",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "caption",
    ]
)
_BREAK = "\x00"  # a hard line break while whitespace is collapsed (XML cannot hold U+0000)


def xhtml_markdown(holder: etree._Element) -> str:
    """The content of an XHTML value (`<THE-VALUE>`) as Markdown: paragraphs, line breaks,
    bold, italics, code, links, headings, nested lists, tables (as GFM tables) and images or
    objects as links; any other element keeps its text."""
    blocks = _blocks(holder)
    return "\n\n".join(block for block in blocks if block.strip()).strip("\n")


def _blocks(element: etree._Element) -> list[str]:
    """The Markdown blocks of an element's content."""
    out: list[str] = []
    run: list[str] = [_escape_md(element.text or "")]

    def flush() -> None:
        text = _collapse("".join(run))
        if text:
            out.append(_line_starts(text))
        run.clear()

    for child in element:
        name = _name(child)
        if name in _BLOCKS or (name and _has_block(child)):
            flush()
            out += _block(child, name)
        else:
            run.append(_inline(child))
        run.append(_escape_md(child.tail or ""))
    flush()
    return out


def _has_block(element: etree._Element) -> bool:
    return any(_name(child) in _BLOCKS for child in element.iter() if child is not element)


def _block(element: etree._Element, name: str) -> list[str]:
    if name in ("h1", "h2", "h3", "h4", "h5", "h6"):
        text = _collapse(_inline_content(element)).replace("\n", " ")
        return [f"{'#' * int(name[1])} {text}"] if text else []
    if name in ("ul", "ol"):
        return [_list(element, name == "ol")] if _children(element, "li") else _blocks(element)
    if name == "table":
        return [_table(element)]
    if name == "pre":
        code = "".join(element.itertext()).strip("\n")
        fence = "```"
        while fence in code:
            fence += "`"
        return [f"{fence}\n{code}\n{fence}"]
    if name == "hr":
        return ["---"]
    if name == "blockquote":
        inner = "\n\n".join(_blocks(element))
        return ["\n".join(f"> {line}".rstrip() for line in inner.splitlines())]
    return _blocks(element)


def _list(element: etree._Element, ordered: bool) -> str:
    lines: list[str] = []
    start = element.get("start", "1")
    number = int(start) if start.isdigit() else 1
    for item in _children(element, "li"):
        marker = f"{number}. " if ordered else "- "
        number += 1
        inner = "\n".join(_blocks(item)) or ""
        item_lines = inner.splitlines() or [""]
        lines.append(marker + item_lines[0])
        lines += [(" " * len(marker) + line) if line else "" for line in item_lines[1:]]
    return "\n".join(lines)


def _table(element: etree._Element) -> str:
    rows: list[list[str]] = []
    header = False
    for row in element.iter():
        if _name(row) != "tr":
            continue
        cells = [cell for cell in row if _name(cell) in ("td", "th")]
        if not rows:
            header = bool(cells) and all(_name(cell) == "th" for cell in cells)
        rows.append(
            [
                _collapse(_inline_content(cell)).replace("\n", " ").replace("|", "\\|")
                for cell in cells
            ]
        )
    if not rows:
        return ""
    width = max(1, *(len(row) for row in rows))
    rows = [row + [""] * (width - len(row)) for row in rows]
    if not header:
        rows.insert(0, [""] * width)
    lines = [
        "| " + " | ".join(rows[0]) + " |",
        "| " + " | ".join(["---"] * width) + " |",
        *("| " + " | ".join(row) + " |" for row in rows[1:]),
    ]
    return "\n".join(lines)


def _inline_content(element: etree._Element) -> str:
    text = _escape_md(element.text or "")
    for child in element:
        text += _inline(child) + _escape_md(child.tail or "")
    return text


def _wrap(mark: str, inner: str) -> str:
    """`inner` between `mark`s, its surrounding spaces outside them."""
    stripped = inner.strip()
    if not stripped:
        return inner
    left = inner[: len(inner) - len(inner.lstrip())]
    right = inner[len(inner.rstrip()) :]
    return f"{left}{mark}{stripped}{mark}{right}"


def _inline(element: etree._Element) -> str:
    name = _name(element)
    if name == "br":
        return _BREAK
    if name in ("b", "strong"):
        return _wrap("**", _inline_content(element))
    if name in ("i", "em", "cite", "dfn", "var"):
        return _wrap("*", _inline_content(element))
    if name in ("code", "tt", "kbd", "samp"):
        code = " ".join("".join(element.itertext()).split())
        if not code:
            return ""
        fence = "`"
        while fence in code:
            fence += "`"
        pad = " " if code.startswith("`") or code.endswith("`") else ""
        return f"{fence}{pad}{code}{pad}{fence}"
    if name == "a":
        href = (element.get("href") or "").strip()
        inner = _inline_content(element)
        return _link(_collapse(inner), href) if href else inner
    if name == "img":
        src = (element.get("src") or "").strip()
        alt = _escape_md(element.get("alt") or "")
        return _link(alt, src) if src else alt
    if name == "object":
        data, alt = _object(element)
        return _link(alt, data) if data else alt
    return _inline_content(element)


def _object(element: etree._Element) -> tuple[str, str]:
    """An `<object>` (ReqIF's embedded images and OLE objects): the best rendition's data
    (an image if there is one) and its fallback text."""
    renditions = [element, *(o for o in element.iter() if _name(o) == "object")]
    images = [o for o in renditions if (o.get("type") or "").startswith("image/")]
    chosen = (images or renditions)[0]
    data = (chosen.get("data") or "").strip()
    alt = _collapse(_escape_md(" ".join("".join(element.itertext()).split())))
    return data, alt or _escape_md(data.rpartition("/")[2])


def _link(text: str, href: str) -> str:
    target = f"<{href}>" if re.search(r"[\s()<>]", href) else href
    return f"[{text or _escape_md(href)}]({target})"


def _collapse(text: str) -> str:
    """Whitespace as XHTML shows it (runs are one space), hard breaks as Markdown's `\\`."""
    text = re.sub(r"[ \t\r\n]+", " ", text)
    text = re.sub(f" ?{_BREAK} ?", _BREAK, text).strip(" ")
    text = text.strip(_BREAK + " ")
    return text.replace(_BREAK, "\\\n")


_MD_SPECIAL = re.compile(r"([\\`*\[\]<>])|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])|&(?=#?\w+;)")


def _escape_md(text: str) -> str:
    """Text that Markdown shows as it is: `*`, `[`, `<`, backticks, backslashes, entities
    and `_` at a word's edge get a backslash."""
    return _MD_SPECIAL.sub(lambda m: "\\" + m.group(0), text)


def _line_starts(text: str) -> str:
    """A paragraph whose lines cannot start a heading, list, quote or rule."""
    lines = []
    for line in text.split("\n"):
        if re.match(r"(#{1,6}(\s|$)|[-+](\s|$)|\d{1,9}[.)](\s|$)|=+\s*$)", line):
            line = (
                "\\" + line if not line[0].isdigit() else re.sub(r"([.)])", r"\\\1", line, count=1)
            )
        lines.append(line)
    return "\n".join(lines)
