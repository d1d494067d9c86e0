"""Unit tests of `changeset.compare` (and the JSON of its result) on literal trees of requirement
files, path -> bytes: no git, no working tree. tests/test_diff.py covers the command."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st

from reqforge.changeset import FILE_FIELD, changeset_json, compare

BROKEN = b"---\nid: [unclosed\n---\n"  # RF003: YAML that does not parse


def text(rid: str, body: str = "Body.\n", **fields: Any) -> bytes:
    """A requirement file: `id`, a title, type and status, then `fields`, then `body`."""
    data = {"id": rid, "title": f"Title of {rid}", "type": "functional", "status": "proposed"}
    data.update(fields)
    front = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    return f"---\n{front}---\n{body}".encode()


def changes_of(base: dict[str, bytes], head: dict[str, bytes]) -> dict[str, list[Any]]:
    """ID -> its changes as JSON, for every modified requirement."""
    return {m.id: [c.to_json() for c in m.changes] for m in compare(base, head).modified}


def test_two_empty_or_equal_trees_change_nothing() -> None:
    # verifies: REQ-304
    empty = compare({}, {})
    assert not empty
    assert (empty.added, empty.removed, empty.modified, empty.impacted) == ((), (), (), ())
    assert empty.changed == ()
    tree = {"reqs/X-1.md": text("X-1"), "reqs/X-2.md": BROKEN}
    same = compare(tree, dict(tree))
    assert not same
    assert same.reformatted == ()


def test_nested_fields_by_dotted_path_and_lists_whole() -> None:
    # verifies: REQ-301
    # verifies: REQ-304
    base = {"reqs/X-1.md": text("X-1", priority={"ice": {"impact": 3}}, tags=["a"])}
    head = {"reqs/X-1.md": text("X-1", priority={"ice": {"impact": 4}}, tags=["a", "b"])}
    assert changes_of(base, head) == {
        "X-1": [
            {"field": "priority.ice.impact", "old": 3, "new": 4},
            {"field": "tags", "old": ["a"], "new": ["a", "b"]},
        ]
    }


def test_a_field_removed_or_added_has_null_on_the_other_side() -> None:
    # verifies: REQ-301
    base = {"reqs/X-1.md": text("X-1", owner="ann")}
    head = {"reqs/X-1.md": text("X-1", reason="Obsolete.")}
    assert changes_of(base, head) == {
        "X-1": [
            {"field": "owner", "old": "ann", "new": None},
            {"field": "reason", "old": None, "new": "Obsolete."},
        ]
    }


def test_the_body_as_added_and_removed_line_counts() -> None:
    # verifies: REQ-301
    base = {"reqs/X-1.md": text("X-1", body="one\ntwo\nthree\n")}
    head = {"reqs/X-1.md": text("X-1", body="one\nTWO\nthree\nfour\nfive\n")}
    # `two` became `TWO` (1 removed, 1 added), then two lines were added.
    assert changes_of(base, head) == {"X-1": [{"field": "body", "added": 3, "removed": 1}]}


def test_comments_key_order_and_line_endings_are_reformatting_only() -> None:
    # verifies: REQ-304
    base = {"reqs/X-1.md": b"---\nid: X-1\ntitle: T\ntype: functional\nstatus: done\n---\nB\n"}
    head = {
        "reqs/X-1.md": b"---\r\n# why\r\nstatus: done\r\ntype: functional\r\ntitle: 'T'\r\n"
        b"id: X-1\r\n---\r\nB\r\n"
    }
    result = compare(base, head)
    assert not result
    assert result.reformatted == ("X-1",)


def test_a_duplicated_id_is_stood_for_by_its_first_path() -> None:
    # RF106 on the head side: reqs/a/X-1.md sorts before reqs/b/X-1.md and stands for X-1.
    # verifies: REQ-304
    # verifies: REQ-002
    base = {"reqs/b/X-1.md": text("X-1")}
    head = {"reqs/a/X-1.md": text("X-1", status="accepted"), "reqs/b/X-1.md": text("X-1")}
    result = compare(base, head)
    assert (result.added, result.removed) == ((), ())
    assert changes_of(base, head) == {
        "X-1": [
            {"field": "path", "old": "reqs/b/X-1.md", "new": "reqs/a/X-1.md"},
            {"field": "status", "old": "proposed", "new": "accepted"},
        ]
    }


def test_the_id_is_the_stripped_front_matter_id_else_the_stem() -> None:
    # verifies: REQ-304
    # verifies: REQ-002
    head = {
        "reqs/one.md": b"---\nid: '  X-1  '\ntitle: T\n---\n",
        "reqs/X-2.md": b"---\nid: '  '\ntitle: T\n---\n",  # blank: the stem
        "reqs/X-3.md": b"---\nid: 42\ntitle: T\n---\n",  # not text: the stem
    }
    assert [s.id for s in compare({}, head).added] == ["X-1", "X-2", "X-3"]


def test_an_unparseable_file_without_a_counterpart_is_added_under_its_stem() -> None:
    # verifies: REQ-304
    result = compare({}, {"reqs/X-9.md": BROKEN})
    (snapshot,) = result.added
    assert (snapshot.id, snapshot.path, snapshot.parsed) == ("X-9", "reqs/X-9.md", None)
    assert snapshot.problem is not None and snapshot.problem.startswith("RF003 ")
    assert snapshot.title == ""
    assert dict(snapshot.links) == {}


def test_a_file_unparseable_on_both_sides_changes_as_a_file() -> None:
    # verifies: REQ-304
    other = b"---\nid: X-1\n  bad: indent\n---\n"
    (change,) = compare({"reqs/X-1.md": BROKEN}, {"reqs/X-1.md": other}).modified[0].changes
    assert change.field == FILE_FIELD
    assert change.old.startswith("unparseable: RF003")
    assert change.new.startswith("unparseable: RF003")


def test_titles_and_paths_of_every_listed_requirement() -> None:
    # verifies: REQ-304
    base = {
        "reqs/old/GONE-1.md": text("GONE-1", title="Fax gateway"),
        "reqs/X-1.md": text("X-1", title="Export"),
        "reqs/X-2.md": text("X-2", title="Import"),
        "reqs/X-3.md": text("X-3", links={"parent": ["X-1"]}),
    }
    head = {
        "reqs/X-1.md": text("X-1", title="Bulk export"),
        "reqs/X-2.md": BROKEN,  # breaks: no new title, the old one stands
        "reqs/X-3.md": text("X-3", links={"parent": ["X-1"]}),
        "reqs/new/X-4.md": text("X-4", title="Print"),
    }
    result = compare(base, head)
    assert dict(result.titles) == {
        "GONE-1": "Fax gateway",  # removed: the base's title and path
        "X-1": "Bulk export",
        "X-2": "Import",
        "X-3": "Title of X-3",  # impacted through its parent X-1
        "X-4": "Print",
    }
    assert dict(result.paths) == {
        "GONE-1": "reqs/old/GONE-1.md",
        "X-1": "reqs/X-1.md",
        "X-2": "reqs/X-2.md",
        "X-3": "reqs/X-3.md",
        "X-4": "reqs/new/X-4.md",
    }
    assert result.changed == ("GONE-1", "X-1", "X-2", "X-4")


def test_impact_follows_the_head_links_only() -> None:
    # verifies: REQ-304
    base = {
        "reqs/X-1.md": text("X-1"),
        "reqs/X-2.md": text("X-2", links={"depends-on": ["X-1"]}),
        "reqs/X-3.md": text("X-3"),
    }
    head = {
        "reqs/X-1.md": text("X-1", status="accepted"),
        "reqs/X-2.md": text("X-2"),  # dropped its link in this change: itself modified
        "reqs/X-3.md": text("X-3", links={"relates-to": ["X-1"]}),  # linked in this change
    }
    result = compare(base, head)
    assert [m.id for m in result.modified] == ["X-1", "X-2", "X-3"]
    assert result.impacted == ()  # the modified ones are never listed as impacted
    # A requirement that links to X-1 on both sides and did not change is impacted.
    linker = {"reqs/X-4.md": text("X-4", links={"relates-to": ["X-1"]})}
    result = compare({**base, **linker}, {**head, **linker})
    assert [(i.id, i.via, i.relation) for i in result.impacted] == [("X-4", "X-1", "relates-to")]
    assert compare(base, head, depth=0).impacted == ()


def test_changeset_json_shape() -> None:
    # verifies: REQ-304
    base = {"reqs/a/X-1.md": text("X-1"), "reqs/X-2.md": text("X-2")}
    head = {"reqs/b/X-1.md": text("X-1"), "reqs/X-2.md": text("X-2", status="accepted")}
    document = changeset_json(compare(base, head), "v1.0", "HEAD")
    assert list(document) == [
        "base", "head", "added", "removed", "modified", "impacted", "reformatted",
        "not_compared", "depth", "requirements",
    ]  # fmt: skip
    assert (document["base"], document["head"], document["depth"]) == ("v1.0", "HEAD", 1)
    assert document["modified"] == [
        {
            "id": "X-1",
            "title": "Title of X-1",
            "path": "reqs/b/X-1.md",
            "old_path": "reqs/a/X-1.md",
            "changes": [{"field": "path", "old": "reqs/a/X-1.md", "new": "reqs/b/X-1.md"}],
        },
        {
            "id": "X-2",
            "title": "Title of X-2",
            "path": "reqs/X-2.md",
            "old_path": None,  # not moved
            "changes": [{"field": "status", "old": "proposed", "new": "accepted"}],
        },
    ]
    assert document["requirements"] == {
        "X-1": {"title": "Title of X-1", "path": "reqs/b/X-1.md"},
        "X-2": {"title": "Title of X-2", "path": "reqs/X-2.md"},
    }


# --- properties ---------------------------------------------------------------------------------

VERSIONS = {
    "a": text("X-1"),
    "b": text("X-1", status="accepted"),
    "c": text("X-1", body="Other.\n"),
    "broken": BROKEN,
}


def trees() -> st.SearchStrategy[dict[str, bytes]]:
    """Trees of up to four files, each in one of a few versions (some of other IDs)."""
    paths = st.sampled_from(["reqs/X-1.md", "reqs/a/X-1.md", "reqs/X-2.md", "reqs/X-3.md"])
    return st.dictionaries(paths, st.sampled_from(sorted(VERSIONS)), max_size=4).map(
        lambda chosen: {path: VERSIONS[version] for path, version in chosen.items()}
    )


@given(trees())
def test_a_tree_compared_with_itself_changes_nothing(tree: dict[str, bytes]) -> None:
    # verifies: REQ-304
    result = compare(tree, tree, depth=3)
    assert not result
    assert (result.reformatted, result.impacted) == ((), ())


@given(trees(), trees())
def test_comparing_the_other_way_swaps_added_and_removed(
    base: dict[str, bytes], head: dict[str, bytes]
) -> None:
    # verifies: REQ-304
    forward, backward = compare(base, head), compare(head, base)
    assert [s.id for s in forward.added] == [s.id for s in backward.removed]
    assert [s.id for s in forward.removed] == [s.id for s in backward.added]
    assert [m.id for m in forward.modified] == [m.id for m in backward.modified]
    assert forward.changed == backward.changed
    assert len(set(forward.changed)) == len(forward.changed)  # each ID in one list only


def test_a_file_that_was_not_compared_is_never_removed() -> None:
    # verifies: REQ-304
    base = {"reqs/X-1.md": text("X-1"), "reqs/sub/X-2.md": text("X-2"), "reqs/X-3.md": text("X-3")}
    head = {"reqs/X-3.md": text("X-3")}
    why = {"reqs/X-1.md": "broken symbolic link", "reqs/sub": "a separate git repository"}
    result = compare(base, head, not_compared=why)
    assert result.removed == () and not result
    assert result.not_compared == why
    assert changeset_json(result, "a", "b")["not_compared"] == [
        {"path": "reqs/X-1.md", "why": "broken symbolic link"},
        {"path": "reqs/sub", "why": "a separate git repository"},
    ]
    assert [s.id for s in compare(base, head).removed] == ["X-1", "X-2"]
    assert [s.id for s in compare({"reqs/subway/X-4.md": text("X-4")}, {}, 1, why).removed] == [
        "X-4"
    ]  # a sibling whose name starts like a left-out folder is still compared
