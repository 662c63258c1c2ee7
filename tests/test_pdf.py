"""``site-builder pdf``: every board kind as a PDF that prints right the first time (WeasyPrint), and
``--stale``. The PDFs are checked with poppler (pdfinfo, pdftotext, pdffonts, pdftoppm) and zbarimg."""

from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from site_builder.printing import boards as B
from site_builder.commands.main import main
from site_builder.incremental.pipeline import build_model
from support import require
from support.boards import LONG_POST, PLEDGE, POSITION, worst_case_site
from support.sites import MINI, ROOT, make_site, run, tree

TOOLS = ("pdfinfo", "pdftotext", "pdffonts", "pdftoppm", "zbarimg")
MM = 72 / 25.4


@pytest.fixture(autouse=True)
def tools():
    for tool in TOOLS:
        require(shutil.which(tool) is not None, f"{tool} missing: apt-get install poppler-utils zbar-tools")
    try:
        import weasyprint  # noqa: F401
    except ImportError:
        require(False, "WeasyPrint missing: pip install 'site-builder[pdf]'")


def tool(*argv: str) -> str:
    return subprocess.run(argv, capture_output=True, text=True, check=True).stdout


def pages(pdf: Path) -> int:
    return int(re.search(r"^Pages:\s+(\d+)", tool("pdfinfo", str(pdf)), re.M).group(1))


def page_size(pdf: Path, page: int = 1) -> tuple[float, float]:
    """(width, height) in millimetres of one page."""
    info = tool("pdfinfo", "-f", str(page), "-l", str(page), str(pdf))
    w, h = re.search(rf"^Page\s+(?:{page}\s+)?size:\s+([\d.]+) x ([\d.]+) pts", info, re.M).groups()
    return round(float(w) / MM, 1), round(float(h) / MM, 1)


def text_of(pdf: Path) -> str:
    return re.sub(r"\s+", "", tool("pdftotext", "-enc", "UTF-8", str(pdf), "-"))


def embedded_fonts(pdf: Path) -> list[str]:
    """Names of the fonts embedded in the PDF (pdffonts' `emb` column says yes)."""
    names = []
    for line in tool("pdffonts", str(pdf)).splitlines()[2:]:
        fields = line.split()
        if len(fields) >= 7 and fields[-5] == "yes":
            names.append(fields[0])
    return names


def qr_codes(pdf: Path, tmp_path: Path) -> list[str]:
    prefix = tmp_path / pdf.stem
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", str(pdf), str(prefix)], check=True)
    png = sorted(tmp_path.glob(f"{pdf.stem}*.png"))[0]
    found = subprocess.run(["zbarimg", "--quiet", "--raw", str(png)], capture_output=True, text=True)
    return found.stdout.split()


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """PDFs of one post of the sample city (board, plaque) and of one member (card, records, evaluation)."""
    out = tmp_path_factory.mktemp("pdf") / "pdf"
    assert main(["pdf", str(ROOT), "--post", "zrzy-budongchan-window", "--kind", "board", "--kind", "plaque",
                 "-o", str(out), "-q"]) == 0
    assert main(["pdf", str(ROOT), "--member", "lin-xiaowen", "-o", str(out), "-q"]) == 0
    return out / "zrzy"


BASE = "https://shifangang.qingchuan.example.cn/"
KINDS = [
    ("zrzy-budongchan-window-board.pdf", (297, 420),
     ["党员示范窗口", "公示榜", "不动产登记“一窗受理”窗口", "青川市自然资源和规划局", "林晓雯", "多跑一步路，让群众少跑一趟",
      "0571-86001234", "市民中心二楼B区服务台左侧（意见簿）", "数据截至2026年2月", "指纹"]),
    ("zrzy-budongchan-window-plaque.pdf", (297, 210),
     ["党员示范窗口", "不动产登记“一窗受理”窗口", "青先教办〔2025〕7号", "0571-86001234", "扫码查看本岗位当前星级"]),
    ("lin-xiaowen-card.pdf", (148, 210), ["定标公示卡", "林晓雯", "当日受理的申请当日录入系统，不积压", "组织定标准"]),
    ("files/lin-xiaowen-records.pdf", (210, 297), ["对标记录卡", "林晓雯", "仅存档", "存入党员档案"]),
    ("files/lin-xiaowen-evaluation.pdf", (210, 297), ["达标评议卡", "林晓雯", "群众评议", "达标"]),
]


@pytest.mark.parametrize("name,size,texts", KINDS, ids=[k[0] for k in KINDS])
def test_every_kind_is_one_page_of_its_size_with_chinese_text_and_an_embedded_cjk_font(sample, name, size, texts):
    pdf = sample / name
    assert pages(pdf) == 1
    assert page_size(pdf) == size
    text = text_of(pdf)
    for expected in texts:
        assert expected in text, expected
    fonts = embedded_fonts(pdf)
    assert any(re.search(r"Noto-?(Sans|Serif)-?CJK-?SC", f) for f in fonts), fonts


def test_the_private_parts_are_on_the_personnel_file_cards(sample):
    records = text_of(sample / "files/lin-xiaowen-records.pdf")
    member = (ROOT / "content/members/lin-xiaowen.yaml").read_text(encoding="utf-8")
    private = re.search(r"text: (.+)\n    public: false", member).group(1)
    assert re.sub(r"\s+", "", private) in records
    remarks = re.search(r"remarks: (\S+)", member).group(1)
    assert remarks in text_of(sample / "files/lin-xiaowen-evaluation.pdf")


@pytest.mark.parametrize("name,url", [("zrzy-budongchan-window-board.pdf", BASE + "p/zrzy-budongchan-window/feedback/"),
                                      ("zrzy-budongchan-window-plaque.pdf", BASE + "p/zrzy-budongchan-window/")])
def test_qr_codes_decode_to_the_short_address(sample, tmp_path, name, url):
    assert qr_codes(sample / name, tmp_path) == [url]


def test_pdfs_are_reproducible(sample, tmp_path):
    assert main(["pdf", str(ROOT), "--post", "zrzy-budongchan-window", "--kind", "plaque", "-o", str(tmp_path),
                 "-q"]) == 0
    again = tmp_path / "zrzy/zrzy-budongchan-window-plaque.pdf"
    assert again.read_bytes() == (sample / "zrzy-budongchan-window-plaque.pdf").read_bytes()


# -- the worst case the boards are designed for ------------------------------------------------------------

@pytest.fixture(scope="module")
def worst(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("worst")
    site = worst_case_site(tmp)
    out = tmp / "pdf"
    assert main(["pdf", str(site), "--post", "tax-window", "--kind", "board", "-o", str(out), "-q"]) == 0
    assert main(["pdf", str(site), "--member", "wang-fang", "--kind", "card", "-o", str(out), "-q"]) == 0
    return site, out / "tax"


@pytest.fixture(scope="module")
def printer(worst):
    """The worst-case model and a WeasyPrint renderer for it, to render boards with chosen data."""
    from site_builder.commands.pdf import Printer

    model = build_model(worst[0])
    return model, Printer(worst[0], model)


def test_twelve_members_with_the_longest_texts_still_fit_one_page(worst, tmp_path):
    site, out = worst
    board = out / "tax-window-board.pdf"
    assert pages(board) == 1 and page_size(board) == (297, 420)
    text = text_of(board)
    assert "在岗党员（12名）" in text and text.count(PLEDGE[:12]) == 12
    assert re.sub(r"\s+", "", LONG_POST)[:20] in text
    assert qr_codes(board, tmp_path) == ["https://example.org/p/tax-window/feedback/"]
    card = out / "wang-fang-card.pdf"
    assert pages(card) == 1 and page_size(card) == (148, 210)
    assert text_of(card).count("确保群众不跑第二趟") == 12  # twelve standard items of 100 characters


def test_each_layout_holds_what_it_is_chosen_for(printer):
    """The limits in boards.BOARD_LIMITS: a full layout with names and positions at its limits, and the
    next layout with the longest names and positions, each render on one page without falling back."""
    model, printer = printer
    board = next(b for b in B.all_boards(model) if b.kind.name == "board")
    full = {0: 2, 1: 4, 2: 6, 3: 9}
    cases = [(level, full[level], *B.BOARD_LIMITS[level]) for level in full]
    cases += [(level + 1, full[level], 20, 40) for level in full]
    for level, n, name, position in cases:
        data = copy.deepcopy(board.data)
        data["members"] = [{**data["members"][i % 12], "name": "名" * name, "position": "职" * position,
                            "pledge": PLEDGE} for i in range(n)]
        test = B.Board(board.kind, board.id, board.unit, board.post, None, data, "zh-CN", board.as_of, level)
        html = printer.html(test, level)
        doc = printer.wp.HTML(string=html, base_url=model.settings.base_url,
                              url_fetcher=printer.fetcher).render(font_config=printer.fonts)
        assert len(doc.pages) == 1, (level, n, name, position)


@pytest.mark.parametrize("items,length", [(5, 30), (6, 100), (8, 80), (12, 100)])
def test_standard_card_layouts_hold_their_standards(printer, items, length):
    """boards.CARD_LAYOUTS: the layout chosen for a standard renders on one A5 page under the longest
    heading texts, and the roomier layout before it would not have fitted (the choice is not wasteful)."""
    model, printer = printer
    card = next(b for b in B.all_boards(model) if b.kind.name == "card")
    data = {**copy.deepcopy(card.data), "standard": ["标" * length] * items}
    level = B.card_density(data)

    def pages_at(density):
        test = B.Board(card.kind, card.id, card.unit, card.post, card.member, data, "zh-CN", card.as_of, density)
        return len(printer.wp.HTML(string=printer.html(test, density), base_url=model.settings.base_url,
                                   url_fetcher=printer.fetcher).render(font_config=printer.fonts).pages)
    assert pages_at(level) == 1
    assert level == 0 or pages_at(level - 1) > 1


def test_a_board_that_cannot_fit_is_reported_not_spilled(worst, tmp_path, capsys):
    """The schema's limits keep the content within what the layouts hold, and any paper scales the design;
    what is left is a site's own wording: a welcome line of 600 characters cannot fit and is reported."""
    site, _ = worst
    own = site / "templates/translations.yaml"
    own.parent.mkdir(exist_ok=True)
    own.write_text("zh-CN:\n  board_welcome: " + "欢迎群众监督，" * 100 + "\n", encoding="utf-8")
    try:
        code, _, err = run(capsys, "pdf", site, "--post", "tax-window", "--kind", "board", "-o", tmp_path / "pdf")
        # a whole unit: its combined file is not merged without that board (nor does the merge fail on it)
        unit_code, _, unit_err = run(capsys, "pdf", site, "--unit", "tax", "--kind", "board", "--kind", "plaque",
                                     "-o", tmp_path / "units")
    finally:
        shutil.rmtree(own.parent)
    assert code == 1
    assert "content/posts/tax-window.yaml:1:1: 公示榜在 A3 纸上排不下一页" in err
    assert "1 块牌卡排不下一页，没有生成" in err
    assert not (tmp_path / "pdf/tax/tax-window-board.pdf").exists()
    assert unit_code == 1 and "公示榜在 A3 纸上排不下一页" in unit_err and "Traceback" not in unit_err
    assert (tmp_path / "units/tax/tax-window-plaque.pdf").is_file()
    assert not (tmp_path / "units/tax/tax-boards.pdf").exists()


# -- the office's runs ------------------------------------------------------------------------------------

def test_a_unit_gets_one_file_per_board_and_one_combined_file(tmp_path, capsys):
    site = make_site(tmp_path)
    code, out, err = run(capsys, "pdf", site, "--unit", "tax", "--kind", "board", "--kind", "plaque",
                         "--kind", "card")
    assert code == 0, err
    folder = site / "pdf/tax"  # the default output folder
    assert sorted(p.name for p in folder.iterdir()) == [
        "files", "li-ming-card.pdf", "tax-boards.pdf", "tax-files.pdf", "tax-window-board.pdf",
        "tax-window-plaque.pdf", "wang-fang-card.pdf"]
    combined = folder / "tax-boards.pdf"
    assert pages(combined) == 4
    assert [page_size(combined, n) for n in (1, 2, 3, 4)] == [(297, 420), (297, 210), (148, 210), (148, 210)]
    # the standard card of the member who did not consent: an internal copy, apart (files/, -files.pdf)
    assert [p.name for p in (folder / "files").iterdir()] == ["hidden-card.pdf"]
    assert "已生成 5 个 PDF，另有 2 个按单位合并的文件" in out
    # the combined file is its boards' own files, page after page in print order (merged, not laid out again)
    shots = tmp_path / "shots"
    shots.mkdir()
    subprocess.run(["pdftoppm", "-png", "-r", "30", str(combined), str(shots / "all")], check=True)
    shown = {}
    for name in ("tax-window-board.pdf", "tax-window-plaque.pdf", "li-ming-card.pdf", "wang-fang-card.pdf"):
        subprocess.run(["pdftoppm", "-png", "-r", "30", str(folder / name), str(shots / name)], check=True)
        shown[(shots / f"{name}-1.png").read_bytes()] = name
    order = [shown.get((shots / f"all-{n}.png").read_bytes()) for n in (1, 2, 3, 4)]
    assert order[:2] == ["tax-window-board.pdf", "tax-window-plaque.pdf"] and sorted(order[2:]) == [
        "li-ming-card.pdf", "wang-fang-card.pdf"]
    assert text_of(combined) == "".join(text_of(folder / name) for name in order)
    assert "Title:           测试市税务局 牌卡" in tool("pdfinfo", str(combined))


def test_several_processes_write_the_same_files_as_one(tmp_path, capsys, monkeypatch):
    """--jobs 2 renders in worker processes (two units' boards a few per worker, then their four combined files
    merged on both; and a post's boards and cards, a few per worker) and writes byte for byte what --jobs 1
    writes."""
    from site_builder import workers

    pools = []
    real = workers.run
    monkeypatch.setattr(workers, "run", lambda task, parts, jobs: (
        task.__module__ == "site_builder.commands.pdf" and pools.append((task.__name__, len(parts), jobs))
    ) or real(task, parts, jobs))
    runs = {"units": ["--unit", "xinhua-shudian", "--unit", "xishan-nongmao", "--kind", "plaque", "--kind", "records"],
            "post": ["--post", "zrzy-budongchan-window", "--kind", "board", "--kind", "card", "--kind", "records"]}
    for name, argv in runs.items():
        trees = []
        for jobs in ("1", "2"):
            out = tmp_path / f"{name}-{jobs}"
            code, stdout, err = run(capsys, "pdf", ROOT, *argv, "-o", out, "--jobs", jobs)
            assert code == 0, err
            assert "\r" not in err and "生成 PDF" not in err  # stderr is not a terminal: no progress line
            trees.append(tree(out))
        assert trees[0] == trees[1] and len(trees[0]) >= 5, name
    combined = [name for name in tree(tmp_path / "units-2") if name.endswith(("-boards.pdf", "-files.pdf"))]
    assert sorted(combined) == ["xinhua-shudian/xinhua-shudian-boards.pdf", "xinhua-shudian/xinhua-shudian-files.pdf",
                                "xishan-nongmao/xishan-nongmao-boards.pdf", "xishan-nongmao/xishan-nongmao-files.pdf"]
    two = [(task, n) for task, n, jobs in pools if jobs == 2 and task != "_digest_part"]
    # workers were used: the units' boards, their combined files; a post's boards
    assert [task for task, _ in two] == ["_print_part", "_merge_part", "_print_part"] and two[1][1] == 4
    assert min(n for _, n in two) >= 2


def on_terminal(*argv) -> tuple[int, str, str]:
    """Run ``site-builder ARGV`` in its own process with stderr on a pseudo-terminal: (code, stdout, terminal)."""
    master, slave = os.openpty()
    with subprocess.Popen([sys.executable, "-m", "site_builder", *map(str, argv)], stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=slave) as proc:
        os.close(slave)
        seen = []
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:  # EIO: the terminal's other end is closed
                break
            if not data:
                break
            seen.append(data)
        os.close(master)
        stdout = proc.stdout.read().decode("utf-8")
        code = proc.wait(timeout=60)
    return code, stdout, b"".join(seen).decode("utf-8", "replace")


def test_progress_is_shown_on_a_terminal_and_cleared(tmp_path):
    site = make_site(tmp_path)
    # every board of the site: ~2 s on one core (one member's five took 1.0-1.1 s, and the line, shown once a run
    # has taken a second, was sometimes never drawn)
    code, out, terminal = on_terminal("pdf", site, "-o", tmp_path / "pdf", "--jobs", "1")
    made = re.search(r"已生成 (\d+) 个 PDF", out)
    assert code == 0 and made and int(made.group(1)) > 10, out
    assert f"\r生成 PDF / PDFs {made.group(1)} / {made.group(1)}" in terminal
    assert terminal.endswith("\r") and terminal.rsplit("\r", 2)[1].strip() == ""  # the line is cleared
    code, out, terminal = on_terminal("pdf", site, "--member", "wang-fang", "-o", tmp_path / "pdf", "-q")
    assert code == 0 and out == "" and terminal == ""  # --quiet: nothing, even on a terminal


def test_a_member_who_did_not_consent_gets_only_internal_cards_for_the_personnel_file(tmp_path, capsys):
    """All three cards go into the member's file (存入党员档案), each marked 内部存档，不公开, in files/ and
    never beside the wall boards; the standard card is never a wall card (issue 12, point 11)."""
    site = make_site(tmp_path)
    code, _, err = run(capsys, "pdf", site, "--member", "hidden", "-o", tmp_path / "pdf", "-q")
    assert code == 0, err
    assert sorted(p.relative_to(tmp_path / "pdf/tax").as_posix() for p in (tmp_path / "pdf/tax").rglob("*.pdf")) == [
        "files/hidden-card.pdf", "files/hidden-evaluation.pdf", "files/hidden-records.pdf"]
    for kind in ("card", "records", "evaluation"):
        text = text_of(tmp_path / f"pdf/tax/files/hidden-{kind}.pdf")
        assert "赵隐" in text and "内部存档，不公开" in text, kind
    assert pages(tmp_path / "pdf/tax/files/hidden-card.pdf") == 1
    assert "本人未同意公开" in text_of(tmp_path / "pdf/tax/files/hidden-card.pdf")


def test_a_units_wall_file_holds_no_internal_card(tmp_path, capsys):
    site = make_site(tmp_path)
    code, out, err = run(capsys, "pdf", site, "--unit", "tax", "--kind", "card", "--kind", "records", "-o",
                         tmp_path / "pdf")
    assert code == 0, err
    folder = tmp_path / "pdf/tax"
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.pdf")) == [
        "files/hidden-card.pdf", "files/hidden-records.pdf", "files/li-ming-records.pdf",
        "files/wang-fang-records.pdf", "li-ming-card.pdf", "tax-boards.pdf", "tax-files.pdf", "wang-fang-card.pdf"]
    wall = text_of(folder / "tax-boards.pdf")
    assert "赵隐" not in wall and "内部存档" not in wall and pages(folder / "tax-boards.pdf") == 2
    files = text_of(folder / "tax-files.pdf")
    assert "赵隐" in files and "内部存档，不公开" in files and pages(folder / "tax-files.pdf") == 4


def test_a_member_at_two_posts_gets_a_standard_card_for_each_and_one_personnel_file(tmp_path, capsys):
    consult = ("name: 纳税咨询岗\nunit: tax\ndeclared: 2025-01-10\napproval:\n  date: 2025-06-30\n"
               "  number: 测先教办〔2025〕2号\nfeedback:\n  book: 大厅咨询台\n  phone: 0571-86001113\n")
    member = (MINI / "content/members/li-ming.yaml").read_text(encoding="utf-8").replace(
        "post: tax-window", "post: [tax-window, tax-consult]").replace(
        "pledge: 群众的事再小也是大事", "pledge: “还有什么能帮您”\npledges:\n  tax-consult: 有问必答，答必准确")
    site = make_site(tmp_path, {"content/posts/tax-consult.yaml": consult, "content/members/li-ming.yaml": member})
    code, out, err = run(capsys, "pdf", site, "--member", "li-ming", "--post", "tax-consult", "-o", tmp_path / "pdf",
                         "-q", "--kind", "board", "--kind", "plaque", "--kind", "card", "--kind", "records",
                         "--kind", "evaluation")
    assert code == 0, err
    folder = tmp_path / "pdf/tax"
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.pdf")) == [
        "files/li-ming-evaluation.pdf", "files/li-ming-records.pdf", "li-ming-tax-consult-card.pdf",
        "li-ming-tax-window-card.pdf", "tax-consult-board.pdf", "tax-consult-plaque.pdf"]
    window, consult_card = text_of(folder / "li-ming-tax-window-card.pdf"), text_of(folder / "li-ming-tax-consult-card.pdf")
    assert "办税服务窗口" in window and "“还有什么能帮您”" in window and "““" not in window
    assert "纳税咨询岗" in consult_card and "“有问必答，答必准确”" in consult_card
    records = text_of(folder / "files/li-ming-records.pdf")
    assert "办税服务窗口" in records and "纳税咨询岗" in records
    board = text_of(folder / "tax-consult-board.pdf")  # approved after the latest evaluation (2025-05)
    assert "李明" in board and "尚无考评" in board and "数据截至" not in board and "0星" not in board
    plaque = text_of(folder / "tax-consult-plaque.pdf")
    assert "尚无考评" in plaque and "数据截至" not in plaque


@pytest.mark.parametrize("argv,message", [
    (["--unit", "taxx"], "找不到单位 `taxx`（是不是想写 `tax`？）"),
    (["--post", "tax-declared"], "找不到已批复的示范岗 `tax-declared`"),
    (["--member", "nobody"], "找不到党员 `nobody`"),
])
def test_unknown_ids_are_usage_errors(tmp_path, capsys, argv, message):
    code, _, err = run(capsys, "pdf", make_site(tmp_path), *argv)
    assert code == 2 and message in err


def test_output_folder_must_not_be_the_sources(tmp_path, capsys):
    site = make_site(tmp_path)
    code, _, err = run(capsys, "pdf", site, "-o", site / "content/pdf")
    assert code == 2 and "在 content/ 里面" in err
    assert not (site / "content/pdf").exists()


def test_without_weasyprint_a_clear_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import weasyprint raises ImportError
    code, _, err = run(capsys, "pdf", make_site(tmp_path), "--kind", "plaque")
    assert code == 2
    assert "生成 PDF 需要 WeasyPrint：请运行 pip install 'site-builder[pdf]'" in err


SITE_YAML = (MINI / "content/site.yaml").read_text(encoding="utf-8")


def test_a_missing_configured_font_is_a_clear_error(tmp_path, capsys):
    site = make_site(tmp_path, {"content/site.yaml": SITE_YAML + "print:\n  font: 不存在的字体\n"})
    code, _, err = run(capsys, "pdf", site, "--kind", "plaque", "-o", tmp_path / "pdf")
    assert code == 1
    assert "content/site.yaml:21:3: 系统里没有中文字体 `不存在的字体`，汉字会印成方框" in err
    assert not (tmp_path / "pdf").exists()
    site = make_site(tmp_path / "b", {"content/site.yaml": SITE_YAML + "print:\n  font_file: fonts/none.otf\n"})
    code, _, err = run(capsys, "pdf", site, "--kind", "plaque")
    assert code == 1 and "content/site.yaml:21:3: 找不到字体文件 `fonts/none.otf`" in err


def test_no_chinese_font_on_the_machine_is_a_clear_error(tmp_path, capsys, monkeypatch):
    from site_builder.commands import pdf

    monkeypatch.setattr(pdf, "zh_families", lambda: set())
    code, _, err = run(capsys, "pdf", make_site(tmp_path), "--kind", "plaque")
    assert code == 2 and "找不到中文字体，PDF 里的汉字会印成方框：请安装 Noto CJK 字体" in err
    monkeypatch.setattr(pdf, "zh_families", lambda: None)  # no fontconfig to ask
    code, _, err = run(capsys, "pdf", make_site(tmp_path / "b"), "--kind", "plaque")
    assert code == 2 and "找不到 fc-list（fontconfig）" in err


def test_a_configured_font_file_is_used(tmp_path, capsys):
    font = Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")
    require(font.is_file(), f"{font} missing: apt-get install fonts-noto-cjk")
    site = make_site(tmp_path, {"content/site.yaml": SITE_YAML + "print:\n  font_file: fonts/serif.ttc\n"})
    (site / "fonts").mkdir()
    (site / "fonts/serif.ttc").symlink_to(font)
    code, _, err = run(capsys, "pdf", site, "--member", "li-ming", "--kind", "card", "-o", tmp_path / "pdf", "-q")
    assert code == 0, err
    fonts = embedded_fonts(tmp_path / "pdf/tax/li-ming-card.pdf")
    assert any(f.endswith("+site-builder-print") for f in fonts), fonts  # the family of the configured file
    assert not any(re.search(r"Noto-?Sans-?CJK", f) for f in fonts), fonts


# -- what to reprint ----------------------------------------------------------------------------------------

def git(site: Path, *argv: str, date: str = "2025-06-01T12:00:00") -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date, "GIT_AUTHOR_NAME": "市先教办",
           "GIT_AUTHOR_EMAIL": "office@example.org", "GIT_COMMITTER_NAME": "市先教办",
           "GIT_COMMITTER_EMAIL": "office@example.org", "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(site.parent)}
    subprocess.run(["git", "-C", str(site), *argv], check=True, capture_output=True, env=env)


def printed_in_git(site: Path) -> Path:
    """``site`` made a git repository whose one commit, on 1 June, is what was printed."""
    require(shutil.which("git") is not None, "git missing")
    git(site, "init", "-q")
    git(site, "add", "-A")
    git(site, "commit", "-q", "-m", "printed")
    return site


@pytest.fixture
def history(tmp_path):
    """A site in git: printed on 1 June; on 1 July a member's pledge changed."""
    site = printed_in_git(make_site(tmp_path))
    wang = site / "content/members/wang-fang.yaml"
    wang.write_text(wang.read_text(encoding="utf-8").replace("一次讲清，一次办好", "一次讲清，一次办成"), encoding="utf-8")
    git(site, "commit", "-q", "-am", "new pledge", date="2025-07-01T12:00:00")
    return site


def stale_lines(out: str) -> list[list[str]]:
    return [line.split() for line in out.splitlines()[1:]]


def test_stale_since_a_date_lists_what_to_reprint(history, capsys):
    fp = {b.key: b.fingerprint for b in B.all_boards(build_model(history))}
    code, out, err = run(capsys, "pdf", history, "--stale", "2025-06-15")
    assert code == 0, err
    assert out.splitlines()[0].startswith("自 2025-06-15（") and "重印 3 块，新印 0 块，撤下 0 块" in out
    rows = stale_lines(out)
    assert [r[:4] for r in rows] == [["重印", "公示榜", "tax", "tax-window"], ["重印", "定标公示卡", "tax", "wang-fang"],
                                     ["重印", "桌牌", "tax", "wang-fang"]]  # the desk sign shows the pledge too
    assert rows[0][-2:] == [fp["board:tax-window"], "print/posts/tax-window/board/"]
    assert rows[1][-2:] == [fp["card:wang-fang"], "print/members/wang-fang/card/"]
    assert rows[2][-1] == fp["desk:wang-fang"]  # PDF only: no address in the site
    assert not (history / "pdf").exists()  # only listed


def test_stale_since_a_revision_with_output_makes_just_those_pdfs(history, capsys, tmp_path):
    code, out, err = run(capsys, "pdf", history, "--stale", "HEAD~1", "-o", tmp_path / "reprint")
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "reprint/tax").iterdir()) == ["tax-window-board.pdf", "wang-fang-card.pdf",
                                                                          "wang-fang-desk.pdf"]
    code, out, _ = run(capsys, "pdf", history, "--stale", "HEAD")
    assert code == 0 and "以来没有需要重印或撤下的牌卡" in out


def test_stale_lists_the_boards_of_a_revoked_post_to_take_down(history, capsys):
    post = history / "content/posts/tax-window.yaml"
    post.write_text(post.read_text(encoding="utf-8") + "revoked:\n  date: 2025-05-20\n  reason: 整改不到位\n",
                    encoding="utf-8")
    (history / "content/evaluations/2025-05.yaml").unlink()
    code, out, err = run(capsys, "pdf", history, "--stale", "HEAD")  # uncommitted changes count
    assert code == 0, err
    rows = stale_lines(out)
    assert sorted((r[0], r[1], r[3]) for r in rows) == [
        ("撤下", "公示榜", "tax-window"), ("撤下", "创建牌", "tax-window"),
        ("撤下", "定标公示卡", "li-ming"), ("撤下", "定标公示卡", "wang-fang"),
        ("撤下", "桌牌", "li-ming"), ("撤下", "桌牌", "wang-fang"), ("撤下", "窗口桌牌", "tax-window"),
        ("撤下", "胸牌", "li-ming"), ("撤下", "胸牌", "wang-fang")]


def test_stale_before_the_first_commit_is_everything_new(history, capsys):
    code, out, _ = run(capsys, "pdf", history, "--stale", "2025-01-01", "--kind", "plaque")
    assert code == 0
    assert "还没有内容" in out and [r[:2] for r in stale_lines(out)[1:]] == [["新印", "创建牌"]]


@pytest.mark.parametrize("since,message", [("no-such-rev", "既不是日期"), ("2025-02-30", "日期 2025-02-30 不存在")])
def test_stale_with_a_bad_since(history, capsys, since, message):
    code, _, err = run(capsys, "pdf", history, "--stale", since)
    assert code == 2 and message in err


def test_stale_outside_git(tmp_path, capsys):
    code, _, err = run(capsys, "pdf", make_site(tmp_path), "--stale", "HEAD")
    assert code == 2 and "不在 git 仓库里" in err


def test_a_second_run_skips_the_pdfs_whose_inputs_are_unchanged(tmp_path, capsys):
    """Issue 14: each PDF written once, and not again while its board, templates, font and code are the same;
    an edit makes its boards and their unit's combined file again, --force makes everything."""
    site = make_site(tmp_path)
    out = tmp_path / "pdf"
    argv = ("pdf", site, "-o", out, "--jobs", "1", "--kind", "board", "--kind", "card", "--kind", "records")
    code, first, err = run(capsys, *argv)
    assert code == 0, err
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*.pdf")}
    assert len(before) >= 6
    code, again, err = run(capsys, *argv)
    assert code == 0, err
    boards = len(before) - 2  # and the unit's two combined files
    assert first.startswith(f"已生成 {boards} 个 PDF，另有 2 个按单位合并的文件")
    assert again.startswith(f"{boards} 块牌卡自上次生成以来没有变化，未重新生成（--force 全部重新生成）")
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.pdf")} == before

    member = site / "content/members/wang-fang.yaml"
    member.write_text(member.read_text(encoding="utf-8").replace("pledge: ", "pledge: 再次", 1), encoding="utf-8")
    code, edited, err = run(capsys, *argv)
    assert code == 0, err
    remade = sorted(p.relative_to(out).as_posix() for p in before if p.stat().st_mtime_ns != before[p])
    # her card and the post's board show the pledge: the unit's wall file is made again with them; the
    # personnel files (records cards) do not show it and are kept
    assert remade == ["tax/tax-boards.pdf", "tax/tax-window-board.pdf", "tax/wang-fang-card.pdf"]
    assert "块牌卡自上次生成以来没有变化" in edited
    # only those two boards laid out again: the combined file is merged from the files (the unit's other
    # wall boards are not laid out for it)
    assert edited.startswith("已生成 2 个 PDF，另有 1 个按单位合并的文件；")

    code, forced, err = run(capsys, *argv, "--force")
    assert code == 0 and "没有变化" not in forced and forced.startswith(f"已生成 {boards} 个 PDF")


def test_the_remembered_text_widths_and_parsed_css_change_no_byte(printer):
    """Printer installs two memos in WeasyPrint (pdf.TextWidths, pdf.ParsedCSS): the same PDFs as WeasyPrint
    without them, for the kinds with nested flex rows and tables (desk sign, plaque, card, records)."""
    import weasyprint
    import weasyprint.layout.preferred as preferred
    from site_builder.commands.pdf import ParsedCSS, TextWidths

    model, p = printer
    memo = preferred.split_first_line
    assert isinstance(memo, TextWidths) and isinstance(weasyprint.tinycss2, ParsedCSS) and p.widths is memo
    boards = {b.kind.name: b for b in B.all_boards(model)}
    chosen = [boards[k] for k in ("desk", "plaque", "card", "records")]
    fast = [p.document(b).write_pdf() for b in chosen]
    assert memo.known  # it was used
    try:
        preferred.split_first_line, weasyprint.tinycss2 = memo.split, weasyprint.tinycss2._tinycss2
        p.widths = None
        plain = [p.document(b).write_pdf() for b in chosen]
    finally:
        preferred.split_first_line, weasyprint.tinycss2, p.widths = memo, ParsedCSS(weasyprint.tinycss2), memo
    assert fast == plain


def test_the_kept_stylesheets_images_and_prepared_font_faces_change_no_byte(printer):
    """Printer keeps WeasyPrint's prepared stylesheets per process (pdf.StyleSheets), the photos per unit, and
    has HarfBuzz prepare each font face once (pdf.FontSubsets): the same PDFs as WeasyPrint without them, the
    first time and when they are reused, for every kind of board."""
    import weasyprint.css
    import weasyprint.pdf.fonts
    from site_builder.commands.pdf import FontSubsets, StyleSheets

    model, p = printer
    images = p.images
    sheets, installed = weasyprint.css.CSS, weasyprint.pdf.fonts.Font._harfbuzz_subset
    subsets = installed.subsets
    assert isinstance(sheets, StyleSheets) and isinstance(subsets, FontSubsets)
    boards = {b.kind.name: b for b in B.all_boards(model)}
    chosen = [boards[k] for k in ("board", "plaque", "card", "records", "evaluation", "badge", "desk", "window-desk")]
    prepare_after, compact = subsets.PREPARE_AFTER, subsets.compact
    try:
        subsets.PREPARE_AFTER = 0  # every face prepared at once
        subsets.compact = False  # (the compact faces are compared by what they print: the next test)
        fast = [p.document(b).write_pdf() for b in chosen]
        again = [p.document(b).write_pdf() for b in chosen]  # the stylesheets, photos and prepared faces reused
        assert any(prepared[0] is not None for prepared in subsets.prepared.values())
        assert sheets.fetchers[id(p.fetcher)][1]  # stylesheets kept
        weasyprint.css.CSS, weasyprint.pdf.fonts.Font._harfbuzz_subset = sheets.css_class, subsets.original
        p.images = {}
        plain = [p.document(b).write_pdf() for b in chosen]
    finally:
        subsets.PREPARE_AFTER, subsets.compact = prepare_after, compact
        weasyprint.css.CSS, weasyprint.pdf.fonts.Font._harfbuzz_subset, p.images = sheets, installed, images
    assert fast == again == plain


def test_the_qr_paths_and_unread_faces_change_no_byte(printer):
    """The QR codes' paths drawn without WeasyPrint's path parser (pdf.RunPaths) and the font faces' bytes left
    unread (pdf.UnreadFace): the same PDFs as WeasyPrint's own drawing and reading, for every kind of board and
    a combined file; any other path (the stars, the QR code's white square) still goes to WeasyPrint."""
    import weasyprint.pdf.fonts
    import weasyprint.svg
    from site_builder.commands.pdf import RunPaths, UnreadFace

    model, p = printer
    runs = weasyprint.svg.TAGS["path"]
    subsets = weasyprint.pdf.fonts.Font._harfbuzz_subset.subsets
    unread = weasyprint.pdf.fonts.get_hb_object_data
    assert isinstance(runs, RunPaths) and unread is not subsets.read_face
    drawn = []
    chosen = {}
    for b in B.all_boards(model):
        chosen.setdefault(b.kind.name, b)
    docs = [p.document(b) for b in chosen.values()]
    docs.append(docs[0].copy([page for doc in docs for page in doc.pages]))
    try:
        weasyprint.svg.TAGS["path"] = lambda svg, node, size: (drawn.append(node.get("d")), runs(svg, node, size))
        fast = [doc.write_pdf() for doc in docs]
        weasyprint.svg.TAGS["path"], weasyprint.pdf.fonts.get_hb_object_data = runs.path, subsets.read_face
        plain = [doc.write_pdf() for doc in docs]
    finally:
        weasyprint.svg.TAGS["path"], weasyprint.pdf.fonts.get_hb_object_data = runs, unread
    assert fast == plain
    assert any(RunPaths.RUNS.fullmatch(d) for d in drawn) and any(not RunPaths.RUNS.fullmatch(d) for d in drawn)
    # an unread face reads as WeasyPrint would, when something asks
    face = next(kept[1] for kept in subsets.prepared.values())
    lazy = UnreadFace(face, subsets.read_face, subsets.hb, subsets.ffi)
    assert lazy and lazy.read() == subsets.read_face(face)


def test_cjk_faces_are_embedded_compact_and_print_the_same(printer, tmp_path):
    """The Noto CJK faces are embedded as bare CID-keyed CFF fonts with only the glyphs used (pdf.FontSubsets
    .bare_cff): every kind of board, and a unit's combined file, prints the same pixels and copies out the same
    text as WeasyPrint's own embedding, in a fraction of the bytes; DejaVu (TrueType) is embedded as before."""
    import weasyprint.pdf.fonts
    from site_builder.commands.pdf import cid_charset

    model, p = printer
    subsets = weasyprint.pdf.fonts.Font._harfbuzz_subset.subsets
    assert subsets.compact
    chosen = {}
    for b in B.all_boards(model):
        chosen.setdefault((b.kind.name, b.personnel_file), b)
    docs = [p.document(b) for b in chosen.values()]
    docs.append(docs[0].copy([page for doc in docs for page in doc.pages]))  # as a unit's combined file
    for i, doc in enumerate(docs):
        compact = tmp_path / f"compact-{i}.pdf"
        compact.write_bytes(doc.write_pdf())
        try:
            subsets.compact = False
            plain = tmp_path / f"plain-{i}.pdf"
            plain.write_bytes(doc.write_pdf())
        finally:
            subsets.compact = True
        assert compact.stat().st_size * 3 < plain.stat().st_size
        types = re.findall(r"(CID Type 0C(?: \(OT\))?|CID TrueType)", tool("pdffonts", str(compact)))
        assert "CID Type 0C" in types and "CID Type 0C (OT)" not in types  # the CJK faces bare, none as before
        if doc is docs[-1]:  # (the combined file has every kind, the fingerprint's DejaVu among them)
            assert "CID TrueType" in types and "CID TrueType" in tool("pdffonts", str(plain))
        assert "CID Type 0C (OT)" in tool("pdffonts", str(plain))
        assert tool("pdftotext", "-enc", "UTF-8", str(compact), "-") == tool("pdftotext", "-enc", "UTF-8", str(plain), "-")
        for name in (compact, plain):
            subprocess.run(["pdftoppm", "-png", "-r", "100", str(name), str(tmp_path / name.stem)], check=True)
        shown = sorted(tmp_path.glob(f"compact-{i}-*.png"))
        assert len(shown) == len(doc.pages)
        for png in shown:
            assert png.read_bytes() == (tmp_path / png.name.replace("compact", "plain", 1)).read_bytes(), png.name
    # only a face whose every CID is its glyph id is renumbered; any other is embedded as WeasyPrint does
    assert cid_charset(b"not a font") is None
    face = next(kept[1] for kept in subsets.prepared.values())
    assert cid_charset(subsets.table(face, b"CFF ")) == "identity"
    data = (tmp_path / "compact-0.pdf").read_bytes()
    bare = [zlib.decompress(data[m.end():m.end() + int(m.group(1))])
            for m in re.finditer(rb"/Subtype /CIDFontType0C/Filter /FlateDecode/Length (\d+)>>\s*stream\r?\n", data)]
    cids = cid_charset(bare[0])
    assert isinstance(cids, list) and cids[0] == 0 and cids != list(range(len(cids)))  # a subset: not the identity
    trusted = subsets.cid_is_glyph_id
    try:
        subsets.cid_is_glyph_id = lambda face: False
        untrusted = docs[0].write_pdf()
        subsets.compact = False
        assert untrusted == docs[0].write_pdf()
    finally:
        subsets.cid_is_glyph_id, subsets.compact = trusted, True
