"""`check --format junit`: JUnit XML, one test case per checked file, for CI test dashboards.

A file with error findings fails (one `<failure>` listing all its findings); a file with only
warnings passes and lists them in `<system-out>`; a clean file passes silently.
"""

# implements: REQ-105

from __future__ import annotations

import pathlib
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from reqforge.i18n import plural_translator
from reqforge.model import ERROR, CheckResult, Finding

SUITE_NAME = "reqforge check"
CLASS_NAME = "reqforge.check"

# Characters XML 1.0 cannot carry at all, not even as character references.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """`text` with characters XML 1.0 forbids (most control characters) replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def finding_line(finding: Finding) -> str:
    """One finding as `line:col CODE severity message` (continuation lines indented)."""
    message = finding.message.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\n    ")
    return f"{finding.line}:{finding.column} {finding.code} {finding.severity} {message}"


def _testcase(path: str, findings: list[Finding], language: str) -> ET.Element:
    case = ET.Element("testcase", {"classname": CLASS_NAME, "name": xml_text(path)})
    if not findings:
        return case
    listing = xml_text("\n".join(finding_line(f) for f in findings) + "\n")
    errors = [f for f in findings if f.severity == ERROR]
    if errors:
        first = errors[0]
        message = f"{first.code} {first.message}"
        if len(errors) > 1:
            ngettext = plural_translator(language)
            more = ngettext(
                "(and {count} more error)", "(and {count} more errors)", len(errors) - 1
            )
            message += " " + more.format(count=len(errors) - 1)
        failure = ET.SubElement(case, "failure", {"type": first.code, "message": xml_text(message)})
        failure.text = listing
    else:
        ET.SubElement(case, "system-out").text = listing
    return case


def render(
    result: CheckResult,
    *,
    root: pathlib.Path | None = None,
    color: bool = False,
    paths: Sequence[str] = (),
    language: str = "en",
) -> str:
    """Render `result` as JUnit XML with a UTF-8 declaration and a trailing newline (the
    failure summaries' own words in `language`).

    `paths` lists every checked file so that clean files appear as passing test cases; files
    with findings are included whether listed or not. Test cases are sorted by path. `root` and
    `color` are unused.
    """
    by_path: dict[str, list[Finding]] = {path: [] for path in paths}
    for finding in sorted(result.findings, key=Finding.sort_key):
        by_path.setdefault(finding.path, []).append(finding)
    cases = [_testcase(path, by_path[path], language) for path in sorted(by_path)]
    failures = sum(1 for path in by_path if any(f.severity == ERROR for f in by_path[path]))
    counts = {"tests": str(len(cases)), "failures": str(failures), "errors": "0", "skipped": "0"}
    suites = ET.Element("testsuites", {"name": "reqforge", **counts})
    suite = ET.SubElement(suites, "testsuite", {"name": SUITE_NAME, **counts})
    suite.extend(cases)
    ET.indent(suites)
    body = ET.tostring(suites, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'
