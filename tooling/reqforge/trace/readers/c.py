"""C and C++ (and Objective-C) test ids: the enclosing function's name (``test_export``), or
``Suite::Name`` for GoogleTest's ``TEST(Suite, Name)`` (and ``TEST_F``, ``TEST_P``, typed tests).

C test frameworks name their tests after the function, so every function counts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from reqforge.trace.readers import braces
from reqforge.trace.readers.braces import Block

SUFFIXES = (".c", ".h", ".cc", ".cpp", ".cxx", ".hpp", ".hh", ".hxx", ".m", ".mm")

_GTEST = re.compile(r"\b(?:TEST|TEST_F|TEST_P|TYPED_TEST|TYPED_TEST_P)\s*\(\s*(\w+)\s*,\s*(\w+)")
_FUNC = re.compile(
    r"(?<![\w.>])([A-Za-z_]\w*)\s*\((?:[^()]|\([^()]*\))*\)"
    r"\s*(?:const|noexcept|override|final|->\s*[\w:<>*& ]+|\s)*$"
)
_NOT_A_FUNCTION = re.compile(r"\b(?:struct|union|enum|namespace)\b")


def _classify(head: str) -> Block | None:
    """A GoogleTest case or a function definition opened by a "{"; not an initialiser (an
    ``=`` before it), a struct, union, enum or namespace, or a control block."""
    match = _GTEST.search(head)
    if match:
        return ("gtest", f"{match.group(1)}::{match.group(2)}", True)
    if "=" in head.replace("==", "") or _NOT_A_FUNCTION.search(head):
        return None
    match = _FUNC.search(head.strip())
    if match and match.group(1) not in braces.CONTROL_WORDS:
        return ("func", match.group(1), True)
    return None


def _test_id(path: str, blocks: list[Block]) -> str | None:
    """The name of the outermost function (or GoogleTest case) of `blocks`."""
    for kind, name, _is_test in blocks:
        if kind in ("func", "gtest"):
            return name
    return None


# implements: REQ-401
def enclosing_tests(text: str, path: str, offsets: Sequence[int]) -> list[str | None]:
    """The name of the test function enclosing each marker offset (sorted), or None each."""
    return braces.enclosing_tests(text, path, offsets, _classify, _test_id)
