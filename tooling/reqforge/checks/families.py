"""The registry of check families: every check `reqforge check` runs, the stage it runs in and
the codes it may report. The corpus runs the per-file families; `checks/run.py` runs the others.
A new check is one entry here plus its function in its family's module.

A family's stage says what its result depends on, and so how it is run and cached:

- `per-file`: one requirement and the configuration. Runs in the corpus' parallel file stage and
  is cached with the parse. Signature: `(Requirement, CheckContext) -> Iterable[Issue]`.
- `cross-file`: every requirement and the configuration, nothing else. Reused from the last run
  while no file and no setting changed. Signature: `(Corpus) -> Iterable[Finding]`.
- `external`: something outside the requirement files as well (the date, the source tree, test
  results). Runs on every check when `applies`. Signature: `(CheckRun) -> Iterable[Finding]`.
- `history`: git history or a base revision. Runs when `applies`, with caches of its own.
  Signature: `(CheckRun) -> Iterable[Finding]`.

The loader reports `LOAD_CODES` itself (and the customers file's RF101/RF102): they come before
any family can run, from files that could not be parsed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reqforge.cache import fixed, list_of, maybe
from reqforge.checks import (
    baseline,
    characters,
    fields,
    links,
    quality,
    suspect,
    trace,
    workflow,
)
from reqforge.checks.wording import WORDING_CODES
from reqforge.model import Finding

if TYPE_CHECKING:
    from reqforge.corpus import Corpus

PER_FILE = "per-file"
CROSS_FILE = "cross-file"
EXTERNAL = "external"
HISTORY = "history"
STAGES = (PER_FILE, CROSS_FILE, EXTERNAL, HISTORY)

# Unreadable files, missing front matter, YAML errors, refused files: reported while loading.
LOAD_CODES = ("RF001", "RF002", "RF003", "RF004")


@dataclass(frozen=True)
class CheckRun:
    """One `check` over a loaded corpus: what the external and history families may read."""

    corpus: Corpus
    today: dt.date
    use_cache: bool = True
    base: str | None = None  # the revision RF301 and RF303 compare against
    history: bool = True  # whether git history may be read (RF406)


# A family's finding as a cache stores it: (code, severity, path, line, column, message, id).
FINDINGS_SHAPE = list_of(fixed(str, str, str, int, int, str, maybe(str)))


def finding_rows(findings: Iterable[Finding]) -> list[tuple[Any, ...]]:
    """Findings as rows a cache can store (and `Finding(*row)` rebuild)."""
    return [(f.code, f.severity, f.path, f.line, f.column, f.message, f.id) for f in findings]


def _always(run: CheckRun) -> bool:
    return True


@dataclass(frozen=True)
class Family:
    """One family of checks: `name`, `stage` (see the module docstring), the `codes` its check
    may report (each in the code registry) and the `check` function of that stage's signature.
    `applies` says whether an external or history family runs at all in this run (without
    importing what the check needs). `bodies` is False for a cross-file family that reads
    front matter only: its cached findings outlive an edited body."""

    name: str
    stage: str
    codes: tuple[str, ...]
    check: Callable[..., Iterable[Any]]
    applies: Callable[[CheckRun], bool] = _always
    bodies: bool = True


def _trace_configured(run: CheckRun) -> bool:
    trace_config = run.corpus.config.trace
    return bool(trace_config.scan or trace_config.results or trace_config.require)


# implements: REQ-100
# In the order their findings used to be gathered; the report sorts them anyway.
FAMILIES: tuple[Family, ...] = (
    Family("fields", PER_FILE, ("RF101", "RF102", "RF103", "RF104", "RF105"), fields.field_issues),
    Family("workflow", PER_FILE, ("RF302", "RF402", "RF404"), workflow.workflow_issues),
    Family("wording", PER_FILE, (*WORDING_CODES, "RF407"), quality.wording_issues),
    Family("characters", PER_FILE, ("RF108",), characters.hidden_character_issues),
    Family(
        "links",
        CROSS_FILE,
        ("RF106", "RF107", "RF201", "RF202", "RF203", "RF204"),
        links.link_findings,
        bodies=False,
    ),
    Family("duplicates", CROSS_FILE, ("RF403",), quality.duplicate_findings),
    Family(
        "baseline",
        HISTORY,
        ("RF301", "RF303"),
        baseline.baseline_findings,
        lambda run: run.base is not None,
    ),
    Family(
        "suspect", HISTORY, ("RF406", "RF102"), suspect.suspect_findings, lambda run: run.history
    ),
    Family("trace", EXTERNAL, ("RF205", "RF408", "RF409"), trace.trace_findings, _trace_configured),
    Family("overdue", EXTERNAL, ("RF405",), workflow.overdue_findings),
)


def families(stage: str) -> tuple[Family, ...]:
    """The families of one stage, in registry order."""
    return tuple(family for family in FAMILIES if family.stage == stage)
