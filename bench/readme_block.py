"""A marked block of the project README, replaced by the figures of a benchmark.

`bench/scale.py` writes between `<!-- bench-scale:start -->` and `<!-- bench-scale:end -->`,
`bench/compare.py` between the `bench-compare` markers. Everything else in the file, the
markers included, stays byte for byte (CRLF line endings too), and the file is replaced
atomically: a temporary file renamed over it.
"""

# implements: REQ-611
# implements: REQ-612

from __future__ import annotations

import os
import tempfile
from pathlib import Path


class BlockError(ValueError):
    """The README has not exactly one well-ordered pair of the markers, or cannot be read."""


def markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}:start -->", f"<!-- {name}:end -->"


def replace_block(text: str, block: str, name: str) -> str:
    """`text` with what lies between the `name` markers replaced by `block`."""
    start, end = markers(name)
    starts, ends = text.count(start), text.count(end)
    if starts != 1 or ends != 1:
        raise BlockError(f"expected {start} and {end} once each, found {starts} and {ends}")
    begin = text.index(start) + len(start)
    finish = text.index(end)
    if finish < begin:
        raise BlockError(f"{end} comes before {start}")
    newline = "\r\n" if text[begin : begin + 2] == "\r\n" else "\n"
    body = block.replace("\n", newline)
    if not body.endswith(newline):
        body += newline
    return text[:begin] + newline + body + text[finish:]


def write_block(path: Path, block: str, name: str) -> bool:
    """Put `block` between the `name` markers of the file at `path`; True if it changed."""
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BlockError(f"cannot read {path} as UTF-8 text: {exc}") from exc
    new = replace_block(text, block, name).encode("utf-8")
    if new == raw:
        return False
    fd, tmp = tempfile.mkstemp(prefix=".README.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(new)
        os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True
