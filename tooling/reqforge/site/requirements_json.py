"""`requirements.json`: the built model as one versioned document, and its JSON Schema.

For dashboards and other repositories (issue 12 part 7, SPEC 9). The document is made of what
`build.load_site_model` loaded once; every part is the JSON another command already writes:
the scores are `prioritize --format json`'s (`Scores.to_json`, with the backlog's rank), the
trace is `trace --format json`'s item (`TraceItem.to_json`), commits are `log`'s. Fields named
in `site.private_fields` are left out, at any depth, by the pages' own rule (`pages.is_private`).

Compatibility (REQ-512): `format` names the document and `version` its shape; a later release
may add keys but keeps the existing ones and their meaning, and raises `version` otherwise.
No clock is read: the same commit and configuration write the same bytes.
"""

# implements: REQ-512

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from reqforge.render.strict_json import dumps
from reqforge.render.tables import json_document_of_utf8_lines, json_line_encoder
from reqforge.scalars import is_mapping, key_text
from reqforge.site.kept_rows import KeptRows
from reqforge.site.pages import is_private, private_name

if TYPE_CHECKING:
    from reqforge.cache import CacheStore
    from reqforge.catalog import Entry
    from reqforge.config import Config
    from reqforge.site.pages import SiteModel

FORMAT = "reqforge.requirements"
VERSION = 1
DOCUMENT = "requirements.json"
SCHEMA = "requirements.schema.json"


def public_data(
    data: Mapping[str, Any], private: Sequence[str], prefix: str = ""
) -> dict[str, Any]:
    """A mapping of YAML data without the keys `site.private_fields` names, at any depth
    (`prefix` is the dotted name of `data` itself: `customers.acme` for a customer); lists are
    kept whole, a mapping inside a list has no dotted name of its own."""
    return _public(data, tuple(private), prefix + "." if prefix else "")


def _public(data: Mapping[Any, Any], private: tuple[str, ...], prefix: str) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for key, value in data.items():
        text = key if type(key) is str else key_text(key)  # as the JSON writes it: `1`, `true`
        name = prefix + text
        if private_name(name, private):
            continue
        kept[text] = _public(value, private, name + ".") if is_mapping(value) else value
    return kept


def _ranks(model: SiteModel) -> dict[str, int]:
    return {ranked.item["id"]: ranked.item["rank"] for ranked in model.backlog.items}


def _entries(model: SiteModel) -> list[Entry]:
    return sorted(model.catalog, key=lambda entry: (entry.req.id, entry.req.path))


def _head(model: SiteModel, config: Config) -> dict[str, Any]:
    """The document but its requirements: format, version, project, the commit it was built
    from, every customer (by key) without private fields."""
    private = config.site.private_fields
    history = model.history if model.history is not None and model.history.available else None
    customers = model.catalog.repository.customers
    return {
        "format": FORMAT,
        "version": VERSION,
        "project": {"name": config.name or None, "language": config.language},
        "generated_from": {"commit": history.head if history is not None else None},
        "customers": {
            key: public_data(customers[key].data, private, f"customers.{key}")
            for key in sorted(customers)
        },
    }


def _requirement(
    model: SiteModel,
    entry: Entry,
    ranks: Mapping[str, int],
    private: Sequence[str],
    bodies: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    req = entry.req
    item = model.trace_by_id.get(req.id)
    body = {} if bodies is None else {"body": bodies.get(req.path, "")}
    return {
        "id": req.id,
        "path": req.path,
        "status": None if is_private("status", private) else req.status,
        "fields": public_data(req.data, private),
        # the keys of a `prioritize --format json` item; rank is None for a requirement the
        # backlog leaves out (a terminal status)
        "priorities": {
            "rank": ranks.get(req.id),
            **entry.scores.to_json(),
            "blocking": list(entry.blocking),
            "disagreements": list(entry.disagreements),
        },
        "trace": item.to_json() if item is not None else None,
        **_history_summary(model, req.id),
        **body,
    }


def _history_summary(model: SiteModel, rid: str) -> dict[str, Any]:
    """`last_change` (commit, date, author of the newest commit that changed content) and
    `history` (how many commits touched the requirement, the first and the last); both None
    outside git."""
    history = model.history
    if history is None or not history.available:
        return {"last_change": None, "history": None}
    events = history.outline(rid)  # (commit, PR, kind, path, old path), newest first
    last = history.last_change_commit(rid)
    return {
        "last_change": (
            None if last is None else {"commit": last.sha, "date": last.date, "author": last.author}
        ),
        "history": {
            "changes": len(events),
            "first_commit": events[-1][0] if events else None,
            "last_commit": events[0][0] if events else None,
        },
    }


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


_SHA: dict[str, Any] = {"type": "string", "pattern": "^[0-9a-f]{40,64}$"}
_STRINGS: dict[str, Any] = {"type": "array", "items": {"type": "string"}}
_NUMBER = _nullable({"type": "number"})
_TEXT = _nullable({"type": "string"})
_PLACE: dict[str, Any] = {
    "type": "object",
    "required": ["path", "line"],
    "properties": {"path": {"type": "string"}, "line": {"type": "integer"}},
}


def requirements_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the document `requirements_files` writes. It
    allows added keys (`additionalProperties` is left open), as later versions may add some."""
    priorities = {
        "type": "object",
        "required": [
            "rank",
            "moscow",
            "kano",
            "ice",
            "rice",
            "quadrant",
            "p_level",
            "rpn",
            "wsjf",
            "demand",
            "votes",
            "vote_counts",
            "blocking",
            "disagreements",
        ],
        "properties": {
            "rank": _nullable({"type": "integer", "minimum": 1}),
            "moscow": _TEXT,
            "kano": _TEXT,
            "ice": _nullable(
                {
                    "type": "object",
                    "required": ["score", "level"],
                    "properties": {"score": {"type": "number"}, "level": _TEXT},
                }
            ),
            "rice": _NUMBER,
            "quadrant": _TEXT,
            "p_level": _TEXT,
            "rpn": _NUMBER,
            "wsjf": _NUMBER,
            "demand": _NUMBER,
            "votes": _NUMBER,
            "vote_counts": _nullable(
                {"type": "object", "additionalProperties": {"type": "integer"}}
            ),
            "blocking": _STRINGS,
            "disagreements": _STRINGS,
        },
    }
    trace = {
        "type": "object",
        "required": [
            "id",
            "parents",
            "children",
            "links",
            "implemented",
            "verified",
            "missing",
            "suspect",
        ],
        "properties": {
            "id": {"type": "string"},
            "parents": _STRINGS,
            "children": _STRINGS,
            "links": {"type": "object", "additionalProperties": _STRINGS},
            "implemented": {"type": "array", "items": _PLACE},
            "verified": {
                "type": "array",
                "items": {
                    **_PLACE,
                    "required": ["path", "line", "test", "result"],
                    "properties": {
                        **_PLACE["properties"],
                        "test": _TEXT,
                        "result": {"enum": ["passed", "failed", "skipped", "unknown"]},
                    },
                },
            },
            "missing": _STRINGS,
            "suspect": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "since"],
                    "properties": {"id": {"type": "string"}, "since": {"type": "string"}},
                },
            },
        },
    }
    requirement = {
        "type": "object",
        "required": [
            "id",
            "path",
            "status",
            "fields",
            "priorities",
            "trace",
            "last_change",
            "history",
        ],
        "properties": {
            "id": {"type": "string"},
            "path": {"type": "string"},
            "status": _TEXT,
            "fields": {"type": "object"},
            "priorities": priorities,
            "trace": _nullable(trace),
            "last_change": _nullable(
                {
                    "type": "object",
                    "required": ["commit", "date", "author"],
                    "properties": {
                        "commit": _SHA,
                        "date": {"type": "string"},
                        "author": {"type": "string"},
                    },
                }
            ),
            "history": _nullable(
                {
                    "type": "object",
                    "required": ["changes", "first_commit", "last_commit"],
                    "properties": {
                        "changes": {"type": "integer", "minimum": 0},
                        "first_commit": _nullable(_SHA),
                        "last_commit": _nullable(_SHA),
                    },
                }
            ),
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "reqforge requirements.json, version 1",
        "type": "object",
        "required": ["format", "version", "project", "generated_from", "requirements", "customers"],
        "properties": {
            "format": {"const": FORMAT},
            "version": {"const": VERSION},
            "project": {
                "type": "object",
                "required": ["name", "language"],
                "properties": {"name": _TEXT, "language": {"type": "string"}},
            },
            "generated_from": {
                "type": "object",
                "required": ["commit"],
                "properties": {"commit": _nullable(_SHA)},
            },
            "requirements": {"type": "array", "items": requirement},
            "customers": {"type": "object", "additionalProperties": {"type": "object"}},
        },
    }


def requirements_files(
    model: SiteModel,
    config: Config,
    key_of: Callable[[Entry], str] | None = None,
    bodies: Mapping[str, str] | None = None,
) -> dict[str, bytes]:
    """`requirements.json` and `requirements.schema.json` by name, as strict JSON (a value
    JSON cannot carry becomes null, SPEC 6a) ending with a newline; the document has one
    requirement a line (diffable, and written by the C encoder: fast at 10,000).

    With `key_of` (a requirement page's key: everything its line is drawn from but its rank
    and what it blocks) and the model's cache store, each requirement's line is kept between
    builds (`_kept_lines`): a status edit encodes one line, not 10,000. With `bodies` (by
    path; `export --to json`) each requirement carries its Markdown `body` as well."""
    private = config.site.private_fields
    ranks = _ranks(model)
    entries = _entries(model)
    store = model.store
    if key_of is None or store is None or bodies is not None:
        dump = json_line_encoder()
        lines = [
            dump(_requirement(model, entry, ranks, private, bodies)).encode("utf-8")
            for entry in entries
        ]
    else:
        lines = _kept_lines(model, entries, ranks, private, key_of, store)
    text = json_document_of_utf8_lines(_head(model, config), "requirements", lines) + b"\n"
    schema = dumps(requirements_schema(), indent=2) + "\n"
    return {DOCUMENT: text, SCHEMA: schema.encode("utf-8")}


def _kept_lines(
    model: SiteModel,
    entries: list[Entry],
    ranks: Mapping[str, int],
    private: Sequence[str],
    key_of: Callable[[Entry], str],
    store: CacheStore,
) -> list[bytes]:
    """Each requirement's line, kept (site/kept_rows.py) under its page's key, its rank and
    what it blocks."""
    kept: KeptRows[bytes] = KeptRows(store, "requirements-json", f"v{VERSION}", bytes)
    dump = json_line_encoder()
    lines = [
        kept.get(
            f"{key_of(entry)} {ranks.get(entry.req.id)} {entry.blocking!r}",
            partial(_line, dump, model, entry, ranks, private),
        )
        for entry in entries
    ]
    kept.save()
    return lines


def _line(
    dump: Callable[[Any], str],
    model: SiteModel,
    entry: Entry,
    ranks: Mapping[str, int],
    private: Sequence[str],
) -> bytes:
    return dump(_requirement(model, entry, ranks, private)).encode("utf-8")
