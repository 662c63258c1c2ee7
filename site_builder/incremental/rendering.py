"""Stage 4, render, handing each page to stage 5, write: on every core, skipping unchanged pages.

For every page the build cache remembers the digest of its context, the keys of the model objects it
read (see :mod:`tracking`), the hash of its bytes and the links in it; and, for the whole build, the
digest of every model object. A page whose context digest is unchanged and none of whose objects
changed is not rendered: the writer keeps the previous build's file (a hard link, or nothing at all in
place) and the link check gets the page's links from the cache. A page's links are kept pickled, in
sections of their own (:attr:`Done.links`), and read and unpickled only for a link check that needs them: a
warm build that writes the same files as the build it updates checks only the rendered pages' links. The
other pages are rendered in forked worker processes, which write their files straight into the writer's new
folder; results come back in page order, so a parallel build is byte for byte a serial one.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Iterable, Sequence, Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, NamedTuple

import jinja2

from . import tracking
from .cache import Cache
from .derived import Derivations
from ..render import linkcheck
from ..write import output
from .. import memo, workers
from ..errors import Problem
from ..render.templates import Renderer, TemplateProblem
from ..pages.web import Chunks, Page

POOL_MIN_PAGES = 200  # fewer pages are rendered in the build process


class Done(NamedTuple):
    """What a rendered page left behind (kept in the cache's ``pages-N`` sections).

    A tuple, not a dataclass: a city's tens of thousands of them are unpickled at every warm build, and a
    tuple is made without an attribute dict.
    """

    fingerprint: bytes | None  # the digest of its context (tracking.Fingerprints.context); None: always rendered
    objects: tuple
    attributes: tuple
    digest: bytes  # of the page's bytes
    # its links (internal, external) as linkcheck.LinkCheck records them, pickled (see _add_links). Empty in the
    # cache's entries, which keep them apart (pipeline: three quarters of the entries' bytes, read only for a link
    # check that needs them), and in a build that keeps nothing for the next (the link check took them as the
    # page came)
    links: bytes
    found: tuple = ()  # (finisher name, what its ``extract`` found in the page), for each that found something

    def __reduce__(self):
        # made again by tuple.__new__ (a namedtuple's own __new__ is Python code): every warm build reads back the
        # entry of every page, 178,000 at 10,000 posts, 230 -> 173 ms
        return tuple.__new__, (Done, tuple(self))


def _links(internal: dict, external: dict) -> bytes:
    return pickle.dumps((internal, external), protocol=5)


# What a page rendered by a build that keeps nothing for the next leaves behind when it offered the finishers
# nothing: one entry for them all (its digest is the writer's already; 178,000 entries were ~27 MB of the build
# process at the end of the rendering, its peak, at 10,000 posts)
UNKEPT = Done(None, (), (), b"", b"")


@dataclass
class _Stage:
    pages: list[Page]
    renderer: Renderer
    fingerprints: tracking.Fingerprints | None
    base_path: str
    new: str | None  # the new output, when the rendering processes write the pages' files (output.target_in)
    old: Path | None  # the previous output, to hard-link unchanged files from
    extractors: list[tuple]  # (finisher name, its ``extract``, its ``prepare`` or None)
    derivations: Derivations
    spill: str | None = None  # the folder where what the extractors found goes, instead of into the results
    # output path → (the parts, their digest) of the files given in parts this process rendered last (``serve``)
    chunk_digests: dict[str, tuple[Chunks, bytes]] | None = None


_STAGE: _Stage | None = None


def _digest(last: dict[str, tuple[Chunks, bytes]] | None, path: str, data: Any) -> bytes:
    """``data``'s digest; a file given in parts equal to those rendered last (``last``: serve's, by output path) has
    their digest, not hashed again: the open-data files at 10,000 posts (86 MB), made again from the same pieces
    for a member's edit that none of them shows (their pledge), are compared as 20,000 parts that are mostly the
    very same objects (a tuple's ``==`` tells those apart without looking at their bytes)."""
    if last is None or type(data) is not Chunks:
        return output.digest(data)
    found = last.get(path)
    if found is not None and found[0] == data:
        return found[1]
    content = output.digest(data)
    last[path] = (data, content)
    return content


def _render_one(i: int) -> tuple[Any, ...]:
    """("ok", Done, changed, data or None) or ("problem", Problem)."""
    s = _STAGE
    page = s.pages[i]
    try:
        if s.fingerprints is not None:
            data, reads = tracking.record(lambda: s.renderer.render(page))
        else:
            data, reads = s.renderer.render(page), None
    except TemplateProblem as exc:
        return ("problem", exc.problem)
    fingerprint, objects, attributes = None, (), ()
    if reads is not None:
        objects, attributes = s.fingerprints.inputs(page, reads)
        fingerprint = s.fingerprints.context(page)
    links = linkcheck.LinkCheck(s.base_path)
    found, prepared = [], []
    if type(data) is not Chunks:  # (a file given in parts is data, never a web page)
        links.add_page(page.output, page.template, data)
        for name, extract, prepare in s.extractors:
            value = extract(data)
            if value is not None:
                found.append((name, value))
                if prepare is not None:
                    prepared.append((name, prepare(page.url, value)))
    found = tuple(found)
    done = Done(fingerprint, objects, attributes, _digest(s.chunk_digests, page.output, data),
                _links(links.internal, {url: sorted(pages) for url, pages in links.external.items()}), found)
    if s.new is None:
        return ("ok", done, None, data, tuple(prepared))
    changed = output.store(output.target_in(s.new, page.output), s.old / page.output if s.old is not None else None,
                           data, fresh=True)  # (workers write only into a new output folder: see render_all)
    return ("ok", done, changed, None, tuple(prepared))


def _render_part(indices: list[int]) -> tuple[list[tuple[Any, ...]], dict, dict]:
    """The results of some pages, the memo entries (QR codes ...) and the derived values made while rendering
    them."""
    active, derivations = memo.ACTIVE, _STAGE.derivations
    if active is not None:
        active.added.clear()  # a forked worker starts with its parent's
    derivations.sent()  # (likewise)
    results = []
    for i in indices:
        results.append(_render_one(i))
        derivations.page_done()
    if _STAGE.spill is not None:
        results = _spilled_part(indices, results, _STAGE.spill)
    return results, dict(active.added) if active is not None else {}, derivations.sent()


def _spilled_part(indices: list[int], results: list[tuple], folder: str) -> list[tuple]:
    """The results with what the extractors found written to a file of ``folder`` instead (see :func:`spilled`);
    as they are if it cannot be written (a full disk: the build process holds it, as without a folder)."""
    found, without = [], []
    for i, result in zip(indices, results):
        if result[0] == "ok" and (result[1].found or result[4]):
            found.append((i, result[1].found, result[4]))
            result = (result[0], result[1]._replace(found=()), result[2], result[3], ())
        without.append(result)
    if not found:
        return results
    path = os.path.join(folder, f"{indices[0]}.pickle")
    try:
        with open(path, "wb") as f:
            pickle.dump(found, f, protocol=5)
    except OSError:
        try:
            os.unlink(path)
        except OSError:
            pass
        return results
    return without


def spilled(folder: str) -> list[tuple[int, tuple, tuple]]:
    """(page index, what the extractors found, what ``prepare`` made of it) of every page rendered with
    ``spill=folder`` that found something, in page order.

    A build that keeps nothing for the next (``--no-cache``, as CI builds) needs what the pages offer the
    search index only once every page is rendered, and it is a quarter of a gigabyte at 10,000 posts: the
    processes that render write it to files, rather than the build process holding it while the rendering
    peaks (the build process and a worker each with its copy of the model)."""
    found: list[tuple[int, tuple, tuple]] = []
    for name in os.listdir(folder):
        if name.endswith(".pickle"):
            with open(os.path.join(folder, name), "rb") as f:
                found.extend(pickle.load(f))
    found.sort(key=lambda item: item[0])
    return found


class RenderProblem(Exception):
    def __init__(self, problem: Problem):
        super().__init__(problem.format())
        self.problem = problem


@dataclass
class Plan:
    """Which pages are unchanged since the cached build (kept) and which must be rendered (todo)."""

    kept: dict[int, Done]
    todo: Sequence[int]  # in order (a build that keeps nothing: a range, not 178,000 numbers at 10,000 posts)
    # ``others``: every page neither in ``kept`` nor in ``todo`` is kept as well, as these entries (the cached build's,
    # by output path) have it (a plan that knew which pages to look at did not list the others one by one);
    # ``outputs``: then, each page's output path
    others: dict[str, Done] | None = None
    outputs: list[str] | None = None
    # ``covers``: ``others`` has an entry for each page and for nothing else (a copy of it is then every page's entry)
    covers: bool = False


def _as_left(i: int, page: Page, entry: Done | None, unchanged: tracking.Unchanged,
             fingerprints: tracking.Fingerprints, same: AbstractSet[int]) -> bool:
    """Whether page ``i`` is as the cached build left it (``entry``): nothing it read changed, nor its context."""
    return (entry is not None and entry.fingerprint is not None and unchanged.covers(entry.objects, entry.attributes)
            and (i in same or fingerprints.context(page) == entry.fingerprint))


def plan(pages: list[Page], previous: dict[str, Done], fingerprints: tracking.Fingerprints | None,
         jobs: int = 1, digests: tracking.Digests | None = None, same: AbstractSet[int] = frozenset(),
         readers=None, *, outputs: Sequence[str] | None = None, where: dict[str, int] | None = None,
         fresh: Iterable[int] | None = None, covers: bool = False) -> Plan:
    """Which pages are as the cached build left them: ``previous`` and ``digests`` are what that build kept of its
    pages and of its model objects (``jobs``: for the objects' digests, if not worked out yet); ``same``, the
    pages whose context is the one that build compared (reused from its page list, see :mod:`listing`);
    ``readers``, which pages read each object, if known (:class:`readers.Readers` of ``previous``): then only
    the pages that read a changed object, and those whose context is compared, are looked at (``outputs``,
    ``where``, ``fresh``, ``covers``: see :func:`_plan_looking_at`).

    The pages are compared in this process: 0.6 s for 178,000 at 10,000 posts, where forking a worker for half of
    them made it 0.7 s, and the rest of the build slower (the worker's copy of the pages it touched)."""
    if fingerprints is None or not previous or digests is None:
        return Plan({}, range(len(pages)))
    unchanged = fingerprints.unchanged(digests, jobs)
    look = readers.look_at(unchanged) if readers is not None else None
    if look is not None:
        return _plan_looking_at(pages, previous, look, unchanged, fingerprints, same, outputs, where, fresh, covers)
    kept: dict[int, Done] = {}
    todo: list[int] = []
    same = same if isinstance(same, frozenset) else frozenset(same)  # (a look at each page: a set lookup each)
    for i, page in enumerate(pages):
        entry = previous.get(page.output)
        if look is not None and entry is not None and i in same and page.output not in look \
                or _as_left(i, page, entry, unchanged, fingerprints, same):
            kept[i] = entry
        else:
            todo.append(i)
    return Plan(kept, todo)


def _plan_looking_at(pages: list[Page], previous: dict[str, Done], look: set[str], unchanged: tracking.Unchanged,
                     fingerprints: tracking.Fingerprints, same: AbstractSet[int], outputs: Sequence[str] | None = None,
                     where: dict[str, int] | None = None, fresh: Iterable[int] | None = None,
                     covers: bool = False) -> Plan:
    """:func:`plan` when it knows the pages that read something changed (``look``): only they, the pages whose
    context is compared (not in ``same``: ``fresh``, if known) and the pages without an entry are looked at; every
    other page is kept (:attr:`Plan.others`), with no step a page but its output path taken. ``outputs``: each
    page's output path, ``where``: each output path's page, if known (``serve``: the last rebuild's, when the
    pages are at the same places); ``covers``: ``previous`` is known to have an entry for each page and no other."""
    if outputs is None:
        outputs = [page.output for page in pages]
    if where is None:
        where = dict(zip(outputs, range(len(outputs))))
    indices = set(fresh) if fresh is not None else set(range(len(outputs))).difference(same)
    indices.update(where[output] for output in look if output in where)
    if not covers:  # (serve: known when these entries are those the build before saved for these pages)
        missing = where.keys() - previous.keys()
        indices.update(where[output] for output in missing)
        covers = not missing and len(previous) == len(where)
    kept: dict[int, Done] = {}
    todo: list[int] = []
    for i in sorted(indices):
        entry = previous.get(outputs[i])
        if _as_left(i, pages[i], entry, unchanged, fingerprints, same):
            kept[i] = entry
        else:
            todo.append(i)
    return Plan(kept, todo, previous, outputs, covers)


def render_all(pages: list[Page], renderer: Renderer, *, writer: output.Writer | None, links: linkcheck.LinkCheck,
               planned: Plan, fingerprints: tracking.Fingerprints | None, jobs: int = 1,
               progress: Callable[[str, int, int], None] | None = None,
               kept_links: Callable[[str], bytes | None] | None = None,
               extractors: list[tuple] = (), prepared: dict[str, tuple] | None = None,
               ready: Callable[[list[int]], None] | None = None,
               derivations: Derivations | None = None, spill: str | None = None,
               page_files: frozenset[str] | None = None,
               chunk_digests: dict[str, tuple[Chunks, bytes]] | None = None) -> tuple[dict[str, Done], list[int]]:
    """Render (or keep) every page; returns (what each page left behind, the pages rendered, in order).

    ``planned``: from :func:`plan` over the cache's entries of the build whose output ``writer``
    replaces (or, without a writer, of any earlier build); ``fingerprints`` None records nothing.
    ``kept_links(output path)``: a kept page's links as the cache has them (None: not there, the page is rendered
    again); without it ``links`` gets the links of the rendered pages only (the kept pages' links were checked
    against the same files by an earlier build).
    ``extractors``: (name, extract, prepare or None) run on every rendered page's bytes (see
    ``pipeline.FINISHERS``); what ``prepare`` made of the rendered pages goes into ``prepared`` (by output path).
    ``ready(todo)`` is called with the pages to render before any is rendered. ``derivations``: what
    the pages' :func:`memo.derived` pieces are taken from and kept in (default: made once, kept for nothing).
    ``spill``: a folder where what the extractors found and ``prepare`` made goes instead (:func:`spilled`).
    ``page_files``: the pages' output paths as a set, if kept (``serve``: the same object for the same pages).
    ``chunk_digests``: the files given in parts rendered last, with their digests, kept by the caller for its next
    build (``serve``: see :func:`_digest`); updated with those rendered by this process.
    Without ``fingerprints`` (a build that keeps nothing) a page that offered nothing is left as :data:`UNKEPT`.
    """
    global _STAGE
    total = len(pages)
    todo = planned.todo
    kept_blobs: dict[int, bytes] = {}
    gone: list[int] = []
    outputs = planned.outputs
    table: dict[str, Done] | None = None  # (every page's entry, when it is a copy of the plan's with the rendered put in)
    if planned.others is not None and kept_links is None and (writer is None or writer.can_keep_files):
        # every page not to render is kept as the cached build left it, taken all at once
        results: list[Done | None] | dict[int, Done | None]
        to_render = [outputs[i] for i in todo]
        if planned.covers:  # (the entries of the pages rendered are put into a copy of the others at the end)
            table, results = dict(planned.others), {i: None for i in todo}
        else:
            results = [planned.others.get(output) for output in outputs]
            for i in todo:
                results[i] = None
        if writer is None:
            lost = ()
        elif page_files is not None:
            lost = writer.keep_pages(page_files, to_render)
        else:
            lost = writer.keep_files(set(outputs).difference(to_render))
        if lost:  # (not written by that build after all: rendered)
            gone = [i for i, output in enumerate(outputs) if output in lost]
            for i in gone:
                results[i] = None
        kept = []
    else:
        results = [None] * total
        kept = planned.kept
        if planned.others is not None:  # (each page kept is looked at here: its links, the file)
            in_todo = set(todo)  # (the plan's kept entries are the cached ones as well)
            kept = {i: planned.others[output] for i, output in enumerate(outputs) if i not in in_todo}
        kept = sorted(kept.items())
    if kept_links is not None:
        for i, entry in kept:
            blob = kept_links(pages[i].output)
            if blob is None:  # (its links gone from the cache)
                gone.append(i)
            elif blob:
                kept_blobs[i] = blob
        if gone:
            no_links = set(gone)
            kept = [(i, entry) for i, entry in kept if i not in no_links]
    lost = set(writer.keep_all([(pages[i].output, entry.digest) for i, entry in kept])) if writer is not None else ()
    for i, entry in kept:
        if lost and pages[i].output in lost:  # the old file gone after all
            gone.append(i)
            kept_blobs.pop(i, None)
        else:
            results[i] = entry
    if gone:
        todo = sorted([*todo, *gone])
    if ready is not None:  # (pages listed as stand-ins until they are rendered: incremental/listing.py)
        ready(todo)
    done = total - len(todo)
    if progress:
        progress("render", done, total)

    workers_write = writer is not None and not writer.in_place and jobs > 1 and len(todo) >= POOL_MIN_PAGES
    if workers_write:
        for i in todo:
            writer.claim(pages[i].output)
    _STAGE = _Stage(pages, renderer, fingerprints, renderer.model.settings.base_path,
                    str(writer.new) if workers_write else None,
                    writer.old if writer is not None else None, list(extractors),
                    derivations if derivations is not None else Derivations(None, None), spill, chunk_digests)
    # sixty-four chunks a worker: pages come in runs of one kind (0.2 ms a short address, 2 ms a post page), so a
    # chunk's cost varies; small chunks keep every process busy to the end (the build process renders too)
    parts = workers.chunks(todo, jobs * 16, 16) if len(todo) >= POOL_MIN_PAGES else [todo]
    try:
        with tracking.tracking() if fingerprints is not None else _nothing(), memo.deriving(_STAGE.derivations):
            for part, (out, made, derived) in zip(parts, workers.run(_render_part, parts, jobs if len(parts) > 1 else 1)):
                if made and memo.ACTIVE is not None and len(parts) > 1:
                    memo.ACTIVE.merge(made)
                _STAGE.derivations.merge(derived)
                for i, result in zip(part, out):
                    if result[0] == "problem":
                        raise RenderProblem(result[1])
                    _, entry, changed, data, made = result
                    if fingerprints is None:  # (nothing is kept for another build: the links are taken now)
                        _add_links(links, entry.links)
                        results[i] = entry._replace(links=b"") if entry.found else UNKEPT
                    else:
                        results[i] = entry
                    if made and prepared is not None:
                        prepared[pages[i].output] = made
                    if writer is not None:
                        if data is not None:
                            writer.write(pages[i].output, data, entry.digest)
                        else:
                            writer.stored(pages[i].output, entry.digest, changed)
                done += len(part)
                if progress:
                    progress("render", done, total)
    finally:
        _STAGE = None
    if fingerprints is not None:
        rendered = set(todo)
        for i in sorted(rendered.union(kept_blobs)):  # (in page order)
            blob = results[i].links if i in rendered else kept_blobs[i]
            if blob:
                _add_links(links, blob)
    if table is not None:
        for i in todo:
            table[outputs[i]] = results[i]
        return table, list(todo)
    if outputs is None:
        outputs = [page.output for page in pages]
    return dict(zip(outputs, results)), list(todo)


def _add_links(links: linkcheck.LinkCheck, blob: bytes) -> None:
    """Give ``links`` a page's links, pickled (in page order: the first page to link to an address is the one
    named).

    A build that keeps nothing for the next takes each rendered page's links as it comes, and keeps the page's
    entry without them: a 10,000-post city's pickled links are ~120 MB, held to the end for nothing."""
    links.take(*pickle.loads(blob))


HELD_TEMPLATE_CODE = "template-code"  # (in Cache.held: a template's cache key → its source's checksum, its code)


class TemplateCode(jinja2.BytecodeCache):
    """Compiled templates, kept in the build cache's ``templates`` section: a warm build renders a few
    pages from a dozen templates, and compiling them cost more than rendering the pages (~0.3 s).

    Jinja checks each entry against its template's source (and the cache is dropped with Jinja's or
    site-builder's code). Not Jinja's own file cache: that would load code from a site's folder unsigned.
    A template's code also holds the text of its plain translations (``Renderer.code_key``: render/templates.py
    writes them in when it compiles), so an entry is kept under its name and that key.
    """

    def __init__(self, cache: Cache, key: str = ""):
        self.cache, self.key = cache, key

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return f"{super().get_cache_key(name, filename)}-{self.key}"

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        # (the code read back before in this process, while its template's source is the same: each of serve's
        # rebuilds makes a new environment, and unmarshalling its dozen templates again cost ~4 ms)
        loaded = self.cache.held.setdefault(HELD_TEMPLATE_CODE, {})
        found = loaded.get(bucket.key)
        if found is not None and found[0] == bucket.checksum:
            bucket.code = found[1]
            return
        data = self.cache.section("templates").get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)
            if bucket.code is not None:  # (None: another source's, or another Jinja's)
                loaded[bucket.key] = (bucket.checksum, bucket.code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.cache.section("templates")[bucket.key] = bucket.bytecode_to_string()
        self.cache.touch("templates")
        self.cache.held.setdefault(HELD_TEMPLATE_CODE, {})[bucket.key] = (bucket.checksum, bucket.code)


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None
