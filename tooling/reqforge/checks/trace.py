"""The trace family: with [trace] configured, RF205 (a code or test marker naming an unknown
requirement), RF408 (an accepted-or-later requirement without the coverage [trace.require]
asks for) and RF409 (a test results file refused)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reqforge.checks.context import Issue
from reqforge.checks.registry import new_finding
from reqforge.i18n import Text
from reqforge.model import Finding

if TYPE_CHECKING:
    from reqforge.checks.families import CheckRun


# implements: REQ-403
def trace_findings(run: CheckRun) -> list[Finding]:
    """RF205, RF408 and RF409 from the source tree and the test results (external: neither is a
    requirement file, so they are read on every run)."""
    from reqforge.trace.junit import read_results
    from reqforge.trace.markers import configured_markers

    corpus = run.corpus
    config = corpus.config
    trace = config.trace
    findings: list[Finding] = []
    markers = configured_markers(config)
    ids = {req.id for req in corpus.repository}
    for marker in markers:
        if marker.id not in ids:
            message = Text(
                "{kind} marker names an unknown requirement {id!r}", kind=marker.kind, id=marker.id
            )
            where = (marker.path, marker.line, 1)
            findings.append(new_finding("RF205", *where, message, language=config.language))
    if trace.results:
        _, problems = read_results(config.root, trace.results)
        findings += [
            new_finding("RF409", p.path, 0, 0, p.message, language=config.language)
            for p in problems
        ]
    if trace.require:
        kinds: dict[str, set[str]] = {}
        for marker in markers:
            kinds.setdefault(marker.id, set()).add(marker.kind)
        statuses = trace.require_statuses
        if statuses is None:
            statuses = config.workflow.committed
        for req in corpus.repository:
            needed = trace.require.get(req.type or "", ())
            missing = [k for k in needed if k not in kinds.get(req.id, ())]
            if missing and req.status in statuses:
                # Two kinds at most: implemented and verified.
                kinds_text = missing[0]
                if len(missing) > 1:
                    kinds_text = Text("{first} or {second}", first=missing[0], second=missing[1])
                message = Text(
                    "status '{status}' but no {kinds} marker for {id} "
                    "([trace.require] {type} = {required})",
                    status=req.status,
                    kinds=kinds_text,
                    id=req.id,
                    type=req.type,
                    required=list(needed),
                )
                findings.append(corpus.locate(req, Issue("RF408", ("status",), message, True)))
    return findings
