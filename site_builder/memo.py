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
