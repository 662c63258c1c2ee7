"""The site's own search index (site_builder/render/search_index.py): what a page offers, the keys, the files.

The browser side (templates/static/search.js, the search page) is tested in test_search.py and
test_citizen.py; here: that the index says exactly what the pages say, in the documented format
(docs/search.md), the same bytes from a cached and a clean build, and only changed files rewritten.
"""

from __future__ import annotations

import json
import os
import re

import pytest

from site_builder.incremental import cache as cache_mod
from site_builder.pages import search
from site_builder.render import search_index as si
from support.search import indexed_text
from support.sites import STORY_FRONT, make_site, run, tree


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


PAGE = """<!doctype html><html><head><title>李明 · 岗位 · 测试市</title><script>var a = "<div>";</script></head>
<body><header><h1>网站</h1></header>
<article class="member" data-search-body>
<div hidden data-search-ignore><span data-search-filter="区县">东区 &amp; 西区</span>
<span data-search-filter="单位">&lt;img src=x onerror=alert(1)&gt;</span></div>
<h1>李明 <small>（窗口）</small></h1>
<p>群众的事<strong>再小</strong>也是大事&nbsp;１２３ABC</p><!-- <p>注释</p> -->
<section data-search-ignore><h2>不要</h2><section><p>也不要</p></section><img data-search-ignore src="a.jpg"></section>
<img src="b.jpg" alt="照片" data-search-ignore><p>照片后面<br>换行</p>
<ul><li>一</li><li>二<span data-search-ignore>隐</span>三</li></ul>
<script>document.write("<p>脚本</p>")</script>
</article>
<footer>页脚</footer></body></html>"""


def test_a_page_offers_its_title_text_and_filters():
    doc = si.extract(PAGE.encode())
    assert doc.title == "李明 （窗口）"
    assert doc.filters == (("区县", "东区 & 西区"), ("单位", "<img src=x onerror=alert(1)>"))
    assert doc.text.split("\n") == ["李明 （窗口）", "群众的事再小也是大事 １２３ABC", "照片后面", "换行", "一", "二三"]
    assert squeeze(doc.text) == indexed_text(PAGE)
    assert si.extract(b"<html><body><p>no body marked</p></body></html>") is None


def test_a_page_written_with_capital_tags_and_other_white_space_offers_the_same():
    """A site's own templates may write ``<P>`` or ``<DIV>``, and text may hold U+3000 or tabs: the capital tags
    end lines as the small ones do, and every run of white space is one space."""
    page = PAGE.replace("<p>", "<P>").replace("</p>", "</P>").replace("<li>", "<LI>").replace("<br>", "<BR>")
    page = page.replace("也是大事&nbsp;", "也是\u3000\t大事 \u3000")
    doc = si.extract(page.encode())
    assert doc.title == "李明 （窗口）"
    assert doc.text.split("\n") == ["李明 （窗口）", "群众的事再小也是 大事 １２３ABC", "照片后面", "换行", "一", "二三"]
    assert doc.filters == si.extract(PAGE.encode()).filters


def test_a_page_without_h1_is_titled_by_its_title_element():
    doc = si.extract("<title>王芳 · 测试市</title><main data-search-body><p>办税员</p></main>".encode())
    assert doc == si.Doc("王芳", "办税员", ())


def test_keys_are_character_pairs_words_and_numbers():
    assert si.keys("群众的事，ABC １２３") == {"群众", "众的", "的事", "abc", "123"}
    assert si.keys("李明", single=True) == {"李", "明", "李明"}
    assert si.keys("李") == set()  # one character is a key in titles only
    assert si.keys("Ｗｉ-Ｆｉ 窗口") == {"wi", "fi", "窗口"}


def test_the_quick_normal_form_is_unicodedata_s():
    """si.nfkc maps the characters most Chinese text is made of one by one: the same as NFKC for every one of
    them, and for text mixing them with characters that combine (accents, kana voicing marks, Hangul jamo)."""
    import random
    import sys
    import unicodedata
    simple = [chr(c) for c in range(sys.maxunicode + 1) if si._NFKC_SIMPLE.fullmatch(chr(c))]
    assert len(simple) > 27_000
    assert [si.nfkc(c) for c in simple] == [unicodedata.normalize("NFKC", c) for c in simple]
    rng = random.Random(7)
    pool = simple[:200] + simple[-300:] + ["\u0301", "\u3099", "\u309a", "\u1100", "\u1161", "\u11a8", "\u3131",
                                           "\u2026", "\uff9e", "\u00e9", "\u2460", "\ufb01", "\u212b"]
    for _ in range(20_000):
        text = "".join(rng.choices(pool, k=rng.randint(0, 8)))
        assert si.nfkc(text) == unicodedata.normalize("NFKC", text), repr(text)


def test_shards_and_postings_are_what_the_browser_computes():
    # h = (h * 31 + code unit) mod 2^32, as search.js computes it
    assert si.shard("ab", 1 << 32) == 97 * 31 + 98
    assert si.shard("^窗口", 64) == si.shard("窗口", 64) == (0x7A97 * 31 + 0x53E3) % 64
    assert si.shard("\U00020000x", 1 << 32) == ((0xD840 * 31 + 0xDC00) * 31 + ord("x")) % (1 << 32)
    names = [si._base36(n) for n in range(100)]
    assert si.postings([3, 5, 40], names) == "3,2,z"
    assert si.shard_count(10) == 16 and si.shard_count(7489) == 1024 and si.shard_count(10 ** 7) == 4096


def decode(postings: str) -> list[int]:
    out, last = [], 0
    for part in postings.split(","):
        last += int(part, 36)
        out.append(last)
    return out


def index_of(files: dict[str, bytes]) -> tuple[dict, dict[str, list[int]], list]:
    meta = json.loads(files["search-index/meta.json"])
    table: dict[str, list[int]] = {}
    for k in range(meta["shards"]):
        for key, value in json.loads(files[f"search-index/g/{k}.json"]).items():
            assert si.shard(key, meta["shards"]) == k
            table[key] = decode(value)
    docs = []
    for j in range((meta["docs"] + meta["chunk"] - 1) // meta["chunk"]):
        docs += json.loads(files[f"search-index/d/{j}.json"])
    assert len(docs) == meta["docs"]
    return meta, table, docs


def test_the_index_files_hold_every_page_under_every_key():
    docs = {"stories/b/": si.Doc("暴雨夜", "暴雨夜里抢修\n电话 12345", (("区县", "东区"),)),
            "members/a/": si.Doc("李明", "李明\n群众的事再小也是大事", (("区县", "西区"), ("星级", "5 星"))),
            "posts/c/": si.Doc("办税窗口", "一次办好", (("区县", "东区"), ("区县", "东区")))}
    meta, table, listed = index_of(si.files(docs))
    assert meta == {"v": 1, "shards": 16, "chunk": si.CHUNK, "docs": 3,
                    "kinds": {"members": [0, 1], "posts": [1, 2], "stories": [2, 3]}}
    assert [d[0] for d in listed] == ["members/a/", "posts/c/", "stories/b/"]  # numbered in address order
    assert listed[0] == ["members/a/", "李明", "李明\n群众的事再小也是大事"]
    for n, (url, title, text) in enumerate(listed):
        for key in si.keys(title + "\n" + text):
            assert n in table[key]
        for key in si.keys(title, single=True):
            assert n in table["^" + key]
    assert table["暴雨"] == [2] and table["^暴"] == [2] and table["12345"] == [2] and "暴" not in table
    assert table["@区县:东区"] == [1, 2]
    filters = json.loads(si.files(docs)["search-index/filters.json"])
    assert filters == {"区县": {"东区": 2, "西区": 1}, "星级": {"5 星": 1}}


@pytest.fixture
def steady(monkeypatch):
    monkeypatch.setattr(cache_mod, "_CODE_VERSION", "test")


def test_the_built_index_says_what_the_built_pages_say(tmp_path, capsys, steady):
    site = make_site(tmp_path)
    out = tmp_path / "out"
    assert run(capsys, "build", site, "-o", out, "-q", "--no-cache")[0] == 0
    files = {k: (out / k).read_bytes() for k in tree(out) if k.startswith("search-index/")}
    meta, table, listed = index_of(files)
    pages = {p.parent.relative_to(out).as_posix() + "/": p.read_text(encoding="utf-8")
             for p in out.rglob("index.html")}
    indexed = {url: html for url, html in pages.items() if indexed_text(html)}
    assert [d[0] for d in listed] == sorted(indexed) and any(u.startswith("stories/") for u in indexed)
    for url, title, text in listed:
        assert squeeze(text) == indexed_text(indexed[url])
    story = [d[0] for d in listed].index("stories/first/")
    assert story in table["^笑脸"] and meta["kinds"]["stories"][0] <= story < meta["kinds"]["stories"][1]


def test_without_search_no_page_no_index_no_link(tmp_path, capsys, steady, monkeypatch):
    monkeypatch.setenv(search.ENV, "off")
    site = make_site(tmp_path)
    out = tmp_path / "out"
    assert run(capsys, "build", site, "-o", out, "-q", "--no-cache")[0] == 0
    files = tree(out)
    assert not any(k.startswith(("search-index/", "search/")) for k in files)
    assert "search/" not in (out / "index.html").read_text(encoding="utf-8")


def test_an_edit_rewrites_only_the_index_files_it_changes(tmp_path, capsys, steady):
    site = make_site(tmp_path)
    out = tmp_path / "out"
    assert run(capsys, "build", site, "-o", out, "-q")[0] == 0
    before = {k: os.stat(out / k).st_mtime_ns for k in tree(out) if k.startswith("search-index/")}
    old = {d[0]: d for d in json.loads((out / "search-index/d/0.json").read_bytes())}["stories/first/"]
    story = site / "content/stories/first.md"
    story.write_text(STORY_FRONT + "\n雷雨夜里，窗口照常开放。\n", encoding="utf-8")
    assert run(capsys, "build", site, "-o", out, "-q")[0] == 0
    after = {k: os.stat(out / k).st_mtime_ns for k in tree(out) if k.startswith("search-index/")}
    new = {d[0]: d for d in json.loads((out / "search-index/d/0.json").read_bytes())}["stories/first/"]
    shards = json.loads((out / "search-index/meta.json").read_bytes())["shards"]
    moved = si.keys(old[1] + "\n" + old[2]) ^ si.keys(new[1] + "\n" + new[2])
    assert moved and {k for k in after if after[k] != before.get(k)} == \
        {"search-index/d/0.json"} | {f"search-index/g/{si.shard(key, shards)}.json" for key in moved}
    clean = tmp_path / "clean"
    assert run(capsys, "build", site, "-o", clean, "-q", "--no-cache")[0] == 0
    assert tree(out) == tree(clean)
    _, table, listed = index_of({k: (out / k).read_bytes() for k in after})
    assert [d[0] for d in listed].index("stories/first/") in table["雷雨"]


# -- an index updated from an earlier one is the index made afresh ------------------------------------------

from hypothesis import given, settings, strategies as st  # noqa: E402

WORDS = ["窗口", "群众", "办税", "暴雨", "抢修", "李明", "王芳", "一次办好", "12345", "Wi-Fi", "，", "。"]
doc_strategy = st.builds(
    lambda title, text, district: si.Doc("".join(title), "\n".join("".join(line) for line in text),
                                         (("区县", district),) if district else ()),
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=3),
    st.lists(st.lists(st.sampled_from(WORDS), max_size=6), max_size=3),
    st.sampled_from(["", "东区", "西区"]))
url_strategy = st.builds(lambda kind, n: f"{kind}/{n}/", st.sampled_from(["posts", "members", "stories"]),
                         st.integers(0, 40))


def whole(made: si.Made, files: dict[str, bytes]) -> dict[str, bytes]:
    """Every file's digest: the changed ones' from ``made``, the kept ones' as the earlier build wrote them."""
    out = {path: si.digest(data) for path, data in made.files.items()}
    out.update(made.kept)
    assert set(out) == set(files) and not set(made.files) & set(made.kept)
    return out


@settings(max_examples=int(os.environ.get("SITE_BUILDER_PROPERTY_EXAMPLES", "60")), deadline=None)
@given(st.lists(st.tuples(st.dictionaries(url_strategy, doc_strategy, max_size=30), st.booleans()),
                min_size=2, max_size=5))
def test_an_updated_index_is_the_index_made_afresh(states):
    previous, earlier = None, {}
    for docs, rendered in states:  # rendered: the keys of every page come from the workers (si.prepare)
        # before: what the earlier build's pages offered, for those rendered again (here: every page whose
        # document changed, and some others)
        before = {url: doc for url, doc in earlier.items() if url in docs and (doc != docs[url] or rendered)}
        made = si.build(docs, previous, {url: si.prepare(url, doc) for url, doc in docs.items()} if rendered else None,
                        before)
        afresh = si.build(docs)
        assert whole(made, afresh.files) == {path: si.digest(data) for path, data in afresh.files.items()}
        assert made.index.tables == afresh.index.tables and made.index.urls == afresh.index.urls
        assert made.index.filters == afresh.index.filters
        if previous is not None:  # the earlier index is never changed
            assert previous.tables == si.build(earlier).index.tables
        previous, earlier = made.index, docs


def test_an_index_made_whole_hands_each_file_to_the_writer_as_it_is_made():
    """A clean build's index is not held whole (136 MB at 10,000 posts): with ``write``, every file goes to it, the
    same bytes as the files returned without it, each once, and the index it returns updates like any other."""
    docs = {f"posts/{n}/": si.Doc(f"岗位{n}", f"群众的事再小也是大事，第{n}号窗口", (("区县", "东区" if n % 2 else "西区"),))
            for n in range(40)}
    written: list[tuple[str, bytes]] = []
    made = si.build(docs, write=lambda path, data: written.append((path, data)))
    whole = si.files(docs)
    assert dict(written) == whole and len(written) == len(whole)  # every file, once, the same bytes
    assert made.files == {} and made.kept == {}
    assert made.index.digests == {path: si.digest(data) for path, data in whole.items()}
    # the next build updates it: one page's text changed, one file of its keys and its document file written
    changed = dict(docs, **{"posts/3/": si.Doc("岗位3", "暴雨抢修", docs["posts/3/"].filters)})
    after = si.build(changed, made.index, None, {"posts/3/": docs["posts/3/"]})
    assert {path: si.digest(data) for path, data in after.files.items()} | after.kept == \
        {path: si.digest(data) for path, data in si.files(changed).items()}
    assert any(path.startswith("search-index/d/") for path in after.files) and len(after.files) < len(whole)
