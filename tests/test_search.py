"""The search page: its links, without JavaScript, and in a browser (templates/static/search.js) over a
hand-made index: its keys, excerpts, results, filters and address.

The index it reads is tested in tests/test_search_index.py; queries in a real browser are in
tests/test_citizen.py.
"""

import re
import shutil

import pytest

from site_builder.render import search_index as si
from support.http import serve_directory
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


# -- the search page in a browser (templates/search.html, templates/static/search.js) -----------------
# The index format is docs/search.md. `write_index` writes hand-made docs with the build's own writer
# (render/search_index.py), so that the cases the sample city lacks (false pair matches, more than ten
# results, hostile titles) are searched as the browser will meet them; the sample city's index is searched
# in tests/test_citizen.py.

SEARCH_JS = MINI.parents[2] / "templates/static/search.js"


def write_index(folder, docs):
    """Write search-index/ into ``folder`` from docs [(url, title, text, {filter: value})]."""
    if (folder / "search-index").exists():
        shutil.rmtree(folder / "search-index")
    made = si.files({url: si.Doc(title, text, tuple(filters.items())) for url, title, text, filters in docs})
    for path, data in made.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_bytes(data)


@pytest.fixture
def js(page):
    """A blank page with search.js loaded (it starts no search page there): page.evaluate(code, arg)."""
    page.set_content("<!doctype html><html lang='zh-CN'><body></body></html>")
    page.add_script_tag(path=str(SEARCH_JS))
    return page


def test_query_keys_shards_and_postings_follow_the_format(js):
    queries = ["挂号单", "李", "8路公交 ABC", "ＡＢＣ１２３，意见簿", "e-mail"]
    got = js.evaluate("""qs => qs.map(q => { const s = window.siteSearch;
        return s.queryKeys(s.runs(s.normalize(q))); })""", queries)
    assert got == [["挂号", "号单"], ["^李"], ["8", "路公", "公交", "abc"], ["abc123", "意见", "见簿"], ["e", "mail"]]
    for query, keys in zip(queries, got):  # the keys a page holding the query has
        assert {k for k in keys if k[0] != "^"} <= si.keys(query), query
        assert {k for k in keys if k[0] == "^"} <= {"^" + k for k in si.keys(query, single=True)}, query
    keys = ["挂号", "^李东", "李东", "@区县:西山区", "@kind:posts", "abc123", "\U00020000", "ÿ"]
    shards = js.evaluate("keys => keys.map(k => window.siteSearch.shardOf(k, 1024))", keys)
    assert shards == [si.shard(k, 1024) for k in keys]
    assert js.evaluate("() => window.siteSearch.decode('3,2,z')") == [3, 5, 40]
    assert js.evaluate("() => window.siteSearch.decode('')") == []
    assert js.evaluate("() => window.siteSearch.intersect([[1, 3, 5, 40], [3, 40, 41], [0, 3, 40]])") == [3, 40]


def excerpt(js, title, text, query):
    """The excerpt search.js shows for a doc, the marked text in [brackets]."""
    return js.evaluate("""([title, text, q]) => { const s = window.siteSearch;
        return s.excerpt(title, text, s.runs(s.normalize(q))).map(p => p[1] ? '[' + p[0] + ']' : p[0]).join(''); }""",
                       [title, text, query])


MEMBER_TEXT = "郑凯\n抢修调度员\n所在岗位：供水管网 24 小时抢修岗（青川市自来水有限公司）\n工单不过夜，群众不空等\n对标记录卡"
STORY_TEXT = ("暴雨夜里的六个小时\n先进事迹 · 典型经验 · 市委宣传部新闻中心 · 2025年8月6日\n青川市自来水有限公司党群工作部\n"
              "7 月 28 日凌晨，一场暴雨让西山区玉泉路的一段老旧供水管道破裂。抢修班班长钱大海带着四名队员，冒雨赶到现场，"
              "用了 26 分钟。这是他们写在岗位标准里的承诺：接单后 30 分钟内到场。")


def test_excerpt_reads_as_chinese(js):
    # blocks are joined as sentences; the page's title (the link above) is not repeated
    assert excerpt(js, "郑凯", MEMBER_TEXT, "凯") == \
        "抢修调度员。所在岗位：供水管网 24 小时抢修岗（青川市自来水有限公司）。工单不过夜，群众不空等。对标记录卡。"
    assert excerpt(js, "郑凯", MEMBER_TEXT, "不过") == \
        "抢修调度员。所在岗位：供水管网 24 小时抢修岗（青川市自来水有限公司）。工单[不过]夜，群众不空等。对标记录卡。"
    # the window starts at a sentence, not inside the date line before it, and ends at one
    assert excerpt(js, "暴雨夜里的六个小时", STORY_TEXT, "自来水") == (
        "青川市[自来水]有限公司党群工作部。7 月 28 日凌晨，一场暴雨让西山区玉泉路的一段老旧供水管道破裂。"
        "抢修班班长钱大海带着四名队员，冒雨赶到现场，用了 26 分钟。")
    assert excerpt(js, "暴雨夜里的六个小时", STORY_TEXT, "承诺") == \
        "抢修班班长钱大海带着四名队员，冒雨赶到现场，用了 26 分钟。这是他们写在岗位标准里的[承诺]：接单后 30 分钟内到场。"
    # a fact's name ("批复：") is read with its value; every occurrence is marked
    facts = "x\n位置：\n市民中心二楼 B 区 12 号、13 号窗口\n批复：\n2025年3月6日（青先教办〔2025〕7号）\n申报：\n2025年2月26日"
    assert excerpt(js, "x", facts, "2025") == \
        "位置：市民中心二楼 B 区 12 号、13 号窗口。批复：[2025]年3月6日（青先教办〔[2025]〕7号）。申报：[2025]年2月26日。"
    unit = "青川市自来水有限公司\n党支部：\n西山供水服务中心党支部\n区县：\n西山区"
    assert excerpt(js, "青川市自来水有限公司", unit, "党支部") == "[党支部]：西山供水服务中心[党支部]。区县：西山区。"


def test_excerpt_window_is_cut_at_a_clause_with_brackets_balanced(js):
    long_run = "长文\n" + "一直写下去" * 8 + "关键词在这里然后" + "继续写很多很多字" * 8 + "。"
    got = excerpt(js, "长文", long_run, "关键词")
    assert got.startswith("…") and "[关键词]" in got and 60 <= len(got) <= 110, got
    bracket = ("长文\n第一句话很短。第二句话提到了（括号里的内容，" + "很长" * 12 + "，关键词也在括号里面，后面还有"
               + "很多" * 14 + "的字）以及更多。")
    got = excerpt(js, "长文", bracket, "关键词")
    assert got.startswith("…（括号里的内容") and got.count("（") == got.count("）"), got
    cut = "长文\n" + "前面的话，" * 3 + "关键词出现" + "，后面的话" * 20 + "。"
    got = excerpt(js, "长文", cut, "关键词")
    assert got.endswith("…") and not re.search(r"[，、：；·]…$", got), got
    for text in [got, excerpt(js, "暴雨夜里的六个小时", STORY_TEXT, "典型")]:
        assert not snippet_problems(text.replace("[", "").replace("]", "")), text


def test_excerpt_of_english_text_and_full_width_forms(js):
    text = "Feedback\nLeave a note in the feedback book.\nGive feedback online\nEmail: a@b.cn"
    assert excerpt(js, "Feedback", text, "online") == "Leave a note in the feedback book. Give feedback [online]. Email: a@b.cn"
    # an English site's labels between Chinese content: each sentence ends in its own language
    text = "李明\n窗口负责人\nServes at 办税服务窗口（测试市税务局）\n群众的事再小也是大事\nStandard card\n耐心解答"
    assert excerpt(js, "李明", text, "耐心") == \
        "窗口负责人。Serves at 办税服务窗口（测试市税务局）。群众的事再小也是大事。Standard card. [耐心]解答。"
    assert excerpt(js, "x", "x\n电话：0571-86001234\n意见簿：一楼", "意见簿") == "电话：0571-86001234。[意见簿]：一楼。"
    assert excerpt(js, "x", "x\n电子邮箱：a@b.cn\n岗位信息", "岗位") == "电子邮箱：a@b.cn。[岗位]信息。"  # a Chinese sentence
    assert excerpt(js, "x", "x\n网站：\nhttps://a.cn/\n本单位的示范岗", "示范") == "网站：https://a.cn/。本单位的[示范]岗。"
    # the query is normalised (NFKC, lower case) and so is the text; the text is shown as written
    assert excerpt(js, "全角", "全角\n电话：０５７１－８６００１２３４，ＡＢＣ服务", "abc") == "电话：０５７１－８６００１２３４，[ＡＢＣ]服务。"


def snippet_problems(text: str) -> list[str]:
    from test_citizen import snippet_problems as problems
    return problems(text)


HOSTILE = "<img src=x onerror=alert(1)>"


def search_docs():
    """A hand-made index: 5 posts that hold 挂号 and 号单 apart (ranked first, not shown), 12 that hold
    挂号单, a story with it in its title (shown first), a member with a hostile name, filters."""
    docs = [(f"posts/a{i}/", f"窗口 a{i}", f"窗口 a{i}\n请先挂号。取号单在门口。", {"区县": "东湖区"}) for i in range(5)]
    docs += [(f"posts/p{i:02}/", f"窗口 p{i:02}", f"窗口 p{i:02}\n群众丢了挂号单，我们帮他找回。",
              {"区县": "西山区" if i < 6 else "东湖区", "星级": "5 星" if i < 2 else "3 星"}) for i in range(12)]
    docs += [("stories/s/", "一张挂号单", "一张挂号单\n他根据挂号单上的信息联系到失主。", {}),
             ("members/evil/", HOSTILE, f"{HOSTILE}\n捡到挂号单<script>alert(2)</script>", {"单位": "<b>坏</b>单位"})]
    return docs


@pytest.fixture(scope="module")
def pledge_site(tmp_path_factory):
    """The mini site built under the base path /pledge/ (served from www/pledge/), with the hand-made index."""
    tmp = tmp_path_factory.mktemp("pledge")
    site = make_site(tmp)
    settings = site / "content/site.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("https://example.org/", "https://example.org/pledge/"),
                        encoding="utf-8")
    www = tmp / "www"
    from site_builder.commands.main import main
    assert main(["build", str(site), "-o", str(www / "pledge"), "-q"]) == 0
    shutil.copytree(www / "pledge/search-index", tmp / "built-index")  # (the tests below replace it)
    return www


@pytest.fixture
def pledge(pledge_site, page, request):
    if "built" in request.node.name:
        shutil.rmtree(pledge_site / "pledge/search-index")
        shutil.copytree(pledge_site.parent / "built-index", pledge_site / "pledge/search-index")
    else:
        write_index(pledge_site / "pledge", search_docs())
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    with serve_directory(pledge_site) as base:
        yield base + "/pledge/"
    assert dialogs == []


def results(page):
    page.wait_for_function("() => document.querySelector('#search-results').getAttribute('aria-busy') === 'false'")
    return page.locator(".search-result").evaluate_all("""els => els.map(e => [e.querySelector('a').getAttribute('href'),
        (e.querySelector('.search-result-kind') || {}).textContent, e.querySelector('a').textContent])""")


def test_search_page_shows_only_pages_that_contain_the_query_ten_at_a_time(pledge, page):
    page.goto(pledge + "search/?q=挂号单")
    assert page.get_by_role("searchbox", name="搜索示范岗、党员和先进事迹").input_value() == "挂号单"
    got = results(page)
    # the story (the query in its title) first, then posts; a0..a4 hold 挂号 and 号单 only apart
    assert got[0] == ["/pledge/stories/s/", "先进事迹", "一张挂号单"]
    assert [g[0] for g in got[1:]] == [f"/pledge/posts/p{i:02}/" for i in range(9)]
    assert {g[1] for g in got[1:]} == {"示范岗"}
    assert page.locator("#search-status").inner_text() == "找到约 14 个结果"  # 19 found, a0..a4 read and dropped, the rest not yet read
    assert page.locator(".search-result mark").first.inner_text() == "挂号单"
    more = page.get_by_role("button", name="显示更多结果")
    more.click()
    got = results(page)
    assert [g[0] for g in got[10:]] == ["/pledge/posts/p09/", "/pledge/posts/p10/", "/pledge/posts/p11/", "/pledge/members/evil/"]
    assert got[-1][1:] == ["党员", HOSTILE]
    assert page.locator("#search-status").inner_text() == "找到 14 个结果"
    assert not more.is_visible()
    assert page.evaluate("() => document.activeElement.getAttribute('href')") == "/pledge/posts/p09/"  # the first new one
    # everything from the index is text: no element of the content's making
    made = page.locator("#search-results *").evaluate_all("els => [...new Set(els.map(e => e.tagName))].sort()")
    assert made == ["A", "BUTTON", "H2", "H3", "LI", "MARK", "OL", "P"]
    assert "<script>alert(2)</script>" in page.locator(".search-result").last.inner_text()
    page.get_by_role("link", name="窗口 p10").click()
    page.wait_for_url("**/pledge/posts/p10/")


def test_the_built_index_under_a_base_path(pledge, page):
    """The mini site's own index, its pages under /pledge/: found, linked, and opened."""
    page.goto(pledge + "search/?q=李明")
    # the member (the query in the title) before the post that names him
    assert results(page) == [["/pledge/members/li-ming/", "党员", "李明"], ["/pledge/posts/tax-window/", "示范岗", "办税服务窗口"]]
    page.get_by_role("link", name="李明").first.click()
    page.wait_for_url("**/pledge/members/li-ming/")
    assert page.locator("h1").inner_text() == "李明"


def test_a_one_character_query_finds_the_titles_that_have_it(pledge, page):
    page.goto(pledge + "search/?q=张")  # a surname: the index has single characters of titles only
    assert [g[0] for g in results(page)] == ["/pledge/stories/s/"]
    page.get_by_role("searchbox").fill("单")
    assert [g[0] for g in results(page)] == ["/pledge/stories/s/"]  # 一张挂号单; not the posts' text


def test_search_filters_and_the_address(pledge, page):
    page.goto(pledge + "search/")
    page.locator("#search-filters-box summary").click()
    district = page.get_by_role("combobox", name="区县")
    assert district.locator("option").all_inner_texts() == ["全部", "东湖区（11）", "西山区（6）"]
    assert "<b>坏</b>单位（1）" in page.get_by_role("combobox", name="单位").locator("option").all_inner_texts()
    district.select_option("西山区")
    assert [g[0] for g in results(page)] == [f"/pledge/posts/p{i:02}/" for i in range(6)]
    page.get_by_role("combobox", name="星级").select_option("5 星")
    assert [g[0] for g in results(page)] == ["/pledge/posts/p00/", "/pledge/posts/p01/"]
    assert page.locator("#search-filters-chosen").inner_text() == "（已选 2 项）"
    page.get_by_role("searchbox").fill("找回")
    assert [g[0] for g in results(page)] == ["/pledge/posts/p00/", "/pledge/posts/p01/"]
    # the address keeps the query and the filters: reloading (or sharing it) shows the same
    assert page.evaluate("() => decodeURIComponent(location.search)") == "?q=找回&区县=西山区&星级=5 星".replace(" ", "+")
    page.reload()
    assert [g[0] for g in results(page)] == ["/pledge/posts/p00/", "/pledge/posts/p01/"]
    assert page.locator("#search-filters-box").get_attribute("open") is not None
    page.get_by_role("searchbox").fill("没有这个词")
    results(page)
    assert page.locator("#search-status").inner_text().startswith("没有找到符合条件的页面")
    assert page.locator(".search-result").count() == 0


def test_search_page_says_when_the_index_cannot_be_read(pledge, page, pledge_site):
    shutil.rmtree(pledge_site / "pledge/search-index/g")
    page.goto(pledge + "search/?q=挂号单")
    assert results(page) == []
    assert page.locator("#search-status").inner_text().startswith("搜索暂时无法使用")
    assert page.get_by_role("link", name="5 星").is_visible()  # the browse links are still there
