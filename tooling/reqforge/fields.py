"""Front-matter field definitions (built-in + custom) and their validation.

`field_schema(config)` builds one tree of `Spec`s; `validate_fields` walks a requirement's data
against it and yields `(code, key_path, message)` for RF101 (missing), RF102 (wrong type, enum,
range) and RF103 (unknown field). Key paths are tuples of keys and list indexes so the loader can
point at the exact line.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from reqforge.config import Config, FieldDef

KeyPath = tuple[str | int, ...]
Problem = tuple[str, KeyPath, str]

MOSCOW = ("must", "should", "could", "wont")
KANO = ("basic", "performance", "excitement", "indifferent", "reverse")
IMPORTANCE = ("high", "low")
URGENCY = ("urgent", "normal", "deferred")
VERIFICATION = ("test", "inspection", "demonstration", "analysis", "acceptance")
RELATIONS = ("parent", "depends-on", "conflicts-with", "duplicates", "relates-to")
REQUIRED = ("id", "title", "type", "status")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CODE = re.compile(r"^RF\d{3}$")

# Built-in top-level fields, so a custom field cannot shadow one.
BUILTIN_FIELDS = frozenset(
    {
        "id", "title", "type", "status", "owner", "team", "due", "source", "priority",
        "links", "verification", "acceptance", "analysis", "reason", "feedback", "tags",
        "lint-ignore", "reviewed",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Spec:
    """What one field accepts.

    kind: string, int, number, bool, date, enum, strings (list of strings), ids (a list of
    IDs, or one), codes (list of RFnnn), mapping (known children), map (any keys, values of
    `item`), list (any items, or `item`), any.
    """

    kind: str
    values: tuple[Any, ...] | None = None
    low: float | None = None
    high: float | None = None
    above: float | None = None  # exclusive lower bound (RICE effort > 0)
    children: Mapping[str, Spec] = field(default_factory=dict)
    item: Spec | None = None
    nullable: bool = False


def _ints(low: int, high: int) -> Spec:
    return Spec("int", low=low, high=high)


def field_schema(config: Config) -> Spec:
    """The whole front-matter schema for this configuration."""
    ice = {k: _ints(1, 5) for k in ("impact", "confidence", "ease")}
    fmea = {k: _ints(1, 10) for k in ("severity", "occurrence", "detection")}
    wsjf = {
        "value": Spec("number", low=1, high=20),
        "time-criticality": Spec("number", low=1, high=20),
        "urgency": Spec("number", low=1, high=20),
        "risk": Spec("number", low=1, high=20),
        "size": Spec("number", above=0, high=100),
    }
    rice = {
        "reach": Spec("number", low=0),
        "impact": Spec("number", low=0, high=10),
        "confidence": Spec("number", low=0, high=1),
        "effort": Spec("number", above=0),
    }
    children: dict[str, Spec] = {
        "id": Spec("string"),
        "title": Spec("string"),
        "type": Spec("enum", values=config.types),
        "status": Spec("enum", values=config.workflow.statuses),
        "owner": Spec("string", nullable=True),
        "team": Spec("string", nullable=True),
        "due": Spec("date", nullable=True),
        "source": Spec(
            "mapping",
            children={
                "channel": Spec("enum", values=config.channels),
                "customers": Spec("strings"),
                "evidence": Spec("string", nullable=True),
                "explicit": Spec("bool"),
                "proposer": Spec("string", nullable=True),
            },
        ),
        "priority": Spec(
            "mapping",
            children={
                "moscow": Spec("enum", values=MOSCOW),
                "kano": Spec("enum", values=KANO),
                "importance": Spec("enum", values=IMPORTANCE),
                "urgency": Spec("enum", values=URGENCY),
                "value": _ints(1, 10),
                "cost": _ints(1, 10),
                "ice": Spec("mapping", children=ice),
                "rice": Spec("mapping", children=rice),
                "fmea": Spec("mapping", children=fmea),
                "wsjf": Spec("mapping", children=wsjf),
            },
        ),
        "links": Spec("map", item=Spec("ids")),
        "verification": Spec(
            "mapping",
            children={"method": Spec("enum", values=VERIFICATION), "notes": Spec("string")},
        ),
        "acceptance": Spec("strings"),
        "analysis": Spec(
            "mapping",
            children={"five-whys": Spec("strings"), "root-cause": Spec("string", nullable=True)},
        ),
        "reason": Spec("string", nullable=True),
        "feedback": Spec(
            "mapping",
            children={"satisfaction": _ints(1, 5), "comment": Spec("string", nullable=True)},
        ),
        "tags": Spec("strings"),
        "lint-ignore": Spec("codes"),
        "reviewed": Spec("string", nullable=True),
    }
    for definition in config.fields.values():
        children[definition.name] = custom_spec(definition)
    return Spec("mapping", children=children)


def custom_spec(definition: FieldDef) -> Spec:
    """The Spec of a `[fields.NAME]` custom field."""
    kind = {
        "string": "string", "int": "int", "float": "number", "bool": "bool", "date": "date",
        "enum": "enum", "list": "list", "id-list": "ids",
    }[definition.type]  # fmt: skip
    if definition.type == "list":
        item = Spec("enum", values=definition.values) if definition.values else None
        return Spec("list", item=item, low=definition.min, high=definition.max)
    return Spec(kind, values=definition.values, low=definition.min, high=definition.max)


def required_fields(config: Config) -> tuple[str, ...]:
    return REQUIRED + tuple(d.name for d in config.fields.values() if d.required)


def validate_fields(data: Mapping[str, Any], schema: Spec, required: tuple[str, ...]) -> Iterator[Problem]:
    """Yield every RF101/RF102/RF103 problem of one requirement's front matter."""
    for name in required:
        if data.get(name) is None:
            yield ("RF101", (), f"required field '{name}' is missing")
    yield from _walk(data, schema, ())


def _walk(value: Any, spec: Spec, path: KeyPath) -> Iterator[Problem]:
    if value is None:
        if spec.nullable or not path or len(path) == 1:
            return  # a present-but-empty top-level field counts as absent (RF101 covers it)
        yield ("RF102", path, f"{_name(path)}: expected {_expected(spec)}, got nothing")
        return
    kind = spec.kind
    if kind == "mapping":
        if not isinstance(value, Mapping):
            yield ("RF102", path, f"{_name(path) or 'front matter'}: expected a mapping, got {_type(value)}")
            return
        for key, child in value.items():
            child_path = (*path, str(key))
            sub = spec.children.get(key) if isinstance(key, str) else None
            if sub is None:
                where = f" in '{_name(path)}'" if path else ""
                yield ("RF103", child_path, f"unknown field '{key}'{where}")
            else:
                yield from _walk(child, sub, child_path)
    elif kind == "map":
        if not isinstance(value, Mapping):
            yield ("RF102", path, f"{_name(path)}: expected a mapping, got {_type(value)}")
            return
        for key, child in value.items():
            if spec.item is not None:
                yield from _walk(child, spec.item, (*path, str(key)))
    elif kind in ("strings", "codes", "list"):
        if not isinstance(value, list):
            yield ("RF102", path, f"{_name(path)}: expected a list, got {_type(value)}")
            return
        if kind == "list":
            if spec.low is not None and len(value) < spec.low:
                yield ("RF102", path, f"{_name(path)}: expected at least {spec.low:g} items")
            if spec.high is not None and len(value) > spec.high:
                yield ("RF102", path, f"{_name(path)}: expected at most {spec.high:g} items")
            if spec.item is not None:
                for index, item in enumerate(value):
                    yield from _walk(item, spec.item, (*path, index))
            return
        for index, item in enumerate(value):
            if not isinstance(item, str):
                yield ("RF102", (*path, index), f"{_name(path)}[{index}]: expected a string, got {_type(item)}")
            elif kind == "codes" and not _CODE.match(item):
                yield ("RF102", (*path, index), f"{_name(path)}[{index}]: expected a finding code like RF401, got {item!r}")
    elif kind == "ids":
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list):
            yield ("RF102", path, f"{_name(path)}: expected a list of IDs, got {_type(value)}")
            return
        for index, item in enumerate(items):
            if not isinstance(item, str):
                yield ("RF102", (*path, index), f"{_name(path)}[{index}]: expected an ID, got {_type(item)}")
    else:
        problem = _scalar_problem(value, spec)
        if problem:
            yield ("RF102", path, f"{_name(path)}: {problem}")


def _scalar_problem(value: Any, spec: Spec) -> str | None:
    kind = spec.kind
    if kind == "string":
        if not isinstance(value, str):
            return f"expected a string, got {_type(value)}"
        if not value.strip():
            return "expected a non-empty string"
        return None
    if kind == "bool":
        return None if isinstance(value, bool) else f"expected true or false, got {_type(value)}"
    if kind == "date":
        if isinstance(value, dt.date):
            return None
        if isinstance(value, str) and _DATE.match(value):
            try:
                dt.date.fromisoformat(value)
                return None
            except ValueError:
                return f"{value!r} is not a real date"
        return f"expected a date YYYY-MM-DD, got {_show(value)}"
    if kind == "enum":
        if value in spec.values and not isinstance(value, bool):
            return None
        return f"expected one of {', '.join(map(str, spec.values))}, got {_show(value)}"
    if kind in ("int", "number"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"expected {_expected(spec)}, got {_show(value)}"
        if kind == "int" and not isinstance(value, int):
            return f"expected {_expected(spec)}, got {_show(value)}"
        low_bad = spec.low is not None and value < spec.low
        high_bad = spec.high is not None and value > spec.high
        above_bad = spec.above is not None and value <= spec.above
        if low_bad or high_bad or above_bad:
            return f"expected {_expected(spec)}, got {_show(value)}"
        return None
    return None


def _expected(spec: Spec) -> str:
    noun = {"int": "a whole number", "number": "a number"}.get(spec.kind, f"a {spec.kind}")
    if spec.kind in ("int", "number"):
        if spec.low is not None and spec.high is not None:
            return f"{noun} from {spec.low:g} to {spec.high:g}"
        if spec.above is not None:
            bound = f"greater than {spec.above:g}"
            return f"{noun} {bound}" + (f" and at most {spec.high:g}" if spec.high is not None else "")
        if spec.low is not None:
            return f"{noun} of at least {spec.low:g}"
    if spec.kind == "enum":
        return f"one of {', '.join(map(str, spec.values or ()))}"
    return noun


def _name(path: KeyPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _type(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "a mapping"
    return type(value).__name__


def _show(value: Any) -> str:
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return repr(value)
    return _type(value)


def key_name(path: KeyPath) -> str:
    """A key path as users write it: `priority.ice.impact`, `links.parent[1]`."""
    return _name(path)
