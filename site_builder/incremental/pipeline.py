"""The build pipeline: load → validate → model → views → render → write.

``check`` is the same pipeline stopped before writing. Every stage collects problems; the run stops
after a stage that found any, so the output is never touched by a build with content errors.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import operator
import os
import threading
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import KeysView, Mapping
from typing import Any, Callable, Iterable, Iterator, NamedTuple

from ..pages import admin, feeds, print_pages, search, web
from ..pages.guard import check_without_site, output_problems
from ..pages import competition as competition_pages
from ..model import competition, images, build as model_mod
from . import listing, markdown_cache, readers, records, rendering, tracking
from .derived import Derivations
from ..render import linkcheck, search_index
from ..content import privacy
from ..write import output
from .. import memo, workers
from .cache import Cache
from ..errors import ContentErrors, Problem, Problems, rel
from ..write.output import Files, Writer, marker_id
from ..render.templates import Renderer, TemplateProblem

# More renderers over the same model: each returns the pages it adds (boards, feeds, open data ...).
PAGE_SOURCES: list[Callable[[model_mod.Model], Iterable[web.Page | web.Pages]]] = [
    web.pages, feeds.pages, search.pages, print_pages.pages, admin.pages]
PAGE_SOURCES.append(competition_pages.pages)  # 岗位竞赛: standings, months, units, boards, open data
# Files made from what every page left behind (the search index). A finisher has ``name``, ``produces``
# (the folder it writes into), ``enabled(model)``, ``extract(data)`` (run on each rendered page's bytes
# by the worker that rendered it; what it returns, unless None, is kept with the page in the cache, so a
# warm build has it for the pages it keeps), optionally ``prepare(address, found)`` (run there too on what
# ``extract`` returned; not kept) and ``make(found, model, previous, prepared, before, write)`` (found: page
# address → what ``extract`` returned; previous: what it made for the build the cache remembers; prepared:
# address → what ``prepare`` returned, for the pages rendered by this build; before: what the pages rendered
# again had offered that build; returns files that changed, files kept, and what to remember; it may instead
# hand files to ``write`` as it makes them, which a build that makes every file does: the files of a city are
# not held at once). Its files are written like pages: an unchanged file is not written again.
FINISHERS: list = [search_index]


@dataclass
class Result:
    model: model_mod.Model
    pages: int = 0
    files: int = 0
    changed: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    external_links: list[tuple[str, list[str]]] = field(default_factory=list)  # (url, where found): `check` only
    rendered: int = 0  # pages rendered (the others were unchanged since the cached build)


Progress = Callable[[str, int, int], None]  # (stage, done, total)

# One build at a time in a process (the development server builds in a thread while a test or the editing
# app may run `check` in another): a running stage keeps what its workers need in module globals
# (rendering._STAGE, records._PENDING, memo.ACTIVE ...), which the build process reads too, since it does
# parts of the work itself (workers.run). A second build in the same process waits for the first.
ONE_BUILD_AT_A_TIME = threading.RLock()


def build_model(site: Path, base_url: str | None = None, *, cache: Cache | None = None, jobs: int = 1,
                progress: Progress | None = None, timings: dict[str, float] | None = None,
                changed: Iterable[str | os.PathLike] | None = None, watched: bool = False) -> model_mod.Model:
    with ONE_BUILD_AT_A_TIME:
        return _build_model(site, base_url, cache, jobs, progress, {} if timings is None else timings, changed,
                            watched)


def _build_model(site: Path, base_url: str | None, cache: Cache | None, jobs: int, progress: Progress | None,
                 timings: dict[str, float], changed: Iterable[str | os.PathLike] | None = None,
                 watched: bool = False) -> model_mod.Model:
    start = time.perf_counter()
    problems = Problems()
    # (a cache without a folder, --no-cache, would only hold every record until the build ends)
    raw = records.load(site, problems, cache=cache if cache is not None and cache.folder is not None else None,
                       jobs=jobs, progress=progress, changed=changed, watched=watched)
    timings["load"] = time.perf_counter() - start
    start = time.perf_counter()
    if progress:
        progress("model", 0, 0)
    privacy.report(raw, problems)
    # The last model this cache's process built without a problem (``serve``'s): its objects that no file changed
    # are reused (model/build.py Builder.kept). A new process has none: a model is not kept in the cache's files.
    held = cache.held if cache is not None else {}
    previous = held.get(HELD_MODEL)
    if not raw.watched:  # (a file other than a record may have changed: a photo, a folder's entries)
        held.pop(HELD_WATCHED_SINCE, None)
    model = model_mod.build(raw, problems, markdown_cache.CachedMarkdown(cache, jobs), base_url, jobs, previous,
                            tracking.held_index(held, previous),  # (its objects by key, if a build indexed them)
                            only_records=previous is not None and held.get(HELD_WATCHED_SINCE) is previous) \
        if raw.site is not None else None
    if model is not None:
        model = dataclasses.replace(model, competitions=competition.build(raw, model, problems))
    if raw.site is None:  # one bad file never hides the others' problems (docs/security.md)
        check_without_site(raw, problems)
    timings["model"] = time.perf_counter() - start
    if problems or model is None:
        raise ContentErrors(problems.sorted())
    held[HELD_MODEL] = held[HELD_WATCHED_SINCE] = model
    return model


_OUTPUT = operator.attrgetter("output")  # (a page's output path, read in C: 171,000 pages at 10,000 posts)
HELD_MODEL = "model"  # (in Cache.held: the model of the cache's last build, if it had no problem)
# (in Cache.held: the model since whose build every build was told which files changed, and only records did, by a
# watcher of content/: while it is the model before, no photo changed since it was made, model/build.py changed_since)
HELD_WATCHED_SINCE = "watched-since"
HELD_WRITTEN = "written"  # (in Cache.held: what the last build of a watched output wrote, output.Written)


def run(site: Path, out: Path | None = None, *, write: bool = True, base_url: str | None = None,
        jobs: int | None = None, use_cache: bool = True, cache: Cache | None = None,
        progress: Progress | None = None, save: bool = True, watched: bool = False,
        changed: Iterable[str | os.PathLike] | None = None) -> Result:
    """Build the site in ``site`` into ``out`` (default ``site/output``); ``write=False`` is ``check``.

    ``jobs`` processes parse and render (default: every core). With the build cache (default; the
    development server passes its own ``cache``), unchanged files are not parsed again and unchanged
    pages are neither rendered nor written, and a small change updates the output in place (see
    :class:`output.Writer`); ``use_cache=False`` builds from scratch and keeps nothing.
    ``save=False`` leaves the cache in memory
    (the development server saves it when it stops). ``watched`` (the development server): the caller
    watches the site's files and is the only writer of ``out``; it tells its next build of the same ``cache``
    which files ``changed`` since this one, and only those are read (:class:`records.Watched`); the files
    this build keeps in ``out`` are not looked at (:class:`output.Writer`).
    """
    with ONE_BUILD_AT_A_TIME:
        return _locked_run(site, out, write, base_url, jobs, use_cache, cache, progress, save, watched, changed)


def _locked_run(site: Path, out: Path | None, write: bool, base_url: str | None, jobs: int | None, use_cache: bool,
                cache: Cache | None, progress: Progress | None, save: bool, watched: bool = False,
                changed: Iterable[str | os.PathLike] | None = None) -> Result:
    jobs = jobs or workers.default_jobs()
    out = out or site / "output"
    if write:
        output.check_output_dir(site, out)  # before anything is made or locked
    # A writing build holds the site (its cache) and the output's folder to itself from before it reads
    # the cache until the output is swapped in and the cache saved: a second build waits.
    with output.locked(site, out) if write else contextlib.nullcontext():
        if write:
            output.clear_leftovers(out)  # what a build killed mid-way left beside the output
        if cache is None:
            cache = Cache.for_site(site, enabled=use_cache)
        gc_enabled = gc.isenabled()
        gc.disable()  # the build makes millions of objects and no garbage cycles worth the collector's time
        try:
            with memo.use(cache), _looking_at(out, cache, write and use_cache and not watched) as looked:
                # (memo.use: @memoized functions, QR codes and photo sizes, keep their results in the cache)
                return _run(site, out, write, base_url, jobs, cache, use_cache, progress, save, watched, changed,
                            looked)
        finally:
            workers.unfreeze()
            (gc.enable if gc_enabled else gc.disable)()


@contextlib.contextmanager
def _looking_at(out: Path, cache: Cache, wanted: bool) -> Iterator[Callable[[], list[str] | None]]:
    """Which of the files the cached build wrote are no longer in ``out``, found by a helper process while this one
    builds the model (a stat of each of a city's 178,000 files, 0.9 s at 10,000 posts, on the core a warm build
    leaves idle): a function that waits for them (None: not looked at; ``Writer.present``)."""
    previous = cache.section("pages-files").get("files") if wanted and marker_id(out) is not None else None
    if not previous:
        yield lambda: None
        return
    with workers.background(output.missing, (str(out), previous)) as gone:
        yield gone


IN_PLACE_MAX = 0.1  # update the output in place when at most this share of the pages (or 1,000) changed


def _run(site: Path, out: Path | None, write: bool, base_url: str | None, jobs: int, cache: Cache,
         tracked: bool, progress: Progress | None, save: bool = True, watched: bool = False,
         changed: Iterable[str | os.PathLike] | None = None,
         looked: Callable[[], list[str] | None] = lambda: None) -> Result:
    timings: dict[str, float] = {}
    model = build_model(site, base_url, cache=cache, jobs=jobs, progress=progress, timings=timings,
                        changed=changed, watched=watched and tracked)
    if not tracked:  # (what the objects' digests are made of, 77,000 files' names and digests at 10,000 posts:
        model = dataclasses.replace(model, sources={})  # a build that compares nothing holds none of it)
    start = time.perf_counter()
    if progress:
        progress("views", 0, 0)
    renderer = Renderer(site, model)
    renderer.env.bytecode_cache = rendering.TemplateCode(cache, renderer.code_key)
    fingerprints = None
    if tracked:
        renderer.recorded = tracking.recorded
        env = {k: v for k, v in renderer.env.globals.items() if not callable(v) and type(v) not in tracking.ENTITIES}
        # (a build whose cache stays in memory for the next one, serve's, keeps its objects' digests for it: one
        # that saves its cache and ends does not hold them, 76,000 at 10,000 posts, while it renders)
        fingerprints = tracking.Fingerprints(model, tracking.environment_digest(renderer.dirs, env),
                                             cache.held if not save else None)
    with fingerprints.hashed_ahead(jobs) if fingerprints is not None else contextlib.nullcontext():
        if tracked:  # (read while the objects are hashed: the listing and the plan need both)
            _shards(cache)
        listed = listing.list_pages(model, PAGE_SOURCES, fingerprints, cache if tracked else None, jobs)
    page_list = listed.pages

    def read_back(todo: list[int]) -> None:  # reused pages are stand-ins until they are rendered
        listing.complete(listed, todo, fingerprints.index())
    ready = read_back if listed.unread else None
    kept = _Kept(cache.held if tracked and not save else None)
    outputs = kept.same("outputs", tuple(map(_OUTPUT, page_list)))
    static = kept.same("static", static_files(renderer))
    unsafe = kept.made("unsafe", (outputs, static), lambda: output_problems(page_list, static, renderer._shown))
    if unsafe:
        raise ContentErrors(unsafe)
    timings["views"] = time.perf_counter() - start
    result = Result(model, pages=len(page_list), timings=timings)
    files = kept.made("files", (outputs, static, kept.same("photos", model.images)),  # (before the finishers)
                      lambda: output_files(page_list, renderer, model))
    links = linkcheck.LinkCheck(model.settings.base_path, written=files)
    saved = _saved_pages(cache, kept) if tracked else {"pages": {}, "digests": None, "shards": ()}
    derivations = Derivations(fingerprints, cache if tracked else None, saved["digests"])
    workers.freeze()  # what is loaded stays: rendering's garbage is collected without looking at it, and
    gc.enable()  # forked workers do not copy it (a full collection here would cost a second per 1,000 posts)
    start = time.perf_counter()
    try:
        if not write:
            planned = rendering.plan(page_list, saved["pages"], fingerprints, jobs, saved["digests"], listed.same,
                                     _readers(cache, saved), fresh=listed.fresh)
            timings["plan"] = time.perf_counter() - start
            start = time.perf_counter()
            _, rendered = rendering.render_all(page_list, renderer, writer=None, links=links, planned=planned,
                                               fingerprints=fingerprints, jobs=jobs, progress=progress,
                                               kept_links=_kept_links(cache), ready=ready, derivations=derivations)
            result.rendered = len(rendered)
            timings["render"] = time.perf_counter() - start
            check_links(links, files, model, renderer)
        else:
            valid = marker_id(out) is not None and saved.get("output") == (str(out.resolve()), marker_id(out))
            planned = rendering.plan(page_list, saved["pages"] if valid else {}, fingerprints, jobs, saved["digests"],
                                     listed.same, _readers(cache, saved), outputs=outputs, fresh=listed.fresh,
                                     where=kept.made("where", (outputs,), lambda: dict(zip(outputs, range(len(outputs)))))
                                     if kept.held is not None else None,  # (serve's: the same places, the same dict)
                                     covers=valid and _covered(kept, outputs, saved["shards"]))
            timings["plan"] = time.perf_counter() - start
            start = time.perf_counter()
            finishers = [f for f in FINISHERS if f.enabled(model)]
            in_place = valid and len(planned.todo) <= max(1000, IN_PLACE_MAX * len(page_list))
            with Writer(site, out, in_place=in_place, sole=watched,
                        before=cache.held.get(HELD_WRITTEN) if watched else None) as writer:
                previous = cache.section("pages-files").get("files") if valid else None
                if writer.in_place:  # (not listed again; serve: the set its last build's writer had)
                    writer.previous = None if previous is None else \
                        writer.before.files if writer.before is not None else set(previous)
                gone = looked()  # (the files of `pages-files`, looked at while the model was built)
                if gone is not None and previous is not None:
                    writer.present = (writer.previous or set(previous)).difference(gone)
                # The pages kept from the last build had their links checked against the same files, if this
                # build writes the same files as that one: then only the rendered pages' links are checked.
                made = linkcheck.finisher_prefixes(FINISHERS)
                same_files = previous is not None and not model.broken and kept.made(
                    "same-files", (previous, files), lambda: {p for p in previous if not p.startswith(made)} == files)
                prepared: dict[str, tuple] = {}
                extractors = [(f.name, f.extract, getattr(f, "prepare", None)) for f in finishers]
                # what the pages offered each finisher, by address (serve: the build before's, with what the pages
                # it rendered offer now put in, when its pages are these and its entries are the cache's)
                offered: dict[str, _Offers] = {}
                found_before = kept.made("offered", (outputs, *saved["shards"]), dict)
                # (a build that keeps nothing has what the pages offer the finishers written to files meanwhile)
                with workers.scratch() if extractors and not tracked else contextlib.nullcontext() as spill:
                    done, rendered = rendering.render_all(
                        page_list, renderer, writer=writer, links=links, planned=planned, fingerprints=fingerprints,
                        jobs=jobs, progress=progress, kept_links=None if same_files else _kept_links(cache),
                        extractors=extractors, prepared=prepared, ready=ready, derivations=derivations, spill=spill,
                        page_files=kept.made("page-files", (outputs,), lambda: frozenset(outputs))
                        if kept.held is not None else None,
                        chunk_digests=kept.held.setdefault(HELD_CHUNKS, {}) if kept.held is not None else None)
                    if spill is not None:
                        for i, found, made in rendering.spilled(spill):
                            output_path = page_list[i].output
                            done[output_path] = done[output_path]._replace(found=found)
                            if made:
                                prepared[output_path] = made
                result.rendered = len(rendered)
                timings["render"] = time.perf_counter() - start
                start = time.perf_counter()
                write_static(renderer, writer)
                write_images(model, writer, jobs)
                for finisher in finishers:
                    finish_start = time.perf_counter()
                    if progress:
                        progress(finisher.name, 0, 0)
                    offered[finisher.name] = write_finished(
                        finisher, page_list, done, rendered, prepared, model, writer, cache,
                        saved["pages"] if valid else None, found_before.get(finisher.name) if valid else None)
                    timings[finisher.name] = time.perf_counter() - finish_start
                written = writer.files()
                check_links(links, written, model, renderer, kept)
                for finisher in finishers:  # (a build that failed keeps no state: serve's next build starts from
                    if offered[finisher.name].new:  # the last good one's, as the pages' entries do)
                        _save_finisher_state(cache, finisher, offered[finisher.name].made)
                result.files, result.changed = len(written), writer.changed
            timings["write"] = time.perf_counter() - start - sum(timings.get(f.name, 0.0) for f in finishers)
            if watched:  # (the output is this build's: the next one's writer starts from what it wrote)
                cache.held[HELD_WRITTEN] = writer.written_files()
            if tracked:
                rendered_paths = [page_list[i].output for i in rendered]
                # (the attributes the pages read: those of the pages rendered, and of the kept pages, which read
                # what they read when the cache's digests were kept)
                kept_read = saved["digests"].attributes.keys() if saved["digests"] is not None and valid else None
                read = (done[path].attributes for path in rendered_paths) if kept_read is not None else \
                    (entry.attributes for entry in done.values())
                changed = _save_pages(cache, (str(out.resolve()), marker_id(out)), done, rendered_paths,
                                      saved["pages"], fingerprints.digests(read, jobs, kept_read or ()), written,
                                      same_pages=planned.covers)
                kept_digests = cache.section("pages-digests").get("digests")  # (those saved, or an equal copy)
                fingerprints.kept_as(kept_digests)
                if not save:  # (the cache stays in memory for the next build: serve)
                    cache.held[HELD_COVERED] = (outputs, _shards(cache))
                    cache.held["readers"] = readers.updated(cache.held.get("readers"), _shards(cache),
                                                            saved["shards"], changed)
                    kept.keep("offered", (outputs, *_shards(cache)), offered)
                listing.commit(cache, listed)
                derivations.commit(kept_digests)
    except (TemplateProblem, rendering.RenderProblem) as exc:
        raise ContentErrors([exc.problem]) from None
    if not write:  # (`check` lists them; a build may have looked at the rendered pages' links only)
        result.external_links = links.external_links(model)
    if write:  # `check` reads the cache but writes nothing
        cache.forget_unused()
        if save:
            cache.save()
    return result


PAGE_SHARDS = 64  # (a story's edit rewrites the shards of ~6 pages: of 16, 55 MB at 10,000 posts, ~0.5 s to save)
LINK_SHARDS = 256  # the sections of the pages' links ("links-N"), ~0.4 MB each at 10,000 posts


def _shard(path: str, count: int) -> int:
    """Which of ``count`` sections ("pages-N": PAGE_SHARDS, "links-N": LINK_SHARDS) keeps the page at ``path``."""
    return zlib.crc32(path.encode()) % count


def _kept_links(cache: Cache) -> Callable[[str], bytes | None]:
    """The links of a kept page by its output path, as the cache has them (their sections read when first asked):
    three quarters of the bytes of the pages' entries, which a warm build that writes the same files does not
    need (rendering.render_all)."""
    def links_of(path: str) -> bytes | None:
        return cache.section(f"links-{_shard(path, LINK_SHARDS)}").get(path)
    return links_of


def _shards(cache: Cache) -> tuple[dict, ...]:
    return tuple(cache.section(f"pages-{n}") for n in range(PAGE_SHARDS))


def _saved_pages(cache: Cache, kept: "_Kept") -> dict:
    """{"output": (folder, build id), "pages": {output path: rendering.Done}, "digests": tracking.Digests,
    "shards": the sections "pages" was read from} of the cached build. (``serve``: "pages" is the one of the build
    before with the entries of the sections it saved again put in: a section is replaced, never changed.)"""
    shards = _shards(cache)
    before = kept.held.get(HELD_SAVED) if kept.held is not None else None
    changed = [n for n, (now, then) in enumerate(zip(shards, before[0])) if now is not then] \
        if before is not None and len(before[0]) == len(shards) else None
    if changed is not None and len(changed) * 4 <= len(shards):
        pages = dict(before[1])
        for n in changed:
            for path in before[0][n].keys() - shards[n].keys():
                del pages[path]
            pages.update(shards[n])
    else:
        pages = {}
        for shard in shards:
            pages.update(shard)
    if kept.held is not None:
        kept.held[HELD_SAVED] = (shards, pages)
    return {"output": cache.section("pages-output").get("output"), "pages": pages,
            "digests": cache.section("pages-digests").get("digests"), "shards": shards}


HELD_SAVED = "saved-pages"  # (in Cache.held: the page sections a build read, and their entries merged)


HELD_LISTED = "files-listed"  # (in Cache.held: the list of files in "pages-files", and the files it names)
HELD_CHUNKS = "chunk-digests"  # (in Cache.held: the files given in parts serve rendered last, with their digests)
HELD_COVERED = "covered"  # (in Cache.held: the output paths and the page sections that have an entry for each)


def _covered(kept: "_Kept", outputs: tuple, shards: tuple[dict, ...]) -> bool:
    """Whether the page sections ``shards`` are those the build before saved for the pages at ``outputs`` (its very
    tuple): an entry for each page and for no other, known without a look at each (``serve``)."""
    covered = kept.held.get(HELD_COVERED) if kept.held is not None else None
    return covered is not None and covered[0] is outputs and len(covered[1]) == len(shards) and \
        all(map(operator.is_, covered[1], shards))


def _readers(cache: Cache, saved: dict) -> readers.Readers | None:
    """Which pages read each object, as kept in memory by the build before (``serve``), if it describes the
    cached pages."""
    found = cache.held.get("readers")
    return found if found is not None and found.describes(saved["shards"]) else None


def _save_pages(cache: Cache, output: tuple, done: dict, rendered: list[str], before: dict, digests: tracking.Digests,
                files: set[str], same_pages: bool = False) -> list[tuple[str, rendering.Done]]:
    """Only the sections that changed are written again: the shards with a page whose entry changed, the
    digests and the list of files if they differ. The sections are saved in the order of their names,
    "pages-output" (which says which output they describe) last: a build killed while saving leaves a
    cache that does not match the output, and the next build renders every page. (The list of files is
    the same whenever the output is: the output's build id is a hash of every file's name and content.)
    Returns the (output path, entry) of the pages whose entry changed, their links apart (see :func:`_kept_links`).
    ``rendered``: the pages rendered (every other page's entry is the one in ``before``, the same object);
    ``same_pages``: ``done`` has an entry for the pages of ``before`` and no other (the plan's ``covers``)."""
    links_of = _kept_links(cache)
    entries: list[tuple[str, rendering.Done]] = []
    links: list[tuple[str, bytes]] = []
    offers: list[tuple[str, tuple]] = []
    offered_no_more: set[str] = set()
    for path in rendered:
        entry = done[path]
        old = before.get(path)
        # (the cache's entries keep no links, and what the pages offer the finishers apart)
        stripped = entry._replace(links=b"", found=_apart(entry.found))
        if old != stripped:
            entries.append((path, stripped))
        # the links the cache does not have, as they are (a page the cache had no links for, rendered again for
        # that, has an unchanged entry; the links of a page with the same bytes are the same)
        if entry.links and links_of(path) != entry.links:
            links.append((path, entry.links))
        # what the page offers, unless the cache has it (the same bytes offer the same)
        if entry.found and (old is None or old.digest != entry.digest or old.found != stripped.found
                            or _kept_offers(cache, path) is None):
            offers.append((path, entry.found))
        elif not entry.found and old is not None and old.found:
            offered_no_more.add(path)
    gone = set() if same_pages else before.keys() - done.keys()
    _save_shards(cache, "pages", PAGE_SHARDS, entries, gone)
    _save_shards(cache, "links", LINK_SHARDS, links, gone)
    _save_shards(cache, "offers", OFFER_SHARDS, offers, gone | offered_no_more)
    if cache.section("pages-digests").get("digests") != digests:
        cache.replace("pages-digests", {"digests": digests})
    listed = cache.section("pages-files").get("files")
    checked = cache.held.get(HELD_LISTED)  # (the list kept, and the files it was found to name, by a build before)
    if not (checked is not None and checked[0] is listed and checked[1] == files) and (
            listed is None or len(listed) != len(files) or not files.issuperset(listed)):
        cache.replace("pages-files", {"files": sorted(files)})
    cache.held[HELD_LISTED] = (cache.section("pages-files")["files"], files)
    if cache.section("pages-output").get("output") != output:
        cache.replace("pages-output", {"output": output})
    return entries


def _save_shards(cache: Cache, name: str, count: int, entries: list[tuple[str, Any]], gone: set[str]) -> None:
    """Save again the sections "NAME-N" that changed: ``entries`` (output path, what to keep) changed, the pages
    ``gone`` went. (A page whose entry a section lost, or that the cache never had, was rendered: it is among
    ``entries``.)"""
    changed: dict[int, list[tuple[str, Any]]] = {}
    for path, value in entries:
        changed.setdefault(_shard(path, count), []).append((path, value))
    for path in gone:
        changed.setdefault(_shard(path, count), [])
    for n, values in sorted(changed.items()):
        # the shard as the cache has it (never changed: a copy), without the pages gone, with those rendered
        shard = {path: value for path, value in cache.section(f"{name}-{n}").items() if path not in gone}
        shard.update(values)
        cache.replace(f"{name}-{n}", shard)


def write_finished(finisher, pages: list[web.Page], done: dict, rendered: list[int], prepared: dict,
                   model: model_mod.Model, writer: Writer, cache: Cache, earlier: dict | None,
                   found_before: "_Offers | None" = None) -> "_Offers":
    """Write what ``finisher`` makes of what the pages left behind (see :data:`FINISHERS`), updating what it
    made for the build the cache remembers when that build made the output being updated (``earlier``: the
    pages that build left behind, by output path; ``rendered``: the pages this build rendered, the others
    left what they left in that build). Returns what the pages offered it, by address; ``found_before``: what
    they offered in that build, if its pages are these (then only the pages rendered are looked at).

    What a kept page offered is in the cache apart from its entry ("offers-N", :func:`_save_pages`) and read
    when the finisher asks for it (the search index: the pages of the document files it writes again)."""
    name = finisher.name
    read = _offer_reader(cache, writer, finisher)
    ready, before = {}, {}
    if found_before is not None:
        found = found_before.copy(read)
        for i in rendered:
            page = pages[i]
            found.put(page.url, _offered(done[page.output].found, name))
    else:
        found = _Offers({}, read)
        for page in pages:
            found.put(page.url, _offered(done[page.output].found, name), page.output)
    whole = earlier is None
    for i in rendered:
        page = pages[i]
        value = _offered(prepared.get(page.output), name)
        if value is not None:
            ready[page.url] = value
        old = earlier.get(page.output) if earlier is not None else None
        value = _offered(old.found, name) if old is not None else None
        if value is APART:  # (the page as the cache has it: its output file may be this build's already)
            value = _offered(_kept_offers(cache, page.output), name)
            whole = whole or value is None
        if value is not None:
            before[page.url] = value
    previous = _finisher_state(cache, finisher) if not whole else None
    try:
        made = finisher.make(found, model, previous, ready, before, writer.write)
    except _PartMissing:  # (a section of the cache could not be read back: made from scratch)
        made = None
    if made is None or not all(map(writer.can_keep, made.kept)):  # (or someone removed a file from the output)
        made = finisher.make(found, model, None, ready, None, writer.write)
    writer.keep_all(list(made.kept.items()))  # (each one there: can_keep, above)
    for path, data in made.files.items():
        writer.write(path, data)
    found.made, found.new = made.index, made.index is not previous
    return found


class _Apart:
    """In the cache's page entries (``Done.found``), for each finisher the page offered something: kept apart."""

    def __reduce__(self):
        return "APART"

    def __repr__(self) -> str:
        return "APART"


APART = _Apart()
OFFER_SHARDS = 256  # the sections of what the pages offered the finishers ("offers-N"; 256: a document file
# written again holds 16 pages, which lie in as many sections, 0.1 MB each at 10,000 posts)


def _apart(found: tuple) -> tuple:
    """A page's ``Done.found`` as the cache's entry has it: the finishers' names, their values apart."""
    return tuple((name, APART) for name, _ in found)


def _kept_offers(cache: Cache, path: str) -> tuple | None:
    """What the page at ``path`` offered the finishers (``Done.found``) as the cache keeps it, if it does."""
    return cache.section(f"offers-{_shard(path, OFFER_SHARDS)}").get(path)


def _offer_reader(cache: Cache, writer: Writer, finisher) -> Callable[[str], Any]:
    """What a kept page offered ``finisher``, by its output path: as the cache keeps it, or (a section lost)
    what ``finisher.extract`` finds in the page's file, which a kept page has as that build wrote it."""
    def read(path: str) -> Any:
        value = _offered(_kept_offers(cache, path), finisher.name)
        if value is not None:
            return value
        for folder in (writer.old, writer.new):
            try:
                data = (folder / path).read_bytes() if folder is not None else None
            except OSError:
                continue
            if data is not None:
                return finisher.extract(data)
        raise ContentErrors([Problem(path, 0, 0, "构建缓存里没有这个页面给站内搜索的内容，输出文件夹里也没有这个页面："
                                     "请加 --no-cache 重新构建。")])
    return read


class _Offers(Mapping):
    """What the pages offered one finisher, by address; a kept page's offer is read (``read(output path)``) when
    first asked for. Only the build that makes it changes it (:meth:`put`); ``serve``'s next build takes a copy."""

    __slots__ = ("_values", "_read", "_copied", "_moved", "made", "new")

    def __init__(self, values: dict, read: Callable[[str], Any], copied: "_Offers | None" = None):
        self._values, self._read = values, read
        self._copied, self._moved = copied, False  # (the offers it is a copy of; whether an address came or went since)
        self.made: Any = None  # what the finisher made of them (its state: the search index)
        self.new = False  # whether ``made`` is not the state the cache keeps (saved when the build succeeded)

    def __getitem__(self, url: str) -> Any:
        value = self._values[url]
        if type(value) is _Unread:
            value = self._values[url] = self._read(value.path)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, url: object) -> bool:
        return url in self._values

    def keys(self) -> KeysView[str]:  # (looked up in C)
        return self._values.keys()

    def made_of_the_same_pages(self) -> Any:
        """What the finisher made of the offers these are a copy of, when no page was added or removed since (the
        search index then knows it numbers the same pages without comparing 75,000 addresses); else None."""
        return self._copied.made if self._copied is not None and not self._moved else None

    def put(self, url: str, value: Any, path: str | None = None) -> None:
        """The page at ``url`` offered ``value`` (None: nothing; APART: what the cache keeps for ``path``)."""
        values = self._values
        if value is None:
            if values.pop(url, None) is not None:
                self._moved = True
        else:
            if url not in values:
                self._moved = True
            values[url] = _Unread(path) if value is APART else value

    def copy(self, read: Callable[[str], Any]) -> "_Offers":
        return _Offers(dict(self._values), read, self)


class _Unread(NamedTuple):
    path: str


FINISHER_PARTS = 256  # the sections a finisher's parts are kept in ("finisher-NAME-N", see _finisher_state)


def _finisher_state(cache: Cache, finisher) -> Any:
    """What ``finisher`` made for the build the cache remembers, its parts read from the cache when it first asks
    for them: ``finisher.stored(state)`` gives its head (kept in "finisher-NAME") and the parts that changed
    since the state it was made from (by number: part N in "finisher-NAME-(N mod FINISHER_PARTS)"),
    ``finisher.restored(head, read)`` makes it again (the search index: its 4,096 shard tables, of which a
    warm build after one story changes a few). The sections are saved before "pages-output", which says which
    output the cache describes: a build killed while saving leaves no state of two builds in use."""
    section = f"finisher-{finisher.name}"
    head = cache.section(section).get("head")
    if head is None:
        return None

    def read(n: int) -> Any:
        try:
            return cache.section(f"{section}-{n % FINISHER_PARTS}")[n]
        except KeyError:
            raise _PartMissing(n) from None
    return finisher.restored(head, read)


class _PartMissing(LookupError):
    """A part of a finisher's state is not in the cache's sections (one could not be read back)."""


def _save_finisher_state(cache: Cache, finisher, state: Any) -> None:
    section = f"finisher-{finisher.name}"
    head, parts, every = finisher.stored(state)
    groups: dict[int, dict] = {g: {} for g in range(FINISHER_PARTS)} if every else {}
    for n, part in parts.items():
        groups.setdefault(n % FINISHER_PARTS, {})[n] = part
    for g, changed in groups.items():  # (a section is replaced, never changed: serve's state may hold it)
        cache.replace(f"{section}-{g}", changed if every else {**cache.section(f"{section}-{g}"), **changed})
    cache.replace(section, {"head": head})


def _offered(offers: Iterable[tuple[str, Any]] | None, name: str) -> Any:
    """What a page offered the finisher ``name`` among its ``offers`` ((finisher name, value): ``Done.found``, or
    what the finishers' ``prepare`` made of it), or None."""
    for offered_to, value in offers or ():
        if offered_to == name:
            return value
    return None


def check_links(links: linkcheck.LinkCheck, files: set[str], model: model_mod.Model, renderer: Renderer,
                kept: "_Kept | None" = None) -> None:
    """Every internal link resolves (before the swap and before anything is kept: a broken link stops the build).
    With ``kept`` (serve's), the check of the links written in the stories is the build before's while the files,
    the links and the settings are the same (thousands of links at 10,000 posts, ~10 ms a rebuild)."""
    prefixes = linkcheck.finisher_prefixes(FINISHERS)
    markdown = None
    if kept is not None and kept.held is not None and isinstance(files, Files):  # (its equality: see Files)
        files = kept.same("linked-files", files)
        markdown = kept.made("markdown-links", (files, model.internal_links, model.broken, model.settings),
                             lambda: links.markdown_problems(files, prefixes, model.internal_links, model.broken))
    problems = links.problems(files, prefixes, model.internal_links,
                              linkcheck.template_locator(renderer.dirs, renderer._shown), model.broken, markdown)
    if problems:
        raise ContentErrors(sorted(set(problems)))


def output_files(pages: list[web.Page], renderer: Renderer, model: model_mod.Model) -> frozenset[str]:
    """Every file a build writes (before its finishers): the pages, the static files, the photos' sizes."""
    return frozenset({page.output for page in pages} | set(static_files(renderer)) | {
        path for ref in model.images.values() for _, path in ref.variants()})


class _Kept:
    """What a build works out from the whole site and the next build of the same process (``serve``'s) takes as it
    is when it is made from the same objects: each value kept with the very objects it was made from (in
    ``held``, Cache.held; None: a build that keeps nothing for another)."""

    def __init__(self, held: dict | None):
        self.held = held

    def same(self, name: str, value: Any) -> Any:
        """``value``, or the equal value kept under ``name`` by the build before (the very object it kept: what
        was made from it is then known to be the same)."""
        if self.held is None:
            return value
        key = ("kept", name)
        before = self.held.get(key)
        if before is not None and before == value:
            return before
        self.held[key] = value
        return value

    def keep(self, name: str, inputs: tuple, value: Any) -> None:
        """Keep ``value`` as what :meth:`made` gives the next build for ``inputs``."""
        if self.held is not None:
            self.held[("made", name)] = (inputs, value)

    def made(self, name: str, inputs: tuple, make: Callable[[], Any]) -> Any:
        """``make()``, or what it made for the build before when each of ``inputs`` is the very object it was then
        (``make`` is a function of them)."""
        if self.held is None:
            return make()
        key = ("made", name)
        before = self.held.get(key)
        if before is not None and len(before[0]) == len(inputs) and all(map(operator.is_, before[0], inputs)):
            return before[1]
        value = make()
        self.held[key] = (inputs, value)
        return value


def static_files(renderer: Renderer) -> dict[str, Path]:
    """Output path → source of templates/static/*; a site's own file wins over the default of the same name."""
    found: dict[str, Path] = {}
    for folder in renderer.dirs:
        static = folder / "static"
        if not static.is_dir():
            continue
        for path in sorted(static.rglob("*")):
            name = f"static/{path.relative_to(static).as_posix()}"
            if path.is_file() and not path.name.startswith(".") and name not in found:
                found[name] = path
    return found


def write_static(renderer: Renderer, writer: Writer) -> None:
    """templates/static/* → output/static/*."""
    for name, path in static_files(renderer).items():
        writer.write(name, path.read_bytes())


def write_images(model: model_mod.Model, writer: Writer, jobs: int = 1) -> None:
    """Each photo's published sizes, named by the digest of its bytes: two photo files with the same bytes (one
    picture uploaded for two members) share them, written once; a size the output has already is kept. The
    others are made on every core (a city's members' photos: tens of thousands)."""
    seen: set[str] = set()
    todo: list[tuple[str, tuple[int, ...]]] = []  # (file, widths)
    paths: list[list[str]] = []  # the output path of each width of each
    for src, ref in sorted(model.images.items()):
        missing = []
        for width, path in ref.variants():
            if path not in seen:
                seen.add(path)
                if not writer.reuse(path):
                    missing.append((width, path))
        if missing:
            todo.append((str(model.content / src), tuple(width for width, _ in missing)))
            paths.append([path for _, path in missing])
    # (small parts: their JPEGs come back to this process in memory)
    parts = workers.chunks(list(range(len(todo))), jobs * 4, images.PHOTOS_PART)
    work = [[todo[i] for i in part] for part in parts]
    problems = []
    for part, made in zip(parts, workers.run(images.render_part, work, jobs if len(parts) > 1 else 1)):
        for i, variants in zip(part, made):
            if type(variants) is str:  # (the photo changed or went away after it was checked)
                problems.append(Problem(rel(Path(todo[i][0]), model.content.parent), 1, 1, variants))
                continue
            for path, data in zip(paths[i], variants):
                writer.write_named(path, data)
    if problems:
        raise ContentErrors(problems)
