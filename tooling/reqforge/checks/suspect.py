"""RF406 suspect links, after Doorstop's idea but from git instead of stored fingerprints: a link
is suspect when the linked requirement's content changed in a newer commit than the last change
of the requirement that links to it. Editing the linking requirement clears it, and so does
recording the review: `reviewed: <commit>` at or after the target's change."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from reqforge.checks.context import Issue
from reqforge.git import is_ancestor
from reqforge.history import last_changes
from reqforge.model import Requirement

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
            items = (
                [(None, targets)] if isinstance(targets, str) else list(enumerate(targets or ()))
            )
            for index, target in items:
                theirs = ages.get(target) if isinstance(target, str) else None
                if theirs is None or theirs[0] >= mine[0]:
                    continue  # the target did not change after this requirement did
                if isinstance(reviewed, str) and is_ancestor(root, theirs[1], reviewed):
                    continue
                found.setdefault(req.id, []).append((str(relation), index, target, theirs[1]))
    return found


def suspect_issues(
    requirements: Sequence[Requirement], root: Path, reqs_dir: str, use_cache: bool = True
) -> Iterator[tuple[Requirement, Issue]]:
    """Every suspect link of the repository as an RF406 issue."""
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
                    f"suspect link: {target} changed in {since[:10]}, after {req.id} "
                    f"was last changed ({mine[:10]}); review {req.id}, then edit it or "
                    f"record `reviewed: {since[:10]}`",
                    True,
                ),
            )
