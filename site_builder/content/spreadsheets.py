"""Read the first sheet of a workbook, or a .csv file, into numbered rows of cells.

Workbooks are read by python-calamine (Rust's calamine): Excel's .xlsx/.xlsm and .xlsb, the older .xls,
WPS's .et (an .xls-format file: calamine reads it like one) and LibreOffice's .ods. Formulas give their
saved result (what the office program last showed; a formula never calculated reads as an empty cell), dates
and times come as ``datetime`` values, never as day numbers. Rows and columns are numbered as the
spreadsheet program shows them (row 1, column 1 = A1), whatever empty rows and columns come first.

A .csv file saved by Excel on a Chinese Windows is GB18030 (GBK), elsewhere UTF-8 (often with a BOM):
both are accepted; the separator may be a comma, a tab or a semicolon.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import python_calamine

MAX_BOOK_BYTES = 50_000_000  # a month's table of a province is a few MB
MAX_CSV_BYTES = 20_000_000
BOOKS = {".xlsx": "Excel 工作簿", ".xlsm": "Excel 工作簿", ".xlsb": "Excel 二进制工作簿", ".xls": "Excel 97-2003 工作簿",
         ".et": "WPS 表格", ".ods": "OpenDocument 电子表格"}
TEXTS = (".csv", ".txt")

Cell = str | float | int | bool | dt.date | dt.datetime | dt.time | dt.timedelta | None
Rows = list[tuple[int, dict[int, Cell]]]  # (1-based row number, {1-based column: value})


class SheetError(Exception):
    """The file cannot be read as a table: a message saying what to do."""


def column_letter(col: int) -> str:
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def read_book(path: Path, sheet: str | None = None) -> Rows:
    size = path.stat().st_size
    if size > MAX_BOOK_BYTES:
        raise SheetError(f"工作簿太大（{size} 字节，最多 {MAX_BOOK_BYTES} 字节）：请只保留考评表这一张工作表。")
    kind = BOOKS[path.suffix.lower()]
    try:
        book = python_calamine.CalamineWorkbook.from_path(path)
    except python_calamine.PasswordError:
        raise SheetError(f"这个文件（{kind}）设了打开密码：请在 Excel/WPS 里取消密码（或另存一份不加密的）再导入。") from None
    except Exception:  # noqa: BLE001 - calamine's errors (zip, XML, OLE, "not a workbook") all mean the same here
        raise SheetError(f"无法读取这个文件（{kind}，{path.suffix}）：它可能已损坏，或其实是别的格式。请在 Excel/WPS 里"
                         "打开它，“另存为” Excel 工作簿（.xlsx）再导入。") from None
    with book:
        names = book.sheet_names
        if not names:
            raise SheetError("工作簿里没有工作表。")
        if sheet is not None and sheet not in names:
            raise SheetError(f"工作簿里没有名为“{sheet}”的工作表：有 {'、'.join(names)}。")
        try:
            values = book.get_sheet_by_name(sheet or names[0]).to_python(skip_empty_area=False)
        except Exception:  # noqa: BLE001
            raise SheetError(f"工作表“{sheet or names[0]}”无法读取：文件可能已损坏，请在 Excel/WPS 里另存为 .xlsx 再试。") \
                from None
    # skip_empty_area=False: the first row is row 1 and the first column A, as the office program numbers them
    return [(number, {col: value for col, value in enumerate(row, 1) if value != ""})
            for number, row in enumerate(values, 1)]


def read_csv(path: Path) -> Rows:
    data = path.read_bytes()
    if len(data) > MAX_CSV_BYTES:
        raise SheetError(f"文件太大（{len(data)} 字节）：请只保留考评表。")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes almost anything
        raise SheetError("无法识别文件编码：请另存为“CSV UTF-8（逗号分隔）”。")
    sample = text[:4096]
    delimiter = max(",\t;", key=sample.count)
    rows: Rows = []
    for number, fields in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1):
        cells = {i: f.strip() for i, f in enumerate(fields, 1) if f.strip()}
        rows.append((number, cells))
    return rows


def read(path: Path, sheet: str | None = None) -> Rows:
    suffix = path.suffix.lower()
    if suffix in BOOKS:
        return read_book(path, sheet)
    if suffix in TEXTS:
        return read_csv(path)
    if suffix == ".numbers":
        raise SheetError("不能直接读取 Numbers 文件：请在 Numbers 里“导出为” Excel（.xlsx）或 CSV。")
    raise SheetError("只能导入表格文件：" + "、".join(BOOKS) + " 或 .csv。")
