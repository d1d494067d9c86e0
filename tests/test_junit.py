"""JUnit XML results: pytest, Surefire, go-junit-report and jest-junit files, hostile files,
and matching the markers' test ids to the cases."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reqforge.trace import junit
from reqforge.trace.junit import ResultIndex, ResultProblem, TestResult, read_results, result_for

PYTEST_XML = """\
<?xml version="1.0" encoding="utf-8"?>
<testsuites name="pytest tests"><testsuite name="pytest" errors="1" failures="1" skipped="2"
 tests="9" time="0.412" timestamp="2024-05-02T10:11:12.345678+00:00" hostname="ci-runner-3">
<testcase classname="tests.test_export" name="test_csv" time="0.004" />
<testcase classname="tests.test_export" name="test_rows[1]" time="0.001" />
<testcase classname="tests.test_export" name="test_rows[a-b]" time="0.001">
<failure message="assert 2 == 3">def test_rows(n):
&gt;       assert n == 3
E       assert 2 == 3

tests/test_export.py:12: AssertionError</failure></testcase>
<testcase classname="tests.test_export" name="test_rows[c::d]" time="0.001" />
<testcase classname="tests.test_export" name="test_later[x]" time="0.000">
<skipped type="pytest.skip" message="not yet">tests/test_export.py:20: not yet</skipped>
</testcase>
<testcase classname="tests.test_export" name="test_later[y]" time="0.000">
<skipped type="pytest.xfail" message="known bug" /></testcase>
<testcase classname="tests.test_export.TestLedger" name="test_totals" time="0.010" />
<testcase classname="tests.test_export.TestLedger" name="test_rounding" time="0.002">
<error message="failed on setup with &quot;KeyError: 'eur'&quot;">KeyError: 'eur'</error>
</testcase>
<testcase classname="tests.unit.test_io" name="test_read" time="0.001">
<system-out>reading...</system-out></testcase>
</testsuite></testsuites>
"""

PYTEST_XUNIT1_XML = """\
<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="0" failures="0" skipped="0" tests="1">
<testcase classname="test_cli" name="test_help" file="app/tests/test_cli.py" line="3" />
</testsuite></testsuites>
"""

SUREFIRE_XML = """\
<?xml version="1.0" encoding="UTF-8"?>
<testsuite xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
 xsi:noNamespaceSchemaLocation="https://maven.apache.org/surefire/maven-surefire-plugin/xsd/surefire-test-report-3.0.xsd"
 version="3.0" name="com.acme.FooTest" time="0.052" tests="5" errors="1" skipped="1" failures="1">
  <properties>
    <property name="java.version" value="17.0.10"/>
  </properties>
  <testcase name="testBar" classname="com.acme.FooTest" time="0.011"/>
  <testcase name="testBaz" classname="com.acme.FooTest" time="0.003">
    <failure message="expected: &lt;1&gt; but was: &lt;2&gt;"
     type="org.opentest4j.AssertionFailedError">
org.opentest4j.AssertionFailedError: expected: &lt;1&gt; but was: &lt;2&gt;
	at com.acme.FooTest.testBaz(FooTest.java:21)
</failure>
  </testcase>
  <testcase name="testQux" classname="com.acme.FooTest" time="0">
    <skipped message="@Disabled"/>
  </testcase>
  <testcase name="testBoom" classname="com.acme.FooTest" time="0.001">
    <error message="boom" type="java.lang.IllegalStateException">
java.lang.IllegalStateException: boom</error>
  </testcase>
  <testcase name="testParams(int)[1]" classname="com.acme.FooTest" time="0.001"/>
  <testcase name="testParams(int)[2]" classname="com.acme.FooTest" time="0.001"/>
  <testcase name="testFlaky" classname="com.acme.FooTest" time="0.001">
    <flakyFailure message="first run failed" type="java.lang.AssertionError"/>
  </testcase>
  <testcase name="testInner" classname="com.acme.FooTest$Nested" time="0.001"/>
</testsuite>
"""

GO_XML = """\
<?xml version="1.0" encoding="UTF-8"?>
<testsuites tests="5" failures="1" skipped="1">
  <testsuite name="github.com/acme/svc/pkg/ledger" tests="4" failures="1" errors="0"
   id="0" hostname="ci" time="0.012" timestamp="2024-05-02T10:11:12Z">
    <properties><property name="go.version" value="go1.22.2"></property></properties>
    <testcase name="TestExport"
     classname="github.com/acme/svc/pkg/ledger" time="0.001"></testcase>
    <testcase name="TestExport/empty"
     classname="github.com/acme/svc/pkg/ledger" time="0.000"></testcase>
    <testcase name="TestImport"
     classname="github.com/acme/svc/pkg/ledger" time="0.002">
      <failure message="Failed"><![CDATA[ledger_test.go:31: got 2 rows, want 3]]></failure>
    </testcase>
    <testcase name="TestSlow"
     classname="github.com/acme/svc/pkg/ledger" time="0.000">
      <skipped message="Skipped"><![CDATA[    ledger_test.go:40: -short]]></skipped>
    </testcase>
  </testsuite>
  <testsuite name="github.com/acme/svc/cmd/tool" tests="1" failures="0" errors="0" id="1">
    <testcase name="TestImport"
     classname="github.com/acme/svc/cmd/tool" time="0.001"></testcase>
  </testsuite>
</testsuites>
"""

JEST_XML = """\
<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="jest tests" tests="4" failures="1" errors="0" time="1.234">
  <testsuite name="CSV export" errors="0" failures="1" skipped="1" timestamp="2024-05-02T10:11:12"
   time="0.8" tests="3">
    <testcase classname="CSV export exports rows" name="CSV export exports rows" time="0.01"
     file="src/a.test.ts">
    </testcase>
    <testcase classname="CSV export rejects empty input" name="CSV export rejects empty input"
     time="0.02" file="src/a.test.ts">
      <failure>Error: expect(received).toThrow()
    at Object.&lt;anonymous&gt; (src/a.test.ts:14:7)</failure>
    </testcase>
    <testcase classname="CSV export handles unicode" name="CSV export handles unicode" time="0"
     file="src/a.test.ts">
      <skipped/>
    </testcase>
  </testsuite>
  <testsuite name="b" tests="1">
    <testcase classname="importer exports rows" name="importer exports rows" time="0.01" />
  </testsuite>
</testsuites>
"""


def write(root: Path, rel: str, text: str | bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    write(tmp_path, "reports/pytest.xml", PYTEST_XML)
    write(tmp_path, "reports/surefire/TEST-com.acme.FooTest.xml", SUREFIRE_XML)
    write(tmp_path, "reports/go.xml", GO_XML)
    write(tmp_path, "reports/jest-junit.xml", JEST_XML)
    return tmp_path


def read_all(root: Path) -> list[TestResult]:
    results, problems = read_results(root, ["reports/*.xml", "reports/**/TEST-*.xml"])
    assert problems == []
    return results


# ---------------------------------------------------------------------------------------------
# Reading


def test_pytest_cases_are_read_in_document_order(reports: Path) -> None:
    # verifies: REQ-402
    results, problems = read_results(reports, ["reports/pytest.xml"])
    assert problems == []
    assert [(r.classname, r.name, r.result) for r in results] == [
        ("tests.test_export", "test_csv", "passed"),
        ("tests.test_export", "test_rows[1]", "passed"),
        ("tests.test_export", "test_rows[a-b]", "failed"),
        ("tests.test_export", "test_rows[c::d]", "passed"),
        ("tests.test_export", "test_later[x]", "skipped"),
        ("tests.test_export", "test_later[y]", "skipped"),
        ("tests.test_export.TestLedger", "test_totals", "passed"),
        ("tests.test_export.TestLedger", "test_rounding", "failed"),
        ("tests.unit.test_io", "test_read", "passed"),
    ]
    assert all(r.file is None for r in results)


def test_files_are_sorted_and_read_once(reports: Path) -> None:
    results, problems = read_results(
        reports, ["reports/**/*.xml", "reports/*.xml", "reports/surefire/TEST-*.xml"]
    )
    assert problems == []
    names = [r.name for r in results]
    # go.xml, jest-junit.xml, pytest.xml, surefire/TEST-...: sorted by relative path
    assert names[0] == "TestExport"
    assert names[-1] == "testInner"
    assert len(names) == 5 + 4 + 9 + 8
    assert read_results(reports, ["reports/**/*.xml"]) == (results, [])


def test_surefire_bare_testsuite_root(reports: Path) -> None:
    # verifies: REQ-402
    results, problems = read_results(reports, ["reports/surefire/TEST-*.xml"])
    assert problems == []
    by_name = {r.name: r.result for r in results}
    assert by_name == {
        "testBar": "passed",
        "testBaz": "failed",
        "testQux": "skipped",
        "testBoom": "failed",
        "testParams(int)[1]": "passed",
        "testParams(int)[2]": "passed",
        "testFlaky": "passed",
        "testInner": "passed",
    }


def test_file_attribute_and_suite_fallbacks(tmp_path: Path) -> None:
    write(tmp_path, "out/x1.xml", PYTEST_XUNIT1_XML)
    write(
        tmp_path,
        "out/abs.xml",
        f'<testsuite name="pkg.Suite" file="{tmp_path.as_posix()}/src/b.test.js">'
        '<testcase name="works"/><testcase name="w2" file=".\\src\\c.test.js"/></testsuite>',
    )
    results, problems = read_results(tmp_path, ["out/*.xml"])
    assert problems == []
    assert results == [
        TestResult("works", "pkg.Suite", "src/b.test.js", "passed"),
        TestResult("w2", "pkg.Suite", "src/c.test.js", "passed"),
        TestResult("test_help", "test_cli", "app/tests/test_cli.py", "passed"),
    ]


def test_namespaced_and_nested_suites(tmp_path: Path) -> None:
    write(
        tmp_path,
        "r.xml",
        '<j:testsuites xmlns:j="urn:x"><j:testsuite name="outer"><j:testsuite name="inner">'
        '<j:testcase name="t1"><j:failure/></j:testcase></j:testsuite>'
        '<j:testcase name="t2"/></j:testsuite></j:testsuites>',
    )
    results, problems = read_results(tmp_path, ["*.xml"])
    assert problems == []
    assert results == [
        TestResult("t1", "inner", None, "failed"),
        TestResult("t2", "outer", None, "passed"),
    ]


def test_glob_without_match_is_not_a_problem(tmp_path: Path) -> None:
    assert read_results(tmp_path, ["reports/*.xml", "nothing/**/TEST-*.xml"]) == ([], [])
    assert read_results(tmp_path, []) == ([], [])


def test_bad_patterns_are_problems(tmp_path: Path) -> None:
    results, problems = read_results(tmp_path, ["/etc/*.xml", "../*.xml", ""])
    assert results == []
    assert {p.path for p in problems} == {"/etc/*.xml", "../*.xml", ""}


def test_directories_matching_the_glob_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "reports" / "dir.xml").mkdir(parents=True)
    assert read_results(tmp_path, ["reports/*.xml"]) == ([], [])


# ---------------------------------------------------------------------------------------------
# Hostile and broken files: a problem naming the file and the reason, never parsed, never raised

BILLION_LAUGHS = """\
<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<testsuite name="lolz"><testcase classname="x" name="&lol9;"/></testsuite>
"""

EXTERNAL_ENTITY = """\
<?xml version="1.0"?>
<!DOCTYPE testsuite [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<testsuite name="s"><testcase classname="x" name="&x;"/></testsuite>
"""

EXTERNAL_DTD = """\
<?xml version="1.0"?>
<!DOCTYPE testsuite SYSTEM "http://example.invalid/junit.dtd">
<testsuite name="s"><testcase classname="x" name="t"/></testsuite>
"""

INTERNAL_DTD = """\
<?xml version="1.0"?>
<!DOCTYPE testsuite [<!ELEMENT testsuite (testcase*)>]>
<testsuite name="s"><testcase classname="x" name="t"/></testsuite>
"""


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (BILLION_LAUGHS, "entity expansion"),
        (EXTERNAL_ENTITY, "external entity"),
        (EXTERNAL_DTD, "DTD"),
        (INTERNAL_DTD, "DTD"),
        (
            '<!DOCTYPE t [<!ENTITY % p SYSTEM "http://example.invalid/p.dtd"> %p;]><testsuite/>',
            "external entity",
        ),
        ("<testsuite><testcase name='a'>\n<failure>\n</testsuite>", "malformed XML at line 3"),
        ("", "empty"),
        ("  \n\t\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"),
        (b"\xff\xd8\xff\xe0garbage", "malformed XML at line 1"),
        ("<html><body>not a report</body></html>", "not JUnit XML"),
        ("just some text", "malformed XML at line 1"),
        ('<?xml version="1.0" encoding="klingon"?><testsuite/>', "malformed XML"),
    ],
    ids=[
        "billion-laughs",
        "external-entity",
        "external-dtd",
        "internal-dtd",
        "parameter-entity",
        "malformed",
        "empty",
        "blank",
        "binary",
        "not-utf8",
        "html",
        "text",
        "unknown-encoding",
    ],
)
def test_hostile_or_broken_files_are_refused(
    tmp_path: Path, content: str | bytes, reason: str
) -> None:
    # verifies: REQ-402
    write(tmp_path, "reports/good.xml", SUREFIRE_XML)
    write(tmp_path, "reports/bad.xml", content)
    results, problems = read_results(tmp_path, ["reports/*.xml"])
    assert len(problems) == 1
    assert problems[0].path == "reports/bad.xml"
    assert reason in problems[0].message
    # the other file is still read, and nothing of the bad one leaks in
    assert len(results) == 8
    assert {r.classname for r in results} == {"com.acme.FooTest", "com.acme.FooTest$Nested"}


def test_hostile_files_are_never_expanded(tmp_path: Path) -> None:
    # verifies: REQ-402
    write(tmp_path, "a.xml", BILLION_LAUGHS)
    write(tmp_path, "b.xml", EXTERNAL_ENTITY)
    results, problems = read_results(tmp_path, ["*.xml"])
    assert results == []
    assert [p.path for p in problems] == ["a.xml", "b.xml"]
    assert all("refused, not parsed" in p.message for p in problems)
    assert all("root:" not in p.message for p in problems)  # nothing of /etc/passwd


def test_huge_files_are_refused_without_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(junit, "MAX_RESULT_BYTES", 100)
    write(tmp_path, "big.xml", "<testsuite>" + "<testcase name='t'/>" * 10 + "</testsuite>")
    write(tmp_path, "small.xml", "<testsuite><testcase name='t'/></testsuite>")
    results, problems = read_results(tmp_path, ["*.xml"])
    assert results == [TestResult("t", "", None, "passed")]
    assert len(problems) == 1
    assert problems[0].path == "big.xml"
    assert "limit" in problems[0].message


def test_the_real_limit_is_50_mib() -> None:
    assert junit.MAX_RESULT_BYTES == 50 * 1024 * 1024


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks here")
def test_symlink_out_of_the_repository_is_refused(tmp_path: Path) -> None:
    outside = write(tmp_path, "outside/secret.xml", "<testsuite><testcase name='s'/></testsuite>")
    repo = tmp_path / "repo"
    (repo / "reports").mkdir(parents=True)
    (repo / "reports" / "link.xml").symlink_to(outside)
    results, problems = read_results(repo, ["reports/*.xml"])
    assert results == []
    assert problems == [
        ResultProblem(
            "reports/link.xml",
            "refused: it leads through a symbolic link to outside the repository; not read",
        )
    ]


def test_deep_nesting_does_not_raise(tmp_path: Path) -> None:
    depth = 50_000
    write(tmp_path, "deep.xml", "<testsuite>" * depth + "</testsuite>" * depth)
    results, problems = read_results(tmp_path, ["deep.xml"])
    assert results == []
    assert problems == []


# ---------------------------------------------------------------------------------------------
# Matching


@pytest.mark.parametrize(
    ("test", "expected"),
    [
        # pytest: file path + function; parametrised cases aggregated; classes
        ("tests/test_export.py::test_csv", "passed"),
        ("tests/test_export.py::test_rows", "failed"),  # one case failed
        ("tests/test_export.py::test_rows[1]", "passed"),  # a single case
        ("tests/test_export.py::test_rows[a-b]", "failed"),
        ("tests/test_export.py::test_rows[c::d]", "passed"),
        ("tests/test_export.py::test_later", "skipped"),  # all cases skipped
        ("tests/test_export.py::TestLedger::test_totals", "passed"),
        ("tests/test_export.py::TestLedger::test_rounding", "failed"),  # error -> failed
        ("tests/test_export.py::test_totals", "unknown"),  # not at module level
        ("tests/test_other.py::test_csv", "unknown"),
        ("tests/unit/test_io.py::test_read", "passed"),
        ("./tests\\unit\\test_io.py::test_read", "passed"),
        ("tests/test_io.py::test_read", "unknown"),  # another module
        ("tests/test_export.py::test_missing", "unknown"),
        # Surefire / JUnit: simple class name + method
        ("FooTest::testBar", "passed"),
        ("FooTest::testBaz", "failed"),
        ("FooTest::testQux", "skipped"),
        ("FooTest::testBoom", "failed"),
        ("FooTest::testParams", "passed"),
        ("FooTest::testFlaky", "passed"),
        ("com.acme.FooTest::testBar", "passed"),
        ("org.other.FooTest::testBar", "unknown"),
        ("src/test/java/com/acme/FooTest.java::testBaz", "failed"),
        ("Nested::testInner", "passed"),
        ("FooTest::Nested::testInner", "passed"),
        ("BarTest::testBar", "unknown"),
        ("OtherFooTest::testBar", "unknown"),
        # go-junit-report: test name, package from the directory
        ("pkg/ledger/ledger_test.go::TestExport", "passed"),
        ("pkg/ledger/ledger_test.go::TestExport/empty", "passed"),
        ("pkg/ledger/ledger_test.go::TestImport", "failed"),
        ("pkg/ledger/ledger_test.go::TestSlow", "skipped"),
        ("cmd/tool/main_test.go::TestImport", "passed"),  # same name, other package
        ("svc/pkg/ledger/ledger_test.go::TestExport", "passed"),
        ("ledger_test.go::TestImport", "unknown"),  # ambiguous: two packages
        ("ledger_test.go::TestSlow", "skipped"),  # only one package has it
        ("pkg/ledger/ledger_test.go::TestNope", "unknown"),
        # jest-junit: test name suffix (+ file when the report has it)
        ("src/a.test.ts::exports rows", "passed"),  # also "importer exports rows", no file
        ("src/a.test.ts::rejects empty input", "failed"),
        ("src/a.test.ts::handles unicode", "skipped"),
        ("src/a.test.ts::CSV export::rejects empty input", "failed"),
        ("src/b.test.ts::rejects empty input", "unknown"),  # the file does not match
        ("src/a.test.ts::ports rows", "unknown"),  # a suffix of a word is not a title
        ("src/a.test.ts::nothing", "unknown"),
        # a bare name
        ("TestSlow", "skipped"),
        ("test_rows", "failed"),
        ("", "unknown"),
        ("::", "unknown"),
    ],
)
def test_result_for(reports: Path, test: str, expected: str) -> None:
    # verifies: REQ-402
    assert result_for(read_all(reports), test) == expected


def test_jest_name_suffix_across_files(reports: Path) -> None:
    results = read_all(reports)
    index = ResultIndex(results)
    cases = index.cases("src/a.test.ts::exports rows")
    # the case with file="src/a.test.ts" and the one without a file attribute
    assert [c.name for c in cases] == ["CSV export exports rows", "importer exports rows"]
    assert [c.name for c in index.cases("src/z.test.ts::exports rows")] == ["importer exports rows"]


def test_vitest_classname_is_the_file(tmp_path: Path) -> None:
    write(
        tmp_path,
        "vitest.xml",
        '<testsuites><testsuite name="src/a.test.ts">'
        '<testcase classname="src/a.test.ts" name="CSV &gt; exports rows"><failure/></testcase>'
        "</testsuite></testsuites>",
    )
    results, _ = read_results(tmp_path, ["vitest.xml"])
    assert result_for(results, "src/a.test.ts::exports rows") == "failed"
    assert result_for(results, "src/b.test.ts::exports rows") == "unknown"


def test_pytest_with_another_rootdir_and_file_attribute(tmp_path: Path) -> None:
    write(tmp_path, "out/x1.xml", PYTEST_XUNIT1_XML)  # classname "test_cli", file app/tests/...
    results, _ = read_results(tmp_path, ["out/*.xml"])
    assert result_for(results, "app/tests/test_cli.py::test_help") == "passed"
    assert result_for(results, "tests/test_cli.py::test_help") == "passed"
    assert result_for(results, "other/test_cli.py::test_help") == "unknown"  # file differs
    assert result_for(results, "app/tests/test_cli.py::TestX::test_help") == "unknown"


def test_exact_classname_wins_over_suffix() -> None:
    results = [
        TestResult("test_a", "tests.test_x", None, "passed"),
        TestResult("test_a", "test_x", None, "failed"),  # another run, another rootdir
    ]
    assert result_for(results, "tests/test_x.py::test_a") == "passed"
    assert result_for(results, "test_x.py::test_a") == "failed"


def test_same_test_in_two_reports_is_aggregated() -> None:
    # verifies: REQ-402
    results = [
        TestResult("testBar", "com.acme.FooTest", None, "passed"),
        TestResult("testBar", "com.acme.FooTest", None, "failed"),
    ]
    assert result_for(results, "FooTest::testBar") == "failed"
    assert result_for([], "FooTest::testBar") == "unknown"


def test_aggregate() -> None:
    assert junit.aggregate([]) == "unknown"
    assert junit.aggregate(["skipped", "skipped"]) == "skipped"
    assert junit.aggregate(["skipped", "passed"]) == "passed"
    assert junit.aggregate(["passed", "skipped", "failed"]) == "failed"


def test_utf16_report_with_bom_is_read(tmp_path: Path) -> None:
    text = '<?xml version="1.0" encoding="UTF-16"?><testsuite><testcase name="t"/></testsuite>'
    write(tmp_path, "r.xml", text.encode("utf-16"))
    assert read_results(tmp_path, ["r.xml"]) == ([TestResult("t", "", None, "passed")], [])
