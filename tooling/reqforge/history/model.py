"""The history model: commits, field-level changes and the events that tie them to requirements.

`Change`, `Commit`, `Event` and `History` are frozen; `History.for_id` follows renames and ID
changes. `make_change`/`make_event` build the same objects about twice as fast as the dataclass
constructors, which matters when a warm run rebuilds ~10^5 changes from the cache.
"""

# implements: REQ-300

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# --------------------------------------------------------------------------------------------
# The public model


# implements: REQ-301
@dataclass(frozen=True, slots=True)
class Change:
    """One field-level change: `field` is a dotted path (`priority.ice.impact`) or `body`.

    Fields carry `old` and `new` (None when absent; a list field gives the whole lists); the body
    carries `added` and `removed` line counts. Values are plain YAML data shared with other
    events: treat them as read-only.
    """

    field: str
    old: Any = None
    new: Any = None
    added: int | None = None
    removed: int | None = None

    def to_json(self) -> dict[str, Any]:
        """`{"field", "old", "new"}`, or `{"field": "body", "added", "removed"}` (SPEC 5)."""
        if self.added is not None or self.removed is not None:
            return {"field": self.field, "added": self.added or 0, "removed": self.removed or 0}
        return {"field": self.field, "old": self.old, "new": self.new}


@dataclass(frozen=True, slots=True)
class Commit:
    """A commit's metadata; `date` is the author date in ISO 8601 with the author's zone."""

    sha: str
    author: str
    email: str
    date: str
    subject: str
    pr: int | None
    parents: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """The commit as `log --format json` shows it (parents left out)."""
        return {
            "commit": self.sha,
            "author": self.author,
            "email": self.email,
            "date": self.date,
            "subject": self.subject,
            "pr": self.pr,
        }


@dataclass(frozen=True, slots=True)
class Event:
    """One commit touching one requirement file."""

    commit: Commit
    id: str
    kind: str  # "added" | "modified" | "renamed" | "deleted"
    path: str
    old_path: str | None
    changes: tuple[Change, ...]


# implements: REQ-300
@dataclass(frozen=True, slots=True)
class History:
    """Every requirement event, newest first, and the state of the history it came from."""

    events: tuple[Event, ...]
    available: bool
    shallow: bool
    head: str | None
    note: str | None
    # id -> positions in `events`; built once, lazily (not part of equality or repr).
    _by_id: dict[str, list[int]] | None = field(default=None, init=False, repr=False, compare=False)
    # id -> `for_id(id)`, kept: a site asks for each requirement's events several times.
    _for_id: dict[str, tuple[Event, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def _index(self) -> dict[str, list[int]]:
        index = self._by_id
        if index is None:
            index = {}
            for position, event in enumerate(self.events):
                index.setdefault(event.id, []).append(position)
            object.__setattr__(self, "_by_id", index)
        return index

    # implements: REQ-302
    def for_id(self, rid: str) -> tuple[Event, ...]:
        """The events of one requirement, newest first, following renames: the file may move
        between folders, and an ID change (`id: A-1` -> `id: A-2`) continues with the older
        events of the previous ID."""
        found = self._for_id.get(rid)
        if found is None:
            found = self._for_id[rid] = self._events_of(rid)
        return found

    def _events_of(self, rid: str) -> tuple[Event, ...]:
        index = self._index()
        positions: set[int] = set()
        # (id, only events older than this position): an ID change adds the previous ID's
        # events from before the change.
        pending: list[tuple[str, int]] = [(rid, -1)]
        seen: set[tuple[str, int]] = set()
        while pending:
            current, after = pending.pop()
            if (current, after) in seen:
                continue
            seen.add((current, after))
            for position in index.get(current, ()):
                if position <= after or position in positions:
                    continue
                positions.add(position)
                for change in self.events[position].changes:
                    if (
                        change.field == "id"
                        and isinstance(change.old, str)
                        and change.new is not None
                        and change.old != current
                    ):
                        pending.append((change.old, position))
        return tuple(self.events[position] for position in sorted(positions))

    # implements: REQ-009
    def last_change(self, rid: str) -> Event | None:
        """The newest event of `rid` that changed content (any field or the body)."""
        for event in self.for_id(rid):
            if event.changes:
                return event
        return None

    # implements: REQ-009
    def first_event(self, rid: str) -> Event | None:
        """The oldest event of `rid` (normally its creation)."""
        events = self.for_id(rid)
        return events[-1] if events else None


# Fast constructors: a frozen dataclass's __init__ goes through object.__setattr__ for every
# field, which dominates a warm run that rebuilds ~10^5 changes from the cache. Setting the
# slots through their descriptors builds the very same objects about twice as fast.
_new_object = object.__new__
_CHANGE_SLOTS = tuple(Change.__dict__[name].__set__ for name in Change.__slots__)
_EVENT_SLOTS = tuple(Event.__dict__[name].__set__ for name in Event.__slots__)
assert Change.__slots__ == ("field", "old", "new", "added", "removed")
assert Event.__slots__ == ("commit", "id", "kind", "path", "old_path", "changes")


def make_change(name: str, old: Any, new: Any, added: int | None, removed: int | None) -> Change:
    change = _new_object(Change)
    set_field, set_old, set_new, set_added, set_removed = _CHANGE_SLOTS
    set_field(change, name)
    set_old(change, old)
    set_new(change, new)
    set_added(change, added)
    set_removed(change, removed)
    return change


def make_event(
    commit: Commit,
    rid: str,
    kind: str,
    path: str,
    old_path: str | None,
    changes: tuple[Change, ...],
) -> Event:
    event = _new_object(Event)
    set_commit, set_id, set_kind, set_path, set_old_path, set_changes = _EVENT_SLOTS
    set_commit(event, commit)
    set_id(event, rid)
    set_kind(event, kind)
    set_path(event, path)
    set_old_path(event, old_path)
    set_changes(event, changes)
    return event
