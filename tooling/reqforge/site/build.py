"""`reqforge build`: the site pipeline, in the shape of mkdocs' commands/build.py.

1. Load once: the corpus, `check`'s findings, the catalogue with cached scores, the backlog,
   the trace (when `[trace]` is configured) and the history (when in git) -> `SiteModel`.
   A first build has the history walked in the background meanwhile, and, while `check`
   runs, the pages that read neither findings nor history rendered in the background too
   (`plan.EARLY`): both cores stay busy while the model loads.
2. Plan the files as jobs, each with the digest of its inputs (site/manifest.py), and keep
   every file of the previous build whose inputs are the same and which is still as written.
3. In the workers (both cores), build the context of each other page (site/pages.py, pure),
   render it with one Jinja2 environment (autoescape on; the repository's `templates/` first,
   then the packaged theme) and write it atomically, static assets under a name holding a
   digest of their content; remove the files of the previous build the new one does not have.

The same inputs give byte-identical files: everything is sorted and no clock is read (overdue
is judged at `today`, an input), and a page kept from a previous build is the page a fresh
build writes. The output folder holds a `.reqforge-site` file listing what the build wrote:
`--clean` and the next build remove only files listed there, so a build never deletes anything
reqforge did not write, and `--clean` refuses a folder without that mark. Beside it,
`.reqforge-manifest.json` records what each file was made of. When nothing the site depends on
changed (site/manifest.py `quick_key`), a build only checks that the files are as it left them.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from reqforge.cache import gc_paused
from reqforge.errors import ReqforgeError
from reqforge.i18n import Text, translations
from reqforge.model import ERROR, Finding
from reqforge.parallel import Background, parallel_map, worker_count
from reqforge.safe_read import Refused, read_inside
from reqforge.site import markup
from reqforge.site.manifest import (
    MANIFEST,
    BuildState,
    Manifest,
    PageRecord,
    content_digest,
    git_state,
    inputs_digest,
    manifest_bytes,
    now_ns,
    output_stat,
    outputs_unchanged,
    quick_key,
    read_manifest,
    read_state,
    write_state,
)

if TYPE_CHECKING:
    from reqforge.config import Config
    from reqforge.corpus import Discovered
    from reqforge.render.progress import Progress
    from reqforge.site.pages import SiteModel

MARK = ".reqforge-site"
MARK_HEADER = "# written by reqforge build; `reqforge build --clean` removes these files\n"
SEARCH_INDEX = "search-index.js"  # the asset name of the index, before its fingerprint
TEMPLATE_LIMIT = 1 << 20  # a template or asset of the repository larger than 1 MiB is refused


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote, left as it was and removed (relative paths, sorted; the mark and
    the manifest not counted) and the check errors it found."""

    output: Path
    written: tuple[str, ...]
    errors: tuple[Finding, ...]
    requirements: int
    files: int
    kept: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


def theme_dir() -> Path:
    """The packaged theme: `reqforge/templates` in a wheel, the repository's `templates/` in
    an editable install (the same place `i18n.locale_dir` finds the catalogs)."""
    package = Path(__file__).resolve().parent.parent
    shipped = package / "templates"
    return shipped if shipped.is_dir() else package.parent.parent / "templates"


# implements: REQ-500
def load_site_model(config: Config, today: dt.date, progress: Progress | None = None) -> SiteModel:
    """Everything the site shows, each computed once (see `SiteModel`)."""
    return _load_site_model(config, today, progress)[0]


def _load_site_model(
    config: Config,
    today: dt.date,
    progress: Progress | None,
    templates: str | None = None,
    discovered: Discovered | None = None,
) -> tuple[SiteModel, Background | None]:
    """The model, and (given the templates' digest, on a first build) the background job
    rendering the `plan.EARLY` pages while `check` runs. `discovered`: the requirement files
    `corpus.discover` found a moment ago."""
    from reqforge.history.walk import remembered

    with remembered():  # check's suspect links walk the history; the site reuses it
        return _load_model(config, today, progress, templates, discovered)


def _load_model(
    config: Config,
    today: dt.date,
    progress: Progress | None,
    templates: str | None,
    discovered: Discovered | None = None,
) -> tuple[SiteModel, Background | None]:
    from reqforge.backlog import rank_backlog
    from reqforge.checks.run import CheckOptions, run_check
    from reqforge.corpus import cached_catalog, load_corpus
    from reqforge.history.walk import load_history, prefetch
    from reqforge.loader import Bodies
    from reqforge.site.markdown import rendered_bodies
    from reqforge.site.pages import SiteModel, forge_url
    from reqforge.site.releases import start_releases, take_releases

    # A first build walks the whole git history (seconds of one core): in the background,
    # while this process reads the requirements; check's suspect links wait for it.
    walking = prefetch(config.root, config.reqs_dir)
    corpus = load_corpus(config, progress=progress, discovered=discovered)
    # The release baselines (a comparison per pair of tags) while this process goes on.
    releasing = start_releases(config.root, config.reqs_dir, corpus.store)
    catalog, fronts_unchanged = cached_catalog(corpus)
    paths = [entry.req.path for entry in catalog]
    trace = None
    if config.trace.scan or config.trace.results:
        from reqforge.trace.report import trace_report

        trace, _problems = trace_report(catalog)
    backlog = rank_backlog(catalog, catalog)
    repo_url = forge_url(config.site.repo_url) or _origin_url(config.root)
    early = None
    if templates is not None and (walking or not fronts_unchanged):
        # The pages that read neither findings nor history (nor a rendered body) are rendered
        # in the background, on the core the walk leaves and the one `check` leaves: on a
        # first build, and when a front matter changed (a status edit: the matrix and the
        # backlog, the heaviest pages it changes, made while this process checks and plans).
        from reqforge.site.plan import render_early

        def render_sketch() -> list[tuple[Any, ...]]:
            sketch = SiteModel(
                catalog=catalog,
                backlog=backlog,
                trace=trace,
                history=None,
                findings=(),
                bodies=Bodies(config, paths, corpus.bodies),
                repo_url=repo_url,
                today=today,
                store=corpus.store,
                front_digests=corpus.front_digests,
                file_digests=corpus.file_digests,
            )
            return render_early(sketch, config, templates)

        early = Background(render_sketch, answer=True)
    bodies = Bodies(config, paths, corpus.bodies)
    # Every page of a first build shows its body: render them all now, the walk still going.
    bodies_html = rendered_bodies(bodies, corpus.store) if walking else {}
    checked = run_check(corpus, CheckOptions(today=today))
    history = load_history(config.root, config.reqs_dir, store=corpus.store, progress=progress)
    releases = (
        take_releases(releasing, config.root, config.reqs_dir, corpus.store)
        if history.available
        else None
    )
    model = SiteModel(
        catalog=catalog,
        backlog=backlog,
        trace=trace,
        history=history,
        findings=checked.findings,
        bodies=bodies,
        store=corpus.store,
        repo_url=repo_url,
        today=today,
        releases=releases,
        bodies_html=bodies_html,
        front_digests=corpus.front_digests,
        file_digests=corpus.file_digests,
    )
    return model, early


def _origin_url(root: Path) -> str | None:
    from reqforge.git import GitError, open_repository
    from reqforge.site.pages import forge_url

    try:
        return forge_url(open_repository(root).remote_url())
    except GitError:
        return None


class _RepositoryLoader(jinja2.BaseLoader):
    """The repository's own `templates/`, read through the one safe reader: a template that
    is, or leads through a link to, something outside the repository is refused."""

    def __init__(self, folder: Path, root: Path) -> None:
        self.folder = folder
        self.root = root

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        path = self.folder / template
        if ".." in template.split("/") or not os.path.lexists(path):
            raise jinja2.TemplateNotFound(template)
        try:
            text = read_inside(path, self.root, TEMPLATE_LIMIT).decode("utf-8")
        except (Refused, OSError, UnicodeDecodeError) as exc:
            raise ReqforgeError(
                Text("template {path}: {reason}", path="templates/" + template, reason=exc)
            ) from exc
        return text, str(path), lambda: False


# implements: REQ-508
# implements: REQ-511
def site_environment(config: Config) -> jinja2.Environment:
    """The one Jinja2 environment of a build: autoescaped, UI text in the configured
    language through the gettext catalogs, templates overridable file by file."""
    loaders: list[jinja2.BaseLoader] = []
    user = config.root / "templates"
    if user.is_dir() and user.resolve() != theme_dir().resolve():
        loaders.append(_RepositoryLoader(user, config.root))
    loaders.append(jinja2.FileSystemLoader(str(theme_dir())))
    env = markup.SiteEnvironment(
        loader=jinja2.ChoiceLoader(loaders),
        extensions=["jinja2.ext.i18n", markup.FixedText],
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        auto_reload=False,  # a build never sees a template change: no stat per page
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(config.language), newstyle=True)  # type: ignore[attr-defined]
    markup.install(env, translations(config.language))
    return env


def asset_sources(config: Config) -> dict[str, bytes]:
    """The static assets by name: the theme's `static/`, overridden by name by the
    repository's `templates/static/`."""
    assets: dict[str, bytes] = {}
    theme = theme_dir() / "static"
    for path in sorted(theme.iterdir()) if theme.is_dir() else ():
        if path.is_file():
            assets[path.name] = path.read_bytes()
    user = config.root / "templates" / "static"
    if user.is_dir() and user.resolve() != theme.resolve():
        for path in sorted(user.iterdir()):
            if path.is_dir() and not path.is_symlink():
                continue  # assets are the folder's files; a sub-folder is not one
            try:
                assets[path.name] = read_inside(path, config.root, TEMPLATE_LIMIT)
            except (Refused, OSError) as exc:
                raise ReqforgeError(
                    Text(
                        "template {path}: {reason}",
                        path="templates/static/" + path.name,
                        reason=exc,
                    )
                ) from exc
    return assets


class TemplateError(ReqforgeError):
    """A template of the site that cannot be rendered (a syntax error in an override): the
    build could not do its job, exit 1, naming the file and line."""

    exit_code = 1


def fingerprinted(name: str, content: bytes) -> str:
    """`site.css` -> `static/site.<digest>.css`: a changed asset gets a new name, so no
    browser shows a stale one from its cache."""
    stem, dot, suffix = name.rpartition(".")
    digest = hashlib.blake2b(content, digest_size=5).hexdigest()
    return f"static/{stem}.{digest}.{suffix}" if dot else f"static/{name}.{digest}"


def shown_template(filename: str, root: Path) -> str:
    """A template's file as the user knows it: relative to the repository when inside it."""
    path = Path(filename)
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name


def html_language(language: str) -> str:
    return "zh-CN" if language.lower().replace("_", "-") == "zh-cn" else "en"


def check_output_folder(output: Path, root: Path, clean: bool) -> None:
    """Refuse an output folder that would put the repository at risk: the repository root
    or a folder holding it, a symbolic link, a file; with `clean`, a non-empty folder without
    the mark of a previous build."""
    real = Path(os.path.realpath(output))
    root_real = Path(os.path.realpath(root))
    if real == root_real or root_real.is_relative_to(real):
        raise ReqforgeError(
            Text("{folder}: the output folder may not hold the repository", folder=output)
        )
    if output.is_symlink() or (output.exists() and not output.is_dir()):
        raise ReqforgeError(Text("{folder}: not a folder; not written", folder=output))
    if clean and output.is_dir() and any(output.iterdir()) and not (output / MARK).is_file():
        raise ReqforgeError(
            Text(
                "{folder} holds files no reqforge build wrote ({mark} is missing); "
                "--clean removes only a previous build's files",
                folder=output,
                mark=MARK,
            )
        )


def _previous_files(output: Path) -> list[str]:
    mark = output / MARK
    if not mark.is_file() or mark.is_symlink():
        return []
    lines = mark.read_text(encoding="utf-8", errors="replace").splitlines()
    return [line for line in lines if line and not line.startswith("#")]


def _remove_previous(output: Path, listed: Sequence[str]) -> None:
    """Remove files a previous build listed in its mark (and folders left empty); a listed
    path that leaves the output folder or is not a plain file is left alone."""
    real = os.path.realpath(output)
    folders: set[Path] = set()
    for rel in listed:
        path = output / rel
        if ".." in rel.split("/") or os.path.realpath(path) != os.path.join(real, *rel.split("/")):
            continue
        if path.is_file() and not path.is_symlink():
            path.unlink()
            folders.update(p for p in path.parents if p != output and output in p.parents)
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)


def write_atomically(path: Path, content: bytes) -> None:
    """Write through a temporary file in the same folder and rename it into place, so a
    reader never sees half a page; never through a symbolic link (the temporary file is
    created new, and a rename replaces a link at `path` instead of following it)."""
    # A plain name per process and file, opened exclusively: `tempfile.mkstemp`'s random
    # names cost 0.5 ms a file, a second of a 10,000-page build.
    folder, name = os.path.split(path)
    tmp = os.path.join(folder, f".tmp-{os.getpid()}-{name}")
    try:
        handle = os.open(tmp, _NEW_FILE, 0o644)
    except FileNotFoundError:
        os.makedirs(folder, exist_ok=True)
        handle = os.open(tmp, _NEW_FILE, 0o644)
    except FileExistsError:  # left by a process of the same id that was killed
        os.unlink(tmp)
        handle = os.open(tmp, _NEW_FILE, 0o644)
    try:
        os.fchmod(handle, 0o644)  # whatever the umask: the same site everywhere
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.replace(tmp, path)
    except BaseException:
        if os.path.lexists(tmp):
            os.unlink(tmp)
        raise


def templates_digest(config: Config) -> str:
    """A digest of every template and asset a build can use: the packaged theme's and the
    repository's `templates/` (a file that cannot be read counts by its refusal)."""
    parts: list[tuple[str, str]] = []
    user = config.root / "templates"
    for label, folder in (("theme", theme_dir()), ("user", user)):
        if label == "user" and (not user.is_dir() or user.resolve() == theme_dir().resolve()):
            continue
        for top, dirs, names in os.walk(folder):
            dirs.sort()
            for name in sorted(names):
                path = Path(top) / name
                rel = f"{label}/{path.relative_to(folder).as_posix()}"
                try:
                    parts.append(
                        (
                            rel,
                            content_digest(
                                read_inside(path, config.root, TEMPLATE_LIMIT)
                                if label == "user"
                                else path.read_bytes()
                            ),
                        )
                    )
                except (Refused, OSError) as exc:
                    parts.append((rel, f"unreadable: {exc}"))
    return inputs_digest(parts)


# implements: REQ-526
def _verified(
    base: str, rel: str, record: PageRecord, seen: tuple[int, int] | None
) -> tuple[int, int] | None:
    """The size and mtime of the file a previous build wrote (`base` is the output folder
    and a separator), when it is still what the manifest says: its size and mtime as that
    build left them, or else its content's digest. None when it is not."""
    now = output_stat(base + rel)
    if now is None:
        return None
    if seen is not None and now == tuple(seen):
        return now
    try:
        with open(base + rel, "rb") as file:
            return now if content_digest(file.read()) == record.digest else None
    except OSError:
        return None


# implements: REQ-500
# implements: REQ-515
def build_site(
    config: Config,
    output: Path,
    *,
    clean: bool = False,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """Build the site of `config`'s repository into `output`: every page, even for a
    repository with check errors (broken requirements are marked); the errors come back in
    the result. Into a folder holding a previous build, only the pages whose inputs changed
    are rendered and written, and the files the new build no longer has are removed; when
    nothing changed, nothing is written. Raises ReqforgeError for an output folder that must
    not be written."""
    from reqforge.corpus import discover  # the fast path needs nothing more of the engine

    _LAST_MODEL.clear()
    check_output_folder(output, config.root, clean)
    today = today or dt.date.today()
    started = now_ns()
    templates = templates_digest(config)
    git = git_state(config.root)
    discovered = discover(config)  # one walk of the requirements folder, for both below
    quick = quick_key(config, today, templates, git, started, discovered)
    state = None if clean else read_state(config, output)
    # implements: REQ-604
    if state and quick and state.quick == quick and outputs_unchanged(output, state.outputs):
        kept = tuple(sorted(rel for rel in state.outputs if rel not in (MARK, MANIFEST)))
        return BuildResult(output, (), state.errors, state.requirements, state.files, kept)
    # The pages' modules are imported only now (in `_build_from_model`): a build with
    # nothing to do never needs them.
    # Loading makes millions of objects that live to the end of the build and hold almost
    # no cycles: the collector's passes over them while they grow were a tenth of the load.
    with gc_paused():
        model, early = _load_site_model(config, today, progress, templates, discovered)
        # The model lives to the end: later collections need not walk its millions of
        # objects (a second of a cold build), and forked workers keep sharing its memory
        # pages. Frozen before the collector is on again, whose first pass would otherwise
        # walk every object made while it was off (0.1 s after 10,000 requirements).
        gc.freeze()  # undone below, so that a process that builds again can collect it
    _LAST_MODEL.append(model)
    try:
        return _build_from_model(model, config, output, clean, templates, git, quick, state, early)
    finally:
        gc.unfreeze()
        if early is not None:
            early.result()  # never left behind, whatever happened


# The last build's model, let go when the next build starts rather than when this one returns:
# `reqforge build` then ends (cli.main's os._exit) without first freeing millions of objects
# one by one (0.1 s after 10,000 requirements); a process that builds again frees it then.
_LAST_MODEL: list[SiteModel] = []


def _build_from_model(
    model: SiteModel,
    config: Config,
    output: Path,
    clean: bool,
    templates: str,
    git: tuple[str | None, tuple[tuple[str, str], ...]] | None,
    quick: str | None,
    state: BuildState | None,
    early: Background | None = None,
) -> BuildResult:
    from reqforge.site.manifest import PageInputs, changed_titles, title_readers
    from reqforge.site.pages import page_name
    from reqforge.site.plan import Job, plan_site, prerendered
    from reqforge.site.tombstones import find_tombstones

    inputs = PageInputs(model, config, templates, None if git is None else git[1])
    stones = find_tombstones(model)
    with gc_paused():  # the shared pages make ~10^6 objects and few cycles: no passes over them
        pages, jobs = plan_site(model, config, inputs, stones)
        gc.freeze()  # they live to the end too (unfrozen with the model)
    pages.template("requirement.html")  # a syntax error stops the build before anything is written
    previous = Manifest({}) if clean else read_manifest(output)
    by_key: dict[str, list[str]] = {}
    for rel, record in previous.files.items():
        by_key.setdefault(record.key, []).append(rel)
    seen = state.outputs if state is not None else {}
    # The pages that show a title that changed since the last build (keys leave titles out).
    readers = title_readers(model, changed_titles(previous.titles, inputs.titles))
    files: dict[str, PageRecord] = {}
    stats: dict[str, tuple[int, int]] = {}  # what is in the output: size and mtime
    pending: list[Job] = []
    base = os.path.join(output, "")  # string paths: pathlib costs more than the stat here
    names = pages.assets.names
    for job in jobs:
        done = by_key.get(job.key, [])
        verified = {}
        for rel in done:
            record = previous.files[rel]
            if any(names.get(name) != used for name, used in record.assets):
                break
            now = _verified(base, rel, record, seen.get(rel))
            if now is None:
                break
            verified[rel] = now
        if done and len(verified) == len(done) and not readers.intersection(job.shows):
            files.update((rel, previous.files[rel]) for rel in done)
            stats.update(verified)
        else:
            pending.append(job)
    if early is not None:
        # The pages rendered while `check` ran (waited for only now, after the checks above),
        # each taken when its key is the one planned.
        early_pages = early.result() or ()
        ready = {name: (key, files, assets) for name, key, files, assets in early_pages}
        pending = [
            prerendered(job, *ready[job.name][1:])
            if ready.get(job.name, ("",))[0] == job.key
            else job
            for job in pending
        ]
    kept = tuple(sorted(files))
    real = os.path.realpath(output)
    known = [
        *files,
        *(page_name(e.req.id) for e in model.catalog),
        pages.assets.names[SEARCH_INDEX],
    ]
    for folder in sorted(
        {os.path.dirname(os.path.join(real, rel)) for rel in known} | {real + "/baselines"}
    ):
        if os.path.lexists(folder) and os.path.realpath(folder) != folder:
            # A folder of the output (`requirements/`) that is a link would send the pages
            # somewhere else: never write through one (checked before anything is written).
            raise ReqforgeError(
                Text("{folder}: a symbolic link in the output folder; not written", folder=folder)
            )
    before = _previous_files(output)
    if clean:
        _remove_previous(output, before)
    output.mkdir(parents=True, exist_ok=True)

    def render_and_write(chunk: Sequence[Job]) -> list[list[tuple[Any, ...]]]:
        results = []
        for job in chunk:
            pages.assets.take()
            files = job.render()
            assets = pages.assets.take() if job.assets is None else job.assets
            written = []
            for rel, content in files:
                write_atomically(output / rel, content)
                size, mtime = output_stat(output / rel) or (-1, -1)
                written.append((rel, content_digest(content), assets, size, mtime))
            results.append(written)
        return results

    # implements: REQ-603
    # Every page whose inputs changed, the shared pages too, is rendered and written by the
    # workers (both cores); each sends back only what the manifest records of its files.
    # Every body the pages to write show (on its requirement's page and in its area's
    # document) is rendered once, from the markdown cache or on both cores, before the
    # workers share the pages out.
    shown = set().union(*(job.shows for job in pending))
    paths = [e.req.path for e in model.catalog if e.req.id in shown]
    model.render_bodies(None if len(paths) == len(model.catalog) else paths)
    if worker_count(len(pending)) > 1 and model.history is not None:
        # So are the history's events (made on demand: a few pages make only their own).
        model.history.make_events()
    # A few heavy pages (an area's document, the search index) are worth a worker each.
    made_all = parallel_map(render_and_write, pending, weights=[job.weight for job in pending])
    for job, made in zip(pending, made_all, strict=True):
        for rel, digest, assets, size, mtime in made:
            files[rel] = PageRecord(job.key, digest, tuple(tuple(a) for a in assets))
            stats[rel] = (size, mtime)
    written = tuple(sorted(rel for made in made_all for rel, *_ in made))
    # implements: REQ-526
    removed = tuple(rel for rel in before if rel not in files)
    _remove_previous(output, removed)
    listing = MARK_HEADER + "".join(f"{rel}\n" for rel in sorted(files))
    write_atomically(output / MARK, listing.encode("utf-8"))
    write_atomically(output / MANIFEST, manifest_bytes(Manifest(files, inputs.titles)))
    errors = tuple(f for f in model.findings if f.severity == ERROR)
    result = BuildResult(
        output=output,
        written=written,
        errors=errors,
        requirements=len(model.catalog),
        files=model.catalog.repository.file_count,
        kept=kept,
        removed=removed,
    )
    # The stats of what was written are kept even when no quick key could be taken (a file
    # edited a moment ago): the next build then knows the pages as this one left them, instead
    # of reading back and hashing 10,000 of them; only the fast path needs the key ("" never
    # matches one).
    outputs = {**stats, **{rel: output_stat(base + rel) for rel in (MARK, MANIFEST)}}
    if all(seen is not None for seen in outputs.values()):
        state = BuildState(quick or "", result.requirements, result.files, errors, outputs)  # type: ignore[arg-type]
        write_state(config, output, state)
    return result
