"""The command line: ``site-builder VERB [options]`` (also ``python -m site_builder``).

Exit codes: 0 success, 1 content problems (each printed as ``path:line:col: message``),
2 a wrong command line or site folder. Each verb lives in its own module and registers itself
(:func:`registry.verb`); this module only parses the command line and reports. Only the module of the
verb that runs is loaded (:func:`registry.load`), or all of them when the command line names none.
"""

from __future__ import annotations

import argparse
import gc
import sys

from .. import __version__
from ..errors import ContentErrors, UsageError
from . import registry
from .registry import VERBS, report


def parser(verbs: dict | None = None) -> argparse.ArgumentParser:
    """The command line of ``verbs`` (from :func:`registry.load`; default: every verb)."""
    p = argparse.ArgumentParser(prog="site-builder",
                                description="星级党员示范岗公示网站生成器 / static-site generator for pledge boards")
    p.add_argument("--version", action="version", version=f"site-builder {__version__}")
    sub = p.add_subparsers(dest="verb", metavar="VERB")
    for name, (help, configure, run) in (registry.load() if verbs is None else verbs).items():
        configure(sub.add_parser(name, help=help, description=help))
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the command line ``argv`` (default: the program's own, which then exits: see below)."""
    code = _main(sys.argv[1:] if argv is None else argv)
    if argv is None:
        # The program ends next: what the verb left (a city's model is millions of objects, in cycles)
        # is frozen so that the interpreter's last collection does not go over it only to free memory
        # that the process gives back as it exits (3 s at 3,000 posts).
        gc.freeze()
    return code


def _main(argv: list[str]) -> int:
    # The first word names the verb (the command line has no options before it but --help and --version).
    named = argv[:1] if argv[:1] and argv[0] in registry.MODULES else registry.MODULES
    args = parser(registry.load(named)).parse_args(argv)
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
