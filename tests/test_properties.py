"""Property-based tests (hypothesis): arbitrary text fed to the front-matter splitter, the YAML loader
with the schema conversion of every file kind, and the Markdown renderer as the engine calls it (with
its link and image rewriter) gives either a clean content error at a real position or sanitised
output, never an uncaught exception (issue #8, docs/security.md).

Markdown alone is covered by tests/test_markup.py; here it runs inside a story of the mini site.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from site_builder.content import load as load_mod, formats as specs
from site_builder.incremental import records
from site_builder.model import build as model_mod
from site_builder.errors import Problems
from site_builder.content.front_matter import split
from site_builder.model.markdown import MarkupError, render_markdown
from site_builder.content.schema import INVALID, Ctx
from site_builder.content.strict_yaml import YamlError, decode, load
from support.sites import MINI
from test_hostile import audit

SETTINGS = settings(max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
CHINESE = re.compile("[\u4e00-\u9fff]")

# -- the front-matter splitter --------------------------------------------------------------------------

FRONT_TOKENS = [
    "---", "---", "--- ", "----", "- --", "\n", "\n", "\n\n", "\r\n", "\r", "\ufeff", " ", "  ", "\t",
    "title: 标题", "date: 2025-03-01", "author: 宣传部", "tags: [a, b]", "summary: 摘要", "cover:", "  file: x.jpg",
    "posts:", "  - tax-window", "# 注释", "正文", "Note: x", "...", ":", "-", "key", "标题: x", "'q'", '"q"',
    "]", "}", "?", "## 小标题", "> 引用", "{{ 7*7 }}",
]
front_texts = st.one_of(st.text(max_size=400), st.lists(st.sampled_from(FRONT_TOKENS), max_size=40).map("".join))
FENCE = re.compile(r"^---[ \t]*$")


@SETTINGS
@given(front_texts)
def test_split_gives_the_parts_or_a_positioned_error(text):
    unmarked = text[1:] if text.startswith("\ufeff") else text
    lines = unmarked.split("\n")
    try:
        front, body, body_line = split(text)
    except YamlError as exc:
        assert 1 <= exc.line <= len(lines) and exc.col == 1
        assert CHINESE.search(exc.message)
        return
    assert FENCE.match(lines[0].rstrip("\r")) and FENCE.match(lines[body_line - 2].rstrip("\r"))
    assert front == "\n".join(lines[1:body_line - 2]) and body == "\n".join(lines[body_line - 1:])


# -- the YAML loader and the schema -----------------------------------------------------------------------

YAML_TOKENS = [
    "a", "name", "post", "posts", "month", "date", "title", "self", "politics", "tax-window", ":", ": ", " ",
    "  ", "    ", "\n", "\n", "- ", "[", "]", "{", "}", ", ", "'", '"', "#", "&a ", "*a", "!!python/object:os.system ",
    "!!binary ", "!x ", "<<: ", "|", ">", "? ", "---", "...", "\t", "2024-02-30", "2025-03-01", "2025-01", "0755",
    "95", "100", "101", "-1", "0.25", "no", "yes", "on", "~", "null", "12:30", "1e3", "0x1F", "中文", "李明", "\\",
    "%", "@", "`", "\x00", "\x07", "\u202e", "\u200b", "\ufeff", "\x85", "\u2028", "\r\n", "[" * 60, "{a: " * 30,
    "https://example.org/", "javascript:alert(1)", "0571-86001111",
]
yaml_texts = st.one_of(st.text(max_size=300), st.lists(st.sampled_from(YAML_TOKENS), max_size=60).map("".join))
SCHEMAS = {"site": specs.SITE, "units": specs.UNIT, "posts": specs.POST, "members": specs.MEMBER,
           "evaluations": specs.EVALUATION, "stories": specs.STORY}


def positioned(problems, path: str, lines: int) -> None:
    for p in problems:
        assert p.path == path and 0 <= p.line <= lines + 1 and p.col >= 0
        assert CHINESE.search(p.message), p


@SETTINGS
@given(yaml_texts)
def test_yaml_and_every_schema_give_a_record_or_positioned_problems(text):
    lines = len(re.split(r"\r\n|\r|\n", text))
    try:
        node = load(text)
    except YamlError as exc:
        assert 0 <= exc.line <= lines + 1 and exc.col >= 0 and CHINESE.search(exc.message)
        return
    if node is None:
        return
    for kind, schema in SCHEMAS.items():
        problems = Problems()
        rec = schema.convert(node, Ctx(f"content/{kind}/x.yaml", problems))
        assert (rec is INVALID) == bool(problems)
        positioned(problems.items, f"content/{kind}/x.yaml", lines)


@SETTINGS
@given(st.one_of(st.binary(max_size=300), yaml_texts.map(lambda t: t.encode("utf-8", "surrogatepass"))),
       st.sampled_from(["site", *load_mod.FOLDERS, "stories"]))
def test_a_content_file_of_any_bytes_loads_or_says_why(data, kind):
    """The whole per-file path: decoding, the privacy scan, front matter, the evaluation fast path,
    YAML and the schema."""
    shown = f"content/{kind}/x.{'md' if kind == 'stories' else 'yaml'}"
    job = load_mod.Job(kind, "x", Path(shown), shown, 1_000_000)
    parsed = load_mod.parse_file(job, data)
    if parsed.value is None:
        assert parsed.problems
    try:
        lines = len(re.split(r"\r\n|\r|\n", decode(data)))
    except YamlError:
        lines = len(re.split(rb"\r\n|\r|\n", data))
    positioned(parsed.problems, shown, lines)


# -- Markdown as a story of the site renders it -------------------------------------------------------------

MD_TOKENS = [
    "a", "中文", " ", "\n", "\n\n", "*", "**", "_", "`", "```\n", "#", "## ", "> ", "- ", "1. ", "    ", "|", "---",
    "[", "]", "(", ")", "](", "![", "<", ">", "/", "\\", "&", ";", "\"", "'", "=", "{:", "{{", "}}", "{%", "%}",
    "<a href=", "<img src=", "onerror=", "<script>", "</script>", "<svg>", "<style>", "<iframe>", "<!--", "-->",
    "javascript:", "JaVaScRiPt:", "data:", "&#106;", "&#x09;", "java\tscript:", "\u200b", "alert(1)",
    "../posts/tax-window.yaml", "../posts/nope.yaml", "../images/wang.png", "../images/missing.jpg", "../../etc/x",
    "first.md", "/honours/", "#top", "https://example.org/", "mailto:a@example.org", "tel:057186001111", "%2e%2e/",
    "C:\\x", "../", "..", "x.md#a",
]
md_texts = st.one_of(st.text(max_size=400), st.lists(st.sampled_from(MD_TOKENS), max_size=80).map("".join))
SAFE_TARGET = re.compile(r"^(?:https?://|mailto:|tel:|/|#)")


def _link_targets(html: str) -> list[str]:
    """The href and src values of the tags in ``html`` (not text that looks like one: a story may say href="")."""
    class Links(HTMLParser):
        def __init__(self):
            super().__init__()
            self.found: list[str] = []

        def handle_starttag(self, tag, attrs):
            self.found += [value or "" for name, value in attrs if name in ("href", "src")]
        handle_startendtag = handle_starttag

    parser = Links()
    parser.feed(html)
    parser.close()
    return parser.found


@pytest.fixture(scope="module")
def builder():
    problems = Problems()
    raw = records.load(MINI, problems)
    assert not problems
    b = model_mod.Builder(raw, problems)
    b.external, b.internal = [], []
    return b, b.settings()


@SETTINGS
@given(body=md_texts)
def test_story_markdown_renders_sanitised_or_reports_at_a_line(builder, body):
    """The story file is loaded as the build loads it, then rendered with the engine's link rewriter."""
    b, settings_ = builder
    shown = "content/stories/first.md"
    text = "---\ntitle: 标题\ndate: 2025-03-01\nauthor: 宣传部\n---\n" + body
    lines = len(re.split(r"\r\n|\r|\n", text))
    parsed = load_mod.parse_file(load_mod.Job("stories", "first", Path(shown), shown, 500_000),
                                 text.encode("utf-8", "surrogatepass"))
    positioned(parsed.problems, shown, lines)
    if parsed.value is None:
        return
    story = parsed.value
    b.problems.items.clear()
    try:
        html = render_markdown(story.body, url_filter=b.link_rewriter(story, settings_))
    except MarkupError as exc:
        assert exc.line is None or 1 <= exc.line <= story.body.count("\n") + 1
        assert CHINESE.search(exc.message)
        return
    assert audit(html, "story") == []
    for target in _link_targets(html):
        assert SAFE_TARGET.match(target), target
    positioned(b.problems.items, shown, lines)
