"""How ``check`` (and ``build``) print their problems: ``--format text|github|json|markdown``.

- text (default): ``path:line:col: message`` on stderr, one a line;
- github: GitHub Actions workflow commands ``::error file=...,line=...,col=...::message`` on stdout,
  which the pull request shows on the changed lines. Values are escaped as GitHub's toolkit does
  (``%`` → ``%25``, CR → ``%0D``, LF → ``%0A``; in properties also ``:`` → ``%3A`` and ``,`` → ``%2C``);
  file paths are relative to the current folder (the repository root in CI);
- json: one object on stdout: ``{"ok", "site", "problems": [{file, line, column, message}],
  "summary", "external_links": [{url, found_in}]}``;
- markdown: a short report for a job summary or a pull request comment (Forgejo/Gitea);
- gitlab: a GitLab Code Quality report (JSON), which the merge request widget shows.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from ..errors import Problem
from ..model.stars import REVOKED

FORMATS = ("text", "github", "json", "markdown", "gitlab")


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def site_prefix(site: Path) -> str:
    """The site folder relative to the current folder, as a path prefix ("" for the current folder)."""
    try:
        rel = Path(os.path.relpath(site.resolve(), Path.cwd().resolve())).as_posix()
    except ValueError:  # another drive on Windows
        rel = site.resolve().as_posix()
    return "" if rel == "." else rel.rstrip("/") + "/"


def check_summary(model, pages: int, external: int) -> str:
    """What a passing check found, saying what is published and what is not, and why.

    A post is listed (home page, lists) when approved and not revoked; a revoked post keeps its own
    page with its star record; a post without approval is not published. A member is published with
    their consent on an approved post (model.Post.public, model.Member.public)."""
    revoked = sum(1 for p in model.posts if p.status == REVOKED)
    waiting = sum(1 for p in model.all_posts if not p.public)
    posts = f"示范岗 {len(model.listed_posts)} 个公示中"
    others = [text for n, text in ((revoked, f"{revoked} 个已摘牌（只保留岗位页和星级记录）"),
                                   (waiting, f"{waiting} 个已申报待批复（不公开）")) if n]
    if others:
        posts += "，另有 " + "、".join(others)
    no_consent = sum(1 for m in model.all_members if not m.public and not m.consent["public"])
    no_approval = sum(1 for m in model.all_members if not m.public and m.consent["public"])
    members = f"党员 {len(model.members)} 名公开"  # people: one at two posts is one
    several = sum(1 for m in model.members if len(m.public_posts) > 1)
    if several:
        members += f"（其中 {several} 名在多个岗位）"
    if no_consent or no_approval:
        why = [text for n, text in ((no_consent, f"{no_consent} 名本人未同意公开"),
                                    (no_approval, f"{no_approval} 名所在岗位待批复")) if n]
        members += f"，另有 {no_consent + no_approval} 名不公开（{'、'.join(why)}）"
    return f"{posts}；{members}；文章 {len(model.stories)} 篇；{pages} 个页面，{external} 个外部链接。"


GITHUB_ANNOTATIONS = 10  # GitHub shows at most 10 error annotations per step (50 per job)


def github_notice(count: int) -> str:
    return (f"::notice title=site-builder check::{escape_data(f'共发现 {count} 个问题，GitHub 只标注前 {GITHUB_ANNOTATIONS} 个')}"
            f"{escape_data('：完整清单见本次运行的摘要（Summary）或日志。')}")


def github_line(problem: Problem, prefix: str = "") -> str:
    props = []
    if not problem.path.startswith("("):  # "(site-builder)/templates/...": not a file of the repository
        props.append(f"file={escape_property(prefix + problem.path)}")
        props.append(f"line={max(problem.line, 1)}")  # never 0: an annotation without a line is not placed
        if problem.line and problem.col:
            props.append(f"col={problem.col}")
    message = escape_data(problem.message if props else f"{problem.format()}")
    return f"::error {','.join(props)}::{message}" if props else f"::error::{message}"


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def markdown(problems: list[Problem], summary: str, external: list[tuple[str, list[str]]] = (),
             prefix: str = "") -> str:
    lines = [f"### {'检查未通过' if problems else '检查通过'}：{summary}", ""]
    if problems:
        lines += ["| 位置 | 问题（怎么改） |", "| --- | --- |"]
        for p in problems:
            where = f"{prefix}{p.path}" + (f":{p.line}" if p.line else "") + (f":{p.col}" if p.line and p.col else "")
            lines.append(f"| `{_cell(where)}` | {_cell(p.message)} |")
        lines += ["", "改法见 docs/editors.md 的“常见问题”。"]
    if external:
        lines += ["", f"<details><summary>外部链接 {len(external)} 个（只列出，未访问）</summary>", ""]
        lines += [f"- <{url}> ← {', '.join(f'`{w}`' for w in where)}" for url, where in external]
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


def as_json(problems: list[Problem], summary: str, site: Path,
            external: list[tuple[str, list[str]]] = ()) -> str:
    return json.dumps({
        "ok": not problems,
        "site": site.as_posix(),
        "problems": [p.as_dict() for p in problems],
        "summary": summary,
        "external_links": [{"url": url, "found_in": where} for url, where in external],
    }, ensure_ascii=False, indent=2)


def gitlab(problems: list[Problem], prefix: str = "") -> str:
    """GitLab Code Quality: [{description, check_name, fingerprint, severity, location: {path, lines: {begin}}}]."""
    items = []
    for p in problems:
        path = p.path if p.path.startswith("(") else prefix + p.path
        items.append({
            "description": p.message,
            "check_name": "site-builder",
            "fingerprint": hashlib.sha256(f"{path}:{p.line}:{p.col}:{p.message}".encode()).hexdigest(),
            "severity": "major",
            "location": {"path": path, "lines": {"begin": max(p.line, 1)}},
        })
    return json.dumps(items, ensure_ascii=False, indent=2)
