"""Rows of values as a terminal table fitted to a width, as CSV, or as a JSON document.

Shared by `list`, `prioritize` and `stats` (report/ renders findings; this renders data). The
table is drawn here rather than with a layout library: a backlog has 10,000 rows, and a general
layout engine spent 1.5 ms per row where this spends a few microseconds.
"""

from __future__ import annotations

import csv
import io
import math
import textwrap
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import click

from reqforge.i18n import translator
from reqforge.render.escaping import csv_text, terminal_text
from reqforge.render.strict_json import encoder
from reqforge.scalars import flow_text, int_text, number_text, real_number


@dataclass(frozen=True)
class Column:
    """A column: header, alignment, whether long text wraps onto more lines, and how important
    it is (`keep`: when the table is too wide, the columns with the lowest `keep` go first;
    9 never goes)."""

    header: str
    justify: str = "left"
    wrap: bool = False
    min_width: int | None = None
    keep: int = 5


def translated_columns(columns: Sequence[Column], language: str) -> list[Column]:
    """The columns with their headers in `language` (headers are written as `N_` messages)."""
    _ = translator(language)
    return [replace(column, header=_(column.header)) for column in columns]


def cell(value: Any) -> str:
    """A value as table text: lists joined, None empty, floats trimmed, line breaks as spaces,
    other controls and invisible characters escaped (see render/escaping.py)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if not math.isfinite(value):
            return number_text(value)
        return f"{value:.3f}".rstrip("0").rstrip(".") if value != int(value) else f"{value:.0f}"
    if isinstance(value, int):
        return int_text(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(cell(v) for v in value)
    if isinstance(value, dict):
        return terminal_text(flow_text(value, sort_keys=True))
    return terminal_text(str(value).replace("\r", " ").replace("\n", " "))


@lru_cache(maxsize=4096)
def _char_width(char: str) -> int:
    if unicodedata.combining(char):
        return 0
    if unicodedata.category(char) in ("Cc", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def width_of(text: str) -> int:
    """Terminal cells a text takes: CJK characters take two."""
    if text.isascii():
        return len(text)
    return sum(_char_width(c) for c in text)


def _cut(text: str, width: int) -> str:
    """The text cut to `width` cells, ending in an ellipsis when something was cut."""
    if len(text) <= width and text.isascii():
        return text
    if width_of(text) <= width:
        return text
    out, used = [], 0
    for char in text:
        w = _char_width(char)
        if used + w > width - 1:
            break
        out.append(char)
        used += w
    return "".join(out) + "…"


def wrap(text: str, width: int) -> list[str]:
    """Greedy wrap at spaces; CJK text breaks between characters; words longer than the
    width are broken."""
    if text.isascii():
        if len(text) <= width:
            return [text]
        return textwrap.wrap(text, width, break_on_hyphens=False) or [""]
    if width_of(text) <= width:
        return [text]
    lines: list[str] = []
    line, used = "", 0
    for token in _tokens(text):
        w = width_of(token)
        if token == " ":
            if used and used + 1 <= width:
                line, used = line + " ", used + 1
            continue
        if used + w > width and line.strip():
            lines.append(line.rstrip())
            line, used = "", 0
        while w > width:  # a word longer than the column: break it
            head = _cut(token, width + 1)[:-1] or token[0]
            lines.append(head)
            token = token[len(head) :]
            w = width_of(token)
        line, used = line + token, used + w
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


def _tokens(text: str) -> list[str]:
    """Words, single spaces and single wide (CJK) characters."""
    tokens: list[str] = []
    word = ""
    for char in text:
        if char == " " or _char_width(char) == 2:
            if word:
                tokens.append(word)
                word = ""
            tokens.append(char)
        else:
            word += char
    if word:
        tokens.append(word)
    return tokens


def _natural(column: Column, texts: list[str]) -> int:
    """The width a column wants: its longest value, or for a wrapping column its longest word
    (capped so one long path cannot crowd out the other columns)."""
    header = width_of(column.header)
    if column.wrap:
        longest = max((width_of(w) for t in texts for w in t.split()), default=0)
        return max(column.min_width or 12, header, min(longest, 20))
    return max([header, *map(width_of, texts)])


def render_table(
    columns: Sequence[Column],
    rows: Sequence[Sequence[Any]],
    *,
    title: str | None = None,
    width: int | None = None,
    color: bool = False,
) -> str:
    """The rows as a boxed table no wider than `width` (default 100).

    Columns empty in every row are left out; if the rest cannot fit, the least important go,
    one at a time. Wrapping columns share the room that is left; other values are cut with an
    ellipsis only when a column alone is wider than the table can be.
    """
    width = width or 100
    texts = [[cell(v) for v in row] for row in rows]
    by_column = [[row[i] for row in texts] for i in range(len(columns))]
    shown = [i for i, values in enumerate(by_column) if not texts or any(values)]
    natural = {i: _natural(columns[i], by_column[i]) for i in shown}
    while True:
        needed = sum(natural[i] for i in shown) + 3 * len(shown) + 1
        # The last column always stays: a table of no columns says nothing (and has no height).
        droppable = [i for i in shown if columns[i].keep < 9] if len(shown) > 1 else []
        if needed <= width or not droppable:
            break
        shown.remove(min(droppable, key=lambda i: (columns[i].keep, -i)))
    widths = {i: natural[i] for i in shown}
    room = width - (sum(widths.values()) + 3 * len(shown) + 1)
    wrapping = [i for i in shown if columns[i].wrap]
    if room > 0 and wrapping:
        # Give the spare room to wrapping columns, up to their longest value.
        wanted = {i: max(map(width_of, by_column[i]), default=0) - widths[i] for i in wrapping}
        pending = sorted(wrapping, key=lambda i: wanted[i])
        for n, i in enumerate(pending):
            extra = max(0, min(wanted[i], room // (len(pending) - n)))
            widths[i] += extra
            room -= extra
    elif room < 0:
        # Still too wide (only unremovable columns left): narrow the widest.
        for i in sorted(shown, key=lambda i: -widths[i]):
            cut = min(-room, widths[i] - max(width_of(columns[i].header), 4))
            if cut > 0:
                widths[i] -= cut
                room += cut
            if room >= 0:
                break

    def style(text: str, **kwargs: Any) -> str:
        return click.style(text, **kwargs) if color else text

    def line(left: str, fill: str, middle: str, right: str) -> str:
        return left + middle.join(fill * (widths[i] + 2) for i in shown) + right

    def row_lines(values: Sequence[str], header: bool = False) -> list[str]:
        cells = []
        for i in shown:
            text = values[i]
            column = columns[i]
            cells.append(wrap(text, widths[i]) if column.wrap else [_cut(text, widths[i])])
        height = max(len(c) for c in cells)
        out = []
        for k in range(height):
            parts = []
            for i, lines in zip(shown, cells, strict=True):
                text = lines[k] if k < len(lines) else ""
                pad = widths[i] - (len(text) if text.isascii() else width_of(text))
                text = (
                    " " * pad + text
                    if columns[i].justify == "right" and not header
                    else text + " " * pad
                )
                parts.append(" " + (style(text, bold=True) if header else text) + " ")
            vertical = "┃" if header else "│"
            out.append(vertical + vertical.join(parts) + vertical)
        return out

    total = sum(widths.values()) + 3 * len(shown) + 1
    lines = []
    if title:
        pad = max(0, total - width_of(title))
        lines.append(" " * (pad // 2) + style(title, bold=True))
    lines.append(line("┏", "━", "┳", "┓"))
    lines += row_lines([c.header for c in columns], header=True)
    lines.append(line("┡", "━", "╇", "┩"))
    for values in texts:
        lines += row_lines(values)
    lines.append(line("└", "─", "┴", "┘"))
    return "\n".join(lines) + "\n"


# implements: REQ-210
# implements: REQ-706
# implements: REQ-720
def render_csv(headers: Sequence[str], rows: Sequence[Sequence[Any]], *, raw: bool = False) -> str:
    """RFC 4180 CSV with a header row; lists joined with '; ' so a cell stays one value. Text
    that a spreadsheet would run as a formula is prefixed with `'` unless `raw`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_csv_cell(value, raw) for value in row])
    return buffer.getvalue()


def _csv_cell(value: Any, raw: bool) -> str:
    # Numbers are numbers (a negative one is not a formula); all text gets the guard, and so
    # does `-.inf` or a huge integer's `-9.99e+4300 (...)`, which a spreadsheet would evaluate.
    if real_number(value) is not None:
        return cell(value)
    if isinstance(value, (list, tuple)):
        return csv_text("; ".join(cell(v) for v in value), raw=raw)
    return csv_text(cell(value), raw=raw)


# implements: REQ-010
def json_document(head: dict[str, Any], key: str, items: Sequence[Any]) -> str:
    """`head` plus a list under `key`, one item per line: readable, diffable, and written by
    the C encoder (an indented dump of 10,000 items takes the pure-Python one, 10x slower).
    Strict JSON (render/strict_json.py): no NaN or Infinity, whatever the items hold."""
    dump = json_line_encoder()
    return json_document_of_lines(head, key, [dump(item) for item in items])


def json_line_encoder() -> Callable[[Any], str]:
    """How `json_document` encodes each item (one line of strict JSON)."""
    return encoder(separators=(", ", ": "))


def json_document_of_lines(head: dict[str, Any], key: str, lines: Sequence[str]) -> str:
    """`json_document` of items already encoded by `json_line_encoder` (e.g. kept from an
    earlier run): the same text."""
    dump = json_line_encoder()
    fields = [f"{dump(k)}: {dump(v)}" for k, v in head.items()]
    body = ",\n".join("  " + line for line in lines)
    listed = f"{dump(key)}: [\n{body}\n]" if lines else f"{dump(key)}: []"
    return "{" + ", ".join([*fields, listed]) + "}"


def json_document_of_utf8_lines(head: dict[str, Any], key: str, lines: Sequence[bytes]) -> bytes:
    """`json_document_of_lines` of lines encoded in UTF-8, as UTF-8: the same bytes, joined
    without decoding 10,000 lines (a document of CJK text is four bytes a character in
    memory, and each step of the text version copies it)."""
    if not lines:
        return json_document_of_lines(head, key, []).encode("utf-8")
    opening = json_document_of_lines(head, key, ["\0"])
    before, after = opening.split("  \0", 1)  # the one line's place; "\0" is never JSON's
    return b"".join([before.encode("utf-8"), b"  ", b",\n  ".join(lines), after.encode("utf-8")])
