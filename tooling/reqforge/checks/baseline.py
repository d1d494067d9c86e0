"""Checks against a base revision (`check --base REV`, e.g. origin/main in a pull request):
RF301 (a status change the workflow does not allow) and RF303 (a requirement this branch adds
whose ID the base already has: two branches took the same next ID)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from reqforge.checks.context import CheckContext, Issue
from reqforge.checks.workflow import transition_refusal
from reqforge.i18n import Text
from reqforge.model import Finding, Requirement
from reqforge.safe_read import read_inside

if TYPE_CHECKING:
    from reqforge.checks.families import CheckRun


def _same_bytes(root: Path, path: str, blob: str, limit: int) -> bool:
    """Whether the working tree's file at `path` holds exactly the blob `blob`."""
    from reqforge.git import blob_id

    try:
        return blob_id(read_inside(root / path, root, limit), blob) == blob
    except OSError:
        return False


# implements: REQ-305
def baseline_issues(
    requirements: list[Requirement], ctx: CheckContext, base: str, use_cache: bool = True
) -> Iterator[tuple[Requirement, Issue]]:
    """RF301 and RF303 for the working tree against `base` (ReqforgeError if it is unknown)."""
    from reqforge.git import merge_base
    from reqforge.history import tree_paths
    from reqforge.history.snapshot import tree_heads

    config = ctx.config
    root = config.root
    before = tree_heads(root, base, config.reqs_dir, use_cache)
    for req in requirements:
        old = before.get(req.id)
        if old is None or old[2] is None or req.status is None or old[2] == req.status:
            continue
        options = transition_refusal(config.workflow, old[2], req.status)
        if options is not None:
            yield (
                req,
                Issue(
                    "RF301",
                    ("status",),
                    Text(
                        "status '{old}' -> '{new}' is not allowed (since {base}); "
                        "from '{old}' the workflow allows: {options}",
                        old=old[2],
                        new=req.status,
                        base=base,
                        options=options,
                    ),
                    True,
                ),
            )
    fork = merge_base(root, base, "HEAD")
    existed = tree_paths(root, fork, config.reqs_dir) if fork else frozenset()
    for req in requirements:
        old = before.get(req.id)
        if old is None or req.path in existed:
            continue  # not new on this branch, or the ID is free on the base
        # the identical file merged on both sides is no clash
        if not _same_bytes(root, req.path, old[1], config.max_file_size):
            yield (
                req,
                Issue(
                    "RF303",
                    ("id",),
                    Text(
                        "id {id!r} is new on this branch but {base} already has it ({path}): "
                        "renumber this requirement (`reqforge new` picks a free ID)",
                        id=req.id,
                        base=base,
                        path=old[0],
                    ),
                    True,
                ),
            )


# Quality findings (wording, EARS shape, duplicates): `check --new-only` reports them only for
# the requirements a branch adds or changes, so a team can adopt the rules without first
# fixing its whole backlog.
QUALITY_CODES = ("RF401", "RF403", "RF407", "RF41")


# implements: REQ-721
def changed_paths(
    requirements: list[Requirement], ctx: CheckContext, base: str, use_cache: bool = True
) -> set[str]:
    """The paths of the requirements the working tree adds or changes since it forked from
    `base` (their merge base; `base` itself when there is none): an ID the fork point lacks,
    or a file whose bytes differ from that ID's file there."""
    from reqforge.git import merge_base
    from reqforge.history.snapshot import tree_heads

    config = ctx.config
    root = config.root
    fork = merge_base(root, base, "HEAD") or base
    before = tree_heads(root, fork, config.reqs_dir, use_cache)
    changed: set[str] = set()
    for req in requirements:
        old = before.get(req.id)
        if old is None:
            changed.add(req.path)
            continue
        if not _same_bytes(root, req.path, old[1], config.max_file_size):
            changed.add(req.path)
    return changed


def baseline_findings(run: CheckRun) -> list[Finding]:
    """The baseline family (history; only with `check --base`): RF301 and RF303, located."""
    corpus = run.corpus
    if run.base is None:
        return []
    requirements = list(corpus.repository.requirements)
    issues = baseline_issues(requirements, corpus.context, run.base, run.use_cache)
    return [corpus.locate(req, issue) for req, issue in issues]
