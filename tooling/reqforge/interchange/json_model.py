"""`import --from json`: the document `export --to json` writes (the site's requirements.json
model plus each requirement's Markdown `body`) back into records: every field as it was."""

# implements: REQ-707

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from reqforge.i18n import Text
from reqforge.interchange.records import (
    Record,
    Skipped,
    Source,
    area_of,
    read_source,
    source_error,
)

FORMAT = "reqforge.requirements"


def read_json_model(path: Path, place: str, reqs_dir: str = "reqs") -> Source:
    data = read_source(path, place)
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise source_error(place, Text("not UTF-8 text")) from None
    except json.JSONDecodeError as exc:
        raise source_error(
            f"{place}:{exc.lineno}:{exc.colno}", Text("not valid JSON: {reason}", reason=exc.msg)
        ) from None
    except RecursionError:
        raise source_error(place, Text("nested too deeply")) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise source_error(
            place,
            Text(
                'not a reqforge export: expected a JSON object with "format": {format!r} '
                "(written by `reqforge export --to json`)",
                format=FORMAT,
            ),
        )
    items = document.get("requirements")
    if not isinstance(items, list):
        raise source_error(place, Text('expected a "requirements" list'))
    source = Source("json")
    for number, item in enumerate(items, start=1):
        where = f"{place}: requirements[{number - 1}]"
        fields = item.get("fields") if isinstance(item, dict) else None
        if not isinstance(fields, dict) or not isinstance(item.get("id"), str):
            source.skipped.append(Skipped(where, Text("expected an object with id and fields")))
            continue
        fields = dict(fields)
        links = fields.pop("links", None) or {}
        record = Record(
            key=item["id"],
            fields=_dates(fields),
            body=str(item.get("body") or ""),
            links={
                str(relation): [
                    str(t) for t in (targets if isinstance(targets, list) else [targets])
                ]
                for relation, targets in links.items()
                if targets
            }
            if isinstance(links, dict)
            else {},
            place=where,
            exact=True,
        )
        path_text = item.get("path")
        if isinstance(path_text, str):
            record.area = area_of(path_text, reqs_dir)
        source.records.append(record)
    return source


def _dates(value: Any) -> Any:
    """JSON has no dates: `due` and other ISO dates come back as dates (YAML wrote them so)."""
    import datetime as dt
    import re

    if isinstance(value, dict):
        return {key: _dates(child) for key, child in value.items()}
    if isinstance(value, list):
        return [_dates(child) for child in value]
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value
