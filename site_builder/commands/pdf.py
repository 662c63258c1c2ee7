"""``site-builder pdf``: the printed boards and cards as PDF files (WeasyPrint, the ``pdf`` extra).

The same pages as the print pages of the site (:mod:`boards`), rendered with WeasyPrint instead of a
browser; the record and evaluation cards exist only here. Every wall board must come out as exactly
one page: a board that does not fit is laid out again in a tighter layout class, and reported if it
still does not fit. Resources come only from the site itself (print CSS, photos re-encoded without
metadata, a configured font file): nothing is fetched from the network.

``--stale SINCE`` compares each board's fingerprint with the content of a git revision (or of the
last commit on or before a date) and lists what must be reprinted or taken down.

Boards are rendered on every core (``--jobs N``): worker processes forked after WeasyPrint is
imported, each rendering many boards (all a unit's badge cards together, since they are laid out again
on its sheets) and writing their PDFs itself, each file once. A unit's combined files are then made
from its boards' files (pypdf), also on every core.
Every board's PDF depends only on the board, so the files are the same bytes whatever the number of
processes. On a terminal, a run over a second shows its progress (:mod:`progress`).

A run over whole units (no --post, --member, --month or --stale) skips the files whose inputs are
unchanged since the run that wrote them: the board's page as rendered for WeasyPrint, the templates and
print CSS, a configured font, site-builder's code and WeasyPrint's version. Their digests are kept in
``pdf/.site-builder-pdf.json``; a combined file is merged again when one of its boards is made again
(only that board is laid out), a unit's badge sheets are laid out again with all its badge cards.
``--force`` makes everything again.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import gc
import hashlib
import inspect
import io
import json
import logging
import math
import mimetypes
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import weakref
from pathlib import Path

from .. import workers
from ..content.paper import KINDS, check_font_family
from ..content.schema import suggest
from ..errors import ContentErrors, Problem, UsageError
from ..incremental.pipeline import build_model
from ..incremental.tracking import environment_digest
from ..model import images
from ..model.build import Model
from ..pages.print_pages import board_page, sheet_page
from ..printing import boards as B
from ..printing import competition as C
from ..render.templates import Renderer, TemplateProblem
from ..write.output import replace_file, same_bytes
from .progress import Progress
from .new import month_arg
from .registry import jobs_arg, site_arg, verb

ACTIONS = {"changed": "重印", "new": "新印", "gone": "撤下"}
FILES = "files"  # pdf/<unit>/files/: the cards for personnel files (存入党员档案), apart from the wall boards
MAX_DENSITY = 4


def _options(p: argparse.ArgumentParser) -> None:
    site_arg(p)
    p.add_argument("--unit", action="append", default=[], metavar="ID", help="只生成这个单位的牌卡（可重复）")
    p.add_argument("--post", action="append", default=[], metavar="ID",
                   help="只生成这个示范岗的公示榜、创建牌和岗上党员的卡片（可重复）")
    p.add_argument("--member", action="append", default=[], metavar="ID", help="只生成这名党员的三张卡片（可重复）")
    p.add_argument("--competition", action="append", default=[], metavar="ID",
                   help="只生成这个竞赛各月的竞赛光荣榜（competition）和流动红旗（flag）（可重复）")
    p.add_argument("--month", action="append", default=[], type=month_arg, metavar="YYYY-MM",
                   help="只生成这个月的竞赛光荣榜和流动红旗（可重复）")
    p.add_argument("--kind", action="append", default=[], choices=list(KINDS), metavar="KIND",
                   help="只生成这几类（可重复）：" + "、".join(f"{k.name} {k.label}" for k in KINDS.values()))
    p.add_argument("-o", "--output", type=Path, help="PDF 放在哪个文件夹，默认 SITE/pdf")
    p.add_argument("--stale", metavar="SINCE",
                   help="列出自某日（2026-01-31）或某个 git 版本以来内容有变化、需要重印或撤下的牌卡；"
                        "同时给出 -o 时只生成这些牌卡的 PDF")
    p.add_argument("--force", action="store_true",
                   help="全部重新生成（默认跳过内容、模板和程序都没有变化的 PDF）")
    p.add_argument("-q", "--quiet", action="store_true", help="只输出错误")
    p.add_argument("-j", "--jobs", type=jobs_arg, metavar="N",
                   help="同时使用的进程数，默认为全部 CPU 核心 / processes to use (default: all cores)")


@verb("pdf", "生成公示榜、创建牌和党员卡片的 PDF / make PDFs of the boards and cards")(_options)
def cmd_pdf(args) -> int:
    site: Path = args.site
    jobs = args.jobs or workers.default_jobs()
    progress = Progress(enabled=False if args.quiet else None)
    try:
        return _pdf(args, site, jobs, progress)
    finally:
        progress.close()


def _pdf(args, site: Path, jobs: int, progress: Progress) -> int:
    model = build_model(site, jobs=jobs, progress=progress)
    chosen = select(model, args.unit, args.post, args.member, args.competition, args.month)
    if args.kind:
        chosen = [b for b in chosen if b.kind.name in args.kind]
    if args.stale:
        everything = not (args.unit or args.post or args.member or args.kind or args.competition or args.month)
        rev, changes = stale(site, model, args.stale, chosen, everything, args.kind)
        progress.close()
        print_stale(args.stale, rev, changes)
        if args.output is None:
            return 0
        fresh = {c.board.key for c in changes if c.action != "gone"}
        chosen = [b for b in chosen if b.key in fresh]
        if not chosen:
            return 0
    whole_units = not (args.post or args.member or args.stale or args.month)
    out = args.output or site / "pdf"
    return make_pdfs(site, model, chosen, out, combine=whole_units, quiet=args.quiet, jobs=jobs, progress=progress,
                     skip_unchanged=whole_units and not args.force)


# -- what to print ----------------------------------------------------------------------------------

def select(model: Model, units: list[str], posts: list[str], members: list[str], competitions: list[str] = (),
           months: list[str] = ()) -> list[B.Board]:
    """The boards asked for (all of them without filters), in print order, each once."""
    if not (units or posts or members or competitions or months):
        return every_board(model)
    by_post = B.members_by_post(model)
    chosen: list[B.Board] = []
    known_units = {u.id: u for u in model.units}
    for uid in units:
        unit = known_units.get(uid)
        if unit is None:
            raise UsageError(f"找不到单位 `{uid}`{suggest(uid, known_units)}：请用 content/units/ 里的文件名（不含 .yaml）。")
        chosen += B.unit_boards(model, unit, members=by_post, internal=True)
    known_posts = {p.id: p for p in model.posts}
    for pid in posts:
        post = known_posts.get(pid)
        if post is None:
            raise UsageError(f"找不到已批复的示范岗 `{pid}`{suggest(pid, known_posts)}：请用 content/posts/ 里的文件名；"
                             "未批复的岗位没有公示榜。")
        chosen += B.post_boards(model, post)
        for m in by_post.get(post.id, []):
            chosen += B.member_boards(model, m, post=post, internal=True)
    known_members = {m.id: m for m in B.personnel(model)}
    for mid in members:
        member = known_members.get(mid)
        if member is None:
            raise UsageError(f"找不到党员 `{mid}`{suggest(mid, known_members)}（或其岗位尚未批复）："
                             "请用 content/members/ 里的文件名。")
        chosen += B.member_boards(model, member, internal=True)
    chosen += competition_boards(model, competitions, months)
    seen: set[str] = set()
    return [b for b in chosen if not (b.key in seen or seen.add(b.key))]


def every_board(model: Model) -> list[B.Board]:
    """Every board: the units' (printing/boards.py), then each competition's months (printing/competition.py)."""
    return B.all_boards(model) + C.competition_boards(model)


def competition_boards(model: Model, ids: list[str], months: list[str]) -> list[B.Board]:
    """--competition and --month: the months' result boards and red flags of the competitions named (all
    competitions with only --month)."""
    if not (ids or months):
        return []
    known = {c.id: c for c in model.competitions}
    for cid in ids:
        if cid not in known:
            raise UsageError(f"找不到竞赛 `{cid}`{suggest(cid, known)}：请用 content/competitions/ 里的文件名（不含 .yaml）。")
    picked = tuple(known[cid] for cid in ids) or tuple(model.competitions)
    for month in months:
        if not any(r.month == month for c in picked for r in c.months):
            raise UsageError(f"{month} 没有竞赛排名：这个月不在竞赛期内，或还没有这个月的数据。")
    return C.competition_boards(model, picked, tuple(months))


# -- stale boards -------------------------------------------------------------------------------------

def _git(site: Path, *argv: str, binary: bool = False) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(site), *argv], capture_output=True, text=not binary, check=False)


def revision(site: Path, since: str) -> str | None:
    """The commit meant by SINCE: a revision, or the last commit on or before a date (None: none yet)."""
    if shutil.which("git") is None:
        raise UsageError("--stale 需要 git：请安装 git，并在网站的 git 仓库里运行。")
    if _git(site, "rev-parse", "--git-dir").returncode != 0:
        raise UsageError(f"{site} 不在 git 仓库里：--stale 要从 git 历史里取出当时的内容。")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", since):
        try:
            dt.date.fromisoformat(since)
        except ValueError:
            raise UsageError(f"日期 {since} 不存在：请写成 2026-01-31 这样的年-月-日。") from None
        found = _git(site, "rev-list", "-1", "--first-parent", f"--before={since} 23:59:59", "HEAD")
        if found.returncode != 0:
            raise UsageError(f"读取 git 历史失败：{found.stderr.strip()}")
        return found.stdout.strip() or None
    found = _git(site, "rev-parse", "--verify", "--quiet", f"{since}^{{commit}}")
    if found.returncode != 0:
        raise UsageError(f"`{since}` 既不是日期（2026-01-31），也不是这个仓库里的 git 版本（提交号、标签或分支名）。")
    return found.stdout.strip()


def old_model(site: Path, rev: str, tmp: Path) -> Model | None:
    """The model built from content/ as it was at ``rev`` (None when there was no content/ then)."""
    prefix = _git(site, "rev-parse", "--show-prefix").stdout.strip()
    archive = _git(site, "archive", "--format=tar", rev, "--", f"{prefix}content", binary=True)
    if archive.returncode != 0:
        return None
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        if hasattr(tarfile, "data_filter"):  # Python 3.11.4+
            tar.extractall(tmp, filter="data")
        else:  # Python 3.11.0–3.11.3 (Debian 12's 3.11.2): extractall has no filter; only folders and files
            for member in tar.getmembers():
                if (member.isdir() or member.isfile()) and not member.name.startswith("/") \
                        and ".." not in member.name.split("/"):
                    tar.extract(member, tmp)
    old_site = tmp / prefix
    if not (old_site / "content").is_dir():
        return None
    try:
        return build_model(old_site)
    except ContentErrors as exc:
        first = exc.problems[0].format() if exc.problems else ""
        raise UsageError(f"版本 {rev[:10]} 的内容有 {len(exc.problems)} 个问题，无法与它比较（第一个：{first}）。"
                         "请换一个版本或日期。") from None


@dataclasses.dataclass
class Change:
    action: str  # changed | new | gone
    board: B.Board  # the current board; for "gone" the board as it was
    old: str | None  # fingerprint before

    @property
    def new(self) -> str | None:
        return None if self.action == "gone" else self.board.fingerprint


def stale(site: Path, model: Model, since: str, chosen: list[B.Board], everything: bool,
          kinds: list[str] = ()) -> tuple[str | None, list[Change]]:
    """(revision, changes): boards changed or new since ``since``, and boards to take down."""
    rev = revision(site, since)
    before: dict[str, B.Board] = {}
    if rev is not None:
        with tempfile.TemporaryDirectory(prefix="site-builder-stale-") as tmp:
            old = old_model(site, rev, Path(tmp))
            if old is not None:
                before = {b.key: b for b in every_board(old)}
    changes = []
    for board in chosen:
        old_board = before.get(board.key)
        if old_board is None:
            changes.append(Change("new", board, None))
        elif old_board.fingerprint != board.fingerprint:
            changes.append(Change("changed", board, old_board.fingerprint))
    now = {b.key for b in every_board(model)}
    scope = {b.unit.id for b in chosen} | {b.post.id for b in chosen} | {b.id for b in chosen}
    for key, old_board in before.items():
        if kinds and old_board.kind.name not in kinds:
            continue
        # a card for a personnel file was never on a wall: nothing to take down
        if key not in now and not old_board.personnel_file and (
                everything or old_board.id in scope or old_board.post.id in scope):
            changes.append(Change("gone", old_board, old_board.fingerprint))
    return rev, changes


def print_stale(since: str, rev: str | None, changes: list[Change]) -> None:
    when = f"{since}（{rev[:10]}）" if rev and rev[:10] != since[:10] else f"{since} "
    if rev is None:
        print(f"{since} 时仓库里还没有内容：全部牌卡都是新印的。")
    if not changes:
        print(f"自 {when}以来没有需要重印或撤下的牌卡。")
        return
    counts = {a: sum(c.action == a for c in changes) for a in ACTIONS}
    print(f"自 {when}以来：重印 {counts['changed']} 块，新印 {counts['new']} 块，撤下 {counts['gone']} 块。")
    rows = []
    for c in changes:
        b = c.board
        rows.append((ACTIONS[c.action], _kind_name(b.kind.name), b.unit.id, b.id, b.name,
                     f"{c.old or '—'} → {c.new or '—'}", b.url or (f"{FILES}/（存入党员档案）" if b.personnel_file else "")))
    widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(_pad(cell, w) for cell, w in zip(r, widths)).rstrip())


def _kind_name(kind: str) -> str:
    return KINDS[kind].label


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2e7f else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


# -- rendering ------------------------------------------------------------------------------------------

def load_weasyprint():
    try:
        import weasyprint
    except ImportError:
        raise UsageError("生成 PDF 需要 WeasyPrint：请运行 pip install 'site-builder[pdf]'（WeasyPrint 还需要系统的 Pango 库）。"
                         ) from None
    except OSError as exc:  # WeasyPrint is there but Pango is not
        raise UsageError(f"WeasyPrint 无法加载系统库（{exc}）：请按 WeasyPrint 的安装说明装好 Pango。") from None
    return weasyprint


class TextWidths:
    """WeasyPrint's text splitting for intrinsic widths, remembered for one document.

    The boards' flex rows ask WeasyPrint for the min- and max-content widths of the same boxes again and
    again (a flex item for its basis, its container for its own, a nested row for each pass): on a desk
    sign the same text was split 8,650 times for 632 different questions, each a Pango layout, half its
    layout time. The answer depends only on the arguments (the text, its computed style, the layout
    context, the width); kept while one document is laid out (:meth:`clear` before the next), with the
    style and context it was asked for, so that no other object can take their ``id``. Only the
    intrinsic-width code of ``weasyprint.layout.preferred`` goes through it, and it uses only the widths
    and break positions, never the Pango layout: the PDFs are the same bytes.
    """

    def __init__(self, split):
        self.split = split
        self.known: dict[tuple, tuple] = {}

    def __call__(self, text, style, context, max_width, justification_spacing, is_line_start=True, minimum=False):
        key = (text, id(style), id(context), max_width, justification_spacing, is_line_start, minimum)
        found = self.known.get(key)
        if found is None:
            found = self.known[key] = (self.split(text, style, context, max_width, justification_spacing,
                                                  is_line_start, minimum), style, context)
        return found[0]

    def clear(self) -> None:
        self.known.clear()


class ParsedCSS:
    """``tinycss2`` for WeasyPrint's stylesheet class, with the stylesheet files (print.css, badges.css …)
    tokenized once per process instead of once per board (a tenth of a board's layout time). WeasyPrint
    still builds its selectors and page rules from the rules for every document; tinycss2's rules are not
    changed by that."""

    def __init__(self, tinycss2):
        self._tinycss2 = tinycss2
        self._parsed: dict[tuple, tuple] = {}

    def __getattr__(self, name):
        return getattr(self._tinycss2, name)

    def parse_stylesheet_bytes(self, css, environment_encoding=None, protocol_encoding=None, **kwargs):
        key = (bytes(css), environment_encoding, protocol_encoding, tuple(sorted(kwargs.items())))
        found = self._parsed.get(key)
        if found is None:
            found = self._parsed[key] = self._tinycss2.parse_stylesheet_bytes(
                css, environment_encoding=environment_encoding, protocol_encoding=protocol_encoding, **kwargs)
        return found


class FontSubsets:
    """WeasyPrint's font subsetting (``Font._harfbuzz_subset``) with each font face prepared once per process.

    Writing a PDF is mostly embedding subsets of the 3–5 Noto CJK faces a board uses (a 20–27 MB collection
    each): WeasyPrint subsets a face twice (once keeping the glyph ids, then dropping the empty glyphs after the
    last used one), and HarfBuzz prepared the whole face again for every file. Here HarfBuzz prepares each face
    once (``hb_subset_preprocess``: the face with the subsetter's tables decoded) when a process has made enough
    subsets of it to gain from that, kept with a reference to the face so that its address is never reused, and the second pass's glyphs are given as a range instead of a
    list of up to 65,536 numbers. The same calls with the same inputs as WeasyPrint's own method.

    A CID-keyed CFF face (Noto CJK, Source Han) is embedded *compact* instead (:meth:`bare_cff`): WeasyPrint
    keeps every glyph id up to the last one used so that the glyph ids in the page stay valid, which leaves
    tens of thousands of empty glyphs in each subset (hmtx, vmtx and the CFF index: ~0.75 MB a face before
    compression, 300–400 KiB in every card's PDF, and most of the time spent writing it). The glyph ids
    WeasyPrint writes into the page are the face's CIDs, and a bare CID-keyed CFF font (``FontFile3`` of
    subtype ``CIDFontType0C``, the form PDF has had for CJK fonts since 1.3) finds a glyph by its CID through
    the font's charset, not by its position: so only the glyphs used are kept and the CFF table is embedded
    bare. Only for a face whose every glyph's CID is its glyph id (:meth:`cid_is_glyph_id`, once a face);
    anything else (a variable or colour face, a name-keyed CFF, TrueType) is subset as WeasyPrint does.
    The pages look the same (poppler and MuPDF render the same pixels, PDFium the same within anti-aliasing;
    the text copies out the same), the files are ~7× smaller and written ~3× faster."""

    def __init__(self, fonts_module, ffi, harfbuzz, harfbuzz_subset):
        self.fonts_module, self.ffi, self.hb, self.hbs = fonts_module, ffi, harfbuzz, harfbuzz_subset
        self.prepared: dict[int, list] = {}  # address of a face → [its prepared face or None, the face, uses]
        self.original = None  # WeasyPrint's method
        self.read_face = fonts_module.get_hb_object_data  # a face's bytes (WeasyPrint's function)
        self.compact = False  # CID-keyed CFF faces embedded compact (set by install when WeasyPrint allows it)

    @classmethod
    def install(cls, fonts_module) -> "FontSubsets | None":
        """Replace ``Font._harfbuzz_subset`` when this WeasyPrint and HarfBuzz have what it needs (once a
        process); the instance installed, or None."""
        font = getattr(fonts_module, "Font", None)
        method = getattr(font, "_harfbuzz_subset", None)
        if method is None:
            return None
        if isinstance(getattr(method, "subsets", None), cls):
            return method.subsets
        try:
            from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset  # the optional dependency, loaded
            if not harfbuzz_subset or not harfbuzz.hb_version_atleast(6, 0, 0):
                return None
            for name, declaration in (
                    ("hb_subset_preprocess", "hb_face_t * hb_subset_preprocess (hb_face_t *source);"),
                    ("hb_set_add_range", "void hb_set_add_range (hb_set_t *set, hb_codepoint_t first, "
                                         "hb_codepoint_t last);"),
                    ("hb_face_reference", "hb_face_t * hb_face_reference (hb_face_t *face);")):
                try:
                    getattr(harfbuzz_subset if name.startswith("hb_subset") else harfbuzz, name)
                except AttributeError:
                    ffi.cdef(declaration)
            needed = (harfbuzz_subset.hb_subset_preprocess, harfbuzz.hb_set_add_range,  # AttributeError if not
                      harfbuzz.hb_set_add_sorted_array, harfbuzz_subset.HB_SUBSET_FLAGS_RETAIN_GIDS)
            del needed
        except Exception:  # noqa: BLE001 (an older WeasyPrint or HarfBuzz: WeasyPrint's own method is used)
            return None
        subsets = cls(fonts_module, ffi, harfbuzz, harfbuzz_subset)
        subsets.original = method

        def _harfbuzz_subset(font_, to_unicode, hinting):
            subsets.subset(font_, to_unicode, hinting)
        _harfbuzz_subset.subsets = subsets
        font._harfbuzz_subset = _harfbuzz_subset
        subsets.compact = subsets.install_bare_cff()
        subsets.install_unread_faces()
        return subsets

    def install_unread_faces(self) -> bool:
        """Let a WeasyPrint ``Font`` read its face's bytes only if something asks for them.

        ``Font.__init__`` copies the whole face into ``file_content`` (a Noto CJK collection: 20–27 MB, ~3 ms and
        as many page faults, 4–5 times a PDF: 6 % of a unit's CPU), and every subset made here replaces it
        without reading it. ``file_content`` becomes a property of the class; what ``Font.__init__`` gets from
        ``get_hb_object_data`` for a whole face is an :class:`UnreadFace` holding a reference to the face (it stays
        alive until read), read into bytes the first time ``file_content`` is read (WeasyPrint's own subsetting,
        a variable font, a TrueType file …). Nothing else changes: the same bytes come out. False (nothing
        installed) when this WeasyPrint lacks what it relies on."""
        fonts, font = self.fonts_module, getattr(self.fonts_module, "Font", None)
        read = getattr(fonts, "get_hb_object_data", None)
        hb = self.hb
        if (font is None or read is None or "file_content" in vars(font) or not hasattr(hb, "hb_face_reference_blob")
                or not hasattr(hb, "hb_blob_get_length")):
            return False
        ffi = self.ffi

        def get_hb_object_data(hb_object, ot_color=None, glyph=None):
            if ot_color is None and glyph is None:
                return UnreadFace(hb_object, read, hb, ffi)
            return read(hb_object, ot_color, glyph)

        def file_content(self_):
            data = self_.__dict__["_file_content"]
            if type(data) is UnreadFace:
                data = self_.__dict__["_file_content"] = data.read()
            return data

        def set_file_content(self_, data):
            self_.__dict__["_file_content"] = data

        font.file_content = property(file_content, set_file_content)
        fonts.get_hb_object_data = get_hb_object_data
        return True

    def install_bare_cff(self) -> bool:
        """Let WeasyPrint's font dictionaries describe a bare CFF font (see the class): wraps
        ``_build_vector_font_dictionary``, which writes a font's descriptor and CIDFont, when it has the
        parameters and pydyf the streams this relies on. False (faces subset as WeasyPrint does) if not."""
        build = getattr(self.fonts_module, "_build_vector_font_dictionary", None)
        pydyf = getattr(self.fonts_module, "pydyf", None)
        try:
            signature = inspect.signature(build)
            names = set(signature.parameters)
            stream = pydyf.Stream([], pydyf.Dictionary({"Length1": 1}))
            usable = ({"font_dictionary", "pdf", "font", "reference"} <= names and isinstance(stream.extra, dict)
                      and hasattr(self.hb, "hb_face_reference_table") and hasattr(self.hb, "hb_blob_get_data"))
        except Exception:  # noqa: BLE001 (another WeasyPrint or pydyf: faces subset as WeasyPrint does)
            return False
        if not usable:
            return False

        def _build_vector_font_dictionary(*args, **kwargs):
            given = signature.bind(*args, **kwargs).arguments
            pdf = given["pdf"]
            first = len(pdf.objects)
            build(*args, **kwargs)
            stream = pdf.objects[int(given["reference"].split()[0])]
            if not is_bare_cff(stream.stream[0] if stream.stream else b""):
                return
            # described as a TrueType font (the content is not an OpenType file): described again as a bare CFF
            stream.extra.pop("Length1", None)
            stream.extra["Subtype"] = "/CIDFontType0C"
            for obj in pdf.objects[first:]:
                if isinstance(obj, dict) and "FontFile2" in obj:
                    obj["FontFile3"] = obj.pop("FontFile2")
                if isinstance(obj, dict) and obj.get("Subtype") == "/CIDFontType2":
                    obj["Subtype"] = "/CIDFontType0"
                    obj.pop("CIDToGIDMap", None)  # (a CIDFontType0 finds glyphs through the CFF charset)
        self.fonts_module._build_vector_font_dictionary = _build_vector_font_dictionary
        return True

    PREPARE_AFTER = 50  # subsets of a face in a process before it is prepared (1–2 s; 12–17 ms less a subset)

    def source(self, face):
        """The face to subset from: ``face`` itself the first times, then the face prepared."""
        key = int(self.ffi.cast("uintptr_t", face))
        found = self.prepared.get(key)
        if found is None:
            self.hb.hb_face_reference(face)  # kept alive: no other face can get its address
            found = self.prepared[key] = [None, face, 0]
        if found[0] is None:
            found[2] += 1
            if found[2] <= self.PREPARE_AFTER:
                return face
            found[0] = self.hbs.hb_subset_preprocess(face)
        return found[0]

    DROPPED = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH", b"PCLT", b"SVG ")

    def _input(self, glyphs: list[int], flags: int):
        """A HarfBuzz subset input: ``glyphs`` (sorted ids), ``flags``, WeasyPrint's tables dropped (among them
        GSUB: no glyph is added for substitutions the page never made). (Arrays as ``hb_codepoint_t[]``: cffi
        parses a C type once per distinct string, 7 ms each with pycparser, so not one type per length.)"""
        ffi, hb, hbs = self.ffi, self.hb, self.hbs
        hb_subset = ffi.gc(hbs.hb_subset_input_create_or_fail(), hbs.hb_subset_input_destroy)
        if glyphs:
            hb.hb_set_add_sorted_array(hbs.hb_subset_input_glyph_set(hb_subset),
                                       ffi.new("hb_codepoint_t[]", glyphs), len(glyphs))
        hbs.hb_subset_input_set_flags(hb_subset, flags)
        drop_set = hbs.hb_subset_input_set(hb_subset, hbs.HB_SUBSET_SETS_DROP_TABLE_TAG)
        drop_tables = tuple(hb.hb_tag_from_string(name, -1) for name in self.DROPPED)
        hb.hb_set_add_sorted_array(drop_set, ffi.new("hb_codepoint_t[]", drop_tables), len(drop_tables))
        return hb_subset

    def subset(self, font, to_unicode, hinting) -> None:
        if self.compact and self.bare_cff(font, to_unicode, hinting):
            return
        ffi, hb, hbs = self.ffi, self.hb, self.hbs
        flags = (hbs.HB_SUBSET_FLAGS_RETAIN_GIDS | hbs.HB_SUBSET_FLAGS_PASSTHROUGH_UNRECOGNIZED
                 | hbs.HB_SUBSET_FLAGS_DESUBROUTINIZE)
        if getattr(font, "missing", False):
            flags |= hbs.HB_SUBSET_FLAGS_NOTDEF_OUTLINE
        hb_subset = self._input(sorted(to_unicode), flags)  # only the glyphs used
        hb_face = ffi.gc(hbs.hb_subset_or_fail(self.source(font.hb_face), hb_subset), hb.hb_face_destroy)
        # the empty glyphs after the last one used dropped: glyphs 0 … the last one used
        gid_set = hbs.hb_subset_input_glyph_set(hb_subset)
        hb.hb_set_add_range(gid_set, 0, max(to_unicode))
        hbs.hb_subset_input_set_flags(hb_subset, self._flags(font, hinting))
        hb_face = ffi.gc(hbs.hb_subset_or_fail(hb_face, hb_subset), hb.hb_face_destroy)
        if hb_face:
            file_content = self.read_face(hb_face)
            if file_content:
                font.file_content = file_content
                return
        logging.getLogger("weasyprint").warning('Unable to subset "%s" with HarfBuzz', font.family)

    def _flags(self, font, hinting) -> int:
        hbs = self.hbs
        flags = hbs.HB_SUBSET_FLAGS_PASSTHROUGH_UNRECOGNIZED | hbs.HB_SUBSET_FLAGS_DESUBROUTINIZE
        if not hinting:
            flags |= hbs.HB_SUBSET_FLAGS_NO_HINTING
        if getattr(font, "missing", False):
            flags |= hbs.HB_SUBSET_FLAGS_NOTDEF_OUTLINE
        return flags

    def bare_cff(self, font, to_unicode, hinting) -> bool:
        """Subset a CID-keyed CFF face to the glyphs used, renumbered, and keep its CFF table alone as the
        font's content (see the class). False, and the font untouched, when the face is not one."""
        tables = getattr(font, "tables", None) or ()  # (attributes of WeasyPrint's Font: read with care, since
        if ("fvar" in tables or "CFF " not in tables or getattr(font, "glyph_count", None) is None  # older ones
                or any(getattr(font, name, False) for name in ("png", "svg", "colr", "bitmap"))):  # lack some)
            return False
        ffi, hb, hbs = self.ffi, self.hb, self.hbs
        source = self.source(font.hb_face)
        if not self.cid_is_glyph_id(font.hb_face):
            return False
        used = sorted(g for g in to_unicode if g < font.glyph_count)  # (missing glyphs print as .notdef)
        hb_face = hbs.hb_subset_or_fail(source, self._input(used, self._flags(font, hinting)))
        cff = self.table(ffi.gc(hb_face, hb.hb_face_destroy), b"CFF ") if hb_face else b""
        if not is_bare_cff(cff):
            return False
        font.file_content = cff
        return True

    def cid_is_glyph_id(self, face) -> bool:
        """Whether ``face`` is a CID-keyed CFF font whose every glyph's CID is its glyph id (the page's glyph
        ids then name the same glyphs in any subset of it), found once a process for each face."""
        kept = self.prepared[int(self.ffi.cast("uintptr_t", face))]  # (kept by source(): the face stays alive)
        if len(kept) < 4:
            kept.append(cid_charset(self.table(face, b"CFF ")) == "identity")
        return kept[3]

    def table(self, face, tag: bytes) -> bytes:
        """A table of a HarfBuzz face, as bytes (empty when it has none)."""
        ffi, hb = self.ffi, self.hb
        blob = ffi.gc(hb.hb_face_reference_table(face, hb.hb_tag_from_string(tag, -1)), hb.hb_blob_destroy)
        length = ffi.new("unsigned int *")
        data = hb.hb_blob_get_data(blob, length)
        return bytes(ffi.buffer(data, length[0])) if length[0] else b""


class UnreadFace:
    """The bytes of a HarfBuzz face, not read yet (:meth:`FontSubsets.install_unread_faces`): true when the face
    has bytes, as those would be; keeps the face alive until :meth:`read` (or until it is dropped)."""

    __slots__ = ("face", "has_bytes", "_read")

    def __init__(self, face, read, hb, ffi):
        self.face = ffi.gc(hb.hb_face_reference(face), hb.hb_face_destroy)
        blob = hb.hb_face_reference_blob(face)
        self.has_bytes = hb.hb_blob_get_length(blob) > 0
        hb.hb_blob_destroy(blob)
        self._read = read

    def __bool__(self) -> bool:
        return self.has_bytes

    def read(self) -> bytes | None:
        return self._read(self.face)


def is_bare_cff(content: bytes) -> bool:
    """A CFF table on its own (version 1.0), not a font file (TrueType, OpenType, a collection)."""
    return content[:2] == b"\x01\x00"


def cid_charset(cff: bytes) -> list[int] | str | None:
    """The CIDs of a CID-keyed CFF font's glyphs, in glyph order, or ``"identity"`` when each glyph's CID is
    its glyph id (None: not a CID-keyed CFF font)."""
    from fontTools.cffLib import CFFFontSet  # a dependency of WeasyPrint

    try:
        fonts = CFFFontSet()
        fonts.decompile(io.BytesIO(cff), None, isCFF2=False)
        top = fonts.topDictIndex[0]
        if getattr(top, "ROS", None) is None:
            return None
        cids = [0 if name == ".notdef" else int(name.removeprefix("cid")) for name in top.charset]
        return "identity" if cids == list(range(len(cids))) else cids
    except Exception:  # noqa: BLE001 (not a CFF font fontTools can read, or glyphs not named by CID)
        return None


_MISSING = object()


class StyleSheets:
    """WeasyPrint's stylesheets of the print pages, each read and prepared once per process and font
    configuration instead of once per board.

    Every board links print.css (and badges.css) and has a small <style> of its page size and fonts, the
    same for every board of a kind: WeasyPrint validated every declaration and compiled every selector of
    them again for each board (~300 selectors, about a third of a desk sign's layout). A stylesheet is
    kept with what reading it added to the document (its page rules, cascade layers, counter styles and
    colour profiles) and that is added again to each document that uses it, in the same order; the
    document gets a shallow copy that refers to its own lists, as WeasyPrint's would. The selectors and
    declarations are only read by the cascade, never changed, so the PDFs are the same bytes. Only the
    stylesheets of documents fetched through a fetcher registered here (the Printer's: a run's files do not
    change while it runs) are kept; everything else goes to WeasyPrint as it is."""

    def __init__(self, css_class):
        self.css_class = css_class
        self.fetchers: dict[int, tuple[weakref.ref, dict]] = {}  # id(fetcher) → (fetcher, its stylesheets)

    def register(self, fetcher) -> None:
        """Keep the stylesheets of documents fetched by ``fetcher`` (forgotten with it)."""
        self.fetchers[id(fetcher)] = (weakref.ref(fetcher), {})
        weakref.finalize(fetcher, self.fetchers.pop, id(fetcher), None)

    def __call__(self, *args, **kwargs):
        fetcher = kwargs.get("url_fetcher")
        found = self.fetchers.get(id(fetcher))
        plain = (args or found is None or found[0]() is not fetcher or kwargs.get("matcher") is not None
                 or kwargs.get("layer") is not None or kwargs.get("guess") is not None
                 or kwargs.get("filename") is not None or kwargs.get("file_obj") is not None)
        if plain:
            return self.css_class(*args, **kwargs)
        page_rules = kwargs.get("page_rules")
        layers = kwargs.get("layers")
        counter_style = kwargs.get("counter_style")
        profiles = kwargs.get("color_profiles")
        if page_rules is None or layers is None or counter_style is None or profiles is None:
            return self.css_class(*args, **kwargs)
        font_config = kwargs.get("font_config")
        key = (kwargs.get("url"), kwargs.get("string"), kwargs.get("base_url"), kwargs.get("encoding"),
               kwargs.get("media_type"), kwargs.get("_check_mime_type"), id(font_config))
        sheets = found[1]
        kept = sheets.get(key)
        if kept is None:
            before = (len(page_rules), len(layers), dict(counter_style), dict(profiles))
            sheet = self.css_class(*args, **kwargs)
            added = (page_rules[before[0]:], layers[before[1]:],
                     {k: v for k, v in counter_style.items() if before[2].get(k, _MISSING) is not v},
                     {k: v for k, v in profiles.items() if before[3].get(k, _MISSING) is not v})
            sheets[key] = (sheet, added, font_config)  # the font configuration kept alive: its id stays its own
            return sheet
        sheet, (rules, names, counters, colours), _ = kept
        page_rules.extend(rules)
        layers.extend(names)
        counter_style.update(counters)
        profiles.update(colours)
        copy = object.__new__(type(sheet))
        copy.__dict__.update(sheet.__dict__)
        copy.page_rules, copy.layers = page_rules, layers
        return copy


class RunPaths:
    """WeasyPrint's SVG ``<path>`` drawing, with the paths made only of horizontal runs (``M x y h w`` repeated:
    the QR codes of :func:`boards.qr_svg`) drawn without its general parser.

    WeasyPrint reads a path's ``d`` command by command with regular expressions and a size conversion per
    number: a QR code of 400–600 runs took ~5 ms, a desk sign draws two: a tenth of writing the PDFs. Here such a path is recognised by one regular expression and given to the PDF
    stream as the very same operations WeasyPrint's ``path`` would make, in the same order, with the same
    numbers (and the same vertices kept for markers): the same bytes. Any other path goes to WeasyPrint."""

    RUNS = re.compile(r"(?:M\d+ \d+(?:\.\d+)?h\d+)+")
    RUN = re.compile(r"M(\d+) (\d+(?:\.\d+)?)h(\d+)")

    def __init__(self, path):
        self.path = path

    def __call__(self, svg, node, font_size):
        d = node.get("d", "")
        if not self.RUNS.fullmatch(d):
            return self.path(svg, node, font_size)
        stream, vertices = svg.stream, node.vertices
        stream.move_to(0, 0)  # (WeasyPrint starts every path at 0 0)
        first = True
        for x, y, width in self.RUN.findall(d):
            x, y = float(x), float(y)
            if not first:
                vertices.append(None)
            first = False
            stream.move_to(x, y)
            vertices.append((x, y))
            end = float(width) + x
            angle = 0 if end > x else math.pi
            vertices.append((math.pi - angle, angle))
            stream.line_to(end, y)
            vertices.append((end, y))

    @classmethod
    def install(cls, svg_module) -> bool:
        """Put a RunPaths in front of WeasyPrint's ``path`` in its SVG tags (once a process); False when this
        WeasyPrint draws paths some other way (then nothing changes)."""
        tags = getattr(svg_module, "TAGS", None)
        path = tags.get("path") if isinstance(tags, dict) else None
        if isinstance(path, cls):
            return True
        try:
            usable = path is not None and list(inspect.signature(path).parameters) == ["svg", "node", "font_size"]
        except (TypeError, ValueError):
            usable = False
        if not usable:
            return False
        tags["path"] = cls(path)
        return True


def speed_up(weasyprint) -> TextWidths | None:
    """Install :class:`TextWidths` and :class:`ParsedCSS` in WeasyPrint (once a process; workers forked later
    inherit them). Both only remember answers WeasyPrint computes: without the internals they wrap (another
    WeasyPrint version) nothing is installed and the PDFs come out the same, only slower. The widths memo,
    to clear before each document (None when not installed)."""
    try:
        import weasyprint.layout.preferred as preferred  # the optional dependency, loaded by the caller
    except ImportError:
        return None
    tinycss2 = getattr(weasyprint, "tinycss2", None)
    if tinycss2 is not None and hasattr(tinycss2, "parse_stylesheet_bytes") and not isinstance(tinycss2, ParsedCSS):
        weasyprint.tinycss2 = ParsedCSS(tinycss2)
    try:
        import weasyprint.css as css  # the optional dependency, loaded by the caller
    except ImportError:
        css = None
    if css is not None and isinstance(getattr(css, "CSS", None), type) and hasattr(css, "find_stylesheets"):
        css.CSS = StyleSheets(css.CSS)
    try:
        import weasyprint.pdf.fonts as fonts  # the optional dependency, loaded by the caller
    except ImportError:
        fonts = None
    if fonts is not None:
        FontSubsets.install(fonts)
    try:
        import weasyprint.svg as svg  # the optional dependency, loaded by the caller
    except ImportError:
        svg = None
    if svg is not None:
        RunPaths.install(svg)
    split = getattr(preferred, "split_first_line", None)
    if split is None:
        return None
    if not isinstance(split, TextWidths):
        preferred.split_first_line = TextWidths(split)
    return preferred.split_first_line


def zh_families() -> set[str] | None:
    """Font families fontconfig offers for Simplified Chinese (None when fc-list is missing)."""
    fc = shutil.which("fc-list")
    if fc is None:
        return None
    listed = subprocess.run([fc, ":lang=zh-cn", "family"], capture_output=True, text=True, check=False).stdout
    return {name.strip() for line in listed.splitlines() for name in line.split(",") if name.strip()}


def covers_chinese(path: Path) -> bool:
    from fontTools.ttLib import TTFont  # a dependency of WeasyPrint

    try:
        with TTFont(path, fontNumber=0, lazy=True) as font:
            cmap = font.getBestCmap() or {}
    except Exception:  # not a font file fontTools can read
        return False
    return all(ord(ch) in cmap for ch in "中岗党星公示")


def _at(prints: B.PrintSettings, key: str, message: str) -> ContentErrors:
    rec = prints.rec
    path, line, col = rec.where(key) if hasattr(rec, "where") else ("content/site.yaml", 0, 0)
    return ContentErrors([Problem(path, line, col, message)])


def font_setup(site: Path, prints: B.PrintSettings) -> tuple[B.PrintSettings, str | None]:
    """Make sure Chinese text gets a real Chinese font: (settings to use, file URI of a configured font)."""
    if prints.font_file:
        path = site / prints.font_file
        if not path.is_file():
            raise _at(prints, "font_file", f"找不到字体文件 `{prints.font_file}`（相对站点文件夹）：请把字体文件放到那里，"
                                           "或删掉 font_file 改用系统里的中文字体。")
        if not covers_chinese(path):
            raise _at(prints, "font_file", f"字体文件 `{prints.font_file}` 读不出来或不含常用汉字，汉字会印成方框："
                                           "请换一个简体中文字体（如思源宋体、Noto Serif CJK SC）。")
        return prints, path.resolve().as_uri()
    families = zh_families()
    if families is None:
        raise UsageError("找不到 fc-list（fontconfig），无法确认系统里有中文字体：请安装 fontconfig 和中文字体"
                         "（Debian/Ubuntu：apt-get install fontconfig fonts-noto-cjk），或在 content/site.yaml 的 "
                         "print.font_file 指定一个字体文件。")
    if prints.font:
        if prints.font not in families:
            known = "、".join(sorted(families)[:8]) or "（没有）"
            raise _at(prints, "font", f"系统里没有中文字体 `{prints.font}`，汉字会印成方框：请安装它，或改用已安装的中文字体"
                                      f"（{known}），或用 font_file 指定字体文件。")
        return prints, None
    if families & set(B.SERIF + B.SANS):
        return prints, None
    usable = sorted(f for f in families if check_font_family(f) is None)
    if usable:
        return dataclasses.replace(prints, font=usable[0]), None
    raise UsageError("找不到中文字体，PDF 里的汉字会印成方框：请安装 Noto CJK 字体（Debian/Ubuntu："
                     "apt-get install fonts-noto-cjk），或在 content/site.yaml 的 print.font_file 指定一个中文字体文件。")


class Resources:
    """What a board may load: the print CSS (and other static files), photos, a configured font."""

    def __init__(self, model: Model, dirs: list[Path], font_uri: str | None):
        self.base = model.settings.base_url
        self.static: dict[str, Path] = {}
        for folder in dirs:  # the site's own templates/static first
            static = folder / "static"
            if static.is_dir():
                for path in sorted(static.rglob("*")):
                    name = "static/" + path.relative_to(static).as_posix()
                    if path.is_file() and name not in self.static:
                        self.static[name] = path
        self.photos = {ref.digest: ref for ref in model.images.values()}
        self.content = model.content
        self.font_uri = font_uri
        self.refused: list[str] = []

    def get(self, url: str) -> tuple[bytes, str] | None:
        if self.font_uri and url == self.font_uri:
            return Path(_file_path(url)).read_bytes(), "application/font-sfnt"
        if url.startswith(self.base):
            rel = url[len(self.base):].split("#")[0].split("?")[0]
            if rel in self.static:
                return self.static[rel].read_bytes(), mimetypes.guess_type(rel)[0] or "application/octet-stream"
            m = re.fullmatch(r"media/([0-9a-f]{16})-(\d+)\.jpg", rel)
            ref = self.photos.get(m.group(1)) if m else None
            if ref is not None and any(str(w) == m.group(2) for w, _ in ref.variants()):
                return images.render(self.content / ref.src, int(m.group(2))), "image/jpeg"
        self.refused.append(url)
        return None


def _file_path(uri: str) -> str:
    from urllib.request import url2pathname
    return url2pathname(uri.removeprefix("file://"))


def fetcher_for(weasyprint, resources: Resources):
    """A WeasyPrint URL fetcher that serves only ``resources`` (never the network)."""
    urls = weasyprint.urls
    if hasattr(urls, "URLFetcher"):  # WeasyPrint 66+
        class Fetcher(urls.URLFetcher):
            def fetch(self, url, headers=None):
                found = resources.get(url)
                if found is None:
                    raise ValueError(f"not a file of this site: {url}")
                return urls.URLFetcherResponse(url, found[0], {"Content-Type": found[1]})
        return Fetcher()

    def fetch(url, timeout=10, ssl_context=None):  # older WeasyPrint
        found = resources.get(url)
        if found is None:
            raise ValueError(f"not a file of this site: {url}")
        return {"string": found[0], "mime_type": found[1], "redirected_url": url}
    return fetch


def check_output(site: Path, out: Path) -> None:
    site_r, out_r = site.resolve(), out.resolve()
    if out_r == site_r or site_r.is_relative_to(out_r):
        raise UsageError(f"PDF 文件夹 {out} 是站点文件夹本身或它的上级：请用单独的文件夹（默认 pdf/）。")
    for source in ("content", "templates", "output"):
        if out_r.is_relative_to((site_r / source).resolve()):
            raise UsageError(f"PDF 文件夹 {out} 在 {source}/ 里面：请放到别处（默认 pdf/）。")
    if out_r.exists() and not out_r.is_dir():
        raise UsageError(f"{out} 不是文件夹：请换一个位置。")


def source_of(board: B.Board) -> str:
    if isinstance(board, C.CompetitionBoard):
        return board.source
    if board.member is not None:
        return f"content/members/{board.member.id}.yaml"
    return f"content/posts/{board.id}.yaml"


class Printer:
    """Renders boards to WeasyPrint documents, one page per wall board."""

    def __init__(self, site: Path, model: Model):
        self.wp = load_weasyprint()
        self.widths = speed_up(self.wp)
        self.model = model
        self.prints, self.face = font_setup(site, B.PrintSettings.of(model.settings))
        self.renderer = Renderer(site, model)
        self.resources = Resources(model, self.renderer.dirs, self.face)
        self.fetcher = fetcher_for(self.wp, self.resources)
        sheets = getattr(getattr(self.wp, "css", None), "CSS", None)
        if isinstance(sheets, StyleSheets):
            sheets.register(self.fetcher)
        self.images: dict = {}  # WeasyPrint's cache of the images (photos) shared by this run's documents
        self._fonts = None
        self.fitted: dict[str, int] = {}  # board key → the layout a small card fitted in (for its sheet)

    @property
    def fonts(self):
        """WeasyPrint's font configuration (Pango's font map), made by the process that renders: a worker
        forked from the process that imported WeasyPrint makes its own, never inherits one."""
        if self._fonts is None:
            from weasyprint.text.fonts import FontConfiguration  # the optional dependency, once loaded
            self._fonts = FontConfiguration()
        return self._fonts

    def html(self, board: B.Board, density: int | None = None) -> str:
        return self._render(board_page(board, self.prints, face_src=self.face, density=density))

    def _render(self, page) -> str:
        try:
            return self.renderer.render(page).decode("utf-8")
        except TemplateProblem as exc:
            raise ContentErrors([exc.problem]) from None

    def document(self, board: B.Board):
        """The WeasyPrint document of ``board``, or a Problem when a wall board does not fit one page."""
        density = board.density
        while True:
            doc = self.layout(self.html(board, density))
            if not board.kind.wall or len(doc.pages) == 1:
                if board.kind.sheet:
                    self.fitted[board.key] = density  # the card's layout on its sheet
                return doc
            if density >= MAX_DENSITY:
                paper = self.prints.papers[board.kind.name]
                return Problem(source_of(board), 1, 1,
                               f"{board.kind.label}在 {paper.name} 纸上排不下一页（排成了 {len(doc.pages)} 页）："
                               "请精简岗位名称、职务、承诺或标准，或在 site.yaml 的 print.sizes 里换大一号的纸。")
            density += 1

    def sheets(self, cards: list[B.Board], title: str, url: str):
        """The A4 sheets of small cards (badge cards, ten to a page with crop marks), each card in the layout it
        fitted alone; None when the configured card is too large for a sheet."""
        page = sheet_page(cards, self.prints, title, url=url, face_src=self.face, densities=self.fitted)
        if page is None:
            return None
        return self.layout(self._render(page))

    def layout(self, html: str):
        """The WeasyPrint document of a page's HTML."""
        if self.widths is not None:
            self.widths.clear()  # what it remembers holds for one document
        options = {"cache": self.images} if "cache" in getattr(self.wp, "DEFAULT_OPTIONS", {}) else {}
        return self.wp.HTML(string=html, base_url=self.model.settings.base_url,
                            url_fetcher=self.fetcher).render(font_config=self.fonts, **options)


def combined_file(board: B.Board) -> str:
    """Which of its unit's combined files a board goes into: ``files`` (personnel files), ``badges`` (small
    cards, laid out on sheets: the kind's name and s) or ``boards`` (everything for walls and desks)."""
    if board.personnel_file:
        return "files"
    return f"{board.kind.name}s" if board.kind.sheet else "boards"


def on_sheet(board: B.Board) -> bool:
    """Whether a board is laid out again on its unit's sheets (the badge cards), not merged page by page."""
    return board.kind.sheet and not board.personnel_file


@dataclasses.dataclass
class _Job:
    """What the workers need, set before they are forked (so that nothing but indices is sent to them)."""
    printer: Printer
    chosen: list[B.Board]
    out: Path
    combine: bool
    producer: str = ""  # of the combined files


_JOB: _Job | None = None


@dataclasses.dataclass
class _Done:
    """What one part left behind: files written, combined files, problems, refused URLs, boards done."""
    written: int = 0
    problems: list[Problem] = dataclasses.field(default_factory=list)
    refused: list[str] = dataclasses.field(default_factory=list)
    boards: int = 0
    fatal: list[Problem] | None = None  # ContentErrors (a broken template), re-raised by the parent
    fitted: dict[str, int] = dataclasses.field(default_factory=dict)  # Printer.fitted of the small cards done
    sheets: int = 0  # files of small cards laid out on sheets
    files: list[str] = dataclasses.field(default_factory=list)  # written, relative to the output folder
    failed: list[str] = dataclasses.field(default_factory=list)  # files of the boards that did not fit (not written)


def _print_part(part: list[int], tick=None) -> _Done:
    """Render and write the boards ``part`` (indices into the chosen boards; with combined files, a unit's badge
    cards are one part, laid out again on their sheets at the end of it)."""
    gc.enable()  # workers start with the collector off; WeasyPrint's layouts are cyclic garbage
    job = _JOB
    done = _Done()
    refused_before = len(job.printer.resources.refused)
    try:
        _print_boards(job, [job.chosen[i] for i in part], done, tick)
    except ContentErrors as exc:  # not picklable as it is: sent back as its problems
        done.fatal = list(exc.problems)
    done.refused = job.printer.resources.refused[refused_before:]
    done.fitted = {k: v for k, v in job.printer.fitted.items() if k in {job.chosen[i].key for i in part}}
    return done


def _print_boards(job: _Job, chosen: list[B.Board], done: _Done, tick) -> None:
    by_unit: dict[str, list[B.Board]] = {}
    for board in chosen:
        by_unit.setdefault(board.unit.id, []).append(board)
    for unit_id, unit_boards in by_unit.items():
        job.printer.images.clear()  # the photos of one unit's boards at a time
        cards: dict[str, list[B.Board]] = {}  # small cards, laid out again on their unit's sheets
        failed = False
        for board in unit_boards:
            doc = job.printer.document(board)
            done.boards += 1
            if isinstance(doc, Problem):
                done.problems.append(doc)
                done.failed.append(board_file(board))
                failed = True
            else:
                _write(job.out / board_file(board), doc.write_pdf())
                done.written += 1
                done.files.append(board_file(board))
                if job.combine and on_sheet(board):
                    cards.setdefault(combined_file(board), []).append(board)
            del doc  # (a page's layout holds ~3.6 MB of Pango's memory: one at a time)
            if tick is not None:
                tick(1)
        if failed:
            continue
        unit = unit_boards[0].unit
        for suffix, boards in cards.items():
            joined = job.printer.sheets(boards, unit.name, f"print/units/{unit_id}/{suffix}/")
            if joined is None:
                continue
            done.sheets += 1
            _write(job.out / combined_path(unit_id, suffix), joined.write_pdf())
            done.files.append(combined_path(unit_id, suffix))


@dataclasses.dataclass(frozen=True)
class Merge:
    """A unit's combined file (``-boards.pdf``, ``-files.pdf``): its boards' PDFs, page after page."""
    path: str  # relative to the output folder, as the boards' files
    title: str
    boards: tuple[str, ...]


def load_pypdf():
    try:
        import pypdf  # the optional dependency (the pdf extra), as WeasyPrint
    except ImportError:
        raise UsageError("合并各单位的 PDF 需要 pypdf：请运行 pip install 'site-builder[pdf]'。") from None
    return pypdf


def merge(out: Path, job: Merge, producer: str) -> None:
    """Write a combined file from its boards' PDFs as they are in ``out``.

    Made from the files, not from WeasyPrint's pages: a page's layout holds ~3.6 MB (Pango's, outside
    Python's heap), so keeping a unit's pages for its combined file took ~1 GB for a unit of 14 posts, and
    ~5 GB for one of 100; and a board made again needs only its own file remade, not its unit's every page
    laid out again. Each page keeps its own font subsets, so the file is about the sum of its boards' (a
    unit of 14 posts: 7 MB instead of 0.8). pypdf writes the same bytes for the same files."""
    writer = load_pypdf().PdfWriter()
    for name in job.boards:
        writer.append(out / name)
    writer.add_metadata({"/Title": job.title, "/Producer": producer})
    data = io.BytesIO()
    writer.write(data)
    _write(out / job.path, data.getvalue())


def _merge_part(part: list[Merge]) -> list[str]:
    gc.enable()
    for job in part:
        merge(_JOB.out, job, _JOB.producer)
    return [job.path for job in part]


def _write(path: Path, data: bytes) -> None:
    """Write a PDF unless the file holds these bytes already (a file made again with the same bytes, by
    --force or a combined file merged from the same pages, keeps its time stamp, which a print shop's folder
    sync goes by)."""
    if not same_bytes(path, data):
        replace_file(path, data)


def loose_sheets(printer: Printer, model: Model, chosen: list[B.Board], out: Path) -> int:
    """Without whole units (--post, --member, --stale -o): the small cards made, all on one set of sheets
    (``badges.pdf`` in the output folder: e.g. every badge to reprint). The number of files written."""
    written = 0
    for suffix in sorted({combined_file(b) for b in chosen if b.kind.sheet}):
        cards = [b for b in chosen if b.kind.sheet and combined_file(b) == suffix and b.key in printer.fitted]
        units = {b.unit.id for b in cards}
        title = cards[0].unit.name if len(units) == 1 else model.settings.title
        doc = printer.sheets(cards, title, f"print/{suffix}/") if cards else None
        if doc is not None:
            replace_file(out / f"{suffix}.pdf", doc.write_pdf())
            written += 1
    return written


def groups_of(chosen: list[B.Board], combine: bool) -> list[list[int]]:
    """The boards as indices, in what is made together: with combined files, a unit's badge cards (laid out
    again together on its sheets); every other board alone."""
    groups: list[list[int]] = []
    sheets: dict[tuple[str, str], list[int]] = {}
    for i, board in enumerate(chosen):
        if combine and on_sheet(board):
            sheet = sheets.get((board.unit.id, combined_file(board)))
            if sheet is None:
                sheet = sheets[(board.unit.id, combined_file(board))] = []
                groups.append(sheet)
            sheet.append(i)
        else:
            groups.append([i])
    return groups


def parts_of(groups: list[list[int]], jobs: int) -> list[list[int]]:
    """The groups in parts for the workers: each sheet's cards one part, the single boards a few a part."""
    single = [g[0] for g in groups if len(g) == 1]
    size = max(2, min(64, -(-len(single) // (jobs * 4))))  # (at most 64: a part's boards show as progress at once)
    return [g for g in groups if len(g) > 1] + [single[i:i + size] for i in range(0, len(single), size)]


def sheet_file(chosen: list[B.Board], group: list[int]) -> str | None:
    """The file of a group's unit's sheets, if the group is a unit's cards laid out on them (:func:`groups_of`)."""
    first = chosen[group[0]]
    return combined_path(first.unit.id, combined_file(first)) if on_sheet(first) else None


def merges_of(chosen: list[B.Board]) -> list[Merge]:
    """The units' combined files (``boards`` and ``files``) of the chosen boards, in print order."""
    found: dict[str, tuple[str, list[str]]] = {}
    for board in chosen:
        if on_sheet(board):
            continue
        suffix = combined_file(board)
        path = combined_path(board.unit.id, suffix)
        if path not in found:
            found[path] = (f"{board.unit.name} {'档案卡片' if suffix == FILES else '牌卡'}", [])
        found[path][1].append(board_file(board))
    return [Merge(path, title, tuple(boards)) for path, (title, boards) in found.items()]


MANIFEST = ".site-builder-pdf.json"  # in the output folder: file → digest of what it was made from


_DIGESTING: tuple | None = None  # (printer, boards, environment) while input_digests' workers run


def input_digests(printer: Printer, chosen: list[B.Board], jobs: int = 1) -> dict[str, str]:
    """Board key → digest of everything its PDF is made from (see the module's docstring), on ``jobs`` cores
    (each board's page is rendered for it: 10 s for the 31,020 boards of a 1,000-post city)."""
    global _DIGESTING
    weasyprint_version = getattr(printer.wp, "__version__", "?")
    font = Path(_file_path(printer.face)).read_bytes() if printer.face else b""
    env = environment_digest(printer.renderer.dirs, (weasyprint_version, hashlib.blake2b(font).hexdigest()))
    _DIGESTING = (printer, chosen, env)
    try:
        digests: dict[str, str] = {}
        for part in workers.run(_digest_part, workers.chunks(list(range(len(chosen))), jobs, 256), jobs):
            digests.update(part)
        return digests
    finally:
        _DIGESTING = None


def _digest_part(part: list[int]) -> dict[str, str]:
    printer, chosen, env = _DIGESTING
    return {chosen[i].key: hashlib.blake2b(env + printer.html(chosen[i]).encode("utf-8"), digest_size=16).hexdigest()
            for i in part}


def board_file(board: B.Board) -> str:
    """A board's PDF, relative to the output folder."""
    return f"{board.unit.id}/{FILES + '/' if board.personnel_file else ''}{board.filename}"


def combined_path(unit_id: str, suffix: str) -> str:
    """A unit's combined file (``suffix``: :func:`combined_file`), relative to the output folder."""
    return f"{unit_id}/{unit_id}-{suffix}.pdf"


def _of_all(digests: list[str]) -> str:
    return hashlib.blake2b("".join(sorted(digests)).encode(), digest_size=16).hexdigest()


def manifest_of(chosen: list[B.Board], groups: list[list[int]], merges: list[Merge], digests: dict[str, str]
                ) -> dict[str, str]:
    """File → digest of its inputs: a board's file its board's, a sheet file or a combined file that of its
    boards' digests together."""
    manifest = {board_file(b): digests[b.key] for b in chosen}
    for group in groups:
        sheet = sheet_file(chosen, group)
        if sheet is not None:
            manifest[sheet] = _of_all([digests[chosen[i].key] for i in group])
    for job in merges:
        manifest[job.path] = _of_all([manifest[name] for name in job.boards])
    return manifest


def _kept(out: Path, before: dict[str, str], manifest: dict[str, str], name: str) -> bool:
    return before.get(name) == manifest[name] and (out / name).is_file()


def to_make(out: Path, chosen: list[B.Board], groups: list[list[int]], merges: list[Merge],
            manifest: dict[str, str]) -> tuple[list[list[int]], list[Merge]]:
    """The groups and combined files to make: a group when one of its files is missing or was made from other
    inputs (by the manifest of the run that wrote it), a combined file when it is, or when one of its boards is
    made again."""
    before = read_manifest(out)
    todo = []
    for group in groups:
        names = [board_file(chosen[i]) for i in group]
        sheet = sheet_file(chosen, group)
        if sheet is not None:
            names.append(sheet)
        if not all(_kept(out, before, manifest, name) for name in names):
            todo.append(group)
    made = {board_file(chosen[i]) for group in todo for i in group}
    return todo, [job for job in merges if not _kept(out, before, manifest, job.path) or made.intersection(job.boards)]


def read_manifest(out: Path) -> dict[str, str]:
    try:
        found = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def write_manifest(out: Path, entries: dict[str, str]) -> None:
    old = read_manifest(out)
    old.update(entries)
    out.mkdir(parents=True, exist_ok=True)
    replace_file(out / MANIFEST, json.dumps(dict(sorted(old.items())), ensure_ascii=False, indent=0).encode())


def make_pdfs(site: Path, model: Model, chosen: list[B.Board], out: Path, *, combine: bool, quiet: bool,
              jobs: int = 1, progress: Progress | None = None, skip_unchanged: bool = False) -> int:
    global _JOB
    check_output(site, out)
    if not chosen:
        if not quiet:
            print("没有要生成的牌卡（已摘牌岗位没有公示榜和创建牌）。")
        return 0
    start = time.perf_counter()
    printer = Printer(site, model)  # WeasyPrint imported once, before the workers are forked
    producer = f"WeasyPrint {getattr(printer.wp, '__version__', '?')}, pypdf {load_pypdf().__version__}" if combine else ""
    groups = groups_of(chosen, combine)
    merges = merges_of(chosen) if combine else []
    skipped, manifest = 0, {}
    if skip_unchanged:
        manifest = manifest_of(chosen, groups, merges, input_digests(printer, chosen, jobs))
        todo, merges = to_make(out, chosen, groups, merges, manifest)
        skipped = sum(len(g) for g in groups) - sum(len(g) for g in todo)
        groups = todo
    parts = parts_of(groups, jobs)
    planned = {board_file(chosen[i]) for group in groups for i in group} | {job.path for job in merges} | {
        sheet_file(chosen, g) for g in groups} - {None}
    weasy_log = logging.getLogger("weasyprint")
    level = weasy_log.level
    weasy_log.setLevel(logging.ERROR)  # CSS it does not support is expected; missing files are reported below
    total, count = sum(len(p) for p in parts), 0

    def tick(n: int) -> None:
        nonlocal count
        count += n
        if progress:
            progress("pdf", count, total)

    tick(0)
    results: list[_Done] = []
    _JOB = _Job(printer, chosen, out, combine, producer)
    try:
        if jobs <= 1 or len(parts) <= 1 or not workers.can_fork():
            for part in parts:
                results.append(_print_part(part, tick))  # progress board by board
                if results[-1].fatal:
                    break
        else:
            parts.sort(key=len, reverse=True)  # the biggest units first: no big one left for the end
            for done in workers.run(_print_part, parts, min(jobs, len(parts))):
                results.append(done)
                tick(done.boards)
        merged: list[str] = []
        if combine and not any(done.fatal for done in results):  # the combined files, once their boards are there
            failed = {name for done in results for name in done.failed}
            merges = [job for job in merges if not failed.intersection(job.boards)]
            for part in workers.run(_merge_part, workers.chunks(merges, jobs, 1), jobs):
                merged += part
        loose = 0
        if not combine and not any(done.fatal for done in results):
            for done in results:
                printer.fitted.update(done.fitted)
            loose = loose_sheets(printer, model, chosen, out)
    finally:
        _JOB = None
        weasy_log.setLevel(level)
    if progress:
        progress.close()
    fatal = [p for done in results if done.fatal for p in done.fatal]
    if fatal:
        raise ContentErrors(fatal)
    problems = [p for done in results for p in done.problems]
    written = sum(done.written for done in results)
    combined = len(merged)
    sheets = sum(done.sheets for done in results) + loose
    for url in sorted({url for done in results for url in done.refused}):
        print(f"注意：{url} 不是本站的文件，没有载入 PDF。", file=sys.stderr)
    if manifest:  # the files kept, and those written now (not those of boards that did not fit)
        written_now = {name for done in results for name in done.files} | set(merged)
        write_manifest(out, {name: digest for name, digest in manifest.items()
                             if name not in planned or name in written_now})
    if problems:
        for problem in sorted(problems):
            print(problem.format(), file=sys.stderr)
        print(f"{len(problems)} 块牌卡排不下一页，没有生成（也没有生成它们所在单位合并的 -boards.pdf）；"
              f"其余 {written} 个 PDF 已生成 → {out}。", file=sys.stderr)
        return 1
    if not quiet:
        unchanged = f"{skipped} 块牌卡自上次生成以来没有变化，未重新生成（--force 全部重新生成）" if skipped else ""
        made = (f"已生成 {written} 个 PDF" + (f"，另有 {combined} 个按单位合并的文件" if combined else "")
                + (f"，{sheets} 个胸牌拼版文件（A4，带裁切线）" if sheets else "")) if written or not skipped else ""
        print("；".join(x for x in (made, unchanged) if x) + f" → {out}（{time.perf_counter() - start:.1f} 秒）")
    return 0
