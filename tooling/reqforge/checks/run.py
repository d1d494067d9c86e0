"""`check`: every finding of SPEC section 6 that needs no git history, in one run.

Per-file check families run in the corpus' file stage (parallel, cached); the other families of
the registry (checks/families.py: IDs, links, cycles, near-duplicates, overdue dates, trace
coverage, suspect links, base revision) run here over the loaded repository.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from reqforge.checks.families import (
    CROSS_FILE,
    EXTERNAL,
    FINDINGS_SHAPE,
    HISTORY,
    CheckRun,
    families,
    finding_rows,
)
from reqforge.checks.registry import RULES
from reqforge.checks.wording import CUSTOM_CODE, WORDING_CODES
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
    new_only: bool = False  # quality findings only for what the branch adds or changes


def cross_file_findings(corpus: Corpus, bodies: bool | None = None) -> list[Finding]:
    """The findings of every cross-file family (RF106, RF201-RF204, RF403): they depend on the
    requirement files and the configuration only. `bodies` True or False: only the families
    that read bodies, or only those that read front matter alone."""
    findings: list[Finding] = []
    for family in families(CROSS_FILE):
        if bodies is None or family.bodies == bodies:
            findings += family.check(corpus)
    return findings


# implements: REQ-602
def cached_cross_file_findings(corpus: Corpus, use_cache: bool) -> list[Finding]:
    """`cross_file_findings`, reused from the last run when no file they read and no setting
    changed (they depend on nothing else, so the reuse is exact): the findings of the families
    that read front matter only are kept apart, and outlive an edited body."""
    if not use_cache:
        return cross_file_findings(corpus)
    findings: list[Finding] = []
    for name, key, bodies in (
        ("cross-file", corpus.content_key, True),
        ("cross-file-fronts", corpus.front_key, False),
    ):
        rows = corpus.store.memo(
            name,
            key,
            FINDINGS_SHAPE,
            lambda bodies=bodies: finding_rows(cross_file_findings(corpus, bodies)),  # type: ignore[misc]
        )
        findings += (Finding(*row) for row in rows)
    return findings


def repository_findings(run: CheckRun) -> list[Finding]:
    """The findings of every family that is not per-file: the cross-file ones (cached), then
    each external and history family that applies to this run."""
    findings = cached_cross_file_findings(run.corpus, run.use_cache)
    for family in (*families(HISTORY), *families(EXTERNAL)):
        if family.applies(run):
            findings += family.check(run)
    return findings


def _matches(code: str, patterns: Iterable[str]) -> bool:
    """Whether `code` is one of the codes or prefixes; RF401 stands for every wording code
    (RF410-RF415 were RF401 before they were split by INCOSE rule)."""
    return any(code.startswith(p) or (p == CUSTOM_CODE and code in WORDING_CODES) for p in patterns)


def _with_family(codes: frozenset[str]) -> frozenset[str]:
    """A requirement's `lint-ignore` codes, RF401 standing for every wording code."""
    return codes | frozenset(WORDING_CODES) if CUSTOM_CODE in codes else codes


def _in_paths(path: str, paths: Sequence[str]) -> bool:
    return any(path == p or path.startswith(p.rstrip("/") + "/") for p in paths)


# implements: REQ-100
# implements: REQ-109
def run_check(corpus: Corpus, options: CheckOptions) -> CheckResult:
    """Grade and filter every finding of the corpus into a sorted CheckResult."""
    run = CheckRun(
        corpus,
        today=options.today or dt.date.today(),
        use_cache=options.use_cache,
        base=options.base,
        history=options.history,
    )
    findings = [*corpus.file_findings, *repository_findings(run)]
    if options.use_cache:
        corpus.save_locations()
    silenced = {
        req.path: _with_family(req.lint_ignore)
        for req in corpus.repository
        if req.head.get("lint-ignore")
    }
    fresh: set[str] | None = None
    if options.new_only and options.base is not None:
        from reqforge.checks.baseline import QUALITY_CODES, changed_paths

        requirements = list(corpus.repository.requirements)
        fresh = changed_paths(requirements, corpus.context, options.base, options.use_cache)
    kept: list[Finding] = []
    for finding in findings:
        if finding.code in silenced.get(finding.path, ()):
            continue
        # implements: REQ-721
        if (
            fresh is not None
            and finding.path not in fresh
            and _matches(finding.code, QUALITY_CODES)
        ):
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
