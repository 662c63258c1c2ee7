"""The table of every key and every limit in docs/content-format.md, made from the schema itself.

``python -m site_builder.commands.reference`` writes it into the document between its two marker lines;
tests/test_reference.py fails when the document's table is not what the schema says (so that a limit told
only in an error message, or a YAML comment, cannot happen again). Each key's row: whether it is required, how
it is written and its limits (``Type.describe()`` in content/schema.py), and what it is (``Field.doc``); a
record's rule (``Record.check``'s docstring) is said on the record's row. Below it, the limits that are not
in the schema: file sizes, members per post, story bodies, photos.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..content import formats, load, spreadsheets
from ..content.schema import Dict, Field, List, Record
from ..model import images, markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "content-format.md"
START = "<!-- 以下两张表由 site_builder/commands/reference.py 按格式定义生成，请勿手改：python -m site_builder.commands.reference -->"
END = "<!-- 生成的表格到此为止 -->"


def files() -> list[tuple[str, Record]]:
    """Every kind of content file that load reads, with its schema."""
    names = {"evaluations": "<YYYY-MM>", "indicators": "<竞赛编号>/<YYYY-MM>"}
    return [("content/site.yaml", formats.SITE),
            *((f"content/{folder}/{names.get(folder, '<编号>')}.yaml", schema)
              for folder, schema in (*load.FOLDERS.items(), *load.NESTED.items())),
            ("content/stories/<编号>.md 开头的信息块", formats.STORY)]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _default(field: Field) -> str:
    value = field.default
    if field.required or value is None or callable(value) or value == [] or value == {}:
        return ""
    if isinstance(value, bool):
        value = "true" if value else "false"
    return f"；默认 `{value}`"


def rows(record: Record, prefix: str = "", when: str = "是"):
    """(key, required, how it is written, what it is) of every key of ``record``, nested keys after their parent;
    ``when``: what "required" means inside it ("是", or "每项必填", "写了 `approval` 时必填")."""
    for key, field in record.fields.items():
        path = prefix + key
        kind = field.type
        yield f"`{path}`", when if field.required else "否", _cell(kind.describe() + _default(field)), _cell(field.doc)
        inner = when if field.required else f"写了 `{path}` 时必填"
        if isinstance(kind, Record):
            yield from rows(kind, path + ".", inner)
        elif isinstance(kind, List) and isinstance(kind.item, Record):
            yield from rows(kind.item, path + "[].", "每项必填")
        elif isinstance(kind, Dict) and isinstance(kind.value, Record):
            yield from rows(kind.value, f"{path}.<{kind.key.expected}>.", "每项必填")


def _merged(found: list[tuple[str, str, str, str]]) -> list[tuple[str, str, str, str]]:
    """Siblings written the same way (the four scores of a source, the weights) share one row."""
    out: list[tuple[str, str, str, str]] = []
    for key, required, how, what in found:
        if out:
            last_key, last_required, last_how, last_what = out[-1]
            parent = last_key.split("`")[1].rsplit(".", 1)[0]
            if (required, how) == (last_required, last_how) and key.strip("`").rsplit(".", 1)[0] == parent \
                    and "." in key and "下面几个键" not in how:
                out[-1] = (f"{last_key}、`{key.strip('`').rsplit('.', 1)[1]}`", required, how,
                           f"{last_what}、{what}" if what else last_what)
                continue
        out.append((key, required, how, what))
    return out


def other_limits() -> list[tuple[str, str]]:
    """The limits that are not keys: sizes of files, posts and bodies, photos, spreadsheets."""
    mb = 1_000_000
    return [
        ("每个 YAML 文件（站点设置、单位、岗位、党员）", f"最大 {load.MAX_YAML_BYTES // mb} MB"),
        ("每个考评文件", f"最大 {load.MAX_EVALUATION_BYTES // mb} MB"),
        ("每篇文章（.md 文件）", f"最大 {load.MAX_STORY_BYTES // 1000} KB；正文最多 {markdown.MAX_MARKDOWN_CHARS:,} 个字符、"
                            f"{markdown.MAX_LINES:,} 行（不算空行）、{markdown.MAX_BLOCKS:,} 段，嵌套（引用、列表）最多 "
                            f"{markdown.MAX_NESTING_DEPTH} 层，表格最多 {markdown.MAX_TABLE_CELLS:,} 个单元格"),
        ("每个示范岗公示的党员", f"最多 {formats.MAX_MEMBERS_PER_POST} 名（一人多岗时每个岗位各算一名）"),
        ("照片", f"JPEG、PNG 或 WebP，最大 {images.MAX_BYTES // mb} MB、{images.MAX_PIXELS // 10_000:,} 万像素"),
        ("导入的考评表（import evaluations）", f".csv 最大 {spreadsheets.MAX_CSV_BYTES // mb} MB；工作簿最大 "
                                          f"{spreadsheets.MAX_BOOK_BYTES // mb} MB"),
    ]


def table() -> str:
    lines = ["| 键 key | 必填 | 写法和限制 | 说明 |", "| --- | --- | --- | --- |"]
    for shown, schema in files():
        lines.append(f"| **{_cell(shown)}** | | | |")
        lines += [f"| {key} | {required} | {how} | {what} |" for key, required, how, what in _merged(list(rows(schema)))]
    lines += ["", "| 其他限制 | |", "| --- | --- |"]
    lines += [f"| {what} | {_cell(limit)} |" for what, limit in other_limits()]
    return "\n".join(lines) + "\n"


def document(text: str) -> str:
    """``text`` (docs/content-format.md) with the generated tables between the markers."""
    head, rest = text.split(START + "\n", 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n\n{table()}\n{END}{tail}"


def main() -> int:
    text = DOC.read_text(encoding="utf-8")
    new = document(text)
    if new != text:
        DOC.write_text(new, encoding="utf-8")
        print(f"updated {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
