"""Tests for site_builder.commands.devserver (HTTP preview server, watcher, live reload).

The "engine" here is a fake: it copies every file of a temp source dir into the
output dir, or fails (leaving the output untouched) when a source file contains
"BROKEN".  All waits poll with deadlines; the only timed assertion is the
"edit is served within 1 second" one.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from site_builder.commands.devserver import LIVE_RELOAD_SNIPPET, DevServer, RebuildResult, inject_live_reload, is_ignored, map_url_path

DEADLINE = 10.0  # generous upper bound for anything that is not the timed assertion
SNIPPET_MARKER = b"data-site-builder-devserver"


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

def wait_for(predicate: Callable[[], object], timeout: float = DEADLINE, interval: float = 0.02, what: str = ""):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or predicate}")
        time.sleep(interval)


def wait_settled(server: DevServer, quiet: float = 0.6, timeout: float = DEADLINE) -> int:
    """Wait until no rebuild is pending/running and rebuild_count stayed put for `quiet` s."""
    deadline = time.monotonic() + timeout
    last = server.rebuild_count
    since = time.monotonic()
    while True:
        with server._cond:
            busy = bool(server._pending) or server._rebuilding
        count = server.rebuild_count
        now = time.monotonic()
        if busy or count != last:
            last, since = count, now
        elif now - since >= max(quiet, server.debounce * 3):
            return count
        if now > deadline:
            raise AssertionError("server did not settle")
        time.sleep(0.02)


def http_request(base_url: str, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """Send a request with the target sent verbatim (raw socket), return (status, headers, body)."""
    host, port = base_url.split("//", 1)[1].rstrip("/").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=DEADLINE) as sock:
        sock.sendall(f"{method} {path} HTTP/1.0\r\nHost: {host}\r\n\r\n".encode("latin-1"))
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    raw = b"".join(chunks)
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, body


def get_text(base_url: str, path: str = "/") -> str:
    status, _, body = http_request(base_url, path)
    return body.decode("utf-8", "replace") if status == 200 else ""


class SSEClient:
    """Minimal text/event-stream reader over a raw socket (reads with short timeouts)."""

    def __init__(self, base_url: str, path: str = "/__reload") -> None:
        host, port = base_url.split("//", 1)[1].rstrip("/").rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=DEADLINE)
        self.sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n\r\n".encode()
        )
        self.buffer = b""
        self.closed = False
        self.comments: list[str] = []
        self.events: list[tuple[str, str]] = []
        deadline = time.monotonic() + DEADLINE
        while b"\r\n\r\n" not in self.buffer:
            if time.monotonic() > deadline:
                raise AssertionError("no response headers")
            self._fill(deadline)
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        self.status = int(lines[0].split()[1])
        self.headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}

    def _fill(self, deadline: float) -> bool:
        if self.closed:
            raise EOFError("event stream closed")
        self.sock.settimeout(max(0.01, min(0.2, deadline - time.monotonic())))
        try:
            chunk = self.sock.recv(65536)
        except TimeoutError:
            return False
        if not chunk:
            self.closed = True
            raise EOFError("event stream closed")
        self.buffer += chunk
        return True

    def _parse(self) -> None:
        self.buffer = self.buffer.replace(b"\r\n", b"\n")
        while b"\n\n" in self.buffer:
            block, self.buffer = self.buffer.split(b"\n\n", 1)
            event, data = "message", []
            for line in block.decode("utf-8").split("\n"):
                if line.startswith(":"):
                    self.comments.append(line[1:].strip())
                elif line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].lstrip(" "))
            if data:
                self.events.append((event, "\n".join(data)))

    def wait_event(self, name: str, timeout: float = DEADLINE) -> str:
        """Return the data of the next `name` event (consuming events before it)."""
        deadline = time.monotonic() + timeout
        while True:
            self._parse()
            while self.events:
                event, data = self.events.pop(0)
                if event == name:
                    return data
            if time.monotonic() > deadline:
                raise AssertionError(f"no {name!r} event within {timeout}s")
            self._fill(deadline)

    def wait_comment(self, text: str, timeout: float = DEADLINE) -> None:
        deadline = time.monotonic() + timeout
        while True:
            self._parse()
            if text in self.comments:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"no {text!r} comment within {timeout}s")
            self._fill(deadline)

    def wait_closed(self, timeout: float = DEADLINE) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                self._fill(deadline)
            except EOFError:
                return
            if time.monotonic() > deadline:
                raise AssertionError("stream was not closed")

    def close(self) -> None:
        self.sock.close()


class FakeEngine:
    """Copies src -> out; refuses (leaving out untouched) when a source contains BROKEN."""

    def __init__(self, src: Path, out: Path, delay: float = 0.0) -> None:
        self.src, self.out, self.delay = src, out, delay
        self.calls: list[set[Path]] = []
        self.active = 0
        self.max_active = 0
        self.started = threading.Event()
        self.release: threading.Event | None = None
        self._lock = threading.Lock()

    def build(self) -> RebuildResult:
        broken = []
        for path in sorted(self.src.rglob("*")):
            if not path.is_file():
                continue
            for number, line in enumerate(path.read_bytes().split(b"\n"), start=1):
                if b"BROKEN" in line:
                    broken.append(f"{path.relative_to(self.src)}:{number}:1: BROKEN marker <b>not allowed</b>")
        if broken:
            return RebuildResult(ok=False, errors=broken)
        self.out.mkdir(parents=True, exist_ok=True)
        shutil.copytree(self.src, self.out, dirs_exist_ok=True)
        return RebuildResult(ok=True, errors=[], pages=sum(1 for _ in self.out.rglob("*.html")))

    def __call__(self, changed: set[Path]) -> RebuildResult:
        with self._lock:
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        try:
            self.calls.append(set(changed))
            self.started.set()
            if self.release is not None:
                assert self.release.wait(DEADLINE)
            if self.delay:
                time.sleep(self.delay)
            return self.build()
        finally:
            with self._lock:
                self.active -= 1


PAGE = "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>t</title></head>\n<body>\n<p>{}</p>\n</body></html>\n"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[dict]:
    src = tmp_path / "src"
    out = tmp_path / "out"
    src.mkdir()
    (src / "index.html").write_text(PAGE.format("版本一 version one"), encoding="utf-8")
    (src / "404.html").write_text(PAGE.format("CUSTOM-404 页面不存在"), encoding="utf-8")
    (src / "style.css").write_text("body { color: red }\n", encoding="utf-8")
    engine = FakeEngine(src, out)
    assert engine.build().ok  # initial build, not counted by the server
    servers: list[DevServer] = []
    logs: list[str] = []

    def make(**kwargs) -> DevServer:
        kwargs.setdefault("log", logs.append)
        server = DevServer(out, engine, watch=[src], port=0, **kwargs)
        servers.append(server)
        server.start()
        return server

    yield {"src": src, "out": out, "engine": engine, "make": make, "tmp": tmp_path, "logs": logs}
    for server in servers:
        server.stop()


# ---------------------------------------------------------------------------
# rebuild on change
# ---------------------------------------------------------------------------

def test_edit_is_served_within_one_second_with_one_rebuild(site):
    server = site["make"]()
    assert server.url.startswith("http://127.0.0.1:") and server.url.endswith("/")
    assert any(server.url in line for line in site["logs"]), "URL is printed at start"
    assert "version one" in get_text(server.url)

    index = site["src"] / "index.html"
    started = time.monotonic()
    index.write_text(PAGE.format("版本二 version two"), encoding="utf-8")
    wait_for(lambda: "version two" in get_text(server.url), timeout=5, what="new text served")
    elapsed = time.monotonic() - started
    assert elapsed < 1.0, f"new text took {elapsed:.2f}s to be served"

    assert wait_settled(server) == 1
    assert site["engine"].calls == [{index}]


def test_burst_of_changes_gives_exactly_one_rebuild(site):
    server = site["make"](debounce=0.3)
    src = site["src"]
    pages = [src / "pages" / f"p{i:02d}.html" for i in range(20)]
    pages[0].parent.mkdir()
    for i, page in enumerate(pages):
        page.write_text(PAGE.format(f"page {i}"), encoding="utf-8")
    # gedit / atomic writer: temp file renamed over the target
    tmp = src / ".goutputstream-ABC123"
    tmp.write_text(PAGE.format("renamed in"), encoding="utf-8")
    os.replace(tmp, src / "about.html")
    # vim: 4913 probe, backup by rename, write new file, drop backup, swap files
    (src / "4913").write_text("")
    (src / "4913").unlink()
    os.replace(src / "index.html", src / "index.html~")
    (src / "index.html").write_text(PAGE.format("saved by vim"), encoding="utf-8")
    (src / "index.html~").unlink()
    (src / ".index.html.swp").write_bytes(b"swap")
    (src / "notes.txt.tmp").write_text("x")
    (src / "draft.part").write_text("x")

    assert wait_settled(server) == 1
    assert site["engine"].calls == [set(pages) | {src / "about.html", src / "index.html"}]
    assert "saved by vim" in get_text(server.url)
    assert "renamed in" in get_text(server.url, "/about.html")


def test_temp_and_swap_only_changes_do_not_rebuild(site):
    server = site["make"]()
    src = site["src"]
    noise = [
        "index.html~", ".index.html.swp", ".index.html.swo", ".index.html.swx", "a.tmp", "b.part",
        "c.crdownload", "d.kate-swp", ".#index.html", "~$report.docx", ".goutputstream-XYZ", "4913",
        ".DS_Store", "Thumbs.db", ".hidden",
    ]
    for name in noise:
        (src / name).write_text("noise")
    for directory in (".git", "__pycache__", ".cache", "sub/.git/objects"):
        (src / directory).mkdir(parents=True)
        (src / directory / "file.html").write_text("noise")
    (src / "emptydir").mkdir()  # directory-only event
    for name in noise:
        (src / name).unlink()
    # Positive control: a real change afterwards must produce exactly one rebuild that
    # mentions only the real file, proving the noise above was seen and dropped.
    assert wait_settled(server) == 0
    (src / "real.html").write_text(PAGE.format("real"), encoding="utf-8")
    wait_for(lambda: server.rebuild_count >= 1, what="rebuild after real change")
    assert wait_settled(server) == 1
    assert site["engine"].calls == [{src / "real.html"}]


def test_watcher_survives_nested_directory_creation(site):
    # mkdir -p / git checkout race watchdog's recursive inotify bookkeeping, which then
    # warns; with filterwarnings=error that used to kill the watcher thread.
    server = site["make"]()
    src = site["src"]
    for i in range(30):
        (src / f"tree{i}" / "a" / "b" / "c").mkdir(parents=True)
        (src / f"tree{i}" / "a" / "b" / "c" / "page.html").write_text(str(i))
    wait_for(lambda: server.rebuild_count >= 1, what="rebuild after nested creation")
    wait_settled(server)
    expected = {src / f"tree{i}" / "a" / "b" / "c" / "page.html" for i in range(30)}
    assert set().union(*site["engine"].calls) == expected
    before = server.rebuild_count
    (src / "index.html").write_text(PAGE.format("still watching"), encoding="utf-8")
    wait_for(lambda: "still watching" in get_text(server.url), what="watcher still alive")
    assert wait_settled(server) == before + 1


def test_a_watched_folder_made_later_is_watched_once_it_is_there(site):
    """``serve`` watches SITE/templates/ also when a site has none yet: its first own template counts."""
    later = site["tmp"] / "templates"
    server = DevServer(site["out"], site["engine"], watch=[site["src"], later], port=0, log=site["logs"].append)
    server.start()
    try:
        (site["tmp"] / "notes.txt").write_text("beside the watched folders: not a change")
        later.mkdir()
        (later / "page.html").write_text("one")
        wait_for(lambda: server.rebuild_count >= 1, what="the rebuild after the folder was made")
        count = wait_settled(server)
        (later / "page.html").write_text("two")
        wait_for(lambda: server.rebuild_count > count, what="the rebuild after a file in it changed")
        assert wait_settled(server) == count + 1
        assert (later / "page.html") in site["engine"].calls[-1]
        assert not any(site["tmp"] / "notes.txt" in call for call in site["engine"].calls)
    finally:
        server.stop()


def test_output_inside_a_watched_directory_does_not_loop(site):
    engine, src, tmp = site["engine"], site["src"], site["tmp"]
    server = DevServer(site["out"], engine, watch=[tmp], port=0, log=lambda _m: None)
    server.start()
    try:
        (src / "index.html").write_text(PAGE.format("no loop"), encoding="utf-8")
        wait_for(lambda: "no loop" in get_text(server.url), what="rebuilt page")
        assert wait_settled(server) == 1, "writes into output_dir must not trigger rebuilds"
        assert engine.calls == [{src / "index.html"}]
    finally:
        server.stop()


def test_events_during_a_rebuild_trigger_exactly_one_more(site):
    engine = site["engine"]
    engine.release = threading.Event()
    server = site["make"](debounce=0.05)
    src = site["src"]
    (src / "a.html").write_text("a")
    wait_for(engine.started.is_set, what="first rebuild started")
    for name in ("b.html", "c.html"):
        (src / name).write_text(name)

    def pending() -> set:
        with server._cond:
            return set(server._pending)

    wait_for(lambda: pending() == {src / "b.html", src / "c.html"}, what="events queued during rebuild")
    engine.release.set()
    assert wait_settled(server) == 2
    assert engine.calls == [{src / "a.html"}, {src / "b.html", src / "c.html"}]
    assert engine.max_active == 1, "rebuilds must never run concurrently"


def test_single_file_watch_survives_save_by_rename(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    config = tmp_path / "site.yaml"
    config.write_text("a: 1\n")
    (tmp_path / "other.txt").write_text("x")
    calls: list[set[Path]] = []
    server = DevServer(out, lambda changed: calls.append(changed) or RebuildResult(True, []),
                       watch=[config], port=0, log=lambda _msg: None)
    server.start()
    try:
        (tmp_path / "other.txt").write_text("not watched")
        tmp = tmp_path / "site.yaml.tmp"
        tmp.write_text("a: 2\n")
        os.replace(tmp, config)
        wait_for(lambda: server.rebuild_count >= 1, what="rebuild for renamed-over file")
        assert wait_settled(server) == 1
        assert calls == [{config}]
    finally:
        server.stop()


# ---------------------------------------------------------------------------
# live reload
# ---------------------------------------------------------------------------

def test_reload_event_reaches_connected_client(site):
    server = site["make"]()
    client = SSEClient(server.url)
    try:
        assert client.status == 200
        assert client.headers["content-type"].startswith("text/event-stream")
        assert client.headers["cache-control"] == "no-store"
        hello = json.loads(client.wait_event("hello"))
        assert hello["build"] == 0
        (site["src"] / "index.html").write_text(PAGE.format("reloaded"), encoding="utf-8")
        data = json.loads(client.wait_event("reload"))
        assert data["build"] == 1
        assert "reloaded" in get_text(server.url)
    finally:
        client.close()


def test_failed_rebuild_keeps_old_page_sends_errors_then_recovers(site):
    server = site["make"]()
    src = site["src"]
    client = SSEClient(server.url)
    try:
        client.wait_event("hello")
        (src / "index.html").write_text(PAGE.format("oops BROKEN"), encoding="utf-8")
        errors = json.loads(client.wait_event("errors"))
        assert errors == ["index.html:4:1: BROKEN marker <b>not allowed</b>"]
        assert "version one" in get_text(server.url), "old page is still served"
        assert server.rebuild_count == 1

        # A client connecting while the build is broken learns about it right away.
        late = SSEClient(server.url)
        try:
            late.wait_event("hello")
            assert json.loads(late.wait_event("errors")) == errors
        finally:
            late.close()

        (src / "index.html").write_text(PAGE.format("fixed again"), encoding="utf-8")
        client.wait_event("reload")
        assert "fixed again" in get_text(server.url)
    finally:
        client.close()


def test_rebuild_exception_is_reported_as_error(tmp_path):
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    out.mkdir()
    (out / "index.html").write_text(PAGE.format("still here"), encoding="utf-8")

    def explode(changed):
        raise ValueError("template base.html:3:7: unexpected '}'")

    logs: list[str] = []
    server = DevServer(out, explode, watch=[src], port=0, log=logs.append)
    server.start()
    client = SSEClient(server.url)
    try:
        client.wait_event("hello")
        (src / "x.md").write_text("x")
        errors = json.loads(client.wait_event("errors"))
        assert errors == ["ValueError: template base.html:3:7: unexpected '}'"]
        assert "still here" in get_text(server.url)
        assert any("Traceback" in line for line in logs)
    finally:
        client.close()
        server.stop()


def test_heartbeat_and_stop_closes_streams_promptly(site):
    server = DevServer(site["out"], site["engine"], watch=[site["src"]], port=0, log=lambda _m: None)
    server.heartbeat_interval = 0.1
    server.start()
    clients = [SSEClient(server.url) for _ in range(3)]
    try:
        clients[0].wait_event("hello")
        clients[0].wait_comment("heartbeat")
        clients[1].close()  # one client disconnects on its own
        wait_for(lambda: len(server._sse_clients) == 2, what="disconnected client dropped")
        started = time.monotonic()
        server.stop()
        for client in (clients[0], clients[2]):
            client.wait_closed(timeout=3)
        assert time.monotonic() - started < 3
    finally:
        for client in clients:
            client.close()
        server.stop()


# ---------------------------------------------------------------------------
# HTTP: safety, injection, headers
# ---------------------------------------------------------------------------

TRAVERSALS = [
    "/../secret.txt",
    "/../../secret.txt",
    "/%2e%2e/secret.txt",
    "/%2E%2E%2Fsecret.txt",
    "/%2e%2e%2fsecret.txt",
    "/..%2fsecret.txt",
    "/..%2Fsecret.txt",
    "/%2e%2e%5csecret.txt",
    "/%252e%252e/secret.txt",
    "/%252e%252e%252fsecret.txt",
    "/static/..\\..\\secret.txt",
    "/static/%5c..%5c..%5csecret.txt",
    "/static/../../secret.txt",
    "/./../secret.txt",
    "/.../secret.txt",
    "/%c0%ae%c0%ae/secret.txt",
    "/secret.txt%00.html",
    "/index.html%00",
    "/C:/Windows/win.ini",
    "/C:%5cWindows%5cwin.ini",
    "/c:secret.txt",
    "//../secret.txt",
    "/leak.txt",
    "/outside/secret.txt",
    "/outside/",
    "/static/",
    "/missing.html",
    "/index.html/",
]


@pytest.fixture
def traversal_site(site):
    out, tmp = site["out"], site["tmp"]
    (tmp / "secret.txt").write_text("TOP-SECRET")
    (out / "static").mkdir()
    (out / "static" / "app.css").write_text("a{}")
    try:
        (out / "leak.txt").symlink_to(tmp / "secret.txt")
        (out / "outside").symlink_to(tmp, target_is_directory=True)
        (out / "alias.html").symlink_to(out / "index.html")
    except (OSError, NotImplementedError):
        pytest.skip("symlinks not supported here")
    return site


@pytest.mark.parametrize("path", TRAVERSALS)
def test_traversal_and_unknown_paths_get_the_site_404(traversal_site, path):
    server = traversal_site["make"]()
    status, headers, body = http_request(server.url, path)
    assert status == 404, path
    assert b"TOP-SECRET" not in body
    assert "CUSTOM-404".encode() in body
    assert b"app.css" not in body, "no directory listing"
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert int(headers["content-length"]) == len(body)


def test_symlinks_inside_output_are_followed(traversal_site):
    server = traversal_site["make"]()
    status, _, body = http_request(server.url, "/alias.html")
    assert status == 200 and b"version one" in body


def test_map_url_path_never_leaves_output(traversal_site):
    out = traversal_site["out"]
    root = out.resolve()
    for path in TRAVERSALS:
        target = map_url_path(out, path)
        assert target is None, path
    target = map_url_path(out, "/static/app.css?v=1#x")
    assert target is not None and target.file == root / "static" / "app.css"
    assert map_url_path(out, "/").file == root / "index.html"


def test_404_without_custom_page_is_chinese(site):
    (site["out"] / "404.html").unlink()
    server = site["make"]()
    status, headers, body = http_request(server.url, "/nope")
    assert status == 404
    assert "页面未找到" in body.decode("utf-8")
    assert SNIPPET_MARKER in body


def test_live_reload_script_is_injected_but_file_untouched(site):
    out = site["out"]
    on_disk = (out / "index.html").read_bytes()
    server = site["make"]()
    for path in ("/", "/index.html"):
        status, headers, body = http_request(server.url, path)
        assert status == 200
        assert headers["content-type"] == "text/html; charset=utf-8"
        assert headers["cache-control"] == "no-store"
        assert int(headers["content-length"]) == len(body) == len(on_disk) + len(LIVE_RELOAD_SNIPPET)
        assert body.count(SNIPPET_MARKER) == 1
        assert body.index(SNIPPET_MARKER) < body.rindex(b"</body>")
        assert body.replace(LIVE_RELOAD_SNIPPET, b"") == on_disk
        assert b"EventSource" in body and b"/__reload" in body
        assert b"innerHTML" not in body and b"textContent" in body
    assert (out / "index.html").read_bytes() == on_disk

    status, headers, body = http_request(server.url, "/index.html", method="HEAD")
    assert status == 200 and body == b""
    assert int(headers["content-length"]) == len(on_disk) + len(LIVE_RELOAD_SNIPPET)

    (out / "bare.html").write_bytes(b"<p>no body tag")
    status, _, body = http_request(server.url, "/bare.html")
    assert body == b"<p>no body tag" + LIVE_RELOAD_SNIPPET

    status, headers, body = http_request(server.url, "/style.css")
    assert status == 200 and body == b"body { color: red }\n" and SNIPPET_MARKER not in body


def test_inject_uses_last_body_tag_case_insensitively():
    html = b"<body><script>'</body>'</script><p>x</p></BODY>\n</html>"
    assert inject_live_reload(html) == html[: html.rindex(b"</BODY>")] + LIVE_RELOAD_SNIPPET + b"</BODY>\n</html>"


def test_directories_no_listing_and_redirect(site):
    out = site["out"]
    (out / "docs").mkdir()
    (out / "docs" / "index.html").write_text(PAGE.format("docs index"), encoding="utf-8")
    (out / "assets").mkdir()
    (out / "assets" / "logo-secret-name.png").write_bytes(b"\x89PNG")
    server = site["make"]()
    status, _, body = http_request(server.url, "/docs/")
    assert status == 200 and b"docs index" in body
    status, headers, _ = http_request(server.url, "/docs?x=1")
    assert status == 301 and headers["location"] == "/docs/?x=1"
    status, _, body = http_request(server.url, "/assets/")
    assert status == 404 and b"logo-secret-name" not in body and b"CUSTOM-404" in body
    status, _, body = http_request(server.url, "/assets")
    assert status == 301
    # protocol-relative open redirect must not be possible
    status, headers, _ = http_request(server.url, "//docs")
    assert status == 301 and headers["location"] == "/docs/"


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("a.html", "text/html; charset=utf-8"),
        ("a.css", "text/css; charset=utf-8"),
        ("a.js", "text/javascript; charset=utf-8"),
        ("a.svg", "image/svg+xml"),
        ("a.json", "application/json"),
        ("a.xml", "application/xml; charset=utf-8"),
        ("a.jpg", "image/jpeg"),
        ("a.png", "image/png"),
        ("a.webp", "image/webp"),
        ("a.pdf", "application/pdf"),
        ("a.txt", "text/plain; charset=utf-8"),
        ("a.csv", "text/csv; charset=utf-8"),
        ("a.wasm", "application/wasm"),
        ("a.unknownext", "application/octet-stream"),
    ],
)
def test_content_types(site, name, content_type):
    (site["out"] / name).write_bytes(b"data")
    server = site["make"]()
    status, headers, body = http_request(server.url, "/" + name)
    assert status == 200
    assert headers["content-type"] == content_type
    assert headers["cache-control"] == "no-store"
    assert int(headers["content-length"]) == len(body)


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "OPTIONS", "PATCH", "BREW"])
def test_only_get_and_head(site, method):
    server = site["make"]()
    status, headers, _ = http_request(server.url, "/index.html", method=method)
    assert status == 405
    assert headers["allow"] == "GET, HEAD"


def test_http_client_roundtrip_and_quiet_logging(site):
    server = site["make"]()
    host, port = server.url.split("//")[1].rstrip("/").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=DEADLINE)
    try:
        conn.request("GET", "/index.html")
        response = conn.getresponse()
        body = response.read()
        assert response.status == 200 and SNIPPET_MARKER in body
    finally:
        conn.close()
    http_request(server.url, "/missing")
    assert len(site["logs"]) == 1, f"only the start-up line is logged, got {site['logs']}"


# ---------------------------------------------------------------------------
# ignore rules
# ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    "path",
    [
        "a.md~", "a.md.swp", ".a.md.swp", "a.swo", "a.swx", "a.tmp", "A.TMP", "a.part", "a.crdownload",
        "a.md.kate-swp", ".#a.md", "~$a.docx", ".goutputstream-1X2Y", "4913", ".DS_Store", "Thumbs.db",
        ".hidden", ".git/index", "sub/.git/HEAD", "__pycache__/m.pyc", "x/__pycache__/m.pyc", ".cache/a.md",
    ],
)
def test_is_ignored(path):
    assert is_ignored(path)


@pytest.mark.parametrize("path", ["a.md", "pages/关于.md", "static/app.css", "4913.md", "data/x.yaml", "a~b.md"])
def test_is_not_ignored(path):
    assert not is_ignored(path)


# ---------------------------------------------------------------------------
# the injected client in a real browser (skipped when Chromium is missing)
# ---------------------------------------------------------------------------

def test_browser_overlay_and_live_reload(site, page):
    server = site["make"]()
    src = site["src"]
    page.goto(server.url)
    page.wait_for_function("() => document.querySelector('p').textContent.includes('version one')")
    client = SSEClient(server.url)  # a second client, so we know the browser's stream is open too
    try:
        client.wait_event("hello")
        wait_for(lambda: len(server._sse_clients) >= 2, what="browser connected to /__reload")
        (src / "index.html").write_text(PAGE.format("oops BROKEN"), encoding="utf-8")
        overlay = page.wait_for_selector("#__site-builder-error-overlay")
        assert "构建失败 / Build failed" in overlay.inner_text()
        assert "index.html:4:1: BROKEN marker <b>not allowed</b>" in overlay.inner_text()
        assert overlay.query_selector("b") is None, "error text must not be parsed as HTML"
        style = page.evaluate(
            "() => { const s = getComputedStyle(document.getElementById('__site-builder-error-overlay'));"
            " return [s.position, s.backgroundColor, s.color]; }"
        )
        assert style == ["fixed", "rgb(139, 0, 0)", "rgb(255, 255, 255)"]
        overlay.query_selector("button").click()
        page.wait_for_selector("#__site-builder-error-overlay", state="detached")

        (src / "index.html").write_text(PAGE.format("fixed version"), encoding="utf-8")
        page.wait_for_function("() => document.querySelector('p').textContent.includes('fixed version')")
    finally:
        client.close()
