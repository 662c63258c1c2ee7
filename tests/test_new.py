"""``site-builder new KIND``: each kind creates a commented file that passes ``check`` unchanged."""

import argparse
import datetime as dt

import pytest
import yaml

from site_builder.commands import new
from site_builder.errors import UsageError
from site_builder.content.placeholders import BLANKS, MARK
from site_builder.content.schema import check_id
from support.sites import ROOT, make_site, run

TODAY = dt.date.today().isoformat()


def created(out: str, site) -> str:
    assert out.startswith("已创建 content/"), out
    rel = out.split("已创建 ", 1)[1].split("：", 1)[0]
    return (site / rel).read_text(encoding="utf-8")


def new_then_check(tmp_path, capsys, *argv):
    site = make_site(tmp_path)
    code, out, err = run(capsys, "new", *argv, site)
    assert code == 0, err
    text = created(out, site)
    code, out2, err2 = run(capsys, "check", site)
    assert code == 0, err2
    return site, out, text


def test_story_with_chinese_title(tmp_path, capsys):
    site = make_site(tmp_path)
    code, out, err = run(capsys, "new", "story", "--title", "一张笑脸迎群众：“一次办好”暖人心", site)
    assert code == 0, err
    sid = "yi-zhang-xiao-lian-ying-qun-zhong-yi-ci"  # pinyin of the title, cut between syllables at 40
    assert out == f"已创建 content/stories/{sid}.md：请按文件里的注释填写，然后运行 site-builder check。\n"
    path = site / "content" / "stories" / f"{sid}.md"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n# 先进事迹 / 典型经验。")
    front = yaml.safe_load(text.split("---\n")[1])
    assert front == {"title": "一张笑脸迎群众：“一次办好”暖人心", "date": dt.date.today(), "author": "测试市先教办",
                     "kind": "story"}
    # the body is still the scaffold's blank: neither check nor build lets it through
    for verb in ("check", "build"):
        code, out, err = run(capsys, verb, site)
        assert code == 1
        assert (f"content/stories/{sid}.md:18:1: 文章正文还没有写：请把这一行换成正文（可以用 ## 小标题、- 列表、"
                "**加粗**；插入照片的写法见文件开头的注释）。") in err
    assert not (site / "output").exists()
    path.write_text(text.replace(BLANKS["body"].text, "六月一日凌晨两点，东湖区一处供水管道爆裂。"), encoding="utf-8")
    # published with its title and body, and the comments are not
    code, out, err = run(capsys, "build", site)
    assert code == 0, err
    page = (site / "output" / "stories" / sid / "index.html").read_text(encoding="utf-8")
    assert "一张笑脸迎群众：“一次办好”暖人心" in page and "content/images/stories" not in page
    assert "供水管道爆裂" in page and MARK not in page


def test_story_with_everything(tmp_path, capsys):
    site, out, text = new_then_check(
        tmp_path, capsys, "story", "--title", "Window Service: One Visit", "--author", "宣传部 张宣",
        "--kind", "experience", "--post", "tax-window", "--member", "wang-fang", "--tag", "窗口服务", "--tag", "yes",
        "--date", "2025-05-12", "--text", "## 每天早到半小时\n\n王芳往前多走一步。")
    assert "content/stories/window-service-one-visit.md" in out
    front = yaml.safe_load(text.split("---\n")[1])
    assert front["posts"] == ["tax-window"] and front["members"] == ["wang-fang"]
    assert front["tags"] == ["窗口服务", "yes"]  # quoted: YAML would read a bare yes as true
    assert front["title"] == "Window Service: One Visit" and front["kind"] == "experience"
    assert text.endswith("---\n\n## 每天早到半小时\n\n王芳往前多走一步。\n")


def test_unit(tmp_path, capsys):
    site, out, text = new_then_check(tmp_path, capsys, "unit", "--name", "测试市人民医院", "--branch", "门诊党支部",
                                     "--district", "west", "--sector", "service", "--service-hall")
    assert "content/units/ce-shi-shi-ren-min-yi-yuan.yaml" in out
    assert "\ndistrict: west                 # 区县：西区\n" in text  # comments line up (column 32)
    assert yaml.safe_load(text)["service_hall"] is True


def test_post(tmp_path, capsys):
    site, out, text = new_then_check(tmp_path, capsys, "post", "--name", "导税服务岗", "--unit", "tax",
                                     "--book", "大厅入口", "--phone", "0571-86001113", "--id", "tax-guide")
    assert "content/posts/tax-guide.yaml" in out
    data = yaml.safe_load(text)
    assert data["feedback"] == {"book": "大厅入口", "phone": "0571-86001113"}
    assert "# approval:" in text and "approval" not in data  # declared, not public until approved


def test_post_with_a_hotline_only(tmp_path, capsys):
    """A 12345 seat: a phone and no comment book; the other channels are commented blanks."""
    site, out, text = new_then_check(tmp_path, capsys, "post", "--name", "12345热线座席", "--unit", "tax",
                                     "--phone", "12345", "--id", "tax-hotline")
    assert yaml.safe_load(text)["feedback"] == {"phone": "12345"}
    assert "\n  # book: 【待填写】意见簿所在位置" in text


def test_member(tmp_path, capsys):
    site, out, text = new_then_check(tmp_path, capsys, "member", "--name", "张三", "--post", "tax-window",
                                     "--position", "办税员", "--pledge", "马上就办", "--standard", "当日事当日毕",
                                     "--standard", "no")
    assert "content/members/tax-window-zhang-san.yaml" in out
    data = yaml.safe_load(text)
    assert data["consent"] == {"public": False, "photo": False}  # nobody is published before consenting
    assert data["standard"]["items"] == ["当日事当日毕", "no"]
    assert data["standard"]["proposed"] == dt.date.today()


def test_evaluation(tmp_path, capsys):
    site = make_site(tmp_path)
    code, out, err = run(capsys, "new", "evaluation", "--month", "2025-06", "--by", "督导组", site)
    assert code == 0, err
    assert "content/evaluations/2025-06.yaml" in out
    path = site / "content/evaluations/2025-06.yaml"
    text = path.read_text(encoding="utf-8")
    assert yaml.safe_load(text) == {"month": "2025-06", "evaluated_on": dt.date.today(), "by": "督导组", "posts": {}}
    assert "#   tax-window:" in text and "tax-declared" not in text  # only approved posts are listed
    # a month without scores would show every post as not evaluated: check says what to do
    code, out, err = run(capsys, "check", site)
    assert code == 1
    assert ("content/evaluations/2025-06.yaml:8:34: 这个月的分数还没有填：请去掉下面各岗位行开头的 `# `，填上 0–100 的分数，"
            "再把这一行改成 `posts:`（删掉 {} 和这条注释）；也可以用 site-builder import evaluations 考评表.xlsx "
            "从考评表导入。") in err
    # uncommented but not filled in: each empty score is named
    lines = [ln[2:] if ln.startswith("#   ") or ln.startswith("#     ") else ln for ln in text.split("\n")]
    lines = ["posts:" if ln.startswith("posts: {}") else ln for ln in lines]
    path.write_text("\n".join(lines), encoding="utf-8")
    code, out, err = run(capsys, "check", site)
    assert code == 1
    assert "content/evaluations/2025-06.yaml:10:30: 这里还空着：请填写一个整数（0 到 100）。" in err
    assert err.count("这里还空着") == 12
    assert "content/evaluations/2025-06.yaml:13:11: 考评说明还没有写：请写这个岗位本月考评的说明（200 字以内）；不写就删掉这一行。" in err
    filled = "\n".join(lines).replace("politics: ,", "politics: 90,").replace("performance: ,", "performance: 90,")
    filled = filled.replace("service: ,", "service: 90,").replace("exemplary: }", "exemplary: 90}")
    path.write_text(filled.replace(BLANKS["note"].text, "按时考评"), encoding="utf-8")
    code, out, err = run(capsys, "check", site)
    assert code == 0, err


def test_evaluation_defaults_to_last_month(tmp_path, capsys):
    site = make_site(tmp_path)
    code, out, err = run(capsys, "new", "evaluation", "--date", "2025-07-03", site)
    assert code == 0, err
    assert "content/evaluations/2025-06.yaml" in out


def test_refuses_to_overwrite(tmp_path, capsys):
    site = make_site(tmp_path)
    args = ["new", "story", "--title", "同一个标题", "--id", "tong-yi-ge", site]
    assert run(capsys, *args)[0] == 0
    path = site / "content/stories/tong-yi-ge.md"
    path.write_text(path.read_text(encoding="utf-8") + "改过的正文\n", encoding="utf-8")
    before = path.read_text(encoding="utf-8")
    code, out, err = run(capsys, *args)
    assert code == 2
    assert "site-builder: content/stories/tong-yi-ge.md 已经存在，不会覆盖：请用 --id 换一个编号，或直接编辑这个文件。" in err
    assert path.read_text(encoding="utf-8") == before
    code, out, err = run(capsys, "new", "evaluation", "--month", "2025-05", site)
    assert code == 2
    assert ("site-builder: content/evaluations/2025-05.yaml 已经存在，不会覆盖：请直接编辑这个文件，或用 site-builder "
            "import evaluations 考评表.xlsx --replace 从考评表重新导入。") in err


def test_same_title_again_gets_the_next_free_name(tmp_path, capsys):
    site = make_site(tmp_path)
    names = []
    for _ in range(3):
        code, out, err = run(capsys, "new", "story", "--title", "测试故事", site)
        assert code == 0, err
        names.append(out.split("已创建 ", 1)[1].split("：", 1)[0])
    assert names == ["content/stories/ce-shi-gu-shi.md", "content/stories/ce-shi-gu-shi-2.md",
                     "content/stories/ce-shi-gu-shi-3.md"]
    assert out.endswith("注意：content/stories/ce-shi-gu-shi.md 已经存在，新文件的编号改用 ce-shi-gu-shi-3（如果写的是"
                        "同一件事，请删掉新文件，直接编辑原来的文件）。\n")
    # members: the same name on the same post
    argv = ["new", "member", "--name", "张三", "--post", "tax-window", "--position", "办税员", "--pledge", "马上就办",
            "--standard", "当日事当日毕", site]
    assert "content/members/tax-window-zhang-san.yaml" in run(capsys, *argv)[1]
    assert "content/members/tax-window-zhang-san-2.yaml" in run(capsys, *argv)[1]


def test_titles_without_letters_and_reserved_names(tmp_path, capsys):
    site = make_site(tmp_path)
    code, out, err = run(capsys, "new", "story", "--title", "😀！！", site)
    assert code == 0, err
    assert out.splitlines() == ["已创建 content/stories/story.md：请按文件里的注释填写，然后运行 site-builder check。",
                                "注意：“😀！！”里没有汉字、字母或数字，编号用了 story；想要好记的编号请加 --id。"]
    code, out, err = run(capsys, "new", "story", "--title", "Index", site)
    assert code == 0, err
    assert "已创建 content/stories/index-2.md" in out and "注意：`index` 是保留名称，编号改用 index-2。" in out
    code, out, err = run(capsys, "new", "post", "--name", "——", "--unit", "tax", "--book", "大厅", "--phone",
                         "0571-86001113", site)
    assert code == 0, err
    assert "已创建 content/posts/tax-post.yaml" in out


def test_missing_values_are_named_when_not_on_a_terminal(tmp_path, capsys):
    site = make_site(tmp_path)
    code, out, err = run(capsys, "new", "post", "--name", "导税服务岗", site)
    assert code == 2
    assert "缺少 所属单位编号、投诉电话：请加上 --unit \"所属单位编号\" --phone \"投诉电话\"" in err
    assert "没有投诉电话的岗位，改写 --book 意见簿位置、--form 网上意见表网址或 --email 投诉邮箱（群众监督渠道至少一项）" in err
    assert not list((site / "content/posts").glob("tax-*-*.yaml"))


def test_asks_for_missing_values_on_a_terminal():
    args = argparse.Namespace(name=None, district=None)
    answers = iter(["", "人民医院", "nowhere", "west"])
    fields = [new.Field("name", "--name", "单位名称"),
              new.Field("district", "--district", "区县编号", choices={"east": "东区", "west": "西区"})]
    new.fill(args, fields, interactive=True, ask=lambda prompt: next(answers))
    assert (args.name, args.district) == ("人民医院", "west")


def test_unknown_references_are_refused(tmp_path, capsys):
    site = make_site(tmp_path)
    code, out, err = run(capsys, "new", "member", "--name", "张三", "--post", "tax-windw", "--position", "办税员",
                         "--pledge", "马上就办", "--standard", "当日事当日毕", site)
    assert code == 2
    assert "找不到示范岗 `tax-windw`（是不是想写 `tax-window`？）" in err
    code, out, err = run(capsys, "new", "unit", "--name", "x", "--branch", "y", "--district", "north",
                         "--sector", "service", site)
    assert code == 2 and "`north` 不在 site.yaml 的 districts 里：可选 east、west。" in err


def test_values_are_checked_like_check_does(tmp_path, capsys):
    site = make_site(tmp_path)
    code, out, err = run(capsys, "new", "member", "--name", "张三", "--post", "tax-window", "--position", "办税员",
                         "--pledge", "多" * 41, "--standard", "当日事当日毕", site)
    assert code == 1
    assert "文字太长：41 个字，最多 40 个字。请精简。" in err
    assert len(list((site / "content/members").glob("*.yaml"))) == 3


def test_bad_id_is_refused(tmp_path, capsys):
    site = make_site(tmp_path)
    code, out, err = run(capsys, "new", "story", "--title", "x", "--id", "Bad_Id", site)
    assert code == 2 and "--id：编号 `Bad_Id` 不合规" in err


@pytest.mark.parametrize("value", ["yes", "12:30", "0755", "a: b", "# x", "- x", "[x]", '"引号"', "null", "~", " x"])
def test_yaml_str_reads_back_exactly(value):
    assert yaml.safe_load(f"k: {new.yaml_str(value)}") == {"k": value}


def test_comments_line_up_on_screen():
    # Chinese characters take two columns: the comment starts at the same place either way
    assert new.cline("title: 标题", "x") == "title: 标题" + " " * 20 + "# x\n"
    assert new.cline("title: ab", "x") == "title: ab" + " " * 22 + "# x\n"


@pytest.mark.parametrize("title, expected", [
    ("测试故事", "ce-shi-gu-shi"),
    ("Hello, World!", "hello-world"),
    ("12345热线：G20峰会", "12345-re-xian-g20-feng-hui"),  # Latin and digits kept, punctuation goes
    ("ＡＢＣ１２３全角", "abc123-quan-jiao"),  # full-width letters and digits
    ("Café 咖啡", "cafe-ka-fei"),  # accents dropped
    ("银行行长", "yin-hang-hang-zhang"),  # polyphonic characters: pypinyin's reading in common words
    ("女儿绿", "nv-er-lv"),  # ü is written v
    ("  一张\t笑脸\n", "yi-zhang-xiao-lian"),
    ("😀！！", ""),
    ("こんにちは", ""),
])
def test_slug(title, expected):
    assert new.slug(title) == expected
    assert new.slug(title) == new.slug(title)  # deterministic


def test_slug_of_a_long_title_is_cut_between_syllables():
    long = new.slug("一张笑脸迎群众暖人心" * 8)
    assert long == "yi-zhang-xiao-lian-ying-qun-zhong-nuan"  # the next syllable would pass 40 characters
    assert len(new.slug("word " * 40)) <= new.SLUG_MAX and new.slug("word " * 40).endswith("word")
    assert new.slug("a" * 100) == "a" * 40  # one long word is cut inside it
    assert new.cut("abc-def", 5) == "abc" and new.cut("abc-def", 3) == "abc" and new.cut("abc", 2) == "ab"


def test_ids_stay_valid_with_long_prefixes(tmp_path):
    site = make_site(tmp_path)
    post = "p" * 64
    mid, _ = new.new_id(site, "members", ".yaml", "张三丰" * 10, post, "member")
    assert check_id(mid) is None and len(mid) <= 60 and mid.endswith("-zhang-san")  # the name keeps 12 characters
    for n in range(2, 5):
        (site / "content/members" / f"{mid}.yaml").write_text("x", encoding="utf-8")
        mid, note = new.new_id(site, "members", ".yaml", "张三丰" * 10, post, "member")
        assert check_id(mid) is None and mid.endswith(f"-{n}")


def test_no_kind_is_a_usage_error(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(make_site(tmp_path))
    code, out, err = run(capsys, "new")
    assert code == 2 and "site-builder new story|post|member|unit|evaluation" in err


def test_not_a_site_folder(tmp_path, capsys):
    with pytest.raises(UsageError):
        new.site_settings(tmp_path)


def test_prompts_on_a_real_terminal(tmp_path):
    """Run in a pseudo-terminal: the missing values are asked for, a wrong choice is asked again."""
    import os
    import select
    import subprocess
    import sys
    import time

    pty = pytest.importorskip("pty")
    site = make_site(tmp_path)
    master, slave = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "site_builder", "new", "unit", "--branch", "门诊党支部"],
                            stdin=slave, stdout=slave, stderr=slave, cwd=site, env=env)
    os.close(slave)
    seen = b""

    def wait_for(text: str) -> None:
        nonlocal seen
        deadline = time.monotonic() + 20
        while text.encode() not in seen and time.monotonic() < deadline:
            if select.select([master], [], [], 0.1)[0]:
                try:
                    seen += os.read(master, 4096)
                except OSError:
                    break
        assert text.encode() in seen, seen.decode(errors="replace")

    for prompt, answer in [("单位名称：", "人民医院"), ("区县编号（east 东区，west 西区）：", "north"),
                           ("请填写可选值之一。", "west"), ("行业编号（window 窗口部门，service 服务行业）：", "service")]:
        wait_for(prompt)
        os.write(master, answer.encode() + b"\n")
    wait_for("已创建 content/units/")
    assert proc.wait(timeout=20) == 0
    os.close(master)
    unit = site / "content/units/ren-min-yi-yuan.yaml"  # the pinyin of the name typed at the prompt
    assert yaml.safe_load(unit.read_text(encoding="utf-8"))["district"] == "west"
