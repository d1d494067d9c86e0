"""Java, Kotlin, Scala, Groovy and C# test ids: ``FooTest::testBar``, ``Outer::Inner::testBar``.

A test is a method annotated ``@Test`` (or another JUnit 5, TestNG, jqwik or xUnit/NUnit/MSTest
test annotation or attribute) or, in JUnit 3 style, named ``test...``; its id is the enclosing
classes' names and its own, as Surefire reports them. C# shares the shape (classes, attributed
methods), so it is read here too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from reqforge.trace.readers import braces
from reqforge.trace.readers.braces import Block

SUFFIXES = (".java", ".kt", ".kts", ".scala", ".groovy", ".cs")

_CLASS = re.compile(r"\b(?:class|interface|enum|record|object)\s+(\w+)")
_TEST_MARK = re.compile(
    r"@(?:Test|ParameterizedTest|RepeatedTest|TestFactory|TestTemplate|Property|Theory)\b"
    r"|\[\s*(?:Test|Fact|Theory|TestMethod|DataTestMethod|TestCase)\b"
)
_METHOD = re.compile(r"(?:fun\s+`([^`]+)`|(?<![@\w.])(\w+))\s*\((?:[^()]|\([^()]*\))*\)")


def _classify(head: str) -> Block | None:
    """A class (by name) or a method (a test when annotated or named test*) opened by a "{"."""
    match = _CLASS.search(head)
    if match:
        return ("class", match.group(1), False)
    is_test = _TEST_MARK.search(head) is not None
    for match in reversed(list(_METHOD.finditer(head))):
        name = match.group(1) or match.group(2)
        if name in braces.CONTROL_WORDS or re.search(r"\bnew\s+$", head[: match.start()]):
            continue
        if not (
            head[match.end() :].strip() == ""
            or re.match(r"\s*(?:throws\b|:|=)", head[match.end() :])
        ):
            continue
        return ("func", name, is_test or name.startswith("test"))
    return None


def _test_id(path: str, blocks: list[Block]) -> str | None:
    """``Outer::Inner::method`` for the first method of `blocks` when it is a test."""
    names: list[str] = []
    for kind, name, is_test in blocks:
        if kind == "class":
            names.append(name)
        elif kind == "func":
            return "::".join([*names, name]) if is_test else None
    return None


# implements: REQ-401
def enclosing_tests(text: str, path: str, offsets: Sequence[int]) -> list[str | None]:
    """The id of the test method enclosing each marker offset (sorted), or None each."""
    return braces.enclosing_tests(text, path, offsets, _classify, _test_id)
