"""The filter language shared by every command that filters (`list`, `prioritize`, `trace`).

A filter is a boolean expression over the fields of one record::

    status in (accepted, in-progress) and priority.moscow = must and not owner
    title ~ /^bulk/ or tags contains "data export"

`parse` reads the text once into a `Filter` (or raises `FilterError` pointing at the problem);
`Filter.matches(lookup)` then tests one record, where `lookup(name)` returns the value of a field
name exactly as written in the expression (e.g. ``"priority.moscow"``), or None when the record
has no such field. What a name means is the caller's business: this module reads no files and
knows nothing of the model. `Filter.fields` lists every name used, and `validate_fields` rejects
unknown ones with a caret under the first.

Grammar
-------
::

    expr       := and ("or" and)*
    and        := unary ("and" unary)*
    unary      := "not" unary | "(" expr ")" | comparison
    comparison := FIELD [ ("=" | "==" | "!=" | "<" | "<=" | ">" | ">=") value
                        | "in" list | "not" "in" list | "contains" value
                        | "~" (value | /regex/) ]
    list       := "(" value ("," value)* [","] ")"
    value      := WORD | 'string' | "string" | NUMBER | true | false | null

- `not` binds tighter than `and`, and `and` tighter than `or`: ``a or b and c`` is
  ``a or (b and c)``; ``not a and b`` is ``(not a) and b``.
- Keywords (``and or not in contains``) and constants (``true false null``) are
  case-insensitive. A keyword is never a bare value: quote it to use it as text
  (``title ~ "not"``).
- FIELD is a dotted name: parts of letters (any script, CJK too), digits, ``_`` and ``-``, joined
  by ``.`` (``links.depends-on``, ``priority.ice.impact``, ``标题``); not a keyword, a constant
  or a number. It reaches `lookup` as written: field names are case-sensitive, values are not.
- WORD is a bare value of letters, digits, ``_ - . : /`` (``in-progress``, ``CRM-0042``,
  ``2027-01-01``, ``zhang.wei``, ``导出``). Anything else (spaces, ``*``, ``#``, full-width
  punctuation...) needs quotes.
- A string is single- or double-quoted; inside it a backslash escapes a quote or a backslash
  (``"say \\"hi\\""``) and is an ordinary character anywhere else (``"C:\\temp"``).
- NUMBER is a bare ``-?digits[.digits]`` (``60``, ``-1``, ``0.8``); a quoted ``"60"`` is text.
- ``/regex/`` is allowed only after ``~``: Python `re` syntax, searched anywhere in the value,
  always case-insensitive; write ``\\/`` for a slash inside it. It is compiled by `parse`.
- Whitespace (the ideographic space U+3000 too) separates tokens and is optional around
  operators and parentheses: ``status=in-progress and priority.moscow=must``.

Semantics
---------
Text comparisons ignore case everywhere (``Must = must``, ``crm-0042 = CRM-0042``,
``title ~ EXPORT``); there is no case-sensitive comparison, because IDs and enum values are
never told apart by case alone.

=================  ==============================================================================
operator           true when the field's value...
=================  ==============================================================================
``=``, ``==``      equals the value
``!=``             does not equal it: exactly ``not (FIELD = value)``
``< <= > >=``      orders before/after it: numerically when both are numbers, else as text when
                   both are text (ISO dates ``2026-12-15`` order correctly as text); false for a
                   number against text (``due < 2027`` is false: write ``due < 2027-01-01``)
``in (a, b)``      equals any value in the list
``not in (a, b)``  equals none of them: exactly ``not (FIELD in (a, b))``
``contains v``     text or date: has ``v`` as a substring; list: has an element equal to
                   ``v``; mapping: has a key equal to ``v``; number or bool: false
``~ v``            text form has ``v`` as a substring (like ``contains`` on text, but a list's
                   elements are searched too: ``tags ~ exp`` matches ``[export]``)
``~ /re/``         text form matches the regular expression (`re.search`, ignoring case)
``FIELD`` alone    is present and not empty: not None, not blank text, not an empty list or
                   mapping (``false`` and ``0`` are present: write ``source.explicit = true``)
=================  ==============================================================================

Equality of a stored value and a literal:

- number and number: numerically (``8 = 8.0``); a bool is never a number.
- anything else: their text forms, ignoring case. The text form of text is itself, of a number
  literal the digits as written (``code = 0042`` matches the text ``"0042"``), of a stored
  number ``str(n)`` (``value = "8"`` matches the number 8), of a bool ``true``/``false``, of a
  `datetime.date` its ISO form. Mappings have no text form and equal nothing.
- ``null`` equals only a missing value (None): ``reason = null`` is true when there is no reason.

Lists (list, tuple, set): ``=``, ``< <= > >=``, ``in``, ``contains`` and ``~`` are true when
any element is; ``!=`` and ``not in`` are their negations, so true when no element matches
(``tags != export`` is true for ``[]`` and for ``[data]``).

A missing field (lookup returns None) makes every comparison false, except ``!=`` and
``not in`` (true, being negations) and ``= null`` / ``in (..., null)`` (true).

Evaluation never raises for any stored value: a comparison that makes no sense is false.

Errors and limits
-----------------
`parse` raises `FilterError` (``.message``, ``.position`` as a 0-based character offset,
``.expression``) for empty input, an unexpected character or unknown operator, a missing field,
value or operator, unbalanced parentheses, trailing text, an unterminated string or regex and
a bad regex. ``str(error)`` is three lines: ``error: <message>``, the expression and a ``^``
under the offending token (wide CJK characters count two columns). Expressions longer than
`MAX_EXPRESSION_LENGTH` characters or nested (``not``, ``(`` or regex groups) deeper than
`MAX_NESTING_DEPTH` are rejected with a `FilterError` too, never a RecursionError. A regex is
user input: like any regex it can be slow on pathological patterns (``(a+)+$``).
"""

# implements: REQ-706

from __future__ import annotations

import datetime as dt
import difflib
import operator
import re
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from reqforge.i18n import N_, Text

__all__ = [
    "MAX_EXPRESSION_LENGTH",
    "MAX_NESTING_DEPTH",
    "Filter",
    "FilterError",
    "Lookup",
    "parse",
    "validate_fields",
]

#: Longest expression `parse` accepts, in characters.
MAX_EXPRESSION_LENGTH = 2000
#: Deepest nesting of `not` and `(` (and of groups in a regex) that `parse` accepts.
MAX_NESTING_DEPTH = 50

#: Returns the value of a field name as written in the expression, None when absent.
Lookup = Callable[[str], Any]

_KEYWORDS = frozenset({"and", "or", "not", "in", "contains"})
_CONSTANTS = {"true": True, "false": False, "null": None}
_OPERATOR_CHARS = frozenset("=!<>~&|")
_OPERATORS = frozenset({"=", "==", "!=", "<", "<=", ">", ">=", "~"})
_OPERATOR_LIST = "=, !=, <, <=, >, >=, in, not in, contains, ~"
_OPERATOR_HINTS = {
    "!": N_("use 'not' before a condition, or '!=' to compare"),
    "<>": N_("use '!='"),
    "=<": N_("use '<='"),
    "=>": N_("use '>='"),
    "=~": N_("use '~'"),
    "!~": N_("use 'not FIELD ~ VALUE'"),
    "&": N_("use 'and'"),
    "&&": N_("use 'and'"),
    "|": N_("use 'or'"),
    "||": N_("use 'or'"),
}
# Full-width punctuation a Chinese input method types in place of the ASCII the grammar needs.
_FULL_WIDTH = dict(zip("（），、＝！＜＞～“”‘’", "(),,=!<>~\"\"''", strict=True))
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_SEQUENCES = (list, tuple, set, frozenset)
_SHOWN_TOKEN = 30  # longest token quoted in full in a message
_LINE_WIDTH = 100  # longest expression line shown in full under an error


# --- errors ------------------------------------------------------------------------------------


# implements: REQ-706
class FilterError(Exception):
    """A filter expression that cannot be parsed, or names an unknown field.

    `message` says what was expected, `position` is the 0-based character offset of the
    offending token in `expression` (``len(expression)`` for its end). ``str(error)`` renders
    three lines: ``error: <message>``, the expression and a caret under the offending token.
    """

    def __init__(self, message: str, position: int, expression: str) -> None:
        # All three in args, so the error survives pickling (e.g. across worker processes).
        super().__init__(message, position, expression)
        self.message = message
        self.position = position
        self.expression = expression

    def __str__(self) -> str:
        return f"error: {self.text()}"

    def text(self) -> Text:
        """The message (translatable when it is a `Text`), the expression and a caret line."""
        line, padding = _excerpt(self.expression, self.position)
        layout = "{message}\n{line}\n{caret}"  # not a message: nothing to translate
        return Text(layout, message=self.message, line=line, caret=" " * padding + "^")


def _display_char(char: str) -> str:
    """`char` as it can be shown on one terminal line: controls, line breaks, bidi and
    unassigned characters become one ASCII character, so the caret stays aligned."""
    if char.isprintable():
        return char
    return " " if char.isspace() else "?"


def _width(char: str) -> int:
    """Terminal columns of a displayable character: 2 for wide CJK, 0 for combining marks."""
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 2
    return 0 if unicodedata.category(char) in ("Mn", "Me") else 1


def _excerpt(expression: str, position: int) -> tuple[str, int]:
    """The expression line to show under an error and the caret's column in it.

    A line wider than `_LINE_WIDTH` is cut to a window around `position`, marked with ``...``.
    """
    shown = [_display_char(char) for char in expression]
    widths = [_width(char) for char in shown]
    position = max(0, min(position, len(shown)))
    if sum(widths) <= _LINE_WIDTH:
        return "".join(shown), sum(widths[:position])
    start, used = position, 0
    while start > 0 and used + widths[start - 1] <= _LINE_WIDTH * 2 // 3:
        start -= 1
        used += widths[start]
    end = position
    while end < len(shown) and used + widths[end] <= _LINE_WIDTH:
        used += widths[end]
        end += 1
    prefix = "..." if start > 0 else ""
    suffix = "..." if end < len(shown) else ""
    line = prefix + "".join(shown[start:end]) + suffix
    return line, len(prefix) + sum(widths[start:position])


def _quoted(text: str) -> str:
    """`text` in single quotes for a message: unprintable characters escaped, long text cut."""
    if len(text) > _SHOWN_TOKEN:
        text = text[: _SHOWN_TOKEN - 3] + "..."
    shown = "".join(
        char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
        for char in text
    )
    quote = '"' if "'" in shown and '"' not in shown else "'"
    return f"{quote}{shown}{quote}"


# --- tokens ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str  # "word" | "string" | "regex" | "op" | "(" | ")" | "," | "end"
    text: str  # the word, the string's content, the regex pattern or the operator
    raw: str  # the source text
    position: int

    def keyword(self) -> str | None:
        """The keyword this token is (lower case), if it is one."""
        if self.kind != "word":
            return None
        lowered = self.text.lower()
        return lowered if lowered in _KEYWORDS else None

    def describe(self) -> str:
        return Text("end of expression") if self.kind == "end" else _quoted(self.raw)


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char in "_-.:/" or unicodedata.category(char) in ("Mn", "Mc", "Me")


def _tokenize(expression: str) -> list[_Token]:
    """The tokens of `expression`, ending with an "end" token at ``len(expression)``."""
    tokens: list[_Token] = []
    size = len(expression)
    index = 0
    while index < size:
        char = expression[index]
        if char.isspace():
            index += 1
        elif char in "(),":
            tokens.append(_Token(char, char, char, index))
            index += 1
        elif char in "\"'":
            token = _read_string(expression, index)
            tokens.append(token)
            index += len(token.raw)
        elif char in _OPERATOR_CHARS:
            end = index
            while end < size and expression[end] in _OPERATOR_CHARS:
                end += 1
            text = expression[index:end]
            if text not in _OPERATORS:
                hint = (
                    Text(_OPERATOR_HINTS[text])
                    if text in _OPERATOR_HINTS
                    else Text("expected one of {operators}", operators=_OPERATOR_LIST)
                )
                message = Text(
                    "unknown operator {operator}: {hint}", operator=_quoted(text), hint=hint
                )
                raise FilterError(message, index, expression)
            tokens.append(_Token("op", text, text, index))
            index = end
            if text == "~":
                # Only right after `~` does a slash open a regex; elsewhere it is a word character.
                while index < size and expression[index].isspace():
                    index += 1
                if index < size and expression[index] == "/":
                    token = _read_regex(expression, index)
                    tokens.append(token)
                    index += len(token.raw)
        elif _is_word_char(char):
            end = index + 1
            while end < size and _is_word_char(expression[end]):
                end += 1
            word = expression[index:end]
            tokens.append(_Token("word", word, word, index))
            index = end
        else:
            ascii_twin = _FULL_WIDTH.get(char)
            message = (
                Text(
                    "unexpected character {char} (did you mean '{twin}'? put a value that "
                    "contains it in quotes)",
                    char=_quoted(char),
                    twin=ascii_twin,
                )
                if ascii_twin
                else Text(
                    "unexpected character {char} (put a value that contains it in quotes)",
                    char=_quoted(char),
                )
            )
            raise FilterError(message, index, expression)
    tokens.append(_Token("end", "", "", size))
    return tokens


def _read_string(expression: str, start: int) -> _Token:
    """The quoted string starting at `start`: a backslash escapes a quote or a backslash."""
    quote = expression[start]
    content: list[str] = []
    index = start + 1
    while index < len(expression):
        char = expression[index]
        if char == "\\" and index + 1 < len(expression) and expression[index + 1] in "\\\"'":
            content.append(expression[index + 1])
            index += 2
        elif char == quote:
            return _Token("string", "".join(content), expression[start : index + 1], start)
        else:
            content.append(char)
            index += 1
    message = Text("unterminated string: expected a closing {quote!r}", quote=quote)
    raise FilterError(message, start, expression)


def _read_regex(expression: str, start: int) -> _Token:
    """The ``/regex/`` starting at `start`; escapes are kept for `re` (``\\/`` is a slash)."""
    index = start + 1
    while index < len(expression):
        char = expression[index]
        if char == "\\":
            index += 2
        elif char == "/":
            return _Token(
                "regex", expression[start + 1 : index], expression[start : index + 1], start
            )
        else:
            index += 1
    message = Text("unterminated regular expression: expected a closing '/'")
    raise FilterError(message, start, expression)


# --- syntax tree -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Literal:
    """A value written in the expression."""

    kind: str  # "text" | "number" | "bool" | "null" | "regex"
    value: Any  # str, int, float, bool, None or a compiled pattern
    raw: str  # the source text (the digits as written for a number)
    key: str | None  # case-folded text form for comparisons; None for null and regex


@dataclass(frozen=True)
class _Compare:
    field: str
    position: int
    op: str  # an operator, "in", "not in", "contains", or "present" for a bare field
    values: tuple[_Literal, ...] = ()


@dataclass(frozen=True)
class _Not:
    child: _Node


@dataclass(frozen=True)
class _And:
    children: tuple[_Node, ...]


@dataclass(frozen=True)
class _Or:
    children: tuple[_Node, ...]


_Node = _Compare | _Not | _And | _Or


# --- parser ------------------------------------------------------------------------------------


class _Parser:
    """Recursive descent over the token list; depth is bounded by `MAX_NESTING_DEPTH`."""

    def __init__(self, expression: str) -> None:
        self.expression = expression
        self.tokens = _tokenize(expression)
        self.index = 0
        self.depth = 0
        self.fields: list[tuple[str, int]] = []

    def error(self, message: str, position: int) -> FilterError:
        return FilterError(message, position, self.expression)

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        if token.kind != "end":
            self.index += 1
        return token

    def parse(self) -> _Node:
        if self.peek().kind == "end":
            raise self.error(
                Text("empty expression: expected a condition such as 'status = done'"), 0
            )
        node = self.parse_or(None)
        token = self.peek()
        if token.kind == ")":
            raise self.error(Text("unmatched ')'"), token.position)
        if token.kind != "end":
            raise self.error(
                Text(
                    "expected 'and', 'or' or end of expression, found {found}{hint}",
                    found=token.describe(),
                    hint=self.spaces_hint(token),
                ),
                token.position,
            )
        return node

    def parse_or(self, after: _Token | None) -> _Node:
        children = [self.parse_and(after)]
        while self.peek().keyword() == "or":
            children.append(self.parse_and(self.advance()))
        return _Or(_flatten(children, _Or)) if len(children) > 1 else children[0]

    def parse_and(self, after: _Token | None) -> _Node:
        children = [self.parse_unary(after)]
        while self.peek().keyword() == "and":
            children.append(self.parse_unary(self.advance()))
        return _And(_flatten(children, _And)) if len(children) > 1 else children[0]

    def parse_unary(self, after: _Token | None) -> _Node:
        token = self.peek()
        if token.keyword() == "not":
            self.enter(token)
            node: _Node = _Not(self.parse_unary(self.advance()))
            self.depth -= 1
            return node
        if token.kind == "(":
            self.enter(token)
            node = self.parse_or(self.advance())
            closing = self.peek()
            if closing.kind != ")":
                raise self.error(
                    Text(
                        "expected ')' to close '(' at column {column}, found {found}{hint}",
                        column=token.position + 1,
                        found=closing.describe(),
                        hint=self.spaces_hint(closing),
                    ),
                    closing.position,
                )
            self.advance()
            self.depth -= 1
            return node
        return self.parse_comparison(after)

    def enter(self, token: _Token) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING_DEPTH:
            raise self.error(
                Text(
                    "expression is nested too deeply: more than {depth} levels of 'not' and '('",
                    depth=MAX_NESTING_DEPTH,
                ),
                token.position,
            )

    def parse_comparison(self, after: _Token | None) -> _Compare:
        token = self.peek()
        if (
            token.kind != "word"
            or token.keyword() is not None
            or _word_literal(token.text).kind != "text"
        ):
            message = (
                Text(
                    "expected a field name after {after}, found {found}",
                    after=_quoted(after.raw),
                    found=token.describe(),
                )
                if after is not None
                else Text("expected a field name, found {found}", found=token.describe())
            )
            raise self.error(message, token.position)
        parts = token.text.split(".")
        if not all(part and ":" not in part and "/" not in part for part in parts):
            raise self.error(
                Text(
                    "{name} is not a field name: use letters, digits, '_' and '-', "
                    "with '.' between parts",
                    name=_quoted(token.text),
                ),
                token.position,
            )
        self.advance()
        field, position = token.text, token.position
        self.fields.append((field, position))
        operator_token = self.peek()
        keyword = operator_token.keyword()
        if keyword == "in":
            self.advance()
            return _Compare(field, position, "in", self.parse_list("in"))
        if keyword == "not":
            self.advance()
            following = self.peek()
            if following.keyword() != "in":
                raise self.error(
                    Text("expected 'in' after 'not', found {found}", found=following.describe()),
                    following.position,
                )
            self.advance()
            return _Compare(field, position, "not in", self.parse_list("not in"))
        if keyword == "contains":
            self.advance()
            return _Compare(field, position, "contains", (self.parse_value(operator_token),))
        if operator_token.kind == "op":
            self.advance()
            op = "=" if operator_token.text == "==" else operator_token.text
            return _Compare(field, position, op, (self.parse_value(operator_token),))
        if operator_token.kind in ("end", ")") or keyword in ("and", "or"):
            return _Compare(field, position, "present")
        raise self.error(
            Text(
                "expected an operator after {field} ({operators}), found {found}",
                field=_quoted(field),
                operators=_OPERATOR_LIST,
                found=operator_token.describe(),
            ),
            operator_token.position,
        )

    def parse_list(self, name: str) -> tuple[_Literal, ...]:
        token = self.peek()
        if token.kind != "(":
            raise self.error(
                Text(
                    "expected '(' after '{name}', found {found}", name=name, found=token.describe()
                ),
                token.position,
            )
        self.advance()
        values = [self.parse_value(token)]
        while True:
            separator = self.peek()
            if separator.kind == ")":
                self.advance()
                return tuple(values)
            if separator.kind != ",":
                raise self.error(
                    Text(
                        "expected ',' or ')' to close '(' at column {column}, found {found}{hint}",
                        column=token.position + 1,
                        found=separator.describe(),
                        hint=self.spaces_hint(separator),
                    ),
                    separator.position,
                )
            self.advance()
            if self.peek().kind == ")":  # a trailing comma
                continue
            values.append(self.parse_value(separator))

    def parse_value(self, after: _Token) -> _Literal:
        token = self.peek()
        if token.kind == "string":
            self.advance()
            return _Literal("text", token.text, token.raw, token.text.casefold())
        if token.kind == "regex":
            self.advance()
            return _Literal("regex", self.compile_regex(token), token.raw, None)
        keyword = token.keyword()
        if token.kind == "word" and keyword is None:
            self.advance()
            return _word_literal(token.text)
        expected = Text("a value or /regex/") if after.text == "~" else Text("a value")
        hint: str = ""
        if keyword:
            hint = Text(' (write "{keyword}" in quotes to use it as a value)', keyword=keyword)
        elif token.kind == "(" and after.kind == "op":
            hint = Text(" (use 'in (a, b)' to compare with a list)")
        raise self.error(
            Text(
                "expected {expected} after {after}, found {found}{hint}",
                expected=expected,
                after=_quoted(after.raw),
                found=token.describe(),
                hint=hint,
            ),
            token.position,
        )

    def compile_regex(self, token: _Token) -> re.Pattern[str]:
        start = token.position + 1  # the pattern's first character in the expression
        too_deep = _regex_too_deep(token.text)
        if too_deep is not None:
            raise self.error(
                Text(
                    "regular expression is nested too deeply: more than {depth} groups inside "
                    "each other",
                    depth=MAX_NESTING_DEPTH,
                ),
                start + too_deep,
            )
        try:
            with warnings.catch_warnings():
                # A global flag in the middle only warns on Python 3.10 and is an error on 3.11:
                # make it an error on both. "Possible nested set" is a note about a future
                # Python, not a problem in the pattern.
                warnings.simplefilter("error", DeprecationWarning)
                warnings.simplefilter("ignore", FutureWarning)
                return re.compile(token.text, re.IGNORECASE)
        except re.error as error:
            offset = error.pos if error.pos is not None else 0
            raise self.error(_bad_regex(error.msg), start + offset) from None
        except DeprecationWarning as warning:
            # Python 3.10's wording of 3.11's error "global flags not at the start ...".
            found = re.search(r"Flags not at the start .* at position (\d+)", str(warning))
            if found is None:
                raise self.error(_bad_regex(str(warning)), start) from None
            raise self.error(
                _bad_regex("global flags not at the start of the expression"),
                start + int(found.group(1)),
            ) from None
        except (OverflowError, RecursionError, ValueError) as error:
            raise self.error(_bad_regex(str(error)), start) from None

    def spaces_hint(self, token: _Token) -> str:
        """A hint when a bare word follows a bare word value: a value with spaces unquoted."""
        previous = self.tokens[self.index - 1] if self.index > 0 else None
        if (
            token.kind == "word"
            and token.keyword() is None
            and previous is not None
            and previous.kind == "word"
        ):
            return Text(
                ' (quote a value that contains spaces: "{first} {second}")',
                first=previous.text,
                second=token.text,
            )
        return ""


def _bad_regex(detail: str) -> Text:
    # The detail is Python's own (English) message from `re`.
    return Text("bad regular expression: {detail}", detail=detail)


def _flatten(children: list[_Node], kind: type[_And] | type[_Or]) -> tuple[_Node, ...]:
    """`children`, with nested groups of the same kind spliced in: (a or b) or c = a or b or c."""
    flat: list[_Node] = []
    for child in children:
        flat.extend(child.children if isinstance(child, kind) else (child,))
    return tuple(flat)


def _word_literal(word: str) -> _Literal:
    """A bare word as a literal: a constant, a number or text."""
    lowered = word.lower()
    if lowered in _CONSTANTS:
        value = _CONSTANTS[lowered]
        if value is None:
            return _Literal("null", None, lowered, None)
        return _Literal("bool", value, lowered, lowered)
    if _NUMBER.fullmatch(word):
        number: int | float = float(word) if "." in word else int(word)
        return _Literal("number", number, word, word)
    return _Literal("text", word, word, word.casefold())


def _regex_too_deep(pattern: str) -> int | None:
    """Offset of the first group opened deeper than `MAX_NESTING_DEPTH` in `pattern`, if any.

    Python's regex parser recurses once per nested group; checking first keeps a pattern of a
    few hundred ``(`` a clear error rather than a RecursionError.
    """
    depth = 0
    index = 0
    in_class = False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            # A `]` right after `[` or `[^` is a literal member, not the end of the class.
            if pattern.startswith("^", index + 1):
                index += 1
            if pattern.startswith("]", index + 1):
                index += 1
        elif char == "(":
            depth += 1
            if depth > MAX_NESTING_DEPTH:
                return index
        elif char == ")":
            depth = max(0, depth - 1)
        index += 1
    return None


# --- evaluation --------------------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _text_of(value: Any) -> str | None:
    """The text form of a stored scalar, or None when it has none (mappings, lists, None)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        try:
            return str(value)
        except ValueError:  # an int too long to print (sys.get_int_max_str_digits)
            return None
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return None


def _equals(value: Any, literal: _Literal) -> bool:
    """Whether one stored scalar equals a literal (see the module docstring)."""
    if value is None or literal.kind == "null":
        return value is None and literal.kind == "null"
    if literal.kind == "number" and _is_number(value):
        return bool(value == literal.value)
    text = _text_of(value)
    return text is not None and text.casefold() == literal.key


def _any_element(test: Callable[[Any], bool]) -> Callable[[Any], bool]:
    """`test` lifted to stored values: on a list, true when it holds for any element."""

    def lifted(value: Any) -> bool:
        if isinstance(value, _SEQUENCES):
            return any(test(item) for item in value)
        return test(value)

    return lifted


def _equal_test(literal: _Literal) -> Callable[[Any], bool]:
    key = literal.key

    def test(value: Any) -> bool:
        if type(value) is str:  # the common case, without the general dispatch
            return value.casefold() == key
        return _equals(value, literal)

    return _any_element(test)


def _in_test(literals: tuple[_Literal, ...]) -> Callable[[Any], bool]:
    keys = frozenset(literal.key for literal in literals if literal.key is not None)

    def test(value: Any) -> bool:
        if type(value) is str:
            return value.casefold() in keys
        return any(_equals(value, literal) for literal in literals)

    return _any_element(test)


_ORDERINGS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _order_test(op: str, literal: _Literal) -> Callable[[Any], bool]:
    compare = _ORDERINGS[op]
    if literal.kind == "number":
        bound = literal.value

        def numeric(value: Any) -> bool:
            return _is_number(value) and bool(compare(value, bound))

        return _any_element(numeric)
    if literal.kind != "text":
        return lambda value: False
    key = literal.key

    def textual(value: Any) -> bool:
        if isinstance(value, str):
            return bool(compare(value.casefold(), key))
        if isinstance(value, (dt.date, dt.time)):
            return bool(compare(value.isoformat().casefold(), key))
        return False

    return _any_element(textual)


def _contains_test(literal: _Literal) -> Callable[[Any], bool]:
    key = literal.key

    def test(value: Any) -> bool:
        if isinstance(value, str):
            return key is not None and key in value.casefold()
        if isinstance(value, _SEQUENCES):
            return any(_equals(item, literal) for item in value)
        if isinstance(value, Mapping):
            return any(_equals(name, literal) for name in value)
        if isinstance(value, (dt.date, dt.time)):
            return key is not None and key in value.isoformat().casefold()
        return False

    return test


def _match_test(literal: _Literal) -> Callable[[Any], bool]:
    if literal.kind == "regex":
        search = literal.value.search

        def matches_regex(value: Any) -> bool:
            text = _text_of(value)
            return text is not None and search(text) is not None

        return _any_element(matches_regex)
    key = literal.key
    if key is None:  # `~ null`: nothing has null as a substring
        return lambda value: False

    def has_substring(value: Any) -> bool:
        text = _text_of(value)
        return text is not None and key in text.casefold()

    return _any_element(has_substring)


def _present(value: Any) -> bool:
    """A bare field: present and not empty."""
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, (*_SEQUENCES, Mapping)):
        return len(value) > 0
    return True


def _value_test(node: _Compare) -> Callable[[Any], bool]:
    """The test of one comparison on the stored value."""
    op, values = node.op, node.values
    if op == "present":
        return _present
    if op in ("=", "!="):
        equal = _equal_test(values[0])
        return equal if op == "=" else lambda value: not equal(value)
    if op in ("in", "not in"):
        member = _in_test(values)
        return member if op == "in" else lambda value: not member(value)
    if op == "contains":
        return _contains_test(values[0])
    if op == "~":
        return _match_test(values[0])
    return _order_test(op, values[0])


def _compile(node: _Node) -> Callable[[Lookup], bool]:
    """`node` as one closure over a lookup: the tree is walked once here, never per record."""
    if isinstance(node, _Compare):
        field, test = node.field, _value_test(node)
        return lambda lookup: test(lookup(field))
    if isinstance(node, _Not):
        child = _compile(node.child)
        return lambda lookup: not child(lookup)
    parts = tuple(_compile(child) for child in node.children)
    if isinstance(node, _And):

        def all_hold(lookup: Lookup) -> bool:
            return all(part(lookup) for part in parts)

        return all_hold

    def any_holds(lookup: Lookup) -> bool:
        return any(part(lookup) for part in parts)

    return any_holds


# --- rendering ---------------------------------------------------------------------------------


def _render_literal(literal: _Literal) -> str:
    if literal.kind != "text":
        return literal.raw
    text = literal.value
    bare = (
        text
        and all(_is_word_char(char) for char in text)
        and not text.startswith("/")
        and text.lower() not in _KEYWORDS
        and _word_literal(text).kind == "text"
    )
    if bare:
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _render(node: _Node) -> str:
    """The normalised text of `node`: single spaces, `=` for `==`, and explicit parentheses
    around every `and` inside an `or` (and any group under `not`)."""
    if isinstance(node, _Compare):
        if node.op == "present":
            return node.field
        if node.op in ("in", "not in"):
            items = ", ".join(_render_literal(value) for value in node.values)
            return f"{node.field} {node.op} ({items})"
        return f"{node.field} {node.op} {_render_literal(node.values[0])}"
    if isinstance(node, _Not):
        inner = _render(node.child)
        return f"not ({inner})" if isinstance(node.child, (_And, _Or)) else f"not {inner}"
    joiner = " and " if isinstance(node, _And) else " or "
    return joiner.join(
        f"({_render(child)})" if isinstance(child, (_And, _Or)) else _render(child)
        for child in node.children
    )


# --- public API --------------------------------------------------------------------------------


class Filter:
    """A parsed filter expression. Build it with `parse`; test records with `matches`."""

    __slots__ = ("_expression", "_field_positions", "_fields", "_predicate", "_root")

    def __init__(
        self, expression: str, root: _Node, field_positions: Iterable[tuple[str, int]]
    ) -> None:
        self._expression = expression
        self._root = root
        self._field_positions = tuple(field_positions)
        self._fields = frozenset(name for name, _ in self._field_positions)
        self._predicate = _compile(root)

    @property
    def expression(self) -> str:
        """The expression as it was given to `parse`."""
        return self._expression

    @property
    def fields(self) -> frozenset[str]:
        """Every field name the expression uses, as written (the names `lookup` will get)."""
        return self._fields

    @property
    def field_positions(self) -> tuple[tuple[str, int], ...]:
        """Every use of a field as (name, 0-based offset in `expression`), in source order."""
        return self._field_positions

    def matches(self, lookup: Lookup) -> bool:
        """Whether the record behind `lookup` passes the filter.

        `lookup(name)` returns the value of a field name (see `fields`), None when absent; for
        a flat dict of dotted names `record.get` will do. Never raises for any value returned
        (exceptions from `lookup` itself propagate).
        """
        return self._predicate(lookup)

    def __str__(self) -> str:
        """The normalised expression (parses back to the same filter)."""
        return _render(self._root)

    def __repr__(self) -> str:
        return f"Filter({self._expression!r})"


# implements: REQ-706
def parse(expression: str) -> Filter:
    """Parse a filter expression (grammar and semantics in the module docstring).

    Raises `FilterError` with the position of the problem for anything that is not a valid
    expression, including input longer than `MAX_EXPRESSION_LENGTH` characters or nested
    deeper than `MAX_NESTING_DEPTH`.
    """
    if len(expression) > MAX_EXPRESSION_LENGTH:
        raise FilterError(
            Text(
                "expression is too long: {length:,} characters, the limit is {limit:,}",
                length=len(expression),
                limit=MAX_EXPRESSION_LENGTH,
            ),
            MAX_EXPRESSION_LENGTH,
            expression,
        )
    parser = _Parser(expression)
    root = parser.parse()
    return Filter(expression, root, parser.fields)


def validate_fields(
    parsed: Filter, known: Callable[[str], bool], suggestions: Iterable[str] = ()
) -> None:
    """Raise `FilterError` at the first field (in source order) for which `known` is false.

    The message is ``unknown field 'name'``, with ``(did you mean 'other'?)`` when one of
    `suggestions` is close to it.
    """
    for name, position in parsed.field_positions:
        if not known(name):
            close = difflib.get_close_matches(name, list(suggestions), n=1)
            hint = Text(" (did you mean '{name}'?)", name=close[0]) if close else ""
            message = Text("unknown field '{key}'{hint}", key=name, hint=hint)
            raise FilterError(message, position, parsed.expression)
