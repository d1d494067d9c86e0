"""ReqIF 1.2 export: `export --to reqif` writes it for DOORS, Polarion, Capella, ReqIF
Studio, Enterprise Architect and other ReqIF tools.

`export_reqif` builds the document with the `reqif` package's object model and unparser. One
SPEC-OBJECT-TYPE, "Requirement", has an attribute per field: the standard ReqIF.ForeignID
(`id`), ReqIF.Name (`title`) and ReqIF.Text (the body as XHTML, for the tools to show, made by
`xhtml.py`), `reqforge.body` (the Markdown body, verbatim), enumerations for `type` and
`status`, `links (json)`, and one attribute per other front-matter leaf, named by its dotted key
(`priority.ice.impact`) and typed as `reqif_values.py` encodes it (INTEGER, REAL, BOOLEAN, DATE
or STRING; JSON in a STRING attribute named `<key> (json)` for any other kind). Every attribute
definition of ours carries its meaning in its DESC, so our own import reads every value back
exactly. Relations: one SPEC-RELATION per link (the `parent` ones too), one SPEC-RELATION-TYPE
per relation name; the SPECIFICATION's hierarchy puts each requirement under its first exported
parent. Identifiers derive from our IDs and field names, and the schema's CREATION-TIME and
LAST-CHANGE stamps are SOURCE_DATE_EPOCH (else 1970-01-01): the same requirements give the same
bytes.
"""

# implements: REQ-707

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from reqforge.fields import RELATIONS
from reqforge.interchange.reqif_values import (
    _INT_RANGE,
    BODY_ROLE,
    FIELD,
    LINKS,
    PATH_ROLE,
    TEXT,
    _carriable,
    _description,
    _encode,
    _escape,
    _json_text,
    _link_map,
    _shown,
    _Slot,
)
from reqforge.interchange.xhtml import XHTML_NS, markdown_xhtml
from reqforge.parallel import parallel_map

if TYPE_CHECKING:
    from reqforge.catalog import Entry
    from reqforge.config import Config

TOOL = "reqforge"
REQIF_NS = "http://www.omg.org/spec/ReqIF/20110401/reqif.xsd"
BODY = "reqforge.body"
PATH = "reqforge.path"  # the file: our import puts it back in its folder
# SPEC-HIERARCHY nesting deeper than this puts the requirement at the top (its `parent` link
# still says where it belongs): the reqif unparser recurses once per level.
MAX_NESTING = 64
_NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9._-]*$")
_THE_VALUE = re.compile(r' THE-VALUE="([^"]*)"')
# Line breaks and tabs in attribute values stand in for these private-use characters while the
# unparser writes (it leaves them raw; an XML reader would turn them into spaces), then become
# character references in one pass over the text.
_STAND_INS = {"\t": "\ue000", "\n": "\ue001", "\r": "\ue002"}
_REFERENCES = {"\ue000": "&#9;", "\ue001": "&#10;", "\ue002": "&#13;"}


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


def _stamp() -> str:
    """The CREATION-TIME and LAST-CHANGE the schema requires: SOURCE_DATE_EPOCH (the
    reproducible-builds convention) when set, else the Unix epoch; never the clock."""
    try:
        seconds = int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
        moment = dt.datetime.fromtimestamp(seconds, dt.timezone.utc)
    except (ValueError, OverflowError, OSError):
        moment = dt.datetime.fromtimestamp(0, dt.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


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
    from reqif.parsers.spec_object_parser import SpecObjectParser  # type: ignore[import-untyped]
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
    texts = [bodies.get(entry.req.path, "") for entry in entries]
    for index, entry in enumerate(entries):
        data = dict(entry.req.data)
        own: list[tuple[_Slot, Any]] = []
        for name in ("id", "title"):
            value = data.get(name)
            if isinstance(value, str) and _carriable(value):
                own.append((_Slot(FIELD, "string", (name,)), value))
                data.pop(name)
        body = texts[index]
        if body:
            own.append((_Slot(TEXT, "xhtml"), None))  # rendered with its object, below
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
    # the stand-ins serve when no value holds one of them already (else: a slower pass)
    # (keys too: they are in the definitions' names and descriptions)
    stand_ins = not any(
        isinstance(value, str) and not _free_of_stand_ins(value)
        for own in values
        for _, value in own
    ) and all(_free_of_stand_ins("".join(slot.path)) for slot in slots)
    translation = str.maketrans(_STAND_INS)

    def objects_text(indexes: Sequence[int]) -> list[bytes]:
        """The SPEC-OBJECTs of these entries as XML (the body's Markdown rendered here): run
        on every core, each entry's object made and written by the reqif package."""
        out = []
        for index in indexes:
            attributes = []
            for slot, value in values[index]:
                if slot.kind == "xhtml":
                    value = markdown_xhtml(texts[index])
                elif slot.kind == "enumeration":
                    value = [value]
                elif stand_ins and isinstance(value, str):
                    value = value.translate(translation)
                attributes.append(
                    SpecObjectAttribute(
                        attribute_type=type_of[slot.kind],
                        definition_ref=definition_ids[slot],
                        value=value,
                    )
                )
            spec_object = ReqIFSpecObject(
                identifier=objects[index],
                spec_object_type=object_type,
                last_change=stamp,
                attributes=attributes,
            )
            out.append(_references(SpecObjectParser.unparse(spec_object), stand_ins))
        return out

    # bytes from the workers, joined once: no copy of the whole text as a str (200 MB)
    objects_xml = b"".join(parallel_map(objects_text, list(range(len(objects)))))
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
        spec_objects=[],  # written above, on every core, and put in their place below
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
    empty = "      <SPEC-OBJECTS>\n      </SPEC-OBJECTS>\n"
    head, found, tail = text.partition(empty)
    assert found, "the reqif package writes an empty SPEC-OBJECTS element so"
    return b"".join(
        [
            _references(head, stand_ins),
            b"      <SPEC-OBJECTS>\n",
            objects_xml,
            b"      </SPEC-OBJECTS>\n",
            _references(tail, stand_ins),
        ]
    )


def _references(text: str, stand_ins: bool) -> bytes:
    """The unparser's text as UTF-8, line breaks and tabs in attribute values as character
    references: it escapes THE-VALUE="..." with html.escape, which leaves them as they are,
    and an XML reader would turn them into spaces."""
    if stand_ins:
        for stand_in, reference in _REFERENCES.items():
            text = text.replace(stand_in, reference)
    else:
        text = _THE_VALUE.sub(lambda m: f' THE-VALUE="{_breaks(m.group(1))}"', text)
    return text.encode("utf-8")


def _free_of_stand_ins(value: str) -> bool:
    return "\ue000" not in value and "\ue001" not in value and "\ue002" not in value


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
