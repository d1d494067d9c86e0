"""`reqforge prioritize` end to end on the hand-built backlog (tests/backlog_fixtures.py):
JSON, table and CSV output, every method's order, filters, disagreements, inherited urgency
and votes.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from tests.backlog_fixtures import (
    BACKLOG,
    BLOCKING,
    COMBINED,
    COMBINED_ALL,
    CUSTOMERS,
    DISAGREEMENTS,
    LONG_CHINESE,
    SCORES,
    Repo,
    header_cells,
    ids,
    invoke,
    json_of,
    notes_of,
    ok,
    row_of,
    subprocess_run,
    table_lines,
    table_rows,
    usage_error,
)
from tests.conftest import requirement_text as req

from reqforge.render.tables import width_of

SPEC_ITEM_KEYS = {
    "rank", "id", "title", "status", "moscow", "kano", "ice", "rice", "quadrant", "p_level",
    "rpn", "wsjf", "demand",
}  # fmt: skip


def prioritized(root: Path, *args: str) -> dict[str, Any]:
    return json_of(root, "prioritize", *args)


# --- prioritize: JSON ---------------------------------------------------------------------------


def test_prioritize_json_has_spec_keys_and_hand_computed_scores(backlog: Path) -> None:
    # verifies: REQ-210
    # verifies: REQ-201
    # verifies: REQ-202
    # verifies: REQ-203
    # verifies: REQ-204
    # verifies: REQ-205
    # verifies: REQ-206
    # verifies: REQ-207
    # verifies: REQ-208
    # verifies: REQ-209
    # verifies: REQ-211
    # verifies: REQ-212
    # verifies: REQ-213
    document = prioritized(backlog)
    assert document["method"] == "combined"
    assert ids(document) == COMBINED
    for rank, item in enumerate(document["items"], 1):
        assert set(item) >= SPEC_ITEM_KEYS, SPEC_ITEM_KEYS - set(item)
        rid = item["id"]
        assert item["rank"] == rank
        assert item["title"] == BACKLOG[rid]["title"]
        assert item["status"] == BACKLOG[rid]["status"]
        assert {k: item[k] for k in SCORES[rid]} == SCORES[rid], rid
        assert item["blocking"] == BLOCKING.get(rid, [])
        assert item["disagreements"] == DISAGREEMENTS.get(rid, [])


def test_prioritize_json_numbers_keep_their_types(backlog: Path) -> None:
    # verifies: REQ-210
    text = ok(backlog, "prioritize", "--format", "json").stdout
    first = json.loads(text)["items"][0]
    assert first["id"] == "CRM-1"
    assert type(first["demand"]) is int  # a whole demand is printed as 5, not 5.0
    assert type(first["rpn"]) is int
    assert type(first["rice"]) is float
    assert '"demand": 5,' in text


def test_prioritize_leaves_terminal_statuses_out_unless_all(backlog: Path) -> None:
    # verifies: REQ-210
    assert "CRM-6" not in ids(prioritized(backlog))  # done
    assert "CRM-7" not in ids(prioritized(backlog))  # rejected
    everything = prioritized(backlog, "--all")
    assert ids(everything) == COMBINED_ALL
    assert [item["rank"] for item in everything["items"]] == list(range(1, 9))
    for item in everything["items"]:
        assert {k: item[k] for k in SCORES[item["id"]]} == SCORES[item["id"]]


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        # highest ICE first; CRM-3 has no ICE inputs: last
        ("ice", ["CRM-8", "CRM-2", "CRM-1", "CRM-5", "CRM-4", "CRM-3"]),
        # 640 > 150 > 125 > 2.5; then the two without RICE by ID
        ("rice", ["CRM-1", "CRM-4", "CRM-2", "CRM-5", "CRM-3", "CRM-8"]),
        # quick-win, strategic, fill-in, avoid, then none
        ("value-cost", ["CRM-1", "CRM-4", "CRM-2", "CRM-5", "CRM-3", "CRM-8"]),
        # RPN 1000 > 140 > 24, then none by ID
        ("fmea", ["CRM-5", "CRM-1", "CRM-2", "CRM-3", "CRM-4", "CRM-8"]),
        ("rpn", ["CRM-5", "CRM-1", "CRM-2", "CRM-3", "CRM-4", "CRM-8"]),
        # 10.0 > 8.0 > 6.0; CRM-5's votes are MoSCoW words only: no score
        ("votes", ["CRM-4", "CRM-1", "CRM-2", "CRM-3", "CRM-5", "CRM-8"]),
        # must (by ID), should, could, none
        ("moscow", ["CRM-1", "CRM-4", "CRM-8", "CRM-2", "CRM-5", "CRM-3"]),
        # basic, performance, excitement, none by ID
        ("kano", ["CRM-1", "CRM-2", "CRM-5", "CRM-3", "CRM-4", "CRM-8"]),
        # 4.0 > 2.333, none by ID
        ("wsjf", ["CRM-1", "CRM-2", "CRM-3", "CRM-4", "CRM-5", "CRM-8"]),
        # 5 > 3 = 3 (ID) > 2 > 1, none
        ("demand", ["CRM-1", "CRM-4", "CRM-8", "CRM-5", "CRM-2", "CRM-3"]),
        # P0 (ID), P1, P3, none (ID): no ICE tie-break with one method
        ("p-level", ["CRM-1", "CRM-4", "CRM-5", "CRM-2", "CRM-3", "CRM-8"]),
        ("combined", COMBINED),
    ],
)
def test_prioritize_method_orders(backlog: Path, method: str, expected: list[str]) -> None:
    # verifies: REQ-201
    # verifies: REQ-202
    # verifies: REQ-207
    # verifies: REQ-210
    document = prioritized(backlog, "--method", method)
    assert ids(document) == expected
    assert [item["rank"] for item in document["items"]] == list(range(1, len(expected) + 1))
    if method == "fmea":
        assert document["method"] in ("fmea", "rpn")
    else:
        assert document["method"] == method


def test_prioritize_filter_narrows(backlog: Path) -> None:
    # verifies: REQ-210
    assert ids(prioritized(backlog, "--filter", "customer = acme")) == ["CRM-1", "CRM-4", "CRM-8"]
    assert ids(prioritized(backlog, "--filter", "p_level = P0 or ice.score >= 60")) == [
        "CRM-1",  # P0
        "CRM-4",  # P0
        "CRM-2",  # ICE 60
        "CRM-8",  # ICE 75
    ]
    # --all and --filter together: the done P0 comes back.
    assert ids(prioritized(backlog, "--all", "--filter", "p_level = P0")) == [
        "CRM-6",
        "CRM-1",
        "CRM-4",
    ]
    assert prioritized(backlog, "--filter", "id = NOPE-1") == {"method": "combined", "items": []}


def test_prioritize_disagreements_keeps_only_items_with_a_reason(backlog: Path) -> None:
    # verifies: REQ-211
    document = prioritized(backlog, "--disagreements")
    assert ids(document) == ["CRM-4", "CRM-5"]
    assert [item["rank"] for item in document["items"]] == [1, 2]
    for item in document["items"]:
        assert item["disagreements"] == DISAGREEMENTS[item["id"]]


def test_prioritize_bad_filter_is_exit_2(backlog: Path) -> None:
    # verifies: REQ-701
    stderr = usage_error(backlog, "prioritize", "--filter", "bogus = 1")
    assert "unknown field 'bogus'" in stderr


def test_inherited_urgency_in_json_and_table(backlog: Path) -> None:
    # verifies: REQ-212
    items = {i["id"]: i for i in prioritized(backlog, "--all")["items"]}
    assert {rid: item["blocking"] for rid, item in items.items() if item["blocking"]} == BLOCKING
    table = ok(backlog, "prioritize", env={"COLUMNS": "160"}).stdout
    rows = table_rows(table)
    assert notes_of(rows, "CRM-2") == "blocks CRM-1"
    assert notes_of(rows, "CRM-3") == "blocks CRM-1"
    assert notes_of(rows, "CRM-1") == ""


def test_votes_are_accepted_by_check(make_repo: Repo) -> None:
    # verifies: REQ-213
    text = req("CRM-1").replace(
        "  urgency: normal", "  urgency: normal\n  votes: {acme: 9, bob: 5}"
    )
    root = make_repo({"reqs/CRM-1.md": text, "reqs/customers.yaml": CUSTOMERS})
    result = invoke(root, "check", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["findings"] == []  # no RF103 for priority.votes
    item = prioritized(root)["items"][0]
    assert item["votes"] == 8.0  # (3×9 + 1×5) / 4


def test_a_vote_of_11_is_rf102(make_repo: Repo) -> None:
    # verifies: REQ-200
    # verifies: REQ-213
    # verifies: REQ-102
    text = req("CRM-1").replace("  urgency: normal", "  urgency: normal\n  votes: {acme: 11}")
    root = make_repo({"reqs/CRM-1.md": text})
    result = invoke(root, "check", "--format", "json")
    assert result.exit_code == 1, result.output
    findings = json.loads(result.stdout)["findings"]
    assert [(f["code"], f["line"]) for f in findings] == [("RF102", 11)]
    assert "priority.votes.acme" in findings[0]["message"]
    assert "11" in findings[0]["message"]
    assert prioritized(root)["items"][0]["votes"] is None  # never a guess


# --- prioritize: table and CSV ------------------------------------------------------------------


@pytest.mark.parametrize("width", [80, 160])
def test_prioritize_table_fits_the_terminal(backlog: Path, width: int) -> None:
    # verifies: REQ-210
    output = ok(backlog, "prioritize", "--all", env={"COLUMNS": str(width)}).stdout
    assert output.strip()
    for line in output.splitlines():
        assert width_of(line) <= width, line
    lines = table_lines(output)
    assert len({width_of(line) for line in lines}) == 1, "box borders out of line"
    headers = header_cells(output)
    assert headers[:3] == ["#", "ID", "Title"]
    rows = table_rows(output)
    assert [row["ID"][0] for row in rows] == COMBINED_ALL
    assert [row["#"][0] for row in rows] == [str(n) for n in range(1, 9)]
    # The long Chinese title wraps onto several lines and loses no character.
    title = row_of(rows, "CRM-8")["Title"]
    assert len(title) > 1
    assert "".join(title) == LONG_CHINESE
    assert row_of(rows, "CRM-3")["Title"] == ["审计日志导出"]


def test_prioritize_table_at_160_shows_every_key_column(backlog: Path) -> None:
    # verifies: REQ-210
    output = ok(backlog, "prioritize", env={"COLUMNS": "160"}).stdout
    headers = header_cells(output)
    for column in (
        "#", "ID", "Title", "Status", "P", "MoSCoW", "Kano", "ICE (I×C×E)", "RICE",
        "Value/cost", "RPN", "WSJF", "Demand", "Notes",
    ):  # fmt: skip
        assert column in headers, headers
    crm1 = row_of(table_rows(output), "CRM-1")
    assert crm1["ICE (I×C×E)"] == ["4×4×3=48 medium"]  # each score shows its inputs
    assert crm1["Value/cost"] == ["quick-win (6/5)"]
    assert crm1["P"] == ["P0"]
    assert crm1["RPN"] == ["140"]
    assert crm1["Demand"] == ["5"]
    crm4 = row_of(table_rows(output), "CRM-4")
    assert "MoSCoW must but ICE level low (score 12)" in " ".join(crm4["Notes"])


def test_prioritize_csv_parses_back(backlog: Path) -> None:
    # verifies: REQ-210
    output = ok(backlog, "prioritize", "--format", "csv").stdout
    rows = list(csv.reader(io.StringIO(output)))
    assert rows[0] == [
        "rank", "id", "title", "status", "p_level", "moscow", "kano", "ice", "ice_level", "rice",
        "quadrant", "rpn", "wsjf", "demand", "votes", "blocking", "disagreements",
    ]  # fmt: skip
    records = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert [r["id"] for r in records] == COMBINED
    crm1 = records[0]
    assert crm1 | {"title": ""} == {
        "rank": "1", "id": "CRM-1", "title": "", "status": "in-progress", "p_level": "P0",
        "moscow": "must", "kano": "basic", "ice": "48", "ice_level": "medium", "rice": "640",
        "quadrant": "quick-win", "rpn": "140", "wsjf": "4", "demand": "5", "votes": "8",
        "blocking": "", "disagreements": "",
    }  # fmt: skip
    by_id = {r["id"]: r for r in records}
    assert by_id["CRM-2"]["blocking"] == "CRM-1"
    assert by_id["CRM-2"]["wsjf"] == "2.333"
    assert by_id["CRM-4"]["disagreements"] == "; ".join(DISAGREEMENTS["CRM-4"])
    assert by_id["CRM-8"]["title"] == LONG_CHINESE


# --- the real process -------------------------------------------------------------------------


def test_prioritize_json_as_a_process(backlog: Path) -> None:
    # verifies: REQ-210
    # verifies: REQ-701
    proc = subprocess_run(backlog, "prioritize", "--format", "json", "--all")
    assert proc.returncode == 0, proc.stderr
    document = json.loads(proc.stdout)
    assert ids(document) == COMBINED_ALL
    first = document["items"][1]
    assert first["id"] == "CRM-1"
    assert {k: first[k] for k in SCORES["CRM-1"]} == SCORES["CRM-1"]
    assert document["items"][6]["title"] == LONG_CHINESE
