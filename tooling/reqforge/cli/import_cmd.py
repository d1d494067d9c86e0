"""`reqforge import`: requirements in from other tools (reqforge/interchange/)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from reqforge.cli.selection import emit
from reqforge.errors import ReqforgeError
from reqforge.i18n import Text

FORMATS = ("csv", "xlsx", "json", "doorstop", "reqif", "needs-json")


def _sheet(fmt: str, path: Path) -> Any:
    """A csv or xlsx source as its rows (tabular.Sheet)."""
    from reqforge.interchange.tabular import read_csv_sheet, read_xlsx_sheet

    return read_csv_sheet(path, str(path)) if fmt == "csv" else read_xlsx_sheet(path, str(path))


def _records(fmt: str, path: Path, config: Any, mapped: bool) -> Any:
    """The records of `path` read as `fmt` (records.Source); `mapped`: a spreadsheet's
    columns are another tool's, for the map to name."""
    place = str(path)
    if fmt in ("csv", "xlsx"):
        from reqforge.fields import field_schema
        from reqforge.interchange.tabular import sheet_records

        schema = field_schema(config)
        return sheet_records(_sheet(fmt, path), place, schema, mapped, fmt, config.reqs_dir)
    if fmt == "doorstop":
        from reqforge.interchange.doorstop import read_doorstop

        return read_doorstop(path, place)
    if fmt == "reqif":
        from reqforge.interchange.reqif_import import read_reqif

        return read_reqif(path, place)
    if fmt == "needs-json":
        from reqforge.interchange.needs_json import read_needs_json

        return read_needs_json(path, place)
    from reqforge.interchange.json_model import read_json_model

    return read_json_model(path, place, config.reqs_dir)


def _repository(config: Any) -> tuple[dict[str, str], set[str]]:
    """ID -> path of every requirement file here, and the IDs the default branch has."""
    from reqforge.corpus import discover
    from reqforge.editing import default_branch_ids

    files, _ = discover(config)
    existing = {rel.rsplit("/", 1)[-1].removesuffix(".md"): rel for rel, _ in files}
    return existing, default_branch_ids(config)


# implements: REQ-707
@click.command("import")
@click.option(
    "--from", "fmt", type=click.Choice(FORMATS), required=True, help="The source's format."
)
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option("--area", default="", help="Import into this folder under the requirements folder.")
@click.option(
    "--map",
    "map_name",
    metavar="NAME|FILE",
    help="Which source column or attribute is which field: a ready map (jira, pingcode) or a "
    "TOML file (see the README).",
)
@click.option("--dry-run", is_flag=True, help="Print what would be written; write nothing.")
@click.option("--force", is_flag=True, help="Replace requirement files that exist already.")
@click.option(
    "--skip-broken",
    is_flag=True,
    help="Import even when the source refers to objects it does not hold (a ReqIF relation "
    "to a missing SPEC-OBJECT): those references are left out and reported.",
)
@click.option(
    "--merge",
    is_flag=True,
    help="csv, xlsx: merge a spreadsheet edited outside git back, field by field, against the "
    "commit the export was made from; fields changed on both sides are reported as conflicts, "
    "never overwritten (exit 1).",
)
@click.option(
    "--base",
    metavar="REV",
    help="--merge: the commit the spreadsheet was exported from (default: its stamp).",
)
@click.pass_obj
def import_command(
    state: Any,
    fmt: str,
    source: Path,
    area: str,
    map_name: str | None,
    dry_run: bool,
    force: bool,
    skip_broken: bool,
    merge: bool,
    base: str | None,
) -> None:
    """Import requirements from SOURCE: a spreadsheet (`csv`, `xlsx`; our own export's
    columns, or another tool's with --map), `json` (our export), a `doorstop` tree, a `reqif`
    file (DOORS, Polarion, Capella, ReqIF Studio, Eclipse RMF, StrictDoc) or a sphinx-needs
    `needs-json`. IDs that fit the ID pattern are kept; others get new ones (the old ID in
    `origin.id`, links rewritten). Everything is validated before anything is written: one
    problem, and nothing is. An existing file is replaced only with --force. With --merge, a
    spreadsheet exported from here and edited by people outside git comes back as field edits
    (three-way, against the export's commit)."""
    from reqforge.interchange.importing import plan_import, write_plan
    from reqforge.interchange.mapping import load_map

    config = state.config()
    import_map = load_map(map_name) if map_name else None
    if import_map is not None and fmt not in ("csv", "xlsx", "reqif", "needs-json"):
        raise ReqforgeError(Text("--map: the {format} import has no columns to map", format=fmt))
    if base is not None and not merge:
        raise ReqforgeError(Text("--base: only with --merge"))
    if merge:
        if fmt not in ("csv", "xlsx") or map_name or force:
            raise ReqforgeError(
                Text("--merge: for our own csv or xlsx export, without --map and --force")
            )
        _merge(state, config, fmt, source, area, base, dry_run)
        return
    existing, elsewhere = _repository(config)
    plan = plan_import(
        config,
        _records(fmt, source, config, import_map is not None),
        import_map,
        area=area,
        force=force,
        skip_broken=skip_broken,
        existing=existing,
        elsewhere=elsewhere,
    )
    if not dry_run:
        write_plan(config, plan)
    emit(report(plan, dry_run, state.language()))


def _merge(
    state: Any, config: Any, fmt: str, source: Path, area: str, base: str | None, dry_run: bool
) -> None:
    from reqforge.fields import field_schema
    from reqforge.i18n import localize
    from reqforge.interchange.importing import plan_import, write_plan
    from reqforge.interchange.merge import base_files, plan_merge, read_sides
    from reqforge.interchange.tabular import sheet_records
    from reqforge.render.escaping import terminal_text
    from reqforge.safe_read import read_inside

    sheet = _sheet(fmt, source)
    commit = base or sheet.commit
    if not commit:
        raise ReqforgeError(
            Text(
                "{path}: no commit stamp (not our export, or made outside git): give --base REV",
                path=source,
            )
        )
    records = sheet_records(sheet, str(source), field_schema(config), False, fmt, config.reqs_dir)
    existing, elsewhere = _repository(config)
    # the files of the sheet's requirements only, read as `check` reads files (a link leading
    # out of the repository is not followed)
    ours_bytes: dict[str, bytes] = {}
    for rel in (existing[r.key] for r in records.records if r.key in existing):
        try:
            ours_bytes[rel] = read_inside(config.root / rel, config.root, config.max_file_size)
        except OSError as exc:
            reason = exc.strerror or exc
            raise ReqforgeError(
                Text("{path}: cannot be read: {reason}", path=rel, reason=reason)
            ) from None
    ours = read_sides(ours_bytes)
    merged = plan_merge(config, records, sheet.header, read_sides(base_files(config, commit)), ours)
    added = plan_import(config, merged.new, None, area=area, existing=existing, elsewhere=elsewhere)
    merged.plan.files.extend(added.files)
    merged.plan.skipped.extend(added.skipped)
    if not dry_run:
        write_plan(config, merged.plan)
    lines: list[Text] = []
    for rid, names in merged.applied.items():
        values = {"id": terminal_text(rid), "fields": terminal_text(", ".join(names))}
        if dry_run:
            lines.append(Text("would merge {id}: {fields}", **values))
        else:
            lines.append(Text("merged {id}: {fields}", **values))
    for planned in added.files:
        path = terminal_text(planned.rel)
        lines.append(
            Text("would add {path}", path=path) if dry_run else Text("added {path}", path=path)
        )
    for conflict in merged.conflicts:
        lines.append(
            Text(
                "conflict {id} {field}: base {base}, spreadsheet {theirs}, git {ours}: kept git's",
                id=terminal_text(conflict.rid),
                field=terminal_text(conflict.field),
                base=_shown(conflict.base),
                theirs=_shown(conflict.theirs),
                ours=_shown(conflict.ours),
            )
        )
    for skipped in merged.plan.skipped:
        place = terminal_text(skipped.place)
        lines.append(Text("skipped {place}: {reason}", place=place, reason=skipped.reason))
    lines.append(
        Text(
            "{changed} requirement(s) changed, {added} added, {conflicts} conflict(s)",
            changed=len(merged.applied),
            added=len(added.files),
            conflicts=len(merged.conflicts),
        )
    )
    emit("\n".join(localize(line, state.language()) for line in lines))
    if merged.conflicts:
        raise MergeConflicts(
            Text("{count} conflict(s): resolve them by hand", count=len(merged.conflicts))
        )


class MergeConflicts(ReqforgeError):
    """Fields changed on both sides: reported, not merged (exit 1)."""

    exit_code = 1


def _shown(value: Any) -> str:
    """A value in a conflict line: quoted, on one line, escaped for the terminal."""
    import json

    from reqforge.render.escaping import terminal_text

    if value is None:
        return "-"
    if isinstance(value, str):
        return terminal_text(json.dumps(value, ensure_ascii=False))
    return terminal_text(json.dumps(value, ensure_ascii=False, default=str))


def report(plan: Any, dry_run: bool, language: str) -> str:
    """What the import wrote (or would write), renamed and skipped, and why, in `language`."""
    from reqforge.i18n import localize
    from reqforge.render.escaping import terminal_text

    lines: list[Text] = []
    for planned in plan.files:
        path = terminal_text(planned.rel)
        line = Text("would write {path}", path=path) if dry_run else Text("wrote {path}", path=path)
        if planned.key in plan.renamed:
            line = Text("{line} (was {old})", line=line, old=terminal_text(planned.key))
        if planned.replaces:
            line = Text("{line} (replaced)", line=line)
        lines.append(line)
    for skipped in plan.skipped:
        lines.append(
            Text(
                "skipped {place}: {reason}",
                place=terminal_text(skipped.place),
                reason=skipped.reason,
            )
        )
    for warning in plan.warnings:
        lines.append(Text("warning: {problem}", problem=terminal_text(warning)))
    counts = {"count": len(plan.files), "renamed": len(plan.renamed), "skipped": len(plan.skipped)}
    if dry_run:
        summary = Text(
            "{count} requirement(s) to import, {renamed} with a new ID, {skipped} skipped", **counts
        )
    else:
        summary = Text(
            "{count} requirement(s) imported, {renamed} with a new ID, {skipped} skipped", **counts
        )
    # every line escaped once more, whole: a reason may quote the source's own text
    return "\n".join(terminal_text(localize(line, language)) for line in [*lines, summary])
