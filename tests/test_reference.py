"""docs/content-format.md's table of every key and limit is what the schema says (issue 12, point 9): a limit told
only in an error message or a YAML comment (record text ≤ 300, story author ≤ 40, the pledge's 40) cannot happen
again, and the table cannot drift from the checks."""

from site_builder.commands import reference
from site_builder.content import formats
from support.sites import ROOT

DOC = (ROOT / "docs" / "content-format.md").read_text(encoding="utf-8")


def test_the_table_in_the_document_is_the_schemas():
    assert reference.document(DOC) == DOC, (
        "docs/content-format.md's table differs from the schema: run `python -m site_builder.commands.reference` "
        "and commit the document")


def test_the_limits_editors_were_not_told_are_in_it():
    table = reference.table()
    assert f"| `records[].text` | 每项必填 | 文字，可分段（空一行分段），最多 300 字 | 对照标准的情况 |" in table
    assert "| `author` | 是 | 文字，一行，最多 40 字 | 作者 |" in table
    assert f"| `pledge` | 是 | 文字，一行，最多 {formats.MAX_PLEDGE} 字 | 一句岗位承诺 |" in table
    assert "| `feedback` | 是 | 下面几个键；至少写一项 |" in table
    assert f"最多 {formats.MAX_MEMBERS_PER_POST} 名" in table


def test_every_key_of_every_file_kind_has_a_row():
    table = reference.table()
    for shown, schema in reference.files():
        assert f"**{shown}**" in table
        for key, *_ in reference.rows(schema):
            name = key.strip("`").rsplit(".", 1)[-1]
            assert f"`{name}`" in table or key in table, key
