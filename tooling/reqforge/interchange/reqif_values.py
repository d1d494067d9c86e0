"""How reqforge's values travel in ReqIF: what both `reqif_export.py` writes and
`reqif_import.py` reads, so that our own import gives back exactly what the export wrote.

XML text: what XML 1.0 can hold at all (`_carriable`) and text made fit for a name, an
attribute or element content (`_shown`, `_escape`, `_text`).

Values: a front-matter leaf as (kind, THE-VALUE) and back (`_encode`, `_decode`), typed
INTEGER, REAL, BOOLEAN, DATE or STRING; a value of any other kind (a list, null, an empty or
oddly keyed mapping, NaN, a string XML cannot hold) is JSON, with tagged objects for what JSON
cannot say (a date, an int beyond the float range, a mapping with keys that are not text).

Attribute definitions: every one of ours carries its meaning, a `_Slot` (role, kind, key
path), in its DESC after MARK (`reqforge:["field","integer",["priority","ice","impact"]]`):
`_description` writes it, `_our_slot` reads it, whatever the names say.
"""

# implements: REQ-707

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from reqforge.scalars import key_text

MARK = "reqforge:"  # the DESC of our attribute definitions starts with it
# Attribute definitions' roles: a front-matter field, the Markdown body, the links, the XHTML.
FIELD, BODY_ROLE, LINKS, TEXT = "field", "body", "links", "text"
PATH_ROLE = "path"  # the file: our import puts it back in its folder
_INT_RANGE = 2**63
# Characters XML 1.0 cannot hold at all, not even as a character reference.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# --------------------------------------------------------------------------------------------
# XML text


def _carriable(text: str) -> bool:
    """Whether XML can hold `text` exactly (as text or a character reference)."""
    return _NOT_XML.search(text) is None


def _shown(text: str) -> str:
    """`text` for display in a name or the XHTML: what XML cannot hold becomes U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def _escape(text: str) -> str:
    """`text` as XML attribute or element content, for the unparser's unescaped places."""
    return _text(text).replace('"', "&quot;").replace("\t", "&#9;").replace("\n", "&#10;")


def _text(text: str) -> str:
    """`text` as XML element content (line breaks kept as they are, `\r` as a reference)."""
    return (
        _shown(text)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\r", "&#13;")
    )


# --------------------------------------------------------------------------------------------
# values <-> text


def _to_json(value: Any) -> Any:
    """A front-matter value as JSON data that `_from_json` turns back into exactly it: a date,
    a NaN or infinity, an int beyond the float range and a mapping with keys that are not
    text (or that start with `$`) are tagged objects."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value if -_INT_RANGE < value < _INT_RANGE else {"$int": hex(value)}
    if isinstance(value, float):
        return value if math.isfinite(value) else {"$float": repr(value)}
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, Mapping):
        if all(isinstance(k, str) and not k.startswith("$") for k in value):
            return {k: _to_json(v) for k, v in value.items()}
        return {"$map": [[_to_json(k), _to_json(v)] for k, v in value.items()]}
    if isinstance(value, (list, tuple)):
        return [_to_json(item) for item in value]
    if isinstance(value, frozenset):  # a YAML mapping used as a key
        return {"$text": key_text(value)}
    return {"$text": str(value)}


def _from_json(value: Any) -> Any:
    if isinstance(value, list):
        return [_from_json(item) for item in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        (tag, inner), *_ = value.items()
        if tag == "$int" and isinstance(inner, str):
            return int(inner, 16)
        if tag == "$float" and isinstance(inner, str):
            return float(inner)
        if tag == "$datetime" and isinstance(inner, str):
            return dt.datetime.fromisoformat(inner)
        if tag == "$date" and isinstance(inner, str):
            return dt.date.fromisoformat(inner)
        if tag == "$text":
            return inner
        if tag == "$map" and isinstance(inner, list):
            return {_hashable(_from_json(k)): _from_json(v) for k, v in inner}
    return {k: _from_json(v) for k, v in value.items()}


def _hashable(key: Any) -> Any:
    if isinstance(key, list):
        return tuple(_hashable(k) for k in key)
    if isinstance(key, dict):
        return frozenset((k, _hashable(v)) for k, v in key.items())
    return key


_DUMPS = json.JSONEncoder(ensure_ascii=False).encode


def _json_text(value: Any) -> str:
    if type(value) is list and all(type(item) is str for item in value):
        text = _DUMPS(value)  # the common case (tags, acceptance criteria): nothing to tag
    else:
        text = _DUMPS(_to_json(value))
    return text if _carriable(text) else json.dumps(_to_json(value))


def _encode(value: Any) -> tuple[str, str]:
    """(kind, THE-VALUE) of one front-matter leaf: integer, real, boolean, date, string or
    json (anything the others cannot say exactly)."""
    if isinstance(value, bool):
        return "boolean", "true" if value else "false"
    if isinstance(value, int) and -_INT_RANGE < value < _INT_RANGE:
        return "integer", str(value)
    if isinstance(value, float) and math.isfinite(value):
        return "real", repr(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return "date", f"{value.isoformat()}T00:00:00"
    if isinstance(value, str) and _carriable(value):
        return "string", value
    return "json", _json_text(value)


def _decode(kind: str, text: str) -> Any:
    """The value `_encode` wrote (ValueError when the text is not one)."""
    if kind == "integer":
        return int(text)
    if kind == "real":
        return float(text)
    if kind == "boolean":
        if text.strip() not in ("true", "false", "1", "0"):
            raise ValueError(text)
        return text.strip() in ("true", "1")
    if kind == "date":
        return dt.date.fromisoformat(text.strip()[:10])
    if kind == "json":
        return _from_json(json.loads(text))
    return text


def _target_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def _link_map(value: Any) -> dict[str, list[str]]:
    """`links` as relation -> target IDs (one ID given as text is a list of one)."""
    if not isinstance(value, Mapping):
        return {}
    return {key_text(k): _target_list(v) for k, v in value.items()}


# --------------------------------------------------------------------------------------------
# attribute definitions


class _Slot(NamedTuple):
    """One attribute definition of the export: what it holds (role, kind, key path). A named
    tuple: the export makes one per value (300,000 for 10,000 requirements)."""

    role: str
    kind: str
    path: tuple[str, ...] = ()


def _description(slot: _Slot) -> str:
    """The DESC that tells our import what a definition holds."""
    meaning = [slot.role, slot.kind, list(slot.path)]
    text = json.dumps(meaning, ensure_ascii=False)
    return MARK + (text if _carriable(text) else json.dumps(meaning))


def _our_slot(desc: str | None) -> _Slot | None:
    if not desc or not desc.startswith(MARK):
        return None
    try:
        role, kind, path = json.loads(desc[len(MARK) :])
    except (ValueError, TypeError):
        return None
    if not (isinstance(role, str) and isinstance(kind, str) and isinstance(path, list)):
        return None
    if not all(isinstance(part, str) for part in path):
        return None
    return _Slot(role, kind, tuple(path))
