"""`show`: one requirement as text (fields, priorities, links, impact, trace, body) or JSON."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

import click

from reqforge.checks.ears import ears_kind
from reqforge.i18n import N_, plural_translator, translator
from reqforge.priorities import METHODS
from reqforge.render.escaping import terminal_block, terminal_text
from reqforge.render.tables import cell
from reqforge.scalars import dotted_leaves

if TYPE_CHECKING:
    from reqforge.catalog import RequirementView
    from reqforge.trace import TraceItem

SHOW_IMPACT = 12  # IDs listed per step in the text of `show`
TRACE_KEYS = ("implemented", "verified", "missing", "suspect")
# The EARS kinds (checks/ears.py KINDS) as `show` labels them, for the catalogs.
EARS_LABELS = {
    "ubiquitous": N_("ubiquitous"),
    "event": N_("event"),
    "state": N_("state"),
    "unwanted": N_("unwanted"),
    "optional": N_("optional"),
    "complex": N_("complex"),
}


def acceptance_ears(data: Any) -> list[str | None] | None:
    """The EARS kind of each acceptance criterion of a requirement's fields (None for one in
    no EARS shape, or not text), or None when it has no list of criteria."""
    acceptance = data.get("acceptance")
    if not isinstance(acceptance, list):
        return None
    return [ears_kind(a) if isinstance(a, str) else None for a in acceptance]


# implements: REQ-706
def show_json(view: RequirementView, trace: TraceItem | None = None) -> dict[str, Any]:
    """The `--format json` document of `show`: the entry's JSON, the EARS kind of each
    acceptance criterion (`acceptance_ears`, when it has a list of them), every impacted
    requirement, the trace's markers and results (when [trace] is configured), the body."""
    from reqforge.catalog import entry_json

    document = entry_json(view.entry)
    kinds = acceptance_ears(view.entry.req.data)
    if kinds is not None:
        document["acceptance_ears"] = kinds
    document["impacted"] = [
        {"id": i.id, "relation": i.relation, "through": i.through, "distance": i.distance}
        for i in view.impact
    ]
    if trace is not None:
        item = trace.to_json()
        document["trace"] = {key: item[key] for key in TRACE_KEYS}
    document["body"] = view.body
    return document


# implements: REQ-706
def render_show(
    view: RequirementView,
    trace: TraceItem | None = None,
    color: bool = False,
    language: str = "en",
) -> str:
    """The text of `show`: a heading, fields (each acceptance criterion followed by its EARS
    kind in brackets when it has one), priorities, links, what a change reaches (the
    requirements whose links lead here, step by step), the trace when [trace] is configured,
    then the body; headings in bold when `color`, labels in `language`. Every piece of data is
    escaped for the terminal (render/escaping.py)."""
    _, ngettext = translator(language), plural_translator(language)

    def heading(text: str) -> str:
        return click.style(text, bold=True) if color else text

    def joined(values: Any) -> str:
        return terminal_text(", ".join(map(str, values)))

    entry, impact, body = view.entry, view.impact, view.body
    req = entry.req
    lines = [heading(terminal_text(f"{req.id}  {req.title}")), terminal_text(req.path), ""]
    skip = {"id", "title", "links"}
    fields = [
        (terminal_text(k), v)
        for k, v in dotted_leaves(dict(req.data))
        if k.split(".")[0] not in skip
    ]
    width = max((len(k) for k, _ in fields), default=0)
    lines.append(heading(_("Fields")))
    for key, value in fields:
        if (
            isinstance(value, list)
            and value
            and all(isinstance(v, str) for v in value)
            and key in ("acceptance", "analysis.five-whys")
        ):
            lines.append(f"  {key}:")
            for v in value:
                # A criterion in no EARS shape gets no label: most teams do not use EARS.
                kind = ears_kind(v) if key == "acceptance" else None
                label = f"  [{_(EARS_LABELS[kind])}]" if kind else ""
                lines.append(f"    - {terminal_text(v)}{label}")
        else:
            lines.append(f"  {key.ljust(width)}  {cell(value)}")
    scores = entry.scores
    lines += ["", heading(_("Priorities"))]
    ice = f"{scores.ice_score} ({scores.ice_level})" if scores.ice_score is not None else None
    for method in METHODS:  # the ICE score shows its level too
        value = ice if method.name == "ice" else method.score(scores)
        label = _(method.label)  # the names of methods (ICE, RICE, ...) are the same in Chinese
        lines.append(f"  {label:<10}  {cell(value) or '-'}")
    if entry.blocking:
        blocking = _("{ids} (a P0 depends on this)").format(ids=joined(entry.blocking))
        label = _("blocking")
        lines.append(f"  {label:<10}  {blocking}")
    for reason in entry.disagreements:
        lines.append("  " + _("disagreement: {reason}").format(reason=terminal_text(reason)))
    lines += ["", heading(_("Links"))]
    links = {relation: list(t) for relation, t in req.links.items() if t}
    links["children"] = list(entry.children)
    links["depended-on-by"] = list(entry.depended_on_by)
    shown = False
    for relation, targets in links.items():
        if targets:
            shown = True
            lines.append(f"  {terminal_text(relation):<15} {joined(targets)}")
    none = "  " + _("(none)")
    if not shown:
        lines.append(none)
    title = (
        _("Impact of a change (requirements whose links lead here: {count})").format(
            count=len(impact)
        )
        if impact
        else _("Impact of a change (requirements whose links lead here)")
    )
    lines += ["", heading(title)]
    by_distance: dict[int, list[str]] = {}
    for item in impact:
        by_distance.setdefault(item.distance, []).append(item.id)
    for distance, ids in by_distance.items():
        label = ngettext("{count} step", "{count} steps", distance).format(count=distance)
        listed = joined(ids[:SHOW_IMPACT])
        if len(ids) > SHOW_IMPACT:  # every one in --format json
            listed += " " + _("+{count} more").format(count=len(ids) - SHOW_IMPACT)
        lines += textwrap.wrap(
            listed, 100, initial_indent=f"  {label:<9} ", subsequent_indent=" " * 12
        )
    if not impact:
        lines.append(none)
    if trace is not None:
        lines += ["", heading(_("Trace"))]
        places = [f"{m.path}:{m.line}" for m in trace.implemented]
        tests = [f"{test} ({result})" for test, result in trace.tests().items()]
        changed = _("{id} (changed in {commit})")
        for label, values in (
            (_("implemented"), places),
            (_("verified"), tests),
            (_("missing"), list(trace.missing)),
            (_("suspect"), [changed.format(id=t, commit=since[:10]) for t, since in trace.suspect]),
        ):
            if values:
                lines.append(f"  {label:<12} {terminal_text(values[0])}")
                lines += [f"  {'':<12} {terminal_text(value)}" for value in values[1:]]
        if not (places or tests or trace.missing or trace.suspect):
            lines.append("  " + _("(no marker)"))
    if body.strip():
        lines += ["", heading(_("Body")), terminal_block(body.rstrip())]
    return "\n".join(lines)
