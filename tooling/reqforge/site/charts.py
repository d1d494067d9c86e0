"""Inline SVG charts for the dashboard, drawn at build time (SPEC section 9, issue 12 part 3).

Each function takes figures the engine already computed (counts from `metrics`, the quadrant
from `priorities`, throughput and lead times, overall and per month, from
`metrics.history_stats`) and returns a `Chart`:
the SVG and a plain HTML table with the same figures, for screen readers and for readers
without images. The output is a pure function of the input: rows are sorted, numbers have a
fixed format, points that share a place are spread on a fixed spiral (no randomness), so the
same commit builds the same bytes.

Safety: every text from the data (labels, IDs, titles) is shown with its hidden characters
escaped (`\\u202e`, as the CLI shows them: a bidi override cannot reorder what a reader sees)
and then HTML/XML-escaped, so a label cannot open an element or an attribute.

Colours: the SVG carries classes only (`rf-bar`, `rf-series-N`, `rf-quadrant-quick-win`, ...)
and `currentColor`; `templates/static/charts.css` maps the classes to CSS custom properties,
which the dark colour scheme redefines.

The words a chart shows around the data (axis names, "No data", table headers) come in a
`ChartText`; the page contexts pass one translated to the site's language.
"""

# implements: REQ-501

from __future__ import annotations

import datetime as dt
import html
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from reqforge.priorities import QUADRANTS, quadrant
from reqforge.render.escaping import escape_hidden

WIDTH = 640  # every chart's viewBox width; CSS scales it to the column
_SERIES = 8  # colour classes rf-series-0 .. rf-series-7, cycled
_LABEL_CHARS = 24  # a longer bar label is shortened in the SVG (whole in its tooltip and table)
_GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))


@dataclass(frozen=True)
class Chart:
    """A chart as inline SVG and the same figures as an HTML table (the accessible fallback)."""

    svg: str
    table: str


@dataclass(frozen=True)
class ChartText:
    """The words around the data, in the site's language (English by default)."""

    no_data: str = "No data"
    count: str = "Count"
    value: str = "Value"
    cost: str = "Cost"
    quadrant: str = "Quadrant"
    requirements: str = "Requirements"
    week: str = "Week"
    done_in_week: str = "Done that week"
    done_total: str = "Done in total"
    lead_time_days: str = "Lead time (days)"
    median: str = "median"
    p90: str = "p90"
    month: str = "Month"
    done_in_month: str = "Done that month"


@dataclass(frozen=True)
class ScatterPoint:
    """One requirement on the value-cost chart: value and cost as written (1-10)."""

    id: str
    title: str
    value: object
    cost: object


def _text(value: object) -> str:
    """Data as SVG/HTML text: hidden characters escaped visibly, then markup-escaped."""
    return html.escape(escape_hidden(str(value)), quote=True)


def _short(label: str, limit: int = _LABEL_CHARS) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _n(number: float) -> str:
    """A coordinate with one decimal, never `-0.0`: the same number always prints the same."""
    return "0.0" if abs(number) < 0.05 else f"{number:.1f}"


def _chart_id(chart_id: str) -> str:
    return re.sub(r"[^a-z0-9-]", "-", chart_id.lower()) or "chart"


def _svg(chart_id: str, kind: str, height: float, title: str, desc: str, body: list[str]) -> str:
    cid = _chart_id(chart_id)
    return "".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" class="rf-chart rf-chart-{kind}" '
            f'role="img" aria-labelledby="{cid}-title {cid}-desc" '
            f'viewBox="0 0 {WIDTH} {_n(height)}">',
            f'<title id="{cid}-title">{_text(title)}</title>',
            f'<desc id="{cid}-desc">{_text(desc)}</desc>',
            *body,
            "</svg>",
        ]
    )


def _no_data(chart_id: str, kind: str, title: str, description: str, text: ChartText) -> Chart:
    """The chart of nothing: says so in the picture, its description and its table."""
    body = [
        f'<rect class="rf-chart-frame" x="0.5" y="0.5" width="{WIDTH - 1}" height="79"/>',
        f'<text class="rf-chart-empty" x="{WIDTH // 2}" y="45" text-anchor="middle" '
        f'fill="currentColor">{_text(text.no_data)}</text>',
    ]
    # The frame's stroke straddles its edge: two units of room keep the bottom line in view.
    svg = _svg(chart_id, kind, 82, title, f"{description} {text.no_data}".strip(), body)
    table = _table(title, [text.no_data], [])
    return Chart(svg, table)


def _table(caption: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """An HTML table: the first cell of each row is its header cell."""
    head = "".join(f'<th scope="col">{_text(cell)}</th>' for cell in header)
    body = "".join(
        f'<tr><th scope="row">{_text(row[0])}</th>'
        + "".join(f"<td>{_text(cell)}</td>" for cell in row[1:])
        + "</tr>"
        for row in rows
    )
    return (
        f'<table class="rf-chart-table"><caption>{_text(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def _ordered(counts: Mapping[str, int], order: Sequence[str]) -> list[tuple[str, int]]:
    """The keys of `order` first, in that order (statuses as a board reads), then the rest
    sorted."""
    first = [(key, counts[key]) for key in dict.fromkeys(order) if key in counts]
    seen = {key for key, _ in first}
    return first + sorted((str(k), v) for k, v in counts.items() if k not in seen)


def bar_chart(
    counts: Mapping[str, int],
    *,
    chart_id: str,
    title: str,
    description: str,
    label_header: str,
    order: Sequence[str] = (),
    text: ChartText = ChartText(),
) -> Chart:
    """Horizontal bars, one per key of `counts` (status, type, P-level, Kano...): keys of
    `order` first, then the others sorted. `label_header` heads the label column of the table.
    Counts below zero draw no bar. All counts zero or no keys: the "no data" chart."""
    rows = _ordered(counts, order)
    if not rows or all(count <= 0 for _, count in rows):
        return _no_data(chart_id, "bar", title, description, text)
    row_height, label_right, bar_left, bar_room = 28, 176, 184, 380
    largest = max(max(count for _, count in rows), 1)
    body = []
    for index, (label, count) in enumerate(rows):
        top = 8 + index * row_height
        width = bar_room * max(count, 0) / largest
        middle = top + row_height / 2
        body.append(
            f'<g class="rf-bar-row"><title>{_text(label)}: {count}</title>'
            f'<text class="rf-chart-label" x="{label_right}" y="{_n(middle)}" '
            f'text-anchor="end" dominant-baseline="middle" fill="currentColor">'
            f"{_text(_short(label))}</text>"
            f'<rect class="rf-bar rf-series-{index % _SERIES}" x="{bar_left}" '
            f'y="{_n(top + 4)}" width="{_n(width)}" height="{row_height - 8}"/>'
            f'<text class="rf-chart-value" x="{_n(bar_left + width + 6)}" y="{_n(middle)}" '
            f'dominant-baseline="middle" fill="currentColor">{count}</text></g>'
        )
    height = 16 + len(rows) * row_height
    svg = _svg(chart_id, "bar", height, title, description, body)
    return Chart(svg, _table(title, [label_header, text.count], rows))


# The value-cost plot: cost 1-10 across, value 1-10 up, each whole number a cell.
_PLOT_LEFT, _PLOT_TOP, _PLOT_WIDTH, _PLOT_HEIGHT = 56.0, 12.0, 560.0, 400.0
_CELL_W, _CELL_H = _PLOT_WIDTH / 10, _PLOT_HEIGHT / 10


def _cost_x(cost: float) -> float:
    return _PLOT_LEFT + (cost - 0.5) * _CELL_W


def _value_y(value: float) -> float:
    return _PLOT_TOP + (10.5 - value) * _CELL_H


def spread(count: int, index: int, room: float) -> tuple[float, float]:
    """The offset of the `index`-th of `count` points that share one place: a sunflower spiral
    (golden angle) within a disc of radius `room`, so equal points stay visible, inside their
    cell, and in the same spot on every build. One point sits in the middle."""
    if count <= 1:
        return 0.0, 0.0
    step = room / math.sqrt(count)
    radius = step * math.sqrt(index + 0.5)
    angle = index * _GOLDEN_ANGLE
    return radius * math.cos(angle), radius * math.sin(angle)


# Where each quadrant lies, as (cost from, cost to, value from, value to); REQ-205's boundaries:
# cheap is cost <= 5, valuable is value >= 6.
_QUADRANT_CELLS = {
    "quick-win": (0.5, 5.5, 5.5, 10.5),
    "strategic": (5.5, 10.5, 5.5, 10.5),
    "fill-in": (0.5, 5.5, 0.5, 5.5),
    "avoid": (5.5, 10.5, 0.5, 5.5),
}


def value_cost_chart(
    points: Iterable[ScatterPoint],
    *,
    chart_id: str,
    title: str,
    description: str,
    text: ChartText = ChartText(),
) -> Chart:
    """The value-cost scatter with its four quadrants (quick-win, strategic, fill-in, avoid)
    drawn and labelled. Points without a valid value and cost (priorities.quadrant is None)
    are left out; points on the same value and cost are spread deterministically. The table
    lists each occupied cell: value, cost, quadrant and the IDs in it."""
    cells: dict[tuple[int, int], list[ScatterPoint]] = {}
    for point in points:
        if quadrant(point.value, point.cost) is not None:
            key = (int(point.value), int(point.cost))  # type: ignore[call-overload]
            cells.setdefault(key, []).append(point)
    if not cells:
        return _no_data(chart_id, "scatter", title, description, text)
    body = []
    for name in QUADRANTS:
        x0, x1, y0, y1 = _QUADRANT_CELLS[name]
        left, top = _cost_x(x0), _value_y(y1)
        body.append(
            f'<rect class="rf-quadrant rf-quadrant-{name}" x="{_n(left)}" y="{_n(top)}" '
            f'width="{_n(_cost_x(x1) - left)}" height="{_n(_value_y(y0) - top)}"/>'
            f'<text class="rf-quadrant-label" x="{_n(left + 6)}" y="{_n(top + 16)}" '
            f'fill="currentColor">{name}</text>'
        )
    body.append(_value_cost_axes(text))
    rows = []
    value_name, cost_name = _text(text.value), _text(text.cost)  # once, not once a point
    for (value, cost), members in sorted(cells.items(), key=lambda c: (-c[0][0], c[0][1])):
        members = sorted(members, key=lambda p: p.id)
        where = quadrant(value, cost)
        for index, point in enumerate(members):
            dx, dy = spread(len(members), index, min(_CELL_W, _CELL_H) * 0.42)
            body.append(
                f'<circle class="rf-point rf-point-{where}" cx="{_n(_cost_x(cost) + dx)}" '
                f'cy="{_n(_value_y(value) + dy)}" r="3.5"><title>{_text(point.id)}: '
                f"{_text(_short(point.title, 80))} ({value_name} {value}, "
                f"{cost_name} {cost})</title></circle>"
            )
        rows.append((value, cost, where, ", ".join(p.id for p in members)))
    height = _PLOT_TOP + _PLOT_HEIGHT + 44
    svg = _svg(chart_id, "scatter", height, title, description, body)
    header = [text.value, text.cost, text.quadrant, text.requirements]
    return Chart(svg, _table(title, header, rows))


def _value_cost_axes(text: ChartText) -> str:
    """Ticks 1-10 on both axes and the axis names."""
    bottom = _PLOT_TOP + _PLOT_HEIGHT
    parts = [
        f'<g class="rf-axis" fill="currentColor">'
        f'<line x1="{_n(_PLOT_LEFT)}" y1="{_n(bottom)}" x2="{_n(_PLOT_LEFT + _PLOT_WIDTH)}" '
        f'y2="{_n(bottom)}" stroke="currentColor"/>'
        f'<line x1="{_n(_PLOT_LEFT)}" y1="{_n(_PLOT_TOP)}" x2="{_n(_PLOT_LEFT)}" '
        f'y2="{_n(bottom)}" stroke="currentColor"/>'
    ]
    for tick in range(1, 11):
        parts.append(
            f'<text x="{_n(_cost_x(tick))}" y="{_n(bottom + 16)}" text-anchor="middle">'
            f"{tick}</text>"
            f'<text x="{_n(_PLOT_LEFT - 8)}" y="{_n(_value_y(tick) + 4)}" text-anchor="end">'
            f"{tick}</text>"
        )
    parts.append(
        f'<text class="rf-axis-name" x="{_n(_PLOT_LEFT + _PLOT_WIDTH / 2)}" '
        f'y="{_n(bottom + 36)}" text-anchor="middle">{_text(text.cost)}</text>'
        f'<text class="rf-axis-name" x="14" y="{_n(_PLOT_TOP + _PLOT_HEIGHT / 2)}" '
        f'text-anchor="middle" transform="rotate(-90 14 {_n(_PLOT_TOP + _PLOT_HEIGHT / 2)})">'
        f"{_text(text.value)}</text></g>"
    )
    return "".join(parts)


def _week_start(week: str) -> dt.date:
    """The Monday of an ISO week written `2026-W07` (metrics' throughput keys)."""
    match = re.fullmatch(r"(\d{4})-W(\d{2})", week)
    if match is None:
        raise ValueError(f"not an ISO week: {week!r}")
    return dt.date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)


def done_over_time_chart(
    done_per_week: Mapping[str, int],
    *,
    chart_id: str,
    title: str,
    description: str,
    text: ChartText = ChartText(),
) -> Chart:
    """A step line of the requirements done in total, week by week, with dates (each week's
    Monday, ISO form) on the x axis. `done_per_week` is metrics' `throughput_per_week`
    (`{"2026-W07": 3}`); weeks between the first and the last with nothing done count 0."""
    weeks = {_week_start(week): count for week, count in done_per_week.items() if count > 0}
    if not weeks:
        return _no_data(chart_id, "done", title, description, text)
    first, last = min(weeks), max(weeks)
    mondays = [first + dt.timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]
    totals, total = [], 0
    for monday in mondays:
        total += weeks.get(monday, 0)
        totals.append(total)
    left, top, width, height = 56.0, 12.0, 560.0, 200.0
    step = width / len(mondays)

    def y(count: float) -> float:
        return top + height - height * count / total

    path = [f"M{_n(left)} {_n(y(0))}"]
    for index, count in enumerate(totals):
        path.append(f"V{_n(y(count))}H{_n(left + (index + 1) * step)}")
    line = "".join(path)
    bottom = top + height
    body = [
        f'<path class="rf-area" d="{line}V{_n(bottom)}Z"/>',
        f'<path class="rf-line" d="{line}" fill="none" stroke="currentColor"/>',
        f'<g class="rf-axis" fill="currentColor">'
        f'<line x1="{_n(left)}" y1="{_n(bottom)}" x2="{_n(left + width)}" y2="{_n(bottom)}" '
        f'stroke="currentColor"/>',
    ]
    for count in sorted({0, total // 2, total}):
        body.append(
            f'<text x="{_n(left - 8)}" y="{_n(y(count) + 4)}" text-anchor="end">{count}</text>'
        )
    ticks = sorted({round(i * (len(mondays) - 1) / 4) for i in range(5)})
    for index in ticks:
        anchor = "start" if index == 0 else "end" if index == len(mondays) - 1 else "middle"
        body.append(
            f'<text x="{_n(left + index * step)}" y="{_n(bottom + 16)}" '
            f'text-anchor="{anchor}">{mondays[index].isoformat()}</text>'
        )
    body.append("</g>")
    svg = _svg(chart_id, "done", bottom + 28, title, description, body)
    rows = [
        (f"{monday.isoformat()} ({monday:%G-W%V})", weeks.get(monday, 0), running)
        for monday, running in zip(mondays, totals, strict=True)
    ]
    header = [text.week, text.done_in_week, text.done_total]
    return Chart(svg, _table(title, header, rows))


# Lead-time bins in days: fixed, so two builds (and two repositories) bin alike.
LEAD_TIME_BINS: tuple[tuple[float, float], ...] = (
    (0, 1),
    (1, 3),
    (3, 7),
    (7, 14),
    (14, 30),
    (30, 60),
    (60, 90),
    (90, 180),
    (180, 365),
    (365, math.inf),
)


def _bin_label(low: float, high: float) -> str:
    return f"{low:g}+" if math.isinf(high) else f"{low:g}-{high:g}"


def _bin_position(days: float) -> float:
    """Where `days` lies on the binned axis: bin index plus the fraction into the bin."""
    for index, (low, high) in enumerate(LEAD_TIME_BINS):
        if days < high:
            return index + (0.5 if math.isinf(high) else (max(days, low) - low) / (high - low))
    return len(LEAD_TIME_BINS) - 0.5


def lead_time_chart(
    days: Iterable[float],
    *,
    median: float | None,
    p90: float | None,
    chart_id: str,
    title: str,
    description: str,
    text: ChartText = ChartText(),
) -> Chart:
    """The lead-time distribution: how many requirements took 0-1, 1-3, 3-7 ... 365+ days
    from first commit to done, with the median and p90 (as metrics computed them) marked.
    Values that are not finite are left out; negative ones count in the first bin."""
    values = [float(d) for d in days if math.isfinite(d)]
    if not values:
        return _no_data(chart_id, "lead-time", title, description, text)
    counts = [0] * len(LEAD_TIME_BINS)
    for value in values:
        counts[int(min(_bin_position(value), len(LEAD_TIME_BINS) - 0.5))] += 1
    left, top, width, height = 56.0, 24.0, 560.0, 160.0
    slot, bottom, largest = width / len(LEAD_TIME_BINS), top + height, max(counts)
    body = ['<g class="rf-axis" fill="currentColor">']
    for index, ((low, high), count) in enumerate(zip(LEAD_TIME_BINS, counts, strict=True)):
        bar = height * count / largest
        label = _bin_label(low, high)
        body.append(
            f'<rect class="rf-bar rf-series-0" x="{_n(left + index * slot + 2)}" '
            f'y="{_n(bottom - bar)}" width="{_n(slot - 4)}" height="{_n(bar)}">'
            f"<title>{label}: {count}</title></rect>"
            f'<text x="{_n(left + (index + 0.5) * slot)}" y="{_n(bottom + 16)}" '
            f'text-anchor="middle">{label}</text>'
        )
    body.append(
        f'<text x="{_n(left - 8)}" y="{_n(top + 4)}" text-anchor="end">{largest}</text>'
        f'<text x="{_n(left - 8)}" y="{_n(bottom + 4)}" text-anchor="end">0</text>'
        f'<text class="rf-axis-name" x="{_n(left + width / 2)}" y="{_n(bottom + 36)}" '
        f'text-anchor="middle">{_text(text.lead_time_days)}</text></g>'
    )
    marks = [(name, mark) for name, mark in ((text.median, median), (text.p90, p90))]
    for index, (name, mark) in enumerate(marks):
        if mark is None or not math.isfinite(mark):
            continue
        x = left + _bin_position(mark) * slot
        body.append(
            f'<g class="rf-mark rf-mark-{index}"><line x1="{_n(x)}" y1="{_n(top - 4)}" '
            f'x2="{_n(x)}" y2="{_n(bottom)}" stroke="currentColor"/>'
            f'<text x="{_n(x + 3)}" y="{_n(top - 8 + 10 * index)}" fill="currentColor">'
            f"{_text(name)} {mark:.1f}</text></g>"
        )
    svg = _svg(chart_id, "lead-time", bottom + 44, title, description, body)
    rows: list[Sequence[object]] = [
        (_bin_label(low, high), count)
        for (low, high), count in zip(LEAD_TIME_BINS, counts, strict=True)
    ]
    rows += [(name, "-" if mark is None else f"{mark:.1f}") for name, mark in marks]
    return Chart(svg, _table(title, [text.lead_time_days, text.requirements], rows))


def _month_index(month: str) -> int:
    """`2026-03` -> months since year 0, so that months subtract."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", month)
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"not a month: {month!r}")
    return int(match.group(1)) * 12 + int(match.group(2)) - 1


def _finite(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else None


def lead_time_over_time_chart(
    per_month: Mapping[str, Mapping[str, object]],
    *,
    chart_id: str,
    title: str,
    description: str,
    text: ChartText = ChartText(),
) -> Chart:
    """Lead time month by month: the median and the p90 (days from first commit to done) of
    the requirements done in each month, as two lines with a point per month. `per_month` is
    metrics' `lead_time_per_month` (`{"2026-03": {"median": 6.0, "p90": 10.0, "done": 2}}`);
    a month between the first and the last with nothing done leaves a gap in the lines and
    says so in the table."""
    months: dict[int, tuple[float, float, int]] = {}
    for key, figures in per_month.items():
        median, p90 = _finite(figures.get("median")), _finite(figures.get("p90"))
        done = figures.get("done")
        if median is not None and p90 is not None and isinstance(done, int) and done > 0:
            months[_month_index(key)] = (max(median, 0.0), max(p90, median, 0.0), done)
    if not months:
        return _no_data(chart_id, "lead-over-time", title, description, text)
    first, last = min(months), max(months)
    span = list(range(first, last + 1))
    left, top, width, height = 56.0, 28.0, 560.0, 180.0
    slot, bottom = width / len(span), top + height
    largest = max(p90 for _, p90, _ in months.values()) or 1.0

    def x(index: int) -> float:
        return left + (index + 0.5) * slot

    def y(days: float) -> float:
        return bottom - height * days / largest

    def label(index: int) -> str:
        return f"{index // 12:04d}-{index % 12 + 1:02d}"

    body = []
    for series, (name, which) in enumerate(((text.median, 0), (text.p90, 1))):
        path, joined = [], False
        for position, index in enumerate(span):
            point = months.get(index)
            if point is None:
                joined = False
                continue
            path.append(f"{'L' if joined else 'M'}{_n(x(position))} {_n(y(point[which]))}")
            joined = True
        body.append(
            f'<path class="rf-line rf-line-{series}" d="{"".join(path)}" fill="none" '
            f'stroke="currentColor"/>'
        )
        body.append(
            f'<g class="rf-legend" fill="currentColor"><line class="rf-line rf-line-{series}" '
            f'x1="{_n(left + series * 120)}" y1="10" x2="{_n(left + series * 120 + 24)}" y2="10" '
            f'stroke="currentColor"/><text x="{_n(left + series * 120 + 30)}" y="14">'
            f"{_text(name)}</text></g>"
        )
    for position, index in enumerate(span):
        point = months.get(index)
        if point is None:
            continue
        median, p90, done = point
        for series, days in enumerate((median, p90)):
            body.append(
                f'<circle class="rf-point rf-point-{series}" cx="{_n(x(position))}" '
                f'cy="{_n(y(days))}" r="3.5"><title>{label(index)}: {_text(text.median)} '
                f"{median:.1f}, {_text(text.p90)} {p90:.1f} ({_text(text.done_in_month)} "
                f"{done})</title></circle>"
            )
    body.append(
        f'<g class="rf-axis" fill="currentColor">'
        f'<line x1="{_n(left)}" y1="{_n(bottom)}" x2="{_n(left + width)}" y2="{_n(bottom)}" '
        f'stroke="currentColor"/>'
    )
    for days in sorted({0.0, largest / 2, largest}):
        body.append(
            f'<text x="{_n(left - 8)}" y="{_n(y(days) + 4)}" text-anchor="end">{days:.1f}</text>'
        )
    for position in sorted({round(i * (len(span) - 1) / 4) for i in range(5)}):
        body.append(
            f'<text x="{_n(x(position))}" y="{_n(bottom + 16)}" text-anchor="middle">'
            f"{label(span[position])}</text>"
        )
    body.append(
        f'<text class="rf-axis-name" x="14" y="{_n(top + height / 2)}" text-anchor="middle" '
        f'transform="rotate(-90 14 {_n(top + height / 2)})">{_text(text.lead_time_days)}</text>'
        "</g>"
    )
    svg = _svg(chart_id, "lead-over-time", bottom + 28, title, description, body)
    rows: list[Sequence[object]] = []
    for index in span:
        point = months.get(index)
        if point is None:
            rows.append((label(index), 0, "-", "-"))
        else:
            rows.append((label(index), point[2], f"{point[0]:.1f}", f"{point[1]:.1f}"))
    header = [text.month, text.done_in_month, text.median, text.p90]
    return Chart(svg, _table(title, header, rows))
