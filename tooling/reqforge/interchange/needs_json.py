"""sphinx-needs' needs.json: what `export --to needs-json` writes and `import --from needs-json`
reads.

Export. The file has sphinx-needs' envelope, `{"project", "current_version", "versions":
{VERSION: {"creator", "needs", "needs_amount", "reqforge"}}}`, in the reproducible form of
`needs_reproducible_json` (no `created` time stamps: the same requirements and commit give the
same bytes). VERSION is the commit the export was made from, abbreviated to 12 hex digits
("working-tree" outside git); `needimport` takes `current_version` unless given `:version:`.
Each requirement is one need keyed by its ID, as it is: sphinx-needs 9.1 checks
`needs_id_regex` only for needs written in the project's own pages, never for imported ones,
so `CRM-0042` imports unchanged. A need holds:

* `id`, `title`, `status`, `tags`; `type` is always "req" (a need type every project has
  unless its `needs_types` drops it), our own type is the field `req_type`;
* `content`: the Markdown body converted to reStructuredText (`doctype` ".rst"), since
  `needimport` parses content as the page's markup; `rst.py` converts it so that no body can
  break the build or run a directive;
* one list of target IDs per link relation that has any: `parent`, `depends_on`,
  `conflicts_with`, `duplicates`, custom relations with `-` written `_`, and `relates-to` as
  sphinx-needs' own `links`;
* one text value per field of our schema the requirement sets (built-in and `[fields.*]`),
  named by its dotted path with `.` and `-` written `_` (`priority_moscow`,
  `source_channel`, `analysis_five_whys`, `lint_ignore`); a name sphinx-needs already uses
  (`type`, `style`, a link name) gets the prefix `req_`. Lists are joined with "; ", maps
  (`origin`, stakeholder votes) written as JSON.

Fields outside our schema, the exact front matter and the Markdown body are kept in the
version's `reqforge` object (`{"format": 1, "commit", "requirements": {ID: {"front",
"body", "area"}}}`), which sphinx-needs ignores: reading our own file back gives exactly what
was exported.

The consuming project's conf.py declares the fields and link types, or `needimport` warns of
"unknown keys" and drops them: `needs_conf_snippet(config)` writes the settings (sphinx-needs
9.1's `needs_fields` and `needs_links`; the older `needs_extra_options` and `needs_extra_links`
work too but are deprecated and warn). With them, a project builds with `-W`::

    extensions = ["sphinx_needs"]
    needs_fields = {"req_type": {...}, "priority_moscow": {...}, ...}
    needs_links = {"parent": {...}, "depends_on": {...}, ...}

and its pages say `.. needimport:: needs.json`. Two things conf.py cannot change: sphinx-needs
reads `[[...]]` in a title, status or tag as a dynamic function, and a link to a requirement the
export left out (`--filter`) is a dead link it warns of.

Import. `read_needs_json` reads a needs.json of any sphinx-needs project (`-b needs`, or
`needs_build_json`): one `Record` per need of the current version (the newest when the
current one is not in the file), as `records.py` describes. A file this module wrote is read
back from its `reqforge` object instead.
"""

# implements: REQ-707

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from reqforge import __version__
from reqforge.catalog import Entry
from reqforge.config import Config
from reqforge.fields import RELATIONS, Spec, field_schema
from reqforge.i18n import Text
from reqforge.interchange.records import Record, Skipped, Source, source_error
from reqforge.interchange.rst import markdown_to_rst
from reqforge.parallel import parallel_map
from reqforge.render.strict_json import dumps
from reqforge.safe_read import Refused, read_regular

TOOL = "needs-json"
NEED_TYPE = "req"
FORMAT = 1
TABLE = "reqforge"  # the version's object holding our exact requirements
MAX_BYTES = 64 * 1024 * 1024
UNVERSIONED = "working-tree"

# The fields every need of sphinx-needs 9.1 has (`sphinx_needs.data.NeedsCoreFields`), and
# those older versions wrote: no field or link type of ours may take one of these names.
CORE_FIELDS = frozenset(
    {
        "arch", "collapse", "constraints", "constraints_error", "constraints_passed",
        "constraints_results", "content", "docname", "doctype", "external_css",
        "external_url", "has_dead_links", "has_forbidden_dead_links", "hide", "id",
        "id_complete", "id_parent", "is_external", "is_import", "is_modified", "is_need",
        "is_part", "jinja_content", "layout", "lineno", "lineno_content", "modifications",
        "parent_need", "parts", "post_content", "post_template", "pre_content",
        "pre_template", "section_name", "sections", "signature", "status", "style", "tags",
        "template", "title", "type", "type_color", "type_name", "type_prefix", "type_style",
        # written by older versions
        "description", "full_title", "content_id", "content_node", "target_id",
        "parent_needs", "parent_needs_back", "links",
    }
)  # fmt: skip
# Fields whose values a reader keeps as they are in their own Record slot, not in `raw`.
_RECORD_FIELDS = frozenset({"id", "title", "status", "tags", "type", "content", "description"})
_NAME = re.compile(r"[^A-Za-z0-9_]")


def _need_name(path: Iterable[str], reserved: Iterable[str]) -> str:
    """The sphinx-needs name of a field or relation (`priority.moscow` -> `priority_moscow`):
    letters, digits and `_`; `req_` before a name sphinx-needs or a link type already uses."""
    name = _NAME.sub("_", "_".join(path))
    if not name or name[0].isdigit() or name in CORE_FIELDS or name in set(reserved):
        name = f"req_{name}"
    return name


def relations(config: Config) -> tuple[str, ...]:
    """Every link relation of the repository: the built-in ones, then the configured ones."""
    return RELATIONS + tuple(r for r in config.links.relations if r not in RELATIONS)


def link_names(config: Config) -> dict[str, str]:
    """Relation -> its link type in sphinx-needs (`depends-on` -> `depends_on`; `relates-to`
    is sphinx-needs' own `links`)."""
    names: dict[str, str] = {}
    for relation in relations(config):
        names[relation] = (
            "links" if relation == "relates-to" else _need_name([relation], names.values())
        )
    return names


def field_names(config: Config) -> dict[tuple[str, ...], str]:
    """Key path of each leaf field of our schema -> its sphinx-needs field name, without the
    fields a need holds as its own (`id`, `title`, `status`, `tags`) and `links`."""
    reserved = {name for link in link_names(config).values() for name in (link, f"{link}_back")}
    out: dict[tuple[str, ...], str] = {}

    def walk(spec: Spec, path: tuple[str, ...]) -> None:
        if spec.kind == "mapping" and spec.children:
            for key, child in spec.children.items():
                walk(child, (*path, key))
            return
        if len(path) == 1 and path[0] in ("id", "title", "status", "tags", "links"):
            return
        name = _need_name(path, reserved | set(out.values()))
        out[path] = name

    walk(field_schema(config), ())
    return out


# implements: REQ-707
def needs_conf_snippet(config: Config) -> str:
    """The conf.py settings (Python source) a Sphinx project needs to `needimport` this
    repository's needs.json without a warning: every field and link type the export may write,
    none of them read for dynamic functions (`[[...]]` in a value stays text)."""
    fields = "".join(
        f"        {_quoted(name)}: {_quoted('.'.join(path))},\n"
        for path, name in field_names(config).items()
    )
    links = "".join(
        f"        {_quoted(name)}: {_quoted(relation)},\n"
        for relation, name in link_names(config).items()
        if name != "links"
    )
    return (
        "# sphinx-needs settings for the needs.json of `reqforge export --to needs-json`\n"
        '# (with "sphinx_needs" in extensions). Requirements are needs of type "req": keep it\n'
        "# in needs_types if you set that; relates-to links are sphinx-needs' own `links`.\n"
        "needs_fields = {\n"
        '    name: {"description": f"reqforge: {field}", "nullable": True,\n'
        '           "parse_dynamic_functions": False}\n'
        "    for name, field in {\n"
        f"{fields}"
        "    }.items()\n"
        "}\n"
        "needs_links = {\n"
        '    name: {"description": f"reqforge: {relation}", "outgoing": relation,\n'
        '           "incoming": f"{relation} (incoming)", "parse_dynamic_functions": False}\n'
        "    for name, relation in {\n"
        f"{links}"
        "    }.items()\n"
        "}\n"
    )


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _rst_of(bodies: Sequence[str]) -> list[str]:
    return [markdown_to_rst(body) for body in bodies]


# implements: REQ-707
def export_needs_json(
    entries: Sequence[Entry], bodies: Mapping[str, str], config: Config, commit: str | None
) -> str:
    """The needs.json of `entries` (with their Markdown `bodies` by path), made from
    `commit` (None outside git): see the module docstring for its shape."""
    version = commit[:12] if commit else UNVERSIONED
    names = field_names(config)
    links = link_names(config)
    needs: dict[str, dict[str, Any]] = {}
    exact: dict[str, dict[str, Any]] = {}
    texts = [bodies.get(entry.req.path, "") for entry in entries]
    # the bodies as reStructuredText, on every core (the conversion is most of the work)
    contents = parallel_map(_rst_of, texts)
    for entry, body, content in zip(entries, texts, contents, strict=True):
        front = dict(entry.req.data)
        needs[entry.req.id] = _need(entry.req.id, front, content, names, links)
        exact[entry.req.id] = {"front": front, "body": body, "area": entry.req.area}
    document = {
        "current_version": version,
        "project": config.name or config.site.title or config.root.name,
        "versions": {
            version: {
                "creator": {"program": "reqforge", "version": __version__},
                "needs": needs,
                "needs_amount": len(needs),
                TABLE: {"format": FORMAT, "commit": commit, "requirements": exact},
            }
        },
    }
    return dumps(document) + "\n"  # one line: the C encoder (indented, 1 s more at 10,000)


def _need(
    rid: str,
    front: Mapping[str, Any],
    content: str,
    names: Mapping[tuple[str, ...], str],
    links: Mapping[str, str],
) -> dict[str, Any]:
    """One need; `content` is the body as reStructuredText (`markdown_to_rst`)."""
    title = front.get("title")
    tags = front.get("tags")
    need: dict[str, Any] = {"id": rid, "title": _text(title) or "", "type": NEED_TYPE}
    status = _text(front.get("status"))
    if status:
        need["status"] = status
    need["tags"] = [t for t in map(_text, tags) if t] if isinstance(tags, list) else []
    need["content"] = content
    need["doctype"] = ".rst"
    for path, name in names.items():
        value = _lookup(front, path)
        text = _text(value)
        if text:
            need[name] = text
    given = front.get("links")
    if isinstance(given, Mapping):
        for relation, name in links.items():
            targets = given.get(relation)
            targets = [targets] if isinstance(targets, str) else targets
            if isinstance(targets, list):
                kept = [t for t in targets if isinstance(t, str) and t]
                if kept:
                    need[name] = kept
    return need


def _lookup(data: Mapping[str, Any], path: Sequence[str]) -> Any:
    value: Any = data
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def _text(value: Any) -> str | None:
    """A field's value as the text sphinx-needs shows: lists joined with "; ", a map as JSON,
    None for nothing."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list) and all(
        isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value
    ):
        return "; ".join(v if isinstance(v, str) else dumps(v) for v in value) or None
    if isinstance(value, Mapping) and not value:
        return None
    return dumps(value)


# --- reading ------------------------------------------------------------------------------------


# implements: REQ-707
def read_needs_json(path: Path, place: str) -> Source:
    """Every need of a needs.json (`place` names it in messages). Raises `SourceError` for a
    file that cannot be read, is empty, larger than 64 MiB, not JSON or not a needs.json."""
    try:
        data, _ = read_regular(os.path.realpath(path), MAX_BYTES)
    except Refused as exc:
        raise source_error(place, exc.reason) from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise source_error(place, Text("cannot be read: {reason}", reason=reason)) from None
    if not data.strip():
        raise source_error(place, Text("the file is empty"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise source_error(
            place, Text("not UTF-8 text (byte {offset:,})", offset=exc.start)
        ) from None
    document = _parse(text, place)
    version = _version(document)
    if version is None:
        raise source_error(
            place,
            Text('not a sphinx-needs needs.json: no "versions" with "needs" in it'),
        )
    return _records(version, place)


def _parse(text: str, place: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise source_error(
            place,
            Text(
                "not valid JSON at line {line}, column {column}: {reason}",
                line=exc.lineno,
                column=exc.colno,
                reason=exc.msg,
            ),
        ) from None
    except RecursionError:
        raise source_error(place, Text("not valid JSON: nested too deeply")) from None
    except ValueError as exc:  # an integer of more digits than Python converts
        raise source_error(place, Text("not valid JSON: {reason}", reason=str(exc))) from None


def _version_key(name: str) -> tuple[tuple[int, int, str], ...]:
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in re.findall(r"\d+|[^\d.\-_]+", name)
    )


def _version(document: Any) -> Mapping[str, Any] | None:
    """The current version of a needs.json, else its newest; None when it has none."""
    if not isinstance(document, Mapping):
        return None
    versions = document.get("versions")
    if not isinstance(versions, Mapping):
        return None
    usable = {
        str(name): value
        for name, value in versions.items()
        if isinstance(value, Mapping) and isinstance(value.get("needs"), Mapping)
    }
    current = document.get("current_version")
    if isinstance(current, str) and current in usable:
        return usable[current]
    if not usable:
        return None
    return usable[max(usable, key=_version_key)]


def _exact(version: Mapping[str, Any]) -> Mapping[str, Any]:
    """ID -> our exact requirement, from a needs.json this module wrote ({} otherwise)."""
    table = version.get(TABLE)
    if not isinstance(table, Mapping) or table.get("format") != FORMAT:
        return {}
    requirements = table.get("requirements")
    return requirements if isinstance(requirements, Mapping) else {}


def _records(version: Mapping[str, Any], place: str) -> Source:
    source = Source(tool=TOOL)
    exact = _exact(version)
    kinds = _field_kinds(version)
    for key, need in version["needs"].items():
        where = f"{place}: {key}" if key else place
        if not isinstance(need, Mapping):
            source.skipped.append(Skipped(where, Text("not a need (a JSON object)")))
            continue
        if not isinstance(key, str) or not key.strip():
            source.skipped.append(Skipped(where, Text("a need without an id")))
            continue
        ours = exact.get(key)
        if isinstance(ours, Mapping) and _is_exact(ours, key):
            source.records.append(_our_record(key, ours, where))
            continue
        title = need.get("title")
        if not isinstance(title, str) or not title.strip():
            source.skipped.append(Skipped(where, Text("a need without a title")))
            continue
        source.records.append(_record(key, need, kinds, where))
    return source


def _is_exact(ours: Mapping[str, Any], key: str) -> bool:
    front = ours.get("front")
    return (
        isinstance(front, Mapping) and front.get("id") == key and isinstance(ours.get("body"), str)
    )


def _our_record(key: str, ours: Mapping[str, Any], where: str) -> Record:
    front = dict(ours["front"])
    given = front.pop("links", None)
    links: dict[str, list[str]] = {}
    if isinstance(given, Mapping):
        for relation, targets in given.items():
            targets = [targets] if isinstance(targets, str) else targets
            if isinstance(targets, list):
                links[str(relation)] = [t for t in targets if isinstance(t, str)]
    area = ours.get("area")
    return Record(
        key=key,
        fields=front,
        body=ours["body"],
        links=links,
        place=where,
        area=area if isinstance(area, str) else "",
        exact=True,
    )


def _field_kinds(version: Mapping[str, Any]) -> dict[str, str]:
    """Field name -> its `field_type` ("core", "extra", "links", "backlinks") from the
    version's `needs_schema`, when the writer gave one."""
    schema = version.get("needs_schema")
    properties = schema.get("properties") if isinstance(schema, Mapping) else None
    if not isinstance(properties, Mapping):
        return {}
    return {
        str(name): str(spec.get("field_type", ""))
        for name, spec in properties.items()
        if isinstance(spec, Mapping)
    }


def _is_link(name: str, value: Any, need: Mapping[str, Any], kinds: Mapping[str, str]) -> bool:
    if name in kinds:
        return kinds[name] == "links"
    return isinstance(value, list) and (name == "links" or f"{name}_back" in need)


def _is_backlink(name: str, need: Mapping[str, Any], kinds: Mapping[str, str]) -> bool:
    if name in kinds:
        return kinds[name] == "backlinks"
    return name.endswith("_back") and name.removesuffix("_back") in need


def _relation(name: str) -> str:
    return "relates-to" if name == "links" else name.replace("_", "-")


def _target(link: str) -> str:
    """The need a link names: without a condition (`ID[cond]`) or a part (`ID.part`)."""
    return re.sub(r"\[.*\]$", "", link).split(".", 1)[0].strip()


def _record(key: str, need: Mapping[str, Any], kinds: Mapping[str, str], where: str) -> Record:
    fields: dict[str, Any] = {"title": need["title"].strip()}
    status = need.get("status")
    if isinstance(status, str) and status.strip():
        fields["status"] = status.strip()
    tags = need.get("tags")
    if isinstance(tags, str):
        tags = [t for t in re.split(r"[;,]", tags)]
    if isinstance(tags, list):
        kept = [t.strip() for t in tags if isinstance(t, str) and t.strip()]
        if kept:
            fields["tags"] = kept
    content = need.get("content")
    if not isinstance(content, str) or not content:
        content = need.get("description")
    raw: dict[str, Any] = {}
    need_type = need.get("type")
    if isinstance(need_type, str) and need_type:
        raw["type"] = need_type
    links: dict[str, list[str]] = {}
    for name, value in need.items():
        if not isinstance(name, str) or name in _RECORD_FIELDS:
            continue
        if name in CORE_FIELDS and name != "links":
            continue
        if _is_link(name, value, need, kinds):
            targets = (
                [_target(v) for v in value if isinstance(v, str)] if isinstance(value, list) else []
            )
            targets = list(dict.fromkeys(t for t in targets if t))
            if targets:
                links.setdefault(_relation(name), []).extend(
                    t for t in targets if t not in links.get(_relation(name), [])
                )
            continue
        if _is_backlink(name, need, kinds):
            continue
        if kinds.get(name, "extra") != "extra" or value in (None, "", [], {}):
            continue
        raw[name] = value
    return Record(
        key=key,
        fields=fields,
        body=content if isinstance(content, str) else "",
        links=links,
        place=where,
        raw=raw,
    )
