"""Golden checks on the sample city (content/): the built pages say what the content says."""

from pathlib import Path

import pytest
import yaml

from support.sites import ROOT
from test_build import all_text, parse


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample") / "out"
    from site_builder.commands.main import main
    assert main(["build", str(ROOT), "-o", str(out), "-q"]) == 0
    return out


def content(rel: str) -> dict:
    return yaml.safe_load((ROOT / "content" / rel).read_text(encoding="utf-8"))


def test_sample_is_big_enough_to_show_everything():
    c = ROOT / "content"
    units = [content(f"units/{p.name}") for p in (c / "units").glob("*.yaml")]
    posts = [content(f"posts/{p.name}") for p in (c / "posts").glob("*.yaml")]
    assert len(units) >= 4 and len({u["district"] for u in units}) >= 2 and len({u["sector"] for u in units}) >= 3
    approved = [p for p in posts if "approval" in p]
    assert len(approved) >= 12 and sum(p.get("kind") == "window" for p in approved) >= 3
    assert any("approval" not in p for p in posts)
    assert len(list((c / "members").glob("*.yaml"))) >= 40
    assert len(list((c / "evaluations").glob("*.yaml"))) >= 12
    assert len(list((c / "stories").glob("*.md"))) >= 6


def test_home_orders_posts_by_stars(sample):
    page = (sample / "index.html").read_text()
    order = [page.index(f"/posts/{pid}/") for pid in
             ("zrzy-budongchan-window", "gongjiao-8lu-post", "yiyuan-yaofang-post", "zrzy-bangban-post",
              "xishan-nongmao-gongpingcheng-post")]
    assert order == sorted(order)
    assert "/posts/zilaishui-rexian-post/" not in page  # revoked: not a current star-rated post


def test_star_filter_pages(sample):
    five = parse(sample / "browse/all/all/5/index.html").links
    posts = {link for link in five if link.startswith("/posts/")}
    assert posts == {"/posts/zrzy-budongchan-window/", "/posts/xishan-shuiwu-banshui-window/",
                     "/posts/zilaishui-qiangxiu-post/"}


@pytest.mark.parametrize("pid,stars", [("zrzy-budongchan-window", 5), ("donghu-shebao-window", 4),
                                       ("yiyuan-yaofang-post", 3), ("zrzy-bangban-post", 2),
                                       ("xishan-nongmao-gongpingcheng-post", 1)])
def test_post_pages_show_derived_stars(sample, pid, stars):
    page = (sample / f"posts/{pid}/index.html").read_text()
    assert f'aria-label="{stars} 星（满 5 星）"' in page
    post = content(f"posts/{pid}.yaml")
    assert post["name"] in page and post["feedback"]["book"] in page
    digits = "".join(ch for ch in post["feedback"]["phone"] if ch.isdigit() or ch == "+")
    assert f'href="tel:{digits}"' in page


def test_commended_post_on_the_honour_roll(sample):
    honours = parse(sample / "honours/index.html").links
    assert "/posts/zrzy-budongchan-window/" in honours and "/posts/xishan-shuiwu-banshui-window/" in honours
    page = (sample / "posts/zrzy-budongchan-window/index.html").read_text()
    assert "第一批创建活动结束时满五星，授牌命名。" in page and "本岗位于 2025年12月31日 满五星" in page


def test_revoked_post_keeps_its_page_with_when_why_and_feedback(sample):
    page = (sample / "posts/zilaishui-rexian-post/index.html").read_text()
    assert "本岗位已于 2025年8月31日 摘牌。" in page
    assert "连续 3 个月不合格，摘牌" in page
    post = content("posts/zilaishui-rexian-post.yaml")
    digits = "".join(ch for ch in post["feedback"]["phone"] if ch.isdigit())
    assert f'href="tel:{digits}"' in page


def test_missing_month_is_shown(sample):
    page = (sample / "posts/xinhua-shaoer-post/index.html").read_text()
    assert "2025年10月无考评记录，星级不变。" in page


def test_declared_post_and_its_members_are_nowhere(sample):
    text = all_text(sample)
    post = content("posts/donghu-shebao-yibao-post.yaml")
    assert post["name"] not in text and "donghu-shebao-yibao-post" not in text
    for mid in ("bai-lu", "kong-xiangyu"):
        assert content(f"members/{mid}.yaml")["name"] not in text


def test_member_without_consent_is_nowhere(sample):
    name = content("members/deng-xiaomei.yaml")["name"]
    assert name not in all_text(sample)


def test_photo_without_consent_is_not_published(sample):
    page = (sample / "members/zhao-mingyuan/index.html").read_text()
    assert "photo-placeholder" in page and "<img" not in page


def test_member_page(sample):
    m = content("members/lin-xiaowen.yaml")
    page = (sample / "members/lin-xiaowen/index.html").read_text()
    for text in [m["name"], m["position"], m["pledge"], *m["standard"]["items"]]:
        assert text in page
    assert "/posts/zrzy-budongchan-window/" in parse(sample / "members/lin-xiaowen/index.html").links
    assert "/stories/budongchan-yichuang-shouli/" in page


def test_open_standard_listed_for_comment(sample):
    links = parse(sample / "standards/index.html").links
    assert "/members/ma-chenxi/" in links
    assert "/members/bai-lu/" not in links
    assert not any(link.startswith("/members/lin-xiaowen") for link in links)


def test_stories_link_both_ways(sample):
    story = parse(sample / "stories/chuangkou-yinian-jingyan/index.html")
    assert "/posts/donghu-shebao-window/" in story.links
    assert "<strong>往前多走一步，</strong>回" in (sample / "stories/chuangkou-yinian-jingyan/index.html").read_text()
    post = (sample / "posts/donghu-shebao-window/index.html").read_text()
    assert "/stories/chuangkou-yinian-jingyan/" in post


def test_gps_photo_is_stripped(sample):
    from PIL import Image
    for path in (sample / "media").glob("*.jpg"):
        with Image.open(path) as im:
            assert not im.getexif(), path


def test_every_internal_link_resolves(sample):
    missing = []
    for page in sample.rglob("*.html"):
        for link in parse(page).links:
            if link.startswith("/"):
                target = sample / link.lstrip("/").split("#")[0]
                if not (target.is_file() or (target / "index.html").is_file()):
                    missing.append((page.relative_to(sample).as_posix(), link))
    assert not missing, missing[:10]


def test_long_lists_go_on_over_numbered_pages(tmp_path):
    """A city commends thousands, and at a campaign's start every member's standard is open for comment: the
    honour roll and the standards open for comment show page_size entries a page (a list), each entry once."""
    import re
    import shutil

    from site_builder.commands.main import main
    from site_builder.incremental import pipeline

    site = tmp_path / "site"
    shutil.copytree(ROOT / "content", site / "content")
    settings = site / "content/site.yaml"
    settings.write_text(re.sub(r"(?m)^page_size: 30", "page_size: 5", settings.read_text(encoding="utf-8")),
                        encoding="utf-8")
    for member in (site / "content/members").glob("*.yaml"):  # every standard with a comment period still open
        member.write_text(re.sub(r"(?m)^  set: .*\n", "", member.read_text(encoding="utf-8")), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", str(site), "-o", str(out), "-q"]) == 0
    model = pipeline.build_model(site)
    honoured = [m.url for m in model.members if m.honours or any(p.status == "commended" for p in m.public_posts)]
    assert len(honoured) > 10  # (three pages of members at five a page)
    pages = [out / "honours/index.html"] + sorted((out / "honours/members").glob("*/index.html"))
    assert len(pages) == -(-len(honoured) // 5)
    shown = [link.strip("/") + "/" for page in pages for link in parse(page).links if link.startswith("/members/")]
    assert sorted(shown) == sorted(honoured)  # each once
    first = pages[0].read_text(encoding="utf-8")
    assert 'href="/honours/members/2/" rel="next"' in first and f"共 {len(honoured)} 名" in first
    second = pages[1].read_text(encoding="utf-8")
    assert 'href="/honours/" rel="prev"' in second and "第 2 页" in second
    assert "岗位竞赛奖项" in first and "岗位竞赛奖项" not in second and "授牌命名的示范岗" not in second
    assert not (out / "honours/posts").exists()  # three commended posts: one page

    discussed = [m.url for m in model.members if m.stage == "open"
                 and any(p.status != "revoked" for p in m.public_posts)]
    assert len(discussed) > 10
    pages = [out / "standards/index.html"] + sorted((out / "standards/page").glob("*/index.html"))
    assert len(pages) == -(-len(discussed) // 5)
    shown = [link.strip("/") + "/" for page in pages for link in parse(page).links if link.startswith("/members/")]
    assert sorted(shown) == sorted(discussed)
    first, last = pages[0].read_text(encoding="utf-8"), pages[-1].read_text(encoding="utf-8")
    assert 'href="/standards/page/2/" rel="next"' in first and f"共 {len(discussed)} 名党员的标准正在征求意见" in first
    assert f"第 {len(pages)} 页，共 {len(pages)} 页" in last and 'rel="next"' not in last
