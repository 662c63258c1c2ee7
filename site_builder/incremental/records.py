"""Reading the content files (:func:`load`): from the cache when unchanged, else parsed (in parallel).

A file is unchanged when its stat signature (modification and change time, size, inode) is the one
recorded with its parsed result, or, failing that, when its bytes hash to the recorded hash (after a
``git checkout`` that rewrote it unchanged). A file modified within a second or two of the build that
cached it is always hashed, since its time stamp may not have moved.

A caller that watches ``content/`` (``serve``) says which files changed since its last build instead: the
folders are looked at (one stat each), and while none of them gained, lost or renamed a file, the list of
files is the last build's and only the changed files are read (:class:`Watched`). Anything else (a new,
deleted or renamed file, a folder changed, a symbolic link in content/) lists and stats every file again.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import pickle
import stat
import time
import zlib
from pathlib import Path
from typing import Callable, Iterable, Sequence

from .. import workers
from .cache import Cache
from ..digests import RACY_SECONDS, digest, stat_signature
from ..content.load import FOLDERS, NESTED, Job, Later, Parsed, Raw, assemble, parse_file, reassemble, scan
from ..errors import Problems

POOL_MIN_FILES = 400  # fewer files are parsed in the build process (forking costs more than it saves)


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0)  # (no newline translation on Windows)


def _read_bytes(path) -> tuple[os.stat_result, bytes]:
    """The file's stat (of the file read, not of its name a moment earlier) and its bytes, with plain system
    calls: half the time of open().read() for the small files a city has tens of thousands of."""
    fd = os.open(path, _READ_FLAGS)
    try:
        st = os.fstat(fd)
        data = os.read(fd, st.st_size + 1)
        if len(data) != st.st_size:  # it changed meanwhile (or a short read): read on to its end
            parts = [data]
            while chunk := os.read(fd, 1 << 20):
                parts.append(chunk)
            data = b"".join(parts)
    finally:
        os.close(fd)
    return st, data


def _read(job: Job, entry: tuple | None) -> tuple:
    """(signature, hash, Parsed, parsed_now) for one file; the cached result when its bytes are the same."""
    try:
        st, data = _read_bytes(job.path)
    except OSError as exc:
        return None, None, parse_file(job, None, exc.strerror), True
    h = digest(data)
    if entry is not None and entry[1] == h and entry[3] == job.kind:
        return stat_signature(st), h, entry[2], False
    return stat_signature(st), h, parse_file(job, data), True


LATER = {"evaluations"}  # kinds whose records are kept as pickled bytes from their parse on (load.Later)


def _for_later(parsed: Parsed) -> Parsed:
    """``parsed`` with its record kept as pickled bytes, made again each time something reads it: in the
    worker that parsed it, so that the build holds bytes and the model makes one file's records at a time (a
    city's evaluation files are most of its records' memory and half of what a warm build would read back, and
    only a change to one of them needs them: the model keeps the standings by the files' digests)."""
    if parsed.value is None:
        return parsed
    later = Later(functools.partial(pickle.loads, pickle.dumps(parsed.value, protocol=5)))
    return Parsed(later, parsed.problems, parsed.sensitive)


_PENDING: dict[int, tuple[Job, tuple | None]] = {}  # what forked workers read, by place (set before they start)


def _read_part(indices: list[int]) -> list[tuple]:
    out = []
    for i in indices:
        job = _PENDING[i][0]
        sig, h, parsed, new = _read(*_PENDING[i])
        if new and job.kind in LATER:
            parsed = _for_later(parsed)
        out.append((sig, h, parsed if new else None))  # a cache hit is not sent back
    return out


SHARDS = 32


def _shard(shown: str) -> int:
    return zlib.crc32(shown.encode()) % SHARDS


def read_all(todo: Sequence[Job], cache: Cache | None, jobs: int = 1,
             progress: Callable[[str, int, int], None] | None = None,
             only: set[int] | None = None, before: "Loaded | None" = None) -> tuple[list[Parsed], list[bytes | None]]:
    """The Parsed of every job, in order, and the digest of each file's bytes (None: it could not be read).
    ``only``: the jobs whose files may have changed (a watcher says so); the others are the cache's, unlooked at,
    or, with ``before`` (what the last load of the same jobs gave), what they were then."""
    global _PENDING
    shards = [cache.section(f"records-{n}") if cache is not None else {} for n in range(SHARDS)]
    looked = sorted(only) if before is not None and only is not None else range(len(todo))
    entries = {i: shards[_shard(todo[i].shown)].get(todo[i].shown) for i in looked}
    results: list[Parsed | None] = list(before.parsed) if before is not None else [None] * len(todo)
    digests: list[bytes | None] = list(before.digests) if before is not None else [None] * len(todo)
    pending: list[int] = []
    for i in looked:
        job, entry = todo[i], entries[i]
        if entry is not None and entry[3] == job.kind:
            if only is not None and i not in only:
                results[i], digests[i] = entry[2], entry[1]
                continue
            try:
                st = os.stat(job.path)
            except OSError:
                st = None
            if st is not None and stat_signature(st) == entry[0] and st.st_mtime < entry[4] - RACY_SECONDS:
                results[i], digests[i] = entry[2], entry[1]
                continue
        pending.append(i)
    done = len(todo) - len(pending)
    if progress:
        progress("load", done, len(todo))
    changed: set[int] = set()
    if pending:
        stamp = time.time()
        _PENDING = {i: (todo[i], entries[i]) for i in pending}
        # The kinds of file that can be largest first (a month's evaluations list every post: ~35 ms to read
        # at 3,000 posts, against ~0.3 ms for a member), in about eight parts per worker, so that no worker
        # is left with the heavy files at the end while the other waits.
        pending.sort(key=lambda i: -todo[i].limit)
        parts = workers.chunks(pending, jobs * 2, 64) if len(pending) >= POOL_MIN_FILES else [pending]
        try:
            for part, out in zip(parts, workers.run(_read_part, parts, jobs if len(parts) > 1 else 1)):
                for i, (sig, h, parsed) in zip(part, out):
                    job = todo[i]
                    if parsed is None:  # unchanged bytes: the cached result
                        parsed = entries[i][2]
                    results[i], digests[i] = parsed, h
                    if sig is not None and cache is not None:  # (a build that keeps nothing pickles nothing)
                        n = _shard(job.shown)
                        shards[n][job.shown] = (sig, h, parsed, job.kind, stamp)
                        changed.add(n)
                done += len(part)
                if progress:
                    progress("load", done, len(todo))
        finally:
            _PENDING = {}
    if cache is not None and only is None:  # (the same files as the last build: none gone)
        present = {job.shown for job in todo}
        for n, shard in enumerate(shards):
            gone = [shown for shown in shard if shown not in present]
            for shown in gone:
                del shard[shown]
            if gone or n in changed:
                cache.touch(f"records-{n}")
    return results, digests  # type: ignore[return-value]


def load(root: Path, problems: Problems, *, cache: Cache | None = None, jobs: int = 1, progress=None,
         changed: Iterable[str | os.PathLike] | None = None, watched: bool = False) -> Raw:
    """Read ``content/``: files unchanged since the build that filled ``cache`` are not parsed again,
    the others are parsed in ``jobs`` processes. ``watched``: the caller watches the site's files and tells
    the next build of this ``cache`` which ones ``changed`` since this one (see :class:`Watched`)."""
    held = cache.held if cache is not None and watched else None
    todo, only = Watched.files(root, problems, held, changed)
    before = held.get(Loaded.HELD) if held is not None and only is not None else None
    if before is not None and before.todo is not todo:  # (another scan's files)
        before = None
    parsed, digests = read_all(todo, cache, jobs, progress, only, before)
    raw = None
    if before is not None:  # (None from reassemble: nothing added to the problems)
        noted = sorted({i for i in before.noted if i not in only} | {i for i in only if _noted(parsed[i])})
        raw = reassemble(before.raw, todo, parsed, digests, sorted(only), noted, problems, watched=True)
    if raw is None:
        raw = assemble(root, todo, parsed, problems, digests, watched=only is not None)
        noted = [i for i, found in enumerate(parsed) if _noted(found)]
    if held is not None:
        if type(todo) is tuple:  # (the files of a scan the next build may take as they are: Watched)
            held[Loaded.HELD] = Loaded(todo, tuple(parsed), tuple(digests), raw, tuple(noted))
        else:
            held.pop(Loaded.HELD, None)
    return raw


def _noted(parsed: Parsed) -> bool:
    return bool(parsed.problems or parsed.sensitive)


@dataclasses.dataclass(frozen=True)
class Loaded:
    """What the last load of a watched site made, for the next one when only some of the same files changed
    (:func:`load`; the Raw it made is never changed: the next one is made from a copy of its tables)."""

    todo: tuple[Job, ...]  # the files (a Watched scan's: the same tuple while the folders hold the same files)
    parsed: tuple[Parsed, ...]
    digests: tuple[bytes | None, ...]
    raw: Raw
    noted: tuple[int, ...]  # the places of the files with problems or personal numbers

    HELD = "loaded"  # (in Cache.held: kept in memory by the process, never saved)


@dataclasses.dataclass(frozen=True)
class Watched:
    """What a full scan of ``content/`` found, for the next build of a caller that watches the files: each
    folder's stat signature and entries before the scan, the files to read, the problems of their names and
    folders. A folder whose signature moved still holds the same files when its entries are the same: an
    editor that saves by writing a new file and renaming it over the old one (vim, the local editing app)."""

    root: Path
    folders: dict[str, tuple]  # folder → (stat signature, its entries: (name, is a folder, is a link))
    todo: tuple[Job, ...]
    problems: tuple
    by_path: dict[str, int]  # a file's absolute path → its place in ``todo``

    HELD = "watched-scan"  # (in Cache.held: kept in memory by the process, never saved)

    @classmethod
    def files(cls, root: Path, problems: Problems, held: dict | None,
              changed: Iterable[str | os.PathLike] | None) -> tuple[Sequence[Job], set[int] | None]:
        """The files to read and, when the last scan still holds, which of them to read again (else None:
        each by its stat signature)."""
        last = held.get(cls.HELD) if held is not None else None
        if changed is not None and last is not None and last.root == root:
            folders = last.same_folders()
            only = last.changed(changed) if folders is not None else None
            if only is not None:
                if folders is not last.folders:
                    held[cls.HELD] = dataclasses.replace(last, folders=folders)
                problems.items.extend(last.problems)
                return last.todo, only
        if held is not None:
            held.pop(cls.HELD, None)
            folders = _folders(root)  # (before the scan: a file added meanwhile is seen by the next build)
        mark = len(problems.items)
        todo = scan(root, problems)
        # (no symbolic link among the folders' entries: an edit of a link's target is not reported as the link's)
        if held is not None and folders is not None and \
                not any(link for _, entries in folders.values() if entries for _, _, link in entries):
            paths = {os.path.abspath(job.path): i for i, job in enumerate(todo)}
            scanned = held[cls.HELD] = cls(root, folders, tuple(todo), tuple(problems.items[mark:]), paths)
            return scanned.todo, None
        return todo, None

    def same_folders(self) -> dict[str, tuple] | None:
        """The folders as they are now (``self.folders`` itself if no signature moved), if each holds the same
        entries as when the files were listed; else None."""
        now = _folders(self.root, self.folders)
        if now is None or now.keys() != self.folders.keys():
            return None
        if all(now[f][0] == self.folders[f][0] for f in now):
            return self.folders
        return now if all(now[f][1] == self.folders[f][1] for f in now) else None

    def changed(self, paths: Iterable[str | os.PathLike]) -> set[int] | None:
        """The places of the files among ``paths`` in content/; None if one is not a file the scan listed."""
        content = os.path.join(os.path.abspath(self.root / "content"), "")
        only: set[int] = set()
        for path in paths:
            path = os.path.abspath(path)
            if not path.startswith(content):
                continue  # (templates/: not read here)
            i = self.by_path.get(path)
            if i is None:
                return None
            only.add(i)
        return only


def _folders(root: Path, before: dict[str, tuple] | None = None) -> dict[str, tuple] | None:
    """Each folder :func:`load.scan` lists, with its stat signature (a file added, removed or renamed in it moves
    that) and its entries (listed only for a folder whose signature is not the one ``before`` has); None if one
    of them is a symbolic link."""
    content = root / "content"
    paths = [content, *(content / f for f in (*FOLDERS, "stories", *NESTED))]
    for kind in NESTED:
        try:
            paths += sorted(Path(e.path) for e in os.scandir(content / kind) if e.is_dir(follow_symlinks=False))
        except OSError:
            continue
    out: dict[str, tuple] = {}
    for path in map(str, paths):
        try:
            st = os.lstat(path)
        except OSError:
            out[path] = (None, None)
            continue
        if stat.S_ISLNK(st.st_mode):
            return None
        signature = (stat_signature(st), st.st_mode)
        kept = before.get(path) if before is not None else None
        if kept is not None and kept[0] == signature:
            out[path] = kept
            continue
        try:
            entries = frozenset((e.name, e.is_dir(follow_symlinks=False), e.is_symlink()) for e in os.scandir(path))
        except OSError:
            entries = None
        out[path] = (signature, entries)
    return out
