"""Near-duplicate requirements (RF403): MinHash sketches and an inverted index.

Pure functions, no I/O. `signature` turns a requirement's title and body into a small tuple of
ints (cheap to cache: it survives `marshal`); `similar_pairs` finds the pairs of signatures whose
estimated similarity reaches a threshold without comparing every pair of texts.

Features, in English and Chinese alike:

* ASCII words, lower-cased, minus a short list of stop words ("the", "a", "to", "shall", ...),
  so "Export customer data to CSV" and "Export the customer data to a CSV file" share almost
  every feature.
* CJK characters: character bigrams (the usual unit for Chinese, where most words are two
  characters) after dropping function characters (的, 将, 把, 为, ...), so
  "支持导出客户数据为CSV文件" and "支持将客户数据导出为CSV文件" share most bigrams. Titles also
  use single characters, because a reworded Chinese title often only moves the verb (将/把).

Markdown headings in the body ("## Scenario", "## 场景") are dropped: they are template, not
content. Punctuation and markup never become features. Only the first `BODY_CHARS` characters of
the body are read: duplicates show in the opening, and it bounds the cost of very long bodies.

Each feature is hashed deterministically across processes (CRC-32 of a word, then CPython's hash
of a tuple of ints, which PYTHONHASHSEED does not randomise, unlike `hash(str)`), and a bottom-k
sketch keeps the smallest hashes: up to `TITLE_K` for the title and `BODY_K` for the body. The
hashes depend on the hash width of the interpreter (64-bit CPython); a cache of signatures should
be keyed by `SIGNATURE_VERSION` and the Python version.

The similarity of two requirements is `TITLE_WEIGHT * J(title) + (1 - TITLE_WEIGHT) * J(body)`,
each J an estimated Jaccard similarity of the feature sets; when either body is empty only the
titles count.
"""

# implements: REQ-107

from __future__ import annotations

import re
import zlib
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from functools import cache
from itertools import chain, pairwise, repeat

SIGNATURE_VERSION = 1
"""Bumped whenever `signature` changes its output, so cached signatures are not mixed."""

DEFAULT_THRESHOLD = 0.7
"""Default minimum similarity for RF403. In tests/test_similarity.py reworded duplicates score
0.77-0.85; different requirements on the same template (headings, a closing sentence) score
below 0.2, and at most 0.63 when their titles differ in one word ("Export customer data to CSV"
/ "... to PDF"). Bodies generated from one template that differ only in a number or a word do
pair: their text is nearly identical."""

TITLE_WEIGHT = 0.6
TITLE_K = 24
BODY_K = 48
BODY_CHARS = 1000

# Candidate generation (see `_candidates`): the smallest `_TITLE_KEYS` title and `_BODY_KEYS`
# body hashes of a sketch are looked at; a hash among them in more than `_COMMON` requirements
# is boilerplate ("customer", "report", a template sentence) and says nothing about duplication;
# the first `_KEYS` remaining hashes make the keys.
_TITLE_KEYS = 5
_BODY_KEYS = 10
_COMMON = 100
_KEYS = 8

_STOP_WORDS = (
    "a an the to of and or in on at by for with from into onto as is are be been it its this "
    "that these those there their they them we our us you your he she his her i me my "
    "shall should must will would can could may might so such than then also any each "
    "s t d ll re ve m"
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


def _features(text: str, title: bool) -> set[int]:
    """Hashed features of one text: ASCII words and CJK character n-grams.

    A title also gets word bigrams and CJK single characters: titles are short, so every
    feature counts, and a bigram ("export invoice") is far rarer across a corpus than either
    word, which keeps the index keys of titles specific.
    """
    # Everything below runs in C (translate, split, map, zip): a Python-level loop per word
    # or character would cost several times the whole budget.
    words = text.encode().translate(_word_bytes_table()).split()
    stop = _stop_words()
    if title:
        crcs = [zlib.crc32(word) for word in words if word not in stop]
        features = set(map(hash, zip(crcs)))
        features.update(map(hash, pairwise(crcs)))
    else:
        features = set(map(hash, zip(map(zlib.crc32, set(words).difference(stop)))))
    if not text.isascii():
        runs = _cjk_run().findall(text)
        if runs:
            chars = "".join(runs)
            # The code points as ints without a Python loop (all ranges above are in the BMP).
            units = memoryview(chars.encode("utf-16-le")).cast("H").tolist()
            # A CJK bigram (u1, u2) cannot collide with a word bigram (two CRC-32s) in practice,
            # nor with a single character (u, 0): u2 is never 0.
            features.update(map(hash, pairwise(units)))
            if title:
                features.update(map(hash, zip(units, repeat(0))))
    return features


def _bottom_k(features: set[int], k: int) -> list[int]:
    """The k smallest features, ascending, reduced to their top 30 bits."""
    n = len(features)
    smallest = None
    if n > 3 * k:
        # Hashes are uniform over 64 bits, so the k-th smallest lies near -2**63 + k/n * 2**64;
        # filtering below twice that first sorts ~2k values instead of n. Falls back to the full
        # sort in the (rare) case that fewer than k survive, so the result is always exact.
        cut = -(2**63) + (2 * k * 2**64) // n
        low = [h for h in features if h < cut]
        if len(low) >= k:
            low.sort()
            smallest = low[:k]
    if smallest is None:
        smallest = sorted(features)[:k]
    # Ints below 2**30 are one machine digit: they hash, compare and marshal several times
    # faster than 64-bit ones, which matters in `similar_pairs`. Two features of a corpus that
    # share their top 30 bits merely count as one; the shift keeps the order.
    return list(dict.fromkeys([h >> 34 for h in smallest]))


def signature(title: str, body: str) -> tuple[int, ...]:
    """Return the similarity sketch of one requirement.

    The result is `(t, *title_hashes, *body_hashes)`: `t` title hashes (at most `TITLE_K`) then
    at most `BODY_K` body hashes, each part ascending. Plain ints within a signed 32-bit range,
    so it can be cached with `marshal` or as `array("i")`; equal for equal input in every process
    (see the module docstring).
    """
    title_sketch = _bottom_k(_features(title, title=True), TITLE_K)
    body = body[:BODY_CHARS]
    if "#" in body:
        body = _heading().sub("", "\n" + body)
    body_sketch = _bottom_k(_features(body, title=False), BODY_K)
    return (len(title_sketch), *title_sketch, *body_sketch)


def _split(sig: Sequence[int]) -> tuple[Sequence[int], Sequence[int]]:
    """(title hashes, body hashes) of a signature."""
    if not sig or not 0 <= sig[0] < len(sig):
        raise ValueError(f"not a similarity signature: {sig[:4]!r}")
    return sig[1 : 1 + sig[0]], sig[1 + sig[0] :]


def _jaccard(a: Sequence[int], b: Sequence[int], shared: int, k: int) -> float:
    """Estimated Jaccard similarity of two sets from their bottom-k sketches `a` and `b`.

    `shared` is the number of hashes in both sketches. A sketch shorter than `k` holds its whole
    set. Up to `cut`, the smaller maximum of the full sketches, both sketches hold every hash of
    their set, so the hashes up to `cut` are a uniform sample of the union, and the fraction of
    them in both sets estimates J (exact when neither sketch was truncated). Every shared hash is
    at most `cut`, so `shared` needs no correction.
    """
    if not a or not b:
        return 0.0
    in_a, in_b = len(a), len(b)
    if in_a == k and (in_b < k or a[-1] <= b[-1]):
        in_b = bisect_right(b, a[-1])
    elif in_b == k:
        in_a = bisect_right(a, b[-1])
    return shared / (in_a + in_b - shared)


def similarity(a: Sequence[int], b: Sequence[int]) -> float:
    """Estimated similarity (0..1) of two requirements from their signatures.

    `TITLE_WEIGHT * J(title) + (1 - TITLE_WEIGHT) * J(body)`; J(title) alone when either body
    is empty, since a requirement without a body can still duplicate one with a body.
    """
    title_a, body_a = _split(a)
    title_b, body_b = _split(b)
    title = _jaccard(title_a, title_b, len(set(title_a).intersection(title_b)), TITLE_K)
    if not body_a or not body_b:
        return title
    body = _jaccard(body_a, body_b, len(set(body_a).intersection(body_b)), BODY_K)
    return _combine(title, body)


def _combine(title: float, body: float) -> float:
    return TITLE_WEIGHT * title + (1.0 - TITLE_WEIGHT) * body


def _candidates(signatures: Sequence[Sequence[int]]) -> set[int]:
    """Pairs worth scoring, each encoded as `i * len(signatures) + j` with i < j.

    The keys of the inverted index are pairs of neighbouring hashes among the smallest ones of a
    sketch (title first, then body), skipping hashes that are among the smallest of more than
    `_COMMON` requirements. Near duplicates share most of their smallest hashes and so most of
    these keys; unrelated requirements rarely share two uncommon hashes, and a key can never be
    shared by more than `_COMMON` requirements, so the work stays linear in the corpus.
    """
    prefixes = []
    for sig in signatures:
        titles = sig[0] if sig else -1
        if not 0 <= titles < len(sig):
            raise ValueError(f"not a similarity signature: {sig[:4]!r}")
        body = 1 + titles
        prefixes.append([*sig[1 : min(body, 1 + _TITLE_KEYS)], *sig[body : body + _BODY_KEYS]])
    seen = Counter(chain.from_iterable(prefixes))
    common = {value for value, times in seen.items() if times > _COMMON}

    # key -> the first requirement with it; later ones are collected in `shared` (rare).
    first: dict[int, int] = {}
    shared: list[tuple[int, int]] = []
    for i, prefix in enumerate(prefixes):
        rare = [value for value in prefix if value not in common][:_KEYS]
        # With a single uncommon hash, that hash is the key (a 1-tuple never hashes like a
        # 2-tuple), so a short requirement can still meet its twin.
        for key in set(map(hash, pairwise(rare) if len(rare) > 1 else zip(rare))):
            if first.setdefault(key, i) != i:
                shared.append((key, i))

    count = len(signatures)
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


def similar_pairs(
    signatures: Sequence[Sequence[int]], threshold: float = DEFAULT_THRESHOLD
) -> list[tuple[int, int, float]]:
    """Return every pair `(i, j, score)` with `i < j` and `score >= threshold`, sorted.

    `signatures` are `signature` results (tuples, or any int sequences such as `array("i")`);
    `score` is `similarity(signatures[i], signatures[j])`.
    Only candidate pairs from an inverted index are scored (see `_candidates`), so the cost grows
    with the number of requirements, not its square. Deterministic: no randomness, and sets are
    only ever used for membership or sorted before use.
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold!r}")
    count = len(signatures)
    # The score is at most TITLE_WEIGHT * J(title) + (1 - TITLE_WEIGHT): most candidates fail
    # on their titles alone, before the larger body sketches are compared. The margin keeps
    # float rounding from dropping a pair that `similarity` would keep.
    title_floor = (threshold - (1.0 - TITLE_WEIGHT)) / TITLE_WEIGHT - 1e-9
    split: dict[int, tuple[Sequence[int], Sequence[int], frozenset[int]]] = {}
    pairs = []
    for pair in sorted(_candidates(signatures)):
        i, j = divmod(pair, count)
        left = split.get(i)
        if left is None:
            title_i, body_i = _split(signatures[i])
            left = split[i] = (title_i, body_i, frozenset(title_i))
        title_i, body_i, titles_i = left
        title_j, body_j = _split(signatures[j])
        score = _jaccard(title_i, title_j, len(titles_i.intersection(title_j)), TITLE_K)
        if body_i and body_j:
            if score < title_floor:
                continue
            shared = len(set(body_i).intersection(body_j))
            score = _combine(score, _jaccard(body_i, body_j, shared, BODY_K))
        if score >= threshold:
            pairs.append((i, j, score))
    return pairs
