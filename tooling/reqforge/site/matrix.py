"""The traceability matrix: requirements against parents, children, code and tests.

Pure: rows come from the trace report `build.load_site_model` computed once (never a second
trace), or, without `[trace]`, from the catalogue's links alone (the code and tests columns then
say nothing is scanned). A matrix of 10,000 requirements is cut into pages of `PAGE_SIZE` rows
(`matrix.html`, `matrix-2.html`, ...) ordered by area then ID, so an area's rows stay together
and the area index can point at the page where each area begins; no page grows past a few
hundred kilobytes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, NamedTuple

from markupsafe import Markup

from reqforge.site.kept_rows import PageRows
from reqforge.site.markup import Row
from reqforge.site.matrix_data import DataRow, data_row
from reqforge.site.pages import page_name, public_value
from reqforge.trace.junit import FAILED

if TYPE_CHECKING:
    from reqforge.catalog import Entry
    from reqforge.site.pages import SiteModel
    from reqforge.trace.coverage import TraceItem

PAGE_SIZE = 500  # rows per matrix page: small files, few pages at 10,000 requirements

# The state of a code or tests cell, also its CSS class (`cell-<state>`): what the colour means.
COVERED, MISSING, NOT_REQUIRED, FAILING, UNTRACED = (
    "covered",
    "missing",
    "not-required",
    "failing",
    "untraced",
)
PARTIAL = "partial"  # a row's state: some of the required kinds there, not all


def _row_state(item: TraceItem | None) -> str:
    """A requirement's coverage: covered (green), partial (amber), missing (red), not
    required, or untraced without `[trace]`."""
    if item is None:
        return UNTRACED
    if not item.required:
        return NOT_REQUIRED
    if not item.missing:
        return COVERED
    return PARTIAL if len(item.missing) < len(item.required) else MISSING


def matrix_file(number: int) -> str:
    """The file of matrix page `number` (1-based): `matrix.html`, then `matrix-2.html`..."""
    return "matrix.html" if number == 1 else f"matrix-{number}.html"


def _cell_state(kind: str, present: bool, item: TraceItem | None) -> str:
    if item is None:
        return UNTRACED
    if present:
        return COVERED
    return MISSING if kind in item.missing else NOT_REQUIRED


def _row(
    entry: Entry, item: TraceItem | None, page_of: Any, private: Sequence[str]
) -> dict[str, Any]:
    req = entry.req

    def linked(ids: tuple[str, ...]) -> list[dict[str, Any]]:
        return [{"id": rid, "page": page_of(rid)} for rid in ids]

    parents = item.parents if item is not None else req.links.get("parent", ())
    children = item.children if item is not None else entry.children
    code = [f"{m.path}:{m.line}" for m in item.implemented] if item is not None else []
    tests = sorted(item.tests().items()) if item is not None else []
    tests_state = _cell_state("verified", bool(tests), item)
    if any(result == FAILED for _, result in tests):
        tests_state = FAILING
    # A Row: the template reads its keys as attributes at C speed (see site/markup.py).
    return Row(
        {
            "id": req.id,
            "title": req.title,
            "page": page_of(req.id),
            "area": public_value("area", req.area, private),
            "type": public_value("type", req.type, private),
            "status": public_value("status", req.status, private),
            "parents": linked(tuple(parents)),
            "children": linked(tuple(children)),
            "code": code,
            "code_state": _cell_state("implemented", bool(code), item),
            "tests": [{"name": name, "result": result} for name, result in tests],
            "tests_state": tests_state,
            "state": _row_state(item),
        }
    )


class MatrixRow(NamedTuple):
    """A row of the matrix: as its page prints it, and as the data script holds it."""

    html: str
    data: DataRow

    @property
    def area(self) -> str:
        return self.data[2]


def matrix_rows(
    model: SiteModel,
    print_row: Callable[[Mapping[str, Any]], str],
    rows: PageRows[tuple[str, DataRow]] | None = None,
) -> list[MatrixRow]:
    """Every row of the matrix, by area then ID (what the pages and the data script show),
    printed by `print_row` (or as `rows` kept it: site/kept_rows.py)."""
    rows = rows or PageRows()
    known = model.catalog.by_id
    traced = model.trace is not None
    items = model.trace_by_id

    def page_of(rid: str) -> str | None:
        return page_name(rid) if rid in known else None

    entries = sorted(model.catalog, key=lambda e: (e.req.area, e.req.id))
    private = model.catalog.config.site.private_fields

    def make(entry: Entry) -> tuple[str, DataRow]:
        row = _row(entry, items.get(entry.req.id) if traced else None, page_of, private)
        return str(print_row(row)), data_row(row)

    return [MatrixRow(*rows.row(entry, None, partial(make, entry))) for entry in entries]


# implements: REQ-504
def matrix_pages(
    model: SiteModel, rows: list[MatrixRow], page_size: int | None = None
) -> list[tuple[str, dict[str, Any]]]:
    """Every matrix page as (file name, template context), at least one page even for an
    empty repository. Each context holds its rows (`matrix_rows`), the numbered page links,
    the area index (area -> file of its first row) and the filter choices of the whole
    matrix."""
    size = page_size or PAGE_SIZE
    traced = model.trace is not None
    count = max(1, -(-len(rows) // size))
    areas: dict[str, str] = {}
    for index, row in enumerate(rows):
        areas.setdefault(row.area, matrix_file(index // size + 1))
    choices = {
        key: sorted({row.data[column] for row in rows if row.data[column]})
        for key, column in (("area", 2), ("type", 3), ("status", 4))
    }
    links = [{"number": n, "file": matrix_file(n)} for n in range(1, count + 1)]
    pages = []
    for number in range(1, count + 1):
        chunk = rows[(number - 1) * size : number * size]
        context = {
            "rows": [Markup(row.html) for row in chunk],
            "traced": traced,
            # the figures of `reqforge trace`, from the same report
            "summary": model.trace.summary() if model.trace is not None else None,
            "number": number,
            "count": count,
            "total": len(rows),
            "first": (number - 1) * size + 1 if chunk else 0,
            "last": (number - 1) * size + len(chunk),
            "page_links": links,
            "areas": sorted(areas.items()),
            "choices": choices,
            "page_size": size,
        }
        pages.append((matrix_file(number), context))
    return pages
