"""Expensive pure functions declare themselves here; the build's cache (if any) keeps their results.

A stage marks a function with ``@memoized("namespace")`` (a QR code, a photo's size) and knows
nothing more; the incremental core installs the running build's store with :func:`use`. Without a
store the function simply runs.
"""

from __future__ import annotations

import contextlib
import functools
from typing import Any, Callable, Iterator, Protocol


class Store(Protocol):
    def memo(self, namespace: str, key: Any, make: Callable[[], Any], durable: bool = True) -> Any: ...

    def recall(self, namespace: str, key: bytes) -> Any: ...

    def keep(self, namespace: str, key: bytes, value: Any) -> None: ...


ACTIVE: Store | None = None  # the store of the build that is running (see :func:`use`)


@contextlib.contextmanager
def use(store: Store | None) -> Iterator[None]:
    """Keep memoized results in ``store`` for the duration of a build (restores the previous one)."""
    global ACTIVE
    saved, ACTIVE = ACTIVE, store
    try:
        yield
    finally:
        ACTIVE = saved


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
