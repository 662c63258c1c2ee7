"""Derived values: the pieces whole-site pages are made of, one for each model object, kept across builds.

A whole-site page (``data/posts.json``: every post with its unit, members and star history) reads every object
of its kind, so almost any edit renders it again. It is made of pieces, one for each post, each a function of a
few model objects (a function marked :func:`memo.derived`: a post's open-data record). While pages are
rendered, :class:`Derivations` answers each call:

- with the result the build the cache remembers kept for the same function and arguments, when none of the
  model objects (and attributes of attribute-level objects) that result read has changed since: their digests
  are compared, as a page's are (:mod:`tracking`);
- else by running the function while recording what it reads.

Either way what the piece read is added to the page's reads, so the page is rendered again exactly when it
would be without pieces: the pieces only make rendering it cheap (one edited member makes one post's record
again, not ten thousand). What a build's pages derived is kept for the next one only when the build
succeeded, each namespace in cache sections of its own (``derived-NAME-N``, in shards, so that one changed
piece does not write them all again), holding exactly the pieces this build used: a namespace no page asked for
is left as it was.

This is a query of Salsa (rust-analyzer) in small: keyed by the function and its arguments, verified by the
digests of what it read the last time, with no re-execution of the function when they match. Without the cache
(``--no-cache``) a piece is made once for the pages that one process renders one after another
(:meth:`Derivations.page_done`): the three open-data files, listed side by side, share their posts' records.

A namespace declared with ``recent=N`` (a printed board) is never kept for another build: each process keeps
the results of its last N calls, with what they read, with or without the cache.
"""

from __future__ import annotations

import functools
import zlib
from itertools import compress
from operator import is_not
from typing import Any, Callable, NamedTuple

from . import tracking
from .cache import Cache
from ..memo import Recent
from .. import workers


SHARDS = 16  # cache sections a namespace (a city's open-data pieces are ~90 MB at 10,000 posts)


@functools.lru_cache(maxsize=1 << 16)  # (each piece's section, for each commit: 10,000 pieces a namespace)
def _section(namespace: str, arguments: str) -> str:
    return f"derived-{namespace}-{zlib.crc32(arguments.encode()) % SHARDS}"


class Entry(NamedTuple):
    objects: tuple[str, ...]  # the keys of the whole objects the function read
    attributes: tuple[tuple[str, tuple[str, ...]], ...]  # (key, attribute names) of attribute-level objects
    value: Any
    digests: tuple | None = None  # (each object's digest, each attribute's digest), in the order above


class Derivations:
    """The derived values of one build (:func:`memo.derived`), with ``fingerprints`` and the ``cache`` whose
    values may be reused (None: nothing kept from or for another build)."""

    def __init__(self, fingerprints: tracking.Fingerprints | None, cache: Cache | None,
                 before: tracking.Digests | None = None):
        self.fingerprints = fingerprints
        self.cache = cache if fingerprints is not None else None
        # the digests the cached build kept of the model's objects, and the namespaces whose kept pieces that build
        # checked against them or made (see _current)
        self.before = before
        self._current_namespaces: frozenset[str] | None = None
        self.made: dict[tuple[str, str], Entry] = {}  # (namespace, arguments) → what this build derived
        self.added: dict[tuple[str, str], Entry] = {}  # ... in this process since :meth:`sent`
        self.used = False  # whether the page being rendered derived something (see :meth:`page_done`)
        self.recent: dict[str, Recent] = {}  # namespace → the last calls of a namespace declared ``recent``
        # (namespace, the arguments' ids) → (namespace, arguments as text) of the calls with model objects only: the
        # open-data files ask for each post's piece in turn, and the ids of frozen objects are cheaper than their keys
        self._names: dict[tuple, tuple[str, str]] = {}
        self._arguments: list[tuple] = []  # (the arguments named in _names, alive while this build is)
        # (HELD_EACH, namespace, head as text) → derive_each's last answer in this build: kept for the next at commit
        self._each: dict[tuple, _Each] = {}

    def _name(self, namespace: str, args: tuple) -> tuple[str, str] | None:
        """(namespace, the arguments as text) of a call; None when they cannot be written out (Volatile)."""
        called = (namespace, *map(id, args))
        name = self._names.get(called)
        if name is None:
            try:
                name = (namespace, tracking.arguments_text(args))
            except tracking.Volatile:
                return None
            if all(type(arg) in tracking.ENTITIES for arg in args):  # (the objects kept alive: their ids stay theirs)
                self._names[called] = name
                self._arguments.append(args)
        return name

    def derive(self, namespace: str, function: Callable[..., Any], args: tuple, recent: int | None = None) -> Any:
        name = self._name(namespace, args)
        if name is None:
            return function(*args)
        return self._derive_named(name, function, args, recent)

    def _derive_named(self, name: tuple[str, str], function: Callable[..., Any], args: tuple,
                      recent: int | None = None) -> Any:
        if recent is not None:
            return self._recent(name, function, args, recent)
        entry, fresh = self._entry(name, function, args)
        if self.fingerprints is not None:
            if fresh is not None:
                tracking.add_recorded(fresh)
            else:  # (every key is one of the model's objects: the entry was checked against them, or made from them)
                tracking.add_keys(entry.objects, entry.attributes)
        return entry.value

    def _entry(self, name: tuple[str, str], function: Callable[..., Any], args: tuple) -> tuple[Entry, Any]:
        """The entry of a call (this build's, the cached build's while nothing it read changed, or made), and what
        it read when it was made now (else None); nothing added to the page's reads."""
        self.used = True
        entry = self.made.get(name)
        fresh = None
        if entry is None:
            entry = self._kept(*name)
            if entry is None:
                if self.fingerprints is None:
                    entry = Entry((), (), function(*args))
                else:
                    value, fresh = tracking.record(lambda: function(*args))
                    entry = Entry(*self.fingerprints.inputs(None, fresh), value)
            self.made[name] = entry
            if self.cache is not None:  # (a build that keeps nothing sends nothing back: see sent)
                self.added[name] = entry
        return entry, fresh

    def derive_each(self, namespace: str, function: Callable[..., Any], head: tuple, items: tuple) -> list:
        """``[function(*head, item) for item in items]``, each a piece as :meth:`derive` makes it. Inside ``serve``,
        when the pieces are the cached build's (:meth:`_current`) and were asked for the very same ``items`` (the
        model's posts, the same tuple while only members and stories changed), the last good build's pieces are
        taken as a whole: only those that read something changed since are made again, and the page gets what they
        all read at once (10,000 calls a page at 10,000 posts, three open-data files, for each member's edit).
        Within a build, the same call again is answered by what the first one gave. Calls of model objects only."""
        if self.fingerprints is None or self.cache is None or type(items) is not tuple \
                or not all(type(arg) in tracking.ENTITIES for arg in (*head, *items)):
            return [self.derive(namespace, function, (*head, item)) for item in items]
        key = (HELD_EACH, namespace, tracking.arguments_text(head))  # (model objects: never Volatile)
        found = self._each.get(key)
        if found is None or found.items is not items:
            found = self._each_again(key, function, head, items)
            if found is None:
                return self._each_by_piece(key, function, head, items)  # (it added the pieces' reads)
        self.used = True
        tracking.add_keys(found.objects, found.attributes)
        return found.values

    def _each_by_piece(self, key: tuple, function: Callable[..., Any], head: tuple, items: tuple) -> list:
        """:meth:`derive_each` one piece at a time; what it gave is kept (``key``: see :meth:`derive_each`), and the
        page gets what the pieces read at once. Each piece's name is the head's text (``key[2]``) and the item's:
        the text of the arguments is their parts' one after another (tracking.arguments_text)."""
        namespace, head_text = key[1], key[2]
        names = [(namespace, head_text + tracking.arguments_text((item,))) for item in items]
        entries = self._pieces(names, function, head, items)
        each = self._each[key] = _Each(items, tuple(names), tuple(entries), [entry.value for entry in entries],
                                       *_reads_of(entries), _Readers(entries), None)
        tracking.add_keys(each.objects, each.attributes)
        return each.values

    def _pieces(self, names: list[tuple[str, str]], function: Callable[..., Any], head: tuple,
                items: list) -> list[Entry]:
        """The entries of derive_each's pieces ``names`` of ``items``; the page gets what those made now read, as
        recorded (their keys, and the others', are added at once by the caller)."""
        found = [self._entry(name, function, (*head, item)) for name, item in zip(names, items)]
        for _, fresh in found:
            if fresh is not None:
                tracking.add_recorded(fresh)
        return [entry for entry, _ in found]

    def _each_again(self, key: tuple, function: Callable[..., Any], head: tuple, items: tuple) -> "_Each | None":
        """:meth:`derive_each` from the last good build's pieces, or None (then piece by piece). The items may be
        other objects of the same keys in a few places (a post's edit makes the model's posts again, the others the
        very objects): the pieces there are looked at again too."""
        unchanged = self._current(key[1])
        before: _Each | None = self.cache.held.get(key) if unchanged is not None else None
        if before is None or len(before.items) != len(items):
            return None
        moved = [] if before.items is items else list(compress(range(len(items)), map(is_not, before.items, items)))
        if len(moved) > len(items) // 8 or any(
                tracking.key_of(before.items[i]) != tracking.key_of(items[i]) for i in moved):
            return None
        entries = list(before.entries)
        again = before.readers.affected(unchanged)
        if moved:
            again = sorted(set(again).union(moved))
        # (made, or kept after a comparison; their reads are added with the others', by derive_each)
        for i, entry in zip(again, self._pieces([before.names[i] for i in again], function, head,
                                                [items[i] for i in again])):
            entries[i] = entry
        named = dict(zip(before.names, entries))
        self.made.update(named)
        self.added.update(named)
        objects, attributes, readers = before.objects, before.attributes, before.readers
        if any(entries[i].objects != before.entries[i].objects or entries[i].attributes != before.entries[i].attributes
               for i in again):
            objects, attributes = _reads_of(entries)
            readers = _Readers(entries)
        found = self._each[key] = _Each(items, before.names, tuple(entries), [entry.value for entry in entries],
                                        objects, attributes, readers, tuple(again))
        return found

    def _recent(self, name: tuple[str, str], function: Callable[..., Any], args: tuple, limit: int) -> Any:
        """A call of a namespace declared ``recent``: made, with what it read, unless among the last ``limit``."""
        store = self.recent.get(name[0])
        if store is None:
            store = self.recent[name[0]] = Recent(limit)
        if self.fingerprints is None:
            return store.get(name[1], lambda: function(*args))
        value, reads = store.get(name[1], lambda: tracking.record(lambda: function(*args)))
        tracking.add_recorded(reads)
        return value

    def _kept(self, namespace: str, arguments: str) -> Entry | None:
        """The entry the cached build kept, if nothing it read has changed."""
        if self.cache is None:
            return None
        entry = self.cache.section(_section(namespace, arguments)).get(arguments)
        if entry is None or entry.digests is None:
            return None
        unchanged = self._current(namespace)
        if unchanged is not None and self._unaffected(entry, unchanged):
            return entry
        now = self.fingerprints.object_digests()
        objects, attributes = entry.digests
        for k, d in zip(entry.objects, objects):
            if now.get(k) != d:
                return None
        reads = [(k, name) for k, names in entry.attributes for name in names]
        if any(self.fingerprints.attribute_digest(k, name) != d for (k, name), d in zip(reads, attributes)):
            return None
        return entry

    def _current(self, namespace: str) -> tracking.Unchanged | None:
        """What changed since the cached build, when it is known as the few keys that did (``serve``'s rebuilds)
        and ``namespace``'s kept pieces are that build's: each then read objects whose digests are the ones that
        build kept (it made them, or found them unchanged), so a piece none of whose reads changed since is kept
        without its digests compared one by one (10,000 pieces for each edit at 10,000 posts). None: compare."""
        return self._changes() if namespace in self._current_before() else None

    def _current_before(self) -> frozenset[str]:
        """The namespaces whose kept pieces are the cached build's (its commit said so, in this process)."""
        if self._current_namespaces is None:
            held = self.cache.held.get(HELD_CURRENT)
            self._current_namespaces = held[1] if held is not None and self.before is not None \
                and held[0] is self.before else frozenset()
        return self._current_namespaces

    def _changes(self) -> tracking.Unchanged | None:
        """What changed since the cached build, if known as the keys that did."""
        unchanged = self.fingerprints.unchanged(self.before)
        return unchanged if unchanged.objects is None else None

    @staticmethod
    def _unaffected(entry: Entry, unchanged: tracking.Unchanged) -> bool:
        """Whether nothing ``entry`` read changed, for an entry whose digests are the cached build's."""
        return unchanged.changed.isdisjoint(entry.objects) and all(
            (k, name) in unchanged.attributes for k, names in entry.attributes for name in names)

    def sent(self) -> dict[tuple[str, str], Entry]:
        """What this process derived since the last call, for the build process (:meth:`merge`); nothing
        when nothing is kept."""
        added, self.added = self.added, {}
        return added if self.cache is not None else {}

    def page_done(self) -> None:
        """A page is rendered. A build that keeps nothing drops what it derived after a page that derived nothing:
        the pieces of the open-data files (87 MB at 10,000 posts) serve the files listed one after another, and
        are not held while the rest of the site renders."""
        if self.cache is None:
            if not self.used and self.made:
                self.made.clear()
                workers.trim()  # (the C heap keeps the pages of the pieces freed, tens of MB each a few KB)
            self.used = False

    def merge(self, added: dict[tuple[str, str], Entry]) -> None:
        for name, entry in added.items():
            self.made.setdefault(name, entry)

    def commit(self, digests: tracking.Digests | None = None) -> None:
        """Keep what the pages of a build that succeeded derived, with the digests of what it read; ``digests``:
        the object digests that build kept (the pieces of its namespaces are checked against them, or made)."""
        if self.cache is None:
            return
        now = self.fingerprints.object_digests()
        sections: dict[str, dict[str, Entry]] = {}
        compared: dict[tuple[str, str], Entry] = {}  # the entries made by this build, with their digests
        for called, entry in self.made.items():
            if entry.digests is None:
                objects = tuple(now.get(k) for k in entry.objects)
                attributes = tuple(self.fingerprints.attribute_digest(k, name)
                                   for k, names in entry.attributes for name in names)
                if None in objects or None in attributes:  # (cannot be compared: made again next time)
                    continue
                entry = compared[called] = entry._replace(digests=(objects, attributes))
            sections.setdefault(_section(*called), {})[called[1]] = entry
        if compared:  # (the next build's derive_each takes these entries, not made again or hashed again each time)
            for key, each in self._each.items():
                places = range(len(each.names)) if each.again is None else each.again
                found = [(i, compared[each.names[i]]) for i in places if each.names[i] in compared]
                if found:
                    entries = list(each.entries)
                    for i, entry in found:
                        entries[i] = entry
                    self._each[key] = each._replace(entries=tuple(entries))
        made = {namespace for namespace, _ in self.made}
        used = set(made)
        for namespace in made:
            for n in range(SHARDS):
                section = f"derived-{namespace}-{n}"
                entries = sections.get(section, {})
                if self.cache.section(section) != entries:
                    self.cache.replace(section, entries)
        # A namespace no page used (the open-data files kept: serve's rebuild after a story's edit) is still current
        # if none of its pieces read what changed.
        unused = self._current_before() - used
        unchanged = self._changes() if unused and digests is not None else None
        if unchanged is not None:
            used.update(namespace for namespace in unused if all(
                self._unaffected(entry, unchanged)
                for n in range(SHARDS) for entry in self.cache.section(f"derived-{namespace}-{n}").values()))
        held = self.cache.held
        held[HELD_CURRENT] = (digests, frozenset(used))
        # derive_each's pieces: this build's, and a namespace's kept while it is current without being used; an
        # older one of a namespace used otherwise would hold pieces made again since (see _each_again)
        for key in [key for key in held if type(key) is tuple and key[0] == HELD_EACH]:
            if key not in self._each and (key[1] not in used or key[1] in made):
                del held[key]
        held.update(self._each)
        if self.fingerprints.held is not None:  # (serve: the next rebuild looks up the pieces its edit affects, and
            for each in self._each.values():  # the editor's first save does not wait for the index to be made)
                each.readers.index()


HELD_CURRENT = "derived-current"  # (in Cache.held: the object digests of the last build, its namespaces: _current)
HELD_EACH = "derived-each"  # (in Cache.held, (this, namespace, head as text): what derive_each gave, an _Each)


class _Each(NamedTuple):
    """What :meth:`Derivations.derive_each` gave for ``items``: each piece's name and entry, their values, and the
    keys of what they read, all of them (``attributes``: key → attribute names)."""
    items: tuple
    names: tuple
    entries: tuple
    values: list
    objects: frozenset
    attributes: tuple
    readers: "_Readers"  # which of the entries read each key: those a rebuild makes again are looked up
    again: tuple[int, ...] | None  # the places of the entries looked at again by this build (None: every one)


class _Readers:
    """Which of derive_each's ``entries`` read each object and each attribute: the entries affected by a few
    changed keys are looked up, not each of 10,000 entries' reads compared (a member's edit at 10,000 posts). Made
    when first asked for (the answer of a build in a new process is not asked again), the same for entries that
    read the same keys in the same places; ``serve`` makes it when the build that made the pieces commits."""

    def __init__(self, entries: list[Entry]):
        self._entries: list[Entry] | None = entries
        self._index: tuple[dict[str, list[int]], dict[tuple[str, str], list[int]]] | None = None

    def index(self) -> tuple[dict[str, list[int]], dict[tuple[str, str], list[int]]]:
        """The places of the entries that read each object key, and each (key, attribute name)."""
        if self._index is None:
            by_object: dict[str, list[int]] = {}
            by_attribute: dict[tuple[str, str], list[int]] = {}
            for i, entry in enumerate(self._entries):
                for k in entry.objects:
                    by_object.setdefault(k, []).append(i)
                for k, names in entry.attributes:
                    for name in names:
                        by_attribute.setdefault((k, name), []).append(i)
            self._index, self._entries = (by_object, by_attribute), None
        return self._index

    def affected(self, unchanged: tracking.Unchanged) -> list[int]:
        """The places of the entries that read something changed (``unchanged.changed`` known: ``_current``), in
        order: those of which :meth:`Derivations._unaffected` is False."""
        by_object, by_attribute = self.index()
        found: set[int] = set()
        for k in by_object.keys() & unchanged.changed:
            found.update(by_object[k])
        same = unchanged.attributes
        for read, places in by_attribute.items():
            if read not in same:
                found.update(places)
        return sorted(found)


def _reads_of(entries: list[Entry]) -> tuple[frozenset, tuple]:
    """The keys the ``entries`` read, whole, and (key, attribute names) of the attributes."""
    objects: set[str] = set()
    attributes: dict[str, set[str]] = {}
    for entry in entries:
        objects.update(entry.objects)
        for key, names in entry.attributes:
            attributes.setdefault(key, set()).update(names)
    return frozenset(objects), tuple((key, frozenset(names)) for key, names in attributes.items())
