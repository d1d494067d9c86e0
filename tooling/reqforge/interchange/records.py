"""What every importer reads another tool's data into, before it becomes requirement files.

A reader (`tabular.py` for CSV and XLSX, `doorstop.py`, `reqif_import.py`, `needs_json.py`,
`json_model.py`) turns its source into a `Source`: one `Record` per requirement it found, in
our field names, with links still naming the source's own IDs, and one `Skipped` per thing it
left out and why. `importing.py` then chooses IDs, rewrites links, validates every record and
only then writes files: a reader writes nothing and raises `SourceError` (naming the file and
the place in it) for input it cannot read at all.
"""

# implements: REQ-707

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reqforge.errors import ReqforgeError
from reqforge.i18n import Text


@dataclass
class Record:
    """One requirement read from a source.

    key: its ID in the source (what the source's links name); fields: its front matter in our
    names, nested (`{"priority": {"moscow": "must"}}`), without `links` and without `id` unless
    the source gave an ID meant to be kept; links: relation -> the source keys it links to;
    place: where it is, for messages ("reqs.csv: row 7", "doors.reqif:120"); area: a folder
    under the requirements folder it belongs in ("" for none); raw: the source's columns or
    attributes that the reader gave no field (by their name there, values as text, lists or
    numbers): `--map` moves some into fields, the rest are kept in `origin.attributes`."""

    key: str
    fields: dict[str, Any]
    body: str = ""
    links: dict[str, list[str]] = field(default_factory=dict)
    place: str = ""
    area: str = ""
    raw: dict[str, Any] = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)  # other names the source's links use
    # the body is a file's text after its front matter, exactly (our own exports): written
    # as it is; any other body is written after a blank line
    exact: bool = False


@dataclass(frozen=True)
class Skipped:
    """Something a reader (or the import) left out, where it was and why."""

    place: str
    reason: Text | str
    # a reference to something the source does not hold (a SPEC-RELATION to a missing
    # SPEC-OBJECT): the import stops on one unless --skip-broken
    broken: bool = False


@dataclass
class Source:
    """What one reader found: the records in the source's order, what it skipped, and the
    name of the tool (`origin.tool` of every record: "doorstop", "reqif", "csv"...)."""

    tool: str
    records: list[Record] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


class SourceError(ReqforgeError):
    """The source cannot be read at all (empty, not the format, malformed, too large, entity
    declarations): the message names the file and the place. Nothing is written."""

    exit_code = 2


def set_dotted(data: dict[str, Any], dotted: str, value: Any) -> Any:
    """Set the field `dotted` ("priority.ice.impact") of `data`, making the mappings on the
    way; returns what the field held before (None when it was not there)."""
    parts = dotted.split(".")
    node = data
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    old = node.get(parts[-1])
    node[parts[-1]] = value
    return old


def source_error(place: str, problem: Text | str) -> SourceError:
    """`SourceError` for `problem` at `place` ("file", "file:line", "file: row 3")."""
    return SourceError(Text("{place}: {problem}", place=place, problem=problem))


def area_of(path: str, reqs_dir: str) -> str:
    """The folder under the requirements folder that `path` (a file an export named) is in."""
    parts = path.split("/")
    if len(parts) < 2 or parts[0] != reqs_dir:
        return ""
    return "/".join(parts[1:-1])


SOURCE_LIMIT = 64 * 1024 * 1024  # bytes: a larger source is refused, not read


def read_source(path: Path, place: str, limit: int = SOURCE_LIMIT) -> bytes:
    """The bytes of the source file `path` (a regular file of at most `limit` bytes; a
    symbolic link, a FIFO or a device is refused). Raises SourceError."""
    from reqforge.safe_read import read_regular

    try:
        data, _ = read_regular(path, limit, inside_root=str(path.resolve().parent))
    except OSError as exc:
        raise source_error(
            place, Text("cannot be read: {reason}", reason=exc.strerror or exc)
        ) from None
    if not data.strip():
        raise source_error(place, Text("the file is empty: nothing to import"))
    return data
