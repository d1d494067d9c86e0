"""Figures about the backlog: counts, fulfilment, overdue items, customer satisfaction and what
each customer asked for. Pure functions over the catalogue; the history feature adds lead
times, SLA breaches, ageing and throughput from git.

Fulfilment rate = done / (all requirements that are not rejected or duplicate): a rejected or
duplicated request was answered, not fulfilled, and should not count against the team.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from collections.abc import Callable, Iterable
from operator import itemgetter
from typing import Any

from reqforge.catalog import Catalog, Entry
from reqforge.checks.ears import ears_counts

GROUPINGS = ("customer", "channel", "owner", "team")
# answered, not fulfilled: outside the rate's base
_NOT_COUNTED = ("rejected", "duplicate", "out-of-scope")


def _counts(values: Iterable[Any]) -> dict[str, int]:
    counts = Counter("(none)" if v is None else str(v) for v in values)
    return dict(sorted(counts.items()))


def acceptance_criteria(entries: Iterable[Entry]) -> Iterable[str]:
    """Every acceptance criterion written as text, requirement by requirement."""
    for entry in entries:
        acceptance = entry.req.data.get("acceptance")
        if isinstance(acceptance, list):
            yield from (a for a in acceptance if isinstance(a, str))


def _in_order(counts: dict[str, int], order: Iterable[str]) -> dict[str, int]:
    """The counts with the keys of `order` first, in that order (statuses in workflow order,
    as people read a board), then any other key as before."""
    first = {key: counts[key] for key in order if key in counts}
    return {**first, **{k: v for k, v in counts.items() if k not in first}}


# implements: REQ-310
def fulfilment_rate(entries: Iterable[Entry], done: str = "done") -> float | None:
    """done / all not rejected or duplicate, rounded to 3 places; None when nothing counts."""
    return _fulfilment((e.req.status for e in entries), done)


def _fulfilment(statuses: Iterable[str | None], done: str = "done") -> float | None:
    base = [status for status in statuses if status not in _NOT_COUNTED]
    if not base:
        return None
    return round(sum(1 for status in base if status == done) / len(base), 3)


# implements: REQ-310
def satisfaction(entries: Iterable[Entry]) -> dict[str, Any]:
    """Mean of `feedback.satisfaction` (1-5) over the requirements that recorded one."""
    return _satisfaction(e.req.get("feedback.satisfaction") for e in entries)


def _satisfaction(values: Iterable[object]) -> dict[str, Any]:
    scores = [s for s in values if type(s) is int and 1 <= s <= 5]
    mean = round(statistics.fmean(scores), 2) if scores else None
    return {"mean": mean, "responses": len(scores)}


def overdue(catalog: Catalog, today: dt.date) -> list[str]:
    """IDs whose `due` has passed while the status is not terminal, sorted."""
    terminal = catalog.config.workflow.terminal
    return sorted(
        e.req.id
        for e in catalog
        if e.req.due is not None and e.req.due < today and e.req.status not in terminal
    )


def _group_keys(entry: Entry, by: str) -> list[str]:
    if by == "customer":
        return list(dict.fromkeys(entry.req.customers)) or ["(none)"]
    value = entry.value({"channel": "source.channel"}.get(by, by))
    return [value if isinstance(value, str) and value else "(none)"]


def grouped(catalog: Catalog, by: str, today: dt.date) -> dict[str, dict[str, Any]]:
    """Per group (customer, channel, owner or team): counts, fulfilment, satisfaction,
    overdue items, and every requirement with its status."""
    # What each requirement shows in a group, read once however many groups it is in.
    groups: dict[str, list[tuple[str, str, str | None, dt.date | None, object]]] = {}
    for entry in catalog:
        req = entry.req
        shown = (req.id, req.title, req.status, req.due, req.get("feedback.satisfaction"))
        for key in _group_keys(entry, by):
            groups.setdefault(key, []).append(shown)
    terminal = catalog.config.workflow.terminal
    result: dict[str, dict[str, Any]] = {}
    for key in sorted(groups):
        members = sorted(groups[key], key=itemgetter(0))
        statuses = [status for _, _, status, _, _ in members]
        group: dict[str, Any] = {}
        if by == "customer" and key in catalog.repository.customers:
            customer = catalog.repository.customers[key]
            group.update(
                {"name": customer.name, "tier": customer.tier, "industry": customer.industry}
            )
        group.update(
            {
                "requested": len(members),
                "done": statuses.count("done"),
                "open": sum(1 for status in statuses if status not in terminal),
                "fulfilment_rate": _fulfilment(statuses),
                "satisfaction": _satisfaction(mood for *_, mood in members),
                "overdue": [
                    rid
                    for rid, _, status, due, _ in members
                    if due and due < today and status not in terminal
                ],
                "by_status": _counts(statuses),
                "requirements": [
                    {"id": rid, "title": title, "status": status}
                    for rid, title, status, _, _ in members
                ],
            }
        )
        result[key] = group
    return result


# implements: REQ-310
def backlog_stats(
    catalog: Catalog, today: dt.date, by: str | None = None, history: Any = None
) -> dict[str, Any]:
    """The `stats --format json` document (SPEC section 5), plus `acceptance_by_ears_kind`:
    acceptance criteria (not requirements) counted by EARS kind. The git-based figures (lead
    time, response time, SLA breaches, ageing, throughput) are null without history."""
    entries = list(catalog)

    def count(value: Callable[[Entry], Any]) -> dict[str, int]:
        return _counts(value(e) for e in entries)

    document: dict[str, Any] = {
        "requirements": len(entries),
        "by_status": _in_order(count(lambda e: e.req.status), catalog.value_order("status")),
        "by_type": count(lambda e: e.req.type),
        "by_p_level": count(lambda e: e.scores.p_level),
        "by_quadrant": count(lambda e: e.scores.quadrant),
        "by_kano": count(lambda e: e.scores.kano),
        "by_channel": count(lambda e: e.value("channel")),
        "by_customer": _counts(c for e in entries for c in dict.fromkeys(e.req.customers)),
        "acceptance_by_ears_kind": ears_counts(acceptance_criteria(entries)),
        "fulfilment_rate": fulfilment_rate(entries),
        "lead_time_days": None,  # from git history
        "sla_breaches": None,  # from git history
        "overdue": overdue(catalog, today),
        "satisfaction": satisfaction(entries),
        "customers": grouped(catalog, "customer", today),
    }
    if history is not None and history.available:
        document.update(history_stats(catalog, history, today))
    else:
        document.update(
            {
                "response_time_hours": None,
                "ageing_days": None,
                "throughput_per_week": None,
                "lead_time_per_month": None,
            }
        )
    if by is not None:
        document["by"] = by
        document["groups"] = grouped(catalog, by, today)
    return document


# --- figures from git history ------------------------------------------------------------------


def _when(date: str) -> dt.datetime:
    return dt.datetime.fromisoformat(date.replace("Z", "+00:00"))


def _percentiles(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"median": None, "p90": None}
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, max(0, round(0.9 * len(ordered)) - 1))]
    return {"median": round(statistics.median(ordered), 2), "p90": round(p90, 2)}


# What `history_stats` reads of one requirement's history, whatever the date: when it was
# first committed, when it was first done (with that month and ISO week), the status it was
# first committed with, and when it first entered another (POSIX seconds).
StatusFacts = tuple[float, float | None, str, str, str | None, float | None]


def status_facts(history: Any, rid: str) -> StatusFacts | None:
    """`StatusFacts` of `rid`, or None when no commit touched it."""
    first, entered = history.status_history(rid)
    if first is None:
        return None
    created = _when(first)
    timeline = [(_when(date), status) for date, status in entered]
    done_at = next((when for when, status in timeline if status == "done"), None)
    opening = timeline[0][1] if timeline else None
    answered = next((when for when, status in timeline[1:] if status != opening), None)
    month = week = ""
    if done_at is not None:
        year, number, _ = done_at.isocalendar()
        month, week = f"{done_at:%Y-%m}", f"{year}-W{number:02d}"
    return (
        created.timestamp(),
        None if done_at is None else done_at.timestamp(),
        month,
        week,
        opening,
        None if answered is None else answered.timestamp(),
    )


# implements: REQ-009
# implements: REQ-306
# implements: REQ-310
def history_stats(
    catalog: Catalog,
    history: Any,
    today: dt.date,
    facts: Callable[[str], StatusFacts | None] | None = None,
) -> dict[str, Any]:
    """Lead time (first commit to done), response time (proposed to the next status) against
    [workflow.sla] by urgency, SLA breaches (answered late, or still unanswered past the SLA
    as of `today`), ageing of open items, throughput (requirements done) per ISO week, and
    lead time per month (median and p90 of the requirements done that month). `facts`: each
    requirement's `status_facts`, when the caller keeps them."""
    sla = catalog.config.workflow.sla_hours
    terminal = catalog.config.workflow.terminal
    now = dt.datetime.combine(today, dt.time(23, 59, 59), tzinfo=dt.timezone.utc).timestamp()
    facts_of = facts or (lambda rid: status_facts(history, rid))
    lead: list[float] = []
    response: list[float] = []
    ages: list[float] = []
    breaches: list[str] = []
    throughput: Counter[str] = Counter()
    lead_by_month: dict[str, list[float]] = {}
    for entry in catalog:
        req = entry.req
        found = facts_of(req.id)
        if found is None:
            continue
        created, done_at, month, week, first, answered = found
        status = req.status
        if done_at is not None and status == "done":
            lead.append((done_at - created) / 86400)
            lead_by_month.setdefault(month, []).append(lead[-1])
            throughput[week] += 1
        urgency = req.get("priority.urgency")
        limit = sla.get(urgency) if isinstance(urgency, str) else None
        if first == "proposed" or (first is None and status == "proposed"):
            waited = ((now if answered is None else answered) - created) / 3600
            if answered is not None:
                response.append(waited)
            if (
                limit is not None
                and waited > limit
                and (answered is not None or status == "proposed")
            ):
                breaches.append(req.id)
        if status not in terminal:
            ages.append((now - created) / 86400)
    buckets = Counter(
        "0-7 days" if a < 7 else "7-30 days" if a < 30 else "30-90 days" if a < 90 else "90+ days"
        for a in ages
    )
    return {
        "lead_time_days": _percentiles(lead),
        "response_time_hours": _percentiles(response),
        "sla_breaches": sorted(breaches),
        "ageing_days": {
            **_percentiles(ages),
            "open": len(ages),
            "buckets": dict(sorted(buckets.items())),
        },
        "throughput_per_week": dict(sorted(throughput.items())),
        "lead_time_per_month": {
            month: {**_percentiles(days), "done": len(days)}
            for month, days in sorted(lead_by_month.items())
        },
    }
