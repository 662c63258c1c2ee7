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


def report(problems, stream=None, fmt: str = "text", site: Path = Path(".")) -> None:
    """Print problems: text on stderr; github annotations, json, markdown on stdout (see reports.py)."""
    from . import reports

    summary = f"发现 {len(problems)} 个问题"
    if fmt == "github":
        prefix = reports.site_prefix(site)
        if len(problems) > reports.GITHUB_ANNOTATIONS:
            print(reports.github_notice(len(problems)), file=stream or sys.stdout)
        for problem in problems:
            print(reports.github_line(problem, prefix), file=stream or sys.stdout)
    elif fmt == "json":
        print(reports.as_json(problems, summary, site), file=stream or sys.stdout)
    elif fmt == "markdown":
        print(reports.markdown(problems, summary, prefix=reports.site_prefix(site)), end="", file=stream or sys.stdout)
    elif fmt == "gitlab":
        print(reports.gitlab(problems, reports.site_prefix(site)), file=stream or sys.stdout)
    else:
        for problem in problems:
            print(problem.format(), file=stream or sys.stderr)


def _base_url(text: str) -> str:
    from .specs import _base_url as check

    text = text if text.endswith("/") else text + "/"
    problem = check(text)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return text


def _build_options(p: argparse.ArgumentParser) -> None:
    site_arg(p)
    p.add_argument("-o", "--output", type=Path, help="输出文件夹，默认 SITE/output")
    p.add_argument("--base-url", type=_base_url,
                   help="发布地址，代替 site.yaml 的 base_url（如 GitHub/GitLab Pages 的地址）")
    p.add_argument("-q", "--quiet", action="store_true", help="只输出错误")
    p.add_argument("-v", "--verbose", action="store_true", help="显示各阶段耗时")
    _speed_options(p)


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"`{text}` 不是正整数")
    return value


def _speed_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("-j", "--jobs", type=_jobs, metavar="N",
                   help="同时使用的进程数，默认为全部 CPU 核心 / processes to use (default: all cores)")
    p.add_argument("--no-cache", action="store_true",
                   help="不使用也不保存构建缓存（SITE/.site-builder-cache/），从头生成 / build from scratch")


@verb("build", "生成网站 / build the site into output/")(_build_options)
def cmd_build(args) -> int:
    from .pipeline import run
    from .progress import Progress

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
    from .reports import FORMATS

    site_arg(p)
    p.add_argument("-q", "--quiet", action="store_true", help="只输出错误")
    p.add_argument("--format", choices=FORMATS, default="text",
                   help="问题的输出格式：text（默认）、github（拉取请求上的注释）、json、markdown（作业摘要或评论）、"
                        "gitlab（GitLab 代码质量报告）")
    p.add_argument("--external", action="store_true", help="列出全部外部链接（只列出，不访问）")
    _speed_options(p)


@verb("check", "检查内容，不写任何文件 / check the content without writing")(_check_options)
def cmd_check(args) -> int:
    from .pipeline import run

    from . import reports

    from .progress import Progress

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
        report(exc.problems, fmt=getattr(args, "format", "text"), site=args.site)
        print(f"发现 {len(exc.problems)} 个问题，未写入任何文件（已发布的 output/ 保持原样）。"
              f"请按提示修改后重新运行。", file=sys.stderr)
        return 1
    except UsageError as exc:
        print(f"site-builder: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


from . import pdf  # noqa: E402,F401  (registers the `pdf` verb)


# Verbs defined in their own modules register themselves on import.
from . import importer, new, serve  # noqa: E402,F401
