"""One value in one spreadsheet cell and back: the encoding `export --to csv|xlsx` writes and
`import --from csv|xlsx` reads, so that a round trip gives back every value as it was.

Text is written as it is, line breaks included (a CSV cell is quoted; the body keeps its
Markdown). Numbers, booleans (`true`, `false`) and dates (ISO 8601) as their usual text (as
values in a workbook). A list of plain items is written `a; b` — what a person edits — and any
other list (an item holding `;`, an empty list, items that are not text or numbers) or mapping
as JSON (`["a; b", "c"]`). Reading a cell, the field's kind decides: a list field takes either
form back, an integer field an integer; a field reqforge does not know takes a JSON list or
mapping, an integer, a decimal number, `true`/`false` or a date by their look, and text
otherwise.

In CSV a cell a spreadsheet would run as a formula (= + - @, tab, CR) starts with `'` (SPEC 6a),
and so does a cell that starts with `'`: reading drops one leading `'`, so the guard never
changes a value.
"""

# implements: REQ-707

from __future__ import annotations

import datetime as dt
import json
import math
import re
from typing import Any

from reqforge.fields import Spec

LIST_KINDS = frozenset({"strings", "ids", "codes", "list"})
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")
_INT = re.compile(r"^[+-]?\d+$")
_FLOAT = re.compile(r"^[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _json_default(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def _plain_item(value: Any) -> bool:
    return (
        isinstance(value, str)
        and value != ""
        and ";" not in value
        and value == value.strip()
        and "\n" not in value
        and not value.startswith(("[", "{"))
    )


def as_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=_json_default)


def cell_value(value: Any) -> Any:
    """`value` as a workbook cell holds it: None (empty), a number, a boolean, or text."""
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        if value and all(_plain_item(item) for item in value):
            return "; ".join(cell_text(item) for item in value)
        return as_json(list(value))
    if isinstance(value, dict):
        return as_json(value)
    return str(value)


def cell_text(value: Any) -> str:
    """`value` as CSV text (before the formula guard)."""
    shown = cell_value(value)
    if shown is None:
        return ""
    if isinstance(shown, bool):
        return "true" if shown else "false"
    if isinstance(shown, float):
        return repr(shown)
    return str(shown)


def guard(text: str) -> str:
    """A CSV cell's text with the formula guard (see the module docstring)."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def unguard(text: str) -> str:
    return text[1:] if text.startswith("'") else text


def _json(text: str, kind: type) -> Any:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, kind) else None


def _number(text: str) -> Any:
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text):
        return float(text)
    return None


def _date(text: str) -> dt.date | None:
    if not _DATE.match(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _from_workbook(value: Any, spec: Spec | None) -> Any:
    """A non-text workbook cell (a person may have typed a number or a date)."""
    kind = spec.kind if spec is not None else None
    if isinstance(value, dt.datetime):
        if kind not in (None, "date") or value.time() != dt.time():
            return value.isoformat()
        return value.date()
    if isinstance(value, float) and value.is_integer() and kind in ("int", "string", "enum"):
        value = int(value)
    if kind in ("string", "enum") and not isinstance(value, bool):
        return value if kind == "enum" and spec and value in (spec.values or ()) else str(value)
    if kind in LIST_KINDS:
        return [value]
    return value


def read_cell(value: Any, spec: Spec | None) -> Any:
    """A cell's value (text from a CSV, or what a workbook holds) for a field of `spec`
    (None: a field reqforge does not know). None for an empty cell: the field is absent."""
    if value is None:
        return None
    if not isinstance(value, str):
        return _from_workbook(value, spec)
    text = value
    if text == "":
        return None
    kind = spec.kind if spec is not None else None
    if kind in LIST_KINDS:
        listed = _json(text, list) if text.startswith("[") else None
        if listed is not None:
            return listed
        return [part.strip() for part in text.split(";") if part.strip()]
    if kind in ("string", "enum") and not (spec and spec.values and _number(text) is not None):
        return text
    if kind == "int":
        return int(text) if _INT.match(text.strip()) else text
    if kind == "number":
        number = _number(text.strip())
        return text if number is None else number
    if kind == "bool":
        lowered = text.strip().lower()
        return {"true": True, "false": False, "yes": True, "no": False}.get(lowered, text)
    if kind == "date":
        return _date(text.strip()) or text
    if kind in ("mapping", "map"):
        return _json(text, dict) if text.startswith("{") else text
    # unknown fields (and `any`): by their look
    if text.startswith("[") and (listed := _json(text, list)) is not None:
        return listed
    if text.startswith("{") and (mapping := _json(text, dict)) is not None:
        return mapping
    if text in ("true", "false"):
        return text == "true"
    number = _number(text)
    if number is not None and not (
        isinstance(number, int) and text.lstrip("+-").startswith("0") and len(text.lstrip("+-")) > 1
    ):
        return number
    return _date(text) or text
