"""Marker scanning (reqforge.markers): the pattern, the file list, the enclosing tests."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reqforge.markers
from reqforge.config import DEFAULT_ID_PATTERN, DEFAULT_MARKER, TraceConfig
from reqforge.markers import (
    IMPLEMENTED,
    VERIFIED,
    Marker,
    _required_literals,
    compile_marker,
    enclosing_tests,
    list_files,
    scan,
    scan_data,
    scan_text,
)

MARKER = compile_marker(DEFAULT_MARKER, DEFAULT_ID_PATTERN)
TESTS = TraceConfig().tests


def write(root: Path, rel: str, text: str | bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def found(root: Path, dirs: tuple[str, ...] = ("src", "tests")) -> list[tuple[str, str, int, str]]:
    return [(m.id, m.path, m.line, m.kind) for m in scan(root, dirs, MARKER, TESTS)]


def enclosing_of(root: Path, rel: str, text: str) -> dict[str, str | None]:
    write(root, rel, text)
    out: dict[str, str | None] = {}
    for marker in scan(root, [rel.split("/")[0]], MARKER, TESTS):
        assert marker.path == rel and marker.kind == VERIFIED
        out[marker.id] = marker.test
    return out


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


def test_prefilter_literals() -> None:
    assert set(_required_literals(MARKER) or ()) == {
        f"{word}{sep}" for word in ("req", "requirement", "implements", "verifies") for sep in ":="
    }
    assert _required_literals(compile_marker(r"@req\s+{id}", DEFAULT_ID_PATTERN)) == ("@req",)
    assert _required_literals(compile_marker("(?i)req: {id}", DEFAULT_ID_PATTERN)) is None
    assert _required_literals(compile_marker(r"\W{id}", DEFAULT_ID_PATTERN)) is None


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
    literals = _required_literals(MARKER)
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
    literals = _required_literals(marker)
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


# --- enclosing tests ---------------------------------------------------------------------------


def test_python_enclosing_tests(tmp_path: Path) -> None:
    # verifies: REQ-401
    got = enclosing_of(
        tmp_path,
        "tests/test_x.py",
        '''\
        """Module docstring. req: CRM-1"""
        import pytest

        # verifies: CRM-2
        def test_top():
            x = 1  # verifies: CRM-3 req: CRM-4
            """req: CRM-5"""

        # req: CRM-6 (after a blank line: module level)

        class TestA:
            @pytest.mark.parametrize(
                "a", [1, 2],  # req: CRM-7
            )
            def test_b(self, a):
                def helper():
                    return 1  # req: CRM-8
                text = """
        req: CRM-9 inside a string at column 0
        """

            # req: CRM-10 (between methods)

            def helper(self):  # req: CRM-11
                pass

            async def test_c(self):  # req: CRM-12
                pass


        class Case(unittest.TestCase):
            def testSomething(self):
                self.assertTrue(True)  # req: CRM-13
        ''',
    )
    path = "tests/test_x.py"
    assert got == {
        "CRM-1": None,
        "CRM-2": f"{path}::test_top",
        "CRM-3": f"{path}::test_top",
        "CRM-4": f"{path}::test_top",
        "CRM-5": f"{path}::test_top",
        "CRM-6": None,
        "CRM-7": f"{path}::TestA::test_b",
        "CRM-8": f"{path}::TestA::test_b",
        "CRM-9": f"{path}::TestA::test_b",
        "CRM-10": None,
        "CRM-11": None,
        "CRM-12": f"{path}::TestA::test_c",
        "CRM-13": f"{path}::Case::testSomething",
    }


def test_java_enclosing_tests(tmp_path: Path) -> None:
    # verifies: REQ-401
    got = enclosing_of(
        tmp_path,
        "tests/FooTest.java",
        """\
        package com.acme;

        public class FooTest {
            // verifies: CRM-1
            @Test
            public void exportsRows() throws Exception {
                int[] a = {1, 2}; // req: CRM-2
                String s = "}"; // req: CRM-3
            }

            @ParameterizedTest
            @ValueSource(ints = {1, 2}) // req: CRM-4
            void checks(int x) {
                Runnable r = new Runnable() { public void run() { } }; // req: CRM-5
            }

            static class Inner {
                @Test void t() { /* req: CRM-6 */ }
            }

            void helper() { // req: CRM-7
            }

            public void testOldStyle() { // req: CRM-8
            }
        }
        """,
    )
    assert got == {
        "CRM-1": "FooTest::exportsRows",
        "CRM-2": "FooTest::exportsRows",
        "CRM-3": "FooTest::exportsRows",
        "CRM-4": "FooTest::checks",
        "CRM-5": "FooTest::checks",
        "CRM-6": "FooTest::Inner::t",
        "CRM-7": None,
        "CRM-8": "FooTest::testOldStyle",
    }


def test_go_enclosing_tests(tmp_path: Path) -> None:
    # verifies: REQ-401
    got = enclosing_of(
        tmp_path,
        "src/x_test.go",
        """\
        package x

        import "testing"

        // TestExport checks the export. verifies: CRM-1
        func TestExport(t *testing.T) {
        \ts := "{" // req: CRM-2
        \tt.Run("sub case", func(t *testing.T) {
        \t\t_ = s // req: CRM-3
        \t})
        }

        func helper() int { // req: CRM-4
        \treturn 1
        }

        func Testlower(t *testing.T) { // req: CRM-5
        }
        """,
    )
    assert got == {
        "CRM-1": "src/x_test.go::TestExport",
        "CRM-2": "src/x_test.go::TestExport",
        "CRM-3": "src/x_test.go::TestExport/sub_case",
        "CRM-4": None,
        "CRM-5": None,  # not a test to `go test`: a lower-case letter follows "Test"
    }


def test_typescript_enclosing_tests(tmp_path: Path) -> None:
    # verifies: REQ-401
    got = enclosing_of(
        tmp_path,
        "src/a.test.ts",
        """\
        import { x } from "./x";

        describe("CSV", () => {
          it("exports rows", async () => {
            expect(x({ a: 1 })).toBe(`t ${1}`); // req: CRM-1
          });
          // verifies: CRM-2
          test.each([[1], [2]])("handles %i", (n) => {
            expect(n).toBeTruthy()
          })
          describe('nested', function () {
            it.only('works', () => { /* req: CRM-3 */ })
          })
          // req: CRM-4 (in the describe only)
        });

        it('top', function () { /* verifies=CRM-5 */ })
        """,
    )
    assert got == {
        "CRM-1": "src/a.test.ts::CSV::exports rows",
        "CRM-2": "src/a.test.ts::CSV::handles %i",
        "CRM-3": "src/a.test.ts::CSV::nested::works",
        "CRM-4": None,
        "CRM-5": "src/a.test.ts::top",
    }


def test_c_enclosing_functions(tmp_path: Path) -> None:
    # verifies: REQ-401
    got = enclosing_of(
        tmp_path,
        "tests/test_export.c",
        """\
        #include <stdio.h>
        /* implements: CRM-1 (file header) */

        static int helper(int a) { return a; }

        void test_export(void) {
            if (helper(1)) { // req: CRM-2
            }
        }

        void test_allman(void) // req: CRM-3
        {
        }

        TEST(Suite, Name) {
          // req: CRM-4
        }
        """,
    )
    assert got == {
        "CRM-1": None,
        "CRM-2": "test_export",
        "CRM-3": "test_allman",
        "CRM-4": "Suite::Name",
    }


def test_enclosing_tests_for_other_files_is_none() -> None:
    assert enclosing_tests("req: CRM-1", "tests/notes.md", [0]) == [None]
    assert enclosing_tests("", "tests/x.py", []) == []


LAST_MARKER_CASES = [
    (
        "tests/test_p.py",
        "import pytest\n\n\ndef test_a():\n    # verifies: CRM-1\n    pass\n\n\n"
        "# verifies: CRM-2\n@pytest.mark.parametrize(\n    'x', [1, 2]\n)\n"
        "def test_b(x):\n    assert x\n\n\ndef test_c():\n    pass\n",
        ["tests/test_p.py::test_a", "tests/test_p.py::test_b"],
    ),
    (
        "src/test/ExportTest.java",
        "class ExportTest {\n  @Test void a() {\n    // verifies: CRM-1\n  }\n\n"
        "  // verifies: CRM-2\n  @Test\n  void b() {\n  }\n\n  @Test void c() {}\n}\n",
        ["ExportTest::a", "ExportTest::b"],
    ),
]


@pytest.mark.parametrize(("path", "source", "expected"), LAST_MARKER_CASES)
def test_the_last_marker_above_a_test_belongs_to_it(
    path: str, source: str, expected: list[str]
) -> None:
    # verifies: REQ-401
    # The scan stops reading a file once every marker has its test: the code after the last
    # marker must still be read far enough to see the test it stands above.
    offsets = [m.start() for m in MARKER.finditer(source)]
    assert enclosing_tests(source, path, offsets) == expected


def test_unbalanced_sources_do_not_crash() -> None:
    texts = ['def test_a(:\n  """req: CRM-1', "void f() { { { // req: CRM-1", "}}} req: CRM-1 ((("]
    for text in texts:
        offset = text.index("req:")
        for suffix in (".py", ".java", ".go", ".ts", ".c"):
            assert len(enclosing_tests(text, f"tests/x{suffix}", [offset])) == 1


# --- which files -----------------------------------------------------------------------------


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_gitignore_is_respected(tmp_path: Path) -> None:
    # verifies: REQ-401
    git(tmp_path, "init", "-q")
    write(tmp_path, ".gitignore", "ignored/\n*.log\n")
    write(tmp_path, "src/tracked.py", "# req: CRM-1\n")
    write(tmp_path, "src/untracked.py", "# req: CRM-2\n")
    write(tmp_path, "src/ignored/x.py", "# req: CRM-3\n")
    write(tmp_path, "src/run.log", "req: CRM-4\n")
    write(tmp_path, "src/node_modules/m.js", "// req: CRM-5\n")  # not ignored: scanned
    write(tmp_path, "other/o.py", "# req: CRM-6\n")  # not under trace.scan
    git(tmp_path, "add", "src/tracked.py", ".gitignore")
    git(tmp_path, "commit", "-qm", "init")
    assert sorted(m.id for m in scan(tmp_path, ["src"], MARKER, TESTS)) == [
        "CRM-1",
        "CRM-2",
        "CRM-5",
    ]
    # A tracked file removed from the work tree is skipped, not an error.
    (tmp_path / "src/tracked.py").unlink()
    assert sorted(m.id for m in scan(tmp_path, ["src"], MARKER, TESTS)) == ["CRM-2", "CRM-5"]


def test_walk_outside_git_skips_hidden_and_build_folders(tmp_path: Path) -> None:
    write(tmp_path, "src/a.py", "# req: CRM-1\n")
    write(tmp_path, "src/.hidden/b.py", "# req: CRM-2\n")
    for name in ("node_modules", ".venv", "__pycache__", "dist", "build", "target"):
        write(tmp_path, f"src/{name}/c.py", "# req: CRM-3\n")
    write(tmp_path, "src/.dotfile.py", "# req: CRM-4\n")
    if subprocess.run(["git", "rev-parse"], cwd=tmp_path, capture_output=True).returncode == 0:
        pytest.skip("tmp_path is inside a git work tree")
    assert sorted(m.id for m in scan(tmp_path, ["src"], MARKER, TESTS)) == ["CRM-1", "CRM-4"]


def test_scan_dirs_outside_the_root_or_missing_are_ignored(tmp_path: Path) -> None:
    # verifies: REQ-401
    write(tmp_path, "repo/src/a.py", "# req: CRM-1\n")
    write(tmp_path, "outside/b.py", "# req: CRM-2\n")
    root = tmp_path / "repo"
    assert list_files(root, ["src", "../outside", "missing", "src/"]) == ["src/a.py"]
    assert scan(root, [], MARKER, TESTS) == []


def test_binaries_huge_and_non_utf8_files(tmp_path: Path) -> None:
    write(tmp_path, "src/bin.dat", b"req: CRM-1\n\0\1\2")
    write(tmp_path, "src/late_nul.txt", b"req: CRM-2\n" + b"x" * 9000 + b"\0")
    write(tmp_path, "src/huge.txt", b"req: CRM-3\n" + b"x" * (2 * 1024 * 1024))
    write(tmp_path, "src/latin1.txt", "caf\xe9 req: CRM-4\n".encode("latin-1"))
    ids = [m.id for m in scan(tmp_path, ["src"], MARKER, TESTS)]
    assert ids == ["CRM-4", "CRM-2"] or sorted(ids) == ["CRM-2", "CRM-4"]
    small = scan(tmp_path, ["src"], MARKER, TESTS, max_bytes=100)
    assert [m.id for m in small] == ["CRM-4"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links")
def test_symlinks_out_of_the_root_are_not_followed(tmp_path: Path) -> None:
    write(tmp_path, "outside/secret.py", "# req: CRM-1\n")
    write(tmp_path, "repo/src/real.py", "# req: CRM-2\n")
    root = tmp_path / "repo"
    try:
        (root / "src/out.py").symlink_to(tmp_path / "outside/secret.py")
        (root / "src/outdir").symlink_to(tmp_path / "outside", target_is_directory=True)
        (root / "src/in.py").symlink_to(root / "src/real.py")
    except OSError:
        pytest.skip("cannot create symbolic links here")
    markers = scan(root, ["src"], MARKER, TESTS)
    assert sorted((m.path, m.id) for m in markers) == [
        ("src/in.py", "CRM-2"),
        ("src/real.py", "CRM-2"),
    ]
    (root / "linked").symlink_to(tmp_path / "outside", target_is_directory=True)
    assert scan(root, ["linked"], MARKER, TESTS) == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs")
def test_a_fifo_does_not_hang_the_scan(tmp_path: Path) -> None:
    write(tmp_path, "src/a.py", "# req: CRM-1\n")
    os.mkfifo(tmp_path / "src/pipe")
    assert [m.id for m in scan(tmp_path, ["src"], MARKER, TESTS)] == ["CRM-1"]


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
    monkeypatch.setattr(reqforge.markers, "parallel_map", lambda func, items: func(items))
    assert scan(tmp_path, ["src", "tests"], MARKER, TESTS) == parallel


def test_scan_cache_reuses_results_and_notices_changes(tmp_path: Path) -> None:
    import os as _os

    from reqforge.cache import cache_path
    from reqforge.markers import compile_marker, scan

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
