"""The trace report as text (reqforge.render.trace): cells, counts, the summary lines, notes."""

from __future__ import annotations

from reqforge.render import trace as render
from reqforge.trace import TraceItem, TraceReport
from reqforge.trace.coverage import KINDS
from reqforge.trace.junit import ResultProblem
from reqforge.trace.markers import IMPLEMENTED, VERIFIED, Marker


def item(
    rid: str,
    code: tuple[str, ...] = (),
    tests: tuple[tuple[str, str], ...] = (),
    missing: tuple[str, ...] = (),
) -> TraceItem:
    return TraceItem(
        id=rid,
        parents=(),
        children=(),
        links={},
        implemented=tuple(Marker(rid, path, 1, IMPLEMENTED) for path in code),
        verified=tuple(
            (Marker(rid, "tests/test_x.py", n, VERIFIED, test), result)
            for n, (test, result) in enumerate(tests, 1)
        ),
        missing=missing,
        suspect=(),
        required=KINDS,
    )


def test_code_cell_names_each_file_once_with_its_folder_only_when_names_clash() -> None:
    # verifies: REQ-403
    assert render.code_cell(item("CRM-1", ("src/a/x.py", "src/a/x.py", "src/b.py"))) == "x.py, b.py"
    clash = item("CRM-1", ("src/a/x.py", "lib/b/x.py", "c.py", "d.py", "e.py"))
    assert render.code_cell(clash) == "a/x.py, b/x.py, c.py +2 more"
    assert render.code_cell(item("CRM-1")) == ""


def test_tests_cell_counts_by_result_in_a_fixed_order_and_names_the_failing() -> None:
    # verifies: REQ-402
    tests = (
        ("tests/test_x.py::test_a", "passed"),
        ("tests/test_x.py::TestB::test_b", "failed"),
        ("tests/test_x.py::test_c", "unknown"),
        ("tests/test_x.py::test_a", "passed"),  # the same test twice counts once
    )
    assert render.tests_cell(item("CRM-1", tests=tests)) == "1 failed, 1 passed, 1 unknown (test_b)"
    assert (
        render.by_result(["skipped", "unknown", "passed", "skipped"])
        == "1 passed, 2 skipped, 1 unknown"
    )
    assert render.by_result([]) == ""


def test_summary_text_and_percent() -> None:
    # verifies: REQ-403
    report = TraceReport(
        (
            item("CRM-1", ("a.py",), (("t::test_a", "failed"),)),
            item("CRM-2", missing=("verified",)),
        ),
        ("CRM-2",),
    )
    assert render.summary_text(report) == (
        "coverage: 1/2 requirements covered (50.0%)\n"
        "verifying tests: 1 failed\n"
        "failing: CRM-1\n"
        "orphans: CRM-2\n"
        "suspect links: 0\n"
    )
    assert render.summary_text(TraceReport((), ())).splitlines()[:2] == [
        "coverage: 0/0 requirements covered (-)",
        "verifying tests: none",
    ]
    assert render.percent(2 / 3) == "66.7%" and render.percent(None) == "-"


def test_refused_results_note() -> None:
    # verifies: REQ-402
    problem = ResultProblem("reports/bad.xml", "not JUnit XML")
    assert render.refused_results_note(problem) == (
        "warning: reports/bad.xml: not JUnit XML (its results are left out)"
    )


def test_a_long_list_of_ids_is_wrapped_and_cut_with_a_count() -> None:
    # verifies: REQ-403
    ids = [f"REQ-{n:04d}" for n in range(1900)]
    text = render.id_list("orphans", ids, width=80)
    lines = text.splitlines()
    assert len(lines) == render.ID_LIST_LINES + 1
    assert all(len(line) <= 80 for line in lines)
    assert lines[0].startswith("orphans (1,900): REQ-0000, REQ-0001")
    shown = [rid for line in lines[:-1] for rid in line.split(": ")[-1].split(", ") if rid.strip()]
    shown = [rid.strip().rstrip(",") for rid in shown]
    assert shown == ids[: len(shown)]
    assert (
        lines[-1] == f"  ... and {1900 - len(shown):,} more (--format json or csv lists them all)"
    )
    assert render.id_list("orphans", ids[:2], width=80) == "orphans: REQ-0000, REQ-0001"
    assert render.id_list("orphans", [], width=80) == "orphans: none"
    # A list that fits a few lines is wrapped whole, no ID ever split.
    wrapped = render.id_list("orphans", ids[:8], width=40).splitlines()
    assert "more" not in wrapped[-1] and len(wrapped) == 3
    assert ", ".join(line.split(": ")[-1].strip().rstrip(",") for line in wrapped) == ", ".join(
        ids[:8]
    )


def test_summary_says_nothing_is_required_instead_of_full_coverage() -> None:
    # verifies: REQ-403
    bare = TraceItem("CRM-1", (), (), {}, (), (), (), ())
    text = render.summary_text(TraceReport((bare,), ()))
    assert text.splitlines()[0] == f"coverage: 1 requirements, {render.NOTHING_REQUIRED}"
    assert "100" not in text
