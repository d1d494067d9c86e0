"""A source tree for the trace tests: files written under tmp_path, the default marker."""

from __future__ import annotations

import textwrap
from pathlib import Path

from reqforge.config import DEFAULT_ID_PATTERN, DEFAULT_MARKER, TraceConfig
from reqforge.trace.markers import compile_marker

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
