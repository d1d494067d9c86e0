"""RF406 suspect links, after Doorstop's idea but from git instead of stored fingerprints: a link
is suspect when the linked requirement's content changed in a newer commit than the last change
of the requirement that links to it. Editing the linking requirement clears it, and so does
recording the review: `reviewed: <commit>` at or after the target's change."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reqforge.checks.context import Issue
from reqforge.i18n import Text
from reqforge.model import Finding, Requirement, link_targets
from reqforge.scalars import key_text

if TYPE_CHECKING:
    from reqforge.checks.families import CheckRun

# Links whose target's later edits say nothing about the source's correctness.
_NOT_DERIVED = ("duplicates", "conflicts-with")


SuspectLink = tuple[str, int | None, str, str]  # (relation, index, target, target's commit)


# implements: REQ-404
def suspect_links(
    requirements: Sequence[Requirement],
    root: Path,
    reqs_dir: str,
    use_cache: bool = True,
    ages: dict[str, tuple[int, str]] | None = None,
) -> dict[str, list[SuspectLink]]:
    """Requirement ID -> its suspect links (nothing outside git). `ages` is `last_changes`'s
    result when the caller already has it."""
    from reqforge.git import is_ancestor  # git only when links are checked
    from reqforge.history import last_changes

    if ages is None:
        ages = last_changes(root, reqs_dir, use_cache=use_cache)
    found: dict[str, list[SuspectLink]] = {}
    if not ages:
        return found
    for req in requirements:
        mine = ages.get(req.id)
        links = req.head.get("links")
        if mine is None or not isinstance(links, dict):
            continue
        reviewed = req.get("reviewed")
        for relation, targets in links.items():
            if relation in _NOT_DERIVED:
                continue
            # `links: {depends-on: 5}` names no target (RF102): it can never be suspect.
            for index, target in link_targets(targets):
                theirs = ages.get(target)
                if theirs is None or theirs[0] >= mine[0]:
                    continue  # the target did not change after this requirement did
                if isinstance(reviewed, str) and is_ancestor(root, theirs[1], reviewed):
                    continue
                found.setdefault(req.id, []).append((key_text(relation), index, target, theirs[1]))
    return found


def suspect_issues(
    requirements: Sequence[Requirement], root: Path, reqs_dir: str, use_cache: bool = True
) -> Iterator[tuple[Requirement, Issue]]:
    """Every suspect link of the repository as an RF406 issue."""
    from reqforge.history import last_changes

    ages = last_changes(root, reqs_dir, use_cache=use_cache)
    links = suspect_links(requirements, root, reqs_dir, use_cache, ages)
    for req in requirements:
        for relation, index, target, since in links.get(req.id, ()):
            path = ("links", relation) if index is None else ("links", relation, index)
            mine = ages[req.id][1]
            yield (
                req,
                Issue(
                    "RF406",
                    path,
                    Text(
                        "suspect link: {target} changed in {since}, after {id} was last "
                        "changed ({mine}); review {id}, then edit it or record "
                        "`reviewed: {since}`",
                        target=target,
                        since=since[:10],
                        id=req.id,
                        mine=mine[:10],
                    ),
                    True,
                ),
            )


# implements: REQ-404
def suspect_findings(run: CheckRun) -> list[Finding]:
    """The suspect family (history): RF406, and RF102 for a `reviewed:` that names no commit.
    Reused when neither a front matter nor HEAD changed since the last run (they depend on
    nothing else; locating hundreds of findings costs more than finding them)."""
    from reqforge.checks.families import FINDINGS_SHAPE, finding_rows
    from reqforge.git import head_sha

    corpus, use_cache = run.corpus, run.use_cache
    config = corpus.config
    head = head_sha(config.root)
    if head is None:
        return []
    key = f"{corpus.front_key}|{head}"  # bodies aside: links and `reviewed` are front matter

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
                message = Text(
                    "reviewed: {commit!r} is not a commit of this repository", commit=reviewed
                )
                findings.append(corpus.locate(req, Issue("RF102", ("reviewed",), message, True)))
        return finding_rows(findings)

    if not use_cache:
        return [Finding(*row) for row in compute()]
    return [Finding(*row) for row in corpus.store.memo("suspect", key, FINDINGS_SHAPE, compute)]
