"""Page contexts: what each page of the site shows, as plain data for the templates.

Pure: every function takes what `build.load_site_model` loaded once (catalogue, backlog, trace,
history, findings) and returns dictionaries; nothing here reads a file, asks git or computes a
priority. Links inside the site are relative (`root` is the way back to the site's top), so the
site works from `file://` and from any sub-path of a static host.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property, partial
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import quote, urlsplit, urlunsplit

from markupsafe import Markup

from reqforge.cache import content_digest, fixed, maybe
from reqforge.graph import impacted, inverse_edges
from reqforge.metrics import (
    StatusFacts,
    fulfilment_rate,
    history_stats,
    overdue,
    satisfaction,
    status_facts,
)
from reqforge.model import ERROR, Finding
from reqforge.scalars import is_mapping
from reqforge.site.kept_rows import KeptRows, PageRows
from reqforge.site.markdown import render_markdown, rendered_bodies
from reqforge.site.markup import ChangeRow, Row
from reqforge.site.search_index import SearchRecord
from reqforge.site.urls import page_name, published_url

if TYPE_CHECKING:
    from reqforge.backlog import Backlog
    from reqforge.cache import CacheStore
    from reqforge.catalog import Catalog, Entry
    from reqforge.history.model import Change, Commit, Event, History
    from reqforge.site.releases import Releases
    from reqforge.trace.coverage import TraceItem, TraceReport


STATUS_FACTS = "status-facts"
_FACT = maybe(fixed(float, maybe(float), str, str, maybe(str), maybe(float)))


@dataclass(frozen=True)
class SiteModel:
    """Everything the pages show, loaded once: the catalogue (with cached scores), the ranked
    backlog, the trace report and history where available, every finding of `check`, the
    requirement bodies by path (rendered once, through the markdown cache when one is given),
    the forge's web address, and the date overdue is judged at."""

    catalog: Catalog
    backlog: Backlog
    trace: TraceReport | None
    history: History | None
    findings: tuple[Finding, ...]
    bodies: Mapping[str, str]
    repo_url: str | None
    today: dt.date
    releases: Releases | None = None  # tags and baselines; None outside git
    store: CacheStore | None = None  # the caches kept between builds (bodies, search terms)
    bodies_html: dict[str, str] = field(default_factory=dict)  # by path, filled as pages ask
    # Each requirement file's digests by path, as the parse cache holds them: of its front
    # matter, and of all of it (page keys read these, not the texts).
    front_digests: Mapping[str, bytes] = field(default_factory=dict)
    file_digests: Mapping[str, bytes] = field(default_factory=dict)

    # Indexes every page looks things up in, built once per build (not once per page).
    @cached_property
    def links_by_id(self) -> dict[str, Mapping[str, tuple[str, ...]]]:
        return {entry.req.id: entry.req.links for entry in self.catalog}

    @cached_property
    def inverse_links(self) -> dict[str, list[tuple[str, str]]]:
        return inverse_edges(self.links_by_id)

    @cached_property
    def errors_by_path(self) -> dict[str, list[Finding]]:
        by_path: dict[str, list[Finding]] = {}
        for finding in self.findings:
            if finding.severity == ERROR:
                by_path.setdefault(finding.path, []).append(finding)
        return by_path

    @cached_property
    def history_stats(self) -> dict[str, Any] | None:
        """`metrics.history_stats` (lead time, throughput...), or None outside git. Each
        requirement's `status_facts` are kept (site/kept_rows.py) for the history's HEAD: a
        build at the same commit reads them instead of every status history."""
        history = self.history
        if history is None or not history.available:
            return None
        key = f"{history.head}|{history.shallow}|{history.note}"
        kept: KeptRows[StatusFacts | None] = KeptRows(self.store, STATUS_FACTS, key, _FACT)

        def facts(rid: str) -> StatusFacts | None:
            return kept.get(rid, partial(status_facts, history, rid))

        stats = history_stats(self.catalog, history, self.today, facts)
        kept.save()
        return stats

    def body_html(self, path: str) -> str:
        """The Markdown body of the file at `path` as safe HTML, rendered once per build: the
        requirement's page and its area's document both show it. The first body asked for
        renders them all (`render_bodies`: the markdown cache, then both cores); pages
        rendered in forked workers reuse what the main process rendered before the fork."""
        html = self.bodies_html.get(path)
        if html is None:
            self.render_bodies()
            html = self.bodies_html.get(path)
            if html is None:  # not a requirement file of this build
                html = self.bodies_html[path] = render_markdown(self.bodies.get(path, ""))
        return html

    def render_bodies(self, paths: Iterable[str] | None = None) -> None:
        """Render every body not rendered yet (or those of `paths`: what the pages a build
        writes show), for the pages that follow: from the markdown cache where an earlier
        build rendered the same text, the others on every core."""
        todo = {
            path: body
            for path, body in (
                self.bodies.items()
                if paths is None
                else ((p, self.bodies[p]) for p in paths if p in self.bodies)
            )
            if path not in self.bodies_html
        }
        if todo:
            self.bodies_html.update(rendered_bodies(todo, self.store, every=paths is None))

    @cached_property
    def area_files(self) -> dict[str, str]:
        """Each area -> its document's page (site/areas.py names them)."""
        from reqforge.site.areas import area_files  # areas.py builds on this module

        return area_files(entry.req.area for entry in self.catalog)

    @cached_property
    def trace_by_id(self) -> dict[str, TraceItem]:
        items = self.trace.items if self.trace is not None else ()
        return {item.id: item for item in reversed(items)}  # the first of a duplicated ID

    # Values many pages share, made once per build (a requirement is linked from ~10 pages,
    # a commit shows on the page of every requirement it touched).
    @cached_property
    def _targets(self) -> dict[str, Target]:
        return {}

    def target(self, rid: str) -> Target:
        """A linked requirement: its ID, current title and page (no page when unknown)."""
        found = self._targets.get(rid)
        if found is None:
            other = self.catalog.by_id.get(rid)
            found = Target(rid, other.req.title, page_name(rid)) if other else Target(rid, "", None)
            self._targets[rid] = found
        return found

    @cached_property
    def _commits(self) -> dict[str, dict[str, Any]]:
        return {}

    def commit(self, commit: Commit) -> dict[str, Any]:
        """`commit_context` of a commit, made once per build (do not change the result)."""
        found = self._commits.get(commit.sha)
        if found is None:
            found = self._commits[commit.sha] = commit_context(self.repo_url, commit)
        return found

    def events(self, rid: str) -> tuple[Event, ...]:
        """`History.for_id(rid)` (kept by the history: the page, requirements.json and the
        dashboard's figures all ask); empty without history."""
        history = self.history
        if history is None or not history.available:
            return ()
        return history.for_id(rid)


class Target(NamedTuple):
    """A requirement a page links to (a named tuple: the templates read it fast)."""

    id: str
    title: str
    page: str | None


class ImpactHit(NamedTuple):
    """A requirement a change reaches: the target, the relation and the ID it goes through."""

    id: str
    title: str
    page: str | None
    relation: str
    through: str
    distance: int


# implements: REQ-503
def forge_url(remote: str | None) -> str | None:
    """The web address of a repository from a remote URL (`git@host:o/r.git`,
    `https://user:token@host/o/r.git`, `ssh://git@host/o/r`): https, without credentials or
    `.git`; None for anything else (a local path, an unknown scheme)."""
    if not remote:
        return None
    remote = remote.strip()
    scp = re.fullmatch(r"[\w.-]+@([\w.-]+):(?!/)(.+)", remote)
    if scp:
        host, path = scp.groups()
    else:
        parts = urlsplit(remote)
        if parts.scheme not in ("https", "http", "ssh", "git") or not parts.hostname:
            return None
        host, path = parts.hostname, parts.path.lstrip("/")
    path = path.removesuffix("/").removesuffix(".git")
    if not path or not re.fullmatch(r"[\w.~/-]+", path) or ".." in path.split("/"):
        return None
    return urlunsplit(("https", host, "/" + path, "", ""))


def _forge_path(repo_url: str, kind: str, value: str) -> str:
    """A page of the forge in GitHub's shape, or GitLab's (pages under `/-/`, merge requests)
    for a gitlab host; Gitea's own paths (`src/`, `pulls/`) are not told apart yet."""
    gitlab = "gitlab" in (urlsplit(repo_url).hostname or "")
    prefix = "/-" if gitlab else ""
    if kind == "pr":
        kind = "merge_requests" if gitlab else "pull"
    return f"{repo_url}{prefix}/{kind}/{value}"


# implements: REQ-513
def is_private(name: str, private: Sequence[str]) -> bool:
    """True when a dotted field name is, or lies below, one of the `site.private_fields`
    patterns (`*` matches one name: `customers.*.contact`)."""
    return private_name(name, tuple(private))


# A site asks this of the same few field names hundreds of thousands of times (every field
# and every history change of every page): the answer is kept per name and pattern list.
@cache
def private_name(name: str, private: tuple[str, ...]) -> bool:
    """`is_private` with the patterns as a tuple, cached: for loops over many names."""
    for pattern in private:
        depth = pattern.count(".") + 1
        head = ".".join(name.split(".")[:depth])
        if fnmatch.fnmatchcase(head, pattern):
            return True
    return False


def public_value(name: str, value: str | None, private: Sequence[str]) -> str:
    """A one-field value shown in a list of requirements (search, backlog, matrix): empty
    when missing or private."""
    return "" if value is None or is_private(name, private) else value


def public_fields(
    data: Mapping[str, Any], private: Sequence[str], leave: frozenset[str] = frozenset()
) -> list[tuple[str, str]]:
    """The front matter as (dotted name, shown value) rows in the file's order, without the
    private fields, the body-like `acceptance` (shown as a list), `links` (shown both ways)
    and the top-level fields named in `leave`."""
    rows: list[tuple[str, str]] = []
    patterns = tuple(private)
    skipped = _NOT_FIELDS | leave

    # Every page of a requirement walks its front matter (its page, its area's document):
    # patterns are asked only when there are some.
    def walk(mapping: Mapping[Any, Any], prefix: str) -> None:
        for key, value in mapping.items():
            name = prefix + key if type(key) is str else f"{prefix}{key}"
            if (not prefix and name in skipped) or (patterns and private_name(name, patterns)):
                continue
            if type(value) is str:
                rows.append((name, value))
            elif value and is_mapping(value):
                walk(value, name + ".")
            else:
                rows.append((name, shown(value)))

    walk(data, "")
    return rows


_NOT_FIELDS = frozenset({"acceptance", "links"})


def shown(value: Any) -> str:
    """A field value as a reader sees it: lists joined, booleans as YAML writes them."""
    kind = type(value)  # the exact types YAML gives, first; subclasses below
    if kind is str:
        return value
    if kind is int or kind is float:
        return str(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ", ".join([item if type(item) is str else shown(item) for item in value])
    if is_mapping(value):
        return ", ".join(f"{k}: {shown(v)}" for k, v in value.items())
    return str(value)


def _finding_row(finding: Finding) -> dict[str, Any]:
    return {
        "code": finding.code,
        "line": finding.line,
        "column": finding.column,
        "message": str(finding.message),
    }


def _counts(values: Iterable[Any], order: Sequence[str] = ()) -> list[tuple[str, int]]:
    """(value, count) rows: values of `order` first in that order, then the others sorted."""
    counts = Counter("—" if value is None else str(value) for value in values)
    first = [(key, counts[key]) for key in order if key in counts]
    rest = sorted((key, n) for key, n in counts.items() if key not in order)
    return first + rest


# implements: REQ-501
def dashboard_context(model: SiteModel) -> dict[str, Any]:
    """The dashboard: counts by status, type, P-level and Kano, fulfilment rate, satisfaction,
    lead time, overdue items, SLA breaches (None outside git), P0/P1 requirements without a
    five-whys chain, and every requirement file with check errors (each with its findings)."""
    catalog = model.catalog
    entries = list(catalog)
    ids = {entry.req.path: entry.req.id for entry in entries}
    broken = [
        {
            "path": path,
            "id": ids.get(path),
            "page": page_name(ids[path]) if path in ids else None,
            "findings": [_finding_row(f) for f in findings],
        }
        for path, findings in sorted(model.errors_by_path.items())
    ]
    rate = fulfilment_rate(entries)  # the seeds' definition, as `stats` gives it
    late = [catalog.by_id[rid] for rid in overdue(catalog, model.today)]
    stats = model.history_stats or {}
    lead = stats.get("lead_time_days") or {}
    breaches = [catalog.by_id[rid] for rid in stats.get("sla_breaches", ()) if rid in catalog.by_id]
    # P0/P1 without a root-cause chain: what `check` found (RF404), not judged a second time.
    by_path = {entry.req.path: entry for entry in entries}
    unexplained = sorted(
        {
            by_path[f.path].req.id: by_path[f.path]
            for f in model.findings
            if f.code == "RF404" and f.path in by_path
        }.items()
    )
    mood = satisfaction(entries)
    return {
        "total": len(entries),
        "by_status": _counts((e.req.status for e in entries), catalog.value_order("status")),
        "by_type": _counts(e.req.type for e in entries),
        "by_p_level": _counts((e.scores.p_level for e in entries), catalog.value_order("p_level")),
        "by_kano": _counts((e.scores.kano for e in entries), catalog.value_order("kano")),
        "fulfilment": None if rate is None else f"{rate * 100:.1f} %",
        "overdue": [_entry_link(entry) for entry in late],
        "satisfaction": mood["mean"],
        "responses": mood["responses"],
        "lead_median": _days(lead.get("median")),
        "lead_p90": _days(lead.get("p90")),
        "sla_breaches": None if model.history_stats is None else [_entry_link(e) for e in breaches],
        "no_five_whys": [_entry_link(entry) for _rid, entry in unexplained],
        "today": model.today.isoformat(),
        "broken": broken,
    }


def _days(value: float | None) -> str | None:
    return None if value is None else f"{value:.1f}"


def _entry_link(entry: Entry) -> dict[str, Any]:
    req = entry.req
    return {
        "id": req.id,
        "title": req.title,
        "status": req.status,
        "due": req.due.isoformat() if req.due else "",
        "page": page_name(req.id),
    }


# The backlog's score columns: (JSON key of `Scores.to_json`, column heading). Headings are
# method names, the same in every language.
BACKLOG_SCORES = (
    ("moscow", "MoSCoW"),
    ("kano", "Kano"),
    ("ice", "ICE"),
    ("ice_level", "ICE level"),
    ("rice", "RICE"),
    ("quadrant", "Quadrant"),
    ("p_level", "P-level"),
    ("rpn", "RPN"),
    ("wsjf", "WSJF"),
    ("demand", "Demand"),
    ("votes", "Votes"),
)


# implements: REQ-502
def backlog_context(
    model: SiteModel,
    print_row: Callable[[Mapping[str, Any]], str],
    rows: PageRows[str] | None = None,
) -> dict[str, Any]:
    """The ranked backlog (`reqforge prioritize`'s order) with every score per row, each row
    as `print_row` prints it (or as `rows` kept it: site/kept_rows.py)."""
    rows = rows or PageRows()
    private = model.catalog.config.site.private_fields
    printed: list[Markup] = []
    choices: dict[str, set[str]] = {key: set() for key in BACKLOG_FILTERS}
    for ranked in model.backlog.items:
        item = ranked.item
        entry = ranked.entry
        req = entry.req
        # what backlog.js filters on, beside the columns shown
        values = {
            "status": item["status"],
            "type": public_value("type", req.type, private),
            "area": public_value("area", req.area, private),
            "owner": public_value("owner", req.owner, private),
            "p_level": shown(_score(item, "p_level")),
        }
        for key, value in values.items():
            if value:
                choices[key].add(str(value))

        def make(item: Mapping[str, Any] = item, values: dict[str, Any] = values) -> str:
            return print_row(
                Row(
                    values,
                    rank=item["rank"],
                    id=item["id"],
                    title=item["title"],
                    page=page_name(item["id"]),
                    scores=[shown(_score(item, key)) for key, _ in BACKLOG_SCORES],
                )
            )

        printed.append(Markup(rows.row(entry, item["rank"], make)))
    return {
        "columns": [heading for _, heading in BACKLOG_SCORES],
        "rows": printed,
        "methods": list(model.backlog.methods),
        "choices": {key: sorted(values) for key, values in choices.items()},
    }


BACKLOG_FILTERS = ("status", "type", "area", "owner", "p_level")


def _score(item: Mapping[str, Any], key: str) -> Any:
    """One score of a backlog item; nested scores (`{"score": .., "level": ..}`) flattened."""
    if key == "ice_level":
        ice = item.get("ice")
        return ice.get("level") if isinstance(ice, Mapping) else None
    value = item.get(key)
    if isinstance(value, Mapping):
        return value.get("score", value.get("value"))
    return value


# implements: REQ-503
def requirement_context(model: SiteModel, entry: Entry) -> Row:
    """One requirement's page: public fields, rendered body, acceptance criteria, links both
    ways, impact, trace, history with field-level changes, its check errors, edit link."""
    catalog = model.catalog
    req = entry.req
    private = catalog.config.site.private_fields

    target = model.target
    outgoing, incoming = link_groups(model, entry)
    impact = [
        ImpactHit(*target(hit.id), hit.relation, hit.through, hit.distance)
        for hit in impacted(
            model.links_by_id, [req.id], len(model.links_by_id), inverse=model.inverse_links
        )
    ]
    acceptance = req.get("acceptance")
    repo_url = model.repo_url
    return Row(
        id=req.id,
        title=req.title,
        status=req.status,
        path=req.path,
        # the breadcrumb's area (none when `area` is a private field)
        area=public_value("area", req.area, private),
        area_page=None if is_private("area", private) else quote(model.area_files[req.area]),
        fields=public_fields(req.data, private),
        body=model.body_html(req.path),
        acceptance=[shown(a) for a in acceptance] if isinstance(acceptance, list) else [],
        outgoing=outgoing,
        incoming=incoming,
        impact=impact,
        trace=_trace_context(model, req.id),
        history=_history_context(model, req.id, private),
        errors=[_finding_row(f) for f in model.errors_by_path.get(req.path, [])],
        edit_url=_forge_path(repo_url, "blob", f"HEAD/{quote(req.path)}") if repo_url else None,
        **permalinks(catalog.config.site.base_url, req.id),
    )


def link_groups(model: SiteModel, entry: Entry) -> tuple[list[Row], list[Row]]:
    """A requirement's links as (relation, targets) groups: its own links by relation, then
    the inverse ones (children, depended-on-by), each target a `Target`."""
    target = model.target
    outgoing = [
        Row(relation=relation, targets=[target(t) for t in targets])
        for relation, targets in sorted(entry.req.links.items())
    ]
    incoming = [
        Row(relation=relation, targets=[target(t) for t in sorted(ids)])
        for relation, ids in (
            ("children", entry.children),
            ("depended-on-by", entry.depended_on_by),
        )
        if ids
    ]
    return outgoing, incoming


def permalinks(base_url: str, rid: str) -> dict[str, str | None]:
    """A requirement page's permalink and canonical address: with an absolute http(s)
    `site.base_url`, `<base_url>requirements/<ID>.html` for both; otherwise the page's own
    name (relative, so that it works from `file://` and any sub-path) and no canonical link."""
    absolute = published_url(base_url, rid)
    if absolute is not None:
        return {"permalink": absolute, "canonical": absolute}
    return {"permalink": page_name(rid).rsplit("/", 1)[1], "canonical": None}


def _trace_context(model: SiteModel, rid: str) -> dict[str, Any] | None:
    item = model.trace_by_id.get(rid)
    if item is None:
        return None
    return {
        "implemented": [{"path": m.path, "line": m.line} for m in item.implemented],
        "verified": [
            {"path": m.path, "line": m.line, "test": m.test or "", "result": result}
            for m, result in item.verified
        ],
        "missing": list(item.missing),
        "suspect": [{"id": t, "since": since[:10]} for t, since in item.suspect],
    }


def _history_context(model: SiteModel, rid: str, private: Sequence[str]) -> list[Row] | None:
    """The requirement's commits, newest first, each with its field-level changes (private
    fields left out: their old values are as private as the current ones)."""
    if model.history is None or not model.history.available:
        return None
    return history_rows(model, model.events(rid), private)


def history_rows(model: SiteModel, events: Iterable[Event], private: Sequence[str]) -> list[Row]:
    """Events as the history list shows them: the commit (`commit_context`), the kind of
    change and the field-level changes without the private fields."""
    return [
        Row(
            model.commit(event.commit), kind=event.kind, changes=change_rows(event.changes, private)
        )
        for event in events
    ]


# implements: REQ-503
def commit_context(repo_url: str | None, commit: Commit) -> dict[str, Any]:
    """A commit as the pages show it: short sha, author, date, subject and PR, the sha and
    the PR linked to the forge when its address is known."""
    return {
        "sha": commit.sha[:10],
        "commit_url": _forge_path(repo_url, "commit", commit.sha) if repo_url else None,
        "author": commit.author,
        "date": commit.date[:10],
        "datetime": commit.date,
        "subject": commit.subject,
        "pr": commit.pr,
        "pr_url": _forge_path(repo_url, "pr", str(commit.pr)) if repo_url and commit.pr else None,
    }


# implements: REQ-503
def change_rows(changes: Iterable[Change], private: Sequence[str]) -> list[ChangeRow]:
    """Field-level changes as (field, old, new) rows, the body as line counts; private fields
    left out (their old values are as private as the current ones)."""
    rows = []
    patterns = tuple(private)
    for change in changes:
        name = change.field
        if patterns and private_name(name, patterns):
            continue
        if name == "body":
            rows.append(ChangeRow(name, f"-{change.removed or 0}", f"+{change.added or 0}"))
        else:
            old, new = change.old, change.new
            rows.append(
                ChangeRow(
                    name,
                    old if type(old) is str else shown(old),
                    new if type(new) is str else shown(new),
                )
            )
    return rows


# implements: REQ-507
# implements: REQ-513
def search_records(model: SiteModel) -> tuple[Sequence[SearchRecord], list[bytes]]:
    """What the search index holds of each requirement, in ID order: ID, title, status, type,
    area and the body; a field named in `site.private_fields` (the body as `body`) is left
    empty. With a digest of each that stands for it (the shown fields and the file's digest),
    so that a record, and the body it shows, is made only for a document that changed."""
    entries = sorted(model.catalog, key=lambda entry: entry.req.id)
    private = model.catalog.config.site.private_fields
    shows_body = not is_private("body", private)

    def public(name: str, value: str | None) -> str:
        return public_value(name, value, private)

    def record(entry: Entry) -> SearchRecord:
        return SearchRecord(
            id=entry.req.id,
            title=public("title", entry.req.title),
            status=public("status", entry.req.status),
            type=public("type", entry.req.type),
            area=public("area", entry.req.area),
            text=public("body", model.bodies.get(entry.req.path, "")),
        )

    digests = []
    for entry in entries:
        req = entry.req
        shown = [req.id, public("title", req.title), public("status", req.status)]
        shown += [public("type", req.type), public("area", req.area)]
        file = model.file_digests.get(req.path) if shows_body else b"-"
        if not file:  # no digest from the parse cache: the body itself
            file = model.bodies.get(req.path, "").encode("utf-8", "surrogatepass")
        text = "\0".join(shown).encode("utf-8", "surrogatepass")
        digests.append(content_digest(text + b"\0" + file))
    return _Records(entries, record), digests


class _Records(Sequence[SearchRecord]):
    """Search records, each made when asked for (`search_records`)."""

    def __init__(self, entries: list[Entry], make: Callable[[Entry], SearchRecord]) -> None:
        self.entries, self.make = entries, make

    def __getitem__(self, index: int) -> SearchRecord:  # type: ignore[override]
        return self.make(self.entries[index])

    def __len__(self) -> int:
        return len(self.entries)
