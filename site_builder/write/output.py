"""Stage 5, write: the only code that touches the output folder.

The new site is built in a sibling folder and swapped in whole when everything has been written; a
failed build removes only its own sibling, so the published output stays exactly as it was. A file
that is unchanged since the last build is hard-linked from the old output instead of rewritten.

``Writer(..., in_place=True)`` (small rebuilds) instead holds the changed files until the build has
succeeded, then replaces each of them atomically in the existing output and removes the files the
build no longer makes; unchanged files are not touched at all.

The marker file names a hash of every file's name and content (:attr:`Writer.build_id`), so the build
cache can tell that an output folder is still exactly the one it describes.

A build that keeps most files (``serve``'s rebuilds, warm builds) keeps them all at once (:meth:`Writer.keep_all`),
and the build id is a sum of one hash a file, worked out as each file is written or kept (no pass over a
city's 186,000 names at the end).
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import glob
import hashlib
import os
import posixpath
import shutil
import sys
from stat import S_ISREG
from pathlib import Path
from collections.abc import Iterable, Set
from typing import Iterator, NamedTuple

from ..errors import UsageError
from ..output_paths import MARKER, unsafe_output
from ..digests import digest
from ..pages.web import Chunks



def check_output_dir(site: Path, out: Path) -> None:
    """Refuse output folders that would overwrite the sources or something we did not make."""
    if out.is_symlink():  # the swap renames the folder: through a link it would write elsewhere (or fail)
        raise UsageError(f"输出文件夹 {out} 是符号链接（指向 {os.readlink(out)}）：为免写到别处，请用一个真实的文件夹。")
    site_r, out_r = site.resolve(), out.resolve()
    if out_r == site_r or site_r.is_relative_to(out_r):
        raise UsageError(f"输出文件夹 {out} 是站点文件夹本身或它的上级：请用单独的文件夹（默认 output/）。")
    if out_r == Path.cwd().resolve():
        raise UsageError(f"输出文件夹 {out} 是当前文件夹：请用单独的文件夹（默认 output/）。")
    for source in ("content", "templates"):
        if out_r.is_relative_to((site_r / source).resolve()):
            raise UsageError(f"输出文件夹 {out} 在 {source}/ 里面：请放到别处。")
    if (out_r / "content").exists():
        raise UsageError(f"输出文件夹 {out} 里有 content/，像是一个站点文件夹：拒绝覆盖。")
    if out_r.exists() and not out_r.is_dir():
        raise UsageError(f"{out} 不是文件夹：请换一个输出位置。")
    if out_r.is_dir() and any(out_r.iterdir()) and not (out_r / MARKER).exists():
        raise UsageError(f"输出文件夹 {out} 不是空的，也不是 site-builder 生成的：为免误删，拒绝覆盖。"
                         "请换一个文件夹或先清空它。")




def marker_id(out: Path) -> str | None:
    """The build id recorded in an output folder's marker, if any."""
    try:
        text = (out / MARKER).read_text(encoding="utf-8")
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("build: "):
            return line[7:].strip()
    return None


def normal_form(path: str) -> str:
    """The name a safe output path is written under (a safe path is its own normal form but for a trailing slash:
    output_paths.unsafe_output compares the two)."""
    return path.rstrip("/")


def target_in(folder: str | Path, path: str) -> str:
    """The file that the output path ``path`` (claimed by :meth:`Writer.claim`) goes to in the new output ``folder``."""
    return os.path.join(folder, normal_form(path))


class Writer:
    def __init__(self, site: Path, out: Path, *, in_place: bool = False, sole: bool = False,
                 before: "Written | None" = None):
        """``sole``: nothing but the builds of this process writes ``out`` (the development server's preview):
        in place, a file the previous build wrote (:attr:`previous`) is kept without a look at it, and ``before``,
        what the previous build's writer wrote (:meth:`written_files`), spares the build id a hash of each file
        kept."""
        check_output_dir(site, out)
        self.out = out
        self.old = out if (out / MARKER).exists() else None
        self.in_place = in_place and self.old is not None
        self.sole = sole
        self._old_prefix = os.path.join(self.old, "") if self.old is not None else ""
        self.new = out if self.in_place else out.parent / f".{out.name}.new-{os.getpid()}"
        self.written: dict[str, str] = {}  # lower-case path → path, to refuse writing one path twice
        self.changed = 0
        self.digests: dict[str, bytes] = {}  # path → content hash, for the build id
        self._id = 0  # the sum of _file_id over digests (:attr:`build_id`)
        self.pending: dict[str, bytes] = {}  # in place: changed files, written when the build succeeded
        self.previous: set[str] | None = None  # in place: the files of the previous build, if known (else listed)
        # files of the old output found to be there by a look at them all while the build went on (:func:`missing`);
        # None: each is looked at when it is kept
        self.present: set[str] | None = None
        self._made: set[Path] = set()  # folders of the new output made so far
        self._carried = False  # digests holds the previous build's files too until _apply drops those gone
        if before is not None and self.in_place and sole and before.build_id == marker_id(out):
            self.digests, self._id, self._carried = dict(before.digests), before.id, True
        self.before = before if self._carried else None  # (its files are then the previous build's)
        self.kept_files: set[str] = set()  # kept as the previous build wrote them, all at once (:meth:`keep_files`)
        # (:meth:`keep_pages`: the page files kept, every one of ``_pages`` but ``_pages_but``, which are written)
        self._pages: frozenset[str] | None = None
        self._pages_but: set[str] = set()
        self._files: "set[str] | Files | None" = None  # (files(), until another file is written or kept)

    @property
    def can_keep_files(self) -> bool:
        """Whether :meth:`keep_files` can be used: this writer starts from what the previous build wrote."""
        return self._carried and self.previous is not None

    def keep_files(self, paths: set[str]) -> set[str]:
        """Keep the files at ``paths`` as the previous build wrote them (:attr:`can_keep_files`): the set is taken
        as it is, nothing is done a file (178,000 pages at 10,000 posts); returns those that build did not write.
        Their names were checked when that build registered them."""
        lost = self._not_before(paths)
        self.kept_files |= paths - lost if lost else paths
        self._files = None
        return lost

    def keep_pages(self, pages: frozenset[str], but: Iterable[str]) -> set[str]:
        """:meth:`keep_files` of every path of ``pages`` but those in ``but`` (which this build writes): the set is
        not made (178,000 pages at 10,000 posts). When the previous build wrote these very pages (its
        :class:`Files` holds the same object, ``serve``'s rebuilds) none is looked up; returns those it did not
        write."""
        previous, but = self.previous, set(but)
        lost = set() if isinstance(previous, Files) and previous.pages is pages else self._not_before(pages) - but
        if lost:  # (other pages than the previous build's: kept one by one)
            self.keep_files(pages - but - lost)
            return lost
        self._pages, self._pages_but = pages, but
        self._files = None
        return lost

    def _not_before(self, paths: Set[str]) -> Set[str]:
        """Those of ``paths`` that the previous build did not write, found in C (``paths - files`` would look up
        each one in Python when the files are :class:`Files`)."""
        previous = self.previous
        return previous.outside(paths) if isinstance(previous, Files) else paths - previous

    def _kept(self, path: str) -> bool:
        """Whether ``path`` is a file kept all at once (:meth:`keep_files`, :meth:`keep_pages`)."""
        return path in self.kept_files or (self._pages is not None and path in self._pages
                                           and path not in self._pages_but)

    def files(self) -> "set[str] | Files":
        """Every file this build wrote or kept (as given to the writer); not to be changed."""
        if self._files is None:
            found = set(self.written.values())
            if self._pages is not None:  # (the pages written are among them: they were kept but for that)
                self._files = Files(self._pages, frozenset(found.difference(self._pages).union(self.kept_files)))
                return self._files
            self._files = found | self.kept_files if self.kept_files else found
        return self._files

    def __enter__(self) -> "Writer":
        """Begin writing; the caller holds :func:`locked` on the output and has called :func:`clear_leftovers`."""
        if not self.in_place:
            self.out.parent.mkdir(parents=True, exist_ok=True)
            self.new.mkdir()
        return self

    @property
    def build_id(self) -> str:
        """A hash of every file's name and content hash: their :func:`_file_id`\\ s summed (whatever the order in
        which the files were written)."""
        return format(self._id % _ID_RANGE, "032x")

    def written_files(self) -> "Written":
        """What this build wrote, for the next build's writer (``before``) once this one succeeded."""
        return Written(self.build_id, self._id, self.digests, self.files())

    def _digest(self, path: str, content: bytes) -> None:
        """``path``'s content hash is ``content`` (the build id follows)."""
        old = self.digests.get(path)
        if old == content:
            return
        if old is not None:
            self._id -= _file_id(path, old)
        self._id += _file_id(path, content)
        self.digests[path] = content

    def _marker(self) -> str:
        return (f"This folder is written by site-builder and replaced on every build.\n"
                f"build: {self.build_id}\n")

    def __exit__(self, kind, exc, tb) -> None:
        if self.in_place:
            if kind is None:
                self._apply()
            return
        if kind is not None:
            shutil.rmtree(self.new, ignore_errors=True)
            return
        (self.new / MARKER).write_text(self._marker())
        if self.old is not None:
            if exchange(self.new, self.out):  # one atomic step: a web server never sees the folder missing
                shutil.rmtree(self.new, ignore_errors=True)  # now the old output
                return
            trash = self.out.parent / f".{self.out.name}.old-{os.getpid()}"
            os.rename(self.out, trash)  # a build killed between these two: clear_leftovers puts one back
            os.rename(self.new, self.out)
            shutil.rmtree(trash, ignore_errors=True)
        else:
            if self.out.exists():
                self.out.rmdir()  # empty (checked in check_output_dir)
            os.rename(self.new, self.out)

    def _apply(self) -> None:
        """In place: write the held files, then remove what this build did not make."""
        for path, data in self.pending.items():
            replace_file(self.out / path, data)
        keep = self.files()
        there: set[str] = set()  # (what lies in the output besides the previous build's files, if those are known)
        if self.previous is None:  # everything there, also what someone else put there
            self.previous = there
            for folder, dirs, files in os.walk(self.out):
                prefix = os.path.relpath(folder, self.out).replace(os.sep, "/")
                prefix = "" if prefix == "." else prefix + "/"
                there.update(prefix + name for name in files)
                there.update(prefix + name for name in dirs if os.path.islink(os.path.join(folder, name)))
        elif not self._carried:  # the previous build's files, and what else lies in the folders this build changed
            # (an output the last build of this process wrote, a sole writer's, holds nothing else: the preview's
            # "stories/" is 5,000 folders at 10,000 posts)
            for folder in {""} | {posixpath.dirname(path) for path in self.pending}:
                try:
                    entries = list(os.scandir(self.out / folder))
                except OSError:
                    continue
                prefix = folder + "/" if folder else ""
                there.update(prefix + e.name for e in entries if not e.is_dir(follow_symlinks=False))
        previous = self.previous
        if isinstance(previous, Files) and isinstance(keep, Files) and previous.pages is keep.pages:
            # (the same pages: what went is among the previous build's other files, not one a page)
            gone = {path for path in previous.others if path not in keep}
        elif previous is there:
            gone = set()
        else:
            gone = previous - keep  # (a set; with Files on either side, made by Files' set operations)
        gone.update(path for path in there if path not in keep)
        if self._carried:  # (the previous build's files this one did not write: all among gone)
            for path in gone:
                content = self.digests.pop(path, None)
                if content is not None:
                    self._id -= _file_id(path, content)
        for name in sorted(gone):
            if name == MARKER:
                continue
            file = self.out / name
            try:
                file.unlink()
            except FileNotFoundError:
                continue
            self.changed += 1
            folder = file.parent
            while folder != self.out and not any(folder.iterdir()):
                folder.rmdir()
                folder = folder.parent
        replace_file(self.out / MARKER, self._marker().encode())

    def claim(self, path: str) -> None:
        """Register ``path`` as written by this build, by a rendering process that stores it itself at
        :func:`target_in` (folder :attr:`new`). Its folder is made by :func:`store`, in the worker that writes it
        (making 18,000 page folders one after the other here held every worker up: seconds at a few thousand
        posts). Nothing is made for it here: the build claims every page's file before the rendering processes
        start, and what it holds then is copied by each as it touches it (178,000 Paths were ~50 MB at 10,000
        posts; the files' names as strings, ~34 MB)."""
        self._register(path)

    def _register(self, path: str) -> str:
        """Register ``path`` as written by this build; its :func:`normal_form`."""
        if unsafe_output(path):
            raise ValueError(f"refusing to write an unsafe output path: {path!r}")
        norm = normal_form(path)
        key = _written_key(norm)
        if key in self.written or self._kept(path):
            raise ValueError(f"two pages map to the same output file: {self.written.get(key, path)} and {path}")
        self.written[key] = path
        self._files = None
        return norm

    def _target(self, path: str) -> Path:
        target = self.new / self._register(path)
        if not self.in_place:
            folder = target.parent
            if folder not in self._made:
                folder.mkdir(parents=True, exist_ok=True)
                self._made.add(folder)
        return target

    def write(self, path: str, data: bytes | Chunks, content: bytes | None = None) -> None:
        """Write ``data`` at ``path`` (``content``: its :func:`digest`, when the caller has it)."""
        target = self._target(path)
        if content is None:
            content = digest(data)
        # (carried: the previous build's content hash of the file, which it wrote here and no one else since)
        before = self.digests.get(path) if self._carried else None
        self._digest(path, content)
        if self.in_place:
            if not (before == content if before is not None else same_bytes(self.out / path, data)):
                self.pending[path] = data
                self.changed += 1
            return
        self.changed += store(target, self.old / path if self.old is not None else None, data)

    def write_named(self, path: str, data: bytes) -> None:
        """:meth:`write` a file whose name is made from its content's hash (see :meth:`reuse`)."""
        self.write(path, data)
        self._digest(path, path.encode())

    def stored(self, path: str, content: bytes, changed: bool) -> None:
        """Account for a file that another process stored at :meth:`claim`'s target (its content hash)."""
        self._digest(path, content)
        self.changed += changed

    def can_keep(self, path: str) -> bool:
        """Whether the old output has a file at ``path`` to :meth:`keep` (``sole``, in place: whether the previous
        build wrote it)."""
        if self.old is None:
            return False
        if self.sole and self.in_place and self.previous is not None:
            return path in self.previous
        if self.present is not None and path in self.present:
            return True
        return _regular(self._old_prefix + path)  # (no Path, no os.path.join: a city has 100,000s of files)

    def keep(self, path: str, content: bytes) -> bool:
        """Keep the old output's file at ``path`` (its content hash known); False if it is not there."""
        if not self.can_keep(path):
            return False
        if self.in_place:  # the file stays where it is
            self._register(path)
        else:
            _link_or_copy(self.old / path, self._target(path))
        self._digest(path, content)
        return True

    def keep_all(self, files: list[tuple[str, bytes]]) -> list[str]:
        """:meth:`keep` each (path, content hash) of ``files``; returns the paths not kept (not in the old output).

        In place, with the files of the old output known (``sole``: the previous build's; else those a helper
        found there, :attr:`present`): what :meth:`keep` does a file, done for all at once (178,000 pages at
        10,000 posts). Those names were written by the previous build and checked by :meth:`_register` then."""
        there = self.previous if self.sole else self.present
        if not (self.old is not None and self.in_place and there is not None):
            return [path for path, content in files if not self.keep(path, content)]
        written, digests, lost, unchecked = self.written, self.digests, [], []
        if self._carried:
            # (the previous build's files with the same content hash, none a name this build wrote: kept as a set,
            # as keep_files does, not registered one by one; the search index's 8,800 files at 10,000 posts)
            get = digests.get
            same = {path for path, content in files if get(path) == content and not path.endswith("/")}
            if same and written.keys().isdisjoint(map(str.lower, same)):
                same -= self.keep_files(same)  # (those it did not write: looked at below, one by one)
                files = [(path, content) for path, content in files if path not in same]
        for path, content in files:
            if path not in there:
                if not self.keep(path, content):  # (looked at, unless sole)
                    lost.append(path)
                continue
            key = _written_key(normal_form(path))
            if key in written:
                unchecked.append(path)  # (the error of _register, below)
                continue
            written[key] = path
            if digests.get(path) != content:
                self._digest(path, content)
        self._files = None
        for path in unchecked:
            self._register(path)
        return lost

    def reuse(self, path: str) -> bool:
        """Link a file whose name fixes its content (e.g. media/<hash>-480.jpg) from the old output."""
        if not self.can_keep(path):  # (one stat: a city's photos have tens of thousands of sizes)
            return False
        target = self._target(path)
        if not self.in_place:
            _link_or_copy(self.old / path, target)
        self._digest(path, path.encode())  # the name is the content's hash
        return True


def _written_key(norm: str) -> str:
    """The key of a file's normal form in :attr:`Writer.written`: lower case, to refuse two files one file system
    would take for one (the very string when it is lower case already: most are, one string, not two, for each of
    a city's 178,000 files)."""
    key = norm.lower()
    return norm if key == norm else key


_ID_RANGE = 1 << 128


class Files(Set):
    """The files of a build that kept its pages all at once (:meth:`Writer.keep_pages`): its pages' files
    ``pages`` (a set the next ``serve`` rebuild with the same pages hands over as it is) and the ``others``,
    none a page's; a set not made of them all (186,000 names at 10,000 posts)."""

    __slots__ = ("pages", "others")

    def __init__(self, pages: frozenset[str], others: frozenset[str]):
        self.pages, self.others = pages, others

    def __contains__(self, path: object) -> bool:
        return path in self.others or path in self.pages

    def outside(self, paths: Set[str]) -> Set[str]:
        """Those of ``paths`` not among these files (``paths - files`` would look up each one in Python)."""
        return paths.difference(self.others, self.pages)

    def __len__(self) -> int:
        return len(self.pages) + len(self.others)

    def __iter__(self) -> Iterator[str]:
        yield from self.pages
        yield from self.others

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Files) and other.pages is self.pages:
            return other.others == self.others
        return Set.__eq__(self, other)

    __hash__ = None  # type: ignore[assignment]

    @classmethod
    def _from_iterable(cls, paths: Iterable[str]) -> set[str]:  # (what a set operation gives: a set)
        return set(paths)

    def issuperset(self, paths: Iterable[str]) -> bool:
        return all(map(self.__contains__, paths))


class Written(NamedTuple):
    """The files a :class:`Writer` wrote (:meth:`Writer.written_files`)."""
    build_id: str
    id: int  # Writer._id
    digests: dict[str, bytes]  # path → content hash (never changed: a writer given it copies it)
    files: "set[str] | Files"  # Writer.files()


def _file_id(path: str, content: bytes) -> int:
    """One file's part of :attr:`Writer.build_id`: a 128-bit hash of its name and content hash."""
    return int.from_bytes(hashlib.blake2b(path.encode() + b"\0" + content, digest_size=16).digest(), "little")


def missing(looked_at: tuple[str, list[str]]) -> list[str]:
    """Which of the files ``(folder, paths)`` are not regular files in ``folder``: what a warm build's helper
    process finds of the previous build's files while the build process makes the model (``Writer.present``)."""
    prefix = os.path.join(looked_at[0], "")
    return [path for path in looked_at[1] if not _regular(prefix + path)]


def _regular(file: str) -> bool:
    """Whether ``file`` is a regular file (one stat; False when it cannot be looked at)."""
    try:
        return S_ISREG(os.stat(file).st_mode)
    except (OSError, ValueError):
        return False


def lock_file(path: Path) -> Path:
    """The file whose lock stands for ``path``: one per folder, in this user's cache folder, so that
    locking an output never leaves a file beside it nor holds up builds into its sibling folders."""
    home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    name = hashlib.blake2b(str(path.resolve()).encode(), digest_size=16).hexdigest()
    return home / "site-builder" / "locks" / f"{name}.lock"


@contextlib.contextmanager
def locked(*paths: Path) -> Iterator[None]:
    """Hold an exclusive lock on each of ``paths`` (a site folder, an output folder) during a build.

    ``pipeline.run`` locks the site (its cache) and the output: two builds into one output, or of one
    site, would swap one another's folders away or mix their caches, so the second waits for the first,
    saying so once. Paths are locked in one order (no deadlock); the kernel releases the locks of a
    build that was killed. Where no lock file can be made, nothing is locked.
    """
    fds: list[int] = []
    told = False
    try:
        for path in sorted({p.resolve() for p in paths}):
            try:
                file = lock_file(path)
                file.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(file, os.O_RDWR | os.O_CREAT, 0o600)
            except (OSError, RuntimeError):  # RuntimeError: no home folder
                continue
            fds.append(fd)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if not told:
                    print(f"另一个构建正在使用 {path}：等它结束后再继续。", file=sys.stderr, flush=True)
                    told = True
                fcntl.flock(fd, fcntl.LOCK_EX)
            except OSError:  # a file system without locks: nothing to wait for
                pass
        yield
    finally:
        for fd in reversed(fds):
            os.close(fd)  # releases its lock


def exchange(a: Path, b: Path) -> bool:
    """Swap two folders atomically (Linux renameat2 RENAME_EXCHANGE); False where that is not available."""
    if _renameat2 is None:
        return False
    if _renameat2(-100, os.fsencode(a), -100, os.fsencode(b), 2) == 0:  # AT_FDCWD, RENAME_EXCHANGE
        return True
    return False


def _libc_renameat2():
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        function = libc.renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


_renameat2 = _libc_renameat2() if sys.platform.startswith("linux") else None


def clear_leftovers(out: Path) -> None:
    """Remove the sibling folders of builds that were killed mid-way (``.output.new-PID``, ``.output.old-PID``,
    ``.output.stage-PID``, which versions before 2026-12 made for Pagefind).

    Called with the output's lock held, so no running build owns them. A build killed in the middle
    of a swap without an atomic exchange left no output at all: its old output is put back first.
    """
    if not out.exists():
        for old in sorted(out.parent.glob(f"{glob.escape(f'.{out.name}.old-')}*")):
            if (old / MARKER).is_file():
                os.rename(old, out)
                break
    for prefix in (f".{out.name}.new-", f".{out.name}.old-", f".{out.name}.stage-"):
        for path in out.parent.glob(f"{glob.escape(prefix)}*"):
            if path.name[len(prefix):].isdigit() and path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)


def same_bytes(old: Path, data: bytes | Chunks) -> bool:
    """Whether the file ``old`` holds ``data`` (False when it cannot be read)."""
    try:
        if type(data) is not Chunks:
            return old.stat().st_size == len(data) and old.read_bytes() == data
        if old.stat().st_size != data.size:
            return False
        with open(old, "rb") as f:  # (part by part: a file given in parts is large)
            return all(f.read(len(part)) == part for part in data)
    except OSError:
        return False


def _write_to(f, data: bytes | Chunks) -> None:
    if type(data) is Chunks:
        f.writelines(data)
    else:
        f.write(data)


def store(target: str | Path, old: Path | None, data: bytes | Chunks, fresh: bool = False) -> bool:
    """Write ``data`` at ``target`` (from :meth:`Writer.claim`; its folder is made here when missing),
    hard-linking the old file when it is the same; changed?

    ``fresh``: ``target`` is in a new output folder, where its own folder is most likely not made yet (a page is
    a folder's ``index.html``): it is made first, rather than found missing by a failed ``open`` (~20 µs a page
    at 1,000 posts, two processes making folders side by side)."""
    same = old is not None and same_bytes(old, data)
    if fresh:
        make_folder(os.path.dirname(target))
    try:
        _put(target, old, data, same)
    except FileNotFoundError:
        make_folder(os.path.dirname(target))
        try:
            _put(target, old, data, same)
        except FileNotFoundError:
            if not same:
                raise
            _put(target, old, data, False)  # the old file went away meanwhile: the same bytes, written
    return not same


def make_folder(folder: str) -> None:
    """``os.makedirs(folder, exist_ok=True)`` for a folder whose parent is most likely there: one ``mkdir``
    (another process may be making the same folder: one that is there is fine)."""
    try:
        os.mkdir(folder)
    except FileExistsError:
        pass
    except FileNotFoundError:
        os.makedirs(folder, exist_ok=True)


def _put(target: str | Path, old: Path | None, data: bytes | Chunks, same: bool) -> None:
    if same:
        _link_or_copy(old, target)
    else:
        with open(target, "wb") as f:
            _write_to(f, data)


def replace_file(target: Path, data: bytes | Chunks) -> None:
    """Write ``data`` at ``target`` atomically (a temporary file beside it, then renamed over it)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as f:
        _write_to(f, data)
    os.replace(tmp, target)


def _link_or_copy(source: Path, target: str | Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # a file system without hard links
        shutil.copyfile(source, target)
