"""Strict YAML loading that keeps every value's line and column.

PyYAML (its C loader where present) only *composes* the document into nodes; nothing is ever
constructed by PyYAML, so no tag can run code. The node tree is turned into :class:`Node` objects
that remember where they came from; the schema (``schema.py``) then decides what each value must be,
so YAML 1.1 surprises (``no`` read as false, ``0755`` as a number) are reported instead of guessed.

Refused: anchors and aliases, merge keys, any tag outside the YAML core types, duplicate keys
(reported at the second key), several documents in one file, files that are not UTF-8, characters
YAML does not allow (NUL and other controls, reported at their line and column), and nesting deeper
than :data:`MAX_DEPTH` (libyaml's composer recurses in C: ``"[" * 50000`` would crash the process;
the libyaml of newer PyYAML wheels stops at 1,000 levels itself: same message, same position).
"""

from __future__ import annotations

import re
from sys import intern
from typing import Any

import yaml
from yaml.resolver import Resolver

from .text import EAST_ASIAN

TAG = "tag:yaml.org,2002:"
CORE_TAGS = {TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")}
STR_TAG, SEQ_TAG, MAP_TAG = TAG + "str", TAG + "seq", TAG + "map"
# The tag given to plain (unquoted, untagged) scalars while composing. PyYAML's resolver would run
# its regular expressions on every one of them (most of the time of a load); here nothing is
# resolved, and Node.tag tells what YAML 1.1 would make of the text only when the schema asks.
PLAIN = "?plain"
_IMPLICIT = Resolver.yaml_implicit_resolvers  # first character → [(tag, regexp)], as PyYAML uses them


def implicit_tag(text: str) -> str:
    """What YAML 1.1 (PyYAML's resolver) reads a plain scalar as: 'str', 'int', 'bool', 'null' ..."""
    for tag, regexp in _IMPLICIT.get(text[:1], ()):
        if regexp.match(text):
            return tag[len(TAG):]
    for tag, regexp in _IMPLICIT.get(None, ()):
        if regexp.match(text):  # pragma: no cover - PyYAML registers no wildcard resolver
            return tag[len(TAG):]
    return "str"


def _resolve(self, kind, value, implicit) -> str:
    if kind is yaml.ScalarNode:
        return PLAIN if implicit[0] else STR_TAG
    return SEQ_TAG if kind is yaml.SequenceNode else MAP_TAG


def _nothing(self, *args) -> None:
    return None


try:  # the C parser is ~6x faster; fall back to pure Python where libyaml is missing
    from yaml._yaml import CParser as _Parser

    class _Loader(_Parser):  # composes nodes, never constructs, never resolves
        resolve = _resolve
        descend_resolver = ascend_resolver = _nothing
except ImportError:  # pragma: no cover - depends on the platform
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Loader(Reader, Scanner, Parser, Composer, yaml.resolver.BaseResolver):  # type: ignore[no-redef]
        def __init__(self, stream):
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)
            yaml.resolver.BaseResolver.__init__(self)

        resolve = _resolve
        descend_resolver = ascend_resolver = _nothing


class YamlError(Exception):
    """A problem at (line, col) of the parsed text; a message naming another line writes it as
    ``{first}`` so that front matter can shift both lines to the file's numbering (``at``)."""

    def __init__(self, line: int, col: int, message: str, first_line: int | None = None):
        self.line, self.col, self.first_line, self._template = line, col, first_line, message
        self.message = self.at(0)
        super().__init__(self.message)

    def at(self, offset: int) -> str:
        """The message with the other line it names counted from ``offset`` lines earlier."""
        if self.first_line is None:
            return self._template
        return self._template.format(first=self.first_line + offset)


class Node:
    """A value with its position. ``kind`` is 'scalar', 'map' or 'seq'.

    For scalars ``value`` is the source text and ``tag`` what YAML would make of it
    ('str', 'int', 'float', 'bool', 'null', 'timestamp'); ``quoted`` tells whether the author
    quoted it (or used a block scalar), in which case it is always text.
    For maps ``value`` is a dict of key text -> (key Node, value Node); for sequences a list of Node.
    A plain scalar's tag is worked out from its text the first time it is asked for (``tag=None``).
    """

    __slots__ = ("kind", "value", "line", "col", "_tag", "quoted")

    def __init__(self, kind: str, value: Any, line: int, col: int, tag: str | None = "str", quoted: bool = False):
        self.kind, self.value, self.line, self.col, self._tag, self.quoted = kind, value, line, col, tag, quoted

    @property
    def tag(self) -> str:
        tag = self._tag
        if tag is None:
            tag = self._tag = implicit_tag(self.value)
        return tag

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Node):
            return NotImplemented
        return (self.kind, self.value, self.line, self.col, self.tag, self.quoted) == \
            (other.kind, other.value, other.line, other.col, other.tag, other.quoted)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (f"Node(kind={self.kind!r}, value={self.value!r}, line={self.line}, col={self.col}, "
                f"tag={self.tag!r}, quoted={self.quoted})")


def decode(data: bytes) -> str:
    """UTF-8 (a byte-order mark is accepted), else a YamlError naming the encoding problem."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        hint = ""
        try:
            data.decode("gb18030")
            hint = "文件看起来是 GBK/GB18030 编码；"
        except UnicodeDecodeError:
            pass
        raise YamlError(
            line, col,
            f"文件不是 UTF-8 编码（第 {exc.start + 1} 个字节 0x{data[exc.start]:02x} 无效）。{hint}"
            "请在编辑器中“另存为 UTF-8”后再提交。",
        ) from None


def _translate(exc: yaml.YAMLError, text: str) -> YamlError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark else 0
    col = mark.column + 1 if mark else 0
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    lines = text.split("\n")
    at = lines[line - 1][col - 1:col] if mark and line <= len(lines) else ""
    if _LIBYAML_TOO_DEEP in problem:
        return YamlError(line, col, _TOO_DEEP)
    if at == "\t" or "'\\t'" in problem:
        return YamlError(line, col, "YAML 不能用制表符（Tab）缩进，请改用空格。")
    message = f"YAML 语法错误：{problem}"
    if context:
        message += f"（{context}）"
    message += "。请检查这一行及上一行的缩进、冒号和引号。"
    return YamlError(line, col, message)


MAX_DEPTH = 100  # nested mappings/lists; content files need about 5
_TOO_DEEP = f"嵌套太深（超过 {MAX_DEPTH} 层）：请检查括号 [ ] {{ }} 是否配对、缩进是否正确。"
# The problem libyaml reports at its own limit of 1,000 levels (the libyaml in PyYAML 6.0.4's wheels;
# PyYAML 6.0.3's has none). Never shown as such: see _check_events and _translate.
_LIBYAML_TOO_DEEP = "exceeded maximum nesting depth"
# Characters YAML refuses (PyYAML's Reader.NON_PRINTABLE): reported here with their line and column.
_NON_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_DEEP_INDENT = re.compile(r"^[ \-?:]{%d}" % MAX_DEPTH, re.M)
# Line breaks YAML knows besides \n and \r: editors do not show them as new lines, so a line number
# counted by the parser would not be the one the author sees. (\r\n and a lone \r become \n.)
_ODD_BREAK = re.compile("[\x85\u2028\u2029]")


# Either of the two above, to look through a file once (almost every file has neither): every character but
# \t \n \r, \x20-\x7e, \xa0-\u2027, \u202a-\ud7ff, \ue000-\ufffd and \U00010000 on, written as what it matches (checked
# for every code point: compiled in 0.7 ms instead of 4-7 ms at every start of the program, and searches as fast)
_NON_PRINTABLE_OR_ODD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")


def _check_characters(text: str) -> None:
    if _NON_PRINTABLE_OR_ODD.search(text) is None:
        return
    m = _NON_PRINTABLE.search(text) or _ODD_BREAK.search(text)
    if m:
        line = text.count("\n", 0, m.start()) + 1
        col = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
        what = "控制字符" if _NON_PRINTABLE.match(m.group()) else "换行符"
        raise YamlError(line, col, f"这里有 YAML 不允许的不可见{what} U+{ord(m.group()):04X}：请删除它"
                                   "（常见于从网页或文档复制粘贴）。")


def _walk_events(text: str) -> None:
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            m = event.start_mark
            raise YamlError(
                m.line + 1, m.column + 1,
                "不允许使用 YAML 锚点和别名（& 和 *）：请把内容直接写出来。"
                "如果这是文字，请加引号。",
            )
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                m = event.start_mark
                raise YamlError(m.line + 1, m.column + 1, _TOO_DEEP)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _check_events(text: str) -> None:
    """Anchors, aliases and too deep nesting, found in the event stream (which is not recursive).

    The stream is walked only when the text could hold any: '&' or '*' for anchors and aliases,
    many brackets or a line indented by MAX_DEPTH characters for depth.
    """
    anchors = "&" in text or "*" in text
    deep = text.count("[") + text.count("{") > MAX_DEPTH or _DEEP_INDENT.search(text) is not None
    if not anchors and not deep:
        return
    try:
        _walk_events(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        if _LIBYAML_TOO_DEEP in str(getattr(exc, "problem", "")) and mark is not None:
            # libyaml stopped at its own limit before handing over the 101st level: its scanner reads
            # up to 1,024 characters ahead, and "[" * 1000 is all scanned at once. The 101st level
            # starts before that point: the text up to it, where libyaml's limit cannot be reached,
            # shows where, so the message and its position are the same with every PyYAML.
            start = 0
            for _ in range(mark.line):
                start = text.index("\n", start) + 1
            try:
                _walk_events(text[:start + mark.column])
            except yaml.YAMLError:
                pass  # the cut text's own end; the libyaml problem's position is reported below
        raise _translate(exc, text) from None


def load(text: str) -> Node | None:
    """Parse one YAML document into a Node tree; None for an empty document."""
    if "\r" in text:  # positions are counted in \n-separated lines, as the parser counts them
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    _check_characters(text)
    _check_events(text)
    try:
        loader = _Loader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.composer.ComposerError as exc:
        if "single document" in f"{exc.problem} {exc.context}":
            m = exc.problem_mark
            raise YamlError(m.line + 1, m.column + 1, "一个文件只能有一个 YAML 文档：请删除多余的 `---`。") from None
        raise _translate(exc, text) from None
    except yaml.YAMLError as exc:
        raise _translate(exc, text) from None
    if root is None:
        return None
    return _convert(root, text)


_ScalarNode, _SequenceNode = yaml.ScalarNode, yaml.SequenceNode
_NOT_CORE_FIRST = frozenset("<=!&*")  # plain scalars that PyYAML resolves to merge, value or yaml tags


def _tag_error(line: int, col: int, tag: str) -> YamlError:
    return YamlError(line, col, f"不允许使用 YAML 标签 `{tag.replace(TAG, '!!')}`：请删除它，直接写值。")


def refold(value: str, source: str, folded: bool) -> str:
    """A plain, quoted or ``>`` scalar written on several lines, folded as YAML does but without the space YAML puts
    where a line break stood between two Chinese characters ("遗漏。\n我承诺" is "遗漏。我承诺", as in a
    story's Markdown: content/text.py). ``source`` is the scalar's text in the file. Only when folding the
    source the plain way gives YAML's own value (no escapes, no more-indented lines): else ``value``."""
    lines = source.split("\n")[1:] if folded else source.split("\n")
    body = value.rstrip("\n")
    parts: list[str] = []
    for line in lines:
        line = line.strip(" \t")
        if not line:
            parts.append("\n")
        elif parts and parts[-1] != "\n":
            parts += [" ", line]
        else:
            parts.append(line)
    while parts and parts[-1] == "\n":
        parts.pop()
    if "".join(parts) != body:
        return value
    for i in range(1, len(parts) - 1):
        if parts[i] == " " and _EA_END.search(parts[i - 1]) and _EA_START.match(parts[i + 1]):
            parts[i] = ""
    return "".join(parts) + value[len(body):]


_EA_END = re.compile(f"[{EAST_ASIAN}]$")
_EA_START = re.compile(f"[{EAST_ASIAN}]")


def _scalar_value(node: yaml.Node, text: str) -> str:
    value = node.value
    if node.end_mark.line > node.start_mark.line and " " in value and node.style != "|":
        source = text[node.start_mark.index:node.end_mark.index]
        if node.style in ('"', "'"):
            source = source[1:-1]
        return refold(value, source, node.style == ">")
    return value


def _convert(node: yaml.Node, text: str) -> Node:
    tag, mark = node.tag, node.start_mark
    if tag is PLAIN:
        value = node.value
        if node.end_mark.line > mark.line:  # (most values are on one line)
            value = _scalar_value(node, text)
        if value[:1] in _NOT_CORE_FIRST:
            implicit = TAG + implicit_tag(value)
            if implicit not in CORE_TAGS:
                raise _tag_error(mark.line + 1, mark.column + 1, implicit)
        return Node("scalar", value, mark.line + 1, mark.column + 1, None, node.style not in (None, ""))
    line, col = mark.line + 1, mark.column + 1
    if tag not in CORE_TAGS:
        raise _tag_error(line, col, tag)
    cls = node.__class__
    if cls is _ScalarNode:
        return Node("scalar", _scalar_value(node, text), line, col, tag[len(TAG):], node.style not in (None, ""))
    if cls is _SequenceNode:
        return Node("seq", [_convert(item, text) for item in node.value], line, col, "seq")
    items: dict[str, tuple[Node, Node]] = {}
    for key_node, value_node in node.value:
        if (key_node.tag is PLAIN and key_node.value == "<<") or key_node.tag == TAG + "merge":
            m = key_node.start_mark
            raise YamlError(m.line + 1, m.column + 1, "不允许使用 YAML 合并键 `<<`：请把内容直接写出来。")
        key = _convert(key_node, text)
        if key.kind != "scalar":
            raise YamlError(key.line, key.col, "键必须是简单的文字。")
        key.value = intern(key.value)  # every record's keys are the same few strings (memory, pickles)
        if key.value in items:
            first = items[key.value][0]
            raise YamlError(
                key.line, key.col,
                f"键 `{key.value}` 重复（第一次出现在第 {{first}} 行）：请删除或合并其中一个。",
                first_line=first.line,
            )
        items[key.value] = (key, _convert(value_node, text))
    return Node("map", items, line, col, "map")
