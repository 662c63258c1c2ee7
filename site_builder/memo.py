"""Expensive pure functions declare themselves here; the build's cache (if any) keeps their results.

A stage marks a function with ``@memoized("namespace")`` (a QR code, a photo's size) and knows
nothing more; the incremental core installs the running build's store with :func:`use`. Without a
store the function simply runs.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import threading
from typing import Any, Callable, Hashable, Iterator, Protocol


class Store(Protocol):
    def memo(self, namespace: str, key: Any, make: Callable[[], Any], durable: bool = True) -> Any: ...

    def known(self, namespace: str, key: Any, durable: bool = True) -> bool: ...

    def recall(self, namespace: str, key: bytes) -> Any: ...

    def keep(self, namespace: str, key: bytes, value: Any) -> None: ...


ACTIVE: Store | None = None  # the store of the build that is running (see :func:`use`)


@contextlib.contextmanager
def _installed(name: str, value: Any) -> Iterator[None]:
    """The module global ``name`` set to ``value`` for the duration (the previous value restored)."""
    found = globals()
    saved, found[name] = found[name], value
    try:
        yield
    finally:
        found[name] = saved


def use(store: Store | None) -> contextlib.AbstractContextManager[None]:
    """Keep memoized results in ``store`` for the duration of a build (restores the previous one)."""
    return _installed("ACTIVE", store)


def memoized(namespace: str, key: Callable[..., Any] | None = None, *, durable: bool = True):
    """Decorate a pure, expensive function (e.g. a QR code): its results are kept in the build's store.

    ``key(*args)`` names a call (default: all its arguments); exceptions are not kept. ``durable=False``:
    kept only while the process lives (``serve``'s next rebuild), for results larger to store and read back
    than to make again. A result may serve several builds: it must never be changed.
    """
    def wrap(function):
        @functools.wraps(function)
        def call(*args):
            store = ACTIVE
            if store is None:
                return function(*args)
            return store.memo(namespace, key(*args) if key else args, lambda: function(*args), durable)

        def known(*args) -> bool:
            """Whether the running build's store holds a result for these arguments (nothing is made)."""
            store = ACTIVE
            return store is not None and store.known(namespace, key(*args) if key else args, durable)

        call.known = known
        return call
    return wrap


def recall(namespace: str, key: bytes) -> Any:
    """What :func:`keep` kept under ``namespace`` for ``key`` (a digest of everything the value is made
    from), by this build or the one before it; None if nothing, or another key. For a result made by a pass
    that may also report problems, which is kept only when it reported none (a function's result is kept by
    :func:`memoized`)."""
    store = ACTIVE
    return store.recall(namespace, key) if store is not None else None


def keep(namespace: str, key: bytes, value: Any) -> None:
    """Keep ``value`` (never to be changed afterwards) as the one result of ``namespace``, for ``key``."""
    if ACTIVE is not None:
        ACTIVE.keep(namespace, key, value)


class Deriver(Protocol):
    def derive(self, namespace: str, function: Callable[..., Any], args: tuple, recent: int | None = None) -> Any: ...


DERIVING: Deriver | None = None  # the running render's (see :func:`derived`)


def deriving(deriver: Deriver | None) -> contextlib.AbstractContextManager[None]:
    """Route :func:`derived` functions through ``deriver`` while pages are rendered (restores the previous)."""
    return _installed("DERIVING", deriver)


def derived(namespace: str, *, recent: int | None = None):
    """Decorate a function of model objects that a whole-site page is made of, one call for each of many
    objects (a post's open-data record, for the open-data files that list every post).

    The incremental core (incremental/derived.py) keeps each call's result with the model objects it read,
    and a later build reuses it while none of them changed: one edited member makes one post's record again,
    not ten thousand. Its arguments are model objects and plain values; it reads nothing else, and its result
    is never changed. Without a running build it simply runs.

    ``recent=N``: a piece several pages of a run show (a printed board: its print page, its unit's list of
    boards, its post's page), cheaper to make again than to keep: a rendering process keeps its last N calls'
    results, for this build only, and each page that uses one still reads what it was made of.
    """
    def wrap(function):
        @functools.wraps(function)
        def call(*args):
            deriver = DERIVING
            return function(*args) if deriver is None else deriver.derive(namespace, function, args, recent)

        def each(*args):
            """``[call(*head, item) for item in items]`` for ``each(*head, items)``: a page made of one piece for each
            of many objects asks for them all at once (the incremental core may then take them as a whole)."""
            *head, items = args
            deriver = DERIVING
            if deriver is None or recent is not None:
                return [call(*head, item) for item in items]
            return deriver.derive_each(namespace, function, tuple(head), items)
        call.each = each
        return call
    return wrap


class Recent:
    """The results of the last ``limit`` keys used, made by ``make()`` when a key is not among them: for values
    that serve a run of pages and would be held to the end of a build for nothing (a star history, a QR code in a
    build that keeps nothing). Safe to share between threads (the development server builds in a thread of its
    own); a value is made outside the lock."""

    def __init__(self, limit: int):
        self.limit = limit
        self._values: collections.OrderedDict = collections.OrderedDict()
        self._lock = threading.Lock()

    def __contains__(self, key: Hashable) -> bool:
        return key in self._values

    def __len__(self) -> int:
        return len(self._values)

    def __iter__(self) -> Iterator:
        return iter(list(self._values))

    def get(self, key: Hashable, make: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
        value = make()
        with self._lock:
            self._values[key] = value
            while len(self._values) > self.limit:
                self._values.popitem(last=False)
        return value
