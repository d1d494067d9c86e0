"""Wording that breaks an INCOSE rule (RF410-RF420, and RF401 for a project's own categories).

The EARS shape of acceptance criteria (RF407) is checks/ears.py's; reading a regex entry (can
it be used, with which flags, which literal text every match holds) is checks/patterns.py's.

Pure functions, no I/O. The word lists follow the INCOSE Guide for Writing Requirements: each
category below is one of its rules, with English and Chinese entries. They were chosen to be
unverifiable in almost every use and rarely anything else, so a finding is worth reading:

* words that are often precise are left out or narrowed with a regex: "about" only before a
  number ("about 10 s", not "about the export"), "many" not after "how", "soon" not in
  "as soon as <event>", 左右 only after a number ("10秒左右", not 左右滑动), 约 only before a
  number, 应能 not inside 对应能力, and 等 only where it closes a list ("CSV、Excel等格式",
  "导出和打印等操作") or a clause ("支持CSV等。"), never in 等待, 等级, 等于, 平等, 相等, 同等;
* "all", "every", "any", "real-time"/实时, 完全 and a bare 能够 are not listed: they are just
  as often exact ("all rows", "完全一致", 实时 as a product name, "用户能够导出" states a
  capability), so flagging them would teach people to ignore RF401. Phrases in two categories
  (尽快: escape or temporal) are listed once.

Entry syntax (also for `[lint]` word lists in reqforge.toml): a plain phrase matches
case-insensitively; if it starts or ends with an ASCII letter, digit or underscore, it must be
a whole word there ("some" does not match "awesome", "fast" not "breakfast", "etc." matches with
its dot). CJK phrases match anywhere. An entry `re:<regex>` is a regular expression, matched
case-insensitively against the lower-cased text; if it has a group named `hit`, only that
group is reported (the Chinese 等 entry uses this to report 等 itself, not the whole list).

Two marks make a plain phrase match more than its letters, without writing a regex:

* `word~` is the word in each regular inflection: "minimize~" matches minimize, minimizes,
  minimized and minimizing; "simplify~" simplifies and simplified; "box~" boxes. Irregular forms
  are listed as phrases of their own.
* `...` (or `…`) between two parts stands for up to three words in between, or in Chinese up to
  six characters within the clause: "to the ... extent possible" matches "to the maximum extent
  possible" and "to the extent possible"; "视…而定" matches 视具体情况而定. Both ends stay
  literal, so a gap only widens a phrase that is specific on both sides.
"""

# implements: REQ-106

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from reqforge.checks.patterns import WORD_CHARS as _WORD_CHARS
from reqforge.checks.patterns import Trigger, compile_entry, trigger_of
from reqforge.i18n import N_, Text

RULES: dict[str, str] = {
    "vague": "R7",
    "escape": "R8",
    "open_ended": "R9",
    "infinitive": "R10",
    "absolute": "R26",
    "temporal": "R35",
    "combinator": "R19",
    "pronoun": "R24",
    "negative": "R16",
    "passive": "R2",
    "units": "R6",
}
"""INCOSE rule of each built-in category; a custom category has no rule ("")."""

CODES: dict[str, str] = {
    "infinitive": "RF410",
    "vague": "RF411",
    "escape": "RF412",
    "open_ended": "RF413",
    "absolute": "RF414",
    "temporal": "RF415",
    "combinator": "RF417",
    "pronoun": "RF416",
    "negative": "RF418",
    "passive": "RF419",
    "units": "RF420",
}
"""The finding code of each built-in category; a custom category's is RF401."""
CUSTOM_CODE = "RF401"
WORDING_CODES = (CUSTOM_CODE, *sorted(CODES.values()))
"""Every wording code: RF401 names them all in --select, --ignore and lint-ignore."""


def code_of(category: str) -> str:
    """The finding code of a word-list category (RF401 for one the project added)."""
    return CODES.get(category, CUSTOM_CODE)


# A number that needs its unit: not zero (zero needs none), and all of it ("0.5", not its "0").
_BARE_NUMBER = r"(?P<hit>(?!0(?![.][0-9]))[0-9]+(?:\.[0-9]+)?)(?![0-9]|[.][0-9])"

# Kept as dense paragraphs, which read like the word lists they are; one phrase per line
# would run to 400 lines.
# fmt: off
DEFAULT_WORDS: dict[str, tuple[str, ...]] = {
    # R7: vague terms (quantities, qualities and adverbs nobody can test).
    "vague": (
        "some", "several", "re:many(?<![a-z0-9_]many)(?<!how many)(?![a-z0-9_])", "few", "various",
        "numerous", "a lot of", "lots of", "a number of", "a large number of",
        "approximately", "roughly", "nearly", "almost",
        "re:about(?<![a-z0-9_]about)(?=[ \t]*[0-9])",
        "re:around(?<![a-z0-9_]around)(?=[ \t]*[0-9])",
        "adequate", "adequately", "sufficient", "sufficiently", "reasonable", "reasonably",
        "appropriate", "appropriately", "suitable", "acceptable", "satisfactory",
        "user-friendly", "user friendly", "easy", "easily", "easy to use", "simple",
        "intuitive", "intuitively", "seamless", "seamlessly", "convenient",
        "fast", "quick", "quickly", "rapid", "rapidly", "flexible", "robust", "scalable",
        "efficient", "efficiently", "significant", "significantly", "minimal", "optimal",
        "optimize~", "optimise~", "maximize~", "maximise~", "minimize~", "minimise~",
        "state-of-the-art", "state of the art",
        "typical", "typically", "usually", "often", "frequently", "occasionally",
        "negligible", "non-negligible", "clearly", "best",
        # a comparative without its reference ("faster than the 2025 release" is exact)
        # (each starts with the word, the word-start test right after it: the engine skips
        # ahead to the word instead of testing a lookbehind at every position)
        "re:better(?<![a-z0-9_]better)(?<!or better)(?![a-z0-9_])(?![^.;:]{0,40}\\bthan\\b)",
        "re:faster(?<![a-z0-9_]faster)(?![a-z0-9_])(?![^.;:]{0,40}\\bthan\\b)",
        "re:quicker(?<![a-z0-9_]quicker)(?![a-z0-9_])(?![^.;:]{0,40}\\bthan\\b)",
        "re:easier(?<![a-z0-9_]easier)(?![a-z0-9_])(?![^.;:]{0,40}\\bthan\\b)",
        "re:simpler(?<![a-z0-9_]simpler)(?![a-z0-9_])(?![^.;:]{0,40}\\bthan\\b)",
        "re:smoother(?<![a-z0-9_]smoother)(?![a-z0-9_])(?![^.;:]{0,40}\\bthan\\b)",
        "re:cheaper(?<![a-z0-9_]cheaper)(?![a-z0-9_])(?![^.;:]{0,40}\\bthan\\b)",
        "优化", "友好", "易用", "人性化", "合适", "合理", "快速", "高效", "灵活",
        "方便", "便捷", "简单", "简便", "直观", "流畅", "美观", "最佳", "良好",
        # not 适当性评估, 先进先出, 最优惠: exact terms
        "re:适当(?!性)", "re:先进(?!先出)", "re:最优(?!惠)",
        "re:更[好快优佳强]", "re:较[多少强弱大小]", "一定的", "一定数量", "多数", "业界领先",
        "领先水平", "清晰", "易懂", "详细", "主流", "稳定运行",
        # the quantity hedged by 尽可能/尽量 (the hedge itself is an escape clause, R8)
        "re:(?:尽可能|尽量)(?P<hit>[小少快短低高大多]|[减缩提降增简][少短高低加化])",
        # a superlative without its measure (影响最小; not 最小值, 最少3个)
        "re:最[小少](?![值单额号位数0-9零一二两三四五六七八九十])", "准确地",
        # ... and by "as ... as possible" in English
        "re:(?:little|much|few|many|short|small|low|high|smooth|simple|quick|quickly|early|close"
        "|long|large)(?=(?:[ \t]+and[ \t]+[a-z]+)?[ \t]+as[ \t]+possible)",
        "足够", "充分", "显著", "明显", "大幅", "较好", "较快", "较高", "较低",
        "若干", "一些", "某些", "许多", "很多", "大量", "少量", "大约", "通常",
        # 左右 and 约 only next to a number: 左右滑动 and 约束 are exact.
        "re:左右(?:(?<=[0-9零一二两三四五六七八九十百千万半]左右)"
        "|(?<=[0-9零一二两三四五六七八九十百千万半][^\\s，。、；：,.;:]左右)"
        "|(?<=[0-9零一二两三四五六七八九十百千万半][^\\s，。、；：,.;:]{2}左右))",
        "re:上下(?:(?<=[0-9零一二两三四五六七八九十百千万半]上下)"
        "|(?<=[0-9零一二两三四五六七八九十百千万半][^\\s，。、；：,.;:]上下)"
        "|(?<=[0-9零一二两三四五六七八九十百千万半][^\\s，。、；：,.;:]{2}上下))",
        "re:约(?<![大节制预合签公条]约)(?=[ \t]*[0-9零一二两三四五六七八九十百千万半])",
    ),
    # R8: escape clauses that let the requirement be skipped.
    "escape": (
        "where possible", "wherever possible", "whenever possible", "if possible",
        "as far as ... possible", "as much as possible", "to the ... extent possible",
        "to the ... extent practical", "to the ... extent practicable",
        "to the ... extent feasible", "if at all possible", "as far as ... practical",
        "if practical",
        "where practical", "as far as ... practicable", "if feasible", "where feasible",
        "as appropriate", "if appropriate", "where appropriate", "when appropriate",
        "if necessary", "when necessary", "where necessary", "as necessary",
        "if needed", "as needed", "when needed", "as required", "where applicable",
        "as applicable", "if applicable", "best effort", "best-effort",
        "when possible", "whenever practicable", "whenever practical", "when practicable",
        "when practical", "as practical", "as practicable", "as feasible",
        "when deemed appropriate", "if deemed appropriate", "as deemed appropriate",
        "when deemed necessary", "if deemed necessary", "as deemed necessary",
        # "as fast as possible", "as smooth and easy as possible": the hedge is "as possible"
        "re:as possible(?<![a-z0-9_]as possible)",
        "尽量", "尽可能", "必要时", "必要的时候", "如有必要", "如果必要", "如有需要", "视情况",
        "酌情", "原则上", "可能的情况下", "如果可能", "如可能", "适当时",
        "条件允许", "根据需要", "根据实际情况", "允许的范围内", "按需", "尽力",
        "re:视[^，。；,.;]{0,6}(?:需要|情况)", "视…而定", "根据…而定",
    ),
    # R9: open-ended clauses: the reader cannot tell what else is included.
    "open_ended": (
        # etc, not a path (/etc/kubelet)
        "re:e(?<![a-z0-9_/]e)tc(?![a-z0-9_/])\\.?", "and so on", "and so forth", "among ... others",
        # "X, Y and more." (not "more and more")
        "re:a(?<![a-z0-9_]a)nd more(?=[ \t]*(?:[.,;:!?)]|$))",
        "including but not limited to", "but not limited to", "not limited to",
        "and the like", "et cetera", "and similar",
        # "Android, iOS and other platforms"
        "re:other(?<![a-z0-9_]and other)(?<=and other)[ \t]+[a-z]+",
        "re:other(?<![a-z0-9_]or other)(?<=or other)[ \t]+[a-z]+",
        "re:[,(][ \t]*(?:\\.\\.\\.|…)",  # "(xls, xlsx, ...)"
        "or similar",
        "等等", "之类", "诸如此类", "包括但不限于", "不限于", "以及其他", "或其他", "和其他",
        "及其他", "诸如",
        # 等 closing a list ("CSV、Excel等格式", "导出和打印等操作"), reported alone; not 等待,
        # 等级, 等于, 等同, 等号 ... nor 平等, 相等, 同等 ... (the characters around it).
        "re:[、和及与或][^，。；：！？,.;:!?、\\n]{1,20}?"
        "(?<![平相同对均不初高中上次优劣何特头超])(?P<hit>等)"
        "(?![等待级于同候号效价比差分距宽额量长边到着])",
        # 等 ending a clause after any single item ("支持CSV等。").
        "re:等(?<![平相同对均不初高中上次优劣何特头超稍等]等)(?=[，。；：！？,.;:!?)）」』”\\]\\s]|$)",
    ),
    # R10: superfluous infinitives: "shall be able to export" says no more than "shall export".
    "infinitive": (
        "be able to", "be capable of", "be capable to", "be designed to", "be possible to",
        "have the ability to", "has the ability to", "have the capability to",
        "has the capability to",
        "re:应(?<![对响适供反相答效呼感回理顺照]应)(?:当|该)?能够?(?![力源量耗])",
        "必须能够", "需要能够", "须能够", "re:(?P<hit>具[备有])(?=[^，。；,.;]{1,20}?的?能力)",
    ),
    # R26: absolutes nobody can achieve or verify.
    "absolute": (
        "always", "never", "at all times",
        # 100% as a promise, not "100% of the rows" (a count a test checks)
        "re:100[ \t]*(?:%|percent)(?![ \t]*of[ \t])",
        "under all circumstances", "under any circumstances",
        "without exception", "without fail", "zero downtime",
        "总是", "永远", "永不", "绝不", "决不", "从不", "始终", "任何情况下", "所有情况下",
        "任何时候", "零停机", "零宕机", "零丢失", "无故障", "不得有任何",
        "100％", "百分之百", "零故障", "零差错", "万无一失", "绝对",
    ),
    # R19: combinators that hide two requirements (or a choice nobody made) in one.
    "combinator": (
        "and/or", "和/或", "及/或", "与/或", "或/和",
        # a second "shall" joined by "and"/"or" in the same sentence: two requirements in one
        # ("shall discourage and SHALL NOT facilitate", "..., and the CSP shall reauthenticate")
        "re:(?a:\\b)(?:shall|must|should)(?![a-z0-9_])[^.;:!?。；]{1,160}?(?<![a-z0-9_])(?:and|or)(?![a-z0-9_])[^.;:!?。；]{0,80}?"
        "(?<![a-z0-9_])(?P<hit>shall|must|should)(?![a-z0-9_])",
        # 应……，并应…… (not 响应, 对应 ...: see the EARS pattern)
        "re:应(?<![对响适供反相答效呼感回理顺照]应)(?![用收付急答变对酬届邀声试征聘])[^。；;]{1,60}?"
        "(?:[，,]?(?:并且|并|且|同时|还|以及|和))(?P<hit>(?:应当|应该|应|须|必须))"
        "(?![用收付急答变对酬届邀声试征聘])",
    ),
    # R24: a pronoun as the subject of a requirement: which thing "it" is, the reader must guess.
    "pronoun": (
        # only as the first word: later in a sentence ("when a component loses its lock, it
        # must shut down") the pronoun's noun is right there
        "re:^[ \t]*(?!it[ \t]+[a-z]+[ \t]+be[ \t]+[a-z]+[ \t]+(?:to|that)(?![a-z0-9_]))"
        "(?P<hit>it|they|this|these|those)(?=[ \t]+(?:shall|must|should|will|can|may|means)"
        "(?![a-z0-9_]))",
        # ... or as the first word of a later sentence, after a connective ("However, this
        # should ...", "Basically, it should ...") or after "but" ("..., but it should be
        # cached"); not after a subordinate clause ("When a protocol is specified, it must be
        # ..."): that clause names it. An expletive "it" ("It should be easy to ...") has no
        # referent to miss.
        "re:[.!?;][ \t]+(?!it[ \t]+[a-z]+[ \t]+be[ \t]+[a-z]+[ \t]+(?:to|that)(?![a-z0-9_]))"
        "(?P<hit>it|they|this|these|those)(?=[ \t]+(?:[a-z]+ly[ \t]+|also[ \t]+|then[ \t]+)?"
        "(?:shall|must|should|will|can|may)(?![a-z0-9_]))",
        "re:(?a:\\b)(?:however|basically|also|then|instead|otherwise|in addition|at that point"
        "|in such cases(?: however)?|but)[ \t]*,?[ \t]+"
        "(?!it[ \t]+[a-z]+[ \t]+be[ \t]+[a-z]+[ \t]+(?:to|that)(?![a-z0-9_]))"
        "(?P<hit>it|they|this|these|those)(?=[ \t]+(?:[a-z]+ly[ \t]+|also[ \t]+|then[ \t]+)?"
        "(?:shall|must|should|will|can|may)(?![a-z0-9_]))",
        "re:^[ \t]*(?P<hit>它|这个)(?=应|将|会|必须|需要|要)",
    ),
    # R16: a negative requirement ("shall not"): say what the system shall do instead.
    "negative": (
        "shall not", "must not", "should not", "will not",
        "不得", "不应", "不能", "不允许", "不可以",
    ),
    # R2: passive voice without its agent ("the report shall be generated": by what?).
    "passive": (
        "re:(?:s(?<![a-z0-9_]s)hall|m(?<![a-z0-9_]m)ust|s(?<![a-z0-9_]s)hould|w(?<![a-z0-9_]w)ill)"
        "(?:[ \t]+(?:not|also|only|always|never|then|[a-z]+ly))?[ \t]+(?P<hit>be"
        "(?:[ \t]+(?:always|never|[a-z]+ly))?[ \t]+"
        "(?:[a-z]+(?:ed|en)|built|sent|kept|shown|written|given|taken|made|done|held|set|put"
        "|read|run|found|sold|paid|told|left|lost|met|bound|brought|bought|caught|chosen"
        "|drawn|driven|hidden|known|laid|led|meant|proven|seen|shut|spent|split|spread|thrown"
        "|understood|withdrawn|worn|broken|spoken|cut|hit|let"
        "))(?![a-z0-9_])(?![^.;]*(?<![a-z0-9_])by(?![a-z0-9_]))",
        "re:(?:应|须)被(?![^，。；,.;]*由)",
        # 予以 / 加以 / 得到 make a notional passive ("应予以删除": deleted by whom?)
        "re:(?:应|须|必须)(?:当)?(?P<hit>予以|加以|得到|受到)(?![^，。；,.;]*由)",
    ),
    # R6: a quantity that needs a unit without one ("within 10", "超时时间应设置为30"): a number
    # after a bound ("within", "不超过") or a measured property ("size", "超时时间"), ending its
    # clause. Zero needs no unit; counts ("10 channels") are followed by their noun.
    "units": (
        "re:(?a:\\b)(?:within|under|below|above|after|every|exceed|exceeds|exceeding)[ \t]+"
        + _BARE_NUMBER + "(?=[ \t]*(?:[.,;:!?)]|$))",
        "re:(?a:\\b)(?:size|timeout|time-out|latency|delay|interval|duration|bandwidth|throughput|memory"
        "|capacity|speed|weight|distance|temperature|frequency|upload limit|download limit|quota)"
        "(?![a-z0-9_])[^.;:!?]{0,40}?(?<![a-z0-9_])(?:be|of|is|to|at most|at least|exceed|than)"
        "[ \t]+" + _BARE_NUMBER +
        "(?=[ \t]*(?:[.,;:!?)]|$|(?:per|for)(?![a-z0-9_])))",
        # 在10内, 30以内: a bare number before 内
        "re:(?P<hit>[0-9](?<![0-9.][0-9])[0-9]*(?:\\.[0-9]+)?)(?=[ \t]*(?:内|以内|之内))",
        # 时间/大小 ... 为30。, 不超过20。
        "re:(?:时间|时长|大小|容量|长度|间隔|延迟|时延|超时|速度|带宽|内存|频率|周期|期限|尺寸|重量"
        "|温度|距离|上限|下限)[^，。；,;]{0,12}?(?:为|是|超过|不超过|小于|大于|低于|高于|达到|限制为"
        "|设置为|设为)[ \t]*" + _BARE_NUMBER + "(?=[ \t]*(?:[，。；：！？,;:!?）)]|$))",
    ),
    # R35: indefinite temporal terms.
    "temporal": (
        "eventually", "immediately", "instantly", "instantaneous", "instantaneously",
        "re:soon(?<![a-z0-9_]soon)(?<!as soon)(?![a-z0-9_])", "as soon as ... possible", "asap",
        "in a timely manner", "in a timely fashion", "timely", "promptly", "without delay",
        "in due course", "regularly", "from time to time",
        # periodically, unless the period is given ("every 5 s", "at intervals of", "per run")
        # periodically, unless the period follows ("every 5 s", "at intervals of")
        "re:periodically(?<![a-z0-9_]periodically)(?![a-z0-9_])"
        "(?![^.;]*(?<![a-z0-9_])(?:every|intervals?|each|per|in response)(?![a-z0-9_]))",
        "及时", "立刻", "马上", "尽快", "尽早", "随即", "很快", "稍后", "适时",
        "迅速", "经常", "即时", "短时间内", "定时", "周期性", "及早", "随后", "一段时间", "最终",
        "re:适当的时[候间机]", "re:合适的时[候间机]",
        # 立即, 定期 and 实时 unless a number bounds them in the same clause
        "re:立即(?![^，。；,.;]*[0-9])", "re:定期(?![^，。；,.;]*[0-9])",
        "re:实时(?![^，。；,.;]*[0-9])",
        "第一时间",
    ),
}
# fmt: on
"""Built-in word lists by category. Copy, don't mutate: `{**DEFAULT_WORDS, "vague": (...)}`."""

# Label, INCOSE rule name and suggestion of each category (the catalogs translate them).
# fmt: off
_CATEGORY_TEXT: dict[str, tuple[str, str, str]] = {
    "vague": (N_("vague wording"), N_("vague term"), N_("say what, how much or by when")),
    "escape": (
        N_("escape clause"), N_("escape clause"), N_("state the condition, or remove the clause"),
    ),
    "open_ended": (
        N_("open-ended list"), N_("open-ended clause"),
        N_("list every item, or one requirement per item"),
    ),
    "infinitive": (
        N_("superfluous infinitive"), N_("superfluous infinitive"),
        N_("write 'shall <verb>' directly"),
    ),
    "absolute": (
        N_("absolute"), N_("unachievable absolute"), N_("state the achievable, measurable value"),
    ),
    "temporal": (
        N_("vague timing"), N_("indefinite temporal term"),
        N_("give a time limit or the triggering event"),
    ),
    "combinator": (
        N_("combinator"), N_("combinators"),
        N_("write one requirement for each, or say which one"),
    ),
    "pronoun": (
        N_("pronoun"), N_("pronouns"), N_("name the thing the requirement is about"),
    ),
    "negative": (
        N_("negative requirement"), N_("avoid negative statements"),
        N_("say what the system shall do instead"),
    ),
    "passive": (
        N_("passive voice"), N_("active voice"), N_("name who or what does it"),
    ),
    "units": (
        N_("number without a unit"), N_("units of measure"),
        N_("give the unit: seconds, MB, requests per minute ..."),
    ),
}
# fmt: on

# A phrase ending in a word character must end the word, hyphenated compounds included: "quick"
# is vague, the value-cost quadrant "quick-win" is a term.
_NOT_BEFORE_WORD = "(?![0-9a-z_]|-[0-9a-z])"

# A name in quotes or code is a label, not a claim: the “快速下单” button, the "Fast export"
# menu, `best_effort`; words inside them are not reported.
_QUOTED = re.compile(r"“[^”]*”|「[^」]*」|『[^』]*』|\"[^\"]*\"|`[^`]*`")
_QUOTE_OPENERS = frozenset('“「『"`')


def _mask(quoted: re.Match[str]) -> str:
    """A quoted span with its inside replaced by "_" (a word character, matched by no entry),
    same length so that offsets stay valid."""
    inside = len(quoted.group()) - 2
    return quoted.group()[0] + "_" * inside + quoted.group()[-1]


# A vague word is no finding where the sentence gives its measure ("the acceptable delta shall
# be less than 20%") or where it stands in the reason for a requirement, not in the requirement
# ("To ensure seamless integration, the kubelet must ...", "..., as we will modify a significant
# amount of code", "since", "because", "which allow"): the reason is not what a test checks.
_MEASURE = re.compile(
    r"(?:less|more|fewer|greater|lower|higher|no more|no less)[ \t]+than[ \t]+[0-9]"
    r"|(?:within|under|below|above|at most|at least|up to)[ \t]+[0-9]"
    r"|[<>≤≥][ \t]*[0-9]|不超过|不少于|不低于|不高于|以内"
)
_REASON = re.compile(
    r"(?:^|[,;:—–(][ \t]*)(?:to ensure|to allow|in order to|so that|as (?:we|it|they|this|the)"
    r"|since|because|which|although|though)(?![a-z0-9_])[^,;.)—–]*"
)


def _excused(low: str, hit: WordHit) -> bool:
    """Whether a vague word is measured in its sentence, or stands in a reason clause."""
    start = max(low.rfind(mark, 0, hit.start) for mark in ".;。；") + 1
    stops = [i for i in (low.find(mark, hit.end) for mark in ".;。；") if i >= 0]
    sentence = low[start : min(stops) if stops else len(low)]
    if _MEASURE.search(sentence):
        return True
    return any(
        match.start() <= hit.start - start and hit.end - start <= match.end()
        for match in _REASON.finditer(sentence)
    )


# Categories that flag a sentence's construction rather than a word: their hits may overlap
# the words' hits and each other's.
_CONSTRUCTIONS = frozenset({"passive", "negative", "combinator", "pronoun", "units"})

# (start, -length, category order, category) of a match, before overlaps are resolved.
_Found = tuple[int, int, int, str]


@dataclass(frozen=True, slots=True)
class WordHit:
    """One flagged phrase: `text[start:end]` of the checked text, its category and rule."""

    start: int
    end: int
    text: str
    category: str
    rule: str


class WordMatcher:
    """Finds the phrases of a word list in a text; build it with `build_matcher`.

    Immutable once built, so one matcher serves a whole `check` run. Plain phrases are compiled
    into two tries (phrases that start a word, anchored at word starts so the engine rejects
    every position inside a word at once; and the others, CJK). A regex entry runs only on a
    text that holds one of its *triggers*: literal text that every match of it contains
    ("shall" in "shall ... and ... shall", 内 in "10内"), read from the pattern itself. One
    scan for all the triggers replaces a search per entry: with thirty regex entries, most
    texts ran most of them for nothing, and the calls alone cost more than the tries.
    """

    __slots__ = (
        "_always",
        "_enabled",
        "_literals",
        "_order",
        "_other",
        "_patterns",
        "_scans",
        "_words",
    )

    def __init__(
        self,
        words: re.Pattern[str] | None,
        other: tuple[re.Pattern[str], bool] | None,
        literals: Mapping[str, str],
        patterns: Sequence[tuple[re.Pattern[str], str, bool]],
        triggers: Sequence[Trigger | None],
        order: Mapping[str, int],
    ) -> None:
        self._words = words
        self._other = other
        self._literals = literals
        self._patterns = tuple(patterns)
        self._order = order
        # Entries without a trigger always run. One scan for all entries looks for their
        # triggers: a string found enables its entries and those of every string inside it (a
        # text that holds "shall not" holds "shall"). Strings that start a word wherever they
        # are needed are looked for at word starts only (five times faster); CJK ones only in
        # a text that is not ASCII. (Testing a second trigger set per entry with `in` cost
        # more than running the entries it spared.)
        self._always = tuple(i for i, trigger in enumerate(triggers) if trigger is None)
        firsts = [trigger for trigger in triggers if trigger is not None]
        strings = sorted({t for found, _ in firsts for t in found}, key=len)
        self._enabled = {
            string: tuple(
                i
                for i, trigger in enumerate(triggers)
                if trigger is not None and any(t in string for t in trigger[0])
            )
            for string in strings
        }
        loose = {t for found, anchored in firsts if not anchored for t in found}
        at_words = [t for t in strings if t[0] in _WORD_CHARS and t not in loose]
        cjk = [t for t in strings if not t[0].isascii()]
        anywhere = [t for t in strings if t not in at_words and t not in cjk]
        self._scans = tuple(
            (re.compile(prefix + _trie_pattern(group, whole_words=False)), ascii_too)
            for group, prefix, ascii_too in (
                (at_words, r"(?a:\b)", True),
                (anywhere, "", True),
                (cjk, "", False),
            )
            if group
        )

    def find(self, text: str) -> list[WordHit]:
        """Return the hits in `text`, by position; of overlapping hits the leftmost, then the
        longest, is kept, except that constructions (passive, negative ...) may overlap words."""
        low = text.lower()
        if len(low) != len(text):
            # A few characters lower-case to two (İ -> i̇); keep them so offsets stay valid.
            low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
        if _QUOTE_OPENERS.intersection(low):
            # What is quoted is masked before any pattern runs, so that no phrase or
            # construction starts, ends or passes through it ("the `The <system> shall` shape
            # and ... shall" is one requirement, not two).
            low = _QUOTED.sub(_mask, low)
        found: list[_Found] = []
        if self._words is not None:
            self._scan_literals(self._words, low, found)
        # Phrases that start with a non-ASCII character cannot occur in ASCII text.
        if self._other is not None and (self._other[1] or not low.isascii()):
            self._scan_literals(self._other[0], low, found)
        order = self._order
        for index in self._to_run(low):
            pattern, category, has_hit = self._patterns[index]
            for match in pattern.finditer(low):
                start, end = match.span("hit") if has_hit else match.span()
                if end > start:
                    found.append((start, start - end, order[category], category))
        if not found:
            return []
        hits = _leftmost_longest(text, found)
        if any(hit.category == "vague" for hit in hits):
            hits = [hit for hit in hits if hit.category != "vague" or not _excused(low, hit)]
        return hits

    def _to_run(self, low: str) -> list[int]:
        """The regex entries worth running on `low`: those without a trigger, and those whose
        triggers it holds, in the order they were listed."""
        enabled = self._enabled
        chosen: set[int] = set()
        ascii_text = low.isascii()
        for trie, ascii_too in self._scans:
            if ascii_text and not ascii_too:
                continue
            search = trie.search
            # Restarting one past each match start finds every trigger, overlapping ones
            # included (at a position the longest wins; `_enabled` covers those inside it).
            match = search(low)
            while match is not None:
                chosen.update(enabled[match.group()])
                match = search(low, match.start() + 1)
        if not chosen:
            return list(self._always)
        return sorted(chosen.union(self._always))

    def _scan_literals(self, trie: re.Pattern[str], low: str, found: list[_Found]) -> None:
        """Add the longest phrase at every position where one starts (overlaps included)."""
        literals, order = self._literals, self._order
        search = trie.search
        match = search(low)
        while match is not None:
            start = match.start()
            category = literals[match.group()]
            found.append((start, start - match.end(), order[category], category))
            match = search(low, start + 1)


def _leftmost_longest(text: str, found: list[_Found]) -> list[WordHit]:
    # Sorting puts, at each start, the longest match first, then the categories in the order
    # the word list gave them; a match that starts inside an earlier hit is dropped ("where
    # appropriate" is an escape clause, not also a vague "appropriate"). A construction (see
    # _CONSTRUCTIONS) is judged apart from the words: "shall be always preferred" is a passive
    # and an absolute.
    found.sort()
    hits = []
    reached: dict[str, int] = {}
    for start, negative_length, _order, category in found:
        lane = category if category in _CONSTRUCTIONS else ""
        if start >= reached.get(lane, 0):
            end = start - negative_length
            hits.append(WordHit(start, end, text[start:end], category, RULES.get(category, "")))
            reached[lane] = end
    return hits


def build_matcher(words: Mapping[str, Sequence[str]], *, triggers: bool = True) -> WordMatcher:
    """Compile a word list `{category: entries}` (see the module docstring) into a matcher.
    `triggers=False` runs every regex entry on every text (what the triggers must never
    change, only speed up: the tests compare the two).

    Raises ValueError naming the category and entry for an entry that is not a string, is
    empty, or is a `re:` entry that does not compile or can match the empty string.
    """
    literals: dict[str, str] = {}
    patterns: list[tuple[re.Pattern[str], str, bool]] = []
    order: dict[str, int] = {}
    gapped: dict[tuple[str, str], list[str]] = {}  # (category, first part) -> phrases
    for category, entries in words.items():
        order.setdefault(category, len(order))
        if isinstance(entries, str) or not isinstance(entries, Sequence):
            raise ValueError(f"word list {category!r}: expected a list of phrases")
        for entry in entries:
            if not isinstance(entry, str) or not entry.strip() or entry == "re:":
                raise ValueError(f"word list {category!r}: empty or not a string: {entry!r}")
            if entry.startswith("re:"):
                source = entry[3:]
                pattern = compile_entry(category, entry, source)
                patterns.append((pattern, category, "hit" in pattern.groupindex))
            elif _GAP.search(entry):
                head = _GAP.split(entry.lower())[0]
                gapped.setdefault((category, head), []).append(entry.lower())
            else:
                # The first category to list a phrase owns it.
                for phrase in _forms(entry.lower()):
                    literals.setdefault(phrase, category)

    patterns += [
        (re.compile(_gap_pattern(phrases)), category, False)
        for (category, _), phrases in gapped.items()
    ]
    word_phrases = [phrase for phrase in literals if phrase[0] in _WORD_CHARS]
    other_phrases = [phrase for phrase in literals if phrase[0] not in _WORD_CHARS]
    other = None
    if other_phrases:
        other = (
            re.compile(_trie_pattern(other_phrases)),
            any(phrase[0].isascii() for phrase in other_phrases),
        )
    return WordMatcher(
        # (?a:\b) before a word character: the character before is no ASCII word character.
        words=re.compile(r"(?a:\b)" + _trie_pattern(word_phrases)) if word_phrases else None,
        other=other,
        literals=literals,
        patterns=patterns,
        triggers=[trigger_of(pattern) if triggers else None for pattern, _, _ in patterns],
        order=order,
    )


_GAP = re.compile(r"[ \t]*(?:\.\.\.|…)[ \t]*")
_INFLECTED = re.compile(r"([a-z]+)~")
_VOWELS = frozenset("aeiou")
# What a gap may hold: up to three words (ASCII) or six characters of one clause (CJK).
_WORD_GAP = r"(?:[ \t]+[a-z0-9_'’-]+){0,3}?[ \t]+"
_CJK_GAP = r"[^\s，。；：！？、,.;:!?]{0,6}?"


def inflections(word: str) -> tuple[str, ...]:
    """The regular inflections of an English word, itself first: -s/-es, -ed/-d, -ing, with
    the spelling rules for a final e (optimize -> optimized, optimizing) and a final consonant
    plus y (simplify -> simplifies, simplified). Irregular forms are not guessed."""
    if word.endswith("e"):
        forms = (word + "s", word + "d", word[:-1] + "ing")
    elif word.endswith("y") and len(word) > 1 and word[-2] not in _VOWELS:
        forms = (word[:-1] + "ies", word[:-1] + "ied", word + "ing")
    elif word.endswith(("s", "x", "z", "ch", "sh")):
        forms = (word + "es", word + "ed", word + "ing")
    else:
        forms = (word + "s", word + "ed", word + "ing")
    return (word, *forms)


def _forms(phrase: str) -> list[str]:
    """Every literal a phrase stands for: one per combination of its `word~` inflections."""
    parts = _INFLECTED.split(phrase)
    # split alternates text, captured word, text, ...: expand each word, keep the text.
    results = [""]
    for index, part in enumerate(parts):
        options = inflections(part) if index % 2 else (part,)
        results = [done + option for done in results for option in options]
    return results


def _gap_pattern(phrases: Sequence[str]) -> str:
    """The regex of phrases with gaps (see the module docstring) that share their first part:
    literal parts, inflections as alternatives, and between the parts a bounded run of words or
    CJK characters. The first part is written once ("to the ... extent possible" and "to the
    ... extent practical" try "to the" once), and starts with its first letter, the word start
    checked after it, like the built-in regex entries: the engine can skip ahead to it."""
    head = _GAP.split(phrases[0])[0]
    first = head[0]
    if first in _WORD_CHARS:
        # the word start is checked after the first letter (see DEFAULT_WORDS' comment)
        out = f"{re.escape(first)}(?<![0-9a-z_]{re.escape(first)})"
        out += "(?:" + "|".join(re.escape(form[1:]) for form in _forms(head)) + ")"
        out += "(?![0-9a-z_])" if head[-1] in _WORD_CHARS else ""
    else:
        out = "(?:" + "|".join(re.escape(form) for form in _forms(head)) + ")"
    rests = []
    for phrase in phrases:
        pieces = _GAP.split(phrase)
        rest = []
        for previous, piece in pairwise(pieces):
            cjk = not piece[0].isascii() or not previous[-1].isascii()
            rest.append(_CJK_GAP if cjk else _WORD_GAP)
            rest.append("(?:" + "|".join(re.escape(form) for form in _forms(piece)) + ")")
            if piece[-1] in _WORD_CHARS:
                rest.append("(?![0-9a-z_])")
        rests.append("".join(rest))
    return out + (rests[0] if len(rests) == 1 else "(?:" + "|".join(rests) + ")")


def _trie_pattern(phrases: Sequence[str], *, whole_words: bool = True) -> str:
    """One regex for literal phrases, as a trie: a shared prefix is tried once.

    Each branch starts with its own plain character, so the regex engine only enters the one
    branch that can match. Longer phrases are tried before their own prefixes, so the longest
    phrase wins at a position.
    """
    trie: dict[str, dict] = {}
    for phrase in phrases:
        node = trie
        for char in phrase:
            node = node.setdefault(char, {})
        node[""] = {}

    def branches(node: dict[str, dict], last: str) -> str:
        options = [re.escape(char) + branches(node[char], char) for char in sorted(node) if char]
        if "" in node:
            options.append(_NOT_BEFORE_WORD if whole_words and last in _WORD_CHARS else "")
        return options[0] if len(options) == 1 else "(?:" + "|".join(options) + ")"

    return branches(trie, "")


def message(hit: WordHit, language: str | None = None) -> str:
    """The RF401 message for a hit, e.g. "vague wording 'user-friendly' (INCOSE R7: vague
    term): say what, how much or by when": a `Text`, or already in `language` when given."""
    text = _CATEGORY_TEXT.get(hit.category)
    if text is None:
        found = Text(
            "unverifiable wording '{text}' ({category}): say what, how much or by when",
            text=hit.text,
            category=hit.category,
        )
    else:
        label, rule_name, suggestion = text
        found = Text(
            "{label} '{text}' (INCOSE {rule}: {rule_name}): {suggestion}",
            label=Text(label),
            text=hit.text,
            rule=hit.rule,
            rule_name=Text(rule_name),
            suggestion=Text(suggestion),
        )
    return found if language is None else found.localize(language)
