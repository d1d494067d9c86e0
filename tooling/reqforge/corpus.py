"""Reading a whole repository: file discovery, the per-file stage (parse + per-file checks),
the parse cache and both cores; the result is a `Corpus` holding the frozen `Repository`.

The per-file stage is everything that depends on one file and the configuration only, so it
can run in parallel and be cached: parsing (RF001-RF004), the per-file check families of the
registry (checks/families.py: fields, workflow, wording) and the similarity signature used by
the near-duplicate check.
"""

from __future__ import annotations

import fnmatch
import hashlib
import marshal
import os
import sys
import time
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from functools import lru_cache, partial
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml_rs

from reqforge.cache import (
    CacheStore,
    ParseCache,
    content_digest,
    dict_of,
    file_signature,
    fixed,
    list_of,
    maybe,
    record_shape,
    tuple_of,
)
from reqforge.checks.context import CheckContext, Issue, build_context
from reqforge.checks.families import PER_FILE, families
from reqforge.checks.registry import new_finding
from reqforge.checks.similarity import signature
from reqforge.config import DEFAULT_TIERS, Config
from reqforge.errors import ReqforgeError
from reqforge.i18n import N_, Text, localize
from reqforge.loader import (
    ParsedFile,
    Problem,
    decode,
    is_requirement_name,
    locate,
    parse_file,
    parse_front_matter,
    split_front_matter,
)
from reqforge.model import Customer, Finding, Repository, Requirement
from reqforge.parallel import parallel_map
from reqforge.priorities import Scores, scores_of
from reqforge.safe_read import Refused, is_inside, read_inside, read_regular

if TYPE_CHECKING:  # changeset reads history: `check` does not pay for importing it
    from reqforge.catalog import Catalog
    from reqforge.changeset import Comparison
    from reqforge.render.progress import Progress

CUSTOMERS_FILE = "customers.yaml"
# The codes of a file that could not be loaded at all.
_LOAD_CODES = ("RF001", "RF002", "RF003", "RF004")

# One file's stage result, marshal-able: (head or None, marshal-encoded front matter, body
# line, located findings, similarity signature as array('i') bytes, digest of the front
# matter's text), where a located finding is (code, line, column, message). Files that failed
# to parse have no head and an empty digest.
FileResult = tuple[Any, bytes, int, list[tuple[str, int, int, str]], bytes, bytes]
Texts = tuple[str, str]  # a parsed file's front matter and body
LOCATIONS = "locations"
_LOCATIONS_SHAPE = dict_of(str, fixed(bytes, dict_of(str, fixed(int, int))))
# What the parse cache must hold before a run trusts it (cache.Shape).
_RESULT_SHAPE = fixed(
    maybe(dict_of(str, object)), bytes, int, list_of(fixed(str, int, int, str)), bytes, bytes
)


@dataclass
class Corpus:
    """A loaded repository plus what the per-file stage found, for `check` and others."""

    config: Config
    repository: Repository
    context: CheckContext
    file_findings: list[Finding]
    signatures: list[Sequence[int]]  # parallel to repository.requirements
    paths: tuple[str, ...] = ()  # every requirement file read, sorted
    content_key: str = ""  # digest of the configuration and every file's content
    # Digest of the configuration and every file's front matter, bodies aside: the key of
    # what reads no body (priorities, links, suspect links), which an edited body keeps.
    front_key: str = ""
    store: CacheStore = field(default_factory=lambda: CacheStore(Path("."), enabled=False))
    stats: dict[str, int] = field(default_factory=dict)
    # The bodies of the files this run parsed (not those it took from the parse cache): the
    # site need not read them again.
    bodies: dict[str, str] = field(default_factory=dict)
    _fronts: dict[str, str] = field(default_factory=dict)
    # Each parsed file's front-matter digest: where an issue is located depends on nothing else.
    front_digests: dict[str, bytes] = field(default_factory=dict)
    # Each file's content digest (front matter and body): what the site's page keys read.
    file_digests: dict[str, bytes] = field(default_factory=dict)
    # The `locations` cache (rel -> (front digest, issue -> (line, column))), read when first
    # needed; `_located` holds what this run looked up or located, kept by `save_locations`.
    _locations: dict[str, tuple[bytes, dict[str, tuple[int, int]]]] | None = None
    _located: dict[str, tuple[bytes, dict[str, tuple[int, int]]]] = field(default_factory=dict)
    _new_locations: bool = False

    def locate(self, req: Requirement, issue: Issue) -> Finding:
        """Turn a repository-level issue into a finding with line and column: from the
        `locations` cache when the file's front matter is the one it was located in (placing
        1,574 suspect links means composing the YAML of every file that has one)."""
        line, column = self._position(req.path, issue)
        return new_finding(
            issue.code,
            req.path,
            line,
            column,
            issue.message,
            req.id or None,
            language=self.config.language,
        )

    def _position(self, rel: str, issue: Issue) -> tuple[int, int]:
        digest = self.front_digests.get(rel)
        if not digest:
            front = self._front_matter(rel)
            return locate_issue(front, issue) if front is not None else (1, 1)
        known = self._located.get(rel)
        if known is None:
            if self._locations is None:
                found = self.store.read(LOCATIONS, self.config.fingerprint(), _LOCATIONS_SHAPE)
                self._locations = found or {}
            kept = self._locations.get(rel)
            known = self._located[rel] = (digest, kept[1] if kept and kept[0] == digest else {})
        key = f"{issue.path!r}|{issue.on_value}|{issue.needle}"
        position = known[1].get(key)
        if position is None:
            front = self._front_matter(rel)
            position = locate_issue(front, issue) if front is not None else (1, 1)
            known[1][key] = position
            self._new_locations = True
        return position

    def save_locations(self) -> None:
        """Keep the positions this run located for the next (nothing when none was new)."""
        if self._new_locations:
            self.store.write(LOCATIONS, self.config.fingerprint(), self._located)
            self._new_locations = False

    def _front_matter(self, rel: str) -> str | None:
        if rel not in self._fronts:
            front = None
            try:
                config = self.config
                text = decode(read_inside(config.root / rel, config.root, config.max_file_size))
                if isinstance(text, str):
                    split = split_front_matter(text)
                    front = split[0] if isinstance(split, tuple) else None
            except OSError:
                pass
            self._fronts[rel] = front  # type: ignore[assignment]
        return self._fronts[rel]

    def broken_ids(self) -> frozenset[str]:
        """The IDs of requirement files that could not be read (see `broken_files`): each such
        file is reported where it is broken, so a link to it is not reported again as a link
        to an unknown ID."""
        return frozenset(broken_files(self.repository))


# implements: REQ-117
def broken_files(repository: Repository) -> dict[str, Finding]:
    """ID -> the first load finding (RF001-RF004) of each requirement file of `repository` that
    could not be read. The ID is the file name's stem, which must equal the ID (RF105)."""
    broken: dict[str, Finding] = {}
    for finding in repository.load_findings:
        if finding.path.endswith(".md"):
            broken.setdefault(finding.path.rsplit("/", 1)[-1].removesuffix(".md"), finding)
    return broken


def locate_issue(front: str, issue: Issue) -> tuple[int, int]:
    line, column = locate(front, issue.path, issue.on_value)
    if issue.needle:
        lines = front.split("\n")
        index = line - 2
        if 0 <= index < len(lines):
            found = lines[index].lower().find(issue.needle.lower())
            if found >= 0:
                column = found + 1
    return line, column


# implements: REQ-001
# implements: REQ-008
Discovered = tuple[list[tuple[str, os.stat_result]], list[Finding]]


def discover(config: Config) -> Discovered:
    """Every requirement file under the requirements folder as (relative POSIX path, stat),
    sorted; plus RF001 findings for symlinks that lead out of the repository."""
    root = Path(os.path.realpath(config.root))
    top = config.root / config.reqs_dir
    files: list[tuple[str, os.stat_result]] = []
    findings: list[Finding] = []
    seen_dirs: set[str] = set()
    prefix_len = len(str(config.root)) + 1

    def excluded(rel: str) -> bool:
        return any(fnmatch.fnmatch(rel, pattern) for pattern in config.exclude)

    def unreadable(rel: str, why: str) -> None:
        findings.append(new_finding("RF001", rel, 0, 0, why, language=config.language))

    def walk(folder: str) -> None:
        real = os.path.realpath(folder)
        if real in seen_dirs:
            return  # a symlink loop, or a folder linked twice
        seen_dirs.add(real)
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            rel = folder[prefix_len:].replace(os.sep, "/") or config.reqs_dir
            unreadable(
                rel,
                Text(
                    "folder cannot be listed ({reason}); its requirements were not checked",
                    reason=exc.strerror or exc,
                ),
            )
            return
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            rel = entry.path[prefix_len:].replace(os.sep, "/")
            if not rel.isascii() and not _utf8(rel):
                # Python decodes such a name with surrogates, which no output can encode.
                if name.endswith(".md") or entry.is_dir():
                    shown = rel.encode("utf-8", "surrogateescape").decode(
                        "utf-8", "backslashreplace"
                    )
                    unreadable(shown, Text("file name is not valid UTF-8; rename it (not checked)"))
                continue
            if config.exclude and excluded(rel):
                continue
            if entry.is_symlink() and not is_inside(os.path.realpath(entry.path), str(root)):
                if name.endswith(".md") or os.path.isdir(entry.path):
                    unreadable(
                        rel, Text("symbolic link leads outside the repository; not followed")
                    )
                continue
            try:
                if entry.is_dir():
                    walk(entry.path)
                elif name.endswith(".md") and is_requirement_name(name):
                    if entry.is_file():
                        files.append((rel, entry.stat()))
                    elif entry.is_symlink():
                        unreadable(rel, Text("broken symbolic link: its target does not exist"))
                    else:
                        unreadable(rel, Text("not a regular file"))
            except OSError as exc:
                unreadable(rel, Text("cannot be read: {reason}", reason=exc.strerror or exc))

    refusal = requirements_folder_refusal(config)
    if refusal is not None:
        unreadable(config.reqs_dir, refusal)
    elif top.is_dir():
        walk(str(top))
    files.sort(key=lambda item: item[0])
    return files, findings


def _utf8(name: str) -> bool:
    """True when a file name decoded from the file system is valid UTF-8 (no surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def requirements_folder_refusal(config: Config) -> str | None:
    """Why the requirements folder must not be read (it is, or leads through a symbolic link
    to, a place outside the repository), or None. `project.reqs_dir` is checked when the
    configuration is read; the default `reqs/` can still be a link, made by any commit."""
    top = config.root / config.reqs_dir
    if not os.path.lexists(top) or is_inside(os.path.realpath(top), os.path.realpath(config.root)):
        return None
    return Text(
        "the requirements folder {folder}/ leads through a symbolic link to outside the "
        "repository; not read",
        folder=config.reqs_dir,
    )


def customers_file(config: Config) -> str:
    """The customer registry's path relative to the repository: `reqs/customers.yaml`."""
    return f"{config.reqs_dir}/{CUSTOMERS_FILE}" if config.reqs_dir != "." else CUSTOMERS_FILE


# implements: REQ-007
def load_customers(config: Config) -> tuple[dict[str, Customer], list[Finding], bytes]:
    """`reqs/customers.yaml` -> customers by key, findings, and its raw bytes (for the cache)."""
    rel = customers_file(config)
    language = config.language
    if requirements_folder_refusal(config) is not None:
        return {}, [], b""  # discovery reports the folder once
    try:
        raw = read_inside(config.root / rel, config.root, config.max_file_size)
    except FileNotFoundError:
        return {}, [], b""
    except Refused as exc:
        code = "RF004" if exc.too_large else "RF001"
        refused = new_finding(code, rel, 1, 1, exc.reason, language=language)
        return {}, [refused], b""  # as if absent: no noise
    except OSError as exc:
        unreadable = Text("cannot be read: {reason}", reason=exc.strerror or exc)
        return {}, [new_finding("RF001", rel, 1, 1, unreadable, language=language)], b""
    text = decode(raw)
    if isinstance(text, Problem):
        where = (rel, text.line, text.column)
        return {}, [new_finding(text.code, *where, text.message, language=language)], raw
    # A whole document: its line 1 is the file's line 1.
    data = parse_front_matter(
        text, first_line=1, what=N_("customers.yaml (customer key -> fields)")
    )
    if isinstance(data, Problem):
        where = (rel, data.line, data.column)
        return {}, [new_finding(data.code, *where, data.message, language=language)], raw
    customers: dict[str, Customer] = {}
    findings: list[Finding] = []
    tiers = tuple(config.priority.tiers) or tuple(DEFAULT_TIERS)
    for key, value in data.items():
        key = str(key)
        problems: list[tuple[tuple[str | int, ...], str, str]] = []
        if not isinstance(value, dict):
            problems.append(
                ((key,), "RF102", Text("customer '{key}': expected a mapping of fields", key=key))
            )
            value = {}
        name = value.get("name")
        if not isinstance(name, str) or not name.strip():
            problems.append(
                (
                    (key,),
                    "RF101",
                    Text("customer '{key}': required field 'name' is missing", key=key),
                )
            )
        tier = value.get("tier")
        if tier is not None and tier not in tiers:
            problems.append(
                (
                    (key, "tier"),
                    "RF102",
                    Text(
                        "customer '{key}': tier must be one of {tiers}, got {tier!r}",
                        key=key,
                        tiers=", ".join(tiers),
                        tier=tier,
                    ),
                )
            )
        industry = value.get("industry")
        if industry is not None and not isinstance(industry, str):
            problems.append(
                (
                    (key, "industry"),
                    "RF102",
                    Text("customer '{key}': industry must be text", key=key),
                )
            )
        for keys, code, message in problems:
            line, column = locate(text, keys, on_value=code == "RF102", first_line=1)
            findings.append(new_finding(code, rel, line, column, message, language=language))
        customers[key] = Customer(
            key=key,
            name=name if isinstance(name, str) else key,
            industry=industry if isinstance(industry, str) else None,
            tier=tier if isinstance(tier, str) else None,
            data=value,
        )
    return customers, findings, raw


def analyse_file(rel: str, raw: bytes, ctx: CheckContext) -> tuple[FileResult, Texts | None]:
    """The per-file stage for one file's bytes (pure: no I/O), and the file's front matter
    and body when it parsed."""
    parsed = parse_file(raw)
    if isinstance(parsed, Problem):
        return _failed(parsed.code, parsed.line, parsed.column, parsed.message, ctx), None
    return _analyse_parsed(rel, parsed, ctx), (parsed.front_matter, parsed.body)


def _failed(code: str, line: int, column: int, message: str, ctx: CheckContext) -> FileResult:
    # Messages are cached in the user's language (the cache key holds the configuration).
    return (
        None,
        b"",
        0,
        [(code, line, column, str(localize(message, ctx.config.language)))],
        b"",
        b"",
    )


def _analyse_parsed(rel: str, parsed: ParsedFile, ctx: CheckContext) -> FileResult:
    req = Requirement.from_data(rel, parsed.data, parsed.body_line)
    language = ctx.config.language
    located = []
    for issue in (issue for family in families(PER_FILE) for issue in family.check(req, ctx)):
        line, column = locate_issue(parsed.front_matter, issue)
        located.append((issue.code, line, column, str(localize(issue.message, language))))
    sketch = array("i", signature(req.title, parsed.body)).tobytes()
    front = content_digest(parsed.front_matter.encode("utf-8", "surrogatepass"))
    return dict(req.head), marshal.dumps(parsed.data), parsed.body_line, located, sketch, front


def _stage_chunk(ctx: CheckContext, root: str, max_size: int) -> Any:
    def run(chunk: Sequence[tuple[str, int]]) -> list[Any]:
        out = []
        for rel, size in chunk:
            out.append(_stage_one(ctx, root, rel, size, max_size))
        return out

    return run


# implements: REQ-008
def _stage_one(ctx: CheckContext, root: str, rel: str, size: int, max_size: int) -> Any:
    """(digest, FileResult, its front matter and body or None) for one file, reading it;
    never raises."""
    if size > max_size:
        message = Text(
            "file is {size} MiB; the limit is {limit} MiB (project.max_file_size): refused",
            size=format(size / 1048576, ".1f"),
            limit=format(max_size / 1048576, "g"),
        )
        return b"", _failed("RF004", 1, 1, message, ctx), None
    try:
        raw = _read(root, rel, max_size)
    except Refused as exc:
        if exc.too_large:
            message = Text("file {reason} (project.max_file_size)", reason=exc.reason)
            return b"", _failed("RF004", 1, 1, message, ctx), None
        return b"", _failed("RF001", 0, 0, exc.reason, ctx), None
    except OSError as exc:
        message = Text("cannot be read: {reason}", reason=exc.strerror or exc)
        return b"", _failed("RF001", 0, 0, message, ctx), None
    try:
        return (content_digest(raw), *analyse_file(rel, raw, ctx))
    except (RecursionError, MemoryError, yaml_rs.YAMLDecodeError) as exc:  # defensive
        message = Text("file could not be processed safely: {error}", error=type(exc).__name__)
        return b"", _failed("RF004", 1, 1, message, ctx), None


# implements: REQ-100
# implements: REQ-108
# implements: REQ-601
def load_corpus(
    config: Config,
    *,
    use_cache: bool = True,
    progress: Progress | None = None,
    discovered: Discovered | None = None,
) -> Corpus:
    """Discover, parse and per-file-check every requirement of the repository; `progress`
    hears how many of the files that need parsing are done. `discovered`: what `discover`
    found a moment ago, when the caller has it."""
    started_ns = time.time_ns()
    files, walk_findings = discovered if discovered is not None else discover(config)
    customers, customer_findings, customers_raw = load_customers(config)
    # A customers file that cannot be read is one finding, where it is broken; without it no
    # customer reference can be judged, so none is reported (not one per reference).
    customers_broken = any(f.code in _LOAD_CODES for f in customer_findings)
    customer_keys = frozenset(customers) if customers_raw and not customers_broken else None
    ctx = build_context(config, customer_keys)
    fingerprint = config.fingerprint() + content_digest(customers_raw).hex()
    store = CacheStore(config.root, enabled=use_cache)
    cache = ParseCache(store, "parse", fingerprint, _RESULT_SHAPE)
    cache.load()
    root = str(config.root)
    results: dict[str, tuple[bytes, FileResult]] = {}
    texts: dict[str, Texts] = {}  # front matter and body of each file parsed now
    pending: list[tuple[str, int]] = []
    for rel, stat in files:
        cached = None
        if cache.loaded:
            cached = cache.lookup(rel, stat, read=partial(_read, root, rel))
        if cached is not None:
            results[rel] = (cache.entries[rel][5], cached)
        else:
            pending.append((rel, stat.st_size))
    if pending:
        report = None
        if progress is not None:
            progress.stage(Text("reading requirements"), len(pending))
            report = progress.update
        computed = parallel_map(_stage_chunk(ctx, root, config.max_file_size), pending, report)
        if progress is not None:
            progress.finish()
        for (rel, _), (digest, result, parsed) in zip(pending, computed, strict=True):
            results[rel] = (digest, result)
            if parsed is not None:
                texts[rel] = parsed
    if use_cache and (pending or len(cache.entries) != len(files)):
        new_entries = {}
        recomputed = {rel for rel, _ in pending}
        for rel, stat in files:
            digest, result = results[rel]
            old = cache.entries.get(rel)
            computed_ns = started_ns if old is None or rel in recomputed else old[4]
            if digest:
                new_entries[rel] = (*file_signature(stat), computed_ns, digest, result)
        cache.save(new_entries)
    # The key of the cross-file cache binds every file's content *and* its inode and mtime on
    # this machine: a cache file committed to the repository can never match a fresh checkout.
    content = hashlib.blake2b(fingerprint.encode(), digest_size=16)
    fronts = hashlib.blake2b(fingerprint.encode(), digest_size=16)
    for rel, stat in files:
        digest, result = results[rel]
        content.update(f"{rel}\0{file_signature(stat)}\0".encode() + digest)
        # A file that did not parse counts whole: its findings come from all of it.
        fronts.update(f"{rel}\0".encode() + (b"f" + result[5] if result[5] else b"c" + digest))
    requirements: list[Requirement] = []
    signatures: list[Sequence[int]] = []
    findings: list[Finding] = [*walk_findings, *customer_findings]
    for rel, _ in files:
        head, blob, body_line, located, sketch, _ = results[rel][1]
        rid = head.get("id") if isinstance(head, dict) else None
        rid = rid if isinstance(rid, str) else None
        for code, line, column, message in located:
            findings.append(new_finding(code, rel, line, column, message, rid))
        if isinstance(head, dict):
            requirements.append(Requirement(rel, head, body_line, blob))
            signatures.append(array("i", sketch))
    repository = Repository(
        root=root,
        requirements=tuple(requirements),
        customers=customers,
        load_findings=tuple(f for f in findings if f.code in _LOAD_CODES),
        file_count=len(files),
    )
    return Corpus(
        config=config,
        repository=repository,
        context=ctx,
        file_findings=findings,
        signatures=signatures,
        paths=tuple(rel for rel, _ in files),
        content_key=content.hexdigest(),
        front_key=fronts.hexdigest(),
        front_digests={rel: result[5] for rel, (_, result) in results.items() if result[5]},
        file_digests={rel: digest for rel, (digest, _) in results.items()},
        store=store,
        stats={"files": len(files), "parsed": len(pending), "cached": len(files) - len(pending)},
        bodies={rel: body for rel, (_, body) in texts.items()},
        _fronts={rel: front for rel, (front, _) in texts.items()},
    )


def _read(root: str, rel: str, limit: int = -1) -> bytes:
    """A requirement file's bytes (at most `limit`; -1 for no limit) through the one safe
    reader: a regular file, a symbolic link only when it stays inside `root` (discovery has
    checked the folders above it). Raises `Refused` or the system's OSError."""
    return read_regular(
        os.path.join(root, rel), sys.maxsize if limit < 0 else limit, inside_root=_real(root)
    )[0]


@lru_cache(maxsize=8)
def _real(root: str) -> str:
    return os.path.realpath(root)


# Scores are cached by path as (front-matter digest, the tuple of their fields): the shape comes
# from the dataclass itself.
_SCORES_SHAPE = dict_of(str, fixed(bytes, record_shape(Scores)))


def cached_scores(corpus: Corpus) -> dict[str, Scores]:
    """Every requirement's computed priorities by path. They depend on the file's front matter,
    the settings and the customers only (bodies aside), so each is reused from the last run
    when its front matter is the same and no setting or customer changed (the reuse is
    exact): a status edit computes one, not 10,000."""
    customers, priority = corpus.repository.customers, corpus.config.priority
    values = attrgetter(*(f.name for f in fields(Scores)))  # flat values: no deep copy

    def compute(chunk: Sequence[Requirement]) -> list[tuple[Any, ...]]:
        return [values(scores_of(req, customers, priority)) for req in chunk]

    store = corpus.store
    key = corpus.config.fingerprint() + repr(sorted(customers.items()))
    kept = store.read("scores", key, _SCORES_SHAPE) or {}
    rows: dict[str, tuple[bytes, tuple[Any, ...]]] = {}
    todo: list[Requirement] = []
    for req in corpus.repository:
        digest = corpus.front_digests.get(req.path, b"")
        old = kept.get(req.path)
        if digest and old is not None and old[0] == digest:
            rows[req.path] = old
        else:
            todo.append(req)
    if todo:
        computed = parallel_map(compute, todo)  # ~0.1 ms each: both cores for 10,000
        for req, row in zip(todo, computed, strict=True):
            rows[req.path] = (corpus.front_digests.get(req.path, b""), row)
    if todo or rows.keys() != kept.keys():
        store.write("scores", key, rows)
    return {rel: Scores(*row) for rel, (_, row) in rows.items()}


_DERIVED_SHAPE = fixed(str, dict_of(str, fixed(*(tuple_of(str),) * 4)))


def cached_catalog(corpus: Corpus) -> tuple[Catalog, bool]:
    """The catalogue of the corpus, with `cached_scores`; each entry's parts drawn from the
    other requirements (inverse links, blocking, disagreements) reused from the last run when
    no ID, link or score and no setting changed (they depend on nothing else: a status edit
    keeps them). And whether any front matter changed since the last run (False, too, when
    no cache was kept)."""
    from reqforge.catalog import Catalog

    scores = cached_scores(corpus)
    values = attrgetter(*(f.name for f in fields(Scores)))
    digest = hashlib.blake2b(corpus.config.fingerprint().encode(), digest_size=16)
    for req in corpus.repository:
        links = sorted(req.links.items())
        text = f"{req.path}\0{req.id}\0{links!r}\0{values(scores[req.path])!r}\n"
        digest.update(text.encode("utf-8", "surrogatepass"))
    store, key = corpus.store, digest.hexdigest()
    kept = store.read("catalog", key, _DERIVED_SHAPE)
    derived = kept[1] if kept is not None else None
    catalog = Catalog(corpus.repository, corpus.config, scores, derived)
    if kept is None or kept[0] != corpus.front_key:
        store.write("catalog", key, (corpus.front_key, derived or catalog.derived_parts()))
    return catalog, kept is not None and kept[0] == corpus.front_key


# implements: REQ-304
def read_working_tree(config: Config) -> tuple[dict[str, bytes], dict[str, str]]:
    """The requirement files on disk (tracked or not) as git sees them, and what was left out.

    Returns (relative path -> bytes, path -> why it is not compared). A file git would store
    in another form (`core.autocrlf`, `eol` attributes, clean filters) is read as that form
    when git holds it already, so a clean checkout compares equal to its commit. Files inside
    a nested repository (a submodule) are not this repository's: git holds a commit there,
    not files, so they are left out (the folder is named), as are files that cannot be read
    (symbolic links out of the repository, FIFOs, read errors): neither is ever "removed".
    Raises ReqforgeError when the requirements folder itself leads outside the repository:
    then nothing on this side can be compared.
    """
    refusal = requirements_folder_refusal(config)
    if refusal is not None:
        raise ReqforgeError(refusal)
    files, problems = discover(config)
    left_out = {finding.path: finding.message for finding in problems}
    nested: dict[str, bool] = {}
    tree: dict[str, bytes] = {}
    for rel, _stat in files:
        repository = _nested_repository(config.root, rel, nested)
        if repository is not None:
            submodule = Text("a separate git repository (a submodule): not compared")
            left_out.setdefault(repository, submodule)
            continue
        try:
            tree[rel] = _read(str(config.root), rel, config.max_file_size)
        except OSError as exc:
            left_out[rel] = Text("cannot be read: {reason}", reason=exc.strerror or exc)
    return _as_git_stores(config.root, tree), dict(sorted(left_out.items()))


def _nested_repository(root: Path, rel: str, memo: dict[str, bool]) -> str | None:
    """The folder of `rel` (or above it, below `root`) that holds its own `.git`, or None."""
    parts = rel.split("/")[:-1]
    for depth in range(1, len(parts) + 1):
        folder = "/".join(parts[:depth])
        if folder not in memo:
            memo[folder] = os.path.lexists(root / folder / ".git")
        if memo[folder]:
            return folder
    return None


def _as_git_stores(root: Path, tree: dict[str, bytes]) -> dict[str, bytes]:
    """`tree` with each file replaced by the blob git would store for it, where git holds
    that blob (one `hash-object`, one `cat-file`); outside git, or for a symbolic link (whose
    blob is the link, not the file), the bytes on disk stay."""
    from reqforge.git import GitError, open_repository

    try:
        repo = open_repository(root)
        shas = repo.stored_shas(rel for rel in tree if not os.path.islink(root / rel))
        blobs = repo.read_blobs(shas.values())
    except GitError:
        return tree
    return {rel: blobs.get(shas.get(rel, ""), raw) for rel, raw in tree.items()}


def read_revision_tree(config: Config, rev: str) -> dict[str, bytes]:
    """Every requirement file at revision `rev` (a sha), minus what [exclude] leaves out."""
    from reqforge.history import read_tree

    tree = read_tree(config.root, rev, config.reqs_dir)
    tree = {p: raw for p, raw in tree.items() if is_requirement_name(p.rsplit("/", 1)[-1])}
    if config.exclude:  # the same files the working tree side (discover) would skip
        tree = {
            path: raw
            for path, raw in tree.items()
            if not any(fnmatch.fnmatch(path, pattern) for pattern in config.exclude)
        }
    return tree


# implements: REQ-309
def resolve_revision_range(root: Path, text: str | None) -> tuple[str, str | None]:
    """(base revision, head revision or None for the working tree) for a `diff` argument
    (see `changeset.parse_revision_range`); a merge base comes back as its sha. Without an
    argument, `origin/main..HEAD` when origin/main exists, else HEAD against the working tree.
    Raises ReqforgeError for an unknown revision or two revisions without a common ancestor."""
    from reqforge.changeset import DEFAULT_BASE, parse_revision_range
    from reqforge.git import merge_base, resolve_revision

    if text is None:
        try:
            resolve_revision(root, DEFAULT_BASE)
        except ReqforgeError:
            return "HEAD", None
        return DEFAULT_BASE, "HEAD"
    revisions = parse_revision_range(text)
    if not revisions.merge_base:
        return revisions.base, revisions.head
    head = revisions.head or "HEAD"  # a merge-base range always names its head
    base = merge_base(root, resolve_revision(root, revisions.base), resolve_revision(root, head))
    if base is None:
        raise ReqforgeError(
            Text(
                "{range}: {base} and {head} have no common ancestor",
                range=text,
                base=revisions.base,
                head=head,
            )
        )
    return base, head


# implements: REQ-304
def compare_revisions(config: Config, revisions: str | None, depth: int) -> Comparison:
    """What `reqforge diff REVISIONS` shows: the requirement files of both sides of the range
    read (from git, or the working tree) and compared, impact followed `depth` links away."""
    from reqforge.changeset import Comparison, compare
    from reqforge.git import resolve_revision

    base, head = resolve_revision_range(config.root, revisions)
    base_sha = resolve_revision(config.root, base)
    head_sha = resolve_revision(config.root, head) if head is not None else None
    base_tree = read_revision_tree(config, base_sha)
    left_out: dict[str, str] = {}
    if head_sha:
        head_tree = read_revision_tree(config, head_sha)
    else:
        head_tree, left_out = read_working_tree(config)
    from reqforge.parsed_blobs import ParsedBlobs

    parsed = ParsedBlobs(CacheStore(config.root))
    changeset = compare(base_tree, head_tree, depth, left_out, parse=parsed.parse)
    parsed.save()
    return Comparison(base, base_sha, head, head_sha, changeset)
