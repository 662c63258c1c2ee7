"""亮出一个牌子 (issue 15): the badge cards (胸牌) and desk signs (桌牌) as PDFs that print right the first time —
one page of the right size with Chinese text in an embedded CJK font, QR codes that decode to pages the built site
has, nothing for a member who did not consent and no photo without photo consent, the Party emblem's area without
ink, the A4 sheet of ten cards with its crop marks outside the cards, the desk sign readable from both sides when
folded, the longest and rarest names on one card, ``--stale`` after the stars changed, and what the site shows."""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageFilter, ImageStat

from site_builder.commands.main import main
from site_builder.content import formats as specs
from site_builder.content.paper import parse_paper
from site_builder.incremental.pipeline import build_model
from site_builder.printing import badges
from site_builder.printing import boards as B
from support import require
from support.boards import LONG_POST, LONG_UNIT, POSITION, worst_case_site
from support.http import serve_directory
from support.sites import MINI, make_site, run
from test_pdf import embedded_fonts, git, page_size, pages, qr_codes, text_of, tool, tools  # noqa: F401 (autouse)

BASE = "https://example.org/"
RARE = "欧阳龑䶮𠇔"  # 龑 (CJK), 䶮 (Extension A), 𠇔 (Extension B, outside the Basic Multilingual Plane)
RARE_MEMBER = f"""\
name: {RARE}
post: tax-window
position: 办税服务厅副主任（主持工作）
order: 2
consent: {{public: true, photo: false}}
pledge: 办好每一件事
standard:
  items: [首问负责]
  proposed: 2025-01-05
"""
MEMBER_TEXT = (MINI / "content/members/li-ming.yaml").read_text(encoding="utf-8")
POST_TEXT = (MINI / "content/posts/tax-window.yaml").read_text(encoding="utf-8")


def rendered(pdf: Path, dpi: int, page: int = 1) -> Path:
    """One page of ``pdf`` as a PNG file beside it."""
    prefix = pdf.with_name(f"{pdf.stem}-{dpi}-{page}")
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", str(pdf),
                    str(prefix)], check=True)
    return prefix.with_name(prefix.name + ".png")


def png(pdf: Path, dpi: int, page: int = 1) -> Image.Image:
    return Image.open(rendered(pdf, dpi, page)).convert("L")


def images_in(pdf: Path) -> int:
    listed = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    return len(listed.splitlines()[2:])


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    """The mini site (with a member of rare characters) built, and its unit's badges and desk signs printed."""
    tmp = tmp_path_factory.mktemp("badges")
    site = make_site(tmp, {"content/members/ouyang.yaml": RARE_MEMBER})
    assert main(["build", str(site), "-o", str(tmp / "out"), "-q"]) == 0
    assert main(["pdf", str(site), "--unit", "tax", "--kind", "badge", "--kind", "desk", "--kind", "window-desk",
                 "-o", str(tmp / "pdf"), "-q"]) == 0
    return site, tmp / "out", tmp / "pdf/tax"


def test_the_unit_gets_a_badge_and_desk_sign_per_consenting_member_a_window_sign_and_a_sheet(mini):
    _, _, folder = mini
    assert sorted(p.name for p in folder.rglob("*.pdf")) == [
        "li-ming-badge.pdf", "li-ming-desk.pdf", "ouyang-badge.pdf", "ouyang-desk.pdf",
        "tax-badges.pdf",  # the sheets of badge cards
        "tax-boards.pdf",  # the desk signs, in the file for the print shop
        "tax-window-window-desk.pdf", "wang-fang-badge.pdf", "wang-fang-desk.pdf"]  # --kind: nothing else
    assert not (folder / "files").exists()  # 赵隐 (hidden) did not consent: no badge, no desk sign, nothing


KINDS = [
    ("wang-fang-badge.pdf", (85.6, 54), ["共产党员", "党员示范窗口", "王芳", "办税员", "办税服务窗口", "测试市税务局",
                                         "投诉电话0571-86001111", "扫码看承诺"]),
    ("wang-fang-desk.pdf", (297, 210), ["共产党员", "王芳", "办税员", "办税服务窗口", "“一次讲清，一次办好”",
                                        "0571-86001111", "扫码看我的承诺和星级", "指纹"]),
    ("tax-window-window-desk.pdf", (297, 210), ["党员示范窗口", "办税服务窗口", "测试市税务局",
                                               "亮牌上岗，示范服务；佩章上岗，接受监督", "0571-86001111"]),
    ("ouyang-badge.pdf", (85.6, 54), [RARE, "办税服务厅副主任（主持工作）"]),
]


@pytest.mark.parametrize("name,size,texts", KINDS, ids=[k[0] for k in KINDS])
def test_each_is_one_page_of_its_size_in_an_embedded_cjk_font(mini, name, size, texts):
    pdf = mini[2] / name
    assert pages(pdf) == 1 and page_size(pdf) == size
    text = text_of(pdf)
    for expected in texts:
        assert expected in text, expected
    assert any(re.search(r"Noto-?(Sans|Serif)-?CJK-?SC", f) for f in embedded_fonts(pdf))


@pytest.mark.parametrize("name,url", [("wang-fang-badge.pdf", "members/wang-fang/"),
                                      ("ouyang-badge.pdf", "members/ouyang/"),
                                      ("li-ming-desk.pdf", "members/li-ming/"),
                                      ("tax-window-window-desk.pdf", "p/tax-window/")])
def test_qr_codes_decode_to_pages_of_the_built_site(mini, tmp_path, name, url):
    _, out, folder = mini
    found = qr_codes(folder / name, tmp_path)
    assert set(found) == {BASE + url}  # a desk sign carries the same code on both halves
    assert (out / url / "index.html").is_file()


def test_the_photo_only_with_photo_consent(mini, tmp_path, capsys):
    folder = mini[2]
    assert images_in(folder / "wang-fang-badge.pdf") == 1  # photo: true
    assert images_in(folder / "li-ming-badge.pdf") == 0
    no_photo = MEMBER_TEXT + "photo: images/wang.png\n"  # a photo named, but consent.photo is false
    site = make_site(tmp_path, {"content/members/li-ming.yaml": no_photo})
    code, _, err = run(capsys, "pdf", site, "--member", "li-ming", "--kind", "badge", "-o", tmp_path / "pdf", "-q")
    assert code == 0, err
    assert images_in(tmp_path / "pdf/tax/li-ming-badge.pdf") == 0


def test_a_member_who_did_not_consent_gets_neither(mini, tmp_path, capsys):
    site = mini[0]
    assert not [b.key for b in B.all_boards(build_model(site)) if b.member and b.member.id == "hidden"
                and b.kind.name in ("badge", "desk")]
    code, _, err = run(capsys, "pdf", site, "--member", "hidden", "--kind", "badge", "--kind", "desk",
                       "-o", tmp_path / "pdf")
    assert code == 0, err
    assert not (tmp_path / "pdf").exists()


def test_the_emblem_area_has_no_ink(mini):
    """The office prints the Party emblem (or uses card stock that carries it): its 12 mm square stays blank."""
    card = png(mini[2] / "wang-fang-badge.pdf", 300)
    left, top, side = (round(v / 25.4 * 300) for v in badges.EMBLEM)
    area = card.crop((left, top, left + side, top + side))
    assert area.getextrema() == (255, 255)
    assert card.crop((left + side, top, left + 4 * side, top + side)).getextrema()[0] < 100  # 共产党员 beside it


def test_the_desk_sign_reads_the_right_way_up_on_both_sides_of_the_fold(mini):
    """A4 folded along the middle into a tent: the upper half is the lower one turned by 180°."""
    sign = png(mini[2] / "wang-fang-desk.pdf", 60).filter(ImageFilter.GaussianBlur(3))
    w, h = sign.size
    upper, lower = sign.crop((0, 0, w, h // 2)), sign.crop((0, h - h // 2, w, h))

    def difference(a, b):  # the least mean difference over small shifts (the halves are a millimetre apart)
        return min(ImageStat.Stat(ImageChops.difference(ImageChops.offset(a, dx, dy), b)).mean[0]
                   for dx in range(-4, 5) for dy in range(-4, 5))
    assert difference(upper.rotate(180), lower) < 6
    assert difference(upper, lower) > 15  # not merely the same half twice


def test_the_window_desk_sign_has_a_print_page_the_members_cards_do_not(mini):
    _, out, _ = mini
    page = (out / "print/posts/tax-window/window-desk/index.html").read_text(encoding="utf-8")
    assert "亮牌上岗，示范服务；佩章上岗，接受监督" in page and "A4 横向" in page
    unit = (out / "print/units/tax/index.html").read_text(encoding="utf-8")
    assert 'href="/print/posts/tax-window/window-desk/"' in unit
    assert "site-builder pdf --unit tax --kind badge --kind desk" in unit  # the badges are PDF only
    assert 'href="/print/posts/tax-window/window-desk/"' in (out / "posts/tax-window/index.html").read_text(
        encoding="utf-8")
    assert not list(out.glob("print/members/*/badge")) and not list(out.glob("print/members/*/desk"))
    assert "胸牌" in (out / "print/index.html").read_text(encoding="utf-8")  # its paper is listed


def test_a_browser_prints_the_window_desk_sign_on_one_a4_page(page, tmp_path, cjk_fonts):
    """Ctrl+P on the window desk sign's print page (Chromium, the page size from the CSS), with a 60-character
    window name and unit: one landscape A4 page, folded halves and all."""
    require(shutil.which("pdfinfo") is not None, "pdfinfo missing: apt-get install poppler-utils")
    site = worst_case_site(tmp_path)
    assert main(["build", str(site), "-o", str(tmp_path / "out"), "-q"]) == 0
    with serve_directory(tmp_path / "out") as base:
        page.goto(base + "/print/posts/tax-window/window-desk/")
        pdf = tmp_path / "printed.pdf"
        pdf.write_bytes(page.pdf(prefer_css_page_size=True, print_background=True))
    assert pages(pdf) == 1
    assert "841.92 x 594.96 pts (A4)" in tool("pdfinfo", str(pdf))  # landscape (Chromium's A4 in whole points)
    assert re.sub(r"\s+", "", LONG_POST) in text_of(pdf)


# -- the sheet of ten ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def worst(tmp_path_factory):
    """Twelve members at one window with the longest names, positions, post and unit names: their badges."""
    tmp = tmp_path_factory.mktemp("worst-badges")
    site = worst_case_site(tmp)
    assert main(["pdf", str(site), "--unit", "tax", "--kind", "badge", "-o", str(tmp / "pdf"), "-q"]) == 0
    return site, tmp / "pdf/tax"


def test_every_badge_of_the_longest_texts_is_one_card(worst):
    site, folder = worst
    cards = sorted(folder.glob("*-badge.pdf"))
    assert len(cards) == specs.MAX_MEMBERS_PER_POST
    for pdf in cards:
        assert pages(pdf) == 1 and page_size(pdf) == (85.6, 54), pdf.name
    text = text_of(folder / "wang-fang-badge.pdf")  # a name of twenty characters
    member = (site / "content/members/wang-fang.yaml").read_text(encoding="utf-8")
    name = re.search(r"^name: (.+)$", member, re.M).group(1)
    for shown in (name, POSITION, LONG_POST, LONG_UNIT):
        assert re.sub(r"\s+", "", shown) in text, shown


def test_the_sheet_holds_ten_cards_with_crop_marks_outside_them(worst, tmp_path):
    site, folder = worst
    sheet = folder / "tax-badges.pdf"
    assert pages(sheet) == 2 and page_size(sheet, 1) == page_size(sheet, 2) == (210, 297)
    order = [b.data["qr"] for b in B.all_boards(build_model(site), ("badge",))]
    assert len(order) == 12
    found = []
    for page in (1, 2):
        decoded = subprocess.run(["zbarimg", "--quiet", "--raw", str(rendered(sheet, 300, page))],
                                 capture_output=True, text=True).stdout.split()
        found.append(decoded)
    assert sorted(found[0]) == sorted(order[:10]) and sorted(found[1]) == sorted(order[10:])

    grid = badges.sheet_grid(parse_paper("85.6mm 54mm"))
    assert (grid.cols, grid.rows, grid.sheet.width) == (2, 5, 210)
    for x1, y1, x2, y2 in grid.marks():  # geometry: each mark continues a cut line, off the block of cards
        assert x1 == x2 or y1 == y2
        assert max(x1, x2) <= grid.left - 1 or min(x1, x2) >= grid.right + 1 or \
            max(y1, y2) <= grid.top - 1 or min(y1, y2) >= grid.bottom + 1
        assert (x1 == x2 and any(abs(x1 - x) < .01 for x, _ in grid.cells() + [(grid.right, 0)])) or \
            (y1 == y2 and any(abs(y1 - y) < .01 for _, y in grid.cells() + [(0, grid.bottom)]))

    dpi = 100
    image = png(sheet, dpi, 1)
    px = lambda mm: round(mm / 25.4 * dpi)  # noqa: E731
    dark = image.point(lambda v: 255 if v < 128 else 0)
    for x1, y1, x2, y2 in grid.marks():  # every mark is printed (a hairline: grey at this resolution)
        x, y = px((x1 + x2) / 2), px((y1 + y2) / 2)
        assert image.crop((x - 2, y - 2, x + 3, y + 3)).getextrema()[0] < 160, (x1, y1)
    # outside the cards: nothing dark but the marks and the sheet's label
    outside = dark.copy()
    outside.paste(0, (px(grid.left), px(grid.top), px(grid.right), px(grid.bottom)))
    lx, ly, lw = grid.label_box()
    outside.paste(0, (px(lx), px(ly) - 1, px(lx + lw), px(ly + 4)))
    for x1, y1, x2, y2 in grid.marks():
        outside.paste(0, (px(x1) - 2, px(y1) - 2, px(x2) + 3, px(y2) + 3))
    assert outside.getbbox() is None
    # inside: every card keeps its ink 1.5 mm off the cuts, so that a cut a little off the line takes nothing
    for x, y in grid.cells():
        w, h = grid.card.width, grid.card.height
        for strip in ((x, y, x + w, y + 1.5), (x, y + h - 1.5, x + w, y + h), (x, y, x + 1.5, y + h),
                      (x + w - 1.5, y, x + w, y + h)):
            assert dark.crop(tuple(px(v) for v in strip)).getbbox() is None, (x, y, strip)


# -- layouts ---------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def printer(worst):
    from site_builder.commands.pdf import Printer

    model = build_model(worst[0])
    return model, Printer(worst[0], model)


CASES = [  # name, position, post, unit (characters); the longest each field may be, and rare characters
    ("名" * specs.MAX_NAME, "职" * 40, "岗" * 60, "位" * 60),
    (RARE, "职" * 40, "岗" * 60, "位" * 60),
    ("欧阳娜娜", "窗口负责人", "办税服务窗口", "测试市税务局"),
    ("名" * 12, "职" * 25, "岗" * 40, "位" * 30),
    ("Ayşe Nur Yılmaz-Schmidt", "Senior Clerk", "Window 3", "Tax Office"),
]


@pytest.mark.parametrize("kind,photo", [("badge", True), ("badge", False), ("desk", False)])
@pytest.mark.parametrize("name,position,post,unit", CASES)
def test_the_layout_chosen_holds_the_text(printer, kind, photo, name, position, post, unit):
    """badges.BADGE_LAYOUTS / DESK_LAYOUTS: the layout chosen from the texts renders on one page (``pdf`` would
    otherwise tighten it); the tightest one holds the longest texts."""
    model, printer = printer
    board = next(b for b in B.all_boards(model, (kind,)) if b.member.photo is not None)
    data = copy.deepcopy(board.data)
    data.update(name=name, position=position, post={**data["post"], "name": post}, unit={"name": unit})
    if kind == "badge" and not photo:
        data["photo"] = None
    density = badges.badge_density(data) if kind == "badge" else badges.desk_density(data)
    test = B.Board(board.kind, board.id, board.unit, board.post, board.member, data, "zh-CN", board.as_of, density)
    doc = printer.wp.HTML(string=printer.html(test, density), base_url=model.settings.base_url,
                          url_fetcher=printer.fetcher).render(font_config=printer.fonts)
    assert len(doc.pages) == 1, (density, name)


# -- a member at two posts; what to reprint -------------------------------------------------------------------

def test_a_member_at_two_windows_gets_a_badge_and_desk_sign_for_each(tmp_path, capsys):
    hall = POST_TEXT.replace("name: 办税服务窗口", "name: 社保缴费窗口")
    wang = (MINI / "content/members/wang-fang.yaml").read_text(encoding="utf-8")
    site = make_site(tmp_path, {"content/posts/tax-hall.yaml": hall, "content/members/wang-fang.yaml": wang.replace(
        "post: tax-window", "post: [tax-window, tax-hall]")})
    code, _, err = run(capsys, "pdf", site, "--member", "wang-fang", "--kind", "badge", "--kind", "desk",
                       "-o", tmp_path / "pdf", "-q")
    assert code == 0, err
    folder = tmp_path / "pdf/tax"
    assert sorted(p.name for p in folder.iterdir()) == [
        "wang-fang-tax-hall-badge.pdf", "wang-fang-tax-hall-desk.pdf",
        "wang-fang-tax-window-badge.pdf", "wang-fang-tax-window-desk.pdf"]
    assert "社保缴费窗口" in text_of(folder / "wang-fang-tax-hall-badge.pdf")
    assert "办税服务窗口" in text_of(folder / "wang-fang-tax-window-desk.pdf")
    sheet = tmp_path / "pdf/badges.pdf"  # the badges of a run without whole units, on one sheet
    assert pages(sheet) == 1 and page_size(sheet) == (210, 297)
    assert qr_codes(sheet, tmp_path) == [BASE + "members/wang-fang/"] * 2


FAIL = """\
month: 2025-06
posts:
  tax-window:
    self: {politics: 70, performance: 70, service: 70, exemplary: 70}
    public: {politics: 70, performance: 70, service: 70, exemplary: 70}
    organisation: {politics: 70, performance: 70, service: 70, exemplary: 70}
"""


def test_stale_lists_the_badges_and_desk_signs_when_the_stars_change(tmp_path, capsys):
    site = make_site(tmp_path)
    git(site, "init", "-q")
    git(site, "add", "-A")
    git(site, "commit", "-q", "-m", "printed")
    before = build_model(site).posts[0].stars
    (site / "content/evaluations/2025-06.yaml").write_text(FAIL, encoding="utf-8")
    assert build_model(site).posts[0].stars == before - 1  # June failed: a star less
    code, out, err = run(capsys, "pdf", site, "--stale", "HEAD", "--kind", "badge", "--kind", "desk",
                         "--kind", "window-desk")
    assert code == 0, err
    rows = sorted(tuple(line.split()[:4]) for line in out.splitlines()[1:])
    assert rows == [("重印", "桌牌", "tax", "li-ming"), ("重印", "桌牌", "tax", "wang-fang"),
                    ("重印", "窗口桌牌", "tax", "tax-window"),
                    ("重印", "胸牌", "tax", "li-ming"), ("重印", "胸牌", "tax", "wang-fang")]
    # a member withdraws consent: their badge and desk sign come down
    li = site / "content/members/li-ming.yaml"
    li.write_text(li.read_text(encoding="utf-8").replace("public: true", "public: false"), encoding="utf-8")
    code, out, err = run(capsys, "pdf", site, "--stale", "HEAD", "--kind", "badge", "-o", tmp_path / "reprint")
    assert code == 0, err
    assert ("撤下", "胸牌", "tax", "li-ming") in {tuple(line.split()[:4]) for line in out.splitlines()[1:]}
    assert sorted(p.name for p in (tmp_path / "reprint").rglob("*.pdf")) == ["badges.pdf", "wang-fang-badge.pdf"]
