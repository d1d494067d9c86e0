"""`reqforge import`: requirements in from other tools (reqforge/interchange/)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from reqforge.cli.selection import emit
from reqforge.errors import ReqforgeError
from reqforge.i18n import Text

FORMATS = ("csv", "xlsx", "json", "doorstop", "reqif", "needs-json")


def read_source(fmt: str, path: Path, config: Any) -> Any:
    """The records of `path` read as `fmt` (records.Source), and whether the map applies."""
    from reqforge.fields import field_schema

    place = str(path)
    if fmt in ("csv", "xlsx"):
        from reqforge.interchange.tabular import read_csv_sheet, read_xlsx_sheet, sheet_records

        sheet = read_csv_sheet(path, place) if fmt == "csv" else read_xlsx_sheet(path, place)
        return sheet, sheet_records
    if fmt == "doorstop":
        from reqforge.interchange.doorstop import read_doorstop

        return read_doorstop(path, place), None
    if fmt == "reqif":
        from reqforge.interchange.reqif_format import read_reqif

        return read_reqif(path, place), None
    if fmt == "needs-json":
        from reqforge.interchange.needs_json import read_needs_json

        return read_needs_json(path, place), None
    from reqforge.interchange.json_model import read_json_model

    del field_schema
    return read_json_model(path, place, config.reqs_dir), None


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
@click.pass_obj
def import_command(
    state: Any,
    fmt: str,
    source: Path,
    area: str,
    map_name: str | None,
    dry_run: bool,
    force: bool,
) -> None:
    """Import requirements from SOURCE: a spreadsheet (`csv`, `xlsx`; our own export's
    columns, or another tool's with --map), `json` (our export), a `doorstop` tree, a `reqif`
    file (DOORS, Polarion, Capella, ReqIF Studio, Eclipse RMF, StrictDoc) or a sphinx-needs
    `needs-json`. IDs that fit the ID pattern are kept; others get new ones (the old ID in
    `origin.id`, links rewritten). Everything is validated before anything is written: one
    problem, and nothing is. An existing file is replaced only with --force."""
    from reqforge.corpus import discover
    from reqforge.editing import default_branch_ids
    from reqforge.fields import field_schema
    from reqforge.interchange.importing import plan_import, write_plan
    from reqforge.interchange.mapping import load_map

    config = state.config()
    import_map = load_map(map_name, config.root) if map_name else None
    if import_map is not None and fmt not in ("csv", "xlsx", "reqif", "needs-json"):
        raise ReqforgeError(Text("--map: the {format} import has no columns to map", format=fmt))
    read, tabular = read_source(fmt, source, config)
    if tabular is not None:
        mapped = import_map is not None
        read = tabular(read, str(source), field_schema(config), mapped, fmt, config.reqs_dir)
    files, _ = discover(config)
    existing = {rel.rsplit("/", 1)[-1].removesuffix(".md"): rel for rel, _ in files}
    plan = plan_import(
        config,
        read,
        import_map,
        area=area,
        force=force,
        existing=existing,
        elsewhere=default_branch_ids(config),
    )
    if not dry_run:
        write_plan(config, plan)
    emit(report(plan, dry_run))


def report(plan: Any, dry_run: bool) -> str:
    """What the import wrote (or would write), renamed and skipped, and why."""
    from reqforge.render.escaping import terminal_text

    lines = []
    verb = "would write" if dry_run else "wrote"
    for planned in plan.files:
        how = " (replaced)" if planned.replaces else ""
        renamed = f" (was {terminal_text(planned.key)})" if planned.key in plan.renamed else ""
        lines.append(f"{verb} {terminal_text(planned.rel)}{renamed}{how}")
    for skipped in plan.skipped:
        lines.append(f"skipped {terminal_text(skipped.place)}: {terminal_text(skipped.reason)}")
    for warning in plan.warnings:
        lines.append(f"warning {terminal_text(warning)}")
    summary = Text(
        "{count} requirement(s) {verb}, {renamed} with a new ID, {skipped} skipped",
        count=len(plan.files),
        verb="to import" if dry_run else "imported",
        renamed=len(plan.renamed),
        skipped=len(plan.skipped),
    )
    return "\n".join([*lines, summary])
