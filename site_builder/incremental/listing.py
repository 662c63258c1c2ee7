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

import bisect
import functools
import hashlib
import dataclasses
import io
import itertools
import pickle
from collections.abc import MutableMapping, Set
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, NamedTuple

from . import tracking
from .cache import Cache
from ..model import build as model_mod
from ..pages.web import Page, Pages

INDEX = "page-groups"  # the cache section that lists the kept groups' keys
HELD_BOUND = "page-groups-bound"  # (in Cache.held: keys of model objects that hold every name of the kept groups)
HELD_STAND_INS = "page-groups-stand-ins"  # (in Cache.held: id of a kept group → (it, its stand-ins, their places))
HELD_COMPARED = "page-groups-compared"  # (in Cache.held: id of a group this build kept or made → its _Compared)


class _Compared(NamedTuple):
    """A group as a build kept or made it, with what it was compared with (see :func:`_reusable`)."""

    group: "_Group"
    keys: frozenset[str]  # the keys of the objects it read
    digests: dict  # every object's digest in that build (Fingerprints.object_digests)
    args: tuple  # the arguments it was listed with
    attributes: dict  # the attributes' digests of that build (Fingerprints.attribute_digests)


class Reused(Set):
    """The places in the page list of the pages reused from kept groups: runs of places, one a group (a set not
    made of them all: 171,000 at 10,000 posts)."""

    def __init__(self, starts: list[int], ends: list[int]):
        self.starts, self.ends = starts, ends  # (each run's first place and the place after its last, in order)
        self._count = sum(ends) - sum(starts)

    def run(self, i: int) -> int | None:
        """Which run place ``i`` is in (its number), if any."""
        k = bisect.bisect_right(self.starts, i) - 1
        return k if k >= 0 and i < self.ends[k] else None

    def __contains__(self, i: object) -> bool:
        return self.run(i) is not None  # type: ignore[arg-type]

    def __iter__(self) -> Iterator[int]:
        for start, end in zip(self.starts, self.ends):
            yield from range(start, end)

    def __len__(self) -> int:
        return self._count

    @classmethod
    def _from_iterable(cls, items: Iterable[int]) -> set[int]:  # (what a set operation gives: a set)
        return set(items)


class Unread(MutableMapping):
    """The reused pages not read back yet: place → (group, place in it), found in the runs of :class:`Reused`
    (``founds``: each run's group, its stand-ins and their places) less the places read back (``taken``)."""

    def __init__(self, reused: Reused, founds: list[tuple]):
        self.reused, self.founds, self.taken = reused, founds, set()

    def __getitem__(self, i: int) -> tuple:
        k = self.reused.run(i) if i not in self.taken else None
        if k is None:
            raise KeyError(i)
        return self.founds[k][2][i - self.reused.starts[k]]

    def __delitem__(self, i: int) -> None:
        self[i]
        self.taken.add(i)

    def __setitem__(self, i: int, value: tuple) -> None:
        raise TypeError("the unread pages are only taken away")

    def __iter__(self) -> Iterator[int]:
        return (i for i in self.reused if i not in self.taken)

    def __len__(self) -> int:
        return len(self.reused) - len(self.taken)


@dataclass
class Listed:
    pages: list[Page]
    same: Set[int]  # pages reused from the previous build's list (the same context as then): a :class:`Reused`
    made: dict  # group key → what to keep of it (None: nothing), for :func:`commit`
    # reused pages not read back yet: index → (group, place in it). Until :func:`complete` reads them, they are
    # stand-ins with the address and template only (all that the plan, the writer and the search index use)
    unread: MutableMapping = field(default_factory=dict)
    # the keys of this build's model objects if every group kept holds only those (None: not known), for commit
    bound: frozenset[str] | None = None
    fresh: list[int] = field(default_factory=list)  # the other pages (not in ``same``), in order


@dataclass(frozen=True)
class _Group:
    make: Callable
    args: str  # the arguments as text (tracking: model objects by key)
    env: bytes  # the environment digest of the build that made it
    objects: tuple[str, ...]  # the key of each object read, sorted
    digests: tuple[bytes, ...]  # ... and its digest (apart: compared at once, tuple to tuple, every warm build)
    attributes: tuple[tuple[str, str, bytes], ...]  # (key, attribute, digest) of each attribute-level read
    pages: bytes  # the pages, pickled by :func:`unbind` in slices of :data:`SLICE` pages
    ends: tuple[int, ...]  # where each slice ends in ``pages``
    heads: tuple[tuple[str, str | None], ...]  # each page's address and template
    names: frozenset[str]  # the keys of the model objects the pages hold
    # the names of the attributes read of each object of ``objects`` (None: read whole), for the objects whose digest
    # is not the same: see :func:`_same_reads`
    read: tuple[frozenset[str] | None, ...]


def list_pages(model: model_mod.Model, sources: Iterable[Callable], fingerprints: tracking.Fingerprints | None = None,
               cache: Cache | None = None, jobs: int = 1) -> Listed:
    """Every page of ``sources`` over ``model``. With ``fingerprints`` and ``cache`` (a build that keeps its
    cache) groups are recorded, and reused from the build the cache remembers."""
    pages: list[Page] = []
    made: dict[str, _Group | None] = {}
    starts: list[int] = []  # the runs of reused pages (Reused)
    ends: list[int] = []
    founds: list[tuple] = []
    index = fingerprints.index() if fingerprints is not None and cache is not None else {}
    # The objects the kept groups' pages hold are among this model's when they were among the model's of the build
    # that kept them (its keys held by serve) and that model's objects are all here still: no group's names are
    # looked up then (174,000 at 10,000 posts).
    keys = fingerprints.keys() if index else frozenset()  # (serve: the same set as the build before's, if it is)
    bound = cache.held.get(HELD_BOUND) if cache is not None else None
    bound = bound is not None and (bound is keys or bound <= keys)
    all_bound = True  # whether every group kept by this build holds only objects of this model
    # a kept group's stand-ins, made once for as long as it is kept (serve: 171,000 pages a rebuild at 10,000 posts;
    # a stand-in is never changed, a page read back takes its place in the list)
    stand_ins = cache.held.get(HELD_STAND_INS, {}) if cache is not None else {}
    stood: dict[int, tuple[_Group, tuple[Page, ...], tuple[tuple[_Group, int], ...]]] = {}
    # serve: each group's objects compared with the digests of the build before, which this build's are with the
    # objects made again hashed again: a group none of whose objects was is not compared again (3,000 groups)
    compared_before = cache.held.get(HELD_COMPARED, {}) if cache is not None and fingerprints is not None \
        and fingerprints.held is not None else None
    compared: dict[int, _Compared] | None = {} if compared_before is not None else None
    fresh: list[int] = []
    items = [item for source in sources for item in source(model)]
    if fingerprints is not None and cache is not None:  # the kept groups read before the first is compared (while
        for item in items:  # the objects are hashed by a helper: Fingerprints.hashed_ahead)
            if type(item) is Pages:
                cache.section(_section(item.key))
    for item in items:
        if type(item) is not Pages:
            fresh.append(len(pages))
            pages.append(item)
            continue
        if fingerprints is None or cache is None:
            made_pages = item.pages()
            fresh.extend(range(len(pages), len(pages) + len(made_pages)))
            pages.extend(made_pages)
            continue
        kept = cache.section(_section(item.key)).get("group")
        group = _reusable(item, kept, fingerprints, jobs, bound, compared_before, compared)
        if group is not None:
            found = stand_ins.get(id(group))
            if found is None or found[0] is not group:
                found = stand_ins.get(id(kept))  # (a copy of it with this build's digests: the same pages)
                found = (group, *found[1:]) if found is not None and found[0] is kept else _stand_ins(group)
            stood[id(group)] = found
            if found[1]:
                starts.append(len(pages))
                pages.extend(found[1])
                ends.append(len(pages))
                founds.append(found)
        else:
            group, made_pages = _made(item, fingerprints, jobs)
            fresh.extend(range(len(pages), len(pages) + len(made_pages)))
            pages.extend(made_pages)
            all_bound = all_bound and (group is None or group.names <= index.keys())
            if group is not None and fingerprints.held is not None:  # (serve: the next build reuses it at once)
                stood[id(group)] = _stand_ins(group)
            if group is not None and compared is not None:
                compared[id(group)] = _Compared(group, frozenset(group.objects), fingerprints.object_digests(jobs),
                                                item.args, fingerprints.attribute_digests())
        made[item.key] = group
    if cache is not None and fingerprints is not None:
        cache.held[HELD_STAND_INS] = stood
        if compared is not None:
            cache.held[HELD_COMPARED] = compared
    reused = Reused(starts, ends)
    return Listed(pages, reused, made, Unread(reused, founds),
                  bound=keys if index and all_bound else None, fresh=fresh)


def _stand_ins(group: _Group) -> tuple[_Group, tuple[Page, ...], tuple[tuple[_Group, int], ...]]:
    """A kept group's stand-in pages (address and template: all the plan, the writer and the search index use) and
    their places in it, until they are read back (:func:`complete`)."""
    return (group, tuple(Page(url, template) for url, template in group.heads),
            tuple((group, n) for n in range(len(group.heads))))


def complete(listed: Listed, indices: Iterable[int], index: dict[str, Any]) -> None:
    """Read back the reused pages among ``indices`` (those to be rendered), bound to the model of ``index``: the
    slices of their groups that hold them (a member's edit renders the first page of the honour roll again, one
    of 1,760 at 10,000 posts)."""
    bound: dict[tuple[int, int], list[Page]] = {}
    for i in indices:
        found = listed.unread.pop(i, None)
        if found is None:
            continue
        group, n = found
        k, n = divmod(n, SLICE)
        pages = bound.get((id(group), k))
        if pages is None:
            pages = bound[id(group), k] = bind(memoryview(group.pages)[group.ends[k - 1] if k else 0:group.ends[k]],
                                               index)
        listed.pages[i] = pages[n]


def commit(cache: Cache | None, listed: Listed) -> None:
    """Keep the groups of a build that succeeded (and forget those it did not list)."""
    if cache is None:
        return
    cache.held[HELD_BOUND] = listed.bound
    before = cache.section(INDEX).get("keys", ())
    for key, group in listed.made.items():
        section = _section(key)
        if cache.section(section).get("group") is not group:
            cache.replace(section, {"group": group} if group is not None else {})
    for key in set(before) - listed.made.keys():
        cache.replace(_section(key), {})
    keys = tuple(sorted(listed.made))
    if keys != before:
        cache.replace(INDEX, {"keys": keys})


@functools.lru_cache(maxsize=1 << 16)  # (a city's 3,000 groups, looked up twice a build)
def _section(key: str) -> str:
    return "page-group-" + hashlib.blake2b(key.encode(), digest_size=8).hexdigest()


def _reusable(item: Pages, before: _Group | None, fingerprints: tracking.Fingerprints, jobs: int,
              bound: bool = False, compared_before: dict | None = None, compared: dict | None = None) -> _Group | None:
    """The group's pages kept by the build before when they are this build's, else None (``bound``: the objects its
    pages hold are known to be this model's; ``compared_before``, ``compared``: see :data:`HELD_COMPARED`): the group
    kept, or a copy with this build's digests when only attributes it did not read changed (:func:`_same_reads`)."""
    if before is None or before.make is not item.make or before.env != fingerprints.env:
        return None
    last = compared_before.get(id(before)) if compared_before is not None else None
    if last is not None and last.group is not before:
        last = None
    # (compared by the build before, which found its arguments, objects and attributes the same: only what changed
    # since is looked at, not every argument written out again and every attribute looked up; 3,000 groups)
    if last is None or not tracking.same_arguments(last.args, item.args):
        try:
            if before.args != tracking.arguments_text(item.args):
                return None
        except tracking.Volatile:
            return None
    now = fingerprints.object_digests(jobs)
    if last is not None:
        hashed = fingerprints.hashed_since(last.digests)
        # (its objects had the digests then: only those hashed again since may not have them now)
        same = hashed is not None and all(now.get(k) == last.digests.get(k) for k in hashed.intersection(last.keys))
        keys = last.keys
    else:
        same, keys = False, None
    if not same and not _digests_same(before, now):
        digests = tuple(map(now.get, before.objects))
        if not _same_reads(before, digests, fingerprints):
            return None
        before, keys = dataclasses.replace(before, digests=digests), None
    changed = fingerprints.attributes_changed_since(last.attributes) if last is not None else None
    if changed is None or changed and any((k, name) in changed for k, name, _ in before.attributes):
        if any(fingerprints.attribute_digest(k, name) != d for k, name, d in before.attributes):
            return None
    if not bound:
        index = fingerprints.index()
        if not all(k in index for k in before.names):  # (each object a page holds can be bound: see complete)
            return None
    if compared is not None:
        compared[id(before)] = _Compared(before, keys if keys is not None else frozenset(before.objects), now,
                                         item.args, fingerprints.attribute_digests())
    return before


def _digests_same(group: _Group, now: dict[str, bytes | None]) -> bool:
    """Whether the objects the group read have the digests they had when it was made."""
    return tuple(map(now.get, group.objects)) == group.digests


SAME_READS_MAX = 64  # the most objects of a group whose digest changed that are looked into (:func:`_same_reads`)


def _same_reads(group: _Group, digests: tuple, fingerprints: tracking.Fingerprints) -> bool:
    """Whether each object the group read whose digest is not the one it had then (``digests``: now) has the same
    values of the attributes the group read of it (``serve``: a post's description edited, the lists of posts that
    read its name, unit and stars are the same; :meth:`Fingerprints.same_reads`)."""
    changed = [i for i, (now, then) in enumerate(zip(digests, group.digests)) if now != then]
    if len(changed) > SAME_READS_MAX or None in digests:
        return False
    read, objects, then = group.read, group.objects, group.digests
    return all(read[i] is not None and fingerprints.same_reads(objects[i], read[i], then[i]) for i in changed)


def _made(item: Pages, fingerprints: tracking.Fingerprints, jobs: int) -> tuple[_Group | None, list[Page]]:
    """What to keep of the group (None when something cannot be compared or kept: the next build makes the
    group again) and its pages, made while recording what they read."""
    with tracking.tracking():
        pages, reads = tracking.record(item.pages, names=True)
    try:
        args = tracking.arguments_text(item.args)
        blob, ends, names = unbind(pages)
    except (tracking.Volatile, Stale):
        return None, pages
    objects, attributes = fingerprints.inputs(None, reads)
    whole = {tracking.key_of(a) for a in item.args
             if type(a) in tracking.ENTITIES and type(a) not in tracking.ATTRIBUTE_LEVEL}
    objects = set(objects) | whole
    now = fingerprints.object_digests(jobs)
    keys = tuple(sorted(objects))
    object_digests = tuple(map(now.get, keys))
    attribute_digests = tuple((k, name, fingerprints.attribute_digest(k, name)) for k, names in attributes for name in names)
    if None in object_digests or any(d is None for *_, d in attribute_digests):
        return None, pages
    heads = tuple((page.url, page.template) for page in pages)
    return _Group(item.make, args, fingerprints.env, keys, object_digests, attribute_digests, blob, ends, heads,
                  names, _names_read(reads, keys, whole)), pages


def _names_read(reads: tracking.Reads, keys: tuple[str, ...], whole: set[str]) -> tuple[frozenset[str] | None, ...]:
    """The names of the attributes read of each object of ``keys`` (None: read whole: a derived value's reads added
    by key, an object the group is made for), the same frozenset for the same names (a list of posts reads the same
    few of each of 10,000)."""
    same: dict[frozenset[str], frozenset[str]] = {}
    by_key = {}
    for i, names in reads.names.items():
        if names is not None:
            names = frozenset(names)
            by_key[tracking.key_of(reads.objects[i])] = same.setdefault(names, names)
    for key in itertools.chain(whole, reads.keys, *reads.whole):
        by_key.pop(key, None)
    return tuple(map(by_key.get, keys))


class Stale(Exception):
    """Kept pages that name a model object the new model does not have, or hold something that cannot be kept."""


_BINDING: dict[str, Any] | None = None  # while :func:`bind` reads pages back: the new model's objects by key


def _bound(key: str) -> Any:
    found = _BINDING.get(key)
    if found is None:
        raise Stale(key)
    return found


SLICE = 32  # pages a slice of a kept group (read back on its own: :func:`complete`)


def unbind(pages: list[Page]) -> tuple[bytes, tuple[int, ...], frozenset[str]]:
    """``pages`` pickled with every model object written as its key, in slices of :data:`SLICE` pages that
    :func:`bind` reads back one by one (where each ends), and those keys; raises :class:`Stale` for anything that
    cannot be pickled (a page whose data is a function)."""
    names: set[str] = set()

    def by_key(obj: Any) -> tuple:
        key = tracking.key_of(obj)
        names.add(key)
        return _bound, (key,)

    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.dispatch_table = {cls: by_key for cls in tracking.ENTITIES}
    ends = []
    try:
        for start in range(0, len(pages), SLICE):
            pickler.dump(pages[start:start + SLICE])
            pickler.clear_memo()  # (each slice read back alone)
            ends.append(buffer.tell())
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError, ValueError) as exc:
        raise Stale(f"cannot keep these pages: {exc}") from None
    return buffer.getvalue(), tuple(ends), frozenset(names)


def bind(blob: bytes | memoryview, index: dict[str, Any]) -> list[Page]:
    """A slice of pages kept by :func:`unbind`, each model object replaced by ``index``'s object of the same
    key."""
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
