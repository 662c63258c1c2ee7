"""Fixtures for the printed-board tests: the worst case the boards are designed for."""

from __future__ import annotations

from pathlib import Path

from site_builder.content import formats as specs

from .sites import make_site

LONG_POST = "东湖区人民政府政务服务中心不动产登记、税费缴纳、水电气网联合过户“一窗受理、集成服务”综合窗口第一党员示范岗位"[:60]
LONG_UNIT = "青川市东湖区人民政府政务服务管理办公室（青川市东湖区大数据发展管理局、东湖区公共资源交易中心）"[:60]
PLEDGE = "群众的事再小也是大事，今日事今日毕，一次告知到位，让群众少跑腿、多办事、办好事，满意而归！"[:specs.MAX_PLEDGE]
POSITION = "不动产登记、税费缴纳、水电气网联合过户综合受理窗口首席受理员兼业务骨干带头人"[:40]
NAMES = ["欧阳娜娜·阿依古丽·买买提", "司马相如", "诸葛孔明明", "王", "长孙无忌无忌无忌无忌", "上官婉儿",
         "尉迟恭", "端木赐", "公孙策", "慕容复", "令狐冲", "东方明珠"]
BOOK = ("东湖区人民政府政务服务中心一楼大厅东侧综合服务台左侧、二楼不动产登记综合窗口区域入口处"
        "和三楼税费缴纳等候区休息座椅旁各放置一本（意见簿）")[:80]
ITEM = ("当日受理的申请当日录入系统，不积压、不推诿、不拖延；对材料不全的一次性告知所需全部材料，"
        "并提供样表和填写指导，确保群众不跑第二趟，全年群众满意率保持在百分之九十九以上，投诉为零。")[:100]


def member_yaml(i: int, post: str = "tax-window", photo: bool = True) -> str:
    name = (NAMES[i % len(NAMES)] + "某某某某某某某某某某某某某某某某某某某")[:specs.MAX_NAME] if i == 0 else NAMES[i % len(NAMES)]
    items = "\n".join(f"    - {ITEM[:99]}{n}" for n in range(specs.MAX_STANDARD_ITEMS))
    return f"""name: {name}
post: {post}
position: {POSITION}
order: {i}
consent: {{public: true, photo: {'true' if photo else 'false'}}}
{'photo: images/wang.png' if photo else ''}
pledge: {PLEDGE}
roles: [demonstrator, server, guide, advocate]
standard:
  items:
{items}
  proposed: 2025-01-05
  comment_from: 2025-01-08
  comment_until: 2025-01-12
  set: 2025-01-15
records:
  - date: 2025-02-28
    text: 二月办件 200 件，无差错。
  - date: 2025-03-31
    text: 内部记录，不公开。
    public: false
"""


def worst_case_site(tmp_path: Path) -> Path:
    """The mini site with its window at every limit: a 60-character name and unit, 12 members with
    the longest names, positions and pledges, all four roles, 12 standard items of 100 characters."""
    post = (Path(__file__).resolve().parents[1] / "sites/mini/content/posts/tax-window.yaml").read_text(encoding="utf-8")
    post = post.replace("name: 办税服务窗口", f"name: {LONG_POST}").replace("book: 大厅入口左侧", f"book: {BOOK}").replace(
        "number: 测先教办〔2025〕1号", "number: 测先教办〔2025〕第1234567号（第一批星级党员示范岗批复）")
    unit = (Path(__file__).resolve().parents[1] / "sites/mini/content/units/tax.yaml").read_text(encoding="utf-8")
    unit = unit.replace("name: 测试市税务局", f"name: {LONG_UNIT}")
    changes: dict[str, str | None] = {"content/posts/tax-window.yaml": post, "content/units/tax.yaml": unit,
                                      "content/members/li-ming.yaml": None}
    for i in range(specs.MAX_MEMBERS_PER_POST):  # wang-fang is named by the mini site's story: keep the id
        changes["content/members/" + ("wang-fang" if i == 0 else f"m{i:02d}") + ".yaml"] = member_yaml(i, photo=i % 3 != 2)
    return make_site(tmp_path, changes)
