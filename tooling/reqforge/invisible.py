"""The characters a reader does not see as themselves: controls, bidi and zero-width.

One definition for the two places that care: `check` reports them in fields (RF108) and the
renderers show them escaped (render/escaping.py), so what is flagged is what gets escaped.
"""

from __future__ import annotations

import unicodedata

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
    if text.isascii() and text.isprintable():  # the common case, fast
        return []
    return list(dict.fromkeys(c for c in text if c not in keep and is_hidden(c)))


def code_point(char: str) -> str:
    """`\\n`, `\\x1b`, `\\u202e`, `\\U000e0041`: a character in Python's escape notation."""
    if char in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[char]
    point = ord(char)
    if point < 0x100:
        return f"\\x{point:02x}"
    return f"\\u{point:04x}" if point < 0x10000 else f"\\U{point:08x}"


_SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
