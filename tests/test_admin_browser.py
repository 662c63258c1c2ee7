"""A publicity officer adds a story in the local /admin/ of `site-builder serve`, in a real browser (issue 16).

The Chinese forms of Decap CMS, the local backend (commands/cms_local.py) and admin.js's files, end to end:
the story is saved by 发布 → 立即发布 like an editor does it, then checked, built and looked at.

SITE_BUILDER_DOC_SCREENSHOTS=1 rewrites the two pictures of docs/editors.md (docs/images/admin-*.png);
without it the test writes nothing outside its temporary folder.
"""

from __future__ import annotations

import io
import os
import re
import shutil
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import yaml
from PIL import Image

from site_builder.commands.new import new_id
from site_builder.commands.serve import Preview
from site_builder.pages import admin
from support import require
from support.sites import ROOT, run
from test_devserver import wait_for, wait_settled
from test_images import phone_photo

TITLE = "暴雨中的窗口"
ALT = "暴雨夜里，窗口的灯还亮着"
PLEDGE = "多跑一步路，群众少跑一趟"
DOC_IMAGES = ROOT / "docs" / "images"


def shot(page, name: str) -> None:
    """docs/images/admin-<name>.png, as a small palette PNG, when SITE_BUILDER_DOC_SCREENSHOTS=1."""
    if os.environ.get("SITE_BUILDER_DOC_SCREENSHOTS") != "1":
        return
    with Image.open(io.BytesIO(page.screenshot())) as im:
        small = im.convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        DOC_IMAGES.mkdir(parents=True, exist_ok=True)
        small.save(DOC_IMAGES / f"admin-{name}.png", optimize=True)


def publish(page) -> dict:
    """发布 → 立即发布, as an editor saves; waits for the local backend's answer to the save (persistEntry)
    and returns what the page sent."""
    page.get_by_role("button", name="发布", exact=True).click()
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/api/v1")
                              and (r.request.post_data_json or {}).get("action") == "persistEntry") as answer:
        page.get_by_text("立即发布", exact=True).click()
    response = answer.value
    assert response.status == 200, response.text()
    page.get_by_text("修改已保存").wait_for()  # the toolbar says so
    return response.request.post_data_json["params"]


def without_comments(text: str) -> list[str]:
    return [line for line in text.splitlines() if not line.lstrip().startswith("#")]


def test_story_and_pledge_through_the_local_admin(page, tmp_path, capsys):
    require(admin.bundle(ROOT)[0] is not None, "decap-cms is not installed: bash scripts/install-node-deps.sh")
    site = tmp_path / "site"
    shutil.copytree(ROOT / "content", site / "content")
    picture = tmp_path / "窗口照片.jpg"
    picture.write_bytes(phone_photo(1600, 1200))  # GPS position, camera maker, XMP, ICC profile, comment
    member = site / "content" / "members" / "lin-xiaowen.yaml"
    member_before = member.read_text(encoding="utf-8")
    sid = new_id(site, "stories", ".md", TITLE, fallback="story")[0]  # what `site-builder new` would name it
    story = site / "content" / "stories" / f"{sid}.md"
    preview = Preview(site, port=0, log=lambda m: None)
    preview.start()
    try:
        base = preview.url
        outside: list[str] = []
        page.context.route("**/*", lambda r: r.continue_() if r.request.url.startswith((base, "data:", "blob:"))
                           else (outside.append(r.request.url), r.abort()))
        page.set_viewport_size({"width": 1200, "height": 820})
        page.set_default_timeout(20_000)  # a busy 2-core machine: Decap's bundle is 5 MB of JavaScript

        # 1. the local /admin/, in Chinese
        page.goto(base + "admin/")
        assert page.locator("html").get_attribute("lang") == "zh-CN"
        page.get_by_role("button", name="登录").click()
        page.get_by_role("link", name="先进事迹", exact=True).wait_for()

        # 2. a story: title, date, author, two members and a post picked by name, a body, a photo
        page.get_by_role("link", name="文章").click()  # 新建文章
        page.get_by_label("标题", exact=True).fill(TITLE)
        page.get_by_label("日期", exact=True).fill("2026-03-01")
        page.get_by_label("作者", exact=True).fill("市委宣传部")

        def pick(label: str, typed: str, option: str) -> None:
            box = page.locator("#" + page.locator("label", has_text=label).get_attribute("for"))
            box.click()
            box.type(typed)
            page.get_by_text(option, exact=True).click()

        pick("写到的党员", "林晓", "林晓雯")
        pick("写到的党员", "周建", "周建国")
        pick("写到的示范岗", "一窗", "不动产登记“一窗受理”窗口")
        page.locator("[data-slate-editor]").click()
        page.locator("[title='标题']").click()
        page.get_by_text("标题 2", exact=True).click()
        page.keyboard.type("连夜守在窗口")
        page.keyboard.press("Enter")
        page.keyboard.type("她说：")
        page.locator("[title='粗体']").click()
        page.keyboard.type("群众的事不过夜。")
        page.locator("[title='粗体']").click()
        page.keyboard.type("大家都记住了")
        page.keyboard.press("Enter")
        page.locator("[title='无序列表']").click()
        page.keyboard.type("当日受理")
        page.keyboard.press("Enter")
        page.keyboard.type("当日答复")
        page.locator("label", has_text="封面照片").scroll_into_view_if_needed()
        page.get_by_role("button", name="选择图片").first.click()
        page.locator("input[type=file]").first.set_input_files(str(picture))
        page.get_by_role("button", name="选用已选中项目").click()
        page.get_by_label("照片的文字说明").fill(ALT)
        page.set_viewport_size({"width": 1200, "height": 1480})  # relations, photo and body at once
        page.locator("label", has_text="写到的示范岗").evaluate("e => e.scrollIntoView({block: 'start'})")
        shot(page, "story-form")
        page.set_viewport_size({"width": 1200, "height": 820})

        # 3. saved by 发布 → 立即发布, under the name `site-builder new` gives, the photo with it
        sent = publish(page)
        assert [f["path"] for f in sent["dataFiles"]] == [f"content/stories/{sid}.md"], sent
        page.wait_for_url(re.compile(f"#/collections/stories/entries/{sid}$"))  # Decap opens the saved entry
        text = story.read_text(encoding="utf-8")
        assert text.startswith(f"---\ntitle: {TITLE}\ndate: 2026-03-01\nauthor: 市委宣传部\nkind: story\n"
                               "posts: [zrzy-budongchan-window]\nmembers: [lin-xiaowen, zhou-jianguo]\n"
                               f"cover:\n  file: images/stories/窗口照片.jpg\n  alt: {ALT}\n---\n\n"), text
        assert "\n## 连夜守在窗口\n" in text and "她说：**群众的事不过夜。**大家都记住了" in text, text
        assert "\n* 当日受理\n* 当日答复\n" in text, text
        assert (site / "content/images/stories/窗口照片.jpg").read_bytes() == picture.read_bytes()

        # 4. the story passes check and is on the site the preview rebuilt, its photo smaller and without EXIF
        built = preview.out
        wait_for(lambda: (built / "stories" / sid / "index.html").exists(), timeout=60)
        wait_settled(preview.server, timeout=60)
        code, out, err = run(capsys, "check", site)
        assert code == 0, out + err
        html = (built / "stories" / sid / "index.html").read_text(encoding="utf-8")
        assert re.search(r"<h2[^>]*>连夜守在窗口</h2>", html), html
        assert "<strong>群众的事不过夜。</strong>大家都记住了" in html and "<li>当日答复</li>" in html
        for page_of in ("members/lin-xiaowen", "members/zhou-jianguo", "posts/zrzy-budongchan-window"):
            assert f"/stories/{sid}/" in (built / page_of / "index.html").read_text(encoding="utf-8"), page_of
        img = re.search(r'<img [^>]*alt="%s"[^>]*>' % ALT, html).group(0)
        sources = {re.search(r' src="([^"]+)"', img).group(1)}
        sources |= {part.split()[0] for part in re.search(r'srcset="([^"]+)"', img).group(1).split(", ")}
        for src in sources:
            data = (built / urlsplit(urljoin(f"{base}stories/{sid}/", src)).path.lstrip("/")).read_bytes()
            assert b"PhoneMaker" not in data and b"adobe:ns:meta" not in data and b"secret" not in data, src
            with Image.open(io.BytesIO(data)) as im:
                assert im.format == "JPEG" and not im.getexif() and not im.getexif().get_ifd(0x8825), src
                assert not {"exif", "icc_profile", "xmp", "comment"} & set(im.info), (src, im.info)
                assert im.width <= 960 and im.height > im.width, (src, im.size)  # smaller, turned as shown
        assert not [p for p in built.rglob("*.jpg") if p.read_bytes() == picture.read_bytes()]
        view = page.context.new_page()  # the preview, in another tab, shows it with its photo
        view.goto(f"{base}stories/{sid}/")
        view.get_by_role("heading", name="连夜守在窗口").wait_for()
        photo = view.get_by_alt_text(ALT)
        photo.scroll_into_view_if_needed()
        assert photo.evaluate("im => im.decode().then(() => im.naturalWidth)") > 0
        view.close()
        assert not outside, outside  # nothing loaded from outside this computer

        # 5. a member's pledge, the same way: back to the lists, 党员, 林晓雯
        page.get_by_role("link", name="正在集合").click()  # ← 正在集合“先进事迹”中编写
        page.get_by_role("link", name=re.compile(TITLE)).wait_for()
        shot(page, "entry-list")
        page.get_by_role("link", name="党员", exact=True).click()
        page.get_by_role("link", name="林晓雯", exact=True).click()
        page.get_by_label("一句岗位承诺").fill(PLEDGE)
        publish(page)
        member_after = member.read_text(encoding="utf-8")
        assert member_after != member_before
        pledged = [f"pledge: {PLEDGE}" if line.startswith("pledge:") else line for line in without_comments(member_before)]
        assert member_after.splitlines() == pledged, member_after  # only the pledge changed (comments aside)
        assert yaml.safe_load(member_after)["pledge"] == PLEDGE
        code, out, err = run(capsys, "check", site)
        assert code == 0, out + err
        assert not outside, outside
    finally:
        preview.stop()
