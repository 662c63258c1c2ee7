"""The command line: ``site-builder VERB [options]`` (also ``python -m site_builder``).

Exit codes: 0 success, 1 content problems (each printed as ``path:line:col: message``),
2 a wrong command line or site folder.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import __version__
from .errors import ContentErrors, UsageError

VERBS: dict[str, tuple[str, callable, callable]] = {}


def verb(name: str, help: str):
    """Register a verb: ``configure(parser)`` adds its options, the decorated function runs it."""
    def wrap(configure):
        def attach(run):
            VERBS[name] = (help, configure, run)
            return run
        return attach
    return wrap


def site_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("site", nargs="?", default=".", type=Path,
                        help="站点文件夹（含 content/），默认当前文件夹 / the site folder, default .")


def report(problems, stream=None) -> None:
    for problem in problems:
        print(problem.format(), file=stream or sys.stderr)


def _build_options(p: argparse.ArgumentParser) -> None:
    site_arg(p)
    p.add_argument("-o", "--output", type=Path, help="输出文件夹，默认 SITE/output")
    p.add_argument("-q", "--quiet", action="store_true", help="只输出错误")
    p.add_argument("-v", "--verbose", action="store_true", help="显示各阶段耗时")


@verb("build", "生成网站 / build the site into output/")(_build_options)
def cmd_build(args) -> int:
    from .pipeline import run

    start = time.perf_counter()
    result = run(args.site, args.output, write=True)
    if not args.quiet:
        out = args.output or args.site / "output"
        print(f"已生成 {result.pages} 个页面、共 {result.files} 个文件（{result.changed} 个有变化）→ {out}"
              f"（{time.perf_counter() - start:.1f} 秒）")
    if args.verbose:
        for stage, seconds in result.timings.items():
            print(f"  {stage:14} {seconds:7.2f} s")
    return 0


def _check_options(p: argparse.ArgumentParser) -> None:
    site_arg(p)
    p.add_argument("-q", "--quiet", action="store_true", help="只输出错误")


@verb("check", "检查内容，不写任何文件 / check the content without writing")(_check_options)
def cmd_check(args) -> int:
    from .pipeline import run

    result = run(args.site, write=False)
    if not args.quiet:
        print(f"检查通过：{len(result.model.posts)} 个示范岗、{len(result.model.members)} 名党员、"
              f"{len(result.model.stories)} 篇文章，{result.pages} 个页面。")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="site-builder",
                                description="星级党员示范岗公示网站生成器 / static-site generator for pledge boards")
    p.add_argument("--version", action="version", version=f"site-builder {__version__}")
    sub = p.add_subparsers(dest="verb", metavar="VERB")
    for name, (help, configure, run) in VERBS.items():
        configure(sub.add_parser(name, help=help, description=help))
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if not args.verb:
        parser().print_help()
        return 2
    try:
        if not args.site.is_dir():
            raise UsageError(f"找不到站点文件夹 {args.site}")
        return VERBS[args.verb][2](args)
    except ContentErrors as exc:
        report(exc.problems)
        print(f"发现 {len(exc.problems)} 个问题，未写入任何文件（已发布的 output/ 保持原样）。"
              f"请按提示修改后重新运行。", file=sys.stderr)
        return 1
    except UsageError as exc:
        print(f"site-builder: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
