"""The dashboard's charts: the figures the engine computed, drawn by `site/charts.py`.

Pure, like `site/pages.py`: the counts come from the dashboard context (the same numbers its
tables show), the value-cost inputs and quadrants from the catalogue's cached scores, and done
over time from `metrics.history_stats` on the history loaded once for the build. The words
around the data come from the gettext catalogs through the `gettext` passed in.
"""

# implements: REQ-501

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import astuple
from functools import partial
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from reqforge.cache import fixed
from reqforge.i18n import N_
from reqforge.site.charts import (
    Chart,
    ChartText,
    ScatterPoint,
    bar_chart,
    done_over_time_chart,
    lead_time_over_time_chart,
    value_cost_chart,
)

if TYPE_CHECKING:
    from reqforge.cache import CacheStore
    from reqforge.site.pages import SiteModel

Gettext = Callable[[str], str]

# (chart id, title, description, label column header) of the four bar charts, in page order.
_BARS = (
    (
        "by-status",
        N_("Requirements by status"),
        N_("How many requirements are in each status of the workflow."),
        N_("Status"),
    ),
    (
        "by-type",
        N_("Requirements by type"),
        N_("How many requirements there are of each type."),
        N_("Type"),
    ),
    (
        "by-p-level",
        N_("Requirements by P-level"),
        N_("How many requirements there are at each P-level, P0 the most urgent."),
        N_("P-level"),
    ),
    (
        "by-kano",
        N_("Requirements by Kano category"),
        N_("How many requirements fall in each Kano category."),
        N_("Kano"),
    ),
)


def chart_text(gettext: Gettext) -> ChartText:
    """The words a chart shows around its data, in the language of `gettext`."""
    return ChartText(
        no_data=gettext(N_("No data")),
        count=gettext(N_("Count")),
        value=gettext(N_("Value")),
        cost=gettext(N_("Cost")),
        quadrant=gettext(N_("Quadrant")),
        requirements=gettext(N_("Requirements")),
        week=gettext(N_("Week")),
        done_in_week=gettext(N_("Done that week")),
        done_total=gettext(N_("Done in total")),
        lead_time_days=gettext(N_("Lead time (days)")),
        median=gettext(N_("median")),
        p90=gettext(N_("p90")),
        month=gettext(N_("Month")),
        done_in_month=gettext(N_("Done that month")),
    )


def _shown(chart: Chart, title: str) -> dict[str, Any]:
    """A chart as the template takes it: its heading and the two parts, as markup that
    charts.py has already escaped."""
    return {"title": title, "svg": Markup(chart.svg), "table": Markup(chart.table)}


SCATTER_CACHE = "value-cost-chart"


def _kept(store: CacheStore | None, points: list[ScatterPoint], make: partial[Chart]) -> Chart:
    """The value-cost chart (10,000 points drawn and escaped: a tenth of a second), kept in the
    `value-cost-chart` cache by a digest of its points and words: a status edit moves none."""
    if store is None:
        return make()
    words = (make.keywords, [(p.id, p.title, p.value, p.cost) for p in points])
    key = hashlib.blake2b(repr(words).encode("utf-8", "surrogatepass"), digest_size=16)
    kept = store.memo(
        SCATTER_CACHE, key.hexdigest(), fixed(str, str), lambda: tuple(astuple(make()))
    )
    return Chart(*kept)


def dashboard_charts(
    model: SiteModel,
    counts: Sequence[Sequence[tuple[str, int]]],
    gettext: Gettext,
) -> list[dict[str, Any]]:
    """The dashboard's charts, in page order: bars of status, type, P-level and Kano (from
    `counts`, those four rows of the dashboard context, in their order), the value-cost
    scatter and, when the history is available, requirements done over time and lead time by
    month beside it."""
    text = chart_text(gettext)
    charts = []
    for (chart_id, title, description, header), chart_rows in zip(_BARS, counts, strict=True):
        chart = bar_chart(
            dict(chart_rows),
            chart_id=chart_id,
            title=gettext(title),
            description=gettext(description),
            label_header=gettext(header),
            order=[label for label, _ in chart_rows],
            text=text,
        )
        charts.append(_shown(chart, gettext(title)))
    points = [
        ScatterPoint(e.req.id, e.req.title, *e.scores.value_cost)
        for e in model.catalog
        if e.scores.value_cost is not None and e.scores.quadrant is not None
    ]
    title = gettext(N_("Value and cost"))
    scatter = partial(
        value_cost_chart,
        points,
        chart_id="value-cost",
        title=title,
        description=gettext(
            N_(
                "Each requirement with a value and a cost, placed in its quadrant: quick-win, "
                "strategic, fill-in or avoid."
            )
        ),
        text=text,
    )
    charts.append(_shown(_kept(model.store, points, scatter), title))
    if model.history_stats is not None:
        title = gettext(N_("Requirements done over time"))
        done = done_over_time_chart(
            model.history_stats["throughput_per_week"],
            chart_id="done-over-time",
            title=title,
            description=gettext(N_("The number of requirements done, in total, week by week.")),
            text=text,
        )
        charts.append(_shown(done, title))
        title = gettext(N_("Lead time by month"))
        lead = lead_time_over_time_chart(
            model.history_stats["lead_time_per_month"],
            chart_id="lead-time-by-month",
            title=title,
            description=gettext(
                N_(
                    "Days from a requirement's first commit to done: the median and the p90 of "
                    "the requirements done in each month."
                )
            ),
            text=text,
        )
        charts.append(_shown(lead, title))
    return charts
