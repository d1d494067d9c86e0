"""Go test ids: ``pkg/x_test.go::TestX``, ``pkg/x_test.go::TestX/sub_case``.

A test is a function named ``Test``, ``Benchmark``, ``Fuzz`` or ``Example`` not followed by a
lower-case letter (what `go test` runs); ``t.Run("sub case", ...)`` inside it adds a subtest, its
spaces read as ``_`` the way `go test` names it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from reqforge.trace.readers import braces
from reqforge.trace.readers.braces import Block

SUFFIXES = (".go",)

_FUNC = re.compile(r"\bfunc\s+(?:\([^)]*\)\s*)?(\w+)\s*(?:\[[^\]]*\])?\(")
_RUN = re.compile(r"\b\w+\.Run\(\s*(?:\"((?:\\.|[^\"\\])*)\"|`([^`]*)`)")
_TEST_NAME = re.compile(r"(?:Test|Benchmark|Fuzz|Example)(?![a-z])")


def _classify(head: str) -> Block | None:
    """A function (a test by its name) or a ``t.Run`` subtest opened by a "{"."""
    match = _FUNC.search(head)
    if match:
        name = match.group(1)
        return ("func", name, _TEST_NAME.match(name) is not None)
    match = _RUN.search(head)
    if match:
        return ("sub", (match.group(1) or match.group(2) or "").replace(" ", "_"), True)
    return None


def _test_id(path: str, blocks: list[Block]) -> str | None:
    """``path::TestX/sub/subsub`` for the first function of `blocks` when it is a test."""
    for position, (kind, name, is_test) in enumerate(blocks):
        if kind == "func":
            if not is_test:
                return None
            subs = [n for k, n, _ in blocks[position + 1 :] if k == "sub"]
            return f"{path}::" + "/".join([name, *subs])
    return None


# implements: REQ-401
def enclosing_tests(text: str, path: str, offsets: Sequence[int]) -> list[str | None]:
    """The id of the test (or subtest) enclosing each marker offset (sorted), or None each."""
    return braces.enclosing_tests(text, path, offsets, _classify, _test_id)
