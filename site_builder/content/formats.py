"""The schema of every content file kind (see docs/content-format.md)."""

from __future__ import annotations

from .schema import Bool, Ctx, Date, Dict, Enum, Field, Id, Int, List, Month, MonthDay, Num, OneOrList, Rec, Record, Str
from .editing import EDITING
from .paper import KINDS, check_font_family, check_font_file, check_paper
from .values import MAX_EMAIL_LENGTH, MAX_PHONE_DIGITS, MAX_URL_LENGTH, MIN_PHONE_DIGITS, check_email, check_phone, check_url

# Limits that the printed boards are designed for (docs/content-format.md).
MAX_PLEDGE = 40
MAX_NAME = 20
MAX_STANDARD_ITEMS = 12
MAX_MEMBERS_PER_POST = 12
MAX_POSTS_PER_MEMBER = 3  # one person serving at several posts (a section chief at two windows)

DIMENSION_NAMES = {"politics": "政治思想", "performance": "工作业绩", "service": "优质服务", "exemplary": "示范作用"}
SOURCE_NAMES = {"self": "党员自评", "public": "群众测评", "organisation": "组织考评"}
DIMENSIONS = tuple(DIMENSION_NAMES)
SOURCES = tuple(SOURCE_NAMES)
ROLES = {"demonstrator": "示范员", "server": "服务员", "guide": "引导员", "advocate": "宣传员"}
GRADES = {"excellent": "优秀", "good": "良好", "pass": "合格", "fail": "不合格"}
RESULTS = {"met": "达标", "not_met": "未达标"}
POST_KINDS = {"post": "星级党员示范岗", "window": "党员示范窗口"}
STORY_KINDS = {"story": "先进事迹", "experience": "典型经验"}





def check_base_url(text: str) -> str | None:
    problem = check_url(text)
    if problem:
        return problem
    if not text.endswith("/"):
        return f"base_url 必须以 `/` 结尾：写成 \"{text}/\"。"
    if "?" in text or "#" in text:
        return "base_url 不能带 `?` 或 `#`。"
    return None


URL = Str(max_len=2000, check=check_url,  # check_url refuses more than 300 characters, saying why (the QR code)
          label=f"网址：`https://` 或 `http://` 开头，最多 {MAX_URL_LENGTH} 个字符")
EMAIL = Str(max_len=MAX_EMAIL_LENGTH, check=check_email, label=f"电子邮箱，最多 {MAX_EMAIL_LENGTH} 个字符")
PHONE = Str(max_len=40, check=check_phone,
            label=f"电话号码：数字（{MIN_PHONE_DIGITS}–{MAX_PHONE_DIGITS} 位）、开头的 `+`、空格、连字符和括号，最多 40 个字符；"
                  "纯数字的号码加引号，如 `\"12345\"`")


def _weights(names: dict[str, str], what: str) -> Record:
    def check(rec: Rec, ctx: Ctx) -> None:
        """权重合计为 1"""
        total = sum(rec[n] for n in names)
        if abs(total - 1) > 1e-6:
            ctx.error(rec.line, rec.col, f"{what}的权重合计应为 1，现在是 {round(total, 6)}：请调整。")
    return Record({n: Field(Num(0, 1), required=True, doc=f"{label}的权重") for n, label in names.items()}, check=check)


# Printed boards (content/paper.py, docs/printing.md): the paper of each kind can be set in site.yaml `print:`.
PRINT_KINDS = tuple(KINDS)
PAPER = ("纸张：`A2`–`A6`、`B4`、`B5`，可加 `portrait`（纵向）或 `landscape`（横向）；或宽和高，如 `210mm 297mm`"
         "（各 50–1200 毫米）")





def _evaluation_check(rec: Rec, ctx: Ctx) -> None:
    """revoke.below 不高于 pass_mark"""
    if rec["revoke"]["below"] > rec["pass_mark"]:
        ctx.error(*rec.pos["revoke"], "摘牌分数线 revoke.below 不能高于合格分数线 pass_mark。")


SITE = Record({
    "title": Field(Str(max_len=80), required=True, doc="站点名称"),
    "base_url": Field(Str(max_len=200, check=check_base_url, label="网址：`https://` 开头，以 `/` 结尾，最多 200 个字符"),
                      required=True, doc="正式发布地址（二维码和订阅都用它）"),
    "language": Field(Enum({"zh-CN": "简体中文", "en": "English"}), default="zh-CN", doc="界面语言"),
    "organisation": Field(Record({
        "name": Field(Str(max_len=80), required=True, doc="主办单位名称（页脚、公示榜）"),
        "address": Field(Str(max_len=120), doc="地址"),
        "phone": Field(PHONE, doc="办公室电话（公开）"),
        "email": Field(EMAIL, doc="电子邮箱"),
        "website": Field(URL, doc="网站"),
    }), required=True, doc="主办单位"),
    "districts": Field(Dict(Id(), Str(max_len=30), min_len=1), required=True, doc="区县编号: 名称"),
    "sectors": Field(Dict(Id(), Str(max_len=30), min_len=1), required=True, doc="行业编号: 名称"),
    "evaluation": Field(Record({
        "dimensions": Field(_weights(DIMENSION_NAMES, "考核维度"), required=True, doc="四个考核维度的权重"),
        "sources": Field(_weights(SOURCE_NAMES, "评价来源"), required=True, doc="三个评价来源的权重"),
        "pass_mark": Field(Num(0, 100), required=True, doc="月度合格分数线"),
        "revoke": Field(Record({
            "below": Field(Num(0, 100), required=True, doc="月度总分低于此分数，当月摘牌"),
            "consecutive_failures": Field(Int(1, 24), required=True, doc="连续不合格达到此月数，摘牌"),
            "fail_at_zero_stars": Field(Bool(), default=True,
                                        doc="零星时（包括批复后还没得星时）某月不合格，当月就摘牌；false：保持零星"),
        }), required=True, doc="摘牌规则（不合格时减一星，以下情况摘牌）"),
        "missing_month": Field(Enum({"hold": "星级不变", "fail": "按不合格处理"}), default="hold",
                               doc="某月没有考评记录时"),
        "approval_month_cutoff": Field(Int(1, 31), doc="批复日不晚于当月此日的岗位，批复当月就要考评"),
        "first_batch_end": Field(Date(), required=True, doc="第一批教育活动结束日"),
        "year_end_review": Field(MonthDay(), default="12-31", doc="此后每年的复评日"),
    }, check=_evaluation_check), required=True, doc="考评规则"),
    "page_size": Field(Int(5, 200), default=30, doc="列表页（示范岗、先进事迹、光荣榜）每页条数"),
    "print": Field(Record({
        "sizes": Field(Record({kind: Field(Str(max_len=40, check=check_paper, label=PAPER), doc=f"{KINDS[kind].label}的纸张")
                               for kind in PRINT_KINDS}),
                       doc="各类牌卡的纸张"),
        "font": Field(Str(max_len=80, check=check_font_family, label="字体名称：文字、数字、空格、点和连字符，最多 80 个字符"),
                      doc="中文字体名称"),
        "font_file": Field(Str(max_len=200, check=check_font_file, label="文件路径，相对站点文件夹，最多 200 个字符"),
                           doc="嵌入 PDF 的字体文件"),
    }), doc="打印设置（可省）"),
    "editing": Field(EDITING, doc="网页编辑 /admin/ 保存到哪里（可省）"),
})

UNIT = Record({
    "name": Field(Str(max_len=60), required=True, doc="单位名称"),
    "branch": Field(Str(max_len=60), required=True, doc="党支部名称"),
    "district": Field(Id(), required=True, doc="区县编号"),
    "sector": Field(Id(), required=True, doc="行业编号"),
    "address": Field(Str(max_len=120), doc="地址"),
    "service_hall": Field(Bool(), default=False, doc="有对外服务大厅：其窗口岗位称“党员示范窗口”"),
    "website": Field(URL, doc="单位网站"),
})

# The feedback channels of a post (群众监督渠道), in the order pages and boards show them: any of them, at least one
# (a 12345 hotline seat or a bus line has a phone and no comment book; a window may have a book and a form).
FEEDBACK_CHANNELS = {
    "book": Field(Str(max_len=80), doc="意见簿所在位置"),
    "phone": Field(PHONE, doc="投诉电话"),
    "form": Field(URL, doc="网上意见表网址"),
    "email": Field(EMAIL, doc="投诉邮箱"),
}


def _one_channel(rec: Rec, ctx: Ctx) -> None:
    """至少写一项"""
    if not any(rec[k] for k in FEEDBACK_CHANNELS):
        ctx.error(rec.line, rec.col, "群众监督渠道一项也没有写：请至少写一项——" + "、".join(
            f"{k}（{f.doc}）" for k, f in FEEDBACK_CHANNELS.items()) + "。只有热线的岗位写 phone 即可。")


POST = Record({
    "name": Field(Str(max_len=60), required=True, doc="岗位名称"),
    "kind": Field(Enum(POST_KINDS), default="post", doc="岗位还是窗口"),
    "unit": Field(Id(), required=True, doc="所属单位编号"),
    "location": Field(Str(max_len=80), doc="岗位所在位置"),
    "description": Field(Str(max_len=400, multiline=True), doc="岗位职责简介"),
    "declared": Field(Date(), required=True, doc="申报日期"),
    "approval": Field(Record({
        "date": Field(Date(), required=True, doc="批复日期"),
        "number": Field(Str(max_len=40), required=True, doc="批复文号"),
    }), doc="市先教办的批复；没有批复的岗位不公开"),
    "feedback": Field(Record(FEEDBACK_CHANNELS, check=_one_channel), required=True,
                      doc="群众监督渠道：" + "、".join(f"{f.doc} {k}" for k, f in FEEDBACK_CHANNELS.items()) + "，至少写一项"),
    "revoked": Field(Record({
        "date": Field(Date(), required=True, doc="摘牌日期"),
        "reason": Field(Str(max_len=200), required=True, doc="摘牌理由"),
        "number": Field(Str(max_len=40), doc="摘牌文号"),
    }), doc="因考评以外的原因摘牌（市先教办决定）"),
})

MEMBER = Record({
    "name": Field(Str(max_len=MAX_NAME), required=True, doc="姓名"),
    "post": Field(OneOrList(Id(), max_len=MAX_POSTS_PER_MEMBER), required=True,
                  doc="所在示范岗编号（在几个岗位服务时写成列表）"),
    "position": Field(Str(max_len=40), required=True, doc="职务"),
    "order": Field(Int(0, 999), default=999, doc="在公示榜上的先后（小的在前）"),
    "consent": Field(Record({
        "public": Field(Bool(), required=True, doc="同意公开姓名、职务、承诺和标准"),
        "photo": Field(Bool(), required=True, doc="同意公开照片"),
        "date": Field(Date(), doc="签署同意书日期"),
    }), required=True, doc="本人同意公开的情况"),
    "photo": Field(Str(max_len=200), doc="照片路径，相对 content/（如 images/members/x.jpg）"),
    "pledge": Field(Str(max_len=MAX_PLEDGE), required=True, doc="一句岗位承诺"),
    "pledges": Field(Dict(Id(), Str(max_len=MAX_PLEDGE)), default=dict,
                     doc="在某个岗位另写的承诺：岗位编号: 承诺"),
    "roles": Field(List(Enum(ROLES), unique=True), default=list, doc="“四员”"),
    "standard": Field(Record({
        "items": Field(List(Str(max_len=100), min_len=1, max_len=MAX_STANDARD_ITEMS), required=True, doc="标准的各条"),
        "proposed": Field(Date(), required=True, doc="党员提标准日期"),
        "comment_from": Field(Date(), doc="群众议标准：开始征求意见的日期"),
        "comment_until": Field(Date(), doc="征求意见截止日期"),
        "set": Field(Date(), doc="组织定标准的日期"),
    }), required=True, doc="岗位先进性标准"),
    "records": Field(List(Record({
        "date": Field(Date(), required=True, doc="日期"),
        "text": Field(Str(max_len=300, multiline=True), required=True, doc="对照标准的情况"),
        "public": Field(Bool(), default=True, doc="在网站公开（false：只打印进档案）"),
    })), default=list, packed=True, doc="对标记录卡"),
    "assessments": Field(List(Record({
        "period": Field(Str(max_len=40), required=True, doc="评议期间，如 2025 年上半年"),
        "date": Field(Date(), required=True, doc="评议日期"),
        "self": Field(Enum(GRADES), required=True, doc="党员自评"),
        "public": Field(Enum(GRADES), required=True, doc="群众评议"),
        "organisation": Field(Enum(GRADES), required=True, doc="组织评议"),
        "result": Field(Enum(RESULTS), required=True, doc="评议结果"),
        "remarks": Field(Str(max_len=300, multiline=True), doc="备注（只打印，不公开）"),
    })), default=list, packed=True, doc="达标评议卡"),
    "honours": Field(List(Record({
        "date": Field(Date(), required=True, doc="日期"),
        "title": Field(Str(max_len=80), required=True, doc="表彰名称"),
    })), default=list, packed=True, doc="获得的表彰（光荣榜）"),
})

_SCORES = Record({d: Field(Int(0, 100), required=True, doc=name) for d, name in DIMENSION_NAMES.items()})

EVALUATION = Record({
    "month": Field(Month(), required=True, doc="考评月份"),
    "evaluated_on": Field(Date(), doc="考评日期"),
    "by": Field(Str(max_len=60), doc="考评组织者"),
    "posts": Field(Dict(Id(), Record({
        **{s: Field(_SCORES, required=True, doc=f"{name}的四项分数") for s, name in SOURCE_NAMES.items()},
        "note": Field(Str(max_len=200), doc="考评说明（显示在星级记录里）"),
    })), required=True, doc="各岗位分数：岗位编号: 三个来源的分数"),
})

STORY = Record({
    "title": Field(Str(max_len=80), required=True, doc="标题"),
    "date": Field(Date(), required=True, doc="日期"),
    "author": Field(Str(max_len=40), required=True, doc="作者"),
    "kind": Field(Enum(STORY_KINDS), default="story", doc="文章类别"),
    "posts": Field(List(Id(), unique=True), default=list, doc="文中写到的示范岗编号"),
    "members": Field(List(Id(), unique=True), default=list, doc="文中写到的党员编号（须本人同意公开）"),
    "tags": Field(List(Str(max_len=20), unique=True, max_len=10), default=list, doc="标签"),
    "cover": Field(Record({
        "file": Field(Str(max_len=200), required=True, doc="照片路径，相对 content/"),
        "alt": Field(Str(max_len=120), required=True, doc="照片的文字说明（读屏软件用）"),
        "caption": Field(Str(max_len=120), doc="图片说明"),
    }), doc="封面照片"),
    "summary": Field(Str(max_len=200), doc="列表页摘要（默认取正文开头）"),
})

# -- the competition 开展一项竞赛 (model/competition.py ranks; docs/content-format.md "岗位竞赛") ----------
# content/competitions/<id>.yaml defines one; content/indicators/<id>/<YYYY-MM>.yaml holds a month's entered values.
INDICATOR_SOURCES = {"entered": "每月录入", "total": "月度考评总分", "stars": "星级（考评后）",
                     "five_star_months": "竞赛期内满五星的月数"}
DERIVED_UNITS = {"total": "分", "stars": "星", "five_star_months": "个月"}  # units of the derived indicators
NORMALISE = {"none": "不换算（已是 0–100 的分值）", "min_max": "最小–最大换算", "per_member": "按在岗党员人均后最小–最大换算",
             "rank": "按名次换算"}
GROUP_BY = {"sector": "按行业分组", "district": "按区县分组", "all": "全市一组", "list": "按 groups 列出的单位分组"}
MAX_INDICATORS = 8
MAX_COMPETITION_MONTHS = 12
MAX_INDICATOR_VALUE = 1_000_000_000


def _months_apart(first: str, last: str) -> int:
    return (int(last[:4]) - int(first[:4])) * 12 + int(last[5:7]) - int(first[5:7])


def _competition_check(rec: Rec, ctx: Ctx) -> None:
    if rec["end"] < rec["start"]:
        ctx.error(*rec.pos["end"], f"结束月份 {rec['end']} 早于开始月份 {rec['start']}：请核对。")
    elif _months_apart(rec["start"], rec["end"]) >= MAX_COMPETITION_MONTHS:
        year, month = divmod(int(rec["start"][:4]) * 12 + int(rec["start"][5:7]) - 2 + MAX_COMPETITION_MONTHS, 12)
        ctx.error(*rec.pos["end"], f"一个竞赛最长 {MAX_COMPETITION_MONTHS} 个月：{rec['start']} 开始的竞赛最晚到 "
                                   f"{year:04d}-{month + 1:02d}。更长的请分成几个竞赛（如每年一个）。")
    if rec["group_by"] == "list" and not rec["groups"]:
        ctx.error(*rec.pos["group_by"], "group_by: list 需要在 groups 里列出各组：组编号: {name: 组名, units: [单位编号, ...]}。")
    elif rec["group_by"] != "list" and rec["groups"]:
        ctx.error(*rec.pos["groups"], f"只有 group_by: list 才写 groups（现在是 group_by: {rec['group_by']}）："
                                      "请删除 groups，或改为 group_by: list。")
    seen_units: dict[str, str] = {}
    for gid, group in (rec["groups"] or {}).items():
        for i, uid in enumerate(group["units"]):
            if uid in seen_units:
                ctx.error(*group.pos["units"], f"单位 `{uid}` 已在组 `{seen_units[uid]}` 里：一个单位只能在一个组。")
            seen_units.setdefault(uid, gid)
    seen: dict[str, int] = {}
    for item in rec["indicators"]:
        if item["id"] in seen:
            ctx.error(*item.pos["id"], f"指标编号 `{item['id']}` 重复（第一次在第 {seen[item['id']]} 行）。")
        seen.setdefault(item["id"], item.pos["id"][0] + ctx.line_offset)
        source = item["source"]
        if source == "entered" and not item["unit"]:
            ctx.error(item.line, item.col, f"每月录入的指标 `{item['id']}` 要写单位 unit（如 件、%、条）。")
        if source != "entered" and item["unit"] and item["unit"] != DERIVED_UNITS[source]:
            ctx.error(*item.pos["unit"], f"`{source}` 的单位固定为“{DERIVED_UNITS[source]}”：请删除 unit 或写成"
                                         f" \"{DERIVED_UNITS[source]}\"。")
        unit = item["unit"] or DERIVED_UNITS.get(source)
        if item["normalise"] == "none" and unit != "%" and source != "total":
            ctx.error(*item.pos["normalise"], f"normalise: none 只用于本身就是 0–100 的指标（单位为 % 的录入指标，"
                                              f"或 total），`{item['id']}` 的单位是“{unit}”：请改用 min_max、"
                                              "per_member 或 rank。")
        if item["decimals"] and source != "entered":
            ctx.error(*item.pos["decimals"], "decimals 只用于每月录入的指标（派生指标的写法是固定的）：请删除。")
    total = sum(item["weight"] for item in rec["indicators"])
    if abs(total - 1) > 1e-6:
        ctx.error(*rec.pos["indicators"], f"各指标的权重 weight 合计应为 1，现在是 {round(total, 6)}：请调整。")


INDICATOR = Record({
    "id": Field(Id(), required=True, doc="指标编号，录入文件里用它"),
    "name": Field(Str(max_len=20), required=True, doc="指标名称，如 办件量"),
    "source": Field(Enum(INDICATOR_SOURCES), default="entered"),
    "unit": Field(Str(max_len=8), doc="单位，如 件、%、条（派生指标可省）"),
    "better": Field(Enum({"higher": "越高越好", "lower": "越低越好"}), default="higher"),
    "weight": Field(Num(0, 1), required=True, doc="权重，各指标合计 1"),
    "normalise": Field(Enum(NORMALISE), default="min_max"),
    "decimals": Field(Int(0, 2), default=0, doc="录入值的小数位数"),
})

COMPETITION = Record({
    "name": Field(Str(max_len=60), required=True, doc="竞赛名称"),
    "description": Field(Str(max_len=400, multiline=True)),
    "start": Field(Month(), required=True, doc="开始月份"),
    "end": Field(Month(), required=True, doc="结束月份（最长 12 个月）"),
    "kinds": Field(List(Enum(POST_KINDS), min_len=1, unique=True), default=lambda: list(POST_KINDS),
                   doc="参赛岗位类别"),
    "group_by": Field(Enum(GROUP_BY), default="sector", doc="在哪些组里排名"),
    "groups": Field(Dict(Id(), Record({
        "name": Field(Str(max_len=30), required=True),
        "units": Field(List(Id(), min_len=1, unique=True), required=True),
    }), min_len=1), doc="group_by: list 时的各组"),
    "indicators": Field(List(INDICATOR, min_len=1, max_len=MAX_INDICATORS), required=True, doc="量化工作指标"),
    "rules": Field(Record({
        "min_months": Field(Int(1, MAX_COMPETITION_MONTHS), default=3),
        "missing": Field(Enum({"skip": "不计入（按参赛月数平均）", "zero": "当月按 0 分计"}), default="skip"),
        "leaders": Field(Int(1, 10), default=3, doc="每组前几名列为先进（学先进）"),
    }), default=lambda: {"min_months": 3, "missing": "skip", "leaders": 3}, doc="排名规则"),
    "awards": Field(Record({
        "month": Field(Str(max_len=20), default="月度流动红旗"),
        "quarter": Field(Str(max_len=20), default="季度先锋岗"),
        "period": Field(Str(max_len=20), default="年度岗位先进"),
    }), default=lambda: {"month": "月度流动红旗", "quarter": "季度先锋岗", "period": "年度岗位先进"},
        doc="奖项名称"),
}, check=_competition_check)

INDICATOR_VALUES = Record({
    "month": Field(Month(), required=True, doc="月份，与文件名相同"),
    "entered_on": Field(Date()),
    "by": Field(Str(max_len=60)),
    "posts": Field(Dict(Id(), Dict(Id(), Num(0, MAX_INDICATOR_VALUE), min_len=1)), required=True,
                   doc="岗位编号: {指标编号: 数值}"),
})
