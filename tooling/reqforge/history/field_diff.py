"""Field-level differences between two versions of a requirement: dotted fields and body lines.

Nested mappings are walked into dotted paths (`priority.ice.impact`); lists and other values are
compared whole and with their types (YAML's `1`, `1.0` and `true` differ). The body is compared as
added/removed line counts, like `diff`.
"""

# implements: REQ-301

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from reqforge.history.model import Change, make_change
from reqforge.scalars import is_mapping, key_text


# implements: REQ-301
def field_changes(
    old: Mapping[Any, Any] | None,
    new: Mapping[Any, Any] | None,
    old_body: str = "",
    new_body: str = "",
) -> list[Change]:
    """Field-level changes between two front matters and bodies.

    Nested mappings are walked into dotted paths (`priority.ice.impact`); lists and other values
    are compared whole (with their types: `1` differs from `1.0` and `true`). A field absent on
    one side has None there (absent and null are the same). Sorted by field; the body, as
    added/removed line counts, comes last and only when it changed.
    """
    return [make_change(*record) for record in change_records(old, new, old_body, new_body)]


# A change as a plain tuple (field, old, new, added, removed): what the walk computes and the
# cache stores; `Change` objects are made once, when a History is assembled.
ChangeRecord = tuple[str, Any, Any, "int | None", "int | None"]


def change_records(
    old: Mapping[Any, Any] | None,
    new: Mapping[Any, Any] | None,
    old_body: str,
    new_body: str,
) -> list[ChangeRecord]:
    records: list[ChangeRecord] = []
    if not old:
        _flatten(records, "", new or {}, True)
    elif not new:
        _flatten(records, "", old, False)
    else:
        _diff_mappings(records, "", old, new)
    records.sort(key=_first)
    counts = _body_counts(old_body, new_body)
    if counts is not None:
        records.append(("body", None, None, counts[0], counts[1]))
    return records


def _first(record: ChangeRecord) -> str:
    return record[0]


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _flatten(out: list[ChangeRecord], prefix: str, data: Mapping[Any, Any], added: bool) -> None:
    """Every leaf of one side as a change from or to None (an added or deleted file)."""
    for key, value in data.items():
        if value is None:
            continue  # null and absent are the same
        path = prefix + (key if type(key) is str else key_text(key))
        if is_mapping(value) and value:
            _flatten(out, path + ".", value, added)
        elif added:
            out.append((path, None, value, None, None))
        else:
            out.append((path, value, None, None, None))


def _diff_mappings(
    out: list[ChangeRecord], prefix: str, old: Mapping[Any, Any], new: Mapping[Any, Any]
) -> None:
    for key, before in old.items():
        after = new.get(key)
        if before is after:
            continue
        _diff_value(out, prefix + (key if type(key) is str else key_text(key)), before, after)
    for key, after in new.items():
        if after is not None and key not in old:
            _diff_value(out, prefix + (key if type(key) is str else key_text(key)), None, after)


def _diff_value(out: list[ChangeRecord], path: str, before: Any, after: Any) -> None:
    old_map = is_mapping(before)
    new_map = is_mapping(after)
    if old_map and new_map:
        _diff_mappings(out, path + ".", before, after)
    elif old_map and after is None and before:
        _flatten(out, path + ".", before, False)
    elif new_map and before is None and after:
        _flatten(out, path + ".", after, True)
    elif not _same(before, after):
        out.append((path, before, after, None, None))


def _same(a: Any, b: Any) -> bool:
    """Deep equality that also compares types (YAML `1`, `1.0` and `true` are different)."""
    if type(a) is not type(b):
        return False
    if type(a) is list:
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if type(a) is dict:
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if type(a) is float and a != a:  # NaN equals itself here: it did not change
        return b != b
    return bool(a == b)


def body_change(old_body: str, new_body: str) -> Change | None:
    """The body's added/removed line counts (like `diff`), or None when it is unchanged."""
    counts = _body_counts(old_body, new_body)
    return None if counts is None else Change("body", added=counts[0], removed=counts[1])


def _body_counts(old_body: str, new_body: str) -> tuple[int, int] | None:
    if old_body == new_body:
        return None
    # Long bodies (design documents of 50 KB) mostly change in a paragraph: the text they
    # share at both ends is found by comparing slices in C, and only the middle is split into
    # lines (splitting both whole bodies and comparing their lines in Python took most of a
    # history walk over long documents).
    head, old_end, new_end = _shared_ends(old_body, new_body)
    old_lines = old_body[head:old_end].splitlines()
    new_lines = new_body[head:new_end].splitlines()
    # Trim the common head and tail lines left: edits are usually local, and it keeps the
    # (worst-case quadratic) matcher on the small changed middle.
    start = 0
    limit = min(len(old_lines), len(new_lines))
    while start < limit and old_lines[start] == new_lines[start]:
        start += 1
    end_old, end_new = len(old_lines), len(new_lines)
    while end_old > start and end_new > start and old_lines[end_old - 1] == new_lines[end_new - 1]:
        end_old -= 1
        end_new -= 1
    a, b = old_lines[start:end_old], new_lines[start:end_new]
    if not a or not b:
        added, removed = len(b), len(a)
    else:
        added = removed = 0
        matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag != "equal":
                removed += i2 - i1
                added += j2 - j1
    if not added and not removed:
        return None  # only line endings or a trailing newline changed
    return added, removed


_CHUNK = 4096  # a power of two: the search within a chunk halves it


def _shared_ends(old: str, new: str) -> tuple[int, int, int]:
    """(head, old_end, new_end): `old[:head] == new[:head]` and `old[old_end:] ==
    new[new_end:]` are whole lines the two texts share (each cut just after a "\n", which ends
    a line in `str.splitlines` whatever comes next), with `head <= old_end` and `head <=
    new_end`; so `splitlines` of each text is that of its head, middle and tail put together,
    and the lines of the two heads (tails) are the same."""
    size = min(len(old), len(new))
    # The longest shared start: a chunk at a time, then within the chunk by halves.
    same = 0
    while same + _CHUNK <= size and old[same : same + _CHUNK] == new[same : same + _CHUNK]:
        same += _CHUNK
    step = _CHUNK // 2
    while step:
        if same + step <= size and old[same : same + step] == new[same : same + step]:
            same += step
        step //= 2
    head = old.rfind("\n", 0, same) + 1
    # The longest shared end that does not reach into the head, the same way.
    room = size - head
    o, n = len(old), len(new)
    tail = 0
    while (
        tail + _CHUNK <= room
        and old[o - tail - _CHUNK : o - tail] == new[n - tail - _CHUNK : n - tail]
    ):
        tail += _CHUNK
    step = _CHUNK // 2
    while step:
        if (
            tail + step <= room
            and old[o - tail - step : o - tail] == new[n - tail - step : n - tail]
        ):
            tail += step
        step //= 2
    # The shared end starts within a line: keep the lines after that line's "\n".
    cut = old.find("\n", o - tail) if tail else -1
    kept = o - cut - 1 if cut >= 0 else 0
    return head, o - kept, n - kept
