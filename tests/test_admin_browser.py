"""A publicity officer adds a story in the local /admin/ of `site-builder serve`, in a real browser.

Set SITE_BUILDER_SCREENSHOTS=folder to keep the screenshots of the Chinese forms (docs/images/admin-*.png).
"""

from __future__ import annotations

import io
import os
import shutil
import time
from pathlib import Path

import pytest
from PIL import Image

from site_builder.commands.new import new_id
from site_builder.commands.serve import Preview
from site_builder.pages import admin
from support import require
from support.sites import ROOT, run

TITLE = "暴雨中的窗口"


def photo_with_exif(path: Path) -> None:
    im = Image.new("RGB", (1600, 1200), (180, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "SecretCameraMaker"  # Make
    exif[0x0132] = "2026:03:01 08:00:00"  # DateTime
    im.save(path, "JPEG", exif=exif.tobytes())


def shot(page, name: str) -> None:
    folder = os.environ.get("SITE_BUILDER_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"admin-{name}.png"))


def wait_for(predicate, timeout: float = 20.0) -> None:
    end = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.2)


@pytest.mark.skip(reason="unfinished (issue 16): steps 1-2 pass (Chinese /admin/, the story form filled: title, date, "
                         "two members and a post picked by name, heading, bold ending in 。, list, photo uploaded); "
                         "the click on 发布 → 立即发布 does not save yet, so steps 3-5 are not reached")
def test_story_and_pledge_through_the_local_admin(page, tmp_path, capsys):
    require(admin.bundle(ROOT)[0] is not None, "decap-cms is not installed: bash scripts/install-node-deps.sh")
    site = tmp_path / "site"
    shutil.copytree(ROOT / "content", site / "content")
    picture = tmp_path / "窗口照片.jpg"
    photo_with_exif(picture)
    preview = Preview(site, port=0, log=lambda m: None)
    preview.start()
    try:
        base = preview.url
        outside: list[str] = []
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith((base, "data:", "blob:"))
                   else (outside.append(r.request.url), r.abort()))
        page.set_viewport_size({"width": 1280, "height": 900})
        # 1. the local /admin/, in Chinese
        page.goto(base + "admin/")
        page.get_by_role("button", name="登录").click()
        page.get_by_text("先进事迹").first.wait_for()
        shot(page, "collections")
        # 2. a story: title, date, two members and a post picked by name, a body, a photo
        page.get_by_role("link", name="文章").click()
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
        editor = page.locator("[data-slate-editor]")
        editor.click()
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
        cover = page.locator("label", has_text="封面照片")
        cover.scroll_into_view_if_needed()
        page.get_by_role("button", name="选择图片").first.click()
        page.locator("input[type=file]").first.set_input_files(str(picture))
        page.get_by_role("button", name="选用已选中项目").click()
        page.get_by_label("照片的文字说明").fill("暴雨夜里，窗口的灯还亮着")
        shot(page, "story-form")
        # 3. save
        page.get_by_role("button", name="发布").first.click()
        page.get_by_text("立即发布").click()
        sid = new_id(site, "stories", ".md", TITLE, fallback="story")[0]
        story = site / "content" / "stories" / f"{sid}.md"
        try:
            wait_for(story.exists)
        except AssertionError:
            page.screenshot(path="/tmp/pw/fail.png")
            print("STORIES", sorted(p.name for p in (site / "content/stories").iterdir()))
            raise
        # 4. the file passes check and is on the built site, the photo resized and without EXIF
        text = story.read_text(encoding="utf-8")
        assert text.startswith(f"---\ntitle: {TITLE}\ndate: 2026-03-01\nauthor: 市委宣传部\n"), text
        assert "members: [lin-xiaowen, zhou-jianguo]" in text and "posts: [zrzy-budongchan-window]" in text, text
        assert "## 连夜守在窗口" in text and "**群众的事不过夜。**" in text, text
        code, out, err = run(capsys, "check", site)
        assert code == 0, out + err
        code, out, err = run(capsys, "build", site, "-o", tmp_path / "out", "--no-cache")
        assert code == 0, out + err
        html = (tmp_path / "out" / "stories" / sid / "index.html").read_text(encoding="utf-8")
        assert "<h2" in html and "<strong>群众的事不过夜。</strong>" in html and "<li>当日答复</li>" in html
        media = sorted((tmp_path / "out" / "media").glob("*.jpg"))
        cover_files = [p for p in media if p.name.split("-")[0] in html and p.name in html]
        assert cover_files
        for path in cover_files:
            data = path.read_bytes()
            assert b"SecretCameraMaker" not in data and b"Exif" not in data
            assert Image.open(io.BytesIO(data)).width <= 960
        assert not outside, outside  # nothing from outside this computer
        # 5. a member's pledge, the same way
        page.goto(base + "admin/#/collections/members")
        page.get_by_text("林晓雯", exact=True).first.click()
        pledge = page.get_by_label("一句岗位承诺")
        pledge.fill("多跑一步路，群众少跑一趟")
        shot(page, "member-form")
        page.get_by_role("button", name="发布").first.click()
        page.get_by_text("立即发布").click()
        member = site / "content" / "members" / "lin-xiaowen.yaml"
        wait_for(lambda: "群众少跑一趟" in member.read_text(encoding="utf-8"))
        code, out, err = run(capsys, "check", site)
        assert code == 0, out + err
    finally:
        preview.stop()
