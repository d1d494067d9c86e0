"""Rows of the shared pages, kept between builds.

The backlog, the matrix and the customers page show a row per requirement, and
`requirements.json` a line per requirement: a status edit changes one row of 10,000. Each page
keeps its rows in a cache of its own (`rows-<page>`), each row under a key that stands for what
it shows: the backlog's and the matrix's `PageInputs.row` (the requirement's front matter,
scores, the links of its connected part, its trace) and what the page adds (the rank); the
customers page's the values the row prints; `requirements.json`'s the requirement page's key,
rank and what it blocks. A build makes only the rows whose key is new, takes the others as the
last build left them, and leaves the cache holding its own rows.

The cache is keyed on what every row shares (reqforge's code, the templates, the
configuration: `PageInputs.common`): a change to any of those starts every page afresh.

Per-requirement values drawn from the history are kept the same way, by ID under the history's
HEAD: each requirement's history in outline (the page keys read it) and its status facts (the
dashboard's lead and response times).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, TypeVar

from reqforge.cache import Shape, dict_of, typed

if TYPE_CHECKING:
    from reqforge.cache import CacheStore
    from reqforge.catalog import Entry

T = TypeVar("T")


class KeptRows(Generic[T]):
    """The rows of one page: `get(key, make)` is the kept row of that key, or `make()`'s;
    `save()` leaves the cache holding the rows asked for since (when they differ)."""

    def __init__(
        self,
        store: CacheStore | None,
        page: str,
        common: str,
        shape: Shape | type = str,
    ) -> None:
        self.store = store
        self.name = f"rows-{page}"
        self.common = common
        self.shape = dict_of(str, shape if isinstance(shape, Shape) else typed(shape))
        kept = store.read(self.name, common, self.shape) if store is not None else None
        self.kept: dict[str, T] = kept or {}
        self.current: dict[str, T] = {}
        self.made = 0  # rows made by this build (the others were kept)

    def get(self, key: str, make: Callable[[], T]) -> T:
        if key in self.kept:  # (a kept value may be None)
            row = self.kept[key]
        else:
            row = make()
            self.made += 1
        self.current[key] = row
        return row

    def save(self) -> None:
        if self.store is not None and self.current.keys() != self.kept.keys():
            self.store.write(self.name, self.common, self.current)


class PageRows(Generic[T]):
    """Where a shared page's rows come from: `row(entry, extra, make)` is the row kept for the
    requirement of `entry` (under its `PageInputs.row` digest and `extra`, what the page adds
    to it, such as the rank), or else `make()`'s. Without kept rows, always `make()`'s."""

    def __init__(
        self, kept: KeptRows[T] | None = None, key: Callable[[Entry], str] | None = None
    ) -> None:
        self.kept = kept
        self.key = key

    def row(self, entry: Entry | None, extra: object, make: Callable[[], T]) -> T:
        if self.kept is None or self.key is None or entry is None:
            return make()
        return self.kept.get(f"{self.key(entry)} {extra!r}", make)

    def save(self) -> None:
        if self.kept is not None:
            self.kept.save()
