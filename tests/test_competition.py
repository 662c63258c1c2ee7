"""The competition (开展一项竞赛, issue 15): the ranking rules as pure functions, the content format's
errors with file:line:column, the sample city's competition, its pages and open data, and a warm build
after an indicator file was edited.

Browser tests (360 px, axe) are in tests/test_competition_browser.py; PDFs and import in
tests/test_competition_print.py.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import jsonschema
import pytest

from site_builder.model import competition as C
from site_builder.model.competition import Award, AwardNames, Group, Indicator, Rules, Spec
from site_builder.incremental.pipeline import build_model
from site_builder.pages import competition as pages_competition
from support.sites import ROOT, make_site, run, tree
from test_citizen import sample  # noqa: F401  (the sample city, built once)


def ind(id="x", better="higher", weight=1.0, normalise="min_max", unit="件", source="entered", decimals=0):
    return Indicator(id, id, source, unit, better, weight, normalise, decimals)


# -- the rules, as pure functions -----------------------------------------------------------------------------

def test_equal_scores_share_a_rank_and_the_next_rank_is_skipped():
    ranks = C.rank({"a": 90.0, "b": 95.5, "c": 95.5, "d": 80.0})
    assert ranks == {"b": (1, True), "c": (1, True), "a": (3, False), "d": (4, False)}


def test_scores_are_compared_to_two_decimals():
    assert C.rank({"a": 97.554, "b": 97.546})["a"] == (1, True)  # both 97.55: 并列
    assert C.rank({"a": 97.556, "b": 97.546}) == {"a": (1, False), "b": (2, False)}


def test_min_max_gives_the_best_100_and_the_worst_0():
    assert C.normalise("min_max", "higher", {"a": 10, "b": 20, "c": 15}) == {"a": 0.0, "b": 100.0, "c": 50.0}
    assert C.normalise("min_max", "higher", {"a": 7, "b": 7}) == {"a": 100.0, "b": 100.0}  # all equal
    assert C.normalise("min_max", "higher", {"a": 3}) == {"a": 100.0}


def test_a_lower_is_better_indicator_turns_round():
    assert C.normalise("min_max", "lower", {"a": 0, "b": 4, "c": 2}) == {"a": 100.0, "b": 0.0, "c": 50.0}
    assert C.normalise("rank", "lower", {"a": 0, "b": 4, "c": 2}) == {"a": 100.0, "b": 0.0, "c": 50.0}
    assert C.normalise("none", "lower", {"a": 1.5, "b": 12.0}) == {"a": 98.5, "b": 88.0}


def test_none_takes_a_0_to_100_value_as_it_is():
    assert C.normalise("none", "higher", {"a": 98.5, "b": 12.0}) == {"a": 98.5, "b": 12.0}


def test_per_member_divides_by_the_members_before_comparing():
    # 300 cases by 3 members is as good as 100 by 1; 150 by 3 is the worst
    points = C.normalise("per_member", "higher", {"big": 300, "small": 100, "slow": 150},
                         {"big": 3, "small": 1, "slow": 3})
    assert points == {"big": 100.0, "small": 100.0, "slow": 0.0}
    assert C.normalise("per_member", "higher", {"none": 10, "one": 5}, {"none": 0, "one": 1}) == {
        "none": 100.0, "one": 0.0}  # no public member counts as one


def test_rank_normalisation_spaces_the_places_evenly_and_ties_share():
    assert C.normalise("rank", "higher", {"a": 9, "b": 5, "c": 5, "d": 1, "e": 0}) == {
        "a": 100.0, "b": 75.0, "c": 75.0, "d": 25.0, "e": 0.0}
    assert C.normalise("rank", "higher", {"a": 1}) == {"a": 100.0}


def test_a_month_score_is_the_weighted_sum_and_a_missing_value_skips_or_counts_zero():
    two = [ind("a", weight=0.25), ind("b", weight=0.75)]
    assert C.month_score(two, [100.0, 60.0], "skip") == 70.0
    assert C.month_score(two, [100.0, None], "skip") is None
    assert C.month_score(two, [100.0, None], "zero") == 25.0


def test_quarters_run_three_months_from_the_start():
    assert C.quarters_of("2025-03", "2025-10") == (("2025-03", "2025-04", "2025-05"), ("2025-06", "2025-07", "2025-08"),
                                                   ("2025-09", "2025-10"))


MONTHS = ("2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06")


def run_rules(values: dict, *, indicators=None, rules=Rules(min_months=3), taking_part=None, months=MONTHS,
              members=None, end="2025-06"):
    """compute() over one group of the posts in ``values`` ({post: [value per month or None]})."""
    indicators = indicators or [ind()]
    posts = tuple(sorted(values))
    spec = Spec(tuple(indicators), rules, AwardNames(), (Group("g", "组", posts),), C.quarters_of(months[0], end), end)
    table = {}
    for p, series in values.items():
        for m, v in zip(months, series):
            if v is not None:
                table[p, m] = tuple(v) if isinstance(v, (tuple, list)) else (v,)
    part = {p: frozenset(taking_part.get(p, months) if taking_part else months) for p in posts}
    return C.compute(spec, list(months), {p: "u-" + p for p in posts}, part, table, members or {})


def standings(results, month):
    found = next(r for r in results if r.month == month)
    return {e.post: e for e in found.groups[0].entries}


def test_the_standings_average_the_month_scores_so_far():
    # min-max over three posts: each month the best 100, the worst 0
    results = run_rules({"a": [3, 3, 1, 1, 1, 1], "b": [2, 1, 3, 3, 3, 3], "c": [1, 2, 2, 2, 2, 2]})
    s = standings(results, "2025-02")
    assert (s["a"].score, s["b"].score, s["c"].score) == (100.0, 25.0, 25.0)
    assert (s["a"].rank, s["b"].rank, s["b"].tied, s["c"].rank) == (1, 2, True, 2)
    s = standings(results, "2025-06")
    assert s["b"].rank == 1 and s["a"].rank == 3  # b climbs, a falls
    assert s["a"].month_score == 0.0 and s["b"].month_rank == 1


def test_movement_compares_with_last_months_standings():
    results = run_rules({"a": [3, 3, 1, 1, 1, 1], "b": [2, 1, 3, 3, 3, 3], "c": [1, 2, 2, 2, 2, 2]})
    first = standings(results, "2025-01")
    assert all(e.movement is None and not e.new for e in first.values())  # nothing to compare with yet
    s = standings(results, "2025-04")  # averages a 50, b 62.5, c 37.5 after a 66.67, b 50, c 33.33
    assert (s["b"].rank, s["b"].movement) == (1, 1)
    assert (s["a"].rank, s["a"].movement) == (2, -1)
    assert (s["c"].rank, s["c"].movement) == (3, 0)
    s = standings(results, "2025-05")  # a 40, b 70, c 40: c draws level with a
    assert (s["c"].rank, s["c"].tied, s["c"].movement) == (2, True, 1)


def test_a_post_needs_min_months_with_a_score_to_be_ranked():
    late = ("2025-04", "2025-05", "2025-06")  # approved in April
    results = run_rules({"a": [1, 1, 1, 1, 1, 1], "late": [None, None, None, 9, 9, 9]},
                        taking_part={"late": late})
    s = standings(results, "2025-04")
    assert s["late"].rank is None and s["late"].unranked == "min_months" and s["late"].months == 1
    assert s["late"].month_rank == 1  # the month itself is ranked: it was the best in April
    s = standings(results, "2025-06")
    assert s["late"].rank == 1 and s["late"].new and s["late"].months == 3
    # in the first months of the competition, every month so far is enough
    assert standings(results, "2025-01")["a"].rank == 1


def test_a_missing_month_is_skipped_or_counts_zero():
    values = {"a": [5, None, 5], "b": [1, 1, 1]}
    months = MONTHS[:3]
    skip = standings(run_rules(values, months=months, end="2025-03", rules=Rules(min_months=2)), "2025-03")
    assert skip["a"].months == 2 and skip["a"].score == 100.0 and skip["a"].rank == 1
    zero = standings(run_rules(values, months=months, end="2025-03", rules=Rules(min_months=2, missing="zero")),
                     "2025-03")
    assert zero["a"].months == 3 and zero["a"].score == 66.67 and zero["a"].rank == 1
    assert zero["b"].score == 33.33  # February: b alone has a value, so b gets 100


def test_a_post_without_any_score_is_listed_unranked():
    s = standings(run_rules({"a": [1] * 6, "b": [None] * 6}), "2025-06")
    assert s["b"].rank is None and s["b"].unranked == "no_score" and s["b"].score is None


def test_a_post_that_left_is_out_of_the_standings():
    results = run_rules({"a": [1] * 6, "gone": [9, 9, None, None, None, None]},
                        taking_part={"gone": ("2025-01", "2025-02")})
    assert "gone" in standings(results, "2025-02") and "gone" not in standings(results, "2025-03")


def test_several_indicators_with_weights():
    two = [ind("cases", weight=0.5), ind("bad", better="lower", weight=0.5, normalise="rank", unit="条")]
    s = standings(run_rules({"a": [(100, 0)] * 6, "b": [(200, 5)] * 6, "c": [(150, 5)] * 6}, indicators=two),
                  "2025-01")
    # a: cases 0, bad 100 → 50; b: cases 100, bad tied second of three (50) → 75; c: cases 50, bad 50 → 50
    assert {p: e.month_score for p, e in s.items()} == {"a": 50.0, "b": 75.0, "c": 50.0}
    assert (s["a"].rank, s["a"].tied, s["c"].rank, s["c"].tied) == (2, True, 2, True)
    assert s["b"].points == (100.0, 50.0) and s["b"].values == (200, 5)


def awards(results, kind=None):
    return [(a.kind, a.month, a.post, a.tied, a.number) for r in results for a in r.awards
            if kind is None or a.kind == kind]


def test_the_red_flag_goes_to_the_first_of_each_month_and_is_shared_on_a_tie():
    results = run_rules({"a": [3, 2, 1, 2, 2, 2], "b": [1, 2, 3, 1, 1, 1]}, rules=Rules(min_months=1))
    assert awards(results, "month")[:4] == [("month", "2025-01", "a", False, None), ("month", "2025-02", "a", True, None),
                                            ("month", "2025-02", "b", True, None), ("month", "2025-03", "b", False, None)]
    assert results[0].awards[0].name == "月度流动红旗"


def test_quarter_and_period_awards_are_decided_when_their_last_month_is_in():
    results = run_rules({"a": [3, 3, 3, 1, 1, 1], "b": [1, 1, 1, 3, 3, 2]}, rules=Rules(min_months=2))
    assert awards(results, "quarter") == [("quarter", "2025-03", "a", False, 1), ("quarter", "2025-06", "b", False, 2)]
    quarter = next(a for r in results for a in r.awards if a.kind == "quarter")
    assert quarter.months == ("2025-01", "2025-02", "2025-03") and quarter.score == 100.0
    assert awards(results, "period") == [("period", "2025-06", "a", True, None), ("period", "2025-06", "b", True, None)]
    # before the end month, no period award; before a quarter's last month, no quarter award
    assert awards(results[:5], "period") == [] and len(awards(results[:5], "quarter")) == 1


def test_a_quarter_award_needs_min_months_in_the_quarter():
    results = run_rules({"a": [1, 1, 1, 1, 1, 1], "late": [None, None, 9, 9, 9, 9]},
                        taking_part={"late": MONTHS[2:]}, rules=Rules(min_months=2))
    first = [a for a in awards(results, "quarter") if a[1] == "2025-03"]
    assert first == [("quarter", "2025-03", "a", False, 1)]  # late had one month of the first quarter


def test_the_unit_table_averages_a_units_ranked_posts():
    entries = [C.Entry(p, u, r, False, s, 3, s, r, False, (), (), None, False, None)
               for p, u, r, s in (("a1", "ua", 1, 90.0), ("a2", "ua", 3, 70.0), ("b1", "ub", 2, 85.0))]
    entries.append(C.Entry("b2", "ub", None, False, 10.0, 1, 10.0, None, False, (), (), None, False, "min_months"))
    table = C.unit_table(entries)
    assert [(u.unit, u.rank, u.score, u.posts, u.best) for u in table] == [("ub", 1, 85.0, 1, "b1"),
                                                                           ("ua", 2, 80.0, 2, "a1")]


def test_results_are_frozen():
    results = run_rules({"a": [1] * 6})
    with pytest.raises(AttributeError):
        results[0].month = "2030-01"
    with pytest.raises(AttributeError):
        results[0].groups[0].entries[0].rank = 5


# -- the content format: one broken site per class of error ----------------------------------------------------

COMPETITION = """\
name: 测试竞赛
start: 2025-01
end: 2025-06
group_by: all
indicators:
  - id: cases
    name: 办件量
    unit: 件
    weight: 0.5
    normalise: per_member
  - id: rate
    name: 一次办结率
    unit: "%"
    weight: 0.3
    normalise: none
    decimals: 1
  - id: stars
    name: 星级
    source: stars
    weight: 0.2
rules:
  min_months: 2
"""
HALL = """\
name: 办税咨询岗
kind: post
unit: tax
declared: 2025-01-10
approval: {date: 2025-01-20, number: 测先教办〔2025〕2号}
feedback: {book: 大厅入口左侧, phone: 0571-86001111}
"""
VALUES = "month: {month}\nposts:\n  tax-window: {{cases: {a}, rate: 98.5}}\n  tax-hall: {{cases: {b}, rate: 97.0}}\n"


def competition_site(tmp_path, changes=None):
    files = {"content/posts/tax-hall.yaml": HALL, "content/competitions/c2025.yaml": COMPETITION}
    for n, (a, b) in enumerate([(300, 100), (320, 200), (310, 250)], 1):
        files[f"content/indicators/c2025/2025-0{n}.yaml"] = VALUES.format(month=f"2025-0{n}", a=a, b=b)
    files.update(changes or {})
    return make_site(tmp_path, files)


def problems(capsys, site) -> list[str]:
    code, _, err = run(capsys, "check", site)
    assert code == 1, err
    return [line for line in err.splitlines() if line.startswith("content/")]


def test_the_small_competition_site_builds(tmp_path, capsys):
    site = competition_site(tmp_path)
    code, _, err = run(capsys, "check", site)
    assert code == 0, err
    c = build_model(site).competitions[0]
    assert [m.month for m in c.months] == ["2025-01", "2025-02", "2025-03"]  # up to the latest indicator file
    entries = {e.post: e for e in c.latest.groups[0].entries}
    assert entries["tax-window"].values[:2] == (310, 98.5) and entries["tax-hall"].values[2] is not None


@pytest.mark.parametrize("changes,expected", [
    ({"content/competitions/c2025.yaml": COMPETITION.replace("weight: 0.2", "weight: 0.3")},
     ["content/competitions/c2025.yaml:5:1: 各指标的权重 weight 合计应为 1，现在是 1.1：请调整。"]),
    ({"content/competitions/c2025.yaml": COMPETITION.replace("normalise: none", "normalise: none\n    better: lower")
      .replace("unit: \"%\"", "unit: 件")},
     ["content/competitions/c2025.yaml:15:5: normalise: none 只用于本身就是 0–100 的指标"]),
    ({"content/competitions/c2025.yaml": COMPETITION.replace("end: 2025-06", "end: 2026-01")},
     ["content/competitions/c2025.yaml:3:1: 一个竞赛最长 12 个月：2025-01 开始的竞赛最晚到 2025-12。"]),
    ({"content/competitions/c2025.yaml": COMPETITION.replace("end: 2025-06", "end: 2024-12")},
     ["content/competitions/c2025.yaml:3:1: 结束月份 2024-12 早于开始月份 2025-01"]),
    ({"content/competitions/c2025.yaml": COMPETITION.replace("group_by: all", "group_by: list")},
     ["content/competitions/c2025.yaml:4:1: group_by: list 需要在 groups 里列出各组"]),
    ({"content/competitions/c2025.yaml": COMPETITION.replace(
        "group_by: all", "group_by: list\ngroups:\n  a: {name: 甲组, units: [tax]}\n  b: {name: 乙组, units: [tax, nope]}")},
     ["content/competitions/c2025.yaml:7:17: 单位 `tax` 已在组 `a` 里：一个单位只能在一个组。"]),
    ({"content/competitions/c2025.yaml": COMPETITION.replace(
        "group_by: all", "group_by: list\ngroups:\n  a: {name: 甲组, units: [tax, taxx]}")},
     ["content/competitions/c2025.yaml:6:17: 找不到单位 `taxx`（是不是想写 `tax`？）"]),
    ({"content/competitions/c2025.yaml": COMPETITION.replace("source: stars", "source: stars\n    unit: 颗")},
     ["content/competitions/c2025.yaml:20:5: `stars` 的单位固定为“星”"]),
    ({"content/competitions/c2025.yaml": COMPETITION.replace("  - id: rate", "  - id: cases")},
     ["content/competitions/c2025.yaml:11:5: 指标编号 `cases` 重复（第一次在第 6 行）。"]),
    ({"content/competitions/c2025.yaml": COMPETITION.replace("  min_months: 2", "  min_month: 2")},
     ["content/competitions/c2025.yaml:22:3: 不认识的键 `min_month`（是不是想写 `min_months`？）"]),
])
def test_a_broken_competition_file_names_the_line(tmp_path, capsys, changes, expected):
    found = problems(capsys, competition_site(tmp_path, changes))
    for message in expected:
        assert any(line.startswith(message) for line in found), (message, found)


FILE = "content/indicators/c2025/2025-02.yaml"


@pytest.mark.parametrize("text,expected", [
    ("month: 2025-02\nposts:\n  tax-window: {cases: 320, rate: 98.5, bad: 1}\n",
     f"{FILE}:3:40: 不认识的指标 `bad`：这个竞赛要录入的指标是 cases（办件量）、rate（一次办结率）。"),
    ("month: 2025-02\nposts:\n  tax-window: {cases: 320}\n  tax-hall: {cases: 200, rate: 97.0}\n",
     f"{FILE}:3:3: 示范岗 `tax-window` 缺少指标：rate（一次办结率）。"),
    ("month: 2025-02\nposts:\n  tax-window: {cases: 320, rate: 100.5}\n",
     f"{FILE}:3:28: 一次办结率 100.5% 超过 100%：请核对。"),
    ("month: 2025-02\nposts:\n  tax-window: {cases: 320, rate: 98.55}\n",
     f"{FILE}:3:28: 一次办结率的数值 98.55 的小数位多于 1 位"),
    ("month: 2025-02\nposts:\n  tax-window: {cases: 320.5, rate: 98.5}\n",
     f"{FILE}:3:16: 办件量的数值 320.5 的小数位多于 0 位"),
    ("month: 2025-02\nposts:\n  tax-windw: {cases: 320, rate: 98.5}\n",
     f"{FILE}:3:3: 找不到示范岗 `tax-windw`（是不是想写 `tax-window`？）"),
    ("month: 2025-02\nposts:\n  tax-declared: {cases: 320, rate: 98.5}\n",
     f"{FILE}:3:3: 示范岗 `tax-declared` 尚未批复，不参加竞赛"),
    ("month: 2025-03\nposts:\n  tax-window: {cases: 320, rate: 98.5}\n",
     f"{FILE}:1:1: 文件名是 2025-02.yaml，month 却写成 2025-03"),
    ("month: 2025-02\nposts:\n  tax-window: {cases: -3, rate: 98.5}\n",
     f"{FILE}:3:23: -3 超出范围：应在 0 到 1000000000 之间。"),
    ("month: 2025-02\nposts:\n  tax-window: {cases: \"320\", rate: 98.5}\n",
     f"{FILE}:3:23: 这里应为数字（如 85 或 0.25），`320` 不是。"),
])
def test_a_broken_indicator_file_names_the_line(tmp_path, capsys, text, expected):
    found = problems(capsys, competition_site(tmp_path, {FILE: text}))
    assert any(line.startswith(expected) for line in found), (expected, found)


def test_indicator_files_outside_the_period_or_the_competitions(tmp_path, capsys):
    found = problems(capsys, competition_site(tmp_path, {
        "content/indicators/c2025/2025-07.yaml": "month: 2025-07\nposts: {}\n",
        "content/indicators/c2024/2025-01.yaml": "month: 2025-01\nposts: {}\n",
        "content/indicators/stray.yaml": "month: 2025-01\n",
    }))
    assert "content/indicators/c2025/2025-07.yaml:1:1: 2025-07 不在竞赛期内（2025-01 到 2025-06）" in "\n".join(found)
    assert any(line.startswith("content/indicators/c2024/2025-01.yaml:1:1: 找不到竞赛 `c2024`（是不是想写 `c2025`？）")
               for line in found)
    assert any(line.startswith("content/indicators/stray.yaml:1:1: content/indicators/ 里只放以竞赛编号命名的文件夹")
               for line in found)


def test_a_post_before_its_approval_month_cannot_have_values(tmp_path, capsys):
    late = HALL.replace("2025-01-20", "2025-03-02").replace("2025-01-10", "2025-03-01")
    found = problems(capsys, competition_site(tmp_path, {"content/posts/tax-hall.yaml": late}))
    assert any(line.startswith("content/indicators/c2025/2025-01.yaml:4:3: 示范岗 `tax-hall` 在 2025-01 还没有批复或已经摘牌")
               for line in found), found


# -- the sample city ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample_model():
    return build_model(ROOT)


def test_the_sample_competition_runs_over_its_twelve_months(sample_model):
    c = sample_model.competitions[0]
    assert (c.id, c.start, c.end, len(c.months), c.finished) == ("xianfeng-2025", "2025-03", "2026-02", 12, True)
    entered = sorted((ROOT / "content/indicators/xianfeng-2025").glob("*.yaml"))
    assert [p.stem for p in entered] == [m.month for m in c.months]
    for result in c.months:  # every post taking part has its entered values every month
        for s in result.groups:
            for e in s.entries:
                assert None not in e.values, (result.month, e.post)


def test_the_sample_has_a_tie_a_climber_and_a_faller(sample_model):
    c = sample_model.competitions[0]
    final = {e.post: e for s in c.latest.groups for e in s.entries}
    assert final["zrzy-budongchan-window"].rank == final["xishan-shuiwu-banshui-window"].rank == 1
    assert final["zrzy-budongchan-window"].tied
    period = [a.post for a in c.latest.awards if a.kind == "period" and a.group == "window"]
    assert sorted(period) == ["xishan-shuiwu-banshui-window", "zrzy-budongchan-window"]  # shared

    def places(post):
        return [next(e.rank for s in m.groups for e in s.entries if e.post == post) for m in c.months]

    climber, faller = places("zilaishui-qiangxiu-post"), places("yiyuan-yaofang-post")
    assert climber[-1] < max(climber) and climber[-1] < climber[0]
    assert faller[0] == 1 and faller[-1] > 1


def test_the_sample_has_a_late_post_waiting_for_its_min_months(sample_model):
    c = sample_model.competitions[0]
    june = {e.post: e for s in c.result("2025-06").groups for e in s.entries}
    late = june["xishan-nongmao-gongpingcheng-post"]
    assert late.rank is None and late.unranked == "min_months"


class Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self.links = [], []

    def handle_data(self, data):
        self.parts.append(data)

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links.append(dict(attrs).get("href"))

    @property
    def text(self):
        return re.sub(r"\s+", "", "".join(self.parts))


def read(path) -> Text:
    parser = Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


RANKING_PAGES = ["competition/xianfeng-2025/index.html", "competition/xianfeng-2025/2025-05/index.html",
                 "competition/xianfeng-2025/units/index.html"]


def test_every_month_keeps_its_page_and_the_list_links_the_competition(sample):
    months = [p.parent.name for p in sorted((sample / "competition/xianfeng-2025").glob("20*/index.html"))]
    assert months == [f"2025-{m:02d}" for m in range(3, 13)] + ["2026-01", "2026-02"]
    index = read(sample / "competition/index.html")
    assert "/competition/xianfeng-2025/" in index.links and "/competition/xianfeng-2025/2026-02/" in index.links
    assert "/competition/" in read(sample / "index.html").links  # the main navigation


@pytest.mark.parametrize("page", RANKING_PAGES)
def test_every_ranking_page_explains_its_calculation_from_the_rules(sample, page):
    text = read(sample / page).text
    assert "计算方法" in text
    for phrase in ("按行业分组，在同组岗位之间排名：服务行业、窗口部门、公共事业。", "办件量（件）", "差评数（条）", "越低越好",
                   "先除以岗位公示的在岗党员人数", "有成绩的月份满3个月才排名", "“月度流动红旗”", "“季度先锋岗”", "“年度岗位先进”",
                   "每组前3名为先进", "20%", "15%"):
        assert phrase in text, phrase


def test_a_month_page_shows_ranks_ties_values_with_units_and_movement(sample):
    page = read(sample / "competition/xianfeng-2025/2026-02/index.html")
    text = page.text
    assert "并列第1名" in text and "97.55分" in text
    assert "1461件" in text and "99.5%" in text and "0条" in text and "5星" in text
    assert "上升1位" in text and "下降1位" in text
    assert "/competition/xianfeng-2025/2026-01/" in page.links  # the previous month
    may = read(sample / "competition/xianfeng-2025/2025-05/index.html").text
    assert "本月并列第1" in may  # the two windows' equal month scores
    june = read(sample / "competition/xianfeng-2025/2025-06/index.html").text
    assert "暂不排名" in june and "有成绩的月份1个，满3个月后排名" in june
    august = read(sample / "competition/xianfeng-2025/2025-08/index.html").text
    assert "新进入排名" in august


def test_leaders_link_to_their_stories(sample):
    page = read(sample / "competition/xianfeng-2025/2026-02/index.html")
    assert "学先进：" in page.text
    assert "/stories/budongchan-yichuang-shouli/" in page.links


def test_a_posts_page_shows_its_place(sample):
    text = read(sample / "posts/zilaishui-qiangxiu-post/index.html").text
    assert "岗位竞赛" in text and "公共事业·2026年2月：第4名（共5个岗位排名），72.36分（上升1位）" in text


def test_the_honour_roll_lists_the_award_winners(sample):
    page = read(sample / "honours/index.html")
    assert "岗位竞赛奖项" in page.text and "年度岗位先进" in page.text and "月度流动红旗" in page.text
    assert "/competition/xianfeng-2025/2026-02/" in page.links and "/posts/zrzy-budongchan-window/" in page.links


def test_the_unit_league_table(sample):
    text = read(sample / "competition/xianfeng-2025/units/index.html").text
    assert "单位排名" in text and "青川市自然资源和规划局" in text and "截至2026年2月" in text


def test_open_data_follows_its_schema(sample):
    schema = json.loads((sample / "data/competition.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    data = json.loads((sample / "data/competition/xianfeng-2025.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(data)
    assert data["as_of"] == "2026-02" and len(data["months"]) == 12
    window = next(g for g in data["months"][-1]["groups"] if g["id"] == "window")
    assert window["standings"][0]["rank"] == window["standings"][1]["rank"] == 1 and window["standings"][0]["tied"]
    csv = (sample / "data/competition/xianfeng-2025.csv").read_bytes().decode("utf-8-sig").splitlines()
    assert csv[0].startswith("month,group_id,group,rank,tied,post_id,post,unit_id,unit,score,months,month_score")
    assert csv[0].endswith(",value:cases,value:first-time,value:satisfaction,value:bad-reviews,value:stars,"
                           "points:cases,points:first-time,points:satisfaction,points:bad-reviews,points:stars")
    assert any(line.startswith("2026-02,window,窗口部门,1,true,zrzy-budongchan-window,") for line in csv)


def test_the_open_data_is_the_model(sample_model):
    c = sample_model.competitions[0]
    record = pages_competition.competition_record(sample_model, c)
    assert [m["month"] for m in record["months"]] == [m.month for m in c.months]


# -- caching -------------------------------------------------------------------------------------------------------

def test_a_cached_build_equals_a_clean_one_after_editing_an_indicator_file(tmp_path, capsys):
    site = competition_site(tmp_path)
    warm, clean = tmp_path / "warm", tmp_path / "clean"
    assert run(capsys, "build", site, "-o", warm)[0] == 0
    path = site / "content/indicators/c2025/2025-03.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("cases: 250", "cases: 400"), encoding="utf-8")
    code, _, err = run(capsys, "build", site, "-o", warm)
    assert code == 0, err
    assert run(capsys, "build", site, "-o", clean, "--no-cache")[0] == 0
    assert tree(warm) == tree(clean)
    page = (warm / "competition/c2025/2025-03/index.html").read_text(encoding="utf-8")
    assert "400 件" in page and "250 件" not in page


def test_the_editors_guide_quotes_the_real_messages(tmp_path, capsys):
    """docs/editors.md "岗位竞赛" shows two mistakes with the messages check prints for them, word for word."""
    doc = (ROOT / "docs/editors.md").read_text(encoding="utf-8")
    name = "content/indicators/xianfeng-2025/2026-02.yaml"
    text = (ROOT / name).read_text(encoding="utf-8")
    line = "  zrzy-budongchan-window: {cases: 1461, first-time: 99.5, satisfaction: 99.3, bad-reviews: 0}"
    assert line in text
    for mistake in (line.replace(", bad-reviews: 0", ""), line.replace("first-time: 99.5", "first-time: 100.6")):
        site = make_site(tmp_path / str(len(mistake)), {name: text.replace(line, mistake)}, base=ROOT)
        found = problems(capsys, site)
        assert len(found) == 1 and found[0] in doc, found


def test_the_sitemap_and_the_open_data_page_name_the_competition(sample):
    sitemap = (sample / "sitemap.xml").read_text(encoding="utf-8")
    base = "https://shifangang.qingchuan.example.cn/"
    assert f"<loc>{base}competition/</loc>" in sitemap
    assert f"<loc>{base}competition/xianfeng-2025/2025-03/</loc><lastmod>2025-03-31</lastmod>" in sitemap
    links = read(sample / "data/index.html").links
    for name in ("competition/xianfeng-2025.json", "competition/xianfeng-2025.csv", "competition.schema.json"):
        assert f"/data/{name}" in links and (sample / "data" / name).is_file()


def test_a_post_that_left_wins_no_quarter_or_period_award():
    results = run_rules({"a": [1] * 6, "gone": [9, 9, 9, 9, 9, None]}, taking_part={"gone": MONTHS[:5]},
                        rules=Rules(min_months=1))
    assert awards(results, "quarter") == [("quarter", "2025-03", "gone", False, 1), ("quarter", "2025-06", "a", False, 2)]
    assert awards(results, "period") == [("period", "2025-06", "a", False, None)]
