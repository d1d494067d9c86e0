"""The literal-keyword pre-filter (reqforge.trace.prefilter), and scanning without it."""

from __future__ import annotations

import warnings
from pathlib import Path
from types import SimpleNamespace

import pytest
from tests.sourcetree import MARKER, TESTS, write

from reqforge.config import DEFAULT_ID_PATTERN
from reqforge.trace import prefilter
from reqforge.trace.markers import compile_marker, scan
from reqforge.trace.prefilter import required_literals


def test_prefilter_literals() -> None:
    assert set(required_literals(MARKER) or ()) == {
        f"{word}{sep}" for word in ("req", "requirement", "implements", "verifies") for sep in ":="
    }
    assert required_literals(compile_marker(r"@req\s+{id}", DEFAULT_ID_PATTERN)) == ("@req",)
    assert required_literals(compile_marker("(?i)req: {id}", DEFAULT_ID_PATTERN)) is None
    assert required_literals(compile_marker(r"\W{id}", DEFAULT_ID_PATTERN)) is None


def test_the_python_3_10_parser_module_gives_the_same_literals(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # verifies: REQ-401
    # Python 3.10 has no re._parser; its parser is sre_parse (a deprecated alias since 3.11).
    expected = required_literals(MARKER)
    monkeypatch.setattr(prefilter, "PARSER_MODULES", ("re._no_such_parser", "sre_parse"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert required_literals(MARKER) == expected


def test_no_parser_module_means_no_prefilter(monkeypatch: pytest.MonkeyPatch) -> None:
    # verifies: REQ-401
    monkeypatch.setattr(prefilter, "PARSER_MODULES", ("re._no_such_parser",))
    assert required_literals(MARKER) is None


class _Parsed(list[tuple[object, ...]]):
    """A parse result with the `state.flags` the real one has, and items of any shape."""

    state = SimpleNamespace(flags=0)


@pytest.mark.parametrize(
    "parser",
    [
        SimpleNamespace(),  # no parse function
        SimpleNamespace(parse=lambda pattern, flags: object()),  # a result without state
        SimpleNamespace(parse=lambda pattern, flags: _Parsed([("LITERAL", 114, "x")])),
        SimpleNamespace(parse=lambda pattern, flags: _Parsed([("NEW_OPCODE", 1)])),
        SimpleNamespace(parse=lambda pattern, flags: _Parsed([("LITERAL", "r")])),
    ],
    ids=["no-parse", "no-state", "three-tuples", "unknown-opcode", "str-argument"],
)
def test_a_parser_of_another_shape_means_no_prefilter(
    monkeypatch: pytest.MonkeyPatch, parser: SimpleNamespace
) -> None:
    # verifies: REQ-401
    monkeypatch.setattr(prefilter, "_parser_module", lambda: parser)
    assert required_literals(MARKER) is None


def test_without_a_prefilter_the_scan_finds_the_same_markers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # verifies: REQ-401
    write(tmp_path, "src/a.py", "x = 1  # req: CRM-1\nrequest = 2\n")
    write(tmp_path, "src/b.ts", "export const b = 1; // implements: CRM-2\n")
    write(tmp_path, "tests/test_c.py", "def test_c():\n    pass  # verifies: CRM-3\n")
    with_prefilter = scan(tmp_path, ["src", "tests"], MARKER, TESTS)
    assert [(m.id, m.test) for m in with_prefilter] == [
        ("CRM-1", None),
        ("CRM-2", None),
        ("CRM-3", "tests/test_c.py::test_c"),
    ]
    monkeypatch.setattr(prefilter, "PARSER_MODULES", ())
    assert required_literals(MARKER) is None
    assert scan(tmp_path, ["src", "tests"], MARKER, TESTS) == with_prefilter
    custom = compile_marker(r"@req\s+{id}", DEFAULT_ID_PATTERN)
    write(tmp_path, "src/d.java", "@req  CRM-4\nclass D {}\n")
    assert [m.id for m in scan(tmp_path, ["src"], custom, TESTS)] == ["CRM-4"]
