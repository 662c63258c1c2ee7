"""What a citizen sees, in Chromium at 390x844 on the sample city served from 127.0.0.1.

The sample site is built once for the module, with its search index (search-index/, read by
templates/static/search.js). The journey of issue #4, axe-core on every page kind in both modes, the phone layout
(no sideways scrolling at 360 px, 44 px targets), reading without JavaScript, Chinese search queries;
and, without a browser, the page-weight budget and the published photos.
"""

from __future__ import annotations

import gzip
import hashlib
import re

import pytest
from PIL import Image

from support import format_axe_violations, require
from support.http import serve_directory
from support.search import indexed_texts
from support.sites import ROOT

PHONE = {"width": 390, "height": 844}
# One page of every kind (the search page is added when the index exists).
PAGE_KINDS = {
    "home": "/",
    "browse": "/browse/all/all/5/",
    "post": "/posts/zrzy-budongchan-window/",
    "revoked post": "/posts/zilaishui-rexian-post/",
    "member": "/members/lin-xiaowen/",
    "units": "/units/",
    "unit": "/units/zrzy/",
    "stories": "/stories/",
    "story": "/stories/budongchan-yichuang-shouli/",
    "honours": "/honours/",
    "standards": "/standards/",
    "accessibility": "/accessibility/",
    "open data": "/data/",
    "404": "/no/such/page/",
}
PAGE_BUDGET = 40 * 1024  # a post page's HTML + CSS, gzip-compressed


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    out = tmp_path_factory.mktemp("citizen") / "out"
    from site_builder.commands.main import main
    assert main(["build", str(ROOT), "-o", str(out), "-q"]) == 0
    return out


@pytest.fixture(scope="module")
def site(sample):
    with serve_directory(sample) as base:
        yield base


@pytest.fixture(scope="module")
def searchable(sample):
    require((sample / "search-index/meta.json").is_file(), "the build wrote no search index (search-index/meta.json)")
    return sample


@pytest.fixture
def phone(page):
    page.set_viewport_size(PHONE)
    return page


def elder(page, on: bool) -> None:
    page.evaluate("on => localStorage.setItem('elder', on ? '1' : '0')", on)


# -- the journey ------------------------------------------------------------------------------------

def test_citizen_journey(phone, site, searchable):
    page = phone
    page.goto(f"{site}/")
    elder(page, False)
    page.reload()

    # Filter to five-star posts.
    page.locator(".facet", has_text="星级").get_by_role("link", name="5 星", exact=True).click()
    page.wait_for_url("**/browse/all/all/5/")
    cards = page.locator(".post-card")
    assert cards.count() == 3
    for i in range(cards.count()):
        assert cards.nth(i).locator(".stars").get_attribute("aria-label") == "5 星（满 5 星）"

    # Open a post: the complaint phone is one tap away, on the first screen.
    cards.get_by_role("link", name="不动产登记“一窗受理”窗口").click()
    page.wait_for_url("**/posts/zrzy-budongchan-window/")
    call = page.get_by_role("link", name="拨打投诉电话 0571-86001234")
    assert call.get_attribute("href") == "tel:057186001234"
    box = call.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"] and box["height"] >= 44, box
    assert page.evaluate("() => window.scrollY") == 0

    # Search a word from a story and open the right result.
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="搜索").click()
    page.wait_for_url("**/search/")
    page.get_by_role("searchbox", name="搜索示范岗、党员和先进事迹").fill("挂号单")
    wait_for_results(page)
    assert page.locator(".search-result").count() == 1
    assert page.get_by_role("status").inner_text() == "找到 1 个结果"
    assert page.locator(".search-result-excerpt mark").first.inner_text() == "挂号单"
    page.get_by_role("link", name="8 路车上的“移动客厅”").click()
    page.wait_for_url("**/stories/gongjiao-8lu-aixin-xianlu/")
    assert page.locator("h1").inner_text() == "8 路车上的“移动客厅”"

    # Switch on 长辈版; it is kept on the next page.
    normal = page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)")
    switch = page.get_by_role("switch", name="长辈版")
    assert switch.get_attribute("aria-checked") == "false"
    switch.click()
    assert switch.get_attribute("aria-checked") == "true"
    larger = page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)")
    assert larger >= normal * 1.2
    page.get_by_role("link", name="先进事迹", exact=True).first.click()
    page.wait_for_url("**/stories/")
    assert page.evaluate("() => document.documentElement.classList.contains('elder')")
    assert page.get_by_role("switch", name="长辈版").get_attribute("aria-checked") == "true"
    assert page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)") == larger


def test_search_from_the_home_page_box(phone, site, searchable):
    phone.goto(f"{site}/")
    phone.get_by_role("searchbox", name="搜索示范岗、党员和先进事迹").fill("林晓雯")
    phone.get_by_role("button", name="搜索").click()
    phone.wait_for_url("**/search/?q=*")
    wait_for_results(phone)
    links = phone.locator(".search-result-link").evaluate_all("els => els.map(e => e.pathname)")
    assert links[0] == "/members/lin-xiaowen/"
    assert phone.locator(".search-result").first.locator(".search-result-kind").inner_text() == "党员"


def wait_for_results(page) -> None:
    """Wait until the search page has run its search (results, "no results" or an error shown)."""
    page.wait_for_function("""() => { const r = document.querySelector('#search-results');
        return r && !r.hidden && r.getAttribute('aria-busy') === 'false'; }""")


@pytest.mark.parametrize("mode", ["normal", "elder"])
def test_call_button_on_the_first_screen_of_every_post(page, site, sample, mode):
    """A small phone (360x640), 长辈版 or not: the complaint call needs no scrolling on any post page."""
    page.set_viewport_size({"width": 360, "height": 640})
    page.goto(f"{site}/404.html")
    elder(page, mode == "elder")
    low = {}
    for post in sorted((sample / "posts").glob("*/index.html")):
        page.goto(f"{site}/posts/{post.parent.name}/")
        call = page.locator(".post-header a[href^='tel:']")
        box = call.bounding_box()
        if box["y"] + box["height"] > 640 or box["height"] < 44:
            low[post.parent.name] = box
    assert not low


# -- what a citizen sees first -------------------------------------------------------------------------

FIRST_SCREENS = """() => {
  const box = e => e && e.getBoundingClientRect();
  const call = box(document.querySelector('.post-header a[href^="tel:"]'));
  const cards = [...document.querySelectorAll('.members .member-card')].map(card => ({
    parts: [...card.querySelectorAll('.photo, h3, .position, .pledge')].map(e => e.classList[0] || e.tagName),
    name: box(card.querySelector('h3')).top, pledge: box(card.querySelector('.pledge')).bottom}));
  const order = [...document.querySelectorAll('.post-header, .board, .feedback')].map(e => e.className);
  const more = document.querySelector('.post-header a[href^="#feedback-"]');
  return {call: call.bottom, callHeight: call.height, cards, order,
          more: more && document.getElementById(more.hash.slice(1)) === document.querySelector('.feedback h2')};
}"""


@pytest.mark.parametrize("mode", ["normal", "elder", "no javascript"])
def test_who_serves_here_within_two_screens_of_every_post(browser, site, sample, mode):
    """390x844: the complaint call on the first screen; the members' photos, names and pledges (the 公示榜)
    begin on the first screen (in 长辈版 within two), before the long feedback box, which the header links to."""
    context = browser.new_context(viewport=PHONE, java_script_enabled=mode != "no javascript")
    page = context.new_page()
    try:
        if mode != "no javascript":
            page.goto(f"{site}/404.html")
            elder(page, mode == "elder")
        limit = PHONE["height"] * (2 if mode == "elder" else 1)
        problems = []
        for post in sorted((sample / "posts").glob("*/index.html")):
            page.goto(f"{site}/posts/{post.parent.name}/")
            seen = page.evaluate(FIRST_SCREENS)
            first = seen["cards"][0]
            if seen["call"] > PHONE["height"] or seen["callHeight"] < 44:
                problems.append(f"{post.parent.name}: call button ends at {seen['call']}")
            if first["name"] > limit or first["pledge"] > 2 * PHONE["height"]:
                problems.append(f"{post.parent.name}: first member at {first['name']}, pledge ends at {first['pledge']}")
            if any(c["parts"] != ["photo", "H3", "position", "pledge"] for c in seen["cards"]):
                problems.append(f"{post.parent.name}: {seen['cards']}")
            if seen["order"] != ["post-header", "board", "feedback"] or not seen["more"]:
                problems.append(f"{post.parent.name}: {seen['order']}, link to the feedback box: {seen['more']}")
        assert not problems, "\n".join(problems)
    finally:
        context.close()


LINES = """els => els.filter(e => {  // not visually hidden (inside a 1 px box)
  for (let box = e; box; box = box.parentElement) { const r = box.getBoundingClientRect(); if (r.width <= 2 || r.height <= 2) return false; }
  return true;
}).map(e => {
  const range = document.createRange();
  range.selectNodeContents(e);
  const style = getComputedStyle(e);
  const height = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.2;
  const tops = [...range.getClientRects()].filter(r => r.width > 0).map(r => r.top).sort((a, b) => a - b);
  let lines = 0, last = -1e9;
  for (const top of tops) if (top - last > height / 2) { lines++; last = top; }
  return {text: e.textContent.trim(), lines};
})"""
CARD_WORDS = ".assessments th, .assessments .cell-label, .assessments .cell-value, .stages .stage-name, .stages time"


@pytest.mark.parametrize("width", [360, 390, 800])
@pytest.mark.parametrize("mode", ["normal", "elder"])
def test_member_cards_never_split_a_word(page, site, sample, width, mode):
    """达标评议卡 and the stage dates of member pages (every third): each header, label, grade and date on one
    line ("党员自/评", "结/果", "2025 年上半/年" and "2025年3月10/日" were split at 390 px)."""
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{site}/404.html")
    elder(page, mode == "elder")
    split, measured = [], 0
    for member in sorted((sample / "members").glob("*/index.html"))[::3]:
        page.goto(f"{site}/members/{member.parent.name}/")
        cells = page.locator(CARD_WORDS).evaluate_all(LINES)
        measured += len(cells)
        split += [f"{member.parent.name}: {c['text']!r} on {c['lines']} lines" for c in cells if c["lines"] != 1]
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        if page.locator("table.assessments").count():
            headers = page.locator(".assessments thead th").evaluate_all(LINES)
            labels = page.locator(".assessments .cell-label").evaluate_all(LINES)
            # a phone shows each period as a block of labelled grades; a wide screen the table itself
            assert (len(headers), bool(labels)) == ((0, True) if width < 640 else (5, False)), (headers, labels)
    assert measured > 50 and not split, "\n".join(split[:20])


def test_evaluation_card_keeps_its_table_semantics_on_a_phone(phone, site):
    phone.goto(f"{site}/members/lin-xiaowen/")
    table = phone.get_by_role("table", name="达标评议结果表")
    assert table.get_by_role("columnheader").all_inner_texts() == ["评议期", "党员自评", "群众评议", "组织评议", "结果"]
    assert table.get_by_role("rowheader").first.inner_text() == "2025 年上半年"
    row = table.get_by_role("row").nth(1)
    assert row.get_by_role("cell").all_inner_texts()[-1].split() == ["结果", "达标"]  # label shown, hidden from readers
    assert row.locator(".cell-label").first.get_attribute("aria-hidden") == "true"


# -- Chinese search quality: every page whose text contains the query is found -----------------------

# Words from stories, post and member names; Pagefind 1.5.2 (PyPI) returned nothing for 李东升 and lost
# pages for 公交, 社保, 少儿, 一次办好 on this very site.
QUERIES = ["不动产", "抢修", "一次办好", "林晓雯", "李东升", "钱大海", "公交", "社保", "少儿", "办税", "首问责任",
           "挂号单", "暴雨", "退休教师", "公平秤", "帮办"]

# Every page search.js finds for a query (all of them, not ten): the index's candidates, then the
# pages that really contain every run of the query, as the search page shows them.
FIND_ALL = """async ([queries, filters]) => {
    const config = JSON.parse(document.getElementById('search-config').textContent);
    const index = new window.siteSearch.Index(config.bundle), out = {};
    for (const q of queries) {
        const found = await index.search(q, filters || {});
        const docs = await Promise.all(found.docs.map(n => index.doc(n)));
        out[q] = docs.filter(d => window.siteSearch.contains(d, found.runs)).map(d => config.base + d[0]);
    }
    return out;
}"""


def test_chinese_queries_find_every_page_that_contains_them(phone, site, searchable):
    texts = indexed_texts(searchable)
    assert len(texts) > 50
    phone.goto(f"{site}/search/")
    found = phone.evaluate(FIND_ALL, [QUERIES, None])
    for q in QUERIES:
        expected = {url for url, text in texts.items() if q in text}
        assert expected, q
        assert expected <= set(found[q]), (q, sorted(expected - set(found[q])))
        assert set(found[q]) <= expected, (q, sorted(set(found[q]) - expected))  # nothing that does not hold it


def filters_of(out, url: str) -> set[tuple[str, str]]:
    """The (name, value) search filters a page carries (data-search-filter)."""
    html = (out / url.strip("/") / "index.html").read_text(encoding="utf-8")
    return set(re.findall(r'data-search-filter="([^"]+)"[^>]*>([^<]*)<', html))


def test_search_filters(phone, site, searchable):
    phone.goto(f"{site}/search/")
    filters = phone.evaluate("async () => (await fetch('/search-index/filters.json')).json()")
    assert list(filters) == ["区县", "行业", "单位", "星级"]
    assert set(filters["区县"]) == {"东湖区", "西山区"} and "5 星" in filters["星级"] and "已摘牌" in filters["星级"]
    carrying = {url for url in indexed_texts(searchable) if {("星级", "5 星"), ("区县", "西山区")} <= filters_of(searchable, url)}
    assert "/posts/xishan-shuiwu-banshui-window/" in carrying and "/posts/zilaishui-qiangxiu-post/" in carrying
    # a citizen chooses 5 星 and 西山区, without a query: every page that carries both, and no other
    phone.get_by_text("按区县、行业、单位、星级筛选").click()
    phone.get_by_role("combobox", name="星级").select_option("5 星")
    wait_for_results(phone)
    five = phone.locator(".search-result").count()
    phone.get_by_role("combobox", name="区县").select_option("西山区")
    wait_for_results(phone)
    more = phone.get_by_role("button", name="显示更多结果")
    while more.is_visible():
        more.click()
        wait_for_results(phone)
    urls = phone.locator(".search-result-link").evaluate_all("els => els.map(e => e.pathname)")
    assert len(urls) == len(set(urls)) and set(urls) == carrying
    assert five == min(10, filters["星级"]["5 星"]) and len(urls) < filters["星级"]["5 星"]  # narrower than 5 星 alone
    assert not any("zrzy" in u for u in urls)  # 东湖区
    assert phone.get_by_role("status").inner_text() == f"找到 {len(urls)} 个结果"
    # with a query too: the pages among them that hold it
    phone.get_by_role("searchbox", name="搜索示范岗、党员和先进事迹").fill("抢修")
    wait_for_results(phone)
    urls = phone.locator(".search-result-link").evaluate_all("els => els.map(e => e.pathname)")
    assert set(urls) == set(phone.evaluate(FIND_ALL, [["抢修"], {"星级": "5 星", "区县": "西山区"}])["抢修"])
    assert "/posts/zilaishui-qiangxiu-post/" in urls and set(urls) <= carrying


# -- search results read as Chinese text --------------------------------------------------------------

CJK = "\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
PAIRS = ["（）", "“”", "《》", "〔〕", "()"]


def snippet_problems(text: str) -> list[str]:
    """What makes an excerpt read badly: Pagefind's ". " between Chinese blocks, a bracket or quote cut in
    half, a separator or "·" dangling at either end."""
    found = []
    if re.search(f"[{CJK}]\\. |\\. [{CJK}]", text):
        found.append("'. ' between Chinese texts")
    for o, c in PAIRS:
        depth = 0
        for ch in text:
            depth += (ch == o) - (ch == c)
            if depth < 0:
                break
        if depth:
            found.append(f"unbalanced {o}{c}")
    if re.match(r"\s*[·，、：；。.]", text) or re.search(r"[·，、：；]\s*…?$", text) or re.search(r"·\s*…|…\s*·", text):
        found.append("dangling separator")
    if not text.strip():
        found.append("empty")
    return found


SNIPPET_QUERIES = ["钱大海", "有限公司", "党支部", "抢修", "一次办好", "公交", "意见簿", "2025", "窗口"]


def shown_snippets(page, site, query):
    page.goto(f"{site}/search/?q={query}")
    wait_for_results(page)
    return page.locator(".search-result-excerpt").evaluate_all(
        "els => els.map(e => [e.closest('.search-result').querySelector('a').pathname, e.innerText, e.innerHTML])")


def test_search_snippets_read_as_chinese_text(phone, site, searchable):
    problems, marked, texts = [], 0, {}
    for query in SNIPPET_QUERIES:
        for url, text, html in shown_snippets(phone, site, query):
            problems += [f"{query} {url}: {p}: {text}" for p in snippet_problems(text)]
            marked += "<mark>" in html
            texts.setdefault(query, []).append((url, text))
    assert not problems, "\n".join(problems)
    assert marked >= len(SNIPPET_QUERIES)
    # whole sentences around the first match; blocks read as sentences; a unit's facts read "名称：值。"; the
    # title (the link above) is not repeated
    assert ("/stories/qiangxiu-yejian-liu-xiaoshi/", "抢修班班长钱大海带着四名队员，冒雨赶到现场，用了 26 分钟。"
            "这是他们写在岗位标准里的承诺：接单后 30 分钟内到场。") in texts["钱大海"]
    unit = dict(texts["有限公司"])["/units/zilaishui/"]  # (the heading above its posts is not search text)
    assert unit.startswith("党支部：西山供水服务中心党支部。区县：西山区。行业：公共事业。地址：青川市西山区玉泉路 166 号。")
    assert "本单位的示范岗" not in unit
    assert texts["有限公司"][0][0].startswith("/units/")  # the query in the title first
    assert not any(re.search(r"\d+日 ·", t) for ts in texts.values() for _, t in ts)


def test_snippet_problems_are_recognised():
    assert snippet_problems("钱大海. 抢修班班长.") == ["'. ' between Chinese texts"]
    assert snippet_problems("青川市自来水有限公司. 党支部") == ["'. ' between Chinese texts"]
    assert snippet_problems("2025年8月6日 · 钱大海（") == ["unbalanced （）"]
    assert snippet_problems("6日 · …") == ["dangling separator"]
    assert snippet_problems("Give feedback online. Email: a@b.cn") == []
    assert snippet_problems("钱大海（抢修班班长，供水管网 24 小时抢修岗）。潘文斌…") == []


def test_indexed_text_leaves_out_what_reads_badly_in_a_snippet(sample):
    """Star glyphs, role chips, stage dates, the evaluation table, the feedback box repeated on every member
    page and the related stories are not search text; facts read "名称：值"."""
    texts = indexed_texts(sample)
    member = texts["/members/lin-xiaowen/"]
    assert "多跑一步路，让群众少跑一趟" in member and "牵头整理《二手房过户材料一张清单》" in member
    for noise in ["★", "授牌命名", "示范员服务员", "党员提标准", "评议期", "拨打投诉电话", "意见簿", "相关先进事迹", "2025年11月30日"]:
        assert noise not in member, noise
    post = texts["/posts/zrzy-budongchan-window/"]
    assert "意见簿：市民中心二楼B区服务台左侧" in post and "位置：市民中心二楼B区12号、13号窗口" in post
    for noise in ["★", "党员示范窗口", "拨打投诉电话", "岗位先进性标准", "公示榜和创建牌", "相关先进事迹", "星级变化图"]:
        assert noise not in post, noise
    assert texts["/units/zrzy/"].startswith("青川市自然资源和规划局党支部：不动产登记中心党支部区县：东湖区")
    assert "2025年" not in texts["/stories/budongchan-yichuang-shouli/"].split("作者：")[0]


# -- accessibility and layout -------------------------------------------------------------------------

def kinds(sample):
    pages = dict(PAGE_KINDS)
    if (sample / "search/index.html").is_file():
        pages["search"] = "/search/?q=抢修&星级=5+星"  # a filter chosen: the filters are open
    return pages


@pytest.mark.parametrize("mode", ["normal", "elder"])
def test_axe_finds_nothing_on_any_page_kind(phone, site, sample, run_axe, mode):
    phone.goto(f"{site}/404.html")
    elder(phone, mode == "elder")
    failures = []
    for kind, path in kinds(sample).items():
        phone.goto(site + path)
        if "search" in path:
            wait_for_results(phone)
            assert phone.locator(".search-result").count() > 0
        assert phone.evaluate("() => document.documentElement.classList.contains('elder')") == (mode == "elder")
        violations = run_axe(phone)
        if violations:
            failures.append(f"{kind} ({path}):\n{format_axe_violations(violations)}")
    assert not failures, "\n".join(failures)


TARGETS = """() => [...document.querySelectorAll('a[href], button, input, select, summary, [tabindex="0"]')]
  .filter(e => e.offsetParent !== null && !e.closest('.prose, .table-scroll, figcaption, .search-result-excerpt'))
  .filter(e => !(e.tagName === 'A' && getComputedStyle(e).display === 'inline'
                 && e.parentElement.innerText.trim().length > e.innerText.trim().length + 1))  // a link in a sentence
  .map(e => e.type === 'checkbox' && e.labels.length ? e.labels[0] : e)  // the label is the target
  .map(e => { const r = e.getBoundingClientRect();
              return {text: (e.innerText || e.value || e.getAttribute('aria-label') || '').trim().slice(0, 30),
                      w: r.width, h: r.height, right: r.right}; })"""


@pytest.mark.parametrize("mode", ["normal", "elder"])
def test_phone_layout_at_360px(page, site, sample, mode):
    """No sideways scrolling at 360 px; every control outside running text is at least 44 px tall."""
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{site}/404.html")
    elder(page, mode == "elder")
    problems = layout_problems(page, site, kinds(sample))
    assert not problems, "\n".join(problems[:30])


def layout_problems(page, site, pages: dict[str, str], width: int = 360) -> list[str]:
    """Each page (kind → path) at ``width``: wider than the screen, or a control outside running text under 44 px."""
    problems = []
    for kind, path in pages.items():
        page.goto(site + path)
        if "search" in path:
            wait_for_results(page)
            assert page.get_by_role("combobox", name="星级").is_visible()
        wide = page.evaluate("() => document.documentElement.scrollWidth")
        if wide > width:
            problems.append(f"{kind}: page is {wide} px wide")
        for t in page.evaluate(TARGETS):
            if t["h"] < 44 or t["w"] < 24 or t["right"] > width + .5:
                problems.append(f"{kind}: {t}")
    return problems


def test_every_page_reads_without_javascript(browser, sample, site):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{site}/posts/zrzy-budongchan-window/")
        assert page.get_by_role("link", name="拨打投诉电话 0571-86001234").is_visible()
        assert page.locator(".star-chart svg").is_visible() and page.locator("table.history").is_visible()
        assert not page.locator(".elder-switch").is_visible()
        link = page.get_by_role("link", name="长辈版", exact=True)
        assert link.is_visible() and link.get_attribute("href") == "/accessibility/"
        link.click()
        page.wait_for_url("**/accessibility/")
        assert page.get_by_text("您的浏览器没有开启 JavaScript").is_visible()
        if (sample / "search/index.html").is_file():
            page.goto(f"{site}/search/?q=抢修")
            assert page.get_by_text("站内搜索需要浏览器开启 JavaScript").is_visible()
            assert not page.locator("#search-form").is_visible()  # no box that would do nothing
            page.get_by_role("link", name="5 星").click()
            page.wait_for_url("**/browse/all/all/5/")
    finally:
        context.close()


# -- without a browser -----------------------------------------------------------------------------

def test_post_pages_fit_the_weight_budget(sample):
    css = gzip.compress((sample / "static/site.css").read_bytes(), 9)
    weights = {p.parent.name: len(gzip.compress(p.read_bytes(), 9)) + len(css)
               for p in (sample / "posts").glob("*/index.html")}
    assert len(weights) >= 12
    heaviest = max(weights, key=weights.get)
    assert weights[heaviest] < PAGE_BUDGET, (heaviest, weights[heaviest])


def test_post_page_needs_no_script_file(sample):
    page = (sample / "posts/zrzy-budongchan-window/index.html").read_text(encoding="utf-8")
    assert "<script src" not in page  # only the two tiny inline scripts of the 长辈版 switch


def test_star_chart_has_a_text_alternative(sample):
    page = (sample / "posts/zrzy-budongchan-window/index.html").read_text(encoding="utf-8")
    svg = page.split('<figure class="star-chart"', 1)[1].split("</figure>", 1)[0]
    assert 'role="img"' in svg and '<title id="chart-zrzy-budongchan-window-t">星级变化图</title>' in svg
    caption = re.search(r'<figcaption id="chart-zrzy-budongchan-window-d">(.*?)</figcaption>', svg, re.S).group(1)
    assert caption.startswith("2025年3月6日批复，从 0 星起步。2025年3月 1 星；2025年4月 2 星；")
    assert "2025年12月31日授牌命名" in caption and caption.endswith("现为 5 星。")
    revoked = (sample / "posts/zilaishui-rexian-post/index.html").read_text(encoding="utf-8")
    assert "2025年8月摘牌。现已摘牌。" in revoked and 'class="end-revoked"' in revoked


def test_published_photos_carry_no_metadata_and_originals_stay_private(sample):
    media = sorted((sample / "media").glob("*"))
    assert len(media) >= 40 and all(p.suffix == ".jpg" for p in media)
    for path in media:
        with Image.open(path) as im:
            assert im.format == "JPEG" and not im.getexif(), path
            assert not {"exif", "icc_profile", "xmp", "XML:com.adobe.xmp", "comment"} & set(im.info), (path, im.info)
        assert b"Exif" not in path.read_bytes()[:4096] and b"http://ns.adobe.com/xap" not in path.read_bytes()
    originals = {hashlib.sha256(p.read_bytes()).hexdigest() for p in (ROOT / "content/images").rglob("*") if p.is_file()}
    published = {hashlib.sha256(p.read_bytes()).hexdigest() for p in sample.rglob("*") if p.is_file()}
    assert not originals & published
    assert not [p for p in sample.rglob("*") if p.suffix.lower() in (".png", ".webp", ".jpeg")]
