"""The privacy guard: no personal ID-card number and no personal mobile number in the content.

The content folder is published twice: as a website and, usually, as a public git repository. So
the raw text of every YAML and Markdown file (comments included) is scanned as it is loaded:

- a Chinese resident ID number (公民身份号码, GB 11643-1999): 18 characters, the last a digit or X, a
  valid check character and a plausible birth date; an 18-digit number with a wrong check character
  is some other number (an order or account number) and is ignored;
- a mainland mobile number: ``1[3-9]`` and nine more digits (also written 138-1234-5678 or
  138 1234 5678), not part of a longer run of digits.

Numbers in the declared public contact fields (``PUBLIC_FIELDS``: a post's complaint phone, the
organisation's phone) are allowed there, and the same numbers may be repeated elsewhere (they are
public already). Every other hit is an error at its file, line and column, the value masked.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .. import clock
from ..errors import Problems

# Where a phone number is declared public: file kind → (record key, field) pairs.
PUBLIC_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "site": (("organisation", "phone"),),
    "posts": (("feedback", "phone"),),
}

_ID = re.compile(r"(?<!\d)(\d{17}[\dXx])(?![\dXx])")
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)([ -]?)(\d{4})\2(\d{4})(?!\d)")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_KEY = re.compile(r"^\s*(?:-\s+)?([A-Za-z_]+)\s*:")


@dataclass(frozen=True)
class Hit:
    path: str  # as shown in messages
    line: int
    col: int
    kind: str  # "id" | "mobile"
    value: str  # as written
    key: str | None  # the YAML key written on that line, if any

    @property
    def digits(self) -> str:
        return re.sub(r"\D", "", self.value)

    @property
    def masked(self) -> str:
        if self.kind == "id":
            return self.value[:4] + "*" * 10 + self.value[-4:].upper()
        return self.digits[:3] + "****" + self.digits[-4:]


def valid_id(number: str, today: dt.date | None = None) -> bool:
    """An 18-character resident ID with a valid GB 11643 check character and a plausible birth date."""
    if not re.fullmatch(r"\d{17}[\dXx]", number) or number[0] in "09":
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _WEIGHTS))
    if _CHECK[total % 11] != number[17].upper():
        return False
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return dt.date(1900, 1, 1) <= born <= (today or clock.today())


_ASCII_DIGITS = bytes.maketrans(b"123456789", b"000000000")
_WIDE_DIGIT = re.compile(rb"\xef\xbc[\x90-\x99]")  # ０-９ in UTF-8


_WIDE_TO_ASCII = {0xFF10 + i: 0x30 + i for i in range(10)}


def _maybe(text: str) -> str | None:
    """A fast first look (the common case is nothing to find): a run of 11 digits, or 3-4-4 digits.
    Returns the text to scan, full-width digits made ASCII (same positions), or None."""
    data = text.encode("utf-8")
    if _WIDE_DIGIT.search(data):
        return text.translate(_WIDE_TO_ASCII)
    data = data.translate(_ASCII_DIGITS)
    if b"00000000000" in data or b"000 0000 0000" in data or b"000-0000-0000" in data:
        return text
    return None


def find(text: str, path: str) -> list[Hit]:
    """Every ID-card and mobile number in ``text`` (1-based line and column)."""
    text = _maybe(text)
    if text is None:
        return []
    hits = []
    for number, line in enumerate(text.split("\n"), 1):
        if not re.search(r"\d{3}", line):
            continue
        key = _KEY.match(line)
        key = key.group(1) if key else None
        for m in _ID.finditer(line):
            if valid_id(m.group(1)):
                hits.append(Hit(path, number, m.start(1) + 1, "id", m.group(1), key))
        for m in _MOBILE.finditer(line):
            hits.append(Hit(path, number, m.start() + 1, "mobile", m.group(0), key))
    return hits


def _public_numbers(raw) -> tuple[set[tuple[str, int]], set[str]]:
    """(path, line) of every declared public contact field, and the digits of their numbers."""
    where: set[tuple[str, int]] = set()
    numbers: set[str] = set()
    records = [("site", raw.site)] if raw.site is not None else []
    records += [("posts", rec) for rec in raw.posts.values()]
    for kind, rec in records:
        for key, name in PUBLIC_FIELDS.get(kind, ()):
            part = rec.get(key)
            if part and part.get(name):
                path, line, _ = part.where(name)
                where.add((path, line))
                numbers.add(re.sub(r"\D", "", part[name]))
    return where, numbers


def report(raw, problems: Problems) -> None:
    """Add a problem for every hit outside the public contact fields (``raw.sensitive`` from load)."""
    if not raw.sensitive:
        return
    where, numbers = _public_numbers(raw)
    public_keys = {name for fields in PUBLIC_FIELDS.values() for _, name in fields}
    for hit in raw.sensitive:
        if hit.kind == "mobile":
            if (hit.path, hit.line) in where or hit.digits in numbers:
                continue
            folder = hit.path.split("content/", 1)[-1].split("/", 1)[0]
            broken = folder in ("posts", "site.yaml") and not any(p == hit.path for p, _ in where)
            if broken and hit.key in public_keys:  # a file that failed to load: judge by the key
                continue
            problems.add(hit.path, hit.line, hit.col,
                         f"疑似个人手机号码 {hit.masked}：网站和内容仓库都是公开的，除岗位投诉电话（feedback.phone）"
                         "和主办单位电话（organisation.phone）外不能写手机号码。请删除，或改写为公开的投诉电话。")
        else:
            problems.add(hit.path, hit.line, hit.col,
                         f"疑似公民身份号码 {hit.masked}：身份证号不能写进网站内容（网站和内容仓库都是公开的）。"
                         "请删除；需要存档的请放在内部档案里。")
