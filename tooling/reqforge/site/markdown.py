"""A requirement's Markdown body as safe HTML: markdown-it-py (CommonMark, GFM tables and task
lists), then nh3 (ammonia) removes whatever could run in a reader's browser.

Rendering is a tenth of a build's work, so the HTML of each body is kept in the `markdown` cache
(reqforge/cache.py: sealed, keyed on reqforge's code and the two libraries' versions) by the
digest of the body: a build renders only the bodies no earlier build of this clone rendered.
"""

# implements: REQ-510

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache
from importlib.metadata import version
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import nh3

from reqforge.cache import content_digest, dict_of
from reqforge.parallel import parallel_map

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

    from reqforge.cache import CacheStore

MARKDOWN_CACHE = "markdown"
_CACHE_SHAPE = dict_of(bytes, str)  # body digest -> rendered and sanitised HTML

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
_SOURCE = re.compile("src", re.IGNORECASE)  # any attribute that loads an address holds it
# GFM tables align cells with `style="text-align:..."`; nothing else in a style survives.
_STYLE_PROPERTIES = frozenset({"text-align"})


@cache  # one parser per process: building it compiles its rules
def _parser() -> MarkdownIt:
    # Imported here: a build whose bodies all come from the cache never needs the parser.
    from markdown_it import MarkdownIt
    from mdit_py_plugins.tasklists import tasklists_plugin

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
    # The address filter is a call into Python for every attribute of a body: only a body
    # with an address ("src") is cleaned with it.
    return _cleaner(bool(_SOURCE.search(html))).clean(html)


@cache  # one cleaner of each kind per process: building one is most of a body's cleaning
def _cleaner(filtered: bool) -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(_TAGS),
        attributes=_ATTRIBUTES,
        url_schemes=set(_SCHEMES),
        filter_style_properties=set(_STYLE_PROPERTIES),
        attribute_filter=_no_remote_source if filtered else None,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def _renderer_key() -> str:
    """What the HTML depends on besides the text and reqforge's code (which every cache key
    holds already): the versions of the parser, its plugins and the sanitiser."""
    return ",".join(
        f"{name} {version(name)}" for name in ("markdown-it-py", "mdit-py-plugins", "nh3")
    )


def _render_chunk(bodies: Sequence[str]) -> list[str]:
    return [render_markdown(body) for body in bodies]


# implements: REQ-510
# implements: REQ-603
def rendered_bodies(
    bodies: Mapping[str, str], store: CacheStore | None, every: bool = True
) -> dict[str, str]:
    """`render_markdown` of every body, by the same keys: from the cache where an earlier
    build rendered the same text, the others rendered on every core (`parallel_map`) and
    stored for the next build. When `bodies` are `every` body of the build, the cache keeps
    those only; when they are some (the pages a small rebuild writes), it keeps what it held
    too, until the next build that renders every body."""
    digests = {
        key: content_digest(body.encode("utf-8", "surrogatepass")) for key, body in bodies.items()
    }
    cache_key = _renderer_key()
    known: dict[bytes, str] = (
        store.read(MARKDOWN_CACHE, cache_key, _CACHE_SHAPE) if store else None
    ) or {}
    missing = {digest: key for key, digest in digests.items() if digest not in known}
    if missing:
        order = sorted(missing)
        html = parallel_map(_render_chunk, [bodies[missing[digest]] for digest in order])
        known.update(zip(order, html, strict=True))
        if store is not None:
            kept = sorted(set(digests.values())) if every else sorted(known)
            store.write(MARKDOWN_CACHE, cache_key, {d: known[d] for d in kept})
    return {key: known[digest] for key, digest in digests.items()}
