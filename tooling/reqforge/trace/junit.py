"""Test results from JUnit XML files, and matching them to the tests that carry markers.

`read_results(root, patterns)` reads every file matched by the glob `patterns` (relative to
`root`, e.g. ``"reports/*.xml"``, ``"**/TEST-*.xml"``) and returns one `TestResult` per
``<testcase>``, plus a `ResultProblem` for every file that could not be read safely. Files come
in sorted order of their repository-relative path (each file once, even if several patterns
match it), test cases in document order, so the output is deterministic. Nothing here raises
for bad input.

Safety. Result files are untrusted (any CI job can write them), so they are parsed only with
`defusedxml` and these are refused, never parsed: any document type declaration (DTD), and so
entity declarations ("billion laughs" entity expansion) and external entities
(``<!ENTITY x SYSTEM "file:///etc/passwd">``) as well; files over 50 MiB; symlinks that lead
outside `root`. Malformed XML (also empty and binary files) is a problem naming the line where
the parser stopped. A well-formed file whose root is neither ``<testsuites>`` nor
``<testsuite>`` is a problem too ("not JUnit XML").

Formats. Both a ``<testsuites>`` and a bare ``<testsuite>`` root, nested suites, namespaced
tags. A ``<testcase>`` with a ``<failure>`` or ``<error>`` child is ``failed``, else with a
``<skipped>`` child ``skipped``, else ``passed`` (Surefire's ``<flakyFailure>``/``<flakyError>``
mean it passed on a rerun). ``classname`` falls back to the enclosing suite's ``name``; ``file``
to the enclosing suite's ``file`` and is normalised to a ``/``-separated path, relative to
`root` when it is an absolute path inside it. This covers pytest's junitxml (``classname=
"tests.test_x.TestA" name="test_b[1]"``, ``file`` only with ``junit_family=xunit1``), Maven
Surefire (``classname="com.acme.FooTest" name="testBar"``), go-junit-report (``classname`` =
package import path, ``name="TestX"`` or ``"TestX/subtest"``), jest-junit (``classname`` and
``name`` = ``"describe title test title"``, optional ``file``) and vitest (``classname`` = the
file, ``name="describe > test title"``).

Matching (`result_for(results, test)`), where `test` is a marker's test id: parts separated by
``::`` (a ``::`` inside ``[...]`` does not split), ``\\`` read as ``/`` and a leading ``./``
dropped. The first part decides the kind:

* ``*.py`` (pytest / unittest): ``tests/test_x.py::test_y`` or ``tests/test_x.py::TestA::test_b``.
  The expected classname is the path with ``/`` -> ``.`` and without ``.py``, plus the classes:
  ``tests.test_x`` or ``tests.test_x.TestA``. A case matches when its classname equals that. Only
  if no case matches exactly: a case matches when one of the two classnames is a dotted suffix
  of the other that keeps at least the module's own name (pytest run with another rootdir), and
  its ``file``, if given, is the id's path or a path suffix of it (or the other way round).
* ``*.go``: ``pkg/x_test.go::TestX``. The case's name must be ``TestX`` (or a subtest
  ``TestX/...``). Among such cases, those whose package (classname, ``/``-separated) shares the
  most trailing components with the id's directory win; if none shares any (or the file is at
  the top), the cases are used only when they all come from one package.
* ``*.ts``, ``*.tsx``, ``*.js``, ``*.jsx``, ``*.mjs``, ``*.cjs``, ``*.mts``, ``*.cts`` (Jest,
  vitest): ``src/a.test.ts::exports rows`` (further parts are describe titles:
  ``src/a.test.ts::CSV::exports rows``, joined with a space). A case matches when its name is
  the title or ends with ``" " + title`` or ``" > " + title`` (the describe titles before it),
  and its ``file`` (or a classname that is a path of one of these kinds), if given, is the id's
  path (or a path suffix of it, or the other way round).
* Anything else (JUnit / Surefire, also a ``*.java``/``*.kt``/``*.scala``/``*.groovy`` path, whose
  stem is the class): ``FooTest::testBar``, ``com.acme.FooTest::testBar``, ``Outer::Inner::t``.
  The case's name must be the method, and the case's classname, split at ``.`` and ``$``, must end
  with the id's class components (so the simple class name is enough).
* A single part (``TestX``, ``test_y``): every case with that name.

Names: a wanted name without a suffix matches the case names whose base (the name up to the first
``[``, ``(`` or ``/``) equals it, so every parametrised case (``test_y[1]``, ``test_y[a-b]``,
JUnit 5 ``testBar(int)[1]``) and every Go subtest belongs to its test function; a wanted name
with a suffix (``test_y[1]``, ``TestX/sub``) matches that case exactly (and a Go subtest's own
subtests). The matched cases are aggregated: any ``failed`` -> ``failed``; all ``skipped`` ->
``skipped``; otherwise ``passed``. The same test reported twice (e.g. two result files) is
aggregated the same way. No matching case -> ``unknown``.

For many lookups over the same results build a `ResultIndex` once; `result_for` builds one per
call.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeET

from reqforge.i18n import Text
from reqforge.safe_read import Refused, read_inside

__all__ = [
    "MAX_RESULT_BYTES",
    "ResultIndex",
    "ResultProblem",
    "TestResult",
    "read_results",
    "result_for",
]

MAX_RESULT_BYTES = 50 * 1024 * 1024
"""Result files larger than this (50 MiB) are refused without being read."""

PASSED, FAILED, SKIPPED, UNKNOWN = "passed", "failed", "skipped", "unknown"

_JS_SUFFIXES = (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts")
_JVM_SUFFIXES = (".java", ".kt", ".kts", ".scala", ".groovy")


@dataclass(frozen=True)
class TestResult:
    """One ``<testcase>``: its name, classname, file (if the report gives one) and result."""

    __test__ = False  # not a pytest test class, whatever its name says

    name: str
    classname: str
    file: str | None
    result: str  # "passed" | "failed" | "skipped"


@dataclass(frozen=True)
class ResultProblem:
    """A result file (or pattern) that could not be read safely, and why."""

    path: str
    message: str


# --------------------------------------------------------------------------------------------
# Reading


# implements: REQ-402
def read_results(
    root: Path, patterns: Sequence[str]
) -> tuple[list[TestResult], list[ResultProblem]]:
    """Read the JUnit XML files matched by `patterns` (globs relative to `root`).

    Returns the test cases of all files (files in sorted path order, cases in document order)
    and the problems (sorted by path). A pattern that matches nothing is not a problem.
    """
    root = Path(root)
    problems: list[ResultProblem] = []
    files: dict[str, Path] = {}
    for pattern in patterns:
        bad = _bad_pattern(pattern)
        if bad:
            problems.append(ResultProblem(pattern, bad))
            continue
        try:
            matched = list(root.glob(pattern))
        except (OSError, ValueError, NotImplementedError) as exc:
            problems.append(
                ResultProblem(pattern, Text("cannot use this pattern: {error}", error=str(exc)))
            )
            continue
        for path in matched:
            rel = _relative(root, path)
            if rel not in files and not path.is_dir():
                files[rel] = path
    results: list[TestResult] = []
    for rel in sorted(files):
        found, problem = _read_file(root, files[rel], rel)
        if problem is not None:
            problems.append(problem)
        results.extend(found)
    problems.sort(key=lambda p: (p.path, p.message))
    return results, problems


def _bad_pattern(pattern: str) -> str | None:
    """Why `pattern` is not a usable relative glob, or None."""
    if not pattern or not pattern.strip():
        return Text("empty results pattern")
    norm = pattern.replace("\\", "/")
    if norm.startswith("/") or PurePosixPath(norm).is_absolute() or re.match(r"^[A-Za-z]:", norm):
        return Text("results pattern must be relative to the repository")
    if ".." in norm.split("/"):
        return Text("results pattern must not leave the repository ('..')")
    return None


def _relative(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _read_file(root: Path, path: Path, rel: str) -> tuple[list[TestResult], ResultProblem | None]:
    """The cases of one file, or a problem; never raises."""
    try:
        data = read_inside(path, root, MAX_RESULT_BYTES)
    except Refused as exc:
        return [], ResultProblem(rel, Text("refused: {reason}", reason=exc.reason))
    except OSError as exc:
        return [], ResultProblem(rel, Text("cannot read: {reason}", reason=exc.strerror or exc))
    if not data.strip():
        return [], ResultProblem(rel, Text("not JUnit XML: the file is empty"))
    if b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return [], ResultProblem(rel, Text("not JUnit XML: a binary file"))
    try:
        tree = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DTDForbidden:
        return [], ResultProblem(rel, _dtd_reason(data))
    except defusedxml.EntitiesForbidden:
        entities = Text("refused, not parsed: it declares entities (entity expansion)")
        return [], ResultProblem(rel, entities)
    except defusedxml.ExternalReferenceForbidden:
        external = Text("refused, not parsed: it refers to an external entity")
        return [], ResultProblem(rel, external)
    except defusedxml.DefusedXmlException as exc:
        return [], ResultProblem(rel, Text("refused, not parsed: {error}", error=str(exc)))
    except ParseError as exc:
        return [], ResultProblem(rel, _parse_error(exc))
    except (ValueError, LookupError, UnicodeError, RecursionError) as exc:
        return [], ResultProblem(rel, Text("malformed XML: {error}", error=str(exc)))
    try:
        return _cases(root, tree, rel)
    except RecursionError:  # pragma: no cover - _cases does not recurse; defensive only
        return [], ResultProblem(rel, Text("not JUnit XML: nested too deeply"))


def _dtd_reason(data: bytes) -> str:
    """Name what the refused DTD would have done (the file is not parsed to find out)."""
    head = data[:65536]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="replace").encode("utf-8", errors="replace")
    if re.search(rb"<!ENTITY\s+(?:%\s*)?\S+\s+(?:SYSTEM|PUBLIC)\b", head):
        return Text(
            "refused, not parsed: it has a document type declaration (DTD) declaring an "
            "external entity"
        )
    if re.search(rb"<!ENTITY\b", head):
        return Text(
            "refused, not parsed: it has a document type declaration (DTD) declaring entities "
            "(entity expansion)"
        )
    if re.search(rb"<!DOCTYPE\s+\S+\s+(?:SYSTEM|PUBLIC)\b", head):
        return Text(
            "refused, not parsed: it has a document type declaration (DTD) loaded from outside "
            "the file"
        )
    return Text("refused, not parsed: it has a document type declaration (DTD)")


def _parse_error(exc: ParseError) -> str:
    position = getattr(exc, "position", None)
    text = str(exc)
    reason = re.sub(r":\s*line \d+, column \d+$", "", text)
    if position:
        line, column = position
        return Text(
            "malformed XML at line {line}, column {column}: {reason}",
            line=line,
            column=column,
            reason=reason,
        )
    return Text("malformed XML: {error}", error=text)


def _local(tag: object) -> str:
    """A tag without its ``{namespace}``; comments and processing instructions give ''."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def _cases(root: Path, tree: Element, rel: str) -> tuple[list[TestResult], ResultProblem | None]:
    top = _local(tree.tag)
    if top not in ("testsuites", "testsuite"):
        return [], ResultProblem(
            rel,
            Text(
                "not JUnit XML: the root element is <{top}>, not <testsuites> or <testsuite>",
                top=top,
            ),
        )
    found: list[TestResult] = []
    # Iterative walk (no recursion however deep the nesting), children in document order.
    stack: list[tuple[Element, str, str | None]] = [(tree, "", None)]
    while stack:
        element, suite_name, suite_file = stack.pop()
        tag = _local(element.tag)
        if tag == "testcase":
            found.append(_case(root, element, suite_name, suite_file))
            continue
        if tag == "testsuite":
            suite_name = element.get("name") or suite_name
            suite_file = element.get("file") or element.get("filepath") or suite_file
        elif tag != "testsuites":
            continue
        stack.extend((child, suite_name, suite_file) for child in reversed(list(element)))
    return found, None


def _case(root: Path, element: Element, suite_name: str, suite_file: str | None) -> TestResult:
    children = {_local(child.tag) for child in element}
    if "failure" in children or "error" in children:
        result = FAILED
    elif "skipped" in children:
        result = SKIPPED
    else:
        result = PASSED
    file = element.get("file") or suite_file
    return TestResult(
        name=element.get("name") or "",
        classname=element.get("classname") or suite_name,
        file=_norm_file(root, file) if file else None,
        result=result,
    )


def _norm_file(root: Path, file: str) -> str:
    """A report's file path as a ``/``-separated path, relative to `root` when inside it."""
    norm = file.strip().replace("\\", "/")
    if os.path.isabs(file) or norm.startswith("/"):
        for base in {str(root), str(root.resolve())}:
            base_norm = base.replace("\\", "/").rstrip("/") + "/"
            if norm.startswith(base_norm):
                return norm[len(base_norm) :]
        return norm
    while norm.startswith("./"):
        norm = norm[2:]
    return norm


# --------------------------------------------------------------------------------------------
# Matching

_BASE_END = re.compile(r"[\[(/]")


def _base(name: str) -> str:
    """A case name up to its parameters or subtest: ``test_y[1]`` -> ``test_y``."""
    match = _BASE_END.search(name)
    return name[: match.start()] if match else name


def _split_id(test: str) -> list[str]:
    """Split a marker's test id at ``::``, except inside ``[...]`` (pytest parameter ids)."""
    parts: list[str] = []
    depth = 0
    start = 0
    i = 0
    while i < len(test):
        char = test[i]
        if char == "[":
            depth += 1
        elif char == "]" and depth:
            depth -= 1
        elif depth == 0 and test.startswith("::", i):
            parts.append(test[start:i])
            i += 2
            start = i
            continue
        i += 1
    parts.append(test[start:])
    return [p.strip() for p in parts]


def _norm_path(path: str) -> str:
    norm = path.replace("\\", "/")
    while norm.startswith("./"):
        norm = norm[2:]
    return norm


def _path_related(a: str, b: str) -> bool:
    """Whether one ``/``-path is the other or a component suffix of it."""
    pa, pb = a.split("/"), b.split("/")
    n = min(len(pa), len(pb))
    return pa[-n:] == pb[-n:]


def _dotted_related(a: list[str], b: list[str], keep: int) -> bool:
    """Whether one component list is a suffix of the other, the shorter one at least `keep` long."""
    n = min(len(a), len(b))
    return n >= keep and a[-n:] == b[-n:]


def aggregate(results: Iterable[str]) -> str:
    """Any ``failed`` -> failed; all ``skipped`` -> skipped; none -> unknown; else passed."""
    seen = set(results)
    if not seen:
        return UNKNOWN
    if FAILED in seen:
        return FAILED
    if seen == {SKIPPED}:
        return SKIPPED
    return PASSED


class ResultIndex:
    """The results indexed by base test name, for many `lookup`s (see the module docstring)."""

    def __init__(self, results: Sequence[TestResult]) -> None:
        self._results = list(results)
        self._by_base: dict[str, list[TestResult]] = defaultdict(list)
        for result in self._results:
            self._by_base[_base(result.name)].append(result)

    def cases(self, test: str) -> list[TestResult]:
        """The test cases that belong to the marker's test id `test` (document order)."""
        parts = [p for p in _split_id(test) if p]
        if not parts:
            return []
        if len(parts) == 1:
            return self._named(parts[0])
        head = _norm_path(parts[0])
        lower = head.lower()
        if lower.endswith(".py"):
            return self._pytest(head, parts[1:-1], parts[-1])
        if lower.endswith(".go"):
            return self._go(head, parts[-1])
        if lower.endswith(_JS_SUFFIXES):
            return self._jest(head, " ".join(parts[1:]))
        if lower.endswith(_JVM_SUFFIXES):
            classes = [PurePosixPath(head).stem, *parts[1:-1]]
        else:
            classes = [*parts[0].split("."), *parts[1:-1]]
        return self._junit(classes, parts[-1])

    def lookup(self, test: str) -> str:
        """``passed | failed | skipped | unknown`` for the marker's test id `test`."""
        return aggregate(case.result for case in self.cases(test))

    def _named(self, want: str) -> list[TestResult]:
        """Cases with the name `want` (every parametrised case / subtest of it, if bare)."""
        bucket = self._by_base.get(_base(want), [])
        if _base(want) == want:
            return list(bucket)
        return [r for r in bucket if r.name == want or r.name.startswith(want + "/")]

    def _pytest(self, path: str, classes: list[str], want: str) -> list[TestResult]:
        module = path[: -len(".py")].split("/")
        expected = [*module, *classes]
        named = self._named(want)
        exact = [r for r in named if r.classname.split(".") == expected]
        if exact:
            return exact
        return [
            r
            for r in named
            if _dotted_related(r.classname.split("."), expected, len(classes) + 1)
            and (r.file is None or _path_related(r.file, path))
        ]

    def _go(self, path: str, want: str) -> list[TestResult]:
        directory = [p for p in path.split("/")[:-1] if p]
        named = self._named(want)
        if not named:
            return []
        best = 0
        scored: list[tuple[int, TestResult]] = []
        for r in named:
            package = [p for p in r.classname.split("/") if p]
            shared = 0
            while (
                shared < min(len(package), len(directory))
                and package[-1 - shared] == directory[-1 - shared]
            ):
                shared += 1
            scored.append((shared, r))
            best = max(best, shared)
        if best:
            return [r for shared, r in scored if shared == best]
        if len({r.classname for r in named}) == 1:
            return named
        return []

    def _jest(self, path: str, title: str) -> list[TestResult]:
        if not title:
            return []
        out = []
        for r in self._results:
            name = r.name
            if not (name == title or name.endswith(" " + title) or name.endswith(" > " + title)):
                continue
            file = r.file
            if file is None and r.classname.lower().endswith(_JS_SUFFIXES):
                file = _norm_path(r.classname)
            if file is None or _path_related(file, path):
                out.append(r)
        return out

    def _junit(self, classes: list[str], want: str) -> list[TestResult]:
        classes = [c for c in classes if c]
        if not classes:
            return self._named(want)
        out = []
        for r in self._named(want):
            components = re.split(r"[.$]", r.classname)
            if len(components) >= len(classes) and components[-len(classes) :] == classes:
                out.append(r)
        return out


# implements: REQ-402
def result_for(results: Sequence[TestResult], test: str) -> str:
    """``passed | failed | skipped | unknown`` for a marker's test id (rules: module docstring)."""
    return ResultIndex(results).lookup(test)
