"""``site-builder serve`` on a copy of the mini site: edit, see it; break, see why; fix, see it again; and
``serve --preview``: a built site served as a web host serves it."""

from __future__ import annotations

import logging
import re
import signal
import subprocess
import sys
import time

import pytest

from site_builder.incremental import cache as cache_mod, records
from site_builder.commands.main import main
from site_builder.commands import serve as serve_mod
from site_builder.commands.serve import Preview, built_base_path, serve_built
from support.sites import ROOT, make_site, run
from test_devserver import SSEClient, http_request, wait_for, wait_settled

STORY = "content/stories/first.md"
MEMBER = "content/members/wang-fang.yaml"


def text(preview: Preview, path: str) -> str:
    status, _, body = http_request(preview.url, path)
    return body.decode("utf-8") if status == 200 else f"HTTP {status}"


@pytest.fixture
def preview(tmp_path, monkeypatch):
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


def _reads(monkeypatch) -> list[str]:
    """The content files each rebuild reads from here on (records.read_all's jobs to read)."""
    read: list[str] = []
    original = records.read_all

    def recording(todo, cache, jobs=1, progress=None, only=None, before=None):
        read.extend(job.shown for i, job in enumerate(todo) if only is None or i in only)
        return original(todo, cache, jobs, progress, only, before)

    monkeypatch.setattr(records, "read_all", recording)
    return read


def test_a_rebuild_reads_only_the_files_the_watcher_saw_change(preview, monkeypatch):
    """No stat of every content file: the files of the last scan, the changed ones read again. An editor that
    saves by renaming a new file over the old one (vim, the editing app) leaves the folder's files as they were."""
    read = _reads(monkeypatch)
    path = preview.site / STORY
    before = wait_settled(preview.server)
    edit(preview, STORY, "回头看看群众", "回头看看大家")
    wait_for(lambda: "回头看看大家" in text(preview, "/stories/first/"), what="the edited story")
    wait_settled(preview.server)
    assert read == [STORY]
    read.clear()
    temporary = path.with_name(".first.md.tmp")  # (dot files are neither watched nor content)
    temporary.write_text(path.read_text(encoding="utf-8").replace("回头看看大家", "回头看看邻居"), encoding="utf-8")
    temporary.replace(path)
    wait_for(lambda: "回头看看邻居" in text(preview, "/stories/first/"), what="the story saved by a rename")
    wait_settled(preview.server)
    assert read == [STORY] and preview.server.rebuild_count >= before + 2


def test_a_new_or_deleted_file_makes_the_rebuild_list_every_file_again(preview, monkeypatch):
    read = _reads(monkeypatch)
    story = (preview.site / STORY).read_text(encoding="utf-8")
    (preview.site / "content/stories/second.md").write_text(story.replace("回头看看群众", "第二篇新故事"), encoding="utf-8")
    wait_for(lambda: "第二篇新故事" in text(preview, "/stories/second/"), what="the new story")
    wait_settled(preview.server)
    assert len(read) > 10  # every file's stat signature looked at again (the unchanged ones from the cache)
    read.clear()
    (preview.site / "content/stories/second.md").unlink()
    wait_for(lambda: text(preview, "/stories/second/") == "HTTP 404", what="the deleted story gone")
    wait_settled(preview.server)
    assert "回头看看群众" in text(preview, "/stories/first/") and len(read) > 10


def test_when_the_watcher_loses_events_the_next_rebuild_looks_at_every_file(preview, monkeypatch):
    """The kernel's queue of file events can overflow (a checkout of thousands of files): watchdog then only logs
    it. The preview, which otherwise reads only the files the watcher reported, rebuilds looking at every file."""
    before = wait_settled(preview.server)
    read = _reads(monkeypatch)
    logging.getLogger("watchdog.observers.inotify_c").warning("Inotify queue overflowed; filesystem events were lost")
    wait_for(lambda: preview.server.rebuild_count > before, what="the rebuild after lost events")
    wait_settled(preview.server)
    assert len(read) > 10  # every file's stat signature looked at, not none
    read.clear()
    edit(preview, STORY, "回头看看群众", "回头看看大家")  # and the next edit is read alone again
    wait_for(lambda: "回头看看大家" in text(preview, "/stories/first/"), what="the edited story")
    wait_settled(preview.server)
    assert read == [STORY]


def test_with_a_symbolic_link_in_content_every_rebuild_looks_at_every_file(tmp_path, monkeypatch):
    """An edit of a link's target is reported as the target's, not the link's: with a link among the content
    files, the preview reads every file's stat signature, as a build does."""
    monkeypatch.setattr(cache_mod, "_CODE_VERSION", "test")
    site = make_site(tmp_path)
    (site / "content/stories/linked.md").symlink_to("first.md")
    p = Preview(site, host="127.0.0.1", port=0, jobs=1, log=lambda message: None)
    p.start()
    try:
        read = _reads(monkeypatch)
        edit(p, STORY, "回头看看群众", "回头看看大家")
        wait_for(lambda: "回头看看大家" in text(p, "/stories/linked/"), what="the linked story")
        wait_settled(p.server)
        assert len(read) > 10
    finally:
        p.stop()


def test_a_file_named_wrongly_is_reported_in_the_preview_as_in_a_build(preview):
    client = SSEClient(preview.url)
    try:
        client.wait_event("hello")
        (preview.site / "content/stories/notes.txt").write_text("草稿", encoding="utf-8")
        errors = client.wait_event("errors")
        assert "content/stories/notes.txt" in errors and "文件扩展名不对" in errors
        edit(preview, STORY, "回头看看群众", "回头看看大家")  # the next rebuild reports it too
        assert "content/stories/notes.txt" in client.wait_event("errors")
        (preview.site / "content/stories/notes.txt").unlink()
        client.wait_event("reload")
        assert "回头看看大家" in text(preview, "/stories/first/")
    finally:
        client.close()


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


# -- serve --preview: a built output/ as a web host serves it ------------------------------------------

def built(tmp_path, monkeypatch, *argv) -> tuple:
    """The mini site built into tmp_path/out (``argv``: more build options), with a secret beside it."""
    site = make_site(tmp_path)
    out = tmp_path / "out"
    assert main(["build", str(site), "-o", str(out), "-q", "--no-cache", *map(str, argv)]) == 0
    (tmp_path / "secret.txt").write_text("TOP-SECRET", encoding="utf-8")
    return site, out


@pytest.fixture
def published(tmp_path, monkeypatch):
    site, out = built(tmp_path, monkeypatch)
    server = serve_built(out, port=0, log=lambda message: None)
    try:
        yield server, out
    finally:
        server.stop()


def test_preview_serves_the_built_files_byte_for_byte(published):
    server, out = published
    for path, file in (("/", "index.html"), ("/members/wang-fang/", "members/wang-fang/index.html")):
        status, headers, body = http_request(server.url, path)
        assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
        assert body == (out / file).read_bytes()  # no live-reload script
    status, headers, body = http_request(server.url, "/static/site.css")
    assert status == 200 and headers["content-type"] == "text/css; charset=utf-8"
    assert body == (out / "static/site.css").read_bytes()
    for path, content_type in (("/feed.xml", "application/xml; charset=utf-8"), ("/data/posts.json", "application/json"),
                               ("/data/posts.csv", "text/csv; charset=utf-8")):
        assert http_request(server.url, path)[1]["content-type"] == content_type, path


def test_preview_answers_a_missing_address_with_the_sites_own_404_page(published):
    server, out = published
    for path in ("/no/such/page/", "/members/nobody/", "/__reload", "/static/"):
        status, headers, body = http_request(server.url, path)
        assert status == 404 and headers["content-type"] == "text/html; charset=utf-8", path
        assert body == (out / "404.html").read_bytes(), path
    assert "找不到这个页面".encode() in body


def test_preview_redirects_a_folder_to_its_slash_and_is_read_only(published):
    server, _ = published
    status, headers, _ = http_request(server.url, "/members/wang-fang?x=1")
    assert status == 301 and headers["location"] == "/members/wang-fang/?x=1"
    for method in ("POST", "PUT", "DELETE"):
        assert http_request(server.url, "/index.html", method=method)[0] == 405


@pytest.mark.parametrize("path", ["/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/%252e%252e/secret.txt",
                                  "/static/../../secret.txt", "/static/%2e%2e/%2e%2e/secret.txt", "/..\\secret.txt",
                                  "//../secret.txt", "/C:/secret.txt", "/index.html%00"])
def test_preview_refuses_addresses_outside_the_output(published, path):
    server, out = published
    status, _, body = http_request(server.url, path)
    assert status == 404 and b"TOP-SECRET" not in body
    assert body == (out / "404.html").read_bytes()


def test_preview_of_a_site_built_for_a_path_serves_it_under_that_path(tmp_path, monkeypatch):
    _, out = built(tmp_path, monkeypatch, "--base-url", "https://example.org/pledge/")
    assert built_base_path(out) == "/pledge/"
    server = serve_built(out, port=0, log=lambda message: None)
    try:
        assert server.site_url == server.url + "pledge/"
        status, _, home = http_request(server.url, "/pledge/")
        assert status == 200 and home == (out / "index.html").read_bytes()
        css = re.search(rb'<link rel="stylesheet" href="([^"]+)"', home).group(1).decode()
        assert css == "/pledge/static/site.css"
        status, headers, _ = http_request(server.url, css)  # the page's own links work
        assert status == 200 and headers["content-type"] == "text/css; charset=utf-8"
        for path in ("/", "/pledge"):
            status, headers, _ = http_request(server.url, path)
            assert status == 302 and headers["location"] == "/pledge/", path
        status, headers, _ = http_request(server.url, "/pledge/members/wang-fang")
        assert status == 301 and headers["location"] == "/pledge/members/wang-fang/"
        for path in ("/members/wang-fang/", "/static/site.css", "/pledgex/", "/pledge/no/such/", "/pledge/../secret.txt"):
            status, _, body = http_request(server.url, path)
            assert status == 404 and body == (out / "404.html").read_bytes(), path
    finally:
        server.stop()


def test_serve_preview_command_on_a_free_port(tmp_path, monkeypatch):
    """The real command in its own process: prints its address, serves, stops on Ctrl+C with status 0. (The
    child gets Ctrl+C's default action back: a runner started in the background has SIGINT ignored, and a
    child would inherit that and never stop.)"""
    _, out = built(tmp_path, monkeypatch, "--base-url", "https://example.org/pledge/")
    with subprocess.Popen([sys.executable, "-u", "-m", "site_builder", "serve", str(tmp_path), "--preview",
                           "-o", str(out), "--port", "0"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
                          preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL)) as proc:
        try:
            url = None
            deadline = time.monotonic() + 20
            while url is None and time.monotonic() < deadline:
                line = proc.stdout.readline()
                assert line, proc.stderr.read()
                found = re.search(r"查看已生成的网站：(http://127\.0\.0\.1:\d+/)pledge/", line)
                url = found and found.group(1)
            assert url, "no address printed"
            status, headers, body = http_request(url, "/pledge/")
            assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
            assert body == (out / "index.html").read_bytes()
            status, _, body = http_request(url, "/pledge/missing")
            assert status == 404 and body == (out / "404.html").read_bytes()
            proc.send_signal(signal.SIGINT)
            assert proc.wait(timeout=10) == 0
        finally:
            if proc.poll() is None:
                proc.kill()


def test_serve_stops_on_sigterm_and_saves_its_cache_even_where_ctrl_c_cannot_reach_it(tmp_path):
    """`kill`, `docker stop` or an editor's stop button send SIGTERM; a server started in the background has
    SIGINT ignored (as `nohup … &` does, here too). It stops as on Ctrl+C: status 0, its cache saved."""
    site = make_site(tmp_path)
    with subprocess.Popen([sys.executable, "-u", "-m", "site_builder", "serve", str(site), "--port", "0", "-j", "1"],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8",
                          preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) as proc:
        try:
            lines = []
            deadline = time.monotonic() + 60
            while not any("预览地址" in line for line in lines) and time.monotonic() < deadline:
                line = proc.stdout.readline()
                assert line, "".join(lines)
                lines.append(line)
            url = re.search(r"(http://127\.0\.0\.1:\d+/)", "".join(lines)).group(1)
            assert http_request(url, "/")[0] == 200
            cache = site / ".site-builder-cache"
            for f in cache.glob("*.pickle"):  # saved after the first build; what a rebuild changed, when it stops
                f.unlink()
            story = site / STORY
            story.write_text(story.read_text(encoding="utf-8").replace("。", "。新增。", 1), encoding="utf-8")
            while not any(line.startswith("Rebuilt") for line in lines) and time.monotonic() < deadline:
                lines.append(proc.stdout.readline())
            assert not any(cache.glob("*.pickle"))
            proc.send_signal(signal.SIGINT)  # ignored, as in the background
            time.sleep(0.5)
            assert proc.poll() is None
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=30) == 0
            assert "正在停止" in proc.stdout.read() and any(cache.glob("*.pickle"))
        finally:
            if proc.poll() is None:
                proc.kill()


def test_serve_preview_without_a_built_site_says_what_to_do(tmp_path, capsys):
    site = make_site(tmp_path)
    code, _, err = run(capsys, "serve", site, "--preview", "--port", "0")
    assert code == 2 and f"{site / 'output'} 不存在，不是已生成的网站：请先运行 site-builder build" in err
    code, _, err = run(capsys, "serve", site, "--base-url", "https://example.org/pledge/", "--port", "0")
    assert code == 2 and "--base-url 只和 --preview 一起用" in err


def test_after_a_good_first_build_serve_settles_with_a_rebuild_told_that_nothing_changed(tmp_path, monkeypatch):
    """The first edit after the start costs what the next ones do (Preview._settle): right after a good first
    build, one rebuild told that nothing changed (not after a failed one: that one is retried on the next edit);
    it writes nothing."""
    monkeypatch.setattr(cache_mod, "_CODE_VERSION", "test")
    calls = []
    real = serve_mod.run

    def spied(*args, **kwargs):
        result = real(*args, **kwargs)
        calls.append((kwargs.get("changed"), result.changed))
        return result
    monkeypatch.setattr(serve_mod, "run", spied)
    site = make_site(tmp_path)
    p = Preview(site, host="127.0.0.1", port=0, jobs=1, log=lambda message: None)
    p.start()
    try:
        assert [changed for changed, _ in calls] == [None, ()]
        assert calls[1][1] == 0  # (no file written again)
    finally:
        p.stop()

    broken = make_site(tmp_path / "broken")
    (broken / STORY).write_text("---\ntitle: [\n---\n", encoding="utf-8")
    calls.clear()
    p = Preview(broken, host="127.0.0.1", port=0, jobs=1, log=lambda message: None)
    p.start()  # (shows the problem; does not raise)
    try:
        assert calls == []  # (the first build failed: its run raised, and no settling rebuild followed)
    finally:
        p.stop()
