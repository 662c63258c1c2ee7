"""Stage 5, write: the only code that touches the output folder.

The new site is built in a sibling folder and swapped in whole when everything has been written; a
failed build removes only its own sibling, so the published output stays exactly as it was. A file
that is unchanged since the last build is hard-linked from the old output instead of rewritten.
"""

from __future__ import annotations

import os
import posixpath
import re
import shutil
from pathlib import Path

from .errors import UsageError

MARKER = ".site-builder-output"


def check_output_dir(site: Path, out: Path) -> None:
    """Refuse output folders that would overwrite the sources or something we did not make."""
    if out.is_symlink():  # the swap renames the folder: through a link it would write elsewhere (or fail)
        raise UsageError(f"输出文件夹 {out} 是符号链接（指向 {os.readlink(out)}）：为免写到别处，请用一个真实的文件夹。")
    site_r, out_r = site.resolve(), out.resolve()
    if out_r == site_r or site_r.is_relative_to(out_r):
        raise UsageError(f"输出文件夹 {out} 是站点文件夹本身或它的上级：请用单独的文件夹（默认 output/）。")
    if out_r == Path.cwd().resolve():
        raise UsageError(f"输出文件夹 {out} 是当前文件夹：请用单独的文件夹（默认 output/）。")
    for source in ("content", "templates"):
        if out_r.is_relative_to((site_r / source).resolve()):
            raise UsageError(f"输出文件夹 {out} 在 {source}/ 里面：请放到别处。")
    if (out_r / "content").exists():
        raise UsageError(f"输出文件夹 {out} 里有 content/，像是一个站点文件夹：拒绝覆盖。")
    if out_r.exists() and not out_r.is_dir():
        raise UsageError(f"{out} 不是文件夹：请换一个输出位置。")
    if out_r.is_dir() and any(out_r.iterdir()) and not (out_r / MARKER).exists():
        raise UsageError(f"输出文件夹 {out} 不是空的，也不是 site-builder 生成的：为免误删，拒绝覆盖。"
                         "请换一个文件夹或先清空它。")


_SAFE_PATH = re.compile(r"^[A-Za-z0-9._\-/]+$")


class Writer:
    def __init__(self, site: Path, out: Path):
        check_output_dir(site, out)
        self.out = out
        self.old = out if (out / MARKER).exists() else None
        self.new = out.parent / f".{out.name}.new-{os.getpid()}"
        self.written: dict[str, str] = {}  # lower-case path → path, to refuse writing one path twice
        self.changed = 0

    def __enter__(self) -> "Writer":
        if self.new.exists():
            shutil.rmtree(self.new)
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.new.mkdir()
        return self

    def __exit__(self, kind, exc, tb) -> None:
        if kind is not None:
            shutil.rmtree(self.new, ignore_errors=True)
            return
        (self.new / MARKER).write_text("This folder is written by site-builder and replaced on every build.\n")
        if self.old is not None:
            trash = self.out.parent / f".{self.out.name}.old-{os.getpid()}"
            os.rename(self.out, trash)
            os.rename(self.new, self.out)
            shutil.rmtree(trash, ignore_errors=True)
        else:
            if self.out.exists():
                self.out.rmdir()  # empty (checked in check_output_dir)
            os.rename(self.new, self.out)

    def _target(self, path: str) -> Path:
        norm = posixpath.normpath(path)
        if (not _SAFE_PATH.match(path) or norm != path.rstrip("/") or norm.startswith(("..", "/"))
                or "/../" in f"/{norm}/" or norm == MARKER):
            raise ValueError(f"refusing to write an unsafe output path: {path!r}")
        key = norm.lower()
        if key in self.written:
            raise ValueError(f"two pages map to the same output file: {self.written[key]} and {path}")
        self.written[key] = path
        target = self.new / norm
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def write(self, path: str, data: bytes) -> None:
        target = self._target(path)
        if self.old is not None:
            old = self.old / path
            try:
                if old.stat().st_size == len(data) and old.read_bytes() == data:
                    _link_or_copy(old, target)
                    return
            except OSError:
                pass
        target.write_bytes(data)
        self.changed += 1

    def reuse(self, path: str) -> bool:
        """Link a file whose name fixes its content (e.g. media/<hash>-480.jpg) from the old output."""
        if self.old is None or not (self.old / path).is_file():
            return False
        _link_or_copy(self.old / path, self._target(path))
        return True


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # a file system without hard links
        shutil.copyfile(source, target)
