"""The pull-request comment of `reqforge diff`: a ChangeSet as Markdown, all user text inert."""

# implements: REQ-304

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from reqforge.changeset import FILE_FIELD, ChangeSet
from reqforge.history import Change
from reqforge.render.escaping import markdown_text
from reqforge.scalars import flow_text

MARKER = "<!-- reqforge-diff -->"  # lets a CI job find and update its own comment
# Character budgets of the comment's sections (GitHub caps a comment at 65,536 characters).
TABLE_BUDGET = 24_000
DETAILS_BUDGET = 20_000
IMPACT_BUDGET = 12_000
MAX_VALUE = 80  # characters of a value shown in Markdown


def _value(value: Any) -> str:
    text = value if isinstance(value, str) else flow_text(value)
    return markdown_text(text, MAX_VALUE) or '""'


def _label(rev: str) -> str:
    """A revision for the summary line: a short sha in a code span, other text escaped."""
    if re.fullmatch(r"[0-9a-f]{40}", rev):
        return f"`{rev[:7]}`"
    return markdown_text(rev)


def site_link(rid: str, base_url: str | None) -> str:
    """The ID, linked to its page on the published site when `base_url` is absolute."""
    text = markdown_text(rid)
    if not base_url or not re.match(r"https?://[^\s<>()]+$", base_url):
        return text
    url = base_url.rstrip("/") + "/requirements/" + quote(rid, safe="") + ".html"
    return f"[{text}]({url})"


def _summary_of(change: Change) -> str:
    """A change in a table cell: the field name, with a status transition spelled out."""
    if change.field == "status":
        return f"status: {_value(change.old)} → {_value(change.new)}"
    if change.field == "path":
        return "moved"
    if change.field == FILE_FIELD:
        return "file " + ("unparseable" if change.new != "ok" else "repaired")
    return markdown_text(change.field)


def _detail_of(change: Change) -> str:
    """A change as one list item: old → new, the body as line counts."""
    if change.added is not None or change.removed is not None:
        return f"- **body**: +{change.added or 0} −{change.removed or 0} lines"
    name = "moved" if change.field == "path" else markdown_text(change.field)
    if change.old is None:
        return f"- **{name}**: set to {_value(change.new)}"
    if change.new is None:
        return f"- **{name}**: removed (was {_value(change.old)})"
    return f"- **{name}**: {_value(change.old)} → {_value(change.new)}"


def _reformatted(changeset: ChangeSet) -> str:
    ids = ", ".join(markdown_text(rid) for rid in changeset.reformatted[:200])
    more = len(changeset.reformatted) - 200
    tail = f" and {more} more" if more > 0 else ""
    return f"Reformatted only (no field or body change): {ids}{tail}."


def _not_compared(changeset: ChangeSet) -> list[str]:
    """The files left out of the comparison, each with why (unreadable, another repository)."""
    return [
        f"- Not compared: {markdown_text(path)} ({markdown_text(why)})"
        for path, why in changeset.not_compared.items()
    ]


# implements: REQ-304
def not_compared_notes(changeset: ChangeSet) -> list[str]:
    """One warning line per file left out of the comparison, for stderr."""
    return [f"warning: {path}: {why}; not compared" for path, why in changeset.not_compared.items()]


def _within(blocks: list[list[str]], budget: int, what: str) -> list[str]:
    """The blocks (lists of lines) that fit in `budget` characters, then a note on the rest."""
    out: list[str] = []
    used = 0
    for number, block in enumerate(blocks):
        size = sum(len(line) + 1 for line in block)
        if used + size > budget:
            rest = len(blocks) - number
            note = f"…and {rest} more {what}: run `reqforge diff --format json` for all of them."
            return [*out, "", note]
        out += block
        used += size
    return out


# implements: REQ-304
def render_markdown(changeset: ChangeSet, base: str, head: str, base_url: str | None = None) -> str:
    """A pull-request comment: summary line, a table of changed requirements, collapsible
    field changes per modified requirement, and the impact set with the reason for each.

    `base` and `head` are shas (shown short) or labels such as "working tree"; `base_url` is
    the published site's address (IDs link to `<base_url>requirements/<ID>.html` when it is an
    absolute http(s) URL). All user text is escaped. Each section has a character budget so
    the comment stays under GitHub's 65,536-character limit; the summary counts everything.
    """
    between = f"between {_label(base)} and {_label(head)}"
    if not changeset:
        lines = [MARKER, f"No requirement changes {between}."]
        if changeset.reformatted:
            lines.append(f"\n{_reformatted(changeset)}")
        if changeset.not_compared:
            lines += ["", *_not_compared(changeset)]
        return "\n".join(lines) + "\n"

    counts = (
        f"{len(changeset.added)} added, {len(changeset.removed)} removed, "
        f"{len(changeset.modified)} modified, {len(changeset.impacted)} impacted"
    )
    titles = changeset.titles
    lines = [MARKER, "### Requirement changes", "", f"**{counts}** {between}", ""]
    lines += ["| ID | Title | Change |", "|---|---|---|"]

    def row(rid: str, what: str) -> str:
        title = markdown_text(titles.get(rid, ""), 120)
        return f"| {site_link(rid, base_url)} | {title} | {what} |"

    rows = [(s.id, row(s.id, "added")) for s in changeset.added]
    rows += [(s.id, row(s.id, "removed")) for s in changeset.removed]
    rows += [
        (m.id, row(m.id, ", ".join(_summary_of(change) for change in m.changes)))
        for m in changeset.modified
    ]
    lines += _within([[text] for _, text in sorted(rows)], TABLE_BUDGET, "changed requirements")

    if changeset.modified:
        lines += ["", "#### Field changes", ""]
        details = []
        for modification in changeset.modified:
            rid = markdown_text(modification.id)
            title = markdown_text(titles.get(modification.id, ""), 120)
            details.append(
                [
                    f"<details><summary><b>{rid}</b> {title}</summary>",
                    "",
                    *(_detail_of(change) for change in modification.changes),
                    "",
                    "</details>",
                    "",
                ]
            )
        lines += _within(details, DETAILS_BUDGET, "modified requirements")
        while lines[-1] == "":
            lines.pop()

    if changeset.impacted:
        plural = "step" if changeset.depth == 1 else "steps"
        lines += [
            "",
            "#### Impact",
            "",
            f"Requirements linking to a changed one (up to {changeset.depth} {plural} away):",
            "",
            "| ID | Title | Why |",
            "|---|---|---|",
        ]
        impact_rows = []
        for item in changeset.impacted:
            title = markdown_text(titles.get(item.id, ""), 120)
            why = f"its {markdown_text(item.relation)} {markdown_text(item.through)}"
            if item.distance == 1:
                why += " changed"
            else:
                why += f" is impacted by {markdown_text(item.via)} ({item.distance} steps)"
            impact_rows.append([f"| {site_link(item.id, base_url)} | {title} | {why} |"])
        lines += _within(impact_rows, IMPACT_BUDGET, "impacted requirements")

    if changeset.reformatted:
        lines += ["", _reformatted(changeset)]
    if changeset.not_compared:
        lines += ["", *_not_compared(changeset)]
    return "\n".join(lines) + "\n"
