"""The EARS shape of acceptance criteria (RF407): which template a criterion follows, if any.

EARS (Easy Approach to Requirements Syntax, Mavin et al., RE'09) writes a requirement as one of
five templates; a criterion with preconditions of more than one kind is "complex":

* ubiquitous: "The <system> shall <response>"; <系统>应<响应>
* event: "When <trigger>, the <system> shall ..."; 当/每当<触发>时/后，<系统>应……; <触发>后，……
* state: "While <state>, the <system> shall ..."; 在<状态>期间/状态下/模式下/过程中，<系统>应……
* unwanted: "If <trigger>, then the <system> shall ..."; 如果/若/一旦<条件>，则<系统>应……
* optional: "Where <feature is included>, the <system> shall ..."; 在支持/包含<特性>的情况下，
  <系统>应……; 对于支持<特性>的<产品>，<产品>应……
* complex: "While <state>, when <trigger>, the <system> shall ..."; 在……期间，当……时，……应……

The kind is read from the keywords that open the criterion, as EARS defines the templates: it
says which template a criterion follows, not whether that was the right one to choose.

Only "shall" counts in English, as in EARS itself; only 应/应当/应该 in Chinese, the words
GB/T 1.1 uses for requirements. "must", "will", 必须 and 需要 are reported: a team that opts in
to RF407 wants one uniform shape, and the hint says what to write instead. A criterion whose
"If" condition lacks "then" (则/那么) before the response is reported too, with its own hint:
EARS' unwanted-behaviour template insists on it, and it is the most common slip.

Pure functions, no I/O.
"""

# implements: REQ-110

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from reqforge.i18n import Text

KINDS = ("ubiquitous", "event", "state", "unwanted", "optional", "complex")
"""Every EARS kind `ears_kind` returns, in the order EARS presents them (and reports count)."""

_EN_EARS = r"""
    (?P<pre>
    (?:                                     # preconditions, in any number: Where, While, When, If
        (?:where|while|when|if)\s+
        (?:(?!,\s*(?:where|while|when|if|then)\s|\sthen\s).)+?   # not ", when", " then "
        (?:,\s*|\s+(?=then\s))              # closed by a comma (or by "then")
        (?:then\s+)?
    )*
    )
    (?!(?:where|while|when|if|then)\s)      # the main clause is not yet another precondition
    (?:the\s+)?[^\s,][^,]{0,80}?            # the system (no comma inside)
    \s+shall\s+(?:not\s+)?[^\s.,;:]         # shall <response>
"""
# A precondition cannot run past the next keyword, so there is one way to split a text into
# preconditions: otherwise "When a, when a, ..." or "If a then if a then ..." take exponential
# time to reject. The same holds for each alternative below: none can cross a comma.

_ZH_EARS = r"""
    (?P<pre>
    (?:
        (?:
            (?:当|每当)[^，,]+?(?:时|后|之后|以后|的时候)            # 当<触发>时
          | [^，,]*?[^，,最然随此其前今而稍售](?:后|之后|以后)        # <触发>后, not 最后, 然后 ...
          | (?:在|处于)[^，,]+?(?:期间|状态下|状态时|模式下|过程中|情况下|时)
          | (?:如果|若|假如|倘若|一旦)[^，,]+?                       # 如果<条件>
          | 对于(?:包含|支持|配置了|配置有|启用了|启用|安装了|具备)[^，,]+?   # 对于支持<特性>的……
        )
        [，,]\s*(?:那么|则)?\s*
    )*
    )
    (?P<main>[^，,。；;]{1,40}?)                                  # <系统>
    (?<![对响适供反相答效呼感回理顺照])(?:应当|应该|应)              # 应, not 响应, 对应 ...
    (?![用收付急答变对酬届邀声试征聘])\S                           # <响应>, not 应用, 应收 ...
"""

# The kind of one English precondition, by its keyword.
_EN_KIND = {"when": "event", "while": "state", "if": "unwanted", "where": "optional"}

# A Chinese precondition: a feature (在支持……的情况下, 对于包含……的……) is "optional"; 如果 and
# its kin "unwanted"; a state (处于……, ……期间/状态下/模式下/过程中) "state", also after 当
# (当系统处于离线状态时); other 当/每当/在……时 "event".
_ZH_UNWANTED = r"(?:如果|若|假如|倘若|一旦)"
_ZH_FEATURE = r"(?:在|对于)(?:包含|支持|配置了|配置有|启用了|启用|安装了|开启了|开启|具备)"
_ZH_STATE = r"处于|(?:期间|状态[下中]?|模式下|过程中|情况下)(?:时|的时候)?$"
# The same preconditions without a comma before the system ("当用户登录时系统应……"), where
# commas are often left out: the opening of the main clause. 当前, 当天, 在线 and 小时 are words,
# not keywords, there.
_ZH_INLINE = r"""
    (?P<event>(?:当(?![前天日月年地])|每当)[^，,]+?(?:(?<!小)时|后|之后|以后|的时候))
  | (?P<unwanted>(?:如果|若(?!干)|假如|倘若|一旦))
  | (?P<optional>对于(?:包含|支持|配置了|配置有|启用了|启用|安装了|具备))
  | (?P<place>(?:在(?!线)|处于)[^，,]+?(?:期间|状态下|状态时|模式下|过程中|情况下|(?<!小)时))
"""

_EARS_CHARS = 1000


@dataclass(frozen=True, slots=True)
class _Reading:
    """What the opening of a criterion says: its kind, its language, and whether an "If"
    (如果) condition reaches the response without "then" (则/那么)."""

    kind: str
    chinese: bool
    then_missing: bool


@cache
def _ears_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    return (
        re.compile(_EN_EARS, re.IGNORECASE | re.VERBOSE),
        re.compile(_ZH_EARS, re.VERBOSE),
        re.compile(_ZH_INLINE, re.VERBOSE),
    )


@cache
def _conditional() -> re.Pattern[str]:
    """An unwanted-behaviour keyword anywhere in a criterion (see `_read`'s then_missing)."""
    return re.compile(r"(?a:\b)[iI][fF](?a:\b)|如果|若|假如|倘若|一旦")


@cache
def _cjk() -> re.Pattern[str]:
    return re.compile("[\u3400-\u9fff\uf900-\ufaff]")


def _normal(text: str) -> str:
    # The shape shows in the opening; the cap bounds the work on a pathological criterion.
    return " ".join(text[:_EARS_CHARS].split())


def _combined(kinds: Iterable[str]) -> str:
    distinct = set(kinds)
    if not distinct:
        return "ubiquitous"
    return distinct.pop() if len(distinct) == 1 else "complex"


def _english(preconditions: str) -> _Reading:
    # A precondition starts the text or follows ", " or "then " (none holds ", when" or
    # " then " inside, see _EN_EARS), so its keyword is found there.
    keywords = [
        m.group(1).lower()
        for m in re.finditer(r"(?:^|,\s*|\bthen\s+)(where|while|when|if)\s", preconditions, re.I)
    ]
    then_missing = "if" in keywords and not re.search(r"\bthen\s*$", preconditions, re.I)
    return _Reading(_combined(_EN_KIND[k] for k in keywords), False, then_missing)


def _chinese_kind(precondition: str) -> str:
    if re.match(_ZH_UNWANTED, precondition):
        return "unwanted"
    if re.match(_ZH_FEATURE, precondition):
        return "optional"
    if precondition.startswith("处于") or re.search(_ZH_STATE, precondition):
        return "state"
    return "event"  # 当/每当……时/后, 在……时


def _chinese(preconditions: str, main: str) -> _Reading:
    pieces = [re.sub(r"^\s*(?:那么|则)?\s*", "", p) for p in re.split("[，,]", preconditions)]
    kinds = [_chinese_kind(p) for p in pieces if p]
    closed = re.search(r"(?:那么|则)\s*$", preconditions) is not None
    inline = _ears_patterns()[2].match(main)
    if inline is not None and inline.end() < len(main):  # something (the system) follows it
        group = inline.lastgroup or ""
        kinds.append(_chinese_kind(inline.group()) if group == "place" else group)
        closed = re.search("那么|则", main[inline.end() :]) is not None
    then_missing = "unwanted" in kinds and not closed
    return _Reading(_combined(kinds), True, then_missing)


def _read(text: str) -> _Reading | None:
    normal = _normal(text)
    english, chinese, _ = _ears_patterns()
    found = english.match(normal)
    if found is not None:
        return _english(found.group("pre"))
    found = chinese.match(normal)
    if found is not None:
        return _chinese(found.group("pre"), found.group("main"))
    return None


def ears_kind(text: str) -> str | None:
    """The EARS template an acceptance criterion follows: one of `KINDS` ("ubiquitous",
    "event", "state", "unwanted", "optional", "complex"), or None when it follows none.

    English (case-insensitive): "The <system> shall <response>", "When <trigger>, the <system>
    shall ...", "While <state>, ...", "If <trigger>, then the <system> shall ...", "Where
    <feature>, ..." and combinations ("While ..., when ..., the ... shall ..."). Chinese:
    "<系统>应……", "当……时，<系统>应……", "……后，<系统>应……", "在……期间/状态下，……应……",
    "如果……，(那么|则)……应……",
    "在支持……的情况下，……应……", "对于支持……的……，……应……". A precondition ends with a comma
    (in Chinese it may also run into the system); "shall" (应/应当/应该) is required.
    """
    reading = _read(text)
    return None if reading is None else reading.kind


# implements: REQ-110
def ears_shape(text: str) -> bool:
    """Whether an acceptance criterion follows an EARS template (`ears_kind` is not None)."""
    return _read(text) is not None


def ears_hint(text: str) -> str:
    """What an EARS-shaped version of `text` looks like, for the RF407 message; in Chinese when
    the criterion is Chinese, and led by the likely fix when one is apparent."""
    normal = _normal(text)
    if _cjk().search(normal):
        if "应" not in normal and re.search("必须|需要|要|能够|可以", normal):
            advice = "用“应”表述要求；"
        elif re.search("[，,].*应", normal):
            advice = "条件以“当……时”“在……期间”或“如果……”开头；"
        else:
            advice = ""
        return (
            f"{advice}EARS 句式：“<系统>应<响应>”、“当<触发>时，<系统>应<响应>”、"
            "“在<状态>期间，<系统>应<响应>”或“如果<条件>，则<系统>应<响应>”"
        )
    advice = ""
    if not re.search(r"\bshall\b", normal, re.IGNORECASE):
        modal = re.search(r"\b(must|should|will|can|may|needs? to)\b", normal, re.IGNORECASE)
        if modal:
            advice = Text("use 'shall' rather than '{word}'; ", word=modal.group(1).lower())
        else:
            advice = Text("say what the system shall do; ")
    elif re.match(r"(?:where|while|when|if)\s[^,]*$", normal, re.IGNORECASE):
        advice = Text("end the condition with a comma; ")
    elif re.match(r"[^,]*,[^,]*\bshall\b", normal, re.IGNORECASE):
        advice = Text("start the condition with 'When', 'While', 'If' or 'Where'; ")
    return Text(
        "{advice}expected 'The <system> shall <response>', 'When <trigger>, the <system> "
        "shall <response>', 'While <state>, ...', 'If <trigger>, then the <system> shall "
        "<response>' or 'Where <feature>, ...'",
        advice=advice,
    )


# implements: REQ-110
def ears_problem(text: str) -> str | None:
    """The RF407 message for an acceptance criterion (without its location), or None when it
    is in an EARS shape: `ears_hint` when it follows no template; when an "If" (如果) condition
    runs into the response without "then" (则/那么), a hint that says so."""
    normal = _normal(text)
    if _conditional().search(normal) is None:
        # No "If" (如果) anywhere: "then" cannot be missing, the shape is all there is to
        # know (most criteria; reading the kind costs four times as much).
        english, chinese, _ = _ears_patterns()
        if english.match(normal) is not None or chinese.match(normal) is not None:
            return None
        return ears_hint(text)
    reading = _read(text)
    if reading is None:
        return ears_hint(text)
    if not reading.then_missing:
        return None
    if reading.chinese:
        return "在“如果”条件与响应之间加“则”：“如果<条件>，则<系统>应<响应>”"
    return Text(
        "add 'then' after the 'If' condition: 'If <trigger>, then the <system> shall <response>'"
    )


def ears_counts(texts: Iterable[str]) -> dict[str, int]:
    """How many of `texts` follow each EARS kind: the kinds found, in `KINDS` order, then
    "(none)" for those in no EARS shape (as other breakdowns count a missing value)."""
    counts = Counter(ears_kind(text) or "(none)" for text in texts)
    return {kind: counts[kind] for kind in (*KINDS, "(none)") if counts[kind]}
