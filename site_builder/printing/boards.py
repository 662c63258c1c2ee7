"""Printed boards: what each board shows, derived from the model (its pages: pages/print_pages.py).

What gets printed (docs/printing.md):

=============  ======================  ========  =================================  ==============
kind           what                    one per   address in the built site          default paper
=============  ======================  ========  =================================  ==============
``board``      公示榜 public board      post      ``print/posts/<id>/board/``        A3 portrait
``plaque``     创建牌 plaque            post      ``print/posts/<id>/plaque/``       A4 landscape
``card``       定标公示卡 standard card  member    ``print/members/<id>/card/``       A5 portrait
``records``    对标记录卡 record card    member    — (PDF only: personnel file)       A4 portrait
``evaluation`` 达标评议卡 evaluation     member    — (PDF only: personnel file)       A4 portrait
``badge``      胸牌 badge card          member    — (PDF only; also 10 to an A4 sheet) 85.6 × 54 mm
``desk``       桌牌 desk sign           member    — (PDF only)                        A4 landscape
``window-desk`` 窗口桌牌 window's sign   post      ``print/posts/<id>/window-desk/``  A4 landscape
=============  ======================  ========  =================================  ==============

The badge card and the desk signs are in printing/badges.py.

Every board is built from a plain ``data`` dict holding exactly what the board shows; its
fingerprint is a hash of that dict (and the interface language), so two builds of unchanged data
give the same fingerprint and any change to what the board shows gives a new one. The "as of" date
printed beside it is the latest evaluated month (never the wall clock) and is not part of the
fingerprint: a board stays current for as long as what it shows does not change.

Each post also gets a stable short address ``p/<id>/`` (the plaque's QR code) and
``p/<id>/feedback/`` (the board's QR code): for a live post they send the visitor on to the post
page; for a revoked post they say so and still list the complaint phone and feedback channels.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from dataclasses import dataclass, field
from typing import Iterator

from markupsafe import Markup

from .. import memo
from ..memo import memoized
from ..model.build import Member, Model, Post, Settings, Unit
from ..model.stars import REVOKED, month_of
from ..content.paper import KINDS, MEMBER_KINDS, Kind, Paper, format_mm, parse_paper, text_width
from . import badges

FINGERPRINT_VERSION = 1


SERIF = ("Noto Serif CJK SC", "Source Han Serif SC", "Source Han Serif CN", "Songti SC", "SimSun")
SANS = ("Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN", "PingFang SC", "Microsoft YaHei")
FONT_FACE = "site-builder-print"  # the family name given to a configured font file (PDF only)


@dataclass(frozen=True)
class PrintSettings:
    """site.yaml ``print:`` with the defaults filled in."""

    papers: dict[str, Paper]
    font: str | None  # a font family everything is set in (fontconfig name)
    font_file: str | None  # relative to the site folder; used by `site-builder pdf`
    rec: object = None  # the Rec, for positions in messages

    @classmethod
    def of(cls, settings: Settings) -> "PrintSettings":
        rec = getattr(settings, "print", None) or {}
        sizes = rec.get("sizes") or {}
        papers = {name: parse_paper(sizes.get(name) or kind.default) for name, kind in KINDS.items()}
        return cls(papers, rec.get("font"), rec.get("font_file"), rec or None)

    def stacks(self, face: bool = False) -> tuple[str, str]:
        """CSS font-family lists (serif, sans); ``face`` puts the configured font file first."""
        first = ([FONT_FACE] if face and self.font_file else []) + ([self.font] if self.font else [])
        serif = ", ".join(f'"{f}"' for f in (*first, *SERIF)) + ", serif"
        sans = ", ".join(f'"{f}"' for f in (*first, *SANS)) + ", sans-serif"
        return serif, sans


# -- boards ---------------------------------------------------------------------------------------------

@dataclass(eq=False)
class Board:
    kind: Kind
    id: str  # the post's or the member's id
    unit: Unit
    post: Post
    member: Member | None
    data: dict  # exactly what the board shows (besides interface strings)
    lang: str
    as_of: str | None  # YYYY-MM: the latest evaluated month (None while the post has no evaluation)
    density: int = 0  # 0 roomy … 4 tight: a layout class chosen from the amount of text
    fingerprint: str = field(init=False)
    # a stable digest of everything the board holds (the full hash its fingerprint is cut from, its key,
    # the "as of" month, the layout): equal digests, equal boards, but for the model objects it names
    # (``unit``, ``post``, ``member``: compared on their own). For comparing pages cheaply (incremental/)
    digest: str = field(init=False, repr=False)
    TRACKING_DIGEST = "digest"  # (a class attribute, not a field) incremental/tracking.py hashes a board as it
    # the post of a member's wall board when the member serves at several posts (a card for each)
    slot: str | None = field(init=False, default=None)
    # a card of a member who did not consent to publication: for the personnel file only (内部存档，不公开)
    internal: bool = field(init=False, default=False)

    # the digest of ``data`` (:func:`_content_digest`) when the maker knows it (:func:`make_board`), else worked out
    content: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        content = self.content or _content_digest(self.kind.name, self.data, self.lang)
        self.fingerprint = _short(content)
        if self.member is not None:
            self.internal = not self.member.consent["public"]
            if self.kind.wall and len(self.member.posts) > 1:
                self.slot = self.post.id
        self.digest = f"{content} {self.key} {self.url} {self.post.id} {self.unit.id} {self.as_of} {self.density}"

    @property
    def key(self) -> str:
        key = f"{self.kind.name}:{self.id}" + (f":{self.slot}" if self.slot else "")
        # an internal copy is another board than the wall card it replaces (that one comes down)
        return key + (":internal" if self.internal and self.kind.wall else "")

    @property
    def url(self) -> str | None:
        return board_address(self.kind, self.post, self.member)

    @property
    def filename(self) -> str:
        return f"{self.id}-{self.slot}-{self.kind.name}.pdf" if self.slot else f"{self.id}-{self.kind.name}.pdf"

    @property
    def personnel_file(self) -> bool:
        """Printed for the member's personnel file (存入党员档案), never for a wall: the record and evaluation
        cards, and every card of a member who did not consent to publication."""
        return self.internal or not self.kind.wall

    @property
    def name(self) -> str:
        return self.member.name if self.member is not None else self.post.name

    def qr_code(self) -> Markup:
        """The board's QR code as inline SVG; made when the page is rendered (a rebuild that skips an
        unchanged page never makes it: a code takes ~5 ms)."""
        return qr_svg(self.data["qr"])


def board_address(kind: Kind, post: Post, member: Member | None = None) -> str | None:
    """The address of the print page of the ``kind`` board of ``post`` (and ``member``), known without making the
    board: None for a kind printed only as a PDF, and for the internal copy of a card (a member who did not
    consent). A member at several posts has a wall card for each, under the post's id (:attr:`Board.slot`)."""
    if member is None:
        return f"print/posts/{post.id}/{kind.name}/" if kind.in_site else None
    if not kind.in_site or not member.consent["public"]:
        return None
    return f"print/members/{member.id}/{kind.name}/" + (f"{post.id}/" if kind.wall and len(member.posts) > 1 else "")


def fingerprint(kind: str, data: dict, lang: str) -> str:
    """A short hash of what a board shows: ``1A2B-3C4D``."""
    return _short(_content_digest(kind, data, lang))


def _content_digest(kind: str, data: dict, lang: str) -> str:
    """The SHA-256 (hex) of what a board shows, as JSON with sorted keys: the fingerprint is its start."""
    blob = _JSON.encode({"v": FINGERPRINT_VERSION, "kind": kind, "lang": lang, "data": data})
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _short(digest: str) -> str:
    short = digest[:8].upper()
    return f"{short[:4]}-{short[4:]}"


def _plain(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"not plain data: {type(value).__name__}")


# what json.dumps(sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_plain) makes, without
# making an encoder for each board, nor looking for cycles (a board's data is a tree made above): 15 % faster
_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_plain,
                         check_circular=False)


def short_url(post: Post, feedback: bool = False) -> str:
    return f"p/{post.id}/feedback/" if feedback else f"p/{post.id}/"


def board_as_of(model: Model, post: Post) -> str | None:
    """The "as of" month printed on a post's boards and its members' cards: none while no month's scores
    count for the post (a post approved after the latest evaluation is not "as of" an older month)."""
    return data_month(model) if post.evaluated else None


def data_month(model: Model) -> str | None:
    """The "as of" month of every board: the latest evaluated month, else the latest approval."""
    if model.as_of:
        return model.as_of
    approvals = [p.approval["date"] for p in model.posts if p.approval]
    return month_of(max(approvals)) if approvals else None


def _photo(member: Member) -> str | None:
    return member.photo.variants()[-1][1] if member.photo else None


def _feedback(post: Post) -> dict:
    fb = post.feedback
    return {"book": fb["book"], "phone": fb["phone"], "form": fb.get("form"), "email": fb.get("email")}


def board_data(model: Model, post: Post) -> dict:
    s = model.settings
    return {
        "post": {"name": post.name, "kind": post.kind, "location": post.location},
        "unit": {"name": post.unit.name, "branch": post.unit.branch},
        "stars": post.stars, "status": post.status, **_unevaluated(post),
        "approval": {"date": post.approval["date"], "number": post.approval["number"]},
        "members": [{"name": m.name, "position": m.position, "pledge": m.pledge_at(post), "roles": list(m.roles),
                     "photo": _photo(m)} for m in post.members],
        "feedback": _feedback(post),
        "qr": s.base_url + short_url(post, feedback=True),
        "organisation": s.organisation["name"],
    }


def plaque_data(model: Model, post: Post) -> dict:
    s = model.settings
    return {
        "post": {"name": post.name, "kind": post.kind},
        "unit": {"name": post.unit.name, "branch": post.unit.branch},
        "stars": post.stars, "status": post.status, **_unevaluated(post),
        "approval": {"date": post.approval["date"], "number": post.approval["number"]},
        "phone": post.feedback["phone"],
        "qr": s.base_url + short_url(post),
        "organisation": s.organisation["name"],
    }


def _unevaluated(post: Post) -> dict:
    """``evaluated: false`` while no month's scores count for the post: its boards say 尚无考评, not 0 星
    (absent otherwise, so that the fingerprints of evaluated posts' boards stay as they were)."""
    return {} if post.evaluated else {"evaluated": False}


def _member_head(member: Member, post: Post | None = None) -> dict:
    """Who the card is about: at ``post`` (a standard card), else at every post (the personnel-file cards)."""
    at = post or member.post
    head = {"name": member.name, "position": member.position,
            "post": {"name": at.name, "kind": at.kind},
            "unit": {"name": at.unit.name, "branch": at.unit.branch}}
    if post is None and len(member.public_posts) > 1:
        head["posts"] = [{"name": p.name, "kind": p.kind, "unit": p.unit.name} for p in member.public_posts]
    if not member.consent["public"]:
        head["internal"] = True  # 内部存档，不公开: printed on the card
    return head


def card_data(model: Model, member: Member, post: Post | None = None) -> dict:
    std = member.standard
    post = post or member.post
    return {
        **_member_head(member, post),
        "pledge": member.pledge_at(post), "roles": list(member.roles),
        "standard": list(std["items"]), "stage": member.stage,
        "dates": {k: std.get(k) for k in ("proposed", "comment_from", "comment_until", "set")},
        "organisation": model.settings.organisation["name"],
    }


def records_data(model: Model, member: Member) -> dict:
    return {
        **_member_head(member),
        "standard": list(member.standard["items"]), "set": member.standard.get("set"),
        # a record is on the website only when the member consented to publication
        "records": [{"date": r["date"], "text": r["text"], "public": r["public"] and member.consent["public"]}
                    for r in sorted(member.records, key=lambda r: r["date"])],
        "organisation": model.settings.organisation["name"],
    }


def evaluation_data(model: Model, member: Member) -> dict:
    return {
        **_member_head(member),
        "assessments": [{k: a.get(k) for k in ("period", "date", "self", "public", "organisation", "result",
                                                  "remarks")}
                        for a in sorted(member.assessments, key=lambda a: a["date"])],
        "organisation": model.settings.organisation["name"],
    }


# -- how much fits: a layout class by the amount of text (WeasyPrint has no auto-fit) -----------------

# The longest name and position each layout of the public board holds when it is full (2, 4, 6, 9
# members) with 40-character pledges, a 60-character post and unit name and an 80-character
# feedback-book line, as measured with WeasyPrint. Longer texts take the next layout, which holds
# the members of the previous one with texts at their limits (tests/test_pdf.py renders the cases).
BOARD_LIMITS = {0: (12, 30), 1: (12, 20), 2: (8, 16), 3: (6, 12)}


def board_density(data: dict) -> int:
    members = data["members"]
    n = len(members)
    level = 0 if n <= 2 else 1 if n <= 4 else 2 if n <= 6 else 3 if n <= 9 else 4
    if level < 4 and (_wider_than([m["name"] for m in members], BOARD_LIMITS[level][0])
                      or _wider_than([m["position"] for m in members], BOARD_LIMITS[level][1])):
        level += 1
    return level


def _wider_than(texts: list[str], limit: float) -> bool:
    """Whether a text is wider than ``limit`` em. No character is wider than 1 em (``text_width``), so a text of
    at most ``limit`` characters is not measured: most names and positions."""
    return any(len(text) > limit and text_width(text) > limit for text in texts)


def plaque_density(data: dict) -> int:
    n = len(data["post"]["name"]) + len(data["unit"]["name"]) // 3
    return 0 if n <= 16 else 1 if n <= 28 else 2 if n <= 44 else 3


# The standard card: for each layout, the size of a standard item (rem) and the room the list has
# (rem) under the longest heading texts; an item takes ⌈width / characters per line⌉ lines.
CARD_LAYOUTS = {  # level: (font size, line height, gap between items, room for the list)
    0: (1.2, 1.5, .4, 17), 1: (.98, 1.5, .25, 17), 2: (.88, 1.42, .15, 19), 3: (.78, 1.38, .08, 22),
}
CARD_TEXT_WIDTH = 35  # rem: the width of a standard item's text on A5


def card_density(data: dict) -> int:
    items = data["standard"]
    # No character is wider than 1 em (text_width): items that fit the roomiest layout when each is as wide as
    # it is long fit it as they are (each takes as many lines or fewer), and most do: they are not measured.
    if _card_height(0, [len(item) for item in items]) <= CARD_LAYOUTS[0][3]:
        return 0
    widths = [text_width(item) for item in items]
    for level, (size, leading, gap, room) in CARD_LAYOUTS.items():
        if _card_height(level, widths) <= room:
            return level
    return 4


def _card_height(level: int, widths: list[float]) -> float:
    """The height (rem) of standard items ``widths`` em wide in the card's layout ``level``."""
    size, leading, gap, _ = CARD_LAYOUTS[level]
    per_line = CARD_TEXT_WIDTH / size
    return sum(math.ceil(width / per_line) * size * leading + gap for width in widths)


def records_density(data: dict) -> int:
    text = sum(len(r["text"]) for r in data.get("records", [])) + sum(
        len(a.get("remarks") or "") + 30 for a in data.get("assessments", []))
    return 0 if text <= 1200 else 1


def post_boards(model: Model, post: Post) -> list[Board]:
    """The public board and the plaque of a live post (a revoked post's boards come down), and a window's desk
    sign."""
    return [make_board(model, kind, post) for kind in post_board_kinds(post)]


BOARDS_RECENT = 512  # (a unit's boards, for its list of them: a post's two or three, and each member's cards)


def make_board(model: Model, kind: str, post: Post, member: Member | None = None) -> Board:
    """The ``kind`` board of ``post`` (of ``member`` at ``post``, for a member's kind)."""
    data, density, content = board_content(model, kind, post, member)
    return Board(KINDS[kind], post.id if member is None else member.id, post.unit, post, member, data,
                 model.settings.language, board_as_of(model, post), density, content=content)


@memo.derived("print.board", recent=BOARDS_RECENT)
def board_content(model: Model, kind: str, post: Post, member: Member | None) -> tuple[dict, int, str]:
    """What the ``kind`` board shows, its layout density and the digest of what it shows. Made where the pages
    that show the board are rendered (its print page, its unit's list of boards, its post's page), not when the
    pages are listed: a city's boards were ~130 MiB in the page list at 10,000 posts, shared by the rendering
    processes until each touched them. While pages are rendered the incremental core keeps the last
    :data:`BOARDS_RECENT` of a process, and each page that shows one reads what it is made of."""
    make, density = _POST_DATA[kind] if member is None else _MEMBER_DATA[kind]
    data = make(model, post) if member is None else make(model, member, post)
    return data, density(data), _content_digest(kind, data, model.settings.language)


def post_board_kinds(post: Post) -> list[str]:
    """The kinds of a post's boards: the public board and the plaque of a live post, and a window's desk sign."""
    if not post.public or post.status == REVOKED:
        return []
    return ["board", "plaque"] + (["window-desk"] if post.kind == "window" else [])


_POST_DATA = {  # kind → (what the board shows, its layout density)
    "board": (board_data, board_density),
    "plaque": (plaque_data, plaque_density),
    "window-desk": (lambda model, post: badges.window_desk_data(model, post, model.settings.base_url + short_url(post)),
                    badges.desk_density),
}


def member_board_kinds(member: Member, post: Post, kinds=MEMBER_KINDS, internal: bool = False) -> list[str]:
    """The kinds of a member's boards at ``post`` (see :func:`member_boards`), in print order."""
    if not post.public:
        return []
    live = post.status != REVOKED
    out = ["card"] if "card" in kinds and (member.public or internal) and live else []
    if post is member.post:  # the personnel-file cards come once, with the main post
        out += [k for k in ("records", "evaluation") if k in kinds]
    if member.public and live:  # 亮出一个牌子: with consent, at a live post
        out += [k for k in ("badge", "desk") if k in kinds]
    return out


_MEMBER_DATA = {  # kind → (what the board shows, its layout density)
    "card": (card_data, card_density),
    "records": (lambda model, member, post: records_data(model, member), records_density),
    "evaluation": (lambda model, member, post: evaluation_data(model, member), records_density),
    "badge": (badges.badge_data, badges.badge_density),
    "desk": (badges.desk_data, badges.desk_density),
}


def member_boards(model: Model, member: Member, kinds=MEMBER_KINDS, post: Post | None = None,
                  internal: bool = False) -> list[Board]:
    """A member's boards at ``post`` (None: at each approved post they serve at): the standard card of a
    consenting member at a live post; with their main post, the two personnel-file cards. ``internal``
    (``pdf`` only, never the site): also the copy of a non-consenting member's standard card for their
    personnel file, marked 内部存档，不公开."""
    if post is None:
        return [b for p in member.public_posts for b in member_boards(model, member, kinds, p, internal)]
    return [make_board(model, kind, post, member) for kind in member_board_kinds(member, post, kinds, internal)]


def personnel(model: Model) -> list[Member]:
    """Every member of an approved post, consenting or not: their cards go into the personnel file."""
    everyone = getattr(model, "all_members", None) or model.members
    return [m for m in everyone if m.post.public]


def unit_posts(unit: Unit) -> list[Post]:
    return sorted(unit.posts, key=lambda p: (p.status == REVOKED, p.id))


def members_by_post(model: Model) -> dict[str, tuple[Member, ...]]:
    """Post id → everyone serving there (a member at two posts under both), in board order: the model's
    ``staff``, worked out with its posts' public members (sorting a city's members again for each asker cost
    0.2 s of every build at 10,000 posts)."""
    return model.staff


# member boards made only for a consenting member at a live post (member_board_kinds): such a member at a post is one
# of its own public members (``Post.members``); the personnel-file cards go to everyone, at their main post
_PUBLIC_MEMBER_KINDS = frozenset({"card", "badge", "desk"})
PERSONNEL_KINDS = frozenset(MEMBER_KINDS) - _PUBLIC_MEMBER_KINDS


def unit_board_count(unit: Unit, kinds=tuple(KINDS), members: dict | None = None) -> int:
    """How many boards :func:`unit_boards` makes (without making them). The boards of consenting members are
    counted from each post's own members, so only the personnel-file cards (:data:`PERSONNEL_KINDS`) need
    ``members``, everyone serving at each post (:func:`members_by_post`): a city's print index reads its posts,
    not all of its members, when it lists none of those."""
    public = len([k for k in MEMBER_KINDS if k in kinds and k in _PUBLIC_MEMBER_KINDS])
    personnel = len([k for k in MEMBER_KINDS if k in kinds and k in PERSONNEL_KINDS])
    return sum(len([k for k in post_board_kinds(post) if k in kinds])
               + (public * len(post.members) if post.public and post.status != REVOKED else 0)
               + (personnel * sum(m.post is post for m in (members or {}).get(post.id, ())) if post.public else 0)
               for post in unit.posts)


def unit_boards(model: Model, unit: Unit, kinds=tuple(KINDS), members: dict | None = None,
                internal: bool = False) -> list[Board]:
    """A unit's boards in print order: for each post its board, plaque, then its members' cards
    (``internal``: with the internal copies, for ``pdf``; see :func:`member_boards`)."""
    members = members_by_post(model) if members is None else members
    return [make_board(model, *which) for which in unit_board_list(unit, kinds, members, internal)]


def unit_board_list(unit: Unit, kinds, members: dict,
                    internal: bool = False) -> Iterator[tuple[str, Post, Member | None]]:
    """(kind, post, member or None) of each of :func:`unit_boards`, in its order, without making the boards (a
    unit's print pages are listed from these: pages/print_pages.py). ``members``: everyone serving at each
    post (:func:`members_by_post`)."""
    member_kinds = tuple(k for k in MEMBER_KINDS if k in kinds)
    for post in unit_posts(unit):
        yield from ((kind, post, None) for kind in post_board_kinds(post) if kind in kinds)
        for m in members.get(post.id, ()):
            yield from ((kind, post, m) for kind in member_board_kinds(m, post, member_kinds, internal))


def all_boards(model: Model, kinds=tuple(KINDS)) -> list[Board]:
    """Every board ``pdf`` makes, the internal copies for personnel files included."""
    members = members_by_post(model)
    return [b for unit in model.units for b in unit_boards(model, unit, kinds, members, internal=True)]


# -- what print pages show ----------------------------------------------------------------------------------------------

@memoized("boards.qr_svg")
def qr_svg(url: str) -> Markup:
    """The QR code of ``url`` as inline SVG (black on white, four modules of quiet zone).

    Encoded by zxing-cpp (its writer is libzint: the smallest version for error correction level M,
    the mask chosen by the standard's penalty rules) in about 0.5 ms; segno, pure Python, took 8–25 ms
    a code, half the render time of a clean build's print pages.
    """
    import zxingcpp  # (here: a build whose codes are all remembered, a warm one, does not load it: ~4 ms)
    code = zxingcpp.create_barcode(url, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    matrix = memoryview(code.to_image(scale=1, add_quiet_zones=False))
    rows, cols = matrix.shape
    pixels = matrix.tobytes()  # one byte a module, 0 dark
    size = cols + 2 * QR_QUIET_ZONE
    runs = []
    for y in range(rows):
        row = pixels[y * cols:(y + 1) * cols]
        x = 0
        while x < cols:
            if row[x]:  # light
                x += 1
                continue
            start = x
            while x < cols and not row[x]:
                x += 1
            runs.append(f"M{start + QR_QUIET_ZONE} {y + QR_QUIET_ZONE}.5h{x - start}")
    return Markup(f'<svg viewBox="0 0 {size} {size}" class="qr-code"><path fill="#fff" d="M0 0h{size}v{size}h-{size}z"/>'
                  f'<path stroke="#000" d="{"".join(runs)}"/></svg>')


QR_QUIET_ZONE = 4  # modules of white round the code, as the standard asks


def sheet_css(board: Board, prints: PrintSettings, face_src: str | None = None) -> Markup:
    """The per-board part of the print CSS: page size, sheet size, type scale, fonts.

    Built here from validated settings (sizes are numbers, font names were checked by the schema), so
    it can go into a <style> element unescaped.
    """
    paper = prints.papers[board.kind.name]
    serif, sans = prints.stacks(face=face_src is not None)
    rules = _font_face(face_src)
    if board.kind.wall:
        # a white margin all round (printers cannot print to the edge; nothing is cut: bleed-safe); a card or
        # a desk sign keeps its own margins inside the page
        margin = board.kind.margin
        if margin is None:
            margin = max(6.0, round(min(paper.width, paper.height) * 0.035, 1))
        rules.append(f":root {{ --serif: {serif}; --sans: {sans}; --margin: {format_mm(margin)}mm; }}")
        rules.append(f"@page {{ size: {paper.css}; margin: {format_mm(margin)}mm; }}")
        # a hair shorter than the page area, so that rounding in a browser never makes a second page
        height = format_mm(paper.height - 2 * margin - 0.5)  # (--sheet-height: for layouts without flex boxes)
        rules.append(f".sheet {{ width: {format_mm(paper.width - 2 * margin)}mm; min-height: {height}mm; "
                     f"--sheet-height: {height}mm; }}")
    else:
        rules.append(f":root {{ --serif: {serif}; --sans: {sans}; --margin: 15mm; }}")
        rules.append(f"@page {{ size: {paper.css}; margin: 15mm 15mm 18mm; @bottom-right {{ content: "
                     f'counter(page) " / " counter(pages); font-family: {sans}; font-size: 8pt; color: #5b554c; }} }}')
        rules.append(f".sheet {{ width: {format_mm(paper.width - 30)}mm; }}")
    rules.append(_root_size(board.kind, paper))
    return Markup("\n".join(rules))


def cards_sheet_css(kind: Kind, grid: badges.SheetGrid, prints: PrintSettings, face_src: str | None = None) -> Markup:
    """The print CSS of the sheets of small cards (the badge cards, ``grid``): page, fonts, the cards' scale."""
    serif, sans = prints.stacks(face=face_src is not None)
    card = grid.card
    return Markup("\n".join(_font_face(face_src) + [
        f":root {{ --serif: {serif}; --sans: {sans}; --margin: 0mm; }}",
        f"@page {{ size: {grid.sheet.css}; margin: 0; }}",
        f".cards-sheet {{ width: {format_mm(grid.sheet.width)}mm; height: {format_mm(grid.sheet.height)}mm; }}",
        f".cards-sheet .cell {{ width: {format_mm(card.width)}mm; height: {format_mm(card.height)}mm; "
        f"--sheet-height: {format_mm(card.height)}mm; }}",
        _root_size(kind, card)]))


def _font_face(face_src: str | None) -> list[str]:
    return [] if face_src is None else [f'@font-face {{ font-family: "{FONT_FACE}"; src: url("{face_src}"); }}']


def _root_size(kind: Kind, paper: Paper) -> str:
    """1rem: the kind's size at its design paper, scaled to the paper used."""
    dw, dh = kind.design
    return f"html {{ font-size: {round(kind.root_pt * min(paper.width / dw, paper.height / dh), 2)}pt; }}"
