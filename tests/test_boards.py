"""Printed boards in the built site (site_builder/boards.py): print pages, short addresses p/<id>/,
fingerprints, print settings. PDFs are tested in test_pdf.py."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from site_builder.printing import boards as B
from site_builder.incremental.pipeline import build_model
from support import require
from support.boards import POSITION, worst_case_site
from support.http import serve_directory
from support.sites import MINI, make_site, run, tree
from test_build import parse

REVOKED_POST = (MINI / "content/posts/tax-window.yaml").read_text(encoding="utf-8") + """revoked:
  date: 2025-05-20
  reason: 群众实名投诉经核实，整改不到位
  number: 测先教办〔2025〕9号
"""


def build(tmp_path: Path, capsys, changes=None) -> Path:
    site = make_site(tmp_path, changes)
    code, _, err = run(capsys, "build", site, "-o", tmp_path / "out", "-q")
    assert code == 0, err
    return tmp_path / "out"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("boards")
    site = make_site(tmp)
    from site_builder.commands.main import main
    assert main(["build", str(site), "-o", str(tmp / "out"), "-q"]) == 0
    return tmp / "out"


def page(out: Path, url: str) -> str:
    return (out / url / "index.html").read_text(encoding="utf-8")


def fingerprint_on(html: str) -> str:
    return re.search(r'<span class="fp">([0-9A-F]{4}-[0-9A-F]{4})</span>', html).group(1)


# -- print pages ------------------------------------------------------------------------------------

def test_print_pages_for_every_public_post_and_member(built):
    for url in ["print/", "print/units/tax/", "print/posts/tax-window/board/", "print/posts/tax-window/plaque/",
                "print/members/wang-fang/card/", "print/members/li-ming/card/"]:
        assert (built / url / "index.html").is_file(), url
    # no board for an unapproved post, no card for a member who did not consent
    assert not (built / "print/posts/tax-declared").exists() and not (built / "print/members/hidden").exists()
    # record and evaluation cards are PDF only: the private record and the remarks are nowhere in the site
    printed = "\n".join(p.read_text(encoding="utf-8") for p in (built / "print").rglob("*.html"))
    assert 'class="f-log"' not in printed
    assert "对照标准的情况" not in printed and "评议意见" not in printed
    assert "内部记录，不公开" not in printed and "仅打印" not in printed


def test_public_board_shows_what_the_domain_asks_for(built):
    html = page(built, "print/posts/tax-window/board")
    for expected in ["党员示范窗口", "公示榜", "办税服务窗口", "测试市税务局", "办税服务厅党支部", "王芳", "办税员",
                     "“一次讲清，一次办好”", "李明", "“群众的事再小也是大事”", "示范员", "服务员",
                     "大厅入口左侧", "0571-86001111", "ts@example.org", "测先教办〔2025〕1号", "测试市先教办监制",
                     "数据截至2025年5月", 'aria-label="5 星（满 5 星）"', "授牌命名"]:
        assert expected in html, expected
    assert html.index("王芳") < html.index("李明")  # board order
    assert "赵隐" not in html
    # the QR code (inline SVG) leads to the feedback channel through the short address
    assert '<svg viewBox="0 0 ' in html and 'class="qr-code"' in html
    assert "https://example.org/p/tax-window/feedback/" in html
    # a print page: its own size, no index, the photo at print resolution
    assert "@page { size: 297mm 420mm;" in html and '<meta name="robots" content="noindex">' in html
    assert re.search(r'<img class="b-photo" src="/media/[0-9a-f]{16}-\d+\.jpg"', html)


def test_plaque_and_card(built):
    plaque = page(built, "print/posts/tax-window/plaque")
    for expected in ["党员示范窗口", "办税服务窗口", "测试市税务局", "测先教办〔2025〕1号", "0571-86001111",
                     "扫码查看本岗位当前星级", "测试市先教办授"]:
        assert expected in plaque, expected
    assert "@page { size: 297mm 210mm;" in plaque
    assert "https://example.org/p/tax-window/feedback/" not in plaque
    card = page(built, "print/members/wang-fang/card")
    for expected in ["定标公示卡", "王芳", "办税员", "办税服务窗口", "“一次讲清，一次办好”", "当日事当日毕", "首问负责",
                     "党员提标准", "2025年1月5日", "群众议标准", "2025年1月8日", "组织定标准", "2025年1月15日"]:
        assert expected in card, expected
    assert "@page { size: 148mm 210mm;" in card
    li = page(built, "print/members/li-ming/card")  # standard not set yet
    assert "待定" in li and "<img" not in li


def test_a_units_board_count_is_the_number_of_boards_it_makes(tmp_path):
    """The print index counts each unit's boards without making them (unit_board_count): consenting members' boards
    from each post's own members, the personnel-file cards from everyone serving there, which the index looks up
    only for kinds that have them. For every set of kinds, the count is the number of boards unit_boards makes,
    and without the personnel-file kinds it needs nobody's list. The sample city has revoked posts and members
    who did not consent; the small site, a member serving at two posts."""
    import itertools
    wang = (MINI / "content/members/wang-fang.yaml").read_text(encoding="utf-8")
    hall = (MINI / "content/posts/tax-window.yaml").read_text(encoding="utf-8").replace("name: ", "name: 大厅", 1)
    two_posts = make_site(tmp_path, {"content/posts/tax-hall.yaml": hall, "content/members/wang-fang.yaml":
                                     wang.replace("post: tax-window", "post: [tax-window, tax-hall]")})
    sample = build_model(Path(__file__).parent.parent)
    assert any(not m.public for m in sample.all_members) and any(p.status == B.REVOKED for p in sample.posts)
    for model in (sample, build_model(two_posts)):
        members = B.members_by_post(model)
        made = {unit.id: B.unit_boards(model, unit, tuple(B.KINDS), members) for unit in model.units}
        without_members = 0
        for size in range(1, len(B.KINDS) + 1):
            for kinds in itertools.combinations(B.KINDS, size):
                for unit in model.units:
                    count = B.unit_board_count(unit, kinds, members)
                    assert count == sum(b.kind.name in kinds for b in made[unit.id]), (unit.id, kinds)
                    if not B.PERSONNEL_KINDS & set(kinds):
                        without_members += 1
                        assert B.unit_board_count(unit, kinds) == count, (unit.id, kinds)
        assert without_members > 100
    assert any(len(m.public_posts) > 1 for m in model.members)
    assert sum(len(boards) for boards in made.values()) > 5


def test_print_indexes_for_staff(built):
    index = parse(built / "print/index.html")
    assert "/print/units/tax/" in index.links
    text = (built / "print/index.html").read_text(encoding="utf-8")
    assert "site-builder pdf --unit tax" in text and '<meta name="robots" content="noindex">' in text
    unit = page(built, "print/units/tax")
    links = parse(built / "print/units/tax/index.html").links
    assert {"/print/posts/tax-window/board/", "/print/posts/tax-window/plaque/", "/print/members/wang-fang/card/",
            "/print/members/li-ming/card/", "/posts/tax-window/"} <= set(links)
    board = fingerprint_on(page(built, "print/posts/tax-window/board"))
    assert board in unit


def test_post_page_shows_the_current_fingerprints_and_links_the_boards(built):
    post = page(built, "posts/tax-window")
    board = fingerprint_on(page(built, "print/posts/tax-window/board"))
    plaque = fingerprint_on(page(built, "print/posts/tax-window/plaque"))
    assert board != plaque
    assert f"公示榜指纹：<code class=\"fp\">{board}</code>" in post
    assert f"创建牌指纹：<code class=\"fp\">{plaque}</code>" in post
    links = parse(built / "posts/tax-window/index.html").links
    assert "/print/posts/tax-window/board/" in links and "/print/units/tax/" in links


# -- short addresses ----------------------------------------------------------------------------------

def test_short_address_of_a_live_post_sends_the_visitor_on(built):
    short = page(built, "p/tax-window")
    assert '<meta http-equiv="refresh" content="0; url=/posts/tax-window/">' in short
    assert '<link rel="canonical" href="https://example.org/posts/tax-window/">' in short
    assert 'href="/posts/tax-window/"' in short  # a visible link, no JavaScript needed
    feedback = page(built, "p/tax-window/feedback")
    assert '<meta http-equiv="refresh" content="0; url=/posts/tax-window/#feedback-tax-window">' in feedback
    assert 'id="feedback-tax-window"' in page(built, "posts/tax-window")  # the anchor exists


def test_short_address_of_a_revoked_post_says_so_and_keeps_the_complaint_phone(tmp_path, capsys):
    out = build(tmp_path, capsys, {"content/posts/tax-window.yaml": REVOKED_POST,
                                   "content/evaluations/2025-05.yaml": None})
    for url in ["p/tax-window", "p/tax-window/feedback"]:
        html = page(out, url)
        assert "http-equiv" not in html
        assert "本岗位已于 2025年5月20日 摘牌。" in html and "群众实名投诉经核实，整改不到位" in html
        assert "测先教办〔2025〕9号" in html
        assert "tel:057186001111" in parse(out / url / "index.html").links and "大厅入口左侧" in html
        assert '<link rel="canonical" href="https://example.org/posts/tax-window/">' in html
    # a revoked post's boards come down: no print pages, the unit's print index says to take them down
    assert not (out / "print/posts/tax-window").exists() and not (out / "print/members/wang-fang").exists()
    assert "请撤下公示榜、创建牌和定标公示卡" in page(out, "print/units/tax")
    assert "公示榜指纹" not in page(out, "posts/tax-window")


# -- fingerprints ---------------------------------------------------------------------------------------

def fingerprints(site: Path) -> dict[str, str]:
    return {b.key: b.fingerprint for b in B.all_boards(build_model(site))}


def test_fingerprint_follows_exactly_what_the_board_shows(tmp_path):
    base = fingerprints(make_site(tmp_path / "a"))
    # board, plaque and the window's desk sign; the standard cards of the two public members and the internal copy
    # of the third's; record and evaluation cards of all three; badge cards and desk signs of the two public members
    assert len(base) == 3 + 2 + 1 + 3 * 2 + 2 * 2
    # a new pledge: the board, that member's card and desk sign change, the plaque and the other card do not
    wang = (MINI / "content/members/wang-fang.yaml").read_text(encoding="utf-8")
    changed = fingerprints(make_site(tmp_path / "b", {
        "content/members/wang-fang.yaml": wang.replace("一次讲清，一次办好", "一次讲清，一次办成")}))
    diff = {k for k in base if base[k] != changed[k]}
    assert diff == {"board:tax-window", "card:wang-fang", "desk:wang-fang"}
    # a story or another month that leaves the stars as they are changes no board
    story = (MINI / "content/stories/first.md").read_text(encoding="utf-8")
    same = fingerprints(make_site(tmp_path / "c", {
        "content/stories/first.md": story.replace("窗口里的笑脸", "窗口里的笑容")}))
    assert same == base
    # a private record changes the record card only
    more = fingerprints(make_site(tmp_path / "d", {
        "content/members/wang-fang.yaml": wang.replace(
            "records:\n", "records:\n  - date: 2025-01-31\n    text: 新的内部记录。\n    public: false\n")}))
    assert {k for k in base if base[k] != more[k]} == {"records:wang-fang"}


def test_every_member_of_an_approved_post_gets_personnel_file_cards(tmp_path):
    boards = {b.key for b in B.all_boards(build_model(make_site(tmp_path)))}
    # the member who did not consent: record and evaluation cards and a copy of the standard card for the personnel
    # file (内部存档), but no wall card
    assert {"records:hidden", "evaluation:hidden", "card:hidden:internal"} <= boards and "card:hidden" not in boards
    assert not any(key.endswith(":tax-declared") for key in boards)


def test_builds_stay_byte_identical(tmp_path, capsys):
    site = make_site(tmp_path)
    for out in ("one", "two"):
        assert run(capsys, "build", site, "-o", tmp_path / out, "-q")[0] == 0
    one, two = tree(tmp_path / "one"), tree(tmp_path / "two")
    printed = {k: v for k, v in one.items() if k.startswith(("print/", "p/"))}
    assert printed and all(two[k] == v for k, v in printed.items())


# -- layout classes and settings ------------------------------------------------------------------------

@pytest.mark.parametrize("n,level", [(1, 0), (2, 0), (3, 1), (4, 1), (5, 2), (6, 2), (7, 3), (9, 3), (10, 4), (12, 4)])
def test_layout_class_by_member_count(n, level):
    member = {"name": "王芳", "position": "办税员", "pledge": "一次讲清，一次办好", "roles": [], "photo": None}
    assert B.board_density({"members": [member] * n}) == level


def test_long_names_and_positions_take_a_tighter_layout():
    member = {"name": "王芳", "position": POSITION, "pledge": "一", "roles": [], "photo": None}
    assert B.board_density({"members": [member] * 2}) == 1
    assert B.board_density({"members": [member] * 7}) == 4


@pytest.mark.parametrize("text,size", [("A3", (297, 420)), ("A4 landscape", (297, 210)), ("a5", (148, 210)),
                                       ("B4 portrait", (250, 353)), ("210mm 297mm", (210, 297)),
                                       ("420 mm x 594 mm", (420, 594))])
def test_paper_sizes(text, size):
    paper = B.parse_paper(text)
    assert (paper.width, paper.height) == size


@pytest.mark.parametrize("text", ["A7", "A3 sideways", "Letter", "10mm 10mm", "297 420"])
def test_paper_sizes_refused(text):
    assert B.parse_paper(text) is None


def test_configured_sizes_reach_the_print_pages(tmp_path, capsys):
    site_yaml = (MINI / "content/site.yaml").read_text(encoding="utf-8")
    out = build(tmp_path, capsys, {"content/site.yaml": site_yaml + "print:\n  sizes:\n    board: A2\n"
                                   "    plaque: A3 landscape\n    card: 105mm 148mm\n"})
    assert "@page { size: 420mm 594mm;" in page(out, "print/posts/tax-window/board")
    assert "@page { size: 420mm 297mm;" in page(out, "print/posts/tax-window/plaque")
    assert "@page { size: 105mm 148mm;" in page(out, "print/members/wang-fang/card")
    # the type scales with the paper: 1rem = 11.5pt on A3, × √2 on A2
    assert "html { font-size: 16.26pt; }" in page(out, "print/posts/tax-window/board")


@pytest.mark.parametrize("snippet,line,message", [
    ("print:\n  sizes:\n    board: A7\n", 22, "纸张 `A7` 看不懂"),
    ("print:\n  sizes:\n    boards: A3\n", 22, "不认识的键 `boards`（是不是想写 `board`？）"),
    ("print:\n  font_file: ../fonts/x.otf\n", 21, "字体文件 `../fonts/x.otf` 不合规"),
    ("print:\n  font: 'Noto\"; } body { display: none'\n", 21, "字体名称"),
])
def test_print_settings_are_checked(tmp_path, capsys, snippet, line, message):
    site_yaml = (MINI / "content/site.yaml").read_text(encoding="utf-8")
    assert site_yaml.count("\n") == 19  # the snippet's lines below are counted from here
    site = make_site(tmp_path, {"content/site.yaml": site_yaml + snippet})
    code, _, err = run(capsys, "check", site)
    assert code == 1
    assert f"content/site.yaml:{line}:" in err and message in err, err


# -- a browser prints the public board on one page ------------------------------------------------------

def test_browser_prints_the_worst_case_boards_on_one_page_each(page, tmp_path, cjk_fonts):
    """Ctrl+P on the print pages (Chromium, the page size from the CSS): one page of the right size."""
    from site_builder.commands.main import main

    require(shutil.which("pdfinfo") is not None, "pdfinfo missing: apt-get install poppler-utils")
    site = worst_case_site(tmp_path)
    assert main(["build", str(site), "-o", str(tmp_path / "out"), "-q"]) == 0
    with serve_directory(tmp_path / "out") as base:
        for url, size in [("/print/posts/tax-window/board/", "841.92 x 1191.12 pts (A3)"),
                          ("/print/posts/tax-window/plaque/", "841.92 x 594.96 pts (A4)"),
                          ("/print/members/wang-fang/card/", "420 x 594.96 pts (A5)")]:
            page.goto(base + url)
            pdf = tmp_path / "printed.pdf"
            pdf.write_bytes(page.pdf(prefer_css_page_size=True, print_background=True))
            info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
            assert re.search(r"^Pages:\s+1$", info, re.M), (url, info)
            assert size in info, (url, info)


def test_the_documented_print_settings_are_valid(tmp_path, capsys):
    doc = (Path(__file__).resolve().parents[1] / "docs/content-format.md").read_text(encoding="utf-8")
    example = doc.split("### 打印设置", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    assert example.startswith("print:\n")
    site_yaml = (MINI / "content/site.yaml").read_text(encoding="utf-8")
    code, out, err = run(capsys, "check", make_site(tmp_path, {"content/site.yaml": site_yaml + example}))
    assert code == 0, err


def test_staff_pages_and_short_addresses_are_accessible(page, tmp_path, capsys, run_axe):
    from support import format_axe_violations

    out = build(tmp_path, capsys, {"content/posts/tax-window.yaml": REVOKED_POST,
                                   "content/evaluations/2025-05.yaml": None})
    with serve_directory(out) as base:
        for url in ["/print/", "/print/units/tax/", "/p/tax-window/"]:
            page.goto(base + url)
            violations = run_axe(page)
            assert not violations, f"{url}: {format_axe_violations(violations)}"
