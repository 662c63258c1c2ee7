"""The competition's paper (岗位竞赛, issue 15): the month's 竞赛光荣榜 (A3) and the 流动红旗 certificates (A4) as
one-page PDFs whose QR codes decode to pages the built site has; the fullest board still fits; ``pdf --stale``
after an indicator file was corrected; and ``site-builder import indicators`` from a spreadsheet, with every
bad cell reported as file:row:column."""

from __future__ import annotations

import copy
import shutil
import subprocess
from pathlib import Path

import pytest

from site_builder.commands.main import main
from site_builder.errors import Problem
from site_builder.incremental.pipeline import build_model
from site_builder.printing import competition as PC
from support import require
from support.sites import ROOT, make_site, run
from support.xlsx import write_xlsx
from test_competition import COMPETITION, competition_site
from test_pdf import page_size, pages, printed_in_git, qr_codes, text_of

BASE = "https://shifangang.qingchuan.example.cn/"


def needs_pdf_tools():
    for name in ("pdfinfo", "pdftotext", "pdftoppm", "zbarimg"):
        require(shutil.which(name) is not None, f"{name} missing: apt-get install poppler-utils zbar-tools")
    try:
        import weasyprint  # noqa: F401
    except ImportError:
        require(False, "WeasyPrint missing: pip install 'site-builder[pdf]'")


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    needs_pdf_tools()
    tmp = tmp_path_factory.mktemp("competition-pdf")
    assert main(["pdf", str(ROOT), "--competition", "xianfeng-2025", "--month", "2025-05", "--month", "2026-02",
                 "-o", str(tmp / "pdf"), "-q"]) == 0
    assert main(["build", str(ROOT), "-o", str(tmp / "site"), "-q"]) == 0
    return tmp / "pdf" / "competition-xianfeng-2025", tmp / "site"


def test_the_months_result_board_is_one_a3_page_with_a_qr_code_to_the_months_page(printed, tmp_path):
    folder, site = printed
    board = folder / "xianfeng-2025-2026-02-competition.pdf"
    assert pages(board) == 1 and page_size(board) == (297, 420)
    text = text_of(board)
    for phrase in ("竞赛光荣榜", "2026年2月", "月度流动红旗", "年度岗位先进", "并列第1名", "不动产登记“一窗受理”窗口",
                   "供水管网24小时抢修岗", "↑1", "扫码查看完整排名", "办件量（20%）", "指纹"):
        assert phrase in text, phrase
    codes = qr_codes(board, tmp_path)
    assert codes == [BASE + "competition/xianfeng-2025/2026-02/"]
    assert (site / "competition/xianfeng-2025/2026-02/index.html").is_file()


def test_each_red_flag_is_a_one_page_a4_certificate_with_a_qr_code(printed, tmp_path):
    folder, site = printed
    flags = sorted(p.name for p in folder.glob("*-flag.pdf"))
    # May: the two windows share the window group's flag (equal month scores)
    assert "xianfeng-2025-2025-05-xishan-shuiwu-banshui-window-flag.pdf" in flags
    assert "xianfeng-2025-2025-05-zrzy-budongchan-window-flag.pdf" in flags
    assert len([f for f in flags if "2026-02" in f]) == 3  # one a group
    flag = folder / "xianfeng-2025-2025-05-zrzy-budongchan-window-flag.pdf"
    assert pages(flag) == 1 and page_size(flag) == (297, 210)
    text = text_of(flag)
    assert "月度流动红旗" in text and "不动产登记“一窗受理”窗口" in text and "（并列）" in text and "2025年5月窗口部门" in text
    assert qr_codes(flag, tmp_path) == [BASE + "competition/xianfeng-2025/2025-05/"]
    assert (site / "competition/xianfeng-2025/2025-05/index.html").is_file()


def test_the_print_pages_are_in_the_site(printed):
    _, site = printed
    assert (site / "print/competition/xianfeng-2025/2026-02/index.html").is_file()
    assert (site / "print/competition/xianfeng-2025/2025-05/flag-zrzy-budongchan-window/index.html").is_file()


@pytest.mark.parametrize("groups,name", [(8, 20), (4, 40)])
def test_the_fullest_board_fits_one_page(groups, name):
    """What the board is designed for (docs/printing.md): eight groups with post and unit names of 20 characters, or
    four with 40, the most places each (printing/competition.rows_for), and every kind of award decided in the month
    in each group; the layout tightens (density) until it is one page."""
    needs_pdf_tools()
    from site_builder.commands.pdf import Printer

    model = build_model(ROOT)
    board = next(b for b in PC.competition_boards(model) if b.kind.name == "competition" and b.month == "2026-02")
    data = copy.deepcopy(board.data)
    row = {"rank": 10, "tied": True, "post": "名" * name, "unit": "单" * name, "score": 99.99, "month_score": 99.99,
           "movement": -10, "new": False}
    data["groups"] = [{"name": "组" * 15, "ranked": 200, "rows": [row] * PC.rows_for(groups)} for _ in range(groups)]
    award = data["awards"][0]
    data["awards"] = [{**award, "post": "名" * name, "unit": "单" * name, "kind": kind, "number": 4, "tied": True}
                      for kind in ("month", "quarter", "period") for _ in range(groups)]
    test = PC.CompetitionBoard(board.kind, board.id, board.unit, board.post, None, data, lang="zh-CN",
                               as_of=board.as_of, density=PC.board_density(data), competition=board.competition,
                               month=board.month)
    doc = Printer(ROOT, model).document(test)
    assert not isinstance(doc, Problem), doc  # Printer.document gives up after the tightest layout
    assert len(doc.pages) == 1


@pytest.fixture
def history(tmp_path):
    return printed_in_git(competition_site(tmp_path))


def test_a_corrected_indicator_file_lists_the_boards_to_reprint(history, capsys):
    path = history / "content/indicators/c2025/2025-02.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("cases: 200", "cases: 20"), encoding="utf-8")
    code, out, err = run(capsys, "pdf", history, "--stale", "HEAD", "--kind", "competition")
    assert code == 0, err
    rows = [line.split() for line in out.splitlines()[1:]]
    # February's board and March's (whose standings average February in) change; January's does not
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        ("重印", "竞赛光荣榜", "competition-c2025", "c2025-2025-02"),
        ("重印", "竞赛光荣榜", "competition-c2025", "c2025-2025-03")]
    assert rows[0][-1] == "print/competition/c2025/2025-02/"


def test_unknown_competition_and_month_are_usage_errors(tmp_path, capsys):
    site = competition_site(tmp_path)
    code, _, err = run(capsys, "pdf", site, "--competition", "c2024")
    assert code == 2 and "找不到竞赛 `c2024`（是不是想写 `c2025`？）" in err
    code, _, err = run(capsys, "pdf", site, "--month", "2025-05")
    assert code == 2 and "2025-05 没有竞赛排名" in err


# -- import indicators -----------------------------------------------------------------------------------------

HEADER = ["序号", "岗位编号", "岗位名称", "办件量（件）", "一次办结率（%）"]


def test_import_from_a_workbook_writes_the_months_file(tmp_path, capsys):
    site = competition_site(tmp_path)
    book = write_xlsx(tmp_path / "指标.xlsx", [HEADER, [1, "tax-window", "办税服务窗口", 330, 98.7],
                                               [2, "tax-hall", "办税咨询岗", 210.0, "97.5%"]])
    code, out, err = run(capsys, "import", "indicators", book, site, "--competition", "c2025", "--month", "2025-04",
                         "--by", "测试市先教办", "--entered-on", "2025-05-05")
    assert code == 0, err
    assert "已导入 2 个岗位的指标 → content/indicators/c2025/2025-04.yaml" in out
    text = (site / "content/indicators/c2025/2025-04.yaml").read_text(encoding="utf-8")
    assert text.splitlines()[2:] == ["month: 2025-04", "entered_on: 2025-05-05", "by: 测试市先教办", "posts:",
                                     "  tax-hall: {cases: 210, rate: 97.5}", "  tax-window: {cases: 330, rate: 98.7}"]
    assert run(capsys, "check", site)[0] == 0
    code, _, err = run(capsys, "import", "indicators", book, site, "--competition", "c2025", "--month", "2025-04")
    assert code == 2 and "已经存在：要用表格替换它，请加 --replace" in err


def test_bad_cells_are_reported_at_their_row_and_column_and_nothing_is_written(tmp_path, capsys):
    site = competition_site(tmp_path)
    book = write_xlsx(tmp_path / "指标.xlsx", [
        HEADER,
        [1, "tax-window", "办税服务窗口", "三百", 98.7],
        [2, "tax-hall", "办税咨询岗", 210, 101],
        [3, "tax-hall", "重复", 1, 2],
        [4, "tax-windw", "", 1, 97.0],
        [5, "tax-declared", "", 1, 97.0],
        [6, None, "没有编号", 5, 90],
        [7, "Tax Hall", "", 5, 90],
        [8, "tax-window", "", 5, None],
    ])
    code, _, err = run(capsys, "import", "indicators", book, site, "--competition", "c2025", "--month", "2025-04")
    assert code == 1
    lines = [line for line in err.splitlines() if line.startswith(str(book))]
    shown = str(book)
    expected = [
        f"{shown}:2:4: “办件量”的“三百”不是数字：请填写不小于 0 的整数。（单元格 D2）",
        f"{shown}:3:5: “一次办结率” 101 超出范围：请填写0–100 的数（最多 1 位小数）。（单元格 E3）",
        f"{shown}:4:2: 岗位 `tax-hall` 已写在第 3 行：每个岗位只写一行。（单元格 B4）",
        f"{shown}:7:2: 缺少岗位编号：请填写 content/posts/ 里的文件名（不含 .yaml），或删除这一行。（单元格 B7）",
        f"{shown}:8:2: 岗位编号 `Tax Hall` 不合规：请写 content/posts/ 里的文件名（不含 .yaml）。（单元格 B8）",
        f"{shown}:9:2: 岗位 `tax-window` 已写在第 2 行：每个岗位只写一行。（单元格 B9）",
    ]
    assert lines == expected, lines
    assert not (site / "content/indicators/c2025/2025-04.yaml").exists()
    # the cells are fine, the site says no: unknown and unapproved posts, at their cells
    book = write_xlsx(tmp_path / "指标2.xlsx", [HEADER, [1, "tax-windw", "", 1, 97.0], [2, "tax-declared", "", 1, 97.0]])
    code, _, err = run(capsys, "import", "indicators", book, site, "--competition", "c2025", "--month", "2025-04")
    assert code == 1
    assert f"{book}:2:2: 找不到示范岗 `tax-windw`（是不是想写 `tax-window`？）" in err
    assert f"{book}:3:2: 示范岗 `tax-declared` 尚未批复，不参加竞赛：请删除这一项。（单元格 B3）" in err


def test_a_percentage_read_as_a_fraction_is_refused(tmp_path, capsys):
    site = competition_site(tmp_path)
    book = write_xlsx(tmp_path / "指标.xlsx", [HEADER, [1, "tax-window", "", 330, 0.987], [2, "tax-hall", "", 3, 1]])
    competition = COMPETITION.replace("    decimals: 1\n", "    decimals: 2\n")  # 0.99 has two decimals: allowed
    (site / "content/competitions/c2025.yaml").write_text(competition, encoding="utf-8")
    book = write_xlsx(tmp_path / "指标.xlsx", [HEADER, [1, "tax-window", "", 330, 0.99], [2, "tax-hall", "", 3, 1]])
    code, _, err = run(capsys, "import", "indicators", book, site, "--competition", "c2025", "--month", "2025-04")
    assert code == 1 and f"{book}:2:5: “一次办结率”写成了 0.99，像是百分比的小数形式：请写成 99" in err


def test_a_row_left_empty_is_a_missing_month_and_is_named(tmp_path, capsys):
    site = competition_site(tmp_path)
    book = write_xlsx(tmp_path / "指标.xlsx", [HEADER, [1, "tax-window", "", 330, 98.7], [2, "tax-hall", "办税咨询岗"]])
    code, out, err = run(capsys, "import", "indicators", book, site, "--competition", "c2025", "--month", "2025-04")
    assert code == 0, err
    assert "注意：1 个参赛岗位这个月没有数据" in err and "tax-hall" in err
    assert "tax-hall" not in (site / "content/indicators/c2025/2025-04.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("argv,message", [
    (["--competition", "c2024", "--month", "2025-04"], "找不到竞赛 `c2024`（是不是想写 `c2025`？）"),
    (["--competition", "c2025", "--month", "2025-08"], "2025-08 不在竞赛 `c2025` 的竞赛期内（2025-01 到 2025-06）"),
])
def test_unknown_competition_or_month_outside_the_period(tmp_path, capsys, argv, message):
    site = competition_site(tmp_path)
    book = write_xlsx(tmp_path / "指标.xlsx", [HEADER, [1, "tax-window", "", 330, 98.7]])
    code, _, err = run(capsys, "import", "indicators", book, site, *argv)
    assert code == 2 and message in err


def test_missing_columns_are_named(tmp_path, capsys):
    site = competition_site(tmp_path)
    book = write_xlsx(tmp_path / "指标.xlsx", [["岗位编号", "办件量"], ["tax-window", 3]])
    code, _, err = run(capsys, "import", "indicators", book, site, "--competition", "c2025", "--month", "2025-04")
    assert code == 1 and f"{book}:1:" in err and "第 1 行（表头）缺少列：一次办结率。表头应为：岗位编号、办件量、一次办结率" in err
