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

from reqforge.site.markup import visible
from reqforge.site.script_data import data_script

FORMAT_VERSION = 1
MATRIX_DATA = "matrix-data.js"  # the asset's name before its fingerprint
GLOBAL = "REQFORGE_MATRIX"


def _shown(text: str) -> str:
    return visible(text)  # as the pages print it


def matrix_data(rows: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The rows of `site.matrix.matrix_rows` in the compact form above."""
    values: dict[str, int] = {}

    def value(text: str) -> int:
        return values.setdefault(_shown(text), len(values))

    packed = []
    for row in rows:
        packed.append(
            [
                _shown(row["id"]),
                _shown(row["title"]),
                value(row["area"]),
                value(row["type"]),
                value(row["status"]),
                [_shown(p["id"]) for p in row["parents"]],
                [_shown(c["id"]) for c in row["children"]],
                [_shown(place) for place in row["code"]],
                [[_shown(t["name"]), t["result"]] for t in row["tests"]],
                value(row["code_state"]),
                value(row["tests_state"]),
                value(row["state"]),
            ]
        )
    return {"version": FORMAT_VERSION, "values": list(values), "rows": packed}


def matrix_data_script(rows: Iterable[Mapping[str, Any]]) -> bytes:
    """The script `matrix-view.js` loads: `window.REQFORGE_MATRIX = {...};` (UTF-8)."""
    return data_script(GLOBAL, matrix_data(rows)).encode("utf-8")
