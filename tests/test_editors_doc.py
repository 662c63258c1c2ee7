"""docs/editors.md quotes the tool's real messages: each usual mistake is made here and the message the
tool prints must appear in the document word for word (so the guide cannot drift from the tool)."""

import re

import pytest

from support.sites import ROOT, make_site, run

DOC = (ROOT / "docs" / "editors.md").read_text(encoding="utf-8")
SHOWN = "content/stories/2025-06-01-qiangxiu-yejian.md"  # the file name the guide uses

STORY = """\
---
title: 夜间抢修六小时，居民家里又来水了
date: 2025-06-01
author: 市委宣传部 张宣
kind: story
posts: [zilaishui-qiangxiu-post]
members: [pan-wenbin]
tags: [抢修, 为民服务]
cover:
  file: images/stories/qiangxiu-yejian.jpg
  alt: 抢修队员在路边检修水管（插画）
---

六月一日凌晨两点，东湖区一处供水管道爆裂。

## 两个小时到场，六个小时修好

![抢修现场](../images/stories/qiangxiu-yejian.jpg)

潘文斌所在的[自来水抢修岗](../posts/zilaishui-qiangxiu-post.yaml)接到电话后马上出发。
"""


def _replace(old, new):
    def change(text):
        assert old in text, old
        return text.replace(old, new, 1)
    return change


# (stage, mutation): one run per stage, each mutation in its own file
MISTAKES = {
    "colon": ("load", _replace("title: 夜间抢修六小时，居民家里又来水了", "title: 夜间抢修六小时: 居民家里又来水了")),
    "date": ("load", _replace("date: 2025-06-01", "date: 2025-6-1")),
    "alt": ("load", _replace("  alt: 抢修队员在路边检修水管（插画）\n", "")),
    "key": ("load", _replace("title:", "titel:")),
    "fence": ("load", _replace("---\n\n六月", "\n六月")),
    "lines": ("load", _replace("title: 夜间抢修六小时，居民家里又来水了", "title: |\n  夜间抢修六小时，\n  居民家里又来水了")),
    "long": ("load", _replace("title: 夜间抢修六小时，居民家里又来水了", "title: " + "夜间抢修六小时，居民家里又来水了" * 6)),
    "mobile": ("load", _replace("马上出发。", "马上出发。现场联系人潘师傅 13912345678。")),
    "id": ("load", _replace("马上出发。", "马上出发。报修人身份证号 11010519491231002X。")),
    "post": ("model", _replace("posts: [zilaishui-qiangxiu-post]", "posts: [zilaishui-qiangxiu]")),
    "consent": ("model", _replace("members: [pan-wenbin]", "members: [pan-wenbin, deng-xiaomei]")),
    "case": ("model", _replace("](../images/stories/qiangxiu-yejian.jpg)", "](../images/stories/Qiangxiu-Yejian.jpg)")),
    "heic": ("model", _replace("file: images/stories/qiangxiu-yejian.jpg", "file: images/stories/qiangxiu.heic")),
    "yml": ("model", _replace("zilaishui-qiangxiu-post.yaml)", "zilaishui-qiangxiu-post.yml)")),
    "unpublished": ("links", _replace("zilaishui-qiangxiu-post.yaml)", "donghu-shebao-yibao-post.yaml)")),
}


def messages(tmp_path, capsys, stage):
    changes = {f"content/stories/2025-06-01-qiangxiu-yejian-{name}.md": mutate(STORY)
               for name, (s, mutate) in MISTAKES.items() if s == stage}
    if stage == "load":
        changes["content/stories/夜间抢修.md"] = STORY
    if stage == "model":
        changes["content/images/stories/qiangxiu.heic"] = b"\0\0\0\x18ftypheic"
    site = make_site(tmp_path, changes, base=ROOT)
    code, out, err = run(capsys, "check", site)
    assert code == 1
    return [re.sub(r"qiangxiu-yejian-\w+\.md", "qiangxiu-yejian.md", line)
            for line in err.splitlines() if line.startswith("content/")]


def test_the_example_story_passes(tmp_path, capsys):
    site = make_site(tmp_path, {SHOWN: STORY}, base=ROOT)
    code, out, err = run(capsys, "check", site)
    assert code == 0, err
    assert STORY in DOC  # the guide shows this very file


@pytest.mark.parametrize("stage", ["load", "model", "links"])
def test_every_message_the_guide_quotes_is_real(tmp_path, capsys, stage):
    found = messages(tmp_path, capsys, stage)
    expected = sum(1 for s, _ in MISTAKES.values() if s == stage) + (1 if stage == "load" else 0)
    assert len(found) >= expected, found
    for line in found:
        assert line in DOC, f"docs/editors.md does not quote:\n{line}"
