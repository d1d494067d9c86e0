"""The benchmark corpus as a Sphinx project with sphinx-needs (https://sphinx-needs.readthedocs.io).

    write(corpus_dir, out_dir)

writes `out_dir/conf.py`, `out_dir/index.rst` (a toctree of the areas) and one
`out_dir/<area>.rst` per area, each requirement a need:

    .. req:: Export the invoice by region for finance clerks
       :id: CRM-00042
       :status: accepted
       :parent: CRM-00007
       :depends_on: BIL-00003

       (the body, converted from Markdown to reStructuredText by reqforge's own converter,
       reqforge.interchange.rst.markdown_to_rst, indented into the directive)

conf.py (written for sphinx-needs 9, which bench/compare.py pins): `extensions =
["sphinx_needs"]`, one need type `req`, `needs_id_regex` accepting our IDs (`CRM-00042`; the
default wants 5 or more of A-Z, 0-9 and _), `needs_id_required`, and a link type per reqforge
link type in `needs_links` (`parent`, incoming "children"; `depends-on` as `depends_on`,
incoming "needed by"), so links keep their type rather than all going into the generic
`:links:`. The status is free text: sphinx-needs 9 deprecates `needs_statuses`.
"""

# implements: REQ-612

from __future__ import annotations

import re
from pathlib import Path

from . import Requirement, by_area, read_corpus

ID_REGEX = r"^[A-Z][A-Z0-9_]*-[0-9]+$"
INCOMING = {"parent": "children", "depends-on": "needed by"}
INDENT = "   "


def link_option(kind: str) -> str:
    """The sphinx-needs option of a reqforge link type: `depends-on` is `depends_on`."""
    return re.sub(r"[^a-z0-9_]+", "_", kind.lower()).strip("_") or "links"


def body_rst(body: str) -> str:
    """The Markdown body as reStructuredText (no blank lines at either end)."""
    from reqforge.interchange.rst import markdown_to_rst

    return markdown_to_rst(body).strip("\n")


def need(req: Requirement) -> str:
    """One `.. req::` directive."""
    title = " ".join(req.title.split())
    lines = [f".. req:: {title}", f"{INDENT}:id: {req.id}"]
    if req.status:
        lines.append(f"{INDENT}:status: {req.status}")
    for kind, targets in req.links.items():
        lines.append(f"{INDENT}:{link_option(kind)}: {', '.join(targets)}")
    text = body_rst(req.body)
    if text:
        lines.append("")
        lines += [INDENT + line if line else "" for line in text.split("\n")]
    return "\n".join(lines) + "\n"


def area_page(area: str, members: list[Requirement]) -> str:
    """One area's .rst page."""
    head = f"{area}\n{'=' * len(area)}\n"
    return "\n".join([head, *[need(req) for req in members]])


def conf_py(kinds: list[str]) -> str:
    """The project's conf.py."""
    links = {
        link_option(kind): {"incoming": INCOMING.get(kind, f"{kind} incoming"), "outgoing": kind}
        for kind in kinds
        if link_option(kind) != "links"
    }
    return (
        '"""Sphinx configuration: the benchmark corpus as sphinx-needs (bench/peers)."""\n\n'
        'project = "Benchmark corpus"\n'
        'extensions = ["sphinx_needs"]\n'
        'exclude_patterns = ["_build"]\n'
        "needs_types = [\n"
        '    {"directive": "req", "title": "Requirement", "prefix": "R_", '
        '"color": "#BFD8D2", "style": "node"},\n'
        "]\n"
        f"needs_id_regex = {ID_REGEX!r}\n"
        "needs_id_required = True\n"
        f"needs_links = {links!r}\n"
    )


# implements: REQ-612
def write(corpus_dir: Path, out_dir: Path) -> list[Path]:
    """Write the Sphinx project into `out_dir`; return the area pages' paths."""
    groups = by_area(read_corpus(Path(corpus_dir)))
    everyone = [r for members in groups.values() for r in members]
    kinds = sorted({kind for r in everyone for kind in r.links})
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "conf.py").write_text(conf_py(kinds), encoding="utf-8")
    toctree = "".join(f"{INDENT}{area}\n" for area in groups)
    (out / "index.rst").write_text(
        "Benchmark corpus\n================\n\n.. toctree::\n   :maxdepth: 1\n\n" + toctree,
        encoding="utf-8",
    )
    pages = []
    for area, members in groups.items():
        path = out / f"{area}.rst"
        path.write_text(area_page(area, members), encoding="utf-8")
        pages.append(path)
    return pages
