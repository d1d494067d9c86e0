"""`check --format gitlab`: a GitLab Code Quality report, shown in the merge request.

The report is the subset of the Code Climate format GitLab reads: one issue per finding with its
description, check name (the code), severity (error: major, warning: minor), location (path and
line) and a fingerprint. The fingerprint is a digest of the code, the path, the message and how
many findings of the same kind came before it in that file, not of the line: a finding that
only moves (a line added above it) stays the same issue, so the merge request shows what a
change introduced and what it fixed.
"""

# implements: REQ-105

from __future__ import annotations

import hashlib
import pathlib
from collections import Counter

from reqforge.model import ERROR, CheckResult, Finding
from reqforge.render import strict_json


def render(result: CheckResult, *, root: pathlib.Path | None = None, color: bool = False) -> str:
    """The Code Quality JSON of `result` (`root`, `color` unused), with a trailing newline."""
    seen: Counter[tuple[str, str, str]] = Counter()
    issues = []
    for finding in sorted(result.findings, key=Finding.sort_key):
        kind = (finding.code, finding.path, finding.message)
        seen[kind] += 1
        text = "\0".join((*kind, str(seen[kind]))).encode("utf-8", "surrogatepass")
        issues.append(
            {
                "description": f"{finding.code}: {finding.message}",
                "check_name": finding.code,
                "fingerprint": hashlib.sha256(text).hexdigest(),
                "severity": "major" if finding.severity == ERROR else "minor",
                "location": {"path": finding.path, "lines": {"begin": max(1, finding.line)}},
            }
        )
    return strict_json.dumps(issues, indent=2) + "\n"
