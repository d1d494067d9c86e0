"""Repository-wide identity and link checks: RF106 (duplicate IDs), RF107 (unknown relation),
RF201 (unknown target),
RF202 (cycles in parent / depends-on), RF203 (link to itself), RF204 (link to a rejected or
duplicate requirement)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from reqforge.checks.context import Issue
from reqforge.fields import RELATIONS, did_you_mean
from reqforge.graph import ACYCLIC_RELATIONS, find_cycles
from reqforge.i18n import Text
from reqforge.model import Finding, Requirement, link_targets
from reqforge.scalars import key_text

if TYPE_CHECKING:
    from reqforge.corpus import Corpus

# Statuses whose requirements should no longer be linked to (RF204).
_DEAD = ("rejected", "duplicate", "out-of-scope")


def _path(relation: str, index: int | None) -> tuple[str | int, ...]:
    return ("links", relation) if index is None else ("links", relation, index)


# implements: REQ-104
# implements: REQ-103
# implements: REQ-117
def link_issues(
    requirements: Sequence[Requirement],
    id_fields: Sequence[str] = (),
    relations: Sequence[str] = RELATIONS,
    broken_ids: frozenset[str] = frozenset(),
) -> Iterator[tuple[Requirement, Issue]]:
    """Every RF106, RF107 and RF201-RF204 issue, each with the requirement it belongs to.

    One pass over every link, which also builds the parent and depends-on graphs for RF202.
    `id_fields` are the custom fields of type id-list: an ID they name must exist (RF201).
    `relations` are the relation names a link may use (RF107 names the nearest for any other).
    `broken_ids` are IDs whose file exists but could not be read: that file is reported once,
    where it is broken, so links to it are not also reported as unknown.
    """
    known_relations = frozenset(relations)
    by_id: dict[str, list[Requirement]] = {}
    for req in requirements:
        rid = req.head.get("id")
        if type(rid) is str and rid:
            by_id.setdefault(rid, []).append(req)
    for rid, reqs in by_id.items():
        if len(reqs) > 1:
            for req in reqs:
                others = ", ".join(o.path for o in reqs if o is not req)
                message = Text("duplicate id {id!r}: also in {others}", id=rid, others=others)
                yield req, Issue("RF106", ("id",), message, True)
    graphs: dict[str, dict[str, list[str]]] = {relation: {} for relation in ACYCLIC_RELATIONS}
    first_index: dict[tuple[str, str, str], int | None] = {}
    for req in requirements:
        links = req.head.get("links")
        if type(links) is not dict:
            continue
        rid = req.id
        source_dead = req.status in _DEAD
        for relation, value in links.items():
            relation = key_text(relation)
            if relation not in known_relations:
                hint = did_you_mean(relation, relations) or Text(
                    " (known: {relations})", relations=", ".join(relations)
                )
                message = Text(
                    "links: unknown relation '{relation}'{hint}; the link is ignored",
                    relation=relation,
                    hint=hint,
                )
                yield req, Issue("RF107", ("links", relation), message)
            graph = graphs.get(relation)
            for index, target in link_targets(value):
                if target == rid:
                    path = _path(relation, index)
                    yield (
                        req,
                        Issue(
                            "RF203",
                            path,
                            Text(
                                "links.{relation}: links to itself ({id})",
                                relation=relation,
                                id=target,
                            ),
                            True,
                        ),
                    )
                    continue
                found = by_id.get(target)
                if not found:
                    if target in broken_ids:
                        continue
                    path = _path(relation, index)
                    yield (
                        req,
                        Issue(
                            "RF201",
                            path,
                            Text(
                                "links.{relation}: unknown requirement {id!r}",
                                relation=relation,
                                id=target,
                            ),
                            True,
                        ),
                    )
                    continue
                status = found[0].status
                if status in _DEAD and not source_dead and relation != "duplicates":
                    yield (
                        req,
                        Issue(
                            "RF204",
                            _path(relation, index),
                            Text(
                                "links.{relation}: {id} is {status}; link to what replaced it",
                                relation=relation,
                                id=target,
                                status=status,
                            ),
                            True,
                        ),
                    )
                if graph is not None and rid:
                    graph.setdefault(rid, []).append(target)
                    first_index.setdefault((rid, relation, target), index)
    for name in id_fields:
        for req in requirements:
            value = req.data.get(name)
            for index, target in link_targets(value):
                if target not in by_id and target not in broken_ids:
                    path = (name,) if index is None else (name, index)
                    message = Text("{field}: unknown requirement {id!r}", field=name, id=target)
                    yield req, Issue("RF201", path, message, True)
    for relation, graph in graphs.items():
        for cycle in find_cycles(graph):
            owner = by_id[cycle[0]][0]
            index = first_index.get((cycle[0], relation, cycle[1]))
            yield (
                owner,
                Issue(
                    "RF202",
                    _path(relation, index),
                    Text(
                        "cycle in {relation}: {cycle}", relation=relation, cycle=" -> ".join(cycle)
                    ),
                    True,
                ),
            )


def link_findings(corpus: Corpus) -> list[Finding]:
    """The links family (cross-file): every `link_issues` issue, located; custom id-list fields
    are checked like links."""
    config = corpus.config
    id_fields = [f.name for f in config.fields.values() if f.type == "id-list"]
    relations = (*RELATIONS, *config.links.relations)
    issues = link_issues(corpus.repository.requirements, id_fields, relations, corpus.broken_ids())
    return [corpus.locate(req, issue) for req, issue in issues]
