"""Work spread over processes: parsing files and rendering pages on every core.

Workers are forked from the build process, so they start with everything it has loaded (the model,
the templates) without copying it through a pipe; only each task's result comes back. Results are
put back in task order, so a parallel build writes exactly what a serial one writes.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import pickle
import shutil
import signal
import tempfile
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Callable, Iterable, Iterator, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _start() -> None:
    gc.disable()  # workers live for one stage and make no cycles worth collecting


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def chunks(items: list[T], jobs: int, smallest: int) -> list[list[T]]:
    """About four chunks per worker (so that a slow chunk does not hold the others up), none tiny."""
    size = max(smallest, -(-len(items) // (jobs * 4)))
    return [items[i:i + size] for i in range(0, len(items), size)]


_frozen = False  # whether a caller froze what it loaded (see freeze)


def freeze() -> None:
    """``gc.freeze()`` for a caller that keeps what it loaded out of the collector's sight until it calls
    :func:`unfreeze` (:func:`run` then leaves it frozen)."""
    global _frozen
    _frozen = True
    gc.freeze()


def unfreeze() -> None:
    global _frozen
    _frozen = False
    gc.unfreeze()


def run(task: Callable[[list[T]], R], parts: list[list[T]], jobs: int) -> Iterator[R]:
    """``task(part)`` for every part, in ``jobs`` processes; results in the order of ``parts``.

    The calling process is one of the ``jobs``: it forks ``jobs - 1`` workers and does parts itself while
    they work. A forked worker copies every page of its parent's memory it touches (reference counts are
    written in the objects), up to a whole copy of the model per worker, so one worker fewer is that
    much less memory for the same cores (1.1 GiB at 10,000 posts).

    The parent's objects are frozen first, so that the workers' collector does not copy pages just
    to look at objects they never use. They are unfrozen afterwards only if the caller had not frozen
    what it loaded (:func:`freeze`: the pipeline, before rendering), which then stays out of the
    collector's sight (one full collection over an unfrozen city model costs seconds). (Whether the caller
    froze is known from :func:`freeze`, not asked of ``gc``: ``gc.get_freeze_count()`` walks every frozen
    object, 0.1 s at 3,000 posts.)
    """
    if jobs <= 1 or len(parts) <= 1 or not can_fork():
        for part in parts:
            yield task(part)
        return
    frozen_before = _frozen
    gc.freeze()
    trim()
    try:
        with scratch() as folder:
            pool = ProcessPoolExecutor(max_workers=min(jobs, len(parts)) - 1,
                                       mp_context=multiprocessing.get_context("fork"), initializer=_start)
            try:
                yield from _shared(pool, task, parts, min(jobs, len(parts)) - 1, folder)
            finally:
                # The parts not started yet are cancelled by the pool's own thread: a future cancelled from here just
                # after it was handed to the pool can leave shutdown waiting forever (CPython gh-94440; Debian 12's
                # Python 3.11.2 has it: a page that fails to render hung the build once in some thousand tries)
                pool.shutdown(wait=True, cancel_futures=True)
    finally:
        if not frozen_before:
            gc.unfreeze()


def trim() -> None:
    """Give the system back the C heap's free pages before forking (glibc's ``malloc_trim``; elsewhere nothing):
    pages freed but still held (34 MB at 10,000 posts, after the records' pickles and the parse trees) would be
    copied by each worker that allocates into them, and held by this process as well."""
    if _malloc_trim is not None:
        _malloc_trim(0)


def _find_malloc_trim():
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError, TypeError):  # not glibc (musl, macOS: no such function; Windows: no CDLL(None))
        return None


_malloc_trim = _find_malloc_trim()


RESULTS_PREFIX = "site-builder-results-"
_swept = False  # whether this process cleared what killed builds left (see _results_folder)


def _results_folder() -> str | None:
    """A new folder for the workers' large results (see :func:`_sent`): this user's own, mode 0700, so nobody
    else can put a pickle there; None when no temporary folder can be written (every result then comes through
    the pipe). Its name holds this process's id. A build killed outright (SIGKILL, a CI job cancelled) cannot
    remove its folder, with the results that were on their way in it: the first call in a process removes the
    folders of processes that no longer run."""
    global _swept
    if not _swept:
        _swept = True
        _sweep(tempfile.gettempdir())
    try:
        return tempfile.mkdtemp(prefix=f"{RESULTS_PREFIX}{os.getpid()}-")
    except OSError:
        return None


@contextlib.contextmanager
def scratch() -> Iterator[str | None]:
    """A folder of this user's own for the duration (see :func:`_results_folder`), removed afterwards; None when
    none can be made. Files that a stage's workers write for the build process to read later go there."""
    folder = _results_folder()
    try:
        yield folder
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


def _sweep(parent: str) -> None:
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return
    for entry in entries:
        if not entry.name.startswith(RESULTS_PREFIX):
            continue
        pid = entry.name[len(RESULTS_PREFIX):].split("-", 1)[0]
        try:
            if not pid.isdigit() or entry.stat(follow_symlinks=False).st_uid != os.getuid() \
                    or not entry.is_dir(follow_symlinks=False) or _running(int(pid)):
                continue
        except OSError:
            continue
        shutil.rmtree(entry.path, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):  # (another user's process with that id: not ours to judge)
        return True
    return True


PIPE_BYTES = 1 << 16  # a result larger than a pipe holds comes back through a file (see _sent)


def _sent(task: Callable[[list[T]], R], part: list[T], folder: str | None) -> tuple[bool, bytes | str]:
    """``task(part)`` in a worker, as (False, its pickle) or, when that is larger than a pipe holds, (True, the
    file it was written to in ``folder``).

    A worker's result goes back through a pipe that the build process reads in a thread of its own, a pipe's
    worth (64 KiB) at a time, each waiting for the interpreter lock while the build process works on a part
    itself: a month's evaluations at 1,000 posts (2.4 MB) took a second to arrive, and the worker, blocked
    writing them, did nothing meanwhile (parsing 7,707 files on two cores: 1.9 s against 2.2 s on one). A
    file is written without waiting and read back in one call."""
    data = pickle.dumps(task(part), protocol=5)
    if len(data) <= PIPE_BYTES or folder is None:
        return False, data
    try:
        fd, path = tempfile.mkstemp(dir=folder, suffix=".pickle")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
    except OSError:  # (a full disk: the pipe, slower, still works)
        return False, data
    return True, path


def _received(sent: tuple[bool, bytes | str]) -> R:
    in_file, data = sent
    if in_file:
        with open(data, "rb") as f:
            blob = f.read()
        os.unlink(data)
        return pickle.loads(blob)
    return pickle.loads(data)


def _shared(pool: ProcessPoolExecutor, task: Callable[[list[T]], R], parts: list[list[T]],
            forked: int, folder: str | None) -> Iterator[R]:
    """The parts handed out in order, to a worker that is free or else to this process; the results
    yielded in order as soon as each is there. Parts wait for each worker, so that none is idle
    while this process is doing a part. What is still out when this ends (a part failed, or the caller stopped
    early) the pool's shutdown cancels or waits for (see :func:`run`)."""
    waiting = deque(range(len(parts)))
    running: dict[Future, int] = {}
    results: dict[int, R] = {}
    following = 0
    # two parts for each worker (one it works on, one waiting: it is never idle while this process does a part),
    # fewer when there are few parts, so that this process gets its share; more would leave the parts queued
    # for a worker to it alone at the end (four: parsing at 1,000 posts ended with this process idle for 0.3 s)
    depth = forked * max(1, min(2, len(parts) // (2 * (forked + 1))))
    while following < len(parts):
        while waiting and len(running) < depth:
            i = waiting.popleft()
            running[pool.submit(_sent, task, parts[i], folder)] = i
        if following in results:
            yield results.pop(following)
            following += 1
            continue
        if waiting:  # (the next part in order is a worker's: this process takes the next one waiting)
            i = waiting.popleft()
            results[i] = _as_worker(task, parts[i])
        else:
            wait(running, return_when=FIRST_COMPLETED)
        for future in [f for f in running if f.done()]:
            results[running.pop(future)] = _received(future.result())


def _as_worker(task: Callable[[list[T]], R], part: list[T]) -> R:
    """``task(part)`` in this process as in a worker: without the collector (see :func:`_start`)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return task(part)
    finally:
        if enabled:
            gc.enable()


@contextlib.contextmanager
def background(task: Callable[[T], R], arg: T) -> Iterator[Callable[[], R | None]]:
    """``task(arg)`` in a process forked now, while this one goes on with the block; the block gets a function
    that waits for the result (None if there is none: no fork here, or the task failed). A process not asked
    for its result when the block is left is killed.

    For work that needs nothing this process makes meanwhile and would otherwise keep one core busy while the
    other waits: a warm build is one process for most of its time (looking at every file it keeps in the output:
    a stat each, 0.9 s at 10,000 posts, while the model is built on the other core)."""
    if not can_fork():
        yield lambda: None
        return
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the helper: the task, its result down the pipe, and gone without running the parent's exit code
        status = 1
        try:
            os.close(read_end)
            data = pickle.dumps(task(arg), protocol=5)
            view = memoryview(data)
            while view:
                view = view[os.write(write_end, view):]
            status = 0
        except BaseException:  # (a parent that stopped listening, Ctrl+C, the task's own error: no result)
            pass
        finally:
            os._exit(status)
    os.close(write_end)
    got: list = []  # the result, once asked for
    ended: list = []  # the helper's exit status, once it has been waited for

    def result() -> R | None:
        if not got:
            chunks = []
            try:
                while chunk := os.read(read_end, 1 << 20):
                    chunks.append(chunk)
                ended.append(os.waitpid(pid, 0)[1])
                got.append(pickle.loads(b"".join(chunks)) if ended[0] == 0 and chunks else None)
            except (OSError, pickle.UnpicklingError, EOFError):
                got.append(None)
        return got[0]

    try:
        yield result
    finally:
        os.close(read_end)
        if not ended:  # (not asked, or asking failed: a build that stopped early has no more use for its helper)
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass


def flatten(results: Iterable[list[R]]) -> Iterator[R]:
    for part in results:
        yield from part
