"""The privacy guard: personal ID-card and mobile numbers in content are errors, masked, at file:line:col."""

import datetime as dt

import pytest

from site_builder.content import privacy
from support.sites import make_site, run

STORY = "content/stories/first.md"
POST = "content/posts/tax-window.yaml"
SITE = "content/site.yaml"

# 11010519491231002X is the standard's own example number (GB 11643-1999); the others are made up.
VALID_ID = "11010519491231002X"
BAD_CHECKSUM_ID = "110105194912310021"


def story_with(line: str) -> str:
    return ("---\ntitle: 窗口里的笑脸\ndate: 2025-03-01\nauthor: 宣传部\n---\n"
            "王芳往前多走一步。\n\n" + line + "\n")


def check(tmp_path, capsys, changes):
    site = make_site(tmp_path, changes)
    return run(capsys, "check", site)


@pytest.mark.parametrize("number, ok", [
    (VALID_ID, True),
    ("11010519491231002x", True),
    (BAD_CHECKSUM_ID, False),  # wrong check character: some other 18-digit number
    ("110105194913310023", False),  # month 13
    ("110105230001010017", False),  # born in the future (year 2300)
    ("01010519491231002X", False),
])
def test_valid_id(number, ok):
    assert privacy.valid_id(number, today=dt.date(2025, 6, 1)) is ok


def test_find_positions_and_masks():
    text = "第一行\n联系：13812345678 或 139-0000-1111；证件 11010519491231002X。\n"
    hits = privacy.find(text, "x.md")
    assert [(h.line, h.col, h.kind, h.masked) for h in hits] == [
        (2, 35, "id", "1101**********002X"),
        (2, 4, "mobile", "138****5678"),
        (2, 18, "mobile", "139****1111"),
    ]


def test_mobile_inside_a_longer_number_is_not_a_phone():
    assert privacy.find("流水号 2013812345678901 与 913812345678", "x.md") == []


def test_story_with_id_number_and_mobile_fails_masked(tmp_path, capsys):
    code, out, err = check(tmp_path, capsys, {STORY: story_with(f"联系人 13812345678，证件号 {VALID_ID}。")})
    assert code == 1
    lines = [line for line in err.splitlines() if line.startswith(STORY)]
    assert lines == [
        f"{STORY}:8:5: 疑似个人手机号码 138****5678：网站和内容仓库都是公开的，除岗位投诉电话（feedback.phone）"
        "和主办单位电话（organisation.phone）外不能写手机号码。请删除，或改写为公开的投诉电话。",
        f"{STORY}:8:21: 疑似公民身份号码 1101**********002X：身份证号不能写进网站内容（网站和内容仓库都是公开的）。"
        "请删除；需要存档的请放在内部档案里。",
    ]
    assert "13812345678" not in err + out and VALID_ID not in err + out


def test_bad_checksum_id_is_ignored(tmp_path, capsys):
    code, out, err = check(tmp_path, capsys, {STORY: story_with(f"办件编号 {BAD_CHECKSUM_ID}。")})
    assert code == 0, err


def test_id_number_in_a_yaml_comment_is_caught(tmp_path, capsys):
    text = (make_site(tmp_path / "a") / "content/members/li-ming.yaml").read_text(encoding="utf-8")
    code, out, err = check(tmp_path, capsys, {"content/members/li-ming.yaml": text + f"# 身份证 {VALID_ID}\n"})
    assert code == 1
    assert "content/members/li-ming.yaml:10:7: 疑似公民身份号码 1101**********002X" in err


def test_public_complaint_phone_may_be_a_mobile(tmp_path, capsys):
    post = (make_site(tmp_path / "a") / POST).read_text(encoding="utf-8").replace("0571-86001111", '"13900001111"')
    code, out, err = check(tmp_path, capsys, {
        POST: post,
        # the same public number repeated in a story is not a leak
        STORY: story_with("投诉电话 139-0000-1111。"),
    })
    assert code == 0, err


def test_mobile_in_another_post_field_is_an_error(tmp_path, capsys):
    post = (make_site(tmp_path / "a") / POST).read_text(encoding="utf-8").replace(
        "book: 大厅入口左侧", "book: 大厅入口左侧，找王芳 13812345678")
    code, out, err = check(tmp_path, capsys, {POST: post})
    assert code == 1
    assert f"{POST}:9:20: 疑似个人手机号码 138****5678" in err


def test_organisation_phone_may_be_a_mobile(tmp_path, capsys):
    site = (make_site(tmp_path / "a") / SITE).read_text(encoding="utf-8").replace("0571-86000001", '"137 0000 1234"')
    code, out, err = check(tmp_path, capsys, {SITE: site})
    assert code == 0, err


def test_full_width_digits_are_caught():
    hits = privacy.find("电话１３８１２３４５６７８", "x.md")
    assert [(h.col, h.kind, h.masked) for h in hits] == [(3, "mobile", "138****5678")]


def test_a_site_template_cannot_show_private_records(tmp_path, capsys):
    """The public page's records are chosen in pages/web.py, not in the template a site may replace."""
    site = make_site(tmp_path, {"templates/member.html":
                                "{% for r in records %}<p>{{ r.text }}</p>{% endfor %}{{ member.name }}"})
    code, _, err = run(capsys, "build", site, "-o", tmp_path / "out", "-q")
    assert code == 0, err
    page = (tmp_path / "out/members/wang-fang/index.html").read_text(encoding="utf-8")
    assert "二月办件 200 件，无差错。" in page and "内部记录，不公开。" not in page
