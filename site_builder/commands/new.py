"""``site-builder new story|post|member|unit|evaluation``: a new, commented content file.

The file goes into the right folder of ``content/`` with today's date, under a safe name: the
record's id, which is also its web address. Ids are ASCII (``schema.check_id``); the title or name
gives a readable one, Chinese in pinyin (:func:`slug`: a story ``测试故事`` → ``ce-shi-gu-shi``; a unit
its name; a post ``<unit>-<name>``; a member ``<post>-<name>``), ``-2``, ``-3`` ... when that file
exists already; or ``--id`` chooses one. An existing file is never overwritten. Values come from the flags; what is missing is asked for on a terminal, and is an
error (exit 2) otherwise, so CI and scripts never hang. The text is checked with the same schema as
``check`` before it is written, and every reference it makes (unit, post, district ...) must exist:
what ``new`` writes passes ``check`` unchanged.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .. import clock
from ..content import formats, front_matter, privacy
from ..content.load import FOLDERS, parse_yaml, read_text
from ..content.placeholders import BLANKS
from ..content.schema import check_id, suggest
from ..content.text import yaml_str
from ..errors import ContentErrors, Problems, UsageError, rel
from ..incremental.records import load
from ..model import stars
from .registry import site_arg, verb

COMMENT_COLUMN = 32


# -- writing YAML by hand (so that it keeps the comments of docs/content-format.md) ------------------

def yaml_list(values: list[str]) -> str:
    return "[" + ", ".join(yaml_str(v) for v in values) + "]"


def width(text: str) -> int:
    """Columns on screen: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def cline(code: str, comment: str = "") -> str:
    """``code``, then ``# comment`` at COMMENT_COLUMN (or one space after a long code)."""
    if not comment:
        return code + "\n"
    return code + " " * max(1, COMMENT_COLUMN - 1 - width(code)) + f"# {comment}\n"


def line(key: str, value: str, comment: str = "", indent: int = 0) -> str:
    return cline(" " * indent + (f"{key}: {value}" if value != "" else f"{key}:"), comment)


ID_MAX = 64  # schema.check_id
SLUG_MAX = 40  # a title or name gives at most this many characters of an id: about ten syllables of pinyin


def slug(text: str, limit: int = SLUG_MAX) -> str:
    """A readable ASCII id part for ``text``: Chinese in pinyin, Latin letters and digits kept, lower case,
    words joined by ``-`` (``测试故事`` → ``ce-shi-gu-shi``, ``12345热线`` → ``12345-re-xian``), at most
    ``limit`` characters cut between words; ``""`` when ``text`` has no Chinese, letters or digits.

    Deterministic: pypinyin's usual reading of each character (its phrase list picks the reading of a
    polyphonic character in common words: 银行 → yin-hang, 行长 → hang-zhang)."""
    from pypinyin import lazy_pinyin  # ~0.4 s to import: only when an id is made, not at every command

    words: list[str] = []
    for chunk in lazy_pinyin(unicodedata.normalize("NFKC", text)):  # NFKC: full-width Ａ１ → A1
        plain = "".join(ch for ch in unicodedata.normalize("NFKD", chunk) if not unicodedata.combining(ch))
        words += re.findall(r"[a-z0-9]+", plain.lower())  # Café → cafe; punctuation and emoji go
    return cut("-".join(words), limit)


def cut(sid: str, limit: int) -> str:
    """``sid`` shortened to ``limit`` characters, between two words when it can be."""
    if len(sid) <= limit:
        return sid
    head = sid[:limit]
    if sid[limit] != "-" and "-" in head:
        head = head[:head.rindex("-")]
    return head.strip("-")


def new_id(site: Path, folder: str, ext: str, name: str, prefix: str = "", fallback: str = "") -> tuple[str, str]:
    """The id of a new record called ``name``: ``<prefix>-<slug of name>`` (``fallback`` when the name gives
    no slug), and, when a file of that name exists already, the first free of ``-2``, ``-3`` ...
    Returns (id, why it is not the plain slug: "" or a note for the user)."""
    tail = slug(name)
    note = ""
    if not tail:
        tail = fallback
        note = f"“{name}”里没有汉字、字母或数字，编号用了 {fallback}；想要好记的编号请加 --id。"
    room = ID_MAX - 4  # room for a "-NNN" suffix
    if prefix:
        tail = cut(tail, max(12, room - len(prefix) - 1))
        base = f"{cut(prefix, room - len(tail) - 1)}-{tail}"
    else:
        base = cut(tail, room)
    n = 1
    while True:
        sid = base if n == 1 else f"{cut(base, ID_MAX - len(str(n)) - 1)}-{n}"
        if check_id(sid) is None and not (site / "content" / folder / f"{sid}{ext}").exists():
            break
        n += 1
    if n > 1 and check_id(base) is None:
        note += (f"content/{folder}/{base}{ext} 已经存在，新文件的编号改用 {sid}（如果写的是同一件事，"
                 "请删掉新文件，直接编辑原来的文件）。")
    elif n > 1:
        note += f"`{base}` 是保留名称，编号改用 {sid}。"
    return sid, note


def blank(name: str) -> str:
    """The words ``new`` leaves where the editor must write something (check reports them until then)."""
    return BLANKS[name].text


# -- asking for what is missing -----------------------------------------------------------------

@dataclass
class Field:
    dest: str  # argparse dest
    flag: str  # --title
    label: str  # 标题
    required: bool = True
    choices: dict[str, str] | None = None


def fill(args: argparse.Namespace, fields: list[Field], interactive: bool | None = None,
         ask: Callable[[str], str] = input) -> None:
    """Ask for each missing required value on a terminal; elsewhere, name the missing flags (exit 2)."""
    if interactive is None:
        interactive = sys.stdin.isatty()
    missing = [f for f in fields if f.required and getattr(args, f.dest) in (None, "", [])]
    if not missing:
        return
    if not interactive:
        flags = " ".join(f'{f.flag} "{f.label}"' for f in missing)
        raise UsageError(f"缺少 {'、'.join(f.label for f in missing)}：请加上 {flags}（或在终端里运行，逐项询问）。")
    for f in missing:
        hint = ""
        if f.choices:
            hint = "（" + "，".join(f"{k} {v}" for k, v in f.choices.items()) + "）"
        while True:
            try:
                answer = ask(f"{f.label}{hint}：").strip()
            except EOFError:
                raise UsageError(f"没有填写{f.label}，未创建文件。") from None
            if answer and (not f.choices or answer in f.choices):
                break
            print("请填写" + ("可选值之一。" if f.choices and answer else "。"), file=sys.stderr)
        setattr(args, f.dest, [answer] if isinstance(getattr(args, f.dest), list) else answer)


# -- the site ---------------------------------------------------------------------------------------

def site_settings(site: Path) -> dict:
    """content/site.yaml, schema-checked (its own problems are check's business: reported as is)."""
    problems = Problems()
    path = site / "content" / "site.yaml"
    if not path.is_file():
        raise UsageError(f"{site} 不是站点文件夹（找不到 content/site.yaml）：请在站点文件夹里运行，或写出它的路径。")
    text = read_text(path, rel(path, site), problems, 1_000_000)
    rec = parse_yaml(text, rel(path, site), formats.SITE, problems) if text is not None else None
    if rec is None:
        raise ContentErrors(problems.sorted())
    return rec


def require_record(site: Path, folder: str, rid: str, what: str) -> None:
    if check_id(rid) or not (site / "content" / folder / f"{rid}.yaml").is_file():
        known = sorted(p.stem for p in (site / "content" / folder).glob("*.yaml"))
        raise UsageError(f"找不到{what} `{rid}`{suggest(rid, known)}：请写 content/{folder}/ 里已有的文件名（不含 .yaml）。")


def today(args) -> dt.date:
    return args.date or clock.today()


def date_arg(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期 `{text}` 的写法不对：请写成 2025-03-06") from None


def month_arg(text: str) -> str:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
        raise argparse.ArgumentTypeError(f"月份 `{text}` 的写法不对：请写成 2025-03")
    return text


# -- the kinds ---------------------------------------------------------------------------------------

def story(args, site: Path) -> tuple[str, str, str]:
    fill(args, [Field("title", "--title", "标题")])
    settings = site_settings(site)
    for pid in args.post:
        require_record(site, "posts", pid, "示范岗")
    for mid in args.member:
        require_record(site, "members", mid, "党员")
    date = today(args)
    sid, note = (args.id, "") if args.id else new_id(site, "stories", ".md", args.title, fallback="story")
    author = args.author or settings["organisation"]["name"]
    text = "---\n"
    text += "# 先进事迹 / 典型经验。写法见 docs/editors.md；改完可运行 site-builder check 检查。\n"
    text += line("title", yaml_str(args.title), "标题（80 字以内）")
    text += line("date", date.isoformat(), "日期")
    text += line("author", yaml_str(author), "作者或供稿单位")
    text += line("kind", args.story_kind, "story 先进事迹 | experience 典型经验")
    text += (line("posts", yaml_list(args.post), "文中写到的示范岗编号") if args.post else
             cline(f"# posts: [{blank('story_posts')}]", "可省：文中写到的示范岗（content/posts/ 里的文件名）"))
    text += (line("members", yaml_list(args.member), "文中写到的党员编号") if args.member else
             cline(f"# members: [{blank('story_members')}]", "可省：文中写到的党员（本人须同意公开）"))
    text += (line("tags", yaml_list(args.tag), "标签") if args.tag else
             cline(f"# tags: [{blank('tags')}]", "可省：标签，最多 10 个，如 [窗口服务, 一次办好]"))
    text += cline("# cover:", "可省：封面照片，先上传到 content/images/stories/")
    text += cline(f"#   file: {blank('cover_file')}", "如 images/stories/qiangxiu.jpg")
    text += cline(f"#   alt: {blank('cover_alt')}", "必填：读屏软件朗读这句话")
    text += cline(f"# summary: {blank('summary')}", "可省：默认取正文开头")
    text += "# 正文写在下面一行 --- 之后。插入照片：先上传到 content/images/stories/，再写\n"
    text += "#   ![照片说明](../images/stories/照片.jpg)\n"
    text += "---\n\n"
    text += f"{args.text.strip()}\n" if args.text else f"{blank('body')}\n"
    return f"stories/{sid}.md", text, note


def unit(args, site: Path) -> tuple[str, str, str]:
    settings = site_settings(site)
    fill(args, [Field("name", "--name", "单位名称"), Field("branch", "--branch", "党支部名称"),
                Field("district", "--district", "区县编号", choices=dict(settings["districts"])),
                Field("sector", "--sector", "行业编号", choices=dict(settings["sectors"]))])
    for key, value in (("districts", args.district), ("sectors", args.sector)):
        if value not in settings[key]:
            raise UsageError(f"`{value}` 不在 site.yaml 的 {key} 里：可选 {'、'.join(settings[key])}。")
    uid, note = (args.id, "") if args.id else new_id(site, "units", ".yaml", args.name, fallback="unit")
    text = f"# 单位/党支部。文件名 {uid}.yaml，编号 {uid}（网址 /units/{uid}/，发布后不要改）\n"
    text += line("name", yaml_str(args.name), "单位名称")
    text += line("branch", yaml_str(args.branch), "申报示范岗的党支部")
    text += line("district", args.district, f"区县：{settings['districts'][args.district]}")
    text += line("sector", args.sector, f"行业：{settings['sectors'][args.sector]}")
    text += (line("address", yaml_str(args.address), "地址") if args.address else
             cline(f"# address: {blank('address')}", "可省"))
    text += line("service_hall", "true" if args.service_hall else "false",
                 "有对外服务大厅：其窗口岗位称“党员示范窗口”")
    text += cline(f"# website: {blank('website')}", "可省：单位网站，如 https://www.example.cn/")
    return f"units/{uid}.yaml", text, note


def post(args, site: Path) -> tuple[str, str, str]:
    site_settings(site)
    channels = [c for c in formats.FEEDBACK_CHANNELS if getattr(args, c)]  # any of them, at least one
    try:
        fill(args, [Field("name", "--name", "岗位名称"), Field("unit", "--unit", "所属单位编号"),
                    *([] if channels else [Field("phone", "--phone", "投诉电话")])])
    except UsageError as exc:
        raise UsageError(f"{exc} 没有投诉电话的岗位，改写 --book 意见簿位置、--form 网上意见表网址或 --email 投诉邮箱"
                         "（群众监督渠道至少一项）。" if not channels else str(exc)) from None
    require_record(site, "units", args.unit, "单位")
    pid, note = (args.id, "") if args.id else new_id(site, "posts", ".yaml", args.name, args.unit, "post")
    text = f"# 星级党员示范岗 / 党员示范窗口。文件名 {pid}.yaml，编号 {pid}（网址和二维码都用它，发布后不要改）\n"
    text += line("name", yaml_str(args.name), "岗位名称")
    text += line("kind", args.post_kind, "post 星级党员示范岗（岗位）| window 党员示范窗口")
    text += line("unit", args.unit, "所属单位编号")
    text += (line("location", yaml_str(args.location), "岗位所在位置") if args.location else
             cline(f"# location: {blank('location')}", "可省：如 市民中心二楼 12 号窗口"))
    text += cline(f"# description: {blank('description')}", "可省")
    text += line("declared", today(args).isoformat(), "支部申报日期")
    text += cline("# approval:", "市先教办批复后填写；没有批复的岗位不会出现在网站上")
    text += cline(f"#   date: {blank('approval_date')}", "如 2025-03-06")
    text += cline(f"#   number: {blank('approval_number')}", "如 青先教办〔2025〕7号")
    text += line("feedback", "", "群众监督渠道（至少一项）：每个页面和公示榜都会显示")
    for key, comment, example in (("book", "意见簿放在哪里", "如 大厅入口左侧服务台"),
                                  ("phone", "投诉电话（公开）", "如 0571-86001234，热线写 \"12345\""),
                                  ("form", "网上意见表", "https:// 开头"), ("email", "投诉邮箱", "")):
        value = getattr(args, key)
        text += (line(key, yaml_str(value), comment, indent=2) if value else
                 cline(f"  # {key}: {blank(key)}", f"可省：{comment}" + (f"，{example}" if example else "")))
    return f"posts/{pid}.yaml", text, note


def member(args, site: Path) -> tuple[str, str, str]:
    site_settings(site)
    fill(args, [Field("name", "--name", "姓名"), Field("post", "--post", "所在示范岗编号"),
                Field("position", "--position", "职务"), Field("pledge", "--pledge", "一句岗位承诺"),
                Field("standard", "--standard", "岗位先进性标准（一条）")])
    require_record(site, "posts", args.post, "示范岗")
    mid, note = (args.id, "") if args.id else new_id(site, "members", ".yaml", args.name, args.post, "member")
    date = today(args)
    text = f"# 党员。文件名 {mid}.yaml，编号 {mid}（网址 /members/{mid}/）\n"
    text += line("name", yaml_str(args.name), "姓名")
    text += line("post", args.post, "所在示范岗编号")
    text += line("position", yaml_str(args.position), "职务")
    text += line("consent", "", "本人书面同意情况：未签同意书前保持 false（不出现在任何页面上）")
    text += line("public", "true" if args.consent_public else "false", "同意公开姓名、职务、承诺和岗位标准", indent=2)
    text += line("photo", "true" if args.consent_photo else "false", "同意公开照片", indent=2)
    text += (line("date", args.consent_date.isoformat(), "签署同意书日期", indent=2) if args.consent_date else
             cline(f"  # date: {blank('consent_date')}", "如 2025-02-20"))
    text += cline(f"# photo: {blank('photo')}", "可省：如 images/members/zhang-san.jpg，本人同意公开照片时才会显示")
    text += line("pledge", yaml_str(args.pledge), f"自拟一句岗位承诺，不超过 {formats.MAX_PLEDGE} 字")
    text += cline("# roles: [demonstrator, server, guide, advocate]", "可省：“四员”——示范员、服务员、引导员、宣传员")
    text += line("standard", "", "岗位先进性标准：党员提标准 → 群众议标准 → 组织定标准")
    text += line("items", "", "", indent=2)
    text += "".join(f"    - {yaml_str(item)}\n" for item in args.standard)
    text += line("proposed", date.isoformat(), "党员提标准的日期", indent=2)
    text += cline(f"  # comment_from: {blank('comment_from')}", "群众议标准，如 2025-02-25")
    text += cline(f"  # comment_until: {blank('comment_until')}", "可省，如 2025-03-10")
    text += cline(f"  # set: {blank('set')}", "组织定标准，如 2025-03-15")
    return f"members/{mid}.yaml", text, note


def evaluation(args, site: Path) -> tuple[str, str, str]:

    site_settings(site)
    month = args.month or (today(args).replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    problems = Problems()
    raw = load(site, problems)
    active = []
    for pid, rec in sorted(raw.posts.items()):
        approval, revoked = rec["approval"], rec["revoked"]
        if approval and stars.month_of(approval["date"]) <= month and not (
                revoked and stars.month_of(revoked["date"]) < month):
            active.append((pid, rec["name"]))
    dims = ", ".join(f"{d}: " for d in formats.DIMENSIONS)
    text = f"# 一月一考评：{month}。每个在创岗位四个维度 × 三个来源的分数（0–100 的整数）。\n"
    text += f"# 也可以从办公室的考评表导入：site-builder import evaluations 考评表.xlsx --month {month}\n"
    text += "# 填写方法：去掉下面岗位各行开头的 `# `，填上分数，再把 `posts: {}` 这一行改成 `posts:`。\n"
    text += "# 分数填好之前 check 不会通过：一个空的月份会让每个岗位显示“未考评”。\n"
    text += line("month", month, "考评月份")
    text += line("evaluated_on", today(args).isoformat(), "考评日期")
    text += (line("by", yaml_str(args.by), "考评组织者") if args.by else cline(f"# by: {blank('by')}", "可省：如 市先教办督导组"))
    text += cline("posts: {}", blank("scores"))
    for pid, name in active:
        text += cline(f"#   {pid}:", name)
        text += cline(f"#     self:         {{{dims}}}", "党员自评")
        text += cline(f"#     public:       {{{dims}}}", "群众测评")
        text += cline(f"#     organisation: {{{dims}}}", "组织考评")
        text += cline(f"#     note: {blank('note')}", "可省")
    return f"evaluations/{month}.yaml", text, ""


KINDS: dict[str, tuple[Callable, str]] = {
    "story": (story, "先进事迹 / 典型经验（content/stories/）"),
    "post": (post, "星级党员示范岗 / 党员示范窗口（content/posts/）"),
    "member": (member, "党员（content/members/）"),
    "unit": (unit, "单位 / 党支部（content/units/）"),
    "evaluation": (evaluation, "一月一考评（content/evaluations/）"),
}


def validate(site: Path, path: str, text: str) -> None:
    """The same schema and privacy checks as ``check``; problems mean nothing is written (exit 1)."""
    problems = Problems()
    shown = f"content/{path}"
    folder, name = path.split("/", 1)
    message = check_id(name.rsplit(".", 1)[0])
    if message:
        raise UsageError(f"--id：{message}")
    if folder == "stories":
        front, _body, _ = front_matter.split(text)
        parse_yaml(front, shown, formats.STORY, problems, line_offset=1)
    else:
        parse_yaml(text, shown, FOLDERS[folder], problems)
    for hit in privacy.find(text, shown):
        if not (folder == "posts" and hit.key == "phone"):
            problems.add(hit.path, hit.line, hit.col, f"疑似个人号码 {hit.masked}：网站内容里不能写身份证号或个人手机号。")
    if problems:
        raise ContentErrors(problems.sorted())


def _configure(p: argparse.ArgumentParser) -> None:
    p.set_defaults(site=Path("."), kind=None)
    sub = p.add_subparsers(dest="kind", metavar="KIND")

    def kind(name: str) -> argparse.ArgumentParser:
        k = sub.add_parser(name, help=KINDS[name][1], description=f"新建{KINDS[name][1]}")
        site_arg(k)
        k.add_argument("--id", help="编号（文件名）：小写英文字母、数字和连字符；不写时由标题或名称的拼音生成")
        k.add_argument("--date", type=date_arg, help="当天日期（默认今天），如 2025-03-06")
        return k

    s = kind("story")
    s.add_argument("--title", help="标题")
    s.add_argument("--author", help="作者或供稿单位（默认主办单位名称）")
    s.add_argument("--kind", dest="story_kind", choices=list(formats.STORY_KINDS), default="story",
                   help="story 先进事迹（默认）| experience 典型经验")
    s.add_argument("--post", action="append", default=[], help="文中写到的示范岗编号（可重复）")
    s.add_argument("--member", action="append", default=[], help="文中写到的党员编号（可重复）")
    s.add_argument("--tag", action="append", default=[], help="标签（可重复）")
    s.add_argument("--text", help="正文（Markdown）；不写时留一段待替换的提示")

    u = kind("unit")
    u.add_argument("--name", help="单位名称")
    u.add_argument("--branch", help="党支部名称")
    u.add_argument("--district", help="区县编号（site.yaml 的 districts）")
    u.add_argument("--sector", help="行业编号（site.yaml 的 sectors）")
    u.add_argument("--address", help="地址")
    u.add_argument("--service-hall", action="store_true", help="有对外服务大厅")

    q = kind("post")
    q.add_argument("--name", help="岗位名称")
    q.add_argument("--unit", help="所属单位编号")
    q.add_argument("--kind", dest="post_kind", choices=list(formats.POST_KINDS), default="post",
                   help="post 星级党员示范岗（默认）| window 党员示范窗口")
    q.add_argument("--location", help="岗位所在位置")
    q.add_argument("--book", help="意见簿放在哪里")
    q.add_argument("--phone", help="投诉电话（公开）")
    q.add_argument("--form", help="网上意见表网址（https://）")
    q.add_argument("--email", help="投诉邮箱")
    # the channels: any of them, at least one (a hotline seat has a phone and no comment book)

    m = kind("member")
    m.add_argument("--name", help="姓名")
    m.add_argument("--post", help="所在示范岗编号")
    m.add_argument("--position", help="职务")
    m.add_argument("--pledge", help=f"一句岗位承诺（不超过 {formats.MAX_PLEDGE} 字）")
    m.add_argument("--standard", action="append", default=[], help="岗位先进性标准的一条（可重复）")
    m.add_argument("--consent-public", action="store_true", help="本人已书面同意公开")
    m.add_argument("--consent-photo", action="store_true", help="本人已书面同意公开照片")
    m.add_argument("--consent-date", type=date_arg, help="签署同意书日期")

    e = kind("evaluation")
    e.add_argument("--month", type=month_arg, help="考评月份，如 2025-04（默认上个月）")
    e.add_argument("--by", help="考评组织者")


@verb("new", "新建内容文件（带中文注释的模板）/ create a content file")(_configure)
def cmd_new(args) -> int:
    if args.kind is None:
        raise UsageError("请写要新建什么：site-builder new story|post|member|unit|evaluation（加 -h 看参数）。")
    path, text, note = KINDS[args.kind][0](args, args.site)
    validate(args.site, path, text)
    target = args.site / "content" / path
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(target, "x", encoding="utf-8", newline="\n") as f:
            f.write(text)
    except FileExistsError:
        if args.kind == "evaluation":
            raise UsageError(f"{rel(target, args.site)} 已经存在，不会覆盖：请直接编辑这个文件，或用 site-builder import "
                             "evaluations 考评表.xlsx --replace 从考评表重新导入。") from None
        raise UsageError(f"{rel(target, args.site)} 已经存在，不会覆盖：请用 --id 换一个编号，或直接编辑这个文件。") from None
    print(f"已创建 {rel(target, args.site)}：请按文件里的注释填写，然后运行 site-builder check。")
    if note:
        print(f"注意：{note}")
    return 0
