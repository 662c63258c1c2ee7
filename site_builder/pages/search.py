"""The search page. Its index is made by render/search_index.py from the pages as they are rendered.

Search is on unless the environment says ``SITE_BUILDER_SEARCH=off`` (for measuring a build without it:
benchmarks/run.py). Every page works without JavaScript; the search page says so and links to the filter
pages. Pages offer their text to the index with ``data-search-body`` (posts, members, units, stories)
and their filters (区县/行业/单位/星级) with ``data-search-filter`` (templates/search-meta.html).
"""

from __future__ import annotations

import os
from typing import Iterator

from ..model.build import Model
from .web import Page

ENV = "SITE_BUILDER_SEARCH"  # "off": no search page, no index


def enabled(model: Model) -> bool:
    return os.environ.get(ENV, "").strip().lower() != "off"


def pages(model: Model) -> Iterator[Page]:
    """The search page, when there is an index."""
    if not enabled(model):
        return
    s = model.settings
    yield Page("search/", "search.html", {
        "districts": list(s.districts.items()),
        "sectors": list(s.sectors.items()),
    })
