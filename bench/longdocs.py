"""Build a history of long documents: few requirements, long bodies, many commits.

    python bench/longdocs.py /tmp/longdocs [--count 650] [--commits 11000] [--kb 50] [--seed 1]
    python bench/longdocs.py /tmp/longdocs --time [--runs 5]

Issue 16 measured a public repository replayed into reqforge's format: about 650 requirements
whose bodies are design documents of ~50 KB, 11,000 commits. This makes one like it,
deterministically: each requirement starts as a document of about 85% of `--kb` KB (title,
front matter with status, owner, links to older requirements, a body of Markdown sections in
English and Chinese) and grows section by section to about `--kb` KB; each commit edits one or
two requirements: most rewrite or add a paragraph of the body, some move the status along, a
few retitle. The history is written by ONE `git fast-import` and repacked as a clone would
have it (about 100 s in all); OUT is replaced.

With `--time`, the corpus (built first when OUT holds none) is timed as whole processes, cold
(`.reqforge/` deleted before each run), median of `--runs`: `reqforge check --format json` and
`reqforge log --format json`. Issue 16's bars there: cold check <= 2 s, cold log <= 5 s.
"""

# implements: REQ-610

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

START = 1735740000  # 2025-01-01
STATUSES = ["proposed", "accepted", "in-progress", "testing", "done"]
# fmt: off
WORDS = [
    "the", "service", "keeps", "each", "customer", "order", "and", "its", "invoice", "in",
    "step", "with", "the", "ledger", "while", "the", "report", "shows", "what", "changed",
    "and", "why", "the", "team", "accepted", "it", "before", "the", "release", "went", "out",
]
# fmt: on
ZH = "客户订单与发票在账本中保持一致系统记录每次变更的原因团队在发布前审核并接受该需求"


def _paragraph(rng: random.Random, size: int) -> str:
    if rng.random() < 0.3:
        return "".join(rng.choice(ZH) for _ in range(size // 3)) + "。"
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < size:
        words.append(rng.choice(WORDS))
    return " ".join(words).capitalize() + "."


class Doc:
    """One requirement: its front matter fields and its body as a list of sections."""

    def __init__(self, number: int, rng: random.Random, kb: int) -> None:
        self.id = f"DES-{number:04d}"
        self.path = f"reqs/design/{self.id}.md"
        self.number = number
        self.title = f"Design {number} - {' '.join(rng.sample(WORDS, 4))}"
        self.status = 0
        self.links = [f"DES-{rng.randrange(number):04d}"] if number else []
        # about 85% of the final size at the start, in sections of three paragraphs
        sections = max(2, kb * 1024 * 85 // 100 // 3000)
        self.sections = [[_paragraph(rng, 1000) for _ in range(3)] for _ in range(sections)]

    def text(self) -> bytes:
        front = [
            f"id: {self.id}",
            f"title: {self.title}",
            "type: functional",
            f"status: {STATUSES[self.status]}",
            "owner: design-team",
        ]
        if self.links:
            front.append(f"links:\n  depends-on: [{', '.join(self.links)}]")
        body = []
        for index, paragraphs in enumerate(self.sections):
            body.append(f"## Section {index + 1}\n\n" + "\n\n".join(paragraphs))
        return ("---\n" + "\n".join(front) + "\n---\n" + "\n\n".join(body) + "\n").encode()

    def size(self) -> int:
        return sum(len(p) for section in self.sections for p in section)

    def edit(self, rng: random.Random, limit: int) -> None:
        roll = rng.random()
        if roll < 0.10 and self.status < len(STATUSES) - 1:
            self.status += 1
        elif roll < 0.13:
            self.title = f"Design {self.number} - {' '.join(rng.sample(WORDS, 4))}"
        elif self.size() < limit and roll < 0.6:
            section = rng.choice(self.sections)
            section.append(_paragraph(rng, rng.randrange(1000, 3000)))
            if len(section) > 12:
                self.sections.append([_paragraph(rng, 600)])
        else:
            section = rng.choice(self.sections)
            section[rng.randrange(len(section))] = _paragraph(rng, rng.randrange(400, 1200))


def build(out: Path, count: int, commits: int, kb: int, seed: int) -> None:
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(out)], check=True)
    (out / ".git" / "info" / "exclude").write_text(".reqforge/\n", encoding="utf-8")
    subprocess.run(["git", "-C", str(out), "config", "gc.auto", "0"], check=True)
    importer = subprocess.Popen(
        ["git", "-C", str(out), "fast-import", "--quiet"], stdin=subprocess.PIPE
    )
    assert importer.stdin is not None
    stream = importer.stdin
    docs: list[Doc] = []
    config = b'[project]\nname = "Long documents"\n'
    first = min(count, 20)
    for number in range(commits):
        touched: list[Doc] = []
        if number == 0 or (len(docs) < count and rng.random() < count / commits * 1.5):
            for _ in range(first if number == 0 else 1):
                docs.append(Doc(len(docs), rng, kb))
                touched.append(docs[-1])
        else:
            for doc in rng.sample(docs, min(len(docs), rng.choice((1, 1, 1, 2)))):
                doc.edit(rng, kb * 1024)
                touched.append(doc)
        when = START + number * 3600
        message = f"Edit {', '.join(d.id for d in touched)}".encode()
        lines = [
            b"commit refs/heads/main",
            b"committer Bench <bench@example.com> %d +0800" % when,
            b"data %d" % len(message),
            message,
        ]
        if not number:  # later commits go on from the branch's tip
            lines += [b"M 644 inline reqforge.toml", b"data %d" % len(config), config]
        for doc in touched:
            data = doc.text()
            lines += [b"M 644 inline " + doc.path.encode(), b"data %d" % len(data), data]
        stream.write(b"\n".join(lines) + b"\n\n")
    stream.close()
    if importer.wait() != 0:
        raise SystemExit("git fast-import failed")
    subprocess.run(["git", "-C", str(out), "checkout", "-q", "-f", "main"], check=True)
    # Packed as a clone has it: fast-import stores each version as a delta of the one before,
    # so the newest versions sit at the end of long delta chains, which a server's pack (and
    # `git repack -f`) turns around. Reading HEAD's 650 versions took git 0.56 s before, and
    # cold `check` 3.0 s instead of 1.3 s.
    subprocess.run(["git", "-C", str(out), "repack", "-adfq"], check=True)
    sizes = [d.size() for d in docs]
    print(
        f"{len(docs)} requirements, {commits} commits, bodies {min(sizes) // 1024}-"
        f"{max(sizes) // 1024} KB (median {statistics.median(sizes) / 1024:.0f} KB) in {out}"
    )


def time_it(out: Path, runs: int) -> None:
    commands = {
        "check cold": [sys.executable, "-m", "reqforge", "check", "--format", "json"],
        "log cold": [sys.executable, "-m", "reqforge", "log", "--format", "json"],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            shutil.rmtree(out / ".reqforge", ignore_errors=True)
            started = time.perf_counter()
            subprocess.run(command, cwd=out, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times[name].append(time.perf_counter() - started)
    print("| command | median | runs |\n|---|---:|---|")
    for name, values in times.items():
        shown = ", ".join(f"{v:.2f}" for v in values)
        print(f"| {name} | {statistics.median(values):.2f} s | {shown} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--count", type=int, default=650)
    parser.add_argument("--commits", type=int, default=11000)
    parser.add_argument("--kb", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time", action="store_true")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    if not args.time or not (args.out / ".git").is_dir():
        build(args.out, args.count, args.commits, args.kb, args.seed)
    if args.time:
        time_it(args.out, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
