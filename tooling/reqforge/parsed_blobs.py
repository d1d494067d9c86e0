"""Requirement files parsed once, kept by their content: what `diff` compares, run after run.

`diff` reads both sides of a range from git and parses every file of both (10,000 files: about
0.75 s of a 1.8 s run), though from one run to the next nearly every version is one it parsed
before. `ParsedBlobs.parse` is `loader.parse_file` with a memory: a file whose bytes it has seen
(by `cache.content_digest`) comes back from the `parsed-blobs` cache; `save` keeps the versions
this run used, so the cache holds about two trees and never grows past what a run reads. Files
that do not parse are parsed again each time (their message is in the user's language).
"""

# implements: REQ-304

from __future__ import annotations

import marshal
from typing import Any

from reqforge.cache import CacheStore, content_digest, dict_of, fixed
from reqforge.loader import ParsedFile, Problem, parse_file

_SHAPE = dict_of(bytes, fixed(bytes, str, int, str))
_KEY = "parsed-blobs"  # the store keys by reqforge's code already: a new parser starts afresh


class ParsedBlobs:
    """`parse_file` remembered by content in `store` (disabled store: no memory), under `name`:
    each user its own (`diff` the two trees it compares, the site's change log the release
    baselines), so that neither drops what the other keeps."""

    def __init__(self, store: CacheStore, name: str = _KEY) -> None:
        self._store = store
        self._name = name
        self._known: dict[bytes, tuple[bytes, str, int, str]] = store.read(name, name, _SHAPE) or {}
        self._used: dict[bytes, tuple[bytes, str, int, str]] = {}

    def parse(self, raw: bytes) -> ParsedFile | Problem:
        digest = content_digest(raw)
        kept = self._known.get(digest) or self._used.get(digest)
        if kept is not None:
            self._used[digest] = kept
            data: Any = marshal.loads(kept[0])
            return ParsedFile(data=data, front_matter=kept[1], body_line=kept[2], body=kept[3])
        result = parse_file(raw)
        if isinstance(result, ParsedFile):
            try:
                blob = marshal.dumps(result.data)
            except ValueError:  # pragma: no cover - YAML gives marshal-able values
                return result
            self._used[digest] = (blob, result.front_matter, result.body_line, result.body)
        return result

    def save(self) -> None:
        """Keep the versions this run parsed or reused (when any is new)."""
        if self._store.enabled and self._used.keys() - self._known.keys():
            self._store.write(self._name, self._name, self._used)
