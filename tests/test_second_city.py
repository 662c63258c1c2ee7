"""Issue 12: what the editors of a second city, writing from docs/content-format.md alone, ran into.

Each point on a small site of its own (the mini fixture site with a few files changed).
"""

from __future__ import annotations

import json

from support.sites import MINI, make_site, run

SITE = "content/site.yaml"
POST = "content/posts/tax-window.yaml"
JAN = "content/evaluations/2025-01.yaml"
FEB = "content/evaluations/2025-02.yaml"


def text(rel: str) -> str:
    return (MINI / rel).read_text(encoding="utf-8")


def build(tmp_path, capsys, changes: dict, code: int = 0):
    site = make_site(tmp_path, changes)
    rc, out, err = run(capsys, "build", site, "-o", tmp_path / "out", "--no-cache")
    assert rc == code, err
    assert "Traceback" not in out + err
    return tmp_path / "out", out, err


def page(out, url: str) -> str:
    return (out / url / "index.html").read_text(encoding="utf-8")


def settings(**evaluation: str) -> str:
    extra = "".join(f"  {k}: {v}\n" for k, v in evaluation.items())
    return text(SITE).replace("  first_batch_end:", extra + "  first_batch_end:")


# -- 1. the approval month ------------------------------------------------------------------------------

def test_a_post_approved_on_the_last_day_of_a_month_is_first_evaluated_the_month_after(tmp_path, capsys):
    """Approved 31 January, first scores for February: with missing_month: fail it is neither revoked in
    January (it was every time before) nor shown with a row "2025年1月无考评记录" under hold."""
    approved = text(POST).replace("date: 2025-01-20", "date: 2025-01-31")
    for missing in ("fail", "hold"):
        out, _, _ = build(tmp_path / missing, capsys, {
            SITE: settings(missing_month=missing), POST: approved, JAN: None})
        post = page(out, "posts/tax-window")
        assert "2025年1月无考评" not in post and "2025年1月考评" not in post and "notice-revoked" not in post
        assert "2025年2月考评合格（91 分），加一星。" in post
        data = json.loads((out / "data/posts.json").read_text())
        assert [h["month"] for h in data["posts"][0]["history"]][:1] == ["2025-02"]


def test_approval_month_cutoff_makes_the_approval_month_due(tmp_path, capsys):
    """evaluation.approval_month_cutoff: 20 — approved on the 20th, January must be evaluated."""
    site = make_site(tmp_path, {SITE: settings(missing_month="hold", approval_month_cutoff="20"), JAN: None})
    rc, out, err = run(capsys, "build", site, "-o", tmp_path / "out", "--no-cache")
    assert rc == 0, err
    assert "2025年1月无考评记录，星级不变。" in page(tmp_path / "out", "posts/tax-window")


def test_an_evaluation_after_a_revocation_for_a_missing_month_says_why_and_what_to_do(tmp_path, capsys):
    """February has no scores, counted as a failure, one failure revokes: every later evaluation is an
    error naming the month, the rule and the remedy that keeps them (add February's scores)."""
    feb = "month: 2025-02\nposts: {}\n"
    site = make_site(tmp_path, {SITE: settings(missing_month="fail").replace("consecutive_failures: 3",
                                                                              "consecutive_failures: 1"),
                                FEB: feb})
    rc, out, err = run(capsys, "check", site)
    assert rc == 1
    for month in ("03", "04", "05"):
        assert (f"content/evaluations/2025-{month}.yaml:3:3: 示范岗 `tax-window` 已于 2025-02-28 摘牌，此后不能再有考评。"
                "摘牌的原因：2025-02 没有这个岗位的考评分数，按不合格处理（site.yaml 的 evaluation.missing_month: fail），"
                "已连续 1 个月不合格（evaluation.revoke.consecutive_failures: 1）。"
                "如果 2025-02 考评过这个岗位，请把分数补进 content/evaluations/2025-02.yaml，就不会摘牌，这一项也就有效；"
                "确实应当摘牌的，再删除这一项（摘牌后的考评不计入星级）。") in err, err
    assert "请删除这一项" not in err


def test_an_evaluation_after_a_revocation_for_a_low_score_names_the_score_and_its_file(tmp_path, capsys):
    low = text(FEB).replace("95", "50").replace("90", "50")
    site = make_site(tmp_path, {FEB: low})
    rc, out, err = run(capsys, "check", site)
    assert rc == 1
    assert ("content/evaluations/2025-03.yaml:3:3: 示范岗 `tax-window` 已于 2025-02-28 摘牌，此后不能再有考评。"
            "摘牌的原因：2025-02 考评总分 50 分，低于摘牌分数线 60 分（evaluation.revoke.below）。"
            "如果 2025-02 的分数录错了，请在 content/evaluations/2025-02.yaml 里改正，就不会摘牌，这一项也就有效；"
            "确实应当摘牌的，再删除这一项（摘牌后的考评不计入星级）。") in err, err
    assert "content/evaluations/2025-02.yaml:" not in err  # the month that caused it is never called wrong


def test_an_evaluation_after_a_revocation_by_decision_points_at_the_decision(tmp_path, capsys):
    decided = text(POST) + "revoked:\n  date: 2025-03-10\n  reason: 投诉核实\n"
    site = make_site(tmp_path, {POST: decided})
    rc, out, err = run(capsys, "check", site)
    assert rc == 1
    assert ("示范岗 `tax-window` 已于 2025-03-10 摘牌，此后不能再有考评。摘牌的原因：市先教办决定摘牌"
            "（content/posts/tax-window.yaml 的 revoked：投诉核实）。如果摘牌日期写错了，请改正 "
            "content/posts/tax-window.yaml 的 revoked.date；确实应当摘牌的，再删除这一项") in err, err


# -- 2. one member at two posts -----------------------------------------------------------------------------

CONSULT = "content/posts/tax-consult.yaml"
SECOND_POST = """\
name: 纳税咨询岗
unit: tax
declared: 2025-01-10
approval:
  date: 2025-01-20
  number: 测先教办〔2025〕2号
feedback:
  book: 大厅咨询台
  phone: 0571-86001113
"""
LI_MING = "content/members/li-ming.yaml"


def two_posts(pledges: str = "pledges:\n  tax-consult: 有问必答，答必准确\n") -> dict:
    member = text(LI_MING).replace("post: tax-window", "post: [tax-window, tax-consult]")
    member = member.replace("pledge: 群众的事再小也是大事\n", "pledge: 群众的事再小也是大事\n" + pledges)
    return {CONSULT: SECOND_POST, LI_MING: member}


def test_a_member_at_two_posts_is_on_both_posts_and_listed_once(tmp_path, capsys):
    out, printed, _ = build(tmp_path, capsys, two_posts())
    window, consult = page(out, "posts/tax-window"), page(out, "posts/tax-consult")
    assert "李明" in window and "群众的事再小也是大事" in window and "有问必答，答必准确" not in window
    assert "李明" in consult and "有问必答，答必准确" in consult and "群众的事再小也是大事" not in consult
    member = page(out, "members/li-ming")
    assert 'href="/posts/tax-window/"' in member and 'href="/posts/tax-consult/"' in member
    assert "在纳税咨询岗的承诺：" in member and "纳税咨询岗：意见和投诉" in member
    assert "<title>李明 · 办税服务窗口、纳税咨询岗 · " in member
    honours = page(out, "honours")
    assert honours.count('href="/members/li-ming/"') == 1 and "办税服务窗口、纳税咨询岗" in honours
    data = json.loads((out / "data/posts.json").read_text())
    on = {p["id"]: [m["id"] for m in p["members"]] for p in data["posts"]}
    assert "li-ming" in on["tax-window"] and on["tax-consult"] == ["li-ming"]
    assert (out / "print/members/li-ming/card/tax-window/index.html").is_file()
    consult_card = (out / "print/members/li-ming/card/tax-consult/index.html").read_text()
    assert "纳税咨询岗" in consult_card and "有问必答，答必准确" in consult_card
    assert not (out / "print/members/li-ming/card/index.html").exists()


def test_the_check_summary_counts_a_person_once(tmp_path, capsys):
    site = make_site(tmp_path, two_posts())
    rc, out, err = run(capsys, "check", site)
    assert rc == 0, err
    assert "党员 2 名公开（其中 1 名在多个岗位），另有 1 名不公开" in out, out


def test_a_member_post_list_and_its_pledges_are_checked(tmp_path, capsys):
    site = make_site(tmp_path, two_posts("pledges:\n  tax-consul: 有问必答\n"))
    rc, out, err = run(capsys, "check", site)
    assert rc == 1
    assert ("content/members/li-ming.yaml:7:3: `pledges` 里的 `tax-consul` 不是这名党员所在的示范岗（是不是想写 "
            "`tax-consult`？）：这里只能写 `post` 里的编号（tax-window、tax-consult），请改正或删除这一项。") in err, err
    member = text(LI_MING).replace("post: tax-window", "post: {tax-window: 1}")
    site = make_site(tmp_path / "map", {LI_MING: member})
    rc, out, err = run(capsys, "check", site)
    assert rc == 1
    assert "content/members/li-ming.yaml:2:1: 这里应为一个编号，或编号的列表（写成 [a, b]），却写成了键值表。" in err, err
    member = text(LI_MING).replace("post: tax-window", "post: [tax-window, tax-window]")
    site = make_site(tmp_path / "twice", {LI_MING: member})
    rc, out, err = run(capsys, "check", site)
    assert rc == 1 and "`tax-window` 重复" in err, err


# -- 10. boards and pages --------------------------------------------------------------------------------------

def test_a_pledge_with_its_own_quotation_marks_is_not_quoted_again(tmp_path, capsys):
    member = text(LI_MING).replace("pledge: 群众的事再小也是大事", "pledge: “还有什么能帮您”")
    out, _, _ = build(tmp_path, capsys, {LI_MING: member})
    board = (out / "print/posts/tax-window/board/index.html").read_text()
    card = (out / "print/members/li-ming/card/index.html").read_text()
    for html in (board, card):
        assert "“还有什么能帮您”" in html and "““" not in html and "””" not in html
    assert "“一次讲清，一次办好”" in board  # a plain pledge is quoted


def test_a_story_summary_leaves_out_headings_and_images_have_their_size(tmp_path, capsys):
    story = text("content/stories/first.md").replace(
        "## 每天早到半小时\n\n", "## 每天早到半小时\n\n急诊室里等了 62 分钟。\n\n## 先救治，后付费\n\n"
        "![王芳在窗口](../images/wang.png)\n\n")
    out, _, _ = build(tmp_path, capsys, {"content/stories/first.md": story})
    html = page(out, "stories/first")
    assert '<meta name="description" content="急诊室里等了 62 分钟。王芳往前多走一步，回头看看群众。' in html
    assert "每天早到半小时" not in html.split('name="description"')[1].split(">")[0]
    img = html.split('alt="王芳在窗口"')[0].rsplit("<img", 1)[1] + html.split('alt="王芳在窗口"')[1].split(">")[0]
    assert 'width="' in img and 'height="' in img and 'srcset="/media/' in img and 'sizes="' in img


def test_import_does_not_name_a_post_before_its_first_evaluated_month(tmp_path, capsys):
    """A post approved in June (on the 30th or the 1st) is not "missing" from June's table: its first evaluated
    month is July; with approval_month_cutoff: 10 the one approved on the 1st is due in June."""
    from support.xlsx import write_xlsx

    def post(day: str) -> str:
        return ("name: 导税服务岗\nunit: tax\ndeclared: 2025-01-10\n"
                f"approval: {{date: 2025-06-{day}, number: 测先教办〔2025〕2号}}\n"
                "feedback: {book: 大厅入口, phone: 0571-86001113}\n")
    rows = [["岗位编号", "评价来源", "政治思想", "工作业绩", "优质服务", "示范作用"]] + [
        ["tax-window", source, 95, 94, 96, 93] for source in ("党员自评", "群众测评", "组织考评")]
    for day in ("30", "01"):
        site = make_site(tmp_path / day, {"content/posts/tax-guide.yaml": post(day)})
        code, out, err = run(capsys, "import", "evaluations", write_xlsx(tmp_path / f"{day}.xlsx", rows), site,
                             "--month", "2025-06")
        assert code == 0, err
        assert "tax-guide" not in err, err
    site = make_site(tmp_path / "cutoff", {"content/posts/tax-guide.yaml": post("01"),
                                           SITE: settings(approval_month_cutoff="10")})
    code, out, err = run(capsys, "import", "evaluations", write_xlsx(tmp_path / "c.xlsx", rows), site, "--month", "2025-06")
    assert code == 0 and "在创岗位不在表格里" in err and "tax-guide" in err, err


def test_a_truncated_photo_is_refused_even_after_weasyprint_was_imported(tmp_path, capsys):
    """WeasyPrint sets Pillow's LOAD_TRUNCATED_IMAGES for the whole process when imported (the pdf verb, or a test
    before this one): photo checks must not depend on it."""
    from PIL import ImageFile

    data = (MINI / "content/images/wang.png").read_bytes()
    saved, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, True
    try:
        site = make_site(tmp_path, {"content/images/wang.png": data[: len(data) // 2]})
        rc, out, err = run(capsys, "check", site)
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = saved
    assert rc == 1 and "图片已损坏或不完整" in err, err
