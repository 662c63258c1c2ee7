"""Which pages must be rendered again: every page remembers what it read.

While a page is rendered, every attribute read from a model object (a unit, post, member, story, the
settings, the model itself; :func:`register` adds more) is recorded, whether a template or a Python
helper reads it. A page is described by its *context digest* (the templates and code, the page's
address and context) and the keys of the objects it read; the cache keeps these for every page, and
the digest of every model object. If a later build finds the same context digest and none of the
objects the page read changed, the page would come out byte for byte the same, so it is neither
rendered nor written: the file of the previous build is kept. Each object is hashed once a build and
each page costs a set lookup per object it read: a page over everything (the sitemap) is no dearer
to compare than to list.

Why this is exact: rendering is a deterministic function of the templates, the page's context and the
values it reads. A page whose context and read objects are unchanged reads the same values in the
same order, so it renders the same bytes. Objects are compared by content (their fields, with
references to other model objects by identity: those are read, and so compared, on their own). A
page whose context or data cannot be fingerprinted (a function, an unknown object) is always
rendered. The model object itself is compared per attribute (every page shows ``model.as_of``; not
every page lists every post).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import itertools
import pickle
from dataclasses import dataclass, fields, is_dataclass
from operator import attrgetter, is_, is_not
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from .cache import code_version
from ..digests import digest
from .. import workers
from ..content.schema import Rec
from ..model import build as model_mod

# class → key prefix; instances are told apart by their ``id`` attribute (None: the only one)
ENTITIES: dict[type, str | None] = {}
ATTRIBUTE_LEVEL: set[type] = set()  # compared per attribute read instead of as a whole


def _by_default(obj):
    return obj.__reduce_ex__(5)


def _reducer(cls: type):
    """How objects of ``cls`` are written for a digest: model objects as their key, objects that name an
    attribute holding a complete digest of their content (``TRACKING_DIGEST = "digest"``) as that, other
    dataclasses as their class name and fields, sets sorted; anything else as pickle writes it."""
    if cls in ENTITIES:
        return lambda obj: (_ref, (key_of(obj),))
    digest = getattr(cls, "TRACKING_DIGEST", None)
    if digest is not None:  # a view object that keeps a digest of everything it holds (printing.boards.Board)
        name = cls.__qualname__
        return lambda obj: (_ref, (name, _get(obj, digest)))
    if is_dataclass(cls):
        name, names = cls.__qualname__, tuple(f.name for f in fields(cls))
        if len(names) > 1:  # (a model class is never here: attrgetter would record reads of it)
            values = attrgetter(*names)
            return lambda obj: (_ref, (name, *values(obj)))
        return lambda obj: (_ref, (name, *[_get(obj, n) for n in names]))
    if cls is Rec:  # a record: its items (without copying them into a dict first) and where it was written
        return lambda rec: (_ref, ("rec", rec.path, rec.line, rec.col, _get(rec, "_pos"), rec.offset), None, None,
                            iter(dict.items(rec)))
    if issubclass(cls, (set, frozenset)):  # (exact sets and frozensets never get here: see below)
        return lambda obj: (_ref, ("set", *sorted(_value_digest(item) for item in obj)))
    return _by_default


class _Reducers(dict):
    """The picklers' dispatch table: a reducer for each class, found the first time the class is met.

    A dispatch table, not ``reducer_override``: pickle (C) looks a class up in it, so functions and
    classes (met once for every reduced object) and plain values never call into Python.
    """

    def __missing__(self, cls: type):
        reducer = self[cls] = _reducer(cls)
        return reducer


_REDUCERS = _Reducers()


def register(cls: type, kind: str, *, single: bool = False, attribute_level: bool = False) -> None:
    """Make instances of ``cls`` model objects whose reads are recorded (``single``: one per model)."""
    ENTITIES[cls] = None if single else kind
    _REDUCERS.clear()
    if single:
        _SINGLE_KEYS[cls] = kind
    if attribute_level:
        ATTRIBUTE_LEVEL.add(cls)


_SINGLE_KEYS: dict[type, str] = {}
register(model_mod.Model, "model", single=True, attribute_level=True)
register(model_mod.Settings, "settings", single=True)
register(model_mod.Unit, "unit")
register(model_mod.Post, "post")
register(model_mod.Member, "member")
register(model_mod.Story, "story")

_get = object.__getattribute__


def key_of(obj: Any) -> str:
    cls = type(obj)
    kind = ENTITIES[cls]
    return _SINGLE_KEYS[cls] if kind is None else f"{kind}:{_get(obj, 'id')}"


SAME_KEYS_MAX = 64  # the most places :func:`_same_keys` looks at one by one


def _same_keys(now: tuple, before: tuple) -> bool:
    """Whether two tuples of the same length hold, at each place, the same object or model objects of the same key
    (of a class whose objects a digest writes as their key: not an attribute-level one), at most
    :data:`SAME_KEYS_MAX` of them other objects."""
    if all(map(is_, now, before)):
        return True
    other = list(itertools.islice(itertools.compress(zip(now, before), map(is_not, now, before)), SAME_KEYS_MAX + 1))
    return len(other) <= SAME_KEYS_MAX and all(
        type(a) is type(b) and ENTITIES.get(type(a)) is not None and _get(a, "id") == _get(b, "id") for a, b in other)


# -- recording --------------------------------------------------------------------------------------

class Reads:
    """What one page read: whole objects, and single attributes of attribute-level objects; and by key, what the
    derived values it used read (kept from an earlier build: their objects are not looked up to be named again)."""

    __slots__ = ("objects", "attributes", "keys", "key_attributes", "whole", "names")

    def __init__(self, names: bool = False) -> None:
        self.objects: dict[int, Any] = {}
        # with ``names``: id of each whole object read → the names of the attributes read of it, or None when it was
        # read whole (a derived value's reads added): see :meth:`Fingerprints.same_reads`
        self.names: dict[int, set[str] | None] | None = {} if names else None
        self.attributes: dict[int, tuple[Any, set[str]]] = {}
        self.keys: set[str] = set()  # (keys of whole objects)
        self.key_attributes: dict[str, set[str]] = {}  # (key → attribute names)
        # large sets of keys of whole objects added as they are (what the pieces of an open-data file read, 80,000
        # keys at 10,000 posts: the very set for each of the three files and each rebuild, see Fingerprints.inputs)
        self.whole: list[frozenset[str]] = []


_active: Reads | None = None


def _tracking_getattribute(self, name):
    value = _get(self, name)
    reads = _active
    if reads is not None and name[:2] != "__":
        cls = type(self)
        if cls in ATTRIBUTE_LEVEL:
            entry = reads.attributes.get(id(self))
            if entry is None:
                entry = reads.attributes[id(self)] = (self, set())
            entry[1].add(name)
        elif name != "id" or cls in _SINGLE_KEYS:
            # (a unit's, post's, member's or story's id is in its key: the object of the same key has the same id, so
            # reading it reads nothing that can change; a list that sorts a city's members by id, or links them, does
            # not depend on what else each member holds)
            reads.objects[id(self)] = self
            names = reads.names
            if names is not None:
                found = names.get(id(self), names)
                if found is names:
                    names[id(self)] = {name}
                elif found is not None:
                    found.add(name)
    return value


class tracking:
    """``with tracking():`` model classes record reads into the active :class:`Reads` (see :func:`record`)."""

    _depth = 0
    _saved: dict[type, Any] = {}

    def __enter__(self) -> "tracking":
        if tracking._depth == 0:
            for cls in ENTITIES:
                tracking._saved[cls] = cls.__dict__.get("__getattribute__")
                cls.__getattribute__ = _tracking_getattribute
        tracking._depth += 1
        return self

    def __exit__(self, *exc) -> None:
        tracking._depth -= 1
        if tracking._depth == 0:
            for cls, saved in tracking._saved.items():
                if saved is None:
                    del cls.__getattribute__
                else:  # pragma: no cover - no model class defines its own
                    cls.__getattribute__ = saved
            tracking._saved = {}


def record(make: Callable[[], Any], names: bool = False) -> tuple[Any, Reads]:
    """``make()`` with the reads it made (inside ``with tracking()``; ``names``: with the names of the attributes read
    of each whole object, :attr:`Reads.names`)."""
    global _active
    reads, saved = Reads(names), _active
    _active = reads
    try:
        return make(), reads
    finally:
        _active = saved


def recorded(make: Callable[[], Any]) -> tuple[Any, Callable[[], None]]:
    """``make()`` (a piece shared by many pages, e.g. the site's footer) and a function that adds what it
    read to the reads of the page being recorded: call it wherever the piece is used again."""
    value, reads = record(make)

    def replay() -> None:
        add_recorded(reads)

    replay()
    return value, replay


def add_reads(objects: Iterable[Any], attributes: Iterable[tuple[Any, Iterable[str]]]) -> None:
    """Add reads made elsewhere (a derived value's, kept from an earlier build) to the page being recorded:
    whole ``objects``, and (object, attribute names) of attribute-level ones."""
    active = _active
    if active is None:
        return
    whole = active.names
    for obj in objects:
        active.objects[id(obj)] = obj
        if whole is not None:
            whole[id(obj)] = None
    for obj, names in attributes:
        entry = active.attributes.get(id(obj))
        if entry is None:
            active.attributes[id(obj)] = (obj, set(names))
        else:
            entry[1].update(names)


def add_keys(objects: Iterable[str], attributes: Iterable[tuple[str, Iterable[str]]]) -> None:
    """:func:`add_reads` by key: the whole objects of keys ``objects`` and (key, attribute names) of attribute-level
    ones (a derived value's reads as the cache kept them; each key is one of the model's objects)."""
    active = _active
    if active is None:
        return
    if type(objects) is frozenset and len(objects) >= _SORTED_FROM:
        if not any(objects is added for added in active.whole):
            active.whole.append(objects)
    else:
        active.keys.update(objects)
    found = active.key_attributes
    for key, names in attributes:
        entry = found.get(key)
        if entry is None:
            found[key] = set(names)
        else:
            entry.update(names)


def add_recorded(reads: Reads) -> None:
    """Add everything ``reads`` holds (what a piece recorded on its own) to the page being recorded."""
    add_reads(reads.objects.values(), reads.attributes.values())
    if reads.keys or reads.key_attributes:
        add_keys(reads.keys, reads.key_attributes.items())
    for objects in reads.whole:
        add_keys(objects, ())


# -- fingerprints ---------------------------------------------------------------------------------------

class Volatile(Exception):
    """A value that cannot be fingerprinted (a function, an open file ...): the page is always rendered."""


def _ref(value):  # pragma: no cover - only ever pickled, never unpickled
    return value


class _Pickler(pickle.Pickler):
    """Plain data by value, model objects by identity; no memo, so equal values give equal bytes.

    Other dataclass objects (a post's star history ...) are written as their class name and fields.
    Exact sets and frozensets are written in their iteration order by pickle itself: a page whose
    context holds one is compared by a digest that may differ from one process to the next (it is
    rendered again, never wrongly kept).
    """

    dispatch_table = _REDUCERS

    def __init__(self, buffer: io.BytesIO):
        super().__init__(buffer, protocol=5)
        self.fast = True


class _Digester:
    """Digests of values by their pickles (:class:`_Pickler`), with one pickler for as many values as it is given:
    its buffer emptied for each, it writes the same bytes as a new one (in fast mode there is no memo; a dump that
    failed leaves nothing behind: tests). Making a pickler was a fifth of hashing a city's objects."""

    def __init__(self):
        self.buffer = io.BytesIO()
        self.pickler = _Pickler(self.buffer)

    def digest(self, value: Any) -> bytes:
        """The digest of ``value``; raises :class:`Volatile` if it cannot be pickled."""
        self.buffer.seek(0)
        self.buffer.truncate()
        try:
            self.pickler.dump(value)
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError, ValueError) as exc:
            raise Volatile(str(exc)) from None
        return hashlib.blake2b(self.buffer.getvalue(), digest_size=16).digest()


def _value_digest(value: Any) -> bytes:
    return _Digester().digest(value)


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _fields(obj: Any) -> list[tuple[str, Any]]:
    names = _FIELD_NAMES.get(type(obj))
    if names is None:
        if not is_dataclass(obj):
            try:
                return sorted(_get(obj, "__dict__").items())
            except AttributeError:
                raise Volatile(f"{type(obj).__name__} has no fields to compare") from None
        # (with what the model in use relates to a model object: a post's members ..., model/build.py Relations)
        names = _FIELD_NAMES[type(obj)] = tuple(f.name for f in fields(obj)) + tuple(getattr(type(obj), "DERIVED", ()))
    return [(name, _get(obj, name)) for name in names]


class Fingerprints:
    """What decides whether a page must be rendered again, over one model.

    A page is kept when its :meth:`context` digest (templates and code, address, context, ready data) is
    the one the cache remembers and no object or attribute it read changed. Which did is found by
    comparing each model object's digest, worked out once a build (:meth:`object_digests`), with the
    digests the cache kept from the build that rendered or last kept the page (:class:`Digests`): the
    work per page is a set lookup per object it read, not a hash of everything it read.
    """

    def __init__(self, model: model_mod.Model, env: bytes, held: dict | None = None):
        self.model, self.env = model, env
        # kept by the process for its next build (``Cache.held``): the objects' digests of the last one
        self.held = held
        self._by_key: dict[str, bytes | None] | None = None
        self._index: dict[str, Any] | None = None
        self._keys: frozenset[str] | None = None  # (see keys)
        # (the model of the last build of this process, its objects by key, their digests by key)
        self._before: tuple[model_mod.Model, dict[str, Any], dict[str, bytes | None], frozenset[str]] | None = \
            held.get(_HELD_DIGESTS) if held is not None else None
        self._changed: set[str] | None = None  # (the keys of the objects that are not the ones of the model before)
        # (the digests of the build before, and the keys hashed again since, when this build's were taken from them)
        self._rehashed: tuple[dict[str, bytes | None], frozenset[str]] | None = None
        self._attributes: dict[tuple[str, str], bytes | None] = {}  # attribute digests worked out so far
        # (the attribute digests of a build before, and those that are not the same now: attributes_changed_since)
        self._changed_attributes: tuple[dict, frozenset[tuple[str, str]]] | None = None
        # (key, attribute) → (its value, its digest) of the tuples the last build of this process hashed, and this one
        self._tuples_before = held.get(_HELD_TUPLES, {}) if held is not None else {}
        self._tuples: dict[tuple[str, str], tuple[tuple, bytes]] = {}
        if held is not None:
            held[_HELD_TUPLES] = self._tuples
        # (the keys being hashed by a helper process, and the function that waits for their digests: hashed_ahead)
        self._ahead: tuple[list[str], Callable[[], list | None]] | None = None
        self._unchanged: tuple["Digests", "Unchanged"] | None = None  # (what unchanged gave last, and for which)

    def index(self) -> dict[str, Any]:
        """Every model object, by key (``Model.objects``: the objects that others refer to are all among them; a
        walk over every reference of every object found the same ones in 0.33 s at 10,000 posts, on one core)."""
        if self._index is None:
            self._index = self._index_from_before() if self._before is not None else None
        if self._index is None:
            found: dict[str, Any] = {}
            for obj in self.model.objects():
                found.setdefault(key_of(obj), obj)
            self._index = found
        return self._index

    def keys(self) -> frozenset[str]:
        """The key of every object (:meth:`index`'s), as a set: the one of the build before in this process when
        this build's index was made from that build's, over the same keys (``serve``), else made."""
        if self._keys is None:
            index = self.index()
            held = self.held.get(_HELD_KEYS) if self.held is not None else None
            if held is not None and self._changed is not None and held[0] is self._before[1]:
                self._keys = held[1]
            else:
                self._keys = frozenset(index)
            if self.held is not None:
                self.held[_HELD_KEYS] = (index, self._keys)
        return self._keys

    def _index_from_before(self) -> dict[str, Any] | None:
        """The index of the model before (:attr:`_before`) with the objects that are not its own put in, when each
        of this model's objects is at the place of the object of its key in the model before (``serve``: the
        model builder hands every object no file changed to the next model as it is); else None. Notes the keys
        of the objects put in (:attr:`_changed`)."""
        before, index, _, _ = self._before
        if self.model.settings is not before.settings:
            return None
        changed: dict[str, Any] = {}
        for now, was in zip(self.model.object_tuples(), before.object_tuples()):
            if now is was:
                continue
            if len(now) != len(was):
                return None
            for new, old in zip(now, was):
                if new is not old:
                    key = key_of(new)
                    if key != key_of(old):
                        return None
                    changed[key] = new
        found = dict(index)
        found[key_of(self.model)] = self.model
        found.update(changed)
        self._changed = set(changed)
        return found

    def object_digests(self, jobs: int = 1) -> dict[str, bytes | None]:
        """Every object's digest by key, in ``jobs`` processes: of what it is made of (:func:`_parts`: its
        fields, with other model objects by key and records by their file's digest and their place in it),
        else of its fields' values (references to other objects by key)."""
        if self._by_key is None and self._ahead is not None:
            keys, result = self._ahead
            out = result()
            if out is not None and len(out) == len(keys):
                self._by_key = dict(zip(keys, out))
        if self._by_key is None:
            index = self.index()
            found: dict[str, bytes | None] = {}
            keys = self._known(found)
            global _DIGESTING
            # (each object's key by its id, for the references to it: not made for a few objects hashed again)
            _DIGESTING = (index, {id(obj): k for k, obj in index.items()} if len(keys) * 8 > len(index) else None,
                          self.model.sources)
            try:
                parts = workers.chunks(keys, jobs, DIGEST_PART)
                for part, out in zip(parts, workers.run(_digest_part, parts, jobs if len(parts) > 1 else 1)):
                    found.update(zip(part, out))
            finally:
                _DIGESTING = None
            self._by_key = found
            if self.held is not None:
                # (every key not hashed now has a digest: the unknown ones are hashed again each build)
                unknown = frozenset(k for k in keys if found[k] is None)
                self.held[_HELD_DIGESTS] = (self.model, index, found, unknown)
        return self._by_key

    @contextlib.contextmanager
    def hashed_ahead(self, jobs: int) -> Iterator[None]:
        """While the block runs, the objects' digests are worked out by a helper process forked now (what
        :meth:`object_digests` then gives), when this process would hash them all itself, in one part: a build of
        a new process (nothing held from a build before) of a site of at most :data:`DIGEST_PART` objects, on more
        than one core. The block reads what the cache kept of the pages and groups meanwhile (~55 ms at 1,000
        posts, about what hashing takes); more objects are hashed on every core by :meth:`object_digests`."""
        keys = None
        if jobs > 1 and self._by_key is None and self.held is None and self._before is None and workers.can_fork():
            keys = self._known({})  # (every object's key: nothing known before)
        if not keys or len(keys) > DIGEST_PART:
            yield
            return
        global _DIGESTING
        index = self.index()
        _DIGESTING = (index, {id(obj): k for k, obj in index.items()}, self.model.sources)
        try:
            with workers.background(_digest_part, keys) as result:
                _DIGESTING = None  # (the helper has its copy)
                self._ahead = (keys, result)
                try:
                    yield
                finally:
                    self._ahead = None
        finally:
            _DIGESTING = None

    def _known(self, found: dict[str, bytes | None]) -> list[str]:
        """The keys of the objects whose digest is not known yet; puts the others' in ``found``: an object of the
        model this process built last (the model builder reuses every object whose file did not change:
        model/build.py Builder.kept) has the digest it had then, if what the model relates to it is the same
        (a post's members: its relations are not fields, and may have changed without it). When the index was
        made from the model before's (:meth:`_index_from_before`), only the objects put in and those whose
        relations changed are looked at."""
        index = self.index()
        if self._before is None:
            return [k for k, obj in index.items() if type(obj) not in ATTRIBUTE_LEVEL]
        before, objects, digests, unknown = self._before
        changed = {f"{ENTITIES[cls]}:{oid}" for cls, oid in model_mod.relations_changed(before, self.model)}
        if self._changed is not None:
            found.update(digests)
            todo = sorted(k for k in self._changed | changed | unknown if k in index)
            for k in todo:
                del found[k]
            self._rehashed = (digests, frozenset(todo))
            return todo
        todo = []
        for k, obj in index.items():
            if type(obj) in ATTRIBUTE_LEVEL:
                continue
            digest = digests.get(k)
            if digest is not None and objects.get(k) is obj and k not in changed:
                found[k] = digest
            else:
                todo.append(k)
        return todo

    def hashed_since(self, digests: dict[str, bytes | None]) -> frozenset[str] | None:
        """The keys whose digest may not be the one in ``digests`` (what :meth:`object_digests` gave the build before
        in this process), when this build's digests are those with the objects made again hashed again (every other
        key's the same); None when not known that way."""
        self.object_digests()
        rehashed = self._rehashed
        return rehashed[1] if rehashed is not None and rehashed[0] is digests else None

    def attribute_digests(self) -> dict[tuple[str, str], bytes | None]:
        """The digests of the attributes worked out so far by this build, by (key, attribute): the next build of
        this process compares its own with them (:meth:`attributes_changed_since`). Never changed but by this
        build, which only adds to it."""
        return self._attributes

    def attributes_changed_since(self, before: dict[tuple[str, str], bytes | None]) -> frozenset[tuple[str, str]]:
        """The (key, attribute) among ``before`` (what :meth:`attribute_digests` gave a build before) whose digest
        is not the same now, or not known."""
        found = self._changed_attributes
        if found is None or found[0] is not before:
            changed = frozenset(k for k, d in list(before.items())
                                for now in [self.attribute_digest(*k)] if now is None or now != d)
            found = self._changed_attributes = (before, changed)
        return found[1]

    def attribute_digest(self, key: str, name: str) -> bytes | None:
        """The digest of one attribute of an attribute-level object; None if it cannot be known."""
        found = self._attributes.get((key, name), self)
        if found is not self:
            return found
        obj = self.index().get(key)
        if obj is None:
            return None
        try:
            value = getattr(obj, name)
        except AttributeError:
            found = b"missing"
        else:
            before = self._tuples_before.get((key, name))
            if type(value) is tuple and before is not None and len(value) == len(before[0]) \
                    and _same_keys(value, before[0]):
                # (the very objects, frozen, in the same order: model.members, 60,000 at 10,000 posts; or model objects
                # of the same keys where they are not, which a digest writes as their keys: a post's edit)
                found = before[1]
            else:
                try:
                    found = _value_digest(value)
                except Volatile:
                    found = None
            if type(value) is tuple and found is not None and self.held is not None:
                self._tuples[(key, name)] = (value, found)
        self._attributes[(key, name)] = found
        return found

    def same_reads(self, key: str, names: frozenset[str], then: bytes) -> bool:
        """Whether the attributes ``names`` of the object ``key`` have the values now that they had when its digest was
        ``then``: known when the model of the build before in this process (``serve``) held it with that digest, by
        comparing the attributes' values of its object then and now (other model objects by key, as in a digest).
        A group of pages that read only its name and stars is then the same after a post's description is edited
        (listing.py); the objects it read through those attributes are among its reads, compared on their own."""
        before = self._before
        if before is None:
            return False
        model, objects, digests, _ = before
        old, new = objects.get(key), self.index().get(key)
        if old is None or new is None or type(old) is not type(new) or digests.get(key) != then:
            return False
        derived = getattr(type(new), "DERIVED", {})
        try:
            for name in names:
                if name in derived:  # (what each model relates to it: an object kept reads the newer model's)
                    a, b = model_mod.related_in(model, old, name), model_mod.related_in(self.model, new, name)
                elif old is new:  # (its fields are its own; a property reads them, or relations read by name)
                    continue
                else:
                    a, b = getattr(old, name), getattr(new, name)
                if a is not b and _value_digest(a) != _value_digest(b):
                    return False
        except (Volatile, AttributeError):
            return False
        return True

    def digests(self, read: Iterable[tuple], jobs: int = 1, also: Iterable[tuple[str, str]] = ()) -> "Digests":
        """The digests to keep for the next build: of every object, and of the attribute-level reads
        ``read`` (each page's ``attributes``) and ``also`` ((key, attribute) pairs)."""
        attributes = {(k, name) for attributes in read for k, names in attributes for name in names}
        attributes.update(also)
        by_key = self.object_digests(jobs)
        kept = Digests(dict(by_key), {(k, name): self.attribute_digest(k, name) for k, name in sorted(attributes)})
        if self.held is not None:  # (what they are a copy of: the next build's unchanged)
            self.held[_HELD_KEPT] = (kept, by_key)
        return kept

    def kept_as(self, digests: "Digests") -> None:
        """The cache kept ``digests``: those :meth:`digests` gave, or an equal copy it had (a build that changed no
        digest keeps the section it read). The next build of this process finds the changed objects from those
        hashed again when the digests it compares with are the ones this build kept (:meth:`_changed_since`)."""
        kept = self.held.get(_HELD_KEPT) if self.held is not None else None
        if kept is not None and kept[0] is not digests and kept[0] == digests:
            self.held[_HELD_KEPT] = (digests, kept[1])

    def unchanged(self, before: "Digests", jobs: int = 1) -> "Unchanged":
        """The objects and attributes whose digest is the one ``before`` kept (worked out once for the same
        ``before``: the plan and the derived pieces ask the same)."""
        if self._unchanged is not None and self._unchanged[0] is before:
            return self._unchanged[1]
        now = self.object_digests(jobs)
        attributes = {ka for ka, d in before.attributes.items()
                      if d is not None and self.attribute_digest(*ka) == d}
        changed = self._changed_since(before, now)
        found = Unchanged(None, attributes, changed) if changed is not None else \
            Unchanged({k for k, d in before.objects.items() if d is not None and now.get(k) == d}, attributes)
        self._unchanged = (before, found)
        return found

    def _changed_since(self, before: "Digests", now: dict[str, bytes | None]) -> frozenset[str] | None:
        """The keys whose digest is not the one ``before`` kept (or not known, or not kept), when ``before`` is what
        the build before in this process kept and this build's digests were made from that build's, with the
        objects made again hashed again (``serve``): worked out from those alone, not from 71,000 digests compared.
        None when not known that way.

        Every key a kept page read, and every key of the pages' reverse index (incremental/readers.py), is then
        among ``before``'s: a rebuild that compared every digest rendered each page that read a key it has no
        digest for (only a key with a digest now can be unchanged), and since then the digests kept are those
        with the objects made again put in, over the same keys (the model's index is the one before's,
        ``_index_from_before``); a page rendered reads keys of the model. So "every key but the changed ones"
        names the same keys as the comparison of every digest (tests/test_incremental.py compares the two)."""
        kept = self.held.get(_HELD_KEPT) if self.held is not None else None
        rehashed = self._rehashed
        if kept is None or kept[0] is not before or rehashed is None or rehashed[0] is not kept[1]:
            return None
        old = before.objects
        changed = {k for k in rehashed[1] if old.get(k) is None or now.get(k) != old[k]}
        changed.update(k for k in self._before[3] if k in old)  # (not known then: never the same)
        return frozenset(changed)

    # pages
    def inputs(self, page, reads: Reads) -> tuple[tuple[str, ...], tuple[tuple[str, tuple[str, ...]], ...]]:
        """The keys of the whole objects and the (key, attributes) of the others that ``page`` read."""
        objects = {key_of(obj) for obj in reads.objects.values()}
        objects.update(reads.keys)
        attributes = {key: set(names) for key, names in reads.key_attributes.items()}
        for obj, names in reads.attributes.values():  # (the model's, the one attribute-level class: one entry at most)
            attributes.setdefault(key_of(obj), set()).update(names)
        attributes = tuple(sorted((key, tuple(sorted(names))) for key, names in attributes.items()))
        if len(reads.whole) == 1:
            return _sorted_with(reads.whole[0], objects), attributes
        for whole in reads.whole:
            objects.update(whole)
        return _sorted_keys(objects), attributes

    def context(self, page) -> bytes | None:
        """The digest of the page apart from what it reads: templates, code, address, context and ready
        data; None when it cannot be known (the page is then always rendered)."""
        h = hashlib.blake2b(self.env, digest_size=20)
        try:
            if page.view is not None:
                h.update(_view_identity(page.url, page.template, page.view, page.args))
            else:
                h.update(_value_digest((page.url, page.template, page.context)))
            h.update(_data_identity(page.data))
        except Volatile:
            return None
        return h.digest()


def _sorted_keys(keys: set[str]) -> tuple[str, ...]:
    """``keys`` in order; the order of a large set asked for again (the three open-data files read the same 80,000
    keys at 10,000 posts, in each of serve's rebuilds after a member's edit: ~20 ms each to sort) is remembered."""
    if len(keys) < _SORTED_FROM:
        return tuple(sorted(keys))
    frozen = frozenset(keys)
    found = _SORTED.get(frozen)
    if found is None:
        found = _SORTED[frozen] = tuple(sorted(frozen))
        while len(_SORTED) > _SORTED_KEPT:
            del _SORTED[next(iter(_SORTED))]  # (the oldest)
    return found


def _sorted_with(whole: frozenset[str], keys: set[str]) -> tuple[str, ...]:
    """The keys of ``whole`` and ``keys`` in order: found by the very set ``whole`` and the keys not in it when asked
    for before (an open-data file's 80,000 keys and the few the page read itself, in each of serve's rebuilds)."""
    extra = frozenset(keys.difference(whole))
    found = _SORTED_WITH.get((id(whole), extra))
    if found is not None and found[0] is whole:
        return found[1]
    value = _sorted_keys(whole.union(extra)) if extra else _sorted_keys(whole)
    _SORTED_WITH[(id(whole), extra)] = (whole, value)
    while len(_SORTED_WITH) > _SORTED_KEPT:
        del _SORTED_WITH[next(iter(_SORTED_WITH))]  # (the oldest)
    return value


_SORTED_FROM, _SORTED_KEPT = 10_000, 4
_SORTED: dict[frozenset[str], tuple[str, ...]] = {}  # (the large sets of keys sorted last)
_SORTED_WITH: dict[tuple[int, frozenset[str]], tuple[frozenset[str], tuple[str, ...]]] = {}  # (see _sorted_with)


# (in Cache.held: the model, its objects by key, their digests by key, the keys of those whose digest is not known)
_HELD_DIGESTS = "object-digests"


def held_index(held: dict, model: model_mod.Model | None) -> dict[str, Any] | None:
    """``model``'s objects by key, as the last build of this process that kept its digests (``held``, Cache.held)
    indexed them, if that build's model was ``model`` (the next model builder looks its objects up by key)."""
    found = held.get(_HELD_DIGESTS)
    return found[1] if found is not None and model is not None and found[0] is model else None
_HELD_TUPLES = "attribute-tuples"  # (in Cache.held: the attributes' tuples a build hashed, Fingerprints._tuples)
_HELD_KEYS = "object-keys"  # (in Cache.held: a build's index of objects and its keys as a set, Fingerprints.keys)
_HELD_KEPT = "kept-digests"  # (in Cache.held: the Digests a build kept for the next one, and the dict they copied)


@dataclass(frozen=True)
class Digests:
    """The digests of every model object and of every attribute-level read of one build's pages,
    kept in the cache: the next build compares its own with them."""

    objects: dict[str, bytes | None]  # None: could not be known (never the same)
    attributes: dict[tuple[str, str], bytes | None]


@dataclass(frozen=True)
class Unchanged:
    objects: set[str] | None  # None: every object but ``changed``
    attributes: set[tuple[str, str]]
    changed: frozenset[str] = frozenset()

    def covers(self, objects: tuple[str, ...], attributes: tuple) -> bool:
        """Whether nothing among these reads changed."""
        if self.objects is None:  # (every key a page read is among those compared with: see _changed_since)
            if not self.changed.isdisjoint(objects):
                return False
        elif not self.objects.issuperset(objects):  # (one call for the whole tuple: 178,000 pages a build at 10,000 posts)
            return False
        same_attributes = self.attributes
        for k, names in attributes:
            for name in names:
                if (k, name) not in same_attributes:
                    return False
        return True


DIGEST_PART = 10_000  # the fewest objects hashed by one process at a time (fewer are hashed sooner than a worker is forked)
_DIGESTING: tuple | None = None  # (index, key by id, sources) of the objects being hashed, for forked workers


class _Unknown(Exception):
    """A value whose parts cannot be told apart cheaply: the object is hashed."""


_ENTITY, _TUPLE, _LIST, _DICT, _RECORD, _DIGEST = "e", "t", "l", "d", "r", "h"


def _parts(value: Any, sources: dict[str, bytes], keys: dict[int, str] | None = None) -> Any:
    """What ``value`` is made of, such that equal parts pickle (and so hash) the same, in this process or any
    later one: model objects as their key, strings and numbers as themselves with their type, sealed records
    as *which* record (the digest of the bytes of the file they were read from, ``sources``, and their place
    in it: a record is a function of its file's name and bytes, and is read-only), containers item by item,
    objects that carry a digest of their content as that digest, frozen dataclasses field by field. Anything
    else raises :class:`_Unknown`. ``keys``: the key of each model object by its ``id``, where known (the
    objects are alive: a key looked up once, not made again for every reference)."""
    cls = type(value)
    if cls is str:
        return value
    if cls in ENTITIES:
        k = keys.get(id(value)) if keys is not None else None
        return (_ENTITY, k if k is not None else key_of(value))
    if cls is tuple or cls is list:
        return (_TUPLE if cls is tuple else _LIST,
                *[item if type(item) is str else _parts(item, sources, keys) for item in value])
    if cls is Rec:
        source = sources.get(value.path) if value.sealed else None
        if source is None:  # (a record put together in this process: import's trial month)
            raise _Unknown
        return (_RECORD, value.path, source, value.line, value.col, value.offset)
    if cls is dict:
        return (_DICT, *[(_parts(k, sources, keys), _parts(v, sources, keys)) for k, v in value.items()])
    if cls is int or cls is bool or value is None or cls is dt.date:
        return (_PLAIN[cls], value)
    if cls is float or cls is dt.datetime:  # (-0.0 == 0.0, and equal times in two zones, but not the same pickle)
        return (_PLAIN[cls], repr(value))
    name = getattr(cls, "TRACKING_DIGEST", None)
    if name is not None:
        return (_DIGEST, _class_name(cls), _get(value, name))
    params = getattr(cls, "__dataclass_params__", None)
    if params is not None and params.frozen:
        return (_class_name(cls), *[_parts(v, sources, keys) for _, v in _fields(value)])
    raise _Unknown


# A class in the parts is written as its name: a class object is pickled as its module and name looked up again
# each time (no memo in fast mode), which was a third of hashing a city's objects. The names hold a dot, the tags
# of plain values and containers do not: no part of one kind is written as a part of another.
_PLAIN = {int: "int", bool: "bool", type(None): "none", dt.date: "date", float: "float", dt.datetime: "datetime"}
_CLASS_NAMES: dict[type, str] = {}


def _class_name(cls: type) -> str:
    name = _CLASS_NAMES.get(cls)
    if name is None:
        name = _CLASS_NAMES[cls] = f"{cls.__module__}.{cls.__qualname__}"
    return name


def _made_of(obj: Any, sources: dict[str, bytes], known: dict[int, str] | None) -> tuple:
    """What ``obj`` is made of (raises :class:`_Unknown`). The fields a model class declares to be made by
    its own file's bytes alone (``FROM_FILE``: the file's path for the object's id, and the names) are that
    file, by its digest; the others, and what the model in use relates to the object (``DERIVED``), part by
    part."""
    cls = type(obj)
    declared = _FROM_FILE.get(cls)
    if declared is None:
        found = getattr(cls, "FROM_FILE", None)
        others = () if found is None else tuple(f.name for f in fields(cls) if f.name not in found[1])
        others += tuple(getattr(cls, "DERIVED", ()))  # (its relations in the model in use: model/build.py Relations)
        declared = _FROM_FILE[cls] = (found[0] if found else None, others)
    path, others = declared
    if path is not None:
        path = path.format(_get(obj, "id"))
        source = sources.get(path)
        if source is not None:
            return (_MADE_OF, _class_name(cls), path, source,
                    *[v if type(v) is str else _parts(v, sources, known) for v in [_get(obj, name) for name in others]])
    return (_MADE_OF, _class_name(cls), *[v if type(v) is str else _parts(v, sources, known) for _, v in _fields(obj)])


_FROM_FILE: dict[type, tuple[str | None, tuple[str, ...]]] = {}  # class → (its FROM_FILE path, its other fields)


def _digest_part(keys: list[str]) -> list[bytes | None]:
    index, known, sources = _DIGESTING
    out: list[bytes | None] = []
    digester = _Digester()
    for k in keys:
        obj = index[k]
        try:
            parts = _made_of(obj, sources, known)
        except _Unknown:
            parts = None
        try:
            out.append(digester.digest(parts if parts is not None else _fields(obj)))
        except Volatile:
            out.append(None)  # never the same as before: the pages that read it are rendered again
    return out


_MADE_OF = "made of"  # (what an object's parts begin with: never the same digest as one of its fields' values)


def _view_identity(url: str, template: str | None, view: Callable, args: tuple) -> bytes:
    """What decides a page made by a view, besides what the view and the template read: its address, template,
    view and arguments. Arguments that are model objects, strings, numbers or objects carrying a digest of
    their content (``TRACKING_DIGEST``) are written as they are (no pickling: a city has 100,000s of such
    pages); anything else makes the whole a digest. The view's code is in the environment digest."""
    if getattr(view, "__closure__", None) is not None or getattr(view, "__self__", None) is not None:
        raise Volatile("a view with a closure or bound to an object")
    return _joined([url, template or "", view.__module__, view.__qualname__, *map(_argument, args)]).encode()


def same_arguments(before: tuple, now: tuple) -> bool:
    """Whether the arguments ``now`` are those ``before`` were, told without writing either out as
    :func:`arguments_text` does: the same frozen objects, model objects of the same key, and values of the same
    types that are equal — strings, numbers (a float by its bits), tuples and dicts (in their order) of those.
    False when it cannot tell. (A function given arguments never changes them: pages.web.Pages.)"""
    return len(before) == len(now) and all(map(_same_value, before, now))


def _same_value(a: Any, b: Any) -> bool:
    cls = type(a)
    if a is b and cls not in _MUTABLE:
        return True
    if cls is not type(b):
        return False
    if cls is str or cls is int or cls is bool:
        return a == b
    if cls in ENTITIES:
        return key_of(a) == key_of(b)
    if cls is tuple:
        return len(a) == len(b) and all(map(_same_value, a, b))
    if cls is dict:
        return len(a) == len(b) and all(map(_same_value, a, b)) and all(map(_same_value, a.values(), b.values()))
    if cls is float:
        return a.hex() == b.hex()
    return False


_MUTABLE = frozenset({list, dict, set, bytearray})  # (the same object may hold other values now: looked into)


def arguments_text(args: tuple) -> str:
    """Arguments as :func:`_view_identity` writes them (model objects by key); raises :class:`Volatile`. The text of
    ``a + b`` is the text of ``a`` followed by that of ``b`` (derive_each writes its head once)."""
    return _joined([_argument(arg) for arg in args])


def _joined(parts: list[str]) -> str:
    """Each part's length first: no two lists of parts give the same text."""
    return "".join(f"{len(part)}:{part}" for part in parts)


def _argument(arg: Any) -> str:
    cls = type(arg)
    if cls in ENTITIES:
        return "e" + key_of(arg)
    if cls is str:
        return "s" + arg
    if cls is bool or cls is int or arg is None:
        return "v" + repr(arg)
    if cls is tuple:
        return "t" + _joined([_argument(item) for item in arg])
    name = getattr(cls, "TRACKING_DIGEST", None)
    value = _get(arg, name) if name is not None else None
    if type(value) is str:
        return f"d{cls.__qualname__} {value}"
    if type(value) is bytes:
        return f"d{cls.__qualname__} {value.hex()}"
    return "p" + _value_digest(arg).hex()


def _data_identity(data: Any) -> bytes:
    """What a page's ready data is: its bytes' hash, or a plain function with what it closes over."""
    if data is None:
        return b"-"
    if isinstance(data, bytes):
        return digest(data)
    code = getattr(data, "__code__", None)
    if code is None or getattr(data, "__self__", None) is not None:
        raise Volatile("a page made by a method or callable object")  # e.g. a file's read_bytes
    cells = [c.cell_contents for c in (data.__closure__ or ())]
    return _value_digest((data.__module__, data.__qualname__, cells, data.__defaults__))


def environment_digest(dirs: list[Path], extra: Any) -> bytes:
    """Everything a page's rendering depends on besides its context and reads: templates, code, globals."""
    h = hashlib.blake2b(code_version().encode(), digest_size=20)
    for folder in dirs:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                h.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
        h.update(b"\1")
    h.update(_value_digest(extra))
    return h.digest()
