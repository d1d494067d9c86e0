"""`reqforge.toml` -> a frozen, validated `Config` with the defaults of SPEC section 3.

Every problem is a `ConfigError` naming the file, the line (where it can be found), the key and
what was expected; the CLI maps it to exit code 2.
"""

# implements: REQ-003

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from pathlib import Path
from types import MappingProxyType
from typing import Any

from reqforge.errors import ConfigError, RepositoryNotFound
from reqforge.i18n import Text, environment_language
from reqforge.safe_read import Refused, read_inside, read_regular

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

CONFIG_NAME = "reqforge.toml"
MAX_CONFIG_BYTES = 1024 * 1024  # a configuration is a few KiB; /dev/zero is not one

# implements: REQ-002
DEFAULT_ID_PATTERN = r"^[A-Z][A-Z0-9]{1,9}-[0-9]{1,6}$"
DEFAULT_TYPES = (
    "functional", "performance", "experience", "business",
    "emotional", "latent", "constraint", "interface",
)  # fmt: skip
DEFAULT_CHANNELS = (
    "interview", "survey", "focus-group", "support-ticket", "sales",
    "market-research", "analytics", "social", "internal",
)  # fmt: skip
# implements: REQ-006
# The intake screens every proposed need: accepted, or answered as rejected, out of scope,
# deferred or a duplicate (each with its reason or its original).
DEFAULT_STATUSES = (
    "proposed", "accepted", "in-progress", "testing", "awaiting-acceptance",
    "done", "rejected", "deferred", "duplicate", "out-of-scope",
)  # fmt: skip
DEFAULT_TERMINAL = ("done", "rejected", "duplicate", "out-of-scope")
# "Accepted or later": the statuses in which a requirement is committed to (RF402).
DEFAULT_COMMITTED = ("accepted", "in-progress", "testing", "awaiting-acceptance", "done")
DEFAULT_TRANSITIONS = {
    "proposed": ("accepted", "rejected", "deferred", "duplicate", "out-of-scope"),
    "accepted": ("in-progress", "deferred", "rejected"),
    "in-progress": ("testing", "accepted", "deferred"),
    "testing": ("awaiting-acceptance", "in-progress"),
    "awaiting-acceptance": ("done", "in-progress"),
    "deferred": ("proposed", "accepted", "rejected", "out-of-scope"),
}
DEFAULT_REQUIRES = {
    "rejected": ("reason",),
    "out-of-scope": ("reason",),
    "deferred": ("reason",),
    "duplicate": ("links.duplicates",),
    "accepted": ("acceptance", "owner"),
}
# [workflow.sla]: how long a requirement of each urgency may stay proposed, as TOML writes it.
DEFAULT_SLA = {"urgent": "24h", "normal": "72h"}
DEFAULT_ASSIGN = {"functional": "product", "experience": "support", "business": "sales"}
# [priority]: the combined ranking, the ICE level thresholds and the customer tier weights.
DEFAULT_RANK = ("p-level", "ice", "rice")
DEFAULT_ICE_LEVELS = {"high": 60, "medium": 30}
DEFAULT_TIERS = {"A": 3.0, "B": 2.0, "C": 1.0}
DEFAULT_MARKER = r"(?:req|requirement|implements|verifies)[:=]\s*({id})"
FIELD_TYPES = ("string", "int", "float", "bool", "date", "enum", "list", "id-list")
LANGUAGES = ("en", "zh-CN")
DEFAULT_MAX_FILE_SIZE = 1024 * 1024
LINT_CATEGORIES = (
    "vague",
    "escape",
    "open_ended",
    "infinitive",
    "absolute",
    "temporal",
    "combinator",
    "pronoun",
    "negative",
    "passive",
    "units",
)
"""The built-in word-list categories (reqforge.checks.wording.RULES; a test keeps them equal)."""


_HOURS_PER_UNIT = {"m": 1 / 60, "h": 1.0, "d": 24.0, "w": 168.0}


def duration_hours(text: str) -> float | None:
    """A duration such as '24h', '3d', '90m' or '1w' in hours; None when it is not one."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([mhdw])\s*", text)
    if not match:
        return None
    return float(match.group(1)) * _HOURS_PER_UNIT[match.group(2)]


def _default_sla_hours() -> Mapping[str, float]:
    hours = {urgency: duration_hours(text) for urgency, text in DEFAULT_SLA.items()}
    return MappingProxyType({k: v for k, v in hours.items() if v is not None})


# implements: REQ-004
@dataclass(frozen=True)
class FieldDef:
    """A custom front-matter field declared under `[fields.NAME]`."""

    name: str
    type: str
    values: tuple[Any, ...] | None = None
    min: float | None = None
    max: float | None = None
    required: bool = False
    description: str = ""


# implements: REQ-006
@dataclass(frozen=True)
class Workflow:
    statuses: tuple[str, ...] = DEFAULT_STATUSES
    terminal: tuple[str, ...] = DEFAULT_TERMINAL
    committed: tuple[str, ...] = DEFAULT_COMMITTED
    transitions: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: MappingProxyType(dict(DEFAULT_TRANSITIONS))
    )
    requires: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: MappingProxyType(dict(DEFAULT_REQUIRES))
    )
    sla_hours: Mapping[str, float] = field(default_factory=_default_sla_hours)
    assign: Mapping[str, str] = field(
        default_factory=lambda: MappingProxyType(dict(DEFAULT_ASSIGN))
    )


@dataclass(frozen=True)
class PriorityConfig:
    rank: tuple[str, ...] = DEFAULT_RANK
    ice_high: int = DEFAULT_ICE_LEVELS["high"]
    ice_medium: int = DEFAULT_ICE_LEVELS["medium"]
    tiers: Mapping[str, float] = field(
        default_factory=lambda: MappingProxyType(dict(DEFAULT_TIERS))
    )


@dataclass(frozen=True)
class TraceConfig:
    scan: tuple[str, ...] = ()
    marker: str = DEFAULT_MARKER
    results: tuple[str, ...] = ()
    require: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    tests: tuple[str, ...] = ("tests/**", "test/**", "**/test_*.*", "**/*_test.*", "**/*.test.*")
    orphans_exempt: tuple[str, ...] = ()
    # The statuses in which RF408 asks for the coverage of [trace.require]; None: the workflow's
    # "accepted or later" statuses ([workflow] committed).
    require_statuses: tuple[str, ...] | None = None


@dataclass(frozen=True)
class SiteConfig:
    title: str = ""
    base_url: str = "/"
    repo_url: str = ""  # the forge's web address; empty: from the `origin` remote
    private_fields: tuple[str, ...] = ("source.evidence", "customers.*.contact")


@dataclass(frozen=True)
class LintConfig:
    ears: bool = False
    similarity: float | None = None  # None: the detector's default threshold
    duplicates: bool = True
    words: Mapping[str, tuple[str, ...]] | None = None  # None: the built-in lists
    extra_words: tuple[str, ...] = ()
    # categories a project adds (name -> phrases), reported as RF401
    custom: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


# implements: REQ-117
@dataclass(frozen=True)
class LinksConfig:
    # Relations a project adds to the built-in ones; any other relation name is reported
    # (RF107), since a typo such as `depends_on` would silently drop the link from every graph.
    relations: tuple[str, ...] = ()


@dataclass(frozen=True)
class Config:
    """The validated configuration of one repository."""

    root: Path
    path: Path | None = None
    name: str = ""
    reqs_dir: str = "reqs"
    id_pattern: str = DEFAULT_ID_PATTERN
    language: str = "en"
    exclude: tuple[str, ...] = ()
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    types: tuple[str, ...] = DEFAULT_TYPES
    channels: tuple[str, ...] = DEFAULT_CHANNELS
    fields: Mapping[str, FieldDef] = field(default_factory=lambda: MappingProxyType({}))
    workflow: Workflow = field(default_factory=Workflow)
    priority: PriorityConfig = field(default_factory=PriorityConfig)
    trace: TraceConfig = field(default_factory=TraceConfig)
    site: SiteConfig = field(default_factory=SiteConfig)
    lint: LintConfig = field(default_factory=LintConfig)
    links: LinksConfig = field(default_factory=LinksConfig)
    raw: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def reqs_path(self) -> Path:
        return self.root / self.reqs_dir

    @property
    def id_regex(self) -> re.Pattern[str]:
        return re.compile(self.id_pattern)

    def fingerprint(self) -> str:
        """A digest of everything in the configuration that can change a check's result
        (the language too: findings are cached with their messages translated)."""
        text = json.dumps([self.raw, self.language], sort_keys=True, default=str)
        return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


# implements: REQ-700
def find_root(start: Path) -> Path:
    """Walk up from `start` to the first folder holding `reqforge.toml` or `reqs/`."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file() or (folder / "reqs").is_dir():
            return folder
    raise RepositoryNotFound(
        Text(
            "no {config} or reqs/ folder in {start} or any folder above it "
            "(run `reqforge init` to create one, or pass --repo)",
            config=CONFIG_NAME,
            start=start,
        )
    )


# implements: REQ-003
def load_config(root: Path, path: Path | None = None) -> Config:
    """Read and validate the configuration of the repository at `root`.

    `path` overrides `root/reqforge.toml`; a missing default file means all defaults, a missing
    explicit file is an error.
    """
    explicit = path is not None
    path = path if path is not None else root / CONFIG_NAME
    if not os.path.lexists(path) or (explicit and not path.exists()):
        if explicit:
            raise ConfigError(str(path), "--config", Text("the file does not exist"))
        return Config(root=root, language=environment_language())
    display = _display(path, root)
    try:
        if explicit:  # named on the command line, so trusted where it is; not what it is
            raw_bytes = read_regular(os.path.realpath(path), MAX_CONFIG_BYTES)[0]
        else:  # reqforge.toml comes with the repository: it must stay inside it
            raw_bytes = read_inside(path, root, MAX_CONFIG_BYTES)
    except Refused as exc:
        raise ConfigError(display, "(file)", Text("refused: {reason}", reason=exc.reason)) from None
    except OSError as exc:
        raise ConfigError(
            display, "(file)", Text("cannot be read: {reason}", reason=exc.strerror or exc)
        ) from None
    try:
        text = raw_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            display, "(file)", Text("cannot be read as UTF-8 text: {error}", error=str(exc))
        ) from None
    try:
        raw = tomllib.loads(text)
    except RecursionError:  # tomllib parses nested arrays and tables recursively
        raise ConfigError(
            display, "(syntax)", Text("arrays or tables nested too deeply to be a configuration")
        ) from None
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise ConfigError(
            display,
            "(syntax)",
            Text("invalid TOML: {error}", error=str(exc)),
            int(match.group(1)) if match else None,
        ) from None
    except ValueError:  # Python refuses to read an integer of more than 4,300 digits
        raise ConfigError(
            display, "(syntax)", Text("a number too long to read (more than 4,300 digits)")
        ) from None
    return _Validator(display, text, root, path).config(raw)


def _display(path: Path, root: Path) -> str:
    # Where the file is named, not where a symbolic link leads (that may be the problem).
    absolute = Path(os.path.abspath(path))
    for base in (Path(os.path.abspath(root)), root.resolve()):
        if absolute.is_relative_to(base):
            return absolute.relative_to(base).as_posix()
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


class _Validator:
    """Turns the parsed TOML into a Config, raising ConfigError at the first bad key."""

    def __init__(self, display: str, text: str, root: Path, path: Path) -> None:
        self.display = display
        self.lines = text.splitlines()
        self.root = root
        self.path = path

    # --- reporting -------------------------------------------------------------------------
    def fail(self, key: str, expected: str) -> ConfigError:
        return ConfigError(self.display, key, expected, self._line_of(key))

    def _line_of(self, dotted: str) -> int | None:
        """Best-effort line of a dotted key: its table header, else the key in its table."""
        parts = dotted.split(".")
        for number, line in enumerate(self.lines, 1):
            if _header_of(line) == parts:
                return number
        for cut in range(len(parts) - 1, -1, -1):
            table, key = parts[:cut], parts[cut]
            in_table = not table
            for number, line in enumerate(self.lines, 1):
                header = _header_of(line)
                if header is not None:
                    if in_table and table != header:
                        break
                    in_table = header == table
                    continue
                if in_table and re.match(r"^\s*" + re.escape(key) + r"\s*[=.]", line):
                    return number
        return None

    # --- typed readers ---------------------------------------------------------------------
    def table(self, value: Any, key: str, allowed: tuple[str, ...] | None) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, Text("expected a table, got {got}", got=_show(value)))
        if allowed is not None:
            for name in value:
                if name not in allowed:
                    raise self.fail(
                        f"{key}.{name}" if key else name,
                        Text("unknown key; expected one of: {keys}", keys=", ".join(allowed)),
                    )
        return value

    def string(self, value: Any, key: str, choices: tuple[str, ...] | None = None) -> str:
        if not isinstance(value, str):
            raise self.fail(key, Text("expected a string, got {got}", got=_show(value)))
        if choices is not None and value not in choices:
            raise self.fail(
                key,
                Text("expected one of {values}, got {got!r}", values=", ".join(choices), got=value),
            )
        return value

    def strings(
        self, value: Any, key: str, choices: tuple[str, ...] | None = None, nonempty: bool = False
    ) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(key, Text("expected a list of strings, got {got}", got=_show(value)))
        if nonempty and not value:
            raise self.fail(key, Text("expected a non-empty list"))
        if choices is not None:
            for item in value:
                if item not in choices:
                    raise self.fail(
                        key,
                        Text(
                            "{item!r} is not one of {values}", item=item, values=", ".join(choices)
                        ),
                    )
        return tuple(value)

    def number(
        self, value: Any, key: str, low: float | None = None, high: float | None = None
    ) -> int | float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(key, Text("expected a number, got {got}", got=_show(value)))
        if not math.isfinite(value):  # TOML allows nan and inf; no setting means them
            raise self.fail(key, Text("expected a finite number, got {got}", got=value))
        if (low is not None and value < low) or (high is not None and value > high):
            raise self.fail(
                key,
                Text(
                    "expected a number from {low} to {high}, got {got}",
                    low=low,
                    high=high,
                    got=value,
                ),
            )
        return value

    def boolean(self, value: Any, key: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(key, Text("expected true or false, got {got}", got=_show(value)))
        return value

    def regex(self, value: Any, key: str) -> str:
        pattern = self.string(value, key)
        try:
            re.compile(pattern)
        except (re.error, OverflowError, RecursionError, ValueError) as exc:
            # OverflowError: a repetition count too large; RecursionError: nesting too deep.
            raise self.fail(
                key, Text("expected a valid regular expression: {error}", error=str(exc))
            ) from None
        return pattern

    # --- sections --------------------------------------------------------------------------
    def config(self, raw: dict[str, Any]) -> Config:
        sections: dict[str, Callable[[Any], dict[str, Any]]] = {
            "project": self.project,
            "fields": self.fields,
            "workflow": self.workflow,
            "priority": self.priority,
            "trace": self.trace,
            "site": self.site,
            "lint": self.lint,
            "links": self.links,
        }
        self.table(raw, "", tuple(sections))
        kwargs: dict[str, Any] = {}
        for name, reader in sections.items():
            if name in raw:
                kwargs.update(reader(raw[name]))
        # Without `project.language`, REQFORGE_LANG chooses (else English).
        kwargs.setdefault("language", environment_language())
        config = Config(root=self.root, path=self.path, raw=MappingProxyType(raw), **kwargs)
        self.cross_check(config)
        return config

    def project(self, value: Any) -> dict[str, Any]:
        keys = (
            "name", "reqs_dir", "id_pattern", "language", "exclude", "max_file_size",
            "types", "channels",
        )  # fmt: skip
        table = self.table(value, "project", keys)
        out: dict[str, Any] = {}
        if "name" in table:
            out["name"] = self.string(table["name"], "project.name")
        if "reqs_dir" in table:
            reqs_dir = self.string(table["reqs_dir"], "project.reqs_dir")
            target = (self.root / reqs_dir).resolve()
            if Path(reqs_dir).is_absolute() or not target.is_relative_to(self.root.resolve()):
                raise self.fail("project.reqs_dir", Text("expected a folder inside the repository"))
            out["reqs_dir"] = Path(reqs_dir).as_posix().strip("/") or "."
        if "id_pattern" in table:
            out["id_pattern"] = self.regex(table["id_pattern"], "project.id_pattern")
        if "language" in table:
            out["language"] = self.string(table["language"], "project.language", LANGUAGES)
        if "exclude" in table:
            out["exclude"] = self.strings(table["exclude"], "project.exclude")
        if "max_file_size" in table:
            out["max_file_size"] = int(
                self.number(table["max_file_size"], "project.max_file_size", 1024, 2**31)
            )
        for key in ("types", "channels"):
            if key in table:
                out[key] = self.strings(table[key], f"project.{key}", nonempty=True)
        return out

    # implements: REQ-004
    def fields(self, value: Any) -> dict[str, Any]:
        table = self.table(value, "fields", None)
        defs: dict[str, FieldDef] = {}
        for name, spec in table.items():
            key = f"fields.{name}"
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", name):
                raise self.fail(key, Text("expected a field name of letters, digits, '-' and '_'"))
            from reqforge.fields import BUILTIN_FIELDS  # local: fields imports this module

            if name in BUILTIN_FIELDS:
                raise self.fail(
                    key, Text("'{name}' is a built-in field and cannot be redefined", name=name)
                )
            spec = self.table(
                spec, key, ("type", "values", "min", "max", "required", "description")
            )
            if "type" not in spec:
                raise self.fail(
                    f"{key}.type",
                    Text("missing; expected one of {values}", values=", ".join(FIELD_TYPES)),
                )
            ftype = self.string(spec["type"], f"{key}.type", FIELD_TYPES)
            values = None
            if "values" in spec:
                if not isinstance(spec["values"], list) or not spec["values"]:
                    raise self.fail(
                        f"{key}.values", Text("expected a non-empty list of allowed values")
                    )
                values = tuple(spec["values"])
            elif ftype == "enum":
                raise self.fail(f"{key}.values", Text("an enum field needs a list of values"))
            low = self.number(spec["min"], f"{key}.min") if "min" in spec else None
            high = self.number(spec["max"], f"{key}.max") if "max" in spec else None
            if (low is not None or high is not None) and ftype not in ("int", "float", "list"):
                raise self.fail(
                    f"{key}.min", Text("min/max apply to int, float and list fields only")
                )
            if low is not None and high is not None and low > high:
                raise self.fail(
                    f"{key}.min",
                    Text("min ({low}) is greater than max ({high})", low=low, high=high),
                )
            defs[name] = FieldDef(
                name=name,
                type=ftype,
                values=values,
                min=low,
                max=high,
                required=self.boolean(spec.get("required", False), f"{key}.required"),
                description=self.string(spec.get("description", ""), f"{key}.description"),
            )
        return {"fields": MappingProxyType(defs)}

    # implements: REQ-006
    # implements: REQ-306
    def workflow(self, value: Any) -> dict[str, Any]:
        keys = ("statuses", "terminal", "committed", "transitions", "requires", "sla", "assign")
        table = self.table(value, "workflow", keys)
        statuses = (
            self.strings(table["statuses"], "workflow.statuses", nonempty=True)
            if "statuses" in table
            else DEFAULT_STATUSES
        )
        if len(set(statuses)) != len(statuses):
            raise self.fail("workflow.statuses", Text("expected each status once"))

        def subset(key: str, default: tuple[str, ...]) -> tuple[str, ...]:
            if key in table:
                return self.strings(table[key], f"workflow.{key}", statuses)
            return tuple(s for s in default if s in statuses)

        transitions: dict[str, tuple[str, ...]] = {}
        if "transitions" in table:
            for src, targets in self.table(
                table["transitions"], "workflow.transitions", None
            ).items():
                key = f"workflow.transitions.{src}"
                if src not in statuses:
                    raise self.fail(
                        key,
                        Text(
                            "'{status}' is not a status; expected one of {values}",
                            status=src,
                            values=", ".join(statuses),
                        ),
                    )
                transitions[src] = self.strings(targets, key, statuses)
        else:
            transitions = {
                s: tuple(t for t in ts if t in statuses)
                for s, ts in DEFAULT_TRANSITIONS.items()
                if s in statuses
            }
        requires: dict[str, tuple[str, ...]] = {}
        if "requires" in table:
            for status, names in self.table(table["requires"], "workflow.requires", None).items():
                key = f"workflow.requires.{status}"
                if status not in statuses:
                    raise self.fail(key, Text("'{status}' is not a status", status=status))
                requires[status] = self.strings(names, key)
        else:
            requires = {s: f for s, f in DEFAULT_REQUIRES.items() if s in statuses}
        sla: dict[str, float] = {}
        for urgency, text in (
            self.table(table["sla"], "workflow.sla", ("urgent", "normal", "deferred")).items()
            if "sla" in table
            else DEFAULT_SLA.items()
        ):
            sla[urgency] = self.duration(text, f"workflow.sla.{urgency}")
        assign = dict(DEFAULT_ASSIGN)
        if "assign" in table:
            assign = {
                k: self.string(v, f"workflow.assign.{k}")
                for k, v in self.table(table["assign"], "workflow.assign", None).items()
            }
        return {
            "workflow": Workflow(
                statuses=statuses,
                terminal=subset("terminal", DEFAULT_TERMINAL),
                committed=subset("committed", DEFAULT_COMMITTED),
                transitions=MappingProxyType(transitions),
                requires=MappingProxyType(requires),
                sla_hours=MappingProxyType(sla),
                assign=MappingProxyType(assign),
            )
        }

    def duration(self, value: Any, key: str) -> float:
        text = self.string(value, key)
        hours = duration_hours(text)
        if hours is None:
            raise self.fail(
                key,
                Text(
                    "expected a duration such as '24h', '3d', '90m' or '1w', got {got!r}", got=text
                ),
            )
        return hours

    # implements: REQ-203
    # implements: REQ-210
    def priority(self, value: Any) -> dict[str, Any]:
        from reqforge.priorities import method_names  # local: priorities imports this module

        table = self.table(value, "priority", ("rank", "ice_levels", "tiers"))
        out: dict[str, Any] = {}
        if "rank" in table:
            out["rank"] = self.strings(table["rank"], "priority.rank", method_names())
        levels = dict(DEFAULT_ICE_LEVELS)
        if "ice_levels" in table:
            given = self.table(table["ice_levels"], "priority.ice_levels", tuple(levels))
            for name, default in DEFAULT_ICE_LEVELS.items():
                key = f"priority.ice_levels.{name}"
                levels[name] = int(self.number(given.get(name, default), key, 1, 125))
        high, medium = levels["high"], levels["medium"]
        if medium > high:
            raise self.fail(
                "priority.ice_levels",
                Text("medium ({medium}) must not exceed high ({high})", medium=medium, high=high),
            )
        tiers = dict(DEFAULT_TIERS)
        if "tiers" in table:
            tiers = {
                k: float(self.number(v, f"priority.tiers.{k}", 0))
                for k, v in self.table(table["tiers"], "priority.tiers", None).items()
            }
        return {
            "priority": PriorityConfig(
                out.get("rank", DEFAULT_RANK), high, medium, MappingProxyType(tiers)
            )
        }

    # implements: REQ-401
    # implements: REQ-403
    def trace(self, value: Any) -> dict[str, Any]:
        table = self.table(value, "trace", _keys(TraceConfig))
        kwargs: dict[str, Any] = {}
        for key in ("scan", "results", "tests", "orphans_exempt", "require_statuses"):
            if key in table:
                kwargs[key] = self.strings(table[key], f"trace.{key}")
        if "marker" in table:
            marker = self.string(table["marker"], "trace.marker")
            if "{id}" not in marker:
                raise self.fail(
                    "trace.marker", Text("expected a regular expression containing {id}")
                )
            self.regex(marker.replace("{id}", "[A-Z0-9-]+"), "trace.marker")
            kwargs["marker"] = marker
        if "require" in table:
            kwargs["require"] = MappingProxyType(
                {
                    t: self.strings(kinds, f"trace.require.{t}", ("implemented", "verified"))
                    for t, kinds in self.table(table["require"], "trace.require", None).items()
                }
            )
        return {"trace": TraceConfig(**kwargs)}

    def site(self, value: Any) -> dict[str, Any]:
        table = self.table(value, "site", _keys(SiteConfig))
        kwargs: dict[str, Any] = {}
        for key in ("title", "base_url", "repo_url"):
            if key in table:
                kwargs[key] = self.string(table[key], f"site.{key}")
        if "private_fields" in table:
            kwargs["private_fields"] = self.strings(table["private_fields"], "site.private_fields")
        return {"site": SiteConfig(**kwargs)}

    def lint(self, value: Any) -> dict[str, Any]:
        table = self.table(value, "lint", _keys(LintConfig))
        kwargs: dict[str, Any] = {}
        if "ears" in table:
            kwargs["ears"] = self.boolean(table["ears"], "lint.ears")
        if "duplicates" in table:
            kwargs["duplicates"] = self.boolean(table["duplicates"], "lint.duplicates")
        if "similarity" in table:
            kwargs["similarity"] = float(
                self.number(table["similarity"], "lint.similarity", 0.1, 1.0)
            )
        if "extra_words" in table:
            kwargs["extra_words"] = self.strings(table["extra_words"], "lint.extra_words")
        if "words" in table:
            words = self.table(table["words"], "lint.words", LINT_CATEGORIES)
            kwargs["words"] = MappingProxyType(
                {k: self.strings(v, f"lint.words.{k}") for k, v in words.items()}
            )
        if "custom" in table:
            custom = self.table(table["custom"], "lint.custom", None)
            for name in custom:
                if name in LINT_CATEGORIES:
                    raise self.fail(
                        f"lint.custom.{name}",
                        Text("a built-in category: change its list under [lint.words]"),
                    )
            kwargs["custom"] = MappingProxyType(
                {k: self.strings(v, f"lint.custom.{k}") for k, v in custom.items()}
            )
        for key, entries in (
            [("lint.extra_words", kwargs.get("extra_words", ()))]
            + [(f"lint.words.{k}", v) for k, v in (kwargs.get("words") or {}).items()]
            + [(f"lint.custom.{k}", v) for k, v in (kwargs.get("custom") or {}).items()]
        ):
            for entry in entries:
                if entry.startswith("re:"):
                    # The word matcher's own rule, so config and check cannot disagree.
                    from reqforge.checks.patterns import regex_entry_problem

                    problem = regex_entry_problem(entry[3:])
                    if problem is not None:
                        raise self.fail(
                            key, Text("{entry!r} {problem}", entry=entry, problem=problem)
                        )
        return {"lint": LintConfig(**kwargs)}

    def links(self, value: Any) -> dict[str, Any]:
        table = self.table(value, "links", _keys(LinksConfig))
        relations: tuple[str, ...] = ()
        if "relations" in table:
            relations = self.strings(table["relations"], "links.relations")
            for name in relations:
                if not re.fullmatch(r"[a-z][a-z0-9-]*", name):
                    raise self.fail(
                        "links.relations",
                        Text("{name!r} is not a relation name (a-z, 0-9 and '-')", name=name),
                    )
        return {"links": LinksConfig(relations=relations)}

    def cross_check(self, config: Config) -> None:
        wf = config.workflow
        for status in wf.requires:
            for name in wf.requires[status]:
                if not re.fullmatch(r"[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)*", name):
                    raise self.fail(
                        f"workflow.requires.{status}",
                        Text("{name!r} is not a field name", name=name),
                    )
        for type_name in config.trace.require:
            if type_name not in config.types:
                raise self.fail(
                    f"trace.require.{type_name}", Text("'{type}' is not a type", type=type_name)
                )
        for status in config.trace.require_statuses or ():
            if status not in wf.statuses:
                raise self.fail(
                    "trace.require_statuses",
                    Text("'{status}' is not a workflow status", status=status),
                )


def _keys(section: type) -> tuple[str, ...]:
    """The keys of a TOML table that maps one to one onto a config dataclass: its fields."""
    return tuple(f.name for f in dataclass_fields(section))


def _header_of(line: str) -> list[str] | None:
    match = re.match(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$", line)
    return [part.strip() for part in match.group(1).split(".")] if match else None


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return Text("a table")
    if isinstance(value, list):
        return Text("a list")
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)
