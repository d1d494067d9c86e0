"""The one JSON encoder of every JSON output: strict RFC 8259, whatever the front matter holds.

Python's encoder writes NaN and infinity as `NaN`/`Infinity` (which `JSON.parse` and every
strict parser reject), cannot write an int of more than 4,300 digits, and refuses keys that are
not text, numbers, booleans or null (a YAML mapping used as a key). Here a value is first
encoded as it is, by the C encoder with `allow_nan=False` (the common case costs nothing
extra); only a value that fails is made JSON-ready (`json_ready`) and encoded again. SPEC 6a:
a number JSON cannot carry, NaN, infinity or an integer too long for a JSON parser (Python's own
refuses more than 4,300 digits), is written as null.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from reqforge.invisible import escape_each_hidden
from reqforge.scalars import is_number, key_text, real_number


def json_ready(value: Any) -> Any:
    """A copy of `value` that strict JSON can carry: non-finite numbers and integers too long
    to write become None, keys become text (`scalars.key_text`), tuples and sets lists."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        try:
            str(value)  # within the digit limit: JSON parsers read it back
        except ValueError:
            return None
        return value
    if is_number(value):
        return real_number(value)
    if isinstance(value, Mapping):
        return {key_text(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [json_ready(v) for v in value]
    return value  # anything else is the caller's bug: the encoder names its type


def encoder(
    *, indent: int | None = None, separators: tuple[str, str] | None = None
) -> Callable[[Any], str]:
    """A function that encodes one value as strict JSON text (UTF-8 characters kept), laid out
    like `json.dumps` with the same `indent` and `separators`."""
    fast = json.JSONEncoder(
        ensure_ascii=False, allow_nan=False, indent=indent, separators=separators
    ).encode

    def encode(value: Any) -> str:
        try:
            text = fast(value)
        except (ValueError, TypeError):  # NaN, a huge int, a key that is not text
            text = fast(json_ready(value))
        return escape_hidden(text)

    return encode


def escape_hidden(text: str) -> str:
    """JSON text with every bidi, zero-width and other invisible character written as a `\\u`
    escape: the same data to a parser, but nothing that reorders or hides text when the JSON
    is shown in a terminal or a pull request (the encoder already escapes C0 controls)."""
    return escape_each_hidden(text, _json_escape)


def _json_escape(char: str) -> str:
    return json.dumps(char, ensure_ascii=True)[1:-1]


def dumps(value: Any, *, indent: int | None = None) -> str:
    """`value` as strict JSON text, like `json.dumps(value, ensure_ascii=False, indent=...)`."""
    return encoder(indent=indent)(value)
