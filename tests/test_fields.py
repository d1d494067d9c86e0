"""Unit tests of fields.py: the front-matter schema (built-in and custom fields) and
`validate_fields`, on literal front matter; no files, no CLI."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.backlog_fixtures import BACKLOG

from reqforge.config import Config, FieldDef, Workflow
from reqforge.fields import (
    BUILTIN_FIELDS,
    Problem,
    custom_spec,
    field_schema,
    key_name,
    required_fields,
    validate_fields,
)

DEFAULT = Config(root=Path("."))

# Every built-in field, each with a valid value: CRM-1 of the hand-built backlog (every
# priority input) and the fields it leaves out.
CRM_1 = BACKLOG["CRM-1"]
VALID: dict[str, Any] = {
    **CRM_1,
    "id": "CRM-1",
    "status": "accepted",
    "due": "2026-12-31",
    "source": {**CRM_1["source"], "evidence": "call notes", "explicit": True, "proposer": "li.na"},
    "priority": {**CRM_1["priority"], "votes": {"acme": 9, "bob": 5.5, "carol": "must"}},
    "links": {"parent": ["CRM-0"], "depends-on": "CRM-2"},
    "verification": {"method": "test", "notes": "nightly"},
    "analysis": {"five-whys": ["why 1"], "root-cause": None},
    "reason": None,
    "feedback": {"satisfaction": 4, "comment": None},
    "lint-ignore": ["RF401"],
    "reviewed": "2026-11-01",
    "origin": {"tool": "doorstop", "id": "REQ001", "level": "1.2", "attributes": {"x": [1]}},
}


def problems(data: dict[str, Any], config: Config = DEFAULT) -> list[Problem]:
    return validate_fields(data, field_schema(config), required_fields(config))


def with_fields(**defs: FieldDef) -> Config:
    return Config(root=Path("."), fields=MappingProxyType(defs))


def only(data: dict[str, Any], config: Config = DEFAULT) -> Problem:
    """The one problem `data` has."""
    (problem,) = problems(data, config)
    return problem


def test_every_builtin_field_with_a_valid_value_passes() -> None:
    # verifies: REQ-102
    # verifies: REQ-001
    assert set(VALID) == BUILTIN_FIELDS
    assert problems(VALID) == []
    # A date from YAML arrives as a string or, through other loaders, as a date.
    assert problems({**VALID, "due": dt.date(2026, 12, 31)}) == []


@pytest.mark.parametrize("name", ["id", "title", "type", "status"])
def test_each_required_field_missing_or_empty_is_rf101(name: str) -> None:
    # verifies: REQ-102
    # verifies: REQ-001
    message = f"required field '{name}' is missing"
    absent = {k: v for k, v in VALID.items() if k != name}
    assert problems(absent) == [("RF101", (), message)]
    # `title:` with nothing after it is absent, not a wrong type
    assert problems({**VALID, name: None}) == [("RF101", (), message)]


def test_required_fields_add_required_custom_fields_in_declaration_order() -> None:
    # verifies: REQ-004
    config = with_fields(
        risk=FieldDef("risk", "enum", values=("low", "high"), required=True),
        note=FieldDef("note", "string"),
        budget=FieldDef("budget", "int", required=True),
    )
    assert required_fields(config) == ("id", "title", "type", "status", "risk", "budget")
    assert problems(VALID, config) == [
        ("RF101", (), "required field 'risk' is missing"),
        ("RF101", (), "required field 'budget' is missing"),
    ]


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        # ranges, named as REQ-102 asks ("the allowed range 1 to 5")
        (("priority", "ice", "impact"), 9, "expected a whole number from 1 to 5, got 9"),
        (("priority", "ice", "ease"), 0, "expected a whole number from 1 to 5, got 0"),
        (("priority", "fmea", "detection"), 11, "expected a whole number from 1 to 10, got 11"),
        (("priority", "value"), 0, "expected a whole number from 1 to 10, got 0"),
        (("feedback", "satisfaction"), 6, "expected a whole number from 1 to 5, got 6"),
        (("priority", "rice", "confidence"), 1.5, "expected a number from 0 to 1, got 1.5"),
        (("priority", "rice", "reach"), -1, "expected a number of at least 0, got -1"),
        (("priority", "rice", "effort"), 0, "expected a number greater than 0, got 0"),
        (
            ("priority", "wsjf", "size"),
            101,
            "expected a number greater than 0 and at most 100, got 101",
        ),
        (("priority", "wsjf", "risk"), 0.5, "expected a number from 1 to 20, got 0.5"),
        # types: a float, a boolean or a text is not a whole number
        (("priority", "ice", "impact"), 4.0, "expected a whole number from 1 to 5, got 4.0"),
        (
            ("priority", "ice", "impact"),
            True,
            "expected a whole number from 1 to 5, got a boolean",
        ),
        (("priority", "cost"), "5", "expected a whole number from 1 to 10, got '5'"),
        (("priority", "rice", "reach"), float("inf"), "expected a number of at least 0, got inf"),
        (("priority", "rice", "impact"), float("nan"), "expected a number from 0 to 10, got nan"),
        # enums
        (
            ("priority", "moscow"),
            "shall",
            "expected one of must, should, could, wont, got 'shall'",
        ),
        (
            ("verification", "method"),
            "review",
            "expected one of test, inspection, demonstration, analysis, acceptance, "
            "got 'review'",
        ),
        (("type",), True, "expected one of functional, performance, experience, business, "
         "emotional, latent, constraint, interface, got a boolean"),
        # strings, booleans, dates
        (("title",), "   ", "expected a non-empty string"),
        (("owner",), 42, "expected a string, got the number 42"),
        (("source", "explicit"), "yes", "expected true or false, got the text 'yes'"),
        (("due",), "2026-02-30", "'2026-02-30' is not a real date"),
        (("due",), "31/12/2026", "expected a date YYYY-MM-DD, got '31/12/2026'"),
        (("due",), 20261231, "expected a date YYYY-MM-DD, got 20261231"),
        # votes: a score from 0 to 10 or a MoSCoW word
        (
            ("priority", "votes", "acme"),
            11,
            "expected a vote from 0 to 10 or one of must, should, could, wont, got 11",
        ),
        (
            ("priority", "votes", "acme"),
            "maybe",
            "expected a vote from 0 to 10 or one of must, should, could, wont, got 'maybe'",
        ),
        (
            ("priority", "votes", "acme"),
            False,
            "expected a vote from 0 to 10 or one of must, should, could, wont, got a boolean",
        ),
    ],
)  # fmt: skip
def test_a_wrong_value_is_rf102_at_its_key_path_naming_what_is_allowed(
    path: tuple[str, ...], value: Any, message: str
) -> None:
    # verifies: REQ-102
    data = _replace(VALID, path, value)
    assert only(data) == ("RF102", path, f"{key_name(path)}: {message}")


def _replace(data: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    """A copy of `data` with the value at `path` replaced (the nested mappings copied)."""
    head, *rest = path
    if not rest:
        return {**data, head: value}
    return {**data, head: _replace(data[head], tuple(rest), value)}


def test_status_and_type_follow_the_configuration() -> None:
    # verifies: REQ-102
    # verifies: REQ-006
    config = Config(
        root=Path("."),
        types=("story",),
        workflow=Workflow(statuses=("open", "closed"), terminal=("closed",)),
    )
    data = {**VALID, "type": "story", "status": "open"}
    assert problems(data, config) == []
    assert problems(VALID, config) == [
        ("RF102", ("type",), "type: expected one of story, got 'functional'"),
        ("RF102", ("status",), "status: expected one of open, closed, got 'accepted'"),
    ]


def test_lists_of_strings_ids_and_codes() -> None:
    # verifies: REQ-102
    # verifies: REQ-109
    assert only({**VALID, "tags": "export"}) == (
        "RF102",
        ("tags",),
        "tags: expected a list, got the text 'export'",
    )
    assert only({**VALID, "tags": ["export", 7]}) == (
        "RF102",
        ("tags", 1),
        "tags[1]: expected a string, got the number 7",
    )
    assert only({**VALID, "lint-ignore": ["RF401", "W1"]}) == (
        "RF102",
        ("lint-ignore", 1),
        "lint-ignore[1]: expected a finding code like RF401, got 'W1'",
    )
    # A link may name one ID or a list of them; anything else is named.
    assert problems({**VALID, "links": {"parent": "CRM-0"}}) == []
    assert only({**VALID, "links": {"parent": ["CRM-0", 3]}}) == (
        "RF102",
        ("links", "parent", 1),
        "links.parent[1]: expected an ID, got the number 3",
    )
    assert only({**VALID, "links": {"parent": {"id": "CRM-0"}}}) == (
        "RF102",
        ("links", "parent"),
        "links.parent: expected a list of IDs, got a mapping",
    )
    assert only({**VALID, "links": ["CRM-0"]}) == (
        "RF102",
        ("links",),
        "links: expected a mapping, got a list",
    )


def test_null_is_absent_at_the_top_and_wrong_inside_a_mapping() -> None:
    # verifies: REQ-102
    assert problems({**VALID, "owner": None, "priority": None, "tags": None}) == []
    assert only(_replace(VALID, ("priority", "moscow"), None)) == (
        "RF102",
        ("priority", "moscow"),
        "priority.moscow: expected one of must, should, could, wont, got nothing",
    )
    assert only(_replace(VALID, ("priority", "ice"), None)) == (
        "RF102",
        ("priority", "ice"),
        "priority.ice: expected a mapping, got nothing",
    )


def test_nullable_fields_inside_a_mapping_accept_null() -> None:
    # verifies: REQ-102
    for path in [("source", "evidence"), ("source", "proposer"), ("feedback", "comment")]:
        assert problems(_replace(VALID, path, None)) == [], path


def test_the_front_matter_must_be_a_mapping_of_mappings() -> None:
    # verifies: REQ-102
    assert only({**VALID, "priority": ["must"]}) == (
        "RF102",
        ("priority",),
        "priority: expected a mapping, got a list",
    )
    schema = field_schema(DEFAULT)
    assert validate_fields(["not", "a", "mapping"], schema, ()) == [  # type: ignore[arg-type]
        ("RF102", (), "front matter: expected a mapping, got a list")
    ]


def test_unknown_fields_are_rf103_at_the_top_and_inside_mappings() -> None:
    # verifies: REQ-102
    # verifies: REQ-009
    assert problems({**VALID, "x-jira": "CRM-12", "created": "2026-01-01"}) == [
        ("RF103", ("x-jira",), "unknown field 'x-jira'"),
        ("RF103", ("created",), "unknown field 'created'"),
    ]
    data = _replace(VALID, ("priority", "ice"), {"impact": 4, "confidence": 4, "ease": 3, "x": 1})
    assert only(data) == ("RF103", ("priority", "ice", "x"), "unknown field 'x' in 'priority.ice'")
    # A key that is not a string (YAML allows `1: a`) is unknown, named as text.
    assert only({**VALID, 1: "a"}) == ("RF103", ("1",), "unknown field '1'")  # type: ignore[dict-item]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"titel": "x"}, ("RF103", ("titel",), "unknown field 'titel' (did you mean 'title'?)")),
        (
            {"prority": {}},
            ("RF103", ("prority",), "unknown field 'prority' (did you mean 'priority'?)"),
        ),
        (
            {"priority": {**VALID["priority"], "moscw": "must"}},
            (
                "RF103",
                ("priority", "moscw"),
                "unknown field 'moscw' in 'priority' (did you mean 'moscow'?)",
            ),
        ),
        (
            {"status": "Accepted"},
            (
                "RF102",
                ("status",),
                "status: expected one of proposed, accepted, in-progress, testing, "
                "awaiting-acceptance, done, rejected, deferred, duplicate, out-of-scope, "
                "got 'Accepted' (did you mean 'accepted'?)",
            ),
        ),
        (
            {"priority": {**VALID["priority"], "kano": "basik"}},
            (
                "RF102",
                ("priority", "kano"),
                "priority.kano: expected one of basic, performance, excitement, indifferent, "
                "reverse, got 'basik' (did you mean 'basic'?)",
            ),
        ),
    ],
)
def test_unknown_names_and_values_get_the_nearest_known_one(
    data: dict[str, Any], expected: Problem
) -> None:
    # SPEC section 6: "Unknown fields and values get a 'did you mean' with the nearest known
    # name (`titel` -> `title`, `Accepted` -> `accepted`)".
    # verifies: REQ-102
    assert only({**VALID, **data}) == expected


def test_no_suggestion_when_nothing_is_close() -> None:
    # verifies: REQ-102
    assert "did you mean" not in only({**VALID, "x-jira": "CRM-12"})[2]
    assert "did you mean" not in only({**VALID, "status": "zzz"})[2]


# --- custom fields ([fields.NAME]) --------------------------------------------------------------

CUSTOM = with_fields(
    note=FieldDef("note", "string"),
    budget=FieldDef("budget", "int", min=0, max=100),
    ratio=FieldDef("ratio", "float", min=0, max=1),
    billable=FieldDef("billable", "bool"),
    launch=FieldDef("launch", "date"),
    risk=FieldDef("risk", "enum", values=("low", "medium", "high")),
    labels=FieldDef("labels", "list", values=("a", "b"), min=1, max=2),
    anything=FieldDef("anything", "list"),
    blocks=FieldDef("blocks", "id-list"),
)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("note", "text"),
        ("budget", 0),
        ("budget", 100),
        ("ratio", 0.25),
        ("ratio", 1),  # a whole number is a number
        ("billable", False),
        ("launch", "2027-01-31"),
        ("risk", "medium"),
        ("labels", ["a"]),
        ("labels", ["b", "a"]),
        ("anything", [1, "two", {"three": 3}]),
        ("anything", []),
        ("blocks", "CRM-2"),
        ("blocks", ["CRM-2", "CRM-3"]),
    ],
)
def test_custom_fields_of_every_type_accept_valid_values(name: str, value: Any) -> None:
    # verifies: REQ-004
    assert problems({**VALID, name: value}, CUSTOM) == []


@pytest.mark.parametrize(
    ("name", "value", "path", "message"),
    [
        ("note", 3, ("note",), "expected a string, got the number 3"),
        ("note", "", ("note",), "expected a non-empty string"),
        ("budget", 101, ("budget",), "expected a whole number from 0 to 100, got 101"),
        ("budget", -1, ("budget",), "expected a whole number from 0 to 100, got -1"),
        ("budget", 1.5, ("budget",), "expected a whole number from 0 to 100, got 1.5"),
        ("ratio", 1.01, ("ratio",), "expected a number from 0 to 1, got 1.01"),
        ("ratio", "half", ("ratio",), "expected a number from 0 to 1, got 'half'"),
        ("billable", 1, ("billable",), "expected true or false, got the number 1"),
        ("launch", "soon", ("launch",), "expected a date YYYY-MM-DD, got 'soon'"),
        ("risk", "severe", ("risk",), "expected one of low, medium, high, got 'severe'"),
        ("risk", "HIGH", ("risk",),
         "expected one of low, medium, high, got 'HIGH' (did you mean 'high'?)"),
        ("labels", [], ("labels",), "expected at least 1 items"),
        ("labels", ["a", "b", "a"], ("labels",), "expected at most 2 items"),
        ("labels", ["a", "c"], ("labels", 1), "expected one of a, b, got 'c'"),
        ("labels", "a", ("labels",), "expected a list, got the text 'a'"),
        ("anything", {"a": 1}, ("anything",), "expected a list, got a mapping"),
        ("blocks", ["CRM-2", 7], ("blocks", 1), "expected an ID, got the number 7"),
        ("blocks", 7, ("blocks",), "expected a list of IDs, got the number 7"),
    ],
)  # fmt: skip
def test_custom_fields_of_every_type_reject_wrong_values(
    name: str, value: Any, path: tuple[str | int, ...], message: str
) -> None:
    # verifies: REQ-004
    # verifies: REQ-102
    (problem,) = problems({**VALID, name: value}, CUSTOM)
    assert problem == ("RF102", path, f"{key_name(path)}: {message}")


def test_a_declared_custom_field_is_not_rf103_and_an_undeclared_one_is() -> None:
    # verifies: REQ-004
    data = {**VALID, "risk": "medium"}
    assert problems(data, CUSTOM) == []
    assert problems(data) == [("RF103", ("risk",), "unknown field 'risk'")]


def test_custom_enum_of_numbers() -> None:
    # verifies: REQ-004
    config = with_fields(tier=FieldDef("tier", "enum", values=(1, 2, 3)))
    assert problems({**VALID, "tier": 2}, config) == []
    assert only({**VALID, "tier": 4}, config) == (
        "RF102",
        ("tier",),
        "tier: expected one of 1, 2, 3, got 4",
    )
    # `true` is not the number 1, however Python compares them.
    assert only({**VALID, "tier": True}, config)[0] == "RF102"


def test_custom_spec_maps_each_declared_type() -> None:
    # verifies: REQ-004
    kinds = {name: custom_spec(d).kind for name, d in CUSTOM.fields.items()}
    assert kinds == {
        "note": "string",
        "budget": "int",
        "ratio": "number",
        "billable": "bool",
        "launch": "date",
        "risk": "enum",
        "labels": "list",
        "anything": "list",
        "blocks": "ids",
    }
    labels = custom_spec(CUSTOM.fields["labels"])
    assert (labels.low, labels.high) == (1, 2)
    assert labels.item is not None and labels.item.values == ("a", "b")
    assert custom_spec(CUSTOM.fields["anything"]).item is None


def test_key_name_writes_paths_as_users_do() -> None:
    # verifies: REQ-102
    assert key_name(("priority", "ice", "impact")) == "priority.ice.impact"
    assert key_name(("links", "parent", 1)) == "links.parent[1]"
    assert key_name(()) == ""


@given(st.integers(min_value=-50, max_value=150))
def test_a_custom_int_is_accepted_exactly_within_its_range(value: int) -> None:
    # verifies: REQ-004
    found = problems({**VALID, "budget": value}, CUSTOM)
    assert (found == []) == (0 <= value <= 100)


@given(
    st.sampled_from(["impact", "confidence", "ease"]),
    st.one_of(st.integers(-5, 10), st.floats(allow_nan=True), st.booleans(), st.text(max_size=3)),
)
def test_ice_inputs_are_whole_numbers_from_1_to_5(key: str, value: Any) -> None:
    # verifies: REQ-102
    # verifies: REQ-203
    found = problems(_replace(VALID, ("priority", "ice", key), value))
    valid = type(value) is int and 1 <= value <= 5
    if valid:
        assert found == []
    else:
        assert [code for code, _, _ in found] == ["RF102"]


@given(st.lists(st.sampled_from(["a", "b", "c"]), max_size=4))
def test_a_custom_list_checks_its_length_and_each_item(items: list[str]) -> None:
    # verifies: REQ-004
    found = problems({**VALID, "labels": items}, CUSTOM)
    expected = (0 if 1 <= len(items) <= 2 else 1) + items.count("c")
    assert len(found) == expected
    assert {code for code, _, _ in found} <= {"RF102"}
