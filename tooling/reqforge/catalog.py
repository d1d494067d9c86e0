"""The queryable catalogue: every requirement with its computed priorities and inverse links,
as one value per field name. `list`, `show`, `prioritize` and `stats` read requirements through
it, and filter expressions (query.py) look their fields up here.

Field names are the front matter's dotted paths (`priority.moscow`, `source.channel`,
`links.depends-on`) plus computed and short names:

- `path`, `area`: the file, and its folder below the requirements folder;
- `customer`/`customers`, `channel`, `moscow`, `kano`: short for `source.customers`,
  `source.channel`, `priority.moscow`, `priority.kano`;
- `p_level`, `quadrant`, `rice`, `rpn`, `wsjf`, `demand`, `votes`: computed priorities;
- `ice` (= `ice.score`), `ice.level`: the ICE score and its level;
- `children`, `depended-on-by`: the inverse of `links.parent` and `links.depends-on`;
- `blocking`: the P0 requirements that depend on this one, transitively (inherited urgency);
- `disagreements`: where the priority methods disagree (reasons).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from reqforge.config import Config
from reqforge.fields import Spec, field_schema
from reqforge.graph import inverse_links
from reqforge.model import Repository, Requirement
from reqforge.priorities import Scores, blocking, disagreements, scores_of

ALIASES = {
    "customer": "source.customers",
    "customers": "source.customers",
    "channel": "source.channel",
    "moscow": "priority.moscow",
    "kano": "priority.kano",
}
COMPUTED = (
    "path", "area", "p_level", "quadrant", "rice", "rpn", "wsjf", "demand", "votes", "ice",
    "ice.score", "ice.level", "children", "depended-on-by", "blocking", "disagreements",
)  # fmt: skip


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


_COMPUTED_VALUES: dict[str, Callable[[Entry], Any]] = {
    "path": lambda e: e.req.path,
    "area": lambda e: e.req.area,
    "p_level": lambda e: e.scores.p_level,
    "quadrant": lambda e: e.scores.quadrant,
    "rice": lambda e: e.scores.rice,
    "rpn": lambda e: e.scores.rpn,
    "wsjf": lambda e: e.scores.wsjf,
    "demand": lambda e: e.scores.demand,
    "votes": lambda e: e.scores.votes,
    "ice": lambda e: e.scores.ice_score,
    "ice.score": lambda e: e.scores.ice_score,
    "ice.level": lambda e: e.scores.ice_level,
    "children": lambda e: list(e.children) or None,
    "depended-on-by": lambda e: list(e.depended_on_by) or None,
    "blocking": lambda e: list(e.blocking) or None,
    "disagreements": lambda e: e.disagreements or None,
}


# implements: REQ-706
class Catalog:
    """Entries by ID (first by path for a duplicated ID) and in path order."""

    def __init__(
        self, repository: Repository, config: Config, scores: Mapping[str, Scores] | None = None
    ) -> None:
        """`scores` by path, when already known (e.g. from the cache); computed otherwise."""
        self.config = config
        self.repository = repository
        requirements = [r for r in repository.requirements if r.id]
        if scores is None:
            scores = {
                r.path: scores_of(r, repository.customers, config.priority) for r in requirements
            }
        by_id_scores: dict[str, Scores] = {}
        for req in requirements:
            by_id_scores.setdefault(req.id, scores[req.path])
        inverse = inverse_links({req.id: req.links for req in requirements})
        blocked = blocking(requirements, by_id_scores)
        self.entries = [
            Entry(
                req=req,
                scores=scores[req.path],
                children=tuple(inverse.get(req.id, {}).get("children", ())),
                depended_on_by=tuple(inverse.get(req.id, {}).get("depended-on-by", ())),
                blocking=tuple(blocked.get(req.id, ())),
                disagreements=disagreements(scores[req.path]),
            )
            for req in requirements
        ]
        self.by_id: dict[str, Entry] = {}
        for entry in self.entries:
            self.by_id.setdefault(entry.req.id, entry)
        self._schema = field_schema(config)

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

    def is_field(self, name: str) -> bool:
        """True for a field name a filter or --sort may use."""
        name = ALIASES.get(name, name)
        if name in COMPUTED or name == "id":
            return True
        spec: Spec | None = self._schema
        for part in name.split("."):
            if spec is None:
                return False
            if spec.kind == "mapping":
                spec = spec.children.get(part)
            elif spec.kind == "map":
                spec = spec.item
            else:
                return False
        return spec is not None


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
