"""The characters a reader does not see as themselves: controls, bidi and zero-width.

One definition for the two places that care: `check` reports them in fields (RF108) and the
renderers show them escaped (render/escaping.py), so what is flagged is what gets escaped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import cache

# Besides every control (Cc) and format (Cf: bidi embeddings, overrides and isolates, zero-width
# spaces and joiners, soft hyphen, BOM, tag characters) character: line and paragraph
# separators, lone surrogates (a file name that is not UTF-8) and fillers that show as nothing.
_INVISIBLE = frozenset("\u2028\u2029\u115f\u1160\u3164\uffa0\u2800")
_HIDDEN_CATEGORIES = frozenset(("Cc", "Cf", "Cs", "Zl", "Zp"))


def is_hidden(char: str) -> bool:
    """Whether `char` is a control, format (bidi, zero-width) or otherwise invisible character."""
    return char in _INVISIBLE or unicodedata.category(char) in _HIDDEN_CATEGORIES


def hidden_characters(text: str, keep: str = "") -> list[str]:
    """The hidden characters of `text` other than those in `keep`, each once, in order."""
    if all_visible(text, keep):
        return []
    return list(dict.fromkeys(c for c in text if c not in keep and is_hidden(c)))


def all_visible(text: str, keep: str = "") -> bool:
    """Whether `text` holds no hidden character but those in `keep`, at regex speed (a
    lookup per character is for the rare text that holds one)."""
    if text.isascii() and text.isprintable():  # the common case, fast
        return True
    # A Chinese text, or one with line breaks: regex speed rather than a lookup per character.
    return _controls(keep).search(text) is None and not has_hidden(text)


@cache
def _controls(keep: str) -> re.Pattern[str]:
    """The control characters below U+0020 other than those in `keep`, as one class."""
    return re.compile(
        "[" + "".join(re.escape(chr(c)) for c in range(32) if chr(c) not in keep) + "]"
    )


def code_point(char: str) -> str:
    """`\\n`, `\\x1b`, `\\u202e`, `\\U000e0041`: a character in Python's escape notation."""
    if char in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[char]
    point = ord(char)
    if point < 0x100:
        return f"\\x{point:02x}"
    return f"\\u{point:04x}" if point < 0x10000 else f"\\U{point:08x}"


_SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


# Every hidden character from U+0020 up, as character classes, so that a long text (a JSON
# document of megabytes) is searched at regex speed instead of character by character: one class
# for the Basic Multilingual Plane, one for the rest (searched only when a text has characters
# there). Supersets across the Unicode versions of Python 3.10 to 3.13 (a test compares them with
# `is_hidden` over every code point of the running interpreter).
HIDDEN_IN_BMP = re.compile(
    "[\u007f-\u009f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u115f-\u1160"
    "\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\u2800\u3164\ud800-\udfff"
    "\ufeff\uffa0\ufff9-\ufffb]"
)
HIDDEN_ABOVE_BMP = re.compile(
    "[\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f]"
)


def has_hidden(text: str) -> bool:
    """Whether `text` holds a hidden character from U+0020 up (the regex-speed test)."""
    if text.isascii():
        return "\x7f" in text
    if HIDDEN_IN_BMP.search(text):
        return True
    # Only a text with characters beyond the BMP needs the second class: in UTF-16 they take
    # two units each, so the encoded length gives them away (a C-speed encode).
    if len(text.encode("utf-16-le", "surrogatepass")) == 2 * len(text):
        return False
    return HIDDEN_ABOVE_BMP.search(text) is not None


def escape_each_hidden(text: str, escape: Callable[[str], str]) -> str:
    """`text` with every hidden character from U+0020 up replaced by `escape(char)`."""
    if not has_hidden(text):
        return text
    text = HIDDEN_IN_BMP.sub(lambda match: escape(match.group()), text)
    return HIDDEN_ABOVE_BMP.sub(lambda match: escape(match.group()), text)
