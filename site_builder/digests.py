"""The digest of a file's bytes, one function for every stage that compares contents: the writer records it
for the output's build id (``write/output.py``), the build cache keys file contents by it
(``incremental/cache.py``), the search index compares its files by it and hands it to the writer for the
files it keeps (``render/search_index.py``) — so they must agree, byte for byte."""

from __future__ import annotations

import hashlib


def digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()
