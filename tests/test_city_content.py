"""A second city's content works the first time (issue 12): what another city's editors wrote from
docs/content-format.md alone, each on a small site of its own, built and looked at."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess

import jsonschema

from support import require
from support.sites import STORY_FRONT, make_site, run

STORY = "content/stories/first.md"
FRONT = STORY_FRONT


def build(tmp_path, capsys, changes, *args):
    site = make_site(tmp_path, changes)
    out = tmp_path / "out"
    code, stdout, err = run(capsys, "build", site, "-o", out, "--no-cache", *args)
    assert code == 0, err
    return out


# -- point 6: table alignment in stories ----------------------------------------------------------------

def test_story_table_keeps_its_column_alignment(tmp_path, capsys):
    table = ("| 月份 | 办件量 | 满意率 |\n"
             "|:---|---:|:---:|\n"
             "| 2025-03 | 1,204 | 99.1% |\n")
    out = build(tmp_path, capsys, {STORY: FRONT + "\n本月数字：\n\n" + table})
    html = (out / "stories/first/index.html").read_text(encoding="utf-8")
    assert '<th style="text-align: left">月份</th>' in html
    assert '<td style="text-align: right">1,204</td>' in html
    assert '<td style="text-align: center">99.1%</td>' in html


# -- point 7: a problem in one file is not reported again as another problem in another -------------------

LI_YAN = """\
name: 李燕
post: tax-window
position: 办税员
consent: {public: true, photo: false}
pledge: 一次讲清
standard:
  items: [首问负责]
  proposed: 2025-01-05
"""


def check(tmp_path, capsys, changes) -> list[str]:
    code, out, err = run(capsys, "check", make_site(tmp_path, changes))
    assert code == 1 and "Traceback" not in err
    return [line for line in err.splitlines() if line.startswith("content/")]


def test_a_story_linking_a_broken_member_hears_only_the_members_problem(tmp_path, capsys):
    story = FRONT.replace("posts: [tax-window]", "posts: [tax-window]\nmembers: [li-yan]") + \
        "\n见[李燕](../members/li-yan.yaml)和[窗口](../posts/tax-window.yaml)。\n"
    lines = check(tmp_path, capsys, {"content/members/li-yan.yaml": LI_YAN.replace("position:", "positon:"),
                                     STORY: story})
    assert sorted(line.split(": ", 1)[0] for line in lines) == ["content/members/li-yan.yaml:1:1",
                                                                "content/members/li-yan.yaml:3:1"], lines
    assert not any("first.md" in line for line in lines)


def test_a_member_dropped_by_the_model_is_not_a_broken_link_either(tmp_path, capsys):
    """The member file loads but names a post that does not exist: only that is reported."""
    story = FRONT + "\n见[李燕](../members/li-yan.yaml)。\n"
    lines = check(tmp_path / "a", capsys, {"content/members/li-yan.yaml": LI_YAN.replace("post: tax-window", "post: tax-windw"),
                                           STORY: story})
    assert len(lines) == 1 and lines[0].startswith("content/members/li-yan.yaml:2:1: 找不到示范岗 `tax-windw`"), lines


def test_a_broken_post_is_not_reported_again_by_the_story_the_members_or_the_evaluations(tmp_path, capsys):
    post = (make_site(tmp_path / "copy") / "content/posts/tax-window.yaml").read_text(encoding="utf-8")
    story = FRONT + "\n见[窗口](../posts/tax-window.yaml)。\n"
    lines = check(tmp_path, capsys, {"content/posts/tax-window.yaml": post.replace("declared: 2025-01-10", "declared: 2025-1-10"),
                                     STORY: story})
    assert len(lines) == 1 and lines[0].startswith("content/posts/tax-window.yaml:4:11: 日期 `2025-1-10` 的写法不对"), lines


def test_linkcheck_does_not_report_links_to_broken_files():
    from site_builder.render.linkcheck import LinkCheck

    links = LinkCheck("/")
    links.add_page("stories/first/index.html", "story.html",
                   b'<a href="/members/li-yan/">x</a> <a href="/members/nobody/">y</a>')
    markdown = [("content/stories/first.md", 9, 2, "../members/li-yan.yaml", "/members/li-yan/")]
    found = links.problems(set(), (), markdown, lambda template, target: ("templates/story.html", 0),
                           frozenset({"members/li-yan/"}))
    assert [p.message.split("`")[3] for p in found] == ["/members/nobody/"]


# -- point 3: feedback channels — any of them, at least one ----------------------------------------------

POST = "content/posts/tax-window.yaml"


def with_feedback(tmp_path, feedback: str):
    """The mini site's window with its feedback block replaced."""
    post = (make_site(tmp_path / "copy") / POST).read_text(encoding="utf-8")
    return {POST: post.split("feedback:")[0] + feedback}


def test_a_post_without_any_channel_is_told_which_channels_there_are(tmp_path, capsys):
    lines = check(tmp_path, capsys, with_feedback(tmp_path, "feedback: {}\n"))
    assert lines == ["content/posts/tax-window.yaml:8:1: 群众监督渠道一项也没有写：请至少写一项——book（意见簿所在位置）、"
                     "phone（投诉电话）、form（网上意见表网址）、email（投诉邮箱）。只有热线的岗位写 phone 即可。"]
    lines = check(tmp_path / "none", capsys, with_feedback(tmp_path / "none", ""))
    assert lines == ["content/posts/tax-window.yaml:1:1: 缺少必填的键 `feedback`（群众监督渠道：意见簿所在位置 book、"
                     "投诉电话 phone、网上意见表网址 form、投诉邮箱 email，至少写一项）。"]


def _text(path) -> str:
    return path.read_text(encoding="utf-8")


def test_a_hotline_seat_has_a_phone_and_no_comment_book(tmp_path, capsys):
    """12345: the call button and the phone everywhere; no "意见簿：" row anywhere, no empty line on the board."""
    out = build(tmp_path, capsys, with_feedback(tmp_path, 'feedback:\n  phone: "12345"\n'))
    pages = {"post": "posts/tax-window/index.html", "member": "members/li-ming/index.html",
             "short": "p/tax-window/feedback/index.html", "standards": "standards/index.html",
             "board": "print/posts/tax-window/board/index.html", "plaque": "print/posts/tax-window/plaque/index.html",
             "desk sign": "print/posts/tax-window/window-desk/index.html"}
    for name, page in pages.items():
        html = _text(out / page)
        assert "意见簿" not in html, name
    post = _text(out / pages["post"])
    assert 'href="tel:12345"' in post and "拨打投诉电话" in post
    assert 'id="feedback-tax-window"' in post
    assert "更多意见和投诉渠道" not in post  # the call is the only channel: nothing more to point at
    assert "投诉电话" in _text(out / pages["board"]) and "12345" in _text(out / pages["plaque"])
    assert "12345" in _text(out / pages["desk sign"])
    assert 'href="tel:12345"' in _text(out / pages["standards"])
    data = json.loads(_text(out / "data/posts.json"))
    post_data = next(p for p in data["posts"] if p["id"] == "tax-window")
    assert post_data["feedback"] == {"book": None, "phone": "12345", "form": None, "email": None}
    jsonschema.validate(data, json.loads(_text(out / "data/posts.schema.json")))
    row = next(r for r in csv.DictReader(io.StringIO(_text(out / "data/posts.csv").lstrip("\ufeff"))) if r["id"] == "tax-window")
    assert (row["complaint_phone"], row["feedback_book"]) == ("12345", "")


def test_an_online_only_post_has_no_call_button_and_its_channels_are_reached(tmp_path, capsys):
    """Only a form and an e-mail: no phone row, no call button, no book row; the page's header points at the
    feedback section, which the board's QR code (p/<id>/feedback/) leads to."""
    out = build(tmp_path, capsys, with_feedback(tmp_path, "feedback:\n  form: https://example.org/yj\n"
                                                           "  email: ts@example.org\n"))
    post = _text(out / "posts/tax-window/index.html")
    header = post.split('class="post-header"', 1)[1].split("</header>", 1)[0]
    section = post.split('id="feedback-tax-window"', 1)[1].split("</section>", 1)[0]
    assert "tel:" not in header + section
    assert "拨打投诉电话" not in post and "意见簿" not in post and "投诉电话：" not in post
    assert '<a href="#feedback-tax-window">意见和投诉</a>' in header
    assert 'href="https://example.org/yj"' in section and 'href="mailto:ts@example.org"' in section
    short = _text(out / "p/tax-window/feedback/index.html")
    assert 'url=/posts/tax-window/#feedback-tax-window"' in short
    board = _text(out / "print/posts/tax-window/board/index.html")
    assert "意见簿" not in board and "投诉电话" not in board
    assert "网上意见：" in board and "ts@example.org" in board
    for sign in ("plaque", "window-desk"):
        assert "投诉电话" not in _text(out / f"print/posts/tax-window/{sign}/index.html"), sign
    data = json.loads(_text(out / "data/posts.json"))
    jsonschema.validate(data, json.loads(_text(out / "data/posts.schema.json")))


def test_the_printed_board_of_a_post_without_book_or_phone(tmp_path, capsys):
    """The PDF: no empty 意见簿 or 投诉电话 line, and its QR code opens the short address that leads to the
    channels (that page exists in the build)."""
    for name in ("pdftotext", "pdftoppm", "zbarimg"):
        require(shutil.which(name) is not None, f"{name} missing: apt-get install poppler-utils zbar-tools")
    site = make_site(tmp_path, with_feedback(tmp_path, "feedback:\n  email: ts@example.org\n"))
    out = tmp_path / "pdf"
    code, stdout, err = run(capsys, "pdf", site, "--post", "tax-window", "--kind", "board", "-o", out, "-q")
    assert code == 0, err
    pdf = out / "tax" / "tax-window-board.pdf"
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "ts@example.org" in text and "意见簿" not in text and "投诉电话" not in text
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "board")], check=True)
    png = sorted(tmp_path.glob("board*.png"))[0]
    codes = subprocess.run(["zbarimg", "--quiet", "--raw", str(png)], capture_output=True, text=True).stdout.split()
    assert codes == ["https://example.org/p/tax-window/feedback/"], codes
    web = build(tmp_path / "web", capsys, with_feedback(tmp_path / "web", "feedback:\n  email: ts@example.org\n"))
    assert 'mailto:ts@example.org' in _text(web / "posts/tax-window/index.html").split('id="feedback-tax-window"', 1)[1]
    assert (web / "p/tax-window/feedback/index.html").is_file()


# -- point 5: paragraphs in a member's records (and other texts of several paragraphs) -------------------

MEMBER = "content/members/li-ming.yaml"
RECORDS = """\
records:
  - date: 2025-03-31
    text: |
      三月受理时有一次材料遗漏。
      我承诺今后一次性告知所需材料。

      四月起每周自查一次。
  - date: 2025-04-30
    text: 四月办件 180 件，
      无差错。
assessments:
  - period: 2025 年第一季度
    date: 2025-03-31
    self: good
    public: good
    organisation: good
    result: met
    remarks: |
      材料遗漏已整改。
      群众满意。

      下季度继续自查。
"""


def test_record_paragraphs_are_kept_and_chinese_lines_join_without_a_space(tmp_path, capsys):
    member = (make_site(tmp_path / "copy") / MEMBER).read_text(encoding="utf-8") + RECORDS
    out = build(tmp_path, capsys, {MEMBER: member})
    page = _text(out / "members/li-ming/index.html")
    assert "<p>三月受理时有一次材料遗漏。我承诺今后一次性告知所需材料。</p><p>四月起每周自查一次。</p>" in page
    assert "<p>四月办件 180 件，无差错。</p>" in page  # a plain scalar on two lines: YAML's fold, without its space
    assert "遗漏。 我承诺" not in page and "遗漏。\n我承诺" not in page


def test_the_printed_records_and_evaluation_cards_keep_paragraphs_without_a_space_between_chinese_sentences(
        tmp_path, capsys):
    for name in ("pdftotext",):
        require(shutil.which(name) is not None, f"{name} missing: apt-get install poppler-utils")
    member = (make_site(tmp_path / "copy") / MEMBER).read_text(encoding="utf-8") + RECORDS
    site = make_site(tmp_path, {MEMBER: member})
    code, stdout, err = run(capsys, "pdf", site, "--member", "li-ming", "-o", tmp_path / "pdf", "-q")
    assert code == 0, err
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(tmp_path / "pdf/tax/files/li-ming-records.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "遗漏。我承诺" in text and "遗漏。 我承诺" not in text
    lines = [line.strip() for line in text.splitlines()]
    assert "四月起每周自查一次。" in lines  # a paragraph of its own
    assert "四月办件 180 件，无差错。" in lines
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(tmp_path / "pdf/tax/files/li-ming-evaluation.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "材料遗漏已整改。群众满意。" in text and "整改。 群众" not in text
    assert "下季度继续自查。" in [line.strip() for line in text.splitlines()]
