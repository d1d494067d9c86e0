"""What suspect links (RF406) compare: when each requirement last changed what it *says*.

Workflow and planning fields (status, owner, priority, ...) are bookkeeping: changing them does
not change a requirement's meaning, so it never makes the links to it suspect.
"""

# implements: REQ-404

from __future__ import annotations

from pathlib import Path

from reqforge.cache import CacheStore, dict_of, fixed
from reqforge.git import GitError, open_repository

BOOKKEEPING_FIELDS = frozenset(
    {
        "status",
        "owner",
        "team",
        "due",
        "reason",
        "feedback",
        "priority",
        "tags",
        "lint-ignore",
        "reviewed",
        "source",
    }
)
_SHAPE = dict_of(str, fixed(int, str))


def says_something(field: str) -> bool:
    """True when a change of `field` (a dotted path or `body`) changes what is required."""
    return field.split(".", 1)[0] not in BOOKKEEPING_FIELDS


# implements: REQ-404
def last_changes(
    root: Path, reqs_dir: str = "reqs", *, use_cache: bool = True
) -> dict[str, tuple[int, str]]:
    """ID -> (age, sha) of the commit that last changed the requirement's content, where age 0
    is the newest commit in the history (larger is older). Empty outside git.

    Cached per HEAD, which is read in-process: `check` starts no git process when nothing was
    committed since the last run.
    """
    try:
        repo = open_repository(root)
    except GitError:
        return {}
    head = repo.head()
    if head is None:
        return {}
    store = CacheStore(Path(root), enabled=use_cache)
    key = f"last-changes|{reqs_dir}|{head}"
    stored = store.read("last-changes", key, _SHAPE)
    if stored is not None:
        return stored
    from reqforge.history.walk import load_history  # only when the cache cannot answer

    history = load_history(root, reqs_dir, store=store)
    ages: dict[str, int] = {}
    for event in history.events:
        ages.setdefault(event.commit.sha, len(ages))
    result: dict[str, tuple[int, str]] = {}
    for rid in {event.id for event in history.events}:
        for event in history.for_id(rid):
            if event.kind == "deleted":
                break
            if any(says_something(change.field) for change in event.changes):
                result[rid] = (ages[event.commit.sha], event.commit.sha)
                break
    if not history.shallow:
        store.write("last-changes", key, result)
    return result
