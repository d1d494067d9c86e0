"""The dashboard's SVG charts: valid XML, accessible, inert with hostile labels, deterministic."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reqforge.site.charts import (
    Chart,
    ChartText,
    ScatterPoint,
    bar_chart,
    done_over_time_chart,
    lead_time_chart,
    lead_time_over_time_chart,
    spread,
    value_cost_chart,
)

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script>\' onload="alert(1)" \u202eevil\u202c & \x1b[31m'


# metrics' lead_time_per_month: March and May with requirements done, April with none.
MONTHS = {
    "2026-03": {"median": 6.0, "p90": 10.0, "done": 2},
    "2026-05": {"median": 40.0, "p90": 40.0, "done": 1},
}


def parse(chart: Chart) -> tuple[ET.Element, ET.Element]:
    """Both halves parse as XML (HTML tables written as XHTML-compatible markup)."""
    return ET.fromstring(chart.svg), ET.fromstring(chart.table)


def bars(counts: dict[str, int], **kwargs: object) -> Chart:
    return bar_chart(
        counts, chart_id="status", title="By status", description="Counts", label_header="Status",
        **kwargs,  # type: ignore[arg-type]
    )  # fmt: skip


def all_text(element: ET.Element) -> str:
    return "".join(element.itertext())


# verifies: REQ-501
def test_bar_chart_is_accessible_svg_with_a_table_of_the_same_counts() -> None:
    chart = bars({"done": 4, "proposed": 2, "accepted": 7}, order=["proposed", "accepted"])
    svg, table = parse(chart)
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "status-title status-desc"
    assert svg.find(f"{SVG}title").text == "By status"  # type: ignore[union-attr]
    assert svg.find(f"{SVG}desc").text == "Counts"  # type: ignore[union-attr]
    rows = [[all_text(c) for c in row] for row in table.iter("tr")]
    assert rows == [["Status", "Count"], ["proposed", "2"], ["accepted", "7"], ["done", "4"]]
    widths = [float(r.get("width", "")) for r in svg.iter(f"{SVG}rect")]
    assert widths == [pytest.approx(380 * 2 / 7, abs=0.05), 380.0, pytest.approx(380 * 4 / 7, 0.01)]


# verifies: REQ-501
def test_charts_use_classes_and_current_color_only() -> None:
    charts = [
        bars({"a": 1, "b": 2}),
        value_cost_chart(
            [ScatterPoint("R-1", "t", 8, 3)], chart_id="vc", title="t", description=""
        ),
        done_over_time_chart({"2026-W01": 1}, chart_id="d", title="t", description=""),
        lead_time_chart([1.0], median=1.0, p90=1.0, chart_id="l", title="t", description=""),
        lead_time_over_time_chart(MONTHS, chart_id="lm", title="t", description=""),
    ]
    for chart in charts:
        svg, _ = parse(chart)
        for element in svg.iter():
            for attribute in ("fill", "stroke", "style", "color"):
                assert element.get(attribute) in (None, "currentColor", "none"), element.attrib


# verifies: REQ-510
def test_hostile_labels_stay_text() -> None:
    charts = [
        bars({HOSTILE: 3}),
        value_cost_chart(
            [ScatterPoint(HOSTILE, HOSTILE, 8, 3)], chart_id=HOSTILE, title=HOSTILE,
            description=HOSTILE, text=ChartText(value=HOSTILE),
        ),
        lead_time_chart(
            [2.0], median=2.0, p90=2.0, chart_id="l", title=HOSTILE, description=HOSTILE,
        ),
        lead_time_over_time_chart(
            MONTHS, chart_id=HOSTILE, title=HOSTILE, description=HOSTILE,
            text=ChartText(median=HOSTILE),
        ),
    ]  # fmt: skip
    for chart in charts:
        svg, table = parse(chart)
        for tree in (svg, table):
            assert not [e for e in tree.iter() if e.tag.endswith("script")]
            assert all(not name.startswith("on") for e in tree.iter() for name in e.attrib)
            text = all_text(tree)
            assert "\u202e" not in text and "\x1b" not in text
            assert "\\u202e" in text and '<script>alert("x")</script>' in text
        assert "<script" not in chart.svg + chart.table


# verifies: REQ-501
def test_empty_data_gives_a_chart_that_says_no_data() -> None:
    text = ChartText(no_data="暂无数据")
    charts = [
        bars({}, text=text),
        bars({"done": 0}, text=text),
        value_cost_chart(
            [ScatterPoint("R-1", "no value", None, 3)], chart_id="vc", title="t", description="",
            text=text,
        ),
        done_over_time_chart({}, chart_id="d", title="t", description="", text=text),
        lead_time_chart(
            [], median=None, p90=None, chart_id="l", title="t", description="", text=text
        ),
        lead_time_over_time_chart({}, chart_id="lm", title="t", description="", text=text),
        lead_time_over_time_chart(
            {"2026-01": {"median": None, "p90": None, "done": 0}}, chart_id="lm", title="t",
            description="", text=text,
        ),
    ]  # fmt: skip
    for chart in charts:
        svg, table = parse(chart)
        assert "暂无数据" in all_text(svg)
        assert "暂无数据" in svg.find(f"{SVG}desc").text  # type: ignore[operator,union-attr]
        assert "暂无数据" in all_text(table)


# verifies: REQ-501
# verifies: REQ-205
def test_value_cost_chart_marks_quadrants_and_spreads_equal_points() -> None:
    points = [ScatterPoint(f"R-{n}", f"title {n}", 8, 3) for n in (3, 1, 2)]
    points.append(ScatterPoint("R-9", "pricey", 4, 7))
    chart = value_cost_chart(points, chart_id="vc", title="Value and cost", description="d")
    svg, table = parse(chart)
    labels = [all_text(t) for t in svg.iter(f"{SVG}text") if t.get("class") == "rf-quadrant-label"]
    assert labels == ["quick-win", "strategic", "fill-in", "avoid"]
    circles = list(svg.iter(f"{SVG}circle"))
    places = {(c.get("cx"), c.get("cy")) for c in circles}
    assert len(places) == 4  # three equal points drawn apart
    assert [c.get("class") for c in circles].count("rf-point rf-point-quick-win") == 3
    rows = [[all_text(c) for c in row] for row in table.iter("tr")][1:]
    assert rows == [["8", "3", "quick-win", "R-1, R-2, R-3"], ["4", "7", "avoid", "R-9"]]
    # the same points in another order draw the same bytes
    again = value_cost_chart(points[::-1], chart_id="vc", title="Value and cost", description="d")
    assert again == chart


def test_spread_stays_inside_its_room() -> None:
    assert spread(1, 0, 10.0) == (0.0, 0.0)
    offsets = [spread(200, i, 10.0) for i in range(200)]
    assert len(set(offsets)) == 200
    assert all(dx * dx + dy * dy <= 100.0 + 1e-9 for dx, dy in offsets)


# verifies: REQ-501
def test_done_over_time_fills_weeks_and_labels_dates() -> None:
    chart = done_over_time_chart(
        {"2026-W04": 3, "2026-W01": 2}, chart_id="done", title="Done", description="d"
    )
    svg, table = parse(chart)
    rows = [[all_text(c) for c in row] for row in table.iter("tr")][1:]
    assert rows == [
        ["2025-12-29 (2026-W01)", "2", "2"],
        ["2026-01-05 (2026-W02)", "0", "2"],
        ["2026-01-12 (2026-W03)", "0", "2"],
        ["2026-01-19 (2026-W04)", "3", "5"],
    ]
    assert "2025-12-29" in all_text(svg) and "2026-01-19" in all_text(svg)
    with pytest.raises(ValueError):
        done_over_time_chart({"January": 1}, chart_id="d", title="t", description="")


# verifies: REQ-501
def test_lead_time_chart_bins_and_marks_median_and_p90() -> None:
    days = [0.5, 2.0, 2.5, 10.0, 400.0, float("nan")]
    chart = lead_time_chart(
        days, median=2.5, p90=400.0, chart_id="lead", title="Lead time", description="d"
    )
    svg, table = parse(chart)
    rows = {row[0]: row[1] for row in ([all_text(c) for c in r] for r in table.iter("tr"))}
    assert rows["0-1"] == "1" and rows["1-3"] == "2" and rows["7-14"] == "1" and rows["365+"] == "1"
    assert rows["median"] == "2.5" and rows["p90"] == "400.0"
    assert "median 2.5" in all_text(svg) and "p90 400.0" in all_text(svg)


# verifies: REQ-501
@given(st.dictionaries(st.text(max_size=30), st.integers(min_value=0, max_value=10**12)))
def test_bar_chart_of_any_counts_is_valid_and_deterministic(counts: dict[str, int]) -> None:
    chart = bars(counts)
    svg, table = parse(chart)
    assert bars(dict(reversed(list(counts.items())))) == chart
    if any(counts.values()):
        assert len(list(table.iter("tr"))) == len(counts) + 1
        assert all(0 <= float(r.get("width", "")) <= 380 for r in svg.iter(f"{SVG}rect"))


# verifies: REQ-501
def test_lead_time_by_month_draws_median_and_p90_with_a_gap_for_a_month_without_done() -> None:
    chart = lead_time_over_time_chart(
        MONTHS, chart_id="lead-month", title="Lead time by month", description="d"
    )
    svg, table = parse(chart)
    rows = [[all_text(c) for c in row] for row in table.iter("tr")]
    assert rows == [
        ["Month", "Done that month", "median", "p90"],
        ["2026-03", "2", "6.0", "10.0"],
        ["2026-04", "0", "-", "-"],
        ["2026-05", "1", "40.0", "40.0"],
    ]
    paths = [p.get("d") or "" for p in svg.iter(f"{SVG}path")]
    assert len(paths) == 2  # the median and the p90
    for d in paths:
        assert d.count("M") == 2 and "L" not in d  # April breaks each line in two
    # the p90 of May is the top of the plot, the median of March lower than its p90
    circles = [(c.get("cx"), float(c.get("cy") or 0)) for c in svg.iter(f"{SVG}circle")]
    march, may = [cy for _, cy in circles[:2]], [cy for _, cy in circles[2:]]
    assert march[0] > march[1] and may[0] == may[1] == min(cy for _, cy in circles)
    assert "2026-03" in all_text(svg) and "2026-05" in all_text(svg)
    titles = [all_text(t) for t in svg.iter(f"{SVG}title")]
    assert "2026-03: median 6.0, p90 10.0 (Done that month 2)" in titles
    # the same figures in another order draw the same bytes
    again = lead_time_over_time_chart(
        dict(reversed(list(MONTHS.items()))), chart_id="lead-month", title="Lead time by month",
        description="d",
    )  # fmt: skip
    assert again == chart
    with pytest.raises(ValueError):
        lead_time_over_time_chart(
            {"March": {"median": 1.0, "p90": 1.0, "done": 1}}, chart_id="x", title="t",
            description="",
        )  # fmt: skip


# verifies: REQ-501
def test_lead_time_by_month_joins_consecutive_months() -> None:
    months = {f"2026-{m:02d}": {"median": float(m), "p90": 2.0 * m, "done": m} for m in (1, 2, 3)}
    svg, _ = parse(lead_time_over_time_chart(months, chart_id="m", title="t", description=""))
    for path in svg.iter(f"{SVG}path"):
        assert (path.get("d") or "").count("L") == 2
