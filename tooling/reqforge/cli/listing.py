"""`reqforge list` and `reqforge show`: ask the repository a question from the terminal."""

from __future__ import annotations

import difflib
import json
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
from reqforge.tabular import Column, cell, json_document

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
    """Show one requirement: every field, computed priorities, links both ways, the body."""
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
    body = _body(catalog.config.root / entry.req.path)
    if fmt == "json":
        document = entry_json(entry)
        document["body"] = body
        emit(json.dumps(document, ensure_ascii=False, indent=2))
        return
    emit(render_show(entry, body, color=output_color()), color=output_color())


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


def render_show(entry: Any, body: str, color: bool = False) -> str:
    """The text of `show`: a heading, fields, priorities, links, then the body."""

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
    if body.strip():
        lines += ["", heading("Body"), body.rstrip()]
    return "\n".join(lines)
