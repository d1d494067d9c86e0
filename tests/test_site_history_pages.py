"""The site's history pages on a real git repository with two tags: the change log, the
baselines (consecutive tags and the latest tag against HEAD) and the customers page."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import requirement_text
from tests.gitrepo import GitRepo
from tests.test_site_build import broken_links, invoke, site_files, with_status

from reqforge.site.releases import file_safe

CUSTOMERS = """\
acme:
  name: Acme Logistics
  industry: logistics
  tier: A
  contact: {email: buyer@acme.example, phone: "+86 10 5555 0100"}
zenith:
  name: Zenith Bank
  industry: banking
  tier: C
  contact: {email: cio@zenith.example}
"""


def tagged_repo(make_repo: Callable[..., Path], tmp_path: Path) -> tuple[Path, GitRepo]:
    """v1.0: CRM-1 and CRM-2; v2.0: CRM-1 accepted (PR #7), CRM-3 added; then, untagged:
    CRM-2 removed. CRM-1 and CRM-3 name the customer acme; CRM-3 is done."""
    root = make_repo(
        {
            "reqs/customers.yaml": CUSTOMERS,
            "reqs/a/CRM-1.md": requirement_text("CRM-1", source="{customers: [acme]}"),
            "reqs/a/CRM-2.md": requirement_text("CRM-2"),
        },
        config='[site]\ntitle = "Acme"\n',
    )
    repo = GitRepo(root, tmp_path / "home")
    repo.commit("Start the requirements")
    repo.git("tag", "v1.0")
    repo.write(
        "reqs/a/CRM-1.md",
        with_status(requirement_text("CRM-1", source="{customers: [acme]}"), "accepted"),
    )
    repo.write(
        "reqs/b/CRM-3.md",
        with_status(requirement_text("CRM-3", source="{customers: [acme]}"), "done"),
    )
    repo.commit("Accept CRM-1, add CRM-3 (#7)")
    repo.git("tag", "-a", "-m", "second release", "v2.0")
    (root / "reqs/a/CRM-2.md").unlink()
    repo.commit("Drop CRM-2")
    repo.git("remote", "add", "origin", "git@github.com:acme/reqs.git")
    return root, repo


def build(root: Path, out: Path) -> None:
    result = invoke(root, "build", "-o", str(out))
    assert result.exit_code == 0, result.output


def built_tagged_site(make_repo: Callable[..., Path], tmp_path: Path) -> tuple[Path, GitRepo]:
    """The site of `tagged_repo`, in tmp_path/out."""
    root, repo = tagged_repo(make_repo, tmp_path)
    build(root, tmp_path / "out")
    return tmp_path / "out", repo


def text(out: Path, rel: str) -> str:
    return (out / rel).read_text(encoding="utf-8")


def test_change_log_lists_commits_newest_first_under_their_tags(
    make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    # verifies: REQ-505
    out, repo = built_tagged_site(make_repo, tmp_path)
    page = text(out, "changelog.html")
    # Newest first, each commit under the tag that first contains it.
    order = [
        page.index("Not tagged yet"),
        page.index("Drop CRM-2"),
        page.index("Tag v2.0"),
        page.index("Accept CRM-1, add CRM-3"),
        page.index("Tag v1.0"),
        page.index("Start the requirements"),
    ]
    assert order == sorted(order)
    assert '<h3><time datetime="2026-10-01">2026-10-01</time></h3>' in page
    sha = repo.git("rev-parse", "v2.0^{commit}")
    assert f'href="https://github.com/acme/reqs/commit/{sha}"' in page
    assert 'href="https://github.com/acme/reqs/pull/7"' in page
    assert 'href="requirements/CRM-1.html"' in page  # a requirement still there is linked
    assert "<td>proposed</td><td>accepted</td>" in page  # the field change, old -> new
    assert "Zhang Wei" in page
    # A removed requirement is named in its commit; its page is a tombstone now (REQ-527),
    # linked once, from the list of retired requirements.
    assert "CRM-2 · deleted" in " ".join(page.split()).replace("</li>", "")
    retired = page.split('id="retired-heading"', 1)[1]
    assert page.count('href="requirements/CRM-2.html"') == 1
    assert 'href="requirements/CRM-2.html"' in retired
    assert 'aria-current="page">Change log<' in page
    assert not broken_links(out)


def test_change_log_shows_the_newest_commits_and_counts_the_rest(
    make_repo: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # verifies: REQ-505
    monkeypatch.setattr("reqforge.site.changelog.CHANGELOG_LIMIT", 2)
    out, _repo = built_tagged_site(make_repo, tmp_path)
    page = text(out, "changelog.html")
    assert "Drop CRM-2" in page and "Accept CRM-1" in page
    assert "Start the requirements" not in page
    assert "The newest 2 commits are shown; 1 older ones are on each requirement" in page


def test_baselines_compare_consecutive_tags_and_the_latest_tag_with_head(
    make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    # verifies: REQ-505
    out, _repo = built_tagged_site(make_repo, tmp_path)
    index = text(out, "baselines/index.html")
    assert 'href="../baselines/v1.0..v2.0.html"' in index
    assert 'href="../baselines/v2.0..HEAD.html"' in index
    assert index.index("v2.0</th>") < index.index("v1.0</th>")  # tags newest first
    release = text(out, "baselines/v1.0..v2.0.html")
    added = release[release.index('id="added-heading"') : release.index('id="removed-heading"')]
    assert 'href="../requirements/CRM-3.html"' in added and "reqs/b/CRM-3.md" in added
    modified = release[release.index('id="modified-heading"') :]
    assert 'href="../requirements/CRM-1.html"' in modified
    assert '<th scope="row">status</th><td>proposed</td><td>accepted</td>' in modified
    assert "CRM-2" not in release
    since = text(out, "baselines/v2.0..HEAD.html")
    removed = since[since.index('id="removed-heading"') : since.index('id="modified-heading"')]
    assert "CRM-2" in removed and 'href="../requirements/CRM-2.html"' not in removed
    assert not broken_links(out)


def test_baselines_parse_each_release_version_once(
    make_repo: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # verifies: REQ-505
    # The versions the baselines compare are parsed once per clone (the `release-blobs`
    # cache): a rebuild that has to load the model again parses none of them.
    import reqforge.loader

    out, _repo = built_tagged_site(make_repo, tmp_path)
    first = text(out, "baselines/v1.0..v2.0.html")
    parsed: list[str] = []
    real = reqforge.loader.parse_front_matter

    def counting(front: str) -> object:
        parsed.append(front)
        return real(front)

    monkeypatch.setattr(reqforge.loader, "parse_front_matter", counting)
    root = tmp_path / "repo"
    (root / "reqs/a/CRM-1.md").write_text(
        (root / "reqs/a/CRM-1.md").read_text(encoding="utf-8") + "\nOne more line.\n",
        encoding="utf-8",
    )
    build(root, tmp_path / "out")
    assert len(parsed) == 1 and "id: CRM-1" in parsed[0]  # the edited file, nothing else
    assert text(out, "baselines/v1.0..v2.0.html") == first


def test_a_rebuild_compares_only_the_baselines_a_commit_moved(
    make_repo: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # verifies: REQ-505
    # Baselines are kept by the two commits they compare: an edit compares none again, a
    # commit only the latest tag against the new HEAD; the pages stay as a fresh build has them.
    import reqforge.changeset
    from reqforge import parallel

    monkeypatch.setattr(parallel, "cpu_count", lambda: 1)  # compared in this process
    out, repo = built_tagged_site(make_repo, tmp_path)
    compared: list[tuple[str, ...]] = []
    real = reqforge.changeset.compare

    def counting(base: Any, head: Any, *args: Any, **kwargs: Any) -> Any:
        compared.append(tuple(sorted(head)))
        return real(base, head, *args, **kwargs)

    monkeypatch.setattr(reqforge.changeset, "compare", counting)
    root = tmp_path / "repo"
    edited = (root / "reqs/a/CRM-1.md").read_text(encoding="utf-8") + "\nOne more line.\n"
    (root / "reqs/a/CRM-1.md").write_text(edited, encoding="utf-8")
    build(root, out)
    assert compared == []
    repo.commit("Describe CRM-1 better")
    build(root, out)
    assert compared == [("reqs/a/CRM-1.md",)]  # v2.0..HEAD: the one file it changed
    fresh = tmp_path / "fresh"
    shutil.copytree(root, fresh, ignore=shutil.ignore_patterns(".reqforge"))
    build(fresh, tmp_path / "fresh-out")
    for page in ("baselines/index.html", "baselines/v1.0..v2.0.html", "baselines/v2.0..HEAD.html"):
        assert text(out, page) == text(tmp_path / "fresh-out", page)


def test_baselines_say_why_there_are_none(make_repo: Callable[..., Path], tmp_path: Path) -> None:
    # verifies: REQ-505
    root = make_repo({"reqs/a/CRM-1.md": requirement_text("CRM-1")})
    out = tmp_path / "out"
    build(root, out)  # not a git repository
    assert "not in a git repository" in text(out, "baselines/index.html")
    assert "not in a git repository" in text(out, "changelog.html")
    GitRepo(root, tmp_path / "home").commit("first")
    build(root, out)
    assert "the repository has no tags" in text(out, "baselines/index.html")
    assert [rel for rel in site_files(out) if rel.startswith("baselines/")] == [
        "baselines/index.html"
    ]


def test_customers_page_without_contact_fields(
    make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    # verifies: REQ-506
    out, _repo = built_tagged_site(make_repo, tmp_path)
    page = text(out, "customers.html")
    acme = page[page.index("Acme Logistics") : page.index("Zenith Bank")]
    assert "logistics" in acme and "<dd>A</dd>" in acme
    assert "50.0 %" in acme  # CRM-3 done, CRM-1 accepted
    assert 'href="requirements/CRM-1.html"' in acme and 'href="requirements/CRM-3.html"' in acme
    assert "<td>accepted</td>" in acme and "<td>done</td>" in acme
    zenith = page[page.index("Zenith Bank") :]
    assert "No requirement names this customer yet." in zenith
    for secret in ("buyer@acme.example", "5555", "cio@zenith.example", "contact"):
        assert secret not in page


def test_history_pages_are_byte_identical_across_builds(
    make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    # verifies: REQ-505
    # verifies: REQ-506
    root, _repo = tagged_repo(make_repo, tmp_path)
    build(root, tmp_path / "one")
    build(root, tmp_path / "two")
    one, two = site_files(tmp_path / "one"), site_files(tmp_path / "two")
    assert one == two
    assert {"changelog.html", "customers.html", "baselines/v1.0..v2.0.html"} <= set(one)


def test_tag_names_become_distinct_safe_file_names() -> None:
    # verifies: REQ-505
    assert file_safe("v1.0") == "v1.0"
    assert file_safe("release/2026") != file_safe("release_2026")
    assert file_safe("release/2026").startswith("release_2026-")
    assert file_safe("../x") == "_x-" + file_safe("../x").rsplit("-", 1)[1]
    assert "/" not in file_safe("a/b<c>") and "<" not in file_safe("a/b<c>")


def test_dashboard_shows_satisfaction_lead_time_sla_breaches_and_p0_without_whys(
    make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    # verifies: REQ-501
    urgent = requirement_text("CRM-1").replace(
        "importance: low\n  urgency: normal", "importance: high\n  urgency: urgent"
    )
    root = make_repo(
        {
            "reqs/a/CRM-1.md": urgent,
            "reqs/a/CRM-2.md": requirement_text("CRM-2", feedback="{satisfaction: 4}"),
            "reqs/a/CRM-3.md": requirement_text("CRM-3", feedback="{satisfaction: 5}"),
        },
        config='[workflow.sla]\nurgent = "24h"\n',
    )
    repo = GitRepo(root, tmp_path / "home")
    repo.commit("Start")
    repo.write(
        "reqs/a/CRM-2.md",
        with_status(requirement_text("CRM-2", feedback="{satisfaction: 4}"), "done"),
    )
    repo.commit("CRM-2 done")
    out = tmp_path / "out"
    # CRM-1 is P0, has no five whys (RF404, a warning) and waits past its 24 h SLA by then
    assert invoke(root, "build", "-o", str(out), "--today", "2026-12-01").exit_code == 0
    index = text(out, "index.html")
    assert "4.5 / 5" in index and "2 responses" in index  # mean of the two answers
    assert "0.0 / 0.0 days" in index  # CRM-2: created and done a minute apart
    for section in ("sla-heading", "whys-heading"):
        part = index.split(f'id="{section}"')[1].split("</section>")[0]
        assert 'href="requirements/CRM-1.html">CRM-1</a>' in part, section
        assert "CRM-2.html" not in part and "CRM-3.html" not in part, section


def test_dashboard_without_git_says_where_sla_figures_come_from(
    make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    # verifies: REQ-501
    root = make_repo({"reqs/a/CRM-1.md": requirement_text("CRM-1")})
    out = tmp_path / "out"
    assert invoke(root, "build", "-o", str(out)).exit_code == 0
    index = text(out, "index.html")
    assert "built outside git" in index
    assert "Every open P0 and P1 requirement records its root cause." in index
