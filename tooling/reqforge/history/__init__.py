"""Requirement history from git: the walk and its cache (`walk`), field-level differences
(`field_diff`), the commit graph (`commit_graph`), the model (`model`), the files of a revision
(`snapshot`) and the last content change per requirement for suspect links (`last_changes`).

Git itself is reached only through `reqforge.git`.
"""

from reqforge.git import NOTE_NO_COMMITS, NOTE_NO_GIT, NOTE_NOT_GIT, NOTE_SHALLOW
from reqforge.history.commit_graph import pr_number
from reqforge.history.field_diff import body_change, field_changes
from reqforge.history.last_changes import BOOKKEEPING_FIELDS, last_changes, says_something
from reqforge.history.model import Change, Commit, Event, History
from reqforge.history.snapshot import read_tree, tree_paths
from reqforge.history.walk import load_history

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
