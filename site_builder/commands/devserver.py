"""Development server: serve the built site, rebuild on change, live-reload browsers.

Self-contained (standard library + watchdog).  The build engine only talks to it
through :class:`DevServer` and :class:`RebuildResult`::

    server = DevServer(output_dir, rebuild, watch=[content_dir, templates_dir])
    server.serve_forever()          # or start() ... stop()

* ``rebuild(changed_paths)`` is called from a single worker thread (never
  concurrently) with the set of absolute paths that changed during a debounced
  burst of file-system events.  It writes the new site into ``output_dir`` itself
  and on failure leaves ``output_dir`` untouched; the server keeps serving whatever
  is on disk.
* Browsers get live reload through Server-Sent Events at ``/__reload``; a small
  inline script is injected into every HTML response (never into files on disk).
* Files are only ever served from inside ``output_dir``; see :func:`map_url_path`.

Without a ``rebuild`` function (``DevServer(output_dir)``) it serves a built site as it is, as a web
host would (``site-builder serve --preview``): no watcher, no live reload, HTML sent byte for byte,
and, for a site built for an address with a path (``https://example.org/pledge/``), the site under
that path (``base_path="/pledge/"``). Both modes share every line of the file serving below.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import re
import secrets
import socket
import socketserver
import sys
import threading
import time
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote

__all__ = ["DevServer", "RebuildResult", "Response", "is_ignored", "map_url_path", "RELOAD_PATH"]

RELOAD_PATH = "/__reload"


@dataclass
class Response:
    """What an ``app`` (see :class:`DevServer`) answers to a request it takes."""

    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


# An app: (method, path with query, request headers, body) → a Response, or None for the files.
App = Callable[[str, str, "object", bytes], "Response | None"]
MAX_APP_BODY = 32 << 20  # a photo of 15 MB, base64-encoded, in JSON


@dataclass
class RebuildResult:
    ok: bool
    errors: list[str] = field(default_factory=list)  # "path:line:col: message" lines
    pages: int = 0  # pages re-rendered (informational)


# ---------------------------------------------------------------------------
# Which file-system events count
# ---------------------------------------------------------------------------

_NOISE_SUFFIXES = (
    "~", ".swp", ".swo", ".swx", ".tmp", ".part", ".crdownload", ".kate-swp",
)
_NOISE_PREFIXES = (".", "~$")  # "." also covers ".#lock", ".goutputstream-*", ".DS_Store", ".git"
_NOISE_NAMES = {"4913", "thumbs.db", ".ds_store"}
_NOISE_DIRS = {".git", "__pycache__"}

# watchdog event types that mean "content may have changed" (opened /
# closed_no_write are plain reads -- e.g. by rebuild() itself -- and must not count).
_RELEVANT_EVENT_TYPES = {"created", "modified", "deleted", "moved", "closed", "attrib"}


def _is_noise_name(name: str) -> bool:
    lower = name.lower()
    return (
        not name
        or name.startswith(_NOISE_PREFIXES)
        or lower.endswith(_NOISE_SUFFIXES)
        or lower in _NOISE_NAMES
    )


def is_ignored(relative_path: str | os.PathLike[str]) -> bool:
    """True if a path (relative to a watched directory) is editor/OS noise.

    Ignored: editor temp/swap/backup files (``*~``, ``*.swp``, ``*.swo``, ``*.swx``,
    ``*.tmp``, ``*.part``, ``*.crdownload``, ``*.kate-swp``, ``.#*``, ``~$*``,
    ``.goutputstream-*``, vim's ``4913`` probe), ``.DS_Store``, ``Thumbs.db``, and
    anything inside a ``.git`` / ``__pycache__`` / dot-directory, or whose name
    starts with ``.``.
    """
    parts = [p for p in re.split(r"[\\/]+", os.fspath(relative_path)) if p and p != "."]
    if not parts:
        return True
    *dirs, name = parts
    for d in dirs:
        if d in _NOISE_DIRS or d.startswith("."):
            return True
    return _is_noise_name(name)


# ---------------------------------------------------------------------------
# URL -> file mapping (the only place that decides what may be served)
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class _Target:
    file: Path | None = None      # serve this (already resolved, inside the root)
    redirect: str | None = None   # 301 to this location (directory without "/")
    base: bool = False            # the redirect leads to the base path (302: not the site's own)


def _url_segments(raw_path: str) -> tuple[list[str], bool] | None:
    """Decode a request target into safe path segments, or None if refused."""
    path = raw_path.split("#", 1)[0].split("?", 1)[0]
    if not path.startswith("/"):
        return None
    if "\\" in path or "\x00" in path:
        return None
    try:
        decoded = unquote(path, errors="strict")
    except UnicodeDecodeError:
        return None
    # Double encoding ("%252e" -> "%2e"): a second decoding round would change it.
    if "%" in decoded and unquote(decoded) != decoded:
        return None
    if any(ord(c) < 0x20 or c == "\x7f" or c == "\\" for c in decoded):
        return None
    segments: list[str] = []
    for seg in decoded.split("/"):
        if seg in ("", "."):
            continue
        if seg.strip(". ") == "":  # "..", "...", ". ." (Windows trims dots/spaces)
            return None
        if ":" in seg:  # "C:", "C:foo", NTFS alternate data streams
            return None
        segments.append(seg)
    return segments, decoded.endswith("/")


def _contained(root: Path, candidate: Path) -> Path | None:
    """Resolve symlinks and return the real path only if it lies inside root."""
    try:
        real = candidate.resolve()
    except (OSError, RuntimeError, ValueError):  # RuntimeError: symlink loop
        return None
    if real == root or real.is_relative_to(root):
        return real
    return None


def base_segments(base_path: str) -> tuple[str, ...]:
    """The decoded segments of a base path (``/pledge/`` -> ``("pledge",)``; ``/`` -> ``()``)."""
    return tuple(unquote(seg) for seg in base_path.split("/") if seg)


def _location(segments: list[str] | tuple[str, ...], raw_path: str) -> str:
    """``/a/b/`` (each segment percent-encoded, so never ``//host``) with the request's query."""
    query = raw_path.split("#", 1)[0].partition("?")[2]
    location = "/" + "".join(quote(s, safe="") + "/" for s in segments)
    return location + ("?" + query if query else "")


def map_url_path(output_dir: Path, raw_path: str, base: tuple[str, ...] = ()) -> _Target | None:
    """Map a request target (``/a/b.html?x``) to a file inside output_dir.

    Returns None (-> 404) for anything that is not an existing regular file inside
    the (resolved) output directory: ``..`` segments in any encoding, double
    encoding, backslashes, NUL/control characters, drive letters, symlinks whose
    target is outside, directories without ``index.html`` (no listings).

    ``base``: the segments of the path the site lives under (:func:`base_segments`); only
    addresses under it are the site's, and an address on the way to it (``/``, ``/pledge``)
    is sent there (a ``base`` redirect).
    """
    parsed = _url_segments(raw_path)
    if parsed is None:
        return None
    segments, trailing_slash = parsed
    if base:
        if tuple(segments[:len(base)]) != base:
            if tuple(segments) == base[:len(segments)]:  # on the way to the site: "/", "/pledge" of "/pledge/a/"
                return _Target(redirect=_location(base, raw_path), base=True)
            return None
        if len(segments) == len(base) and not trailing_slash:
            return _Target(redirect=_location(base, raw_path), base=True)
        segments = segments[len(base):]
    try:
        root = Path(output_dir).resolve()
        real = _contained(root, root.joinpath(*segments))
        if real is None:
            return None
        if real.is_dir():
            if segments and not trailing_slash:
                return _Target(redirect=_location(base + tuple(segments), raw_path))
            index = _contained(root, real / "index.html")
            if index is not None and index.is_file():
                return _Target(file=index)
            return None
        if real.is_file() and not (trailing_slash and segments):
            return _Target(file=real)
    except (OSError, ValueError):
        return None
    return None


_CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".xml": "application/xml; charset=utf-8",
    ".svg": "image/svg+xml",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".pdf": "application/pdf",
    ".txt": "text/plain; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".wasm": "application/wasm",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".mp3": "audio/mpeg",
    ".zip": "application/zip",
}


def _silence_watchdog_bookkeeping_warnings() -> None:
    """watchdog's inotify backend races with ``mkdir -p``/``git checkout`` and warns that a
    watch callback "already exists" / "does not exist"; both are harmless bookkeeping.
    Under ``-W error`` (e.g. pytest's filterwarnings=error) such a warning would kill the
    watcher thread and silently stop all rebuilds, so ignore exactly those messages."""
    warnings.filterwarnings(
        "ignore",
        message=r"Callback with id '.*' (already exists|does not exist)",
        category=RuntimeWarning,
        module=r"watchdog(\.|$)",
    )


# watchdog's inotify backend, when the kernel's event queue overflows, logs this and carries on without
# telling its handlers; the events in between are lost
_WATCHDOG_LOGGERS = ("watchdog.observers.inotify_c", "watchdog.observers.inotify")


class _EventsLost(logging.Filter):
    """Tells the server that file events were lost (the watcher's queue overflowed): its next rebuild then looks
    at every file, not only at those the watcher reported."""

    def __init__(self, server: "DevServer") -> None:
        super().__init__()
        self.server = server

    def filter(self, record: logging.LogRecord) -> bool:
        if "queue overflowed" in record.getMessage():
            self.server._events_lost()
        return True


def _content_type(path: Path) -> str:
    return _CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")


# ---------------------------------------------------------------------------
# Live-reload client (ASCII only; Chinese text as \u escapes)
# ---------------------------------------------------------------------------

_LIVE_RELOAD_JS = r"""(function () {
  if (window.__siteBuilderLiveReload || !window.EventSource) return;
  window.__siteBuilderLiveReload = true;
  var OVERLAY_ID = "__site-builder-error-overlay";
  var serverId = null, build = null;
  function showErrors(lines) {
    var old = document.getElementById(OVERLAY_ID);
    if (old) old.parentNode.removeChild(old);
    var box = document.createElement("div");
    box.id = OVERLAY_ID;
    box.setAttribute("role", "alert");
    box.style.cssText = "position:fixed;top:0;left:0;right:0;width:100%;max-height:100vh;overflow:auto;" +
      "box-sizing:border-box;z-index:2147483647;margin:0;padding:16px 20px;background:#8b0000;color:#fff;" +
      "font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,'Liberation Mono',monospace;" +
      "text-align:left;white-space:pre-wrap;word-break:break-word;box-shadow:0 2px 8px rgba(0,0,0,.5);";
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "\u00d7";
    close.title = "\u5173\u95ed / Close";
    close.setAttribute("aria-label", "\u5173\u95ed / Close");
    close.style.cssText = "position:absolute;top:8px;right:12px;background:transparent;color:#fff;" +
      "border:1px solid #fff;border-radius:3px;font:18px/1 monospace;padding:2px 8px;cursor:pointer;";
    close.onclick = function () { if (box.parentNode) box.parentNode.removeChild(box); };
    var title = document.createElement("div");
    title.textContent = "\u6784\u5efa\u5931\u8d25 / Build failed";
    title.style.cssText = "font-weight:bold;font-size:16px;margin:0 48px 8px 0;";
    box.appendChild(close);
    box.appendChild(title);
    for (var i = 0; i < lines.length; i++) {
      var line = document.createElement("div");
      line.textContent = String(lines[i]);
      box.appendChild(line);
    }
    (document.body || document.documentElement).appendChild(box);
  }
  function connect() {
    var es = new EventSource("/__reload");
    es.addEventListener("hello", function (e) {
      var info = {};
      try { info = JSON.parse(e.data); } catch (err) {}
      if (serverId === null) { serverId = info.server; build = info.build; }
      else if (info.server !== serverId || info.build !== build) { location.reload(); }
    });
    es.addEventListener("reload", function () { location.reload(); });
    es.addEventListener("errors", function (e) {
      var lines;
      try { lines = JSON.parse(e.data); } catch (err) { lines = [e.data]; }
      if (!Array.isArray(lines)) lines = [String(lines)];
      showErrors(lines);
    });
    es.onerror = function () {
      if (es.readyState === 2) { es.close(); setTimeout(connect, 1000); }
    };
  }
  connect();
})();"""

LIVE_RELOAD_SNIPPET = ('<script data-site-builder-devserver>' + _LIVE_RELOAD_JS + "</script>\n").encode("ascii")

_FALLBACK_404 = (
    '<!doctype html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
    "<title>404 页面未找到</title></head>\n<body><h1>404 页面未找到</h1>"
    "<p>请求的页面不存在。Page not found.</p></body></html>\n"
).encode("utf-8")


def inject_live_reload(html: bytes) -> bytes:
    """Insert the live-reload script before the last ``</body>`` (or append it)."""
    idx = html.lower().rfind(b"</body")
    if idx == -1:
        return html + LIVE_RELOAD_SNIPPET
    return html[:idx] + LIVE_RELOAD_SNIPPET + html[idx:]


# ---------------------------------------------------------------------------
# HTTP side
# ---------------------------------------------------------------------------

class _SSEClient:
    __slots__ = ("queue", "connection")

    def __init__(self, connection: socket.socket) -> None:
        self.queue: queue.Queue[bytes | None] = queue.Queue()
        self.connection = connection


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = os.name != "nt"  # on Windows SO_REUSEADDR allows double binds
    devserver: DevServer

    def server_bind(self) -> None:
        # Skip HTTPServer.server_bind's socket.getfqdn(), a potentially slow DNS lookup.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = port

    def handle_error(self, request, client_address) -> None:  # noqa: ANN001
        err = sys.exc_info()[1]
        if isinstance(err, (ConnectionError, TimeoutError)):
            return  # client went away mid-response
        self.devserver._log(
            f"devserver: error while handling request from {client_address[0]}:\n{traceback.format_exc()}"
        )


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    server_version = "site-builder-devserver"
    sys_version = ""
    protocol_version = "HTTP/1.0"  # one request per connection; SSE streams until closed
    timeout = 30  # socket timeout (request read, stalled writes)

    # --- logging: quiet unless verbose; errors always ---------------------
    def log_message(self, format: str, *args) -> None:  # noqa: A002
        if self.server.devserver.verbose:
            self.server.devserver._log("%s - %s" % (self.address_string(), format % args))

    def log_error(self, format: str, *args) -> None:  # noqa: A002
        if format.startswith("Request timed out") and not self.server.devserver.verbose:
            return  # browsers' speculative pre-connects
        self.server.devserver._log("devserver: %s - %s" % (self.address_string(), format % args))

    # --- methods -----------------------------------------------------------
    def do_GET(self) -> None:
        if not self._app("GET"):
            self._handle(head_only=False)

    def do_HEAD(self) -> None:
        if not self._app("HEAD"):
            self._handle(head_only=True)

    def do_POST(self) -> None:
        if not self._app("POST"):
            self._method_not_allowed()

    def _app(self, method: str) -> bool:
        """Let the server's app answer (``site-builder serve``'s /admin/); False when it does not."""
        app = self.server.devserver.app
        if app is None:
            return False
        body = b""
        if method == "POST":
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                length = -1
            if not 0 <= length <= MAX_APP_BODY:
                self._drain_body()
                self._send_response(Response(413, "text/plain; charset=utf-8", b"413 Request Entity Too Large\n"),
                                    head_only=False)
                return True
            body = self.rfile.read(length)
        response = app(method, self.path, self.headers, body)
        if response is None:
            return False
        self._send_response(response, head_only=method == "HEAD")
        return True

    def _send_response(self, response: Response, head_only: bool) -> None:
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self._send_common_headers(response.content_type, len(response.body))
        self.end_headers()
        if not head_only:
            self.wfile.write(response.body)

    def __getattr__(self, name: str):
        # Any other method (POST, PUT, DELETE, OPTIONS, TRACE, FOO...) -> 405.
        if name.startswith("do_"):
            return self._method_not_allowed
        raise AttributeError(name)

    def _method_not_allowed(self) -> None:
        self._drain_body()
        body = b"405 Method Not Allowed\n"
        self.send_response(HTTPStatus.METHOD_NOT_ALLOWED)
        self.send_header("Allow", "GET, HEAD")
        self._send_common_headers("text/plain; charset=utf-8", len(body))
        self.end_headers()
        self.wfile.write(body)

    def _drain_body(self) -> None:
        try:
            length = min(int(self.headers.get("Content-Length") or 0), 1 << 20)
            while length > 0:
                chunk = self.rfile.read(min(length, 65536))
                if not chunk:
                    break
                length -= len(chunk)
        except (ValueError, OSError):
            pass

    def _send_common_headers(self, content_type: str, length: int) -> None:
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(length))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")

    def _handle(self, head_only: bool) -> None:
        devserver = self.server.devserver
        path_only = self.path.split("#", 1)[0].split("?", 1)[0]
        if path_only == RELOAD_PATH and devserver.live:
            self._serve_events(head_only)
            return
        target = map_url_path(devserver.output_dir, self.path, devserver.base)
        if target is None:
            self._send_404(head_only)
        elif target.redirect is not None:
            self.send_response(HTTPStatus.FOUND if target.base else HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", target.redirect)
            self._send_common_headers("text/plain; charset=utf-8", 0)
            self.end_headers()
        else:
            assert target.file is not None
            self._send_file(target.file, head_only)

    def _send_bytes(self, status: int, content_type: str, data: bytes, head_only: bool) -> None:
        if content_type.startswith("text/html") and self.server.devserver.live:
            data = inject_live_reload(data)
        self.send_response(status)
        self._send_common_headers(content_type, len(data))
        self.end_headers()
        if not head_only:
            self.wfile.write(data)

    def _send_file(self, path: Path, head_only: bool) -> None:
        content_type = _content_type(path)
        try:
            f = open(path, "rb")
        except OSError as exc:
            self.log_error("cannot read %s: %s", path, exc)
            self._send_404(head_only)
            return
        with f:
            # Read it whole: Content-Length then always matches what is sent, even if the
            # engine rewrites the file meanwhile (preview sites are small).
            data = f.read()
        self._send_bytes(HTTPStatus.OK, content_type, data, head_only)

    def _send_404(self, head_only: bool) -> None:
        body = _FALLBACK_404
        try:
            root = Path(self.server.devserver.output_dir).resolve()
            page = _contained(root, root / "404.html")
            if page is not None and page.is_file():
                body = page.read_bytes()
        except OSError:
            pass
        self._send_bytes(HTTPStatus.NOT_FOUND, "text/html; charset=utf-8", body, head_only)

    def _serve_events(self, head_only: bool) -> None:
        devserver = self.server.devserver
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Accel-Buffering", "no")
        self.end_headers()
        if head_only:
            return
        client = devserver._sse_register(self.connection)
        if client is None:  # server is stopping
            return
        try:
            while True:
                try:
                    message = client.queue.get(timeout=devserver.heartbeat_interval)
                except queue.Empty:
                    message = b": heartbeat\n\n"
                if message is None:
                    break
                self.wfile.write(message)
                self.wfile.flush()
        except (OSError, ValueError):
            pass  # client went away (BrokenPipe/ConnectionReset/timeout) or socket closed by stop()
        finally:
            devserver._sse_unregister(client)


def _sse_message(event: str, data: object) -> bytes:
    payload = json.dumps(data, ensure_ascii=False)  # single line: JSON escapes newlines
    return f"event: {event}\ndata: {payload}\n\n".encode("utf-8")


# ---------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------

class DevServer:
    """HTTP preview server + file watcher + debounced rebuild + live reload.

    Without ``rebuild``: the HTTP server alone, serving ``output_dir`` as it is (under ``base_path``).
    """

    heartbeat_interval: float = 15.0  # seconds between SSE comment heartbeats
    stop_grace: float = 2.0           # how long stop() waits for SSE handlers before force-closing

    def __init__(
        self,
        output_dir: Path,
        rebuild: Callable[[set[Path]], RebuildResult] | None = None,
        watch: list[Path] = (),
        host: str = "127.0.0.1",
        port: int = 8000,
        debounce: float = 0.15,
        log: Callable[[str], object] = print,
        *,
        verbose: bool = False,
        base_path: str = "/",
        app: App | None = None,
    ) -> None:
        if debounce < 0:
            raise ValueError("debounce must be >= 0")
        if rebuild is not None and base_path != "/":
            raise ValueError("a live preview is built for the server's own address: base_path must be /")
        self.output_dir = Path(output_dir)
        self.app = app  # answers the requests it takes before any file is looked up
        self.rebuild = rebuild
        self.live = rebuild is not None  # watch, rebuild and reload; else serve output_dir as it is
        self.base = base_segments(base_path)
        self.watch = [Path(p) for p in watch]
        self.host = host
        self.port = port
        self.debounce = float(debounce)
        self.log = log
        self.verbose = verbose
        self.rebuild_count = 0

        self._server_id = secrets.token_hex(8)
        self._build_generation = 0          # successful rebuilds so far
        self._last_errors: list[str] | None = None  # errors of the latest rebuild if it failed

        self._cond = threading.Condition()  # guards _pending, _last_event, _stopping, _rebuilding
        self._pending: set[Path] = set()
        self._lost = False  # events were lost since the last rebuild (see _EventsLost)
        self._last_event = 0.0
        self._rebuilding = False
        self._stopping = False

        self._sse_cond = threading.Condition()
        self._sse_clients: set[_SSEClient] = set()
        self._sse_closed = False

        self._httpd: _HTTPServer | None = None
        self._http_thread: threading.Thread | None = None
        self._worker: threading.Thread | None = None
        self._observer = None
        self._started = False
        self._stopped = threading.Event()

        out = os.path.abspath(self.output_dir)
        self._output_prefixes = {out, os.path.realpath(out)}
        self._watch_specs: list[tuple[str, str | None]] = []  # (directory, single file or None)
        self._awaited: set[str] = set()  # watched folders that do not exist yet (their parent is watched)
        self._lost_filter = _EventsLost(self)

    # -- logging ------------------------------------------------------------
    def _log(self, message: str) -> None:
        try:
            self.log(message)
        except Exception:  # a broken logger must not kill server threads
            pass

    # -- public API ---------------------------------------------------------
    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("DevServer not started")
        port = self._httpd.server_address[1]
        host = self.host
        if host in ("", "0.0.0.0"):
            host = "127.0.0.1"
        elif host == "::":
            host = "::1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{port}/"

    @property
    def site_url(self) -> str:
        """The address of the site's home page: :attr:`url` and the base path."""
        return self.url + "".join(quote(s, safe="") + "/" for s in self.base)

    def start(self) -> None:
        """Start the HTTP server thread, the file watcher and the rebuild worker."""
        if self._started:
            raise RuntimeError("DevServer already started")
        self._started = True
        _silence_watchdog_bookkeeping_warnings()
        server_cls = _HTTPServer
        if ":" in self.host:
            server_cls = type("_HTTPServer6", (_HTTPServer,), {"address_family": socket.AF_INET6})
        httpd = server_cls((self.host, self.port), _Handler)
        httpd.devserver = self
        self._httpd = httpd
        if self.live:
            try:
                self._start_observer()
            except BaseException:
                httpd.server_close()
                self._httpd = None
                raise
            self._worker = threading.Thread(target=self._worker_loop, name="devserver-rebuild", daemon=True)
            self._worker.start()
        self._http_thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, name="devserver-http", daemon=True
        )
        self._http_thread.start()
        self._log(f"Serving {self.output_dir} at {self.site_url}")
        if self.host not in ("127.0.0.1", "localhost", "::1"):
            self._log(f"Warning: bound to {self.host!r}; the preview is reachable from other machines.")

    def stop(self) -> None:
        """Stop watching, close live-reload streams, stop the HTTP server, join threads."""
        if not self._started or self._stopped.is_set():
            return
        _silence_watchdog_bookkeeping_warnings()  # again: test runners may have reset the filters
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        observer, self._observer = self._observer, None
        for name in _WATCHDOG_LOGGERS:
            logging.getLogger(name).removeFilter(self._lost_filter)
        if observer is not None:
            observer.stop()
            if observer.is_alive():
                observer.join(timeout=5)
        self._close_sse_clients()
        httpd = self._httpd
        if httpd is not None:
            if self._http_thread is not None and self._http_thread.is_alive():
                httpd.shutdown()
            httpd.server_close()
        if self._http_thread is not None:
            self._http_thread.join(timeout=5)
        if self._worker is not None and self._worker is not threading.current_thread():
            self._worker.join(timeout=60)
            if self._worker.is_alive():
                self._log("devserver: rebuild still running; not waiting for it any longer")
        self._stopped.set()

    def show_errors(self, errors: list[str] | None) -> None:
        """Announce the errors of a build made outside the rebuild worker (e.g. the first one); None clears."""
        with self._sse_cond:
            self._last_errors = [str(e) for e in errors] if errors else None
            if self._last_errors:
                self._broadcast_locked(_sse_message("errors", self._last_errors))

    def serve_forever(self) -> None:
        """start(), then block until KeyboardInterrupt (or stop() from elsewhere), then stop()."""
        self.start()
        self._log("Press Ctrl+C to stop.")
        try:
            while not self._stopped.wait(0.5):
                pass
        except KeyboardInterrupt:
            self._log("Stopping dev server...")
        finally:
            self.stop()

    # -- watching -----------------------------------------------------------
    def _start_observer(self) -> None:
        for name in _WATCHDOG_LOGGERS:
            logging.getLogger(name).addFilter(self._lost_filter)
        from watchdog.events import (
            DirCreatedEvent,
            DirMovedEvent,
            FileAttribEvent,
            FileClosedEvent,
            FileCreatedEvent,
            FileDeletedEvent,
            FileModifiedEvent,
            FileMovedEvent,
            FileSystemEventHandler,
        )
        from watchdog.observers import Observer

        devserver = self

        class _EventHandler(FileSystemEventHandler):
            def dispatch(self, event) -> None:  # noqa: ANN001
                try:
                    devserver._on_fs_event(event)
                except Exception:
                    devserver._log("devserver: error handling file event:\n" + traceback.format_exc())

        event_filter = [
            FileCreatedEvent, FileModifiedEvent, FileDeletedEvent, FileMovedEvent,
            FileClosedEvent, FileAttribEvent, DirCreatedEvent, DirMovedEvent,
        ]
        specs: list[tuple[str, str | None, bool]] = []  # (path to schedule, single file, recursive)
        for watch_path in self.watch:
            path = os.path.abspath(watch_path)
            if os.path.isdir(path):
                specs.append((path, None, True))
            elif os.path.isfile(path):
                # Watch the parent so that save-by-rename (new inode) keeps working.
                specs.append((os.path.dirname(path), path, False))
            elif os.path.isdir(os.path.dirname(path)):
                # A folder made later (a site's first own template): its parent is watched, not recursively,
                # for the folder alone (the spec's "file" is the folder's path ending in "/", which no file
                # event matches), and the folder itself once it is there (:meth:`_on_fs_event`).
                self._awaited.add(path)
                specs.append((os.path.dirname(path), os.path.join(path, ""), False))
            else:
                self._log(f"devserver: watch path {watch_path} does not exist; not watching it")
        self._watch_specs = [(d, f) for d, f, _ in specs]

        handler = self._handler = _EventHandler()
        self._event_filter = event_filter
        unique_specs = sorted({(directory, recursive) for directory, _single, recursive in specs})

        def launch(observer_cls):  # noqa: ANN001, ANN202
            observer = observer_cls()
            try:
                for directory, recursive in unique_specs:
                    observer.schedule(handler, directory, recursive=recursive, event_filter=event_filter)
                observer.start()
            except BaseException:
                observer.stop()
                raise
            return observer

        try:
            self._observer = launch(Observer)
        except OSError as exc:  # e.g. inotify watch/instance limit reached
            from watchdog.observers.polling import PollingObserver

            self._log(f"devserver: native file watching unavailable ({exc}); falling back to polling")
            self._observer = launch(PollingObserver)

    def _relevant_path(self, raw: str | bytes) -> Path | None:
        if not raw:
            return None
        path = os.path.abspath(os.fsdecode(raw))
        for prefix in self._output_prefixes:
            if path == prefix or path.startswith(prefix.rstrip(os.sep) + os.sep):
                return None  # our own output (if it lives under a watched directory)
        for directory, single_file in self._watch_specs:
            if single_file is not None:
                if path == single_file:
                    return Path(path)  # explicitly watched file: never treated as noise
                continue
            if path == directory or not path.startswith(directory.rstrip(os.sep) + os.sep):
                continue
            if is_ignored(os.path.relpath(path, directory)):
                return None
            return Path(path)
        return None

    def _on_fs_event(self, event) -> None:  # noqa: ANN001
        if event.is_directory:
            made = os.path.abspath(os.fsdecode(event.dest_path if event.event_type == "moved" else event.src_path))
            if event.event_type in ("created", "moved") and made in self._awaited:
                self._watch_folder(made)
            return
        if event.event_type not in _RELEVANT_EVENT_TYPES:
            return
        candidates = [event.src_path]
        if event.event_type == "moved":
            # Save-by-rename (vim, gedit, atomic writers): the destination is the
            # real file.  A relevant source (a real rename) counts as well.
            candidates = [event.dest_path, event.src_path]
        paths = {p for p in map(self._relevant_path, candidates) if p is not None}
        if paths:
            self._changed(paths)

    def _events_lost(self) -> None:
        """The watcher lost events: rebuild, looking at every file."""
        with self._cond:
            if self._stopping:
                return
            self._lost = True
            self._pending |= {Path(p) for p in self.watch}  # (wakes the rebuild; every file is looked at)
            self._last_event = time.monotonic()
            self._cond.notify_all()

    def _changed(self, paths: set[Path]) -> None:
        """Queue a rebuild for ``paths`` (debounced by the worker)."""
        with self._cond:
            if self._stopping:
                return
            self._pending |= paths
            self._last_event = time.monotonic()
            self._cond.notify_all()

    def _watch_folder(self, path: str) -> None:
        """Watch a folder that was awaited and has now been made, and rebuild: files may be in it already."""
        self._awaited.discard(path)
        if self._observer is None:  # (stopping)
            return
        self._observer.schedule(self._handler, path, recursive=True, event_filter=self._event_filter)
        self._watch_specs.append((path, None))
        self._changed({Path(path)})

    # -- rebuilding -----------------------------------------------------------
    def _worker_loop(self) -> None:
        while True:
            with self._cond:
                while not self._pending and not self._stopping:
                    self._cond.wait()
                if self._stopping:
                    return
                # Debounce: wait until no new event arrived for `debounce` seconds.
                while True:
                    remaining = self._last_event + self.debounce - time.monotonic()
                    if remaining <= 0:
                        break
                    self._cond.wait(remaining)
                    if self._stopping:
                        return
                changed, self._pending = self._pending, set()
                lost, self._lost = self._lost, False
                self._rebuilding = True
            try:
                self._run_rebuild(changed, lost)
            finally:
                with self._cond:
                    self._rebuilding = False
                    self._cond.notify_all()

    def _run_rebuild(self, changed: set[Path], lost: bool = False) -> None:
        """Rebuild: ``rebuild(changed)``, or ``rebuild(None)`` (look at every file) when events were ``lost``."""
        self.rebuild_count += 1
        started = time.monotonic()
        try:
            result = self.rebuild(None if lost else set(changed))
            ok = bool(result.ok)
            errors = [str(e) for e in (result.errors or [])]
            pages = int(result.pages or 0)
        except Exception as exc:
            self._log("devserver: rebuild raised:\n" + traceback.format_exc().rstrip())
            ok, pages = False, 0
            errors = ["".join(traceback.format_exception_only(type(exc), exc)).strip()]
        elapsed = time.monotonic() - started
        if ok:
            self._log(f"Rebuilt {pages} page(s) in {elapsed:.2f}s ({len(changed)} changed file(s))")
            with self._sse_cond:
                self._build_generation += 1
                self._last_errors = None
                message = _sse_message("reload", {"build": self._build_generation, "pages": pages})
                self._broadcast_locked(message)
        else:
            if not errors:
                errors = ["Build failed (no details reported)"]
            self._log("Build failed:\n  " + "\n  ".join(errors))
            with self._sse_cond:
                self._last_errors = errors
                self._broadcast_locked(_sse_message("errors", errors))

    # -- server-sent events ---------------------------------------------------
    def _broadcast_locked(self, message: bytes) -> None:
        for client in self._sse_clients:
            client.queue.put(message)

    def _sse_register(self, connection: socket.socket) -> _SSEClient | None:
        client = _SSEClient(connection)
        with self._sse_cond:
            if self._sse_closed:
                return None
            client.queue.put(b"retry: 1000\n\n")
            client.queue.put(_sse_message("hello", {"server": self._server_id, "build": self._build_generation}))
            if self._last_errors is not None:
                client.queue.put(_sse_message("errors", self._last_errors))
            self._sse_clients.add(client)
        return client

    def _sse_unregister(self, client: _SSEClient) -> None:
        with self._sse_cond:
            self._sse_clients.discard(client)
            self._sse_cond.notify_all()

    def _close_sse_clients(self) -> None:
        with self._sse_cond:
            self._sse_closed = True
            for client in self._sse_clients:
                client.queue.put(None)
            deadline = time.monotonic() + self.stop_grace
            while self._sse_clients:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._sse_cond.wait(remaining)
            stuck = list(self._sse_clients)
        for client in stuck:  # e.g. blocked writing to a client that stopped reading
            try:
                client.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

