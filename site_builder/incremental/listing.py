"""The page list: every page source's pages, and the groups of pages kept from the build before.

A page source yields pages and groups of pages (:class:`pages.web.Pages`: the post pages, the print
pages ...). Listing a city's boards costs seconds, and most edits change nothing a group reads (a story's
text is on no board). So a build with the cache makes each group while recording what it reads
(:mod:`tracking`: every attribute of every model object), and keeps the group's pages in the cache with the
digest of every object and model attribute it read. The next build (``serve``'s next rebuild, or the next
``build``) reuses the pages when each of those digests is the same, the group is made by the same function
from the same arguments (by key) and the templates and globals are the same (the environment digest): the
same function over equal inputs makes equal pages.

The pages are kept pickled with every model object written as its key (:func:`unbind`) and read back with
each key replaced by the new model's object of that key (:func:`bind`): no kept page holds an earlier model
(in ``serve``'s memory nothing of it stays alive), and a page that is rendered again sees the new objects.

A reused page's context is the one its previous build compared: the plan need not hash it again
(:attr:`Listed.same`). What is kept is replaced only by a build that succeeded, whose pages the cache
then describes.
"""

from __future__ import annotations

import hashlib
import io
import pickle
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from . import tracking
from .cache import Cache
from ..model import build as model_mod
from ..pages.web import Page, Pages
from ..printing import boards

INDEX = "page-groups"  # the cache section that lists the kept groups' keys


@dataclass
class Listed:
    pages: list[Page]
    same: frozenset[int]  # pages reused from the previous build's list (the same context as then)
    made: dict  # group key → what to keep of it, for :func:`commit`


@dataclass(frozen=True)
class _Group:
    make: Callable
    args: str  # the arguments as text (tracking: model objects by key)
    env: bytes  # the environment digest of the build that made it
    objects: tuple[tuple[str, bytes], ...]  # (key, digest) of each object read
    attributes: tuple[tuple[str, str, bytes], ...]  # (key, attribute, digest) of each attribute-level read
    pages: bytes  # the pages, pickled by :func:`unbind`


def list_pages(model: model_mod.Model, sources: Iterable[Callable], fingerprints: tracking.Fingerprints | None = None,
               cache: Cache | None = None, jobs: int = 1) -> Listed:
    """Every page of ``sources`` over ``model``. With ``fingerprints`` and ``cache`` (a build that keeps its
    cache) groups are recorded, and reused from the build the cache remembers."""
    pages: list[Page] = []
    same: set[int] = set()
    made: dict[str, _Group] = {}
    for source in sources:
        for item in source(model):
            if type(item) is not Pages:
                pages.append(item)
                continue
            if fingerprints is None or cache is None:
                pages.extend(item.pages())
                continue
            before = cache.section(_section(item.key)).get("group")
            found = _reused(item, before, fingerprints, jobs)
            if found is not None:
                group, group_pages = before, found
                same.update(range(len(pages), len(pages) + len(group_pages)))
            else:
                group, group_pages = _made(item, fingerprints, jobs)
            made[item.key] = group
            pages.extend(group_pages)
    return Listed(pages, frozenset(same), made)


def commit(cache: Cache | None, listed: Listed) -> None:
    """Keep the groups of a build that succeeded (and forget those it did not list)."""
    if cache is None:
        return
    before = cache.section(INDEX).get("keys", ())
    for key, group in listed.made.items():
        section = _section(key)
        if cache.section(section).get("group") is not group:
            cache.replace(section, {"group": group} if group.make is not None else {})
    for key in set(before) - listed.made.keys():
        cache.replace(_section(key), {})
    keys = tuple(sorted(listed.made))
    if keys != before:
        cache.replace(INDEX, {"keys": keys})


def _section(key: str) -> str:
    return "page-group-" + hashlib.blake2b(key.encode(), digest_size=8).hexdigest()


def _reused(item: Pages, before: _Group | None, fingerprints: tracking.Fingerprints, jobs: int) -> list[Page] | None:
    """The group's pages kept by the build before, bound to this build's model; None if they cannot be used."""
    if before is None or before.make is not item.make or before.env != fingerprints.env:
        return None
    try:
        if before.args != tracking.arguments_text(item.args):
            return None
    except tracking.Volatile:
        return None
    now = fingerprints.object_digests(jobs)
    if any(now.get(k) != d for k, d in before.objects):
        return None
    if any(fingerprints.attribute_digest(k, name) != d for k, name, d in before.attributes):
        return None
    try:
        return bind(before.pages, fingerprints.index())
    except Stale:
        return None


def _made(item: Pages, fingerprints: tracking.Fingerprints, jobs: int) -> tuple[_Group, list[Page]]:
    """The group's pages, made while recording what they read, and what to keep of them (``make`` None:
    nothing, when something cannot be compared or kept; the next build makes the group again)."""
    with tracking.tracking(), boards.made_afresh():  # (a board another group made would hide its reads)
        pages, reads = tracking.record(item.pages)
    never = _Group(None, "", b"", (), (), b"")
    try:
        args = tracking.arguments_text(item.args)
        blob = unbind(pages)
    except (tracking.Volatile, Stale):
        return never, pages
    objects, attributes = fingerprints.inputs(None, reads)
    objects = set(objects) | {tracking.key_of(a) for a in item.args
                              if type(a) in tracking.ENTITIES and type(a) not in tracking.ATTRIBUTE_LEVEL}
    now = fingerprints.object_digests(jobs)
    object_digests = tuple((k, now.get(k)) for k in sorted(objects))
    attribute_digests = tuple((k, name, fingerprints.attribute_digest(k, name)) for k, names in attributes for name in names)
    if any(d is None for _, d in object_digests) or any(d is None for *_, d in attribute_digests):
        return never, pages
    return _Group(item.make, args, fingerprints.env, object_digests, attribute_digests, blob), pages


class Stale(Exception):
    """Kept pages that name a model object the new model does not have, or hold something that cannot be kept."""


_BINDING: dict[str, Any] | None = None  # while :func:`bind` reads pages back: the new model's objects by key


def _bound(key: str) -> Any:
    found = _BINDING.get(key)
    if found is None:
        raise Stale(key)
    return found


def _by_key(obj: Any) -> tuple:
    return _bound, (tracking.key_of(obj),)


def unbind(pages: list[Page]) -> bytes:
    """``pages`` pickled with every model object written as its key; raises :class:`Stale` for anything that
    cannot be pickled (a page whose data is a function)."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.dispatch_table = {cls: _by_key for cls in tracking.ENTITIES}
    try:
        pickler.dump(pages)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError, ValueError) as exc:
        raise Stale(f"cannot keep these pages: {exc}") from None
    return buffer.getvalue()


def bind(blob: bytes, index: dict[str, Any]) -> list[Page]:
    """Pages kept by :func:`unbind`, each model object replaced by ``index``'s object of the same key."""
    global _BINDING
    _BINDING = index
    try:
        return pickle.loads(blob)
    except Stale:
        raise
    except Exception as exc:  # (a class renamed since: the cache is dropped with the code, but never trust it)
        raise Stale(f"cannot read kept pages: {exc}") from None
    finally:
        _BINDING = None
