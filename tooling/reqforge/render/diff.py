"""The pull-request comment of `reqforge diff`: a ChangeSet as Markdown, all user text inert."""

# implements: REQ-304

from __future__ import annotations

import re
from typing import Any

from reqforge.changeset import FILE_FIELD, WORKING_TREE, ChangeSet
from reqforge.history import Change
from reqforge.i18n import Text, localize, plural_translator, translator
from reqforge.render.escaping import markdown_text
from reqforge.scalars import flow_text
from reqforge.site.urls import published_url

MARKER = "<!-- reqforge-diff -->"  # lets a CI job find and update its own comment
# Character budgets of the comment's sections (GitHub caps a comment at 65,536 characters).
TABLE_BUDGET = 24_000
DETAILS_BUDGET = 20_000
IMPACT_BUDGET = 12_000
MAX_VALUE = 80  # characters of a value shown in Markdown


def _value(value: Any) -> str:
    text = value if isinstance(value, str) else flow_text(value)
    return markdown_text(text, MAX_VALUE) or '""'


def _label(rev: str, language: str) -> str:
    """A revision for the summary line: a short sha in a code span, other text escaped."""
    if re.fullmatch(r"[0-9a-f]{40}", rev):
        return f"`{rev[:7]}`"
    if rev == WORKING_TREE:
        _ = translator(language)
        return markdown_text(_("working tree"))
    return markdown_text(rev)


def site_link(rid: str, base_url: str | None) -> str:
    """The ID, linked to its page on the published site when `base_url` is absolute."""
    text = markdown_text(rid)
    url = published_url(base_url, rid)
    return text if url is None else f"[{text}]({url})"


def _summary_of(change: Change, language: str) -> str:
    """A change in a table cell: the field name, with a status transition spelled out."""
    _ = translator(language)
    if change.field == "status":
        return f"status: {_value(change.old)} → {_value(change.new)}"
    if change.field == "path":
        return _("moved")
    if change.field == FILE_FIELD:
        return _("file unparseable") if change.new != "ok" else _("file repaired")
    return markdown_text(change.field)


def _detail_of(change: Change, language: str) -> str:
    """A change as one list item: old → new, the body as line counts."""
    _ = translator(language)
    if change.added is not None or change.removed is not None:
        return _("- **body**: +{added} −{removed} lines").format(
            added=change.added or 0, removed=change.removed or 0
        )
    name = _("moved") if change.field == "path" else markdown_text(change.field)
    if change.old is None:
        return _("- **{field}**: set to {new}").format(field=name, new=_value(change.new))
    if change.new is None:
        return _("- **{field}**: removed (was {old})").format(field=name, old=_value(change.old))
    return f"- **{name}**: {_value(change.old)} → {_value(change.new)}"


def _reformatted(changeset: ChangeSet, language: str) -> str:
    _ = translator(language)
    ids = ", ".join(markdown_text(rid) for rid in changeset.reformatted[:200])
    more = len(changeset.reformatted) - 200
    if more > 0:
        return _("Reformatted only (no field or body change): {ids} and {count} more.").format(
            ids=ids, count=more
        )
    return _("Reformatted only (no field or body change): {ids}.").format(ids=ids)


def _not_compared(changeset: ChangeSet, language: str) -> list[str]:
    """The files left out of the comparison, each with why (unreadable, another repository)."""
    _ = translator(language)
    return [
        _("- Not compared: {path} ({why})").format(
            path=markdown_text(path), why=markdown_text(localize(why, language))
        )
        for path, why in changeset.not_compared.items()
    ]


# implements: REQ-304
def not_compared_notes(changeset: ChangeSet) -> list[Text]:
    """One warning line per file left out of the comparison, for stderr (the command says it
    in its language)."""
    return [
        Text("warning: {path}: {why}; not compared", path=path, why=why)
        for path, why in changeset.not_compared.items()
    ]


def _within(blocks: list[list[str]], budget: int, rest_note: str) -> list[str]:
    """The blocks (lists of lines) that fit in `budget` characters, then `rest_note` (with the
    number of blocks left out as `{count}`)."""
    out: list[str] = []
    used = 0
    for number, block in enumerate(blocks):
        size = sum(len(line) + 1 for line in block)
        if used + size > budget:
            return [*out, "", rest_note.format(count=len(blocks) - number)]
        out += block
        used += size
    return out


# implements: REQ-304
def render_markdown(
    changeset: ChangeSet,
    base: str,
    head: str,
    base_url: str | None = None,
    language: str = "en",
) -> str:
    """A pull-request comment: summary line, a table of changed requirements, collapsible
    field changes per modified requirement, and the impact set with the reason for each.

    `base` and `head` are shas (shown short) or labels such as "working tree"; `base_url` is
    the published site's address (IDs link to `<base_url>requirements/<ID>.html` when it is an
    absolute http(s) URL). All user text is escaped. Each section has a character budget so
    the comment stays under GitHub's 65,536-character limit; the summary counts everything.
    Its words are in `language`.
    """
    _, ngettext = translator(language), plural_translator(language)
    revisions = {"base": _label(base, language), "head": _label(head, language)}
    if not changeset:
        lines = [MARKER, _("No requirement changes between {base} and {head}.").format(**revisions)]
        if changeset.reformatted:
            lines.append(f"\n{_reformatted(changeset, language)}")
        if changeset.not_compared:
            lines += ["", *_not_compared(changeset, language)]
        return "\n".join(lines) + "\n"

    counts = _("{added} added, {removed} removed, {modified} modified, {impacted} impacted").format(
        added=len(changeset.added),
        removed=len(changeset.removed),
        modified=len(changeset.modified),
        impacted=len(changeset.impacted),
    )
    titles = changeset.titles
    summary = _("**{counts}** between {base} and {head}").format(counts=counts, **revisions)
    lines = [MARKER, _("### Requirement changes"), "", summary, ""]
    lines += [_("| ID | Title | Change |"), "|---|---|---|"]

    def row(rid: str, what: str) -> str:
        title = markdown_text(titles.get(rid, ""), 120)
        return f"| {site_link(rid, base_url)} | {title} | {what} |"

    rows = [(s.id, row(s.id, _("added"))) for s in changeset.added]
    rows += [(s.id, row(s.id, _("removed"))) for s in changeset.removed]
    rows += [
        (m.id, row(m.id, ", ".join(_summary_of(change, language) for change in m.changes)))
        for m in changeset.modified
    ]
    rest = _(
        "…and {count} more changed requirements: run `reqforge diff --format json` for all of them."
    )
    lines += _within([[text] for _rid, text in sorted(rows)], TABLE_BUDGET, rest)

    if changeset.modified:
        lines += ["", _("#### Field changes"), ""]
        details = []
        for modification in changeset.modified:
            rid = markdown_text(modification.id)
            title = markdown_text(titles.get(modification.id, ""), 120)
            details.append(
                [
                    f"<details><summary><b>{rid}</b> {title}</summary>",
                    "",
                    *(_detail_of(change, language) for change in modification.changes),
                    "",
                    "</details>",
                    "",
                ]
            )
        rest = _(
            "…and {count} more modified requirements: run `reqforge diff --format json` "
            "for all of them."
        )
        lines += _within(details, DETAILS_BUDGET, rest)
        while lines[-1] == "":
            lines.pop()

    if changeset.impacted:
        away = ngettext(
            "Requirements linking to a changed one (up to {count} step away):",
            "Requirements linking to a changed one (up to {count} steps away):",
            changeset.depth,
        )
        lines += [
            "",
            _("#### Impact"),
            "",
            away.format(count=changeset.depth),
            "",
            _("| ID | Title | Why |"),
            "|---|---|---|",
        ]
        impact_rows = []
        for item in changeset.impacted:
            title = markdown_text(titles.get(item.id, ""), 120)
            link = {
                "relation": markdown_text(item.relation),
                "id": markdown_text(item.through),
            }
            if item.distance == 1:
                why = _("its {relation} {id} changed").format(**link)
            else:
                why = _("its {relation} {id} is impacted by {via} ({count} steps)").format(
                    via=markdown_text(item.via), count=item.distance, **link
                )
            impact_rows.append([f"| {site_link(item.id, base_url)} | {title} | {why} |"])
        rest = _(
            "…and {count} more impacted requirements: run `reqforge diff --format json` "
            "for all of them."
        )
        lines += _within(impact_rows, IMPACT_BUDGET, rest)

    if changeset.reformatted:
        lines += ["", _reformatted(changeset, language)]
    if changeset.not_compared:
        lines += ["", *_not_compared(changeset, language)]
    return "\n".join(lines) + "\n"
