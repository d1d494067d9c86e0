"""ReqIF 1.2, both ways: `export --to reqif` writes it, `import` reads what DOORS, Polarion,
Capella, ReqIF Studio, Enterprise Architect and other ReqIF tools write.

The export (`export_reqif`) builds the document with the `reqif` package's object model and
unparser. One SPEC-OBJECT-TYPE, "Requirement", has an attribute per field: the standard
ReqIF.ForeignID (`id`), ReqIF.Name (`title`) and ReqIF.Text (the body as XHTML, for the tools
to show), `reqforge.body` (the Markdown body, verbatim), enumerations for `type` and `status`,
`links (json)`, and one attribute per other front-matter leaf, named by its dotted key
(`priority.ice.impact`) and typed INTEGER, REAL, BOOLEAN, DATE or STRING; a value of any other
kind (a list, null, an empty or oddly keyed mapping, NaN, a string XML cannot hold) is JSON in a
STRING attribute named `<key> (json)`. Every attribute definition of ours carries its meaning in
its DESC (`reqforge:["field","integer",["priority","ice","impact"]]`), so our own import reads
every value back exactly, whatever the names say. Relations: one SPEC-RELATION per link (the
`parent` ones too), one SPEC-RELATION-TYPE per relation name; the SPECIFICATION's hierarchy
puts each requirement under its first exported parent. Identifiers derive from our IDs and field
names, and the schema's CREATION-TIME and LAST-CHANGE stamps are SOURCE_DATE_EPOCH (else
1970-01-01): the same requirements give the same bytes.

The import (`read_reqif`) refuses files over MAX_BYTES and any DOCTYPE or entity declaration
(defusedxml), then walks the document with lxml for line numbers: one `Record` per SPEC-OBJECT,
XHTML turned into Markdown, hierarchy and SPEC-RELATIONs into links.
"""

# implements: REQ-707

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reqforge.fields import RELATIONS
from reqforge.i18n import Text
from reqforge.interchange.records import Record, Skipped, Source, area_of, source_error
from reqforge.scalars import key_text

if TYPE_CHECKING:
    from lxml import etree  # type: ignore[import-untyped]

    from reqforge.catalog import Entry
    from reqforge.config import Config

MAX_BYTES = 64 * 1024 * 1024
TOOL = "reqforge"
REQIF_NS = "http://www.omg.org/spec/ReqIF/20110401/reqif.xsd"
XHTML_NS = "http://www.w3.org/1999/xhtml"
MARK = "reqforge:"  # the DESC of our attribute definitions starts with it
BODY = "reqforge.body"
# Attribute definitions' roles: a front-matter field, the Markdown body, the links, the XHTML.
FIELD, BODY_ROLE, LINKS, TEXT = "field", "body", "links", "text"
PATH_ROLE, PATH = "path", "reqforge.path"  # the file: our import puts it back in its folder
# SPEC-HIERARCHY nesting deeper than this puts the requirement at the top (its `parent` link
# still says where it belongs): the reqif unparser recurses once per level.
MAX_NESTING = 64
_INT_RANGE = 2**63
_NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9._-]*$")
# Characters XML 1.0 cannot hold at all, not even as a character reference.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_THE_VALUE = re.compile(r' THE-VALUE="([^"]*)"')


# --------------------------------------------------------------------------------------------
# values <-> text


def _carriable(text: str) -> bool:
    """Whether XML can hold `text` exactly (as text or a character reference)."""
    return _NOT_XML.search(text) is None


def _shown(text: str) -> str:
    """`text` for display in a name or the XHTML: what XML cannot hold becomes U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def _escape(text: str) -> str:
    """`text` as XML attribute or element content, for the unparser's unescaped places."""
    return (
        _shown(text)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\t", "&#9;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
    )


def _text(text: str) -> str:
    """`text` as XML element content (line breaks kept as they are, `\r` as a reference)."""
    return (
        _shown(text)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\r", "&#13;")
    )


def _to_json(value: Any) -> Any:
    """A front-matter value as JSON data that `_from_json` turns back into exactly it: a date,
    a NaN or infinity, an int beyond the float range and a mapping with keys that are not
    text (or that start with `$`) are tagged objects."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value if -_INT_RANGE < value < _INT_RANGE else {"$int": hex(value)}
    if isinstance(value, float):
        return value if math.isfinite(value) else {"$float": repr(value)}
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, Mapping):
        if all(isinstance(k, str) and not k.startswith("$") for k in value):
            return {k: _to_json(v) for k, v in value.items()}
        return {"$map": [[_to_json(k), _to_json(v)] for k, v in value.items()]}
    if isinstance(value, (list, tuple)):
        return [_to_json(item) for item in value]
    if isinstance(value, frozenset):  # a YAML mapping used as a key
        return {"$text": key_text(value)}
    return {"$text": str(value)}


def _from_json(value: Any) -> Any:
    if isinstance(value, list):
        return [_from_json(item) for item in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        (tag, inner), *_ = value.items()
        if tag == "$int" and isinstance(inner, str):
            return int(inner, 16)
        if tag == "$float" and isinstance(inner, str):
            return float(inner)
        if tag == "$datetime" and isinstance(inner, str):
            return dt.datetime.fromisoformat(inner)
        if tag == "$date" and isinstance(inner, str):
            return dt.date.fromisoformat(inner)
        if tag == "$text":
            return inner
        if tag == "$map" and isinstance(inner, list):
            return {_hashable(_from_json(k)): _from_json(v) for k, v in inner}
    return {k: _from_json(v) for k, v in value.items()}


def _hashable(key: Any) -> Any:
    if isinstance(key, list):
        return tuple(_hashable(k) for k in key)
    if isinstance(key, dict):
        return frozenset((k, _hashable(v)) for k, v in key.items())
    return key


def _json_text(value: Any) -> str:
    text = json.dumps(_to_json(value), ensure_ascii=False)
    return text if _carriable(text) else json.dumps(_to_json(value))


def _encode(value: Any) -> tuple[str, str]:
    """(kind, THE-VALUE) of one front-matter leaf: integer, real, boolean, date, string or
    json (anything the others cannot say exactly)."""
    if isinstance(value, bool):
        return "boolean", "true" if value else "false"
    if isinstance(value, int) and -_INT_RANGE < value < _INT_RANGE:
        return "integer", str(value)
    if isinstance(value, float) and math.isfinite(value):
        return "real", repr(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return "date", f"{value.isoformat()}T00:00:00"
    if isinstance(value, str) and _carriable(value):
        return "string", value
    return "json", _json_text(value)


def _decode(kind: str, text: str) -> Any:
    """The value `_encode` wrote (ValueError when the text is not one)."""
    if kind == "integer":
        return int(text)
    if kind == "real":
        return float(text)
    if kind == "boolean":
        if text.strip() not in ("true", "false", "1", "0"):
            raise ValueError(text)
        return text.strip() in ("true", "1")
    if kind == "date":
        return dt.date.fromisoformat(text.strip()[:10])
    if kind == "json":
        return _from_json(json.loads(text))
    return text


# --------------------------------------------------------------------------------------------
# export


@dataclass(frozen=True)
class _Slot:
    """One attribute definition of the export: what it holds (role, kind, key path)."""

    role: str
    kind: str
    path: tuple[str, ...] = ()


class _Ids:
    """Unique, valid xsd:ID identifiers derived from names (`CRM-1`, `ad-priority.ice`)."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def make(self, prefix: str, name: str) -> str:
        base = f"{prefix}{name}"
        if not _NCNAME.match(base):
            safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name)
            digest = hashlib.sha1(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
            base = f"{prefix or '_'}{safe}-{digest}"
            if not _NCNAME.match(base):
                base = f"_{base}"
        identifier, count = base, 1
        while identifier in self.used:
            count += 1
            identifier = f"{base}-{count}"
        self.used.add(identifier)
        return identifier


def _leaves(value: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
    """The leaves of a front-matter value by key path: a mapping with text keys is opened, a
    list, a scalar, an empty mapping or one with other keys is a leaf."""
    if isinstance(value, Mapping) and value and all(isinstance(k, str) for k in value):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    else:
        yield path, value


def _target_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def _link_map(value: Any) -> dict[str, list[str]]:
    """`links` as relation -> target IDs (one ID given as text is a list of one)."""
    if not isinstance(value, Mapping):
        return {}
    return {key_text(k): _target_list(v) for k, v in value.items()}


def _stamp() -> str:
    """The CREATION-TIME and LAST-CHANGE the schema requires: SOURCE_DATE_EPOCH (the
    reproducible-builds convention) when set, else the Unix epoch; never the clock."""
    try:
        seconds = int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
        moment = dt.datetime.fromtimestamp(seconds, dt.timezone.utc)
    except (ValueError, OverflowError, OSError):
        moment = dt.datetime.fromtimestamp(0, dt.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def markdown_xhtml(body: str) -> str:
    """The Markdown `body` (CommonMark and GFM tables, raw HTML shown as text) as well-formed
    XHTML inside `<xhtml:div>`, in the ReqIF subset of XHTML (an image becomes a link)."""
    from lxml import etree
    from markdown_it import MarkdownIt

    renderer = MarkdownIt("commonmark", {"html": False, "xhtmlOut": True}).enable("table")
    html = renderer.render(_shown(body))
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        tree = etree.fromstring(f'<div xmlns="{XHTML_NS}">{html}</div>'.encode(), parser)
    except etree.XMLSyntaxError:  # not expected from markdown-it; show the text instead
        return f"<xhtml:div><xhtml:pre>{_text(body)}</xhtml:pre></xhtml:div>"
    return _xhtml_element(tree)


_XHTML_KEEP = frozenset(
    [
        "a",
        "abbr",
        "acronym",
        "address",
        "b",
        "big",
        "blockquote",
        "br",
        "caption",
        "cite",
        "code",
        "col",
        "colgroup",
        "dd",
        "del",
        "dfn",
        "div",
        "dl",
        "dt",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "ins",
        "kbd",
        "li",
        "ol",
        "p",
        "pre",
        "q",
        "samp",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "tt",
        "ul",
        "var",
    ]
)
_XHTML_ATTRIBUTES = frozenset({"href", "start", "title", "colspan", "rowspan"})


def _xhtml_element(element: etree._Element) -> str:
    """One element and its content as `xhtml:`-prefixed XHTML of the ReqIF subset."""
    name = str(element.tag).rpartition("}")[2]
    attributes = dict(element.attrib)
    if name == "img":  # no image module in ReqIF's XHTML: a link to the image
        name = "a"
        attributes = {"href": element.get("src", "")}
        inner = _text(element.get("alt") or element.get("src") or "")
    else:
        inner = _text(element.text or "")
        for child in element:
            inner += _xhtml_element(child) + _text(child.tail or "")
    if name not in _XHTML_KEEP:
        name = "span"
    if name == "th" or name == "td":
        style = attributes.get("style", "")
        attributes = {"style": style} if style.startswith("text-align:") else {}
    else:
        attributes = {k: v for k, v in attributes.items() if k in _XHTML_ATTRIBUTES}
    shown = "".join(f' {key}="{_escape(value)}"' for key, value in sorted(attributes.items()))
    if not inner and name in ("br", "hr"):
        return f"<xhtml:{name}{shown}/>"
    return f"<xhtml:{name}{shown}>{inner}</xhtml:{name}>"


# implements: REQ-707
def export_reqif(
    entries: Sequence[Entry], bodies: Mapping[str, str], config: Config, commit: str | None
) -> bytes:
    """The ReqIF 1.2 document of `entries` (their Markdown `bodies` by path), made from
    `commit` (named in the header's comment; None outside git): UTF-8 bytes, valid against
    the ReqIF 1.2 schema, the same bytes for the same input."""
    from reqif.models.reqif_core_content import ReqIFCoreContent  # type: ignore[import-untyped]
    from reqif.models.reqif_data_type import (  # type: ignore[import-untyped]
        ReqIFDataTypeDefinitionBoolean,
        ReqIFDataTypeDefinitionDateIdentifier,
        ReqIFDataTypeDefinitionEnumeration,
        ReqIFDataTypeDefinitionInteger,
        ReqIFDataTypeDefinitionReal,
        ReqIFDataTypeDefinitionString,
        ReqIFDataTypeDefinitionXHTML,
        ReqIFEnumValue,
    )
    from reqif.models.reqif_namespace_info import ReqIFNamespaceInfo  # type: ignore[import-untyped]
    from reqif.models.reqif_req_if_content import ReqIFReqIFContent  # type: ignore[import-untyped]
    from reqif.models.reqif_reqif_header import ReqIFReqIFHeader  # type: ignore[import-untyped]
    from reqif.models.reqif_spec_hierarchy import ReqIFSpecHierarchy  # type: ignore[import-untyped]
    from reqif.models.reqif_spec_object import ReqIFSpecObject, SpecObjectAttribute  # type: ignore[import-untyped]
    from reqif.models.reqif_spec_object_type import ReqIFSpecObjectType, SpecAttributeDefinition  # type: ignore[import-untyped]
    from reqif.models.reqif_spec_relation import ReqIFSpecRelation  # type: ignore[import-untyped]
    from reqif.models.reqif_spec_relation_type import ReqIFSpecRelationType  # type: ignore[import-untyped]
    from reqif.models.reqif_specification import ReqIFSpecification  # type: ignore[import-untyped]
    from reqif.models.reqif_specification_type import ReqIFSpecificationType  # type: ignore[import-untyped]
    from reqif.models.reqif_types import SpecObjectAttributeType as Kind  # type: ignore[import-untyped]
    from reqif.object_lookup import ReqIFObjectLookup  # type: ignore[import-untyped]
    from reqif.reqif_bundle import ReqIFBundle  # type: ignore[import-untyped]
    from reqif.unparser import ReqIFUnparser  # type: ignore[import-untyped]

    stamp = _stamp()
    ids = _Ids()
    enums = {"type": tuple(config.types), "status": tuple(config.workflow.statuses)}
    datatype = {
        "string": ids.make("", "dt-string"),
        "integer": ids.make("", "dt-integer"),
        "real": ids.make("", "dt-real"),
        "boolean": ids.make("", "dt-boolean"),
        "date": ids.make("", "dt-date"),
        "xhtml": ids.make("", "dt-xhtml"),
        "type": ids.make("", "dt-type"),
        "status": ids.make("", "dt-status"),
    }
    enum_values = {
        (name, value): ids.make("ev-", f"{name}-{value}")
        for name, values in enums.items()
        for value in values
    }
    # The object of each entry: its ID where that is a valid xsd:ID, else one derived from it.
    objects: list[str] = [ids.make("", entry.req.id or entry.req.path) for entry in entries]
    by_id: dict[str, str] = {}
    for entry, obj in zip(entries, objects, strict=True):
        by_id.setdefault(entry.req.id, obj)

    standard = [
        (_Slot(FIELD, "string", ("id",)), "ReqIF.ForeignID"),
        (_Slot(FIELD, "string", ("title",)), "ReqIF.Name"),
        (_Slot(TEXT, "xhtml"), "ReqIF.Text"),
        (_Slot(BODY_ROLE, "string"), BODY),
        (_Slot(FIELD, "enumeration", ("type",)), "type"),
        (_Slot(FIELD, "enumeration", ("status",)), "status"),
        (_Slot(LINKS, "json"), "links (json)"),
        (_Slot(PATH_ROLE, "string"), PATH),
    ]
    slots: dict[_Slot, str] = dict(standard)  # slot -> LONG-NAME, in the definitions' order
    values: list[list[tuple[_Slot, Any]]] = []
    links: list[dict[str, list[str]]] = []
    for entry in entries:
        data = dict(entry.req.data)
        own: list[tuple[_Slot, Any]] = []
        for name in ("id", "title"):
            value = data.get(name)
            if isinstance(value, str) and _carriable(value):
                own.append((_Slot(FIELD, "string", (name,)), value))
                data.pop(name)
        body = bodies.get(entry.req.path, "")
        if body:
            own.append((_Slot(TEXT, "xhtml"), markdown_xhtml(body)))
            kind = "string" if _carriable(body) else "json"
            own.append((_Slot(BODY_ROLE, kind), body if kind == "string" else _json_text(body)))
        for name in ("type", "status"):
            value = data.get(name)
            if isinstance(value, str) and value in enums[name]:
                own.append((_Slot(FIELD, "enumeration", (name,)), enum_values[name, value]))
                data.pop(name)
        if "links" in data:
            own.append((_Slot(LINKS, "json"), _json_text(data.pop("links"))))
        links.append(_link_map(entry.req.data.get("links")))
        if _carriable(entry.req.path):
            own.append((_Slot(PATH_ROLE, "string"), entry.req.path))
        for path, value in _leaves(data, ()):
            if not path:  # empty front matter
                continue
            kind, text = _encode(value)
            own.append((_Slot(FIELD, kind, path), text))
        for slot, _ in own:
            if slot not in slots:
                slots[slot] = _long_name(slot, set(slots.values()))
        values.append(own)

    definition_ids = {
        slot: ids.make("ad-", ".".join(slot.path) + f"-{slot.kind}" if slot.path else slot.role)
        for slot in slots
    }
    type_of = {
        "string": Kind.STRING,
        "json": Kind.STRING,
        "integer": Kind.INTEGER,
        "real": Kind.REAL,
        "boolean": Kind.BOOLEAN,
        "date": Kind.DATE,
        "xhtml": Kind.XHTML,
        "enumeration": Kind.ENUMERATION,
    }

    def datatype_of(slot: _Slot) -> str:
        if slot.kind == "enumeration":
            return datatype[slot.path[0]]
        return datatype["string" if slot.kind == "json" else slot.kind]

    definitions = [
        SpecAttributeDefinition(
            attribute_type=type_of[slot.kind],
            identifier=definition_ids[slot],
            datatype_definition=datatype_of(slot),
            description=_description(slot),
            last_change=stamp,
            long_name=name,
            multi_valued=False if slot.kind == "enumeration" else None,
        )
        for slot, name in slots.items()
    ]
    datatypes: list[Any] = [
        ReqIFDataTypeDefinitionString(
            identifier=datatype["string"], last_change=stamp, long_name="String",
            max_length=str(2**31 - 1),
        ),
        ReqIFDataTypeDefinitionInteger(
            identifier=datatype["integer"], last_change=stamp, long_name="Integer",
            max_value=str(_INT_RANGE - 1), min_value=str(1 - _INT_RANGE),
        ),
        ReqIFDataTypeDefinitionReal(
            identifier=datatype["real"], accuracy=17, last_change=stamp, long_name="Real",
            max_value=repr(1.7976931348623157e308), min_value=repr(-1.7976931348623157e308),
        ),
        ReqIFDataTypeDefinitionBoolean(
            identifier=datatype["boolean"], last_change=stamp, long_name="Boolean"
        ),
        ReqIFDataTypeDefinitionDateIdentifier(
            identifier=datatype["date"], last_change=stamp, long_name="Date"
        ),
        ReqIFDataTypeDefinitionXHTML(
            identifier=datatype["xhtml"], last_change=stamp, long_name="XHTML",
            is_self_closed=True,
        ),
    ]  # fmt: skip
    for name, labels in enums.items():
        datatypes.append(
            ReqIFDataTypeDefinitionEnumeration(
                identifier=datatype[name],
                last_change=stamp,
                long_name=name,
                values=[
                    ReqIFEnumValue(
                        identifier=enum_values[name, label],
                        key=str(index),
                        other_content="",
                        last_change=stamp,
                        long_name=_display(label),
                    )
                    for index, label in enumerate(labels)
                ],
            )
        )

    object_type = ids.make("", "Requirement")
    relation_names = list(dict.fromkeys([*RELATIONS, *config.links.relations]))
    for targets in links:
        relation_names += [name for name in targets if name not in relation_names]
    relation_types = {name: ids.make("rt-", name) for name in relation_names}
    spec_objects = [
        ReqIFSpecObject(
            identifier=obj,
            spec_object_type=object_type,
            last_change=stamp,
            attributes=[
                SpecObjectAttribute(
                    attribute_type=type_of[slot.kind],
                    definition_ref=definition_ids[slot],
                    value=[value] if slot.kind == "enumeration" else value,
                )
                for slot, value in own
            ],
        )
        for obj, own in zip(objects, values, strict=True)
    ]
    relations = []
    for obj, targets in zip(objects, links, strict=True):
        for name, target_ids in targets.items():
            for target in dict.fromkeys(target_ids):
                if target in by_id:
                    relations.append(
                        ReqIFSpecRelation(
                            identifier=ids.make("rel-", f"{obj}-{name}-{by_id[target]}"),
                            relation_type_ref=relation_types[name],
                            source=obj,
                            target=by_id[target],
                            last_change=stamp,
                        )
                    )

    parents = _tree_parents(objects, links, by_id)
    nodes: dict[str, ReqIFSpecHierarchy] = {}
    top: list[ReqIFSpecHierarchy] = []
    for obj, parent_obj in _tree_order(objects, parents):
        parent = nodes.get(parent_obj)
        level = parent.level + 1 if parent is not None else 1
        node = ReqIFSpecHierarchy(
            identifier=ids.make("h-", obj),
            spec_object=obj,
            level=level,
            last_change=stamp,
            editable=None,
            is_table_internal=None,
        )
        nodes[obj] = node
        if parent is None:
            top.append(node)
        else:
            parent.add_child(node)

    specification_type = ids.make("", "Specification")
    spec_types: list[Any] = [
        ReqIFSpecObjectType(
            identifier=object_type,
            last_change=stamp,
            long_name="Requirement",
            attribute_definitions=definitions,
        ),
        ReqIFSpecificationType(
            identifier=specification_type,
            last_change=stamp,
            long_name="Requirements",
            is_self_closed=True,
        ),
        *(
            ReqIFSpecRelationType(identifier=rid, last_change=stamp, long_name=_escape(name))
            for name, rid in relation_types.items()
        ),
    ]
    project = _display(config.name) or "Requirements"
    specification = ReqIFSpecification(
        identifier=ids.make("", "specification"),
        last_change=stamp,
        long_name=project,
        specification_type=specification_type,
        children=top or None,
    )
    comment = f"Exported by reqforge from commit {commit}" if commit else "Exported by reqforge"
    header = ReqIFReqIFHeader(
        identifier=ids.make("", "header"),
        comment=_escape(comment),
        creation_time=stamp,
        req_if_tool_id=TOOL,
        req_if_version="1.0",
        source_tool_id=TOOL,
        title=project.replace("<", "\u2039"),  # the unparser escapes `&` only
    )
    content = ReqIFReqIFContent(
        data_types=datatypes,
        spec_types=spec_types,
        spec_objects=spec_objects,
        spec_relations=relations,
        specifications=[specification],
    )
    namespace = ReqIFNamespaceInfo(
        original_reqif_tag_dump=None,
        doctype_is_present=False,
        encoding="UTF-8",
        namespace=REQIF_NS,
        configuration=None,
        namespace_id=None,
        namespace_xhtml=XHTML_NS,
        schema_namespace=None,
        schema_location=None,
        language=None,
    )
    bundle = ReqIFBundle(
        namespace_info=namespace,
        req_if_header=header,
        core_content=ReqIFCoreContent(content),
        tool_extensions_tag_exists=False,
        lookup=ReqIFObjectLookup.empty(),
        exceptions=[],
    )
    text = ReqIFUnparser.unparse(bundle)
    # The unparser escapes THE-VALUE="..." with html.escape, which leaves line breaks and tabs
    # as they are: an XML reader would turn them into spaces, so they become references.
    text = _THE_VALUE.sub(lambda m: f' THE-VALUE="{_breaks(m.group(1))}"', text)
    return text.encode("utf-8")


def _breaks(value: str) -> str:
    return value.replace("\t", "&#9;").replace("\n", "&#10;").replace("\r", "&#13;")


def _display(name: str) -> str:
    """A name as an XML attribute shows it: XML's whitespace normalisation would turn line
    breaks and tabs into spaces anyway."""
    return re.sub(r"[\t\n\r]", " ", _shown(name))


def _long_name(slot: _Slot, taken: set[str]) -> str:
    """The LONG-NAME of a field's attribute: its dotted key, `(json)` after it for JSON; the
    kind too where another attribute already has the name (one key, values of two kinds)."""
    dotted = _display(".".join(slot.path))
    name = f"{dotted} (json)" if slot.kind == "json" else dotted
    if name not in taken:
        return name
    name = f"{dotted} ({slot.kind})"
    count = 1
    while name in taken:
        count += 1
        name = f"{dotted} ({slot.kind} {count})"
    return name


def _description(slot: _Slot) -> str:
    """The DESC that tells our import what a definition holds."""
    meaning = [slot.role, slot.kind, list(slot.path)]
    text = json.dumps(meaning, ensure_ascii=False)
    return MARK + (text if _carriable(text) else json.dumps(meaning))


def _tree_parents(
    objects: Sequence[str], links: Sequence[Mapping[str, list[str]]], by_id: Mapping[str, str]
) -> dict[str, str]:
    """Each object's parent in the hierarchy: its first `parent` link to an exported object;
    none for a member of a parent cycle, which goes to the top level."""
    first: dict[str, str] = {}
    for obj, targets in zip(objects, links, strict=True):
        for target in targets.get("parent", []):
            parent = by_id.get(target)
            if parent is not None and parent != obj:
                first.setdefault(obj, parent)
                break
    parents: dict[str, str] = {}
    for obj, parent in first.items():
        seen = {obj}
        node: str | None = parent
        while node is not None and node not in seen:
            seen.add(node)
            node = first.get(node)
        if node != obj:  # the chain from obj ends (or loops elsewhere): obj is not in a cycle
            parents[obj] = parent
    return parents


def _tree_order(objects: Sequence[str], parents: Mapping[str, str]) -> list[tuple[str, str]]:
    """(object, its parent or "") parents first, otherwise in the given order; one nested
    deeper than MAX_NESTING goes to the top level."""
    children: dict[str, list[str]] = {}
    for obj in objects:
        if obj in parents:
            children.setdefault(parents[obj], []).append(obj)
    out: list[tuple[str, str]] = []
    depth: dict[str, int] = {}
    stack = [(obj, "") for obj in reversed(objects) if obj not in parents]
    while stack:
        obj, parent = stack.pop()
        level = depth[parent] + 1 if parent else 1
        if level > MAX_NESTING:
            parent, level = "", 1
        depth[obj] = level
        out.append((obj, parent))
        stack += [(child, obj) for child in reversed(children.get(obj, []))]
    return out


# --------------------------------------------------------------------------------------------
# import


def _name(element: etree._Element) -> str:
    """An element's local name ("" for a comment or processing instruction)."""
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in element if _name(child) == name]


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


def _our_slot(desc: str | None) -> _Slot | None:
    if not desc or not desc.startswith(MARK):
        return None
    try:
        role, kind, path = json.loads(desc[len(MARK) :])
    except (ValueError, TypeError):
        return None
    if not (isinstance(role, str) and isinstance(kind, str) and isinstance(path, list)):
        return None
    if not all(isinstance(part, str) for part in path):
        return None
    return _Slot(role, kind, tuple(path))


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


# --------------------------------------------------------------------------------------------
# XHTML -> Markdown

_BLOCKS = frozenset(
    [
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "li",
        "table",
        "pre",
        "blockquote",
        "hr",
        "address",
        "center",
        "dl",
        "dt",
        "dd",
        "section",
        "article",
        "header",
        "footer",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "caption",
    ]
)
_BREAK = "\x00"  # a hard line break while whitespace is collapsed (XML cannot hold U+0000)


def xhtml_markdown(holder: etree._Element) -> str:
    """The content of an XHTML value (`<THE-VALUE>`) as Markdown: paragraphs, line breaks,
    bold, italics, code, links, headings, nested lists, tables (as GFM tables) and images or
    objects as links; any other element keeps its text."""
    blocks = _blocks(holder)
    return "\n\n".join(block for block in blocks if block.strip()).strip("\n")


def _blocks(element: etree._Element) -> list[str]:
    """The Markdown blocks of an element's content."""
    out: list[str] = []
    run: list[str] = [_escape_md(element.text or "")]

    def flush() -> None:
        text = _collapse("".join(run))
        if text:
            out.append(_line_starts(text))
        run.clear()

    for child in element:
        name = _name(child)
        if name in _BLOCKS or (name and _has_block(child)):
            flush()
            out += _block(child, name)
        else:
            run.append(_inline(child))
        run.append(_escape_md(child.tail or ""))
    flush()
    return out


def _has_block(element: etree._Element) -> bool:
    return any(_name(child) in _BLOCKS for child in element.iter() if child is not element)


def _block(element: etree._Element, name: str) -> list[str]:
    if name in ("h1", "h2", "h3", "h4", "h5", "h6"):
        text = _collapse(_inline_content(element)).replace("\n", " ")
        return [f"{'#' * int(name[1])} {text}"] if text else []
    if name in ("ul", "ol"):
        return [_list(element, name == "ol")] if _children(element, "li") else _blocks(element)
    if name == "table":
        return [_table(element)]
    if name == "pre":
        code = "".join(element.itertext()).strip("\n")
        fence = "```"
        while fence in code:
            fence += "`"
        return [f"{fence}\n{code}\n{fence}"]
    if name == "hr":
        return ["---"]
    if name == "blockquote":
        inner = "\n\n".join(_blocks(element))
        return ["\n".join(f"> {line}".rstrip() for line in inner.splitlines())]
    return _blocks(element)


def _list(element: etree._Element, ordered: bool) -> str:
    lines: list[str] = []
    start = element.get("start", "1")
    number = int(start) if start.isdigit() else 1
    for item in _children(element, "li"):
        marker = f"{number}. " if ordered else "- "
        number += 1
        inner = "\n".join(_blocks(item)) or ""
        item_lines = inner.splitlines() or [""]
        lines.append(marker + item_lines[0])
        lines += [(" " * len(marker) + line) if line else "" for line in item_lines[1:]]
    return "\n".join(lines)


def _table(element: etree._Element) -> str:
    rows: list[list[str]] = []
    header = False
    for row in element.iter():
        if _name(row) != "tr":
            continue
        cells = [cell for cell in row if _name(cell) in ("td", "th")]
        if not rows:
            header = bool(cells) and all(_name(cell) == "th" for cell in cells)
        rows.append(
            [
                _collapse(_inline_content(cell)).replace("\n", " ").replace("|", "\\|")
                for cell in cells
            ]
        )
    if not rows:
        return ""
    width = max(1, *(len(row) for row in rows))
    rows = [row + [""] * (width - len(row)) for row in rows]
    if not header:
        rows.insert(0, [""] * width)
    lines = [
        "| " + " | ".join(rows[0]) + " |",
        "| " + " | ".join(["---"] * width) + " |",
        *("| " + " | ".join(row) + " |" for row in rows[1:]),
    ]
    return "\n".join(lines)


def _inline_content(element: etree._Element) -> str:
    text = _escape_md(element.text or "")
    for child in element:
        text += _inline(child) + _escape_md(child.tail or "")
    return text


def _wrap(mark: str, inner: str) -> str:
    """`inner` between `mark`s, its surrounding spaces outside them."""
    stripped = inner.strip()
    if not stripped:
        return inner
    left = inner[: len(inner) - len(inner.lstrip())]
    right = inner[len(inner.rstrip()) :]
    return f"{left}{mark}{stripped}{mark}{right}"


def _inline(element: etree._Element) -> str:
    name = _name(element)
    if name == "br":
        return _BREAK
    if name in ("b", "strong"):
        return _wrap("**", _inline_content(element))
    if name in ("i", "em", "cite", "dfn", "var"):
        return _wrap("*", _inline_content(element))
    if name in ("code", "tt", "kbd", "samp"):
        code = " ".join("".join(element.itertext()).split())
        if not code:
            return ""
        fence = "`"
        while fence in code:
            fence += "`"
        pad = " " if code.startswith("`") or code.endswith("`") else ""
        return f"{fence}{pad}{code}{pad}{fence}"
    if name == "a":
        href = (element.get("href") or "").strip()
        inner = _inline_content(element)
        return _link(_collapse(inner), href) if href else inner
    if name == "img":
        src = (element.get("src") or "").strip()
        alt = _escape_md(element.get("alt") or "")
        return _link(alt, src) if src else alt
    if name == "object":
        data, alt = _object(element)
        return _link(alt, data) if data else alt
    return _inline_content(element)


def _object(element: etree._Element) -> tuple[str, str]:
    """An `<object>` (ReqIF's embedded images and OLE objects): the best rendition's data
    (an image if there is one) and its fallback text."""
    renditions = [element, *(o for o in element.iter() if _name(o) == "object")]
    images = [o for o in renditions if (o.get("type") or "").startswith("image/")]
    chosen = (images or renditions)[0]
    data = (chosen.get("data") or "").strip()
    alt = _collapse(_escape_md(" ".join("".join(element.itertext()).split())))
    return data, alt or _escape_md(data.rpartition("/")[2])


def _link(text: str, href: str) -> str:
    target = f"<{href}>" if re.search(r"[\s()<>]", href) else href
    return f"[{text or _escape_md(href)}]({target})"


def _collapse(text: str) -> str:
    """Whitespace as XHTML shows it (runs are one space), hard breaks as Markdown's `\\`."""
    text = re.sub(r"[ \t\r\n]+", " ", text)
    text = re.sub(f" ?{_BREAK} ?", _BREAK, text).strip(" ")
    text = text.strip(_BREAK + " ")
    return text.replace(_BREAK, "\\\n")


_MD_SPECIAL = re.compile(r"([\\`*\[\]<>])|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])|&(?=#?\w+;)")


def _escape_md(text: str) -> str:
    """Text that Markdown shows as it is: `*`, `[`, `<`, backticks, backslashes, entities
    and `_` at a word's edge get a backslash."""
    return _MD_SPECIAL.sub(lambda m: "\\" + m.group(0), text)


def _line_starts(text: str) -> str:
    """A paragraph whose lines cannot start a heading, list, quote or rule."""
    lines = []
    for line in text.split("\n"):
        if re.match(r"(#{1,6}(\s|$)|[-+](\s|$)|\d{1,9}[.)](\s|$)|=+\s*$)", line):
            line = (
                "\\" + line if not line[0].isdigit() else re.sub(r"([.)])", r"\\\1", line, count=1)
            )
        lines.append(line)
    return "\n".join(lines)
