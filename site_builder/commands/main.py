"""The command line: ``site-builder VERB [options]`` (also ``python -m site_builder``).

Exit codes: 0 success, 1 content problems (each printed as ``path:line:col: message``),
2 a wrong command line or site folder. Each verb lives in its own module and registers itself
(:func:`registry.verb`); this module only parses the command line and reports.
"""

from __future__ import annotations

import argparse
import sys

from .. import __version__
from ..errors import ContentErrors, UsageError
from . import build, importing, new, pdf, serve  # noqa: F401  (each registers its verbs)
from .registry import VERBS, report


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
