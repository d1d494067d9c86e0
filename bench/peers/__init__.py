"""The benchmark corpus written for the tools reqforge is compared with (bench/compare.py).

Each module here has `write(corpus_dir, out_dir)`: it reads a reqforge corpus
(`bench/generate.py`: `reqs/<area>/<ID>.md`, YAML front matter and a Markdown body) and writes
the same requirements for one peer tool, so that every tool sees the same IDs, titles, bodies,
links and statuses:

    doorstop_tree         a Doorstop tree: one document per area, one YAML item per requirement
    strictdoc_docs        StrictDoc: one .sdoc document per area
    sphinx_needs_project  a Sphinx project with sphinx-needs: conf.py, index.rst, one .rst per area

`read_corpus` parses the corpus with PyYAML (libyaml's CSafeLoader when present), in linear
time; `area_order` puts the areas in the order that keeps every cross-area link pointing
backwards (what the Doorstop tree needs, see doorstop_tree).
"""

# implements: REQ-612

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class Requirement:
    """What every peer gets of one requirement."""

    id: str
    area: str  # the folder under reqs/, e.g. "crm"
    title: str
    status: str
    body: str  # Markdown, as in the file (without the front matter)
    links: dict[str, list[str]] = field(default_factory=dict)  # type -> target IDs

    @property
    def prefix(self) -> str:
        """The ID's prefix: `CRM` of `CRM-00042`."""
        return self.id.rsplit("-", 1)[0]

    @property
    def targets(self) -> list[str]:
        """Every link target, each once, in link-type order."""
        seen: dict[str, None] = {}
        for ids in self.links.values():
            for target in ids:
                seen.setdefault(target, None)
        return list(seen)


def split_front_matter(text: str, place: str) -> tuple[str, str]:
    """(front matter, body) of a requirement file: the text between the first line `---` and
    the next `---` line, and everything after that line."""
    if not text.startswith("---\n"):
        raise ValueError(f"{place}: no front matter (the file must start with a '---' line)")
    end = text.find("\n---\n", 3)
    if end < 0:
        if text.endswith("\n---"):
            return text[4 : len(text) - 3], ""
        raise ValueError(f"{place}: front matter is not closed by a '---' line")
    return text[4 : end + 1], text[end + 5 :]


def parse_requirement(text: str, area: str, place: str) -> Requirement:
    """One reqforge requirement file."""
    front, body = split_front_matter(text, place)
    data = yaml.load(front, Loader=_LOADER)
    if not isinstance(data, dict) or not data.get("id") or not data.get("title"):
        raise ValueError(f"{place}: front matter without id and title")
    links: dict[str, list[str]] = {}
    raw = data.get("links") or {}
    if not isinstance(raw, dict):
        raise ValueError(f"{place}: links: expected a mapping of link type to IDs")
    for kind, targets in raw.items():
        ids = [targets] if isinstance(targets, str) else list(targets or [])
        if ids:
            links[str(kind)] = [str(t) for t in ids]
    return Requirement(
        id=str(data["id"]),
        area=area,
        title=str(data["title"]),
        status=str(data.get("status") or ""),
        body=body.rstrip("\n") + details(data),
        links=links,
    )


# The fields a requirement's page shows besides its title, status, body and links, in order.
_DETAILS = (
    ("type", ("type",)),
    ("owner", ("owner",)),
    ("team", ("team",)),
    ("due", ("due",)),
    ("channel", ("source", "channel")),
    ("customers", ("source", "customers")),
    ("MoSCoW", ("priority", "moscow")),
    ("Kano", ("priority", "kano")),
    ("value", ("priority", "value")),
    ("cost", ("priority", "cost")),
    ("ICE", ("priority", "ice")),
    ("RICE", ("priority", "rice")),
    ("WSJF", ("priority", "wsjf")),
    ("verification", ("verification", "method")),
    ("tags", ("tags",)),
)


def details(data: dict[str, Any]) -> str:
    """The rest of what reqforge's page of a requirement shows, as Markdown after its body: a
    table of its fields (owner, source, priority inputs, verification, tags) and its
    acceptance criteria, so that every tool renders the same content."""
    rows = []
    for label, path in _DETAILS:
        value: Any = data
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if value in (None, "", [], {}):
            continue
        if isinstance(value, dict):
            value = ", ".join(f"{k} {v}" for k, v in value.items())
        elif isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        rows.append(f"| {label} | {str(value).replace('|', '/')} |")
    out = ""
    if rows:
        out += "\n\n## Details\n\n| field | value |\n|---|---|\n" + "\n".join(rows)
    criteria = [str(c) for c in data.get("acceptance") or [] if str(c).strip()]
    if criteria:
        out += "\n\n## Acceptance criteria\n\n" + "\n".join(
            f"- {' '.join(c.split())}" for c in criteria
        )
    return out + "\n"


# implements: REQ-612
def read_corpus(corpus_dir: Path) -> list[Requirement]:
    """Every requirement of `corpus_dir/reqs/<area>/*.md`, sorted by area folder and ID."""
    reqs_dir = Path(corpus_dir) / "reqs"
    out: list[Requirement] = []
    for path in sorted(reqs_dir.glob("*/*.md")):
        area = path.parent.name
        out.append(parse_requirement(path.read_text(encoding="utf-8"), area, str(path)))
    if not out:
        raise ValueError(f"no requirements under {reqs_dir}")
    ids = [r.id for r in out]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{reqs_dir}: duplicate requirement IDs")
    return out


def by_area(reqs: list[Requirement]) -> dict[str, list[Requirement]]:
    """The requirements of each area folder, in ID order, areas as in `area_order`."""
    groups: dict[str, list[Requirement]] = {}
    for req in reqs:
        groups.setdefault(req.area, []).append(req)
    for members in groups.values():
        members.sort(key=lambda r: r.id)
    return {area: groups[area] for area in area_order(reqs)}


def area_order(reqs: list[Requirement]) -> list[str]:
    """The area folders in an order where every cross-area link points to an earlier area.

    A topological order of the graph "area A links to area B" (B before A), ties broken by
    the area's name. Raises ValueError if the cross-area links form a cycle: then no chain of
    documents keeps every link pointing upwards.
    """
    area_of = {r.id: r.area for r in reqs}
    areas = sorted({r.area for r in reqs})
    needs: dict[str, set[str]] = {a: set() for a in areas}  # area -> areas it links to
    for req in reqs:
        for target in req.targets:
            other = area_of.get(target)
            if other is not None and other != req.area:
                needs[req.area].add(other)
    waiting = {a: len(n) for a, n in needs.items()}
    users: dict[str, list[str]] = {a: [] for a in areas}
    for area, targets in needs.items():
        for target in targets:
            users[target].append(area)
    ready = [a for a in areas if waiting[a] == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        area = heapq.heappop(ready)
        order.append(area)
        for user in users[area]:
            waiting[user] -= 1
            if waiting[user] == 0:
                heapq.heappush(ready, user)
    if len(order) != len(areas):
        stuck = sorted(a for a in areas if a not in order)
        raise ValueError(f"cross-area links form a cycle between areas {', '.join(stuck)}")
    return order
