"""The queryable catalogue: every requirement with its computed priorities and inverse links,
as one value per field name. `list`, `show`, `prioritize` and `stats` read requirements through
it, and filter expressions (query.py) look their fields up here.

Field names are the front matter's dotted paths (`priority.moscow`, `source.channel`,
`links.depends-on`) plus computed and short names:

- `path`, `area`: the file, and its folder below the requirements folder;
- `customer`/`customers`, `channel`: short for `source.customers`, `source.channel`;
- one field per priority method (priorities.METHODS), named by its column: `p_level`,
  `quadrant`, `ice`, `rice`, `rpn`, `wsjf`, `demand`, `votes` are computed; `moscow` and `kano`
  are short for the stored `priority.moscow` and `priority.kano`;
- `ice.score` (= `ice`), `ice.level`: the ICE score and its level;
- `children`, `depended-on-by`: the inverse of `links.parent` and `links.depends-on`;
- `blocking`: the P0 requirements that depend on this one, transitively (inherited urgency);
- `disagreements`: where the priority methods disagree (reasons).

`view_requirement` gathers what `show` (and a requirement's page) shows of one requirement;
`filter_entries` applies a filter expression (query.py) and `sort_entries` the sort rules of
`--sort` (`parse_sort_keys`), so every command and page lists requirements the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from reqforge.config import Config
from reqforge.errors import ReqforgeError
from reqforge.fields import Spec, field_schema, spec_of
from reqforge.graph import Impact, impacted, inverse_links
from reqforge.i18n import Text, localize
from reqforge.model import Repository, Requirement
from reqforge.priorities import METHODS, Scores, blocking, disagreements, scores_of

ALIASES = {
    "customer": "source.customers",
    "customers": "source.customers",
    "channel": "source.channel",
    # A stored method's field is its input as written (`priority.moscow`).
    **{m.column: "priority." + ".".join(m.inputs[0].key) for m in METHODS if m.stored},
}


# An entry's parts drawn from the other requirements and the settings: its children, the IDs
# depending on it, the P0 requirements it blocks, the methods' disagreements (localized).
Derived = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]


@dataclass(frozen=True)
class Entry:
    """One requirement in the catalogue."""

    req: Requirement
    scores: Scores
    children: tuple[str, ...]
    depended_on_by: tuple[str, ...]
    blocking: tuple[str, ...]
    disagreements: list[str]

    def value(self, name: str) -> Any:
        """The value of a field name (see the module docstring); None when absent."""
        name = ALIASES.get(name, name)
        computed = _COMPUTED_VALUES.get(name)
        if computed is not None:
            return computed(self)
        if name == "id":
            return self.req.id or None
        return self.req.get(name)


def _method_value(score: Callable[[Scores], Any]) -> Callable[[Entry], Any]:
    return lambda entry: score(entry.scores)


_COMPUTED_VALUES: dict[str, Callable[[Entry], Any]] = {
    "path": lambda e: e.req.path,
    "area": lambda e: e.req.area,
    **{m.column: _method_value(m.score) for m in METHODS if not m.stored},
    "ice.score": lambda e: e.scores.ice_score,
    "ice.level": lambda e: e.scores.ice_level,
    "children": lambda e: list(e.children) or None,
    "depended-on-by": lambda e: list(e.depended_on_by) or None,
    "blocking": lambda e: list(e.blocking) or None,
    "disagreements": lambda e: e.disagreements or None,
}
COMPUTED = tuple(_COMPUTED_VALUES)
# Fields whose values are categories in an order of their own (a method's ranking).
_RANKINGS: dict[str, tuple[str, ...]] = {
    ALIASES.get(m.column, m.column): m.ranking for m in METHODS if m.ranking is not None
}


# implements: REQ-706
class Catalog:
    """Entries by ID (first by path for a duplicated ID) and in path order."""

    def __init__(
        self,
        repository: Repository,
        config: Config,
        scores: Mapping[str, Scores] | None = None,
        derived: Mapping[str, Derived] | None = None,
    ) -> None:
        """`scores` by path, when already known (e.g. from the cache); computed otherwise.
        `derived`: each entry's parts drawn from the others (`derived_parts` of a catalogue of
        the same front matter and settings), when known."""
        self.config = config
        self.repository = repository
        requirements = [r for r in repository.requirements if r.id]
        if scores is None:
            scores = {
                r.path: scores_of(r, repository.customers, config.priority) for r in requirements
            }
        if derived is None or any(req.path not in derived for req in requirements):
            derived = self._derive(requirements, scores, config)
        self.entries = [
            Entry(req, scores[req.path], *derived[req.path][:3], list(derived[req.path][3]))
            for req in requirements
        ]
        self.by_id: dict[str, Entry] = {}
        for entry in self.entries:
            self.by_id.setdefault(entry.req.id, entry)
        self._schema = field_schema(config)

    @staticmethod
    def _derive(
        requirements: Sequence[Requirement], scores: Mapping[str, Scores], config: Config
    ) -> dict[str, Derived]:
        by_id_scores: dict[str, Scores] = {}
        for req in requirements:
            by_id_scores.setdefault(req.id, scores[req.path])
        inverse = inverse_links({req.id: req.links for req in requirements})
        blocked = blocking(requirements, by_id_scores)
        language = config.language
        return {
            req.path: (
                tuple(inverse.get(req.id, {}).get("children", ())),
                tuple(inverse.get(req.id, {}).get("depended-on-by", ())),
                tuple(blocked.get(req.id, ())),
                tuple(localize(reason, language) for reason in disagreements(scores[req.path])),
            )
            for req in requirements
        }

    def derived_parts(self) -> dict[str, Derived]:
        """Each entry's parts drawn from the others, by path, as `Catalog(derived=...)` takes
        them: children, depended-on-by, blocking, disagreements."""
        return {
            e.req.path: (e.children, e.depended_on_by, e.blocking, tuple(e.disagreements))
            for e in self.entries
        }

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def field_names(self) -> list[str]:
        """Every field name a filter may use (for "did you mean" hints)."""
        names = ["id", *ALIASES, *COMPUTED]

        def walk(spec: Spec, prefix: str) -> None:
            for key, child in spec.children.items():
                names.append(prefix + key)
                if child.kind == "mapping":
                    walk(child, f"{prefix}{key}.")

        walk(self._schema, "")
        return sorted(set(names))

    # implements: REQ-717
    def value_order(self, name: str) -> tuple[str, ...]:
        """The meaningful order of a field's values, where it has one: the workflow's statuses
        for `status`, best first for MoSCoW, Kano and P-level; () for the natural order."""
        name = ALIASES.get(name, name)
        if name == "status":
            return self.config.workflow.statuses
        return _RANKINGS.get(name, ())

    def is_field(self, name: str) -> bool:
        """True for a field name a filter or --sort may use."""
        name = ALIASES.get(name, name)
        if name in COMPUTED or name == "id":
            return True
        return spec_of(self._schema, name) is not None


# implements: REQ-706
def entry_json(entry: Entry) -> dict[str, Any]:
    """One requirement for `--format json`: identity, the whole front matter, computed fields."""
    req = entry.req
    return {
        "id": req.id,
        "title": req.title,
        "path": req.path,
        "area": req.area,
        "type": req.type,
        "status": req.status,
        "owner": req.owner,
        "team": req.team,
        "due": req.due.isoformat() if req.due else None,
        "tags": list(req.tags),
        "customers": list(req.customers),
        "priority": entry.scores.to_json(),
        "links": {relation: list(targets) for relation, targets in req.links.items()},
        "children": list(entry.children),
        "depended_on_by": list(entry.depended_on_by),
        "blocking": list(entry.blocking),
        "disagreements": entry.disagreements,
        "fields": req.data,  # already JSON-ready: YAML 1.2 scalars, no dates or tags
    }


def find_entry(catalog: Catalog, requirement_id: str) -> Entry:
    """The entry of an ID (as written, else upper-cased); ReqforgeError naming the file when
    the ID's file could not be read, else up to five IDs that contain it and three that look
    like it when there is none."""
    entry = catalog.by_id.get(requirement_id) or catalog.by_id.get(requirement_id.upper())
    if entry is not None:
        return entry
    from reqforge.corpus import broken_files

    broken = broken_files(catalog.repository)
    finding = broken.get(requirement_id) or broken.get(requirement_id.upper())
    if finding is not None:
        raise ReqforgeError(
            Text(
                "requirement {id!r} is in {path}, which could not be read ({code} at line "
                "{line}: {problem}); run `reqforge check` for details",
                id=requirement_id,
                path=finding.path,
                code=finding.code,
                line=finding.line,
                problem=finding.message,
            )
        )
    import difflib

    wanted = requirement_id.upper()
    close = sorted(i for i in catalog.by_id if wanted in i)[:5]
    close += [
        c
        for c in difflib.get_close_matches(wanted, list(catalog.by_id), n=3, cutoff=0.8)
        if c not in close
    ]
    if close:
        raise ReqforgeError(
            Text(
                "no requirement {id!r}; did you mean {close}?",
                id=requirement_id,
                close=", ".join(close),
            )
        )
    raise ReqforgeError(Text("no requirement {id!r}", id=requirement_id))


@dataclass(frozen=True)
class RequirementView:
    """One requirement as `show` presents it: its entry, what a change to it reaches (every
    requirement whose links lead to it, transitively) and its Markdown body."""

    entry: Entry
    impact: tuple[Impact, ...]
    body: str


# implements: REQ-706
def view_requirement(catalog: Catalog, requirement_id: str) -> RequirementView:
    """What `show ID` presents (see RequirementView); the body is read from the file.
    Raises ReqforgeError (with close IDs) when no requirement has the ID."""
    from reqforge.loader import read_body

    entry = find_entry(catalog, requirement_id)
    links = {e.req.id: e.req.links for e in catalog}
    impact = impacted(links, [entry.req.id], depth=len(links))
    return RequirementView(entry, tuple(impact), read_body(catalog.config, entry.req.path))


class UnknownField(ValueError):
    """A name that is no field of any requirement (e.g. in `--sort`)."""

    def __init__(self, name: str) -> None:
        super().__init__(Text("unknown field {name!r}", name=name))
        self.name = name


# implements: REQ-706
def filter_entries(catalog: Catalog, expression: str | None) -> list[Entry]:
    """The entries matching a filter expression (see query.py), all of them when it is None
    or empty; raises query.FilterError for a bad expression or an unknown field in it."""
    if not expression:
        return list(catalog)
    from reqforge.query import parse, validate_fields

    compiled = parse(expression)
    validate_fields(compiled, catalog.is_field, catalog.field_names())
    return [entry for entry in catalog if compiled.matches(entry.value)]


@dataclass(frozen=True, slots=True)
class SortKey:
    """One field to sort by, and the direction."""

    name: str
    descending: bool = False


def parse_sort_keys(text: str) -> tuple[SortKey, ...]:
    """`"p_level,-ice.score"`: comma-separated field names, `-` before one for descending
    (`+` for ascending, the default); blanks are skipped."""
    keys = (key.strip() for key in text.split(","))
    return tuple(SortKey(key.lstrip("-+"), key.startswith("-")) for key in keys if key)


# implements: REQ-706
def sort_entries(catalog: Catalog, entries: list[Entry], keys: Sequence[SortKey]) -> list[Entry]:
    """The entries by ID, then by `keys`, the first key deciding first (a status in workflow
    order, MoSCoW, Kano and P-level best first, see `Catalog.value_order`). Each sort is stable,
    so ties keep the order of the later keys and then the ID. Requirements without a value go
    last in either direction; numbers (and booleans) sort before text, lists as their joined
    text. Raises UnknownField for a key that names no field (the last such key first)."""
    result = sorted(entries, key=lambda e: e.req.id)
    for key in reversed(keys):
        if not catalog.is_field(key.name):
            raise UnknownField(key.name)
        present = [e for e in result if e.value(key.name) is not None]
        missing = [e for e in result if e.value(key.name) is None]
        order = {value: position for position, value in enumerate(catalog.value_order(key.name))}
        present.sort(key=lambda e: _sortable(e.value(key.name), order), reverse=key.descending)
        result = present + missing
    return result


def _sortable(value: Any, order: Mapping[str, int]) -> tuple[int, Any]:
    """A key that orders any field value: values of a field with an order of its own (a
    status in workflow order) first, then numbers among themselves, then text."""
    if isinstance(value, str) and value in order:
        return (-1, order[value])
    if isinstance(value, bool):
        return (0, int(value))
    if isinstance(value, (int, float)):
        return (0, value)
    if isinstance(value, (list, tuple)):
        return (1, ", ".join(map(str, value)))
    return (1, str(value))
