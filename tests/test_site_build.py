"""`reqforge build`: the pipeline, the dashboard, the backlog and the requirement pages, built
from small repositories through CliRunner and as a real process; safety of the output (inert
hostile data, private fields, --clean) and determinism."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner, Result
from tests.conftest import requirement_text
from tests.gitrepo import GitRepo

from reqforge import parallel
from reqforge.cache import cache_path
from reqforge.cli.main import cli
from reqforge.history import walk
from reqforge.site import plan
from reqforge.site.markdown import MARKDOWN_CACHE, render_markdown
from reqforge.site.pages import forge_url, is_private, permalinks
from reqforge.site.search_index import search

ROOT = Path(__file__).resolve().parent.parent

HOSTILE_TITLE = (
    'Evil <script>alert(1)</script> "quote" </script><img src=x onerror=alert(2)> \u202eexe.txt'
)
HOSTILE_BODY = """\
<script>alert(3)</script>

<img src="x" onerror="alert(4)"> <a href="javascript:alert(5)">click</a>
[link](javascript:alert(6)) <svg onload=alert(7)></svg>
<iframe src="https://example.com"></iframe> <style>body{display:none}</style>

| a | b |
|---|---|
| <b onclick="alert(8)">x</b> | y |
"""


def invoke(root: Path, *args: str) -> Result:
    env = {"REQFORGE_TODAY": "2026-11-01", "NO_COLOR": "1"}
    return CliRunner().invoke(cli, ["--repo", str(root), *args], env=env)


def with_status(text: str, status: str) -> str:
    return text.replace("status: proposed", f"status: {status}", 1)


def small_repo(make_repo: Callable[..., Path], language: str = "en") -> Path:
    files = {
        "reqs/billing/CRM-1.md": requirement_text(
            "CRM-1",
            title="导出客户数据" if language == "zh-CN" else "Export customer data",
            body="Export **all** rows.\n\n- [x] design\n- [ ] build\n",
            due="2026-01-01",
            source="{channel: support-ticket, evidence: SECRET-EVIDENCE-TEXT}",
        ),
        "reqs/billing/CRM-2.md": requirement_text(
            "CRM-2", links="{parent: [CRM-1], depends-on: [CRM-3]}"
        ),
        "reqs/ops/CRM-3.md": with_status(requirement_text("CRM-3"), "done"),
    }
    config = f'[project]\nlanguage = "{language}"\n[site]\ntitle = "Acme"\n'
    return make_repo(files, config=config)


class _Page(HTMLParser):
    """What the safety and link tests look at: script contents, event handlers, URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.script_data: list[str] = []
        self.handlers: list[str] = []
        self.urls: list[str] = []
        self.tags: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._in_script = tag == "script"
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append(f"{tag} {name}")
            if name in ("href", "src", "action", "formaction") and value is not None:
                self.urls.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.script_data.append(data)


def parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def site_files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def broken_links(folder: Path) -> list[str]:
    """Every relative href/src of every page whose target file does not exist."""
    broken = []
    for page in sorted(folder.rglob("*.html")):
        for url in parse(page).urls:
            parts = urlsplit(url)
            if parts.scheme or url.startswith("#") or not parts.path:
                continue
            target = (page.parent / unquote(parts.path)).resolve()
            if not target.is_file():
                broken.append(f"{page.relative_to(folder)} -> {url}")
    return broken


def test_build_writes_dashboard_backlog_and_requirement_pages(
    make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    # verifies: REQ-500
    # verifies: REQ-503
    root = small_repo(make_repo)
    out = tmp_path / "out"
    result = invoke(root, "build", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "files written" in result.stderr
    assert {"index.html", "backlog.html", "requirements/CRM-1.html", ".reqforge-site"} <= set(
        site_files(out)
    )
    page = (out / "requirements/CRM-2.html").read_text(encoding="utf-8")
    assert "Export ledger CRM-2 as CSV" in page
    assert 'href="../requirements/CRM-1.html"' in page  # parent, linked
    assert "When the user exports 100 rows" in page  # acceptance criteria
    assert "zhang.wei" in page and "priority.moscow" in page
    parent = (out / "requirements/CRM-1.html").read_text(encoding="utf-8")
    assert "children" in parent and 'href="../requirements/CRM-2.html"' in parent
    assert "<strong>all</strong>" in parent  # the body, rendered
    assert 'type="checkbox"' in parent  # task list
    assert "SECRET-EVIDENCE-TEXT" not in parent  # site.private_fields: source.evidence
    assert "source.channel" in parent
    # What a change to CRM-3 reaches: CRM-2 depends on it.
    impact = (out / "requirements/CRM-3.html").read_text(encoding="utf-8")
    assert 'href="../requirements/CRM-2.html"' in impact
    assert not broken_links(out)


def test_dashboard_counts_and_overdue(make_repo: Callable[..., Path], tmp_path: Path) -> None:
    # verifies: REQ-501
    root = small_repo(make_repo)
    out = tmp_path / "out"
    assert invoke(root, "build", "-o", str(out)).exit_code == 0
    index = (out / "index.html").read_text(encoding="utf-8")
    # the counts in the status chart's table (the fallback for screen readers)
    assert '<th scope="row">proposed</th><td>2</td>' in index
    assert '<th scope="row">done</th><td>1</td>' in index
    assert "33.3 %" in index  # fulfilment: 1 done of 3
    assert 'href="requirements/CRM-1.html">CRM-1</a>' in index  # overdue since 2026-01-01


def test_backlog_is_the_ranking_of_prioritize_with_links(
    make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    # verifies: REQ-502
    root = small_repo(make_repo)
    out = tmp_path / "out"
    assert invoke(root, "build", "-o", str(out)).exit_code == 0
    backlog = (out / "backlog.html").read_text(encoding="utf-8")
    ranked = invoke(root, "prioritize", "--format", "json")
    import json

    order = [item["id"] for item in json.loads(ranked.stdout)["items"]]
    positions = [backlog.index(f'href="requirements/{rid}.html"') for rid in order]
    assert positions == sorted(positions) and order == ["CRM-1", "CRM-2"]  # CRM-3 is done
    assert "<table" in backlog and "RICE" in backlog and "P-level" in backlog


def test_chinese_build_as_a_process(make_repo: Callable[..., Path], tmp_path: Path) -> None:
    # verifies: REQ-508
    root = small_repo(make_repo, "zh-CN")
    out = tmp_path / "站点"
    env = {k: v for k, v in os.environ.items() if k != "REQFORGE_LANG"}
    proc = subprocess.run(
        [sys.executable, "-m", "reqforge", "--repo", str(root), "build", "-o", str(out)],
        capture_output=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    assert "已写入" in proc.stderr.decode("utf-8")
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in index and "仪表盘" in index and "跳到正文" in index
    assert "导出客户数据" in (out / "requirements/CRM-1.html").read_text(encoding="utf-8")


def test_hostile_requirement_renders_inert(make_repo: Callable[..., Path], tmp_path: Path) -> None:
    # verifies: REQ-510
    def quoted(value: str) -> str:  # a YAML single-quoted scalar
        return "'" + value.replace("'", "''") + "'"

    text = requirement_text("CRM-9", title="placeholder", body=HOSTILE_BODY)
    text = text.replace("title: placeholder", "title: " + quoted(HOSTILE_TITLE))
    text = text.replace(
        "owner: zhang.wei",
        "owner: "
        + quoted("<script>alert(9)</script>")
        + "\nteam: "
        + quoted('" onmouseover="alert(10)')
        + "\nnotes: "
        + quoted("</script><script>alert(11)</script>"),
    )
    root = make_repo({"reqs/CRM-9.md": text})
    out = tmp_path / "out"
    result = invoke(root, "build", "-o", str(out))
    assert result.exit_code in (0, 1), result.output
    for page_path in sorted(out.rglob("*.html")):
        page = parse(page_path)
        assert page.script_data == [], page_path
        assert page.handlers == [], page_path
        assert "iframe" not in page.tags and "style" not in page.tags
        assert not any(u.strip().lower().startswith("javascript:") for u in page.urls)
    html = (out / "requirements/CRM-9.html").read_text(encoding="utf-8")
    assert "\u202e" not in html and "\\u202e" in html  # the bidi override shown, not obeyed
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the title, escaped and visible


def test_markdown_is_sanitised() -> None:
    # verifies: REQ-510
    html = render_markdown(HOSTILE_BODY)
    for needle in ("<script", "onerror", "onclick", "onload", '="javascript:', "<iframe", "<style"):
        assert needle not in html
    assert "[link](javascript:alert(6))" in html  # a link markdown-it refused: plain text
    assert "<table>" in html and "<td><b>x</b></td>" in html


def test_markdown_keeps_tables_and_links_but_loads_nothing_remote() -> None:
    # verifies: REQ-500
    # verifies: REQ-510
    html = render_markdown(
        "[spec](https://example.com/spec) [local](../REQ-1.html)\n\n"
        '![tracker](https://tracker.example/pixel.gif) <img src="//cdn.example/x.png">'
        " ![logo](img/logo.png)\n\n```\ncode <b>\n```\n"
    )
    assert 'href="https://example.com/spec"' in html and 'href="../REQ-1.html"' in html
    assert "tracker.example" not in html and "cdn.example" not in html
    shouted = render_markdown('<IMG SRC="https://shout.example/x.png" alt="x">')
    assert "shout.example" not in shouted and "<img" in shouted
    assert 'src="img/logo.png"' in html
    assert "<pre><code>code &lt;b&gt;" in html


def test_two_builds_are_byte_identical(make_repo: Callable[..., Path], tmp_path: Path) -> None:
    # verifies: REQ-509
    root = small_repo(make_repo)
    repo = GitRepo(root, tmp_path / "home")
    repo.commit("first")
    one, two = tmp_path / "one", tmp_path / "two"
    assert invoke(root, "build", "-o", str(one)).exit_code == 0
    assert invoke(root, "build", "-o", str(two)).exit_code == 0
    assert site_files(one) == site_files(two)
    assets = [name for name in site_files(one) if name.startswith("static/")]
    theme = sorted(p.name for p in (ROOT / "templates/static").iterdir())
    theme.append("search-index.js")  # written by the build, fingerprinted like the theme's
    theme.append("matrix-data.js")  # the matrix rows for its filters, likewise
    assert len(assets) == len(theme) and not set(theme) & {a[len("static/") :] for a in assets}
    css = [name for name in assets if name.startswith("static/site.")]
    assert len(css) == 1 and css[0].endswith(".css")  # site.<digest>.css
    assert f'href="{css[0]}"' in (one / "index.html").read_text(encoding="utf-8")


def test_a_history_walked_in_the_background_builds_the_same_site(
    make_repo: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # verifies: REQ-603
    root = small_repo(make_repo)
    repo = GitRepo(root, tmp_path / "home")
    repo.commit("first")
    crm2 = root / "reqs/billing/CRM-2.md"
    crm2.write_text(with_status(crm2.read_text(encoding="utf-8"), "accepted"), encoding="utf-8")
    repo.commit("Accept CRM-2 (#7)")
    inline, background = tmp_path / "inline", tmp_path / "background"
    monkeypatch.setattr(walk, "cpu_count", lambda: 1)  # one core: the build walks it itself
    assert invoke(root, "build", "-o", str(inline)).exit_code == 0
    shutil.rmtree(root / ".reqforge")  # no history cache: a first build
    started: list[object] = []
    real = walk.Background

    def counted(func: Callable[[], object]) -> object:
        started.append(func)
        return real(func)

    monkeypatch.setattr(walk, "cpu_count", lambda: 2)
    monkeypatch.setattr(walk, "Background", counted)
    # The pages that read no findings and no history are rendered while `check` runs.
    taken: list[str] = []
    real_prerendered = plan.prerendered

    def counted_prerendered(job: plan.Job, *args: object) -> plan.Job:
        taken.append(job.name)
        return real_prerendered(job, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(plan, "prerendered", counted_prerendered)
    assert invoke(root, "build", "-o", str(background)).exit_code == 0
    assert len(started) == 1
    assert sorted(taken) == sorted(plan.EARLY)
    assert site_files(background) == site_files(inline)
    assert "Accept CRM-2" in (background / "requirements/CRM-2.html").read_text(encoding="utf-8")


def test_pages_rendered_by_forked_workers_equal_a_serial_build(
    make_repo: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # verifies: REQ-509
    # verifies: REQ-603
    root = small_repo(make_repo)
    GitRepo(root, tmp_path / "home").commit("first")
    serial, forked = tmp_path / "serial", tmp_path / "forked"
    monkeypatch.setattr(parallel, "cpu_count", lambda: 1)
    assert invoke(root, "build", "-o", str(serial)).exit_code == 0
    # Two workers even for three requirements: each writes every other requirement page.
    monkeypatch.setattr(parallel, "cpu_count", lambda: 2)
    monkeypatch.setattr(parallel, "MIN_ITEMS_PER_WORKER", 1)
    forks: list[int] = []
    fork = os.fork

    def counted_fork() -> int:
        pid = fork()
        if pid:
            forks.append(pid)
        return pid

    monkeypatch.setattr(parallel.os, "fork", counted_fork)
    # The serial build left every body in the markdown cache: without it, bodies are rendered.
    cache_path(root, MARKDOWN_CACHE).unlink()
    assert invoke(root, "build", "-o", str(forked)).exit_code == 0
    assert len(forks) == 2  # one worker renders half the bodies, one half the requirement pages
    files = site_files(forked)
    assert files == site_files(serial)
    pages = ["requirements/CRM-1.html", "requirements/CRM-2.html", "requirements/CRM-3.html"]
    assert set(pages) <= set(files)
    assert set(pages) <= set(files[".reqforge-site"].decode("utf-8").splitlines())


def test_history_and_edit_link_from_the_origin_remote(
    make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    # verifies: REQ-503
    root = small_repo(make_repo)
    repo = GitRepo(root, tmp_path / "home")
    repo.commit("first")
    repo.write("reqs/billing/CRM-1.md", with_status(requirement_text("CRM-1"), "accepted"))
    repo.commit("Accept CRM-1 (#42)")
    repo.git("remote", "add", "origin", "git@github.com:acme/reqs.git")
    out = tmp_path / "out"
    assert invoke(root, "build", "-o", str(out)).exit_code == 0
    page = (out / "requirements/CRM-1.html").read_text(encoding="utf-8")
    assert "<td>proposed</td><td>accepted</td>" in page  # the field-level change
    assert 'href="https://github.com/acme/reqs/pull/42"' in page
    assert 'href="https://github.com/acme/reqs/blob/HEAD/reqs/billing/CRM-1.md"' in page


def test_forge_url_drops_credentials_and_refuses_other_schemes() -> None:
    # verifies: REQ-503
    assert forge_url("https://user:tok@gitlab.com/a/b.git") == "https://gitlab.com/a/b"
    assert forge_url("ssh://git@gitea.example/a/b") == "https://gitea.example/a/b"
    assert forge_url("/srv/git/repo.git") is None
    assert forge_url("javascript:alert(1)//x/y") is None


def test_private_fields_match_below_and_with_wildcards() -> None:
    # verifies: REQ-513
    private = ("source.evidence", "customers.*.contact")
    assert is_private("source.evidence", private)
    assert is_private("source.evidence.link", private)
    assert is_private("customers.acme.contact", private)
    assert not is_private("source.channel", private)


def test_a_configured_private_field_is_on_no_page(
    make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    # verifies: REQ-513
    root = small_repo(make_repo)
    (root / "reqforge.toml").write_text('[site]\nprivate_fields = ["owner"]\n', encoding="utf-8")
    out = tmp_path / "out"
    assert invoke(root, "build", "-o", str(out)).exit_code == 0
    for page in sorted(out.rglob("*.html")):
        assert "zhang.wei" not in page.read_text(encoding="utf-8"), page


def test_broken_requirement_is_built_and_build_exits_1(
    make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    # verifies: REQ-500
    root = small_repo(make_repo)
    bad = with_status(requirement_text("CRM-4"), "nonsense")
    (root / "reqs/CRM-4.md").write_text(bad, encoding="utf-8")
    out = tmp_path / "out"
    result = invoke(root, "build", "-o", str(out))
    assert result.exit_code == 1
    assert "CRM-4.md" in result.stdout  # the errors, printed
    assert (out / "requirements/CRM-4.html").is_file()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Requirements with check errors" in index and "CRM-4" in index
    assert "Check errors" in (out / "requirements/CRM-4.html").read_text(encoding="utf-8")


def test_clean_removes_only_what_a_build_wrote(
    make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    # verifies: REQ-500
    root = small_repo(make_repo)
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine", encoding="utf-8")
    refused = invoke(root, "build", "-o", str(out), "--clean")
    assert refused.exit_code == 2 and ".reqforge-site" in refused.stderr
    assert invoke(root, "build", "-o", str(out)).exit_code == 0
    (root / "reqs/billing/CRM-2.md").unlink()  # nothing links to it
    assert (out / "requirements/CRM-2.html").is_file()
    assert invoke(root, "build", "-o", str(out), "--clean").exit_code == 0
    assert not (out / "requirements/CRM-2.html").exists()  # the stale page is gone
    assert (out / "keep.txt").read_text(encoding="utf-8") == "mine"
    assert (out / "requirements/CRM-1.html").is_file()


@pytest.mark.parametrize("where", ["root", "parent"])
def test_output_folder_holding_the_repository_is_refused(
    make_repo: Callable[..., Path], where: str
) -> None:
    # verifies: REQ-500
    root = small_repo(make_repo)
    target = root if where == "root" else root.parent
    result = invoke(root, "build", "-o", str(target), "--clean")
    assert result.exit_code == 2
    assert "may not hold the repository" in result.stderr
    assert (root / "reqs/billing/CRM-1.md").is_file()


def test_user_template_overrides_the_theme_by_name(
    make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    # verifies: REQ-511
    root = small_repo(make_repo)
    (root / "templates").mkdir()
    (root / "templates/backlog.html").write_text(
        '{% extends "base.html" %}{% block title %}Ours{% endblock %}'
        "{% block content %}<p>Our backlog: {{ rows | length }} rows</p>{% endblock %}",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert invoke(root, "build", "-o", str(out)).exit_code == 0
    backlog = (out / "backlog.html").read_text(encoding="utf-8")
    assert "<p>Our backlog: 2 rows</p>" in backlog and "skip-link" in backlog  # base.html kept


def test_override_with_a_syntax_error_names_its_file_and_line(
    make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    # verifies: REQ-511
    root = small_repo(make_repo)
    (root / "templates").mkdir()
    (root / "templates/requirement.html").write_text(
        '{% extends "base.html" %}\n{% block content %}\n{% if %}\n{% endblock %}\n',
        encoding="utf-8",
    )
    result = invoke(root, "build", "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "templates/requirement.html:3: template syntax error" in result.stderr


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("backlog.html", '{% extends "base.html" %}\n{% block content %}\n{{ nothing.here }}\n'
         "{% endblock %}\n", 3),
        ("rows.html", '{% macro backlog_row(row, root) %}\n{{ nothing_here }}{% endmacro %}\n'
         '{% macro matrix_row(row, root) %}{% endmacro %}\n', 2),
    ],
)  # fmt: skip
def test_override_that_fails_while_rendering_names_its_file_and_line(
    make_repo: Callable[..., Path], tmp_path: Path, name: str, text: str, line: int
) -> None:
    """A template that reads what its page does not give it (an override written for another
    version, say) stops the build with the file and line, never an internal error."""
    # verifies: REQ-511
    root = small_repo(make_repo)
    (root / "templates").mkdir()
    (root / "templates" / name).write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = invoke(root, "build", "-o", str(out))
    assert result.exit_code == 1, result.output
    assert f"templates/{name}:{line}: template error: " in result.stderr
    assert "is undefined" in result.stderr and "internal error" not in result.stderr
    proc = subprocess.run(
        [sys.executable, "-m", "reqforge", "build", "-o", str(out)],
        cwd=root, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert f"templates/{name}:{line}: template error: " in proc.stderr


def test_no_template_or_page_goes_through_a_link_out_of_place(
    make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    # verifies: REQ-511
    root = small_repo(make_repo)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "backlog.html").write_text("stolen", encoding="utf-8")
    (root / "templates").mkdir()
    (root / "templates/backlog.html").symlink_to(outside / "backlog.html")
    refused = invoke(root, "build", "-o", str(tmp_path / "out"))
    assert refused.exit_code == 2 and "templates/backlog.html" in refused.stderr
    (root / "templates/backlog.html").unlink()
    out = tmp_path / "out2"
    out.mkdir()
    (out / "requirements").symlink_to(outside, target_is_directory=True)
    refused = invoke(root, "build", "-o", str(out))
    assert refused.exit_code == 2 and "symbolic link" in refused.stderr
    assert sorted(p.name for p in outside.iterdir()) == ["backlog.html"]
    assert [p.name for p in out.iterdir()] == ["requirements"]  # nothing written


def test_our_own_requirements_build_with_no_broken_link(tmp_path: Path) -> None:
    # verifies: REQ-500
    out = tmp_path / "site"
    result = invoke(ROOT, "build", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert len(list((out / "requirements").glob("*.html"))) == len(list(ROOT.glob("reqs/**/*.md")))
    assert not broken_links(out)


def test_dashboard_charts_have_titles_and_table_fallbacks(
    make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    # verifies: REQ-501
    root = small_repo(make_repo)
    path = root / "reqs/billing/CRM-1.md"
    scored = "  moscow: must\n  value: 8\n  cost: 3\n  kano: basic\n"
    path.write_text(path.read_text(encoding="utf-8").replace("  moscow: must\n", scored, 1))
    repo = GitRepo(root, tmp_path / "home")
    repo.commit("first")
    out = tmp_path / "out"
    assert invoke(root, "build", "-o", str(out)).exit_code == 0
    index = (out / "index.html").read_text(encoding="utf-8")
    titles = [
        "Requirements by status",
        "Requirements by type",
        "Requirements by P-level",
        "Requirements by Kano category",
        "Value and cost",
        "Requirements done over time",
        "Lead time by month",
    ]
    for title in titles:
        assert f'-title">{title}</title>' in index, title
        assert f"<caption>{title}</caption>" in index, title  # its table, same figures
    assert index.count("<svg ") == len(titles)
    assert index.count('<div class="rf-visually-hidden"><table class="rf-chart-table">') == 7
    assert '<th scope="row">basic</th><td>1</td>' in index  # Kano counts
    assert '<th scope="row">8</th><td>3</td><td>quick-win</td><td>CRM-1</td>' in index
    # CRM-3 is done since the first commit: one done in total
    assert "<td>1</td><td>1</td></tr></tbody></table>" in index
    # ... done in the commit that added it: this month, a lead time of 0 days
    assert re.search(r'<th scope="row">\d{4}-\d\d</th><td>1</td><td>0.0</td><td>0.0</td>', index)
    css = [p.name for p in (out / "static").iterdir() if p.name.startswith("charts.")]
    assert f'href="static/{css[0]}"' in index


def test_dashboard_chart_words_are_translated(
    make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    # verifies: REQ-501
    # verifies: REQ-511
    root = small_repo(make_repo, language="zh-CN")
    out = tmp_path / "out"
    assert invoke(root, "build", "-o", str(out)).exit_code == 0
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Requirements by status" not in index and "No data" not in index
    assert "<svg " in index and "无数据" in index  # no value or cost: the scatter says so


def test_search_index_is_written_referenced_and_keeps_private_fields_out(
    make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    # verifies: REQ-507
    # verifies: REQ-513
    root = small_repo(make_repo, language="zh-CN")
    config = root / "reqforge.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "[site]\n", '[site]\nprivate_fields = ["body"]\n'
        ),
        encoding="utf-8",
    )
    (root / "reqs/ops/CRM-4.md").write_text(
        requirement_text("CRM-4", body="SECRET-BODY-WORD"), encoding="utf-8"
    )
    one, two = tmp_path / "one", tmp_path / "two"
    assert invoke(root, "build", "-o", str(one)).exit_code == 0
    assert invoke(root, "build", "-o", str(two)).exit_code == 0
    files = site_files(one)
    assert files == site_files(two)
    scripts = [name for name in files if name.startswith("static/search-index.")]
    assert len(scripts) == 1 and scripts[0].endswith(".js")
    text = files[scripts[0]].decode("utf-8")
    assert text.startswith("window.REQFORGE_SEARCH = {") and "SECRET-BODY-WORD" not in text
    index = json.loads(text.removeprefix("window.REQFORGE_SEARCH = ").removesuffix(";\n"))
    assert search(index, "导出") == ["CRM-1"] and search(index, "crm-2")[0] == "CRM-2"
    assert search(index, "secret") == []
    search_page = (one / "search.html").read_text(encoding="utf-8")
    assert f'<script src="{scripts[0]}"></script>' in search_page
    # the search box on every page: a form that opens search.html with the query
    for name in ("index.html", "backlog.html", "search.html", "requirements/CRM-1.html"):
        page = (one / name).read_text(encoding="utf-8")
        root_path = "../" if "/" in name else ""
        assert f'action="{root_path}search.html" method="get"' in page, name
        assert 'name="q"' in page, name
    assert not broken_links(one)


def test_permalink_is_absolute_and_canonical_only_with_an_absolute_base_url(
    make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    # verifies: REQ-503
    assert permalinks("https://reqs.example.com/docs/", "CRM-1") == {
        "permalink": "https://reqs.example.com/docs/requirements/CRM-1.html",
        "canonical": "https://reqs.example.com/docs/requirements/CRM-1.html",
    }
    # a path, the default "/", or something that is no web address: the page's own name
    for base in ("/", "/docs/", "javascript:alert(1)//", "https://a.example/<x>"):
        assert permalinks(base, "CRM 1/2") == {"permalink": "CRM%201%2F2.html", "canonical": None}
    root = small_repo(make_repo)
    config = root / "reqforge.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + 'base_url = "https://reqs.example.com/"\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert invoke(root, "build", "-o", str(out)).exit_code == 0
    page = (out / "requirements" / "CRM-1.html").read_text(encoding="utf-8")
    url = "https://reqs.example.com/requirements/CRM-1.html"
    assert f'<link rel="canonical" href="{url}">' in page
    assert f'<a class="permalink" href="{url}" rel="bookmark">' in page
    assert 'data-copy="CRM-1"' in page and " hidden>" in page  # shown by copy-id.js
    assert "canonical" not in (out / "index.html").read_text(encoding="utf-8")
