"""亮出一个牌子: the badge card (胸牌) and the desk signs (桌牌) — what each shows, how tight its layout
is, and the A4 sheet the badge cards are printed on, ten to a page, with crop marks.

亮牌上岗，示范服务；佩章上岗，接受监督. Every member who consented to be public and serves at a live post
(approved, not revoked) gets a badge card (85.6 × 54 mm, the size of a bank card, CR80) and a desk sign
(an A4 tent card folded in two); every 党员示范窗口 gets a window desk sign. A member without consent gets
neither; the photo only with photo consent (the model leaves ``Member.photo`` empty otherwise). A member
at several posts gets a badge and a desk sign for each (``Board.slot``), like the standard card.

The Party emblem is never drawn: the office prints it (or uses card stock that carries it), so the badge
leaves its area (``EMBLEM``) without any ink, and says so only on screen.

Plain functions of the model; printing/boards.py makes the boards of them (``member_boards``,
``post_boards``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..content.paper import Paper, format_mm, text_width
from ..model.build import Member, Model, Post

# -- what they show ------------------------------------------------------------------------------------

EMBLEM = (3.0, 3.0, 12.0)  # the emblem's area on the design size (mm): left, top, side of the square


def _shown(post: Post, member: Member | None = None) -> dict:
    """What a badge and both desk signs show of the post and (on a member's) of the member."""
    return {
        "name": member.name if member else None, "position": member.position if member else None,
        "post": {"name": post.name, "kind": post.kind}, "stars": post.stars, "status": post.status,
        "evaluated": post.evaluated,  # False: 尚无考评 instead of the stars
        "unit": {"name": post.unit.name},
        "phone": post.feedback["phone"],  # None: a post without a complaint phone (its QR code leads to the others)
    }


def badge_data(model: Model, member: Member, post: Post) -> dict:
    """The badge card: name, position, post and its stars, unit, photo (with consent), QR to the member's page."""
    return {**_shown(post, member),
            "photo": member.photo.variants()[0][1] if member.photo else None,  # the smallest: ~700 dpi at 17 mm
            "qr": model.settings.base_url + member.url}


def desk_data(model: Model, member: Member, post: Post) -> dict:
    """A member's desk sign: what the badge shows (without the photo) and the member's pledge at the post."""
    return {**_shown(post, member), "pledge": member.pledge_at(post), "qr": model.settings.base_url + member.url,
            "organisation": model.settings.organisation["name"]}


def window_desk_data(model: Model, post: Post, qr: str) -> dict:
    """A window's desk sign: the window, its stars and unit, the complaint phone, QR to the post's short address."""
    return {**_shown(post), "pledge": None, "qr": qr, "organisation": model.settings.organisation["name"]}


# -- how much fits (the layouts are in templates/static/badges.css; tests/test_badges.py renders the limits) --

def lines(text: str | None, size: float, width: float) -> int:
    """How many lines ``text`` takes at ``size`` (rem) in a column ``width`` rem wide."""
    if not text:
        return 0
    return max(1, math.ceil(text_width(text) * size / width - 1e-9))


# level: (name size, text size, unit size, line height of the texts, photo width) in rem; 1rem = 7 pt on the card
BADGE_LAYOUTS = {
    0: (2.1, 1.0, .9, 1.3, 6.4),
    1: (1.7, .95, .85, 1.28, 6.0),
    2: (1.4, .88, .8, 1.22, 5.4),
    3: (1.2, .8, .74, 1.18, 4.8),
    4: (1.05, .74, .7, 1.12, 4.4),
}
BADGE_WIDTH = 34.7 - 2.4 - 7.6  # the card less its padding and the QR column (rem)
BADGE_ROOM = 12.6  # the body's height (rem): the card less padding, header and foot


def badge_density(data: dict) -> int:
    for level, (name, text, unit, leading, photo) in BADGE_LAYOUTS.items():
        width = BADGE_WIDTH - (photo + .7 if data["photo"] else 0)
        height = (lines(data["name"], name, width) * name * 1.18
                  + (lines(data["position"], text, width) + lines(data["post"]["name"], text, width)) * text * leading
                  + lines(data["unit"]["name"], unit, width) * unit * leading + .45)
        if height <= BADGE_ROOM:
            return level
    return 4


# level: (name size, text size, pledge size) in rem; 1rem = 12 pt on A4
DESK_LAYOUTS = {0: (5.2, 1.45, 1.7), 1: (4.2, 1.35, 1.55), 2: (3.3, 1.25, 1.4), 3: (2.6, 1.15, 1.3),
                4: (2.1, 1.05, 1.15)}
DESK_WIDTH = 53.8  # the text column of a panel (rem): 297 mm less the margins and the QR code
DESK_ROOM = 20.5  # the text column's height (rem): half the page less the margins and the imprint
SLOGAN = 22  # the width of the window sign's slogan (badge_slogan) in the interface language, about


def desk_density(data: dict) -> int:
    if data["name"]:  # a member's sign: the name large, then position and post, the pledge, unit and phone
        title, sub, foot = data["name"], f'{data["position"]}　{data["post"]["name"]}', data["unit"]["name"]
        pledge = text_width(data["pledge"]) + 2
    else:  # a window's: the window's name large, then the unit, the slogan, the phone
        title, sub, foot, pledge = data["post"]["name"], data["unit"]["name"], "", SLOGAN
    foot = foot + ("　投诉电话 " + data["phone"] if data["phone"] else "")  # a post may have no phone
    foot_height = lines(foot, 1.1, DESK_WIDTH) * 1.6 + .5 if foot else 0
    for level, (name, text, pledge_size) in DESK_LAYOUTS.items():
        height = (1.9 + .2 + lines(title, name * 1.08, DESK_WIDTH) * name * 1.15  # the name: letter-spacing .08em
                  + .15 + lines(sub, text, DESK_WIDTH) * text * 1.35
                  + .5 + math.ceil(pledge * pledge_size / DESK_WIDTH) * pledge_size * 1.35 + foot_height)
        if height <= DESK_ROOM:
            return level
    return 4


# -- the A4 sheet of badge cards --------------------------------------------------------------------------

A4 = Paper(210, 297, "A4")
MARK_GAP = 2.0  # mm between the cards and a crop mark: the marks stay off the cards
MARK_LENGTH = 5.0
EDGE = 4.0  # what most printers cannot print at the paper's edge (mm)


@dataclass(frozen=True)
class SheetGrid:
    """Cards butted together in a block centred on the sheet (each cut serves two cards: no bleed, so the
    cards keep their colour off the edges), crop marks in the margin at the end of every cut line."""

    sheet: Paper
    card: Paper
    cols: int
    rows: int

    @property
    def per_sheet(self) -> int:
        return self.cols * self.rows

    @property
    def left(self) -> float:
        return round((self.sheet.width - self.cols * self.card.width) / 2, 2)

    @property
    def top(self) -> float:
        return round((self.sheet.height - self.rows * self.card.height) / 2, 2)

    @property
    def right(self) -> float:
        return round(self.left + self.cols * self.card.width, 2)

    @property
    def bottom(self) -> float:
        return round(self.top + self.rows * self.card.height, 2)

    def cells(self) -> list[tuple[float, float]]:
        """The top-left corner of each card (mm), row by row."""
        return [(round(self.left + c * self.card.width, 2), round(self.top + r * self.card.height, 2))
                for r in range(self.rows) for c in range(self.cols)]

    def marks(self) -> list[tuple[float, float, float, float]]:
        """Crop marks (x1, y1, x2, y2 in mm): both ends of every vertical and horizontal cut, outside the cards."""
        out = []
        near, far = MARK_GAP, MARK_GAP + MARK_LENGTH
        for c in range(self.cols + 1):
            x = round(self.left + c * self.card.width, 2)
            out += [(x, self.top - far, x, self.top - near), (x, self.bottom + near, x, self.bottom + far)]
        for r in range(self.rows + 1):
            y = round(self.top + r * self.card.height, 2)
            out += [(self.left - far, y, self.left - near, y), (self.right + near, y, self.right + far, y)]
        return [tuple(round(v, 2) for v in m) for m in out]

    def marks_path(self) -> str:
        """The crop marks as one SVG path, in millimetres."""
        return " ".join(f"M{format_mm(x1)} {format_mm(y1)}L{format_mm(x2)} {format_mm(y2)}"
                        for x1, y1, x2, y2 in self.marks())

    def label_box(self) -> tuple[float, float, float]:
        """Where the sheet's label goes (left, top, width in mm): above the first card, level with the crop
        marks and between the first two of them."""
        return round(self.left + 3, 2), round(self.top - MARK_GAP - MARK_LENGTH + 1, 2), round(self.card.width - 6, 2)


def sheet_grid(card: Paper) -> SheetGrid:
    """The A4 sheet (portrait or landscape, whichever holds more) for cards of ``card``'s size: ten CR80
    cards on portrait A4."""
    margin = EDGE + MARK_GAP + MARK_LENGTH
    best = None
    for sheet in (A4, Paper(A4.height, A4.width, "A4")):
        cols = int((sheet.width - 2 * margin) // card.width)
        rows = int((sheet.height - 2 * margin) // card.height)
        if best is None or cols * rows > best.per_sheet:
            best = SheetGrid(sheet, card, cols, rows)
    return best
