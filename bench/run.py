"""Time reqforge against the floors on a generated corpus; print a Markdown table for the README.

    python bench/run.py [--count 10000] [--runs 7] [--corpus DIR] [--json OUT] [--only KEYS]
                        [--history COMMITS] [--sources FILES]

Every measurement is a whole process (Python start-up included) started with subprocess and timed
with time.perf_counter around it. Rounds are interleaved: each round runs every measurement once,
in the same order, so machine noise falls on all of them alike. Each command gets one untimed
warm-up run first. Peak RSS is each command's own: it runs under GNU time (/usr/bin/time -f %M,
a ~2 MiB process that adds about a millisecond to every measurement alike); without GNU time,
os.wait4's rusage is used, whose figure can be no lower than this runner's own size.

Measurements (keys for --only):

    floor-read         a child Python process reads every reqs/**/*.md (bytes + UTF-8 decode)
    floor-pyyaml       ... and parses each front matter with yaml.load(Loader=yaml.CSafeLoader)
    floor-yaml-rs      ... and parses each front matter with yaml_rs.loads(parse_datetime=False)
    check-cold         reqforge check --format json, after deleting DIR/.reqforge/ (the cache)
    check-cached       the same, cache kept from the previous run
    check-one-change   the same, after appending a line to one file (restored the next round)
    prioritize, list, stats   cached runs of those subcommands; skipped with a note while the
                       subcommand does not exist (usage error, exit code 2)
    fmt-check          reqforge fmt --check: every file checked for canonical order and style
    export-csv, export-json, export-xlsx   reqforge export --to csv / json / xlsx
    export-reqif, export-needs-json        reqforge export --to reqif / needs-json
    trace              reqforge trace --format json, cache kept: links, coverage, orphans and
                       suspect links (no source tree to scan unless --sources; see below)
    build-cold         reqforge build (into DIR/site), after deleting DIR/.reqforge/ and moving
                       DIR/site/ aside (deleted when the benchmark ends)
    build-nochange     the same, caches and site kept from the previous run
    build-one-change   the same, after appending a line to one file (restored the next round)
    build-one-status   the same, after changing one requirement's status (restored the next
                       round): the shared pages that show statuses are rendered again too
    build-one-title    the same, after changing one requirement's title (restored the next
                       round): the pages that show that title are rendered again too

With --history COMMITS the corpus is a git repository built by bench/history.py (the same final
files, reached through COMMITS commits), and the history measurements run too (optional, like
the three above; left out without --history):

    log-cold           reqforge log --format json, after deleting DIR/.reqforge/
    log-cached         the same, cache kept (made current by an untimed log run first)
    log-one-commit     the same, after one new commit touching one requirement (each run adds one)
    diff               reqforge diff HEAD~50..HEAD --format json, caches kept (and made current
                       by untimed check and log runs first)
    check-base         reqforge check --base HEAD~50 --format json, the same

With --sources FILES, bench/sources.py adds a source tree of FILES files with requirement markers
under DIR/src and DIR/tests (and `[trace] scan` to reqforge.toml), and this runs too (left out
without --sources):

    trace-cold         reqforge trace --format json, no cache at all (requirements parsed too)
    trace-scan-cold    the same with the requirements' parse cache warm and the marker cache
                       dropped: what scanning the source tree costs (the issue 6 bar: 3 s)
    trace-cached       the same with both caches kept

More reqforge commands go into REQFORGE_COMMANDS below, one line each.
"""

# implements: REQ-600

from __future__ import annotations

import argparse
import datetime
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

BENCH_DIR = Path(__file__).resolve().parent
GENERATOR = BENCH_DIR / "generate.py"
HISTORY = BENCH_DIR / "history.py"
SOURCES = BENCH_DIR / "sources.py"
MARKER = ".bench-corpus.json"
CACHE_DIR = ".reqforge"
SITE_DIR = "site"  # where the build rows write (the default of `reqforge build`)
EDIT_LINE = b"\nBenchmark edit: this line is appended and removed by bench/run.py.\n"

# --------------------------------------------------------------------------- floor scripts
# The floors find files exactly like this (recursive glob of reqs/**/*.md) and take the front
# matter to be the text between the first line `---` and the next line `---`.

_FLOOR_PRELUDE = '''
import sys
from pathlib import Path


def front_matter(text):
    """Text between the first line `---` and the next `---` line, or None."""
    if not text.startswith("---"):
        return None
    nl = text.find("\\n")
    if nl < 0 or text[3:nl].strip(" \\t\\r"):
        return None
    start = pos = nl
    while True:
        pos = text.find("\\n---", pos)
        if pos < 0:
            return None
        end = text.find("\\n", pos + 4)
        if end < 0:
            end = len(text)
        if not text[pos + 4 : end].strip(" \\t\\r"):
            return text[start + 1 : pos + 1]
        pos = end


paths = sorted(Path(sys.argv[1]).glob("reqs/**/*.md"))
ok = 0
'''

FLOOR_READ = (
    _FLOOR_PRELUDE
    + """
for path in paths:
    text = path.read_bytes().decode("utf-8")
    ok += 1
print(f"files={len(paths)} ok={ok}")
"""
)

FLOOR_PYYAML = (
    _FLOOR_PRELUDE
    + """
import yaml

for path in paths:
    fm = front_matter(path.read_bytes().decode("utf-8"))
    if fm is not None and isinstance(yaml.load(fm, Loader=yaml.CSafeLoader), dict):
        ok += 1
print(f"files={len(paths)} ok={ok}")
"""
)

FLOOR_YAML_RS = (
    _FLOOR_PRELUDE
    + """
import yaml_rs

for path in paths:
    fm = front_matter(path.read_bytes().decode("utf-8"))
    if fm is not None and isinstance(yaml_rs.loads(fm, parse_datetime=False), dict):
        ok += 1
print(f"files={len(paths)} ok={ok}")
"""
)


# --------------------------------------------------------------------------- setups


@dataclass
class Context:
    """State shared by the setup functions during one benchmark."""

    corpus: Path
    edit_path: Path
    edit_original: bytes
    scratch: Path
    timer: str | None = None
    edited: bool = False
    round: int = 0
    # The file whose status `build-one-status` changes (another than `edit_path`).
    status_path: Path | None = None
    status_original: bytes = b""
    status_edited: bool = False
    # The file whose title `build-one-title` changes (another than both above).
    title_path: Path | None = None
    title_original: bytes = b""
    title_edited: bool = False
    last_edit: float = 0.0  # time.time() of the last edit or restore

    def restore(self) -> None:
        """Put the edited files back as generated."""
        if self.edited:
            self.edit_path.write_bytes(self.edit_original)
            self.edited = False
        if self.status_edited and self.status_path is not None:
            self.status_path.write_bytes(self.status_original)
            self.status_edited = False
        if self.title_edited and self.title_path is not None:
            self.title_path.write_bytes(self.title_original)
            self.title_edited = False


Setup = Callable[[Context], None]


def keep_cache(ctx: Context) -> None:
    """Nothing to do: run against whatever cache the previous run left."""


def drop_cache(ctx: Context) -> None:
    """Delete the parse cache so the next run starts cold."""
    shutil.rmtree(ctx.corpus / CACHE_DIR, ignore_errors=True)


def drop_cache_and_site(ctx: Context) -> None:
    """Delete the caches and the site the build rows write: the next build starts cold."""
    # A file edited less than 2 s before a build gives that build no quick key (a later change
    # in the same timestamp tick could leave the file's stats as they are: cache.RACY_NS), so
    # the nothing-changed row after it would load the whole model. A real cold build does not
    # follow an edit that closely: wait out the rest of the 2 s the edit rows left.
    time.sleep(max(0.0, ctx.last_edit + 2.1 - time.time()))
    drop_cache(ctx)
    site = ctx.corpus / SITE_DIR
    # The previous site is moved aside (into the scratch folder, deleted when the benchmark
    # ends), not deleted: on a file system without a journal, ext4 skips every inode freed in
    # the last 30 seconds when it makes a file (`recently_deleted`), so 10,000 files made just
    # after 10,000 were deleted cost ~0.5 ms each, a scan of the freed ones: 5 s of a cold
    # build here that a fresh clone never pays.
    try:
        site.rename(ctx.scratch / f"previous-site-{ctx.round}-{time.monotonic_ns()}")
    except FileNotFoundError:
        pass
    except OSError:  # another file system: delete it after all
        shutil.rmtree(site, ignore_errors=True)
    os.sync()  # the previous build's pages are on disk before the timed build starts


# implements: REQ-602
def edit_one_file(ctx: Context) -> None:
    """Change one requirement's body: append a line, or restore it if the last round appended."""
    ctx.last_edit = time.time()
    if ctx.edited:
        ctx.edit_path.write_bytes(ctx.edit_original)
        ctx.edited = False
    else:
        ctx.edit_path.write_bytes(ctx.edit_original + EDIT_LINE)
        ctx.edited = True


def _toggle(ctx: Context, field: str, change: Callable[[str, Path], str]) -> None:
    """Change one line of the file kept for `field` (`ctx.<field>_path`; `edit_path` when
    none was set) with `change(text, path)`, or restore the file if the last round changed it."""
    path = getattr(ctx, f"{field}_path") or ctx.edit_path
    if not getattr(ctx, f"{field}_path"):
        setattr(ctx, f"{field}_path", path)
        setattr(ctx, f"{field}_original", ctx.edit_original)
    ctx.last_edit = time.time()
    original: bytes = getattr(ctx, f"{field}_original")
    if getattr(ctx, f"{field}_edited"):
        path.write_bytes(original)
        setattr(ctx, f"{field}_edited", False)
        return
    path.write_bytes(change(original.decode("utf-8"), path).encode("utf-8"))
    setattr(ctx, f"{field}_edited", True)


def edit_one_status(ctx: Context) -> None:
    """Change one requirement's status (to in-progress, or accepted when it is in progress),
    or restore the file if the last round changed it. Not the file `edit_one_file` edits."""

    def change(text: str, path: Path) -> str:
        current = re.search(r"^status: *(\S+) *$", text, re.M)
        if current is None:
            raise BenchError(f"{path}: no status line to change")
        new = "accepted" if current.group(1) == "in-progress" else "in-progress"
        return text[: current.start(1)] + new + text[current.end(1) :]

    _toggle(ctx, "status", change)


def edit_one_title(ctx: Context) -> None:
    """Change one requirement's title (a word added at its end), or restore the file if the
    last round changed it: the pages that show that title are rendered again too."""

    def change(text: str, path: Path) -> str:
        current = re.search(r"^title: *(.*?) *$", text, re.M)
        if current is None or not current.group(1):
            raise BenchError(f"{path}: no title line to change")
        # before a closing quote, if the title is quoted
        end = current.end(1) - (1 if current.group(1)[-1] in "'\"" else 0)
        return text[:end] + " revised" + text[end:]

    _toggle(ctx, "title", change)


def _untimed(ctx: Context, args: str) -> None:
    """Run `python -m reqforge --repo DIR ARGS` untimed, output and exit code ignored."""
    subprocess.run(
        [sys.executable, "-m", "reqforge", "--repo", str(ctx.corpus), *shlex.split(args)],
        cwd=ctx.corpus,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )


def warm_history(ctx: Context) -> None:
    """Cache kept and current: an untimed `log` first, since a cold row of another command
    (check-cold, log-cold) deletes all of `.reqforge/` and rounds are interleaved."""
    _untimed(ctx, "log --format json")


def warm_all(ctx: Context) -> None:
    """Both caches kept and current: untimed `check`, then `log` (see warm_history)."""
    _untimed(ctx, "check --format json")
    _untimed(ctx, "log --format json")


def drop_marker_cache(ctx: Context) -> None:
    """The requirements' caches warm (an untimed `check`), the marker-scan cache deleted."""
    _untimed(ctx, "check --format json")
    (ctx.corpus / CACHE_DIR / "cache" / "markers.bin").unlink(missing_ok=True)


_COMMIT_FILES: dict[Path, Path] = {}


def commit_one_change(ctx: Context) -> None:
    """Warm the history cache, then commit a one-line body change to one requirement.

    So the timed run meets exactly one new commit. Not undone: every call (warm-up included)
    adds one more commit on top of the last, as after each `git pull`. The file is not the one
    check-one-change edits. prepare_corpus() resets a reused corpus to the head history.py built.
    """
    warm_history(ctx)
    path = _COMMIT_FILES.get(ctx.corpus)
    if path is None:
        paths = sorted(ctx.corpus.glob("reqs/**/*.md"))
        path = _COMMIT_FILES[ctx.corpus] = paths[(len(paths) // 2 + 1) % len(paths)]
    with path.open("a", encoding="utf-8") as f:
        f.write(f"\nBenchmark commit (round {ctx.round + 1}): one more line by bench/run.py.\n")
    rel = path.relative_to(ctx.corpus).as_posix()
    git = ["git", "-c", "user.name=reqforge bench", "-c", "user.email=bench@example.com"]
    git += ["-c", "commit.gpgsign=false"]
    proc = subprocess.run(
        [*git, "commit", "-q", "--no-verify", "-m", f"Bench: {rel}", "--", rel],
        cwd=ctx.corpus,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode:
        raise BenchError(f"git commit in {ctx.corpus} failed: {proc.stderr.strip()}")


# --------------------------------------------------------------------------- the table


class Cmd(NamedTuple):
    """A reqforge command to time.

    `args` come after `python -m reqforge --repo DIR` (split like a shell; `{corpus}` is
    replaced by the corpus directory). `setup` runs before every run, warm-up included.
    `optional` commands are skipped with a note when they exit with a usage error (code 2),
    e.g. while the subcommand is not written yet. `history` commands need a corpus with git
    history (--history COMMITS) and are left out without one; `sources` commands need a source
    tree (--sources FILES) likewise.
    """

    key: str
    args: str
    setup: Setup
    optional: bool = True
    history: bool = False
    sources: bool = False
    label: str = ""  # what the setup means for this command, when its setup label misleads


SETUP_LABELS: dict[Setup, str] = {
    drop_cache: "cold (no cache)",
    drop_cache_and_site: "cold (no cache, no site)",
    keep_cache: "cached",
    edit_one_file: "one file changed",
    edit_one_status: "one status changed",
    edit_one_title: "one title changed",
    warm_history: "cached",
    warm_all: "cached",
    drop_marker_cache: "marker scan cold",
    commit_one_change: "after one new commit",
}

# One line per reqforge command; the check rows are what SPEC section 10 sets targets for.
# implements: REQ-601
# implements: REQ-602
REQFORGE_COMMANDS: list[Cmd] = [
    Cmd("check-cold", "check --format json", drop_cache, optional=False),
    Cmd("check-cached", "check --format json", keep_cache, optional=False),
    Cmd("check-one-change", "check --format json", edit_one_file, optional=False),
    Cmd("prioritize", "prioritize --format json", keep_cache),
    Cmd("list", "list --format json", keep_cache),
    Cmd("stats", "stats --format json", keep_cache),
    # Authoring (issue 13): every file checked for canonical order and style, none changed.
    Cmd("fmt-check", "fmt --check", keep_cache),
    # Interchange (issue 14): every requirement exported.
    Cmd("export-csv", "export --to csv", keep_cache),
    Cmd("export-json", "export --to json", keep_cache),
    Cmd("export-xlsx", "export --to xlsx -o {corpus}/.reqforge/export.xlsx", keep_cache),
    Cmd("export-reqif", "export --to reqif -o {corpus}/.reqforge/export.reqif", keep_cache),
    Cmd("export-needs-json", "export --to needs-json", keep_cache),
    # Traceability with the cache kept: without --sources there are no markers to scan, so this
    # times links, coverage, orphans and suspect links (bench/scale.py's `trace` row).
    Cmd("trace", "trace --format json", keep_cache),
    # History (issue 5); the corpus is a git repository only with --history COMMITS.
    Cmd("log-cold", "log --format json", drop_cache, history=True),
    Cmd("log-cached", "log --format json", warm_history, history=True),
    Cmd("log-one-commit", "log --format json", commit_one_change, history=True),
    Cmd("log-id-cold", "log CRM-00042 --format json", drop_cache, history=True),
    Cmd("log-id-cached", "log CRM-00042 --format json", warm_history, history=True),
    Cmd("log-id-one-commit", "log CRM-00042 --format json", commit_one_change, history=True),
    Cmd("diff", "diff HEAD~50..HEAD --format json", warm_all, history=True),
    Cmd("check-base", "check --base HEAD~50 --format json", warm_all, history=True),
    # Traceability (issue 6); the corpus has a source tree only with --sources FILES.
    Cmd("trace-cold", "trace --format json", drop_cache, sources=True),
    Cmd("trace-scan-cold", "trace --format json", drop_marker_cache, sources=True),
    Cmd("trace-cached", "trace --format json", keep_cache, sources=True),
    # The static site (issue 12): cold, nothing changed since the last build, one body edited.
    Cmd("build-cold", "build", drop_cache_and_site),
    Cmd("build-nochange", "build", keep_cache, label="nothing changed"),
    Cmd("build-one-change", "build", edit_one_file),
    Cmd("build-one-status", "build", edit_one_status),
    Cmd("build-one-title", "build", edit_one_title),
]

# Targets of SPEC section 10 (10,000 requirements, 2 cores, whole process), in seconds.
# implements: REQ-601
# implements: REQ-602
# implements: REQ-606
# implements: REQ-603
# implements: REQ-604
# implements: REQ-605
TARGETS_S = {
    "check-cold": 1.0,
    "check-cached": 0.5,
    "trace-scan-cold": 3.0,
    "build-cold": 10.0,
    "build-nochange": 1.0,
    "build-one-change": 2.0,
    "build-one-status": 2.0,
    "build-one-title": 2.0,
    "fmt-check": 3.0,
    "export-csv": 5.0,
    "export-json": 5.0,
    "export-xlsx": 15.0,
    "export-reqif": 5.0,
    "export-needs-json": 5.0,
}
TARGET_RSS_MIB = 1024.0


@dataclass
class Measurement:
    """One thing to time, and what was measured."""

    key: str
    label: str
    kind: str  # "floor" or "reqforge"
    argv: list[str]
    setup: Setup
    optional: bool = False
    times_s: list[float] = field(default_factory=list)
    maxrss_kib: list[int] = field(default_factory=list)
    exit_codes: list[int] = field(default_factory=list)
    skipped: str | None = None
    note: str | None = None


def build_measurements(corpus: Path) -> list[Measurement]:
    """All measurements in round order: the floors, then the reqforge commands."""
    py = sys.executable
    floors = [
        ("floor-read", "floor A: read every file (bytes + UTF-8)", FLOOR_READ),
        ("floor-pyyaml", "floor B: read + front matter, PyYAML CSafeLoader", FLOOR_PYYAML),
        ("floor-yaml-rs", "floor C: read + front matter, yaml_rs", FLOOR_YAML_RS),
    ]
    out = [
        Measurement(key, label, "floor", [py, "-c", script, str(corpus)], keep_cache)
        for key, label, script in floors
    ]
    for cmd in REQFORGE_COMMANDS:
        args = [a.replace("{corpus}", str(corpus)) for a in shlex.split(cmd.args)]
        argv = [py, "-m", "reqforge", "--repo", str(corpus), *args]
        # History rows show their arguments (check-base is not check-cached), and so do rows
        # whose options tell them apart (fmt --check, export --to csv); others the command.
        told_apart = cmd.history or cmd.args.split()[0] in ("fmt", "export")
        shown = cmd.args.replace(" --format json", "") if told_apart else cmd.args.split()[0]
        shown = shown.split(" -o ")[0]  # where a row writes its file is not what it measures
        setup = cmd.label or SETUP_LABELS.get(cmd.setup, cmd.setup.__name__)
        label = f"`reqforge {shown}`, {setup}"
        out.append(Measurement(cmd.key, label, "reqforge", argv, cmd.setup, cmd.optional))
    return out


# --------------------------------------------------------------------------- running


class BenchError(Exception):
    """A command failed in a way that makes the figures meaningless."""


@dataclass
class RunResult:
    """One finished child process."""

    seconds: float
    maxrss_kib: int
    returncode: int
    stdout: bytes
    stderr: bytes


GNU_TIME = "/usr/bin/time"
# On stderr, these mean the command crashed, whatever its exit code (reqforge reports an
# unexpected exception as "reqforge: internal error: ..." and exit code 1 unless --debug).
CRASH_MARKERS = (b"Traceback (most recent call last)", b"reqforge: internal error")


def find_gnu_time(scratch: Path) -> str | None:
    """GNU time's path if it works here (`-f %M -o FILE`), else None."""
    out = scratch / "probe.rss"
    try:
        subprocess.run(
            [GNU_TIME, "-f", "%M", "-o", str(out), "true"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=True,
            timeout=10,
        )
        int(out.read_text(encoding="utf-8").split()[-1])
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        return None
    return GNU_TIME


def compile_bytecode() -> None:
    """Time reqforge as installed: with its modules' bytecode written (pip compiles a wheel's
    modules when it installs them). An editable install is compiled here, and the commands run
    without PYTHONDONTWRITEBYTECODE, which would make every process compile every module it
    imports from source (0.1-0.2 s a process)."""
    import compileall

    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    spec = importlib.util.find_spec("reqforge")
    if spec is not None and spec.submodule_search_locations:
        for folder in spec.submodule_search_locations:
            compileall.compile_dir(folder, quiet=1)


# implements: REQ-606
def run_once(argv: list[str], ctx: Context) -> RunResult:
    """Run argv as a whole process in the corpus; time it and read its peak RSS.

    A child's ru_maxrss also counts the memory image it was forked from, so measured straight
    from this runner every figure would be at least the runner's own size. Under GNU time
    (a ~2 MiB process that forks the command and reports its %M) the figure is the command's
    own; without it, os.wait4's rusage of the child is used and the runner's size is a floor.
    """
    rss_file = ctx.scratch / "run.rss"
    full = [ctx.timer, "-f", "%M", "-o", str(rss_file), *argv] if ctx.timer else argv
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            full, cwd=ctx.corpus, stdin=subprocess.DEVNULL, stdout=out, stderr=err
        )
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if ctx.timer:
        lines = rss_file.read_text(encoding="utf-8").splitlines()
        for line in lines:
            if line.startswith("Command terminated by signal"):
                returncode = -int(line.split()[-1])
        rss = int(lines[-1])
    else:
        # ru_maxrss is KiB on Linux, bytes on macOS.
        rss = usage.ru_maxrss // 1024 if sys.platform == "darwin" else usage.ru_maxrss
    return RunResult(seconds, rss, returncode, stdout, stderr)


def _command(m: Measurement) -> str:
    return "python " + shlex.join(m.argv[1:])


def _tail(data: bytes, lines: int = 15) -> str:
    text = data.decode("utf-8", "replace").rstrip()
    return "\n".join("    " + line for line in text.splitlines()[-lines:])


def validate(m: Measurement, result: RunResult, count: int, first: bool) -> None:
    """Raise BenchError if the run crashed or misbehaved; on warm-up, also check the output."""
    crashed = result.returncode < 0 or any(mark in result.stderr for mark in CRASH_MARKERS)
    if m.kind == "floor":
        expected = f"files={count} ok={count}"
        got = result.stdout.decode("utf-8", "replace").strip()
        if result.returncode != 0 or crashed or got != expected:
            raise BenchError(
                f"{m.key} failed (exit code {result.returncode}, output {got!r}, expected "
                f"{expected!r}):\n{_tail(result.stderr)}"
            )
        return
    if crashed:
        raise BenchError(
            f"{m.key} crashed (exit code {result.returncode}): {_command(m)}\n"
            f"{_tail(result.stderr)}"
        )
    if result.returncode == 2:
        raise BenchError(
            f"{m.key} exited with code 2 (usage or configuration error): "
            f"{_command(m)}\n{_tail(result.stderr)}"
        )
    if result.returncode not in (0, 1):
        raise BenchError(
            f"{m.key} exited with unexpected code {result.returncode}\n{_tail(result.stderr)}"
        )
    if m.key.startswith("check"):
        note = describe_check_output(result, count)
        if note is None:
            raise BenchError(
                f"{m.key} exited with code {result.returncode} without check's JSON on stdout: "
                f"{_command(m)}\n{_tail(result.stderr)}"
            )
        if first:
            m.note = note
    elif first and result.returncode != 0:
        lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
        m.note = f"exit code {result.returncode}: {lines[-1] if lines else 'no message'}"


def describe_check_output(result: RunResult, count: int) -> str | None:
    """Summarise `check --format json` output (None if it is not that JSON shape).

    The summary warns if check did not see every requirement.
    """
    try:
        data = json.loads(result.stdout)
        counts = data["counts"]
        seen = counts["requirements"]
    except (ValueError, KeyError, TypeError):
        return None
    summary = (
        f"exit code {result.returncode}, {seen} requirements, "
        f"{counts.get('error', '?')} errors, {counts.get('warning', '?')} warnings"
    )
    if seen != count:
        summary += f"; WARNING: expected {count} requirements"
    return summary


def warm_up(m: Measurement, ctx: Context, count: int) -> None:
    """One untimed run; an optional command with a usage error is marked skipped."""
    m.setup(ctx)
    result = run_once(m.argv, ctx)
    crashed = any(mark in result.stderr for mark in CRASH_MARKERS)
    if m.optional and result.returncode == 2 and not crashed:
        lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = lines[-1] if lines else "no message"
        m.skipped = f"usage error (exit code 2): {reason}"
        return
    validate(m, result, count, first=True)


def run_benchmark(measurements: list[Measurement], ctx: Context, runs: int, count: int) -> None:
    """Warm every command up once, then time `runs` interleaved rounds."""
    for m in measurements:
        print(f"warm-up: {m.key}", file=sys.stderr, flush=True)
        warm_up(m, ctx, count)
        if m.skipped:
            print(f"  skipped: {m.skipped}", file=sys.stderr)
    active = [m for m in measurements if not m.skipped]
    for r in range(runs):
        ctx.round = r
        parts = []
        for m in active:
            m.setup(ctx)
            result = run_once(m.argv, ctx)
            validate(m, result, count, first=False)
            m.times_s.append(result.seconds)
            m.maxrss_kib.append(result.maxrss_kib)
            m.exit_codes.append(result.returncode)
            parts.append(f"{m.key} {result.seconds:.3f}s")
        print(f"round {r + 1}/{runs}: " + ", ".join(parts), file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- corpus


def _load_generate() -> Callable[..., None]:
    spec = importlib.util.spec_from_file_location("reqforge_bench_generate", GENERATOR)
    if spec is None or spec.loader is None:
        raise BenchError(f"cannot load {GENERATOR}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate


def _load_history() -> Callable[..., Any]:
    spec = importlib.util.spec_from_file_location("reqforge_bench_history", HISTORY)
    if spec is None or spec.loader is None:
        raise BenchError(f"cannot load {HISTORY}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module.build_history


def _marker_data(count: int, seed: int, history: int = 0, sources: int = 0) -> dict[str, Any]:
    digest = hashlib.sha256(GENERATOR.read_bytes()).hexdigest()
    data: dict[str, Any] = {"count": count, "seed": seed, "generator_sha256": digest}
    if history:
        data["history_commits"] = history
        data["history_sha256"] = hashlib.sha256(HISTORY.read_bytes()).hexdigest()
    if sources:
        data["source_files"] = sources
        data["sources_sha256"] = hashlib.sha256(SOURCES.read_bytes()).hexdigest()
    return data


def _load_sources() -> Any:
    spec = importlib.util.spec_from_file_location("reqforge_bench_sources", SOURCES)
    if spec is None or spec.loader is None:
        raise BenchError(f"cannot load {SOURCES}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


def _restore_head(corpus: Path, head: Any) -> bool:
    """Reset a reused history corpus to the commit history.py built (log-one-commit adds some).

    False if that is not possible (no such commit recorded or in the repository).
    """
    if not isinstance(head, str) or not head:
        return False
    now = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=corpus, capture_output=True, text=True, check=False
    )
    if now.returncode == 0 and now.stdout.strip() == head:
        return True
    print(f"resetting {corpus} to {head[:12]} (dropping benchmark commits)", file=sys.stderr)
    reset = subprocess.run(
        ["git", "reset", "-q", "--hard", head], cwd=corpus, capture_output=True, check=False
    )
    return reset.returncode == 0


def _read_marker(corpus: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((corpus / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write_marker(corpus: Path, data: dict[str, Any], dirty: bool) -> None:
    (corpus / MARKER).write_text(json.dumps({**data, "dirty": dirty}) + "\n", encoding="utf-8")


def prepare_corpus(corpus: Path, count: int, seed: int, history: int = 0, sources: int = 0) -> bool:
    """Reuse `corpus` if its marker records this count, seed and generator; else regenerate.

    With `history` commits, the corpus is a git repository built by history.py; the marker also
    records the commit count, history.py (by hash) and the head it built, to which a reused
    corpus is reset. With `sources` files, sources.py then adds its source tree (untracked in a
    history corpus) and `[trace]` to reqforge.toml; the marker records the file count and
    sources.py (by hash), and a reused corpus gets `[trace]` again if a reset dropped it.
    Returns True if the corpus was generated. A non-empty directory without a marker is refused
    rather than deleted, since generate() replaces the directory.
    """
    wanted = _marker_data(count, seed, history, sources)
    marker = _read_marker(corpus)
    if (
        marker is not None
        and all(marker.get(key) == value for key, value in wanted.items())
        and marker.get("history_commits", 0) == history
        and marker.get("source_files", 0) == sources
        and not marker.get("dirty")
        and (not history or _restore_head(corpus, marker.get("head")))
    ):
        if sources:
            try:
                _load_sources().add_trace_table(corpus)  # `git reset --hard` reverts it
            except (OSError, ValueError) as exc:
                raise BenchError(f"bench/sources.py failed: {exc}") from exc
        return False
    if corpus.exists() and marker is None and any(corpus.iterdir()):
        raise BenchError(
            f"{corpus} exists, is not empty and has no {MARKER}: not a benchmark corpus, "
            "refusing to replace it; choose another --corpus"
        )
    if history:
        print(
            f"generating {count} requirements with {history} commits of history (seed {seed}) "
            f"in {corpus}",
            file=sys.stderr,
        )
        try:
            stats = _load_history()(count, history, corpus, seed)
        except (RuntimeError, ValueError) as exc:
            raise BenchError(f"bench/history.py failed: {exc}") from exc
        print(
            f"  {stats.commits} commits ({stats.merges} merges) in {stats.seconds:.1f} s",
            file=sys.stderr,
        )
        wanted["head"] = stats.head
    else:
        print(f"generating {count} requirements (seed {seed}) in {corpus}", file=sys.stderr)
        _load_generate()(count, corpus, seed)
    if sources:
        print(f"adding {sources} source files (bench/sources.py)", file=sys.stderr)
        try:
            src = _load_sources().add_sources(sources, corpus, seed)
        except (OSError, ValueError) as exc:
            raise BenchError(f"bench/sources.py failed: {exc}") from exc
        print(
            f"  {src.files} files ({src.tests} tests), {src.markers} markers in "
            f"{src.marked_files} files, {src.bytes / 1e6:.1f} MB",
            file=sys.stderr,
        )
    _write_marker(corpus, wanted, dirty=False)
    return True


def pick_edit_file(corpus: Path, offset: int = 0) -> Path:
    """A requirement in the middle of the sorted file list: the one `one change` edits (the
    next one, with `offset` 1, is the one `one status changed` edits, the one after that the
    one `one title changed` edits)."""
    paths = sorted(corpus.glob("reqs/**/*.md"))
    if not paths:
        raise BenchError(f"no reqs/**/*.md under {corpus}")
    return paths[(len(paths) // 2 + offset) % len(paths)]


# --------------------------------------------------------------------------- report


def machine_info() -> dict[str, Any]:
    """nproc, CPU model, OS, Python and library versions."""
    try:
        nproc = len(os.sched_getaffinity(0))
    except AttributeError:
        nproc = os.cpu_count() or 0
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass

    def version(dist: str) -> str:
        try:
            return importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            return "not installed"

    return {
        "nproc": nproc,
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu,
        "os": platform.platform(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "python_executable": sys.executable,
        "reqforge": version("reqforge"),
        "pyyaml": version("pyyaml"),
        "yaml_rs": version("yaml-rs"),
    }


def summarise(m: Measurement) -> dict[str, Any]:
    """Raw and summary figures of one measurement, for the JSON output."""
    data: dict[str, Any] = {
        "label": m.label,
        "kind": m.kind,
        "argv": m.argv[1:] if m.kind == "reqforge" else ["-c", f"<{m.key} script>", m.argv[-1]],
        "skipped": m.skipped,
        "note": m.note,
        "times_s": m.times_s,
        "maxrss_kib": m.maxrss_kib,
        "exit_codes": m.exit_codes,
    }
    if m.times_s:
        data.update(
            median_s=statistics.median(m.times_s),
            min_s=min(m.times_s),
            max_s=max(m.times_s),
            peak_rss_mib=max(m.maxrss_kib) / 1024,
        )
    return data


RATIOS = [
    ("check cold / floor B (PyYAML)", "check-cold", "floor-pyyaml"),
    ("check cold / floor C (yaml_rs)", "check-cold", "floor-yaml-rs"),
    ("check cached / check cold", "check-cached", "check-cold"),
    ("check one change / check cold", "check-one-change", "check-cold"),
]


def ratios(figures: dict[str, dict[str, Any]]) -> dict[str, float]:
    """Ratios of medians, where both sides were measured."""
    out = {}
    for label, num, den in RATIOS:
        if "median_s" in figures.get(num, {}) and "median_s" in figures.get(den, {}):
            out[label] = figures[num]["median_s"] / figures[den]["median_s"]
    return out


# implements: REQ-600
def _target_cell(key: str, fig: dict[str, Any], count: int) -> str:
    if count != 10_000 or "median_s" not in fig:
        return ""
    cells = []
    if key in TARGETS_S:
        limit = TARGETS_S[key]
        cells.append(f"≤ {limit:g} s: {'met' if fig['median_s'] <= limit else 'MISSED'}")
    if fig["kind"] == "reqforge" and fig["peak_rss_mib"] > TARGET_RSS_MIB:
        cells.append("RSS > 1 GiB: MISSED")
    return "; ".join(cells)


def markdown(report: dict[str, Any]) -> str:
    """The README table: measurements, ratios, machine, date and notes."""
    cfg, mach, figures = report["config"], report["machine"], report["measurements"]
    history = cfg.get("history_commits")
    with_history = f"; {history:,} commits of git history, `bench/history.py`" if history else ""
    files = cfg.get("source_files")
    with_history += f"; {files:,} source files, `bench/sources.py`" if files else ""
    lines = [
        f"Benchmark of {cfg['count']:,} generated requirements (`bench/generate.py`, seed "
        f"{cfg['seed']}{with_history}), {report['date']}. Whole processes, {cfg['runs']} runs "
        "each, interleaved round-robin after one warm-up run; files in the OS page cache. "
        + (
            "Peak RSS via GNU time: the largest single process of the command's tree "
            "(forked workers are not summed)."
            if cfg["rss_method"] != "os.wait4"
            else "Peak RSS via os.wait4, which counts the runner's own size as a floor."
        ),
        "",
        f"Machine: {mach['nproc']} CPUs (nproc), {mach['cpu_model']}; {mach['os']}; "
        f"{mach['python']}; reqforge {mach['reqforge']}, PyYAML {mach['pyyaml']}, "
        f"yaml-rs {mach['yaml_rs']}.",
        "",
    ]
    show_target = cfg["count"] == 10_000
    head = "| measurement | median (s) | min (s) | max (s) | peak RSS (MiB) |"
    rule = "|---|---:|---:|---:|---:|"
    if show_target:
        head += " SPEC §10 target |"
        rule += "---|"
    lines += [head, rule]
    for key, fig in figures.items():
        if "median_s" not in fig:
            continue
        row = (
            f"| {fig['label']} | {fig['median_s']:.3f} | {fig['min_s']:.3f} | "
            f"{fig['max_s']:.3f} | {fig['peak_rss_mib']:.0f} |"
        )
        if show_target:
            row += f" {_target_cell(key, fig, cfg['count'])} |"
        lines.append(row)
    if report["ratios"]:
        lines += ["", "| ratio of medians | value |", "|---|---:|"]
        lines += [f"| {label} | {value:.2f}× |" for label, value in report["ratios"].items()]
    by_note: dict[str, list[str]] = {}
    for key, fig in figures.items():
        if fig.get("note"):
            by_note.setdefault(fig["note"], []).append(f"`{key}`")
    notes = [f"{', '.join(keys)}: {note}" for note, keys in by_note.items()]
    notes += [
        f"`{key}` skipped: {fig['skipped']}" for key, fig in figures.items() if fig["skipped"]
    ]
    if notes:
        lines += ["", *[f"- {n}" for n in notes]]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="requirements (10000)")
    parser.add_argument("--runs", type=int, default=7, help="timed runs per measurement (7)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (1)")
    parser.add_argument(
        "--corpus",
        type=Path,
        help="corpus directory, reused if its marker matches (default: a folder in the temp dir)",
    )
    parser.add_argument("--json", type=Path, metavar="OUT", help="write the raw figures here")
    parser.add_argument(
        "--only",
        metavar="KEYS",
        help="comma-separated measurement keys, e.g. floor-read,check-cold",
    )
    parser.add_argument(
        "--history",
        type=int,
        default=0,
        metavar="COMMITS",
        help="build the corpus as a git repository with this many commits (bench/history.py) "
        "and time the history commands too (0: no history)",
    )
    parser.add_argument(
        "--sources",
        type=int,
        default=0,
        metavar="FILES",
        help="add a source tree of this many files with requirement markers (bench/sources.py) "
        "and time `trace` too (0: no source tree)",
    )
    args = parser.parse_args(argv)
    if args.count < 1 or args.runs < 1:
        parser.error("--count and --runs must be at least 1")
    if args.history < 0:
        parser.error("--history must be 0 or more")
    if args.sources < 0:
        parser.error("--sources must be 0 or more")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print the Markdown report. Returns the exit code."""
    args = parse_args(argv)
    compile_bytecode()
    name = f"reqforge-bench-{args.count}-s{args.seed}" + (
        f"-h{args.history}" if args.history else ""
    )
    name += f"-src{args.sources}" if args.sources else ""
    corpus = (args.corpus or Path(tempfile.gettempdir()) / name).resolve()
    history_keys = {cmd.key for cmd in REQFORGE_COMMANDS if cmd.history}
    sources_keys = {cmd.key for cmd in REQFORGE_COMMANDS if cmd.sources}
    only = {k.strip() for k in args.only.split(",")} if args.only else set()
    try:
        if not args.history and history_keys & only:
            raise BenchError("history measurements need a corpus with history: add --history N")
        if not args.sources and sources_keys & only:
            raise BenchError("trace measurements need a source tree: add --sources N")
        prepare_corpus(corpus, args.count, args.seed, args.history, args.sources)
        measurements = build_measurements(corpus)
        if args.only:
            keys = {k.strip() for k in args.only.split(",") if k.strip()}
            unknown = keys - {m.key for m in measurements}
            if unknown:
                raise BenchError(
                    f"unknown --only keys: {', '.join(sorted(unknown))}; known: "
                    + ", ".join(m.key for m in measurements)
                )
            measurements = [m for m in measurements if m.key in keys]
        if not args.history:
            measurements = [m for m in measurements if m.key not in history_keys]
        if not args.sources:
            measurements = [m for m in measurements if m.key not in sources_keys]
        edit_path = pick_edit_file(corpus)
        status_path = pick_edit_file(corpus, 1)
        title_path = pick_edit_file(corpus, 2)
        marker = {k: v for k, v in (_read_marker(corpus) or {}).items() if k != "dirty"}
        with tempfile.TemporaryDirectory(prefix="reqforge-bench-") as scratch:
            ctx = Context(corpus, edit_path, edit_path.read_bytes(), Path(scratch))
            ctx.status_path, ctx.status_original = status_path, status_path.read_bytes()
            ctx.title_path, ctx.title_original = title_path, title_path.read_bytes()
            ctx.timer = find_gnu_time(ctx.scratch)
            _write_marker(corpus, marker, dirty=True)
            try:
                run_benchmark(measurements, ctx, args.runs, args.count)
            finally:
                ctx.restore()
                _write_marker(corpus, marker, dirty=False)
    except BenchError as exc:
        print(f"bench/run.py: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench/run.py: interrupted", file=sys.stderr)
        return 130

    figures = {m.key: summarise(m) for m in measurements}
    report = {
        "date": datetime.date.today().isoformat(),
        "machine": machine_info(),
        "config": {
            "count": args.count,
            "seed": args.seed,
            "runs": args.runs,
            "history_commits": args.history,
            "source_files": args.sources,
            "corpus": str(corpus),
            "rss_method": f"{ctx.timer} -f %M" if ctx.timer else "os.wait4",
        },
        "measurements": figures,
        "ratios": ratios(figures),
    }
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", "utf-8")
    sys.stdout.write(markdown(report))
    missed = missed_bars(figures, args.count)
    for line in missed:
        print(f"bench/run.py: bar missed: {line}", file=sys.stderr)
    return 1 if missed else 0


# implements: REQ-600
def missed_bars(figures: dict[str, dict[str, Any]], count: int) -> list[str]:
    """One line per bar a measurement missed (bars hold for the 10,000-requirement corpus)."""
    if count != 10_000:
        return []
    out = []
    for key, fig in figures.items():
        if "median_s" not in fig:
            continue
        if key in TARGETS_S and fig["median_s"] > TARGETS_S[key]:
            out.append(f"{key}: median {fig['median_s']:.3f} s > {TARGETS_S[key]:g} s")
        if fig.get("kind") == "reqforge" and fig.get("peak_rss_mib", 0) > TARGET_RSS_MIB:
            out.append(f"{key}: peak RSS {fig['peak_rss_mib']} MiB > {TARGET_RSS_MIB} MiB")
    return out


if __name__ == "__main__":
    sys.exit(main())
