"""The whole traceability matrix as data, for filtering across its pages in the browser.

The matrix is cut into pages of 500 rows (site/matrix.py); a filter by area, type or status must
find the matching rows on every page, not only on the one open. So the build also writes the
rows as a script (`static/matrix-data.<digest>.js`, loaded as a script so that it works from
`file://`), which `templates/static/matrix-view.js` loads only when a filter is set and renders
the matching rows from, a page at a time. With JavaScript off the static pages read as built.

Format (version 1), `window.REQFORGE_MATRIX = {...}`:

    {"version": 1,
     "values": ["billing", "functional", "proposed", "covered", ...],
     "rows": [["CRM-1", "Export", 0, 1, 2, ["CRM-0"], ["CRM-2"], ["src/a.py:3"],
               [["tests/t.py::test_x", "passed"]], 3, 3, 3], ...]}

A row is: ID, title, area, type, status, parent IDs, child IDs, code places, tests (name,
result), code state, tests state, row state; area, type, status and the three states are
positions in `values` (each distinct string once: ten thousand rows share a handful), so the
script stays a small part of the site. A parent or child links to its page when it is a row
itself. Text is given as the pages show it: hidden characters (bidi overrides, zero-width
characters) written as escapes, so a filter value equals the option the reader picked.
"""

# implements: REQ-504

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from reqforge.cache import fixed, tuple_of
from reqforge.site.markup import visible
from reqforge.site.script_data import data_script

FORMAT_VERSION = 1
MATRIX_DATA = "matrix-data.js"  # the asset's name before its fingerprint
GLOBAL = "REQFORGE_MATRIX"


def _shown(text: str) -> str:
    return visible(text)  # as the pages print it


# A row as `data_row` takes it from a page's row (`site.matrix._row`): ID, title, area, type,
# status, parent IDs, child IDs, code places, tests (name, result), code state, tests state,
# row state. Text as the pages print it (`_shown`): kept between builds in that form.
DataRow = tuple[
    str, str, str, str, str,
    tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[tuple[str, str], ...],
    str, str, str,
]  # fmt: skip
DATA_ROW = fixed(
    str, str, str, str, str,
    tuple_of(str), tuple_of(str), tuple_of(str), tuple_of(fixed(str, str)),
    str, str, str,
)  # fmt: skip


def data_row(row: Mapping[str, Any]) -> DataRow:
    """What the data script holds of a page's row, its text as the page prints it."""
    return (
        _shown(row["id"]),
        _shown(row["title"]),
        _shown(row["area"]),
        _shown(row["type"]),
        _shown(row["status"]),
        tuple(_shown(p["id"]) for p in row["parents"]),
        tuple(_shown(c["id"]) for c in row["children"]),
        tuple(_shown(place) for place in row["code"]),
        tuple((_shown(t["name"]), t["result"]) for t in row["tests"]),
        row["code_state"],
        row["tests_state"],
        row["state"],
    )


def matrix_data(rows: Iterable[DataRow]) -> dict[str, Any]:
    """The rows (`data_row`) in the compact form above."""
    values: dict[str, int] = {}

    def value(text: str) -> int:
        return values.setdefault(text, len(values))

    packed = []
    for row in rows:
        rid, title, area, kind, status, parents, children, code, tests = row[:9]
        shared = [value(area), value(kind), value(status)]
        packed.append([rid, title, *shared, parents, children, code, tests, *map(value, row[9:])])
    return {"version": FORMAT_VERSION, "values": list(values), "rows": packed}


def matrix_data_script(rows: Iterable[DataRow]) -> bytes:
    """The script `matrix-view.js` loads: `window.REQFORGE_MATRIX = {...};` (UTF-8)."""
    return data_script(GLOBAL, matrix_data(rows)).encode("utf-8")
