"""What reqforge reads out of a word list's regex entry: whether it can be used, the flags to
compile it with, and its *trigger*, the literal text every match of it holds.

Pure functions over the regex engine's own parse of a pattern (`re._parser`, `sre_parse`
before Python 3.11), no I/O. The matcher (checks/wording.py) runs an entry only on a text that
holds one of its trigger strings; a string that starts a word wherever the entry matches is
looked for at word starts only.
"""

from __future__ import annotations

import re
import sys
from functools import lru_cache
from typing import Any

from reqforge.i18n import Text

WORD_CHARS = frozenset("0123456789abcdefghijklmnopqrstuvwxyz_")
"""ASCII word characters, lower case (the matcher reads lower-cased text)."""

# One set of trigger strings of a regex entry (see `_triggers_of`), and whether each string
# starts a word wherever the entry matches (then a scan may look at word starts only).
Trigger = tuple[frozenset[str], bool]


def trigger_of(pattern: re.Pattern[str]) -> Trigger | None:
    """Literal strings (lower-cased), one of which every match of `pattern` contains, the
    likely cheapest and rarest such set (see `_rarity`); None when the pattern promises none.
    Read from the regex engine's own parse of the pattern."""
    sre = _regex_parser()
    try:
        parsed = _parsed(pattern.pattern, pattern.flags & ~re.UNICODE)
    except (re.error, RecursionError, ValueError):  # pragma: no cover - it compiled already
        return None
    best = _best(_required(parsed, sre, False))
    return None if best is None else (frozenset(t.lower() for t in best[0]), best[1])


def _zero_width(op: Any, av: Any, sre: Any) -> bool:
    """Whether a parsed item matches no characters (an anchor, a look-around, a group of
    those): literal text on both sides of it is one run ("s(?<!x)hall" holds "shall")."""
    if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
        return True
    return bool(op is sre.SUBPATTERN and all(_zero_width(o, a, sre) for o, a in av[3]))


def _word_start(op: Any, av: Any, sre: Any, run: list[str]) -> bool:
    """Whether a zero-width item says that the next run starts a word (\\b, ^), or, for the
    lookbehind idiom "s(?<![a-z0-9_]s)hall" or "about(?<![a-z0-9_]about)", the current one."""
    if op is sre.AT:
        return av in (sre.AT_BOUNDARY, sre.AT_BEGINNING, sre.AT_BEGINNING_STRING)
    if op is sre.SUBPATTERN:
        return any(_word_start(o, a, sre, run) for o, a in av[3])
    if op is sre.ASSERT_NOT and av[0] < 0 and run and len(av[1]) == len(run) + 1:
        (class_op, items), *rest = av[1]
        return (
            class_op is sre.IN
            and all(_in_class(items, char, sre) for char in "az09_")
            and all(o is sre.LITERAL for o, _ in rest)
            and "".join(chr(a) for _, a in rest) == "".join(run)
        )
    return False


def _spaces(op: Any, av: Any, sre: Any) -> bool:
    """Whether a parsed item consumes at least one character and only non-word ones
    ("[ \\t]+", ", "): what follows it starts a word."""
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and av[0] >= 1 and len(av[2]) == 1:
        op, av = av[2][0]
    if op is sre.IN:
        return all(o in (sre.LITERAL, sre.RANGE) for o, _ in av) and not any(
            _in_class(av, char, sre) for char in WORD_CHARS
        )
    return op is sre.LITERAL and chr(av) not in WORD_CHARS


def _in_class(items: Any, char: str, sre: Any) -> bool:
    point = ord(char)
    for op, av in items:
        if op is sre.NEGATE:
            return False  # a negated class: do not reason about it
        if (op is sre.LITERAL and av == point) or (op is sre.RANGE and av[0] <= point <= av[1]):
            return True
    return False


def _lead(branch: Any, sre: Any) -> str:
    """The literal text a parsed branch starts with (across zero-width items)."""
    text = []
    for op, av in branch:
        if op is sre.LITERAL:
            text.append(chr(av))
        elif not _zero_width(op, av, sre):
            break
    return "".join(text)


def _required(parsed: Any, sre: Any, at_word: bool) -> list[Trigger]:
    """Sets of literals such that every match of the parsed sequence holds one of each: runs
    of literal characters (across anchors and look-arounds; a run before an alternation whose
    branches all start with text is joined to each), and the sets of a group, of an
    alternation whose every branch has one (the union of each branch's best), of a repeat of
    at least one, of a positive lookahead. `at_word`: the sequence starts at a word start."""
    found: list[Trigger] = []
    run: list[str] = []
    anchored = at_word  # whether the run being read starts a word
    boundary = at_word  # whether the next character starts a word
    for op, av in [*parsed, (None, None)]:
        if op is sre.LITERAL:
            if not run:
                anchored = boundary
            run.append(chr(av))
            boundary = False
            continue
        zero = op is not None and _zero_width(op, av, sre)
        if zero:
            if _word_start(op, av, sre, run):
                if run:
                    anchored = True  # the lookbehind idiom, after the run's first letter
                else:
                    boundary = True
            if op is sre.ASSERT and av[0] >= 0:
                found += _required(av[1], sre, boundary and not run)
            continue
        if op is sre.BRANCH and run and all(_lead(branch, sre) for branch in av[1]):
            joined = {"".join(run) + _lead(branch, sre) for branch in av[1]}
            found.append((frozenset(joined), anchored and run[0] in WORD_CHARS))
            run = []
            boundary = False
            continue
        if run:
            found.append((frozenset({"".join(run)}), anchored and run[0] in WORD_CHARS))
            run = []
        start = boundary
        boundary = _spaces(op, av, sre)
        inner: Any = None
        if op is sre.SUBPATTERN:
            inner = [av[3]]
        elif op is sre.BRANCH:
            inner = av[1]
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT) or op is getattr(sre, "POSSESSIVE_REPEAT", 0):
            inner = [av[2]] if av[0] >= 1 else None
        elif op is getattr(sre, "ATOMIC_GROUP", 0):
            inner = [av]
        if inner and len(inner) == 1:
            found += _required(inner[0], sre, start)
        elif inner:
            best = [_best(_required(branch, sre, start)) for branch in inner]
            if all(best):
                strings = frozenset().union(*(b[0] for b in best if b))
                found.append((strings, all(b[1] for b in best if b)))
    return found


def _rarity(trigger: Trigger) -> tuple[bool, int, int]:
    """How cheap and rare a set of literals likely is: found at word starts (a fast scan),
    then the longer shortest string, then fewer strings."""
    return trigger[1], min(map(len, trigger[0])), -len(trigger[0])


def _best(found: list[Trigger]) -> Trigger | None:
    return max(found, key=_rarity) if found else None


def regex_entry_problem(source: str) -> str | None:
    """Why the regex of a `re:` entry cannot be used, or None when it can.

    A pattern must compile (a repetition count too large for the engine, or nesting too deep,
    counts as not compiling) and must not be able to match an empty string anywhere: a
    zero-width hit (`\\b`, a lone lookahead, `x*`) marks nothing and would be found at every
    position. The engine's own parser gives the shortest width a pattern can match."""
    return checked(source)[1]


def checked(source: str) -> tuple[re.Pattern[str] | None, str | None]:
    """The compiled entry, or None and why it cannot be used (see `regex_entry_problem`).

    The text is searched lower-cased: a pattern without upper-case letters already ignores
    case there, and without the flag the engine can skip ahead to what the pattern starts with
    (an entry with a `hit` group ran up to ten times slower with it)."""
    flags = 0 if _lower_case(source) else re.IGNORECASE
    try:
        pattern = re.compile(source, flags)
        shortest = _parsed(source, flags).getwidth()[0]
    except (re.error, OverflowError, RecursionError, ValueError) as error:
        return None, Text("is not a valid regular expression: {error}", error=str(error))
    if shortest == 0:
        return None, Text(
            "matches the empty string (a zero-width pattern marks no word); "
            "expected a pattern that matches at least one character"
        )
    return pattern, None


def _regex_parser() -> Any:
    """The parser behind `re` (`re._parser` since Python 3.11, `sre_parse` before)."""
    import importlib

    return importlib.import_module("re._parser" if sys.version_info >= (3, 11) else "sre_parse")


@lru_cache(maxsize=256)
def _parsed(source: str, flags: int) -> Any:
    """The regex engine's parse of a pattern (read twice: for its width and its triggers)."""
    return _regex_parser().parse(source, flags)


def compile_entry(category: str, entry: str, source: str) -> re.Pattern[str]:
    pattern, problem = checked(source)
    if pattern is None:
        raise ValueError(f"word list {category!r}: {entry!r} {problem}")
    return pattern


# Upper-case letters in a pattern that are syntax, not text: group names and escapes such as
# \S or \W, which mean the same in lower-cased text.
_SYNTAX = re.compile(r"\(?P[<=>]|\\[ABDSWZ]")


def _lower_case(source: str) -> bool:
    """Whether a pattern has no upper-case letter to match (syntax aside)."""
    rest = _SYNTAX.sub("", source)
    return rest == rest.lower()
