"""Guards of the pipeline against broken or hostile input (docs/security.md).

* :func:`check_without_site`: when ``content/site.yaml`` cannot be read, the other files are still
  checked (references, photos, Markdown), so one bad file never hides the others' problems.
* :func:`output_problems`: every file the build would write has a safe, unique address before
  anything is rendered or written, in ``check`` as in ``build``: names a web server may not serve
  the same everywhere (spaces, non-ASCII, ``..``) and two files that would become one (names that
  differ only in letter case) are content errors naming both sources, never a traceback from the
  writer.
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import Iterable

from ..digests import digest
from ..memo import keep, recall
from ..model import build as model_mod
from ..errors import Problem, Problems
from ..content.load import Raw
from ..output_paths import unsafe_output


class _Anything(dict):
    """A stand-in table that holds every key (districts and sectors are unknown without site.yaml)."""

    def __contains__(self, key: object) -> bool:
        return True


class _WithoutSite(model_mod.Builder):
    """The model's checks that do not need the site settings; evaluations (which need the star
    rules) are left out."""

    def settings(self) -> model_mod.Settings:
        return model_mod.Settings(title="", base_url="https://example.invalid/", base_path="/", language="zh-CN",
                                  organisation={}, districts=_Anything(), sectors=_Anything(), rules=None,
                                  page_size=30)

    def recalled_standings(self, settings, posts) -> tuple[None, tuple]:
        return None, (None, {})  # (no rules: no standings)


def check_without_site(raw: Raw, problems: Problems) -> None:
    """Add the problems of every record that can be checked without ``site.yaml``."""
    _WithoutSite(raw, problems).build()


# -- output addresses -----------------------------------------------------------------------------------

def output_problems(pages: Iterable, static: dict[str, Path], shown) -> list[Problem]:
    """Problems with the output paths of ``pages`` (pages.web.Page) and ``static`` files (output path →
    source file; ``shown(filename)`` names a source as in messages).

    Whether there are any is a function of the paths alone: a build whose paths are those of a build that had
    none (kept by ``memo.keep``: a warm build after an edit that adds or renames no page) checks nothing."""
    pages = list(pages)
    paths = digest("\0".join([page.output for page in pages]).encode() + b"\1" + "\0".join(static).encode())
    if recall(_CHECKED, paths):
        return []
    problems = _output_problems(pages, static, shown)
    if not problems:
        keep(_CHECKED, paths, True)
    return problems


_CHECKED = "guard.outputs"  # (the digest of the output paths of the last build whose paths had no problem)


def _output_problems(pages: list, static: dict[str, Path], shown) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, tuple[str, tuple]] = {}  # lower-case output path → (output path, its source)

    def named(source: tuple) -> str:  # (a source is named only for a problem)
        return shown(source[0]) if source[1] is None else f"页面 {source[0]}（模板 {source[1] or '数据'}）"

    def add(output: str, source: tuple, is_file: bool) -> None:
        if unsafe_output(output):
            source = named(source)
            if is_file:
                problems.append(Problem(source, 1, 1, "文件名只能用英文字母、数字、点（.）、连字符（-）和下划线（_），"
                                                       "发布后的网址才能在所有服务器上使用：请改名。"))
            else:
                problems.append(Problem(source, 0, 0, f"页面地址 `{output}` 不安全，不予写入。"))
            return
        key = posixpath.normpath(output).lower()
        if key in seen:
            source = named(source)
            first_output, first_source = seen[key]
            first_source = named(first_source)
            same = "" if first_output == output else "（只差大小写，在 Windows、macOS 和许多服务器上是同一个文件）"
            at = 1 if is_file else 0  # a file of the site is placed at its first line
            problems.append(Problem(source, at, at, f"发布后与 {first_source} 是同一个文件 `{output}`{same}："
                                                  "请改名或删除其中一个。"))
            return
        seen[key] = (output, source)

    for page in pages:
        add(page.output, (page.output, page.template or ""), False)
    for output, path in static.items():
        add(output, (str(path), None), True)
    return sorted(problems)

