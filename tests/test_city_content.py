"""A second city's content works the first time (issue 12): what another city's editors wrote from
docs/content-format.md alone, each on a small site of its own, built and looked at."""

from __future__ import annotations

from support.sites import make_site, run

STORY = "content/stories/first.md"
FRONT = """\
---
title: 窗口里的笑脸
date: 2025-03-01
author: 宣传部
posts: [tax-window]
---
"""


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
