"""`reqforge list` end to end on the hand-built backlog (tests/backlog_fixtures.py): the filter
language, sorting, JSON, CSV and table output, and filter errors with a caret.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from tests.backlog_fixtures import (
    BACKLOG,
    BLOCKING,
    COMBINED,
    LONG_CHINESE,
    SCORES,
    ids,
    json_of,
    ok,
    row_of,
    subprocess_run,
    table_lines,
    table_rows,
    usage_error,
)

from reqforge.render.tables import width_of


def listed(root: Path, *args: str) -> list[str]:
    return ids(json_of(root, "list", *args))


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        (
            "status in (accepted, in-progress) and priority.moscow = must "
            "and tags contains export and not owner",
            ["CRM-8"],  # CRM-1 has an owner, CRM-4 is proposed, CRM-2 is should
        ),
        ("status=in-progress and priority.moscow=must", ["CRM-1", "CRM-8"]),
        ("p_level = P0", ["CRM-1", "CRM-4", "CRM-6"]),
        ("ice.level = high", ["CRM-2", "CRM-6", "CRM-8"]),  # 60, 125, 75
        ("ice >= 60", ["CRM-2", "CRM-6", "CRM-8"]),
        ("customer = acme", ["CRM-1", "CRM-4", "CRM-8"]),
        ("title ~ 导出", ["CRM-3", "CRM-8"]),
        ('title ~ "客户 数据" or title ~ /^bulk/', ["CRM-1"]),
        ("not (status = done or status = rejected)", sorted(COMBINED)),
        ("blocking = CRM-1", ["CRM-2", "CRM-3"]),
        ("children contains CRM-4", ["CRM-2"]),
        ("quadrant in (quick-win, strategic)", ["CRM-1", "CRM-4"]),
        ("rice > 100 and demand >= 3", ["CRM-1", "CRM-4"]),
        ("owner != zhang.wei and type = interface", ["CRM-2"]),
    ],
)
def test_list_filter_examples(backlog: Path, expression: str, expected: list[str]) -> None:
    # verifies: REQ-706
    assert listed(backlog, "--filter", expression) == expected


def test_list_sort_with_missing_values_last(backlog: Path) -> None:
    # p_level ascending; within a level ICE descending; no ICE or no P-level goes last.
    # verifies: REQ-706
    assert listed(backlog, "--sort", "p_level,-ice.score") == [
        "CRM-6",  # P0, ICE 125
        "CRM-1",  # P0, 48
        "CRM-4",  # P0, 12
        "CRM-5",  # P1, 27
        "CRM-7",  # P1, no ICE
        "CRM-2",  # P3
        "CRM-8",  # no P-level, ICE 75
        "CRM-3",  # no P-level, no ICE
    ]
    assert listed(backlog, "--sort", "-rice") == [
        "CRM-1", "CRM-4", "CRM-2", "CRM-5", "CRM-3", "CRM-6", "CRM-7", "CRM-8",
    ]  # fmt: skip
    assert listed(backlog) == sorted(BACKLOG)  # default: by ID


def test_list_json_shape(backlog: Path) -> None:
    # verifies: REQ-706
    # verifies: REQ-400
    document = json_of(backlog, "list")
    assert document["count"] == 8
    items = {item["id"]: item for item in document["items"]}
    assert list(items) == sorted(BACKLOG)
    for rid, item in items.items():
        for key in ("id", "path", "fields", "priority", "links", "children", "depended_on_by"):
            assert key in item, (rid, key)
        assert item["fields"] == {"id": rid, **BACKLOG[rid]}  # the whole front matter
        assert item["priority"] == SCORES[rid]
        assert item["blocking"] == BLOCKING.get(rid, [])
    assert items["CRM-1"]["path"] == "reqs/billing/CRM-1.md"
    assert items["CRM-8"]["path"] == "reqs/billing/zh/CRM-8.md"
    assert items["CRM-4"]["path"] == "reqs/CRM-4.md"
    assert items["CRM-2"]["links"] == {"depends-on": ["CRM-3"]}
    assert items["CRM-2"]["children"] == ["CRM-4"]  # from CRM-4's parent link
    assert items["CRM-2"]["depended_on_by"] == ["CRM-1"]
    assert items["CRM-3"]["depended_on_by"] == ["CRM-2"]
    assert items["CRM-1"]["children"] == []
    filtered = json_of(backlog, "list", "--filter", "title ~ 导出")
    assert filtered["count"] == 2
    assert [i["title"] for i in filtered["items"]] == ["审计日志导出", LONG_CHINESE]


def test_list_csv(backlog: Path) -> None:
    # verifies: REQ-706
    # verifies: REQ-001
    output = ok(backlog, "list", "--format", "csv", "--filter", "area ~ billing").stdout
    rows = list(csv.reader(io.StringIO(output)))
    assert rows == [
        ["id", "title", "status", "type", "owner", "p_level", "due", "area"],
        ["CRM-1", "Bulk export of customer data", "in-progress", "functional", "zhang.wei",
         "P0", "", "billing"],
        ["CRM-2", "Ledger API for the finance system", "accepted", "interface", "li.na", "P3",
         "", "billing"],
        ["CRM-8", LONG_CHINESE, "in-progress", "functional", "", "", "", "billing/zh"],
    ]  # fmt: skip


@pytest.mark.parametrize("width", [80, 160])
def test_list_table_fits_the_terminal(backlog: Path, width: int) -> None:
    # verifies: REQ-706
    output = ok(backlog, "list", env={"COLUMNS": str(width)}).stdout
    for line in output.splitlines():
        assert width_of(line) <= width, line
    assert len({width_of(line) for line in table_lines(output)}) == 1
    rows = table_rows(output)
    assert [row["ID"][0] for row in rows] == sorted(BACKLOG)
    assert "".join(row_of(rows, "CRM-8")["Title"]) == LONG_CHINESE


@pytest.mark.parametrize(
    ("expression", "message", "caret"),
    [
        ("status = ", "expected a value after '='", 9),
        ("prioirty.moscow = must", "unknown field 'prioirty.moscow'", 0),
        ("(status = done", "expected ')'", 14),
        ("status = done)", "unmatched ')'", 13),
    ],
)
def test_list_bad_filter_is_exit_2_with_a_caret(
    backlog: Path, expression: str, message: str, caret: int
) -> None:
    # verifies: REQ-706
    # verifies: REQ-701
    stderr = usage_error(backlog, "list", "--filter", expression)
    lines = stderr.splitlines()
    assert message in lines[0], stderr
    assert "--filter" in lines[0]
    assert expression in lines
    caret_line = lines[lines.index(expression) + 1]
    assert caret_line.strip() == "^"
    assert caret_line.index("^") == caret


def test_list_filter_suggests_the_field(backlog: Path) -> None:
    # verifies: REQ-706
    stderr = usage_error(backlog, "list", "--filter", "prioirty.moscow = must")
    assert "did you mean 'priority.moscow'?" in stderr


def test_list_unknown_sort_field_is_exit_2(backlog: Path) -> None:
    # verifies: REQ-706
    # verifies: REQ-701
    stderr = usage_error(backlog, "list", "--sort", "p_level,-bogus")
    assert "--sort" in stderr
    assert "bogus" in stderr


# --- the real process -------------------------------------------------------------------------


def test_bad_filter_as_a_process(backlog: Path) -> None:
    # verifies: REQ-706
    # verifies: REQ-701
    proc = subprocess_run(backlog, "list", "--filter", "(status = done")
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert "expected ')'" in lines[0]
    assert lines[1:3] == ["(status = done", " " * 14 + "^"]
