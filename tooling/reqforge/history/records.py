"""The history walk's records of events, and the events made from them on demand.

The walk (history/walk.py) turns every commit that touched a requirement file into one record
per file, which its cache stores:

    (id, kind, path, old_path, changes, renumbered, status)

`changes` are the event's field-level changes ((field, old, new, added, removed), ...) packed
in one marshal blob, unpacked only for the events a command shows (a build that renders one
page: that page's events, not the ~3 x 10^5 changes of a 5,000-commit history); `renumbered`
is the change of `id` among them, (old ID, whether a new one is set), or None, so that
renumberings are followed without unpacking; `status` is the status the event set (a text), or
None, for the dashboard's lead and response times. `Records` is the `history.model.EventSource`
a lazy `History` reads them through.
"""

from __future__ import annotations

import marshal
from collections.abc import Mapping
from typing import Any

from reqforge.cache import fixed, maybe, tuple_of
from reqforge.history.commit_graph import CommitRecord, attribute_prs, order
from reqforge.history.field_diff import ChangeRecord
from reqforge.history.model import Change, Commit, Event, make_change, make_event

EventRecord = tuple[str, str, str, "str | None", bytes, "tuple[str, bool] | None", "str | None"]
EVENT_SHAPE = fixed(str, str, str, maybe(str), bytes, maybe(fixed(str, bool)), maybe(str))
_CHANGES_SHAPE = tuple_of(fixed(str, object, object, maybe(int), maybe(int)))
_SHORT = 8  # bytes: an empty tuple of changes packs into fewer, any change into more
_SCALARS = frozenset({str, int, float, bool, type(None)})


def record_tail(
    changes: tuple[ChangeRecord, ...],
) -> tuple[bytes, tuple[str, bool] | None, str | None]:
    """The last three fields of an event's record: its changes packed, its ID change, the
    status it set."""
    return marshal.dumps(changes), _renumbered(changes), _new_status(changes)


class Records:
    """The records of a history (from the walk or its cache) newest first, each made into an
    Event when first asked for (history.model.EventSource): a build that renders one page
    makes that page's events, not the ~10^5 changes of every event (0.15 s at 5,000 commits)."""

    def __init__(
        self,
        commits: Mapping[str, CommitRecord],
        events: Mapping[str, tuple[EventRecord, ...]],
        head: str,
    ) -> None:
        self.commits = commits
        self.prs = attribute_prs(commits, head)
        self.rows: list[tuple[str, EventRecord]] = [
            (sha, record) for sha in order(commits, head) for record in events.get(sha) or ()
        ]
        self._made_commits: dict[str, Commit] = {}
        self._made: dict[int, Event] = {}
        # Equal changes are shared (a new requirement's `status: proposed`, `type:
        # functional`...): Change is immutable, and many records of a large history repeat.
        # The key carries the value types, since YAML's 1, 1.0 and true are equal in Python but
        # are different values.
        self._shared: dict[tuple[Any, ...], Change] = {}

    def __len__(self) -> int:
        return len(self.rows)

    def id_at(self, position: int) -> str:
        return self.rows[position][1][0]

    def kind_at(self, position: int) -> str:
        return self.rows[position][1][1]

    def outline_at(self, position: int) -> tuple[str, int | None, str, str, str | None]:
        sha, (_, kind, path, old_path, _, _, _) = self.rows[position]
        return sha, self.prs.get(sha), kind, path, old_path

    def id_changes_at(self, position: int) -> list[tuple[str, bool]]:
        renumbered = self.rows[position][1][5]
        return [] if renumbered is None else [renumbered]

    def status_at(self, position: int) -> str | None:
        return self.rows[position][1][6]

    def date_at(self, position: int) -> str:
        return self.commits[self.rows[position][0]][4]

    def changed_at(self, position: int) -> bool:
        blob = self.rows[position][1][4]  # any change packs into more than a few bytes
        return len(blob) > _SHORT or bool(_unpacked(blob))

    def commit_at(self, position: int) -> Commit:
        sha = self.rows[position][0]
        commit = self._made_commits.get(sha)
        if commit is None:
            parents, _, author, email, date, subject, _ = self.commits[sha]
            commit = Commit(sha, author, email, date, subject, self.prs.get(sha), parents)
            self._made_commits[sha] = commit
        return commit

    def event_at(self, position: int) -> Event:
        event = self._made.get(position)
        if event is None:
            _, (rid, kind, path, old_path, blob, _, _) = self.rows[position]
            commit = self.commit_at(position)
            made = tuple(map(self._intern, _unpacked(blob)))
            event = self._made[position] = make_event(commit, rid, kind, path, old_path, made)
        return event

    def _intern(self, record: ChangeRecord) -> Change:
        old_type, new_type = type(record[1]), type(record[2])
        if old_type in _SCALARS and new_type in _SCALARS:
            key = (*record, old_type, new_type)
            change = self._shared.get(key)
            if change is None:
                change = self._shared[key] = make_change(*record)
            return change
        return make_change(*record)


def _renumbered(changes: tuple[ChangeRecord, ...]) -> tuple[str, bool] | None:
    """The change of `id` from a text among an event's changes: (old ID, new one set)."""
    for name, old, new, _, _ in changes:
        if name == "id" and isinstance(old, str):
            return old, new is not None
    return None


def _new_status(changes: tuple[ChangeRecord, ...]) -> str | None:
    """The status an event's changes set, when they set one (a text)."""
    for name, _, new, _, _ in changes:
        if name == "status" and isinstance(new, str):
            return new
    return None


def _unpacked(blob: bytes) -> tuple[ChangeRecord, ...]:
    """An event's changes from the blob the walk packed them in. The blob is sealed in the
    cache with everything else; one that does not hold changes (never written by a walk)
    gives none, as a version that does not parse does."""
    try:
        changes = marshal.loads(blob)
    except (EOFError, ValueError, TypeError):
        return ()
    return changes if _CHANGES_SHAPE.check(changes) else ()
