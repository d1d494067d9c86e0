"""Requirement markers in a source tree: `# req: CRM-1`, `// implements: CRM-1`, ...

`scan` lists the files under `trace.scan` once (one `git ls-files` inside a git work tree, so
`.gitignore` is respected; a plain walk elsewhere), reads each file once and runs one compiled
regex over its text, whatever the language. Binaries (a NUL byte in the first 8 KiB), files over
2 MiB, special files and symlinks leading out of the root are skipped. A cheap byte search for the
marker's literal keywords comes first, so most files are never decoded; large lists are read by
both cores (`reqforge.parallel`).

A marker in a test file (its POSIX path relative to the root matches one of `trace.tests`) is
*verified* and tied to its enclosing test where that can be told from the text:

* Python: ``tests/test_x.py::test_y`` or ``tests/test_x.py::TestA::test_b`` (the outermost
  ``def test...`` that only classes enclose; a marker on a decorator, on the ``def`` line or in a
  comment block directly above the ``def`` belongs to that test);
* Java, Kotlin, Scala, Groovy, C#: ``FooTest::testBar`` (``Outer::Inner::testBar`` when nested),
  for a method annotated ``@Test`` (and the other JUnit/TestNG/xUnit test annotations) or, in
  JUnit 3 style, named ``test...``;
* Go: ``pkg/x_test.go::TestX``, ``pkg/x_test.go::TestX/sub_case`` inside ``t.Run("sub case", ...)``;
* JavaScript/TypeScript (Jest, Mocha, Vitest): ``src/a.test.ts::exports rows``, with the titles of
  the enclosing ``describe`` blocks as further parts: ``src/a.test.ts::CSV::exports rows``;
* C/C++: the enclosing function's name (``test_export``), or ``Suite::Name`` for GoogleTest's
  ``TEST(Suite, Name)``.

These are the test ids that `reqforge.junit` matches to JUnit XML results. Anywhere else a marker
is *implemented* with no test. IDs are not checked against the catalogue here: a marker naming an
unknown ID is returned like any other (the caller reports it).
"""

from __future__ import annotations

import bisect
import fnmatch
import os
import re
import stat
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import AnyStr

from reqforge.cache import (
    CacheStore,
    ParseCache,
    content_digest,
    file_signature,
    fixed,
    maybe,
    tuple_of,
)
from reqforge.parallel import parallel_map

IMPLEMENTED = "implemented"
VERIFIED = "verified"

MAX_FILE_BYTES = 2 * 1024 * 1024
BINARY_SNIFF_BYTES = 8192
SKIP_DIRS = frozenset(
    {"node_modules", ".venv", "venv", "__pycache__", "dist", "build", "target"}
)  # plus every hidden folder, when walking outside git

_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # never hang on a FIFO
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0) | _O_NONBLOCK


@dataclass(frozen=True)
class Marker:
    """One requirement ID named by a marker at `path` (POSIX, relative to the root), `line`."""

    id: str
    path: str
    line: int
    kind: str  # "implemented" | "verified"
    test: str | None = None  # the enclosing test's id, for a verified marker, where detectable


# --- the marker pattern ----------------------------------------------------------------------


def _strip_anchors(id_pattern: str) -> str:
    """The ID pattern without its leading ``^``/``\\A`` and trailing ``$``/``\\Z``/``\\z``."""
    pattern = id_pattern
    for head in ("^", r"\A"):
        if pattern.startswith(head):
            pattern = pattern[len(head) :]
            break
    for tail in ("$", r"\Z", r"\z"):
        if pattern.endswith(tail):
            body = pattern[: -len(tail)]
            escapes = len(body) - len(body.rstrip("\\"))
            if tail != "$" or escapes % 2 == 0:  # "\$" is a literal dollar
                pattern = body
            break
    return pattern


# implements: REQ-401
def compile_marker(pattern: str, id_pattern: str) -> re.Pattern[str]:
    """`pattern` (``trace.marker``) with each ``{id}`` replaced by a group matching one ID.

    The group is named ``id`` (``id_2``, ``id_3``, ... for further ``{id}``s) and is followed by
    ``(?!\\w)``, so ``req: CRM-1234567`` is not read as ``CRM-123456``. `id_pattern` is
    ``project.id_pattern``; its anchors are dropped. Raises `re.error` for a bad pattern.
    """
    body = _strip_anchors(id_pattern)
    pieces = pattern.split("{id}")
    if len(pieces) < 2:
        raise re.error("the marker pattern has no {id}")
    out = [pieces[0]]
    for number, piece in enumerate(pieces[1:], 1):
        name = "id" if number == 1 else f"id_{number}"
        out.append(f"(?P<{name}>(?:{body}))(?!\\w)")
        out.append(piece)
    return re.compile("".join(out))


def _id_of(match: re.Match[str]) -> str:
    """The ID a marker match names (first non-empty ``id*`` group, else group 1, else all)."""
    groups = match.re.groupindex
    if "id" in groups:
        for name in groups:
            if (name == "id" or name.startswith("id_")) and match.group(name) is not None:
                return match.group(name)
    if match.re.groups:
        for value in match.groups():
            if value is not None:
                return value
    return match.group(0)


def _required_literals(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """Strings of which every match of `pattern` contains at least one, or None.

    Read from the parsed pattern (the regex module's own parser); None whenever in doubt (case
    folding, nothing literal found, a parser this code does not know), which only costs speed.
    Small character classes and alternations multiply out, so the default marker gives
    ``req:``, ``req=``, ``requirement:``, ... ``verifies=``: rare in code, unlike ``req``.
    """
    try:
        try:
            from re import _parser as sre_parse  # type: ignore[attr-defined]
        except ImportError:  # pragma: no cover - Python 3.10
            import sre_parse  # type: ignore[no-redef]
        parsed = sre_parse.parse(pattern.pattern, pattern.flags)
        if parsed.state.flags & re.IGNORECASE:
            return None
        found = _literal_set(list(parsed))
    except Exception:  # pragma: no cover - an unknown parser version: no pre-filter
        return None
    if not found or min(len(s) for s in found) < 2:
        return None
    words = sorted(set(found), key=len)
    kept: list[str] = []
    for word in words:  # a longer word containing a kept one adds nothing
        if not any(k in word for k in kept):
            kept.append(word)
    return tuple(kept)


_MAX_LITERALS = 32  # alternatives multiplied out, at most


def _name(op: object) -> str:
    return getattr(op, "name", str(op))


def _exact_set(items: list[tuple[object, object]]) -> set[str] | None:
    """Every string `items` can match, when that is a small set of literals; else None."""
    out = {""}
    for op, av in items:
        name = _name(op)
        if name == "LITERAL":
            options = {chr(av)}  # type: ignore[arg-type]
        elif name == "IN" and all(_name(o) == "LITERAL" for o, _ in av):  # type: ignore[union-attr]
            options = {chr(v) for _, v in av}  # type: ignore[union-attr]
        elif name == "BRANCH":
            options = set()
            for branch in av[1]:  # type: ignore[index]
                part = _exact_set(list(branch))
                if part is None:
                    return None
                options |= part
        elif name == "SUBPATTERN" and not av[1] & re.IGNORECASE:  # type: ignore[index]
            part = _exact_set(list(av[3]))  # type: ignore[index]
            if part is None:
                return None
            options = part
        else:
            return None
        out = {head + tail for head in out for tail in options}
        if len(out) > _MAX_LITERALS:
            return None
    return out


def _literal_set(items: list[tuple[object, object]]) -> set[str] | None:
    """The best literal set for a parsed sequence: one of the strings occurs in any match."""
    best: set[str] | None = None

    def consider(candidate: set[str] | None) -> None:
        nonlocal best
        if candidate and (best is None or min(map(len, candidate)) > min(map(len, best))):
            best = candidate

    run = {""}  # the strings the current stretch of exactly-known items can be
    for op, av in items:
        name = _name(op)
        exact = _exact_set([(op, av)])
        if exact is not None:
            product = {head + tail for head in run for tail in exact}
            if len(product) <= _MAX_LITERALS:
                run = product
                continue
            consider(run if "" not in run else None)
            run = exact
            continue
        consider(run if "" not in run else None)
        run = {""}
        if name == "SUBPATTERN":
            _group, add_flags, _del, sub = av  # type: ignore[misc]
            if not add_flags & re.IGNORECASE:
                consider(_literal_set(list(sub)))
        elif name == "ATOMIC_GROUP":
            consider(_literal_set(list(av)))  # type: ignore[arg-type]
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, _high, sub = av  # type: ignore[misc]
            if low >= 1:
                consider(_literal_set(list(sub)))
        elif name == "BRANCH":
            union: set[str] = set()
            for branch in av[1]:  # type: ignore[index]
                part = _literal_set(list(branch))
                if not part:
                    union = set()
                    break
                union |= part
            consider(union or None)
    consider(run if "" not in run else None)
    return best


# --- test paths ------------------------------------------------------------------------------


def _glob_matcher(globs: Sequence[str]) -> Callable[[str], bool]:
    """A predicate: does a POSIX relative path match one of `globs` (fnmatch, ``*`` spans ``/``)?

    A glob starting with ``**/`` also matches at the top (``**/test_*.*`` matches ``test_a.py``).
    """
    patterns: list[str] = []
    for glob in globs:
        patterns.append(fnmatch.translate(glob))
        if glob.startswith("**/"):
            patterns.append(fnmatch.translate(glob[3:]))
    if not patterns:
        return lambda path: False
    regex = re.compile("|".join(f"(?:{p})" for p in patterns))
    return lambda path: regex.match(path) is not None


# --- listing the files -----------------------------------------------------------------------


def _inside(path: str, root_real: str) -> bool:
    return path == root_real or path.startswith(root_real.rstrip(os.sep) + os.sep)


def _scan_dirs(root: Path, scan_dirs: Sequence[str], root_real: str) -> list[str]:
    """The scan entries as clean POSIX paths relative to the root; those outside it dropped."""
    out: list[str] = []
    for entry in scan_dirs:
        full = os.path.normpath(os.path.join(root, entry))
        if not _inside(os.path.realpath(full), root_real):
            continue
        rel = os.path.relpath(full, root).replace(os.sep, "/")
        out.append("." if rel in ("", ".") else rel)
    return list(dict.fromkeys(out))


def _git_files(root: Path, dirs: Sequence[str]) -> list[str] | None:
    """Tracked and untracked-not-ignored files under `dirs`, or None outside a git work tree."""
    from reqforge.git import GitError, open_repository

    try:
        return open_repository(root).list_files(dirs)
    except GitError:
        return None


def _walk_files(root: Path, dirs: Sequence[str]) -> list[str]:
    """Files under `dirs` without git: hidden and build folders skipped, links not followed."""
    out: list[str] = []
    for rel in dirs:
        top = os.path.join(root, rel)
        if os.path.isfile(top):
            out.append(rel)
            continue
        for folder, subdirs, files in os.walk(top):
            subdirs[:] = sorted(d for d in subdirs if not d.startswith(".") and d not in SKIP_DIRS)
            base = os.path.relpath(folder, root).replace(os.sep, "/")
            prefix = "" if base == "." else base + "/"
            out.extend(prefix + name for name in files)
    return out


def list_files(root: Path, scan_dirs: Sequence[str]) -> list[str]:
    """The files `scan` reads: POSIX paths relative to `root`, sorted, each once."""
    root_real = os.path.realpath(root)
    dirs = _scan_dirs(root, scan_dirs, root_real)
    if not dirs:
        return []
    files = _git_files(root, dirs)
    if files is None:
        files = _walk_files(root, dirs)
    return sorted({os.path.normpath(f).replace(os.sep, "/") for f in files})


# --- reading one file ------------------------------------------------------------------------


def _read(full: str, root_real: str, max_bytes: int) -> bytes | None:
    """The file's bytes, or None: unreadable, not a regular file, too big, or a link outside."""
    return _read_stat(full, root_real, max_bytes)[0]


def _read_stat(
    full: str, root_real: str, max_bytes: int
) -> tuple[bytes | None, tuple[int, int, int, int] | None]:
    """`_read`, with the `cache.file_signature` of what was read, for the scan cache."""
    try:
        fd = os.open(full, _OPEN_FLAGS | _O_NOFOLLOW)
    except OSError:
        # O_NOFOLLOW refuses a symbolic link (ELOOP): follow it only when it stays inside.
        if not os.path.islink(full) or not _inside(os.path.realpath(full), root_real):
            return None, None
        try:
            fd = os.open(full, _OPEN_FLAGS)
        except OSError:
            return None, None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > max_bytes:
            return None, None
        if (  # pragma: no cover - Windows, where O_NOFOLLOW does not exist
            not _O_NOFOLLOW
            and os.path.islink(full)
            and not _inside(os.path.realpath(full), root_real)
        ):
            return None, None
        chunks = [os.read(fd, info.st_size + 1)]
        while chunks[-1] and sum(map(len, chunks)) <= max_bytes:
            chunks.append(os.read(fd, max_bytes + 1))
        data = b"".join(chunks) if len(chunks) > 1 else chunks[0]
    except OSError:
        return None, None
    finally:
        os.close(fd)
    if len(data) > max_bytes or data.find(b"\0", 0, BINARY_SNIFF_BYTES) != -1:
        return None, None
    return data, file_signature(info)


# --- enclosing tests -------------------------------------------------------------------------

_PY_EXT = frozenset({".py", ".pyi", ".pyw"})
_JVM_EXT = frozenset({".java", ".kt", ".kts", ".scala", ".groovy", ".cs"})
_JS_EXT = frozenset({".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs", ".mts", ".cts"})
_GO_EXT = frozenset({".go"})
_C_EXT = frozenset({".c", ".h", ".cc", ".cpp", ".cxx", ".hpp", ".hh", ".hxx", ".m", ".mm"})

# Python: comments, strings (a prefix needs no special care), brackets, newlines.
_PY_TOKENS = re.compile(
    r"""(?P<c>\#[^\n]*)
    |(?P<s>'''(?:\\.|[^\\])*?'''|\"\"\"(?:\\.|[^\\])*?\"\"\"|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*")
    |(?P<o>[(\[{])|(?P<x>[)\]}])|(?P<bs>\\\r?\n)|(?P<nl>\n)""",
    re.VERBOSE | re.DOTALL,
)
_PY_HEAD = re.compile(r"[ \t]*(?:(?:async[ \t]+)?def[ \t]+(\w+)|class[ \t]+(\w+)|(@))")


def _python_tests(text: str, path: str, offsets: list[int]) -> list[str | None]:
    """The pytest/unittest id of the test enclosing each marker offset (sorted), or None."""
    # Logical lines: [start, end) spans split at newlines outside brackets and strings, up to
    # the first line of code after the last marker (which settles a marker in a comment above a
    # def or its decorators); the rest of the file cannot change any answer.
    starts = [0]
    depth = 0
    last_offset = offsets[-1] if offsets else -1
    for tok in _PY_TOKENS.finditer(text):
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
                result[marker] = _python_id(path, chain)
            pending = []
            continue
        indent = len(line) - len(line.lstrip(" \t"))
        if stripped.startswith("#"):
            chain = tuple(e for e in stack if e[0] < indent)
            pending.extend((m, indent, chain) for m in markers)
            continue
        while stack and stack[-1][0] >= indent:
            stack.pop()
        head = _PY_HEAD.match(line)
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
            result[marker] = _python_id(path, here if entry and pending_indent == indent else chain)
        pending = []
        for marker in markers:
            result[marker] = _python_id(path, here)
        if entry:
            stack.append(entry)
    for marker, _indent, chain in pending:
        result[marker] = _python_id(path, chain)
    return result


def _python_id(path: str, chain: Iterable[tuple[int, str, str]]) -> str | None:
    """``path::Class::test`` for the first def of `chain` (only classes around it) named test*."""
    classes: list[str] = []
    for _indent, kind, name in chain:
        if kind == "class":
            classes.append(name)
            continue
        return "::".join([path, *classes, name]) if name.startswith("test") else None
    return None


# Brace languages: comments, strings, braces, statement ends, blank lines, preprocessor lines.
_BRACE_TOKENS = re.compile(
    r"""(?P<c>//[^\n]*|/\*.*?(?:\*/|\Z))
    |(?P<s>"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|`(?:\\.|[^`\\])*`)
    |(?P<o>\{)|(?P<x>\})|(?P<e>;)|(?P<b>\n[ \t\r]*(?=\n))|(?P<p>^[ \t]*\#[^\n]*)""",
    re.VERBOSE | re.DOTALL | re.MULTILINE,
)
_CONTROL = frozenset(
    {"if", "for", "while", "switch", "catch", "return", "sizeof", "do", "else", "try"}
    | {"synchronized", "foreach", "using", "lock", "new", "function", "fun", "when", "match"}
)
_JVM_CLASS = re.compile(r"\b(?:class|interface|enum|record|object)\s+(\w+)")
_JVM_TEST_MARK = re.compile(
    r"@(?:Test|ParameterizedTest|RepeatedTest|TestFactory|TestTemplate|Property|Theory)\b"
    r"|\[\s*(?:Test|Fact|Theory|TestMethod|DataTestMethod|TestCase)\b"
)
_JVM_METHOD = re.compile(r"(?:fun\s+`([^`]+)`|(?<![@\w.])(\w+))\s*\((?:[^()]|\([^()]*\))*\)")
_JS_TEST = re.compile(
    r"""\b(describe|context|suite|it|test|specify)(?:\.\w+)*\s*
    (?:\((?:[^()]|\([^()]*\))*\)\s*)?   # .each(table)
    \(\s*(?:"((?:\\.|[^"\\])*)"|'((?:\\.|[^'\\])*)'|`((?:\\.|[^`\\])*)`)""",
    re.VERBOSE,
)
_GO_FUNC = re.compile(r"\bfunc\s+(?:\([^)]*\)\s*)?(\w+)\s*(?:\[[^\]]*\])?\(")
_GO_RUN = re.compile(r"\b\w+\.Run\(\s*(?:\"((?:\\.|[^\"\\])*)\"|`([^`]*)`)")
_GTEST = re.compile(r"\b(?:TEST|TEST_F|TEST_P|TYPED_TEST|TYPED_TEST_P)\s*\(\s*(\w+)\s*,\s*(\w+)")
_C_FUNC = re.compile(
    r"(?<![\w.>])([A-Za-z_]\w*)\s*\((?:[^()]|\([^()]*\))*\)"
    r"\s*(?:const|noexcept|override|final|->\s*[\w:<>*& ]+|\s)*$"
)

_Block = tuple[str, str, bool]  # (kind, name, is_test)
# Code that may stand between a marker and the block it is about: annotations, C# attributes.
_ANNOTATIONS = re.compile(r"\s*(?:@[\w.]+\s*(?:\((?:[^()]|\([^()]*\))*\))?\s*|\[[^\]]*\]\s*)*")


def _classify(head: str, family: str) -> _Block | None:
    """What a ``{`` opens, from the code before it since the last ``;``, brace or blank line."""
    if family == "js":
        found = list(_JS_TEST.finditer(head))
        if not found:
            return None
        match = found[-1]
        title = next(g for g in match.groups()[1:] if g is not None)
        return (
            "group" if match.group(1) in ("describe", "context", "suite") else "test",
            title,
            True,
        )
    if family == "go":
        match = _GO_FUNC.search(head)
        if match:
            name = match.group(1)
            is_test = re.match(r"(?:Test|Benchmark|Fuzz|Example)(?![a-z])", name) is not None
            return ("func", name, is_test)
        match = _GO_RUN.search(head)
        if match:
            return ("sub", (match.group(1) or match.group(2) or "").replace(" ", "_"), True)
        return None
    if family == "jvm":
        match = _JVM_CLASS.search(head)
        if match:
            return ("class", match.group(1), False)
        is_test = _JVM_TEST_MARK.search(head) is not None
        for match in reversed(list(_JVM_METHOD.finditer(head))):
            name = match.group(1) or match.group(2)
            if name in _CONTROL or re.search(r"\bnew\s+$", head[: match.start()]):
                continue
            if not (
                head[match.end() :].strip() == ""
                or re.match(r"\s*(?:throws\b|:|=)", head[match.end() :])
            ):
                continue
            return ("func", name, is_test or name.startswith("test"))
        return None
    match = _GTEST.search(head)
    if match:
        return ("gtest", f"{match.group(1)}::{match.group(2)}", True)
    if "=" in head.replace("==", "") or re.search(r"\b(?:struct|union|enum|namespace)\b", head):
        return None
    match = _C_FUNC.search(head.strip())
    if match and match.group(1) not in _CONTROL:
        return ("func", match.group(1), True)
    return None


def _brace_tests(text: str, path: str, offsets: list[int], family: str) -> list[str | None]:
    """The test id enclosing each marker offset (sorted) in a brace language, or None.

    One pass over the significant tokens keeps a stack of open blocks, each classified from its
    head (the code since the last ``;``, brace, blank line or preprocessor line). A marker in a
    block's head (an annotation or a comment right above it) belongs to that block. A ``{`` inside
    an unclosed ``(`` that opens nothing named (an array in an annotation, an object literal) is
    transparent: the head goes on after its ``}``.
    """
    result: list[str | None] = [None] * len(offsets)
    stack: list[tuple[_Block | None, list[str] | None, list[tuple[int, int]] | None]] = []
    head: list[str] = []
    pending: list[tuple[int, int]] = []  # (marker, how much head code came before it)
    nxt = 0  # the next marker not yet pending or resolved
    seg = 0

    def chain(extra: _Block | None = None) -> list[_Block]:
        blocks = [entry[0] for entry in stack if entry[0] is not None]
        return [*blocks, extra] if extra else blocks

    def take(limit: int) -> None:
        nonlocal nxt
        if nxt < len(offsets) and offsets[nxt] < limit:
            position = sum(map(len, head))
            while nxt < len(offsets) and offsets[nxt] < limit:
                pending.append((nxt, position))
                nxt += 1

    def resolve(blocks: list[_Block], opened: _Block | None = None, code: str = "") -> None:
        outer = _brace_id(path, blocks, family) if pending else None
        inner = _brace_id(path, [*blocks, opened], family) if pending and opened else None
        for index, position in pending:
            # Above the block (only annotations before it) or between its signature and "{".
            above = opened is not None and (
                _ANNOTATIONS.fullmatch(code[:position]) is not None or not code[position:].strip()
            )
            result[index] = inner if above else outer
        pending.clear()

    for tok in _BRACE_TOKENS.finditer(text):
        if nxt == len(offsets) and not pending and not any(entry[2] for entry in stack):
            break  # every marker has its answer: the rest of the file cannot change one
        kind = tok.lastgroup
        start = tok.start()
        head.append(text[seg:start])
        seg = tok.end()
        take(start)
        if kind in ("c", "s"):
            head.append(" " if kind == "c" else tok.group())
            take(seg)
        elif kind == "o":
            code = "".join(head)
            block = _classify(code, family)
            if block is not None:
                resolve(chain(), block, code)
                stack.append((block, None, None))
            elif code.count("(") > code.count(")"):
                stack.append((None, head, list(pending)))
                pending.clear()
            else:
                resolve(chain())
                stack.append((None, None, None))
            head = []
        elif kind in ("x", "e"):
            resolve(chain())
            head = []
            saved_head, saved_pending = None, None
            if kind == "x" and stack:
                _block, saved_head, saved_pending = stack.pop()
            if saved_head is not None and saved_pending is not None:
                head = [*saved_head, "{}"]
                pending.extend(saved_pending)
            else:  # a comment after it on the same line belongs here, not to the next block
                end = text.find("\n", seg)
                take(len(text) if end < 0 else end)
                resolve(chain())
        else:  # a blank line or a preprocessor line
            take(seg)
            resolve(chain())
            head = []
    take(len(text) + 1)
    resolve(chain())
    return result


def _brace_id(path: str, blocks: list[_Block], family: str) -> str | None:
    """The test id for a chain of named blocks (outermost first), in `family`'s convention."""
    names: list[str] = []
    for position, (kind, name, is_test) in enumerate(blocks):
        if family == "js":
            if kind == "group":
                names.append(name)
            elif kind == "test":
                return "::".join([path, *names, name])
        elif family == "go":
            if kind == "func":
                if not is_test:
                    return None
                subs = [n for k, n, _ in blocks[position + 1 :] if k == "sub"]
                return f"{path}::" + "/".join([name, *subs])
        elif family == "jvm":
            if kind == "class":
                names.append(name)
            elif kind == "func":
                return "::".join([*names, name]) if is_test else None
        elif kind in ("func", "gtest"):
            return name
    return None


# implements: REQ-401
def enclosing_tests(text: str, path: str, offsets: Sequence[int]) -> list[str | None]:
    """The id of the test enclosing each offset of `text` (sorted ascending), or None each.

    `path` is the file's POSIX path relative to the root; its suffix picks the language.
    """
    suffix = os.path.splitext(path)[1].lower()
    wanted = list(offsets)
    if suffix in _PY_EXT:
        return _python_tests(text, path, wanted)
    for family, suffixes in (("jvm", _JVM_EXT), ("js", _JS_EXT), ("go", _GO_EXT), ("c", _C_EXT)):
        if suffix in suffixes:
            return _brace_tests(text, path, wanted, family)
    return [None] * len(wanted)


# --- scanning --------------------------------------------------------------------------------

_Row = tuple[tuple[str, int, str | None], ...]  # per file: (id, line, test) for each marker
_ROWS_SHAPE = fixed(tuple_of(fixed(str, int, maybe(str))))  # a cached result: (row,)


def _windows(text: AnyStr, literals: Sequence[AnyStr]) -> list[tuple[int, int]]:
    """Sorted, disjoint spans of `text` where a marker can be: from the start of each line that
    holds a required literal to the end of the line after it (a marker may break its line once,
    as in ``verifies:`` + newline + ID). `text` and `literals` are both str or both bytes."""
    newline = "\n" if isinstance(text, str) else b"\n"
    spans: list[tuple[int, int]] = []
    size = len(text)
    for word in literals:
        at = text.find(word)
        while at != -1:
            start = text.rfind(newline, 0, at) + 1  # type: ignore[arg-type]
            end = text.find(newline, at)  # type: ignore[arg-type]
            if end != -1:
                end = text.find(newline, end + 1)  # type: ignore[arg-type]
            end = size if end == -1 else end + 1
            spans.append((start, end))
            at = text.find(word, at + 1)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


@lru_cache(maxsize=8)
def _encoded(literals: tuple[str, ...]) -> tuple[bytes, ...]:
    return tuple(w.encode("utf-8") for w in literals)


def scan_data(
    data: bytes,
    path: str,
    marker: re.Pattern[str],
    test_file: bool,
    literals: Sequence[str] | None = None,
) -> list[tuple[str, int, str | None]]:
    """`scan_text` for a file's bytes. Outside test files, with `literals`, only the windows
    around the literals are decoded: most of a source tree is code without a marker."""
    if literals is None:
        return scan_text(data.decode("utf-8", "replace"), path, marker, test_file)
    spans = _windows(data, _encoded(tuple(literals)))
    if not spans:
        return []
    if test_file:  # the enclosing tests need the whole text
        return scan_text(data.decode("utf-8", "replace"), path, marker, True, literals)
    out: list[tuple[str, int, str | None]] = []
    line, counted = 1, 0
    for start, end in spans:
        line += data.count(b"\n", counted, start)
        counted = start
        # The newline before the window is kept (and skipped with pos=1), so a lookbehind sees
        # what it would see in the whole text; windows start and end at line boundaries, which
        # are UTF-8 character boundaries.
        head = 1 if start else 0
        window = data[start - head : end].decode("utf-8", "replace")
        pos, here = head, line
        for match in marker.finditer(window, head):
            here += window.count("\n", pos, match.start())
            pos = match.start()
            out.append((_id_of(match), here, None))
    return out


def scan_text(
    text: str,
    path: str,
    marker: re.Pattern[str],
    test_file: bool,
    literals: Sequence[str] | None = None,
) -> list[tuple[str, int, str | None]]:
    """(id, line, test) for each marker in `text`, in order; `test` only when `test_file`.

    With `literals` (`_required_literals(marker)`), the pattern only runs around their
    occurrences, found by plain substring search: 2-3x faster on code that has few markers.
    """
    if literals is None:
        matches: Iterable[re.Match[str]] = marker.finditer(text)
    else:
        matches = (
            match
            for start, end in _windows(text, literals)
            for match in marker.finditer(text, start, end)
        )
    found = [(m.start(), _id_of(m)) for m in matches]
    if not found:
        return []
    offsets = [offset for offset, _ in found]
    tests = enclosing_tests(text, path, offsets) if test_file else [None] * len(found)
    out = []
    line, pos = 1, 0
    for (offset, rid), test in zip(found, tests, strict=True):
        line += text.count("\n", pos, offset)
        pos = offset
        out.append((rid, line, test))
    return out


# implements: REQ-401
def scan(
    root: Path,
    scan_dirs: Sequence[str],
    marker: re.Pattern[str],
    test_globs: Sequence[str],
    *,
    max_bytes: int = MAX_FILE_BYTES,
    use_cache: bool = False,
) -> list[Marker]:
    """Every marker in the files under `scan_dirs` (relative to `root`), sorted by path, line.

    `marker` comes from `compile_marker`; `test_globs` are ``trace.tests`` (fnmatch on the POSIX
    path relative to `root`, ``*`` spanning ``/``). Use ``"."`` in `scan_dirs` for the whole
    tree; entries outside `root` are ignored.
    """
    root = Path(root)
    files = list_files(root, scan_dirs)
    if not files:
        return []
    root_real = os.path.realpath(root)
    base = os.fspath(root)
    literals = _required_literals(marker)
    is_test = _glob_matcher(test_globs)

    def work(chunk: Sequence[str]) -> list[tuple[bytes, _Row, tuple[int, int, int, int] | None]]:
        rows = []
        for rel in chunk:
            data, info = _read_stat(os.path.join(base, rel), root_real, max_bytes)
            if data is None:
                rows.append((b"", (), None))
                continue
            found = scan_data(data, rel, marker, is_test(rel), literals)
            rows.append((content_digest(data), tuple(found), info))
        return rows

    # Per-file results are cached like parsed requirements (see cache.py): a file is scanned
    # again only when its size, mtime or inode changed, or its timestamp is too recent to trust.
    # Files the cache does not know are not stat'ed here: the workers report what they read.
    started_ns = time.time_ns()
    cache = None
    kept: list[str] = []
    rows: dict[str, _Row] = {}
    pending = files
    if use_cache:
        fingerprint = f"{marker.pattern}|{marker.flags}|{sorted(test_globs)}|{max_bytes}"
        cache = ParseCache(CacheStore(root), "markers", fingerprint, _ROWS_SHAPE)
        cache.load()
        pending = []
        for rel in files:
            if rel not in cache.entries:
                pending.append(rel)
                continue
            try:
                info = os.stat(os.path.join(base, rel))
            except OSError:
                continue
            hit = cache.lookup(
                rel,
                info,
                read=lambda rel=rel: _read(os.path.join(base, rel), root_real, max_bytes) or b"",
            )
            if hit is not None:
                rows[rel] = hit[0]
                kept.append(rel)
            else:
                pending.append(rel)
    computed = dict(zip(pending, parallel_map(work, pending), strict=True)) if pending else {}
    for rel, (_, row, _) in computed.items():
        rows[rel] = row
    if cache is not None and (computed or len(kept) != len(cache.entries)):
        entries = {rel: cache.entries[rel] for rel in kept}
        for rel, (digest, row, info) in computed.items():
            if digest and info:
                entries[rel] = (*info, started_ns, digest, (row,))
        cache.save(entries)

    out: list[Marker] = []
    for rel in files:
        row = rows.get(rel, ())
        if row:
            kind = VERIFIED if is_test(rel) else IMPLEMENTED
            out.extend(Marker(rid, rel, line, kind, test) for rid, line, test in row)
    out.sort(key=lambda m: (m.path, m.line))
    return out
