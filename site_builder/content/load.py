"""Stage 1, load: files in ``content/`` → raw records (schema-checked, with file and line).

Nothing here knows about other records; references are checked by :mod:`model`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from . import fast_evaluations, formats, placeholders, privacy
from ..errors import Problem, Problems, rel
from .front_matter import split
from .schema import INVALID, Ctx, Rec, Record, check_id, pack, seal
from .strict_yaml import YamlError, decode, load as load_yaml

_ODD_BREAK = re.compile("[\x85\u2028\u2029]")
MAX_YAML_BYTES = 1_000_000
MAX_EVALUATION_BYTES = 64_000_000  # one month of a province: ~20 MB
MAX_STORY_BYTES = 500_000
FOLDERS = {"units": formats.UNIT, "posts": formats.POST, "members": formats.MEMBER, "evaluations": formats.EVALUATION}
FOLDERS["competitions"] = formats.COMPETITION  # 开展一项竞赛 (model/competition.py)
NESTED = {"indicators": formats.INDICATOR_VALUES}  # content/indicators/<competition>/<YYYY-MM>.yaml
KNOWN_TOP = set(FOLDERS) | set(NESTED) | {"stories", "images", "site.yaml"}


@dataclass(frozen=True)
class Story:
    id: str
    meta: Rec
    body: str
    body_line: int
    path: str


class Later:
    """A file's record made when something reads it: ``value()``, each time anew, kept by nobody. A city's
    evaluation files are kept this way, as their pickled bytes, from their parse on: they are a third of a
    city's content and most of its records' memory (at 10,000 posts ~300 MiB of objects against ~25 MB of
    bytes), the model reads them one file at a time in one pass, and a warm build needs them only when one of
    them changed (the model keeps the standings by the files' digests). Picklable when ``make`` is."""

    __slots__ = ("make",)

    def __init__(self, make: Callable[[], Any]):
        self.make = make

    def __reduce__(self):
        return Later, (self.make,)

    def value(self) -> Any:
        return self.make()


@dataclass
class Raw:
    """Everything read from ``content/``, each record a schema-checked :class:`Rec`."""

    root: Path  # the site folder
    content: Path
    site: Rec | None = None
    units: dict[str, Rec] = field(default_factory=dict)
    posts: dict[str, Rec] = field(default_factory=dict)
    members: dict[str, Rec] = field(default_factory=dict)
    _evaluations: dict[str, Rec | Later] = field(default_factory=dict)  # by file id; see evaluation_records
    stories: dict[str, Story] = field(default_factory=dict)
    competitions: dict[str, Rec] = field(default_factory=dict)
    indicators: dict[str, Rec] = field(default_factory=dict)  # "<competition>/<YYYY-MM>" → a month's values
    broken: set[str] = field(default_factory=set)  # "posts/x": files that exist but failed to load
    sensitive: list[privacy.Hit] = field(default_factory=list)  # ID/mobile numbers seen (privacy.report)
    # "content/evaluations/2025-04.yaml" (a record's ``path``) → the digest of the file's bytes, where known: what
    # a record was made from, in a form a later build can compare (the model remembers the standings by their
    # evaluation files' digests; incremental/tracking.py names a record by its file's digest and its position)
    digests: dict[str, bytes] = field(default_factory=dict)
    evaluation_paths: dict[str, str] = field(default_factory=dict)  # file id → "content/evaluations/2025-04.yaml"
    # the files read again were those a watcher of content/ said changed since the build before (serve's
    # rebuilds): no other file changed meanwhile, no photo, no folder's entries (False: every file looked at)
    watched: bool = False

    def evaluation(self, fid: str) -> Rec:
        """One evaluation file's record (made now if it is kept for later: not kept made)."""
        value = self._evaluations[fid]
        return value.value() if type(value) is Later else value

    def evaluation_records(self) -> Iterator[tuple[str, Rec]]:
        """(file id, record) of each evaluation file, by file id, each made as it is reached."""
        for fid in sorted(self._evaluations):
            yield fid, self.evaluation(fid)

    def drop_evaluation(self, fid: str) -> None:
        """Take an evaluation file's record out (``import``'s trial model, with the month being imported)."""
        self._evaluations.pop(fid, None)
        path = self.evaluation_paths.pop(fid, None)
        if path is not None:
            self.digests.pop(path, None)

    def add_evaluation(self, fid: str, rec: Rec, path: str) -> None:
        """Put a record in that no file holds yet: with no digest, so that nothing kept for a file is taken
        for it (the model replays the standings)."""
        self.drop_evaluation(fid)
        self._evaluations[fid] = rec
        self.evaluation_paths[fid] = path

    def evaluation_files(self) -> list[tuple[str, str, bytes | None]]:
        """(file id, path, digest of its bytes or None) of each evaluation file that loaded, without reading
        the records the cache kept for later."""
        paths = self.evaluation_paths
        return [(fid, paths.get(fid, ""), self.digests.get(paths.get(fid, ""))) for fid in self._evaluations]


def read_text(path: Path, shown: str, problems: Problems, limit: int) -> str | None:
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.whole_file(shown, f"无法读取文件：{exc.strerror}。")
        return None
    if len(data) > limit:
        problems.whole_file(shown, f"文件太大（{len(data)} 字节，最多 {limit} 字节）：请拆分或精简。")
        return None
    try:
        return decode(data)
    except YamlError as exc:
        problems.add(shown, exc.line, exc.col, exc.message)
        return None


def parse_yaml(text: str, shown: str, schema: Record, problems: Problems, line_offset: int = 0) -> Rec | None:
    if schema is formats.EVALUATION and not line_offset:
        rec = fast_evaluations.evaluation(text, shown)  # None when the general loader must read it
        if rec is not None:
            return rec
    try:
        node = load_yaml(text)
    except YamlError as exc:
        problems.add(shown, (exc.line or 1) + line_offset, exc.col, exc.at(line_offset))
        return None
    if node is None:
        problems.add(shown, line_offset + 1, 1, "内容是空的：请按 docs/content-format.md 的示例填写。")
        return None
    ctx = Ctx(shown, problems, line_offset)
    rec = schema.convert(node, ctx)
    return None if rec is INVALID else rec


OUTSIDE = "这是指向 content/ 以外的符号链接，不予读取：请把文件本身放进仓库。"
LOOP = "这是循环的符号链接（最终指向它自己），无法读取：请删除它，把文件本身放进仓库。"


def _symlink_problem(path: Path, real_content: Path) -> str | None:
    """Why ``path`` (a symbolic link, or a path through one) may not be read, or None."""
    try:
        target = path.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Python 3.11)
        return LOOP
    return None if target.is_relative_to(real_content) else OUTSIDE


def _safe_files(folder: Path, content: Path, root: Path, problems: Problems) -> list[tuple[str, str, str]]:
    """(name, path, shown) of the regular files directly in ``folder``; symlinks leading outside ``content/``
    are refused, and so are file names that differ from another's only in letter case (one file on Windows
    and macOS). Paths are strings: a city has tens of thousands of files."""
    out = []
    real_content = content.resolve()
    entries = sorted(os.scandir(folder), key=lambda e: e.name)
    folded: dict[str, list[str]] = {}
    for entry in entries:
        if not entry.name.startswith("."):
            folded.setdefault(entry.name.casefold(), []).append(entry.name)
    shown_folder = rel(folder, root) + "/"
    for entry in entries:
        name = entry.name
        if name.startswith("."):
            continue
        shown = shown_folder + name
        if entry.is_symlink():
            problem = _symlink_problem(Path(entry.path), real_content)
            if problem:
                problems.whole_file(shown, problem)
                continue
        twins = folded[name.casefold()]
        if len(twins) > 1 and name != name.lower():
            others = "、".join(f"`{shown_folder}{twin}`" for twin in twins if twin != name)
            problems.whole_file(shown, f"文件名与 {others} 只差大小写：在 Windows 和 macOS 上它们是同一个文件，"
                                      "发布后的网址也相同。编号只能用小写字母：请把两个文件合并，或给其中一个换个编号。")
            continue
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            problems.add(shown, 0, 0, "这里不应有子文件夹：请把文件直接放在上一级文件夹里。")
            continue
        out.append((name, entry.path, shown))
    return out


def _file_id(name: str, suffix: str, shown: str, problems: Problems) -> str | None:
    dot = name.rfind(".")  # the suffix and the stem as pathlib has them
    stem, ext = (name[:dot], name[dot:]) if 0 < dot < len(name) - 1 else (name, "")
    if ext != suffix:
        hint = f"请改名为 `{stem}{suffix}`。" if ext.lower() in (".yml", ".yaml", ".md", ".markdown") else \
            f"这个文件夹只放 `{suffix}` 文件。"
        problems.whole_file(shown, f"文件扩展名不对：{hint}")
        return None
    message = check_id(stem)
    if message:
        problems.whole_file(shown, "文件名就是编号。" + message)
        return None
    return stem


@dataclass
class Parsed:
    """What one content file gives: a pure function of its kind, its path and its bytes (so cacheable)."""

    value: Rec | Story | None  # None: the file failed to load (its problems say why)
    problems: list[Problem]
    sensitive: list[privacy.Hit]


@dataclass(frozen=True)
class Job:
    kind: str  # "site", a folder of FOLDERS, or "stories"
    rid: str  # the record id (the file name), "site" for site.yaml
    path: str | Path
    shown: str
    limit: int


def parse_file(job: Job, data: bytes | None, error: str | None = None) -> Parsed:
    """Decode, scan for personal numbers and schema-check one file (``data`` None: it could not be read)."""
    problems = Problems()
    if data is None:
        problems.whole_file(job.shown, f"无法读取文件：{error}。")
        return Parsed(None, problems.items, [])
    if len(data) > job.limit:
        problems.whole_file(job.shown, f"文件太大（{len(data)} 字节，最多 {job.limit} 字节）：请拆分或精简。")
        return Parsed(None, problems.items, [])
    try:
        text = decode(data)
    except YamlError as exc:
        problems.add(job.shown, exc.line, exc.col, exc.message)
        return Parsed(None, problems.items, [])
    if "\r" in text:  # CRLF and old Mac line ends: every stage counts lines between \n
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    sensitive = privacy.find(text, job.shown)
    if job.kind != "stories":
        schema = formats.SITE if job.kind == "site" else FOLDERS.get(job.kind) or NESTED[job.kind]
        rec = pack(seal(parse_yaml(text, job.shown, schema, problems)), schema)
        return Parsed(rec, placeholders.supersede(problems.items, placeholders.find(text, job.shown)), sensitive)
    odd = _ODD_BREAK.search(text)  # Markdown would break lines there, editors do not: positions would differ
    if odd:
        line = text.count("\n", 0, odd.start()) + 1
        problems.add(job.shown, line, odd.start() - text.rfind("\n", 0, odd.start()),
                     f"这里有不可见的换行符 U+{ord(odd.group()):04X}：请删除它（常见于从网页或文档复制粘贴）。")
        return Parsed(None, problems.items, sensitive)
    try:
        front, body, body_line = split(text)
    except YamlError as exc:
        problems.add(job.shown, exc.line, exc.col, exc.message)
        return Parsed(None, problems.items, sensitive)
    meta = parse_yaml(front, job.shown, formats.STORY, problems, line_offset=1)
    story = Story(job.rid, seal(meta), body, body_line, job.shown) if meta is not None else None
    blanks = placeholders.find(text, job.shown, yaml_lines=body_line - 1)  # the front matter is YAML
    return Parsed(story, placeholders.supersede(problems.items, blanks), sensitive)


def scan(root: Path, problems: Problems) -> list[Job]:
    """Every content file to read, in the order they are reported; problems with names and folders."""
    content = root / "content"
    if not content.is_dir():
        problems.add(rel(content, root), 0, 0, "找不到 content/ 文件夹：站点文件夹里应有 content/site.yaml 等内容。")
        return []
    for entry in sorted(os.scandir(content), key=lambda e: e.name):
        if entry.name.startswith(".") or entry.name in KNOWN_TOP:
            continue
        at = 1 if entry.is_file() else 0  # a file is placed at its first line; a folder has no line
        problems.add(rel(Path(entry.path), root), at, at,
                     "content/ 里不认识这个文件或文件夹：可用的有 site.yaml、units/、posts/、members/、"
                     "evaluations/、stories/、images/、competitions/、indicators/。")
    jobs = []
    real_content = content.resolve()
    site_path = content / "site.yaml"
    escape = _symlink_problem(site_path, real_content) if site_path.is_symlink() else None
    if escape:
        problems.whole_file(rel(site_path, root), escape)
    elif not site_path.is_file():
        problems.whole_file(rel(site_path, root), "缺少站点设置文件 content/site.yaml：请参照 docs/content-format.md 创建。")
    else:
        jobs.append(Job("site", "site", site_path, rel(site_path, root), MAX_YAML_BYTES))
    for folder in (*FOLDERS, "stories"):
        if (content / folder).is_symlink():
            escape = _symlink_problem(content / folder, real_content)
            if escape:
                problems.add(rel(content / folder, root), 0, 0, escape)
                continue
        if not (content / folder).is_dir():
            continue
        suffix = ".md" if folder == "stories" else ".yaml"
        limit = {"evaluations": MAX_EVALUATION_BYTES, "stories": MAX_STORY_BYTES}.get(folder, MAX_YAML_BYTES)
        for name, path, shown in _safe_files(content / folder, content, root, problems):
            rid = _file_id(name, suffix, shown, problems)
            if rid is not None:
                jobs.append(Job(folder, rid, path, shown, limit))
    return jobs + _nested_jobs(content, root, problems)


def _nested_jobs(content: Path, root: Path, problems: Problems) -> list[Job]:
    """content/indicators/<competition>/<YYYY-MM>.yaml: a folder per competition (named by its id), a file a month."""
    jobs = []
    real_content = content.resolve()
    for kind in NESTED:
        top = content / kind
        escape = _symlink_problem(top, real_content) if top.is_symlink() else None
        if escape:
            problems.add(rel(top, root), 0, 0, escape)
            continue
        if not top.is_dir():
            continue
        for entry in sorted(os.scandir(top), key=lambda e: e.name):
            if entry.name.startswith("."):
                continue
            folder = Path(entry.path)
            shown = rel(folder, root)
            escape = _symlink_problem(folder, real_content) if entry.is_symlink() else None
            if escape:
                problems.add(shown, 0, 0, escape)
                continue
            if not folder.is_dir():
                problems.add(shown, 1, 1, f"content/{kind}/ 里只放以竞赛编号命名的文件夹：请把这个文件移到 "
                                          f"content/{kind}/<竞赛编号>/ 里。")
                continue
            message = check_id(entry.name)
            if message:
                problems.add(shown, 0, 0, "文件夹名就是竞赛编号。" + message)
                continue
            for name, path, shown in _safe_files(folder, content, root, problems):
                rid = _file_id(name, ".yaml", shown, problems)
                if rid is not None:
                    jobs.append(Job(kind, f"{entry.name}/{rid}", path, shown, MAX_EVALUATION_BYTES))
    return jobs


def reassemble(before: Raw, todo: Sequence[Job], parsed: Sequence[Parsed], digests: Sequence[bytes | None],
               changed: Iterable[int], noted: Iterable[int], problems: Problems, watched: bool = False) -> Raw | None:
    """What :func:`assemble` gives for ``todo``'s files, made from ``before`` (what it gave when only the files
    ``changed``, places in ``todo``, were otherwise), or None when one of them now loads where it did not, or the
    other way round (a record added or taken out: :func:`assemble` then; nothing is added to ``problems``
    before that is known). ``noted``: the places of the files
    with problems or personal numbers, in order. ``before`` is not changed."""
    raw = Raw(root=before.root, content=before.content, site=before.site, units=dict(before.units),
              posts=dict(before.posts), members=dict(before.members), _evaluations=dict(before._evaluations),
              stories=dict(before.stories), competitions=dict(before.competitions),
              indicators=dict(before.indicators), broken=set(before.broken), digests=dict(before.digests),
              evaluation_paths=dict(before.evaluation_paths), watched=watched)
    for i in changed:
        job, value, found = todo[i], parsed[i].value, digests[i]
        if value is None or found is None or job.shown not in raw.digests:
            return None
        if job.kind == "site":
            raw.site = value
            continue
        table = raw._evaluations if job.kind == "evaluations" else getattr(raw, job.kind)
        if job.rid not in table:
            return None
        table[job.rid] = value
        raw.digests[job.shown] = found
    for i in noted:
        problems.items.extend(parsed[i].problems)
        raw.sensitive.extend(parsed[i].sensitive)
    return raw


def assemble(root: Path, todo: list[Job], parsed_files: Iterable[Parsed], problems: Problems,
             digests: Iterable[bytes | None] = (), watched: bool = False) -> Raw:
    """The :class:`Raw` of a site from what each file of :func:`scan` gave (``incremental.records.load``
    reads and parses them, from its cache when unchanged, and gives the digest of each file's bytes;
    ``watched``: see :attr:`Raw.watched`)."""
    raw = Raw(root=root, content=root / "content", watched=watched)
    for job, digest_of in zip(todo, digests):
        if digest_of is not None:
            raw.digests[job.shown] = digest_of
    for job, parsed in zip(todo, parsed_files):
        problems.items.extend(parsed.problems)
        raw.sensitive.extend(parsed.sensitive)
        if job.kind == "site":
            raw.site = parsed.value
        elif parsed.value is None:
            raw.broken.add(f"{job.kind}/{job.rid}")
        elif job.kind == "evaluations":
            raw._evaluations[job.rid] = parsed.value
            raw.evaluation_paths[job.rid] = job.shown
        else:
            getattr(raw, job.kind)[job.rid] = parsed.value
    return raw
