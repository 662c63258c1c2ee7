"""A fast path for monthly evaluation files, the bulk of a city's content.

A city's ``evaluations/`` holds about a million YAML values a year, almost all of them in lines like
``    self: {politics: 93, performance: 100, service: 99, exemplary: 94}``. Composing those with the
YAML parser and converting every node costs seconds; :func:`evaluation` reads the usual layout of
such a file line by line instead and returns exactly the :class:`~site_builder.content.schema.Rec` that
``formats.EVALUATION.convert`` would return, with the same positions.

It accepts only what it can read with certainty: keys at the usual indentation, scores as decimal
integers 0–100 in flow mappings, text in double quotes without escapes or plain text without ``:``
and ``#``, comments. Anything else — and any value the schema would refuse — returns ``None``, and
the caller reads the file with the general loader, which reports the problem at its line and column.
"""

from __future__ import annotations

import functools
import re

from . import formats
from ..errors import Problems
from .schema import INVALID, Ctx, Rec, check_id
from .strict_yaml import Node

# The characters the line reader accepts (YAML's printable characters without tab, carriage return,
# its other line breaks U+0085, U+2028, U+2029 and the byte-order mark); all else is left to the parser.
_WIDE = r"\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff"  # (escapes read by re)
_PRINTABLE = r"\x20-\x7e" + _WIDE
_QUOTED = r"\x20\x21\x23-\x5b\x5d-\x7e" + _WIDE  # without `"` and `\` (no escapes)
_PLAIN_REST = r"\x20-\x22\x24-\x39\x3b-\x7e" + _WIDE  # without `#` and `:`
_PLAIN_FIRST = r"\x21-\x22\x24-\x39\x3b-\x7e" + _WIDE  # and not a space
_VALUE = (f'(?:"(?P<q>[{_QUOTED}]*)"'  # double-quoted, one line, no escapes
          f"|(?P<p>(?![-?:,\\[\\]{{}}#&*!|>'\"%@`])[{_PLAIN_FIRST}][{_PLAIN_REST}]*?))")  # plain
_COMMENT = f"#[{_PRINTABLE}]*"
_END = f"[ ]*(?:[ ]{_COMMENT})?"
_BLANK = f"[ ]*(?:{_COMMENT})?"
_TOP = r"(?P<k>[a-z_]+):(?:[ ]+" + _VALUE + ")?" + _END
_POST = r"  (?P<id>[a-z0-9][a-z0-9-]*):" + _END
_SCORE = r"(?P<k{n}>[a-z]+):[ ]+(?P<v{n}>0|[1-9][0-9]{{0,2}})[ ]*"
_SOURCE = r"    (?P<k>[a-z]+):[ ]+\{[ ]*" + ",[ ]*".join(_SCORE.format(n=n) for n in range(4)) + r"\}" + _END
_NOTE = r"    note:[ ]+" + _VALUE + _END

# The usual block of one post, read with one match: an id line, the three sources in order, maybe a note.
_SCORE_VALUE = "(100|[1-9]?[0-9])"  # 0–100 as YAML and the schema read them: no sign, no leading 0
_BLOCK = (
    r"  (?P<id>[a-z0-9][a-z0-9-]*):\n"
    + "".join(rf"    {source}:[ ]+\{{" + ", ".join(f"{dim}: {_SCORE_VALUE}" for dim in formats.DIMENSIONS) + r"\}\n"
              for source in formats.SOURCES)
    + r"(?:    note:[ ]+" + _VALUE + r"[ ]*\n)?")


@functools.cache
def _patterns() -> tuple[re.Pattern, ...]:
    """The expressions above, compiled when an evaluation file is first read (their wide character classes
    took 30 ms of every command's start, and a warm build reads no evaluation file)."""
    return tuple(re.compile(p) for p in (_BLANK, _TOP, _POST, _SOURCE, _NOTE, _BLOCK))


_FIELDS = formats.EVALUATION.fields
_NOTE_TYPE = _FIELDS["posts"].type.value.fields["note"].type
_SOURCES = frozenset(formats.SOURCES)
_DIMENSIONS = frozenset(formats.DIMENSIONS)


class _Scores(Rec):
    """The scores of one source, read from a usual block (``self: {politics: 93, performance: 100, ...}``,
    the dimensions in their usual order, each after ", "): the key positions follow from the column of
    the first key and the scores themselves, so they are worked out when asked for. Read-only from the
    start (complete when made), at column 5 of their line."""

    __slots__ = ("first",)  # the column of the first dimension's key
    col, offset, sealed = 5, 0, True  # the same for all: not stored in each

    def __reduce__(self):  # pragma: no cover - pickled with their post (_Post.__reduce__)
        return _post_source, (self.path, self.line, self.first, tuple(self.values()))

    @property  # type: ignore[override]
    def pos(self) -> dict[str, tuple[int, int]]:
        out, col = {}, self.first
        for dim, value in self.items():
            out[dim] = (self.line, col)
            col += len(dim) + len(str(value)) + 4  # "politics: 93, "
        return out


class _Post(Rec):
    """One post's entry, read from a usual block: its keys are on the next lines, at column 5.
    Kept in the cache (and sent back by the workers) as one flat tuple with its three sources."""

    __slots__ = ()
    col, offset, sealed = 3, 0, True  # read-only from the start, like its sources

    def __reduce__(self):
        sources = (self["self"], self["public"], self["organisation"])
        return _post_flat, (self.path, self.line, self["note"], tuple(s.first for s in sources),
                            (*sources[0].values(), *sources[1].values(), *sources[2].values()))

    @property  # type: ignore[override]
    def pos(self) -> dict[str, tuple[int, int]]:
        keys = ("self", "public", "organisation") + (("note",) if self["note"] is not None else ())
        return {key: (self.line + n, 5) for n, key in enumerate(keys, 1)}


class _Posts(Rec):
    """The ``posts`` map of an evaluation file read by :func:`evaluation`: each post's id is at the line
    and column of the post's own record (so its positions are not kept twice)."""

    __slots__ = ()

    def __reduce__(self):
        return _posts, (dict(self), self.path, self.line, self.sealed)

    @property  # type: ignore[override]
    def pos(self) -> dict[str, tuple[int, int]]:
        return {pid: (post.line, post.col) for pid, post in self.items()}

    def where(self, key: str | None = None) -> tuple[str, int, int]:
        post = self.get(key) if key else None
        if post is None:
            return self.path, self.line, self.col
        return self.path, post.line, post.col


_new = dict.__new__
_DIMENSION_ORDER = formats.DIMENSIONS


def _post_source(path: str, line: int, first: int, values: tuple) -> _Scores:
    source = _new(_Scores)
    dict.update(source, zip(_DIMENSION_ORDER, values))
    source.path, source.line, source.first = path, line, first
    return source


def _post_flat(path: str, line: int, note: str | None, firsts: tuple, scores: tuple) -> _Post:
    """A post's record and its three sources' (from :meth:`_Post.__reduce__`, or read by :func:`_block`):
    made here without a call per record, since a city's evaluations hold hundreds of thousands of them."""
    s0 = _new(_Scores)
    dict.update(s0, zip(_DIMENSION_ORDER, scores[0:4]))
    s0.path, s0.line, s0.first = path, line + 1, firsts[0]
    s1 = _new(_Scores)
    dict.update(s1, zip(_DIMENSION_ORDER, scores[4:8]))
    s1.path, s1.line, s1.first = path, line + 2, firsts[1]
    s2 = _new(_Scores)
    dict.update(s2, zip(_DIMENSION_ORDER, scores[8:12]))
    s2.path, s2.line, s2.first = path, line + 3, firsts[2]
    post = _new(_Post)
    dict.update(post, self=s0, public=s1, organisation=s2, note=note)
    post.path, post.line = path, line
    return post


assert formats.SOURCES == ("self", "public", "organisation"), "_post_flat names the sources in this order"


def _posts(items: dict, path: str, line: int, sealed: bool = False) -> _Posts:
    posts = _Posts(items)
    posts.path, posts.line, posts.col, posts.offset = path, line, 1, 0
    posts.sealed = sealed
    return posts


def _rec(path: str, line: int, col: int) -> Rec:
    rec = Rec()
    rec.path, rec.line, rec.col, rec.offset, rec.pos = path, line, col, 0, {}
    return rec


def _scalar(m: re.Match, line: int, start: int = 0) -> Node:
    """The Node of a matched value; ``start`` is the offset of its line in the matched string."""
    if m.group("q") is not None:
        return Node("scalar", m.group("q"), line, m.start("q") - start, "str", True)
    return Node("scalar", m.group("p").rstrip(" "), line, m.start("p") - start + 1, None, False)


def _block(m: re.Match, text: str, path: str, number: int, scratch: Ctx) -> Rec | None:
    """The post Rec of a usual block whose id is on line ``number``."""
    g = m.groups()
    at = m.end("id") + 2  # the start of each source's line, then of the note's
    firsts = []
    for _ in range(3):
        firsts.append(text.index("{", at) - at + 2)
        at = text.index("\n", at) + 1
    note = None
    if g[13] is not None or g[14] is not None:
        note = _NOTE_TYPE.convert(_scalar(m, number + 4, at), scratch)
        if note is INVALID:
            return None
    return _post_flat(path, number, note, firsts, tuple(map(int, g[1:13])))  # complete: read-only now


def evaluation(text: str, path: str) -> Rec | None:
    """The converted evaluation file, or None when the general loader must read it."""
    blank_re, top_re, post_re, source_re, note_re, block_re = _patterns()
    scratch = Ctx(path, Problems())
    top = None
    posts = post = None  # the `posts` Rec; the post Rec being read
    current = None  # the top-level key whose block is being read
    offset, number, size = 0, 0, len(text)
    while offset <= size:
        number += 1
        end = text.find("\n", offset)
        if end < 0:
            end = size
        line = text[offset:end]
        here, offset = offset, end + 1
        stripped = line.lstrip(" ")
        if not stripped or stripped[0] == "#":
            if blank_re.fullmatch(stripped) is None:
                return None
            continue
        indent = len(line) - len(stripped)
        if indent == 0:
            m = top_re.fullmatch(line)
            if m is None:
                return None
            key = m.group("k")
            if top is None:
                top = _rec(path, number, 1)
            if key in top.pos or key not in _FIELDS:
                return None
            if post is not None and not _complete(post):
                return None
            post = None
            top.pos[key] = (number, 1)
            has_value = m.group("q") is not None or m.group("p") is not None
            if key == "posts":
                if has_value:
                    return None
                posts = _posts({}, path, number)
                top[key] = posts
            elif not has_value:
                return None
            else:
                value = _FIELDS[key].type.convert(_scalar(m, number), scratch)
                if value is INVALID:
                    return None
                top[key] = value
            current = key
        elif indent == 2:
            if current != "posts" or (post is not None and not _complete(post)):
                return None
            post = None
            block = block_re.match(text, here)
            m = block or post_re.fullmatch(line)
            if m is None:
                return None
            pid = m.group("id")
            if pid in posts or check_id(pid) is not None:  # what Id() adds to what the pattern ensures
                return None  # (a post's position is its record's: _Posts)
            if block is not None:
                rec = _block(block, text, path, number, scratch)
                if rec is None:
                    return None
                posts[pid] = rec
                lines = 4 if block.group("q") is None and block.group("p") is None else 5
                number += lines - 1
                offset = block.end()
            else:
                post = _rec(path, number, 3)
                posts[pid] = post
        elif indent == 4:
            if post is None:
                return None
            if stripped.startswith("note:"):
                m = note_re.fullmatch(line)
                if m is None or "note" in post.pos:
                    return None
                value = _NOTE_TYPE.convert(_scalar(m, number), scratch)
                if value is INVALID:
                    return None
                post.pos["note"] = (number, 5)
                post["note"] = value
                continue
            m = source_re.fullmatch(line)
            if m is None:
                return None
            source = m.group("k")
            if source not in _SOURCES or source in post.pos:
                return None
            scores = _rec(path, number, 5)
            for n in range(4):
                dim, value = m.group(f"k{n}"), int(m.group(f"v{n}"))
                if dim not in _DIMENSIONS or dim in scores.pos or value > 100:
                    return None
                scores.pos[dim] = (number, m.start(f"k{n}") + 1)
                scores[dim] = value
            post.pos[source] = (number, 5)
            post[source] = scores
        else:
            return None
    if top is None or posts is None or not posts or "month" not in top.pos:
        return None
    if post is not None and not _complete(post):
        return None
    for key, field in _FIELDS.items():  # optional keys, as Record.convert adds them
        if key not in top.pos:
            top[key] = field.default
    return top


def _complete(post: Rec) -> bool:
    """All three sources given; the optional note added as the schema adds it."""
    if not _SOURCES <= post.pos.keys():
        return False
    if "note" not in post.pos:
        post["note"] = None
    return True
