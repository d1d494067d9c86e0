"""Near-duplicate requirements (RF403): MinHash candidates, then an exact score on content terms.

Pure functions, no I/O. `signature` turns a requirement's title and body into a tuple of ints
(cheap to cache: it survives `marshal` and `array("i")`); `similar_pairs` finds the pairs of
signatures whose similarity reaches a threshold without comparing every pair of texts.

**Content terms** (`_part`), one pass per text, in English and Chinese alike:

* English words, lower-cased, minus stop words ("the", "shall", "need", ...), lightly stemmed
  (`stem`: "export", "exports", "exported", "exporting" are one term).
* Chinese character bigrams (the usual unit for Chinese, where most words are two characters)
  after dropping function characters (的, 将, 把, 为, ...); a title also counts its single
  characters, because a reworded Chinese title often only moves the verb (将/把).
* Every word or bigram of the built-in glossary (checks/glossary.py) counts as its concept:
  "client", "customer" and 客户 are one term. The *cross terms* of a text are its concepts and
  its numbers and codes ("2025", "v2"): all that a translation keeps.

**Stage 1, candidates.** A bottom-k MinHash sketch of each title's and body's terms (a title's
also of its pairs of neighbouring words) feeds an inverted index (`_candidates`) that proposes
the pairs sharing uncommon sketch values; a second index over the titles' uncommon concepts
(`_concept_candidates`) proposes the translations and synonym paraphrases the first misses.
Neither is quadratic in the corpus.

**Stage 2, the score.** Each candidate is scored exactly: `TITLE_WEIGHT * J(title) +
(1 - TITLE_WEIGHT) * J(body)`, J the Jaccard similarity of the term sets (a title's with its
pairs of neighbouring words, which keeps "Export ledger 1 as CSV" and "Export ledger 2 as CSV"
apart; J(title) alone when either body is empty), and the same over the cross terms when the
titles share at least `MIN_SHARED_CONCEPTS` concepts, whichever is larger. Two requirements in
different languages (one mostly Chinese, one mostly ASCII) have only the second: two short
texts do not pair on "customer" and "order" alone.

Markdown headings in the body ("## Scenario", "## 场景") are dropped: they are template, not
content. Punctuation and markup never become terms. Only the first `BODY_CHARS` characters of
the body are read: duplicates show in the opening, and it bounds the cost of very long bodies.

Every term is hashed deterministically across processes (CRC-32 of a word, then CPython's hash
of a tuple of ints, which PYTHONHASHSEED does not randomise, unlike `hash(str)`), and a
signature's sets are filled in the order of the text. The hashes depend on the hash width of
the interpreter (64-bit CPython); a cache of signatures should be keyed by `SIGNATURE_VERSION`
and the Python version, and a cache of scores by the glossary too (reqforge's caches are keyed
by its code, the glossary included).
"""

# implements: REQ-107

from __future__ import annotations

import re
import zlib
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import cache
from itertools import chain, combinations, pairwise, repeat
from operator import rshift

from reqforge.checks.glossary import PHRASES, glossary_entries

SIGNATURE_VERSION = 3
"""Bumped whenever `signature` changes its output, so cached signatures are not mixed."""

DEFAULT_THRESHOLD = 0.7
"""Default minimum similarity for RF403. On the labelled pairs of tests/data/duplicates/
(bench/duplicates.py) hard negatives (same template, another object: "Export customer data to
CSV" / "... to PDF") score at most 0.61, so 0.7 reports no false pair there and 69% of the
duplicates (0.65: still none, 78%); reworded duplicates in tests/test_similarity.py score
0.76-0.9. Bodies generated from one template that differ only in a number or a word do pair:
their text is nearly identical."""

TITLE_WEIGHT = 0.6
TITLE_K = 24
BODY_K = 48
BODY_CHARS = 1000
MIN_SHARED_CONCEPTS = 3
"""Cross terms count only between titles that share this many concepts: a title's two generic
concepts ("changed", "files") say little, and two short texts do not pair by chance."""

LATIN, CJK = 0, 1
"""A signature's language: mostly ASCII letters, or mostly CJK characters."""

# The layout of a signature: a header of `_HEADER` counts, then the parts they count.
# (title sketch, body sketch, title terms, body terms, title cross terms, body cross terms,
# language) and after the counted parts, the concepts (the keys of `_concept_candidates`).
_HEADER = 7

# Candidate generation (see `_candidates`): the smallest `_TITLE_KEYS` title and `_BODY_KEYS`
# body hashes of a sketch are looked at; a hash among them in more than `_COMMON` requirements
# is boilerplate ("customer", "report", a template sentence) and says nothing about duplication;
# the first `_KEYS` remaining hashes make the keys.
_TITLE_KEYS = 5
_BODY_KEYS = 10
_COMMON = 100
_KEYS = 8
# Concept keys (see `_concept_candidates`): pairs among the `_CONCEPT_KEYS` rarest concepts of a
# requirement that are in at least two and at most `_COMMON` requirements.
_CONCEPT_KEYS = 5

_STOP_WORDS = (
    "a an the to of and or in on at by for with from into onto as is are be been it its this "
    "that these those there their they them we our us you your he she his her i me my "
    "shall should must will would can could may might so such than then also any each "
    "s t d ll re ve m"
)
# The second stage also drops words that say how a requirement is phrased, not what it asks.
_TERM_STOP_WORDS = (
    "able allow allows need needs want wants wish like please which who whom what when where "
    "while via per all every some more most other same do does did has have had was were being "
    "system feature function functionality ability possible currently now new only just very e"
)
# Function characters that rewording moves around or drops without changing the meaning; ones
# that are also part of common content words (对 in 对账, 并 in 合并, 地 in 地址) are kept.
_ZH_STOP_CHARS = "的了将把被为与和及或在是于之其"
# CJK Unified Ideographs, Extension A and Compatibility Ideographs.
_CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))


@cache
def _word_bytes_table() -> bytes:
    """bytes.translate table: ASCII letters and digits kept (lower-cased), all else a space."""
    table = bytearray(b" " * 256)
    for b in range(256):
        if 48 <= b <= 57 or 97 <= b <= 122:
            table[b] = b
        elif 65 <= b <= 90:
            table[b] = b + 32
    return bytes(table)


@cache
def _stop_words() -> frozenset[bytes]:
    return frozenset(word.encode() for word in _STOP_WORDS.split())


@cache
def _term_stop_words() -> frozenset[bytes]:
    return _stop_words().union(word.encode() for word in _TERM_STOP_WORDS.split())


@cache
def _cjk_run() -> re.Pattern[str]:
    """Runs of CJK ideographs, function characters excluded (they end a run)."""
    stops = sorted(ord(c) for c in _ZH_STOP_CHARS)
    parts = []
    for low, high in _CJK_RANGES:
        start = low
        for stop in stops:
            if low <= stop <= high:
                if start < stop:
                    parts.append(f"{chr(start)}-{chr(stop - 1)}")
                start = stop + 1
        if start <= high:
            parts.append(f"{chr(start)}-{chr(high)}")
    return re.compile("[" + "".join(parts) + "]+")


@cache
def _heading() -> re.Pattern[str]:
    # Matched after a newline rather than with ^ and MULTILINE: the literal "\n#" prefix lets
    # the regex engine skip ahead, which is twice as fast on a typical body.
    return re.compile(r"\n#{1,6}(?:[ \t][^\n]*)?(?=\n|$)")


# --- content terms -----------------------------------------------------------------------------


def stem(word: str) -> str:
    """A light, conservative English stemmer: one plural or verb suffix, no more.

    "exports", "exported", "exporting" -> "export"; "categories" -> "category"; "batches" ->
    "batch"; "created", "creating", "creation", "create" -> "creat" (a final e goes, so the
    forms meet); "shipment", "shipped" -> "ship"; "status", "analysis" stay. Words under four
    letters and words with digits are kept as they are. It errs on keeping words apart: a missed
    match costs a little score, a false one (custom/customer) a false duplicate.
    """
    if len(word) < 4 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith(("sses", "xes", "zes", "ches", "shes")):
        word = word[:-2]  # addresses, taxes, batches
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix, keep in (("ing", 3), ("ed", 3), ("ion", 4), ("ment", 4)):
        if word.endswith(suffix) and len(word) - len(suffix) >= keep:
            word = word[: -len(suffix)]
            if suffix in ("ing", "ed") and word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]  # shipping -> ship, but billing -> bill
            break
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    return word


_SHIFT = 34
"""Terms are the top 30 bits of a 64-bit hash: ints below 2**30 are one machine digit, so they
hash, compare and marshal several times faster than wider ones (which matters in the indexes),
and two terms of a corpus that share their top 30 bits merely count as one."""


def _word_value(stemmed: str) -> int:
    return hash((zlib.crc32(stemmed.encode()),)) >> _SHIFT


def _concept_value(concept: str) -> int:
    # A 2-tuple ending in 1: never the hash of a word (a 1-tuple) nor of a CJK bigram or single
    # character (a second code point, or 0).
    return hash((zlib.crc32(concept.encode()), 1)) >> _SHIFT


@cache
def _glossary() -> tuple[dict[str, int], dict[int, int], frozenset[int]]:
    """(English stem -> concept, hash of a Chinese bigram -> concept, every concept), concepts
    as term values. Raises ValueError on a glossary line that breaks its rules (see
    checks/glossary.py)."""
    english: dict[str, int] = {}
    chinese: dict[int, int] = {}
    stops = set(_ZH_STOP_CHARS)
    for concept, words, terms in glossary_entries():
        value = _concept_value(concept)
        for word in words:
            key = stem(word)
            if english.setdefault(key, value) != value or word.encode() in _term_stop_words():
                raise ValueError(f"glossary: {word!r} ({concept}) is taken or a stop word")
        for term in terms:
            key_hash = hash(tuple(map(ord, term)))
            if len(term) != 2 or stops.intersection(term) or not _cjk_run().fullmatch(term):
                raise ValueError(f"glossary: {term!r} ({concept}) is not a CJK bigram")
            if chinese.setdefault(key_hash, value) != value:
                raise ValueError(f"glossary: {term!r} ({concept}) is taken")
    return english, chinese, frozenset(chain(english.values(), chinese.values()))


_STOP = 1 << 32
"""The term of a stop word in `_TermTable`: no term has it (terms are 30-bit), so it is dropped."""


class _TermTable(dict[bytes, int]):
    """Word -> its term: its concept's value or its stem's, `_STOP` for a stop word. Each word
    is stemmed and looked up once per process; `map(table.__getitem__, words)` then runs in C.
    `cross` holds the cross terms seen (concepts and numbers)."""

    def __init__(self) -> None:
        super().__init__(dict.fromkeys(_stop_words(), _STOP))
        self.cross = set(_glossary()[2])

    def __missing__(self, word: bytes) -> int:
        if len(self) > 1 << 18:  # a bound on memory for an unusual vocabulary
            self.__init__()  # type: ignore[misc]
        stemmed = stem(word.decode("ascii"))
        term = _glossary()[0].get(stemmed)
        if term is None:
            term = _word_value(stemmed)
            if not word.isalpha():
                self.cross.add(term)  # a number or a code: "2025", "v2", "iso9001"
        self[word] = term
        return term


@cache
def _term_table() -> _TermTable:
    return _TermTable()


def _part(text: str, title: bool) -> tuple[set[int], set[int], list[int], int]:
    """(features, terms, cross terms, CJK characters) of one text.

    The terms are the content terms (module docstring); the features, what its MinHash sketch
    is taken from, are the same terms for a body, and for a title also each pair of
    neighbouring English terms and each CJK character: titles are short, so every feature
    counts, and a pair ("export invoice") is far rarer across a corpus than either word, which
    keeps the index keys of titles specific. The cross terms are sorted.
    """
    # Everything below runs in C (translate, split, map, filter, set operations): a Python loop
    # per word or character would cost several times the whole budget. The sets are filled in
    # the order of the text, so they iterate alike in every process.
    lowered = text.encode().translate(_word_bytes_table())
    words = lowered.split()
    if b"log " in lowered or b"sign " in lowered:
        spaced = b" " + b" ".join(words) + b" "
        for phrase, joined in PHRASES:
            spaced = spaced.replace(b" " + phrase + b" ", b" " + joined + b" ")
        words = spaced.split()
    table = _term_table()
    if title:
        sequence = list(filter(_STOP.__ne__, map(table.__getitem__, words)))
        terms = set(sequence)
        features = set(terms)
        features.update(map(rshift, map(hash, pairwise(sequence)), repeat(_SHIFT)))
    else:
        terms = set(map(table.__getitem__, words))
        terms.discard(_STOP)
        features = terms
    cjk = 0
    if not text.isascii():
        runs = _cjk_run().findall(text)
        if runs:
            chars = "".join(runs)
            cjk = len(chars)
            # The code points as ints without a Python loop (all ranges are in the BMP).
            units = memoryview(chars.encode("utf-16-le")).cast("H").tolist()
            # A CJK bigram (u1, u2) cannot collide with a word (a 1-tuple), a concept (a second
            # item 1) or a single character (u, 0) in practice: u2 is never 0 or 1. A bigram's
            # term is its concept or, not in the glossary, its own hash.
            bigrams = list(map(hash, pairwise(units)))
            terms.update(map(_glossary()[1].get, bigrams, map(rshift, bigrams, repeat(_SHIFT))))
            if title:
                terms.update(map(rshift, map(hash, zip(units, repeat(0))), repeat(_SHIFT)))
                features.update(terms)
    # Sorted: the intersection iterates the smaller set, which may be the table's.
    return features, terms, sorted(terms.intersection(table.cross)), cjk


def signature(title: str, body: str) -> tuple[int, ...]:
    """Return the similarity signature of one requirement.

    The result is a header of seven ints, `(ts, bs, tt, bt, xt, xb, language)`, then the title
    terms and word pairs (`tt`, ascending), the body terms (`bt`, ascending), the title cross
    terms (`xt`), the body cross terms (`xb`), and last the title's concepts (the keys of
    `_concept_candidates`); `language` is `LATIN` or `CJK`. The MinHash sketches are the
    bottom-k of the title's and the body's terms: their first `ts` (at most `TITLE_K`) and `bs`
    (at most `BODY_K`) values. Plain ints within a signed 32-bit
    range, so it can be cached with `marshal` or as `array("i")`; equal for equal input in
    every process (see the module docstring).
    """
    title_features, _, title_cross, title_cjk = _part(title, title=True)
    body = body[:BODY_CHARS]
    if "#" in body:
        body = _heading().sub("", "\n" + body)
    _, body_terms, body_cross, body_cjk = _part(body, title=False)
    # Sorted, each sketch is the start of its part: it is not stored twice (a signature of the
    # 10,000-requirement corpus took 2.7 times the room of one without the terms when it was).
    title_sorted = sorted(title_features)
    body_sorted = sorted(body_terms)
    # Mostly Chinese: a Chinese character carries about as much as two or three letters.
    cjk = title_cjk + body_cjk
    language = CJK if cjk and 3 * cjk >= len(title) + len(body) else LATIN
    return (
        min(len(title_sorted), TITLE_K),
        min(len(body_sorted), BODY_K),
        len(title_features),
        len(body_terms),
        len(title_cross),
        len(body_cross),
        language,
        *title_sorted,
        *body_sorted,
        *title_cross,
        *body_cross,
        *_glossary()[2].intersection(title_cross),
    )


# --- reading signatures ------------------------------------------------------------------------


def _layout(sig: Sequence[int]) -> tuple[int, int, int]:
    """(start of the body terms, start of the terms, start of the concepts) of a signature;
    ValueError when it is not one. The sketches are the first `sig[0]` title terms and the
    first `sig[1]` body terms (each part is sorted)."""
    if len(sig) >= _HEADER:
        title_sketch, body_sketch, title, body, cross_title, cross_body, language = sig[:_HEADER]
        terms = _HEADER
        concepts = terms + title + body + cross_title + cross_body
        if (
            min(title_sketch, body_sketch, title, body, cross_title, cross_body) >= 0
            and title_sketch <= title
            and body_sketch <= body
            and language in (LATIN, CJK)
            and concepts <= len(sig)
        ):
            return terms + title, terms, concepts
    raise ValueError(f"not a similarity signature: {tuple(sig[:4])!r}")


class _Terms:
    """The term sets of one signature: the titles' at once (nearly every candidate pair needs
    them), the bodies' when a pair first does."""

    __slots__ = ("_body", "_cross", "cross_title", "has_body", "language", "sig", "start", "title")

    def __init__(self, sig: Sequence[int], start: int) -> None:
        self.sig = sig
        self.start = start  # where the terms start (`_layout`)
        self.language = sig[6]
        cross = start + sig[2] + sig[3]
        self.title = frozenset(sig[start : start + sig[2]])
        self.cross_title = frozenset(sig[cross : cross + sig[4]])
        self.has_body = sig[1] > 0
        self._body: frozenset[int] | None = None
        self._cross: frozenset[int] | None = None

    def body(self) -> frozenset[int]:
        if self._body is None:
            start = self.start + self.sig[2]
            self._body = frozenset(self.sig[start : start + self.sig[3]])
        return self._body

    def cross_body(self) -> frozenset[int]:
        if self._cross is None:
            sig = self.sig
            start = self.start + sig[2] + sig[3] + sig[4]
            self._cross = frozenset(sig[start : start + sig[5]])
        return self._cross


def _jaccard(a: frozenset[int], b: Sequence[int]) -> float:
    """J(a, b) for `b` a part of a signature (distinct values)."""
    shared = len(a.intersection(b))
    return shared / (len(a) + len(b) - shared) if shared else 0.0


def _score(a: _Terms, b: Sequence[int], start: int, title_floor: float = 0.0) -> float:
    """The exact similarity of two requirements, `a` and the signature `b` whose terms start at
    `start` (see the module docstring): the larger of the score on their terms (same language
    only) and the score on their cross terms (titles that share at least `MIN_SHARED_CONCEPTS`
    concepts). A score whose J(title) is below `title_floor` while both have a body counts as
    0.0: it could not reach a threshold that needs that floor. `b` is read in slices, not made
    into sets: `similar_pairs` meets most signatures on this side once or twice."""
    title_end = start + b[2]
    body_end = title_end + b[3]
    cross_end = body_end + b[4]
    both_bodies = a.has_body and b[1] > 0
    best = 0.0
    if a.language == b[6]:
        best = _jaccard(a.title, b[start:title_end])
        if both_bodies:
            if best >= title_floor:
                best = _combine(best, _jaccard(a.body(), b[title_end:body_end]))
            else:
                best = 0.0
    shared = a.cross_title.intersection(b[body_end:cross_end])
    if len(shared) < MIN_SHARED_CONCEPTS or len(_glossary()[2].intersection(shared)) < (
        MIN_SHARED_CONCEPTS
    ):
        return best
    title = len(shared) / (len(a.cross_title) + b[4] - len(shared))
    if not both_bodies:
        return max(best, title)
    if title < title_floor or _combine(title, 1.0) <= best:
        return best
    return max(best, _combine(title, _jaccard(a.cross_body(), b[cross_end : cross_end + b[5]])))


def similarity(a: Sequence[int], b: Sequence[int]) -> float:
    """The similarity (0..1) of two requirements from their signatures: stage 2, exact.

    `TITLE_WEIGHT * J(title) + (1 - TITLE_WEIGHT) * J(body)` over their terms (when both are in
    one language) or over their cross terms (concepts, numbers and codes, when their titles
    share at least `MIN_SHARED_CONCEPTS` concepts), whichever is larger; J(title) alone when
    either body is empty, since a requirement without a body can still duplicate one with a
    body.
    """
    return _score(_Terms(a, _layout(a)[1]), b, _layout(b)[1])


def _estimate(a: Sequence[int], b: Sequence[int], k: int) -> float:
    """Estimated Jaccard similarity of two sets from their bottom-k sketches `a` and `b`.

    A sketch shorter than `k` holds its whole set. Up to `cut`, the smaller maximum of the full
    sketches, both sketches hold every hash of their set, so the hashes up to `cut` are a
    uniform sample of the union, and the fraction of them in both sets estimates J (exact when
    neither sketch was truncated). Every shared hash is at most `cut`, so the shared count
    needs no correction.
    """
    if not a or not b:
        return 0.0
    shared = len(set(a).intersection(b))
    in_a, in_b = len(a), len(b)
    if in_a == k and (in_b < k or a[-1] <= b[-1]):
        in_b = bisect_right(b, a[-1])
    elif in_b == k:
        in_a = bisect_right(a, b[-1])
    return shared / (in_a + in_b - shared)


def estimated_similarity(a: Sequence[int], b: Sequence[int]) -> float:
    """Stage 1 alone: the MinHash estimate from the two sketches, weighted as `similarity`,
    without the cross terms. How RF403 scored before the second stage (on surface words then);
    kept to measure what the second stage adds (bench/duplicates.py)."""
    at_a, terms_a, _ = _layout(a)
    at_b, terms_b, _ = _layout(b)
    title = _estimate(a[terms_a : terms_a + a[0]], b[terms_b : terms_b + b[0]], TITLE_K)
    body_a, body_b = a[at_a : at_a + a[1]], b[at_b : at_b + b[1]]
    if not body_a or not body_b:
        return title
    return _combine(title, _estimate(body_a, body_b, BODY_K))


def _combine(title: float, body: float) -> float:
    return TITLE_WEIGHT * title + (1.0 - TITLE_WEIGHT) * body


# --- candidates --------------------------------------------------------------------------------


def _pairs_in_buckets(keyed: Iterable[tuple[Iterable[int], int]], count: int) -> set[int]:
    """Pairs `i * count + j` (i < j) of requirements that share a key; `keyed` yields (keys,
    requirement) in ascending order of requirement."""
    # key -> the first requirement with it; later ones are collected in `shared` (rare).
    first: dict[int, int] = {}
    shared: list[tuple[int, int]] = []
    for keys, i in keyed:
        for key in keys:
            if first.setdefault(key, i) != i:
                shared.append((key, i))
    buckets: dict[int, list[int]] = {}
    for key, i in shared:
        bucket = buckets.get(key)
        if bucket is None:
            buckets[key] = [first[key], i]
        else:
            bucket.append(i)
    candidates: set[int] = set()
    for bucket in buckets.values():
        # Requirements enter buckets in ascending order, so i < j.
        for position, i in enumerate(bucket):
            base = i * count
            candidates.update([base + j for j in bucket[position + 1 :]])
    return candidates


def _candidates(prefixes: list[list[int]]) -> set[int]:
    """Stage 1's pairs worth scoring, each encoded as `i * len(prefixes) + j` with i < j.

    `prefixes[i]` holds the smallest `_TITLE_KEYS` title and `_BODY_KEYS` body hashes of
    requirement i's sketch. The keys of the inverted index are pairs of neighbouring ones,
    skipping hashes that are in the prefixes of more than `_COMMON` requirements. Near
    duplicates share most of their smallest hashes and so most of these keys; unrelated
    requirements rarely share two uncommon hashes, and a key can never be shared by more than
    `_COMMON` requirements, so the work stays linear in the corpus.
    """
    seen = Counter(chain.from_iterable(prefixes))
    common = {value for value, times in seen.items() if times > _COMMON}

    def keyed() -> Iterable[tuple[Iterable[int], int]]:
        for i, prefix in enumerate(prefixes):
            rare = [value for value in prefix if value not in common][:_KEYS]
            # With a single uncommon hash, that hash is the key (a 1-tuple never hashes like a
            # 2-tuple), so a short requirement can still meet its twin.
            yield set(map(hash, pairwise(rare) if len(rare) > 1 else zip(rare))), i

    return _pairs_in_buckets(keyed(), len(prefixes))


def _concept_candidates(concepts: list[Sequence[int]]) -> set[int]:
    """Pairs that share uncommon title concepts, worth scoring, encoded as in `_candidates`.

    A translation shares no surface feature with its original, only concepts, and a paraphrase
    that swaps synonyms ("client" for "customer") shares few: the MinHash index misses both.
    `concepts[i]` are requirement i's title concepts. The keys are the pairs among its
    `_CONCEPT_KEYS` rarest, counting only concepts in at least two requirements (else no other
    can share them) and at most `_COMMON` ("customer" or "report" in a large backlog says
    nothing): a duplicate shares most of its title's concepts, and the rarest ones the most
    surely. No key is shared by more than `_COMMON` requirements and each has at most ten keys,
    so the work stays linear in the corpus.
    """
    seen = Counter(chain.from_iterable(concepts))
    rare = {value: times for value, times in seen.items() if 2 <= times <= _COMMON}
    if not rare:
        return set()

    def keyed() -> Iterable[tuple[Iterable[int], int]]:
        for i, values in enumerate(concepts):
            mine = rare.keys() & values
            if len(mine) > 1:
                rarest = sorted(mine, key=lambda value: (rare[value], value))[:_CONCEPT_KEYS]
                yield map(hash, combinations(sorted(rarest), 2)), i

    return _pairs_in_buckets(keyed(), len(concepts))


def _index(signatures: Sequence[Sequence[int]]) -> tuple[set[int], set[int], list[int]]:
    """(MinHash candidates, concept candidates, where each signature's terms start), in one
    pass over the signatures; pairs are encoded as `i * len(signatures) + j`."""
    prefixes = []
    concepts = []
    starts = []
    for sig in signatures:
        # `_layout`, inline: this loop runs once per requirement of the corpus.
        if len(sig) < _HEADER:
            raise ValueError(f"not a similarity signature: {tuple(sig[:4])!r}")
        title_sketch, body_sketch, title, body, cross_title, cross_body, language = sig[:_HEADER]
        terms = _HEADER
        body_start = terms + title
        end = body_start + body + cross_title + cross_body
        if (
            title_sketch | body_sketch | title | body | cross_title | cross_body < 0
            or title_sketch > title
            or body_sketch > body
            or language not in (LATIN, CJK)
            or end > len(sig)
        ):
            raise ValueError(f"not a similarity signature: {tuple(sig[:4])!r}")
        prefixes.append(
            [
                *sig[terms : terms + min(title_sketch, _TITLE_KEYS)],
                *sig[body_start : body_start + min(body_sketch, _BODY_KEYS)],
            ]
        )
        concepts.append(sig[end:])
        starts.append(terms)
    return _candidates(prefixes), _concept_candidates(concepts), starts


def candidate_pairs(signatures: Sequence[Sequence[int]]) -> tuple[set[int], set[int]]:
    """The candidate pairs of both indexes, (MinHash, concepts), each pair encoded as
    `i * len(signatures) + j` with i < j (for measurement: `similar_pairs` scores them)."""
    return _index(signatures)[:2]


def similar_pairs(
    signatures: Sequence[Sequence[int]], threshold: float = DEFAULT_THRESHOLD
) -> list[tuple[int, int, float]]:
    """Return every pair `(i, j, score)` with `i < j` and `score >= threshold`, sorted.

    `signatures` are `signature` results (tuples, or any int sequences such as `array("i")`);
    `score` is `similarity(signatures[i], signatures[j])`, the exact second-stage score.
    Only candidate pairs from two inverted indexes are scored (see `_candidates` and
    `_concept_candidates`), so the cost grows with the number of requirements, not its square.
    Deterministic: no randomness, and sets are only ever used for membership or sorted before
    use.
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold!r}")
    count = len(signatures)
    minhash, concepts, starts = _index(signatures)
    # The score is at most TITLE_WEIGHT * J(title) + (1 - TITLE_WEIGHT): most candidates fail
    # on their titles alone, before the larger body sets are compared. The margin keeps float
    # rounding from dropping a pair that `similarity` would keep.
    title_floor = (threshold - (1.0 - TITLE_WEIGHT)) / TITLE_WEIGHT - 1e-9
    # Pairs come sorted, so each requirement's sets are made once as the left side and then
    # dropped; the right side is read in slices. Keeping every requirement's sets alive
    # instead costs a full garbage collection of the corpus (~0.1 s on 10,000 requirements).
    pairs = []
    left_index, left = -1, None
    for pair in sorted(minhash.union(concepts)):
        i, j = divmod(pair, count)
        if i != left_index or left is None:
            left_index, left = i, _Terms(signatures[i], starts[i])
        score = _score(left, signatures[j], starts[j], title_floor)
        if score >= threshold:
            pairs.append((i, j, score))
    return pairs
