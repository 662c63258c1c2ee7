"""A small declarative, typed schema over :mod:`yamlio` nodes.

Each type converts a :class:`~site_builder.content.strict_yaml.Node` into a plain Python value or reports a
problem at the node's line and column. Records reject unknown keys and suggest the nearest known
one. Converted records are :class:`Rec` dicts that remember where each key was, so later stages
(references, star rules) can still point at the right line.
"""

from __future__ import annotations

import datetime as dt
import difflib
import pickle
import re
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Iterator

from ..digests import digest
from ..errors import Problems
from .strict_yaml import Node
from .text import join_lines, yaml_str

INVALID = object()

_TAG_NAMES = {"bool": "真假值", "int": "整数", "float": "小数", "null": "空值", "timestamp": "日期时间"}
# C0/C1 controls (tab and newline handled separately), bidi overrides and isolates, zero-width and other
# invisible characters (the same set model/markdown.py refuses in Markdown and URL fields: U+180E, invisible
# operators, deprecated format characters, interlinear annotations, "tag" characters used to smuggle
# hidden text), line and paragraph separators
_BAD_CHARS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff"
    "\ufff9-\ufffb\U000e0000-\U000e007f]"
)
_TAB_CR = re.compile(r"[\t\r]")
_INT = re.compile(r"-?(0|[1-9][0-9]*)")
ID_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
RESERVED_IDS = {"con", "prn", "aux", "nul", "index", "page", "all", "static", "media", "p"} | {
    f"{d}{n}" for d in ("com", "lpt") for n in range(10)
}


class Ctx:
    """Where problems go while converting one file."""

    def __init__(self, path: str, problems: Problems, line_offset: int = 0):
        self.path, self.problems, self.line_offset = path, problems, line_offset
        self.count = 0

    def error(self, line: int, col: int, message: str) -> object:
        self.count += 1
        self.problems.add(self.path, line + self.line_offset if line else 0, col, message)
        return INVALID

    def at(self, node: Node, message: str) -> object:
        return self.error(node.line, node.col, message)


class Rec(dict):
    """A converted record: a dict with the position of the record and of each key.

    Read-only once :func:`seal` has been called on it (at the end of parsing a file): records are
    kept in the build cache and handed to every later build, so nothing may change them. Sealing
    also packs the positions of the keys into one ``bytes`` (line and column of each key, in the
    record's key order): positions are read only to report a problem, and a dict of tuples per
    record was most of a record's memory and of the time to pickle it.
    """

    __slots__ = ("path", "line", "col", "_pos", "offset", "sealed")

    @property
    def pos(self) -> dict[str, tuple[int, int]]:
        """{key: (line, column)} of the keys written in the file (not of defaults), in file order."""
        pos = self._pos
        if type(pos) is not bytes:
            return pos
        numbers = array("I", pos)
        return {key: (numbers[2 * i], numbers[2 * i + 1]) for i, key in enumerate(self) if numbers[2 * i]}

    @pos.setter
    def pos(self, value: dict[str, tuple[int, int]]) -> None:
        self._pos = value

    def where(self, key: str | None = None) -> tuple[str, int, int]:
        line, col = self.line, self.col
        if key:
            pos = getattr(self, "_pos", None)  # records of the evaluation fast path work theirs out (pos)
            if type(pos) is not bytes:
                line, col = self.pos.get(key, (line, col))
            elif key in self:
                i = 2 * list(self).index(key)
                numbers = array("I", pos[4 * i:4 * i + 8])
                if numbers[0]:
                    line, col = numbers
        return self.path, line + self.offset, col

    def __init__(self, *items) -> None:
        dict.__init__(self, *items)
        self.sealed = False

    def __reduce__(self):
        return _restore, (type(self), dict(self), self.path, self.line, self.col, self._pos, self.offset, self.sealed)

    def __setitem__(self, key, value) -> None:
        if self.sealed:
            raise TypeError(f"record {self.path}:{self.line} is read-only: records are shared between builds")
        dict.__setitem__(self, key, value)

    def _read_only(self, *args, **kwargs):
        raise TypeError(f"record {self.path}:{self.line} is read-only: records are shared between builds")

    __delitem__ = pop = popitem = setdefault = update = clear = __ior__ = _read_only


def _restore(cls: type, items: dict, path: str, line: int, col: int, pos: dict | bytes, offset: int,
             sealed: bool) -> Rec:
    """A record from the build cache, read-only again if it was (its items are not set one by one)."""
    rec = cls.__new__(cls)
    dict.update(rec, items)
    rec.path, rec.line, rec.col, rec._pos, rec.offset, rec.sealed = path, line, col, pos, offset, sealed
    return rec


class Packed(Sequence):
    """A read-only list of sealed records kept as their pickle and made again each time it is read (iterated,
    indexed), kept by nobody; its length is known without that. For the lists a whole-site pass never reads:
    a member's records, assessments and honours are read by the member's own page and boards, and were most of
    a city's records (360,000 of 385,000 at 10,000 posts: ~120 MiB of objects that every rendering process
    touched, and most of what a warm build read back from the cache), against ~60 MB as bytes.

    Equal to a list or tuple of the same records; its digest (``TRACKING_DIGEST``) is that of its bytes (a
    record's pickle holds its file, line and column: equal bytes, the same records of the same file)."""

    __slots__ = ("blob", "count")
    TRACKING_DIGEST = "digest"

    def __init__(self, items: Sequence = ()):
        items = tuple(items)
        self.blob, self.count = pickle.dumps(items, protocol=5), len(items)

    @property
    def digest(self) -> bytes:
        return digest(self.blob)

    def items(self) -> tuple:
        return pickle.loads(self.blob)

    def __iter__(self) -> Iterator:
        return iter(self.items())

    def __len__(self) -> int:
        return self.count

    def __bool__(self) -> bool:
        return self.count > 0

    def __getitem__(self, index):
        return self.items()[index]

    def __eq__(self, other: object) -> bool:
        if type(other) is Packed:
            return self.count == other.count and (self.blob == other.blob or self.items() == other.items())
        if isinstance(other, (tuple, list)):
            return self.count == len(other) and self.items() == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.items())

    def __repr__(self) -> str:
        return f"Packed({list(self.items())!r})"

    def __reduce__(self):
        return "EMPTY" if self is EMPTY else (_packed, (self.blob, self.count))


def _packed(blob: bytes, count: int) -> Packed:
    packed = Packed.__new__(Packed)
    packed.blob, packed.count = blob, count
    return packed


EMPTY = Packed()  # (one for every empty list: most members have no honours; pickled by name, read back as itself)


def pack(rec: Any, schema: "Record") -> Any:
    """``rec`` (sealed) with the values of the fields ``schema`` marks ``packed`` as :class:`Packed`: a new
    sealed record with the same positions."""
    if not schema.packed or not isinstance(rec, Rec):
        return rec
    values = dict(rec)
    for name in schema.packed:
        if name in values:
            values[name] = Packed(values[name]) if values[name] else EMPTY
    return _restore(type(rec), values, rec.path, rec.line, rec.col, rec._pos, rec.offset, rec.sealed)


_CONTAINERS = (list, tuple, dict)
PACK_MAX = 64  # larger records keep their dict of positions (where() looks a key up in it)


def _pack(rec: Rec) -> None:
    """The positions of ``rec`` as one bytes object, when every positioned key is one of its keys
    (line numbers start at 1: a key without a position is packed as (0, 0))."""
    pos = getattr(rec, "_pos", None)
    if type(pos) is dict and 0 < len(pos) <= PACK_MAX and pos.keys() <= rec.keys():
        flat: list[int] = []
        for key in rec:
            flat += pos.get(key, _NO_POSITION)
        try:
            rec._pos = array("I", flat).tobytes()
        except (TypeError, OverflowError):  # pragma: no cover - not (line, column) pairs: kept as they are
            pass


_NO_POSITION = (0, 0)


def seal(value: Any) -> Any:
    """Make every record in ``value`` (records, lists and dicts of them) read-only; returns ``value``.

    Only containers are visited (a record of a 1,000-post city holds ~100 values for each container).
    """
    if isinstance(value, Rec):
        if value.sealed:  # and so are the records in it (sealed together, or made read-only: fast_evaluations)
            return value
        if type(value) is Rec:  # (other kinds of record work their positions out)
            _pack(value)
        value.sealed = True
        items = value.values()
    elif isinstance(value, dict):
        items = value.values()
    elif isinstance(value, (list, tuple)):
        items = value
    else:
        return value
    for item in items:
        if isinstance(item, _CONTAINERS):  # Rec is a dict
            seal(item)
    return value


def describe(node: Node) -> str:
    if node.kind == "map":
        return "键值表"
    if node.kind == "seq":
        return "列表"
    return _TAG_NAMES.get(node.tag, "文字")


class Type:
    expected = "值"

    def describe(self) -> str:
        """How a value is written and its limits, for the table in docs/content-format.md (commands/reference.py)."""
        return self.expected

    def convert(self, node: Node, ctx: Ctx) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def scalar_text(self, node: Node, ctx: Ctx) -> Any:
        if node.kind != "scalar":
            return ctx.at(node, f"这里应为{self.expected}，却写成了{describe(node)}。")
        return node.value


class Str(Type):
    expected = "文字"

    def __init__(self, max_len: int = 200, min_len: int = 1, multiline: bool = False,
                 check: Callable[[str], str | None] | None = None, label: str | None = None):
        self.max_len, self.min_len, self.multiline, self.check = max_len, min_len, multiline, check
        self.label = label  # what describe() says of a checked kind of text (a URL, a phone number ...)

    def describe(self) -> str:
        if self.label:
            return self.label
        return f"文字，{'可分段（空一行分段）' if self.multiline else '一行'}，最多 {self.max_len} 字"

    def convert(self, node: Node, ctx: Ctx) -> Any:
        text = self.scalar_text(node, ctx)
        if text is INVALID:
            return text
        if not node.quoted and node.tag != "str":
            if node.tag == "null":
                return ctx.at(node, "这里的值是空的：请填写内容，或删除这一行。")
            return ctx.at(
                node,
                f"YAML 会把 `{text}` 读成{_TAG_NAMES.get(node.tag, node.tag)}，而这里需要文字："
                f"请加引号，写成 \"{text}\"。",
            )
        text = text.strip()
        problems = []  # every problem of the value, not only the first ("one line" and "too long")
        bad = _BAD_CHARS.search(text) or (not self.multiline and _TAB_CR.search(text))
        if bad:
            ch = bad.group(0)
            problems.append(f"文字中有不可见或控制字符 U+{ord(ch):04X}：请删除它（常见于从网页或文档复制粘贴）。")
        length = len(text)
        if not self.multiline and "\n" in text:
            one = join_lines(text)
            length = len(one)
            problems.append(f"这里只能写一行，现在写成了 {text.count(chr(10)) + 1} 行：请去掉冒号后面的 `|` 或 `>`，"
                            f"把文字接在冒号后面写成一行：{yaml_str(one)}")
        if length < self.min_len:
            problems.append("这里的值是空的：请填写内容。")
        if length > self.max_len:
            problems.append(f"文字太长：{length} 个字，最多 {self.max_len} 个字。请精简。")
        if self.check and not problems:
            message = self.check(text)
            if message:
                problems.append(message)
        for message in problems:
            ctx.at(node, message)
        return INVALID if problems else text


class Id(Str):
    expected = "编号"

    def __init__(self) -> None:
        super().__init__(max_len=64, check=check_id, label="编号：小写英文字母、数字和连字符，最长 64 个字符")


def check_id(text: str) -> str | None:
    if not ID_RE.match(text):
        return (f"编号 `{text}` 不合规：只能用小写英文字母、数字和连字符（-），以字母或数字开头和结尾，"
                "最长 64 个字符，例如 `zrzy-budongchan`。")
    if text in RESERVED_IDS:
        return f"`{text}` 是保留名称，不能用作编号：请换一个。"
    return None


class Enum(Str):
    def __init__(self, values: dict[str, str]):
        super().__init__(max_len=64)
        self.values = values
        self._same = {value: value for value in values}
        self.expected = "以下之一：" + "、".join(f"{k}（{v}）" for k, v in values.items())
        self.label = "以下之一：" + "、".join(f"`{k}` {v}" for k, v in values.items())

    def convert(self, node: Node, ctx: Ctx) -> Any:
        if node.kind == "scalar" and not node.quoted and node.tag == "bool":
            return ctx.at(node, f"`{node.value}` 不是可选值：请写{self.expected}。")
        text = super().convert(node, ctx)
        if text is INVALID:
            return text
        if text in self.values:
            return self._same[text]  # one string object for each value, shared by every record
        return ctx.at(node, f"`{text}` 不是可选值{suggest(text, self.values)}。可选：{self.expected[5:]}。")


class Int(Type):
    expected = "整数"

    def __init__(self, min: int | None = None, max: int | None = None):
        self.min, self.max = min, max

    def describe(self) -> str:
        return f"{self.expected} {_span(self.min, self.max)}".rstrip()

    def convert(self, node: Node, ctx: Ctx) -> Any:
        text = self.scalar_text(node, ctx)
        if text is INVALID:
            return text
        if text == "" and not node.quoted:  # `politics: ,` (the blank scores of `new evaluation`)
            span = f"（{self.min} 到 {self.max}）" if self.min is not None and self.max is not None else ""
            return ctx.at(node, f"这里还空着：请填写一个整数{span}。")
        if node.quoted or not _INT.fullmatch(text):
            hint = "不要加引号" if node.quoted else "写成普通的十进制整数（不以 0 开头，不带冒号或下划线）"
            return ctx.at(node, f"这里应为整数，`{text}` 不是：请{hint}。")
        return _range(int(text), self.min, self.max, node, ctx)


class Num(Type):
    expected = "数字"

    def __init__(self, min: float | None = None, max: float | None = None):
        self.min, self.max = min, max

    def describe(self) -> str:
        return f"{self.expected}（可带小数） {_span(self.min, self.max)}".rstrip()

    def convert(self, node: Node, ctx: Ctx) -> Any:
        text = self.scalar_text(node, ctx)
        if text is INVALID:
            return text
        if node.quoted or not re.fullmatch(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?", text):
            return ctx.at(node, f"这里应为数字（如 85 或 0.25），`{text}` 不是。")
        value = float(text) if "." in text else int(text)
        return _range(value, self.min, self.max, node, ctx)


def _span(lo, hi) -> str:
    if lo is not None and hi is not None:
        return f"{lo}–{hi}"
    return f"≥ {lo}" if lo is not None else (f"≤ {hi}" if hi is not None else "")


def _range(value, lo, hi, node: Node, ctx: Ctx) -> Any:
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        return ctx.at(node, f"{value} 超出范围：应在 {lo} 到 {hi} 之间。")
    return value


class Bool(Type):
    expected = "true 或 false"

    def describe(self) -> str:
        return "`true`（是）或 `false`（否）"

    def convert(self, node: Node, ctx: Ctx) -> Any:
        text = self.scalar_text(node, ctx)
        if text is INVALID:
            return text
        if node.quoted or text.lower() not in ("true", "false"):
            return ctx.at(node, f"这里应写 true（是）或 false（否），`{text}` 不行。")
        return text.lower() == "true"


class Date(Type):
    expected = "日期（如 2025-03-06）"

    def convert(self, node: Node, ctx: Ctx) -> Any:
        text = self.scalar_text(node, ctx)
        if text is INVALID:
            return text
        if not _DATE.fullmatch(text):
            return ctx.at(node, f"日期 `{text}` 的写法不对：请写成 2025-03-06 这样的年-月-日。")
        try:
            return _date(text)
        except ValueError:
            return ctx.at(node, f"日期 `{text}` 不存在：请核对月份和日子。")


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@lru_cache(maxsize=4096)
def _date(text: str) -> dt.date:
    """One date object for each date written (a city writes the same few hundred dates many times)."""
    return dt.date.fromisoformat(text)


class Month(Type):
    expected = "月份（如 2025-03）"

    def convert(self, node: Node, ctx: Ctx) -> Any:
        text = self.scalar_text(node, ctx)
        if text is INVALID:
            return text
        m = re.fullmatch(r"(\d{4})-(\d{2})", text)
        if not m or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 1900:
            return ctx.at(node, f"月份 `{text}` 的写法不对：请写成 2025-03 这样的年-月。")
        return text


class MonthDay(Type):
    expected = "月-日（如 \"12-31\"）"

    def describe(self) -> str:
        return "月-日，加引号，如 `\"12-31\"`"

    def convert(self, node: Node, ctx: Ctx) -> Any:
        text = self.scalar_text(node, ctx)
        if text is INVALID:
            return text
        m = re.fullmatch(r"(\d{2})-(\d{2})", text)
        try:
            if not m:
                raise ValueError
            dt.date(2001, int(m.group(1)), int(m.group(2)))  # a year without 29 February
        except ValueError:
            return ctx.at(node, f"`{text}` 不是有效的月-日：请写成 \"12-31\" 这样（加引号，不能是 02-29）。")
        return text


class List(Type):
    expected = "列表"

    def __init__(self, item: Type, min_len: int = 0, max_len: int | None = None, unique: bool = False):
        self.item, self.min_len, self.max_len, self.unique = item, min_len, max_len, unique

    def describe(self) -> str:
        count = (f"{self.min_len}–{self.max_len} 项" if self.min_len and self.max_len is not None else
                 f"至少 {self.min_len} 项" if self.min_len else f"最多 {self.max_len} 项" if self.max_len else "")
        each = "每项是下面几个键" if isinstance(self.item, Record) else f"每项：{self.item.describe()}"
        return "列表" + (f"，{count}" if count else "") + ("，不能重复" if self.unique else "") + f"；{each}"

    def convert(self, node: Node, ctx: Ctx) -> Any:
        if node.kind == "scalar" and node.tag == "null" and not node.quoted:
            node = Node("seq", [], node.line, node.col, "seq")
        if node.kind != "seq":
            return ctx.at(node, f"这里应为列表（每项一行，以 `- ` 开头，或写成 [a, b]），却写成了{describe(node)}。")
        if len(node.value) < self.min_len:
            return ctx.at(node, f"列表至少要有 {self.min_len} 项。")
        if self.max_len is not None and len(node.value) > self.max_len:
            return ctx.at(node, f"列表最多 {self.max_len} 项，现在有 {len(node.value)} 项。")
        out, seen, bad = [], {}, False
        for item in node.value:
            value = self.item.convert(item, ctx)
            if value is INVALID:
                bad = True
                continue
            if self.unique and isinstance(value, str):
                if value in seen:
                    ctx.at(item, f"`{value}` 重复（第一次在第 {seen[value] + ctx.line_offset} 行）。")
                    bad = True
                    continue
                seen[value] = item.line
            out.append(value)
        return INVALID if bad else out



class OneOrList(List):
    """One value or a list of them (`post: a` or `post: [a, b]`); always converted to a list."""

    def __init__(self, item: Type, max_len: int | None = None):
        super().__init__(item, min_len=1, max_len=max_len, unique=True)
        self.expected = f"一个{item.expected}，或{item.expected}的列表（写成 [a, b]）"

    def describe(self) -> str:
        return f"一个{self.item.expected}，或最多 {self.max_len} 个{self.item.expected}的列表 `[a, b]`，不能重复"

    def convert(self, node: Node, ctx: Ctx) -> Any:
        if node.kind == "scalar":
            value = self.item.convert(node, ctx)
            return INVALID if value is INVALID else [value]
        if node.kind != "seq":
            return ctx.at(node, f"这里应为{self.expected}，却写成了{describe(node)}。")
        return super().convert(node, ctx)

@dataclass
class Field:
    type: Type
    required: bool = False
    default: Any = None
    doc: str = ""
    packed: bool = False  # a list of records read by a few pages only: kept as its pickle (Packed; see pack)


class Record(Type):
    expected = "键值表"

    def __init__(self, fields: dict[str, Field], check: Callable[[Rec, Ctx], None] | None = None):
        self.fields, self.check = fields, check  # check's docstring states its rule (docs/content-format.md)
        self.packed = tuple(name for name, f in fields.items() if f.packed)  # (see pack)

    def describe(self) -> str:
        rule = (self.check.__doc__ or "").strip() if self.check else ""
        return "下面几个键" + (f"；{rule}" if rule else "")

    def convert(self, node: Node, ctx: Ctx) -> Any:
        if node.kind != "map":
            return ctx.at(node, f"这里应为键值表（`键: 值` 的若干行），却写成了{describe(node)}。")
        rec = Rec()
        pos: dict[str, tuple[int, int]] = {}
        rec.path, rec.line, rec.col, rec.offset, rec.pos = ctx.path, node.line, node.col, ctx.line_offset, pos
        before = ctx.count
        fields = self.fields
        for key, (key_node, value_node) in node.value.items():
            field = fields.get(key)
            if field is None:
                ctx.at(key_node, f"不认识的键 `{key}`{suggest(key, fields)}。可用的键："
                       + "、".join(fields) + "。")
                continue
            pos[key] = (key_node.line, key_node.col)
            value = field.type.convert(at_key(key_node, value_node) if value_node.kind == "map" else value_node, ctx)
            if value is not INVALID:
                _set(rec, key, value)  # a new record, not sealed yet
        for key, field in fields.items():
            if key not in pos:
                if field.required:
                    doc = f"（{field.doc}）" if field.doc else ""
                    ctx.at(node, f"缺少必填的键 `{key}`{doc}。")
                else:
                    _set(rec, key, field.default() if callable(field.default) else field.default)
        if ctx.count == before and self.check:
            self.check(rec, ctx)
        return rec if ctx.count == before else INVALID


_set = dict.__setitem__


class Dict(Type):
    """A mapping with free keys (ids) and values of one type."""

    expected = "键值表"

    def __init__(self, key: Type, value: Type, min_len: int = 0):
        self.key, self.value, self.min_len = key, value, min_len

    def describe(self) -> str:
        value = "下面几个键" if isinstance(self.value, Record) else self.value.describe()
        least = f"，至少 {self.min_len} 项" if self.min_len else ""
        return f"`{self.key.expected}: 值` 的若干行{least}；键：{self.key.describe()}；值：{value}"

    def convert(self, node: Node, ctx: Ctx) -> Any:
        if node.kind != "map":
            return ctx.at(node, f"这里应为键值表（`编号: 值` 的若干行），却写成了{describe(node)}。")
        if len(node.value) < self.min_len:
            return ctx.at(node, f"至少要写 {self.min_len} 项。")
        out, bad = Rec(), False
        out.path, out.line, out.col, out.offset, out.pos = ctx.path, node.line, node.col, ctx.line_offset, {}
        for key, (key_node, value_node) in node.value.items():
            key_plain = Node("scalar", key, key_node.line, key_node.col, "str", True)
            k = self.key.convert(key_plain, ctx)
            v = self.value.convert(at_key(key_node, value_node), ctx)
            if k is INVALID or v is INVALID:
                bad = True
                continue
            if isinstance(v, Rec):
                v.line, v.col = key_node.line, key_node.col
            out[k] = v
            out.pos[k] = (key_node.line, key_node.col)
        return INVALID if bad else out


def at_key(key_node: Node, value_node: Node) -> Node:
    """A mapping value is reported at its key's line (where `standard:` is, not its first item)."""
    if value_node.kind == "map":
        return Node("map", value_node.value, key_node.line, key_node.col, "map")
    return value_node


def suggest(word: str, choices) -> str:
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"（是不是想写 `{match[0]}`？）" if match else ""
