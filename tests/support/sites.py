"""Helpers for tests that build sites: copy a fixture site, change files, run the command line."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from site_builder.commands.main import main

ROOT = Path(__file__).resolve().parents[2]
MINI = ROOT / "tests" / "sites" / "mini"

# A valid member file (content/members/li-ming.yaml without its comment stage); broken-site tests
# change one line of it and assert the exact line and column of the problem.
GOOD_MEMBER = """\
name: 李明
post: tax-window
position: 窗口负责人
consent: {public: true, photo: false}
pledge: 群众的事再小也是大事
standard:
  items: [耐心解答]
  proposed: 2025-01-05
"""

# The front matter of the mini site's story (content/stories/first.md), for tests that write its body.
STORY_FRONT = """\
---
title: 窗口里的笑脸
date: 2025-03-01
author: 宣传部
posts: [tax-window]
---
"""


def make_site(tmp_path: Path, changes: dict[str, str | bytes | None] | None = None, base: Path = MINI) -> Path:
    """Copy ``base`` into tmp_path/site and apply ``changes`` (path → new text, bytes, or None to delete)."""
    site = tmp_path / "site"
    shutil.copytree(base / "content", site / "content")
    if (base / "templates").is_dir():
        shutil.copytree(base / "templates", site / "templates")
    for rel, data in (changes or {}).items():
        path = site / rel
        if data is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return site


def run(capsys, *argv) -> tuple[int, str, str]:
    """Run ``site-builder ARGV`` in-process; return (exit code, stdout, stderr)."""
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def tree(folder: Path) -> dict[str, str]:
    """Relative path → sha256 of every file under ``folder``."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}
