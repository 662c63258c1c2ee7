"""Story bodies, rendered once: Markdown HTML cached by content and rendered in parallel.

:func:`model.markdown.render_markdown` is a pure function of a body and of the answers its ``url_filter``
gives (the filter rewrites links and images and, as it goes, registers photos and reports broken
links). So the cache keeps, for each body's hash, the HTML and every (tag, attribute, value) →
answer the filter gave. Using an entry means calling the filter again with the same questions, in
the same order — which redoes its side effects — and checking that every answer is the same; if one
differs (a linked record was deleted, a photo changed), the side effects are undone and the body is
rendered again.

The entries are kept in 16 sections (``markdown-N``, by the body's hash), so that a build that renders
one new body writes one sixteenth of them again, not all.

When a build has many bodies that are not in the cache, they are rendered in forked worker processes
first; each worker's filter answers for its own copy of the model builder, and the build process then
uses the results exactly like cache entries (so the side effects happen once, in the build process).
"""

from __future__ import annotations

from typing import Any, Callable

from .. import workers
from ..model.markdown import MarkupError, render_markdown
from .cache import Cache
from ..digests import digest

SHARDS = 16
POOL_MIN_STORIES = 40
CHUNK = 8  # bodies per task, at least

UrlFilter = Callable[[str, str, str], "str | None"]


def _section(key: bytes) -> str:
    return f"markdown-{key[0] % SHARDS}"


def _key(body: str, keys: dict[str, bytes] | None) -> bytes:
    """The hash of ``body``, kept in ``keys`` (a build asks twice for each of its stories, before and as it renders
    them: 55 ms of hashing at 10,000 posts; the body is a key by its own hash, which Python keeps with it)."""
    key = keys.get(body) if keys is not None else None
    if key is None:
        key = digest(body.encode("utf-8"))
        if keys is not None:
            keys[body] = key
    return key


def render(body: str, url_filter: UrlFilter, cache: Cache | None, undo: Callable[[], None],
           ready: dict[bytes, tuple] | None = None, keys: dict[str, bytes] | None = None) -> str:
    """The HTML of ``body`` (see the module's docstring); ``undo()`` rolls back the filter's side effects;
    ``keys``: the bodies' hashes worked out so far."""
    key = _key(body, keys)
    name = _section(key)
    section = cache.section(name) if cache is not None else {}
    for source in (section, ready or {}):
        entry = source.get(key)
        if entry is not None:
            html, calls = entry
            if all(url_filter(tag, attr, value) == answer for tag, attr, value, answer in calls):
                if source is not section and cache is not None:
                    section[key] = entry
                    cache.touch(name)
                return html
            undo()
    calls: list[tuple] = []

    def recording(tag: str, attr: str, value: str):
        answer = url_filter(tag, attr, value)
        calls.append((tag, attr, value, answer))
        return answer

    html = render_markdown(body, url_filter=recording)
    if cache is not None:
        section[key] = (html, calls)
        cache.touch(name)
    return html


_JOBS: list[tuple[str, Callable[[], UrlFilter]]] = []
_ALONGSIDE: Callable[[], Any] | None = None  # what runs in a worker while the bodies are rendered (see prerender)


def _render_part(indices: list[int] | None) -> Any:
    """The HTML and filter calls of some bodies; for ``None``, what ``alongside`` returns."""
    if indices is None:
        return _ALONGSIDE()
    out = []
    for i in indices:
        body, make_filter = _JOBS[i]
        url_filter = make_filter()
        calls: list[tuple] = []

        def recording(tag, attr, value, url_filter=url_filter, calls=calls):
            answer = url_filter(tag, attr, value)
            calls.append((tag, attr, value, answer))
            return answer

        try:
            out.append((render_markdown(body, url_filter=recording), calls))
        except MarkupError:
            out.append(None)  # rendered again in the build process, which reports the problem
    return out


def prerender(bodies: list[tuple[str, Callable[[], UrlFilter]]], cache: Cache | None, jobs: int,
              alongside: Callable[[], Any] | None = None,
              keys: dict[str, bytes] | None = None) -> tuple[dict[bytes, tuple], Any]:
    """Render the bodies that are not cached in worker processes: (body hash → (html, calls), what
    ``alongside()`` returns). ``alongside`` (the model's replay of the evaluations) is the first task a worker
    gets, while this process renders bodies; with no bodies to render, or no worker, it runs here."""
    global _JOBS, _ALONGSIDE
    def cached(key: bytes) -> bool:
        return cache is not None and key in cache.section(_section(key))

    todo = [i for i, (body, _) in enumerate(bodies) if not cached(_key(body, keys))]
    if jobs <= 1 or len(todo) < POOL_MIN_STORIES or not workers.can_fork():
        return {}, alongside() if alongside is not None else None
    _JOBS, _ALONGSIDE = bodies, alongside
    try:
        # smaller parts beside a long task in a worker: this process takes the bodies while the worker is busy
        parts = workers.chunks(todo, jobs * (4 if alongside is not None else 1), CHUNK)
        ready, beside = {}, None
        results = workers.run(_render_part, ([None] if alongside is not None else []) + parts, jobs)
        if alongside is not None:
            beside = next(results)
        for part, found in zip(parts, results):
            for i, result in zip(part, found):
                if result is not None:
                    ready[_key(bodies[i][0], keys)] = result
        return ready, beside
    finally:
        _JOBS, _ALONGSIDE = [], None


class CachedMarkdown:
    """The model's Markdown renderer (``model.build.MarkdownRenderer``) for a build with ``cache``."""

    def __init__(self, cache: Cache | None, jobs: int):
        self.cache, self.jobs = cache, jobs
        self.keys: dict[str, bytes] = {}  # the bodies' hashes, for this build

    def prerender(self, bodies: list[tuple[str, Callable[[], UrlFilter]]],
                  alongside: Callable[[], Any] | None = None) -> tuple[dict[bytes, tuple], Any]:
        return prerender(bodies, self.cache, self.jobs, alongside, self.keys)

    def render(self, body: str, url_filter: UrlFilter, undo: Callable[[], None], ready: dict) -> str:
        return render(body, url_filter, self.cache, undo, ready, self.keys)
