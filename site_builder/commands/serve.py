"""``site-builder serve``: build, serve on this computer, rebuild what an edit changes, reload the browser.

The preview is built into ``SITE/.site-builder-cache/preview/`` (git ignores it) with the base URL of
the preview server, so every link, QR code and feed points at the preview. :mod:`devserver` serves
it, watches ``content/`` and ``templates/`` and calls :meth:`Preview.rebuild` once per burst of
changes. A rebuild is the ordinary pipeline with a build cache that stays in memory: files whose
stat signature did not change are not parsed again, and only the pages that read something that
changed are rendered (see :mod:`incremental`); the output is updated in place. Templates or the
settings change what every page reads, so they rebuild everything.

A rebuild that finds problems leaves the last good site in place and shows the problems
(``path:line:col: message``) over the page in the browser; the next good rebuild clears them. The
search index is updated with every rebuild, like the pages.

``site-builder serve --preview`` serves a site already built (``SITE/output`` or ``-o``) the way a web
host would, to look at what will be published: nothing is built, watched or reloaded, every file is
sent as it is on disk, an unknown address gets the site's own ``404.html`` with status 404, and a site
built for an address with a path (``https://example.org/pledge/``) is served under that path (read
from the built ``feed.xml``, or given with ``--base-url``).
"""

from __future__ import annotations

import argparse
import contextlib
import re
import signal
import threading
import time
from pathlib import Path
from typing import Iterable, Iterator
from urllib.parse import urlsplit

from ..incremental.cache import FOLDER, Cache
from ..incremental.pipeline import ONE_BUILD_AT_A_TIME, Result, run
from .registry import base_url_arg, jobs_arg, site_arg, verb
from .cms_local import LOOPBACK, LocalEditing
from .devserver import DevServer, RebuildResult
from ..errors import ContentErrors, UsageError


class Preview:
    def __init__(self, site: Path, out: Path | None = None, *, host: str = "127.0.0.1", port: int = 8000,
                 jobs: int | None = None, debounce: float = 0.15, log=print):
        self.site = site
        self.out = out or site / FOLDER / "preview"
        self.jobs, self.log = jobs, log
        self.cache = Cache.for_site(site)  # kept in memory between rebuilds, saved when the preview stops
        watch = [site / "content", site / "templates"]  # (templates/: also when it is made later)
        self.settings = None  # of the last good build: /admin/ is made from them
        # /admin/ saving into content/ (commands/cms_local.py): only where no other computer can reach it
        editing = LocalEditing(site, lambda: self.settings, lambda: self.server.url) if host in LOOPBACK else None
        self.server = DevServer(self.out, self.rebuild, watch=watch, host=host, port=port, debounce=debounce,
                                log=log, app=editing)
        self.first = True

    @property
    def url(self) -> str:
        return self.server.url

    def rebuild(self, changed: set[Path] | None = None) -> RebuildResult:
        start = time.perf_counter()
        try:
            # (saved after the first build and when the preview stops; the first build looks at every file, the
            # next ones read the files the watcher saw change: ``changed`` None, every file)
            result = self._build(None if self.first else changed)
        except ContentErrors as exc:
            return RebuildResult(False, [p.format() for p in exc.problems])
        except UsageError as exc:
            return RebuildResult(False, [str(exc)])
        self.settings = result.model.settings
        if self.first:
            self.cache.save()
            self.first = False
        self.log(f"已生成 {result.pages} 个页面（重新生成 {result.rendered} 个，{result.changed} 个文件有变化），"
                 f"{time.perf_counter() - start:.2f} 秒")
        return RebuildResult(True, [], result.rendered)

    def start(self) -> None:
        self.server.start()  # bound: the address is known, and the first build can use it
        first = self.rebuild()
        if first.ok:
            self._settle()
        self.server.show_errors(None if first.ok else first.errors)
        if not first.ok:
            self.log("构建失败，修改后会自动重试：\n  " + "\n  ".join(first.errors))
        self.log(f"预览地址 / preview at {self.url}（Ctrl+C 停止）")
        if self.server.app is not None:
            self.log(f"内容编辑 / editing at {self.url}admin/（保存到本机的 content/，只有这台电脑能打开）")

    def _settle(self) -> None:
        """A rebuild told that nothing changed, right after the first build: what the first build worked out of the
        whole site (every page rendered, every file written) is then kept in the form a rebuild after an edit
        compares with (the page entries merged from their sections, the written files as the pages' set and the
        others, the digests of the rebuild before), so that the editor's first edit costs what the next ones do
        (at 10,000 posts 0.26 s instead of 0.6–0.7 s; this one ~0.4 s, before the address is shown). A file
        edited while the first build ran is among the watcher's changes, rebuilt next."""
        try:
            self._build(())
        except (ContentErrors, UsageError):
            pass  # (not after a good first build with nothing changed; the next rebuild would show them)

    def _build(self, changed: Iterable[Path] | None) -> Result:
        """The preview's build: into its folder, for its address, with its cache kept in memory (``changed``: the
        files the watcher saw change since the last build; None: every file is looked at)."""
        return run(self.site, self.out, base_url=self.server.url, jobs=self.jobs, cache=self.cache, save=False,
                   watched=True, changed=changed)

    def stop(self) -> None:
        self.server.stop()
        with ONE_BUILD_AT_A_TIME:  # (a rebuild still running after the server's wait: its cache, once done)
            self.cache.save()

    def serve_forever(self) -> None:
        try:
            self.start()
        except KeyboardInterrupt:  # during the first build: what it left half made is not saved
            self.log("正在停止 / stopping …")
            self.server.stop()
            raise
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            self.log("正在停止 / stopping …")
        finally:
            self.stop()


# The self link of the feed every build writes: <link rel="self" ... href="BASE_URLfeed.xml"/>.
_FEED_SELF = re.compile(r'<link\s+rel="self"[^>]*?\shref="([^"]*)feed\.xml"')


def built_base_path(out: Path) -> str:
    """The path of the address a built site was made for (``/pledge/``), from its ``feed.xml``; ``/`` if unknown."""
    try:
        with open(out / "feed.xml", encoding="utf-8", errors="replace") as f:
            head = f.read(8192)
    except OSError:
        return "/"
    found = _FEED_SELF.search(head)
    return (urlsplit(found.group(1)).path or "/") if found else "/"


def serve_built(out: Path, *, host: str = "127.0.0.1", port: int = 8000, base_url: str | None = None,
                log=print) -> DevServer:
    """A started server of the built site in ``out``, as a web host serves it (see the module's text)."""
    if not (out / "index.html").is_file():
        what = "不存在" if not out.exists() else "里没有 index.html"
        raise UsageError(f"{out} {what}，不是已生成的网站：请先运行 site-builder build，"
                         "或用 -o 指定生成网站的文件夹。")
    base_path = urlsplit(base_url).path if base_url else built_base_path(out)
    server = DevServer(out, host=host, port=port, log=log, base_path=base_path)
    server.start()
    log(f"查看已生成的网站：{server.site_url}（与发布后一样；不重新生成、不自动刷新，改了内容请重新 build；Ctrl+C 停止）")
    return server


@contextlib.contextmanager
def stopped_by_terminate() -> Iterator[None]:
    """Within: SIGTERM stops the server as Ctrl+C does (the preview stops its threads and saves the build
    cache). ``kill``, ``docker stop`` and an editor's stop button send SIGTERM, and a server started in the
    background (``nohup … &``) cannot get Ctrl+C at all: the shell made it ignore SIGINT."""
    if threading.current_thread() is not threading.main_thread():  # (signal handlers live in the main thread)
        yield
        return
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"`{text}` 不是端口号（0–65535）")
    return value


def _serve_options(p: argparse.ArgumentParser) -> None:
    site_arg(p)
    p.add_argument("--port", type=_port, default=8000, help="端口，默认 8000（0：任选一个空闲端口）")
    p.add_argument("--host", default="127.0.0.1",
                   help="监听地址，默认 127.0.0.1（只有本机能访问）；0.0.0.0 会让局域网里的其他电脑也能访问")
    p.add_argument("-o", "--output", type=Path,
                   help=f"预览文件夹，默认 SITE/{FOLDER}/preview；加 --preview 时是要查看的已生成网站，默认 SITE/output")
    p.add_argument("-j", "--jobs", type=jobs_arg, metavar="N", help="同时使用的进程数，默认为全部 CPU 核心")
    p.add_argument("--preview", action="store_true",
                   help="不生成：按网站服务器的方式提供已生成的网站（自己的 404 页面、发布地址的路径），"
                        "只读，不自动刷新 / serve a built output/ as a web host would")
    p.add_argument("--base-url", type=base_url_arg,
                   help="与 --preview 一起用：网站生成时的发布地址（默认从生成的 feed.xml 读出）")


@verb("serve", "本机预览：生成网站并提供访问，修改内容后自动更新浏览器 / preview with live reload")(_serve_options)
def cmd_serve(args) -> int:
    if args.base_url and not args.preview:
        raise UsageError("--base-url 只和 --preview 一起用：本机预览总是按预览地址生成。")
    try:
        with stopped_by_terminate():
            return _serve(args)
    except OSError as exc:  # the port is taken, or the address cannot be used
        raise UsageError(f"无法在 {args.host}:{args.port} 上提供预览：{exc.strerror or exc}。"
                         f"请换一个端口（--port 8001）。") from None


def _serve(args) -> int:
    if args.preview:
        server = serve_built(args.output or args.site / "output", host=args.host, port=args.port,
                             base_url=args.base_url)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            print("正在停止 / stopping …")
        finally:
            server.stop()
        return 0
    preview = Preview(args.site, args.output, host=args.host, port=args.port, jobs=args.jobs)
    preview.serve_forever()
    return 0
