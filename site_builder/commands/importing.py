"""``site-builder import evaluations FILE --month YYYY-MM [SITE]``: FILE an .xlsx, .xls, .et, .ods, .xlsb or .csv.

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
from ..model import build as model_mod, competition as competition_model, stars
from .registry import site_arg, verb
from ..errors import ContentErrors, Problem, Problems, UsageError, rel
from ..content.schema import check_id, suggest

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
SOURCE_NAMES, DIMENSION_NAMES = formats.SOURCE_NAMES, formats.DIMENSION_NAMES


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
        """A problem at a cell, named A1-style; a whole row (a header missing columns) is at its first cell."""
        col = col or 1
        self.problems.add(self.shown, row, col, f"{message}（单元格 {spreadsheets.column_letter(col)}{row}）")


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.date, dt.time)):  # a date cell reads as a date (2025-04-03), never as a day number
        return value.isoformat()
    return str(value).strip()


def _not_a_number(label: str, value) -> str | None:
    """What to say of a cell that holds no number: empty (a formula without its result reads so too), or a date."""
    if value is None or _text(value) == "":
        return (f"缺少{label}：请填写（如果这里是公式，它没有保存计算结果或算出了错误值：请在 Excel/WPS 里打开、"
                "检查、保存后再导入）。")
    if isinstance(value, (dt.date, dt.time, dt.timedelta)):
        return (f"{label}是日期或时间“{_text(value)}”，不是数字：单元格格式可能被设成了日期，请改为“常规”或“数值”后"
                "重新填写。")
    return None


def _number(value, unit: str = "分", thousands: bool = False) -> float | None:
    """A cell as a number: a number cell, or text like "96分" (``unit`` after it) or "1，234" ("1,234" with
    ``thousands``); None when it is none."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if value == value else None  # NaN
    text = _text(value).replace("，", "")
    try:
        number = float((text.replace(",", "") if thousands else text).rstrip(unit).strip())
    except ValueError:
        return None
    return number if number == number else None


def _columns(t: Table, row: int, header: dict, keys: dict[str, str]) -> dict[str, int]:
    """Key → column of the header cells whose text (``_norm``) ``keys`` knows; a key found twice is an error."""
    columns: dict[str, int] = {}
    for col, value in sorted(header.items()):
        key = keys.get(_norm(_text(value)))
        if key in columns:
            t.error(row, col, f"表头“{_text(value)}”与第 {spreadsheets.column_letter(columns[key])} 列重复：请删除其中一列。")
        elif key:
            columns[key] = col
    return columns


def parse(rows: spreadsheets.Rows, shown: str) -> tuple[dict, dict, Problems]:
    """Rows → ({post: {source: {dim: score}, "note": ...}}, {post: (row, col)}, problems)."""
    t = Table(shown)
    rows = [(n, cells) for n, cells in rows if cells]
    if not rows:
        t.error(1, 0, "表格是空的：第一行写表头（岗位编号、评价来源、政治思想、工作业绩、优质服务、示范作用、备注），"
                      "以下每行一个岗位的一个评价来源。")
        return {}, {}, t.problems
    header_row, header = rows[0]
    columns = _columns(t, header_row, header, _HEADER_OF)
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
            problem = _not_a_number(f"{label}分数", value)
            if problem:
                t.error(n, col, problem.replace("请填写", "请填写 0–100 的整数", 1))
                continue
            number = _number(value)
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
    lines = _head("一月一考评", "evaluations", "分数", month, source_file, "evaluated_on", evaluated_on, by, posts)
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
    for fid, rec in list(raw.evaluation_records()):
        if fid == month or (replace and rec["month"] == month):
            raw.drop_evaluation(fid)
    new = Problems()
    rec = load.parse_yaml(text, target, formats.EVALUATION, new)
    missing = []
    if rec is not None:
        raw.add_evaluation(month, rec, target)
        model = model_mod.build(raw, new)
        for post in model.posts if model is not None else []:
            end = post.standing.revoked_on
            if (post.id not in rec["posts"] and post.standing.first_month <= month
                    and not (end is not None and stars.month_of(end) < month)):
                missing.append(post.id)
    return _in_cells(new.sorted(), target, at, where, shown), missing


def _in_cells(found: list[Problem], target: str, at: dict[int, str], where: dict, shown: str,
              columns: dict[tuple[int, int], int] | None = None) -> list[Problem]:
    """The problems of the YAML made from a table (``target``) at the table's cells: the row of the post whose
    key is on or above the line (``at``: line → post, ``where``: post → (row, column)), and the column of the
    key at the problem's position when ``columns`` ((line, column) → table column) knows it."""
    out = []
    lines = sorted(at)
    for p in found:
        if p.path != target:
            continue  # the site's own problems: check reports them
        key_line = max((n for n in lines if n <= p.line), default=None)
        if key_line is None:
            out.append(Problem(shown, 1, 1, p.message))
            continue
        row, col = where[at[key_line]]
        col = (columns or {}).get((p.line, p.col), col)
        out.append(Problem(shown, row, col, f"{p.message}（单元格 {spreadsheets.column_letter(col)}{row}）"))
    return out


def _configure(p: argparse.ArgumentParser) -> None:
    p.set_defaults(site=Path("."), what=None)
    sub = p.add_subparsers(dest="what", metavar="WHAT")
    e = sub.add_parser("evaluations", help="一月一考评：从考评表（Excel、WPS、LibreOffice 或 CSV）导入一个月的分数",
                       description="从考评表导入一个月的分数，写入 content/evaluations/<月份>.yaml")
    e.add_argument("file", type=Path, help="考评表：" + "、".join(spreadsheets.BOOKS) + " 或 .csv")
    site_arg(e)
    e.add_argument("--month", type=new.month_arg, required=True, help="考评月份，如 2025-04")
    e.add_argument("--sheet", help="工作表名称（默认第一张）")
    e.add_argument("--by", help="考评组织者，如 市先教办督导组")
    e.add_argument("--evaluated-on", type=new.date_arg, help="考评日期，如 2025-05-06")
    e.add_argument("--replace", action="store_true", help="替换已有的当月考评文件")
    i = sub.add_parser("indicators", help="岗位竞赛：从指标表（Excel、WPS、LibreOffice 或 CSV）导入一个月的量化指标",
                       description="从指标表导入一个竞赛一个月的量化指标，写入 content/indicators/<竞赛>/<月份>.yaml")
    i.add_argument("file", type=Path, help="指标表：" + "、".join(spreadsheets.BOOKS) + " 或 .csv，每行一个岗位，每个指标一列")
    site_arg(i)
    i.add_argument("--competition", required=True, metavar="ID", help="竞赛编号（content/competitions/ 里的文件名）")
    i.add_argument("--month", type=new.month_arg, required=True, help="月份，如 2025-04")
    i.add_argument("--sheet", help="工作表名称（默认第一张）")
    i.add_argument("--by", help="报送或汇总单位，如 市先教办竞赛评比组")
    i.add_argument("--entered-on", type=new.date_arg, help="报送日期，如 2025-05-05")
    i.add_argument("--replace", action="store_true", help="替换已有的当月指标文件")


@verb("import", "从表格导入 / import from a spreadsheet (evaluations, indicators)")(_configure)
def cmd_import(args) -> int:
    if args.what == "indicators":
        return import_indicators(args)
    if args.what != "evaluations":
        raise UsageError("请写要导入什么：site-builder import evaluations 考评表.xlsx --month 2025-04，或 "
                         "site-builder import indicators 指标表.xlsx --competition 竞赛编号 --month 2025-04")
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
        raise ContentErrors([Problem(shown, 1, 1, str(exc))]) from None  # the file itself: at its first cell
    posts, where, problems = parse(rows, shown)
    if problems:
        raise ContentErrors(problems.sorted())
    text, at = to_yaml(args.month, posts, args.file.name, args.by, args.evaluated_on)
    found, missing = check_against_site(args.site, args.month, text, at, where, shown, args.replace)
    if found:
        raise ContentErrors(sorted(set(found)))
    known = set(posts)
    _write(target, text)
    print(f"已导入 {len(known)} 个岗位 → {rel(target, args.site)}。请运行 site-builder check，再提交合并请求。")
    if missing:
        print(f"注意：{len(missing)} 个在创岗位不在表格里，这个月按“未考评”处理（site.yaml 的 missing_month）："
              f"{'、'.join(missing)}。", file=sys.stderr)
    return 0


def _head(title: str, what: str, values: str, month: str, source_file: str, date_key: str, date: dt.date | None,
          by: str | None, posts: dict) -> list[str]:
    """The first lines of a month's YAML made by ``import WHAT``, up to ``posts:``."""
    lines = [f"# {title} {month}：由 site-builder import {what} 从 {source_file} 导入。",
             f"# 改{values}请改原表格后重新导入（--replace），或直接改这里。",
             f"month: {month}"]
    if date:
        lines.append(f"{date_key}: {date.isoformat()}")
    if by:
        lines.append(f"by: {new.yaml_str(by)}")
    lines.append("posts:" if posts else "posts: {}")
    return lines


def _rows(args, target: Path) -> spreadsheets.Rows:
    """The table of ``args.file``, when ``target`` may be written (a month's file is replaced only with --replace)."""
    if target.exists() and not args.replace:
        raise UsageError(f"{rel(target, args.site)} 已经存在：要用表格替换它，请加 --replace。")
    try:
        return spreadsheets.read(args.file, args.sheet)
    except spreadsheets.SheetError as exc:
        raise ContentErrors([Problem(str(args.file), 1, 1, str(exc))]) from None  # the file itself: at its first cell


def _write(target: Path, text: str) -> None:
    """Write ``text`` to ``target`` whole (beside it, then renamed over it)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(text, encoding="utf-8", newline="\n")
    tmp.replace(target)


# -- import indicators: the month's entered values of a competition (岗位竞赛, model/competition.py) ----------

def parse_indicators(rows: spreadsheets.Rows, shown: str, entered: list) -> tuple[dict, dict, dict, Problems]:
    """Rows of one post each → ({post: {indicator: value}}, {post: (row, col)}, {indicator: col}, problems).

    A column per entered indicator, found by its name or id (a remark in brackets is ignored: 一次办结率（%）);
    a row whose indicator cells are all empty is left out (a missing month for that post)."""
    t = Table(shown)
    rows = [(n, cells) for n, cells in rows if cells]
    names = "、".join(i.name for i in entered)
    if not rows:
        t.error(1, 0, f"表格是空的：第一行写表头（岗位编号、{names}），以下每行一个岗位。")
        return {}, {}, {}, t.problems
    header_row, header = rows[0]
    wanted = {_norm(alias): key for key in ("post",) for alias in HEADERS["post"]}
    wanted.update({_norm(alias): i.id for i in entered for alias in (i.name, i.id)})
    columns = _columns(t, header_row, header, wanted)
    missing = [("岗位编号" if k == "post" else next(i.name for i in entered if i.id == k))
               for k in ("post", *(i.id for i in entered)) if k not in columns]
    if missing:
        t.error(header_row, 0, f"第 {header_row} 行（表头）缺少列：{'、'.join(missing)}。表头应为：岗位编号、{names}"
                               "（指标可写名称或编号，可加括号注明单位）；其他列（序号、单位、岗位名称等）会被忽略。")
        return {}, {}, {}, t.problems
    posts: dict[str, dict] = {}
    where: dict[str, tuple[int, int]] = {}
    for n, cells in rows[1:]:
        pid = _text(cells.get(columns["post"], ""))
        filled = [i for i in entered if _text(cells.get(columns[i.id], "")) != ""]
        if not pid:
            if filled:
                t.error(n, columns["post"], "缺少岗位编号：请填写 content/posts/ 里的文件名（不含 .yaml），或删除这一行。")
            continue
        if check_id(pid):
            t.error(n, columns["post"], f"岗位编号 `{pid}` 不合规：请写 content/posts/ 里的文件名（不含 .yaml）。")
            continue
        if pid in where:
            t.error(n, columns["post"], f"岗位 `{pid}` 已写在第 {where[pid][0]} 行：每个岗位只写一行。")
            continue
        where[pid] = (n, columns["post"])
        if not filled:
            continue  # no data this month: the competition's `missing` rule applies
        values = {}
        for i in entered:
            col = columns[i.id]
            value = cells.get(col)
            if value is None or _text(value) == "":
                t.error(n, col, f"缺少“{i.name}”：这个月没有数据的岗位请整行不填，不要只填一部分。")
                continue
            problem = _not_a_number(f"“{i.name}”", value)
            if problem:
                t.error(n, col, problem)
                continue
            number = _number(value, unit=i.unit, thousands=True)
            span = f"{'0–100 的' if i.unit == '%' else '不小于 0 的'}{'整数' if not i.decimals else f'数（最多 {i.decimals} 位小数）'}"
            if isinstance(value, str) and value.startswith("="):
                t.error(n, col, f"“{i.name}”是公式“{value}”，但表格里没有它的计算结果：请在 Excel/WPS 里打开、保存后再导入。")
            elif number is None:
                t.error(n, col, f"“{i.name}”的“{_text(value)}”不是数字：请填写{span}。")
            elif number < 0 or (i.unit == "%" and number > 100) or number > formats.MAX_INDICATOR_VALUE:
                t.error(n, col, f"“{i.name}” {_text(number)} 超出范围：请填写{span}。")
            elif round(number, i.decimals) != number:
                t.error(n, col, f"“{i.name}” {_text(number)} 的小数位多于 {i.decimals} 位：请四舍五入。")
            else:
                values[i.id] = int(number) if number.is_integer() and not i.decimals else round(number, i.decimals)
        posts[pid] = values
    for i in entered:  # 0.985 for 98.5 %: a percentage cell read as its fraction
        column = [(pid, v[i.id]) for pid, v in posts.items() if i.id in v]
        if i.unit == "%" and column and all(v <= 1 for _, v in column) and any(v not in (0, 1) for _, v in column):
            pid, value = next((p, v) for p, v in column if v not in (0, 1))
            t.error(where[pid][0], columns[i.id], f"“{i.name}”写成了 {_text(value)}，像是百分比的小数形式：请写成 "
                                                  f"{_text(round(value * 100, 4))}（把单元格格式改为“常规”或“数值”）。")
    if not where and not t.problems:
        t.error(header_row + 1, 0, "表头下面没有任何岗位：请确认选对了文件和工作表（--sheet）。")
    return posts, where, columns, t.problems


def indicators_yaml(month: str, posts: dict, entered: list, source_file: str, by: str | None,
                    entered_on: dt.date | None) -> tuple[str, dict[int, str], dict[tuple[int, int], str]]:
    """The month's YAML; the line of each post's key; (line, column) of each value's key → indicator id."""
    lines = _head("岗位竞赛量化指标", "indicators", "数值", month, source_file, "entered_on", entered_on, by, posts)
    at: dict[int, str] = {}
    keys: dict[tuple[int, int], str] = {}
    for pid in sorted(posts):
        line = f"  {pid}: {{"
        parts = []
        for i in entered:
            if i.id in posts[pid]:
                keys[len(lines) + 1, len(line) + len(", ".join(parts)) + (2 if parts else 0) + 1] = i.id
                value = posts[pid][i.id]
                parts.append(f"{i.id}: {value if isinstance(value, int) else f'{value:.{i.decimals}f}'}")
        at[len(lines) + 1] = pid
        lines.append(line + ", ".join(parts) + "}")
    return "\n".join(lines) + "\n", at, keys


def import_indicators(args) -> int:
    shown = str(args.file)
    if not args.file.is_file():
        raise UsageError(f"找不到文件 {args.file}")
    if not (args.site / "content" / "site.yaml").is_file():
        raise UsageError(f"{args.site} 不是站点文件夹（找不到 content/site.yaml）。")
    problems = Problems()
    raw = records.load(args.site, problems)
    rec = raw.competitions.get(args.competition)
    if rec is None:
        raise UsageError(f"找不到竞赛 `{args.competition}`{suggest(args.competition, raw.competitions)}：请用 "
                         "content/competitions/ 里的文件名（不含 .yaml），并先用 site-builder check 确认它没有问题。")
    if not rec["start"] <= args.month <= rec["end"]:
        raise UsageError(f"{args.month} 不在竞赛 `{args.competition}` 的竞赛期内（{rec['start']} 到 {rec['end']}）。")
    entered = [i for i in competition_model.indicators_of(rec) if i.entered]
    if not entered:
        raise UsageError(f"竞赛 `{args.competition}` 的指标都由考评记录派生，没有要录入的指标。")
    target = args.site / "content" / "indicators" / args.competition / f"{args.month}.yaml"
    posts, where, columns, found = parse_indicators(_rows(args, target), shown, entered)
    if found:
        raise ContentErrors(found.sorted())
    text, at, keys = indicators_yaml(args.month, posts, entered, args.file.name, args.by, args.entered_on)
    if raw.site is None:
        raise ContentErrors(problems.sorted())
    shown_target = f"content/indicators/{args.competition}/{args.month}.yaml"
    check = Problems()
    month_rec = load.parse_yaml(text, shown_target, formats.INDICATOR_VALUES, check)
    left_out: list[str] = []
    if month_rec is not None:
        raw.indicators[f"{args.competition}/{args.month}"] = month_rec
        model = model_mod.build(raw, check)
        if model is not None:
            ranked = {c.id: c for c in competition_model.build(raw, model, check)}
            result = ranked[args.competition].result(args.month) if args.competition in ranked else None
            left_out = sorted(e.post for s in (result.groups if result else ()) for e in s.entries
                              if e.post not in posts)
    cells = {key: columns[ind] for key, ind in keys.items()}
    mapped = _in_cells(check.sorted(), shown_target, at, where, shown, cells)
    if mapped:
        raise ContentErrors(sorted(set(mapped)))
    _write(target, text)
    print(f"已导入 {len(posts)} 个岗位的指标 → {rel(target, args.site)}。请运行 site-builder check，再提交合并请求。")
    if left_out:
        print(f"注意：{len(left_out)} 个参赛岗位这个月没有数据（不在表格里，或整行没填），按竞赛的 missing 规则计："
              f"{'、'.join(left_out)}。", file=sys.stderr)
    return 0
