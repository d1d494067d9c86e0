"""`reqforge serve`: build the site, serve it over HTTP, rebuild on change, reload the page.

* The server is the standard library's `ThreadingHTTPServer` with a handler bound to the output
  folder: it serves the regular files in it and nothing else (no path out of it, through `..`,
  an encoded `%2e%2e` or a symbolic link; no hidden file; no folder listing: a folder is its
  `index.html` or nothing).
* The page reloads itself after a rebuild: every HTML *response* (never the file on disk, which
  stays byte-identical to what `reqforge build` writes) gets one `<script src>` to
  `/__reqforge__/reload.js`, marked with the number of the build it was served from. The script
  listens to `/__reqforge__/events` (Server-Sent Events), which sends the number of the latest
  good build on connecting and again after each rebuild; a number other than the page's means
  a newer build, and the page reloads. An external script from the same origin passes a
  Content-Security-Policy of `script-src 'self'`, which an inline one would not.
* A rebuild that fails (a template syntax error, an unreadable configuration) is reported and
  the last good build stays served: `build_site` raises before it writes anything.
"""

from __future__ import annotations

import errno
import http.server
import io
import ipaddress
import os
import re
import socket
import threading
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol
from urllib.parse import quote, unquote, urlsplit

from reqforge.errors import ReqforgeError
from reqforge.i18n import Text
from reqforge.site.watch import ChangeFeed, WatchPlan, watch_plan

if TYPE_CHECKING:
    import datetime as dt

    from reqforge.config import Config
    from reqforge.render.progress import Progress
    from reqforge.site.build import BuildResult

ENDPOINT = "/__reqforge__/"
EVENTS = ENDPOINT + "events"
RELOAD_SCRIPT = ENDPOINT + "reload.js"
KEEP_ALIVE = 15.0  # seconds between comments on an idle event stream (finds closed tabs)
LOCAL_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})

# The page side of the reload: small, no framework, nothing inline.
RELOAD_JS = b"""\
// reqforge serve: reload this page once a newer build of the site is ready.
(function () {
  "use strict";
  var script = document.currentScript;
  var seen = script && script.getAttribute("data-build");
  if (!seen || !window.EventSource) {
    return;
  }
  var events = new EventSource(new URL("events", script.src).href);
  events.addEventListener("build", function (event) {
    if (event.data !== seen) {
      events.close();
      window.location.reload();
    }
  });
})();
"""

_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)


# implements: REQ-525
def inject_reload(html: bytes, build: int) -> bytes:
    """`html` with the reload script before its last `</body>` (at the end without one)."""
    tag = f'<script src="{RELOAD_SCRIPT}" data-build="{build}"></script>\n'.encode("ascii")
    ends = list(_BODY_END.finditer(html))
    if not ends:
        return html + b"\n" + tag
    at = ends[-1].start()
    return html[:at] + tag + html[at:]


def is_loopback(host: str) -> bool:
    """Whether `host` can be reached only from this machine (`localhost`, `127.0.0.1`, `::1`)."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class BuildSignal:
    """The number of the latest good build, and waiting for the next one (for the event
    streams of open pages)."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self.build = 0
        self.closed = False

    def publish(self) -> int:
        """A new build is on disk: wake every waiting stream; the new number."""
        with self._changed:
            self.build += 1
            self._changed.notify_all()
            return self.build

    def wait_after(self, seen: int, timeout: float) -> int | None:
        """The number of a build newer than `seen`, waiting up to `timeout` seconds for one;
        None when none came or the server is closing."""
        with self._changed:
            self._changed.wait_for(lambda: self.closed or self.build != seen, timeout)
            return None if self.closed or self.build == seen else self.build

    def close(self) -> None:
        with self._changed:
            self.closed = True
            self._changed.notify_all()


# implements: REQ-525
class SiteRequestHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the files of one folder (`directory`), the reload script and the event stream."""

    server_version = "reqforge"
    sys_version = ""

    def __init__(self, *args: Any, directory: str, signal: BuildSignal, **kwargs: Any) -> None:
        self.signal = signal
        self.real_directory = os.path.realpath(directory)
        super().__init__(*args, directory=directory, **kwargs)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: a request log would bury the build messages."""

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path == EVENTS and self._host_allowed():
            self._stream_events()
        else:
            super().do_GET()

    def send_head(self) -> BinaryIO | None:
        """Headers for GET and HEAD, and the body to copy (None: the response is complete)."""
        if not self._host_allowed():
            self.send_error(403, "Host not allowed")
            return None
        path = urlsplit(self.path).path
        if path == RELOAD_SCRIPT:
            return self._respond(RELOAD_JS, "text/javascript; charset=utf-8")
        file = self._file_for(path)
        if file is None:
            self.send_error(404, "Not found")
            return None
        if os.path.isdir(file):
            if not path.endswith("/"):  # as a static host does: baselines -> baselines/
                # Rebuilt from its parts: `//host` would redirect to another site.
                parts = [part for part in unquote(path).split("/") if part]
                self.send_response(301)
                self.send_header("Location", quote("/" + "/".join(parts) + "/"))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            file = os.path.join(file, "index.html")
            if not os.path.isfile(file):
                self.send_error(404, "Not found")
                return None
        try:
            with open(file, "rb") as handle:
                content = handle.read()
        except OSError:
            self.send_error(404, "Not found")
            return None
        if file.endswith((".html", ".htm")):
            content = inject_reload(content, self.signal.build)
        return self._respond(content, self.guess_type(file))

    def _file_for(self, url_path: str) -> str | None:
        """The real path of the file or folder a URL path names inside the served folder, or
        None: outside it (also through a link), hidden, or not a file or folder."""
        try:
            words = unquote(url_path, errors="strict").split("/")
        except UnicodeDecodeError:
            return None
        if any(w in ("..", ".") or w.startswith(".") or "\\" in w or "\0" in w for w in words):
            return None
        real = os.path.realpath(os.path.join(self.real_directory, *filter(None, words)))
        if real != self.real_directory and not real.startswith(self.real_directory + os.sep):
            return None
        if not (os.path.isfile(real) or os.path.isdir(real)):
            return None
        return real

    def _respond(self, content: bytes, content_type: str) -> BinaryIO:
        if content_type.startswith("text/") and "charset" not in content_type:
            content_type += "; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(content)))
        self.send_header("Cache-Control", "no-cache")  # a rebuilt page is fetched anew
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        return io.BytesIO(content)

    def _host_allowed(self) -> bool:
        """Served on this machine only, the pages answer only to its names: a web page that
        points its own domain at 127.0.0.1 (DNS rebinding) cannot read the site."""
        address = self.server.server_address
        if isinstance(address, tuple) and not is_loopback(str(address[0])):
            return True
        host = self.headers.get("Host", "")
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return name.lower() in LOCAL_NAMES or is_loopback(name)

    def _stream_events(self) -> None:
        """Server-Sent Events: the latest build's number now and after each rebuild, until
        the page is closed or the server stops."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        self.close_connection = True
        build = self.signal.build
        try:
            self._send_event(b"retry: 1000\n\n")
            self._send_event(b"event: build\ndata: %d\n\n" % build)
            while not self.signal.closed:
                newer = self.signal.wait_after(build, KEEP_ALIVE)
                if newer is None:
                    if self.signal.closed:
                        return
                    self._send_event(b": still here\n\n")
                else:
                    build = newer
                    self._send_event(b"event: build\ndata: %d\n\n" % build)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            return  # the page was closed

    def _send_event(self, data: bytes) -> None:
        self.wfile.write(data)
        self.wfile.flush()


class PortTaken(ReqforgeError):
    """The port is in use (exit 2, one line, no traceback)."""


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True  # an open event stream never keeps the process alive
    allow_reuse_port = False  # a second server on the same port must fail, not share it


class _Server6(_Server):
    address_family = socket.AF_INET6


# implements: REQ-525
class SiteServer:
    """The HTTP server of one output folder, listening from construction on."""

    def __init__(self, folder: Path, host: str = "127.0.0.1", port: int = 8000) -> None:
        self.folder = folder
        self.host = host
        self.signal = BuildSignal()
        folder.mkdir(parents=True, exist_ok=True)
        handler = partial(SiteRequestHandler, directory=str(folder), signal=self.signal)
        server_class = _Server6 if ":" in host else _Server
        try:
            self.httpd = server_class((host.strip("[]"), port), handler)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PortTaken(
                    Text(
                        "{host}:{port} is already in use: stop the program using it or choose "
                        "another port with --port",
                        host=host,
                        port=port,
                    )
                ) from None
            raise ReqforgeError(
                Text(
                    "cannot listen on {host}:{port}: {reason}",
                    host=host,
                    port=port,
                    reason=exc.strerror or exc,
                )
            ) from None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        port = self.httpd.server_address[1]
        shown = f"[{self.host.strip('[]')}]" if ":" in self.host else self.host
        return f"http://{shown}:{port}/"

    def start(self) -> None:
        """Answer requests from a thread of its own."""
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        """Stop: end the event streams, stop answering, free the port."""
        self.signal.close()
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join()
        self.httpd.server_close()


class ServeEvents(Protocol):
    """What `serve_site` tells the person at the terminal."""

    def built(self, config: Config, result: BuildResult) -> None:
        """A build is written (its check errors in `result`)."""

    def failed(self, error: Exception) -> None:
        """A build could not be done; the last good one stays served."""

    def listening(self, url: str) -> None:
        """The first build is done and the server answers at `url`."""

    def rebuilding(self, changed: frozenset[Path]) -> None:
        """These files changed; a rebuild starts."""


# implements: REQ-525
def serve_site(
    config: Config,
    server: SiteServer,
    events: ServeEvents,
    *,
    today: dt.date | None = None,
    progress: Progress | None = None,
    debounce: float = 0.3,
    stop: threading.Event | None = None,
) -> None:
    """Build `config`'s repository into the server's folder, serve it and rebuild (reading
    the configuration anew) after every change to what the build reads, until `stop` is set or
    the process is interrupted; the server is closed on the way out."""
    stop = stop or threading.Event()
    session = _Session(config, server, events, today, progress)
    try:
        first = session.build()
        server.start()
        feed = ChangeFeed(session.watch_plan, debounce=debounce, stop=stop)
        try:
            session.announce(first)
            events.listening(server.url)
            for changed in feed:
                events.rebuilding(changed)
                result = session.build(reload_config=True)
                # What this build read is watched before its pages reload: an edit made after
                # the reload (in a `templates/` made just now) is seen.
                feed.refresh()
                session.announce(result)
        finally:
            feed.close()
    finally:
        stop.set()
        server.close()


class _Session:
    """The configuration of the latest build, and building with it."""

    def __init__(
        self,
        config: Config,
        server: SiteServer,
        events: ServeEvents,
        today: dt.date | None,
        progress: Progress | None,
    ) -> None:
        self.config = config
        self.server = server
        self.events = events
        self.today = today
        self.progress = progress

    def watch_plan(self) -> WatchPlan:
        return watch_plan(self.config, self.server.folder)

    def build(self, *, reload_config: bool = False) -> BuildResult | None:
        """One build, or None: a failure is reported, never raised (the last good build
        stays served)."""
        from reqforge.config import load_config
        from reqforge.site.build import build_site

        try:
            if reload_config:
                self.config = load_config(self.config.root, self.config.path)
            return build_site(
                self.config, self.server.folder, today=self.today, progress=self.progress
            )
        except Exception as exc:  # reported; the server goes on with the last good build
            self.events.failed(exc)
            return None

    def announce(self, result: BuildResult | None) -> None:
        """A written build: open pages reload, and the terminal hears of it."""
        if result is not None:
            self.server.signal.publish()
            self.events.built(self.config, result)
