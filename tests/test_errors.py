"""One small broken site per class of error: exit code 1 and the exact ``path:line:col: message``.

Each site is the mini fixture site with one file changed; the published output must stay untouched.
"""

import pytest

from support.sites import GOOD_MEMBER, make_site, run, tree

UNIT = "content/units/tax.yaml"
POST = "content/posts/tax-window.yaml"
MEMBER = "content/members/li-ming.yaml"
STORY = "content/stories/first.md"



def check(tmp_path, capsys, changes, *expected: str, code: int = 1) -> str:
    site = make_site(tmp_path, changes)
    rc, out, err = run(capsys, "check", site)
    assert rc == code, err
    for line in expected:
        assert line in err, f"expected {line!r} in:\n{err}"
    assert "Traceback" not in err + out
    return err


def member(text: str) -> dict:
    return {MEMBER: text}


# -- YAML itself ----------------------------------------------------------------------------------

def test_yaml_syntax_error_names_line(tmp_path, capsys):
    check(tmp_path, capsys, member(GOOD_MEMBER.replace("position: 窗口负责人", "position: [窗口负责人")),
          "content/members/li-ming.yaml:4:")


def test_tab_indentation(tmp_path, capsys):
    check(tmp_path, capsys, member(GOOD_MEMBER.replace("  items:", "\titems:")),
          "content/members/li-ming.yaml:7:1: YAML 不能用制表符（Tab）缩进，请改用空格。")


def test_duplicate_key_reported_at_second_key(tmp_path, capsys):
    check(tmp_path, capsys, member(GOOD_MEMBER + "name: 李明明\n"),
          "content/members/li-ming.yaml:9:1: 键 `name` 重复（第一次出现在第 1 行）")


def test_anchors_and_aliases_refused(tmp_path, capsys):
    text = GOOD_MEMBER.replace("position: 窗口负责人", "position: &p 窗口负责人") + "pledge2: *p\n"
    check(tmp_path, capsys, member(text), "content/members/li-ming.yaml:3:11: 不允许使用 YAML 锚点和别名")


def test_python_tag_refused(tmp_path, capsys):
    text = GOOD_MEMBER.replace("position: 窗口负责人", "position: !!python/object/apply:os.system [id]")
    check(tmp_path, capsys, member(text), "content/members/li-ming.yaml:3:11: 不允许使用 YAML 标签 `!!python/object/apply:os.system`")


def test_gbk_file(tmp_path, capsys):
    err = check(tmp_path, capsys, {MEMBER: GOOD_MEMBER.encode("gbk")}, "content/members/li-ming.yaml:1:")
    assert "不是 UTF-8 编码" in err and "GBK" in err


def test_byte_order_mark_is_accepted(tmp_path, capsys):
    site = make_site(tmp_path, {MEMBER: b"\xef\xbb\xbf" + GOOD_MEMBER.encode()})
    assert run(capsys, "check", site)[0] == 0


def test_empty_file(tmp_path, capsys):
    check(tmp_path, capsys, member("# 只有注释\n"), "content/members/li-ming.yaml:1:1: 内容是空的")


def test_wrong_top_level_type(tmp_path, capsys):
    check(tmp_path, capsys, member("- 李明\n- 王芳\n"), "content/members/li-ming.yaml:1:1: 这里应为键值表")


# -- the schema -----------------------------------------------------------------------------------

def test_unknown_key_suggests_nearest(tmp_path, capsys):
    check(tmp_path, capsys, member(GOOD_MEMBER.replace("pledge:", "pleadge:")),
          "content/members/li-ming.yaml:5:1: 不认识的键 `pleadge`（是不是想写 `pledge`？）",
          "content/members/li-ming.yaml:1:1: 缺少必填的键 `pledge`")


def test_yaml_11_boolean_where_text_expected(tmp_path, capsys):
    check(tmp_path, capsys, member(GOOD_MEMBER.replace("position: 窗口负责人", "position: no")),
          "content/members/li-ming.yaml:3:11: YAML 会把 `no` 读成真假值，而这里需要文字：请加引号，写成 \"no\"。")


def test_yaml_11_octal_where_integer_expected(tmp_path, capsys):
    check(tmp_path, capsys, member(GOOD_MEMBER + "order: 0755\n"),
          "content/members/li-ming.yaml:9:8: 这里应为整数，`0755` 不是")


def test_yaml_11_sexagesimal_where_text_expected(tmp_path, capsys):
    text = open_post().replace("unit: tax", "unit: tax\nlocation: 12:30")
    check(tmp_path, capsys, {POST: text}, "content/posts/tax-window.yaml:4:11: YAML 会把 `12:30` 读成整数")


def test_wrong_type(tmp_path, capsys):
    check(tmp_path, capsys, member(GOOD_MEMBER.replace("pledge: 群众的事再小也是大事", "pledge: [a, b]")),
          "content/members/li-ming.yaml:5:9: 这里应为文字，却写成了列表。")


def test_out_of_range_score(tmp_path, capsys):
    text = ("month: 2025-01\nposts:\n  tax-window:\n"
            "    self: {politics: 101, performance: 95, service: 95, exemplary: 95}\n"
            "    public: {politics: 90, performance: 90, service: 90, exemplary: 90}\n"
            "    organisation: {politics: 90, performance: 90, service: 90, exemplary: 90}\n")
    check(tmp_path, capsys, {"content/evaluations/2025-01.yaml": text},
          "content/evaluations/2025-01.yaml:4:22: 101 超出范围：应在 0 到 100 之间。")


def test_missing_source(tmp_path, capsys):
    text = ("month: 2025-01\nposts:\n  tax-window:\n"
            "    self: {politics: 95, performance: 95, service: 95, exemplary: 95}\n"
            "    public: {politics: 90, performance: 90, service: 90, exemplary: 90}\n")
    check(tmp_path, capsys, {"content/evaluations/2025-01.yaml": text},
          "content/evaluations/2025-01.yaml:3:3: 缺少必填的键 `organisation`")


def test_invalid_date(tmp_path, capsys):
    check(tmp_path, capsys, member(GOOD_MEMBER.replace("2025-01-05", "2025-02-30")),
          "content/members/li-ming.yaml:8:13: 日期 `2025-02-30` 不存在")


def test_text_too_long(tmp_path, capsys):
    check(tmp_path, capsys, member(GOOD_MEMBER.replace("群众的事再小也是大事", "长" * 41)),
          "content/members/li-ming.yaml:5:9: 文字太长：41 个字，最多 40 个字。")


def test_pledge_on_two_lines_says_one_line_and_every_other_problem(tmp_path, capsys):
    """A `pledge: |` of two lines is one problem of its own ("one line", with the line to write), not an
    invisible character U+000A; the length is still checked, on the text as one line."""
    two = "pledge: |\n  群众的事再小也是大事，\n  一次办好。\n"
    err = check(tmp_path, capsys, member(GOOD_MEMBER.replace("pledge: 群众的事再小也是大事\n", two)),
                "content/members/li-ming.yaml:5:9: 这里只能写一行，现在写成了 2 行：请去掉冒号后面的 `|` 或 `>`，"
                "把文字接在冒号后面写成一行：群众的事再小也是大事，一次办好。")
    assert "U+000A" not in err and "文字太长" not in err
    long = "pledge: |\n  群众的事再小也是大事，\n  多跑一步路，让群众少跑一趟，一次办好每一件事情，让群众满意而归。\n"
    err = check(tmp_path / "long", capsys, member(GOOD_MEMBER.replace("pledge: 群众的事再小也是大事\n", long)),
                "content/members/li-ming.yaml:5:9: 文字太长：43 个字，最多 40 个字。请精简。",
                "content/members/li-ming.yaml:5:9: 这里只能写一行，现在写成了 2 行")
    assert "U+000A" not in err
    # a Latin pledge joins with a space, and a value YAML would misread is shown quoted
    check(tmp_path / "latin", capsys, member(GOOD_MEMBER.replace("pledge: 群众的事再小也是大事\n",
                                                                 "pledge: |\n  Serve: first\n  and always\n")),
                '这里只能写一行，现在写成了 2 行：请去掉冒号后面的 `|` 或 `>`，把文字接在冒号后面写成一行："Serve: first and always"')


def test_invisible_characters(tmp_path, capsys):
    check(tmp_path, capsys, member(GOOD_MEMBER.replace("李明", "李\u202e明", 1)),
          "content/members/li-ming.yaml:1:7: 文字中有不可见或控制字符 U+202E")


def test_bad_file_name(tmp_path, capsys):
    check(tmp_path, capsys, {"content/members/Li_Ming.yaml": GOOD_MEMBER},
          "content/members/Li_Ming.yaml:1:1: 文件名就是编号。编号 `Li_Ming` 不合规")


def test_yml_extension(tmp_path, capsys):
    check(tmp_path, capsys, {"content/members/li-ming.yaml": None, "content/members/li-ming.yml": GOOD_MEMBER},
          "content/members/li-ming.yml:1:1: 文件扩展名不对：请改名为 `li-ming.yaml`。")


def test_unknown_content_folder(tmp_path, capsys):
    check(tmp_path, capsys, {"content/member/x.yaml": GOOD_MEMBER}, "content/member: content/ 里不认识这个文件或文件夹")


def test_weights_must_add_up(tmp_path, capsys):
    site_yaml = (make_site(tmp_path / "a") / "content/site.yaml").read_text()
    text = site_yaml.replace("sources: {self: 0.2,", "sources: {self: 0.3,")
    check(tmp_path, capsys, {"content/site.yaml": text}, "content/site.yaml:14:3: 评价来源的权重合计应为 1，现在是 1.1")


# -- references and cross-record rules ---------------------------------------------------------

def open_post() -> str:
    from support.sites import MINI
    return (MINI / POST).read_text(encoding="utf-8")


def test_reference_to_missing_record(tmp_path, capsys):
    check(tmp_path, capsys, member(GOOD_MEMBER.replace("post: tax-window", "post: tax-windw")),
          "content/members/li-ming.yaml:2:1: 找不到示范岗 `tax-windw`（是不是想写 `tax-window`？）")


def test_unit_district_must_be_declared(tmp_path, capsys):
    text = "name: 单位\nbranch: 支部\ndistrict: north\nsector: window\n"
    check(tmp_path, capsys, {UNIT: text}, "content/units/tax.yaml:3:1: 区县编号 `north` 不在 site.yaml 的 districts 里")


def test_two_files_for_one_month(tmp_path, capsys):
    from support.sites import MINI
    text = (MINI / "content/evaluations/2025-01.yaml").read_text()
    check(tmp_path, capsys, {"content/evaluations/2025-01-again.yaml": text},
          "content/evaluations/2025-01-again.yaml:1:1: 2025-01 的考评已写在 content/evaluations/2025-01.yaml 里")


def test_evaluation_of_unapproved_post(tmp_path, capsys):
    text = ("month: 2025-01\nposts:\n  tax-declared:\n"
            + "".join(f"    {s}: {{politics: 90, performance: 90, service: 90, exemplary: 90}}\n"
                      for s in ("self", "public", "organisation")))
    check(tmp_path, capsys, {"content/evaluations/2025-01.yaml": text},
          "content/evaluations/2025-01.yaml:3:3: 示范岗 `tax-declared` 尚未批复，不能考评")


def test_evaluation_before_approval(tmp_path, capsys):
    text = open_post().replace("date: 2025-01-20", "date: 2025-02-20")
    check(tmp_path, capsys, {POST: text},
          "content/evaluations/2025-01.yaml:3:3: 示范岗 `tax-window` 2025-02-20 才批复，不能有 2025-01 的考评。")


def test_evaluation_after_revocation(tmp_path, capsys):
    text = open_post() + "revoked:\n  date: 2025-03-10\n  reason: 投诉核实\n"
    check(tmp_path, capsys, {POST: text},
          "content/evaluations/2025-03.yaml:3:3: 示范岗 `tax-window` 已于 2025-03-10 摘牌，此后不能再有考评",
          "content/evaluations/2025-05.yaml:3:3:")


def test_story_may_not_name_a_member_without_consent(tmp_path, capsys):
    from support.sites import MINI
    text = (MINI / STORY).read_text().replace("members: [wang-fang]", "members: [wang-fang, hidden]")
    check(tmp_path, capsys, {STORY: text},
          "content/stories/first.md:6:1: 文中写到的党员 `hidden` 本人未同意公开")


def test_story_may_not_name_an_unapproved_post(tmp_path, capsys):
    from support.sites import MINI
    text = (MINI / STORY).read_text().replace("posts: [tax-window]", "posts: [tax-declared]")
    check(tmp_path, capsys, {STORY: text}, "content/stories/first.md:5:1: 文中写到的示范岗 `tax-declared` 尚未批复")


def test_front_matter_without_closing_fence(tmp_path, capsys):
    check(tmp_path, capsys, {STORY: "---\ntitle: 标题\ndate: 2025-03-01\nauthor: 宣传部\n\n正文\n"},
          "content/stories/first.md:1:1: 开头的信息块从第 1 行的 `---` 开始，但没有结束的 `---`")


def test_front_matter_without_opening_fence(tmp_path, capsys):
    check(tmp_path, capsys, {STORY: "title: 标题\ndate: 2025-03-01\n---\n正文\n"},
          "content/stories/first.md:1:1: 文件开头的信息（标题、日期等）必须放在两行 `---` 之间")


def test_front_matter_scalar_instead_of_mapping(tmp_path, capsys):
    check(tmp_path, capsys, {STORY: "---\n只是一句话\n---\n正文\n"},
          "content/stories/first.md:2:1: 这里应为键值表")


def test_front_matter_error_line_is_the_file_line(tmp_path, capsys):
    check(tmp_path, capsys, {STORY: "---\ntitle: 标题\ndate: 2025-13-01\nauthor: 宣传部\n---\n正文\n"},
          "content/stories/first.md:3:7: 日期 `2025-13-01` 不存在")


def test_broken_internal_link_in_story(tmp_path, capsys):
    body = "---\ntitle: 标题\ndate: 2025-03-01\nauthor: 宣传部\n---\n第一段。\n\n见[岗位](../posts/nope.yaml)。\n"
    check(tmp_path, capsys, {STORY: body}, "content/stories/first.md:8:7: 链接 `../posts/nope.yaml` 找不到对应的内容")


def test_missing_photo(tmp_path, capsys):
    check(tmp_path, capsys, {"content/images/wang.png": None},
          "content/members/wang-fang.yaml:6:1: 找不到照片 `content/images/wang.png`")


def test_not_an_image(tmp_path, capsys):
    check(tmp_path, capsys, {"content/images/wang.png": b"<html>not a picture</html>"},
          "content/members/wang-fang.yaml:6:1: 照片 `content/images/wang.png`：这个文件不是可识别的 JPEG、PNG 或 WebP 图片")


def test_photo_path_outside_content(tmp_path, capsys):
    from support.sites import MINI
    text = (MINI / "content/members/wang-fang.yaml").read_text().replace("images/wang.png", "../../secret.png")
    check(tmp_path, capsys, {"content/members/wang-fang.yaml": text},
          "content/members/wang-fang.yaml:6:1: 照片路径 `../../secret.png` 不合规")


def test_bad_url_scheme(tmp_path, capsys):
    text = open_post().replace("https://example.org/feedback", "javascript:alert(1)")
    err = check(tmp_path, capsys, {POST: text}, "content/posts/tax-window.yaml:11:9:")
    assert "javascript" in err


def test_template_error_in_site_override(tmp_path, capsys):
    check(tmp_path, capsys, {"templates/404.html": "{% extends 'base.html' %}\n{% block main %}\n{{ nope( }}\n{% endblock %}\n"},
          "templates/404.html:3: 模板语法错误")


def test_all_problems_are_reported_at_once(tmp_path, capsys):
    err = check(tmp_path, capsys, {
        MEMBER: GOOD_MEMBER.replace("position: 窗口负责人", "position: no"),
        UNIT: "name: 单位\nbranch: 支部\ndistrict: north\nsector: window\nhall: true\n",
    }, "content/members/li-ming.yaml:3:11:", "content/units/tax.yaml:5:1: 不认识的键 `hall`")
    assert "发现 2 个问题" in err


# -- the output folder ------------------------------------------------------------------------------

def test_failed_build_leaves_previous_output_untouched(tmp_path, capsys):
    site = make_site(tmp_path)
    out = tmp_path / "out"
    assert run(capsys, "build", site, "-o", out)[0] == 0
    before = tree(out)
    (site / MEMBER).write_text(GOOD_MEMBER.replace("pledge:", "pleadge:"), encoding="utf-8")
    rc, _, err = run(capsys, "build", site, "-o", out)
    assert rc == 1 and "pleadge" in err
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"]  # no half-built sibling left


def test_successful_build_replaces_output_whole(tmp_path, capsys):
    site = make_site(tmp_path)
    out = tmp_path / "out"
    assert run(capsys, "build", site, "-o", out)[0] == 0
    (out / "stale.html").write_text("old")
    (site / "content/members/li-ming.yaml").unlink()
    assert run(capsys, "build", site, "-o", out)[0] == 0
    assert not (out / "stale.html").exists() and not (out / "members/li-ming").exists()
    assert (out / "members/wang-fang/index.html").exists()


@pytest.mark.parametrize("where", [".", "site", "site/content", "parent"])
def test_dangerous_output_folders_are_refused(tmp_path, capsys, monkeypatch, where):
    site = make_site(tmp_path)
    monkeypatch.chdir(site)
    out = {".": ".", "site": str(site), "site/content": str(site / "content"), "parent": str(tmp_path)}[where]
    rc, _, err = run(capsys, "build", site, "-o", out)
    assert rc == 2 and "输出文件夹" in err
    assert (site / "content/site.yaml").exists()


def test_foreign_non_empty_output_folder_is_refused(tmp_path, capsys):
    site = make_site(tmp_path)
    out = tmp_path / "documents"
    out.mkdir()
    (out / "thesis.docx").write_text("precious")
    rc, _, err = run(capsys, "build", site, "-o", out)
    assert rc == 2 and "不是 site-builder 生成的" in err
    assert (out / "thesis.docx").read_text() == "precious"


def test_output_holding_a_content_folder_is_refused(tmp_path, capsys):
    site = make_site(tmp_path)
    other = make_site(tmp_path / "other")
    rc, _, err = run(capsys, "build", site, "-o", other)
    assert rc == 2 and "content/" in err


def test_missing_site_folder_is_a_usage_error(tmp_path, capsys):
    rc, _, err = run(capsys, "check", tmp_path / "nowhere")
    assert rc == 2 and "找不到站点文件夹" in err


def test_duplicate_key_in_front_matter_names_file_lines(tmp_path, capsys):
    check(tmp_path, capsys, {STORY: "---\ntitle: 标题\ndate: 2025-03-01\ntitle: 又一个标题\nauthor: 宣传部\n---\n正文\n"},
          "content/stories/first.md:4:1: 键 `title` 重复（第一次出现在第 2 行）")


def test_enum_lists_the_choices(tmp_path, capsys):
    check(tmp_path, capsys, member(GOOD_MEMBER + "roles: [guider]\n"),
          "content/members/li-ming.yaml:9:9: `guider` 不是可选值（是不是想写 `guide`？）。可选：demonstrator（示范员）、")


def test_evaluation_of_a_post_whose_file_is_broken_does_not_cascade(tmp_path, capsys):
    err = check(tmp_path, capsys, {POST: open_post().replace("name:", "nmae:")},
                "content/posts/tax-window.yaml:1:1: 不认识的键 `nmae`")
    assert "找不到示范岗" not in err and "evaluations" not in err
