"""The registries are complete and the only wiring: check families, finding codes and their
severities, report formats, priority methods, configuration defaults.

Each test fails when a registry misses an entry a consumer needs, or when a consumer grows a
second, hand-written copy of what the registry declares.
"""

from __future__ import annotations

import ast
import csv
import dataclasses
import datetime as dt
import inspect
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from tests.conftest import requirement_text as req
from tests.gitrepo import GitRepo

import reqforge
import reqforge.checks.families as families_module
from reqforge import config as config_module
from reqforge.catalog import Catalog
from reqforge.checks.context import Issue
from reqforge.checks.families import (
    CROSS_FILE,
    EXTERNAL,
    FAMILIES,
    LOAD_CODES,
    PER_FILE,
    STAGES,
    Family,
)
from reqforge.checks.registry import RULES
from reqforge.checks.run import CheckOptions, run_check
from reqforge.cli.check import check as check_command
from reqforge.cli.main import cli
from reqforge.cli.prioritize import prioritize as prioritize_command
from reqforge.config import Config, duration_hours, load_config
from reqforge.corpus import load_corpus
from reqforge.fields import Spec, field_schema, validate_fields
from reqforge.model import Finding, Requirement
from reqforge.priorities import METHODS, Input, ice_level, method_choices, scores_of
from reqforge.render.findings import FORMATS

PACKAGE = Path(reqforge.__file__).parent
TODAY = dt.date(2026, 11, 25)


def package_trees() -> Iterator[tuple[str, ast.Module]]:
    """(path relative to the package, parsed module) for every module of reqforge."""
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(PACKAGE).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def option_choices(command: click.Command, name: str) -> list[str]:
    param = next(p for p in command.params if p.name == name)
    assert isinstance(param.type, click.Choice)
    return list(param.type.choices)


# --- finding codes and severities ----------------------------------------------------------------


def test_every_finding_is_graded_by_the_code_registry() -> None:
    # verifies: REQ-100
    # A Finding built from values anywhere but the registry would carry a hand-written
    # severity; rebuilding a stored one (`Finding(*row)`) is the only other way allowed.
    built_by_hand = []
    for rel, tree in package_trees():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            if name != "Finding":
                continue
            rebuilt = len(node.args) == 1 and isinstance(node.args[0], ast.Starred)
            if not rebuilt and rel != "checks/registry.py":
                built_by_hand.append(f"{rel}:{node.lineno}")
    assert built_by_hand == []


# --- check families ----------------------------------------------------------------------------


def test_every_code_a_family_reports_is_registered() -> None:
    # verifies: REQ-100
    names = [family.name for family in FAMILIES]
    assert len(names) == len(set(names))
    for family in FAMILIES:
        assert family.stage in STAGES, family
        assert family.codes and set(family.codes) <= set(RULES), family
    assert set(LOAD_CODES) <= set(RULES)


def test_every_registered_code_has_a_reporter() -> None:
    # verifies: REQ-100
    reported = {code for family in FAMILIES for code in family.codes} | set(LOAD_CODES)
    assert reported == set(RULES)


def _all_families_repo(tmp_path: Path) -> Path:
    """A committed repository, edited since, where every family reports at least once."""
    repo = GitRepo(tmp_path / "repo", tmp_path)
    repo.write("reqs/CRM-1.md", req("CRM-1", title="Archive signed contracts for auditors"))
    repo.write("reqforge.toml", '[trace]\nscan = ["src"]\n')
    repo.write("src/export.py", "# implements: CRM-404\n")
    repo.commit("start")
    done = req("CRM-1", title="Archive signed contracts for auditors").replace(
        "status: proposed", "status: done"
    )
    files = {
        "reqs/CRM-1.md": done,  # proposed -> done since HEAD: RF301 (baseline)
        "reqs/CRM-2.md": req("CRM-2", title="Print invoices").replace("type: functional\n", ""),
        "reqs/CRM-3.md": req("CRM-3", title="Send reminders before the due date").replace(
            "status: proposed", "status: in-progress"
        ),  # RF402 (workflow), its acceptance list removed below
        "reqs/CRM-4.md": req("CRM-4", title="The export shall be fast and user-friendly."),
        "reqs/CRM-5.md": req("CRM-5", title="Merge customer records", links="{parent: [CRM-9]}"),
        "reqs/CRM-6.md": req("CRM-6", title="Export ledger data as CSV", body="same text"),
        "reqs/CRM-7.md": req("CRM-7", title="Export ledger data as CSV", body="same text"),
        "reqs/CRM-8.md": req("CRM-8", title="Rotate audit logs monthly", due="2020-01-31"),
        "reqs/CRM-10.md": req("CRM-10", title="Rename sales regions", reviewed="nosuchcommit"),
        "reqs/CRM-11.md": req("CRM-11", title="Close stale \u202eleads"),  # RF108 (characters)
    }
    for rel, text in files.items():
        repo.write(rel, text)
    crm3 = repo.root / "reqs/CRM-3.md"
    text = crm3.read_text(encoding="utf-8")
    start = text.index("acceptance:")
    crm3.write_text(text[:start] + text[text.index("---\n## Scenario") :], encoding="utf-8")
    return repo.root


def _findings(root: Path, base: str | None = "HEAD") -> set[Finding]:
    corpus = load_corpus(load_config(root), use_cache=False)
    options = CheckOptions(today=TODAY, use_cache=False, base=base)
    return set(run_check(corpus, options).findings)


@pytest.fixture(scope="module")
def every_family_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, set[Finding]]:
    root = _all_families_repo(tmp_path_factory.mktemp("families"))
    return root, _findings(root)


@pytest.mark.parametrize("name", [family.name for family in FAMILIES])
def test_a_family_reports_only_through_the_registry(
    name: str, every_family_repo: tuple[Path, set[Finding]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # verifies: REQ-100
    # Taking a family out of the registry takes out its findings, and only codes it declares:
    # a check wired by hand besides its entry would keep reporting.
    root, everything = every_family_repo
    family = next(f for f in FAMILIES if f.name == name)
    others = tuple(f for f in FAMILIES if f.name != name)
    monkeypatch.setattr(families_module, "FAMILIES", others)
    without = _findings(root)
    assert without < everything
    assert {f.code for f in everything - without} <= set(family.codes)


def test_every_finding_has_its_registered_severity(
    every_family_repo: tuple[Path, set[Finding]],
) -> None:
    # verifies: REQ-100
    _, everything = every_family_repo
    reported = {f.code for f in everything}
    for family in FAMILIES:  # the fixture makes every family report
        assert reported & set(family.codes), family.name
    for finding in everything:
        assert finding.severity == RULES[finding.code].severity, finding


def _probe_issue(req: Requirement, ctx: Any) -> list[Issue]:
    return [Issue("RF401", ("title",), f"probe on {req.id}", True)] if req.id == "CRM-1" else []


@pytest.mark.parametrize(
    "family",
    [
        Family("probe", PER_FILE, ("RF401",), _probe_issue),
        Family(
            "probe",
            CROSS_FILE,
            ("RF401",),
            lambda corpus: [
                corpus.locate(r, i) for r in corpus.repository for i in _probe_issue(r, None)
            ],
        ),
        Family(
            "probe",
            EXTERNAL,
            ("RF401",),
            lambda run: [
                run.corpus.locate(r, i) for r in run.corpus.repository for i in _probe_issue(r, 0)
            ],
        ),
    ],
    ids=lambda family: family.stage,
)
def test_a_new_check_is_one_registry_entry(
    family: Family, make_repo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # verifies: REQ-100
    root = make_repo({"reqs/CRM-1.md": req("CRM-1"), "reqs/CRM-2.md": req("CRM-2")})
    monkeypatch.setattr(families_module, "FAMILIES", (*FAMILIES, family))
    found = [f for f in _findings(root, base=None) if f.message.endswith("probe on CRM-1")]
    assert [(f.code, f.severity, f.path, f.id) for f in found] == [
        ("RF401", "warning", "reqs/CRM-1.md", "CRM-1")
    ]


# --- report formats ----------------------------------------------------------------------------


def test_check_offers_exactly_the_report_formats() -> None:
    # verifies: REQ-105
    assert option_choices(check_command, "fmt") == list(FORMATS)


def test_the_report_formats_are_listed_once() -> None:
    # verifies: REQ-105
    # Any literal naming three or more of the formats is a second list of them.
    lists = []
    for rel, tree in package_trees():
        for node in ast.walk(tree):
            if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
                names = {e.value for e in node.elts if isinstance(e, ast.Constant)}
                if len(names & set(FORMATS)) >= 3:
                    lists.append(rel)
    assert len(lists) == 1, lists


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_report_format_works_end_to_end(fmt: str, make_repo: Any) -> None:
    # verifies: REQ-105
    broken = req("CRM-2").replace("type: functional\n", "")
    root = make_repo({"reqs/CRM-1.md": req("CRM-1"), "reqs/CRM-2.md": broken})
    result = CliRunner().invoke(
        cli, ["--repo", str(root), "check", "--format", fmt, "--today", "2026-11-25"]
    )
    assert result.exit_code == 1, result.output
    assert "RF101" in result.stdout and "reqs/CRM-2.md" in result.stdout


# --- priority methods --------------------------------------------------------------------------


def test_method_choices_are_the_descriptors() -> None:
    # verifies: REQ-210
    expected = [m.name for m in METHODS] + [a for m in METHODS for a in m.aliases]
    assert list(method_choices()) == expected
    assert option_choices(prioritize_command, "method") == ["combined", *expected]
    assert len(set(expected)) == len(expected)


def _spec_at(schema: Spec, key: tuple[str, ...]) -> Spec | None:
    spec: Spec | None = schema.children.get("priority")
    for part in key:
        spec = spec.children.get(part) if spec is not None else None
    return spec


def _inside_and_outside(item: Input) -> tuple[list[Any], list[Any]]:
    """Values the input accepts and values just outside what it accepts."""
    if item.kind == "enum":
        return list(item.values or ()), ["nonsense", 3]
    if item.kind == "votes":
        assert item.low is not None and item.high is not None
        return [{"acme": item.low}, {"acme": item.high}, {"acme": "must"}], [
            {"acme": item.high + 1},
            {"acme": item.low - 1},
        ]
    inside: list[Any] = []
    outside: list[Any] = ["3"]
    for bound in (item.low, item.high):
        if bound is not None:
            inside.append(int(bound) if item.kind == "int" else bound)
    if item.low is not None:
        outside.append(item.low - 1)
    if item.high is not None:
        outside.append(item.high + 1)
    if item.above is not None:
        inside.append(item.above + 0.5)
        outside.append(item.above)
    if item.kind == "int" and inside:
        outside.append(inside[0] + 0.5)
    return inside, outside


def _priority_block(key: tuple[str, ...], value: Any) -> dict[str, Any]:
    block: Any = value
    for part in reversed(key):
        block = {part: block}
    return block


@pytest.mark.parametrize(
    "method,item",
    [(m, i) for m in METHODS for i in m.inputs],
    ids=lambda x: x.name if hasattr(x, "name") else ".".join(x.key),
)
def test_every_method_input_is_validated_by_fields(method: Any, item: Input) -> None:
    # verifies: REQ-102
    # verifies: REQ-200
    schema = field_schema(Config(root=Path(".")))
    assert _spec_at(schema, item.key) is not None
    inside, outside = _inside_and_outside(item)
    base = {"id": "CRM-1", "title": "t", "type": "functional", "status": "proposed"}
    for value in inside:
        data = {**base, "priority": _priority_block(item.key, value)}
        assert validate_fields(data, schema, ()) == [], (item.key, value)
        if item.kind != "votes":
            assert item.accept(value) is not None
    for value in outside:
        data = {**base, "priority": _priority_block(item.key, value)}
        assert [p[0] for p in validate_fields(data, schema, ())] == ["RF102"], (item.key, value)
        if item.kind != "votes":
            assert item.accept(value) is None


def test_the_priority_block_holds_only_method_inputs() -> None:
    # verifies: REQ-200
    declared = {i.key for m in METHODS for i in m.inputs}

    def leaves(spec: Spec, prefix: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
        for key, child in spec.children.items():
            if child.kind == "mapping":
                yield from leaves(child, (*prefix, key))
            else:
                yield (*prefix, key)

    schema = field_schema(Config(root=Path(".")))
    assert set(leaves(schema.children["priority"], ())) == declared


PRIORITISED = """\
priority:
  moscow: should
  kano: basic
  importance: high
  urgency: normal
  value: 7
  cost: 3
  ice: {impact: 4, confidence: 4, ease: 3}
  rice: {reach: 100, impact: 2, confidence: 0.5, effort: 2}
  fmea: {severity: 5, occurrence: 4, detection: 3}
  wsjf: {value: 8, time-criticality: 5, risk: 3, size: 4}
  votes: {acme: 8, zhang: 6}
source: {channel: interview, customers: [acme]}
"""


@pytest.fixture
def prioritised_repo(make_repo: Any) -> Path:
    text = req("CRM-1").replace(
        "priority:\n  moscow: must\n  importance: low\n  urgency: normal\n", PRIORITISED
    )
    customers = "acme: {name: Acme Corp, tier: A}\n"
    return make_repo({"reqs/CRM-1.md": text, "reqs/customers.yaml": customers})


def test_every_method_is_a_catalogue_field(prioritised_repo: Path) -> None:
    # verifies: REQ-706
    # verifies: REQ-200
    config = load_config(prioritised_repo)
    corpus = load_corpus(config, use_cache=False)
    catalog = Catalog(corpus.repository, config)
    entry = catalog.by_id["CRM-1"]
    scores = scores_of(entry.req, corpus.repository.customers, config.priority)
    for method in METHODS:
        assert catalog.is_field(method.column), method.name
        assert method.score(scores) is not None, method.name  # the fixture sets every input
        if method.stored:
            assert entry.value(method.column) == entry.req.get("priority." + method.column)
        else:
            assert entry.value(method.column) == method.score(scores), method.name


def test_prioritize_outputs_one_column_per_method(prioritised_repo: Path) -> None:
    # verifies: REQ-210
    def run(*args: str) -> str:
        result = CliRunner().invoke(
            cli, ["--repo", str(prioritised_repo), "prioritize", *args], env={"COLUMNS": "300"}
        )
        assert result.exit_code == 0, result.output
        return result.stdout

    header = next(csv.reader(io.StringIO(run("--format", "csv"))))
    columns = [c for m in METHODS for c in m.columns]
    assert header == ["rank", "id", "title", "status", *columns, "blocking", "disagreements"]
    item = json.loads(run("--format", "json"))["items"][0]
    assert {m.column for m in METHODS} <= set(item)
    table = run("--format", "table")
    for method in METHODS:
        if method.heading:
            assert method.heading in table, method.name
    for name in method_choices():
        assert json.loads(run("--format", "json", "--method", name))["items"][0]["id"] == "CRM-1"


def test_show_lists_every_method(prioritised_repo: Path) -> None:
    # verifies: REQ-706
    result = CliRunner().invoke(cli, ["--repo", str(prioritised_repo), "show", "CRM-1"])
    assert result.exit_code == 0, result.output
    section = result.stdout.split("Priorities\n", 1)[1].split("\n\n", 1)[0].splitlines()
    labels = [line[2:12].rstrip() for line in section if not line.startswith("  blocking")]
    assert labels[: len(METHODS)] == [m.label for m in METHODS]
    assert "48 (medium)" in section[[m.name for m in METHODS].index("ice")]


def test_rank_setting_accepts_exactly_the_method_names(tmp_path: Path) -> None:
    # verifies: REQ-210
    # verifies: REQ-003
    names = [m.name for m in METHODS]
    (tmp_path / "reqforge.toml").write_text(f"[priority]\nrank = {json.dumps(names)}\n")
    assert load_config(tmp_path).priority.rank == tuple(names)
    (tmp_path / "reqforge.toml").write_text('[priority]\nrank = ["fmea"]\n')
    with pytest.raises(reqforge.errors.ConfigError, match=r"priority\.rank"):
        load_config(tmp_path)


# --- configuration defaults --------------------------------------------------------------------


DECLARED = {
    "DEFAULT_SLA": config_module.DEFAULT_SLA,
    "DEFAULT_ICE_LEVELS": config_module.DEFAULT_ICE_LEVELS,
    "DEFAULT_TIERS": config_module.DEFAULT_TIERS,
    "DEFAULT_RANK": config_module.DEFAULT_RANK,
}


def _literal(node: ast.AST) -> Any:
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None


def test_config_defaults_are_written_once() -> None:
    # verifies: REQ-003
    # A literal with a declared default's keys (the SLA in hours, say), its values (the ICE
    # thresholds as `60, 30`) or the whole value is a second copy that can drift.
    copies: dict[str, list[str]] = {name: [] for name in DECLARED}
    for rel, tree in package_trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.arguments):
                values = tuple(_literal(d) for d in node.defaults)
            elif isinstance(node, (ast.Dict, ast.Tuple)):
                values = _literal(node)
            else:
                continue
            if values is None:
                continue
            for name, default in DECLARED.items():
                if isinstance(default, dict):
                    same = (isinstance(values, dict) and set(values) == set(default)) or (
                        isinstance(values, tuple)
                        and len(values) == len(default) > 1
                        and values == tuple(default.values())
                    )
                else:
                    same = values == default
                if same:
                    copies[name].append(f"{rel}:{node.lineno}" if hasattr(node, "lineno") else rel)
    assert copies == {name: [f"config.py:{_line_of(name)}"] for name in DECLARED}


def _line_of(name: str) -> int:
    source = inspect.getsource(config_module).splitlines()
    return next(n for n, line in enumerate(source, 1) if line.startswith(f"{name} = "))


def test_defaults_are_the_declared_ones(tmp_path: Path) -> None:
    # verifies: REQ-003
    # verifies: REQ-203
    config = load_config(tmp_path)
    assert config == Config(root=tmp_path)
    declared_sla = {k: duration_hours(v) for k, v in config_module.DEFAULT_SLA.items()}
    assert dict(config.workflow.sla_hours) == declared_sla
    levels = config_module.DEFAULT_ICE_LEVELS
    assert (config.priority.ice_high, config.priority.ice_medium) == (
        levels["high"],
        levels["medium"],
    )
    assert dict(config.priority.tiers) == config_module.DEFAULT_TIERS
    assert config.priority.rank == config_module.DEFAULT_RANK
    defaults = inspect.signature(ice_level).parameters
    assert (defaults["high"].default, defaults["medium"].default) == (
        levels["high"],
        levels["medium"],
    )
    # A [priority] table that sets one key leaves the others at the declared defaults.
    (tmp_path / "reqforge.toml").write_text("[priority.ice_levels]\nhigh = 90\n[workflow]\n")
    partial = load_config(tmp_path)
    assert (partial.priority.ice_high, partial.priority.ice_medium) == (90, levels["medium"])
    assert dict(partial.priority.tiers) == config_module.DEFAULT_TIERS
    assert dict(partial.workflow.sla_hours) == declared_sla


EVERY_KEY = """\
[trace]
scan = ["src"]
marker = "covers:\\\\s*({id})"
results = ["reports/junit.xml"]
require = {functional = ["implemented"]}
tests = ["spec/**"]
orphans_exempt = ["src/vendor/**"]
require_statuses = ["accepted"]

[site]
title = "Backlog"
base_url = "/backlog/"
repo_url = "https://forge.example/acme/reqs"
private_fields = ["source.proposer"]

[lint]
ears = true
similarity = 0.5
duplicates = false
words = {vague = ["snappy"]}
extra_words = ["sleek"]
custom = {jargon = ["synergy"]}
"""


@pytest.mark.parametrize(
    "section,cls",
    [
        ("trace", config_module.TraceConfig),
        ("site", config_module.SiteConfig),
        ("lint", config_module.LintConfig),
    ],
)
def test_every_key_of_a_section_is_its_dataclass_field(
    section: str, cls: type, tmp_path: Path
) -> None:
    # verifies: REQ-003
    # The keys of these tables are the fields of their dataclass, declared there once: each one
    # is read (every value above differs from the default) and no other is accepted.
    (tmp_path / "reqforge.toml").write_text(EVERY_KEY, encoding="utf-8")
    loaded = getattr(load_config(tmp_path), section)
    default = cls()
    names = [f.name for f in dataclasses.fields(cls)]
    for name in names:
        assert getattr(loaded, name) != getattr(default, name), name
    (tmp_path / "reqforge.toml").write_text(f"[{section}]\nnope = 1\n", encoding="utf-8")
    with pytest.raises(reqforge.errors.ConfigError) as raised:
        load_config(tmp_path)
    assert f"expected one of: {', '.join(names)}" in str(raised.value)
