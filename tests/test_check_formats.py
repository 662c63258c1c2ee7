"""``check --format text|github|json|markdown``: the same problems, for people, pull requests and programs."""

import json

from site_builder.commands import reports
from site_builder.errors import Problem
from support.sites import STORY_FRONT, make_site, run

MEMBER = "content/members/li-ming.yaml"
STORY = "content/stories/first.md"

LI_MING = """\
name: 李明
post: tax-win%dow
position: 窗口负责人
consent: {public: true, photo: false}
pledge: 群众的事再小也是大事
standard:
  items: [耐心解答]
  proposed: 2025-01-05
"""
STORY_TEXT = STORY_FRONT + """\
王芳**往前多走一步。**

有事请打 13812345678。
"""


def broken_site(tmp_path):
    return make_site(tmp_path, {
        MEMBER: LI_MING,
        STORY: STORY_TEXT,
        "content/units/A,B.yaml": "name: x\n",
    })


def test_escaping_follows_github_toolkit():
    assert reports.escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert reports.escape_property("a:b,c%d\n") == "a%3Ab%2Cc%25d%0A"


def test_github_annotations_exact(tmp_path, capsys, monkeypatch):
    site = broken_site(tmp_path)
    monkeypatch.chdir(site)
    code, out, err = run(capsys, "check", "--format", "github")
    assert code == 1
    assert out.splitlines() == [
        "::error file=content/members/li-ming.yaml,line=2,col=7::编号 `tax-win%25dow` 不合规：只能用小写英文字母、数字和连字符（-），"
        "以字母或数字开头和结尾，最长 64 个字符，例如 `zrzy-budongchan`。",
        "::error file=content/stories/first.md,line=9,col=6::疑似个人手机号码 138****5678：网站和内容仓库都是公开的，"
        "除岗位投诉电话（feedback.phone）和主办单位电话（organisation.phone）外不能写手机号码。请删除，或改写为公开的投诉电话。",
        "::error file=content/units/A%2CB.yaml,line=1,col=1::文件名就是编号。编号 `A,B` 不合规：只能用小写英文字母、数字和连字符（-），"
        "以字母或数字开头和结尾，最长 64 个字符，例如 `zrzy-budongchan`。",
    ]
    assert "发现 3 个问题" in err


def test_github_paths_are_relative_to_the_current_folder(tmp_path, capsys, monkeypatch):
    broken_site(tmp_path)
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "check", "site", "--format", "github")
    assert code == 1
    assert out.splitlines()[0].startswith("::error file=site/content/members/li-ming.yaml,line=2,col=7::")


def test_text_is_still_the_default(tmp_path, capsys):
    code, out, err = run(capsys, "check", broken_site(tmp_path))
    assert code == 1 and out == ""
    assert err.splitlines()[0].startswith("content/members/li-ming.yaml:2:7: 编号 `tax-win%dow` 不合规")


def test_json_lists_every_problem(tmp_path, capsys):
    code, out, err = run(capsys, "check", broken_site(tmp_path), "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert data["ok"] is False
    assert [(p["file"], p["line"], p["column"]) for p in data["problems"]] == [
        ("content/members/li-ming.yaml", 2, 7), ("content/stories/first.md", 9, 6), ("content/units/A,B.yaml", 1, 1)]
    assert data["problems"][1]["message"].startswith("疑似个人手机号码 138****5678")


def test_json_on_success_lists_external_links(tmp_path, capsys):
    code, out, err = run(capsys, "check", make_site(tmp_path), "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["ok"] is True and data["problems"] == []
    assert {"url": "https://example.org/feedback", "found_in": ["content/posts/tax-window.yaml"]} in data["external_links"]


def test_markdown_report_for_comments(tmp_path, capsys, monkeypatch):
    site = broken_site(tmp_path)
    monkeypatch.chdir(site)
    code, out, err = run(capsys, "check", "--format", "markdown")
    assert code == 1
    assert out.startswith("### 检查未通过：发现 3 个问题\n\n| 位置 | 问题（怎么改） |\n| --- | --- |\n")
    assert "| `content/stories/first.md:9:6` | 疑似个人手机号码 138****5678：" in out
    assert "| `content/units/A,B.yaml:1:1` |" in out


def test_markdown_cells_cannot_break_the_table():
    text = reports.markdown([Problem("a|b.md", 1, 2, "x | y\nz")], "发现 1 个问题")
    assert "| `a\\|b.md:1:2` | x \\| y z |" in text


def test_external_links_listed_not_fetched(tmp_path, capsys):
    code, out, err = run(capsys, "check", make_site(tmp_path), "--external")
    assert code == 0, err
    assert "外部链接（只列出，不访问）：\n  https://example.org/feedback  ← content/posts/tax-window.yaml\n" in out


def test_github_says_when_annotations_are_cut(tmp_path, capsys, monkeypatch):
    changes = {f"content/units/U{i}.yaml": "name: x\n" for i in range(12)}
    monkeypatch.chdir(make_site(tmp_path, changes))
    code, out, err = run(capsys, "check", "--format", "github")
    lines = out.splitlines()
    assert code == 1 and len(lines) == 13
    assert lines[0] == ("::notice title=site-builder check::共发现 12 个问题，GitHub 只标注前 10 个"
                        "：完整清单见本次运行的摘要（Summary）或日志。")


def test_annotations_never_have_line_0():
    """A problem that is not on a line (a folder, a template) is still placed at line 1 in the formats
    that pull requests show; a whole file is at line 1, column 1 already (errors.Problems.whole_file)."""
    folder = Problem("content/posts/sub", 0, 0, "这里不应有子文件夹")
    assert reports.github_line(folder) == "::error file=content/posts/sub,line=1::这里不应有子文件夹"
    assert json.loads(reports.gitlab([folder]))[0]["location"]["lines"]["begin"] == 1
