"""`stats`: the backlog figures, breakdowns and per-customer fulfilment as tables."""

from __future__ import annotations

from typing import Any

from reqforge.render.escaping import terminal_text
from reqforge.render.tables import Column, render_table


def _pair(figures: dict[str, Any] | None) -> str:
    """Median and p90 as "m / p", or "-" before there is any."""
    if not figures or figures.get("median") is None:
        return "-"
    return f"{figures['median']} / {figures['p90']}"


def _percent(rate: float | None) -> str:
    return "-" if rate is None else f"{rate * 100:.1f}%"


# implements: REQ-310
def render_stats(document: dict[str, Any], *, width: int, color: bool = False) -> str:
    """The tables of `stats` for a `metrics.backlog_stats` document, `width` cells wide: the
    summary figures, each breakdown, the overdue IDs, then one row per customer (or group)."""
    satisfaction = document["satisfaction"]
    summary = [
        ["requirements", document["requirements"]],
        [
            "fulfilment rate (done / not rejected or duplicate)",
            _percent(document["fulfilment_rate"]),
        ],
        ["overdue", len(document["overdue"])],
        ["lead time, days (median / p90)", _pair(document["lead_time_days"])],
        ["response time, hours (median / p90)", _pair(document.get("response_time_hours"))],
        [
            "SLA breaches",
            "-" if document["sla_breaches"] is None else len(document["sla_breaches"]),
        ],
        ["age of open items, days (median / p90)", _pair(document.get("ageing_days"))],
        [
            "customer satisfaction (1-5)",
            f"{satisfaction['mean']} from {satisfaction['responses']} responses"
            if satisfaction["mean"] is not None
            else "no responses",
        ],
    ]
    parts = [
        render_table(
            # Both columns are the table: in a narrow terminal the figure's name wraps.
            [Column("Figure", wrap=True, keep=9), Column("Value", justify="right", keep=9)],
            summary,
            title="Backlog",
            width=width,
            color=color,
        )
    ]
    for key, title in (
        ("by_status", "By status"), ("by_type", "By type"), ("by_p_level", "By P-level"),
        ("by_quadrant", "By value-cost quadrant"), ("by_kano", "By Kano category"),
        ("by_channel", "By source channel"),
    ):  # fmt: skip
        rows = [[name, count] for name, count in document[key].items()]
        parts.append(
            render_table(
                [
                    Column(title.split(" ", 1)[1].capitalize(), wrap=True, keep=9),
                    Column("Count", justify="right", keep=9),
                ],
                rows,
                title=title,
                width=width,
                color=color,
            )
        )
    if document["overdue"]:
        parts.append("Overdue: " + terminal_text(", ".join(document["overdue"])) + "\n")
    groups = document.get("groups") or document["customers"]
    label = document.get("by", "customer")
    # What each customer asked for is the point of this table: its list goes last of all.
    columns = [
        Column(label.capitalize(), keep=9),
        Column("Requested", justify="right", keep=6),
        Column("Done", justify="right", keep=5),
        Column("Open", justify="right", keep=3),
        Column("Fulfilment", justify="right", keep=7),
        Column("Satisfaction", justify="right", keep=2),
        Column("Requirements (status)", wrap=True, min_width=16, keep=8),
    ]  # fmt: skip
    rows = []
    for key, group in groups.items():
        name = f"{group['name']} ({key}, tier {group['tier']})" if group.get("name") else key
        mean = group["satisfaction"]["mean"]
        listed = ", ".join(f"{r['id']} {r['status']}" for r in group["requirements"])
        rows.append(
            [
                name,
                group["requested"],
                group["done"],
                group["open"],
                _percent(group["fulfilment_rate"]),
                "-" if mean is None else mean,
                listed,
            ]
        )
    parts.append(render_table(columns, rows, title=f"By {label}", width=width, color=color))
    return "\n".join(part.rstrip("\n") for part in parts)
