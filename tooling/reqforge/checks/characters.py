"""RF108: control, bidi and zero-width characters in the text of a requirement's fields."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from reqforge.checks.context import CheckContext, Issue
from reqforge.fields import KeyPath
from reqforge.i18n import Text
from reqforge.invisible import code_point, hidden_characters
from reqforge.model import Requirement
from reqforge.scalars import key_text

# Line breaks and tabs are text in a block scalar (a description); the rest never are.
_TEXT_LAYOUT = "\n\t"


# implements: REQ-720
def hidden_character_issues(req: Requirement, ctx: CheckContext) -> Iterator[Issue]:
    """RF108 for each text value (at any depth) holding a control character (an escape
    sequence, NUL), a bidi override or isolate, or a zero-width character. A field name with
    one is already an unknown field (RF103)."""
    if _plain(req.data):
        return  # nearly every requirement: one walk without key paths says so
    for path, text in _texts(req.data, ()):
        found = hidden_characters(text, keep=_TEXT_LAYOUT)
        if found:
            where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)
            shown = ", ".join(code_point(char) for char in found[:5])
            yield Issue(
                "RF108",
                path,
                Text(
                    "{field}: characters a reader cannot see ({shown}); "
                    "remove them or write them out",
                    field=where.lstrip("."),
                    shown=shown,
                ),
                on_value=True,
            )


def _plain(data: Any) -> bool:
    """Whether no text value under `data` holds a hidden character (keys aside, as above)."""
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            if not (node.isascii() and node.isprintable()) and hidden_characters(
                node, keep=_TEXT_LAYOUT
            ):
                return False
        elif isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return True


def _texts(node: Any, path: KeyPath) -> Iterator[tuple[KeyPath, str]]:
    """Every string value under `node`, with its key path."""
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            # A key is named as text: an integer key of 4,300 digits cannot be formatted.
            yield from _texts(value, (*path, key_text(key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _texts(value, (*path, index))
