"""Edits of a requirement file's front matter that change only the text of the field edited.

The front matter is composed with PyYAML (its nodes carry their place in the text), and an edit
replaces the characters of one value, inserts the lines of one key, or removes them: every other
character of the file, comments, quoting, key order, line endings (CRLF too) and a byte-order
mark included, stays as it was. A flow collection (`{impact: 2, ease: 4}`, `[a, b]`) that gains
or loses an item is written again from its items' own text. What cannot be edited in place (a
value that spans lines, an anchor or alias, a tag) is refused with `SpliceError`, never
rewritten lossy.
"""

# implements: REQ-705

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from reqforge.i18n import Text

# A string written plain: what reads back as itself inside a block or a flow collection alike
# (no indicator first, no ", [ ] { }", no ": " or " #").
_PLAIN = re.compile(r"^[^\s\-?:,\[\]{}#&*!|>'\"%@`](?:[^\n#:,\[\]{}]|:(?=\S)|#(?<=\S#))*$")
_NOT_PLAIN = re.compile(
    r"^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|no|on|off|y|n|Yes|No|On|Off"
    r"|[-+]?(?:[\d_]*\d[\d_]*(?:\.[\d_]*)?|[\d_]*\.[\d_]*\d[\d_]*)(?:[eE][-+]?[\d_]+)?"
    r"|[-+]?0x[0-9a-fA-F_]+|[-+]?0o[0-7_]+|[-+]?0b[01_]+"
    r"|\.(?:inf|Inf|INF|nan|NaN|NAN)|[-+]\.(?:inf|Inf|INF)|\d{4}-\d\d?-\d\d?.*)$"
)
_UNPRINTABLE = re.compile("[\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029\\ufeff\\ufff9-\\ufffb]")


class SpliceError(Exception):
    """An edit that cannot be made in place (its message says why)."""


def yaml_string(text: str) -> str:
    """`text` as a YAML double-quoted scalar that reads back as `text`: readable (Chinese
    stays Chinese), with what YAML does not print as itself (control characters, line and
    paragraph separators, a BOM) written as escapes."""
    quoted = json.dumps(text, ensure_ascii=False)
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def yaml_scalar(value: Any) -> str:
    """A value as a YAML scalar: a string plain when it reads back as the same string, else
    double-quoted; numbers, booleans and null as YAML writes them."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    text = str(value)
    if (
        text == text.strip()
        and _PLAIN.match(text)
        and not _NOT_PLAIN.match(text)
        and not _UNPRINTABLE.search(text)
        and _reads_back(text)
    ):
        return text
    return yaml_string(text)


def _reads_back(text: str) -> bool:
    """Whether the parser `check` uses reads `text`, written plain, as that string: the
    patterns above say what YAML 1.2 makes of it, the parser has readings of its own (`_0`,
    `-_1` and `0b_1` are numbers to it)."""
    from reqforge.loader import parse_front_matter

    data = parse_front_matter(f"v: {text}\n")
    return isinstance(data, dict) and data.get("v") == text


@dataclass
class FrontMatter:
    """A file's text split around its front matter: `head` (a BOM and the opening fence
    line), `front`, `tail` (the closing fence and the body), and the file's line ending."""

    head: str
    front: str
    tail: str
    newline: str

    @property
    def text(self) -> str:
        return self.head + self.front + self.tail


def split_file(text: str) -> FrontMatter:
    """The parts of a requirement file's text. Raises SpliceError without front matter."""
    start = 1 if text.startswith("\ufeff") else 0
    first_end = text.find("\n", start)
    if first_end == -1 or text[start:first_end].rstrip(" \t\r") != "---":
        raise SpliceError(Text("no front matter: the file must start with a '---' line"))
    newline = "\r\n" if text[first_end - 1 : first_end] == "\r" else "\n"
    position = first_end + 1
    while position < len(text):
        end = text.find("\n", position)
        line_end = len(text) if end == -1 else end
        if text[position:line_end].rstrip(" \t\r") in ("---", "..."):
            return FrontMatter(
                text[: first_end + 1], text[first_end + 1 : position], text[position:], newline
            )
        position = line_end + 1
    raise SpliceError(Text("front matter is not closed: expected a '---' line after the fields"))


def _compose(front: str) -> Any:
    import yaml

    try:
        root = yaml.compose(front, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise SpliceError(Text("the front matter is not valid YAML: {error}", error=exc)) from None
    if root is None:
        return None
    if not isinstance(root, yaml.MappingNode):
        raise SpliceError(Text("the front matter is not a mapping of fields"))
    return root


def _child(node: Any, key: str) -> tuple[Any, Any] | None:
    for key_node, value_node in node.value:
        if getattr(key_node, "value", None) == key:
            return key_node, value_node
    return None


def _kind(node: Any) -> str:
    return type(node).__name__  # ScalarNode, MappingNode, SequenceNode


def _refuse_unsafe(front: str, node: Any, field: str) -> None:
    """Refuse a value an edit would not keep as written: an anchor, alias or tag."""
    source = front[node.start_mark.index : node.end_mark.index]
    if node.tag and not node.tag.startswith("tag:yaml.org,2002:"):
        raise SpliceError(Text("{field}: a tagged value cannot be edited in place", field=field))
    if source.startswith(("&", "*", "!")):
        raise SpliceError(
            Text("{field}: an anchor, alias or tag cannot be edited in place", field=field)
        )


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _line_end(text: str, index: int) -> int:
    """The index just after the newline that ends the line holding `index` (or the end)."""
    end = text.find("\n", index)
    return len(text) if end == -1 else end + 1


def _after_value(front: str, node: Any) -> int:
    """Where the line after a value begins (a block collection's end mark may already be
    there)."""
    end = node.end_mark.index
    if end > 0 and front[end - 1] == "\n":
        return end
    return _line_end(front, end)


def set_value(parts: FrontMatter, path: tuple[str, ...], value: Any) -> None:
    """Set the field at `path` (created with its parents when missing) to a scalar `value`
    (or to `Plain` YAML text)."""
    front, newline = parts.front, parts.newline
    field = ".".join(path)
    node = _compose(front)
    depth = 0
    parent = node
    while parent is not None and depth < len(path):
        found = _child(parent, path[depth])
        if found is None:
            break
        key_node, value_node = found
        if depth == len(path) - 1:
            _refuse_unsafe(front, value_node, field)
            if _kind(value_node) != "ScalarNode":
                raise SpliceError(
                    Text(
                        "{field} holds a mapping or a list: give a field below it, or --add "
                        "and --remove for a list",
                        field=field,
                    )
                )
            if value_node.start_mark.line != value_node.end_mark.line:
                raise SpliceError(
                    Text(
                        "{field}: a value over several lines cannot be edited in place", field=field
                    )
                )
            text = value if isinstance(value, Plain) else yaml_scalar(value)
            if value_node.style is None and value_node.value == "":  # `key:` with nothing
                start = key_node.end_mark.index
                colon = front.index(":", start)
                parts.front = front[: colon + 1] + " " + text + front[colon + 1 :]
                return
            start, end = value_node.start_mark.index, value_node.end_mark.index
            parts.front = front[:start] + text + front[end:]
            return
        if _kind(value_node) != "MappingNode":
            if _kind(value_node) == "ScalarNode" and value_node.value in ("", "~", "null"):
                # `source:` with nothing: the null goes, its fields are written below it
                _refuse_unsafe(front, value_node, field)
                if value_node.start_mark.line != key_node.start_mark.line:
                    raise SpliceError(Text("{field}: cannot be edited in place", field=field))
                start, end = value_node.start_mark.index, value_node.end_mark.index
                insert = _line_end(front, end)
                indent = " " * (key_node.start_mark.column + 2)
                lines = _nested(path[depth + 1 :], value, indent, newline)
                if insert > 0 and front[insert - 1] != "\n":
                    lines = newline + lines
                parts.front = front[:start].rstrip(" ") + front[end:insert] + lines + front[insert:]
                return
            raise SpliceError(
                Text(
                    "{field}: '{parent}' is not a mapping of fields",
                    field=field,
                    parent=".".join(path[: depth + 1]),
                )
            )
        parent = value_node
        depth += 1
    # `path[depth]` is missing from `parent` (the top level when depth is 0)
    if parent is None:  # an empty front matter
        parts.front = front + _nested(path, value, "", newline)
        return
    if parent.flow_style:
        items = [front[k.start_mark.index : v.end_mark.index] for k, v in parent.value]
        rest = path[depth:]
        new = f"{rest[0]}: " + _flow(rest[1:], value)
        text = "{" + ", ".join([*items, new]) + "}"
        parts.front = front[: parent.start_mark.index] + text + front[parent.end_mark.index :]
        return
    column = parent.value[0][0].start_mark.column if parent.value else 0
    insert = _after_value(front, parent.value[-1][1]) if parent.value else len(front)
    lines = _nested(path[depth:], value, " " * column, newline)
    if insert > 0 and front[insert - 1] != "\n":
        lines = newline + lines
    parts.front = front[:insert] + lines + front[insert:]


def _nested(path: tuple[str, ...], value: Any, indent: str, newline: str) -> str:
    """Block lines for `path` -> value at `indent` (the last key holds the value)."""
    lines = []
    for depth, key in enumerate(path[:-1]):
        lines.append(f"{indent}{'  ' * depth}{key}:")
    last = f"{indent}{'  ' * (len(path) - 1)}{path[-1]}: "
    lines.append(last + (value if isinstance(value, Plain) else yaml_scalar(value)))
    return newline.join(lines) + newline


def _flow(path: tuple[str, ...], value: Any) -> str:
    text = value if isinstance(value, Plain) else yaml_scalar(value)
    for key in reversed(path):
        text = "{" + f"{key}: {text}" + "}"
    return text


class Plain(str):
    """YAML text written as it is (a flow list made by an edit, a date)."""


def unset_value(parts: FrontMatter, path: tuple[str, ...]) -> bool:
    """Remove the field at `path`; False when it was not there."""
    front = parts.front
    node = _compose(front)
    parent, found = node, None
    for depth, key in enumerate(path):
        if parent is None or _kind(parent) != "MappingNode":
            return False
        found = _child(parent, key)
        if found is None:
            return False
        if depth < len(path) - 1:
            parent = found[1]
    assert found is not None and parent is not None
    key_node, value_node = found
    if parent.flow_style:
        items = [
            front[k.start_mark.index : v.end_mark.index]
            for k, v in parent.value
            if k is not key_node
        ]
        text = "{" + ", ".join(items) + "}"
        parts.front = front[: parent.start_mark.index] + text + front[parent.end_mark.index :]
        return True
    start = _line_start(front, key_node.start_mark.index)
    if front[start : key_node.start_mark.index].strip():
        raise SpliceError(Text("{field}: shares its line with another field", field=".".join(path)))
    parts.front = front[:start] + front[_after_value(front, value_node) :]
    return True


def change_list(
    parts: FrontMatter, path: tuple[str, ...], add: list[str], remove: list[str]
) -> None:
    """Add items to (and remove items from) the list at `path`, created when missing; a
    single value there (`parent: CRM-1`) becomes a list."""
    front, newline = parts.front, parts.newline
    field = ".".join(path)
    node = _compose(front)
    target = node
    for key in path:
        found = (
            _child(target, key) if target is not None and _kind(target) == "MappingNode" else None
        )
        if found is None:
            target = None
            break
        target = found[1]
    if target is None or (_kind(target) == "ScalarNode" and target.value in ("", "~", "null")):
        if remove and not add:
            return
        set_value(parts, path, Plain("[" + ", ".join(yaml_scalar(a) for a in add) + "]"))
        return
    _refuse_unsafe(front, target, field)
    if _kind(target) == "ScalarNode":
        kept = [] if target.value in remove else [target.value]
        items = [*kept, *(a for a in add if a not in kept)]
        text = "[" + ", ".join(yaml_scalar(i) for i in items) + "]"
        parts.front = front[: target.start_mark.index] + text + front[target.end_mark.index :]
        return
    if _kind(target) != "SequenceNode":
        raise SpliceError(Text("{field} is not a list", field=field))
    present = [getattr(item, "value", None) for item in target.value]
    additions = [a for a in add if a not in present]
    if target.flow_style:
        items = [
            front[item.start_mark.index : item.end_mark.index]
            for item in target.value
            if getattr(item, "value", None) not in remove
        ]
        items += [yaml_scalar(a) for a in additions]
        text = "[" + ", ".join(items) + "]"
        parts.front = front[: target.start_mark.index] + text + front[target.end_mark.index :]
        return
    # A block list: one line per item.
    edits: list[tuple[int, int, str]] = []
    for item in target.value:
        if getattr(item, "value", None) in remove:
            start = _line_start(front, item.start_mark.index)
            edits.append((start, _after_value(front, item), ""))
    if additions:
        last = target.value[-1]
        dash = _line_start(front, last.start_mark.index)
        prefix = front[dash : last.start_mark.index]  # "  - "
        at = _after_value(front, last)
        lines = "".join(f"{prefix}{yaml_scalar(a)}{newline}" for a in additions)
        if at > 0 and front[at - 1] != "\n":
            lines = newline + lines
        edits.append((at, at, lines))
    for start, end, text in sorted(edits, reverse=True):
        front = front[:start] + text + front[end:]
    parts.front = front
