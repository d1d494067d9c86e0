"""`reqforge serve`: the server answers with the built site and nothing outside it, the pages
reload after a rebuild, a change to what a build reads rebuilds, a failed rebuild keeps the last
good build, a taken port is one line and exit 2, Ctrl-C stops cleanly."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

from click.testing import CliRunner
from tests.browser import chromium, watch
from tests.conftest import requirement_text
from tests.gitrepo import GitRepo

from reqforge.cli.main import cli
from reqforge.config import load_config
from reqforge.site.serve import EVENTS, RELOAD_SCRIPT, inject_reload, is_loopback
from reqforge.site.watch import WatchPlan, is_relevant, watch_plan

TODAY = "2026-11-01"
WAIT = 30.0  # seconds a rebuild may take on a busy machine


def small_repo(make_repo: Callable[..., Path]) -> Path:
    files = {
        "reqs/billing/CRM-1.md": requirement_text("CRM-1", title="Export customer data"),
        "reqs/billing/CRM-2.md": requirement_text("CRM-2", links="{parent: [CRM-1]}"),
    }
    return make_repo(files, config='[site]\ntitle = "Acme"\n')


def retitle(root: Path, rid: str, title: str) -> None:
    path = next(root.glob(f"reqs/**/{rid}.md"))
    text = path.read_text(encoding="utf-8")
    start = text.index("\ntitle: ") + len("\ntitle: ")
    path.write_text(text[:start] + title + text[text.index("\n", start) :], encoding="utf-8")


@dataclass
class Serving:
    """A `reqforge serve --port 0` process and what it printed."""

    proc: subprocess.Popen[bytes]
    url: str
    stderr: list[str]
    stdout: list[str]  # before the address: the check errors of the first build

    @property
    def port(self) -> int:
        return urlsplit(self.url).port or 0

    def get(self, path: str, host: str | None = None) -> tuple[int, dict[str, str], bytes]:
        """A raw GET of `path` exactly as written (no client-side clean-up of `..`)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.putrequest("GET", path, skip_host=host is not None)
            if host is not None:
                connection.putheader("Host", host)
            connection.endheaders()
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def said(self, text: str) -> bool:
        return self.count(text) > 0

    def count(self, text: str) -> int:
        """How many lines printed on stderr so far hold `text`."""
        return sum(text in line for line in list(self.stderr))


def _reqforge(root: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k != "REQFORGE_LANG"}
    env["REQFORGE_TODAY"] = TODAY
    command = [sys.executable, "-m", "reqforge", "--repo", str(root), "serve", *args]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)


def _collect(stream: IO[bytes], into: list[str]) -> None:
    for raw in stream:
        into.append(raw.decode("utf-8", "replace"))


@contextmanager
def serving(root: Path, output: Path) -> Iterator[Serving]:
    """`reqforge serve` on a free port, as a process (builds run in its main thread, as they
    do for a user); stopped with Ctrl-C afterwards, which must end it cleanly."""
    proc = _reqforge(root, "--port", "0", "-o", str(output))
    assert proc.stdout is not None and proc.stderr is not None
    stdout: list[str] = []
    stderr: list[str] = []
    readers = [
        threading.Thread(target=_collect, args=(stream, lines), daemon=True)
        for stream, lines in ((proc.stdout, stdout), (proc.stderr, stderr))
    ]
    for reader in readers:
        reader.start()
    try:
        address = "Serving the site at "

        def listening_or_ended() -> bool:
            return any(line.startswith(address) for line in stdout) or proc.poll() is not None

        wait_until(listening_or_ended)
        assert stdout and stdout[-1].startswith(address + "http://127.0.0.1:"), (stdout, stderr)
        yield Serving(proc, stdout[-1].split()[4], stderr, stdout[:-1])
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=WAIT) == 0, stderr
        for reader in readers:
            reader.join(timeout=WAIT)
        assert not any("Traceback" in line for line in stderr), stderr
        assert stderr[-1].strip() == "stopped"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


class EventStream:
    """A reader of the server's Server-Sent Events: the build numbers it announces."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
        self.sock.sendall(f"GET {EVENTS} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        self.buffer = b""

    def next_build(self) -> int:
        deadline = time.monotonic() + WAIT
        while True:
            for line in self._lines():
                if line.startswith(b"data: "):
                    return int(line[len(b"data: ") :])
            assert time.monotonic() < deadline, "no build event came"
            chunk = self.sock.recv(4096)
            assert chunk, "the event stream closed"
            self.buffer += chunk

    def _lines(self) -> Iterator[bytes]:
        while b"\n" in self.buffer:
            line, self.buffer = self.buffer.split(b"\n", 1)
            yield line

    def close(self) -> None:
        self.sock.close()


def wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def site_files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# --- pure parts ------------------------------------------------------------------------------


def test_reload_script_goes_before_the_last_body_end() -> None:
    # verifies: REQ-525
    page = b"<html><body><p>x</p><script>var s = '</body>';</script></BODY >\n</html>\n"
    injected = inject_reload(page, 7)
    tag = f'<script src="{RELOAD_SCRIPT}" data-build="7"></script>\n'.encode()
    assert injected == page.replace(b"</BODY >", tag + b"</BODY >")
    assert inject_reload(b"<p>fragment</p>", 7) == b"<p>fragment</p>\n" + tag


def test_loopback_hosts() -> None:
    # verifies: REQ-525
    assert all(is_loopback(h) for h in ("127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "::", "192.168.1.4", "example.com"))


def test_what_counts_as_a_change(make_repo: Callable[..., Path], tmp_path: Path) -> None:
    # verifies: REQ-525
    root = make_repo(
        {"reqs/a/X-1.md": requirement_text("X-1"), "src/a.py": "", "reports/junit.xml": ""},
        config='[trace]\nscan = ["src"]\nresults = ["reports/*.xml"]\n',
    )
    config = load_config(root)
    root = Path(os.path.abspath(root))
    output = root / "site"
    plan = watch_plan(config, output)
    assert set(plan.trees) == {root / "reqs", root / "src", root / "reports"}
    assert root in plan.folders and plan.refs == ()  # not a git repository
    relevant = [
        "reqs/a/X-1.md",
        "reqs/customers.yaml",
        "reqforge.toml",
        "templates",  # made later: watched as a name in the repository's folder
        "reqs",  # removed or replaced as a whole
        "src/a.py",
        "reports/junit.xml",
    ]
    ignored = [
        "site/index.html",  # the output folder
        ".reqforge/cache/x",
        "reqs/a/.X-1.md.swp",
        "reqs/a/X-1.md~",
        "src/__pycache__/a.cpython-311.pyc",
        "README.md",
        "tests/test_a.py",  # not a trace source here
    ]
    assert [p for p in relevant if not is_relevant(plan, root / p)] == []
    assert [p for p in ignored if is_relevant(plan, root / p)] == []
    git = WatchPlan(refs=(root / ".git/refs",), folders=(root / ".git",),
                    files=frozenset({root / ".git/HEAD"}))  # fmt: skip
    assert is_relevant(git, root / ".git/refs/tags/v1")
    assert is_relevant(git, root / ".git/HEAD")
    assert not is_relevant(git, root / ".git/refs/heads/main.lock")
    assert not is_relevant(git, root / ".git/index")


def test_git_head_and_refs_are_watched_also_in_a_linked_worktree(tmp_path: Path) -> None:
    # verifies: REQ-525
    home = tmp_path / "home"
    home.mkdir()
    repo = GitRepo(tmp_path / "main", home)
    repo.write("reqs/X-1.md", requirement_text("X-1"))
    repo.commit("first")
    linked = tmp_path / "linked"
    repo.git("worktree", "add", "-q", "-b", "other", str(linked))
    plan = watch_plan(load_config(linked), linked / "site")
    common = Path(os.path.abspath(tmp_path / "main/.git"))
    assert plan.refs == (common / "refs",)
    assert common / "packed-refs" in plan.files
    assert common / "worktrees/linked/HEAD" in plan.files


# --- the server ------------------------------------------------------------------------------


def test_pages_are_served_with_the_script_the_files_stay_as_build_writes_them(
    make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    # verifies: REQ-525
    root = small_repo(make_repo)
    output = tmp_path / "served"
    with serving(root, output) as site:
        status, headers, body = site.get("/")
        assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
        assert f'<script src="{RELOAD_SCRIPT}" data-build="1"></script>'.encode() in body
        status, _headers, page = site.get("/requirements/CRM-1.html?from=backlog")
        assert status == 200 and b"Export customer data" in page and RELOAD_SCRIPT.encode() in page
        status, headers, script = site.get(RELOAD_SCRIPT)
        assert status == 200 and b"EventSource" in script
        assert headers["Content-Type"].startswith("text/javascript")
        css = next(p for p in (output / "static").iterdir() if p.name.startswith("site."))
        status, _headers, served_css = site.get(f"/static/{css.name}")
        assert status == 200 and served_css == css.read_bytes()
        status, headers, _ = site.get("/baselines")
        assert status == 301 and headers["Location"] == "/baselines/"
        assert site.get("/baselines/")[0] == 200
        assert site.get("//baselines")[1]["Location"] == "/baselines/"  # never to a host
    built = tmp_path / "built"
    result = CliRunner().invoke(
        cli, ["--repo", str(root), "build", "-o", str(built)], env={"REQFORGE_TODAY": TODAY}
    )
    assert result.exit_code == 0, result.output
    assert site_files(output) == site_files(built)  # no script on disk
    assert all(RELOAD_SCRIPT.encode() not in content for content in site_files(output).values())


def test_nothing_outside_the_output_folder_is_served(
    make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    # verifies: REQ-525
    root = small_repo(make_repo)
    output = tmp_path / "out"
    (tmp_path / "secret.txt").write_text("SECRET", encoding="utf-8")
    output.mkdir()
    (output / "link.txt").symlink_to(tmp_path / "secret.txt")
    (output / "linked").symlink_to(tmp_path)
    with serving(root, output) as site:
        for path in [
            "/../secret.txt",
            "/%2e%2e/secret.txt",
            "/%2E%2E%2Fsecret.txt",
            "/requirements/../../secret.txt",
            "/requirements/%2e%2e/%2e%2e/secret.txt",
            "/..%5csecret.txt",
            "/link.txt",
            "/linked/secret.txt",
            "/.reqforge-site",  # hidden: not part of the site
            "/requirements/",  # a folder without index.html: no listing
            "/%00",
            "/%ff",
            "/__reqforge__/other",
        ]:
            status, _headers, body = site.get(path)
            assert status == 404, path
            assert b"SECRET" not in body
        assert site.get("/index.html", host="evil.example:80")[0] == 403  # DNS rebinding
        assert site.get("/index.html", host=f"localhost:{site.port}")[0] == 200


def test_a_changed_requirement_is_rebuilt_and_announced(
    make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    # verifies: REQ-709
    # verifies: REQ-525
    root = small_repo(make_repo)
    output = tmp_path / "out"
    with serving(root, output) as site:
        stream = EventStream(site.port)
        try:
            assert stream.next_build() == 1
            (output / "unrelated.txt").write_text("x", encoding="utf-8")  # the output: ignored
            retitle(root, "CRM-1", "Import customer data")
            assert stream.next_build() == 2
        finally:
            stream.close()
        _status, _headers, page = site.get("/requirements/CRM-1.html")
        assert b"Import customer data" in page and b'data-build="2"' in page
        assert b"Import customer data" in (output / "backlog.html").read_bytes()
        assert site.said("changed: reqs/billing/CRM-1.md; rebuilding")
        assert not site.said("unrelated.txt")


def test_check_errors_are_printed_and_the_site_still_served(
    make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    # verifies: REQ-525
    root = small_repo(make_repo)
    (root / "reqs/billing/CRM-3.md").write_text("---\nid: CRM-3\ntitle: [\n---\n", "utf-8")
    with serving(root, tmp_path / "out") as site:
        assert any("reqs/billing/CRM-3.md" in line for line in site.stdout)
        assert site.get("/index.html")[0] == 200


def test_a_failed_rebuild_keeps_the_last_good_build(
    make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    # verifies: REQ-525
    root = small_repo(make_repo)
    (root / "templates").mkdir()
    output = tmp_path / "out"
    with serving(root, output) as site:
        before = (output / "requirements/CRM-1.html").read_bytes()
        stream = EventStream(site.port)
        try:
            assert stream.next_build() == 1
            (root / "templates/requirement.html").write_text("{% if %}\n", encoding="utf-8")
            wait_until(lambda: site.said("still serving the last good build"))
            assert site.said("templates/requirement.html:1: template syntax error")
            assert site.get("/requirements/CRM-1.html")[2] == inject_reload(before, 1)
            (root / "templates/requirement.html").unlink()
            assert stream.next_build() == 2  # the failed build was never announced
            config = (root / "reqforge.toml").read_text(encoding="utf-8")
            (root / "reqforge.toml").write_text("[site\n", encoding="utf-8")
            wait_until(lambda: site.count("still serving the last good build") == 2)
            assert site.said("reqforge: error: reqforge.toml")
            assert site.get("/index.html")[0] == 200
            (root / "reqforge.toml").write_text(config.replace("Acme", "Acme 2"), "utf-8")
            assert stream.next_build() == 3  # the configuration is read anew
            assert b"Acme 2" in site.get("/index.html")[2]
        finally:
            stream.close()
        assert site.count("still serving the last good build") == 2


def test_a_templates_folder_made_while_serving_is_watched_from_then_on(
    make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    # verifies: REQ-525
    root = small_repo(make_repo)
    output = tmp_path / "out"
    override = '{% extends "base.html" %}{% block content %}<p>MARK-{n}</p>{% endblock %}\n'
    with serving(root, output) as site:
        stream = EventStream(site.port)
        try:
            assert stream.next_build() == 1
            (root / "templates").mkdir()
            (root / "templates/backlog.html").write_text(override.replace("{n}", "1"), "utf-8")
            assert stream.next_build() == 2
            assert b"MARK-1" in site.get("/backlog.html")[2]
            (root / "templates/backlog.html").write_text(override.replace("{n}", "2"), "utf-8")
            assert stream.next_build() == 3
            assert b"MARK-2" in site.get("/backlog.html")[2]
        finally:
            stream.close()


def test_a_commit_and_a_tag_rebuild_the_history_pages(tmp_path: Path) -> None:
    # verifies: REQ-525
    home = tmp_path / "home"
    home.mkdir()
    repo = GitRepo(tmp_path / "repo", home)
    repo.write("reqs/CRM-1.md", requirement_text("CRM-1"))
    repo.commit("first")
    output = tmp_path / "out"
    with serving(repo.root, output) as site:
        stream = EventStream(site.port)
        try:
            assert stream.next_build() == 1
            repo.write("notes.txt", "not read by the build")
            repo.commit("second")  # moves refs/heads/main only
            assert stream.next_build() == 2
            repo.git("tag", "v1")
            assert stream.next_build() == 3
        finally:
            stream.close()
        assert "v1" in (output / "baselines/index.html").read_text(encoding="utf-8")


# --- the command -----------------------------------------------------------------------------


def test_serve_help_lists_its_options() -> None:
    # verifies: REQ-709
    # verifies: REQ-525
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--port", "--host", "--output", "--today", "rebuild"):
        assert option in result.output


def test_a_taken_port_is_one_line_and_exit_2(
    make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    # verifies: REQ-709
    # verifies: REQ-525
    root = small_repo(make_repo)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = _reqforge(root, "--port", str(port), "-o", str(tmp_path / "out"))
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    lines = err.decode().strip().splitlines()
    assert len(lines) == 1 and f"127.0.0.1:{port} is already in use" in lines[0]
    assert "--port" in lines[0] and out == b""


def test_another_host_is_warned_about(make_repo: Callable[..., Path], tmp_path: Path) -> None:
    # verifies: REQ-525
    root = small_repo(make_repo)
    with socket.socket() as taken:  # bound, never listening: nothing is served to the network
        taken.bind(("0.0.0.0", 0))
        port = taken.getsockname()[1]
        result = CliRunner().invoke(
            cli, ["--repo", str(root), "serve", "--host", "0.0.0.0", "--port", str(port)]
        )
    assert result.exit_code == 2
    assert "warning: serving to the network on 0.0.0.0" in result.stderr


# --- in the browser --------------------------------------------------------------------------


def test_an_open_page_reloads_itself_after_a_change(
    make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    # verifies: REQ-525
    root = small_repo(make_repo)
    with serving(root, tmp_path / "out") as site, chromium() as browser:
        page = browser.new_page()
        watched = watch(page)
        page.goto(site.url + "requirements/CRM-1.html")
        assert "Export customer data" in page.title()
        page.evaluate("window.stillTheSamePage = true")
        retitle(root, "CRM-1", "Import customer data")
        page.wait_for_function(
            "document.title.includes('Import customer data')", timeout=WAIT * 1000
        )
        assert page.evaluate("window.stillTheSamePage") is None  # a reload, not a patch
        assert watched.page_errors == [] and watched.dialogs == []
