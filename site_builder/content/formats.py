"""The schema of every content file kind (see docs/content-format.md)."""

from __future__ import annotations

from .schema import Bool, Ctx, Date, Dict, Enum, Field, Id, Int, List, Month, MonthDay, Num, OneOrList, Rec, Record, Str
from .editing import EDITING
from .paper import KINDS, check_font_family, check_font_file, check_paper
from .values import check_email, check_phone, check_url

# Limits that the printed boards are designed for (docs/content-format.md).
MAX_PLEDGE = 40
MAX_NAME = 20
MAX_STANDARD_ITEMS = 12
MAX_MEMBERS_PER_POST = 12
MAX_POSTS_PER_MEMBER = 3  # one person serving at several posts (a section chief at two windows)

DIMENSIONS = ("politics", "performance", "service", "exemplary")
SOURCES = ("self", "public", "organisation")
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


URL = Str(max_len=2000, check=check_url)  # check_url refuses more than 300 characters, saying why (the QR code)
EMAIL = Str(max_len=254, check=check_email)
PHONE = Str(max_len=40, check=check_phone)


def _weights(names: tuple[str, ...], what: str) -> Record:
    def check(rec: Rec, ctx: Ctx) -> None:
        total = sum(rec[n] for n in names)
        if abs(total - 1) > 1e-6:
            ctx.error(rec.line, rec.col, f"{what}的权重合计应为 1，现在是 {round(total, 6)}：请调整。")
    return Record({n: Field(Num(0, 1), required=True) for n in names}, check=check)


# Printed boards (content/paper.py, docs/printing.md): the paper of each kind can be set in site.yaml `print:`.
PRINT_KINDS = tuple(KINDS)





def _evaluation_check(rec: Rec, ctx: Ctx) -> None:
    if rec["revoke"]["below"] > rec["pass_mark"]:
        ctx.error(*rec.pos["revoke"], "摘牌分数线 revoke.below 不能高于合格分数线 pass_mark。")


SITE = Record({
    "title": Field(Str(max_len=80), required=True, doc="站点名称"),
    "base_url": Field(Str(max_len=200, check=check_base_url), required=True, doc="正式发布地址"),
    "language": Field(Enum({"zh-CN": "简体中文", "en": "English"}), default="zh-CN"),
    "organisation": Field(Record({
        "name": Field(Str(max_len=80), required=True),
        "address": Field(Str(max_len=120)),
        "phone": Field(PHONE),
        "email": Field(EMAIL),
        "website": Field(URL),
    }), required=True, doc="主办单位"),
    "districts": Field(Dict(Id(), Str(max_len=30), min_len=1), required=True, doc="区县编号: 名称"),
    "sectors": Field(Dict(Id(), Str(max_len=30), min_len=1), required=True, doc="行业编号: 名称"),
    "evaluation": Field(Record({
        "dimensions": Field(_weights(DIMENSIONS, "考核维度"), required=True),
        "sources": Field(_weights(SOURCES, "评价来源"), required=True),
        "pass_mark": Field(Num(0, 100), required=True, doc="月度合格分数线"),
        "revoke": Field(Record({
            "below": Field(Num(0, 100), required=True),
            "consecutive_failures": Field(Int(1, 24), required=True),
            "fail_at_zero_stars": Field(Bool(), default=True),
        }), required=True, doc="摘牌规则"),
        "missing_month": Field(Enum({"hold": "星级不变", "fail": "按不合格处理"}), default="hold"),
        "approval_month_cutoff": Field(Int(1, 31), doc="批复日不晚于当月此日的岗位，批复当月就要考评"),
        "first_batch_end": Field(Date(), required=True, doc="第一批教育活动结束日"),
        "year_end_review": Field(MonthDay(), default="12-31"),
    }, check=_evaluation_check), required=True, doc="考评规则"),
    "page_size": Field(Int(5, 200), default=30),
    "print": Field(Record({
        "sizes": Field(Record({kind: Field(Str(max_len=40, check=check_paper)) for kind in PRINT_KINDS}),
                       doc="各类牌卡的纸张"),
        "font": Field(Str(max_len=80, check=check_font_family), doc="中文字体名称"),
        "font_file": Field(Str(max_len=200, check=check_font_file), doc="字体文件（相对站点文件夹）"),
    }), doc="打印设置（可省）"),
    "editing": Field(EDITING, doc="网页编辑 /admin/ 保存到哪里（可省）"),
})

UNIT = Record({
    "name": Field(Str(max_len=60), required=True, doc="单位名称"),
    "branch": Field(Str(max_len=60), required=True, doc="党支部名称"),
    "district": Field(Id(), required=True, doc="区县编号"),
    "sector": Field(Id(), required=True, doc="行业编号"),
    "address": Field(Str(max_len=120)),
    "service_hall": Field(Bool(), default=False),
    "website": Field(URL),
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
    if not any(rec[k] for k in FEEDBACK_CHANNELS):
        ctx.error(rec.line, rec.col, "群众监督渠道一项也没有写：请至少写一项——" + "、".join(
            f"{k}（{f.doc}）" for k, f in FEEDBACK_CHANNELS.items()) + "。只有热线的岗位写 phone 即可。")


POST = Record({
    "name": Field(Str(max_len=60), required=True, doc="岗位名称"),
    "kind": Field(Enum(POST_KINDS), default="post"),
    "unit": Field(Id(), required=True, doc="所属单位编号"),
    "location": Field(Str(max_len=80)),
    "description": Field(Str(max_len=400, multiline=True)),
    "declared": Field(Date(), required=True, doc="申报日期"),
    "approval": Field(Record({
        "date": Field(Date(), required=True),
        "number": Field(Str(max_len=40), required=True, doc="批复文号"),
    })),
    "feedback": Field(Record(FEEDBACK_CHANNELS, check=_one_channel), required=True,
                      doc="群众监督渠道：" + "、".join(f"{f.doc} {k}" for k, f in FEEDBACK_CHANNELS.items()) + "，至少写一项"),
    "revoked": Field(Record({
        "date": Field(Date(), required=True),
        "reason": Field(Str(max_len=200), required=True),
        "number": Field(Str(max_len=40)),
    })),
})

MEMBER = Record({
    "name": Field(Str(max_len=MAX_NAME), required=True, doc="姓名"),
    "post": Field(OneOrList(Id(), max_len=MAX_POSTS_PER_MEMBER), required=True,
                  doc="所在示范岗编号（在几个岗位服务时写成列表）"),
    "position": Field(Str(max_len=40), required=True, doc="职务"),
    "order": Field(Int(0, 999), default=999),
    "consent": Field(Record({
        "public": Field(Bool(), required=True),
        "photo": Field(Bool(), required=True),
        "date": Field(Date()),
    }), required=True, doc="本人同意公开的情况"),
    "photo": Field(Str(max_len=200)),
    "pledge": Field(Str(max_len=MAX_PLEDGE), required=True, doc="一句岗位承诺"),
    "pledges": Field(Dict(Id(), Str(max_len=MAX_PLEDGE)), default=dict,
                     doc="在某个岗位另写的承诺：岗位编号: 承诺"),
    "roles": Field(List(Enum(ROLES), unique=True), default=list),
    "standard": Field(Record({
        "items": Field(List(Str(max_len=100), min_len=1, max_len=MAX_STANDARD_ITEMS), required=True),
        "proposed": Field(Date(), required=True, doc="党员提标准日期"),
        "comment_from": Field(Date()),
        "comment_until": Field(Date()),
        "set": Field(Date()),
    }), required=True, doc="岗位先进性标准"),
    "records": Field(List(Record({
        "date": Field(Date(), required=True),
        "text": Field(Str(max_len=300, multiline=True), required=True),
        "public": Field(Bool(), default=True),
    })), default=list),
    "assessments": Field(List(Record({
        "period": Field(Str(max_len=40), required=True),
        "date": Field(Date(), required=True),
        "self": Field(Enum(GRADES), required=True),
        "public": Field(Enum(GRADES), required=True),
        "organisation": Field(Enum(GRADES), required=True),
        "result": Field(Enum(RESULTS), required=True),
        "remarks": Field(Str(max_len=300, multiline=True)),
    })), default=list),
    "honours": Field(List(Record({
        "date": Field(Date(), required=True),
        "title": Field(Str(max_len=80), required=True),
    })), default=list),
})

_SCORES = Record({d: Field(Int(0, 100), required=True) for d in DIMENSIONS})

EVALUATION = Record({
    "month": Field(Month(), required=True, doc="考评月份"),
    "evaluated_on": Field(Date()),
    "by": Field(Str(max_len=60)),
    "posts": Field(Dict(Id(), Record({
        **{s: Field(_SCORES, required=True) for s in SOURCES},
        "note": Field(Str(max_len=200)),
    })), required=True, doc="各岗位分数"),
})

STORY = Record({
    "title": Field(Str(max_len=80), required=True, doc="标题"),
    "date": Field(Date(), required=True, doc="日期"),
    "author": Field(Str(max_len=40), required=True, doc="作者"),
    "kind": Field(Enum(STORY_KINDS), default="story"),
    "posts": Field(List(Id(), unique=True), default=list),
    "members": Field(List(Id(), unique=True), default=list),
    "tags": Field(List(Str(max_len=20), unique=True, max_len=10), default=list),
    "cover": Field(Record({
        "file": Field(Str(max_len=200), required=True),
        "alt": Field(Str(max_len=120), required=True, doc="照片的文字说明（读屏软件用）"),
        "caption": Field(Str(max_len=120)),
    })),
    "summary": Field(Str(max_len=200)),
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
