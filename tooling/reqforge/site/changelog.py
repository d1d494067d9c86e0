"""The change log and the baselines of the site: what changed, commit by commit and between tags.

`changelog_context` and the baseline contexts are pure: they turn the history and the releases
(site/releases.py: tags and baselines, read from git) into page contexts, reusing the
requirement pages' commit and change rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reqforge.site.pages import change_rows, commit_context, page_name

if TYPE_CHECKING:
    from reqforge.site.pages import SiteModel
    from reqforge.site.releases import Baseline, Row

CHANGELOG_LIMIT = 500  # commits on the change log page; each requirement's page has them all


def _requirement(model: SiteModel, rid: str) -> dict[str, Any]:
    """An ID with its current title and page, or no page when it is gone."""
    entry = model.catalog.by_id.get(rid)
    return {
        "id": rid,
        "title": entry.req.title if entry else "",
        "page": page_name(rid) if entry else None,
    }


# implements: REQ-505
def changelog_context(model: SiteModel) -> dict[str, Any]:
    """The newest `CHANGELOG_LIMIT` commits that changed requirements, newest first, grouped
    by the tag that first contains them (None: not tagged yet) and then by day; each commit
    with the requirements it changed, their kind and field changes."""
    history = model.history
    if history is None or not history.available:
        return {"available": False, "groups": [], "more": 0, "shown": 0}
    private = model.catalog.config.site.private_fields
    newest, commits = history.newest_commits(CHANGELOG_LIMIT)
    tag_of = model.releases.tag_of if model.releases else {}
    groups: list[dict[str, Any]] = []
    for events in newest:
        commit = events[0].commit
        tag = tag_of.get(commit.sha)
        if not groups or groups[-1]["tag"] != tag:
            groups.append({"tag": tag, "days": []})
        days = groups[-1]["days"]
        day = commit.date[:10]
        if not days or days[-1]["date"] != day:
            days.append({"date": day, "commits": []})
        days[-1]["commits"].append(
            {
                **commit_context(model.repo_url, commit),
                "requirements": [
                    {
                        **_requirement(model, event.id),
                        "kind": event.kind,
                        "changes": change_rows(event.changes, private),
                    }
                    for event in sorted(events, key=lambda e: e.id)
                ],
            }
        )
    return {
        "available": True,
        "groups": groups,
        "shown": len(newest),
        "more": commits - len(newest),
    }


def baselines_index_context(model: SiteModel) -> dict[str, Any]:
    """The baselines index: the tags newest first with their commits, and every comparison
    (newest first) with its counts; `available` False outside git."""
    releases = model.releases
    if releases is None:
        return {"available": False, "tags": [], "baselines": []}
    return {
        "available": True,
        "tags": [{"name": name, "sha": sha[:10]} for name, sha in reversed(releases.tags)],
        "baselines": [
            {
                "old": b.old,
                "new": b.new,
                "page": b.page,
                "added": len(b.added),
                "removed": len(b.removed),
                "modified": len(b.modified),
            }
            for b in reversed(releases.baselines)
        ],
    }


def _row(model: SiteModel, row: Row) -> dict[str, Any]:
    rid, title, path = row
    return {**_requirement(model, rid), "title": title, "path": path}


# implements: REQ-505
def baseline_context(model: SiteModel, baseline: Baseline) -> dict[str, Any]:
    """One comparison: added and removed requirements, modified ones with their field changes
    (private fields left out)."""
    private = model.catalog.config.site.private_fields
    return {
        "old": baseline.old,
        "new": baseline.new,
        "added": [_row(model, row) for row in baseline.added],
        "removed": [_row(model, row) for row in baseline.removed],
        "modified": [
            {**_row(model, row), "changes": change_rows(changes, private)}
            for row, changes in baseline.modified
        ],
    }
