#!/usr/bin/env python3
"""Draw the illustrations used by the sample site in content/ (no photographs, no real people).

    python scripts/make_sample_images.py

Writes
  content/images/members/<member-id>.jpg   neutral head-and-shoulders avatars (600 x 800), one for
                                           every `photo: images/members/...` line in content/members/
  content/images/stories/*.jpg             flat-colour scenes for the sample stories (1200 x 800)

Everything is derived from fixed numbers and from the member ids, so every run writes the same
bytes (for a given Pillow build). One story image, qiangxiu-yejian.jpg, deliberately carries EXIF
with camera and GPS tags, so that the builder's metadata stripping can be tested on it.
Only Pillow is needed.
"""

from __future__ import annotations

import hashlib
import math
import re
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ExifTags

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
SS = 2  # supersampling factor: draw large, then scale down for smooth edges

# --- small helpers -----------------------------------------------------------------------------


def rgb(hex_colour: str) -> tuple[int, int, int]:
    hex_colour = hex_colour.lstrip("#")
    return tuple(int(hex_colour[i:i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]


def mix(a, b, t: float):
    a, b = (rgb(a) if isinstance(a, str) else a), (rgb(b) if isinstance(b, str) else b)
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b))


def seeded(*parts: str) -> int:
    return int.from_bytes(hashlib.sha256("|".join(parts).encode()).digest()[:8], "big")


class Canvas:
    """A supersampled drawing surface with coordinates in final-image pixels."""

    def __init__(self, w: int, h: int, background):
        self.w, self.h = w, h
        self.img = Image.new("RGB", (w * SS, h * SS), rgb(background) if isinstance(background, str) else background)
        self.d = ImageDraw.Draw(self.img)

    @staticmethod
    def _c(colour):
        return rgb(colour) if isinstance(colour, str) else colour

    def rect(self, x0, y0, x1, y1, fill, r=0):
        box = [x0 * SS, y0 * SS, x1 * SS, y1 * SS]
        if r:
            self.d.rounded_rectangle(box, radius=r * SS, fill=self._c(fill))
        else:
            self.d.rectangle(box, fill=self._c(fill))

    def ellipse(self, x0, y0, x1, y1, fill):
        self.d.ellipse([x0 * SS, y0 * SS, x1 * SS, y1 * SS], fill=self._c(fill))

    def circle(self, cx, cy, r, fill):
        self.ellipse(cx - r, cy - r, cx + r, cy + r, fill)

    def poly(self, points, fill):
        self.d.polygon([(x * SS, y * SS) for x, y in points], fill=self._c(fill))

    def line(self, points, fill, width):
        self.d.line([(x * SS, y * SS) for x, y in points], fill=self._c(fill), width=round(width * SS))

    def pieslice(self, x0, y0, x1, y1, start, end, fill):
        self.d.pieslice([x0 * SS, y0 * SS, x1 * SS, y1 * SS], start, end, fill=self._c(fill))

    def vgradient(self, x0, y0, x1, y1, top, bottom, bands=24):
        """A banded vertical gradient (flat-illustration style)."""
        step = (y1 - y0) / bands
        for i in range(bands):
            self.rect(x0, y0 + i * step, x1, y0 + (i + 1) * step + 1, mix(top, bottom, i / (bands - 1)))

    def star(self, cx, cy, r, fill, rotation=-90):
        pts = []
        for i in range(10):
            rad = r if i % 2 == 0 else r * 0.4
            a = math.radians(rotation + i * 36)
            pts.append((cx + rad * math.cos(a), cy + rad * math.sin(a)))
        self.poly(pts, fill)

    def image(self) -> Image.Image:
        return self.img.resize((self.w, self.h), Image.Resampling.LANCZOS)


def save(img: Image.Image, path: Path, exif: bytes | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    kwargs = dict(format="JPEG", quality=84, optimize=True, progressive=False, subsampling="4:2:0")
    if exif is not None:
        kwargs["exif"] = exif
    img.save(path, **kwargs)
    size = path.stat().st_size
    assert size < 150_000, f"{path} is {size} bytes"
    print(f"{path.relative_to(ROOT)}  {img.width}x{img.height}  {size // 1024} KB")


# --- shared props ------------------------------------------------------------------------------

RED, GOLD = "#c8242b", "#f6c945"


def red_flag(c: Canvas, x, y, w, h, pole="#8a8f98"):
    """A small red flag with five gold stars on a pole whose foot is at (x, y + h * 1.9)."""
    c.rect(x - 3, y, x + 3, y + h * 1.9, pole)
    c.circle(x, y - 2, 6, GOLD)
    c.rect(x + 3, y + 2, x + 3 + w, y + 2 + h, RED)
    c.star(x + 3 + w * 0.2, y + 2 + h * 0.3, h * 0.17, GOLD)
    for i, (dx, dy) in enumerate([(0.36, 0.12), (0.42, 0.24), (0.42, 0.4), (0.36, 0.52)]):
        c.star(x + 3 + w * dx, y + 2 + h * dy, h * 0.06, GOLD, rotation=-90 + 20 * i)


def text_bars(c: Canvas, x, y, widths, h, colour, gap=None):
    """Rounded bars standing in for lines of text (the illustrations carry no writing)."""
    gap = gap or h * 0.8
    for i, w in enumerate(widths):
        c.rect(x, y + i * (h + gap), x + w, y + i * (h + gap) + h, colour, r=h / 2)


def figure(c: Canvas, cx, base, scale, body, head="#3d4a5c", hair=None, back=False):
    """An abstract standing/sitting person: rounded torso and a round head, no face."""
    s = scale
    c.rect(cx - 46 * s, base - 120 * s, cx + 46 * s, base, body, r=40 * s)
    c.circle(cx, base - 160 * s, 34 * s, head)
    if hair:
        c.pieslice(cx - 36 * s, base - 197 * s, cx + 36 * s, base - 123 * s, 180, 360, hair)
    if not back:
        c.poly([(cx - 14 * s, base - 120 * s), (cx + 14 * s, base - 120 * s), (cx, base - 96 * s)], "#f4f1ea")


def plant(c: Canvas, x, base, s=1.0):
    c.rect(x - 22 * s, base - 44 * s, x + 22 * s, base, "#b9704a", r=6 * s)
    for dx, dy, r in [(-18, -70, 26), (16, -78, 28), (0, -104, 30), (-4, -60, 22)]:
        c.circle(x + dx * s, base + dy * s, r * s, "#4f8a5b" if dy % 2 else "#5f9e69")


# --- member avatars ----------------------------------------------------------------------------

BACKGROUNDS = ["#dfe9f3", "#e8e1f0", "#e3efe4", "#f3e7da", "#e0eef0", "#efe4e4", "#e9ecdf", "#e4e6ee"]
CLOTHES = ["#2f4a6d", "#3b5d50", "#54466f", "#6b4a3a", "#34495e", "#7a3b45", "#2e5e73", "#4b5563"]
HEADS = ["#9aa5b4", "#a7a29a", "#8f9baa", "#b0a59a", "#98a39a", "#a49aa8"]
HAIR = ["#3a3f47", "#4a3f38", "#2f3540", "#5a4d44"]


def avatar(member_id: str) -> Image.Image:
    """A neutral, clearly non-photographic head-and-shoulders silhouette, varied by the id."""
    r = seeded("avatar", member_id)
    bg = BACKGROUNDS[r % len(BACKGROUNDS)]
    cloth = CLOTHES[(r >> 8) % len(CLOTHES)]
    head = HEADS[(r >> 16) % len(HEADS)]
    hair = HAIR[(r >> 24) % len(HAIR)]
    style = (r >> 32) % 3  # 0 short, 1 longer, 2 bun
    collar = (r >> 40) % 2  # 0 shirt collar, 1 round neck
    W, H = 600, 800
    c = Canvas(W, H, bg)
    # soft backdrop: a large pale circle and a floor band
    c.circle(W / 2, 330, 250, mix(bg, "#ffffff", 0.45))
    c.rect(0, 690, W, H, mix(bg, "#8899aa", 0.18))
    cx = W / 2
    # hair behind the head for the longer style
    if style == 1:
        c.rect(cx - 112, 250, cx + 112, 520, hair, r=100)
    # shoulders and torso
    c.rect(cx - 255, 548, cx + 255, 920, cloth, r=160)
    # neck
    c.rect(cx - 50, 440, cx + 50, 570, mix(head, "#000000", 0.08), r=30)
    # collar
    if collar == 0:
        c.poly([(cx - 70, 560), (cx, 640), (cx - 18, 680), (cx - 96, 590)], "#f4f1ea")
        c.poly([(cx + 70, 560), (cx, 640), (cx + 18, 680), (cx + 96, 590)], "#f4f1ea")
    else:
        c.pieslice(cx - 74, 500, cx + 74, 640, 0, 180, mix(cloth, "#ffffff", 0.25))
        c.pieslice(cx - 52, 510, cx + 52, 615, 0, 180, mix(head, "#000000", 0.08))
    # head
    c.ellipse(cx - 105, 215, cx + 105, 480, head)
    # hair cap
    c.pieslice(cx - 110, 205, cx + 110, 400, 180, 360, hair)
    if style == 2:
        c.circle(cx, 200, 48, hair)
    # a small red badge on the chest (no lettering)
    c.circle(cx - 130, 660, 18, RED)
    c.circle(cx - 130, 660, 7, GOLD)
    return c.image().filter(ImageFilter.SMOOTH)


def member_photo_ids() -> list[str]:
    ids = []
    for path in sorted((CONTENT / "members").glob("*.yaml")):
        for line in path.read_text(encoding="utf-8").splitlines():
            m = re.match(r"^photo:\s*[\"']?images/members/([a-z0-9-]+)\.jpg[\"']?\s*(#.*)?$", line)
            if m:
                ids.append(m.group(1))
    return ids


# --- story scenes ------------------------------------------------------------------------------

W, H = 1200, 800


def scene_window_counter() -> Image.Image:
    """budongchan-chuangkou: a service window with a flag on the counter."""
    c = Canvas(W, H, "#f3ede2")
    c.rect(0, 0, W, 90, "#e6dccb")
    # window frame and sign band
    c.rect(150, 120, 1050, 560, "#dfe7ee")
    c.rect(150, 120, 1050, 200, "#1f5f99")
    text_bars(c, 200, 146, [260], 28, "#ffffff")
    c.circle(960, 160, 26, GOLD)
    c.star(960, 160, 18, RED)
    # glass partition
    c.rect(170, 220, 1030, 470, "#cfe0ea")
    for x in (450, 750):
        c.rect(x - 4, 220, x + 4, 470, "#b4c6d3")
    # staff behind the counter
    figure(c, 600, 470, 1.15, "#2f4a6d", hair="#3a3f47")
    # monitor
    c.rect(330, 330, 470, 430, "#3b4252", r=8)
    c.rect(342, 342, 458, 418, "#9ec3df", r=4)
    c.rect(392, 430, 408, 470, "#3b4252")
    # counter
    c.rect(100, 470, 1100, 520, "#c98f5a")
    c.rect(100, 520, 1100, 800, "#b57a48")
    c.rect(100, 520, 1100, 534, "#a46b3b")
    # documents and a name plate on the counter
    c.rect(520, 448, 680, 470, "#ffffff", r=3)
    c.rect(760, 436, 900, 470, "#1f5f99", r=4)
    text_bars(c, 774, 446, [110], 12, "#ffffff")
    red_flag(c, 250, 360, 70, 48)
    c.rect(232, 452, 272, 470, "#8a8f98", r=4)
    # citizen seen from behind in the foreground
    figure(c, 820, 800, 1.6, "#8c5a3c", hair="#4a3f38", back=True)
    plant(c, 1130, 470, 1.0)
    return c.image()


def scene_civic_centre() -> Image.Image:
    """shimin-zhongxin: a stylised civic service centre with a flag and trees."""
    c = Canvas(W, H, "#bfe0f2")
    c.vgradient(0, 0, W, 560, "#9fd0ee", "#e4f2f8")
    c.circle(1040, 130, 60, "#fff3c4")
    for x, y, s in [(180, 120, 1.0), (520, 80, 0.8), (820, 160, 0.7)]:
        for dx, r in [(0, 34), (40, 44), (86, 32)]:
            c.circle(x + dx * s, y, r * s, "#ffffff")
    # main building
    c.rect(260, 210, 940, 600, "#e9e4da")
    c.rect(240, 190, 960, 230, "#c9c1b3")
    for row in range(5):
        for col in range(9):
            c.rect(300 + col * 72, 255 + row * 62, 348 + col * 72, 297 + row * 62, "#7fb2d6" if (row + col) % 4 else "#a9cde6")
    # entrance canopy and doors
    c.rect(500, 500, 700, 600, "#5e7f9b")
    c.rect(470, 480, 730, 505, "#c8242b")
    c.rect(540, 520, 660, 600, "#a9cde6")
    c.rect(598, 520, 602, 600, "#5e7f9b")
    # wings
    c.rect(80, 330, 260, 600, "#ddd6c8")
    c.rect(940, 330, 1120, 600, "#ddd6c8")
    for x0 in (100, 960):
        for row in range(3):
            for col in range(3):
                c.rect(x0 + col * 56, 360 + row * 72, x0 + col * 56 + 36, 360 + row * 72 + 44, "#8cbad9")
    # flagpole
    red_flag(c, 600, 60, 120, 78)
    c.rect(597, 150, 603, 190, "#8a8f98")
    # plaza and trees
    c.rect(0, 600, W, H, "#d9d2c3")
    for i in range(12):
        c.rect(i * 110 - 20, 680 + (i % 2) * 40, i * 110 + 60, 690 + (i % 2) * 40, "#cbc3b2")
    for x in (60, 190, 1010, 1140):
        c.rect(x - 8, 520, x + 8, 610, "#7a5a3c")
        c.circle(x, 500, 58, "#5f9e69")
        c.circle(x - 26, 530, 40, "#4f8a5b")
    return c.image()


def scene_tax_hall() -> Image.Image:
    """shuiwu-dating: a service hall with numbered windows, a queue display and seats."""
    c = Canvas(W, H, "#eef1f4")
    c.rect(0, 0, W, 70, "#dfe5ea")
    for x in range(0, W, 150):
        c.rect(x + 40, 20, x + 110, 34, "#ffffff", r=7)
    # queue display
    c.rect(420, 100, 780, 230, "#263238", r=10)
    for row in range(3):
        c.rect(450, 124 + row * 34, 560, 142 + row * 34, "#e53935", r=4)
        c.rect(600, 124 + row * 34, 750, 142 + row * 34, "#43a047" if row else "#fdd835", r=4)
    # four windows
    colours = ["#1f5f99", "#2e7d6b", "#1f5f99", "#2e7d6b"]
    for i in range(4):
        x = 80 + i * 270
        c.rect(x, 260, x + 230, 520, "#d5e3ee")
        c.rect(x, 260, x + 230, 300, colours[i])
        c.circle(x + 30, 280, 14, "#ffffff")
        text_bars(c, x + 56, 272, [120], 16, "#ffffff")
        figure(c, x + 115, 470, 0.75, "#34495e" if i % 2 else "#54466f", hair="#3a3f47")
        c.rect(x - 10, 470, x + 240, 520, "#c98f5a")
        if i == 1:
            red_flag(c, x + 200, 400, 34, 24)
    # floor
    c.rect(0, 520, W, H, "#d7dde3")
    for i in range(9):
        c.line([(i * 150, 520), (i * 220 - 300, H)], "#c9d0d7", 3)
    # rows of seats with waiting people (backs)
    for row in range(2):
        y = 640 + row * 110
        for i in range(7):
            x = 140 + i * 140
            c.rect(x - 50, y - 30, x + 50, y + 20, "#2e7d6b" if row == 0 else "#1f5f99", r=10)
            if (i + row) % 3 != 1:
                figure(c, x, y - 20, 0.55, ["#8c5a3c", "#6b4a3a", "#7a3b45", "#3b5d50"][(i + row) % 4],
                       head="#46505e", hair="#2f3540", back=True)
    plant(c, 1150, 520, 1.0)
    plant(c, 40, 520, 0.9)
    return c.image()


def scene_night_repair() -> Image.Image:
    """qiangxiu-yejian: a night-time water-main repair (this one is saved with EXIF and GPS)."""
    c = Canvas(W, H, "#0f2340")
    c.vgradient(0, 0, W, 520, "#0b1a33", "#27406a")
    c.circle(1010, 120, 52, "#f5efd2")
    c.circle(990, 108, 52, "#1a2f52")
    for i in range(28):
        r = seeded("star", str(i))
        c.circle(r % W, (r >> 12) % 420, 1.5 + (r >> 24) % 2, "#e8eefc")
    # houses in the background
    for i, (x, w, h) in enumerate([(0, 220, 220), (230, 180, 280), (420, 240, 200), (680, 200, 260), (900, 300, 230)]):
        c.rect(x, 520 - h, x + w, 520, "#1c2f4d")
        for k in range(6):
            if (i + k) % 3 == 0:
                c.rect(x + 24 + (k % 3) * 60, 540 - h + (k // 3) * 70, x + 54 + (k % 3) * 60, 580 - h + (k // 3) * 70, "#f2c66d")
    # street lamp and its light
    c.rect(180, 250, 192, 560, "#5b6576")
    c.rect(180, 250, 290, 262, "#5b6576")
    c.rect(262, 262, 306, 276, "#f7e39c", r=4)
    c.poly([(262, 276), (306, 276), (420, 640), (150, 640)], mix("#27406a", "#f7e39c", 0.22))
    # road
    c.rect(0, 520, W, H, "#3a3f4a")
    for i in range(8):
        c.rect(i * 170 + 20, 700, i * 170 + 110, 712, "#d9d4c5")
    # excavation pit with a pipe and spray
    c.ellipse(420, 560, 880, 690, "#5b4636")
    c.ellipse(450, 575, 850, 675, "#3f3026")
    c.rect(430, 608, 870, 640, "#2f7fc1", r=14)
    c.rect(620, 600, 660, 648, "#1f5f99", r=6)
    for i in range(14):
        r = seeded("drop", str(i))
        c.circle(600 + (r % 120), 470 + (r >> 10) % 130, 5 + (r >> 20) % 6, "#8fd0ff")
    # safety barriers with stripes
    for x in (360, 840):
        c.rect(x, 600, x + 150, 650, "#ff8f1f", r=6)
        for k in range(4):
            c.poly([(x + k * 40 + 10, 600), (x + k * 40 + 30, 600), (x + k * 40 + 10, 650), (x + k * 40 - 10, 650)], "#ffffff")
        c.rect(x + 10, 650, x + 20, 700, "#c9c9c9")
        c.rect(x + 130, 650, x + 140, 700, "#c9c9c9")
        c.circle(x + 75, 592, 9, "#ff3b30")
    # two workers in orange vests and helmets
    for x, s in ((560, 1.0), (760, 0.9)):
        figure(c, x, 640, s, "#ff8f1f", head="#2b3444")
        c.pieslice(x - 40 * s, 640 - 200 * s, x + 40 * s, 640 - 130 * s, 180, 360, "#ffd43b")
        c.rect(x - 46 * s, 640 - 80 * s, x + 46 * s, 640 - 68 * s, "#e8f0ff")
    # service van
    c.rect(960, 560, 1180, 690, "#e9edf2", r=14)
    c.rect(960, 600, 1180, 626, "#1f5f99")
    c.rect(1110, 574, 1168, 600, "#9ec3df", r=6)
    c.circle(1010, 690, 24, "#222831")
    c.circle(1130, 690, 24, "#222831")
    c.rect(1040, 545, 1100, 560, "#ff9f1c", r=5)
    return c.image()


def draw_eight(c: Canvas, cx, cy, size, colour, bg):
    """The numeral 8 built from two rings (no font needed)."""
    for dy, r in ((-size * 0.48, size * 0.42), (size * 0.44, size * 0.5)):
        c.circle(cx, cy + dy, r, colour)
        c.circle(cx, cy + dy, r * 0.5, bg)


def scene_bus() -> Image.Image:
    """gongjiao-8lu: a route 8 bus at a stop."""
    c = Canvas(W, H, "#cfe9f7")
    c.vgradient(0, 0, W, 520, "#a5d8f3", "#eef8fc")
    for x, y in [(200, 110), (760, 70)]:
        for dx, r in [(0, 36), (44, 48), (96, 34)]:
            c.circle(x + dx, y, r, "#ffffff")
    # distant city
    for i, (x, w, h) in enumerate([(0, 160, 200), (150, 120, 280), (280, 200, 170), (700, 150, 240), (860, 190, 190), (1060, 140, 260)]):
        c.rect(x, 520 - h, x + w, 520, ["#b8cfdf", "#a9c2d6", "#c3d6e4"][i % 3])
    # pavement and road
    c.rect(0, 520, W, 580, "#d8d2c4")
    c.rect(0, 580, W, H, "#4a4f5a")
    for i in range(7):
        c.rect(i * 190 + 40, 720, i * 190 + 150, 732, "#f1ede2")
    # bus stop shelter
    c.rect(880, 330, 1160, 350, "#2e7d6b")
    c.rect(890, 350, 900, 560, "#7d8794")
    c.rect(1140, 350, 1150, 560, "#7d8794")
    c.rect(905, 370, 1135, 500, mix("#cfe9f7", "#ffffff", 0.4))
    c.circle(1080, 300, 34, "#2e7d6b")
    draw_eight(c, 1080, 300, 30, "#ffffff", "#2e7d6b")
    figure(c, 960, 560, 0.7, "#7a3b45", hair="#3a3f47")
    figure(c, 1040, 560, 0.62, "#3b5d50", head="#8f9baa", hair="#d5d5d5")
    # the bus
    c.rect(90, 360, 860, 640, "#2f9e6e", r=36)
    c.rect(90, 560, 860, 640, "#23805a", r=30)
    c.rect(90, 400, 860, 412, "#ffffff")
    for i in range(6):
        c.rect(200 + i * 100, 428, 284 + i * 100, 520, "#bfe3f5", r=8)
    c.rect(110, 428, 180, 620, "#bfe3f5", r=8)  # door
    c.rect(143, 428, 147, 620, "#23805a")
    c.rect(790, 420, 850, 540, "#bfe3f5", r=10)  # windscreen
    c.rect(700, 372, 850, 408, "#263238", r=8)   # route display
    draw_eight(c, 730, 390, 14, "#fdd835", "#263238")
    text_bars(c, 752, 384, [80], 10, "#fdd835")
    c.circle(250, 640, 48, "#222831")
    c.circle(250, 640, 20, "#9aa3ad")
    c.circle(720, 640, 48, "#222831")
    c.circle(720, 640, 20, "#9aa3ad")
    c.circle(838, 600, 12, "#fff3b0")
    # a small red ribbon marking the exemplar line
    c.rect(300, 540, 520, 560, RED, r=8)
    c.star(320, 550, 8, GOLD)
    return c.image()


def scene_bookshelf() -> Image.Image:
    """shaoer-shujia: a children's reading corner with bookshelves and small stools."""
    c = Canvas(W, H, "#fbf3e4")
    c.rect(0, 560, W, H, "#e7c9a0")
    c.ellipse(330, 600, 870, 780, "#f2a65a")
    c.ellipse(370, 620, 830, 760, "#f6c177")
    spines = ["#e76f51", "#2a9d8f", "#e9c46a", "#457b9d", "#f4a261", "#8ab17d", "#b5838d", "#6d597a"]
    for sx in (60, 700):
        c.rect(sx, 110, sx + 440, 560, "#b57a48", r=10)
        for shelf in range(4):
            y = 130 + shelf * 108
            c.rect(sx + 14, y, sx + 426, y + 94, "#f6e3c6")
            x = sx + 22
            k = 0
            while x < sx + 410:
                r = seeded("book", str(sx), str(shelf), str(k))
                w = 18 + r % 22
                h = 60 + (r >> 8) % 30
                if x + w > sx + 418:
                    break
                c.rect(x, y + 94 - h, x + w, y + 94, spines[(r >> 16) % len(spines)], r=3)
                if (r >> 20) % 3 == 0:
                    c.rect(x + 3, y + 94 - h + 12, x + w - 3, y + 94 - h + 18, "#ffffff")
                x += w + 3
                k += 1
    # bunting
    for i in range(13):
        x = 520 + i * 14 - 80
        c.poly([(60 + i * 84, 60), (130 + i * 84, 60), (95 + i * 84, 100)], spines[i % len(spines)])
    c.line([(40, 60), (1160, 60)], "#8d6e63", 3)
    # small table and stools
    c.ellipse(500, 600, 700, 650, "#ffffff")
    c.rect(590, 625, 610, 700, "#d9d9d9")
    for x, col in ((430, "#2a9d8f"), (770, "#e76f51")):
        c.rect(x - 40, 660, x + 40, 690, col, r=12)
        c.rect(x - 30, 690, x - 20, 730, "#8d6e63")
        c.rect(x + 20, 690, x + 30, 730, "#8d6e63")
    # open picture book on the table
    c.poly([(540, 612), (600, 620), (600, 640), (540, 632)], "#ffffff")
    c.poly([(600, 620), (660, 612), (660, 632), (600, 640)], "#fef6e4")
    c.circle(570, 624, 6, "#e76f51")
    c.star(630, 624, 7, "#e9c46a")
    plant(c, 600, 560, 1.1)
    return c.image()


STORY_SCENES = {
    "budongchan-chuangkou.jpg": scene_window_counter,
    "shimin-zhongxin.jpg": scene_civic_centre,
    "shuiwu-dating.jpg": scene_tax_hall,
    "qiangxiu-yejian.jpg": scene_night_repair,
    "gongjiao-8lu.jpg": scene_bus,
    "shaoer-shujia.jpg": scene_bookshelf,
}


def gps_exif() -> bytes:
    """Camera and GPS tags of the kind a phone writes (fictional values, fixed for determinism)."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "QingchuanCam"
    exif[ExifTags.Base.Model] = "Sample Phone 1"
    exif[ExifTags.Base.Software] = "make_sample_images.py"
    exif[ExifTags.Base.DateTime] = "2025:07:28 02:14:09"
    exif[ExifTags.Base.Artist] = "Qingchuan publicity office (sample)"
    sub = exif.get_ifd(ExifTags.IFD.Exif)
    sub[ExifTags.Base.DateTimeOriginal] = "2025:07:28 02:14:09"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSVersionID] = b"\x02\x03\x00\x00"
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (30.0, 15.0, 36.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (120.0, 8.0, 12.25)
    gps[ExifTags.GPS.GPSAltitudeRef] = b"\x00"
    gps[ExifTags.GPS.GPSAltitude] = 12.5
    gps[ExifTags.GPS.GPSDateStamp] = "2025:07:27"
    return exif.tobytes()


def main() -> None:
    out_members = CONTENT / "images" / "members"
    out_stories = CONTENT / "images" / "stories"
    for member_id in member_photo_ids():
        save(avatar(member_id), out_members / f"{member_id}.jpg")
    for name, draw in STORY_SCENES.items():
        save(draw(), out_stories / name, exif=gps_exif() if name == "qiangxiu-yejian.jpg" else None)


if __name__ == "__main__":
    main()
