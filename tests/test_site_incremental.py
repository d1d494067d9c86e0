"""Incremental builds never go stale: on a real git repository, after each kind of change, a build
into the previous output folder equals a fresh build byte for byte, and rewrites only the pages
the change shows on. Also the no-change fast path, tombstones for deleted and renamed IDs, and
a moved file keeping its page."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.conftest import requirement_text
from tests.gitrepo import GitRepo

from reqforge.cli.main import cli
from reqforge.config import load_config
from reqforge.site import build as site_build
from reqforge.site import manifest, pages
from reqforge.site.build import BuildResult, build_site

TODAY = dt.date(2026, 11, 1)
PAGE = "requirements/{}.html"


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def build(root: Path, out: Path) -> BuildResult:
    return build_site(load_config(root), out, today=TODAY)


@pytest.fixture
def repo(make_repo: Callable[..., Path], tmp_path: Path) -> GitRepo:
    """Five requirements: CRM-2 is CRM-1's child and depends on CRM-3; CRM-4 and CRM-5 stand
    alone. One commit, one tag."""
    files = {
        "reqs/billing/CRM-1.md": requirement_text("CRM-1", title="Export customer data"),
        "reqs/billing/CRM-2.md": requirement_text(
            "CRM-2", links="{parent: [CRM-1], depends-on: [CRM-3]}"
        ),
        "reqs/ops/CRM-3.md": requirement_text("CRM-3"),
        "reqs/ops/CRM-4.md": requirement_text("CRM-4"),
        "reqs/ops/CRM-5.md": requirement_text("CRM-5", title="Audit trail"),
    }
    root = make_repo(files, config='[site]\ntitle = "Acme"\n')
    git = GitRepo(root, tmp_path / "home")
    git.commit("first")
    git.git("tag", "v1")
    return git


def edit(repo: GitRepo, rel: str, old: str, new: str) -> None:
    path = repo.root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def change_status(repo: GitRepo) -> None:
    edit(repo, "reqs/billing/CRM-1.md", "status: proposed", "status: accepted")


def change_title(repo: GitRepo) -> None:
    edit(repo, "reqs/billing/CRM-1.md", "Export customer data", "Export all customer data")


def change_links(repo: GitRepo) -> None:
    edit(
        repo,
        "reqs/ops/CRM-4.md",
        "---\n## Scenario",
        "links: {depends-on: [CRM-3]}\n---\n## Scenario",
    )


def change_body(repo: GitRepo) -> None:
    path = repo.root / "reqs/billing/CRM-1.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")


def change_customers(repo: GitRepo) -> None:
    (repo.root / "reqs/customers.yaml").write_text(
        "acme: {name: Acme Logistics, industry: logistics, tier: A}\n", encoding="utf-8"
    )


def add_commit(repo: GitRepo) -> None:
    change_status(repo)
    repo.commit("Accept CRM-1 (#7)")


def add_tag(repo: GitRepo) -> None:
    repo.commit("nothing in reqs")
    repo.git("tag", "v2")


def delete_requirement(repo: GitRepo) -> None:
    (repo.root / "reqs/ops/CRM-4.md").unlink()
    repo.commit("Retire CRM-4 (#8)")


def rename_id(repo: GitRepo) -> None:
    repo.mv("reqs/ops/CRM-5.md", "reqs/ops/CRM-50.md")
    edit(repo, "reqs/ops/CRM-50.md", "id: CRM-5", "id: CRM-50")
    repo.commit("Renumber CRM-5 as CRM-50 (#9)")


def move_file(repo: GitRepo) -> None:
    repo.mv("reqs/ops/CRM-5.md", "reqs/billing/CRM-5.md")
    repo.commit("Move CRM-5 to billing")


# (change, pages it must rewrite, pages it must leave as they were)
CHANGES = {
    "status": (
        change_status,
        {PAGE.format("CRM-1"), "backlog.html", "index.html"},
        {PAGE.format("CRM-5")},
    ),
    "title": (
        change_title,
        {PAGE.format("CRM-1"), PAGE.format("CRM-2"), "backlog.html"},
        # CRM-3 is linked with CRM-2, not with CRM-1: its page shows no title that changed
        {PAGE.format("CRM-3"), PAGE.format("CRM-4"), PAGE.format("CRM-5")},
    ),
    "links": (
        change_links,
        {PAGE.format("CRM-3"), PAGE.format("CRM-4"), "matrix.html"},
        {PAGE.format("CRM-5")},
    ),
    "body": (
        change_body,
        {PAGE.format("CRM-1")},
        {"backlog.html", "matrix.html", PAGE.format("CRM-2")},
    ),
    "customers": (change_customers, {"customers.html"}, {PAGE.format("CRM-1")}),
    "commit": (add_commit, {PAGE.format("CRM-1"), "changelog.html"}, {PAGE.format("CRM-5")}),
    "tag": (add_tag, {"baselines/index.html"}, {PAGE.format(f"CRM-{n}") for n in range(1, 6)}),
    "delete": (
        delete_requirement,
        {PAGE.format("CRM-4"), "changelog.html"},
        {PAGE.format("CRM-1")},
    ),
    "rename": (
        rename_id,
        {PAGE.format("CRM-5"), PAGE.format("CRM-50"), "changelog.html"},
        {PAGE.format("CRM-1")},
    ),
    "move": (move_file, {PAGE.format("CRM-5")}, {PAGE.format("CRM-1")}),
}


@pytest.mark.parametrize("kind", sorted(CHANGES))
def test_an_incremental_build_equals_a_fresh_one(
    repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    # verifies: REQ-515
    # verifies: REQ-527
    # verifies: REQ-604
    # No racy-file allowance: each change must also be seen by the no-change fast path's key.
    monkeypatch.setattr(manifest, "RACY_NS", 0)
    change, rewritten, untouched = CHANGES[kind]
    incremental, fresh = tmp_path / "incremental", tmp_path / "fresh"
    first = build(repo.root, incremental)
    assert not first.kept and not first.removed
    change(repo)
    result = build(repo.root, incremental)
    shutil.rmtree(repo.root / ".reqforge")  # the fresh build keeps nothing from the others
    build(repo.root, fresh)
    assert files_of(incremental) == files_of(fresh)
    assert rewritten <= set(result.written), sorted(result.written)
    assert not untouched & set(result.written), sorted(result.written)
    assert untouched <= set(result.kept)
    assert set(result.written) | set(result.kept) == set(files_of(fresh)) - {
        site_build.MARK,
        manifest.MANIFEST,
    }


def test_two_builds_of_the_same_commit_are_identical_and_the_second_writes_nothing(
    repo: GitRepo, tmp_path: Path
) -> None:
    # verifies: REQ-509
    # verifies: REQ-515
    out, other = tmp_path / "out", tmp_path / "other"
    build(repo.root, out)
    again = build(repo.root, out)
    build(repo.root, other)
    assert again.written == () and again.removed == ()
    assert files_of(out) == files_of(other)


def test_nothing_changed_takes_the_fast_path(
    repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # verifies: REQ-604
    # verifies: REQ-526
    monkeypatch.setattr(manifest, "RACY_NS", 0)  # the files were written a moment ago
    out = tmp_path / "out"
    first = build(repo.root, out)

    def no_load(*args: object, **kwargs: object) -> None:
        raise AssertionError("the fast path loaded the repository")

    monkeypatch.setattr(site_build, "_load_model", no_load)  # what every load goes through
    again = build(repo.root, out)
    assert again.written == () and set(again.kept) == set(first.written)
    # A page changed behind the build's back is not what the manifest says: rebuilt.
    page = out / PAGE.format("CRM-1")
    page.write_bytes(page.read_bytes() + b"<!-- edited -->")
    monkeypatch.undo()
    repaired = build(repo.root, out)
    assert repaired.written == (PAGE.format("CRM-1"),)
    assert b"edited" not in page.read_bytes()


def test_a_build_just_after_an_edit_keeps_what_it_wrote(
    repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file edited a moment ago gives no quick key (its stats could still change within the
    same tick), yet the build keeps the stats of its output: the next build does not read back
    every page to learn whether it is as the manifest says, and takes no fast path either."""
    # verifies: REQ-526
    # verifies: REQ-604
    out = tmp_path / "out"
    build(repo.root, out)
    change_body(repo)  # just now: racy
    first = build(repo.root, out)
    state = manifest.read_state(load_config(repo.root), out)
    assert state is not None and state.quick == ""
    assert set(state.outputs) >= {*first.written, *first.kept}
    read: list[Path] = []
    real = Path.read_bytes

    def reading(self: Path) -> bytes:
        if out in self.parents and not self.name.startswith(".reqforge"):  # not the manifest
            read.append(self)
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", reading)
    again = build(repo.root, out)  # still racy: no fast path, but every page known by its stats
    assert again.written == () and read == []


def test_a_change_that_shows_no_body_renders_none(
    repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # verifies: REQ-515
    out = tmp_path / "out"
    build(repo.root, out)
    add_tag(repo)  # rewrites the baselines and the change log: no page with a body

    def no_bodies(*args: object) -> None:
        raise AssertionError("bodies rendered for pages that show none")

    monkeypatch.setattr(pages, "rendered_bodies", no_bodies)
    result = build(repo.root, out)
    assert "baselines/index.html" in result.written
    assert not any(rel.startswith(("requirements/", "areas/")) for rel in result.written)
    change_body(repo)  # the page of CRM-1 and its area's document show the body
    monkeypatch.undo()
    again = build(repo.root, out)
    assert PAGE.format("CRM-1") in again.written


def test_a_small_rebuild_renders_the_bodies_of_the_pages_it_writes_only(
    repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A status edit rewrites the page of CRM-1 and its area's document (CRM-1 and CRM-2):
    their bodies are taken from the markdown cache, no other body is read or looked at."""
    # verifies: REQ-515
    # verifies: REQ-605
    out = tmp_path / "out"
    build(repo.root, out)
    asked: list[tuple[list[str], bool]] = []
    real = pages.rendered_bodies

    def noting(bodies: dict[str, str], store: object, every: bool = True) -> dict[str, str]:
        asked.append((sorted(bodies), every))
        return real(bodies, store, every)  # type: ignore[arg-type]

    monkeypatch.setattr(pages, "rendered_bodies", noting)
    from reqforge import loader

    read: list[bytes] = []  # the bodies read from the files (in this process)
    real_body = loader._body
    monkeypatch.setattr(loader, "_body", lambda raw: read.append(raw) or real_body(raw))
    change_status(repo)
    result = build(repo.root, out)
    assert {PAGE.format("CRM-1"), "areas/billing.html"} <= set(result.written)
    assert asked == [(["reqs/billing/CRM-1.md", "reqs/billing/CRM-2.md"], False)]
    # CRM-1 was parsed by this run (its body kept); of the others only CRM-2's body is shown
    assert [raw.split(b"\n", 2)[1] for raw in read] == [b"id: CRM-2"]


def test_a_file_reqforge_did_not_write_stays_and_a_stale_one_goes(
    repo: GitRepo, tmp_path: Path
) -> None:
    # verifies: REQ-526
    out = tmp_path / "out"
    build(repo.root, out)
    (out / "mine.txt").write_text("mine", encoding="utf-8")
    (repo.root / "reqs/ops/CRM-4.md").unlink()  # not committed: no tombstone, the page goes
    result = build(repo.root, out)
    # and the previous build's search index and matrix data (named by their content)
    assert PAGE.format("CRM-4") in result.removed
    assert all(
        rel.startswith(("static/search-index.", "static/matrix-data."))
        for rel in set(result.removed) - {PAGE.format("CRM-4")}
    )
    assert not (out / PAGE.format("CRM-4")).exists()
    assert (out / "mine.txt").read_text(encoding="utf-8") == "mine"


def test_a_changed_template_renders_every_page_that_uses_it(repo: GitRepo, tmp_path: Path) -> None:
    # verifies: REQ-515
    out = tmp_path / "out"
    build(repo.root, out)
    (repo.root / "templates").mkdir()
    (repo.root / "templates/backlog.html").write_text(
        '{% extends "base.html" %}{% block title %}Ours{% endblock %}'
        "{% block content %}<p>{{ rows | length }} rows</p>{% endblock %}",
        encoding="utf-8",
    )
    result = build(repo.root, out)
    assert "backlog.html" in result.written
    assert "<p>5 rows</p>" in (out / "backlog.html").read_text(encoding="utf-8")


def test_tombstone_of_a_deleted_requirement(repo: GitRepo, tmp_path: Path) -> None:
    # verifies: REQ-527
    delete_requirement(repo)
    out = tmp_path / "out"
    build(repo.root, out)
    page = (out / PAGE.format("CRM-4")).read_text(encoding="utf-8")
    assert "This requirement was retired" in page
    assert "Retire CRM-4 (#8)" in page  # the commit that retired it, with its PR
    assert "#8" in page
    assert "Export ledger CRM-4 as CSV" in page  # its last title
    assert "The team re-keys ledger CRM-4 by hand" in page  # its last body, from git
    assert page.count("<li>\n<p><time") == 2  # its whole history: added, deleted
    changelog = (out / "changelog.html").read_text(encoding="utf-8")
    assert 'href="requirements/CRM-4.html"' in changelog and "Retired requirements" in changelog


def test_renamed_id_leaves_a_page_that_links_to_the_new_one(repo: GitRepo, tmp_path: Path) -> None:
    # verifies: REQ-527
    rename_id(repo)
    out = tmp_path / "out"
    build(repo.root, out)
    page = (out / PAGE.format("CRM-5")).read_text(encoding="utf-8")
    assert "This requirement was renamed" in page
    assert 'href="../requirements/CRM-50.html">CRM-50</a>' in page
    assert "Renumber CRM-5 as CRM-50 (#9)" in page
    new = (out / PAGE.format("CRM-50")).read_text(encoding="utf-8")
    assert "Audit trail" in new and "Renumber CRM-5 as CRM-50" in new


def test_an_id_renamed_then_deleted_leads_to_the_tombstone_of_the_new_id(
    repo: GitRepo, tmp_path: Path
) -> None:
    # verifies: REQ-527
    rename_id(repo)
    (repo.root / "reqs/ops/CRM-50.md").unlink()
    repo.commit("Retire CRM-50")
    out = tmp_path / "out"
    build(repo.root, out)
    old = (out / PAGE.format("CRM-5")).read_text(encoding="utf-8")
    assert 'href="../requirements/CRM-50.html">CRM-50</a>' in old
    new = (out / PAGE.format("CRM-50")).read_text(encoding="utf-8")
    assert "This requirement was retired" in new and "Retire CRM-50" in new


def test_a_moved_file_keeps_its_page(repo: GitRepo, tmp_path: Path) -> None:
    # verifies: REQ-527
    move_file(repo)
    out = tmp_path / "out"
    build(repo.root, out)
    page = (out / PAGE.format("CRM-5")).read_text(encoding="utf-8")
    assert "reqs/billing/CRM-5.md" in page and "This requirement was" not in page


def test_the_command_says_what_it_rewrote_left_and_removed(repo: GitRepo, tmp_path: Path) -> None:
    # verifies: REQ-526
    out = tmp_path / "out"
    env = {"REQFORGE_TODAY": TODAY.isoformat(), "NO_COLOR": "1"}
    args = ["--repo", str(repo.root), "build", "-o", str(out)]
    first = CliRunner().invoke(cli, args, env=env)
    assert first.exit_code == 0 and "0 left as they were, 0 removed" in first.stderr
    change_body(repo)
    (repo.root / "reqs/ops/CRM-4.md").unlink()
    second = CliRunner().invoke(cli, args, env=env)
    assert second.exit_code == 0, second.output

    def count(text: str) -> int:
        return int(text.split(" files written")[0].split()[-1])

    # CRM-4's page, the old search index and matrix data removed; the pages CRM-4 was on and
    # CRM-1's rewritten
    assert 0 < count(second.stderr) < count(first.stderr)
    assert "3 removed" in second.stderr


def test_a_clone_elsewhere_builds_the_same_bytes_manifest_included(
    repo: GitRepo, tmp_path: Path
) -> None:
    # verifies: REQ-509
    clone = tmp_path / "elsewhere" / "clone"
    repo.git("clone", "-q", str(repo.root), str(clone))
    one, two = tmp_path / "one", tmp_path / "two"
    build(repo.root, one)
    build(clone, two)
    assert files_of(one) == files_of(two)


def test_a_changed_title_rewrites_the_pages_that_show_it_and_no_other(
    make_repo: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A title shows on the pages of what links to it, of what it links to, and of everything
    its links lead to through others ("what breaks if this changes"); page keys leave titles
    out, so the manifest's titles say which pages to render again. A page elsewhere in the
    same linked part stays as it was, and every page equals a fresh build's."""
    # verifies: REQ-515
    # verifies: REQ-605
    monkeypatch.setattr(manifest, "RACY_NS", 0)
    files = {
        "reqs/a/CRM-1.md": requirement_text("CRM-1", title="Leaf", links="{parent: [CRM-2]}"),
        "reqs/a/CRM-2.md": requirement_text("CRM-2", title="Middle", links="{parent: [CRM-3]}"),
        "reqs/a/CRM-3.md": requirement_text("CRM-3", title="Root"),
        "reqs/b/CRM-4.md": requirement_text("CRM-4", title="Aside", links="{depends-on: [CRM-3]}"),
        "reqs/b/CRM-5.md": requirement_text("CRM-5", title="Alone"),
    }
    root = make_repo(files)
    GitRepo(root, tmp_path / "home").commit("first")
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    build(root, out)
    path = root / "reqs/a/CRM-1.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Leaf", "Renamed leaf"), "utf-8")
    result = build(root, out)
    build(root, fresh)
    assert files_of(out) == files_of(fresh)
    pages_written = {rel for rel in result.written if rel.startswith("requirements/")}
    # CRM-3 shows CRM-1 only in its impact list (through CRM-2)
    assert pages_written == {PAGE.format(n) for n in ("CRM-1", "CRM-2", "CRM-3")}
    assert "areas/b.html" not in result.written and "areas/a.html" in result.written
    assert "Renamed leaf" in (out / PAGE.format("CRM-3")).read_text(encoding="utf-8")


def test_a_front_matter_edit_renders_the_early_pages_in_the_background(
    repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When a front matter changed (the catalogue's cached parts no longer fit), the matrix,
    backlog and search index are rendered in the background while the build checks and plans,
    as on a first build; a body edit, which changes none of them, starts no such job. Either
    way the site equals a fresh build."""
    # verifies: REQ-603
    # verifies: REQ-605
    from reqforge import parallel

    if not parallel.can_fork() or parallel.cpu_count() < 2:
        pytest.skip("needs fork and two cores")
    started: list[str] = []
    real = site_build.Background

    def recording(func: Callable[[], object], answer: bool = False) -> parallel.Background:
        started.append(getattr(getattr(func, "func", func), "__name__", ""))
        return real(func, answer)

    out, fresh = tmp_path / "out", tmp_path / "fresh"
    build(repo.root, out)
    monkeypatch.setattr(site_build, "Background", recording)
    change_body(repo)
    build(repo.root, out)
    assert "render_sketch" not in started
    change_status(repo)
    build(repo.root, out)
    assert "render_sketch" in started
    monkeypatch.undo()
    build(repo.root, fresh)
    assert files_of(out) == files_of(fresh)


def test_a_status_edit_prints_one_row_of_each_shared_table(
    repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The backlog's, the matrix's and the customers page's rows and requirements.json's lines
    are kept between builds under a digest of what each shows: a status edit prints the
    edited requirement's row again and takes the others as they were (and the history's
    outlines and status facts, by HEAD, all), and the pages still equal a build that kept
    nothing."""
    # verifies: REQ-515
    # verifies: REQ-605
    from reqforge.site import kept_rows

    made = tmp_path / "made.txt"  # the rows may be printed in a forked worker: noted in a file
    real_save = kept_rows.KeptRows.save

    def noting(self: kept_rows.KeptRows[object]) -> None:
        with made.open("a", encoding="utf-8") as file:
            file.write(f"{self.name} {self.made} {len(self.current)}\n")
        real_save(self)

    monkeypatch.setattr(kept_rows.KeptRows, "save", noting)
    change_customers(repo)
    for rel in ("reqs/billing/CRM-1.md", "reqs/billing/CRM-2.md"):  # both asked by Acme
        edit(repo, rel, "owner: zhang.wei", "owner: zhang.wei\nsource: {customers: [acme]}")
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    build(repo.root, out)
    assert sorted(made.read_text().split("\n")[:-1]) == [
        "rows-backlog 5 5",
        "rows-customers 2 2",
        "rows-matrix 5 5",
        "rows-outlines 5 5",
        "rows-requirements-json 5 5",
        "rows-status-facts 5 5",
    ]
    made.unlink()
    change_status(repo)
    build(repo.root, out)
    assert sorted(made.read_text().split("\n")[:-1]) == [
        "rows-backlog 1 5",
        "rows-customers 1 2",
        "rows-matrix 1 5",
        "rows-outlines 0 5",  # the history is the same: kept whole
        "rows-requirements-json 1 5",
        "rows-status-facts 0 5",
    ]
    shutil.rmtree(repo.root / ".reqforge")  # nothing kept: every row printed afresh
    build(repo.root, fresh)
    assert files_of(out) == files_of(fresh)


def test_history_outlines_are_kept_for_the_same_head(
    repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page keys read each requirement's history in outline: kept by HEAD, so a status
    edit outlines none for the keys, a new commit every requirement at the new HEAD."""
    # verifies: REQ-515
    # verifies: REQ-605
    from reqforge.history.model import History

    outlined: list[str] = []
    real = History.outline

    def noting(self: History, rid: str) -> list[object]:
        outlined.append(rid)
        return real(self, rid)  # type: ignore[return-value]

    monkeypatch.setattr(History, "outline", noting)
    out = tmp_path / "out"
    every = {f"CRM-{n}" for n in range(1, 6)}
    build(repo.root, out)
    assert set(outlined) == every
    outlined.clear()
    change_status(repo)
    build(repo.root, out)
    # at most for its line of requirements.json, made again (perhaps in a forked worker)
    assert set(outlined) <= {"CRM-1"}
    outlined.clear()
    repo.commit("Accept CRM-1 (#7)")
    build(repo.root, out)
    assert set(outlined) == every


def test_the_dashboards_status_facts_are_kept_for_the_same_head(
    repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dashboard's lead and response times read each requirement's status facts from its
    history: kept by HEAD, so a status edit reads none again, a new commit all again; the
    dashboard always equals a build that kept nothing."""
    # verifies: REQ-501
    # verifies: REQ-605
    made = tmp_path / "facts.txt"  # the dashboard may be rendered in a forked worker
    real = pages.status_facts

    def noting(history: object, rid: str) -> object:
        with made.open("a", encoding="utf-8") as file:
            file.write(rid + "\n")
        return real(history, rid)

    monkeypatch.setattr(pages, "status_facts", noting)
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    build(repo.root, out)
    assert sorted(made.read_text().split()) == [f"CRM-{n}" for n in range(1, 6)]
    made.unlink()
    change_status(repo)
    assert "index.html" in build(repo.root, out).written
    assert not made.exists()
    repo.commit("Accept CRM-1 (#7)")
    build(repo.root, out)
    assert sorted(made.read_text().split()) == [f"CRM-{n}" for n in range(1, 6)]
    shutil.rmtree(repo.root / ".reqforge")
    build(repo.root, fresh)
    assert (out / "index.html").read_bytes() == (fresh / "index.html").read_bytes()
