"""`stats`: the backlog figures, breakdowns and per-customer fulfilment as tables."""

from __future__ import annotations

from typing import Any

from reqforge.i18n import N_, translator
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
# Each breakdown: its key in the document, the table's title and its first column's header.
BREAKDOWNS = (
    ("by_status", N_("By status"), N_("Status")),
    ("by_type", N_("By type"), N_("Type")),
    ("by_p_level", N_("By P-level"), N_("P-level")),
    ("by_quadrant", N_("By value-cost quadrant"), N_("Value-cost quadrant")),
    ("by_kano", N_("By Kano category"), N_("Kano category")),
    ("by_channel", N_("By source channel"), N_("Source channel")),
    # Acceptance criteria, not requirements; the kinds are labels of reqforge's, translated.
    ("acceptance_by_ears_kind", N_("Acceptance criteria by EARS kind"), N_("EARS kind")),
)
# The groups of the last table (`--by`): its title and first column's header.
GROUPS = {
    "customer": (N_("By customer"), N_("Customer")),
    "channel": (N_("By channel"), N_("Channel")),
    "owner": (N_("By owner"), N_("Owner")),
    "team": (N_("By team"), N_("Team")),
}


def render_stats(
    document: dict[str, Any], *, width: int, color: bool = False, language: str = "en"
) -> str:
    """The tables of `stats` for a `metrics.backlog_stats` document, `width` cells wide: the
    summary figures, each breakdown (the last: acceptance criteria by EARS kind, when there
    are any), the overdue IDs, then one row per customer (or group); every label in
    `language`."""
    _ = translator(language)
    satisfaction = document["satisfaction"]
    summary = [
        [_("requirements"), document["requirements"]],
        [
            _("fulfilment rate (done / not rejected or duplicate)"),
            _percent(document["fulfilment_rate"]),
        ],
        [_("overdue"), len(document["overdue"])],
        [_("lead time, days (median / p90)"), _pair(document["lead_time_days"])],
        [_("response time, hours (median / p90)"), _pair(document.get("response_time_hours"))],
        [
            _("SLA breaches"),
            "-" if document["sla_breaches"] is None else len(document["sla_breaches"]),
        ],
        [_("age of open items, days (median / p90)"), _pair(document.get("ageing_days"))],
        [
            _("customer satisfaction (1-5)"),
            _("{mean} from {count} responses").format(
                mean=satisfaction["mean"], count=satisfaction["responses"]
            )
            if satisfaction["mean"] is not None
            else _("no responses"),
        ],
    ]
    parts = [
        render_table(
            # Both columns are the table: in a narrow terminal the figure's name wraps.
            [Column(_("Figure"), wrap=True, keep=9), Column(_("Value"), justify="right", keep=9)],
            summary,
            title=_("Backlog"),
            width=width,
            color=color,
        )
    ]
    for key, title, header in BREAKDOWNS:
        # "(none)" counts the requirements without a value: the one label in the data.
        translated = key == "acceptance_by_ears_kind"
        rows = [
            [_(name) if name == "(none)" or translated else name, count]
            for name, count in document.get(key, {}).items()
        ]
        if translated and not rows:
            continue  # no acceptance criteria: no table of their kinds
        parts.append(
            render_table(
                [
                    Column(_(header), wrap=True, keep=9),
                    Column(_("Count"), justify="right", keep=9),
                ],
                rows,
                title=_(title),
                width=width,
                color=color,
            )
        )
    if document["overdue"]:
        overdue = terminal_text(", ".join(document["overdue"]))
        parts.append(_("Overdue: {ids}").format(ids=overdue) + "\n")
    groups = document.get("groups") or document["customers"]
    label = document.get("by", "customer")
    title, header = GROUPS.get(label, (label, label.capitalize()))
    # What each customer asked for is the point of this table: its list goes last of all.
    columns = [
        Column(_(header), keep=9),
        Column(_("Requested"), justify="right", keep=6),
        Column(_("Done"), justify="right", keep=5),
        Column(_("Open"), justify="right", keep=3),
        Column(_("Fulfilment"), justify="right", keep=7),
        Column(_("Satisfaction"), justify="right", keep=2),
        Column(_("Requirements (status)"), wrap=True, min_width=16, keep=8),
    ]  # fmt: skip
    rows = []
    named = _("{name} ({key}, tier {tier})")
    for key, group in groups.items():
        name = (
            named.format(name=group["name"], key=key, tier=group["tier"])
            if group.get("name")
            else key
        )
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
    parts.append(render_table(columns, rows, title=_(title), width=width, color=color))
    return "\n".join(part.rstrip("\n") for part in parts)
