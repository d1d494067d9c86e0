"""Python test ids as pytest and unittest report them: ``tests/test_x.py::test_y``,
``tests/test_x.py::TestA::test_b``.

The test is the outermost ``def test...`` that only classes enclose; a marker on a decorator, on
the ``def`` line or in a comment block directly above the ``def`` belongs to that test.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence

SUFFIXES = (".py", ".pyi", ".pyw")

# Python: comments, strings (a prefix needs no special care), brackets, newlines.
_TOKENS = re.compile(
    r"""(?P<c>\#[^\n]*)
    |(?P<s>'''(?:\\.|[^\\])*?'''|\"\"\"(?:\\.|[^\\])*?\"\"\"|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*")
    |(?P<o>[(\[{])|(?P<x>[)\]}])|(?P<bs>\\\r?\n)|(?P<nl>\n)""",
    re.VERBOSE | re.DOTALL,
)
_HEAD = re.compile(r"[ \t]*(?:(?:async[ \t]+)?def[ \t]+(\w+)|class[ \t]+(\w+)|(@))")


# implements: REQ-401
def enclosing_tests(text: str, path: str, offsets: Sequence[int]) -> list[str | None]:
    """The pytest/unittest id of the test enclosing each marker offset (sorted), or None."""
    # Logical lines: [start, end) spans split at newlines outside brackets and strings, up to
    # the first line of code after the last marker (which settles a marker in a comment above a
    # def or its decorators); the rest of the file cannot change any answer.
    starts = [0]
    depth = 0
    last_offset = offsets[-1] if offsets else -1
    for tok in _TOKENS.finditer(text):
        kind = tok.lastgroup
        if kind == "o":
            depth += 1
        elif kind == "x":
            depth = max(0, depth - 1)
        elif kind == "nl" and depth == 0:
            starts.append(tok.end())
            if starts[-2] > last_offset:
                line = text[starts[-2] : starts[-1]].lstrip(" \t")
                if line[:1] not in ("#", "@", "\n", "\r", ""):
                    break
    ends = [*starts[1:], len(text) + 1]
    by_span: dict[int, list[int]] = {}
    for index, offset in enumerate(offsets):
        by_span.setdefault(bisect.bisect_right(starts, offset) - 1, []).append(index)

    result: list[str | None] = [None] * len(offsets)
    stack: list[tuple[int, str, str]] = []  # (indent, "def" | "class", name)
    pending: list[tuple[int, int, tuple[tuple[int, str, str], ...]]] = []  # (marker, indent, chain)
    for span in range(len(starts)):
        line = text[starts[span] : min(ends[span], len(text))]
        stripped = line.strip()
        markers = by_span.get(span, ())
        if not stripped:
            for marker, _indent, chain in pending:
                result[marker] = _test_id(path, chain)
            pending = []
            continue
        indent = len(line) - len(line.lstrip(" \t"))
        if stripped.startswith("#"):
            chain = tuple(e for e in stack if e[0] < indent)
            pending.extend((m, indent, chain) for m in markers)
            continue
        while stack and stack[-1][0] >= indent:
            stack.pop()
        head = _HEAD.match(line)
        if head and head.group(3):  # a decorator: it belongs to what follows
            pending.extend((m, indent, tuple(stack)) for m in markers)
            continue
        entry = None
        if head:
            entry = (
                (indent, "def", head.group(1))
                if head.group(1)
                else (indent, "class", head.group(2))
            )
        here = (*stack, entry) if entry else tuple(stack)
        for marker, pending_indent, chain in pending:
            result[marker] = _test_id(path, here if entry and pending_indent == indent else chain)
        pending = []
        for marker in markers:
            result[marker] = _test_id(path, here)
        if entry:
            stack.append(entry)
    for marker, _indent, chain in pending:
        result[marker] = _test_id(path, chain)
    return result


def _test_id(path: str, chain: Iterable[tuple[int, str, str]]) -> str | None:
    """``path::Class::test`` for the first def of `chain` (only classes around it) named test*."""
    classes: list[str] = []
    for _indent, kind, name in chain:
        if kind == "class":
            classes.append(name)
            continue
        return "::".join([path, *classes, name]) if name.startswith("test") else None
    return None
