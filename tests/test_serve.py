"""``site-builder serve`` on a copy of the mini site: edit, see it; break, see why; fix, see it again."""

from __future__ import annotations

import time

import pytest

from site_builder import cache as cache_mod
from site_builder.serve import Preview
from support.sites import ROOT, make_site, run
from test_devserver import SSEClient, http_request, wait_for, wait_settled

STORY = "content/stories/first.md"
MEMBER = "content/members/wang-fang.yaml"


def text(preview: Preview, path: str) -> str:
    status, _, body = http_request(preview.url, path)
    return body.decode("utf-8") if status == 200 else f"HTTP {status}"


@pytest.fixture
def preview(tmp_path, monkeypatch):
    monkeypatch.setenv("SITE_BUILDER_PAGEFIND", str(ROOT / "no-such-pagefind"))
    monkeypatch.setattr(cache_mod, "_CODE_VERSION", "test")
    site = make_site(tmp_path)
    p = Preview(site, host="127.0.0.1", port=0, jobs=1, log=lambda message: None)
    p.start()
    try:
        yield p
    finally:
        p.stop()


def edit(preview: Preview, rel: str, old: str, new: str) -> None:
    path = preview.site / rel
    source = path.read_text(encoding="utf-8")
    assert old in source
    path.write_text(source.replace(old, new, 1), encoding="utf-8")


def test_an_edited_story_is_served_within_a_second_with_one_rebuild(preview):
    assert "回头看看群众" in text(preview, "/stories/first/")
    assert preview.url in text(preview, "/feed.xml")  # links point at the preview
    before = wait_settled(preview.server)
    edit(preview, STORY, "回头看看群众", "回头看看大家")
    start = time.monotonic()
    wait_for(lambda: "回头看看大家" in text(preview, "/stories/first/"), what="the edited story")
    assert time.monotonic() - start < 1.0
    assert wait_settled(preview.server) == before + 1
    assert "回头看看大家" in (preview.out / "stories/first/index.html").read_text(encoding="utf-8")


def test_only_the_pages_that_depend_on_an_edit_are_rendered(preview):
    results = []
    original = preview.server.rebuild

    def recording(changed):
        results.append(original(changed))
        return results[-1]

    preview.server.rebuild = recording
    edit(preview, MEMBER, "position: 办税员", "position: 办税服务员")
    wait_for(lambda: "办税服务员" in text(preview, "/members/wang-fang/"), what="the edited member")
    wait_settled(preview.server)
    assert results and all(r.ok for r in results)
    assert 0 < results[-1].pages < 20  # the member, the post, the print pages naming them — not all 89


def test_a_connected_browser_is_told_to_reload(preview):
    client = SSEClient(preview.url)
    try:
        client.wait_event("hello")
        edit(preview, STORY, "回头看看群众", "回头看看大家")
        assert '"build": 1' in client.wait_event("reload")
    finally:
        client.close()


def test_a_broken_file_keeps_the_last_good_site_and_says_why_until_it_is_fixed(preview):
    client = SSEClient(preview.url)
    try:
        client.wait_event("hello")
        good = text(preview, "/members/wang-fang/")
        assert "王芳" in good
        edit(preview, MEMBER, "name: 王芳", "name: [王芳")
        errors = client.wait_event("errors")
        assert "content/members/wang-fang.yaml:" in errors and "YAML" in errors
        assert text(preview, "/members/wang-fang/") == good  # the old page, still served
        assert b"data-site-builder-devserver" in http_request(preview.url, "/members/wang-fang/")[2]  # overlay script
        edit(preview, MEMBER, "name: [王芳", "name: 王芳芳")
        client.wait_event("reload")
        assert "王芳芳" in text(preview, "/members/wang-fang/")
    finally:
        client.close()


def test_a_site_that_is_broken_at_start_is_served_once_fixed(tmp_path, monkeypatch):
    monkeypatch.setenv("SITE_BUILDER_PAGEFIND", str(ROOT / "no-such-pagefind"))
    site = make_site(tmp_path, {MEMBER: "name: [王芳\n"})
    p = Preview(site, port=0, jobs=1, log=lambda message: None)
    p.start()
    try:
        client = SSEClient(p.url)
        try:
            assert "content/members/wang-fang.yaml:" in client.wait_event("errors")
        finally:
            client.close()
        (site / MEMBER).write_text((ROOT / "tests/sites/mini" / MEMBER).read_text(encoding="utf-8"), encoding="utf-8")
        wait_for(lambda: "王芳" in text(p, "/members/wang-fang/"), what="the fixed site")
    finally:
        p.stop()


@pytest.mark.parametrize("path", ["/../content/site.yaml", "/%2e%2e/content/site.yaml", "/..%2fcontent/site.yaml",
                                  "/%252e%252e/content/site.yaml", "/static/../../content/site.yaml"])
def test_paths_outside_the_preview_are_not_found(preview, path):
    status, _, body = http_request(preview.url, path)
    assert status == 404 and b"base_url" not in body


def test_unknown_paths_get_the_sites_404_page(preview):
    status, _, body = http_request(preview.url, "/no/such/page/")
    assert status == 404 and (preview.out / "404.html").read_bytes()[:200] in body


def test_serve_refuses_a_port_in_use(tmp_path, capsys, preview):
    port = preview.url.rsplit(":", 1)[1].strip("/")
    code, _, err = run(capsys, "serve", make_site(tmp_path / "other"), "--port", port)
    assert code == 2 and "--port" in err
