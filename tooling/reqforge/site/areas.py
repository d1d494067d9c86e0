"""Area documents: one printable page per area (`areas/<area>.html`) and their index.

An area is the folder of a requirement below the requirements folder (`Requirement.area`, what
the backlog and the matrix filter on): `billing`, `billing/eu`, or '' for a file at the top.
Its document lists every requirement of the area, numbered by the parent tree inside the area
(1, 1.1, 1.2, 2 ...): a requirement whose parent is in the same area sits under it, the others
are top-level items; siblings go by ID, so the numbers only move when the tree does.

File names come from folder names, which may hold anything a file system allows: `area_files`
keeps letters and digits of every script (a Chinese area keeps its name), turns everything else
into `-`, and settles the names that would meet on a case-insensitive file system (`Billing`
and `billing`, `billing/eu` and `billing-eu`) deterministically. Links percent-encode the name.

Pure, like site/pages.py: contexts from the model loaded once for the build.
"""

# implements: REQ-520

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from reqforge.site.markup import Row
from reqforge.site.pages import link_groups, page_name, public_fields, public_value, shown

if TYPE_CHECKING:
    from reqforge.catalog import Entry
    from reqforge.site.pages import SiteModel

AREAS_DIR = "areas"
INDEX = f"{AREAS_DIR}/index.html"
TOP_LEVEL = "top-level"  # the file name of the area '' (files right in the requirements folder)
_NAME_CHARS = 80  # of a file name before `.html`: far below the 255 bytes of a file system
_UNSAFE = re.compile(r"[^\w.-]+")  # \w is Unicode: letters and digits of every script, and _
_RESERVED = frozenset({"index"})  # areas/index.html is the list of areas


def _base_name(area: str) -> str:
    name = _UNSAFE.sub("-", area).strip("-.")[:_NAME_CHARS].strip("-.")
    return name or TOP_LEVEL


def _digest(area: str, length: int) -> str:
    return hashlib.blake2b(area.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()[
        :length
    ]


def area_files(areas: Iterable[str]) -> dict[str, str]:
    """Each area -> its page relative to the site's top (`areas/billing.html`), unencoded.

    Names that meet when case is ignored (as on macOS and Windows) are settled in sorted
    order: the area whose folder name is the plain name keeps it (a lower-case one first),
    else the first area; the others get a short digest of their folder name
    (`billing-eu-3f2a9c.html`), so the same set of areas always gives the same names."""
    wanted: dict[str, list[str]] = {}
    for area in sorted(set(areas)):
        wanted.setdefault(_base_name(area).casefold(), []).append(area)
    taken = set(_RESERVED) | set(wanted)
    names: dict[str, str] = {}
    for key, group in sorted(wanted.items()):
        # The area whose folder name is the plain name keeps it; else the first in order.
        exact = [a for a in group if _base_name(a) == a]
        keeper: str | None = min(exact, key=lambda a: (a != a.casefold(), a)) if exact else group[0]
        if key in _RESERVED:
            keeper = None
        for area in group:
            name = _base_name(area)
            if area != keeper:
                length = 6
                while f"{name}-{_digest(area, length)}".casefold() in taken:
                    length += 2
                name = f"{name}-{_digest(area, length)}"
                taken.add(name.casefold())
            names[area] = f"{AREAS_DIR}/{name}.html"
    return names


def area_link(file: str) -> str:
    """A page name as an `href`: percent-encoded UTF-8 (`areas/%E8%B4%A2%E5%8A%A1.html`)."""
    return quote(file)


def numbered(entries: Iterable[Entry]) -> list[tuple[str, int, Entry]]:
    """(number, depth, entry) for the requirements of one area in document order: by the
    parent tree inside the area, siblings by ID. A requirement with several parents in the area
    sits under the first of them by ID; a parent cycle inside the area is broken at the
    requirement with the lowest ID; a second file with an ID already seen (a check error) is a
    top-level item of its own: every file is listed once, however deep or tangled the tree."""
    ordered = sorted(entries, key=lambda e: (e.req.id, e.req.path))
    node: dict[str, int] = {}  # ID -> position of its first file
    for index, entry in enumerate(ordered):
        node.setdefault(entry.req.id, index)
    under: dict[int, list[int]] = {}
    roots: list[int] = []
    for index, entry in enumerate(ordered):
        rid = entry.req.id
        parents = sorted(p for p in entry.req.links.get("parent", ()) if p in node and p != rid)
        if parents and node[rid] == index:
            under.setdefault(node[parents[0]], []).append(index)
        else:
            roots.append(index)
    rows: list[tuple[str, int, Entry]] = []
    placed: set[int] = set()
    top = 0
    for start in [*roots, *range(len(ordered))]:  # the roots, then what a cycle kept from them
        if start in placed:
            continue
        top += 1
        # depth first without recursion: a chain of thousands of parents is a valid tree
        stack = [(start, str(top), 0)]
        while stack:
            index, number, depth = stack.pop()
            placed.add(index)
            rows.append((number, depth, ordered[index]))
            children = [c for c in under.get(index, ()) if c not in placed]
            stack += [
                (child, f"{number}.{position}", depth + 1)
                for position, child in reversed(list(enumerate(children, 1)))
            ]
    return rows


def _requirement(model: SiteModel, number: str, depth: int, entry: Entry) -> Row:
    req = entry.req
    private = model.catalog.config.site.private_fields
    outgoing, incoming = link_groups(model, entry)
    acceptance = req.get("acceptance")
    return Row(
        number=number,
        depth=min(depth, 4),  # headings h2..h6
        anchor=f"req-{number.replace('.', '-')}",
        id=req.id,
        title=req.title,
        status=public_value("status", req.status, private),
        page=page_name(req.id),
        # id, title and status head the section: the table holds the other fields
        fields=public_fields(req.data, private, _HEADING),
        body=model.body_html(req.path),
        acceptance=[shown(a) for a in acceptance] if isinstance(acceptance, list) else [],
        links=outgoing + incoming,
    )


_HEADING = frozenset({"id", "title", "status"})


def areas_of(model: SiteModel) -> dict[str, list[Entry]]:
    """The requirements of each area, in the catalogue's order."""
    groups: dict[str, list[Entry]] = {}
    for entry in model.catalog:
        groups.setdefault(entry.req.area, []).append(entry)
    return groups


def areas_index_context(model: SiteModel) -> dict[str, Any]:
    """The list of areas: name, page, number of requirements and the count per status."""
    files = model.area_files
    order = model.catalog.value_order("status")
    rows = []
    for area, entries in sorted(areas_of(model).items()):
        statuses: dict[str, int] = {}
        for entry in entries:
            status = entry.req.status or "—"
            statuses[status] = statuses.get(status, 0) + 1
        ranked = sorted(statuses.items(), key=lambda s: _rank(order, s[0]))
        rows.append(
            {
                "area": area,
                "page": area_link(files[area]),
                "count": len(entries),
                "statuses": ranked,
            }
        )
    return {"areas": rows, "total": len(model.catalog)}


def _rank(order: tuple[str, ...], status: str) -> tuple[int, str]:
    return (order.index(status) if status in order else len(order), status)


def area_document(model: SiteModel, area: str, entries: list[Entry]) -> tuple[str, dict[str, Any]]:
    """(file, context) of one area's document: the area's name, its requirements numbered
    (see `numbered`) with their public fields, rendered body, acceptance criteria, links and
    status, and the table of contents they make."""
    items = [_requirement(model, *row) for row in numbered(entries)]
    return model.area_files[area], {"area": area, "items": items, "count": len(items)}
