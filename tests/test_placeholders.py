"""The blanks ``site-builder new`` leaves (site_builder/content/placeholders.py): check and build refuse them, at
their file, line and column, saying what to write there, until they are filled in."""

import re

import pytest
import yaml

from site_builder.content import placeholders
from site_builder.content.placeholders import BLANKS, MARK
from support.sites import ROOT, make_site, run

# What an editor writes in place of each blank (all valid in the mini site).
FILLED = {
    "body": "六月一日凌晨两点，东湖区一处供水管道爆裂。",
    "story_posts": "tax-window",
    "story_members": "wang-fang",
    "tags": "窗口服务",
    "cover_file": "images/wang.png",
    "cover_alt": "办税窗口一角",
    "summary": "一句话说清这篇文章。",
    "address": "东区人民路 18 号",
    "website": "https://www.example.cn/",
    "location": "大厅 3 号窗口",
    "description": "为纳税人导税。",
    "approval_date": "2025-02-10",
    "approval_number": "测先教办〔2025〕9号",
    "book": "大厅入口左侧",
    "phone": '"12345"',
    "form": "https://example.org/form",
    "email": "ts@example.org",
    "consent_date": "2025-02-01",
    "photo": "images/wang.png",
    "comment_from": "2025-02-02",
    "comment_until": "2025-02-20",
    "set": "2025-03-01",
    "by": "督导组",
    "note": "按时考评。",
}

KINDS = {
    "story": ["story", "--title", "测试故事"],
    "unit": ["unit", "--name", "测试市人民医院", "--branch", "门诊党支部", "--district", "west", "--sector", "service"],
    "post": ["post", "--name", "导税服务岗", "--unit", "tax", "--book", "大厅入口", "--phone", "0571-86001113"],
    "online post": ["post", "--name", "网上办税岗", "--unit", "tax", "--form", "https://example.org/yijian"],
    "member": ["member", "--name", "张三", "--post", "tax-window", "--position", "办税员", "--pledge", "马上就办",
               "--standard", "当日事当日毕", "--consent-public", "--consent-photo"],
    "evaluation": ["evaluation", "--month", "2025-06"],
}
_COMMENTED_KEY = re.compile(r"^( *)# ( *)([a-z_][a-z_-]*:.*)$")


def make(tmp_path, capsys, kind):
    site = make_site(tmp_path)
    code, out, err = run(capsys, "new", *KINDS[kind], "--date", "2025-02-01", site)
    assert code == 0, err
    path = site / out.split("已创建 ", 1)[1].split("：", 1)[0]
    return site, path


def uncomment(text: str) -> str:
    """Every commented example key made a real one, as an editor who wants them all would do."""
    lines = []
    for line in text.split("\n"):
        m = _COMMENTED_KEY.match(line)
        lines.append(m.group(1) + m.group(2) + m.group(3) if m else line)
    return "\n".join(lines)


def blanks_in(text: str) -> list[tuple[int, int, str]]:
    """(line, column, name) of every blank written in ``text``."""
    found = []
    for number, line in enumerate(text.split("\n"), 1):
        for name, blank in BLANKS.items():
            at = line.find(blank.text)
            if at >= 0:
                found.append((number, at + 1, name))
    return sorted(found)


def fill(text: str) -> str:
    text = text.replace("posts: {}", "posts:")
    text = re.sub(r" *# " + re.escape(BLANKS["scores"].text), "", text)
    text = re.sub(r"(politics|performance|service|exemplary): (?=[,}])", r"\1: 90", text)
    for name, value in FILLED.items():
        text = text.replace(BLANKS[name].text, value)
    return text


@pytest.mark.parametrize("kind", list(KINDS))
def test_scaffold_as_written(tmp_path, capsys, kind):
    """A story without --text and a month without scores fail; the others ask for nothing more and pass."""
    site, path = make(tmp_path, capsys, kind)
    text = path.read_text(encoding="utf-8")
    shown = path.relative_to(site).as_posix()
    code, out, err = run(capsys, "check", site)
    expected = {"story": ["body"], "evaluation": ["scores"]}.get(kind, [])
    assert [name for line, _, name in blanks_in(text) if not _commented(text, line)] == expected
    if expected:
        assert code == 1
        for line, col, name in blanks_in(text):
            if name in expected:
                assert f"{shown}:{line}:{col}: {BLANKS[name].message}\n" in err
        assert err.count(f"{shown}:") == len(expected)  # the commented examples are not reported
    else:
        assert code == 0, err


def _commented(text: str, line: int) -> bool:
    return text.split("\n")[line - 1].lstrip().startswith("#")


@pytest.mark.parametrize("kind", list(KINDS))
def test_uncommented_examples_are_reported_until_filled_in(tmp_path, capsys, kind):
    site, path = make(tmp_path, capsys, kind)
    shown = path.relative_to(site).as_posix()
    text = uncomment(path.read_text(encoding="utf-8"))
    path.write_text(text, encoding="utf-8")
    found = blanks_in(text)
    assert found, "every kind has commented examples with blanks"
    code, out, err = run(capsys, "check", site)
    assert code == 1
    reported = [line for line in err.splitlines() if line.startswith(shown + ":")]
    for line, col, name in found:
        assert f"{shown}:{line}:{col}: {BLANKS[name].message}" in reported
        # the blank is the one problem of its line (not also "not a date", "not a URL" ...)
        assert len([r for r in reported if r.startswith(f"{shown}:{line}:")]) == 1
    # filled in: check passes
    path.write_text(fill(text), encoding="utf-8")
    assert MARK not in path.read_text(encoding="utf-8")
    code, out, err = run(capsys, "check", site)
    assert code == 0, err


def test_every_blank_is_written_by_new(tmp_path, capsys):
    """One list: no blank that new never writes, none that check would not know."""
    written = set()
    for kind in KINDS:
        site, path = make(tmp_path / kind, capsys, kind)
        written |= {name for _, _, name in blanks_in(path.read_text(encoding="utf-8"))}
    assert written == set(BLANKS)


@pytest.mark.parametrize("name", [n for n in BLANKS if n not in ("scores", "body")])  # a comment; Markdown
def test_blanks_are_plain_yaml_values(name):
    text = BLANKS[name].text
    assert yaml.safe_load(f"k: {text}") == {"k": text}
    assert yaml.safe_load(f"k: [{text}]") == {"k": [text]}


def test_a_changed_blank_with_its_mark_left_is_reported(tmp_path, capsys):
    site, path = make(tmp_path, capsys, "story")
    text = path.read_text(encoding="utf-8").replace(BLANKS["body"].text, "前言。\n\n" + MARK + "我写好了正文")
    path.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "check", site)
    assert code == 1
    assert f"content/stories/ce-shi-gu-shi.md:20:1: {placeholders.LEFT_MARK}" in err


def test_where_blanks_are_looked_for():
    yaml_text = f"# name: {MARK}x\n  # deep: {MARK}y\nname: a  # {MARK}z\n"
    assert [(p.line, p.col) for p in placeholders.find(yaml_text, "f.yaml")] == [(3, 12)]  # comments skipped
    story = f"---\n# summary: {BLANKS['summary'].text}\n---\n# {BLANKS['body'].text}\n{MARK}{MARK}\n"
    found = placeholders.find(story, "s.md", yaml_lines=3)
    # a Markdown heading is not a comment; two marks on a line are two blanks
    assert [(p.line, p.col, p.message) for p in found] == [
        (4, 3, BLANKS["body"].message), (5, 1, placeholders.LEFT_MARK), (5, 6, placeholders.LEFT_MARK)]
    assert placeholders.find("nothing to see\n", "f.yaml") == []


def test_a_blank_in_the_sample_site_would_be_reported(tmp_path, capsys):
    """The real sample site: a post with an approval number copied from the scaffold."""
    site = make_site(tmp_path, base=ROOT)
    path = site / "content/posts/zrzy-budongchan-window.yaml"
    text = path.read_text(encoding="utf-8")
    number = re.search(r"^  number: (.*)$", text, re.M)
    path.write_text(text.replace(number.group(0), f"  number: {BLANKS['approval_number'].text}"), encoding="utf-8")
    line = text[:number.start()].count("\n") + 1
    code, out, err = run(capsys, "build", site)
    assert code == 1
    assert f"content/posts/zrzy-budongchan-window.yaml:{line}:11: {BLANKS['approval_number'].message}" in err
    assert not (site / "output").exists()
