"""Workflow checks: RF302 (fields a status requires), RF402 (acceptance criteria once
accepted), RF404 (five whys for P0/P1), RF405 (overdue)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING

from reqforge.checks.context import CheckContext, Issue
from reqforge.i18n import Text, plural_translator
from reqforge.model import Finding, Requirement
from reqforge.priorities import p_level

if TYPE_CHECKING:
    from reqforge.checks.families import CheckRun
    from reqforge.config import Workflow


def present(value: object) -> bool:
    """Whether a field a status requires is there: not absent, null or empty."""
    return value not in (None, "", [], {})


# implements: REQ-006
def transition_refusal(workflow: Workflow, old: str, new: str) -> str | None:
    """None when the workflow allows `old` -> `new`; else what it allows from `old` (a status
    without transitions is final). RF301 (`check --base`) and `set` both ask this."""
    allowed = workflow.transitions.get(old, ())
    if new in allowed:
        return None
    return ", ".join(allowed) if allowed else Text("nothing ('{status}' is final)", status=old)


# implements: REQ-006
# implements: REQ-106
def workflow_issues(req: Requirement, ctx: CheckContext) -> Iterator[Issue]:
    """RF302, RF402 and RF404 for one requirement."""
    status = req.status
    wf = ctx.config.workflow
    if status is None:
        return
    for name in wf.requires.get(status, ()):
        if not present(req.get(name)):
            parent = tuple(name.split("."))[:-1]
            yield Issue(
                "RF302",
                parent or ("status",),
                Text("status '{status}' requires '{field}'", status=status, field=name),
                on_value=not parent,
            )
    if (
        status in wf.committed
        and not req.acceptance
        and "acceptance" not in wf.requires.get(status, ())
    ):
        yield Issue(
            "RF402",
            ("status",),
            Text(
                "status '{status}' but no acceptance criteria: "
                "add `acceptance:` with testable sentences",
                status=status,
            ),
            on_value=True,
        )
    if status not in wf.terminal and _p_level(req) in ("P0", "P1"):
        whys = req.get("analysis.five-whys")
        if not (isinstance(whys, list) and whys):
            yield Issue(
                "RF404",
                ("priority", "importance"),
                Text(
                    "{level} requirement without `analysis.five-whys` (root-cause chain)",
                    level=_p_level(req),
                ),
                on_value=True,
            )


def _p_level(req: Requirement) -> str | None:
    return p_level(req.get("priority.importance"), req.get("priority.urgency"))


# implements: REQ-106
def overdue_issue(req: Requirement, ctx: CheckContext, today: dt.date) -> Issue | None:
    """RF405 when `due` has passed and the status is not terminal."""
    due = req.due
    if due is None or due >= today or req.status in ctx.config.workflow.terminal:
        return None
    days = (today - due).days
    ngettext = plural_translator(ctx.config.language)
    message = ngettext(
        "overdue by {days} day (due {due}, status '{status}')",
        "overdue by {days} days (due {due}, status '{status}')",
        days,
    )
    return Issue(
        "RF405",
        ("due",),
        message.format(days=days, due=due.isoformat(), status=req.status),
        on_value=True,
    )


def overdue_findings(run: CheckRun) -> list[Finding]:
    """The overdue family (external: it reads the date): RF405 for every overdue requirement."""
    corpus = run.corpus
    findings = []
    for req in corpus.repository.requirements:
        issue = overdue_issue(req, corpus.context, run.today)
        if issue is not None:
            findings.append(corpus.locate(req, issue))
    return findings
