"""The test enclosing a marker in a test file, by the file's language: the registry of readers.

A marker in a test file is tied to its enclosing test where that can be told from the text, as
the id the test runner reports it under (so `reqforge.trace.junit` can find its result):

* Python: ``tests/test_x.py::test_y``, ``tests/test_x.py::TestA::test_b`` (`readers.python`);
* Java, Kotlin, Scala, Groovy, C#: ``FooTest::testBar``, ``Outer::Inner::testBar``
  (`readers.jvm`);
* Go: ``pkg/x_test.go::TestX``, ``pkg/x_test.go::TestX/sub_case`` (`readers.go`);
* JavaScript/TypeScript: ``src/a.test.ts::CSV::exports rows`` (`readers.javascript`);
* C/C++: ``test_export``, ``Suite::Name`` for GoogleTest (`readers.c`).

Any other file has no test ids. Adding a language is a reader module and one entry in `READERS`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

from reqforge.trace.readers import c, go, javascript, jvm, python

EnclosingTests = Callable[[str, str, Sequence[int]], list[str | None]]

# The readers, each with the file name suffixes (lower case) it reads.
READERS: tuple[tuple[Sequence[str], EnclosingTests], ...] = (
    (python.SUFFIXES, python.enclosing_tests),
    (jvm.SUFFIXES, jvm.enclosing_tests),
    (javascript.SUFFIXES, javascript.enclosing_tests),
    (go.SUFFIXES, go.enclosing_tests),
    (c.SUFFIXES, c.enclosing_tests),
)
_BY_SUFFIX: dict[str, EnclosingTests] = {
    suffix: reader for suffixes, reader in READERS for suffix in suffixes
}


def reader_for(path: str) -> EnclosingTests | None:
    """The reader for the file at `path` (by its suffix, any case), or None for other files."""
    return _BY_SUFFIX.get(os.path.splitext(path)[1].lower())


# implements: REQ-401
def enclosing_tests(text: str, path: str, offsets: Sequence[int]) -> list[str | None]:
    """The id of the test enclosing each offset of `text` (sorted ascending), or None each.

    `path` is the file's POSIX path relative to the root; its suffix picks the reader.
    """
    reader = reader_for(path)
    if reader is None:
        return [None] * len(offsets)
    return reader(text, path, list(offsets))
