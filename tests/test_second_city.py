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
