"""`reqforge show` end to end on the hand-built backlog (tests/backlog_fixtures.py): fields,
computed priorities, links both ways, the body, and suggestions for an unknown ID.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.backlog_fixtures import (
    BACKLOG,
    BODIES,
    DEFAULT_BODY,
    LONG_CHINESE,
    SCORES,
    json_of,
    ok,
    usage_error,
)


def flatten(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        out: list[tuple[str, Any]] = []
        for key, item in value.items():
            out += flatten(item, f"{prefix}.{key}" if prefix else key)
        return out
    return [(prefix, value)]


def test_show_text_has_fields_priorities_links_and_body(backlog: Path) -> None:
    # verifies: REQ-706
    output = ok(backlog, "show", "CRM-2").stdout
    lines = output.splitlines()
    assert lines[0].split() == ["CRM-2", "Ledger", "API", "for", "the", "finance", "system"]
    assert "reqs/billing/CRM-2.md" in lines
    for key, value in flatten(BACKLOG["CRM-2"]):
        if key in ("title", "links.depends-on"):
            continue
        if isinstance(value, list):  # acceptance (one per line) and tags
            assert all(str(v) in output for v in value), key
            assert any(
                line.strip().rstrip(":") == key or line.split()[:1] == [key] for line in lines
            )
        else:
            assert any(line.split() == [key, str(value)] for line in lines), (key, value)
    for name, value in [
        ("P-level", "P3"), ("MoSCoW", "should"), ("Kano", "performance"), ("ICE", "60 (high)"),
        ("RICE", "125"), ("value-cost", "fill-in"), ("FMEA RPN", "24"), ("WSJF", "2.333"),
        ("demand", "1"), ("votes", "6"),
    ]:  # fmt: skip
        assert any(line.split() == [*name.split(), *value.split()] for line in lines), name
    assert any("blocking" in line and "CRM-1" in line for line in lines)
    # links both ways: its own depends-on, children from CRM-4's parent, CRM-1's depends-on
    assert ["depends-on", "CRM-3"] in [line.split() for line in lines]
    assert ["children", "CRM-4"] in [line.split() for line in lines]
    assert ["depended-on-by", "CRM-1"] in [line.split() for line in lines]
    assert output.rstrip().endswith("## Scenario\n\nFinance pulls the ledger every night.")


def test_show_is_case_insensitive_and_json_has_body_and_fields(backlog: Path) -> None:
    # verifies: REQ-706
    document = json_of(backlog, "show", "crm-2")  # the ID is upper-cased
    assert document["id"] == "CRM-2"
    assert document["fields"] == {"id": "CRM-2", **BACKLOG["CRM-2"]}
    assert document["body"] == BODIES["CRM-2"]
    assert document["priority"] == SCORES["CRM-2"]
    assert document["children"] == ["CRM-4"]
    assert document["depended_on_by"] == ["CRM-1"]
    assert document["blocking"] == ["CRM-1"]
    chinese = json_of(backlog, "show", "CRM-8")
    assert chinese["title"] == LONG_CHINESE
    assert chinese["body"] == DEFAULT_BODY


def test_show_text_with_a_chinese_title(backlog: Path) -> None:
    # verifies: REQ-706
    output = ok(backlog, "show", "CRM-3").stdout
    assert output.splitlines()[0].split() == ["CRM-3", "审计日志导出"]
    assert ["parent", "CRM-3"] not in [line.split() for line in output.splitlines()]
    assert ["depended-on-by", "CRM-2"] in [line.split() for line in output.splitlines()]


def test_show_unknown_id_is_exit_2(backlog: Path) -> None:
    # verifies: REQ-706
    # verifies: REQ-701
    stderr = usage_error(backlog, "show", "CRM-99")
    assert "no requirement 'CRM-99'" in stderr
    assert "did you mean" not in stderr  # nothing close


def test_show_suggests_ids_containing_the_input(backlog: Path) -> None:
    # verifies: REQ-706
    stderr = usage_error(backlog, "show", "RM-2")
    assert "did you mean CRM-2?" in stderr


def test_show_suggests_a_close_id_for_a_typo(backlog: Path) -> None:
    # verifies: REQ-706
    stderr = usage_error(backlog, "show", "CRM2")
    assert "did you mean" in stderr
    assert "CRM-2" in stderr
