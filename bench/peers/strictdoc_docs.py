"""The benchmark corpus as StrictDoc documents (https://github.com/strictdoc-project/strictdoc).

    write(corpus_dir, out_dir)

writes one `out_dir/docs/<area>.sdoc` per area (no config file: StrictDoc's defaults). For the
SDoc grammar of StrictDoc 0.30 (bench/compare.py pins the version it checked); each document:

    [DOCUMENT]
    TITLE: crm

    [GRAMMAR]            REQUIREMENT: UID, STATUS, TITLE, STATEMENT; relations Parent and
    ELEMENTS: ...        Parent with ROLE DependsOn (a role must be declared in the grammar)

    [REQUIREMENT]
    UID: CRM-00042
    STATUS: accepted
    TITLE: Export the invoice by region for finance clerks
    STATEMENT: >>>
    (the body, converted from Markdown to reStructuredText, StrictDoc's default markup, by
    reqforge's own converter: reqforge.interchange.rst.markdown_to_rst)
    <<<
    RELATIONS:
    - TYPE: Parent
      VALUE: CRM-00007
    - TYPE: Parent
      VALUE: BIL-00003
      ROLE: DependsOn

A reqforge `parent` link is a Parent relation, a `depends-on` link a Parent relation with the
role DependsOn; any other link type a Parent relation with its name as the role (declared in
the grammar too). StrictDoc resolves relations across documents, so every link stays as it is.

StrictDoc 0.30 keeps its cache in the output folder (`OUT/_cache/<version>`) unless a config
file says otherwise; versions before it kept it under `$TMPDIR/strictdoc_cache`.
bench/compare.py clears both for a cold run.
"""

# implements: REQ-612

from __future__ import annotations

import re
from pathlib import Path

from . import Requirement, by_area, read_corpus

ROLES = {"parent": None, "depends-on": "DependsOn"}
# A line that would end a multi-line field, or start a StrictDoc link or anchor, in a STATEMENT
_SDOC_LINE = re.compile(r"^(<<<|\[LINK: |\[ANCHOR: )", re.M)


def role(kind: str) -> str | None:
    """The relation role of a reqforge link type (None: a plain Parent relation)."""
    if kind in ROLES:
        return ROLES[kind]
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", kind) if part)


def statement(body: str) -> str:
    """The Markdown body as reStructuredText for a `>>>` ... `<<<` field."""
    from reqforge.interchange.rst import markdown_to_rst

    rst = markdown_to_rst(body).strip("\n")
    # A backslash keeps such a line text, in RST and in SDoc alike.
    return _SDOC_LINE.sub(lambda m: "\\" + m.group(1), rst)


def single_line(value: str) -> str:
    """A value for a one-line field: one line, no surrounding space."""
    return " ".join(value.split())


def grammar(roles: list[str]) -> str:
    """The document's [GRAMMAR] block."""
    lines = ["[GRAMMAR]", "ELEMENTS:", "- TAG: REQUIREMENT", "  FIELDS:"]
    for name, required in (("UID", True), ("STATUS", False), ("TITLE", True)):
        lines += [f"  - TITLE: {name}", "    TYPE: String", f"    REQUIRED: {required}"]
    lines += ["  - TITLE: STATEMENT", "    TYPE: String", "    REQUIRED: False"]
    lines += ["  RELATIONS:", "  - TYPE: Parent"]
    for name in roles:
        lines += ["  - TYPE: Parent", f"    ROLE: {name}"]
    return "\n".join(lines) + "\n"


def requirement(req: Requirement) -> str:
    """One [REQUIREMENT] block."""
    lines = ["[REQUIREMENT]", f"UID: {req.id}"]
    if req.status:
        lines.append(f"STATUS: {single_line(req.status)}")
    lines.append(f"TITLE: {single_line(req.title)}")
    text = statement(req.body)
    if text.strip():
        lines += ["STATEMENT: >>>", text, "<<<"]
    relations = []
    for kind, targets in req.links.items():
        name = role(kind)
        for target in targets:
            relations += ["- TYPE: Parent", f"  VALUE: {target}"]
            if name:
                relations.append(f"  ROLE: {name}")
    if relations:
        lines += ["RELATIONS:", *relations]
    return "\n".join(lines) + "\n"


def document(area: str, members: list[Requirement], roles: list[str]) -> str:
    """One area's .sdoc text."""
    parts = [f"[DOCUMENT]\nTITLE: {area}\n\n{grammar(roles)}"]
    parts += [requirement(req) for req in members]
    return "\n".join(parts)


# implements: REQ-612
def write(corpus_dir: Path, out_dir: Path) -> list[Path]:
    """Write `out_dir/docs/<area>.sdoc` for every area; return the documents' paths."""
    groups = by_area(read_corpus(Path(corpus_dir)))
    kinds = sorted({kind for members in groups.values() for r in members for kind in r.links})
    roles = [name for name in (role(kind) for kind in kinds) if name]
    out = Path(out_dir)
    docs = out / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    paths = []
    for area, members in groups.items():
        path = docs / f"{area}.sdoc"
        path.write_text(document(area, members, roles), encoding="utf-8")
        paths.append(path)
    return paths
