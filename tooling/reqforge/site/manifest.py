"""The build manifest: what each file of a built site was made of, so that the next build into
the same folder renders only the pages whose inputs changed, and does nothing at all when
nothing the site depends on changed.

Two records, each where it belongs:

* `<output>/.reqforge-manifest.json`, part of the site and as deterministic as its pages (the
  same inputs write the same bytes): for every file the digest of its inputs (`key`), the digest
  of its content, and the fingerprinted assets it refers to; and a short digest of every
  requirement's title.
* the `site` entry of the repository's cache (`reqforge.cache`), one per output folder: the
  quick key of the last build (requirement file stats, HEAD, tags, configuration, templates,
  reqforge's code, today), its check errors and the size and mtime of every file it left. It is
  what the no-change fast path compares; stats belong to this machine, not to the site.

A page's key is a digest of what the page is made of, taken from cheap stand-ins of its
context: a requirement file's digests as the parse cache holds them (its front matter; all of
it) rather than its rendered HTML, the commits of its history in outline (a digest kept by HEAD)
rather than their field diffs, the IDs and links of the requirements it is
connected to rather than its impact list. Their titles are left out of the keys: a title that
changed since the last build (the manifest's title digests) sends the pages that show it to be
rendered again (`title_readers`), not every page of a linked part that may hold most of the
requirements. `PageInputs` and plan.py's `_PAGE_FACETS` say which part of the model each page
reads.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from reqforge import cache
from reqforge.cache import (
    RACY_NS,
    CacheStore,
    code_digest,
    dict_of,
    file_signature,
    fixed,
    maybe,
    tuple_of,
)

if TYPE_CHECKING:
    import datetime as dt

    from reqforge.catalog import Entry
    from reqforge.config import Config
    from reqforge.corpus import Discovered
    from reqforge.model import Finding
    from reqforge.site.pages import SiteModel

MANIFEST = ".reqforge-manifest.json"
MANIFEST_FORMAT = 5  # bump when a key's recipe changes: every page is then rendered again
MANIFEST_LIMIT = 256 << 20  # a larger manifest is not one a build wrote; it is ignored
CACHE_NAME = "site"

# The parts of the model a shared page can read: each is digested once per build.
META = "meta"  # every requirement's front matter and scores, the customers
BODIES = "bodies"  # every requirement's body
HISTORY = "history"  # the commits (HEAD) and the tags
FINDINGS = "findings"  # every finding of `check`
TRACE = "trace"  # the trace report
TODAY = "today"  # the date overdue and ageing are judged at
TITLES = "titles"  # every requirement's ID and title (what a page that links to it shows)
FACETS = (META, BODIES, HISTORY, FINDINGS, TRACE, TODAY, TITLES)


def inputs_digest(*parts: object) -> str:
    """A digest of plain values (str, numbers, None, tuples, lists, dicts in a fixed order):
    equal values give equal digests in every process. Sets are not allowed (their order varies
    between processes): sort them first."""
    return hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def content_digest(content: bytes) -> str:
    """The digest of a written file's bytes, as the manifest records it (the caches' digest,
    in hex)."""
    return cache.content_digest(content).hex()


class PageRecord(NamedTuple):
    """One file of a built site: the digest of its inputs and of its content, and the asset
    names (name -> fingerprinted path) it referred to when it was rendered. A named tuple:
    a manifest holds one per file, 10,000 and more, read on every build."""

    key: str
    digest: str
    assets: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Manifest:
    """Every file of a build by relative path, and a digest of each requirement's title as
    the build showed it (`title_digests`): the next build re-renders the pages that show a
    title that changed (`title_readers`), which page keys leave out."""

    files: Mapping[str, PageRecord]
    titles: Mapping[str, str] = field(default_factory=dict)


def read_manifest(output: Path) -> Manifest:
    """The manifest of the build in `output`; an empty one when there is none to trust (none
    written, a link, too large, another format, not what a build writes)."""
    path = output / MANIFEST
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > MANIFEST_LIMIT:
            return Manifest({})
        data = json.loads(path.read_bytes())
        if data["format"] != MANIFEST_FORMAT:
            return Manifest({})
        assets = [tuple((name, used) for name, used in row) for row in data["assets"]]
        files = {
            rel: PageRecord(key, digest, assets[used]) for rel, key, digest, used in data["files"]
        }
        titles = data["titles"]
        if not (
            all(type(n) is str and type(u) is str for row in assets for n, u in row)
            and all(type(r.key) is str and type(r.digest) is str for r in files.values())
            and all(type(rel) is str for rel in files)
            and type(titles) is dict
            and all(type(k) is str and type(v) is str for k, v in titles.items())
        ):
            return Manifest({})
        return Manifest(files, titles)
    except (OSError, ValueError, TypeError, KeyError, AttributeError, IndexError):
        return Manifest({})


def manifest_bytes(manifest: Manifest) -> bytes:
    """The manifest file's content: JSON with sorted keys; each file as [path, key, digest,
    the position of its asset names in `assets`] (10,000 pages share a few lists of them)."""
    assets: dict[tuple[tuple[str, str], ...], int] = {}
    files = [
        (rel, r.key, r.digest, assets.setdefault(r.assets, len(assets)))
        for rel, r in sorted(manifest.files.items())
    ]
    document = {
        "format": MANIFEST_FORMAT,
        "titles": dict(sorted(manifest.titles.items())),
        "assets": list(assets),
        "files": files,
    }
    return (json.dumps(document, separators=(",", ":")) + "\n").encode("ascii")


def title_digests(model: SiteModel) -> dict[str, str]:
    """Each requirement's title as other pages show it (a link's target), by ID: a short
    digest (the manifest holds one per requirement)."""
    return {
        rid: hashlib.blake2b(
            entry.req.title.encode("utf-8", "surrogatepass"), digest_size=6
        ).hexdigest()
        for rid, entry in model.catalog.by_id.items()
    }


def changed_titles(before: Mapping[str, str], now: Mapping[str, str]) -> set[str]:
    """The IDs whose title digest differs between two builds (or that came or went)."""
    return {rid for rid in before.keys() | now.keys() if before.get(rid) != now.get(rid)}


# implements: REQ-515
def title_readers(model: SiteModel, changed: Iterable[str]) -> set[str]:
    """The requirements whose pages or area documents show the title of one of `changed`
    (IDs whose title changed, or that came or went): each links to it (its page lists it
    among its links), or it links to them, directly or through others (they list it among
    their inverse links, or in "what breaks if this changes", whose every entry's links lead
    to the page's requirement). The changed IDs themselves too."""
    if not changed:
        return set()
    links, inverse = model.links_by_id, model.inverse_links
    readers = set(changed)
    stack = list(readers)
    while stack:  # every requirement the links lead to, transitively
        node = stack.pop()
        for targets in links.get(node, {}).values():
            for target in targets:
                if target not in readers:
                    readers.add(target)
                    stack.append(target)
    for rid in changed:
        readers.update(source for source, _ in inverse.get(rid, ()))
    return readers


# --------------------------------------------------------------------------------------------
# What each page is made of


# implements: REQ-515
class PageInputs:
    """The keys of a build's pages: one digest per part of the model (`FACETS`), the key every
    page shares (reqforge's code, the templates, the configuration, the forge address), and
    the per-requirement stand-ins of a requirement page's context."""

    def __init__(self, model: SiteModel, config: Config, templates: str, tags: object) -> None:
        self.model = model
        self.common = inputs_digest(
            MANIFEST_FORMAT, code_digest(), templates, config.fingerprint(), model.repo_url
        )
        entries = list(model.catalog)
        history = model.history
        # The scores are drawn from the front matter, the configuration and the customers
        # (`corpus.cached_scores`): the shared pages' keys read those, not the scores.
        customers = repr(sorted(model.catalog.repository.customers.items()))
        self.titles = title_digests(model)
        self.facets = {
            META: _digest_of(customers, ((e.req.path, self._front(e)) for e in entries)),
            BODIES: _digest_of("", ((e.req.path, self._file(e)) for e in entries)),
            HISTORY: inputs_digest(
                None
                if history is None
                else (history.head, history.available, history.shallow, history.note),
                tags,
            ),
            FINDINGS: inputs_digest([repr(f) for f in model.findings]),
            TRACE: inputs_digest(repr(model.trace)),
            TODAY: model.today.isoformat(),
            TITLES: inputs_digest(sorted(self.titles.items())),
        }
        self.components = _component_digests(model)
        self.outlines = outline_digests(model)
        self.rows: dict[str, str] = {}  # requirement file -> `row` digest

    def _front(self, entry: Entry) -> bytes:
        """The digest of a requirement's front matter (the parse cache's, else made)."""
        req = entry.req
        return self.model.front_digests.get(req.path) or cache.content_digest(req.blob)

    def _file(self, entry: Entry) -> bytes:
        """The digest of a requirement's file: front matter and body."""
        req = entry.req
        found = self.model.file_digests.get(req.path)
        if found:
            return found
        body = self.model.bodies.get(req.path, "")
        return cache.content_digest(req.blob + b"\0" + body.encode("utf-8", "surrogatepass"))

    def shared(self, path: str, facets: Iterable[str] = FACETS) -> str:
        """The key of a page drawn from the whole model, reading the parts `facets` names."""
        return inputs_digest(self.common, path, [(f, self.facets[f]) for f in facets])

    def group(self, path: str, entries: Iterable[Entry]) -> str:
        """The key of a page showing several requirements in full (an area's document): the
        file, scores and connected IDs and links of each, as for its own page (titles: see
        `title_readers`)."""
        return _digest_of(
            f"{self.common}\0{path}",
            ((self.row(e), self._file(e)) for e in entries),
        )

    def row(self, entry: Entry) -> str:
        """A digest of what a requirement's row on a shared page is drawn from (site/
        kept_rows.py): its front matter, its scores, the IDs and links of every requirement
        it is connected to, its trace. Made once per requirement and build."""
        req = entry.req
        found = self.rows.get(req.path)
        if found is None:
            text = "\0".join(
                (
                    req.path,
                    repr(entry.scores),  # (customers.yaml's tiers weigh in)
                    self.components.get(req.id) or "",
                    repr(self.model.trace_by_id.get(req.id)),
                )
            )
            digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16)
            digest.update(self._front(entry))
            found = self.rows[req.path] = digest.hexdigest()
        return found

    def requirement(self, entry: Entry) -> str:
        """The key of a requirement's page: its row's digest (`row`: front matter, scores,
        the IDs and links of every requirement it is connected to, whose titles are left to
        `title_readers`; trace), its file (the body), the commits of its history, its
        errors."""
        req = entry.req
        errors = self.model.errors_by_path.get(req.path)
        text = "\0".join(
            (
                self.common,
                self.row(entry),
                self.outlines.get(req.id, ""),
                repr([repr(f) for f in errors]) if errors else "",
            )
        )
        digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16)
        digest.update(self._file(entry))
        return digest.hexdigest()


def _digest_of(head: str, parts: Iterable[tuple[str, bytes]]) -> str:
    """A digest of `head` and (text, digest) pairs, each text ended by a zero byte."""
    digest = hashlib.blake2b(head.encode("utf-8", "surrogatepass"), digest_size=16)
    for text, part in parts:
        digest.update(b"\1" + text.encode("utf-8", "surrogatepass") + b"\0" + part)
    return digest.hexdigest()


def outline_digests(model: SiteModel) -> dict[str, str]:
    """Each requirement's history in outline (`History.outline`: the commits and kinds of its
    events), as a digest by ID: kept (site/kept_rows.py) for the history's HEAD, so a build at
    the same commit outlines only the IDs it had not outlined."""
    from reqforge.site.kept_rows import KeptRows

    history = model.history
    if history is None or not history.available:
        return {}
    key = inputs_digest(history.head, history.shallow, history.note)
    kept: KeptRows[str] = KeptRows(model.store, "outlines", key)
    digests = {
        entry.req.id: kept.get(entry.req.id, partial(_outline_digest, history, entry.req.id))
        for entry in model.catalog
    }
    kept.save()
    return digests


def _outline_digest(history: Any, rid: str) -> str:
    return inputs_digest(history.outline(rid))


def _component_digests(model: SiteModel) -> dict[str, str]:
    """For each requirement ID, a digest of the IDs and links of every requirement in its
    connected part of the link graph (links followed both ways), and which of them exist:
    what its links, inverse links and impact list are drawn from. Titles are left out: a
    changed title re-renders only the pages that show it (`title_readers`), not a part that
    may hold most of the requirements."""
    links = model.links_by_id
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        root = node
        while parent.get(root, root) != root:
            root = parent[root]
        while node != root:  # path halving keeps the trees flat
            parent[node], node = root, parent[node]
        return root

    for rid, relations in links.items():
        parent.setdefault(rid, rid)
        for targets in relations.values():
            for target in targets:
                parent.setdefault(target, target)
                a, b = find(rid), find(target)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    known = model.catalog.by_id
    members: dict[str, list[tuple[Any, ...]]] = {}
    for node in sorted(parent):
        entry = known.get(node)
        shown = (node, True, sorted(links.get(node, {}).items())) if entry else (node,)
        members.setdefault(find(node), []).append(shown)
    digests = {root: inputs_digest(rows) for root, rows in members.items()}
    return {node: digests[find(node)] for node in parent}


# --------------------------------------------------------------------------------------------
# The no-change fast path

_STATE_SHAPE = fixed(
    str,  # the quick key
    int,  # requirements
    int,  # files read
    tuple_of(fixed(str, str, str, int, int, str, maybe(str))),  # the check errors
    dict_of(str, fixed(int, int)),  # every file left in the output: size, mtime
)


@dataclass(frozen=True)
class BuildState:
    """What the fast path needs of the last build into one folder."""

    quick: str
    requirements: int
    files: int
    errors: tuple[Finding, ...]
    outputs: Mapping[str, tuple[int, int]]


def _state_key(output: Path) -> str:
    return "output:" + os.path.realpath(output)


def read_state(config: Config, output: Path) -> BuildState | None:
    """The cached state of the last build into `output`, or None."""
    from reqforge.model import Finding

    value = CacheStore(config.root).read(CACHE_NAME, _state_key(output), _STATE_SHAPE)
    if value is None:
        return None
    quick, requirements, files, errors, outputs = value
    return BuildState(quick, requirements, files, tuple(Finding(*e) for e in errors), outputs)


def write_state(config: Config, output: Path, state: BuildState) -> None:
    """Keep `state` for the next build into `output` (nothing when caching is impossible)."""
    errors = tuple(
        (f.code, f.severity, f.path, f.line, f.column, str(f.message), f.id) for f in state.errors
    )
    value = (state.quick, state.requirements, state.files, errors, dict(state.outputs))
    CacheStore(config.root).write(CACHE_NAME, _state_key(output), value)


def output_stat(path: str | Path) -> tuple[int, int] | None:
    """(size, mtime) of a plain file of the output, None for anything else."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):  # a regular file, never a link
        return None
    return (info.st_size, info.st_mtime_ns)


def outputs_unchanged(output: Path, outputs: Mapping[str, tuple[int, int]]) -> bool:
    """True when every file the last build left is still there with its size and mtime."""
    base = os.fspath(output) + os.sep  # string paths: pathlib costs more than the stat here
    lstat = os.lstat
    for rel, (size, mtime) in outputs.items():
        try:
            info = lstat(base + rel)
        except OSError:
            return False
        if info.st_size != size or info.st_mtime_ns != mtime or not stat.S_ISREG(info.st_mode):
            return False
    return bool(outputs)


# implements: REQ-604
def quick_key(
    config: Config,
    today: dt.date,
    templates: str,
    git: object,
    started_ns: int,
    discovered: Discovered | None = None,
) -> str | None:
    """A digest of everything the site is built from, cheap to take: the stats of every
    requirement file, the customer registry (`reqs/customers.yaml`), the configuration, the
    templates, reqforge's code,
    `git` (HEAD and the tags, `git_state`), today. None when it cannot stand for the inputs:
    with `[trace]` (the source tree is not covered), or when a file changed so recently that a
    later change in the same timestamp tick could leave its stats as they are. `discovered`:
    what `corpus.discover` found a moment ago, when the caller has it."""
    from reqforge.corpus import customers_file, discover

    if config.trace.scan or config.trace.results:
        return None
    files, findings = discovered if discovered is not None else discover(config)
    parts: list[object] = [[(f.code, f.path, str(f.message)) for f in findings]]
    stats: list[tuple[str, Any]] = [(rel, file_signature(info)) for rel, info in files]
    customers = customers_file(config)
    try:
        stats.append((customers, file_signature(os.stat(config.root / customers))))
    except OSError:
        stats.append((customers, None))
    newest = max((sig[3] for _, sig in stats if sig is not None), default=0)
    if newest >= started_ns - RACY_NS:
        return None
    parts += [stats, config.fingerprint(), templates, code_digest(), today.isoformat()]
    parts.append(git)
    return inputs_digest(*parts)


def git_state(root: Path) -> tuple[str | None, tuple[tuple[str, str], ...]] | None:
    """HEAD and the tags, or None outside git: what the history pages are drawn from."""
    from reqforge.git import GitError, open_repository

    try:
        repo = open_repository(root)
        return repo.head(), tuple(repo.tags())
    except GitError:
        return None


def now_ns() -> int:
    """The wall clock, for the racy-file rule only (never in an output)."""
    return time.time_ns()
