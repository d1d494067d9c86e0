"""The client-side search index, written at build time as a script file (issue 12 part 4).

The site must search from `file://`, where a page cannot fetch a JSON file, so the index is a
script that sets one global: `window.REQFORGE_SEARCH = {...};`. Format (version 2):

    {"version": 2,
     "fields": ["id", "title", "status", "type", "area", "text"],
     "docs": [["REQ-001", "Title", "done", "functional", "core", "The body as plain text"], ...],
     "terms": ["2026", "export", "导出", ...],
     "postings": [[0, 3, 1], [5], ...]}

`docs` are sorted by ID; `text` is the body with its Markdown marks taken out and whitespace
collapsed, cut at `TEXT_CHARS` (the result list shows a snippet of it around the first hit).
`terms` are sorted by UTF-16 code units, the order in which JavaScript compares strings, so the
page finds a term, and every term that starts with a prefix, by binary search. `postings[i]`
lists the positions of the documents that contain `terms[i]`, delta-encoded (each number is the
gap from the one before: `[0, 3, 1]` is documents 0, 3 and 4), because small gaps print in one
or two digits and keep the index small.

Terms (the tokenizer, `index_terms` and `query_terms`):
- text is NFKC-normalised and lower-cased (so full-width `ＡＢＣ１２` is `abc12`), then cut into
  runs of letters and digits;
- in a run, CJK characters (Han, kana, Hangul) and other characters form separate pieces;
- a non-CJK piece is a word, stemmed by `stem` below;
- a CJK piece is indexed as its character bigrams and single characters; a query uses its
  bigrams, or the character itself when it is one character long. So the query "导出" (one
  bigram) finds "批量导出客户数据" although Chinese writes no spaces between words.
`templates/static/search.js` tokenizes queries and ranks with the same rules: KEEP THE TWO IN
SYNC (a test runs both on sample strings when `node` is installed).

Matching and ranking (`search`, mirrored by search.js): a query term found in a document counts
2; a word of two or more characters that is only the beginning of a document's term counts 1
("reconc" finds "reconcile", "crm-0004" finds CRM-00042 as the reader types); a word that finds
nothing is tried again without an unfinished suffix (`unfinished`: "exportin" as "export"),
so results do not vanish half-way through "exporting". A document whose
ID equals the whole query, or one of its space-separated parts, comes first; then documents by
their count, highest first; ties in ID order.

A build keeps each document's row and terms in the `search` cache (reqforge/cache.py) by the
digest of its record: the next build tokenizes only the documents that changed (one edited
body: one document, not 10,000) and makes the postings from the kept terms.

Safety: the JSON escapes `<`, `>`, `&`, U+2028 and U+2029, so neither `</script>` nor a line
separator in the data can end the script or break its parsing.
"""

# implements: REQ-507

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from reqforge.cache import content_digest, dict_of, fixed, gc_paused, list_of, typed
from reqforge.site.script_data import data_script

if TYPE_CHECKING:
    from reqforge.cache import CacheStore

FORMAT_VERSION = 2
SEARCH_CACHE = "search"
# What the cache's rows and terms were made by: the index format and the tokenizer's rules
# (reqforge's code is in every cache key already).
_CACHE_KEY = f"format{FORMAT_VERSION}"
_CACHE_SHAPE = dict_of(bytes, fixed(list_of(str), typed(tuple)))  # terms: see `_collect`
FIELDS = ("id", "title", "status", "type", "area", "text")
TEXT_CHARS = 500  # of the body as plain text: enough for a snippet around a hit near its start
EXACT, PREFIX = 2, 1  # what a query term counts when found as it is, or as a term's beginning
PREFIX_MIN = 2  # a one-letter word would begin too many terms to mean anything
# How a word ends while a suffix the stemmer removes is being typed: "exporti(ng)",
# "stori(es)", "exporte(d)", "quickl(y)". Longest first.
PARTIAL_ENDINGS = ("in", "ie", "i", "e", "l")

# Han (with extension A and compatibility ideographs), hiragana, katakana and Hangul syllables.
_CJK_CHARS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_CJK = re.compile(f"[{_CJK_CHARS}]")
# A piece: a run of CJK characters (group 1) or of other letters and digits (group 2). One
# pattern over the whole text: the same pieces as cutting runs of letters and digits, then
# cutting CJK out of each run, at a fraction of the calls (10,000 bodies in a build).
_PIECE = re.compile(f"([{_CJK_CHARS}]+)|([^\\W_{_CJK_CHARS}]+)")
_VOWEL = re.compile(r"[aeiouy]")
# Markdown marks a snippet is better without: a heading's #s, a quote's >, a list item's marker,
# a table's pipes and its separator row, emphasis and code marks, a link's or image's target.
_TABLE_RULE = re.compile(
    r"^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)*\|?[ \t]*$", re.M
)
_LINE_MARK = re.compile(
    r"^[ \t]{0,3}(?:#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+(?:\[[ xX]\][ \t]+)?|\d+[.)][ \t]+)", re.M
)
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_INLINE_MARK = re.compile(r"\*\*|__|~~|`+|\|")


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


def fold(text: str) -> str:
    """Text as the index compares it: NFKC (full-width letters and digits become ASCII ones)
    and lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def _pieces(text: str) -> list[tuple[bool, str]]:
    """(is CJK, piece) for each piece of the runs of letters and digits, in order."""
    return [(bool(cjk), cjk or word) for cjk, word in _PIECE.findall(fold(text))]


def _terms_of(text: str, stems: dict[str, str]) -> set[str]:
    """`index_terms`, with `stems` remembering the stem of each word met so far (a corpus
    repeats its words: each is stemmed once, not once a use)."""
    terms: set[str] = set()
    words: set[str] = set()
    for cjk, word in _PIECE.findall(fold(text)):
        if word:
            words.add(word)
        else:
            terms.update(cjk)
            terms.update(cjk[i : i + 2] for i in range(len(cjk) - 1))
    for word in words:
        stemmed = stems.get(word)
        if stemmed is None:
            stemmed = stems[word] = stem(word)
        terms.add(stemmed)
    return terms


def index_terms(text: str) -> set[str]:
    """The terms a document's text is found by: stemmed words, CJK bigrams and characters."""
    return _terms_of(text, {})


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


def plain_text(body: str) -> str:
    """A Markdown body as the plain text a snippet shows: headings, quotes, list markers,
    table rules and pipes, emphasis and code marks and link targets taken out, whitespace
    collapsed. Not a Markdown parser (the page renders the body properly): cheap enough to run
    on 10,000 bodies in a build."""
    text = _TABLE_RULE.sub(" ", body)
    text = _LINE_MARK.sub(" ", text)
    text = _LINK.sub(r"\1", text)
    return " ".join(_INLINE_MARK.sub(" ", text).split())


def _cut(text: str) -> str:
    return text if len(text) <= TEXT_CHARS else text[:TEXT_CHARS] + "…"


def _utf16(term: str) -> bytes:
    """The sort key that orders strings as JavaScript compares them (by UTF-16 code unit)."""
    return term.encode("utf-16-be", "surrogatepass")


def build_search_index(
    records: Iterable[SearchRecord], store: CacheStore | None = None
) -> dict[str, Any]:
    """The index of `records` (format in the module docstring): documents sorted by ID, every
    term of ID, title, status, type, area and body with its delta-encoded posting list. With
    `store`, each document's row and terms come from the `search` cache when an earlier build
    indexed the same record, and the cache is left holding this build's documents."""
    ordered = sorted(records, key=lambda r: r.id)
    with gc_paused():  # ~10^6 terms in the cache: no collector passes while they load
        known = (store.read(SEARCH_CACHE, _CACHE_KEY, _CACHE_SHAPE) if store else None) or {}
        try:
            docs, postings, current = _collect(ordered, known)
        except TypeError:  # a kept term that is no string: a cache this code did not write
            known = {}
            docs, postings, current = _collect(ordered, known)
        if store is not None and current.keys() != known.keys():
            store.write(SEARCH_CACHE, _CACHE_KEY, current)
    terms = sorted(postings, key=_utf16)
    return {
        "version": FORMAT_VERSION,
        "fields": list(FIELDS),
        "docs": docs,
        "terms": terms,
        "postings": [_deltas(postings[term]) for term in terms],
    }


def _deltas(positions: list[int]) -> list[int]:
    return [positions[0]] + [b - a for a, b in pairwise(positions)]


_Kept = dict[bytes, tuple[list[str], tuple[str, ...]]]  # record digest -> (doc row, terms)


def _collect(
    ordered: list[SearchRecord], known: _Kept
) -> tuple[list[list[str]], dict[str, list[int]], _Kept]:
    """(docs, postings by term, the rows and terms by record digest) of `ordered`, taking
    each record's row and terms from `known` when there. Raises TypeError when a kept term
    is not a string (the cache's shape checks the rows, not each of 10^6 terms)."""
    postings: dict[str, list[int]] = {}
    stems: dict[str, str] = {}
    docs = []
    current: _Kept = {}
    for position, record in enumerate(ordered):
        digest = _record_digest(record)
        found = known.get(digest)
        if found is None:
            fields = [record.id, record.title, record.status, record.type, record.area]
            terms = _terms_of(" ".join((*fields, record.text)), stems)
            found = ([*fields, _cut(plain_text(record.text))], tuple(sorted(terms)))
        current[digest] = found
        docs.append(found[0])
        for term in found[1]:
            postings.setdefault(term, []).append(position)
    if not all(type(term) is str for term in postings):
        raise TypeError("a search term that is not a string")
    return docs, postings, current


def _record_digest(record: SearchRecord) -> bytes:
    text = "\0".join((record.id, record.title, record.status, record.type, record.area))
    return content_digest(f"{text}\0{record.text}".encode("utf-8", "surrogatepass"))


def search_index_script(records: Iterable[SearchRecord], store: CacheStore | None = None) -> str:
    """The index as the script `search.js` reads: `window.REQFORGE_SEARCH = {...};`, written
    by `script_data.data_script` (compact, key-sorted, safe in any script context, a lone
    surrogate from a file name that is not UTF-8 as U+FFFD). `store`: see
    `build_search_index`."""
    return data_script("REQFORGE_SEARCH", build_search_index(records, store))


def _documents(index: dict[str, Any], at: int) -> Iterable[int]:
    position = 0
    for gap in index["postings"][at]:
        position += gap
        yield position


def _term_counts(index: dict[str, Any], term: str) -> dict[int, int]:
    """What `term` counts in each document it finds: EXACT where it is a term of the
    document, else PREFIX where it begins one (words of PREFIX_MIN characters or more)."""
    terms = index["terms"]
    key = _utf16(term)
    at = bisect_left(terms, key, key=_utf16)
    counts: dict[int, int] = {}
    if at < len(terms) and terms[at] == term:
        counts.update((doc, EXACT) for doc in _documents(index, at))
        at += 1
    if len(term) >= PREFIX_MIN and not _CJK.match(term):
        while at < len(terms) and terms[at].startswith(term):
            for doc in _documents(index, at):
                counts.setdefault(doc, PREFIX)
            at += 1
    return counts


def unfinished(word: str) -> str | None:
    """A word (a-z) that may be half-way through a suffix, without that half (`exportin` ->
    `export`), or None. Looked up only when the word itself finds nothing, so the results stay
    while a reader types `exporting` letter by letter."""
    if not word.isascii() or not word.isalpha():
        return None
    for ending in PARTIAL_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return None


def search(index: dict[str, Any], query: str, limit: int = 50) -> list[str]:
    """The IDs that `query` finds in `index`, best first (the ranking in the module docstring;
    search.js ranks the same way in the browser)."""
    docs = index["docs"]
    scores: dict[int, int] = {}
    for term in query_terms(query):
        counts = _term_counts(index, term)
        shorter = None if counts else unfinished(term)
        if shorter:
            counts = _term_counts(index, shorter)
        for doc, count in counts.items():
            scores[doc] = scores.get(doc, 0) + count
    wanted = {fold(query).strip(), *fold(query).split()}
    for position, doc in enumerate(docs):
        if fold(doc[0]) in wanted:
            scores[position] = scores.get(position, 0) + 1_000_000  # an exact ID: always first
    ranked = sorted(scores, key=lambda p: (-scores[p], p))
    return [docs[p][0] for p in ranked[:limit]]
