"""A requirement's Markdown body as safe HTML: markdown-it-py (CommonMark, GFM tables and task
lists), then nh3 (ammonia) removes whatever could run in a reader's browser."""

# implements: REQ-510

from __future__ import annotations

from functools import cache
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.tasklists import tasklists_plugin

# What a body may keep: nh3's default safe tags plus task-list checkboxes. No script, style,
# iframe, form or event handler survives; URLs keep only these schemes (no javascript:, data:).
_TAGS = frozenset(nh3.ALLOWED_TAGS) | {"input"}
_ATTRIBUTES = {
    **{tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()},
    "input": {"type", "checked", "disabled"},
    "li": {"class"},
    "ul": {"class"},
    "td": {"style"},
    "th": {"style"},
}
_SCHEMES = frozenset({"http", "https", "mailto"})
# GFM tables align cells with `style="text-align:..."`; nothing else in a style survives.
_STYLE_PROPERTIES = frozenset({"text-align"})


@cache  # one parser per process: building it compiles its rules
def _parser() -> MarkdownIt:
    # Raw HTML is parsed (authors write <br> or <details>) because nh3 cleans it afterwards.
    return (
        MarkdownIt("commonmark", {"html": True})
        .enable("table")
        .enable("strikethrough")
        .use(tasklists_plugin)
    )


def _no_remote_source(tag: str, attribute: str, value: str) -> str | None:
    """Drop an image's address outside the site (`https://...`, `//host/...`): the site loads
    nothing from the network, and a remote image would tell its host who reads what."""
    if attribute == "src" and (urlsplit(value).scheme or value.startswith("//")):
        return None
    return value


def render_markdown(text: str) -> str:
    """Markdown -> HTML that cannot run script: no script or style element, no event handler,
    no `javascript:` or `data:` URL, no image loaded from another host, links with
    rel="noopener noreferrer". Pure: the same text gives the same HTML."""
    html = _parser().render(text)
    return nh3.clean(
        html,
        tags=set(_TAGS),
        attributes=_ATTRIBUTES,
        url_schemes=set(_SCHEMES),
        filter_style_properties=set(_STYLE_PROPERTIES),
        attribute_filter=_no_remote_source,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
