"""The search index (site_builder/search.py): built by the pinned Pagefind, optional, deterministic.

Queries in a real browser are in tests/test_citizen.py; these tests look at the built files.
"""

import os
import stat
import time

import pytest

from site_builder.pages import search
from support import require
from support.sites import MINI, make_site, run, tree

INDEXED = ["posts/tax-window/index.html", "members/wang-fang/index.html", "stories/first/index.html",
           "units/tax/index.html"]
NOT_INDEXED = ["index.html", "browse/all/all/5/index.html", "honours/index.html", "stories/index.html",
               "404.html", "accessibility/index.html"]


@pytest.fixture(scope="module")
def pagefind():
    binary, why = search.find(MINI)
    require(binary is not None, why + " (tests need it)")
    return binary


def fake_pagefind(tmp_path, version, body="exit 0"):
    script = tmp_path / "bin" / "pagefind_extended"
    script.parent.mkdir(exist_ok=True)
    script.write_text(f'#!/bin/sh\nif [ "$1" = "--version" ]; then echo "pagefind {version}"; exit 0; fi\n{body}\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def test_index_is_built_with_filters(tmp_path, capsys, pagefind):
    site = make_site(tmp_path)
    out = tmp_path / "out"
    code, _, err = run(capsys, "build", site, "-o", out)
    assert code == 0 and "pagefind" not in err
    assert (out / "pagefind/pagefind.js").is_file() and (out / "pagefind/pagefind-ui.js").is_file()
    assert list((out / "pagefind/filter").glob("*.pf_filter")) and list((out / "pagefind/fragment").iterdir())
    page = (out / "search/index.html").read_text(encoding="utf-8")
    assert '<script src="/pagefind/pagefind-ui.js"></script>' in page
    assert 'href="/search/"' in (out / "posts/tax-window/index.html").read_text(encoding="utf-8")
    assert 'action="/search/"' in (out / "index.html").read_text(encoding="utf-8")


def test_only_content_pages_are_indexed_with_their_filters(tmp_path, capsys, pagefind):
    site = make_site(tmp_path)
    out = tmp_path / "out"
    assert run(capsys, "build", site, "-o", out)[0] == 0
    for rel in INDEXED:
        assert "data-pagefind-body" in (out / rel).read_text(encoding="utf-8"), rel
    for rel in NOT_INDEXED:
        assert "data-pagefind-body" not in (out / rel).read_text(encoding="utf-8"), rel
    post = (out / "posts/tax-window/index.html").read_text(encoding="utf-8")
    for name, value in [("区县", "东区"), ("行业", "窗口部门"), ("单位", "测试市税务局"), ("星级", "5 星")]:
        assert f'<span data-pagefind-filter="{name}">{value}</span>' in post
    # The repetitive star-history table is not search text.
    assert 'role="region" aria-label="星级记录明细表" data-pagefind-ignore' in post


def test_index_is_deterministic(tmp_path, capsys, pagefind):
    site = make_site(tmp_path)
    assert run(capsys, "build", site, "-o", tmp_path / "a")[0] == 0
    assert run(capsys, "build", site, "-o", tmp_path / "b")[0] == 0
    a, b = tree(tmp_path / "a"), tree(tmp_path / "b")
    assert any(k.startswith("pagefind/") for k in a) and a == b


def test_without_pagefind_the_site_builds_without_search(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv(search.ENV, str(tmp_path / "nowhere/pagefind_extended"))
    site = make_site(tmp_path)
    out = tmp_path / "out"
    code, _, err = run(capsys, "build", site, "-o", out)
    assert code == 0
    notes = [line for line in err.splitlines() if "pagefind" in line]
    assert len(notes) == 1 and notes[0].startswith("提示：本次未生成站内搜索：需要 pagefind 1.6.0")
    assert "install-node-deps.sh" in notes[0]
    assert not (out / "pagefind").exists() and not (out / "search").exists()
    assert "/search/" not in "".join(p.read_text(encoding="utf-8") for p in out.rglob("*.html"))
    assert (out / "posts/tax-window/index.html").is_file()


def test_another_pagefind_version_is_not_used(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv(search.ENV, str(fake_pagefind(tmp_path, "1.5.2", f"touch {tmp_path}/USED; exit 0")))
    site = make_site(tmp_path)
    code, _, err = run(capsys, "build", site, "-o", tmp_path / "out")
    assert code == 0 and "需要 pagefind 1.6.0" in err and "（1.5.2）" in err
    assert not (tmp_path / "USED").exists() and not (tmp_path / "out/search").exists()


def test_a_failing_index_build_leaves_the_published_site_alone(tmp_path, capsys, monkeypatch):
    site = make_site(tmp_path)
    out = tmp_path / "out"
    monkeypatch.setenv(search.ENV, str(tmp_path / "nowhere"))
    assert run(capsys, "build", site, "-o", out)[0] == 0
    before = tree(out)
    monkeypatch.setenv(search.ENV, str(fake_pagefind(tmp_path, search.VERSION, "echo 'Error: disk full' >&2; exit 3")))
    code, _, err = run(capsys, "build", site, "-o", out)
    assert code != 0 and "pagefind 建立搜索索引失败（退出码 3）：Error: disk full" in err
    assert "Traceback" not in err
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no half-built sibling


def test_search_page_works_without_javascript(tmp_path, capsys, pagefind):
    site = make_site(tmp_path)
    out = tmp_path / "out"
    assert run(capsys, "build", site, "-o", out)[0] == 0
    page = (out / "search/index.html").read_text(encoding="utf-8")
    assert "站内搜索需要浏览器开启 JavaScript" in page
    for link in ["/browse/east/all/all/", "/browse/all/window/all/", "/browse/all/all/5/", "/units/", "/stories/"]:
        assert f'href="{link}"' in page, link


def test_search_page_under_a_base_path(tmp_path, capsys, pagefind):
    site = make_site(tmp_path)
    settings = site / "content/site.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("https://example.org/", "https://example.org/pledge/"),
                        encoding="utf-8")
    assert run(capsys, "build", site, "-o", tmp_path / "out")[0] == 0
    page = (tmp_path / "out/search/index.html").read_text(encoding="utf-8")
    assert 'src="/pledge/pagefind/pagefind-ui.js"' in page
    assert 'bundlePath: "/pledge/pagefind/", baseUrl: "/pledge/"' in page


def test_pagefind_found_in_the_site_folder(tmp_path, monkeypatch):
    monkeypatch.delenv(search.ENV, raising=False)
    site = tmp_path / "site"
    fake = fake_pagefind(tmp_path, search.VERSION)
    target = site / "node_modules/@pagefind/linux-x64/bin/pagefind_extended"
    target.parent.mkdir(parents=True)
    os.symlink(fake, target)
    assert search.candidates(site)[0] == target
    assert search.find(site)[0] == target


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


def test_index_is_kept_while_the_indexed_pages_and_pagefind_are_the_same(tmp_path, capsys, monkeypatch):
    runs = tmp_path / "RUNS"
    body = f'mkdir -p "$2/$4" && echo "$RANDOM" > "$2/$4/pagefind.js" && echo run >> {runs}'
    monkeypatch.setenv(search.ENV, str(fake_pagefind(tmp_path, search.VERSION, body)))
    site = make_site(tmp_path)
    out = tmp_path / "out"

    def build() -> int:
        assert run(capsys, "build", site, "-o", out)[0] == 0
        return len(runs.read_text().splitlines())

    assert build() == 1
    index = (out / "pagefind/pagefind.js").read_text()
    # A page Pagefind does not read (the 404 page) changes: the index is the previous one.
    (site / "templates").mkdir()
    (site / "templates/404.html").write_text("<p>找不到这个页面</p>", encoding="utf-8")
    assert build() == 1 and (out / "pagefind/pagefind.js").read_text() == index
    assert (out / "404.html").read_text(encoding="utf-8") == "<p>找不到这个页面</p>"
    # A story changes: indexed again.
    story = site / "content/stories/first.md"
    story.write_text(story.read_text(encoding="utf-8").replace("。", "。补记一句。", 1), encoding="utf-8")
    assert build() == 2
    # Another Pagefind version: indexed again, though no page changed.
    monkeypatch.setattr(search, "VERSION", "1.6.1")
    monkeypatch.setenv(search.ENV, str(fake_pagefind(tmp_path, "1.6.1", body)))
    search._version.cache_clear()
    assert build() == 3
    assert build() == 3


def test_one_story_is_indexed_again_in_place_and_a_failing_index_leaves_the_site_alone(tmp_path, capsys, monkeypatch):
    """A small edit with the search index on updates the output in place: the index is made from a staging
    folder of the indexed pages (the changed page as it will be), then swapped in; the other files are not
    touched. A failing index build at that point changes nothing."""
    seen = tmp_path / "SEEN"
    body = (f'mkdir -p "$2/$4" && cat "$2/stories/first/index.html" | md5sum > "$2/$4/pagefind.js" '
            f'&& ls "$2" > {seen}')
    monkeypatch.setenv(search.ENV, str(fake_pagefind(tmp_path, search.VERSION, body)))
    site = make_site(tmp_path)
    out = tmp_path / "out"
    assert run(capsys, "build", site, "-o", out)[0] == 0
    home = (out / "index.html").stat().st_ino
    index = (out / "pagefind/pagefind.js").read_text()
    story = site / "content/stories/first.md"
    story.write_text(story.read_text(encoding="utf-8").replace("。", "。补记一句。", 1), encoding="utf-8")
    code, _, err = run(capsys, "build", site, "-o", out)
    assert code == 0, err
    assert "补记一句" in (out / "stories/first/index.html").read_text(encoding="utf-8")
    new_index = (out / "pagefind/pagefind.js").read_text()
    assert new_index != index  # made from the edited page, not the published one
    assert sorted(seen.read_text().split()) == ["members", "pagefind", "posts", "stories", "units"]  # what it indexes
    assert (out / "index.html").stat().st_ino == home  # in place: untouched, not rebuilt beside
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no staging folder left

    before = tree(out)
    monkeypatch.setenv(search.ENV, str(fake_pagefind(tmp_path, search.VERSION, "echo 'Error: disk full' >&2; exit 3")))
    story.write_text(story.read_text(encoding="utf-8").replace("补记一句。", "再补一句。", 1), encoding="utf-8")
    code, _, err = run(capsys, "build", site, "-o", out)
    assert code != 0 and "pagefind 建立搜索索引失败（退出码 3）：Error: disk full" in err and "Traceback" not in err
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_the_index_starts_once_its_pages_are_written_and_a_failing_build_stops_it(tmp_path, capsys, monkeypatch):
    """Pagefind runs while the pages it does not read are rendered; when the build then fails (a broken
    link), it is stopped: it never finishes into a folder that is being removed, and nothing is left."""
    seen, finished = tmp_path / "SEEN", tmp_path / "FINISHED"
    body = f'ls "$2/posts" > {seen}; sleep 3; mkdir -p "$2/$4"; touch {finished}'
    monkeypatch.setenv(search.ENV, str(fake_pagefind(tmp_path, search.VERSION, body)))
    site = make_site(tmp_path, {"content/stories/first.md": "---\ntitle: 窗口里的笑脸\ndate: 2025-03-01\n"
                                "author: 宣传部\nposts: [tax-window]\n---\n第一段。\n\n见[申报中的岗位](../posts/tax-declared.yaml)。\n"})
    code, _, err = run(capsys, "build", site, "-o", tmp_path / "out")
    assert code == 1 and "tax-declared" in err and "Traceback" not in err
    assert "tax-window" in seen.read_text()  # it had started: the post pages were there
    time.sleep(4)
    assert not finished.exists()
    assert not (tmp_path / "out").exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
