"""The competition's pages (岗位竞赛, issue 15) in Chromium on a phone: axe-core finds nothing in either mode,
nothing scrolls sideways at 360 px, every control outside running text is a 44 px target, the standings
keep their table semantics when they stack, and everything reads without JavaScript."""

from __future__ import annotations

import pytest

from support import format_axe_violations
from test_citizen import elder, layout_problems, sample, site  # noqa: F401  (the built sample city, served)

PAGES = {
    "competitions": "/competition/",
    "competition": "/competition/xianfeng-2025/",
    "month": "/competition/xianfeng-2025/2026-02/",
    "month with unranked": "/competition/xianfeng-2025/2025-06/",
    "units": "/competition/xianfeng-2025/units/",
    "post": "/posts/zilaishui-qiangxiu-post/",
    "honours": "/honours/",
}


@pytest.mark.parametrize("mode", ["normal", "elder"])
def test_axe_finds_nothing_on_the_competition_pages(page, site, run_axe, mode):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{site}/404.html")
    elder(page, mode == "elder")
    failures = []
    for kind, path in PAGES.items():
        page.goto(site + path)
        violations = run_axe(page)
        if violations:
            failures.append(f"{kind} ({path}):\n{format_axe_violations(violations)}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("mode", ["normal", "elder"])
def test_the_competition_pages_fit_360px(page, site, mode):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{site}/404.html")
    elder(page, mode == "elder")
    problems = layout_problems(page, site, PAGES)
    assert not problems, "\n".join(problems[:30])


def test_the_standings_stack_on_a_phone_and_stay_a_table(page, site):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{site}/competition/xianfeng-2025/2026-02/")
    table = page.get_by_role("table", name="窗口部门排名表")
    assert table.get_by_role("columnheader").all_inner_texts()[:4] == ["名次", "岗位", "累计得分", "本月得分"]
    first = table.get_by_role("row").nth(1)
    assert first.get_by_role("rowheader").inner_text().startswith("办税服务厅“首问责任”综合窗口")
    assert "并列第 1 名" in first.inner_text()
    # on a phone each post is a block: its labels show, the header row is out of sight
    labels = page.locator(".standings .cell-label").first
    assert labels.is_visible() and page.locator(".standings thead").first.bounding_box()["height"] <= 1
    # on a wide screen it is the table itself
    page.set_viewport_size({"width": 1200, "height": 800})
    assert not labels.is_visible()


def test_a_leader_links_to_its_story_and_the_month_links_its_neighbours(page, site):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{site}/competition/xianfeng-2025/2025-06/")
    page.get_by_role("link", name="2025年7月 →").click()
    page.wait_for_url("**/competition/xianfeng-2025/2025-07/")
    page.locator(".learn a").first.click()
    page.wait_for_url("**/stories/**")


def test_the_competition_pages_read_without_javascript(browser, site):
    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False)
    try:
        page = context.new_page()
        for path in PAGES.values():
            page.goto(site + path)
            assert page.evaluate("() => document.documentElement.scrollWidth") <= 360, path
        page.goto(f"{site}/competition/xianfeng-2025/")
        assert page.get_by_role("heading", name="计算方法").is_visible()
    finally:
        context.close()
