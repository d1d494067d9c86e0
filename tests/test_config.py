"""reqforge.toml: defaults, every section, and every kind of error (exit 2 in the CLI)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reqforge.config import Config, find_root, load_config
from reqforge.errors import ConfigError, RepositoryNotFound


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "reqforge.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_defaults_without_a_file(tmp_path: Path) -> None:
    # verifies: REQ-003
    # verifies: REQ-002
    config = load_config(tmp_path)
    assert config.reqs_dir == "reqs"
    assert config.workflow.statuses[0] == "proposed"
    assert config.workflow.sla_hours == {"urgent": 24.0, "normal": 72.0}
    assert config.priority.ice_high == 60 and config.priority.ice_medium == 30
    assert config.id_regex.match("CRM-0042")


def test_full_spec_example_is_accepted(tmp_path: Path) -> None:
    # verifies: REQ-003
    config = load_config(
        write(
            tmp_path,
            """
[project]
name = "Acme CRM"
reqs_dir = "reqs"
id_pattern = "^[A-Z][A-Z0-9]{1,9}-[0-9]{1,6}$"
language = "zh-CN"

[fields.risk]
type = "enum"
values = ["low", "medium", "high"]

[fields.effort_days]
type = "int"
min = 0
max = 100
required = true

[workflow]
statuses = ["proposed", "accepted", "in-progress", "testing", "awaiting-acceptance",
            "done", "rejected", "deferred", "duplicate"]
terminal = ["done", "rejected", "duplicate"]
[workflow.transitions]
proposed = ["accepted", "rejected", "deferred", "duplicate"]
[workflow.requires]
rejected = ["reason"]
duplicate = ["links.duplicates"]
[workflow.sla]
urgent = "24h"
normal = "3d"
[workflow.assign]
functional = "product"

[priority]
rank = ["p-level", "ice", "rice"]
ice_levels = { high = 60, medium = 30 }

[trace]
scan = ["src", "tests"]
marker = '(?:req|implements)[:=]\\s*({id})'
results = ["reports/*.xml"]
[trace.require]
functional = ["implemented", "verified"]

[site]
title = "Acme CRM requirements"
base_url = "/"
private_fields = ["source.evidence"]

[lint]
ears = true
similarity = 0.8
extra_words = ["blazing"]
""",
        )
    )
    assert config.name == "Acme CRM"
    assert config.language == "zh-CN"
    assert config.fields["risk"].values == ("low", "medium", "high")
    assert config.fields["effort_days"].required
    assert config.workflow.sla_hours["normal"] == 72.0
    assert config.workflow.transitions["proposed"][0] == "accepted"
    assert config.trace.require["functional"] == ("implemented", "verified")
    assert config.lint.ears and config.lint.similarity == 0.8


@pytest.mark.parametrize(
    ("text", "key", "expected", "line"),
    [
        ("[project]\nnmae = 'x'\n", "project.nmae", "unknown key", 2),
        ("[projekt]\nname = 'x'\n", "projekt", "unknown key", 1),
        ("[project]\nid_pattern = '[A-Z'\n", "project.id_pattern", "valid regular expression", 2),
        ("[project]\nlanguage = 'fr'\n", "project.language", "expected one of en, zh-CN", 2),
        ("[project]\nname = 3\n", "project.name", "expected a string", 2),
        ("[project]\nreqs_dir = '../elsewhere'\n", "project.reqs_dir", "inside the repository", 2),
        ("[fields.risk]\ntype = 'colour'\n", "fields.risk.type", "expected one of string", 2),
        ("[fields.risk]\ntype = 'enum'\n", "fields.risk.values", "needs a list of values", None),
        ("[fields.title]\ntype = 'string'\n", "fields.title", "built-in field", 1),
        ("[fields.n]\ntype = 'int'\nmin = 5\nmax = 1\n", "fields.n.min", "greater than max", 3),
        ("[workflow]\nstatuses = 'open'\n", "workflow.statuses", "list of strings", 2),
        ("[workflow]\nterminal = ['closed']\n", "workflow.terminal", "'closed' is not one of", 2),
        (
            "[workflow.transitions]\nopen = ['done']\n",
            "workflow.transitions.open",
            "not a status",
            2,
        ),
        ("[workflow.sla]\nurgent = 'soon'\n", "workflow.sla.urgent", "duration", 2),
        ("[priority]\nrank = ['astrology']\n", "priority.rank", "'astrology' is not one of", 2),
        (
            "[priority]\nice_levels = { high = 20, medium = 40 }\n",
            "priority.ice_levels",
            "must not exceed",
            2,
        ),
        ("[trace]\nmarker = 'req: (\\\\d+)'\n", "trace.marker", "containing {id}", 2),
        ("[trace]\nmarker = 'req: ({id}'\n", "trace.marker", "valid regular expression", 2),
        (
            "[trace.require]\nfunctional = ['tested']\n",
            "trace.require.functional",
            "'tested' is not one of",
            2,
        ),
        ("[lint]\nsimilarity = 2\n", "lint.similarity", "from 0.1 to 1.0", 2),
        (
            "[lint.words]\nvague = ['re:(unclosed']\n",
            "lint.words.vague",
            "valid regular expression",
            None,
        ),
        ("[lint.words]\nfluffy = ['x']\n", "lint.words.fluffy", "unknown key", None),
        ("[project\nname = 'x'\n", "(syntax)", "invalid TOML", 1),
        # Values that crashed or hung every command (issue 11, part 5).
        ("[project]\nmax_file_size = nan\n", "project.max_file_size", "finite number", 2),
        ("[lint]\nsimilarity = nan\n", "lint.similarity", "finite number", 2),
        (
            "[priority]\nice_levels = { high = nan }\n",
            "priority.ice_levels.high",
            "finite number",
            2,
        ),
        ("[priority.tiers]\nA = inf\n", "priority.tiers.A", "finite number", 2),
        ("[fields.n]\ntype = 'int'\nmax = inf\n", "fields.n.max", "finite number", 3),
        ("[lint]\nextra_words = ['re:\\b']\n", "lint.extra_words", "empty string", 2),
        ("[lint]\nextra_words = ['re:(?=x)']\n", "lint.extra_words", "empty string", 2),
        ("[lint.words]\nvague = ['re:a|']\n", "lint.words.vague", "empty string", None),
        ("[project]\nid_pattern = 'a{99999999999}'\n", "project.id_pattern", "valid regular", 2),
        (
            "[project]\nid_pattern = '" + "(" * 2000 + "a" + ")" * 2000 + "'\n",
            "project.id_pattern",
            "valid regular expression",
            2,
        ),
        ("[trace]\nmarker = '{id}x{99999999999}'\n", "trace.marker", "valid regular", 2),
        ("[project]\nmax_file_size = 1" + "0" * 5000 + "\n", "(syntax)", "too long", None),
        (
            "[lint]\nextra_words = ['re:a{99999999999}']\n",
            "lint.extra_words",
            "valid regular expression",
            2,
        ),
    ],
)
def test_bad_config_names_file_key_and_expectation(
    tmp_path: Path, text: str, key: str, expected: str, line: int | None
) -> None:
    # verifies: REQ-003
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    error = info.value
    assert error.key == key
    assert expected in error.expected
    assert error.path == "reqforge.toml"
    if line is not None:
        assert error.line == line
        assert str(error).startswith(f"reqforge.toml:{line}: {key}: ")


def test_missing_explicit_config_file_is_an_error(tmp_path: Path) -> None:
    # verifies: REQ-003
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path, tmp_path / "nope.toml")


def test_deeply_nested_toml_is_a_config_error(tmp_path: Path) -> None:
    # verifies: REQ-003
    depth = 100_000
    (tmp_path / "reqforge.toml").write_text("a = " + "[" * depth + "]" * depth + "\n")
    with pytest.raises(ConfigError, match="nested too deeply") as info:
        load_config(tmp_path)
    assert info.value.path == "reqforge.toml"


def test_non_utf8_config_is_an_error(tmp_path: Path) -> None:
    # verifies: REQ-003
    (tmp_path / "reqforge.toml").write_bytes(b"[project]\nname = '\xff'\n")
    with pytest.raises(ConfigError, match="UTF-8"):
        load_config(tmp_path)


def test_find_root_walks_up(tmp_path: Path) -> None:
    # verifies: REQ-700
    (tmp_path / "reqs" / "billing").mkdir(parents=True)
    assert find_root(tmp_path / "reqs" / "billing") == tmp_path.resolve()
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "reqforge.toml").write_text("", encoding="utf-8")
    assert find_root(tmp_path / "sub") == (tmp_path / "sub").resolve()


def test_find_root_fails_clearly(tmp_path: Path) -> None:
    # verifies: REQ-700
    with pytest.raises(RepositoryNotFound, match=r"reqforge.toml or reqs/"):
        find_root(tmp_path)


def test_fingerprint_changes_with_config(tmp_path: Path) -> None:
    a = load_config(write(tmp_path, "[lint]\nears = true\n")).fingerprint()
    b = load_config(write(tmp_path, "[lint]\nears = false\n")).fingerprint()
    assert a != b
    assert Config(root=tmp_path).fingerprint() == Config(root=tmp_path).fingerprint()
