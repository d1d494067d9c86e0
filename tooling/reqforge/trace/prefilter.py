"""The literal keywords every match of a marker pattern contains: a cheap pre-filter for `scan`.

Most files of a source tree hold no marker. A plain substring search for the marker's literal
keywords (``req:``, ``verifies=``, ...) finds the few lines worth running the regex on, so most
files are never decoded (see `reqforge.trace.markers`).

The keywords are read from the pattern as CPython's own regex parser sees it. That parser is
private: ``re._parser`` since Python 3.11, ``sre_parse`` on 3.10. It is looked up when asked for,
and anything unexpected (neither module there, a parse tree of another shape, an opcode this code
does not know) gives None: no pre-filter, every file is searched in full. That only costs speed,
never a marker.
"""

from __future__ import annotations

import importlib
import re
from types import ModuleType
from typing import Any

# Where CPython keeps its regex parser, newest first: `re._parser` (3.11+), `sre_parse` (3.10,
# and a deprecated alias later, which is why it comes second).
PARSER_MODULES = ("re._parser", "sre_parse")

_MAX_LITERALS = 32  # alternatives multiplied out, at most

# The parse tree is the private parser's own: (opcode, argument) pairs whose argument's shape
# depends on the opcode. Nothing about it is typed, hence Any (and the broad except in
# `required_literals`).
_Item = tuple[Any, Any]


def _parser_module() -> ModuleType | None:
    """CPython's regex parser module, or None when this Python has none of the known ones."""
    for name in PARSER_MODULES:
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    return None


# implements: REQ-401
def required_literals(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """Strings of which every match of `pattern` contains at least one, or None.

    None whenever in doubt (case folding, nothing literal found, a parser this code does not
    know), which only costs speed. Small character classes and alternations multiply out, so the
    default marker gives ``req:``, ``req=``, ``requirement:``, ... ``verifies=``: rare in code,
    unlike ``req``. A longer keyword that contains a kept one is dropped (it adds nothing).
    """
    parser = _parser_module()
    if parser is None:
        return None
    try:
        parsed = parser.parse(pattern.pattern, pattern.flags)
        if parsed.state.flags & re.IGNORECASE:
            return None
        found = _literal_set(list(parsed))
    except Exception:  # a parser of another shape: no pre-filter rather than a crash
        return None
    if not found or min(len(s) for s in found) < 2:
        return None
    words = sorted(set(found), key=len)
    kept: list[str] = []
    for word in words:
        if not any(k in word for k in kept):
            kept.append(word)
    return tuple(kept)


def _name(op: Any) -> str:
    return getattr(op, "name", str(op))


def _exact_set(items: list[_Item]) -> set[str] | None:
    """Every string `items` can match, when that is a small set of literals; else None."""
    out = {""}
    for op, av in items:
        name = _name(op)
        if name == "LITERAL":
            options = {chr(av)}
        elif name == "IN" and all(_name(o) == "LITERAL" for o, _ in av):
            options = {chr(v) for _, v in av}
        elif name == "BRANCH":
            options = set()
            for branch in av[1]:
                part = _exact_set(list(branch))
                if part is None:
                    return None
                options |= part
        elif name == "SUBPATTERN" and not av[1] & re.IGNORECASE:
            part = _exact_set(list(av[3]))
            if part is None:
                return None
            options = part
        else:
            return None
        out = {head + tail for head in out for tail in options}
        if len(out) > _MAX_LITERALS:
            return None
    return out


def _literal_set(items: list[_Item]) -> set[str] | None:
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
            _group, add_flags, _del, sub = av
            if not add_flags & re.IGNORECASE:
                consider(_literal_set(list(sub)))
        elif name == "ATOMIC_GROUP":
            consider(_literal_set(list(av)))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, _high, sub = av
            if low >= 1:
                consider(_literal_set(list(sub)))
        elif name == "BRANCH":
            union: set[str] = set()
            for branch in av[1]:
                part = _literal_set(list(branch))
                if not part:
                    union = set()
                    break
                union |= part
            consider(union or None)
    consider(run if "" not in run else None)
    return best
