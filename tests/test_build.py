"""Build the mini fixture site and assert on the real pages it produces."""

import dataclasses
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image

from site_builder.incremental.pipeline import build_model
from site_builder.content.schema import Packed, Rec
from support.sites import ROOT, make_site, run, tree


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.imgs, self.scripts, self.text = [], [], 0, []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        if tag == "img":
            self.imgs.append(a)
        if tag == "script":
            self.scripts += 1

    def handle_data(self, data):
        self.text.append(data)


def parse(path: Path) -> Links:
    p = Links()
    p.feed(path.read_text(encoding="utf-8"))
    return p


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("mini")
    site = make_site(tmp)
    out = tmp / "out"
    from site_builder.commands.main import main
    assert main(["build", str(site), "-o", str(out), "-q"]) == 0
    return out


def all_text(out: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(out.rglob("*.html")))


def test_pages_exist(built):
    for page in ["index.html", "404.html", "posts/tax-window/index.html", "members/wang-fang/index.html",
                 "members/li-ming/index.html", "units/index.html", "units/tax/index.html", "stories/index.html",
                 "stories/first/index.html", "honours/index.html", "standards/index.html", "static/site.css",
                 "browse/all/all/5/index.html", "browse/east/all/all/index.html", "browse/west/all/all/index.html"]:
        assert (built / page).is_file(), page


def test_unapproved_posts_and_unconsenting_people_appear_nowhere(built):
    text = all_text(built)
    assert "尚未批复的岗位" not in text and "tax-declared" not in text
    assert "赵隐" not in text and "不公开的承诺" not in text
    assert not (built / "members/hidden").exists() and not (built / "posts/tax-declared").exists()


def test_private_card_parts_are_not_published(built):
    text = all_text(built)
    assert "二月办件 200 件" in text  # a public record
    assert "内部记录，不公开" not in text  # record with public: false
    assert "仅打印" not in text  # assessment remarks


def test_photo_only_with_consent(built):
    wang = parse(built / "members/wang-fang/index.html")
    assert any("media/" in img["src"] for img in wang.imgs)
    li = (built / "members/li-ming/index.html").read_text()
    assert "photo-placeholder" in li and "<img" not in li


def test_published_photos_carry_no_metadata(built):
    media = sorted((built / "media").glob("*.jpg"))
    assert media
    for path in media:
        with Image.open(path) as im:
            assert im.format == "JPEG"
            assert not im.getexif() and "icc_profile" not in im.info and "xmp" not in im.info
    assert not list(built.rglob("*.png"))  # the original is never published


def test_post_page_is_the_online_board(built):
    page = (built / "posts/tax-window/index.html").read_text()
    links = parse(built / "posts/tax-window/index.html").links
    assert "tel:057186001111" in links
    assert "mailto:ts@example.org" in links and "https://example.org/feedback" in links
    assert "大厅入口左侧" in page
    for expected in ["办税服务窗口", "王芳", "办税员", "一次讲清，一次办好", "当日事当日毕", "李明",
                     "群众的事再小也是大事", "测试市税务局", "测先教办〔2025〕1号"]:
        assert expected in page, expected
    assert 'aria-label="5 星（满 5 星）"' in page and "授牌命名" in page
    assert page.index("王芳") < page.index("李明")  # board order
    assert "/stories/first/" in page


def test_star_history_explains_every_change(built):
    page = (built / "posts/tax-window/index.html").read_text()
    for month in range(1, 6):
        assert f"2025年{month}月考评合格（91 分），加一星。" in page
    assert "第一批创建活动结束时满五星，授牌命名。" in page and "复评" not in page


def test_feedback_channels_come_first(built):
    page = (built / "posts/tax-window/index.html").read_text()
    assert page.index("tel:057186001111") < page.index('id="members-h"')


def test_home_lists_current_posts_with_filters(built):
    home = parse(built / "index.html")
    assert "/posts/tax-window/" in home.links
    assert "/browse/east/all/all/" in home.links and "/browse/all/all/5/" in home.links
    empty = (built / "browse/west/all/all/index.html").read_text()
    assert "没有符合条件的示范岗" in empty and "/posts/tax-window/" not in empty


def test_story_is_sanitised_and_never_a_template(built):
    page = (built / "stories/first/index.html").read_text()
    p = parse(built / "stories/first/index.html")
    story = page.split('<div class="prose">', 1)[1].split("</div>", 1)[0]
    assert "<script" not in story and "alert(1)" not in page.replace("&lt;script&gt;alert(1)", "")
    assert p.scripts == parse(built / "404.html").scripts  # only the site's own (elder-mode switch)
    assert "{{ 7*7 }}" in page and ">49<" not in page
    assert "<strong>往前多走一步，</strong>回" in page
    assert "/posts/tax-window/" in p.links  # ../posts/tax-window.yaml became the post's address


def test_honour_roll_and_open_standards(built):
    honours = (built / "honours/index.html").read_text()
    assert "/posts/tax-window/" in honours
    standards = parse(built / "standards/index.html")
    assert "/members/li-ming/" in standards.links and "/members/wang-fang/" not in standards.links
    assert "tel:057186001111" in standards.links


def test_english_interface(tmp_path, capsys):
    site = make_site(tmp_path)
    settings = site / "content/site.yaml"
    settings.write_text(settings.read_text().replace("base_url:", "language: en\nbase_url:"), encoding="utf-8")
    assert run(capsys, "build", site, "-o", tmp_path / "out")[0] == 0
    page = (tmp_path / "out/posts/tax-window/index.html").read_text()
    assert '<html lang="en">' in page and "Feedback and complaints" in page and "意见和投诉" not in page
    assert "May 2025: passed (91), one star added." in page


def test_base_url_with_a_path(tmp_path, capsys):
    site = make_site(tmp_path)
    settings = site / "content/site.yaml"
    settings.write_text(settings.read_text().replace("https://example.org/", "https://example.org/pledge/"))
    assert run(capsys, "build", site, "-o", tmp_path / "out")[0] == 0
    links = parse(tmp_path / "out/index.html").links
    assert "/pledge/posts/tax-window/" in links and "/posts/tax-window/" not in links


def test_site_templates_override_defaults(tmp_path, capsys):
    site = make_site(tmp_path, {"templates/404.html": "{% extends 'base.html' %}{% block main %}<p>自定义 404</p>{% endblock %}\n"})
    assert run(capsys, "build", site, "-o", tmp_path / "out")[0] == 0
    assert "自定义 404" in (tmp_path / "out/404.html").read_text()


def test_two_builds_are_byte_identical(tmp_path, capsys):
    site = make_site(tmp_path)
    assert run(capsys, "build", site, "-o", tmp_path / "a")[0] == 0
    assert run(capsys, "build", site, "-o", tmp_path / "b")[0] == 0
    assert tree(tmp_path / "a") == tree(tmp_path / "b")


def test_builds_are_reproducible_across_processes_and_hash_seeds(tmp_path):
    site = make_site(tmp_path)
    outs = []
    for seed, cwd in (("1", tmp_path), ("2", site)):
        out = tmp_path / f"out{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        proc = subprocess.run([sys.executable, "-m", "site_builder", "build", str(site), "-o", str(out), "-q"],
                              cwd=cwd, env=env, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        outs.append(tree(out))
    assert outs[0] == outs[1]


def test_rebuild_reuses_unchanged_files(tmp_path, capsys):
    site = make_site(tmp_path)
    out = tmp_path / "out"
    assert run(capsys, "build", site, "-o", out)[0] == 0
    inode = (out / "posts/tax-window/index.html").stat().st_ino
    code, stdout, _ = run(capsys, "build", site, "-o", out)
    assert code == 0 and "（0 个有变化）" in stdout
    assert (out / "posts/tax-window/index.html").stat().st_ino == inode


def test_check_writes_nothing(tmp_path, capsys):
    site = make_site(tmp_path)
    code, out, _ = run(capsys, "check", site)
    assert code == 0 and "检查通过" in out
    assert sorted(p.name for p in site.iterdir()) == ["content"]


def test_a_verb_loads_its_own_module_and_the_help_lists_every_verb(tmp_path):
    site = make_site(tmp_path)
    script = ("import sys\nfrom site_builder.commands.main import main\n"
              f"code = main(['check', {str(site)!r}, '-q'])\n"
              "print(code, sorted(m for m in sys.modules if m.startswith('site_builder.commands.')))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    code, modules = done.stdout.split(" ", 1)
    assert code == "0" and "site_builder.commands.build" in modules
    assert not any(f"site_builder.commands.{m}'" in modules for m in ("pdf", "serve", "importing", "new"))
    helped = subprocess.run([sys.executable, "-m", "site_builder", "--help"], capture_output=True, text=True, cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    listed = [line.split()[0] for line in helped.stdout.splitlines() if line.startswith("    ") and line.split()]
    assert listed == ["build", "check", "new", "import", "pdf", "serve"]


def test_model_objects_cannot_be_changed_once_built(tmp_path):
    """Issue 13: a model is handed to every page, worker and (in ``serve``) the next build's comparison;
    no stage may change it. Relations are tuples, objects are frozen, and build parameters are inputs."""
    model = build_model(make_site(tmp_path), base_url="https://example.org/pledge/")
    post, member, unit, story = model.posts[0], model.members[0], model.units[0], model.stories[0]
    for obj, name, value in [(model, "posts", ()), (model.settings, "base_url", "https://evil.example/"),
                             (post, "name", "x"), (post, "members", ()), (member, "pledge", "x"),
                             (unit, "posts", ()), (story, "html", "<script>"), (post.standing, "stars", 5)]:
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(obj, name, value)
    assert model.settings.base_url == "https://example.org/pledge/"
    for relation in (post.members, post.stories, unit.posts, member.stories, post.standing.history, member.posts,
                     member.roles, story.posts, story.tags, model.posts,
                     model.members, model.stories, model.units, model.all_members):
        assert type(relation) is tuple  # (a list in a record is shared with the build cache: never handed out)
    for packed in (member.records, member.assessments, member.honours):  # (read-only: kept as bytes, made anew)
        assert type(packed) is Packed and not hasattr(packed, "append")
    recorded = next(m for m in model.all_members if m.records)
    assert all(type(r) is Rec and r.sealed for r in recorded.records)
    for mapping, key in [(post.feedback, "phone"), (member.consent, "public"), (member.standard, "items")]:
        with pytest.raises(TypeError, match="read-only"):  # the sealed records themselves, never copies
            mapping[key] = "x"
    assert post in post.unit.posts  # (model.posts and model.members are the public ones)
    assert member.public_posts and all(member in p.members for p in member.public_posts)
