"""The digest of a file's bytes, one function for every stage that compares contents: the writer records it
for the output's build id (``write/output.py``), the build cache keys file contents by it
(``incremental/cache.py``), the search index compares its files by it and hands it to the writer for the
files it keeps (``render/search_index.py``) — so they must agree, byte for byte.

And how a file is known unchanged without reading it (its stat signature), for the content files
(``incremental/records.py``) and the photos (``model/images.py``) alike."""

from __future__ import annotations

import hashlib
import os


def digest(data) -> bytes:
    """The digest of ``data``: bytes, or a file's bytes given as parts (``pages.web.Chunks``), as if joined.

    SHA-256 (its first 16 bytes): the processors of the last years compute it in hardware (x86's SHA extensions,
    ARMv8's), where OpenSSL's is about twice as fast as BLAKE2b (a city's 86 MB of open-data files, made again for
    each edited member: 0.12 s with BLAKE2b, 0.06 s; 2 KB pages 1.5 times). Without them it is slower than BLAKE2b."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        return hashlib.sha256(data).digest()[:16]
    h = hashlib.sha256()
    for part in data:
        h.update(part)
    return h.digest()[:16]


# A file modified within this many seconds of the build that recorded its signature is read whatever its stat
# says: its time stamp may not have moved since (file systems keep times in ticks, some of seconds).
RACY_SECONDS = 2.0


def stat_signature(st: os.stat_result) -> tuple:
    """What tells a file unchanged without reading it: modification and change time, size, inode (a copy that
    keeps the modification time still moves the change time)."""
    return (st.st_mtime_ns, st.st_size, st.st_ino, st.st_ctime_ns)
