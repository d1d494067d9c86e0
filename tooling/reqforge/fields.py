"""Front-matter field definitions (built-in + custom) and their validation.

`field_schema(config)` builds one tree of `Spec`s; `validate_fields` walks a requirement's data
against it and yields `(code, key_path, message)` for RF101 (missing), RF102 (wrong type, enum,
range) and RF103 (unknown field). Key paths are tuples of keys and list indexes so the loader can
point at the exact line.
"""

# implements: REQ-102

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from reqforge.config import Config, FieldDef
from reqforge.i18n import Text
from reqforge.priorities import METHODS, Input
from reqforge.scalars import int_text, is_number, key_text, real_number

KeyPath = tuple[str | int, ...]
Problem = tuple[str, KeyPath, str]

VERIFICATION = ("test", "inspection", "demonstration", "analysis", "acceptance")
RELATIONS = ("parent", "depends-on", "conflicts-with", "duplicates", "relates-to")
# implements: REQ-001
REQUIRED = ("id", "title", "type", "status")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CODE = re.compile(r"^RF\d{3}$")

# Built-in top-level fields, so a custom field cannot shadow one.
BUILTIN_FIELDS = frozenset(
    {
        "id",
        "title",
        "type",
        "status",
        "owner",
        "team",
        "due",
        "source",
        "priority",
        "links",
        "verification",
        "acceptance",
        "analysis",
        "reason",
        "feedback",
        "tags",
        "lint-ignore",
        "reviewed",
        "origin",
    }
)


@dataclass(frozen=True, eq=False)
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


def input_spec(item: Input) -> Spec:
    """The Spec of one priority method's input (priorities.METHODS declares them)."""
    if item.kind == "votes":  # stakeholder -> a score in range, or a MoSCoW word
        return Spec("map", item=Spec("vote", values=item.values, low=item.low, high=item.high))
    return Spec(item.kind, values=item.values, low=item.low, high=item.high, above=item.above)


# implements: REQ-200
def priority_spec() -> Spec:
    """The `priority` block: every input of every priority method, nested by key path."""
    tree: dict[str, Any] = {}
    for method in METHODS:
        for item in method.inputs:
            node = tree
            for part in item.key[:-1]:
                node = node.setdefault(part, {})
            node[item.key[-1]] = input_spec(item)

    def build(node: dict[str, Any]) -> Spec:
        children = {k: build(v) if isinstance(v, dict) else v for k, v in node.items()}
        return Spec("mapping", children=children)

    return build(tree)


# implements: REQ-102
def field_schema(config: Config) -> Spec:
    """The whole front-matter schema for this configuration."""
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
        "priority": priority_spec(),
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
        # where an imported requirement came from (`import`): the tool, its ID there and what
        # the tool held that no field of ours means (Doorstop's level, ReqIF attributes)
        "origin": Spec("map"),
    }
    for definition in config.fields.values():
        children[definition.name] = custom_spec(definition)
    return Spec("mapping", children=children)


def spec_of(schema: Spec, dotted: str) -> Spec | None:
    """The Spec of the field with the dotted name (None: a field reqforge does not know)."""
    node: Spec | None = schema
    for part in dotted.split("."):
        if node is None:
            return None
        if node.kind == "mapping":
            node = node.children.get(part)
        elif node.kind == "map":
            node = node.item
        else:
            return None
    return node


# implements: REQ-004
def custom_spec(definition: FieldDef) -> Spec:
    """The Spec of a `[fields.NAME]` custom field."""
    kind = {
        "string": "string",
        "int": "int",
        "float": "number",
        "bool": "bool",
        "date": "date",
        "enum": "enum",
        "list": "list",
        "id-list": "ids",
    }[definition.type]
    if definition.type == "list":
        item = Spec("enum", values=definition.values) if definition.values else None
        return Spec("list", item=item, low=definition.min, high=definition.max)
    return Spec(kind, values=definition.values, low=definition.min, high=definition.max)


def required_fields(config: Config) -> tuple[str, ...]:
    return REQUIRED + tuple(d.name for d in config.fields.values() if d.required)


Validator = Callable[[Any, KeyPath, list[Problem]], None]


# implements: REQ-102
def validate_fields(
    data: Mapping[str, Any], schema: Spec, required: tuple[str, ...]
) -> list[Problem]:
    """Every RF101/RF102/RF103 problem of one requirement's front matter.

    A missing required field with a misspelt twin (`titel:` for `title`) is one problem, an
    RF101 pointing at the misspelt key, not an RF101 plus an RF103 that the reader must pair.
    """
    out: list[Problem] = []
    missing = [name for name in required if data.get(name) is None]
    compile_spec(schema)(data, (), out)
    if not missing:
        return out
    unknown = [p[1][0] for p in out if p[0] == "RF103" and len(p[1]) == 1]
    twins = _misspelt_twins(missing, unknown)  # missing name -> the key that misspells it
    misspelt = set(twins.values())
    kept = [p for p in out if not (p[0] == "RF103" and len(p[1]) == 1 and p[1][0] in misspelt)]
    found: list[Problem] = []
    for name in missing:
        key = twins.get(name)
        if key is None:
            found.append(("RF101", (), Text("required field '{field}' is missing", field=name)))
        else:
            message = Text(
                "required field '{field}' is missing: '{key}' is probably '{field}'",
                field=name,
                key=key,
            )
            found.append(("RF101", (key,), message))
    return found + kept


def _misspelt_twins(missing: list[str], unknown: list[str | int]) -> dict[str, str]:
    """Missing required field -> the unknown top-level key that most likely misspells it."""
    twins: dict[str, str] = {}
    for key in unknown:
        if not isinstance(key, str):
            continue
        left = [m for m in missing if m not in twins]
        same_but_case = [m for m in left if m.lower() == key.lower()]
        close = same_but_case or difflib.get_close_matches(key, left, n=1)
        if close:
            twins[close[0]] = key
    return twins


@lru_cache(maxsize=8)
def compile_spec(spec: Spec) -> Validator:
    """Turn a Spec tree into one closure per node, once per process: validating 10,000
    requirements then costs a dictionary lookup and a type test per field."""
    kind = spec.kind
    nullable = spec.nullable

    def null_ok(path: KeyPath, out: list[Problem]) -> None:
        # A present-but-empty top-level field counts as absent (RF101 covers required ones).
        if not (nullable or len(path) <= 1):
            message = Text(
                "{field}: expected {expected}, got nothing",
                field=_name(path),
                expected=_expected(spec),
            )
            out.append(("RF102", path, message))

    if kind == "mapping":
        # key -> (fast test, its arguments, full validator). The fast tests accept the common
        # valid values inline, without a call or a key path; anything else gets the full check.
        table = {
            key: (*_fast_test(child), compile_spec(child)) for key, child in spec.children.items()
        }

        def check_mapping(value: Any, path: KeyPath, out: list[Problem]) -> None:
            if value is None:
                return null_ok(path, out)
            if not isinstance(value, dict):
                where = _name(path) or Text("front matter")
                out.append(("RF102", path, _not_a_mapping(where, value)))
                return
            for key, child in value.items():
                entry = table.get(key) if type(key) is str else None
                if entry is None:
                    name = key_text(key)
                    hint = did_you_mean(name, spec.children)
                    message = (
                        Text(
                            "unknown field '{key}' in '{parent}'{hint}",
                            key=name,
                            parent=_name(path),
                            hint=hint,
                        )
                        if path
                        else Text("unknown field '{key}'{hint}", key=name, hint=hint)
                    )
                    out.append(("RF103", (*path, name), message))
                    continue
                test, first, low, high, check = entry
                if test == _ENUM:
                    if type(child) is str and child in first:
                        continue
                elif test == _RANGE:
                    if type(child) in first and low <= child <= high:
                        continue
                elif test == _TEXT:
                    if type(child) is str and child and not child.isspace():
                        continue
                elif test == _TEXTS and type(child) is list:
                    for item in child:
                        if type(item) is not str:
                            break
                    else:
                        continue
                check(child, (*path, key), out)

        return check_mapping
    if kind == "map":
        item = compile_spec(spec.item) if spec.item is not None else None

        def check_map(value: Any, path: KeyPath, out: list[Problem]) -> None:
            if value is None:
                return null_ok(path, out)
            if not isinstance(value, dict):
                out.append(("RF102", path, _not_a_mapping(_name(path), value)))
                return
            if item is not None:
                for key, child in value.items():
                    item(child, (*path, key_text(key)), out)

        return check_map
    if kind in ("strings", "codes", "ids", "list"):
        item = compile_spec(spec.item) if spec.item is not None else None

        def check_list(value: Any, path: KeyPath, out: list[Problem]) -> None:
            if value is None:
                return null_ok(path, out)
            if kind == "ids" and isinstance(value, str):
                return
            if not isinstance(value, list):
                noun = Text("a list of IDs") if kind == "ids" else Text("a list")
                message = Text(
                    "{field}: expected {expected}, got {got}",
                    field=_name(path),
                    expected=noun,
                    got=_type(value),
                )
                out.append(("RF102", path, message))
                return
            if kind == "list":
                if spec.low is not None and len(value) < spec.low:
                    message = Text(
                        "{field}: expected at least {count:g} items",
                        field=_name(path),
                        count=spec.low,
                    )
                    out.append(("RF102", path, message))
                if spec.high is not None and len(value) > spec.high:
                    message = Text(
                        "{field}: expected at most {count:g} items",
                        field=_name(path),
                        count=spec.high,
                    )
                    out.append(("RF102", path, message))
                if item is not None:
                    for index, element in enumerate(value):
                        item(element, (*path, index), out)
                return
            for index, element in enumerate(value):
                if not isinstance(element, str):
                    noun = Text("an ID") if kind == "ids" else Text("a string")
                    message = Text(
                        "{field}[{index}]: expected {expected}, got {got}",
                        field=_name(path),
                        index=index,
                        expected=noun,
                        got=_type(element),
                    )
                    out.append(("RF102", (*path, index), message))
                elif kind == "codes" and not _CODE.match(element):
                    out.append(
                        (
                            "RF102",
                            (*path, index),
                            Text(
                                "{field}[{index}]: expected a finding code like RF401, got {got!r}",
                                field=_name(path),
                                index=index,
                                got=element,
                            ),
                        )
                    )

        return check_list
    if kind == "any":
        return lambda value, path, out: None
    allowed = (
        frozenset(v for v in spec.values or () if not isinstance(v, bool))
        if kind == "enum"
        else None
    )
    numeric = (int,) if kind == "int" else (int, float) if kind == "number" else ()
    low = spec.low if spec.low is not None else -_LARGEST
    high = spec.high if spec.high is not None else _LARGEST
    above = spec.above if spec.above is not None else -_LARGEST

    def check_scalar(value: Any, path: KeyPath, out: list[Problem]) -> None:
        # The common cases return without building a message.
        if value is None:
            return null_ok(path, out)
        if allowed is not None and type(value) is str and value in allowed:
            return
        if type(value) in numeric and low <= value <= high and value > above:
            return
        if kind == "string" and type(value) is str and value.strip():
            return
        problem = _scalar_problem(value, spec)
        if problem:
            out.append(
                ("RF102", path, Text("{field}: {problem}", field=_name(path), problem=problem))
            )

    return check_scalar


_NONE, _ENUM, _RANGE, _TEXT, _TEXTS = range(5)
# Open ranges end at the largest finite float, so infinity and NaN always take the full check.
_LARGEST = sys.float_info.max


def _fast_test(spec: Spec) -> tuple[int, Any, float, float]:
    """The inline test of `compile_spec` for one field: (kind, values or types, low, high)."""
    if spec.kind == "enum":
        values = frozenset(v for v in spec.values or () if type(v) is str)
        return _ENUM, values, 0.0, 0.0
    if spec.kind in ("int", "number") and spec.above is None:
        types = (int,) if spec.kind == "int" else (int, float)
        low = spec.low if spec.low is not None else -_LARGEST
        high = spec.high if spec.high is not None else _LARGEST
        return _RANGE, types, low, high
    if spec.kind == "string":
        return _TEXT, None, 0.0, 0.0
    if spec.kind in ("strings", "ids"):
        return _TEXTS, None, 0.0, 0.0
    return _NONE, None, 0.0, 0.0


def _scalar_problem(value: Any, spec: Spec) -> str | None:
    kind = spec.kind
    if kind == "string":
        if not isinstance(value, str):
            return _got(Text("a string"), _type(value))
        if not value.strip():
            return Text("expected a non-empty string")
        return None
    if kind == "bool":
        return None if isinstance(value, bool) else _got(Text("true or false"), _type(value))
    if kind == "date":
        if isinstance(value, dt.date):
            return None
        if isinstance(value, str) and _DATE.match(value):
            try:
                dt.date.fromisoformat(value)
                return None
            except ValueError:
                return Text("{value!r} is not a real date", value=value)
        return _got(Text("a date YYYY-MM-DD"), _show(value))
    if kind == "vote":
        words = spec.values or ()
        if isinstance(value, str) and value in words:
            return None
        low = spec.low if spec.low is not None else -math.inf
        high = spec.high if spec.high is not None else math.inf
        numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
        # An int of any length compares with the float bounds exactly; isfinite would overflow.
        if numeric and (isinstance(value, int) or math.isfinite(value)) and low <= value <= high:
            return None
        expected = Text(
            "a vote from {low:g} to {high:g} or one of {words}",
            low=low,
            high=high,
            words=", ".join(words),
        )
        return _got(expected, _show(value))
    if kind == "enum":
        values = spec.values or ()
        if value in values and not isinstance(value, bool):
            return None
        hint = did_you_mean(value, values) if isinstance(value, str) else ""
        expected = Text("one of {values}", values=", ".join(map(str, values)))
        return Text(
            "expected {expected}, got {got}{hint}", expected=expected, got=_show(value), hint=hint
        )
    if kind in ("int", "number"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return _got(_expected(spec), _show(value))
        if isinstance(value, float) and not math.isfinite(value):
            return _got(_expected(spec), repr(value))
        if real_number(value) is None:  # an int beyond the float range: nothing can use it
            return Text(
                "expected {expected}, got {got}, too large to compute with",
                expected=_expected(spec),
                got=_show(value),
            )
        if kind == "int" and not isinstance(value, int):
            return _got(_expected(spec), _show(value))
        low_bad = spec.low is not None and value < spec.low
        high_bad = spec.high is not None and value > spec.high
        above_bad = spec.above is not None and value <= spec.above
        if low_bad or high_bad or above_bad:
            return _got(_expected(spec), _show(value))
        return None
    return None


def _got(expected: str, got: str) -> Text:
    return Text("expected {expected}, got {got}", expected=expected, got=got)


def _not_a_mapping(where: str, value: Any) -> Text:
    return Text("{field}: expected a mapping, got {got}", field=where, got=_type(value))


def did_you_mean(word: str, known: Iterable[Any]) -> str:
    """` (did you mean 'x'?)` for the nearest of the `known` names (SPEC section 6: `titel`
    -> `title`, `Accepted` -> `accepted`), or '' when none is close."""
    names = [k for k in known if isinstance(k, str)]
    same_but_case = [k for k in names if k.lower() == word.lower()]
    close = same_but_case or difflib.get_close_matches(word, names, n=1)
    return Text(" (did you mean '{name}'?)", name=close[0]) if close else ""


def _expected(spec: Spec) -> str:
    nouns = {"int": Text("a whole number"), "number": Text("a number")}
    noun: str = nouns.get(spec.kind) or Text("a {kind}", kind=spec.kind)
    if spec.kind in ("int", "number"):
        if spec.low is not None and spec.high is not None:
            return Text("{noun} from {low:g} to {high:g}", noun=noun, low=spec.low, high=spec.high)
        if spec.above is not None and spec.high is not None:
            return Text(
                "{noun} greater than {low:g} and at most {high:g}",
                noun=noun,
                low=spec.above,
                high=spec.high,
            )
        if spec.above is not None:
            return Text("{noun} greater than {low:g}", noun=noun, low=spec.above)
        if spec.low is not None:
            return Text("{noun} of at least {low:g}", noun=noun, low=spec.low)
    if spec.kind == "enum":
        return Text("one of {values}", values=", ".join(map(str, spec.values or ())))
    return noun


def _name(path: KeyPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _type(value: Any) -> str:
    if value is None:
        return Text("nothing (null)")
    if isinstance(value, bool):
        return Text("a boolean")
    if isinstance(value, (int, float)):
        return Text("the number {value}", value=_number(value))
    if isinstance(value, str):
        return Text("the text {value!r}", value=value)
    if isinstance(value, list):
        return Text("a list")
    if isinstance(value, Mapping):
        return Text("a mapping")
    return type(value).__name__


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if is_number(value):
        return _number(value)
    return _type(value)


def _number(value: float) -> str:
    """An int in full (or abbreviated when too long to print), a float as Python writes it."""
    return int_text(value) if isinstance(value, int) else repr(value)


def key_name(path: KeyPath) -> str:
    """A key path as users write it: `priority.ice.impact`, `links.parent[1]`."""
    return _name(path)
