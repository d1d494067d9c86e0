"""The line scans that place top-level keys (loader._top_keys) and the keys and flow-list items
one level down (loader._nested_keys) agree with composing the YAML, or stand aside: a finding is
never placed on the wrong line by the shortcut."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from reqforge.loader import _nested_keys, _top_keys, key_positions, locate


def _agrees(front: str) -> None:
    positions = key_positions(front, 2)
    for key, (line, column, value_column) in _top_keys(front).items():
        assert positions[(key,)] == (line + 2, column, line + 2, value_column), key
        assert locate(front, (key,), True) == (line + 2, value_column)
        assert locate(front, (key,), False) == (line + 2, column)
    for path, (line, column, value_column) in _nested_keys(front).items():
        assert positions[path] == (line + 2, column, line + 2, value_column), path
        assert locate(front, path, True) == (line + 2, value_column)
        assert locate(front, path, False) == (line + 2, column)


_SCALARS = st.one_of(
    st.text(max_size=30),
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
    st.lists(st.text(max_size=8), max_size=3),
    st.dictionaries(st.text(max_size=6), st.text(max_size=6), max_size=2),
)


@given(
    st.dictionaries(st.from_regex(r"[a-z][a-z0-9_-]{0,10}", fullmatch=True), _SCALARS),
    st.booleans(),
)
def test_the_scan_places_keys_where_the_composer_does(data: dict[str, object], flow: bool) -> None:
    # verifies: REQ-102
    front = yaml.safe_dump(data, allow_unicode=True, default_flow_style=flow, width=40)
    _agrees(front)


_KEYS = st.from_regex(r"[a-z][a-z0-9_-]{0,10}", fullmatch=True)
_LEAVES = st.one_of(
    _SCALARS,
    st.lists(st.from_regex(r"[A-Z]{2,4}-[0-9]{1,5}", fullmatch=True), max_size=4),
    st.lists(st.sampled_from(["a b", "x", "中文", "1.5", "-x", "a:b", "#", ""]), max_size=3),
)


@given(
    st.dictionaries(_KEYS, st.one_of(_SCALARS, st.dictionaries(_KEYS, _LEAVES, max_size=4))),
    st.sampled_from([False, None]),
    st.integers(min_value=2, max_value=4),
)
def test_the_scan_places_nested_keys_and_items_where_the_composer_does(
    data: dict[str, object], flow: bool | None, indent: int
) -> None:
    # verifies: REQ-102
    front = yaml.safe_dump(
        data, allow_unicode=True, default_flow_style=flow, width=60, indent=indent
    )
    _agrees(front)


def test_the_scan_places_links_as_requirement_files_write_them() -> None:
    front = (
        "id: REQ-2\ntitle: Export\nlinks:\n  parent: [REQ-1]  # the epic\n"
        "  depends-on: [ REQ-3 , REQ-4,REQ-5 ]\n\n  # a comment\n  refines: REQ-6\n"
        "verification:\n  method: test\n"
    )
    _agrees(front)
    assert locate(front, ("links", "depends-on", 2), True) == (6, 31)
    assert len([p for p in _nested_keys(front) if p[0] == "links"]) == 7
    assert locate(front, ()) == (1, 1)  # no path: the opening fence


@pytest.mark.parametrize(
    "front",
    [
        "id: A\nlinks:\n  parent: [A,\n  B: x]\n",  # a flow sequence running on
        "id: A\nlinks:\n  parent: {a: 1,\n  b: 2}\n",
        "id: A\nlinks:\n  parent: 'quoted\n  other: x'\n",
        "id: A\nbase: &b\n  x: 1\nlinks:\n  parent: *b\n  tagged: !!str [A]\n",
        "id: A\nlinks:\n  parent: [a: b, c]\n  other: [- x]\n  third: [ , x]\n",
        "id: A\nlinks:\n  parent: [A]\n  parent: [B]\n",
        "id: A\nlinks:\n    parent: [A]\n  other: [B]\n",  # a shallower key: not YAML
        "id: A\nlinks:\n  - A\n  - B\n",
        "id: A\nlinks:\n  parent:\n    - A\n  other: |\n    text: x\n  last: [C]\n",
        "id: A\nlinks:\n\tparent: [A]\n",
        "id: A\nlinks:\n  ? parent\n  : [A]\n",
        "id: A\nlinks:\n  <<: {parent: [A]}\n",
        "id: A\nlinks: # a comment\n  parent: [A] # [B]\n",
    ],
)
def test_the_nested_scan_stands_aside_or_agrees_on_awkward_yaml(front: str) -> None:
    # verifies: REQ-102
    try:
        yaml.compose(front, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return
    _agrees(front)


@pytest.mark.parametrize(
    "front",
    [
        'title: "a quoted title\n  that runs on"\nstatus: proposed\n',
        'title: "runs on\nstatus: x"\nid: A-1\n',  # a quoted scalar whose line looks like a key
        "{title: Flow, status: proposed}\n",
        "title: One\ntitle: Two\n",
        "---\ntitle: Marked\n",
        "%YAML 1.2\n---\ntitle: Directive\n",
        "? title\n: complex key\n",
        "title:value without a space\nstatus: x\n",
        "title: |\n  block\nstatus: x\n",
        "title: &a anchored\nother: *a\n",
        "title: !!str tagged\n",
        "# a comment\ntitle: After a comment  # and another\n\nstatus: proposed\n",
        "title : space before the colon\n",
        "- a list\n- at the top\n",
        "title: 标题\nstatus: proposed\n",
    ],
)
def test_the_scan_stands_aside_or_agrees_on_awkward_yaml(front: str) -> None:
    # verifies: REQ-102
    try:
        yaml.compose(front, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return  # not YAML at all: check reports the parse error, nothing is located
    _agrees(front)


def test_the_scan_reads_plain_front_matter() -> None:
    front = "id: REQ-1\ntitle: Export to CSV\nstatus: proposed\nlinks:\n  parent: [REQ-0]\n"
    assert _top_keys(front) == {"id": (0, 1, 5), "title": (1, 1, 8), "status": (2, 1, 9)}
    assert locate(front, ("title",), True) == (3, 8)
