"""Smoke test of the browser-test plumbing: local server, Debian Chromium, CJK fonts, axe-core."""

from __future__ import annotations

import pytest
from support import format_axe_violations, require
from support.http import serve_directory

pytestmark = pytest.mark.browser

PAGE = """<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>星级党员示范岗公示</title>
<style>
  body { font-family: "Noto Sans CJK SC", sans-serif; margin: 1rem; color: #111; background: #fff; }
  h1 { font-size: 1.6rem; }
</style>
</head>
<body>
<main>
  <h1>星级党员示范岗公示</h1>
  <p>我承诺：立足岗位，服务群众，接受监督。</p>
  <p><a href="/pledges/">查看全部承诺</a></p>
</main>
</body>
</html>
"""

NOT_FOUND = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>页面不存在</title></head>
<body><main><h1>页面不存在</h1></main></body></html>
"""


def test_chinese_page_renders_and_is_accessible(
    page, tmp_path, run_axe, cjk_fonts, rendered_fonts
):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(PAGE, encoding="utf-8")
    (site / "404.html").write_text(NOT_FOUND, encoding="utf-8")

    page.set_viewport_size({"width": 390, "height": 844})
    with serve_directory(site) as base_url:
        response = page.goto(f"{base_url}/")
        assert response is not None and response.status == 200
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert page.locator("h1").inner_text() == "星级党员示范岗公示"
        assert page.evaluate("() => window.innerWidth") == 390

        # Chinese glyphs come from a real CJK font, not tofu boxes.
        assert any("CJK" in family for family in cjk_fonts), cjk_fonts
        used = rendered_fonts(page, "h1")
        require(
            any("CJK" in family for family in used),
            f"heading rendered without a CJK font (tofu): {used}",
        )

        screenshot = tmp_path / "smoke.png"
        page.screenshot(path=str(screenshot), full_page=True)
        assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

        violations = run_axe(page)
        assert len(violations) == 0, format_axe_violations(violations)
        # The plain form, as documented in the brief / README.
        assert page.evaluate("async () => (await axe.run()).violations.length") == 0

        missing = page.goto(f"{base_url}/no/such/page.html")
        assert missing is not None and missing.status == 404
        assert page.locator("h1").inner_text() == "页面不存在"
