"""Markdown rendering, HTML sanitising and validation of URL / e-mail / phone fields.

Everything in this module treats its input as hostile: content arrives by pull request from
many hands and the output is a public website.

Pipeline of :func:`render_markdown`::

    text ──► size check ──► normalise newlines, reject control / bidi characters,
         drop zero-width characters ──► structural limits (nesting depth, lines, blocks,
         special characters, raw HTML tags, fences, table cells, bracket scanning work)
         ──► Python-Markdown (tables, fenced_code, sane_lists; no attr_list, no smarty)
         with bounded link / code-span / raw-HTML scanners ──► nh3 allowlist sanitiser
         + URL checks + the engine's url_filter ──► HTML fragment

Every limit is checked *before* parsing and is deterministic (it does not depend on the
speed of the machine): the same input always renders to the same bytes or fails with the
same :class:`MarkupError`.
"""

from __future__ import annotations

import bisect
import re
import threading
from html.parser import HTMLParser
from typing import Callable

import markdown
import nh3
from markdown import inlinepatterns as _ip
from markdown import preprocessors as _pp
from markdown.extensions.fenced_code import FencedCodeExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension
from markdown.htmlparser import HTMLExtractor as _MdHTMLExtractor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from ..content.text import EA_SOFT_BREAK_RE as _EA_SOFT_BREAK_RE  # the rule for plain text too (join_lines)
from ..content.values import (_BANNED_IN_FIELD_RE, _BIDI_CHARS, _BIDI_RE, _CONTROL_RE, _INVISIBLE_CHARS,
                              _SCHEME_RE, _SURROGATE_RE, _TAG_CHARS_RE, _describe_char)

__all__ = [
    "MarkupError",
    "render_markdown",
    "sanitize_html",
    "plain_text",
    "MAX_MARKDOWN_CHARS",
    "MAX_NESTING_DEPTH",
    "MAX_BLOCK_LINES",
    "MAX_BLOCKS",
    "MAX_LINES",
    "MAX_SPECIAL_CHARS",
    "MAX_HTML_TAGS",
    "MAX_TABLE_CELLS",
    "MAX_FENCE_LINES",
    "MAX_INLINE_SCAN",
    "MAX_HTML_TAG_CHARS",
]

UrlFilter = Callable[[str, str, str], "str | None"]

# --------------------------------------------------------------------------------------
# Limits
# --------------------------------------------------------------------------------------

#: Longest Markdown text accepted (characters, after nothing is removed).
MAX_MARKDOWN_CHARS = 200_000
#: Deepest nesting of block quotes / lists / indentation levels on one line.
MAX_NESTING_DEPTH = 16
#: Most lines in one block (a run of lines without an empty line between them).
MAX_BLOCK_LINES = 1_000
#: Most blocks (paragraphs, list items separated by empty lines, …) in one text.
MAX_BLOCKS = 2_500
#: Most non-empty lines in one text.
MAX_LINES = 5_000
#: Most Markdown special characters ([ ] ( ) < > ` * _ \ & ! ~ | { }) in one text.
MAX_SPECIAL_CHARS = 20_000
#: Most raw-HTML-looking tags (``<`` followed by a letter, ``/``, ``!`` or ``?``) in one text.
MAX_HTML_TAGS = 1_000
#: Most table cells in one text (Python-Markdown pads every row to the header's width).
MAX_TABLE_CELLS = 50_000
#: Most code fence lines (```` ``` ```` / ``~~~``) in one text.
MAX_FENCE_LINES = 400
#: Longest link text / link target / code span the inline parser looks at (characters).
#: A link or code span that is longer than this is shown as plain text.
MAX_INLINE_SCAN = 1_000
#: Longest raw HTML start tag (characters); longer "tags" are shown as plain text.
MAX_HTML_TAG_CHARS = 4_000

# Work budgets.  They bound the parts of Python-Markdown whose running time grows faster than
# the size of a block (every special character may make the parser copy the rest of the
# paragraph; an unclosed "[" or "`" makes it read ahead up to MAX_INLINE_SCAN characters).
# Legitimate content stays orders of magnitude below them.
#: Σ over blocks of (special characters + lines) × characters of the block.
_COPY_WORK_BUDGET = 400_000_000
#: Σ over blocks of lines² (table detection re-splits the block for every line).
_LINES_WORK_BUDGET = 4_000_000
#: Σ of characters read ahead from "[", "](" and backtick runs (Python loop speed).
_SCAN_WORK_BUDGET = 300_000


class MarkupError(Exception):
    """Content that cannot be rendered safely.

    ``message`` is Chinese and says what is wrong and what to do; ``line`` is the 1-based line
    in the text given to :func:`render_markdown` (``None`` when the problem is not tied to one
    line); ``column`` is the 1-based column when known.
    """

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"MarkupError({self.message!r}, line={self.line!r}, column={self.column!r})"


# --------------------------------------------------------------------------------------
# Character classes
# --------------------------------------------------------------------------------------


_INVISIBLE_RE = re.compile(f"[{_INVISIBLE_CHARS}{_TAG_CHARS_RE}]")
# Removed from sanitised HTML as a last line of defence.
_STRIP_FROM_OUTPUT_RE = re.compile(
    f"[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f{_BIDI_CHARS}{_INVISIBLE_CHARS}{_TAG_CHARS_RE}]"
)
_NEWLINES_RE = re.compile("\r\n?|[\x85\u2028\u2029]")


def _line_col(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, col


# --------------------------------------------------------------------------------------
# Sanitiser (nh3)
# --------------------------------------------------------------------------------------

_ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
        "strong", "em", "b", "i", "u", "s", "del", "ins", "sub", "sup",
        "blockquote", "ul", "ol", "li", "a", "img",
        "table", "thead", "tbody", "tr", "th", "td",
        "code", "pre", "figure", "figcaption", "abbr", "span", "div",
    }
)  # fmt: skip
# h1 is allowed only so that it can be turned into h2 afterwards (the page owns the h1).

_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "ol": {"start"},  # Markdown "3. …" lists keep their numbering
    # a table column's alignment (`|---:|`): `style` is kept only when it is exactly one text-align
    "th": {"style"},
    "td": {"style"},
}
# the only CSS content may carry (Python-Markdown writes it for `:---`, `:---:`, `---:`); anything else in a
# style attribute (url(), expression(), -moz-binding, a second property ...) drops the whole attribute
_ALIGN_RE = re.compile(r"\s*text-align\s*:\s*(left|right|center)\s*;?\s*", re.I)

# Elements removed together with everything inside them.
_CLEAN_CONTENT_TAGS = frozenset(
    {
        "script", "style", "template", "noscript", "iframe", "frame", "frameset", "noframes",
        "object", "embed", "applet", "svg", "math", "textarea", "select", "xmp", "noembed",
        "title", "head",
    }
)  # fmt: skip

_URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_HREF_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_SRC_SCHEMES = frozenset({"https"})

_DIGITS_RE = re.compile(r"[0-9]{1,5}")
_START_RE = re.compile(r"[0-9]{1,9}")
_H1_RE = re.compile(r"<(/?)h1>")


def _safe_url(tag: str, value: str) -> str | None:
    """Return the URL to keep for ``href``/``src`` of *tag*, or ``None`` to drop it."""
    if _BANNED_IN_FIELD_RE.search(value):
        return None  # controls, tabs, newlines, bidi and invisible characters hide schemes
    value = value.strip(" ")
    if not value or len(value) > 2048:
        return None
    if value[:2].replace("\\", "/") == "//" or value[:1] == "\\":
        return None  # protocol-relative or backslash tricks: another host in disguise
    m = _SCHEME_RE.match(value)
    allowed = _SRC_SCHEMES if tag == "img" else _HREF_SCHEMES
    if m:
        scheme = m.group(1).lower()
        if scheme not in allowed:
            return None
        if scheme in ("http", "https"):
            rest = value[m.end():]
            if not rest.startswith("//") or "\\" in rest:
                return None
    elif ":" in value.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]:
        return None  # "a:b" without a valid scheme: refuse rather than guess
    return value


class _AttributeFilter:
    """nh3 ``attribute_filter``: checks URLs and numbers, then asks the engine's url_filter."""

    def __init__(self, url_filter: UrlFilter | None):
        self.url_filter = url_filter
        self.error: BaseException | None = None

    def __call__(self, tag: str, attr: str, value: str) -> str | None:
        if attr in ("href", "src") and attr not in _ALLOWED_ATTRIBUTES.get(tag, ()):
            # nh3 also asks about URLs of elements it removes (<embed src>, <video src>): they are
            # dropped without consulting url_filter, which would report them as broken links
            return None
        try:
            if attr in ("href", "src"):
                value = _safe_url(tag, value)
                if value is None:
                    return None
                if self.url_filter is not None:
                    new = self.url_filter(tag, attr, value)
                    if new is None:
                        return None
                    if not isinstance(new, str):
                        raise TypeError(
                            f"url_filter must return str or None, not {type(new).__name__}"
                        )
                    # The engine's answer is checked again like content.
                    return _safe_url(tag, new)
                return value
            if attr in ("width", "height"):
                value = value.strip()
                return value if _DIGITS_RE.fullmatch(value) else None
            if attr == "start":
                value = value.strip()
                return value if _START_RE.fullmatch(value) else None
            if attr == "style":
                m = _ALIGN_RE.fullmatch(value)
                return f"text-align: {m.group(1).lower()}" if m else None
            return value
        except BaseException as exc:  # noqa: BLE001 - re-raised after nh3 returns
            if self.error is None:
                self.error = exc
            return None


def sanitize_html(html: str, *, url_filter: UrlFilter | None = None) -> str:
    """Clean an HTML fragment with the allowlist (nh3).

    Allowed: the tags in ``_ALLOWED_TAGS``; ``a[href,title]``, ``img[src,alt,title,width,height]``,
    ``abbr[title]``, ``ol[start]``, ``th[style]``/``td[style]`` only as ``text-align: left|right|center``
    (a table column's alignment); no ``class``/``id``/other ``style``/event handlers.  ``href`` may be
    http(s), mailto, tel or relative; ``img src`` may be https or relative.  Links get
    ``rel="noopener noreferrer"``.  ``<h1>`` becomes ``<h2>``.  ``url_filter(tag, attr, value)``
    is called for every ``href``/``src`` that survives; return a (new) string to keep it or
    ``None`` to drop the attribute.  An exception raised by ``url_filter`` propagates.
    """
    if not isinstance(html, str):
        raise TypeError(f"sanitize_html() expects str, not {type(html).__name__}")
    attribute_filter = _AttributeFilter(url_filter)
    out = nh3.clean(
        _SURROGATE_RE.sub("\ufffd", html),
        tags=set(_ALLOWED_TAGS),
        clean_content_tags=set(_CLEAN_CONTENT_TAGS),
        attributes={k: set(v) for k, v in _ALLOWED_ATTRIBUTES.items()},
        attribute_filter=attribute_filter,
        strip_comments=True,
        link_rel="noopener noreferrer",
        url_schemes=set(_URL_SCHEMES),
    )
    if attribute_filter.error is not None:
        raise attribute_filter.error
    out = _H1_RE.sub(r"<\1h2>", out)
    return _STRIP_FROM_OUTPUT_RE.sub("", out)


# --------------------------------------------------------------------------------------
# Python-Markdown with bounded scanners
# --------------------------------------------------------------------------------------
#
# Several inline processors of Python-Markdown scan, in a Python loop, from a "[" or a
# backtick to the end of the paragraph when nothing closes it.  With many unclosed
# brackets that is quadratic ("[" * 50000 takes minutes).  The subclasses below look at
# most MAX_INLINE_SCAN characters ahead; the pre-parse budgets bound how many scans happen.


class _BoundedLinkMixin:
    def getText(self, data: str, index: int) -> tuple[str, int, bool]:  # noqa: N802
        window = data[index:index + MAX_INLINE_SCAN]
        text, end, handled = super().getText(window, 0)  # type: ignore[misc]
        return text, index + end, handled

    def getLink(self, data: str, index: int):  # noqa: N802
        window = data[index:index + MAX_INLINE_SCAN]
        href, title, end, handled = super().getLink(window, 0)  # type: ignore[misc]
        return href, title, index + end, handled


class _BoundedReferenceMixin(_BoundedLinkMixin):
    def evalId(self, data: str, index: int, text: str):  # noqa: N802
        window = data[index:index + MAX_INLINE_SCAN]
        id_, end, handled = super().evalId(window, 0, text)  # type: ignore[misc]
        return id_, index + end, handled


class _Link(_BoundedLinkMixin, _ip.LinkInlineProcessor):
    pass


class _Image(_BoundedLinkMixin, _ip.ImageInlineProcessor):
    pass


class _Reference(_BoundedReferenceMixin, _ip.ReferenceInlineProcessor):
    pass


class _ImageReference(_BoundedReferenceMixin, _ip.ImageReferenceInlineProcessor):
    pass


class _ShortReference(_BoundedReferenceMixin, _ip.ShortReferenceInlineProcessor):
    pass


class _ShortImageReference(_BoundedReferenceMixin, _ip.ShortImageReferenceInlineProcessor):
    pass


class _Backtick(_ip.BacktickInlineProcessor):
    def find_code_spans(self, start: int, text: str) -> tuple[int, int | None]:
        window = text[start:start + MAX_INLINE_SCAN]
        s, e = super().find_code_spans(0, window)
        return start + s, (None if e is None else start + e)


class _TemplateText(_ip.InlineProcessor):
    """Keep ``{{ … }}``, ``{% … %}`` and ``{# … #}`` literally (no emphasis inside or across them).

    Content is never evaluated as a template; this only stops Markdown from turning the
    asterisks of ``{{ 7*7 }} … {{ 8*8 }}`` into emphasis.
    """

    def handleMatch(self, m: re.Match[str], data: str):  # type: ignore[override]  # noqa: N802
        return m.group(0), m.start(0), m.end(0)


_TEMPLATE_RE = r"\{\{.{0,500}?\}\}|\{%.{0,500}?%\}|\{#.{0,500}?#\}"


class _HTMLExtractor(_MdHTMLExtractor):
    """Raw-HTML extractor that does not rescan the rest of the text for every ``<tag``."""

    def check_for_whole_start_tag(self, i: int) -> int:
        rawdata = self.rawdata
        if len(rawdata) - i <= MAX_HTML_TAG_CHARS:
            return super().check_for_whole_start_tag(i)
        self.rawdata = rawdata[i:i + MAX_HTML_TAG_CHARS]
        try:
            end = super().check_for_whole_start_tag(0)
        finally:
            self.rawdata = rawdata
        if end < 0 or end >= MAX_HTML_TAG_CHARS:
            return -1  # too long (or unterminated): treated as text
        return i + end

    def inline_close_follows(self, text: str) -> bool:
        # Same answer as Python-Markdown's version, but one search per distinct tag name
        # and only within the current paragraph.
        stack = getattr(self, "inline_stack", None)
        if not stack:
            return False
        start = self.line_offset + self.offset + len(text)
        m = _INNER_BLANK_LINE_RE.search(self.rawdata, start)
        end = m.start() if m else len(self.rawdata)
        names = sorted(set(stack))
        pattern = re.compile(
            r"</\s*(?:{})\s*>".format("|".join(re.escape(n) for n in names)), re.I
        )
        return pattern.search(self.rawdata, start, end) is not None


_INNER_BLANK_LINE_RE = re.compile(r"\n[ \t]*\n")


class _HtmlBlockPreprocessor(_pp.HtmlBlockPreprocessor):
    def run(self, lines: list[str]) -> list[str]:
        source = "\n".join(lines)
        parser = _HTMLExtractor(self.md)
        parser.feed(source)
        parser.close()
        return "".join(parser.cleandoc).split("\n")


class _JoinEastAsianLines(Treeprocessor):
    """Drop a line break inside a paragraph between two Chinese characters.

    Authors wrap long Chinese paragraphs in their editor; browsers would show every such line
    break as a space ("核对名单， 把需要"). Code and preformatted text are left alone.
    """

    def run(self, root):  # type: ignore[override]
        keep: set[int] = set()
        for tag in ("pre", "code"):
            for el in root.iter(tag):
                keep.update(id(x) for x in el.iter())
        for el in root.iter():
            if id(el) in keep:
                continue
            if el.text and (type(el.text) is _PlainText or not isinstance(el.text, AtomicString)):
                el.text = _EA_SOFT_BREAK_RE.sub("", el.text)
            for child in el:
                if child.tail:
                    child.tail = _EA_SOFT_BREAK_RE.sub("", child.tail)
        return None


class _BoundedReferences(dict):
    """``md.references`` that ignores link definitions longer than MAX_INLINE_SCAN.

    Every use of ``[text][ref]`` copies the target and title, so one huge definition used
    thousands of times would blow up the output (hundreds of megabytes).
    """

    def __setitem__(self, key, value) -> None:
        link, title = value
        if len(link) + len(title or "") <= MAX_INLINE_SCAN:
            super().__setitem__(key, value)


class _PlainText(AtomicString):
    """Text in which no inline pattern can match (see :class:`_MarkPlainText`); otherwise ordinary text."""


# What every inline pattern of _new_markdown needs at least one of: a backtick, "{" (template text), a
# backslash (escapes), "[" (links, references, images), "<" (autolinks, raw HTML), "&" (entities), "*" or "_"
# (emphasis), two spaces before a line break; STX marks a placeholder another processor left in the text.
_INLINE_SYNTAX_RE = re.compile(r"[`{\\\[<&*_\x02]|  \n")
# (Python-Markdown 3.5 also has "not_strong" and "em_strong2": "*" or "_" too)
_INLINE_PATTERNS = ("backtick", "template_text", "escape", "reference", "link", "image_link", "image_reference",
                    "short_reference", "short_image_ref", "autolink", "automail", "linebreak", "html", "entity",
                    "em_strong", "not_strong", "em_strong2")


class _MarkPlainText(Treeprocessor):
    """Mark text that holds nothing any inline pattern could match as :class:`_PlainText`, which the inline
    processor passes over unchanged: it would try each of its patterns on it, and most of a Chinese
    story's paragraphs hold no markup at all (a third of the Markdown time). The same output: a pattern
    that cannot match leaves the text as it is. Registered only when every inline pattern is one
    whose syntax :data:`_INLINE_SYNTAX_RE` knows (another Markdown version may add one)."""

    def run(self, root):  # type: ignore[override]
        syntax = _INLINE_SYNTAX_RE.search
        for el in root.iter():
            text = el.text
            if text and type(text) is str and syntax(text) is None:
                el.text = _PlainText(text)
            tail = el.tail
            if tail and type(tail) is str and syntax(tail) is None:
                el.tail = _PlainText(tail)
        return None


def _new_markdown() -> markdown.Markdown:
    md = markdown.Markdown(
        # (the extensions themselves: by name Markdown looks each up among every installed package's entry points
        # first, which loads importlib.metadata and reads them all: ~17 ms of the first story a process renders)
        extensions=[TableExtension(), FencedCodeExtension(), SaneListExtension()],
        output_format="html",
        tab_length=4,
    )
    md.preprocessors.register(_HtmlBlockPreprocessor(md), "html_block", 20)
    patterns = md.inlinePatterns
    patterns.register(_Backtick(_ip.BACKTICK_RE), "backtick", 190)
    patterns.register(_TemplateText(_TEMPLATE_RE), "template_text", 185)
    patterns.register(_Reference(_ip.REFERENCE_RE, md), "reference", 170)
    patterns.register(_Link(_ip.LINK_RE, md), "link", 160)
    patterns.register(_Image(_ip.IMAGE_LINK_RE, md), "image_link", 150)
    patterns.register(_ImageReference(_ip.IMAGE_REFERENCE_RE, md), "image_reference", 140)
    patterns.register(_ShortReference(_ip.REFERENCE_RE, md), "short_reference", 130)
    patterns.register(
        _ShortImageReference(_ip.IMAGE_REFERENCE_RE, md), "short_image_ref", 125
    )
    md.treeprocessors.register(_JoinEastAsianLines(md), "join_east_asian_lines", 15)
    if sum(name in md.inlinePatterns for name in _INLINE_PATTERNS) == len(md.inlinePatterns):  # no other pattern
        md.treeprocessors.register(_MarkPlainText(md), "mark_plain_text", 21)  # just before "inline" (20)
    md.references = _BoundedReferences()
    return md


# --------------------------------------------------------------------------------------
# Pre-parse checks
# --------------------------------------------------------------------------------------

_HTML_TAG_START_RE = re.compile(r"<[A-Za-z/!?]")
_FENCE_LINE_RE = re.compile(r"^[ \t>]*(?:`{3,}|~{3,})", re.M)
_QUOTE_PREFIX_RE = re.compile(r"(?:[ ]*>)*")
_CONTAINER_TOKEN_RE = re.compile(r"[ \t]+|>|[-*+](?=[ \t]|$)|[0-9]{1,9}[.)](?=[ \t]|$)")
# Characters that start or take part in inline constructs.
_SPECIAL_RE = re.compile(r"[\[\]()<>`*_\\&!~|{}]")
_BRACKET_TOKEN_RE = re.compile(r"\\.|[\[\]]", re.S)
_PAREN_TOKEN_RE = re.compile(r"\\.|[()\"']", re.S)
_BACKTICK_RUN_RE = re.compile(r"`+")
_TABLE_RULE_CHARS = frozenset("|:- \t")


def _prepare(text: str) -> str:
    """Size check, newline normalisation, banned / invisible characters."""
    if len(text) > MAX_MARKDOWN_CHARS:
        line = text.count("\n", 0, MAX_MARKDOWN_CHARS) + 1
        raise MarkupError(
            f"正文太长：共 {len(text)} 个字符，最多允许 {MAX_MARKDOWN_CHARS} 个字符"
            f"（从第 {line} 行附近开始超出）。请删减内容，或拆成几篇分别发布。",
            line=line,
        )
    text = _NEWLINES_RE.sub("\n", text)
    for regex, what in (
        (_SURROGATE_RE, "无效的字符（文件的编码可能有误，请用 UTF-8 保存）"),
        (_CONTROL_RE, "不可见的控制字符"),
        (_BIDI_RE, "不可见的文字方向控制字符（可被用来伪装文字）"),
    ):
        m = regex.search(text)
        if m:
            line, col = _line_col(text, m.start())
            raise MarkupError(
                f"第 {line} 行第 {col} 列有{what} {_describe_char(m.group())}。"
                "请删除它（通常是从网页或文档复制粘贴时带进来的，可在编辑器中显示不可见字符后删除）。",
                line=line,
                column=col,
            )
    return _INVISIBLE_RE.sub("", text)


def _is_rule(line: str) -> bool:
    """Python-Markdown's horizontal rule ("- - -", "***", "___"), checked without regex backtracking."""
    line = line.expandtabs(4)
    rest = line[_QUOTE_PREFIX_RE.match(line).end():].strip(" ")
    marks = rest.replace(" ", "")
    return len(marks) >= 3 and marks[0] in "-*_" and marks == marks[0] * len(marks) and "   " not in rest


def _nesting_depth(line: str) -> int:
    """Conservative estimate of how deeply a line nests (quotes, list markers, indentation)."""
    if _is_rule(line):
        line = line[: len(line) - len(line.lstrip(" \t>"))]  # only quotes and indentation nest
    depth = 0
    columns = 0
    pos = 0
    n = len(line)
    while pos < n:
        m = _CONTAINER_TOKEN_RE.match(line, pos)
        if not m:
            break
        token = m.group()
        if token[0] in " \t":
            for ch in token:
                columns = columns + 1 if ch == " " else (columns // 4 + 1) * 4
        else:
            depth += 1
        pos = m.end()
    return depth + columns // 4


def _scan_work(block: str) -> int:
    """Characters Python-Markdown's inline scanners read ahead in *block* (over-estimate).

    "[" reads to its matching "]"; "](" reads to the matching ")" (to the window's end when a
    quote makes it look for a title); a backtick run reads to the next run of the same length.
    Whatever is not closed reads to the end of the block; every read stops after
    MAX_INLINE_SCAN characters.
    """
    w = MAX_INLINE_SCAN
    n = len(block)
    work = 0
    stack: list[int] = []
    link_targets: list[int] = []
    for m in _BRACKET_TOKEN_RE.finditer(block):
        token = m.group()
        if token == "[":
            stack.append(m.start())
        elif token == "]":
            if stack:
                work += min(w, m.start() - stack.pop())
                if block.startswith("(", m.end()):
                    link_targets.append(m.end())
    work += sum(min(w, n - p) for p in stack)
    if link_targets:
        # matching ")" for every "(", and where the quotes are
        match: dict[int, int] = {}
        quotes: list[int] = []
        opened: list[int] = []
        for m in _PAREN_TOKEN_RE.finditer(block):
            token = m.group()
            if token == "(":
                opened.append(m.start())
            elif token == ")":
                if opened:
                    match[opened.pop()] = m.start()
            elif token in "\"'":
                quotes.append(m.start())
        for p in link_targets:
            end = match.get(p)
            k = bisect.bisect_left(quotes, p)
            if end is None or (k < len(quotes) and quotes[k] < end):
                work += min(w, n - p)  # unclosed, or a title: may read to the window's end
            else:
                work += min(w, end - p)
    runs = [(m.start(), m.end() - m.start()) for m in _BACKTICK_RUN_RE.finditer(block)]
    if runs:
        by_size: dict[int, list[int]] = {}
        index_of: dict[int, int] = {}
        for i, (start, size) in enumerate(runs):
            by_size.setdefault(size, []).append(start)
            index_of[start] = i
        i = 0
        while i < len(runs):
            start, size = runs[i]
            same = by_size[size]
            k = bisect.bisect_right(same, start)
            if k < len(same) and same[k] - start <= w:
                work += same[k] - start  # a code span: the scan stops at its closing run
                i = index_of[same[k]] + 1
            else:
                work += min(w, n - start)
                i += 1
    return work


def _check_limits(text: str) -> None:
    lines = text.split("\n")

    # 1. nesting depth, line by line
    for number, line in enumerate(lines, 1):
        if len(line) - len(line.lstrip(" \t>*+-.)0123456789")) <= MAX_NESTING_DEPTH:
            continue  # too short a prefix to nest that deep
        depth = _nesting_depth(line)
        if depth > MAX_NESTING_DEPTH:
            raise MarkupError(
                f"第 {number} 行嵌套太深（引用“>”、列表或缩进约 {depth} 层，最多 {MAX_NESTING_DEPTH} 层）。"
                "请减少引用、列表的层数或行首的缩进。",
                line=number,
            )

    # 2. counts over the whole text
    def nth(regex: re.Pattern[str], limit: int) -> tuple[int, int] | None:
        for count, m in enumerate(regex.finditer(text), 1):
            if count > limit:
                return _line_col(text, m.start())
        return None

    where = nth(_HTML_TAG_START_RE, MAX_HTML_TAGS)
    if where:
        raise MarkupError(
            f"HTML 标签太多：超过 {MAX_HTML_TAGS} 个（第 {where[0]} 行第 {where[1]} 列是第 {MAX_HTML_TAGS + 1} 个）。"
            "请改用 Markdown 写法；如果要显示小于号“<”，请在它后面加一个空格或写成 \\<。",
            line=where[0],
            column=where[1],
        )
    where = nth(_FENCE_LINE_RE, MAX_FENCE_LINES)
    if where:
        raise MarkupError(
            f"代码块标记（``` 或 ~~~）太多：超过 {MAX_FENCE_LINES} 行（第 {where[0]} 行是第 {MAX_FENCE_LINES + 1} 个）。"
            "请合并代码块或删除多余的标记。",
            line=where[0],
        )
    where = nth(_SPECIAL_RE, MAX_SPECIAL_CHARS)
    if where:
        raise MarkupError(
            f"特殊符号（[ ] ( ) < > ` * _ \\ & ! ~ | {{ }}）太多：超过 {MAX_SPECIAL_CHARS} 个"
            f"（第 {where[0]} 行第 {where[1]} 列是第 {MAX_SPECIAL_CHARS + 1} 个）。请删掉多余的符号，或把正文拆成几篇。",
            line=where[0],
            column=where[1],
        )

    # 3. blocks: runs of lines without an empty line between them
    blocks: list[tuple[int, int]] = []  # (first line, last line), 1-based
    first = None
    for number, line in enumerate(lines, 1):
        if line.strip(" \t"):
            if first is None:
                first = number
        elif first is not None:
            blocks.append((first, number - 1))
            first = None
    if first is not None:
        blocks.append((first, len(lines)))

    if len(blocks) > MAX_BLOCKS:
        line = blocks[MAX_BLOCKS][0]
        raise MarkupError(
            f"正文的段落太多：超过 {MAX_BLOCKS} 段（第 {line} 行是第 {MAX_BLOCKS + 1} 段）。请把正文拆成几篇。",
            line=line,
        )
    total_lines = 0
    for first, last in blocks:
        total_lines += last - first + 1
        if total_lines > MAX_LINES:
            line = last - (total_lines - MAX_LINES) + 1
            raise MarkupError(
                f"正文太长：超过 {MAX_LINES} 行（不算空行，超出的是第 {line} 行）。请把正文拆成几篇。",
                line=line,
            )
        if last - first + 1 > MAX_BLOCK_LINES:
            raise MarkupError(
                f"第 {first}–{last} 行是连续的 {last - first + 1} 行，中间没有空行，"
                f"最多允许 {MAX_BLOCK_LINES} 行。请在段落、表格或列表之间加空行，或把过长的表格拆开。",
                line=first,
            )

    copy_work = lines_work = scan_work = cells = 0
    for first, last in blocks:
        block = "\n".join(lines[first - 1:last])
        n_lines = last - first + 1
        if "|" in block:
            # a table: a header line followed by a rule line such as "|---|:-:|"
            for number in range(first + 1, last + 1):
                rule = lines[number - 1].lstrip(" \t>")
                if "|" in rule and set(rule) <= _TABLE_RULE_CHARS:
                    columns = max(lines[number - 2].count("|"), lines[number - 1].count("|")) + 1
                    cells += columns * (last - number + 2)
                    if cells > MAX_TABLE_CELLS:
                        raise MarkupError(
                            f"表格太大：单元格超过 {MAX_TABLE_CELLS} 个（第 {number - 1} 行开始的表格约有 "
                            f"{columns} 列、{last - number + 2} 行）。请把表格拆成几个，或减少列数。",
                            line=number - 1,
                        )
        copy_work += (len(_SPECIAL_RE.findall(block)) + n_lines) * len(block)
        lines_work += n_lines * n_lines
        scan_work += _scan_work(block)
        if copy_work > _COPY_WORK_BUDGET or lines_work > _LINES_WORK_BUDGET:
            raise MarkupError(
                f"正文太复杂，无法在限定时间内排版（到第 {first}–{last} 行为止）：段落太长、符号太多。"
                "请用空行把长段落、长表格和长列表分开，并删掉多余的特殊符号。",
                line=first,
            )
        if scan_work > _SCAN_WORK_BUDGET:
            raise MarkupError(
                f"正文中没有配对的方括号“[ ]”、圆括号或反引号“`”太多（到第 {first}–{last} 行为止）。"
                "请检查链接 [文字](网址) 和代码 `…` 的符号是否成对，删掉多余的符号；"
                "如果要显示这些符号本身，请在前面加反斜杠，如 \\[。",
                line=first,
            )


# --------------------------------------------------------------------------------------
# render_markdown
# --------------------------------------------------------------------------------------


# One Markdown instance a thread, reset for each text: making one costs a fifth of rendering a story.
_REUSED = threading.local()


def render_markdown(text: str, *, url_filter: UrlFilter | None = None) -> str:
    """Render Markdown to a sanitised HTML fragment.

    Raises :class:`MarkupError` (with ``line``, 1-based in *text*) when the text is too large
    or too complex (see the ``MAX_*`` limits) or contains control, bidirectional-override or
    invalid characters.  Zero-width characters and BOMs are removed.  Raw HTML is allowed
    through the sanitiser's allowlist only; ``# h1`` becomes ``<h2>``; a line break between
    two Chinese characters inside a paragraph is dropped; ``{{ … }}`` / ``{% … %}`` stay
    literal.  Same input → same output bytes.

    ``url_filter(tag, attr, value)`` is called for every ``a[href]`` / ``img[src]`` that
    survived the sanitiser, with the URL as written in the Markdown (entities decoded,
    surrounding spaces removed; e.g. ``"../images/a.jpg"``, ``"../posts/x.yaml#p"``,
    ``"#top"``, ``"/about/"``, ``"https://…"``, ``"mailto:…"``).  Images only ever arrive
    as relative paths or ``https:`` URLs.  Return the URL to use (it is checked again) or
    ``None`` to drop the attribute; exceptions propagate.
    """
    if not isinstance(text, str):
        raise TypeError(f"render_markdown() expects str, not {type(text).__name__}")
    text = _prepare(text)
    _check_limits(text)
    md = getattr(_REUSED, "md", None) or _new_markdown()
    _REUSED.md = None  # (not reused after a failure: whatever state it was left in)
    try:
        raw = md.reset().convert(text)
        _REUSED.md = md
    except RecursionError as exc:
        raise MarkupError("正文嵌套太深，无法排版。请减少引用、列表或括号的层数。") from exc
    except Exception as exc:  # a bug in the Markdown library must not stop the whole build
        raise MarkupError(
            f"Markdown 解析出错（{type(exc).__name__}）。请简化正文中的特殊符号后再试，"
            "如果仍然出错请联系网站维护人员。"
        ) from exc
    return sanitize_html(raw, url_filter=url_filter)


# --------------------------------------------------------------------------------------
# plain_text
# --------------------------------------------------------------------------------------

_BLOCK_TAGS = frozenset(
    {
        "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "li",
        "table", "thead", "tbody", "tr", "th", "td", "pre", "figure", "figcaption", "div",
        "img",
    }
)  # fmt: skip
_SKIP_CONTENT_TAGS = frozenset({"script", "style", "template", "svg", "math", "noscript"})


_BLOCK_SEPARATOR = "\x1e"  # whitespace for str.split(), never crossed by _EA_SOFT_BREAK_RE


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _SKIP_CONTENT_TAGS:
            self.skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append(_BLOCK_SEPARATOR)

    def handle_startendtag(self, tag: str, attrs) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append(_BLOCK_SEPARATOR)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_CONTENT_TAGS:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append(_BLOCK_SEPARATOR)

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(_STRIP_FROM_OUTPUT_RE.sub("", data))


def plain_text(html: str) -> str:
    """Text content of an HTML fragment, whitespace collapsed to single spaces.

    The result is plain text (entities decoded, not escaped): escape it when putting it
    into HTML.  Block elements are separated by a space; a line break between two Chinese
    characters inside a paragraph is dropped; image ``alt`` text is not included.
    """
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    text = _EA_SOFT_BREAK_RE.sub("", "".join(parser.parts))
    return " ".join(text.split())


# --------------------------------------------------------------------------------------
# Field validation
# --------------------------------------------------------------------------------------


