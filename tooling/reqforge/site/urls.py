"""Where a requirement's page lives: its name inside the site and, with an absolute
`site.base_url`, its address on the published site (the site's pages and `reqforge diff`'s
pull-request comment link the same place)."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import quote

# An absolute http(s) address with nothing that could end a Markdown link or an attribute.
_ABSOLUTE = re.compile(r"https?://[^\s<>()\"'`]+\Z")


@lru_cache(maxsize=1 << 16)  # asked for every link of every page
def page_name(rid: str) -> str:
    """The permalink of a requirement's page, relative to the site's top."""
    return f"requirements/{quote(rid, safe='')}.html"


def published_url(base_url: str | None, rid: str) -> str | None:
    """`<base_url>requirements/<ID>.html` when `base_url` is an absolute http(s) address,
    else None (a path such as the default `/` says nothing about the host)."""
    if not base_url or not _ABSOLUTE.match(base_url):
        return None
    return base_url.rstrip("/") + "/" + page_name(rid)
