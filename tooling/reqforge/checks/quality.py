"""Quality lints modelled on the INCOSE Guide for Writing Requirements: RF401 (vague or
unverifiable wording in title and acceptance criteria), RF407 (EARS shape, opt-in) and RF403
(possible duplicates across the corpus: MinHash candidates scored exactly on content terms and
English-Chinese concepts, see checks/similarity.py)."""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

from reqforge.cache import fixed, list_of
from reqforge.checks.context import CheckContext, Issue
from reqforge.checks.ears import ears_problem
from reqforge.checks.similarity import DEFAULT_THRESHOLD, similar_pairs
from reqforge.checks.wording import code_of, message
from reqforge.i18n import Text
from reqforge.model import Finding, Requirement

if TYPE_CHECKING:
    from reqforge.corpus import Corpus


# implements: REQ-106
def wording_issues(req: Requirement, ctx: CheckContext) -> Iterator[Issue]:
    """RF410-RF415 (a built-in category, by INCOSE rule) or RF401 (a custom one) for each
    flagged phrase of the title and each acceptance criterion; RF407 when EARS is enabled."""
    texts: list[tuple[tuple[str | int, ...], str]] = [(("title",), req.title)]
    acceptance = req.data.get("acceptance")
    if isinstance(acceptance, list):
        texts += [(("acceptance", i), a) for i, a in enumerate(acceptance) if isinstance(a, str)]
    for path, text in texts:
        for hit in ctx.words.find(text):
            yield Issue(
                code_of(hit.category),
                path,
                Text("{where}: {problem}", where=_where(path), problem=message(hit)),
                True,
                hit.text,
            )
    # implements: REQ-110
    if ctx.config.lint.ears:
        for path, text in texts[1:]:
            problem = ears_problem(text)
            if problem is not None:
                hint = Text("{where}: {problem}", where=_where(path), problem=problem)
                yield Issue("RF407", path, hint, True)


def _where(path: tuple[str | int, ...]) -> str:
    return "title" if path == ("title",) else f"acceptance[{path[1]}]"


# implements: REQ-107
def duplicate_issues(
    requirements: Sequence[Requirement],
    signatures: Sequence[Sequence[int]],
    ctx: CheckContext,
    pairs: Callable[[Sequence[Sequence[int]], float], list[tuple[int, int, float]]] = similar_pairs,
) -> Iterator[tuple[Requirement, Issue]]:
    """RF403 on one of each pair of near-identical requirements, naming the other: on the one
    in the workflow's first status (`proposed`, the incoming side of the intake) when only one
    is, else on the later by path; `pairs` finds them (`similar_pairs`, or the same through a
    cache)."""
    if not ctx.config.lint.duplicates:
        return
    threshold = ctx.config.lint.similarity or DEFAULT_THRESHOLD
    incoming = ctx.config.workflow.statuses[0] if ctx.config.workflow.statuses else None
    for i, j, score in pairs(signatures, threshold):
        first, second = requirements[i], requirements[j]
        if _declared(first, second) or "duplicate" in (first.status, second.status):
            continue
        # implements: REQ-721
        if first.status == incoming and second.status != incoming:
            first, second = second, first  # the newcomer is told, naming the established one
        yield (
            second,
            Issue(
                "RF403",
                ("title",),
                Text(
                    "possible duplicate of {id} ({path}, similarity {score}): merge them or "
                    "mark one with links.duplicates",
                    id=first.id or first.path,
                    path=first.path,
                    score=format(score, ".2f"),
                ),
                True,
            ),
        )


def duplicate_findings(corpus: Corpus) -> list[Finding]:
    """The duplicates family (cross-file): every `duplicate_issues` issue, located. The
    similar pairs are kept in the `similar-pairs` cache by a digest of the threshold and every
    file's path and signature: an edit that changes no title and no body (a status) finds them
    there. The score depends on nothing else but the glossary, which is code: the cache key
    holds a digest of reqforge's code."""
    requirements = corpus.repository.requirements

    def cached_pairs(
        signatures: Sequence[Sequence[int]], threshold: float
    ) -> list[tuple[int, int, float]]:
        digest = hashlib.blake2b(repr(threshold).encode(), digest_size=16)
        parts: list[bytes] = []
        for req, signature in zip(requirements, signatures, strict=True):
            # The corpus holds each signature as array("i") already: no copy.
            sketch = signature if isinstance(signature, array) else array("i", signature)
            parts += (req.path.encode("utf-8", "surrogatepass"), b"\0")
            parts += (len(signature).to_bytes(4, "big"), sketch.tobytes())
        digest.update(b"".join(parts))
        return corpus.store.memo(
            "similar-pairs",
            digest.hexdigest(),
            _PAIRS_SHAPE,
            lambda: similar_pairs(signatures, threshold),
        )

    issues = duplicate_issues(requirements, corpus.signatures, corpus.context, cached_pairs)
    return [corpus.locate(req, issue) for req, issue in issues]


_PAIRS_SHAPE = list_of(fixed(int, int, float))


def _declared(a: Requirement, b: Requirement) -> bool:
    return b.id in a.links.get("duplicates", ()) or a.id in b.links.get("duplicates", ())
