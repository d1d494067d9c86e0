"""Time reqforge side by side with Doorstop, StrictDoc and sphinx-needs on the same requirements.

    python bench/compare.py [--count 1000 | --full] [--runs 3] [--seed 1] [--work DIR]
                            [--json OUT] [--readme PATH | --no-readme] [--only TOOLS]

(also `bench/run --compare ...`, which hands the remaining arguments to `main`).

1. Installs each peer into its own virtual environment under WORK/venvs (python -m venv, pip,
   the versions pinned in PINS, which were checked to exist with `pip index versions`); a venv
   with the same pins is reused. Nothing is installed into reqforge's environment.
2. Generates the corpus with bench/generate.py into WORK/corpus-<count>-s<seed>/reqforge and
   writes the same requirements for each peer with bench/peers/ (doorstop, strictdoc, sphinx).
   Each of the four trees is a git repository, as a user's would be (Doorstop needs one to find
   its root). A corpus whose marker records the same count, seed and generators is reused.
3. Times whole processes (wall time with time.perf_counter around each, peak RSS with GNU
   `/usr/bin/time -f %M`, else os.wait4's rusage), in each tool's tree, output captured:

       reqforge   check-cold         python -m reqforge check --format json, no .reqforge/
                  build-cold         python -m reqforge build, no .reqforge/, site moved aside
                  build-nochange     the same again, nothing changed
                  build-one-change   the same after one requirement's body got a line
       doorstop   validate           doorstop (validation of the whole tree), in its root
                  publish            doorstop publish all OUT, OUT moved aside
       strictdoc  export-cold        strictdoc export --formats html, no output folder and no
                                     cache (0.30 keeps it in OUT/_cache; older versions'
                                     $TMPDIR/strictdoc_cache is deleted too)
                  export-cached      the same again, nothing changed
       sphinx     build-cold         sphinx-build -b html SRC OUT, OUT (and its .doctrees) moved
                  build-nochange     the same again, nothing changed
                  build-one-change   the same after the same requirement's body got a line

   Rounds run tool by tool, each round every row of the tool in the order above; one untimed
   warm-up round first. Every run is checked, untimed, to have processed every requirement:
   exit code, check's JSON count, one page per requirement in reqforge's site, one item
   heading per UID in Doorstop's HTML, one node per UID in StrictDoc's document pages, one
   need per ID in Sphinx's pages, the edited text in the edited requirement's page. A run that
   fails a check stops the comparison with exit code 1 rather than report a wrong figure.

   --runs R (3) timed rounds for every tool. With --full (10,000 requirements) the peers run
   one timed round and no warm-up round (their cold rows take minutes each); --peer-runs
   overrides that.
4. Prints the medians, the output size of each site, and the ratios the issue sets bars on
   (peer median / reqforge median): check cold vs Doorstop validation >= 250x; cold build vs
   Doorstop publish, vs StrictDoc cold export >= 30x, vs sphinx-needs cold >= 18x; no-change
   build vs StrictDoc cached >= 7x, vs sphinx-needs no change >= 16x. The bars are SPEC
   section 10's, set for 10,000 requirements: at another count the ratios are printed and
   marked "not judged". Writes the Markdown block into the README between
   `<!-- bench-compare:start -->` and `<!-- bench-compare:end -->` (unless --no-readme), and
   exits with 1 when a bar is missed, after writing everything.
"""

# implements: REQ-612

from __future__ import annotations

import argparse
import datetime
import hashlib
import importlib
import importlib.metadata
import importlib.util
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
GENERATOR = BENCH_DIR / "generate.py"
PEERS_DIR = BENCH_DIR / "peers"
README = REPO_DIR / "README.md"
START = "<!-- bench-compare:start -->"
END = "<!-- bench-compare:end -->"
FULL_COUNT = 10_000
SPHINX_SKIP = (".doctrees", ".buildinfo")
MARKER = ".compare-corpus.json"
TIMEOUT_S = 4 * 3600  # one process; Doorstop's publish of 10,000 items takes ~10 minutes
EDIT_TEXT = "Benchmark edit: this line is added and removed by bench/compare.py."

# The peers' pinned versions (each checked with `pip index versions NAME`), the distributions
# whose versions the report shows, and the console script that runs each.
PINS: dict[str, list[str]] = {
    "doorstop": ["doorstop==3.2"],
    "strictdoc": ["strictdoc==0.30.4"],
    "sphinx-needs": ["sphinx==9.0.4", "sphinx-needs==9.1.0"],
}
SHOWN_DISTS: dict[str, list[str]] = {
    "doorstop": ["doorstop", "markdown", "pyyaml"],
    "strictdoc": ["strictdoc", "textx", "docutils"],
    "sphinx-needs": ["sphinx", "sphinx-needs", "docutils"],
}
TOOLS = ["reqforge", "doorstop", "strictdoc", "sphinx-needs"]
TOOL_ALIASES = {"sphinx": "sphinx-needs", "needs": "sphinx-needs", "sphinx_needs": "sphinx-needs"}

# (label, peer row, reqforge row, bar): the ratio is peer median / reqforge median.
# implements: REQ-601
# implements: REQ-603
# implements: REQ-604
BARS: list[tuple[str, str, str, float]] = [
    ("check cold vs Doorstop validation", "doorstop/validate", "reqforge/check-cold", 250.0),
    ("build cold vs Doorstop publish", "doorstop/publish", "reqforge/build-cold", 30.0),
    ("build cold vs StrictDoc export cold", "strictdoc/export-cold", "reqforge/build-cold", 30.0),
    ("build cold vs sphinx-needs cold", "sphinx-needs/build-cold", "reqforge/build-cold", 18.0),
    (
        "no-change build vs StrictDoc export cached",
        "strictdoc/export-cached",
        "reqforge/build-nochange",
        7.0,
    ),
    (
        "no-change build vs sphinx-needs no change",
        "sphinx-needs/build-nochange",
        "reqforge/build-nochange",
        16.0,
    ),
]


class CompareError(Exception):
    """Something that makes the figures meaningless: stop and say what."""


# --------------------------------------------------------------------------- modules


def _load(name: str, path: Path) -> ModuleType:
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise CompareError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def load_generate() -> ModuleType:
    """bench/generate.py as a module."""
    return _load("reqforge_bench_generate", GENERATOR)


def load_runner() -> ModuleType:
    """bench/run.py as a module (its `compile_bytecode`: reqforge timed as installed)."""
    return _load("reqforge_bench_run", BENCH_DIR / "run.py")


def load_peer(name: str) -> ModuleType:
    """bench/peers/<name>.py, in the package `reqforge_bench_peers` (bench/ is no package)."""
    package = "reqforge_bench_peers"
    if package not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            package, PEERS_DIR / "__init__.py", submodule_search_locations=[str(PEERS_DIR)]
        )
        if spec is None or spec.loader is None:
            raise CompareError(f"cannot load {PEERS_DIR}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[package] = module
        spec.loader.exec_module(module)
    return importlib.import_module(f"{package}.{name}")


# --------------------------------------------------------------------------- venvs


def _venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def venv_bin(venv: Path, script: str) -> str:
    """A console script of the venv."""
    return str(venv / ("Scripts" if os.name == "nt" else "bin") / script)


def ensure_venv(work: Path, tool: str) -> Path:
    """The venv of `tool` with its pins installed: reused if its marker records the same pins
    and its Python runs, else made afresh."""
    pins = PINS[tool]
    venv = work / "venvs" / tool
    marker = venv / "reqforge-bench-pins.json"
    try:
        recorded = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        recorded = None
    if recorded == pins and _venv_python(venv).exists():
        ok = subprocess.run(
            [str(_venv_python(venv)), "-c", "pass"], capture_output=True, check=False
        )
        if ok.returncode == 0:
            return venv
    print(f"installing {' '.join(pins)} into {venv}", file=sys.stderr, flush=True)
    shutil.rmtree(venv, ignore_errors=True)
    venv.parent.mkdir(parents=True, exist_ok=True)
    steps = [
        [sys.executable, "-m", "venv", str(venv)],
        [
            str(_venv_python(venv)),
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            *pins,
        ],
    ]
    for step in steps:
        proc = subprocess.run(step, capture_output=True, text=True, check=False)
        if proc.returncode:
            raise CompareError(
                f"{' '.join(step[:4])} ... failed (exit code {proc.returncode}):\n"
                + _tail(proc.stderr.encode())
            )
    marker.write_text(json.dumps(pins) + "\n", encoding="utf-8")
    return venv


def venv_versions(venv: Path, dists: list[str]) -> dict[str, str]:
    """Installed versions of `dists` in the venv (its Python, not ours)."""
    code = (
        "import importlib.metadata as m, json, sys\n"
        "out = {}\n"
        "for d in sys.argv[1:]:\n"
        "    try: out[d] = m.version(d)\n"
        "    except m.PackageNotFoundError: out[d] = 'not installed'\n"
        "print(json.dumps(out))\n"
    )
    proc = subprocess.run(
        [str(_venv_python(venv)), "-c", code, *dists], capture_output=True, text=True, check=False
    )
    if proc.returncode:
        raise CompareError(f"cannot read versions in {venv}:\n{_tail(proc.stderr.encode())}")
    versions: dict[str, str] = json.loads(proc.stdout)
    return versions


# --------------------------------------------------------------------------- corpus


def git_repo(path: Path, message: str) -> None:
    """Make `path` a git repository with everything committed."""
    git = ["git", "-c", "user.name=reqforge bench", "-c", "user.email=bench@example.com"]
    git += ["-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "--no-verify", "-m", message]):
        proc = subprocess.run([*git, *args], cwd=path, capture_output=True, text=True, check=False)
        if proc.returncode:
            raise CompareError(f"git {args[0]} in {path} failed: {proc.stderr.strip()}")


def _generators_digest() -> str:
    digest = hashlib.sha256()
    for path in [GENERATOR, *sorted(PEERS_DIR.glob("*.py"))]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@dataclass
class Corpus:
    """The four trees of one corpus and where the outputs go."""

    root: Path
    count: int
    ids: list[str] = field(default_factory=list)

    @property
    def reqforge(self) -> Path:
        return self.root / "reqforge"

    @property
    def doorstop(self) -> Path:
        return self.root / "doorstop"

    @property
    def strictdoc(self) -> Path:
        return self.root / "strictdoc"

    @property
    def sphinx(self) -> Path:
        return self.root / "sphinx"

    @property
    def out(self) -> Path:
        return self.root / "out"

    @property
    def trash(self) -> Path:
        return self.root / "trash"


def _write_marker(root: Path, data: dict[str, Any], dirty: bool) -> None:
    (root / MARKER).write_text(json.dumps({**data, "dirty": dirty}) + "\n", encoding="utf-8")


def prepare_corpus(work: Path, count: int, seed: int) -> Corpus:
    """Generate the corpus and the peers' trees (or reuse them, see the module docstring)."""
    root = work / f"corpus-{count}-s{seed}"
    corpus = Corpus(root, count)
    wanted = {"count": count, "seed": seed, "generators_sha256": _generators_digest()}
    try:
        marker = json.loads((root / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        marker = None
    if not (
        isinstance(marker, dict)
        and all(marker.get(k) == v for k, v in wanted.items())
        and not marker.get("dirty")
    ):
        if root.exists():
            if marker is None and any(root.iterdir()):
                raise CompareError(
                    f"{root} exists, is not empty and has no {MARKER}: refusing to replace it"
                )
            shutil.rmtree(root)
        root.mkdir(parents=True)
        started = time.perf_counter()
        print(f"generating {count} requirements (seed {seed}) in {root}", file=sys.stderr)
        load_generate().generate(count, corpus.reqforge, seed)
        load_peer("doorstop_tree").write(corpus.reqforge, corpus.doorstop)
        load_peer("strictdoc_docs").write(corpus.reqforge, corpus.strictdoc)
        load_peer("sphinx_needs_project").write(corpus.reqforge, corpus.sphinx)
        for tree in (corpus.reqforge, corpus.doorstop, corpus.strictdoc, corpus.sphinx):
            git_repo(tree, "Benchmark corpus")
        print(f"  done in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        _write_marker(root, wanted, dirty=False)
    corpus.ids = sorted(p.stem for p in corpus.reqforge.glob("reqs/*/*.md"))
    if len(corpus.ids) != count:
        raise CompareError(f"{corpus.reqforge}: {len(corpus.ids)} requirements, expected {count}")
    shutil.rmtree(corpus.trash, ignore_errors=True)  # left by an interrupted run
    corpus.trash.mkdir(parents=True)
    if corpus.out.exists():  # the previous run's outputs: deleted at the end, with the trash
        corpus.out.rename(corpus.trash / "previous-out")
    corpus.out.mkdir(parents=True)
    return corpus


# --------------------------------------------------------------------------- edits


class Edits:
    """The one-change rows' edits: one requirement's body gets a line, in reqforge's file and
    in the Sphinx page; `restore` puts both back (also on error, and marks the corpus clean)."""

    def __init__(self, corpus: Corpus, marker: dict[str, Any]) -> None:
        self.corpus = corpus
        self.marker = marker
        paths = sorted(corpus.reqforge.glob("reqs/*/*.md"))
        self.md_path = paths[len(paths) // 2]  # the requirement bench/run.py edits too
        self.req_id = self.md_path.stem
        self.area = self.md_path.parent.name
        self.rst_path = corpus.sphinx / f"{self.area}.rst"
        self.originals: dict[Path, bytes] = {}
        self.last_edit = 0.0

    def _save(self, path: Path) -> bytes:
        if path not in self.originals:
            self.originals[path] = path.read_bytes()
            _write_marker(self.corpus.root, self.marker, dirty=True)
        return self.originals[path]

    def edit_markdown(self) -> None:
        original = self._save(self.md_path)
        self.md_path.write_bytes(original + f"\n{EDIT_TEXT}\n".encode())
        self.last_edit = time.time()

    def edit_rst(self) -> None:
        original = self._save(self.rst_path).decode("utf-8")
        at = original.find(f":id: {self.req_id}\n")
        if at < 0:
            raise CompareError(f"{self.rst_path}: no need with :id: {self.req_id}")
        end = original.find("\n.. req::", at)
        end = len(original) if end < 0 else end
        text = original[:end] + f"\n   {EDIT_TEXT}\n" + original[end:]
        self.rst_path.write_bytes(text.encode("utf-8"))
        self.last_edit = time.time()

    def restore(self) -> None:
        if not self.originals:
            return
        for path, data in self.originals.items():
            path.write_bytes(data)
        self.originals.clear()
        self.last_edit = time.time()
        _write_marker(self.corpus.root, self.marker, dirty=False)


# --------------------------------------------------------------------------- running


@dataclass
class RunResult:
    """One finished child process."""

    seconds: float
    maxrss_kib: int
    returncode: int
    stdout: bytes
    stderr: bytes


def run_once(argv: list[str], cwd: Path, timer: str | None, scratch: Path) -> RunResult:
    """Run argv as a whole process in cwd; time it and read its peak RSS (see bench/run.py)."""
    rss_file = scratch / "run.rss"
    full = [timer, "-f", "%M", "-o", str(rss_file), *argv] if timer else argv
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(full, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        if timer:
            try:
                returncode = proc.wait(timeout=TIMEOUT_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                raise CompareError(f"timed out after {TIMEOUT_S} s: {' '.join(argv)}") from None
            seconds = time.perf_counter() - start
            rss = 0
        else:
            _, status, usage = os.wait4(proc.pid, 0)
            seconds = time.perf_counter() - start
            proc.returncode = returncode = os.waitstatus_to_exitcode(status)
            rss = usage.ru_maxrss // 1024 if sys.platform == "darwin" else usage.ru_maxrss
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if timer:
        lines = rss_file.read_text(encoding="utf-8").splitlines()
        for line in lines:
            if line.startswith("Command terminated by signal"):
                returncode = -int(line.split()[-1])
        rss = int(lines[-1]) if lines and lines[-1].strip().isdigit() else 0
    return RunResult(seconds, rss, returncode, stdout, stderr)


def _tail(data: bytes, lines: int = 15) -> str:
    text = data.decode("utf-8", "replace").rstrip()
    return "\n".join("    " + line for line in text.splitlines()[-lines:])


# --------------------------------------------------------------------------- checks


_HTML_UID = {
    # Doorstop: every item is a heading with its UID as id.
    "doorstop": re.compile(rb'<h[1-6] id="([A-Z][A-Z0-9_]*-[0-9]+)"'),
    # StrictDoc: every node carries data-uid.
    # (escaped in the chunk scripts StrictDoc loads the rest of a long document from)
    "strictdoc": re.compile(rb'data-uid=\\?"([A-Z][A-Z0-9_]*-[0-9]+)\\?"'),
    # sphinx-needs: every need is a table of class "need" with the ID as id.
    "sphinx-needs": re.compile(rb'<table class="need [^"]*"[^>]*\bid="([A-Z][A-Z0-9_]*-[0-9]+)"'),
}
_CRASH = (b"Traceback (most recent call last)", b"reqforge: internal error")


def uids_in(paths: list[Path], tool: str) -> dict[str, int]:
    """How often each UID is marked up as an item in the HTML files (linear in their size)."""
    pattern = _HTML_UID[tool]
    counts: dict[str, int] = {}
    for path in paths:
        for match in pattern.finditer(path.read_bytes()):
            uid = match.group(1).decode()
            counts[uid] = counts.get(uid, 0) + 1
    return counts


def expect_every_id(found: dict[str, int], ids: list[str], what: str) -> None:
    """Raise CompareError unless every ID was found exactly once and nothing else."""
    missing = [i for i in ids if i not in found]
    twice = sorted(i for i, n in found.items() if n > 1)
    extra = sorted(set(found) - set(ids))
    if missing or twice or extra:
        parts = []
        if missing:
            parts.append(f"{len(missing)} missing (e.g. {', '.join(missing[:3])})")
        if twice:
            parts.append(f"{len(twice)} more than once (e.g. {', '.join(twice[:3])})")
        if extra:
            parts.append(f"{len(extra)} unknown (e.g. {', '.join(extra[:3])})")
        raise CompareError(f"{what}: not one item per requirement: {'; '.join(parts)}")


def strictdoc_pages(html_root: Path) -> list[Path]:
    """StrictDoc's document pages (not the -TABLE, -TRACE and -DEEP-TRACE views of each), with
    the `<document>-chunk-<n>.js` scripts that a long document's page loads the rest of its
    nodes from (StrictDoc 0.30 shows the first 100 in the page itself)."""
    return [
        p
        for p in sorted([*html_root.rglob("*.html"), *html_root.rglob("*-chunk-*.js")])
        if p.parent != html_root
        and not re.search(r"-(TABLE|TRACE|DEEP-TRACE)\.html$", p.name)
        and not any(part.startswith("_") for part in p.relative_to(html_root).parts)
    ]


def dir_size(path: Path, skip: tuple[str, ...] = ()) -> tuple[int, int]:
    """(bytes, files) under path, leaving out top-level entries named in `skip`."""
    total = files = 0
    for folder, subfolders, names in os.walk(path):
        if Path(folder) == path:
            subfolders[:] = [s for s in subfolders if s not in skip]
            names = [n for n in names if n not in skip]
        for name in names:
            try:
                total += os.lstat(os.path.join(folder, name)).st_size
            except OSError:
                continue
            files += 1
    return total, files


# --------------------------------------------------------------------------- the rows


@dataclass
class Row:
    """One thing to time."""

    tool: str
    key: str
    label: str
    argv: list[str]
    cwd: Path
    setup: Callable[[], None]
    check: Callable[[Row, RunResult], str | None]  # raises CompareError; may return a note
    site: Path | None = None  # the output folder whose size is reported (cold rows)
    site_skip: tuple[str, ...] = ()
    times_s: list[float] = field(default_factory=list)
    maxrss_kib: list[int] = field(default_factory=list)
    exit_codes: list[int] = field(default_factory=list)
    note: str | None = None

    @property
    def name(self) -> str:
        return f"{self.tool}/{self.key}"


@dataclass
class Bench:
    """Everything the rows' setups and checks share."""

    corpus: Corpus
    edits: Edits
    venvs: dict[str, Path]

    def move_aside(self, path: Path) -> None:
        """Move an output folder into the trash (deleted at the end): deleting 10,000 files
        just before a build makes ext4 slow to create the next ones (see bench/run.py)."""
        if path.exists():
            path.rename(self.corpus.trash / f"{path.name}-{time.monotonic_ns()}")

    def settle(self) -> None:
        """Before a cold row: the edits restored and at least 2.1 s old (reqforge gives a file
        changed within 2 s of a build no quick key, bench/run.py), the disk synced."""
        self.edits.restore()
        time.sleep(max(0.0, self.edits.last_edit + 2.1 - time.time()))
        os.sync()


def _ok_exit(result: RunResult, row: Row, allowed: tuple[int, ...] = (0,)) -> None:
    crashed = result.returncode < 0 or any(mark in result.stderr for mark in _CRASH)
    if crashed or result.returncode not in allowed:
        raise CompareError(
            f"{row.name} failed (exit code {result.returncode}): {' '.join(row.argv)}\n"
            f"{_tail(result.stderr)}\n{_tail(result.stdout, 5)}"
        )


def build_rows(bench: Bench, tools: list[str]) -> list[Row]:
    """The rows of the selected tools, in running order."""
    c, edits = bench.corpus, bench.edits
    ids = c.ids
    rows: list[Row] = []
    if "reqforge" in tools:
        py = [sys.executable, "-m", "reqforge", "--repo", str(c.reqforge)]
        site = c.reqforge / "site"

        def drop_cache() -> None:
            shutil.rmtree(c.reqforge / ".reqforge", ignore_errors=True)

        def cold_build() -> None:
            bench.settle()
            drop_cache()
            bench.move_aside(site)
            os.sync()

        def check_json(row: Row, result: RunResult) -> str:
            _ok_exit(result, row, (0, 1))
            try:
                counts = json.loads(result.stdout)["counts"]
                seen = counts["requirements"]
            except (ValueError, KeyError, TypeError):
                raise CompareError(f"{row.name}: no check JSON on stdout") from None
            if seen != len(ids):
                raise CompareError(f"{row.name}: checked {seen} requirements, not {len(ids)}")
            return (
                f"exit code {result.returncode}, {seen} requirements, "
                f"{counts.get('error', '?')} errors, {counts.get('warning', '?')} warnings"
            )

        def site_check(edited: bool) -> Callable[[Row, RunResult], str | None]:
            def check(row: Row, result: RunResult) -> str | None:
                _ok_exit(result, row, (0, 1))  # 1: a requirement with check errors
                pages = {p.stem: 1 for p in (site / "requirements").glob("*.html")}
                expect_every_id(pages, ids, "reqforge build: site/requirements/")
                page = (site / "requirements" / f"{edits.req_id}.html").read_text("utf-8")
                if edited != (EDIT_TEXT in page):
                    raise CompareError(
                        f"reqforge build: {edits.req_id}.html "
                        + ("lacks the edit" if edited else "still shows an old edit")
                    )
                return None

            return check

        rows += [
            Row("reqforge", "check-cold", "`reqforge check --format json`, cold (no cache)",
                [*py, "check", "--format", "json"], c.reqforge, drop_cache, check_json),
            Row("reqforge", "build-cold", "`reqforge build`, cold (no cache, no site)",
                [*py, "build"], c.reqforge, cold_build, site_check(False), site),
            Row("reqforge", "build-nochange", "`reqforge build`, nothing changed",
                [*py, "build"], c.reqforge, _nop, site_check(False)),
            Row("reqforge", "build-one-change", "`reqforge build`, one body changed",
                [*py, "build"], c.reqforge, edits.edit_markdown, site_check(True)),
        ]  # fmt: skip
    if "doorstop" in tools:
        ds_exe = venv_bin(bench.venvs["doorstop"], "doorstop")
        published = c.out / "doorstop"
        prefixes = sorted({i.rsplit("-", 1)[0] for i in ids})

        def validated(row: Row, result: RunResult) -> str:
            _ok_exit(result, row)
            text = result.stdout.decode("utf-8", "replace")
            missing = [p for p in prefixes if not re.search(rf"\b{re.escape(p)}\b", text)]
            if missing or "ERROR" in result.stderr.decode("utf-8", "replace"):
                raise CompareError(
                    f"doorstop validation: documents {missing} not in its tree, or errors:\n"
                    + _tail(result.stderr)
                )
            warnings = result.stderr.count(b"WARNING:")
            return f"{warnings} warnings (mostly 'no links from child document')"

        def publish_setup() -> None:
            bench.settle()
            bench.move_aside(published)
            os.sync()

        def publish_check(row: Row, result: RunResult) -> None:
            _ok_exit(result, row)
            pages = sorted((published / "documents").glob("*.html"))
            expect_every_id(uids_in(pages, "doorstop"), ids, "doorstop publish")

        rows += [
            Row("doorstop", "validate", "`doorstop` (validate the tree)",
                [ds_exe], c.doorstop, _nop, validated),
            Row("doorstop", "publish", "`doorstop publish all OUT`, OUT moved aside",
                [ds_exe, "publish", "all", str(published)], c.doorstop, publish_setup,
                publish_check, published),
        ]  # fmt: skip
    if "strictdoc" in tools:
        sd_exe = venv_bin(bench.venvs["strictdoc"], "strictdoc")
        sd_out = c.out / "strictdoc"
        sd_argv = [
            sd_exe,
            "export",
            "--formats",
            "html",
            "--output-dir",
            str(sd_out),
            str(c.strictdoc),
        ]

        def sd_cold() -> None:
            bench.settle()
            bench.move_aside(sd_out)  # StrictDoc 0.30 keeps its cache in OUT/_cache/<version>
            shutil.rmtree(Path(tempfile.gettempdir()) / "strictdoc_cache", ignore_errors=True)
            os.sync()

        def sd_check(row: Row, result: RunResult) -> None:
            _ok_exit(result, row)
            pages = strictdoc_pages(sd_out / "html")
            expect_every_id(uids_in(pages, "strictdoc"), ids, "strictdoc export")

        rows += [
            Row("strictdoc", "export-cold",
                "`strictdoc export --formats html`, cold (no output, no cache)",
                sd_argv, c.strictdoc, sd_cold, sd_check, sd_out / "html"),
            Row("strictdoc", "export-cached", "`strictdoc export --formats html`, cached",
                sd_argv, c.strictdoc, _nop, sd_check),
        ]  # fmt: skip
    if "sphinx-needs" in tools:
        # not part of the site: Sphinx's cache (the pickled environment and doctrees)
        sx_exe = venv_bin(bench.venvs["sphinx-needs"], "sphinx-build")
        sx_out = c.out / "sphinx"
        sx_argv = [sx_exe, "-b", "html", str(c.sphinx), str(sx_out)]

        def sx_cold() -> None:
            bench.settle()
            bench.move_aside(sx_out)  # with its .doctrees, Sphinx's cache
            os.sync()

        def sx_check(edited: bool) -> Callable[[Row, RunResult], str | None]:
            def check(row: Row, result: RunResult) -> str | None:
                _ok_exit(result, row)
                pages = sorted(sx_out.glob("*.html"))
                expect_every_id(uids_in(pages, "sphinx-needs"), ids, "sphinx-build")
                page = (sx_out / f"{edits.area}.html").read_text("utf-8")
                if edited != (EDIT_TEXT in page):
                    raise CompareError(
                        f"sphinx-build: {edits.area}.html "
                        + ("lacks the edit" if edited else "still shows an old edit")
                    )
                warnings = result.stderr.count(b"WARNING")
                return f"{warnings} warnings" if warnings else None

            return check

        rows += [
            Row("sphinx-needs", "build-cold", "`sphinx-build -b html`, cold (no output)",
                sx_argv, c.sphinx, sx_cold, sx_check(False), sx_out, SPHINX_SKIP),
            Row("sphinx-needs", "build-nochange", "`sphinx-build -b html`, nothing changed",
                sx_argv, c.sphinx, _nop, sx_check(False)),
            Row("sphinx-needs", "build-one-change", "`sphinx-build -b html`, one body changed",
                sx_argv, c.sphinx, edits.edit_rst, sx_check(True)),
        ]  # fmt: skip
    return rows


def _nop() -> None:
    """No setup: the previous run's output and caches stay."""


def run_rows(
    rows: list[Row], bench: Bench, runs: dict[str, int], warm_up: dict[str, bool], timer: str | None
) -> None:
    """Per tool: an untimed warm-up round (if asked), then the timed rounds, every row once
    a round in order; the edits restored after each round."""
    for tool in dict.fromkeys(r.tool for r in rows):
        group = [r for r in rows if r.tool == tool]
        rounds = ([None] if warm_up[tool] else []) + list(range(runs[tool]))
        for n in rounds:
            parts = []
            for row in group:
                row.setup()
                result = run_once(row.argv, row.cwd, timer, bench.corpus.trash)
                note = row.check(row, result)
                if n is None:
                    row.note = note
                    parts.append(f"{row.key} {result.seconds:.2f}s")
                    continue
                row.note = row.note or note
                row.times_s.append(result.seconds)
                row.maxrss_kib.append(result.maxrss_kib)
                row.exit_codes.append(result.returncode)
                parts.append(f"{row.key} {result.seconds:.2f}s")
            bench.edits.restore()
            what = "warm-up" if n is None else f"round {n + 1}/{runs[tool]}"
            print(f"{tool} {what}: " + ", ".join(parts), file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- the report


@dataclass
class Ratio:
    """A ratio the issue sets a bar on."""

    label: str
    peer: str
    reqforge: str
    bar: float
    value: float | None = None  # peer median / reqforge median
    judged: bool = False  # bars are judged at FULL_COUNT only

    @property
    def met(self) -> bool | None:
        """True/False when judged and measured, else None."""
        if not self.judged or self.value is None:
            return None
        return self.value >= self.bar


def ratios(medians: dict[str, float], count: int) -> list[Ratio]:
    """The bars' ratios of the rows measured (`medians` by row name: tool/key)."""
    out = []
    for label, peer, ours, bar in BARS:
        ratio = Ratio(label, peer, ours, bar, judged=count == FULL_COUNT)
        if medians.get(peer) and medians.get(ours):
            ratio.value = medians[peer] / medians[ours]
        out.append(ratio)
    return out


def missed(found: list[Ratio]) -> list[Ratio]:
    """The judged bars that were missed."""
    return [r for r in found if r.met is False]


def _status(r: Ratio) -> str:
    if r.value is None:
        return "not measured"
    if not r.judged:
        return f"not judged ({'meets' if r.value >= r.bar else 'below'} the bar at this count)"
    return "met" if r.met else "MISSED"


def _mib(n_bytes: int) -> str:
    return f"{n_bytes / 2**20:,.1f}"


def markdown(report: dict[str, Any]) -> str:
    """The README block: machine, versions, medians, site sizes, ratios with their bars."""
    cfg, mach = report["config"], report["machine"]
    versions = report["versions"]
    runs = ", ".join(f"{tool} {n}" for tool, n in cfg["runs"].items())
    lines = [
        f"Comparison on {cfg['count']:,} generated requirements (`bench/generate.py`, seed "
        f"{cfg['seed']}; the same IDs, titles, bodies, links and statuses written for each tool "
        f"by `bench/peers/`), {report['date']}. Whole processes, timed runs per tool: {runs} "
        "(median shown); files in the OS page cache.",
        "",
        f"Machine: {mach['nproc']} CPUs (nproc), {mach['cpu_model']}; {mach['os']}; "
        f"{mach['python']}.",
        "",
        "Versions: "
        + "; ".join(
            f"{tool}: " + ", ".join(f"{d} {v}" for d, v in dists.items())
            for tool, dists in versions.items()
        )
        + ".",
        "",
        "| tool | measurement | median (s) | min (s) | max (s) | peak RSS (MiB) | output (MiB) |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for name, fig in report["measurements"].items():
        if "median_s" not in fig:
            continue
        size = fig.get("site_bytes")
        lines.append(
            f"| {name.split('/')[0]} | {fig['label']} | {fig['median_s']:.3f} | "
            f"{fig['min_s']:.3f} | {fig['max_s']:.3f} | {fig['peak_rss_mib']:.0f} | "
            f"{_mib(size) if size is not None else ''} |"
        )
    lines += [
        "",
        "| ratio (peer median / reqforge median) | value | bar | status |",
        "|---|---:|---:|---|",
    ]
    for r in report["ratios"]:
        value = f"{r['value']:.1f}×" if r["value"] is not None else "—"
        lines.append(f"| {r['label']} | {value} | ≥ {r['bar']:g}× | {r['status']} |")
    if cfg["count"] != FULL_COUNT:
        lines += [
            "",
            f"The bars are set for {FULL_COUNT:,} requirements (`--full`); at "
            f"{cfg['count']:,} they are shown, not judged.",
        ]
    notes = [f"`{name}`: {fig['note']}" for name, fig in report["measurements"].items()
             if fig.get("note")]  # fmt: skip
    if notes:
        lines += ["", *[f"- {n}" for n in notes]]
    return "\n".join(lines) + "\n"


def write_readme(path: Path, block: str) -> None:
    """Replace the bench-compare block in the README, atomically."""
    readme = _load("reqforge_bench_readme_block", BENCH_DIR / "readme_block.py")
    try:
        readme.write_block(path, block, "bench-compare")
    except readme.BlockError as exc:
        raise CompareError(str(exc)) from exc


def summarise(row: Row) -> dict[str, Any]:
    """Raw and summary figures of one row, for the JSON output and the table."""
    data: dict[str, Any] = {
        "label": row.label,
        "argv": row.argv,
        "note": row.note,
        "times_s": row.times_s,
        "maxrss_kib": row.maxrss_kib,
        "exit_codes": row.exit_codes,
    }
    if row.times_s:
        data.update(
            median_s=statistics.median(row.times_s),
            min_s=min(row.times_s),
            max_s=max(row.times_s),
            peak_rss_mib=max(row.maxrss_kib) / 1024,
        )
    if row.site is not None and row.site.exists():
        data["site_bytes"], data["site_files"] = dir_size(row.site, row.site_skip)
    return data


def print_report(report: dict[str, Any]) -> None:
    """The Markdown block on stdout, then the site sizes."""
    print(markdown(report))
    print("Output size of each site (after the last round):")
    for name, fig in report["measurements"].items():
        if "site_bytes" in fig:
            print(f"  {name}: {_mib(fig['site_bytes'])} MiB in {fig['site_files']:,} files")


# --------------------------------------------------------------------------- main


def default_work() -> Path:
    """$TMPDIR/reqforge-bench-compare, or ~/.cache/reqforge-bench/compare without TMPDIR."""
    if os.environ.get("TMPDIR"):
        return Path(os.environ["TMPDIR"]) / "reqforge-bench-compare"
    return Path.home() / ".cache" / "reqforge-bench" / "compare"


def parse_tools(value: str | None) -> list[str]:
    """--only: comma-separated tools (reqforge, doorstop, strictdoc, sphinx-needs/sphinx)."""
    if not value:
        return list(TOOLS)
    chosen = []
    for part in value.split(","):
        name = TOOL_ALIASES.get(part.strip().lower(), part.strip().lower())
        if name not in TOOLS:
            raise argparse.ArgumentTypeError(f"unknown tool {part!r}: choose from {TOOLS}")
        chosen.append(name)
    return [t for t in TOOLS if t in chosen]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(
        prog="bench/compare.py", description=__doc__.splitlines()[0] if __doc__ else None
    )
    parser.add_argument("--count", type=int, default=1000, help="requirements (1000)")
    parser.add_argument(
        "--full", action="store_true", help=f"{FULL_COUNT:,} requirements: the bars' corpus"
    )
    parser.add_argument("--runs", type=int, default=3, help="timed rounds per tool (3)")
    parser.add_argument(
        "--peer-runs",
        type=int,
        help="timed rounds of the peers (default: --runs; 1 with --full, and no warm-up)",
    )
    parser.add_argument("--seed", type=int, default=1, help="generator seed (1)")
    parser.add_argument("--work", type=Path, help=f"corpora and venvs (default: {default_work()})")
    parser.add_argument("--json", type=Path, metavar="OUT", help="write the raw figures here")
    parser.add_argument("--readme", type=Path, default=README, help="README to update")
    parser.add_argument("--no-readme", action="store_true", help="leave the README alone")
    parser.add_argument(
        "--only", type=parse_tools, metavar="TOOLS", help=f"comma-separated, of {TOOLS}"
    )
    args = parser.parse_args(argv)
    if args.full:
        args.count = FULL_COUNT
    if args.count < 1 or args.runs < 1 or (args.peer_runs is not None and args.peer_runs < 1):
        parser.error("--count, --runs and --peer-runs must be at least 1")
    args.only = args.only or list(TOOLS)
    return args


# implements: REQ-612
def main(argv: list[str] | None = None) -> int:
    """Run the comparison; 0, or 1 when a bar is missed or a run failed its check."""
    args = parse_args(argv)
    load_runner().compile_bytecode()
    work: Path = (args.work or default_work()).resolve()
    work.mkdir(parents=True, exist_ok=True)
    tools: list[str] = args.only
    slow = args.count >= FULL_COUNT
    peer_runs = args.peer_runs or (1 if slow else args.runs)
    runs = {t: (args.runs if t == "reqforge" else peer_runs) for t in tools}
    warm_up = {t: t == "reqforge" or not (slow and args.peer_runs is None) for t in tools}
    try:
        venvs = {t: ensure_venv(work, t) for t in tools if t in PINS}
        versions: dict[str, dict[str, str]] = {}
        if "reqforge" in tools:
            versions["reqforge"] = {"reqforge": importlib.metadata.version("reqforge")}
        for tool, venv in venvs.items():
            versions[tool] = venv_versions(venv, SHOWN_DISTS[tool])
        corpus = prepare_corpus(work, args.count, args.seed)
        marker = json.loads((corpus.root / MARKER).read_text(encoding="utf-8"))
        marker.pop("dirty", None)
        bench = Bench(corpus, Edits(corpus, marker), venvs)
        timer = load_runner().find_gnu_time(corpus.trash)
        rows = build_rows(bench, tools)
        try:
            run_rows(rows, bench, runs, warm_up, timer)
        finally:
            bench.edits.restore()
    except CompareError as exc:
        print(f"bench/compare.py: {exc}", file=sys.stderr)
        return 1
    measurements = {row.name: summarise(row) for row in rows}
    medians = {n: f["median_s"] for n, f in measurements.items() if "median_s" in f}
    found = ratios(medians, args.count)
    report = {
        "date": datetime.date.today().isoformat(),
        "config": {
            "count": args.count,
            "seed": args.seed,
            "runs": runs,
            "warm_up": warm_up,
            "tools": tools,
            "rss_method": "GNU time" if timer else "os.wait4",
            "work": str(work),
        },
        "machine": load_runner().machine_info(),
        "versions": versions,
        "measurements": measurements,
        "ratios": [{**r.__dict__, "met": r.met, "status": _status(r)} for r in found],
    }
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", "utf-8")
    if not args.no_readme:
        try:
            write_readme(args.readme, markdown(report))
        except (OSError, CompareError) as exc:
            print(f"bench/compare.py: README not written: {exc}", file=sys.stderr)
            return 1
    for r in missed(found):
        print(
            f"bench/compare.py: bar missed: {r.label}: {r.value:.1f}× < {r.bar:g}×",
            file=sys.stderr,
        )
    shutil.rmtree(corpus.trash, ignore_errors=True)
    return 1 if missed(found) else 0


if __name__ == "__main__":
    sys.exit(main())
