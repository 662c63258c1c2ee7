"""The search page: its links, without JavaScript, and its excerpts in a browser.

The index it reads is tested in tests/test_search_index.py; queries in a real browser are in
tests/test_citizen.py.
"""

from support.sites import MINI, make_site, run


def test_every_page_links_to_the_search_page(tmp_path, capsys):
    site = make_site(tmp_path)
    out = tmp_path / "out"
    assert run(capsys, "build", site, "-o", out)[0] == 0
    assert 'href="/search/"' in (out / "posts/tax-window/index.html").read_text(encoding="utf-8")
    assert 'action="/search/"' in (out / "index.html").read_text(encoding="utf-8")


def test_search_page_works_without_javascript(tmp_path, capsys):
    site = make_site(tmp_path)
    out = tmp_path / "out"
    assert run(capsys, "build", site, "-o", out)[0] == 0
    page = (out / "search/index.html").read_text(encoding="utf-8")
    assert "站内搜索需要浏览器开启 JavaScript" in page
    for link in ["/browse/east/all/all/", "/browse/all/window/all/", "/browse/all/all/5/", "/units/", "/stories/"]:
        assert f'href="{link}"' in page, link


# -- the excerpts on the search page (templates/static/search.js), in a browser ---------------------

SEARCH_JS = MINI.parents[2] / "templates/static/search.js"
Z = "\u200b"  # Pagefind's word boundary in raw_content


def tidy(page, raw, excerpt, locations, title=None, subs=()):
    if not page.evaluate("() => !!window.siteSearch"):
        page.set_content("<!doctype html><html lang='zh-CN'><body></body></html>")
        page.add_script_tag(path=str(SEARCH_JS))
    result = {"raw_content": raw, "excerpt": excerpt, "locations": locations, "meta": {"title": title},
              "sub_results": [{"title": t, "excerpt": e, "locations": loc} for t, e, loc in subs]}
    if raw is None:
        del result["raw_content"]
    done = page.evaluate("r => window.siteSearch.tidy(r)", result)
    return [done["excerpt"]] + [s["excerpt"] for s in done["sub_results"]]


MEMBER = Z.join(["郑", "凯", ". ", "抢修", "调度", "员", ". ", "所在", "岗位", "：", "供水", "管网 ", "24 ", "小时",
                 "抢修", "岗", "（", "青", "川", "市", "自来水", "有限公司", "） ", "工", "单", "不过", "夜", "，",
                 "群众", "不空", "等", ". ", "对", "标记", "录", "卡", "。"])


def test_excerpt_reads_as_chinese(page):
    # Pagefind's window starts inside the name and ends inside the bracket
    got = tidy(page, MEMBER, "<mark>凯</mark>. 抢修调度员. 所在岗位：供水管网 24 小时抢修岗（青川市", [1])
    assert got == ["郑<mark>凯</mark>。抢修调度员。所在岗位：供水管网 24 小时抢修岗（青川市自来水有限公司）"]
    got = tidy(page, MEMBER, "岗位：供水管网 24 小时抢修岗（青川市自来水有限公司） 工单<mark>不过</mark>", [25])
    assert got == ["所在岗位：供水管网 24 小时抢修岗（青川市自来水有限公司）。工单<mark>不过</mark>夜，群众不空等。"]
    # the page's own title is the link above the excerpt: not repeated
    got = tidy(page, MEMBER, "<mark>郑</mark><mark>凯</mark>. 抢修调度员. 所在岗位：供水管网", [0, 1], title="郑凯",
               subs=[("郑凯", "<mark>郑</mark><mark>凯</mark>. 抢修调度员. 所在", [0, 1])])
    assert got == ["抢修调度员。所在岗位：供水管网 24 小时抢修岗（青川市自来水有限公司）", "抢修调度员。所在岗位…"]


def test_excerpt_window_narrowed_to_a_clause_and_dates_not_cut(page):
    words = ["先进", "事迹 ", "· ", "典型", "经验 ", "· ", "市委", "宣传部", "新闻", "中心 ", "· ", "2025", "年", "8",
             "月", "6", "日 ", "· ", "青", "川", "市", "自来水", "有限公司 ", "党", "群", "工作", "部", ". ", "7 ", "月 ",
             "28 ", "日", "凌晨", "。"]
    got = tidy(page, Z.join(words), "6日 · 青川市<mark>自来水</mark>有限公司 党群工作部. 7", [words.index("自来水")])
    assert got == ["…青川市<mark>自来水</mark>有限公司 党群工作部。7 月 28 日凌晨。"]


def test_excerpt_is_escaped_and_english_is_left_alone(page):
    raw = Z.join(["<", "img ", "src=x ", "onerror=alert(1)", ">", "说明 ", "联系", "我们"])
    raw = raw.replace("<", "&lt;").replace(">", "&gt;")  # as Pagefind escapes raw_content
    got = tidy(page, raw, "&lt;img src=x onerror=alert(1)&gt;说明 联系<mark>我们</mark>", [7])
    assert got == ["&lt;img src=x onerror=alert(1)&gt;说明 联系<mark>我们</mark>"]
    # English: Pagefind did not segment (no U+200B); its words are separated by spaces
    raw = "Leave a note in the feedback book. Give feedback online. Email: a@b.cn"
    got = tidy(page, raw, "feedback book. Give <mark>feedback</mark> online. Email:", [8])
    assert got == ["Leave a note in the feedback book. Give <mark>feedback</mark> online. Email: a@b.cn"]
    # without the page text (another Pagefind), only the punctuation is mended
    assert tidy(page, None, ". <mark>钱大海</mark>. 抢修班班长. 哪里", []) == ["<mark>钱大海</mark>。抢修班班长。哪里"]
