"""The site's search index: what each page says (read from its HTML as it is rendered) and the index files.

Search in a browser, without a server and without a dictionary for Chinese: every pair of consecutive
characters of the indexed text is a key (Chinese has no spaces between words; a query of two or more
characters is looked up by its pairs, then checked against the page text, so 挂号单 finds the pages that
contain 挂号单 and not those with 挂号 and 号单 far apart); in titles single characters are keys too (a
one-character query finds the titles with it). Words in other scripts and numbers are keys as a whole. The keys are spread over ``shards`` files by a hash, so a phone loads a few
small files for a query, not the index. The format is in docs/search.md; ``templates/static/search.js``
reads it.

Why not Pagefind (which the site used until 2026-12): it holds the segmented text of every page in memory
(2 GB at 1,000 posts, ~18 GB at 10,000: a city could not build its index on a CI runner), took as long as
the rest of the build, and indexed the whole site again for one edited story. Here each page's text is
read from its HTML by the worker that rendered it (which works out its keys too) and kept in the build
cache with the page; the index of the last build is kept in the cache, and a warm build updates it for the
pages whose text changed and writes only the files that changed (:func:`build`).

What a page offers: the text inside its element marked ``data-search-body`` (posts, members, units and
stories), outside elements marked ``data-search-ignore``; the first ``<h1>`` in it is its title; each
element marked ``data-search-filter="区县"`` gives the page that filter's value (its text).
"""

from __future__ import annotations

import functools
import html
import json
import re
import unicodedata
from array import array
from bisect import bisect_left, insort
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from operator import eq, sub
from typing import Callable, Iterator, NamedTuple

from ..digests import digest
from ..model.build import Model
from ..pages import search

FOLDER = "search-index/"  # the index folder inside the output
VERSION = 1
CHUNK = 16  # docs a file: a phone fetches the files of the results it shows


class Doc(NamedTuple):
    """What one page offers to search."""

    title: str
    text: str  # blocks separated by "\n"
    filters: tuple[tuple[str, str], ...]  # (name, value), in the page's order


# -- reading a rendered page -------------------------------------------------------------------------------

_FILTER_NAME = re.compile(r"\bdata-search-filter=\"([^\"]*)\"")
_RAW = re.compile(r"<(script|style|template|textarea)\b.*?</\1\s*>|<!--.*?-->", re.S | re.I)
_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1\s*>", re.S | re.I)
_BLOCK_PATTERN = (  # the block elements' tags (a trie: Python's re tries alternatives one by one)
    r"</?(?:a(?:ddress|rticle|side)|b(?:lockquote|r)|caption|d(?:[dlt]|etails|ialog|iv)|f(?:ieldset|igcaption|igure"
    r"|ooter|orm)|h[1-6r]|header|li|main|nav|ol|p(?:re)?|s(?:ection|ummary)|t(?:able|body|[dhr]|foot|head)|ul)"
    r"(?:>|[\s/][^>]*>)")
_BLOCK = re.compile(_BLOCK_PATTERN, re.I)
_BLOCK_LOWER = re.compile(_BLOCK_PATTERN)  # the same for HTML whose tags have no capitals: twice as fast
_CAPITAL_TAG = re.compile(r"</?[A-Z]")
_TAGS = re.compile(r"<[^>]*>")
VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())


def _element_end(page: str, name: str, start: int) -> int:
    """Where the element whose start tag ends at ``start`` ends (after its end tag; the text's end if never)."""
    opening, closing = f"<{name}", f"</{name}"
    depth, at = 1, start
    while True:
        end = page.find(closing, at)
        if end < 0:
            return len(page)
        nested = page.find(opening, at, end)
        while nested >= 0:
            after = page[nested + len(opening):nested + len(opening) + 1]
            if after in (">", " ", "\n", "\t", "/"):
                depth += 1
            nested = page.find(opening, nested + 1, end)
        depth -= 1
        close = page.find(">", end)
        at = len(page) if close < 0 else close + 1
        if depth == 0:
            return at


def _text(fragment: str) -> str:
    """The text of an HTML fragment: block elements end a line; character references decoded."""
    block = _BLOCK if _CAPITAL_TAG.search(fragment) else _BLOCK_LOWER
    text = _TAGS.sub("", block.sub("\n", fragment))
    if "&" in text:
        text = html.unescape(text)
    return text


_NAME = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)")


def _marked(page: str, attribute: str, start: int = 0, end: int | None = None):
    """(tag start, name, start tag end) of each element whose start tag has ``attribute``, in order."""
    end = len(page) if end is None else end
    at = page.find(attribute, start, end)
    while at >= 0:
        tag = page.rfind("<", start, at)
        close = page.find(">", at)
        name = _NAME.match(page, tag) if tag >= 0 else None
        if name is not None and close >= 0:
            yield tag, name.group(1).lower(), close + 1
            at = close
        at = page.find(attribute, at + 1, end)


def extract(data: bytes) -> Doc | None:
    """The title, text and filters of a rendered page; None for a page without ``data-search-body``.

    The page is HTML that the site's templates wrote (attribute values escaped, so no ``>`` inside a tag):
    its parts are found by their tags with string searches, without an HTML parser (a parser took 1 ms a
    page, this ~0.2 ms; tests/test_search.py compares the two on a whole city).
    """
    if b"data-search-body" not in data:
        return None
    page = data.decode("utf-8", "replace")
    for _, name, start in _marked(page, "data-search-body"):
        break
    else:
        return None
    region = page[start:_element_end(page, name, start)]
    if "<script" in region or "<style" in region or "<!--" in region or "<te" in region:
        region = _RAW.sub("", region)
    filters = []
    for tag, name, start in _marked(region, "data-search-filter="):
        found = _FILTER_NAME.search(region, tag, start)
        if found is not None:
            value = region[start:_element_end(region, name, start)]
            filters.append((html.unescape(found.group(1)), _spaced(_text(value))))
    parts, at = [], 0
    for tag, name, start in _marked(region, "data-search-ignore"):
        if tag < at:  # inside an ignored element already cut out
            continue
        parts.append(region[at:tag])
        at = start if name in VOID or region[start - 2] == "/" else _element_end(region, name, start)
    parts.append(region[at:])
    region = "".join(parts)
    heading = _H1.search(region)
    title = _spaced(_text(heading.group(1))) if heading else ""
    if not title:
        found = re.search(r"<title>(.*?)</title>", page, re.S)
        title = html.unescape(found.group(1)).split(" · ")[0].strip() if found else ""
    # (most lines are the white space between a template's tags: skipped before they are split into words)
    lines = [_spaced(line) for line in _text(region).split("\n") if line and not line.isspace()]
    return Doc(title, "\n".join(lines), tuple(filters))


def _spaced(text: str) -> str:
    """``text`` with each run of white space one space and none at its ends (white space as ``str.isspace`` and
    the regular expression ``\\s`` have it, U+3000 among it)."""
    return " ".join(text.split())


# -- keys ---------------------------------------------------------------------------------------------------

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(rf"([{_CJK}]+)|([^\W_{_CJK}]+)")


# Text made only of these characters is normalised (NFKC) character by character: each is its own normal form
# (ASCII, the CJK ideographs and most CJK punctuation, “”‘’—·) or a full-width form of an ASCII character or
# the ideographic space, whose normal form is that character; none of them combines with a neighbour. Most of a
# Chinese page is; replacing the full-width ones is a fifth of what unicodedata.normalize takes for it.
_NFKC_SIMPLE = re.compile("[\n\x20-\x7e\u00b7\u2014\u2018\u2019\u201c\u201d\u3001-\u3029\u3030-\u3035\u3037"
                          "\u303b-\u303f\u3400-\u4dbf\u4e00-\u9fff\u3000\uff01-\uff5e]*")
_FULL_WIDTH = re.compile("[\u3000\uff01-\uff5e]")
_HALF = {chr(0x3000): " ", **{chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)}}


def nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)`` (tests/test_search_index.py compares them character by character)."""
    if _NFKC_SIMPLE.fullmatch(text):
        return _FULL_WIDTH.sub(lambda m: _HALF[m.group()], text)
    return unicodedata.normalize("NFKC", text)


def keys(text: str, *, single: bool = False) -> set[str]:
    """The keys of a text: every pair of consecutive Chinese characters (with ``single``, every character
    too: for titles), every other word."""
    found: set[str] = set()
    for cjk, word in _RUNS.findall(nfkc(text).lower()):
        if cjk:
            found.update(map(str.__add__, cjk, cjk[1:]))
            if single:
                found.update(cjk)
        else:
            found.add(word)
    return found


def shard(key: str, shards: int) -> int:
    """The file a key is in: a hash of its UTF-16 code units (what JavaScript strings are made of); a
    title key (``^`` + key) is in the file of its key, so a query loads one file for both."""
    if key[:1] == "^":
        key = key[1:]
    h = 0
    units = key.encode("utf-16-le")
    for i in range(0, len(units), 2):
        h = (h * 31 + (units[i] | units[i + 1] << 8)) & 0xFFFFFFFF
    return h % shards


def shard_count(docs: int) -> int:
    """A power of two from 16 to 4,096: about eight pages' keys a file."""
    n = 16
    while n < 4096 and n * 8 < docs:
        n *= 2
    return n


_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _base36(n: int) -> str:
    if n < 36:
        return _DIGITS[n]
    out = []
    while n:
        n, r = divmod(n, 36)
        out.append(_DIGITS[r])
    return "".join(reversed(out))


def postings(numbers: array | list[int], names: list[str]) -> str:
    """Ascending doc numbers as the first number and then the differences, in base 36, joined by commas
    (``names``: the base-36 names of 0 … the largest number)."""
    return ",".join(map(names.__getitem__, map(sub, numbers, chain((0,), numbers))))


def _json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


# -- the index ------------------------------------------------------------------------------------------------

def doc_keys(url: str, doc: Doc) -> set[str]:
    """Every key a page is listed under: its text's, its title's (``^``) and its filters'."""
    found = keys(doc.title + "\n" + doc.text)
    found.update(["^" + key for key in keys(doc.title, single=True)])
    found.update(f"@{name}:{value}" for name, value in doc.filters)
    return found


class Tables(Sequence):
    """The shards' tables of an index (for each shard: key → the numbers of its pages, ascending).

    Never changed once made. Those of an index read back from the build cache are read one by one when first
    asked for (``read(k)``): a warm build after one story changes a few of 4,096, and the tables are most of
    the index's bytes (67 MB at 10,000 posts, ~0.7 s a build to read and save whole). ``own``: the shards
    whose table this index made rather than took from the one it was updated from (None: every one); what
    the build cache saves again.
    """

    __slots__ = ("_items", "_read", "own")

    def __init__(self, items: list, read: Callable[[int], dict[str, array]] | None = None,
                 own: frozenset[int] | None = None):
        self._items, self._read, self.own = items, read, own

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, k: int) -> dict[str, array]:
        item = self._items[k]
        if item is None:  # (not read yet: read once, the same table every time after)
            item = self._items[k] = self._read(k)
        return item

    def __eq__(self, other) -> bool:
        return isinstance(other, Sequence) and len(self) == len(other) and all(map(eq, self, other))

    __hash__ = None

    def replaced(self, changes: dict[int, dict[str, array]]) -> "Tables":
        """These tables with those of ``changes`` (shard → table) instead."""
        items = list(self._items)
        for k, table in changes.items():
            items[k] = table
        return Tables(items, self._read, None if self.own is None else self.own | frozenset(changes))

    def __reduce__(self):  # (pickled whole: the build cache keeps them apart, see :func:`stored`)
        return Tables, (list(self),)


@dataclass(frozen=True)
class Index:
    """The index of one build, kept in the build cache so that the next build updates it (the pages' text is
    kept with the pages: ``rendering.Done.found``; the tables apart: :func:`stored`).

    Never changed once made: :func:`build` copies what it changes (``serve`` keeps the last one in memory).
    """

    urls: tuple[str, ...]  # the pages, by number
    shards: int
    tables: Tables  # for each shard: key → the numbers of its pages, ascending
    filters: dict[str, dict[str, int]]  # filter → value → pages
    digests: dict[str, bytes]  # output path → digest of the file's bytes


class Made(NamedTuple):
    # output path → bytes of the files that changed (all, without an earlier index; none if build's ``write`` took them)
    files: dict[str, bytes]
    kept: dict[str, bytes]  # output path → digest, for the files that are as the earlier index wrote them
    index: Index


def build(docs: dict[str, Doc], previous: Index | None = None, prepared: dict[str, str] | None = None,
          before: dict[str, Doc] | None = None, write: Callable[[str, bytes], None] | None = None) -> Made:
    """The index files of the pages' documents (site-relative address → :class:`Doc`).

    With the index of an earlier build (``previous``) and the earlier documents of the pages that may have
    changed (``before``: every page the earlier index holds and this build rendered again), only what changed
    is worked out again: the keys of the pages whose document changed or that were added or removed, the
    shard files holding those keys, the document files holding those pages. The files come out byte for
    byte as from a build without it (tests/test_search_index.py and the cache property test compare).
    ``prepared``: the keys of some pages, worked out by the workers (:func:`prepare`). ``write(path, data)``:
    when every file is made (no earlier index to update), each is handed to it as soon as it is made, rather than
    all of them returned at once (``files`` and ``kept`` are then empty).
    """
    # (the pages the earlier index numbered, when they are the same: 75,000 addresses not sorted again, a serve
    # rebuild's usual case)
    numbered = docs.made_of_the_same_pages() if hasattr(docs, "made_of_the_same_pages") else None
    same_pages = previous is not None and len(docs) == len(previous.urls) and (
        numbered is not None and numbered.urls is previous.urls or all(map(docs.keys().__contains__, previous.urls)))
    urls = previous.urls if same_pages else tuple(sorted(docs))
    shards = shard_count(len(urls))
    prepared = prepared or {}

    def keys_of(url: str, doc: Doc) -> set[str] | list[str]:
        ready = prepared.get(url)
        if ready is None:
            return doc_keys(url, doc)
        return ready.split("\0") if ready else []

    if previous is None or previous.shards != shards:
        return _whole(docs, urls, shards, keys_of, write)
    before = before or {}
    changed = [url for url, doc in before.items() if url in docs and doc != docs[url]]
    if urls == previous.urls and not changed:
        return Made({}, dict(previous.digests), previous)
    tables: dict[int, dict[str, array]] = {}  # the shards whose table is this build's (the previous index is
    # never changed), by shard
    mine: set[tuple[int, str]] = set()  # (shard, key) whose array is this build's
    rewritten: set[int] = set()  # numbers of the pages whose document file must be written again
    filters = previous.filters
    refiltered = any(before[url].filters != docs[url].filters for url in changed)  # (a kept page's filters changed)
    number = _Numbers(urls) if same_pages else {url: n for n, url in enumerate(urls)}
    if urls != previous.urls:  # pages added or removed: the numbers after the first difference move
        first = next((n for n, (a, b) in enumerate(zip(urls, previous.urls)) if a != b),
                     min(len(urls), len(previous.urls)))
        renumber = [number.get(url, -1) for url in previous.urls]
        gone = -1 in renumber  # (a page removed: its number, -1 now, is dropped from the keys that list it)
        move = renumber.__getitem__
        for k, table in enumerate(previous.tables):
            moved_table = None  # (a copy of the table once one of its keys moves: the others keep their arrays)
            for key, numbers in table.items():
                if numbers[-1] < first:  # (every page of the key is before the first difference: numbered the same)
                    continue
                moved = array("i", map(move, numbers))  # (in C: 15.7 million postings at 10,000 posts)
                if gone and -1 in moved:
                    moved = array("i", filter(_NOT_GONE, moved))
                if moved == numbers:
                    continue
                if moved_table is None:
                    moved_table = tables[k] = dict(table)
                if moved:
                    moved_table[key] = moved
                    mine.add((k, key))
                else:
                    del moved_table[key]
        rewritten.update(range(first, len(urls)))
        if urls and (first < len(urls) or first % CHUNK):  # (the file of the last pages, if it lost some)
            rewritten.add(min(first, len(urls) - 1))
        earlier = set(previous.urls)
        added = [url for url in urls if url not in earlier]
        if gone or refiltered:
            filters = _filters(docs, urls)
        else:  # (pages added, none of the others' filters changed)
            filters = _filters(docs, urls, previous.filters, added)
    else:
        added = []
        if refiltered:
            filters = _filters(docs, urls)
    for url in changed + added:
        n = number[url]
        rewritten.add(n)
        old = doc_keys(url, before[url]) if url in before else set()
        new = set(keys_of(url, docs[url]))
        for key in old ^ new:
            k = shard(key, shards)
            table = tables.get(k)
            if table is None:
                table = tables[k] = dict(previous.tables[k])
            numbers = table.get(key)
            if numbers is None:
                numbers = array("i")
            elif (k, key) not in mine:
                numbers = array("i", numbers)
            mine.add((k, key))
            if key in new:
                insort(numbers, n)
            else:
                del numbers[bisect_left(numbers, n)]
            if numbers:
                table[key] = numbers
            else:
                del table[key]
    index = Index(urls, shards, previous.tables.replaced(tables), filters, dict(previous.digests))
    files = _meta(index) if not same_pages or filters != previous.filters else {}  # (else: the same two files)
    names = _names(len(urls))
    for k, table in tables.items():
        files[f"{FOLDER}g/{k}.json"] = _shard(table, names)
    for j in {n // CHUNK for n in rewritten}:
        files[f"{FOLDER}d/{j}.json"] = _chunk(docs, urls, j)
    return _account(index, files)


_NOT_GONE = (-1).__ne__  # (a page's new number is not -1: it is still there)


def _whole(docs: dict[str, Doc], urls: tuple[str, ...], shards: int, keys_of, write=None) -> Made:
    # key → its pages, ascending: an array from the start (4 bytes a page: 15.7 million at 10,000 posts, which
    # as lists, then copied into arrays, held 200 MB at the build's peak; an array's append costs 0.4 s more)
    numbers: dict[str, array] = {}
    found = numbers.get
    for n, url in enumerate(urls):
        for key in keys_of(url, docs[url]):
            pages = found(key)
            if pages is None:
                numbers[key] = array("i", (n,))
            else:
                pages.append(n)
    tables: list[dict[str, array]] = [{} for _ in range(shards)]
    for key, pages in numbers.items():
        tables[shard(key, shards)][key] = pages
    del numbers
    index = Index(urls, shards, Tables(tables), _filters(docs, urls), {})
    if write is None:
        return _account(index, dict(_every_file(index, docs)))
    for path, data in _every_file(index, docs):  # (each file written as it is made: 136 MB at 10,000 posts)
        index.digests[path] = digest(data)
        write(path, data)
    return Made({}, {}, index)


def _every_file(index: Index, docs: dict[str, Doc]) -> Iterator[tuple[str, bytes]]:
    """(output path, bytes) of every file of ``index``, made one by one."""
    yield from _meta(index).items()
    names = _names(len(index.urls))
    for k, table in enumerate(index.tables):
        yield f"{FOLDER}g/{k}.json", _shard(table, names)
    for j in range(0, len(index.urls), CHUNK):
        yield f"{FOLDER}d/{j // CHUNK}.json", _chunk(docs, index.urls, j // CHUNK)


_NAMES: list[str] = []


def _names(count: int) -> list[str]:
    """The base-36 names of 0 … count (kept for the next build: the same few thousand every time)."""
    _NAMES.extend(_base36(n) for n in range(len(_NAMES), count + 1))
    return _NAMES


def _shard(table: dict[str, array], names: list[str]) -> bytes:
    return _json({key: postings(table[key], names) for key in sorted(table)})


def _chunk(docs: dict[str, Doc], urls: tuple[str, ...], j: int) -> bytes:
    return _json([[url, docs[url].title, docs[url].text] for url in urls[j * CHUNK:(j + 1) * CHUNK]])


def _filters(docs: dict[str, Doc], urls: tuple[str, ...], counted: dict[str, dict[str, int]] | None = None,
             added: Sequence[str] = ()) -> dict[str, dict[str, int]]:
    """Each filter → each of its values → the number of pages of ``urls`` with it: the filters in the order of the
    first page that gives each, the values sorted. ``counted``: those numbers for every page but those ``added``,
    which are counted in (an index's pages and some added: the others are not counted again)."""
    counts = dict(counted) if counted is not None else {}
    changed: set[str] = set()  # (the filters whose values are counted here: the others' are counted's)
    for url in urls if counted is None else added:
        for name, value in dict.fromkeys(docs[url].filters):
            if name not in changed:
                counts[name] = dict(counts.get(name, {}))
                changed.add(name)
            counts[name][value] = counts[name].get(value, 0) + 1
    order: list[str] = []
    todo = set(counts)
    for url in urls:  # (the first few pages give every filter)
        for name, _ in docs[url].filters:
            if name in todo:
                todo.discard(name)
                order.append(name)
        if not todo:
            break
    return {name: dict(sorted(counts[name].items())) if name in changed else counts[name] for name in order}


def _kinds(urls: tuple[str, ...]) -> dict[str, list[int]]:
    """Each kind of page (the first folder of its address) → [first number, last number + 1]: pages are
    numbered in the order of their address, so a kind's pages are one run (the search page ranks by kind)."""
    kinds: dict[str, list[int]] = {}
    for n, url in enumerate(urls):
        kind = url.split("/", 1)[0]
        if kind in kinds:
            kinds[kind][1] = n + 1
        else:
            kinds[kind] = [n, n + 1]
    return kinds


class _Numbers:
    """The number of each page of ``urls`` (sorted), found by bisection (a few pages' numbers are asked for)."""

    def __init__(self, urls: tuple[str, ...]):
        self.urls = urls

    def __getitem__(self, url: str) -> int:
        n = bisect_left(self.urls, url)
        if n == len(self.urls) or self.urls[n] != url:
            raise KeyError(url)
        return n


def _meta(index: Index) -> dict[str, bytes]:
    return {f"{FOLDER}meta.json": _json({"v": VERSION, "shards": index.shards, "chunk": CHUNK,
                                         "docs": len(index.urls), "kinds": _kinds(index.urls)}),
            f"{FOLDER}filters.json": _json(index.filters)}


def _account(index: Index, files: dict[str, bytes]) -> Made:
    """Split ``files`` into those whose bytes changed and the digests of the index's other files."""
    in_order, wanted = _wanted(index.shards, (len(index.urls) + CHUNK - 1) // CHUNK)
    digests = index.digests  # (this build's own dict)
    if not wanted.issuperset(digests):
        for path in [path for path in digests if path not in wanted]:
            del digests[path]
    changed = {}
    for path, data in files.items():
        d = digest(data)
        if digests.get(path) != d:
            changed[path] = data
        digests[path] = d
    return Made(changed, {path: digests[path] for path in in_order if path not in changed}, index)


@functools.lru_cache(maxsize=4)
def _wanted(shards: int, chunks: int) -> tuple[tuple[str, ...], frozenset[str]]:
    """The paths of an index's files in order, and as a set (the same 8,800 for each rebuild at 10,000 posts)."""
    paths = sorted({f"{FOLDER}meta.json", f"{FOLDER}filters.json", *(f"{FOLDER}g/{k}.json" for k in range(shards)),
                    *(f"{FOLDER}d/{j}.json" for j in range(chunks))})
    return tuple(paths), frozenset(paths)


def files(docs: dict[str, Doc]) -> dict[str, bytes]:
    """Output path → bytes of every index file (a build without an earlier index)."""
    return build(docs).files


# -- the pipeline's finisher (incremental/pipeline.py FINISHERS) --------------------------------------------

name = "search"
produces = (FOLDER,)  # linkcheck: the folder this finisher writes
enabled = search.enabled


def stored(index: Index) -> tuple[tuple, dict[int, dict[str, array]], bool]:
    """What the build cache keeps of ``index`` (``pipeline._finisher_state``): its head, all but the shards'
    tables; the tables to save again, by shard (those ``index`` made); whether those are all of them."""
    tables = index.tables
    own = range(len(tables)) if tables.own is None else sorted(tables.own)
    return ((index.urls, index.shards, len(tables), index.filters, index.digests), {k: tables[k] for k in own},
            tables.own is None)


def restored(head: tuple, read: Callable[[int], dict[str, array]]) -> Index:
    """The index :func:`stored` gave ``head`` of, its shards' tables read (``read(k)``) when first asked for."""
    urls, shards, count, filters, digests = head
    return Index(urls, shards, Tables([None] * count, read, frozenset()), filters, digests)


def prepare(url: str, doc: Doc) -> str:
    """The page's keys, worked out by the worker that rendered it (as one string: quick to send)."""
    return "\0".join(doc_keys(url, doc))


def make(found: dict[str, Doc], model: Model, previous: Index | None = None,
         prepared: dict[str, str] | None = None, before: dict[str, Doc] | None = None,
         write: Callable[[str, bytes], None] | None = None) -> Made:
    """The index files of the pages' documents (``found``: site-relative address → :class:`Doc`), updated
    from the index of the build the cache remembers (``previous``), if any; ``prepared``: the keys of the
    pages rendered by this build (:func:`prepare`); ``before``: what those pages offered in that build."""
    return build(found, previous, prepared, before, write)
