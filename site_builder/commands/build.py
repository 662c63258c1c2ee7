"""Verbs ``build`` and ``check``: the whole pipeline, stopped before writing for ``check``."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from ..incremental.pipeline import run
from . import reports
from .progress import Progress
from .registry import base_url_arg, site_arg, speed_options, verb


def _build_options(p: argparse.ArgumentParser) -> None:
    site_arg(p)
    p.add_argument("-o", "--output", type=Path, help="输出文件夹，默认 SITE/output")
    p.add_argument("--base-url", type=base_url_arg,
                   help="发布地址，代替 site.yaml 的 base_url（如 GitHub/GitLab Pages 的地址）")
    p.add_argument("-q", "--quiet", action="store_true", help="只输出错误")
    p.add_argument("-v", "--verbose", action="store_true", help="显示各阶段耗时")
    speed_options(p)


@verb("build", "生成网站 / build the site into output/")(_build_options)
def cmd_build(args) -> int:
    start = time.perf_counter()
    progress = Progress(enabled=False if args.quiet else None)
    try:
        result = run(args.site, args.output, write=True, base_url=args.base_url, jobs=args.jobs,
                     use_cache=not args.no_cache, progress=progress)
    finally:
        progress.close()
    if not args.quiet:
        out = args.output or args.site / "output"
        print(f"已生成 {result.pages} 个页面（重新生成 {result.rendered} 个）、共 {result.files} 个文件"
              f"（{result.changed} 个有变化）→ {out}（{time.perf_counter() - start:.1f} 秒）")
    if args.verbose:
        for stage, seconds in result.timings.items():
            print(f"  {stage:14} {seconds:7.2f} s")
    return 0


def _check_options(p: argparse.ArgumentParser) -> None:
    site_arg(p)
    p.add_argument("-q", "--quiet", action="store_true", help="只输出错误")
    p.add_argument("--format", choices=reports.FORMATS, default="text",
                   help="问题的输出格式：text（默认）、github（拉取请求上的注释）、json、markdown（作业摘要或评论）、"
                        "gitlab（GitLab 代码质量报告）")
    p.add_argument("--external", action="store_true", help="列出全部外部链接（只列出，不访问）")
    speed_options(p)


@verb("check", "检查内容，不写任何文件 / check the content without writing")(_check_options)
def cmd_check(args) -> int:
    progress = Progress(enabled=False if args.quiet or args.format != "text" else None)
    try:
        result = run(args.site, write=False, jobs=args.jobs, use_cache=not args.no_cache, progress=progress)
    finally:
        progress.close()
    summary = reports.check_summary(result.model, result.pages, len(result.external_links))
    external = result.external_links if args.external else []
    if args.format == "json":
        print(reports.as_json([], summary, args.site, result.external_links))
    elif args.format == "markdown":
        print(reports.markdown([], summary, result.external_links), end="")
    elif args.format == "gitlab":
        print(reports.gitlab([]))
    elif not args.quiet:
        print(f"检查通过：{summary}")
        if external:
            print("外部链接（只列出，不访问）：")
            for url, where in external:
                print(f"  {url}  ← {', '.join(where)}")
    return 0
