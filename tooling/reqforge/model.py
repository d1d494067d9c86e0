"""The frozen requirement model: Requirement, Customer, Repository and Finding.

Requirements keep their parsed front matter as plain data (`data`) and expose typed accessors
over it, so loading 10,000 files builds one small object each and nothing is converted twice.
"""

from __future__ import annotations

import datetime as dt
import marshal
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

ERROR = "error"
WARNING = "warning"

_MISSING = object()


# implements: REQ-100
@dataclass(frozen=True, slots=True)
class Finding:
    """One problem in the user's requirements, pointing at `path:line:column` (1-based)."""

    code: str
    severity: str
    path: str
    line: int
    column: int
    message: str
    id: str | None = None

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.code, self.message)

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "id": self.id,
            "message": self.message,
        }


def lookup(data: Mapping[str, Any], dotted: str, default: Any = None) -> Any:
    """Return the value at a dotted path (`priority.ice.impact`) in nested mappings."""
    node: Any = data
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return default
        node = node[part]
    return node


def _id_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        if all(isinstance(v, str) for v in value):
            return tuple(value)
        return tuple(v for v in value if isinstance(v, str))
    return ()


# implements: REQ-104
def link_targets(value: Any) -> list[tuple[int | None, str]]:
    """The targets of one relation's value as (index, ID): (None, ID) for a single ID, one pair
    per text item of a list. A number, a mapping or a non-text item names no target (`check`
    reports those as RF102), so every reader of links can iterate without a type test."""
    if type(value) is str:
        return [(None, value)]
    if type(value) is list:
        return [(i, t) for i, t in enumerate(value) if type(t) is str]
    return []


# The fields every command reads for every requirement; the rest of the front matter is kept
# marshal-encoded and decoded on first use, so loading 10,000 cached requirements stays cheap.
HEAD_KEYS = (
    "id", "title", "type", "status", "owner", "team", "links", "due", "lint-ignore", "reviewed",
)  # fmt: skip
# Nested fields the site's dashboard and customers page read for every requirement, kept in
# `head` under their dotted path (small values: decoding every front matter for them took a
# tenth of a second per page that read them).
HEAD_PATHS = frozenset({"priority.urgency", "feedback.satisfaction", "source.customers"})
_ABSENT = object()


# implements: REQ-001
@dataclass(frozen=True, slots=True)
class Requirement:
    """One requirement file: its path (POSIX, relative to the repository root) and front matter.

    `head` holds the HEAD_KEYS fields and the HEAD_PATHS values (by dotted path); `data` is
    the whole parsed front matter, decoded from `blob` on first access (the object stays
    logically immutable: never mutate either). The typed accessors return `None` or an empty
    value when a field is absent or mistyped (mistyped values are reported by `check`, never
    guessed at).
    """

    path: str
    head: Mapping[str, Any]
    body_line: int  # 1-based line where the Markdown body starts
    blob: bytes = field(default=b"", repr=False, compare=False)
    _data: dict[str, Any] | None = field(default=None, repr=False, compare=False)
    _links: Mapping[str, tuple[str, ...]] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_data(cls, path: str, data: dict[str, Any], body_line: int) -> Requirement:
        head = {key: data[key] for key in HEAD_KEYS if key in data}
        for dotted in sorted(HEAD_PATHS):
            value = lookup(data, dotted, _ABSENT)
            if value is not _ABSENT:
                head[dotted] = value
        return cls(path, head, body_line, b"", data)

    @property
    def data(self) -> Mapping[str, Any]:
        if self._data is None:
            object.__setattr__(self, "_data", marshal.loads(self.blob) if self.blob else {})
        return self._data  # type: ignore[return-value]

    @property
    def id(self) -> str:
        value = self.head.get("id")
        return value if isinstance(value, str) else ""

    @property
    def title(self) -> str:
        value = self.head.get("title")
        return value if isinstance(value, str) else ""

    @property
    def type(self) -> str | None:
        value = self.head.get("type")
        return value if isinstance(value, str) else None

    @property
    def status(self) -> str | None:
        value = self.head.get("status")
        return value if isinstance(value, str) else None

    @property
    def owner(self) -> str | None:
        value = self.head.get("owner")
        return value if isinstance(value, str) else None

    @property
    def team(self) -> str | None:
        value = self.head.get("team")
        return value if isinstance(value, str) else None

    # implements: REQ-001
    @property
    def area(self) -> str:
        """The folder below the requirements directory (`billing/eu`), or '' at the top."""
        parts = self.path.split("/")
        return "/".join(parts[1:-1])

    @property
    def due(self) -> dt.date | None:
        return parse_date(self.head.get("due"))

    @property
    def acceptance(self) -> tuple[str, ...]:
        value = self.data.get("acceptance")
        if isinstance(value, list):
            return tuple(v for v in value if isinstance(v, str))
        return ()

    @property
    def tags(self) -> tuple[str, ...]:
        return _id_list(self.data.get("tags"))

    @property
    def customers(self) -> tuple[str, ...]:
        return _id_list(self.head.get("source.customers"))

    @property
    def lint_ignore(self) -> frozenset[str]:
        return frozenset(_id_list(self.head.get("lint-ignore")))

    @property
    def links(self) -> Mapping[str, tuple[str, ...]]:
        """Relation -> target IDs, for every relation given as a list of strings (or one).

        Worked out once per requirement: the catalogue, the graph and trace all ask for it."""
        if self._links is None:
            value = self.head.get("links")
            links = (
                {k: _id_list(v) for k, v in value.items() if isinstance(k, str)}
                if isinstance(value, Mapping)
                else {}
            )
            object.__setattr__(self, "_links", MappingProxyType(links))
        return self._links  # type: ignore[return-value]

    def get(self, dotted: str, default: Any = None) -> Any:
        """The raw value at a dotted path of the front matter, or `default`."""
        if dotted in HEAD_PATHS:
            return self.head.get(dotted, default)
        return lookup(
            self.head if dotted.split(".", 1)[0] in HEAD_KEYS else self.data, dotted, default
        )

    def _str(self, key: str) -> str | None:
        value = self.data.get(key)
        return value if isinstance(value, str) else None


def parse_date(value: Any) -> dt.date | None:
    """A `YYYY-MM-DD` string (or date) as a date; anything else is None."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


# implements: REQ-007
@dataclass(frozen=True, slots=True)
class Customer:
    """An entry of `reqs/customers.yaml`."""

    key: str
    name: str
    industry: str | None
    tier: str | None
    data: Mapping[str, Any]


@dataclass(frozen=True)
class Repository:
    """Every requirement and customer of one repository, plus what could not be loaded.

    `requirements` is sorted by path. Files that could not be parsed are not requirements; their
    problems are in `load_findings`.
    """

    root: str
    requirements: tuple[Requirement, ...]
    customers: Mapping[str, Customer] = field(default_factory=dict)
    load_findings: tuple[Finding, ...] = ()
    file_count: int = 0

    def __iter__(self) -> Iterator[Requirement]:
        return iter(self.requirements)

    def __len__(self) -> int:
        return len(self.requirements)

    # implements: REQ-002
    def by_id(self) -> dict[str, Requirement]:
        """ID -> requirement (the first by path when an ID is duplicated)."""
        result: dict[str, Requirement] = {}
        for req in self.requirements:
            result.setdefault(req.id, req)
        return result


# implements: REQ-100
@dataclass(frozen=True)
class CheckResult:
    """What `check` found: findings sorted by path, line, column and code."""

    findings: tuple[Finding, ...]
    requirements: int
    files: int

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == WARNING)

    @property
    def ok(self) -> bool:
        return self.errors == 0
