"""Build a benchmark corpus with git history: the generate.py files, reached through C commits.

    python bench/history.py 10000 5000 /tmp/corpus-hist [--seed 1]

The final tree (HEAD of `main`, checked out in OUT) is exactly what `bench/generate.py` writes for
N requirements and the seed; the C commits leading to it are made up, deterministically, to look
like a real requirements repository's history:

- the first commit adds reqforge.toml (without its `[workflow.sla]` section, which a later commit
  adds), reqs/customers.yaml and a first batch of requirements; later commits add the rest, one
  at a time, a handful, or as a bulk import (link targets always exist before their sources);
- most other commits modify requirements on their way to their final text: the status moves one
  step at a time along proposed -> accepted -> in-progress -> testing -> awaiting-acceptance ->
  done (rejected and deferred items start as proposed), priority inputs change, the body gains
  lines; two intermediate versions carry a field-name typo that the next commit fixes;
- a few commits move a file to another area folder and back, a few delete a requirement and
  re-create it, two requirements are added and withdrawn for good (absent from the final tree);
- about 10% of the commits are merge commits of short topic branches (one to four commits, now
  and then with a commit on main in between); subjects carry PR numbers (`Merge pull request
  #45 from dev/...`, `... (#123)`, a GitLab-style `See merge request ...!N`);
- authors come from a small list (Chinese and English names, zones +08:00, +00:00, -05:00), dates
  increase from 2025-01-01; one commit has a Latin-1 (non-UTF-8) message and author name;
- six release tags on `main`, evenly spaced (`v1.0.0` to `v1.5.0`): annotated, except the last,
  which is a lightweight tag; they are written after the commits they name and change no commit.

The history is written by ONE `git fast-import` process fed on its stdin; the Python side only
touches, per commit, the files that commit changes. Afterwards the work tree is checked out and
compared with the generate() output (digest of every file); any difference is an error.
The objects are then repacked as a clone would have them (`git repack -adf`).
`.reqforge/` and `.bench-corpus.json` go into `.git/info/exclude`, `gc.auto` is 0 (no background
gc while benchmarks time commands). OUT is replaced.
"""

# implements: REQ-609

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import itertools
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, NamedTuple

BENCH_DIR = Path(__file__).resolve().parent
GENERATOR = BENCH_DIR / "generate.py"

MAIN_REF = b"refs/heads/main"
TOPIC_REF = b"refs/heads/bench-topic"  # reused by every topic branch; deleted at the end
WORKFLOW = ["proposed", "accepted", "in-progress", "testing", "awaiting-acceptance", "done"]
START = 1735740000  # 2025-01-01T14:00:00Z: 22:00 in +08:00, 09:00 in -05:00
SPAN_S = 540 * 86400  # the history covers about 18 months, whatever the commit count
MERGE_SHARE = 0.10
MAX_MODS = 12  # modifications of one requirement, at most
TYPOS = ["stauts", "priorty"]  # intermediate versions with a misspelt field name
RELEASES = 6  # release tags along main, evenly spaced; the last one is lightweight


class Author(NamedTuple):
    """A commit author: raw name bytes, e-mail, zone, and whether they write Chinese subjects."""

    name: bytes
    email: bytes
    tz: bytes
    chinese: bool


AUTHORS = [
    Author("张伟".encode(), b"zhang.wei@example.com", b"+0800", True),
    Author("李娜".encode(), b"li.na@example.com", b"+0800", True),
    Author("王芳".encode(), b"wang.fang@example.com", b"+0800", True),
    Author("陈杰".encode(), b"chen.jie@example.com", b"+0800", True),
    Author(b"Alice Martin", b"alice@example.com", b"+0000", False),
    Author(b"Bob Smith", b"bob@example.com", b"-0500", False),
    Author(b"Carol Jones", b"carol@example.com", b"-0500", False),
]
LATIN1_AUTHOR = Author("René Dubois".encode("latin-1"), b"rene@example.com", b"+0100", False)
GITHUB = Author(b"GitHub", b"noreply@github.com", b"+0000", False)

PRIORITY_KEYS = ["moscow", "urgency", "value", "cost", "ice", "rice"]
CHOICES = {
    "moscow": ["must", "should", "could", "wont"],
    "urgency": ["urgent", "normal", "deferred"],
}


# --------------------------------------------------------------------------- requirements


@dataclass(frozen=True)
class State:
    """One version of a requirement, as differences from its final text.

    `change` names what changed from the previous version (`created` for the first).
    """

    status: str
    cut: int = 0  # trailing non-blank body lines not written yet
    prio: tuple[tuple[str, str], ...] = ()  # (priority key, its whole line) overrides
    typo: str | None = None
    change: str = "created"


@dataclass
class Req:
    """A requirement: its final file, and the scheduling and emission state."""

    index: int
    rid: str
    folder: str
    final: bytes
    links: list[str] = field(default_factory=list)
    withdrawn: bool = False
    mods: int = 0
    created: bool = False
    deleted: bool = False
    moved: bool = False
    typo: str | None = None
    states: list[State] | None = None
    parsed: Parsed | None = None

    @property
    def home(self) -> str:
        """The path in the final tree."""
        return f"reqs/{self.folder}/{self.rid}.md"


class Parsed(NamedTuple):
    """A final requirement file split into front matter lines and non-blank-aware body lines."""

    fm: list[str]
    body: list[str]
    keys: dict[str, int]  # top-level key or priority key -> line index in fm
    nonblank: list[int]  # indices of the non-blank body lines


def parse(text: str) -> Parsed:
    """Split a generated requirement file (front matter between `---` lines, then body)."""
    lines = text.split("\n")
    end = lines.index("---", 1)
    fm, body = lines[1:end], lines[end + 1 :]
    keys: dict[str, int] = {}
    for i, line in enumerate(fm):
        if line and line[0] != " ":
            keys.setdefault(line.split(":", 1)[0], i)
        elif line.startswith("  ") and not line.startswith("   "):
            key = line[2:].split(":", 1)[0]
            if key in PRIORITY_KEYS:
                keys.setdefault(key, i)
    nonblank = [i for i, line in enumerate(body) if line.strip()]
    return Parsed(fm, body, keys, nonblank)


def render(req: Req, state: State, parsed: Parsed) -> bytes:
    """The file text of `req` in `state` (its final bytes when the state is the final one)."""
    final_status = parsed.fm[parsed.keys["status"]].split(": ", 1)[1]
    if state == State(final_status, change=state.change):
        return req.final
    fm = list(parsed.fm)
    fm[parsed.keys["status"]] = f"status: {state.status}"
    for key, line in state.prio:
        fm[parsed.keys[key]] = line
    if state.typo:
        real = {"stauts": "status", "priorty": "priority"}[state.typo]
        i = parsed.keys[real]
        fm[i] = state.typo + fm[i][len(real) :]
    drop: set[int] = set()
    if state.status != final_status:
        if "reason" in parsed.keys:
            drop.add(parsed.keys["reason"])
        if "feedback" in parsed.keys and state.status != "done":
            i = parsed.keys["feedback"]
            drop.add(i)
            while i + 1 < len(fm) and fm[i + 1].startswith(" "):
                i += 1
                drop.add(i)
    if drop:
        fm = [line for i, line in enumerate(fm) if i not in drop]
    body = parsed.body
    if state.cut:
        body = [*body[: parsed.nonblank[-state.cut]], ""]
        while len(body) > 1 and not body[-2].strip():
            body.pop(-2)
    return "\n".join(["---", *fm, "---", *body]).encode("utf-8")


def _predecessor(status: str) -> str | None:
    """The status a requirement had before `status` (one legal workflow step back)."""
    if status in WORKFLOW:
        i = WORKFLOW.index(status)
        return WORKFLOW[i - 1] if i else None
    return "proposed" if status in ("rejected", "deferred") else None


def _other_priority(rng: random.Random, key: str, line: str) -> str:
    """A different line for priority input `key` than `line`."""
    while True:
        if key in CHOICES:
            new = f"  {key}: {rng.choice(CHOICES[key])}"
        elif key in ("value", "cost"):
            new = f"  {key}: {rng.randint(1, 10)}"
        elif key == "ice":
            a, b, c = (rng.randint(1, 5) for _ in range(3))
            new = f"  ice: {{impact: {a}, confidence: {b}, ease: {c}}}"
        else:
            new = (
                f"  rice: {{reach: {rng.randint(10, 5000)}, impact: "
                f"{rng.choice([0.25, 0.5, 1, 2, 3])}, confidence: {rng.choice([0.5, 0.8, 1.0])}, "
                f"effort: {rng.randint(1, 12)}}}"
            )
        if new != line:
            return new


def plan_states(req: Req, parsed: Parsed, rng: random.Random) -> list[State]:
    """`req.mods + 1` versions ending with the final one, built backwards from it.

    Each step back undoes one change: a status step, body lines, or a priority input. With a
    typo, the last modification is the fix and the version before it carries the typo.
    """
    final_status = parsed.fm[parsed.keys["status"]].split(": ", 1)[1]
    max_cut = max(0, len(parsed.nonblank) - 2)
    cur = State(final_status)
    states = [cur]
    for j in range(req.mods, 0, -1):
        if req.typo and j == req.mods:
            prev, kind = replace(cur, typo=req.typo), "typo-fix"
        else:
            base = replace(cur, typo=None)
            pred = _predecessor(base.status)
            roll = rng.random()
            if pred and roll < 0.5:
                prev, kind = replace(base, status=pred), "status"
            elif base.cut < max_cut and roll < 0.75:
                prev, kind = replace(base, cut=base.cut + rng.randint(1, 2)), "body"
                prev = replace(prev, cut=min(prev.cut, max_cut))
            else:
                key = rng.choice(PRIORITY_KEYS)
                prio = dict(base.prio)
                line = prio.get(key, parsed.fm[parsed.keys[key]])
                prio[key] = _other_priority(rng, key, line)
                prev, kind = replace(base, prio=tuple(sorted(prio.items()))), "priority"
        states[-1] = replace(states[-1], change=kind)
        cur = replace(prev, change="created")
        states.append(cur)
    states.reverse()
    return states


# --------------------------------------------------------------------------- the schedule


class Event(NamedTuple):
    """One file change of a commit. `req` is None for reqforge.toml / customers.yaml."""

    kind: str  # add, mod, move, back, del, readd, drop, file
    req: Req | None
    version: int = 0
    path: str = ""
    dest: str = ""
    data: bytes = b""


@dataclass
class Commit:
    """A planned non-merge commit: its events, and the keys (requirement ids) it touches."""

    events: list[Event] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)

    def add(self, event: Event) -> None:
        """Append an event and remember what it touches."""
        self.events.append(event)
        self.keys.add(event.req.rid if event.req else event.path)


def _creation_order(reqs: list[Req], rng: random.Random) -> list[Req]:
    """IDs appear in increasing number per area, areas at different paces; link targets first."""
    by_id = {r.rid: r for r in reqs}
    pace = {folder: rng.uniform(0.6, 1.6) for folder in sorted({r.folder for r in reqs})}
    base = sorted(reqs, key=lambda r: (int(r.rid.rsplit("-", 1)[1]) * pace[r.folder], r.index))
    placed: set[str] = set()
    order: list[Req] = []
    for req in base:
        stack = [req]
        while stack:
            top = stack[-1]
            if top.rid in placed:
                stack.pop()
                continue
            pending = [by_id[t] for t in top.links if t in by_id and t not in placed]
            if pending:
                stack.extend(pending)
                continue
            placed.add(top.rid)
            order.append(top)
            stack.pop()
    return order


def _sizes(rng: random.Random, slots: int, total: int) -> list[int]:
    """`slots` positive sizes summing to `total` (>= slots): mostly small, a few bulk imports."""
    weights = [rng.expovariate(1.0) * (25 if rng.random() < 0.03 else 1) for _ in range(slots)]
    extra, whole = total - slots, sum(weights)
    sizes, cum, prev = [], 0.0, 0
    for w in weights:
        cum += w
        edge = round(extra * cum / whole)
        sizes.append(1 + edge - prev)
        prev = edge
    sizes[-1] += total - sum(sizes)
    return sizes


def _mod_count(rng: random.Random) -> int:
    """How many requirements a modifying commit touches (mean about 4)."""
    roll = rng.random()
    if roll < 0.45:
        return 1
    if roll < 0.80:
        return rng.randint(2, 4)
    if roll < 0.95:
        return rng.randint(5, 10)
    return rng.randint(15, 40)


class Scheduler:
    """Plans the K non-merge commits, in date order, touching only what each commit changes."""

    def __init__(self, reqs: list[Req], files: dict[str, bytes], k: int, rng: random.Random):
        self.reqs, self.files, self.k, self.rng = reqs, files, k, rng
        self.commits = [Commit() for _ in range(k)]
        self.pool: list[Req] = []  # created requirements, in creation order
        self.targets = {t for r in reqs for t in r.links}
        self.folders = sorted({r.folder for r in reqs})
        self.forced: dict[int, list[Callable[[Commit], None]]] = {}
        self.away: dict[str, str] = {}  # moved requirement -> its path while away
        self.renames = self.deletions = 0

    def pick(self, commit: Commit, ok: Callable[[Req], bool]) -> Req | None:
        """A created requirement, recent ones more likely, not touched by `commit` yet."""
        if not self.pool:
            return None
        for _ in range(40):
            if self.rng.random() < 0.7:
                i = max(0, len(self.pool) - 1 - int(self.rng.expovariate(1 / 150)))
            else:
                i = self.rng.randrange(len(self.pool))
            req = self.pool[i]
            if req.rid not in commit.keys and not req.deleted and ok(req):
                return req
        return None

    def later(self, t: int, lo: int, hi: int, action: Callable[[Commit], None]) -> None:
        """Run `action` on a commit lo..hi after t (the last commit at the latest)."""
        when = min(self.k - 1, t + self.rng.randint(lo, hi))
        if when <= t:
            raise RuntimeError(f"no commit left after {t} to undo a move or deletion")
        self.forced.setdefault(when, []).append(action)

    def create(self, commit: Commit, req: Req) -> None:
        """Add a requirement's first version."""
        req.created = True
        if not req.withdrawn:
            self.pool.append(req)
        commit.add(Event("add", req, 0, req.home))

    def modify(self, commit: Commit) -> None:
        """Move one requirement on to its next version."""
        req = self.pick(commit, lambda r: r.mods < MAX_MODS)
        if req is not None:
            req.mods += 1
            path = self.away[req.rid] if req.moved else req.home
            commit.add(Event("mod", req, req.mods, path))

    def move(self, t: int, commit: Commit) -> None:
        """Move a requirement to another area folder, and back a few commits later."""
        req = self.pick(commit, lambda r: not r.moved)
        if req is None or len(self.folders) < 2:
            return
        dest_folder = self.rng.choice([f for f in self.folders if f != req.folder])
        dest = f"reqs/{dest_folder}/{req.rid}.md"
        req.moved = True
        self.away[req.rid] = dest
        self.renames += 2
        commit.add(Event("move", req, path=req.home, dest=dest))

        def back(c: Commit, req: Req = req, dest: str = dest) -> None:
            req.moved = False
            c.add(Event("back", req, path=dest, dest=req.home))

        self.later(t, 3, 40, back)

    def delete(self, t: int, commit: Commit) -> None:
        """Delete a requirement nothing links to, and re-create it a few commits later."""
        req = self.pick(commit, lambda r: not r.moved and r.rid not in self.targets)
        if req is None:
            return
        req.deleted = True
        self.deletions += 1
        commit.add(Event("del", req, path=req.home))

        def readd(c: Commit, req: Req = req) -> None:
            req.deleted = False
            c.add(Event("readd", req, req.mods, req.home))

        self.later(t, 3, 40, readd)

    def withdraw(self, t: int, commit: Commit, number: int) -> None:
        """Add a requirement that is deleted for good later (its ID is not in the final tree)."""
        base = self.pick(commit, lambda r: True)
        if base is None:
            return
        prefix = base.rid.rsplit("-", 1)[0]
        rid = f"{prefix}-{90000 + number:05d}"
        text = base.final.decode("utf-8").replace(f"id: {base.rid}\n", f"id: {rid}\n", 1)
        text = text.replace("\ntitle: ", "\ntitle: (duplicate) ", 1)
        req = Req(-1, rid, base.folder, text.encode("utf-8"), withdrawn=True)
        self.create(commit, req)
        self.deletions += 1
        self.later(t, 5, 60, lambda c, req=req: c.add(Event("drop", req, path=req.home)))

    def run(self, order: list[Req]) -> list[Commit]:
        """Fill the commits: adds, config change, moves, deletions, modifications."""
        rng, k = self.rng, self.k
        toml = self.files["reqforge.toml"]
        cut = toml.find(b"\n[workflow.sla]")
        first_toml = toml[: cut + 1] if cut >= 0 and k > 1 else toml
        first = self.commits[0]
        first.add(Event("file", None, path="reqforge.toml", data=first_toml))
        for path, data in sorted(self.files.items()):
            if path != "reqforge.toml":
                first.add(Event("file", None, path=path, data=data))
        batch = len(order) if k == 1 else max(1, round(len(order) * 0.15))
        for req in order[:batch]:
            self.create(first, req)
        rest = order[batch:]
        last_add = max(1, int((k - 1) * 0.85))
        slots = [t for t in range(1, min(k, last_add + 1)) if rng.random() < 0.4] or [1]
        if len(slots) > len(rest):
            slots = sorted(rng.sample(slots, len(rest)))
        adds: dict[int, list[Req]] = {}
        pos = 0
        for t, size in zip(slots, _sizes(rng, len(slots), len(rest)) if rest else [], strict=False):
            adds[t], pos = rest[pos : pos + size], pos + size
        big = k >= 20
        late = max(1, int((k - 1) * 0.8))
        moves = set(rng.sample(range(1, late), max(2, k // 400))) if big else set()
        dels = set(rng.sample(range(1, late), max(2, k // 1000))) if big else set()
        drops = sorted(rng.sample(range(1, max(2, k // 2)), 2)) if big else []
        config_at = max(1, k // 3) if cut >= 0 and k > 1 else -1
        for t in range(1, k):
            commit = self.commits[t]
            for action in self.forced.pop(t, []):
                action(commit)
            if t == config_at:
                commit.add(Event("file", None, path="reqforge.toml", data=toml))
            for req in adds.get(t, []):
                self.create(commit, req)
            if t in moves:
                self.move(t, commit)
            if t in dels:
                self.delete(t, commit)
            if t in drops:
                self.withdraw(t, commit, drops.index(t) + 1)
            if t in adds:
                n = rng.randint(1, 2) if rng.random() < 0.2 else 0
            else:
                n = 0 if commit.events else _mod_count(rng)
            for _ in range(n):
                self.modify(commit)
        if self.forced:
            raise RuntimeError("a move or deletion was not undone")
        return self.commits


# --------------------------------------------------------------------------- topology


class Item(NamedTuple):
    """One commit in date order: a planned commit on main or the topic branch, or a merge."""

    kind: str  # main, branch, merge
    index: int = -1  # into the planned commits (main, branch)
    first: bool = False  # first commit of its branch


def topology(commits: list[Commit], merges: int, rng: random.Random) -> list[Item]:
    """Place `merges` short topic branches among commits 1..K-1, one per equal segment.

    A branch takes one to four consecutive commits; now and then a commit on main falls in
    between, when it touches nothing the branch touches, so the merge's tree is just main plus
    the branch's changes. The merge commit follows the branch's last commit.
    """
    k = len(commits)
    items = [Item("main", 0)]
    positions = k - 1
    merges = min(merges, positions)
    bounds = [1 + positions * i // merges for i in range(merges + 1)] if merges else [1, k]
    for a, b in itertools.pairwise(bounds):
        if not merges:
            items += [Item("main", t) for t in range(a, b)]
            continue
        n = rng.randint(1, min(4, b - a))
        between = n >= 2 and b - a >= n + 1 and rng.random() < 0.4
        start = rng.randint(a, b - n - between)
        q = -1
        if between:
            q = start + rng.randint(1, n - 1)
            others = set().union(*(commits[t].keys for t in range(start, start + n + 1) if t != q))
            if commits[q].keys & others:
                q = -1
        window = range(start, start + n + (q >= 0))
        items += [Item("main", t) for t in range(a, start)]
        first = True
        for t in window:
            if t == q:
                items.append(Item("main", t))
            else:
                items.append(Item("branch", t, first))
                first = False
        items.append(Item("merge"))
        items += [Item("main", t) for t in range(window.stop, b)]
    return items


# --------------------------------------------------------------------------- messages

STATUS_ZH = {
    "proposed": "提议",
    "accepted": "已接受",
    "in-progress": "进行中",
    "testing": "测试中",
    "awaiting-acceptance": "待验收",
    "done": "完成",
    "rejected": "拒绝",
    "deferred": "推迟",
}


def _title(req: Req) -> str:
    text = req.final.decode("utf-8")
    start = text.index("\ntitle: ") + 8
    title = text[start : text.index("\n", start)]
    return title if len(title) <= 60 else title[:57] + "..."


def subject(commit: Commit, author: Author, rng: random.Random, t: int) -> str:
    """A commit subject that says what the commit does, in English or Chinese."""
    zh = author.chinese and rng.random() < 0.5
    events = commit.events
    if t == 0:
        n = sum(e.kind == "add" for e in events)
        return f"Initial import: reqforge.toml, customers and {n} requirements"
    special = [e for e in events if e.kind not in ("add", "mod")]
    adds = [e for e in events if e.kind == "add"]
    mods = [e for e in events if e.kind == "mod"]
    if special:
        e = special[0]
        rid = e.req.rid if e.req else ""
        text = {
            "file": "Configure response-time SLA in reqforge.toml",
            "move": f"Move {rid} to {e.dest.rsplit('/', 1)[0]}/",
            "back": f"Move {rid} back to {e.dest.rsplit('/', 1)[0]}/",
            "del": f"Remove {rid} until the duplicate question is settled",
            "readd": f"Restore {rid}",
            "drop": f"Withdraw {rid}: duplicate requirement",
        }[e.kind]
        more = len(events) - 1
        return text + (f"; {more} more change{'s' * (more > 1)}" if more else "")
    if len(adds) > 30:
        return f"从旧系统导入 {len(adds)} 条需求" if zh else f"Import {len(adds)} requirements"
    if len(adds) > 1:
        area = adds[0].req.folder
        return (
            f"新增 {len(adds)} 条需求（{area}）" if zh else f"Add {len(adds)} {area} requirements"
        )
    if adds:
        rid = adds[0].req.rid
        return f"新增需求 {rid}" if zh else f"Add {rid}: {_title(adds[0].req)}"
    if len(mods) > 1:
        if zh:
            return f"需求评审：更新 {len(mods)} 条需求"
        return rng.choice(
            [
                f"Backlog review: update {len(mods)} requirements",
                f"Sprint {t // 40 + 1} status update ({len(mods)} requirements)",
            ]
        )
    if not mods:
        return "需求整理" if zh else "Tidy up the backlog"
    e = mods[0]
    req, states = e.req, e.req.states or []
    new = states[e.version]
    old = states[e.version - 1]
    rid = req.rid
    if new.change == "status":
        if zh:
            return f"{rid} 状态改为{STATUS_ZH.get(new.status, new.status)}"
        return f"{rid}: {old.status} -> {new.status}"
    if new.change == "body":
        return f"补充 {rid} 的场景描述" if zh else f"Describe the scenario of {rid} in more detail"
    if new.change == "typo-fix":
        return f"修正 {rid} 的字段拼写" if zh else f"Fix a field name typo in {rid}"
    return f"调整 {rid} 的优先级" if zh else f"Re-prioritise {rid} after the backlog review"


# --------------------------------------------------------------------------- emission


class Stream:
    """Buffered writer of fast-import commands; marks are numbered here."""

    def __init__(self, out: IO[bytes]):
        self.out = out
        self.parts: list[bytes] = []
        self.size = 0
        self.mark = 0

    def write(self, *parts: bytes) -> None:
        """Queue bytes; flush about every MiB."""
        self.parts.extend(parts)
        self.size += sum(len(p) for p in parts)
        if self.size > 1 << 20:
            self.flush()

    def flush(self) -> None:
        """Write the queued bytes to fast-import."""
        self.out.write(b"".join(self.parts))
        self.parts.clear()
        self.size = 0

    def blob(self, data: bytes) -> int:
        """Emit a blob; return its mark."""
        self.mark += 1
        self.write(b"blob\nmark :%d\ndata %d\n" % (self.mark, len(data)), data, b"\n")
        return self.mark

    def commit(
        self,
        ref: bytes,
        author: Author,
        committer: Author,
        when: int,
        message: bytes,
        parents: Iterable[bytes],
        ops: list[bytes],
    ) -> int:
        """Emit a commit (parents as `from ...`/`merge ...` lines); return its mark."""
        self.mark += 1
        date = b"%d " % when
        self.write(
            b"commit %s\nmark :%d\n" % (ref, self.mark),
            b"author %s <%s> %s%s\n" % (author.name, author.email, date, author.tz),
            b"committer %s <%s> %s%s\n" % (committer.name, committer.email, date, committer.tz),
            b"data %d\n" % len(message),
            message,
            b"\n",
            *parents,
            *ops,
            b"\n",
        )
        return self.mark

    def tag(self, name: str, mark: int, tagger: Author | None, when: int) -> None:
        """Emit a tag on a commit: annotated with a tagger, else lightweight."""
        if tagger is None:
            self.write(b"reset refs/tags/%s\nfrom :%d\n\n" % (name.encode(), mark))
            return
        message = b"Release %s\n" % name.encode()
        self.write(
            b"tag %s\nfrom :%d\n" % (name.encode(), mark),
            b"tagger %s <%s> %d %s\n" % (tagger.name, tagger.email, when, tagger.tz),
            b"data %d\n" % len(message),
            message,
            b"\n",
        )


def _ops(stream: Stream, commit: Commit, rng: random.Random) -> list[bytes]:
    """Emit the blobs of a commit; return its file operations (M/D/R lines)."""
    ops = []
    for e in commit.events:
        req = e.req
        if e.kind == "file":
            ops.append(b"M 100644 :%d %s\n" % (stream.blob(e.data), e.path.encode()))
        elif e.kind in ("add", "mod", "readd"):
            assert req is not None
            if req.withdrawn:
                data = req.final
            elif req.mods == 0:
                req.states = [State("")]
                data = req.final
            else:
                if req.states is None or req.parsed is None:
                    req.parsed = parse(req.final.decode("utf-8"))
                    req.states = plan_states(req, req.parsed, rng)
                data = render(req, req.states[e.version], req.parsed)
            ops.append(b"M 100644 :%d %s\n" % (stream.blob(data), e.path.encode()))
        elif e.kind in ("move", "back"):
            ops.append(b"R %s %s\n" % (e.path.encode(), e.dest.encode()))
        else:  # del, drop
            ops.append(b"D %s\n" % e.path.encode())
    return ops


@dataclass
class Stats:
    """What was built."""

    requirements: int
    commits: int
    merges: int
    renames: int
    deletions: int
    head: str = ""
    tags: int = 0
    seconds: float = 0.0


def emit(
    stream: Stream,
    commits: list[Commit],
    items: list[Item],
    rng: random.Random,
) -> int:
    """Write every commit, in date order, to the fast-import stream; return the tag count."""
    gap = SPAN_S / max(1, len(items))
    when = START
    pr = 0
    latin1_at = next(
        (i.index for i in items if i.kind == "main" and i.index >= max(1, len(commits) // 2)), -1
    )
    main_tip = topic_tip = 0
    branch_ops: list[bytes] = []
    branch_author = AUTHORS[0]
    branch_name = ""
    branch_subjects: list[str] = []
    # Release tags go on main's tip before the item at each of these positions; no rng is
    # drawn for them, so the commits are the same as without tags.
    releases = [len(items) * k // (RELEASES + 1) for k in range(1, RELEASES + 1)]
    tagged: list[int] = []
    for n, item in enumerate(items):
        while releases and n >= releases[0]:
            releases.pop(0)
            if main_tip and main_tip not in tagged:
                name = f"v1.{len(tagged)}.0"
                lightweight = not releases
                stream.tag(name, main_tip, None if lightweight else AUTHORS[4], when + 600)
                tagged.append(main_tip)
        if n:
            when += max(60, int(rng.expovariate(1 / gap)))
        if item.kind == "merge":
            pr += 1
            title = branch_subjects[0]
            style = rng.random()
            if style < 0.7:
                msg = f"Merge pull request #{pr} from {branch_name}\n\n{title}\n"
                committer = GITHUB
            elif style < 0.9:
                msg = (
                    f"Merge branch '{branch_name}' into 'main'\n\n{title}\n\n"
                    f"See merge request product/requirements!{pr}\n"
                )
                committer = branch_author
            else:
                msg = f"Merge branch '{branch_name}'\n"
                committer = branch_author
            parents = [b"merge :%d\n" % topic_tip]
            main_tip = stream.commit(
                MAIN_REF, branch_author, committer, when, msg.encode(), parents, branch_ops
            )
            continue
        commit = commits[item.index]
        if item.kind == "branch" and item.first:
            branch_author = rng.choice(AUTHORS)
            branch_ops, branch_subjects = [], []
        author = branch_author if item.kind == "branch" else rng.choice(AUTHORS)
        if item.index == 0:
            author = AUTHORS[0]
        ops = _ops(stream, commit, rng)
        text = subject(commit, author, rng, item.index)
        if item.kind == "branch":
            if item.first:
                e = commit.events[0] if commit.events else None
                area = e.req.folder if e and e.req else "config"
                branch_name = f"dev/{area}-{item.index}"
            branch_subjects.append(text)
            branch_ops += ops
            parents = [b"from :%d\n" % main_tip] if item.first else []
            topic_tip = stream.commit(
                TOPIC_REF, author, author, when, text.encode() + b"\n", parents, ops
            )
            continue
        if item.index == latin1_at:
            rid = next((e.req.rid for e in commit.events if e.req), "the backlog")
            message = b"Clarify r\xe9sum\xe9 wording in %s\n" % rid.encode()
            author = LATIN1_AUTHOR
        else:
            if item.index and rng.random() < 0.15:
                pr += 1
                text += f" (#{pr})"
            message = text.encode() + b"\n"
        main_tip = stream.commit(MAIN_REF, author, author, when, message, [], ops)
    return len(tagged)


# --------------------------------------------------------------------------- the build


def _load_generate() -> Callable[..., None]:
    spec = importlib.util.spec_from_file_location("reqforge_bench_generate", GENERATOR)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot load {GENERATOR}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate


def read_tree(root: Path) -> dict[str, bytes]:
    """Every file under root (POSIX relative path -> bytes), `.git` excluded."""
    out = {}
    for path in root.rglob("*"):
        rel = path.relative_to(root)
        if rel.parts[0] != ".git" and path.is_file():
            out[rel.as_posix()] = path.read_bytes()
    return out


def digest(files: dict[str, bytes]) -> str:
    """SHA-256 over sorted (path, content) pairs."""
    h = hashlib.sha256()
    for path in sorted(files):
        h.update(b"%s\0%d\0" % (path.encode(), len(files[path])))
        h.update(files[path])
    return h.hexdigest()


def _git(repo: Path, *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=False)
    if proc.returncode:
        raise RuntimeError(f"git {' '.join(args)} failed: {proc.stderr.strip()}")
    return proc.stdout.strip()


def _requirements(files: dict[str, bytes]) -> list[Req]:
    """The requirement files of a generated tree, with their link targets."""
    reqs = []
    for path in sorted(files):
        parts = path.split("/")
        if len(parts) != 3 or parts[0] != "reqs" or not parts[2].endswith(".md"):
            continue
        req = Req(len(reqs), parts[2][:-3], parts[1], files[path])
        for line in req.final.decode("utf-8").split("\n"):
            if line.startswith(("  parent: [", "  depends-on: [")):
                req.links += line[line.index("[") + 1 : line.rindex("]")].split(", ")
        reqs.append(req)
    return reqs


# implements: REQ-609
def build_history(count: int, commits: int, out: Path, seed: int = 1) -> Stats:
    """Write a git repository with `commits` commits whose HEAD tree is generate(count, seed).

    OUT is replaced. Raises RuntimeError if git fails or the final tree differs.
    """
    if count < 1 or commits < 1:
        raise ValueError("count and commits must be at least 1")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="reqforge-history-") as tmp:
        _load_generate()(count, Path(tmp) / "corpus", seed)
        files = read_tree(Path(tmp) / "corpus")
    expected = digest(files)
    rng = random.Random(f"history-{seed}-{count}-{commits}")
    reqs = _requirements(files)
    merges = min(round(commits * MERGE_SHARE), (commits - 1) // 3)
    k = commits - merges
    scheduler = Scheduler(reqs, {p: d for p, d in files.items() if not _is_req(p)}, k, rng)
    planned = scheduler.run(_creation_order(reqs, rng))
    typo_candidates = [r for r in reqs[len(reqs) // 2 :] if r.mods >= 2][: len(TYPOS)]
    for req, typo in zip(typo_candidates, TYPOS, strict=False):
        req.typo = typo
    items = topology(planned, merges, rng)

    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    _git(out, "init", "-q", "-b", "main")
    tags = 0
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            ["git", "fast-import", "--quiet", "--done"], cwd=out, stdin=subprocess.PIPE, stderr=err
        )
        assert proc.stdin is not None
        try:
            stream = Stream(proc.stdin)
            tags = emit(stream, planned, items, rng)
            stream.write(b"done\n")
            stream.flush()
            proc.stdin.close()
        except BrokenPipeError:
            pass  # fast-import stopped reading: its exit code and message say why
        if proc.wait():
            err.seek(0)
            message = err.read().decode("utf-8", "replace").strip()
            raise RuntimeError(f"git fast-import failed (exit code {proc.returncode}): {message}")
    if merges:
        _git(out, "update-ref", "-d", TOPIC_REF.decode())
    for key, value in (
        ("gc.auto", "0"),
        ("maintenance.auto", "false"),
        ("user.name", "reqforge bench"),
        ("user.email", "bench@example.com"),
    ):
        _git(out, "config", key, value)
    with (out / ".git" / "info" / "exclude").open("a", encoding="utf-8") as f:
        f.write(".reqforge/\n.bench-corpus.json\n")
    # Packed as a clone has it: fast-import stores each version as a delta of the one before
    # (newest versions at the end of the chains), which a server's pack turns around. Reading
    # history from the fast-import pack cost cold `check` 3.6 s against 2.95 s (10,000
    # requirements, 5,000 commits), a long-document history 3.0 s against 1.3 s.
    _git(out, "repack", "-adfq")
    _git(out, "reset", "-q", "--hard")
    got = digest(read_tree(out))
    if got != expected:
        raise RuntimeError(
            f"the final tree in {out} differs from generate({count}, seed={seed}): "
            f"digest {got} != {expected}"
        )
    return Stats(
        requirements=len(reqs),
        commits=len(items),
        merges=merges,
        renames=scheduler.renames,
        deletions=scheduler.deletions,
        head=_git(out, "rev-parse", "HEAD"),
        tags=tags,
        seconds=time.perf_counter() - started,
    )


def _is_req(path: str) -> bool:
    parts = path.split("/")
    return len(parts) == 3 and parts[0] == "reqs" and parts[2].endswith(".md")


def main(argv: list[str] | None = None) -> int:
    """Command line: build the repository, print a summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, help="requirements")
    parser.add_argument("commits", type=int, help="commits of history (merges included)")
    parser.add_argument("out", type=Path, help="repository directory (replaced)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    try:
        stats = build_history(args.count, args.commits, args.out, args.seed)
    except (RuntimeError, ValueError, OSError) as exc:
        print(f"bench/history.py: error: {exc}", file=sys.stderr)
        return 1
    print(
        f"{stats.requirements} requirements, {stats.commits} commits ({stats.merges} merges, "
        f"{stats.renames} renames, {stats.deletions} deletions, {stats.tags} tags), "
        f"HEAD {stats.head[:12]}, "
        f"final tree verified, {stats.seconds:.1f} s: {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
