"""`import --from doorstop TREE`: a Doorstop tree into records.

A Doorstop document is a folder holding `.doorstop.yml` (`settings: prefix, sep, digits,
parent`) and one YAML file per item (`REQ001.yml`; also Doorstop's Markdown items, `REQ001.md`
with the same fields as front matter). Every document under TREE is read, each into the area
named by its folder (the top document into the area given with --area). The README's
"Doorstop" table says which item key becomes which field: `header` the title, `text` the body,
`links` (`UID: fingerprint`) `links.parent` (the fingerprints in `origin.fingerprints`), the UID
`origin.id` when the file's name is not an ID of ours (`REQ001` becomes `REQ-001`); `derived`,
`normative`, `level`, `ref`, `references` and `reviewed` are kept in `origin`, as are the
document's prefix and parent and any custom attribute (`origin.attributes`); an item with
`active: false` is not imported (reported as skipped).

Items get the project's first type and status (or the map's `[defaults]`).
"""

# implements: REQ-707

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml

from reqforge.i18n import Text
from reqforge.interchange.records import (
    Record,
    Skipped,
    Source,
    read_source,
    source_error,
)

SETTINGS = ".doorstop.yml"
TITLE_LENGTH = 80
_KNOWN = frozenset(
    {"active", "derived", "header", "level", "links", "normative", "ref", "references",
     "reviewed", "text"}
)  # fmt: skip
_MARKUP = re.compile(r"[*_`#>]+")


def _yaml(data: bytes, place: str) -> Any:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise source_error(place, Text("not UTF-8 text")) from None
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        where = f"{place}:{line}" if line else place
        raise source_error(where, Text("not valid YAML: {reason}", reason=exc.problem)) from None
    except yaml.YAMLError as exc:
        raise source_error(place, Text("not valid YAML: {reason}", reason=exc)) from None


def _markdown_item(data: bytes, place: str) -> tuple[Any, str]:
    """Doorstop's Markdown item: front matter (the fields but `text`) and the text."""
    text = data.decode("utf-8-sig", errors="replace")
    if not text.startswith("---"):
        raise source_error(place, Text("a Markdown item must start with '---' front matter"))
    parts = text.split("\n---", 1)
    if len(parts) < 2:
        raise source_error(place, Text("front matter is not closed: expected a '---' line"))
    front = _yaml(parts[0].removeprefix("---").encode("utf-8"), place)
    body = parts[1].split("\n", 1)[1] if "\n" in parts[1] else ""
    return front, body.lstrip("\n")


def _title(header: str, text: str, uid: str) -> str:
    header = header.strip()
    if header:
        return header.splitlines()[0].strip()
    for line in text.splitlines():
        line = _MARKUP.sub("", line).strip()
        if line and not line.startswith("!["):
            return line if len(line) <= TITLE_LENGTH else line[: TITLE_LENGTH - 1] + "…"
    return uid


def _documents(tree: Path, place: str) -> list[tuple[Path, dict[str, Any]]]:
    found: list[tuple[Path, dict[str, Any]]] = []
    for folder, subfolders, files in os.walk(tree):
        subfolders[:] = sorted(s for s in subfolders if not s.startswith(".") or s == ".")
        if SETTINGS not in files:
            continue
        where = f"{place}/{Path(folder, SETTINGS).relative_to(tree).as_posix()}"
        settings = _yaml(read_source(Path(folder, SETTINGS), where), where)
        if not isinstance(settings, dict) or not isinstance(settings.get("settings"), dict):
            raise source_error(where, Text("expected a 'settings:' mapping with the prefix"))
        prefix = settings["settings"].get("prefix")
        if not isinstance(prefix, str) or not prefix:
            raise source_error(where, Text("settings.prefix: expected the document's prefix"))
        found.append((Path(folder), settings["settings"]))
    return found


def read_doorstop(tree: Path, place: str) -> Source:
    """Every active item of every document under `tree`. Raises SourceError for a folder
    with no Doorstop document, or an item or settings file that cannot be read."""
    source = Source("doorstop")
    if not tree.is_dir():
        raise source_error(place, Text("expected the folder of a Doorstop tree"))
    documents = _documents(tree, place)
    if not documents:
        raise source_error(
            place, Text("no Doorstop document here: expected folders holding .doorstop.yml")
        )
    document_folders = {folder for folder, _ in documents}
    for folder, settings in documents:
        prefix = str(settings["prefix"])
        parent_document = settings.get("parent")
        area = folder.relative_to(tree).as_posix()
        area = "" if area == "." else area
        names = sorted(
            name
            for name in os.listdir(folder)
            if name.startswith(prefix) and name.endswith((".yml", ".md"))
            if (folder / name).is_file() and folder / name not in document_folders
        )
        for name in names:
            path = folder / name
            where = f"{place}/{path.relative_to(tree).as_posix()}"
            data = read_source(path, where)
            body = None
            if name.endswith(".md"):
                item, body = _markdown_item(data, where)
            else:
                item = _yaml(data, where)
            if not isinstance(item, dict):
                raise source_error(where, Text("expected a mapping of the item's fields"))
            uid = name.rsplit(".", 1)[0]
            if item.get("active", True) is False:
                source.skipped.append(Skipped(where, Text("inactive item (active: false)")))
                continue
            source.records.append(_record(item, uid, body, where, area, prefix, parent_document))
    return source


def _record(
    item: dict[str, Any],
    uid: str,
    body: str | None,
    where: str,
    area: str,
    prefix: str,
    parent_document: Any,
) -> Record:
    text = body if body is not None else str(item.get("text") or "")
    header = str(item.get("header") or "")
    origin: dict[str, Any] = {"tool": "doorstop", "document": prefix}
    if parent_document:
        origin["parent-document"] = str(parent_document)
    for key in ("derived", "normative", "ref", "reviewed"):
        value = item.get(key)
        if value not in (None, ""):
            origin[key] = value
    if item.get("level") is not None:
        origin["level"] = str(item["level"])
    if item.get("references"):
        origin["references"] = item["references"]
    parents: list[str] = []
    fingerprints: dict[str, Any] = {}
    for link in item.get("links") or []:
        if isinstance(link, dict):
            for target, fingerprint in link.items():
                parents.append(str(target))
                if fingerprint:
                    fingerprints[str(target)] = str(fingerprint)
        elif isinstance(link, str):
            parents.append(link)
        else:
            raise source_error(where, Text("links: expected UIDs, or UID: fingerprint"))
    if fingerprints:
        origin["fingerprints"] = fingerprints
    raw = {key: value for key, value in item.items() if key not in _KNOWN}
    return Record(
        key=uid,
        fields={"title": _title(header, text, uid), "origin": origin},
        body=text,
        links={"parent": parents} if parents else {},
        place=where,
        area=area,
        raw=raw,
    )
