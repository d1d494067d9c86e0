"""`check --format json`: the stable machine-readable shape of SPEC section 5.

Named `json_format` so that it never shadows the standard library's `json` module.
"""

# implements: REQ-105

from __future__ import annotations

import pathlib
from typing import Any

from reqforge.model import ERROR, WARNING, CheckResult, Finding
from reqforge.render import strict_json


def to_document(result: CheckResult) -> dict[str, Any]:
    """The JSON document for `result` as plain data (keys in SPEC order, findings sorted)."""
    return {
        "ok": result.ok,
        "counts": {
            "requirements": result.requirements,
            "files": result.files,
            ERROR: result.errors,
            WARNING: result.warnings,
        },
        "findings": [f.to_json() for f in sorted(result.findings, key=Finding.sort_key)],
    }


# implements: REQ-010
def render(result: CheckResult, *, root: pathlib.Path | None = None, color: bool = False) -> str:
    """Render `result` as indented UTF-8 JSON with a trailing newline (`root`, `color` unused)."""
    return strict_json.dumps(to_document(result), indent=2) + "\n"
