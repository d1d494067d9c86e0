"""`reqforge schema`: the JSON Schema of the front matter, checked with `jsonschema` against our
own requirements, wrong values, custom fields, the project's language, and against `check`'s
own field validation on generated values."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from tests.conftest import requirement_text as req

from reqforge.cli.main import cli
from reqforge.config import load_config
from reqforge.fields import field_schema, required_fields, validate_fields
from reqforge.loader import parse_front_matter, split_front_matter
from reqforge.schema import front_matter_schema

ROOT = Path(__file__).resolve().parent.parent
CUSTOM = """
[fields.risk]
type = "enum"
values = ["low", "medium", "high"]
description = "How much could go wrong."
[fields.story-points]
type = "int"
min = 1
max = 13
"""


def front(text: str) -> dict[str, Any]:
    split = split_front_matter(text)
    assert isinstance(split, tuple)
    data = parse_front_matter(split[0])
    assert isinstance(data, dict)
    return data


def schema_of(root: Path) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["--repo", str(root), "schema"])
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_the_schema_is_draft_2020_12_and_validates_our_own_requirements() -> None:
    # verifies: REQ-708
    document = schema_of(ROOT)
    Draft202012Validator.check_schema(document)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert document["required"] == ["id", "title", "type", "status"]
    validator = Draft202012Validator(document)
    files = sorted((ROOT / "reqs").rglob("REQ-*.md"))
    assert len(files) > 90
    for path in files:
        errors = [e.message for e in validator.iter_errors(front(path.read_text("utf-8")))]
        assert errors == [], (path, errors)
    # what an editor shows on hover
    properties = document["properties"]
    assert "workflow" in properties["status"]["description"]
    priority = properties["priority"]["anyOf"][0]  # or null: an empty field counts as absent
    assert priority["properties"]["ice"]["properties"]["impact"] == {
        "description": "An input of ICE.",
        "type": "integer",
        "minimum": 1,
        "maximum": 5,
    }


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (("status: proposed", "status: Accepted"), "status"),
        (("  urgency: normal", "  urgency: normal\n  ice: {impact: 9}"), "impact"),
        (("owner: zhang.wei", "owner: zhang.wei\nlinks: {parent: 7}"), "parent"),
        (("id: CRM-1", "id: crm-1"), "id"),
        (("owner: zhang.wei", "owner: zhang.wei\nrisk: extreme"), "risk"),
        (("owner: zhang.wei", "owner: zhang.wei\nstory-points: 21"), "story-points"),
        (("owner: zhang.wei", "owner: zhang.wei\ndue: next week"), "due"),
        (("owner: zhang.wei", "owner: zhang.wei\nlint-ignore: [X1]"), "lint-ignore"),
        (("title: Export ledger CRM-1 as CSV\n", ""), "title"),
    ],
)
def test_a_wrong_value_is_marked_where_it_is(
    make_repo: Callable[..., Path], change: tuple[str, str], where: str
) -> None:
    # verifies: REQ-708
    root = make_repo({"reqs/a/CRM-1.md": req("CRM-1")}, config=CUSTOM)
    validator = Draft202012Validator(schema_of(root))
    text = req("CRM-1")
    assert list(validator.iter_errors(front(text))) == []
    assert change[0] in text
    errors = list(validator.iter_errors(front(text.replace(*change))))
    assert errors, change
    assert any(where in "/".join(map(str, e.absolute_path)) or where in e.message for e in errors)


def test_custom_fields_come_with_their_type_and_description(
    make_repo: Callable[..., Path],
) -> None:
    # verifies: REQ-708
    root = make_repo({"reqs/a/CRM-1.md": req("CRM-1")}, config=CUSTOM)
    properties = schema_of(root)["properties"]
    assert properties["risk"] == {
        "description": "How much could go wrong.",
        "anyOf": [{"enum": ["low", "medium", "high"]}, {"type": "null"}],
    }
    assert properties["story-points"] == {
        "anyOf": [{"type": "integer", "minimum": 1, "maximum": 13}, {"type": "null"}]
    }


def test_descriptions_are_in_the_projects_language(make_repo: Callable[..., Path]) -> None:
    # verifies: REQ-708
    root = make_repo({}, config='[project]\nlanguage = "zh-CN"\n')
    document = schema_of(root)
    assert document["title"] == "reqforge 需求的前置元数据"
    assert document["properties"]["status"]["description"] == "需求在工作流中所处的状态。"


def test_the_command_prints_the_schema_as_a_subprocess(make_repo: Callable[..., Path]) -> None:
    # verifies: REQ-708
    root = make_repo({"reqs/a/CRM-1.md": req("CRM-1")})
    proc = subprocess.run(
        [sys.executable, "-m", "reqforge", "schema"],
        cwd=root, capture_output=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0 and proc.stderr == b""
    document = json.loads(proc.stdout.decode("utf-8"))
    assert document["properties"]["type"]["enum"][0] == "functional"


_CONFIG = load_config(ROOT)
_VALIDATOR = Draft202012Validator(front_matter_schema(_CONFIG))
_SPEC = field_schema(_CONFIG)
_REQUIRED = required_fields(_CONFIG)
_VALUES = st.one_of(
    st.integers(-3, 15),
    st.floats(-2, 12, allow_nan=False),
    st.sampled_from(["must", "high", "urgent", "proposed", "", " ", "CRM-1", "crm-1"]),
    st.booleans(),
    st.none(),
    st.lists(st.sampled_from(["CRM-1", "x", "RF401"]), max_size=2),
)
_PLACES = [
    ("priority", "ice", "impact"),
    ("priority", "value"),
    ("priority", "rice", "confidence"),
    ("priority", "rice", "effort"),
    ("priority", "moscow"),
    ("priority", "urgency"),
    ("feedback", "satisfaction"),
    ("source", "explicit"),
    ("links", "parent"),
    ("lint-ignore",),
    ("status",),
    ("owner",),
]


@given(place=st.sampled_from(_PLACES), value=_VALUES)
def test_the_schema_and_check_agree_on_a_value(place: tuple[str, ...], value: Any) -> None:
    """A value the schema accepts is one `check` accepts, and the other way round: the editor
    marks what `check` would report (RF102), nothing else."""
    # verifies: REQ-708
    data: dict[str, Any] = {"id": "REQ-101", "title": "Export", "type": "functional"}
    data["status"] = "proposed"
    node = data
    for key in place[:-1]:
        node = node.setdefault(key, {})
    node[place[-1]] = value
    by_schema = not list(_VALIDATOR.iter_errors(data))
    by_check = not [p for p in validate_fields(data, _SPEC, _REQUIRED) if p[0] != "RF103"]
    if isinstance(value, float) and value.is_integer() and by_schema and not by_check:
        # JSON has one number type: JSON Schema's "integer" takes 1.0 (draft 6 on), which
        # YAML reads as a float and `check` reports. The schema cannot say otherwise.
        return
    assert by_schema == by_check, (place, value)
