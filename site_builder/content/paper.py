"""Paper sizes, print fonts and the kinds of printed board: what site.yaml's ``print:`` block configures.

The registry of board kinds (:data:`KINDS`) is the one list of them: the schema of ``print.sizes``
(content/formats.py), the boards (printing/boards.py), the print pages and ``site-builder pdf`` all read it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# -- paper ------------------------------------------------------------------------------------------

ISO_SIZES = {  # mm, portrait
    "A2": (420, 594), "A3": (297, 420), "A4": (210, 297), "A5": (148, 210), "A6": (105, 148),
    "B4": (250, 353), "B5": (176, 250),
}
_NAMED = re.compile(r"^(?P<name>[AaBb][2-6])(?:\s+(?P<orient>portrait|landscape))?$")
_MM = re.compile(r"^(?P<w>\d{2,4}(?:\.\d)?)\s*mm\s*(?:[x×*]\s*|\s+)(?P<h>\d{2,4}(?:\.\d)?)\s*mm$")


@dataclass(frozen=True)
class Paper:
    width: float  # mm
    height: float
    name: str  # "A3", or "210×297 mm" for a size given in millimetres

    @property
    def css(self) -> str:
        return f"{format_mm(self.width)}mm {format_mm(self.height)}mm"

    @property
    def orient(self) -> str | None:
        """portrait / landscape for a named size (a translation key suffix), None otherwise."""
        if "mm" in self.name:
            return None
        return "landscape" if self.width > self.height else "portrait"


def format_mm(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def parse_paper(text: str) -> Paper | None:
    """``A3``, ``A4 landscape``, ``210mm 297mm`` → Paper; None when not understood."""
    text = text.strip()
    m = _NAMED.match(text)
    if m:
        name = m.group("name").upper()
        w, h = ISO_SIZES[name]
        if m.group("orient") == "landscape":
            return Paper(h, w, name)
        return Paper(w, h, name)
    m = _MM.match(text)
    if m:
        w, h = float(m.group("w")), float(m.group("h"))
        if 50 <= w <= 1200 and 50 <= h <= 1200:
            return Paper(w, h, f"{format_mm(w)}×{format_mm(h)} mm")
    return None


def check_paper(text: str) -> str | None:
    """For the schema (content/formats.py): the message to show when ``text`` is not a paper size."""
    if parse_paper(text) is None:
        return (f"纸张 `{text}` 看不懂：请写 A2–A6、B4、B5，可加 portrait（纵向）或 landscape（横向），"
                "如 `A4 landscape`；或写宽和高，如 `210mm 297mm`（各 50–1200 毫米）。")
    return None


_FAMILY = re.compile(r"^[\w .\-\u3400-\u9fff]{1,80}$")
_FONT_FILE = re.compile(r"^(?!/)(?!.*(?:^|/)\.\.(?:/|$))[A-Za-z0-9._\-/]+\.(?:otf|ttf|ttc|woff2?)$", re.I)


def check_font_family(text: str) -> str | None:
    if not _FAMILY.match(text):
        return f"字体名称 `{text}` 只能含文字、数字、空格、点和连字符，如 `Noto Serif CJK SC`。"
    return None


def check_font_file(text: str) -> str | None:
    if not _FONT_FILE.match(text):
        return (f"字体文件 `{text}` 不合规：请写站点文件夹里的相对路径（英文字母、数字、-、_、/），"
                "以 .otf、.ttf、.ttc、.woff 或 .woff2 结尾，如 `fonts/SourceHanSerifSC-Regular.otf`。")
    return None


def text_width(text: str) -> float:
    """Width in em: a Chinese character is 1, a Latin letter or digit about 0.55 (how much fits a line)."""
    return sum(1 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in text)


# -- the kinds of board -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Kind:
    """A kind of printed board. Adding one: an entry here, its data in printing/boards.py, its template."""

    name: str
    label: str  # the Chinese name printed on indexes and in messages
    owner: str  # "post" or "member": one board per post, or per member
    default: str  # default paper
    design: tuple[float, float]  # the paper the CSS is drawn for (mm); other sizes scale the type
    root_pt: float  # 1rem at the design size
    template: str
    wall: bool  # a wall board: exactly one page, drawn on a fixed sheet
    in_site: bool  # has a print page in the built site (False: PDF only)
    margin: float | None = None  # the page's white margin (mm); None: 3.5 % of the paper, at least 6 mm
    sheet: bool = False  # a small card: `pdf` also lays the unit's cards out on A4 sheets with crop marks


KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("board", "公示榜", "post", "A3", (297, 420), 11.5, "print/board.html", True, True),
    Kind("plaque", "创建牌", "post", "A4 landscape", (297, 210), 12, "print/plaque.html", True, True),
    Kind("card", "定标公示卡", "member", "A5", (148, 210), 9.5, "print/card.html", True, True),
    Kind("records", "对标记录卡", "member", "A4", (210, 297), 10, "print/records.html", False, False),
    Kind("evaluation", "达标评议卡", "member", "A4", (210, 297), 10, "print/evaluation.html", False, False),
    # 开展一项竞赛 (printing/competition.py): a month's result board, each month's red-flag certificates
    Kind("competition", "竞赛光荣榜", "competition", "A3", (297, 420), 11.5, "print/competition.html", True, True),
    Kind("flag", "流动红旗", "competition", "A4 landscape", (297, 210), 12, "print/flag.html", True, True),
    # 亮出一个牌子 (printing/badges.py): PDF only for members (a QR code per member would slow every build)
    Kind("badge", "胸牌", "member", "85.6mm 54mm", (85.6, 54), 7, "print/badge.html", True, False, 0, True),
    Kind("desk", "桌牌", "member", "A4 landscape", (297, 210), 12, "print/desk.html", True, False, 0),
    Kind("window-desk", "窗口桌牌", "post", "A4 landscape", (297, 210), 12, "print/desk.html", True, True, 0),
)}
POST_KINDS = tuple(name for name, kind in KINDS.items() if kind.owner == "post")
MEMBER_KINDS = tuple(name for name, kind in KINDS.items() if kind.owner == "member")
