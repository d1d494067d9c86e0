"""`check`: every finding of SPEC section 6 that needs no git history, in one run.

Per-file checks run in the corpus' file stage (parallel, cached); repository-wide checks (IDs,
links, cycles, near-duplicates, overdue dates) run here over the loaded repository.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from reqforge.cache import fixed, list_of, maybe
from reqforge.checks.links import link_issues
from reqforge.checks.quality import duplicate_issues
from reqforge.checks.registry import RULES
from reqforge.checks.workflow import overdue_issue
from reqforge.corpus import Corpus
from reqforge.model import ERROR, WARNING, CheckResult, Finding


@dataclass(frozen=True)
class CheckOptions:
    """How to filter and grade findings (command-line options of `check`)."""

    paths: tuple[str, ...] = ()  # report only findings in these files or folders
    select: frozenset[str] | None = None  # only these codes (or code prefixes like RF4)
    ignore: frozenset[str] = frozenset()
    strict: bool = False  # warnings count as errors
    today: dt.date | None = None
    use_cache: bool = True
    base: str | None = None  # a revision to check status transitions and new IDs against
    history: bool = True  # suspect links (RF406) from git history


def cross_file_findings(corpus: Corpus) -> list[Finding]:
    """RF106, RF201-RF204 and RF403: findings that depend on more than one file."""
    requirements = corpus.repository.requirements
    id_fields = [f.name for f in corpus.config.fields.values() if f.type == "id-list"]
    findings = [corpus.locate(req, issue) for req, issue in link_issues(requirements, id_fields)]
    findings += [
        corpus.locate(req, issue)
        for req, issue in duplicate_issues(requirements, corpus.signatures, corpus.context)
    ]
    return findings


# A finding as a cache stores it: (code, severity, path, line, column, message, id).
_FINDINGS_SHAPE = list_of(fixed(str, str, str, int, int, str, maybe(str)))


def _finding_rows(findings: Iterable[Finding]) -> list[tuple[Any, ...]]:
    return [(f.code, f.severity, f.path, f.line, f.column, f.message, f.id) for f in findings]


# implements: REQ-602
def cached_cross_file_findings(corpus: Corpus, use_cache: bool) -> list[Finding]:
    """`cross_file_findings`, reused from the last run when no file and no setting changed
    (they depend on nothing else, so the reuse is exact)."""
    if not use_cache:
        return cross_file_findings(corpus)
    rows = corpus.store.memo(
        "cross-file",
        corpus.content_key,
        _FINDINGS_SHAPE,
        lambda: _finding_rows(cross_file_findings(corpus)),
    )
    return [Finding(*row) for row in rows]


# implements: REQ-403
def trace_findings(corpus: Corpus) -> list[Finding]:
    """With [trace] configured: RF205 (a marker naming an unknown requirement), RF408 (an
    accepted-or-later requirement without the coverage [trace.require] asks for) and RF409
    (a test results file refused)."""
    from reqforge.checks.context import Issue
    from reqforge.trace.junit import read_results
    from reqforge.trace.markers import configured_markers

    config = corpus.config
    trace = config.trace
    findings: list[Finding] = []
    markers = configured_markers(config)
    ids = {req.id for req in corpus.repository}
    for marker in markers:
        if marker.id not in ids:
            message = f"{marker.kind} marker names an unknown requirement {marker.id!r}"
            findings.append(Finding("RF205", "error", marker.path, marker.line, 1, message))
    if trace.results:
        _, problems = read_results(config.root, trace.results)
        findings += [Finding("RF409", "error", p.path, 0, 0, p.message) for p in problems]
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
                message = (
                    f"status '{req.status}' but no {' or '.join(missing)} marker for {req.id} "
                    f"([trace.require] {req.type} = {list(needed)})"
                )
                findings.append(corpus.locate(req, Issue("RF408", ("status",), message, True)))
    return findings


# implements: REQ-404
def suspect_findings(corpus: Corpus, use_cache: bool) -> list[Finding]:
    """RF406, reused when neither a file nor HEAD changed since the last run (they depend on
    nothing else; locating hundreds of findings costs more than finding them)."""
    from reqforge.checks.context import Issue
    from reqforge.checks.suspect import suspect_issues
    from reqforge.git import head_sha

    config = corpus.config
    head = head_sha(config.root)
    if head is None:
        return []
    key = f"{corpus.content_key}|{head}"

    def compute() -> list[tuple[Any, ...]]:
        requirements = corpus.repository.requirements
        issues = suspect_issues(requirements, config.root, config.reqs_dir, use_cache)
        findings = [corpus.locate(req, issue) for req, issue in issues]
        for req in requirements:  # a recorded review must name a real commit
            reviewed = req.head.get("reviewed")
            if (
                isinstance(reviewed, str)
                and reviewed.strip()
                and head_sha(config.root, reviewed) is None
            ):
                message = f"reviewed: {reviewed!r} is not a commit of this repository"
                findings.append(corpus.locate(req, Issue("RF102", ("reviewed",), message, True)))
        return _finding_rows(findings)

    if not use_cache:
        return [Finding(*row) for row in compute()]
    return [Finding(*row) for row in corpus.store.memo("suspect", key, _FINDINGS_SHAPE, compute)]


def repository_findings(
    corpus: Corpus,
    today: dt.date,
    use_cache: bool = False,
    base: str | None = None,
    history: bool = False,
) -> list[Finding]:
    """The repository-wide findings: RF106, RF201-RF204, RF403, RF405; RF406 from git history
    with `history`; RF301 and RF303 against `base`."""
    requirements = corpus.repository.requirements
    findings = cached_cross_file_findings(corpus, use_cache)
    if base is not None:
        from reqforge.checks.baseline import baseline_issues

        findings += [
            corpus.locate(req, issue)
            for req, issue in baseline_issues(list(requirements), corpus.context, base)
        ]
    if history:
        findings += suspect_findings(corpus, use_cache)
    trace = corpus.config.trace
    if trace.scan or trace.results or trace.require:
        findings += trace_findings(corpus)
    for req in requirements:
        issue = overdue_issue(req, corpus.context, today)
        if issue is not None:
            findings.append(corpus.locate(req, issue))
    return findings


def _matches(code: str, patterns: Iterable[str]) -> bool:
    return any(code.startswith(p) for p in patterns)


def _in_paths(path: str, paths: Sequence[str]) -> bool:
    return any(path == p or path.startswith(p.rstrip("/") + "/") for p in paths)


# implements: REQ-100
# implements: REQ-109
def run_check(corpus: Corpus, options: CheckOptions) -> CheckResult:
    """Grade and filter every finding of the corpus into a sorted CheckResult."""
    today = options.today or dt.date.today()
    findings = [
        *corpus.file_findings,
        *repository_findings(corpus, today, options.use_cache, options.base, options.history),
    ]
    silenced = {
        req.path: req.lint_ignore for req in corpus.repository if req.head.get("lint-ignore")
    }
    kept: list[Finding] = []
    for finding in findings:
        if finding.code in silenced.get(finding.path, ()):
            continue
        if options.select is not None and not _matches(finding.code, options.select):
            continue
        if options.ignore and _matches(finding.code, options.ignore):
            continue
        if options.paths and not _in_paths(finding.path, options.paths):
            continue
        # implements: REQ-102
        if options.strict and finding.severity == WARNING:
            finding = replace(finding, severity=ERROR)
        kept.append(finding)
    kept.sort(key=Finding.sort_key)
    return CheckResult(
        findings=tuple(kept),
        requirements=len(corpus.repository),
        files=corpus.repository.file_count,
    )


def known_code(code: str) -> bool:
    """True for a registered code or a prefix of one (RF4 selects RF401-RF407)."""
    return any(c.startswith(code) for c in RULES)
