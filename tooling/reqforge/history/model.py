"""The history model: commits, field-level changes and the events that tie them to requirements.

`Change`, `Commit`, `Event` and `History` are frozen; `History.for_id` follows renames and ID
changes. `make_change`/`make_event` build the same objects about twice as fast as the dataclass
constructors, which matters when a warm run rebuilds ~10^5 changes from the cache.
"""

# implements: REQ-300

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

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


# An event in outline: (commit, PR, kind, path, old path). What a page's key needs of it.
Outline = tuple[str, "int | None", str, str, "str | None"]


class EventSource(Protocol):
    """A history's events newest first, made on demand (history/records.py `Records`): a
    build that changes one page need not make the ~10^5 changes of every event."""

    def __len__(self) -> int: ...
    def id_at(self, position: int) -> str: ...
    def kind_at(self, position: int) -> str: ...
    def outline_at(self, position: int) -> Outline: ...
    def id_changes_at(self, position: int) -> list[tuple[str, bool]]: ...
    def changed_at(self, position: int) -> bool: ...
    def status_at(self, position: int) -> str | None: ...
    def date_at(self, position: int) -> str: ...
    def commit_at(self, position: int) -> Commit: ...
    def event_at(self, position: int) -> Event: ...


class _Made:
    """The `EventSource` of events already made (a history built from them, or made whole)."""

    __slots__ = ("events",)

    def __init__(self, events: tuple[Event, ...]) -> None:
        self.events = events

    def __len__(self) -> int:
        return len(self.events)

    def id_at(self, position: int) -> str:
        return self.events[position].id

    def kind_at(self, position: int) -> str:
        return self.events[position].kind

    def outline_at(self, position: int) -> Outline:
        event = self.events[position]
        return event.commit.sha, event.commit.pr, event.kind, event.path, event.old_path

    def id_changes_at(self, position: int) -> list[tuple[str, bool]]:
        return [
            (change.old, change.new is not None)
            for change in self.events[position].changes
            if change.field == "id" and isinstance(change.old, str)
        ]

    def changed_at(self, position: int) -> bool:
        return bool(self.events[position].changes)

    def status_at(self, position: int) -> str | None:
        for change in self.events[position].changes:
            if change.field == "status" and isinstance(change.new, str):
                return change.new
        return None

    def date_at(self, position: int) -> str:
        return self.events[position].commit.date

    def commit_at(self, position: int) -> Commit:
        return self.events[position].commit

    def event_at(self, position: int) -> Event:
        return self.events[position]


# implements: REQ-300
class History:
    """Every requirement event, newest first, and the state of the history it came from.

    Read-only once made. Everything is read through an `EventSource`: from `History.lazy`,
    the walk's records, whose events are made on first use, so `for_id`, `outline`,
    `summary`, `status_history` and `last_change_commit` make only what they need."""

    __slots__ = (
        "_by_id",
        "_events",
        "_for_id",
        "_positions",
        "_source",
        "available",
        "head",
        "note",
        "shallow",
    )

    def __init__(
        self,
        events: tuple[Event, ...],
        available: bool,
        shallow: bool,
        head: str | None,
        note: str | None,
    ) -> None:
        self.available = available
        self.shallow = shallow
        self.head = head
        self.note = note
        self._events: tuple[Event, ...] | None = events
        self._source: EventSource = _Made(events)
        # id -> positions in `events`; built once, lazily.
        self._by_id: dict[str, list[int]] | None = None
        # id -> `for_id(id)`, kept: a site asks for each requirement's events several times.
        self._for_id: dict[str, tuple[Event, ...]] = {}
        self._positions: dict[str, list[int]] = {}  # id -> `_follow(id)`, kept

    @classmethod
    def lazy(
        cls, source: EventSource, available: bool, shallow: bool, head: str | None, note: str | None
    ) -> History:
        history = cls((), available, shallow, head, note)
        history._events, history._source = None, source
        return history

    @property
    def events(self) -> tuple[Event, ...]:
        events = self._events
        if events is None:
            source = self._source
            events = self._events = tuple(map(source.event_at, range(len(source))))
            self._source = _Made(events)  # the records are all made: let them go
        return events

    def make_events(self) -> tuple[Event, ...]:
        """`events`, made now (e.g. once, before forked workers that will all read them)."""
        return self.events

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, History):
            return NotImplemented
        return (self.available, self.shallow, self.head, self.note, self.events) == (
            other.available,
            other.shallow,
            other.head,
            other.note,
            other.events,
        )

    def __hash__(self) -> int:
        return hash((self.available, self.shallow, self.head, self.note, self.events))

    def __repr__(self) -> str:
        return (
            f"History(events={self.events!r}, available={self.available!r}, "
            f"shallow={self.shallow!r}, head={self.head!r}, note={self.note!r})"
        )

    def _index(self) -> dict[str, list[int]]:
        index = self._by_id
        if index is None:
            index = {}
            id_at = self._source.id_at
            for position in range(len(self._source)):
                index.setdefault(id_at(position), []).append(position)
            self._by_id = index
        return index

    # implements: REQ-302
    def for_id(self, rid: str) -> tuple[Event, ...]:
        """The events of one requirement, newest first, following renames: the file may move
        between folders, and an ID change (`id: A-1` -> `id: A-2`) continues with the older
        events of the previous ID."""
        found = self._for_id.get(rid)
        if found is None:
            positions = self._positions_of(rid)
            found = self._for_id[rid] = tuple(map(self._source.event_at, positions))
        return found

    def status_history(self, rid: str) -> tuple[str | None, list[tuple[str, str]]]:
        """(the date of `rid`'s first commit, or None when no commit touched it; (commit
        date, status) for every status it entered, oldest first)."""
        source = self._source
        positions = self._positions_of(rid)
        entered = []
        for position in reversed(positions):
            status = source.status_at(position)
            if status is not None:
                entered.append((source.date_at(position), status))
        return (source.date_at(positions[-1]) if positions else None), entered

    def outline(self, rid: str) -> list[Outline]:
        """`for_id(rid)` in outline: (commit, PR, kind, path, old path) of each event."""
        return list(map(self._source.outline_at, self._positions_of(rid)))

    def summary(self) -> tuple[dict[str, tuple[int, str]], dict[str, int]]:
        """(ID -> (position, kind) of its newest event; old ID -> position of the newest event
        that changed that ID to another), positions counting from the newest event: what
        tombstones are found from."""
        newest: dict[str, tuple[int, str]] = {}
        renames: dict[str, int] = {}
        source = self._source
        for position in range(len(source)):
            rid = source.id_at(position)
            if rid not in newest:
                newest[rid] = (position, source.kind_at(position))
            for old, _ in source.id_changes_at(position):
                if old != rid:
                    renames.setdefault(old, position)
        return newest, renames

    def event(self, position: int) -> Event:
        """The event at `position` (newest first), as in `events`."""
        return self._source.event_at(position)

    def newest_commits(self, limit: int) -> tuple[list[tuple[Event, ...]], int]:
        """The events of the newest `limit` commits, a tuple per commit (newest commit first,
        as `events` orders them), and how many commits there are in all: only those events
        are made (the change log shows 500 commits of thousands)."""
        source = self._source
        by_commit: dict[str, list[int]] = {}
        for position in range(len(source)):
            by_commit.setdefault(source.outline_at(position)[0], []).append(position)
        newest = list(by_commit.values())[:limit]
        return [tuple(map(source.event_at, positions)) for positions in newest], len(by_commit)

    def _positions_of(self, rid: str) -> list[int]:
        found = self._positions.get(rid)
        if found is None:
            found = self._positions[rid] = self._follow(rid)
        return found

    def _follow(self, rid: str) -> list[int]:
        index = self._index()
        id_changes_at = self._source.id_changes_at
        direct = index.get(rid, [])
        if not any(map(id_changes_at, direct)):
            return list(direct)  # no ID change to follow (nearly every requirement)
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
                for old, renamed in id_changes_at(position):
                    if renamed and old != current:
                        pending.append((old, position))
        return sorted(positions)

    def _last_changed(self, rid: str) -> int | None:
        """The position of the newest event of `rid` that changed content."""
        return next(filter(self._source.changed_at, self._positions_of(rid)), None)

    def last_change_commit(self, rid: str) -> Commit | None:
        """The commit of `last_change(rid)`, without making its event."""
        position = self._last_changed(rid)
        return None if position is None else self._source.commit_at(position)

    # implements: REQ-009
    def last_change(self, rid: str) -> Event | None:
        """The newest event of `rid` that changed content (any field or the body)."""
        position = self._last_changed(rid)
        return None if position is None else self._source.event_at(position)

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
