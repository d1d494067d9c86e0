"""The test enclosing a marker, per language (reqforge.trace.enclosing and its readers)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.sourcetree import MARKER, TESTS, write

from reqforge.trace.enclosing import READERS, enclosing_tests, reader_for
from reqforge.trace.markers import VERIFIED, scan


def enclosing_of(root: Path, rel: str, text: str) -> dict[str, str | None]:
    write(root, rel, text)
    out: dict[str, str | None] = {}
    for marker in scan(root, [rel.split("/")[0]], MARKER, TESTS):
        assert marker.path == rel and marker.kind == VERIFIED
        out[marker.id] = marker.test
    return out


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


def test_the_registry_has_one_reader_per_suffix_whatever_its_case() -> None:
    # verifies: REQ-401
    suffixes = [suffix for known, _ in READERS for suffix in known]
    assert len(suffixes) == len(set(suffixes))
    assert all(suffix == suffix.lower() for suffix in suffixes)
    assert reader_for("tests/FooTest.JAVA") is reader_for("tests/FooTest.java") is not None
    assert reader_for("tests/notes.md") is None
    assert reader_for("tests/Makefile") is None
