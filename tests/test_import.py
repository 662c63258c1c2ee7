"""``site-builder import evaluations``: the office's spreadsheet → the month's YAML, or every bad cell.

Workbooks as offices save them (python-calamine reads them): tests/fixtures/sheets/ holds files written by
Excel and LibreOffice (python-calamine's own test files) and the evaluation table as .xls and .ods
(README.md there says where each comes from)."""

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml

from site_builder.content import spreadsheets as sheets
from support.sites import make_site, run
from support.xlsx import write_xlsx

HEADER = ["序号", "岗位编号", "岗位名称", "评价来源", "政治思想", "工作业绩", "优质服务", "示范作用", "备注"]
GOOD = [
    HEADER,
    [1, "tax-window", "办税服务窗口", "党员自评", 95, 94, 96, 93, None],
    [2, "tax-window", "办税服务窗口", "群众测评", 91, 90, 92, 89, "群众满意率 98.6%"],
    [3, "tax-window", "办税服务窗口", "组织考评", 90, 88, 93, 90, None],
]
TARGET = "content/evaluations/2025-06.yaml"
SHEETS = Path(__file__).parent / "fixtures" / "sheets"


def write_csv(path, rows, encoding="utf-8-sig"):
    text = "\r\n".join(",".join("" if v is None else str(v) for v in row) for row in rows) + "\r\n"
    path.write_bytes(text.encode(encoding))
    return path


def import_(capsys, site, file, *extra):
    return run(capsys, "import", "evaluations", file, site, "--month", "2025-06", *extra)


def scores_of(site):
    data = yaml.safe_load((site / TARGET).read_text(encoding="utf-8"))
    return data


def test_xlsx_round_trip(tmp_path, capsys):
    site = make_site(tmp_path)
    book = write_xlsx(tmp_path / "考评表.xlsx", GOOD)
    code, out, err = import_(capsys, site, book, "--by", "督导组")
    assert code == 0, err
    assert out == f"已导入 1 个岗位 → {TARGET}。请运行 site-builder check，再提交合并请求。\n"
    assert scores_of(site) == {"month": "2025-06", "by": "督导组", "posts": {"tax-window": {
        "self": {"politics": 95, "performance": 94, "service": 96, "exemplary": 93},
        "public": {"politics": 91, "performance": 90, "service": 92, "exemplary": 89},
        "organisation": {"politics": 90, "performance": 88, "service": 93, "exemplary": 90},
        "note": "群众满意率 98.6%"}}}
    assert run(capsys, "check", site)[0] == 0
    # the written month is what the site now shows
    assert run(capsys, "build", site)[0] == 0
    page = (site / "output/posts/tax-window/index.html").read_text(encoding="utf-8")
    assert "群众满意率 98.6%" in page


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_csv_gives_the_same_yaml(tmp_path, capsys, encoding):
    a, b = make_site(tmp_path / "a"), make_site(tmp_path / "b")
    assert import_(capsys, a, write_xlsx(tmp_path / "t.xlsx", GOOD))[0] == 0
    code, out, err = import_(capsys, b, write_csv(tmp_path / "t.csv", GOOD, encoding))
    assert code == 0, err
    body = lambda site: (site / TARGET).read_text(encoding="utf-8").split("\n", 1)[1]  # noqa: E731
    assert body(a) == body(b)


def test_bad_cells_reported_and_nothing_written(tmp_path, capsys):
    site = make_site(tmp_path)
    rows = [
        HEADER,
        [1, "tax-window", "办税服务窗口", "党员自评", 95, 101, 96, 93, None],
        [2, "tax-window", "办税服务窗口", "群众测评", "九十", 90, None, 89.5, None],
        [3, "tax-window", "办税服务窗口", "上级考评", 90, 88, 93, 90, None],
        [4, None, "无编号的行", "组织考评", 90, 88, 93, 90, None],
    ]
    book = write_xlsx(tmp_path / "bad.xlsx", rows)
    code, out, err = import_(capsys, site, book)
    assert code == 1
    shown = str(book)
    lines = sorted(line for line in err.splitlines() if line.startswith(shown))
    assert lines == sorted([
        f"{shown}:2:6: 党员自评的“工作业绩”分数 101 超出范围：应在 0 到 100 之间。（单元格 F2）",
        f"{shown}:2:4: 岗位 `tax-window` 缺少“组织考评”一行：每个岗位要有党员自评、群众测评、组织考评三行。（单元格 D2）",
        f"{shown}:3:5: 群众测评的“政治思想”分数“九十”不是数字：请填写 0–100 的整数。（单元格 E3）",
        f"{shown}:3:7: 缺少群众测评的“优质服务”分数：请填写 0–100 的整数（如果这里是公式，它没有保存计算结果或算出了错误值："
        "请在 Excel/WPS 里打开、检查、保存后再导入）。（单元格 G3）",
        f"{shown}:3:8: 群众测评的“示范作用”分数 89.5 不是整数：请四舍五入为整数。（单元格 H3）",
        f"{shown}:4:4: “上级考评”不是评价来源：请写 党员自评、群众测评 或 组织考评。（单元格 D4）",
        f"{shown}:5:2: 缺少岗位编号：请填写 content/posts/ 里的文件名（不含 .yaml），或删除这一行。（单元格 B5）",
    ])
    assert not (site / TARGET).exists()


def test_unknown_and_unapproved_posts_are_reported_at_their_cells(tmp_path, capsys):
    site = make_site(tmp_path)
    rows = [["岗位编号", "评价来源", "政治思想", "工作业绩", "优质服务", "示范作用"]]
    for pid in ("tax-windw", "tax-declared"):
        rows += [[pid, source, 90, 90, 90, 90] for source in ("自评", "群众", "组织")]
    csv = write_csv(tmp_path / "refs.csv", rows)
    code, out, err = import_(capsys, site, csv)
    assert code == 1
    shown = str(csv)
    assert f"{shown}:2:1: 找不到示范岗 `tax-windw`（是不是想写 `tax-window`？）。（单元格 A2）" in err
    assert f"{shown}:5:1: 示范岗 `tax-declared` 尚未批复，不能考评：请先在岗位文件里填写 approval。（单元格 A5）" in err
    assert not (site / TARGET).exists()


def test_month_before_approval(tmp_path, capsys):
    site = make_site(tmp_path)
    code, out, err = run(capsys, "import", "evaluations", write_csv(tmp_path / "t.csv", GOOD), site,
                         "--month", "2024-12")
    assert code == 1
    assert "t.csv:2:2: 示范岗 `tax-window` 2025-01-20 才批复，不能有 2024-12 的考评。（单元格 B2）" in err
    assert not (site / "content/evaluations/2024-12.yaml").exists()


def test_missing_columns(tmp_path, capsys):
    site = make_site(tmp_path)
    csv = write_csv(tmp_path / "cols.csv", [["岗位编号", "来源", "政治思想", "业绩"], ["tax-window", "自评", 1, 2]])
    code, out, err = import_(capsys, site, csv)
    assert code == 1
    assert f"{csv}:1:1: 第 1 行（表头）缺少列：工作业绩、优质服务、示范作用。" in err and "（单元格 A1）" in err


def test_existing_month_needs_replace(tmp_path, capsys):
    site = make_site(tmp_path)
    book = write_xlsx(tmp_path / "t.xlsx", GOOD)
    code, out, err = run(capsys, "import", "evaluations", book, site, "--month", "2025-05")
    assert code == 2
    assert "content/evaluations/2025-05.yaml 已经存在：要用表格替换它，请加 --replace。" in err
    code, out, err = run(capsys, "import", "evaluations", book, site, "--month", "2025-05", "--replace")
    assert code == 0, err
    assert "群众满意率 98.6%" in (site / "content/evaluations/2025-05.yaml").read_text(encoding="utf-8")
    assert run(capsys, "check", site)[0] == 0


def test_broken_and_locked_workbooks_say_what_to_do(tmp_path, capsys):
    site = make_site(tmp_path)
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    code, out, err = import_(capsys, site, xls)
    assert code == 1
    assert (f"{xls}:1:1: 无法读取这个文件（Excel 97-2003 工作簿，.xls）：它可能已损坏，或其实是别的格式。请在 Excel/WPS 里"
            "打开它，“另存为” Excel 工作簿（.xlsx）再导入。") in err
    code, out, err = import_(capsys, site, SHEETS / "calamine-password.xlsx")
    assert code == 1 and "calamine-password.xlsx:1:1: 这个文件（Excel 工作簿）设了打开密码：请在 Excel/WPS 里取消密码" in err
    numbers = tmp_path / "t.numbers"
    numbers.write_bytes(b"PK")
    code, out, err = import_(capsys, site, numbers)
    assert code == 1 and "不能直接读取 Numbers 文件：请在 Numbers 里“导出为” Excel（.xlsx）或 CSV。" in err
    assert "Traceback" not in err and not (site / TARGET).exists()


# What Excel, LibreOffice and python-calamine's tests wrote: the second row of Sheet1 (its first row is empty)
BASE_ROW = {1: "String", 2: 1.0, 3: 1.1, 4: True, 5: False, 6: dt.date(2010, 10, 10),
            7: dt.datetime(2010, 10, 10, 10, 10, 10), 8: dt.time(10, 10, 10)}


@pytest.mark.parametrize("suffix", [".xlsx", ".xlsb", ".xls", ".ods", ".et"])
def test_every_office_format_is_read_with_its_rows_columns_and_dates(tmp_path, suffix):
    """Row and column numbers are the office program's (the empty first row is row 1); dates are dates.
    A WPS .et file is an .xls-format file: calamine reads it as one (here the .xls saved under .et)."""
    source = SHEETS / f"calamine-base{'.xls' if suffix == '.et' else suffix}"
    book = shutil.copy(source, tmp_path / f"base{suffix}")
    rows = sheets.read(Path(book))
    assert rows[0] == (1, {})
    number, cells = rows[1]
    assert number == 2
    assert {col: cells[col] for col in BASE_ROW} == BASE_ROW
    assert sheets.column_letter(6) == "F"  # the date is cell F2


@pytest.mark.parametrize("name", ["evaluation-2025-06.xls", "evaluation-2025-06.ods"])
def test_the_evaluation_table_as_xls_et_and_ods(tmp_path, capsys, name):
    """The same table saved as .xls (also under WPS's .et) and .ods gives the YAML the .xlsx gives."""
    expected_site = make_site(tmp_path / "xlsx")
    assert import_(capsys, expected_site, write_xlsx(tmp_path / "t.xlsx", GOOD))[0] == 0
    expected = (expected_site / TARGET).read_text(encoding="utf-8").split("\n", 1)[1]
    copies = [SHEETS / name] + ([shutil.copy(SHEETS / name, tmp_path / "考评表.et")] if name.endswith(".xls") else [])
    for i, book in enumerate(copies):
        site = make_site(tmp_path / f"site{i}")
        code, out, err = import_(capsys, site, book, "--sheet", "考评表")
        assert code == 0, err
        assert (site / TARGET).read_text(encoding="utf-8").split("\n", 1)[1] == expected
        assert run(capsys, "check", site)[0] == 0


@pytest.mark.parametrize("name", ["evaluation-2025-06.xls", "evaluation-2025-06.ods"])
def test_bad_cells_of_an_xls_and_ods_are_named_a1_style_and_a_date_is_a_date(tmp_path, capsys, name):
    site = make_site(tmp_path)
    book = SHEETS / name
    code, out, err = import_(capsys, site, book, "--sheet", "有误")
    assert code == 1
    lines = sorted(line for line in err.splitlines() if line.startswith(str(book)))
    assert lines == sorted([
        f"{book}:2:6: 党员自评的“工作业绩”分数是日期或时间“2025-04-03”，不是数字：单元格格式可能被设成了日期，"
        "请改为“常规”或“数值”后重新填写。（单元格 F2）",
        f"{book}:3:5: 群众测评的“政治思想”分数“九十”不是数字：请填写 0–100 的整数。（单元格 E3）",
        f"{book}:3:7: 缺少群众测评的“优质服务”分数：请填写 0–100 的整数（如果这里是公式，它没有保存计算结果或算出了错误值："
        "请在 Excel/WPS 里打开、检查、保存后再导入）。（单元格 G3）",
        f"{book}:3:8: 群众测评的“示范作用”分数 89.5 不是整数：请四舍五入为整数。（单元格 H3）",
        f"{book}:4:8: 组织考评的“示范作用”分数 101 超出范围：应在 0 到 100 之间。（单元格 H4）",
    ])
    code, out, err = import_(capsys, site, book, "--sheet", "考评")
    assert code == 1 and f"{book}:1:1: 工作簿里没有名为“考评”的工作表：有 考评表、有误。" in err
    assert not (site / TARGET).exists()


def test_reader_handles_inline_strings_and_sparse_rows(tmp_path):
    book = write_xlsx(tmp_path / "i.xlsx", [["a", None, "c"], [], [1.5, "x"]], inline=True)
    assert sheets.read(book) == [(1, {1: "a", 3: "c"}), (2, {}), (3, {1: 1.5, 2: "x"})]
    assert sheets.column_letter(1) == "A" and sheets.column_letter(28) == "AB"


def test_xml_entities_in_an_xlsx_are_never_expanded(tmp_path):
    """A "billion laughs" workbook: calamine's XML reader does not expand entities, it refuses the file."""
    import zipfile
    book = write_xlsx(tmp_path / "e.xlsx", GOOD)
    evil = tmp_path / "evil.xlsx"
    laughs = (b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
              b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>\n')
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(evil, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/sharedStrings.xml":
                data = data.replace(b"?>\n", b"?>\n" + laughs, 1).replace(b"<t>\xe5\xa4\x87\xe6\xb3\xa8</t>", b"<t>&c;</t>")
            dst.writestr(item, data)
    with pytest.raises(sheets.SheetError, match="无法读取这个文件"):
        sheets.read(evil)


def test_posts_missing_from_the_table_are_named(tmp_path, capsys):
    guide = ("name: 导税服务岗\nunit: tax\ndeclared: 2025-01-10\napproval: {date: 2025-01-20, number: 测先教办〔2025〕2号}\n"
             "feedback: {book: 大厅入口, phone: 0571-86001113}\n")
    site = make_site(tmp_path, {"content/posts/tax-guide.yaml": guide})
    code, out, err = import_(capsys, site, write_xlsx(tmp_path / "t.xlsx", GOOD))
    assert code == 0, err
    assert "注意：1 个在创岗位不在表格里，这个月按“未考评”处理（site.yaml 的 missing_month）：tax-guide。" in err
    assert list(scores_of(site)["posts"]) == ["tax-window"]


def test_empty_table_is_refused(tmp_path, capsys):
    site = make_site(tmp_path)
    empty = write_csv(tmp_path / "empty.csv", [HEADER, []])
    code, out, err = import_(capsys, site, empty)
    assert code == 1
    assert f"{empty}:2:1: 表头下面没有任何岗位的分数：请确认选对了文件和工作表（--sheet）。（单元格 A2）" in err
    assert not (site / TARGET).exists()
