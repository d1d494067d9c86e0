"""`import --from csv|xlsx`: a spreadsheet, one requirement per row, into records.

The first row names the columns. Without `--map` they are our own export's (table.py): dotted
field names, `body`, and `computed.*` columns, which are ignored (computed, never stored); each
cell is read back by the field's kind (cells.py). With `--map` (mapping.py) the columns are the
source tool's: the map names the ones it knows and the rest are kept in `origin.attributes`.

A CSV is UTF-8 (with or without a byte-order mark) or, failing that, GB 18030 (what a Chinese
Excel saves); our export's first line may be its commit stamp. A workbook's first visible sheet
is read (our export's `requirements` sheet), its hidden `reqforge` sheet giving the commit.
A row with more cells than the header, an unterminated quote, or a file that is not the format
stops the import with the row named; an empty row is skipped.
"""

# implements: REQ-707

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reqforge.fields import Spec, spec_of
from reqforge.i18n import Text
from reqforge.interchange.cells import read_cell, unguard
from reqforge.interchange.records import (
    Record,
    Source,
    area_of,
    read_source,
    set_dotted,
    source_error,
)
from reqforge.interchange.table import COMPUTED, PATH, csv_stamp

UNPACKED_LIMIT = 512 * 1024 * 1024  # bytes a workbook may unpack to


@dataclass
class Sheet:
    """A spreadsheet's header and rows (row number as a person sees it, cells), and the
    commit an export stamped on it (None: not our export, or made outside git)."""

    header: list[str]
    rows: list[tuple[int, list[Any]]]
    commit: str | None = None
    guarded: bool = False  # CSV: cells may carry the formula guard


def _decode(data: bytes, place: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise source_error(place, Text("not text in UTF-8 or GB 18030")) from None


def read_csv_sheet(path: Path, place: str) -> Sheet:
    text = _decode(read_source(path, place), place)
    commit = None
    first_line = 1
    first, _, rest = text.partition("\n")
    stamped, commit = csv_stamp(first.rstrip("\r"))
    if stamped:
        text = rest
        first_line = 2
    if "\x00" in text:
        raise source_error(place, Text("not a CSV file (it holds NUL bytes)"))
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[Any]]] = []
    header: list[str] | None = None
    try:
        for cells in reader:
            line = reader.line_num + first_line - 1
            if header is None:
                header = [cell.strip() for cell in cells]
                continue
            rows.append((line, list(cells)))
    except csv.Error as exc:
        line = reader.line_num + first_line - 1
        raise source_error(f"{place}:{line}", Text("not valid CSV: {reason}", reason=exc)) from None
    if not header or not any(header):
        raise source_error(place, Text("no header row: the first row must name the columns"))
    for line, cells in rows:
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
            raise source_error(
                f"{place}:{line}",
                Text(
                    "a row of {found} cells under a header of {expected}: a broken row "
                    "(a quote or a separator too many?)",
                    found=len(cells),
                    expected=len(header),
                ),
            )
    return Sheet(header, rows, commit, guarded=True)


def read_xlsx_sheet(path: Path, place: str) -> Sheet:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    data = read_source(path, place)
    try:
        unpacked = sum(item.file_size for item in zipfile.ZipFile(io.BytesIO(data)).infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise source_error(
            place, Text("not an Excel workbook (.xlsx): {reason}", reason=exc)
        ) from None
    if unpacked > UNPACKED_LIMIT:  # a zip bomb: a small file that unpacks to gigabytes
        raise source_error(
            place,
            Text(
                "unpacks to {size:,} bytes, over the {limit:,}-byte limit: not read",
                size=unpacked,
                limit=UNPACKED_LIMIT,
            ),
        )
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise source_error(
            place, Text("not an Excel workbook (.xlsx): {reason}", reason=exc)
        ) from None
    except Exception as exc:  # a malformed part inside the zip: openpyxl raises many kinds
        raise source_error(place, Text("not a readable workbook: {reason}", reason=exc)) from None
    try:
        commit = None
        if "reqforge" in book.sheetnames:
            for row in book["reqforge"].iter_rows(values_only=True):
                if row and row[0] == "commit" and len(row) > 1 and row[1]:
                    commit = str(row[1])
        visible = [ws for ws in book.worksheets if ws.sheet_state == "visible"]
        if not visible:
            raise source_error(place, Text("the workbook has no visible sheet"))
        sheet = book["requirements"] if "requirements" in book.sheetnames else visible[0]
        rows: list[tuple[int, list[Any]]] = []
        header: list[str] | None = None
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if header is None:
                header = ["" if v is None else str(v).strip() for v in values]
                continue
            rows.append((number, list(values)))
    finally:
        book.close()
    if not header or not any(header):
        raise source_error(place, Text("no header row: the first row must name the columns"))
    return Sheet(header, rows, commit)


def _cells(sheet: Sheet, line: int, cells: list[Any]) -> Iterator[tuple[str, Any]]:
    for index, name in enumerate(sheet.header):
        if not name:
            continue
        value = cells[index] if index < len(cells) else None
        if sheet.guarded and isinstance(value, str):
            value = unguard(value)
        yield name, value


def sheet_records(
    sheet: Sheet, place: str, schema: Spec, mapped: bool, tool: str, reqs_dir: str = "reqs"
) -> Source:
    """One record per non-empty row. Our own columns (not `mapped`): fields by dotted name,
    read by their kind; the row's `id` is its key. `mapped`: every cell into `raw` (a column
    named twice collects its values) for the map to move."""
    source = Source(tool)
    names = [n for n in sheet.header if n]
    if not mapped:
        missing = [n for n in ("id", "title") if n not in names]
        if missing:
            raise source_error(
                place,
                Text(
                    "no {column!r} column: a reqforge export has id, title, type and status "
                    "columns; for another tool's export give --map (jira, pingcode or a file)",
                    column=missing[0],
                ),
            )
    for line, cells in sheet.rows:
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        record = Record(key="", fields={}, place=f"{place}:{line}")
        for name, value in _cells(sheet, line, cells):
            if mapped:
                if value is None or value == "":
                    continue
                if isinstance(value, str):
                    value = value.strip() if "\n" not in value else value
                old = record.raw.get(name)
                if old is None:
                    record.raw[name] = value
                else:
                    record.raw[name] = [*(old if isinstance(old, list) else [old]), value]
                continue
            if name == COMPUTED or name.startswith(COMPUTED + "."):
                continue
            if name == "body":
                record.body = "" if value is None else str(value)
                record.exact = True
                continue
            if name == PATH:
                record.area = area_of(str(value or ""), reqs_dir)
                continue
            read = read_cell(value, spec_of(schema, name))
            if read is None:
                continue
            if name.startswith("links.") and name.count(".") == 1:
                items = read if isinstance(read, list) else [read]
                record.links[name.removeprefix("links.")] = [str(i) for i in items]
                continue
            set_dotted(record.fields, name, read)
        if not mapped:
            rid = record.fields.get("id")
            record.key = str(rid) if rid is not None else f"row {line}"
        source.records.append(record)
    return source
