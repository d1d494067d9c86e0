"""A log-log line chart as hand-written SVG: time against corpus size, one line per command.

    svg = line_chart(series, title="...", x_label="...", y_label="...")

`series` maps a legend label to its points, (x, y) pairs with x and y above 0. The chart has
decade grid lines on both axes, a tick at every x a series has, a marker at every point (with a
tooltip), and a legend to the right. Every text is escaped; the output depends only on the
arguments (no dates, no random ids). White background and dark text, so it reads on GitHub's
light and dark themes alike. No plotting library: bench/ needs nothing beyond the project.
"""

# implements: REQ-611

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from xml.sax.saxutils import escape, quoteattr

WIDTH = 920
HEIGHT = 540
PLOT_LEFT = 78
PLOT_TOP = 58
PLOT_RIGHT = 640  # the legend starts to the right of this
PLOT_BOTTOM = 470
TEXT = "#24292f"
GRID = "#d0d7de"
MUTED = "#57606a"
FONT = "-apple-system, 'Segoe UI', Helvetica, Arial, sans-serif"
# Okabe-Ito (distinguishable with the common colour-vision deficiencies) and two darker tones;
# after the colours run out, the dash pattern tells the lines apart.
COLOURS = [
    "#0072b2",
    "#d55e00",
    "#009e73",
    "#cc79a7",
    "#e69f00",
    "#56b4e9",
    "#000000",
    "#8c6d00",
    "#6a3d9a",
    "#b22222",
]
DASHES = ["", "7 4", "2 3", "9 3 2 3"]
MARKER_RADIUS = 3.5


def text(value: object) -> str:
    """Text content for SVG, escaped."""
    return escape(str(value))


def attr(value: object) -> str:
    """An attribute value for SVG, escaped and quoted."""
    return quoteattr(str(value))


def short_number(value: float) -> str:
    """1000 -> 1k, 50000 -> 50k, 1500000 -> 1.5M, 0.01 -> 0.01, 100 -> 100."""
    for size, suffix in ((1e6, "M"), (1e3, "k")):
        if value >= size:
            return f"{value / size:g}{suffix}"
    return f"{value:g}"


def seconds_label(value: float) -> str:
    """A tick label of the time axis: 0.01 s, 0.1 s, 1 s, 10 s."""
    return f"{value:g} s"


def _log_scale(low: float, high: float, start: float, end: float) -> Callable[[float], float]:
    """Map [low, high] logarithmically onto [start, end]."""
    lo, hi = math.log10(low), math.log10(high)
    span = (hi - lo) or 1.0
    return lambda v: start + (math.log10(v) - lo) / span * (end - start)


def _decades(low: float, high: float) -> list[float]:
    """Powers of ten from the one at or below `low` to the one at or above `high`."""
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    if first == last:
        last += 1
    return [10.0**e for e in range(first, last + 1)]


def _fmt(v: float) -> str:
    return f"{v:.1f}"


def line_chart(
    series: Mapping[str, Sequence[tuple[float, float]]],
    *,
    title: str,
    x_label: str,
    y_label: str,
    x_format: Callable[[float], str] = short_number,
    y_format: Callable[[float], str] = seconds_label,
    point_label: Callable[[str, float, float], str] | None = None,
) -> str:
    """The SVG document (a str) of a log-log chart: one polyline per series that has a point."""
    drawn = {name: sorted(points) for name, points in series.items() if points}
    for name, points in drawn.items():
        for x, y in points:
            if not (x > 0 and y > 0 and math.isfinite(x) and math.isfinite(y)):
                raise ValueError(f"{name}: a log scale needs positive finite values, got {x}, {y}")
    xs = sorted({x for points in drawn.values() for x, _ in points}) or [1.0, 10.0]
    ys = [y for points in drawn.values() for _, y in points] or [1.0, 10.0]
    # x: a little room either side of the measured sizes; y: whole decades around the times.
    x_low, x_high = xs[0] / 1.35, xs[-1] * 1.35
    if x_low == x_high:
        x_low, x_high = x_low / 3, x_high * 3
    y_ticks = _decades(min(ys), max(ys))
    sx = _log_scale(x_low, x_high, PLOT_LEFT, PLOT_RIGHT)
    sy = _log_scale(y_ticks[0], y_ticks[-1], PLOT_BOTTOM, PLOT_TOP)
    x_grid = [d for d in _decades(x_low, x_high) if x_low <= d <= x_high]
    # With few decades on the time axis, 2 and 5 times each decade help reading values off.
    y_minor = [d * m for d in y_ticks[:-1] for m in (2, 5)] if len(y_ticks) <= 4 else []

    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label={attr(title)} '
        f'font-family={attr(FONT)} font-size="13" fill={attr(TEXT)}>',
        f"<title>{text(title)}</title>",
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        f'<text x="{WIDTH / 2:.1f}" y="30" text-anchor="middle" font-size="17" '
        f'font-weight="600">{text(title)}</text>',
        '<g class="grid" stroke-width="1" fill="none">',
    ]
    for y in y_minor:
        out.append(
            f'<line x1="{PLOT_LEFT}" x2="{PLOT_RIGHT}" y1="{_fmt(sy(y))}" y2="{_fmt(sy(y))}" '
            f'stroke="{GRID}" stroke-dasharray="2 4"/>'
        )
    for y in y_ticks:
        out.append(
            f'<line x1="{PLOT_LEFT}" x2="{PLOT_RIGHT}" y1="{_fmt(sy(y))}" y2="{_fmt(sy(y))}" '
            f'stroke="{GRID}"/>'
        )
    for x in sorted(set(x_grid) | set(xs)):
        # solid at the measured sizes, dotted at the other powers of ten
        dotted = "" if x in xs else ' stroke-dasharray="2 4"'
        out.append(
            f'<line x1="{_fmt(sx(x))}" x2="{_fmt(sx(x))}" y1="{PLOT_TOP}" y2="{PLOT_BOTTOM}" '
            f'stroke="{GRID}"{dotted}/>'
        )
    out += [
        "</g>",
        f'<rect x="{PLOT_LEFT}" y="{PLOT_TOP}" width="{PLOT_RIGHT - PLOT_LEFT}" '
        f'height="{PLOT_BOTTOM - PLOT_TOP}" fill="none" stroke="{TEXT}" stroke-width="1"/>',
        '<g class="ticks">',
    ]
    for y in y_ticks:
        out.append(
            f'<text x="{PLOT_LEFT - 8}" y="{_fmt(sy(y) + 4)}" text-anchor="end">'
            f"{text(y_format(y))}</text>"
        )
    for y in y_minor:  # smaller and grey: between the decades
        out.append(
            f'<text x="{PLOT_LEFT - 8}" y="{_fmt(sy(y) + 4)}" text-anchor="end" '
            f'font-size="11" fill="{MUTED}">{text(y_format(y))}</text>'
        )
    for x in sorted(set(x_grid) | set(xs)):
        muted = "" if x in xs else f' font-size="11" fill="{MUTED}"'
        out.append(
            f'<text x="{_fmt(sx(x))}" y="{PLOT_BOTTOM + 20}" text-anchor="middle"{muted}>'
            f"{text(x_format(x))}</text>"
        )
    out += [
        "</g>",
        f'<text x="{(PLOT_LEFT + PLOT_RIGHT) / 2:.1f}" y="{PLOT_BOTTOM + 48}" '
        f'text-anchor="middle">{text(x_label)}</text>',
        f'<text transform="translate(20 {(PLOT_TOP + PLOT_BOTTOM) / 2:.1f}) rotate(-90)" '
        f'text-anchor="middle">{text(y_label)}</text>',
    ]

    legend_x, legend_y, step = PLOT_RIGHT + 24, PLOT_TOP + 8, 22
    for i, (name, points) in enumerate(drawn.items()):
        colour = COLOURS[i % len(COLOURS)]
        dash = DASHES[(i // len(COLOURS)) % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        coords = " ".join(f"{_fmt(sx(x))},{_fmt(sy(y))}" for x, y in points)
        out.append(f'<g class="series" stroke={attr(colour)} fill={attr(colour)}>')
        out.append(f"<title>{text(name)}</title>")
        out.append(
            f'<polyline points="{coords}" fill="none" stroke-width="2" '
            f'stroke-linejoin="round"{dash_attr}/>'
        )
        for x, y in points:
            tip = point_label(name, x, y) if point_label else f"{name}: {x:g}, {y:g}"
            out.append(
                f'<circle cx="{_fmt(sx(x))}" cy="{_fmt(sy(y))}" r="{MARKER_RADIUS}">'
                f"<title>{text(tip)}</title></circle>"
            )
        ly = legend_y + i * step
        out.append(
            f'<line x1="{legend_x}" x2="{legend_x + 28}" y1="{ly}" y2="{ly}" '
            f'stroke-width="2"{dash_attr}/>'
        )
        out.append(f'<circle cx="{legend_x + 14}" cy="{ly}" r="{MARKER_RADIUS}"/>')
        out.append(
            f'<text x="{legend_x + 36}" y="{ly + 4}" stroke="none" fill={attr(TEXT)}>'
            f"{text(name)}</text>"
        )
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"
