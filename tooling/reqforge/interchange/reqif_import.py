"""ReqIF 1.2 import: `import` reads what DOORS, Polarion, Capella, ReqIF Studio, Enterprise
Architect and other ReqIF tools write, and what `export --to reqif` wrote.

`read_reqif` refuses files over MAX_BYTES and any DOCTYPE or entity declaration (defusedxml),
then walks the document with lxml for line numbers: one `Record` per SPEC-OBJECT, XHTML turned
into Markdown (`xhtml.py`), hierarchy and SPEC-RELATIONs into links (`relation_name` maps a
relation type's name to ours). A SPEC-OBJECT our export wrote is read back exactly from the
meaning its attribute definitions carry (`reqif_values.py`); any other tool's is read by the
names of its attributes.
"""

# implements: REQ-707

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reqforge.i18n import Text
from reqforge.interchange.records import Record, Skipped, Source, area_of, source_error
from reqforge.interchange.reqif_values import (
    BODY_ROLE,
    FIELD,
    LINKS,
    PATH_ROLE,
    TEXT,
    _decode,
    _link_map,
    _our_slot,
    _Slot,
)
from reqforge.interchange.xhtml import _children, _name, xhtml_markdown

if TYPE_CHECKING:
    from lxml import etree  # type: ignore[import-untyped]

MAX_BYTES = 64 * 1024 * 1024


def _child(element: etree._Element, name: str) -> etree._Element | None:
    for child in element:
        if _name(child) == name:
            return child
    return None


def _ref(element: etree._Element, holder: str) -> str | None:
    """The text of the `*-REF` element inside `holder` (`<TYPE><X-REF>id</X-REF></TYPE>`)."""
    inner = _child(element, holder)
    if inner is None:
        return None
    for child in inner:
        if _name(child).endswith("-REF") and child.text and child.text.strip():
            return child.text.strip()
    return None


def _read_bytes(path: Path, place: str) -> bytes:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise source_error(place, Text("cannot be read: {reason}", reason=reason)) from None
    if len(data) > MAX_BYTES:
        message = Text("larger than {size} MiB: not read", size=MAX_BYTES // (1024 * 1024))
        raise source_error(place, message)
    if not data.strip():
        raise source_error(place, Text("the file is empty"))
    return data


def _line_of(data: bytes, needle: bytes) -> int | None:
    index = data.find(needle)
    return data.count(b"\n", 0, index) + 1 if index >= 0 else None


def _at(place: str, line: int | None) -> str:
    return f"{place}:{line}" if line else place


def _parse(data: bytes, place: str) -> etree._Element:
    """The document's root element, parsed safely: a DOCTYPE, an entity declaration or
    malformed XML raise SourceError naming the line."""
    from defusedxml import DefusedXmlException
    from defusedxml import ElementTree as SafeTree
    from lxml import etree

    try:
        SafeTree.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        line = _line_of(data, b"<!DOCTYPE") or _line_of(data, b"<!ENTITY")
        message = Text("a DOCTYPE or entity declaration is not allowed in a ReqIF file")
        raise source_error(_at(place, line), message) from None
    except SafeTree.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        reason = re.sub(r":? ?line \d+, column \d+", "", str(exc)).strip() or str(exc)
        raise source_error(
            _at(place, line), Text("not well-formed XML: {reason}", reason=reason)
        ) from None
    except (ValueError, RecursionError) as exc:  # e.g. an encoding Python does not know
        raise source_error(place, Text("not well-formed XML: {reason}", reason=exc)) from None
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        reason = exc.msg or str(exc)
        raise source_error(
            _at(place, exc.lineno), Text("not well-formed XML: {reason}", reason=reason)
        ) from None
    if _name(root) != "REQ-IF":
        message = Text(
            "not a ReqIF document: its root element is <{name}>, not <REQ-IF>",
            name=_name(root) or root.tag,
        )
        raise source_error(_at(place, root.sourceline), message)
    return root


@dataclass
class _Definition:
    """An attribute definition: its name (LONG-NAME, else IDENTIFIER), kind (STRING, XHTML...),
    its datatype and, for one of ours, what it holds."""

    name: str
    kind: str
    datatype: str | None = None
    ours: _Slot | None = None


@dataclass
class _Value:
    definition: _Definition
    raw: str | list[str]  # the text (THE-VALUE, the XHTML's Markdown) or enumeration labels
    plain: str = ""  # an XHTML value as plain text (for a title)


@dataclass
class _Object:
    key: str
    line: int | None
    long_name: str
    values: list[_Value] = field(default_factory=list)


# Attribute names (lower case) that hold a requirement's title or its text, best first:
# the ReqIF standard names, DOORS, Polarion, and the generic ones.
_TITLES = (
    "reqif.name",
    "reqif.chaptername",
    "object heading",
    "title",
    "heading",
    "name",
    "chapter name",
    "summary",
)
_TEXTS = ("reqif.text", "object text", "text", "description", "reqif.description")
_TEXTISH = re.compile(r"(^|[^a-z])(text|txt|description)([^a-z]|$)")
_TITLEISH = re.compile(r"(^|[^a-z])(title|heading|name)([^a-z]|$)")
_FOREIGN_ID = "reqif.foreignid"

# Relation type names, normalised (lower case, hyphens), that mean one of our relations;
# `_REVERSED` ones point from the parent to the child.
_RELATION_WORDS = {
    "parent": "parent",
    "child-of": "parent",
    "is-child-of": "parent",
    "has-parent": "parent",
    "part-of": "parent",
    "belongs-to": "parent",
    "depends-on": "depends-on",
    "depends": "depends-on",
    "dependency": "depends-on",
    "requires": "depends-on",
    "conflicts-with": "conflicts-with",
    "conflicts": "conflicts-with",
    "conflict": "conflicts-with",
    "duplicates": "duplicates",
    "duplicate": "duplicates",
    "duplicate-of": "duplicates",
    "is-duplicate-of": "duplicates",
    "relates-to": "relates-to",
    "related-to": "relates-to",
    "relates": "relates-to",
    "related": "relates-to",
    "relationship": "relates-to",
    "link": "relates-to",
    "links": "relates-to",
}
_REVERSED = frozenset({"child", "children", "parent-of", "has-child", "contains"})
_GENERIC = re.compile(r"^(spec-?)?(relation|link|trace)(-?(type|ship))?-?\d*$")


def relation_name(name: str) -> tuple[str, bool]:
    """Our relation for a SPEC-RELATION-TYPE's name, and whether it points the other way
    ("Parent Of": the target's `parent` is the source). "Depends on" -> depends-on, "Relation"
    or "SpecRelationType1" -> relates-to; any other name lower-cased with hyphens for spaces
    ("Refine Relationship" -> refine)."""
    words = re.sub(r"[\s_]+", "-", name.strip().lower()).strip("-")
    words = re.sub(r"-+", "-", words)
    if words in _REVERSED:
        return "parent", True
    if words in _RELATION_WORDS:
        return _RELATION_WORDS[words], False
    if not words or _GENERIC.match(words):
        return "relates-to", False
    shorter = re.sub(r"-(relationship|relation|link|type)$", "", words)
    if shorter in _RELATION_WORDS:
        return _RELATION_WORDS[shorter], False
    return shorter or words, False


# implements: REQ-707
def read_reqif(path: Path, place: str) -> Source:
    """The requirements of a ReqIF file (`place`: the path as the user gave it): one record
    per SPEC-OBJECT, keyed by its IDENTIFIER, with links from the hierarchy and the
    SPEC-RELATIONs. SourceError for a file that is too large, empty, not well-formed XML, has
    a DOCTYPE or entity declaration, is not ReqIF, or refers to a SPEC-OBJECT it lacks."""
    root = _parse(_read_bytes(path, place), place)
    return _Reader(root, place).source()


class _Reader:
    def __init__(self, root: etree._Element, place: str) -> None:
        self.place = place
        self.content = self._content(root)
        self.enum_labels: dict[str, str] = {}
        self.definitions: dict[str, _Definition] = {}
        self.relation_types: dict[str, str] = {}
        self.object_keys: set[str] = set()
        the_header = _child(root, "THE-HEADER")
        header = _child(the_header, "REQ-IF-HEADER") if the_header is not None else None
        tool = _child(header, "REQ-IF-TOOL-ID") if header is not None else None
        # StrictDoc (0.30) writes string values with Python escapes: `\n`, `\u62a5`
        self.escaped = tool is not None and (tool.text or "").strip().lower() == "strictdoc"
        self._read_types()

    def _content(self, root: etree._Element) -> etree._Element | None:
        core = _child(root, "CORE-CONTENT")
        return _child(core, "REQ-IF-CONTENT") if core is not None else None

    def _section(self, name: str) -> list[etree._Element]:
        if self.content is None:
            return []
        return [child for section in _children(self.content, name) for child in section]

    def _read_types(self) -> None:
        for datatype in self._section("DATATYPES"):
            if _name(datatype) != "DATATYPE-DEFINITION-ENUMERATION":
                continue
            for value in datatype.iter():
                identifier = value.get("IDENTIFIER")
                if _name(value) == "ENUM-VALUE" and identifier:
                    self.enum_labels[identifier] = value.get("LONG-NAME") or identifier
        for spec_type in self._section("SPEC-TYPES"):
            identifier = spec_type.get("IDENTIFIER") or ""
            if _name(spec_type) == "SPEC-RELATION-TYPE":
                self.relation_types[identifier] = spec_type.get("LONG-NAME") or identifier
            for attributes in _children(spec_type, "SPEC-ATTRIBUTES"):
                for definition in attributes:
                    name = _name(definition)
                    ident = definition.get("IDENTIFIER")
                    if not name.startswith("ATTRIBUTE-DEFINITION-") or not ident:
                        continue
                    self.definitions[ident] = _Definition(
                        name=definition.get("LONG-NAME") or ident,
                        kind=name.removeprefix("ATTRIBUTE-DEFINITION-"),
                        datatype=_ref(definition, "TYPE"),
                        ours=_our_slot(definition.get("DESC")),
                    )

    def _error(self, element: etree._Element, message: Text) -> Exception:
        return source_error(_at(self.place, element.sourceline), message)

    def _values(self, element: etree._Element) -> list[_Value]:
        out: list[_Value] = []
        for holder in _children(element, "VALUES"):
            for value in holder:
                name = _name(value)
                if not name.startswith("ATTRIBUTE-VALUE-"):
                    continue
                kind = name.removeprefix("ATTRIBUTE-VALUE-")
                ref = _ref(value, "DEFINITION")
                if ref is None:
                    continue
                definition = self.definitions.get(ref) or _Definition(name=ref, kind=kind)
                if kind == "ENUMERATION":
                    refs = [
                        (item.text or "").strip()
                        for group in _children(value, "VALUES")
                        for item in group
                        if _name(item) == "ENUM-VALUE-REF"
                    ]
                    labels = [self.enum_labels.get(r, r) for r in refs if r]
                    out.append(_Value(definition, labels))
                elif kind == "XHTML":
                    the_value = _child(value, "THE-VALUE")
                    if the_value is None:
                        continue
                    plain = " ".join("".join(the_value.itertext()).split())
                    out.append(_Value(definition, xhtml_markdown(the_value), plain))
                else:
                    text = value.get("THE-VALUE")
                    if text is not None and self.escaped and kind == "STRING":
                        text = _unescaped(text)
                    if text is not None:
                        out.append(_Value(definition, text, text))
        return out

    def source(self) -> Source:
        source = Source(tool="reqif")
        objects: dict[str, _Object] = {}
        for element in self._section("SPEC-OBJECTS"):
            if _name(element) != "SPEC-OBJECT":
                continue
            key = element.get("IDENTIFIER")
            if not key:
                raise self._error(element, Text("a SPEC-OBJECT without an IDENTIFIER"))
            if key in objects:
                first = objects[key].line
                raise self._error(
                    element,
                    Text("SPEC-OBJECT '{key}' again (first at line {line})", key=key, line=first),
                )
            objects[key] = _Object(
                key, element.sourceline, element.get("LONG-NAME") or "", self._values(element)
            )
        self.object_keys = set(objects)
        names: dict[str, str] = {}  # an object's name in the hierarchy (LONG-NAME)
        for node, key, _ in self._walk(objects.__contains__):
            if key is not None and key not in objects:
                message = Text(
                    "SPEC-HIERARCHY '{node}' points at a missing SPEC-OBJECT '{key}'",
                    node=node.get("IDENTIFIER") or "",
                    key=key,
                )
                # the hierarchy's node is dropped, its children move up: reported, not fatal
                source.skipped.append(Skipped(_at(self.place, node.sourceline), message))
            elif key is not None and node.get("LONG-NAME"):
                names.setdefault(key, node.get("LONG-NAME") or "")
        records: dict[str, Record] = {}
        for obj in objects.values():
            record = self._record(obj, names.get(obj.key, ""))
            if record is None:
                reason = Text("SPEC-OBJECT '{key}' has neither a title nor a text", key=obj.key)
                source.skipped.append(Skipped(_at(self.place, obj.line), reason))
            else:
                records[obj.key] = record
        for _, key, parent in self._walk(records.__contains__):
            if key is not None and parent and key != parent and key in records:
                _add_link(records[key], "parent", parent)
        source.skipped += self._relations(records)
        source.records = list(records.values())
        return source

    def _record(self, obj: _Object, tree_name: str) -> Record | None:
        ours = [value for value in obj.values if value.definition.ours is not None]
        if ours:
            return self._our_record(obj, ours)
        by_name: dict[str, list[_Value]] = {}
        for value in obj.values:
            by_name.setdefault(value.definition.name.strip().lower(), []).append(value)
        used: set[int] = set()

        def pick(names: Sequence[str], pattern: re.Pattern[str]) -> _Value | None:
            for name in names:
                for value in by_name.get(name, []):
                    if _text_of(value):
                        return value
            for kind in ("XHTML", "STRING"):
                for value in obj.values:
                    name = value.definition.name.strip().lower()
                    fits = value.definition.kind == kind and pattern.search(name)
                    if fits and id(value) not in used and _text_of(value):
                        return value
            return None

        text = pick(_TEXTS, _TEXTISH)
        if text is not None:
            used.add(id(text))
        title = pick(_TITLES, _TITLEISH)
        if title is not None and id(title) in used:
            title = None
        if text is None:  # a tool's own name for its text: its first XHTML value with text
            text = next(
                (
                    v
                    for v in obj.values
                    if v.definition.kind == "XHTML" and v is not title and _text_of(v)
                ),
                None,
            )
        foreign = next(iter(by_name.get(_FOREIGN_ID, [])), None)
        body = _text_of(text) if text is not None else ""
        guess: _Value | None = None
        if title is not None:
            heading = title.plain if title.definition.kind == "XHTML" else _text_of(title)
        else:
            heading = (
                obj.long_name.strip()
                or tree_name.strip()
                or _first_sentence(text.plain if text is not None and text.plain else body)
            )
            if not heading:  # the last resort: the first text the object has (kept in raw)
                guess = next(
                    (
                        v
                        for v in obj.values
                        if v.definition.kind in ("STRING", "XHTML")
                        and v is not foreign
                        and _text_of(v)
                    ),
                    None,
                )
                if guess is not None:
                    heading = _first_sentence(guess.plain or _text_of(guess))
        heading = " ".join(heading.split())
        if not heading and not body:
            return None
        fields: dict[str, Any] = {"title": heading}
        if foreign is not None and isinstance(foreign.raw, str) and foreign.raw.strip():
            fields["id"] = foreign.raw.strip()
        raw: dict[str, Any] = {}
        for value in obj.values:
            if value is title or value is text or value is foreign:
                continue
            name = value.definition.name
            item = _raw_value(value)
            if item is None:
                continue
            key, count = name, 1
            while key in raw:
                count += 1
                key = f"{name} ({count})"
            raw[key] = item
        return Record(
            key=obj.key,
            fields=fields,
            body=body,
            place=_at(self.place, obj.line),
            raw=raw,
        )

    def _our_record(self, obj: _Object, ours: list[_Value]) -> Record:
        """A SPEC-OBJECT `export_reqif` wrote: every field, the body and the links exactly."""
        fields: dict[str, Any] = {}
        body: str | None = None
        xhtml = ""
        links: dict[str, list[str]] = {}
        raw: dict[str, Any] = {}
        area = ""
        for value in obj.values:
            slot = value.definition.ours
            if slot is None:
                item = _raw_value(value)
                if item is not None:
                    raw[value.definition.name] = item
                continue
            text = value.raw
            try:
                if slot.role == TEXT:
                    xhtml = text if isinstance(text, str) else ""
                elif slot.role == BODY_ROLE and isinstance(text, str):
                    body = text if slot.kind == "string" else str(_decode("json", text))
                elif slot.role == LINKS and isinstance(text, str):
                    links = _link_map(_decode("json", text))
                elif slot.role == PATH_ROLE and isinstance(text, str):
                    area = area_of(text, text.split("/", 1)[0])
                elif slot.role == FIELD and slot.path:
                    if slot.kind == "enumeration":
                        labels = text if isinstance(text, list) else [text]
                        decoded: Any = labels[0] if len(labels) == 1 else labels
                    else:
                        decoded = _decode(slot.kind, text if isinstance(text, str) else "")
                    _put(fields, slot.path, decoded)
            except (ValueError, TypeError, KeyError, OverflowError):
                raw[value.definition.name] = value.raw  # edited in another tool: kept as text
        return Record(
            key=obj.key,
            fields=fields,
            body=body if body is not None else xhtml,
            links=links,
            place=_at(self.place, obj.line),
            raw=raw,
            area=area,
            exact=body is not None,
        )

    def _walk(
        self, keep: Callable[[str], bool]
    ) -> Iterator[tuple[etree._Element, str | None, str]]:
        """Every SPEC-HIERARCHY node of every SPECIFICATION: (node, its object's key or None,
        the key of the nearest object above it that `keep` accepts, or "")."""
        for specification in self._section("SPECIFICATIONS"):
            if _name(specification) != "SPECIFICATION":
                continue
            stack = [(node, "") for node in reversed(self._nodes(specification))]
            while stack:
                node, parent = stack.pop()
                key = _ref(node, "OBJECT")
                yield node, key, parent
                below = key if key is not None and keep(key) else parent
                stack += [(child, below) for child in reversed(self._nodes(node))]

    def _nodes(self, element: etree._Element) -> list[etree._Element]:
        return [
            node
            for children in _children(element, "CHILDREN")
            for node in children
            if _name(node) == "SPEC-HIERARCHY"
        ]

    def _relations(self, records: Mapping[str, Record]) -> list[Skipped]:
        """Each SPEC-RELATION as a link on its source's record; one pointing at a SPEC-OBJECT
        the file lacks is skipped."""
        skipped: list[Skipped] = []
        for relation in self._section("SPEC-RELATIONS"):
            if _name(relation) != "SPEC-RELATION":
                continue
            ident = relation.get("IDENTIFIER") or ""
            source, target = _ref(relation, "SOURCE"), _ref(relation, "TARGET")
            missing = next((k for k in (source, target) if k is None or k not in records), "")
            if source is None or target is None or missing:
                if source is None or target is None:
                    message = Text(
                        "SPEC-RELATION '{relation}' lacks its source or target", relation=ident
                    )
                elif missing in self.object_keys:
                    message = Text(
                        "SPEC-RELATION '{relation}' links SPEC-OBJECT '{key}', which was skipped",
                        relation=ident,
                        key=missing,
                    )
                else:
                    message = Text(
                        "SPEC-RELATION '{relation}' points at a missing SPEC-OBJECT '{key}'",
                        relation=ident,
                        key=missing,
                    )
                broken = missing not in self.object_keys
                place = _at(self.place, relation.sourceline)
                skipped.append(Skipped(place, message, broken=broken))
                continue
            type_ref = _ref(relation, "TYPE") or ""
            name, reverse = relation_name(self.relation_types.get(type_ref, ""))
            if reverse:
                source, target = target, source
            if source != target:
                _add_link(records[source], name, target)
        return skipped


def _add_link(record: Record, relation: str, target: str) -> None:
    targets = record.links.setdefault(relation, [])
    if target not in targets:
        targets.append(target)


def _put(fields: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = fields
    for part in path[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise ValueError(part)
        node = child
    node[path[-1]] = value


def _unescaped(text: str) -> str:
    """A value StrictDoc wrote with Python's escapes, as the text it stands for (unchanged
    when it is not such a value)."""
    if "\\" not in text:
        return text
    try:
        return text.encode("ascii", "backslashreplace").decode("unicode_escape")
    except UnicodeDecodeError:
        return text


def _text_of(value: _Value) -> str:
    raw = value.raw
    if isinstance(raw, list):
        return ", ".join(raw)
    return raw.strip()


def _raw_value(value: _Value) -> Any:
    """A value for `record.raw`: numbers as numbers, labels as text or a list, the rest as
    text (XHTML as Markdown); None when it is empty."""
    raw = value.raw
    if isinstance(raw, list):
        return None if not raw else raw[0] if len(raw) == 1 else raw
    kind = value.definition.kind
    try:
        if kind == "INTEGER":
            return int(raw)
        if kind == "REAL":
            return float(raw)
        if kind == "BOOLEAN":
            return _decode("boolean", raw)
    except ValueError:
        pass
    return raw if raw.strip() else None


def _first_sentence(text: str, limit: int = 80) -> str:
    """The first line or sentence of `text`, shortened to `limit` characters."""
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    line = line.lstrip("#>-*+ ").strip()
    match = re.search(r"(?<=[.!?])\s|(?<=[。！？])", line)
    sentence = line[: match.start()].strip() if match else line
    if len(sentence) > limit:
        sentence = sentence[: limit - 1].rstrip() + "\u2026"
    return sentence
