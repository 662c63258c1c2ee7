"""Read the first sheet of an .xlsx workbook, or a .csv file, into numbered rows of cells.

No dependency: an .xlsx file is a zip of XML parts (ECMA-376), and the few parts a table of
values needs (the workbook, its relationships, the shared strings, one worksheet) are read with
``zipfile`` and ``xml.etree``. Formulas give their cached result (what Excel last showed). Files are
limited in size, and XML with a DOCTYPE (entity tricks) is refused.

A .csv file saved by Excel on a Chinese Windows is GB18030 (GBK), elsewhere UTF-8 (often with a BOM):
both are accepted; the separator may be a comma, a tab or a semicolon.
"""

from __future__ import annotations

import csv
import io
import posixpath
import re
import zipfile
import xml.etree.ElementTree as ET
from pathlib import Path

MAX_PART_BYTES = 50_000_000  # uncompressed size of any part we read
MAX_CSV_BYTES = 20_000_000

Cell = str | float | bool | None
Rows = list[tuple[int, dict[int, Cell]]]  # (1-based row number, {1-based column: value})


class SheetError(Exception):
    """The file cannot be read as a table: a message saying what to do."""


def column_letter(col: int) -> str:
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(elem, name: str):
    return [c for c in elem if _local(c.tag) == name]


def _text(elem) -> str:
    """The text of a shared or inline string: every <t>, except phonetic runs (<rPh>)."""
    out = []
    for child in elem:
        name = _local(child.tag)
        if name == "t":
            out.append(child.text or "")
        elif name == "r":
            out.extend(t.text or "" for t in _children(child, "t"))
    return "".join(out)


def _part(zf: zipfile.ZipFile, name: str) -> ET.Element:
    try:
        info = zf.getinfo(name)
    except KeyError:
        raise SheetError(f"工作簿里缺少 {name}：文件可能已损坏，请在 Excel/WPS 里另存为 .xlsx 再试。") from None
    if info.file_size > MAX_PART_BYTES:
        raise SheetError(f"工作簿太大（{name} 解压后 {info.file_size} 字节）：请只保留考评表这一张工作表。")
    data = zf.read(info)
    if b"<!DOCTYPE" in data[:2000].upper():
        raise SheetError("工作簿的 XML 含有 DOCTYPE，不予读取：请在 Excel/WPS 里另存为 .xlsx。")
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise SheetError(f"工作簿的 {name} 无法解析（{exc}）：请在 Excel/WPS 里另存为 .xlsx 再试。") from None


def _rels(zf: zipfile.ZipFile, source: str) -> dict[str, str]:
    """Relationship id → part name, for the part ``source``."""
    folder, name = posixpath.split(source)
    rels_name = posixpath.join(folder, "_rels", name + ".rels")
    if rels_name not in zf.namelist():
        return {}
    out = {}
    for rel in _part(zf, rels_name):
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External":
            continue
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out[rel.get("Id", "")] = path
    return out


def read_xlsx(path: Path, sheet: str | None = None) -> Rows:
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise SheetError("这不是 .xlsx 文件（可能是旧的 .xls 格式，或设了打开密码）：请在 Excel/WPS 里"
                         "“另存为” Excel 工作簿（.xlsx）或 CSV。") from None
    with zf:
        root_rels = _rels(zf, "")
        book_name = next((p for p in root_rels.values() if p.endswith(".xml") and "workbook" in p), "xl/workbook.xml")
        book = _part(zf, book_name)
        book_rels = _rels(zf, book_name)
        sheets = [s for c in _children(book, "sheets") for s in _children(c, "sheet")]
        if not sheets:
            raise SheetError("工作簿里没有工作表。")
        chosen = sheets[0]
        if sheet is not None:
            chosen = next((s for s in sheets if s.get("name") == sheet), None)
            if chosen is None:
                names = "、".join(s.get("name", "") for s in sheets)
                raise SheetError(f"工作簿里没有名为“{sheet}”的工作表：有 {names}。")
        rid = next((v for k, v in chosen.attrib.items() if _local(k) == "id"), "")
        sheet_name = book_rels.get(rid, "xl/worksheets/sheet1.xml")
        shared: list[str] = []
        for target in book_rels.values():
            if target.endswith("sharedStrings.xml"):
                shared = [_text(si) for si in _children(_part(zf, target), "si")]
        ws = _part(zf, sheet_name)
    rows: Rows = []
    for data in _children(ws, "sheetData"):
        for n, row in enumerate(_children(data, "row"), 1):
            number = int(row.get("r") or (rows[-1][0] + 1 if rows else n))
            cells: dict[int, Cell] = {}
            for i, c in enumerate(_children(row, "c"), 1):
                ref = c.get("r")
                m = re.fullmatch(r"([A-Z]+)(\d+)", ref or "")
                col = (sum((ord(ch) - 64) * 26 ** k for k, ch in enumerate(reversed(m.group(1)))) if m
                       else (max(cells) + 1 if cells else i))
                kind = c.get("t", "n")
                v = next(iter(_children(c, "v")), None)
                if kind == "inlineStr":
                    box = next(iter(_children(c, "is")), None)
                    value: Cell = _text(box) if box is not None else ""
                elif v is None or v.text is None:
                    f = next(iter(_children(c, "f")), None)  # a formula never calculated: "=A1+B1"
                    value = f"={f.text}" if f is not None and f.text else None
                elif kind == "s":
                    try:
                        value = shared[int(v.text)]
                    except (ValueError, IndexError):
                        value = None
                elif kind == "b":
                    value = v.text.strip() == "1"
                elif kind in ("str", "e"):
                    value = v.text
                else:
                    try:
                        value = float(v.text)
                    except ValueError:
                        value = v.text
                if value is not None and value != "":
                    cells[col] = value
            rows.append((number, cells))
    return rows


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
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path, sheet)
    if suffix in (".csv", ".txt"):
        return read_csv(path)
    if suffix in (".xls", ".et", ".ods", ".numbers"):
        raise SheetError(f"不能直接读取 {suffix} 文件：请在 Excel/WPS 里“另存为” Excel 工作簿（.xlsx）或 CSV。")
    raise SheetError("只能导入 .xlsx 或 .csv 文件。")
