"""Full-text search: a Pagefind index of the written site, and the search page that uses it.

Search is an optional extra. The index is built by the Pagefind binary from the npm package
``pagefind`` at exactly :data:`VERSION` (``bash scripts/install-node-deps.sh`` installs it into
``node_modules/``). We pin the npm release rather than the PyPI one (1.5.2) because 1.6.0 segments
Chinese the way browsers do: over the sample city, 1.5.2 finds no page at all for a member's name
(李东升) and misses pages for common words (公交, 社保, 医保, 少儿, 一次办好); 1.6.0 finds every page
that contains the query (tests/test_citizen.py checks real queries).

When the binary is missing (or is another version), the build goes on without search: no search
page, no search link, and one line on stderr saying how to install it. Every page still works without
JavaScript; the search page itself says so and links to the filter pages.

The index is written by :func:`index`, a pipeline finisher that runs on the freshly written output
folder before it is swapped in. Pages opt in with ``data-pagefind-body`` (posts, members, units,
stories); their filters are 区县/行业/单位/星级 (district, sector, unit, stars). Pagefind is given only
the folders of those pages (:data:`INDEXED`): it would otherwise read and parse every other page (print
pages, short addresses, lists) only to find no ``data-pagefind-body`` in them — 40 % of its time and a
fifth of its memory on a 1,000-post city (docs/performance.md). A site's own template that marks
another kind of page for search must add that page's folder here.

A build keeps the index of the previous output when the pages in those folders are the same and the
Pagefind version is too (:func:`inputs`, :func:`identity`; the pipeline compares their digest with the
one kept in the index folder). One index for the whole site, not one per kind of page merged in the
browser: that was tried (it would bound Pagefind's memory and re-index only the kind of page that
changed), but each index then loosens a query on its own when none of its pages holds every term, and
挂号单 on the sample city found 23 pages instead of the one story that contains it.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Iterator

from ..errors import UsageError
from ..model.build import Model
from .web import Page

VERSION = "1.6.0"
BUNDLE = "pagefind"  # the index folder inside the output
INDEXED = ("posts", "members", "units", "stories")  # the folders of the pages marked data-pagefind-body
ENV = "SITE_BUILDER_PAGEFIND"  # path of a pagefind_extended binary to use instead of node_modules/
CHECKOUT = Path(__file__).resolve().parents[2]


def candidates(site: Path) -> list[Path]:
    """Where the binary may be: $SITE_BUILDER_PAGEFIND, the site's node_modules/, the checkout's.

    The site's node_modules/ is skipped when git tracks anything in it: then it came with the content
    (e.g. in a pull request, which `check` runs on), and a program found there must never be run.
    """
    if os.environ.get(ENV):
        return [Path(os.environ[ENV])]
    found = []
    for root in dict.fromkeys([site.resolve(), CHECKOUT]):
        if root != CHECKOUT and _tracked(root, "node_modules"):
            continue
        found += sorted((root / "node_modules" / "@pagefind").glob("*/bin/pagefind_extended*"))
    return [p for p in found if not p.name.endswith(".sha256")]


@functools.lru_cache(maxsize=8)
def _tracked(root: Path, folder: str) -> bool:
    """Whether ``root`` is in a git work tree that tracks a file under ``folder`` (or ``folder`` itself)."""
    if not (root / folder).exists() and not (root / folder).is_symlink():
        return False
    try:
        proc = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--", folder],
                              capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return False  # no git: not a checkout of anyone's pull request
    if proc.returncode == 0 and proc.stdout:
        print(f"注意：{root / folder} 里有 git 管理的文件，不运行其中的程序（站内搜索只用另外安装的 pagefind）。",
              file=sys.stderr)
        return True
    return False


@functools.lru_cache(maxsize=8)
def _version(path: Path, mtime: float) -> str | None:
    try:
        proc = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    words = proc.stdout.split()
    return words[-1] if proc.returncode == 0 and words else None


def find(site: Path) -> tuple[Path | None, str]:
    """(binary, "") when the pinned Pagefind is installed, else (None, why not, as one line)."""
    seen = []
    for path in candidates(site):
        try:
            version = _version(path, path.stat().st_mtime)
        except OSError:
            version = None
        if version == VERSION:
            return path, ""
        seen.append(f"{path}（{version or '无法运行'}）")
    hint = f"本次未生成站内搜索：需要 pagefind {VERSION}（运行 bash scripts/install-node-deps.sh，" \
           f"或在站点文件夹里 npm install pagefind@{VERSION}）"
    return None, hint + (f"；找到的不可用：{'，'.join(seen)}。" if seen else "。")


def enabled(model: Model) -> bool:
    return find(model.content.parent)[0] is not None


def pages(model: Model) -> Iterator[Page]:
    """The search page, only when the index will be built."""
    binary, why = find(model.content.parent)
    if binary is None:
        print(f"提示：{why}", file=sys.stderr)
        return
    s = model.settings
    yield Page("search/", "search.html", {
        "bundle": f"{s.base_path}{BUNDLE}/",
        "districts": list(s.districts.items()),
        "sectors": list(s.sectors.items()),
    })


def inputs(model: Model) -> tuple[str, ...]:
    """Pipeline: the output folders the index is made from."""
    return tuple(f"{name}/" for name in INDEXED)


def identity(model: Model) -> str:
    """Pipeline: what the index depends on besides those pages (an index made by another Pagefind is made again)."""
    return f"pagefind {VERSION}; {_glob()}"


def _glob() -> str:
    return f"{{{','.join(INDEXED)}}}/**/*.html"


class Indexing:
    """A Pagefind run in the background (:func:`start`): ``wait()`` for it, or ``stop()`` it."""

    def __init__(self, proc: subprocess.Popen, log):
        self.proc, self.log = proc, log

    def wait(self) -> None:
        try:
            code = self.proc.wait(timeout=1800)
        except subprocess.TimeoutExpired:
            self.stop()
            raise UsageError("pagefind 建立搜索索引失败：超过 30 分钟仍未完成。已发布的 output/ 保持原样。") from None
        self.log.seek(0)
        text = self.log.read().decode("utf-8", "replace")
        self.log.close()
        if code != 0:
            detail = text.strip().splitlines()[-1:] or ["无输出"]
            raise UsageError(f"pagefind 建立搜索索引失败（退出码 {code}）：{detail[0]}。已发布的 output/ 保持原样。")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.log.close()


def start(folder: Path, model: Model) -> Indexing | None:
    """Start indexing the written pages in ``folder`` into ``folder/pagefind/``; None without Pagefind.

    The pipeline starts it as soon as the indexed pages are written and renders the other pages (print
    pages, lists, feeds) meanwhile: Pagefind uses one core and takes about as long as the rest of the build.
    """
    binary, _ = find(model.content.parent)
    if binary is None:
        return None
    cmd = [str(binary), "--site", str(folder), "--output-subdir", BUNDLE, "--silent", "--glob", _glob()]
    log = tempfile.TemporaryFile()  # (a file, not a pipe: nobody reads a pipe while the pages are rendered)
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    except OSError as exc:
        log.close()
        raise UsageError(f"pagefind 建立搜索索引失败：{exc}。已发布的 output/ 保持原样。") from None
    return Indexing(proc, log)


def index(folder: Path, model: Model) -> None:
    """Finisher: index the written site in ``folder`` into ``folder/pagefind/``."""
    running = start(folder, model)
    if running is not None:
        running.wait()


index.start = start  # pipeline: may run while the pages it does not read are rendered
index.enabled = enabled  # pipeline: whether this finisher will run for a model
index.produces = (f"{BUNDLE}/",)  # linkcheck: links into the index folder are made by this finisher
index.inputs = inputs  # pipeline: the index is kept while these pages and its identity are unchanged
index.identity = identity
