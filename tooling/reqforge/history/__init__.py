"""Requirement history from git: the walk and its cache (`walk`), field-level differences
(`field_diff`), the commit graph (`commit_graph`), the model (`model`), the files of a revision
(`snapshot`) and the last content change per requirement for suspect links (`content_age`).

Git itself is reached only through `reqforge.git`. The names below load their module on first
use (PEP 562), so a cached `check` that needs only `last_changes` does not import the walk.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the same names, for type checkers
    from reqforge.git import NOTE_NO_COMMITS, NOTE_NO_GIT, NOTE_NOT_GIT, NOTE_SHALLOW
    from reqforge.history.commit_graph import pr_number
    from reqforge.history.content_age import BOOKKEEPING_FIELDS, last_changes, says_something
    from reqforge.history.field_diff import body_change, field_changes
    from reqforge.history.model import Change, Commit, Event, History
    from reqforge.history.snapshot import read_tree, tree_paths
    from reqforge.history.walk import load_history

_HOMES = {
    "NOTE_NOT_GIT": "reqforge.git",
    "NOTE_NO_COMMITS": "reqforge.git",
    "NOTE_NO_GIT": "reqforge.git",
    "NOTE_SHALLOW": "reqforge.git",
    "pr_number": "reqforge.history.commit_graph",
    "body_change": "reqforge.history.field_diff",
    "field_changes": "reqforge.history.field_diff",
    "BOOKKEEPING_FIELDS": "reqforge.history.content_age",
    "last_changes": "reqforge.history.content_age",
    "says_something": "reqforge.history.content_age",
    "Change": "reqforge.history.model",
    "Commit": "reqforge.history.model",
    "Event": "reqforge.history.model",
    "History": "reqforge.history.model",
    "read_tree": "reqforge.history.snapshot",
    "tree_paths": "reqforge.history.snapshot",
    "load_history": "reqforge.history.walk",
}
__all__ = [
    "BOOKKEEPING_FIELDS",
    "NOTE_NOT_GIT",
    "NOTE_NO_COMMITS",
    "NOTE_NO_GIT",
    "NOTE_SHALLOW",
    "Change",
    "Commit",
    "Event",
    "History",
    "body_change",
    "field_changes",
    "last_changes",
    "load_history",
    "pr_number",
    "read_tree",
    "says_something",
    "tree_paths",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'reqforge.history' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
