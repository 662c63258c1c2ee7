"""What an output path may be: the one rule that the pages stage checks (as content errors naming the
source) and the writer enforces (it refuses to write anything else)."""

from __future__ import annotations

import functools
import posixpath
import re

MARKER = ".site-builder-output"  # the file that marks a folder as written by site-builder
SAFE_PATH = re.compile(r"^[A-Za-z0-9._\-/]+$")


@functools.lru_cache(maxsize=1 << 20)  # (every build asks for every page: serve's next build asks again)
def unsafe_output(path: str) -> bool:
    """True for a path that could leave the output folder, is not plain ASCII, or is the marker."""
    norm = posixpath.normpath(path)
    return (not SAFE_PATH.match(path) or norm != path.rstrip("/") or norm.startswith(("..", "/"))
            or "/../" in f"/{norm}/" or norm == MARKER)
