"""`reqforge build`: the site pipeline, in the shape of mkdocs' commands/build.py.

1. Load once: the corpus, `check`'s findings, the catalogue with cached scores, the backlog,
   the trace (when `[trace]` is configured) and the history (when in git) -> `SiteModel`.
2. Build each page's context (site/pages.py, pure).
3. Render with one Jinja2 environment (autoescape on; the repository's `templates/` first,
   then the packaged theme) and write every file atomically into the output folder, static
   assets under a name holding a digest of their content.

The same inputs give byte-identical files: everything is sorted and no clock is read (overdue
is judged at `today`, an input). The output folder holds a `.reqforge-site` file listing what
the build wrote: `--clean` removes exactly those files, so it never deletes anything reqforge
did not write, and refuses to clean a folder without that mark.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from reqforge.errors import ReqforgeError
from reqforge.i18n import Text, translations, translator
from reqforge.model import ERROR, Finding
from reqforge.parallel import parallel_map
from reqforge.safe_read import Refused, read_inside
from reqforge.site import markup
from reqforge.site.areas import INDEX as AREAS_INDEX
from reqforge.site.areas import area_contexts, areas_index_context
from reqforge.site.changelog import (
    baseline_context,
    baselines_index_context,
    changelog_context,
    load_releases,
)
from reqforge.site.customers import customers_context
from reqforge.site.dashboard import dashboard_charts
from reqforge.site.matrix import matrix_pages, matrix_rows
from reqforge.site.matrix_data import MATRIX_DATA, matrix_data_script
from reqforge.site.pages import (
    SiteModel,
    backlog_context,
    dashboard_context,
    forge_url,
    page_name,
    requirement_context,
    search_records,
)
from reqforge.site.requirements_json import requirements_files
from reqforge.site.search_index import search_index_script

if TYPE_CHECKING:
    from reqforge.catalog import Entry
    from reqforge.config import Config
    from reqforge.render.progress import Progress

MARK = ".reqforge-site"
MARK_HEADER = "# written by reqforge build; `reqforge build --clean` removes these files\n"
SEARCH_INDEX = "search-index.js"  # the asset name of the index, before its fingerprint
TEMPLATE_LIMIT = 1 << 20  # a template or asset of the repository larger than 1 MiB is refused


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote (relative paths, sorted) and the check errors it found."""

    output: Path
    written: tuple[str, ...]
    errors: tuple[Finding, ...]
    requirements: int
    files: int


def theme_dir() -> Path:
    """The packaged theme: `reqforge/templates` in a wheel, the repository's `templates/` in
    an editable install (the same place `i18n.locale_dir` finds the catalogs)."""
    package = Path(__file__).resolve().parent.parent
    shipped = package / "templates"
    return shipped if shipped.is_dir() else package.parent.parent / "templates"


# implements: REQ-500
def load_site_model(config: Config, today: dt.date, progress: Progress | None = None) -> SiteModel:
    """Everything the site shows, each computed once (see `SiteModel`)."""
    from reqforge.backlog import rank_backlog
    from reqforge.catalog import Catalog
    from reqforge.checks.run import CheckOptions, run_check
    from reqforge.corpus import cached_scores, load_corpus
    from reqforge.history.walk import load_history
    from reqforge.loader import read_bodies

    corpus = load_corpus(config, progress=progress)
    checked = run_check(corpus, CheckOptions(today=today))
    catalog = Catalog(corpus.repository, config, cached_scores(corpus))
    trace = None
    if config.trace.scan or config.trace.results:
        from reqforge.trace.report import trace_report

        trace, _problems = trace_report(catalog)
    history = load_history(config.root, config.reqs_dir, store=corpus.store, progress=progress)
    bodies = read_bodies(config, [entry.req.path for entry in catalog])
    releases = load_releases(config.root, config.reqs_dir) if history.available else None
    return SiteModel(
        catalog=catalog,
        backlog=rank_backlog(catalog, catalog),
        trace=trace,
        history=history,
        findings=checked.findings,
        bodies=bodies,
        markdown_cache=corpus.store,
        repo_url=forge_url(config.site.repo_url) or _origin_url(config.root),
        today=today,
        releases=releases,
    )


def _origin_url(root: Path) -> str | None:
    from reqforge.git import GitError, open_repository

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
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        finalize=markup.visible,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(config.language), newstyle=True)  # type: ignore[attr-defined]
    markup.install(env, translations(config.language))
    return env


def _asset_sources(config: Config) -> dict[str, bytes]:
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


class _Pages:
    """Renders pages with the build's one environment and the values every page shares."""

    def __init__(self, model: SiteModel, config: Config) -> None:
        self.config = config
        self.env = site_environment(config)
        sources = _asset_sources(config)
        # The search index is an asset of its own build: a script (pages opened from file://
        # can load a script but not fetch a JSON file), renamed by its digest like the theme's.
        sources[SEARCH_INDEX] = search_index_script(search_records(model)).encode("utf-8")
        self.assets = {name: fingerprinted(name, content) for name, content in sources.items()}
        self.asset_files = {self.assets[name]: content for name, content in sources.items()}
        self.common = {
            "site_title": config.site.title or config.name or "reqforge",
            "language": _html_language(config.language),
            "assets": self.assets,
        }

    def template(self, name: str) -> jinja2.Template:
        try:
            return self.env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            where = _shown_template(exc.filename or exc.name or name, self.config.root)
            raise TemplateError(
                Text(
                    "{path}:{line}: template syntax error: {problem}",
                    path=where,
                    line=exc.lineno,
                    problem=exc.message or "",
                )
            ) from exc

    def render(self, path: str, template: str, context: dict[str, Any]) -> bytes:
        root = "../" * path.count("/")
        html = self.template(template).render(**self.common, **context, root=root, current=path)
        return html.encode("utf-8")

    def requirement(self, model: SiteModel, entry: Entry) -> tuple[str, bytes]:
        """One requirement's page: (relative path, content)."""
        path = page_name(entry.req.id)
        return path, self.render(
            path, "requirement.html", {"req": requirement_context(model, entry)}
        )


def _shared_files(model: SiteModel, pages: _Pages) -> dict[str, bytes]:
    """Every file of the site but the requirement pages: the assets and the pages drawn from
    the whole model (dashboard, backlog, matrix, area documents, change log, baselines,
    customers, search)."""
    files = dict(pages.asset_files)
    dashboard = dashboard_context(model)
    counts = [dashboard[key] for key in ("by_status", "by_type", "by_p_level", "by_kano")]
    dashboard["charts"] = dashboard_charts(model, counts, translator(pages.config.language))
    shown: list[tuple[str, str, dict[str, Any]]] = [
        ("index.html", "index.html", dashboard),
        ("backlog.html", "backlog.html", backlog_context(model)),
        ("search.html", "search.html", {}),
    ]
    rows = matrix_rows(model)  # the matrix pages, and all their rows as data for the filters
    data = matrix_data_script(rows)
    files[fingerprinted(MATRIX_DATA, data)] = data
    shown += [
        (name, "matrix.html", {**context, "data_script": fingerprinted(MATRIX_DATA, data)})
        for name, context in matrix_pages(model, rows=rows)
    ]
    shown.append((AREAS_INDEX, "areas.html", areas_index_context(model)))
    shown += [(name, "area.html", context) for name, context in area_contexts(model)]
    shown += [
        ("changelog.html", "changelog.html", changelog_context(model)),
        ("customers.html", "customers.html", customers_context(model)),
        ("baselines/index.html", "baselines.html", baselines_index_context(model)),
    ]
    for baseline in model.releases.baselines if model.releases else ():
        shown.append((baseline.page, "baseline.html", baseline_context(model, baseline)))
    for path, template, context in shown:
        files[path] = pages.render(path, template, context)
    files.update(requirements_files(model, pages.config))  # the model as data, with its schema
    return files


# implements: REQ-501
# implements: REQ-507
# implements: REQ-509
# implements: REQ-511
def render_site(model: SiteModel, config: Config) -> dict[str, bytes]:
    """Every file of the site by relative path (pure apart from reading the templates), in
    this one process. Raises TemplateError for a template with a syntax error."""
    pages = _Pages(model, config)
    files = _shared_files(model, pages)
    files.update(pages.requirement(model, entry) for entry in model.catalog)
    return files


def _shown_template(filename: str, root: Path) -> str:
    """A template's file as the user knows it: relative to the repository when inside it."""
    path = Path(filename)
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name


def _html_language(language: str) -> str:
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


def _remove_previous(output: Path) -> None:
    """Remove the files the previous build listed in its mark (and folders left empty);
    a listed path that leaves the output folder or is not a plain file is left alone."""
    real = os.path.realpath(output)
    folders: set[Path] = set()
    for rel in _previous_files(output):
        path = output / rel
        if ".." in rel.split("/") or os.path.realpath(path) != os.path.join(real, *rel.split("/")):
            continue
        if path.is_file() and not path.is_symlink():
            path.unlink()
            folders.update(p for p in path.parents if p != output and output in p.parents)
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


def write_atomically(path: Path, content: bytes) -> None:
    """Write through a temporary file in the same folder and rename it into place, so a
    reader never sees half a page; never through a symbolic link."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_symlink():
        path.unlink()
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# implements: REQ-500
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
    the result. Raises ReqforgeError for an output folder that must not be written."""
    check_output_folder(output, config.root, clean)
    model = load_site_model(config, today or dt.date.today(), progress)
    # The model lives to the end: later collections need not walk its millions of objects
    # again (a second of a cold build), and forked workers keep sharing its memory pages.
    gc.freeze()  # undone below, so that a process that builds again can collect this model
    gc.disable()  # the shared pages make ~10^6 objects and few cycles: no passes over them
    pages = _Pages(model, config)
    files = _shared_files(model, pages)
    gc.enable()
    entries = list(model.catalog)
    pages.template("requirement.html")  # a syntax error stops the build before anything is written
    names = [page_name(entry.req.id) for entry in entries]
    real = os.path.realpath(output)
    for folder in sorted({os.path.dirname(os.path.join(real, rel)) for rel in [*files, *names]}):
        if os.path.lexists(folder) and os.path.realpath(folder) != folder:
            # A folder of the output (`requirements/`) that is a link would send the pages
            # somewhere else: never write through one (checked before anything is written).
            raise ReqforgeError(
                Text("{folder}: a symbolic link in the output folder; not written", folder=folder)
            )
    if clean:
        _remove_previous(output)
    output.mkdir(parents=True, exist_ok=True)
    for rel, content in sorted(files.items()):
        write_atomically(output / rel, content)

    def render_and_write(chunk: Sequence[Entry]) -> list[str]:
        written: list[str] = []
        for entry in chunk:
            rel, content = pages.requirement(model, entry)
            write_atomically(output / rel, content)
            written.append(rel)
        return written

    # implements: REQ-603
    # The requirement pages are most of the work (10,000 of them in the bench corpus): each
    # worker renders and writes every n-th one and sends back only the paths it wrote.
    written = sorted([*files, *parallel_map(render_and_write, entries)])
    listing = MARK_HEADER + "".join(f"{rel}\n" for rel in written)
    write_atomically(output / MARK, listing.encode("utf-8"))
    errors = tuple(f for f in model.findings if f.severity == ERROR)
    gc.unfreeze()
    return BuildResult(
        output=output,
        written=tuple(written),
        errors=errors,
        requirements=len(model.catalog),
        files=model.catalog.repository.file_count,
    )
