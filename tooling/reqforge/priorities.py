"""Priority methods of SPEC section 4, as pure functions over requirement inputs.

Every method is one function over plain values that returns `None` when any input is missing,
mistyped or out of range (never a guess: `check` reports those inputs as RF102). A bool is never
a number and NaN or infinity is never valid. `scores_of` reads one requirement's inputs and
computes all methods into a frozen `Scores`; `sort_key` and `rank` order a backlog by any
method, with requirements that lack a method's inputs after those that have them and the ID as
the final tie-break. `METHODS` holds one descriptor per method (its inputs with their ranges, its
output column, its sort order): fields.py validates the inputs from it, the catalogue computes its
fields from it and the CLI takes its `--method` choices and columns from it. Two analyses build
on the scores: `disagreements` (where the methods contradict each other, from the rule table
`DISAGREEMENT_RULES`) and `blocking` (inherited urgency: the requirements that a P0 depends on,
transitively).

Nothing here reads files, the clock or global state: the same inputs give the same outputs.
"""

# implements: REQ-200

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from reqforge.config import DEFAULT_ICE_LEVELS
from reqforge.i18n import N_, Text
from reqforge.model import Customer, Requirement
from reqforge.scalars import is_number, real_number

if TYPE_CHECKING:  # config reads the method names from here, lazily
    from reqforge.config import PriorityConfig

MOSCOW_ORDER = ("must", "should", "could", "wont")
KANO_ORDER = ("basic", "performance", "excitement", "indifferent", "reverse")
P_LEVELS = ("P0", "P1", "P2", "P3")
QUADRANTS = ("quick-win", "strategic", "fill-in", "avoid")
ICE_LEVELS = ("high", "medium", "low")
IMPORTANCE = ("high", "low")
URGENCY = ("urgent", "normal", "deferred")
QUADRANT_THRESHOLD = 6  # value >= 6 is high value; cost <= 5 is low cost


# --- inputs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Input:
    """One front-matter input of a priority method: its key path below `priority` and what it
    accepts. fields.py validates it (RF102 outside the range); the method's function reads an
    invalid value as absent.

    kind: `int` (a whole number), `number`, `enum` (one of `values`) or `votes` (stakeholder ->
    a number from `low` to `high` or a MoSCoW word). `above` is an exclusive lower bound.
    """

    key: tuple[str, ...]
    kind: str
    low: float | None = None
    high: float | None = None
    above: float | None = None
    values: tuple[str, ...] | None = None

    def accept(self, value: Any) -> Any:
        """`value` when this input accepts it (a number as a finite float, a whole number as an
        int), else None. Never for `votes`: each vote is read by `votes_score`."""
        if self.kind == "int":
            return _whole(value, self.low, self.high)
        if self.kind == "number":
            return _real(value, self.low, self.high, self.above)
        if self.kind == "enum":
            return value if isinstance(value, str) and value in (self.values or ()) else None
        raise ValueError(f"{self.kind} input {'.'.join(self.key)} is not read one value at a time")


def _inputs(
    block: tuple[str, ...], kind: str, names: Sequence[str], **bounds: Any
) -> tuple[Input, ...]:
    """Inputs of one kind and range, one per name, below the key path `block`."""
    return tuple(Input((*block, name), kind, **bounds) for name in names)


MOSCOW_INPUT = Input(("moscow",), "enum", values=MOSCOW_ORDER)
KANO_INPUT = Input(("kano",), "enum", values=KANO_ORDER)
P_LEVEL_INPUTS = (
    Input(("importance",), "enum", values=IMPORTANCE),
    Input(("urgency",), "enum", values=URGENCY),
)
ICE_INPUTS = _inputs(("ice",), "int", ("impact", "confidence", "ease"), low=1, high=5)
RICE_INPUTS = (
    Input(("rice", "reach"), "number", low=0),
    Input(("rice", "impact"), "number", low=0, high=10),
    Input(("rice", "confidence"), "number", low=0, high=1),
    Input(("rice", "effort"), "number", above=0),
)
VALUE_COST_INPUTS = _inputs((), "int", ("value", "cost"), low=1, high=10)
FMEA_INPUTS = _inputs(("fmea",), "int", ("severity", "occurrence", "detection"), low=1, high=10)
# `urgency` is the documented alias of `time-criticality` (the canonical key wins).
WSJF_INPUTS = (
    *_inputs(("wsjf",), "number", ("value", "time-criticality", "urgency", "risk"), low=1, high=20),
    Input(("wsjf", "size"), "number", above=0, high=100),
)
# What `wsjf` reads, in its order: `urgency` is read as time-criticality.
_WSJF_READ = (*WSJF_INPUTS[:2], *WSJF_INPUTS[3:])
VOTES_INPUT = Input(("votes",), "votes", low=0, high=10, values=MOSCOW_ORDER)


# --- input validation --------------------------------------------------------------------------


def _whole(value: Any, low: float | None, high: float | None) -> int | None:
    """`value` when it is an int (not a bool) in [low, high] (each bound optional), else None."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    if (low is not None and value < low) or (high is not None and value > high):
        return None
    return value


def _real(
    value: Any,
    low: float | None = None,
    high: float | None = None,
    above: float | None = None,
) -> float | None:
    """`value` as a finite float when it is an int or float (not a bool) within the bounds
    (`low`/`high` inclusive, `above` exclusive), else None."""
    number = real_number(value)
    if number is None:
        return None
    if low is not None and number < low:
        return None
    if high is not None and number > high:
        return None
    if above is not None and number <= above:
        return None
    return number


def _accepted(specs: Sequence[Input], values: Sequence[Any]) -> list[Any] | None:
    """Each value as its input accepts it; None when any one is missing or invalid."""
    accepted = [spec.accept(value) for spec, value in zip(specs, values, strict=True)]
    return None if any(value is None for value in accepted) else accepted


def _finite(number: float) -> float | None:
    return number if math.isfinite(number) else None


def _tidy(number: float | None) -> int | float | None:
    """A whole float as an int (demand 5.0 -> 5), any other float rounded to 3 decimals."""
    if number is None or isinstance(number, int):
        return number
    if number.is_integer():
        return int(number)
    return round(number, 3)


def _round3(number: float | None) -> float | None:
    return None if number is None else round(number, 3)


# --- one function per method -------------------------------------------------------------------


# implements: REQ-201
def moscow_rank(value: Any) -> int | None:
    """The ordering value of a MoSCoW category: must 0, should 1, could 2, wont 3; else None."""
    category = MOSCOW_INPUT.accept(value)
    return None if category is None else MOSCOW_ORDER.index(category)


# implements: REQ-202
def kano_rank(category: Any) -> int | None:
    """The ordering value of a Kano category: basic 0, performance 1, excitement 2,
    indifferent 3, reverse 4; anything else is None."""
    accepted = KANO_INPUT.accept(category)
    return None if accepted is None else KANO_ORDER.index(accepted)


# implements: REQ-203
def ice_score(impact: Any, confidence: Any, ease: Any) -> int | None:
    """ICE = impact × confidence × ease, each a whole number 1-5 (so 1-125); else None."""
    values = _accepted(ICE_INPUTS, (impact, confidence, ease))
    if values is None:
        return None
    i, c, e = values
    return i * c * e


# implements: REQ-203
def ice_level(
    score: Any,
    high: int = DEFAULT_ICE_LEVELS["high"],
    medium: int = DEFAULT_ICE_LEVELS["medium"],
) -> str | None:
    """The ICE level of a score: high when score >= `high`, medium when score >= `medium`,
    else low; None for a missing or non-numeric score."""
    number = _real(score)
    if number is None:
        return None
    if number >= high:
        return "high"
    return "medium" if number >= medium else "low"


# implements: REQ-204
def rice_score(reach: Any, impact: Any, confidence: Any, effort: Any) -> float | None:
    """RICE = reach × impact × confidence / effort.

    reach >= 0, impact 0-10, confidence 0-1, effort > 0 (zero or negative effort is None, not a
    ZeroDivisionError; `check` reports it as RF102). A result beyond the float range is None.
    """
    values = _accepted(RICE_INPUTS, (reach, impact, confidence, effort))
    return None if values is None else _rice_of(values)


def _rice_of(values: Sequence[float]) -> float | None:
    """RICE of accepted inputs (see `rice_score`)."""
    r, i, c, e = values
    return _finite(r * i * c / e)


# implements: REQ-205
def quadrant(value: Any, cost: Any) -> str | None:
    """The value-cost quadrant of value and cost, each a whole number 1-10.

    quick-win: value >= 6 and cost <= 5; strategic: value >= 6, cost > 5; fill-in: value < 6,
    cost <= 5; avoid: value < 6, cost > 5. None when either input is missing or invalid.
    """
    values = _accepted(VALUE_COST_INPUTS, (value, cost))
    if values is None:
        return None
    v, c = values
    cheap = c < QUADRANT_THRESHOLD
    if v >= QUADRANT_THRESHOLD:
        return "quick-win" if cheap else "strategic"
    return "fill-in" if cheap else "avoid"


# implements: REQ-206
def p_level(importance: Any, urgency: Any) -> str | None:
    """P0 important+urgent, P1 important+not urgent, P2 not important+urgent, P3 neither.

    `importance` is high|low and `urgency` urgent|normal|deferred; anything else is None.
    """
    if _accepted(P_LEVEL_INPUTS, (importance, urgency)) is None:
        return None
    if importance == "high":
        return "P0" if urgency == "urgent" else "P1"
    return "P2" if urgency == "urgent" else "P3"


# implements: REQ-207
def rpn(severity: Any, occurrence: Any, detection: Any) -> int | None:
    """FMEA risk priority number = severity × occurrence × detection, each a whole number 1-10
    (so 1-1000); else None."""
    values = _accepted(FMEA_INPUTS, (severity, occurrence, detection))
    if values is None:
        return None
    s, o, d = values
    return s * o * d


# implements: REQ-208
def wsjf(value: Any, time_criticality: Any, risk: Any, size: Any) -> float | None:
    """WSJF = (value + time-criticality + risk) / size: the first three numbers 1-20, size
    above 0 and at most 100 (the ranges of `priority.wsjf` in fields.py); else None. A tiny
    size (1e-320) makes the quotient overflow: None too (`check` reports it, RF102)."""
    values = _accepted(_WSJF_READ, (value, time_criticality, risk, size))
    return None if values is None else _wsjf_of(values)


def _wsjf_of(values: Sequence[float]) -> float | None:
    """WSJF of accepted inputs (see `wsjf`)."""
    *parts, job_size = values
    return _finite(sum(parts) / job_size)


def _tier_weight(customer: Customer | None, tiers: Mapping[str, float]) -> float | None:
    """The tier weight of a registered customer; None when unregistered or without a known
    tier (or the configured weight is not a finite number)."""
    if customer is None or not isinstance(customer.tier, str):
        return None
    return _real(tiers.get(customer.tier))


# implements: REQ-209
def demand(
    customer_keys: Any, customers: Mapping[str, Customer], tiers: Mapping[str, float]
) -> int | float | None:
    """Customer demand: the sum of tier weights over the distinct registered customers listed.

    `customer_keys` is the raw `source.customers` list. A key listed twice counts once; an
    unknown key or a customer without a configured tier adds nothing (so the result may be 0).
    None when the list is absent, empty or not a list of strings. A whole sum is an int.
    """
    if not isinstance(customer_keys, (list, tuple)) or not customer_keys:
        return None
    if not all(isinstance(key, str) for key in customer_keys):
        return None
    total = 0.0
    for key in sorted(set(customer_keys)):  # sorted: the float sum is order-independent
        weight = _tier_weight(customers.get(key), tiers)
        if weight is not None:
            total += weight
    return _tidy(_finite(total))  # huge tier weights can sum to infinity


# implements: REQ-213
def votes_score(
    votes: Any, customers: Mapping[str, Customer], tiers: Mapping[str, float]
) -> float | None:
    """The weighted mean of the numeric stakeholder votes (each 0-10) in `priority.votes`.

    A stakeholder that is a registered customer with a configured tier weighs its tier weight;
    every other stakeholder weighs 1. Votes that are not numbers 0-10 (MoSCoW words: see
    `vote_counts`) are left out. None when there is no valid vote or the weights sum to 0.
    """
    if not isinstance(votes, Mapping):
        return None
    weighted = 0.0
    total_weight = 0.0
    for stakeholder in sorted(k for k in votes if isinstance(k, str)):
        vote = _real(votes[stakeholder], VOTES_INPUT.low, VOTES_INPUT.high)
        if vote is None:
            continue
        weight = _tier_weight(customers.get(stakeholder), tiers)
        weight = 1.0 if weight is None else weight
        weighted += weight * vote
        total_weight += weight
    if not 0 < total_weight < math.inf:  # huge tier weights can sum to infinity
        return None
    return _finite(weighted / total_weight)


# implements: REQ-213
def vote_counts(votes: Any) -> dict[str, int] | None:
    """How many stakeholders voted each MoSCoW value in `priority.votes` (REQ-213), in MoSCoW
    order with zeros; None when no vote is a MoSCoW value. Counts are not tier-weighted."""
    if not isinstance(votes, Mapping):
        return None
    counts = dict.fromkeys(MOSCOW_ORDER, 0)
    for stakeholder, vote in votes.items():
        if isinstance(stakeholder, str) and isinstance(vote, str) and vote in counts:
            counts[vote] += 1
    return counts if any(counts.values()) else None


def vote_majority(counts: Mapping[str, int] | None) -> str | None:
    """The MoSCoW value with strictly more votes than any other; None on a tie or no votes."""
    if not counts:
        return None
    ordered = sorted(counts.items(), key=lambda item: -item[1])
    if ordered[0][1] <= 0 or (len(ordered) > 1 and ordered[1][1] == ordered[0][1]):
        return None
    return ordered[0][0]


# --- all methods of one requirement ------------------------------------------------------------


# implements: REQ-200
# implements: REQ-210
@dataclass(frozen=True)
class Scores:
    """Every computed priority of one requirement; None where a method's inputs are absent.

    `moscow` and `kano` are the validated categories. `scores_of` stores RICE, WSJF and votes
    rounded to 3 decimals, so ranking, filters and every output see the same number; `to_json`
    rounds again for Scores built by hand. `vote_counts` is ((MoSCoW value, count), ...) in
    MoSCoW order.
    """

    moscow: str | None
    kano: str | None
    ice_score: int | None
    ice_level: str | None
    rice: float | None
    quadrant: str | None
    p_level: str | None
    rpn: int | None
    wsjf: float | None
    demand: int | float | None
    votes: float | None
    vote_counts: tuple[tuple[str, int], ...] | None = None
    # The raw inputs behind two scores, shown next to them ("4×4×3=48"); never ranked on.
    ice_inputs: tuple[Any, Any, Any] | None = None
    value_cost: tuple[Any, Any] | None = None

    @property
    def vote_majority(self) -> str | None:
        """The MoSCoW value most stakeholders voted for (a unique plurality), or None."""
        return vote_majority(dict(self.vote_counts) if self.vote_counts else None)

    def to_json(self) -> dict[str, Any]:
        """The score keys of a `prioritize --format json` item (SPEC section 5), plus `votes`
        and `vote_counts`. RICE, WSJF and votes are rounded to 3 decimals; ints stay ints."""
        return {
            "moscow": self.moscow,
            "kano": self.kano,
            "ice": (
                None
                if self.ice_score is None
                else {"score": self.ice_score, "level": self.ice_level}
            ),
            "rice": _round3(self.rice),
            "quadrant": self.quadrant,
            "p_level": self.p_level,
            "rpn": self.rpn,
            "wsjf": _round3(self.wsjf),
            "demand": _tidy(self.demand),
            "votes": _round3(self.votes),
            "vote_counts": dict(self.vote_counts) if self.vote_counts else None,
        }


def _block(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}  # front matter mappings are plain dicts


# implements: REQ-200
def scores_of(
    req: Requirement, customers: Mapping[str, Customer], config: PriorityConfig
) -> Scores:
    """Compute every method of SPEC section 4 from one requirement's front matter.

    Reads `priority.moscow`, `priority.kano`, `priority.ice.*`, `priority.rice.*`,
    `priority.value`/`priority.cost`, `priority.importance`/`priority.urgency`,
    `priority.fmea.*`, `priority.wsjf.*` (time-criticality, or its alias urgency),
    `source.customers` and `priority.votes` (or a top-level custom `votes` field). RICE, WSJF
    and votes are rounded to 3 decimals, demand is an int when whole.
    """
    # Read each nested block once: this runs for every requirement of every listing.
    data = req.data
    priority = _block(data, "priority")
    ice_in = _block(priority, "ice")
    fmea_in = _block(priority, "fmea")
    moscow = priority.get("moscow")
    kano = priority.get("kano")
    ice = ice_score(ice_in.get("impact"), ice_in.get("confidence"), ice_in.get("ease"))
    votes = priority.get("votes")
    if votes is None:
        votes = data.get("votes")
    counts = vote_counts(votes)
    return Scores(
        moscow=moscow if moscow_rank(moscow) is not None else None,
        kano=kano if kano_rank(kano) is not None else None,
        ice_score=ice,
        ice_level=ice_level(ice, config.ice_high, config.ice_medium),
        rice=_round3(rice_score(*_rice_values(priority))),
        quadrant=quadrant(priority.get("value"), priority.get("cost")),
        p_level=p_level(priority.get("importance"), priority.get("urgency")),
        rpn=rpn(fmea_in.get("severity"), fmea_in.get("occurrence"), fmea_in.get("detection")),
        wsjf=_round3(wsjf(*_wsjf_values(priority))),
        demand=demand(_block(data, "source").get("customers"), customers, config.tiers),
        votes=_round3(votes_score(votes, customers, config.tiers)),
        vote_counts=tuple(counts.items()) if counts else None,
        ice_inputs=(ice_in.get("impact"), ice_in.get("confidence"), ice_in.get("ease"))
        if ice is not None
        else None,
        value_cost=(priority.get("value"), priority.get("cost"))
        if priority.get("value") is not None or priority.get("cost") is not None
        else None,
    )


def _rice_values(priority: Mapping[str, Any]) -> tuple[Any, ...]:
    """The raw RICE inputs of a `priority` block, in `rice_score`'s order."""
    rice_in = _block(priority, "rice")
    return tuple(rice_in.get(key) for key in ("reach", "impact", "confidence", "effort"))


def _wsjf_values(priority: Mapping[str, Any]) -> tuple[Any, ...]:
    """The raw WSJF inputs of a `priority` block, in `wsjf`'s order."""
    wsjf_in = _block(priority, "wsjf")
    # The canonical key wins when present; `urgency` is its documented alias.
    criticality = wsjf_in.get("time-criticality")
    if criticality is None:
        criticality = wsjf_in.get("urgency")
    return wsjf_in.get("value"), criticality, wsjf_in.get("risk"), wsjf_in.get("size")


# implements: REQ-204
# implements: REQ-208
def score_overflows(data: Mapping[str, Any]) -> list[tuple[tuple[str, ...], str]]:
    """(key path, message) for each quotient method whose inputs are all valid but whose score
    overflows the float range (RICE with a huge reach, WSJF with `size: 1e-320`): the method
    then has no score, and `check` says why (RF102) instead of ranking it silently last."""
    priority = _block(data, "priority")
    found: list[tuple[tuple[str, ...], str]] = []
    if not _may_overflow(priority):
        return found  # nearly every requirement: its numbers are far from the float range
    # Each method's inputs are validated once (this runs on every file of a cold `check`).
    rice_in = _accepted(RICE_INPUTS, _rice_values(priority))
    if rice_in is not None and _rice_of(rice_in) is None:
        message = Text(
            "priority.rice: reach × impact × confidence / effort overflows; use smaller units"
        )
        found.append((("priority", "rice"), message))
    wsjf_in = _accepted(_WSJF_READ, _wsjf_values(priority))
    if wsjf_in is not None and _wsjf_of(wsjf_in) is None:
        message = Text(
            "priority.wsjf.size: (value + time-criticality + risk) / {size!r} overflows; "
            "use a larger size",
            size=wsjf_in[3],
        )
        found.append((("priority", "wsjf", "size"), message))
    return found


def _may_overflow(priority: Mapping[str, Any]) -> bool:
    """False when neither quotient method can overflow: valid RICE inputs give at most
    reach x 10 x 1 / effort, and valid WSJF inputs at most 60 / size; so a reach up to 1e300
    with an effort from 1e-7, and a size from 1e-300, stay finite (and anything that is not a
    number is no valid input)."""
    rice = _block(priority, "rice")
    reach, effort = rice.get("reach"), rice.get("effort")
    if is_number(reach) and is_number(effort) and not (reach <= 1e300 and effort >= 1e-7):
        return True
    size = _block(priority, "wsjf").get("size")
    return is_number(size) and not size >= 1e-300


# --- the methods -------------------------------------------------------------------------------


# implements: REQ-200
@dataclass(frozen=True)
class Method:
    """One priority method, as every consumer sees it.

    `name` is how `--method` and `[priority] rank` call it (`aliases` are other names for it)
    and `label` how `show` lists its result; `inputs` are what it reads below `priority`
    (fields.py validates them); `columns` are its output columns in CSV, the first also its key
    in JSON and its field in the catalogue; `heading` titles its column in the `prioritize`
    table ("" leaves it out) and `keep` says how long that column survives a narrow terminal
    (9 never goes). `score` reads its result from a `Scores`; `ranking` lists its categories
    best first, or is None when a higher number is better. `stored` marks a method whose result
    is its input itself (the catalogue field `moscow` is `priority.moscow` as written, not a
    computed value).
    """

    name: str
    label: str
    inputs: tuple[Input, ...]
    columns: tuple[str, ...]
    heading: str
    keep: int
    score: Callable[[Scores], Any]
    ranking: tuple[str, ...] | None = None
    aliases: tuple[str, ...] = ()
    stored: bool = False

    @property
    def column(self) -> str:
        """Its key in JSON and its field in the catalogue."""
        return self.columns[0]

    def order_value(self, scores: Scores) -> float | None:
        """The value that sorts better when lower; None when the inputs are absent."""
        value = self.score(scores)
        if value is None:
            return None
        if self.ranking is not None:
            return float(self.ranking.index(value)) if value in self.ranking else None
        # Rounded as displayed, so two items that print the same score tie and fall to the ID.
        return -round(value, 3)


# One entry per method of SPEC section 4, in the order of `reqforge prioritize`'s columns. A new
# method is one entry here, its function and its `Scores` field.
METHODS: tuple[Method, ...] = (
    Method(
        "p-level",
        N_("P-level"),
        P_LEVEL_INPUTS,
        ("p_level",),
        "P",
        8,
        attrgetter("p_level"),
        P_LEVELS,
    ),
    Method(
        "moscow",
        "MoSCoW",
        (MOSCOW_INPUT,),
        ("moscow",),
        "MoSCoW",
        7,
        attrgetter("moscow"),
        MOSCOW_ORDER,
        stored=True,
    ),
    Method(
        "kano",
        "Kano",
        (KANO_INPUT,),
        ("kano",),
        "Kano",
        3,
        attrgetter("kano"),
        KANO_ORDER,
        stored=True,
    ),
    Method(
        "ice", "ICE", ICE_INPUTS, ("ice", "ice_level"), "ICE (I×C×E)", 6, attrgetter("ice_score")
    ),
    Method("rice", "RICE", RICE_INPUTS, ("rice",), "RICE", 4, attrgetter("rice")),
    Method(
        "value-cost",
        N_("value-cost"),
        VALUE_COST_INPUTS,
        ("quadrant",),
        N_("Value/cost"),
        5,
        attrgetter("quadrant"),
        QUADRANTS,
    ),
    # REQ-207 calls the RPN ranking `--method fmea`.
    Method(
        "rpn", "FMEA RPN", FMEA_INPUTS, ("rpn",), "RPN", 2, attrgetter("rpn"), aliases=("fmea",)
    ),
    Method("wsjf", "WSJF", WSJF_INPUTS, ("wsjf",), "WSJF", 2, attrgetter("wsjf")),
    # Demand reads `source.customers` (a field of its own) and the configured tier weights.
    Method("demand", N_("demand"), (), ("demand",), N_("Demand"), 3, attrgetter("demand")),
    Method("votes", N_("votes"), (VOTES_INPUT,), ("votes",), N_("Votes"), 1, attrgetter("votes")),
)
METHOD_BY_NAME: Mapping[str, Method] = MappingProxyType(
    {name: m for m in METHODS for name in (m.name, *m.aliases)}
)


def method_names() -> tuple[str, ...]:
    """The canonical method names, in table order (what `[priority] rank` accepts)."""
    return tuple(m.name for m in METHODS)


def method_choices() -> tuple[str, ...]:
    """Every name `--method` accepts for one method: the canonical names, then the aliases."""
    return (*method_names(), *(alias for m in METHODS for alias in m.aliases))


# --- ranking ----------------------------------------------------------------------------------


def resolve_method(method: str) -> str:
    """The canonical method name (`fmea` -> `rpn`); ValueError naming the choices otherwise."""
    found = METHOD_BY_NAME.get(method)
    if found is None:
        choices = ", ".join(method_choices())
        raise ValueError(f"unknown priority method {method!r}; expected one of: {choices}")
    return found.name


# implements: REQ-201
# implements: REQ-202
# implements: REQ-207
def sort_key(scores: Scores, method: str) -> tuple[int, float]:
    """A key that sorts better first for one method: (0, value) when the requirement has the
    method's inputs, (1, 0.0) when not, so those sort after every requirement that has them.

    Better is P0 first, must first, basic first, the highest ICE/RICE/RPN/WSJF/demand/votes
    first, and quadrants in the order quick-win, strategic, fill-in, avoid.
    """
    value = METHOD_BY_NAME[resolve_method(method)].order_value(scores)
    return (1, 0.0) if value is None else (0, value)


# implements: REQ-210
def rank(
    items: Sequence[tuple[Requirement, Scores]], methods: Sequence[str]
) -> list[tuple[int, Requirement, Scores]]:
    """Order requirements by each of `methods` in turn, then by ID (then path, for duplicated
    IDs), and number them 1..n with no shared ranks. The combined ranking passes
    `config.priority.rank` as `methods`. ValueError for an unknown method."""
    resolved = [resolve_method(m) for m in methods]

    def key(item: tuple[Requirement, Scores]) -> tuple[Any, ...]:
        req, scores = item
        return (*(sort_key(scores, m) for m in resolved), req.id, req.path)

    ordered = sorted(items, key=key)
    return [(number, req, scores) for number, (req, scores) in enumerate(ordered, 1)]


# --- disagreements ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DisagreementRule:
    """One contradiction between priority methods: a `name`, a `condition` over the scores
    (false whenever an input it needs is absent) and a `message` template formatted with the
    scores as `s`, naming both contradicting values."""

    name: str
    condition: Callable[[Scores], bool]
    message: str

    def explain(self, scores: Scores) -> Text:
        return Text(self.message, s=scores)


# implements: REQ-211
DISAGREEMENT_RULES: tuple[DisagreementRule, ...] = (
    DisagreementRule(
        "must-but-ice-low",
        lambda s: s.moscow == "must" and s.ice_level == "low",
        N_("MoSCoW must but ICE level low (score {s.ice_score})"),
    ),
    DisagreementRule(
        "must-but-avoid",
        lambda s: s.moscow == "must" and s.quadrant == "avoid",
        N_("MoSCoW must but value-cost quadrant avoid"),
    ),
    DisagreementRule(
        "must-but-p3",
        lambda s: s.moscow == "must" and s.p_level == "P3",
        N_("MoSCoW must but P-level P3 (neither important nor urgent)"),
    ),
    DisagreementRule(
        "wont-but-p0",
        lambda s: s.moscow == "wont" and s.p_level == "P0",
        N_("MoSCoW wont but P-level P0 (important and urgent)"),
    ),
    DisagreementRule(
        "wont-but-ice-high",
        lambda s: s.moscow == "wont" and s.ice_level == "high",
        N_("MoSCoW wont but ICE level high (score {s.ice_score})"),
    ),
    DisagreementRule(
        "wont-but-quick-win",
        lambda s: s.moscow == "wont" and s.quadrant == "quick-win",
        N_("MoSCoW wont but value-cost quadrant quick-win"),
    ),
    DisagreementRule(
        "p0-but-ice-low",
        lambda s: s.p_level == "P0" and s.ice_level == "low",
        N_("P-level P0 but ICE level low (score {s.ice_score})"),
    ),
    DisagreementRule(
        "basic-but-could-or-wont",
        lambda s: s.kano == "basic" and s.moscow in ("could", "wont"),
        N_("Kano basic but MoSCoW {s.moscow}"),
    ),
    DisagreementRule(
        "reverse-but-must-or-should",
        lambda s: s.kano == "reverse" and s.moscow in ("must", "should"),
        N_("Kano reverse (customers dislike it) but MoSCoW {s.moscow}"),
    ),
    # implements: REQ-213
    DisagreementRule(
        "votes-differ-from-moscow",
        lambda s: (
            s.moscow is not None and s.vote_majority is not None and s.vote_majority != s.moscow
        ),
        N_("stakeholder votes favour {s.vote_majority} but MoSCoW is {s.moscow}"),
    ),
)


# implements: REQ-211
def disagreements(scores: Scores) -> list[str]:
    """The message of every rule of `DISAGREEMENT_RULES` that holds, in table order; empty
    when the methods agree or the inputs a rule compares are absent."""
    return [rule.explain(scores) for rule in DISAGREEMENT_RULES if rule.condition(scores)]


# --- inherited urgency ------------------------------------------------------------------------


# implements: REQ-212
def blocking(
    requirements: Sequence[Requirement],
    scores_by_id: Mapping[str, Scores],
    levels: Collection[str] = ("P0",),
) -> dict[str, list[str]]:
    """Inherited urgency: requirement ID -> the sorted IDs of the P0 requirements that depend on
    it through `links.depends-on`, directly or transitively, whatever its own level.

    A P0 that depends on another P0 is listed too; a requirement never blocks itself (even
    through a cycle). IDs that name no requirement are skipped, and a duplicated ID uses its
    first requirement. `levels` widens the roots (e.g. ("P0", "P2") for every urgent item).
    One iterative traversal per root, each visiting a requirement at most once, so cycles
    (RF202) terminate and nothing recurses. Keys are sorted.
    """
    depends_on: dict[str, tuple[str, ...]] = {}
    for req in requirements:
        if req.id and req.id not in depends_on:
            depends_on[req.id] = req.links.get("depends-on", ())
    roots = sorted(
        rid
        for rid in depends_on
        if (scores := scores_by_id.get(rid)) is not None and scores.p_level in levels
    )
    blocked: dict[str, list[str]] = {}
    for root in roots:  # in ID order, so every list is built sorted
        seen = {root}
        stack = list(depends_on[root])
        while stack:
            node = stack.pop()
            if node in seen or node not in depends_on:
                continue
            seen.add(node)
            blocked.setdefault(node, []).append(root)
            stack.extend(depends_on[node])
    return {rid: blocked[rid] for rid in sorted(blocked)}
