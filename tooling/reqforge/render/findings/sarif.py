"""`check --format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

One run; the driver lists every rule of the registry (not only those that fired) so viewers can
show the explanation of any code. Locations are relative to `%SRCROOT%`, whose absolute URI is
deliberately left out: the log must not depend on where the repository was checked out.
"""

# implements: REQ-105

from __future__ import annotations

import pathlib
import re
import urllib.parse
from typing import Any

from reqforge import __version__
from reqforge.checks.registry import RULES, Rule
from reqforge.i18n import translator
from reqforge.model import ERROR, WARNING, CheckResult, Finding
from reqforge.render import strict_json

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
INFORMATION_URI = "https://github.com/reqforge/reqforge"
SRCROOT = "%SRCROOT%"


def rule_name(summary: str) -> str:
    """A CamelCase rule name from a summary: 'ID does not match the pattern' -> 'IdDoesNot...'."""
    words = re.findall(r"[A-Za-z0-9]+", summary)
    return "".join(word[:1].upper() + word[1:].lower() for word in words)


def level(severity: str) -> str:
    """The SARIF level of a finding severity."""
    if severity in (ERROR, WARNING):
        return severity
    return "note"


def _example(text: str) -> str:
    # The registry writes line breaks of its examples as a literal backslash-n.
    return text.replace("\\n", "\n")


def _indented(text: str) -> str:
    return "\n".join("    " + line for line in _example(text).splitlines())


def rule_descriptor(rule: Rule, language: str = "en") -> dict[str, Any]:
    """The SARIF `reportingDescriptor` of one registry rule: its id and name stay English, its
    descriptions are in `language`."""
    _ = translator(language)
    why, bad, good = _(rule.why), _("Bad:"), _("Good:")
    help_text = f"{why}\n\n{bad}\n{_indented(rule.bad)}\n\n{good}\n{_indented(rule.good)}"
    help_markdown = (
        f"{why}\n\n{bad}\n\n```\n{_example(rule.bad)}\n```\n\n"
        f"{good}\n\n```\n{_example(rule.good)}\n```"
    )
    return {
        "id": rule.code,
        "name": rule_name(rule.summary),
        "shortDescription": {"text": _(rule.summary)},
        "fullDescription": {"text": why},
        "help": {"text": help_text, "markdown": help_markdown},
        "defaultConfiguration": {"level": level(rule.severity)},
    }


def artifact_uri(path: str) -> str:
    """A relative POSIX path as a URI reference (spaces and non-ASCII percent-encoded)."""
    return urllib.parse.quote(path, safe="/")


def sarif_result(finding: Finding, rule_index: dict[str, int]) -> dict[str, Any]:
    """The SARIF `result` of one finding; `rule_index` maps codes to positions in `rules`."""
    out: dict[str, Any] = {"ruleId": finding.code}
    if finding.code in rule_index:
        out["ruleIndex"] = rule_index[finding.code]
    out["level"] = level(finding.severity)
    out["message"] = {"text": finding.message}
    if finding.path:
        physical: dict[str, Any] = {
            "artifactLocation": {"uri": artifact_uri(finding.path), "uriBaseId": SRCROOT}
        }
        # A finding about the whole file (line 0) has no region: SARIF lines start at 1.
        if finding.line > 0:
            region: dict[str, int] = {"startLine": finding.line}
            if finding.column > 0:
                region["startColumn"] = finding.column
            physical["region"] = region
        out["locations"] = [{"physicalLocation": physical}]
    if finding.id:
        out["properties"] = {"requirement": finding.id}
    return out


def to_document(result: CheckResult, language: str = "en") -> dict[str, Any]:
    """The SARIF log for `result` as plain data (rule descriptions in `language`)."""
    rules = list(RULES.values())
    rule_index = {rule.code: index for index, rule in enumerate(rules)}
    run = {
        "tool": {
            "driver": {
                "name": "reqforge",
                "version": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [rule_descriptor(rule, language) for rule in rules],
            }
        },
        "originalUriBaseIds": {
            SRCROOT: {"description": {"text": "The root of the requirements repository."}}
        },
        # Finding columns count Unicode characters, not UTF-16 code units (SARIF's default).
        "columnKind": "unicodeCodePoints",
        "results": [
            sarif_result(f, rule_index) for f in sorted(result.findings, key=Finding.sort_key)
        ],
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def render(
    result: CheckResult,
    *,
    root: pathlib.Path | None = None,
    color: bool = False,
    language: str = "en",
) -> str:
    """Render `result` as a SARIF 2.1.0 log (indented JSON, trailing newline).

    `root` and `color` are unused: locations are relative to `%SRCROOT%`.
    """
    return strict_json.dumps(to_document(result, language), indent=2) + "\n"
