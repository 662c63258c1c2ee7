"""The line of a passing ``check`` says what is published and what is not, and why (issue 11):
its figures are those of the built site."""

import json
import re

from support.sites import ROOT, make_site, run

SAMPLE = ("示范岗 11 个公示中，另有 1 个已摘牌（只保留岗位页和星级记录）、1 个已申报待批复（不公开）；"
          "党员 39 名公开，另有 3 名不公开（1 名本人未同意公开、2 名所在岗位待批复）；文章 6 篇；")


def test_sample_site(tmp_path, capsys):
    site = make_site(tmp_path, base=ROOT)
    code, out, err = run(capsys, "check", site)
    assert code == 0, err
    assert out.startswith("检查通过：" + SAMPLE), out
    # the figures are those of the site that build publishes
    code, _, err = run(capsys, "build", site, "-q")
    assert code == 0, err
    output = site / "output"
    home = (output / "index.html").read_text(encoding="utf-8")
    assert "共 11 个示范岗" in home
    assert len(set(re.findall(r'href="[^"]*/posts/([a-z0-9-]+)/"', home))) == 11
    posts = {p.parent.name for p in (output / "posts").glob("*/index.html")}
    assert len(posts) == 12 and "donghu-shebao-yibao-post" not in posts  # not approved: no page
    assert "zilaishui-rexian-post" in posts and "/posts/zilaishui-rexian-post/" not in home  # revoked: page, not listed
    assert len(list((output / "members").glob("*/index.html"))) == 39
    assert len(list((output / "stories").glob("*/index.html"))) == 6


def test_small_site(tmp_path, capsys):
    site = make_site(tmp_path)
    code, out, err = run(capsys, "check", site)
    assert code == 0, err
    assert out.startswith("检查通过：示范岗 1 个公示中，另有 1 个已申报待批复（不公开）；党员 2 名公开，另有 1 名不公开"
                          "（1 名本人未同意公开）；文章 1 篇；"), out
    # the same line in the machine-readable reports
    code, out, err = run(capsys, "check", "--format", "json", site)
    assert json.loads(out)["summary"].startswith("示范岗 1 个公示中，另有 1 个已申报待批复（不公开）；")
    code, out, err = run(capsys, "check", "--format", "markdown", site)
    assert out.startswith("### 检查通过：示范岗 1 个公示中，")


def test_everything_published_says_nothing_more(tmp_path, capsys):
    site = make_site(tmp_path, {"content/posts/tax-declared.yaml": None, "content/members/hidden.yaml": None})
    code, out, err = run(capsys, "check", site)
    assert code == 0, err
    assert out.startswith("检查通过：示范岗 1 个公示中；党员 2 名公开；文章 1 篇；"), out


def test_revoked_post(tmp_path, capsys):
    site = make_site(tmp_path)
    path = site / "content/posts/tax-window.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "revoked:\n  date: 2025-05-31\n  reason: 群众投诉查实\n",
                    encoding="utf-8")
    code, out, err = run(capsys, "check", site)
    assert code == 0, err
    assert out.startswith("检查通过：示范岗 0 个公示中，另有 1 个已摘牌（只保留岗位页和星级记录）、1 个已申报待批复（不公开）；"
                          "党员 2 名公开，另有 1 名不公开（1 名本人未同意公开）；"), out
