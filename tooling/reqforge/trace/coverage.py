"""Traceability: requirements against their parents, children, code and tests.

Pure over its inputs: the catalogue (links both ways), the markers found in the source tree
(`markers`), the test results (`junit`) and the suspect links (RF406). A requirement is
*covered* when it has every kind `[trace.require]` lists for its type (a type with no entry
needs nothing); when nothing is required of any requirement there is no coverage figure (None),
not a vacuous 100%. An *orphan* has no parent, no children and no code or test marker (requirements
in `[trace] orphans_exempt` areas or IDs are exempt).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from reqforge.trace.junit import ResultIndex, TestResult
from reqforge.trace.markers import Marker

if TYPE_CHECKING:
    from reqforge.catalog import Catalog

KINDS = ("implemented", "verified")
# What `trace --fail-on` can fail on (exit 1 when any named one holds).
FAIL_CONDITIONS = ("failing", "missing", "orphans")
# Answered but not built: these never count against coverage.
_NOT_BUILT = ("rejected", "duplicate", "deferred", "out-of-scope")


# implements: REQ-400
# implements: REQ-404
@dataclass(frozen=True)
class TraceItem:
    id: str
    parents: tuple[str, ...]
    children: tuple[str, ...]
    links: Mapping[str, tuple[str, ...]]
    implemented: tuple[Marker, ...]
    verified: tuple[tuple[Marker, str], ...]  # (marker, result)
    missing: tuple[str, ...]
    suspect: tuple[tuple[str, str], ...]  # (target ID, commit since which it is suspect)
    required: tuple[str, ...] = ()  # the kinds [trace.require] asks of this requirement

    def tests(self) -> dict[str, str]:
        """Each verifying test once (its id, or path:line where none was found) -> result."""
        return {m.test or f"{m.path}:{m.line}": result for m, result in self.verified}

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "parents": list(self.parents),
            "children": list(self.children),
            "links": {k: list(v) for k, v in self.links.items() if k != "parent"},
            "implemented": [{"path": m.path, "line": m.line} for m in self.implemented],
            "verified": [
                {"path": m.path, "line": m.line, "test": m.test, "result": result}
                for m, result in self.verified
            ],
            "missing": list(self.missing),
            "suspect": [{"id": target, "since": since} for target, since in self.suspect],
        }


# implements: REQ-400
# implements: REQ-403
@dataclass(frozen=True)
class TraceReport:
    items: tuple[TraceItem, ...]
    orphans: tuple[str, ...]
    unknown_markers: tuple[Marker, ...] = field(default=())

    @property
    def covered(self) -> int:
        return sum(1 for item in self.items if not item.missing)

    @property
    def required(self) -> int:
        """How many requirements `[trace.require]` asks anything of."""
        return sum(1 for item in self.items if item.required)

    @property
    def failing(self) -> tuple[str, ...]:
        """The requirements with a failing verifying test, sorted."""
        return tuple(
            sorted({item.id for item in self.items for _, r in item.verified if r == "failed"})
        )

    # implements: REQ-403
    def summary(self) -> dict[str, Any]:
        """The figures: `coverage` is None when there is nothing to cover (no requirements, or
        `[trace.require]` asks nothing of any of them: `required` is 0), never a vacuous 1.0."""
        count = len(self.items)
        return {
            "requirements": count,
            "required": self.required,
            "covered": self.covered,
            "coverage": round(self.covered / count, 3) if self.required else None,
            "orphans": list(self.orphans),
            "suspect": sum(len(item.suspect) for item in self.items),
            "failing": list(self.failing),
        }

    # implements: REQ-403
    def conditions_holding(self, conditions: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """Of `conditions` (names from FAIL_CONDITIONS), those that hold, each with the IDs it
        holds for: `failing` (a verifying test failed), `missing` (a kind [trace.require] asks
        for is absent), `orphans`."""
        found = {
            "failing": self.failing,
            "missing": tuple(item.id for item in self.items if item.missing),
            "orphans": self.orphans,
        }
        return {name: found[name] for name in FAIL_CONDITIONS if name in conditions and found[name]}

    def to_json(self) -> dict[str, Any]:
        return {"summary": self.summary(), "items": [item.to_json() for item in self.items]}

    def only(self, ids: set[str]) -> TraceReport:
        """The report for the requirements `ids` (a filter's selection)."""
        return TraceReport(
            tuple(item for item in self.items if item.id in ids),
            tuple(o for o in self.orphans if o in ids),
            self.unknown_markers,
        )

    def tests(self) -> dict[str, str]:
        """Every verifying test of the report once -> its result."""
        return {test: result for item in self.items for test, result in item.tests().items()}


def _exempt(entry_id: str, area: str, patterns: Sequence[str]) -> bool:
    return any(fnmatch.fnmatch(entry_id, p) or fnmatch.fnmatch(area, p) for p in patterns)


# implements: REQ-401
# implements: REQ-402
# implements: REQ-403
def build_trace(
    catalog: Catalog,
    markers: Iterable[Marker],
    results: Sequence[TestResult],
    suspects: Mapping[str, Sequence[tuple[str, str]]] | None = None,
) -> TraceReport:
    """The traceability report: one item per requirement, in ID order."""
    config = catalog.config.trace
    index = ResultIndex(results) if results else None
    lookups: dict[str, str] = {}

    def result(test: str | None) -> str:
        if not test or index is None:
            return "unknown"
        if test not in lookups:
            lookups[test] = index.lookup(test)
        return lookups[test]

    by_id: dict[str, list[Marker]] = {}
    unknown: list[Marker] = []
    for marker in markers:
        if marker.id in catalog.by_id:
            by_id.setdefault(marker.id, []).append(marker)
        else:
            unknown.append(marker)
    items = []
    orphans = []
    for entry in sorted(catalog.by_id.values(), key=lambda e: e.req.id):
        req = entry.req
        found = by_id.get(req.id, [])
        implemented = tuple(m for m in found if m.kind == "implemented")
        verified = tuple((m, result(m.test)) for m in found if m.kind == "verified")
        required = config.require.get(req.type or "", ())
        if req.status in _NOT_BUILT:
            required = ()
        have = {"implemented": bool(implemented), "verified": bool(verified)}
        missing = tuple(kind for kind in KINDS if kind in required and not have[kind])
        parents = tuple(req.links.get("parent", ()))
        lonely = not parents and not entry.children and not found
        if lonely and not _exempt(req.id, req.area, config.orphans_exempt):
            orphans.append(req.id)
        items.append(
            TraceItem(
                id=req.id,
                parents=parents,
                children=entry.children,
                links=dict(req.links),
                implemented=implemented,
                verified=verified,
                missing=missing,
                suspect=tuple((suspects or {}).get(req.id, ())),
                required=tuple(kind for kind in KINDS if kind in required),
            )
        )
    return TraceReport(tuple(items), tuple(orphans), tuple(unknown))
