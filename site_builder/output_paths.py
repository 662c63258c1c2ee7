"""What an output path may be: the one rule that the pages stage checks (as content errors naming the
source) and the writer enforces (it refuses to write anything else)."""

from __future__ import annotations

import posixpath
import re

MARKER = ".site-builder-output"  # the file that marks a folder as written by site-builder
SAFE_PATH = re.compile(r"^[A-Za-z0-9._\-/]+$")


SAFE_KNOWN_MAX = 1 << 20  # paths remembered safe (every build asks for every page: serve's next build asks again)
_safe_known: set[str] = set()  # (a set of the pages' own strings: an lru_cache of 178,000 was 17 MB at 10,000 posts)


def unsafe_output(path: str) -> bool:
    """True for a path that could leave the output folder, is not plain ASCII, or is the marker."""
    if path in _safe_known:
        return False
    norm = posixpath.normpath(path)
    unsafe = (not SAFE_PATH.match(path) or norm != path.rstrip("/") or norm.startswith(("..", "/"))
              or "/../" in f"/{norm}/" or norm == MARKER)
    if not unsafe:
        if len(_safe_known) >= SAFE_KNOWN_MAX:
            _safe_known.clear()
        _safe_known.add(path)
    return unsafe
