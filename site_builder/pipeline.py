"""The build pipeline: load → validate → model → views → render → write.

``check`` is the same pipeline stopped before writing. Every stage collects problems; the run stops
after a stage that found any, so the output is never touched by a build with content errors.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from . import feeds, images, linkcheck, load, model as model_mod, privacy, search, views
from .errors import ContentErrors, Problems
from .output import Writer
from .render import Renderer, TemplateProblem

# More renderers over the same model: each returns the pages it adds (boards, feeds, open data ...).
PAGE_SOURCES: list[Callable[[model_mod.Model], Iterable[views.Page]]] = [views.pages, feeds.pages, search.pages]
from . import boards  # noqa: E402  (printed boards: short addresses p/<id>/, print pages, print indexes)

PAGE_SOURCES.append(boards.pages)
# Steps run on the fully written new output folder before it is swapped in (e.g. a search index).
FINISHERS: list[Callable[[Path, model_mod.Model], None]] = [search.index]


@dataclass
class Result:
    model: model_mod.Model
    pages: int = 0
    files: int = 0
    changed: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    external_links: list[tuple[str, list[str]]] = field(default_factory=list)  # (url, where found)


def build_model(site: Path, base_url: str | None = None) -> model_mod.Model:
    problems = Problems()
    raw = load.load(site, problems)
    if base_url is not None and raw.site is not None:  # build --base-url: the same site at another address
        raw.site["base_url"] = base_url
    privacy.report(raw, problems)
    model = model_mod.build(raw, problems) if raw.site is not None else None
    if raw.site is None:  # one bad file never hides the others' problems (docs/security.md)
        from .guard import check_without_site
        check_without_site(raw, problems)
    if problems or model is None:
        raise ContentErrors(problems.sorted())
    return model


def run(site: Path, out: Path | None = None, *, write: bool = True, base_url: str | None = None) -> Result:
    """Build the site in ``site`` into ``out`` (default ``site/output``); ``write=False`` is ``check``."""
    timings: dict[str, float] = {}
    start = time.perf_counter()
    model = build_model(site, base_url)
    timings["load+model"] = time.perf_counter() - start
    renderer = Renderer(site, model)
    page_list = [page for source in PAGE_SOURCES for page in source(model)]
    from .guard import output_problems  # unsafe or colliding output paths: content errors, in check too
    unsafe = output_problems(page_list, static_files(renderer), renderer._shown)
    if unsafe:
        raise ContentErrors(unsafe)
    result = Result(model, pages=len(page_list), timings=timings)
    links = linkcheck.LinkCheck(model.settings.base_path)
    start = time.perf_counter()
    try:
        if not write:
            for page in page_list:
                links.add_page(page.output, page.template, renderer.render(page))
            files = {page.output for page in page_list} | set(static_files(renderer)) | {
                path for ref in model.images.values() for _, path in ref.variants()}
            check_links(links, files, model, renderer)
        else:
            with Writer(site, out or site / "output") as writer:
                for page in page_list:
                    data = renderer.render(page)
                    links.add_page(page.output, page.template, data)
                    writer.write(page.output, data)
                write_static(renderer, writer)
                write_images(model, writer)
                check_links(links, set(writer.written.values()), model, renderer)
                for finish in FINISHERS:
                    finish(writer.new, model)
                result.files, result.changed = len(writer.written), writer.changed
    except TemplateProblem as exc:
        raise ContentErrors([exc.problem]) from None
    timings["render+write"] = time.perf_counter() - start
    result.external_links = links.external_links(model)
    return result


def check_links(links: linkcheck.LinkCheck, files: set[str], model: model_mod.Model, renderer: Renderer) -> None:
    """Every internal link resolves (before finishers run and before the swap: a broken link stops the build)."""
    problems = links.problems(files, linkcheck.finisher_prefixes(FINISHERS), model.internal_links,
                              linkcheck.template_locator(renderer.dirs, renderer._shown))
    if problems:
        raise ContentErrors(sorted(set(problems)))


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


def write_images(model: model_mod.Model, writer: Writer) -> None:
    for src, ref in sorted(model.images.items()):
        for width, path in ref.variants():
            if not writer.reuse(path):
                writer.write(path, images.render(model.content / src, width))
