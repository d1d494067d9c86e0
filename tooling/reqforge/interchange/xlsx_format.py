"""`export --to xlsx`: the csv export's table as an Excel workbook.

One sheet, `requirements`: a bold header row, frozen below the header and beside the ID, an
auto-filter over every column, and column widths from the longest value (capped). Every text cell
is stored as text, so a title that starts with `=` is never a formula. A hidden sheet, `reqforge`,
records the export's format and the commit it was made from (the base a later merge compares
edits with).
"""

# implements: REQ-707

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from reqforge.interchange.cells import cell_value

FORMAT_VERSION = 1
MAX_WIDTH = 60


def _shown(value: Any) -> Any:
    """A value as a cell holds it (cells.py): numbers and booleans as they are, lists as
    "a; b" (or JSON), text as it is."""
    return cell_value(value)


def export_xlsx(headers: Sequence[str], rows: Sequence[Sequence[Any]], commit: str | None) -> bytes:
    """The workbook's bytes."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet("requirements")
    widths = [len(header) for header in headers]
    shown_rows = [[_shown(value) for value in row] for row in rows]
    for row in shown_rows:
        for index, value in enumerate(row):
            if isinstance(value, str):
                longest = max((len(line) for line in value.split("\n")), default=0)
                widths[index] = max(widths[index], longest)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, MAX_WIDTH)
    sheet.freeze_panes = "B2"
    last = f"{get_column_letter(max(1, len(headers)))}{len(rows) + 1}"
    sheet.auto_filter.ref = f"A1:{last}"
    bold = Font(bold=True)
    header = []
    for name in headers:
        item = WriteOnlyCell(sheet, value=name)
        item.font = bold
        item.data_type = "s"
        header.append(item)
    sheet.append(header)
    for row in shown_rows:
        cells = []
        for value in row:
            item = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                item.data_type = "s"  # text, never a formula
            cells.append(item)
        sheet.append(cells)
    stamp = book.create_sheet("reqforge")
    stamp.sheet_state = "hidden"
    stamp.append(["format", FORMAT_VERSION])
    stamp.append(["commit", commit or ""])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
