"""Link checking over the rendered pages, in ``check`` and in ``build``.

Every internal link (a relative or root-relative ``href``/``src``/``srcset`` in a rendered HTML page;
templates write them with ``url()``, so they start with the site's base path) must resolve to a page
or a file of the build. Links written in a story's Markdown were recorded by the model with their
file, line and column (``Model.internal_links``) and are reported there; any other broken link is
reported at the template that produced it. External links (``http(s)://`` ...) are only listed,
never fetched.

The attributes are found with ``bytes.find`` over each page: the HTML is our own (Jinja2 autoescaping
and nh3 both write double-quoted attributes), and a parser (or even one regular expression) would cost
a good part of the rendering time at city scale.
"""

from __future__ import annotations

import html
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import unquote, urlsplit

from ..errors import Problem

_ATTRS = (b'href="', b'src="', b'srcset="', b'poster="', b'action="')
_SPACE = b" \t\n\r\f"
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
# a root-relative path that urlsplit, normpath and unquote leave as it is: no query, fragment, escape, tab or
# line break, no "//", and no segment starting with a dot ("/./", "/../"). Segments are separated by a
# mandatory "/", so the match is linear (an optional one made it exponential on a long segment).
_SEGMENT = r"[^/?#%.\t\r\n][^/?#%\t\r\n]*"
_PLAIN = re.compile(rf"/(?:{_SEGMENT}(?:/{_SEGMENT})*/?)?")

# Output folders made by FINISHERS after the pages are written (e.g. a search index): in ``check``
# nothing is written, so links into them cannot be looked up. A finisher declares them with a
# ``produces = ("search-index/",)`` attribute; see :func:`finisher_prefixes`.


def _values(data: bytes):
    """(value, is srcset) of every href/src/srcset/poster/action attribute written as name="value"."""
    for attr in _ATTRS:
        start = data.find(attr)
        while start >= 0:
            end = data.find(b'"', start + len(attr))
            if end < 0:
                break
            if start and data[start - 1] in _SPACE:
                yield data[start + len(attr):end], attr == b'srcset="'
            start = data.find(attr, end + 1)


def _text(raw: bytes) -> str:
    return html.unescape(raw.decode("utf-8", "replace")).strip()


_SKIP = ("", None)  # (a link that is not checked nor listed)
# base path → {root-relative attribute value → _classify's result}: a page's navigation, header, footer and
# filters repeat on every page a process renders; bounded, for a city's worth of distinct addresses
_ROOTED: dict[str, dict[bytes, tuple[str, str | None]]] = {}
_ROOTED_MAX = 50_000


def finisher_prefixes(finishers) -> tuple[str, ...]:
    return tuple(p for f in finishers for p in getattr(f, "produces", ()))


@dataclass
class LinkCheck:
    base_path: str  # "/" or "/pledge/"
    internal: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # target → (page, template, href)
    external: dict[str, set[str]] = field(default_factory=dict)  # url → page outputs
    seen: set[bytes] = field(default_factory=set)  # root-relative values already taken (nav, filters ...)
    # files the build is sure to write (its pages, static files, photos): a link to one that :meth:`take` is given
    # is not kept to be checked (the internal links of a 10,000-post city, with the page of each, were ~40 MB held
    # to the build's end; a page's own LinkCheck, in the process that renders it, is made without them)
    written: set[str] | frozenset[str] = frozenset()

    def add_page(self, output: str, template: str | None, data: bytes) -> None:
        """Collect the links of one rendered page (HTML pages only)."""
        if not output.endswith(".html"):
            return
        page_url = self.base_path + (output[: -len("index.html")] if output.endswith("index.html") else output)
        seen, internal, external = self.seen, self.internal, self.external
        resolved = _ROOTED.setdefault(self.base_path, {})
        for raw, srcset in _values(data):
            if raw[:1] == b"/" and raw[:2] != b"//":  # the same on every page: look at it once
                if raw in seen:
                    continue
                seen.add(raw)
                if not srcset:  # what it points to does not depend on the page: worked out once a process
                    found = resolved.get(raw)
                    if found is None:
                        if len(resolved) >= _ROOTED_MAX:
                            resolved.clear()
                        found = resolved[raw] = self._classify(_text(raw), page_url)
                    if found is not _SKIP:
                        value, target = found
                        if target is None:
                            external.setdefault(value, set()).add(output)
                        else:
                            internal.setdefault(target, (output, template or "", value))
                    continue
            value = _text(raw)
            if srcset:
                for part in value.split(","):
                    if part.strip():
                        self._add(part.split()[0], page_url, output, template)
            else:
                self._add(value, page_url, output, template)

    def take(self, internal: dict[str, tuple[str, str, str]], external: dict[str, list[str]]) -> None:
        """Add the links another LinkCheck collected from a page (after those of the pages before it: the first page
        to link to an address is the one named)."""
        written, mine = self.written, self.internal
        for target, value in internal.items():
            if target not in written:
                mine.setdefault(target, value)
        for url, where in external.items():
            self.external.setdefault(url, set()).update(where)

    def _classify(self, value: str, page_url: str):
        """(value, target) of an internal link, (value, None) of an external one or a path outside the
        site (listed, not checked), _SKIP for fragments, ``mailto:``, ``tel:`` ..."""
        if not value or value.startswith("#"):
            return _SKIP
        if value.startswith("//") or _SCHEME.match(value):
            if value.lower().startswith(("http:", "https:", "//")):
                return value, None
            return _SKIP  # mailto:, tel:, data: ...
        return value, self.target(value, page_url)  # None: a path on the same host outside the site

    def _add(self, value: str, page_url: str, output: str, template: str | None) -> None:
        found = self._classify(value, page_url)
        if found is _SKIP:
            return
        value, target = found
        if target is None:
            self.external.setdefault(value, set()).add(output)
        else:
            self.internal.setdefault(target, (output, template or "", value))

    def target(self, value: str, page_url: str) -> str | None:
        """The output file a link points to (``posts/x/index.html``), or None outside the base path."""
        if value[:1] == "/" and _PLAIN.fullmatch(value):  # nothing to split, normalise or unquote (most links)
            path = value
            if path == self.base_path.rstrip("/"):
                path = self.base_path
            if not path.startswith(self.base_path):
                return None
            rel = path[len(self.base_path):]
            return rel + "index.html" if rel == "" or rel.endswith("/") else rel
        path = urlsplit(value).path
        if not path.startswith("/"):
            path = posixpath.join(posixpath.dirname(page_url), path) + ("/" if path.endswith("/") else "")
        trailing = path.endswith("/")
        path = posixpath.normpath(path) + ("/" if trailing and path != "/" else "")
        if path == self.base_path.rstrip("/"):
            path = self.base_path
        if not path.startswith(self.base_path):
            return None
        rel = unquote(path[len(self.base_path):])
        return rel + "index.html" if rel == "" or rel.endswith("/") else rel

    def problems(self, files: set[str], prefixes: tuple[str, ...], markdown_links, locate,
                 broken: frozenset[str] = frozenset(),
                 markdown: tuple[tuple[Problem, ...], frozenset[str]] | None = None) -> list[Problem]:
        """Broken links: those written in Markdown at their source line, the others at the template.

        ``files`` are the output paths of the build; ``markdown_links`` the model's
        (path, line, col, written, url) records; ``locate(template, target)`` → (path, line);
        ``broken`` the pages of content files with problems of their own (``Model.broken``): links to
        them are not reported, the files' own problems are; ``markdown``: :meth:`markdown_problems` of the
        same, when known.
        """
        exists = self._exists(files, prefixes, broken)
        out, reported = markdown if markdown is not None else \
            self.markdown_problems(files, prefixes, markdown_links, broken)
        out = list(out)
        for target, (page, template, href) in sorted(self.internal.items()):
            if exists(target) or target in reported:
                continue
            path, line = locate(template, target)
            out.append(Problem(path, line, 0,
                               f"生成的页面 `{page}` 里的链接 `{href}` 找不到对应的页面或文件：请检查模板里的 url(...)，"
                               f"或补上 static/ 下的文件。"))
        return out

    def _exists(self, files: set[str], prefixes: tuple[str, ...], broken: frozenset[str]) -> Callable[[str], bool]:
        skip = {self.target(self.base_path + url, self.base_path) for url in broken}

        def exists(target: str) -> bool:
            return (target in files or f"{target}/index.html" in files or target in skip
                    or any(target.startswith(p) for p in prefixes))
        return exists

    def markdown_problems(self, files: set[str], prefixes: tuple[str, ...], markdown_links,
                          broken: frozenset[str] = frozenset()) -> tuple[tuple[Problem, ...], frozenset[str]]:
        """The problems of the links written in Markdown (see :meth:`problems`), and their targets: a function of
        the files, the links and the pages with problems alone (the pipeline keeps it while they are the same)."""
        exists = self._exists(files, prefixes, broken)
        out, reported = [], set()
        for path, line, col, written, url in markdown_links:
            target = self.target(url, self.base_path)
            if target is None or exists(target):
                continue
            reported.add(target)
            out.append(Problem(path, line, col,
                               f"链接 `{written}` 指向 `{url}`，但网站上没有这个页面（对应的记录可能尚未批复、"
                               f"本人未同意公开，或编号写错了）：请改正或删除这个链接。"))
        return tuple(out), frozenset(reported)

    def external_links(self, model) -> list[tuple[str, list[str]]]:
        """Every external URL with where it was written: the content file when known, else the pages showing it."""
        sources = content_sources(model)
        out: dict[str, list[str]] = {url: sorted(where) for url, where in sources.items()}
        for url, pages in self.external.items():
            if url not in out:
                pages = sorted(pages)
                out[url] = pages[:3] + ([f"等 {len(pages)} 个页面"] if len(pages) > 3 else [])
        return sorted(out.items())


def content_sources(model) -> dict[str, set[str]]:
    """External URLs written in the content, with the content file that holds each."""
    sources: dict[str, set[str]] = {}
    for path, url in model.external_links:  # links in stories
        sources.setdefault(url, set()).add(path)
    website = model.settings.organisation.get("website")
    if website:
        sources.setdefault(website, set()).add("content/site.yaml")
    for unit in model.units:
        if unit.website:
            sources.setdefault(unit.website, set()).add(f"content/units/{unit.id}.yaml")
    for post in model.posts:
        if post.feedback.get("form"):
            sources.setdefault(post.feedback["form"], set()).add(f"content/posts/{post.id}.yaml")
    return sources


def template_locator(dirs: list[Path], shown):
    """``locate(template, target)``: the template line that writes the target literally, else the template."""
    cache: dict[str, list[tuple[str, list[str]]]] = {}

    def sources() -> list[tuple[str, list[str]]]:
        if "all" not in cache:
            found = []
            for folder in dirs:
                for file in sorted(folder.rglob("*.html")):
                    try:
                        found.append((shown(str(file)), file.read_text(encoding="utf-8").split("\n")))
                    except (OSError, UnicodeDecodeError):
                        continue
            cache["all"] = found
        return cache["all"]

    def locate(template: str, target: str) -> tuple[str, int]:
        literal = target[: -len("index.html")] if target.endswith("index.html") else target
        if literal:
            for path, lines in sources():
                for i, line in enumerate(lines, 1):
                    if f"'{literal}'" in line or f'"{literal}"' in line:
                        return path, i
        for folder in dirs:
            if template and (folder / template).is_file():
                return shown(str(folder / template)), 0
        return f"templates/{template}" if template else "templates", 0

    return locate
