"""``site-builder new KIND``: each kind creates a commented file that passes ``check`` unchanged."""

import argparse
import datetime as dt

import pytest
import yaml

from site_builder.commands import new
from site_builder.errors import UsageError
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
    site, out, text = new_then_check(tmp_path, capsys, "story", "--title", "一张笑脸迎群众：“一次办好”暖人心")
    sid = f"{TODAY}-{new.short_hash('一张笑脸迎群众：“一次办好”暖人心')}"
    assert f"已创建 content/stories/{sid}.md" in out
    assert text.startswith("---\n# 先进事迹 / 典型经验。")
    front = yaml.safe_load(text.split("---\n")[1])
    assert front == {"title": "一张笑脸迎群众：“一次办好”暖人心", "date": dt.date.today(), "author": "测试市先教办",
                     "kind": "story"}
    # published with its title, and the comments are not
    code, out, err = run(capsys, "build", site)
    assert code == 0, err
    page = (site / "output" / "stories" / sid / "index.html").read_text(encoding="utf-8")
    assert "一张笑脸迎群众：“一次办好”暖人心" in page and "content/images/stories" not in page


def test_story_with_everything(tmp_path, capsys):
    site, out, text = new_then_check(
        tmp_path, capsys, "story", "--title", "Window Service: One Visit", "--author", "宣传部 张宣",
        "--kind", "experience", "--post", "tax-window", "--member", "wang-fang", "--tag", "窗口服务", "--tag", "yes",
        "--date", "2025-05-12", "--text", "## 每天早到半小时\n\n王芳往前多走一步。")
    assert "content/stories/2025-05-12-window-service-one-visit.md" in out
    front = yaml.safe_load(text.split("---\n")[1])
    assert front["posts"] == ["tax-window"] and front["members"] == ["wang-fang"]
    assert front["tags"] == ["窗口服务", "yes"]  # quoted: YAML would read a bare yes as true
    assert front["title"] == "Window Service: One Visit" and front["kind"] == "experience"
    assert text.endswith("---\n\n## 每天早到半小时\n\n王芳往前多走一步。\n")


def test_unit(tmp_path, capsys):
    site, out, text = new_then_check(tmp_path, capsys, "unit", "--name", "测试市人民医院", "--branch", "门诊党支部",
                                     "--district", "west", "--sector", "service", "--service-hall")
    uid = f"unit-{new.short_hash('测试市人民医院')}"
    assert f"content/units/{uid}.yaml" in out
    assert "\ndistrict: west                 # 区县：西区\n" in text  # comments line up (column 32)
    assert yaml.safe_load(text)["service_hall"] is True


def test_post(tmp_path, capsys):
    site, out, text = new_then_check(tmp_path, capsys, "post", "--name", "导税服务岗", "--unit", "tax",
                                     "--book", "大厅入口", "--phone", "0571-86001113", "--id", "tax-guide")
    assert "content/posts/tax-guide.yaml" in out
    data = yaml.safe_load(text)
    assert data["feedback"] == {"book": "大厅入口", "phone": "0571-86001113"}
    assert "# approval:" in text and "approval" not in data  # declared, not public until approved


def test_member(tmp_path, capsys):
    site, out, text = new_then_check(tmp_path, capsys, "member", "--name", "张三", "--post", "tax-window",
                                     "--position", "办税员", "--pledge", "马上就办", "--standard", "当日事当日毕",
                                     "--standard", "no")
    mid = f"tax-window-{new.short_hash('张三')}"
    assert f"content/members/{mid}.yaml" in out
    data = yaml.safe_load(text)
    assert data["consent"] == {"public": False, "photo": False}  # nobody is published before consenting
    assert data["standard"]["items"] == ["当日事当日毕", "no"]
    assert data["standard"]["proposed"] == dt.date.today()


def test_evaluation(tmp_path, capsys):
    site, out, text = new_then_check(tmp_path, capsys, "evaluation", "--month", "2025-06", "--by", "督导组")
    assert "content/evaluations/2025-06.yaml" in out
    assert yaml.safe_load(text) == {"month": "2025-06", "evaluated_on": dt.date.today(), "by": "督导组", "posts": {}}
    assert "#   tax-window:" in text and "tax-declared" not in text  # only approved posts are listed


def test_evaluation_defaults_to_last_month(tmp_path, capsys):
    site = make_site(tmp_path)
    code, out, err = run(capsys, "new", "evaluation", "--date", "2025-07-03", site)
    assert code == 0, err
    assert "content/evaluations/2025-06.yaml" in out


def test_refuses_to_overwrite(tmp_path, capsys):
    site = make_site(tmp_path)
    args = ["new", "story", "--title", "同一个标题", "--date", "2025-05-12", site]
    assert run(capsys, *args)[0] == 0
    path = next((site / "content/stories").glob("2025-05-12-*.md"))
    path.write_text(path.read_text(encoding="utf-8") + "改过的正文\n", encoding="utf-8")
    before = path.read_text(encoding="utf-8")
    code, out, err = run(capsys, *args)
    assert code == 2
    assert f"site-builder: content/stories/{path.name} 已经存在，不会覆盖：请用 --id 换一个编号，或直接编辑这个文件。" in err
    assert path.read_text(encoding="utf-8") == before


def test_missing_values_are_named_when_not_on_a_terminal(tmp_path, capsys):
    site = make_site(tmp_path)
    code, out, err = run(capsys, "new", "post", "--name", "导税服务岗", site)
    assert code == 2
    assert "缺少 所属单位编号、意见簿放在哪里、投诉电话：请加上 --unit \"所属单位编号\" --book \"意见簿放在哪里\" " \
           "--phone \"投诉电话\"" in err
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


def test_slug_is_stable_and_ascii():
    assert new.slug("一张笑脸", "2025-05-12") == new.slug("一张笑脸", "2025-05-12")
    assert new.slug("一张笑脸", "2025-05-12").isascii()
    assert new.slug("Hello, World!", "2025-05-12") == "2025-05-12-hello-world"
    assert len(new.slug("word " * 40, "2025-05-12")) <= 64


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
    unit = next(p for p in (site / "content/units").glob("unit-*.yaml"))
    assert yaml.safe_load(unit.read_text(encoding="utf-8"))["district"] == "west"
