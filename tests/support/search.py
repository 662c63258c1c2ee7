"""The text the search index should hold of a page, as Python's HTML parser reads it: inside the element
marked data-search-body, outside elements marked data-search-ignore (and scripts and styles), white space
removed. The index's own reader (site_builder/render/search_index.py) uses string searches; tests compare."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path


class _BodyText(HTMLParser):
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__()
        self.stack: list[str] = []  # "body", "ignore" or ""
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        names = {k for k, _ in attrs}
        self.stack.append("ignore" if "data-search-ignore" in names or tag in ("script", "style") else
                          "body" if "data-search-body" in names else "")

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if "body" in self.stack and "ignore" not in self.stack[self.stack.index("body"):]:
            self.parts.append(data)


def indexed_text(html: str) -> str:
    """The page's indexed text without white space ("" for a page that offers none)."""
    parser = _BodyText()
    parser.feed(html)
    return re.sub(r"\s+", "", "".join(parser.parts))


def indexed_texts(out: Path) -> dict[str, str]:
    """Site path ("/posts/x/") → indexed text without white space, for every page of a built site that has some."""
    texts = {}
    for path in out.rglob("index.html"):
        text = indexed_text(path.read_text(encoding="utf-8"))
        if text:
            texts["/" + path.parent.relative_to(out).as_posix() + "/"] = text
    return texts
