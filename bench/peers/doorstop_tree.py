"""The benchmark corpus as a Doorstop tree (https://github.com/doorstop-dev/doorstop).

    write(corpus_dir, out_dir)

writes `out_dir/reqs/<area>/.doorstop.yml` and one item file `<ID>.yml` per requirement, the
way Doorstop 3 saves them (keys sorted, `text` and `header` as literal blocks), so that its
validation, which re-saves every item (`REFORMAT`), leaves the files as they are:

    active: true              every requirement (a rejected one keeps `status: rejected`)
    derived: true|false       true when the requirement has no link (a top-level requirement:
                              Doorstop's "not traced to the parent document on purpose")
    header: the title
    level: 1, 2, 3, ...       the requirement's place in its area, in ID order
    links: [{UID: stamp}]     every link target (parent and depends-on alike: Doorstop links
                              have no type), with the target's fingerprint
    normative: true
    ref: ''
    reviewed: stamp           the item's own fingerprint: the tree is reviewed, no link suspect
    status: accepted          a custom attribute, published (`attributes: publish` in the
                              document's settings)
    text: the Markdown body

Settings: `prefix` the area's ID prefix (`CRM`), `sep: '-'`, `digits` the width of the numbers
(5), and `parent` the previous document in the chain below.

The document tree. Doorstop links point from an item to items of its document's parent
document. Our links cross areas: `parent` links stay within an area, `depends-on` links point to
any earlier requirement (bench/generate.py draws them from the requirements generated before,
area by area). So the documents form a chain in the order of `peers.area_order` (the areas
that others link to first): CRM is the root, BIL's parent is CRM, EXP's parent BIL, and so on.
Every link then points to the same document or to an ancestor document: upwards, as Doorstop
means a link, never sideways or down. Doorstop reports a link into the item's own document or
a grand-parent as "info" only (not shown by default); what it does report as warnings is an
item that no item of the child document links to ("no links from child document"), which most
items are in any tree not written for Doorstop.

Doorstop finds its tree from the root of a version-control working copy: `out_dir` must be
inside a git repository (bench/compare.py makes it one).
"""

# implements: REQ-612

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

import yaml

from . import Requirement, by_area, read_corpus

SETTINGS = ".doorstop.yml"


class _Literal(str):
    """Text dumped as a YAML literal block (`|`), as Doorstop dumps `text` and `header`."""


def _literal(dumper: yaml.Dumper, data: _Literal) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(data), style="|" if data else "")


_BASE: Any = getattr(yaml, "CDumper", yaml.Dumper)


class _Dumper(_BASE):  # type: ignore[misc, valid-type]
    """PyYAML's dumper with the literal-block strings (the C emitter when present)."""


_Dumper.add_representer(_Literal, _literal)


def doorstop_text(value: str) -> str:
    """The text as Doorstop keeps it (`Text.load_text`): no blank lines at either end, no
    trailing space on any line."""
    lines = value.strip("\n").split("\n")
    return "\n".join(line.rstrip() for line in lines)


def stamp(uid: str, text: str, ref: str = "", links: list[str] | None = None) -> str:
    """Doorstop's fingerprint of an item (`Item.stamp()`, `Stamp.digest`): SHA-256 of its UID,
    text and ref, URL-safe base64. A link records its target's fingerprint; the item's own
    `reviewed` (`Item.stamp(links=True)`) also covers the UIDs it links to, sorted."""
    digest = hashlib.sha256()
    for value in (uid, text, ref, *sorted(links or [])):
        digest.update(value.encode("utf-8"))
    return base64.urlsafe_b64encode(digest.digest()).decode("ascii")


def item_yaml(req: Requirement, level: int, stamps: dict[str, str]) -> str:
    """One item file's text."""
    text = doorstop_text(req.body)
    header = doorstop_text(req.title)
    data = {
        "active": True,
        "derived": not req.targets,
        "header": _Literal(header + "\n") if header else "",
        "level": level,
        "links": [{uid: stamps[uid]} for uid in sorted(req.targets)],
        "normative": True,
        "ref": "",
        "reviewed": stamp(req.id, text, "", req.targets),
        "status": req.status,
        "text": _Literal(text + "\n") if text else "",
    }
    return yaml.dump(data, Dumper=_Dumper, default_flow_style=False, allow_unicode=True)


def settings_yaml(prefix: str, digits: int, parent: str | None) -> str:
    """A document's `.doorstop.yml`."""
    settings: dict[str, Any] = {"digits": digits, "prefix": prefix, "sep": "-"}
    if parent:
        settings["parent"] = parent
    data = {"settings": settings, "attributes": {"publish": ["status"]}}
    return yaml.dump(data, Dumper=_Dumper, default_flow_style=False, allow_unicode=True)


# implements: REQ-612
def write(corpus_dir: Path, out_dir: Path) -> list[str]:
    """Write the Doorstop tree of the corpus under `out_dir/reqs/`; return the documents'
    prefixes, root first."""
    groups = by_area(read_corpus(Path(corpus_dir)))
    known = {r.id for members in groups.values() for r in members}
    stamps: dict[str, str] = {}
    for members in groups.values():
        for req in members:
            missing = [t for t in req.targets if t not in known]
            if missing:
                raise ValueError(f"{req.id}: links to unknown {', '.join(missing)}")
            stamps[req.id] = stamp(req.id, doorstop_text(req.body))
    prefixes: list[str] = []
    for area, members in groups.items():
        prefix_set = {r.prefix for r in members}
        if len(prefix_set) != 1:
            raise ValueError(f"area {area}: one ID prefix per Doorstop document, got {prefix_set}")
        prefix = prefix_set.pop()
        digit_set = {len(r.id.rsplit("-", 1)[1]) for r in members}
        if len(digit_set) != 1:
            raise ValueError(f"area {area}: IDs of different widths")
        folder = Path(out_dir) / "reqs" / area
        folder.mkdir(parents=True, exist_ok=True)
        parent = prefixes[-1] if prefixes else None
        (folder / SETTINGS).write_text(
            settings_yaml(prefix, digit_set.pop(), parent), encoding="utf-8"
        )
        for level, req in enumerate(members, start=1):
            (folder / f"{req.id}.yml").write_text(item_yaml(req, level, stamps), encoding="utf-8")
        prefixes.append(prefix)
    return prefixes
