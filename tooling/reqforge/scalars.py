"""Front-matter values as reqforge reads and shows them, whatever YAML allowed into them.

YAML 1.2 gives integers of any length, `.nan` and `.inf`, and mappings whose keys are not text.
Python refuses to print an integer of more than 4,300 digits (`sys.get_int_max_str_digits`),
JSON has no NaN or infinity, and a comparison with NaN is always false. Numbers are therefore
read through `real_number` (finite, within the float range, never a bool) and shown through
`number_text` and `flow_text`, which never raise: every value the loader accepts renders in
every command (SPEC 6a).
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Mapping
from typing import Any, TypeGuard

# The largest finite float: an int beyond it has no float value, so no priority can use it.
LARGEST = sys.float_info.max


_PLAIN = frozenset({str, int, float, bool, list, type(None)})


def is_mapping(value: Any) -> bool:
    """Whether a YAML value is a mapping. yaml_rs gives plain dicts: the exact type test
    spares them and the scalars the slow ABC test, which other callers' mappings still get."""
    kind = type(value)
    return kind is dict or (kind not in _PLAIN and isinstance(value, Mapping))


def is_number(value: Any) -> TypeGuard[int | float]:
    """True for an int or a float; a bool is never a number."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def real_number(value: Any) -> float | None:
    """A number as a finite float; None for NaN, infinity, an int beyond the float range, a
    bool or anything that is not a number."""
    if not is_number(value):
        return None
    if isinstance(value, int) and not -LARGEST <= value <= LARGEST:
        return None  # compared as ints: float(value) would raise OverflowError
    number = float(value)
    return number if math.isfinite(number) else None


def int_text(value: int) -> str:
    """An int in decimal; one too long to print (over Python's digit limit) as its leading
    digits and its length, e.g. `9.99999e+4999 (a 5,000-digit integer)`."""
    try:
        return str(value)
    except ValueError:
        pass
    magnitude = abs(value)
    exponent = math.log10(magnitude)  # Python computes it for ints of any size
    digits = int(exponent) + 1
    if exponent - int(exponent) < 1e-9 and 10 ** (digits - 1) > magnitude:
        digits -= 1  # 99...9 rounds up to the next power of ten in float arithmetic
    # The float log keeps about ten significant digits of the mantissa; six are shown.
    mantissa = min(10 ** (exponent - (digits - 1)), 9.99999)
    sign = "-" if value < 0 else ""
    return f"{sign}{mantissa:.6g}e+{digits - 1} (a {digits:,}-digit integer)"


def number_text(value: float) -> str:
    """A number as YAML writes it: `.nan`, `.inf`, `-.inf`, an int of any length, a float's
    shortest repr."""
    if isinstance(value, int):
        return int_text(value)
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    return repr(value)


def flow_text(value: Any, sort_keys: bool = False) -> str:
    """Any front-matter value as one line of JSON-like text: JSON where JSON can say it (the
    common case, written by the C encoder); numbers JSON cannot carry as `number_text`, and
    keys that are not text (a YAML mapping or list used as a key) as their own flow text."""
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False, sort_keys=sort_keys)
    except (ValueError, TypeError):
        return _flow(value, sort_keys)


def _flow(value: Any, sort_keys: bool) -> str:
    # Front matter nests at most loader.MAX_DEPTH levels, so recursion is bounded.
    if value is None or isinstance(value, (bool, str)):
        return json.dumps(value, ensure_ascii=False)
    if is_number(value):
        return number_text(value)
    if isinstance(value, Mapping):
        pairs = [(key_text(k), _flow(v, sort_keys)) for k, v in value.items()]
        if sort_keys:
            pairs.sort()
        return "{" + ", ".join(f"{json.dumps(k, ensure_ascii=False)}: {v}" for k, v in pairs) + "}"
    if isinstance(value, frozenset):  # a YAML mapping used as a key: its (key, value) pairs
        items = [i if isinstance(i, tuple) and len(i) == 2 else (i, None) for i in value]
        return "{" + ", ".join(sorted(f"{key_text(k)}: {_flow(v, True)}" for k, v in items)) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_flow(v, sort_keys) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def dotted_leaves(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Nested mappings as (dotted key, leaf value) pairs, in the file's order (`priority.ice.
    impact`); a list, a scalar or an empty mapping is a leaf."""
    if isinstance(value, dict) and value:
        out: list[tuple[str, Any]] = []
        for key, item in value.items():
            out += dotted_leaves(item, f"{prefix}.{key_text(key)}" if prefix else key_text(key))
        return out
    return [(prefix, value)]


def key_text(key: Any) -> str:
    """A mapping key as text: itself when it is text, else its flow text (`1`, `true`,
    `{a: 1}` for a YAML mapping used as a key)."""
    return key if isinstance(key, str) else _flow(key, True)
