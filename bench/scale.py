"""Time reqforge as the corpus grows, write the table and chart into the README (`bench/run`).

    bench/run [--counts 1000,10000,50000] [--commits 5000] [--runs 5] [--runs-large 3]
              [--only KEYS] [--json OUT] [--chart SVG] [--readme PATH | --no-readme]
              [--corpus-root DIR] [--resume] [--from-json FILE]
    bench/run --compare [...]     hands over to bench/compare.py (reqforge against other tools)

For each count, bench/run.py runs as a child process (`--count N --history COMMITS --runs R
--only KEYS --json ...`): it builds the corpus (bench/history.py: N requirements reached through
COMMITS commits; reused while its marker matches) and times whole processes, interleaved
round-robin after a warm-up run, with medians and peak RSS. Its report for each count is kept
whole in the JSON file (every run's time and RSS), written again after each count, so an
interrupted run loses at most the count it was measuring (`--resume` keeps the counts already
measured with the same settings). `--from-json FILE` writes the table and chart from a saved file
without measuring.

The output: a Markdown block (machine, date, how to reproduce, the chart, a table of median
times per command and count, the ratio of the two largest counts and peak RSS at the largest)
between `<!-- bench-scale:start -->` and `<!-- bench-scale:end -->` in the README (nothing else
in the file changes), the same block on stdout, and a log-log SVG chart (bench/chart.py).

The growth bar (issue 16): from 10,000 to 50,000 requirements each command may take at most 6x
as long. Every ratio is printed; when both counts were measured, a command over the bar is named
on stderr and the exit code is 1, after everything is written. Other exit codes: 0 all met (or
no bar to check), 1 a measurement failed, 2 a usage error.
"""

# implements: REQ-611

from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import quote

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RUNNER = BENCH_DIR / "run.py"
CHART_MODULE = BENCH_DIR / "chart.py"
COMPARE = BENCH_DIR / "compare.py"
DEFAULT_README = ROOT / "README.md"
DEFAULT_JSON = BENCH_DIR / "scale.json"
DEFAULT_CHART = BENCH_DIR / "scale.svg"
MARKERS = "bench-scale"  # <!-- bench-scale:start --> ... <!-- bench-scale:end -->
FORMAT = 1  # of the JSON file

DEFAULT_COUNTS = (1_000, 10_000, 50_000)
DEFAULT_COMMITS = 5_000
LARGE = 10_000  # counts above this are timed --runs-large times
# The commands issue 16 asks to follow as N grows (keys of bench/run.py's REQFORGE_COMMANDS).
DEFAULT_KEYS = (
    "check-cold",
    "check-cached",
    "check-one-change",
    "prioritize",
    "trace",
    "log-cold",
    "log-cached",
    "diff",
    "build-cold",
    "build-nochange",
    "build-one-change",
    "fmt-check",
    "export-csv",
    "export-json",
)
# Issue 16: from 10,000 to 50,000 requirements (5x), each command at most 6x the time.
GROWTH_FROM, GROWTH_TO, GROWTH_LIMIT = 10_000, 50_000, 6.0


class ScaleError(Exception):
    """A measurement or a file could not be made; the message says which."""


def _load(path: Path, name: str) -> ModuleType:
    """bench/<name>.py as a module (bench/ is not a package)."""
    module_name = f"reqforge_bench_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ScaleError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------- figures


def runs_for(count: int, runs: int, runs_large: int) -> int:
    """Timed runs at `count`: fewer above LARGE, where one round takes minutes."""
    return runs_large if count > LARGE else runs


def figures_of(data: Mapping[str, Any]) -> tuple[list[int], dict[str, dict[int, dict[str, Any]]]]:
    """The measured counts (ascending) and, per command key in the order measured, per count,
    bench/run.py's summary of that measurement (label, median_s, peak_rss_mib, skipped, note)."""
    reports = {int(n): report for n, report in data.get("runs", {}).items()}
    counts = sorted(reports)
    keys: list[str] = list(data.get("config", {}).get("keys") or [])
    for n in counts:
        keys += [k for k in reports[n].get("measurements", {}) if k not in keys]
    figures: dict[str, dict[int, dict[str, Any]]] = {}
    for key in keys:
        by_count = {
            n: reports[n]["measurements"][key]
            for n in counts
            if key in reports[n].get("measurements", {})
        }
        if by_count:
            figures[key] = by_count
    return counts, figures


def median(fig: Mapping[str, Any] | None) -> float | None:
    """The median time of a measurement, None if it was skipped or not run."""
    if not fig or fig.get("skipped") or "median_s" not in fig:
        return None
    return float(fig["median_s"])


def growth(
    figures: Mapping[str, Mapping[int, Mapping[str, Any]]], low: int, high: int
) -> dict[str, float]:
    """Ratio of medians high/low per command measured at both counts."""
    out = {}
    for key, by_count in figures.items():
        a, b = median(by_count.get(low)), median(by_count.get(high))
        if a is not None and b is not None and a > 0:
            out[key] = b / a
    return out


def growth_misses(counts: Sequence[int], figures: Mapping[str, Any]) -> list[str] | None:
    """The commands whose time grows more than GROWTH_LIMIT from GROWTH_FROM to GROWTH_TO
    requirements, as 'key: ratio'; None when those two counts were not both measured."""
    if GROWTH_FROM not in counts or GROWTH_TO not in counts:
        return None
    return [
        f"{key}: {ratio:.2f}x > {GROWTH_LIMIT:g}x"
        for key, ratio in growth(figures, GROWTH_FROM, GROWTH_TO).items()
        if ratio > GROWTH_LIMIT
    ]


# --------------------------------------------------------------------------- Markdown

# `_` only where it could start or end emphasis (not inside a word like x86_64).
_MD_SPECIAL = re.compile(r"([\\`*\[\]<>&|#~]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")


def md_text(value: object) -> str:
    """Plain text for Markdown (a table cell too): specials backslash-escaped, `<`, `>` and
    `&` as entities, line breaks as spaces."""
    out = " ".join(str(value).split())

    def one(m: re.Match[str]) -> str:
        return {"<": "&lt;", ">": "&gt;", "&": "&amp;"}.get(m.group(1), "\\" + m.group(1))

    return _MD_SPECIAL.sub(one, out)


def md_code(value: object) -> str:
    """A code span for a table cell: `|` escaped (GitHub reads `\\|` in a table as `|`, in code
    spans too); the fence is longer than any backtick run inside."""
    body = " ".join(str(value).split()).replace("|", "\\|")
    run = max((len(r) for r in re.findall(r"`+", body)), default=0)
    fence = "`" * (run + 1)
    pad = " " if body.startswith("`") or body.endswith("`") else ""
    return f"{fence}{pad}{body}{pad}{fence}"


def md_label(label: str) -> str:
    """bench/run.py's label (text with `code` spans) for a table cell: code spans kept, the
    text around them escaped. Unbalanced backticks: all of it escaped as text."""
    parts = label.split("`")
    if len(parts) % 2 == 0:
        return md_text(label)
    return "".join(md_code(p) if i % 2 else md_text(p) for i, p in enumerate(parts))


def seconds(value: float | None) -> str:
    """A time for the table: three significant figures or so; an em dash if not measured."""
    if value is None:
        return "—"
    if value < 1:
        return f"{value:.3f}"
    if value < 10:
        return f"{value:.2f}"
    if value < 100:
        return f"{value:.1f}"
    return f"{value:.0f}"


def _relative(path: Path, start: Path) -> str:
    """`path` relative to the directory `start`, with / separators."""
    return Path(os.path.relpath(path.resolve(), start.resolve())).as_posix()


def command_line(cfg: Mapping[str, Any]) -> str:
    """The `bench/run` command that measures with these settings (defaults left out)."""
    argv = ["bench/run"]
    counts = [int(n) for n in cfg.get("counts") or DEFAULT_COUNTS]
    if tuple(counts) != DEFAULT_COUNTS:
        argv += ["--counts", ",".join(str(n) for n in counts)]
    for option, key, default in (
        ("--commits", "commits", DEFAULT_COMMITS),
        ("--runs", "runs", 5),
        ("--runs-large", "runs_large", 3),
        ("--seed", "seed", 1),
    ):
        if cfg.get(key, default) != default:
            argv += [option, str(cfg[key])]
    keys = list(cfg.get("keys") or DEFAULT_KEYS)
    if keys != list(DEFAULT_KEYS):
        argv += ["--only", ",".join(keys)]
    return shlex.join(argv)


def markdown(
    data: Mapping[str, Any],
    *,
    chart: str | None = None,
    json_link: str | None = None,
    docs_link: str | None = None,
) -> str:
    """The README block: what was measured, machine, the chart, the table, the growth bar."""
    counts, figures = figures_of(data)
    cfg = data.get("config", {})
    reports = [data["runs"][str(n)] for n in counts]
    if not reports:
        raise ScaleError("no measurements to report")
    commits = cfg.get("commits", reports[-1]["config"].get("history_commits", 0))
    seed = cfg.get("seed", reports[-1]["config"].get("seed", 1))
    dates = sorted({r.get("date", "") for r in reports} - {""})
    when = dates[0] if len(dates) == 1 else f"{dates[0]} to {dates[-1]}" if dates else "undated"
    runs = {n: data["runs"][str(n)]["config"].get("runs") for n in counts}
    if len(set(runs.values())) == 1:
        runs_text = f"median of {next(iter(runs.values()))} runs"
    else:
        runs_text = "median of " + ", ".join(f"{r} runs at {n:,}" for n, r in runs.items())
    history = (
        f", each with {commits:,} commits of git history (`bench/history.py`)" if commits else ""
    )
    lines = [
        f"Scaling, measured with `bench/run` on {md_text(when)}: reqforge on "
        f"{md_text(_and(f'{n:,}' for n in counts))} generated requirements (`bench/generate.py`, "
        f"seed {md_text(seed)}){history}. Whole processes (Python start-up included), "
        f"{runs_text}, interleaved round-robin after one warm-up run; files in the OS page "
        "cache; peak RSS of the largest single process.",
        "",
    ]
    machines = [r.get("machine", {}) for r in reports]
    mach = machines[-1]
    lines.append(
        f"Machine: {md_text(mach.get('nproc', '?'))} CPUs (nproc), "
        f"{md_text(mach.get('cpu_model', '?'))}; {md_text(mach.get('os', '?'))}; "
        f"{md_text(mach.get('python', '?'))}; reqforge {md_text(mach.get('reqforge', '?'))}."
    )
    if any(
        (m.get("nproc"), m.get("cpu_model")) != (mach.get("nproc"), mach.get("cpu_model"))
        for m in machines
    ):
        lines.append("")
        lines.append(
            "Warning: the counts were measured on different machines: "
            + md_text(
                "; ".join(
                    f"{n:,}: {m.get('nproc', '?')} CPUs, {m.get('cpu_model', '?')}"
                    for n, m in zip(counts, machines, strict=True)
                )
            )
            + "."
        )
    reproduce = f"Reproduce: {md_code(command_line(cfg))}"
    if docs_link:
        reproduce += f" (options in {docs_link})"
    if json_link:
        reproduce += f". Raw figures, every run: {json_link}"
    lines += ["", reproduce + ".", ""]
    if chart:
        lines += [
            f"![Median time of each command against the number of requirements, log-log]({chart})",
            "",
        ]
    low, high = (counts[-2], counts[-1]) if len(counts) >= 2 else (None, None)
    head = ["command", *(f"{n:,} (s)" for n in counts)]
    if low is not None and high is not None:
        head.append(f"{high:,} / {low:,}")
    head.append(f"peak RSS at {counts[-1]:,} (MiB)")
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|---|" + "---:|" * (len(head) - 1))
    ratios = growth(figures, low, high) if low is not None and high is not None else {}
    bar_applies = (low, high) == (GROWTH_FROM, GROWTH_TO)
    notes: dict[str, list[str]] = {}
    for key, by_count in figures.items():
        any_fig = next(iter(by_count.values()))
        cells = [md_label(str(any_fig.get("label") or key))]
        cells += [seconds(median(by_count.get(n))) for n in counts]
        if low is not None:
            ratio = ratios.get(key)
            cell = "—" if ratio is None else f"{ratio:.2f}×"
            if ratio is not None and bar_applies and ratio > GROWTH_LIMIT:
                cell = f"**{cell}** over {GROWTH_LIMIT:g}×"
            cells.append(cell)
        top = by_count.get(counts[-1])
        rss = top.get("peak_rss_mib") if top and median(top) is not None else None
        cells.append("—" if rss is None else f"{rss:.0f}")
        lines.append("| " + " | ".join(cells) + " |")
        for n, fig in by_count.items():
            if fig.get("skipped"):
                notes.setdefault(f"skipped: {fig['skipped']}", []).append(f"{key} at {n:,}")
    lines.append("")
    misses = growth_misses(counts, figures)
    if misses is None:
        lines.append(
            f"Growth bar (issue 16: from {GROWTH_FROM:,} to {GROWTH_TO:,} requirements, at most "
            f"{GROWTH_LIMIT:g}× the time): not checked, as the run did not measure both."
        )
    elif misses:
        over = growth(figures, GROWTH_FROM, GROWTH_TO)
        named = ", ".join(
            f"{md_code(key)} ({ratio:.2f}×)" for key, ratio in over.items() if ratio > GROWTH_LIMIT
        )
        lines.append(
            f"Growth bar (issue 16: from {GROWTH_FROM:,} to {GROWTH_TO:,} requirements, 5× as "
            f"many, at most {GROWTH_LIMIT:g}× the time): missed by {named}."
        )
    else:
        lines.append(
            f"Growth bar (issue 16: from {GROWTH_FROM:,} to {GROWTH_TO:,} requirements, 5× as "
            f"many, at most {GROWTH_LIMIT:g}× the time): met by every command."
        )
    if notes:
        lines.append("")
        lines += [f"- {md_text(', '.join(keys))}: {md_text(n)}" for n, keys in notes.items()]
    return "\n".join(lines) + "\n"


def _and(items: Any) -> str:
    """'a', 'a and b', 'a, b and c'."""
    words = list(items)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def replace_block(text: str, block: str) -> str:
    """`text` with what lies between the bench-scale markers replaced by `block`; everything
    else, the markers included, unchanged. Raises ScaleError unless each marker occurs once,
    start before end."""
    readme = _load(BENCH_DIR / "readme_block.py", "readme_block")
    try:
        return str(readme.replace_block(text, block, MARKERS))
    except readme.BlockError as exc:
        raise ScaleError(str(exc)) from exc


def write_readme(path: Path, block: str) -> bool:
    """Put `block` between the markers of the README at `path`, atomically. True if the file
    changed."""
    readme = _load(BENCH_DIR / "readme_block.py", "readme_block")
    try:
        return bool(readme.write_block(path, block, MARKERS))
    except readme.BlockError as exc:
        raise ScaleError(str(exc)) from exc


# --------------------------------------------------------------------------- chart


def chart_label(key: str, fig: Mapping[str, Any]) -> str:
    """A legend entry: bench/run.py's label without backticks and the `reqforge ` prefix."""
    label = str(fig.get("label") or key).replace("`", "")
    return label.removeprefix("reqforge ")


def svg(data: Mapping[str, Any]) -> str:
    """The chart: median time against requirements, log-log, one line per command."""
    chart = _load(CHART_MODULE, "chart")
    _, figures = figures_of(data)
    series: dict[str, list[tuple[float, float]]] = {}
    for key, by_count in figures.items():
        points = [(float(n), m) for n, fig in by_count.items() if (m := median(fig)) is not None]
        if points:
            series[chart_label(key, next(iter(by_count.values())))] = points
    commits = data.get("config", {}).get("commits", 0)
    title = "reqforge: median time against the number of requirements"
    if commits:
        title += f" ({commits:,} commits of history)"

    def tip(name: str, x: float, y: float) -> str:
        return f"{name}: {y:.3f} s at {int(x):,} requirements"

    return str(
        chart.line_chart(
            series,
            title=title,
            x_label="requirements (log scale)",
            y_label="median wall time, whole process (s, log scale)",
            point_label=tip,
        )
    )


# --------------------------------------------------------------------------- measuring


def measure(
    count: int,
    commits: int,
    runs: int,
    keys: Sequence[str],
    seed: int,
    corpus_root: Path | None,
) -> dict[str, Any]:
    """bench/run.py's JSON report for one count (its stdout goes to our stderr)."""
    with tempfile.TemporaryDirectory(prefix="reqforge-scale-") as tmp:
        out = Path(tmp) / "run.json"
        argv = [sys.executable, str(RUNNER), "--count", str(count), "--runs", str(runs)]
        argv += ["--seed", str(seed), "--json", str(out), "--only", ",".join(keys)]
        if commits:
            argv += ["--history", str(commits)]
        if corpus_root is not None:
            name = f"reqforge-bench-{count}-s{seed}" + (f"-h{commits}" if commits else "")
            argv += ["--corpus", str(corpus_root / name)]
        print(f"bench/scale.py: {count:,} requirements: {shlex.join(argv)}", file=sys.stderr)
        sys.stderr.flush()
        # bench/run.py exits with 1 when a 10,000-requirement figure misses a SPEC bar, after
        # writing its JSON; without the JSON, it failed.
        proc = subprocess.run(argv, stdout=sys.stderr, check=False)
        if proc.returncode not in (0, 1) or not out.exists():
            raise ScaleError(
                f"bench/run.py failed at {count:,} requirements (exit code {proc.returncode}); "
                "its message is above"
            )
        report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
        return report


def reusable(
    report: Mapping[str, Any] | None, commits: int, runs: int, seed: int, keys: Sequence[str]
) -> bool:
    """True if a saved report was measured with these settings and has every key."""
    if not report:
        return False
    cfg = report.get("config", {})
    return (
        cfg.get("history_commits", 0) == commits
        and cfg.get("runs") == runs
        and cfg.get("seed") == seed
        and set(keys) <= set(report.get("measurements", {}))
    )


def write_json(path: Path, data: Mapping[str, Any]) -> None:
    """Write the figures (through a temporary file, so an interruption leaves the old one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)


def read_json(path: Path) -> dict[str, Any]:
    """A saved figures file; ScaleError if it is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ScaleError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("runs"), dict):
        raise ScaleError(f"{path} is not a bench/scale.py figures file (no 'runs')")
    return data


# --------------------------------------------------------------------------- main


def _counts(text: str) -> list[int]:
    try:
        counts = sorted({int(part.replace("_", "")) for part in text.split(",") if part.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of whole numbers: {text!r}") from None
    if not counts or counts[0] < 1:
        raise argparse.ArgumentTypeError("counts must be at least 1")
    return counts


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(
        prog="bench/run",
        description="Time reqforge on corpora of growing size and write the README's scaling "
        "table and chart (bench/scale.py). `bench/run --compare ...` runs bench/compare.py.",
    )
    parser.add_argument(
        "--counts",
        type=_counts,
        default=list(DEFAULT_COUNTS),
        metavar="N,N,...",
        help="requirement counts (1000,10000,50000)",
    )
    parser.add_argument(
        "--commits",
        type=int,
        default=DEFAULT_COMMITS,
        help=f"commits of git history in each corpus ({DEFAULT_COMMITS}; 0: no git history, "
        "and the history commands are left out)",
    )
    parser.add_argument("--runs", type=int, default=5, help="timed runs per command (5)")
    parser.add_argument(
        "--runs-large",
        type=int,
        default=3,
        metavar="RUNS",
        help=f"timed runs per command above {LARGE:,} requirements (3)",
    )
    parser.add_argument("--seed", type=int, default=1, help="generator seed (1)")
    parser.add_argument(
        "--only",
        metavar="KEYS",
        help="comma-separated bench/run.py keys (default: " + ",".join(DEFAULT_KEYS) + ")",
    )
    parser.add_argument(
        "--json",
        type=Path,
        default=DEFAULT_JSON,
        metavar="OUT",
        help="where the raw figures go (bench/scale.json)",
    )
    parser.add_argument(
        "--chart", type=Path, default=DEFAULT_CHART, metavar="SVG", help="bench/scale.svg"
    )
    readme = parser.add_mutually_exclusive_group()
    readme.add_argument(
        "--readme", type=Path, default=DEFAULT_README, help="README to update (the project's)"
    )
    readme.add_argument(
        "--no-readme", action="store_true", help="leave the README alone (stdout only)"
    )
    parser.add_argument(
        "--corpus-root",
        type=Path,
        metavar="DIR",
        help="where the corpora go (default: bench/run.py's, in the temp directory)",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="keep the counts already in --json that were measured with the same settings",
    )
    parser.add_argument(
        "--from-json",
        type=Path,
        metavar="FILE",
        help="measure nothing: write the table and chart from this figures file",
    )
    args = parser.parse_args(argv)
    if args.commits < 0 or args.runs < 1 or args.runs_large < 1:
        parser.error("--commits must be 0 or more, --runs and --runs-large at least 1")
    if args.from_json and args.resume:
        parser.error("--from-json measures nothing: --resume does not go with it")
    return args


def run_compare(argv: list[str]) -> int:
    """`bench/run --compare ...`: bench/compare.py's main() with the other arguments."""
    if not COMPARE.exists():
        print(
            f"bench/run: error: {COMPARE} does not exist: the comparison with other tools "
            "(bench/run --compare) is not available in this checkout",
            file=sys.stderr,
        )
        return 2
    module = _load(COMPARE, "compare")
    main = getattr(module, "main", None)
    if not callable(main):
        print(f"bench/run: error: {COMPARE} has no main(argv)", file=sys.stderr)
        return 2
    return int(main(argv) or 0)


def main(argv: Sequence[str] | None = None) -> int:
    """Measure (or load) the figures, write JSON, chart and README, check the growth bar."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if "--compare" in args_list:
        args_list.remove("--compare")
        return run_compare(args_list)
    args = parse_args(args_list)
    keys = [k.strip() for k in args.only.split(",") if k.strip()] if args.only else []
    keys = keys or list(DEFAULT_KEYS)
    if not args.commits:
        history_only = {"log-cold", "log-cached", "log-one-commit", "diff", "check-base"}
        keys = [k for k in keys if k not in history_only and not k.startswith("log-id")]
    try:
        data = read_json(args.from_json) if args.from_json else run_all(args, keys)
        counts, figures = figures_of(data)
        if not counts:
            raise ScaleError("no counts measured")
        args.chart.parent.mkdir(parents=True, exist_ok=True)
        args.chart.write_text(svg(data), encoding="utf-8")
        print(f"bench/scale.py: chart written to {args.chart}", file=sys.stderr)
        readme_dir = (args.readme if not args.no_readme else DEFAULT_README).resolve().parent
        json_path = args.from_json or args.json
        block = markdown(
            data,
            chart=_url(args.chart, readme_dir),
            json_link=_link(json_path, readme_dir),
            docs_link=_link(BENCH_DIR / "README.md", readme_dir),
        )
        sys.stdout.write(block)
        if not args.no_readme:
            changed = write_readme(args.readme, block)
            state = "updated" if changed else "already up to date"
            print(f"bench/scale.py: {args.readme} {state}", file=sys.stderr)
    except ScaleError as exc:
        print(f"bench/scale.py: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench/scale.py: interrupted", file=sys.stderr)
        return 130
    return report_growth(counts, figures)


def _url(path: Path, start: Path) -> str:
    """A relative link target: path segments percent-encoded."""
    return quote(_relative(path, start))


def _link(path: Path, start: Path) -> str:
    """A Markdown link to `path` relative to `start`; outside `start`, the path as code."""
    rel = _relative(path, start)
    if rel.startswith("../"):
        return md_code(str(path))
    return f"[{md_text(rel)}]({quote(rel)})"


def run_all(args: argparse.Namespace, keys: list[str]) -> dict[str, Any]:
    """Measure every count not kept from --resume; the JSON is rewritten after each count."""
    previous = read_json(args.json) if args.resume and args.json.exists() else {"runs": {}}
    data: dict[str, Any] = {
        "format": FORMAT,
        "config": {
            "counts": args.counts,
            "commits": args.commits,
            "seed": args.seed,
            "runs": args.runs,
            "runs_large": args.runs_large,
            "keys": keys,
        },
        "runs": {},
    }
    for count in args.counts:
        runs = runs_for(count, args.runs, args.runs_large)
        old = previous["runs"].get(str(count))
        if reusable(old, args.commits, runs, args.seed, keys):
            print(f"bench/scale.py: {count:,} requirements: kept from {args.json}", file=sys.stderr)
            data["runs"][str(count)] = old
        else:
            data["runs"][str(count)] = measure(
                count, args.commits, runs, keys, args.seed, args.corpus_root
            )
        data["date"] = datetime.date.today().isoformat()
        write_json(args.json, data)
    print(f"bench/scale.py: figures written to {args.json}", file=sys.stderr)
    return data


def report_growth(counts: Sequence[int], figures: Mapping[str, Any]) -> int:
    """Print every ratio of medians from 10,000 to 50,000 requirements (without those counts,
    of the two largest, for information); name the commands over the growth bar. Returns the
    exit code: 1 if any missed it."""
    bar = GROWTH_FROM in counts and GROWTH_TO in counts
    if bar:
        low, high = GROWTH_FROM, GROWTH_TO
    elif len(counts) >= 2:
        low, high = counts[-2], counts[-1]
    else:
        print("growth: one count only, no ratio", file=sys.stderr)
        return 0
    print(
        f"growth from {low:,} to {high:,} requirements (ratio of medians"
        + (f"; bar: at most {GROWTH_LIMIT:g}x):" if bar else "; no bar for these counts):"),
        file=sys.stderr,
    )
    for key, ratio in growth(figures, low, high).items():
        verdict = ("  MISSED" if ratio > GROWTH_LIMIT else "  met") if bar else ""
        print(f"  {key}: {ratio:.2f}x{verdict}", file=sys.stderr)
    misses = growth_misses(counts, figures)
    for line in misses or []:
        print(f"bench/scale.py: growth bar missed: {line}", file=sys.stderr)
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
