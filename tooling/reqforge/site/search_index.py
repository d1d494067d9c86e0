"""The client-side search index, written at build time as a script file (issue 12 part 4).

The site must search from `file://`, where a page cannot fetch a JSON file, so the index is a
script that sets one global: `window.REQFORGE_SEARCH = {...};`. Format (version 1):

    {"version": 1,
     "fields": ["id", "title", "status", "type", "area", "snippet"],
     "docs": [["REQ-001", "Title", "done", "functional", "core", "First 240 characters..."], ...],
     "terms": {"export": [0, 3, 1], "导出": [5], ...}}

`docs` are sorted by ID; a posting list holds the positions of the documents that contain the
term, delta-encoded (each number is the gap from the one before: `[0, 3, 1]` is documents 0, 3
and 4), because small gaps print in one or two digits and keep the index small. Terms are sorted.

Terms (the tokenizer, `index_terms` and `query_terms`):
- text is NFKC-normalised and lower-cased, then cut into runs of letters and digits;
- in a run, CJK characters (Han, kana, Hangul) and other characters form separate pieces;
- a non-CJK piece is a word, stemmed by `stem` below;
- a CJK piece is indexed as its character bigrams and single characters; a query uses its
  bigrams, or the character itself when it is one character long. So the query "导出" (one
  bigram) finds "批量导出客户数据" although Chinese writes no spaces between words.
`templates/static/search.js` tokenizes queries with the same rules: KEEP THE TWO IN SYNC (a test
runs both on sample strings when `node` is installed).

Ranking (`search`, mirrored by search.js): a document whose ID equals the query comes first;
then documents by the number of distinct query terms they contain, most first; ties in ID order.

Safety: the JSON escapes `<`, `>`, `&`, U+2028 and U+2029, so neither `</script>` nor a line
separator in the data can end the script or break its parsing.
"""

# implements: REQ-507

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

FORMAT_VERSION = 1
FIELDS = ("id", "title", "status", "type", "area", "snippet")
SNIPPET_CHARS = 240  # of the body, whitespace collapsed: what a result shows under its title

_RUN = re.compile(r"[^\W_]+")
# Han (with extension A and compatibility ideographs), hiragana, katakana and Hangul syllables.
_CJK = re.compile(r"([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+)")
_VOWEL = re.compile(r"[aeiouy]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# What would end the script or break it: `</script>`, `<!--` and the line separators that
# JavaScript once read as line ends inside strings.
_SCRIPT_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028"}
_SCRIPT_UNSAFE["\u2029"] = "\\u2029"


@dataclass(frozen=True)
class SearchRecord:
    """What the index knows of one requirement; `text` is the searchable body."""

    id: str
    title: str
    status: str
    type: str
    area: str
    text: str


def stem(word: str) -> str:
    """A small English stemmer: one suffix rule, the first that applies, to a lower-case word
    of letters a-z only (digits, IDs and other scripts are left alone):
    `ies` -> `y` (stories -> story), `sses` -> `ss`, `ing`/`ed` removed when a vowel stays
    before it (exporting -> export, need stays), `ly` removed (quickly -> quick), `es` removed
    after s/x/z/ch/sh (boxes -> box), `s` removed unless after s/u/i (exports -> export, status
    stays). Each rule leaves at least three letters. Crude next to Porter, but query and text go
    through the same rules, so "exported" finds "exports"."""
    if not word.isascii() or not word.isalpha() or len(word) < 4:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("sses"):
        return word[:-2]
    for suffix in ("ing", "ed"):
        base = word[: -len(suffix)]
        if word.endswith(suffix) and len(base) >= 3 and _VOWEL.search(base):
            return base
    if word.endswith("ly") and len(word) >= 5:
        return word[:-2]
    if word.endswith("es") and len(word) >= 5 and word[:-2].endswith(("s", "x", "z", "ch", "sh")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _pieces(text: str) -> list[tuple[bool, str]]:
    """(is CJK, piece) for each piece of each run of letters and digits, in order."""
    normal = unicodedata.normalize("NFKC", text).lower()
    pieces = []
    for run in _RUN.findall(normal):
        for index, piece in enumerate(_CJK.split(run)):
            if piece:  # re.split puts the captured CJK pieces at odd positions
                pieces.append((index % 2 == 1, piece))
    return pieces


def index_terms(text: str) -> set[str]:
    """The terms a document's text is found by: stemmed words, CJK bigrams and characters."""
    terms: set[str] = set()
    for cjk, piece in _pieces(text):
        if cjk:
            terms.update(piece)
            terms.update(piece[i : i + 2] for i in range(len(piece) - 1))
        else:
            terms.add(stem(piece))
    return terms


def query_terms(query: str) -> list[str]:
    """The terms of a query, each once, in order: stemmed words, CJK bigrams (a one-character
    CJK piece is itself)."""
    terms: list[str] = []
    for cjk, piece in _pieces(query):
        if not cjk:
            terms.append(stem(piece))
        elif len(piece) == 1:
            terms.append(piece)
        else:
            terms.extend(piece[i : i + 2] for i in range(len(piece) - 1))
    return list(dict.fromkeys(terms))


def _snippet(text: str) -> str:
    collapsed = " ".join(text.split())
    return collapsed if len(collapsed) <= SNIPPET_CHARS else collapsed[:SNIPPET_CHARS] + "…"


def _clean(text: str) -> str:
    """Text that encodes as UTF-8: a lone surrogate (from a bad file name) becomes U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def build_search_index(records: Iterable[SearchRecord]) -> dict[str, Any]:
    """The index of `records` (format in the module docstring): documents sorted by ID, every
    term of ID, title, status, type, area and text with its delta-encoded posting list."""
    ordered = sorted(records, key=lambda r: r.id)
    postings: dict[str, list[int]] = {}
    docs = []
    for position, record in enumerate(ordered):
        fields = [_clean(f) for f in (record.id, record.title, record.status, record.type)]
        fields += [_clean(record.area), _clean(_snippet(record.text))]
        docs.append(fields)
        searchable = " ".join((*fields[:5], _clean(record.text)))
        for term in index_terms(searchable):
            postings.setdefault(term, []).append(position)
    terms = {}
    for term in sorted(postings):
        positions = postings[term]
        terms[term] = [positions[0]] + [b - a for a, b in pairwise(positions)]
    return {"version": FORMAT_VERSION, "fields": list(FIELDS), "docs": docs, "terms": terms}


def search_index_script(records: Iterable[SearchRecord]) -> str:
    """The index as the script `search.js` reads: `window.REQFORGE_SEARCH = {...};` in compact,
    key-sorted JSON with `<`, `>`, `&`, U+2028 and U+2029 escaped (safe in any script context)."""
    data = json.dumps(
        build_search_index(records), ensure_ascii=False, separators=(",", ":"), sort_keys=True
    )
    safe = re.sub("[<>&\u2028\u2029]", lambda m: _SCRIPT_UNSAFE[m.group()], data)
    return f"window.REQFORGE_SEARCH = {safe};\n"


def _positions(deltas: Sequence[int]) -> list[int]:
    positions, at = [], 0
    for gap in deltas:
        at += gap
        positions.append(at)
    return positions


def search(index: dict[str, Any], query: str, limit: int = 50) -> list[str]:
    """The IDs that `query` finds in `index`, best first (the ranking in the module docstring;
    search.js ranks the same way in the browser)."""
    docs = index["docs"]
    wanted = query.strip().lower()
    scores: dict[int, int] = {}
    for term in query_terms(query):
        for position in _positions(index["terms"].get(term, ())):
            scores[position] = scores.get(position, 0) + 1
    for position, doc in enumerate(docs):
        if wanted and doc[0].lower() == wanted:
            scores[position] = scores.get(position, 0) + 1_000_000  # the exact ID: always first
    ranked = sorted(scores, key=lambda p: (-scores[p], p))
    return [docs[p][0] for p in ranked[:limit]]
