"""Internal links are checked in ``check`` and ``build``; a broken one names its source file and line."""

import pytest

from site_builder.render.linkcheck import LinkCheck
from support.sites import MINI, make_site, run, tree

STORY = "content/stories/first.md"
STORY_HEAD = "---\ntitle: 窗口里的笑脸\ndate: 2025-03-01\nauthor: 宣传部\nposts: [tax-window]\n---\n"


def story(body: str) -> dict:
    return {STORY: STORY_HEAD + body}


def base_html(extra: str) -> str:
    text = (MINI.parent.parent.parent / "templates" / "base.html").read_text(encoding="utf-8")
    marker = "{% block head %}"
    assert marker in text
    return text.replace(marker, extra + "\n" + marker, 1)


def test_target_resolution():
    links = LinkCheck("/pledge/")
    assert links.target("/pledge/", "/pledge/posts/x/") == "index.html"
    assert links.target("/pledge", "/pledge/posts/x/") == "index.html"
    assert links.target("/pledge/posts/y/#top", "/pledge/") == "posts/y/index.html"
    assert links.target("../y/?a=1", "/pledge/posts/x/") == "posts/y/index.html"
    assert links.target("/pledge/static/site.css", "/pledge/") == "static/site.css"
    assert links.target("/pledge/a%20b.txt", "/pledge/") == "a b.txt"
    assert links.target("/other/", "/pledge/") is None


def test_markdown_link_to_unpublished_post_fails_at_its_line(tmp_path, capsys):
    site = make_site(tmp_path, story("第一段。\n\n见[申报中的岗位](../posts/tax-declared.yaml)。\n"))
    code, out, err = run(capsys, "check", site)
    assert code == 1
    assert (f"{STORY}:9:11: 链接 `../posts/tax-declared.yaml` 指向 `/posts/tax-declared/`，但网站上没有这个页面"
            "（对应的记录可能尚未批复、本人未同意公开，或编号写错了）：请改正或删除这个链接。") in err


def test_markdown_link_to_member_without_consent_fails(tmp_path, capsys):
    site = make_site(tmp_path, story("[赵隐](../members/hidden.yaml)\n"))
    code, out, err = run(capsys, "check", site)
    assert code == 1
    assert f"{STORY}:7:6: 链接 `../members/hidden.yaml` 指向 `/members/hidden/`" in err


def test_root_relative_markdown_link_is_checked(tmp_path, capsys):
    site = make_site(tmp_path, story("[光荣榜](/honours/) 和 [没有的页面](/posts/nope/)\n"))
    code, out, err = run(capsys, "check", site)
    assert code == 1
    assert [line for line in err.splitlines() if line.startswith(STORY)] == [
        f"{STORY}:7:28: 链接 `/posts/nope/` 指向 `/posts/nope/`，但网站上没有这个页面（对应的记录可能尚未批复、"
        "本人未同意公开，或编号写错了）：请改正或删除这个链接。"]


def test_good_markdown_links_pass(tmp_path, capsys):
    site = make_site(tmp_path, story("[窗口](../posts/tax-window.yaml#history)、[王芳](../members/wang-fang.yaml)、"
                                     "[光荣榜](/honours/)、[外部](https://example.com/x)\n"))
    code, out, err = run(capsys, "check", site)
    assert code == 0, err


def test_broken_template_link_names_the_template_line(tmp_path, capsys):
    site = make_site(tmp_path, {"templates/base.html": base_html(
        "<link rel=\"stylesheet\" href=\"{{ url('static/extra.css') }}\">")})
    code, out, err = run(capsys, "check", site)
    assert code == 1
    line = next(i for i, text in enumerate((site / "templates/base.html").read_text().split("\n"), 1)
                if "extra.css" in text)
    first = next(text for text in err.splitlines() if text.startswith("templates/"))
    assert first.startswith(f"templates/base.html:{line}: 生成的页面 `")
    assert first.endswith("里的链接 `/static/extra.css` 找不到对应的页面或文件：请检查模板里的 url(...)，或补上 static/ 下的文件。")
    # the file supplied: the same link resolves
    (site / "templates/static").mkdir(parents=True)
    (site / "templates/static/extra.css").write_text("p{}")
    code, out, err = run(capsys, "check", site)
    assert code == 0, err


def test_broken_link_stops_the_build_and_keeps_the_output(tmp_path, capsys):
    site = make_site(tmp_path)
    assert run(capsys, "build", site)[0] == 0
    before = tree(site / "output")
    (site / STORY).write_text(STORY_HEAD + "[没有的页面](/posts/nope/)\n", encoding="utf-8")
    code, out, err = run(capsys, "build", site)
    assert code == 1
    assert f"{STORY}:7:9: 链接 `/posts/nope/`" in err
    assert tree(site / "output") == before


@pytest.mark.parametrize("base", ["https://example.org/pledge/", "https://example.org/"])
def test_every_generated_link_resolves(tmp_path, capsys, base):
    site = make_site(tmp_path)
    text = (site / "content/site.yaml").read_text(encoding="utf-8")
    (site / "content/site.yaml").write_text(text.replace("https://example.org/", base), encoding="utf-8")
    code, out, err = run(capsys, "check", site)
    assert code == 0, err


def _target_by_the_book(base_path: str, value: str, page_url: str) -> str | None:
    """LinkCheck.target as urlsplit, normpath and unquote define it (it takes a shortcut for plain paths)."""
    import posixpath
    from urllib.parse import unquote, urlsplit
    path = urlsplit(value).path
    if not path.startswith("/"):
        path = posixpath.join(posixpath.dirname(page_url), path) + ("/" if path.endswith("/") else "")
    trailing = path.endswith("/")
    path = posixpath.normpath(path) + ("/" if trailing and path != "/" else "")
    if path == base_path.rstrip("/"):
        path = base_path
    if not path.startswith(base_path):
        return None
    rel = unquote(path[len(base_path):])
    return rel + "index.html" if rel == "" or rel.endswith("/") else rel


PIECES = ["/", "a", ".", "..", "%20", "?q", "#f", "x.css", "//", "\t", "中", "-", "pledge", "bb/", "a" * 40]


@pytest.mark.parametrize("base", ["/", "/pledge/"])
def test_link_targets_follow_urlsplit_normpath_and_unquote(base):
    import random
    rnd = random.Random(7)
    check = LinkCheck(base)
    for _ in range(20000):
        value = "/" + "".join(rnd.choice(PIECES) for _ in range(rnd.randint(0, 10)))
        for page in ("/posts/x/", "/pledge/posts/x/index.html"):
            assert check.target(value, page) == _target_by_the_book(base, value, page), value


def test_a_long_link_is_resolved_at_once():
    """A link in content may be long: resolving it must not backtrack (a hang is a denial of service)."""
    import signal

    def too_slow(*_):
        raise TimeoutError("link resolution took more than 10 s")

    old = signal.signal(signal.SIGALRM, too_slow)
    signal.alarm(10)
    try:
        for value in ["/" + "a" * 100_000 + "?", "/" + "a/" * 50_000 + "%", "/" + "ab" * 50_000 + "\n"]:
            assert LinkCheck("/").target(value, "/") is not None
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def test_links_to_files_the_build_writes_are_not_kept_and_the_others_are_reported():
    """The build tells the link check the files it is sure to write (pages, static files, photos): a link to one is
    not kept until the end (a city's links are tens of MB), a link to anything else still is, and is reported."""
    page = LinkCheck("/")
    page.add_page("posts/a/index.html", "post.html",
                  b'<a href="/posts/b/">b</a> <a href="/posts/gone/">gone</a> <a href="/static/site.css">css</a>')
    links = LinkCheck("/", written={"posts/a/index.html", "posts/b/index.html", "static/site.css"})
    links.take(page.internal, {})
    assert set(links.internal) == {"posts/gone/index.html"}
    problems = links.problems(set(links.written), (), (), lambda template, target: ("templates/post.html", 7))
    assert [(p.path, p.line) for p in problems] == [("templates/post.html", 7)]
    assert "/posts/gone/" in problems[0].message and "posts/a/index.html" in problems[0].message


def test_serve_checks_the_stories_links_again_only_when_the_files_or_the_links_change(tmp_path, capsys, monkeypatch):
    """Inside ``serve`` the check of the links written in the stories is the rebuild before's while the output's
    files, the links and the settings are the same (a member's pledge); a member who no longer agrees to be shown
    breaks the story's link to them (the rebuild fails at the story's line, the preview unchanged), and the
    repair builds again (it failed with a traceback while a rebuild that failed at its links kept the search
    index it had made); each output equals a clean build's."""
    from site_builder.errors import ContentErrors
    from site_builder.incremental import pipeline
    from site_builder.incremental.cache import Cache

    site = make_site(tmp_path, story("[王芳](../members/wang-fang.yaml)\n"))
    out, cache = tmp_path / "preview", Cache.for_site(site)
    checked = []
    real = LinkCheck.markdown_problems
    monkeypatch.setattr(LinkCheck, "markdown_problems", lambda self, *a: (checked.append(1), real(self, *a))[1])

    def rebuild(changed):
        checked.clear()
        return pipeline.run(site, out, jobs=1, cache=cache, save=False, watched=True, changed=changed)

    rebuild(None)
    rebuild(())
    member = site / "content/members/wang-fang.yaml"
    text = member.read_text(encoding="utf-8")
    member.write_text(text.replace("pledge: ", "pledge: 再"), encoding="utf-8")
    rebuild([member])
    assert checked == []  # (the same files, links and settings)
    before = tree(out)
    member.write_text(text.replace("public: true", "public: false"), encoding="utf-8")
    with pytest.raises(ContentErrors) as failed:
        rebuild([member])
    assert checked == [1]
    assert [p.format() for p in failed.value.problems if p.path == STORY] == [
        f"{STORY}:7:6: 链接 `../members/wang-fang.yaml` 指向 `/members/wang-fang/`，但网站上没有这个页面"
        "（对应的记录可能尚未批复、本人未同意公开，或编号写错了）：请改正或删除这个链接。"]
    assert tree(out) == before
    member.write_text(text, encoding="utf-8")
    rebuild([member])
    assert checked == [1]
    clean = tmp_path / "clean"
    assert run(capsys, "build", site, "-o", clean, "--no-cache", "-q")[0] == 0
    assert tree(out) == tree(clean)
