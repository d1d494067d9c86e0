"""`fmt`: a requirement file's front matter in canonical key order and style, every value,
comment and unknown field kept as written.

The canonical order is the order of the field rules (`fields.field_schema`: id, title, type,
status, owner, team, due, source, priority, links, ... then the custom fields as configured),
at the top level and inside the known mappings (`source`, `priority` and its methods,
`verification`, `analysis`, `feedback`); fields it does not know follow the known ones in
their own order. A field moves with the comment lines right above it and every line below it
(its nested fields, list items, a value over several lines). The style: no trailing blanks
(outside block scalars, whose blanks are content), one line ending throughout, as the file's
first line has it.

The work is done on lines, not through a YAML library's dump, so comments, quoting, flow and
block styles stay exactly as written, and a formatted file is recognised without parsing its
YAML (10,000 files checked in well under a second). Before a file is rewritten, its formatted
front matter is parsed and must hold the same data as the original; otherwise the file is left
alone and reported. Formatting twice gives what formatting once gave.
"""

# implements: REQ-704

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from reqforge.config import Config
from reqforge.fields import Spec, field_schema
from reqforge.i18n import Text

_KEY = re.compile(r"^([^\s#'\"\-?:,\[\]{}&*!|>%@`][^:#]*?|\"[^\"]*\"|'[^']*'):(?:[ \t]|$)")
_BLOCK_SCALAR = re.compile(r":[ \t]*[|>][0-9+-]*[ \t]*(?:#.*)?$")


@dataclass(frozen=True)
class Formatted:
    """A file's text formatted (`text`), whether that differs from what it was, and why it
    was left alone (`problem`, with `text` then the original)."""

    text: str
    changed: bool
    problem: str | None = None


def canonical_orders(config: Config) -> dict[tuple[str, ...], tuple[str, ...]]:
    """Key order by the path of the mapping: () for the top level, ("priority",), ..."""
    orders: dict[tuple[str, ...], tuple[str, ...]] = {}

    def walk(spec: Spec, path: tuple[str, ...]) -> None:
        if spec.kind != "mapping":
            return
        orders[path] = tuple(spec.children)
        for name, child in spec.children.items():
            walk(child, (*path, name))

    walk(field_schema(config), ())
    # The priority inputs as SPEC section 2 writes them; any other method's after them.
    spec_order = ("moscow", "kano", "importance", "urgency", "value", "cost", "ice", "rice", "fmea")
    known = orders.get(("priority",), ())
    orders[("priority",)] = (
        *(name for name in spec_order if name in known),
        *(name for name in known if name not in spec_order),
    )
    return orders


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _key_of(line: str, indent: int) -> str | None:
    """The key a line at exactly `indent` opens, or None (a comment, a list item, a blank)."""
    if _indent(line) != indent:
        return None
    match = _KEY.match(line[indent:])
    if match is None:
        return None
    key = match.group(1).strip()
    return key[1:-1] if key[:1] in "'\"" else key


def _reorder(
    lines: list[str],
    indent: int,
    path: tuple[str, ...],
    orders: Mapping[tuple[str, ...], tuple[str, ...]],
) -> list[str]:
    """The lines of one block mapping at `indent`, its keys in canonical order (recursively
    inside the known mappings below it). Lines before the first key stay first."""
    entries: list[tuple[str, list[str]]] = []
    pending: list[str] = []  # comments and blanks: they go with the key below them
    lead: list[str] = []
    for line in lines:
        key = _key_of(line, indent)
        if key is not None:
            entries.append((key, [*pending, line]))
            pending = []
        elif not line.strip() or (line.lstrip().startswith("#") and _indent(line) <= indent):
            pending.append(line)
        elif entries:
            entries[-1][1].extend(pending)
            entries[-1][1].append(line)
            pending = []
        else:
            lead.extend(pending)
            lead.append(line)
            pending = []
    order = orders.get(path, ())
    rank = {name: position for position, name in enumerate(order)}
    known = sorted((e for e in entries if e[0] in rank), key=lambda e: rank[e[0]])
    unknown = [e for e in entries if e[0] not in rank]
    result = list(lead)
    for key, block in [*known, *unknown]:
        child = (*path, key)
        if child in orders and len(block) > 1:
            first = next(i for i, line in enumerate(block) if _key_of(line, indent) == key)
            body = block[first + 1 :]
            content = [line for line in body if line.strip() and not line.lstrip().startswith("#")]
            inner = min((_indent(line) for line in content), default=indent)
            if inner > indent and all(_indent(line) >= inner for line in content):
                block = [*block[: first + 1], *_reorder(body, inner, child, orders)]
        result.extend(block)
    return result + pending


def _restyled(lines: list[str]) -> list[str]:
    """Trailing blanks removed, except inside block scalars (their lines are content)."""
    out = []
    block_indent: int | None = None
    for line in lines:
        if block_indent is not None:
            if not line.strip() or _indent(line) > block_indent:
                out.append(line)
                continue
            block_indent = None
        stripped = line.rstrip(" \t")
        out.append(stripped)
        if _BLOCK_SCALAR.search(stripped):
            block_indent = _indent(stripped)
    return out


def format_text(text: str, orders: Mapping[tuple[str, ...], tuple[str, ...]]) -> Formatted:
    """`text` (a requirement file) with its front matter formatted; the body as it was."""
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    body_start = len(bom)
    first_end = text.find("\n", body_start)
    if first_end == -1 or text[body_start:first_end].rstrip(" \t\r") != "---":
        return Formatted(
            text, False, Text("no front matter: the file must start with a '---' line")
        )
    newline = "\r\n" if text[first_end - 1 : first_end] == "\r" else "\n"
    rest = text[first_end + 1 :]
    lines = rest.split("\n")
    close = next(
        (i for i, line in enumerate(lines) if line.rstrip(" \t\r") in ("---", "...")), None
    )
    if close is None:
        return Formatted(
            text, False, Text("front matter is not closed: expected a '---' line after the fields")
        )
    front = [line.removesuffix("\r") for line in lines[:close]]
    formatted = _restyled(_reorder(front, 0, (), orders))
    new = bom + "---" + newline + "".join(line + newline for line in formatted)
    new += "\n".join(lines[close:])
    if new == text:
        return Formatted(text, False)
    if not _same_data(text, new):
        return Formatted(
            text, False, Text("formatting would change what the front matter says: left as it is")
        )
    return Formatted(new, True)


def _same_data(old: str, new: str) -> bool:
    """Whether two texts of a file hold the same front-matter data and the same body."""
    from reqforge.loader import decode, parse_front_matter, split_front_matter

    def parts(text: str) -> tuple[object, object] | None:
        decoded = decode(text.encode("utf-8", "surrogatepass"))
        split = split_front_matter(decoded) if isinstance(decoded, str) else None
        if not isinstance(split, tuple):
            return None
        return parse_front_matter(split[0]), split[2]

    before = parts(old)
    return before is not None and isinstance(before[0], dict) and before == parts(new)
