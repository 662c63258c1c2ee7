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
