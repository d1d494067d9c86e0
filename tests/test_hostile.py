"""Hostile inputs through the real command line: every case runs `python -m reqforge ... check`
in a subprocess and must end with a report (exit 1, or 0 where the input is fine), valid JSON
naming the right finding on the right path, and never a traceback."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from tests.conftest import requirement_text as req

from reqforge.cli.main import cli

Repo = Callable[..., Path]

needs_symlinks = pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks here")
not_root = pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads files despite chmod 000"
)


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    seconds: float

    def doc(self) -> dict[str, Any]:
        return json.loads(self.stdout)

    def findings(self, code: str | None = None, path: str | None = None) -> list[dict[str, Any]]:
        return [
            f
            for f in self.doc()["findings"]
            if (code is None or f["code"] == code) and (path is None or f["path"] == path)
        ]

    def codes(self, path: str) -> set[str]:
        return {f["code"] for f in self.findings(path=path)}


def check(root: Path, *args: str, fmt: str = "json", cwd: Path | None = None) -> Run:
    """`python -m reqforge --repo ROOT check --format FMT ARGS` in a subprocess."""
    env = {k: v for k, v in os.environ.items() if k not in ("REQFORGE_TODAY", "NO_COLOR")}
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "reqforge", "--repo", str(root), "check", "--format", fmt, *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=60,
        cwd=cwd or root.parent,
        env=env,
    )
    run = Run(proc.returncode, proc.stdout, proc.stderr, time.monotonic() - started)
    assert "Traceback" not in run.stdout, run.stdout
    assert "Traceback" not in run.stderr, run.stderr
    return run


def checked(root: Path, expected_exit: int = 1) -> Run:
    """A JSON check run that must exit with `expected_exit` and print valid JSON."""
    run = check(root)
    assert run.code == expected_exit, (run.code, run.stdout, run.stderr)
    doc = run.doc()
    assert doc["ok"] is (expected_exit == 0)
    return run


Batch = Callable[[str, dict[str, str | bytes]], Run]


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Batch:
    """One subprocess for a whole family of cases: `batch(name, files)` builds the repository
    once, runs `check` once, and hands every test of the family the same Run."""
    runs: dict[str, Run] = {}

    def get(name: str, files: dict[str, str | bytes]) -> Run:
        if name not in runs:
            root = tmp_path_factory.mktemp(name) / "repo"
            for rel, content in files.items():
                path = root / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(content if isinstance(content, bytes) else content.encode())
            runs[name] = check(root)
        return runs[name]

    return get


def family(prefix: str, texts: dict[str, str | bytes]) -> dict[str, str | bytes]:
    """Case name -> content, as files reqs/PREFIX-1.md, reqs/PREFIX-2.md, ... in case order."""
    return {f"reqs/{prefix}-{n}.md": text for n, text in enumerate(texts.values(), 1)}


def snapshot(folder: Path) -> set[str]:
    """Every path below `folder` (links not followed), relative to it."""
    found = set()
    for base, dirs, files in os.walk(folder):
        for name in [*dirs, *files]:
            found.add(os.path.relpath(os.path.join(base, name), folder))
    return found


def front(rid: str, yaml: str) -> str:
    """A requirement file whose front matter is the required fields plus `yaml`."""
    head = f"id: {rid}\ntitle: Export ledger {rid}\ntype: functional\nstatus: proposed\n"
    return f"---\n{head}{yaml}---\nBody.\n"


# --- resource exhaustion ------------------------------------------------------------------


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    lines = [f"lol1: &lol1 [{', '.join(['lol'] * width)}]"]
    for level in range(2, levels + 1):
        refs = ", ".join([f"*lol{level - 1}"] * width)
        lines.append(f"lol{level}: &lol{level} [{refs}]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_refused_quickly(make_repo: Repo) -> None:
    # verifies: REQ-008
    root = make_repo({"reqs/BOMB-1.md": front("BOMB-1", billion_laughs())})
    run = checked(root)
    assert run.codes("reqs/BOMB-1.md") == {"RF004"}
    assert "alias" in run.findings("RF004")[0]["message"]
    assert run.seconds < 5


DEEP: dict[str, str] = {
    "flow-100": "a: " + "[" * 100 + "]" * 100 + "\n",
    "flow-100000": "a: " + "[" * 100_000 + "]" * 100_000 + "\n",
    "flow-mapping-100000": "a: " + "{a: " * 100_000 + "}" * 100_000 + "\n",
    "block-mapping-100": "".join("  " * i + f"k{i}:\n" for i in range(100)) + "  " * 100 + "v\n",
    "block-sequence-100": "a:\n" + "".join("  " * (i + 1) + "-\n" for i in range(100)),
    "compact-sequence-100": "a:\n  " + "- " * 100 + "x\n",
}


DEEP_FILES = family("DEEP", {k: front(f"DEEP-{n}", v) for n, (k, v) in enumerate(DEEP.items(), 1)})


@pytest.mark.parametrize("path", DEEP_FILES, ids=DEEP.keys())
def test_deep_nesting_is_refused(batch: Batch, path: str) -> None:
    # verifies: REQ-008
    run = batch("deep", DEEP_FILES)
    assert run.code == 1
    assert run.codes(path) & {"RF003", "RF004"}, run.stdout
    assert run.seconds < 10


def test_huge_file_is_refused_without_parsing(make_repo: Repo) -> None:
    # verifies: REQ-008
    root = make_repo()
    big = root / "reqs" / "BIG-1.md"
    with big.open("wb") as handle:
        handle.write(front("BIG-1", "").encode())
        chunk = b"All work and no play makes Jack a dull boy.\n" * 1000
        for _ in range(20_000_000 // len(chunk) + 1):
            handle.write(chunk)
    assert big.stat().st_size > 20_000_000
    run = checked(root)
    assert run.codes("reqs/BIG-1.md") == {"RF004"}
    assert run.seconds < 10
    assert "All work and no play" not in run.stdout


# --- encodings ----------------------------------------------------------------------------


def test_binary_file_is_rf001(make_repo: Repo) -> None:
    # verifies: REQ-010
    noise = random.Random(1).randbytes(4096)
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + noise
    root = make_repo({"reqs/X-1.md": png})
    run = checked(root)
    assert run.codes("reqs/X-1.md") == {"RF001"}


def test_latin1_file_is_rf001_at_the_bad_byte(make_repo: Repo) -> None:
    # verifies: REQ-010
    text = req("CRM-1", title="Café export")
    root = make_repo({"reqs/CRM-1.md": text.encode("latin-1")})
    run = checked(root)
    (finding,) = run.findings(path="reqs/CRM-1.md")
    assert finding["code"] == "RF001"
    assert text.splitlines()[finding["line"] - 1] == "title: Café export"
    assert finding["column"] == len("title: Caf") + 1
    assert "UTF-8" in finding["message"]


ENCODINGS = {  # encoding -> title
    "utf-16": "Export ledger",
    "utf-16-le": "Export ledger",
    "utf-16-be": "Export ledger",
    "utf-32": "Export ledger",
    "gb18030": "导出客户账本",
    "shift-jis": "台帳のエクスポート",
    "cp1252": "Café – ledger",
}
ENCODED = family(
    "ENC",
    {
        enc: req(f"ENC-{n}", title=title).encode(enc)
        for n, (enc, title) in enumerate(ENCODINGS.items(), 1)
    },
)


@pytest.mark.parametrize("path", ENCODED, ids=ENCODINGS.keys())
def test_other_encodings_are_rf001(batch: Batch, path: str) -> None:
    # verifies: REQ-010
    run = batch("encodings", ENCODED)
    assert run.code == 1
    assert run.codes(path) == {"RF001"}, run.stdout


def test_bom_and_crlf_are_fine(make_repo: Repo) -> None:
    text = "\ufeff" + req("CRM-1").replace("\n", "\r\n")
    root = make_repo({"reqs/CRM-1.md": text.encode("utf-8")})
    run = checked(root, expected_exit=0)
    assert run.doc()["counts"] == {"requirements": 1, "files": 1, "error": 0, "warning": 0}


# --- YAML tags ----------------------------------------------------------------------------

TAGS = {
    "apply": '!!python/object/apply:os.system ["touch PWNED"]',
    "name": "!!python/name:os.system",
    "new": "!!python/object/new:os.system [touch PWNED]",
    "custom": "!foo bar",
    "custom-verbatim": "!<tag:evil.example,2024:x> bar",
}


TAG_FILES = family(
    "TAG", {k: front(f"TAG-{n}", f"owner: {v}\n") for n, (k, v) in enumerate(TAGS.items(), 1)}
)


@pytest.mark.parametrize("path", TAG_FILES, ids=TAGS.keys())
def test_yaml_tags_construct_nothing(
    batch: Batch, tmp_path_factory: pytest.TempPathFactory, path: str
) -> None:
    # verifies: REQ-008
    run = batch("tags", TAG_FILES)
    assert run.code == 1
    assert run.codes(path) == {"RF003"}, run.stdout
    (finding,) = run.findings("RF003", path)
    assert finding["line"] == 6 and "tag" in finding["message"]
    assert not list(tmp_path_factory.getbasetemp().rglob("PWNED"))


# --- identities and links -----------------------------------------------------------------

EVIL_IDS = {"CRM-1": "../../evil", "CRM-2": r"..\..\evil", "CRM-3": "/etc/passwd"}


def test_path_like_ids_write_nothing_outside(make_repo: Repo, tmp_path: Path) -> None:
    # verifies: REQ-002
    # verifies: REQ-103
    files = {
        f"reqs/{stem}.md": req(stem).replace(f"id: {stem}", f"id: {evil}", 1)
        for stem, evil in EVIL_IDS.items()
    }
    root = make_repo(files)
    before = snapshot(tmp_path)
    run = checked(root)
    for stem, evil in EVIL_IDS.items():
        path = f"reqs/{stem}.md"
        assert {"RF104", "RF105"} <= run.codes(path), run.stdout
        assert all(f["id"] == evil for f in run.findings(path=path))
    created = snapshot(tmp_path) - before
    assert all(p.startswith(os.path.join("repo", ".reqforge")) for p in created), created
    assert not (tmp_path / "evil").exists()


def test_duplicate_ids_name_each_other(make_repo: Repo) -> None:
    # verifies: REQ-103
    root = make_repo(
        {
            "reqs/a/CRM-1.md": req("CRM-1"),
            "reqs/b/CRM-1.md": req("CRM-1", title="Print invoices for branch offices"),
        }
    )
    run = checked(root)
    (first,) = run.findings("RF106", "reqs/a/CRM-1.md")
    (second,) = run.findings("RF106", "reqs/b/CRM-1.md")
    assert "reqs/b/CRM-1.md" in first["message"]
    assert "reqs/a/CRM-1.md" in second["message"]


def test_cycles_are_reported_once_each_with_the_cycle(make_repo: Repo) -> None:
    # verifies: REQ-104
    titles = ["Export ledgers", "Print invoices", "Archive contracts", "Send reminders", "Sync"]
    links = {
        "CRM-1": "{parent: [CRM-2]}",
        "CRM-2": "{parent: [CRM-3]}",
        "CRM-3": "{parent: [CRM-1]}",
        "CRM-4": "{depends-on: [CRM-5]}",
        "CRM-5": "{depends-on: [CRM-4]}",
    }
    root = make_repo(
        {
            f"reqs/{rid}.md": req(rid, title=title, links=link)
            for (rid, link), title in zip(links.items(), titles, strict=True)
        }
    )
    run = checked(root)
    messages = sorted(f["message"] for f in run.findings("RF202"))
    assert len(messages) == 2, messages
    assert "cycle in depends-on: CRM-4 -> CRM-5 -> CRM-4" in messages[0]
    assert "cycle in parent: CRM-1 -> CRM-2 -> CRM-3 -> CRM-1" in messages[1]


def test_self_link_is_rf203(make_repo: Repo) -> None:
    # verifies: REQ-104
    root = make_repo({"reqs/CRM-1.md": req("CRM-1", links="{depends-on: [CRM-1]}")})
    run = checked(root)
    assert run.codes("reqs/CRM-1.md") == {"RF203"}


def test_nan_is_not_a_number_in_range(make_repo: Repo) -> None:
    # verifies: REQ-102
    text = req("CRM-1").replace(
        "  urgency: normal",
        "  urgency: normal\n  rice: {reach: .nan, impact: 1, confidence: .nan, effort: 1}",
    )
    root = make_repo({"reqs/CRM-1.md": text})
    run = check(root)
    assert len(run.findings("RF102")) == 2, run.stdout


# --- shapes of front matter ---------------------------------------------------------------

SHAPES: dict[str, tuple[str, str]] = {  # (file content, expected code)
    "empty-file": ("", "RF002"),
    "only-fence": ("---", "RF002"),
    "only-fence-newline": ("---\n", "RF002"),
    "list": ("---\n- id\n- CRM-1\n---\nBody\n", "RF003"),
    "scalar": ("---\njust some text\n---\nBody\n", "RF003"),
    "number": ("---\n42\n---\n", "RF003"),
    "unclosed": ("---\nid: CRM-1\ntitle: x\n", "RF002"),
    "bad-yaml": ("---\nid: CRM-1\ntitle: [oops\n---\n", "RF003"),
    "duplicate-key": ("---\nid: CRM-1\nid: CRM-1\n---\n", "RF003"),
}


SHAPE_FILES = family("SHAPE", {k: text for k, (text, _) in SHAPES.items()})


@pytest.mark.parametrize(
    ("path", "code"),
    list(zip(SHAPE_FILES, [code for _, code in SHAPES.values()], strict=True)),
    ids=SHAPES.keys(),
)
def test_odd_shapes(batch: Batch, path: str, code: str) -> None:
    # verifies: REQ-101
    run = batch("shapes", SHAPE_FILES)
    assert run.code == 1
    assert run.codes(path) == {code}, run.stdout


# --- the file system ----------------------------------------------------------------------

SECRET = "TOP-SECRET-PAYLOAD-4711"


@needs_symlinks
def test_symlink_leading_outside_is_refused(make_repo: Repo, tmp_path: Path) -> None:
    # verifies: REQ-008
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "CRM-9.md").write_text(req("CRM-9", title=f"{SECRET} etc."), encoding="utf-8")
    root = make_repo({"reqs/CRM-1.md": req("CRM-1")})
    os.symlink(outside / "CRM-9.md", root / "reqs" / "CRM-9.md")
    os.symlink(outside, root / "reqs" / "elsewhere", target_is_directory=True)
    text = check(root, fmt="text")
    assert text.code == 1 and "symbolic link leads outside" in text.stdout
    run = checked(root)
    for output in (text.stdout, text.stderr, run.stdout, run.stderr):
        assert SECRET not in output
    for path in ("reqs/CRM-9.md", "reqs/elsewhere"):
        (finding,) = run.findings(path=path)
        assert finding["code"] == "RF001"
        assert "symbolic link leads outside" in finding["message"]
    assert run.codes("reqs/CRM-1.md") == set()


@needs_symlinks
def test_symlink_inside_the_repository_is_followed(make_repo: Repo) -> None:
    root = make_repo({"docs/CRM-1.md": req("CRM-1", title="A user-friendly export")})
    os.symlink(Path("..") / "docs" / "CRM-1.md", root / "reqs" / "CRM-1.md")
    run = checked(root, expected_exit=0)
    assert run.doc()["counts"]["requirements"] == 1
    assert run.codes("reqs/CRM-1.md") == {"RF411"}


@needs_symlinks
def test_symlink_loops_do_not_hang(make_repo: Repo) -> None:
    root = make_repo({"reqs/a/CRM-1.md": req("CRM-1")})
    os.symlink("..", root / "reqs" / "a" / "up", target_is_directory=True)
    os.symlink(".", root / "reqs" / "a" / "here", target_is_directory=True)
    os.symlink("CRM-2.md", root / "reqs" / "CRM-2.md")  # a link to itself
    run = check(root)
    assert run.code in (0, 1), run.stderr
    assert run.seconds < 10
    assert [f["path"] for f in run.findings(path="reqs/a/CRM-1.md")] == []
    assert run.doc()["counts"]["requirements"] == 1


@needs_symlinks
def test_dangling_symlink_is_rf001(make_repo: Repo) -> None:
    # verifies: REQ-101
    root = make_repo({"reqs/CRM-1.md": req("CRM-1")})
    os.symlink("CRM-2-moved.md", root / "reqs" / "CRM-2.md")
    run = check(root)
    assert run.codes("reqs/CRM-2.md") == {"RF001"}, run.stdout


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_named_pipe_does_not_hang(make_repo: Repo) -> None:
    root = make_repo({"reqs/CRM-1.md": req("CRM-1")})
    os.mkfifo(root / "reqs" / "CRM-2.md")
    run = check(root)
    assert run.code in (0, 1)
    assert run.seconds < 10


@needs_symlinks
def test_reqforge_folder_symlinked_outside_gets_no_writes(make_repo: Repo, tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.mkdir()
    root = make_repo({"reqs/CRM-1.md": req("CRM-1")})
    os.symlink(victim, root / ".reqforge", target_is_directory=True)
    checked(root, expected_exit=0)
    assert snapshot(victim) == set()


@not_root
def test_unreadable_file_is_rf001(make_repo: Repo) -> None:
    # verifies: REQ-101
    root = make_repo({"reqs/CRM-1.md": req("CRM-1"), "reqs/CRM-2.md": req("CRM-2")})
    locked = root / "reqs" / "CRM-2.md"
    locked.chmod(0)
    try:
        run = checked(root)
    finally:
        locked.chmod(0o644)
    assert run.codes("reqs/CRM-2.md") == {"RF001"}
    assert run.codes("reqs/CRM-1.md") == set()


def test_unreadable_file_is_rf001_in_process(
    make_repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same as above, also when running as root: reading fails with EACCES."""
    # verifies: REQ-101
    import reqforge.corpus

    real_read = reqforge.corpus._read

    def read(root: str, rel: str, limit: int = -1) -> bytes:
        if rel.endswith("CRM-2.md"):
            raise PermissionError(13, "Permission denied")
        return real_read(root, rel, limit)

    monkeypatch.setattr(reqforge.corpus, "_read", read)
    root = make_repo({"reqs/CRM-1.md": req("CRM-1"), "reqs/CRM-2.md": req("CRM-2")})
    result = CliRunner().invoke(cli, ["--repo", str(root), "check", "--format", "json"])
    assert result.exit_code == 1, result.output
    doc = json.loads(result.stdout)
    found = [(f["path"], f["code"]) for f in doc["findings"]]
    assert found == [("reqs/CRM-2.md", "RF001")]
    assert "Permission denied" in doc["findings"][0]["message"]


def test_unreadable_folder_is_reported(make_repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    # verifies: REQ-101
    root = make_repo({"reqs/a/CRM-1.md": req("CRM-1"), "reqs/b/CRM-2.md": req("CRM-2")})
    real_scandir = os.scandir

    def scandir(path: Any = ".") -> Any:
        if str(path).endswith(os.sep + "b"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = CliRunner().invoke(cli, ["--repo", str(root), "check", "--format", "json"])
    doc = json.loads(result.stdout)
    assert result.exit_code == 1, doc
    assert [(f["path"], f["code"]) for f in doc["findings"]] == [("reqs/b", "RF001")]


# --- configuration and customers ----------------------------------------------------------


def test_non_utf8_config_is_exit_2(make_repo: Repo) -> None:
    # verifies: REQ-003
    root = make_repo({"reqs/CRM-1.md": req("CRM-1")})
    (root / "reqforge.toml").write_bytes('[project]\nname = "Café"\n'.encode("latin-1"))
    run = check(root)
    assert run.code == 2
    assert "reqforge.toml" in run.stderr and "UTF-8" in run.stderr
    assert run.stdout == ""


def test_invalid_toml_is_exit_2_with_the_line(make_repo: Repo) -> None:
    # verifies: REQ-003
    root = make_repo({"reqs/CRM-1.md": req("CRM-1")}, config='[project]\nname = "x"\nreqs_dir =\n')
    run = check(root)
    assert run.code == 2
    assert "reqforge.toml:3:" in run.stderr, run.stderr
    assert run.stdout == ""


def test_binary_config_is_exit_2(make_repo: Repo) -> None:
    # verifies: REQ-003
    root = make_repo({"reqs/CRM-1.md": req("CRM-1")})
    (root / "reqforge.toml").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    run = check(root)
    assert run.code == 2 and "reqforge.toml" in run.stderr


CUSTOMERS: dict[str, tuple[bytes, str]] = {
    "list": (b"- acme\n- globex\n", "RF003"),
    "bad-tier": (b"acme:\n  name: Acme\n  tier: Z\n", "RF102"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "RF001"),
    "python-tag": (b"acme: !!python/name:os.system\n", "RF003"),
    "alias-bomb": (billion_laughs().encode(), "RF004"),
    "deep": (b"a: " + b"[" * 100_000 + b"]" * 100_000 + b"\n", "RF004"),
}


@pytest.mark.parametrize(("content", "code"), CUSTOMERS.values(), ids=CUSTOMERS.keys())
def test_hostile_customers_file(make_repo: Repo, content: bytes, code: str) -> None:
    # verifies: REQ-007
    # verifies: REQ-008
    root = make_repo({"reqs/customers.yaml": content, "reqs/CRM-1.md": req("CRM-1")})
    run = checked(root)
    assert code in run.codes("reqs/customers.yaml"), run.stdout


# --- every format on a nasty repository ---------------------------------------------------


LATIN = "Café ¡é \x1b[2J 导出"
ESCAPES = '"\\x1b]0;pwn\\x07": 1\n"\\x1b[31mred": 2\n'  # terminal escapes in keys


def nasty_repo(make_repo: Repo) -> Path:
    return make_repo(
        {
            "reqs/BOMB-1.md": front("BOMB-1", billion_laughs()),
            "reqs/DEEP-1.md": front("DEEP-1", DEEP["flow-100000"]),
            "reqs/X-1.md": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x1b[31m\x07",
            "reqs/CRM-1.md": req("CRM-1", title=LATIN).encode("latin-1", "replace"),
            "reqs/CRM-2.md": front("CRM-2", f"owner: {TAGS['name']}\n"),
            "reqs/CRM-7.md": front("CRM-7", ESCAPES),
            "reqs/CRM-3.md": req("CRM-3").replace("id: CRM-3", "id: ../../evil <&>\"'"),
            "reqs/a/CRM-4.md": req("CRM-4", links="{parent: [CRM-4], depends-on: [NOPE-1]}"),
            "reqs/b/CRM-4.md": req("CRM-4", title="导出客户账本要快速", links="{parent: [CRM-5]}"),
            "reqs/CRM-5.md": req("CRM-5", title="Print invoices etc.", links="{parent: [CRM-4]}"),
            "reqs/CRM-6.md": "---\n- a list\n---\n",
            "reqs/customers.yaml": b"- not\n- a mapping\n",
        }
    )


def test_every_format_survives_a_nasty_repository(make_repo: Repo) -> None:
    # verifies: REQ-105
    root = nasty_repo(make_repo)
    runs = {fmt: check(root, fmt=fmt) for fmt in ("text", "json", "github", "sarif", "junit")}
    for fmt, run in runs.items():
        assert run.code == 1, (fmt, run.stderr)
        assert run.stdout.strip(), fmt
        if fmt != "github":  # see test_github_format_escapes_control_characters
            assert "\x1b" not in run.stdout and "\x07" not in run.stdout, fmt
    doc = runs["json"].doc()
    paths = {f["path"] for f in doc["findings"]}
    assert {"reqs/BOMB-1.md", "reqs/X-1.md", "reqs/CRM-6.md", "reqs/customers.yaml"} <= paths
    sarif = json.loads(runs["sarif"].stdout)
    assert sarif["version"] == "2.1.0"
    assert len(sarif["runs"][0]["results"]) == len(doc["findings"])
    ET.fromstring(runs["junit"].stdout.encode("utf-8"))
    github = [line for line in runs["github"].stdout.splitlines() if line]
    assert len(github) == len(doc["findings"])
    assert all(line.startswith(("::error ", "::warning ")) for line in github)
    text = runs["text"].stdout
    assert (
        text.rstrip()
        .splitlines()[-1]
        .endswith(f"{doc['counts']['error']} errors, {doc['counts']['warning']} warnings")
    )


def test_github_format_escapes_control_characters(make_repo: Repo) -> None:
    # verifies: REQ-105
    root = make_repo({"reqs/CRM-7.md": front("CRM-7", ESCAPES)})
    run = check(root, fmt="github")
    assert run.code == 0 and run.stdout.count("::warning ") == 2, run.stdout
    assert not any(ch in run.stdout for ch in "\x1b\x07\x00"), run.stdout
