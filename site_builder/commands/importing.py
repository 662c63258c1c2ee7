"""``site-builder import evaluations FILE.xlsx|FILE.csv --month YYYY-MM [SITE]``.

The monthly evaluation as the campaign office keeps it: one table, one row per post and source
(党员自评, 群众测评, 组织考评 each come from a different form, filled at a different time), four score
columns, one header row (docs/editors.md shows it). Columns are found by their header, in any order;
other columns (序号, 单位, 岗位名称 ...) are ignored.

Every bad cell is reported as ``FILE:row:column: message`` (with the cell's name, e.g. D7), and
then nothing is written. When the cells are fine, the month's YAML is made and checked against the
rest of the site with the model's own rules (unknown or unapproved post, a month before the
approval or after the plaque was removed); those problems are mapped back to the table's cells
too. Only then is ``content/evaluations/<month>.yaml`` written (never over an existing one unless
``--replace``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path

from . import new
from ..content import formats, load, spreadsheets
from ..incremental import records
from ..model import build as model_mod, stars
from .registry import site_arg, verb
from ..errors import ContentErrors, Problem, Problems, UsageError, rel
from ..content.schema import check_id

HEADERS = {
    "post": ("岗位编号", "示范岗编号", "编号", "post", "post_id", "id"),
    "source": ("评价来源", "来源", "考评来源", "source"),
    "politics": ("政治思想", "politics"),
    "performance": ("工作业绩", "performance"),
    "service": ("优质服务", "服务质量", "service"),
    "exemplary": ("示范作用", "exemplary"),
    "note": ("备注", "考评说明", "说明", "note"),
}
REQUIRED = ("post", "source", *formats.DIMENSIONS)
SOURCES = {
    "self": ("党员自评", "自评", "self"),
    "public": ("群众测评", "群众评议", "群众", "public"),
    "organisation": ("组织考评", "组织评议", "组织", "organisation", "organization"),
}
SOURCE_NAMES = {"self": "党员自评", "public": "群众测评", "organisation": "组织考评"}
DIMENSION_NAMES = {"politics": "政治思想", "performance": "工作业绩", "service": "优质服务", "exemplary": "示范作用"}


def _norm(text: str) -> str:
    """A header or label as compared: no spaces, no bracketed remark (政治思想（25%） → 政治思想), lower case."""
    text = re.sub(r"[（(].*?[）)]", "", str(text))
    return re.sub(r"\s+", "", text).lower()


_HEADER_OF = {_norm(alias): key for key, aliases in HEADERS.items() for alias in aliases}
_SOURCE_OF = {_norm(alias): key for key, aliases in SOURCES.items() for alias in aliases}


class Table:
    def __init__(self, shown: str):
        self.shown, self.problems = shown, Problems()

    def error(self, row: int, col: int, message: str) -> None:
        cell = f"（单元格 {spreadsheets.column_letter(col)}{row}）" if col else ""
        self.problems.add(self.shown, row, col, message + cell)


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse(rows: spreadsheets.Rows, shown: str) -> tuple[dict, dict, Problems]:
    """Rows → ({post: {source: {dim: score}, "note": ...}}, {post: (row, col)}, problems)."""
    t = Table(shown)
    rows = [(n, cells) for n, cells in rows if cells]
    if not rows:
        t.error(1, 0, "表格是空的：第一行写表头（岗位编号、评价来源、政治思想、工作业绩、优质服务、示范作用、备注），"
                      "以下每行一个岗位的一个评价来源。")
        return {}, {}, t.problems
    header_row, header = rows[0]
    columns: dict[str, int] = {}
    for col, value in sorted(header.items()):
        key = _HEADER_OF.get(_norm(_text(value)))
        if key in columns:
            t.error(header_row, col, f"表头“{_text(value)}”与第 {spreadsheets.column_letter(columns[key])} 列重复：请删除其中一列。")
        elif key:
            columns[key] = col
    missing = [k for k in REQUIRED if k not in columns]
    if missing:
        names = "、".join(HEADERS[k][0] for k in missing)
        t.error(header_row, 0, f"第 {header_row} 行（表头）缺少列：{names}。表头应为：岗位编号、评价来源、政治思想、工作业绩、"
                               "优质服务、示范作用，可再加备注；其他列（序号、单位、岗位名称等）会被忽略。")
        return {}, {}, t.problems

    posts: dict[str, dict] = {}
    where: dict[str, tuple[int, int]] = {}  # post → its first row and the post column
    seen: dict[tuple[str, str], int] = {}
    notes: dict[str, list[tuple[str, int, int]]] = {}
    for n, cells in rows[1:]:
        pid = _text(cells.get(columns["post"], ""))
        source_text = _text(cells.get(columns["source"], ""))
        if not pid:
            t.error(n, columns["post"], "缺少岗位编号：请填写 content/posts/ 里的文件名（不含 .yaml），或删除这一行。")
            continue
        message = check_id(pid)
        if message:
            t.error(n, columns["post"], f"岗位编号 `{pid}` 不合规：请写 content/posts/ 里的文件名（不含 .yaml）。")
            continue
        source = _SOURCE_OF.get(_norm(source_text))
        if source is None:
            what = f"“{source_text}”不是评价来源" if source_text else "缺少评价来源"
            t.error(n, columns["source"], f"{what}：请写 党员自评、群众测评 或 组织考评。")
            continue
        if (pid, source) in seen:
            t.error(n, columns["source"], f"岗位 `{pid}` 的{SOURCE_NAMES[source]}已写在第 {seen[pid, source]} 行：每个岗位每个来源只写一行。")
            continue
        seen[pid, source] = n
        where.setdefault(pid, (n, columns["post"]))
        scores = {}
        for dim in formats.DIMENSIONS:
            col = columns[dim]
            value = cells.get(col)
            label = f"{SOURCE_NAMES[source]}的“{DIMENSION_NAMES[dim]}”"
            if value is None or _text(value) == "":
                t.error(n, col, f"缺少{label}分数：请填写 0–100 的整数。")
                continue
            number = value if isinstance(value, float) else None
            if number is None and not isinstance(value, bool):
                try:
                    number = float(_text(value).replace("，", "").rstrip("分"))
                except ValueError:
                    number = None
            if isinstance(value, str) and value.startswith("="):
                t.error(n, col, f"{label}是公式“{value}”，但表格里没有它的计算结果：请在 Excel/WPS 里打开、保存后再导入。")
            elif number is None or number != number:  # not a number (or NaN)
                t.error(n, col, f"{label}分数“{_text(value)}”不是数字：请填写 0–100 的整数。")
            elif not 0 <= number <= 100:
                t.error(n, col, f"{label}分数 {_text(number)} 超出范围：应在 0 到 100 之间。")
            elif not number.is_integer():
                t.error(n, col, f"{label}分数 {_text(number)} 不是整数：请四舍五入为整数。")
            else:
                scores[dim] = int(number)
        posts.setdefault(pid, {})[source] = scores
        if "note" in columns and _text(cells.get(columns["note"], "")):
            notes.setdefault(pid, []).append((_text(cells[columns["note"]]), n, columns["note"]))
    if not posts and not t.problems:
        t.error(header_row + 1, 0, "表头下面没有任何岗位的分数：请确认选对了文件和工作表（--sheet）。")
    for pid, entries in posts.items():
        for source in formats.SOURCES:
            if source not in entries:
                row, col = where[pid]
                t.error(row, columns["source"], f"岗位 `{pid}` 缺少“{SOURCE_NAMES[source]}”一行：每个岗位要有党员自评、"
                                                f"群众测评、组织考评三行。")
        texts = list(dict.fromkeys(text for text, _, _ in notes.get(pid, [])))
        if texts:
            note = "；".join(texts)
            _, row, col = notes[pid][-1]
            if len(note) > 200:
                t.error(row, col, f"岗位 `{pid}` 的备注合计 {len(note)} 字，最多 200 字：请精简。")
            entries["note"] = note
    return posts, where, t.problems


def to_yaml(month: str, posts: dict, source_file: str, by: str | None, evaluated_on: dt.date | None
            ) -> tuple[str, dict[int, str]]:
    """The month's YAML, and the line of each post's key in it."""
    lines = [f"# 一月一考评 {month}：由 site-builder import evaluations 从 {source_file} 导入。",
             "# 改分数请改原表格后重新导入（--replace），或直接改这里。",
             f"month: {month}"]
    if evaluated_on:
        lines.append(f"evaluated_on: {evaluated_on.isoformat()}")
    if by:
        lines.append(f"by: {new.yaml_str(by)}")
    lines.append("posts:" if posts else "posts: {}")
    at: dict[int, str] = {}
    for pid in sorted(posts):
        entry = posts[pid]
        at[len(lines) + 1] = pid
        lines.append(f"  {pid}:")
        for source in formats.SOURCES:
            scores = ", ".join(f"{d}: {entry[source][d]}" for d in formats.DIMENSIONS)
            lines.append(f"    {source + ':':<13} {{{scores}}}")
        if entry.get("note"):
            lines.append(f"    note: {new.yaml_str(entry['note'])}")
    return "\n".join(lines) + "\n", at


def check_against_site(site: Path, month: str, text: str, at: dict[int, str], where: dict, shown: str,
                       replace: bool) -> tuple[list[Problem], list[str]]:
    """Run the model's rules with this month in place; map problems in the new file to the table.

    Also returns the posts that are being evaluated in this month but are not in the table."""
    problems = Problems()
    raw = records.load(site, problems)
    if raw.site is None:
        raise ContentErrors(problems.sorted())
    target = f"content/evaluations/{month}.yaml"
    for fid, rec in list(raw.evaluations.items()):
        if fid == month or (replace and rec["month"] == month):
            del raw.evaluations[fid]
    new = Problems()
    rec = load.parse_yaml(text, target, formats.EVALUATION, new)
    missing = []
    if rec is not None:
        raw.evaluations[month] = rec
        model = model_mod.build(raw, new)
        for post in model.posts if model is not None else []:
            end = post.standing.revoked_on
            if (post.id not in rec["posts"] and post.standing.first_month <= month
                    and not (end is not None and stars.month_of(end) < month)):
                missing.append(post.id)
    out = []
    lines = sorted(at)
    for p in new.sorted():
        if p.path != target:
            continue  # the site's own problems: check reports them
        key_line = max((n for n in lines if n <= p.line), default=None)
        if key_line is None:
            out.append(Problem(shown, 1, 0, p.message))
            continue
        row, col = where[at[key_line]]
        out.append(Problem(shown, row, col, f"{p.message}（单元格 {spreadsheets.column_letter(col)}{row}）"))
    return out, missing


def _configure(p: argparse.ArgumentParser) -> None:
    p.set_defaults(site=Path("."), what=None)
    sub = p.add_subparsers(dest="what", metavar="WHAT")
    e = sub.add_parser("evaluations", help="一月一考评：从考评表（.xlsx 或 .csv）导入一个月的分数",
                       description="从考评表导入一个月的分数，写入 content/evaluations/<月份>.yaml")
    e.add_argument("file", type=Path, help="考评表：.xlsx 或 .csv")
    site_arg(e)
    e.add_argument("--month", type=new.month_arg, required=True, help="考评月份，如 2025-04")
    e.add_argument("--sheet", help="工作表名称（默认第一张）")
    e.add_argument("--by", help="考评组织者，如 市先教办督导组")
    e.add_argument("--evaluated-on", type=new.date_arg, help="考评日期，如 2025-05-06")
    e.add_argument("--replace", action="store_true", help="替换已有的当月考评文件")


@verb("import", "从表格导入 / import from a spreadsheet (evaluations)")(_configure)
def cmd_import(args) -> int:
    if args.what != "evaluations":
        raise UsageError("请写要导入什么：site-builder import evaluations 考评表.xlsx --month 2025-04")
    shown = str(args.file)
    if not args.file.is_file():
        raise UsageError(f"找不到文件 {args.file}")
    if not (args.site / "content" / "site.yaml").is_file():
        raise UsageError(f"{args.site} 不是站点文件夹（找不到 content/site.yaml）。")
    target = args.site / "content" / "evaluations" / f"{args.month}.yaml"
    if target.exists() and not args.replace:
        raise UsageError(f"{rel(target, args.site)} 已经存在：要用表格替换它，请加 --replace。")
    try:
        rows = spreadsheets.read(args.file, args.sheet)
    except spreadsheets.SheetError as exc:
        raise ContentErrors([Problem(shown, 0, 0, str(exc))]) from None
    posts, where, problems = parse(rows, shown)
    if problems:
        raise ContentErrors(problems.sorted())
    text, at = to_yaml(args.month, posts, args.file.name, args.by, args.evaluated_on)
    found, missing = check_against_site(args.site, args.month, text, at, where, shown, args.replace)
    if found:
        raise ContentErrors(sorted(set(found)))
    known = set(posts)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(text, encoding="utf-8", newline="\n")
    tmp.replace(target)
    print(f"已导入 {len(known)} 个岗位 → {rel(target, args.site)}。请运行 site-builder check，再提交合并请求。")
    if missing:
        print(f"注意：{len(missing)} 个在创岗位不在表格里，这个月按“未考评”处理（site.yaml 的 missing_month）："
              f"{'、'.join(missing)}。", file=sys.stderr)
    return 0
