"""The build cache: what earlier builds worked out, so that a rebuild only redoes what changed.

It lives in ``SITE/.site-builder-cache/`` (which ignores itself for git) and holds only things derived
from the site's files, each filed under a hash of everything it was derived from:

- ``records-N``: content file → (stat signature, content hash, what :func:`load.parse_file` made of it),
  in shards, so that one edited file does not rewrite them all;
- ``markdown-N``: a story body → its HTML and the link and image rewrites it asked for (replayed);
- ``pages-N``: output file → the fingerprint of its inputs, what the template read; ``links-N``: its links
  (pickled, read only for a link check that needs them); ``pages-digests``, ``pages-files`` and
  ``pages-output``: the digest of every model object, every file and which output folder they describe;
- ``memo``: results of expensive pure functions (QR codes ...), by their arguments;
- ``derived-NAME-N``: the pieces whole-site pages are made of (a post's open data), with the digests of what
  each read (:mod:`derived`).

Only the sections that changed are written again (and read only when a build asks for them).

The whole cache is dropped when site-builder's code or a library it renders with changes, so a stale
cache can only cost time, never change the output. Deleting the folder, or ``build --no-cache``,
makes the next build a clean one.

The sections are pickles, and unpickling runs code: every file is signed (HMAC-SHA256) with a key of
the user that lives outside every site (``~/.cache/site-builder/cache-key``, or ``$XDG_CACHE_HOME``).
A cache folder that came with a site — committed in a pull request, unpacked from an archive — does
not carry a valid signature and is ignored unread, like a stale one.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import re
import secrets
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

from ..digests import digest
from ..memo import Recent

FOLDER = ".site-builder-cache"
FORMAT = 1
_LIBRARIES = ("Jinja2", "Markdown", "PyYAML", "nh3", "Pillow", "zxing-cpp", "MarkupSafe")


_SIGNED = b"site-builder cache, signed\n"
_KEY: bytes | None = None


def _key() -> bytes:
    """This user's signing key, made on first use; a process that cannot keep one makes its own."""
    global _KEY
    if _KEY is None:
        key = secrets.token_bytes(32)
        try:
            folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "site-builder"
            path = folder / "cache-key"
            try:
                stored = path.read_bytes()
            except FileNotFoundError:
                folder.mkdir(parents=True, exist_ok=True)
                try:
                    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                except FileExistsError:  # another build made it just now
                    time.sleep(0.05)
                    stored = path.read_bytes()
                else:
                    with os.fdopen(fd, "wb") as f:
                        f.write(key)
                    stored = key
            if len(stored) >= 32:
                key = stored
        except (OSError, RuntimeError):  # RuntimeError: no home folder
            pass
        _KEY = key
    return _KEY


def _signature(data: bytes) -> bytes:
    """What a cache file begins with, before ``data``."""
    return _SIGNED + hmac.digest(_key(), data, "sha256")


def _verified(blob: bytes) -> memoryview | None:
    """The pickle in a signed cache file (a view of ``blob``: the sections of a city are hundreds of megabytes,
    copied for nothing as bytes), or None when the signature is not this user's."""
    n = len(_SIGNED)
    if not blob.startswith(_SIGNED) or len(blob) < n + 32:
        return None
    mac, data = blob[n:n + 32], memoryview(blob)[n + 32:]
    return data if hmac.compare_digest(mac, hmac.digest(_key(), data, "sha256")) else None


_CODE_VERSION: str | None = None


def code_version() -> str:
    """A hash of site-builder's own code and of the libraries that shape its output."""
    global _CODE_VERSION
    if _CODE_VERSION is None:
        h = hashlib.blake2b(digest_size=16)
        h.update(f"{FORMAT} {sys.version}".encode())
        versions = _versions()
        for name in _LIBRARIES:
            h.update(f"{name}={versions.get(name, '-')};".encode())
        package = Path(__file__).resolve().parents[1]
        for path in sorted(package.rglob("*.py")):
            h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
        _CODE_VERSION = h.hexdigest()
    return _CODE_VERSION


def _versions() -> dict[str, str]:
    """The installed version of each of :data:`_LIBRARIES` (none: not installed), as importlib.metadata finds it:
    the first installation on the import path, here from the name of its ``NAME-VERSION.dist-info`` folder; a
    library first found otherwise (a Debian package's ``.egg-info``, say) is asked of importlib.metadata itself,
    which costs ~15 ms of a build's start to load."""
    wanted = {_normalized(name): name for name in _LIBRARIES}
    found: dict[str, str | None] = {}  # (None: ask importlib.metadata)
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for entry in names:
            stem, dot, kind = entry.rpartition(".")
            if kind not in ("dist-info", "egg-info", "egg") or not dot:
                continue
            project, _, version = stem.partition("-")
            name = wanted.get(_normalized(project))
            if name is not None and name not in found:
                found[name] = version if kind == "dist-info" and version and "-" not in version else None
        if len(found) == len(wanted) and None not in found.values():
            return found  # type: ignore[return-value]
    from importlib import metadata  # (only for a library not found above)
    versions = {name: version for name, version in found.items() if version is not None}
    for name in _LIBRARIES:
        if name not in versions:
            try:
                versions[name] = metadata.version(name)
            except metadata.PackageNotFoundError:
                pass
    return versions


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


RECENT_MEMO = 4096  # memo results a build that keeps nothing remembers (Cache._recent)


class Cache:
    """The sections of the cache, read when first used and written back by :meth:`save` if changed.

    ``Cache(None)`` keeps everything in memory only (``--no-cache``; the server keeps one for its life).
    """

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.started = time.time()
        self._data: dict[str, dict] = {}
        self._dirty: set[str] = set()
        self._version_ok: bool | None = None
        self._added: dict = {}  # memo entries made by this process
        self.used: set = set()  # memo entries used by this build
        self._in_process: dict = {}  # memo entries never saved (durable=False)
        self._in_process_used: set = set()  # ... used since the last forget_unused
        # A build that keeps nothing remembers the results its process used last, not all it made: a QR code serves
        # the pages of its post, which one process renders one after another (a post's boards and cards come by
        # unit); kept to the end of the build they were tens of MB in each rendering process at 10,000 posts
        self._recent = Recent(RECENT_MEMO)
        self.held: dict[str, Any] = {}  # worked out from the sections for this process's next build, never saved

    @classmethod
    def for_site(cls, site: Path, enabled: bool = True) -> "Cache":
        return cls(site / FOLDER if enabled else None)

    def _valid(self) -> bool:
        if self._version_ok is None:
            try:
                self._version_ok = (self.folder / "version").read_text() == code_version()
            except OSError:
                self._version_ok = False
        return self._version_ok

    def section(self, name: str) -> dict:
        data = self._data.get(name)
        if data is None:
            data = {}
            if self.folder is not None and self._valid():
                try:
                    with open(self.folder / f"{name}.pickle", "rb") as f:
                        signed = _verified(f.read())
                    data = pickle.loads(signed) if signed is not None else {}
                except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, ValueError,
                        TypeError, IndexError):
                    data = {}
            self._data[name] = data
        return data

    def replace(self, name: str, data: dict) -> None:
        self._data[name] = data
        self._dirty.add(name)

    def touch(self, name: str) -> None:
        self._dirty.add(name)

    def memo(self, namespace: str, key: Any, make: Callable[[], Any], durable: bool = True) -> Any:
        """``make()``, or what it returned before for the same namespace and key (a pure function's result);
        ``durable=False``: kept in this process only (a rebuild of ``serve``), never saved."""
        if self.folder is None:  # (--no-cache: a build that keeps nothing)
            return make() if not durable else self._recent.get(_memo_key(namespace, key), make)
        k = _memo_key(namespace, key)
        if not durable:
            self._in_process_used.add(k)
            try:
                return self._in_process[k]
            except KeyError:
                value = self._in_process[k] = make()
                return value
        memo = self.section("memo")
        try:
            value = memo[k]
        except KeyError:
            value = memo[k] = make()
            if self.folder is not None:  # (--no-cache: kept for this process's next call, never sent back)
                self.added[k] = value
                self._dirty.add("memo")
        self.used.add(k)
        return value

    def known(self, namespace: str, key: Any, durable: bool = True) -> bool:
        """Whether :meth:`memo` would answer ``key`` without making anything."""
        if self.folder is None:
            return durable and _memo_key(namespace, key) in self._recent
        return _memo_key(namespace, key) in (self.section("memo") if durable else self._in_process)

    def recall(self, namespace: str, key: bytes) -> Any:
        """The value :meth:`keep` kept for ``namespace``, if it was kept for ``key``; else None."""
        if self.folder is None:
            return None
        kept = self.section(f"kept-{namespace}")
        return kept.get("value") if kept.get("key") == key else None

    def keep(self, namespace: str, key: bytes, value: Any) -> None:
        """One value a namespace, in a section of its own (a city's standings are tens of megabytes: saved
        only when they change, and not with the small results of :meth:`memo`)."""
        if self.folder is not None and self.section(f"kept-{namespace}").get("key") != key:
            self.replace(f"kept-{namespace}", {"key": key, "value": value})

    @property
    def added(self) -> dict:
        """Memo entries made by this process (worker processes send theirs back: :meth:`merge`)."""
        return self._added

    def merge(self, added: dict) -> None:
        if added:
            self.section("memo").update(added)
            self.added.update(added)
            self.used.update(added)
            self._dirty.add("memo")

    def forget_unused(self) -> None:
        """Drop memo entries this build did not use (a whole build uses every one it needs)."""
        for k in [k for k in self._in_process if k not in self._in_process_used]:
            del self._in_process[k]
        self._in_process_used = set()
        memo = self.section("memo")
        stale = [k for k in memo if k not in self.used]
        for k in stale:
            del memo[k]
        if stale:
            self._dirty.add("memo")


    def save(self) -> None:
        """Write the changed sections (each atomically); a cache that cannot be written is just not kept."""
        if self.folder is None or not self._dirty:
            return
        try:
            self.folder.mkdir(exist_ok=True)
            (self.folder / ".gitignore").write_text("# site-builder's build cache: safe to delete\n*\n")
            if not self._valid():
                for stale in self.folder.glob("*.pickle"):
                    stale.unlink(missing_ok=True)
                self._dirty = {name for name, data in self._data.items() if data}
                _atomic_write(self.folder / "version", code_version().encode())
                self._version_ok = True
            for name in sorted(self._dirty):
                data = pickle.dumps(self._data.get(name, {}), protocol=5)
                _atomic_write(self.folder / f"{name}.pickle", _signature(data), data)
            self._dirty.clear()
        except OSError:
            pass


def _memo_key(namespace: str, key: Any) -> tuple[str, bytes]:
    """How :meth:`Cache.memo` files a result: the namespace and the digest of the key's pickle."""
    return namespace, digest(pickle.dumps(key, protocol=5))


def _atomic_write(path: Path, *parts: bytes) -> None:
    """Write the file ``path`` as ``parts`` one after the other, all or nothing."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            for part in parts:
                f.write(part)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
