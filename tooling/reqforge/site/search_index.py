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

A build keeps the index in the `search` cache (reqforge/cache.py) in the pieces its script is
made of, already JSON: each document's row, record digest and terms, and each term's postings.
The next build tokenizes only the documents whose record changed (one edited body: one
document, not 10,000), moves their positions in the postings of the terms they gained or lost,
and joins the pieces: no inverting of every document's terms, no 4 MB of JSON written anew.

Safety: the JSON escapes `<`, `>`, `&`, U+2028 and U+2029, so neither `</script>` nor a line
separator in the data can end the script or break its parsing.
"""

# implements: REQ-507

from __future__ import annotations

import json
import re
import unicodedata
from bisect import bisect_left, insort
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate, pairwise
from typing import TYPE_CHECKING, Any

from reqforge.cache import content_digest, fixed, gc_paused, list_of
from reqforge.site.script_data import safe_json

if TYPE_CHECKING:
    from reqforge.cache import CacheStore

FORMAT_VERSION = 2
SEARCH_CACHE = "search"
# What the cache's rows and terms were made by: the index format and the tokenizer's rules
# (reqforge's code is in every cache key already).
_CACHE_KEY = f"format{FORMAT_VERSION}|pieces|2"
_CACHE_SHAPE = fixed(list_of(bytes), list_of(str), list_of(str), list_of(str), list_of(str))
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


def build_search_index(records: Iterable[SearchRecord]) -> dict[str, Any]:
    """The index of `records` (format in the module docstring): documents sorted by ID, every
    term of ID, title, status, type, area and body with its delta-encoded posting list. The
    data `search` reads; a build writes the same index as a script from kept pieces
    (`search_index_script`), whose bytes the tests hold to `data_script` of this."""
    docs, postings, _ = _collect(sorted(records, key=_by_id))
    terms = sorted(postings, key=_utf16)
    return {
        "version": FORMAT_VERSION,
        "fields": list(FIELDS),
        "docs": docs,
        "terms": terms,
        "postings": [_deltas(postings[term]) for term in terms],
    }


def search_index_script(
    records: Iterable[SearchRecord] | Sequence[SearchRecord],
    store: CacheStore | None = None,
    digests: Sequence[bytes] | None = None,
) -> str:
    """The index as the script `search.js` reads: `window.REQFORGE_SEARCH = {...};`, the
    bytes `script_data.data_script` writes for `build_search_index(records)` (compact,
    key-sorted, safe in any script context, a lone surrogate from a file name that is not
    UTF-8 as U+FFFD). With `store`, the index of the last build comes from the `search` cache
    in pieces, and only the documents that changed are tokenized and patched in (their row,
    and the postings of the terms they gained or lost); the cache is left holding this one.
    `digests`: a digest of each record, when the caller has one that stands for it (the
    records are then a sequence in ID order, whose items are asked for only when their
    document changed: a record may read its body when asked)."""
    ordered: Sequence[SearchRecord]
    if digests is None:
        ordered = sorted(records, key=_by_id)
        digests = [_record_digest(record) for record in ordered]
    else:
        ordered = records  # type: ignore[assignment]
        digests = list(digests)
    with gc_paused():  # ~10^6 terms in the pieces: no collector passes while they load
        kept = _Pieces.read(store) if store is not None else None
        pieces = _patched(kept, ordered, digests) if kept is not None else None
        if pieces is None:
            pieces = _fresh(ordered, digests)
        if store is not None and pieces is not kept:
            store.write(SEARCH_CACHE, _CACHE_KEY, pieces.row())
    return pieces.script()


def _by_id(record: SearchRecord) -> str:
    return record.id


def _deltas(positions: list[int]) -> list[int]:
    return [positions[0]] + [b - a for a, b in pairwise(positions)]


def _collect(
    ordered: Iterable[SearchRecord],
) -> tuple[list[list[str]], dict[str, list[int]], list[list[str]]]:
    """(docs, postings by term as ascending positions, each document's sorted terms)."""
    postings: dict[str, list[int]] = {}
    stems: dict[str, str] = {}
    docs = []
    doc_terms = []
    for position, record in enumerate(ordered):
        row, terms = _document(record, stems)
        docs.append(row)
        doc_terms.append(terms)
        for term in terms:
            postings.setdefault(term, []).append(position)
    return docs, postings, doc_terms


def _document(record: SearchRecord, stems: dict[str, str]) -> tuple[list[str], list[str]]:
    """A record's row of `docs` and its terms, sorted."""
    fields = [record.id, record.title, record.status, record.type, record.area]
    terms = _terms_of(" ".join((*fields, record.text)), stems)
    return [*fields, _cut(plain_text(record.text))], sorted(terms)


def _record_digest(record: SearchRecord) -> bytes:
    text = "\0".join((record.id, record.title, record.status, record.type, record.area))
    return content_digest(f"{text}\0{record.text}".encode("utf-8", "surrogatepass"))


def _postings_json(positions: list[int]) -> str:
    return "[" + ",".join(map(str, _deltas(positions))) + "]"


def _positions(postings_json: str) -> list[int]:
    positions = list(accumulate(json.loads(postings_json)))
    if not all(type(p) is int for p in positions):
        raise ValueError("a posting that is not a position")
    return positions


# At most this many documents changed, or this share of them (and none added or removed): the
# kept index is patched; past it, built afresh.
PATCH_MOST, PATCH_SHARE = 16, 0.05


@dataclass
class _Pieces:
    """The index in the pieces its script is made of, each already safe JSON (and kept so in
    the `search` cache): one row per document (in ID order, with the digest of its record and
    its terms joined by newlines, which no term holds), and the terms in UTF-16 order with the
    JSON of each one's delta-encoded postings."""

    digests: list[bytes]
    rows: list[str]
    doc_terms: list[str]
    terms: list[str]
    postings: list[str]

    @classmethod
    def read(cls, store: CacheStore) -> _Pieces | None:
        found = store.read(SEARCH_CACHE, _CACHE_KEY, _CACHE_SHAPE)
        if found is None:
            return None
        pieces = cls(*found)
        if not len(pieces.digests) == len(pieces.rows) == len(pieces.doc_terms) or len(
            pieces.terms
        ) != len(pieces.postings):
            return None  # not what a build writes
        return pieces

    def row(self) -> tuple[list[Any], ...]:
        return self.digests, self.rows, self.doc_terms, self.terms, self.postings

    def script(self) -> str:
        # The bytes of data_script("REQFORGE_SEARCH", build_search_index(...)): its keys sorted.
        return "".join(
            (
                'window.REQFORGE_SEARCH = {"docs":[',
                ",".join(self.rows),
                '],"fields":',
                safe_json(list(FIELDS)),
                ',"postings":[',
                ",".join(self.postings),
                '],"terms":',
                safe_json(self.terms),
                f',"version":{FORMAT_VERSION}}};\n',
            )
        )


def _fresh(ordered: Sequence[SearchRecord], digests: list[bytes]) -> _Pieces:
    docs, postings, doc_terms = _collect(ordered)
    terms = sorted(postings, key=_utf16)
    return _Pieces(
        digests,
        [safe_json(row) for row in docs],
        ["\n".join(found) for found in doc_terms],
        terms,
        [_postings_json(postings[term]) for term in terms],
    )


def _patched(
    kept: _Pieces, ordered: Sequence[SearchRecord], digests: list[bytes]
) -> _Pieces | None:
    """`kept` with the documents whose record changed patched in; None when documents were
    added or removed, or too many changed, or `kept` does not hold together."""
    if len(kept.digests) != len(digests):
        return None
    changed = [
        p for p, (old, new) in enumerate(zip(kept.digests, digests, strict=True)) if old != new
    ]
    if not changed:
        return kept
    if len(changed) > max(PATCH_MOST, PATCH_SHARE * len(digests)):
        return None
    at = {term: index for index, term in enumerate(kept.terms)}
    touched: dict[str, list[int]] = {}
    rows, doc_terms = list(kept.rows), list(kept.doc_terms)
    stems: dict[str, str] = {}
    try:
        for position in changed:
            row, terms = _document(ordered[position], stems)
            old = set(doc_terms[position].split("\n")) if doc_terms[position] else set()
            for term in old.symmetric_difference(terms):
                found = touched.get(term)
                if found is None:
                    index = at.get(term)
                    found = touched[term] = (
                        [] if index is None else _positions(kept.postings[index])
                    )
                if term in old:
                    found.remove(position)
                else:
                    insort(found, position)
            rows[position] = safe_json(row)
            doc_terms[position] = "\n".join(terms)
    except (ValueError, TypeError):  # a kept posting unlike what its document's terms say
        return None
    postings = dict(zip(kept.terms, kept.postings, strict=True))
    for term, positions in touched.items():
        if positions:
            postings[term] = _postings_json(positions)
        else:
            del postings[term]
    terms = sorted(postings, key=_utf16)
    return _Pieces(digests, rows, doc_terms, terms, [postings[term] for term in terms])


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
