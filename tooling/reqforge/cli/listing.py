"""`reqforge list` and `reqforge show`: ask the repository a question from the terminal."""

from __future__ import annotations

import difflib
import json
import textwrap
from collections.abc import Sequence
from typing import Any

import click

from reqforge.cli.selection import (
    FILTER_HELP,
    csv_or_table,
    emit,
    format_option,
    load_catalog,
    output_color,
    select,
    sort_entries,
)
from reqforge.errors import ReqforgeError
from reqforge.render.tables import Column, cell, json_document

LIST_COLUMNS = [
    ("id", Column("ID", keep=9)),
    ("title", Column("Title", wrap=True, min_width=20, keep=9)),
    ("status", Column("Status", keep=8)),
    ("type", Column("Type", keep=4)),
    ("owner", Column("Owner", keep=5)),
    ("p_level", Column("P", keep=7)),
    ("due", Column("Due", keep=6)),
    ("area", Column("Area", keep=3)),
]


# implements: REQ-706
@click.command("list")
@click.option("--filter", "expression", metavar="EXPR", help=FILTER_HELP)
@click.option(
    "--sort",
    "sort_keys",
    metavar="KEYS",
    help="Sort by fields, e.g. 'p_level,-ice.score' ('-' for descending). Default: ID.",
)
@format_option("table", "json", "csv")
@click.pass_obj
def list_command(state: Any, expression: str | None, sort_keys: str | None, fmt: str) -> None:
    """List requirements, optionally filtered and sorted."""
    from reqforge.catalog import entry_json

    catalog = load_catalog(state)
    entries = sort_entries(catalog, select(catalog, expression), sort_keys)
    if fmt == "json":
        emit(json_document({"count": len(entries)}, "items", [entry_json(e) for e in entries]))
        return
    headers = [name for name, _ in LIST_COLUMNS]
    rows = [[e.value(name) for name in headers] for e in entries]
    emit(
        csv_or_table(fmt, headers, rows, [c for _, c in LIST_COLUMNS]),
        color=fmt == "table" and output_color(),
    )
    state.note(f"{len(entries)} of {len(catalog)} requirements")


# implements: REQ-706
@click.command("show")
@click.argument("requirement_id", metavar="ID")
@format_option("text", "json")
@click.pass_obj
def show_command(state: Any, requirement_id: str, fmt: str) -> None:
    """Show one requirement: every field, computed priorities, links both ways, what a change
    to it reaches (the requirements whose links lead to it, transitively), its trace when
    [trace] is configured (code, tests and results, missing kinds, suspect links), the body."""
    from reqforge.catalog import entry_json

    catalog = load_catalog(state)
    entry = catalog.by_id.get(requirement_id) or catalog.by_id.get(requirement_id.upper())
    if entry is None:
        wanted = requirement_id.upper()
        close = sorted(i for i in catalog.by_id if wanted in i)[:5]
        close += [
            c
            for c in difflib.get_close_matches(wanted, list(catalog.by_id), n=3, cutoff=0.8)
            if c not in close
        ]
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise ReqforgeError(f"no requirement {requirement_id!r}{hint}")
    from reqforge.graph import impacted

    body = _body(catalog.config.root / entry.req.path)
    links = {e.req.id: e.req.links for e in catalog}
    impact = impacted(links, [entry.req.id], depth=len(links))
    trace = None
    if catalog.config.trace.scan or catalog.config.trace.results:
        from reqforge.cli.trace import trace_report

        report = trace_report(state, catalog).only({entry.req.id})
        trace = report.items[0] if report.items else None
    if fmt == "json":
        document = entry_json(entry)
        document["impacted"] = [
            {"id": i.id, "relation": i.relation, "through": i.through, "distance": i.distance}
            for i in impact
        ]
        if trace is not None:
            item = trace.to_json()
            document["trace"] = {
                key: item[key] for key in ("implemented", "verified", "missing", "suspect")
            }
        document["body"] = body
        emit(json.dumps(document, ensure_ascii=False, indent=2))
        return
    text = render_show(entry, body, impact, trace, color=output_color())
    emit(text, color=output_color())


def _body(path: Any) -> str:
    from reqforge.loader import decode, split_front_matter

    try:
        text = decode(path.read_bytes())
    except OSError:
        return ""
    if not isinstance(text, str):
        return ""
    split = split_front_matter(text)
    return split[2] if isinstance(split, tuple) else ""


def _flatten(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    if isinstance(value, dict) and value:
        out: list[tuple[str, Any]] = []
        for key, item in value.items():
            out += _flatten(item, f"{prefix}.{key}" if prefix else str(key))
        return out
    return [(prefix, value)]


SHOW_IMPACT = 12  # IDs listed per step in the text of `show`


def render_show(
    entry: Any,
    body: str,
    impact: Sequence[Any] = (),
    trace: Any = None,
    color: bool = False,
) -> str:
    """The text of `show`: a heading, fields, priorities, links, what a change reaches (the
    requirements whose links lead here, step by step), the trace when [trace] is configured,
    then the body."""

    def heading(text: str) -> str:
        return click.style(text, bold=True) if color else text

    req = entry.req
    lines = [heading(f"{req.id}  {req.title}"), f"{req.path}", ""]
    skip = {"id", "title", "links"}
    fields = [(k, v) for k, v in _flatten(dict(req.data)) if k.split(".")[0] not in skip]
    width = max((len(k) for k, _ in fields), default=0)
    lines.append(heading("Fields"))
    for key, value in fields:
        if (
            isinstance(value, list)
            and value
            and all(isinstance(v, str) for v in value)
            and key in ("acceptance", "analysis.five-whys")
        ):
            lines.append(f"  {key}:")
            lines += [f"    - {v}" for v in value]
        else:
            lines.append(f"  {key.ljust(width)}  {cell(value)}")
    scores = entry.scores
    lines += ["", heading("Priorities")]
    ice = f"{scores.ice_score} ({scores.ice_level})" if scores.ice_score is not None else None
    for name, value in (
        ("P-level", scores.p_level), ("MoSCoW", scores.moscow), ("Kano", scores.kano),
        ("ICE", ice), ("RICE", scores.rice), ("value-cost", scores.quadrant),
        ("FMEA RPN", scores.rpn), ("WSJF", scores.wsjf), ("demand", scores.demand),
        ("votes", scores.votes),
    ):  # fmt: skip
        lines.append(f"  {name:<10}  {cell(value) or '-'}")
    if entry.blocking:
        lines.append(f"  blocking    {', '.join(entry.blocking)} (a P0 depends on this)")
    for reason in entry.disagreements:
        lines.append(f"  disagreement: {reason}")
    lines += ["", heading("Links")]
    links = {relation: list(t) for relation, t in req.links.items() if t}
    links["children"] = list(entry.children)
    links["depended-on-by"] = list(entry.depended_on_by)
    shown = False
    for relation, targets in links.items():
        if targets:
            shown = True
            lines.append(f"  {relation:<15} {', '.join(targets)}")
    if not shown:
        lines.append("  (none)")
    total = f": {len(impact)}" if impact else ""
    lines += ["", heading(f"Impact of a change (requirements whose links lead here{total})")]
    by_distance: dict[int, list[str]] = {}
    for item in impact:
        by_distance.setdefault(item.distance, []).append(item.id)
    for distance, ids in by_distance.items():
        label = f"{distance} step" + ("s" if distance > 1 else "")
        shown = ", ".join(ids[:SHOW_IMPACT]) + (
            f" +{len(ids) - SHOW_IMPACT} more" if len(ids) > SHOW_IMPACT else ""
        )  # every one in --format json
        lines += textwrap.wrap(
            shown, 100, initial_indent=f"  {label:<9} ", subsequent_indent=" " * 12
        )
    if not impact:
        lines.append("  (none)")
    if trace is not None:
        lines += ["", heading("Trace")]
        places = [f"{m.path}:{m.line}" for m in trace.implemented]
        tests = [f"{test} ({result})" for test, result in trace.tests().items()]
        for label, values in (
            ("implemented", places),
            ("verified", tests),
            ("missing", list(trace.missing)),
            ("suspect", [f"{target} (changed in {since[:10]})" for target, since in trace.suspect]),
        ):
            if values:
                lines.append(f"  {label:<12} {values[0]}")
                lines += [f"  {'':<12} {value}" for value in values[1:]]
        if not (places or tests or trace.missing or trace.suspect):
            lines.append("  (no marker)")
    if body.strip():
        lines += ["", heading("Body"), body.rstrip()]
    return "\n".join(lines)
