"""The blanks ``site-builder new`` leaves for the editor, and how loading finds them: one list for both.

Every blank is written as :data:`MARK` followed by what belongs there (``【待填写】一句话摘要``). ``new``
writes them from :data:`BLANKS`: the body of a story made without ``--text``, the scores line of a
month's evaluation, and the value of every optional key it shows as a commented example (so that
uncommenting a line without filling it in is caught too). Loading a file (:func:`load.parse_file`, so
``check``, ``build`` and ``serve`` alike) reports each blank it finds at its file, line and column,
saying what to write there; a blank whose words were changed but whose mark was left is reported
too. Full-line YAML comments are not looked into: that is where ``new`` keeps its hints.

A reported blank is the one problem of its line: the schema's complaint about the same value (``【待
填写】批复日期`` is not a date) would only repeat it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import Problem

MARK = "【待填写】"


@dataclass(frozen=True)
class Blank:
    label: str  # what belongs there, after the mark
    message: str  # what check says: what to write there

    @property
    def text(self) -> str:
        return MARK + self.label


BLANKS: dict[str, Blank] = {
    # a story (content/stories/*.md)
    "body": Blank("请在这里写正文。可以用 ## 小标题、- 列表、**加粗**。",
                  "文章正文还没有写：请把这一行换成正文（可以用 ## 小标题、- 列表、**加粗**；插入照片的写法见文件开头的注释）。"),
    "story_posts": Blank("示范岗编号", "文中写到的示范岗还没有写：请写它们的编号（content/posts/ 里的文件名，不带 .yaml），"
                                       "如 [zrzy-budongchan-window]；没有就删掉这一行。"),
    "story_members": Blank("党员编号", "文中写到的党员还没有写：请写他们的编号（content/members/ 里的文件名，不带 .yaml；"
                                       "只能写本人同意公开的党员）；没有就删掉这一行。"),
    "tags": Blank("标签", "标签还没有写：请写这篇文章的标签，如 [窗口服务, 一次办好]（最多 10 个，每个 20 字以内）；不要标签就删掉这一行。"),
    "cover_file": Blank("封面照片路径", "封面照片还没有写：先把照片上传到 content/images/stories/，再写它的路径，"
                                    "如 images/stories/qiangxiu.jpg；不要封面就删掉 cover 这几行。"),
    "cover_alt": Blank("照片内容的文字说明", "封面照片的说明还没有写：请用一句话写照片里是什么（读屏软件会读给看不见图片的读者听），"
                                             "120 字以内。"),
    "summary": Blank("一句话摘要", "摘要还没有写：请用一句话概括文章（列表页显示，200 字以内）；不写就删掉这一行，默认取正文开头。"),
    # a unit (content/units/*.yaml)
    "address": Blank("单位地址", "单位地址还没有写：请写群众能找到的地址，如“东湖区人民路 18 号”；不写就删掉这一行。"),
    "website": Blank("单位网站", "单位网站还没有写：请写完整的网址，如 https://www.example.cn/；没有就删掉这一行。"),
    # a post (content/posts/*.yaml)
    "location": Blank("岗位所在位置", "岗位所在位置还没有写：请写群众能找到的地方，如“市民中心二楼 12 号窗口”；不写就删掉这一行。"),
    "description": Blank("岗位职责简介", "岗位职责简介还没有写：请用一两句话写这个岗位做什么（400 字以内）；不写就删掉这一行。"),
    "approval_date": Blank("批复日期", "批复日期还没有填：请照批复文件写，如 2025-03-06；还没有批复就删掉 approval 这几行"
                                       "（没有批复的岗位不会出现在网站上）。"),
    "approval_number": Blank("批复文号", "批复文号还没有填：请照批复文件写，如 青先教办〔2025〕7号；还没有批复就删掉 approval 这几行"
                                         "（没有批复的岗位不会出现在网站上）。"),
    "book": Blank("意见簿所在位置", "意见簿的位置还没有写：请写群众能找到它的地方，如“大厅入口左侧服务台”；没有意见簿就删掉这一行。"),
    "phone": Blank("投诉电话", "投诉电话还没有写：请写公开的投诉电话，如 0571-86001234（热线写 \"12345\"，加引号）；没有就删掉这一行。"),
    "form": Blank("网上意见表网址", "网上意见表的网址还没有写：请写完整的网址，如 https://www.example.cn/yijian；没有就删掉这一行。"),
    "email": Blank("投诉邮箱", "投诉邮箱还没有写：请写完整的邮箱地址，如 tousu@example.cn；没有就删掉这一行。"),
    # a member (content/members/*.yaml)
    "consent_date": Blank("签署同意书日期", "签署同意书的日期还没有填：请写如 2025-02-20；还没有签就删掉这一行。"),
    "photo": Blank("照片路径", "照片还没有写：先把照片上传到 content/images/members/，再写它的路径，如 images/members/zhang-san.jpg"
                               "（本人同意公开照片时才会显示）；没有照片就删掉这一行。"),
    "comment_from": Blank("开始征求意见的日期", "群众议标准的开始日期还没有填：请写开始公开征求意见的日期，如 2025-02-25；"
                                                "还没有开始就删掉这一行。"),
    "comment_until": Blank("征求意见截止日期", "征求意见的截止日期还没有填：请写如 2025-03-10；不定截止日期就删掉这一行。"),
    "set": Blank("组织定标准的日期", "组织定标准的日期还没有填：请写如 2025-03-15；还没有定标准就删掉这一行。"),
    # a month's evaluation (content/evaluations/*.yaml)
    "scores": Blank("分数填好后，把这一行改成 posts:",
                    "这个月的分数还没有填：请去掉下面各岗位行开头的 `# `，填上 0–100 的分数，再把这一行改成 `posts:`"
                    "（删掉 {} 和这条注释）；也可以用 site-builder import evaluations 考评表.xlsx 从考评表导入。"),
    "by": Blank("考评组织者", "考评组织者还没有写：请写如“市先教办督导组”；不写就删掉这一行。"),
    "note": Blank("考评说明", "考评说明还没有写：请写这个岗位本月考评的说明（200 字以内）；不写就删掉这一行。"),
}

LEFT_MARK = (f"这里还留着“{MARK}”标记（site-builder new 留下的待填写处）：填好这一项后请删掉这个标记；"
             "不需要这一项就删掉这一行。")

_COMMENT = re.compile(r"^[ \t]*#")
# the longest first: a label that begins another one's must not take its place
_BY_TEXT = sorted((b.text for b in BLANKS.values()), key=len, reverse=True)
_MESSAGES = {b.text: b.message for b in BLANKS.values()}
assert len(_MESSAGES) == len(BLANKS), "two blanks with the same words: check could not tell them apart"


def find(text: str, path: str, yaml_lines: int | None = None) -> list[Problem]:
    """Every blank in ``text`` (1-based line and column). Lines up to ``yaml_lines`` (all when None)
    are YAML, whose full-line comments are skipped; the others (a story's body) are read whole."""
    if MARK not in text:
        return []
    found = []
    for number, line in enumerate(text.split("\n"), 1):
        if MARK not in line or ((yaml_lines is None or number <= yaml_lines) and _COMMENT.match(line)):
            continue
        at = line.find(MARK)
        while at >= 0:
            known = next((t for t in _BY_TEXT if line.startswith(t, at)), None)
            found.append(Problem(path, number, at + 1, _MESSAGES[known] if known else LEFT_MARK))
            at = line.find(MARK, at + len(MARK))
    return found


def supersede(problems: list[Problem], blanks: list[Problem]) -> list[Problem]:
    """``problems`` of the file without those on a line that holds a blank, then the blanks."""
    lines = {(b.path, b.line) for b in blanks}
    return [p for p in problems if (p.path, p.line) not in lines] + blanks
