"""JavaScript and TypeScript test ids (Jest, Mocha, Vitest): ``src/a.test.ts::CSV::exports rows``.

A test is an ``it``/``test``/``specify`` call (``.only``, ``.each(table)`` and the like
included); the titles of the enclosing ``describe``/``context``/``suite`` blocks come between
the path and the test's own title.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from reqforge.trace.readers import braces
from reqforge.trace.readers.braces import Block

SUFFIXES = (".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs", ".mts", ".cts")

_TEST = re.compile(
    r"""\b(describe|context|suite|it|test|specify)(?:\.\w+)*\s*
    (?:\((?:[^()]|\([^()]*\))*\)\s*)?   # .each(table)
    \(\s*(?:"((?:\\.|[^"\\])*)"|'((?:\\.|[^'\\])*)'|`((?:\\.|[^`\\])*)`)""",
    re.VERBOSE,
)
_GROUPS = ("describe", "context", "suite")


def _classify(head: str) -> Block | None:
    """A group or a test (by its title) whose callback a "{" opens: the last call in `head`."""
    found = list(_TEST.finditer(head))
    if not found:
        return None
    match = found[-1]
    title = next(g for g in match.groups()[1:] if g is not None)
    return ("group" if match.group(1) in _GROUPS else "test", title, True)


def _test_id(path: str, blocks: list[Block]) -> str | None:
    """``path::group::...::test`` for the first test of `blocks`."""
    names: list[str] = []
    for kind, name, _is_test in blocks:
        if kind == "group":
            names.append(name)
        elif kind == "test":
            return "::".join([path, *names, name])
    return None


# implements: REQ-401
def enclosing_tests(text: str, path: str, offsets: Sequence[int]) -> list[str | None]:
    """The id of the test enclosing each marker offset (sorted), or None each."""
    return braces.enclosing_tests(text, path, offsets, _classify, _test_id)
