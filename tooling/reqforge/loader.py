"""One requirement file -> parsed front matter, safely; and key paths -> line and column.

Parsing uses yaml-rs (a Rust YAML 1.2 parser, about ten times faster than PyYAML's libyaml
loader) with bounded alias expansion; no tag can construct an object. Line and column of a key
are only needed for files that have findings, so they are found lazily by composing the front
matter with PyYAML's C composer (`key_positions`), never during the fast path.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import yaml_rs

from reqforge.safe_read import inside_reader, read_inside

if TYPE_CHECKING:
    from reqforge.config import Config

from reqforge.i18n import N_, Text

KeyPath = tuple[str | int, ...]

# implements: REQ-008
MAX_DEPTH = 32  # requirement front matter needs 4 levels; 32 is generous and still safe
MAX_ALIAS_EVENTS = 10_000  # events replayed through aliases, in total, per file
_ALIAS_LIMITS = yaml_rs.AliasLimits(
    max_total_replayed_events=MAX_ALIAS_EVENTS, max_replay_stack_depth=16
)
_YAML_ERROR_AT = re.compile(r"at line (\d+), column (\d+)")
_STANDARD_TAGS = frozenset({"str", "int", "float", "bool", "null", "seq", "map"})
_CLOSING = ("---", "...")


@lru_cache(maxsize=1)
def _yaml() -> Any:
    """PyYAML, imported on first use: only files with findings (or tags) need it."""
    import yaml

    return yaml


def _composer() -> type:
    """PyYAML's C loader when libyaml is present; the pure-Python one otherwise."""
    yaml = _yaml()
    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, slots=True)
class Problem:
    """A load failure: finding code, 1-based line and column, message."""

    code: str
    line: int
    column: int
    message: str


@dataclass(frozen=True, slots=True)
class ParsedFile:
    """A file whose front matter parsed into a mapping."""

    data: dict[str, Any]
    front_matter: str  # the YAML text between the fences (LF line endings)
    body_line: int  # 1-based line of the first body line
    body: str


# implements: REQ-010
def decode(raw: bytes) -> str | Problem:
    """UTF-8 (with or without BOM) -> text with LF line endings, or an RF001 problem."""
    if b"\x00" in raw:
        line, column = _line_col_of_offset(raw, raw.index(b"\x00"))
        return Problem(
            "RF001", line, column, Text("binary file (contains NUL bytes); expected UTF-8 text")
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _line_col_of_offset(raw, exc.start)
        return Problem(
            "RF001",
            line,
            column,
            Text(
                "not valid UTF-8 (byte 0x{byte:02x} at line {line}); save the file as UTF-8",
                byte=raw[exc.start],
                line=line,
            ),
        )
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _line_col_of_offset(raw: bytes, offset: int) -> tuple[int, int]:
    line_start = raw.rfind(b"\n", 0, offset) + 1
    column = len(raw[line_start:offset].decode("utf-8", errors="replace")) + 1
    return raw.count(b"\n", 0, offset) + 1, column


# implements: REQ-001
# implements: REQ-101
def split_front_matter(text: str) -> tuple[str, int, str] | Problem:
    """Text -> (front matter, body line, body) or an RF002 problem."""
    if not (text.startswith("---\n") or text.rstrip(" \t") == "---" or text.startswith("--- \n")):
        first = text.split("\n", 1)[0][:40]
        return Problem(
            "RF002",
            1,
            1,
            Text(
                "no front matter: the file must start with a '---' line, found {first!r}",
                first=first,
            ),
        )
    start = text.index("\n") + 1 if "\n" in text else len(text)
    # Fast path: the closing fence is almost always the first "\n---\n".
    end = text.find("\n---", start - 1)
    while end != -1:
        after = text.find("\n", end + 1)
        fence = text[end + 1 : after if after != -1 else len(text)].rstrip(" \t")
        if fence in _CLOSING:
            front = text[start : end + 1] if end + 1 > start else ""
            body_line = front.count("\n") + 3
            body = text[after + 1 :] if after != -1 else ""
            return front, body_line, body
        end = text.find("\n---", end + 1)
    # YAML's document-end marker "..." closes front matter too.
    match = re.search(r"^\.\.\.[ \t]*$", text[start:], re.MULTILINE)
    if match:
        front = text[start : start + match.start()]
        rest = text[start + match.end() + 1 :]
        return front, front.count("\n") + 3, rest
    return Problem(
        "RF002",
        1,
        1,
        Text("front matter is not closed: expected a '---' line after the fields"),
    )


# implements: REQ-008
# implements: REQ-101
def parse_front_matter(
    front: str, first_line: int = 2, what: str = "front matter"
) -> dict[str, Any] | Problem:
    """YAML front matter -> a mapping, or an RF003/RF004 problem (lines are file lines)."""
    try:
        data = yaml_rs.loads(front, parse_datetime=False, alias_limits=_ALIAS_LIMITS)
    except yaml_rs.YAMLDecodeError as exc:
        return _yaml_problem(str(exc), front, first_line)
    except TypeError as exc:  # a key that holds a mapping or list cannot be hashed
        return (
            _collection_key_problem(front, first_line)
            if "unhashable" in str(exc)
            else (Problem("RF003", first_line, 1, Text("YAML error: {error}", error=str(exc))))
        )
    except (ValueError, OverflowError, RecursionError) as exc:  # defensive
        return Problem("RF003", first_line, 1, Text("YAML error: {error}", error=str(exc)))
    if "!" in front:
        tag = _custom_tag(front)
        if tag is not None:
            line, column, name = tag
            return Problem(
                "RF003",
                line + first_line,
                column + 1,
                Text(
                    "YAML tag '{name}' is not allowed: front matter holds plain values only",
                    name=name,
                ),
            )
    if data is None:
        return {}
    if not isinstance(data, dict):
        return Problem(
            "RF003",
            first_line,
            1,
            Text("{what} must be a mapping, got a {kind}", what=Text(what), kind=_kind(data)),
        )
    if _may_be_deep(front) and _too_deep(data):
        deep = Text("front matter is nested deeper than {depth} levels", depth=MAX_DEPTH)
        return Problem("RF004", first_line, 1, deep)
    # A mapping or list as a key is a flow collection closed right before its `:` (`[a]: b`,
    # `{a: 1}: b`), an explicit `? ` key, or an alias of a collection (`*x : b`); the walk
    # over the data runs only when the text has one of them (few files do).
    if ("?" in front or "*" in front or _CLOSED_KEY.search(front)) and _has_collection_key(data):
        return _collection_key_problem(front, first_line)
    return data


def _kind(data: Any) -> str:
    kinds = {list: N_("list"), str: N_("text"), int: N_("number"), float: N_("number")}
    kind = {**kinds, bool: N_("boolean")}.get(type(data))
    return Text(kind) if kind else type(data).__name__


# implements: REQ-008
# implements: REQ-101
def _yaml_problem(message: str, front: str, first_line: int) -> Problem:
    lowered = message.lower()
    if "alias" in lowered and ("limit" in lowered or "exceed" in lowered):
        return Problem(
            "RF004",
            first_line,
            1,
            Text(
                "YAML aliases expand beyond {limit} nodes (an alias bomb?): refused",
                limit=MAX_ALIAS_EVENTS,
            ),
        )
    if "recursion" in lowered or "depth" in lowered or "too deep" in lowered:
        deep = Text("front matter is nested too deeply: {detail}", detail=_last_line(message))
        return Problem("RF004", first_line, 1, deep)
    if lowered.startswith("duplicate mapping key"):
        # yaml_rs names the key after a colon, unless it cannot print it (a huge integer).
        key = message.partition(":")[2].strip()
        line, column = _duplicate_key_position(front)
        duplicate = Text("duplicate key {key}", key=key) if key else Text("duplicate key")
        return Problem("RF003", line + first_line, column + 1, duplicate)
    if lowered.startswith("invalid tag"):
        tag = _custom_tag(front)
        line, column = (tag[0], tag[1]) if tag else (0, 0)
        name = message.split(":", 1)[1].strip()
        return Problem(
            "RF003",
            line + first_line,
            column + 1,
            Text("YAML tag {name} is not allowed: front matter holds plain values only", name=name),
        )
    match = _YAML_ERROR_AT.search(message)
    if match:
        line = int(match.group(1)) - 1 + first_line
        syntax = Text("YAML syntax error: {detail}", detail=_last_line(message))
        return Problem("RF003", line, int(match.group(2)), syntax)
    syntax = Text("YAML syntax error: {detail}", detail=_last_line(message))
    return Problem("RF003", first_line, 1, syntax)


def _last_line(message: str) -> str:
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    return lines[-1] if lines else message


# Nesting in YAML needs a flow bracket, more indentation, or a compact "- "/"? " entry on the
# same line. Front matter with few brackets, shallow indentation and short compact runs is
# therefore provably shallower than MAX_DEPTH (1 + 10 + 11 + 4 < 32), and needs no walk.
_COMPACT_RUN = re.compile(r"(?:[-?][ \t]+){5}")
_DEEP_INDENT = " " * 12


def _may_be_deep(front: str) -> bool:
    return (
        front.count("[") + front.count("{") > 10
        or "\n" + _DEEP_INDENT in front
        or front.startswith(_DEEP_INDENT)
        or "\t" in front
        or (("- -" in front or "? " in front) and _COMPACT_RUN.search(front) is not None)
    )


def _too_deep(data: Any) -> bool:
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node if isinstance(v, (dict, list)))
    return False


_CLOSED_KEY = re.compile(r"[\]}]\s*:")


def _has_collection_key(data: dict[Any, Any]) -> bool:
    """True when some mapping has a key that is a mapping or list (YAML allows it; yaml_rs
    gives a frozenset or a tuple, which no field, JSON output or message could name)."""
    stack: list[Any] = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if any(type(key) in (frozenset, tuple) for key in node):
                return True
            stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
        else:
            stack.extend(v for v in node if isinstance(v, (dict, list)))
    return False


def _collection_key_problem(front: str, first_line: int) -> Problem:
    """RF003 at the first key that is a mapping or list (YAML allows them; front matter,
    whose keys are field names, does not)."""
    yaml = _yaml()
    line = column = 0
    try:
        stack = [yaml.compose(front, Loader=_composer())]
    except (yaml.YAMLError, RecursionError):
        stack = []
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if not isinstance(key, yaml.ScalarNode):
                    line, column = key.start_mark.line, key.start_mark.column
                    stack.clear()
                    break
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    message = Text("a mapping or list cannot be a key: front matter keys are plain text")
    return Problem("RF003", line + first_line, column + 1, message)


def _custom_tag(front: str) -> tuple[int, int, str] | None:
    """The first non-standard tag as (0-based line, column, name), or None."""
    yaml = _yaml()
    try:
        for token in yaml.scan(front, Loader=_composer()):
            if isinstance(token, yaml.TagToken):
                handle, suffix = token.value
                if handle == "!!" and suffix in _STANDARD_TAGS:
                    continue
                return token.start_mark.line, token.start_mark.column, f"{handle or ''}{suffix}"
    except yaml.YAMLError:
        return None
    return None


def _duplicate_key_position(front: str) -> tuple[int, int]:
    yaml = _yaml()
    try:
        root = yaml.compose(front, Loader=_composer())
    except yaml.YAMLError:
        return 0, 0
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            seen: set[Any] = set()
            for key, value in node.value:
                if not isinstance(key, yaml.ScalarNode):  # unhashable; RF003 on its own
                    stack.append(value)
                    continue
                if key.value in seen:
                    return key.start_mark.line, key.start_mark.column
                seen.add(key.value)
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return 0, 0


# implements: REQ-001
def parse_file(raw: bytes) -> ParsedFile | Problem:
    """Bytes of a requirement file -> ParsedFile, or the first RF001-RF004 problem."""
    text = decode(raw)
    if isinstance(text, Problem):
        return text
    split = split_front_matter(text)
    if isinstance(split, Problem):
        return split
    front, body_line, body = split
    data = parse_front_matter(front)
    if isinstance(data, Problem):
        return data
    return ParsedFile(data=data, front_matter=front, body_line=body_line, body=body)


@lru_cache(maxsize=256)
def key_positions(front: str, first_line: int = 2) -> Mapping[KeyPath, tuple[int, int, int, int]]:
    """Every key path of the front matter -> (key line, key column, value line, value column).

    1-based file lines (the front matter starts at `first_line`). Only called for files that
    have findings. Unparseable front matter gives an empty mapping.
    """
    yaml = _yaml()
    try:
        root = yaml.compose(front, Loader=_composer())
    except (yaml.YAMLError, RecursionError):
        return {}
    positions: dict[KeyPath, tuple[int, int, int, int]] = {}
    stack: list[tuple[Any, KeyPath]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = (*path, str(key.value))
                positions[child] = (
                    key.start_mark.line + first_line,
                    key.start_mark.column + 1,
                    value.start_mark.line + first_line,
                    value.start_mark.column + 1,
                )
                stack.append((value, child))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                child = (*path, index)
                mark = (item.start_mark.line + first_line, item.start_mark.column + 1)
                positions[child] = (*mark, *mark)
                stack.append((item, child))
    return positions


# A top-level key with its value on the same line, in the plain block style nearly every
# requirement file uses: `title: Export invoices to CSV`.
_TOP_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*)[ \t]*:(?=[ \t]|\n|$)(?:[ \t]+([^ \t\n#|>&!*]))?")
_TOP_LINE = re.compile(r"^[^ \t\n#]", re.MULTILINE)
_OTHER_BREAKS = re.compile("[\r\x85\u2028\u2029]")


@lru_cache(maxsize=256)
def _top_keys(front: str) -> Mapping[str, tuple[int, int, int]]:
    """Top-level keys whose value starts on their own line -> (0-based line, key column,
    value column), read by a line scan; empty when the front matter is anything but a plain
    block mapping the scan reads for sure (then `key_positions` composes it). Composing the
    YAML costs about a millisecond a file; a `check` that reports RF403 on a hundred titles
    paid that for each."""
    if _OTHER_BREAKS.search(front):
        return {}  # YAML counts NEL, LS and PS as line breaks too: leave those to it
    lines = [match.start() for match in _TOP_LINE.finditer(front)]
    keys: dict[str, tuple[int, int, int]] = {}
    for start in lines:
        match = _TOP_KEY.match(front, start)
        # Every line at column 0 must be a simple key: no document marker or directive, no
        # flow mapping, quoted or complex key, list item, or quoted scalar running on.
        if match is None or match.group(1) in keys:
            return {}  # (a key written twice is the composer's to place)
        value = match.group(2)
        end = front.find("\n", start)
        text = front[start : end if end >= 0 else len(front)]
        if value in ("'", '"') and text.count(value) % 2:
            return {}  # a quoted scalar that goes on below: its lines may look like keys
        line = front.count("\n", 0, start)
        keys[match.group(1)] = (line, 1, 0 if value is None else match.start(2) - start + 1)
    return {key: place for key, place in keys.items() if place[2]}


# A second-level key in block style, below a top-level key written alone on its line.
_CHILD_KEY = re.compile(r"( +)([A-Za-z_][A-Za-z0-9_-]*)[ \t]*:(?=[ \t]|\n|$)[ \t]*")
_ALONE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*[ \t]*:[ \t]*(?:#.*)?$")
# A flow sequence of plain scalars on one line: `[AUTH-00033, CRM-00275]`.
_FLOW_LIST = re.compile(r"\[([^\[\]{}'\"#:]*)\][ \t]*(?:#.*)?$")
_NOT_PLAIN_START = frozenset("-?:,[]{}#&*!|>'\"%@`")


@lru_cache(maxsize=256)
def _nested_keys(front: str) -> Mapping[KeyPath, tuple[int, int, int]]:
    """`(top, key)` and `(top, key, index)` paths -> (0-based line, key column, value column)
    for the mappings written in block style below a top-level key (`links:` then
    `  parent: [REQ-1]`): each key whose value starts on its own line, and each item of a flow
    sequence of plain scalars written on one line (its key column is its own). Read by a line
    scan, like `_top_keys`, and only where it reads for sure: a block with a tab, a quoted
    scalar or a flow collection running on, a key written twice or anything but keys at one
    indentation (and deeper lines below them) is left to the composer."""
    if not _top_keys(front) or "\t" in front:
        return {}  # not the plain block mapping the top-level scan reads
    lines = front.split("\n")
    found: dict[KeyPath, tuple[int, int, int]] = {}
    number = 0
    while number < len(lines):
        line = lines[number]
        number += 1
        if not _ALONE.match(line):
            continue
        top = line.split(":", 1)[0].rstrip()
        indent = None
        block: dict[KeyPath, tuple[int, int, int]] = {}
        while number < len(lines):
            text = lines[number]
            stripped = text.lstrip(" ")
            if stripped and not stripped.startswith("#") and stripped == text:
                break  # the next top-level line
            number += 1
            if not stripped or stripped.startswith("#"):
                continue
            width = len(text) - len(stripped)
            if indent is None:
                indent = width
            if width > indent:
                continue  # within the value of the key above
            match = _CHILD_KEY.match(text)
            if width < indent or match is None or (top, match.group(2)) in block:
                block = {}
                indent = -1  # not what the scan reads: the whole block goes to the composer
                continue
            value = text[match.end() :]
            if value[:1] in ("'", '"', "[", "{", "&", "*", "!") and not _FLOW_LIST.match(value):
                # A quoted scalar or flow collection that may run on below, or a node with an
                # anchor, tag or alias (the composer places an alias where its anchor is).
                block = {}
                indent = -1
                continue
            key = (top, match.group(2))
            if value and not value.startswith("#"):
                block[key] = (number - 1, width + 1, match.end() + 1)
                items = _FLOW_LIST.match(value)
                if items is not None:
                    _flow_items(items, match.end(), key, number - 1, block)
        if indent != -1:
            found.update(block)
    return found


def _flow_items(
    items: re.Match[str],
    offset: int,
    key: KeyPath,
    line: int,
    into: dict[KeyPath, tuple[int, int, int]],
) -> None:
    """Each item of a one-line flow sequence of plain scalars, at its first character (none
    when an item is empty or starts like something else than a plain scalar)."""
    column = offset + items.start(1)
    places = []
    for part in items.group(1).split(","):
        start = len(part) - len(part.lstrip(" "))
        if not part.strip(" ") or part[start] in _NOT_PLAIN_START:
            return
        places.append(column + start + 1)
        column += len(part) + 1
    for index, place in enumerate(places):
        item: KeyPath = (*key, index)
        into[item] = (line, place, place)


def locate(
    front: str, path: KeyPath, on_value: bool = False, first_line: int = 2
) -> tuple[int, int]:
    """Line and column of a key path (its value with `on_value`); the nearest known ancestor
    when the path itself is absent (e.g. a missing field: the opening fence)."""
    if len(path) == 1 and isinstance(path[0], str):
        top = _top_keys(front).get(path[0])
        if top is not None:
            return top[0] + first_line, top[2] if on_value else top[1]
    elif 2 <= len(path) <= 3 and isinstance(path[0], str):
        nested = _nested_keys(front).get(path)
        if nested is not None:
            return nested[0] + first_line, nested[2] if on_value else nested[1]
    positions = key_positions(front, first_line)
    for cut in range(len(path), 0, -1):
        found = positions.get(path[:cut])
        if found is not None:
            if on_value and cut == len(path):
                return found[2], found[3]
            return found[0], found[1]
    return first_line - 1 if first_line > 1 else 1, 1


def read_body(config: Config, rel: str) -> str:
    """The Markdown body of the requirement file `rel` (what follows the front matter); ""
    when the file is refused, cannot be read or decoded, or has no front matter (`check`
    reports why)."""
    try:
        raw = read_inside(config.root / rel, config.root, config.max_file_size)
    except OSError:
        return ""
    return _body(raw)


class Bodies(Mapping[str, str]):
    """The Markdown body (`read_body`) of each file of `rels` by path, each folder resolved
    once (`inside_reader`) and each file read when first asked for: a site build shows
    only the bodies of the pages it writes, and its page keys read the parse cache's digests,
    so a small rebuild reads a few bodies of 10,000. `known`: bodies this run parsed."""

    def __init__(
        self, config: Config, rels: Iterable[str], known: Mapping[str, str] | None = None
    ) -> None:
        self._read = inside_reader(config.root, config.max_file_size)
        self._root = config.root
        self._bodies: dict[str, str | None] = dict.fromkeys(rels)
        for rel, body in (known or {}).items():
            if rel in self._bodies:
                self._bodies[rel] = body

    def __getitem__(self, rel: str) -> str:
        body = self._bodies[rel]  # KeyError: not a file of this mapping
        if body is None:
            try:
                raw = self._read(self._root / rel)
            except OSError:
                raw = None
            body = self._bodies[rel] = "" if raw is None else _body(raw)
        return body

    def __iter__(self) -> Iterator[str]:
        return iter(self._bodies)

    def __len__(self) -> int:
        return len(self._bodies)


def _body(raw: bytes) -> str:
    text = decode(raw)
    if not isinstance(text, str):
        return ""
    split = split_front_matter(text)
    return split[2] if isinstance(split, tuple) else ""


# Files in the requirements folder that are about it, not requirements: a README or index page
# for people browsing the folder on a forge; `_*.md` are drafts and partials by convention.
_NOT_REQUIREMENTS = frozenset({"readme.md", "index.md"})


# implements: REQ-001
def is_requirement_name(name: str) -> bool:
    """Whether a `*.md` file of this name in the requirements folder is a requirement: not
    README.md or index.md (in any case), nor a name starting with `_`."""
    return not (name.lower() in _NOT_REQUIREMENTS or name.startswith("_"))
