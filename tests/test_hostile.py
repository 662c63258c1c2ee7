"""Hostile and broken input: nothing published wrong, nothing lost (issue #8, docs/security.md).

One test (or one parametrized family) per line of the issue. Each asserts the exact outcome: the exit
code and the ``path:line:col: message``, or that the built HTML, parsed with an HTML parser, holds no
script, event handler or dangerous URL that came from content.
"""

from __future__ import annotations

import ast
import io
import json
import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image

from site_builder.errors import ContentErrors
from site_builder.incremental import cache as cache_mod, pipeline
from site_builder.pages import guard
from site_builder.write.output import Writer
from support.sites import GOOD_MEMBER, MINI, ROOT, make_site, run, tree

SITE = "content/site.yaml"
UNIT = "content/units/tax.yaml"
POST = "content/posts/tax-window.yaml"
MEMBER = "content/members/li-ming.yaml"
WANG = "content/members/wang-fang.yaml"
STORY = "content/stories/first.md"
EVALUATION = "content/evaluations/2025-01.yaml"


def mini(path: str) -> str:
    return (MINI / path).read_text(encoding="utf-8")


def check(tmp_path, capsys, changes, *expected: str, code: int = 1, verb: str = "check") -> str:
    """Run ``check`` (or ``build``) on the mini site with ``changes``; every expected line is printed."""
    site = make_site(tmp_path, changes)
    argv = [verb, site] + (["-o", tmp_path / "out"] if verb == "build" else [])
    rc, out, err = run(capsys, *argv)
    assert rc == code, err
    lines = err.splitlines()
    for line in expected:
        assert line in lines, f"expected the line {line!r} in:\n{err}"
    assert "Traceback" not in err + out
    return err


# =====================================================================================================
# 1. Markdown and YAML can never put script into a page; template syntax is shown literally
# =====================================================================================================

HOSTILE_FRONT = """\
---
title: "<script>alert('title')</script>{{ 7*7 }}"
date: 2025-03-01
author: "<img src=x onerror=alert(1)>"
posts: [tax-window]
members: [wang-fang]
tags: ["{% raw %}x", "<b onclick=x>t</b>"]
cover:
  file: images/wang.png
  alt: "\\"><script>alert('alt')</script>"
  caption: "<svg onload=alert(1)>"
summary: "javascript:alert(1) {{ config }}"
---
"""

HOSTILE_BODY = """\
## 标题 {: onclick="alert(1)" }

段落 {: onmouseover=alert(2) }
{: #x .y onclick="alert(3)" }

<script>alert(1)</script>
<SCRIPT SRC=https://evil.example/x.js></SCRIPT>
<scr<script>ipt>alert(1)</script>
<img src="https://img.example/x.png" onerror=alert(1)>
<a href="javascript:alert(1)">a</a>
<a href="JaVaScRiPt:alert(1)">b</a>
<a href="jav&#x09;ascript:alert(1)">c</a>
<a href="jav\tascript:alert(1)">c2</a>
<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">d</a>
<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)">d2</a>
<a href="java&#x200B;script:alert(1)">e</a>
<a href="java\u200bscript:alert(1)">e2</a>
<a href="\u200bjavascript:alert(1)">e3</a>
<a href="javascript&colon;alert(1)">e4</a>
<a href="vbscript:msgbox(1)">f</a>
<a href="VBScript:msgbox(1)">f2</a>
<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">g</a>
<a href="DATA:text/html,<script>alert(1)</script>">g2</a>
<a href=" javascript:alert(1)">h</a>
<a href="&#x6A;avascript&colon;alert(1)">i</a>
<a href="//evil.example/">j</a>
<a href="https://ok.example/" onclick="alert(1)" style="color:red">k</a>
<iframe src="https://evil.example/"></iframe>
<object data="https://evil.example/x.swf"></object>
<embed src="https://evil.example/x.swf">
<video src="clip.mp4" poster="javascript:alert(1)"></video>
<svg><script>alert(1)</script></svg>
<svg onload=alert(1)><circle/></svg>
<svg><a xlink:href="javascript:alert(1)"><text y="20">x</text></a></svg>
<svg><animate onbegin=alert(1) attributeName=x dur=1s></svg>
<math><mtext><script>alert(1)</script></mtext></math>
<p style="background:url(javascript:alert(1))">css</p>
<div style="width: expression(alert(1))">css2</div>
<style>body{background:url(javascript:alert(1))}</style>
<form action="javascript:alert(1)"><button formaction="javascript:alert(2)">x</button></form>
<base href="javascript:alert(1)//">
<meta http-equiv="refresh" content="0;url=javascript:alert(1)">
<link rel=stylesheet href="javascript:alert(1)">
<!-- <script>alert(1)</script> -->
<details open ontoggle=alert(1)>d</details>

[m1](javascript:alert(1))
[m2](JAVASCRIPT:alert(1))
[m3](java\tscript:alert(1))
[m4](data:text/html,<script>alert(1)</script>)
[m5](vbscript:x)
[m6](  javascript:alert(1))
![i1](javascript:alert(1))
![i2](data:image/svg+xml;base64,PHN2Zy8+)
![i3](https://img.example/y.png "x\\" onerror=\\"alert(1)")

[ref]: javascript:alert(2)
[r][ref]
<javascript:alert(1)>
<https://ok.example/>

{{ 7*7 }} {% if true %}yes{% endif %} {# c #} {{ cycler.__init__.__globals__ }}

```
<script>alert("in code")</script> {{ 7*7 }}
```
"""

# YAML fields of every file kind carry the vectors too (within each field's length limit)
HOSTILE_YAML = {
    SITE: lambda t: t.replace("title: 测试市星级党员示范岗", "title: \"</title><script>alert('site')</script>{{ 7*7 }}\"")
                     .replace("name: 测试市先教办", "name: \"<img src=x onerror=alert(1)>\"")
                     .replace("east: 东区", "east: \"<svg/onload=alert(1)>\"")
                     .replace("window: 窗口部门", "window: \"<img src=x onerror=alert(9)>\""),
    UNIT: lambda t: t.replace("name: 测试市税务局", "name: \"<script>alert('unit')</script>\"")
                     .replace("branch: 办税服务厅党支部", "branch: \"{{ self.__init__ }}\"")
                     + "address: \"javascript:alert(1)\"\n",
    POST: lambda t: t.replace("name: 办税服务窗口", "name: \"<iframe src=//evil.example/></iframe>\"")
                     .replace("book: 大厅入口左侧", "book: '\" onmouseover=\"alert(1)'")
                     + "location: \"<img src=x onerror=alert(1)>\"\ndescription: \"<svg onload=alert(1)>{% for x in [] %}\"\n",
    WANG: lambda t: t.replace("name: 王芳", "name: \"<b onclick=x>王芳</b>\"")
                     .replace("position: 办税员", "position: \"<style>*{x:expression(alert(1))}</style>\"")
                     .replace("pledge: 一次讲清，一次办好", "pledge: \"{{ 7*7 }}<script>alert(1)</script>\"")
                     .replace("items: [当日事当日毕, 首问负责]", "items: [\"<a href='javascript:alert(1)'>x</a>\", 首问负责]")
                     .replace("text: 二月办件 200 件，无差错。", "text: \"<object data=javascript:alert(1)>\""),
    EVALUATION: lambda t: t + "    note: \"<script>alert('note')</script>\"\n",
}

URL_ATTRS = {"href", "src", "action", "formaction", "data", "poster", "background", "xlink:href", "cite",
             "longdesc", "manifest", "codebase", "dynsrc", "lowsrc"}
SAFE_SCHEMES = {"http", "https", "mailto", "tel"}
NEVER = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "math", "foreignobject",
         "animate", "set", "handler", "listener", "xmp", "plaintext"}
ATTACK = re.compile(r"alert|msgbox|evil\.example", re.I)
INVISIBLE = re.compile("[\x00-\x20\x7f-\x9f\u00ad\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")


def scheme(url: str) -> str | None:
    """The scheme a browser would see: controls, spaces and invisible characters are ignored."""
    cleaned = INVISIBLE.sub("", url)
    m = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*):", cleaned)
    return m.group(1).lower() if m else None


class Audit(HTMLParser):
    """Everything dangerous in one HTML document, as a list of findings (empty: clean)."""

    def __init__(self, name: str):
        super().__init__(convert_charrefs=True)
        self.name, self.findings, self.stack = name, [], []

    def found(self, what: str) -> None:
        self.findings.append(f"{self.name}: {what}")

    def handle_starttag(self, tag, attrs):
        self.stack.append(tag)
        if tag in NEVER:
            self.found(f"<{tag}>")
        a = dict(attrs)
        if tag == "script" and a.get("src") and scheme(a["src"]):
            self.found(f"script from another site: {a['src']}")
        if tag == "meta" and (a.get("http-equiv") or "").lower() == "refresh":
            target = re.sub(r"^[^;]*;\s*url\s*=\s*", "", a.get("content") or "", flags=re.I).strip("'\" ")
            if scheme(target) not in (None, "http", "https"):
                self.found(f"meta refresh to {target!r}")
        for key, value in attrs:
            value = value or ""
            if key.startswith("on"):
                self.found(f"<{tag} {key}>")
            if key in URL_ATTRS and scheme(value) not in (None, *SAFE_SCHEMES):
                self.found(f"<{tag} {key}={value!r}>")
            if key == "srcset" and any(scheme(part.split()[0]) not in (None, *SAFE_SCHEMES)
                                       for part in value.split(",") if part.strip()):
                self.found(f"<{tag} srcset={value!r}>")
            if key == "style" and re.search(r"expression|javascript|url\(", INVISIBLE.sub("", value), re.I):
                self.found(f"<{tag} style={value!r}>")

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop() != tag:
            pass

    def handle_data(self, data):
        if not self.stack:
            return
        inside = self.stack[-1]
        if inside == "script" and ATTACK.search(data):
            self.found(f"script holding content: {data[:60]!r}")
        if inside == "style" and re.search(r"expression|javascript", INVISIBLE.sub("", data), re.I):
            self.found(f"style holding content: {data[:60]!r}")


def audit(html: str, name: str) -> list[str]:
    parser = Audit(name)
    parser.feed(html)
    parser.close()
    return parser.findings


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The mini site with the vectors in the story and in YAML fields of every file kind, built."""
    tmp = tmp_path_factory.mktemp("hostile")
    changes = {path: change(mini(path)) for path, change in HOSTILE_YAML.items()}
    changes[STORY] = HOSTILE_FRONT + HOSTILE_BODY
    site = make_site(tmp, changes)
    out = tmp / "out"
    from site_builder.commands.main import main
    assert main(["build", str(site), "-o", str(out), "-q"]) == 0
    return out


def test_hostile_site_builds_and_no_page_holds_script_handler_or_dangerous_url(hostile):
    pages = sorted(hostile.rglob("*.html"))
    assert len(pages) > 50
    findings = [f for page in pages for f in audit(page.read_text(encoding="utf-8"), page.relative_to(hostile).as_posix())]
    assert findings == []


def test_the_audit_finds_what_it_looks_for():
    """The checker itself: each vector, if it got through, would be reported."""
    dirty = ('<script>alert(1)</script><a href="jav&#x09;ascript:alert(1)">a</a><a href="\u200bjavascript:x">b</a>'
             '<img src=x onerror=alert(1)><p style="width:expression(alert(1))"></p><iframe></iframe>'
             '<svg><a xlink:href="data:text/html,x"></a></svg><style>a{b:url(javascript:x)}</style>'
             '<meta http-equiv=refresh content="0;url=javascript:x"><img srcset="vbscript:x 1x">')
    assert len(audit(dirty, "x")) == 10


def test_story_page_shows_content_as_text(hostile):
    page = (hostile / "stories/first/index.html").read_text(encoding="utf-8")
    # the title and author are text, template syntax is literal and never evaluated
    assert "<h1>&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;{{ 7*7 }}</h1>" in page
    assert "作者：&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<p>{{ 7*7 }} {% if true %}yes{% endif %} {# c #} {{ cycler.__init__.__globals__ }}</p>" in page
    assert '<pre><code>&lt;script&gt;alert("in code")&lt;/script&gt; {{ 7*7 }}\n</code></pre>' in page
    assert ">49<" not in page and "yes</p>" not in page
    # Markdown attribute lists stay text: no id, class or handler comes from them
    assert '<h2>标题 {: onclick="alert(1)" }</h2>' in page
    # the safe parts of the story survive: the https link and image, the link text of dropped links
    assert '<a href="https://ok.example/" rel="noopener noreferrer">https://ok.example/</a>' in page
    assert '<img src="https://img.example/x.png">' in page


def test_yaml_fields_are_text_on_every_page(hostile):
    post = (hostile / "posts/tax-window/index.html").read_text(encoding="utf-8")
    assert "&lt;iframe src=//evil.example/&gt;&lt;/iframe&gt;" in post
    assert "&lt;img src=x onerror=alert(1)&gt;" in post
    member = (hostile / "members/wang-fang/index.html").read_text(encoding="utf-8")
    assert "{{ 7*7 }}&lt;script&gt;alert(1)&lt;/script&gt;" in member
    assert "&lt;a href=&#39;javascript:alert(1)&#39;&gt;x&lt;/a&gt;" in member
    unit = (hostile / "units/tax/index.html").read_text(encoding="utf-8")
    assert "{{ self.__init__ }}" in unit
    home = (hostile / "index.html").read_text(encoding="utf-8")
    assert "&lt;/title&gt;&lt;script&gt;alert(&#39;site&#39;)&lt;/script&gt;{{ 7*7 }}" in home


def test_feed_holds_only_sanitised_html(hostile):
    root = ET.parse(hostile / "feed.xml").getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entry = root.find("a:entry", ns)
    assert entry.find("a:title", ns).text == "<script>alert('title')</script>{{ 7*7 }}"  # text, escaped in XML
    content = entry.find("a:content", ns)
    assert content.get("type") == "html"
    assert audit(content.text, "feed.xml content") == []
    assert "{{ 7*7 }}" in content.text


def test_open_data_csv_cells_never_start_a_formula(tmp_path, capsys):
    post = mini(POST).replace("name: 办税服务窗口", "name: \"=HYPERLINK(\\\"https://evil.example\\\",\\\"x\\\")\"")
    unit = mini(UNIT).replace("name: 测试市税务局", "name: \"@SUM(1+1)*cmd|' /C calc'!A0\"")
    site = make_site(tmp_path, {POST: post, UNIT: unit})
    assert run(capsys, "build", site, "-o", tmp_path / "out")[0] == 0
    import csv
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out/data/posts.csv").read_text(encoding="utf-8-sig"))))
    assert rows[0]["name"] == "'=HYPERLINK(\"https://evil.example\",\"x\")"
    assert rows[0]["unit_name"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert rows[0]["complaint_phone"] == "0571-86001111"  # numbers are left alone
    data = json.loads((tmp_path / "out/data/posts.json").read_text(encoding="utf-8"))
    assert data["posts"][0]["name"] == "=HYPERLINK(\"https://evil.example\",\"x\")"  # JSON keeps the value


@pytest.mark.parametrize("body,where,message", [
    ("正文\n\n<a href=\"java\u202escript:alert(1)\">x</a>\n", "11:14",
     "第 11 行第 14 列有不可见的文字方向控制字符（可被用来伪装文字） U+202E RIGHT-TO-LEFT OVERRIDE。"),
    ("正文\x07\n", "9:3", "第 9 行第 3 列有不可见的控制字符 U+0007。"),
], ids=["bidi", "control"])
def test_bidi_and_control_characters_in_markdown_are_errors(tmp_path, capsys, body, where, message):
    err = check(tmp_path, capsys, {STORY: mini(STORY).split("## ", 1)[0] + body})
    assert f"{STORY}:{where}: {message}请删除它（通常是从网页或文档复制粘贴时带进来的，可在编辑器中显示不可见字符后删除）。" \
        in err.splitlines()


# =====================================================================================================
# 2. URL, e-mail and phone fields: allowed schemes, no credentials, no invisible characters, QR length
# =====================================================================================================

FIELD_CASES = [
    # (key, value, position, message)
    ("form", "javascript:alert(1)", "11:9", "不支持“javascript:”开头的网址，只能使用 https://、http://。请换成正确的网址。"),
    ("form", "JaVaScRiPt:alert(1)", "11:9", "不支持“JaVaScRiPt:”开头的网址，只能使用 https://、http://。请换成正确的网址。"),
    ("form", "vbscript:msgbox(1)", "11:9", "不支持“vbscript:”开头的网址，只能使用 https://、http://。请换成正确的网址。"),
    ("form", "data:text/html,hi", "11:9", "不支持“data:”开头的网址，只能使用 https://、http://。请换成正确的网址。"),
    ("form", "ftp://example.org/", "11:9", "不支持“ftp:”开头的网址，只能使用 https://、http://。请换成正确的网址。"),
    ("form", "//evil.example/", "11:9", "网址必须以 https://、http:// 开头（例如 https://www.example.cn/）。请补全网址开头。"),
    ("form", "https://a@b.example.org/", "11:9",
     "网址中不能包含用户名或密码（“@”前面的部分）。请删除“//”和“@”之间的内容，只保留域名。"),
    ("form", "https://user:pw@example.org/", "11:9",
     "网址中不能包含用户名或密码（“@”前面的部分）。请删除“//”和“@”之间的内容，只保留域名。"),
    ("form", "https://exa\u200bmple.org/", "11:9", "文字中有不可见或控制字符 U+200B：请删除它（常见于从网页或文档复制粘贴）。"),
    ("form", "https://example.org/\u202egpj.exe", "11:9", "文字中有不可见或控制字符 U+202E：请删除它（常见于从网页或文档复制粘贴）。"),
    ("form", "java\u2060script:alert(1)", "11:9", "文字中有不可见或控制字符 U+2060：请删除它（常见于从网页或文档复制粘贴）。"),
    ("form", "https://example.org/\U000e0041", "11:9", "文字中有不可见或控制字符 U+E0041：请删除它（常见于从网页或文档复制粘贴）。"),
    ("form", "https://example.org/\x07", "11:29", "这里有 YAML 不允许的不可见控制字符 U+0007：请删除它（常见于从网页或文档复制粘贴）。"),
    ("form", "https://example.org/" + "a" * 281, "11:9",
     "网址太长：301 个字符，最多 300 个（否则二维码无法识别）。请使用更短的网址，例如栏目首页的地址。"),
    ("email", "ts@exa\u200dmple.org", "12:10", "文字中有不可见或控制字符 U+200D：请删除它（常见于从网页或文档复制粘贴）。"),
    ("email", "javascript:alert(1)", "12:10", "邮箱地址必须有且只有一个“@”，例如 name@example.cn。请检查。"),
    ("phone", "0571-8600\u200b1111", "10:10", "文字中有不可见或控制字符 U+200B：请删除它（常见于从网页或文档复制粘贴）。"),
    ("phone", "0571-86001111\u202e", "10:10", "文字中有不可见或控制字符 U+202E：请删除它（常见于从网页或文档复制粘贴）。"),
    ("phone", "javascript:alert(1)", "10:10",
     "电话号码中不能有“j”。只能用数字、开头的“+”、空格、连字符“-”和括号。分机号或说明文字请写在其他栏目里。"),
]


@pytest.mark.parametrize("key,value,where,message", FIELD_CASES, ids=[repr(c[1])[:30] for c in FIELD_CASES])
def test_contact_fields_are_validated(tmp_path, capsys, key, value, where, message):
    old = {"form": "https://example.org/feedback", "email": "ts@example.org", "phone": "0571-86001111"}[key]
    text = mini(POST).replace(f"{key}: {old}", f"{key}: {value}")
    check(tmp_path, capsys, {POST: text}, f"content/posts/tax-window.yaml:{where}: {message}")


def test_longest_accepted_url_is_published_and_fits_a_qr_code(tmp_path, capsys):
    from site_builder.printing.boards import QR_QUIET_ZONE, qr_svg

    url = "https://example.org/" + "a" * 280  # 300 characters: the most check_url accepts
    site = make_site(tmp_path, {POST: mini(POST).replace("https://example.org/feedback", url)})
    assert run(capsys, "build", site, "-o", tmp_path / "out")[0] == 0
    assert f'href="{url}"' in (tmp_path / "out/posts/tax-window/index.html").read_text(encoding="utf-8")
    size = int(re.search(r'viewBox="0 0 (\d+) ', qr_svg(url)).group(1))
    assert size - 2 * QR_QUIET_ZONE <= 69  # version 13 or smaller: readable at 3 cm on a plaque


# =====================================================================================================
# 3. YAML: safe loading, no aliases, duplicates at the second key, tabs and indentation with line and
#    column, GBK, BOM, empty file, wrong top-level type, invalid dates; also through the evaluation
#    files' fast path, which must give the general loader's answer or step aside
# =====================================================================================================

GOOD_EVALUATION = """\
month: 2025-01
by: 督导组
posts:
  tax-window:
    self: {politics: 95, performance: 95, service: 95, exemplary: 95}
    public: {politics: 90, performance: 90, service: 90, exemplary: 90}
    organisation: {politics: 90, performance: 90, service: 90, exemplary: 90}
"""
M, E = "content/members/li-ming.yaml", "content/evaluations/2025-01.yaml"

YAML_CASES = {
    "python tag": (
        (M, GOOD_MEMBER.replace("position: 窗口负责人", "position: !!python/object/apply:os.system [id]"),
         "3:11: 不允许使用 YAML 标签 `!!python/object/apply:os.system`：请删除它，直接写值。"),
        (E, GOOD_EVALUATION.replace("by: 督导组", "by: !!python/name:os.system"),
         "2:5: 不允许使用 YAML 标签 `!!python/name:os.system`：请删除它，直接写值。"),
    ),
    "other tags": (
        (M, GOOD_MEMBER.replace("position: 窗口负责人", "position: !!binary aGVsbG8="),
         "3:11: 不允许使用 YAML 标签 `!!binary`：请删除它，直接写值。"),
        (E, GOOD_EVALUATION.replace("by: 督导组", "by: !custom x"), "2:5: 不允许使用 YAML 标签 `!custom`：请删除它，直接写值。"),
    ),
    "anchor and alias": (
        (M, GOOD_MEMBER.replace("position: 窗口负责人", "position: &p 窗口负责人"),
         "3:11: 不允许使用 YAML 锚点和别名（& 和 *）：请把内容直接写出来。如果这是文字，请加引号。"),
        (E, GOOD_EVALUATION.replace("    public: {", "    public: *s\n    x: {", 1).replace("    self: {", "    self: &s {", 1),
         "5:11: 不允许使用 YAML 锚点和别名（& 和 *）：请把内容直接写出来。如果这是文字，请加引号。"),
    ),
    "merge key": (
        (M, GOOD_MEMBER + "standard2:\n  <<: {a: 1}\n", "10:3: 不允许使用 YAML 合并键 `<<`：请把内容直接写出来。"),
        (E, GOOD_EVALUATION + "  other:\n    <<: {a: 1}\n", "9:5: 不允许使用 YAML 合并键 `<<`：请把内容直接写出来。"),
    ),
    "duplicate key": (
        (M, GOOD_MEMBER + "name: 李明明\n", "9:1: 键 `name` 重复（第一次出现在第 1 行）：请删除或合并其中一个。"),
        (E, GOOD_EVALUATION.replace("    public: {politics: 90,", "    public: {politics: 90, politics: 80,"),
         "6:28: 键 `politics` 重复（第一次出现在第 6 行）：请删除或合并其中一个。"),
    ),
    "tab indentation": (
        (M, GOOD_MEMBER.replace("  items:", "\titems:"), "7:1: YAML 不能用制表符（Tab）缩进，请改用空格。"),
        (E, GOOD_EVALUATION.replace("    self:", "\tself:"), "5:1: YAML 不能用制表符（Tab）缩进，请改用空格。"),
    ),
    "bad indentation": (
        (M, GOOD_MEMBER.replace("position: 窗口负责人", " position: 窗口负责人"),
         "3:10: YAML 语法错误：mapping values are not allowed in this context。请检查这一行及上一行的缩进、冒号和引号。"),
        (E, GOOD_EVALUATION.replace("    public:", "     public:"),
         "6:6: YAML 语法错误：did not find expected key（while parsing a block mapping）。请检查这一行及上一行的缩进、冒号和引号。"),
    ),
    "GBK": (
        (M, GOOD_MEMBER.encode("gbk"),
         "1:7: 文件不是 UTF-8 编码（第 7 个字节 0xc0 无效）。文件看起来是 GBK/GB18030 编码；请在编辑器中“另存为 UTF-8”后再提交。"),
        (E, GOOD_EVALUATION.encode("gbk"),
         "2:5: 文件不是 UTF-8 编码（第 20 个字节 0xb6 无效）。文件看起来是 GBK/GB18030 编码；请在编辑器中“另存为 UTF-8”后再提交。"),
    ),
    "UTF-16": (
        (M, GOOD_MEMBER.encode("utf-16"), "1:1: 文件不是 UTF-8 编码（第 1 个字节 0xff 无效）。请在编辑器中“另存为 UTF-8”后再提交。"),
        (E, GOOD_EVALUATION.encode("utf-16"),
         "1:1: 文件不是 UTF-8 编码（第 1 个字节 0xff 无效）。请在编辑器中“另存为 UTF-8”后再提交。"),
    ),
    "empty file": (
        (M, b"", "1:1: 内容是空的：请按 docs/content-format.md 的示例填写。"),
        (E, "# 只有注释\n", "1:1: 内容是空的：请按 docs/content-format.md 的示例填写。"),
    ),
    "list at the top": (
        (M, "- 李明\n- 王芳\n", "1:1: 这里应为键值表（`键: 值` 的若干行），却写成了列表。"),
        (E, "- 2025-01\n", "1:1: 这里应为键值表（`键: 值` 的若干行），却写成了列表。"),
    ),
    "text at the top": (
        (M, "李明\n", "1:1: 这里应为键值表（`键: 值` 的若干行），却写成了文字。"),
        (E, "2025-01\n", "1:1: 这里应为键值表（`键: 值` 的若干行），却写成了文字。"),
    ),
    "invalid date": (
        (M, GOOD_MEMBER.replace("2025-01-05", "2024-02-30"), "8:13: 日期 `2024-02-30` 不存在：请核对月份和日子。"),
        (E, GOOD_EVALUATION.replace("by: 督导组", "evaluated_on: 2024-02-30"),
         "2:15: 日期 `2024-02-30` 不存在：请核对月份和日子。"),
    ),
    "two documents": (
        (M, GOOD_MEMBER + "---\nname: 王芳\n", "9:1: 一个文件只能有一个 YAML 文档：请删除多余的 `---`。"),
        (E, GOOD_EVALUATION + "---\nmonth: 2025-02\n", "8:1: 一个文件只能有一个 YAML 文档：请删除多余的 `---`。"),
    ),
    "NUL character": (
        (M, GOOD_MEMBER.replace("窗口负责人", "窗口\x00负责人"),
         "3:13: 这里有 YAML 不允许的不可见控制字符 U+0000：请删除它（常见于从网页或文档复制粘贴）。"),
        (E, GOOD_EVALUATION.replace("督导组", "督导\x00组"),
         "2:7: 这里有 YAML 不允许的不可见控制字符 U+0000：请删除它（常见于从网页或文档复制粘贴）。"),
    ),
}


@pytest.mark.parametrize("kind", ["member", "evaluation"])
@pytest.mark.parametrize("case", list(YAML_CASES))
def test_yaml_problems_have_exact_positions(tmp_path, capsys, case, kind):
    path, data, expected = YAML_CASES[case][0 if kind == "member" else 1]
    check(tmp_path, capsys, {path: data}, f"{path}:{expected}" if expected[0] != " " else f"{path}:{expected}")


@pytest.mark.parametrize("path,text", [(M, GOOD_MEMBER), (E, GOOD_EVALUATION)])
def test_byte_order_mark_is_accepted(tmp_path, capsys, path, text):
    site = make_site(tmp_path, {path: b"\xef\xbb\xbf" + text.encode()})
    assert run(capsys, "check", site)[0] == 0


@pytest.mark.parametrize("path,text", [
    (M, "name: " + "[" * 50_000),
    (E, "month: 2025-01\nposts: " + "{a: " * 20_000),
    (M, "".join("  " * i + f"k{i}:\n" for i in range(300))),
])
def test_deep_nesting_is_refused_without_crashing(tmp_path, path, text):
    """libyaml composes recursively in C: '[' * 50000 used to kill the process (segmentation fault)."""
    site = make_site(tmp_path, {path: text})
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "site_builder", "check", str(site)], capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert re.search(rf"^{re.escape(path)}:\d+:\d+: 嵌套太深（超过 100 层）：请检查括号 \[ \] {{ }} 是否配对、缩进是否正确。$",
                     proc.stderr, re.M), proc.stderr
    assert time.perf_counter() - start < 60


# =====================================================================================================
# 4. Front matter
# =====================================================================================================

HEAD = "title: 标题\ndate: 2025-03-01\nauthor: 宣传部\n"
FRONT_CASES = {
    "no closing fence": ("---\n" + HEAD + "\n正文\n",
                         "1:1: 开头的信息块从第 1 行的 `---` 开始，但没有结束的 `---`：请在 title、date 等信息之后加一行 `---`，再写正文。"),
    "no opening fence": (HEAD + "---\n正文\n",
                         "1:1: 文件开头的信息（标题、日期等）必须放在两行 `---` 之间，第一行就是 `---`：请在文件最前面加一行 `---`。"),
    "no front matter": ("正文\n", "1:1: 文章缺少开头的信息块：第一行写 `---`，接着写 title、date 等，再写一行 `---`，然后才是正文。"),
    "list": ("---\n- 标题\n- 2025-03-01\n---\n正文\n", "2:1: 这里应为键值表（`键: 值` 的若干行），却写成了列表。"),
    "scalar": ("---\n只是一句话\n---\n正文\n", "2:1: 这里应为键值表（`键: 值` 的若干行），却写成了文字。"),
    "empty": ("---\n---\n正文\n", "2:1: 内容是空的：请按 docs/content-format.md 的示例填写。"),
    "key after the closing fence": (
        "---\n" + HEAD + "---\ntags: [窗口]\nsummary: 摘要\n\n正文\n",
        "6:1: `tags:` 写在了第 5 行结束开头信息块的 `---` 之后，会被当成正文显示出来：请把它移到两行 `---` 之间。"),
    "key after an empty line": (
        "---\n" + HEAD + "---\n\ntitle: 另一个标题\n正文\n",
        "7:1: `title:` 写在了第 5 行结束开头信息块的 `---` 之后，会被当成正文显示出来：请把它移到两行 `---` 之间。"),
    "second block": (
        "---\n" + HEAD + "---\n---\ntags: [窗口]\n---\n正文\n",
        "6:1: 开头信息块之后又有一个 `---` 信息块：一篇文章只能有一个信息块，请把两块的内容合并到最前面的两行 `---` 之间。"),
    "body swallowed by a horizontal rule": (
        "---\n" + HEAD + "\n正文第一段。\n\n---\n\n第二段。\n",
        "6:1: 开头的信息块（第 1 行的 `---` 到第 8 行的 `---`）里出现了像正文的文字：是不是忘了在 title、date 等信息之后加一行"
        " `---`？正文中的分隔线 `---` 被当成了信息块的结尾。"),
}


@pytest.mark.parametrize("case", list(FRONT_CASES))
def test_front_matter_problems(tmp_path, capsys, case):
    text, expected = FRONT_CASES[case]
    check(tmp_path, capsys, {STORY: text}, f"{STORY}:{expected}")


def test_front_matter_look_alikes_in_the_body_are_fine(tmp_path, capsys):
    """A horizontal rule later in the body, prose with a colon, CRLF line ends: a normal story."""
    text = ("---\r\n" + HEAD.replace("\n", "\r\n") + "---\r\n\r\nNote: 这是正文。\r\n\r\n---\r\n\r\ntags: 不是信息块\r\n")
    site = make_site(tmp_path, {STORY: text})
    assert run(capsys, "build", site, "-o", tmp_path / "out")[0] == 0
    page = (tmp_path / "out/stories/first/index.html").read_text(encoding="utf-8")
    assert "<p>Note: 这是正文。</p>\n<hr>\n<p>tags: 不是信息块</p>" in page


# =====================================================================================================
# 5. Paths: ids and slugs, reserved names, collisions, symlinks, nothing written outside the output
# =====================================================================================================

BAD_ID = "不合规：只能用小写英文字母、数字和连字符（-），以字母或数字开头和结尾，最长 64 个字符，例如 `zrzy-budongchan`。"


@pytest.mark.parametrize("ref", ["../tax-window", "tax/window", "tax\\\\window", "%2e%2e", "/etc/passwd", "C:\\\\x",
                                 "TAX-WINDOW", ".", "-x"])
def test_references_with_path_characters_are_errors(tmp_path, capsys, ref):
    shown = ref.replace("\\\\", "\\")
    text = GOOD_MEMBER.replace("post: tax-window", f'post: "{ref}"')
    check(tmp_path, capsys, {MEMBER: text}, f"{MEMBER}:2:7: 编号 `{shown}` {BAD_ID}")


def test_story_slugs_with_path_characters_are_errors(tmp_path, capsys):
    text = mini(STORY).replace("posts: [tax-window]", 'posts: [tax-window, "../../etc", "a%2fb"]')
    check(tmp_path, capsys, {STORY: text}, f"{STORY}:5:21: 编号 `../../etc` {BAD_ID}", f"{STORY}:5:34: 编号 `a%2fb` {BAD_ID}")


@pytest.mark.parametrize("name", ["%2e%2e", "%2e%2e%2fetc", "a..b", "a b", "con", "index", "page", "all", "p", "static", "media",
                                  "lpt1", "-x", "x" * 65])
def test_file_names_that_are_not_ids_are_errors(tmp_path, capsys, name):
    from site_builder.content.schema import check_id

    err = check(tmp_path, capsys, {f"content/stories/{name}.md": mini(STORY)})
    assert f"content/stories/{name}.md:1:1: 文件名就是编号。{check_id(name)}" in err.splitlines()


def test_story_named_like_a_listing_page_is_refused(tmp_path, capsys):
    """stories/page/2/ is the second page of the story list: a story with the id `page` would collide."""
    check(tmp_path, capsys, {"content/stories/page.md": mini(STORY)},
          "content/stories/page.md:1:1: 文件名就是编号。`page` 是保留名称，不能用作编号：请换一个。")


@pytest.mark.parametrize("twin", ["content/stories/First.md", "content/stories/FIRST.md"])
def test_file_names_differing_only_in_case_name_each_other(tmp_path, capsys, twin):
    check(tmp_path, capsys, {twin: mini(STORY)},
          f"{twin}:1:1: 文件名与 `content/stories/first.md` 只差大小写：在 Windows 和 macOS 上它们是同一个文件，"
          "发布后的网址也相同。编号只能用小写字母：请把两个文件合并，或给其中一个换个编号。")


def test_static_files_colliding_or_unsafe_are_content_errors_in_check_and_build(tmp_path, capsys):
    changes = {"templates/static/Logo.svg": "<svg/>", "templates/static/logo.svg": "<svg/>",
               "templates/static/我的 图.png": b"x", "templates/static/ok-file_1.css": "a{}"}
    expected = [
        "templates/static/logo.svg:1:1: 发布后与 templates/static/Logo.svg 是同一个文件 `static/logo.svg`（只差大小写，"
        "在 Windows、macOS 和许多服务器上是同一个文件）：请改名或删除其中一个。",
        "templates/static/我的 图.png:1:1: 文件名只能用英文字母、数字、点（.）、连字符（-）和下划线（_），"
        "发布后的网址才能在所有服务器上使用：请改名。",
    ]
    check(tmp_path / "a", capsys, changes, *expected)
    check(tmp_path / "b", capsys, changes, *expected, verb="build")
    assert not (tmp_path / "b/out").exists()


def test_a_warm_build_checks_the_output_paths_again_when_they_change(tmp_path, capsys, monkeypatch):
    """The output paths are checked once for a set of paths: a warm build over the same paths checks nothing
    again, one that adds a colliding file is refused as a clean build is, and its repair builds."""
    site = make_site(tmp_path)
    out = tmp_path / "out"
    checked = []
    real = guard._output_problems
    monkeypatch.setattr(guard, "_output_problems", lambda *a: checked.append(1) or real(*a))
    assert run(capsys, "build", site, "-o", out)[0] == 0 and len(checked) == 1
    (site / "content/stories/first.md").write_text(mini(STORY).replace("正文", "改过的正文"), encoding="utf-8")
    assert run(capsys, "build", site, "-o", out)[0] == 0 and len(checked) == 1
    (site / "templates/static").mkdir(parents=True)
    for name in ("Logo.svg", "logo.svg"):
        (site / "templates/static" / name).write_text("<svg/>", encoding="utf-8")
    rc, _, err = run(capsys, "build", site, "-o", out)
    assert rc == 1 and "是同一个文件 `static/logo.svg`" in err and len(checked) == 2
    rc, _, err = run(capsys, "build", site, "-o", out)  # (a build with problems keeps no "checked")
    assert rc == 1 and "是同一个文件 `static/logo.svg`" in err and len(checked) == 3
    (site / "templates/static/Logo.svg").unlink()
    assert run(capsys, "build", site, "-o", out)[0] == 0 and len(checked) == 4


def test_serve_checks_the_output_paths_again_when_they_change(tmp_path, capsys, monkeypatch):
    """Inside ``serve`` a rebuild takes the last one's check of the output paths when the pages' paths and the
    static files are the same (incremental/pipeline.py ``_Kept``); one that adds a colliding file is refused as a
    clean build is, again until the file goes, and the output is then a clean build's."""
    site = make_site(tmp_path)
    out = tmp_path / "out"
    cache = cache_mod.Cache.for_site(site)
    checked = []
    real = guard._output_problems
    monkeypatch.setattr(guard, "_output_problems", lambda *a: checked.append(1) or real(*a))
    story = site / "content/stories/first.md"

    def rebuild(*changed):
        return pipeline.run(site, out, jobs=1, cache=cache, save=False, watched=True, changed=changed or None)
    rebuild()
    assert len(checked) == 1
    story.write_text(mini(STORY).replace("正文", "改过的正文"), encoding="utf-8")
    rebuild(story)
    assert len(checked) == 1
    (site / "templates/static").mkdir(parents=True)
    for name in ("Logo.svg", "logo.svg"):
        (site / "templates/static" / name).write_text("<svg/>", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(ContentErrors) as failed:
            rebuild(site / "templates/static/logo.svg")
        assert "是同一个文件 `static/logo.svg`" in str(failed.value.problems)
    (site / "templates/static/Logo.svg").unlink()
    rebuild(site / "templates/static/Logo.svg")
    assert len(checked) == 3 and (out / "static/logo.svg").is_file()
    clean = tmp_path / "clean"
    assert run(capsys, "build", site, "-o", clean, "--no-cache", "-q")[0] == 0
    assert tree(out) == tree(clean)


def test_writer_refuses_paths_outside_the_output(tmp_path):
    site = make_site(tmp_path)
    out = tmp_path / "out"
    with pytest.raises(ValueError):
        with Writer(site, out) as writer:
            for bad in ["../escape.html", "/etc/x", "a/../../b", "a\\..\\b", "%2e%2e/x", ".site-builder-output"]:
                with pytest.raises(ValueError):
                    writer.write(bad, b"x")
            raise ValueError("abandon the build")
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def symlink(link: Path, target: Path) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target)


@pytest.mark.parametrize("where", ["file", "folder", "site.yaml", "loop", "photo", "photo folder", "photo loop"])
def test_symlinks_leading_outside_content_are_refused(tmp_path, capsys, where):
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "tax-window.yaml").write_text(mini(POST), encoding="utf-8")
    (secret / "site.yaml").write_text(mini(SITE), encoding="utf-8")
    (secret / "face.png").write_bytes((MINI / "content/images/wang.png").read_bytes())
    site = make_site(tmp_path)
    content = site / "content"
    outside = "这是指向 content/ 以外的符号链接，不予读取：请把文件本身放进仓库。"
    loop = "这是循环的符号链接（最终指向它自己），无法读取：请删除它，把文件本身放进仓库。"
    if where == "file":
        symlink(content / "posts/other.yaml", secret / "tax-window.yaml")
        expected = f"content/posts/other.yaml:1:1: {outside}"
    elif where == "folder":
        symlink(content / "units2", secret)  # an unknown folder is refused anyway; a known one:
        (content / "units2").unlink()
        for f in (content / "units").iterdir():
            (secret / f.name).write_bytes(f.read_bytes())
        import shutil
        shutil.rmtree(content / "units")
        symlink(content / "units", secret)
        expected = f"content/units: {outside}"
    elif where == "site.yaml":
        (content / "site.yaml").unlink()
        symlink(content / "site.yaml", secret / "site.yaml")
        expected = f"content/site.yaml:1:1: {outside}"
    elif where == "loop":
        symlink(content / "posts/loop.yaml", content / "posts/loop.yaml")
        expected = f"content/posts/loop.yaml:1:1: {loop}"
    elif where == "photo":
        (content / "images/wang.png").unlink()
        symlink(content / "images/wang.png", secret / "face.png")
        expected = "content/members/wang-fang.yaml:6:1: 照片 `images/wang.png` 指向 content/ 以外，不予使用。"
    elif where == "photo folder":  # (a plain file, in a folder that leads outside)
        import shutil
        shutil.rmtree(content / "images")
        (secret / "wang.png").write_bytes((MINI / "content/images/wang.png").read_bytes())
        symlink(content / "images", secret)
        expected = "content/members/wang-fang.yaml:6:1: 照片 `images/wang.png` 指向 content/ 以外，不予使用。"
    else:
        (content / "images/wang.png").unlink()
        symlink(content / "images/wang.png", content / "images/wang.png")
        expected = "content/members/wang-fang.yaml:6:1: 照片 `images/wang.png` 是循环的符号链接，无法读取：请换成照片文件本身。"
    rc, out, err = run(capsys, "build", site, "-o", tmp_path / "out")
    assert rc == 1 and "Traceback" not in err
    assert expected in err.splitlines(), err
    assert not (tmp_path / "out").exists()


def test_output_folder_that_is_a_symlink_is_refused(tmp_path, capsys):
    site = make_site(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (site / "output").symlink_to(elsewhere)
    rc, _, err = run(capsys, "build", site)
    assert rc == 2
    assert err == f"site-builder: 输出文件夹 {site / 'output'} 是符号链接（指向 {elsewhere}）：为免写到别处，请用一个真实的文件夹。\n"
    assert list(elsewhere.iterdir()) == [] and sorted(p.name for p in site.iterdir()) == ["content", "output"]


def test_a_build_writes_nothing_outside_the_output_folder(tmp_path, capsys, hostile):
    """The hostile site: only out/ is new, and nothing in the site folder changed."""
    site = make_site(tmp_path, {STORY: HOSTILE_FRONT + HOSTILE_BODY})
    before = tree(tmp_path)
    assert run(capsys, "build", site, "-o", tmp_path / "out")[0] == 0
    after = {k: v for k, v in tree(tmp_path).items() if not k.startswith("out/")
             and not k.startswith("site/.site-builder-cache/")}  # the build cache, signed (see below)
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) in (["out", "site"],)


def test_a_committed_build_cache_is_never_unpickled(tmp_path):
    """The cache holds pickles; one that came with the site (a pull request) would run code when loaded."""
    import pickle

    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    folder = tmp_path / "site" / cache_mod.FOLDER
    folder.mkdir(parents=True)
    (folder / "version").write_text(cache_mod.code_version())
    for name in ["records-0", "pages", "memo"]:
        (folder / f"{name}.pickle").write_bytes(pickle.dumps({"x": Payload()}))
    cache = cache_mod.Cache(folder)
    assert cache.section("records-0") == {} and cache.section("pages") == {} and cache.section("memo") == {}
    assert not marker.exists()
    # the cache's own files still work
    cache.replace("pages", {"a": 1})
    cache.save()
    assert cache_mod.Cache(folder).section("pages") == {"a": 1}


def test_a_committed_node_modules_bundle_is_never_published(tmp_path, capsys):
    """/admin/ copies the editing app from node_modules/: a pull request that commits its own decap-cms
    (script the editors' browsers would run) must not get it published; the checkout's is used instead."""
    from site_builder.pages import admin
    site = make_site(tmp_path)
    for package, version in (("decap-cms", admin.DECAP_VERSION), ("js-yaml", admin.JS_YAML_VERSION)):
        folder = site / "node_modules" / package
        (folder / "dist").mkdir(parents=True)
        (folder / "package.json").write_text(f'{{"version": "{version}"}}', encoding="utf-8")
    (site / "node_modules/decap-cms/dist/decap-cms.js").write_text("alert('pull request')", encoding="utf-8")
    (site / "node_modules/js-yaml/dist/js-yaml.min.js").write_text("alert('pull request')", encoding="utf-8")
    assert admin.bundle(site)[0]["decap-cms.js"].parent.parent.parent == site / "node_modules"  # not tracked: used
    git = ["git", "-c", "user.email=a@example.org", "-c", "user.name=a", "-C", str(site)]
    subprocess.run(git + ["init", "-q"], check=True)
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-qm", "pull request"], check=True)
    admin._tracked.cache_clear()
    files, _ = admin.bundle(site)
    assert files is None or all(not path.is_relative_to(site) for path in files.values())
    err = capsys.readouterr().err
    assert f"注意：{site.resolve() / 'node_modules'} 里有 git 管理的文件，不使用其中的程序（网页编辑只用另外安装的 decap-cms）。" in err


# =====================================================================================================
# 6. Images: only JPEG, PNG and WebP are opened; anything else is a content error, not a traceback
# =====================================================================================================

def png(width: int, height: int, mode: str = "RGB") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, (width, height)).save(buf, "PNG")
    return buf.getvalue()


def other_format(fmt: str) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (20, 20)).save(buf, fmt)
    return buf.getvalue()


def png_text_bomb() -> bytes:
    """50 MB of text squeezed into a 50 kB PNG chunk."""
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "A" * 50_000_000, zip=True)
    buf = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buf, "PNG", pnginfo=info)
    return buf.getvalue()


def jpeg_claiming(width: int, height: int) -> bytes:
    """A tiny JPEG whose header claims a huge size (a decompression bomb that Pillow would allocate)."""
    buf = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buf, "JPEG")
    data = bytearray(buf.getvalue())
    sof = data.index(b"\xff\xc0")
    data[sof + 5:sof + 9] = height.to_bytes(2, "big") + width.to_bytes(2, "big")
    return bytes(data)


PHOTO_PROBLEMS = "照片 `content/images/wang.{ext}`："
IMAGE_CASES = [
    ("png", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
     "这个文件不是可识别的 JPEG、PNG 或 WebP 图片：请确认上传的是照片本身。"),
    ("jpg", other_format("GIF"), "这个文件不是可识别的 JPEG、PNG 或 WebP 图片：请确认上传的是照片本身。"),
    ("jpg", other_format("BMP"), "这个文件不是可识别的 JPEG、PNG 或 WebP 图片：请确认上传的是照片本身。"),
    ("jpg", other_format("TIFF"), "这个文件不是可识别的 JPEG、PNG 或 WebP 图片：请确认上传的是照片本身。"),
    ("jpg", b"", "这个文件不是可识别的 JPEG、PNG 或 WebP 图片：请确认上传的是照片本身。"),
    ("png", png(300, 300)[:200], "图片已损坏或不完整"),
    ("jpg", jpeg_claiming(60000, 60000), "图片像素太多，可能是恶意文件：请换一张正常的照片。"),
    ("jpg", jpeg_claiming(9000, 6000), "图片像素太多（9000×6000）：最多 40 百万像素，请先缩小。"),
    ("png", png(1, 41_000_000, "1"), "图片像素太多（1×41000000）：最多 40 百万像素，请先缩小。"),
    ("png", png_text_bomb(), "图片已损坏或不完整（Decompressed data too large for PngImagePlugin.MAX_TEXT_CHUNK）"),
    ("gif", other_format("GIF"), "不支持的图片格式 `.gif`：请使用 JPEG、PNG 或 WebP。"),
    ("svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
     "不支持的图片格式 `.svg`：请使用 JPEG、PNG 或 WebP。"),
]


@pytest.mark.parametrize("ext,data,message", IMAGE_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(IMAGE_CASES)])
def test_bad_photos_are_content_errors(tmp_path, capsys, ext, data, message):
    member = mini(WANG).replace("images/wang.png", f"images/wang.{ext}")
    err = check(tmp_path, capsys, {"content/images/wang.png": None, f"content/images/wang.{ext}": data, WANG: member},
                verb="build")
    prefix = f"{WANG}:6:1: " + PHOTO_PROBLEMS.format(ext=ext)
    assert any(line.startswith(prefix + message) for line in err.splitlines()), err
    assert not (tmp_path / "out").exists()


def test_bad_images_in_a_story_body_and_cover_are_reported_at_their_lines(tmp_path, capsys):
    story = mini(STORY).replace("tags: [窗口服务]", "tags: [窗口服务]\ncover:\n  file: images/cover.jpg\n  alt: 封面") + \
        "\n![现场](../images/scene.png)\n"
    err = check(tmp_path, capsys, {STORY: story, "content/images/cover.jpg": b"GIF89a" + b"\0" * 50,
                                   "content/images/scene.png": png(50, 50)[:60]},
                f"{STORY}:9:3: 照片 `content/images/cover.jpg`：这个文件不是可识别的 JPEG、PNG 或 WebP 图片：请确认上传的是照片本身。",
                verb="build")
    assert re.search(rf"^{STORY}:18:7: 照片 `content/images/scene.png`：图片已损坏或不完整（.*）：请重新导出并上传。$", err, re.M), err


# =====================================================================================================
# 7. Size and time: pathological input finishes in bounded time or is refused with a clear limit;
#    one bad file never hides the others' problems
# =====================================================================================================

def story_with(body: str) -> str:
    return "---\n" + HEAD + "---\n" + body


@pytest.mark.parametrize("body,expected", [
    (">" * 5000, f"{STORY}:6: 第 6 行嵌套太深（引用“>”、列表或缩进约 5000 层，最多 16 层）。请减少引用、列表的层数或行首的缩进。"),
    ("[" * 50000, f"{STORY}:6:20001: 特殊符号（[ ] ( ) < > ` * _ \\ & ! ~ | {{ }}）太多：超过 20000 个（第 6 行第 20001 列是第 20001 个）。"),
    ("<div>" * 5000, f"{STORY}:6:5001: HTML 标签太多：超过 1000 个（第 6 行第 5001 列是第 1001 个）。"),
    ("a" * 200_001, f"{STORY}:6: 正文太长：共 200001 个字符，最多允许 200000 个字符（从第 6 行附近开始超出）。请删减内容，或拆成几篇分别发布。"),
], ids=["quotes", "brackets", "tags", "length"])
def test_pathological_markdown_is_refused_quickly(tmp_path, capsys, body, expected):
    start = time.perf_counter()
    err = check(tmp_path, capsys, {STORY: story_with(body)})
    assert time.perf_counter() - start < 30
    assert any(line.startswith(expected) for line in err.splitlines()), err


def test_long_but_reasonable_markdown_builds_in_bounded_time(tmp_path, capsys):
    body = ("示范岗的故事，**窗口**里的[笑脸](https://example.org/)。" + "群众满意。" * 150 + "\n\n") * 200 + "*a " * 3000
    site = make_site(tmp_path, {STORY: story_with(body)})
    start = time.perf_counter()
    assert run(capsys, "check", site)[0] == 0
    assert time.perf_counter() - start < 60


@pytest.mark.parametrize("path,size,limit", [(STORY, 500_001, 500_000), (MEMBER, 1_000_001, 1_000_000)])
def test_huge_files_are_refused_with_the_limit(tmp_path, capsys, path, size, limit):
    data = b"# " + b"x" * (size - 3) + b"\n"
    assert len(data) == size
    check(tmp_path, capsys, {path: data}, f"{path}:1:1: 文件太大（{size} 字节，最多 {limit} 字节）：请拆分或精简。")


def test_one_bad_file_never_hides_the_others(tmp_path, capsys):
    err = check(tmp_path, capsys, {
        SITE: "title: [\n",
        MEMBER: GOOD_MEMBER.replace("  items:", "\titems:"),
        STORY: mini(STORY).replace("posts: [tax-window]", "posts: [nope]") + "\n" + ">" * 40 + "\n",
        "content/images/wang.png": b"not a picture",
        "content/stories/second.md": "---\n" + HEAD + "---\ntags: [a]\n",
        "content/evaluations/2025-02.yaml": "month: 2025-02\nposts: " + "[" * 50_000,
        "content/posts/Tax-Window.yaml": mini(POST),
    },
        "content/site.yaml:2:1: YAML 语法错误：did not find expected node content（while parsing a flow node）。"
        "请检查这一行及上一行的缩进、冒号和引号。",
        f"{MEMBER}:7:1: YAML 不能用制表符（Tab）缩进，请改用空格。",
        f"{STORY}:5:1: 文中写到的示范岗 `nope` 不存在：请改正或删除。",
        f"{STORY}:15: 第 15 行嵌套太深（引用“>”、列表或缩进约 40 层，最多 16 层）。请减少引用、列表的层数或行首的缩进。",
        f"{WANG}:6:1: 照片 `content/images/wang.png`：这个文件不是可识别的 JPEG、PNG 或 WebP 图片：请确认上传的是照片本身。",
        "content/stories/second.md:6:1: `tags:` 写在了第 5 行结束开头信息块的 `---` 之后，会被当成正文显示出来："
        "请把它移到两行 `---` 之间。",
        "content/evaluations/2025-02.yaml:2:107: 嵌套太深（超过 100 层）：请检查括号 [ ] { } 是否配对、缩进是否正确。",
    )
    assert "content/posts/Tax-Window.yaml:1:1: 文件名与 `content/posts/tax-window.yaml` 只差大小写" in err
    assert "发现 8 个问题" in err


# =====================================================================================================
# 8. Reproducible builds: byte-identical output for the same input from any location, working
#    directory, PYTHONHASHSEED and SOURCE_DATE_EPOCH; no date from the clock
# =====================================================================================================

def build_elsewhere(tmp_path: Path, name: str, cwd: str, seed: str, epoch: str) -> dict[str, str]:
    site = make_site(tmp_path / name / "deeper" / "site-copy", {STORY: HOSTILE_FRONT + HOSTILE_BODY})
    out = tmp_path / name / "out"
    env = {**os.environ, "PYTHONHASHSEED": seed, "SOURCE_DATE_EPOCH": epoch, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "site_builder", "build", str(site), "-o", str(out), "-q"],
                          cwd={"tmp": tmp_path, "site": site}[cwd], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return tree(out)


def test_builds_are_byte_identical_from_any_location_seed_and_epoch(tmp_path):
    a = build_elsewhere(tmp_path, "a", "tmp", "0", "0")
    b = build_elsewhere(tmp_path, "bb", "site", "12345", "2000000000")
    assert a == b
    kinds = {"feed.xml", "sitemap.xml", "data/posts.json", "data/posts.csv", "stories/first/index.html",
             "search-index/meta.json"}
    assert kinds <= set(a) and any(k.startswith("media/") for k in a)


def test_pdfs_are_byte_identical_and_carry_no_date(tmp_path):
    site = make_site(tmp_path)
    outs = []
    for n, (seed, epoch) in enumerate([("1", "0"), ("2", "2000000000")]):
        out = tmp_path / f"pdf{n}"
        env = {**os.environ, "PYTHONHASHSEED": seed, "SOURCE_DATE_EPOCH": epoch, "PYTHONPATH": str(ROOT)}
        proc = subprocess.run([sys.executable, "-m", "site_builder", "pdf", str(site), "--post", "tax-window",
                               "--kind", "plaque", "-o", str(out), "-q"], env=env, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        outs.append(tree(out))
    assert outs[0] == outs[1] and len(outs[0]) == 1
    data = next((tmp_path / "pdf0").rglob("*.pdf")).read_bytes()
    assert b"/CreationDate" not in data and b"/ModDate" not in data


# Where the package may read the clock, and why that never reaches the output.
CLOCK_ALLOWED = {
    ("clock.py", "today"): "the one clock: SOURCE_DATE_EPOCH when set",
    ("cache.py", "__init__"): "cache bookkeeping: files changed within seconds of a build are re-read",
    ("records.py", "read_all"): "the same: the time a file was cached",
    ("devserver.py", "*"): "the development server's debouncing, heartbeats and log lines",
}
CLOCK_CALLS = {"today", "now", "utcnow", "time", "time_ns", "localtime", "gmtime", "ctime", "getmtime",
               "fromtimestamp"}


def clock_reads(source: str) -> list[tuple[str | None, int, str]]:
    """(enclosing function, line, call) of every call that reads the clock (``clock.today()`` aside)."""
    found = []

    def visit(node, function):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            function = node.name
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in CLOCK_CALLS:
            base = ast.unparse(node.func.value)
            if base != "clock" and (node.func.attr not in ("time", "today", "now") or
                                    re.search(r"(^time|date|datetime|dt)$", base)):
                found.append((function, node.lineno, ast.unparse(node)))
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(ast.parse(source), None)
    return found


def test_no_date_or_time_from_the_clock_outside_the_allowed_places():
    """Nothing published may depend on when it was built: dates come from content, else from clock.today()."""
    found = [f"{path.name}:{line} in {function}: {call}"
             for path in sorted((ROOT / "site_builder").glob("*.py"))
             for function, line, call in clock_reads(path.read_text(encoding="utf-8"))
             if (path.name, function) not in CLOCK_ALLOWED and (path.name, "*") not in CLOCK_ALLOWED]
    assert found == []
    assert clock_reads("import datetime as dt\ndef f():\n    return dt.date.today()\n") == [("f", 3, "dt.date.today()")]


def test_source_date_epoch_sets_today(monkeypatch):
    from site_builder import clock

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert str(clock.today()) == "2023-11-14"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "not a number")
    import datetime as dt
    assert clock.today() == dt.date.today()


# =====================================================================================================
# 9. In a browser: search results (search.js puts index text into the page) run nothing
# =====================================================================================================

@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_search_results_of_hostile_content_run_nothing(tmp_path, capsys, page, language):
    from support import require
    from support.http import serve_directory

    changes = {path: change(mini(path)) for path, change in HOSTILE_YAML.items()}
    changes[STORY] = HOSTILE_FRONT + HOSTILE_BODY + "\nalert onerror onclick javascript script\n"
    if language == "en":
        changes[SITE] = changes[SITE].replace("base_url:", "language: en\nbase_url:")
    site = make_site(tmp_path, changes)
    out = tmp_path / "out"
    assert run(capsys, "build", site, "-o", out)[0] == 0
    require((out / "search-index/meta.json").is_file(), "the build wrote no search index")
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    with serve_directory(out) as base:
        for query in ["alert", "script", "onerror", "javascript"]:
            page.goto(f"{base}/search/?q={query}")
            page.wait_for_function("""() => { const r = document.querySelector('#search-results');
                return !r.hidden && r.getAttribute('aria-busy') === 'false'; }""")
            assert page.locator(".search-result").count() > 0, query
            page.wait_for_timeout(300)
            injected = page.evaluate("""() => Array.from(document.querySelectorAll('#search-form *, #search-results *')).filter(e =>
                ['SCRIPT', 'IMG', 'SVG', 'IFRAME', 'OBJECT', 'STYLE'].includes(e.tagName.toUpperCase()) ||
                Array.from(e.attributes).some(a => a.name.startsWith('on'))).map(e => e.outerHTML)""")
            assert injected == [], query
            text = page.locator("#search-results").inner_text()
            assert "alert" in text  # the content is there, as text
    labels = page.locator("#search-filters option").evaluate_all("els => els.map(e => e.textContent.trim())")
    assert any("img src=x onerror=alert(9)" in label for label in labels), labels  # a sector's name, as text
    assert dialogs == []


def test_security_doc_names_only_tests_that_exist():
    """docs/security.md says which tests hold each guarantee: every one it names must exist."""
    doc = (ROOT / "docs/security.md").read_text(encoding="utf-8")
    current, named = None, []
    for token in re.findall(r"tests/test_\w+\.py|test_\w+\.py|::test_\w+", doc):
        if token.startswith("::"):
            named.append((current, token[2:]))
        else:
            current = ROOT / "tests" / token.split("/")[-1]
    assert len(named) > 40
    missing = [(f.name, name) for f, name in named if f is None or f"def {name}(" not in f.read_text(encoding="utf-8")]
    assert missing == []


def test_hostile_story_does_not_widen_the_page_on_a_phone(hostile, page):
    """Long unbreakable content (a code line, long URLs) scrolls in its box; the page stays phone-wide."""
    from support.http import serve_directory

    page.set_viewport_size({"width": 360, "height": 640})
    with serve_directory(hostile) as base:
        for path in ["/stories/first/", "/posts/tax-window/", "/members/wang-fang/"]:
            page.goto(base + path)
            assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
