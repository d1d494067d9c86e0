"""The files of a site as jobs: for each, the digest of what it is made of (site/manifest.py)
and how it is rendered (the page contexts of site/pages.py and friends, through the build's one
Jinja2 environment). `build.build_site` keeps the jobs whose files are still current and runs
the others in the workers.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from reqforge.cache import Shape, fixed
from reqforge.i18n import Text, translator
from reqforge.site.areas import INDEX as AREAS_INDEX
from reqforge.site.areas import area_document, areas_index_context, areas_of
from reqforge.site.build import (
    SEARCH_INDEX,
    TemplateError,
    asset_sources,
    fingerprinted,
    html_language,
    shown_template,
    site_environment,
)
from reqforge.site.changelog import baseline_context, baselines_index_context, changelog_context
from reqforge.site.customers import customers_context
from reqforge.site.dashboard import dashboard_charts
from reqforge.site.kept_rows import KeptRows, PageRows
from reqforge.site.manifest import (
    BODIES,
    FACETS,
    FINDINGS,
    HISTORY,
    META,
    TITLES,
    TODAY,
    TRACE,
    PageInputs,
    content_digest,
)
from reqforge.site.matrix import matrix_pages, matrix_rows
from reqforge.site.matrix_data import DATA_ROW, MATRIX_DATA, matrix_data_script
from reqforge.site.pages import (
    SiteModel,
    backlog_context,
    dashboard_context,
    page_name,
    requirement_context,
    search_records,
)
from reqforge.site.requirements_json import requirements_files
from reqforge.site.search_index import search_index_script
from reqforge.site.tombstones import (
    Tombstone,
    last_body,
    retired_rows,
    tombstone_context,
)

if TYPE_CHECKING:
    from reqforge.catalog import Entry
    from reqforge.config import Config


ROWS = "rows.html"  # the row macros of the shared pages (site/kept_rows.py)


class AssetNames(Mapping[str, str]):
    """The fingerprinted asset paths by name, noting which names the templates looked up:
    a page refers to those only, so only a change to one of them makes it stale."""

    def __init__(self, names: Mapping[str, str]) -> None:
        self.names = dict(names)
        self.used: set[str] = set()

    def __getitem__(self, name: str) -> str:
        self.used.add(name)
        return self.names[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)

    def take(self) -> tuple[tuple[str, str], ...]:
        """(name, path) of every asset looked up since the last call."""
        taken = tuple((name, self.names[name]) for name in sorted(self.used) if name in self.names)
        self.used = set()
        return taken


class Pages:
    """Renders pages with the build's one environment and the values every page shares."""

    def __init__(self, model: SiteModel, config: Config, index_path: str) -> None:
        self.config = config
        self.env = site_environment(config)
        self.sources = asset_sources(config)
        names = {name: fingerprinted(name, content) for name, content in self.sources.items()}
        # The search index is an asset of its own build, named by the digest of its inputs
        # (known before it is written, so that it can be written in a worker like a page).
        names[SEARCH_INDEX] = index_path
        self.assets = AssetNames(names)
        self.common = {
            "site_title": config.site.title or config.name or "reqforge",
            "language": html_language(config.language),
            "assets": self.assets,
        }

    def template(self, name: str) -> jinja2.Template:
        try:
            return self.env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            where = shown_template(exc.filename or exc.name or name, self.config.root)
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
        page = self.template(template)
        try:
            html = page.render(**self.common, **context, root=root, current=path)
        except jinja2.TemplateError as exc:  # an override that reads what no page gives it
            raise self._failed(exc, template) from exc
        return html.encode("utf-8")

    def _failed(self, exc: jinja2.TemplateError, template: str) -> TemplateError:
        """A template that failed while rendering, named with the line it failed at (Jinja2
        puts each template's lines into the traceback)."""
        where, line = template, 0
        frames = traceback.extract_tb(exc.__traceback__)
        for frame in reversed(frames):
            if frame.filename.endswith((".html", ".xml", ".txt", ".js", ".css")):
                where, line = frame.filename, frame.lineno or 0
                break
        return TemplateError(
            Text(
                "{path}:{line}: template error: {problem}",
                path=shown_template(where, self.config.root),
                line=line,
                problem=exc.message or type(exc).__name__,
            )
        )

    def row_printer(self, macro: str, root: str = "") -> Callable[[Mapping[str, Any]], str]:
        """A row macro of `rows.html` (site/kept_rows.py) as a function of the row."""
        printer = getattr(self.template(ROWS).module, macro)

        def printed(row: Mapping[str, Any]) -> str:
            try:
                return str(printer(row, root))
            except jinja2.TemplateError:
                try:  # called outside `render`: Jinja2 puts the template's lines in now
                    self.env.handle_exception()
                except jinja2.TemplateError as exc:
                    raise self._failed(exc, ROWS) from exc
                raise

        return printed

    def requirement(self, model: SiteModel, entry: Entry) -> tuple[str, bytes]:
        """One requirement's page: (relative path, content)."""
        path = page_name(entry.req.id)
        return path, self.render(
            path, "requirement.html", {"req": requirement_context(model, entry)}
        )


Made = list[tuple[str, bytes]]  # the files a job makes: (relative path, content)


@dataclass(frozen=True)
class Job:
    """Files of the site made together from the same inputs: `key` is the digest of those
    inputs (site/manifest.py), `render` makes the files; a shared page's job is named after
    it. `assets`: what the files refer to, when they were made elsewhere (`prerendered`).
    `weight`: about what it costs, in requirement pages (parallel_map shares jobs out by it).
    `shows`: the requirements it shows in full (its own page, an area's document), whose
    links' titles the key leaves out (manifest.title_readers)."""

    key: str
    render: Callable[[], Made]
    name: str = ""
    assets: tuple[tuple[str, str], ...] | None = None
    weight: int = 1
    shows: tuple[str, ...] = ()


# What the shared pages cost when a few pages are rendered again, in requirement pages
# (10,000 requirements, measured roughly); others weigh SMALL_PAGE.
_WEIGHTS = {
    SEARCH_INDEX: 400,  # patched: see search_index.py
    "requirements.json": 1000,  # lines kept: see requirements_json.py
    "matrix": 1700,
    "index.html": 1500,
    "backlog.html": 700,
    "customers.html": 700,
    "changelog.html": 600,  # it makes the events of its 500 commits (in the worker that renders it)
}
SMALL_PAGE = 10


def prerendered(job: Job, files: Made, assets: tuple[tuple[str, str], ...]) -> Job:
    """`job` with its files already made (by `render_early`)."""
    return Job(job.key, partial(list, files), job.name, assets, weight=SMALL_PAGE)


# Shared pages that read neither check's findings nor the history: a first build has them
# rendered while it runs `check`, on the core the history walk has left free (site/build.py).
EARLY = frozenset({SEARCH_INDEX, "matrix", "backlog.html"})


def render_early(model: SiteModel, config: Config, templates: str) -> list[tuple[Any, ...]]:
    """The `EARLY` pages of `model` (which may lack findings and history: they read neither)
    as (name, key, files, assets looked up), for `prerendered` jobs to take their place. The
    keys let the build check that each is the page its own plan asks for."""
    inputs = PageInputs(model, config, templates, None)
    pages, jobs = plan_site(model, config, inputs, [], only=EARLY)
    early = []
    for job in jobs:
        pages.assets.take()
        files = job.render()
        early.append((job.name, job.key, files, pages.assets.take()))
    return early


# Which parts of the model each shared page reads (site/manifest.py FACETS); a page not
# listed here (a template added later) is taken to read all of them.
_PAGE_FACETS = {
    "index.html": (META, HISTORY, FINDINGS, TODAY),
    "backlog.html": (META,),
    "search.html": (),
    "matrix": (META, TRACE),
    # the commits' changes, and each requirement's current title and page: not its status
    "changelog.html": (TITLES, HISTORY),
    "customers.html": (META, HISTORY),
    "baselines.html": (TITLES, HISTORY),
    "baseline.html": (TITLES, HISTORY),
    "requirements.json": (META, TRACE, HISTORY, FINDINGS, TODAY),
    SEARCH_INDEX: (META, BODIES),
    "tombstone.html": (HISTORY,),  # the retired ID's events only (site/tombstones.py)
    "areas.html": (META,),
}


def _page(pages: Pages, path: str, template: str, context: Callable[[], dict[str, Any]]) -> Made:
    return [(path, pages.render(path, template, context()))]


def _constant(path: str, content: bytes) -> Made:
    return [(path, content)]


# implements: REQ-515
# implements: REQ-527
def plan_site(
    model: SiteModel,
    config: Config,
    inputs: PageInputs,
    stones: list[Tombstone],
    only: frozenset[str] | None = None,
) -> tuple[Pages, list[Job]]:
    """Every file of the site as jobs, the shared ones first, then the requirement pages,
    each weighed for the workers (`Job.weight`); with `only`, just the shared pages of those
    names."""
    index_key = inputs.shared(SEARCH_INDEX, _PAGE_FACETS[SEARCH_INDEX])
    index_path = fingerprinted(SEARCH_INDEX, index_key.encode("ascii"))
    pages = Pages(model, config, index_path)

    def page(path: str, template: str, context: Callable[[], dict[str, Any]]) -> Job:
        key = inputs.shared(path, _PAGE_FACETS.get(template, FACETS))
        weight = _WEIGHTS.get(path, SMALL_PAGE)
        return Job(key, partial(_page, pages, path, template, context), path, weight=weight)

    def dashboard() -> dict[str, Any]:
        context = dashboard_context(model)
        counts = [context[key] for key in ("by_status", "by_type", "by_p_level", "by_kano")]
        context["charts"] = dashboard_charts(model, counts, translator(config.language))
        return context

    def changelog() -> dict[str, Any]:
        return changelog_context(model) | {"retired": retired_rows(stones)}

    def index_script() -> Made:
        records, digests = search_records(model)
        script = search_index_script(records, model.store, digests)
        return [(index_path, script.encode("utf-8"))]

    def kept(page: str, shape: Shape | type = str) -> PageRows[Any]:
        return PageRows(KeptRows(model.store, page, inputs.common, shape), inputs.row)

    def backlog() -> dict[str, Any]:
        rows = kept("backlog")
        context = backlog_context(model, pages.row_printer("backlog_row"), rows)
        rows.save()
        return context

    def customers() -> dict[str, Any]:
        kept: KeptRows[str] = KeptRows(model.store, "customers", inputs.common)
        context = customers_context(model, pages.row_printer("customer_row"), kept)
        kept.save()
        return context

    def matrix() -> Made:
        # the matrix pages, and all their rows as data for the filters
        kept_rows = kept("matrix", fixed(str, DATA_ROW))
        rows = matrix_rows(model, pages.row_printer("matrix_row"), kept_rows)
        kept_rows.save()
        data = matrix_data_script(row.data for row in rows)
        script = fingerprinted(MATRIX_DATA, data)
        return [(script, data)] + [
            (name, pages.render(name, "matrix.html", {**context, "data_script": script}))
            for name, context in matrix_pages(model, rows)
        ]

    page_keys: dict[str, str] = {}  # requirement file -> its page's key, filled below

    def key_of(entry: Entry) -> str:
        found = page_keys.get(entry.req.path)
        return found if found is not None else inputs.requirement(entry)

    def data() -> Made:
        return sorted(requirements_files(model, config, key_of).items())

    jobs = [
        Job(index_key, index_script, SEARCH_INDEX, weight=_WEIGHTS[SEARCH_INDEX]),
        Job(
            inputs.shared("requirements.json", _PAGE_FACETS["requirements.json"]),
            data,
            "requirements.json",
            weight=_WEIGHTS["requirements.json"],
        ),
        Job(
            inputs.shared("matrix", _PAGE_FACETS["matrix"]),
            matrix,
            "matrix",
            weight=_WEIGHTS["matrix"],
        ),
        page("index.html", "index.html", dashboard),
        page("backlog.html", "backlog.html", backlog),
        page("customers.html", "customers.html", customers),
        page("changelog.html", "changelog.html", changelog),
        page("baselines/index.html", "baselines.html", partial(baselines_index_context, model)),
        page("search.html", "search.html", dict),
        page(AREAS_INDEX, "areas.html", partial(areas_index_context, model)),
    ]
    if only is not None:
        return pages, [job for job in jobs if job.name in only]
    for area, entries in sorted(areas_of(model).items()):
        document = partial(_area_document, pages, model, area, entries)
        key = inputs.group(model.area_files[area], entries)
        shows = tuple(entry.req.id for entry in entries)
        jobs.append(Job(key, document, weight=len(entries) * 2 // 5 + 1, shows=shows))
    for baseline in model.releases.baselines if model.releases else ():
        jobs.append(
            page(baseline.page, "baseline.html", partial(baseline_context, model, baseline))
        )
    for stone in stones:
        context = partial(_tombstone_context, model, config.root, stone)
        jobs.append(page(page_name(stone.id), "tombstone.html", context))
    for name, content in sorted(pages.sources.items()):
        path = fingerprinted(name, content)
        jobs.append(Job(content_digest(content), partial(_constant, path, content)))
    seen: set[str] = set()
    for entry in model.catalog:
        path = page_name(entry.req.id)
        if path in seen:
            continue  # a duplicated ID: its first file has the page
        seen.add(path)
        render = partial(_requirement, pages, model, entry)
        key = page_keys[entry.req.path] = inputs.requirement(entry)
        jobs.append(Job(key, render, shows=(entry.req.id,)))
    return pages, jobs


def _tombstone_context(model: SiteModel, root: Path, stone: Tombstone) -> dict[str, Any]:
    return {"stone": tombstone_context(model, stone, last_body(root, stone))}


def _area_document(pages: Pages, model: SiteModel, area: str, entries: list[Entry]) -> Made:
    path, context = area_document(model, area, entries)
    return [(path, pages.render(path, "area.html", context))]


def _requirement(pages: Pages, model: SiteModel, entry: Entry) -> Made:
    return [pages.requirement(model, entry)]
