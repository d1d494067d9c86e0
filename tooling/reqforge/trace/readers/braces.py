"""The walk shared by the brace languages (Java-family and C#, Go, JavaScript/TypeScript, C/C++).

One pass over the significant tokens (comments, strings, braces, statement ends, blank lines,
preprocessor lines) keeps a stack of open blocks. What each ``{`` opens is told by the language's
`Classify` from the code before it; the test id of a chain of open blocks by its `TestId`. Each
language's reader supplies those two and calls `enclosing_tests` with them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

Block = tuple[str, str, bool]  # (kind, name, is_test): kinds are the language's own words
Classify = Callable[[str], Block | None]  # the head before a "{" -> what it opens, or None
TestId = Callable[[str, list[Block]], str | None]  # (path, open blocks) -> the test's id

# Words followed by "(...)" that open a control block, not a function or method.
CONTROL_WORDS = frozenset(
    {"if", "for", "while", "switch", "catch", "return", "sizeof", "do", "else", "try"}
    | {"synchronized", "foreach", "using", "lock", "new", "function", "fun", "when", "match"}
)

# Brace languages: comments, strings, braces, statement ends, blank lines, preprocessor lines.
_TOKENS = re.compile(
    r"""(?P<c>//[^\n]*|/\*.*?(?:\*/|\Z))
    |(?P<s>"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|`(?:\\.|[^`\\])*`)
    |(?P<o>\{)|(?P<x>\})|(?P<e>;)|(?P<b>\n[ \t\r]*(?=\n))|(?P<p>^[ \t]*\#[^\n]*)""",
    re.VERBOSE | re.DOTALL | re.MULTILINE,
)
# Code that may stand between a marker and the block it is about: annotations, C# attributes.
_ANNOTATIONS = re.compile(r"\s*(?:@[\w.]+\s*(?:\((?:[^()]|\([^()]*\))*\))?\s*|\[[^\]]*\]\s*)*")


def enclosing_tests(
    text: str, path: str, offsets: Sequence[int], classify: Classify, test_id: TestId
) -> list[str | None]:
    """The test id enclosing each marker offset (sorted) in a brace language, or None.

    One pass over the significant tokens keeps a stack of open blocks, each classified from its
    head (the code since the last ``;``, brace, blank line or preprocessor line). A marker in a
    block's head (an annotation or a comment right above it) belongs to that block. A ``{`` inside
    an unclosed ``(`` that opens nothing named (an array in an annotation, an object literal) is
    transparent: the head goes on after its ``}``.
    """
    result: list[str | None] = [None] * len(offsets)
    stack: list[tuple[Block | None, list[str] | None, list[tuple[int, int]] | None]] = []
    head: list[str] = []
    pending: list[tuple[int, int]] = []  # (marker, how much head code came before it)
    nxt = 0  # the next marker not yet pending or resolved
    seg = 0

    def chain(extra: Block | None = None) -> list[Block]:
        blocks = [entry[0] for entry in stack if entry[0] is not None]
        return [*blocks, extra] if extra else blocks

    def take(limit: int) -> None:
        nonlocal nxt
        if nxt < len(offsets) and offsets[nxt] < limit:
            position = sum(map(len, head))
            while nxt < len(offsets) and offsets[nxt] < limit:
                pending.append((nxt, position))
                nxt += 1

    def resolve(blocks: list[Block], opened: Block | None = None, code: str = "") -> None:
        outer = test_id(path, blocks) if pending else None
        inner = test_id(path, [*blocks, opened]) if pending and opened else None
        for index, position in pending:
            # Above the block (only annotations before it) or between its signature and "{".
            above = opened is not None and (
                _ANNOTATIONS.fullmatch(code[:position]) is not None or not code[position:].strip()
            )
            result[index] = inner if above else outer
        pending.clear()

    for tok in _TOKENS.finditer(text):
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
            block = classify(code)
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
