"""The marker pipeline (reqforge.trace.markers): the pattern, the windowed search, kinds, the
parallel scan and its cache."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.sourcetree import MARKER, TESTS, write

import reqforge.trace.markers
from reqforge.config import DEFAULT_ID_PATTERN
from reqforge.trace.markers import (
    IMPLEMENTED,
    VERIFIED,
    Marker,
    compile_marker,
    scan,
    scan_data,
    scan_text,
)
from reqforge.trace.prefilter import required_literals


def found(root: Path, dirs: tuple[str, ...] = ("src", "tests")) -> list[tuple[str, str, int, str]]:
    return [(m.id, m.path, m.line, m.kind) for m in scan(root, dirs, MARKER, TESTS)]


# --- the pattern -----------------------------------------------------------------------------


def test_compile_marker_drops_anchors_and_names_the_id_group() -> None:
    # verifies: REQ-401
    text = "x  # req: CRM-1 and implements=AB-22, verifies:  CRM-3;requirement: Q1-9"
    matches = list(MARKER.finditer(text))
    assert [m.group("id") for m in matches] == ["CRM-1", "AB-22", "CRM-3", "Q1-9"]
    assert [m.group(1) for m in matches] == ["CRM-1", "AB-22", "CRM-3", "Q1-9"]
    assert "^" not in MARKER.pattern and "$" not in MARKER.pattern


def test_compile_marker_does_not_cut_a_longer_id() -> None:
    assert MARKER.search("req: CRM-1234567") is None
    assert MARKER.search("req: crm-1") is None
    assert MARKER.search("req:CRM-12.") is not None


def test_compile_marker_with_two_ids_and_custom_patterns() -> None:
    # verifies: REQ-401
    marker = compile_marker(r"@req\(\"{id}\"\)|covers \[{id}\]", r"\AREQ-\d+\Z")
    text = '@req("REQ-1") covers [REQ-22]'
    ids = [m.group("id") or m.group("id_2") for m in marker.finditer(text)]
    assert ids == ["REQ-1", "REQ-22"]
    with pytest.raises(re.error):
        compile_marker("req: ID", DEFAULT_ID_PATTERN)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "req: CRM-1",
                "verifies:",
                "implements=",
                "requirement: ",
                "req",
                "CRM-22",
                "CRM-3x",
                "需求",
                ":",
                " ",
                "\n",
                "\r\n",
                "x",
            ]
        ),
        max_size=40,
    )
)
def test_windowed_search_finds_what_a_full_search_finds(pieces: list[str]) -> None:
    # verifies: REQ-401
    text = "".join(pieces)
    literals = required_literals(MARKER)
    # A marker may break its line once ("verifies:" + newline + ID), not more.
    matches = list(MARKER.finditer(text))
    rows = scan_text(text, "a.py", MARKER, False)
    assert len(rows) == len(matches)
    expected = [row for row, m in zip(rows, matches, strict=True) if m.group().count("\n") <= 1]
    assert scan_text(text, "a.py", MARKER, False, literals) == expected
    # From the file's bytes: windows decoded alone outside tests, the whole text in a test.
    assert scan_data(text.encode("utf-8"), "src/a.py", MARKER, False, literals) == expected
    in_test = scan_data(text.encode("utf-8"), "tests/test_a.py", MARKER, True, literals)
    assert [(rid, line) for rid, line, _ in in_test] == [(rid, line) for rid, line, _ in expected]


def test_windows_keep_what_a_lookbehind_sees() -> None:
    # verifies: REQ-401
    marker = compile_marker(r"(?<=\n)req: {id}", DEFAULT_ID_PATTERN)
    literals = required_literals(marker)
    assert literals == ("req: ",)
    data = "first\nreq: CRM-1 and req: CRM-2\n需求\nreq: CRM-3".encode()
    assert scan_data(data, "src/a.txt", marker, False, literals) == [
        ("CRM-1", 2, None),
        ("CRM-3", 4, None),
    ]
    assert scan_data(data, "src/a.txt", marker, False, None) == [
        ("CRM-1", 2, None),
        ("CRM-3", 4, None),
    ]


def test_pattern_without_literals_still_scans(tmp_path: Path) -> None:
    # verifies: REQ-401
    write(tmp_path, "src/a.txt", "see [CRM-5] and [CRM-6]\n")
    marker = compile_marker(r"\[{id}\]", DEFAULT_ID_PATTERN)
    assert [(m.id, m.line) for m in scan(tmp_path, ["src"], marker, TESTS)] == [
        ("CRM-5", 1),
        ("CRM-6", 1),
    ]


# --- any language, kinds, unknown ids ------------------------------------------------------


def test_markers_in_many_languages(tmp_path: Path) -> None:
    # verifies: REQ-401
    write(tmp_path, "src/a.py", "x = 1  # req: CRM-1\n")
    write(tmp_path, "src/b.c", "/* implements: CRM-2 */\nint f(void) { return 0; } // req: CRM-3\n")
    write(tmp_path, "src/C.java", "class C {\n  // implements: CRM-4 verifies=CRM-5\n}\n")
    write(tmp_path, "src/d.go", "package d\n\n// implements: CRM-6\nfunc D() {}\n")
    write(tmp_path, "src/e.ts", "export const e = 1; // req: CRM-7\n")
    write(tmp_path, "src/f.md", "# F\n\n<!-- requirement: CRM-8 -->\n")
    write(tmp_path, "src/g.yaml", "key: 1 # req: NOSUCH-404\n")
    assert found(tmp_path) == [
        ("CRM-4", "src/C.java", 2, IMPLEMENTED),  # plain string order of the paths
        ("CRM-5", "src/C.java", 2, IMPLEMENTED),
        ("CRM-1", "src/a.py", 1, IMPLEMENTED),
        ("CRM-2", "src/b.c", 1, IMPLEMENTED),
        ("CRM-3", "src/b.c", 2, IMPLEMENTED),
        ("CRM-6", "src/d.go", 3, IMPLEMENTED),
        ("CRM-7", "src/e.ts", 1, IMPLEMENTED),
        ("CRM-8", "src/f.md", 3, IMPLEMENTED),
        ("NOSUCH-404", "src/g.yaml", 1, IMPLEMENTED),  # unknown ids are the caller's business
    ]
    assert all(m.test is None for m in scan(tmp_path, ["src"], MARKER, TESTS))


def test_test_globs_decide_the_kind(tmp_path: Path) -> None:
    # verifies: REQ-401
    write(tmp_path, "test_top.py", "# req: CRM-1\n")
    write(tmp_path, "src/x_test.go", "// req: CRM-2\n")
    write(tmp_path, "src/a.test.ts", "// req: CRM-3\n")
    write(tmp_path, "src/tests_helper.py", "# req: CRM-4\n")
    write(tmp_path, "tests/data/notes.md", "req: CRM-5\n")
    kinds = {m.id: m.kind for m in scan(tmp_path, ["."], MARKER, TESTS)}
    assert kinds == {
        "CRM-1": VERIFIED,
        "CRM-2": VERIFIED,
        "CRM-3": VERIFIED,
        "CRM-4": IMPLEMENTED,
        "CRM-5": VERIFIED,
    }
    assert scan(tmp_path, ["."], MARKER, ())[0].kind == IMPLEMENTED


def test_sorted_by_path_then_line_and_marker_is_frozen(tmp_path: Path) -> None:
    # verifies: REQ-401
    write(tmp_path, "src/b.py", "# req: CRM-2\n\n# req: CRM-1\n")
    write(tmp_path, "src/a/z.py", "# req: CRM-3\n")
    markers = scan(tmp_path, ["src"], MARKER, TESTS)
    assert [(m.path, m.line) for m in markers] == [
        ("src/a/z.py", 1),
        ("src/b.py", 1),
        ("src/b.py", 3),
    ]
    with pytest.raises(AttributeError):
        markers[0].id = "X-1"  # type: ignore[misc]
    assert markers[0] == Marker("CRM-3", "src/a/z.py", 1, IMPLEMENTED, None)


# --- many files ------------------------------------------------------------------------------


def test_two_thousand_files_in_parallel_match_a_serial_scan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(2000):
        folder = "tests" if i % 3 == 0 else "src"
        if i % 2:
            name, text = f"m{i}.py", f"def test_f{i}():\n    return {i}  # req: CRM-{i % 50 + 1}\n"
        else:
            name, text = f"m{i}.test.ts", f"it('t{i}', () => {{ /* req: CRM-{i + 1} */ }});\n"
        write(tmp_path, f"{folder}/p{i % 20}/{name}", text + "request = 1\n" * (i % 7))
    parallel = scan(tmp_path, ["src", "tests"], MARKER, TESTS)
    assert len(parallel) == 2000
    assert sum(m.kind == VERIFIED for m in parallel) == 1333  # tests/** and every *.test.ts file
    assert all(m.test for m in parallel if m.kind == VERIFIED)
    monkeypatch.setattr(reqforge.trace.markers, "parallel_map", lambda func, items: func(items))
    assert scan(tmp_path, ["src", "tests"], MARKER, TESTS) == parallel


def test_scan_cache_reuses_results_and_notices_changes(tmp_path: Path) -> None:
    import os as _os

    from reqforge.cache import cache_path
    from reqforge.trace.markers import compile_marker, scan

    (tmp_path / "src").mkdir()
    source = tmp_path / "src" / "x.py"
    source.write_text("# implements: CRM-1\n", encoding="utf-8")
    old = 1_600_000_000
    _os.utime(source, (old, old))  # an old file: trusted by its stat
    pattern = compile_marker(r"(?:implements)[:=]\s*({id})", r"^[A-Z]+-[0-9]+$")
    first = scan(tmp_path, ["src"], pattern, ["tests/**"], use_cache=True)
    assert [m.id for m in first] == ["CRM-1"]
    assert cache_path(tmp_path, "markers").exists()
    assert scan(tmp_path, ["src"], pattern, ["tests/**"], use_cache=True) == first
    source.write_text("# implements: CRM-22\n", encoding="utf-8")  # size and mtime change
    assert [m.id for m in scan(tmp_path, ["src"], pattern, ["tests/**"], use_cache=True)] == [
        "CRM-22"
    ]
    cache_path(tmp_path, "markers").write_bytes(b"garbage")
    assert [m.id for m in scan(tmp_path, ["src"], pattern, ["tests/**"], use_cache=True)] == [
        "CRM-22"
    ]
